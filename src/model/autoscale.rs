//! [`Autoscale`]: a node group's cluster-autoscaler settings.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How an autoscaler setting is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// A boolean (`"True"`/`"False"` inside labels).
    Flag,
    /// A whole number (a string of digits inside labels).
    Count,
}

/// One autoscaler setting: its name in a policy, its name on the wire (the
/// [`Autoscale`] field and the label), its type and, for counts, its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// In a policy's `autoscale` (`min`).
    pub policy: &'static str,
    /// On the wire and in labels (`ca_min_node_count`).
    pub wire: &'static str,
    /// Its type.
    pub kind: SettingKind,
}

const fn setting(policy: &'static str, wire: &'static str, kind: SettingKind) -> Setting {
    Setting { policy, wire, kind }
}

/// Every autoscaler setting, once: the policy, the labels' wire form and the planner
/// read this table.
pub const SETTINGS: [Setting; 7] = [
    setting("enable", "ca_enable", SettingKind::Flag),
    setting("min", "ca_min_node_count", SettingKind::Count),
    setting("max", "ca_max_node_count", SettingKind::Count),
    setting(
        "scale_down_enable",
        "ca_scale_down_enable",
        SettingKind::Flag,
    ),
    setting(
        "scale_down_unneeded_time",
        "ca_scale_down_unneeded_time",
        SettingKind::Count,
    ),
    setting(
        "scale_down_util_thresh",
        "ca_scale_down_util_thresh",
        SettingKind::Count,
    ),
    setting(
        "scale_down_delay_after_add",
        "ca_scale_down_delay_after_add",
        SettingKind::Count,
    ),
];

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
    /// Pods of the cluster autoscaler (not a policy setting).
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_pod_replicas: Option<u32>,
    /// Undocumented fields (`ca_image`, `clusterautoscale`), as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}
