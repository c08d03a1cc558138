//! [`NksClient`]: an endpoint, a token source and a transport, turned into typed
//! calls, with safe retries.

use crate::api::{self, Call, FromAnswer};
use crate::auth::{Credentials, TokenSource};
pub use crate::config::{region_endpoint, Config};
use crate::error::{Error, ErrorKind, FieldError, Service};
use crate::model::{
    Addon, AddonInstall, AddonType, AddonUpdate, Autoscale, CertificateRenewal, Cluster,
    ClusterCreate, ClusterState, ControlPlaneLog, Event, FipAutoBind, FlavorChange, InstalledAddon,
    IpAcl, MetricAutoscale, NodeGroup, NodeGroupCreate, Resize, ServiceGateways, Upgrade,
    UuidResponse,
};
use crate::retry::Backoff;
use crate::secret::Secret;
use crate::transport::{Headers, HttpRequest, HttpResponse, Method, Transport, TransportError};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The `OpenStack-API-Version` every call sends.
pub const API_VERSION: &str = "container-infra latest";

struct Inner<T> {
    config: Config,
    tokens: TokenSource,
    /// The headers of the token last sent, made once per token.
    headers: RefCell<Option<(Secret, Headers)>>,
    transport: T,
    /// Requests sent (NKS and Identity, retries included).
    sent: Cell<u64>,
    backoff: Backoff,
}

/// What one call sent: its NKS requests (a 401 sends one again) and the Identity
/// requests it made for a token (a token another call is fetching is that call's).
/// The planner pays for them from its invocation's budget.
#[derive(Default)]
pub(crate) struct Tally<'a> {
    /// NKS requests.
    pub nks: Cell<u64>,
    /// Identity requests.
    pub identity: Cell<u64>,
    /// Asked before a 401's second try (a new token, then the request again): whether
    /// the caller's budget pays for both. Refused, the call fails with the 401 (the
    /// token is dropped all the same, for the next call); without it, it tries again.
    pub second_try: Option<&'a dyn Fn() -> bool>,
}

/// The client's transport, counting each request into the client's count and into
/// a [`Tally`]'s, if there is one.
struct Tallied<'a, T> {
    transport: &'a T,
    sent: &'a Cell<u64>,
    count: Option<&'a Cell<u64>>,
}

impl<T: Transport> Transport for Tallied<'_, T> {
    async fn send(
        &self,
        request: HttpRequest,
    ) -> Result<HttpResponse, crate::transport::TransportError> {
        for count in std::iter::once(self.sent).chain(self.count) {
            count.set(count.get() + 1);
        }
        self.transport.send(request).await
    }

    async fn sleep(&self, ms: u64) {
        self.transport.sleep(ms).await;
    }

    fn now_ms(&self) -> i64 {
        self.transport.now_ms()
    }
}

/// A client of the NKS API. Cloning is cheap and shares the token cache.
pub struct NksClient<T> {
    inner: Rc<Inner<T>>,
}

impl<T> Clone for NksClient<T> {
    fn clone(&self) -> Self {
        NksClient {
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<T: Transport> NksClient<T> {
    /// A client; the configuration is checked first (the error names the field).
    pub fn new(config: Config, transport: T) -> Result<Self, Error> {
        config.validate()?;
        let seed = transport.now_ms().unsigned_abs() | 1;
        Ok(NksClient {
            inner: Rc::new(Inner {
                tokens: TokenSource::new(config.credentials.clone()),
                headers: RefCell::new(None),
                backoff: Backoff::new(&config, seed),
                config,
                transport,
                sent: Cell::new(0),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The retry policy, with its jitter state.
    pub(crate) fn backoff(&self) -> &Backoff {
        &self.inner.backoff
    }

    /// The transport (tests read a recording transport's log through it).
    pub fn transport(&self) -> &T {
        &self.inner.transport
    }

    /// How many requests (NKS and Identity, retries included) this client has sent.
    pub fn requests_sent(&self) -> u64 {
        self.inner.sent.get()
    }

    fn max(&self) -> u32 {
        self.inner.config.max_node_count
    }

    /// Endpoint 1: Lists the clusters.
    pub async fn list_clusters(&self) -> Result<Vec<Cluster>, Error> {
        self.execute(api::list_clusters()?).await
    }

    /// Endpoint 2: One cluster, by UUID or name.
    pub async fn get_cluster(&self, cluster: &str) -> Result<Cluster, Error> {
        self.execute(api::get_cluster(cluster)?).await
    }

    /// A cluster's identity, status, version and certificate expiry only: what the
    /// planner, `status` and name resolution read (the rest of the answer is skipped).
    pub async fn cluster_state(&self, cluster: &str) -> Result<ClusterState, Error> {
        self.execute(api::get_cluster_state(cluster)?).await
    }

    /// Endpoint 3: Creates a cluster; answers its UUID.
    pub async fn create_cluster(&self, spec: &ClusterCreate) -> Result<UuidResponse, Error> {
        self.execute(api::create_cluster(spec, self.max())?).await
    }

    /// Endpoint 4: Deletes a cluster.
    pub async fn delete_cluster(&self, cluster: &str) -> Result<(), Error> {
        self.execute(api::delete_cluster(cluster)?).await
    }

    /// Endpoint 5: Resizes a worker node group; answers the cluster's UUID.
    pub async fn resize(&self, cluster: &str, spec: &Resize) -> Result<UuidResponse, Error> {
        self.execute(api::resize(cluster, spec, self.max())?).await
    }

    /// Endpoint 6: The cluster's kubeconfig YAML.
    pub async fn kubeconfig(&self, cluster: &str) -> Result<Secret, Error> {
        Ok(self.execute(api::kubeconfig(cluster)?).await?.config)
    }

    /// Endpoint 7: Lists a cluster's node groups (`default-master` is not listed).
    pub async fn list_nodegroups(&self, cluster: &str) -> Result<Vec<NodeGroup>, Error> {
        self.execute(api::list_nodegroups(cluster)?).await
    }

    /// Endpoint 8: One node group.
    pub async fn get_nodegroup(&self, cluster: &str, nodegroup: &str) -> Result<NodeGroup, Error> {
        self.execute(api::get_nodegroup(cluster, nodegroup)?).await
    }

    /// Endpoint 9: Creates a node group; answers it.
    pub async fn create_nodegroup(
        &self,
        cluster: &str,
        spec: &NodeGroupCreate,
    ) -> Result<NodeGroup, Error> {
        self.execute(api::create_nodegroup(cluster, spec, self.max())?)
            .await
    }

    /// Endpoint 10: Deletes a node group.
    pub async fn delete_nodegroup(&self, cluster: &str, nodegroup: &str) -> Result<(), Error> {
        self.execute(api::delete_nodegroup(cluster, nodegroup)?)
            .await
    }

    /// Endpoint 11: A node group's autoscaler settings.
    pub async fn get_autoscale(&self, cluster: &str, nodegroup: &str) -> Result<Autoscale, Error> {
        self.execute(api::get_autoscale(cluster, nodegroup)?).await
    }

    /// Endpoint 12: Changes a node group's autoscaler settings; answers its UUID.
    pub async fn set_autoscale(
        &self,
        cluster: &str,
        nodegroup: &str,
        settings: &Autoscale,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::set_autoscale(
            cluster,
            nodegroup,
            settings,
            self.max(),
        )?)
        .await
    }

    /// Upgrades a node group (`default-master`: the control plane, first) to `version`,
    /// with the API's default rollout.
    pub async fn upgrade(
        &self,
        cluster: &str,
        nodegroup: &str,
        version: &str,
    ) -> Result<UuidResponse, Error> {
        let spec = Upgrade {
            version: version.to_owned(),
            ..Upgrade::default()
        };
        self.upgrade_with(cluster, nodegroup, &spec).await
    }

    /// Upgrades a node group with the rollout options (`num_buffer_nodes`,
    /// `num_max_unavailable_nodes`) of `spec`.
    pub async fn upgrade_with(
        &self,
        cluster: &str,
        nodegroup: &str,
        spec: &Upgrade,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::upgrade(cluster, nodegroup, spec)?).await
    }

    /// The Kubernetes versions the service supports.
    pub async fn supported_versions(&self) -> Result<BTreeMap<String, bool>, Error> {
        Ok(self
            .execute(api::supported_versions()?)
            .await?
            .supported_k8s)
    }

    /// The task types events report, with their descriptions.
    pub async fn supported_event_types(&self) -> Result<BTreeMap<String, String>, Error> {
        Ok(self
            .execute(api::supported_event_types()?)
            .await?
            .supported_event_type)
    }

    /// The UUID of `cluster`: itself when it has a UUID's form, else read with one
    /// cluster request (the events paths take only UUIDs).
    pub async fn cluster_uuid(&self, cluster: &str) -> Result<String, Error> {
        if crate::validate::looks_like_uuid(cluster) {
            return Ok(cluster.to_owned());
        }
        Ok(self.cluster_state(cluster).await?.uuid)
    }

    /// A cluster's task history (a name costs one more request: see [`Self::cluster_uuid`]).
    pub async fn list_events(&self, cluster: &str) -> Result<Vec<Event>, Error> {
        api::list_events(cluster)?;
        let uuid = self.cluster_uuid(cluster).await?;
        self.execute(api::list_events(&uuid)?).await
    }

    /// One task of a cluster's history.
    pub async fn get_event(&self, cluster: &str, event: &str) -> Result<Event, Error> {
        api::get_event(cluster, event)?;
        let uuid = self.cluster_uuid(cluster).await?;
        self.execute(api::get_event(&uuid, event)?).await
    }

    /// IP access control of the cluster's API endpoint.
    pub async fn get_ip_acl(&self, cluster: &str) -> Result<IpAcl, Error> {
        self.execute(api::get_ip_acl(cluster)?).await
    }

    /// Sets IP access control of the cluster's API endpoint; answers its UUID.
    pub async fn set_ip_acl(&self, cluster: &str, acl: &IpAcl) -> Result<UuidResponse, Error> {
        self.execute(api::set_ip_acl(cluster, acl)?).await
    }

    /// Renews the cluster's certificates for `term_of_validity` years (1..=5).
    pub async fn renew_certificates(
        &self,
        cluster: &str,
        spec: &CertificateRenewal,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::renew_certificates(cluster, spec)?).await
    }

    /// Changes the cluster's service gateways.
    pub async fn update_service_gateways(
        &self,
        cluster: &str,
        spec: &ServiceGateways,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::update_service_gateways(cluster, spec)?)
            .await
    }

    /// Sets where the control plane's logs go.
    pub async fn set_control_plane_log(
        &self,
        cluster: &str,
        log: &ControlPlaneLog,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::set_control_plane_log(cluster, log)?)
            .await
    }

    /// Stops nodes of a node group (their UUIDs).
    pub async fn stop_nodes(
        &self,
        cluster: &str,
        nodegroup: &str,
        nodes: &[String],
    ) -> Result<UuidResponse, Error> {
        self.execute(api::stop_nodes(cluster, nodegroup, nodes)?)
            .await
    }

    /// Starts stopped nodes of a node group (their UUIDs).
    pub async fn start_nodes(
        &self,
        cluster: &str,
        nodegroup: &str,
        nodes: &[String],
    ) -> Result<UuidResponse, Error> {
        self.execute(api::start_nodes(cluster, nodegroup, nodes)?)
            .await
    }

    /// Sets a node group's metric-based autoscaler.
    pub async fn set_metric_autoscale(
        &self,
        cluster: &str,
        nodegroup: &str,
        spec: &MetricAutoscale,
    ) -> Result<UuidResponse, Error> {
        let max = self.config().max_node_count;
        self.execute(api::set_metric_autoscale(cluster, nodegroup, spec, max)?)
            .await
    }

    /// Changes a node group's instance type.
    pub async fn change_flavor(
        &self,
        cluster: &str,
        nodegroup: &str,
        spec: &FlavorChange,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::change_flavor(cluster, nodegroup, spec)?)
            .await
    }

    /// Sets a node group's floating IP auto-assignment.
    pub async fn set_floating_ip_auto_bind(
        &self,
        cluster: &str,
        nodegroup: &str,
        spec: &FipAutoBind,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::set_floating_ip_auto_bind(cluster, nodegroup, spec)?)
            .await
    }

    /// Sets a node group's Kubernetes node labels (at most 20).
    pub async fn set_node_labels(
        &self,
        cluster: &str,
        nodegroup: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::set_node_labels(cluster, nodegroup, labels)?)
            .await
    }

    /// Replaces a node group's user script.
    pub async fn set_user_script(
        &self,
        cluster: &str,
        nodegroup: &str,
        contents: &str,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::set_user_script(cluster, nodegroup, contents)?)
            .await
    }

    /// The add-on types.
    pub async fn list_addon_types(&self) -> Result<Vec<AddonType>, Error> {
        self.execute(api::list_addon_types()?).await
    }

    /// One add-on type, by UUID or name.
    pub async fn get_addon_type(&self, addon_type: &str) -> Result<AddonType, Error> {
        self.execute(api::get_addon_type(addon_type)?).await
    }

    /// The add-on catalogue.
    pub async fn list_addons(&self) -> Result<Vec<Addon>, Error> {
        self.execute(api::list_addons()?).await
    }

    /// One add-on of the catalogue, by UUID.
    pub async fn get_addon(&self, addon: &str) -> Result<Addon, Error> {
        self.execute(api::get_addon(addon)?).await
    }

    /// The add-ons installed on a cluster.
    pub async fn list_cluster_addons(&self, cluster: &str) -> Result<Vec<InstalledAddon>, Error> {
        self.execute(api::list_cluster_addons(cluster)?).await
    }

    /// One add-on installed on a cluster, by UUID or name.
    pub async fn get_cluster_addon(
        &self,
        cluster: &str,
        addon: &str,
    ) -> Result<InstalledAddon, Error> {
        self.execute(api::get_cluster_addon(cluster, addon)?).await
    }

    /// Installs an add-on on a cluster.
    pub async fn install_addon(
        &self,
        cluster: &str,
        spec: &AddonInstall,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::install_addon(cluster, spec)?).await
    }

    /// Updates an add-on installed on a cluster.
    pub async fn update_addon(
        &self,
        cluster: &str,
        addon: &str,
        spec: &AddonUpdate,
    ) -> Result<UuidResponse, Error> {
        self.execute(api::update_addon(cluster, addon, spec)?).await
    }

    /// Removes an add-on from a cluster.
    pub async fn uninstall_addon(&self, cluster: &str, addon: &str) -> Result<UuidResponse, Error> {
        self.execute(api::uninstall_addon(cluster, addon)?).await
    }

    /// Sends one call and reads its answer into the call's result type (a body it cannot
    /// read is `invalid_response`, retried as a read's transient failure). Only the
    /// reading is generic: the sending is one non-generic function, held once in the wasm.
    pub async fn execute<R: FromAnswer>(&self, call: Call<R>) -> Result<R, Error> {
        let mut answer = None;
        let request = Request {
            method: call.method(),
            path: &call.path,
            body: call.body.as_deref(),
            idempotent: call.idempotent,
        };
        let response = self
            .send(&request, &mut |response| {
                answer = Some(R::from_answer(response.body.text())?);
                Ok(())
            })
            .await?;
        read_back(answer, &response)
    }

    /// Sends a request until it succeeds or fails for good: adds the headers and the
    /// token, refreshes an Identity token once on 401, retries idempotent requests on
    /// transient failures. A 2xx answer goes to `read`; one it refuses is
    /// `invalid_response`, transient like a broken connection. Not generic over the
    /// result type, so the wasm holds it once.
    pub(crate) async fn send(
        &self,
        request: &Request<'_>,
        read: Read<'_>,
    ) -> Result<HttpResponse, Error> {
        self.send_tallied(request, None, read).await
    }

    /// [`Self::send`], counting what it sends into `tally`.
    pub(crate) async fn send_tallied(
        &self,
        request: &Request<'_>,
        tally: Option<&Tally<'_>>,
        read: Read<'_>,
    ) -> Result<HttpResponse, Error> {
        self.send_from(request, tally, None, read).await
    }

    /// The first attempt of `request`, when it can be sent at once: a token is held,
    /// so no Identity request must come first. Counted as sent; whoever sends it
    /// hands anything but an answer it could read to [`Self::resume`].
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn ready(&self, request: &Request<'_>) -> Option<HttpRequest> {
        let inner = &*self.inner;
        let token = inner.tokens.ready(inner.transport.now_ms())?;
        inner.sent.set(inner.sent.get() + 1);
        Some(self.request(request.method, request.path, request.body, &token))
    }

    /// [`Self::send`] from a first attempt sent elsewhere ([`Self::ready`]): what came
    /// of it is read, retried or made the error as if this client had sent it.
    #[cfg(target_arch = "wasm32")]
    pub(crate) async fn resume(
        &self,
        request: &Request<'_>,
        first: First,
        read: Read<'_>,
    ) -> Result<HttpResponse, Error> {
        self.send_from(request, None, Some(first), read).await
    }

    /// [`Self::send_tallied`], its first attempt already made when `first` is given.
    async fn send_from(
        &self,
        request: &Request<'_>,
        tally: Option<&Tally<'_>>,
        mut first: Option<First>,
        read: Read<'_>,
    ) -> Result<HttpResponse, Error> {
        let &Request {
            method,
            path,
            body,
            idempotent,
        } = request;
        let inner = &*self.inner;
        let identity = Tallied {
            transport: &inner.transport,
            sent: &inner.sent,
            count: tally.map(|t| &t.identity),
        };
        let nks = Tallied {
            transport: &inner.transport,
            sent: &inner.sent,
            count: tally.map(|t| &t.nks),
        };
        let timeout_ms = inner.config.timeout_ms;
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            let (token, outcome) = match first.take() {
                Some(First { token, outcome }) => (token, outcome),
                None => {
                    let token = inner
                        .tokens
                        .token(&identity, timeout_ms, &inner.backoff)
                        .await?;
                    let outcome = nks.send(self.request(method, path, body, &token)).await;
                    (token, outcome)
                }
            };
            let mut error = match outcome {
                Ok(response) if (200..300).contains(&response.status) => match read(&response) {
                    Ok(()) => return Ok(response),
                    Err(why) => unreadable(&response, why),
                },
                Ok(response) => Error::from_response(&response, inner.transport.now_ms()),
                Err(failure) => Error::from_transport(&failure, timeout_ms),
            }
            .during(Service::Nks, method, &self.url(path));
            // What NKS was sent: its token (or access key). The Identity password
            // never goes to NKS; replacing it here would mark a caller's own words
            // that match it, which a gateway passes on.
            error.redact(&[token.expose()]);
            if error.kind == ErrorKind::Unauthorized && !refreshed && inner.tokens.can_refresh() {
                inner.tokens.invalidate(&token);
                if tally.and_then(|t| t.second_try).is_some_and(|paid| !paid()) {
                    return Err(error);
                }
                refreshed = true;
                continue;
            }
            match inner.backoff.delay(idempotent, &error, attempt) {
                Some(delay) => {
                    inner.transport.sleep(delay).await;
                    attempt += 1;
                }
                None => return Err(error),
            }
        }
    }

    /// The endpoint, without a trailing `/`: every URL starts with it.
    fn endpoint(&self) -> &str {
        self.inner.config.endpoint.trim_end_matches('/')
    }

    /// The path of `url`, one of this client's URLs.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn path_of<'u>(&self, url: &'u str) -> Option<&'u str> {
        url.strip_prefix(self.endpoint())
            .filter(|path| path.starts_with('/'))
    }

    /// The URL of `path` (below the endpoint).
    fn url(&self, path: &str) -> String {
        let endpoint = self.endpoint();
        let mut url = String::with_capacity(endpoint.len() + path.len());
        url.push_str(endpoint);
        url.push_str(path);
        url
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        token: &Secret,
    ) -> HttpRequest {
        let config = &self.inner.config;
        HttpRequest {
            method,
            url: self.url(path),
            headers: self.headers(token),
            body: body.map(str::to_owned),
            timeout_ms: config.timeout_ms,
        }
    }

    /// The headers of a request with `token`, shared by every request that sends it.
    fn headers(&self, token: &Secret) -> Headers {
        let mut cached = self.inner.headers.borrow_mut();
        if let Some((sent, headers)) = cached.as_ref() {
            if sent == token {
                return Rc::clone(headers);
            }
        }
        let (name, prefix) = self.auth_header();
        let auth = (name.into(), format!("{prefix}{}", token.expose()));
        let headers: Headers = Rc::from(vec![
            ("Accept".into(), "application/json".into()),
            ("Content-Type".into(), "application/json".into()),
            ("OpenStack-API-Version".into(), API_VERSION.into()),
            auth,
        ]);
        *cached = Some((token.clone(), Rc::clone(&headers)));
        headers
    }

    /// The header that carries the token, and what precedes the token in its value.
    fn auth_header(&self) -> (&'static str, &'static str) {
        match self.inner.config.credentials {
            Credentials::AccessKey(_) => ("Authorization", "Bearer "),
            _ => ("X-Auth-Token", ""),
        }
    }

    /// The token `headers` carry, as [`Self::headers`] made them.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn token_in(&self, headers: &[(String, String)]) -> Option<Secret> {
        let (name, prefix) = self.auth_header();
        let (_, value) = headers.iter().find(|(n, _)| n == name)?;
        value.strip_prefix(prefix).map(Secret::from)
    }
}

/// A call's first attempt, sent elsewhere (see [`NksClient::ready`]): the token it
/// carried and what came of it. Only the wasm's JavaScript sends one.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) struct First {
    pub token: Secret,
    pub outcome: Result<HttpResponse, TransportError>,
}

/// One request to send: what [`NksClient::send`] takes.
#[derive(Clone, Copy)]
pub(crate) struct Request<'c> {
    pub method: Method,
    pub path: &'c str,
    pub body: Option<&'c str>,
    /// Whether it may be resent (see [`crate::api::Operation::idempotent`]).
    pub idempotent: bool,
}

/// Reads a 2xx answer (into what the caller keeps); a refusal makes it unreadable.
pub(crate) type Read<'r> = &'r mut dyn FnMut(&HttpResponse) -> Result<(), FieldError>;

/// What a [`Read`] kept of `response` (it always keeps something when `send` succeeds).
pub(crate) fn read_back<V>(value: Option<V>, response: &HttpResponse) -> Result<V, Error> {
    value.ok_or_else(|| unreadable(response, FieldError::new("", "it was not read")))
}

/// The `invalid_response` error of an answer that did not parse (not generic).
#[inline(never)]
pub(crate) fn unreadable(response: &HttpResponse, why: FieldError) -> Error {
    let mut error = Error::invalid_response(response.status, why);
    error.request_id = response.header("x-openstack-request-id").map(str::to_owned);
    error.body = response.body.text().to_owned();
    error
}
