//! [`Error`]: every failure of the client, with the API's answer kept whole.

use crate::model::{by_reader, Fields, FromValue};
use crate::transport::{HttpResponse, TransportError};
use serde_json::Value;
use std::fmt;

/// One thing wrong with an input: where (a JSON path such as `rules[1].when.days`,
/// empty for the whole value) and what.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Where, as a JSON path (`labels.ca_enable`, `rules[0]`); empty: the whole value.
    #[serde(rename = "field")]
    pub path: String,
    /// What is wrong there (it does not repeat the path).
    pub message: String,
}

impl FieldError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same problem seen from one level up: `prefix` joined before the path.
    #[must_use]
    pub fn under(mut self, prefix: &str) -> Self {
        self.path = match (prefix.is_empty(), self.path.is_empty()) {
            (true, _) => self.path,
            (false, true) => prefix.to_owned(),
            (false, false) if self.path.starts_with('[') => format!("{prefix}{}", self.path),
            (false, false) => format!("{prefix}.{}", self.path),
        };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// What went wrong, in the contract's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input was rejected before any request was sent.
    Validation,
    /// 401: the token or the credentials were refused.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 409, or a 400 about the resource's state (busy cluster, autoscaler on).
    Conflict,
    /// Any other 400 (and other 4xx).
    BadRequest,
    /// 429.
    RateLimited,
    /// 5xx.
    Server,
    /// No answer within the timeout.
    Timeout,
    /// The connection failed.
    Network,
    /// An answer that does not have the documented shape.
    InvalidResponse,
}

impl ErrorKind {
    /// The kind's name in the contract (`not_found`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network",
            ErrorKind::InvalidResponse => "invalid_response",
        }
    }
}

impl serde::Serialize for ErrorKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which service a failure came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// The NKS API (or a Worker's gateway of it).
    Nks,
    /// NHN Identity (tokens).
    Identity,
}

impl serde::Serialize for Service {
    /// `nks` or `identity`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            Service::Nks => "nks",
            Service::Identity => "identity",
        })
    }
}

impl Service {
    /// Its name in messages (`NKS`, `Identity`).
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Nks => "NKS",
            Service::Identity => "Identity",
        }
    }
}

/// One entry of Magnum's `{"errors": [...]}` body. The 406 microversion answer adds
/// `max_version` and `min_version`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The status the entry states.
    pub status: Option<u32>,
    /// Magnum's code (`client`, `server`, …).
    pub code: Option<String>,
    /// A one-line summary.
    pub title: Option<String>,
    /// The explanation.
    pub detail: Option<String>,
    /// The request id the service logged.
    pub request_id: Option<String>,
    /// Highest supported microversion (406 only).
    pub max_version: Option<String>,
    /// Lowest supported microversion (406 only).
    pub min_version: Option<String>,
}

impl FromValue for ApiError {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = ApiError {
            status: f.opt("status"),
            code: f.opt("code"),
            title: f.opt("title"),
            detail: f.opt("detail"),
            request_id: f.opt("request_id"),
            max_version: f.opt("max_version"),
            min_version: f.opt("min_version"),
        };
        f.finish(read)
    }
}

by_reader!(ApiError);

/// A failure of the client: its fields are in [`ErrorData`] (through `Deref`), boxed
/// so that `Result<T, Error>` stays small. Nothing of the upstream answer is dropped:
/// the parsed `errors` entries and the raw body are both kept. No secret is part of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<ErrorData>);

/// What an [`Error`] holds. `Debug` shows the body's length, not the body: an answer
/// can carry a kubeconfig.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorData {
    /// The kind.
    pub kind: ErrorKind,
    /// The HTTP status, or 0 when there was no answer.
    pub status: u16,
    /// A human sentence.
    pub message: String,
    /// The API's title, when its body had one.
    pub title: Option<String>,
    /// The API's detail, when its body had one.
    pub detail: Option<String>,
    /// From the `x-openstack-request-id` header (or the body's `request_id`).
    pub request_id: Option<String>,
    /// The input field at fault (`validation` only), e.g. `labels.cert_manager_api`:
    /// the first of `issues`.
    pub field: Option<String>,
    /// Every problem found in the input (`validation` only), in order.
    pub issues: Vec<FieldError>,
    /// Every entry of the `errors` body, in order.
    pub errors: Vec<ApiError>,
    /// How long the service asked to wait (`Retry-After`), in milliseconds.
    pub retry_after_ms: Option<u64>,
    /// The answer's body as it came (empty when there was none), secrets redacted.
    pub body: String,
    /// The service that failed (`None` for `validation`).
    pub service: Option<Service>,
    /// What the runtime said about a failed connection (`connect ECONNREFUSED …`).
    pub cause: Option<String>,
}

impl Error {
    fn bare(kind: ErrorKind, status: u16, message: String) -> Self {
        Error(Box::new(ErrorData {
            kind,
            status,
            message,
            title: None,
            detail: None,
            request_id: None,
            field: None,
            issues: Vec::new(),
            errors: Vec::new(),
            retry_after_ms: None,
            body: String::new(),
            service: None,
            cause: None,
        }))
    }

    /// Bad input for `field`, caught before any request.
    pub fn validation(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        Error::invalid_input(vec![FieldError::new(field, problem.to_string())])
    }

    /// Everything wrong with an input, caught before any request: `field` is the first
    /// issue's path, the message lists them all.
    pub fn invalid_input(issues: Vec<FieldError>) -> Self {
        let message = issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let mut error = Error::bare(ErrorKind::Validation, 0, message);
        error.field = issues.first().map(|i| i.path.clone());
        error.issues = issues;
        error
    }

    /// An answer whose shape is not the documented one.
    pub fn invalid_response(status: u16, problem: impl fmt::Display) -> Self {
        Error::bare(
            ErrorKind::InvalidResponse,
            status,
            format!("invalid response (HTTP {status}): {problem}"),
        )
    }

    /// No answer came back.
    pub fn from_transport(error: &TransportError, timeout_ms: u32) -> Self {
        match error {
            TransportError::Timeout => Error::bare(
                ErrorKind::Timeout,
                0,
                format!("no answer within {timeout_ms} ms"),
            ),
            TransportError::Network(why) => {
                let mut error = Error::bare(ErrorKind::Network, 0, "network error".into());
                error.cause = Some(why.clone());
                error
            }
        }
    }

    /// The same error, placed: which service, and for a failure without an answer the
    /// method and URL (`network error: GET http://127.0.0.1:9/v1/clusters (NKS):
    /// connect ECONNREFUSED`). URLs here never hold secrets.
    #[must_use]
    pub fn during(mut self, service: Service, method: crate::transport::Method, url: &str) -> Self {
        if self.service.is_some() {
            return self;
        }
        self.service = Some(service);
        if self.status == 0 {
            let cause = self
                .cause
                .as_deref()
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            self.message = format!(
                "{} ({}): {} {url}{cause}",
                self.message,
                service.as_str(),
                method.as_str()
            );
        } else if service == Service::Identity {
            self.message = format!("Identity: {}", self.message);
        }
        self
    }

    /// Replaces every occurrence of each secret (tokens, passwords, keys) in the text
    /// this error shows or keeps with `***`, raw, JSON-escaped and, in JSON text,
    /// decoded ([`crate::secret::redact`]): upstream answers may echo them.
    pub fn redact(&mut self, secrets: &[&str]) {
        let mut forms: Vec<String> = secrets
            .iter()
            .filter(|s| s.len() >= 4)
            .flat_map(|s| crate::secret::forms(s))
            .collect();
        // Longest first, so that a secret containing another is replaced whole.
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        let clean = |text: &mut String| {
            if let Some(clean) = crate::secret::redact(text, &forms) {
                *text = clean;
            }
        };
        let data = &mut *self.0;
        clean(&mut data.message);
        clean(&mut data.body);
        let optional = [
            &mut data.title,
            &mut data.detail,
            &mut data.cause,
            &mut data.request_id,
            &mut data.field,
        ];
        optional.into_iter().flatten().for_each(clean);
        data.issues.iter_mut().for_each(|i| clean(&mut i.message));
        for entry in &mut data.errors {
            let texts = [
                &mut entry.code,
                &mut entry.title,
                &mut entry.detail,
                &mut entry.request_id,
                &mut entry.max_version,
                &mut entry.min_version,
            ];
            texts.into_iter().flatten().for_each(clean);
        }
    }

    /// Maps a non-2xx answer: status to kind, Magnum's `errors` body (or a WSME
    /// fault, or Identity's Keystone `error`) to title and detail, and the request id
    /// and `Retry-After` headers.
    pub fn from_response(response: &HttpResponse, now_ms: i64) -> Self {
        let status = response.status;
        // Magnum's `{"errors": [...]}`, else the WSME fault shape some OpenStack
        // services answer with (`faultstring`, `faultcode`), else Identity's (Keystone)
        // `{"error": {"title", "message", "code"}}`.
        let body = serde_json::from_str::<Value>(response.body.text()).unwrap_or_default();
        let errors = body
            .get("errors")
            .and_then(|e| Vec::<ApiError>::from_value(e).ok())
            .unwrap_or_default();
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
        let (title, detail) = match errors.first() {
            Some(first) => (first.title.clone(), first.detail.clone()),
            None => match text("faultstring") {
                Some(fault) => (text("faultcode"), Some(fault)),
                None => {
                    let keystone = |key: &str| {
                        body.get("error")
                            .and_then(|e| e.get(key))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    };
                    (keystone("title"), keystone("message"))
                }
            },
        };
        let request_id = response
            .header("x-openstack-request-id")
            .or_else(|| response.header("x-compute-request-id"))
            .map(str::to_owned)
            .or_else(|| {
                errors
                    .iter()
                    .find_map(|e| e.request_id.clone().filter(|id| !id.is_empty()))
            });
        let kind = kind_of(status, title.as_deref(), detail.as_deref());
        let retry_after_ms = response
            .header("retry-after")
            .and_then(|v| retry_after_ms(v, now_ms));
        let summary = match (&title, &detail) {
            (Some(t), Some(d)) if d.starts_with(t.trim_end_matches('.')) => d.clone(),
            (Some(t), Some(d)) if t != d => format!("{t}: {d}"),
            (Some(t), _) => t.clone(),
            (None, Some(d)) => d.clone(),
            (None, None) if response.body.text().trim().is_empty() => {
                "no details in the answer".into()
            }
            (None, None) => "the answer's body is not an API error".into(),
        };
        let mut message = format!("{kind} (HTTP {status}): {summary}");
        if let Some(e) = errors.iter().find(|e| e.max_version.is_some()) {
            message.push_str(&format!(
                " (supported microversions {}..{})",
                e.min_version.as_deref().unwrap_or("?"),
                e.max_version.as_deref().unwrap_or("?")
            ));
        }
        Error(Box::new(ErrorData {
            kind,
            status,
            message,
            title,
            detail,
            request_id,
            field: None,
            issues: Vec::new(),
            errors,
            retry_after_ms,
            body: response.body.text().to_owned(),
            service: None,
            cause: None,
        }))
    }
}

/// Words that mark a 400 as being about the resource's state, not the request.
const STATE_MARKERS: [&str; 8] = [
    "_IN_PROGRESS",
    "_FAILED",
    "_COMPLETE",
    "status",
    "state",
    "autoscal",
    "in progress",
    "not allowed while",
];

fn kind_of(status: u16, title: Option<&str>, detail: Option<&str>) -> ErrorKind {
    match status {
        400 => {
            let about_state = [title, detail]
                .into_iter()
                .flatten()
                .any(|text| STATE_MARKERS.iter().any(|m| text.contains(m)));
            if about_state {
                ErrorKind::Conflict
            } else {
                ErrorKind::BadRequest
            }
        }
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        200..=399 => ErrorKind::InvalidResponse,
        _ => ErrorKind::BadRequest,
    }
}

/// `Retry-After` as seconds or an HTTP date, in milliseconds from now.
fn retry_after_ms(value: &str, now_ms: i64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.saturating_mul(1000));
    }
    let at = crate::time::parse_http_date_ms(value)?;
    Some(u64::try_from(at.saturating_sub(now_ms)).unwrap_or(0))
}

impl fmt::Debug for ErrorData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorData")
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("message", &self.message)
            .field("title", &self.title)
            .field("detail", &self.detail)
            .field("request_id", &self.request_id)
            .field("field", &self.field)
            .field("issues", &self.issues)
            .field("errors", &self.errors)
            .field("retry_after_ms", &self.retry_after_ms)
            .field("body_bytes", &self.body.len())
            .field("service", &self.service)
            .field("cause", &self.cause)
            .finish()
    }
}

impl std::ops::Deref for Error {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " [request {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
