//! Add-ons: the catalogue ([`AddonType`], [`Addon`]), what a cluster runs
//! ([`InstalledAddon`]) and the requests that change it ([`AddonInstall`],
//! [`AddonUpdate`]).

use super::{by_reader, Fields, FromValue, Status};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A type of add-on (`cni`, `kube-dns`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AddonType {
    /// The type's UUID.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// Whether every cluster must have one.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub mandatory: Option<bool>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An add-on of the catalogue (one version of one add-on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Addon {
    /// The add-on's UUID.
    pub uuid: String,
    /// Its name (`calico`).
    pub name: String,
    /// Its type's name (`cni`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_schemas: Option<Vec<OptionSchema>>,
    /// Oldest Kubernetes version supported (internal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s_min_version: Option<String>,
    /// Newest Kubernetes version supported (internal; may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s_max_version: Option<String>,
    /// Deployment type (internal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_target: Option<String>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An option an add-on takes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OptionSchema {
    /// The option's name.
    pub name: String,
    /// `STRING`, `INTEGER` or `SELECT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// Its default, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Whether an update may change it.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub updatable: Option<bool>,
    /// Whether it must be given.
    #[serde(
        default,
        deserialize_with = "super::value::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub mandatory: Option<bool>,
    /// The values a `SELECT` option takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Value>>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An add-on installed on a cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstalledAddon {
    /// The installation's UUID.
    pub uuid: String,
    /// The add-on's name.
    pub name: String,
    /// Its type's name.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The installed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Map<String, Value>>,
    /// Its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Why it has that status (may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Project (tenant) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The cluster's UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_uuid: Option<String>,
    /// The cluster's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// `cluster` (or narrower).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// UUID of what it is installed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_uuid: Option<String>,
    /// Creation time (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `POST /v1/clusters/{id}/addons/`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AddonInstall {
    /// The add-on's name.
    pub name: String,
    /// The version to install.
    pub version: String,
    /// `none`, `overwrite` or `preserve`.
    pub resolve_conflicts: String,
    /// Add-on-specific options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Map<String, Value>>,
}

/// `PATCH /v1/clusters/{id}/addons/{addon}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AddonUpdate {
    /// The version to move to.
    pub version: String,
    /// `none`, `overwrite` or `preserve`.
    pub resolve_conflicts: String,
    /// Add-on-specific options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Map<String, Value>>,
}

impl FromValue for AddonInstall {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = AddonInstall {
            name: f.or_default("name"),
            version: f.or_default("version"),
            resolve_conflicts: f.or_default("resolve_conflicts"),
            options: f.opt("options"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for AddonUpdate {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = AddonUpdate {
            version: f.or_default("version"),
            resolve_conflicts: f.or_default("resolve_conflicts"),
            options: f.opt("options"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

by_reader!(AddonInstall, AddonUpdate);
