//! The Worker's entry points: environment in, routes, ticks and queued shares out.
//! The KV namespace (`REPORTS`) is reached through imports bound with `catch`, so a
//! JavaScript exception becomes an error value and never unwinds through wasm.
use super::{from_js, js_error, to_js};
use crate::schedule::clock::IntlZones;
use crate::transport::{Fetch, Transport};
use crate::worker::routes::{BODY_LIMIT, ROUTE_LIMIT_MS};
use crate::worker::{self, reports, Incoming, Invocation, Page, Setup, Store};
use js_sys::{Object, Promise, Reflect};
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// A Workers KV namespace: the methods the report store uses.
    type KvNamespace;
    #[wasm_bindgen(method, catch)]
    fn put(
        this: &KvNamespace,
        key: &str,
        value: &str,
        options: &Object,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn get(this: &KvNamespace, key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn list(this: &KvNamespace, options: &Object) -> Result<Promise, JsValue>;
}

/// How long KV keeps a report (and the newest tick's instant): a week.
const KEEP_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// The binding names the Worker looks for in its environment.
const REPORTS_BINDING: &str = "REPORTS";
const QUEUE_BINDING: &str = "TICKS";

/// The `REPORTS` KV namespace as a [`Store`].
struct Kv(KvNamespace);

/// A rejected promise's message (KV's errors name no secret).
fn why(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the KV call failed".into())
}

async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(promise.map_err(|e| why(&e))?)
        .await
        .map_err(|e| why(&e))
}

impl Store for Kv {
    async fn put(&self, key: &str, value: &str) -> Result<(), String> {
        let options = Object::new();
        let _ = Reflect::set(
            &options,
            &"expirationTtl".into(),
            &JsValue::from_f64(KEEP_SECONDS),
        );
        settle(self.0.put(key, value, &options)).await.map(|_| ())
    }

    async fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(settle(self.0.get(key)).await?.as_string())
    }

    async fn list(
        &self,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<String>, String> {
        let options = Object::new();
        let _ = Reflect::set(&options, &"prefix".into(), &JsValue::from_str(prefix));
        #[allow(clippy::cast_precision_loss)]
        let limit = limit as f64;
        let _ = Reflect::set(&options, &"limit".into(), &JsValue::from_f64(limit));
        if let Some(cursor) = cursor {
            let _ = Reflect::set(&options, &"cursor".into(), &JsValue::from_str(cursor));
        }
        let listed = settle(self.0.list(&options)).await?;
        let keys = Reflect::get(&listed, &"keys".into()).map_err(|e| why(&e))?;
        let complete = Reflect::get(&listed, &"list_complete".into())
            .ok()
            .and_then(|c| c.as_bool())
            .unwrap_or(true);
        Ok(Page {
            items: js_sys::Array::from(&keys)
                .iter()
                .filter_map(|k| Reflect::get(&k, &"name".into()).ok()?.as_string())
                .collect(),
            // KV's cursor, unless this was the last page (one that says it is not
            // but gives no cursor ends the paging).
            cursor: if complete {
                None
            } else {
                Reflect::get(&listed, &"cursor".into())
                    .ok()
                    .and_then(|c| c.as_string())
                    .filter(|c| !c.is_empty())
            },
        })
    }
}

/// The environment's binding `name`, when it is an object.
fn binding(env: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(env, &JsValue::from_str(name))
        .ok()
        .filter(JsValue::is_object)
}

fn store(env: &JsValue) -> Option<Kv> {
    binding(env, REPORTS_BINDING).map(|b| Kv(b.unchecked_into()))
}

/// The Worker's setup in wasm: `fetch` and `Intl`.
type WorkerSetup = Setup<Fetch, IntlZones>;

thread_local! {
    /// Kept for the isolate's life while its environment is the same (so the
    /// Identity token is reused across requests).
    static WORKER: RefCell<Option<(String, Rc<WorkerSetup>)>> = const { RefCell::new(None) };
}

/// The variables the Worker reads.
const WORKER_VARS: [&str; 12] = [
    "NKS_REGION",
    "NKS_ENDPOINT",
    "NHN_IDENTITY_URL",
    "NHN_TENANT_ID",
    "NHN_USERNAME",
    "NHN_API_PASSWORD",
    "NKS_TOKEN",
    "SCALE_POLICY",
    "ACCESS_KEYS",
    "CORS_ORIGINS",
    "DRY_RUN",
    "SUBREQUEST_BUDGET",
];

/// The setup for `env`, reused while the environment does not change.
fn setup_for(env: &JsValue) -> Rc<WorkerSetup> {
    let values: Vec<Option<String>> = WORKER_VARS
        .iter()
        .map(|name| {
            Reflect::get(env, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        })
        .collect();
    let fingerprint = values
        .iter()
        .map(|v| v.as_deref().unwrap_or("\u{0}"))
        .collect::<Vec<_>>()
        .join("\u{1}");
    WORKER.with(|cell| {
        if let Some((seen, setup)) = cell.borrow().as_ref() {
            if *seen == fingerprint {
                return Rc::clone(setup);
            }
        }
        let lookup = |name: &str| {
            WORKER_VARS
                .iter()
                .position(|v| *v == name)
                .and_then(|i| values.get(i).cloned().flatten())
        };
        let setup = Rc::new(Setup::from_env(&lookup, Fetch, IntlZones::default()));
        *cell.borrow_mut() = Some((fingerprint, Rc::clone(&setup)));
        setup
    })
}

fn now_ms() -> i64 {
    // Milliseconds since the epoch fit an i64 exactly.
    #[allow(clippy::cast_possible_truncation)]
    let now = js_sys::Date::now() as i64;
    now
}

/// The largest request body the Worker reads (it reads one byte more, to tell).
#[wasm_bindgen(js_name = bodyLimit)]
pub fn body_limit() -> usize {
    BODY_LIMIT
}

/// The CORS headers (`[name, value]` pairs) of the JavaScript entry's own 500, the
/// answer when a request could not be handled: none unless `CORS_ORIGINS` allows
/// `origin`, so a browser app sees the 500 rather than a refused request.
#[wasm_bindgen(js_name = corsHeaders)]
pub fn cors_headers(origin: Option<String>, env: JsValue) -> Result<JsValue, JsValue> {
    let setup = setup_for(&env);
    let headers = worker::routes::cors_headers(&setup.cors_origins, origin.as_deref(), None);
    to_js(&headers).map_err(|e| js_error(&e))
}

/// The Worker's `fetch`: `{method, path, query, origin, keySha256, requestHeaders,
/// body}` in, `{status, headers, body, log}` out; a 504 after [`ROUTE_LIMIT_MS`].
#[wasm_bindgen(js_name = handleFetch)]
pub async fn handle_fetch(request: JsValue, env: JsValue) -> Result<JsValue, JsValue> {
    let incoming: Incoming = from_js("request", &request).map_err(|e| js_error(&e))?;
    let setup = setup_for(&env);
    let store = store(&env);
    let invocation = Invocation {
        now: &now_ms,
        store: store.as_ref(),
    };
    let give_up = Fetch.sleep(u64::from(ROUTE_LIMIT_MS));
    let out = worker::serve(&setup, &incoming, &invocation, give_up).await;
    to_js(&out).map_err(|e| js_error(&e))
}

/// One queued share of a tick: the tick's instant and the clusters to reconcile.
#[derive(serde::Serialize, serde::Deserialize)]
struct Share {
    at: i64,
    clusters: Vec<String>,
}

/// The Worker's `scheduled`: `{lines, messages}`. With a queue bound (`TICKS`), the
/// tick is split into one message per cluster, for the JS entry to send and then to
/// record with [`record_tick`]; otherwise, or with `inline` (the queue refused the
/// messages), it runs here.
#[wasm_bindgen(js_name = handleScheduled)]
pub async fn handle_scheduled(
    scheduled_time: f64,
    env: JsValue,
    cron: Option<String>,
    inline: Option<bool>,
) -> Result<JsValue, JsValue> {
    let setup = setup_for(&env);
    let store = store(&env);
    let invocation = Invocation {
        now: &now_ms,
        store: store.as_ref(),
    };
    let at = scheduled_at(scheduled_time)?;
    // A configuration error is logged once by the tick, not once per queued share.
    let queued = !inline.unwrap_or(false)
        && binding(&env, QUEUE_BINDING).is_some()
        && setup.client.is_ok()
        && setup.options.is_ok();
    let out = match (&setup.policy, queued) {
        (Ok(policy), true) => {
            let messages: Vec<Share> = policy
                .clusters()
                .iter()
                .map(|c| Share {
                    at,
                    clusters: vec![(*c).to_owned()],
                })
                .collect();
            let line = worker::log::line(
                now_ms(),
                "info",
                json!({"event": "fanout", "messages": messages.len()}),
            );
            json!({"lines": [line], "messages": messages})
        }
        _ => {
            let ticked = worker::tick(&setup, at, cron.as_deref(), None, &invocation).await;
            json!({"lines": ticked.lines, "messages": []})
        }
    };
    to_js(&out).map_err(|e| js_error(&e))
}

/// After the tick's messages were sent: records its instant as the newest, so that
/// messages of older ticks still queued (retries) are known as superseded. Answers
/// the log lines (a warning when it cannot be recorded).
#[wasm_bindgen(js_name = recordTick)]
pub async fn record_tick(scheduled_time: f64, env: JsValue) -> Result<JsValue, JsValue> {
    let at = scheduled_at(scheduled_time)?;
    let recorded = match store(&env) {
        Some(store) => reports::set_latest_tick(&store, at).await.err(),
        None => Some("no REPORTS binding: superseded messages cannot be recognised".into()),
    };
    let lines: Vec<String> = recorded
        .into_iter()
        .map(|why| worker::log::line(now_ms(), "warn", json!({"event": "fanout", "message": why})))
        .collect();
    to_js(&lines).map_err(|e| js_error(&e))
}

/// The event's `scheduledTime` as epoch ms, checked.
fn scheduled_at(scheduled_time: f64) -> Result<i64, JsValue> {
    crate::time::check_instant_ms(scheduled_time)
        .map_err(|e| super::js_error(&crate::error::Error::validation("scheduledTime", e)))
}

/// The queue consumer, for one message: `{lines, retry}`. A message whose tick a
/// newer one superseded does nothing; one whose run failed transiently is retried.
/// `cron`: the trigger, when the scheduled handler runs a share itself (the queue
/// refused it), so that its clusters rotate as the tick's would.
#[wasm_bindgen(js_name = handleQueued)]
pub async fn handle_queued(
    body: JsValue,
    env: JsValue,
    cron: Option<String>,
) -> Result<JsValue, JsValue> {
    let setup = setup_for(&env);
    let store = store(&env);
    let invocation = Invocation {
        now: &now_ms,
        store: store.as_ref(),
    };
    let Ok(share) = from_js::<Share>("message", &body) else {
        let line = worker::log::line(
            now_ms(),
            "error",
            json!({"event": "queued", "message": "the message is not {at, clusters}: dropped"}),
        );
        return to_js(&json!({"lines": [line], "retry": false})).map_err(|e| js_error(&e));
    };
    let ticked = worker::queued(
        &setup,
        share.at,
        &share.clusters,
        cron.as_deref(),
        &invocation,
    )
    .await;
    to_js(&json!({"lines": ticked.lines, "retry": ticked.transient})).map_err(|e| js_error(&e))
}
