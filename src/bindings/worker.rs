//! The Worker's entry points: environment in, routes and ticks out.
use super::{from_js, js_error, to_js};
use crate::schedule::clock::IntlZones;
use crate::transport::Fetch;
use crate::worker::{self, Incoming, Setup};
use js_sys::Reflect;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

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

/// The Worker's `fetch`: `{method, path, query, origin, keySha256, requestHeaders}` in,
/// `{status, headers, body, log}` out.
#[wasm_bindgen(js_name = handleFetch)]
pub async fn handle_fetch(request: JsValue, env: JsValue) -> Result<JsValue, JsValue> {
    let incoming: Incoming = from_js("request", &request).map_err(|e| js_error(&e))?;
    let setup = setup_for(&env);
    let out = worker::serve(&setup, &incoming, &now_ms).await;
    to_js(&out).map_err(|e| js_error(&e))
}

/// The Worker's `scheduled`: the JSON lines to log.
#[wasm_bindgen(js_name = handleScheduled)]
pub async fn handle_scheduled(scheduled_time: f64, env: JsValue) -> Result<JsValue, JsValue> {
    let setup = setup_for(&env);
    // A scheduledTime is finite epoch milliseconds.
    #[allow(clippy::cast_possible_truncation)]
    let lines = worker::tick(&setup, scheduled_time as i64).await;
    to_js(&lines).map_err(|e| js_error(&e))
}
