//! One check per fuzz target: feed it any bytes; it panics only when the library
//! panics or breaks one of the invariants below. The fuzz targets call these, and
//! `tests/fuzz_regressions.rs` replays every saved input through them in `cargo test`.

use crate::common::{block_on, JiffZones};
use nks_edge::api::FromAnswer;
use nks_edge::config::ClientOptions;
use nks_edge::model::{
    from_json, Autoscale, Cluster, ClusterCreate, ClusterState, IpAcl, Kubeconfig, Labels,
    MetricAutoscale, NodeGroup, NodeGroupCreate, NodeGroupState, Resize, Status, Supports, Upgrade,
    UuidResponse,
};
use nks_edge::schedule::{plan, reconcile, Options, Policy, Zones};
use nks_edge::time::{
    check_instant_ms, format_instant, parse_http_date_ms, parse_instant, parse_query_instant,
    parse_rfc3339_ms, MAX_INSTANT_MS,
};
use nks_edge::transport::{HttpRequest, HttpResponse, Method, Replay};
use nks_edge::worker::access::{authorize, parse_digest, parse_keys, Scope};
use nks_edge::worker::{serve, tick, Incoming, Invocation, Page, Setup, Store};
use nks_edge::{Config, Credentials, Error, NksClient, Secret};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};

/// 2026-11-26T00:00:00Z, the clock of every check.
pub const NOW_MS: i64 = 1_795_651_200_000;
/// The Worker's API password and the token Identity hands out: neither may ever
/// appear in an answer, a header or a log line.
pub const PASSWORD: &str = "fuzz-password-Qx7vT2mZ";
pub const TOKEN: &str = "fuzz-token-Hb4kW9pL";
/// Access keys of the fixed environment, by digest: `ci` may do everything,
/// `viewer` may read kubeconfigs of `prod`.
pub const CI: &str = "aa00000000000000000000000000000000000000000000000000000000000001";
pub const VIEWER: &str = "bb00000000000000000000000000000000000000000000000000000000000002";

/// Zones the instant checks show instants in: offsets of whole hours, half and
/// quarter hours, negative ones, and local mean time with seconds before 1900.
const ZONES: [&str; 6] = [
    "UTC",
    "Asia/Seoul",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/New_York",
];

/// The model: every type read from the API or from JavaScript. If text reads as a
/// type, what it writes reads back and writes the same again. Adding a type is
/// one line.
pub fn model(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    round_trip::<Cluster>(text);
    round_trip::<ClusterCreate>(text);
    round_trip::<Resize>(text);
    round_trip::<NodeGroup>(text);
    round_trip::<NodeGroupCreate>(text);
    round_trip::<Upgrade>(text);
    round_trip::<Autoscale>(text);
    round_trip::<Labels>(text);
    round_trip::<Status>(text);
    round_trip::<UuidResponse>(text);
    round_trip::<Kubeconfig>(text);
    round_trip::<Supports>(text);
    round_trip::<IpAcl>(text);
    round_trip::<MetricAutoscale>(text);
    // Read, never written: the planner's slim reads and the client's options.
    let _ = from_json::<ClusterState>(text);
    let _ = from_json::<NodeGroupState>(text);
    let _ = from_json::<ClientOptions>(text);
    // The list answers, through the readers `execute` uses (each reads its wrapper field).
    let _ = Vec::<Cluster>::from_answer(text);
    let _ = Vec::<NodeGroup>::from_answer(text);
    let _ = Vec::<NodeGroupState>::from_answer(text);
    // Error answers, with the text as body and as `Retry-After`, at any status.
    let status = data.first().map_or(500, |&b| 400 + u16::from(b));
    let response = HttpResponse::json(status, text).with_header("retry-after", text);
    let error = Error::from_response(&response, NOW_MS);
    let _ = format!("{error} {error:?}");
}

fn round_trip<T: DeserializeOwned + Serialize>(text: &str) {
    let Ok(value) = from_json::<T>(text) else {
        return;
    };
    let written = serde_json::to_string(&value)
        .unwrap_or_else(|e| panic!("{} read but does not write: {e}", type_name::<T>()));
    let again = from_json::<T>(&written).unwrap_or_else(|e| {
        panic!(
            "{} writes {written} and does not read it back: {e}",
            type_name::<T>()
        )
    });
    let rewritten = serde_json::to_string(&again).unwrap_or_default();
    let value = |text: &str| serde_json::from_str::<Value>(text).unwrap_or_default();
    assert!(
        same(&value(&written), &value(&rewritten)),
        "{}: {written} became {rewritten}",
        type_name::<T>()
    );
}

/// JSON equality, except that floats may differ in their last digit: serde_json
/// parses floats to within one unit in the last place unless its `float_roundtrip`
/// feature is on (see `fuzz/regressions/model/`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y
                || matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y))
                    if x.is_finite() && (x - y).abs() <= x.abs().max(y.abs()) * 1e-15)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn type_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

/// Instants: RFC 3339 (`at` values), query values, HTTP dates, and epoch
/// milliseconds as JavaScript hands them over (the first 8 bytes as an f64). Every
/// accepted instant is within JavaScript's range, and its text in UTC and in each
/// zone reads back as the same second.
pub fn instants(data: &[u8]) {
    if let Some(bytes) = data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        let number = f64::from_le_bytes(bytes);
        if let Ok(ms) = check_instant_ms(number) {
            assert!(ms.abs() <= MAX_INSTANT_MS, "{number} gave {ms}");
            assert!((number - ms as f64).abs() < 1.0, "{number} gave {ms}");
            shows_as_itself(ms, data.len());
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = parse_instant(text);
    assert_eq!(parse_rfc3339_ms(text), strict.ok());
    let query = parse_query_instant(text);
    if let Ok(ms) = strict {
        assert_eq!(query, Ok(ms), "{text:?}: a query value reads as RFC 3339");
    }
    for ms in [strict.ok(), query.ok(), parse_http_date_ms(text)]
        .into_iter()
        .flatten()
    {
        assert!(ms.abs() <= MAX_INSTANT_MS, "{text:?} gave {ms}");
        shows_as_itself(ms, data.len());
    }
}

fn shows_as_itself(ms: i64, pick: usize) {
    let second = ms.div_euclid(1000) * 1000;
    let utc = format_instant(ms, 0);
    // RFC 3339 has 4-digit years; beyond them the expanded form is not read back.
    let four_digits = (-62_167_219_200_000..253_402_300_800_000).contains(&ms);
    if four_digits {
        assert_eq!(parse_instant(&utc), Ok(second), "{ms} shown as {utc}");
    }
    let zone = ZONES.get(pick % ZONES.len()).copied().unwrap_or("UTC");
    if let Ok(local) = JiffZones.local(zone, ms) {
        let text = local.rfc3339(ms);
        if four_digits && text.len() == 25 {
            assert_eq!(parse_instant(&text), Ok(second), "{ms} in {zone}: {text}");
        }
    }
}

/// The policy: any text is valid or refused with messages; a valid policy decides
/// every target at any instant, and plans and reconciles against a fixed API.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = match Policy::parse(text, &JiffZones) {
        Ok(policy) => policy,
        Err(e) => {
            assert!(!e.0.is_empty(), "a refused policy says why");
            return;
        }
    };
    for (cluster, nodegroup) in policy.targets() {
        for at in [
            NOW_MS,
            0,
            -62_167_219_200_000,
            MAX_INSTANT_MS,
            i64::MIN,
            i64::MAX,
        ] {
            let _ = policy.rule_at(cluster, nodegroup, &JiffZones, at);
        }
    }
    let client = NksClient::new(
        Config::new("http://nks.test", Credentials::Token(Secret::new(TOKEN))),
        upstream(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = Options::default();
    let report = block_on(plan(&client, &policy, &JiffZones, NOW_MS, &options));
    for action in &report.actions {
        assert_no_secret(&format!("{action:?}"), text);
    }
    let _ = block_on(reconcile(&client, &policy, &JiffZones, NOW_MS, &options));
    let sent = client.transport().requests().len();
    assert!(
        u64::try_from(sent).unwrap_or(u64::MAX) <= 2 * options.budget,
        "{sent} requests"
    );
}

/// The Worker's fixed API: Identity, then a cluster `prod` whose node groups all
/// answer; other clusters do not exist. Writes are accepted.
pub fn upstream() -> Replay {
    Replay::new(NOW_MS, |req: &HttpRequest| {
        let path = req.url.split_once(".test").map_or("", |(_, p)| p);
        let parts: Vec<&str> = path.split('/').collect();
        let body = match (req.method, parts.as_slice()) {
            (Method::Post, ["", "v2.0", "tokens"]) => {
                json!({"access": {"token": {"id": TOKEN, "expires": "2026-11-27T00:00:00Z"}}})
            }
            (_, ["", "v1", "clusters", c, ..]) if *c != "prod" => {
                return Ok(HttpResponse::json(
                    404,
                    r#"{"errors":[{"status":404,"title":"Not Found","detail":"Cluster could not be found."}]}"#,
                ))
            }
            (Method::Get, ["", "v1", "clusters", c]) => {
                json!({"uuid": "0c1a", "name": c, "status": "CREATE_COMPLETE"})
            }
            (Method::Get, ["", "v1", "clusters", _, "config"]) => {
                json!({"config": "apiVersion: v1\nkind: Config\n"})
            }
            (Method::Get, ["", "v1", "clusters", _, "nodegroups", _, "autoscale"]) => {
                json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": 3})
            }
            (Method::Get, ["", "v1", "clusters", _, "nodegroups", ng]) => {
                json!({"uuid": "ng", "name": ng, "node_count": 2, "labels": {"ca_enable": "True"}})
            }
            (Method::Post, _) => json!({"uuid": "accepted"}),
            _ => return Ok(HttpResponse::json(404, "")),
        };
        Ok(HttpResponse::json(200, body.to_string()))
    })
}

/// The Worker's fixed environment.
pub fn environment(name: &str) -> Option<String> {
    let value = match name {
        "NKS_ENDPOINT" => json!("http://nks.test"),
        "NHN_IDENTITY_URL" => json!("http://identity.test"),
        "NHN_TENANT_ID" => json!("tenant"),
        "NHN_USERNAME" => json!("user@example.com"),
        "NHN_API_PASSWORD" => json!(PASSWORD),
        "CORS_ORIGINS" => json!("https://console.example.com"),
        "ACCESS_KEYS" => json!([
            {"name": "ci", "sha256": CI, "scopes": ["kubeconfig", "plan", "reconcile"], "clusters": ["*"]},
            {"name": "viewer", "sha256": VIEWER, "scopes": ["kubeconfig"], "clusters": ["prod"]}
        ]),
        "SCALE_POLICY" => json!({"timezone": "Asia/Seoul", "rules": [
            {"name": "business-hours", "cluster": "prod", "nodegroup": ["default-worker", "batch"],
             "when": {"days": "Mon-Fri", "from": "08:30", "to": "19:00"}, "autoscale": {"min": 3, "max": 10}},
            {"name": "night", "cluster": "prod", "nodegroup": "batch",
             "when": {"from": "22:00", "to": "06:00"}, "node_count": 4},
            {"name": "off-hours", "cluster": "prod", "nodegroup": "default-worker", "autoscale": {"min": 1, "max": 3}}
        ]}),
        _ => return None,
    };
    Some(
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned),
    )
}

/// No report store: the router's checks do not need one.
pub struct NoStore;

impl Store for NoStore {
    async fn put(&self, _: &str, _: &str) -> Result<(), String> {
        Err("no store".into())
    }
    async fn get(&self, _: &str) -> Result<Option<String>, String> {
        Err("no store".into())
    }
    async fn list(&self, _: &str, _: usize, _: Option<&str>) -> Result<Page<String>, String> {
        Err("no store".into())
    }
}

/// An invocation at [`NOW_MS`] without a report store.
pub const INVOCATION: Invocation<'static, NoStore> = Invocation {
    now: &|| NOW_MS,
    store: None,
};

/// The Worker's router and tick. The input is text, one field a line: method (or
/// `TICK`), path with query (for `TICK`: the scheduled time in ms), `Origin`, the
/// key's digest (`ci` and `viewer` stand for the environment's),
/// `Access-Control-Request-Headers` and the body; an empty line is an absent header. Every
/// answer has a valid status, JSON where it says JSON, a JSON log line, header
/// values HTTP can carry, and no secret anywhere.
pub fn router(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or_default();
    let (method, target, origin, key, asked) = (next(), next(), next(), next(), next());
    let body = next();
    let setup = Setup::from_env(&environment, upstream(), JiffZones);
    if method == "TICK" {
        let Ok(scheduled_ms) = target.parse::<i64>() else {
            return;
        };
        for line in block_on(tick(&setup, scheduled_ms, None, None, &INVOCATION)).lines {
            assert!(serde_json::from_str::<Value>(&line).is_ok(), "{line}");
            assert_no_secret(&line, text);
        }
        return;
    }
    let present = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let request = Incoming {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        origin: present(origin),
        key_sha256: match key {
            "ci" => Some(CI.to_owned()),
            "viewer" => Some(VIEWER.to_owned()),
            other => present(other),
        },
        request_headers: present(asked),
        body: present(body),
    };
    let out = block_on(serve(&setup, &request, &INVOCATION, std::future::pending()));
    assert!((100..=599).contains(&out.status), "status {}", out.status);
    let json_body = out
        .headers
        .iter()
        .any(|(k, v)| k == "content-type" && v == "application/json");
    if json_body {
        assert!(
            serde_json::from_str::<Value>(&out.body).is_ok(),
            "{}",
            out.body
        );
    }
    assert!(
        serde_json::from_str::<Value>(&out.log).is_ok(),
        "{}",
        out.log
    );
    // Header values from a real request hold no CR, LF or NUL; answers must not either.
    let valid = |v: &str| !v.contains(['\r', '\n', '\0']);
    if valid(origin) && valid(asked) {
        for (name, value) in &out.headers {
            assert!(valid(value), "{name}: {value:?}");
        }
    }
    for body_or_log in [&out.body, &out.log] {
        assert_no_secret(body_or_log, text);
    }
    for (_, value) in &out.headers {
        assert_no_secret(value, text);
    }
}

/// Neither secret is in `text` (in its strings, if it is JSON: an escape such as
/// `\f` before `uzz…` must not count), unless the caller sent it (a path echoed in
/// a 404).
fn assert_no_secret(text: &str, input: &str) {
    fn strings<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
        match value {
            Value::String(s) => out.push(s),
            Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.push(k);
                strings(v, out);
            }),
            _ => {}
        }
    }
    let json = serde_json::from_str::<Value>(text).ok();
    let mut texts = Vec::new();
    match &json {
        Some(value) => strings(value, &mut texts),
        None => texts.push(text),
    }
    for secret in [PASSWORD, TOKEN] {
        assert!(
            input.contains(secret) || texts.iter().all(|t| !t.contains(secret)),
            "a secret in {text}"
        );
    }
}

/// `ACCESS_KEYS`: any text is a list of keys or refused with a message; a digest
/// that reads is 64 hex digits; each listed key is found by its own digest, with
/// its own name, and holds the scopes and clusters its entry lists.
pub fn access_keys(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(digest) = parse_digest(text) {
        let hex = text.trim();
        assert!(
            hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            "{hex:?} read as a digest {digest:?}"
        );
    }
    let keys = match parse_keys(text) {
        Ok(keys) => keys,
        Err(message) => {
            assert!(!message.is_empty());
            return;
        }
    };
    let entries: Vec<Value> = serde_json::from_str(text).unwrap_or_default();
    assert_eq!(entries.len(), keys.len());
    for (entry, key) in entries.iter().zip(&keys) {
        assert!(!format!("{key:?}").contains(entry["sha256"].as_str().unwrap_or("-")));
        let Some(digest) = entry["sha256"].as_str().and_then(parse_digest) else {
            panic!("{entry} was accepted without a digest");
        };
        for scope in [Scope::Kubeconfig, Scope::Plan, Scope::Reconcile] {
            let listed = entry["scopes"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s == scope.as_str()));
            if let Ok(found) = authorize(&keys, Some(&digest), scope) {
                assert_eq!(found.name, key.name, "one digest, two keys");
                assert!(listed, "{} granted {scope:?}", key.name);
            }
        }
    }
}
