//! What each operation's answer looks like, as data: the fields that must be there
//! and the documented flags and counts, which the API sends as `"True"` and `"10"` as
//! often as `true` and `10`. The package reads answers by these shapes where they
//! arrive, in JavaScript ([`encode`] hands a shape to `js/answer.mjs`): flags and
//! counts become booleans and numbers, required fields are checked, everything else
//! is kept as it came, and the answer is never copied into the wasm and read into a
//! typed model. The typed models (`crate::model`) read the same answers for the Rust
//! API and the planner; a test (tests/wasm_answers.rs) holds both readings of every
//! answer of the guide equal.

use crate::model::{typed_labels, SettingKind};

/// How an answer's body becomes the operation's result.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// No result (deletes).
    Nothing,
    /// The whole body, an object of this shape.
    Whole(&'static Shape),
    /// One field of the body (`clusters`, `config`).
    Pick(Field),
}

/// An object's documented fields.
#[derive(Debug, PartialEq, Eq)]
pub struct Shape {
    /// Fields read leniently or required.
    pub fields: &'static [Field],
    /// Whether the object's own keys are labels (documented flags and counts typed).
    pub labels: bool,
}

/// One field of a [`Shape`].
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    /// Its name.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether an answer without it (or with `null`) is invalid.
    pub required: bool,
    /// Another spelling the API uses for it, renamed to `name`.
    pub alias: Option<&'static str>,
}

/// What a field holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// A boolean, or `"True"`/`"False"` in any letter case.
    Flag,
    /// A whole number, or a string of digits.
    Count,
    /// A string.
    Text,
    /// An object of this shape.
    Object(&'static Shape),
    /// An array of objects of this shape.
    Each(&'static Shape),
    /// An object whose every value is a flag (`supported_k8s`).
    Flags,
    /// An object of strings, its values that are objects of strings flattened into it
    /// (`supported_event_type`, flat or grouped by `cluster_events`/`nodegroup_events`).
    Texts,
}

const fn field(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
        alias: None,
    }
}

const fn required(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
        alias: None,
    }
}

const fn shape(fields: &'static [Field]) -> Shape {
    Shape {
        fields,
        labels: false,
    }
}

/// An object with only its `uuid` documented.
pub const UUID: Shape = shape(&[required("uuid", Kind::Text)]);
/// An object with nothing documented (kept as it came).
pub const ANY: Shape = shape(&[]);
const EXTRA_VOLUME: Shape = shape(&[field("volume_size", Kind::Count)]);
/// Labels of a cluster or node group.
pub const LABELS: Shape = Shape {
    fields: &[field("extra_volumes", Kind::Each(&EXTRA_VOLUME))],
    labels: true,
};
/// A cluster (list and detail answers).
pub const CLUSTER: Shape = shape(&[
    required("uuid", Kind::Text),
    required("name", Kind::Text),
    field("node_count", Kind::Count),
    field("labels", Kind::Object(&LABELS)),
]);
/// A node group (list, detail and create answers).
pub const NODEGROUP: Shape = shape(&[
    required("uuid", Kind::Text),
    required("name", Kind::Text),
    field("max_node_count", Kind::Count),
    field("min_node_count", Kind::Count),
    field("node_count", Kind::Count),
    field("labels", Kind::Object(&LABELS)),
]);
/// A node group's autoscaler settings.
pub const AUTOSCALE: Shape = Shape {
    fields: &[required("ca_enable", Kind::Flag)],
    labels: true,
};
/// An entry of a cluster's task history.
pub const EVENT: Shape = shape(&[required("uuid", Kind::Text)]);
const IP_ACL_TARGET: Shape = shape(&[Field {
    name: "description",
    kind: Kind::Text,
    required: false,
    alias: Some("descripion"),
}]);
/// IP access control of a cluster's API endpoint.
pub const IP_ACL: Shape = shape(&[
    required("enable", Kind::Flag),
    field("ipacl_targets", Kind::Each(&IP_ACL_TARGET)),
]);
/// An add-on type of the catalogue.
pub const ADDON_TYPE: Shape = shape(&[
    required("uuid", Kind::Text),
    required("name", Kind::Text),
    field("mandatory", Kind::Flag),
]);
const OPTION_SCHEMA: Shape = shape(&[
    required("name", Kind::Text),
    field("updatable", Kind::Flag),
    field("mandatory", Kind::Flag),
]);
/// An add-on of the catalogue.
pub const ADDON: Shape = shape(&[
    required("uuid", Kind::Text),
    required("name", Kind::Text),
    field("option_schemas", Kind::Each(&OPTION_SCHEMA)),
]);
/// An add-on installed on a cluster.
pub const INSTALLED_ADDON: Shape =
    shape(&[required("uuid", Kind::Text), required("name", Kind::Text)]);

/// The answer that is a list of `shape` under `name`.
pub const fn list(name: &'static str, shape: &'static Shape) -> Answer {
    Answer::Pick(required(name, Kind::Each(shape)))
}

/// The answer that is the field `name`, of `kind`, required or not.
pub const fn pick(name: &'static str, kind: Kind, required: bool) -> Answer {
    Answer::Pick(Field {
        name,
        kind,
        required,
        alias: None,
    })
}

/// The answer as the package's reader (`js/answer.mjs`) takes it, in JSON: `[0,
/// shape]` for the whole body or `[1, field]` for one field; a shape is `[fields,
/// labels]` (labels `0`, or `[[name, kind], …]` of every documented flag and count
/// label); a field is `[name, kind, required, alias or 0]`; a kind is `0` flag, `1`
/// count, `2` text, `[3, shape]` object, `[4, shape]` array of objects, `5` flags.
/// [`Answer::Nothing`] has no encoding (nothing is read).
pub fn encode(answer: &Answer) -> Option<String> {
    let mut out = String::with_capacity(512);
    match answer {
        Answer::Nothing => return None,
        Answer::Whole(shape) => {
            out.push_str("[0,");
            encode_shape(shape, &mut out);
        }
        Answer::Pick(field) => {
            out.push_str("[1,");
            encode_field(field, &mut out);
        }
    }
    out.push(']');
    Some(out)
}

fn encode_shape(shape: &Shape, out: &mut String) {
    out.push_str("[[");
    for (i, field) in shape.fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_field(field, out);
    }
    out.push_str("],");
    if shape.labels {
        out.push('[');
        for (i, (label, kind)) in typed_labels().enumerate() {
            let kind = match kind {
                SettingKind::Flag => 0,
                SettingKind::Count => 1,
            };
            out.push_str(&format!(
                "{}[\"{label}\",{kind}]",
                if i > 0 { "," } else { "" }
            ));
        }
        out.push(']');
    } else {
        out.push('0');
    }
    out.push(']');
}

fn encode_field(field: &Field, out: &mut String) {
    out.push_str(&format!("[\"{}\",", field.name));
    match &field.kind {
        Kind::Flag => out.push('0'),
        Kind::Count => out.push('1'),
        Kind::Text => out.push('2'),
        Kind::Object(shape) | Kind::Each(shape) => {
            out.push_str(if matches!(field.kind, Kind::Object(_)) {
                "[3,"
            } else {
                "[4,"
            });
            encode_shape(shape, out);
            out.push(']');
        }
        Kind::Flags => out.push('5'),
        Kind::Texts => out.push('6'),
    }
    match field.alias {
        Some(alias) => out.push_str(&format!(",{},\"{alias}\"]", field.required)),
        None => out.push_str(&format!(",{},0]", field.required)),
    }
}

#[cfg(target_arch = "wasm32")]
pub use reader::{encoded, read, read_encoded};

#[cfg(target_arch = "wasm32")]
mod reader {
    use super::{encode, Answer};
    use crate::error::FieldError;
    use js_sys::Array;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/js/answer.mjs")]
    extern "C" {
        #[wasm_bindgen(catch)]
        fn shape(text: &JsValue, answer: &JsValue) -> Result<Array, JsValue>;
    }

    thread_local! {
        /// Each answer's encoding, parsed once per place that names the answer (a
        /// `&CONST` is one address per use in the source, so the cache is bounded).
        static ENCODED: RefCell<Vec<(&'static Answer, JsValue)>> = const { RefCell::new(Vec::new()) };
    }

    /// The answer's encoding as a JS value; `undefined` for [`Answer::Nothing`].
    pub fn encoded(answer: &'static Answer) -> Result<JsValue, FieldError> {
        ENCODED.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some((_, js)) = cache.iter().find(|(a, _)| std::ptr::eq(*a, answer)) {
                return Ok(js.clone());
            }
            let js = match encode(answer) {
                Some(text) => js_sys::JSON::parse(&text)
                    .map_err(|_| FieldError::new("", "the answer's shape could not be read"))?,
                None => JsValue::UNDEFINED,
            };
            cache.push((answer, js.clone()));
            Ok(js)
        })
    }

    /// Reads `text`, a JavaScript string, as `answer` says, in JavaScript: the
    /// value the package hands back (`undefined` for [`Answer::Nothing`]).
    pub fn read(answer: &'static Answer, text: &JsValue) -> Result<JsValue, FieldError> {
        read_encoded(&encoded(answer)?, text)
    }

    /// [`read`] with the answer's encoding ([`encoded`]).
    pub fn read_encoded(encoded: &JsValue, text: &JsValue) -> Result<JsValue, FieldError> {
        if encoded.is_undefined() {
            return Ok(JsValue::UNDEFINED);
        }
        let result = shape(text, encoded)
            .map_err(|_| FieldError::new("", "the answer could not be read"))?;
        if result.get(0).as_f64() == Some(0.0) {
            return Ok(result.get(1));
        }
        let part = |i| result.get(i).as_string().unwrap_or_default();
        Err(FieldError::new(part(1), part(2)))
    }
}

#[cfg(test)]
mod tests {
    use super::encode;
    use crate::api::{DELETE_CLUSTER, GET_KUBECONFIG, GET_NODEGROUP, LIST_ADDONS};

    /// js/answer.mjs reads this format: a change here is a change there.
    #[test]
    fn encodings_are_what_the_javascript_reader_takes() {
        assert_eq!(encode(&DELETE_CLUSTER.answer), None);
        assert_eq!(
            encode(&GET_KUBECONFIG.answer).as_deref(),
            Some(r#"[1,["config",2,true,0]]"#)
        );
        assert_eq!(
            encode(&LIST_ADDONS.answer).as_deref(),
            Some(concat!(
                r#"[1,["addons",[4,[[["uuid",2,true,0],["name",2,true,0],"#,
                r#"["option_schemas",[4,[[["name",2,true,0],["updatable",0,false,0],"#,
                r#"["mandatory",0,false,0]],0]],false,0]],0]],true,0]]"#
            ))
        );
        let nodegroup = encode(&GET_NODEGROUP.answer).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&nodegroup).unwrap_or_default();
        let labels = &value[1][0][5][1][1][1];
        assert!(
            labels.as_array().is_some_and(|l| l.len() == 15),
            "{nodegroup}"
        );
        assert_eq!(labels[0], serde_json::json!(["ca_enable", 0]));
        assert_eq!(
            value[1][0][5][1][1][0],
            serde_json::json!([[
                "extra_volumes",
                [4, [[["volume_size", 1, false, 0]], 0]],
                false,
                0
            ]])
        );
    }
}
