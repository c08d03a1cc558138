//! The secrets the Worker knows (`NKS_TOKEN`, the Identity password, the tokens
//! Identity issued), and the transport that learns the issued ones. Every text that
//! leaves the Worker (answers, log lines, stored reports) goes through
//! [`Secrets::redact`] last, so upstream text that echoes a credential cannot carry it
//! out.

use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use std::cell::RefCell;
use std::rc::Rc;

/// Shorter values are not redacted: replacing every `ab` would garble answers, and
/// no token or sensible password is that short.
const SHORTEST: usize = 6;

/// The Worker's known secrets, shared by the transport that learns issued tokens.
#[derive(Default)]
pub struct Secrets {
    /// The secrets as given or learned.
    secrets: RefCell<Vec<String>>,
    /// Their forms ([`crate::secret::forms`]), longest first.
    known: RefCell<Vec<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} known)", self.known.borrow().len())
    }
}

impl Secrets {
    /// Remembers a secret (and its JSON-escaped form, as it appears inside JSON text).
    pub fn add(&self, secret: &str) {
        if secret.chars().count() < SHORTEST {
            return;
        }
        let mut secrets = self.secrets.borrow_mut();
        if !secrets.iter().any(|s| s == secret) {
            secrets.push(secret.to_owned());
        }
        let mut known = self.known.borrow_mut();
        for form in crate::secret::forms(secret) {
            if form.chars().count() >= SHORTEST && !known.contains(&form) {
                known.push(form);
            }
        }
        // Longest first, so that a secret containing another is replaced whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }

    /// `text` with every known secret replaced by `***`, in its raw and, for JSON
    /// text, its decoded forms ([`crate::secret::redact`]).
    pub fn redact(&self, text: &str) -> String {
        crate::secret::redact(text, &self.known.borrow()).unwrap_or_else(|| text.to_owned())
    }

    /// `text`, the answer to a request, with every known secret replaced but those the
    /// request itself carried (`carried`: its path, query and body, as sent and
    /// decoded). Its sender has those; replacing them where the answer repeats the
    /// sender's words would tell it which of its guesses is a secret.
    pub fn redact_answer(&self, text: &str, carried: impl FnOnce() -> Vec<String>) -> String {
        let known = self.known.borrow();
        let Some(redacted) = crate::secret::redact(text, &known) else {
            return text.to_owned();
        };
        let carried = carried();
        let sent: Vec<String> = self
            .secrets
            .borrow()
            .iter()
            .filter(|s| carried.iter().any(|c| c.contains(s.as_str())))
            .flat_map(|s| crate::secret::forms(s))
            .collect();
        if sent.is_empty() {
            return redacted;
        }
        let kept: Vec<String> = known
            .iter()
            .filter(|k| !sent.contains(k))
            .cloned()
            .collect();
        crate::secret::redact(text, &kept).unwrap_or_else(|| text.to_owned())
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
                self.secrets.add(value);
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
                self.secrets.add(&token);
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
        secrets.add("pa\"ss-word");
        secrets.add("abc");
        let text =
            serde_json::json!({"detail": "bad password pa\"ss-word", "x": "abc"}).to_string();
        assert_eq!(
            secrets.redact(&text),
            r#"{"detail":"bad password ***","x":"abc"}"#
        );
        assert_eq!(secrets.redact("pa\"ss-word!"), "***!");
        assert_eq!(format!("{secrets:?}"), "Secrets(2 known)");
    }

    /// A look-alike made of an escape's last character and the text after it is not
    /// the secret: the JSON stays valid, and a real occurrence beside it is redacted.
    #[test]
    fn a_match_that_begins_inside_an_escape_keeps_the_json_valid() {
        let secrets = Secrets::default();
        secrets.add("fuzz-password");
        let text = serde_json::json!({"m": "\u{f}uzz-password", "n": "fuzz-password"}).to_string();
        assert!(text.contains("\\u000fuzz-password"), "{text}");
        let out: serde_json::Value = serde_json::from_str(&secrets.redact(&text)).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"m": "\u{f}uzz-password", "n": "***"})
        );
    }
}
