//! Fault injection, by flags and through `/_emulator/faults`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::json;
use std::time::Instant;

#[test]
fn error_statuses_with_times_and_route() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    emu.set_faults(&json!([{"route": "GET /v1/clusters/*", "error": 502, "times": 2}]));
    assert_eq!(
        emu.nks(&token, "GET", "/v1/clusters", None).status,
        200,
        "other routes are untouched"
    );
    let first = emu.nks(&token, "GET", "/v1/clusters/prod", None);
    assert_eq!(first.status, 502);
    assert_eq!(first.error()["code"], "server");
    assert_eq!(
        emu.nks(&token, "GET", "/v1/clusters/prod", None).status,
        502
    );
    assert_eq!(
        emu.nks(&token, "GET", "/v1/clusters/prod", None).status,
        200,
        "times ran out"
    );
}

#[test]
fn rate_limits_carry_retry_after() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    emu.set_faults(&json!({"error": 429, "retry_after_s": 7}));
    let limited = emu.nks(&token, "GET", "/v1/supports", None);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));

    emu.set_faults(&json!({"error": 429}));
    let limited = emu.nks(&token, "GET", "/v1/supports", None);
    assert_eq!(limited.header("retry-after"), Some("1"));

    // The README's example rule: a 503 with Retry-After.
    emu.set_faults(&json!({"route": "GET /v1/clusters/*", "error": 503, "retry_after_s": 2}));
    let busy = emu.nks(&token, "GET", "/v1/clusters/prod", None);
    assert_eq!(busy.status, 503);
    assert_eq!(busy.header("retry-after"), Some("2"));
    emu.set_faults(&json!({"error": 503}));
    let plain = emu.nks(&token, "GET", "/v1/supports", None);
    assert_eq!((plain.status, plain.header("retry-after")), (503, None));
}

#[test]
fn malformed_truncated_and_closed() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    emu.set_faults(&json!({"error": "malformed"}));
    let malformed = emu.nks(&token, "GET", "/v1/clusters", None);
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&malformed.body).is_err());

    emu.set_faults(&json!({"error": "truncated"}));
    let truncated = emu.nks(&token, "GET", "/v1/clusters", None);
    assert_eq!(truncated.status, 200);
    assert!(truncated.body.starts_with("{\"clusters\":[{"));
    assert!(serde_json::from_str::<serde_json::Value>(&truncated.body).is_err());

    emu.set_faults(&json!({"error": "close", "route": "/v1/supports"}));
    let closed = emu.try_call("GET", "/v1/supports", &[("X-Auth-Token", &token)], None);
    assert!(closed.is_none(), "expected no answer, got {closed:?}");
    let log = emu.requests();
    assert_eq!(log.last().unwrap()["status"], 0);

    assert_eq!(
        emu.call("DELETE", "/_emulator/faults", &[], None).status,
        200
    );
    assert_eq!(emu.nks(&token, "GET", "/v1/supports", None).status, 200);
}

#[test]
fn latency_is_added() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    emu.set_faults(&json!({"latency_ms": 250, "route": "GET /v1/supports"}));
    let started = Instant::now();
    assert_eq!(emu.nks(&token, "GET", "/v1/supports", None).status, 200);
    assert!(started.elapsed().as_millis() >= 250);
}

#[test]
fn flags_set_global_faults_reproducibly() {
    let pattern = |seed: &str| {
        let emu = Emulator::start(&[
            "--fail-rate",
            "0.5",
            "--fail-status",
            "500",
            "--rng-seed",
            seed,
        ]);
        let token = emu.token();
        (0..30)
            .map(|_| emu.nks(&token, "GET", "/v1/supports", None).status)
            .collect::<Vec<u16>>()
    };
    let a = pattern("42");
    assert_eq!(a, pattern("42"), "same seed, same faults");
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
    assert!(a.iter().all(|s| *s == 500 || *s == 200));
}

#[test]
fn bad_fault_rules_are_refused_and_reset_restores_the_flags() {
    let emu = Emulator::start(&["--latency-ms", "1"]);
    let bad = emu.call(
        "POST",
        "/_emulator/faults",
        &[],
        Some(r#"{"error":503,"rate":3}"#),
    );
    assert_eq!(bad.status, 400);
    emu.set_faults(&json!({"error": 503}));
    assert_eq!(emu.call("POST", "/_emulator/reset", &[], None).status, 200);
    let faults = emu.call("GET", "/_emulator/faults", &[], None).json();
    assert_eq!(
        faults["faults"],
        json!([{"latency_ms": 1, "rate": f64::MIN_POSITIVE}])
    );
}
