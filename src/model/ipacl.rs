//! [`IpAcl`]: IP access control of a cluster's API endpoint.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// IP access control of a cluster's API endpoint: what `GET …/api_ep_ipacl` answers
/// and what `POST …/api_ep_ipacl` takes (`cluster_uuid` and undocumented fields are
/// not sent). `enable` arrives as `"true"`/`"false"` and goes out as `"True"`/`"False"`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IpAcl {
    /// The cluster's UUID (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_uuid: Option<String>,
    /// Access control on or off.
    #[serde(deserialize_with = "super::value::flag")]
    pub enable: bool,
    /// `ALLOW` or `DENY` (required when on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The addresses it applies to (1..=100 when on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipacl_targets: Option<Vec<IpAclTarget>>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An address or CIDR range under IP access control.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpAclTarget {
    /// An IP address or a CIDR range.
    #[serde(default)]
    pub cidr_address: String,
    /// A description (the guide's table spells it `descripion`: read either way).
    #[serde(default, alias = "descripion", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
