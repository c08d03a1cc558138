//! The secrets the Worker knows (`NKS_TOKEN`, the Identity password, the tokens
//! Identity issued), and the transport that learns the issued ones. Every text that
//! leaves the Worker goes through [`Secrets`] last: answers through
//! [`Secrets::redact_answer`], log lines and stored reports through
//! [`Secrets::redact`], so upstream text that echoes a credential cannot carry it out.

use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use std::cell::RefCell;
use std::rc::Rc;

/// Shorter values are not redacted: replacing every `ab` would garble answers, and
/// no token or sensible password is that short.
const SHORTEST: usize = 6;

/// The Worker's known secrets, shared by the transport that learns issued tokens.
#[derive(Default)]
pub struct Secrets {
    /// The tokens' forms ([`crate::secret::forms`]), longest first: NKS is sent a
    /// token and may echo it, into any text.
    tokens: RefCell<Vec<String>>,
    /// Every secret's forms, the Identity password's too, longest first.
    all: RefCell<Vec<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} known)", self.all.borrow().len())
    }
}

/// Adds `secret`'s forms to `list`, longest first (so that a secret containing
/// another is replaced whole).
fn remember(list: &RefCell<Vec<String>>, secret: &str) {
    if secret.chars().count() < SHORTEST {
        return;
    }
    let mut list = list.borrow_mut();
    for form in crate::secret::forms(secret) {
        if form.chars().count() >= SHORTEST && !list.contains(&form) {
            list.push(form);
        }
    }
    list.sort_by_key(|k| std::cmp::Reverse(k.len()));
}

impl Secrets {
    /// Remembers a token (and its JSON-escaped form, as it appears inside JSON text).
    pub fn add_token(&self, token: &str) {
        remember(&self.tokens, token);
        remember(&self.all, token);
    }

    /// Remembers the Identity password: for log lines and stored reports. Only Identity
    /// is sent it, and the client removes it from Identity's errors; in an answer it
    /// can only be the caller's own words, which are not replaced: a `***` there would
    /// tell the caller which of its guesses is the password.
    pub fn add_password(&self, password: &str) {
        remember(&self.all, password);
    }

    /// `text`, a log line or a report to keep, with every known secret replaced by
    /// `***`, in its raw and, for JSON text, its decoded forms
    /// ([`crate::secret::redact`]).
    pub fn redact(&self, text: &str) -> String {
        crate::secret::redact(text, &self.all.borrow()).unwrap_or_else(|| text.to_owned())
    }

    /// `text`, an answer (body or header), with every known token replaced by `***`.
    pub fn redact_answer(&self, text: &str) -> String {
        crate::secret::redact(text, &self.tokens.borrow()).unwrap_or_else(|| text.to_owned())
    }
}

/// A transport that learns the tokens it sends and the tokens Identity issues, so that
/// they can be redacted from whatever leaves the Worker.
pub struct Watched<T> {
    inner: T,
    secrets: Rc<Secrets>,
}

impl<T> Watched<T> {
    /// Wraps `inner`; learned secrets go to `secrets`.
    pub fn new(inner: T, secrets: Rc<Secrets>) -> Self {
        Watched { inner, secrets }
    }

    /// The wrapped transport (tests read a recording transport's log through it).
    pub fn inner(&self) -> &T {
        &self.inner
    }
}

impl<T: Transport> Transport for Watched<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        for (name, value) in request.headers.iter() {
            if name.eq_ignore_ascii_case("x-auth-token") {
                self.secrets.add_token(value);
            }
        }
        let identity = request.url.ends_with("/v2.0/tokens");
        let result = self.inner.send(request).await;
        if let (true, Ok(answer)) = (identity, &result) {
            let issued = serde_json::from_str::<serde_json::Value>(answer.body.text())
                .ok()
                .and_then(|v| {
                    v.pointer("/access/token/id")
                        .and_then(|id| id.as_str().map(str::to_owned))
                });
            if let Some(token) = issued {
                self.secrets.add_token(&token);
            }
        }
        result
    }

    async fn sleep(&self, ms: u64) {
        self.inner.sleep(ms).await;
    }

    fn now_ms(&self) -> i64 {
        self.inner.now_ms()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_raw_and_json_escaped_forms_and_skips_short_values() {
        let secrets = Secrets::default();
        secrets.add_token("pa\"ss-word");
        secrets.add_token("abc");
        let text =
            serde_json::json!({"detail": "bad password pa\"ss-word", "x": "abc"}).to_string();
        assert_eq!(
            secrets.redact(&text),
            r#"{"detail":"bad password ***","x":"abc"}"#
        );
        assert_eq!(secrets.redact("pa\"ss-word!"), "***!");
        assert_eq!(format!("{secrets:?}"), "Secrets(2 known)");
    }

    /// The password is kept out of log lines and reports, not out of answers: there it
    /// can only be the caller's own words.
    #[test]
    fn the_password_is_redacted_from_logs_and_reports_only() {
        let secrets = Secrets::default();
        secrets.add_token("tok-0123456789");
        secrets.add_password("pw-0123456789");
        let text = "tok-0123456789 pw-0123456789";
        assert_eq!(secrets.redact(text), "*** ***");
        assert_eq!(secrets.redact_answer(text), "*** pw-0123456789");
    }

    /// A look-alike made of an escape's last character and the text after it is not
    /// the secret: the JSON stays valid, and a real occurrence beside it is redacted.
    #[test]
    fn a_match_that_begins_inside_an_escape_keeps_the_json_valid() {
        let secrets = Secrets::default();
        secrets.add_token("fuzz-password");
        let text = serde_json::json!({"m": "\u{f}uzz-password", "n": "fuzz-password"}).to_string();
        assert!(text.contains("\\u000fuzz-password"), "{text}");
        let out: serde_json::Value = serde_json::from_str(&secrets.redact(&text)).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"m": "\u{f}uzz-password", "n": "***"})
        );
    }
}
