//! The `NksClient` class: one dispatcher, [`Client::call`], serves every entry of
//! [`OPERATIONS`] (the package's `js/core.mjs` adds a method per entry that calls it
//! with the entry's index), plus the policy methods.

use super::{from_js, instant, policy_of, promise, text, to_js};
use crate::api::{self, Call, OPERATIONS};
use crate::client::read;
use crate::config::ClientOptions;
use crate::error::Error;
use crate::model::{
    AddonInstall, AddonUpdate, Autoscale, CertificateRenewal, ClusterCreate, ControlPlaneLog,
    FipAutoBind, FlavorChange, IpAcl, MetricAutoscale, NodeGroupCreate, Resize, Rollout,
    ServiceGateways, Upgrade,
};
use crate::schedule::clock::IntlZones;
use crate::schedule::Options;
use crate::transport::{Fetch, HttpResponse, Method};
use crate::NksClient;
use js_sys::{Array, Promise};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The names of the operations, in [`OPERATIONS`] order: the methods `js/core.mjs`
/// defines on `NksClient`.
#[wasm_bindgen(js_name = operationNames)]
pub fn operation_names() -> Array {
    OPERATIONS
        .iter()
        .map(|op| JsValue::from_str(op.name))
        .collect()
}

/// A client of the NKS API (wrapped by the package's `NksClient`).
#[wasm_bindgen]
pub struct Client {
    client: NksClient<Fetch>,
    zones: Rc<IntlZones>,
}

/// A request ready to send and how to turn its answer into a JS value: every
/// operation goes through one non-generic send path.
struct Prepared {
    method: Method,
    path: String,
    body: Option<String>,
    idempotent: bool,
    finish: Finish,
}

/// Reads a 2xx answer into the JS value handed back.
type Finish = Box<dyn FnOnce(&HttpResponse) -> Result<JsValue, Error>>;

/// What a call does before it sends: nothing, or find the cluster's UUID first (the
/// events paths take only UUIDs; a name costs one cluster read).
enum Step {
    /// Send this request.
    Send(Prepared),
    /// Resolve `cluster` to its UUID, then send what `then` builds with it.
    Resolve { cluster: String, then: WithUuid },
}

/// Builds the request once the cluster's UUID is known.
type WithUuid = Box<dyn FnOnce(&str) -> Result<Prepared, Error>>;

impl From<Prepared> for Step {
    fn from(prepared: Prepared) -> Self {
        Step::Send(prepared)
    }
}

/// Answers of the form `{"uuid": …}` (and the others read into plain data).
fn done(call: Call<crate::model::UuidResponse>) -> Step {
    typed(call).into()
}

/// A call whose answer is read into its Rust type (validated and normalized), then
/// turned into a JS value by `hand`.
fn then<R: 'static>(call: Call<R>, hand: fn(R) -> Result<JsValue, Error>) -> Prepared {
    let parse = call.parse;
    Prepared {
        method: call.method(),
        path: call.path,
        body: call.body,
        idempotent: call.idempotent,
        finish: Box::new(move |response| hand(read(parse, response)?)),
    }
}

/// A call whose answer JS gets as plain data.
fn typed<R: Serialize + 'static>(call: Call<R>) -> Prepared {
    then(call, |value| to_js(&value))
}

/// The arguments of one call, read by position; errors name the argument.
struct Args(Array);

impl Args {
    fn text(&self, i: u32, name: &str) -> Result<String, Error> {
        text(name, &self.0.get(i))
    }

    fn data<T: for<'de> Deserialize<'de>>(&self, i: u32, name: &str) -> Result<T, Error> {
        from_js(name, &self.0.get(i))
    }
}

impl Client {
    /// The request for operation `name` with `args`, validated.
    fn prepare(&self, name: &str, args: &Args) -> Result<Step, Error> {
        let max = self.client.config().max_node_count;
        let (c, g) = (|| args.text(0, "cluster"), || args.text(1, "nodegroup"));
        Ok(match name {
            "listClusters" => typed(api::list_clusters()?).into(),
            "getCluster" => typed(api::get_cluster(&c()?)?).into(),
            "createCluster" => done(api::create_cluster(
                &args.data::<ClusterCreate>(0, "spec")?,
                max,
            )?),
            "deleteCluster" => {
                then(api::delete_cluster(&c()?)?, |()| Ok(JsValue::UNDEFINED)).into()
            }
            "resize" => done(api::resize(&c()?, &args.data::<Resize>(1, "spec")?, max)?),
            "getKubeconfig" => then(api::kubeconfig(&c()?)?, |k| {
                Ok(JsValue::from_str(k.config.expose()))
            })
            .into(),
            "listEvents" => {
                let cluster = c()?;
                api::list_events(&cluster)?;
                Step::Resolve {
                    cluster,
                    then: Box::new(|uuid| Ok(typed(api::list_events(uuid)?))),
                }
            }
            "getEvent" => {
                let (cluster, event) = (c()?, args.text(1, "event")?);
                api::get_event(&cluster, &event)?;
                Step::Resolve {
                    cluster,
                    then: Box::new(move |uuid| Ok(typed(api::get_event(uuid, &event)?))),
                }
            }
            "setIpAcl" => done(api::set_ip_acl(&c()?, &args.data::<IpAcl>(1, "acl")?)?),
            "getIpAcl" => typed(api::get_ip_acl(&c()?)?).into(),
            "renewCertificates" => done(api::renew_certificates(
                &c()?,
                &args.data::<CertificateRenewal>(1, "spec")?,
            )?),
            "updateServiceGateways" => done(api::update_service_gateways(
                &c()?,
                &args.data::<ServiceGateways>(1, "spec")?,
            )?),
            "setControlPlaneLog" => done(api::set_control_plane_log(
                &c()?,
                &args.data::<ControlPlaneLog>(1, "controlPlaneLog")?,
            )?),
            "listNodeGroups" => typed(api::list_nodegroups(&c()?)?).into(),
            "getNodeGroup" => typed(api::get_nodegroup(&c()?, &g()?)?).into(),
            "createNodeGroup" => typed(api::create_nodegroup(
                &c()?,
                &args.data::<NodeGroupCreate>(1, "spec")?,
                max,
            )?)
            .into(),
            "deleteNodeGroup" => then(api::delete_nodegroup(&c()?, &g()?)?, |()| {
                Ok(JsValue::UNDEFINED)
            })
            .into(),
            "stopNodes" => done(api::stop_nodes(
                &c()?,
                &g()?,
                &args.data::<Vec<String>>(2, "nodeUuids")?,
            )?),
            "startNodes" => done(api::start_nodes(
                &c()?,
                &g()?,
                &args.data::<Vec<String>>(2, "nodeUuids")?,
            )?),
            "getAutoscale" => typed(api::get_autoscale(&c()?, &g()?)?).into(),
            "setAutoscale" => done(api::set_autoscale(
                &c()?,
                &g()?,
                &args.data::<Autoscale>(2, "settings")?,
                max,
            )?),
            "setMetricAutoscale" => done(api::set_metric_autoscale(
                &c()?,
                &g()?,
                &args.data::<MetricAutoscale>(2, "spec")?,
            )?),
            "changeFlavor" => done(api::change_flavor(
                &c()?,
                &g()?,
                &args.data::<FlavorChange>(2, "spec")?,
            )?),
            "setFloatingIpAutoBind" => done(api::set_floating_ip_auto_bind(
                &c()?,
                &g()?,
                &args.data::<FipAutoBind>(2, "fipAutoBindUpdateInfo")?,
            )?),
            "setNodeLabels" => done(api::set_node_labels(
                &c()?,
                &g()?,
                &args.data(2, "labels")?,
            )?),
            "upgrade" => {
                let options = args.0.get(3);
                let rollout = if options.is_undefined() || options.is_null() {
                    Rollout::default()
                } else {
                    args.data::<Rollout>(3, "options")?
                };
                let spec = Upgrade {
                    version: args.text(2, "version")?,
                    rollout,
                };
                done(api::upgrade(&c()?, &g()?, &spec)?)
            }
            "setUserScript" => done(api::set_user_script(
                &c()?,
                &g()?,
                &args.text(2, "contents")?,
            )?),
            "listAddonTypes" => typed(api::list_addon_types()?).into(),
            "getAddonType" => typed(api::get_addon_type(&args.text(0, "addonType")?)?).into(),
            "listAddons" => typed(api::list_addons()?).into(),
            "getAddon" => typed(api::get_addon(&args.text(0, "addon")?)?).into(),
            "listClusterAddons" => typed(api::list_cluster_addons(&c()?)?).into(),
            "getClusterAddon" => {
                typed(api::get_cluster_addon(&c()?, &args.text(1, "addon")?)?).into()
            }
            "installAddon" => done(api::install_addon(
                &c()?,
                &args.data::<AddonInstall>(1, "spec")?,
            )?),
            "updateAddon" => done(api::update_addon(
                &c()?,
                &args.text(1, "addon")?,
                &args.data::<AddonUpdate>(2, "spec")?,
            )?),
            "uninstallAddon" => done(api::uninstall_addon(&c()?, &args.text(1, "addon")?)?),
            "supportedVersions" => {
                then(api::supported_versions()?, |s| to_js(&s.supported_k8s)).into()
            }
            "supportedEventTypes" => then(api::supported_event_types()?, |s| {
                to_js(&s.supported_event_type)
            })
            .into(),
            other => {
                return Err(Error::validation(
                    "operation",
                    format!("{other} is not available in this build"),
                ))
            }
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunOptions {
    dry_run: Option<bool>,
    budget: Option<u64>,
    concurrency: Option<usize>,
    tick_ms: Option<i64>,
}

#[wasm_bindgen]
impl Client {
    /// `new Client({ region | endpoint, token | identity | accessKey, timeoutMs?, retries?, maxNodeCount? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Client, JsValue> {
        let build = || -> Result<Client, Error> {
            let options: ClientOptions = from_js("options", &options)?;
            Ok(Client {
                client: NksClient::new(options.build()?, Fetch)?,
                zones: Rc::new(IntlZones::default()),
            })
        };
        build().map_err(|e| super::js_error(&e))
    }

    /// Operation `index` of [`OPERATIONS`] with `args`: a promise of its result.
    pub fn call(&self, index: usize, args: Array) -> Promise {
        let client = self.client.clone();
        let prepared = OPERATIONS
            .get(index)
            .ok_or_else(|| Error::validation("operation", "unknown operation"))
            .and_then(|op| self.prepare(op.name, &Args(args)));
        promise(async move {
            let p = match prepared? {
                Step::Send(p) => p,
                Step::Resolve { cluster, then } => then(&client.cluster_uuid(&cluster).await?)?,
            };
            let response = client
                .send(p.method, &p.path, p.body.as_deref(), p.idempotent)
                .await?;
            (p.finish)(&response)
        })
    }

    /// The plan a policy gives at `at` (a `Date`, RFC 3339 string or epoch ms; default now).
    pub fn plan(&self, policy: JsValue, at: JsValue, options: JsValue) -> Promise {
        self.run(policy, at, options, false)
    }

    /// Applies the plan for `at` (default now); answers the report.
    pub fn reconcile(&self, policy: JsValue, at: JsValue, options: JsValue) -> Promise {
        self.run(policy, at, options, true)
    }

    /// Per cluster of the policy at `at` (default now): versions, certificate expiry,
    /// the next maintenance window and the step its maintenance is at.
    pub fn status(&self, policy: JsValue, at: JsValue) -> Promise {
        let (client, zones) = (self.client.clone(), Rc::clone(&self.zones));
        promise(async move {
            let policy = policy_of(&policy, &zones)?;
            let at_ms = instant(&at)?;
            to_js(&crate::schedule::status(&client, &policy, &*zones, at_ms).await)
        })
    }
}

impl Client {
    fn run(&self, policy: JsValue, at: JsValue, options: JsValue, apply: bool) -> Promise {
        let (client, zones) = (self.client.clone(), Rc::clone(&self.zones));
        promise(async move {
            let policy = policy_of(&policy, &zones)?;
            let at_ms = instant(&at)?;
            let run: RunOptions = if options.is_undefined() {
                RunOptions::default()
            } else {
                from_js("options", &options)?
            };
            let defaults = Options::default();
            let options = Options {
                dry_run: !apply || run.dry_run.unwrap_or(false),
                budget: run.budget.unwrap_or(defaults.budget),
                concurrency: run.concurrency.unwrap_or(defaults.concurrency),
                tick_ms: run.tick_ms.unwrap_or(defaults.tick_ms),
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
