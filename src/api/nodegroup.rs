//! Node group operations and supported versions.

use super::{body_with_wire_labels, nothing, Call};
use super::{
    CREATE_NODEGROUP, DELETE_NODEGROUP, GET_AUTOSCALE, GET_NODEGROUP, LIST_NODEGROUPS,
    SET_AUTOSCALE, SUPPORTED_VERSIONS, UPGRADE,
};
use crate::error::Error;
use crate::model::from_json;
use crate::model::{Autoscale, NodeGroup, NodeGroupCreate, Supports, Upgrade, UuidResponse};
use crate::validate;
use serde::Deserialize;

#[derive(Deserialize)]
struct NodeGroupList {
    nodegroups: Vec<NodeGroup>,
}

/// `GET /v1/clusters/{C}/nodegroups`.
pub fn list_nodegroups(cluster: &str) -> Result<Call<Vec<NodeGroup>>, Error> {
    Call::new(&LIST_NODEGROUPS, &[cluster], |body| {
        from_json::<NodeGroupList>(body).map(|l| l.nodegroups)
    })
}

/// `GET /v1/clusters/{C}/nodegroups/{NG}`.
pub fn get_nodegroup(cluster: &str, nodegroup: &str) -> Result<Call<NodeGroup>, Error> {
    Call::new(&GET_NODEGROUP, &[cluster, nodegroup], from_json)
}

/// `POST /v1/clusters/{C}/nodegroups`: labels go out in their wire form.
pub fn create_nodegroup(
    cluster: &str,
    spec: &NodeGroupCreate,
    max: u32,
) -> Result<Call<NodeGroup>, Error> {
    let mut call = Call::new(&CREATE_NODEGROUP, &[cluster], from_json)?;
    validate::nodegroup_create(spec, max)?;
    call.body = Some(body_with_wire_labels(spec, &spec.labels)?);
    Ok(call)
}

/// `DELETE /v1/clusters/{C}/nodegroups/{NG}`.
pub fn delete_nodegroup(cluster: &str, nodegroup: &str) -> Result<Call<()>, Error> {
    Call::new(&DELETE_NODEGROUP, &[cluster, nodegroup], nothing)
}

/// `GET /v1/clusters/{C}/nodegroups/{NG}/autoscale`.
pub fn get_autoscale(cluster: &str, nodegroup: &str) -> Result<Call<Autoscale>, Error> {
    Call::new(&GET_AUTOSCALE, &[cluster, nodegroup], from_json)
}

/// `POST /v1/clusters/{C}/nodegroups/{NG}/autoscale`: only the documented settings are
/// sent (read-only fields such as `ca_image` stay behind).
pub fn set_autoscale(
    cluster: &str,
    nodegroup: &str,
    settings: &Autoscale,
    max: u32,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&SET_AUTOSCALE, &[cluster, nodegroup], from_json)?;
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
    let call = Call::new(&UPGRADE, &[cluster, nodegroup], from_json)?;
    validate::upgrade(spec)?;
    call.with_body(spec)
}

/// `GET /v1/supports`: the Kubernetes versions.
pub fn supported_versions() -> Result<Call<Supports>, Error> {
    Call::new(&SUPPORTED_VERSIONS, &[], from_json)
}
