//! The service's answers, field for field as the guide's examples show them.

use crate::state::{label_count, label_flag, Cluster, NodeGroup};
use crate::util::base64;
use serde_json::{json, Map, Value};

fn links(base: &str, path: &str) -> Value {
    json!([
        {"href": format!("{base}/v1/{path}"), "rel": "self"},
        {"href": format!("{base}/{path}"), "rel": "bookmark"}
    ])
}

/// An entry of `GET /v1/clusters`.
pub fn cluster_summary(c: &Cluster, base: &str) -> Value {
    json!({
        "cluster_template_id": "b4503d97-6012-499d-a31a-5200f94a7890",
        "create_timeout": c.create_timeout,
        "docker_volume_size": null,
        "flavor_id": c.flavor_id,
        "health_status": health(c),
        "keypair": c.keypair,
        "labels": c.labels,
        "links": links(base, &format!("clusters/{}", c.uuid)),
        "name": c.name,
        "node_count": c.node_count(),
        "stack_id": c.stack_id,
        "status": c.status,
        "uuid": c.uuid,
    })
}

fn health(c: &Cluster) -> &'static str {
    if c.status.ends_with("_COMPLETE") {
        "HEALTHY"
    } else {
        "UNKNOWN"
    }
}

/// `GET /v1/clusters/{id}`.
pub fn cluster_detail(c: &Cluster, base: &str) -> Value {
    let mut v = cluster_summary(c, base);
    let mut reason = Map::new();
    for g in &c.nodegroups {
        for (i, node) in g.nodes.iter().enumerate() {
            reason.insert(
                format!("{}-{}-node-{i}.Ready", c.name, g.name),
                if node.stopped { "False" } else { "True" }.into(),
            );
        }
    }
    reason.insert("api".into(), "ok".into());
    let addresses: Vec<&String> = c
        .nodegroups
        .iter()
        .flat_map(|g| g.nodes.iter().map(|n| &n.address))
        .collect();
    if let Some(map) = v.as_object_mut() {
        for (k, val) in [
            ("api_address", json!(c.api_address)),
            ("coe_version", json!(c.kube_tag())),
            ("container_version", json!("1.12.6")),
            ("created_at", json!(c.created_at)),
            ("fixed_network", json!(c.fixed_network)),
            ("fixed_subnet", json!(c.fixed_subnet)),
            ("floating_ip_enabled", json!(false)),
            ("health_status_reason", Value::Object(reason)),
            ("node_addresses", json!(addresses)),
            ("project_id", json!(c.project_id)),
            ("status_reason", json!(c.status_reason)),
            ("updated_at", json!(c.updated_at)),
            ("user_id", json!(c.user_id)),
        ] {
            map.insert(k.into(), val);
        }
    }
    v
}

/// The node group's bounds, from its autoscaler labels.
fn bounds(g: &NodeGroup) -> (u32, Option<u32>) {
    (
        label_count(&g.labels, "ca_min_node_count").unwrap_or(1),
        label_count(&g.labels, "ca_max_node_count"),
    )
}

/// An entry of `GET …/nodegroups`.
pub fn nodegroup_summary(g: &NodeGroup) -> Value {
    let (min, max) = bounds(g);
    json!({
        "flavor_id": g.flavor_id,
        "image_id": g.image_id,
        "is_default": g.is_default,
        "max_node_count": max,
        "min_node_count": min,
        "name": g.name,
        "node_count": g.node_count,
        "role": g.role,
        "stack_id": g.stack_id,
        "status": g.status,
        "uuid": g.uuid,
    })
}

/// `GET …/nodegroups/{ng}`.
pub fn nodegroup_detail(c: &Cluster, g: &NodeGroup, base: &str) -> Value {
    let mut v = nodegroup_summary(g);
    if let Some(map) = v.as_object_mut() {
        for (k, val) in [
            ("cluster_id", json!(c.uuid)),
            ("created_at", json!(g.created_at)),
            ("docker_volume_size", Value::Null),
            ("id", json!(g.id)),
            ("labels", Value::Object(g.labels.clone())),
            (
                "links",
                links(base, &format!("clusters/{}/nodegroups/{}", c.uuid, g.uuid)),
            ),
            (
                "node_addresses",
                json!(g.nodes.iter().map(|n| &n.address).collect::<Vec<_>>()),
            ),
            ("project_id", json!(c.project_id)),
            ("status_reason", json!(g.status_reason)),
            ("updated_at", json!(g.updated_at)),
            ("version", Value::Null),
        ] {
            map.insert(k.into(), val);
        }
    }
    v
}

/// The answer of `POST …/nodegroups`: the guide's shape (no status, no stack).
pub fn nodegroup_created(c: &Cluster, g: &NodeGroup, base: &str) -> Value {
    let (min, _) = bounds(g);
    json!({
        "cluster_id": c.uuid,
        "flavor_id": g.flavor_id,
        "image_id": g.image_id,
        "labels": g.labels,
        "links": links(base, &format!("clusters/{}/nodegroups/{}", c.uuid, g.uuid)),
        "max_node_count": null,
        "min_node_count": min,
        "name": g.name,
        "node_count": g.node_count,
        "project_id": c.project_id,
        "role": g.role,
        "uuid": g.uuid,
    })
}

/// `GET …/autoscale`: JSON booleans and integers, unlike the labels.
pub fn autoscale(g: &NodeGroup) -> Value {
    let l = &g.labels;
    let count = |k: &str| label_count(l, k).map_or(Value::Null, Value::from);
    json!({
        "ca_enable": label_flag(l, "ca_enable"),
        "ca_pod_replicas": count("ca_pod_replicas"),
        "ca_max_node_count": count("ca_max_node_count"),
        "ca_min_node_count": count("ca_min_node_count"),
        "ca_scale_down_delay_after_add": count("ca_scale_down_delay_after_add"),
        "ca_scale_down_enable": label_flag(l, "ca_scale_down_enable"),
        "ca_scale_down_unneeded_time": count("ca_scale_down_unneeded_time"),
        "ca_scale_down_util_thresh": count("ca_scale_down_util_thresh"),
        "clusterautoscale": l.get("clusterautoscale").cloned().unwrap_or(Value::Null),
    })
}

/// A PEM block around this cluster's own bytes, base64-encoded as kubeconfigs carry it.
fn pem(kind: &str, seed: &str, purpose: &str) -> String {
    let body = base64(format!("{purpose}:{seed}").as_bytes());
    base64(format!("-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n").as_bytes())
}

/// The cluster's kubeconfig YAML.
pub fn kubeconfig(c: &Cluster) -> String {
    format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: {server}\n  name: \"{name}\"\ncontexts:\n- context:\n    cluster: \"{name}\"\n    user: admin\n  name: default\ncurrent-context: default\nkind: Config\npreferences: {{}}\nusers:\n- name: admin\n  user:\n    client-certificate-data: {cert}\n    client-key-data: {key}\n",
        ca = pem("CERTIFICATE", &c.cert_seed, "ca"),
        server = c.api_address,
        name = c.name.replace('\\', "\\\\").replace('"', "\\\""),
        cert = pem("CERTIFICATE", &c.cert_seed, "client"),
        key = pem("RSA PRIVATE KEY", &c.cert_seed, "key"),
    )
}
