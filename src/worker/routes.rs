//! The Worker's HTTP routes and its cron tick. Requests come in as plain data (the JS
//! entry has already hashed the bearer key, so the key itself never reaches Rust) and
//! go out as plain data with one JSON log line; every text that leaves is redacted of
//! the Worker's secrets last.

use super::access::{authorize, parse_digest, AccessKey, Scope};
use super::config::{ConfigError, Setup};
use super::gateway;
use super::log;
use super::reports::{self, Store, NOT_KEPT};
use crate::error::{Error, ErrorKind, Service};
use crate::schedule::plan::{reconcile_clusters, run_into, Failure, FailureKind, Progress};
use crate::schedule::{reconcile, status, Options, Policy, Report, StatusOptions, Zones};
use crate::transport::Transport;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;

/// The most a route may take before it answers 504: below the point where callers
/// and the platform give up, and well below three upstream timeouts in a row.
pub const ROUTE_LIMIT_MS: u32 = 25_000;

/// How long before [`ROUTE_LIMIT_MS`] `/v1/plan` and `/v1/reconcile` stop starting
/// clusters: time for those started to finish their few round trips, so that the
/// report is usually whole and the rest waits. One that takes longer (a request
/// hanging until its timeout) is cut off and reported as such.
pub const UNIT_ALLOWANCE_MS: u32 = 10_000;

/// The largest request body accepted (413 above).
pub const BODY_LIMIT: usize = 64 * 1024;

/// An HTTP request, as the JS entry hands it over. `Debug` shows no key hash and no
/// body (a body may hold credentials).
#[derive(Clone, Default, PartialEq, Eq, serde::Deserialize)]
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
    /// The body, if one was sent (the JS entry reads at most [`BODY_LIMIT`] + 1 bytes).
    pub body: Option<String>,
}

/// An HTTP answer and its log line. `Debug` shows the body's length only (it may be a
/// kubeconfig).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outgoing {
    /// The status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// One JSON line: time, level, route, key name, operation, cluster, status,
    /// duration. Never a secret.
    pub log: String,
}

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("origin", &self.origin)
            .field("key", &self.key_sha256.as_ref().map(|_| "***"))
            .field("request_headers", &self.request_headers)
            .field(
                "body",
                &self.body.as_ref().map(|b| format!("{} bytes", b.len())),
            )
            .finish()
    }
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .field("log", &self.log)
            .finish()
    }
}

/// What a request needs from its invocation besides the setup.
pub struct Invocation<'a, S> {
    /// The clock (for `?at` defaults, durations and log times).
    pub now: &'a dyn Fn() -> i64,
    /// Where reports are kept, when a store is bound.
    pub store: Option<&'a S>,
}

/// An answer before headers and redaction.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: String,
    /// Upstream headers passed through (the request id, `Retry-After`).
    pub(super) headers: Vec<(String, String)>,
}

impl Answer {
    pub(super) fn json(status: u16, body: Value) -> Self {
        Answer {
            status,
            content_type: "application/json",
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    /// A 200 whose body is JSON text already.
    fn json_text(body: String) -> Self {
        Answer {
            status: 200,
            content_type: "application/json",
            body,
            headers: Vec::new(),
        }
    }

    pub(super) fn error(status: u16, kind: &str, message: &str) -> Self {
        Answer::json(status, json!({"error": {"kind": kind, "message": message}}))
    }

    pub(super) fn config(e: &ConfigError) -> Self {
        Answer::json(
            500,
            json!({"error": {"kind": "config", "variable": e.variable, "message": e.to_string()}}),
        )
    }

    /// A 400 about the query or the body.
    pub(super) fn invalid(field: &str, message: &str) -> Self {
        Answer::json(
            400,
            json!({"error": {"kind": "validation", "field": field, "message": format!("{field}: {message}")}}),
        )
    }

    /// Identity refused or failed: one 502 that says so, never Identity's own body.
    pub(super) fn identity(kind: ErrorKind, status: u16, message: &str) -> Self {
        let why = match kind {
            ErrorKind::Unauthorized => "Identity refused the Worker's credentials (NHN_TENANT_ID, NHN_USERNAME, NHN_API_PASSWORD)".to_owned(),
            _ => format!("Identity failed: {message}"),
        };
        Answer::json(
            502,
            json!({"error": {"kind": kind.as_str(), "service": "identity", "status": status, "message": why}}),
        )
    }

    /// An upstream or validation error, keeping the API's title, detail and request id;
    /// Identity's failures are [`Answer::identity`]'s 502.
    pub(super) fn upstream(e: &Error) -> Self {
        if e.service == Some(Service::Identity) {
            return Answer::identity(e.kind, e.status, &e.message);
        }
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

/// Decodes `%XX` escapes (no `+` rule: a `+` stays a `+`).
fn decode(text: &str) -> Option<String> {
    crate::api::decode(text)
}

/// What a request is, once routed.
enum Route {
    Health,
    Kubeconfig(String),
    Plan,
    Reconcile,
    Reports,
    Policy,
    Status,
    Gateway,
}

impl Route {
    /// The query parameters the route takes.
    fn parameters(&self) -> &'static [&'static str] {
        match self {
            Route::Plan => &["at"],
            Route::Status => &["at", "cluster"],
            Route::Reconcile => &["dry_run"],
            Route::Reports => &["limit", "cursor"],
            Route::Health | Route::Kubeconfig(_) | Route::Policy | Route::Gateway => &[],
        }
    }
}

/// Whether `path` is the gateway's (`/nks/…`).
fn is_gateway(path: &str) -> bool {
    path == "/nks" || path.starts_with("/nks/")
}

fn route(method: &str, path: &str) -> Result<(Route, &'static str), Answer> {
    if is_gateway(path) {
        return Ok((Route::Gateway, "/nks"));
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (route, name, allowed): (Option<Route>, &str, &[&str]) = match segments.as_slice() {
        ["healthz"] => (Some(Route::Health), "/healthz", &["GET", "HEAD"]),
        ["v1", "clusters", cluster, "kubeconfig"] => {
            let cluster = decode(cluster).filter(|c| !c.is_empty()).ok_or_else(|| {
                Answer::error(400, "validation", "the cluster in the path is not valid")
            })?;
            (
                Some(Route::Kubeconfig(cluster)),
                "/v1/clusters/{cluster}/kubeconfig",
                &["GET"],
            )
        }
        ["v1", "plan"] => (Some(Route::Plan), "/v1/plan", &["GET"]),
        ["v1", "reconcile"] => (Some(Route::Reconcile), "/v1/reconcile", &["POST"]),
        ["v1", "reports"] => (Some(Route::Reports), "/v1/reports", &["GET"]),
        ["v1", "policy"] => (Some(Route::Policy), "/v1/policy", &["GET"]),
        ["v1", "status"] => (Some(Route::Status), "/v1/status", &["GET"]),
        _ => (None, "unknown", &[]),
    };
    match route {
        // The caller's path is not echoed: answers have the Worker's secrets replaced
        // by `***`, so an echo would tell a caller without a key which of its guesses
        // is the password.
        None => Err(Answer::error(
            404,
            "not_found",
            "no route answers this method and path",
        )),
        Some(_) if !allowed.contains(&method) => Err(Answer::error(
            405,
            "method_not_allowed",
            &format!("{name} answers {} only", allowed.join(", ")),
        )),
        Some(route) => Ok((route, name)),
    }
}

/// At most 100 characters of caller text, for messages.
pub(super) fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(100).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// The query's parameters, decoded; any the route does not take, or given twice, is a
/// 400 naming them.
fn parameters(query: &str, allowed: &[&str]) -> Result<Vec<(String, String)>, Answer> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut unknown = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name).unwrap_or_else(|| name.to_owned());
        if !allowed.contains(&name.as_str()) {
            unknown.push(clip(&name));
            continue;
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(Answer::invalid(&name, "is given more than once"));
        }
        let value = decode(value)
            .ok_or_else(|| Answer::invalid(&name, "is not valid percent-encoded UTF-8"))?;
        out.push((name, value));
    }
    if !unknown.is_empty() {
        let takes = if allowed.is_empty() {
            "this route takes no query parameters".to_owned()
        } else {
            format!("this route takes {}", allowed.join(", "))
        };
        return Err(Answer::json(
            400,
            json!({"error": {"kind": "validation", "field": "query",
                "message": format!("unknown query parameter {}: {takes}", unknown.join(", "))}}),
        ));
    }
    Ok(out)
}

fn parameter<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `at` (an RFC 3339 instant with an offset, `%2B` or an unencoded `+` before the
/// offset), or now.
fn instant(at: Option<&str>, now_ms: i64) -> Result<i64, Answer> {
    match at {
        None => Ok(now_ms),
        Some(text) => crate::time::parse_query_instant(text)
            .map_err(|e| Answer::invalid("at", &e.to_string())),
    }
}

/// The CORS headers of an answer to `origin`: none unless `origins` (`CORS_ORIGINS`)
/// allow it; a preflight's (`Some`, with what its `Access-Control-Request-Headers`
/// asked for) also names the methods and headers allowed. The router's answers and
/// the JavaScript entry's own 500 both carry them.
pub fn cors_headers(
    origins: &[String],
    origin: Option<&str>,
    preflight: Option<Option<&str>>,
) -> Vec<(String, String)> {
    let Some(origin) = origin.filter(|origin| origins.iter().any(|o| o == "*" || o == origin))
    else {
        return Vec::new();
    };
    let mut headers = vec![
        ("access-control-allow-origin".into(), origin.to_owned()),
        ("vary".into(), "Origin".into()),
        (
            "access-control-expose-headers".into(),
            "x-openstack-request-id, retry-after".into(),
        ),
    ];
    if let Some(asked) = preflight {
        headers.push((
            "access-control-allow-methods".into(),
            "GET, HEAD, POST, PATCH, DELETE, OPTIONS".into(),
        ));
        let asked = asked.unwrap_or("authorization, content-type");
        headers.push(("access-control-allow-headers".into(), asked.to_owned()));
        headers.push(("access-control-max-age".into(), "600".into()));
    }
    headers
}

/// The caller's key, if it has `scope`; a 403 still names the key in the log.
pub(super) fn key_for<'k, T, Z>(
    setup: &'k Setup<T, Z>,
    request: &Incoming,
    scope: Scope,
    key_name: &mut Option<String>,
) -> Result<&'k AccessKey, Answer> {
    let keys = setup.access.as_ref().map_err(Answer::config)?;
    let digest = request.key_sha256.as_deref().and_then(parse_digest);
    let key = authorize(keys, digest.as_ref(), scope).map_err(|d| {
        key_name.clone_from(&d.key);
        let kind = if d.status == 401 {
            "unauthorized"
        } else {
            "forbidden"
        };
        Answer::error(d.status, kind, &d.message)
    })?;
    *key_name = Some(key.name.clone());
    Ok(key)
}

/// What the log line says about a request, filled in as it is handled.
#[derive(Default)]
pub(super) struct Facts {
    pub(super) key: Option<String>,
    pub(super) cluster: Option<String>,
    pub(super) operation: Option<&'static str>,
    /// A plan or reconcile run's report as it is made: what finished is answered
    /// even when the route gives up.
    pub(super) run: Option<Progress>,
}

/// Polls `work` until it is done or `give_up` is; `None`: gave up.
async fn within<W: Future>(work: W, give_up: impl Future<Output = ()>) -> Option<W::Output> {
    let mut work = pin!(work);
    let mut give_up = pin!(give_up);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        match give_up.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// The 504 of a route that gave up; a plan or reconcile run answers its report so
/// far beside the error: the clusters it finished, those cut off mid-way (as errors:
/// a write may have been applied) and those not started (waiting).
fn timed_out(run: Option<Progress>) -> Answer {
    let message = format!("the NKS API did not answer within {ROUTE_LIMIT_MS} ms");
    match run {
        None => Answer::error(504, "timeout", &message),
        Some(progress) => Answer::json(
            504,
            json!({
                "error": {"kind": "timeout", "message": message},
                "report": progress.into_report(),
            }),
        ),
    }
}

/// Serves one request; gives up with a 504 when `give_up` completes first (the wasm
/// entry passes a [`ROUTE_LIMIT_MS`] timer).
pub async fn serve<T: Transport, Z: Zones, S: Store>(
    setup: &Setup<T, Z>,
    request: &Incoming,
    invocation: &Invocation<'_, S>,
    give_up: impl Future<Output = ()>,
) -> Outgoing {
    let now = invocation.now;
    let started = now();
    let mut facts = Facts::default();
    let mut route_name = "unknown";
    // The gateway's own 413 and 504 speak the API's error shape, as its refusals do.
    let own = |answer: Answer| {
        if is_gateway(&request.path) {
            gateway::as_api_error(answer)
        } else {
            answer
        }
    };
    let answer = if request.method == "OPTIONS" {
        route_name = "preflight";
        Answer {
            status: 204,
            content_type: "",
            body: String::new(),
            headers: Vec::new(),
        }
    } else if request.body.as_ref().is_some_and(|b| b.len() > BODY_LIMIT) {
        own(Answer::error(
            413,
            "payload_too_large",
            &format!("the body is larger than {BODY_LIMIT} bytes"),
        ))
    } else {
        match route(&request.method, &request.path) {
            Err(answer) => answer,
            Ok((route, name)) => {
                route_name = name;
                let work = handle(setup, request, invocation, route, started, &mut facts);
                match within(work, give_up).await {
                    Some(result) => result.unwrap_or_else(|a| a),
                    None => own(timed_out(facts.run.take())),
                }
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
    headers.extend(answer.headers);
    let preflight = (request.method == "OPTIONS").then_some(request.request_headers.as_deref());
    headers.extend(cors_headers(
        &setup.cors_origins,
        request.origin.as_deref(),
        preflight,
    ));
    let level = match answer.status {
        500.. => "error",
        400.. => "warn",
        _ => "info",
    };
    let ended = now();
    let log = log::line(
        ended,
        level,
        json!({
            "event": "request", "method": clip(&request.method), "route": route_name,
            "operation": facts.operation, "key": facts.key, "cluster": facts.cluster,
            "status": answer.status, "duration_ms": ended - started,
        }),
    );
    let secrets = &setup.secrets;
    Outgoing {
        status: answer.status,
        headers: headers
            .into_iter()
            .map(|(k, v)| (k, secrets.redact_answer(&v)))
            .collect(),
        body: secrets.redact_answer(&answer.body),
        log: secrets.redact(&log),
    }
}

async fn handle<T: Transport, Z: Zones, S: Store>(
    setup: &Setup<T, Z>,
    request: &Incoming,
    invocation: &Invocation<'_, S>,
    route: Route,
    now_ms: i64,
    facts: &mut Facts,
) -> Result<Answer, Answer> {
    if matches!(route, Route::Health) {
        return Ok(Answer::json(
            200,
            json!({"ok": true, "version": env!("CARGO_PKG_VERSION")}),
        ));
    }
    if matches!(route, Route::Gateway) {
        return gateway::forward(setup, request, facts).await;
    }
    // Authenticate before anything else is shown (a broken policy, a bad query).
    let scope = match route {
        Route::Kubeconfig(_) => Scope::Kubeconfig,
        Route::Reconcile => Scope::Reconcile,
        _ => Scope::Plan,
    };
    let key = key_for(setup, request, scope, &mut facts.key)?;
    let params = parameters(&request.query, route.parameters())?;
    match route {
        Route::Kubeconfig(cluster) => {
            facts.cluster = Some(clip(&cluster));
            gateway::check_cluster(setup, key, &cluster).await?;
            let client = setup.client.as_ref().map_err(Answer::config)?;
            let yaml = client
                .kubeconfig(&cluster)
                .await
                .map_err(|e| Answer::upstream(&e))?;
            Ok(Answer {
                status: 200,
                content_type: "application/yaml",
                body: yaml.expose().to_owned(),
                headers: Vec::new(),
            })
        }
        Route::Reports => {
            // Reports name every cluster of the policy: the key must cover them all.
            allowed_policy(setup, key)?;
            let limit = match parameter(&params, "limit") {
                None => 10,
                Some(text) => text
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=reports::MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Answer::invalid(
                            "limit",
                            &format!("must be a whole number from 1 to {}", reports::MAX_LIMIT),
                        )
                    })?,
            };
            // The store's cursor, from a `next` this Worker gave: anything else is
            // refused here, not handed to the store (whose refusal of a cursor reads
            // like an outage).
            let cursor = parameter(&params, "cursor")
                .map(|given| {
                    Some(given)
                        .filter(|g| g.len() <= reports::MAX_CURSOR)
                        .and_then(reports::unseal)
                        .ok_or_else(|| {
                            Answer::invalid(
                                "cursor",
                                &format!(
                                    "must be the `next` of an earlier answer, unchanged and \
                                     URL-encoded (at most {} bytes)",
                                    reports::MAX_CURSOR
                                ),
                            )
                        })
                })
                .transpose()?;
            let Some(store) = invocation.store else {
                return Ok(Answer::json(
                    200,
                    json!({"kept": false, "message": NOT_KEPT, "reports": [], "next": null}),
                ));
            };
            let page = reports::latest(store, limit, cursor).await.map_err(|why| {
                // A cursor the Worker gave may still be refused by the store (one
                // it no longer knows): the failure may be that, or an outage.
                let hint = if cursor.is_some() {
                    " (a `cursor` must be the `next` of a recent answer)"
                } else {
                    ""
                };
                Answer::error(
                    502,
                    "store",
                    &format!("the report store failed{hint}: {why}"),
                )
            })?;
            // Kept reports may name clusters the policy no longer does: a key sees
            // only those whose every cluster it covers.
            let reports: Vec<Value> = page
                .items
                .into_iter()
                .filter(|r| reports::clusters(r).iter().all(|c| key.allows_cluster(c)))
                .collect();
            Ok(Answer::json(
                200,
                json!({"kept": true, "reports": reports, "next": page.cursor}),
            ))
        }
        Route::Policy => {
            allowed_policy(setup, key)?;
            Ok(Answer::json_text(
                setup.policy_text.clone().unwrap_or_default(),
            ))
        }
        Route::Status => {
            let policy = allowed_policy(setup, key)?;
            let client = setup.client.as_ref().map_err(Answer::config)?;
            let at = instant(parameter(&params, "at"), now_ms)?;
            // `cluster=a,b`: a fleet larger than one budget is read a part at a time.
            let asked = parameter(&params, "cluster");
            let clusters: Vec<String> = asked
                .map(|list| {
                    list.split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if asked.is_some() && clusters.is_empty() {
                return Err(Answer::invalid(
                    "cluster",
                    "must name one or more clusters of the policy",
                ));
            }
            let options = StatusOptions {
                clusters,
                budget: Some(setup.options.as_ref().map_err(Answer::config)?.budget),
            };
            let report = status(client, policy, &setup.zones, at, &options)
                .await
                .map_err(|e| match e.issues.first() {
                    Some(issue) => Answer::invalid(&issue.path, &issue.message),
                    None => Answer::upstream(&e),
                })?;
            Ok(Answer::json(200, json!(report)))
        }
        Route::Plan | Route::Reconcile => {
            let policy = allowed_policy(setup, key)?;
            let client = setup.client.as_ref().map_err(Answer::config)?;
            let mut options = setup.options.as_ref().map_err(Answer::config)?.clone();
            let starts_until = ROUTE_LIMIT_MS.saturating_sub(UNIT_ALLOWANCE_MS);
            options.deadline_ms = Some(now_ms + i64::from(starts_until));
            let (at, apply) = if matches!(route, Route::Plan) {
                (instant(parameter(&params, "at"), now_ms)?, false)
            } else {
                // `dry_run` can make a run a dry one, never undo the operator's DRY_RUN.
                if let Some(text) = parameter(&params, "dry_run") {
                    options.dry_run |= crate::model::value::parse_flag(text)
                        .ok_or_else(|| Answer::invalid("dry_run", "must be true or false"))?;
                }
                (now_ms, true)
            };
            let progress = facts.run.insert(Progress::default());
            run_into(client, policy, &setup.zones, at, &options, apply, progress).await;
            let report = facts.run.take().unwrap_or_default().into_report();
            if let Some(f) = identity_lost(&report) {
                return Err(Answer::identity(error_kind(f), f.status, &f.message));
            }
            Ok(Answer::json(200, json!(report)))
        }
        Route::Health | Route::Gateway => Err(Answer::error(500, "internal", "unrouted")),
    }
}

/// The policy, when it is valid and the key may touch every cluster it names.
fn allowed_policy<'s, T, Z>(setup: &'s Setup<T, Z>, key: &AccessKey) -> Result<&'s Policy, Answer> {
    let policy = setup.policy.as_ref().map_err(Answer::config)?;
    if let Some(outside) = policy.clusters().iter().find(|c| !key.allows_cluster(c)) {
        let denied = key.denied(format!("may not touch cluster {outside:?}"));
        return Err(Answer::error(403, "forbidden", &denied.message));
    }
    Ok(policy)
}

/// Identity's failure, when Identity failed during a run that therefore read nothing:
/// one error for the run instead of the same one per cluster.
fn identity_lost(report: &Report) -> Option<&Failure> {
    let nothing_read = report.actions.is_empty() && report.unchanged.is_empty();
    let identity = report
        .errors
        .iter()
        .map(|p| &p.error)
        .find(|f| f.service == Some(Service::Identity));
    identity.filter(|_| nothing_read)
}

/// The API error kind of a failure (Identity's are always API failures).
fn error_kind(f: &Failure) -> ErrorKind {
    match f.kind {
        FailureKind::Api(kind) => kind,
        FailureKind::Plan | FailureKind::Deferred => ErrorKind::Server,
    }
}

/// What a tick did, for its caller to log and (for a queued share) to ack or retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticked {
    /// The JSON lines to log.
    pub lines: Vec<String>,
    /// Whether something failed that a later try may fix (Identity, 5xx, 429,
    /// timeouts, the network): a queued share is then retried.
    pub transient: bool,
}

/// One queued share of a tick (`clusters` at the tick's instant `at`, of the trigger
/// `cron` when known): nothing when a newer tick superseded it (its plan would undo
/// the newer one's), else [`tick`]. When the store cannot say which tick is newest,
/// the share is retried rather than run.
pub async fn queued<T: Transport, Z: Zones, S: Store>(
    setup: &Setup<T, Z>,
    at: i64,
    clusters: &[String],
    cron: Option<&str>,
    invocation: &Invocation<'_, S>,
) -> Ticked {
    let now = invocation.now;
    let newest = match invocation.store {
        None => Ok(None),
        Some(store) => reports::latest_tick(store).await,
    };
    let (line, transient) = match newest {
        Ok(Some(newest)) if newest > at => (
            log::line(
                now(),
                "info",
                json!({"event": "superseded", "at": log::timestamp(at),
                       "clusters": clusters, "newest": log::timestamp(newest)}),
            ),
            false,
        ),
        Ok(_) => return tick(setup, at, cron, Some(clusters), invocation).await,
        Err(why) => (
            log::line(
                now(),
                "warn",
                json!({"event": "queued", "at": log::timestamp(at), "clusters": clusters,
                       "message": format!("the report store failed ({why}): whether a newer tick superseded this share is unknown, so it is retried")}),
            ),
            true,
        ),
    };
    Ticked {
        lines: vec![setup.secrets.redact(&line)],
        transient,
    }
}

/// Whether a failure may pass by itself.
fn transient(kind: FailureKind) -> bool {
    matches!(
        kind,
        FailureKind::Api(
            ErrorKind::Server | ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Network
        )
    )
}

/// The cron tick: reconcile at the event's `scheduledTime` (unless `DRY_RUN`), keep
/// the report when a store is bound; answers the JSON lines to log. A configuration
/// error is one line naming the variable. `cron` is the event's trigger: the fleet's
/// rotation counts its firings ([`super::cron::tick_number`]). `clusters` limits the tick
/// to a queued group's share (`None`: the whole policy).
pub async fn tick<T: Transport, Z: Zones, S: Store>(
    setup: &Setup<T, Z>,
    scheduled_ms: i64,
    cron: Option<&str>,
    clusters: Option<&[String]>,
    invocation: &Invocation<'_, S>,
) -> Ticked {
    let now = invocation.now;
    let ready = (|| {
        Ok::<_, &ConfigError>((
            setup.policy.as_ref()?,
            setup.client.as_ref()?,
            setup.options.as_ref()?,
        ))
    })();
    let (policy, client, options) = match ready {
        Err(e) => {
            let line = log::line(
                now(),
                "error",
                json!({"event": "config_error", "variable": e.variable, "message": e.to_string(), "applied": false}),
            );
            return Ticked {
                lines: vec![setup.secrets.redact(&line)],
                transient: false,
            };
        }
        Ok(ready) => ready,
    };
    let counted;
    let options = match cron {
        Some(cron) => {
            counted = Options {
                tick: Some(super::cron::tick_number(cron, scheduled_ms)),
                ..options.clone()
            };
            &counted
        }
        None => options,
    };
    let report = match clusters {
        None => reconcile(client, policy, &setup.zones, scheduled_ms, options).await,
        Some(clusters) => {
            let names: Vec<&str> = clusters.iter().map(String::as_str).collect();
            reconcile_clusters(client, policy, &setup.zones, scheduled_ms, options, &names).await
        }
    };
    let identity = identity_lost(&report);
    let transient = identity.is_some()
        || report.errors.iter().any(|p| transient(p.error.kind))
        || report
            .actions
            .iter()
            .filter_map(|a| a.error.as_ref())
            .any(|f| transient(f.kind));
    let mut lines: Vec<String> = match identity {
        Some(e) => vec![log::line(
            now(),
            "error",
            json!({"event": "identity_error", "at": report.at, "kind": e.kind,
                   "status": e.status, "message": e.message, "applied": false}),
        )],
        None => report
            .log_events()
            .into_iter()
            .map(|event| log::stamp(now(), event))
            .collect(),
    };
    let part = match clusters {
        None => "all".to_owned(),
        Some(clusters) => format!(
            "{}+{}",
            clip(clusters.first().map_or("", String::as_str)),
            clusters.len().saturating_sub(1)
        ),
    };
    let (level, stored) = match invocation.store {
        None => (
            "info",
            json!({"event": "report", "kept": false, "message": NOT_KEPT}),
        ),
        Some(store) => {
            let text = setup.secrets.redact(&json!(report).to_string());
            match reports::keep(store, scheduled_ms, &part, &text).await {
                Ok(()) => ("info", json!({"event": "report", "kept": true})),
                Err(why) => (
                    "warn",
                    json!({"event": "report", "kept": false, "message": format!("the report store failed: {why}")}),
                ),
            }
        }
    };
    lines.push(log::line(now(), level, stored));
    Ticked {
        lines: lines.iter().map(|l| setup.secrets.redact(l)).collect(),
        transient,
    }
}
