//! The HTTP side: routing to Identity, NKS and the `/_emulator/` test routes; auth
//! and microversion checks; CORS; the request log (secrets masked); faults.

use crate::faults::{decide, Fault, FaultError, FaultMode};
use crate::identity::{self, Account, Tokens};
use crate::log::RequestLog;
use crate::nks::{self, Limits};
use crate::ops;
use crate::reply::{error_body, Ctx, Reply};
use crate::state::{from_seed, Blueprint, Pending, Seed, World};
use crate::util::{now_ms, percent_decode, Rng};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{json, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The largest request body read: past it, 413 (16 MiB: a seed of thousands of
/// clusters fits).
const BODY_LIMIT: usize = 16 << 20;
/// A body larger than this is logged as its length, not kept: the log holds up to
/// `--log-limit` requests.
const LOGGED_BODY: usize = 64 << 10;

/// The lowest and highest `container-infra` microversions accepted.
const MIN_VERSION: (u32, u32) = (1, 1);
const MAX_VERSION: (u32, u32) = (1, 10);

/// Everything fixed at start-up.
pub struct Options {
    pub account: Account,
    pub limits: Limits,
    pub cors_origins: Vec<String>,
    /// The seed JSON that `/_emulator/reset` returns to.
    pub seed: String,
    /// Faults from the command line, restored by `/_emulator/reset`.
    pub faults: Vec<Fault>,
    /// How many requests the log keeps (`--log-limit`).
    pub log_limit: usize,
}

struct State {
    world: World,
    tokens: Tokens,
    rng: Rng,
    faults: Vec<Fault>,
    /// The request log: a handler that awaits finds its entry again by number.
    log: RequestLog,
}

/// The running emulator.
pub struct App {
    options: Options,
    base_url: String,
    /// `--rng-seed`: where the dice start, and start again on a reset or a new seed.
    rng_seed: u64,
    state: Mutex<State>,
}

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
pub struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by fault injection")
    }
}

impl std::error::Error for Closed {}

/// The world of seed `text`, and the dice after it, both from `rng_seed`: the start,
/// a reset and a new seed each begin there, so `--rng-seed` reproduces all three.
fn build_world(text: &str, rng_seed: u64, options: &Options) -> Result<(World, Rng), String> {
    let seed: Seed = serde_json::from_str(text).map_err(|e| format!("seed: {e}"))?;
    let bp = Blueprint {
        now_ms: now_ms(),
        project_id: &options.limits.project_id,
        op_delay_ms: options.limits.op_delay_ms,
    };
    let mut rng = Rng::new(rng_seed);
    let world = from_seed(seed, &mut rng, &bp).map_err(|e| format!("seed: {e}"))?;
    Ok((world, rng))
}

impl App {
    pub fn new(options: Options, base_url: String, rng_seed: u64) -> Result<Self, String> {
        let (world, rng) = build_world(&options.seed, rng_seed, &options)?;
        Ok(App {
            rng_seed,
            state: Mutex::new(State {
                world,
                tokens: Tokens::default(),
                rng,
                faults: options.faults.clone(),
                log: RequestLog::new(options.log_limit),
            }),
            options,
            base_url,
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a handler panicked; the state is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

type HttpResponse = Response<Full<Bytes>>;

/// Serves one request.
pub async fn serve(app: &App, request: Request<Incoming>) -> Result<HttpResponse, Closed> {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let origin = header("origin");
    let too_large = || {
        let ctx = own_ctx(app);
        let why = format!("the body is larger than {BODY_LIMIT} bytes");
        let reply = refusal(&ctx, &path, 413, "Request Entity Too Large", &why);
        Ok(respond(app, reply, None, origin.as_deref()))
    };
    // A declared length is refused before reading; a chunked body as it arrives.
    let declared = header("content-length").and_then(|n| n.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return too_large();
    }
    let body = match Limited::new(request.into_body(), BODY_LIMIT)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return too_large(),
        Err(_) => return Err(Closed),
    };
    let cors = !app.options.cors_origins.is_empty();
    let (reply, raw) = if method == "OPTIONS" && cors {
        (preflight(header("access-control-request-headers")), None)
    } else if path == "/_emulator" || path.starts_with("/_emulator/") {
        (admin(app, &method, &path, &body), None)
    } else {
        api(app, &method, &path, &headers, &body).await?
    };
    Ok(respond(app, reply, raw, origin.as_deref()))
}

fn respond(app: &App, reply: Reply, raw: Option<String>, origin: Option<&str>) -> HttpResponse {
    let text = raw
        .or_else(|| reply.body.as_ref().map(Value::to_string))
        .unwrap_or_default();
    let mut builder = Response::builder().status(reply.status);
    if reply.status != 204 {
        builder = builder.header("content-type", "application/json");
    }
    for (k, v) in &reply.headers {
        builder = builder.header(k, v);
    }
    let allowed = &app.options.cors_origins;
    let allow = if allowed.iter().any(|o| o == "*") {
        Some("*".to_owned())
    } else {
        origin
            .filter(|o| allowed.iter().any(|a| a == o))
            .map(str::to_owned)
    };
    if let Some(allow) = allow {
        builder = builder
            .header("access-control-allow-origin", allow)
            .header(
                "access-control-expose-headers",
                "x-openstack-request-id, retry-after",
            )
            .header("vary", "Origin");
    }
    builder
        .body(Full::new(Bytes::from(text)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn preflight(requested: Option<String>) -> Reply {
    let mut reply = Reply::empty(204);
    reply.headers = vec![
        (
            "access-control-allow-methods".into(),
            "GET, POST, PATCH, DELETE, OPTIONS".into(),
        ),
        (
            "access-control-allow-headers".into(),
            requested.unwrap_or_else(|| {
                "accept, content-type, openstack-api-version, x-auth-token, authorization".into()
            }),
        ),
        ("access-control-max-age".into(), "600".into()),
    ];
    reply
}

/// A copy of a JSON body with every `password` replaced by `***`.
fn masked(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if k.eq_ignore_ascii_case("password") {
                        json!("***")
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

fn log_entry(method: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Value {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| {
            let secret = k == "x-auth-token" || k == "authorization";
            (k.clone(), json!(if secret { "***" } else { v.as_str() }))
        })
        .collect();
    // A body that is not JSON is logged as its length: its secrets cannot be masked.
    let body = if body.is_empty() {
        Value::Null
    } else if body.len() > LOGGED_BODY {
        json!(format!("({} bytes, not kept)", body.len()))
    } else {
        serde_json::from_slice::<Value>(body)
            .map(|v| masked(&v))
            .unwrap_or_else(|_| json!(format!("(not JSON, {} bytes)", body.len())))
    };
    json!({"method": method, "path": path, "headers": headers, "body": body, "status": null})
}

/// Checks `OpenStack-API-Version`; `None` when acceptable.
fn microversion(ctx: &Ctx<'_>, header: Option<&str>) -> Option<Reply> {
    let value = header?;
    let (service, version) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !service.eq_ignore_ascii_case("container-infra") || version.eq_ignore_ascii_case("latest") {
        return None;
    }
    let parsed = version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    if parsed.is_some_and(|v| (MIN_VERSION..=MAX_VERSION).contains(&v)) {
        return None;
    }
    let (min, max) = (
        format!("{}.{}", MIN_VERSION.0, MIN_VERSION.1),
        format!("{}.{}", MAX_VERSION.0, MAX_VERSION.1),
    );
    let mut body = error_body(
        ctx.request_id,
        406,
        "Requested microversion is unsupported",
        &format!("Version {version} was requested but the minimum supported version is {min} and the maximum supported version is {max}."),
    );
    if let Some(entry) = body
        .get_mut("errors")
        .and_then(|e| e.get_mut(0))
        .and_then(Value::as_object_mut)
    {
        entry.insert("code".into(), json!(""));
        entry.insert("max_version".into(), json!(max));
        entry.insert("min_version".into(), json!(min));
        entry.insert(
            "links".into(),
            json!([{"href": "https://docs.openstack.org/magnum/latest/", "rel": "help"}]),
        );
    }
    Some(Reply::json(406, body))
}

async fn api(
    app: &App,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(Reply, Option<String>), Closed> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (seq, verdict, request_id) = {
        let mut state = app.state();
        let State {
            rng, faults, log, ..
        } = &mut *state;
        let seq = log.push(log_entry(method, path, headers, body));
        let verdict = decide(faults, rng, method, path);
        (seq, verdict, format!("req-{}", rng.uuid()))
    };
    if verdict.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(verdict.latency_ms)).await;
    }
    let ctx = Ctx {
        now_ms: now_ms(),
        request_id: &request_id,
        base_url: &app.base_url,
    };
    let mut raw = None;
    let mut reply = match verdict.error {
        Some((FaultError::Mode(FaultMode::Close), _)) => {
            app.state().log.set_status(seq, 0);
            return Err(Closed);
        }
        Some((FaultError::Status(status), retry_after)) => {
            let mut reply = refusal(
                &ctx,
                path,
                status,
                "Injected fault",
                &format!("the emulator answered {status} by fault injection"),
            );
            // A 429 always says when to come back (1 s unless told); any other
            // status when the rule gives `retry_after_s` (a 503 during maintenance).
            if let Some(seconds) = retry_after.or((status == 429).then_some(1)) {
                reply
                    .headers
                    .push(("retry-after".into(), seconds.to_string()));
            }
            reply
        }
        Some((FaultError::Mode(FaultMode::Malformed), _)) => {
            raw = Some("{\"clusters\": [{\"uuid\": \"x\",, ]".to_owned());
            Reply::empty(200)
        }
        mode => {
            let reply = answer(app, &ctx, method, path, header, body);
            if mode.is_some() {
                // Truncated: the real answer, cut in half.
                let text = reply
                    .body
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_default();
                let mut cut = text.len() / 2;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                raw = Some(text.get(..cut).unwrap_or_default().to_owned());
            }
            reply
        }
    };
    reply
        .headers
        .push(("x-openstack-request-id".into(), request_id.clone()));
    app.state().log.set_status(seq, reply.status);
    Ok((reply, raw))
}

/// An error in the shape of the service `path` belongs to: Identity's (Keystone's)
/// or NKS's.
fn refusal(ctx: &Ctx<'_>, path: &str, status: u16, title: &str, detail: &str) -> Reply {
    if identity::is_route(path) {
        identity::error(status, title, detail)
    } else {
        Reply::error(ctx, status, title, detail)
    }
}

fn answer<'h>(
    app: &App,
    ctx: &Ctx<'_>,
    method: &str,
    path: &str,
    header: impl Fn(&str) -> Option<&'h str>,
    body: &[u8],
) -> Reply {
    let mut state = app.state();
    let State {
        world, tokens, rng, ..
    } = &mut *state;
    if identity::is_route(path) {
        return if method == "POST" {
            identity::issue(&app.options.account, tokens, rng, ctx, body)
        } else {
            identity::error(
                405,
                "Method Not Allowed",
                &format!("{method} is not allowed on /v2.0/tokens"),
            )
        };
    }
    // A trailing slash names the same resource (`/v1/addons/` is `/v1/addons`).
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let Some(segs) = trimmed
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect::<Option<Vec<String>>>()
    else {
        return Reply::error(
            ctx,
            400,
            "Bad Request",
            "the path is not valid percent-encoded UTF-8",
        );
    };
    if segs.first().map(String::as_str) != Some("v1") {
        return Reply::error(ctx, 404, "Not Found", "The resource could not be found.");
    }
    match header("x-auth-token") {
        None => {
            return Reply::error(
                ctx,
                401,
                "Unauthorized",
                "Authentication required: send X-Auth-Token.",
            )
        }
        Some(token) if !tokens.valid(token, ctx.now_ms) => {
            return Reply::error(
                ctx,
                401,
                "Unauthorized",
                "The token is invalid or has expired.",
            );
        }
        Some(_) => {}
    }
    if let Some(refusal) = microversion(ctx, header("openstack-api-version")) {
        return refusal;
    }
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    nks::handle(world, rng, &app.options.limits, ctx, method, &segs, body)
}

/// The context of an answer the emulator makes of its own (its test routes, a refused
/// body), not the API's.
fn own_ctx(app: &App) -> Ctx<'_> {
    Ctx {
        now_ms: now_ms(),
        request_id: "req-emulator",
        base_url: &app.base_url,
    }
}

fn admin(app: &App, method: &str, path: &str, body: &[u8]) -> Reply {
    let ctx = own_ctx(app);
    let mut state = app.state();
    let state = &mut *state;
    let ok = || Reply::json(200, json!({"ok": true}));
    match (method, path.trim_end_matches('/')) {
        ("POST", "/_emulator/reset") => {
            match build_world(&app.options.seed, app.rng_seed, &app.options) {
                Ok((world, rng)) => {
                    state.world = world;
                    state.rng = rng;
                    state.log.clear();
                    state.faults = app.options.faults.clone();
                    ok()
                }
                Err(e) => Reply::error(&ctx, 500, "Reset failed", e),
            }
        }
        ("POST", "/_emulator/seed") => {
            let text = String::from_utf8_lossy(body);
            match build_world(&text, app.rng_seed, &app.options) {
                Ok((world, rng)) => {
                    state.world = world;
                    state.rng = rng;
                    state.log.clear();
                    ok()
                }
                Err(e) => Reply::error(&ctx, 400, "Invalid seed", e),
            }
        }
        ("GET", "/_emulator/faults") => Reply::json(200, json!({"faults": state.faults})),
        ("POST", "/_emulator/faults") => {
            let parsed = serde_json::from_slice::<Value>(body)
                .map_err(|e| e.to_string())
                .and_then(|v| {
                    let list = if v.is_array() { v } else { json!([v]) };
                    serde_json::from_value::<Vec<Fault>>(list).map_err(|e| e.to_string())
                })
                .and_then(|faults| {
                    faults.iter().try_for_each(Fault::validate)?;
                    Ok(faults)
                });
            match parsed {
                Ok(faults) => {
                    state.faults = faults;
                    Reply::json(200, json!({"faults": state.faults}))
                }
                Err(e) => Reply::error(&ctx, 400, "Invalid faults", e),
            }
        }
        ("DELETE", "/_emulator/faults") => {
            state.faults.clear();
            ok()
        }
        ("GET", "/_emulator/requests") => Reply::json(200, state.log.to_json()),
        ("POST", "/_emulator/fail") => fail(&mut state.world, &ctx, body),
        ("POST", "/_emulator/repair") => repair(&mut state.world, &ctx, body),
        ("GET", p) if p.starts_with("/_emulator/nodes/") => {
            let keys: Vec<Option<String>> = p
                .trim_start_matches("/_emulator/nodes/")
                .split('/')
                .map(percent_decode)
                .collect();
            match keys.as_slice() {
                [Some(c), Some(g)] => nodes(&mut state.world, &ctx, c, g),
                _ => Reply::error(
                    &ctx,
                    404,
                    "Not Found",
                    "use /_emulator/nodes/{cluster}/{nodegroup}",
                ),
            }
        }
        ("DELETE", "/_emulator/requests") => {
            state.log.clear();
            ok()
        }
        _ => Reply::error(
            &ctx,
            404,
            "Not Found",
            format!("no emulator route {method} {path}"),
        ),
    }
}

/// `POST /_emulator/fail` `{"cluster": …, "nodegroup": …}`: the operation in progress on
/// that cluster (and that node group, if named) ends `*_FAILED`, its event `FAIL`.
fn fail(world: &mut World, ctx: &Ctx<'_>, body: &[u8]) -> Reply {
    world.settle(ctx.now_ms);
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) else {
        return Reply::error(
            ctx,
            400,
            "Invalid request",
            "the body must be {\"cluster\": …, \"nodegroup\": … (optional)}",
        );
    };
    let Some(key) = m.get("cluster").and_then(Value::as_str) else {
        return Reply::invalid(ctx, "cluster", "is mandatory");
    };
    let c = match ops::cluster_mut(world, ctx, key) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let mut marked = 0;
    let mut mark = |p: &mut Option<Pending>| {
        if let Some(p) = p.as_mut() {
            p.fail = true;
            marked += 1;
        }
    };
    match m.get("nodegroup").and_then(Value::as_str) {
        Some(g) => match ops::which(c, ctx, g, true).and_then(|w| ops::group_at_mut(c, ctx, w)) {
            Ok(group) => mark(&mut group.pending),
            Err(reply) => return reply,
        },
        None => {
            mark(&mut c.pending);
            mark(&mut c.master.pending);
            c.nodegroups.iter_mut().for_each(|g| mark(&mut g.pending));
            c.addons.iter_mut().for_each(|a| mark(&mut a.pending));
        }
    }
    if marked == 0 {
        return Reply::error(
            ctx,
            409,
            "Nothing in progress",
            format!("no operation is in progress on {key}"),
        );
    }
    Reply::json(200, json!({ "failing": marked }))
}

/// `POST /_emulator/repair` `{"cluster": …}`: what ended `*_FAILED` in that cluster (the
/// cluster, its node groups, its add-ons) is `*_COMPLETE` again, as an operator's fix;
/// a failed delete or uninstall is finished (the resource is gone).
fn repair(world: &mut World, ctx: &Ctx<'_>, body: &[u8]) -> Reply {
    world.settle(ctx.now_ms);
    let key = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("cluster").and_then(Value::as_str).map(str::to_owned));
    let Some(key) = key else {
        return Reply::invalid(ctx, "cluster", "is mandatory");
    };
    let c = match ops::cluster_mut(world, ctx, &key) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let removal = |status: &str| matches!(status, "DELETE_FAILED" | "UNINSTALL_FAILED");
    let (groups, addons) = (c.nodegroups.len(), c.addons.len());
    c.nodegroups.retain(|g| !removal(&g.status));
    c.addons.retain(|a| !removal(&a.status));
    let mut repaired = groups - c.nodegroups.len() + addons - c.addons.len();
    let mut fix = |status: &mut String| {
        let Some(op) = status.strip_suffix("_FAILED") else {
            return false;
        };
        *status = format!("{op}_COMPLETE");
        repaired += 1;
        true
    };
    let gone = removal(&c.status).then(|| c.uuid.clone());
    fix(&mut c.status);
    // Repaired, a node group's failed operation completes: a resize's nodes, an
    // upgrade's version, a flavor.
    let mut complete = |group: &mut crate::state::NodeGroup| {
        let then = group.failed.take();
        if fix(&mut group.status) {
            crate::state::complete(group, then.unwrap_or(crate::state::Then::Complete))
        } else {
            None
        }
    };
    let version = complete(&mut c.master);
    crate::state::control_plane_upgraded(c, version);
    for group in &mut c.nodegroups {
        complete(group);
    }
    for addon in &mut c.addons {
        fix(&mut addon.status);
    }
    if let Some(uuid) = gone {
        world.clusters.retain(|c| c.uuid != uuid);
    }
    Reply::json(200, json!({ "repaired": repaired }))
}

/// `GET /_emulator/nodes/{cluster}/{nodegroup}`: the instances of a node group (the
/// Compute API's view, which stop_node/start_node take UUIDs from).
fn nodes(world: &mut World, ctx: &Ctx<'_>, c: &str, g: &str) -> Reply {
    world.settle(ctx.now_ms);
    match ops::group(world, ctx, c, g) {
        Ok((_, group)) => {
            let nodes: Vec<Value> = group
                .nodes
                .iter()
                .map(|n| {
                    json!({
                        "uuid": n.uuid,
                        "address": n.address,
                        "status": if n.stopped { "SHUTOFF" } else { "ACTIVE" },
                    })
                })
                .collect();
            Reply::json(200, json!({ "nodes": nodes }))
        }
        Err(reply) => reply,
    }
}
