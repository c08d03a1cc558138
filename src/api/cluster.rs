//! Cluster endpoints (1–6 of the reference).

use super::{body_of, body_with_wire_labels, nothing, seg, Call};
use crate::error::Error;
use crate::model::from_json;
use crate::model::{Cluster, ClusterCreate, Kubeconfig, Resize, UuidResponse};
use crate::transport::Method;
use crate::validate;
use serde::Deserialize;

#[derive(Deserialize)]
struct ClusterList {
    clusters: Vec<Cluster>,
}

/// Endpoint 1: `GET /v1/clusters`.
pub fn list_clusters() -> Call<Vec<Cluster>> {
    Call {
        method: Method::Get,
        path: "/v1/clusters".into(),
        body: None,
        parse: |body| from_json::<ClusterList>(body).map(|l| l.clusters),
    }
}

/// Endpoint 2: `GET /v1/clusters/{CLUSTER_ID_OR_NAME}`.
pub fn get_cluster(cluster: &str) -> Result<Call<Cluster>, Error> {
    Ok(Call {
        method: Method::Get,
        path: format!("/v1/clusters/{}", seg("cluster", cluster)?),
        body: None,
        parse: from_json,
    })
}

/// Endpoint 3: `POST /v1/clusters`: labels go out in their wire form.
pub fn create_cluster(spec: &ClusterCreate, max: u32) -> Result<Call<UuidResponse>, Error> {
    validate::cluster_create(spec, max)?;
    Ok(Call {
        method: Method::Post,
        path: "/v1/clusters".into(),
        body: Some(body_with_wire_labels(spec, &spec.labels)?),
        parse: from_json,
    })
}

/// Endpoint 4: `DELETE /v1/clusters/{CLUSTER_ID_OR_NAME}`.
pub fn delete_cluster(cluster: &str) -> Result<Call<()>, Error> {
    Ok(Call {
        method: Method::Delete,
        path: format!("/v1/clusters/{}", seg("cluster", cluster)?),
        body: None,
        parse: nothing,
    })
}

/// Endpoint 5: `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/actions/resize`.
pub fn resize(cluster: &str, spec: &Resize, max: u32) -> Result<Call<UuidResponse>, Error> {
    let path = format!("/v1/clusters/{}/actions/resize", seg("cluster", cluster)?);
    validate::resize(spec, max)?;
    Ok(Call {
        method: Method::Post,
        path,
        body: Some(body_of(spec)?),
        parse: from_json,
    })
}

/// Endpoint 6: `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/config`: the kubeconfig YAML.
pub fn kubeconfig(cluster: &str) -> Result<Call<Kubeconfig>, Error> {
    Ok(Call {
        method: Method::Get,
        path: format!("/v1/clusters/{}/config", seg("cluster", cluster)?),
        body: None,
        parse: from_json,
    })
}
