//! Reading request bodies: each reader names the field at fault in Magnum's 400.

use crate::reply::{Ctx, Reply};
use serde_json::{Map, Value};

pub type Res<T> = Result<T, Reply>;

pub fn object(ctx: &Ctx<'_>, body: &[u8]) -> Res<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Reply::error(
            ctx,
            400,
            "Malformed request body",
            "the body must be a JSON object",
        )),
        Err(e) => Err(Reply::error(
            ctx,
            400,
            "Malformed request body",
            format!("invalid JSON: {e}"),
        )),
    }
}

pub fn text(ctx: &Ctx<'_>, map: &Map<String, Value>, prefix: &str, field: &str) -> Res<String> {
    match map.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(Reply::invalid(
            ctx,
            &format!("{prefix}{field}"),
            "must not be empty",
        )),
        None | Some(Value::Null) => Err(Reply::invalid(
            ctx,
            &format!("{prefix}{field}"),
            "is mandatory",
        )),
        Some(_) => Err(Reply::invalid(
            ctx,
            &format!("{prefix}{field}"),
            "must be a string",
        )),
    }
}

pub fn flag_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

pub fn count_of(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An optional (or, if `required`, mandatory) field read with `convert`; `expected`
/// says what a bad value should have been.
pub fn typed<T>(
    ctx: &Ctx<'_>,
    map: &Map<String, Value>,
    (prefix, field): (&str, &str),
    required: bool,
    convert: fn(&Value) -> Option<T>,
    expected: &str,
) -> Res<Option<T>> {
    let name = format!("{prefix}{field}");
    match map.get(field) {
        None | Some(Value::Null) if required => Err(Reply::invalid(ctx, &name, "is mandatory")),
        None | Some(Value::Null) => Ok(None),
        Some(v) => convert(v)
            .map(Some)
            .ok_or_else(|| Reply::invalid(ctx, &name, expected)),
    }
}

pub fn flag(
    ctx: &Ctx<'_>,
    map: &Map<String, Value>,
    prefix: &str,
    field: &str,
    required: bool,
) -> Res<Option<bool>> {
    typed(
        ctx,
        map,
        (prefix, field),
        required,
        flag_of,
        "must be \"True\" or \"False\"",
    )
}

pub fn count(
    ctx: &Ctx<'_>,
    map: &Map<String, Value>,
    prefix: &str,
    field: &str,
    required: bool,
) -> Res<Option<u32>> {
    typed(
        ctx,
        map,
        (prefix, field),
        required,
        count_of,
        "must be a whole number",
    )
}

pub fn within(ctx: &Ctx<'_>, field: &str, n: u32, max: u32) -> Res<u32> {
    if (1..=max).contains(&n) {
        Ok(n)
    } else {
        Err(Reply::invalid(
            ctx,
            field,
            &format!("must be between 1 and {max} (quota), got {n}"),
        ))
    }
}
