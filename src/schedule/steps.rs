//! The next step of a maintenance, from what was read: renew certificates when they
//! expire soon, upgrade the control plane, then each worker group, one minor version
//! at a time, to versions `/v1/supports` offers. Pure functions: the planner and
//! `status` share them.

use super::maintenance::{Maintenance, Version};
use crate::model::{ClusterState, NodeGroupState, Status};
use std::collections::BTreeMap;

/// The control plane's node group name.
pub const CONTROL_PLANE: &str = "default-master";

/// Where a node group stands against a target version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupState {
    /// `*_FAILED`: maintenance stops until someone fixes it.
    Failed(String),
    /// An operation is running.
    Busy(String),
    /// Behind the target, at this version.
    Behind(Version),
    /// At or past the target (or its version is unknown).
    Current,
}

/// The control plane's version (`labels.kube_tag` of the cluster).
pub fn control_plane_version(cluster: &ClusterState) -> Option<Version> {
    cluster
        .labels
        .as_ref()
        .and_then(|l| l.kube_tag.as_deref())
        .and_then(Version::parse)
}

/// A worker group's version (`labels.kube_tag` of the node group).
pub fn group_version(group: &NodeGroupState) -> Option<Version> {
    group
        .labels
        .as_ref()
        .and_then(|l| l.kube_tag.as_deref())
        .and_then(Version::parse)
}

/// The certificates' expiry (`labels.certificate_expiry`, RFC 3339), in ms.
pub fn certificate_expiry(cluster: &ClusterState) -> Option<(String, i64)> {
    let text = cluster.labels.as_ref()?.certificate_expiry.as_deref()?;
    Some((text.to_owned(), crate::time::parse_rfc3339_ms(text)?))
}

/// Whether a status says an operation failed (`*_FAILED`).
pub fn is_failed(status: Option<&Status>) -> bool {
    status.is_some_and(|s| s.as_str().ends_with("_FAILED"))
}

/// Where a worker group stands against `target`.
pub fn group_state(group: &NodeGroupState, target: Version) -> GroupState {
    let status = group.status.as_ref();
    if is_failed(status) {
        return GroupState::Failed(format!(
            "node group {} is {}",
            group.name,
            status.map_or("", Status::as_str)
        ));
    }
    if status.is_some_and(|s| !s.is_complete()) {
        return GroupState::Busy(format!(
            "node group {} is {}",
            group.name,
            status.map_or("", Status::as_str)
        ));
    }
    match group_version(group) {
        Some(v) if v < target => GroupState::Behind(v),
        _ => GroupState::Current,
    }
}

/// The version one step from `from` toward `to`: `to` itself within one minor
/// version, else the newest offered version of the next minor. Errors name what
/// `/v1/supports` lacks.
pub fn next_hop(
    from: Version,
    to: Version,
    offered: &BTreeMap<String, bool>,
) -> Result<Version, String> {
    let offered: Vec<Version> = offered
        .iter()
        .filter(|(_, ok)| **ok)
        .filter_map(|(v, _)| Version::parse(v))
        .collect();
    if !offered.contains(&to) {
        return Err(format!(
            "kube_version {to} is not offered by the service (GET /v1/supports)"
        ));
    }
    if to.major != from.major {
        return Err(format!(
            "{from} to {to} changes the major version: upgrade by hand"
        ));
    }
    if to.minor <= from.minor + 1 {
        return Ok(to);
    }
    offered
        .into_iter()
        .filter(|v| v.major == from.major && v.minor == from.minor + 1)
        .max()
        .ok_or_else(|| {
            format!(
                "no supported version of {}.{} between {from} and {to} (one minor version at a time)",
                from.major,
                from.minor + 1
            )
        })
}

/// What a maintenance asks of a cluster whose status is `*_COMPLETE`, before the
/// worker groups are looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterStep {
    /// Renew the certificates for this many years.
    Renew { expiry: String, years: u32 },
    /// Bring every worker group to `workers_to` (the control plane's version, or the
    /// goal if lower); once all are there, upgrade the control plane from
    /// `control_plane` toward `goal` if it is behind. The API upgrades the control
    /// plane only while every worker group is at its version.
    Versions {
        workers_to: Version,
        control_plane: Option<Version>,
        goal: Version,
    },
    /// Nothing due.
    Done,
}

/// The step due at `at_ms` for a settled cluster, before reading worker groups.
pub fn cluster_step(entry: &Maintenance, cluster: &ClusterState, at_ms: i64) -> ClusterStep {
    if let (Some(renew), Some((expiry, expiry_ms))) =
        (entry.renew_certificates, certificate_expiry(cluster))
    {
        if renew.due(expiry_ms, at_ms) {
            return ClusterStep::Renew {
                expiry,
                years: renew.term_of_validity,
            };
        }
    }
    let Some(goal) = entry.kube_version else {
        return ClusterStep::Done;
    };
    let control_plane = control_plane_version(cluster);
    ClusterStep::Versions {
        // Workers never pass the control plane.
        workers_to: control_plane.map_or(goal, |cp| goal.min(cp)),
        control_plane,
        goal,
    }
}
