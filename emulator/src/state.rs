//! The emulated world: clusters with their node groups (and nodes), task history, IP
//! access control and add-ons; the supported versions; and the transitions that settle
//! after `--op-delay-ms`. Labels are kept in their wire form (strings), as the service
//! stores them.

use crate::util::{format_utc, is_rfc3339, version_key, years_later, Rng};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What happens when a pending operation's delay has passed.
#[derive(Debug, Clone, PartialEq)]
pub enum Then {
    /// `X_IN_PROGRESS` becomes `X_COMPLETE`.
    Complete,
    /// Like `Complete`, and the Kubernetes version moves to this one.
    Upgrade(String),
    /// The resource disappears (`DELETE_IN_PROGRESS` → gone).
    Remove,
    /// Like `Complete`, and the node group's instances take this flavor.
    Flavor(String),
    /// Like `Complete`, and the cluster's certificates are renewed for this many years.
    Renew(u32),
    /// Like `Complete`, and these nodes (by UUID) are the first removed to meet the
    /// node count.
    Resize(Vec<String>),
}

/// An operation in progress and when it settles.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub at_ms: i64,
    pub then: Then,
    /// The event (task history entry) this operation settles.
    pub event: Option<String>,
    /// Set by `/_emulator/fail`: the operation ends `*_FAILED` and its event `FAIL`.
    pub fail: bool,
}

impl Pending {
    pub fn new(at_ms: i64, then: Then, event: Option<String>) -> Self {
        Pending {
            at_ms,
            then,
            event,
            fail: false,
        }
    }
}

/// One worker instance of a node group.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub uuid: String,
    pub address: String,
    pub stopped: bool,
}

#[derive(Debug, Clone)]
pub struct NodeGroup {
    pub id: u64,
    pub uuid: String,
    pub name: String,
    pub role: String,
    pub is_default: bool,
    pub flavor_id: String,
    pub image_id: String,
    pub labels: Map<String, Value>,
    pub node_count: u32,
    pub nodes: Vec<Node>,
    /// Instances made so far: names the next node's UUID and address.
    pub nodes_made: u64,
    pub status: String,
    pub status_reason: Option<String>,
    pub stack_id: String,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub pending: Option<Pending>,
    /// What the operation that ended `*_FAILED` would have done: `/_emulator/repair`
    /// completes it (a failed group takes no other operation before).
    pub failed: Option<Then>,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub uuid: String,
    pub name: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub flavor_id: String,
    pub keypair: String,
    pub fixed_network: String,
    pub fixed_subnet: String,
    pub stack_id: String,
    pub api_address: String,
    pub project_id: String,
    pub user_id: String,
    pub create_timeout: u32,
    pub created_at: String,
    pub updated_at: Option<String>,
    /// Cluster labels; `kube_tag` is the control plane's version.
    pub labels: Map<String, Value>,
    /// Worker node groups, in creation order (`default-worker` first).
    pub nodegroups: Vec<NodeGroup>,
    /// The control plane's node group: not listed, only upgraded.
    pub master: NodeGroup,
    /// What makes this cluster's certificates differ from every other's.
    pub cert_seed: String,
    pub pending: Option<Pending>,
    /// Task history, oldest first.
    pub events: Vec<Event>,
    /// IP access control of the API endpoint.
    pub acl: Acl,
    /// Installed add-ons.
    pub addons: Vec<Addon>,
}

/// A task history entry (`GET …/events`).
#[derive(Debug, Clone)]
pub struct Event {
    pub id: u64,
    pub uuid: String,
    pub kind: String,
    pub resource_uuid: String,
    pub resource_name: String,
    pub resource_type: &'static str,
    /// `IN_PROGRESS`, `SUCCESS` or `FAIL`.
    pub state: &'static str,
    pub contents: Option<String>,
    pub created_at: String,
    pub updated_at: Option<String>,
}

/// The API endpoint's IP access control.
#[derive(Debug, Clone, Default)]
pub struct Acl {
    pub enable: bool,
    pub action: String,
    /// `(cidr_address, description)`.
    pub targets: Vec<(String, Option<String>)>,
}

/// An add-on installed on a cluster.
#[derive(Debug, Clone)]
pub struct Addon {
    pub uuid: String,
    pub kind: String,
    pub name: String,
    pub version: String,
    pub options: Map<String, Value>,
    pub status: String,
    pub status_reason: Option<String>,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub pending: Option<Pending>,
}

impl Cluster {
    /// Worker nodes in all.
    pub fn node_count(&self) -> u32 {
        self.nodegroups.iter().map(|g| g.node_count).sum()
    }

    /// Adds a worker node group, labelled with this cluster's server group.
    pub fn push_group(&mut self, mut group: NodeGroup) {
        group.labels.insert(
            "server_group_meta".into(),
            Value::String(format!("k8s_{}_{}", self.uuid, group.uuid)),
        );
        self.nodegroups.push(group);
    }

    /// The labels a worker group starts from: the cluster's own (the guide's
    /// default-worker carries them all).
    pub fn worker_labels(&self) -> Map<String, Value> {
        self.labels
            .iter()
            .filter(|(k, _)| {
                ![
                    "server_group_meta",
                    "etcd_volume_size",
                    "term_of_validity",
                    "certificate_expiry",
                    "control_plane_log",
                ]
                .contains(&k.as_str())
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn kube_tag(&self) -> &str {
        self.labels
            .get("kube_tag")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// A label as a boolean, however it is written.
pub fn label_flag(labels: &Map<String, Value>, key: &str) -> bool {
    match labels.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A label as a count, however it is written.
pub fn label_count(labels: &Map<String, Value>, key: &str) -> Option<u32> {
    match labels.get(key) {
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The wire form of a label value: booleans as "True"/"False", numbers as strings.
pub fn wire_label(value: &Value) -> Value {
    match value {
        Value::Bool(b) => Value::String(if *b { "True" } else { "False" }.into()),
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    }
}

/// The whole emulated state.
#[derive(Debug, Clone)]
pub struct World {
    pub clusters: Vec<Cluster>,
    pub supported: BTreeMap<String, bool>,
    next_id: u64,
}

/// Where a resource lives, for lookups by UUID or name.
pub enum Found {
    One(usize),
    Missing,
    Ambiguous,
}

pub fn find<'a>(items: impl Iterator<Item = (usize, &'a str, &'a str)>, key: &str) -> Found {
    let mut by_name = Vec::new();
    for (i, uuid, name) in items {
        if uuid == key {
            return Found::One(i);
        }
        if name == key {
            by_name.push(i);
        }
    }
    match by_name.as_slice() {
        [] => Found::Missing,
        [one] => Found::One(*one),
        _ => Found::Ambiguous,
    }
}

impl World {
    pub fn empty() -> Self {
        World {
            clusters: Vec::new(),
            supported: default_supported(),
            next_id: 2690,
        }
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A fresh id and UUID for an event.
    pub fn ticket(&mut self, rng: &mut Rng) -> (u64, String) {
        (self.next_id(), rng.uuid())
    }

    /// A cluster by UUID or name.
    pub fn cluster_index(&self, key: &str) -> Found {
        find(
            self.clusters
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.uuid.as_str(), c.name.as_str())),
            key,
        )
    }

    /// Applies every pending operation whose time has come, then marks each version
    /// `LATEST` or `NEED_UPGRADE` against the newest supported one.
    pub fn settle(&mut self, now_ms: i64) {
        let stamp = format_utc(now_ms, false);
        self.clusters
            .retain_mut(|cluster| settle_cluster(cluster, now_ms, &stamp));
        let latest = self
            .supported
            .iter()
            .filter(|(_, on)| **on)
            .filter_map(|(v, _)| version_key(v))
            .max();
        for c in &mut self.clusters {
            version_status(&mut c.labels, latest.as_ref());
            version_status(&mut c.master.labels, latest.as_ref());
            for g in &mut c.nodegroups {
                version_status(&mut g.labels, latest.as_ref());
            }
        }
    }
}

fn version_status(labels: &mut Map<String, Value>, latest: Option<&Vec<u32>>) {
    let own = labels
        .get("kube_tag")
        .and_then(Value::as_str)
        .and_then(version_key);
    let behind = matches!((own, latest), (Some(own), Some(latest)) if own < *latest);
    labels.insert(
        "kube_version_status".into(),
        Value::String(if behind { "NEED_UPGRADE" } else { "LATEST" }.into()),
    );
}

/// Takes the pending operation out if its time has come.
fn due(pending: &mut Option<Pending>, now_ms: i64) -> Option<Pending> {
    match pending.take() {
        Some(p) if p.at_ms <= now_ms => Some(p),
        other => {
            *pending = other;
            None
        }
    }
}

/// `X_IN_PROGRESS` → `X_COMPLETE` (or `X_FAILED`), and the status reason that goes with it.
fn finish(status: &str, failed: bool) -> (String, String) {
    let op = status.strip_suffix("_IN_PROGRESS").unwrap_or(status);
    let op = op
        .strip_suffix("_COMPLETE")
        .or_else(|| op.strip_suffix("_FAILED"))
        .unwrap_or(op);
    if failed {
        (
            format!("{op}_FAILED"),
            format!("Stack {op} failed: the operation failed (emulator)"),
        )
    } else {
        (
            format!("{op}_COMPLETE"),
            format!("Stack {op} completed successfully"),
        )
    }
}

/// Events settled in one pass: `(event uuid, failed)`.
type Done = Vec<(String, bool)>;

/// Settles one cluster; answers whether it still exists.
fn settle_cluster(cluster: &mut Cluster, now_ms: i64, stamp: &str) -> bool {
    let mut done = Done::new();
    let version = settle_group(&mut cluster.master, now_ms, stamp, &mut done);
    control_plane_upgraded(cluster, version);
    cluster.nodegroups.retain_mut(|g| {
        settle_group(g, now_ms, stamp, &mut done);
        g.status != "DELETE_COMPLETE"
    });
    cluster.addons.retain_mut(|a| {
        let Some(p) = due(&mut a.pending, now_ms) else {
            return true;
        };
        a.updated_at = Some(stamp.to_owned());
        if let Some(e) = p.event {
            done.push((e, p.fail));
        }
        if p.then == Then::Remove && !p.fail {
            return false;
        }
        let (status, _) = finish(&a.status, p.fail);
        a.status = status;
        a.status_reason = p.fail.then(|| "the operation failed (emulator)".to_owned());
        true
    });
    let mut alive = true;
    if let Some(p) = due(&mut cluster.pending, now_ms) {
        cluster.updated_at = Some(stamp.to_owned());
        if let Some(e) = p.event.clone() {
            done.push((e, p.fail));
        }
        if p.then == Then::Remove && !p.fail {
            alive = false;
        }
        if let (Then::Renew(years), false) = (&p.then, p.fail) {
            renew(cluster, *years, now_ms);
        }
        let (status, reason) = finish(&cluster.status, p.fail);
        cluster.status = status;
        cluster.status_reason = Some(reason);
    }
    for (uuid, failed) in done {
        crate::events::finish(cluster, &uuid, failed, stamp);
    }
    alive
}

/// New certificates: new kubeconfig data, a new expiry.
fn renew(cluster: &mut Cluster, years: u32, now_ms: i64) {
    cluster.cert_seed = format!("{}{:x}", cluster.cert_seed.get(..32).unwrap_or(""), now_ms);
    cluster
        .labels
        .insert("term_of_validity".into(), Value::String(years.to_string()));
    cluster.labels.insert(
        "certificate_expiry".into(),
        Value::String(years_later(now_ms, years)),
    );
}

/// Settles one node group; answers the version it was upgraded to, if it was.
fn settle_group(
    group: &mut NodeGroup,
    now_ms: i64,
    stamp: &str,
    done: &mut Done,
) -> Option<String> {
    let p = due(&mut group.pending, now_ms)?;
    group.updated_at = Some(stamp.to_owned());
    if let Some(e) = p.event {
        done.push((e, p.fail));
    }
    if p.then == Then::Remove && !p.fail {
        group.status = "DELETE_COMPLETE".into();
        return None;
    }
    let (status, reason) = finish(&group.status, p.fail);
    group.status = status;
    group.status_reason = Some(reason);
    if p.fail {
        group.failed = Some(p.then);
        return None;
    }
    complete(group, p.then)
}

/// The cluster's version after its control plane was upgraded to `version`, if it was.
pub fn control_plane_upgraded(cluster: &mut Cluster, version: Option<String>) {
    if let Some(version) = version {
        cluster
            .labels
            .insert("kube_tag".into(), Value::String(version));
    }
}

/// What a node group's operation does when it completes (settled, or repaired after
/// it failed); answers the version it was upgraded to, if it was.
pub fn complete(group: &mut NodeGroup, then: Then) -> Option<String> {
    if let Then::Resize(gone) = &then {
        group.nodes.retain(|n| !gone.contains(&n.uuid));
    }
    sync_nodes(group);
    match then {
        Then::Upgrade(version) => {
            group
                .labels
                .insert("kube_tag".into(), Value::String(version.clone()));
            Some(version)
        }
        Then::Flavor(flavor) => {
            group.flavor_id = flavor;
            None
        }
        Then::Complete | Then::Remove | Then::Renew(_) | Then::Resize(_) => None,
    }
}

/// Makes the nodes as many as the node count: keeps the old ones, adds new ones.
pub fn sync_nodes(group: &mut NodeGroup) {
    let want = usize::try_from(group.node_count).unwrap_or(0);
    group.nodes.truncate(want);
    while group.nodes.len() < want {
        let n = group.nodes_made;
        group.nodes_made += 1;
        let host = 10 + group.id % 200 + n;
        group.nodes.push(Node {
            uuid: format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                group.id & 0xffff_ffff,
                n & 0xffff,
                group.id & 0xfff,
                n & 0xfff,
                (group.id << 20 | n) & 0xffff_ffff_ffff
            ),
            address: format!(
                "192.{}.{}.{}",
                168 + (host / 250) % 80,
                group.id % 250,
                host % 250 + 2
            ),
            stopped: false,
        });
    }
}

/// The current guide's `GET /v1/supports`: every version NKS has offered, and whether
/// it still is (the four newest). The emulator's table unless a seed gives its own.
const SUPPORTED_K8S: [(&str, bool); 16] = [
    ("v1.17.6", false),
    ("v1.18.19", false),
    ("v1.19.13", false),
    ("v1.20.12", false),
    ("v1.21.6", false),
    ("v1.22.3", false),
    ("v1.23.3", false),
    ("v1.24.3", false),
    ("v1.25.4", false),
    ("v1.26.3", false),
    ("v1.27.3", false),
    ("v1.28.3", false),
    ("v1.29.3", true),
    ("v1.30.3", true),
    ("v1.31.4", true),
    ("v1.32.3", true),
];

pub fn default_supported() -> BTreeMap<String, bool> {
    SUPPORTED_K8S
        .into_iter()
        .map(|(v, on)| (v.to_owned(), on))
        .collect()
}

/// The oldest version a table supports: that of a seed cluster that names none (NKS
/// creates clusters at supported versions only); the default table's if this one
/// supports none.
fn oldest_supported(supported: &BTreeMap<String, bool>) -> String {
    let oldest = |table: &BTreeMap<String, bool>| {
        table
            .iter()
            .filter(|(_, on)| **on)
            .filter_map(|(v, _)| Some((version_key(v)?, v.clone())))
            .min()
            .map(|(_, v)| v)
    };
    oldest(supported)
        .or_else(|| oldest(&default_supported()))
        .unwrap_or_default()
}

/// A seed file: the initial clusters, and optionally the supported versions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub clusters: Vec<SeedCluster>,
    #[serde(default)]
    pub supported_k8s: Option<BTreeMap<String, bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCluster {
    pub name: String,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// For a status `*_IN_PROGRESS`: when it settles (default `--op-delay-ms`).
    #[serde(default)]
    pub settle_after_ms: Option<i64>,
    #[serde(default)]
    pub kube_tag: Option<String>,
    #[serde(default)]
    pub labels: Map<String, Value>,
    /// The installed add-ons by name (default: the default of each mandatory type; `[]`
    /// for a cluster older than add-on management).
    #[serde(default)]
    pub addons: Option<Vec<String>>,
    /// Sets `labels.certificate_expiry` this many days from the seed's loading
    /// (negative: already expired).
    #[serde(default)]
    pub certificate_expiry_in_days: Option<i64>,
    #[serde(default)]
    pub nodegroups: Vec<SeedNodeGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedNodeGroup {
    pub name: String,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub node_count: Option<u32>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub kube_tag: Option<String>,
    #[serde(default)]
    pub labels: Map<String, Value>,
    /// How many of its nodes are stopped (the first ones).
    #[serde(default)]
    pub stopped_nodes: u32,
}

/// What a new cluster or node group is made from.
pub struct Blueprint<'a> {
    pub now_ms: i64,
    pub project_id: &'a str,
    pub op_delay_ms: i64,
}

/// Labels of the guide's example cluster, used where a seed or request says nothing.
fn base_labels(kube_tag: &str) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in [
        ("availability_zone", "kr1-pub-a"),
        ("boot_volume_size", "20"),
        ("boot_volume_type", "General HDD"),
        ("ca_enable", "False"),
        ("ca_pod_replicas", "1"),
        ("ca_max_node_count", "10"),
        ("ca_min_node_count", "1"),
        ("ca_scale_down_delay_after_add", "10"),
        ("ca_scale_down_enable", "True"),
        ("ca_scale_down_unneeded_time", "10"),
        ("ca_scale_down_util_thresh", "50"),
        ("cert_manager_api", "True"),
        ("clusterautoscale", "nodegroupfeature"),
        ("kube_tag", kube_tag),
        ("master_lb_floating_ip_enabled", "False"),
        ("node_image", "2b03f75e-c583-4198-8821-6eba31ab621e"),
        ("user_script", ""),
    ] {
        m.insert(k.into(), Value::String(v.into()));
    }
    m
}

/// The platform version the service reports (the guide's example).
const PLATFORM_VERSION: &str = "1.202511.0";
/// The most nodes a seed may give one node group (each node is kept in memory).
const MAX_SEED_NODES: u32 = 1000;
/// Certificates' validity in years when nothing says otherwise.
const DEFAULT_TERM_OF_VALIDITY: u32 = 5;

/// Labels the service adds to every node group it creates.
pub fn service_labels(labels: &mut Map<String, Value>, kube_tag: &str) {
    for (k, v) in [
        (
            "ca_image",
            "k8s.gcr.io/autoscaling/cluster-autoscaler:v1.19.0",
        ),
        ("clusterautoscale", "nodegroupfeature"),
        ("flavor_type", "core"),
        ("hypervisor_type", "qemu"),
        ("login_username", "centos"),
        ("os_arch", "amd64"),
        ("os_distro", "CentOS"),
        ("os_type", "linux"),
        ("os_version", "7.8"),
        ("project_domain", "NORMAL"),
        ("platform_version", PLATFORM_VERSION),
    ] {
        labels.entry(k).or_insert_with(|| Value::String(v.into()));
    }
    labels
        .entry("kube_tag")
        .or_insert_with(|| Value::String(kube_tag.into()));
    labels
        .entry("kube_version_status")
        .or_insert_with(|| Value::String("LATEST".into()));
}

/// A new node group.
#[allow(clippy::too_many_arguments)]
pub fn new_nodegroup(
    world: &mut World,
    rng: &mut Rng,
    bp: &Blueprint<'_>,
    name: &str,
    role: &str,
    flavor_id: &str,
    image_id: &str,
    labels: Map<String, Value>,
    node_count: u32,
    status: &str,
) -> NodeGroup {
    let id = world.next_id();
    let mut group = NodeGroup {
        id,
        uuid: rng.uuid(),
        name: name.to_owned(),
        role: role.to_owned(),
        is_default: name == "default-worker" || name == "default-master",
        flavor_id: flavor_id.to_owned(),
        image_id: image_id.to_owned(),
        labels,
        node_count,
        nodes: Vec::new(),
        nodes_made: 0,
        status: status.to_owned(),
        status_reason: None,
        stack_id: rng.uuid(),
        created_at: format_utc(bp.now_ms, false),
        updated_at: None,
        pending: None,
        failed: None,
    };
    if status.ends_with("_IN_PROGRESS") {
        group.pending = Some(Pending::new(
            bp.now_ms.saturating_add(bp.op_delay_ms),
            Then::Complete,
            None,
        ));
    } else {
        group.status_reason = Some("Stack CREATE completed successfully".into());
    }
    sync_nodes(&mut group);
    group
}

/// Builds a world from a seed. Errors name the cluster or node group at fault.
pub fn from_seed(seed: Seed, rng: &mut Rng, bp: &Blueprint<'_>) -> Result<World, String> {
    let mut world = World::empty();
    if let Some(supported) = seed.supported_k8s {
        world.supported = supported;
    }
    for (ci, sc) in seed.clusters.into_iter().enumerate() {
        if sc.name.trim().is_empty() {
            return Err(format!("clusters[{ci}].name must not be empty"));
        }
        let kube_tag = sc
            .kube_tag
            .clone()
            .unwrap_or_else(|| oldest_supported(&world.supported));
        let status = sc
            .status
            .clone()
            .unwrap_or_else(|| "CREATE_COMPLETE".into());
        let mut labels = base_labels(&kube_tag);
        for (k, v) in &sc.labels {
            labels.insert(k.clone(), wire_label(v));
        }
        if let Some(days) = sc.certificate_expiry_in_days {
            let at = bp.now_ms.saturating_add(days.saturating_mul(86_400_000));
            labels.insert(
                "certificate_expiry".into(),
                Value::String(format_utc(at, false)),
            );
        }
        if let Some(expiry) = labels.get("certificate_expiry").and_then(Value::as_str) {
            if !is_rfc3339(expiry) {
                return Err(format!(
                    "clusters[{ci}].labels.certificate_expiry must be an RFC 3339 instant, got {expiry:?}"
                ));
            }
        }
        let bp_cluster = Blueprint {
            op_delay_ms: sc.settle_after_ms.unwrap_or(bp.op_delay_ms),
            ..*bp
        };
        let flavor = "6ef27f21-c774-4c0e-84ff-7dd4a762571f";
        let image = labels
            .get("node_image")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut cluster = new_cluster(
            &mut world,
            rng,
            &bp_cluster,
            &sc.name,
            &kube_tag,
            labels.clone(),
            &status,
        );
        if let Some(names) = &sc.addons {
            cluster.addons = crate::addons::by_names(names, rng, bp.now_ms, cluster.kube_tag())
                .map_err(|e| format!("clusters[{ci}].addons: {e}"))?;
        }
        if let Some(uuid) = sc.uuid {
            cluster.uuid = uuid;
            cluster.labels.insert(
                "server_group_meta".into(),
                Value::String(format!("k8s_{}_{}", cluster.uuid, cluster.master.uuid)),
            );
        }
        let mut groups = sc.nodegroups;
        if !groups.iter().any(|g| g.name == "default-worker") {
            groups.insert(
                0,
                SeedNodeGroup {
                    name: "default-worker".into(),
                    uuid: None,
                    node_count: Some(1),
                    status: None,
                    kube_tag: None,
                    labels: Map::new(),
                    stopped_nodes: 0,
                },
            );
        }
        for (gi, sg) in groups.into_iter().enumerate() {
            if sg.name.trim().is_empty() || sg.name == "default-master" {
                return Err(format!(
                    "clusters[{ci}].nodegroups[{gi}].name must be a worker node group's name"
                ));
            }
            let mut glabels = cluster.worker_labels();
            for (k, v) in &sg.labels {
                glabels.insert(k.clone(), wire_label(v));
            }
            // The group's own version, over the cluster's its labels started from.
            if let Some(tag) = &sg.kube_tag {
                glabels.insert("kube_tag".into(), Value::String(tag.clone()));
            }
            let nodes = sg.node_count.unwrap_or(1);
            if nodes > MAX_SEED_NODES {
                return Err(format!(
                    "clusters[{ci}].nodegroups[{gi}].node_count must be at most {MAX_SEED_NODES}"
                ));
            }
            let gtag = sg.kube_tag.unwrap_or_else(|| kube_tag.clone());
            service_labels(&mut glabels, &gtag);
            let gstatus = sg.status.unwrap_or_else(|| status.clone());
            let mut group = new_nodegroup(
                &mut world,
                rng,
                &bp_cluster,
                &sg.name,
                "worker",
                flavor,
                &image,
                glabels,
                nodes,
                &gstatus,
            );
            if let Some(uuid) = sg.uuid {
                group.uuid = uuid;
            }
            if sg.stopped_nodes > group.node_count {
                return Err(format!(
                    "clusters[{ci}].nodegroups[{gi}].stopped_nodes exceeds its node_count"
                ));
            }
            for node in group
                .nodes
                .iter_mut()
                .take(usize::try_from(sg.stopped_nodes).unwrap_or(0))
            {
                node.stopped = true;
            }
            cluster.push_group(group);
        }
        let ticket = world.ticket(rng);
        let event = crate::events::record(&mut cluster, ticket, "CLUSTER_CREATE", None, bp.now_ms);
        match cluster.pending.as_mut() {
            Some(p) if status.starts_with("CREATE_") => p.event = Some(event),
            _ => crate::events::finish(&mut cluster, &event, false, &format_utc(bp.now_ms, false)),
        }
        world.clusters.push(cluster);
    }
    Ok(world)
}

/// A new cluster with its control-plane node group (no worker groups yet), at
/// `kube_tag` unless `labels` names its version.
pub fn new_cluster(
    world: &mut World,
    rng: &mut Rng,
    bp: &Blueprint<'_>,
    name: &str,
    kube_tag: &str,
    labels: Map<String, Value>,
    status: &str,
) -> Cluster {
    let uuid = rng.uuid();
    let kube_tag = labels
        .get("kube_tag")
        .and_then(Value::as_str)
        .unwrap_or(kube_tag)
        .to_owned();
    let mut master_labels = Map::new();
    service_labels(&mut master_labels, &kube_tag);
    let master = new_nodegroup(
        world,
        rng,
        bp,
        "default-master",
        "master",
        "6ef27f21-c774-4c0e-84ff-7dd4a762571f",
        "",
        master_labels,
        3,
        status,
    );
    let short = uuid.get(..8).unwrap_or("cluster").to_owned();
    let mut labels = labels;
    service_labels(&mut labels, &kube_tag);
    labels.remove("ca_image");
    for (k, v) in [
        ("etcd_volume_size", "10"),
        ("strict_sg_rules", "False"),
        ("service_cluster_ip_range", "10.254.0.0/16"),
        ("pods_network_cidr", "10.100.0.0/16"),
        ("pods_network_subnet", "24"),
    ] {
        labels.entry(k).or_insert_with(|| Value::String(v.into()));
    }
    let term = label_count(&labels, "term_of_validity").unwrap_or(DEFAULT_TERM_OF_VALIDITY);
    labels.insert("term_of_validity".into(), Value::String(term.to_string()));
    labels
        .entry("certificate_expiry")
        .or_insert_with(|| Value::String(years_later(bp.now_ms, term)));
    labels.insert(
        "server_group_meta".into(),
        Value::String(format!("k8s_{uuid}_{}", master.uuid)),
    );
    Cluster {
        api_address: format!("https://{short}-kr1-k8s.container.nhncloudservice.com:6443"),
        uuid,
        name: name.to_owned(),
        status: status.to_owned(),
        status_reason: None,
        flavor_id: "6ef27f21-c774-4c0e-84ff-7dd4a762571f".into(),
        keypair: "demo-keypair".into(),
        fixed_network: "eb212079-b6ec-430c-ba57-14280a457bcb".into(),
        fixed_subnet: "4fdf5b80-3d35-43f5-a5c1-010a3b6c8e90".into(),
        stack_id: rng.uuid(),
        project_id: bp.project_id.to_owned(),
        user_id: "12ba32bebc414c4992a2c9be3952a64c".into(),
        create_timeout: 60,
        created_at: format_utc(bp.now_ms, false),
        updated_at: None,
        labels,
        nodegroups: Vec::new(),
        master,
        cert_seed: rng.hex(48),
        // A seeded delete under way ends with the cluster gone, as a requested one does.
        pending: status.ends_with("_IN_PROGRESS").then(|| {
            let then = if status.starts_with("DELETE_") {
                Then::Remove
            } else {
                Then::Complete
            };
            Pending::new(bp.now_ms.saturating_add(bp.op_delay_ms), then, None)
        }),
        events: Vec::new(),
        acl: Acl::default(),
        addons: crate::addons::defaults(rng, bp.now_ms, &kube_tag),
    }
}
