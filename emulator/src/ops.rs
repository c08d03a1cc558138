//! What every operation does: find its cluster and node group (by UUID or name),
//! check that nothing else is running, and start itself with its event.

use crate::events;
use crate::fields::Res;
use crate::reply::{Ctx, Reply};
use crate::state::{find, label_flag, Cluster, Found, NodeGroup, Pending, Then, World};
use crate::util::Rng;
use serde_json::Value;

/// A cluster key and a node group (or add-on) key, as the path gives them (UUID or name).
pub type Keys<'k> = (&'k str, &'k str);

/// The control plane's node group: upgraded by this name, not listed.
pub const MASTER: &str = "default-master";

/// A cluster's index by UUID or name.
pub fn cluster_index(world: &World, ctx: &Ctx<'_>, key: &str) -> Res<usize> {
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

/// The answer when an index found under the lock is gone (never, as long as
/// handlers run under one lock; answered rather than assumed).
fn vanished(ctx: &Ctx<'_>) -> Reply {
    Reply::error(
        ctx,
        500,
        "Internal Server Error",
        "the resource changed while the request was answered",
    )
}

pub fn cluster_at<'w>(world: &'w World, ctx: &Ctx<'_>, i: usize) -> Res<&'w Cluster> {
    world.clusters.get(i).ok_or_else(|| vanished(ctx))
}

pub fn cluster_at_mut<'w>(world: &'w mut World, ctx: &Ctx<'_>, i: usize) -> Res<&'w mut Cluster> {
    world.clusters.get_mut(i).ok_or_else(|| vanished(ctx))
}

pub fn cluster<'w>(world: &'w World, ctx: &Ctx<'_>, key: &str) -> Res<&'w Cluster> {
    let i = cluster_index(world, ctx, key)?;
    cluster_at(world, ctx, i)
}

pub fn cluster_mut<'w>(world: &'w mut World, ctx: &Ctx<'_>, key: &str) -> Res<&'w mut Cluster> {
    let i = cluster_index(world, ctx, key)?;
    cluster_at_mut(world, ctx, i)
}

/// A node group of a cluster: a worker group, or the control plane's by `default-master`
/// (or its UUID) where `master` allows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Which {
    Master,
    Worker(usize),
}

pub fn which(c: &Cluster, ctx: &Ctx<'_>, g: &str, master: bool) -> Res<Which> {
    if master && (g == MASTER || g == c.master.uuid) {
        return Ok(Which::Master);
    }
    match find(
        c.nodegroups
            .iter()
            .enumerate()
            .map(|(j, n)| (j, n.uuid.as_str(), n.name.as_str())),
        g,
    ) {
        Found::One(j) => Ok(Which::Worker(j)),
        Found::Missing | Found::Ambiguous => Err(Reply::error(
            ctx,
            404,
            format!("Nodegroup {g} could not be found."),
            format!("Nodegroup {g} could not be found in cluster {}.", c.name),
        )),
    }
}

pub fn group_at<'c>(c: &'c Cluster, ctx: &Ctx<'_>, w: Which) -> Res<&'c NodeGroup> {
    match w {
        Which::Master => Ok(&c.master),
        Which::Worker(j) => c.nodegroups.get(j).ok_or_else(|| vanished(ctx)),
    }
}

pub fn group_at_mut<'c>(c: &'c mut Cluster, ctx: &Ctx<'_>, w: Which) -> Res<&'c mut NodeGroup> {
    match w {
        Which::Master => Ok(&mut c.master),
        Which::Worker(j) => c.nodegroups.get_mut(j).ok_or_else(|| vanished(ctx)),
    }
}

/// A worker node group by cluster and node group key.
pub fn group<'w>(
    world: &'w World,
    ctx: &Ctx<'_>,
    c: &str,
    g: &str,
) -> Res<(&'w Cluster, &'w NodeGroup)> {
    let cl = cluster(world, ctx, c)?;
    let w = which(cl, ctx, g, false)?;
    Ok((cl, group_at(cl, ctx, w)?))
}

/// Updates and upgrades need a settled cluster.
pub fn settled(ctx: &Ctx<'_>, c: &Cluster) -> Res<()> {
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

/// A node group's own operations need it settled too.
pub fn group_settled(ctx: &Ctx<'_>, g: &NodeGroup) -> Res<()> {
    if g.status.ends_with("_COMPLETE") {
        Ok(())
    } else {
        Err(Reply::error(
            ctx,
            400,
            format!("Nodegroup {} is in status {}.", g.name, g.status),
            "Node group operations are allowed only while the node group's status is *_COMPLETE.",
        ))
    }
}

/// Refuses a node group whose operation is still in progress (whatever its status).
pub fn group_idle(ctx: &Ctx<'_>, g: &NodeGroup) -> Res<()> {
    match g.pending {
        None => Ok(()),
        Some(_) => Err(Reply::error(
            ctx,
            400,
            format!("Nodegroup {} is in status {}.", g.name, g.status),
            "Wait until the node group's operation completes.",
        )),
    }
}

/// Whether the cluster autoscaler is on.
pub fn ca_on(g: &NodeGroup) -> bool {
    label_flag(&g.labels, "ca_enable")
}

/// The metric-based autoscaler's labels, one per direction.
pub const MBA_LABELS: [&str; 2] = ["mba_scale_out", "mba_scale_in"];

/// Whether an `mba_scale_out` / `mba_scale_in` label (a JSON string, or an object as a
/// create request may give it) is enabled.
pub fn mba_label_on(label: &Value) -> bool {
    let parsed = label
        .as_str()
        .and_then(|s| serde_json::from_str::<Value>(s).ok());
    parsed
        .as_ref()
        .unwrap_or(label)
        .get("enable")
        .and_then(crate::fields::flag_of)
        .unwrap_or(false)
}

/// Whether the metric-based autoscaler is on (either direction).
pub fn mba_on(g: &NodeGroup) -> bool {
    MBA_LABELS
        .iter()
        .any(|k| g.labels.get(*k).is_some_and(mba_label_on))
}

/// How many of a node group's nodes are stopped.
pub fn stopped(g: &NodeGroup) -> usize {
    g.nodes.iter().filter(|n| n.stopped).count()
}

/// Refuses what a node group with stopped nodes cannot do.
pub fn no_stopped_nodes(ctx: &Ctx<'_>, g: &NodeGroup, what: &str) -> Res<()> {
    match stopped(g) {
        0 => Ok(()),
        n => Err(Reply::error(
            ctx,
            400,
            format!("Nodegroup {} has {n} stopped node(s).", g.name),
            format!("Start the stopped nodes before you {what}."),
        )),
    }
}

/// What an operation moves to `*_IN_PROGRESS`.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The cluster alone.
    Cluster,
    /// One node group alone.
    Group(Which),
    /// One node group and its cluster (a stack update of the cluster).
    Both(Which),
}

/// Starts an operation on cluster `i`: records its event (`NODEGROUP_*` events name the
/// node group, the others the cluster), sets `status` on what `scope` names and the
/// pending transition that settles after `--op-delay-ms`. An operation it replaces (a
/// cluster delete, or a newer autoscaler change) has its event ended. Answers the UUID of the
/// operation's target (the node group's, or the cluster's).
#[allow(clippy::too_many_arguments)]
pub fn begin(
    world: &mut World,
    rng: &mut Rng,
    ctx: &Ctx<'_>,
    delay_ms: i64,
    i: usize,
    scope: Scope,
    (kind, status): (&str, &str),
    then: Then,
) -> Res<String> {
    let ticket = world.ticket(rng);
    let c = cluster_at_mut(world, ctx, i)?;
    let at_ms = ctx.now_ms.saturating_add(delay_ms);
    let target = match scope {
        Scope::Cluster => None,
        Scope::Group(w) | Scope::Both(w) => {
            let g = group_at(c, ctx, w)?;
            Some((g.uuid.clone(), g.name.clone()))
        }
    };
    let resource = target
        .as_ref()
        .filter(|_| kind.starts_with("NODEGROUP_"))
        .map(|(u, n)| (u.as_str(), n.as_str()));
    let event = events::record(c, ticket, kind, resource, ctx.now_ms);
    let mut replaced = Vec::new();
    match scope {
        Scope::Cluster => {
            c.status = status.to_owned();
            replaced.extend(c.pending.replace(Pending::new(at_ms, then, Some(event))));
        }
        Scope::Group(w) => {
            let g = group_at_mut(c, ctx, w)?;
            g.status = status.to_owned();
            replaced.extend(g.pending.replace(Pending::new(at_ms, then, Some(event))));
        }
        Scope::Both(w) => {
            c.status = status.to_owned();
            replaced.extend(c.pending.replace(Pending::new(at_ms, Then::Complete, None)));
            let g = group_at_mut(c, ctx, w)?;
            g.status = status.to_owned();
            replaced.extend(g.pending.replace(Pending::new(at_ms, then, Some(event))));
        }
    }
    for e in replaced.into_iter().filter_map(|p| p.event) {
        events::end_replaced(c, &e, kind, ctx.now_ms);
    }
    Ok(target.map_or_else(|| c.uuid.clone(), |(uuid, _)| uuid))
}
