//! The JavaScript surface (wasm32 only): the `NksClient` class with the contract's
//! methods, errors as `NksError` instances, and (with the `worker` feature) the
//! Worker's entry points. Values cross the boundary as plain objects and arrays.

use crate::auth::{Credentials, Identity, DEFAULT_IDENTITY_URL};
use crate::client::{region_endpoint, Config};
use crate::error::Error;
use crate::model::{Autoscale, ClusterCreate, NodeGroupCreate, Resize};
use crate::schedule::clock::IntlZones;
use crate::schedule::{Options, Policy};
use crate::secret::Secret;
use crate::transport::Fetch;
use crate::NksClient;
use js_sys::{Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

thread_local! {
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the `NksError` class the package exports; errors are made with it.
#[wasm_bindgen(js_name = "__setErrorClass")]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// An `NksError` (a real `Error`) with `kind`, `status`, `title`, `detail`,
/// `requestId` and `field`.
fn js_error(e: &Error) -> JsValue {
    let message = JsValue::from_str(&e.to_string());
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    let error: JsValue = class
        .and_then(|c| Reflect::construct(&c, &js_sys::Array::of1(&message)).ok())
        .unwrap_or_else(|| {
            let plain = js_sys::Error::new(&e.to_string());
            plain.set_name("NksError");
            plain.into()
        });
    let text = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    for (key, value) in [
        ("kind", JsValue::from_str(e.kind.as_str())),
        ("status", JsValue::from(e.status)),
        ("title", text(&e.title)),
        ("detail", text(&e.detail)),
        ("requestId", text(&e.request_id)),
        ("field", text(&e.field)),
    ] {
        let _ = Reflect::set(&error, &JsValue::from_str(key), &value);
    }
    error
}

/// A plain JS value (objects, arrays) from a Rust value. Values cross as JSON text:
/// one serde path for every type keeps the wasm small, and the result is plain data.
fn to_js(value: &impl Serialize) -> Result<JsValue, Error> {
    let text = serde_json::to_string(value).map_err(|e| Error::invalid_response(200, e))?;
    js_sys::JSON::parse(&text)
        .map_err(|_| Error::invalid_response(200, "JSON.parse refused the value"))
}

/// A Rust value from a JS argument; a mismatch names the argument and the field.
fn from_js<T: DeserializeOwned>(argument: &str, value: JsValue) -> Result<T, Error> {
    let text = if value.is_undefined() {
        None
    } else {
        js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
    };
    let text = text.ok_or_else(|| Error::validation(argument, "must be plain data"))?;
    crate::model::from_json(&text).map_err(|why| {
        let (path, message) = why
            .split_once(": ")
            .filter(|(p, _)| !p.contains(' '))
            .unwrap_or((".", &why));
        let field = if path == "." {
            argument.to_owned()
        } else {
            format!("{argument}.{path}")
        };
        Error::validation(field, message)
    })
}

fn text(argument: &str, value: &JsValue) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::validation(argument, "must be a string"))
}

fn promise(work: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    future_to_promise(async move { work.await.map_err(|e| js_error(&e)) })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientOptions {
    region: Option<String>,
    endpoint: Option<String>,
    token: Option<Secret>,
    identity: Option<IdentityOptions>,
    timeout_ms: Option<u32>,
    retries: Option<u32>,
    max_node_count: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IdentityOptions {
    tenant_id: String,
    username: String,
    password: Secret,
    endpoint: Option<String>,
}

impl ClientOptions {
    fn config(self) -> Result<Config, Error> {
        let endpoint = match (self.endpoint, self.region) {
            (Some(endpoint), _) => endpoint,
            (None, Some(region)) => region_endpoint(&region)?,
            (None, None) => {
                return Err(Error::validation(
                    "region",
                    "give a region (kr1, kr2, kr3) or an endpoint",
                ))
            }
        };
        let credentials = match (self.token, self.identity) {
            (Some(token), None) => Credentials::Token(token),
            (None, Some(id)) => Credentials::Identity(Identity {
                endpoint: id
                    .endpoint
                    .unwrap_or_else(|| DEFAULT_IDENTITY_URL.to_owned()),
                tenant_id: id.tenant_id,
                username: id.username,
                password: id.password,
            }),
            (Some(_), Some(_)) => {
                return Err(Error::validation(
                    "token",
                    "give a token or identity credentials, not both",
                ))
            }
            (None, None) => {
                return Err(Error::validation(
                    "token",
                    "give a token or identity credentials",
                ))
            }
        };
        let mut config = Config::new(endpoint, credentials);
        if let Some(ms) = self.timeout_ms {
            config.timeout_ms = ms;
        }
        if let Some(n) = self.retries {
            config.retries = n;
        }
        if let Some(n) = self.max_node_count {
            config.max_node_count = n;
        }
        Ok(config)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunOptions {
    dry_run: Option<bool>,
    budget: Option<u64>,
    concurrency: Option<usize>,
}

/// A client of the NKS API, for JavaScript.
#[wasm_bindgen(js_name = NksClient)]
pub struct JsNksClient {
    client: NksClient<Fetch>,
    zones: Rc<IntlZones>,
}

#[wasm_bindgen(js_class = NksClient)]
impl JsNksClient {
    /// `new NksClient({ region | endpoint, token | identity, timeoutMs?, retries?, maxNodeCount? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsNksClient, JsValue> {
        let build = || -> Result<JsNksClient, Error> {
            let options: ClientOptions = from_js("options", options)?;
            let client = NksClient::new(options.config()?, Fetch)?;
            Ok(JsNksClient {
                client,
                zones: Rc::new(IntlZones::default()),
            })
        };
        build().map_err(|e| js_error(&e))
    }

    /// `Cluster[]`
    #[wasm_bindgen(js_name = listClusters)]
    pub fn list_clusters(&self) -> Promise {
        let client = self.client.clone();
        promise(async move { to_js(&client.list_clusters().await?) })
    }

    /// `Cluster`
    #[wasm_bindgen(js_name = getCluster)]
    pub fn get_cluster(&self, cluster: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move { to_js(&client.get_cluster(&text("cluster", &cluster)?).await?) })
    }

    /// `{ uuid }`
    #[wasm_bindgen(js_name = createCluster)]
    pub fn create_cluster(&self, spec: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let spec: ClusterCreate = from_js("spec", spec)?;
            to_js(&client.create_cluster(&spec).await?)
        })
    }

    /// `undefined`
    #[wasm_bindgen(js_name = deleteCluster)]
    pub fn delete_cluster(&self, cluster: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            client.delete_cluster(&text("cluster", &cluster)?).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `{ uuid }` of the cluster.
    pub fn resize(&self, cluster: JsValue, spec: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let cluster = text("cluster", &cluster)?;
            let spec: Resize = from_js("spec", spec)?;
            to_js(&client.resize(&cluster, &spec).await?)
        })
    }

    /// The kubeconfig YAML, as a string.
    #[wasm_bindgen(js_name = getKubeconfig)]
    pub fn get_kubeconfig(&self, cluster: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let yaml = client.kubeconfig(&text("cluster", &cluster)?).await?;
            Ok(JsValue::from_str(yaml.expose()))
        })
    }

    /// `NodeGroup[]`
    #[wasm_bindgen(js_name = listNodeGroups)]
    pub fn list_node_groups(&self, cluster: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move { to_js(&client.list_nodegroups(&text("cluster", &cluster)?).await?) })
    }

    /// `NodeGroup`
    #[wasm_bindgen(js_name = getNodeGroup)]
    pub fn get_node_group(&self, cluster: JsValue, nodegroup: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let (c, g) = (text("cluster", &cluster)?, text("nodegroup", &nodegroup)?);
            to_js(&client.get_nodegroup(&c, &g).await?)
        })
    }

    /// `NodeGroup`
    #[wasm_bindgen(js_name = createNodeGroup)]
    pub fn create_node_group(&self, cluster: JsValue, spec: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let cluster = text("cluster", &cluster)?;
            let spec: NodeGroupCreate = from_js("spec", spec)?;
            to_js(&client.create_nodegroup(&cluster, &spec).await?)
        })
    }

    /// `undefined`
    #[wasm_bindgen(js_name = deleteNodeGroup)]
    pub fn delete_node_group(&self, cluster: JsValue, nodegroup: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let (c, g) = (text("cluster", &cluster)?, text("nodegroup", &nodegroup)?);
            client.delete_nodegroup(&c, &g).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `Autoscale`
    #[wasm_bindgen(js_name = getAutoscale)]
    pub fn get_autoscale(&self, cluster: JsValue, nodegroup: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let (c, g) = (text("cluster", &cluster)?, text("nodegroup", &nodegroup)?);
            to_js(&client.get_autoscale(&c, &g).await?)
        })
    }

    /// `{ uuid }` of the node group.
    #[wasm_bindgen(js_name = setAutoscale)]
    pub fn set_autoscale(
        &self,
        cluster: JsValue,
        nodegroup: JsValue,
        settings: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let (c, g) = (text("cluster", &cluster)?, text("nodegroup", &nodegroup)?);
            let settings: Autoscale = from_js("settings", settings)?;
            to_js(&client.set_autoscale(&c, &g, &settings).await?)
        })
    }

    /// `{ uuid }` of the node group (`"default-master"`: the control plane).
    pub fn upgrade(&self, cluster: JsValue, nodegroup: JsValue, version: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let (c, g) = (text("cluster", &cluster)?, text("nodegroup", &nodegroup)?);
            to_js(&client.upgrade(&c, &g, &text("version", &version)?).await?)
        })
    }

    /// `Record<string, boolean>`
    #[wasm_bindgen(js_name = supportedVersions)]
    pub fn supported_versions(&self) -> Promise {
        let client = self.client.clone();
        promise(async move { to_js(&client.supported_versions().await?) })
    }

    /// The plan a policy gives at `at` (a `Date`, RFC 3339 string or epoch ms; default now).
    pub fn plan(&self, policy: JsValue, at: JsValue, options: JsValue) -> Promise {
        self.run(policy, at, options, false)
    }

    /// Applies the plan for `at` (default now); answers the report.
    pub fn reconcile(&self, policy: JsValue, at: JsValue, options: JsValue) -> Promise {
        self.run(policy, at, options, true)
    }

    fn run(&self, policy: JsValue, at: JsValue, options: JsValue, apply: bool) -> Promise {
        let (client, zones) = (self.client.clone(), Rc::clone(&self.zones));
        promise(async move {
            let json: serde_json::Value = match policy.as_string() {
                Some(text) => {
                    serde_json::from_str(&text).map_err(|e| Error::validation("policy", e))?
                }
                None => from_js("policy", policy)?,
            };
            let policy = Policy::from_value(&json, &*zones).map_err(|e| {
                let field =
                    e.0.first()
                        .and_then(|m| m.split_once(": "))
                        .map_or("policy", |(f, _)| f);
                Error::validation(format!("policy.{field}"), e.to_string())
            })?;
            let at_ms = instant(&at)?;
            let run: RunOptions = if options.is_undefined() {
                RunOptions::default()
            } else {
                from_js("options", options)?
            };
            let defaults = Options::default();
            let options = Options {
                dry_run: run.dry_run.unwrap_or(false),
                budget: run.budget.unwrap_or(defaults.budget),
                concurrency: run.concurrency.unwrap_or(defaults.concurrency),
            };
            let report = if apply {
                crate::schedule::reconcile(&client, &policy, &*zones, at_ms, &options).await
            } else {
                crate::schedule::plan(&client, &policy, &*zones, at_ms, &options).await
            };
            to_js(&report)
        })
    }
}

/// Milliseconds since the epoch from `undefined` (now), a `Date`, a number or RFC 3339.
fn instant(at: &JsValue) -> Result<i64, Error> {
    let bad = || {
        Error::validation(
            "at",
            "must be a Date, epoch milliseconds or an RFC 3339 string",
        )
    };
    let ms = if at.is_undefined() || at.is_null() {
        js_sys::Date::now()
    } else if let Some(date) = at.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(n) = at.as_f64() {
        n
    } else {
        #[allow(clippy::cast_precision_loss)]
        let parsed =
            crate::time::parse_rfc3339_ms(&at.as_string().ok_or_else(bad)?).ok_or_else(bad)? as f64;
        parsed
    };
    if !ms.is_finite() {
        return Err(bad());
    }
    // Finite milliseconds since the epoch fit an i64.
    #[allow(clippy::cast_possible_truncation)]
    Ok(ms as i64)
}

#[cfg(feature = "worker")]
pub use entry::{handle_fetch, handle_scheduled};

/// The Worker's entry points: environment in, routes and ticks out.
#[cfg(feature = "worker")]
mod entry {
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
        let incoming: Incoming = from_js("request", request).map_err(|e| js_error(&e))?;
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
}
