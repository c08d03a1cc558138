//! Node groups: [`NodeGroup`] (list, detail and create answers) and the part nks-edge
//! acts on ([`NodeGroupState`]), [`NodeGroupCreate`], [`Upgrade`].

use super::{by_reader, Fields, FromValue, Labels, Status};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A node group, as the list (summary), detail and create calls answer it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NodeGroup {
    /// The node group's UUID.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// The cluster it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// Instance type UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flavor_id: Option<String>,
    /// Base image UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// Most nodes (may be `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_node_count: Option<u32>,
    /// Fewest nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_node_count: Option<u32>,
    /// Current nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_count: Option<u32>,
    /// Node IP addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_addresses: Option<Vec<String>>,
    /// `worker` (or `master`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Project (tenant) id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Heat stack of the node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_id: Option<String>,
    /// Its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Why it has that status (may be `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Creation time (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The node group's labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// Version field of the node group (the guide shows `null`; `labels.kube_tag`
    /// holds the Kubernetes version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// What the planner and `status` act on of a node group: its UUID (when given), name,
/// role, status, size, Kubernetes version and whether its autoscaler is on. Read from the same answers as
/// [`NodeGroup`], with every other field skipped unread.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct NodeGroupState {
    /// The node group's UUID.
    #[serde(default)]
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// `worker` (or `master`).
    #[serde(default)]
    pub role: Option<String>,
    /// Its status.
    #[serde(default)]
    pub status: Option<Status>,
    /// Current nodes.
    #[serde(default, deserialize_with = "super::value::opt_count")]
    pub node_count: Option<u32>,
    /// `labels.kube_tag` and `labels.ca_enable`.
    #[serde(default)]
    pub labels: Option<GroupStateLabels>,
}

/// The labels [`NodeGroupState`] reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct GroupStateLabels {
    /// The node group's Kubernetes version (`v1.28.3`).
    #[serde(default)]
    pub kube_tag: Option<String>,
    /// Whether its cluster autoscaler is on.
    #[serde(default, deserialize_with = "super::value::opt_flag")]
    pub ca_enable: Option<bool>,
}

/// `POST /v1/clusters/{id}/nodegroups`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NodeGroupCreate {
    /// Node group name.
    pub name: String,
    /// Nodes to start with (the API's default is 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_count: Option<u32>,
    /// Instance type UUID.
    pub flavor_id: String,
    /// Base image UUID.
    pub image_id: String,
    /// Node group labels.
    pub labels: Labels,
    /// Fields the reference does not document, sent as given.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `POST /v1/clusters/{id}/nodegroups/{ng}/upgrade`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Upgrade {
    /// The Kubernetes version to move to (`"v1.19.13"`).
    pub version: String,
    /// How the nodes are replaced (worker node groups).
    #[serde(flatten)]
    pub rollout: Rollout,
}

/// How nodes are replaced by an upgrade or a flavor change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rollout {
    /// Extra nodes started while nodes are replaced (API default 1; may be 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_buffer_nodes: Option<u32>,
    /// Most nodes out of service at once (API default 1; at least 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_max_unavailable_nodes: Option<u32>,
}

/// `PATCH …/nodegroups/{ng}` with type `flavor_id`: a new instance type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FlavorChange {
    /// The new flavor's UUID.
    pub flavor_id: String,
    /// How the nodes are replaced.
    #[serde(flatten)]
    pub rollout: Rollout,
}

/// `PATCH …/nodegroups/{ng}` with type `metric_base_autoscale`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MetricAutoscale {
    /// The scale-out policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mba_scale_out: Option<MetricPolicy>,
    /// The scale-in policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mba_scale_in: Option<MetricPolicy>,
}

/// One direction (out or in) of the metric-based autoscaler.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MetricPolicy {
    /// On or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// Scale-out: most nodes of the node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_node_count: Option<u32>,
    /// Scale-in: fewest nodes of the node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_node_count: Option<u32>,
    /// How the rules combine: `AND` or `OR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_operator: Option<String>,
    /// Minutes to wait before scaling (1..=60).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<u32>,
    /// Nodes added or removed at a time (1..=10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment_count: Option<u32>,
    /// The rules (at least one when enabled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<MetricRule>>,
}

/// A rule of the metric-based autoscaler.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricRule {
    /// The metric (`GROUP_CPU_USAGE`, …; documented as Integer, sent as a name).
    pub metric: String,
    /// The threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// Minutes the threshold must hold (2..=60).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
}

/// Floating IP auto-assignment of a node group (`PATCH` type `fip_auto_bind`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FipAutoBind {
    /// On or off.
    pub fip_auto_bind_enable: bool,
    /// Subnet of the interface the floating IP binds to (required when on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fip_bind_subnet: Option<String>,
    /// Which floating IPs to assign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fip_selector: Option<String>,
}

impl Rollout {
    /// The rollout fields of `f` (they sit beside the request's own).
    fn from_fields(f: &Fields<'_>) -> Self {
        Rollout {
            num_buffer_nodes: f.opt("num_buffer_nodes"),
            num_max_unavailable_nodes: f.opt("num_max_unavailable_nodes"),
        }
    }
}

impl FromValue for Rollout {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = Rollout::from_fields(&f);
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for Upgrade {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = Upgrade {
            version: f.or_default("version"),
            rollout: Rollout::from_fields(&f),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for FlavorChange {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = FlavorChange {
            flavor_id: f.or_default("flavor_id"),
            rollout: Rollout::from_fields(&f),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for MetricAutoscale {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = MetricAutoscale {
            mba_scale_out: f.opt("mba_scale_out"),
            mba_scale_in: f.opt("mba_scale_in"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for MetricPolicy {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = MetricPolicy {
            enable: f.opt("enable"),
            max_node_count: f.opt("max_node_count"),
            min_node_count: f.opt("min_node_count"),
            rules_operator: f.opt("rules_operator"),
            delay: f.opt("delay"),
            adjustment_count: f.opt("adjustment_count"),
            rules: f.opt("rules"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for MetricRule {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = MetricRule {
            metric: f.text_or_number("metric"),
            threshold: f.opt("threshold"),
            duration: f.opt("duration"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for FipAutoBind {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = FipAutoBind {
            fip_auto_bind_enable: f.flag("fip_auto_bind_enable"),
            fip_bind_subnet: f.opt("fip_bind_subnet"),
            fip_selector: f.opt("fip_selector"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for NodeGroupCreate {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = NodeGroupCreate {
            name: f.or_default("name"),
            node_count: f.opt("node_count"),
            flavor_id: f.or_default("flavor_id"),
            image_id: f.or_default("image_id"),
            labels: f.or_default("labels"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

impl FromValue for NodeGroup {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = NodeGroup {
            uuid: f.required("uuid"),
            name: f.required("name"),
            cluster_id: f.opt("cluster_id"),
            flavor_id: f.opt("flavor_id"),
            image_id: f.opt("image_id"),
            max_node_count: f.opt("max_node_count"),
            min_node_count: f.opt("min_node_count"),
            node_count: f.opt("node_count"),
            node_addresses: f.opt("node_addresses"),
            role: f.opt("role"),
            project_id: f.opt("project_id"),
            stack_id: f.opt("stack_id"),
            status: f.opt("status"),
            status_reason: f.opt("status_reason"),
            created_at: f.opt("created_at"),
            updated_at: f.opt("updated_at"),
            labels: f.opt("labels"),
            version: f.opt("version"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

by_reader!(
    NodeGroup,
    NodeGroupCreate,
    Rollout,
    Upgrade,
    FlavorChange,
    MetricAutoscale,
    MetricPolicy,
    MetricRule,
    FipAutoBind
);
