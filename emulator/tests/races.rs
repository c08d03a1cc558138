//! Resets, seeds, log reads and clears and fault changes racing ordinary requests (with
//! added latency, so handlers await while the state changes under them): every request
//! still gets an HTTP answer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const WORKERS: usize = 6;
const REQUESTS_PER_WORKER: usize = 50;
/// How long one answer may take (the added latency is 15 ms): longer counts as none.
const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

#[test]
fn every_request_is_answered_while_test_routes_race_it() {
    let emu = Arc::new(Emulator::start(&[
        "--latency-ms",
        "15",
        "--op-delay-ms",
        "5",
    ]));
    let token = Arc::new(emu.token());
    let done = Arc::new(AtomicBool::new(false));
    let chaos = {
        let (emu, done) = (Arc::clone(&emu), Arc::clone(&done));
        std::thread::spawn(move || {
            let seed = json!({"clusters": [{"name": "prod"}, {"name": "other"}]}).to_string();
            let fault = json!({"route": "GET /v1/supports", "error": 503, "rate": 0.5}).to_string();
            let mut unanswered = 0;
            let mut calls = 0;
            while !done.load(Ordering::Relaxed) && calls < 2000 {
                let (method, path, body) = match calls % 6 {
                    0 => ("POST", "/_emulator/reset", None),
                    1 => ("DELETE", "/_emulator/requests", None),
                    2 => ("GET", "/_emulator/requests", None),
                    3 => ("POST", "/_emulator/seed", Some(seed.as_str())),
                    4 => ("POST", "/_emulator/faults", Some(fault.as_str())),
                    _ => ("DELETE", "/_emulator/faults", None),
                };
                if emu.try_call_within(WAIT, method, path, &[], body).is_none() {
                    unanswered += 1;
                }
                calls += 1;
            }
            (calls, unanswered)
        })
    };
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (emu, token) = (Arc::clone(&emu), Arc::clone(&token));
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                for i in 0..REQUESTS_PER_WORKER {
                    let (method, path, body) = match (w + i) % 6 {
                        0 => ("GET", "/v1/clusters".to_owned(), None),
                        1 => (
                            "GET",
                            "/v1/clusters/prod/nodegroups/default-worker".to_owned(),
                            None,
                        ),
                        2 => (
                            "POST",
                            "/v1/clusters/prod/actions/resize".to_owned(),
                            Some(json!({"nodegroup": "default-worker", "node_count": 1 + i % 3})),
                        ),
                        3 => (
                            "PATCH",
                            "/v1/certificates/prod".to_owned(),
                            Some(json!({"term_of_validity": 1})),
                        ),
                        4 => ("GET", "/v1/supports".to_owned(), None),
                        _ => ("GET", "/v1/clusters/prod/addons/".to_owned(), None),
                    };
                    let body = body.map(|b| b.to_string());
                    let answer = emu.try_call_within(
                        WAIT,
                        method,
                        &path,
                        &[
                            ("X-Auth-Token", token.as_str()),
                            ("Content-Type", "application/json"),
                        ],
                        body.as_deref(),
                    );
                    statuses.push(
                        answer.map(|a| (a.status, a.header("x-openstack-request-id").is_some())),
                    );
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<Option<(u16, bool)>> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    done.store(true, Ordering::Relaxed);
    let (chaos_calls, chaos_unanswered) = chaos.join().unwrap();
    assert_eq!(statuses.len(), WORKERS * REQUESTS_PER_WORKER);
    let unanswered = statuses.iter().filter(|s| s.is_none()).count();
    assert_eq!(
        unanswered,
        0,
        "{unanswered} of {} requests got no answer",
        statuses.len()
    );
    assert_eq!(chaos_unanswered, 0, "test routes unanswered");
    assert!(
        chaos_calls > 10,
        "the test routes raced only {chaos_calls} times"
    );
    for (status, has_id) in statuses.into_iter().flatten() {
        assert!(has_id, "status {status} without x-openstack-request-id");
        assert!(status < 500 || status == 503, "status {status}");
    }
    // Still serving normally afterwards.
    assert_eq!(emu.nks(&token, "GET", "/v1/clusters", None).status, 200);
}
