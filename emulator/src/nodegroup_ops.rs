//! Node group operations of the current guide: stopping and starting nodes, the user
//! script, and `PATCH …/nodegroups/{ng}` of each documented `type` (metric-based
//! autoscaler, flavor, floating-IP auto-bind, Kubernetes node labels).

use crate::fields::{count, flag, object, text, Res};
use crate::nks::{rolling_options, Limits};
use crate::ops::{
    begin, ca_on, cluster_at, cluster_at_mut, cluster_index, group_at, group_at_mut, group_settled,
    mba_on, no_stopped_nodes, settled, which, Keys, Scope, Which,
};
use crate::reply::{Ctx, Reply};
use crate::state::{Then, World};
use crate::util::Rng;
use serde_json::{json, Map, Value};

/// At most this many Kubernetes node labels.
const MAX_NODE_LABELS: usize = 20;
/// The metrics a metric-based autoscaler rule may watch.
const METRICS: [&str; 6] = [
    "GROUP_CPU_USAGE",
    "GROUP_MEMORY_USAGE",
    "GROUP_DISK_READ_BYTES",
    "GROUP_DISK_WRITE_BYTES",
    "GROUP_NETWORK_SENT_BYTES",
    "GROUP_NETWORK_RECV_BYTES",
];

/// A worker node group that may be changed: its cluster and itself settled.
fn settled_group(world: &World, ctx: &Ctx<'_>, (c, g): Keys<'_>) -> Res<(usize, Which)> {
    let i = cluster_index(world, ctx, c)?;
    let cl = cluster_at(world, ctx, i)?;
    settled(ctx, cl)?;
    let w = which(cl, ctx, g, false)?;
    group_settled(ctx, group_at(cl, ctx, w)?)?;
    Ok((i, w))
}

/// Starts a node group operation and answers `{"uuid": node group}`.
#[allow(clippy::too_many_arguments)]
fn start(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    (i, w): (usize, Which),
    scope: fn(Which) -> Scope,
    kind: &str,
    then: Then,
) -> Res<Reply> {
    let uuid = begin(
        world,
        rng,
        ctx,
        limits.op_delay_ms,
        i,
        scope(w),
        (kind, "UPDATE_IN_PROGRESS"),
        then,
    )?;
    Ok(Reply::json(202, json!({ "uuid": uuid })))
}

/// `POST …/stop_node` and `…/start_node`: `node_list` holds instance UUIDs joined by
/// colons. Stopping is refused while an autoscaler is on.
#[allow(clippy::too_many_arguments)]
pub fn stop_start(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    keys: Keys<'_>,
    stop: bool,
    body: &[u8],
) -> Res<Reply> {
    let at = settled_group(world, ctx, keys)?;
    let m = object(ctx, body)?;
    let list = text(ctx, &m, "", "node_list")?;
    let wanted: Vec<&str> = list.split(':').map(str::trim).collect();
    let g = group_at(cluster_at(world, ctx, at.0)?, ctx, at.1)?;
    if stop && (ca_on(g) || mba_on(g)) {
        return Err(Reply::error(
            ctx,
            400,
            format!("The autoscaler of node group {} is enabled.", g.name),
            "Nodes cannot be stopped while the cluster autoscaler or the metric-based autoscaler is enabled: disable it first.",
        ));
    }
    for uuid in &wanted {
        let Some(node) = g.nodes.iter().find(|n| n.uuid == *uuid) else {
            return Err(Reply::invalid(
                ctx,
                "node_list",
                &format!("{uuid:?} is not a node of node group {}", g.name),
            ));
        };
        if node.stopped == stop {
            return Err(Reply::invalid(
                ctx,
                "node_list",
                &format!(
                    "node {uuid} is already {}",
                    if stop { "stopped" } else { "running" }
                ),
            ));
        }
    }
    let c = cluster_at_mut(world, ctx, at.0)?;
    let g = group_at_mut(c, ctx, at.1)?;
    for node in g
        .nodes
        .iter_mut()
        .filter(|n| wanted.contains(&n.uuid.as_str()))
    {
        node.stopped = stop;
    }
    let kind = if stop {
        "NODEGROUP_NODE_ACTION_STOP_NODE"
    } else {
        "NODEGROUP_NODE_ACTION_START_NODE"
    };
    start(
        world,
        rng,
        limits,
        ctx,
        at,
        Scope::Both,
        kind,
        Then::Complete,
    )
}

/// `POST …/userscript`: `contents` becomes `labels.user_script_v2`.
pub fn userscript(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    keys: Keys<'_>,
    body: &[u8],
) -> Res<Reply> {
    let at = settled_group(world, ctx, keys)?;
    let m = object(ctx, body)?;
    let contents = match m.get("contents") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => return Err(Reply::invalid(ctx, "contents", "is mandatory")),
        Some(_) => return Err(Reply::invalid(ctx, "contents", "must be a string")),
    };
    let g = group_at_mut(cluster_at_mut(world, ctx, at.0)?, ctx, at.1)?;
    g.labels.insert("user_script_v2".into(), json!(contents));
    start(
        world,
        rng,
        limits,
        ctx,
        at,
        Scope::Group,
        "NODEGROUP_USERSCRIPT_UPDATE",
        Then::Complete,
    )
}

/// What one `type` of node group PATCH does: the labels it sets, what moves to
/// `UPDATE_IN_PROGRESS`, its event type, and what happens when it completes.
type Change<'a> = (Map<String, Value>, fn(Which) -> Scope, &'a str, Then);

/// `PATCH …/nodegroups/{ng}` by `type`.
pub fn patch(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    keys: Keys<'_>,
    body: &[u8],
) -> Res<Reply> {
    let at = settled_group(world, ctx, keys)?;
    let m = object(ctx, body)?;
    let kind = text(ctx, &m, "", "type")?;
    let g = group_at(cluster_at(world, ctx, at.0)?, ctx, at.1)?;
    // Each type: the labels it sets, then how the operation runs.
    let (labels, scope, event, then): Change<'_> = match kind.as_str() {
            "metric_base_autoscale" => (
                metric_autoscaler(ctx, &m, g, limits.max_node_count)?,
                Scope::Group,
                "NODEGROUP_SET_METRIC_BASE_AUTOSCALER",
                Then::Complete,
            ),
            "flavor_id" => {
                let flavor = text(ctx, &m, "", "flavor_id")?;
                rolling_options(ctx, &m, g.node_count, limits.max_node_count)?;
                (Map::new(), Scope::Both, "NODEGROUP_UPDATE_FLAVOR", Then::Flavor(flavor))
            }
            "fip_auto_bind" => {
                let subnets = cluster_at(world, ctx, at.0)?.fixed_subnet.clone();
                (
                    fip_auto_bind(ctx, &m, g, &subnets)?,
                    Scope::Group,
                    "NODEGROUP_UPDATE_FIP_AUTO_BIND",
                    Then::Complete,
                )
            }
            "k8s_node_labels" => (
                node_labels(ctx, &m)?,
                Scope::Group,
                "NODEGROUP_UPDATE_K8S_NODE_LABELS",
                Then::Complete,
            ),
            _ => {
                return Err(Reply::invalid(
                    ctx,
                    "type",
                    "must be one of \"metric_base_autoscale\", \"flavor_id\", \"fip_auto_bind\", \"k8s_node_labels\"",
                ))
            }
        };
    let g = group_at_mut(cluster_at_mut(world, ctx, at.0)?, ctx, at.1)?;
    g.labels.extend(labels);
    start(world, rng, limits, ctx, at, scope, event, then)
}

/// Reads an optional whole number within `lo..=hi`.
fn ranged(
    ctx: &Ctx<'_>,
    m: &Map<String, Value>,
    prefix: &str,
    field: &str,
    (lo, hi): (u32, u32),
) -> Res<()> {
    match count(ctx, m, prefix, field, false)? {
        Some(n) if !(lo..=hi).contains(&n) => Err(Reply::invalid(
            ctx,
            &format!("{prefix}{field}"),
            &format!("must be between {lo} and {hi}, got {n}"),
        )),
        _ => Ok(()),
    }
}

/// The `mba_scale_out` / `mba_scale_in` labels after the change: each direction given
/// is merged into what was set, then checked.
fn metric_autoscaler(
    ctx: &Ctx<'_>,
    m: &Map<String, Value>,
    g: &crate::state::NodeGroup,
    quota: u32,
) -> Res<Map<String, Value>> {
    let mut labels = Map::new();
    let mut enabling = false;
    for (field, bound) in [
        ("mba_scale_out", "max_node_count"),
        ("mba_scale_in", "min_node_count"),
    ] {
        let given = match m.get(field) {
            None | Some(Value::Null) => continue,
            Some(Value::Object(o)) => o,
            Some(_) => return Err(Reply::invalid(ctx, field, "must be an object")),
        };
        let mut merged: Map<String, Value> = g
            .labels
            .get(field)
            .and_then(Value::as_str)
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        merged.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
        let p = format!("{field}.");
        let enable = flag(ctx, &merged, &p, "enable", false)?.unwrap_or(false);
        ranged(ctx, &merged, &p, bound, (1, quota))?;
        ranged(ctx, &merged, &p, "delay", (1, 60))?;
        ranged(ctx, &merged, &p, "adjustment_count", (1, 10))?;
        if let Some(op) = merged.get("rules_operator") {
            if !op
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("and") || s.eq_ignore_ascii_case("or"))
            {
                return Err(Reply::invalid(
                    ctx,
                    &format!("{p}rules_operator"),
                    "must be \"AND\" or \"OR\"",
                ));
            }
        }
        let rules = match merged.get("rules") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(r)) => r.as_slice(),
            Some(_) => return Err(Reply::invalid(ctx, &format!("{p}rules"), "must be a list")),
        };
        if enable && rules.is_empty() {
            return Err(Reply::invalid(
                ctx,
                &format!("{p}rules"),
                "needs at least one rule when enable is true",
            ));
        }
        for (n, rule) in rules.iter().enumerate() {
            let rp = format!("{p}rules[{n}].");
            let Some(rule) = rule.as_object() else {
                return Err(Reply::invalid(
                    ctx,
                    &format!("{p}rules[{n}]"),
                    "must be an object",
                ));
            };
            let metric = text(ctx, rule, &rp, "metric")?;
            if !METRICS.contains(&metric.as_str()) {
                return Err(Reply::invalid(
                    ctx,
                    &format!("{rp}metric"),
                    &format!("must be one of {}", METRICS.join(", ")),
                ));
            }
            count(ctx, rule, &rp, "threshold", true)?;
            count(ctx, rule, &rp, "duration", true)?;
            ranged(ctx, rule, &rp, "duration", (2, 60))?;
        }
        enabling |= enable;
        labels.insert(field.into(), json!(Value::Object(merged).to_string()));
    }
    if labels.is_empty() {
        return Err(Reply::invalid(
            ctx,
            "mba_scale_out",
            "mba_scale_out or mba_scale_in is mandatory",
        ));
    }
    if enabling {
        if ca_on(g) {
            return Err(Reply::error(
                ctx,
                400,
                format!("The cluster autoscaler of node group {} is enabled.", g.name),
                "The cluster autoscaler and the metric-based autoscaler cannot be enabled at the same time: disable the cluster autoscaler first.",
            ));
        }
        no_stopped_nodes(ctx, g, "enable the autoscaler")?;
    }
    Ok(labels)
}

/// The floating-IP auto-bind labels: the subnet must be the cluster's or one of the
/// node group's additional subnets.
fn fip_auto_bind(
    ctx: &Ctx<'_>,
    m: &Map<String, Value>,
    g: &crate::state::NodeGroup,
    cluster_subnet: &str,
) -> Res<Map<String, Value>> {
    let Some(Value::Object(info)) = m.get("fip_auto_bind_update_info") else {
        return Err(Reply::invalid(
            ctx,
            "fip_auto_bind_update_info",
            "is mandatory and must be an object",
        ));
    };
    let p = "fip_auto_bind_update_info.";
    let enable = flag(ctx, info, p, "fip_auto_bind_enable", true)?.unwrap_or(false);
    let mut labels = Map::new();
    labels.insert(
        "fip_auto_bind_enable".into(),
        json!(if enable { "True" } else { "False" }),
    );
    if enable {
        let subnet = text(ctx, info, p, "fip_bind_subnet")?;
        let additional = g
            .labels
            .get("additional_subnet_id_list")
            .and_then(Value::as_str)
            .unwrap_or("");
        if subnet != cluster_subnet && !additional.split(':').any(|s| s == subnet) {
            return Err(Reply::invalid(
                ctx,
                "fip_auto_bind_update_info.fip_bind_subnet",
                "must be the cluster's subnet or one of the node group's additional subnets",
            ));
        }
        labels.insert("fip_bind_subnet".into(), json!(subnet));
    }
    match info.get("fip_selector") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            labels.insert("fip_selector".into(), json!(s));
        }
        Some(_) => {
            return Err(Reply::invalid(
                ctx,
                "fip_auto_bind_update_info.fip_selector",
                "must be a string",
            ))
        }
    }
    Ok(labels)
}

/// `labels.k8s_node_labels` as kubelet writes node labels: `key=value,key=value`.
fn node_labels(ctx: &Ctx<'_>, m: &Map<String, Value>) -> Res<Map<String, Value>> {
    let Some(Value::Object(pairs)) = m.get("k8s_node_labels") else {
        return Err(Reply::invalid(
            ctx,
            "k8s_node_labels",
            "is mandatory and must be an object of label keys and values",
        ));
    };
    if pairs.len() > MAX_NODE_LABELS {
        return Err(Reply::invalid(
            ctx,
            "k8s_node_labels",
            &format!("holds {} labels; at most {MAX_NODE_LABELS}", pairs.len()),
        ));
    }
    let mut joined = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let Some(v) = v.as_str() else {
            return Err(Reply::invalid(
                ctx,
                &format!("k8s_node_labels.{k}"),
                "must be a string",
            ));
        };
        if k.trim().is_empty() || k.contains([',', '=']) || v.contains([',', '=']) {
            return Err(Reply::invalid(
                ctx,
                &format!("k8s_node_labels.{k}"),
                "keys must not be empty; keys and values must not contain ',' or '='",
            ));
        }
        joined.push(format!("{k}={v}"));
    }
    let mut labels = Map::new();
    labels.insert("k8s_node_labels".into(), json!(joined.join(",")));
    Ok(labels)
}
