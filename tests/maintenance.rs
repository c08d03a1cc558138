//! Maintenance windows, autoscaler ↔ fixed-size transitions, budget units and
//! rotation, against a small stateful fake of the API (a recording transport): what
//! each tick sends, in which order, and what it reports.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{at, block_on, policy, token_client, JiffZones};
use nks_edge::schedule::{reconcile, reconcile_clusters, Options, Report, StatusOptions};
use nks_edge::transport::{HttpRequest, HttpResponse, Method, Replay, TransportError};
use nks_edge::NksClient;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone)]
struct Group {
    name: String,
    version: String,
    status: String,
    ca_enable: bool,
    min: u32,
    max: u32,
    nodes: u32,
    /// A version it moves to when settled.
    pending: Option<String>,
}

#[derive(Clone)]
struct Cluster {
    name: String,
    uuid: String,
    status: String,
    master: Group,
    groups: Vec<Group>,
    cert_expiry: String,
    renew: Option<u32>,
}

#[derive(Default)]
struct Fleet {
    clusters: Vec<Cluster>,
    /// The next operation that settles fails.
    fail_next: bool,
    /// Answers lost (the request applied, the answer never came) for these paths.
    lose: Vec<String>,
    /// A 503 (nothing applied) once for each of these `METHOD path`s.
    unavailable: Vec<String>,
}

fn group(name: &str, version: &str, ca_enable: bool) -> Group {
    Group {
        name: name.into(),
        version: version.into(),
        status: "CREATE_COMPLETE".into(),
        ca_enable,
        min: 1,
        max: 3,
        nodes: 2,
        pending: None,
    }
}

fn cluster(name: &str, version: &str, workers: &[&str]) -> Cluster {
    Cluster {
        name: name.into(),
        uuid: format!("{name}-0000-uuid"),
        status: "CREATE_COMPLETE".into(),
        master: group("default-master", version, false),
        groups: workers.iter().map(|w| group(w, version, false)).collect(),
        cert_expiry: "2031-01-01T00:00:00+00:00".into(),
        renew: None,
    }
}

impl Fleet {
    fn find(&mut self, key: &str) -> Option<&mut Cluster> {
        self.clusters
            .iter_mut()
            .find(|c| c.name == key || c.uuid == key)
    }

    /// Every running operation completes (or fails, once, when `fail_next`).
    fn settle(&mut self) {
        let fail = std::mem::take(&mut self.fail_next);
        for c in &mut self.clusters {
            if !c.status.ends_with("IN_PROGRESS") {
                continue;
            }
            let mut failed = false;
            for g in std::iter::once(&mut c.master).chain(c.groups.iter_mut()) {
                if g.status.ends_with("IN_PROGRESS") {
                    if fail {
                        g.status = "UPDATE_FAILED".into();
                        failed = true;
                    } else {
                        g.status = "UPDATE_COMPLETE".into();
                        if let Some(v) = g.pending.take() {
                            g.version = v;
                        }
                    }
                }
            }
            if let Some(years) = c.renew.take() {
                c.cert_expiry = format!("{}-11-26T00:00:00+00:00", 2026 + years);
            }
            c.status = if failed {
                "UPDATE_FAILED".into()
            } else {
                "UPDATE_COMPLETE".into()
            };
        }
    }

    fn answer(&mut self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = req.url.trim_start_matches(common::ENDPOINT).to_owned();
        let body: Value = req
            .body
            .as_deref()
            .map(|b| serde_json::from_str(b).unwrap())
            .unwrap_or(Value::Null);
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let key = format!("{} {path}", req.method.as_str());
        if self.unavailable.contains(&key) {
            self.unavailable.retain(|p| *p != key);
            return Ok(HttpResponse::json(503, "{}"));
        }
        let lost = self.lose.contains(&path);
        let reply = match (req.method, parts.as_slice()) {
            (Method::Get, ["v1", "supports"]) => json!({"supported_k8s": {
                "v1.27.3": true, "v1.28.3": true, "v1.28.9": true, "v1.29.3": true, "v1.30.3": false
            }, "supported_event_type": {}}),
            (Method::Get, ["v1", "clusters", c]) => match self.find(c) {
                Some(c) => json!({"uuid": c.uuid, "name": c.name, "status": c.status,
                    "labels": {"kube_tag": c.master.version, "certificate_expiry": c.cert_expiry}}),
                None => return Ok(HttpResponse::json(404, "{}")),
            },
            (Method::Get, ["v1", "clusters", c, "nodegroups"]) => {
                let c = self.find(c).unwrap();
                json!({"nodegroups": c.groups.iter().map(|g| json!({"uuid": g.name, "name": g.name, "role": "worker"})).collect::<Vec<_>>()})
            }
            (Method::Get, ["v1", "clusters", c, "nodegroups", g]) => {
                let c = self.find(c).unwrap();
                let g = c.groups.iter().find(|x| x.name == *g).unwrap();
                json!({"uuid": g.name, "name": g.name, "status": g.status, "node_count": g.nodes,
                    "labels": {"kube_tag": g.version, "ca_enable": if g.ca_enable { "True" } else { "False" }}})
            }
            (Method::Get, ["v1", "clusters", c, "nodegroups", g, "autoscale"]) => {
                let c = self.find(c).unwrap();
                let g = c.groups.iter().find(|x| x.name == *g).unwrap();
                json!({"ca_enable": g.ca_enable, "ca_min_node_count": g.min, "ca_max_node_count": g.max})
            }
            (Method::Post, ["v1", "clusters", c, "nodegroups", g, "autoscale"]) => {
                let c = self.find(c).unwrap();
                let g = c.groups.iter_mut().find(|x| x.name == *g).unwrap();
                g.ca_enable = body["ca_enable"].as_bool().unwrap();
                if let Some(n) = body["ca_min_node_count"].as_u64() {
                    g.min = n as u32;
                }
                if let Some(n) = body["ca_max_node_count"].as_u64() {
                    g.max = n as u32;
                }
                json!({"uuid": g.name})
            }
            (Method::Post, ["v1", "clusters", c, "actions", "resize"]) => {
                let c = self.find(c).unwrap();
                assert!(c.status.ends_with("_COMPLETE"), "resize of a busy cluster");
                let name = body["nodegroup"].as_str().unwrap();
                let g = c.groups.iter_mut().find(|x| x.name == name).unwrap();
                assert!(!g.ca_enable, "resize with the autoscaler on");
                g.nodes = body["node_count"].as_u64().unwrap() as u32;
                g.status = "UPDATE_IN_PROGRESS".into();
                c.status = "UPDATE_IN_PROGRESS".into();
                json!({"uuid": c.uuid})
            }
            (Method::Post, ["v1", "clusters", c, "nodegroups", g, "upgrade"]) => {
                let c = self.find(c).unwrap();
                assert!(c.status.ends_with("_COMPLETE"), "upgrade of a busy cluster");
                let version = body["version"].as_str().unwrap().to_owned();
                if *g == "default-master" {
                    // As the API: the control plane moves only when every worker
                    // group is at its version.
                    assert!(
                        c.groups.iter().all(|w| w.version == c.master.version),
                        "control plane upgraded ahead of its workers"
                    );
                }
                let g = if *g == "default-master" {
                    &mut c.master
                } else {
                    c.groups.iter_mut().find(|x| x.name == *g).unwrap()
                };
                g.pending = Some(version);
                g.status = "UPDATE_IN_PROGRESS".into();
                c.status = "UPDATE_IN_PROGRESS".into();
                json!({"uuid": g.name})
            }
            (Method::Patch, ["v1", "certificates", c]) => {
                let c = self.find(c).unwrap();
                assert!(c.status.ends_with("_COMPLETE"), "renewal of a busy cluster");
                c.renew = Some(body["term_of_validity"].as_u64().unwrap() as u32);
                c.status = "UPDATE_IN_PROGRESS".into();
                json!({"uuid": c.uuid})
            }
            _ => return Ok(HttpResponse::json(404, "{}")),
        };
        if lost {
            self.lose.retain(|p| *p != path);
            return Err(TransportError::Network("connection reset".into()));
        }
        Ok(HttpResponse::json(200, reply.to_string()))
    }
}

struct Rig {
    fleet: Rc<RefCell<Fleet>>,
    client: NksClient<Replay>,
}

fn rig(clusters: Vec<Cluster>) -> Rig {
    let fleet = Rc::new(RefCell::new(Fleet {
        clusters,
        ..Fleet::default()
    }));
    let state = Rc::clone(&fleet);
    let client = token_client(Replay::new(0, move |req: &HttpRequest| {
        state.borrow_mut().answer(req)
    }));
    Rig { fleet, client }
}

impl Rig {
    fn sent(&self) -> usize {
        self.client.transport().requests().len()
    }

    /// One tick at `when`: the report and the writes it sent (`METHOD path`).
    fn tick(&self, policy_json: &Value, when: &str, options: &Options) -> (Report, Vec<String>) {
        let before = self.sent();
        let report = block_on(reconcile(
            &self.client,
            &policy(policy_json.clone()),
            &JiffZones,
            at(when),
            options,
        ));
        let writes = self.client.transport().requests()[before..]
            .iter()
            .filter(|r| r.method != Method::Get)
            .map(|r| {
                format!(
                    "{} {}",
                    r.method.as_str(),
                    r.url.trim_start_matches(common::ENDPOINT)
                )
            })
            .collect();
        (report, writes)
    }
}

fn upgrade_policy() -> Value {
    json!({"timezone": "Asia/Seoul", "maintenance": [{
        "name": "sat-night", "cluster": "prod",
        "when": {"days": "Sat", "from": "02:00", "to": "06:00"},
        "kube_version": "v1.29.3",
        "upgrade": {"num_buffer_nodes": 1, "num_max_unavailable_nodes": 1}
    }]})
}

/// Saturday 2026-11-28 at `hh:mm` in Seoul.
fn saturday(hm: &str) -> String {
    format!("2026-11-28T{hm}:00+09:00")
}

#[test]
fn a_rolling_upgrade_goes_control_plane_first_then_each_worker_one_minor_at_a_time_per_round() {
    let rig = rig(vec![cluster(
        "prod",
        "v1.27.3",
        &["default-worker", "batch"],
    )]);
    let p = upgrade_policy();
    let o = Options::default();

    // Outside the window: nothing starts.
    let (report, writes) = rig.tick(&p, "2026-11-27T03:00:00+09:00", &o);
    assert!(writes.is_empty(), "{writes:?}");
    assert!(report.maintenance.is_empty());

    let mut log = Vec::new();
    let mut minute = 0;
    loop {
        let when = saturday(&format!("02:{minute:02}"));
        let (report, writes) = rig.tick(&p, &when, &o);
        assert!(
            writes.len() <= 1,
            "two long operations in one tick: {writes:?}"
        );
        let again = rig.tick(&p, &when, &o).1;
        assert!(again.is_empty(), "a running step started again: {again:?}");
        log.extend(writes);
        if report.maintenance.iter().any(|m| m.step == "done") {
            break;
        }
        rig.fleet.borrow_mut().settle();
        minute += 5;
        assert!(minute < 60, "no end: {log:?}");
    }
    assert_eq!(
        log,
        [
            "POST /v1/clusters/prod/nodegroups/default-master/upgrade",
            "POST /v1/clusters/prod/nodegroups/default-worker/upgrade",
            "POST /v1/clusters/prod/nodegroups/batch/upgrade",
            "POST /v1/clusters/prod/nodegroups/default-master/upgrade",
            "POST /v1/clusters/prod/nodegroups/default-worker/upgrade",
            "POST /v1/clusters/prod/nodegroups/batch/upgrade",
        ]
    );
    let bodies: Vec<Value> = rig
        .client
        .transport()
        .requests()
        .iter()
        .filter(|r| r.url.ends_with("/upgrade"))
        .map(|r| serde_json::from_str(r.body.as_deref().unwrap()).unwrap())
        .collect();
    // One minor at a time (the newest patch of the next minor), the workers brought
    // to the control plane's version before it moves again; options on workers only.
    assert_eq!(bodies[0], json!({"version": "v1.28.9"}));
    assert_eq!(
        bodies[1],
        json!({"version": "v1.28.9", "num_buffer_nodes": 1, "num_max_unavailable_nodes": 1})
    );
    assert_eq!(bodies[3], json!({"version": "v1.29.3"}));
    let fleet = rig.fleet.borrow();
    let c = &fleet.clusters[0];
    assert!(std::iter::once(&c.master)
        .chain(&c.groups)
        .all(|g| g.version == "v1.29.3"));
}

#[test]
fn a_running_step_is_in_progress_a_missed_tick_resumes_and_a_failed_step_stops() {
    let rig = rig(vec![cluster(
        "prod",
        "v1.28.3",
        &["default-worker", "batch"],
    )]);
    let p = upgrade_policy();
    let o = Options::default();
    let (report, writes) = rig.tick(&p, &saturday("02:00"), &o);
    assert_eq!(
        writes,
        ["POST /v1/clusters/prod/nodegroups/default-master/upgrade"]
    );
    assert_eq!(
        (json!(report.actions[0].from), json!(report.actions[0].to)),
        (json!({"version": "v1.28.3"}), json!({"version": "v1.29.3"}))
    );
    // Still running: reported, not started again.
    let (report, writes) = rig.tick(&p, &saturday("02:05"), &o);
    assert!(writes.is_empty());
    assert_eq!(report.maintenance[0].step, "in_progress");
    rig.fleet.borrow_mut().settle();
    // Ticks missed until 04:00 (and a week later nothing is left of the window's work
    // but the rest): the next tick in the window resumes where it stands.
    let (report, writes) = rig.tick(&p, &saturday("04:00"), &o);
    assert_eq!(
        writes,
        ["POST /v1/clusters/prod/nodegroups/default-worker/upgrade"]
    );
    assert_eq!(report.maintenance[0].step, "nodegroup");
    // That step fails: maintenance stops, reported on every tick, nothing sent.
    rig.fleet.borrow_mut().fail_next = true;
    rig.fleet.borrow_mut().settle();
    for hm in ["04:05", "04:10"] {
        let (report, writes) = rig.tick(&p, &saturday(hm), &o);
        assert!(writes.is_empty(), "{writes:?}");
        assert_eq!(report.maintenance[0].step, "stopped");
        assert!(report.skipped[0].reason.contains("UPDATE_FAILED"));
        // An error, as for a failed node group: the CLI exits 1, the tick logs it.
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].rule.as_deref(), Some("sat-night"));
        assert_eq!(
            report.errors[0].error.message,
            "the cluster is UPDATE_FAILED: its maintenance stops until it is fixed"
        );
    }
}

#[test]
fn a_version_the_service_does_not_offer_is_an_error_not_a_call() {
    let rig = rig(vec![cluster("prod", "v1.29.3", &["default-worker"])]);
    let mut p = upgrade_policy();
    p["maintenance"][0]["kube_version"] = json!("v1.30.3");
    let (report, writes) = rig.tick(&p, &saturday("02:00"), &Options::default());
    assert!(writes.is_empty());
    assert_eq!(report.maintenance[0].step, "stopped");
    assert_eq!(
        report.errors[0].error.message,
        "kube_version v1.30.3 is not offered by the service (GET /v1/supports)"
    );
}

#[test]
fn certificates_are_renewed_near_expiry_once_and_not_otherwise() {
    let mut near = cluster("prod", "v1.29.3", &["default-worker"]);
    near.cert_expiry = "2026-12-10T00:00:00+00:00".into();
    let far = cluster("dev", "v1.29.3", &["default-worker"]);
    let rig = rig(vec![near, far]);
    let p = json!({"timezone": "Asia/Seoul", "maintenance": [{
        "name": "certs", "cluster": ["prod", "dev"],
        "when": {"days": "Sat", "from": "02:00", "to": "06:00"},
        "renew_certificates": {"days_before_expiry": 30, "term_of_validity": 2}
    }]});
    let o = Options::default();
    let (report, writes) = rig.tick(&p, &saturday("02:00"), &o);
    assert_eq!(writes, ["PATCH /v1/certificates/prod"]);
    let renew = &report.actions[0];
    assert_eq!(
        (renew.action, json!(renew.to)),
        ("renew_certificates", json!({"term_of_validity": 2}))
    );
    let body = rig
        .client
        .transport()
        .requests()
        .into_iter()
        .find(|r| r.method == Method::Patch)
        .unwrap();
    assert_eq!(body.body.as_deref(), Some(r#"{"term_of_validity":2}"#));
    assert!(
        rig.tick(&p, &saturday("02:05"), &o).1.is_empty(),
        "renewed twice"
    );
    rig.fleet.borrow_mut().settle();
    let (report, writes) = rig.tick(&p, &saturday("02:10"), &o);
    assert!(writes.is_empty(), "renewed twice: {writes:?}");
    assert!(report.maintenance.iter().all(|m| m.step == "done"));
}

#[test]
fn a_lost_answer_to_a_long_operation_is_read_again_not_guessed() {
    let rig = rig(vec![cluster("prod", "v1.28.3", &["default-worker"])]);
    rig.fleet
        .borrow_mut()
        .lose
        .push("/v1/clusters/prod/nodegroups/default-master/upgrade".into());
    let (report, writes) = rig.tick(&upgrade_policy(), &saturday("02:00"), &Options::default());
    // Sent once (an upgrade is not idempotent), then the cluster was read: it is busy.
    assert_eq!(
        writes,
        ["POST /v1/clusters/prod/nodegroups/default-master/upgrade"]
    );
    assert_eq!(json!(report.actions[0].result), "applied");
}

/// The README's example policy (CONTRACT section 3).
fn readme_policy() -> Value {
    json!({
      "timezone": "Asia/Seoul",
      "rules": [
        { "name": "holidays", "cluster": "prod", "nodegroup": "default-worker",
          "when": { "dates": ["2026-12-25", "2027-01-01..2027-01-02"] },
          "autoscale": { "min": 1, "max": 2 } },
        { "name": "business-hours", "cluster": "prod", "nodegroup": ["default-worker", "batch"],
          "when": { "days": "Mon-Fri", "from": "08:30", "to": "19:00" },
          "autoscale": { "enable": true, "min": 3, "max": 10 } },
        { "name": "night-batch", "cluster": "prod", "nodegroup": "batch",
          "when": { "from": "22:00", "to": "06:00" }, "node_count": 4 },
        { "name": "off-hours", "cluster": "prod", "nodegroup": ["default-worker", "batch"],
          "autoscale": { "min": 1, "max": 3 } }
      ]
    })
}

#[test]
fn the_readme_policy_moves_batch_from_autoscaler_to_fixed_size_and_back_over_a_day() {
    let rig = rig(vec![cluster(
        "prod",
        "v1.29.3",
        &["default-worker", "batch"],
    )]);
    for g in &mut rig.fleet.borrow_mut().clusters[0].groups {
        g.ca_enable = true;
    }
    let p = readme_policy();
    let o = Options::default();
    let mut steps: Vec<(String, String)> = Vec::new();
    // Thursday 2026-11-26, every 30 minutes from 21:00 to Friday 10:00.
    let start = at("2026-11-26T21:00:00+09:00");
    for k in 0..27 {
        let when_ms = start + k * 30 * 60_000;
        let before = rig.sent();
        let report = block_on(reconcile(
            &rig.client,
            &policy(p.clone()),
            &JiffZones,
            when_ms,
            &o,
        ));
        let sent = &rig.client.transport().requests()[before..];
        // Never both steps in one tick for one node group.
        let batch_writes = sent
            .iter()
            .filter(|r| {
                r.method == Method::Post
                    && (r.url.contains("/batch/")
                        || r.body.as_deref().unwrap_or("").contains("\"batch\""))
            })
            .count();
        assert!(
            batch_writes <= 1,
            "two writes for batch in one tick at {}",
            report.at
        );
        for a in report
            .actions
            .iter()
            .filter(|a| a.nodegroup == "batch" && json!(a.result) == "applied")
        {
            steps.push((report.at.clone(), a.step.unwrap_or(a.action).to_owned()));
        }
        rig.fleet.borrow_mut().settle();
    }
    // Converged: reconciling again sends nothing.
    let (_, writes) = rig.tick(&p, "2026-11-27T10:00:00+09:00", &o);
    assert!(writes.is_empty(), "{writes:?}");
    let names: Vec<&str> = steps.iter().map(|(_, s)| s.as_str()).collect();
    // 22:00 night-batch turns the autoscaler off; 22:30 it resizes to 4; at 06:00
    // off-hours' bounds already hold; 08:30 business-hours turns the autoscaler on.
    assert_eq!(
        names,
        ["autoscaler_off", "resize", "autoscaler_on"],
        "{steps:?}"
    );
    assert_eq!(steps[0].0, "2026-11-26T22:00:00+09:00");
    assert_eq!(steps[1].0, "2026-11-26T22:30:00+09:00");
    assert_eq!(steps[2].0, "2026-11-27T08:30:00+09:00");
    let fleet = rig.fleet.borrow();
    let batch = &fleet.clusters[0].groups[1];
    assert!(batch.ca_enable);
    assert_eq!((batch.min, batch.max), (3, 10));
}

/// Ten clusters `c0`…`c9` of two node groups, each with a rule that changes both: a
/// unit costs 1 + 2×2 = 5 subrequests.
fn ten_clusters() -> (Vec<String>, Rig, Value) {
    let names: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    let rig = rig(names
        .iter()
        .map(|n| cluster(n, "v1.29.3", &["a", "b"]))
        .collect());
    let p = json!({"timezone": "UTC", "rules": names.iter().map(|n| json!({
        "cluster": n, "nodegroup": ["a", "b"], "autoscale": {"min": 2, "max": 5}
    })).collect::<Vec<_>>()});
    (names, rig, p)
}

#[test]
fn units_rotate_so_every_cluster_is_reached_within_the_bound_and_none_is_half_applied() {
    let (_, rig, p) = ten_clusters();
    // A unit costs 1 + 2×2 = 5: a budget of 12 serves two clusters per tick.
    let o = Options {
        budget: 12,
        tick_ms: 60_000,
        ..Options::default()
    };
    let mut reached: Vec<String> = Vec::new();
    for t in 0..5 {
        let (report, _) = rig.tick(&p, &format!("2026-11-26T10:{t:02}:00Z"), &o);
        assert!(report.subrequests <= 12);
        let mut touched: Vec<String> = report
            .actions
            .iter()
            .map(|a| a.cluster.clone())
            .chain(report.unchanged.iter().map(|u| u.cluster.clone()))
            .collect();
        touched.dedup();
        assert_eq!(touched.len(), 2, "tick {t}: {touched:?}");
        // Whole units: both groups of a served cluster written, none of a waiting one.
        for c in &touched {
            assert_eq!(
                report
                    .actions
                    .iter()
                    .filter(|a| &a.cluster == c && json!(a.result) == "applied")
                    .count(),
                2
            );
            assert!(!report.waiting.contains(c));
        }
        assert_eq!(report.waiting.len(), 8, "tick {t}: {:?}", report.waiting);
        reached.extend(touched);
    }
    reached.sort();
    reached.dedup();
    assert_eq!(reached.len(), 10, "⌈10 / 2⌉ = 5 ticks reach every cluster");
}

#[test]
fn a_rotation_that_wraps_round_reports_in_the_fleets_order() {
    let (names, rig, p) = ten_clusters();
    // Three units of 5 per tick: the fourth tick starts at c9 and wraps round to c0, c1.
    let o = Options {
        budget: 17,
        tick_ms: 60_000,
        ..Options::default()
    };
    let (report, _) = rig.tick(&p, "2026-11-26T10:03:00Z", &o);
    let mut served: Vec<&str> = report.actions.iter().map(|a| a.cluster.as_str()).collect();
    served.dedup();
    assert_eq!(
        served,
        ["c0", "c1", "c9"],
        "the fleet's order, not the rotation's"
    );
    assert_eq!(report.waiting, names[2..9]);
}

#[test]
fn the_budget_is_counted_per_invocation_not_per_client() {
    let rig = rig(vec![cluster("prod", "v1.29.3", &["a"])]);
    let p = json!({"timezone": "UTC", "rules": [{"cluster": "prod", "nodegroup": "a", "autoscale": {"min": 2, "max": 5}}]});
    let o = Options {
        budget: 3,
        ..Options::default()
    };
    // Requests served concurrently by the same client (a kubeconfig, list calls)
    // do not eat the tick's three subrequests.
    let side = async {
        for _ in 0..5 {
            let _ = rig.client.list_clusters().await;
        }
    };
    let p = policy(p);
    let tick = reconcile(&rig.client, &p, &JiffZones, at("2026-11-26T10:00:00Z"), &o);
    let (report, ()) = block_on(futures::future::join(tick, side));
    assert_eq!(report.subrequests, 3);
    assert!(report.waiting.is_empty());
    assert_eq!(json!(report.actions[0].result), "applied");
    assert_eq!(rig.sent(), 8);
}

#[test]
fn one_cluster_named_by_name_and_uuid_is_decided_once() {
    let rig = rig(vec![cluster("prod", "v1.29.3", &["default-worker"])]);
    let p = json!({"timezone": "UTC", "rules": [
        {"name": "by-name", "cluster": "prod", "nodegroup": "default-worker", "autoscale": {"min": 1, "max": 3}},
        {"name": "by-uuid", "cluster": "prod-0000-uuid", "nodegroup": "default-worker", "autoscale": {"min": 3, "max": 10}}
    ]});
    let o = Options::default();
    for minute in 0..3 {
        let (report, writes) = rig.tick(&p, &format!("2026-11-26T10:0{minute}:00Z"), &o);
        assert!(writes.is_empty(), "flapping: {writes:?}");
        assert_eq!(report.unchanged[0].rule, "by-name");
        assert!(report.skipped[0]
            .reason
            .contains("the same cluster as \"prod\""));
    }
}

#[test]
fn a_subset_of_clusters_is_reconciled_alone() {
    let rig = rig(vec![
        cluster("prod", "v1.29.3", &["a"]),
        cluster("dev", "v1.29.3", &["a"]),
    ]);
    let p = json!({"timezone": "UTC", "rules": [
        {"cluster": "prod", "nodegroup": "a", "autoscale": {"max": 5}},
        {"cluster": "dev", "nodegroup": "a", "autoscale": {"max": 5}}
    ]});
    let report = block_on(reconcile_clusters(
        &rig.client,
        &policy(p),
        &JiffZones,
        at("2026-11-26T10:00:00Z"),
        &Options::default(),
        &["dev"],
    ));
    let urls: Vec<String> = rig
        .client
        .transport()
        .requests()
        .iter()
        .map(|r| r.url.clone())
        .collect();
    assert!(urls.iter().all(|u| !u.contains("/prod")), "{urls:?}");
    assert_eq!(report.actions.len(), 1);
    assert_eq!(report.actions[0].cluster, "dev");
}

#[test]
fn status_shows_versions_expiry_the_next_window_and_the_step() {
    let mut prod = cluster("prod", "v1.29.3", &["default-worker", "batch"]);
    prod.groups[1].version = "v1.28.3".into();
    let rig = rig(vec![prod]);
    let p = upgrade_policy();
    // Thursday 2026-11-26 12:00 in Seoul: the window opens Saturday 02:00.
    let report = block_on(nks_edge::schedule::status(
        &rig.client,
        &policy(p.clone()),
        &JiffZones,
        at("2026-11-26T12:00:00+09:00"),
        &StatusOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        json!(report),
        json!({"at": "2026-11-26T12:00:00+09:00", "clusters": [{
            "cluster": "prod", "status": "CREATE_COMPLETE", "control_plane_version": "v1.29.3",
            "nodegroups": [
                {"name": "default-worker", "version": "v1.29.3", "status": "CREATE_COMPLETE"},
                {"name": "batch", "version": "v1.28.3", "status": "CREATE_COMPLETE"}],
            "certificate_expiry": "2031-01-01T00:00:00+00:00",
            "next_window": {"maintenance": "sat-night", "at": "2026-11-28T02:00:00+09:00", "open": false},
            "maintenance_step": {"step": "nodegroup", "nodegroup": "batch", "detail": "v1.28.3 to v1.29.3"}
        }], "subrequests": 4})
    );
    // Reads only.
    assert!(rig
        .client
        .transport()
        .requests()
        .iter()
        .all(|r| r.method == Method::Get));
    // Inside the window: open now.
    let report = block_on(nks_edge::schedule::status(
        &rig.client,
        &policy(p),
        &JiffZones,
        at("2026-11-28T03:17:00+09:00"),
        &StatusOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        json!(report.clusters[0].next_window),
        json!({"maintenance": "sat-night", "at": "2026-11-28T03:17:00+09:00", "open": true})
    );
}

/// Status over a fleet beyond its budget: clusters are read whole, in the policy's
/// order, as many as the budget pays for; the rest are listed unread.
#[test]
fn status_reads_whole_clusters_within_its_budget() {
    let names: Vec<String> = (0..9).map(|i| format!("c{i}")).collect();
    let rig = rig(names
        .iter()
        .map(|n| cluster(n, "v1.29.3", &["w1", "w2", "w3", "w4"]))
        .collect());
    let p = json!({"timezone": "UTC", "rules": [{"cluster": names, "nodegroup": "w1", "autoscale": {"max": 5}}]});
    let options = StatusOptions {
        budget: Some(50),
        ..StatusOptions::default()
    };
    let report = block_on(nks_edge::schedule::status(
        &rig.client,
        &policy(p),
        &JiffZones,
        at("2026-11-26T12:00:00+09:00"),
        &options,
    ))
    .unwrap();
    let read: Vec<(&str, usize, Option<String>)> = report
        .clusters
        .iter()
        .map(|c| {
            (
                c.cluster.as_str(),
                c.nodegroups.len(),
                c.error.as_ref().map(|e| json!(e.kind).to_string()),
            )
        })
        .collect();
    let deferred = Some("\"deferred\"".to_owned());
    let mut want: Vec<(&str, usize, Option<String>)> =
        names.iter().map(|n| (n.as_str(), 4, None)).collect();
    want[8] = ("c8", 0, deferred);
    assert_eq!(read, want);
    // Eight lists, clusters and four groups each: nothing spent on c8.
    assert_eq!(report.subrequests, 48);
    assert_eq!(rig.client.transport().requests().len(), 48);
}

#[test]
fn an_idempotent_write_is_retried_within_the_tick_and_the_retry_is_counted() {
    let rig = rig(vec![cluster("prod", "v1.29.3", &["a"])]);
    rig.fleet
        .borrow_mut()
        .unavailable
        .push("POST /v1/clusters/prod/nodegroups/a/autoscale".into());
    let p = json!({"timezone": "UTC", "rules": [{"cluster": "prod", "nodegroup": "a", "autoscale": {"max": 5}}]});
    let (report, writes) = rig.tick(&p, "2026-11-26T10:00:00Z", &Options::default());
    assert_eq!(json!(report.actions[0].result), "applied");
    // The write of absolute values is sent again after the 503, in the same tick.
    assert_eq!(writes.len(), 2);
    // Cluster read, settings read, the write twice.
    assert_eq!(report.subrequests, 4);
    assert_eq!(rig.client.transport().sleeps().len(), 1);
    assert_eq!(rig.fleet.borrow().clusters[0].groups[0].max, 5);
}

/// A window over a fleet larger than one tick's budget, each cluster with four worker
/// groups: a unit claims its reads and its write before it reads, so no tick spends
/// its budget on reads it cannot follow with a write, the rotation moves on, and the
/// whole fleet is upgraded within the window.
#[test]
fn a_window_over_a_fleet_beyond_one_budget_upgrades_every_cluster() {
    let names: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    let workers = ["w1", "w2", "w3", "w4"];
    let rig = rig(names
        .iter()
        .map(|n| cluster(n, "v1.27.3", &workers))
        .collect());
    let p = json!({"timezone": "Asia/Seoul", "maintenance": [{
        "name": "sat-night", "cluster": names,
        "when": {"days": "Sat", "from": "02:00", "to": "06:00"},
        "kube_version": "v1.28.9"
    }]});
    let o = Options::default();
    assert_eq!(o.budget, 50);
    let mut written = 0;
    for tick in 0..40 {
        let minute = tick * 5;
        let when = saturday(&format!("{:02}:{:02}", 2 + minute / 60, minute % 60));
        let (report, writes) = rig.tick(&p, &when, &o);
        assert!(report.subrequests <= 50, "{when}: {}", report.subrequests);
        if tick == 0 {
            // 1 + 1 + (1 + 4 + 1) per cluster: 8 of the 10 at most, 6 for sure.
            assert!(writes.len() >= 6, "{when}: {writes:?}");
            assert!(report
                .actions
                .iter()
                .all(|a| a.result != nks_edge::schedule::plan::Outcome::Deferred));
        }
        written += writes.len();
        rig.fleet.borrow_mut().settle();
    }
    let fleet = rig.fleet.borrow();
    for c in &fleet.clusters {
        assert_eq!(c.master.version, "v1.28.9", "{}", c.name);
        assert!(
            c.groups.iter().all(|g| g.version == "v1.28.9"),
            "{}",
            c.name
        );
    }
    // Each cluster: its control plane and four worker groups, each upgraded once.
    assert_eq!(written, 10 * 5);
}

/// A cluster with more worker groups than the estimate assumed claims the rest once
/// it has listed them; when the budget cannot pay, it waits without reading them.
#[test]
fn a_cluster_beyond_the_estimate_claims_its_reads_or_waits_without_them() {
    let workers = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"];
    let p = json!({"timezone": "Asia/Seoul", "maintenance": [{
        "name": "sat-night", "cluster": "big",
        "when": {"days": "Sat", "from": "02:00", "to": "06:00"},
        "kube_version": "v1.28.9"
    }]});
    // The version list, then the cluster (1 + 6 estimated): 2 left over, 9 needed.
    let tight = Options {
        budget: 9,
        ..Options::default()
    };
    let rig = rig(vec![cluster("big", "v1.27.3", &workers)]);
    let (report, writes) = rig.tick(&p, &saturday("02:00"), &tight);
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(report.subrequests, 3, "versions, cluster, node group list");
    let m = &report.maintenance[0];
    assert_eq!(m.step, "waiting");
    assert!(
        m.detail
            .as_deref()
            .unwrap_or("")
            .contains("8 worker node groups"),
        "{m:?}"
    );
    // With room for them, the same tick reads the groups and upgrades the control plane.
    let (report, writes) = rig.tick(&p, &saturday("02:00"), &Options::default());
    assert_eq!(
        writes,
        ["POST /v1/clusters/big/nodegroups/default-master/upgrade"]
    );
    assert_eq!(report.subrequests, 1 + 1 + 1 + 8 + 1);
}
