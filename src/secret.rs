//! [`Secret`]: a string that is never printed, and [`redact`], which takes secrets out
//! of text an upstream sent.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// A token, password or kubeconfig body. `Debug` and `Display` print `***`; read it
/// with [`Secret::expose`], only where it goes on the wire or to the caller. Shared,
/// not copied, when cloned: a client hands its token to every request it sends.
#[derive(Clone, Eq, Default)]
pub struct Secret(Arc<str>);

impl PartialEq for Secret {
    /// The same shared value without reading it (a client compares its token with
    /// the one its cached headers carry on every request), else equal text.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value.into())
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.into())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::from)
    }
}

impl crate::model::FromValue for Secret {
    fn from_value(value: &serde_json::Value) -> Result<Self, crate::error::FieldError> {
        String::from_value(value).map(Secret::from)
    }
}

/// What replaces a secret.
pub const REDACTED: &str = "***";

/// A secret as it appears in text: itself, and JSON-escaped as inside a JSON string
/// (when that differs).
pub fn forms(secret: &str) -> Vec<String> {
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    let escaped = escaped
        .strip_prefix('"')
        .and_then(|e| e.strip_suffix('"'))
        .unwrap_or_default();
    let mut forms = vec![secret.to_owned()];
    if escaped != secret && !escaped.is_empty() {
        forms.push(escaped.to_owned());
    }
    forms
}

/// `text` with every one of `secrets` replaced by [`REDACTED`], or `None` when none
/// was there. Secrets are matched as they are, so give the forms they may take (a
/// JSON-escaped one too) and the longest first. JSON text is also read decoded, where
/// it has escapes that can hide a secret from the raw text (`\u0074ok…` is `tok…`;
/// `\/`), or where replacing in the raw text would break an escape sequence: then its
/// strings (and keys) are redacted one by one and the JSON is written again.
pub fn redact(text: &str, secrets: &[String]) -> Option<String> {
    let raw = replace_all(text, secrets);
    let is_json = |t: &str| serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok();
    if !(text.contains("\\u") || text.contains("\\/")) {
        match &raw {
            None => return None,
            Some(out) if is_json(out) || !is_json(text) => return raw,
            Some(_) => {}
        }
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return raw;
    };
    if scrub(&mut value, secrets) {
        return Some(value.to_string());
    }
    // No string holds a secret, decoded: a raw match that breaks the JSON began inside
    // an escape sequence (`\u000f` then `uzz-…` reads as `fuzz-…`); one that keeps it
    // valid stays redacted.
    raw.filter(|out| is_json(out))
}

/// `text` with every secret replaced, if one was there.
fn replace_all(text: &str, secrets: &[String]) -> Option<String> {
    let mut out: Option<String> = None;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let current = out.as_deref().unwrap_or(text);
        if current.contains(secret) {
            out = Some(current.replace(secret, REDACTED));
        }
    }
    out
}

/// Redacts every string and key of a JSON value, decoded; answers whether one held a
/// secret.
fn scrub(value: &mut serde_json::Value, secrets: &[String]) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => match replace_all(s, secrets) {
            Some(clean) => {
                *s = clean;
                true
            }
            None => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, v| scrub(v, secrets) | found),
        Value::Object(map) => {
            let mut found = false;
            for (key, mut v) in std::mem::take(map) {
                found |= scrub(&mut v, secrets);
                let key = match replace_all(&key, secrets) {
                    Some(clean) => {
                        found = true;
                        clean
                    }
                    None => key,
                };
                map.insert(key, v);
            }
            found
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn redact_finds_raw_escaped_and_decoded_forms() {
        let secrets = ["pw-S\u{eb}cret/01", "tok-ISSUED-0123"].map(String::from);
        // Raw, in text that is not JSON.
        assert_eq!(
            redact("a tok-ISSUED-0123 b", &secrets).as_deref(),
            Some("a *** b")
        );
        // Behind \u escapes and an escaped solidus: read decoded, written again.
        let hidden = r#"{"note":"pw-S\u00ebcret\/01","tok":"\u0074ok-ISSUED-0123","n":1}"#;
        let out: serde_json::Value =
            serde_json::from_str(&redact(hidden, &secrets).unwrap_or_default()).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"note": "***", "tok": "***", "n": 1})
        );
        // Nothing to redact: nothing rewritten, escapes or not.
        assert_eq!(redact(r#"{"name":"\uc11c\uc6b8"}"#, &secrets), None);
        assert_eq!(redact("plain", &secrets), None);
    }
}
