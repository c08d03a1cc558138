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
    /// Version field of the node group (the guide shows `null`; `labels.kube_tag`
    /// holds the Kubernetes version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
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
    /// How the nodes are replaced (worker node groups).
    #[serde(flatten)]
    pub rollout: Rollout,
}

/// How nodes are replaced by an upgrade or a flavor change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    /// Extra nodes started while nodes are replaced (API default 1; may be 0).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_buffer_nodes: Option<u32>,
    /// Most nodes out of service at once (API default 1; at least 1).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_max_unavailable_nodes: Option<u32>,
}

/// `PATCH …/nodegroups/{ng}` with type `flavor_id`: a new instance type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlavorChange {
    /// The new flavor's UUID.
    #[serde(default)]
    pub flavor_id: String,
    /// How the nodes are replaced.
    #[serde(flatten)]
    pub rollout: Rollout,
}

/// `PATCH …/nodegroups/{ng}` with type `metric_base_autoscale`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricAutoscale {
    /// The scale-out policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mba_scale_out: Option<MetricPolicy>,
    /// The scale-in policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mba_scale_in: Option<MetricPolicy>,
}

/// One direction (out or in) of the metric-based autoscaler.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricPolicy {
    /// On or off.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable: Option<bool>,
    /// Scale-out: most nodes of the node group.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_node_count: Option<u32>,
    /// Scale-in: fewest nodes of the node group.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_node_count: Option<u32>,
    /// How the rules combine: `AND` or `OR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_operator: Option<String>,
    /// Minutes to wait before scaling (1..=60).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub delay: Option<u32>,
    /// Nodes added or removed at a time (1..=10).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub adjustment_count: Option<u32>,
    /// The rules (at least one when enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<MetricRule>>,
}

/// A rule of the metric-based autoscaler.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricRule {
    /// The metric (`GROUP_CPU_USAGE`, …; documented as Integer, sent as a name).
    #[serde(default, deserialize_with = "super::value::text")]
    pub metric: String,
    /// The threshold.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub threshold: Option<u32>,
    /// Minutes the threshold must hold (2..=60).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration: Option<u32>,
}

/// Floating IP auto-assignment of a node group (`PATCH` type `fip_auto_bind`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FipAutoBind {
    /// On or off.
    #[serde(deserialize_with = "super::value::flag")]
    pub fip_auto_bind_enable: bool,
    /// Subnet of the interface the floating IP binds to (required when on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fip_bind_subnet: Option<String>,
    /// Which floating IPs to assign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fip_selector: Option<String>,
}
