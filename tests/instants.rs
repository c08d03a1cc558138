//! Instants from users and from JavaScript (issue 13, items 1 and 9): RFC 3339 is read
//! strictly, JavaScript's date range is enforced, a `+` that a query turned into a
//! space is read back, every instant in range is formatted correctly, and a time zone
//! that cannot show an instant is an error in the report, never a panic or a write.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{block_on, policy, JiffZones};
use nks_edge::schedule::plan::FailureKind;
use nks_edge::schedule::{plan, reconcile, LocalTime, Options, Zones};
use nks_edge::time::{
    check_instant_ms, format_instant, in_js_range, parse_instant, parse_query_instant,
    InstantError, MAX_INSTANT_MS,
};
use nks_edge::transport::{HttpRequest, HttpResponse, Method, Replay};
use serde_json::json;

/// 2026-11-26T00:00:00Z
const NOV_26: i64 = 1_795_651_200_000;

#[test]
fn six_digit_and_short_years_are_refused() {
    for text in [
        "275761-1-1T00:00:00Z",
        "275761-01-01T00:00:00Z",
        "+275760-09-13T00:00:00Z",
        "-271821-04-20T00:00:00Z",
        "20261-11-26T09:00:00Z",
        "226-11-26T09:00:00Z",
        "2026-1-26T09:00:00Z",
        "2026-11-6T09:00:00Z",
        "2026-11-26T9:00:00Z",
    ] {
        assert!(
            matches!(parse_instant(text), Err(InstantError::Format(_))),
            "{text}: {:?}",
            parse_instant(text)
        );
        assert!(parse_query_instant(text).is_err(), "{text}");
    }
    assert_eq!(
        parse_instant("275761-1-1T00:00:00Z")
            .unwrap_err()
            .to_string(),
        "is not an RFC 3339 instant like 2026-11-26T09:00:00+09:00 (expected '-' after the year)"
    );
}

#[test]
fn javascripts_date_range_is_enforced() {
    for ms in [1e16, -1e16, 8.640_000_000_000_001e15, f64::MAX, -f64::MAX] {
        assert_eq!(check_instant_ms(ms), Err(InstantError::OutOfRange), "{ms}");
    }
    for ms in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(check_instant_ms(ms), Err(InstantError::NotFinite), "{ms}");
    }
    assert_eq!(check_instant_ms(8.64e15), Ok(MAX_INSTANT_MS));
    assert_eq!(check_instant_ms(-8.64e15), Ok(-MAX_INSTANT_MS));
    // Truncated toward zero, as `new Date(ms)` does.
    assert_eq!(check_instant_ms(1.9), Ok(1));
    assert_eq!(check_instant_ms(-1.9), Ok(-1));
    assert_eq!(check_instant_ms(-0.0), Ok(0));
    assert_eq!(check_instant_ms(1_795_651_200_000.0), Ok(NOV_26));
    // The same bounds for instants that are already whole milliseconds.
    assert_eq!(in_js_range(MAX_INSTANT_MS), Ok(MAX_INSTANT_MS));
    assert_eq!(in_js_range(-MAX_INSTANT_MS), Ok(-MAX_INSTANT_MS));
    for ms in [MAX_INSTANT_MS + 1, -MAX_INSTANT_MS - 1, i64::MAX, i64::MIN] {
        assert_eq!(in_js_range(ms), Err(InstantError::OutOfRange), "{ms}");
    }
    assert_eq!(
        check_instant_ms(1e16).unwrap_err().to_string(),
        "is outside JavaScript's date range (8.64e15 ms either side of 1970-01-01T00:00:00Z)"
    );
}

#[test]
fn an_instant_without_an_offset_is_an_error() {
    for text in [
        "2026-11-26T09:00:00",
        "2026-11-26T09:00:00.250",
        "2026-11-26 09:00:00",
    ] {
        assert_eq!(
            parse_instant(text),
            Err(InstantError::MissingOffset),
            "{text}"
        );
        assert_eq!(
            parse_query_instant(text),
            Err(InstantError::MissingOffset),
            "{text}"
        );
        assert_eq!(nks_edge::time::parse_rfc3339_ms(text), None, "{text}");
    }
    assert!(parse_instant("2026-11-26T09:00:00")
        .unwrap_err()
        .to_string()
        .contains("has no offset: end it with Z (UTC) or ±HH:MM"));
}

#[test]
fn a_plus_that_arrived_as_a_space_is_read_in_queries() {
    let nine_in_seoul = parse_instant("2026-11-26T09:00:00+09:00").unwrap();
    assert_eq!(nine_in_seoul, NOV_26);
    // `?at=2026-11-26T09:00:00+09:00`, unencoded, after form decoding.
    assert_eq!(parse_query_instant("2026-11-26T09:00:00 09:00"), Ok(NOV_26));
    assert_eq!(
        parse_query_instant("2026-11-26 09:00:00.5 09:00"),
        Ok(NOV_26 + 500)
    );
    assert_eq!(parse_query_instant("2026-11-26T09:00:00+09:00"), Ok(NOV_26));
    assert_eq!(parse_query_instant("2026-11-25T15:00:00-09:00"), Ok(NOV_26));
    // Only where the sign goes, and only in a query value.
    assert!(parse_instant("2026-11-26T09:00:00 09:00").is_err());
    for text in [
        "2026-11-26T09:00:00  09:00",
        "2026-11-26T09:00:00 0900",
        "2026-11-26T09:00:00 Z",
        " 2026-11-26T09:00:00+09:00",
        "2026-11-26T09:00:00+09:00 ",
        "2026-11-26T09 00:00+09:00",
    ] {
        assert!(
            matches!(parse_query_instant(text), Err(InstantError::Format(_))),
            "{text}"
        );
    }
}

#[test]
fn rfc3339_fields_fractions_and_offsets() {
    let ok = |text: &str| parse_instant(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(ok("1970-01-01T00:00:00Z"), 0);
    assert_eq!(ok("1970-01-01t00:00:00z"), 0);
    assert_eq!(ok("1970-01-01T00:00:00-00:00"), 0);
    assert_eq!(ok("2026-11-26T00:00:00.1Z"), NOV_26 + 100);
    assert_eq!(ok("2026-11-26T00:00:00.123456789Z"), NOV_26 + 123);
    assert_eq!(ok("2026-11-26T23:59:60Z"), ok("2026-11-26T23:59:59Z"));
    assert_eq!(ok("2024-02-29T00:00:00Z"), 1_709_164_800_000);
    assert_eq!(ok("0000-01-01T00:00:00Z"), -62_167_219_200_000);
    assert_eq!(ok("9999-12-31T23:59:59.999Z"), 253_402_300_799_999);
    assert_eq!(ok("2026-11-26T23:59:00+23:59"), NOV_26);
    for (text, field) in [
        ("2026-13-01T00:00:00Z", "month"),
        ("2026-00-01T00:00:00Z", "month"),
        ("2023-02-29T00:00:00Z", "day"),
        ("2026-04-31T00:00:00Z", "day"),
        ("2026-11-00T00:00:00Z", "day"),
        ("2026-11-26T24:00:00Z", "hour"),
        ("2026-11-26T09:60:00Z", "minute"),
        ("2026-11-26T09:00:61Z", "second"),
        ("2026-11-26T09:00:00+24:00", "offset"),
        ("2026-11-26T09:00:00+09:60", "offset"),
    ] {
        assert_eq!(
            parse_instant(text),
            Err(InstantError::Field(field)),
            "{text}"
        );
    }
    for text in [
        "",
        "2026-11-26",
        "2026-11-26T09:00Z",
        "2026-11-26T09:00:00.Z",
        "2026-11-26T09:00:00+0900",
        "2026-11-26T09:00:00+09",
        "2026-11-26T09:00:00Z+09:00",
        "2026-11-26T09:00:00ZZ",
        "2026-11-26X09:00:00Z",
        "２026-11-26T09:00:00Z",
        "2026-11-26T09:00:00\u{2212}09:00",
    ] {
        assert!(
            matches!(parse_instant(text), Err(InstantError::Format(_))),
            "{text}: {:?}",
            parse_instant(text)
        );
    }
}

#[test]
fn year_zero_and_local_mean_time_format_as_the_instant() {
    // Issue 13 showed "0001-01-01T08:27:52+8792:27" for this instant on wasm.
    let year_zero = parse_instant("0000-01-01T00:00:00Z").unwrap();
    let local = JiffZones.local("Asia/Seoul", year_zero).unwrap();
    // Seoul kept local mean time, +08:27:52: RFC 3339 offsets are whole minutes.
    assert_eq!(local.rfc3339(year_zero), "0000-01-01T08:27:00+08:27");
    assert_eq!(
        JiffZones
            .local("America/New_York", year_zero)
            .unwrap()
            .rfc3339(year_zero),
        // Year -1: ISO 8601's expanded form, as `Date.toISOString` writes it.
        "-000001-12-31T19:04:00-04:56"
    );
    assert_eq!(
        JiffZones
            .local("Asia/Seoul", NOV_26)
            .unwrap()
            .rfc3339(NOV_26),
        "2026-11-26T09:00:00+09:00"
    );
}

#[test]
fn every_instant_in_range_formats_and_reads_back() {
    let zones = [
        "UTC",
        "Asia/Seoul",
        "Asia/Tokyo",
        "America/New_York",
        "America/St_Johns",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Europe/Dublin",
        "Australia/Lord_Howe",
    ];
    let first = parse_instant("0000-01-02T00:00:00Z").unwrap();
    let last = parse_instant("9999-12-30T00:00:00Z").unwrap();
    // A deterministic spread over years 0..9999, odd milliseconds included.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..4000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let span = u64::try_from(last - first).unwrap();
        let at = first + i64::try_from(x % span).unwrap();
        let zone = zones[i % zones.len()];
        let text = JiffZones.local(zone, at).unwrap().rfc3339(at);
        let back = parse_instant(&text).unwrap_or_else(|e| panic!("{zone} {at}: {text}: {e}"));
        assert_eq!(back, at.div_euclid(1000) * 1000, "{zone} {at}: {text}");
    }
}

#[test]
fn the_ends_of_javascripts_range_format_as_date_to_iso_string_does() {
    // `new Date(±8.64e15).toISOString()`, with the offset written out.
    assert_eq!(
        format_instant(MAX_INSTANT_MS, 0),
        "+275760-09-13T00:00:00+00:00"
    );
    assert_eq!(
        format_instant(-MAX_INSTANT_MS, 0),
        "-271821-04-20T00:00:00+00:00"
    );
    assert_eq!(format_instant(-1, 0), "1969-12-31T23:59:59+00:00");
    assert_eq!(format_instant(NOV_26, 9 * 60), "2026-11-26T09:00:00+09:00");
    assert_eq!(format_instant(NOV_26, -150), "2026-11-25T21:30:00-02:30");
    // A "local time" a day or more away from the instant is no offset: UTC.
    assert_eq!(format_instant(NOV_26, 24 * 60), "2026-11-26T00:00:00+00:00");
    let far = LocalTime::from_fields(2027, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(far.rfc3339(NOV_26), "2026-11-26T00:00:00+00:00");
}

/// Time zones that fail as `Intl` does for instants it cannot show.
struct Throwing;

impl Zones for Throwing {
    fn check(&self, zone: &str) -> Result<(), String> {
        JiffZones.check(zone)
    }
    fn local(&self, zone: &str, _: i64) -> Result<LocalTime, String> {
        Err(format!("Intl could not show the instant in {zone}"))
    }
}

fn rule_policy() -> nks_edge::schedule::Policy {
    policy(json!({"timezone": "Asia/Seoul", "rules": [
        {"name": "weekdays", "cluster": "prod", "nodegroup": "ng",
         "when": {"days": "Mon-Fri", "from": "08:00", "to": "19:00"}, "autoscale": {"min": 3, "max": 10}},
        {"name": "rest", "cluster": "prod", "nodegroup": "ng", "autoscale": {"min": 1, "max": 3}}
    ]}))
}

fn api() -> nks_edge::NksClient<Replay> {
    common::token_client(Replay::new(NOV_26, |req: &HttpRequest| {
        let body = if req.url.ends_with("/autoscale") {
            json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": 3})
        } else if req.url.ends_with("/nodegroups/ng") {
            json!({"uuid": "ng", "name": "ng", "node_count": 2, "labels": {"ca_enable": "True"}})
        } else {
            json!({"uuid": "u", "name": "prod", "status": "CREATE_COMPLETE"})
        };
        Ok(HttpResponse::json(200, body.to_string()))
    }))
}

/// One planner run against a client.
type Run<'a> = dyn Fn(&nks_edge::NksClient<Replay>) -> nks_edge::schedule::Report + 'a;

#[test]
fn a_zone_that_cannot_show_the_instant_is_an_error_not_a_write() {
    let policy = rule_policy();
    let options = Options::default();
    // A zone failure (Intl's RangeError) and instants beyond JavaScript's range
    // (±1e16 ms, the `plan(policy, 1e16)` of issue 13) with a database that knows
    // only years -9999..9999.
    let cases: [(&Run, &str); 3] = [
        (
            &|c| block_on(reconcile(c, &policy, &Throwing, NOV_26, &options)),
            "Intl could not show the instant in Asia/Seoul",
        ),
        (
            &|c| {
                block_on(reconcile(
                    c,
                    &policy,
                    &JiffZones,
                    10_000_000_000_000_000,
                    &options,
                ))
            },
            "",
        ),
        (
            &|c| {
                block_on(plan(
                    c,
                    &policy,
                    &JiffZones,
                    -10_000_000_000_000_000,
                    &options,
                ))
            },
            "",
        ),
    ];
    for (run, message) in cases {
        let client = api();
        let report = run(&client);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        let problem = &report.errors[0];
        assert_eq!(
            (problem.cluster.as_str(), problem.nodegroup.as_deref()),
            ("prod", Some("ng"))
        );
        assert_eq!(problem.error.kind, FailureKind::Plan);
        assert!(problem.error.message.contains(message));
        assert!(report.actions.is_empty(), "{:?}", report.actions);
        assert!(client
            .transport()
            .requests()
            .iter()
            .all(|r| r.method == Method::Get));
    }
}
