//! [`Autoscale`]: a node group's cluster-autoscaler settings.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The autoscaler settings of a node group: what `GET …/autoscale` answers and what
/// `POST …/autoscale` takes. Both use JSON booleans and integers on the wire, as the
/// reference's examples do.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Autoscale {
    /// Autoscaler on or off (required when setting).
    #[serde(deserialize_with = "super::value::flag")]
    pub ca_enable: bool,
    /// Most nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_max_node_count: Option<u32>,
    /// Fewest nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_min_node_count: Option<u32>,
    /// May the autoscaler remove nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_enable: Option<bool>,
    /// Minutes a node stays unneeded before removal.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_unneeded_time: Option<u32>,
    /// Utilization threshold in percent.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_util_thresh: Option<u32>,
    /// Minutes after a scale-up before scale-down resumes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_delay_after_add: Option<u32>,
    /// Undocumented fields (`ca_image`, `clusterautoscale`), as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}
