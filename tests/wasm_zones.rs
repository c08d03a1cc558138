//! The runtime's `Intl` time zones (wasm32 under Node) agree with the IANA rules at
//! daylight-saving transitions, and bad zone names are errors, not traps.
#![cfg(target_arch = "wasm32")]

use nks_edge::schedule::clock::IntlZones;
use nks_edge::schedule::Zones;
use nks_edge::time::parse_rfc3339_ms;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn wall_clock_at_transitions() {
    let zones = IntlZones::default();
    for (zone, instant, want) in [
        (
            "Asia/Seoul",
            "2026-11-26T00:00:00Z",
            "2026-11-26T09:00:00+09:00",
        ),
        (
            "America/New_York",
            "2026-03-08T06:59:00Z",
            "2026-03-08T01:59:00-05:00",
        ),
        (
            "America/New_York",
            "2026-03-08T07:00:00Z",
            "2026-03-08T03:00:00-04:00",
        ),
        (
            "America/New_York",
            "2026-11-01T05:30:00Z",
            "2026-11-01T01:30:00-04:00",
        ),
        (
            "America/New_York",
            "2026-11-01T06:30:00Z",
            "2026-11-01T01:30:00-05:00",
        ),
        (
            "Europe/Berlin",
            "2026-03-29T00:59:00Z",
            "2026-03-29T01:59:00+01:00",
        ),
        (
            "Europe/Berlin",
            "2026-03-29T01:00:00Z",
            "2026-03-29T03:00:00+02:00",
        ),
        (
            "Europe/Berlin",
            "2026-10-25T00:30:00Z",
            "2026-10-25T02:30:00+02:00",
        ),
        (
            "Europe/Berlin",
            "2026-10-25T01:30:00Z",
            "2026-10-25T02:30:00+01:00",
        ),
        (
            "Asia/Seoul",
            "2028-02-29T03:00:00Z",
            "2028-02-29T12:00:00+09:00",
        ),
    ] {
        let at = parse_rfc3339_ms(instant).unwrap();
        assert_eq!(
            zones.local(zone, at).unwrap().rfc3339(at),
            want,
            "{zone} {instant}"
        );
    }
}

#[wasm_bindgen_test]
fn unknown_zones_are_errors() {
    let zones = IntlZones::default();
    assert!(zones.check("Asia/Seoul").is_ok());
    assert_eq!(
        zones.check("Mars/Olympus").unwrap_err(),
        "\"Mars/Olympus\" is not an IANA time zone"
    );
    assert!(zones.local("Mars/Olympus", 0).is_err());
}

#[wasm_bindgen_test]
fn a_bounded_number_of_zones_is_kept() {
    let zones = IntlZones::default();
    let seoul = parse_rfc3339_ms("2026-11-26T00:00:00Z").unwrap();
    // `Intl` takes any case: one zone spelt 40 ways, as policies from elsewhere may.
    let base = "america/argentina/comodrivadavia";
    for i in 0..40u32 {
        let spelt: String = base
            .chars()
            .enumerate()
            .map(|(j, c)| {
                if i & (1 << (j % 31)) != 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        assert!(zones.check(&spelt).is_ok(), "{spelt}");
    }
    assert_eq!(zones.cached(), 16, "the oldest formatters were dropped");
    // A zone dropped from the cache is made again, and answers as before.
    let local = zones.local("Asia/Seoul", seoul).map(|l| l.rfc3339(seoul));
    assert_eq!(local.as_deref(), Ok("2026-11-26T09:00:00+09:00"));
}

/// The last time asked is kept (a tick asks for its instant once per cluster), by
/// zone and instant: another zone or instant is read again.
#[wasm_bindgen_test]
fn the_last_time_asked_is_kept_by_zone_and_instant() {
    let zones = IntlZones::default();
    let at = parse_rfc3339_ms("2026-11-26T00:00:00Z").unwrap();
    let shown = |zone: &str, at: i64| zones.local(zone, at).map(|l| l.rfc3339(at));
    for _ in 0..2 {
        assert_eq!(
            shown("Asia/Seoul", at).as_deref(),
            Ok("2026-11-26T09:00:00+09:00")
        );
        assert_eq!(
            shown("America/New_York", at).as_deref(),
            Ok("2026-11-25T19:00:00-05:00")
        );
        assert_eq!(
            shown("America/New_York", at + 3_600_000).as_deref(),
            Ok("2026-11-25T20:00:00-05:00")
        );
    }
    assert!(
        zones.local("Mars/Olympus", at).is_err(),
        "not from the cache"
    );
}
