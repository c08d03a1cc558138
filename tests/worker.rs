//! The Worker's routes and tick, natively over a scripted API: access keys, scopes,
//! CORS, configuration errors naming their variable, and log lines without secrets.
//! Native only: the time zones come from jiff's bundled database (wasm32 uses Intl).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{block_on, body, fixture_text, header, JiffZones, NOW_MS, PASSWORD};
use nks_edge::transport::{HttpRequest, HttpResponse, Method, Replay, Transport};
use nks_edge::worker::{queued, serve, tick, Incoming, Invocation, Outgoing, Page, Setup, Store};
use serde_json::{json, Value};
use std::collections::HashMap;

const CI: &str = "aa00000000000000000000000000000000000000000000000000000000000001";
const VIEWER: &str = "bb00000000000000000000000000000000000000000000000000000000000002";
const TOKEN: &str = "tok-from-identity";

fn env() -> HashMap<&'static str, String> {
    HashMap::from([
        ("NKS_ENDPOINT", "http://nks.test".to_owned()),
        ("NHN_IDENTITY_URL", "http://identity.test".to_owned()),
        ("NHN_TENANT_ID", "tenant".to_owned()),
        ("NHN_USERNAME", "user@example.com".to_owned()),
        ("NHN_API_PASSWORD", PASSWORD.to_owned()),
        ("CORS_ORIGINS", "https://console.example.com".to_owned()),
        ("ACCESS_KEYS", json!([
            {"name": "ci", "sha256": CI, "scopes": ["kubeconfig", "plan", "reconcile"], "clusters": ["*"]},
            {"name": "viewer", "sha256": VIEWER, "scopes": ["kubeconfig"], "clusters": ["prod"]}
        ]).to_string()),
        ("SCALE_POLICY", json!({"timezone": "Asia/Seoul", "rules": [
            {"name": "business-hours", "cluster": "prod", "nodegroup": "default-worker",
             "when": {"days": "Mon-Fri", "from": "08:30", "to": "19:00"}, "autoscale": {"min": 3, "max": 10}},
            {"name": "off-hours", "cluster": "prod", "nodegroup": "default-worker", "autoscale": {"min": 1, "max": 3}}
        ]}).to_string()),
    ])
}

/// [`env`] with `keys` as `ACCESS_KEYS`.
fn env_with_keys(keys: Value) -> HashMap<&'static str, String> {
    let mut vars = env();
    vars.insert("ACCESS_KEYS", keys.to_string());
    vars
}

/// Identity, then the API: a cluster `prod`, its autoscaler at 1..3; other clusters 404.
fn api() -> Replay {
    Replay::new(NOW_MS, |req: &HttpRequest| {
        let path = req.url.split_once(".test").unwrap().1;
        let body = match (req.method, path) {
            (Method::Post, "/v2.0/tokens") => json!({"access": {"token": {"id": TOKEN, "expires": "2026-11-27T00:00:00Z"}}}),
            (Method::Get, "/v1/clusters/prod/config") => serde_json::from_str(&fixture_text("kubeconfig.response")).unwrap(),
            (Method::Get, "/v1/clusters/prod") => json!({"uuid": "u", "name": "prod", "status": "CREATE_COMPLETE"}),
            (Method::Get, "/v1/clusters/prod/nodegroups/default-worker/autoscale") => json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": 3}),
            (Method::Get, "/v1/clusters/prod/nodegroups") => json!({"nodegroups": [{"uuid": "n1", "name": "default-worker", "role": "worker", "status": "CREATE_COMPLETE"}]}),
            (Method::Get, "/v1/clusters/prod/nodegroups/default-worker") => json!({"uuid": "n1", "name": "default-worker", "status": "CREATE_COMPLETE", "labels": {"kube_tag": "v1.20.12"}}),
            (Method::Post, _) => json!({"uuid": "ng"}),
            _ => return Ok(HttpResponse::json(404, r#"{"errors":[{"status":404,"title":"Cluster nope could not be found.","detail":"Cluster nope could not be found."}]}"#)
                .with_header("x-openstack-request-id", "req-1")),
        };
        Ok(HttpResponse::json(200, body.to_string()))
    })
}

fn setup_with(vars: HashMap<&'static str, String>) -> Setup<Replay, JiffZones> {
    Setup::from_env(&|name| vars.get(name).cloned(), api(), JiffZones)
}

/// No report store: these tests are about the routes.
struct NoStore;

impl Store for NoStore {
    async fn put(&self, _: &str, _: &str) -> Result<(), String> {
        Err("unused".into())
    }
    async fn get(&self, _: &str) -> Result<Option<String>, String> {
        Err("unused".into())
    }
    async fn list(&self, _: &str, _: usize, _: Option<&str>) -> Result<Page<String>, String> {
        Err("unused".into())
    }
}

const INVOCATION: Invocation<'static, NoStore> = Invocation {
    now: &|| NOW_MS,
    store: None,
};

fn send(setup: &Setup<Replay, JiffZones>, request: &Incoming) -> Outgoing {
    block_on(serve(setup, request, &INVOCATION, std::future::pending()))
}

fn requests(setup: &Setup<Replay, JiffZones>) -> Vec<HttpRequest> {
    setup
        .client
        .as_ref()
        .unwrap()
        .transport()
        .inner()
        .requests()
}

fn run_tick(setup: &Setup<Replay, JiffZones>) -> Vec<String> {
    block_on(tick(setup, NOW_MS, None, None, &INVOCATION)).lines
}

fn get(setup: &Setup<Replay, JiffZones>, method: &str, path: &str, key: Option<&str>) -> Outgoing {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let request = Incoming {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        origin: Some("https://console.example.com".into()),
        key_sha256: key.map(str::to_owned),
        ..Incoming::default()
    };
    send(setup, &request)
}

#[test]
fn healthz_needs_nothing() {
    let out = get(&setup_with(HashMap::new()), "GET", "/healthz", None);
    assert_eq!(out.status, 200);
    assert_eq!(
        body(&out),
        json!({"ok": true, "version": env!("CARGO_PKG_VERSION")})
    );
}

#[test]
fn kubeconfig_with_a_valid_key() {
    let setup = setup_with(env());
    let out = get(&setup, "GET", "/v1/clusters/prod/kubeconfig", Some(CI));
    assert_eq!(out.status, 200);
    assert!(out.body.starts_with("apiVersion: v1\n"));
    assert_eq!(header(&out, "content-type"), Some("application/yaml"));
    assert_eq!(header(&out, "cache-control"), Some("no-store"));
    assert_eq!(
        header(&out, "access-control-allow-origin"),
        Some("https://console.example.com")
    );
    let log: Value = serde_json::from_str(&out.log).unwrap();
    assert_eq!(log["route"], "/v1/clusters/{cluster}/kubeconfig");
    assert_eq!(
        (
            log["key"].clone(),
            log["cluster"].clone(),
            log["status"].clone()
        ),
        (json!("ci"), json!("prod"), json!(200))
    );
    for secret in [CI, TOKEN, PASSWORD, "client-key-data"] {
        assert!(!out.log.contains(secret), "{secret} in {}", out.log);
    }
    // The token is cached across requests of one isolate: one Identity request.
    get(&setup, "GET", "/v1/clusters/prod/kubeconfig", Some(VIEWER));
    let sent = requests(&setup);
    assert_eq!(
        sent.iter()
            .filter(|r| r.url.ends_with("/v2.0/tokens"))
            .count(),
        1
    );
}

#[test]
fn keys_scopes_and_clusters_are_enforced() {
    let setup = setup_with(env());
    for (key, path, status, kind) in [
        (None, "/v1/clusters/prod/kubeconfig", 401, "unauthorized"),
        (
            Some("cc00000000000000000000000000000000000000000000000000000000000003"),
            "/v1/clusters/prod/kubeconfig",
            401,
            "unauthorized",
        ),
        (
            Some("not-hex"),
            "/v1/clusters/prod/kubeconfig",
            401,
            "unauthorized",
        ),
        (
            Some(VIEWER),
            "/v1/clusters/dev/kubeconfig",
            403,
            "forbidden",
        ),
        (Some(VIEWER), "/v1/plan", 403, "forbidden"),
    ] {
        let out = get(&setup, "GET", path, key);
        assert_eq!(
            (out.status, body(&out)["error"]["kind"].clone()),
            (status, json!(kind)),
            "{key:?} {path}"
        );
    }
    // Only the read that tells whether "dev" is one of the viewer's clusters by
    // another name; no kubeconfig was asked for.
    let paths: Vec<String> = requests(&setup)
        .iter()
        .filter(|r| !r.url.ends_with("/v2.0/tokens"))
        .map(|r| format!("{} {}", r.method.as_str(), r.url))
        .collect();
    assert_eq!(paths, ["GET http://nks.test/v1/clusters/dev"]);
}

#[test]
fn upstream_errors_keep_the_apis_words() {
    let out = get(
        &setup_with(env()),
        "GET",
        "/v1/clusters/nope/kubeconfig",
        Some(CI),
    );
    assert_eq!(out.status, 404);
    let error = &body(&out)["error"];
    assert_eq!(error["kind"], "not_found");
    assert_eq!(error["title"], "Cluster nope could not be found.");
    assert_eq!(error["requestId"], "req-1");
}

#[test]
fn cors_preflight_and_unknown_origins() {
    let setup = setup_with(env());
    let preflight = Incoming {
        method: "OPTIONS".into(),
        path: "/v1/clusters/prod/kubeconfig".into(),
        origin: Some("https://console.example.com".into()),
        request_headers: Some("authorization".into()),
        ..Incoming::default()
    };
    let out = send(&setup, &preflight);
    assert_eq!(out.status, 204);
    assert_eq!(
        header(&out, "access-control-allow-origin"),
        Some("https://console.example.com")
    );
    assert_eq!(
        header(&out, "access-control-allow-headers"),
        Some("authorization")
    );
    assert!(header(&out, "access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    let stranger = Incoming {
        origin: Some("https://evil.example".into()),
        ..preflight
    };
    let out = send(&setup, &stranger);
    assert_eq!(header(&out, "access-control-allow-origin"), None);
}

#[test]
fn configuration_errors_name_the_variable() {
    let mut vars = env();
    vars.remove("NHN_API_PASSWORD");
    let out = get(
        &setup_with(vars),
        "GET",
        "/v1/clusters/prod/kubeconfig",
        Some(CI),
    );
    assert_eq!(out.status, 500);
    assert_eq!(body(&out)["error"]["variable"], "NHN_API_PASSWORD");

    let mut vars = env();
    vars.insert("ACCESS_KEYS", "[{\"name\": \"x\"}]".into());
    let out = get(
        &setup_with(vars),
        "GET",
        "/v1/clusters/prod/kubeconfig",
        Some(CI),
    );
    assert_eq!(
        (out.status, body(&out)["error"]["variable"].clone()),
        (500, json!("ACCESS_KEYS"))
    );
    assert!(body(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("[0].sha256"));

    let mut vars = env();
    vars.insert("SCALE_POLICY", json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod", "nodegroup": "w", "when": {"days": "Mon-Fry"}, "node_count": 2}]}).to_string());
    let setup = setup_with(vars);
    let out = get(&setup, "GET", "/v1/plan", Some(CI));
    assert_eq!(out.status, 500);
    assert_eq!(
        body(&out)["error"]["message"],
        r#"SCALE_POLICY: rules[0].when.days: "Mon-Fry" is not a day range"#
    );
    assert_eq!(
        get(&setup, "GET", "/v1/clusters/prod/kubeconfig", Some(CI)).status,
        200,
        "other routes still work"
    );
    let lines = run_tick(&setup);
    let line: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(
        (
            line["event"].clone(),
            line["variable"].clone(),
            line["applied"].clone()
        ),
        (json!("config_error"), json!("SCALE_POLICY"), json!(false))
    );

    let mut vars = env();
    vars.insert("DRY_RUN", "maybe".into());
    let lines = run_tick(&setup_with(vars));
    assert!(lines[0].contains("\"variable\":\"DRY_RUN\""));
}

#[test]
fn plan_at_an_instant_and_reconcile_now() {
    let setup = setup_with(env());
    let out = get(
        &setup,
        "GET",
        "/v1/plan?at=2026-11-26T09%3A00%3A00%2B09%3A00",
        Some(CI),
    );
    assert_eq!(out.status, 200, "{}", out.body);
    let plan = body(&out);
    assert_eq!(plan["at"], "2026-11-26T09:00:00+09:00");
    assert_eq!(plan["actions"][0]["rule"], "business-hours");
    assert_eq!(plan["actions"][0]["result"], "planned");
    let bad = get(&setup, "GET", "/v1/plan?at=tomorrow", Some(CI));
    assert_eq!(
        (bad.status, body(&bad)["error"]["field"].clone()),
        (400, json!("at"))
    );
    assert_eq!(get(&setup, "GET", "/v1/reconcile", Some(CI)).status, 405);
    assert_eq!(get(&setup, "GET", "/v2/nothing", Some(CI)).status, 404);

    // NOW_MS is 09:00 in Seoul on a Thursday.
    let out = get(&setup, "POST", "/v1/reconcile", Some(CI));
    assert_eq!(body(&out)["actions"][0]["result"], "applied");
    let posts = requests(&setup)
        .into_iter()
        .filter(|r| r.method == Method::Post && !r.url.ends_with("tokens"))
        .count();
    assert_eq!(posts, 1);
}

/// Only reads (and Identity's token request) were sent: a dry run writes nothing.
fn assert_no_writes(setup: &Setup<Replay, JiffZones>) {
    assert!(
        requests(setup)
            .iter()
            .all(|r| r.method == Method::Get || r.url.ends_with("/v2.0/tokens")),
        "a dry run writes nothing"
    );
}

/// The operator's `DRY_RUN` holds for the routes too: `?dry_run=false` cannot undo it.
#[test]
fn dry_run_false_in_the_query_does_not_undo_the_operators_dry_run() {
    let mut vars = env();
    vars.insert("DRY_RUN", "true".into());
    let setup = setup_with(vars);
    let out = get(&setup, "POST", "/v1/reconcile?dry_run=false", Some(CI));
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(body(&out)["dry_run"], true);
    assert_eq!(body(&out)["actions"][0]["result"], "planned");
    assert_no_writes(&setup);
}

#[test]
fn a_dry_run_tick_logs_the_plan_and_writes_nothing() {
    let mut vars = env();
    vars.insert("DRY_RUN", "true".into());
    let setup = setup_with(vars);
    let lines = run_tick(&setup);
    let summary: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(
        (
            summary["dry_run"].clone(),
            summary["planned"].clone(),
            summary["applied"].clone()
        ),
        (json!(true), json!(1), json!(0))
    );
    let action: Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(action["event"], "action");
    assert_eq!(action["to"], json!({"min": 3, "max": 10}));
    let sent = requests(&setup);
    assert!(sent
        .iter()
        .all(|r| r.method == Method::Get || r.url.ends_with("/v2.0/tokens")));
}

#[test]
fn authentication_comes_before_any_policy_or_query_error() {
    let mut vars = env();
    vars.insert("SCALE_POLICY", "[]".into());
    let setup = setup_with(vars);
    for (method, path) in [
        ("GET", "/v1/plan"),
        ("GET", "/v1/plan?bogus=1"),
        ("POST", "/v1/reconcile"),
    ] {
        let out = get(&setup, method, path, None);
        assert_eq!(out.status, 401, "{path}: {}", out.body);
        assert!(!out.body.contains("SCALE_POLICY"), "{}", out.body);
    }
    let out = get(&setup, "GET", "/v1/plan", Some(CI));
    assert_eq!(
        (out.status, body(&out)["error"]["message"].clone()),
        (500, json!("SCALE_POLICY: must be an object"))
    );
}

#[test]
fn unknown_query_parameters_are_refused_and_dry_run_works() {
    let setup = setup_with(env());
    let out = get(
        &setup,
        "POST",
        "/v1/reconcile?dry_run=true&force=1",
        Some(CI),
    );
    assert_eq!(out.status, 400);
    assert_eq!(
        body(&out)["error"]["message"],
        "unknown query parameter force: this route takes dry_run"
    );
    let out = get(
        &setup,
        "GET",
        "/v1/clusters/prod/kubeconfig?x=1&y",
        Some(CI),
    );
    assert_eq!(
        body(&out)["error"]["message"],
        "unknown query parameter x, y: this route takes no query parameters"
    );
    assert_eq!(
        get(
            &setup,
            "GET",
            "/v1/plan?at=2026-11-26T09:00:00Z&at=2026-11-26T09:00:00Z",
            Some(CI)
        )
        .status,
        400
    );
    assert_eq!(
        get(&setup, "POST", "/v1/reconcile?dry_run=perhaps", Some(CI)).status,
        400
    );
    assert!(requests(&setup).is_empty(), "nothing was sent");

    let out = get(&setup, "POST", "/v1/reconcile?dry_run=true", Some(CI));
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(body(&out)["dry_run"], true);
    assert_eq!(body(&out)["actions"][0]["result"], "planned");
    assert_no_writes(&setup);
}

#[test]
fn at_takes_an_unencoded_plus_and_refuses_what_is_not_an_instant() {
    let setup = setup_with(env());
    for at in [
        "2026-11-26T09:00:00+09:00",
        "2026-11-26T09:00:00%2B09:00",
        "2026-11-26T09:00:00%2009:00",
        "2026-11-26T00:00:00Z",
    ] {
        let out = get(&setup, "GET", &format!("/v1/plan?at={at}"), Some(CI));
        assert_eq!(out.status, 200, "{at}: {}", out.body);
        assert_eq!(body(&out)["at"], "2026-11-26T09:00:00+09:00", "{at}");
    }
    let huge = "9".repeat(10_000);
    for at in [
        "275761-1-1T00:00:00Z",
        "+275760-09-13T00:00:00Z",
        "2026-11-26T09:00:00",
        "10000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "",
        huge.as_str(),
        "2026-11-26T09:00:00%FF09:00",
    ] {
        let out = get(&setup, "GET", &format!("/v1/plan?at={at}"), Some(CI));
        assert_eq!(
            (out.status, body(&out)["error"]["field"].clone()),
            (400, json!("at")),
            "{at}"
        );
        assert!(out.body.len() < 400, "the value is not echoed");
    }
}

#[test]
fn healthz_answers_head() {
    let out = get(&setup_with(env()), "HEAD", "/healthz", None);
    assert_eq!(out.status, 200);
    assert_eq!(get(&setup_with(env()), "PUT", "/healthz", None).status, 405);
}

#[test]
fn a_non_ascii_token_is_a_configuration_error_that_does_not_show_it() {
    let mut vars = env();
    vars.insert("NKS_TOKEN", "tökén-secret-value".into());
    let out = get(
        &setup_with(vars),
        "GET",
        "/v1/clusters/prod/kubeconfig",
        Some(CI),
    );
    assert_eq!(
        (out.status, body(&out)["error"]["variable"].clone()),
        (500, json!("NKS_TOKEN"))
    );
    assert!(!out.body.contains("secret-value") && !out.log.contains("secret-value"));
}

#[test]
fn duplicate_key_digests_are_a_configuration_error() {
    let vars = env_with_keys(json!([
        {"name": "a", "sha256": CI, "scopes": ["plan"], "clusters": ["*"]},
        {"name": "b", "sha256": CI, "scopes": ["kubeconfig"], "clusters": ["*"]}
    ]));
    let out = get(&setup_with(vars), "GET", "/v1/plan", Some(CI));
    assert_eq!(
        (out.status, body(&out)["error"]["message"].clone()),
        (
            500,
            json!("ACCESS_KEYS: [1].sha256 is the digest of [0] too: each key must be different")
        )
    );
}

#[test]
fn wrong_credentials_answer_one_502_naming_identity() {
    let mut vars = env();
    vars.insert(
        "SCALE_POLICY",
        json!({"timezone": "Asia/Seoul", "rules": [
            {"cluster": "prod", "nodegroup": "a", "autoscale": {"min": 1, "max": 2}},
            {"cluster": "dev", "nodegroup": "b", "autoscale": {"min": 1, "max": 2}},
            {"cluster": "stage", "nodegroup": "c", "autoscale": {"min": 1, "max": 2}}
        ]})
        .to_string(),
    );
    let setup: Setup<Replay, JiffZones> = Setup::from_env(
        &|name| vars.get(name).cloned(),
        Replay::new(NOW_MS, |_req: &HttpRequest| {
            Ok(HttpResponse::json(
                401,
                r#"{"error":{"message":"The request you have made requires authentication.","code":401}}"#,
            ))
        }),
        JiffZones,
    );
    let out = get(&setup, "GET", "/v1/plan", Some(CI));
    assert_eq!(out.status, 502, "{}", out.body);
    let error = &body(&out)["error"];
    assert_eq!(error["service"], "identity");
    assert_eq!(
        error["message"],
        "Identity refused the Worker's credentials (NHN_TENANT_ID, NHN_USERNAME, NHN_API_PASSWORD)"
    );
    let lines = run_tick(&setup);
    let identity: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("identity_error"))
        .collect();
    assert_eq!(identity.len(), 1, "{lines:?}");
    assert!(
        !lines.iter().any(|l| l.contains(r#""event":"error""#)),
        "not once per cluster: {lines:?}"
    );
}

#[test]
fn identity_not_found_is_identitys_502_on_every_route_not_the_callers_403_or_404() {
    // A wrong NHN_IDENTITY_URL: Identity answers 404. Neither the kubeconfig route nor
    // the gateway's check of a key's cluster may read that as the cluster's absence.
    const READER: &str = "cc00000000000000000000000000000000000000000000000000000000000003";
    let vars = env_with_keys(json!([
        {"name": "ci", "sha256": CI, "scopes": ["kubeconfig"], "clusters": ["*"]},
        {"name": "reader", "sha256": READER, "scopes": ["read"], "clusters": ["prod"]}
    ]));
    let setup: Setup<Replay, JiffZones> = Setup::from_env(
        &|name| vars.get(name).cloned(),
        Replay::new(NOW_MS, |_req: &HttpRequest| {
            Ok(HttpResponse::json(404, r#"{"message":"Not Found"}"#))
        }),
        JiffZones,
    );
    for (path, key) in [
        ("/v1/clusters/prod/kubeconfig", CI),
        // The key names `prod`; a UUID is looked up to see whether it is prod's.
        (
            "/nks/v1/clusters/0bd48b36-4e4a-4e64-9d0f-4a2ad9b2e3a1",
            READER,
        ),
    ] {
        let out = get(&setup, "GET", path, Some(key));
        assert_eq!(out.status, 502, "{path}: {}", out.body);
        assert_eq!(body(&out)["error"]["service"], "identity", "{path}");
    }
}

#[test]
fn a_403_log_line_names_the_recognised_key_and_every_line_has_time_and_level() {
    let setup = setup_with(env());
    let out = get(&setup, "GET", "/v1/plan", Some(VIEWER));
    assert_eq!(out.status, 403);
    let line: Value = serde_json::from_str(&out.log).unwrap();
    assert_eq!(line["key"], "viewer");
    assert_eq!(line["level"], "warn");
    assert_eq!(line["ts"], "2026-11-26T00:00:00.000Z");
    let out = get(&setup, "GET", "/healthz", None);
    let line: Value = serde_json::from_str(&out.log).unwrap();
    assert_eq!(line["level"], "info");
    for line in run_tick(&setup) {
        let line: Value = serde_json::from_str(&line).unwrap();
        assert!(
            line["ts"].is_string() && line["level"].is_string(),
            "{line}"
        );
    }
}

#[test]
fn a_queued_share_reconciles_only_its_clusters_and_says_whether_to_retry() {
    let mut vars = env();
    vars.insert(
        "SCALE_POLICY",
        json!({"timezone": "Asia/Seoul", "rules": [
            {"cluster": "prod", "nodegroup": "default-worker", "autoscale": {"min": 3, "max": 10}},
            {"cluster": "dev", "nodegroup": "default-worker", "autoscale": {"min": 1, "max": 2}}
        ]})
        .to_string(),
    );
    let setup = setup_with(vars.clone());
    let share = ["prod".to_owned()];
    let ticked = block_on(tick(&setup, NOW_MS, None, Some(&share), &INVOCATION));
    assert!(!ticked.transient, "{:?}", ticked.lines);
    let touched: Vec<String> = requests(&setup)
        .iter()
        .filter(|r| !r.url.ends_with("/v2.0/tokens"))
        .map(|r| r.url.clone())
        .collect();
    assert!(
        !touched.is_empty() && touched.iter().all(|u| u.contains("/clusters/prod")),
        "{touched:?}"
    );

    // dev is unknown to this API (404): not worth a retry. A 503 is.
    let dev = ["dev".to_owned()];
    assert!(!block_on(tick(&setup, NOW_MS, None, Some(&dev), &INVOCATION)).transient);
    let busy: Setup<Replay, JiffZones> = Setup::from_env(
        &|name| vars.get(name).cloned(),
        Replay::new(NOW_MS, |req: &HttpRequest| {
            Ok(if req.url.ends_with("/v2.0/tokens") {
                HttpResponse::json(200, json!({"access": {"token": {"id": TOKEN}}}).to_string())
            } else {
                HttpResponse::json(503, "{}")
            })
        }),
        JiffZones,
    );
    assert!(block_on(tick(&busy, NOW_MS, None, Some(&share), &INVOCATION)).transient);
}

/// The dashboard draws the policy's week: `GET /v1/policy` answers it as written, to a
/// key with the `plan` scope only.
#[test]
fn the_policy_route_answers_the_policy_to_plan_keys() {
    let vars = env();
    let setup = setup_with(vars.clone());
    let out = get(&setup, "GET", "/v1/policy", Some(CI));
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(
        body(&out),
        serde_json::from_str::<Value>(&vars["SCALE_POLICY"]).unwrap()
    );
    assert_eq!(get(&setup, "GET", "/v1/policy", Some(VIEWER)).status, 403);
    assert_eq!(get(&setup, "GET", "/v1/policy", None).status, 401);
    assert_eq!(get(&setup, "GET", "/v1/policy?at=x", Some(CI)).status, 400);
    assert!(requests(&setup).is_empty(), "no upstream request");
}

/// `GET /v1/status` answers each cluster's versions and maintenance step.
#[test]
fn the_status_route_reads_each_cluster() {
    let setup = setup_with(env());
    let out = get(
        &setup,
        "GET",
        "/v1/status?at=2026-11-26T09:00:00%2B09:00",
        Some(CI),
    );
    assert_eq!(out.status, 200, "{}", out.body);
    let status = body(&out);
    assert_eq!(status["at"], "2026-11-26T09:00:00+09:00");
    assert_eq!(status["clusters"][0]["cluster"], "prod");
    assert_eq!(
        status["clusters"][0]["status"], "CREATE_COMPLETE",
        "{status}"
    );
    assert_eq!(
        status["clusters"][0]["nodegroups"][0]["version"], "v1.20.12",
        "{status}"
    );
    assert_eq!(get(&setup, "GET", "/v1/status", Some(VIEWER)).status, 403);
}

/// `GET /v1/status` reads within the invocation's budget: a cluster whose reads the
/// rest cannot pay for is reported unread, never half-sent; `?cluster=` asks for some.
#[test]
fn the_status_route_reads_within_the_budget_and_for_the_clusters_asked() {
    // A policy over `clusters`, in that order, and the invocation's budget.
    let fleet = |clusters: [&str; 2], budget: &str| {
        let mut vars = env();
        vars.insert(
            "SCALE_POLICY",
            json!({"timezone": "Asia/Seoul", "rules": [
                {"cluster": clusters, "nodegroup": "default-worker", "autoscale": {"min": 1, "max": 3}}
            ]})
            .to_string(),
        );
        vars.insert("SUBREQUEST_BUDGET", budget.to_owned());
        setup_with(vars)
    };
    // Identity, then prod's cluster, node group list and one worker group: 4.
    let setup = fleet(["prod", "dev"], "4");
    let out = get(&setup, "GET", "/v1/status", Some(CI));
    assert_eq!(out.status, 200, "{}", out.body);
    let status = body(&out);
    assert_eq!(status["subrequests"], 4, "{status}");
    assert_eq!(
        status["clusters"][0]["nodegroups"][0]["version"],
        "v1.20.12"
    );
    let dev = &status["clusters"][1];
    assert_eq!(dev["cluster"], "dev");
    assert_eq!(dev["error"]["kind"], "deferred", "{dev}");
    assert!(
        dev["error"]["message"]
            .as_str()
            .unwrap()
            .contains("budget of 4 subrequests"),
        "{dev}"
    );
    assert_eq!(requests(&setup).len(), 4);
    assert!(requests(&setup).iter().all(|r| !r.url.contains("/dev")));

    // One less: prod's list says it needs two more, which are not there; it is not
    // read in part, and dev's list is not read at all.
    let setup = fleet(["prod", "dev"], "3");
    let status = body(&get(&setup, "GET", "/v1/status", Some(CI)));
    let prod = &status["clusters"][0];
    assert_eq!(prod["error"]["kind"], "deferred", "{prod}");
    assert_eq!(prod.get("status"), None, "{prod}");
    assert_eq!(
        status["clusters"][1]["error"]["kind"], "deferred",
        "{status}"
    );
    assert_eq!(
        requests(&setup).len(),
        2,
        "Identity and prod's node group list"
    );

    // A cluster that fails gives back what it claimed: dev's 404 leaves prod whole.
    let setup = fleet(["dev", "prod"], "5");
    let status = body(&get(&setup, "GET", "/v1/status", Some(CI)));
    assert_eq!(
        status["clusters"][0]["error"]["kind"], "not_found",
        "{status}"
    );
    assert_eq!(
        status["clusters"][1]["nodegroups"][0]["version"], "v1.20.12",
        "{status}"
    );
    assert_eq!(status["subrequests"], 5, "{status}");

    // Asked for alone, dev is read (and answers the API's 404).
    let setup = fleet(["prod", "dev"], "3");
    let out = get(&setup, "GET", "/v1/status?cluster=dev", Some(CI));
    let status = body(&out);
    assert_eq!(status["clusters"].as_array().unwrap().len(), 1, "{status}");
    assert_eq!(
        status["clusters"][0]["error"]["kind"], "not_found",
        "{status}"
    );
    assert!(requests(&setup).iter().all(|r| !r.url.contains("/prod")));

    for empty in ["cluster=", "cluster=,"] {
        let out = get(&setup, "GET", &format!("/v1/status?{empty}"), Some(CI));
        assert_eq!(out.status, 400, "{empty}: {}", out.body);
        assert_eq!(body(&out)["error"]["field"], "cluster");
    }
    let out = get(&setup, "GET", "/v1/status?cluster=prod,nope", Some(CI));
    assert_eq!(out.status, 400, "{}", out.body);
    assert_eq!(
        body(&out)["error"]["message"],
        "cluster: \"nope\" is not a cluster the policy names"
    );
}

/// Reports name every cluster of the policy: a `plan` key limited to other clusters
/// reads none of them.
#[test]
fn reports_need_a_key_covering_the_policys_clusters() {
    const DEV_PLANNER: &str = "cc00000000000000000000000000000000000000000000000000000000000003";
    let vars = env_with_keys(json!([
        {"name": "ci", "sha256": CI, "scopes": ["plan"], "clusters": ["*"]},
        {"name": "dev-planner", "sha256": DEV_PLANNER, "scopes": ["plan"], "clusters": ["dev"]}
    ]));
    let setup = setup_with(vars);
    let denied = get(&setup, "GET", "/v1/reports", Some(DEV_PLANNER));
    assert_eq!(denied.status, 403, "{}", denied.body);
    assert!(denied.body.contains("prod"), "{}", denied.body);
    let allowed = get(&setup, "GET", "/v1/reports", Some(CI));
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(body(&allowed)["kept"], false);
}

/// Twelve clusters under a policy, `groups(i)` node groups in cluster `i`, and an API
/// whose every request takes `latency_ms` of virtual time (one after another: see
/// `Replay::with_latency`).
fn slow_fleet(
    latency_ms: i64,
    groups: impl Fn(usize) -> usize,
) -> (Setup<Replay, JiffZones>, Vec<String>) {
    let names: Vec<String> = (0..12).map(|i| format!("c{i:02}")).collect();
    let mut vars = env();
    vars.insert(
        "SCALE_POLICY",
        json!({"timezone": "Asia/Seoul", "rules": names.iter().enumerate().map(|(i, n)| json!({
            "cluster": n,
            "nodegroup": (0..groups(i)).map(|g| format!("group-{g}")).collect::<Vec<_>>(),
            "autoscale": {"min": 2, "max": 4}
        })).collect::<Vec<_>>()})
        .to_string(),
    );
    let slow = Replay::new(NOW_MS, |req: &HttpRequest| {
        let path = req.url.split_once(".test").unwrap().1;
        let cluster = path.trim_start_matches("/v1/clusters/").split('/').next().unwrap();
        let body = match req.method {
            Method::Post if path == "/v2.0/tokens" => json!({"access": {"token": {"id": TOKEN, "expires": "2026-11-27T00:00:00Z"}}}),
            Method::Post => json!({"uuid": "ng"}),
            _ if path.ends_with("/autoscale") => json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": 3}),
            _ => json!({"uuid": format!("u-{cluster}"), "name": cluster, "status": "CREATE_COMPLETE"}),
        };
        Ok(HttpResponse::json(200, body.to_string()))
    })
    .with_latency(latency_ms);
    let setup = Setup::from_env(&|name| vars.get(name).cloned(), slow, JiffZones);
    (setup, names)
}

/// `POST /v1/reconcile`, the route giving up when `give_up` says so.
fn reconcile_until(
    setup: &Setup<Replay, JiffZones>,
    give_up: impl Fn(&Replay) -> bool,
) -> Outgoing {
    let api = setup.client.as_ref().unwrap().transport().inner();
    let give_up = std::future::poll_fn(|cx| {
        if give_up(api) {
            return std::task::Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    });
    let request = Incoming {
        method: "POST".into(),
        path: "/v1/reconcile".into(),
        key_sha256: Some(CI.into()),
        ..Incoming::default()
    };
    block_on(serve(setup, &request, &INVOCATION, give_up))
}

/// The route's time limit, on the virtual clock.
fn at_the_limit(api: &Replay) -> bool {
    api.now_ms() >= NOW_MS + i64::from(nks_edge::worker::routes::ROUTE_LIMIT_MS)
}

/// The clusters of a report by what became of them: applied, cut off, waiting. Each
/// cluster of `names` is in exactly one, and no request touched a waiting one.
fn outcomes(
    setup: &Setup<Replay, JiffZones>,
    report: &Value,
    names: &[String],
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let list = |key: &str| report[key].as_array().unwrap().clone();
    let applied: Vec<String> = list("actions")
        .iter()
        .map(|a| {
            assert_eq!(a["result"], "applied", "{a}");
            a["cluster"].as_str().unwrap().to_owned()
        })
        .collect();
    let cut: Vec<String> = list("errors")
        .iter()
        .map(|e| {
            assert_eq!(e["error"]["kind"], "timeout", "{e}");
            assert!(e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("may have been applied"));
            e["cluster"].as_str().unwrap().to_owned()
        })
        .collect();
    let waiting: Vec<String> = list("waiting")
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let mut all: Vec<&String> = applied.iter().chain(&cut).chain(&waiting).collect();
    all.sort_unstable();
    assert_eq!(all, names.iter().collect::<Vec<_>>(), "each cluster once");
    for request in requests(setup) {
        assert!(
            !waiting
                .iter()
                .any(|c| request.url.contains(&format!("/clusters/{c}"))),
            "a waiting cluster was touched: {}",
            request.url
        );
    }
    (applied, cut, waiting)
}

#[test]
fn a_slow_api_gives_a_whole_reconcile_report_and_the_rest_waits() {
    // A second per request: no cluster starts after 15 s, those started finish well
    // before the route's 25 s, and the report is whole.
    let (setup, names) = slow_fleet(1_000, |_| 1);
    let out = reconcile_until(&setup, at_the_limit);
    assert_eq!(out.status, 200, "{}", out.body);
    let (applied, cut, waiting) = outcomes(&setup, &body(&out), &names);
    assert!(!applied.is_empty() && !waiting.is_empty(), "{}", out.body);
    assert!(cut.is_empty());
    let clock = setup.client.as_ref().unwrap().transport().inner().now_ms();
    assert!(
        (NOW_MS + 15_000..NOW_MS + 25_000).contains(&clock),
        "{clock}"
    );
}

#[test]
fn a_route_cut_off_answers_its_report_so_far() {
    // The route gives up while the first clusters are still reading (the planner's
    // own tests cover finished, cut-off and waiting clusters exactly). The 504
    // carries the report so far: the clusters cut off mid-way as errors (a write may
    // have gone out), those not started waiting, every cluster once.
    let (setup, names) = slow_fleet(0, |_| 1);
    let out = reconcile_until(&setup, |api| api.requests().len() >= 8);
    assert_eq!(out.status, 504, "{}", out.body);
    let answer = body(&out);
    assert_eq!(answer["error"]["kind"], "timeout");
    let (_, cut, waiting) = outcomes(&setup, &answer["report"], &names);
    assert!(!cut.is_empty() && !waiting.is_empty(), "{}", out.body);
    let sent = requests(&setup).len() as u64;
    assert!(answer["report"]["subrequests"].as_u64().unwrap() >= sent);
}

/// A fleet larger than one tick's budget: with the trigger's cron, the rotation moves
/// one slice per firing and reaches every cluster within ⌈8 clusters / 2 per tick⌉ =
/// 4 ticks, also where the trigger's gaps differ (overnight); counted in the default
/// 5-minute ticks, a 10-minute trigger would serve every other slice only.
#[test]
fn the_rotation_moves_one_slice_per_firing_of_the_cron() {
    let fleet: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
    let mut vars = env();
    vars.insert(
        "SCALE_POLICY",
        json!({"timezone": "UTC", "rules": fleet.iter().map(|c| json!(
            {"cluster": c, "nodegroup": "default-worker", "autoscale": {"min": 3, "max": 10}}
        )).collect::<Vec<_>>()})
        .to_string(),
    );
    // Identity, then 3 per cluster (its read, its node group's read and write): 2 per tick.
    vars.insert("SUBREQUEST_BUDGET", "7".to_owned());
    // Each tick of the whole policy, or (`share`) as a queued share of the whole fleet
    // that the scheduled handler runs itself when the queue refuses it.
    let reached = |cron: Option<&str>, ticks: &[i64], share: bool| {
        let setup: Setup<Replay, JiffZones> = Setup::from_env(
            &|name| vars.get(name).cloned(),
            Replay::new(NOW_MS, |req: &HttpRequest| {
                let path = req.url.split_once(".test").unwrap().1;
                let body = match (req.method, path.ends_with("/autoscale")) {
                    _ if path == "/v2.0/tokens" => json!({"access": {"token": {"id": TOKEN}}}),
                    (Method::Post, _) => json!({"uuid": "ng"}),
                    (_, true) => {
                        json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": 3})
                    }
                    (_, false) => {
                        json!({"uuid": "u", "name": path.rsplit('/').next(), "status": "CREATE_COMPLETE"})
                    }
                };
                Ok(HttpResponse::json(200, body.to_string()))
            }),
            JiffZones,
        );
        for at in ticks {
            if share {
                block_on(queued(&setup, *at, &fleet, cron, &INVOCATION));
            } else {
                block_on(tick(&setup, *at, cron, None, &INVOCATION));
            }
        }
        let mut reached: Vec<String> = requests(&setup)
            .iter()
            .filter(|r| r.method == Method::Get && !r.url.ends_with("/autoscale"))
            .filter_map(|r| r.url.rsplit('/').next().map(str::to_owned))
            .collect();
        reached.sort();
        reached.dedup();
        reached
    };
    const MIN: i64 = 60_000;
    let day = NOW_MS - NOW_MS.rem_euclid(24 * 60 * MIN);
    let every_ten: Vec<i64> = (0..4).map(|t| day + t * 10 * MIN).collect();
    assert_eq!(reached(Some("*/10 * * * *"), &every_ten, false), fleet);
    assert_eq!(
        reached(None, &every_ten, false).len(),
        4,
        "counted in 5-minute ticks, half the fleet waits"
    );
    // 18:45, 18:50, 18:55, then 09:00 the next day.
    let overnight = [18 * 60 + 45, 18 * 60 + 50, 18 * 60 + 55, 24 * 60 + 9 * 60]
        .map(|minute| day + minute * MIN);
    assert_eq!(reached(Some("*/5 9-18 * * *"), &overnight, false), fleet);
    // Fridays and Mondays at 23:00, 23:20 and 23:40 (2 = Monday, as Cloudflare counts
    // from Sunday): the three of a Friday, then the first of the Monday. Were the
    // weekend's six counted, the Monday's would be three slices on, not one.
    let friday = day + 24 * 60 * MIN;
    let weekend = [23 * 60, 23 * 60 + 20, 23 * 60 + 40, 3 * 24 * 60 + 23 * 60]
        .map(|minute| friday + minute * MIN);
    let weekday = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .weekday()
    };
    assert_eq!(weekday(friday), jiff::civil::Weekday::Friday);
    assert_eq!(weekday(weekend[3]), jiff::civil::Weekday::Monday);
    assert_eq!(reached(Some("*/20 23 * * 2,FRI"), &weekend, false), fleet);
    assert_eq!(reached(Some("*/20 23 * * 2,FRI"), &weekend, true), fleet);
}

/// A store whose newest tick is fixed, or that fails.
struct Latest(Result<Option<String>, String>);

impl Store for Latest {
    async fn put(&self, _: &str, _: &str) -> Result<(), String> {
        self.0.as_ref().map(|_| ()).map_err(Clone::clone)
    }
    async fn get(&self, _: &str) -> Result<Option<String>, String> {
        self.0.clone()
    }
    async fn list(&self, _: &str, _: usize, _: Option<&str>) -> Result<Page<String>, String> {
        self.0
            .as_ref()
            .map(|_| Page::default())
            .map_err(Clone::clone)
    }
}

/// A queued share runs unless a newer tick superseded it; when the store cannot say,
/// it is retried, not run (an older plan could undo a newer tick's changes).
#[test]
fn a_queued_share_is_superseded_run_or_retried_by_what_the_store_says() {
    let share = ["prod".to_owned()];
    let with = |store: &Latest| {
        let setup = setup_with(env());
        let invocation = Invocation {
            now: &|| NOW_MS,
            store: Some(store),
        };
        let ticked = block_on(queued(&setup, NOW_MS, &share, None, &invocation));
        let api_calls = requests(&setup)
            .iter()
            .filter(|r| !r.url.ends_with("/v2.0/tokens"))
            .count();
        (ticked, api_calls)
    };
    let (superseded, calls) = with(&Latest(Ok(Some((NOW_MS + 300_000).to_string()))));
    assert_eq!((superseded.transient, calls), (false, 0));
    assert!(
        superseded.lines[0].contains(r#""event":"superseded""#),
        "{:?}",
        superseded.lines
    );

    let (unknown, calls) = with(&Latest(Err("KV is down".into())));
    assert_eq!((unknown.transient, calls), (true, 0));
    assert!(
        unknown.lines[0].contains("it is retried"),
        "{:?}",
        unknown.lines
    );

    for newest in [Some(NOW_MS.to_string()), None] {
        let (ran, calls) = with(&Latest(Ok(newest)));
        assert!(!ran.transient, "{:?}", ran.lines);
        assert!(calls > 0, "the share ran");
    }
}

/// `Debug` of a request and an answer shows neither the key's hash, a body that may
/// carry credentials, nor a kubeconfig.
#[test]
fn debug_of_requests_and_answers_shows_no_secret() {
    let request = Incoming {
        method: "POST".into(),
        path: "/nks/v1/clusters".into(),
        key_sha256: Some("1d9b4d86e611a528".into()),
        body: Some(r#"{"password":"pw-Secret-0123"}"#.into()),
        ..Incoming::default()
    };
    let answer = Outgoing {
        status: 200,
        headers: vec![("content-type".into(), "application/yaml".into())],
        body: "client-key-data: LS0tSECRET".into(),
        log: "{}".into(),
    };
    let shown = format!("{request:?} {answer:?}");
    for secret in ["1d9b4d86", "pw-Secret", "LS0tSECRET"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(
        shown.contains("/nks/v1/clusters") && shown.contains("27 bytes"),
        "{shown}"
    );
}
