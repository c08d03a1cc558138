//! [`status`]: per cluster the policy names, the versions of the control plane and
//! of each worker group, the certificates' expiry, the next maintenance window and
//! the step its maintenance is at. Reads only, within a budget of subrequests.

use super::budget::{send, Budget, Share};
use super::clock::Zones;
use super::limited::{run_limited, CONNECTIONS};
use super::maintenance::Maintenance;
use super::plan::{deferral, Failure};
use super::policy::Policy;
use super::steps::{self, ClusterStep, GroupState, CONTROL_PLANE};
use crate::api::{self, Call, FromAnswer};
use crate::error::Error;
use crate::model::{ClusterState, NodeGroupState};
use crate::transport::Transport;
use crate::NksClient;
use serde::Serialize;
use std::cell::Cell;
use std::rc::Rc;

/// How far ahead the next window is looked for.
const HORIZON_DAYS: i64 = 14;

/// What [`status`] reads: the clusters asked for, within a budget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusOptions {
    /// The clusters, as the policy names them; empty: every one it names.
    pub clusters: Vec<String>,
    /// Most subrequests (Identity's included) the run may start; `None`: no limit.
    /// A cluster whose reads the rest cannot pay for is reported unread.
    pub budget: Option<u64>,
}

/// The fleet's state at an instant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusReport {
    /// The instant, in the policy's time zone.
    pub at: String,
    /// One entry per cluster asked for, in the policy's order.
    pub clusters: Vec<ClusterStatus>,
    /// Subrequests sent (Identity's and retries included).
    pub subrequests: u64,
}

/// One cluster's state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterStatus {
    /// The cluster, as the policy names it.
    pub cluster: String,
    /// Its status (`UPDATE_COMPLETE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The control plane's Kubernetes version (`labels.kube_tag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_plane_version: Option<String>,
    /// Each worker group's version and status.
    pub nodegroups: Vec<GroupStatus>,
    /// When the certificates expire (`labels.certificate_expiry`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_expiry: Option<String>,
    /// The next maintenance window (open now, or the next to open within 14 days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_window: Option<Window>,
    /// The step that window's maintenance is at: `certificates`, `control_plane`,
    /// `nodegroup` (due next), `in_progress`, `stopped` (failed), `done`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance_step: Option<Step>,
    /// Why the cluster could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

/// A worker group's version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupStatus {
    /// Its name.
    pub name: String,
    /// Its Kubernetes version (`labels.kube_tag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A maintenance window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// The maintenance entry.
    pub maintenance: String,
    /// When it opens (the instant asked about when it is open now), in its time zone.
    pub at: String,
    /// Whether it is open at the instant asked about.
    pub open: bool,
}

/// Where a maintenance stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `certificates`, `control_plane`, `nodegroup`, `in_progress`, `stopped`, `done`.
    pub step: &'static str,
    /// The node group concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodegroup: Option<String>,
    /// Details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The state of the clusters `policy` names at `at_ms` (those of `options.clusters`,
/// each of which it must name): one cluster read, one node group list and one read
/// per worker group each, as far as `options.budget` pays for them.
pub async fn status<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &StatusOptions,
) -> Result<StatusReport, Error> {
    let named = policy.clusters();
    if let Some(unknown) = options
        .clusters
        .iter()
        .find(|c| !named.contains(&c.as_str()))
    {
        return Err(Error::validation(
            "cluster",
            format!("{unknown:?} is not a cluster the policy names"),
        ));
    }
    let keys: Vec<&str> = named
        .into_iter()
        .filter(|c| options.clusters.is_empty() || options.clusters.iter().any(|o| o == c))
        .collect();
    let used = Rc::new(Cell::new(0));
    let budget = Budget::new(
        options.budget.unwrap_or(u64::MAX),
        CONNECTIONS,
        Rc::clone(&used),
    );
    budget.keep_for_identity();
    // Every cluster claims its reads as it goes, from what is left.
    budget.close();
    let jobs = keys
        .iter()
        .filter_map(|key| {
            let share = budget.reserve(0)?;
            Some(async move { one(client, policy, zones, at_ms, key, &share).await })
        })
        .collect();
    let clusters = run_limited(jobs, CONNECTIONS).await;
    Ok(StatusReport {
        at: zones
            .local(&policy.timezone, at_ms)
            .map(|t| t.rfc3339(at_ms))
            .unwrap_or_default(),
        clusters,
        subrequests: used.get(),
    })
}

/// Reads `call` paid from `share`, the error naming the budget when it cannot.
async fn read<R: FromAnswer, T: Transport>(
    client: &NksClient<T>,
    share: &Share<'_>,
    call: Result<Call<R>, Error>,
) -> Result<R, Failure> {
    match send(client, share, call).await {
        Some(Ok(answer)) => Ok(answer),
        Some(Err(e)) => Err(Failure::from(&e)),
        None => Err(unpaid(share)),
    }
}

/// A cluster left unread for the budget.
fn unpaid(share: &Share<'_>) -> Failure {
    deferral(format!(
        "not read: this request's budget of {} subrequests is spent (ask for fewer clusters)",
        share.limit()
    ))
}

async fn one<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    key: &str,
    share: &Share<'_>,
) -> ClusterStatus {
    let mut out = ClusterStatus {
        cluster: key.to_owned(),
        status: None,
        control_plane_version: None,
        nodegroups: Vec::new(),
        certificate_expiry: None,
        next_window: None,
        maintenance_step: None,
        error: None,
    };
    // The cluster and its node group list first; the worker groups' reads once the
    // list says how many.
    if !share.claim(2) {
        out.error = Some(unpaid(share));
        return out;
    }
    let cluster: ClusterState = match read(client, share, api::get_cluster_state(key)).await {
        Ok(cluster) => cluster,
        Err(failure) => {
            out.error = Some(failure);
            return out;
        }
    };
    out.status = cluster.status.as_ref().map(|s| s.as_str().to_owned());
    out.control_plane_version = cluster.labels.as_ref().and_then(|l| l.kube_tag.clone());
    out.certificate_expiry = steps::certificate_expiry(&cluster).map(|(text, _)| text);
    let groups = async {
        let list = read(client, share, api::list_nodegroup_states(key)).await?;
        let workers: Vec<_> = list
            .iter()
            .filter(|g| g.name != CONTROL_PLANE && g.role.as_deref() != Some("master"))
            .collect();
        if !share.claim(workers.len() as u64) {
            return Err(unpaid(share));
        }
        let mut groups = Vec::with_capacity(workers.len());
        for summary in workers {
            groups.push(read(client, share, api::get_nodegroup_state(key, &summary.name)).await?);
        }
        Ok(groups)
    };
    let groups = match groups.await {
        Ok(groups) => groups,
        Err(failure) => {
            out.error = Some(failure);
            return out;
        }
    };
    out.nodegroups = groups
        .iter()
        .map(|g| GroupStatus {
            name: g.name.clone(),
            version: g.labels.as_ref().and_then(|l| l.kube_tag.clone()),
            status: g.status.as_ref().map(|s| s.as_str().to_owned()),
        })
        .collect();
    let names = [key, cluster.uuid.as_str(), cluster.name.as_str()];
    let next = policy
        .maintenance
        .iter()
        .filter(|m| m.names(&names))
        .filter_map(|m| {
            m.next_open(zones, at_ms, HORIZON_DAYS)
                .map(|opens| (opens, m))
        })
        .min_by_key(|(opens, _)| *opens);
    if let Some((opens, m)) = next {
        out.next_window = Some(Window {
            maintenance: m.name.clone(),
            at: zones
                .local(&m.timezone, opens)
                .map(|t| t.rfc3339(opens))
                .unwrap_or_default(),
            open: opens <= at_ms,
        });
        out.maintenance_step = Some(step_of(m, &cluster, &groups, at_ms));
    }
    out
}

/// The step `m` is at for `cluster`, from what was read (no versions list: the hop
/// is not computed, only which node group is next).
fn step_of(m: &Maintenance, cluster: &ClusterState, groups: &[NodeGroupState], at_ms: i64) -> Step {
    let step = |step, nodegroup: Option<&str>, detail: Option<String>| Step {
        step,
        nodegroup: nodegroup.map(str::to_owned),
        detail,
    };
    if let Some(s) = cluster.status.as_ref().filter(|s| !s.is_complete()) {
        let name = if steps::is_failed(Some(s)) {
            "stopped"
        } else {
            "in_progress"
        };
        return step(name, None, Some(format!("cluster status {s}")));
    }
    match steps::cluster_step(m, cluster, at_ms) {
        ClusterStep::Done => step("done", None, None),
        ClusterStep::Renew { expiry, .. } => step(
            "certificates",
            None,
            Some(format!("certificates expire {expiry}")),
        ),
        ClusterStep::Versions {
            workers_to,
            control_plane,
            goal,
        } => {
            for g in groups {
                match steps::group_state(g, workers_to) {
                    GroupState::Failed(why) => return step("stopped", Some(&g.name), Some(why)),
                    GroupState::Busy(why) => return step("in_progress", Some(&g.name), Some(why)),
                    GroupState::Behind(v) => {
                        return step(
                            "nodegroup",
                            Some(&g.name),
                            Some(format!("{v} to {workers_to}")),
                        )
                    }
                    GroupState::Current => {}
                }
            }
            if let Some(cp) = control_plane.filter(|cp| *cp < goal) {
                return step(
                    "control_plane",
                    Some(CONTROL_PLANE),
                    Some(format!("{cp} to {goal}")),
                );
            }
            step("done", None, None)
        }
    }
}
