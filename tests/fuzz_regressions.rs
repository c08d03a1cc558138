//! Every saved fuzz input, replayed through the fuzz targets' own checks
//! (`fuzz/src/checks.rs`): the seeds in `fuzz/seeds/<target>/` and each input that
//! once failed a check, in `fuzz/regressions/<target>/`. `make fuzz` finds new ones.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/src/checks.rs"]
mod checks;
mod common;

use std::path::Path;

/// Runs `check` on every file saved for `target`; answers how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} fails its check", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn model() {
    assert!(replay("model", checks::model) >= 18);
}

#[test]
fn instants() {
    assert!(replay("instants", checks::instants) >= 8);
}

#[test]
fn policy() {
    assert!(replay("policy", checks::policy) >= 2);
}

#[test]
fn router() {
    assert!(replay("router", checks::router) >= 9);
}

#[test]
fn access_keys() {
    assert!(replay("access_keys", checks::access_keys) >= 1);
}

/// Issue 13, item 1, through the Worker's router and tick: an `at` with a 6-digit year
/// or without an offset is a 400 naming `at`; a tick at ±1e16 ms reports an error for
/// each target and writes nothing.
#[test]
fn instants_the_worker_cannot_show_are_refused() {
    use nks_edge::worker::{serve, tick, Incoming, Setup};
    for at in ["275761-1-1T00:00:00Z", "2026-11-26T09:00:00"] {
        let setup = Setup::from_env(&checks::environment, checks::upstream(), common::JiffZones);
        let request = Incoming {
            method: "GET".into(),
            path: "/v1/plan".into(),
            query: format!("at={at}"),
            key_sha256: Some(checks::CI.into()),
            ..Incoming::default()
        };
        let out = common::block_on(serve(
            &setup,
            &request,
            &checks::INVOCATION,
            std::future::pending(),
        ));
        assert_eq!(out.status, 400, "{at}: {}", out.body);
        let body: serde_json::Value = serde_json::from_str(&out.body).unwrap();
        assert_eq!(body["error"]["field"], "at", "{at}");
    }
    for scheduled in [10_000_000_000_000_000, -10_000_000_000_000_000] {
        let setup = Setup::from_env(&checks::environment, checks::upstream(), common::JiffZones);
        let lines =
            common::block_on(tick(&setup, scheduled, None, None, &checks::INVOCATION)).lines;
        let summary: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(
            (summary["errors"].as_u64(), summary["applied"].as_u64()),
            (Some(2), Some(0)),
            "{summary}"
        );
        let client = setup.client.as_ref().unwrap();
        assert!(client
            .transport()
            .inner()
            .requests()
            .iter()
            .all(|r| r.method != nks_edge::transport::Method::Post || r.url.ends_with("/tokens")));
    }
}
