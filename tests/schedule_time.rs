//! Which rule decides at which instant: windows, weeks, dates, time zones and
//! daylight-saving transitions (America/New_York, Europe/Berlin), table-driven.
//! Native only: the time zones come from jiff's bundled database (wasm32 uses Intl).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{at, policy, JiffZones};
use nks_edge::schedule::{Policy, Zones};
use serde_json::json;

fn seoul() -> Policy {
    policy(json!({"timezone": "Asia/Seoul", "rules": [
        {"name": "holidays", "cluster": "prod", "nodegroup": "w",
         "when": {"dates": ["2026-12-25", "2027-01-01..2027-01-02"]}, "autoscale": {"min": 1, "max": 2}},
        {"name": "business", "cluster": "prod", "nodegroup": ["w", "batch"],
         "when": {"days": "Mon-Fri", "from": "08:30", "to": "19:00"}, "autoscale": {"enable": true, "min": 3, "max": 10}},
        {"name": "night", "cluster": "prod", "nodegroup": "w",
         "when": {"days": "Fri-Mon", "from": "22:00", "to": "06:00"}, "autoscale": {"min": 2, "max": 4}},
        {"name": "leap", "cluster": "prod", "nodegroup": "w", "when": {"dates": ["2028-02-29"]}, "node_count": 5},
        {"name": "off", "cluster": "prod", "nodegroup": "w", "autoscale": {"min": 1, "max": 3}}
    ]}))
}

fn decided(policy: &Policy, nodegroup: &str, instant: &str) -> Option<String> {
    policy
        .rule_at("prod", nodegroup, &JiffZones, at(instant))
        .unwrap()
        .map(|r| r.name.clone())
}

#[test]
fn weekday_windows_weeks_dates_and_the_fallback_in_seoul() {
    let p = seoul();
    for (instant, want) in [
        ("2026-11-26T09:00:00+09:00", "business"), // Thursday
        ("2026-11-26T00:00:00Z", "business"),      // the same instant, in UTC
        ("2026-11-26T08:29:59+09:00", "off"),      // before the window
        ("2026-11-26T08:30:00+09:00", "business"), // `from` is inclusive
        ("2026-11-26T19:00:00+09:00", "off"),      // `to` is exclusive
        ("2026-11-27T23:00:00+09:00", "night"),    // Friday night, before midnight
        ("2026-11-28T03:00:00+09:00", "night"),    // after midnight: Friday's window
        ("2026-11-28T06:00:00+09:00", "off"),      // the window's end
        ("2026-11-30T05:59:00+09:00", "night"),    // Monday early: Sunday's window
        ("2026-12-01T05:00:00+09:00", "night"),    // Tuesday early: Monday's window (Fri-Mon wraps)
        ("2026-12-02T05:00:00+09:00", "off"),      // Wednesday early: Tuesday's window, not Fri-Mon
        ("2026-11-28T12:00:00+09:00", "off"),      // Saturday noon
        ("2026-12-25T10:00:00+09:00", "holidays"), // a Friday: dates come first by order
        ("2027-01-02T12:00:00+09:00", "holidays"), // a range includes its end
        ("2027-01-03T12:00:00+09:00", "off"),
        ("2028-02-29T12:00:00+09:00", "business"), // leap day, but business is earlier
        ("2028-02-29T20:00:00+09:00", "leap"),
        ("2028-03-01T20:00:00+09:00", "off"),
    ] {
        assert_eq!(
            decided(&p, "w", instant).as_deref(),
            Some(want),
            "{instant}"
        );
    }
    assert_eq!(
        decided(&p, "batch", "2026-11-26T09:00:00+09:00").as_deref(),
        Some("business")
    );
    assert_eq!(
        decided(&p, "batch", "2026-11-28T12:00:00+09:00"),
        None,
        "no rule: leave it"
    );
    assert_eq!(decided(&p, "unknown", "2026-11-26T09:00:00+09:00"), None);
}

fn dst(zone: &str) -> Policy {
    policy(json!({"timezone": zone, "rules": [
        {"name": "early", "cluster": "prod", "nodegroup": "w", "when": {"from": "02:30", "to": "04:00"}, "autoscale": {"min": 2}},
        {"name": "repeat", "cluster": "prod", "nodegroup": "w", "when": {"from": "01:00", "to": "01:45"}, "autoscale": {"min": 3}},
        {"name": "rest", "cluster": "prod", "nodegroup": "w", "autoscale": {"min": 1}}
    ]}))
}

#[test]
fn daylight_saving_in_new_york() {
    let p = dst("America/New_York");
    for (instant, want) in [
        // Spring forward, 2026-03-08: 02:00 EST becomes 03:00 EDT; 02:30 never happens,
        // so the 02:30 window starts at 03:00, the first wall time that exists.
        ("2026-03-08T06:59:00Z", "rest"),  // 01:59 EST
        ("2026-03-08T07:00:00Z", "early"), // 03:00 EDT
        ("2026-03-08T07:59:00Z", "early"), // 03:59 EDT
        ("2026-03-08T08:00:00Z", "rest"),  // 04:00 EDT
        // Fall back, 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:00-01:45 happens twice
        // and matches both times.
        ("2026-11-01T05:30:00Z", "repeat"), // 01:30 EDT
        ("2026-11-01T05:50:00Z", "rest"),   // 01:50 EDT
        ("2026-11-01T06:30:00Z", "repeat"), // 01:30 EST, the second time
        ("2026-11-01T07:30:00Z", "early"),  // 02:30 EST
    ] {
        assert_eq!(
            decided(&p, "w", instant).as_deref(),
            Some(want),
            "{instant}"
        );
    }
}

#[test]
fn daylight_saving_in_berlin() {
    let p = dst("Europe/Berlin");
    for (instant, want) in [
        // Spring forward, 2026-03-29: 02:00 CET becomes 03:00 CEST.
        ("2026-03-29T00:59:00Z", "rest"),  // 01:59 CET
        ("2026-03-29T01:00:00Z", "early"), // 03:00 CEST
        ("2026-03-29T02:00:00Z", "rest"),  // 04:00 CEST
        // Fall back, 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
        ("2026-10-25T00:30:00Z", "early"),  // 02:30 CEST
        ("2026-10-25T01:30:00Z", "early"),  // 02:30 CET
        ("2026-10-24T23:30:00Z", "repeat"), // 01:30 CEST
    ] {
        assert_eq!(
            decided(&p, "w", instant).as_deref(),
            Some(want),
            "{instant}"
        );
    }
}

#[test]
fn instants_are_written_in_the_policys_zone() {
    for (zone, instant, want) in [
        (
            "Asia/Seoul",
            "2026-11-26T00:00:00Z",
            "2026-11-26T09:00:00+09:00",
        ),
        (
            "America/New_York",
            "2026-03-08T07:00:00Z",
            "2026-03-08T03:00:00-04:00",
        ),
        (
            "America/New_York",
            "2026-03-08T06:59:00Z",
            "2026-03-08T01:59:00-05:00",
        ),
        (
            "Europe/Berlin",
            "2026-10-25T01:30:00Z",
            "2026-10-25T02:30:00+01:00",
        ),
        (
            "Europe/Berlin",
            "2026-10-25T00:30:00Z",
            "2026-10-25T02:30:00+02:00",
        ),
    ] {
        let local = JiffZones.local(zone, at(instant)).unwrap();
        assert_eq!(local.rfc3339(at(instant)), want);
    }
}

#[test]
fn a_rule_can_use_its_own_time_zone() {
    let p = policy(json!({"timezone": "Asia/Seoul", "rules": [
        {"name": "ny-hours", "cluster": "prod", "nodegroup": "w", "timezone": "America/New_York",
         "when": {"days": "Mon-Fri", "from": "09:00", "to": "17:00"}, "autoscale": {"min": 4}},
        {"name": "rest", "cluster": "prod", "nodegroup": "w", "autoscale": {"min": 1}}
    ]}));
    // 10:00 in New York on Thursday is 00:00 Friday in Seoul.
    assert_eq!(
        decided(&p, "w", "2026-11-26T10:00:00-05:00").as_deref(),
        Some("ny-hours")
    );
    assert_eq!(
        decided(&p, "w", "2026-11-26T09:00:00+09:00").as_deref(),
        Some("rest")
    );
}
