//! [`Labels`]: a cluster's or node group's settings, typed where the reference
//! documents them and kept as they came otherwise.

use super::{by_reader, Fields, FromValue, SettingKind, SETTINGS};
use crate::error::FieldError;
use serde::Serialize;
use serde_json::{Map, Value};

/// Labels of a cluster or node group. Documented booleans and counts are typed (and
/// read leniently); every other label is kept in `other`, untouched.
///
/// `Serialize` writes the normalized form (JSON booleans and numbers); requests use
/// [`to_wire`], the form the reference documents (`"True"`, `"10"`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Labels {
    /// Availability zone of the (default) worker node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// Base image UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_image: Option<String>,
    /// Block storage type (`"General HDD"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_volume_type: Option<String>,
    /// Block storage size in GB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_volume_size: Option<u32>,
    /// External network UUID (internet gateway).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_network_id: Option<String>,
    /// External subnet UUIDs, colon-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_subnet_id_list: Option<String>,
    /// CSR support; must be true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_manager_api: Option<bool>,
    /// Cluster autoscaler on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_enable: Option<bool>,
    /// Autoscaler: most nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_max_node_count: Option<u32>,
    /// Autoscaler: fewest nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_min_node_count: Option<u32>,
    /// Autoscaler: may it remove nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_enable: Option<bool>,
    /// Autoscaler: minutes a node stays unneeded before removal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_unneeded_time: Option<u32>,
    /// Autoscaler: utilization threshold in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_util_thresh: Option<u32>,
    /// Autoscaler: minutes after a scale-up before scale-down resumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_delay_after_add: Option<u32>,
    /// Kubernetes version (`"v1.17.6"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_tag: Option<String>,
    /// Script run at node start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_script: Option<String>,
    /// Public domain for the Kubernetes API endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_lb_floating_ip_enabled: Option<bool>,
    /// Autoscaler: pods of the cluster autoscaler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_pod_replicas: Option<u32>,
    /// Script run at node start (the current form; `user_script` is the old one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_script_v2: Option<String>,
    /// Only the required security rules in worker node security groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict_sg_rules: Option<bool>,
    /// Floating IP auto-assignment on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fip_auto_bind_enable: Option<bool>,
    /// Floating IP auto-assignment: subnet of the interface the address binds to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fip_bind_subnet: Option<String>,
    /// Floating IP auto-assignment: which floating IPs to assign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fip_selector: Option<String>,
    /// Kubernetes node labels of the (default) worker node group, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k8s_node_labels: Option<Value>,
    /// Additional security groups of the (default) worker node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_security_groups: Option<Vec<ExtraSecurityGroup>>,
    /// Additional block storage of the (default) worker node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_volumes: Option<Vec<ExtraVolume>>,
    /// The Kubernetes service network (ClusterIP range), a CIDR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_cluster_ip_range: Option<String>,
    /// The pod network, a CIDR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods_network_cidr: Option<String>,
    /// The pod subnet size (a prefix length, 20..=28).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods_network_subnet: Option<u32>,
    /// Service gateway UUID of the NCR type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ncr_sgw: Option<String>,
    /// Service gateway UUID of the OBS type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obs_sgw: Option<String>,
    /// Certificate validity in years.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_of_validity: Option<u32>,
    /// When the cluster's certificates expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_expiry: Option<String>,
    /// Platform version (`"1.202511.0"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// Whether the Kubernetes version is current (`"LATEST"`, `"NEED_UPGRADE"`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_version_status: Option<String>,
    /// Labels the reference does not document, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Documented boolean labels beyond the autoscaler's ([`SETTINGS`]).
const FLAG_LABELS: [&str; 4] = [
    "cert_manager_api",
    "master_lb_floating_ip_enabled",
    "strict_sg_rules",
    "fip_auto_bind_enable",
];

/// Documented count labels beyond the autoscaler's ([`SETTINGS`]).
const COUNT_LABELS: [&str; 4] = [
    "boot_volume_size",
    "ca_pod_replicas",
    "pods_network_subnet",
    "term_of_validity",
];

/// Count labels the create request documents as Integer (the others as String).
const INTEGER_LABELS: [&str; 1] = ["pods_network_subnet"];

/// Every documented flag and count label, with its kind.
pub(crate) fn typed_labels() -> impl Iterator<Item = (&'static str, SettingKind)> {
    SETTINGS
        .iter()
        .map(|s| (s.wire, s.kind))
        .chain(FLAG_LABELS.iter().map(|&l| (l, SettingKind::Flag)))
        .chain(COUNT_LABELS.iter().map(|&l| (l, SettingKind::Count)))
}

/// How a documented label is typed on the wire, if it is a flag or a count.
fn kind_of(key: &str) -> Option<SettingKind> {
    typed_labels()
        .find(|(label, _)| *label == key)
        .map(|(_, kind)| kind)
}

/// An additional security group of a worker node group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExtraSecurityGroup {
    /// The subnet the groups apply to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_subnet: Option<String>,
    /// Security group UUIDs, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<String>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An additional block storage of a worker node group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExtraVolume {
    /// Block storage type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    /// Size in GB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<u32>,
    /// Symmetric key id (encrypted storage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_key_id: Option<String>,
    /// Appkey of the symmetric key (encrypted storage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_appkey: Option<String>,
    /// Where it is mounted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_mount_path: Option<String>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The wire form of labels: documented booleans as `"True"`/`"False"`, documented
/// counts as strings; every other label exactly as it was given.
pub fn to_wire(labels: &Labels) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::from_str(&serde_json::to_string(labels)?)?;
    rewrite_to_wire(&mut value);
    Ok(value)
}

/// Rewrites normalized labels (an object) into their wire form, in place. Works on
/// JSON values, so requests need no second serializer for their typed labels.
pub(crate) fn rewrite_to_wire(labels: &mut Value) {
    if let Value::Object(map) = labels {
        for (key, entry) in map.iter_mut() {
            match (kind_of(key), &*entry) {
                (Some(SettingKind::Flag), Value::Bool(b)) => {
                    *entry = Value::String(super::value::wire_flag(*b).into());
                }
                (Some(SettingKind::Count), Value::Number(n))
                    if !INTEGER_LABELS.contains(&key.as_str()) =>
                {
                    *entry = Value::String(n.to_string());
                }
                _ => {}
            }
        }
    }
}

impl FromValue for Labels {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = Labels {
            availability_zone: f.opt("availability_zone"),
            node_image: f.opt("node_image"),
            boot_volume_type: f.opt("boot_volume_type"),
            boot_volume_size: f.opt("boot_volume_size"),
            external_network_id: f.opt("external_network_id"),
            external_subnet_id_list: f.opt("external_subnet_id_list"),
            cert_manager_api: f.opt("cert_manager_api"),
            ca_enable: f.opt("ca_enable"),
            ca_max_node_count: f.opt("ca_max_node_count"),
            ca_min_node_count: f.opt("ca_min_node_count"),
            ca_scale_down_enable: f.opt("ca_scale_down_enable"),
            ca_scale_down_unneeded_time: f.opt("ca_scale_down_unneeded_time"),
            ca_scale_down_util_thresh: f.opt("ca_scale_down_util_thresh"),
            ca_scale_down_delay_after_add: f.opt("ca_scale_down_delay_after_add"),
            kube_tag: f.opt("kube_tag"),
            user_script: f.opt("user_script"),
            master_lb_floating_ip_enabled: f.opt("master_lb_floating_ip_enabled"),
            ca_pod_replicas: f.opt("ca_pod_replicas"),
            user_script_v2: f.opt("user_script_v2"),
            strict_sg_rules: f.opt("strict_sg_rules"),
            fip_auto_bind_enable: f.opt("fip_auto_bind_enable"),
            fip_bind_subnet: f.opt("fip_bind_subnet"),
            fip_selector: f.opt("fip_selector"),
            k8s_node_labels: f.opt("k8s_node_labels"),
            extra_security_groups: f.opt("extra_security_groups"),
            extra_volumes: f.opt("extra_volumes"),
            service_cluster_ip_range: f.opt("service_cluster_ip_range"),
            pods_network_cidr: f.opt("pods_network_cidr"),
            pods_network_subnet: f.opt("pods_network_subnet"),
            ncr_sgw: f.opt("ncr_sgw"),
            obs_sgw: f.opt("obs_sgw"),
            term_of_validity: f.opt("term_of_validity"),
            certificate_expiry: f.opt("certificate_expiry"),
            platform_version: f.opt("platform_version"),
            kube_version_status: f.opt("kube_version_status"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

impl FromValue for ExtraSecurityGroup {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = ExtraSecurityGroup {
            target_subnet: f.opt("target_subnet"),
            security_group_ids: f.opt("security_group_ids"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

impl FromValue for ExtraVolume {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = ExtraVolume {
            volume_type: f.opt("volume_type"),
            volume_size: f.opt("volume_size"),
            volume_key_id: f.opt("volume_key_id"),
            volume_appkey: f.opt("volume_appkey"),
            volume_mount_path: f.opt("volume_mount_path"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

by_reader!(Labels, ExtraSecurityGroup, ExtraVolume);
