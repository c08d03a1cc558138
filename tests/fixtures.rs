//! Every JSON example of the guide: responses parse into the typed models with the
//! right values and survive a round trip; requests built from typed input are what
//! the guide shows.

mod common;

use common::{block_on, fixture, fixture_text, ok, scripted, token_client};
use nks_edge::api::FromAnswer;
use nks_edge::model::{
    from_json, Addon, AddonInstall, AddonType, AddonUpdate, Autoscale, CertificateRenewal, Cluster,
    ClusterCreate, ClusterState, ControlPlaneLog, Event, FipAutoBind, FlavorChange, InstalledAddon,
    IpAcl, IpAclTarget, Kubeconfig, MetricAutoscale, NodeGroup, NodeGroupCreate, NodeGroupState,
    Resize, ServiceGateways, Status, Supports, Upgrade, UuidResponse,
};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Parses, serializes and parses again: the two parses agree, and every field of the
/// fixture is still in the serialized form (undocumented ones with the same value).
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(name: &str) -> T {
    let original = fixture(name);
    let parsed: T = from_json(&original.to_string()).unwrap();
    let written = serde_json::to_value(&parsed).unwrap();
    let again: T = from_json(&written.to_string()).unwrap();
    assert_eq!(parsed, again, "{name}: round trip changed the value");
    assert_same_keys(&original, &written, name);
    parsed
}

/// Every key of `original` is in `written`, recursively (values may be normalized).
fn assert_same_keys(original: &Value, written: &Value, at: &str) {
    match (original, written) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                if value.is_null() {
                    continue; // documented nulls are absent options
                }
                let other = b
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} was lost in the round trip"));
                assert_same_keys(value, other, &format!("{at}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same_keys(x, y, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

#[test]
fn list_clusters_example() {
    #[derive(serde::Deserialize, Serialize, PartialEq, Debug)]
    struct List {
        clusters: Vec<Cluster>,
    }
    let list: List = round_trip("list_clusters.response");
    let c = &list.clusters[0];
    assert_eq!(c.uuid, "2b778d83-8b67-45b1-920e-b0c5ad5c2f30");
    assert_eq!(c.name, "k8s-test");
    assert_eq!(c.status, Some(Status::CreateComplete));
    assert_eq!(c.node_count, Some(1));
    let labels = c.labels.as_ref().unwrap();
    assert_eq!(labels.ca_enable, Some(false)); // "false"
    assert_eq!(labels.ca_scale_down_enable, Some(true)); // "true"
    assert_eq!(labels.cert_manager_api, Some(true)); // "True"
    assert_eq!(labels.boot_volume_size, Some(20)); // "20"
    assert_eq!(labels.ca_max_node_count, Some(10));
    assert_eq!(labels.ca_scale_down_util_thresh, Some(50));
    assert_eq!(labels.kube_tag.as_deref(), Some("v1.17.6"));
    // undocumented label and fields kept as they came
    assert_eq!(labels.other["etcd_volume_size"], "10");
    assert_eq!(c.other["create_timeout"], 60);
    assert_eq!(c.other["docker_volume_size"], Value::Null);
    assert_eq!(c.other["links"][0]["rel"], "self");
}

#[test]
fn get_cluster_example() {
    let c: Cluster = round_trip("get_cluster.response");
    assert_eq!(
        c.api_address.as_deref(),
        Some("https://2b778d83-kr2-k8s.container.cloud.toast.com:6443")
    );
    assert_eq!(c.status_reason, None);
    assert_eq!(c.node_addresses, Some(vec!["192.168.0.5".to_owned()]));
    assert_eq!(
        c.project_id.as_deref(),
        Some("1ffeaca9bbf94ab1aa9cffdec29a258a")
    );
    assert_eq!(c.other["floating_ip_enabled"], false);
    assert_eq!(c.health_status_reason.as_ref().unwrap()["api"], "ok");
    assert_eq!(c.health_status.as_deref(), Some("HEALTHY"));
    assert_eq!(c.other["user_id"], "12ba32bebc414c4992a2c9be3952a64c");
    let labels = c.labels.unwrap();
    assert_eq!(labels.master_lb_floating_ip_enabled, Some(true));
    assert_eq!(labels.user_script.as_deref(), Some(""));
}

#[test]
fn nodegroup_examples() {
    #[derive(serde::Deserialize, Serialize, PartialEq, Debug)]
    struct List {
        nodegroups: Vec<NodeGroup>,
    }
    let list: List = round_trip("list_nodegroups.response");
    let ng = &list.nodegroups[0];
    assert_eq!(ng.name, "default-worker");
    assert_eq!(ng.max_node_count, Some(10));
    assert_eq!(ng.status, Some(Status::UpdateComplete));
    assert_eq!(ng.other["is_default"], false);

    let ng: NodeGroup = round_trip("get_nodegroup.response");
    assert_eq!(ng.other["id"], 2697);
    assert_eq!(ng.version, None); // null
    assert!(!ng.other.contains_key("version"));
    assert_eq!(ng.min_node_count, Some(2));
    assert_eq!(ng.node_addresses.as_ref().unwrap().len(), 2);
    let labels = ng.labels.as_ref().unwrap();
    assert_eq!(labels.ca_enable, Some(true)); // "True"
    assert_eq!(labels.cert_manager_api, Some(true)); // "true"
    assert_eq!(labels.ca_min_node_count, Some(2));
    assert_eq!(
        labels.other["ca_image"],
        "k8s.gcr.io/autoscaling/cluster-autoscaler:v1.19.0"
    );

    let created: NodeGroup = round_trip("create_nodegroup.response");
    assert_eq!(created.max_node_count, None); // null
    assert_eq!(created.uuid, "a3366f2f-a1f3-45ef-8390-10536e8060ff");
    assert_eq!(created.labels.unwrap().ca_enable, Some(false));
}

#[test]
fn autoscale_kubeconfig_supports_and_uuid_examples() {
    let a: Autoscale = round_trip("get_autoscale.response");
    assert!(a.ca_enable); // JSON true
    assert_eq!(a.ca_max_node_count, Some(10));
    assert_eq!(a.ca_min_node_count, Some(2));
    assert_eq!(a.ca_scale_down_util_thresh, Some(50));
    assert_eq!(a.other["clusterautoscale"], "nodegroupfeature");

    let k: Kubeconfig = round_trip("kubeconfig.response");
    assert!(k.config.expose().starts_with("apiVersion: v1\nclusters:"));
    assert!(
        !format!("{k:?}").contains("apiVersion"),
        "kubeconfig leaked into Debug"
    );

    let s: Supports = round_trip("supports.response");
    assert_eq!(s.supported_k8s.len(), 3);
    assert!(s.supported_k8s["v1.19.13"]);

    for name in [
        "create_cluster.response",
        "resize.response",
        "set_autoscale.response",
        "upgrade.response",
    ] {
        let u: UuidResponse = round_trip(name);
        assert_eq!(u.uuid, fixture(name)["uuid"]);
    }
}

#[test]
fn a_bad_field_is_named_by_its_path() {
    let mut list = fixture("list_clusters.response");
    list["clusters"][0]["labels"]["boot_volume_size"] = "twenty".into();
    let err = <Vec<Cluster> as FromAnswer>::from_answer(&list.to_string()).unwrap_err();
    assert_eq!(err.path, "clusters[0].labels.boot_volume_size");
    assert!(
        !err.message.contains("twenty"),
        "the value is not quoted: {err}"
    );
    // Written by hand, `labels` last in its object and the item last in its list: the
    // path is whole wherever the bad field is (serde's position after an error is past
    // the ends of the objects around it).
    let bad = r#"{"uuid": "u", "name": "n", "labels": {"ca_enable": "yes"}}"#;
    let good = r#"{"uuid": "v", "name": "m"}"#;
    for (body, path) in [
        (
            format!(r#"{{"clusters": [{bad}, {good}]}}"#),
            "clusters[0].labels.ca_enable",
        ),
        (
            format!(r#"{{"clusters": [{good}, {bad}]}}"#),
            "clusters[1].labels.ca_enable",
        ),
        (
            format!(r#"{{"clusters": [{good}, {bad}]}} "#),
            "clusters[1].labels.ca_enable",
        ),
    ] {
        let err = <Vec<Cluster> as FromAnswer>::from_answer(&body).unwrap_err();
        assert_eq!(err.path, path, "{body}");
    }
    assert_eq!(
        from_json::<Cluster>(bad).unwrap_err().path,
        "labels.ca_enable"
    );
    let groups = format!(r#"{{"nodegroups": [{good}, {bad}]}}"#);
    let err = <Vec<NodeGroup> as FromAnswer>::from_answer(&groups).unwrap_err();
    assert_eq!(err.path, "nodegroups[1].labels.ca_enable");
}

/// The guide writes boolean labels as "true", "false" and "True"; the client sends
/// the documented form, "True"/"False". This is the only rewrite of the examples.
fn documented_flags(mut request: Value) -> Value {
    if let Some(labels) = request.get_mut("labels").and_then(Value::as_object_mut) {
        for (key, value) in labels.iter_mut() {
            let flag = [
                "ca_enable",
                "ca_scale_down_enable",
                "cert_manager_api",
                "master_lb_floating_ip_enabled",
            ]
            .contains(&key.as_str());
            if let (true, Some(text)) = (flag, value.as_str()) {
                *value = if text.eq_ignore_ascii_case("true") {
                    "True"
                } else {
                    "False"
                }
                .into();
            }
        }
    }
    request
}

fn sent_body(
    name: &str,
    send: impl FnOnce(&nks_edge::NksClient<nks_edge::transport::Replay>),
) -> Value {
    let client = token_client(scripted(vec![ok(fixture_text(name))]));
    send(&client);
    let requests = client.transport().requests();
    assert_eq!(requests.len(), 1);
    serde_json::from_str(requests[0].body.as_deref().unwrap()).unwrap()
}

#[test]
fn create_cluster_request_is_the_guides_example() {
    let example = fixture("create_cluster.request");
    // The typed input a user would write: normalized values (booleans, numbers).
    let spec: ClusterCreate = from_json(&example.to_string()).unwrap();
    assert_eq!(spec.labels.boot_volume_size, Some(20));
    assert_eq!(spec.labels.master_lb_floating_ip_enabled, Some(true));
    let sent = sent_body("create_cluster.response", |c| {
        block_on(c.create_cluster(&spec)).unwrap();
    });
    assert_eq!(sent, documented_flags(example));
    assert_eq!(sent["labels"]["boot_volume_size"], "20");
    assert_eq!(sent["labels"]["ca_max_node_count"], "10");
    assert_eq!(sent["node_count"], 1);
    assert_eq!(sent["create_timeout"], 60);
}

#[test]
fn create_nodegroup_request_is_the_guides_example() {
    let example = fixture("create_nodegroup.request");
    let spec: NodeGroupCreate = from_json(&example.to_string()).unwrap();
    let sent = sent_body("create_nodegroup.response", |c| {
        let ng = block_on(c.create_nodegroup("k8s-test", &spec)).unwrap();
        assert_eq!(ng.name, "added-nodegroup");
    });
    assert_eq!(sent, documented_flags(example));
}

#[test]
fn resize_requests_are_the_guides_examples() {
    let grow = sent_body("resize.response", |c| {
        block_on(c.resize("k8s-test", &Resize::new("default-worker", 3))).unwrap();
    });
    assert_eq!(grow, fixture("resize_grow.request"));
    let shrink_example = fixture("resize_shrink.request");
    let spec: Resize = from_json(&shrink_example.to_string()).unwrap();
    let shrink = sent_body("resize.response", |c| {
        block_on(c.resize("k8s-test", &spec)).unwrap();
    });
    assert_eq!(shrink, shrink_example);
}

#[test]
fn autoscale_and_upgrade_requests_are_the_guides_examples() {
    let example = fixture("set_autoscale.request");
    let settings: Autoscale = from_json(&example.to_string()).unwrap();
    let sent = sent_body("set_autoscale.response", |c| {
        block_on(c.set_autoscale("k8s-test", "default-worker", &settings)).unwrap();
    });
    assert_eq!(sent, example);

    let sent = sent_body("upgrade.response", |c| {
        block_on(c.upgrade("k8s-test", "default-worker", "v1.19.13")).unwrap();
    });
    assert_eq!(sent, fixture("upgrade.request"));
}

#[test]
fn settings_read_back_from_get_are_sent_without_read_only_fields() {
    let settings: Autoscale = from_json(&fixture_text("get_autoscale.response")).unwrap();
    let sent = sent_body("set_autoscale.response", |c| {
        block_on(c.set_autoscale("k8s-test", "default-worker", &settings)).unwrap();
    });
    assert!(sent.get("ca_image").is_none());
    assert!(sent.get("clusterautoscale").is_none());
    assert_eq!(sent["ca_min_node_count"], 2);
}

// ---- The current guide (tests/fixtures/current/): every JSON example. ----

/// A list answer `{ key: [T] }`, typed.
#[derive(serde::Deserialize, Serialize, PartialEq, Debug)]
struct Listed<T> {
    #[serde(
        alias = "clusters",
        alias = "nodegroups",
        alias = "events",
        alias = "addon_types",
        alias = "addons"
    )]
    items: Vec<T>,
}

/// Parses a list example, checks the round trip of each item, answers the items.
fn listed<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(name: &str) -> Vec<T> {
    let original = fixture(name);
    let (key, items) = original.as_object().unwrap().iter().next().unwrap();
    let list: Listed<T> = from_json(&original.to_string()).unwrap();
    let written = serde_json::to_value(&list.items).unwrap();
    let again: Vec<T> = from_json(&written.to_string()).unwrap();
    assert_eq!(list.items, again, "{name}: round trip changed the value");
    assert_same_keys(items, &written, &format!("{name}.{key}"));
    list.items
}

const CURRENT: &str = "current/";

fn cur(name: &str) -> String {
    format!("{CURRENT}{name}")
}

#[test]
fn current_cluster_answers() {
    let clusters: Vec<Cluster> = listed(&cur("list_clusters.response"));
    assert_eq!(clusters[0].name, "k8s-test");
    let c: Cluster = round_trip(&cur("get_cluster.response"));
    assert_eq!(c.health_status.as_deref(), Some("HEALTHY"));
    let labels = c.labels.unwrap();
    assert_eq!(labels.strict_sg_rules, Some(true));
    assert_eq!(labels.platform_version.as_deref(), Some("1.202511.0"));
    assert_eq!(labels.kube_version_status.as_deref(), Some("NEED_UPGRADE"));
    assert_eq!(labels.pods_network_subnet, Some(24)); // "24"
    assert_eq!(labels.pods_network_cidr.as_deref(), Some("10.100.0.0/16"));
    assert_eq!(
        labels.service_cluster_ip_range.as_deref(),
        Some("10.254.0.0/16")
    );
    let k: Kubeconfig = round_trip(&cur("kubeconfig.response"));
    assert!(k.config.expose().contains("apiVersion"));
}

/// The planner's reading of a node group agrees with the whole model on the fields it
/// keeps (lists and details alike), and skips the others unread.
#[test]
fn nodegroup_state_is_the_groups_name_role_status_size_and_version() {
    let mut lists = Vec::new();
    for name in ["get_nodegroup.response", &cur("get_nodegroup.response")] {
        let text = fixture(name).to_string();
        lists.push((
            vec![from_json::<NodeGroupState>(&text).unwrap()],
            vec![from_json::<NodeGroup>(&text).unwrap()],
        ));
    }
    for name in ["list_nodegroups.response", &cur("list_nodegroups.response")] {
        let body = fixture(name).to_string();
        let states = <Vec<NodeGroupState> as FromAnswer>::from_answer(&body).unwrap();
        lists.push((states, listed(name)));
    }
    for (states, wholes) in lists {
        assert_eq!(states.len(), wholes.len());
        for (state, whole) in states.iter().zip(&wholes) {
            assert_eq!((&state.uuid, &state.name), (&whole.uuid, &whole.name));
            assert_eq!((&state.role, &state.status), (&whole.role, &whole.status));
            assert_eq!(state.node_count, whole.node_count);
            let labels = state.labels.as_ref().map(|l| (&l.kube_tag, l.ca_enable));
            let all = whole.labels.as_ref().map(|l| (&l.kube_tag, l.ca_enable));
            assert_eq!(labels, all);
        }
    }
    let mut odd = fixture(&cur("get_nodegroup.response"));
    odd["image_id"] = Value::from(7);
    odd["labels"]["boot_volume_size"] = Value::from("big");
    odd["labels"]["ca_enable"] = Value::from("True");
    let text = odd.to_string();
    assert!(from_json::<NodeGroup>(&text).is_err());
    let state: NodeGroupState = from_json(&text).unwrap();
    assert_eq!(state.labels.unwrap().ca_enable, Some(true));
}

/// The planner's reading of a cluster agrees with the whole model on the fields it
/// keeps, and skips the others unread (a malformed one it does not use is no error).
#[test]
fn cluster_state_is_the_clusters_identity_status_version_and_expiry() {
    for name in ["get_cluster.response", &cur("get_cluster.response")] {
        let text = fixture(name).to_string();
        let (state, whole): (ClusterState, Cluster) =
            (from_json(&text).unwrap(), from_json(&text).unwrap());
        assert_eq!(
            (&state.uuid, &state.name),
            (&whole.uuid, &whole.name),
            "{name}"
        );
        assert_eq!(state.status, whole.status, "{name}");
        let (labels, all) = (state.labels.unwrap(), whole.labels.unwrap());
        assert_eq!(labels.kube_tag, all.kube_tag, "{name}");
        assert!(labels.kube_tag.is_some(), "{name}");
        assert_eq!(labels.certificate_expiry, all.certificate_expiry, "{name}");
    }
    let mut odd = fixture(&cur("get_cluster.response"));
    odd["node_count"] = Value::from("many");
    odd["labels"]["ca_enable"] = Value::from(7);
    odd["labels"]["certificate_expiry"] = Value::from("2027-01-02T03:04:05Z");
    let text = odd.to_string();
    assert!(from_json::<Cluster>(&text).is_err());
    let state: ClusterState = from_json(&text).unwrap();
    assert_eq!(state.status, Some(Status::CreateComplete));
    assert_eq!(
        state.labels.unwrap().certificate_expiry.as_deref(),
        Some("2027-01-02T03:04:05Z")
    );
}

#[test]
fn current_event_answers() {
    let events: Vec<Event> = listed(&cur("list_events.response"));
    let e: Event = round_trip(&cur("get_event.response"));
    assert_eq!(events[0], e);
    assert_eq!(e.id, Some(3683));
    assert_eq!(e.kind.as_deref(), Some("CLUSTER_CREATE"));
    assert_eq!(e.state.as_deref(), Some("SUCCESS"));
    assert_eq!(e.contents, None);
    assert_eq!(serde_json::to_value(&e).unwrap()["type"], "CLUSTER_CREATE");
}

#[test]
fn current_ip_acl_answers() {
    let on: IpAcl = round_trip(&cur("get_ip_acl_enabled.response"));
    assert!(on.enable); // "true"
    assert_eq!(on.action.as_deref(), Some("ALLOW"));
    let targets = on.ipacl_targets.unwrap();
    assert_eq!(targets[0].description.as_deref(), Some("My Friend"));
    assert_eq!(targets[1].cidr_address, "10.10.22.3/24");
    let off: IpAcl = round_trip(&cur("get_ip_acl_disabled.response"));
    assert!(!off.enable); // "false"
    assert_eq!(off.ipacl_targets, None);
    // The table's spelling of the description is read too.
    let t: IpAclTarget =
        from_json(r#"{"cidr_address": "10.0.0.1", "descripion": "typo"}"#).unwrap();
    assert_eq!(t.description.as_deref(), Some("typo"));
    // Both spellings: the documented one wins (a null one gives way to the other).
    let both = r#"{"cidr_address": "10.0.0.1", "description": "right", "descripion": "typo"}"#;
    let t: IpAclTarget = from_json(both).unwrap();
    assert_eq!(t.description.as_deref(), Some("right"));
    let null = r#"{"cidr_address": "10.0.0.1", "description": null, "descripion": "typo"}"#;
    let t: IpAclTarget = from_json(null).unwrap();
    assert_eq!(t.description.as_deref(), Some("typo"));
}

#[test]
fn current_nodegroup_answers() {
    let groups: Vec<NodeGroup> = listed(&cur("list_nodegroups.response"));
    assert_eq!(groups[0].name, "default-worker");
    let ng: NodeGroup = round_trip(&cur("get_nodegroup.response"));
    let labels = ng.labels.unwrap();
    assert_eq!(labels.ca_pod_replicas, Some(1));
    assert_eq!(labels.kube_version_status.as_deref(), Some("LATEST"));
    assert_eq!(ng.version, None);
    let created: NodeGroup = round_trip(&cur("create_nodegroup.response"));
    assert_eq!(created.name, "added-nodegroup");
    let a: Autoscale = round_trip(&cur("get_autoscale.response"));
    assert!(a.ca_max_node_count.is_some());
}

#[test]
fn current_addon_answers() {
    let types: Vec<AddonType> = listed(&cur("list_addon_types.response"));
    assert_eq!(types.len(), 2);
    assert!(types.iter().all(|t| t.mandatory == Some(true)));
    let t: AddonType = round_trip(&cur("get_addon_type.response"));
    assert_eq!(t, types[0]);
    let addons: Vec<Addon> = listed(&cur("list_addons.response"));
    let a: Addon = round_trip(&cur("get_addon.response"));
    assert_eq!(addons[0], a);
    assert_eq!(a.kind.as_deref(), Some("cni"));
    assert_eq!(a.k8s_max_version, None);
    let option = &a.option_schemas.unwrap()[0];
    assert_eq!(option.updatable, Some(false));
    assert_eq!(option.choices.as_ref().unwrap().len(), 2);
    let installed: Vec<InstalledAddon> = listed(&cur("list_cluster_addons.response"));
    let one: InstalledAddon = round_trip(&cur("get_cluster_addon.response"));
    assert_eq!(installed[0], one);
    assert_eq!(installed[1].status, Some(Status::UpdateFailed));
    assert_eq!(one.options.unwrap()["mode"], "vxlan");
}

#[test]
fn current_supports_answer() {
    let s: Supports = round_trip(&cur("supports.response"));
    assert_eq!(s.supported_k8s.get("v1.32.3"), Some(&true));
    assert_eq!(s.supported_event_type.len(), 35);
    assert_eq!(
        s.supported_event_type["CLUSTER_ROTATE_CERTIFICATE"],
        "Rotate cluster certificate"
    );
}

#[test]
fn current_uuid_answers() {
    for name in [
        "create_cluster.response",
        "resize.response",
        "set_ip_acl.response",
        "renew_certificates.response",
        "update_service_gateways.response",
        "stop_nodes.response",
        "start_nodes.response",
        "set_autoscale.response",
        "metric_autoscale.response",
        "upgrade.response",
        "user_script.response",
        "change_flavor.response",
        "fip_auto_bind.response",
        "node_labels.response",
        "install_addon.response",
        "update_addon.response",
        "uninstall_addon.response",
    ] {
        let answer: UuidResponse = round_trip(&cur(name));
        assert_eq!(answer.uuid.len(), 36, "{name}");
    }
}

/// Rewrites the guide's spellings of booleans to the ones the client sends: labels
/// (and `enable`) documented as strings go out as "True"/"False"; the metric
/// autoscaler's `enable`, documented as Boolean, as a JSON boolean.
fn sent_form(mut request: Value) -> Value {
    request = documented_flags(request);
    if let Some(labels) = request.get_mut("labels").and_then(Value::as_object_mut) {
        for key in ["strict_sg_rules", "fip_auto_bind_enable"] {
            if let Some(text) = labels.get(key).and_then(Value::as_str) {
                let flag = if text.eq_ignore_ascii_case("true") {
                    "True"
                } else {
                    "False"
                };
                labels.insert(key.into(), flag.into());
            }
        }
    }
    for policy in ["mba_scale_out", "mba_scale_in"] {
        if let Some(enable) = request.pointer_mut(&format!("/{policy}/enable")) {
            if let Some(text) = enable.as_str() {
                *enable = text.eq_ignore_ascii_case("true").into();
            }
        }
    }
    request
}

/// The body the client sends for `call`, after answering it with `answer`.
fn sent(
    answer: &str,
    call: impl FnOnce(&nks_edge::NksClient<nks_edge::transport::Replay>),
) -> Value {
    sent_body(&cur(answer), call)
}

/// The guide's request example `name`, read as typed input.
fn typed_input<T: DeserializeOwned>(name: &str) -> (Value, T) {
    let example = fixture(&cur(name));
    let mut without_type = example.clone();
    if let Some(map) = without_type.as_object_mut() {
        map.remove("type");
    }
    let input = from_json(&without_type.to_string()).unwrap();
    (example, input)
}

#[test]
fn current_cluster_requests_are_the_guides_examples() {
    let (example, spec) = typed_input::<ClusterCreate>("create_cluster.request");
    assert_eq!(spec.labels.ca_pod_replicas, Some(1));
    assert_eq!(spec.labels.strict_sg_rules, Some(true));
    assert_eq!(
        spec.labels.extra_volumes.as_ref().unwrap()[0].volume_size,
        Some(100)
    );
    assert_eq!(spec.addons.as_ref().unwrap()[0].name, "calico");
    let body = sent("create_cluster.response", |c| {
        block_on(c.create_cluster(&spec)).unwrap();
    });
    assert_eq!(body, sent_form(example));

    for (request, answer) in [
        ("resize_grow.request", "resize.response"),
        ("resize_shrink.request", "resize.response"),
    ] {
        let (example, spec) = typed_input::<Resize>(request);
        let body = sent(answer, |c| {
            block_on(c.resize("k8s-test", &spec)).unwrap();
        });
        assert_eq!(body, example, "{request}");
    }

    let (example, acl) = typed_input::<IpAcl>("set_ip_acl.request");
    assert!(acl.enable);
    let body = sent("set_ip_acl.response", |c| {
        block_on(c.set_ip_acl("k8s-test", &acl)).unwrap();
    });
    assert_eq!(body, example);

    let (example, spec) = typed_input::<CertificateRenewal>("renew_certificates.request");
    let body = sent("renew_certificates.response", |c| {
        block_on(c.renew_certificates("k8s-test", &spec)).unwrap();
    });
    assert_eq!(body, example);

    let (example, spec) = typed_input::<ServiceGateways>("update_service_gateways.request");
    let body = sent("update_service_gateways.response", |c| {
        block_on(c.update_service_gateways("k8s-test", &spec)).unwrap();
    });
    assert_eq!(body, example);

    for request in [
        "control_plane_log_lncs.request",
        "control_plane_log_obs.request",
        "control_plane_log_disable.request",
    ] {
        let example = fixture(&cur(request));
        assert_eq!(example["type"], "control_plane_log");
        let log: ControlPlaneLog = from_json(&example["control_plane_log"].to_string()).unwrap();
        let body = sent("renew_certificates.response", |c| {
            block_on(c.set_control_plane_log("k8s-test", &log)).unwrap();
        });
        assert_eq!(body, example, "{request}");
    }
}

#[test]
fn current_nodegroup_requests_are_the_guides_examples() {
    let (example, spec) = typed_input::<NodeGroupCreate>("create_nodegroup.request");
    let body = sent("create_nodegroup.response", |c| {
        block_on(c.create_nodegroup("k8s-test", &spec)).unwrap();
    });
    assert_eq!(body, sent_form(example));

    for (request, answer) in [
        ("stop_nodes.request", "stop_nodes.response"),
        ("start_nodes.request", "start_nodes.response"),
    ] {
        let example = fixture(&cur(request));
        let nodes: Vec<String> = example["node_list"]
            .as_str()
            .unwrap()
            .split(':')
            .map(str::to_owned)
            .collect();
        let body = sent(answer, |c| {
            let (cluster, group) = ("k8s-test", "default-worker");
            let answer = if request.starts_with("stop") {
                block_on(c.stop_nodes(cluster, group, &nodes))
            } else {
                block_on(c.start_nodes(cluster, group, &nodes))
            };
            answer.unwrap();
        });
        assert_eq!(body, example, "{request}");
    }

    let (example, settings) = typed_input::<Autoscale>("set_autoscale.request");
    let body = sent("set_autoscale.response", |c| {
        block_on(c.set_autoscale("k8s-test", "default-worker", &settings)).unwrap();
    });
    assert_eq!(body, example);

    for request in [
        "metric_autoscale_on.request",
        "metric_autoscale_off.request",
    ] {
        let (example, spec) = typed_input::<MetricAutoscale>(request);
        let body = sent("metric_autoscale.response", |c| {
            block_on(c.set_metric_autoscale("k8s-test", "default-worker", &spec)).unwrap();
        });
        assert_eq!(body, sent_form(example), "{request}");
    }

    let (example, spec) = typed_input::<Upgrade>("upgrade.request");
    let body = sent("upgrade.response", |c| {
        block_on(c.upgrade_with("k8s-test", "default-worker", &spec)).unwrap();
    });
    assert_eq!(body, example);

    let example = fixture(&cur("user_script.request"));
    let body = sent("user_script.response", |c| {
        let contents = example["contents"].as_str().unwrap();
        block_on(c.set_user_script("k8s-test", "default-worker", contents)).unwrap();
    });
    assert_eq!(body, example);

    let (example, spec) = typed_input::<FlavorChange>("change_flavor.request");
    assert_eq!(spec.rollout.num_buffer_nodes, Some(1));
    let body = sent("change_flavor.response", |c| {
        block_on(c.change_flavor("k8s-test", "default-worker", &spec)).unwrap();
    });
    assert_eq!(body, example);

    let example = fixture(&cur("fip_auto_bind.request"));
    let spec: FipAutoBind = from_json(&example["fip_auto_bind_update_info"].to_string()).unwrap();
    let body = sent("fip_auto_bind.response", |c| {
        block_on(c.set_floating_ip_auto_bind("k8s-test", "default-worker", &spec)).unwrap();
    });
    assert_eq!(body, example);

    let example = fixture(&cur("node_labels.request"));
    let labels: BTreeMap<String, String> =
        from_json(&example["k8s_node_labels"].to_string()).unwrap();
    let body = sent("node_labels.response", |c| {
        block_on(c.set_node_labels("k8s-test", "default-worker", &labels)).unwrap();
    });
    assert_eq!(body, example);
}

#[test]
fn current_addon_requests_are_the_guides_examples() {
    let (example, spec) = typed_input::<AddonInstall>("install_addon.request");
    let body = sent("install_addon.response", |c| {
        block_on(c.install_addon("k8s-test", &spec)).unwrap();
    });
    assert_eq!(body, example);
    let (example, spec) = typed_input::<AddonUpdate>("update_addon.request");
    let body = sent("update_addon.response", |c| {
        block_on(c.update_addon("k8s-test", "coredns", &spec)).unwrap();
    });
    assert_eq!(body, example);
}

/// Each example of the current guide is read by a test above: a new fixture file
/// without a test fails here.
#[test]
fn every_current_example_is_covered() {
    let source = include_str!("fixtures.rs");
    let dir = format!("{}/tests/fixtures/current", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 57);
    for file in files {
        let name = file.trim_end_matches(".json");
        assert!(
            source.contains(&format!("\"{name}\"")),
            "{file} is not read by any test"
        );
    }
}

/// `supported_event_type` grouped, as the guide's table documents it, reads as the flat
/// map its example shows; the versions beside it read either way.
#[test]
fn grouped_event_types_read_flat() {
    let grouped: Supports = from_json(
        r#"{"supported_k8s": {"v1.31.4": true},
            "supported_event_type": {
              "cluster_events": {"CLUSTER_CREATE": "Create a cluster"},
              "nodegroup_events": {"NODEGROUP_UPGRADE": "Node group upgrade"}}}"#,
    )
    .unwrap();
    assert!(grouped.supported_k8s["v1.31.4"]);
    assert_eq!(
        grouped.supported_event_type,
        BTreeMap::from([
            ("CLUSTER_CREATE".to_owned(), "Create a cluster".to_owned()),
            (
                "NODEGROUP_UPGRADE".to_owned(),
                "Node group upgrade".to_owned()
            ),
        ])
    );
    let bad = from_json::<Supports>(
        r#"{"supported_k8s": {}, "supported_event_type": {"cluster_events": {"X": 1}}}"#,
    )
    .unwrap_err();
    assert!(
        bad.to_string()
            .starts_with("supported_event_type.cluster_events.X:"),
        "{bad}"
    );
}
