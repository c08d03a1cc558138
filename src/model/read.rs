//! [`FromValue`]: types read from a parsed JSON value by a few shared getters
//! ([`Fields`]), instead of a serde visitor per type: the requests, the models that
//! hold their parts (`Labels`, `Cluster`, `NodeGroup`), error bodies and options.
//! serde's generated readers cost the package's wasm about 1 KB (gzip) per type;
//! these take a tenth of that. Their `Deserialize` goes through the same reader
//! ([`by_reader`]), so a type is read one way wherever it comes from.
//!
//! Lenient where the API is (`"True"`, `"10"`); `null` is an absent field; fields a
//! type does not name are ignored unless it keeps them (`other`).

use super::value::{parse_count, parse_flag, whole_count};
use crate::error::FieldError;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What a flag must be (the words of the answers' shapes, `js/answer.mjs`).
const FLAG: &str = "expected a boolean or \"True\"/\"False\"";
/// What a count must be.
const COUNT: &str = "expected a whole number (or a string of digits)";
/// What a text must be.
const TEXT: &str = "expected a string";

/// A type read from a parsed JSON value.
pub trait FromValue: Sized {
    /// Reads `value`; an error names the JSON path of the field at fault.
    fn from_value(value: &Value) -> Result<Self, FieldError>;
}

/// The fields of one JSON object, read by name. A reader asks for every field, then
/// [`Fields::finish`]es: the first field at fault, in the order the reader asks, is
/// the error, named by its path. There is no early return per field: each would drop
/// every field read before it, which cost `Labels` 11 KB of wasm. The object was
/// parsed first, so of a key given twice the last counts. The names asked for are
/// kept: [`Fields::rest`] is what the type does not name.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    asked: RefCell<Vec<&'static str>>,
    fault: RefCell<Option<FieldError>>,
}

impl<'a> Fields<'a> {
    /// The object `value` is, or an error.
    pub(crate) fn of(value: &'a Value) -> Result<Self, FieldError> {
        let map = value
            .as_object()
            .ok_or_else(|| FieldError::new("", "expected an object"))?;
        Ok(Fields {
            map,
            asked: RefCell::new(Vec::new()),
            fault: RefCell::new(None),
        })
    }

    /// `value`, read from these fields, or the first field's error.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, FieldError> {
        match self.fault.into_inner() {
            Some(fault) => Err(fault),
            None => Ok(value),
        }
    }

    /// Keeps the first error.
    fn fail(&self, fault: FieldError) {
        self.fault.borrow_mut().get_or_insert(fault);
    }

    /// The field's value; `None` when it is absent or `null`.
    fn get(&self, name: &'static str) -> Option<&'a Value> {
        self.asked.borrow_mut().push(name);
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// The field read by `read`, or `None` when absent or at fault.
    fn opt_with<T>(
        &self,
        name: &'static str,
        read: impl FnOnce(&'a Value) -> Result<T, FieldError>,
    ) -> Option<T> {
        self.read(name, self.get(name)?, read)
    }

    /// `value`, the field `name`, read by `read`; `None` when at fault.
    fn read<T>(
        &self,
        name: &'static str,
        value: &'a Value,
        read: impl FnOnce(&'a Value) -> Result<T, FieldError>,
    ) -> Option<T> {
        match read(value) {
            Ok(value) => Some(value),
            Err(fault) => {
                self.fail(fault.under(name));
                None
            }
        }
    }

    /// An optional field of any [`FromValue`] type.
    pub(crate) fn opt<T: FromValue>(&self, name: &'static str) -> Option<T> {
        self.opt_with(name, T::from_value)
    }

    /// A field whose absence is its default (an empty text: the checks after reading
    /// name it when it is required).
    pub(crate) fn or_default<T: FromValue + Default>(&self, name: &'static str) -> T {
        self.opt(name).unwrap_or_default()
    }

    /// A field that must be given: `is missing` when absent.
    pub(crate) fn required<T: FromValue + Default>(&self, name: &'static str) -> T {
        let Some(value) = self.get(name) else {
            self.fail(FieldError::new(name, "is missing"));
            return T::default();
        };
        self.read(name, value, T::from_value).unwrap_or_default()
    }

    /// A boolean that must be given.
    pub(crate) fn flag(&self, name: &'static str) -> bool {
        self.required(name)
    }

    /// A count that must be given.
    pub(crate) fn count(&self, name: &'static str) -> u32 {
        self.required(name)
    }

    /// A text the reference documents as a number or the other way round: either
    /// form, kept as text; absent is empty.
    pub(crate) fn text_or_number(&self, name: &'static str) -> String {
        self.opt_with(name, |v| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) if !n.is_f64() => Ok(n.to_string()),
            _ => Err(FieldError::new("", "expected a string (or a number)")),
        })
        .unwrap_or_default()
    }

    /// Records the first field not asked for so far as an error (for options, where
    /// a field not known is a mistake: a typo would otherwise be dropped unseen).
    pub(crate) fn deny_rest(&self) {
        let known = self.asked.borrow();
        if let Some(key) = self.map.keys().find(|k| !known.contains(&k.as_str())) {
            self.fail(FieldError::new(key.as_str(), unknown_field(key, &known)));
        }
    }

    /// The fields not asked for so far, as they came (a type's undocumented fields:
    /// read them last).
    pub(crate) fn rest(&self) -> Map<String, Value> {
        let asked = self.asked.borrow();
        let mut rest = Map::new();
        // Inserted one by one: `collect` would sort first (the keys are sorted
        // already), which is 3 KB of wasm.
        for (k, v) in self
            .map
            .iter()
            .filter(|(k, _)| !asked.contains(&k.as_str()))
        {
            rest.insert(k.clone(), v.clone());
        }
        rest
    }
}

/// What is said of a field `key` not among `known`: the closest name, when one is
/// within two edits, or the known names (policies and options alike).
pub(crate) fn unknown_field(key: &str, known: &[&str]) -> String {
    let close = known
        .iter()
        .min_by_key(|k| distance(key, k))
        .filter(|k| distance(key, k) <= 2);
    match close {
        Some(k) => format!("unknown field (did you mean \"{k}\"?)"),
        None => format!("unknown field (known: {})", known.join(", ")),
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let value = (above + 1).min(left + 1).min(prev + cost);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// A boolean, or `"True"`/`"False"` in any letter case.
impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        match value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => parse_flag(s),
            _ => None,
        }
        .ok_or_else(|| FieldError::new("", FLAG))
    }
}

/// A whole number within `u32` (`3.0` too), or a string of its digits.
impl FromValue for u32 {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        match value {
            Value::Number(n) => n.as_f64().and_then(whole_count),
            Value::String(s) => parse_count(s),
            _ => None,
        }
        .ok_or_else(|| FieldError::new("", COUNT))
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| FieldError::new("", TEXT))
    }
}

/// An object, kept as it came.
impl FromValue for Map<String, Value> {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        Ok(Fields::of(value)?.map.clone())
    }
}

/// Any JSON, as it came.
impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        Ok(value.clone())
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let items = value
            .as_array()
            .ok_or_else(|| FieldError::new("", "expected an array"))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(T::from_value(item).map_err(|e| e.under(&format!("[{i}]")))?);
        }
        Ok(out)
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let mut out = BTreeMap::new();
        for (k, v) in Fields::of(value)?.map {
            out.insert(k.clone(), T::from_value(v).map_err(|e| e.under(k))?);
        }
        Ok(out)
    }
}

thread_local! {
    /// The last reader error handed to serde, whose message can carry its path only
    /// as words: [`super::from_json`] takes it back to name the field by its path.
    static HANDED: RefCell<Option<FieldError>> = const { RefCell::new(None) };
}

/// `issue` as a serde error (its message: `path: problem`), kept for [`taken_back`].
pub(crate) fn handed<E: serde::de::Error>(issue: FieldError) -> E {
    let error = E::custom(&issue);
    HANDED.with(|h| *h.borrow_mut() = Some(issue));
    error
}

/// The reader error behind a serde error's `message`, if that is where it came from.
pub(crate) fn taken_back(message: &str) -> Option<FieldError> {
    HANDED
        .with(|h| h.borrow_mut().take())
        .filter(|issue| issue.to_string() == message)
}

/// `Deserialize` for types read by [`FromValue`]: the value is parsed, then read; an
/// error's message names the field's path within the value. [`super::from_json`]
/// takes the error back and names the value by the text's position, which is exact
/// for a value read at the top (or followed by another field): a type or list that
/// holds reader types is read by [`FromValue`] too (`Cluster`, `NodeGroup` and
/// their lists), where serde would have moved past the end of its parent.
macro_rules! by_reader {
    ($($t:ty),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                <$t as $crate::model::FromValue>::from_value(&value)
                    .map_err($crate::model::read::handed)
            }
        }
    )*};
}
pub(crate) use by_reader;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_read_the_wire_forms_and_name_what_is_wrong() {
        let v = json!({"f": "True", "n": "10", "m": 3.0, "t": "x", "z": null,
                       "bad": 2.5, "list": ["a", 1]});
        let read = |ask: &dyn Fn(&Fields)| {
            let f = Fields::of(&v).unwrap();
            ask(&f);
            f.finish(()).map_err(|e| e.to_string())
        };
        let f = Fields::of(&v).unwrap();
        assert!(f.flag("f"));
        assert_eq!(f.count("n"), 10);
        assert_eq!(f.opt::<u32>("m"), Some(3));
        assert_eq!(f.or_default::<String>("t"), "x");
        assert_eq!(f.or_default::<String>("z"), "", "null is absent");
        // The rest: what was not asked for (nulls too; `z` was asked for).
        assert_eq!(f.rest().keys().collect::<Vec<_>>(), ["bad", "list"]);
        assert_eq!(f.finish(1), Ok(1));
        assert_eq!(read(&|f| _ = f.count("z")), Err("z: is missing".into()));
        assert_eq!(
            read(&|f| {
                let _ = f.opt::<u32>("bad");
            }),
            Err(format!("bad: {COUNT}"))
        );
        assert_eq!(
            read(&|f| {
                let _ = f.opt::<Vec<String>>("list");
            }),
            Err("list[1]: expected a string".into())
        );
        // The first field at fault is the one named.
        assert_eq!(
            read(&|f| {
                let _ = (f.opt::<u32>("bad"), f.count("z"));
            }),
            Err(format!("bad: {COUNT}"))
        );
        assert!(Fields::of(&json!([1])).is_err());
    }

    #[test]
    fn serde_reads_through_the_same_reader() {
        use crate::model::{from_json, IpAcl};
        let acl: IpAcl = from_json(
            r#"{"enable": "true", "ipacl_targets": [{"cidr_address": "10.0.0.1", "descripion": "typo"}], "extra": 1}"#,
        )
        .unwrap();
        assert!(acl.enable);
        assert_eq!(acl.other.get("extra"), Some(&json!(1)));
        let e = from_json::<IpAcl>(r#"{"enable": true, "ipacl_targets": [{"cidr_address": 7}]}"#)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "ipacl_targets[0].cidr_address: expected a string"
        );
    }
}
