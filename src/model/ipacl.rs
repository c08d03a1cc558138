//! [`IpAcl`]: IP access control of a cluster's API endpoint.

use super::{by_reader, Fields, FromValue};
use crate::error::FieldError;
use serde::Serialize;
use serde_json::{Map, Value};

/// IP access control of a cluster's API endpoint: what `GET …/api_ep_ipacl` answers
/// and what `POST …/api_ep_ipacl` takes (`cluster_uuid` and undocumented fields are
/// not sent). `enable` arrives as `"true"`/`"false"` and goes out as `"True"`/`"False"`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IpAcl {
    /// The cluster's UUID (answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_uuid: Option<String>,
    /// Access control on or off.
    pub enable: bool,
    /// `ALLOW` or `DENY` (required when on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The addresses it applies to (1..=100 when on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipacl_targets: Option<Vec<IpAclTarget>>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An address or CIDR range under IP access control.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IpAclTarget {
    /// An IP address or a CIDR range.
    pub cidr_address: String,
    /// A description (the guide's table spells it `descripion`: read either way).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl FromValue for IpAcl {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = IpAcl {
            cluster_uuid: f.opt("cluster_uuid"),
            enable: f.flag("enable"),
            action: f.opt("action"),
            ipacl_targets: f.opt("ipacl_targets"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

impl FromValue for IpAclTarget {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let description = f.opt("description").or_else(|| f.opt("descripion"));
        let read = IpAclTarget {
            cidr_address: f.or_default("cidr_address"),
            description,
        };
        f.finish(read)
    }
}

by_reader!(IpAcl, IpAclTarget);
