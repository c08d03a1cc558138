//! Node group endpoints (7–13 of the reference) and supported versions (14).

use super::{body_of, body_with_wire_labels, nothing, seg, Call};
use crate::error::Error;
use crate::model::from_json;
use crate::model::{Autoscale, NodeGroup, NodeGroupCreate, Supports, Upgrade, UuidResponse};
use crate::transport::Method;
use crate::validate;
use serde::Deserialize;

#[derive(Deserialize)]
struct NodeGroupList {
    nodegroups: Vec<NodeGroup>,
}

fn nodegroups_path(cluster: &str) -> Result<String, Error> {
    Ok(format!(
        "/v1/clusters/{}/nodegroups",
        seg("cluster", cluster)?
    ))
}

fn nodegroup_path(cluster: &str, nodegroup: &str) -> Result<String, Error> {
    Ok(format!(
        "{}/{}",
        nodegroups_path(cluster)?,
        seg("nodegroup", nodegroup)?
    ))
}

/// Endpoint 7: `GET /v1/clusters/{C}/nodegroups`.
pub fn list_nodegroups(cluster: &str) -> Result<Call<Vec<NodeGroup>>, Error> {
    Ok(Call {
        method: Method::Get,
        path: nodegroups_path(cluster)?,
        body: None,
        parse: |body| from_json::<NodeGroupList>(body).map(|l| l.nodegroups),
    })
}

/// Endpoint 8: `GET /v1/clusters/{C}/nodegroups/{NG}`.
pub fn get_nodegroup(cluster: &str, nodegroup: &str) -> Result<Call<NodeGroup>, Error> {
    Ok(Call {
        method: Method::Get,
        path: nodegroup_path(cluster, nodegroup)?,
        body: None,
        parse: from_json,
    })
}

/// Endpoint 9: `POST /v1/clusters/{C}/nodegroups`: labels go out in their wire form.
pub fn create_nodegroup(
    cluster: &str,
    spec: &NodeGroupCreate,
    max: u32,
) -> Result<Call<NodeGroup>, Error> {
    let path = nodegroups_path(cluster)?;
    validate::nodegroup_create(spec, max)?;
    Ok(Call {
        method: Method::Post,
        path,
        body: Some(body_with_wire_labels(spec, &spec.labels)?),
        parse: from_json,
    })
}

/// Endpoint 10: `DELETE /v1/clusters/{C}/nodegroups/{NG}`.
pub fn delete_nodegroup(cluster: &str, nodegroup: &str) -> Result<Call<()>, Error> {
    Ok(Call {
        method: Method::Delete,
        path: nodegroup_path(cluster, nodegroup)?,
        body: None,
        parse: nothing,
    })
}

/// Endpoint 11: `GET /v1/clusters/{C}/nodegroups/{NG}/autoscale`.
pub fn get_autoscale(cluster: &str, nodegroup: &str) -> Result<Call<Autoscale>, Error> {
    Ok(Call {
        method: Method::Get,
        path: format!("{}/autoscale", nodegroup_path(cluster, nodegroup)?),
        body: None,
        parse: from_json,
    })
}

/// Endpoint 12: `POST /v1/clusters/{C}/nodegroups/{NG}/autoscale`: only the documented
/// settings are sent (read-only fields such as `ca_image` stay behind).
pub fn set_autoscale(
    cluster: &str,
    nodegroup: &str,
    settings: &Autoscale,
    max: u32,
) -> Result<Call<UuidResponse>, Error> {
    let path = format!("{}/autoscale", nodegroup_path(cluster, nodegroup)?);
    validate::autoscale(settings, max)?;
    let documented = Autoscale {
        other: Default::default(),
        ..settings.clone()
    };
    Ok(Call {
        method: Method::Post,
        path,
        body: Some(body_of(&documented)?),
        parse: from_json,
    })
}

/// Endpoint 13: `POST /v1/clusters/{C}/nodegroups/{NG}/upgrade` (`default-master` upgrades
/// the control plane).
pub fn upgrade(
    cluster: &str,
    nodegroup: &str,
    spec: &Upgrade,
) -> Result<Call<UuidResponse>, Error> {
    let path = format!("{}/upgrade", nodegroup_path(cluster, nodegroup)?);
    validate::upgrade(spec)?;
    Ok(Call {
        method: Method::Post,
        path,
        body: Some(body_of(spec)?),
        parse: from_json,
    })
}

/// Endpoint 14: `GET /v1/supports`.
pub fn supported_versions() -> Call<Supports> {
    Call {
        method: Method::Get,
        path: "/v1/supports".into(),
        body: None,
        parse: from_json,
    }
}
