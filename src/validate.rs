//! The reference's rules, checked before any request: a failure names the field.

use crate::error::Error;
use crate::model::{
    AddonInstall, AddonUpdate, Autoscale, CertificateRenewal, ClusterCreate, ControlPlaneLog,
    FipAutoBind, FlavorChange, IpAcl, Labels, MetricAutoscale, MetricPolicy, NodeGroupCreate,
    Resize, Rollout, ServiceGateways, Upgrade,
};
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

/// The only cluster template the service accepts.
pub const CLUSTER_TEMPLATE_ID: &str = "iaas_console";

/// The default upper bound of node counts (raisable by quota).
pub const DEFAULT_MAX_NODE_COUNT: u32 = 10;

fn required(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::validation(
            field,
            "is required and must not be empty",
        ))
    } else {
        Ok(())
    }
}

fn required_label<T>(field: &str, value: Option<&T>) -> Result<(), Error> {
    value
        .map(|_| ())
        .ok_or_else(|| Error::validation(field, "is required"))
}

fn required_text_label(field: &str, value: Option<&String>) -> Result<(), Error> {
    required(field, value.map_or("", String::as_str))
}

/// `field` is written out only for an error: a valid count allocates nothing.
fn node_count(field: impl fmt::Display, count: u32, max: u32) -> Result<(), Error> {
    if (1..=max).contains(&count) {
        Ok(())
    } else {
        Err(Error::validation(
            field.to_string(),
            format!("must be between 1 and {max}, got {count}"),
        ))
    }
}

/// A path segment: a UUID or a name. Never empty, never `.` or `..` (URL parsers
/// resolve them as path steps even when percent-encoded), and without `/` or `\`.
pub fn id_or_name(field: &str, value: &str) -> Result<(), Error> {
    required(field, value)?;
    if value == "." || value == ".." {
        return Err(Error::validation(field, "must not be \".\" or \"..\""));
    }
    // No NKS name or UUID holds one; a front end that decodes `%2F` would read it as a
    // path step.
    if value.contains(['/', '\\']) {
        return Err(Error::validation(field, "must not contain \"/\" or \"\\\""));
    }
    Ok(())
}

/// Autoscaler bounds within labels or settings: each in 1..=max, min ≤ max.
fn bounds(prefix: &str, min: Option<u32>, max: Option<u32>, limit: u32) -> Result<(), Error> {
    if let Some(n) = min {
        node_count(format_args!("{prefix}ca_min_node_count"), n, limit)?;
    }
    if let Some(n) = max {
        node_count(format_args!("{prefix}ca_max_node_count"), n, limit)?;
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            return Err(Error::validation(
                format!("{prefix}ca_min_node_count"),
                format!("must not exceed ca_max_node_count ({lo} > {hi})"),
            ));
        }
    }
    Ok(())
}

fn worker_labels(labels: &Labels, max: u32) -> Result<(), Error> {
    required_text_label(
        "labels.availability_zone",
        labels.availability_zone.as_ref(),
    )?;
    required_text_label("labels.boot_volume_type", labels.boot_volume_type.as_ref())?;
    required_label("labels.boot_volume_size", labels.boot_volume_size.as_ref())?;
    required_label("labels.ca_enable", labels.ca_enable.as_ref())?;
    bounds(
        "labels.",
        labels.ca_min_node_count,
        labels.ca_max_node_count,
        max,
    )
}

/// `POST /v1/clusters`.
pub fn cluster_create(spec: &ClusterCreate, max: u32) -> Result<(), Error> {
    required("name", &spec.name)?;
    if spec.cluster_template_id != CLUSTER_TEMPLATE_ID {
        return Err(Error::validation(
            "cluster_template_id",
            format!("must be \"{CLUSTER_TEMPLATE_ID}\""),
        ));
    }
    required("keypair", &spec.keypair)?;
    let count = spec
        .node_count
        .ok_or_else(|| Error::validation("node_count", "is required"))?;
    node_count("node_count", count, max)?;
    required("flavor_id", &spec.flavor_id)?;
    required("fixed_network", &spec.fixed_network)?;
    required("fixed_subnet", &spec.fixed_subnet)?;
    for (i, addon) in spec.addons.iter().flatten().enumerate() {
        required(&format!("addons[{i}].name"), &addon.name)?;
        required(&format!("addons[{i}].version"), &addon.version)?;
    }
    let labels = &spec.labels;
    networks(labels)?;
    required_text_label("labels.node_image", labels.node_image.as_ref())?;
    required_text_label("labels.kube_tag", labels.kube_tag.as_ref())?;
    worker_labels(labels, max)?;
    if labels.cert_manager_api != Some(true) {
        return Err(Error::validation(
            "labels.cert_manager_api",
            "is required and must be true",
        ));
    }
    match labels.master_lb_floating_ip_enabled {
        None => Err(Error::validation(
            "labels.master_lb_floating_ip_enabled",
            "is required",
        )),
        Some(true) => {
            let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
            if set(&labels.external_network_id) && set(&labels.external_subnet_id_list) {
                Ok(())
            } else {
                Err(Error::validation(
                    "labels.master_lb_floating_ip_enabled",
                    "may be true only when labels.external_network_id and labels.external_subnet_id_list are set",
                ))
            }
        }
        Some(false) => Ok(()),
    }
}

/// `POST /v1/clusters/{id}/actions/resize`.
pub fn resize(spec: &Resize, max: u32) -> Result<(), Error> {
    required("nodegroup", &spec.nodegroup)?;
    node_count("node_count", spec.node_count, max)?;
    if let Some(nodes) = &spec.nodes_to_remove {
        if nodes.iter().any(|n| n.trim().is_empty()) {
            return Err(Error::validation(
                "nodes_to_remove",
                "must not contain empty node ids",
            ));
        }
    }
    Ok(())
}

/// `POST /v1/clusters/{id}/nodegroups`.
pub fn nodegroup_create(spec: &NodeGroupCreate, max: u32) -> Result<(), Error> {
    required("name", &spec.name)?;
    if let Some(count) = spec.node_count {
        node_count("node_count", count, max)?;
    }
    required("flavor_id", &spec.flavor_id)?;
    required("image_id", &spec.image_id)?;
    worker_labels(&spec.labels, max)
}

/// `POST …/autoscale`.
pub fn autoscale(settings: &Autoscale, max: u32) -> Result<(), Error> {
    bounds(
        "",
        settings.ca_min_node_count,
        settings.ca_max_node_count,
        max,
    )?;
    if settings.ca_scale_down_util_thresh.is_some_and(|t| t > 100) {
        return Err(Error::validation(
            "ca_scale_down_util_thresh",
            "is a percentage: at most 100",
        ));
    }
    Ok(())
}

/// `POST …/upgrade`.
pub fn upgrade(spec: &Upgrade) -> Result<(), Error> {
    required("version", &spec.version)?;
    rollout(&spec.rollout)
}

fn rollout(rollout: &Rollout) -> Result<(), Error> {
    if rollout.num_max_unavailable_nodes == Some(0) {
        return Err(Error::validation(
            "num_max_unavailable_nodes",
            "must be at least 1",
        ));
    }
    Ok(())
}

fn within(field: &str, value: Option<u32>, low: u32, high: u32) -> Result<(), Error> {
    match value {
        Some(v) if !(low..=high).contains(&v) => Err(Error::validation(
            field,
            format!("must be between {low} and {high}, got {v}"),
        )),
        _ => Ok(()),
    }
}

/// `value` exactly as one of `allowed` (it is sent as given: the API reads it exactly).
fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), Error> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            format!("must be one of {}, got {value:?}", allowed.join(", ")),
        ))
    }
}

/// Whether `text` has the form of a UUID (8-4-4-4-12 hex digits).
pub fn looks_like_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An IPv4 range: its first address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The first address, as a number.
    pub network: u32,
    /// The prefix length (0..=32).
    pub prefix: u32,
}

impl Cidr {
    /// Reads `a.b.c.d/n`, or a single address (`/32`) when `bare` is allowed.
    /// Exactly: no spaces, no sign, no leading zeros (the text is sent as given).
    pub fn parse(text: &str, bare: bool) -> Option<Cidr> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => {
                let digits = !prefix.is_empty()
                    && prefix.bytes().all(|b| b.is_ascii_digit())
                    && (prefix == "0" || !prefix.starts_with('0'));
                let prefix = prefix.parse::<u32>().ok().filter(|p| digits && *p <= 32)?;
                (addr, prefix)
            }
            None if bare => (text, 32),
            None => return None,
        };
        let addr = u32::from(addr.parse::<Ipv4Addr>().ok()?);
        Some(Cidr {
            network: addr & Self::mask(prefix),
            prefix,
        })
    }

    fn mask(prefix: u32) -> u32 {
        u32::MAX.checked_shl(32 - prefix).unwrap_or(0)
    }

    /// Whether the two ranges share an address.
    pub fn overlaps(self, other: Cidr) -> bool {
        let mask = Self::mask(self.prefix.min(other.prefix));
        self.network & mask == other.network & mask
    }
}

/// Ranges the service uses itself: link-local and NKS's internal band.
const RESERVED: [(&str, Cidr); 2] = [
    (
        "169.254.0.0/16",
        Cidr {
            network: 0xA9FE_0000,
            prefix: 16,
        },
    ),
    (
        "198.18.0.0/19",
        Cidr {
            network: 0xC612_0000,
            prefix: 19,
        },
    ),
];

/// The pod and service networks of a new cluster: CIDRs of at least a /24, apart
/// from each other and from the reserved ranges; the pod subnet size 20..=28 and at
/// least 2 more than the pod network's prefix.
fn networks(labels: &Labels) -> Result<(), Error> {
    let mut ranges: Vec<(&str, Cidr)> = Vec::new();
    for (field, value) in [
        ("labels.pods_network_cidr", &labels.pods_network_cidr),
        (
            "labels.service_cluster_ip_range",
            &labels.service_cluster_ip_range,
        ),
    ] {
        let Some(text) = value else { continue };
        let cidr = Cidr::parse(text, false)
            .ok_or_else(|| Error::validation(field, "must be an IPv4 CIDR (a.b.c.d/n)"))?;
        if cidr.prefix > 24 {
            return Err(Error::validation(field, "must be a /24 or larger block"));
        }
        for (name, reserved) in RESERVED {
            if cidr.overlaps(reserved) {
                return Err(Error::validation(field, format!("must not overlap {name}")));
            }
        }
        if let Some((other, _)) = ranges.iter().find(|(_, r)| r.overlaps(cidr)) {
            return Err(Error::validation(
                field,
                format!("must not overlap {other}"),
            ));
        }
        ranges.push((field, cidr));
    }
    within(
        "labels.pods_network_subnet",
        labels.pods_network_subnet,
        20,
        28,
    )?;
    let pods = labels
        .pods_network_cidr
        .as_deref()
        .and_then(|t| Cidr::parse(t, false));
    if let (Some(size), Some(pods)) = (labels.pods_network_subnet, pods) {
        if size < pods.prefix + 2 {
            return Err(Error::validation(
                "labels.pods_network_subnet",
                format!(
                    "must be at least 2 more than the prefix of labels.pods_network_cidr (/{})",
                    pods.prefix
                ),
            ));
        }
    }
    Ok(())
}

/// The most Kubernetes labels a node group takes.
pub const MAX_NODE_LABELS: usize = 20;

/// A Kubernetes label name or value: at most 63 of `[A-Za-z0-9_.-]`, beginning and
/// ending with a letter or digit.
fn label_word(text: &str) -> bool {
    let ends = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    text.len() <= 63
        && ends(text.bytes().next())
        && ends(text.bytes().last())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A Kubernetes label key: a name, after an optional DNS-subdomain prefix and `/`.
fn label_key(key: &str) -> bool {
    match key.split_once('/') {
        None => label_word(key),
        Some((prefix, name)) => {
            prefix.len() <= 253
                && prefix.split('.').all(|part| {
                    !part.is_empty()
                        && part.len() <= 63
                        && part
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                        && !part.starts_with('-')
                        && !part.ends_with('-')
                })
                && label_word(name)
        }
    }
}

/// `PATCH …/nodegroups/{ng}` type `k8s_node_labels`: at most 20 pairs, each key and
/// value as Kubernetes allows (so no `,` or `=`, which the API joins them with).
pub fn node_labels(labels: &BTreeMap<String, String>) -> Result<(), Error> {
    if labels.len() > MAX_NODE_LABELS {
        return Err(Error::validation(
            "k8s_node_labels",
            format!(
                "takes at most {MAX_NODE_LABELS} labels, got {}",
                labels.len()
            ),
        ));
    }
    if labels.keys().any(|k| k.trim().is_empty()) {
        return Err(Error::validation(
            "k8s_node_labels",
            "must not have an empty key",
        ));
    }
    for (key, value) in labels {
        if !label_key(key) {
            return Err(Error::validation(
                format!("k8s_node_labels.{key}"),
                "is not a Kubernetes label key (at most 63 of letters, digits, '-', '_', '.', \
                 beginning and ending with a letter or digit, after an optional DNS prefix and '/')",
            ));
        }
        if !value.is_empty() && !label_word(value) {
            return Err(Error::validation(
                format!("k8s_node_labels.{key}"),
                "is not a Kubernetes label value (at most 63 of letters, digits, '-', '_', '.', \
                 beginning and ending with a letter or digit)",
            ));
        }
    }
    Ok(())
}

/// `POST …/api_ep_ipacl`: when on, an action (`ALLOW`/`DENY`) and 1..=100 targets,
/// each an IPv4 address or CIDR.
pub fn ip_acl(acl: &IpAcl) -> Result<(), Error> {
    // Off, the API ignores everything else (the guide): so does this.
    if !acl.enable {
        return Ok(());
    }
    match &acl.action {
        Some(action) => one_of("action", action, &["ALLOW", "DENY"])?,
        None if acl.enable => {
            return Err(Error::validation(
                "action",
                "is required when enable is true",
            ))
        }
        None => {}
    }
    let targets = acl.ipacl_targets.as_deref().unwrap_or_default();
    if acl.enable && targets.is_empty() {
        return Err(Error::validation(
            "ipacl_targets",
            "needs at least one target when enable is true",
        ));
    }
    if targets.len() > 100 {
        return Err(Error::validation(
            "ipacl_targets",
            format!("takes at most 100 targets, got {}", targets.len()),
        ));
    }
    for (i, target) in targets.iter().enumerate() {
        if Cidr::parse(&target.cidr_address, true).is_none() {
            return Err(Error::validation(
                format!("ipacl_targets[{i}].cidr_address"),
                "must be an IPv4 address or CIDR (a.b.c.d or a.b.c.d/n)",
            ));
        }
    }
    Ok(())
}

/// `PATCH /v1/certificates/{id}`: 1..=5 years.
pub fn certificate_renewal(spec: &CertificateRenewal) -> Result<(), Error> {
    within("term_of_validity", Some(spec.term_of_validity), 1, 5)
}

/// `POST …/actions/update_sgw`: both gateways.
pub fn service_gateways(spec: &ServiceGateways) -> Result<(), Error> {
    required("ncr_sgw", &spec.ncr_sgw)?;
    required("obs_sgw", &spec.obs_sgw)
}

/// `PATCH /v1/clusters/{id}` type `control_plane_log`: when on, a type (`lncs` with
/// its appkey, or `obs` with its URL) and a service gateway; `upload_interval` 1..=60.
pub fn control_plane_log(log: &ControlPlaneLog) -> Result<(), Error> {
    let field = |name: &str| format!("control_plane_log.{name}");
    within(&field("upload_interval"), log.upload_interval, 1, 60)?;
    if let Some(store) = &log.obs_store_as {
        one_of(&field("obs_store_as"), store, &["gzip", "text"])?;
    }
    if !log.enable {
        return Ok(());
    }
    let kind = log
        .kind
        .as_deref()
        .ok_or_else(|| Error::validation(field("type"), "is required when enable is true"))?;
    one_of(&field("type"), kind, &["lncs", "obs"])?;
    required(&field("sgw"), log.sgw.as_deref().unwrap_or_default())?;
    if kind == "lncs" {
        required(
            &field("lncs_appkey"),
            log.lncs_appkey.as_deref().unwrap_or_default(),
        )
    } else {
        required(
            &field("obs_api_url"),
            log.obs_api_url.as_deref().unwrap_or_default(),
        )
    }
}

/// `POST …/stop_node` and `…/start_node`: the node UUIDs, colon-joined.
pub fn node_list(nodes: &[String]) -> Result<String, Error> {
    if nodes.is_empty() {
        return Err(Error::validation("node_list", "needs at least one node"));
    }
    for (i, node) in nodes.iter().enumerate() {
        if node.trim().is_empty() || node.contains(':') {
            return Err(Error::validation(
                format!("node_list[{i}]"),
                "must be a node id, not empty and without ':'",
            ));
        }
    }
    Ok(nodes.join(":"))
}

/// The metrics the metric-based autoscaler watches.
pub const METRICS: [&str; 6] = [
    "GROUP_CPU_USAGE",
    "GROUP_MEMORY_USAGE",
    "GROUP_DISK_READ_BYTES",
    "GROUP_DISK_WRITE_BYTES",
    "GROUP_NETWORK_SENT_BYTES",
    "GROUP_NETWORK_RECV_BYTES",
];

fn metric_policy(name: &str, policy: &MetricPolicy, max: u32) -> Result<(), Error> {
    let field = |f: &str| format!("{name}.{f}");
    within(&field("max_node_count"), policy.max_node_count, 1, max)?;
    within(&field("min_node_count"), policy.min_node_count, 1, max)?;
    // In any letter case: the guide's own example sends "or".
    if let Some(op) = &policy.rules_operator {
        if !["AND", "OR"].iter().any(|a| a.eq_ignore_ascii_case(op)) {
            return Err(Error::validation(
                field("rules_operator"),
                format!("must be AND or OR, got {op:?}"),
            ));
        }
    }
    within(&field("delay"), policy.delay, 1, 60)?;
    within(&field("adjustment_count"), policy.adjustment_count, 1, 10)?;
    let rules = policy.rules.as_deref().unwrap_or_default();
    let on = policy.enable == Some(true);
    if on && rules.is_empty() {
        return Err(Error::validation(
            field("rules"),
            "needs at least one rule when enable is true",
        ));
    }
    for (i, rule) in rules.iter().enumerate() {
        let at = |f: &str| format!("{name}.rules[{i}].{f}");
        if !METRICS.contains(&rule.metric.as_str()) {
            return Err(Error::validation(
                at("metric"),
                format!("must be one of {}", METRICS.join(", ")),
            ));
        }
        if on && rule.threshold.is_none() {
            return Err(Error::validation(at("threshold"), "is required"));
        }
        if on && rule.duration.is_none() {
            return Err(Error::validation(at("duration"), "is required"));
        }
        within(&at("duration"), rule.duration, 2, 60)?;
    }
    Ok(())
}

/// `PATCH …/nodegroups/{ng}` type `metric_base_autoscale`.
/// The node counts are within 1..=`max` (the client's `max_node_count`).
pub fn metric_autoscale(spec: &MetricAutoscale, max: u32) -> Result<(), Error> {
    if spec.mba_scale_out.is_none() && spec.mba_scale_in.is_none() {
        return Err(Error::validation(
            "mba_scale_out",
            "mba_scale_out or mba_scale_in is required",
        ));
    }
    if let Some(out) = &spec.mba_scale_out {
        metric_policy("mba_scale_out", out, max)?;
    }
    if let Some(scale_in) = &spec.mba_scale_in {
        metric_policy("mba_scale_in", scale_in, max)?;
    }
    Ok(())
}

/// `PATCH …/nodegroups/{ng}` type `flavor_id`.
pub fn flavor_change(spec: &FlavorChange) -> Result<(), Error> {
    required("flavor_id", &spec.flavor_id)?;
    rollout(&spec.rollout)
}

/// `PATCH …/nodegroups/{ng}` type `fip_auto_bind`: the subnet is required when on.
pub fn fip_auto_bind(spec: &FipAutoBind) -> Result<(), Error> {
    if spec.fip_auto_bind_enable {
        required(
            "fip_auto_bind_update_info.fip_bind_subnet",
            spec.fip_bind_subnet.as_deref().unwrap_or_default(),
        )?;
    }
    Ok(())
}

const RESOLVE_CONFLICTS: [&str; 3] = ["none", "overwrite", "preserve"];

fn resolve_conflicts(value: &str) -> Result<(), Error> {
    required("resolve_conflicts", value)?;
    if RESOLVE_CONFLICTS.contains(&value) {
        Ok(())
    } else {
        Err(Error::validation(
            "resolve_conflicts",
            "must be one of none, overwrite, preserve",
        ))
    }
}

/// `POST /v1/clusters/{id}/addons/`.
pub fn addon_install(spec: &AddonInstall) -> Result<(), Error> {
    required("name", &spec.name)?;
    required("version", &spec.version)?;
    resolve_conflicts(&spec.resolve_conflicts)
}

/// `PATCH /v1/clusters/{id}/addons/{addon}`.
pub fn addon_update(spec: &AddonUpdate) -> Result<(), Error> {
    required("version", &spec.version)?;
    resolve_conflicts(&spec.resolve_conflicts)
}
