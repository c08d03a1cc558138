//! Sends every request example of the guide, in a sensible order, and compares each
//! answer's field names and value types with the guide's response example.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};

/// Maps keyed by data (node names, versions): only their values' types are compared.
const KEYED_BY_DATA: [&str; 2] = ["health_status_reason", "supported_k8s"];

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

/// Same field names (exactly, except that labels may be more) and same JSON types (a `null`
/// in the guide accepts anything: the guide documents those fields as nullable).
fn same_shape(guide: &Value, answer: &Value, at: &str) {
    match (guide, answer) {
        (Value::Null, _) => {}
        (Value::Object(g), Value::Object(a)) if KEYED_BY_DATA.iter().any(|k| at.ends_with(k)) => {
            let sample = g.values().next().unwrap();
            assert!(!a.is_empty(), "{at} is empty");
            for (key, value) in a {
                same_shape(sample, value, &format!("{at}.{key}"));
            }
        }
        (Value::Object(g), Value::Object(a)) => {
            for (key, value) in g {
                let other = a
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} is missing"));
                same_shape(value, other, &format!("{at}.{key}"));
            }
            // Labels are an open map: the service may add labels the guide does not show.
            if !at.ends_with("labels") {
                let extra: Vec<&String> = a.keys().filter(|k| !g.contains_key(*k)).collect();
                assert!(
                    extra.is_empty(),
                    "{at} has fields the guide does not show: {extra:?}"
                );
            }
        }
        (Value::Array(g), Value::Array(a)) => {
            if let Some(first) = g.first() {
                assert!(!a.is_empty(), "{at} is empty");
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
    same_shape(&fixture(example), &body, example);
    body
}

#[test]
fn the_guides_examples_round_trip_through_the_emulator() {
    let emu = Emulator::with_seed(&json!({"clusters": []}), &["--op-delay-ms", "30"]);
    let token = emu.token();
    let call = |method: &str, path: &str, body: Option<&Value>| emu.nks(&token, method, path, body);
    let settle = || emu.wait_for(&token, "/v1/clusters/test-k8s", "status", "UPDATE_COMPLETE");

    check(
        &call(
            "POST",
            "/v1/clusters",
            Some(&fixture("create_cluster.request")),
        ),
        202,
        "create_cluster.response",
    );
    emu.wait_for(&token, "/v1/clusters/test-k8s", "status", "CREATE_COMPLETE");

    check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/actions/resize",
            Some(&fixture("resize_grow.request")),
        ),
        202,
        "resize.response",
    );
    settle();
    check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/actions/resize",
            Some(&fixture("resize_shrink.request")),
        ),
        202,
        "resize.response",
    );
    settle();

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
    assert_eq!(detail["node_count"], 1);
    assert_eq!(
        detail["labels"]["boot_volume_size"], "20",
        "labels keep the wire form"
    );
    assert_eq!(detail["labels"]["cert_manager_api"], "True");
    let config = check(
        &call("GET", "/v1/clusters/test-k8s/config", None),
        200,
        "kubeconfig.response",
    );
    assert!(config["config"]
        .as_str()
        .unwrap()
        .contains(detail["api_address"].as_str().unwrap()));

    check(
        &call("GET", "/v1/clusters/test-k8s/nodegroups", None),
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
    let created = check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/nodegroups",
            Some(&fixture("create_nodegroup.request")),
        ),
        201,
        "create_nodegroup.response",
    );
    assert_eq!(created["max_node_count"], Value::Null);
    assert_eq!(created["name"], "added-nodegroup");

    check(
        &call(
            "GET",
            "/v1/clusters/test-k8s/nodegroups/default-worker/autoscale",
            None,
        ),
        200,
        "get_autoscale.response",
    );
    let set = check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/nodegroups/default-worker/autoscale",
            Some(&fixture("set_autoscale.request")),
        ),
        202,
        "set_autoscale.response",
    );
    let after = call(
        "GET",
        "/v1/clusters/test-k8s/nodegroups/default-worker/autoscale",
        None,
    )
    .json();
    assert_eq!(after["ca_scale_down_delay_after_add"], 30);
    assert_eq!(after["ca_scale_down_unneeded_time"], 20);
    assert_eq!(after["ca_scale_down_util_thresh"], 40);

    let upgraded = check(
        &call(
            "POST",
            "/v1/clusters/test-k8s/nodegroups/default-master/upgrade",
            Some(&fixture("upgrade.request")),
        ),
        202,
        "upgrade.response",
    );
    assert_ne!(
        upgraded["uuid"], set["uuid"],
        "the control plane's node group, not the worker's"
    );
    settle();

    check(&call("GET", "/v1/supports", None), 200, "supports.response");
    let deleted = call("DELETE", "/v1/clusters/test-k8s", None);
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
}
