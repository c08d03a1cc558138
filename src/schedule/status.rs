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
use crate::{Credentials, NksClient};
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
/// each of which it must name): a node group list, a cluster read and one read per
/// worker group each, as far as `options.budget` pays for them.
///
/// A cluster's cost is known once its node group list is read: the lists are read
/// first, six at a time in the policy's order, and each cluster whose remaining reads
/// the budget still pays for claims them whole, so no cluster is read in part; the
/// lists stop once not even the cheapest cluster would fit. Then the claimed clusters
/// are read together.
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
        let shown = unknown
            .char_indices()
            .nth(100)
            .and_then(|(end, _)| unknown.get(..end))
            .unwrap_or(unknown);
        return Err(Error::validation(
            "cluster",
            format!("{shown:?} is not a cluster the policy names"),
        ));
    }
    let used = Rc::new(Cell::new(0));
    let budget = Budget::new(
        options.budget.unwrap_or(u64::MAX),
        CONNECTIONS,
        Rc::clone(&used),
    );
    if matches!(client.config().credentials, Credentials::Identity(_)) {
        budget.keep_for_identity();
    }
    // Clusters claim their reads as they learn them, from what is left.
    budget.close();
    let mut entries: Vec<Entry<'_, '_>> = named
        .into_iter()
        .filter(|c| options.clusters.is_empty() || options.clusters.iter().any(|o| o == c))
        .filter_map(|key| {
            Some(Entry {
                key,
                share: budget.reserve(0)?,
                workers: None,
                out: ClusterStatus::unread(key),
            })
        })
        .collect();
    // What the clusters whose lists were read cost, to guess the next ones' cost.
    let (mut read_lists, mut cost) = (0u64, 0u64);
    let mut next = 0;
    while next < entries.len() {
        // As many lists as clusters that may still fit: each costs its list, its read
        // and its worker groups' reads (as many, guessed, as the clusters read so far).
        let guess = cost.checked_div(read_lists).unwrap_or(0).max(2);
        let fit = usize::try_from(budget.slack() / guess).unwrap_or(usize::MAX);
        let end = next.saturating_add(fit.min(CONNECTIONS)).min(entries.len());
        let Some(chunk) = entries.get_mut(next..end).filter(|c| !c.is_empty()) else {
            break;
        };
        next = end;
        let lists = run_limited(
            chunk.iter().map(|e| async move {
                if !e.share.claim(1) {
                    return Err(unpaid(&e.share));
                }
                read(client, &e.share, api::list_nodegroup_states(e.key)).await
            }),
            CONNECTIONS,
        )
        .await;
        for (entry, list) in chunk.iter_mut().zip(lists) {
            match list {
                Ok(list) => {
                    let workers: Vec<String> = list
                        .into_iter()
                        .filter(|g| g.name != CONTROL_PLANE && g.role.as_deref() != Some("master"))
                        .map(|g| g.name)
                        .collect();
                    let rest = 1 + workers.len() as u64;
                    read_lists += 1;
                    cost += 1 + rest;
                    if entry.share.claim(rest) {
                        entry.workers = Some(workers);
                    } else {
                        entry.out.error = Some(unpaid(&entry.share));
                    }
                }
                Err(failure) => entry.out.error = Some(failure),
            }
            if entry.workers.is_none() {
                entry.share.release();
            }
        }
    }
    for entry in entries
        .iter_mut()
        .filter(|e| e.workers.is_none() && e.out.error.is_none())
    {
        entry.out.error = Some(unpaid(&entry.share));
    }
    // Collected: a `filter_map` does not know its length.
    let reads: Vec<_> = entries
        .iter()
        .filter_map(|e| Some((e, e.workers.as_ref()?)))
        .map(|(e, workers)| async move {
            let read = read_cluster(client, &e.share, e.key, workers).await;
            e.share.release();
            read
        })
        .collect();
    let mut reads = run_limited(reads, CONNECTIONS).await.into_iter();
    for entry in entries.iter_mut().filter(|e| e.workers.is_some()) {
        match reads.next() {
            Some(Ok((cluster, groups))) => {
                fill(&mut entry.out, policy, zones, at_ms, &cluster, &groups)
            }
            Some(Err(failure)) => entry.out.error = Some(failure),
            None => {}
        }
    }
    Ok(StatusReport {
        at: zones
            .local(&policy.timezone, at_ms)
            .map(|t| t.rfc3339(at_ms))
            .unwrap_or_default(),
        clusters: entries.into_iter().map(|e| e.out).collect(),
        subrequests: used.get(),
    })
}

/// One cluster of a status run: its budget share, its worker groups once its list is
/// read and its reads are claimed, and what is shown of it.
struct Entry<'p, 'b> {
    key: &'p str,
    share: Share<'b>,
    workers: Option<Vec<String>>,
    out: ClusterStatus,
}

impl ClusterStatus {
    /// A cluster, nothing read of it yet.
    fn unread(key: &str) -> Self {
        ClusterStatus {
            cluster: key.to_owned(),
            status: None,
            control_plane_version: None,
            nodegroups: Vec::new(),
            certificate_expiry: None,
            next_window: None,
            maintenance_step: None,
            error: None,
        }
    }
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

/// A cluster, then its worker groups together.
async fn read_cluster<T: Transport>(
    client: &NksClient<T>,
    share: &Share<'_>,
    key: &str,
    workers: &[String],
) -> Result<(ClusterState, Vec<NodeGroupState>), Failure> {
    let cluster = read(client, share, api::get_cluster_state(key)).await?;
    let groups = run_limited(
        workers
            .iter()
            .map(|name| read(client, share, api::get_nodegroup_state(key, name))),
        CONNECTIONS,
    )
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    Ok((cluster, groups))
}

/// Shows what was read of a cluster in `out`.
fn fill(
    out: &mut ClusterStatus,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    cluster: &ClusterState,
    groups: &[NodeGroupState],
) {
    out.status = cluster.status.as_ref().map(|s| s.as_str().to_owned());
    out.control_plane_version = cluster.labels.as_ref().and_then(|l| l.kube_tag.clone());
    out.certificate_expiry = steps::certificate_expiry(cluster).map(|(text, _)| text);
    out.nodegroups = groups
        .iter()
        .map(|g| GroupStatus {
            name: g.name.clone(),
            version: g.labels.as_ref().and_then(|l| l.kube_tag.clone()),
            status: g.status.as_ref().map(|s| s.as_str().to_owned()),
        })
        .collect();
    let names = [
        out.cluster.as_str(),
        cluster.uuid.as_str(),
        cluster.name.as_str(),
    ];
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
        out.maintenance_step = Some(step_of(m, cluster, groups, at_ms));
    }
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
