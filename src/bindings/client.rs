//! The `NksClient` class: one dispatcher, [`Client::call`], serves every entry of
//! [`OPERATIONS`] (the package's `js/core.mjs` adds a method per entry that calls it
//! with the entry's index); `policy` adds the policy methods.

use super::{from_js, promise, text};
use crate::api::answer::Answer;
use crate::api::{self, Call, OPERATIONS};
use crate::client::{read_back, First, Request};
use crate::config::ClientOptions;
use crate::error::Error;
use crate::model::{
    AddonInstall, AddonUpdate, Autoscale, CertificateRenewal, ClusterCreate, ControlPlaneLog,
    FipAutoBind, FlavorChange, FromValue, IpAcl, MetricAutoscale, NodeGroupCreate, Resize, Rollout,
    ServiceGateways, Upgrade,
};
use crate::transport::{first_attempt, Fetch, FirstAttempt, Method};
use crate::NksClient;
use js_sys::{Array, Promise};
use serde::Deserialize;
use serde_json::Value;
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
    pub(super) client: NksClient<Fetch>,
}

/// A request ready to send, and the shape of its answer: every operation goes
/// through one non-generic send path.
struct Prepared {
    method: Method,
    path: String,
    body: Option<String>,
    idempotent: bool,
    answer: &'static Answer,
}

impl Prepared {
    fn request(&self) -> Request<'_> {
        Request {
            method: self.method,
            path: &self.path,
            body: self.body.as_deref(),
            idempotent: self.idempotent,
        }
    }
}

impl<R> From<Call<R>> for Prepared {
    fn from(call: Call<R>) -> Self {
        Prepared {
            method: call.method(),
            path: call.path,
            body: call.body,
            idempotent: call.idempotent,
            answer: &call.op.answer,
        }
    }
}

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

impl<R> From<Call<R>> for Step {
    fn from(call: Call<R>) -> Self {
        Step::Send(call.into())
    }
}

/// The arguments of one call, read by position; errors name the argument.
struct Args(Array);

impl Args {
    fn text(&self, i: u32, name: &str) -> Result<String, Error> {
        text(name, &self.0.get(i))
    }

    /// A request type read by serde (those the planner reads from answers too).
    fn data<T: for<'de> Deserialize<'de>>(&self, i: u32, name: &str) -> Result<T, Error> {
        from_js(name, &self.0.get(i))
    }

    /// A request type read by its [`FromValue`] reader.
    fn read<T: FromValue>(&self, i: u32, name: &str) -> Result<T, Error> {
        let value: Value = from_js(name, &self.0.get(i))?;
        T::from_value(&value).map_err(|issue| Error::invalid_input(vec![issue.under(name)]))
    }
}

impl Client {
    /// The request for operation `name` with `args`, validated.
    fn prepare(&self, name: &str, args: &Args) -> Result<Step, Error> {
        let max = self.client.config().max_node_count;
        let (c, g) = (|| args.text(0, "cluster"), || args.text(1, "nodegroup"));
        Ok(match name {
            "listClusters" => api::list_clusters()?.into(),
            "getCluster" => api::get_cluster(&c()?)?.into(),
            "createCluster" => {
                api::create_cluster(&args.read::<ClusterCreate>(0, "spec")?, max)?.into()
            }
            "deleteCluster" => api::delete_cluster(&c()?)?.into(),
            "resize" => api::resize(&c()?, &args.read::<Resize>(1, "spec")?, max)?.into(),
            "getKubeconfig" => api::kubeconfig(&c()?)?.into(),
            "listEvents" => {
                let cluster = c()?;
                api::list_events(&cluster)?;
                Step::Resolve {
                    cluster,
                    then: Box::new(|uuid| Ok(api::list_events(uuid)?.into())),
                }
            }
            "getEvent" => {
                let (cluster, event) = (c()?, args.text(1, "event")?);
                api::get_event(&cluster, &event)?;
                Step::Resolve {
                    cluster,
                    then: Box::new(move |uuid| Ok(api::get_event(uuid, &event)?.into())),
                }
            }
            "setIpAcl" => api::set_ip_acl(&c()?, &args.read::<IpAcl>(1, "acl")?)?.into(),
            "getIpAcl" => api::get_ip_acl(&c()?)?.into(),
            "renewCertificates" => {
                api::renew_certificates(&c()?, &args.read::<CertificateRenewal>(1, "spec")?)?.into()
            }
            "updateServiceGateways" => {
                api::update_service_gateways(&c()?, &args.read::<ServiceGateways>(1, "spec")?)?
                    .into()
            }
            "setControlPlaneLog" => api::set_control_plane_log(
                &c()?,
                &args.read::<ControlPlaneLog>(1, "controlPlaneLog")?,
            )?
            .into(),
            "listNodeGroups" => api::list_nodegroups(&c()?)?.into(),
            "getNodeGroup" => api::get_nodegroup(&c()?, &g()?)?.into(),
            "createNodeGroup" => {
                api::create_nodegroup(&c()?, &args.read::<NodeGroupCreate>(1, "spec")?, max)?.into()
            }
            "deleteNodeGroup" => api::delete_nodegroup(&c()?, &g()?)?.into(),
            "stopNodes" => {
                api::stop_nodes(&c()?, &g()?, &args.read::<Vec<String>>(2, "nodeUuids")?)?.into()
            }
            "startNodes" => {
                api::start_nodes(&c()?, &g()?, &args.read::<Vec<String>>(2, "nodeUuids")?)?.into()
            }
            "getAutoscale" => api::get_autoscale(&c()?, &g()?)?.into(),
            "setAutoscale" => {
                api::set_autoscale(&c()?, &g()?, &args.data::<Autoscale>(2, "settings")?, max)?
                    .into()
            }
            "setMetricAutoscale" => api::set_metric_autoscale(
                &c()?,
                &g()?,
                &args.read::<MetricAutoscale>(2, "spec")?,
                max,
            )?
            .into(),
            "changeFlavor" => {
                api::change_flavor(&c()?, &g()?, &args.read::<FlavorChange>(2, "spec")?)?.into()
            }
            "setFloatingIpAutoBind" => api::set_floating_ip_auto_bind(
                &c()?,
                &g()?,
                &args.read::<FipAutoBind>(2, "fipAutoBindUpdateInfo")?,
            )?
            .into(),
            "setNodeLabels" => api::set_node_labels(&c()?, &g()?, &args.read(2, "labels")?)?.into(),
            "upgrade" => {
                let options = args.0.get(3);
                let rollout = if options.is_undefined() || options.is_null() {
                    Rollout::default()
                } else {
                    args.read::<Rollout>(3, "options")?
                };
                let spec = Upgrade {
                    version: args.text(2, "version")?,
                    rollout,
                };
                api::upgrade(&c()?, &g()?, &spec)?.into()
            }
            "setUserScript" => {
                api::set_user_script(&c()?, &g()?, &args.text(2, "contents")?)?.into()
            }
            "listAddonTypes" => api::list_addon_types()?.into(),
            "getAddonType" => api::get_addon_type(&args.text(0, "addonType")?)?.into(),
            "listAddons" => api::list_addons()?.into(),
            "getAddon" => api::get_addon(&args.text(0, "addon")?)?.into(),
            "listClusterAddons" => api::list_cluster_addons(&c()?)?.into(),
            "getClusterAddon" => api::get_cluster_addon(&c()?, &args.text(1, "addon")?)?.into(),
            "installAddon" => {
                api::install_addon(&c()?, &args.read::<AddonInstall>(1, "spec")?)?.into()
            }
            "updateAddon" => api::update_addon(
                &c()?,
                &args.text(1, "addon")?,
                &args.read::<AddonUpdate>(2, "spec")?,
            )?
            .into(),
            "uninstallAddon" => api::uninstall_addon(&c()?, &args.text(1, "addon")?)?.into(),
            "supportedVersions" => api::supported_versions()?.into(),
            "supportedEventTypes" => api::supported_event_types()?.into(),
            other => {
                return Err(Error::validation(
                    "operation",
                    format!("{other} is not available in this build"),
                ))
            }
        })
    }
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
            })
        };
        build().map_err(|e| super::js_error(&e))
    }

    /// Operation `index` of [`OPERATIONS`] with `args`: a promise of its result.
    /// `this` is this client's JavaScript object: when a token is held and nothing
    /// must be looked up first, JavaScript sends the request and settles a 2xx answer
    /// itself, handing anything else to [`Self::resume`] (see `first_attempt`).
    pub fn call(&self, index: usize, args: Array, this: JsValue) -> Promise {
        let step = OPERATIONS
            .get(index)
            .ok_or_else(|| Error::validation("operation", "unknown operation"))
            .and_then(|op| self.prepare(op.name, &Args(args)));
        if let Ok(Step::Send(p)) = &step {
            if let Ok(answer) = api::answer::encoded(p.answer) {
                if let Some(request) = self.client.ready(&p.request()) {
                    return first_attempt(&this, &request, &answer, p.idempotent);
                }
            }
        }
        let client = self.client.clone();
        promise(async move {
            let p = match step? {
                Step::Send(p) => p,
                Step::Resolve { cluster, then } => then(&client.cluster_uuid(&cluster).await?)?,
            };
            let mut value = None;
            let response = client
                .send(&p.request(), &mut |response| {
                    value = Some(api::answer::read(p.answer, &response.body.js())?);
                    Ok(())
                })
                .await?;
            read_back(value, &response)
        })
    }

    /// Takes over a call whose first attempt JavaScript sent and could not settle
    /// (an error status, a timeout, no answer, an answer its shape refused), with
    /// what came of it (`status`, `body`, `headers`, `units`: as the transport's
    /// `settle` reports an answer): read, retried or made the error as if the wasm
    /// had sent it.
    pub fn resume(
        &self,
        first: FirstAttempt,
        status: u16,
        body: JsValue,
        headers: JsValue,
        units: u32,
    ) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let lost = || Error::validation("first attempt", "not one this client sent");
            let t = first
                .take_over(status, body, headers, units)
                .ok_or_else(lost)?;
            let path = client.path_of(&t.url).ok_or_else(lost)?;
            let token = client.token_in(&t.headers).ok_or_else(lost)?;
            let request = Request {
                method: t.method,
                path,
                body: t.body.as_deref(),
                idempotent: t.idempotent,
            };
            let mut value = None;
            let first = First {
                token,
                outcome: t.outcome,
            };
            let response = client
                .resume(&request, first, &mut |response| {
                    value = Some(api::answer::read_encoded(&t.answer, &response.body.js())?);
                    Ok(())
                })
                .await?;
            read_back(value, &response)
        })
    }
}
