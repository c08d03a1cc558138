//! Cluster-wide settings: API endpoint IP access control, certificate renewal, the
//! service gateway and control-plane log delivery. Each is an operation with its event
//! that moves the cluster through `UPDATE_IN_PROGRESS`.

use crate::fields::{count, flag, flag_of, object, text, Res};
use crate::nks::Limits;
use crate::ops::{begin, cluster, cluster_at, cluster_index, settled, Scope};
use crate::reply::{Ctx, Reply};
use crate::state::{Acl, Then, World};
use crate::util::Rng;
use serde_json::{json, Map, Value};

/// At most this many IP access control targets.
const MAX_ACL_TARGETS: usize = 100;

/// Starts a cluster-wide update and answers `{"uuid": cluster}`.
fn start(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    i: usize,
    kind: &str,
    then: Then,
) -> Res<Reply> {
    let uuid = begin(
        world,
        rng,
        ctx,
        limits.op_delay_ms,
        i,
        Scope::Cluster,
        (kind, "UPDATE_IN_PROGRESS"),
        then,
    )?;
    Ok(Reply::json(202, json!({ "uuid": uuid })))
}

/// A settled cluster's index.
fn settled_index(world: &World, ctx: &Ctx<'_>, key: &str) -> Res<usize> {
    let i = cluster_index(world, ctx, key)?;
    settled(ctx, cluster_at(world, ctx, i)?)?;
    Ok(i)
}

/// An IPv4 address, or an IPv4 CIDR block (`a.b.c.d/0..32`).
pub fn ipv4_or_cidr(text: &str) -> bool {
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let octets: Vec<&str> = address.split('.').collect();
    let address_ok = octets.len() == 4
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && o.parse::<u16>().is_ok_and(|n| n <= 255)
        });
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 2
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u8>().is_ok_and(|n| n <= 32)
    });
    address_ok && prefix_ok
}

/// `POST /v1/clusters/{c}/api_ep_ipacl`. The guide spells a target's description
/// `description` in its examples and `descripion` in its tables: both are read.
pub fn set_acl(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = settled_index(world, ctx, key)?;
    let m = object(ctx, body)?;
    let enable = flag(ctx, &m, "", "enable", true)?.unwrap_or(false);
    let acl = if enable {
        let action = text(ctx, &m, "", "action")?.to_ascii_uppercase();
        if action != "ALLOW" && action != "DENY" {
            return Err(Reply::invalid(
                ctx,
                "action",
                "must be \"ALLOW\" or \"DENY\"",
            ));
        }
        let Some(Value::Array(items)) = m.get("ipacl_targets") else {
            return Err(Reply::invalid(
                ctx,
                "ipacl_targets",
                "is mandatory when enable is true and must be a list",
            ));
        };
        if items.is_empty() || items.len() > MAX_ACL_TARGETS {
            return Err(Reply::invalid(
                ctx,
                "ipacl_targets",
                &format!(
                    "must hold 1 to {MAX_ACL_TARGETS} targets, got {}",
                    items.len()
                ),
            ));
        }
        let mut targets = Vec::with_capacity(items.len());
        for (n, item) in items.iter().enumerate() {
            let prefix = format!("ipacl_targets[{n}].");
            let Some(target) = item.as_object() else {
                return Err(Reply::invalid(
                    ctx,
                    &format!("ipacl_targets[{n}]"),
                    "must be an object",
                ));
            };
            let cidr = text(ctx, target, &prefix, "cidr_address")?;
            if !ipv4_or_cidr(cidr.trim()) {
                return Err(Reply::invalid(
                    ctx,
                    &format!("{prefix}cidr_address"),
                    "must be an IPv4 address or a CIDR block (a.b.c.d/n)",
                ));
            }
            let description = match target
                .get("description")
                .or_else(|| target.get("descripion"))
            {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    return Err(Reply::invalid(
                        ctx,
                        &format!("{prefix}description"),
                        "must be a string",
                    ))
                }
            };
            targets.push((cidr.trim().to_owned(), description));
        }
        Acl {
            enable,
            action,
            targets,
        }
    } else {
        Acl::default()
    };
    if let Some(c) = world.clusters.get_mut(i) {
        c.acl = acl;
    }
    start(
        world,
        rng,
        limits,
        ctx,
        i,
        "CLUSTER_API_EP_IPACL_UPDATE",
        Then::Complete,
    )
}

/// `GET /v1/clusters/{c}/api_ep_ipacl`: `enable` as the strings "true"/"false", and
/// only `cluster_uuid` and `enable` while it is off, as the guide's examples answer.
pub fn get_acl(world: &World, ctx: &Ctx<'_>, key: &str) -> Res<Reply> {
    let c = cluster(world, ctx, key)?;
    let mut answer = Map::new();
    answer.insert("cluster_uuid".into(), json!(c.uuid));
    answer.insert(
        "enable".into(),
        json!(if c.acl.enable { "true" } else { "false" }),
    );
    if c.acl.enable {
        answer.insert("action".into(), json!(c.acl.action));
        let targets: Vec<Value> = c
            .acl
            .targets
            .iter()
            .map(|(cidr, description)| {
                let mut t = Map::new();
                t.insert("cidr_address".into(), json!(cidr));
                if let Some(d) = description {
                    t.insert("description".into(), json!(d));
                }
                Value::Object(t)
            })
            .collect();
        answer.insert("ipacl_targets".into(), Value::Array(targets));
    }
    Ok(Reply::json(200, Value::Object(answer)))
}

/// `PATCH /v1/certificates/{c}`: `term_of_validity` in years, 1 to 5. New certificates
/// (kubeconfig data) and `labels.certificate_expiry` once the update completes.
pub fn renew(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = settled_index(world, ctx, key)?;
    let m = object(ctx, body)?;
    let years = count(ctx, &m, "", "term_of_validity", true)?.unwrap_or(0);
    if !(1..=5).contains(&years) {
        return Err(Reply::invalid(
            ctx,
            "term_of_validity",
            &format!("must be between 1 and 5 (years), got {years}"),
        ));
    }
    start(
        world,
        rng,
        limits,
        ctx,
        i,
        "CLUSTER_ROTATE_CERTIFICATE",
        Then::Renew(years),
    )
}

/// `POST /v1/clusters/{c}/actions/update_sgw`: only a cluster created with a service
/// gateway can change it.
pub fn update_sgw(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = settled_index(world, ctx, key)?;
    let m = object(ctx, body)?;
    let ncr = text(ctx, &m, "", "ncr_sgw")?;
    let obs = text(ctx, &m, "", "obs_sgw")?;
    let c = cluster_at(world, ctx, i)?;
    let has = |k: &str| {
        c.labels
            .get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    if !has("ncr_sgw") && !has("obs_sgw") {
        return Err(Reply::error(
            ctx,
            400,
            format!("Cluster {} has no service gateway.", c.name),
            "A service gateway can be changed only on a cluster created with one (labels.ncr_sgw, labels.obs_sgw).",
        ));
    }
    if let Some(c) = world.clusters.get_mut(i) {
        c.labels.insert("ncr_sgw".into(), json!(ncr));
        c.labels.insert("obs_sgw".into(), json!(obs));
    }
    start(
        world,
        rng,
        limits,
        ctx,
        i,
        "CLUSTER_UPDATE_SGW",
        Then::Complete,
    )
}

/// `PATCH /v1/clusters/{c}`: the guide documents one `type`, `control_plane_log`.
pub fn patch(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = settled_index(world, ctx, key)?;
    let m = object(ctx, body)?;
    let kind = text(ctx, &m, "", "type")?;
    if kind != "control_plane_log" {
        return Err(Reply::invalid(ctx, "type", "must be \"control_plane_log\""));
    }
    let Some(Value::Object(log)) = m.get("control_plane_log") else {
        return Err(Reply::invalid(
            ctx,
            "control_plane_log",
            "is mandatory and must be an object",
        ));
    };
    let p = "control_plane_log.";
    let enable = flag(ctx, log, p, "enable", true)?.unwrap_or(false);
    if enable {
        let target = text(ctx, log, p, "type")?;
        text(ctx, log, p, "sgw")?;
        match target.as_str() {
            "lncs" => {
                text(ctx, log, p, "lncs_appkey")?;
            }
            "obs" => {
                text(ctx, log, p, "obs_api_url")?;
                if let Some(how) = log.get("obs_store_as") {
                    if how != "gzip" && how != "text" {
                        return Err(Reply::invalid(
                            ctx,
                            "control_plane_log.obs_store_as",
                            "must be \"gzip\" or \"text\"",
                        ));
                    }
                }
            }
            _ => {
                return Err(Reply::invalid(
                    ctx,
                    "control_plane_log.type",
                    "must be \"lncs\" or \"obs\"",
                ))
            }
        }
        if let Some(n) = count(ctx, log, p, "upload_interval", false)? {
            if !(1..=60).contains(&n) {
                return Err(Reply::invalid(
                    ctx,
                    "control_plane_log.upload_interval",
                    &format!("must be between 1 and 60 (minutes), got {n}"),
                ));
            }
        }
    }
    if let Some(c) = world.clusters.get_mut(i) {
        let on = log.get("enable").and_then(flag_of).unwrap_or(false);
        c.labels.insert(
            "control_plane_log".into(),
            json!(if on { "True" } else { "False" }),
        );
    }
    start(
        world,
        rng,
        limits,
        ctx,
        i,
        "CLUSTER_UPDATE_CONTROL_PLANE_LOG",
        Then::Complete,
    )
}
