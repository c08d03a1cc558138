//! Where the `X-Auth-Token` comes from: a static token, or NHN Identity credentials
//! exchanged at `POST /v2.0/tokens`, cached, refreshed before `expires`, and shared by
//! concurrent callers (one Identity request at a time).

use crate::error::{Error, ErrorKind, FieldError, Service};
use crate::model::{by_reader, from_json, Fields, FromValue};
use crate::retry::Backoff;
use crate::secret::Secret;
use crate::time::parse_rfc3339_ms;
use crate::transport::{HttpRequest, Method, Transport};
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// The provider's Identity service.
pub const DEFAULT_IDENTITY_URL: &str = "https://api-identity-infrastructure.nhncloudservice.com";

/// A cached token is replaced this long before it expires, or halfway through its
/// life when that is sooner (a token of a few minutes is still reused).
pub const REFRESH_MARGIN_MS: i64 = 5 * 60 * 1000;

/// NHN Identity credentials. `Debug` never shows the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Identity base URL; `/v2.0/tokens` is added to it.
    pub endpoint: String,
    /// The project's tenant id.
    pub tenant_id: String,
    /// The NHN Cloud user id (an e-mail address).
    pub username: String,
    /// The API password set in the console.
    pub password: Secret,
}

/// How the client authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// A ready `X-Auth-Token`.
    Token(Secret),
    /// Credentials exchanged for tokens as needed.
    Identity(Identity),
    /// A key of a nks-edge Worker's gateway, sent as `Authorization: Bearer`; the
    /// Worker adds its own token upstream.
    AccessKey(Secret),
}

impl Credentials {
    /// The secrets these credentials hold, to keep out of any text shown.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::Token(s) | Credentials::AccessKey(s) => vec![s.expose()],
            Credentials::Identity(identity) => vec![identity.password.expose()],
        }
    }

    /// Checks that nothing required is empty; the error names the field.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Credentials::Token(token) if token.is_empty() => {
                Err(Error::validation("token", "must not be empty"))
            }
            Credentials::AccessKey(key) if key.is_empty() => {
                Err(Error::validation("accessKey", "must not be empty"))
            }
            Credentials::Token(token) if !is_header_value(token.expose()) => {
                Err(Error::validation("token", NOT_A_HEADER_VALUE))
            }
            Credentials::AccessKey(key) if !is_header_value(key.expose()) => {
                Err(Error::validation("accessKey", NOT_A_HEADER_VALUE))
            }
            Credentials::Token(_) | Credentials::AccessKey(_) => Ok(()),
            Credentials::Identity(identity) => {
                for (field, value) in [
                    ("identity.endpoint", identity.endpoint.as_str()),
                    ("identity.tenantId", identity.tenant_id.as_str()),
                    ("identity.username", identity.username.as_str()),
                    ("identity.password", identity.password.expose()),
                ] {
                    if value.trim().is_empty() {
                        return Err(Error::validation(field, "is required"));
                    }
                }
                crate::config::check_base_url("identity.endpoint", &identity.endpoint)
            }
        }
    }
}

#[derive(Clone)]
struct Token {
    id: Secret,
    /// When to ask for a new one (`None`: it does not expire).
    renew_ms: Option<i64>,
}

/// One Identity request in flight, awaited by every caller that needs its token.
#[derive(Default)]
struct Flight {
    result: RefCell<Option<Result<Secret, Error>>>,
    wakers: RefCell<Vec<Waker>>,
}

impl Flight {
    fn complete(&self, result: Result<Secret, Error>) {
        *self.result.borrow_mut() = Some(result);
        for waker in self.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }
}

struct FlightWait(Rc<Flight>);

impl Future for FlightWait {
    type Output = Result<Secret, Error>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.result.borrow().as_ref() {
            Some(result) => Poll::Ready(result.clone()),
            None => {
                self.0.wakers.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Completes the flight even if its leader is dropped mid-request, so that no waiter
/// hangs.
struct Leader<'a> {
    source: &'a TokenSource,
    flight: Rc<Flight>,
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        if self.flight.result.borrow().is_none() {
            self.flight.complete(Err(Error::from_transport(
                &crate::transport::TransportError::Network(
                    "the token request was cancelled".into(),
                ),
                0,
            )));
        }
        self.source.flight.borrow_mut().take();
    }
}

/// The client's token: static, or issued by Identity and cached.
pub(crate) struct TokenSource {
    credentials: Credentials,
    cached: RefCell<Option<Token>>,
    flight: RefCell<Option<Rc<Flight>>>,
}

impl TokenSource {
    pub(crate) fn new(credentials: Credentials) -> Self {
        TokenSource {
            credentials,
            cached: RefCell::new(None),
            flight: RefCell::new(None),
        }
    }

    /// Whether a refused token can be replaced (Identity credentials) or not (static).
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.credentials, Credentials::Identity(_))
    }

    /// Forgets `stale` if it is the cached token, so the next call asks Identity.
    pub(crate) fn invalidate(&self, stale: &Secret) {
        let mut cached = self.cached.borrow_mut();
        if cached.as_ref().is_some_and(|t| &t.id == stale) {
            *cached = None;
        }
    }

    /// A token valid at `now_ms` without asking Identity: static, or cached and not
    /// yet due for renewal.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn ready(&self, now_ms: i64) -> Option<Secret> {
        match &self.credentials {
            Credentials::Token(token) | Credentials::AccessKey(token) => Some(token.clone()),
            Credentials::Identity(_) => self.cached(now_ms),
        }
    }

    /// The cached Identity token, if it is not yet due for renewal at `now_ms`.
    fn cached(&self, now_ms: i64) -> Option<Secret> {
        let cached = self.cached.borrow();
        let token = cached.as_ref()?;
        token
            .renew_ms
            .is_none_or(|at| at > now_ms)
            .then(|| token.id.clone())
    }

    /// A token valid now: cached until [`REFRESH_MARGIN_MS`] before its expiry (or
    /// half its life); Identity is asked again after a transient failure, as
    /// `backoff` allows.
    pub(crate) async fn token<T: Transport>(
        &self,
        transport: &T,
        timeout_ms: u32,
        backoff: &Backoff,
    ) -> Result<Secret, Error> {
        let identity = match &self.credentials {
            Credentials::Token(token) | Credentials::AccessKey(token) => return Ok(token.clone()),
            Credentials::Identity(identity) => identity,
        };
        if let Some(token) = self.cached(transport.now_ms()) {
            return Ok(token);
        }
        let running = self.flight.borrow().clone();
        if let Some(flight) = running {
            return FlightWait(flight).await;
        }
        let leader = Leader {
            source: self,
            flight: Rc::new(Flight::default()),
        };
        *self.flight.borrow_mut() = Some(leader.flight.clone());
        let result = issue_with_retries(identity, transport, timeout_ms, backoff).await;
        if let Ok(token) = &result {
            *self.cached.borrow_mut() = Some(token.clone());
        }
        let result = result.map(|t| t.id);
        leader.flight.complete(result.clone());
        result
    }
}

/// `{"access": {"token": {"id": …, "expires": …}}}`: what Identity answers (its
/// service catalogue beside the token is not read).
#[derive(Default)]
struct TokenAnswer {
    access: Access,
}

#[derive(Default)]
struct Access {
    token: IssuedToken,
}

#[derive(Default)]
struct IssuedToken {
    id: Secret,
    expires: Option<String>,
}

impl FromValue for TokenAnswer {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = TokenAnswer {
            access: f.required("access"),
        };
        f.finish(read)
    }
}

impl FromValue for Access {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = Access {
            token: f.required("token"),
        };
        f.finish(read)
    }
}

by_reader!(TokenAnswer);

impl FromValue for IssuedToken {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = IssuedToken {
            id: f.required("id"),
            expires: f.opt("expires"),
        };
        let read = f.finish(read)?;
        if !is_header_value(read.id.expose()) {
            return Err(FieldError::new("id", NOT_A_HEADER_VALUE));
        }
        Ok(read)
    }
}

/// Why a token cannot be sent: a header's value holds no control characters (a
/// line break would also split the headers the transport hands to JavaScript).
const NOT_A_HEADER_VALUE: &str = "must not contain control characters";

/// Whether `text` can be a header's value as it is.
fn is_header_value(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// [`issue`], tried again after transient failures: asking for a token twice has the
/// effect of asking once.
async fn issue_with_retries<T: Transport>(
    identity: &Identity,
    transport: &T,
    timeout_ms: u32,
    backoff: &Backoff,
) -> Result<Token, Error> {
    let mut attempt = 0;
    loop {
        match issue(identity, transport, timeout_ms).await {
            Ok(token) => return Ok(token),
            Err(error) => match backoff.delay(true, &error, attempt) {
                Some(delay) => {
                    transport.sleep(delay).await;
                    attempt += 1;
                }
                None => return Err(error),
            },
        }
    }
}

/// `POST {endpoint}/v2.0/tokens` with the password credentials. Errors say they came
/// from Identity and never carry the password.
async fn issue<T: Transport>(
    identity: &Identity,
    transport: &T,
    timeout_ms: u32,
) -> Result<Token, Error> {
    let url = format!("{}/v2.0/tokens", identity.endpoint.trim_end_matches('/'));
    issue_at(identity, transport, timeout_ms, &url)
        .await
        .map_err(|e| {
            let mut e = e.during(Service::Identity, Method::Post, &url);
            e.redact(&[identity.password.expose()]);
            e
        })
}

/// Identity's token request (`POST /v2.0/tokens`), borrowing the credentials (no
/// `Debug`: it holds the password).
#[derive(Serialize)]
struct TokenRequest<'a> {
    auth: TokenAuth<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenAuth<'a> {
    tenant_id: &'a str,
    password_credentials: PasswordCredentials<'a>,
}

#[derive(Serialize)]
struct PasswordCredentials<'a> {
    username: &'a str,
    password: &'a str,
}

async fn issue_at<T: Transport>(
    identity: &Identity,
    transport: &T,
    timeout_ms: u32,
    url: &str,
) -> Result<Token, Error> {
    let body = TokenRequest {
        auth: TokenAuth {
            tenant_id: &identity.tenant_id,
            password_credentials: PasswordCredentials {
                username: &identity.username,
                password: identity.password.expose(),
            },
        },
    };
    let request = HttpRequest {
        method: Method::Post,
        url: url.to_owned(),
        headers: Rc::from(vec![
            ("Accept".into(), "application/json".into()),
            ("Content-Type".into(), "application/json".into()),
        ]),
        // Strings only: writing it cannot fail.
        body: Some(serde_json::to_string(&body).unwrap_or_default()),
        timeout_ms,
    };
    let response = transport
        .send(request)
        .await
        .map_err(|e| Error::from_transport(&e, timeout_ms))?;
    if !(200..300).contains(&response.status) {
        let mut error = Error::from_response(&response, transport.now_ms());
        if error.kind == ErrorKind::Unauthorized {
            error.message = "unauthorized (HTTP 401): the credentials were refused \
                             (tenant id, user name or API password)"
                .into();
        }
        return Err(error);
    }
    let answer: TokenAnswer = from_json(response.body.text())
        .map_err(|e| Error::invalid_response(response.status, format!("token answer: {e}")))?;
    let token = answer.access.token;
    if token.id.is_empty() {
        return Err(Error::invalid_response(
            response.status,
            "token answer: access.token.id is empty",
        ));
    }
    let renew_ms = match token.expires.as_deref() {
        None => None,
        Some(text) => {
            let expires = parse_rfc3339_ms(text).ok_or_else(|| {
                Error::invalid_response(
                    response.status,
                    "token answer: access.token.expires is not an RFC 3339 time",
                )
            })?;
            let life = expires.saturating_sub(transport.now_ms());
            Some(expires - REFRESH_MARGIN_MS.min(life / 2))
        }
    };
    Ok(Token {
        id: token.id,
        renew_ms,
    })
}
