//! Node groups: [`NodeGroup`] (list, detail and create answers), [`NodeGroupCreate`],
//! [`Upgrade`].

use super::{Labels, Status};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A node group, as the list (summary), detail and create calls answer it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeGroup {
    /// The node group's UUID.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// The cluster it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// Instance type UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor_id: Option<String>,
    /// Base image UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// Most nodes (may be `null`).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_node_count: Option<u32>,
    /// Fewest nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_node_count: Option<u32>,
    /// Current nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_count: Option<u32>,
    /// Node IP addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_addresses: Option<Vec<String>>,
    /// `worker` (or `master`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Project (tenant) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Heat stack of the node group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_id: Option<String>,
    /// Its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Why it has that status (may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Creation time (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The node group's labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `POST /v1/clusters/{id}/nodegroups`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeGroupCreate {
    /// Node group name.
    #[serde(default)]
    pub name: String,
    /// Nodes to start with (the API's default is 1).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_count: Option<u32>,
    /// Instance type UUID.
    #[serde(default)]
    pub flavor_id: String,
    /// Base image UUID.
    #[serde(default)]
    pub image_id: String,
    /// Node group labels.
    #[serde(default)]
    pub labels: Labels,
    /// Fields the reference does not document, sent as given.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `POST /v1/clusters/{id}/nodegroups/{ng}/upgrade`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upgrade {
    /// The Kubernetes version to move to (`"v1.19.13"`).
    #[serde(default)]
    pub version: String,
}
