//! Identity and the token lifecycle: issue, use, expire, 401.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use std::time::Duration;

#[test]
fn tokens_are_issued_in_the_documented_shape() {
    let emu = Emulator::start(&[]);
    let answer = emu.issue_token(TENANT, USER, PASSWORD);
    assert_eq!(answer.status, 200);
    let access = &answer.json()["access"];
    assert!(access["token"]["id"].as_str().unwrap().len() > 20);
    assert_eq!(access["token"]["tenant"]["id"], TENANT);
    let expires = access["token"]["expires"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");
    assert!(access["token"]["issued_at"].is_string());
    assert_eq!(access["serviceCatalog"][0]["type"], "kubernetes");
    assert_eq!(
        access["serviceCatalog"][0]["endpoints"][0]["publicURL"],
        emu.url
    );
    assert_eq!(access["user"]["name"], USER);
}

#[test]
fn wrong_credentials_get_401() {
    let emu = Emulator::start(&[]);
    assert_eq!(emu.issue_token(TENANT, USER, "nope").status, 401);
    assert_eq!(emu.issue_token("other", USER, PASSWORD).status, 401);
    assert_eq!(
        emu.issue_token(TENANT, "x@example.com", PASSWORD).status,
        401
    );
    // Every Identity error in Keystone's shape, as the 401 above.
    let refused = emu.issue_token(TENANT, USER, "nope").json();
    assert_eq!(refused["error"]["code"], 401);
    assert_eq!(refused["error"]["title"], "Unauthorized");
    for (method, body, status) in [
        ("POST", Some("{\"auth\":{}}"), 400),
        ("POST", Some("{"), 400),
        ("GET", None, 405),
    ] {
        let answer = emu.call(method, "/v2.0/tokens", &[], body);
        assert_eq!(answer.status, status, "{}", answer.body);
        let error = &answer.json()["error"];
        assert_eq!(error["code"], status, "{}", answer.body);
        assert!(error["title"].is_string() && error["message"].is_string());
        assert!(answer.json().get("errors").is_none());
    }
    // With a trailing slash it is the same route; an injected fault there is an
    // Identity error too.
    let body = format!(
        r#"{{"auth": {{"tenantId": "{TENANT}", "passwordCredentials": {{"username": "{USER}", "password": "{PASSWORD}"}}}}}}"#
    );
    assert_eq!(
        emu.call("POST", "/v2.0/tokens/", &[], Some(&body)).status,
        200
    );
    emu.set_faults(&serde_json::json!([{"route": "/v2.0/tokens", "error": 503}]));
    let faulted = emu.issue_token(TENANT, USER, PASSWORD);
    assert_eq!(faulted.status, 503, "{}", faulted.body);
    assert_eq!(faulted.json()["error"]["code"], 503);
    assert!(faulted.json().get("errors").is_none());
}

#[test]
fn flags_change_the_account() {
    let emu = Emulator::start(&["--tenant-id", "t9", "--username", "u@x", "--password", "p9"]);
    assert_eq!(emu.issue_token(TENANT, USER, PASSWORD).status, 401);
    let issued = emu.issue_token("t9", "u@x", "p9");
    assert_eq!(issued.status, 200);
    // What the token reaches belongs to its project: the account's tenant.
    let token = issued.json()["access"]["token"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = emu.nks(&token, "GET", "/v1/clusters", None).json();
    let clusters = listed["clusters"].as_array().unwrap();
    assert!(!clusters.is_empty());
    let mut addons_seen = 0;
    for cluster in clusters {
        let name = cluster["name"].as_str().unwrap();
        let shown = emu.nks(&token, "GET", &format!("/v1/clusters/{name}"), None);
        assert_eq!(shown.json()["project_id"], "t9", "{name}");
        let groups = emu.nks(
            &token,
            "GET",
            &format!("/v1/clusters/{name}/nodegroups"),
            None,
        );
        let group = groups.json()["nodegroups"][0]["name"]
            .as_str()
            .unwrap()
            .to_owned();
        let group = emu.nks(
            &token,
            "GET",
            &format!("/v1/clusters/{name}/nodegroups/{group}"),
            None,
        );
        assert_eq!(group.json()["project_id"], "t9", "{name}: {}", group.body);
        let addons = emu.nks(&token, "GET", &format!("/v1/clusters/{name}/addons"), None);
        for addon in addons.json()["addons"].as_array().into_iter().flatten() {
            assert_eq!(addon["project_id"], "t9", "{addon}");
            addons_seen += 1;
        }
    }
    assert!(addons_seen > 0, "the default seed's clusters have add-ons");
}

#[test]
fn nks_calls_need_a_valid_unexpired_token() {
    let emu = Emulator::start(&["--token-ttl-s", "1"]);
    let missing = emu.call("GET", "/v1/clusters", &[], None);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.error()["status"], 401);
    assert_eq!(emu.nks("made-up", "GET", "/v1/clusters", None).status, 401);

    let token = emu.token();
    assert_eq!(emu.nks(&token, "GET", "/v1/clusters", None).status, 200);
    std::thread::sleep(Duration::from_millis(1200));
    let expired = emu.nks(&token, "GET", "/v1/clusters", None);
    assert_eq!(expired.status, 401);
    assert!(expired.error()["detail"]
        .as_str()
        .unwrap()
        .contains("expired"));
}
