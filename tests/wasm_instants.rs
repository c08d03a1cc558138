//! The runtime's `Intl` (wasm32 under Node) at the edges of time (issue 13): instants
//! beyond JavaScript's range are errors, not exceptions through wasm; years before 1
//! and New Year's Eve in far zones show the right date; every instant of years
//! 0–9999 formats as text that reads back as itself.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use nks_edge::schedule::clock::IntlZones;
use nks_edge::schedule::Zones;
use nks_edge::time::{parse_instant, MAX_INSTANT_MS};
use wasm_bindgen_test::wasm_bindgen_test;

fn shown(zones: &IntlZones, zone: &str, at: i64) -> String {
    zones.local(zone, at).unwrap().rfc3339(at)
}

#[wasm_bindgen_test]
fn instants_beyond_javascripts_range_are_errors() {
    let zones = IntlZones::default();
    for at in [
        10_000_000_000_000_000,
        -10_000_000_000_000_000,
        MAX_INSTANT_MS + 1,
        -MAX_INSTANT_MS - 1,
        i64::MAX,
        i64::MIN,
    ] {
        let err = zones.local("Asia/Seoul", at).unwrap_err();
        assert!(
            err.contains("outside JavaScript's date range"),
            "{at}: {err}"
        );
    }
    // The isolate is intact: the same formatter still answers.
    assert_eq!(
        shown(&zones, "UTC", MAX_INSTANT_MS),
        "+275760-09-13T00:00:00+00:00"
    );
    assert_eq!(
        shown(&zones, "UTC", -MAX_INSTANT_MS),
        "-271821-04-20T00:00:00+00:00"
    );
}

#[wasm_bindgen_test]
fn years_before_one_and_new_years_eve() {
    let zones = IntlZones::default();
    let at = |text: &str| parse_instant(text).unwrap();
    let year_zero = at("0000-01-01T00:00:00Z");
    // Issue 13 showed "0001-01-01T08:27:52+8792:27": Intl writes year 0 as year 1 (BC).
    assert_eq!(
        shown(&zones, "Asia/Seoul", year_zero),
        "0000-01-01T08:27:00+08:27"
    );
    assert_eq!(
        shown(&zones, "America/New_York", year_zero),
        "-000001-12-31T19:04:00-04:56"
    );
    for (zone, instant, want) in [
        (
            "Asia/Seoul",
            "2026-12-31T20:00:00Z",
            "2027-01-01T05:00:00+09:00",
        ),
        (
            "America/New_York",
            "2027-01-01T03:00:00Z",
            "2026-12-31T22:00:00-05:00",
        ),
        (
            "Pacific/Kiritimati",
            "2026-12-31T10:00:00Z",
            "2027-01-01T00:00:00+14:00",
        ),
        (
            "Pacific/Pago_Pago",
            "2027-01-01T10:59:59Z",
            "2026-12-31T23:59:59-11:00",
        ),
    ] {
        assert_eq!(shown(&zones, zone, at(instant)), want, "{zone} {instant}");
    }
}

#[wasm_bindgen_test]
fn every_instant_of_four_digit_years_reads_back() {
    let zones = IntlZones::default();
    let first = parse_instant("0000-01-02T00:00:00Z").unwrap();
    let last = parse_instant("9999-12-30T00:00:00Z").unwrap();
    let span = u64::try_from(last - first).unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for i in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = first + i64::try_from(x % span).unwrap();
        let zone = [
            "Asia/Seoul",
            "America/St_Johns",
            "Asia/Kathmandu",
            "Europe/Dublin",
        ][i % 4];
        let text = shown(&zones, zone, at);
        assert_eq!(
            parse_instant(&text),
            Ok(at.div_euclid(1000) * 1000),
            "{zone} {at}: {text}"
        );
    }
}
