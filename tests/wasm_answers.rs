//! The two readings of an answer agree: the shapes of `api::answer`, read in
//! JavaScript (what the package hands back), and the typed models (the Rust API and
//! the planner), over every answer of the guide; and the shapes' rules on their own.
//! Runs in Node (wasm32), where the package's reader runs.
#![cfg(target_arch = "wasm32")]

use nks_edge::api::answer::{read, Answer};
use nks_edge::api::{self, Call, FromAnswer, Operation, OPERATIONS};
use nks_edge::model::{from_json, UuidResponse};
use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// An answer of the guide (tests/fixtures/), by name.
fn fixture_text(name: &str) -> String {
    let text = FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
        .1;
    let mut value: Value = serde_json::from_str(text).unwrap();
    if let Some(map) = value.as_object_mut() {
        map.remove("//");
    }
    value.to_string()
}

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("fixtures/", $name, ".json")))),*]
    };
}

const FIXTURES: &[(&str, &str)] = fixtures![
    "list_clusters.response",
    "get_cluster.response",
    "list_nodegroups.response",
    "get_nodegroup.response",
    "create_nodegroup.response",
    "get_autoscale.response",
    "kubeconfig.response",
    "supports.response",
    "current/list_clusters.response",
    "current/get_cluster.response",
    "current/list_nodegroups.response",
    "current/get_nodegroup.response",
    "current/create_nodegroup.response",
    "current/get_autoscale.response",
    "current/kubeconfig.response",
    "current/supports.response",
    "current/list_events.response",
    "current/get_event.response",
    "current/get_ip_acl_enabled.response",
    "current/get_ip_acl_disabled.response",
    "current/list_addon_types.response",
    "current/get_addon_type.response",
    "current/list_addons.response",
    "current/get_addon.response",
    "current/list_cluster_addons.response",
    "current/get_cluster_addon.response",
    "current/create_cluster.response",
    "current/resize.response",
    "current/set_autoscale.response",
    "current/upgrade.response",
    "current/set_ip_acl.response",
    "current/renew_certificates.response",
    "current/update_service_gateways.response",
    "current/stop_nodes.response",
    "current/start_nodes.response",
    "current/metric_autoscale.response",
    "current/change_flavor.response",
    "current/fip_auto_bind.response",
    "current/node_labels.response",
    "current/user_script.response",
    "current/install_addon.response",
    "current/update_addon.response",
    "current/uninstall_addon.response",
];

/// What the package gives JavaScript for `text` as an answer of `op`, as JSON.
fn shaped(op: &'static Operation, text: &str) -> Result<Value, String> {
    let value = read(&op.answer, &JsValue::from_str(text)).map_err(|e| e.to_string())?;
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    let json = js_sys::JSON::stringify(&value)
        .unwrap()
        .as_string()
        .unwrap();
    Ok(serde_json::from_str(&json).unwrap())
}

/// The two readings hold the same fields with equal values, but for `null`: the typed
/// reading leaves a documented field that is `null` out and keeps an undocumented one
/// as `null`; the shaped reading makes both absent.
fn assert_within(typed: &Value, shaped: &Value, at: &str) {
    match (typed, shaped) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a.iter().filter(|(_, v)| !v.is_null()) {
                let other = b
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key}: typed reading has it, shaped has not"));
                assert_within(value, other, &format!("{at}.{key}"));
            }
            for (key, value) in b {
                assert!(
                    a.contains_key(key),
                    "{at}.{key}: shaped reading has it, typed has not"
                );
                assert!(!value.is_null(), "{at}.{key}: null reached JavaScript");
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_within(x, y, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(typed, shaped, "{at}"),
    }
}

/// `call`'s typed reading (its result's [`FromAnswer`], what `NksClient::execute` reads)
/// and its shaped one agree over `fixture`.
fn agree<R: FromAnswer + Serialize>(fixture: &str, call: Call<R>) {
    let text = fixture_text(fixture);
    let mut typed = serde_json::to_value(R::from_answer(&text).unwrap()).unwrap();
    // Typed readings of a wrapper (`Kubeconfig`, `Supports`) hold the picked field.
    if let Answer::Pick(field) = &call.op.answer {
        if let Some(picked) = typed.get_mut(field.name) {
            typed = picked.take();
        }
    }
    let shaped = shaped(call.op, &text).unwrap();
    assert_within(&typed, &shaped, fixture);
    refuse_alike(fixture, &call);
}

/// Each field of the answer taken out in turn (at every depth): the two readings
/// refuse the same answers, so they require the same fields and read the same
/// values as wrong. (`supportedEventTypes` reads one field of `/v1/supports`, whose
/// typed reading also requires `supported_k8s`: there only the shaped reading may
/// accept more.)
fn refuse_alike<R: FromAnswer>(fixture: &str, call: &Call<R>) {
    let original: Value = serde_json::from_str(&fixture_text(fixture)).unwrap();
    let mut paths = Vec::new();
    collect_paths(&original, &mut Vec::new(), &mut paths);
    assert!(!paths.is_empty(), "{fixture}");
    for path in paths {
        let mut mutated = original.clone();
        remove_at(&mut mutated, &path);
        let text = mutated.to_string();
        let typed_refuses = R::from_answer(&text).is_err();
        let shaped_refuses = shaped(call.op, &text).is_err();
        let lenient = call.op.name == "supportedEventTypes" && !shaped_refuses;
        assert!(
            typed_refuses == shaped_refuses || lenient,
            "{fixture} without {path:?}: typed refuses {typed_refuses}, shaped {shaped_refuses}"
        );
    }
}

/// The paths of every object key, as (key or index) steps.
fn collect_paths(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                at.push(key.clone());
                out.push(at.clone());
                collect_paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(i.to_string());
                collect_paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn remove_at(value: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = value;
    for step in parents {
        at = match at {
            Value::Object(map) => map.get_mut(step).unwrap(),
            Value::Array(items) => items.get_mut(step.parse::<usize>().unwrap()).unwrap(),
            _ => return,
        };
    }
    if let Value::Object(map) = at {
        map.remove(last);
    }
}

#[wasm_bindgen_test]
fn shapes_and_typed_models_read_every_answer_of_the_guide_alike() {
    let (c, g) = ("prod", "default-worker");
    for dir in ["", "current/"] {
        let f = |name: &str| format!("{dir}{name}.response");
        agree(&f("list_clusters"), api::list_clusters().unwrap());
        agree(&f("get_cluster"), api::get_cluster(c).unwrap());
        agree(&f("list_nodegroups"), api::list_nodegroups(c).unwrap());
        agree(&f("get_nodegroup"), api::get_nodegroup(c, g).unwrap());
        agree(&f("create_nodegroup"), {
            let mut call = api::get_nodegroup(c, g).unwrap();
            call.op = &api::CREATE_NODEGROUP;
            call
        });
        agree(&f("get_autoscale"), api::get_autoscale(c, g).unwrap());
        agree(&f("kubeconfig"), api::kubeconfig(c).unwrap());
        agree(&f("supports"), api::supported_versions().unwrap());
    }
    let uuid = "2b778d83-8b67-45b1-920e-b0c5ad5c2f30";
    let f = |name: &str| format!("current/{name}.response");
    agree(&f("supports"), api::supported_event_types().unwrap());
    agree(&f("list_events"), api::list_events(uuid).unwrap());
    agree(&f("get_event"), api::get_event(uuid, uuid).unwrap());
    agree(&f("get_ip_acl_enabled"), api::get_ip_acl(c).unwrap());
    agree(&f("get_ip_acl_disabled"), api::get_ip_acl(c).unwrap());
    agree(&f("list_addon_types"), api::list_addon_types().unwrap());
    agree(&f("get_addon_type"), api::get_addon_type("cni").unwrap());
    agree(&f("list_addons"), api::list_addons().unwrap());
    agree(&f("get_addon"), api::get_addon(uuid).unwrap());
    agree(
        &f("list_cluster_addons"),
        api::list_cluster_addons(c).unwrap(),
    );
    agree(
        &f("get_cluster_addon"),
        api::get_cluster_addon(c, "calico").unwrap(),
    );
    // The writes that answer `{"uuid": …}`.
    for (name, op) in [
        ("create_cluster", &api::CREATE_CLUSTER),
        ("resize", &api::RESIZE),
        ("set_autoscale", &api::SET_AUTOSCALE),
        ("upgrade", &api::UPGRADE),
        ("set_ip_acl", &api::SET_IP_ACL),
        ("renew_certificates", &api::RENEW_CERTIFICATES),
        ("update_service_gateways", &api::UPDATE_SERVICE_GATEWAYS),
        ("stop_nodes", &api::STOP_NODES),
        ("start_nodes", &api::START_NODES),
        ("metric_autoscale", &api::SET_METRIC_AUTOSCALE),
        ("change_flavor", &api::CHANGE_FLAVOR),
        ("fip_auto_bind", &api::SET_FLOATING_IP_AUTO_BIND),
        ("node_labels", &api::SET_NODE_LABELS),
        ("user_script", &api::SET_USER_SCRIPT),
        ("install_addon", &api::INSTALL_ADDON),
        ("update_addon", &api::UPDATE_ADDON),
        ("uninstall_addon", &api::UNINSTALL_ADDON),
    ] {
        let text = fixture_text(&f(name));
        let typed = serde_json::to_value(from_json::<UuidResponse>(&text).unwrap()).unwrap();
        assert_within(&typed, &shaped(op, &text).unwrap(), name);
    }
}

#[wasm_bindgen_test]
fn every_operation_says_what_it_answers() {
    for op in OPERATIONS {
        let deletes = op.name.starts_with("delete");
        assert_eq!(
            shaped(op, "{}").is_ok_and(|v| v.is_null()),
            deletes,
            "{}",
            op.name
        );
        assert_eq!(op.answer == Answer::Nothing, deletes, "{}", op.name);
    }
}

#[wasm_bindgen_test]
fn flags_and_counts_are_read_leniently_and_the_rest_kept() {
    let body = r#"{"clusters": [{"uuid": "u", "name": "a", "node_count": "3", "links": [1],
        "labels": {"ca_enable": " TRUE ", "ca_min_node_count": 2.0, "boot_volume_size": "20",
                   "etcd_volume_size": "10", "extra_volumes": [{"volume_size": "50"}]}}]}"#;
    let clusters = shaped(&api::LIST_CLUSTERS, body).unwrap();
    assert_eq!(
        clusters,
        json!([{"uuid": "u", "name": "a", "node_count": 3, "links": [1],
            "labels": {"ca_enable": true, "ca_min_node_count": 2, "boot_volume_size": 20,
                       "etcd_volume_size": "10", "extra_volumes": [{"volume_size": 50}]}}])
    );
    let acl = shaped(
        &api::GET_IP_ACL,
        r#"{"enable": "False", "ipacl_targets": [{"cidr_address": "10.0.0.0/8", "descripion": "vpn"}]}"#,
    )
    .unwrap();
    assert_eq!(
        acl,
        json!({"enable": false, "ipacl_targets": [{"cidr_address": "10.0.0.0/8", "description": "vpn"}]})
    );
    let versions = shaped(
        &api::SUPPORTED_VERSIONS,
        r#"{"supported_k8s": {"v1.30.3": "True", "v1.29.0": false}}"#,
    )
    .unwrap();
    assert_eq!(versions, json!({"v1.30.3": true, "v1.29.0": false}));
    let events = shaped(&api::SUPPORTED_EVENT_TYPES, r#"{"supported_k8s": {}}"#).unwrap();
    assert_eq!(events, json!({}));
}

#[wasm_bindgen_test]
fn a_wrong_answer_names_the_field() {
    let cases = [
        (
            &api::LIST_CLUSTERS,
            r#"{"clusters": [{"uuid": "u", "name": "a"}, {"uuid": "v"}]}"#,
            "clusters[1].name: is missing",
        ),
        (
            &api::LIST_CLUSTERS,
            r#"{"clusters": [{"uuid": "u", "name": "a", "labels": {"ca_enable": "yes"}}]}"#,
            "clusters[0].labels.ca_enable: expected a boolean or \"True\"/\"False\"",
        ),
        (
            &api::GET_NODEGROUP,
            r#"{"uuid": "u", "name": "a", "node_count": -1}"#,
            "node_count: expected a whole number (or a string of digits)",
        ),
        (
            &api::GET_NODEGROUP,
            r#"{"uuid": "u", "name": "a", "node_count": "1.5"}"#,
            "node_count: expected a whole number (or a string of digits)",
        ),
        (
            &api::LIST_CLUSTERS,
            r#"{"clusters": {}}"#,
            "clusters: expected an array",
        ),
        (&api::LIST_CLUSTERS, r#"{}"#, "clusters: is missing"),
        (&api::GET_CLUSTER, r#"[]"#, "expected an object"),
        (
            &api::GET_KUBECONFIG,
            r#"{"config": 7}"#,
            "config: expected a string",
        ),
        (
            &api::GET_AUTOSCALE,
            r#"{"ca_enable": null}"#,
            "ca_enable: is missing",
        ),
    ];
    for (op, body, message) in cases {
        assert_eq!(shaped(op, body).unwrap_err(), message, "{body}");
    }
}
