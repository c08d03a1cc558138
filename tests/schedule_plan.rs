//! The planner against a scripted API: what it reads, what it sends, what it reports.
//! Native only: the time zones come from jiff's bundled database (wasm32 uses Intl).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{at, block_on, policy, token_client, JiffZones};
use nks_edge::schedule::plan::{FailureKind, Outcome};
use nks_edge::schedule::{plan, reconcile, run_into, Options, Progress, Report};
use nks_edge::transport::{HttpRequest, HttpResponse, Method, Replay};
use nks_edge::{ErrorKind, NksClient};
use serde_json::{json, Value};
use std::cell::Cell;
use std::future::Future;

/// 09:00 on a Thursday in Seoul.
const THURSDAY_9: &str = "2026-11-26T09:00:00+09:00";

/// Answers reads from fixed state; accepts writes; fails the `(method, path)`s listed.
fn api(fail: Vec<(Method, &'static str)>) -> Replay {
    Replay::new(0, move |req: &HttpRequest| state(req, &fail))
}

/// The fixed state's answer to `req`.
fn state(
    req: &HttpRequest,
    fail: &[(Method, &'static str)],
) -> Result<HttpResponse, nks_edge::transport::TransportError> {
    {
        let path = req.url.trim_start_matches(common::ENDPOINT);
        if fail.iter().any(|(m, p)| *m == req.method && *p == path) {
            return Ok(HttpResponse::json(503, ""));
        }
        let parts: Vec<&str> = path
            .trim_start_matches("/v1/clusters/")
            .split('/')
            .collect();
        let body = match (req.method, parts.as_slice()) {
            (Method::Get, [c]) => {
                let status = if *c == "busy" {
                    "UPDATE_IN_PROGRESS"
                } else {
                    "CREATE_COMPLETE"
                };
                json!({"uuid": format!("uuid-{c}"), "name": c, "status": status})
            }
            (Method::Get, [_, "nodegroups", ng, "autoscale"]) => match *ng {
                "auto-1-3" | "auto-b" => {
                    json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": 3, "ca_image": "x"})
                }
                "auto-3-10" => {
                    json!({"ca_enable": true, "ca_min_node_count": 3, "ca_max_node_count": 10})
                }
                _ => json!({"ca_enable": false, "ca_min_node_count": 1, "ca_max_node_count": 10}),
            },
            (Method::Get, [_, "nodegroups", ng]) => {
                let auto = ng.starts_with("auto");
                json!({"uuid": "ng", "name": ng, "node_count": 2, "labels": {"ca_enable": if auto { "True" } else { "False" }}})
            }
            (Method::Post, _) => json!({"uuid": "accepted"}),
            _ => return Ok(HttpResponse::json(404, "")),
        };
        Ok(HttpResponse::json(200, body.to_string()))
    }
}

fn run(policy_json: Value, transport: Replay, options: Options) -> (Report, NksClient<Replay>) {
    let client = token_client(transport);
    let report = block_on(reconcile(
        &client,
        &policy(policy_json),
        &JiffZones,
        at(THURSDAY_9),
        &options,
    ));
    (report, client)
}

fn writes(client: &NksClient<Replay>) -> Vec<(String, Value)> {
    client
        .transport()
        .requests()
        .iter()
        .filter(|r| r.method == Method::Post)
        .map(|r| {
            (
                r.url.trim_start_matches(common::ENDPOINT).to_owned(),
                serde_json::from_str(r.body.as_deref().unwrap()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn business_hours_raise_the_bounds_with_one_read_per_target() {
    let (report, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": [
            {"name": "business-hours", "cluster": "prod", "nodegroup": ["auto-1-3", "auto-3-10"],
             "when": {"days": "Mon-Fri", "from": "08:30", "to": "19:00"}, "autoscale": {"enable": true, "min": 3, "max": 10}},
            {"name": "off-hours", "cluster": "prod", "nodegroup": ["auto-1-3", "auto-3-10"], "autoscale": {"min": 1, "max": 3}}
        ]}),
        api(vec![]),
        Options::default(),
    );
    let sent: Vec<String> = client
        .transport()
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.method.as_str(),
                r.url.trim_start_matches(common::ENDPOINT)
            )
        })
        .collect();
    assert_eq!(
        sent.iter()
            .filter(|s| *s == "GET /v1/clusters/prod")
            .count(),
        1
    );
    assert_eq!(
        sent.len(),
        4,
        "one cluster read, two settings reads, one write: {sent:?}"
    );
    assert_eq!(
        writes(&client),
        [(
            "/v1/clusters/prod/nodegroups/auto-1-3/autoscale".to_owned(),
            json!({"ca_enable": true, "ca_min_node_count": 3, "ca_max_node_count": 10})
        )]
    );
    assert_eq!(
        json!(report),
        json!({
            "at": "2026-11-26T09:00:00+09:00", "dry_run": false, "maintenance": [], "waiting": [],
            "actions": [{"cluster": "prod", "nodegroup": "auto-1-3", "rule": "business-hours", "action": "set_autoscale",
                         "from": {"min": 1, "max": 3, "enable": true}, "to": {"min": 3, "max": 10, "enable": true}, "result": "applied"}],
            "unchanged": [{"cluster": "prod", "nodegroup": "auto-3-10", "rule": "business-hours"}],
            "skipped": [], "deferred": [], "errors": [], "subrequests": 4
        })
    );
}

#[test]
fn only_the_settings_that_differ_are_sent() {
    let (_, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": [
            {"cluster": "prod", "nodegroup": "auto-1-3", "autoscale": {"min": 1, "max": 5, "scale_down_util_thresh": 60}}]}),
        api(vec![]),
        Options::default(),
    );
    assert_eq!(
        writes(&client)[0].1,
        json!({"ca_enable": true, "ca_max_node_count": 5, "ca_scale_down_util_thresh": 60})
    );
}

#[test]
fn guardrails_busy_clusters_autoscaled_resizes_and_inverted_bounds() {
    let (report, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": [
            {"name": "busy", "cluster": "busy", "nodegroup": "fixed", "node_count": 4},
            {"name": "resize-auto", "cluster": "prod", "nodegroup": "auto-b", "node_count": 4},
            {"name": "raise-min", "cluster": "prod", "nodegroup": "auto-1-3", "autoscale": {"min": 5}},
            {"name": "resize", "cluster": "prod", "nodegroup": "fixed", "node_count": 4}
        ]}),
        api(vec![]),
        Options::default(),
    );
    assert_eq!(
        json!(report.skipped),
        json!([{"cluster": "busy", "reason": "cluster status UPDATE_IN_PROGRESS"}])
    );
    let problems: Vec<(String, String)> = report
        .errors
        .iter()
        .map(|e| (e.rule.clone().unwrap(), e.error.message.clone()))
        .collect();
    assert_eq!(
        problems,
        [(
            "raise-min".into(),
            "the rule would set min 5 above max 3; give both min and max".into()
        )]
    );
    // A node_count rule over an autoscaled group turns the autoscaler off first: the
    // resize of that group waits for a later tick, the other group's resize goes.
    let first = &report.actions[0];
    assert_eq!(
        (first.nodegroup.as_str(), first.action, first.step),
        ("auto-b", "set_autoscale", Some("autoscaler_off"))
    );
    assert_eq!(
        (json!(first.from), json!(first.to)),
        (json!({"enable": true}), json!({"enable": false}))
    );
    let sent: Vec<(String, Value)> = writes(&client);
    assert_eq!(
        sent,
        [
            (
                "/v1/clusters/prod/nodegroups/auto-b/autoscale".to_owned(),
                json!({"ca_enable": false})
            ),
            (
                "/v1/clusters/prod/actions/resize".to_owned(),
                json!({"nodegroup": "fixed", "node_count": 4})
            )
        ]
    );
    assert_eq!(json!(report.actions[1].from), json!({"node_count": 2}));
}

#[test]
fn a_dry_run_and_a_plan_send_no_write() {
    let rules = json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod", "nodegroup": "auto-1-3", "autoscale": {"max": 6}}]});
    let (report, client) = run(
        rules.clone(),
        api(vec![]),
        Options {
            dry_run: true,
            ..Options::default()
        },
    );
    assert!(writes(&client).is_empty());
    assert_eq!(json!(report.actions[0].result), "planned");
    assert!(report.dry_run);

    let client = token_client(api(vec![]));
    let report = block_on(plan(
        &client,
        &policy(rules),
        &JiffZones,
        at(THURSDAY_9),
        &Options::default(),
    ));
    assert!(writes(&client).is_empty());
    assert_eq!(json!(report.actions[0].result), "planned");
    assert!(!report.dry_run);
}

#[test]
fn a_failed_write_fails_that_action_only() {
    let (report, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod", "nodegroup": ["auto-1-3", "auto-b", "fixed"], "autoscale": {"max": 6}}]}),
        api(vec![(
            Method::Post,
            "/v1/clusters/prod/nodegroups/auto-b/autoscale",
        )]),
        Options::default(),
    );
    let results: Vec<(String, Value)> = report
        .actions
        .iter()
        .map(|a| (a.nodegroup.clone(), json!(a.result)))
        .collect();
    assert_eq!(
        results,
        [
            ("auto-1-3".into(), json!("applied")),
            ("auto-b".into(), json!("failed")),
            ("fixed".into(), json!("applied"))
        ]
    );
    assert_eq!(report.actions[1].error.as_ref().unwrap().status, 503);
    // Autoscaler settings are absolute values: the refused write was tried 1 + 2
    // times (the client's retries), the other two once each.
    assert_eq!(writes(&client).len(), 5, "an idempotent write is retried");
}

#[test]
fn a_failed_read_is_reported_and_the_rest_goes_on() {
    let (report, _) = run(
        json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod", "nodegroup": ["auto-1-3", "auto-b"], "autoscale": {"max": 6}}]}),
        api(vec![
            (
                Method::Get,
                "/v1/clusters/prod/nodegroups/auto-b/autoscale"
            );
            3
        ]),
        Options::default(),
    );
    assert_eq!(report.actions.len(), 1);
    assert_eq!(report.errors[0].nodegroup.as_deref(), Some("auto-b"));
    assert_eq!(
        report.errors[0].error.kind,
        FailureKind::Api(ErrorKind::Server)
    );
}

#[test]
fn a_cluster_dearer_than_a_whole_budget_is_served_in_part() {
    let groups: Vec<String> = (0..8).map(|i| format!("auto-{i}")).collect();
    let (report, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod", "nodegroup": groups, "autoscale": {"enable": true, "min": 2, "max": 4}}]}),
        api(vec![]),
        Options {
            budget: 12,
            ..Options::default()
        },
    );
    // The unit (one cluster read, eight reads, eight writes: 17) never fits in 12. It
    // is not left waiting for ever: it reads, then writes what the rest pays for, in
    // order, and the next tick (which reads again) applies the others.
    assert_eq!(report.subrequests, 12);
    assert!(report.waiting.is_empty());
    assert_eq!(writes(&client).len(), 3);
    let results: Vec<String> = report
        .actions
        .iter()
        .map(|a| json!(a.result).as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        results,
        [["applied"; 3].as_slice(), &["deferred"; 5]].concat()
    );
    let why = &report.actions[7].error.as_ref().unwrap().message;
    assert!(
        why.contains("more subrequests than one invocation has"),
        "{why}"
    );

    // With Identity, a 401 on a write costs a new token and the write again: made
    // only when the budget holds both, so the invocation's limit holds.
    for budget in [12, 14, 18] {
        let client = common::identity_client(behind_identity(1, Some(Method::Post), 0));
        let p = json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod",
            "nodegroup": (0..8).map(|i| format!("auto-{i}")).collect::<Vec<_>>(),
            "autoscale": {"enable": true, "min": 2, "max": 4}}]});
        reconcile_within(&client, p, budget);
    }
}

/// Reconciles `p` at Thursday 09:00 on `budget`: no more requests go out than it
/// allows, and the report counts each one.
fn reconcile_within(client: &NksClient<Replay>, p: Value, budget: u64) {
    let options = Options {
        budget,
        ..Options::default()
    };
    let report = block_on(reconcile(
        client,
        &policy(p),
        &JiffZones,
        at(THURSDAY_9),
        &options,
    ));
    let sent = client.transport().requests().len() as u64;
    assert!(sent <= budget, "budget {budget}: {sent} sent");
    assert_eq!(report.subrequests, sent, "budget {budget}");
}

#[test]
fn a_unit_that_fits_a_budget_waits_whole_for_a_tick_with_room() {
    // Two clusters of 17 with a budget of 20: one is served whole, the other waits
    // (never started in part while a tick could finish it).
    let groups: Vec<String> = (0..8).map(|i| format!("auto-{i}")).collect();
    let (report, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": [
            {"cluster": "prod", "nodegroup": groups, "autoscale": {"enable": true, "min": 2, "max": 4}},
            {"cluster": "dev", "nodegroup": groups, "autoscale": {"enable": true, "min": 2, "max": 4}}]}),
        api(vec![]),
        Options {
            budget: 20,
            ..Options::default()
        },
    );
    assert_eq!(writes(&client).len(), 8);
    assert_eq!(report.waiting.len(), 1);
    assert!(report.actions.iter().all(|a| json!(a.result) == "applied"));
}

#[test]
fn one_resize_per_cluster_per_tick() {
    let (report, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod", "nodegroup": ["fixed", "fixed-2"], "node_count": 3}]}),
        api(vec![]),
        Options::default(),
    );
    assert_eq!(writes(&client).len(), 1);
    assert_eq!(json!(report.actions[0].result), "applied");
    assert_eq!(json!(report.actions[1].result), "deferred");
    let lines = report.log_events();
    let summary = &lines[0];
    assert_eq!(
        (summary["applied"].clone(), summary["deferred"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(lines.len(), 3);
}

/// The fixed state behind Identity: the first `refused` NKS requests (of `method`
/// only, when given) answer 401 (a token revoked early), and Identity answers 503
/// `unavailable` times first.
fn behind_identity(refused: u32, method: Option<Method>, unavailable: u32) -> Replay {
    let (refused, unavailable, issued) = (Cell::new(refused), Cell::new(unavailable), Cell::new(0));
    Replay::new(common::NOW_MS, move |req: &HttpRequest| {
        let left = |n: &Cell<u32>| {
            n.get() > 0 && {
                n.set(n.get() - 1);
                true
            }
        };
        if req.url.starts_with(common::IDENTITY) {
            if left(&unavailable) {
                return Ok(HttpResponse::json(503, ""));
            }
            issued.set(issued.get() + 1);
            return common::token_answer(&format!("tok-{}", issued.get()), "2026-11-27T00:00:00Z");
        }
        if method.is_none_or(|m| m == req.method) && left(&refused) {
            return Ok(HttpResponse::json(
                401,
                r#"{"errors": [{"title": "token revoked"}]}"#,
            ));
        }
        state(req, &[])
    })
}

/// Identity's requests (a retry after its 503 too) and a 401's second try are
/// subrequests of the tick: the report counts every request that went out.
#[test]
fn identity_requests_and_a_401s_second_try_count_against_the_budget() {
    let p = json!({"timezone": "UTC", "rules": [{"cluster": "prod", "nodegroup": ["auto-1-3", "auto-b"],
        "autoscale": {"min": 3, "max": 10}}]});
    for (refused, unavailable) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let client = common::identity_client(behind_identity(refused, None, unavailable));
        let report = block_on(reconcile(
            &client,
            &policy(p.clone()),
            &JiffZones,
            at(THURSDAY_9),
            &Options::default(),
        ));
        assert_eq!(
            json!(report.actions.iter().map(|a| &a.result).collect::<Vec<_>>()),
            json!(["applied", "applied"])
        );
        let sent = client.transport().requests().len() as u64;
        // Cluster read, two settings reads, two writes; Identity once, or twice after
        // its 503; a 401 costs the request again and a new token.
        let expected = 5 + 1 + u64::from(unavailable) + 2 * u64::from(refused);
        assert_eq!(
            (sent, report.subrequests),
            (expected, expected),
            "refused {refused}, unavailable {unavailable}"
        );
    }
}

/// A tight budget holds with Identity counted: never more requests than it allows.
#[test]
fn a_budget_that_identity_shares_is_never_exceeded() {
    let p = json!({"timezone": "UTC", "rules": [{"cluster": "prod", "nodegroup": ["auto-1-3", "auto-b"],
        "autoscale": {"min": 3, "max": 10}}]});
    for budget in 1..8 {
        let client = common::identity_client(behind_identity(0, None, 0));
        reconcile_within(&client, p.clone(), budget);
    }
}

#[test]
fn past_the_deadline_no_cluster_starts_and_the_rest_waits_whole() {
    // Ten clusters of one node group each; every request takes a second of virtual
    // time, one request at a time: a cluster is three (cluster, settings, write).
    let names: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    let rules: Vec<Value> = names
        .iter()
        .map(|n| json!({"cluster": n, "nodegroup": "auto-1-3", "autoscale": {"min": 2, "max": 4}}))
        .collect();
    let (report, client) = run(
        json!({"timezone": "Asia/Seoul", "rules": rules.clone()}),
        api(vec![]).with_latency(1_000),
        Options {
            budget: 1_000,
            concurrency: 1,
            deadline_ms: Some(7_500),
            ..Options::default()
        },
    );
    // Started at 0, 3 and 6 s; the fourth would start at 9 s, after the deadline.
    let applied: Vec<&str> = report.actions.iter().map(|a| a.cluster.as_str()).collect();
    assert_eq!(applied, ["c0", "c1", "c2"]);
    assert!(report.actions.iter().all(|a| a.result == Outcome::Applied));
    assert_eq!(report.waiting, names[3..]);
    // Nothing of a waiting cluster was read or written.
    for request in client.transport().requests() {
        let path = request.url.trim_start_matches(common::ENDPOINT).to_owned();
        assert!(
            ["c0", "c1", "c2"]
                .iter()
                .any(|c| path.starts_with(&format!("/v1/clusters/{c}"))),
            "{path}"
        );
    }
    assert_eq!(report.subrequests, 9);
    // Without a deadline the same run reaches every cluster.
    let (whole, _) = run(
        json!({"timezone": "Asia/Seoul", "rules": rules}),
        api(vec![]).with_latency(1_000),
        Options {
            budget: 1_000,
            concurrency: 1,
            ..Options::default()
        },
    );
    assert_eq!(whole.actions.len(), 10);
    assert!(whole.waiting.is_empty());
}

#[test]
fn a_run_cut_off_still_reports_what_it_finished_and_what_it_cut() {
    // Three clusters, one at a time: the caller stops waiting once four requests went
    // out (c0's three, c1's cluster read). What finished is applied, the cluster in
    // flight is an error (its writes may have gone out), the one not started waits.
    let rules: Vec<Value> = ["c0", "c1", "c2"]
        .iter()
        .map(|n| json!({"cluster": n, "nodegroup": "auto-1-3", "autoscale": {"min": 2, "max": 4}}))
        .collect();
    let policy = policy(json!({"timezone": "Asia/Seoul", "rules": rules}));
    let client = token_client(api(vec![]));
    let options = Options {
        concurrency: 1,
        ..Options::default()
    };
    let progress = Progress::default();
    {
        let run = run_into(
            &client,
            &policy,
            &JiffZones,
            at(THURSDAY_9),
            &options,
            true,
            &progress,
        );
        let mut run = std::pin::pin!(run);
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        while client.transport().requests().len() < 4 {
            assert!(
                run.as_mut().poll(&mut cx).is_pending(),
                "the run ended early"
            );
        }
    } // dropped: cut off
    let report = progress.into_report();
    let applied: Vec<&str> = report.actions.iter().map(|a| a.cluster.as_str()).collect();
    assert_eq!(applied, ["c0"]);
    assert_eq!(report.actions[0].result, Outcome::Applied);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].cluster, "c1");
    assert_eq!(
        report.errors[0].error.kind,
        FailureKind::Api(ErrorKind::Timeout)
    );
    assert!(report.errors[0]
        .error
        .message
        .contains("may have been applied"));
    assert_eq!(report.waiting, ["c2"]);
    // The four answered and c1's settings read, begun when the caller stopped: a
    // request begun may have gone out, so it counts.
    assert_eq!(report.subrequests, 5);
}

/// A policy that raises the node count bound (`max_node_count`) writes within it,
/// whatever the client's own bound: the policy's counts were checked against it.
#[test]
fn the_policys_node_count_bound_holds_for_its_writes() {
    let raised = json!({"timezone": "Asia/Seoul", "max_node_count": 20, "rules": [
        {"cluster": "prod", "nodegroup": "auto-1-3", "autoscale": {"min": 3, "max": 15}},
        {"cluster": "prod", "nodegroup": "fixed", "node_count": 12}
    ]});
    let (report, client) = run(raised, api(vec![]), Options::default());
    assert_eq!(client.config().max_node_count, 10);
    let results: Vec<(&str, Outcome)> = report
        .actions
        .iter()
        .map(|a| (a.nodegroup.as_str(), a.result))
        .collect();
    assert_eq!(
        results,
        [("auto-1-3", Outcome::Applied), ("fixed", Outcome::Applied)],
        "{report:?}"
    );
    let sent = writes(&client);
    assert_eq!(sent[0].1["ca_max_node_count"], 15);
    assert_eq!(sent[1].1["node_count"], 12);
}

/// One cluster much dearer than the others does not slow the rotation down to its
/// size: 40 clusters of 4 node groups and one of 12, a budget of 50 (a tick serves
/// about 5 of the small ones). Every cluster is reached within the ticks the fleet's
/// cost needs (about 8 here; before, the rotation moved by 50 / 25 = 2 clusters a
/// tick, 21 ticks round).
#[test]
fn a_dear_cluster_does_not_slow_the_rotation() {
    let mut rules: Vec<Value> = (0..40)
        .map(|c| json!({"cluster": format!("c{c:02}"), "nodegroup": ["a", "b", "c", "d"], "autoscale": {"enable": true, "min": 2, "max": 4}}))
        .collect();
    let big: Vec<String> = (0..12).map(|g| format!("g{g}")).collect();
    rules.push(json!({"cluster": "big", "nodegroup": big, "autoscale": {"enable": true, "min": 2, "max": 4}}));
    let policy = policy(json!({"timezone": "Asia/Seoul", "rules": rules}));
    let options = Options {
        budget: 50,
        ..Options::default()
    };
    let mut last_seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut longest_gap = 0;
    let ticks = 40;
    for tick in 0..ticks {
        let client = token_client(api(vec![]));
        let when = at(THURSDAY_9) + (tick as i64) * options.tick_ms;
        let report = block_on(reconcile(&client, &policy, &JiffZones, when, &options));
        assert!(
            report.subrequests <= 50,
            "tick {tick}: {}",
            report.subrequests
        );
        for c in policy.clusters() {
            if !report.waiting.iter().any(|w| w == c) {
                let gap = tick - last_seen.get(c).map_or(0, |t| t + 1) + 1;
                longest_gap = longest_gap.max(gap);
                last_seen.insert(c.to_owned(), tick);
            }
        }
    }
    assert_eq!(last_seen.len(), 41, "every cluster reached");
    assert!(longest_gap <= 10, "a cluster waited {longest_gap} ticks");
}
