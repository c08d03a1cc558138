//! The rules a user meets on the current guide's paths, over real HTTP: task history,
//! IP access control, certificates, service gateway, control-plane logs, node stop and
//! start, node group PATCH types, user script, upgrades and add-ons.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};

/// One cluster at v1.29.3 (the default table supports it and v1.30.3, v1.31.4, v1.32.3),
/// its default worker without autoscaler, a second group `auto` with it, and a service
/// gateway.
fn seed() -> Value {
    json!({
        "clusters": [{
            "name": "c1",
            "uuid": "11111111-2222-4333-8444-555555555555",
            "kube_tag": "v1.29.3",
            "labels": {"ncr_sgw": "8c1f7d0e-0000-4000-8000-000000000001"},
            "nodegroups": [
                {"name": "default-worker", "node_count": 2, "labels": {"ca_enable": "False"}},
                {"name": "auto", "node_count": 1,
                 "labels": {"ca_enable": "True", "ca_min_node_count": "1", "ca_max_node_count": "3"}}
            ]
        }, {"name": "c2"}]
    })
}

struct Api {
    emu: Emulator,
    token: String,
}

impl Api {
    fn start() -> Api {
        Api::with(&seed())
    }
    fn with(seed: &Value) -> Api {
        // Long enough that a test reads the state a write started (`*_IN_PROGRESS`),
        // two or three requests later, on a loaded machine: at 40 ms one missed it.
        let emu = Emulator::with_seed(seed, &["--op-delay-ms", "200"]);
        let token = emu.token();
        Api { emu, token }
    }
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.emu.nks(&self.token, method, path, body.as_ref())
    }
    fn get(&self, path: &str) -> Value {
        let answer = self.call("GET", path, None);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.json()
    }
    /// The field named in a 400's title (`Invalid input for field/attribute X.`).
    fn refused(&self, method: &str, path: &str, body: Value) -> String {
        let answer = self.call(method, path, Some(body));
        assert_eq!(answer.status, 400, "{method} {path}: {}", answer.body);
        assert!(answer.header("x-openstack-request-id").is_some());
        answer.error()["title"].as_str().unwrap().to_owned()
    }
    fn wait(&self, path: &str, want: &str) -> Value {
        self.emu.wait_for(&self.token, path, "status", want)
    }
    fn nodes(&self, group: &str) -> Vec<String> {
        self.emu
            .call("GET", &format!("/_emulator/nodes/c1/{group}"), &[], None)
            .json()["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["uuid"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn field(name: &str) -> String {
    format!("Invalid input for field/attribute {name}.")
}

const C1: &str = "11111111-2222-4333-8444-555555555555";

#[test]
fn each_operation_has_an_event_that_settles_or_fails() {
    let api = Api::start();
    let events = |api: &Api| api.get(&format!("/v1/clusters/{C1}/events"))["events"].clone();
    assert_eq!(events(&api)[0]["type"], "CLUSTER_CREATE");
    assert_eq!(events(&api)[0]["state"], "SUCCESS");

    let resize = json!({"nodegroup": "default-worker", "node_count": 3});
    assert_eq!(
        api.call("POST", "/v1/clusters/c1/actions/resize", Some(resize))
            .status,
        202
    );
    let last = events(&api).as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["type"].as_str(), last["state"].as_str()),
        (Some("CLUSTER_RESIZE"), Some("IN_PROGRESS"))
    );
    assert_eq!(last["updated_at"], Value::Null);
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    let done = api.get(&format!(
        "/v1/clusters/{C1}/events/{}",
        last["uuid"].as_str().unwrap()
    ));
    assert_eq!(done["state"], "SUCCESS");
    assert_eq!(done["contents"], Value::Null);
    assert!(done["updated_at"].is_string());

    // The path takes the UUID: a name is not found, nor is an unknown event.
    assert_eq!(api.call("GET", "/v1/clusters/c1/events", None).status, 404);
    assert_eq!(
        api.call("GET", &format!("/v1/clusters/{C1}/events/{C1}"), None)
            .status,
        404
    );

    // A failed operation: *_FAILED, and its event FAIL with contents.
    let upgrade = json!({"version": "v1.30.3"});
    assert_eq!(
        api.call(
            "POST",
            "/v1/clusters/c1/nodegroups/default-master/upgrade",
            Some(upgrade)
        )
        .status,
        202
    );
    let failing = api
        .emu
        .call("POST", "/_emulator/fail", &[], Some(r#"{"cluster": "c1"}"#));
    assert_eq!(failing.status, 200, "{}", failing.body);
    api.wait("/v1/clusters/c1", "UPDATE_FAILED");
    let last = events(&api).as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["type"].as_str(), last["state"].as_str()),
        (Some("NODEGROUP_UPGRADE"), Some("FAIL"))
    );
    assert_eq!(last["resource_type"], "nodegroup");
    assert_eq!(last["resource_name"], "default-master");
    assert!(last["contents"].is_string());
    assert_eq!(
        api.get("/v1/clusters/c1")["labels"]["kube_tag"],
        "v1.29.3",
        "not upgraded"
    );
    let nothing = api
        .emu
        .call("POST", "/_emulator/fail", &[], Some(r#"{"cluster": "c2"}"#));
    assert_eq!(nothing.status, 409);
    let upgrade = |version: &str| {
        api.call(
            "POST",
            "/v1/clusters/c1/nodegroups/default-master/upgrade",
            Some(json!({ "version": version })),
        )
    };
    assert_eq!(
        upgrade("v1.30.3").status,
        400,
        "a failed cluster takes no update until repaired"
    );
    assert_eq!(api.emu.repair("c1"), 2, "the cluster and its control plane");
    // Repaired, the failed upgrade completes: the workers may follow.
    assert_eq!(api.get("/v1/clusters/c1")["labels"]["kube_tag"], "v1.30.3");
    let workers = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/default-worker/upgrade",
        Some(json!({"version": "v1.30.3"})),
    );
    assert_eq!(workers.status, 202, "{}", workers.body);
}

#[test]
fn ip_access_control_is_checked_and_kept_per_cluster() {
    let api = Api::start();
    let path = "/v1/clusters/c1/api_ep_ipacl";
    let target = |cidr: &str| json!({"cidr_address": cidr});
    assert_eq!(
        api.refused("POST", path, json!({"action": "ALLOW"})),
        field("enable")
    );
    assert_eq!(
        api.refused(
            "POST",
            path,
            json!({"enable": "True", "ipacl_targets": [target("10.0.0.1")]})
        ),
        field("action")
    );
    assert_eq!(
        api.refused(
            "POST",
            path,
            json!({"enable": "True", "action": "MAYBE", "ipacl_targets": [target("10.0.0.1")]})
        ),
        field("action")
    );
    assert_eq!(
        api.refused(
            "POST",
            path,
            json!({"enable": "True", "action": "DENY", "ipacl_targets": []})
        ),
        field("ipacl_targets")
    );
    let many: Vec<Value> = (0..101)
        .map(|i| target(&format!("10.0.{}.{}", i / 250, i % 250)))
        .collect();
    assert_eq!(
        api.refused(
            "POST",
            path,
            json!({"enable": "True", "action": "DENY", "ipacl_targets": many})
        ),
        field("ipacl_targets")
    );
    for bad in ["10.0.0.256", "10.0.0.0/33", "10.0.0", "example.com"] {
        assert_eq!(
            api.refused(
                "POST",
                path,
                json!({"enable": "True", "action": "DENY", "ipacl_targets": [target(bad)]})
            ),
            field("ipacl_targets[0].cidr_address"),
            "{bad}"
        );
    }
    // Both spellings of the description are read; the answer spells it as the guide's example.
    let set = json!({"enable": "true", "action": "deny", "ipacl_targets": [
        {"cidr_address": "192.168.0.5", "descripion": "typo spelling"},
        {"cidr_address": "10.10.22.0/24", "description": "example spelling"},
        {"cidr_address": "172.16.0.1"}
    ]});
    let answer = api.call("POST", path, Some(set));
    assert_eq!(
        (answer.status, answer.json()["uuid"].as_str()),
        (202, Some(C1))
    );
    assert_eq!(api.get("/v1/clusters/c1")["status"], "UPDATE_IN_PROGRESS");
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(
        api.get(path),
        json!({"cluster_uuid": C1, "enable": "true", "action": "DENY", "ipacl_targets": [
            {"cidr_address": "192.168.0.5", "description": "typo spelling"},
            {"cidr_address": "10.10.22.0/24", "description": "example spelling"},
            {"cidr_address": "172.16.0.1"}
        ]})
    );
    let other = api.get("/v1/clusters/c2/api_ep_ipacl");
    assert_eq!(other["enable"], "false");
    assert_eq!(other.as_object().unwrap().len(), 2);
    assert_eq!(
        api.call("POST", path, Some(json!({"enable": false})))
            .status,
        202
    );
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(
        api.get(path),
        json!({"cluster_uuid": C1, "enable": "false"})
    );
}

#[test]
fn certificate_renewal_moves_the_cluster_and_renews_the_kubeconfig() {
    let seed = json!({"clusters": [{"name": "c1", "labels": {"certificate_expiry": "2027-01-02T03:04:05+00:00"}}]});
    let api = Api::with(&seed);
    let before = api.get("/v1/clusters/c1");
    assert_eq!(
        before["labels"]["certificate_expiry"],
        "2027-01-02T03:04:05+00:00"
    );
    assert_eq!(before["labels"]["term_of_validity"], "5");
    let config = api.get("/v1/clusters/c1/config")["config"].clone();
    for bad in [
        json!({}),
        json!({"term_of_validity": 0}),
        json!({"term_of_validity": 6}),
        json!({"term_of_validity": "two"}),
    ] {
        assert_eq!(
            api.refused("PATCH", "/v1/certificates/c1", bad),
            field("term_of_validity")
        );
    }
    let answer = api.call(
        "PATCH",
        "/v1/certificates/c1",
        Some(json!({"term_of_validity": 2})),
    );
    assert_eq!(answer.status, 202);
    assert_eq!(answer.json()["uuid"], before["uuid"]);
    let busy = api.get("/v1/clusters/c1");
    assert_eq!(busy["status"], "UPDATE_IN_PROGRESS");
    assert_eq!(
        busy["labels"]["certificate_expiry"], "2027-01-02T03:04:05+00:00",
        "not before it completes"
    );
    let after = api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(after["labels"]["term_of_validity"], "2");
    let expiry = after["labels"]["certificate_expiry"].as_str().unwrap();
    let now_year: i64 = after["updated_at"].as_str().unwrap()[..4].parse().unwrap();
    assert!(
        expiry.starts_with(&format!("{}-", now_year + 2)),
        "{expiry}"
    );
    assert!(expiry.ends_with("+00:00") && expiry.len() == 25, "{expiry}");
    let renewed = api.get("/v1/clusters/c1/config")["config"].clone();
    let data = |c: &Value, key: &str| {
        c.as_str()
            .unwrap()
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap()
            .to_owned()
    };
    assert_ne!(
        data(&renewed, "client-certificate-data"),
        data(&config, "client-certificate-data")
    );
    assert_eq!(data(&renewed, "server"), data(&config, "server"));
    let events = api.get(&format!(
        "/v1/clusters/{}/events",
        before["uuid"].as_str().unwrap()
    ));
    assert_eq!(events["events"][1]["type"], "CLUSTER_ROTATE_CERTIFICATE");

    // A seed's expiry must be RFC 3339.
    let bad = json!({"clusters": [{"name": "c", "labels": {"certificate_expiry": "next year"}}]});
    let refused = api
        .emu
        .call("POST", "/_emulator/seed", &[], Some(&bad.to_string()));
    assert_eq!(refused.status, 400);
    assert!(refused.error()["detail"]
        .as_str()
        .unwrap()
        .contains("certificate_expiry"));
}

#[test]
fn service_gateway_and_control_plane_logs() {
    let api = Api::start();
    let sgw = json!({"ncr_sgw": "48f4ff38-d14b-4f34-a40c-705524e6a755", "obs_sgw": "23c550cb-6a5b-4eaa-903a-711c13316d91"});
    assert_eq!(
        api.refused(
            "POST",
            "/v1/clusters/c1/actions/update_sgw",
            json!({"ncr_sgw": "x"})
        ),
        field("obs_sgw")
    );
    let none = api.call(
        "POST",
        "/v1/clusters/c2/actions/update_sgw",
        Some(sgw.clone()),
    );
    assert_eq!(none.status, 400, "c2 was created without a service gateway");
    assert_eq!(
        api.call("POST", "/v1/clusters/c1/actions/update_sgw/", Some(sgw))
            .status,
        202
    );
    let c1 = api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(
        c1["labels"]["obs_sgw"],
        "23c550cb-6a5b-4eaa-903a-711c13316d91"
    );

    let path = "/v1/clusters/c1";
    let log = |body: Value| json!({"type": "control_plane_log", "control_plane_log": body});
    assert_eq!(
        api.refused("PATCH", path, json!({"type": "other"})),
        field("type")
    );
    assert_eq!(
        api.refused("PATCH", path, json!({"type": "control_plane_log"})),
        field("control_plane_log")
    );
    assert_eq!(
        api.refused("PATCH", path, log(json!({"enable": true}))),
        field("control_plane_log.type")
    );
    assert_eq!(
        api.refused(
            "PATCH",
            path,
            log(json!({"enable": true, "type": "lncs", "sgw": "s"}))
        ),
        field("control_plane_log.lncs_appkey")
    );
    assert_eq!(
        api.refused(
            "PATCH",
            path,
            log(json!({"enable": true, "type": "obs", "sgw": "s"}))
        ),
        field("control_plane_log.obs_api_url")
    );
    assert_eq!(
        api.refused("PATCH", path, log(json!({"enable": true, "type": "lncs", "sgw": "s", "lncs_appkey": "k", "upload_interval": 61}))),
        field("control_plane_log.upload_interval")
    );
    let on = log(
        json!({"enable": true, "type": "lncs", "sgw": "s", "lncs_appkey": "k", "upload_interval": 60}),
    );
    assert_eq!(api.call("PATCH", path, Some(on)).status, 202);
    assert_eq!(
        api.wait(path, "UPDATE_COMPLETE")["labels"]["control_plane_log"],
        "True"
    );
    assert_eq!(
        api.call("PATCH", path, Some(log(json!({"enable": false}))))
            .status,
        202
    );
    assert_eq!(
        api.wait(path, "UPDATE_COMPLETE")["labels"]["control_plane_log"],
        "False"
    );
}

#[test]
fn nodes_stop_and_start_and_stopped_nodes_block_upgrades_and_autoscalers() {
    let api = Api::start();
    let nodes = api.nodes("default-worker");
    assert_eq!(nodes.len(), 2);
    let stop = |group: &str, list: &str| {
        api.call(
            "POST",
            &format!("/v1/clusters/c1/nodegroups/{group}/stop_node"),
            Some(json!({"node_list": list})),
        )
    };
    let auto = api.nodes("auto");
    let refused = stop("auto", &auto[0]);
    assert_eq!(refused.status, 400, "the autoscaler of auto is on");
    assert!(refused.error()["detail"]
        .as_str()
        .unwrap()
        .contains("autoscaler"));
    assert_eq!(stop("default-worker", "not-a-node").status, 400);
    assert_eq!(
        api.refused(
            "POST",
            "/v1/clusters/c1/nodegroups/default-worker/stop_node",
            json!({})
        ),
        field("node_list")
    );

    let both = format!("{}:{}", nodes[0], nodes[1]);
    let answer = stop("default-worker", &both);
    assert_eq!(answer.status, 202, "{}", answer.body);
    let worker = api.get("/v1/clusters/c1/nodegroups/default-worker");
    assert_eq!(answer.json()["uuid"], worker["uuid"]);
    assert_eq!(worker["status"], "UPDATE_IN_PROGRESS");
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    let reason = api.get("/v1/clusters/c1")["health_status_reason"].clone();
    assert_eq!(reason["c1-default-worker-node-0.Ready"], "False");
    assert_eq!(
        stop("default-worker", &nodes[0]).status,
        400,
        "already stopped"
    );

    let upgrade = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/default-master/upgrade",
        Some(json!({"version": "v1.30.3"})),
    );
    assert_eq!(upgrade.status, 202);
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    let blocked = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/default-worker/upgrade",
        Some(json!({"version": "v1.30.3"})),
    );
    assert_eq!(blocked.status, 400);
    assert!(blocked.error()["title"]
        .as_str()
        .unwrap()
        .contains("stopped"));
    let ca = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/default-worker/autoscale",
        Some(json!({"ca_enable": true})),
    );
    assert_eq!(ca.status, 400);
    assert!(ca.error()["title"].as_str().unwrap().contains("stopped"));
    let mba = json!({"type": "metric_base_autoscale", "mba_scale_out": {"enable": true, "rules": [{"metric": "GROUP_CPU_USAGE", "threshold": 80, "duration": 2}]}});
    assert_eq!(
        api.call(
            "PATCH",
            "/v1/clusters/c1/nodegroups/default-worker",
            Some(mba)
        )
        .status,
        400
    );

    let start = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/default-worker/start_node",
        Some(json!({"node_list": nodes[1]})),
    );
    assert_eq!(start.status, 202);
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(
        api.get("/v1/clusters/c1")["health_status_reason"]["c1-default-worker-node-1.Ready"],
        "True"
    );
    let start = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/default-worker/start_node",
        Some(json!({"node_list": nodes[0]})),
    );
    assert_eq!(start.status, 202);
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    let upgrade = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/default-worker/upgrade",
        Some(json!({"version": "v1.30.3"})),
    );
    assert_eq!(upgrade.status, 202, "{}", upgrade.body);
    let kinds: Vec<Value> = api.get(&format!("/v1/clusters/{C1}/events"))["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].clone())
        .collect();
    assert!(kinds.contains(&json!("NODEGROUP_NODE_ACTION_STOP_NODE")));
    assert!(kinds.contains(&json!("NODEGROUP_NODE_ACTION_START_NODE")));
}

#[test]
fn the_two_autoscalers_are_never_on_at_once_and_metric_rules_are_checked() {
    let api = Api::start();
    let path = "/v1/clusters/c1/nodegroups/default-worker";
    let rule = json!({"metric": "GROUP_CPU_USAGE", "threshold": 80, "duration": 2});
    let out = |extra: Value| {
        let mut o = json!({"enable": true, "max_node_count": 6, "rules_operator": "or", "delay": 10, "adjustment_count": 2, "rules": [rule.clone()]});
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        json!({"type": "metric_base_autoscale", "mba_scale_out": o})
    };
    for (extra, name) in [
        (json!({"rules": []}), "mba_scale_out.rules"),
        (json!({"delay": 61}), "mba_scale_out.delay"),
        (
            json!({"adjustment_count": 11}),
            "mba_scale_out.adjustment_count",
        ),
        (
            json!({"rules_operator": "XOR"}),
            "mba_scale_out.rules_operator",
        ),
        (
            json!({"max_node_count": 11}),
            "mba_scale_out.max_node_count",
        ),
        (
            json!({"rules": [{"metric": "GROUP_GPU_USAGE", "threshold": 1, "duration": 2}]}),
            "mba_scale_out.rules[0].metric",
        ),
        (
            json!({"rules": [{"metric": "GROUP_CPU_USAGE", "threshold": 1, "duration": 1}]}),
            "mba_scale_out.rules[0].duration",
        ),
        (
            json!({"rules": [{"metric": "GROUP_CPU_USAGE", "duration": 2}]}),
            "mba_scale_out.rules[0].threshold",
        ),
    ] {
        assert_eq!(
            api.refused("PATCH", path, out(extra.clone())),
            field(name),
            "{extra}"
        );
    }
    assert_eq!(
        api.refused("PATCH", path, json!({"type": "metric_base_autoscale"})),
        field("mba_scale_out")
    );

    // The cluster autoscaler of `auto` is on: the metric-based one cannot be.
    let refused = api.call(
        "PATCH",
        "/v1/clusters/c1/nodegroups/auto",
        Some(out(json!({}))),
    );
    assert_eq!(refused.status, 400);
    assert!(refused.error()["detail"]
        .as_str()
        .unwrap()
        .contains("at the same time"));

    assert_eq!(api.call("PATCH", path, Some(out(json!({})))).status, 202);
    let group = api.wait(path, "UPDATE_COMPLETE");
    let stored: Value =
        serde_json::from_str(group["labels"]["mba_scale_out"].as_str().unwrap()).unwrap();
    assert_eq!(stored["max_node_count"], 6);
    let ca = api.call(
        "POST",
        &format!("{path}/autoscale"),
        Some(json!({"ca_enable": true})),
    );
    assert_eq!(ca.status, 400, "the metric-based autoscaler is on");
    let stop = api.call(
        "POST",
        &format!("{path}/stop_node"),
        Some(json!({"node_list": api.nodes("default-worker")[0]})),
    );
    assert_eq!(
        stop.status, 400,
        "no stopping under the metric-based autoscaler"
    );
    let resize = api.call(
        "POST",
        "/v1/clusters/c1/actions/resize",
        Some(json!({"nodegroup": "default-worker", "node_count": 1})),
    );
    assert_eq!(resize.status, 400);

    let off = json!({"type": "metric_base_autoscale", "mba_scale_out": {"enable": false}, "mba_scale_in": {"enable": false}});
    assert_eq!(api.call("PATCH", path, Some(off)).status, 202);
    api.wait(path, "UPDATE_COMPLETE");
    assert_eq!(
        api.call(
            "POST",
            &format!("{path}/autoscale"),
            Some(json!({"ca_enable": true}))
        )
        .status,
        202
    );
}

#[test]
fn flavor_floating_ip_node_labels_and_user_script() {
    let api = Api::start();
    let path = "/v1/clusters/c1/nodegroups/default-worker";
    assert_eq!(
        api.refused("PATCH", path, json!({"type": "size"})),
        field("type")
    );
    assert_eq!(api.refused("PATCH", path, json!({})), field("type"));
    assert_eq!(
        api.refused("PATCH", path, json!({"type": "flavor_id"})),
        field("flavor_id")
    );
    assert_eq!(
        api.refused(
            "PATCH",
            path,
            json!({"type": "flavor_id", "flavor_id": "f2", "num_buffer_nodes": 9})
        ),
        field("num_buffer_nodes"),
        "10 (quota) less 2 nodes is 8"
    );
    assert_eq!(
        api.refused(
            "PATCH",
            path,
            json!({"type": "flavor_id", "flavor_id": "f2", "num_max_unavailable_nodes": 3})
        ),
        field("num_max_unavailable_nodes")
    );
    let change = json!({"type": "flavor_id", "flavor_id": "f2", "num_buffer_nodes": 8, "num_max_unavailable_nodes": 2});
    assert_eq!(api.call("PATCH", path, Some(change)).status, 202);
    let busy = api.get(path);
    assert_eq!(
        (
            busy["status"].as_str(),
            busy["flavor_id"].as_str() != Some("f2")
        ),
        (Some("UPDATE_IN_PROGRESS"), true)
    );
    assert_eq!(api.get("/v1/clusters/c1")["status"], "UPDATE_IN_PROGRESS");
    assert_eq!(api.wait(path, "UPDATE_COMPLETE")["flavor_id"], "f2");
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");

    let fip = |info: Value| json!({"type": "fip_auto_bind", "fip_auto_bind_update_info": info});
    assert_eq!(
        api.refused("PATCH", path, fip(json!({"fip_auto_bind_enable": true}))),
        field("fip_auto_bind_update_info.fip_bind_subnet")
    );
    assert_eq!(
        api.refused(
            "PATCH",
            path,
            fip(json!({"fip_auto_bind_enable": true, "fip_bind_subnet": "elsewhere"}))
        ),
        field("fip_auto_bind_update_info.fip_bind_subnet")
    );
    let subnet = "4fdf5b80-3d35-43f5-a5c1-010a3b6c8e90";
    assert_eq!(
        api.call("PATCH", path, Some(fip(json!({"fip_auto_bind_enable": "True", "fip_bind_subnet": subnet, "fip_selector": "nks-fip"})))).status,
        202
    );
    let group = api.wait(path, "UPDATE_COMPLETE");
    assert_eq!(
        (
            group["labels"]["fip_auto_bind_enable"].as_str(),
            group["labels"]["fip_selector"].as_str()
        ),
        (Some("True"), Some("nks-fip"))
    );

    let many: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("k{i}"), json!("v"))).collect();
    assert_eq!(
        api.refused(
            "PATCH",
            path,
            json!({"type": "k8s_node_labels", "k8s_node_labels": many})
        ),
        field("k8s_node_labels")
    );
    assert_eq!(
        api.refused(
            "PATCH",
            path,
            json!({"type": "k8s_node_labels", "k8s_node_labels": {"tier": 1}})
        ),
        field("k8s_node_labels.tier")
    );
    let twenty: serde_json::Map<String, Value> =
        (0..20).map(|i| (format!("k{i:02}"), json!("v"))).collect();
    assert_eq!(
        api.call(
            "PATCH",
            path,
            Some(json!({"type": "k8s_node_labels", "k8s_node_labels": twenty}))
        )
        .status,
        202
    );
    let group = api.wait(path, "UPDATE_COMPLETE");
    assert_eq!(
        group["labels"]["k8s_node_labels"]
            .as_str()
            .unwrap()
            .split(',')
            .count(),
        20
    );

    assert_eq!(
        api.refused("POST", &format!("{path}/userscript"), json!({})),
        field("contents")
    );
    assert_eq!(
        api.call(
            "POST",
            &format!("{path}/userscript"),
            Some(json!({"contents": "#!/bin/sh\necho hi"}))
        )
        .status,
        202
    );
    assert_eq!(
        api.wait(path, "UPDATE_COMPLETE")["labels"]["user_script_v2"],
        "#!/bin/sh\necho hi"
    );
    let busy = api.call(
        "POST",
        &format!("{path}/userscript"),
        Some(json!({"contents": "a"})),
    );
    assert_eq!(busy.status, 202);
    let again = api.call(
        "POST",
        &format!("{path}/userscript"),
        Some(json!({"contents": "b"})),
    );
    assert_eq!(again.status, 400, "the node group is busy");
}

#[test]
fn upgrades_go_one_minor_version_at_a_time_control_plane_first() {
    let api = Api::start();
    let upgrade = |group: &str, body: Value| {
        api.call(
            "POST",
            &format!("/v1/clusters/c1/nodegroups/{group}/upgrade"),
            Some(body),
        )
    };
    let worker = "/v1/clusters/c1/nodegroups/default-worker";
    assert_eq!(
        api.get("/v1/clusters/c1")["labels"]["kube_version_status"],
        "NEED_UPGRADE"
    );
    let skip = upgrade("default-master", json!({"version": "v1.31.4"}));
    assert_eq!(skip.status, 400, "two minor versions");
    assert_eq!(
        skip.error()["detail"],
        "version: v1.31.4 is more than one minor version above v1.29.3: upgrade one minor version at a time"
    );
    let unknown = upgrade("default-master", json!({"version": "v1.30.9"}));
    assert_eq!(unknown.status, 400, "not supported");
    assert_eq!(
        unknown.error()["detail"],
        "version: v1.30.9 is not a supported Kubernetes version (see GET /v1/supports)"
    );
    assert_eq!(
        upgrade("default-worker", json!({"version": "v1.30.3"})).status,
        400,
        "above the control plane"
    );
    assert_eq!(
        upgrade("default-master", json!({"version": "v1.30.3"})).status,
        202
    );
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(api.get("/v1/clusters/c1")["labels"]["kube_tag"], "v1.30.3");
    assert_eq!(
        api.get(worker)["labels"]["kube_tag"],
        "v1.29.3",
        "each node group has its own version"
    );
    let again = upgrade("default-master", json!({"version": "v1.31.4"}));
    assert_eq!(again.status, 400, "workers first");
    assert!(again.error()["title"]
        .as_str()
        .unwrap()
        .contains("default-worker"));
    assert_eq!(
        api.refused(
            "POST",
            &format!("{worker}/upgrade"),
            json!({"version": "v1.30.3", "num_buffer_nodes": 9})
        ),
        field("num_buffer_nodes")
    );
    assert_eq!(
        api.refused(
            "POST",
            &format!("{worker}/upgrade"),
            json!({"version": "v1.30.3", "num_max_unavailable_nodes": 0})
        ),
        field("num_max_unavailable_nodes")
    );
    assert_eq!(
        upgrade(
            "default-worker",
            json!({"version": "v1.30.3", "num_buffer_nodes": 0, "num_max_unavailable_nodes": 2})
        )
        .status,
        202
    );
    let busy = upgrade("auto", json!({"version": "v1.30.3"}));
    assert_eq!(busy.status, 400, "one operation at a time in a cluster");
    let group = api.wait(worker, "UPDATE_COMPLETE");
    assert_eq!(group["labels"]["kube_tag"], "v1.30.3");
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(upgrade("auto", json!({"version": "v1.30.3"})).status, 202);
    api.wait("/v1/clusters/c1", "UPDATE_COMPLETE");
    assert_eq!(
        upgrade("default-master", json!({"version": "v1.31.4"})).status,
        202,
        "all workers caught up"
    );
}

#[test]
fn add_ons_keep_their_mandatory_types() {
    let api = Api::start();
    let types = api.get("/v1/addon_types");
    let mandatory: Vec<&str> = types["addon_types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["mandatory"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(mandatory, ["cni", "kube-dns"]);
    assert_eq!(api.call("GET", "/v1/addon_types/storage", None).status, 404);
    assert_eq!(
        api.call(
            "GET",
            "/v1/addons/00000000-0000-4000-8000-000000000000",
            None
        )
        .status,
        404
    );
    let installed: Vec<Value> = api.get("/v1/clusters/c1/addons")["addons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].clone())
        .collect();
    assert_eq!(installed, [json!("cni"), json!("kube-dns")]);

    let path = "/v1/clusters/c1/addons";
    let install = |body: Value| api.call("POST", path, Some(body));
    assert_eq!(
        api.refused(
            "POST",
            path,
            json!({"name": "metrics-server", "version": "v0.7.2-nks1"})
        ),
        field("resolve_conflicts")
    );
    assert_eq!(
        api.refused("POST", path, json!({"name": "metrics-server", "version": "v0.7.2-nks1", "resolve_conflicts": "sometimes"})),
        field("resolve_conflicts")
    );
    assert_eq!(
        api.refused(
            "POST",
            path,
            json!({"name": "istio", "version": "1", "resolve_conflicts": "none"})
        ),
        field("name")
    );
    assert_eq!(
        install(json!({"name": "calico", "version": "v3.29.3-nks1", "resolve_conflicts": "none"}))
            .status,
        409,
        "one CNI"
    );
    for mandatory in ["calico", "coredns"] {
        let refused = api.call("DELETE", &format!("{path}/{mandatory}"), None);
        assert_eq!(refused.status, 400, "{mandatory}");
        assert!(refused.error()["detail"]
            .as_str()
            .unwrap()
            .contains("mandatory"));
    }
    let answer = install(
        json!({"name": "metrics-server", "version": "v0.7.2-nks1", "resolve_conflicts": "overwrite", "options": {"replicas": "2"}}),
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.json()["uuid"], C1);
    assert_eq!(
        api.get(&format!("{path}/metrics-server"))["status"],
        "INSTALL_IN_PROGRESS"
    );
    let server = api.wait(&format!("{path}/metrics-server"), "INSTALL_COMPLETE");
    assert_eq!(server["options"]["replicas"], "2");

    // Updates: a known version, options that may change.
    assert_eq!(
        api.refused(
            "PATCH",
            &format!("{path}/calico"),
            json!({"version": "v9", "resolve_conflicts": "none"})
        ),
        field("version")
    );
    assert_eq!(
        api.refused("PATCH", &format!("{path}/calico"), json!({"version": "v3.29.3-nks1", "resolve_conflicts": "none", "options": {"mode": "ebpf"}})),
        field("options.mode")
    );
    assert_eq!(
        api.call(
            "PATCH",
            &format!("{path}/calico/"),
            Some(json!({"version": "v3.29.3-nks1", "resolve_conflicts": "preserve"}))
        )
        .status,
        202
    );
    let calico = api.wait(&format!("{path}/calico"), "UPDATE_COMPLETE");
    assert_eq!(
        (
            calico["version"].as_str(),
            calico["options"]["mode"].as_str()
        ),
        (Some("v3.29.3-nks1"), Some("vxlan"))
    );

    let uuid = server["uuid"].as_str().unwrap();
    assert_eq!(
        api.call("DELETE", &format!("{path}/{uuid}"), None).status,
        202
    );
    assert_eq!(
        api.get(&format!("{path}/metrics-server"))["status"],
        "UNINSTALL_IN_PROGRESS"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while api
        .call("GET", &format!("{path}/metrics-server"), None)
        .status
        != 404
    {
        assert!(std::time::Instant::now() < deadline, "never uninstalled");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kinds: Vec<Value> = api.get(&format!("/v1/clusters/{C1}/events"))["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].clone())
        .collect();
    for kind in [
        "CLUSTER_INSTALL_ADDON",
        "CLUSTER_UPDATE_ADDON",
        "CLUSTER_UNINSTALL_ADDON",
    ] {
        assert!(kinds.contains(&json!(kind)), "{kind}");
    }
}

#[test]
fn a_failed_uninstall_repaired_is_gone() {
    // Slow enough that the uninstall is still running when it is made to fail.
    let emu = Emulator::with_seed(&seed(), &["--op-delay-ms", "300"]);
    let token = emu.token();
    let api = Api { emu, token };
    let path = "/v1/clusters/c1/addons";
    let body =
        json!({"name": "metrics-server", "version": "v0.7.2-nks1", "resolve_conflicts": "none"});
    assert_eq!(api.call("POST", path, Some(body)).status, 202);
    let server = api.wait(&format!("{path}/metrics-server"), "INSTALL_COMPLETE");
    let uuid = server["uuid"].as_str().unwrap();
    assert_eq!(
        api.call("DELETE", &format!("{path}/{uuid}"), None).status,
        202
    );
    let cluster = json!({"cluster": "c1"}).to_string();
    assert_eq!(
        api.emu
            .call("POST", "/_emulator/fail", &[], Some(&cluster))
            .status,
        200
    );
    api.wait(&format!("{path}/metrics-server"), "UNINSTALL_FAILED");
    assert_eq!(api.emu.repair("c1"), 1);
    assert_eq!(
        api.call("GET", &format!("{path}/metrics-server"), None)
            .status,
        404
    );
}

#[test]
fn a_trailing_slash_names_the_same_resource() {
    let api = Api::start();
    for path in [
        "/v1/clusters",
        "/v1/clusters/c1",
        "/v1/clusters/c1/nodegroups",
        "/v1/clusters/c1/nodegroups/default-worker",
        "/v1/clusters/c1/nodegroups/default-worker/autoscale",
        "/v1/clusters/c1/addons",
        "/v1/clusters/c1/api_ep_ipacl",
        &format!("/v1/clusters/{C1}/events"),
        "/v1/addons",
        "/v1/addon_types",
        "/v1/supports",
    ] {
        assert_eq!(api.get(path), api.get(&format!("{path}/")), "{path}");
    }
    let created = api.call(
        "POST",
        "/v1/clusters/c1/nodegroups/",
        Some(json!({"name": "slash", "flavor_id": "f", "image_id": "i",
            "labels": {"availability_zone": "kr1-pub-a", "boot_volume_type": "General HDD", "boot_volume_size": "20", "ca_enable": "False"}})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        api.call("GET", "/v1/clusters/c1//", None).status,
        404,
        "one slash only"
    );
}

#[test]
fn supports_answers_versions_and_event_types() {
    let api = Api::start();
    let supports = api.get("/v1/supports");
    // A seed without its own table has the current guide's: v1.17.6 to v1.32.3, the
    // four newest supported.
    assert_eq!(
        supports["supported_k8s"],
        guide_example("supports.response")["supported_k8s"]
    );
    let types = supports["supported_event_type"].as_object().unwrap();
    assert_eq!(types.len(), 35);
    assert_eq!(
        types["CLUSTER_ROTATE_CERTIFICATE"],
        "Rotate cluster certificate"
    );
}

#[test]
fn a_new_cluster_gets_the_add_ons_it_names_and_the_mandatory_ones() {
    let api = Api::start();
    let request = |addons: Value| {
        let mut r = guide_example("create_cluster.request");
        r["name"] = json!("fresh");
        // The example's v1.23.3 is neither supported nor enough for its add-ons.
        r["labels"]["kube_tag"] = json!("v1.32.3");
        r["addons"] = addons;
        r
    };
    assert_eq!(
        api.refused(
            "POST",
            "/v1/clusters",
            request(json!([{"name": "flannel"}]))
        ),
        field("addons[0].name")
    );
    assert_eq!(
        api.refused(
            "POST",
            "/v1/clusters",
            request(json!([{"name": "calico"}, {"name": "calico", "version": "v3.29.3-nks1"}]))
        ),
        field("addons[1]")
    );
    assert_eq!(
        api.refused(
            "POST",
            "/v1/clusters",
            request(json!([{"name": "calico", "options": {"mode": "bgp"}}]))
        ),
        field("addons[0].options.mode")
    );
    let made = api.call(
        "POST",
        "/v1/clusters",
        Some(request(
            json!([{"name": "calico", "version": "v3.29.3-nks1", "options": {"mode": "ebpf"}}]),
        )),
    );
    assert_eq!(made.status, 202, "{}", made.body);
    let addons = api.get("/v1/clusters/fresh/addons/")["addons"].clone();
    let named: Vec<(&str, &str)> = addons
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["version"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [("coredns", "1.8.4-nks1"), ("calico", "v3.29.3-nks1")]
    );
    assert_eq!(addons[1]["options"]["mode"], "ebpf");
}

/// The guide's add-ons need Kubernetes v1.26.0 (their `k8s_min_version`): a cluster
/// below it is neither created with them nor given or updated to one.
#[test]
fn add_ons_need_the_guides_minimum_kubernetes_version() {
    let api = Api::with(&json!({
        "supported_k8s": {"v1.25.4": true, "v1.26.3": true},
        "clusters": [{"name": "old", "kube_tag": "v1.25.4"}, {"name": "new", "kube_tag": "v1.26.3"}]
    }));
    let minimum = |list: &Value| -> Vec<Value> {
        list["addons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["k8s_min_version"].clone())
            .collect()
    };
    let guides = minimum(&guide_example("list_addons.response"));
    assert_eq!(guides, [json!("v1.26.0"), json!("v1.26.0")]);
    assert_eq!(minimum(&api.get("/v1/addons")), vec![json!("v1.26.0"); 5]);

    let needs = |answer: Answer, what: &str| {
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(
            answer.error()["detail"],
            format!("{what} needs Kubernetes v1.26.0 or later"),
            "{}",
            answer.body
        );
    };
    let server =
        json!({"name": "metrics-server", "version": "v0.7.2-nks1", "resolve_conflicts": "none"});
    needs(
        api.call("POST", "/v1/clusters/old/addons", Some(server.clone())),
        "version: metrics-server v0.7.2-nks1",
    );
    // A cluster below the minimum has none of the default add-ons; one above has them.
    let names = |cluster: &str| -> Vec<Value> {
        api.get(&format!("/v1/clusters/{cluster}/addons"))["addons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].clone())
            .collect()
    };
    assert_eq!(names("old"), Vec::<Value>::new());
    assert_eq!(names("new"), [json!("calico"), json!("coredns")]);
    let mut create = guide_example("create_cluster.request");
    create["labels"]["kube_tag"] = json!("v1.25.4");
    needs(
        api.call("POST", "/v1/clusters", Some(create.clone())),
        "addons[0].version: calico v3.28.2-nks1",
    );
    let mut bare = create.clone();
    bare.as_object_mut().unwrap().remove("addons");
    bare["name"] = json!("bare");
    let created = api.call("POST", "/v1/clusters", Some(bare));
    assert_eq!(created.status, 202, "{}", created.body);
    assert_eq!(names("bare"), Vec::<Value>::new());

    let installed = api.call("POST", "/v1/clusters/new/addons", Some(server));
    assert_eq!(installed.status, 202, "{}", installed.body);
    create["labels"]["kube_tag"] = json!("v1.26.3");
    let created = api.call("POST", "/v1/clusters", Some(create));
    assert_eq!(created.status, 202, "{}", created.body);
}
