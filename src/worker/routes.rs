//! The Worker's HTTP routes and its cron tick. Requests come in as plain data (the JS
//! entry has already hashed the bearer key, so the key itself never reaches Rust) and
//! go out as plain data with one JSON log line that holds no secret.

use super::access::{authorize, parse_digest, AccessKey, Scope};
use super::config::{ConfigError, Setup};
use crate::error::{Error, ErrorKind};
use crate::schedule::{plan, reconcile, Zones};
use crate::transport::Transport;
use serde_json::{json, Value};

/// An HTTP request, as the JS entry hands it over.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Incoming {
    /// `GET`, `POST`, `OPTIONS`, …
    pub method: String,
    /// The URL's path, percent-encoded as sent.
    pub path: String,
    /// The URL's query, without `?`.
    pub query: String,
    /// The `Origin` header.
    pub origin: Option<String>,
    /// The hex SHA-256 of the bearer key, if one was sent.
    pub key_sha256: Option<String>,
    /// `Access-Control-Request-Headers` of a preflight.
    pub request_headers: Option<String>,
}

/// An HTTP answer and its log line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Outgoing {
    /// The status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// One JSON line: route, key name, cluster, status, duration. Never a secret.
    pub log: String,
}

struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Answer {
            status,
            content_type: "application/json",
            body: body.to_string(),
        }
    }

    fn error(status: u16, kind: &str, message: &str) -> Self {
        Answer::json(status, json!({"error": {"kind": kind, "message": message}}))
    }

    fn config(e: &ConfigError) -> Self {
        Answer::json(
            500,
            json!({"error": {"kind": "config", "variable": e.variable, "message": e.to_string()}}),
        )
    }

    /// An upstream or validation error, keeping the API's title, detail and request id.
    fn upstream(e: &Error) -> Self {
        let status = match e.kind {
            ErrorKind::Validation | ErrorKind::BadRequest => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::RateLimited => 429,
            ErrorKind::Timeout => 504,
            _ => 502,
        };
        let mut error = serde_json::Map::new();
        error.insert("kind".into(), json!(e.kind.as_str()));
        error.insert("message".into(), json!(e.message));
        error.insert("status".into(), json!(e.status));
        for (key, value) in [
            ("title", &e.title),
            ("detail", &e.detail),
            ("requestId", &e.request_id),
            ("field", &e.field),
        ] {
            if let Some(v) = value {
                error.insert(key.into(), json!(v));
            }
        }
        Answer::json(status, json!({"error": error}))
    }
}

/// Decodes `%XX` escapes of one path segment.
fn decode(segment: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(segment.len());
    let mut rest = segment.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = tail.get(2..)?;
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// What a request is, once routed.
enum Route {
    Health,
    Kubeconfig(String),
    Plan,
    Reconcile,
}

fn route(method: &str, path: &str) -> Result<(Route, &'static str), Answer> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (route, name, allowed) = match segments.as_slice() {
        ["healthz"] => (Some(Route::Health), "/healthz", "GET"),
        ["v1", "clusters", cluster, "kubeconfig"] => {
            let cluster = decode(cluster).filter(|c| !c.is_empty()).ok_or_else(|| {
                Answer::error(400, "validation", "the cluster in the path is not valid")
            })?;
            (
                Some(Route::Kubeconfig(cluster)),
                "/v1/clusters/{cluster}/kubeconfig",
                "GET",
            )
        }
        ["v1", "plan"] => (Some(Route::Plan), "/v1/plan", "GET"),
        ["v1", "reconcile"] => (Some(Route::Reconcile), "/v1/reconcile", "POST"),
        _ => (None, "unknown", ""),
    };
    match route {
        None => Err(Answer::error(
            404,
            "not_found",
            &format!("no route {method} {path}"),
        )),
        Some(_) if method != allowed => Err(Answer::error(
            405,
            "method_not_allowed",
            &format!("{name} answers {allowed} only"),
        )),
        Some(route) => Ok((route, name)),
    }
}

/// `at` from the query (`?at=RFC3339`), or now.
fn instant(query: &str, now_ms: i64) -> Result<i64, Answer> {
    for pair in query.split('&') {
        if let Some(value) = pair.strip_prefix("at=") {
            let text = decode(&value.replace('+', " ")).unwrap_or_default();
            return crate::time::parse_rfc3339_ms(&text).ok_or_else(|| {
                Answer::json(400, json!({"error": {"kind": "validation", "field": "at",
                    "message": format!("at: {text:?} is not an RFC 3339 instant (2026-11-26T09:00:00+09:00)")}}))
            });
        }
    }
    Ok(now_ms)
}

fn allowed_origin<'a>(origins: &[String], origin: Option<&'a str>) -> Option<&'a str> {
    let origin = origin?;
    origins
        .iter()
        .any(|o| o == "*" || o == origin)
        .then_some(origin)
}

fn key_for<'k, T, Z>(
    setup: &'k Setup<T, Z>,
    request: &Incoming,
    scope: Scope,
    clusters: &[&str],
) -> Result<&'k AccessKey, Answer> {
    let keys = setup.access.as_ref().map_err(Answer::config)?;
    let digest = request.key_sha256.as_deref().and_then(parse_digest);
    authorize(keys, digest.as_ref(), scope, clusters).map_err(|d| {
        let kind = if d.status == 401 {
            "unauthorized"
        } else {
            "forbidden"
        };
        Answer::error(d.status, kind, &d.message)
    })
}

/// Serves one request. `now` reads the clock (for `?at` defaults and durations).
pub async fn serve<T: Transport, Z: Zones>(
    setup: &Setup<T, Z>,
    request: &Incoming,
    now: &dyn Fn() -> i64,
) -> Outgoing {
    let started = now();
    let mut key_name: Option<String> = None;
    let mut cluster_name: Option<String> = None;
    let mut route_name = "unknown";
    let origin = allowed_origin(&setup.cors_origins, request.origin.as_deref());
    let answer = if request.method == "OPTIONS" {
        route_name = "preflight";
        Answer {
            status: 204,
            content_type: "",
            body: String::new(),
        }
    } else {
        match route(&request.method, &request.path) {
            Err(answer) => answer,
            Ok((route, name)) => {
                route_name = name;
                let result = handle(
                    setup,
                    request,
                    route,
                    started,
                    &mut key_name,
                    &mut cluster_name,
                )
                .await;
                result.unwrap_or_else(|a| a)
            }
        }
    };
    let mut headers = Vec::new();
    if !answer.content_type.is_empty() {
        headers.push(("content-type".to_owned(), answer.content_type.to_owned()));
    }
    if route_name != "/healthz" {
        headers.push(("cache-control".into(), "no-store".into()));
    }
    if let Some(origin) = origin {
        headers.push(("access-control-allow-origin".into(), origin.to_owned()));
        headers.push(("vary".into(), "Origin".into()));
        if request.method == "OPTIONS" {
            headers.push((
                "access-control-allow-methods".into(),
                "GET, POST, OPTIONS".into(),
            ));
            let asked = request
                .request_headers
                .clone()
                .unwrap_or_else(|| "authorization, content-type".into());
            headers.push(("access-control-allow-headers".into(), asked));
            headers.push(("access-control-max-age".into(), "600".into()));
        }
    }
    let log = json!({
        "event": "request", "method": request.method, "route": route_name, "key": key_name,
        "cluster": cluster_name, "status": answer.status, "duration_ms": now() - started,
    })
    .to_string();
    Outgoing {
        status: answer.status,
        headers,
        body: answer.body,
        log,
    }
}

async fn handle<T: Transport, Z: Zones>(
    setup: &Setup<T, Z>,
    request: &Incoming,
    route: Route,
    now_ms: i64,
    key_name: &mut Option<String>,
    cluster_name: &mut Option<String>,
) -> Result<Answer, Answer> {
    match route {
        Route::Health => Ok(Answer::json(
            200,
            json!({"ok": true, "version": env!("CARGO_PKG_VERSION")}),
        )),
        Route::Kubeconfig(cluster) => {
            *cluster_name = Some(cluster.clone());
            let key = key_for(setup, request, Scope::Kubeconfig, &[&cluster])?;
            *key_name = Some(key.name.clone());
            let client = setup.client.as_ref().map_err(Answer::config)?;
            let yaml = client
                .kubeconfig(&cluster)
                .await
                .map_err(|e| Answer::upstream(&e))?;
            Ok(Answer {
                status: 200,
                content_type: "application/yaml",
                body: yaml.expose().to_owned(),
            })
        }
        Route::Plan | Route::Reconcile => {
            let policy = setup.policy.as_ref().map_err(Answer::config)?;
            let scope = if matches!(route, Route::Plan) {
                Scope::Plan
            } else {
                Scope::Reconcile
            };
            let key = key_for(setup, request, scope, &policy.clusters())?;
            *key_name = Some(key.name.clone());
            let client = setup.client.as_ref().map_err(Answer::config)?;
            let options = setup.options.as_ref().map_err(Answer::config)?;
            let report = if matches!(route, Route::Plan) {
                let at = instant(&request.query, now_ms)?;
                plan(client, policy, &setup.zones, at, options).await
            } else {
                reconcile(client, policy, &setup.zones, now_ms, options).await
            };
            Ok(Answer::json(200, json!(report)))
        }
    }
}

/// The cron tick: reconcile at the event's `scheduledTime` (unless `DRY_RUN`); answers
/// the JSON lines to log. A configuration error is one line naming the variable.
pub async fn tick<T: Transport, Z: Zones>(setup: &Setup<T, Z>, scheduled_ms: i64) -> Vec<String> {
    let ready = (|| {
        Ok::<_, &ConfigError>((
            setup.policy.as_ref()?,
            setup.client.as_ref()?,
            setup.options.as_ref()?,
        ))
    })();
    match ready {
        Err(e) => vec![json!({"event": "config_error", "variable": e.variable, "message": e.to_string(), "applied": false}).to_string()],
        Ok((policy, client, options)) => reconcile(client, policy, &setup.zones, scheduled_ms, options).await.json_lines(),
    }
}
