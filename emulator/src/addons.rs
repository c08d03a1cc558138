//! Add-ons: the types and add-ons NHN Cloud offers (a fixed catalogue), and the
//! add-ons installed on each cluster. A cluster always has one add-on of each
//! mandatory type (`cni`, `kube-dns`): those cannot be removed.

use crate::events;
use crate::fields::{object, text, Res};
use crate::nks::Limits;
use crate::ops::{cluster, cluster_at, cluster_at_mut, cluster_index, settled, Keys};
use crate::reply::{Ctx, Reply};
use crate::state::{Addon, Cluster, Pending, Then, World};
use crate::util::{format_utc, version_key, Rng};
use serde_json::{json, Map, Value};

struct AddonType {
    uuid: &'static str,
    name: &'static str,
    mandatory: bool,
}

/// The guide's two types, and one optional type so that uninstalling can be exercised.
const TYPES: [AddonType; 3] = [
    AddonType {
        uuid: "123e4567-e89b-12d3-a456-426614174001",
        name: "cni",
        mandatory: true,
    },
    AddonType {
        uuid: "123e4567-e89b-12d3-a456-426614174003",
        name: "kube-dns",
        mandatory: true,
    },
    AddonType {
        uuid: "123e4567-e89b-12d3-a456-426614174004",
        name: "metrics",
        mandatory: false,
    },
];

/// One option an add-on takes.
pub struct OptionSchema {
    name: &'static str,
    data_type: &'static str,
    default: &'static str,
    updatable: bool,
    choices: &'static [&'static str],
}

/// An add-on NHN Cloud offers.
pub struct Offered {
    uuid: &'static str,
    kind: &'static str,
    name: &'static str,
    version: &'static str,
    options: &'static [OptionSchema],
    description: &'static str,
}

const CALICO_OPTIONS: &[OptionSchema] = &[OptionSchema {
    name: "mode",
    data_type: "SELECT",
    default: "vxlan",
    updatable: false,
    choices: &["vxlan", "ebpf"],
}];
const CALICO: &str =
    "Calico is a CNI plugin for Kubernetes that provides networking and network security.";
const COREDNS: &str = "CoreDNS is the default DNS server for Kubernetes clusters.";
/// The guide's `k8s_min_version` of every add-on: each version the emulator supports
/// by default (v1.29.3 and later) may run each add-on; an older cluster may not.
const K8S_MIN_VERSION: &str = "v1.26.0";

/// The catalogue: the guide's calico and coredns, a newer version of each (to update
/// to), and an optional metrics-server. The first entry of each type is its default.
const OFFERED: [Offered; 5] = [
    Offered {
        uuid: "23454567-1234-12d3-a456-426614174001",
        kind: "cni",
        name: "calico",
        version: "v3.28.2-nks1",
        options: CALICO_OPTIONS,
        description: CALICO,
    },
    Offered {
        uuid: "23454567-1234-12d3-a456-426614174002",
        kind: "cni",
        name: "calico",
        version: "v3.29.3-nks1",
        options: CALICO_OPTIONS,
        description: CALICO,
    },
    Offered {
        uuid: "23454567-1234-12d3-a456-426614174005",
        kind: "kube-dns",
        name: "coredns",
        version: "1.8.4-nks1",
        options: &[],
        description: COREDNS,
    },
    Offered {
        uuid: "23454567-1234-12d3-a456-426614174006",
        kind: "kube-dns",
        name: "coredns",
        version: "1.11.3-nks1",
        options: &[],
        description: COREDNS,
    },
    Offered {
        uuid: "23454567-1234-12d3-a456-426614174007",
        kind: "metrics",
        name: "metrics-server",
        version: "v0.7.2-nks1",
        options: &[OptionSchema {
            name: "replicas",
            data_type: "INTEGER",
            default: "1",
            updatable: true,
            choices: &[],
        }],
        description:
            "Metrics Server collects resource metrics from kubelets for autoscaling pipelines.",
    },
];

fn render_type(t: &AddonType) -> Value {
    json!({"uuid": t.uuid, "name": t.name, "mandatory": t.mandatory})
}

fn render_offered(o: &Offered) -> Value {
    let schemas: Vec<Value> = o
        .options
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "data_type": s.data_type,
                "default": s.default,
                "updatable": s.updatable,
                "mandatory": false,
                "choices": s.choices,
            })
        })
        .collect();
    json!({
        "uuid": o.uuid,
        "type": o.kind,
        "version": o.version,
        "name": o.name,
        "option_schemas": schemas,
        "k8s_min_version": K8S_MIN_VERSION,
        "k8s_max_version": null,
        "description": o.description,
    })
}

/// `GET /v1/addon_types/`.
pub fn types() -> Reply {
    let all: Vec<Value> = TYPES.iter().map(render_type).collect();
    Reply::json(200, json!({ "addon_types": all }))
}

/// `GET /v1/addon_types/{uuid or name}`.
pub fn get_type(ctx: &Ctx<'_>, key: &str) -> Res<Reply> {
    TYPES
        .iter()
        .find(|t| t.uuid == key || t.name == key)
        .map(|t| Reply::json(200, render_type(t)))
        .ok_or_else(|| not_found(ctx, "Addon type", key))
}

/// `GET /v1/addons/`.
pub fn catalogue() -> Reply {
    let all: Vec<Value> = OFFERED.iter().map(render_offered).collect();
    Reply::json(200, json!({ "addons": all }))
}

/// `GET /v1/addons/{uuid}`.
pub fn get_offered(ctx: &Ctx<'_>, uuid: &str) -> Res<Reply> {
    OFFERED
        .iter()
        .find(|o| o.uuid == uuid)
        .map(|o| Reply::json(200, render_offered(o)))
        .ok_or_else(|| not_found(ctx, "Addon", uuid))
}

fn not_found(ctx: &Ctx<'_>, what: &str, key: &str) -> Reply {
    Reply::error(
        ctx,
        404,
        format!("{what} {key} could not be found."),
        format!("{what} {key} could not be found."),
    )
}

fn mandatory(kind: &str) -> bool {
    TYPES.iter().any(|t| t.name == kind && t.mandatory)
}

fn offered<'a>(ctx: &Ctx<'_>, field: &str, name: &str, version: Option<&str>) -> Res<&'a Offered> {
    OFFERED
        .iter()
        .find(|o| o.name == name && version.is_none_or(|v| o.version == v))
        .ok_or_else(|| {
            Reply::invalid(
                ctx,
                field,
                &format!(
                    "{name} {} is not an add-on NHN Cloud offers (see GET /v1/addons/)",
                    version.unwrap_or("")
                ),
            )
        })
}

/// An add-on's options: known names only, `SELECT` values among the choices,
/// `INTEGER` values whole numbers; the defaults fill in the rest.
fn options(
    ctx: &Ctx<'_>,
    field: &str,
    o: &Offered,
    given: Option<&Value>,
    before: Option<&Map<String, Value>>,
) -> Res<Map<String, Value>> {
    let given = match given {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(Reply::invalid(ctx, field, "must be an object")),
    };
    if let Some(unknown) = given
        .keys()
        .find(|k| !o.options.iter().any(|s| s.name == k.as_str()))
    {
        return Err(Reply::invalid(
            ctx,
            &format!("{field}.{unknown}"),
            &format!("is not an option of {}", o.name),
        ));
    }
    let mut out = Map::new();
    for s in o.options {
        let name = format!("{field}.{}", s.name);
        let old = before.and_then(|b| b.get(s.name)).cloned();
        let value = match given.get(s.name) {
            Some(v) => v.clone(),
            None => old.clone().unwrap_or_else(|| json!(s.default)),
        };
        let text = match &value {
            Value::String(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(Reply::invalid(ctx, &name, "must be a string or a number")),
        };
        let ok = match s.data_type {
            "SELECT" => s.choices.contains(&text.as_str()),
            "INTEGER" => text.parse::<i64>().is_ok(),
            _ => true,
        };
        if !ok {
            return Err(Reply::invalid(
                ctx,
                &name,
                &match s.data_type {
                    "SELECT" => format!("must be one of {}", s.choices.join(", ")),
                    _ => "must be a whole number".to_owned(),
                },
            ));
        }
        if let Some(old) = old.filter(|_| !s.updatable) {
            if old != value {
                return Err(Reply::invalid(
                    ctx,
                    &name,
                    "cannot be changed once installed",
                ));
            }
        }
        out.insert(s.name.into(), value);
    }
    Ok(out)
}

fn resolve_conflicts(ctx: &Ctx<'_>, m: &Map<String, Value>) -> Res<()> {
    let how = text(ctx, m, "", "resolve_conflicts")?;
    if ["none", "overwrite", "preserve"].contains(&how.as_str()) {
        Ok(())
    } else {
        Err(Reply::invalid(
            ctx,
            "resolve_conflicts",
            "must be one of \"none\", \"overwrite\", \"preserve\"",
        ))
    }
}

/// An add-on may run on the cluster's version.
/// Whether the catalogue's add-ons can run at `kube_tag` (all need [`K8S_MIN_VERSION`]).
fn runs_at(kube_tag: &str) -> bool {
    version_key(kube_tag) >= version_key(K8S_MIN_VERSION)
}

fn fits(ctx: &Ctx<'_>, field: &str, o: &Offered, kube_tag: &str) -> Res<()> {
    if runs_at(kube_tag) {
        Ok(())
    } else {
        Err(Reply::invalid(
            ctx,
            field,
            &format!(
                "{} {} needs Kubernetes {K8S_MIN_VERSION} or later",
                o.name, o.version
            ),
        ))
    }
}

fn new_addon(
    o: &Offered,
    options: Map<String, Value>,
    rng: &mut Rng,
    now_ms: i64,
    status: &str,
) -> Addon {
    Addon {
        uuid: rng.uuid(),
        kind: o.kind.to_owned(),
        name: o.name.to_owned(),
        version: o.version.to_owned(),
        options,
        status: status.to_owned(),
        status_reason: None,
        created_at: format_utc(now_ms, false),
        updated_at: status
            .ends_with("_COMPLETE")
            .then(|| format_utc(now_ms, false)),
        pending: None,
    }
}

/// The add-ons of a new cluster at `kube_tag`: the default of each mandatory type, none
/// below the catalogue's minimum version (an add-on could not run there).
pub fn defaults(rng: &mut Rng, now_ms: i64, kube_tag: &str) -> Vec<Addon> {
    let mut out = Vec::new();
    if !runs_at(kube_tag) {
        return out;
    }
    for t in TYPES.iter().filter(|t| t.mandatory) {
        if let Some(o) = OFFERED.iter().find(|o| o.kind == t.name) {
            out.push(new_addon(
                o,
                default_options(o),
                rng,
                now_ms,
                "INSTALL_COMPLETE",
            ));
        }
    }
    out
}

/// Installed add-ons named by a seed (each name's default version); refused below the
/// catalogue's minimum version.
pub fn by_names(
    names: &[String],
    rng: &mut Rng,
    now_ms: i64,
    kube_tag: &str,
) -> Result<Vec<Addon>, String> {
    let mut out: Vec<Addon> = Vec::new();
    for name in names {
        let Some(o) = OFFERED.iter().find(|o| o.name == name.as_str()) else {
            return Err(format!("{name:?} is not an add-on of the catalogue"));
        };
        if !runs_at(kube_tag) {
            return Err(format!(
                "{name} needs Kubernetes {K8S_MIN_VERSION} or later, the cluster runs {kube_tag}"
            ));
        }
        if out.iter().any(|a| a.kind == o.kind) {
            return Err(format!("a second add-on of type {}", o.kind));
        }
        out.push(new_addon(
            o,
            default_options(o),
            rng,
            now_ms,
            "INSTALL_COMPLETE",
        ));
    }
    Ok(out)
}

fn default_options(o: &Offered) -> Map<String, Value> {
    o.options
        .iter()
        .map(|s| (s.name.to_owned(), json!(s.default)))
        .collect()
}

/// An add-on a create request names, with its options.
pub type Chosen = (&'static Offered, Map<String, Value>);

/// A create request's `addons` (`None` when it names none): each a known add-on, one per type.
pub fn requested(
    ctx: &Ctx<'_>,
    m: &Map<String, Value>,
    kube_tag: &str,
) -> Res<Option<Vec<Chosen>>> {
    let items = match m.get("addons") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Reply::invalid(ctx, "addons", "must be a list")),
    };
    let mut out: Vec<Chosen> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let field = format!("addons[{n}]");
        let Some(item) = item.as_object() else {
            return Err(Reply::invalid(ctx, &field, "must be an object"));
        };
        let name = text(ctx, item, &format!("{field}."), "name")?;
        let version = match item.get("version") {
            None | Some(Value::Null) => None,
            Some(Value::String(v)) => Some(v.as_str()),
            Some(_) => {
                return Err(Reply::invalid(
                    ctx,
                    &format!("{field}.version"),
                    "must be a string",
                ))
            }
        };
        let o = offered(ctx, &format!("{field}.name"), &name, version)?;
        fits(ctx, &format!("{field}.version"), o, kube_tag)?;
        if out.iter().any(|(p, _)| p.kind == o.kind) {
            return Err(Reply::invalid(
                ctx,
                &field,
                &format!("a second add-on of type {}", o.kind),
            ));
        }
        let opts = options(
            ctx,
            &format!("{field}.options"),
            o,
            item.get("options"),
            None,
        )?;
        out.push((o, opts));
    }
    Ok(Some(out))
}

/// Installs a create request's add-ons in place of the defaults of their types.
pub fn replace_defaults(
    c: &mut Cluster,
    requested: Option<Vec<Chosen>>,
    rng: &mut Rng,
    now_ms: i64,
) {
    for (o, opts) in requested.unwrap_or_default() {
        c.addons.retain(|a| a.kind != o.kind);
        c.addons
            .push(new_addon(o, opts, rng, now_ms, "INSTALL_COMPLETE"));
    }
}

fn render(c: &Cluster, a: &Addon, project_id: &str) -> Value {
    json!({
        "uuid": a.uuid,
        "project_id": project_id,
        "cluster_uuid": c.uuid,
        "cluster_name": c.name,
        "type": a.kind,
        "version": a.version,
        "options": a.options,
        "name": a.name,
        "status": a.status,
        "status_reason": a.status_reason,
        "scope": "cluster",
        "target_uuid": c.uuid,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    })
}

fn installed<'c>(c: &'c Cluster, ctx: &Ctx<'_>, key: &str) -> Res<(usize, &'c Addon)> {
    c.addons
        .iter()
        .enumerate()
        .find(|(_, a)| a.uuid == key || a.name == key)
        .ok_or_else(|| {
            Reply::error(
                ctx,
                404,
                format!("Addon {key} could not be found."),
                format!("Addon {key} is not installed on cluster {}.", c.name),
            )
        })
}

/// `GET /v1/clusters/{c}/addons/`.
pub fn list(world: &World, ctx: &Ctx<'_>, key: &str, project_id: &str) -> Res<Reply> {
    let c = cluster(world, ctx, key)?;
    let all: Vec<Value> = c.addons.iter().map(|a| render(c, a, project_id)).collect();
    Ok(Reply::json(200, json!({ "addons": all })))
}

/// `GET /v1/clusters/{c}/addons/{uuid or name}`.
pub fn get(world: &World, ctx: &Ctx<'_>, key: &str, addon: &str, project_id: &str) -> Res<Reply> {
    let c = cluster(world, ctx, key)?;
    let (_, a) = installed(c, ctx, addon)?;
    Ok(Reply::json(200, render(c, a, project_id)))
}

/// Starts an add-on operation with its event; answers `{"uuid": cluster}`.
#[allow(clippy::too_many_arguments)]
fn start(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    i: usize,
    which: Option<usize>,
    (kind, status): (&str, &str),
    then: Then,
) -> Res<Reply> {
    let ticket = world.ticket(rng);
    let c = cluster_at_mut(world, ctx, i)?;
    let event = events::record(c, ticket, kind, None, ctx.now_ms);
    let at = which.unwrap_or(c.addons.len().saturating_sub(1));
    if let Some(a) = c.addons.get_mut(at) {
        a.status = status.to_owned();
        a.status_reason = None;
        a.pending = Some(Pending::new(
            ctx.now_ms.saturating_add(limits.op_delay_ms),
            then,
            Some(event),
        ));
    }
    Ok(Reply::json(202, json!({ "uuid": c.uuid })))
}

/// A settled cluster's index, and a settled add-on of it.
fn settled_addon(world: &World, ctx: &Ctx<'_>, key: &str, addon: &str) -> Res<(usize, usize)> {
    let i = cluster_index(world, ctx, key)?;
    let c = cluster_at(world, ctx, i)?;
    settled(ctx, c)?;
    let (j, a) = installed(c, ctx, addon)?;
    if a.pending.is_some() {
        return Err(Reply::error(
            ctx,
            400,
            format!("Addon {} is in status {}.", a.name, a.status),
            "Wait until the add-on's operation completes.",
        ));
    }
    Ok((i, j))
}

/// `POST /v1/clusters/{c}/addons/`: `name`, `version`, `resolve_conflicts`.
pub fn install(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    key: &str,
    body: &[u8],
) -> Res<Reply> {
    let i = cluster_index(world, ctx, key)?;
    let c = cluster_at(world, ctx, i)?;
    settled(ctx, c)?;
    let m = object(ctx, body)?;
    let name = text(ctx, &m, "", "name")?;
    let version = text(ctx, &m, "", "version")?;
    resolve_conflicts(ctx, &m)?;
    let o = offered(ctx, "name", &name, Some(&version))?;
    fits(ctx, "version", o, c.kube_tag())?;
    if let Some(there) = c.addons.iter().find(|a| a.kind == o.kind) {
        return Err(Reply::error(
            ctx,
            409,
            format!(
                "An add-on of type {} is already installed: {}.",
                o.kind, there.name
            ),
            "Update the installed add-on instead.",
        ));
    }
    let opts = options(ctx, "options", o, m.get("options"), None)?;
    let addon = new_addon(o, opts, rng, ctx.now_ms, "INSTALL_IN_PROGRESS");
    cluster_at_mut(world, ctx, i)?.addons.push(addon);
    start(
        world,
        rng,
        limits,
        ctx,
        i,
        None,
        ("CLUSTER_INSTALL_ADDON", "INSTALL_IN_PROGRESS"),
        Then::Complete,
    )
}

/// `PATCH /v1/clusters/{c}/addons/{a}`: `version`, `resolve_conflicts`, options.
pub fn update(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    (key, addon): Keys<'_>,
    body: &[u8],
) -> Res<Reply> {
    let (i, j) = settled_addon(world, ctx, key, addon)?;
    let m = object(ctx, body)?;
    let version = text(ctx, &m, "", "version")?;
    resolve_conflicts(ctx, &m)?;
    let c = cluster_at(world, ctx, i)?;
    let (_, a) = installed(c, ctx, addon)?;
    let o = offered(ctx, "version", &a.name, Some(&version))?;
    fits(ctx, "version", o, c.kube_tag())?;
    let opts = options(ctx, "options", o, m.get("options"), Some(&a.options))?;
    if let Some(a) = cluster_at_mut(world, ctx, i)?.addons.get_mut(j) {
        a.version = o.version.to_owned();
        a.options = opts;
    }
    start(
        world,
        rng,
        limits,
        ctx,
        i,
        Some(j),
        ("CLUSTER_UPDATE_ADDON", "UPDATE_IN_PROGRESS"),
        Then::Complete,
    )
}

/// `DELETE /v1/clusters/{c}/addons/{a}`: add-ons of a mandatory type stay.
pub fn uninstall(
    world: &mut World,
    rng: &mut Rng,
    limits: &Limits,
    ctx: &Ctx<'_>,
    (key, addon): Keys<'_>,
) -> Res<Reply> {
    let (i, j) = settled_addon(world, ctx, key, addon)?;
    let c = cluster_at(world, ctx, i)?;
    let (_, a) = installed(c, ctx, addon)?;
    if mandatory(&a.kind) {
        return Err(Reply::error(
            ctx,
            400,
            format!("Addon {} cannot be removed.", a.name),
            format!(
                "{} is of the mandatory type {}: a cluster always has one.",
                a.name, a.kind
            ),
        ));
    }
    start(
        world,
        rng,
        limits,
        ctx,
        i,
        Some(j),
        ("CLUSTER_UNINSTALL_ADDON", "UNINSTALL_IN_PROGRESS"),
        Then::Remove,
    )
}
