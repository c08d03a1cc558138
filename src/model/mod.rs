//! Serde types of every NKS request and response. Reading is lenient where the API is
//! (see [`value`]); undocumented fields are kept in each type's `other` map and survive
//! a round trip; writing is strict (the documented wire form).

mod autoscale;
mod cluster;
mod labels;
mod nodegroup;
mod status;
pub(crate) mod value;

pub use autoscale::Autoscale;
pub use cluster::{Cluster, ClusterCreate, Resize};
pub use labels::{to_wire as labels_to_wire, Labels};
pub use nodegroup::{NodeGroup, NodeGroupCreate, Upgrade};
pub use status::Status;

use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `{"uuid": …}`: the answer of create, resize, autoscale and upgrade calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UuidResponse {
    /// The cluster's or node group's UUID.
    pub uuid: String,
}

/// `{"config": "<kubeconfig YAML>"}`. The YAML holds client keys: it is a [`Secret`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kubeconfig {
    /// The kubeconfig YAML.
    pub config: Secret,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `GET /v1/supports`: Kubernetes versions and whether each is valid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Supports {
    /// Version name to validity (`"v1.19.13": true`).
    #[serde(deserialize_with = "value::flag_map")]
    pub supported_k8s: BTreeMap<String, bool>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Parses JSON into `T`; a failure names the JSON path of the bad field.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }
    })?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}
