//! Clusters: [`Cluster`] (list and detail answers) and the part nks-edge acts on
//! ([`ClusterState`]), [`ClusterCreate`], [`Resize`].

use super::{by_reader, Fields, FromValue, Labels, Status};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A cluster, as `GET /v1/clusters` (summary) or `GET /v1/clusters/{id}` (detail)
/// answers it. Fields only the detail carries are `None` in a summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cluster {
    /// The cluster's UUID.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// Its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Why it has that status (may be `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Instance type of the default worker nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flavor_id: Option<String>,
    /// Key pair of the default worker node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keypair: Option<String>,
    /// Worker nodes in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_count: Option<u32>,
    /// Whether the cluster's Kubernetes API and node information is current
    /// (`FRESH`, `STALE`, `ROTTEN`; older clusters: `HEALTHY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_status: Option<String>,
    /// The details of `health_status` per worker node group, as they came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_status_reason: Option<Value>,
    /// Heat stack of the master node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_id: Option<String>,
    /// Kubernetes API endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_address: Option<String>,
    /// Project (tenant) id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// VPC network UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_network: Option<String>,
    /// VPC subnet UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_subnet: Option<String>,
    /// Worker node IP addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_addresses: Option<Vec<String>>,
    /// Creation time (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The cluster's labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// What nks-edge itself acts on of a cluster (the planner, `status`, a name's UUID):
/// its identity, status, and control-plane version and certificate expiry. Read from
/// the same answer as [`Cluster`], with every other field skipped unread: a tick reads
/// each cluster, and the whole model (labels, undocumented fields) cost most of that.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ClusterState {
    /// The cluster's UUID.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// Its status.
    #[serde(default)]
    pub status: Option<Status>,
    /// `labels.kube_tag` and `labels.certificate_expiry`.
    #[serde(default)]
    pub labels: Option<StateLabels>,
}

/// The labels [`ClusterState`] reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct StateLabels {
    /// The control plane's Kubernetes version (`v1.28.3`).
    #[serde(default)]
    pub kube_tag: Option<String>,
    /// When the cluster's certificates expire (RFC 3339).
    #[serde(default)]
    pub certificate_expiry: Option<String>,
}

/// `POST /v1/clusters`. Required fields are plain values so that a missing one is a
/// validation error naming it, not a parse error.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusterCreate {
    /// Cluster name.
    pub name: String,
    /// Must be `"iaas_console"`.
    pub cluster_template_id: String,
    /// Key pair name for the default worker node group.
    pub keypair: String,
    /// Nodes in the default worker node group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_count: Option<u32>,
    /// Instance type UUID of the default workers.
    pub flavor_id: String,
    /// VPC network UUID.
    pub fixed_network: String,
    /// VPC subnet UUID.
    pub fixed_subnet: String,
    /// Cluster labels (settings of the default worker node group).
    pub labels: Labels,
    /// Add-ons to install with the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<AddonSpec>>,
    /// Fields the reference does not document (`create_timeout`), sent as given.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An add-on to install with a new cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AddonSpec {
    /// Add-on name (`calico`).
    pub name: String,
    /// Add-on version (`v3.28.2-nks1`).
    pub version: String,
    /// Add-on-specific options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Map<String, Value>>,
}

/// `PATCH /v1/certificates/{id}`: renews the cluster's certificates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CertificateRenewal {
    /// Validity of the new certificates in years (1..=5).
    pub term_of_validity: u32,
}

/// `POST /v1/clusters/{id}/actions/update_sgw`: the cluster's service gateways.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServiceGateways {
    /// Service gateway UUID of the NCR type.
    pub ncr_sgw: String,
    /// Service gateway UUID of the OBS type.
    pub obs_sgw: String,
}

/// Where the control plane's logs go (`PATCH /v1/clusters/{id}`, type `control_plane_log`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ControlPlaneLog {
    /// Delivery on or off.
    pub enable: bool,
    /// `lncs` (Log & Crash Search) or `obs` (Object Storage); required when on.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Service gateway UUID of the chosen service; required when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sgw: Option<String>,
    /// Minutes between deliveries to Object Storage (1..=60, default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_interval: Option<u32>,
    /// Log & Crash Search appkey (type `lncs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lncs_appkey: Option<String>,
    /// Full Object Storage path (type `obs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obs_api_url: Option<String>,
    /// `gzip` or `text` (type `obs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obs_store_as: Option<String>,
}

/// `POST /v1/clusters/{id}/actions/resize`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resize {
    /// Target worker node group, by name or UUID.
    pub nodegroup: String,
    /// The wanted number of nodes.
    pub node_count: u32,
    /// When shrinking: the UUIDs of the nodes to delete (random otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes_to_remove: Option<Vec<String>>,
}

impl Resize {
    /// Resize `nodegroup` to `node_count` nodes.
    pub fn new(nodegroup: impl Into<String>, node_count: u32) -> Self {
        Resize {
            nodegroup: nodegroup.into(),
            node_count,
            nodes_to_remove: None,
        }
    }
}

impl FromValue for CertificateRenewal {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = CertificateRenewal {
            term_of_validity: f.count("term_of_validity"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for ServiceGateways {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = ServiceGateways {
            ncr_sgw: f.or_default("ncr_sgw"),
            obs_sgw: f.or_default("obs_sgw"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for ControlPlaneLog {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = ControlPlaneLog {
            enable: f.flag("enable"),
            kind: f.opt("type"),
            sgw: f.opt("sgw"),
            upload_interval: f.opt("upload_interval"),
            lncs_appkey: f.opt("lncs_appkey"),
            obs_api_url: f.opt("obs_api_url"),
            obs_store_as: f.opt("obs_store_as"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for Resize {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = Resize {
            nodegroup: f.or_default("nodegroup"),
            node_count: f.count("node_count"),
            nodes_to_remove: f.opt("nodes_to_remove"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for ClusterCreate {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = ClusterCreate {
            name: f.or_default("name"),
            cluster_template_id: f.or_default("cluster_template_id"),
            keypair: f.or_default("keypair"),
            node_count: f.opt("node_count"),
            flavor_id: f.or_default("flavor_id"),
            fixed_network: f.or_default("fixed_network"),
            fixed_subnet: f.or_default("fixed_subnet"),
            labels: f.or_default("labels"),
            addons: f.opt("addons"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

impl FromValue for AddonSpec {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = AddonSpec {
            name: f.or_default("name"),
            version: f.or_default("version"),
            options: f.opt("options"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for Cluster {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = Cluster {
            uuid: f.required("uuid"),
            name: f.required("name"),
            status: f.opt("status"),
            status_reason: f.opt("status_reason"),
            flavor_id: f.opt("flavor_id"),
            keypair: f.opt("keypair"),
            node_count: f.opt("node_count"),
            health_status: f.opt("health_status"),
            health_status_reason: f.opt("health_status_reason"),
            stack_id: f.opt("stack_id"),
            api_address: f.opt("api_address"),
            project_id: f.opt("project_id"),
            fixed_network: f.opt("fixed_network"),
            fixed_subnet: f.opt("fixed_subnet"),
            node_addresses: f.opt("node_addresses"),
            created_at: f.opt("created_at"),
            updated_at: f.opt("updated_at"),
            labels: f.opt("labels"),
            other: f.rest(),
        };
        f.finish(read)
    }
}

by_reader!(
    Cluster,
    ClusterCreate,
    AddonSpec,
    CertificateRenewal,
    ServiceGateways,
    ControlPlaneLog,
    Resize
);
