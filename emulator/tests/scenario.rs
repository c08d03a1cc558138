//! Sends every request example of the current guide, in a sensible order, and compares
//! each answer's field names and value types with the guide's response example
//! (`tests/fixtures/guide-current.json`, checked against the reference when it is
//! beside the repository).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Maps keyed by data (node names, versions, option names): only their values' types
/// are compared.
const KEYED_BY_DATA: [&str; 3] = ["health_status_reason", "supported_k8s", "options"];
/// Fields the guide's examples show on some items and not on others.
const OPTIONAL: [&str; 1] = ["description"];
/// Lists and maps that may be empty where the guide's example is not.
const MAY_BE_EMPTY: [&str; 3] = ["option_schemas", "options", "choices"];

fn guide_examples() -> Value {
    let path = format!(
        "{}/tests/fixtures/guide-current.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn guide(name: &str) -> Value {
    let examples = guide_examples();
    let example = examples
        .get(name)
        .unwrap_or_else(|| panic!("no example {name}"));
    example.clone()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn ends_with_any(at: &str, names: &[&str]) -> bool {
    names.iter().any(|k| at.ends_with(k))
}

/// Same field names (exactly, except that labels may be more) and same JSON types (a `null`
/// in the guide accepts anything: the guide documents those fields as nullable).
fn same_shape(guide: &Value, answer: &Value, at: &str) {
    match (guide, answer) {
        (Value::Null, _) => {}
        (Value::Object(g), Value::Object(a)) if ends_with_any(at, &KEYED_BY_DATA) => {
            assert!(
                !a.is_empty() || ends_with_any(at, &MAY_BE_EMPTY),
                "{at} is empty"
            );
            if let Some(sample) = g.values().next() {
                for (key, value) in a {
                    same_shape(sample, value, &format!("{at}.{key}"));
                }
            }
        }
        (Value::Object(g), Value::Object(a)) => {
            // Labels are an open map: a cluster carries those its creation set, and the
            // service adds some; the labels both have must agree in type.
            let labels = at.ends_with("labels");
            for (key, value) in g {
                match a.get(key) {
                    Some(other) => same_shape(value, other, &format!("{at}.{key}")),
                    None if labels || OPTIONAL.contains(&key.as_str()) => {}
                    None => panic!("{at}.{key} is missing"),
                }
            }
            if !labels {
                let extra: Vec<&String> = a.keys().filter(|k| !g.contains_key(*k)).collect();
                assert!(
                    extra.is_empty(),
                    "{at} has fields the guide does not show: {extra:?}"
                );
            }
        }
        (Value::Array(g), Value::Array(a)) => {
            if let Some(first) = g.first() {
                assert!(
                    !a.is_empty() || ends_with_any(at, &MAY_BE_EMPTY),
                    "{at} is empty"
                );
                for (i, item) in a.iter().enumerate() {
                    same_shape(first, item, &format!("{at}[{i}]"));
                }
            }
        }
        _ => assert_eq!(kind(guide), kind(answer), "{at}: {answer}"),
    }
}

fn check(answer: &Answer, status: u16, example: &str) -> Value {
    assert_eq!(answer.status, status, "{example}: {}", answer.body);
    let body = answer.json();
    same_shape(&guide(example), &body, example);
    body
}

/// The versions of the guide's upgrade example (v1.18 → v1.19) and the one its clusters
/// are created at here (the example's v1.23.3 is below its add-ons' `k8s_min_version`
/// v1.26.0). A cluster `old` for the upgrade, created with a service gateway and a node
/// group with an additional subnet (the floating-IP example's); a cluster `current`,
/// recent enough for add-ons, without managed ones but the CNI (for the install example).
fn scenario_seed() -> Value {
    json!({
        "supported_k8s": {"v1.18.19": true, "v1.19.13": true, "v1.22.3": false, "v1.29.3": true},
        "clusters": [{
            "name": "old",
            "kube_tag": "v1.18.19",
            "labels": {
                "ncr_sgw": "0b2b4ea9-2d54-4d2f-8c41-0f2b8fb5a001",
                "obs_sgw": "0b2b4ea9-2d54-4d2f-8c41-0f2b8fb5a002"
            },
            "nodegroups": [{
                "name": "default-worker", "node_count": 2,
                "labels": {"additional_subnet_id_list": "7f3237f6-ce05-4e9c-bce8-bbaabd22e83a"}
            }]
        }, {
            "name": "current",
            "kube_tag": "v1.29.3",
            "addons": ["calico"]
        }]
    })
}

#[test]
fn the_current_guides_examples_round_trip_through_the_emulator() {
    let emu = Emulator::with_seed(&scenario_seed(), &["--op-delay-ms", "30"]);
    let token = emu.token();
    let call = |method: &str, path: &str, body: Option<&Value>| emu.nks(&token, method, path, body);
    let settle = |cluster: &str| {
        let path = format!("/v1/clusters/{cluster}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let c = call("GET", &path, None).json();
            let groups = call("GET", &format!("{path}/nodegroups"), None).json();
            let busy = |s: &Value| s.as_str().unwrap().ends_with("_IN_PROGRESS");
            if !busy(&c["status"])
                && !groups["nodegroups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|g| busy(&g["status"]))
            {
                return c;
            }
            assert!(std::time::Instant::now() < deadline, "{cluster} stays busy");
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
    };

    // Clusters: the example at a version its add-ons run on.
    let mut create = guide("create_cluster.request");
    create["labels"]["kube_tag"] = json!("v1.29.3");
    let created = check(
        &call("POST", "/v1/clusters", Some(&create)),
        202,
        "create_cluster.response",
    );
    let uuid = created["uuid"].as_str().unwrap().to_owned();
    emu.wait_for(&token, "/v1/clusters/test-k8s", "status", "CREATE_COMPLETE");
    let node_uuids = || -> Vec<Value> {
        let nodes = emu.call("GET", "/_emulator/nodes/test-k8s/default-worker", &[], None);
        let list = nodes.json()["nodes"].as_array().unwrap().clone();
        list.iter().map(|n| n["uuid"].clone()).collect()
    };
    for (request, nodes) in [("resize_grow.request", 3), ("resize_shrink.request", 1)] {
        let mut body = guide(request);
        let mut kept = node_uuids();
        if let Some(named) = body.get_mut("nodes_to_remove") {
            // The guide's UUIDs stand for two of the nodes: name two real ones.
            let real = kept.drain(..named.as_array().unwrap().len()).collect();
            *named = Value::Array(real);
        }
        check(
            &call("POST", "/v1/clusters/test-k8s/actions/resize", Some(&body)),
            202,
            "resize.response",
        );
        assert_eq!(settle("test-k8s")["node_count"], nodes);
        if request == "resize_shrink.request" {
            assert_eq!(node_uuids(), kept, "the named nodes went");
        }
    }
    check(
        &call("GET", "/v1/clusters", None),
        200,
        "list_clusters.response",
    );
    let detail = check(
        &call("GET", "/v1/clusters/test-k8s", None),
        200,
        "get_cluster.response",
    );
    assert_eq!(detail["labels"]["cert_manager_api"], "True");
    assert_eq!(detail["labels"]["platform_version"], "1.202511.0");
    assert_eq!(detail["labels"]["kube_version_status"], "LATEST");
    assert_eq!(detail["labels"]["term_of_validity"], "5");
    let expiry = detail["labels"]["certificate_expiry"].as_str().unwrap();
    let created_year: i32 = detail["created_at"].as_str().unwrap()[..4].parse().unwrap();
    assert!(
        expiry.starts_with(&(created_year + 5).to_string()),
        "{expiry}"
    );
    for label in [
        "kube_tag",
        "availability_zone",
        "node_image",
        "external_network_id",
        "strict_sg_rules",
        "service_cluster_ip_range",
        "pods_network_cidr",
        "pods_network_subnet",
    ] {
        assert!(detail["labels"][label].is_string(), "labels.{label}");
    }
    let config = check(
        &call("GET", "/v1/clusters/test-k8s/config", None),
        200,
        "kubeconfig.response",
    );

    // Task history, by the cluster's UUID.
    let events = check(
        &call("GET", &format!("/v1/clusters/{uuid}/events"), None),
        200,
        "list_events.response",
    );
    let kinds: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["CLUSTER_CREATE", "CLUSTER_RESIZE", "CLUSTER_RESIZE"]
    );
    let first = events["events"][0]["uuid"].as_str().unwrap();
    let event = check(
        &call("GET", &format!("/v1/clusters/{uuid}/events/{first}"), None),
        200,
        "get_event.response",
    );
    assert_eq!(event["state"], "SUCCESS");

    // IP access control, certificates, service gateway, control-plane logs.
    check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/api_ep_ipacl",
            Some(&guide("set_ipacl.request")),
        ),
        202,
        "set_ipacl.response",
    );
    settle("test-k8s");
    let acl = check(
        &call("GET", "/v1/clusters/test-k8s/api_ep_ipacl", None),
        200,
        "get_ipacl_enabled.response",
    );
    assert_eq!(acl["ipacl_targets"][1]["description"], "Your Friends");
    call(
        "POST",
        "/v1/clusters/test-k8s/api_ep_ipacl",
        Some(&json!({"enable": "false"})),
    );
    settle("test-k8s");
    check(
        &call("GET", "/v1/clusters/test-k8s/api_ep_ipacl", None),
        200,
        "get_ipacl_disabled.response",
    );
    check(
        &call(
            "PATCH",
            "/v1/certificates/test-k8s",
            Some(&guide("renew_certificates.request")),
        ),
        202,
        "renew_certificates.response",
    );
    let renewed = settle("test-k8s");
    assert_eq!(renewed["labels"]["term_of_validity"], "5");
    assert_ne!(
        call("GET", "/v1/clusters/test-k8s/config", None).json()["config"],
        config["config"]
    );
    check(
        &call(
            "POST",
            "/v1/clusters/old/actions/update_sgw",
            Some(&guide("update_sgw.request")),
        ),
        202,
        "update_sgw.response",
    );
    assert_eq!(
        settle("old")["labels"]["ncr_sgw"],
        "48f4ff38-d14b-4f34-a40c-705524e6a755"
    );
    for request in [
        "control_plane_log_lncs.request",
        "control_plane_log_obs.request",
        "control_plane_log_off.request",
    ] {
        check(
            &call("PATCH", "/v1/clusters/test-k8s", Some(&guide(request))),
            202,
            "control_plane_log.response",
        );
        settle("test-k8s");
    }

    // Node groups.
    check(
        &call("GET", "/v1/clusters/test-k8s/nodegroups/", None),
        200,
        "list_nodegroups.response",
    );
    check(
        &call(
            "GET",
            "/v1/clusters/test-k8s/nodegroups/default-worker",
            None,
        ),
        200,
        "get_nodegroup.response",
    );
    check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/nodegroups",
            Some(&guide("create_nodegroup.request")),
        ),
        201,
        "create_nodegroup.response",
    );
    settle("test-k8s");
    let nodes = emu.call("GET", "/_emulator/nodes/test-k8s/default-worker", &[], None);
    let node = nodes.json()["nodes"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    for (action, example) in [("stop_node", "stop_node"), ("start_node", "start_node")] {
        let mut request = guide(&format!("{example}.request"));
        request["node_list"] = json!(node);
        check(
            &call(
                "POST",
                &format!("/v1/clusters/test-k8s/nodegroups/default-worker/{action}"),
                Some(&request),
            ),
            202,
            &format!("{example}.response"),
        );
        settle("test-k8s");
    }
    for request in [
        "metric_autoscale_on.request",
        "metric_autoscale_off.request",
    ] {
        check(
            &call(
                "PATCH",
                "/v1/clusters/test-k8s/nodegroups/added-nodegroup",
                Some(&guide(request)),
            ),
            202,
            "metric_autoscale.response",
        );
        settle("test-k8s");
    }
    check(
        &call(
            "GET",
            "/v1/clusters/test-k8s/nodegroups/default-worker/autoscale",
            None,
        ),
        200,
        "get_autoscale.response",
    );
    check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/nodegroups/default-worker/autoscale",
            Some(&guide("set_autoscale.request")),
        ),
        202,
        "set_autoscale.response",
    );
    settle("test-k8s");
    for (request, response) in [
        ("userscript.request", "userscript.response"),
        ("change_flavor.request", "change_flavor.response"),
        ("k8s_node_labels.request", "k8s_node_labels.response"),
    ] {
        let path = if request.starts_with("userscript") {
            "/v1/clusters/test-k8s/nodegroups/default-worker/userscript"
        } else {
            "/v1/clusters/test-k8s/nodegroups/default-worker"
        };
        let method = if request.starts_with("userscript") {
            "POST"
        } else {
            "PATCH"
        };
        check(&call(method, path, Some(&guide(request))), 202, response);
        settle("test-k8s");
    }
    let worker = call(
        "GET",
        "/v1/clusters/test-k8s/nodegroups/default-worker",
        None,
    )
    .json();
    assert_eq!(worker["flavor_id"], "1d0d6983-8e9d-44dc-810e-d7689afa372c");
    assert_eq!(
        worker["labels"]["user_script_v2"],
        "user script contents here..."
    );
    assert_eq!(
        worker["labels"]["k8s_node_labels"],
        "node_type=production,pod_type=opt"
    );
    check(
        &call(
            "PATCH",
            "/v1/clusters/old/nodegroups/default-worker",
            Some(&guide("fip_auto_bind.request")),
        ),
        202,
        "fip_auto_bind.response",
    );
    settle("old");

    // Upgrade: the control plane, then the workers.
    for group in ["default-master", "default-worker"] {
        check(
            &call(
                "POST",
                &format!("/v1/clusters/old/nodegroups/{group}/upgrade"),
                Some(&guide("upgrade.request")),
            ),
            202,
            "upgrade.response",
        );
        settle("old");
    }
    let old = call("GET", "/v1/clusters/old/nodegroups/default-worker", None).json();
    assert_eq!(old["labels"]["kube_tag"], "v1.19.13");

    // Add-ons.
    let cni = check(
        &call("GET", "/v1/addon_types/cni", None),
        200,
        "get_addon_type.response",
    );
    assert_eq!(cni["mandatory"], true);
    check(
        &call("GET", "/v1/addon_types/", None),
        200,
        "list_addon_types.response",
    );
    check(
        &call(
            "GET",
            "/v1/addons/23454567-1234-12d3-a456-426614174001",
            None,
        ),
        200,
        "get_addon.response",
    );
    check(
        &call("GET", "/v1/addons/", None),
        200,
        "list_addons.response",
    );
    check(
        &call(
            "POST",
            "/v1/clusters/current/addons/",
            Some(&guide("install_addon.request")),
        ),
        202,
        "install_addon.response",
    );
    let installed = emu.wait_for(
        &token,
        "/v1/clusters/current/addons/coredns",
        "status",
        "INSTALL_COMPLETE",
    );
    same_shape(
        &guide("get_cluster_addon.response"),
        &installed,
        "installed",
    );
    check(
        &call(
            "PATCH",
            "/v1/clusters/current/addons/coredns",
            Some(&guide("update_addon.request")),
        ),
        202,
        "update_addon.response",
    );
    emu.wait_for(
        &token,
        "/v1/clusters/current/addons/coredns",
        "status",
        "UPDATE_COMPLETE",
    );
    check(
        &call("GET", "/v1/clusters/test-k8s/addons/calico", None),
        200,
        "get_cluster_addon.response",
    );
    check(
        &call("GET", "/v1/clusters/current/addons/", None),
        200,
        "list_cluster_addons.response",
    );
    call(
        "POST",
        "/v1/clusters/current/addons",
        Some(
            &json!({"name": "metrics-server", "version": "v0.7.2-nks1", "resolve_conflicts": "none"}),
        ),
    );
    emu.wait_for(
        &token,
        "/v1/clusters/current/addons/metrics-server",
        "status",
        "INSTALL_COMPLETE",
    );
    check(
        &call("DELETE", "/v1/clusters/current/addons/metrics-server", None),
        202,
        "uninstall_addon.response",
    );

    check(&call("GET", "/v1/supports", None), 200, "supports.response");
    let deleted = call("DELETE", "/v1/clusters/test-k8s", None);
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
}

/// Where the reference sits: `shared/` beside the repository (CI), or beside the
/// directory that holds the worktree.
fn reference() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [2, 3].into_iter().find_map(|up| {
        let mut dir = manifest.clone();
        for _ in 0..up {
            dir.pop();
        }
        let path = dir.join("shared/reference/nks-api-current.en.md");
        path.exists().then_some(path)
    })
}

#[test]
fn the_fixtures_are_the_guides_examples() {
    let Some(path) = reference() else {
        eprintln!("the reference is not beside the repository: nothing to compare");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let blocks: Vec<&str> = text
        .split("```json")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    let examples = guide_examples();
    let fixtures: Vec<(&String, &Value)> = examples
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.as_str() != "//")
        .collect();
    assert_eq!(blocks.len(), fixtures.len(), "one fixture per example");
    let mut compared = 0;
    for block in &blocks {
        // The few examples that are not JSON in the guide are fixed in the fixture (see its note).
        if let Ok(parsed) = serde_json::from_str::<Value>(block) {
            assert!(
                fixtures.iter().any(|(_, f)| **f == parsed),
                "no fixture holds the guide's example {parsed}"
            );
            compared += 1;
        }
    }
    assert_eq!(
        compared,
        fixtures.len() - 4,
        "four examples are not JSON in the guide"
    );
}
