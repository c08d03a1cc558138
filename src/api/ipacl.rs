//! IP access control of a cluster's API endpoint.

use super::{whole, Call};
use super::{GET_IP_ACL, SET_IP_ACL};
use crate::error::Error;
use crate::model::value::wire_flag;
use crate::model::{IpAcl, IpAclTarget, UuidResponse};
use crate::validate;
use serde::Serialize;

whole!(IpAcl);

/// The documented request: `enable` as `"True"`/`"False"`, nothing read-only.
#[derive(Serialize)]
struct Wire<'a> {
    enable: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipacl_targets: Option<&'a [IpAclTarget]>,
}

/// `GET /v1/clusters/{C}/api_ep_ipacl`.
pub fn get_ip_acl(cluster: &str) -> Result<Call<IpAcl>, Error> {
    Call::new(&GET_IP_ACL, &[cluster])
}

/// `POST /v1/clusters/{C}/api_ep_ipacl`: answers the cluster's UUID.
pub fn set_ip_acl(cluster: &str, acl: &IpAcl) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&SET_IP_ACL, &[cluster])?;
    validate::ip_acl(acl)?;
    call.with_body(&Wire {
        enable: wire_flag(acl.enable),
        action: acl.action.as_deref(),
        ipacl_targets: acl.ipacl_targets.as_deref(),
    })
}
