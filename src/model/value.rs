//! Lenient readers for the API's loosely typed values: booleans that arrive as
//! `"True"`/`"true"`/`"false"` or JSON booleans, counts that arrive as `"10"` or `10`.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Reads `"True"`/`"False"` in any letter case, or a JSON boolean.
pub(crate) fn parse_flag(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

struct FlagVisitor;

impl<'de> Visitor<'de> for FlagVisitor {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean or \"True\"/\"False\"")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_flag(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(FlagVisitor)
    }
}

/// Reads a count written as a string of digits (`"10"`, spaces around allowed).
pub(crate) fn parse_count(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// A count written as a JSON number: whole (`3.0` too) and within `u32`.
pub(crate) fn whole_count(v: f64) -> Option<u32> {
    // Whole numbers written as floats (`3.0`) are accepted, fractions are not.
    (v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v)).then(|| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = v as u32;
        whole
    })
}

struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = Option<u32>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number (or a string of digits)")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        u32::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u32::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        whole_count(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_count(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(CountVisitor)
    }
}

/// A required boolean, leniently.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(FlagVisitor)?
        .ok_or_else(|| de::Error::custom("expected a boolean, found null"))
}

/// An optional boolean, leniently (`null` is `None`).
pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(FlagVisitor)
}

/// An optional count, leniently (`null` is `None`).
pub(crate) fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    d.deserialize_any(CountVisitor)
}

/// The readers above as [`de::DeserializeSeed`]s, for types that read their fields by
/// hand ([`super::Autoscale`]).
macro_rules! seeds {
    ($($seed:ident: $type:ty => $read:ident),* $(,)?) => {$(
        pub(crate) struct $seed;

        impl<'de> de::DeserializeSeed<'de> for $seed {
            type Value = $type;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$type, D::Error> {
                $read(d)
            }
        }
    )*};
}

seeds! {
    Flag: bool => flag,
    OptFlag: Option<bool> => opt_flag,
    OptCount: Option<u32> => opt_count,
}

/// Writes a boolean in the form the reference documents for string flags: `"True"`/`"False"`.
pub(crate) fn wire_flag(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct T {
        #[serde(default, deserialize_with = "opt_flag")]
        f: Option<bool>,
        #[serde(default, deserialize_with = "opt_count")]
        n: Option<u32>,
    }

    fn t(json: &str) -> Result<(Option<bool>, Option<u32>), String> {
        serde_json::from_str::<T>(json)
            .map(|t| (t.f, t.n))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_the_wire_forms() {
        assert_eq!(t(r#"{"f":"True","n":"10"}"#), Ok((Some(true), Some(10))));
        assert_eq!(t(r#"{"f":"false","n":10}"#), Ok((Some(false), Some(10))));
        assert_eq!(t(r#"{"f":true,"n":3.0}"#), Ok((Some(true), Some(3))));
        assert_eq!(t(r#"{"f":null,"n":null}"#), Ok((None, None)));
        assert_eq!(t(r#"{}"#), Ok((None, None)));
    }

    #[test]
    fn rejects_what_is_not_a_flag_or_count() {
        assert!(t(r#"{"f":"yes"}"#)
            .unwrap_err()
            .contains("\"True\"/\"False\""));
        assert!(t(r#"{"n":"ten"}"#).unwrap_err().contains("whole number"));
        assert!(t(r#"{"n":-1}"#).is_err());
        assert!(t(r#"{"n":2.5}"#).is_err());
    }
}
