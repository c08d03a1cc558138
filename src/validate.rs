//! The reference's rules, checked before any request: a failure names the field.

use crate::error::Error;
use crate::model::{Autoscale, ClusterCreate, Labels, NodeGroupCreate, Resize, Upgrade};

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

fn node_count(field: &str, count: u32, max: u32) -> Result<(), Error> {
    if (1..=max).contains(&count) {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            format!("must be between 1 and {max}, got {count}"),
        ))
    }
}

/// A path segment: a UUID or a name. Never empty, and never `.` or `..`, which URL
/// parsers resolve as path steps even when percent-encoded.
pub fn id_or_name(field: &str, value: &str) -> Result<(), Error> {
    required(field, value)?;
    if value == "." || value == ".." {
        return Err(Error::validation(field, "must not be \".\" or \"..\""));
    }
    Ok(())
}

/// Autoscaler bounds within labels or settings: each in 1..=max, min ≤ max.
fn bounds(prefix: &str, min: Option<u32>, max: Option<u32>, limit: u32) -> Result<(), Error> {
    if let Some(n) = min {
        node_count(&format!("{prefix}ca_min_node_count"), n, limit)?;
    }
    if let Some(n) = max {
        node_count(&format!("{prefix}ca_max_node_count"), n, limit)?;
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
    let labels = &spec.labels;
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
    required("version", &spec.version)
}
