//! Every JSON example of the guide: responses parse into the typed models with the
//! right values and survive a round trip; requests built from typed input are what
//! the guide shows.

mod common;

use common::{block_on, fixture, fixture_text, ok, scripted, token_client};
use nks_edge::model::{
    from_json, Autoscale, Cluster, ClusterCreate, Kubeconfig, NodeGroup, NodeGroupCreate, Resize,
    Status, Supports, UuidResponse,
};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

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
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct List {
        clusters: Vec<Cluster>,
    }
    let err = from_json::<List>(&list.to_string()).unwrap_err();
    assert_eq!(err.path, "clusters[0].labels.boot_volume_size");
    assert!(
        !err.message.contains("twenty"),
        "the value is not quoted: {err}"
    );
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
