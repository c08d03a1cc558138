//! The native transport (feature `native`, not wasm32): requests over reqwest with
//! rustls, delays on tokio's timer. Runs inside a tokio runtime.

use super::{HttpRequest, HttpResponse, Method, Transport, TransportError, RESPONSE_HEADERS};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Sends requests with a shared [`reqwest::Client`] (connection pool, rustls with
/// Mozilla's roots). Clones share the pool.
#[derive(Clone, Debug, Default)]
pub struct Native {
    http: reqwest::Client,
}

impl Native {
    /// A transport with its own connection pool.
    pub fn new() -> Self {
        Native::default()
    }

    /// A transport over `http`, a client configured by the caller (proxy, roots, …).
    pub fn with_client(http: reqwest::Client) -> Self {
        Native { http }
    }
}

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// The failure's text with its causes (`error sending request: …: connection refused`);
/// the URL is left to the client, which knows which service it called.
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Transport for Native {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut builder = self
            .http
            .request(method(request.method), &request.url)
            .timeout(Duration::from_millis(u64::from(request.timeout_ms)));
        for (name, value) in request.headers.iter() {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                TransportError::Timeout
            } else {
                TransportError::Network(describe(e))
            }
        };
        let response = builder.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let headers = RESPONSE_HEADERS
            .iter()
            .filter_map(|name| {
                let value = response.headers().get(*name)?.to_str().ok()?;
                Some(((*name).to_owned(), value.to_owned()))
            })
            .collect::<Vec<_>>()
            .into();
        let body = response.text().await.map_err(failed)?;
        Ok(HttpResponse {
            status,
            headers,
            body: body.into(),
        })
    }

    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}
