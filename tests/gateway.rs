//! The Worker's gateway (`/nks/v1/…`), kept reports and redaction, natively over a
//! scripted API: scopes, cluster limits by name and UUID, list filtering, pass-through
//! of errors and request ids, 404s, the body limit, and no secret in any answer, log
//! line or stored report.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{block_on, body, header, JiffZones, NOW_MS};
use nks_edge::transport::{HttpRequest, HttpResponse, Method, Replay};
use nks_edge::worker::reports::{seal, MAX_CURSOR};
use nks_edge::worker::{serve, tick, Incoming, Invocation, Outgoing, Page, Setup, Store};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

const TOKEN: &str = "tok-issued-by-identity-0001";
const PASSWORD: &str = "hunter2-identity-password";
const READER: &str = "a100000000000000000000000000000000000000000000000000000000000001";
const READER_UUID: &str = "a200000000000000000000000000000000000000000000000000000000000002";
const SCALER: &str = "a300000000000000000000000000000000000000000000000000000000000003";
const OPERATOR: &str = "a400000000000000000000000000000000000000000000000000000000000004";
const KUBE: &str = "a500000000000000000000000000000000000000000000000000000000000005";
const PLANNER: &str = "a600000000000000000000000000000000000000000000000000000000000006";

const CLUSTERS: &str = r#"{"clusters":[{"uuid":"u-prod","name":"prod","status":"CREATE_COMPLETE"},{"uuid":"u-dev","name":"dev","status":"CREATE_COMPLETE"},{"uuid":"u-stage","name":"stage","status":"CREATE_COMPLETE"}]}"#;

fn env() -> HashMap<&'static str, String> {
    HashMap::from([
        ("NKS_ENDPOINT", "http://nks.test".to_owned()),
        ("NHN_IDENTITY_URL", "http://identity.test".to_owned()),
        ("NHN_TENANT_ID", "tenant".to_owned()),
        ("NHN_USERNAME", "user@example.com".to_owned()),
        ("NHN_API_PASSWORD", PASSWORD.to_owned()),
        ("ACCESS_KEYS", json!([
            {"name": "reader", "sha256": READER, "scopes": ["read"], "clusters": ["prod"]},
            {"name": "reader-by-uuid", "sha256": READER_UUID, "scopes": ["read"], "clusters": ["u-dev"]},
            {"name": "scaler", "sha256": SCALER, "scopes": ["read", "scale"], "clusters": ["prod"]},
            {"name": "operator", "sha256": OPERATOR, "scopes": ["read", "operate"], "clusters": ["*"]},
            {"name": "kube", "sha256": KUBE, "scopes": ["kubeconfig"], "clusters": ["prod"]},
            {"name": "planner", "sha256": PLANNER, "scopes": ["plan", "reconcile"], "clusters": ["*"]}
        ]).to_string()),
        ("SCALE_POLICY", json!({"timezone": "Asia/Seoul", "rules": [
            {"name": "always", "cluster": "prod", "nodegroup": "default-worker", "autoscale": {"min": 3, "max": 10}}
        ]}).to_string()),
    ])
}

/// Identity, then NKS: three clusters (by name or UUID), node groups, a kubeconfig;
/// errors carry request ids, and the 409 and 500 answers echo the token they were sent,
/// as a careless upstream might (NKS is never sent the Identity password).
fn api() -> Replay {
    Replay::new(NOW_MS, |req: &HttpRequest| {
        let path = req.url.split_once(".test").unwrap().1;
        let sent_token = req.header("x-auth-token").unwrap_or_default().to_owned();
        let cluster = |id: &str| {
            let all: Value = serde_json::from_str(CLUSTERS).unwrap();
            all["clusters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == id || c["uuid"] == id)
                .cloned()
        };
        let answer = match (req.method, path) {
            (Method::Post, "/v2.0/tokens") => HttpResponse::json(
                200,
                json!({"access": {"token": {"id": TOKEN, "expires": "2026-11-27T00:00:00Z"}}}).to_string(),
            ),
            (Method::Get, "/v1/clusters") => {
                HttpResponse::json(200, CLUSTERS).with_header("x-openstack-request-id", "req-list")
            }
            (Method::Get, "/v1/clusters/prod/config") => HttpResponse::json(
                200,
                json!({"config": "apiVersion: v1\nkind: Config\n"}).to_string(),
            ),
            (Method::Delete, "/v1/clusters/prod") => HttpResponse::json(
                409,
                json!({"errors": [{"status": 409, "title": "Conflict",
                    "detail": format!("cluster busy; your token {sent_token} was logged")}]})
                .to_string(),
            )
            .with_header("x-openstack-request-id", "req-409"),
            (Method::Get, "/v1/clusters/prod/nodegroups/default-worker/autoscale") => HttpResponse::json(
                500,
                format!("internal error while handling X-Auth-Token: {sent_token}"),
            ),
            (Method::Get, p) if p.starts_with("/v1/clusters/") && p.matches('/').count() == 3 => {
                match cluster(p.trim_start_matches("/v1/clusters/")) {
                    Some(c) => HttpResponse::json(200, c.to_string()),
                    None => HttpResponse::json(
                        404,
                        r#"{"errors":[{"status":404,"title":"Not Found","detail":"Cluster could not be found."}]}"#,
                    )
                    .with_header("x-openstack-request-id", "req-404"),
                }
            }
            // NKS refuses the token it was sent (an expired NKS_TOKEN, say).
            (Method::Get, p) if p.starts_with("/v1/clusters/prod/addons") => HttpResponse::json(
                401,
                r#"{"errors":[{"status":401,"title":"The token is invalid or has expired."}]}"#,
            ),
            // As Magnum does, a node group not found is named in the answer.
            (Method::Get, p) if p.starts_with("/v1/clusters/prod/nodegroups/") && p.matches('/').count() == 5 => {
                let name = p.rsplit('/').next().unwrap_or_default();
                HttpResponse::json(
                    404,
                    json!({"errors": [{"status": 404, "title": "Not Found",
                        "detail": format!("Nodegroup {name} could not be found.")}]})
                    .to_string(),
                )
            }
            (Method::Get, p) if p.ends_with("/nodegroups") => {
                HttpResponse::json(200, r#"{"nodegroups":[]}"#).with_header("x-openstack-request-id", "req-ng")
            }
            (Method::Post | Method::Patch, _) => HttpResponse::json(200, r#"{"uuid":"u-prod"}"#),
            _ => HttpResponse::json(404, r#"{"errors":[{"status":404,"title":"Not Found"}]}"#),
        };
        Ok(answer)
    })
}

/// Reports in memory, as Workers KV keeps them: keys in ascending order.
#[derive(Default)]
struct Memory(RefCell<BTreeMap<String, String>>);

impl Store for Memory {
    async fn put(&self, key: &str, value: &str) -> Result<(), String> {
        self.0.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.0.borrow().get(key).cloned())
    }
    /// The cursor is the page's last key (KV's is opaque); one it did not make is
    /// refused, as KV refuses it.
    async fn list(
        &self,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<String>, String> {
        let all = self.0.borrow();
        if cursor.is_some_and(|c| !all.contains_key(c)) {
            return Err("invalid cursor".into());
        }
        let items: Vec<String> = all
            .keys()
            .filter(|k| k.starts_with(prefix) && cursor.is_none_or(|c| k.as_str() > c))
            .take(limit)
            .cloned()
            .collect();
        // Like KV, it does not look ahead: a full page has a cursor, even when the
        // page after it is empty.
        Ok(Page {
            cursor: items.last().filter(|_| items.len() == limit).cloned(),
            items,
        })
    }
}

type Worker = Setup<Replay, JiffZones>;

fn setup_with(vars: HashMap<&'static str, String>) -> Worker {
    Setup::from_env(&|name| vars.get(name).cloned(), api(), JiffZones)
}

fn call(
    setup: &Worker,
    store: Option<&Memory>,
    method: &str,
    target: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Outgoing {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let request = Incoming {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        key_sha256: key.map(str::to_owned),
        body: body.map(str::to_owned),
        ..Incoming::default()
    };
    let invocation = Invocation {
        now: &|| NOW_MS,
        store,
    };
    block_on(serve(setup, &request, &invocation, std::future::pending()))
}

fn nks(
    setup: &Worker,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Outgoing {
    call(setup, None, method, path, key, body)
}

fn log(out: &Outgoing) -> Value {
    serde_json::from_str(&out.log).unwrap()
}

/// The NKS requests sent (not Identity's), as "METHOD /path".
fn upstream(setup: &Worker) -> Vec<String> {
    setup
        .client
        .as_ref()
        .unwrap()
        .transport()
        .inner()
        .requests()
        .iter()
        .filter(|r| !r.url.ends_with("/v2.0/tokens"))
        .map(|r| {
            format!(
                "{} {}",
                r.method.as_str(),
                r.url.split_once(".test").unwrap().1
            )
        })
        .collect()
}

#[test]
fn scopes_decide_by_operation_and_patch_type() {
    let setup = setup_with(env());
    let autoscale = r#"{"ca_enable":true,"ca_min_node_count":1,"ca_max_node_count":3}"#;
    let metric = r#"{"type":"metric_base_autoscale","metric_base_autoscale":{}}"#;
    let flavor = r#"{"type":"flavor_id","flavor_id":"f"}"#;
    let ng = "/nks/v1/clusters/prod/nodegroups/default-worker";
    for (method, path, key, body, status) in [
        ("GET", "/nks/v1/clusters/prod/nodegroups", None, None, 401),
        (
            "GET",
            "/nks/v1/clusters/prod/nodegroups",
            Some(READER),
            None,
            200,
        ),
        (
            "GET",
            "/nks/v1/clusters/prod/nodegroups/",
            Some(READER),
            None,
            200,
        ),
        (
            "POST",
            &format!("{ng}/autoscale") as &str,
            Some(READER),
            Some(autoscale),
            403,
        ),
        (
            "POST",
            &format!("{ng}/autoscale"),
            Some(SCALER),
            Some(autoscale),
            200,
        ),
        ("PATCH", ng, Some(SCALER), Some(metric), 200),
        ("PATCH", ng, Some(SCALER), Some(flavor), 403),
        ("PATCH", ng, Some(OPERATOR), Some(flavor), 200),
        (
            "PATCH",
            ng,
            Some(OPERATOR),
            Some(r#"{"type":"bogus"}"#),
            400,
        ),
        (
            "GET",
            "/nks/v1/clusters/prod/config",
            Some(READER),
            None,
            403,
        ),
        (
            "GET",
            "/nks/v1/clusters/prod/config",
            Some(OPERATOR),
            None,
            403,
        ),
        ("GET", "/nks/v1/clusters/prod/config", Some(KUBE), None, 200),
        ("GET", "/nks/v1/clusters/prod", Some(PLANNER), None, 403),
        (
            "POST",
            "/nks/v1/clusters",
            Some(SCALER),
            Some(r#"{"name":"prod"}"#),
            403,
        ),
    ] {
        let out = nks(&setup, method, path, key, body);
        assert_eq!(out.status, status, "{method} {path} {key:?}: {}", out.body);
    }
    let out = nks(&setup, "PATCH", ng, Some(SCALER), Some(flavor));
    assert_eq!(
        body(&out)["error"]["message"],
        r#"access key "scaler" does not have the operate scope"#
    );
    // Also in the API's shape, as the package's client reads errors.
    assert_eq!(
        body(&out)["errors"][0],
        json!({"status": 403, "code": "client", "title": "access key \"scaler\" does not have the operate scope"})
    );
    let line = log(&out);
    assert_eq!(
        (
            line["key"].clone(),
            line["operation"].clone(),
            line["cluster"].clone(),
            line["status"].clone()
        ),
        (
            json!("scaler"),
            json!("changeFlavor"),
            json!("prod"),
            json!(403)
        )
    );
    // What went upstream: only the allowed calls, with the PATCH bodies as sent.
    let sent = upstream(&setup);
    assert_eq!(
        sent.iter().filter(|s| s.starts_with("PATCH")).count(),
        2,
        "{sent:?}"
    );
    assert!(!sent
        .iter()
        .any(|s| s.starts_with("POST /v1/clusters ") || s == "POST /v1/clusters"));
}

#[test]
fn cluster_limits_hold_by_name_and_by_uuid() {
    let setup = setup_with(env());
    for (key, cluster, status) in [
        (READER, "prod", 200),
        (READER, "u-prod", 200),
        (READER, "dev", 403),
        (READER, "u-dev", 403),
        (READER, "ghost", 403),
        (READER_UUID, "u-dev", 200),
        (READER_UUID, "dev", 200),
        (READER_UUID, "prod", 403),
        (OPERATOR, "dev", 200),
    ] {
        let out = nks(
            &setup,
            "GET",
            &format!("/nks/v1/clusters/{cluster}/nodegroups"),
            Some(key),
            None,
        );
        assert_eq!(out.status, status, "{key} {cluster}: {}", out.body);
    }
    // A node group list of prod, asked by UUID: one read resolves it, then the list.
    let setup = setup_with(env());
    nks(
        &setup,
        "GET",
        "/nks/v1/clusters/u-prod/nodegroups",
        Some(READER),
        None,
    );
    assert_eq!(
        upstream(&setup),
        [
            "GET /v1/clusters/u-prod",
            "GET /v1/clusters/u-prod/nodegroups"
        ]
    );
}

#[test]
fn cluster_lists_are_filtered_to_the_key() {
    let setup = setup_with(env());
    let names = |out: &Outgoing| -> Vec<String> {
        body(out)["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&nks(&setup, "GET", "/nks/v1/clusters", Some(READER), None)),
        ["prod"]
    );
    assert_eq!(
        names(&nks(
            &setup,
            "GET",
            "/nks/v1/clusters",
            Some(READER_UUID),
            None
        )),
        ["dev"]
    );
    let all = nks(&setup, "GET", "/nks/v1/clusters", Some(OPERATOR), None);
    assert_eq!(all.body, CLUSTERS, "unfiltered: the API's body as it came");
    assert_eq!(header(&all, "x-openstack-request-id"), Some("req-list"));
}

#[test]
fn errors_and_request_ids_pass_through() {
    let setup = setup_with(env());
    let out = nks(
        &setup,
        "GET",
        "/nks/v1/clusters/ghost",
        Some(OPERATOR),
        None,
    );
    assert_eq!(out.status, 404);
    assert_eq!(
        out.body,
        r#"{"errors":[{"status":404,"title":"Not Found","detail":"Cluster could not be found."}]}"#
    );
    assert_eq!(header(&out, "x-openstack-request-id"), Some("req-404"));
    let out = nks(
        &setup,
        "DELETE",
        "/nks/v1/clusters/prod",
        Some(OPERATOR),
        None,
    );
    assert_eq!(out.status, 409);
    assert_eq!(header(&out, "x-openstack-request-id"), Some("req-409"));
    assert_eq!(
        body(&out)["errors"][0]["detail"],
        "cluster busy; your token *** was logged"
    );
}

#[test]
fn paths_and_methods_outside_the_api_are_404_and_send_nothing() {
    let setup = setup_with(env());
    for (method, path) in [
        ("GET", "/nks/v2/clusters"),
        ("GET", "/nks/v1/nothing"),
        ("GET", "/nks"),
        ("GET", "/nks/"),
        ("PUT", "/nks/v1/clusters"),
        ("HEAD", "/nks/v1/clusters"),
        ("POST", "/nks/v1/clusters/prod/config"),
        ("GET", "/nks//v1/clusters"),
        ("GET", "/nks/v1/clusters/prod/nodegroups/a/b/c"),
        ("GET", "/nksv1/clusters"),
    ] {
        let out = nks(&setup, method, path, Some(OPERATOR), None);
        assert_eq!(out.status, 404, "{method} {path}: {}", out.body);
    }
    for path in ["/nks/v1/clusters/..", "/nks/v1/clusters/%2E%2E/nodegroups"] {
        let out = nks(&setup, "GET", path, Some(OPERATOR), None);
        assert_eq!(out.status, 400, "{path}: {}", out.body);
    }
    let out = nks(
        &setup,
        "GET",
        "/nks/v1/clusters?all=1",
        Some(OPERATOR),
        None,
    );
    assert_eq!(out.status, 400);
    assert!(upstream(&setup).is_empty(), "{:?}", upstream(&setup));
}

#[test]
fn bodies_are_limited() {
    let setup = setup_with(env());
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(64 * 1024));
    let out = nks(
        &setup,
        "POST",
        "/nks/v1/clusters",
        Some(OPERATOR),
        Some(&big),
    );
    assert_eq!(
        (out.status, body(&out)["error"]["kind"].clone()),
        (413, json!("payload_too_large"))
    );
    // In the API's shape too, as the package's client reads errors.
    assert_eq!(
        body(&out)["errors"][0]["title"],
        "the body is larger than 65536 bytes"
    );
    assert!(upstream(&setup).is_empty());
}

#[test]
fn upstream_gets_the_workers_token_and_never_the_callers_key() {
    let setup = setup_with(env());
    assert_eq!(
        nks(&setup, "GET", "/nks/v1/clusters", Some(OPERATOR), None).status,
        200
    );
    let sent = setup
        .client
        .as_ref()
        .unwrap()
        .transport()
        .inner()
        .requests();
    let list = sent
        .iter()
        .find(|r| r.url.ends_with("/v1/clusters"))
        .unwrap();
    assert_eq!(list.header("x-auth-token"), Some(TOKEN));
    assert_eq!(list.header("authorization"), None);
}

#[test]
fn identity_failures_are_the_workers_502_not_identitys_body() {
    let vars = env();
    let setup: Worker = Setup::from_env(
        &|name| vars.get(name).cloned(),
        Replay::new(NOW_MS, |_req: &HttpRequest| {
            Ok(HttpResponse::json(
                401,
                format!(r#"{{"error":{{"message":"bad password {PASSWORD}"}}}}"#),
            ))
        }),
        JiffZones,
    );
    for (method, path, key) in [
        ("GET", "/nks/v1/clusters", OPERATOR),
        ("GET", "/v1/plan", PLANNER),
        ("POST", "/v1/reconcile", PLANNER),
    ] {
        let out = nks(&setup, method, path, Some(key), None);
        assert_eq!(out.status, 502, "{path}: {}", out.body);
        let error = &body(&out)["error"];
        assert_eq!(
            (error["service"].clone(), error["kind"].clone()),
            (json!("identity"), json!("unauthorized"))
        );
        assert!(!out.body.contains("bad password"), "{}", out.body);
    }
}

/// No answer tells a caller which of its guesses is the Identity password: each request
/// below, made with the password and with another word of its length, gets the same
/// answer but for that word (a `***` where the password was would tell).
#[test]
fn no_answer_tells_which_guess_is_the_password() {
    const MISS: &str = "hunter2-identity-passwore";
    assert_eq!(MISS.len(), PASSWORD.len());
    let mut vars = env();
    vars.insert("CORS_ORIGINS", "https://app.example.com".into());
    let setup = setup_with(vars);
    let requests = |guess: &str| -> Vec<Incoming> {
        let request = |method: &str, path: String, query: String, key: Option<&str>| Incoming {
            method: method.into(),
            path,
            query,
            origin: Some("https://app.example.com".into()),
            key_sha256: key.map(str::to_owned),
            ..Incoming::default()
        };
        vec![
            // Without a key: an unknown path, a preflight's headers.
            request("GET", format!("/{guess}/x"), String::new(), None),
            request("GET", format!("/nks/v1/{guess}"), String::new(), None),
            Incoming {
                request_headers: Some(format!("authorization, {guess}")),
                ..request("OPTIONS", "/nks/v1/clusters".into(), String::new(), None)
            },
            // With one: NKS naming what it did not find, unknown or undecodable query
            // parameters, a cluster outside the key's, a cluster the policy does not name.
            request(
                "GET",
                format!("/nks/v1/clusters/prod/nodegroups/{guess}"),
                String::new(),
                Some(READER),
            ),
            request(
                "GET",
                "/v1/plan".into(),
                format!("{guess}=1&%"),
                Some(PLANNER),
            ),
            request(
                "GET",
                format!("/v1/clusters/{guess}/kubeconfig"),
                String::new(),
                Some(KUBE),
            ),
            request(
                "GET",
                format!("/v1/clusters/{guess}%20x/kubeconfig"),
                String::new(),
                Some(KUBE),
            ),
            request(
                "GET",
                "/v1/status".into(),
                format!("cluster={guess}"),
                Some(PLANNER),
            ),
        ]
    };
    let invocation = Invocation::<Memory> {
        now: &|| NOW_MS,
        store: None,
    };
    let mut repeated = Vec::new();
    for (hit, miss) in requests(PASSWORD).iter().zip(requests(MISS)) {
        let serve = |request: &Incoming| {
            block_on(serve(&setup, request, &invocation, std::future::pending()))
        };
        let (a, b) = (serve(hit), serve(&miss));
        let what = format!("{} {}?{}", hit.method, hit.path, hit.query);
        assert_eq!(a.status, b.status, "{what}");
        assert_eq!(a.body.replace(PASSWORD, MISS), b.body, "{what}");
        let headers = |out: &Outgoing| -> Vec<(String, String)> {
            out.headers
                .iter()
                .map(|(k, v)| (k.clone(), v.replace(PASSWORD, MISS)))
                .collect()
        };
        assert_eq!(headers(&a), headers(&b), "{what}");
        if a.body.contains(PASSWORD) || a.headers.iter().any(|(_, v)| v.contains(PASSWORD)) {
            repeated.push(what);
        }
    }
    // Where an answer repeats the caller's word, it is the word as sent.
    assert_eq!(repeated.len(), 6, "{repeated:?}");
}

#[test]
fn a_key_sees_only_kept_reports_of_clusters_it_covers() {
    // `secret` was in the policy last week; the policy names `prod` alone now.
    const PROD_PLANNER: &str = "a700000000000000000000000000000000000000000000000000000000000007";
    let mut vars = env();
    vars.insert(
        "ACCESS_KEYS",
        json!([
            {"name": "planner", "sha256": PLANNER, "scopes": ["plan"], "clusters": ["*"]},
            {"name": "prod-planner", "sha256": PROD_PLANNER, "scopes": ["plan"], "clusters": ["prod"]}
        ])
        .to_string(),
    );
    let setup = setup_with(vars);
    let store = Memory::default();
    let kept = [
        (
            1,
            json!({"at": "older", "actions": [], "errors": [{"cluster": "secret", "error": {"message": "x"}}]}),
        ),
        (
            2,
            json!({"at": "waiting", "actions": [{"cluster": "prod"}], "waiting": ["secret"]}),
        ),
        (
            3,
            json!({"at": "newer", "actions": [{"cluster": "prod"}], "maintenance": [{"cluster": "prod"}]}),
        ),
    ];
    for (n, report) in &kept {
        block_on(nks_edge::worker::reports::keep(
            &store,
            NOW_MS + n,
            "all",
            &report.to_string(),
        ))
        .unwrap();
    }
    let ats = |key: &str| -> Vec<Value> {
        let out = call(&setup, Some(&store), "GET", "/v1/reports", Some(key), None);
        assert_eq!(out.status, 200, "{}", out.body);
        body(&out)["reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["at"].clone())
            .collect()
    };
    assert_eq!(
        ats(PLANNER),
        [json!("newer"), json!("waiting"), json!("older")]
    );
    assert_eq!(ats(PROD_PLANNER), [json!("newer")]);
}

#[test]
fn reports_are_kept_and_listed_newest_first() {
    let setup = setup_with(env());
    let store = Memory::default();
    let invocation = Invocation {
        now: &|| NOW_MS,
        store: Some(&store),
    };
    let hour = 3_600_000;
    for at in [NOW_MS, NOW_MS + hour, NOW_MS + 2 * hour] {
        let ticked = block_on(tick(&setup, at, None, None, &invocation));
        assert!(
            ticked.lines.last().unwrap().contains(r#""kept":true"#),
            "{:?}",
            ticked.lines
        );
    }
    let get = |target: &str| call(&setup, Some(&store), "GET", target, Some(PLANNER), None);
    let out = get("/v1/reports?limit=2");
    assert_eq!(out.status, 200, "{}", out.body);
    let listed = body(&out);
    let ats: Vec<&str> = listed["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["at"].as_str().unwrap())
        .collect();
    assert_eq!(
        ats,
        ["2026-11-26T11:00:00+09:00", "2026-11-26T10:00:00+09:00"]
    );
    assert_eq!(listed["kept"], true);
    // `next` pages on to the rest, and the last page says there is no more.
    let cursor_of = |page: &Value| {
        page["next"]
            .as_str()
            .expect("a next page")
            .replace('/', "%2F")
    };
    let out = get(&format!(
        "/v1/reports?limit=2&cursor={}",
        cursor_of(&listed)
    ));
    assert_eq!(out.status, 200, "{}", out.body);
    let rest = body(&out);
    assert_eq!(rest["reports"].as_array().unwrap().len(), 1, "{rest}");
    assert_eq!(rest["reports"][0]["at"], "2026-11-26T09:00:00+09:00");
    assert_eq!(rest.get("next"), Some(&Value::Null));
    let cursor = get("/v1/reports?cursor=");
    assert_eq!(
        (cursor.status, body(&cursor)["error"]["field"].clone()),
        (400, json!("cursor"))
    );
    // One the Worker did not give (made up, or a `next` changed): refused as bad
    // input, naming the field, without asking the store.
    let tampered = cursor_of(&listed).replacen("report", "rep0rt", 1);
    for made_up in ["forged", tampered.as_str()] {
        let out = get(&format!("/v1/reports?cursor={made_up}"));
        assert_eq!(
            (out.status, body(&out)["error"]["field"].clone()),
            (400, json!("cursor")),
            "{made_up}: {}",
            out.body
        );
    }
    // One the Worker gave that the store no longer knows: the store's refusal, with
    // what a cursor must be.
    let stale = get(&format!(
        "/v1/reports?cursor={}",
        seal("report/gone").replace('/', "%2F")
    ));
    assert_eq!(stale.status, 502, "{}", stale.body);
    let message = body(&stale)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("a `cursor` must be the `next` of a recent answer")
            && message.contains("invalid cursor"),
        "{message}"
    );
    // A full page's `next` may lead to an empty last page.
    let all = body(&get("/v1/reports?limit=3"));
    assert_eq!(all["reports"].as_array().unwrap().len(), 3);
    let empty = body(&get(&format!(
        "/v1/reports?limit=3&cursor={}",
        cursor_of(&all)
    )));
    assert_eq!(
        (empty["reports"].clone(), empty.get("next").cloned()),
        (json!([]), Some(Value::Null))
    );
    // The longest cursor is checked (and reaches the store, which does not know it);
    // one byte more is refused unread.
    let long = |bytes: usize| {
        let sealed = seal(&"a".repeat(bytes - seal("").len()));
        format!("/v1/reports?cursor={sealed}")
    };
    let (longest, too_long) = (long(MAX_CURSOR), long(MAX_CURSOR + 1));
    for (target, key, status) in [
        ("/v1/reports?limit=0", PLANNER, 400),
        ("/v1/reports?limit=51", PLANNER, 400),
        ("/v1/reports?newest=1", PLANNER, 400),
        ("/v1/reports", READER, 403),
        (longest.as_str(), PLANNER, 502),
        (too_long.as_str(), PLANNER, 400),
    ] {
        assert_eq!(
            call(&setup, Some(&store), "GET", target, Some(key), None).status,
            status,
            "{target}"
        );
    }
    // Without a store the Worker still answers, says reports are not kept and that
    // there is no page after; a cursor is still checked.
    let out = call(&setup, None, "GET", "/v1/reports", Some(PLANNER), None);
    assert_eq!(
        (
            out.status,
            body(&out)["kept"].clone(),
            body(&out).get("next").cloned()
        ),
        (200, json!(false), Some(Value::Null))
    );
    let out = call(
        &setup,
        None,
        "GET",
        "/v1/reports?cursor=",
        Some(PLANNER),
        None,
    );
    assert_eq!(out.status, 400, "{}", out.body);
    let ticked = block_on(tick(
        &setup,
        NOW_MS,
        None,
        None,
        &Invocation::<Memory> {
            now: &|| NOW_MS,
            store: None,
        },
    ));
    assert!(ticked
        .lines
        .last()
        .unwrap()
        .contains("reports are not kept"));
}

/// Every secret set to a known value; the upstream echoes the token and password in
/// error bodies and details; every route and the tick are driven; no answer, log line
/// or stored report holds one.
#[test]
fn no_secret_leaves_the_worker() {
    let mut vars = env();
    vars.insert(
        "SCALE_POLICY",
        json!({"timezone": "Asia/Seoul", "rules": [
            {"name": "echo", "cluster": "prod", "nodegroup": "default-worker", "autoscale": {"min": 3, "max": 10}},
            {"name": "busy", "cluster": "dev", "nodegroup": "default-worker", "autoscale": {"min": 3, "max": 10}}
        ]})
        .to_string(),
    );
    let setup = setup_with(vars);
    let store = Memory::default();
    let mut texts = Vec::new();
    for (method, target, key) in [
        ("GET", "/v1/plan", PLANNER),
        ("POST", "/v1/reconcile", PLANNER),
        ("GET", "/v1/clusters/prod/kubeconfig", KUBE),
        ("DELETE", "/nks/v1/clusters/prod", OPERATOR),
        (
            "GET",
            "/nks/v1/clusters/prod/nodegroups/default-worker/autoscale",
            OPERATOR,
        ),
        ("GET", "/nks/v1/clusters", READER),
        ("GET", "/healthz", PLANNER),
    ] {
        let out = call(&setup, Some(&store), method, target, Some(key), None);
        texts.extend([out.body, out.log]);
        texts.extend(out.headers.into_iter().map(|(_, v)| v));
    }
    let invocation = Invocation {
        now: &|| NOW_MS,
        store: Some(&store),
    };
    texts.extend(block_on(tick(&setup, NOW_MS, None, None, &invocation)).lines);
    texts.extend(store.0.borrow().values().cloned());
    let out = call(
        &setup,
        Some(&store),
        "GET",
        "/v1/reports",
        Some(PLANNER),
        None,
    );
    texts.push(out.body);
    let joined = texts.join("\n");
    assert!(joined.contains("***"), "the echoes were there to redact");
    for secret in [TOKEN, PASSWORD, READER, OPERATOR, KUBE, PLANNER] {
        assert!(!joined.contains(secret), "{secret} leaked in:\n{joined}");
    }
}

#[test]
fn a_route_that_takes_too_long_is_a_504() {
    let setup = setup_with(env());
    let request = Incoming {
        method: "GET".into(),
        path: "/nks/v1/clusters".into(),
        key_sha256: Some(OPERATOR.into()),
        ..Incoming::default()
    };
    let invocation = Invocation::<Memory> {
        now: &|| NOW_MS,
        store: None,
    };
    // The upstream is pending once; the deadline is already past.
    let out = block_on(serve(&setup, &request, &invocation, std::future::ready(())));
    assert_eq!(
        (out.status, body(&out)["error"]["kind"].clone()),
        (504, json!("timeout"))
    );
    assert_eq!(
        body(&out)["errors"][0],
        json!({"status": 504, "code": "server", "title": "the NKS API did not answer within 25000 ms"})
    );
}

/// NKS refusing the Worker's own token is the Worker's failure (502), as Identity's is:
/// a 401 through the gateway would tell a caller (and the dashboard) its access key
/// was refused.
#[test]
fn nks_refusing_the_workers_token_is_a_502_not_a_401() {
    let setup = setup_with(env());
    let out = nks(
        &setup,
        "GET",
        "/nks/v1/clusters/prod/addons",
        Some(OPERATOR),
        None,
    );
    assert_eq!(out.status, 502, "{}", out.body);
    let answer = body(&out);
    assert_eq!(answer["error"]["kind"], "unauthorized");
    let message = answer["errors"][0]["title"].as_str().unwrap_or_default();
    assert!(message.contains("the Worker's own token"), "{message}");
    assert!(
        message.contains("The token is invalid or has expired."),
        "{message}"
    );
}
