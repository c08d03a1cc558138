//! Log lines: one JSON object per line, each with `ts` (UTC, RFC 3339 with
//! milliseconds) and `level` (`info`, `warn`, `error`).

use serde_json::{Map, Value};

/// `2026-11-26T00:00:00.000Z` for `ms` since the epoch.
pub fn timestamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    let (year, month, day) = crate::time::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// A line of `fields` (an object) at `level`, stamped `now_ms` (fields named `ts` or
/// `level` win).
pub fn line(now_ms: i64, level: &str, fields: Value) -> String {
    let mut out = match fields {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    out.entry("ts")
        .or_insert_with(|| Value::String(timestamp(now_ms)));
    out.entry("level")
        .or_insert_with(|| Value::String(level.to_owned()));
    // serde_json's writer, not `Display`: a tick writes a line per action.
    serde_json::to_string(&out).unwrap_or_default()
}

/// A report's log event (from [`crate::schedule::Report::log_events`]) stamped and
/// given its level: errors are `error`, failed actions `warn`, the rest `info`.
pub fn stamp(now_ms: i64, fields: Value) -> String {
    let level = match (
        fields.get("event").and_then(Value::as_str),
        fields.get("result").and_then(Value::as_str),
    ) {
        (Some("error" | "config_error"), _) => "error",
        (_, Some("failed")) => "warn",
        _ => "info",
    };
    line(now_ms, level, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_a_timestamp_and_a_level() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_796_083_200_123), "2026-12-01T00:00:00.123Z");
        assert_eq!(timestamp(-1), "1969-12-31T23:59:59.999Z");
        let line: Value = serde_json::from_str(&stamp(
            0,
            serde_json::json!({"event": "action", "result": "failed"}),
        ))
        .unwrap();
        assert_eq!(
            line,
            serde_json::json!({"ts": "1970-01-01T00:00:00.000Z", "level": "warn", "event": "action", "result": "failed"})
        );
        assert!(stamp(0, serde_json::json!({"event": "error"})).contains(r#""level":"error""#));
    }
}
