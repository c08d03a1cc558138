//! Plan and apply, one cluster at a time: a cluster's reads and writes are one unit,
//! started only when the subrequest budget can finish it. For each (cluster, node
//! group) the first matching rule gives the desired state; a maintenance window open
//! at the instant gives the cluster's next maintenance step. Only differences become
//! writes; at most one long operation (resize, upgrade, certificate renewal) per
//! cluster at a time. Level-triggered: a missed or failed tick heals on the next one.

use super::budget::{answer_lost, send, Budget, Share};
use super::clock::Zones;
use super::limited::{run_gated, run_limited, CONNECTIONS};
use super::maintenance::Maintenance;
use super::policy::{AutoscaleGoal, Policy, Target};
use super::steps::{self, ClusterStep, GroupState, CONTROL_PLANE};
use crate::api::{self, Call};
use crate::error::{Error, ErrorKind, Service};
use crate::model::{
    Autoscale, CertificateRenewal, ClusterState, NodeGroupState, Resize, Rollout, Upgrade,
    UuidResponse,
};
use crate::transport::Transport;
use crate::{Credentials, NksClient};
use serde::Serialize;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// How a reconcile runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Plan only: read, but send no write.
    pub dry_run: bool,
    /// Most subrequests (reads, writes, Identity) this run may start (Workers' free
    /// plan allows 50 per invocation).
    pub budget: u64,
    /// Most requests in flight at once (Workers allow 6 connections).
    pub concurrency: usize,
    /// The time between ticks, in ms: the clusters served rotate by `at / tick_ms`
    /// (unless `tick` is given), so that every cluster is reached within
    /// ⌈clusters / clusters per tick⌉ ticks when the budget cannot serve all at once.
    pub tick_ms: i64,
    /// The tick's number in its series, when the caller counts its ticks (the Worker
    /// counts its cron trigger's firings, whose gaps may differ): the rotation moves
    /// one step per number, instead of by `at / tick_ms`.
    pub tick: Option<i64>,
    /// No cluster is started at or after this instant (epoch ms, the client's clock):
    /// the ones left are listed in `waiting`, for a later run. A caller with a time
    /// limit (the Worker's routes) sets it, so that its report is whole.
    pub deadline_ms: Option<i64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dry_run: false,
            budget: 50,
            concurrency: CONNECTIONS,
            tick_ms: 300_000,
            tick: None,
            deadline_ms: None,
        }
    }
}

/// What became of a planned action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not sent (a plan, or a dry run).
    Planned,
    /// Sent and accepted.
    Applied,
    /// Sent and refused, or not answered: see `error`.
    Failed,
    /// Not sent: the subrequest budget ran out, or the cluster had a long operation
    /// already.
    Deferred,
}

/// Why an action was not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The API or the network refused it (`server`, `conflict`, …).
    Api(ErrorKind),
    /// The rule cannot be applied to the node group as it is.
    Plan,
    /// Left for a later tick (budget, or one resize per cluster per tick).
    Deferred,
}

impl Serialize for FailureKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            FailureKind::Api(kind) => kind.serialize(serializer),
            FailureKind::Plan => serializer.serialize_str("plan"),
            FailureKind::Deferred => serializer.serialize_str("deferred"),
        }
    }
}

/// A failure, as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// The HTTP status, or 0.
    pub status: u16,
    /// What went wrong.
    pub message: String,
    /// The service that failed (`nks`, `identity`), for API failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        Failure {
            kind: FailureKind::Api(e.kind),
            status: e.status,
            message: e.message.clone(),
            service: e.service,
        }
    }
}

/// A write the plan calls for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Action {
    /// The cluster.
    pub cluster: String,
    /// The node group (empty for `renew_certificates`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub nodegroup: String,
    /// The deciding rule or maintenance entry.
    pub rule: String,
    /// `set_autoscale`, `resize`, `upgrade` or `renew_certificates`.
    pub action: &'static str,
    /// The step of a transition this is (`autoscaler_off`: a `node_count` rule turns
    /// the autoscaler off first, `resize` follows on a later tick; `autoscaler_on`),
    /// or of a maintenance (`control_plane`, `nodegroup`, `certificates`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<&'static str>,
    /// The managed settings as they are.
    pub from: Settings,
    /// The managed settings as the rule wants them.
    pub to: Settings,
    /// What became of it.
    pub result: Outcome,
    /// Why it failed or was deferred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

/// A target already as its rule wants it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unchanged {
    /// The cluster.
    pub cluster: String,
    /// The node group.
    pub nodegroup: String,
    /// The deciding rule.
    pub rule: String,
}

/// A cluster left alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The cluster.
    pub cluster: String,
    /// Why (`cluster status UPDATE_IN_PROGRESS`).
    pub reason: String,
}

/// A target that could not be planned or was not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The cluster.
    pub cluster: String,
    /// The node group, when the problem is one's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodegroup: Option<String>,
    /// The deciding rule, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What went wrong.
    pub error: Failure,
}

/// The plan, or after applying it, the report (the contract's JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// The instant, in the policy's time zone (`2026-11-26T09:00:00+09:00`).
    pub at: String,
    /// Whether writes were withheld.
    pub dry_run: bool,
    /// Writes: planned, applied, failed or deferred.
    pub actions: Vec<Action>,
    /// Targets already right.
    pub unchanged: Vec<Unchanged>,
    /// Clusters not in a `*_COMPLETE` status.
    pub skipped: Vec<Skipped>,
    /// Targets not read for lack of subrequest budget.
    pub deferred: Vec<Unchanged>,
    /// Reads that failed and rules the API would refuse.
    pub errors: Vec<Problem>,
    /// Where each maintenance open at this instant stands, per cluster.
    pub maintenance: Vec<MaintenanceState>,
    /// Clusters left for a later tick: the budget could not finish them in this one,
    /// or the run's deadline ([`Options::deadline_ms`]) came before they started.
    pub waiting: Vec<String>,
    /// Subrequests this run made.
    pub subrequests: u64,
}

/// Where a cluster's maintenance stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MaintenanceState {
    /// The cluster.
    pub cluster: String,
    /// The maintenance entry.
    pub maintenance: String,
    /// `certificates`, `control_plane`, `nodegroup` (a step started or planned),
    /// `in_progress` (one is running), `stopped` (a step failed: fix it, the next
    /// window resumes), `done`, `waiting` (no budget or another long operation).
    pub step: &'static str,
    /// The node group concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodegroup: Option<String>,
    /// Details (`node group batch is UPDATE_FAILED`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Report {
    /// The report as log events (JSON objects, one per log line): a summary, then one
    /// per action, skip and error.
    pub fn log_events(&self) -> Vec<Value> {
        let count = |o: Outcome| self.actions.iter().filter(|a| a.result == o).count();
        let mut lines = vec![json!({
            "event": "reconcile", "at": self.at, "dry_run": self.dry_run,
            "planned": count(Outcome::Planned), "applied": count(Outcome::Applied),
            "failed": count(Outcome::Failed), "deferred": count(Outcome::Deferred) + self.deferred.len(),
            "unchanged": self.unchanged.len(), "skipped": self.skipped.len(),
            "errors": self.errors.len(), "waiting": self.waiting.len(),
            "subrequests": self.subrequests,
        })];
        let tagged = |event: &str, v: Value| {
            let mut v = v;
            if let Some(map) = v.as_object_mut() {
                map.insert("event".into(), json!(event));
            }
            v
        };
        lines.extend(self.actions.iter().map(|a| tagged("action", json!(a))));
        lines.extend(self.skipped.iter().map(|s| tagged("skipped", json!(s))));
        lines.extend(self.deferred.iter().map(|d| tagged("deferred", json!(d))));
        lines.extend(self.errors.iter().map(|e| tagged("error", json!(e))));
        lines.extend(
            self.maintenance
                .iter()
                .map(|m| tagged("maintenance", json!(m))),
        );
        lines.extend(
            self.waiting
                .iter()
                .map(|c| tagged("waiting", json!({ "cluster": c }))),
        );
        lines
    }
}

/// One (node group, rule) decision inside a cluster.
struct Decision<'p> {
    nodegroup: &'p str,
    rule: &'p str,
    target: &'p Target,
}

/// The decisions at `at_ms` for the rules naming any of `names` (one cluster, by its
/// name and UUID: two rules reaching one node group through different names are
/// decided together, first rule in list order wins).
fn decide<'p>(
    policy: &'p Policy,
    names: &[&str],
    zones: &impl Zones,
    at_ms: i64,
    cluster: &str,
    errors: &mut Vec<Problem>,
) -> Vec<Decision<'p>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut decisions = Vec::new();
    let naming = policy
        .rules
        .iter()
        .filter(|r| names.contains(&r.cluster.as_str()));
    for rule in naming {
        for ng in &rule.nodegroups {
            if seen.contains(&ng.as_str()) {
                continue;
            }
            let matched = match &rule.when {
                None => Ok(true),
                Some(when) => zones.local(&rule.timezone, at_ms).map(|t| when.matches(&t)),
            };
            match matched {
                Ok(true) => {
                    seen.push(ng);
                    decisions.push(Decision {
                        nodegroup: ng,
                        rule: &rule.name,
                        target: &rule.target,
                    });
                }
                Ok(false) => {}
                Err(message) => {
                    seen.push(ng);
                    errors.push(Problem {
                        cluster: cluster.to_owned(),
                        nodegroup: Some(ng.clone()),
                        rule: Some(rule.name.clone()),
                        error: plan_failure(message),
                    });
                }
            }
        }
    }
    decisions
}

/// Settings as an action's `from` or `to` shows them: `{"max": 3, "min": 1}`, an
/// object with its names in order. To serde a struct, not a map: the names are the
/// table's, not copied for each action.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings(Vec<(&'static str, Value)>);

impl Settings {
    /// One setting.
    pub fn one(name: &'static str, value: Value) -> Self {
        Settings(vec![(name, value)])
    }

    /// Sets `name`, keeping the names in order.
    pub fn set(&mut self, name: &'static str, value: Value) {
        let at = self.0.partition_point(|(n, _)| *n < name);
        match self.0.get_mut(at).filter(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.insert(at, (name, value)),
        }
    }

    /// The value of setting `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl Serialize for Settings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Settings", self.0.len())?;
        for (name, value) in &self.0 {
            out.serialize_field(name, value)?;
        }
        out.end()
    }
}

fn plan_failure(message: String) -> Failure {
    Failure {
        kind: FailureKind::Plan,
        status: 0,
        message,
        service: None,
    }
}

/// The error of maintenance entry `m` stopped on `cluster` (and `nodegroup`).
fn maintenance_failure(
    cluster: &str,
    m: &Maintenance,
    nodegroup: Option<&str>,
    message: String,
) -> Problem {
    Problem {
        cluster: cluster.to_owned(),
        nodegroup: nodegroup.map(str::to_owned),
        rule: Some(m.name.clone()),
        error: plan_failure(message),
    }
}

pub(super) fn deferral(message: impl Into<String>) -> Failure {
    Failure {
        kind: FailureKind::Deferred,
        status: 0,
        message: message.into(),
        service: None,
    }
}

/// The maintenance entry naming any of `names` whose window is open at `at_ms`
/// (validation keeps windows of one cluster apart).
fn open_maintenance<'p>(
    policy: &'p Policy,
    names: &[&str],
    zones: &impl Zones,
    at_ms: i64,
) -> Option<&'p Maintenance> {
    policy
        .maintenance
        .iter()
        .find(|m| m.names(names) && m.open(zones, at_ms).unwrap_or(false))
}

/// The change a goal asks of the actual settings: `from`, `to` (policy names), and
/// the request: `ca_enable` (the API requires it) and the settings that differ. Only
/// the settings of the table are read from `actual`: undocumented fields may stay.
fn autoscale_change(
    goal: &AutoscaleGoal,
    actual: &Autoscale,
) -> Result<Option<(Settings, Settings, Autoscale)>, String> {
    let mut request = Autoscale {
        ca_enable: actual.ca_enable,
        ..Autoscale::default()
    };
    let mut changed = false;
    for (setting, want) in &goal.0 {
        if actual.get(setting) != *want {
            changed = true;
            request.set(setting, want)?;
        }
    }
    let min = request.ca_min_node_count.or(actual.ca_min_node_count);
    let max = request.ca_max_node_count.or(actual.ca_max_node_count);
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            return Err(format!(
                "the rule would set min {lo} above max {hi}; give both min and max"
            ));
        }
    }
    if !changed {
        // The usual case of a level-triggered tick: nothing to build for the report.
        return Ok(None);
    }
    let n = goal.0.len();
    let (mut from, mut to) = (
        Settings(Vec::with_capacity(n)),
        Settings(Vec::with_capacity(n)),
    );
    for (setting, want) in &goal.0 {
        from.set(setting.policy, actual.get(setting));
        to.set(setting.policy, want.clone());
    }
    Ok(Some((from, to, request)))
}

/// Plans (and unless `options.dry_run`, applies) the policy at `at_ms`, for every
/// cluster it names (as many as the budget serves, rotating from tick to tick).
pub async fn reconcile<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
) -> Report {
    let progress = Progress::default();
    run_into(client, policy, zones, at_ms, options, true, &progress).await;
    progress.into_report()
}

/// The plan at `at_ms`: reads only, nothing applied.
pub async fn plan<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
) -> Report {
    let progress = Progress::default();
    run_into(client, policy, zones, at_ms, options, false, &progress).await;
    progress.into_report()
}

/// Like [`reconcile`], for the listed clusters of the policy only (as the policy
/// names them): each is one unit, so a fleet can be split across invocations.
pub async fn reconcile_clusters<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
    clusters: &[&str],
) -> Report {
    let progress = Progress::default();
    run(
        client,
        policy,
        zones,
        at_ms,
        options,
        !options.dry_run,
        clusters,
        &progress,
    )
    .await;
    progress.into_report()
}

/// The worker node groups a version maintenance is assumed to read before its
/// cluster's node groups are listed. A cluster with more claims the rest once it has
/// listed them, before it reads any ([`Ctx::maintenance_step`]).
const ASSUMED_WORKER_GROUPS: u64 = 4;

/// What a unit can cost at most before retries: the cluster read, one read and one
/// write per decided node group, and for an open maintenance window with a version
/// a node group list, a read per worker node group (assumed
/// [`ASSUMED_WORKER_GROUPS`]) and one write (the version list is read once per run),
/// or for a renewal one write.
fn estimate(policy: &Policy, key: &str, zones: &impl Zones, at_ms: i64) -> (u64, bool) {
    let mut ignored = Vec::new();
    let decided = decide(policy, &[key], zones, at_ms, key, &mut ignored).len() as u64;
    let open = open_maintenance(policy, &[key], zones, at_ms);
    let upkeep = match open {
        Some(m) if m.kube_version.is_some() => 2 + ASSUMED_WORKER_GROUPS,
        Some(_) => 1,
        None => 0,
    };
    (
        1 + 2 * decided + upkeep,
        open.is_some_and(|m| m.kube_version.is_some()),
    )
}

/// The rotation's start: the fleet, in its order, is cut into slices of consecutive
/// units that fit in `room` together (a unit dearer than the whole room is a slice of
/// its own); tick number `tick` starts at the first unit of slice `tick mod slices`,
/// so every unit is reached within as many ticks as there are slices.
fn rotation_start(costs: &[u64], room: u64, tick: i64) -> usize {
    let mut starts = vec![0];
    let mut used = 0;
    for (i, &cost) in costs.iter().enumerate() {
        if used > 0 && used + cost > room {
            starts.push(i);
            used = 0;
        }
        used += cost;
    }
    let slice = tick.rem_euclid(i64::try_from(starts.len()).unwrap_or(1));
    usize::try_from(slice)
        .ok()
        .and_then(|s| starts.get(s).copied())
        .unwrap_or(0)
}

/// [`plan`] (`apply` false) or [`reconcile`] (`apply` true; nothing is applied when
/// `options.dry_run`), writing the report into `progress` as each cluster finishes:
/// a caller that stops waiting (at its own time limit) still has, from
/// [`Progress::into_report`], every finished cluster's outcome, the clusters cut off
/// mid-way (as errors: a write may have gone out) and those not started (waiting).
pub async fn run_into<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
    apply: bool,
    progress: &Progress,
) {
    let apply = apply && !options.dry_run;
    let all = policy.clusters();
    run(client, policy, zones, at_ms, options, apply, &all, progress).await;
}

/// Plans (and with `apply`, applies) the policy at `at_ms` for `keys`, into `progress`.
#[allow(clippy::too_many_arguments)]
async fn run<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
    apply: bool,
    keys: &[&str],
    progress: &Progress,
) {
    let budget = Budget::new(
        options.budget,
        options.concurrency,
        Rc::clone(&progress.sent),
    );
    {
        let mut report = progress.report.borrow_mut();
        report.at = zones.local(&policy.timezone, at_ms).map_or_else(
            |_| crate::time::format_instant(at_ms, 0),
            |t| t.rfc3339(at_ms),
        );
        report.dry_run = options.dry_run;
    }
    // Identity's token request, if this client may need one.
    if matches!(client.config().credentials, Credentials::Identity(_)) {
        budget.keep_for_identity();
    }
    let costs: Vec<(u64, bool)> = keys
        .iter()
        .map(|k| estimate(policy, k, zones, at_ms))
        .collect();
    // The supported versions, read once when a window with a version is open.
    let versions_share = costs
        .iter()
        .any(|(_, v)| *v)
        .then(|| budget.reserve(1))
        .flatten();
    let plain: Vec<u64> = costs.iter().map(|(c, _)| *c).collect();
    let room = budget.free();
    let tick = options
        .tick
        .unwrap_or_else(|| at_ms.div_euclid(options.tick_ms.max(1)));
    let start = rotation_start(&plain, room, tick);
    let n = keys.len();
    let mut admitted: Vec<(usize, Share<'_>)> = Vec::new();
    let (mut stopped, mut waiting) = (false, Vec::new());
    for i in (0..n).map(|k| (start + k) % n) {
        let cost = plain.get(i).copied().unwrap_or(1);
        let share = if stopped {
            None
        } else if admitted.is_empty() && cost > room {
            // It never fits: served alone, as far as the budget goes, rather than
            // never (its rotation slice holds it alone).
            budget.reserve_partial(cost)
        } else {
            budget.reserve(cost)
        };
        match share {
            Some(share) => admitted.push((i, share)),
            None => {
                // Strict rotation: a unit that does not fit stops admission, so the
                // clusters after it come first next time.
                stopped = true;
                if let Some(k) = keys.get(i) {
                    waiting.push((*k).to_owned());
                }
            }
        }
    }
    budget.close();
    progress.report.borrow_mut().waiting = waiting;
    // In the fleet's order: admission went from `start` round to its end and on from
    // the fleet's start, so the part that wrapped round goes first (a rotation, not a
    // sort: a stable sort is 1.5 KB of wasm).
    let wrapped = admitted
        .iter()
        .position(|(i, _)| *i < start)
        .unwrap_or(admitted.len());
    admitted.rotate_left(wrapped);
    *progress.units.borrow_mut() = admitted
        .iter()
        .filter_map(|(i, _)| keys.get(*i))
        .map(|k| ((*k).to_owned(), UnitState::Queued))
        .collect();
    let offered = match versions_share {
        Some(share) => {
            let got = send(client, &share, api::supported_versions()).await;
            share.release();
            match got {
                Some(Ok(s)) => Ok(s.supported_k8s),
                Some(Err(e)) => Err(e.message.clone()),
                None => Err("no budget left to read /v1/supports".into()),
            }
        }
        None => Err("the supported versions were not read".into()),
    };
    let named = policy.clusters();
    let ctx = Ctx {
        client,
        policy,
        named: &named,
        zones,
        at_ms,
        apply,
        offered: &offered,
        concurrency: options.concurrency,
        deadline_ms: options.deadline_ms,
    };
    // Made up front, not as places free up: each counts as a user from now.
    let jobs: Vec<_> = admitted
        .iter()
        .filter_map(|(i, share)| keys.get(*i).map(|k| (k, share)))
        .enumerate()
        .map(|(slot, (k, share))| {
            let ctx = &ctx;
            // A user of the gate from its admission until it is done (moved into the
            // job: a job dropped unstarted stops counting too).
            let user = share.gate().join();
            async move {
                progress.set(slot, UnitState::Running);
                let part = ctx.unit(k, share).await;
                progress.set(slot, UnitState::Done(part));
                drop(user);
            }
        })
        .collect();
    run_limited(jobs, options.concurrency).await;
}

/// A run's report as it is made ([`run_into`]): the clusters admitted, each queued,
/// running or done with its part, and the requests sent so far.
#[derive(Default)]
pub struct Progress {
    report: RefCell<Report>,
    units: RefCell<Vec<(String, UnitState)>>,
    sent: Rc<Cell<u64>>,
}

/// Where an admitted cluster stands.
enum UnitState {
    Queued,
    Running,
    Done(Part),
}

impl Progress {
    fn set(&self, slot: usize, state: UnitState) {
        if let Some(unit) = self.units.borrow_mut().get_mut(slot) {
            unit.1 = state;
        }
    }

    /// The report: the finished clusters' parts in the policy's order; a cluster cut
    /// off while running is an error (its writes may have been applied), one not
    /// started yet waits.
    pub fn into_report(self) -> Report {
        let mut report = self.report.into_inner();
        for (cluster, state) in self.units.into_inner() {
            match state {
                UnitState::Done(part) => {
                    report.actions.extend(part.actions);
                    report.unchanged.extend(part.unchanged);
                    report.skipped.extend(part.skipped);
                    report.deferred.extend(part.deferred);
                    report.errors.extend(part.errors);
                    report.maintenance.extend(part.maintenance);
                    report.waiting.extend(part.waiting);
                }
                UnitState::Running => report.errors.push(Problem {
                    cluster,
                    nodegroup: None,
                    rule: None,
                    error: Failure {
                        kind: FailureKind::Api(ErrorKind::Timeout),
                        status: 0,
                        message: CUT_OFF.into(),
                        service: None,
                    },
                }),
                UnitState::Queued => report.waiting.push(cluster),
            }
        }
        report.subrequests = self.sent.get();
        report
    }
}

/// What a cluster cut off mid-way reports.
const CUT_OFF: &str = "the run was cut off while this cluster was being reconciled: a write it sent may have been applied; the next tick reads it again";

/// What one unit (one cluster) gives the report.
#[derive(Default)]
struct Part {
    actions: Vec<Action>,
    unchanged: Vec<Unchanged>,
    skipped: Vec<Skipped>,
    deferred: Vec<Unchanged>,
    errors: Vec<Problem>,
    maintenance: Vec<MaintenanceState>,
    /// Not started: the deadline had passed.
    waiting: Vec<String>,
}

/// What a rule wants of one node group, beside what it manages as read.
enum Observed<'p> {
    /// An `autoscale` rule's goal and the node group's autoscaler settings.
    Autoscale(&'p AutoscaleGoal, Autoscale),
    /// A `node_count` rule's size and the node group.
    NodeGroup(u32, NodeGroupState),
}

/// A write a unit plans, by the index of its action.
enum Write {
    Autoscale(Autoscale),
    Resize(Resize),
    /// A long operation of a maintenance: an upgrade or a certificate renewal.
    Upkeep(Call<UuidResponse>),
}

impl Write {
    fn is_long(&self) -> bool {
        !matches!(self, Write::Autoscale(_))
    }
}

/// Everything a unit needs.
struct Ctx<'a, T, Z> {
    client: &'a NksClient<T>,
    policy: &'a Policy,
    /// The policy's clusters, in order ([`Policy::clusters`]).
    named: &'a [&'a str],
    zones: &'a Z,
    at_ms: i64,
    apply: bool,
    offered: &'a Result<BTreeMap<String, bool>, String>,
    /// Requests of one unit in flight at once.
    concurrency: usize,
    /// No unit starts at or after it.
    deadline_ms: Option<i64>,
}

impl<T: Transport, Z: Zones> Ctx<'_, T, Z> {
    /// One cluster: read, decide, write; what it did not use goes back to the slack.
    /// Past the deadline it is not started, and waits for a later run.
    async fn unit(&self, key: &str, share: &Share<'_>) -> Part {
        let mut part = Part::default();
        if self
            .deadline_ms
            .is_some_and(|d| self.client.transport().now_ms() >= d)
        {
            part.waiting.push(key.to_owned());
        } else {
            self.unit_steps(key, share, &mut part).await;
        }
        share.release();
        part
    }

    async fn unit_steps(&self, key: &str, share: &Share<'_>, part: &mut Part) {
        let client = self.client;
        let cluster = match send(client, share, api::get_cluster_state(key)).await {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                part.errors.push(Problem {
                    cluster: key.to_owned(),
                    nodegroup: None,
                    rule: None,
                    error: Failure::from(&e),
                });
                return;
            }
            None => {
                part.skipped.push(Skipped {
                    cluster: key.to_owned(),
                    reason: "the subrequest budget ran out".into(),
                });
                return;
            }
        };
        let names = [key, cluster.uuid.as_str(), cluster.name.as_str()];
        // One identity per cluster: the first name the policy uses decides for all.
        let first = self.named.iter().copied().find(|k| names.contains(k));
        if let Some(first) = first.filter(|f| *f != key) {
            part.skipped.push(Skipped {
                cluster: key.to_owned(),
                reason: format!(
                    "the same cluster as {first:?}: its rules and maintenance are decided under that name"
                ),
            });
            return;
        }
        let window = open_maintenance(self.policy, &names, self.zones, self.at_ms);
        if let Some(status) = cluster.status.as_ref().filter(|s| !s.is_complete()) {
            part.skipped.push(Skipped {
                cluster: key.to_owned(),
                reason: format!("cluster status {status}"),
            });
            if let Some(m) = window {
                let failed = steps::is_failed(Some(status));
                let detail = format!("cluster status {status}");
                // A failed cluster stops its maintenance as a failed node group does:
                // an error, which the operator must fix before the next window.
                if failed {
                    part.errors.push(maintenance_failure(
                        key,
                        m,
                        None,
                        format!("the cluster is {status}: its maintenance stops until it is fixed"),
                    ));
                }
                let step = if failed { "stopped" } else { "in_progress" };
                part.maintenance
                    .push(state(key, m, step, None, Some(detail)));
            }
            return;
        }
        let decisions = decide(
            self.policy,
            &names,
            self.zones,
            self.at_ms,
            key,
            &mut part.errors,
        );
        // The node groups are read together, then planned in the policy's order.
        let seen = run_gated(
            decisions.iter().map(|d| self.observe(key, d, share)),
            self.concurrency,
            share.gate(),
        )
        .await;
        let mut writes: Vec<(usize, Write)> = Vec::new();
        for (d, seen) in decisions.iter().zip(seen) {
            self.rule_step(key, d, seen, part, &mut writes);
        }
        if let Some(m) = window {
            self.maintenance_step(key, m, &cluster, share, part, &mut writes)
                .await;
        }
        // One long operation per cluster: a maintenance step first, else one resize.
        let upkeep = writes.iter().any(|(_, w)| matches!(w, Write::Upkeep(_)));
        let mut long_taken = upkeep;
        let mut kept = Vec::new();
        for (i, w) in writes {
            if matches!(w, Write::Resize(_)) {
                if long_taken {
                    if let Some(a) = part.actions.get_mut(i) {
                        a.result = Outcome::Deferred;
                        a.error = Some(deferral(if upkeep {
                            "a maintenance step of this cluster goes first; a later tick applies this"
                        } else {
                            "another resize of this cluster goes first; the next tick applies this one"
                        }));
                    }
                    continue;
                }
                long_taken = true;
            }
            kept.push((i, w));
        }
        if self.apply {
            self.apply_writes(key, &cluster, share, part, kept).await;
        }
    }

    /// Reads what a rule manages of one node group: its autoscaler settings, or (for
    /// a fixed size) the node group. `None`: no budget left.
    async fn observe<'d>(
        &self,
        key: &str,
        d: &Decision<'d>,
        share: &Share<'_>,
    ) -> Option<Result<Observed<'d>, Error>> {
        let client = self.client;
        match d.target {
            Target::Autoscale(goal) => send(client, share, api::get_autoscale(key, d.nodegroup))
                .await
                .map(|r| r.map(|actual| Observed::Autoscale(goal, actual))),
            Target::NodeCount(want) => {
                send(client, share, api::get_nodegroup_state(key, d.nodegroup))
                    .await
                    .map(|r| r.map(|group| Observed::NodeGroup(*want, group)))
            }
        }
    }

    /// Plans what a rule asks of one node group, as `seen`.
    fn rule_step(
        &self,
        key: &str,
        d: &Decision<'_>,
        seen: Option<Result<Observed<'_>, Error>>,
        part: &mut Part,
        writes: &mut Vec<(usize, Write)>,
    ) {
        let who = Unchanged {
            cluster: key.to_owned(),
            nodegroup: d.nodegroup.to_owned(),
            rule: d.rule.to_owned(),
        };
        let problem = |error: Failure| Problem {
            cluster: who.cluster.clone(),
            nodegroup: Some(who.nodegroup.clone()),
            rule: Some(who.rule.clone()),
            error,
        };
        let seen = match seen {
            None => return part.deferred.push(who),
            Some(Err(e)) => return part.errors.push(problem(Failure::from(&e))),
            Some(Ok(seen)) => seen,
        };
        let planned = match seen {
            Observed::Autoscale(goal, actual) => match autoscale_change(goal, &actual) {
                Err(why) => return part.errors.push(problem(plan_failure(why))),
                Ok(None) => None,
                Ok(Some((from, to, request))) => {
                    let step = (goal.enable() == Some(true) && !actual.ca_enable)
                        .then_some("autoscaler_on");
                    Some((
                        "set_autoscale",
                        step,
                        from,
                        to,
                        Write::Autoscale(request),
                        None,
                    ))
                }
            },
            Observed::NodeGroup(want, group) => {
                let have = group.node_count;
                let busy = group.status.as_ref().filter(|s| !s.is_complete());
                if group.labels.as_ref().and_then(|l| l.ca_enable) == Some(true) {
                    // First step of the move to a fixed size: the API refuses a resize
                    // while the autoscaler is on.
                    let off = Autoscale {
                        ca_enable: false,
                        ..Autoscale::default()
                    };
                    Some((
                        "set_autoscale",
                        Some("autoscaler_off"),
                        Settings::one("enable", true.into()),
                        Settings::one("enable", false.into()),
                        Write::Autoscale(off),
                        None,
                    ))
                } else if have == Some(want) {
                    None
                } else {
                    let wait = busy.map(|status| {
                        deferral(format!(
                            "node group status {status}: the resize follows once it is *_COMPLETE"
                        ))
                    });
                    Some((
                        "resize",
                        Some("resize"),
                        Settings::one("node_count", have.into()),
                        Settings::one("node_count", want.into()),
                        Write::Resize(Resize::new(d.nodegroup, want)),
                        wait,
                    ))
                }
            }
        };
        match planned {
            None => part.unchanged.push(who),
            Some((action, step, from, to, write, wait)) => {
                if wait.is_none() {
                    writes.push((part.actions.len(), write));
                }
                part.actions.push(Action {
                    cluster: who.cluster,
                    nodegroup: who.nodegroup,
                    rule: who.rule,
                    action,
                    step,
                    from,
                    to,
                    result: if wait.is_some() {
                        Outcome::Deferred
                    } else {
                        Outcome::Planned
                    },
                    error: wait,
                });
            }
        }
    }

    /// Plans the next step of maintenance `m` for a settled cluster.
    async fn maintenance_step(
        &self,
        key: &str,
        m: &Maintenance,
        cluster: &ClusterState,
        share: &Share<'_>,
        part: &mut Part,
        writes: &mut Vec<(usize, Write)>,
    ) {
        let client = self.client;
        let stop = |part: &mut Part, nodegroup: Option<&str>, message: String| {
            part.errors
                .push(maintenance_failure(key, m, nodegroup, message.clone()));
            part.maintenance.push(state(
                key,
                m,
                "stopped",
                nodegroup.map(str::to_owned),
                Some(message),
            ));
        };
        let (nodegroup, from, hop_to) = match steps::cluster_step(m, cluster, self.at_ms) {
            ClusterStep::Done => {
                part.maintenance.push(state(key, m, "done", None, None));
                return;
            }
            ClusterStep::Renew { expiry, years } => {
                let renewal = CertificateRenewal {
                    term_of_validity: years,
                };
                let call = api::renew_certificates(key, &renewal);
                self.upkeep_action(
                    key,
                    m,
                    "",
                    "renew_certificates",
                    "certificates",
                    Settings::one("certificate_expiry", expiry.into()),
                    Settings::one("term_of_validity", years.into()),
                    call,
                    part,
                    writes,
                );
                return;
            }
            ClusterStep::Versions {
                workers_to,
                control_plane,
                goal,
            } => {
                let groups = match send(client, share, api::list_nodegroup_states(key)).await {
                    None => {
                        return part.maintenance.push(state(
                            key,
                            m,
                            "waiting",
                            None,
                            Some("the subrequest budget ran out".into()),
                        ))
                    }
                    Some(Err(e)) => return stop(part, None, e.message.clone()),
                    Some(Ok(groups)) => groups,
                };
                let workers: Vec<_> = groups
                    .iter()
                    .filter(|g| g.name != CONTROL_PLANE && g.role.as_deref() != Some("master"))
                    .collect();
                // Every read, the step's write and the rules' writes, claimed before
                // the first read: reads the budget cannot follow with a write are
                // not sent (they would starve the tick of its writes).
                if !share.claim(workers.len() as u64 + 1 + writes.len() as u64) {
                    return part.maintenance.push(state(
                        key,
                        m,
                        "waiting",
                        None,
                        Some(format!(
                            "the subrequest budget cannot read its {} worker node groups and upgrade one this tick",
                            workers.len()
                        )),
                    ));
                }
                let mut behind = None;
                for summary in workers {
                    let group =
                        match send(client, share, api::get_nodegroup_state(key, &summary.name))
                            .await
                        {
                            None => {
                                return part.maintenance.push(state(
                                    key,
                                    m,
                                    "waiting",
                                    Some(summary.name.clone()),
                                    Some("the subrequest budget ran out".into()),
                                ))
                            }
                            Some(Err(e)) => {
                                return stop(part, Some(&summary.name), e.message.clone())
                            }
                            Some(Ok(group)) => group,
                        };
                    match steps::group_state(&group, workers_to) {
                        GroupState::Failed(why) => {
                            return stop(
                                part,
                                Some(&group.name),
                                format!("{why}: maintenance stops until it is fixed"),
                            )
                        }
                        GroupState::Busy(why) => {
                            return part.maintenance.push(state(
                                key,
                                m,
                                "in_progress",
                                Some(group.name),
                                Some(why),
                            ))
                        }
                        GroupState::Behind(v) => {
                            behind = Some((group.name, v, workers_to));
                            break;
                        }
                        GroupState::Current => {}
                    }
                }
                match (behind, control_plane) {
                    (Some(worker), _) => worker,
                    (None, Some(cp)) if cp < goal => (CONTROL_PLANE.to_owned(), cp, goal),
                    (None, _) => {
                        part.maintenance.push(state(key, m, "done", None, None));
                        return;
                    }
                }
            }
        };
        let hop = match self.offered {
            Ok(offered) => steps::next_hop(from, hop_to, offered),
            Err(why) => Err(format!("the supported versions are unknown: {why}")),
        };
        let to = match hop {
            Ok(to) => to,
            Err(why) => return stop(part, Some(&nodegroup), why),
        };
        // The rollout options are for worker node groups only.
        let options = m.upgrade;
        let rollout = if nodegroup == CONTROL_PLANE {
            Rollout::default()
        } else {
            Rollout {
                num_buffer_nodes: options.num_buffer_nodes,
                num_max_unavailable_nodes: options.num_max_unavailable_nodes,
            }
        };
        let spec = Upgrade {
            version: to.to_string(),
            rollout,
        };
        let call = api::upgrade(key, &nodegroup, &spec);
        let step = if nodegroup == CONTROL_PLANE {
            "control_plane"
        } else {
            "nodegroup"
        };
        self.upkeep_action(
            key,
            m,
            &nodegroup,
            "upgrade",
            step,
            Settings::one("version", from.to_string().into()),
            Settings::one("version", to.to_string().into()),
            call,
            part,
            writes,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn upkeep_action(
        &self,
        key: &str,
        m: &Maintenance,
        nodegroup: &str,
        action: &'static str,
        step: &'static str,
        from: Settings,
        to: Settings,
        call: Result<Call<UuidResponse>, Error>,
        part: &mut Part,
        writes: &mut Vec<(usize, Write)>,
    ) {
        let call = match call {
            Ok(call) => call,
            Err(e) => {
                part.errors.push(Problem {
                    cluster: key.to_owned(),
                    nodegroup: (!nodegroup.is_empty()).then(|| nodegroup.to_owned()),
                    rule: Some(m.name.clone()),
                    error: Failure::from(&e),
                });
                return;
            }
        };
        writes.push((part.actions.len(), Write::Upkeep(call)));
        part.actions.push(Action {
            cluster: key.to_owned(),
            nodegroup: nodegroup.to_owned(),
            rule: m.name.clone(),
            action,
            step: Some(step),
            from,
            to,
            result: Outcome::Planned,
            error: None,
        });
        part.maintenance.push(state(
            key,
            m,
            step,
            (!nodegroup.is_empty()).then(|| nodegroup.to_owned()),
            None,
        ));
    }

    /// Sends a unit's writes, all or none: autoscaler settings, then the long
    /// operation. A long operation whose answer was lost is re-read, not guessed. A
    /// unit that never fits a whole budget ([`Share::partial`]) sends those it can pay
    /// for, in order; the next tick finds the rest still to do.
    async fn apply_writes(
        &self,
        key: &str,
        cluster: &ClusterState,
        share: &Share<'_>,
        part: &mut Part,
        mut writes: Vec<(usize, Write)>,
    ) {
        // Reserved before the first write goes out: units running meanwhile cannot
        // leave this one half-applied.
        let n = writes.len() as u64;
        let (paid, why) = if share.claim(n) {
            (n, "")
        } else if share.partial() {
            (
                share.claim_up_to(n),
                "this cluster needs more subrequests than one invocation has; the next tick applies the rest",
            )
        } else {
            (
                0,
                "the subrequest budget cannot finish this cluster's writes; the next tick applies them",
            )
        };
        let later =
            writes.split_off(usize::try_from(paid).map_or(writes.len(), |p| p.min(writes.len())));
        for (i, _) in &later {
            if let Some(a) = part.actions.get_mut(*i) {
                a.result = Outcome::Deferred;
                a.error = Some(deferral(why));
            }
        }
        // Short writes (autoscaler settings) go out together; the one long operation
        // (a resize or a maintenance step) after them.
        let (short, long): (Vec<_>, Vec<_>) = writes.into_iter().partition(|(_, w)| !w.is_long());
        let named = |batch: Vec<(usize, Write)>| -> Vec<(usize, String, Write)> {
            batch
                .into_iter()
                .filter_map(|(i, w)| part.actions.get(i).map(|a| (i, a.nodegroup.clone(), w)))
                .collect()
        };
        let (short, long) = (named(short), named(long));
        let sent = run_gated(
            short
                .iter()
                .map(|(_, nodegroup, write)| self.write(key, cluster, share, nodegroup, write)),
            self.concurrency,
            share.gate(),
        )
        .await;
        let mut outcomes: Vec<(usize, Result<Outcome, Failure>)> =
            short.iter().map(|(i, _, _)| *i).zip(sent).collect();
        for (i, nodegroup, write) in &long {
            outcomes.push((*i, self.write(key, cluster, share, nodegroup, write).await));
        }
        for (i, outcome) in outcomes {
            if let Some(a) = part.actions.get_mut(i) {
                match outcome {
                    Ok(result) => a.result = result,
                    Err(failure) => {
                        a.result = if failure.kind == FailureKind::Deferred {
                            Outcome::Deferred
                        } else {
                            Outcome::Failed
                        };
                        a.error = Some(failure);
                    }
                }
            }
        }
    }

    /// Sends one write and says what became of it; the answer of a long operation
    /// that was lost is found by reading the cluster again, never by resending.
    async fn write(
        &self,
        key: &str,
        cluster: &ClusterState,
        share: &Share<'_>,
        nodegroup: &str,
        write: &Write,
    ) -> Result<Outcome, Failure> {
        let client = self.client;
        // The policy's counts were checked against its own bound when it was read.
        let max = client
            .config()
            .max_node_count
            .max(self.policy.max_node_count);
        let call = match write {
            Write::Autoscale(settings) => api::set_autoscale(key, nodegroup, settings, max),
            Write::Resize(spec) => api::resize(key, spec, max),
            Write::Upkeep(call) => Ok(call.clone()),
        };
        match send(client, share, call).await {
            None => Err(deferral(format!(
                "the subrequest budget ({}) ran out; the next tick applies this",
                share.limit()
            ))),
            Some(Ok(_)) => Ok(Outcome::Applied),
            Some(Err(e)) if write.is_long() && answer_lost(&e) => {
                // Re-read: a cluster now busy took the request.
                match send(client, share, api::get_cluster_state(key)).await {
                    Some(Ok(now))
                        if now.status.as_ref().is_some_and(|s| !s.is_complete())
                            && now.status != cluster.status =>
                    {
                        Ok(Outcome::Applied)
                    }
                    _ => Err(Failure::from(&e)),
                }
            }
            Some(Err(e)) => Err(Failure::from(&e)),
        }
    }
}

fn state(
    cluster: &str,
    m: &Maintenance,
    step: &'static str,
    nodegroup: Option<String>,
    detail: Option<String>,
) -> MaintenanceState {
    MaintenanceState {
        cluster: cluster.to_owned(),
        maintenance: m.name.clone(),
        step,
        nodegroup,
        detail,
    }
}
