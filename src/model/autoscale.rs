//! [`Autoscale`]: a node group's cluster-autoscaler settings.

use super::value::{Flag, OptCount, OptFlag};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// How an autoscaler setting is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// A boolean (`"True"`/`"False"` inside labels).
    Flag,
    /// A whole number (a string of digits inside labels).
    Count,
}

/// One autoscaler setting: its name in a policy, its name on the wire (the
/// [`Autoscale`] field and the label), its type and, for counts, its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// In a policy's `autoscale` (`min`).
    pub policy: &'static str,
    /// On the wire and in labels (`ca_min_node_count`).
    pub wire: &'static str,
    /// Its type.
    pub kind: SettingKind,
}

const fn setting(policy: &'static str, wire: &'static str, kind: SettingKind) -> Setting {
    Setting { policy, wire, kind }
}

/// A field of [`Autoscale`] that holds a setting of the table, read and written as
/// the JSON a policy gives (a boolean, a whole number; `null` when unset).
trait Field: Sized {
    fn json(&self) -> Value;
    fn from_json(value: &Value) -> Option<Self>;
}

impl Field for bool {
    fn json(&self) -> Value {
        Value::Bool(*self)
    }

    fn from_json(value: &Value) -> Option<Self> {
        value.as_bool()
    }
}

impl Field for Option<bool> {
    fn json(&self) -> Value {
        self.map_or(Value::Null, Value::Bool)
    }

    fn from_json(value: &Value) -> Option<Self> {
        value.as_bool().map(Some)
    }
}

impl Field for Option<u32> {
    fn json(&self) -> Value {
        self.map_or(Value::Null, Value::from)
    }

    fn from_json(value: &Value) -> Option<Self> {
        value.as_u64().and_then(|n| u32::try_from(n).ok()).map(Some)
    }
}

/// The table of settings and [`Autoscale`]'s access to them by setting, from one list
/// of `policy name => field: kind` (the field is named as the wire and the labels
/// name the setting).
macro_rules! settings {
    ($($policy:literal => $field:ident: $kind:ident),* $(,)?) => {
        /// Every autoscaler setting, once: the policy, the labels' wire form and the
        /// planner read this table.
        pub const SETTINGS: [Setting; 0 $(+ { let _ = stringify!($field); 1 })*] = [
            $(setting($policy, stringify!($field), SettingKind::$kind)),*
        ];

        impl Autoscale {
            /// The value of `setting`: a boolean, a whole number, or `null` when it is
            /// unset (or not a setting of the table).
            pub fn get(&self, setting: &Setting) -> Value {
                match setting.wire {
                    $(stringify!($field) => Field::json(&self.$field),)*
                    _ => Value::Null,
                }
            }

            /// Sets `setting` to `value` (a boolean for a flag, a whole number for a
            /// count); an error names the setting.
            pub fn set(&mut self, setting: &Setting, value: &Value) -> Result<(), String> {
                match setting.wire {
                    $(stringify!($field) => {
                        self.$field = Field::from_json(value).ok_or_else(|| {
                            format!("{}: expected {}", setting.wire, setting.kind.expected())
                        })?;
                    })*
                    _ => return Err(format!("{} is not an autoscaler setting", setting.wire)),
                }
                Ok(())
            }
        }
    };
}

settings! {
    "enable" => ca_enable: Flag,
    "min" => ca_min_node_count: Count,
    "max" => ca_max_node_count: Count,
    "scale_down_enable" => ca_scale_down_enable: Flag,
    "scale_down_unneeded_time" => ca_scale_down_unneeded_time: Count,
    "scale_down_util_thresh" => ca_scale_down_util_thresh: Count,
    "scale_down_delay_after_add" => ca_scale_down_delay_after_add: Count,
}

impl SettingKind {
    /// What a value of this kind is, for messages.
    fn expected(self) -> &'static str {
        match self {
            SettingKind::Flag => "a boolean",
            SettingKind::Count => "a whole number",
        }
    }
}

/// The autoscaler settings of a node group: what `GET …/autoscale` answers and what
/// `POST …/autoscale` takes. Both use JSON booleans and integers on the wire, as the
/// reference's examples do; read leniently (`"True"`, `"10"`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Autoscale {
    /// Autoscaler on or off (required when setting).
    pub ca_enable: bool,
    /// Most nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_max_node_count: Option<u32>,
    /// Fewest nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_min_node_count: Option<u32>,
    /// May the autoscaler remove nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_enable: Option<bool>,
    /// Minutes a node stays unneeded before removal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_unneeded_time: Option<u32>,
    /// Utilization threshold in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_util_thresh: Option<u32>,
    /// Minutes after a scale-up before scale-down resumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_scale_down_delay_after_add: Option<u32>,
    /// Pods of the cluster autoscaler (not a policy setting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_pod_replicas: Option<u32>,
    /// Undocumented fields (`ca_image`, `clusterautoscale`), as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl<'de> Deserialize<'de> for Autoscale {
    /// By hand, not derived: with `other` flattened, a derived reader buffers every
    /// field of the answer before reading any (a tick reads a hundred answers). Each
    /// field is read as it comes; only unknown names are copied.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AutoscaleVisitor)
    }
}

struct AutoscaleVisitor;

impl<'de> Visitor<'de> for AutoscaleVisitor {
    type Value = Autoscale;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct Autoscale")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Autoscale, A::Error> {
        let mut out = Autoscale::default();
        let mut enable = None;
        // Each known field once, as a derived reader has it.
        let mut seen = 0u16;
        while let Some(key) = map.next_key_seed(KeyName)? {
            let field = match key {
                Key::Field(field) => field,
                Key::Other(name) => {
                    let value = map.next_value()?;
                    out.other.insert(name, value);
                    continue;
                }
            };
            let bit = 1u16 << field as u16;
            if seen & bit != 0 {
                let name = FIELDS
                    .iter()
                    .find(|(_, f)| *f == field)
                    .map_or("", |(n, _)| n);
                return Err(de::Error::duplicate_field(name));
            }
            seen |= bit;
            match field {
                Known::Enable => enable = Some(map.next_value_seed(Flag)?),
                Known::Max => out.ca_max_node_count = map.next_value_seed(OptCount)?,
                Known::Min => out.ca_min_node_count = map.next_value_seed(OptCount)?,
                Known::ScaleDown => out.ca_scale_down_enable = map.next_value_seed(OptFlag)?,
                Known::Unneeded => {
                    out.ca_scale_down_unneeded_time = map.next_value_seed(OptCount)?
                }
                Known::Thresh => out.ca_scale_down_util_thresh = map.next_value_seed(OptCount)?,
                Known::Delay => {
                    out.ca_scale_down_delay_after_add = map.next_value_seed(OptCount)?
                }
                Known::Replicas => out.ca_pod_replicas = map.next_value_seed(OptCount)?,
            }
        }
        out.ca_enable = enable.ok_or_else(|| de::Error::missing_field("ca_enable"))?;
        Ok(out)
    }
}

/// A field [`Autoscale`] reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Known {
    Enable,
    Max,
    Min,
    ScaleDown,
    Unneeded,
    Thresh,
    Delay,
    Replicas,
}

/// The fields [`Autoscale`] reads, by their names on the wire.
const FIELDS: [(&str, Known); 8] = [
    ("ca_enable", Known::Enable),
    ("ca_max_node_count", Known::Max),
    ("ca_min_node_count", Known::Min),
    ("ca_scale_down_enable", Known::ScaleDown),
    ("ca_scale_down_unneeded_time", Known::Unneeded),
    ("ca_scale_down_util_thresh", Known::Thresh),
    ("ca_scale_down_delay_after_add", Known::Delay),
    ("ca_pod_replicas", Known::Replicas),
];

/// A key of an autoscale object: a field [`Autoscale`] reads (its name not copied),
/// or another name, kept in `other`.
enum Key {
    Field(Known),
    Other(String),
}

/// Reads a [`Key`].
struct KeyName;

impl<'de> de::DeserializeSeed<'de> for KeyName {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyName {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(FIELDS
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| Key::Other(name.to_owned()), |(_, f)| Key::Field(*f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Read field by field: leniently, unknown fields kept as they came, a bad value
    /// named by its field, `ca_enable` required, a known field once.
    #[test]
    fn an_answer_is_read_field_by_field() {
        let read: Autoscale = crate::model::from_json(
            r#"{"ca_enable": "True", "ca_min_node_count": "2", "ca_max_node_count": 5.0,
                "ca_scale_down_enable": false, "ca_pod_replicas": null, "ca_image": "img:1",
                "clusterautoscale": {"nested": [1]}}"#,
        )
        .unwrap();
        assert_eq!(
            read,
            Autoscale {
                ca_enable: true,
                ca_min_node_count: Some(2),
                ca_max_node_count: Some(5),
                ca_scale_down_enable: Some(false),
                other: json!({"ca_image": "img:1", "clusterautoscale": {"nested": [1]}})
                    .as_object()
                    .unwrap()
                    .clone(),
                ..Autoscale::default()
            }
        );
        let bad = crate::model::from_json::<Autoscale>(
            r#"{"ca_enable": true, "ca_max_node_count": "ten"}"#,
        )
        .unwrap_err();
        assert_eq!(bad.path, "ca_max_node_count", "{bad}");
        let missing =
            crate::model::from_json::<Autoscale>(r#"{"ca_min_node_count": 1}"#).unwrap_err();
        assert!(missing.to_string().contains("ca_enable"), "{missing}");
        let twice = crate::model::from_json::<Autoscale>(
            r#"{"ca_enable": true, "ca_max_node_count": 3, "ca_max_node_count": null}"#,
        )
        .unwrap_err();
        assert!(
            twice
                .to_string()
                .contains("duplicate field `ca_max_node_count`"),
            "{twice}"
        );
    }

    #[test]
    fn each_setting_is_the_field_of_its_wire_name() {
        for setting in &SETTINGS {
            let value = match setting.kind {
                SettingKind::Flag => json!(true),
                SettingKind::Count => json!(7),
            };
            let mut autoscale = Autoscale::default();
            // Unset: `null`, but `ca_enable`, which is always present (off by default).
            let unset = if setting.wire == "ca_enable" {
                json!(false)
            } else {
                json!(null)
            };
            assert_eq!(autoscale.get(setting), unset, "{}", setting.wire);
            autoscale.set(setting, &value).unwrap();
            assert_eq!(autoscale.get(setting), value, "{}", setting.wire);
            // The field serde writes under the wire name is the one set.
            let written = serde_json::to_value(&autoscale).unwrap();
            assert_eq!(written[setting.wire], value, "{}", setting.wire);
            let wrong = match setting.kind {
                SettingKind::Flag => json!(1),
                SettingKind::Count => json!(true),
            };
            let err = autoscale.set(setting, &wrong).unwrap_err();
            assert!(err.starts_with(setting.wire), "{err}");
            assert_eq!(
                autoscale.get(setting),
                value,
                "a refused value changes nothing"
            );
        }
        let unknown = Setting {
            policy: "replicas",
            wire: "ca_pod_replicas",
            kind: SettingKind::Count,
        };
        assert!(Autoscale::default().set(&unknown, &json!(2)).is_err());
        assert_eq!(Autoscale::default().get(&unknown), json!(null));
    }
}
