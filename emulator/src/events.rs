//! Task history (`GET /v1/clusters/{CLUSTER_UUID}/events[/{EVENT_UUID}]`): one event per
//! operation, `IN_PROGRESS` until the operation settles, then `SUCCESS` or `FAIL`.

use crate::reply::{Ctx, Reply};
use crate::state::{Cluster, Event, World};
use crate::util::format_utc;
use serde_json::{json, Value};

/// The most task history entries a cluster keeps (a reconciler writing every minute
/// for weeks would otherwise grow it without bound).
pub const MAX_EVENTS: usize = 1000;

/// The task types of `GET /v1/supports` (`supported_event_type`), as the guide lists them.
pub const EVENT_TYPES: [(&str, &str); 35] = [
    ("CLUSTER_CREATE", "Create a cluster"),
    ("CLUSTER_DELETE", "Delete a cluster"),
    ("CLUSTER_HANDOVER", "Cluster OWNER change"),
    ("CLUSTER_UPDATE_VM_AUTH_KEY", "Update key pair"),
    ("NODEGROUP_CREATE", "Create a node group"),
    ("NODEGROUP_DELETE", "Delete a node group"),
    ("CLUSTER_RESIZE", "Resize a cluster"),
    ("NODEGROUP_SCALE_OUT", "Scale out nodes"),
    ("NODEGROUP_SCALE_IN", "Scale in nodes"),
    ("NODEGROUP_UPDATE_FLAVOR", "Change instance type"),
    ("NODEGROUP_UPGRADE", "Node group upgrade"),
    ("NODEGROUP_USERSCRIPT_UPDATE", "Change userscript"),
    (
        "NODEGROUP_SET_CLUSTER_AUTOSCALER",
        "Change cluster autoscaler settings",
    ),
    (
        "NODEGROUP_SET_METRIC_BASE_AUTOSCALER",
        "Change metric-based autoscaler settings",
    ),
    (
        "NODEGROUP_METRIC_BASE_AUTOSCALER_SCALE_OUT",
        "Scale out nodes with threshold-based autoscaler",
    ),
    (
        "NODEGROUP_METRIC_BASE_AUTOSCALER_SCALE_IN",
        "Scale in nodes with threshold-based autoscaler",
    ),
    (
        "CLUSTER_API_EP_IPACL_UPDATE",
        "Cluster API endpoint IP access control change",
    ),
    ("NODEGROUP_NODE_ACTION_START_NODE", "Start worker node"),
    ("NODEGROUP_NODE_ACTION_STOP_NODE", "Stop worker node"),
    ("CLUSTER_UPDATE_SGW", "Update Cluster Service Gateway"),
    ("CLUSTER_ROTATE_CERTIFICATE", "Rotate cluster certificate"),
    ("CLUSTER_UPDATE_NKS_REGISTRY", "Activate NKS registry"),
    (
        "NODEGROUP_UPDATE_EXTRA_VOLUME",
        "Update extra block storage",
    ),
    (
        "NODEGROUP_UPDATE_EXTRA_SECURITY_GROUP",
        "Update Extra security groups",
    ),
    (
        "CLUSTER_UPDATE_K8S_ARGS",
        "Update to Kubernetes component options",
    ),
    ("CLUSTER_UPDATE_OIDC_ARGS", "Update OIDC settings"),
    (
        "NODEGROUP_UPDATE_K8S_NODE_LABELS",
        "Update node group Kubernetes label settings",
    ),
    ("CLUSTER_INSTALL_ADDON", "Install Addon"),
    ("CLUSTER_UNINSTALL_ADDON", "Uninstall Addon"),
    ("CLUSTER_UPDATE_ADDON", "Update Addon"),
    (
        "CLUSTER_UPDATE_CONTROL_PLANE_LOG",
        "Update control plane log collection",
    ),
    (
        "NODEGROUP_UPDATE_FIP_AUTO_BIND",
        "Change node group floating IP auto-assignment settings",
    ),
    ("K8S_API_NOT_WORKING", "Stop kube-apiserver"),
    ("ALL_NODES_NOT_READY", "All nodes stopped"),
    ("AUTO_HEALING", "Auto healing"),
];

/// `supported_event_type` of `GET /v1/supports`.
pub fn supported_types() -> Value {
    Value::Object(
        EVENT_TYPES
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect(),
    )
}

/// Records an operation's event, `IN_PROGRESS`, under the id and UUID of `ticket`
/// (`World::ticket`); `resource` is a node group's `(uuid, name)`, or `None` for the
/// cluster itself. Answers the event's UUID, which the operation's `Pending` carries
/// until it settles.
pub fn record(
    cluster: &mut Cluster,
    ticket: (u64, String),
    kind: &str,
    resource: Option<(&str, &str)>,
    now_ms: i64,
) -> String {
    let (id, uuid) = ticket;
    let (resource_uuid, resource_name, resource_type) = match resource {
        Some((u, n)) => (u.to_owned(), n.to_owned(), "nodegroup"),
        None => (cluster.uuid.clone(), cluster.name.clone(), "cluster"),
    };
    // The oldest finished entries go first past the cap; one in progress stays.
    while cluster.events.len() >= MAX_EVENTS {
        match cluster.events.iter().position(|e| e.state != "IN_PROGRESS") {
            Some(oldest) => {
                cluster.events.remove(oldest);
            }
            None => break,
        }
    }
    cluster.events.push(Event {
        id,
        uuid: uuid.clone(),
        kind: kind.to_owned(),
        resource_uuid,
        resource_name,
        resource_type,
        state: "IN_PROGRESS",
        contents: None,
        created_at: format_utc(now_ms, false),
        updated_at: None,
    });
    uuid
}

/// Marks an event `SUCCESS` or `FAIL`.
pub fn finish(cluster: &mut Cluster, uuid: &str, failed: bool, stamp: &str) {
    if let Some(e) = cluster.events.iter_mut().find(|e| e.uuid == uuid) {
        e.state = if failed { "FAIL" } else { "SUCCESS" };
        e.contents = failed.then(|| "the operation failed (emulator)".to_owned());
        e.updated_at = Some(stamp.to_owned());
    }
}

/// Ends the event of an operation that a later one (of type `by`) replaced: `SUCCESS`
/// when the later one is of the same type (a newer change of the same settings, which
/// supersedes it), else `FAIL`.
pub fn end_replaced(cluster: &mut Cluster, uuid: &str, by: &str, now_ms: i64) {
    if let Some(e) = cluster.events.iter_mut().find(|e| e.uuid == uuid) {
        let superseded = e.kind == by;
        e.state = if superseded { "SUCCESS" } else { "FAIL" };
        e.contents = (!superseded).then(|| format!("cancelled by {by}"));
        e.updated_at = Some(format_utc(now_ms, false));
    }
}

/// Whether the event `uuid` (an operation in progress) is of type `kind`.
pub fn is_kind(cluster: &Cluster, uuid: &str, kind: &str) -> bool {
    cluster
        .events
        .iter()
        .any(|e| e.uuid == uuid && e.kind == kind)
}

fn render(c: &Cluster, e: &Event, project_id: &str) -> Value {
    json!({
        "id": e.id,
        "uuid": e.uuid,
        "project_id": project_id,
        "cluster_uuid": c.uuid,
        "cluster_name": c.name,
        "resource_uuid": e.resource_uuid,
        "resource_name": e.resource_name,
        "resource_type": e.resource_type,
        "type": e.kind,
        "state": e.state,
        "contents": e.contents,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    })
}

/// The cluster a task-history path names: by UUID only, as the guide's path says.
fn by_uuid<'w>(world: &'w World, ctx: &Ctx<'_>, uuid: &str) -> Result<&'w Cluster, Reply> {
    world
        .clusters
        .iter()
        .find(|c| c.uuid == uuid)
        .ok_or_else(|| {
            Reply::error(
                ctx,
                404,
                format!("Cluster {uuid} could not be found."),
                format!(
                    "Cluster {uuid} could not be found (task history takes the cluster's UUID)."
                ),
            )
        })
}

/// `GET /v1/clusters/{CLUSTER_UUID}/events`.
pub fn list(world: &World, ctx: &Ctx<'_>, uuid: &str, project_id: &str) -> Result<Reply, Reply> {
    let c = by_uuid(world, ctx, uuid)?;
    let events: Vec<Value> = c.events.iter().map(|e| render(c, e, project_id)).collect();
    Ok(Reply::json(200, json!({ "events": events })))
}

/// `GET /v1/clusters/{CLUSTER_UUID}/events/{EVENT_UUID}`.
pub fn get(
    world: &World,
    ctx: &Ctx<'_>,
    uuid: &str,
    event: &str,
    project_id: &str,
) -> Result<Reply, Reply> {
    let c = by_uuid(world, ctx, uuid)?;
    c.events
        .iter()
        .find(|e| e.uuid == event)
        .map(|e| Reply::json(200, render(c, e, project_id)))
        .ok_or_else(|| {
            Reply::error(
                ctx,
                404,
                format!("Event {event} could not be found."),
                format!("Event {event} could not be found in cluster {uuid}."),
            )
        })
}
