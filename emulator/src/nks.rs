//! The 14 NKS endpoints, with the reference's rules.

use crate::render;
use crate::reply::{Ctx, Reply};
use crate::state::{
    find, label_count, label_flag, new_cluster, new_nodegroup, service_labels, wire_label,
    Blueprint, Cluster, Found, Pending, Then, World,
};
use crate::util::{version_key, Rng};
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

type Res<T> = Result<T, Reply>;

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
const AUTOSCALE_FIELDS: [&str; 7] = [
    "ca_enable",
    "ca_max_node_count",
    "ca_min_node_count",
    "ca_scale_down_enable",
    "ca_scale_down_unneeded_time",
    "ca_scale_down_util_thresh",
    "ca_scale_down_delay_after_add",
];

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
    let result = match (method, segs) {
        ("GET", ["v1", "clusters"]) => Ok(Reply::json(
            200,
            json!({"clusters": world.clusters.iter().map(|c| render::cluster_summary(c, ctx.base_url)).collect::<Vec<_>>()}),
        )),
        ("POST", ["v1", "clusters"]) => create_cluster(world, rng, limits, ctx, body),
        ("GET", ["v1", "clusters", c]) => cluster(world, ctx, c).map(|i| {
            Reply::json(
                200,
                render::cluster_detail(&world.clusters[i], ctx.base_url),
            )
        }),
        ("DELETE", ["v1", "clusters", c]) => delete_cluster(world, limits, ctx, c),
        ("POST", ["v1", "clusters", c, "actions", "resize"]) => resize(world, limits, ctx, c, body),
        ("GET", ["v1", "clusters", c, "config"]) => kubeconfig(world, ctx, c),
        ("GET", ["v1", "clusters", c, "nodegroups"]) => cluster(world, ctx, c).map(|i| {
            let groups: Vec<Value> = world.clusters[i]
                .nodegroups
                .iter()
                .map(render::nodegroup_summary)
                .collect();
            Reply::json(200, json!({"nodegroups": groups}))
        }),
        ("POST", ["v1", "clusters", c, "nodegroups"]) => {
            create_nodegroup(world, rng, limits, ctx, c, body)
        }
        ("GET", ["v1", "clusters", c, "nodegroups", g]) => {
            locate(world, ctx, c, g).map(|(i, j)| {
                let cl = &world.clusters[i];
                Reply::json(
                    200,
                    render::nodegroup_detail(cl, &cl.nodegroups[j], ctx.base_url),
                )
            })
        }
        ("DELETE", ["v1", "clusters", c, "nodegroups", g]) => {
            delete_nodegroup(world, limits, ctx, c, g)
        }
        ("GET", ["v1", "clusters", c, "nodegroups", g, "autoscale"]) => locate(world, ctx, c, g)
            .map(|(i, j)| Reply::json(200, render::autoscale(&world.clusters[i].nodegroups[j]))),
        ("POST", ["v1", "clusters", c, "nodegroups", g, "autoscale"]) => {
            set_autoscale(world, limits, ctx, c, g, body)
        }
        ("POST", ["v1", "clusters", c, "nodegroups", g, "upgrade"]) => {
            upgrade(world, limits, ctx, c, g, body)
        }
        ("GET", ["v1", "supports"]) => {
            Ok(Reply::json(200, json!({"supported_k8s": world.supported})))
        }
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
        ["v1", "clusters"]
            | ["v1", "clusters", _]
            | ["v1", "clusters", _, "actions", "resize"]
            | ["v1", "clusters", _, "config"]
            | ["v1", "clusters", _, "nodegroups"]
            | ["v1", "clusters", _, "nodegroups", _]
            | [
                "v1",
                "clusters",
                _,
                "nodegroups",
                _,
                "autoscale" | "upgrade"
            ]
            | ["v1", "supports"]
    )
}

fn cluster(world: &World, ctx: &Ctx<'_>, key: &str) -> Res<usize> {
    match world.cluster_index(key) {
        Found::One(i) => Ok(i),
        Found::Missing => Err(Reply::error(
            ctx,
            404,
            format!("Cluster {key} could not be found."),
            format!("Cluster {key} could not be found."),
        )),
        Found::Ambiguous => Err(Reply::error(
            ctx,
            409,
            format!("Multiple clusters exist with same name {key}."),
            "Please use the cluster uuid instead.",
        )),
    }
}

/// A worker node group of a cluster (`default-master` is not one).
fn locate(world: &World, ctx: &Ctx<'_>, c: &str, g: &str) -> Res<(usize, usize)> {
    let i = cluster(world, ctx, c)?;
    let groups = &world.clusters[i].nodegroups;
    match find(
        groups
            .iter()
            .enumerate()
            .map(|(j, n)| (j, n.uuid.as_str(), n.name.as_str())),
        g,
    ) {
        Found::One(j) => Ok((i, j)),
        Found::Missing | Found::Ambiguous => Err(Reply::error(
            ctx,
            404,
            format!("Nodegroup {g} could not be found."),
            format!("Nodegroup {g} could not be found in cluster {c}."),
        )),
    }
}

/// Updates and upgrades need a settled cluster.
fn settled(ctx: &Ctx<'_>, c: &Cluster) -> Res<()> {
    if c.status.ends_with("_COMPLETE") {
        Ok(())
    } else {
        Err(Reply::error(
            ctx,
            400,
            format!("Cluster {} is in status {}.", c.name, c.status),
            "Updates and upgrades are allowed only while the cluster's status is *_COMPLETE.",
        ))
    }
}

fn object(ctx: &Ctx<'_>, body: &[u8]) -> Res<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Reply::error(
            ctx,
            400,
            "Malformed request body",
            "the body must be a JSON object",
        )),
        Err(e) => Err(Reply::error(
            ctx,
            400,
            "Malformed request body",
            format!("invalid JSON: {e}"),
        )),
    }
}

fn text(ctx: &Ctx<'_>, map: &Map<String, Value>, prefix: &str, field: &str) -> Res<String> {
    match map.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(Reply::invalid(
            ctx,
            &format!("{prefix}{field}"),
            "must not be empty",
        )),
        None | Some(Value::Null) => Err(Reply::invalid(
            ctx,
            &format!("{prefix}{field}"),
            "is mandatory",
        )),
        Some(_) => Err(Reply::invalid(
            ctx,
            &format!("{prefix}{field}"),
            "must be a string",
        )),
    }
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

fn flag_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn count_of(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An optional (or, if `required`, mandatory) field read with `convert`; `expected`
/// says what a bad value should have been.
fn typed<T>(
    ctx: &Ctx<'_>,
    map: &Map<String, Value>,
    (prefix, field): (&str, &str),
    required: bool,
    convert: fn(&Value) -> Option<T>,
    expected: &str,
) -> Res<Option<T>> {
    let name = format!("{prefix}{field}");
    match map.get(field) {
        None | Some(Value::Null) if required => Err(Reply::invalid(ctx, &name, "is mandatory")),
        None | Some(Value::Null) => Ok(None),
        Some(v) => convert(v)
            .map(Some)
            .ok_or_else(|| Reply::invalid(ctx, &name, expected)),
    }
}

fn flag(
    ctx: &Ctx<'_>,
    map: &Map<String, Value>,
    prefix: &str,
    field: &str,
    required: bool,
) -> Res<Option<bool>> {
    typed(
        ctx,
        map,
        (prefix, field),
        required,
        flag_of,
        "must be \"True\" or \"False\"",
    )
}

fn count(
    ctx: &Ctx<'_>,
    map: &Map<String, Value>,
    prefix: &str,
    field: &str,
    required: bool,
) -> Res<Option<u32>> {
    typed(
        ctx,
        map,
        (prefix, field),
        required,
        count_of,
        "must be a whole number",
    )
}

fn within(ctx: &Ctx<'_>, field: &str, n: u32, max: u32) -> Res<u32> {
    if (1..=max).contains(&n) {
        Ok(n)
    } else {
        Err(Reply::invalid(
            ctx,
            field,
            &format!("must be between 1 and {max} (quota), got {n}"),
        ))
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
    flag(ctx, labels, "labels.", "ca_enable", true)?;
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

fn in_progress(at_ms: i64, then: Then) -> Option<Pending> {
    Some(Pending { at_ms, then })
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
    let bp = Blueprint {
        now_ms: ctx.now_ms,
        project_id: &limits.project_id,
        op_delay_ms: limits.op_delay_ms,
    };
    default_autoscaler(&mut wire);
    let image = text(ctx, labels, "labels.", "node_image")?;
    let mut c = new_cluster(world, rng, &bp, &name, wire, "CREATE_IN_PROGRESS");
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
    let uuid = c.uuid.clone();
    world.clusters.push(c);
    Ok(Reply::json(202, json!({"uuid": uuid})))
}

fn delete_cluster(world: &mut World, limits: &Limits, ctx: &Ctx<'_>, key: &str) -> Res<Reply> {
    let i = cluster(world, ctx, key)?;
    let c = &mut world.clusters[i];
    if c.status != "DELETE_IN_PROGRESS" {
        c.status = "DELETE_IN_PROGRESS".into();
        c.status_reason = None;
        c.pending = in_progress(ctx.now_ms + limits.op_delay_ms, Then::Remove);
    }
    Ok(Reply::empty(204))
}

fn resize(world: &mut World, limits: &Limits, ctx: &Ctx<'_>, key: &str, body: &[u8]) -> Res<Reply> {
    let i = cluster(world, ctx, key)?;
    settled(ctx, &world.clusters[i])?;
    let m = object(ctx, body)?;
    let group = text(ctx, &m, "", "nodegroup")?;
    let nodes = count(ctx, &m, "", "node_count", true)?.unwrap_or(1);
    within(ctx, "node_count", nodes, limits.max_node_count)?;
    let remove = match m.get("nodes_to_remove") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items.clone(),
        Some(_) => {
            return Err(Reply::invalid(
                ctx,
                "nodes_to_remove",
                "must be a list of node UUIDs",
            ))
        }
    };
    let (_, j) = locate(world, ctx, key, &group)?;
    let c = &mut world.clusters[i];
    let g = &mut c.nodegroups[j];
    if label_flag(&g.labels, "ca_enable") {
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
    let at_ms = ctx.now_ms + limits.op_delay_ms;
    g.node_count = nodes;
    g.status = "UPDATE_IN_PROGRESS".into();
    g.pending = in_progress(at_ms, Then::Complete);
    c.status = "UPDATE_IN_PROGRESS".into();
    c.pending = in_progress(at_ms, Then::Complete);
    Ok(Reply::json(202, json!({"uuid": c.uuid})))
}

fn kubeconfig(world: &World, ctx: &Ctx<'_>, key: &str) -> Res<Reply> {
    let c = &world.clusters[cluster(world, ctx, key)?];
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
    let i = cluster(world, ctx, key)?;
    settled(ctx, &world.clusters[i])?;
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
    let c = &world.clusters[i];
    if name == "default-master" || c.nodegroups.iter().any(|g| g.name == name) {
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
    let group = new_nodegroup(
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
    let c = &mut world.clusters[i];
    c.push_group(group);
    let answer = c
        .nodegroups
        .last()
        .map(|g| render::nodegroup_created(c, g, ctx.base_url))
        .unwrap_or_default();
    Ok(Reply::json(201, answer))
}

fn delete_nodegroup(
    world: &mut World,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    group: &str,
) -> Res<Reply> {
    let (i, j) = locate(world, ctx, key, group)?;
    let g = &mut world.clusters[i].nodegroups[j];
    if g.is_default {
        return Err(Reply::error(
            ctx,
            400,
            "Deleting a default nodegroup is not supported.",
            format!("{} is the cluster's default node group.", g.name),
        ));
    }
    g.status = "DELETE_IN_PROGRESS".into();
    g.pending = in_progress(ctx.now_ms + limits.op_delay_ms, Then::Remove);
    Ok(Reply::empty(204))
}

fn set_autoscale(
    world: &mut World,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    group: &str,
    body: &[u8],
) -> Res<Reply> {
    let (i, j) = locate(world, ctx, key, group)?;
    settled(ctx, &world.clusters[i])?;
    let m = object(ctx, body)?;
    if let Some(unknown) = m.keys().find(|k| !AUTOSCALE_FIELDS.contains(&k.as_str())) {
        return Err(Reply::invalid(ctx, unknown, "is not an autoscaler setting"));
    }
    let enable = flag(ctx, &m, "", "ca_enable", true)?.unwrap_or(false);
    flag(ctx, &m, "", "ca_scale_down_enable", false)?;
    for field in [
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
    let g = &mut world.clusters[i].nodegroups[j];
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
    g.status = "UPDATE_IN_PROGRESS".into();
    g.pending = in_progress(ctx.now_ms + limits.op_delay_ms, Then::Complete);
    Ok(Reply::json(202, json!({"uuid": g.uuid})))
}

fn upgrade(
    world: &mut World,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    group: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = cluster(world, ctx, key)?;
    settled(ctx, &world.clusters[i])?;
    let m = object(ctx, body)?;
    let version = text(ctx, &m, "", "version")?;
    supported(world, ctx, "version", &version)?;
    let at_ms = ctx.now_ms + limits.op_delay_ms;
    let c = &world.clusters[i];
    let control_plane = c.kube_tag().to_owned();
    let is_master = group == "default-master" || group == c.master.uuid;
    let j = if is_master {
        None
    } else {
        Some(locate(world, ctx, key, group)?.1)
    };
    let c = &mut world.clusters[i];
    let g = match j {
        None => &mut c.master,
        Some(j) => &mut c.nodegroups[j],
    };
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
    if !is_master && version_key(&version) > version_key(&control_plane) {
        return Err(Reply::error(
            ctx,
            400,
            format!("Node group {} cannot be upgraded to {version}, above the control plane's {control_plane}.", g.name),
            "Upgrade default-master first, then each worker node group.",
        ));
    }
    g.status = "UPDATE_IN_PROGRESS".into();
    g.pending = in_progress(at_ms, Then::Upgrade(version));
    let uuid = g.uuid.clone();
    c.status = "UPDATE_IN_PROGRESS".into();
    c.pending = in_progress(at_ms, Then::Complete);
    Ok(Reply::json(202, json!({"uuid": uuid})))
}
