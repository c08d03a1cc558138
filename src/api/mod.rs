//! Each operation of the NKS API as data. [`OPERATIONS`] lists every operation once
//! (its name in JavaScript, method, path template, the access it needs, whether
//! resending is safe); the client, the JavaScript class, the Worker's gateway and the
//! drift test of the TypeScript types all read it. A constructor per operation (in the
//! family's file) validates its input and builds a [`Call`]: the path with its segments
//! percent-encoded and the JSON body; its result type reads the answer
//! ([`FromAnswer`], implemented beside the operations that answer it). No I/O happens here.

mod addons;
pub mod answer;
mod cluster;
mod events;
mod ipacl;
mod nodegroup;

pub use addons::*;
pub use cluster::*;
pub use events::*;
pub use ipacl::*;
pub use nodegroup::*;

use crate::error::{Error, FieldError};
use crate::model::UuidResponse;
use crate::transport::Method;
use answer::{list, pick, Answer, Kind};
use std::marker::PhantomData;

/// A result of an operation, read from its 2xx answer's body. Only code that reads an
/// answer instantiates its reader: the package's dispatcher, which shapes answers in
/// JavaScript, holds none of the ones it does not read.
pub trait FromAnswer: Sized {
    /// Reads the body; an error names the field at fault.
    fn from_answer(body: &str) -> Result<Self, FieldError>;
}

/// [`FromAnswer`] for models answered whole.
macro_rules! whole {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::api::FromAnswer for $t {
            fn from_answer(body: &str) -> Result<Self, $crate::error::FieldError> {
                $crate::model::from_json(body)
            }
        }
    )*};
}

/// [`FromAnswer`] for the list of `item`s answered in the object's `field`. Items read
/// by [`crate::model::FromValue`] are listed as `read Item: field`: their list is read
/// by the same readers, so that an error names its item (`clusters[2].labels.…`; a
/// serde-read list knows where a reader's error is only by the text's position,
/// which serde has moved past the list's end when the item is the last).
macro_rules! listed {
    ($(read $item:ty: $field:ident),* $(,)?) => {$(
        impl $crate::api::FromAnswer for Vec<$item> {
            fn from_answer(body: &str) -> Result<Self, $crate::error::FieldError> {
                let value: serde_json::Value = $crate::model::from_json(body)?;
                let f = $crate::model::Fields::of(&value)?;
                let items = f.required(stringify!($field));
                f.finish(items)
            }
        }
    )*};
    ($($item:ty: $field:ident),* $(,)?) => {$(
        impl $crate::api::FromAnswer for Vec<$item> {
            fn from_answer(body: &str) -> Result<Self, $crate::error::FieldError> {
                #[derive(serde::Deserialize)]
                struct List {
                    $field: Vec<$item>,
                }
                $crate::model::from_json::<List>(body).map(|l| l.$field)
            }
        }
    )*};
}
use {listed, whole};

/// What a caller must be allowed to do for an operation (the Worker's gateway scopes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Reads (every `GET` but the kubeconfig).
    Read,
    /// Autoscaler settings and resizes.
    Scale,
    /// Every other write.
    Operate,
    /// The kubeconfig, which holds client keys.
    Kubeconfig,
}

impl Access {
    /// The scope's name (`read`, `scale`, `operate`, `kubeconfig`).
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Scale => "scale",
            Access::Operate => "operate",
            Access::Kubeconfig => "kubeconfig",
        }
    }
}

/// One operation of the API.
#[derive(Debug, PartialEq, Eq)]
pub struct Operation {
    /// Its method name in JavaScript (`listClusters`); the Rust method is its snake case.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template as the reference writes it, with `{placeholders}` named for
    /// the input field they take (`/v1/clusters/{cluster}/nodegroups/{nodegroup}`).
    pub path: &'static str,
    /// The body's `type` where several operations share a `PATCH` path.
    pub patch_type: Option<&'static str>,
    /// The access it needs.
    pub access: Access,
    /// Whether sending it twice has the effect of sending it once (reads, deletes and
    /// writes of absolute values): only these are ever resent.
    pub idempotent: bool,
    /// What its answer looks like (writes that start a change: `{"uuid": …}`).
    pub answer: Answer,
}

const fn op(
    name: &'static str,
    method: Method,
    path: &'static str,
    access: Access,
    idempotent: bool,
) -> Operation {
    Operation {
        name,
        method,
        path,
        patch_type: None,
        access,
        idempotent,
        answer: Answer::Whole(&answer::UUID),
    }
}

const fn get(name: &'static str, path: &'static str, answer: Answer) -> Operation {
    Operation {
        answer,
        ..op(name, Method::Get, path, Access::Read, true)
    }
}

/// `op` with another answer than `{"uuid": …}`.
const fn answering(operation: Operation, answer: Answer) -> Operation {
    Operation {
        answer,
        ..operation
    }
}

const fn patch(
    name: &'static str,
    path: &'static str,
    kind: &'static str,
    access: Access,
) -> Operation {
    Operation {
        name,
        method: Method::Patch,
        path,
        patch_type: Some(kind),
        access,
        idempotent: true,
        answer: Answer::Whole(&answer::UUID),
    }
}

const CLUSTER: &str = "/v1/clusters/{cluster}";
const NODEGROUP: &str = "/v1/clusters/{cluster}/nodegroups/{nodegroup}";

/// `GET /v1/clusters`
pub const LIST_CLUSTERS: Operation = get(
    "listClusters",
    "/v1/clusters",
    list("clusters", &answer::CLUSTER),
);
/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}`
pub const GET_CLUSTER: Operation = get("getCluster", CLUSTER, Answer::Whole(&answer::CLUSTER));
/// `POST /v1/clusters`
pub const CREATE_CLUSTER: Operation = op(
    "createCluster",
    Method::Post,
    "/v1/clusters",
    Access::Operate,
    false,
);
/// `DELETE /v1/clusters/{CLUSTER_ID_OR_NAME}`
pub const DELETE_CLUSTER: Operation = answering(
    op(
        "deleteCluster",
        Method::Delete,
        CLUSTER,
        Access::Operate,
        true,
    ),
    Answer::Nothing,
);
/// `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/actions/resize` (idempotent only without
/// `nodes_to_remove`: see [`resize`]).
pub const RESIZE: Operation = op(
    "resize",
    Method::Post,
    "/v1/clusters/{cluster}/actions/resize",
    Access::Scale,
    false,
);
/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/config`
pub const GET_KUBECONFIG: Operation = answering(
    op(
        "getKubeconfig",
        Method::Get,
        "/v1/clusters/{cluster}/config",
        Access::Kubeconfig,
        true,
    ),
    pick("config", Kind::Text, true),
);
/// `GET /v1/clusters/{CLUSTER_UUID}/events`
pub const LIST_EVENTS: Operation = get(
    "listEvents",
    "/v1/clusters/{cluster}/events",
    list("events", &answer::EVENT),
);
/// `GET /v1/clusters/{CLUSTER_UUID}/events/{EVENT_UUID}`
pub const GET_EVENT: Operation = get(
    "getEvent",
    "/v1/clusters/{cluster}/events/{event}",
    Answer::Whole(&answer::EVENT),
);
/// `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/api_ep_ipacl`
pub const SET_IP_ACL: Operation = op(
    "setIpAcl",
    Method::Post,
    "/v1/clusters/{cluster}/api_ep_ipacl",
    Access::Operate,
    true,
);
/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/api_ep_ipacl`
pub const GET_IP_ACL: Operation = get(
    "getIpAcl",
    "/v1/clusters/{cluster}/api_ep_ipacl",
    Answer::Whole(&answer::IP_ACL),
);
/// `PATCH /v1/certificates/{CLUSTER_ID_OR_NAME}`
pub const RENEW_CERTIFICATES: Operation = op(
    "renewCertificates",
    Method::Patch,
    "/v1/certificates/{cluster}",
    Access::Operate,
    false,
);
/// `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/actions/update_sgw`
pub const UPDATE_SERVICE_GATEWAYS: Operation = op(
    "updateServiceGateways",
    Method::Post,
    "/v1/clusters/{cluster}/actions/update_sgw",
    Access::Operate,
    true,
);
/// `PATCH /v1/clusters/{CLUSTER_ID_OR_NAME}` with `type: control_plane_log`
pub const SET_CONTROL_PLANE_LOG: Operation = patch(
    "setControlPlaneLog",
    CLUSTER,
    "control_plane_log",
    Access::Operate,
);
/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/nodegroups`
pub const LIST_NODEGROUPS: Operation = get(
    "listNodeGroups",
    "/v1/clusters/{cluster}/nodegroups",
    list("nodegroups", &answer::NODEGROUP),
);
/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/nodegroups/{NODEGROUP_ID_OR_NAME}`
pub const GET_NODEGROUP: Operation =
    get("getNodeGroup", NODEGROUP, Answer::Whole(&answer::NODEGROUP));
/// `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/nodegroups`
pub const CREATE_NODEGROUP: Operation = answering(
    op(
        "createNodeGroup",
        Method::Post,
        "/v1/clusters/{cluster}/nodegroups",
        Access::Operate,
        false,
    ),
    Answer::Whole(&answer::NODEGROUP),
);
/// `DELETE /v1/clusters/{CLUSTER_ID_OR_NAME}/nodegroups/{NODEGROUP_ID_OR_NAME}`
pub const DELETE_NODEGROUP: Operation = answering(
    op(
        "deleteNodeGroup",
        Method::Delete,
        NODEGROUP,
        Access::Operate,
        true,
    ),
    Answer::Nothing,
);
/// `POST …/nodegroups/{NODEGROUP_ID_OR_NAME}/stop_node`
pub const STOP_NODES: Operation = op(
    "stopNodes",
    Method::Post,
    "/v1/clusters/{cluster}/nodegroups/{nodegroup}/stop_node",
    Access::Operate,
    true,
);
/// `POST …/nodegroups/{NODEGROUP_ID_OR_NAME}/start_node`
pub const START_NODES: Operation = op(
    "startNodes",
    Method::Post,
    "/v1/clusters/{cluster}/nodegroups/{nodegroup}/start_node",
    Access::Operate,
    true,
);
/// `GET …/nodegroups/{NODEGROUP_ID_OR_NAME}/autoscale`
pub const GET_AUTOSCALE: Operation = get(
    "getAutoscale",
    "/v1/clusters/{cluster}/nodegroups/{nodegroup}/autoscale",
    Answer::Whole(&answer::AUTOSCALE),
);
/// `POST …/nodegroups/{NODEGROUP_ID_OR_NAME}/autoscale`
pub const SET_AUTOSCALE: Operation = op(
    "setAutoscale",
    Method::Post,
    "/v1/clusters/{cluster}/nodegroups/{nodegroup}/autoscale",
    Access::Scale,
    true,
);
/// `PATCH …/nodegroups/{NODEGROUP_ID_OR_NAME}` with `type: metric_base_autoscale`
pub const SET_METRIC_AUTOSCALE: Operation = patch(
    "setMetricAutoscale",
    NODEGROUP,
    "metric_base_autoscale",
    Access::Scale,
);
/// `PATCH …/nodegroups/{NODEGROUP_ID_OR_NAME}` with `type: flavor_id`
pub const CHANGE_FLAVOR: Operation = patch("changeFlavor", NODEGROUP, "flavor_id", Access::Operate);
/// `PATCH …/nodegroups/{NODEGROUP_ID_OR_NAME}` with `type: fip_auto_bind`
pub const SET_FLOATING_IP_AUTO_BIND: Operation = patch(
    "setFloatingIpAutoBind",
    NODEGROUP,
    "fip_auto_bind",
    Access::Operate,
);
/// `PATCH …/nodegroups/{NODEGROUP_ID_OR_NAME}` with `type: k8s_node_labels`
pub const SET_NODE_LABELS: Operation = patch(
    "setNodeLabels",
    NODEGROUP,
    "k8s_node_labels",
    Access::Operate,
);
/// `POST …/nodegroups/{NODEGROUP_ID_OR_NAME}/upgrade` (`default-master`: the control plane)
pub const UPGRADE: Operation = op(
    "upgrade",
    Method::Post,
    "/v1/clusters/{cluster}/nodegroups/{nodegroup}/upgrade",
    Access::Operate,
    false,
);
/// `POST …/nodegroups/{NODEGROUP_ID_OR_NAME}/userscript`
pub const SET_USER_SCRIPT: Operation = op(
    "setUserScript",
    Method::Post,
    "/v1/clusters/{cluster}/nodegroups/{nodegroup}/userscript",
    Access::Operate,
    true,
);
/// `GET /v1/addon_types/`
pub const LIST_ADDON_TYPES: Operation = get(
    "listAddonTypes",
    "/v1/addon_types/",
    list("addon_types", &answer::ADDON_TYPE),
);
/// `GET /v1/addon_types/{ADDON_TYPE_UUID_OR_NAME}`
pub const GET_ADDON_TYPE: Operation = get(
    "getAddonType",
    "/v1/addon_types/{addon_type}",
    Answer::Whole(&answer::ADDON_TYPE),
);
/// `GET /v1/addons/`
pub const LIST_ADDONS: Operation = get("listAddons", "/v1/addons/", list("addons", &answer::ADDON));
/// `GET /v1/addons/{ADDON_UUID}`
pub const GET_ADDON: Operation = get(
    "getAddon",
    "/v1/addons/{addon}",
    Answer::Whole(&answer::ADDON),
);
/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/addons/`
pub const LIST_CLUSTER_ADDONS: Operation = get(
    "listClusterAddons",
    "/v1/clusters/{cluster}/addons/",
    list("addons", &answer::INSTALLED_ADDON),
);
/// `GET /v1/clusters/{CLUSTER_ID_OR_NAME}/addons/{ADDON_UUID_OR_NAME}`
pub const GET_CLUSTER_ADDON: Operation = get(
    "getClusterAddon",
    "/v1/clusters/{cluster}/addons/{addon}",
    Answer::Whole(&answer::INSTALLED_ADDON),
);
/// `POST /v1/clusters/{CLUSTER_ID_OR_NAME}/addons/`
pub const INSTALL_ADDON: Operation = op(
    "installAddon",
    Method::Post,
    "/v1/clusters/{cluster}/addons/",
    Access::Operate,
    false,
);
/// `PATCH /v1/clusters/{CLUSTER_ID_OR_NAME}/addons/{ADDON_UUID_OR_NAME}`
pub const UPDATE_ADDON: Operation = op(
    "updateAddon",
    Method::Patch,
    "/v1/clusters/{cluster}/addons/{addon}",
    Access::Operate,
    true,
);
/// `DELETE /v1/clusters/{CLUSTER_ID_OR_NAME}/addons/{ADDON_UUID_OR_NAME}`
pub const UNINSTALL_ADDON: Operation = op(
    "uninstallAddon",
    Method::Delete,
    "/v1/clusters/{cluster}/addons/{addon}",
    Access::Operate,
    true,
);
/// `GET /v1/supports`: Kubernetes versions.
pub const SUPPORTED_VERSIONS: Operation = get(
    "supportedVersions",
    "/v1/supports",
    pick("supported_k8s", Kind::Flags, true),
);
/// `GET /v1/supports`: event types.
pub const SUPPORTED_EVENT_TYPES: Operation = get(
    "supportedEventTypes",
    "/v1/supports",
    pick("supported_event_type", Kind::Texts, false),
);

/// Every operation of the current reference (34 method + path pairs; `PATCH` paths
/// shared by several body types, and `/v1/supports` read two ways, count once there).
pub const OPERATIONS: [&Operation; 38] = [
    &LIST_CLUSTERS,
    &GET_CLUSTER,
    &CREATE_CLUSTER,
    &DELETE_CLUSTER,
    &RESIZE,
    &GET_KUBECONFIG,
    &LIST_EVENTS,
    &GET_EVENT,
    &SET_IP_ACL,
    &GET_IP_ACL,
    &RENEW_CERTIFICATES,
    &UPDATE_SERVICE_GATEWAYS,
    &SET_CONTROL_PLANE_LOG,
    &LIST_NODEGROUPS,
    &GET_NODEGROUP,
    &CREATE_NODEGROUP,
    &DELETE_NODEGROUP,
    &STOP_NODES,
    &START_NODES,
    &GET_AUTOSCALE,
    &SET_AUTOSCALE,
    &SET_METRIC_AUTOSCALE,
    &CHANGE_FLAVOR,
    &SET_FLOATING_IP_AUTO_BIND,
    &SET_NODE_LABELS,
    &UPGRADE,
    &SET_USER_SCRIPT,
    &LIST_ADDON_TYPES,
    &GET_ADDON_TYPE,
    &LIST_ADDONS,
    &GET_ADDON,
    &LIST_CLUSTER_ADDONS,
    &GET_CLUSTER_ADDON,
    &INSTALL_ADDON,
    &UPDATE_ADDON,
    &UNINSTALL_ADDON,
    &SUPPORTED_VERSIONS,
    &SUPPORTED_EVENT_TYPES,
];

impl Operation {
    /// The path with `args` in its placeholders, in order: each validated (the error
    /// names the placeholder's field) and percent-encoded.
    pub fn fill(&'static self, args: &[&str]) -> Result<String, Error> {
        let mut out = String::with_capacity(self.path.len() + 48);
        let mut rest = self.path;
        let mut args = args.iter();
        // Byte scans: the templates are short, and `find` sets up a searcher per call.
        let at = |text: &str, byte: u8| text.bytes().position(|b| b == byte);
        while let Some(open) = at(rest, b'{') {
            let (head, tail) = rest.split_at(open);
            out.push_str(head);
            let close = at(tail, b'}').unwrap_or(tail.len());
            let field = tail.get(1..close).unwrap_or_default();
            let value = args
                .next()
                .ok_or_else(|| Error::validation(field, "is required"))?;
            // A name or UUID (unreserved characters, not a dot step) is valid as it
            // is and needs no encoding: checked in one pass.
            if !value.is_empty() && value.bytes().all(unreserved) && !matches!(*value, "." | "..") {
                out.push_str(value);
            } else {
                crate::validate::id_or_name(field, value)?;
                push_segment(&mut out, value);
            }
            rest = tail.get(close + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The placeholders' values (percent-decoded) when `path` is this operation's path
    /// (a trailing slash or its absence does not matter); `None` otherwise.
    pub fn match_path(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let mut template = self.path.trim_end_matches('/').split('/');
        let mut given = path.trim_end_matches('/').split('/');
        let mut values = Vec::new();
        loop {
            match (template.next(), given.next()) {
                (None, None) => return Some(values),
                (Some(t), Some(g)) => match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(field) if !g.is_empty() => values.push((field, decode(g)?)),
                    Some(_) => return None,
                    None if t == g => {}
                    None => return None,
                },
                _ => return None,
            }
        }
    }
}

/// The operation named `name` (`listClusters`).
pub fn operation(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().copied().find(|op| op.name == name)
}

/// One request to the NKS API, ready to send; its answer reads into `R`
/// ([`FromAnswer`]).
#[derive(Debug)]
pub struct Call<R> {
    /// The operation.
    pub op: &'static Operation,
    /// The path below the endpoint, starting with `/v1/`.
    pub path: String,
    /// The JSON body, if any.
    pub body: Option<String>,
    /// Whether resending is safe: the operation's, or stricter for this input.
    pub idempotent: bool,
    result: PhantomData<fn() -> R>,
}

impl<R> Clone for Call<R> {
    fn clone(&self) -> Self {
        Call {
            op: self.op,
            path: self.path.clone(),
            body: self.body.clone(),
            idempotent: self.idempotent,
            result: PhantomData,
        }
    }
}

impl<R> Call<R> {
    /// A call of `op` with its path filled from `args` (validated), without a body.
    pub(crate) fn new(op: &'static Operation, args: &[&str]) -> Result<Self, Error> {
        Ok(Call {
            op,
            path: op.fill(args)?,
            body: None,
            idempotent: op.idempotent,
            result: PhantomData,
        })
    }

    /// The same call with a JSON body; a `PATCH` that shares its path with others
    /// carries its `type` beside the body's fields.
    fn with_body(self, body: &impl serde::Serialize) -> Result<Self, Error> {
        Ok(self.with_json(body_of(body)?))
    }

    /// The same call with `json` (an object's text) as its body, and the `type` of a
    /// shared `PATCH` path first among its fields. Not generic over the body.
    fn with_json(mut self, json: String) -> Self {
        self.body = Some(match self.op.patch_type {
            Some(kind) => {
                let fields = json.strip_prefix('{').unwrap_or(&json);
                let comma = if fields.trim_start().starts_with('}') {
                    ""
                } else {
                    ","
                };
                format!("{{\"type\":\"{kind}\"{comma}{fields}")
            }
            None => json,
        });
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.op.method
    }
}

/// Percent-encodes one path segment: only RFC 3986's unreserved characters stay.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_segment(&mut out, text);
    out
}

/// [`segment`], appended to `out` (a path being filled: no allocation per segment).
fn push_segment(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let hex = |nibble: u8| char::from(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'));
    // Names and UUIDs are all unreserved: copied whole.
    if text.bytes().all(unreserved) {
        out.push_str(text);
        return;
    }
    for byte in text.bytes() {
        if unreserved(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(hex(byte >> 4));
            out.push(hex(byte & 0x0f));
        }
    }
}

/// RFC 3986's unreserved characters: the only ones a path segment carries as they are.
fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Decodes a percent-encoded path segment; `None` when it is not valid UTF-8 or a
/// `%` is not followed by two hex digits.
pub fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `{"name": value}`: bodies that wrap their settings in one field (`name` is one of
/// the guide's field names, which need no escaping).
fn wrapped(name: &str, value: &impl serde::Serialize) -> Result<String, Error> {
    Ok(format!("{{\"{name}\":{}}}", body_of(value)?))
}

/// The answer of a delete, documented as empty: not read.
impl FromAnswer for () {
    fn from_answer(_body: &str) -> Result<Self, FieldError> {
        Ok(())
    }
}

whole!(UuidResponse);

fn body_of(value: &impl serde::Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::validation("body", e))
}

/// A create request's body, with its `labels` in their wire form. The typed spec is
/// written once, as text, and its labels rewritten as JSON (not generic past that).
fn body_with_wire_labels(spec: &impl serde::Serialize) -> Result<String, Error> {
    wire_labels(&body_of(spec)?)
}

fn wire_labels(text: &str) -> Result<String, Error> {
    let mut body: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::validation("body", e))?;
    if let Some(labels) = body.get_mut("labels") {
        crate::model::rewrite_to_wire(labels);
    }
    body_of(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_change_the_path() {
        assert_eq!(segment("team a/b"), "team%20a%2Fb");
        assert_eq!(segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(segment("한"), "%ED%95%9C");
        assert_eq!(
            segment("2b778d83-8b67-45b1-920e-b0c5ad5c2f30"),
            "2b778d83-8b67-45b1-920e-b0c5ad5c2f30"
        );
        assert_eq!(decode("team%20a%2Fb").as_deref(), Some("team a/b"));
        assert_eq!(decode("%E"), None);
    }

    #[test]
    fn the_table_names_each_operation_once_and_covers_34_method_paths() {
        let mut names: Vec<_> = OPERATIONS.iter().map(|op| op.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len());
        let mut pairs: Vec<_> = OPERATIONS
            .iter()
            .map(|op| (op.method.as_str(), op.path.trim_end_matches('/')))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(pairs.len(), 34);
    }

    #[test]
    fn paths_fill_and_match_both_ways() {
        let path = GET_AUTOSCALE.fill(&["my cluster", "ng?1"]).unwrap();
        assert_eq!(
            path,
            "/v1/clusters/my%20cluster/nodegroups/ng%3F1/autoscale"
        );
        assert_eq!(
            GET_AUTOSCALE.match_path(&path),
            Some(vec![
                ("cluster", "my cluster".into()),
                ("nodegroup", "ng?1".into())
            ])
        );
        assert_eq!(LIST_ADDONS.match_path("/v1/addons"), Some(vec![]));
        assert_eq!(
            LIST_NODEGROUPS.match_path("/v1/clusters/a/nodegroups/"),
            Some(vec![("cluster", "a".into())])
        );
        assert_eq!(GET_CLUSTER.match_path("/v1/clusters/"), None);
        assert_eq!(GET_CLUSTER.match_path("/v1/clusters/a/b"), None);
        let err = GET_EVENT.fill(&["c", ".."]).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("event"));
        // A `/` inside a name is refused: a front end that decodes `%2F` would take it
        // for a path step (`..%2F..%2Fother` reaching another cluster).
        let err = LIST_NODEGROUPS.fill(&["a/../../b"]).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("cluster"));
    }
}
