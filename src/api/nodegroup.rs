//! Node group operations and supported versions.

use super::{body_with_wire_labels, listed, whole, wrapped, Call, Operation};
use super::{
    CHANGE_FLAVOR, CREATE_NODEGROUP, DELETE_NODEGROUP, GET_AUTOSCALE, GET_NODEGROUP,
    LIST_NODEGROUPS, SET_AUTOSCALE, SET_FLOATING_IP_AUTO_BIND, SET_METRIC_AUTOSCALE,
    SET_NODE_LABELS, SET_USER_SCRIPT, START_NODES, STOP_NODES, SUPPORTED_EVENT_TYPES,
    SUPPORTED_VERSIONS, UPGRADE,
};
use crate::error::Error;
use crate::model::{
    Autoscale, FipAutoBind, FlavorChange, MetricAutoscale, NodeGroup, NodeGroupCreate,
    NodeGroupState, Supports, Upgrade, UuidResponse,
};
use crate::validate;
use serde::Serialize;
use std::collections::BTreeMap;

whole!(NodeGroup, NodeGroupState, Autoscale, Supports);
listed!(read NodeGroup: nodegroups);
listed!(NodeGroupState: nodegroups);

/// `GET /v1/clusters/{C}/nodegroups`.
pub fn list_nodegroups(cluster: &str) -> Result<Call<Vec<NodeGroup>>, Error> {
    Call::new(&LIST_NODEGROUPS, &[cluster])
}

/// `GET /v1/clusters/{C}/nodegroups/{NG}`.
pub fn get_nodegroup(cluster: &str, nodegroup: &str) -> Result<Call<NodeGroup>, Error> {
    Call::new(&GET_NODEGROUP, &[cluster, nodegroup])
}

/// `GET /v1/clusters/{C}/nodegroups`, each read as [`NodeGroupState`] (the fields
/// nks-edge acts on; the rest of the answer is skipped).
pub fn list_nodegroup_states(cluster: &str) -> Result<Call<Vec<NodeGroupState>>, Error> {
    Call::new(&LIST_NODEGROUPS, &[cluster])
}

/// `GET /v1/clusters/{C}/nodegroups/{NG}`, read as [`NodeGroupState`].
pub fn get_nodegroup_state(cluster: &str, nodegroup: &str) -> Result<Call<NodeGroupState>, Error> {
    Call::new(&GET_NODEGROUP, &[cluster, nodegroup])
}

/// `POST /v1/clusters/{C}/nodegroups`: labels go out in their wire form.
pub fn create_nodegroup(
    cluster: &str,
    spec: &NodeGroupCreate,
    max: u32,
) -> Result<Call<NodeGroup>, Error> {
    let mut call = Call::new(&CREATE_NODEGROUP, &[cluster])?;
    validate::nodegroup_create(spec, max)?;
    call.body = Some(body_with_wire_labels(spec)?);
    Ok(call)
}

/// `DELETE /v1/clusters/{C}/nodegroups/{NG}`.
pub fn delete_nodegroup(cluster: &str, nodegroup: &str) -> Result<Call<()>, Error> {
    Call::new(&DELETE_NODEGROUP, &[cluster, nodegroup])
}

/// `GET /v1/clusters/{C}/nodegroups/{NG}/autoscale`.
pub fn get_autoscale(cluster: &str, nodegroup: &str) -> Result<Call<Autoscale>, Error> {
    Call::new(&GET_AUTOSCALE, &[cluster, nodegroup])
}

/// `POST /v1/clusters/{C}/nodegroups/{NG}/autoscale`: only the documented settings are
/// sent (read-only fields such as `ca_image` stay behind).
pub fn set_autoscale(
    cluster: &str,
    nodegroup: &str,
    settings: &Autoscale,
    max: u32,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&SET_AUTOSCALE, &[cluster, nodegroup])?;
    validate::autoscale(settings, max)?;
    call.with_body(&Autoscale {
        other: Default::default(),
        ..settings.clone()
    })
}

/// `POST /v1/clusters/{C}/nodegroups/{NG}/upgrade` (`default-master` upgrades the
/// control plane).
pub fn upgrade(
    cluster: &str,
    nodegroup: &str,
    spec: &Upgrade,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&UPGRADE, &[cluster, nodegroup])?;
    validate::upgrade(spec)?;
    call.with_body(spec)
}

/// `GET /v1/supports`: the Kubernetes versions.
pub fn supported_versions() -> Result<Call<Supports>, Error> {
    Call::new(&SUPPORTED_VERSIONS, &[])
}

/// `GET /v1/supports`: the task types (`supported_event_type`).
pub fn supported_event_types() -> Result<Call<Supports>, Error> {
    Call::new(&SUPPORTED_EVENT_TYPES, &[])
}

#[derive(Serialize)]
struct NodeList {
    node_list: String,
}

fn node_action(
    op: &'static Operation,
    cluster: &str,
    nodegroup: &str,
    nodes: &[String],
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(op, &[cluster, nodegroup])?;
    let node_list = validate::node_list(nodes)?;
    call.with_body(&NodeList { node_list })
}

/// `POST /v1/clusters/{C}/nodegroups/{NG}/stop_node`: `nodes` go out colon-joined.
pub fn stop_nodes(
    cluster: &str,
    nodegroup: &str,
    nodes: &[String],
) -> Result<Call<UuidResponse>, Error> {
    node_action(&STOP_NODES, cluster, nodegroup, nodes)
}

/// `POST /v1/clusters/{C}/nodegroups/{NG}/start_node`: `nodes` go out colon-joined.
pub fn start_nodes(
    cluster: &str,
    nodegroup: &str,
    nodes: &[String],
) -> Result<Call<UuidResponse>, Error> {
    node_action(&START_NODES, cluster, nodegroup, nodes)
}

/// `PATCH /v1/clusters/{C}/nodegroups/{NG}` with type `metric_base_autoscale`.
pub fn set_metric_autoscale(
    cluster: &str,
    nodegroup: &str,
    spec: &MetricAutoscale,
    max_node_count: u32,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&SET_METRIC_AUTOSCALE, &[cluster, nodegroup])?;
    validate::metric_autoscale(spec, max_node_count)?;
    call.with_body(spec)
}

/// `PATCH /v1/clusters/{C}/nodegroups/{NG}` with type `flavor_id`.
pub fn change_flavor(
    cluster: &str,
    nodegroup: &str,
    spec: &FlavorChange,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&CHANGE_FLAVOR, &[cluster, nodegroup])?;
    validate::flavor_change(spec)?;
    call.with_body(spec)
}

/// `PATCH /v1/clusters/{C}/nodegroups/{NG}` with type `fip_auto_bind`.
pub fn set_floating_ip_auto_bind(
    cluster: &str,
    nodegroup: &str,
    spec: &FipAutoBind,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&SET_FLOATING_IP_AUTO_BIND, &[cluster, nodegroup])?;
    validate::fip_auto_bind(spec)?;
    Ok(call.with_json(wrapped("fip_auto_bind_update_info", spec)?))
}

/// `PATCH /v1/clusters/{C}/nodegroups/{NG}` with type `k8s_node_labels` (at most 20).
pub fn set_node_labels(
    cluster: &str,
    nodegroup: &str,
    labels: &BTreeMap<String, String>,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&SET_NODE_LABELS, &[cluster, nodegroup])?;
    validate::node_labels(labels)?;
    Ok(call.with_json(wrapped("k8s_node_labels", labels)?))
}

#[derive(Serialize)]
struct UserScript<'a> {
    contents: &'a str,
}

/// `POST /v1/clusters/{C}/nodegroups/{NG}/userscript`.
pub fn set_user_script(
    cluster: &str,
    nodegroup: &str,
    contents: &str,
) -> Result<Call<UuidResponse>, Error> {
    Call::new(&SET_USER_SCRIPT, &[cluster, nodegroup])?.with_body(&UserScript { contents })
}
