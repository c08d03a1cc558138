//! Plan and apply: for each (cluster, node group) the first matching rule gives the
//! desired state; the actual state is read (one read per cluster, one per node group);
//! only differences become writes, applied with bounded concurrency and a subrequest
//! budget. Level-triggered: a missed or failed tick heals on the next one.

use super::clock::Zones;
use super::limited::run_limited;
use super::policy::{AutoscaleGoal, Policy, Target};
use crate::error::{Error, ErrorKind};
use crate::model::{Autoscale, Resize, Status};
use crate::transport::Transport;
use crate::NksClient;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::cell::Cell;

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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dry_run: false,
            budget: 50,
            concurrency: 6,
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
    /// Not sent: the subrequest budget ran out, or the cluster had a resize already.
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
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        Failure {
            kind: FailureKind::Api(e.kind),
            status: e.status,
            message: e.message.clone(),
        }
    }
}

/// A write the plan calls for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Action {
    /// The cluster.
    pub cluster: String,
    /// The node group.
    pub nodegroup: String,
    /// The deciding rule.
    pub rule: String,
    /// `set_autoscale` or `resize`.
    pub action: &'static str,
    /// The managed settings as they are.
    pub from: Value,
    /// The managed settings as the rule wants them.
    pub to: Value,
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
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// Subrequests this run made.
    pub subrequests: u64,
}

impl Report {
    /// The report as JSON lines: a summary, then one line per action, skip and error.
    pub fn json_lines(&self) -> Vec<String> {
        let count = |o: Outcome| self.actions.iter().filter(|a| a.result == o).count();
        let mut lines = vec![json!({
            "event": "reconcile", "at": self.at, "dry_run": self.dry_run,
            "planned": count(Outcome::Planned), "applied": count(Outcome::Applied),
            "failed": count(Outcome::Failed), "deferred": count(Outcome::Deferred) + self.deferred.len(),
            "unchanged": self.unchanged.len(), "skipped": self.skipped.len(),
            "errors": self.errors.len(), "subrequests": self.subrequests,
        })
        .to_string()];
        let tagged = |event: &str, v: Value| {
            let mut v = v;
            if let Some(map) = v.as_object_mut() {
                map.insert("event".into(), json!(event));
            }
            v.to_string()
        };
        lines.extend(self.actions.iter().map(|a| tagged("action", json!(a))));
        lines.extend(self.skipped.iter().map(|s| tagged("skipped", json!(s))));
        lines.extend(self.deferred.iter().map(|d| tagged("deferred", json!(d))));
        lines.extend(self.errors.iter().map(|e| tagged("error", json!(e))));
        lines
    }
}

/// One (cluster, node group) and the rule that decides it now.
struct Decision<'p> {
    cluster: &'p str,
    nodegroup: &'p str,
    rule: &'p str,
    target: &'p Target,
}

/// One read of the read round.
enum Read<'d, 'p> {
    Cluster(&'p str),
    Group(&'d Decision<'p>),
}

/// What a read gave.
enum Got {
    /// A cluster's status.
    Status(Option<Status>),
    /// A node group's autoscaler settings.
    Settings(Autoscale),
    /// A node group's size, and whether its autoscaler is on (`node_count` rules).
    Size {
        node_count: Option<u32>,
        autoscaler_on: bool,
    },
}

/// One read, if the budget allows it.
async fn read<T: Transport>(
    client: &NksClient<T>,
    budget: &Budget<'_, T>,
    what: &Read<'_, '_>,
) -> Option<Result<Got, Error>> {
    if !budget.take() {
        return None;
    }
    Some(match what {
        Read::Cluster(cluster) => client
            .get_cluster(cluster)
            .await
            .map(|c| Got::Status(c.status)),
        Read::Group(d) => match d.target {
            Target::Autoscale(_) => client
                .get_autoscale(d.cluster, d.nodegroup)
                .await
                .map(Got::Settings),
            Target::NodeCount(_) => {
                client
                    .get_nodegroup(d.cluster, d.nodegroup)
                    .await
                    .map(|g| Got::Size {
                        node_count: g.node_count,
                        autoscaler_on: g.labels.and_then(|l| l.ca_enable) == Some(true),
                    })
            }
        },
    })
}

/// Subrequests: a call may start while the larger of the calls started and the
/// requests sent (retries and Identity included) is below the budget.
struct Budget<'c, T> {
    client: &'c NksClient<T>,
    start: u64,
    started: Cell<u64>,
    limit: u64,
}

impl<T: Transport> Budget<'_, T> {
    fn used(&self) -> u64 {
        self.client.requests_sent() - self.start
    }

    fn take(&self) -> bool {
        let ok = self.started.get().max(self.used()) < self.limit;
        if ok {
            self.started.set(self.started.get() + 1);
        }
        ok
    }
}

/// The decisions at `at_ms`: for each target, the first rule that matches.
fn decide<'p>(
    policy: &'p Policy,
    zones: &impl Zones,
    at_ms: i64,
    errors: &mut Vec<Problem>,
) -> Vec<Decision<'p>> {
    let mut decisions = Vec::new();
    for (cluster, nodegroup) in policy.targets() {
        match policy.rule_at(cluster, nodegroup, zones, at_ms) {
            Ok(Some(rule)) => decisions.push(Decision {
                cluster,
                nodegroup,
                rule: &rule.name,
                target: &rule.target,
            }),
            Ok(None) => {}
            Err(message) => errors.push(Problem {
                cluster: cluster.to_owned(),
                nodegroup: Some(nodegroup.to_owned()),
                rule: None,
                error: Failure {
                    kind: FailureKind::Plan,
                    status: 0,
                    message,
                },
            }),
        }
    }
    decisions
}

/// The managed settings as they are (`from`) and as wanted (`to`), and whether any differs.
#[derive(Default)]
struct Diff {
    from: Map<String, Value>,
    to: Map<String, Value>,
    changed: bool,
}

impl Diff {
    /// Compares one setting the rule manages; a difference goes into `slot` (the request).
    fn field<V: Copy + PartialEq + Serialize>(
        &mut self,
        name: &str,
        want: Option<V>,
        have: Option<V>,
        slot: &mut Option<V>,
    ) {
        let Some(want) = want else { return };
        self.from.insert(name.into(), json!(have));
        self.to.insert(name.into(), json!(want));
        if have != Some(want) {
            *slot = Some(want);
            self.changed = true;
        }
    }
}

/// The change a goal asks of the actual settings: `from`, `to`, and the request that
/// sends `ca_enable` (the API requires it) and the settings that differ.
fn autoscale_change(
    goal: &AutoscaleGoal,
    actual: &Autoscale,
) -> Result<Option<(Value, Value, Autoscale)>, String> {
    let mut request = Autoscale {
        ca_enable: goal.enable.unwrap_or(actual.ca_enable),
        ..Autoscale::default()
    };
    let mut diff = Diff::default();
    let mut enable = None; // sent in any case, as `request.ca_enable`
    diff.field("enable", goal.enable, Some(actual.ca_enable), &mut enable);
    diff.field(
        "min",
        goal.min,
        actual.ca_min_node_count,
        &mut request.ca_min_node_count,
    );
    diff.field(
        "max",
        goal.max,
        actual.ca_max_node_count,
        &mut request.ca_max_node_count,
    );
    diff.field(
        "scale_down_enable",
        goal.scale_down_enable,
        actual.ca_scale_down_enable,
        &mut request.ca_scale_down_enable,
    );
    diff.field(
        "scale_down_unneeded_time",
        goal.scale_down_unneeded_time,
        actual.ca_scale_down_unneeded_time,
        &mut request.ca_scale_down_unneeded_time,
    );
    diff.field(
        "scale_down_util_thresh",
        goal.scale_down_util_thresh,
        actual.ca_scale_down_util_thresh,
        &mut request.ca_scale_down_util_thresh,
    );
    diff.field(
        "scale_down_delay_after_add",
        goal.scale_down_delay_after_add,
        actual.ca_scale_down_delay_after_add,
        &mut request.ca_scale_down_delay_after_add,
    );
    let min = request.ca_min_node_count.or(actual.ca_min_node_count);
    let max = request.ca_max_node_count.or(actual.ca_max_node_count);
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            return Err(format!(
                "the rule would set min {lo} above max {hi}; give both min and max"
            ));
        }
    }
    Ok(diff
        .changed
        .then_some((Value::Object(diff.from), Value::Object(diff.to), request)))
}

/// Plans (and unless `options.dry_run`, applies) the policy at `at_ms`.
pub async fn reconcile<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
) -> Report {
    run(client, policy, zones, at_ms, options, !options.dry_run).await
}

/// The plan at `at_ms`: reads only, nothing applied.
pub async fn plan<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
) -> Report {
    run(client, policy, zones, at_ms, options, false).await
}

async fn run<T: Transport>(
    client: &NksClient<T>,
    policy: &Policy,
    zones: &impl Zones,
    at_ms: i64,
    options: &Options,
    apply: bool,
) -> Report {
    let budget = Budget {
        client,
        start: client.requests_sent(),
        started: Cell::new(0),
        limit: options.budget,
    };
    let mut report = Report {
        at: zones
            .local(&policy.timezone, at_ms)
            .map(|t| t.rfc3339(at_ms))
            .unwrap_or_default(),
        dry_run: options.dry_run,
        actions: Vec::new(),
        unchanged: Vec::new(),
        skipped: Vec::new(),
        deferred: Vec::new(),
        errors: Vec::new(),
        subrequests: 0,
    };
    let decisions = decide(policy, zones, at_ms, &mut report.errors);

    // One read round: each cluster once, each node group once, all in flight together.
    let mut clusters: Vec<&str> = Vec::new();
    for d in &decisions {
        if !clusters.contains(&d.cluster) {
            clusters.push(d.cluster);
        }
    }
    let reads: Vec<Read<'_, '_>> = clusters
        .iter()
        .map(|c| Read::Cluster(c))
        .chain(decisions.iter().map(Read::Group))
        .collect();
    let jobs = reads.iter().map(|r| read(client, &budget, r)).collect();
    let mut cluster_results = run_limited(jobs, options.concurrency).await;
    let group_results = cluster_results.split_off(clusters.len());

    let mut ready: Vec<&str> = Vec::new();
    let mut unread: Vec<&str> = Vec::new();
    for (name, result) in clusters.iter().zip(cluster_results) {
        match result {
            None => unread.push(name),
            Some(Ok(Got::Status(Some(status)))) if !status.is_complete() => {
                report.skipped.push(Skipped {
                    cluster: (*name).to_owned(),
                    reason: format!("cluster status {status}"),
                })
            }
            Some(Ok(_)) => ready.push(name),
            Some(Err(e)) => report.errors.push(Problem {
                cluster: (*name).to_owned(),
                nodegroup: None,
                rule: None,
                error: Failure::from(&e),
            }),
        }
    }

    let mut writes: Vec<(usize, WriteCall)> = Vec::new();
    for (d, actual) in decisions.iter().zip(group_results) {
        let who = Unchanged {
            cluster: d.cluster.into(),
            nodegroup: d.nodegroup.into(),
            rule: d.rule.into(),
        };
        let problem = |message: String| Problem {
            cluster: who.cluster.clone(),
            nodegroup: Some(who.nodegroup.clone()),
            rule: Some(who.rule.clone()),
            error: Failure {
                kind: FailureKind::Plan,
                status: 0,
                message,
            },
        };
        let actual = match actual {
            _ if unread.contains(&d.cluster) => {
                report.deferred.push(who);
                continue;
            }
            _ if !ready.contains(&d.cluster) => continue, // skipped or failed: reported above
            None => {
                report.deferred.push(who);
                continue;
            }
            Some(Err(e)) => {
                report.errors.push(Problem {
                    error: Failure::from(&e),
                    ..problem(String::new())
                });
                continue;
            }
            Some(Ok(actual)) => actual,
        };
        let change = match (d.target, actual) {
            (Target::Autoscale(goal), Got::Settings(settings)) => {
                match autoscale_change(goal, &settings) {
                    Ok(change) => change.map(|(from, to, request)| {
                        ("set_autoscale", from, to, WriteCall::Autoscale(request))
                    }),
                    Err(why) => {
                        report.errors.push(problem(why));
                        continue;
                    }
                }
            }
            (
                Target::NodeCount(want),
                Got::Size {
                    node_count: have,
                    autoscaler_on,
                },
            ) => {
                if autoscaler_on {
                    report.errors.push(problem(
                        "node_count needs the autoscaler off (the API refuses resize while it is on); set autoscale min/max instead".into(),
                    ));
                    continue;
                }
                (have != Some(*want)).then(|| {
                    (
                        "resize",
                        json!({"node_count": have}),
                        json!({"node_count": want}),
                        WriteCall::Resize(Resize::new(d.nodegroup, *want)),
                    )
                })
            }
            _ => None,
        };
        match change {
            None => report.unchanged.push(who),
            Some((action, from, to, call)) => {
                writes.push((report.actions.len(), call));
                report.actions.push(Action {
                    cluster: who.cluster,
                    nodegroup: who.nodegroup,
                    rule: who.rule,
                    action,
                    from,
                    to,
                    result: Outcome::Planned,
                    error: None,
                });
            }
        }
    }

    if apply {
        apply_writes(
            client,
            &budget,
            &mut report.actions,
            writes,
            options.concurrency,
        )
        .await;
    }
    report.subrequests = budget.used();
    report
}

enum WriteCall {
    Autoscale(Autoscale),
    Resize(Resize),
}

/// Autoscaler changes first; then resizes, one per cluster (a resize keeps its cluster
/// busy, and the API refuses updates to a busy cluster: the next tick does the rest).
async fn apply_writes<T: Transport>(
    client: &NksClient<T>,
    budget: &Budget<'_, T>,
    actions: &mut [Action],
    writes: Vec<(usize, WriteCall)>,
    concurrency: usize,
) {
    let (autoscale, resizes): (Vec<_>, Vec<_>) = writes
        .into_iter()
        .partition(|(_, w)| matches!(w, WriteCall::Autoscale(_)));
    let mut resized: Vec<String> = Vec::new();
    let mut second = Vec::new();
    for (i, call) in resizes {
        let cluster = actions
            .get(i)
            .map(|a| a.cluster.clone())
            .unwrap_or_default();
        if resized.contains(&cluster) {
            if let Some(a) = actions.get_mut(i) {
                a.result = Outcome::Deferred;
                a.error = Some(Failure {
                    kind: FailureKind::Deferred,
                    status: 0,
                    message:
                        "another resize of this cluster goes first; the next tick applies this one"
                            .into(),
                });
            }
        } else {
            resized.push(cluster);
            second.push((i, call));
        }
    }
    for round in [autoscale, second] {
        let targets: Vec<(String, String)> = round
            .iter()
            .map(|(i, _)| {
                actions
                    .get(*i)
                    .map(|a| (a.cluster.clone(), a.nodegroup.clone()))
                    .unwrap_or_default()
            })
            .collect();
        let jobs = round
            .iter()
            .zip(&targets)
            .map(|((_, call), (cluster, nodegroup))| async move {
                if !budget.take() {
                    return None;
                }
                Some(match call {
                    WriteCall::Autoscale(settings) => {
                        client.set_autoscale(cluster, nodegroup, settings).await
                    }
                    WriteCall::Resize(spec) => client.resize(cluster, spec).await,
                })
            });
        let results = run_limited(jobs.collect(), concurrency).await;
        for ((i, _), result) in round.iter().zip(results) {
            if let Some(a) = actions.get_mut(*i) {
                match result {
                    None => {
                        a.result = Outcome::Deferred;
                        a.error = Some(Failure {
                            kind: FailureKind::Deferred,
                            status: 0,
                            message: format!(
                                "the subrequest budget ({}) ran out; the next tick applies this",
                                budget.limit
                            ),
                        });
                    }
                    Some(Ok(_)) => a.result = Outcome::Applied,
                    Some(Err(e)) => {
                        a.result = Outcome::Failed;
                        a.error = Some(Failure::from(&e));
                    }
                }
            }
        }
    }
}
