//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use nks_edge::transport::{HttpRequest, HttpResponse, Replay, TransportError};
use nks_edge::{Config, Credentials, Identity, NksClient, Secret};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

pub const ENDPOINT: &str = "https://kr1-api-kubernetes-infrastructure.nhncloudservice.com";
pub const IDENTITY: &str = "https://identity.test";
pub const TOKEN: &str = "tok-static-123";
pub const PASSWORD: &str = "pa55-w0rd-secret";
/// 2026-11-26T00:00:00Z
pub const NOW_MS: i64 = 1_795_651_200_000;

/// A guide example from `tests/fixtures/`, without the fixture's `"//"` note.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if let Some(map) = value.as_object_mut() {
        map.remove("//");
    }
    value
}

pub fn fixture_text(name: &str) -> String {
    fixture(name).to_string()
}

pub type Script = Rc<RefCell<VecDeque<Result<HttpResponse, TransportError>>>>;

/// A transport that answers from a queue (panics when it runs dry: a test sent more
/// than it scripted).
pub fn scripted(answers: Vec<Result<HttpResponse, TransportError>>) -> Replay {
    let queue: Script = Rc::new(RefCell::new(answers.into()));
    Replay::new(NOW_MS, move |req: &HttpRequest| {
        queue
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| panic!("unscripted request: {req:?}"))
    })
}

pub fn ok(body: impl Into<String>) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse::json(200, body))
}

pub fn status(code: u16, body: &str) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse::json(code, body))
}

pub fn token_client(transport: Replay) -> NksClient<Replay> {
    NksClient::new(
        Config::new(ENDPOINT, Credentials::Token(Secret::new(TOKEN))),
        transport,
    )
    .unwrap()
}

pub fn identity() -> Identity {
    Identity {
        endpoint: IDENTITY.into(),
        tenant_id: "tenant-1".into(),
        username: "user@example.com".into(),
        password: Secret::new(PASSWORD),
    }
}

pub fn identity_client(transport: Replay) -> NksClient<Replay> {
    NksClient::new(
        Config::new(ENDPOINT, Credentials::Identity(identity())),
        transport,
    )
    .unwrap()
}

/// An Identity answer with token `id` expiring at `expires`.
pub fn token_answer(id: &str, expires: &str) -> Result<HttpResponse, TransportError> {
    ok(serde_json::json!({
        "access": {
            "token": {"id": id, "expires": expires, "issued_at": "2026-11-26T00:00:00Z",
                      "tenant": {"id": "tenant-1", "name": "t"}},
            "serviceCatalog": [], "user": {"id": "u"}, "metadata": {}
        }
    })
    .to_string())
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// Time zones from jiff's bundled IANA database (native tests; wasm32 uses Intl).
#[cfg(not(target_arch = "wasm32"))]
pub struct JiffZones;

#[cfg(not(target_arch = "wasm32"))]
impl nks_edge::schedule::Zones for JiffZones {
    fn check(&self, zone: &str) -> Result<(), String> {
        jiff::tz::TimeZone::get(zone)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn local(&self, zone: &str, utc_ms: i64) -> Result<nks_edge::schedule::LocalTime, String> {
        let tz = jiff::tz::TimeZone::get(zone).map_err(|e| e.to_string())?;
        let z = jiff::Timestamp::from_millisecond(utc_ms)
            .map_err(|e| e.to_string())?
            .to_zoned(tz);
        let field = |v: i8| u32::try_from(v).unwrap();
        nks_edge::schedule::LocalTime::from_fields(
            i64::from(z.year()),
            field(z.month()),
            field(z.day()),
            field(z.hour()),
            field(z.minute()),
            field(z.second()),
        )
        .ok_or_else(|| "impossible local time".to_owned())
    }
}

/// Milliseconds since the epoch of an RFC 3339 instant.
pub fn at(text: &str) -> i64 {
    nks_edge::time::parse_rfc3339_ms(text).unwrap_or_else(|| panic!("bad instant {text}"))
}

#[cfg(not(target_arch = "wasm32"))]
pub fn policy(json: serde_json::Value) -> nks_edge::schedule::Policy {
    nks_edge::schedule::Policy::from_value(&json, &JiffZones).unwrap_or_else(|e| panic!("{e}"))
}

/// A header of the Worker's answer.
#[cfg(not(target_arch = "wasm32"))]
pub fn header<'o>(out: &'o nks_edge::worker::Outgoing, name: &str) -> Option<&'o str> {
    out.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The Worker's answer as JSON.
#[cfg(not(target_arch = "wasm32"))]
pub fn body(out: &nks_edge::worker::Outgoing) -> Value {
    serde_json::from_str(&out.body).unwrap_or_else(|_| panic!("not JSON: {}", out.body))
}
