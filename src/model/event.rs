//! [`Event`]: an entry of a cluster's task history.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A task of a cluster or node group (`GET /v1/clusters/{uuid}/events[/{event}]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The task's UUID.
    pub uuid: String,
    /// The task's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Project (tenant) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The cluster's UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_uuid: Option<String>,
    /// The cluster's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// UUID of the task's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_uuid: Option<String>,
    /// Name of the task's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// `cluster` or `nodegroup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The task type (`CLUSTER_CREATE`; see `supported_event_type`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `IN_PROGRESS`, `SUCCESS` or `FAIL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Progress details (`null` on success).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contents: Option<String>,
    /// Start time (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// End time (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}
