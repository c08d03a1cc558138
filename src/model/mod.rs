//! Serde types of every NKS request and response. Reading is lenient where the API is
//! (see `value`); undocumented fields are kept in each type's `other` map and survive
//! a round trip; writing is strict (the documented wire form).

mod addon;
mod autoscale;
mod cluster;
mod event;
mod ipacl;
mod labels;
mod nodegroup;
pub(crate) mod read;
mod status;
pub(crate) mod value;

pub use addon::{Addon, AddonInstall, AddonType, AddonUpdate, InstalledAddon, OptionSchema};
pub use autoscale::{Autoscale, Setting, SettingKind, SETTINGS};
pub use cluster::{
    AddonSpec, CertificateRenewal, Cluster, ClusterCreate, ClusterState, ControlPlaneLog, Resize,
    ServiceGateways, StateLabels,
};
pub use event::Event;
pub use ipacl::{IpAcl, IpAclTarget};
pub(crate) use labels::{rewrite_to_wire, typed_labels};
pub use labels::{to_wire as labels_to_wire, ExtraSecurityGroup, ExtraVolume, Labels};
pub use nodegroup::{
    FipAutoBind, FlavorChange, GroupStateLabels, MetricAutoscale, MetricPolicy, MetricRule,
    NodeGroup, NodeGroupCreate, NodeGroupState, Rollout, Upgrade,
};
pub use read::FromValue;
pub(crate) use read::{by_reader, Fields};
pub use status::Status;

use crate::error::FieldError;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `{"uuid": …}`: the answer of create, resize, autoscale, upgrade and the other
/// calls that start a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UuidResponse {
    /// The cluster's or node group's UUID.
    pub uuid: String,
}

/// `{"config": "<kubeconfig YAML>"}`. The YAML holds client keys: it is a [`Secret`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kubeconfig {
    /// The kubeconfig YAML.
    pub config: Secret,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `GET /v1/supports`: Kubernetes versions and whether each is valid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Supports {
    /// Version name to validity (`"v1.19.13": true`).
    pub supported_k8s: BTreeMap<String, bool>,
    /// Task type to its description (`"CLUSTER_CREATE": "Create a cluster"`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub supported_event_type: BTreeMap<String, String>,
    /// Undocumented fields, as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl FromValue for Supports {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = Supports {
            supported_k8s: f.required("supported_k8s"),
            supported_event_type: f.or_default::<EventTypes>("supported_event_type").0,
            other: f.rest(),
        };
        f.finish(read)
    }
}

/// `supported_event_type`, flat as the guide's example writes it (type to description)
/// or grouped as its table documents (`cluster_events` / `nodegroup_events`, each type
/// to description): read flat either way.
#[derive(Default)]
struct EventTypes(BTreeMap<String, String>);

impl FromValue for EventTypes {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let mut types = BTreeMap::new();
        for (key, entry) in Fields::of(value)?.rest() {
            match entry {
                Value::Object(group) => {
                    for (kind, description) in group {
                        let text = String::from_value(&description)
                            .map_err(|e| e.under(&kind).under(&key))?;
                        types.insert(kind, text);
                    }
                }
                other => {
                    types.insert(
                        key.clone(),
                        String::from_value(&other).map_err(|e| e.under(&key))?,
                    );
                }
            }
        }
        Ok(EventTypes(types))
    }
}

by_reader!(Supports);

/// Parses JSON into `T`; a failure names the JSON path of the bad field
/// (`clusters[0].labels.boot_volume_size`) and never quotes the text it failed on,
/// which may be a secret (a token where a number was expected).
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, FieldError> {
    serde_json::from_str(text).map_err(|e| field_error(text, &e))
}

/// The [`FieldError`] of a failed parse of `text`. Not generic: every type's parse
/// shares it, so the wasm holds it once.
#[inline(never)]
fn field_error(text: &str, e: &serde_json::Error) -> FieldError {
    let message = e.to_string();
    let message = message
        .rfind(" at line ")
        .and_then(|i| message.get(..i))
        .unwrap_or(&message);
    if let Some(issue) = read::taken_back(message) {
        // A reader's error: its path continues the one at the error's position.
        return issue.under(&path_at(text, e.line(), e.column()));
    }
    let message = unquoted(message);
    if e.is_syntax() || e.is_eof() {
        let at = format!("{message} at line {} column {}", e.line(), e.column());
        return FieldError::new("", at);
    }
    FieldError::new(path_at(text, e.line(), e.column()), message)
}

/// serde's message without the values it quotes: `invalid type: string "…"` becomes
/// `invalid type: a string`; names of fields and variants stay.
fn unquoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find("string \"") {
        out.push_str(rest.get(..start).unwrap_or_default());
        out.push_str("a string");
        let after = rest.get(start + 8..).unwrap_or_default();
        rest = after
            .rfind("\", ")
            .or_else(|| after.rfind('"'))
            .map_or("", |end| after.get(end + 1..).unwrap_or_default());
    }
    out.push_str(rest);
    out
}

/// A level of nesting while scanning JSON text.
enum Level {
    Object {
        key: Option<String>,
        expecting_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The JSON path (`a[0].b`) of the value that ends at `line`:`column` (serde_json's
/// 1-based error position). Errors are rare, so paths are found after the fact
/// instead of tracked during every parse.
fn path_at(text: &str, line: usize, column: usize) -> String {
    let end = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + column;
    let bytes = text.as_bytes();
    let mut levels: Vec<Level> = Vec::new();
    let mut i = 0;
    while i < end.min(bytes.len()) {
        match bytes.get(i).copied().unwrap_or(b' ') {
            b'{' => levels.push(Level::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => levels.push(Level::Array { index: 0 }),
            b'}' | b']' => {
                levels.pop();
            }
            b',' => match levels.last_mut() {
                Some(Level::Object { key, expecting_key }) => {
                    *key = None;
                    *expecting_key = true;
                }
                Some(Level::Array { index }) => *index += 1,
                None => {}
            },
            b':' => {
                if let Some(Level::Object { expecting_key, .. }) = levels.last_mut() {
                    *expecting_key = false;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                if let Some(Level::Object {
                    key,
                    expecting_key: true,
                }) = levels.last_mut()
                {
                    *key = text
                        .get(start..=i)
                        .and_then(|raw| serde_json::from_str::<String>(raw).ok());
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for level in &levels {
        match level {
            Level::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Level::Object { key: None, .. } => {}
            Level::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::from_json;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        id: String,
        #[serde(default, deserialize_with = "super::value::opt_count")]
        size: Option<u32>,
        #[serde(default)]
        labels: std::collections::BTreeMap<String, u32>,
    }

    #[test]
    fn errors_name_the_path() {
        let err = |text: &str| from_json::<Outer>(text).unwrap_err().to_string();
        assert_eq!(
            err(r#"{"items": [{"id": "a"}, {"id": "b", "size": "big"}]}"#),
            "items[1].size: invalid value: a string, expected a whole number (or a string of digits)"
        );
        assert_eq!(
            err("{\n  \"items\": [\n    {\"id\": \"a\", \"labels\": {\"x\": 1, \"y\": \"two\"}}\n  ]\n}"),
            "items[0].labels.y: invalid type: a string, expected u32"
        );
        assert_eq!(
            err(r#"{"items": [{"size": 1}]}"#),
            "items[0]: missing field `id`"
        );
        assert_eq!(err(r#"{"items": [{"id": "a\"b,c", "size": -1}]}"#), "items[0].size: invalid value: integer `-1`, expected a whole number (or a string of digits)");
        assert_eq!(err("{}"), "missing field `items`");
        assert!(err("{\"items\": [").starts_with("EOF while parsing"));
    }
}
