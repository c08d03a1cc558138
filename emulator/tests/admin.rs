//! Test helpers of the emulator: the request log (secrets masked), reset, CORS, and a
//! clean shutdown.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn the_request_log_masks_secrets() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    let resize = json!({"nodegroup": "gpu", "node_count": 2});
    emu.nks(
        &token,
        "POST",
        "/v1/clusters/prod/actions/resize",
        Some(&resize),
    );
    let log = emu.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["path"], "/v2.0/tokens");
    assert_eq!(
        log[0]["body"]["auth"]["passwordCredentials"]["password"],
        "***"
    );
    assert_eq!(
        log[0]["body"]["auth"]["passwordCredentials"]["username"],
        USER
    );
    assert_eq!(log[1]["method"], "POST");
    assert_eq!(log[1]["path"], "/v1/clusters/prod/actions/resize");
    assert_eq!(log[1]["headers"]["x-auth-token"], "***");
    assert_eq!(
        log[1]["headers"]["openstack-api-version"],
        "container-infra latest"
    );
    assert_eq!(log[1]["body"], resize);
    assert_eq!(log[1]["status"], 202);
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(&token) && !text.contains(PASSWORD));

    assert_eq!(
        emu.call("DELETE", "/_emulator/requests", &[], None).status,
        200
    );
    assert!(emu.requests().is_empty());
}

#[test]
fn a_body_that_is_not_json_is_logged_by_its_length_and_a_large_one_is_not_kept() {
    let emu = Emulator::start(&[]);
    // A token request with a trailing comma: its password cannot be masked.
    let broken = format!(
        r#"{{"auth": {{"tenantId": "{TENANT}", "passwordCredentials": {{"username": "{USER}", "password": "s3cret-pw"}}}}}},"#
    );
    let answer = emu.call("POST", "/v2.0/tokens", &[], Some(&broken));
    assert_eq!(answer.status, 400, "{}", answer.body);
    let token = emu.token();
    let labels: serde_json::Map<String, serde_json::Value> = (0..2000)
        .map(|i| (format!("label_{i:04}"), json!("x".repeat(30))))
        .collect();
    let large = json!({"name": "big", "labels": labels});
    let size = large.to_string().len();
    assert!(size > 64 << 10);
    emu.nks(&token, "POST", "/v1/clusters", Some(&large));
    let log = emu.requests();
    assert_eq!(
        log[0]["body"],
        format!("(not JSON, {} bytes)", broken.len())
    );
    assert_eq!(log[2]["path"], "/v1/clusters");
    assert_eq!(log[2]["body"], format!("({size} bytes, not kept)"));
    assert!(!serde_json::to_string(&log).unwrap().contains("s3cret-pw"));
}

/// What the emulator answers to a request written as `head`, then `chunks` (written
/// until the emulator stops reading), on a connection of its own.
fn raw(emu: &Emulator, head: &str, chunks: &[String]) -> String {
    let mut stream = TcpStream::connect(&emu.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!(
        "POST /_emulator/seed HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{head}\r\n\r\n",
        emu.addr
    );
    stream.write_all(request.as_bytes()).unwrap();
    for chunk in chunks {
        if stream.write_all(chunk.as_bytes()).is_err() {
            break;
        }
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn a_body_past_16_mib_is_refused_with_413() {
    let emu = Emulator::start(&[]);
    // Declared: refused before it is read.
    let declared = raw(&emu, &format!("Content-Length: {}", (16 << 20) + 1), &[]);
    assert!(declared.starts_with("HTTP/1.1 413"), "{declared}");
    assert!(
        declared.contains("larger than 16777216 bytes"),
        "{declared}"
    );
    // Chunked: refused once it passes the limit, without reading the rest.
    let chunk = format!("100000\r\n{}\r\n", "x".repeat(1 << 20));
    let chunked = raw(&emu, "Transfer-Encoding: chunked", &vec![chunk; 17]);
    assert!(chunked.starts_with("HTTP/1.1 413"), "{chunked}");
    // The emulator still serves.
    assert_eq!(
        emu.call("GET", "/_emulator/requests", &[], None).status,
        200
    );
}

#[test]
fn the_request_log_keeps_the_most_recent_requests() {
    let emu = Emulator::start(&["--log-limit", "2"]);
    let token = emu.token();
    emu.nks(&token, "GET", "/v1/clusters", None);
    emu.nks(&token, "GET", "/v1/clusters/prod", None);
    let log = emu.call("GET", "/_emulator/requests", &[], None).json();
    let paths: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/v1/clusters", "/v1/clusters/prod"]);
    assert_eq!(log["requests"][1]["status"], 200);
    assert_eq!(log["dropped"], 1, "the token request");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nks-emulator"))
        .args(["--log-limit", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--log-limit: \"-1\" is not a valid number")
    );
}

#[test]
fn reset_returns_to_the_seed() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    assert_eq!(
        emu.nks(&token, "DELETE", "/v1/clusters/k8s-test", None)
            .status,
        204
    );
    assert_eq!(emu.call("POST", "/_emulator/reset", &[], None).status, 200);
    assert_eq!(
        emu.nks(&token, "GET", "/v1/clusters/k8s-test", None).json()["status"],
        "CREATE_COMPLETE"
    );
    assert_eq!(
        emu.requests().len(),
        1,
        "the log was cleared, then logged this GET"
    );
    assert_eq!(emu.call("GET", "/_emulator/nothing", &[], None).status, 404);
}

#[test]
fn reset_and_seed_start_the_dice_over() {
    let emu = Emulator::start(&["--rng-seed", "7", "--fail-rate", "0.5"]);
    // What the dice decide: the seeded resources' UUIDs, then a run of fault draws.
    let draw = || {
        emu.set_faults(&json!([]));
        let token = emu.token();
        let uuids: Vec<Value> = emu.nks(&token, "GET", "/v1/clusters", None).json()["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["uuid"].clone())
            .collect();
        emu.set_faults(&json!({"error": 503, "rate": 0.5}));
        let faults: Vec<u16> = (0..24)
            .map(|_| emu.nks(&token, "GET", "/v1/supports", None).status)
            .collect();
        (uuids, faults)
    };
    let start = draw();
    assert!(
        start.1.contains(&503) && start.1.contains(&200),
        "{start:?}"
    );
    assert_eq!(emu.call("POST", "/_emulator/reset", &[], None).status, 200);
    assert_eq!(draw(), start, "after a reset");
    let seed = json!({"clusters": [{"name": "a"}, {"name": "b"}]}).to_string();
    let seeded = || {
        assert_eq!(
            emu.call("POST", "/_emulator/seed", &[], Some(&seed)).status,
            200
        );
        draw()
    };
    assert_eq!(seeded(), seeded(), "the same seed twice");
}

#[test]
fn a_seeded_delete_under_way_ends_with_the_cluster_gone() {
    let emu = Emulator::with_seed(
        &json!({"clusters": [{"name": "gone", "status": "DELETE_IN_PROGRESS"}]}),
        &["--op-delay-ms", "50"],
    );
    let token = emu.token();
    emu.wait_until(&token, "/v1/clusters/gone", 10, |a| a.status == 404);
    let list = emu.nks(&token, "GET", "/v1/clusters", None).json();
    assert_eq!(list["clusters"], json!([]));
}

#[test]
fn cors_is_off_unless_origins_are_given() {
    let off = Emulator::start(&[]);
    let token = off.token();
    let plain = off.call(
        "GET",
        "/v1/supports",
        &[
            ("Origin", "http://localhost:5173"),
            ("X-Auth-Token", &token),
        ],
        None,
    );
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("access-control-allow-origin"), None);
    let preflight = off.call(
        "OPTIONS",
        "/v1/clusters",
        &[
            ("Origin", "http://localhost:5173"),
            ("Access-Control-Request-Method", "GET"),
        ],
        None,
    );
    assert_ne!(
        preflight.status, 204,
        "no preflight answer without --cors-origins"
    );
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    assert_eq!(preflight.header("access-control-allow-methods"), None);
}

#[test]
fn cors_allows_the_configured_origins() {
    let open = Emulator::start(&["--cors-origins", "*"]);
    let preflight = open.call(
        "OPTIONS",
        "/v1/clusters",
        &[
            ("Origin", "http://localhost:5173"),
            ("Access-Control-Request-Method", "GET"),
            (
                "Access-Control-Request-Headers",
                "x-auth-token, openstack-api-version",
            ),
        ],
        None,
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("x-auth-token, openstack-api-version")
    );
    let methods = preflight.header("access-control-allow-methods").unwrap();
    assert!(
        methods.contains("POST") && methods.contains("PATCH"),
        "{methods}"
    );

    let closed = Emulator::start(&["--cors-origins", "http://a.test,http://b.test"]);
    let from = |origin: &str| closed.call("GET", "/v1/supports", &[("Origin", origin)], None);
    assert_eq!(
        from("http://b.test").header("access-control-allow-origin"),
        Some("http://b.test")
    );
    assert_eq!(
        from("http://evil.test").header("access-control-allow-origin"),
        None
    );
}

#[test]
fn sigterm_stops_the_emulator_cleanly() {
    let mut emu = Emulator::start(&[]);
    assert_eq!(emu.issue_token(TENANT, USER, PASSWORD).status, 200);
    let status = emu.terminate();
    assert!(status.success(), "{status:?}");
    assert!(
        std::net::TcpStream::connect(&emu.addr).is_err(),
        "still listening"
    );
}

#[test]
fn bad_flags_are_reported() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nks-emulator"))
        .args(["--port", "nine"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port: \"nine\" is not a valid number"));
}

#[test]
fn help_and_version_go_to_stdout() {
    let run = |args: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nks-emulator"))
            .args(args.split(' '))
            .output()
            .unwrap()
    };
    for flag in ["--help", "-h"] {
        let out = run(flag);
        assert_eq!(out.status.code(), Some(0), "{flag}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with("nks-emulator: ") && text.contains("--cors-origins"),
            "{text}"
        );
        assert!(out.stderr.is_empty(), "{flag} wrote to stderr");
    }
    for flag in ["--version", "-V"] {
        let out = run(flag);
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("nks-emulator {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
    // An unknown flag is named as such, with or without a value after it; a known one
    // without its value says so.
    for args in ["--bogus 1", "--bogus", "--bogus=1"] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains("unknown option --bogus"), "{args}: {err}");
    }
    let out = run("--port");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port needs a value"));
    for rate in ["2", "NaN", "-0.5"] {
        let out = run(&format!("--fail-rate {rate}"));
        assert_eq!(out.status.code(), Some(2), "--fail-rate {rate}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not a probability (0..1)"),
            "--fail-rate {rate}"
        );
    }
}

#[test]
fn flags_take_an_equals_sign_too() {
    let emu = Emulator::start(&["--cors-origins=*", "--max-node-count=3"]);
    let token = emu.token();
    let answer = emu.call(
        "GET",
        "/v1/supports",
        &[("Origin", "http://x.test"), ("X-Auth-Token", &token)],
        None,
    );
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    let resize = json!({"nodegroup": "gpu", "node_count": 4});
    assert_eq!(
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/prod/actions/resize",
            Some(&resize)
        )
        .status,
        400,
        "quota 3"
    );
}
