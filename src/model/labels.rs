//! [`Labels`]: a cluster's or node group's settings, typed where the reference
//! documents them and kept as they came otherwise.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Labels of a cluster or node group. Documented booleans and counts are typed (and
/// read leniently); every other label is kept in `other`, untouched.
///
/// `Serialize` writes the normalized form (JSON booleans and numbers); requests use
/// [`to_wire`], the form the reference documents (`"True"`, `"10"`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    /// Availability zone of the (default) worker node group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// Base image UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_image: Option<String>,
    /// Block storage type (`"General HDD"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_volume_type: Option<String>,
    /// Block storage size in GB.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub boot_volume_size: Option<u32>,
    /// External network UUID (internet gateway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_network_id: Option<String>,
    /// External subnet UUIDs, colon-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_subnet_id_list: Option<String>,
    /// CSR support; must be true.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub cert_manager_api: Option<bool>,
    /// Cluster autoscaler on or off.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_enable: Option<bool>,
    /// Autoscaler: most nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_max_node_count: Option<u32>,
    /// Autoscaler: fewest nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_min_node_count: Option<u32>,
    /// Autoscaler: may it remove nodes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_enable: Option<bool>,
    /// Autoscaler: minutes a node stays unneeded before removal.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_unneeded_time: Option<u32>,
    /// Autoscaler: utilization threshold in percent.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_util_thresh: Option<u32>,
    /// Autoscaler: minutes after a scale-up before scale-down resumes.
    #[serde(
        default,
        deserialize_with = "super::value::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub ca_scale_down_delay_after_add: Option<u32>,
    /// Kubernetes version (`"v1.17.6"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_tag: Option<String>,
    /// Script run at node start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_script: Option<String>,
    /// Public domain for the Kubernetes API endpoint.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub master_lb_floating_ip_enabled: Option<bool>,
    /// Labels the reference does not document, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Documented boolean labels: `"True"`/`"False"` on the wire.
const FLAG_LABELS: [&str; 4] = [
    "cert_manager_api",
    "ca_enable",
    "ca_scale_down_enable",
    "master_lb_floating_ip_enabled",
];

/// Documented count labels: strings of digits on the wire.
const COUNT_LABELS: [&str; 6] = [
    "boot_volume_size",
    "ca_max_node_count",
    "ca_min_node_count",
    "ca_scale_down_unneeded_time",
    "ca_scale_down_util_thresh",
    "ca_scale_down_delay_after_add",
];

/// The wire form of labels: documented booleans as `"True"`/`"False"`, documented
/// counts as strings; every other label exactly as it was given.
pub fn to_wire(labels: &Labels) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(labels)?;
    if let Value::Object(map) = &mut value {
        for (key, entry) in map.iter_mut() {
            if FLAG_LABELS.contains(&key.as_str()) {
                if let Value::Bool(b) = entry {
                    *entry = Value::String(if *b { "True" } else { "False" }.into());
                }
            } else if COUNT_LABELS.contains(&key.as_str()) {
                if let Some(n) = entry.as_u64() {
                    *entry = Value::String(n.to_string());
                }
            }
        }
    }
    Ok(value)
}
