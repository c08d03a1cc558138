//! Cluster operations.

use super::{body_with_wire_labels, listed, whole, wrapped, Call};
use super::{CREATE_CLUSTER, DELETE_CLUSTER, GET_CLUSTER, GET_KUBECONFIG, LIST_CLUSTERS, RESIZE};
use super::{RENEW_CERTIFICATES, SET_CONTROL_PLANE_LOG, UPDATE_SERVICE_GATEWAYS};
use crate::error::Error;
use crate::model::{
    CertificateRenewal, Cluster, ClusterCreate, ClusterState, ControlPlaneLog, Kubeconfig, Resize,
    ServiceGateways, UuidResponse,
};
use crate::validate;

whole!(Cluster, ClusterState, Kubeconfig);
listed!(read Cluster: clusters);

/// `GET /v1/clusters`.
pub fn list_clusters() -> Result<Call<Vec<Cluster>>, Error> {
    Call::new(&LIST_CLUSTERS, &[])
}

/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}`.
pub fn get_cluster(cluster: &str) -> Result<Call<Cluster>, Error> {
    Call::new(&GET_CLUSTER, &[cluster])
}

/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}`, read as [`ClusterState`] (the fields
/// nks-edge acts on; the rest of the answer is skipped).
pub fn get_cluster_state(cluster: &str) -> Result<Call<ClusterState>, Error> {
    Call::new(&GET_CLUSTER, &[cluster])
}

/// `POST /v1/clusters`: labels go out in their wire form.
pub fn create_cluster(spec: &ClusterCreate, max: u32) -> Result<Call<UuidResponse>, Error> {
    validate::cluster_create(spec, max)?;
    let mut call = Call::new(&CREATE_CLUSTER, &[])?;
    call.body = Some(body_with_wire_labels(spec)?);
    Ok(call)
}

/// `DELETE /v1/clusters/{CLUSTER_ID_OR_NAME}`.
pub fn delete_cluster(cluster: &str) -> Result<Call<()>, Error> {
    Call::new(&DELETE_CLUSTER, &[cluster])
}

/// `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/actions/resize`. A resize to a count is
/// idempotent; one that names `nodes_to_remove` is not (the nodes are gone after it).
pub fn resize(cluster: &str, spec: &Resize, max: u32) -> Result<Call<UuidResponse>, Error> {
    let mut call = Call::new(&RESIZE, &[cluster])?;
    validate::resize(spec, max)?;
    call.idempotent = spec.nodes_to_remove.is_none();
    call.with_body(spec)
}

/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/config`: the kubeconfig YAML.
pub fn kubeconfig(cluster: &str) -> Result<Call<Kubeconfig>, Error> {
    Call::new(&GET_KUBECONFIG, &[cluster])
}

/// `PATCH /v1/certificates/{CLUSTER_ID_OR_NAME}`: renews the certificates for
/// `term_of_validity` years (1..=5).
pub fn renew_certificates(
    cluster: &str,
    spec: &CertificateRenewal,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&RENEW_CERTIFICATES, &[cluster])?;
    validate::certificate_renewal(spec)?;
    call.with_body(spec)
}

/// `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/actions/update_sgw`.
pub fn update_service_gateways(
    cluster: &str,
    spec: &ServiceGateways,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&UPDATE_SERVICE_GATEWAYS, &[cluster])?;
    validate::service_gateways(spec)?;
    call.with_body(spec)
}

/// `PATCH /v1/clusters/{CLUSTER_ID_OR_NAME}` with type `control_plane_log`.
pub fn set_control_plane_log(
    cluster: &str,
    log: &ControlPlaneLog,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&SET_CONTROL_PLANE_LOG, &[cluster])?;
    validate::control_plane_log(log)?;
    Ok(call.with_json(wrapped("control_plane_log", log)?))
}
