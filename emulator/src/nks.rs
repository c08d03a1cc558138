//! The NKS API's routes (the current guide's 34 method+path pairs), and the handlers of
//! clusters, node groups, resize, autoscaler and upgrade, with the reference's rules.

use crate::fields::{count, count_of, flag, object, text, within, Res};
use crate::ops::{
    begin, ca_on, cluster, cluster_at, cluster_at_mut, cluster_index, group, group_at,
    group_at_mut, group_idle, group_settled, mba_label_on, mba_on, no_stopped_nodes, settled,
    which, Keys, Scope, Which, MASTER, MBA_LABELS,
};
use crate::reply::{Ctx, Reply};
use crate::state::{
    label_count, new_cluster, new_nodegroup, service_labels, wire_label, Blueprint, Then, World,
};
use crate::util::{version_key, Rng};
use crate::{addons, cluster_ops, events, nodegroup_ops, render};
use serde_json::{json, Map, Value};

/// Settings that shape the service's answers.
pub struct Limits {
    /// Upper bound of node counts (the quota; 10 by default).
    pub max_node_count: u32,
    /// How long operations stay `*_IN_PROGRESS`.
    pub op_delay_ms: i64,
    /// The project (tenant) id resources belong to.
    pub project_id: String,
}

const FLAG_LABELS: [&str; 4] = [
    "cert_manager_api",
    "ca_enable",
    "ca_scale_down_enable",
    "master_lb_floating_ip_enabled",
];
const COUNT_LABELS: [&str; 6] = [
    "boot_volume_size",
    "ca_max_node_count",
    "ca_min_node_count",
    "ca_scale_down_unneeded_time",
    "ca_scale_down_util_thresh",
    "ca_scale_down_delay_after_add",
];
/// The settings `POST …/autoscale` accepts.
const AUTOSCALE_FIELDS: [&str; 8] = [
    "ca_enable",
    "ca_pod_replicas",
    "ca_max_node_count",
    "ca_min_node_count",
    "ca_scale_down_enable",
    "ca_scale_down_unneeded_time",
    "ca_scale_down_util_thresh",
    "ca_scale_down_delay_after_add",
];

/// Answers one NKS request; `segs` is the path's segments (a trailing slash dropped).
pub fn handle(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    method: &str,
    segs: &[&str],
    body: &[u8],
) -> Reply {
    world.settle(ctx.now_ms);
    let project = limits.project_id.as_str();
    let result = match (method, segs) {
        ("GET", ["v1", "clusters"]) => Ok(Reply::json(
            200,
            json!({"clusters": world.clusters.iter().map(|c| render::cluster_summary(c, ctx.base_url)).collect::<Vec<_>>()}),
        )),
        ("POST", ["v1", "clusters"]) => create_cluster(world, rng, limits, ctx, body),
        ("GET", ["v1", "clusters", c]) => cluster(world, ctx, c)
            .map(|c| Reply::json(200, render::cluster_detail(c, ctx.base_url))),
        ("DELETE", ["v1", "clusters", c]) => delete_cluster(world, rng, limits, ctx, c),
        ("PATCH", ["v1", "clusters", c]) => cluster_ops::patch(world, rng, limits, ctx, c, body),
        ("GET", ["v1", "clusters", c, "events"]) => events::list(world, ctx, c, project),
        ("GET", ["v1", "clusters", c, "events", e]) => events::get(world, ctx, c, e, project),
        ("POST", ["v1", "clusters", c, "actions", "resize"]) => {
            resize(world, rng, limits, ctx, c, body)
        }
        ("POST", ["v1", "clusters", c, "actions", "update_sgw"]) => {
            cluster_ops::update_sgw(world, rng, limits, ctx, c, body)
        }
        ("GET", ["v1", "clusters", c, "config"]) => kubeconfig(world, ctx, c),
        ("GET", ["v1", "clusters", c, "api_ep_ipacl"]) => cluster_ops::get_acl(world, ctx, c),
        ("POST", ["v1", "clusters", c, "api_ep_ipacl"]) => {
            cluster_ops::set_acl(world, rng, limits, ctx, c, body)
        }
        ("PATCH", ["v1", "certificates", c]) => {
            cluster_ops::renew(world, rng, limits, ctx, c, body)
        }
        ("GET", ["v1", "clusters", c, "nodegroups"]) => cluster(world, ctx, c).map(|c| {
            let groups: Vec<Value> = c.nodegroups.iter().map(render::nodegroup_summary).collect();
            Reply::json(200, json!({"nodegroups": groups}))
        }),
        ("POST", ["v1", "clusters", c, "nodegroups"]) => {
            create_nodegroup(world, rng, limits, ctx, c, body)
        }
        ("GET", ["v1", "clusters", c, "nodegroups", g]) => cluster(world, ctx, c).and_then(|cl| {
            let group = group_at(cl, ctx, which(cl, ctx, g, false)?)?;
            Ok(Reply::json(
                200,
                render::nodegroup_detail(cl, group, ctx.base_url),
            ))
        }),
        ("DELETE", ["v1", "clusters", c, "nodegroups", g]) => {
            delete_nodegroup(world, rng, limits, ctx, c, g)
        }
        ("PATCH", ["v1", "clusters", c, "nodegroups", g]) => {
            nodegroup_ops::patch(world, rng, limits, ctx, (c, g), body)
        }
        ("POST", ["v1", "clusters", c, "nodegroups", g, action @ ("stop_node" | "start_node")]) => {
            nodegroup_ops::stop_start(
                world,
                rng,
                limits,
                ctx,
                (c, g),
                *action == "stop_node",
                body,
            )
        }
        ("POST", ["v1", "clusters", c, "nodegroups", g, "userscript"]) => {
            nodegroup_ops::userscript(world, rng, limits, ctx, (c, g), body)
        }
        ("GET", ["v1", "clusters", c, "nodegroups", g, "autoscale"]) => {
            group(world, ctx, c, g).map(|(_, g)| Reply::json(200, render::autoscale(g)))
        }
        ("POST", ["v1", "clusters", c, "nodegroups", g, "autoscale"]) => {
            set_autoscale(world, rng, limits, ctx, (c, g), body)
        }
        ("POST", ["v1", "clusters", c, "nodegroups", g, "upgrade"]) => {
            upgrade(world, rng, limits, ctx, (c, g), body)
        }
        ("GET", ["v1", "addon_types"]) => Ok(addons::types()),
        ("GET", ["v1", "addon_types", t]) => addons::get_type(ctx, t),
        ("GET", ["v1", "addons"]) => Ok(addons::catalogue()),
        ("GET", ["v1", "addons", a]) => addons::get_offered(ctx, a),
        ("GET", ["v1", "clusters", c, "addons"]) => addons::list(world, ctx, c, project),
        ("GET", ["v1", "clusters", c, "addons", a]) => addons::get(world, ctx, c, a, project),
        ("POST", ["v1", "clusters", c, "addons"]) => {
            addons::install(world, rng, limits, ctx, c, body)
        }
        ("PATCH", ["v1", "clusters", c, "addons", a]) => {
            addons::update(world, rng, limits, ctx, (c, a), body)
        }
        ("DELETE", ["v1", "clusters", c, "addons", a]) => {
            addons::uninstall(world, rng, limits, ctx, (c, a))
        }
        ("GET", ["v1", "supports"]) => Ok(Reply::json(
            200,
            json!({"supported_k8s": world.supported, "supported_event_type": events::supported_types()}),
        )),
        (_, path) if known_path(path) => Err(Reply::error(
            ctx,
            405,
            "Method Not Allowed",
            format!("{method} is not allowed on this resource"),
        )),
        _ => Err(Reply::error(
            ctx,
            404,
            "Not Found",
            "The resource could not be found.",
        )),
    };
    result.unwrap_or_else(|e| e)
}

fn known_path(segs: &[&str]) -> bool {
    matches!(
        segs,
        ["v1", "clusters" | "supports" | "addons" | "addon_types"]
            | [
                "v1",
                "clusters" | "certificates" | "addons" | "addon_types",
                _
            ]
            | [
                "v1",
                "clusters",
                _,
                "config" | "events" | "api_ep_ipacl" | "nodegroups" | "addons"
            ]
            | ["v1", "clusters", _, "actions", "resize" | "update_sgw"]
            | ["v1", "clusters", _, "events" | "nodegroups" | "addons", _]
            | [
                "v1",
                "clusters",
                _,
                "nodegroups",
                _,
                "autoscale" | "upgrade" | "stop_node" | "start_node" | "userscript"
            ]
    )
}

/// A create request's `labels` object.
fn labels_of<'m>(ctx: &Ctx<'_>, map: &'m Map<String, Value>) -> Res<&'m Map<String, Value>> {
    match map.get("labels") {
        Some(Value::Object(labels)) => Ok(labels),
        _ => Err(Reply::invalid(
            ctx,
            "labels",
            "is mandatory and must be an object",
        )),
    }
}

/// Autoscaler bounds: each within the quota, min ≤ max.
fn bounds(ctx: &Ctx<'_>, prefix: &str, min: Option<u32>, max: Option<u32>, quota: u32) -> Res<()> {
    if let Some(n) = min {
        within(ctx, &format!("{prefix}ca_min_node_count"), n, quota)?;
    }
    if let Some(n) = max {
        within(ctx, &format!("{prefix}ca_max_node_count"), n, quota)?;
    }
    match (min, max) {
        (Some(lo), Some(hi)) if lo > hi => Err(Reply::invalid(
            ctx,
            &format!("{prefix}ca_min_node_count"),
            &format!("must not exceed ca_max_node_count ({lo} > {hi})"),
        )),
        _ => Ok(()),
    }
}

/// Checks a create request's labels and answers them in wire form.
fn worker_labels(
    ctx: &Ctx<'_>,
    labels: &Map<String, Value>,
    required_text: &[&str],
    quota: u32,
) -> Res<Map<String, Value>> {
    for field in required_text {
        text(ctx, labels, "labels.", field)?;
    }
    count(ctx, labels, "labels.", "boot_volume_size", true)?;
    if flag(ctx, labels, "labels.", "ca_enable", true)? == Some(true) {
        if let Some(mba) = MBA_LABELS
            .iter()
            .find(|k| labels.get(**k).is_some_and(mba_label_on))
        {
            return Err(Reply::invalid(
                ctx,
                "labels.ca_enable",
                &format!("must not be \"True\" while labels.{mba} is enabled: the cluster autoscaler and the metric-based autoscaler cannot be on at once"),
            ));
        }
    }
    for field in FLAG_LABELS {
        flag(ctx, labels, "labels.", field, false)?;
    }
    for field in COUNT_LABELS {
        count(ctx, labels, "labels.", field, false)?;
    }
    let min = count(ctx, labels, "labels.", "ca_min_node_count", false)?;
    let max = count(ctx, labels, "labels.", "ca_max_node_count", false)?;
    bounds(ctx, "labels.", min, max, quota)?;
    Ok(labels
        .iter()
        .map(|(k, v)| (k.clone(), wire_label(v)))
        .collect())
}

fn supported(world: &World, ctx: &Ctx<'_>, field: &str, version: &str) -> Res<()> {
    if world.supported.get(version) == Some(&true) {
        Ok(())
    } else {
        Err(Reply::invalid(
            ctx,
            field,
            &format!("{version} is not a supported Kubernetes version (see GET /v1/supports)"),
        ))
    }
}

/// The autoscaler settings the service fills in when a request leaves them out.
fn default_autoscaler(labels: &mut Map<String, Value>) {
    for (k, v) in [
        ("ca_pod_replicas", "1"),
        ("ca_max_node_count", "10"),
        ("ca_min_node_count", "1"),
        ("ca_scale_down_enable", "True"),
        ("ca_scale_down_unneeded_time", "10"),
        ("ca_scale_down_util_thresh", "50"),
        ("ca_scale_down_delay_after_add", "10"),
        ("clusterautoscale", "nodegroupfeature"),
    ] {
        labels.entry(k).or_insert_with(|| json!(v));
    }
}

fn create_cluster(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    body: &[u8],
) -> Res<Reply> {
    let m = object(ctx, body)?;
    let name = text(ctx, &m, "", "name")?;
    let template = text(ctx, &m, "", "cluster_template_id")?;
    if template != "iaas_console" {
        return Err(Reply::invalid(
            ctx,
            "cluster_template_id",
            "must be \"iaas_console\"",
        ));
    }
    let keypair = text(ctx, &m, "", "keypair")?;
    let nodes = count(ctx, &m, "", "node_count", true)?.unwrap_or(1);
    within(ctx, "node_count", nodes, limits.max_node_count)?;
    let flavor_id = text(ctx, &m, "", "flavor_id")?;
    let fixed_network = text(ctx, &m, "", "fixed_network")?;
    let fixed_subnet = text(ctx, &m, "", "fixed_subnet")?;
    let labels = labels_of(ctx, &m)?;
    let mut wire = worker_labels(
        ctx,
        labels,
        &[
            "availability_zone",
            "node_image",
            "boot_volume_type",
            "kube_tag",
        ],
        limits.max_node_count,
    )?;
    if flag(ctx, labels, "labels.", "cert_manager_api", true)? != Some(true) {
        return Err(Reply::invalid(
            ctx,
            "labels.cert_manager_api",
            "must be \"True\"",
        ));
    }
    if flag(
        ctx,
        labels,
        "labels.",
        "master_lb_floating_ip_enabled",
        true,
    )? == Some(true)
    {
        let set = |k: &str| {
            labels
                .get(k)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        };
        if !(set("external_network_id") && set("external_subnet_id_list")) {
            return Err(Reply::invalid(
                ctx,
                "labels.master_lb_floating_ip_enabled",
                "may be \"True\" only when labels.external_network_id and labels.external_subnet_id_list are set",
            ));
        }
    }
    let kube_tag = text(ctx, labels, "labels.", "kube_tag")?;
    supported(world, ctx, "labels.kube_tag", &kube_tag)?;
    if world.clusters.iter().any(|c| c.name == name) {
        return Err(Reply::error(
            ctx,
            409,
            format!("A cluster with name {name} already exists."),
            "Cluster names are unique within a project.",
        ));
    }
    let requested_addons = addons::requested(ctx, &m, &kube_tag)?;
    let bp = Blueprint {
        now_ms: ctx.now_ms,
        project_id: &limits.project_id,
        op_delay_ms: limits.op_delay_ms,
    };
    default_autoscaler(&mut wire);
    let image = text(ctx, labels, "labels.", "node_image")?;
    let mut c = new_cluster(
        world,
        rng,
        &bp,
        &name,
        &kube_tag,
        wire,
        "CREATE_IN_PROGRESS",
    );
    let mut group_labels = c.worker_labels();
    service_labels(&mut group_labels, &kube_tag);
    let worker = new_nodegroup(
        world,
        rng,
        &bp,
        "default-worker",
        "worker",
        &flavor_id,
        &image,
        group_labels,
        nodes,
        "CREATE_IN_PROGRESS",
    );
    c.push_group(worker);
    c.keypair = keypair;
    c.flavor_id = flavor_id;
    c.fixed_network = fixed_network;
    c.fixed_subnet = fixed_subnet;
    if let Some(timeout) = m.get("create_timeout").and_then(count_of) {
        c.create_timeout = timeout;
    }
    addons::replace_defaults(&mut c, requested_addons, rng, ctx.now_ms);
    let ticket = world.ticket(rng);
    let event = events::record(&mut c, ticket, "CLUSTER_CREATE", None, ctx.now_ms);
    if let Some(p) = c.pending.as_mut() {
        p.event = Some(event);
    }
    let uuid = c.uuid.clone();
    world.clusters.push(c);
    Ok(Reply::json(202, json!({"uuid": uuid})))
}

fn delete_cluster(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
) -> Res<Reply> {
    let i = cluster_index(world, ctx, key)?;
    let c = cluster_at_mut(world, ctx, i)?;
    if c.status != "DELETE_IN_PROGRESS" {
        c.status_reason = None;
        begin(
            world,
            rng,
            ctx,
            limits.op_delay_ms,
            i,
            Scope::Cluster,
            ("CLUSTER_DELETE", "DELETE_IN_PROGRESS"),
            Then::Remove,
        )?;
    }
    Ok(Reply::empty(204))
}

fn resize(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = cluster_index(world, ctx, key)?;
    settled(ctx, cluster_at(world, ctx, i)?)?;
    let m = object(ctx, body)?;
    let group = text(ctx, &m, "", "nodegroup")?;
    let nodes = count(ctx, &m, "", "node_count", true)?.unwrap_or(1);
    within(ctx, "node_count", nodes, limits.max_node_count)?;
    let remove: Vec<String> = match m.get("nodes_to_remove") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                Reply::invalid(ctx, "nodes_to_remove", "must be a list of node UUIDs")
            })?,
        Some(_) => {
            return Err(Reply::invalid(
                ctx,
                "nodes_to_remove",
                "must be a list of node UUIDs",
            ))
        }
    };
    let c = cluster_at_mut(world, ctx, i)?;
    let w = which(c, ctx, &group, false)?;
    let g = group_at_mut(c, ctx, w)?;
    group_settled(ctx, g)?;
    if ca_on(g) || mba_on(g) {
        return Err(Reply::error(
            ctx,
            400,
            format!(
                "Resize is not allowed while the autoscaler of node group {} is enabled.",
                g.name
            ),
            "Change the autoscaler's bounds instead, or disable it first.",
        ));
    }
    let shrink_by = usize::try_from(g.node_count.saturating_sub(nodes)).unwrap_or(0);
    if remove.len() > shrink_by {
        return Err(Reply::invalid(
            ctx,
            "nodes_to_remove",
            &format!(
                "names {} nodes, but the resize removes {shrink_by}",
                remove.len()
            ),
        ));
    }
    for (n, uuid) in remove.iter().enumerate() {
        if !g.nodes.iter().any(|node| node.uuid == *uuid) {
            return Err(Reply::invalid(
                ctx,
                "nodes_to_remove",
                &format!("{uuid} is not a node of node group {}", g.name),
            ));
        }
        if remove.iter().take(n).any(|u| u == uuid) {
            return Err(Reply::invalid(
                ctx,
                "nodes_to_remove",
                &format!("names {uuid} twice"),
            ));
        }
    }
    g.node_count = nodes;
    let uuid = cluster_at(world, ctx, i)?.uuid.clone();
    begin(
        world,
        rng,
        ctx,
        limits.op_delay_ms,
        i,
        Scope::Both(w),
        ("CLUSTER_RESIZE", "UPDATE_IN_PROGRESS"),
        Then::Resize(remove),
    )?;
    Ok(Reply::json(202, json!({ "uuid": uuid })))
}

fn kubeconfig(world: &World, ctx: &Ctx<'_>, key: &str) -> Res<Reply> {
    let c = cluster(world, ctx, key)?;
    if c.status.starts_with("CREATE_") && c.status != "CREATE_COMPLETE" {
        return Err(Reply::error(
            ctx,
            400,
            format!("Cluster {} is in status {}.", c.name, c.status),
            "The kubeconfig is available once the cluster is created.",
        ));
    }
    Ok(Reply::json(200, json!({"config": render::kubeconfig(c)})))
}

fn create_nodegroup(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = cluster_index(world, ctx, key)?;
    settled(ctx, cluster_at(world, ctx, i)?)?;
    let m = object(ctx, body)?;
    let name = text(ctx, &m, "", "name")?;
    let flavor_id = text(ctx, &m, "", "flavor_id")?;
    let image_id = text(ctx, &m, "", "image_id")?;
    let labels = labels_of(ctx, &m)?;
    let mut wire = worker_labels(
        ctx,
        labels,
        &["availability_zone", "boot_volume_type"],
        limits.max_node_count,
    )?;
    let nodes = count(ctx, &m, "", "node_count", false)?.unwrap_or(1);
    within(ctx, "node_count", nodes, limits.max_node_count)?;
    let c = cluster_at(world, ctx, i)?;
    if name == MASTER || c.nodegroups.iter().any(|g| g.name == name) {
        return Err(Reply::error(
            ctx,
            409,
            format!(
                "A node group with name {name} already exists in cluster {}.",
                c.name
            ),
            "Node group names are unique within a cluster.",
        ));
    }
    let kube_tag = c.kube_tag().to_owned();
    default_autoscaler(&mut wire);
    wire.entry("user_script").or_insert_with(|| json!(""));
    service_labels(&mut wire, &kube_tag);
    let bp = Blueprint {
        now_ms: ctx.now_ms,
        project_id: &limits.project_id,
        op_delay_ms: limits.op_delay_ms,
    };
    let mut group = new_nodegroup(
        world,
        rng,
        &bp,
        &name,
        "worker",
        &flavor_id,
        &image_id,
        wire,
        nodes,
        "CREATE_IN_PROGRESS",
    );
    let ticket = world.ticket(rng);
    let c = cluster_at_mut(world, ctx, i)?;
    let event = events::record(
        c,
        ticket,
        "NODEGROUP_CREATE",
        Some((&group.uuid, &group.name)),
        ctx.now_ms,
    );
    if let Some(p) = group.pending.as_mut() {
        p.event = Some(event);
    }
    let answer = render::nodegroup_created(c, &group, ctx.base_url);
    c.push_group(group);
    Ok(Reply::json(201, answer))
}

fn delete_nodegroup(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    group: &str,
) -> Res<Reply> {
    let i = cluster_index(world, ctx, key)?;
    let c = cluster_at(world, ctx, i)?;
    let w = which(c, ctx, group, false)?;
    let g = group_at(c, ctx, w)?;
    if g.is_default {
        return Err(Reply::error(
            ctx,
            400,
            "Deleting a default nodegroup is not supported.",
            format!("{} is the cluster's default node group.", g.name),
        ));
    }
    if g.status != "DELETE_IN_PROGRESS" {
        // Not while the cluster itself is being changed (a failed cluster may still
        // lose a node group).
        if c.status.ends_with("_IN_PROGRESS") {
            settled(ctx, c)?;
        }
        group_idle(ctx, g)?;
        begin(
            world,
            rng,
            ctx,
            limits.op_delay_ms,
            i,
            Scope::Group(w),
            ("NODEGROUP_DELETE", "DELETE_IN_PROGRESS"),
            Then::Remove,
        )?;
    }
    Ok(Reply::empty(204))
}

/// The event type of an autoscaler change.
const AUTOSCALE_EVENT: &str = "NODEGROUP_SET_CLUSTER_AUTOSCALER";

fn set_autoscale(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    (key, group): Keys<'_>,
    body: &[u8],
) -> Res<Reply> {
    let i = cluster_index(world, ctx, key)?;
    let c = cluster_at(world, ctx, i)?;
    settled(ctx, c)?;
    let w = which(c, ctx, group, false)?;
    let g = group_at(c, ctx, w)?;
    // A newer change of the autoscaler's settings supersedes one in progress (a
    // level-triggered reconciler may send it again); any other operation in
    // progress refuses it.
    let superseding = g
        .pending
        .as_ref()
        .and_then(|p| p.event.as_deref())
        .is_some_and(|e| crate::events::is_kind(c, e, AUTOSCALE_EVENT));
    if !superseding {
        group_settled(ctx, g)?;
    }
    let m = object(ctx, body)?;
    if let Some(unknown) = m.keys().find(|k| !AUTOSCALE_FIELDS.contains(&k.as_str())) {
        return Err(Reply::invalid(ctx, unknown, "is not an autoscaler setting"));
    }
    let enable = flag(ctx, &m, "", "ca_enable", true)?.unwrap_or(false);
    flag(ctx, &m, "", "ca_scale_down_enable", false)?;
    for field in [
        "ca_pod_replicas",
        "ca_scale_down_unneeded_time",
        "ca_scale_down_delay_after_add",
    ] {
        count(ctx, &m, "", field, false)?;
    }
    if count(ctx, &m, "", "ca_scale_down_util_thresh", false)?.is_some_and(|t| t > 100) {
        return Err(Reply::invalid(
            ctx,
            "ca_scale_down_util_thresh",
            "is a percentage: at most 100",
        ));
    }
    let c = cluster_at_mut(world, ctx, i)?;
    let g = group_at_mut(c, ctx, w)?;
    if enable {
        if mba_on(g) {
            return Err(Reply::error(
                ctx,
                400,
                format!(
                    "The metric-based autoscaler of node group {} is enabled.",
                    g.name
                ),
                "The cluster autoscaler and the metric-based autoscaler cannot be enabled at the same time: disable the metric-based autoscaler first.",
            ));
        }
        no_stopped_nodes(ctx, g, "enable the autoscaler")?;
    }
    let min = count(ctx, &m, "", "ca_min_node_count", false)?
        .or(label_count(&g.labels, "ca_min_node_count"));
    let max = count(ctx, &m, "", "ca_max_node_count", false)?
        .or(label_count(&g.labels, "ca_max_node_count"));
    bounds(ctx, "", min, max, limits.max_node_count)?;
    for (k, v) in &m {
        g.labels.insert(k.clone(), wire_label(v));
    }
    if enable {
        // The autoscaler keeps the node count within its bounds.
        g.node_count = g.node_count.clamp(
            min.unwrap_or(1),
            max.unwrap_or(limits.max_node_count).max(min.unwrap_or(1)),
        );
    }
    let uuid = begin(
        world,
        rng,
        ctx,
        limits.op_delay_ms,
        i,
        Scope::Group(w),
        (AUTOSCALE_EVENT, "UPDATE_IN_PROGRESS"),
        Then::Complete,
    )?;
    Ok(Reply::json(202, json!({ "uuid": uuid })))
}

/// `num_buffer_nodes` (0..=quota − nodes, default 1) and `num_max_unavailable_nodes`
/// (1..=nodes, default 1) of upgrades and flavor changes.
pub fn rolling_options(ctx: &Ctx<'_>, m: &Map<String, Value>, nodes: u32, quota: u32) -> Res<()> {
    if let Some(n) = count(ctx, m, "", "num_buffer_nodes", false)? {
        let most = quota.saturating_sub(nodes);
        if n > most {
            return Err(Reply::invalid(
                ctx,
                "num_buffer_nodes",
                &format!("must be between 0 and {most} (the quota less the node group's {nodes} nodes), got {n}"),
            ));
        }
    }
    if let Some(n) = count(ctx, m, "", "num_max_unavailable_nodes", false)? {
        if !(1..=nodes.max(1)).contains(&n) {
            return Err(Reply::invalid(
                ctx,
                "num_max_unavailable_nodes",
                &format!(
                    "must be between 1 and the node group's {} nodes, got {n}",
                    nodes.max(1)
                ),
            ));
        }
    }
    Ok(())
}

fn minor(version: &str) -> Option<(u32, u32)> {
    let key = version_key(version)?;
    Some((*key.first()?, *key.get(1)?))
}

fn upgrade(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    (key, group): Keys<'_>,
    body: &[u8],
) -> Res<Reply> {
    let i = cluster_index(world, ctx, key)?;
    let c = cluster_at(world, ctx, i)?;
    settled(ctx, c)?;
    let m = object(ctx, body)?;
    let version = text(ctx, &m, "", "version")?;
    supported(world, ctx, "version", &version)?;
    let w = which(c, ctx, group, true)?;
    let g = group_at(c, ctx, w)?;
    group_settled(ctx, g)?;
    if w != Which::Master {
        rolling_options(ctx, &m, g.node_count, limits.max_node_count)?;
    }
    let control_plane = c.kube_tag().to_owned();
    let current = g
        .labels
        .get("kube_tag")
        .and_then(Value::as_str)
        .unwrap_or(&control_plane)
        .to_owned();
    if version_key(&version) <= version_key(&current) {
        return Err(Reply::invalid(
            ctx,
            "version",
            &format!(
                "node group {} is already at {current}; upgrades only move forward",
                g.name
            ),
        ));
    }
    if let (Some((major, from)), Some((to_major, to))) = (minor(&current), minor(&version)) {
        if to_major != major || to > from.saturating_add(1) {
            return Err(Reply::invalid(
                ctx,
                "version",
                &format!(
                    "{version} is more than one minor version above {current}: upgrade one minor version at a time"
                ),
            ));
        }
    }
    if w == Which::Master {
        if let Some(behind) = c.nodegroups.iter().find(|n| {
            n.labels.get("kube_tag").and_then(Value::as_str) != Some(control_plane.as_str())
        }) {
            return Err(Reply::error(
                ctx,
                400,
                format!(
                    "Node group {} is not at the control plane's version {control_plane}.",
                    behind.name
                ),
                "Upgrade every worker node group to the control plane's version before upgrading the control plane again.",
            ));
        }
    } else if version_key(&version) > version_key(&control_plane) {
        return Err(Reply::error(
            ctx,
            400,
            format!("Node group {} cannot be upgraded to {version}, above the control plane's {control_plane}.", g.name),
            "Upgrade default-master first, then each worker node group.",
        ));
    }
    no_stopped_nodes(ctx, g, "upgrade")?;
    let uuid = begin(
        world,
        rng,
        ctx,
        limits.op_delay_ms,
        i,
        Scope::Both(w),
        ("NODEGROUP_UPGRADE", "UPDATE_IN_PROGRESS"),
        Then::Upgrade(version),
    )?;
    Ok(Reply::json(202, json!({ "uuid": uuid })))
}
