//! The week of a policy: spans of the first matching rule, node-hours against
//! always-at-max, across daylight-saving changes (real elapsed hours), and the SVG.
//! Native only: the time zones come from jiff's bundled database (wasm32 uses Intl).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{at, policy, JiffZones};
use nks_edge::schedule::calendar::{self, parse_date, Calendar, Row};
use nks_edge::schedule::Policy;
use serde_json::json;

fn week(policy: &Policy, date: &str) -> Calendar {
    calendar::week(policy, &JiffZones, parse_date(date).unwrap()).unwrap()
}

fn row<'c>(cal: &'c Calendar, nodegroup: &str) -> &'c Row {
    cal.rows.iter().find(|r| r.nodegroup == nodegroup).unwrap()
}

/// (from, to, rule, max nodes) of each span of a row.
fn spans(row: &Row) -> Vec<(String, String, Option<String>, Option<u32>)> {
    row.spans
        .iter()
        .map(|s| (s.from.clone(), s.to.clone(), s.rule.clone(), s.max_nodes))
        .collect()
}

fn hours_of(cal: &Calendar, nodegroup: &str) -> (f64, f64, Option<u32>, f64) {
    let h = cal
        .node_hours
        .iter()
        .find(|h| h.nodegroup == nodegroup)
        .unwrap();
    (h.allowed, h.always_at_max, h.peak, h.unknown_hours)
}

/// The contract's example policy (section 3).
fn contract_policy() -> Policy {
    policy(json!({
        "timezone": "Asia/Seoul",
        "rules": [
            { "name": "holidays", "cluster": "prod", "nodegroup": "default-worker",
              "when": { "dates": ["2026-12-25", "2027-01-01..2027-01-02"] },
              "autoscale": { "min": 1, "max": 2 } },
            { "name": "business-hours", "cluster": "prod", "nodegroup": ["default-worker", "batch"],
              "when": { "days": "Mon-Fri", "from": "08:30", "to": "19:00" },
              "autoscale": { "enable": true, "min": 3, "max": 10 } },
            { "name": "night-batch", "cluster": "prod", "nodegroup": "batch",
              "when": { "from": "22:00", "to": "06:00" }, "node_count": 4 },
            { "name": "off-hours", "cluster": "prod", "nodegroup": ["default-worker", "batch"],
              "autoscale": { "min": 1, "max": 3 } }
        ]
    }))
}

#[test]
fn an_ordinary_week_has_168_hours_and_the_first_matching_rule_decides() {
    // Any day of the week gives the week: Thursday 2026-11-26 -> Monday 2026-11-23.
    let cal = week(&contract_policy(), "2026-11-26");
    assert_eq!(cal.week, "2026-11-23");
    assert_eq!(cal.timezone, "Asia/Seoul");
    assert_eq!(cal.start, "2026-11-23T00:00:00+09:00");
    assert_eq!(cal.end, "2026-11-30T00:00:00+09:00");
    assert_eq!(cal.hours, 168.0);
    assert!(cal.days.iter().all(|d| d.hours == 24.0));
    assert_eq!(
        cal.rows
            .iter()
            .map(|r| (r.cluster.as_str(), r.nodegroup.as_str()))
            .collect::<Vec<_>>(),
        [("prod", "default-worker"), ("prod", "batch")]
    );

    let worker = spans(row(&cal, "default-worker"));
    let s = |a: &str, b: &str, rule: &str, max: u32| {
        (a.to_owned(), b.to_owned(), Some(rule.to_owned()), Some(max))
    };
    assert_eq!(worker.len(), 11, "{worker:?}");
    assert_eq!(
        worker[..3],
        [
            s(
                "2026-11-23T00:00:00+09:00",
                "2026-11-23T08:30:00+09:00",
                "off-hours",
                3
            ),
            s(
                "2026-11-23T08:30:00+09:00",
                "2026-11-23T19:00:00+09:00",
                "business-hours",
                10
            ),
            s(
                "2026-11-23T19:00:00+09:00",
                "2026-11-24T08:30:00+09:00",
                "off-hours",
                3
            ),
        ]
    );
    assert_eq!(
        worker[10],
        s(
            "2026-11-27T19:00:00+09:00",
            "2026-11-30T00:00:00+09:00",
            "off-hours",
            3
        )
    );
    // 5 × 10.5 h at 10, the other 115.5 h at 3.
    assert_eq!(
        hours_of(&cal, "default-worker"),
        (871.5, 1680.0, Some(10), 0.0)
    );

    // batch: business hours before night-batch before off-hours. Monday 00:00–06:00 is
    // the tail of Sunday night's window.
    let batch = spans(row(&cal, "batch"));
    assert_eq!(
        batch[..3],
        [
            s(
                "2026-11-23T00:00:00+09:00",
                "2026-11-23T06:00:00+09:00",
                "night-batch",
                4
            ),
            // off-hours manages only the bounds: the autoscaler night-batch turned
            // off stays off, at 4 nodes.
            s(
                "2026-11-23T06:00:00+09:00",
                "2026-11-23T08:30:00+09:00",
                "off-hours",
                4
            ),
            s(
                "2026-11-23T08:30:00+09:00",
                "2026-11-23T19:00:00+09:00",
                "business-hours",
                10
            ),
        ]
    );
    // 52.5 h at 10; at 4 the nights (7 × 8 h) and off-hours after them (weekdays
    // 06:00–08:30, weekends 06:00–22:00: 12.5 h + 32 h); at 3 off-hours after
    // business hours, the autoscaler on (weekdays 19:00–22:00: 15 h).
    assert_eq!(
        hours_of(&cal, "batch"),
        (
            525.0 + (56.0 + 12.5 + 32.0) * 4.0 + 15.0 * 3.0,
            1680.0,
            Some(10),
            0.0
        )
    );
    let first = &row(&cal, "batch").spans[0];
    assert_eq!(first.hours, 6.0);
    assert_eq!(
        serde_json::to_value(first.set.as_ref().unwrap()).unwrap(),
        json!({ "nodeCount": 4 })
    );
}

#[test]
fn a_holiday_listed_first_wins_over_business_hours() {
    // Friday 2026-12-25: the holidays rule (max 2) all day, before business-hours.
    let cal = week(&contract_policy(), "2026-12-21");
    let worker = row(&cal, "default-worker");
    let friday: Vec<_> = worker
        .spans
        .iter()
        .filter(|s| s.from.starts_with("2026-12-25"))
        .collect();
    assert_eq!(friday.len(), 1);
    assert_eq!(friday[0].rule.as_deref(), Some("holidays"));
    assert_eq!(friday[0].to, "2026-12-26T00:00:00+09:00");
    assert_eq!(friday[0].hours, 24.0);
    // Mon–Thu 4 × 10.5 h at 10, Friday 24 h at 2, the other 102 h at 3.
    assert_eq!(hours_of(&cal, "default-worker").0, 420.0 + 48.0 + 306.0);
    // batch is not named by the holidays rule: business hours on Friday too.
    assert_eq!(
        hours_of(&cal, "batch").0,
        525.0 + (56.0 + 12.5 + 32.0) * 4.0 + 15.0 * 3.0
    );
}

fn berlin(rules: serde_json::Value) -> Policy {
    policy(json!({ "timezone": "Europe/Berlin", "rules": rules }))
}

#[test]
fn spring_forward_week_has_167_real_hours() {
    // Berlin, Sunday 2026-03-29: 02:00 CET becomes 03:00 CEST.
    let p = berlin(json!([
        { "name": "sunday-early", "cluster": "c", "nodegroup": "w",
          "when": { "days": "Sun", "from": "01:00", "to": "04:00" }, "node_count": 2 },
        { "name": "base", "cluster": "c", "nodegroup": "w", "autoscale": { "enable": true, "max": 5 } }
    ]));
    let cal = week(&p, "2026-03-29");
    assert_eq!(cal.week, "2026-03-23");
    assert_eq!(cal.start, "2026-03-23T00:00:00+01:00");
    assert_eq!(cal.end, "2026-03-30T00:00:00+02:00");
    assert_eq!(cal.hours, 167.0);
    let day_hours: Vec<f64> = cal.days.iter().map(|d| d.hours).collect();
    assert_eq!(day_hours, [24.0, 24.0, 24.0, 24.0, 24.0, 24.0, 23.0]);
    let w = spans(row(&cal, "w"));
    assert_eq!(
        w,
        [
            (
                "2026-03-23T00:00:00+01:00".into(),
                "2026-03-29T01:00:00+01:00".into(),
                Some("base".into()),
                Some(5)
            ),
            (
                "2026-03-29T01:00:00+01:00".into(),
                "2026-03-29T04:00:00+02:00".into(),
                Some("sunday-early".into()),
                Some(2)
            ),
            (
                "2026-03-29T04:00:00+02:00".into(),
                "2026-03-30T00:00:00+02:00".into(),
                Some("base".into()),
                Some(5)
            ),
        ]
    );
    // 01:00–04:00 on the wall clock is 2 real hours that day.
    assert_eq!(row(&cal, "w").spans[1].hours, 2.0);
    // (167 − 2) × 5 + 2 × 2; always-at-max counts the real 167 hours.
    assert_eq!(hours_of(&cal, "w"), (829.0, 835.0, Some(5), 0.0));
    let svg = calendar::svg(&cal);
    assert!(svg.contains("Sun 29 Mar (23 h)"), "{svg}");
    assert!(svg.contains("02:00–03:00 does not exist this day"));
    assert_eq!(svg.matches("does not exist").count(), 1);
}

#[test]
fn fall_back_week_has_169_real_hours() {
    // Berlin, Sunday 2026-10-25: 03:00 CEST becomes 02:00 CET.
    let p = berlin(json!([
        { "name": "sunday-early", "cluster": "c", "nodegroup": "w",
          "when": { "days": "Sun", "from": "01:00", "to": "04:00" }, "node_count": 2 },
        { "name": "base", "cluster": "c", "nodegroup": "w", "autoscale": { "enable": true, "max": 5 } }
    ]));
    let cal = week(&p, "2026-10-19");
    assert_eq!(cal.hours, 169.0);
    assert_eq!(cal.days[6].hours, 25.0);
    let early = &row(&cal, "w").spans[1];
    assert_eq!(early.from, "2026-10-25T01:00:00+02:00");
    assert_eq!(early.to, "2026-10-25T04:00:00+01:00");
    assert_eq!(early.hours, 4.0);
    assert_eq!(
        hours_of(&cal, "w"),
        (165.0 * 5.0 + 8.0, 845.0, Some(5), 0.0)
    );
    let svg = calendar::svg(&cal);
    assert!(svg.contains("Sun 25 Oct (25 h)"));
    assert!(!svg.contains("does not exist"));
}

#[test]
fn new_york_spring_forward_week() {
    // 2026-03-08 02:00 EST -> 03:00 EDT; business hours Mon–Fri 09:00–17:00.
    let p = policy(json!({ "timezone": "America/New_York", "rules": [
        { "name": "day", "cluster": "c", "nodegroup": "w",
          "when": { "days": "Mon-Fri", "from": "09:00", "to": "17:00" }, "autoscale": { "min": 2, "max": 8 } },
        { "name": "night", "cluster": "c", "nodegroup": "w", "autoscale": { "min": 1, "max": 2 } }
    ]}));
    let cal = week(&p, "2026-03-04");
    assert_eq!(cal.week, "2026-03-02");
    assert_eq!(cal.start, "2026-03-02T00:00:00-05:00");
    assert_eq!(cal.end, "2026-03-09T00:00:00-04:00");
    assert_eq!(cal.hours, 167.0);
    // 40 h at 8, 127 h at 2.
    assert_eq!(
        hours_of(&cal, "w"),
        (320.0 + 254.0, 8.0 * 167.0, Some(8), 0.0)
    );
    // The week after is an ordinary one again.
    assert_eq!(week(&p, "2026-03-09").hours, 168.0);
}

#[test]
fn hours_no_rule_decides_carry_the_last_decision_or_count_at_the_peak() {
    let p = policy(json!({ "timezone": "Asia/Seoul", "rules": [
        // Decides only in working hours: the rest of the week keeps its max of 6.
        { "name": "work", "cluster": "c", "nodegroup": "kept",
          "when": { "days": "Mon-Fri", "from": "09:00", "to": "17:00" }, "autoscale": { "min": 2, "max": 6 } },
        // Sets no max: the max in effect before carries on through it.
        { "name": "night-off", "cluster": "c", "nodegroup": "kept",
          "when": { "from": "22:00", "to": "23:00" }, "autoscale": { "scale_down_enable": true } },
        // A date far away: nothing decided within a week, the size is unknown.
        { "name": "launch", "cluster": "c", "nodegroup": "unknown",
          "when": { "dates": ["2027-06-01"] }, "node_count": 7 }
    ]}));
    let cal = week(&p, "2026-11-23");
    let kept = row(&cal, "kept");
    assert_eq!(kept.spans[0].rule, None);
    assert_eq!(
        kept.spans[0].max_nodes,
        Some(6),
        "carried from the Friday before"
    );
    assert!(kept.spans.iter().all(|s| s.max_nodes == Some(6)));
    let night = kept
        .spans
        .iter()
        .find(|s| s.rule.as_deref() == Some("night-off"))
        .unwrap();
    assert_eq!(night.from, "2026-11-23T22:00:00+09:00");
    assert_eq!(night.hours, 1.0);
    assert_eq!(
        hours_of(&cal, "kept"),
        (6.0 * 168.0, 6.0 * 168.0, Some(6), 0.0)
    );

    let unknown = row(&cal, "unknown");
    assert_eq!(unknown.spans.len(), 1);
    assert_eq!(
        (unknown.spans[0].rule.as_ref(), unknown.spans[0].max_nodes),
        (None, None)
    );
    assert_eq!(
        hours_of(&cal, "unknown"),
        (7.0 * 168.0, 7.0 * 168.0, Some(7), 168.0)
    );
}

#[test]
fn a_rule_in_another_zone_changes_at_its_own_half_hour() {
    // 09:00–10:00 in Kolkata (+05:30) is 12:30–13:30 in Seoul (+09:00).
    let p = policy(json!({ "timezone": "Asia/Seoul", "rules": [
        { "name": "india-morning", "cluster": "c", "nodegroup": "w", "timezone": "Asia/Kolkata",
          "when": { "days": "Mon", "from": "09:00", "to": "10:00" }, "node_count": 3 },
        { "name": "base", "cluster": "c", "nodegroup": "w", "node_count": 1 }
    ]}));
    let cal = week(&p, "2026-11-23");
    let w = spans(row(&cal, "w"));
    assert_eq!(w[1].0, "2026-11-23T12:30:00+09:00");
    assert_eq!(w[1].1, "2026-11-23T13:30:00+09:00");
    assert_eq!(w[1].2.as_deref(), Some("india-morning"));
    assert_eq!(hours_of(&cal, "w").0, 167.0 + 3.0);
}

#[test]
fn the_week_of_an_instant_is_read_in_the_policys_zone() {
    let p = contract_policy();
    // Sunday 2026-11-29 20:00 UTC is Monday 05:00 in Seoul: the next week.
    let day = calendar::day_of(&p, &JiffZones, at("2026-11-29T20:00:00Z")).unwrap();
    assert_eq!(
        calendar::week(&p, &JiffZones, day).unwrap().week,
        "2026-11-30"
    );
    for bad in [
        "2026-02-30",
        "2026-1-01",
        "26-01-01",
        "2026-01-01T00:00",
        "next week",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn the_svg_escapes_names_and_labels_each_rule() {
    let p = policy(json!({ "timezone": "Asia/Seoul", "rules": [
        { "name": "peak <b>&\"co\"", "cluster": "prod<1>", "nodegroup": "w&x",
          "when": { "days": "Mon-Fri", "from": "08:00", "to": "20:00" }, "autoscale": { "enable": true, "min": 3, "max": 10 } },
        { "name": "rest", "cluster": "prod<1>", "nodegroup": "w&x", "node_count": 2 }
    ]}));
    let cal = week(&p, "2026-11-23");
    let svg = calendar::svg(&cal);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert!(!svg.contains("<b>") && !svg.contains("prod<1>") && !svg.contains("w&x"));
    assert!(svg.contains("peak &lt;b&gt;&amp;&quot;co&quot;: autoscale 3–10 (on)"));
    assert!(svg.contains("prod&lt;1&gt; / w&amp;x"));
    assert!(svg.contains("rest: 2 nodes (autoscaler off)"));
    // Node-hours under the row's name: 60 h at 10 + 108 h at 2 of 168 h at 10.
    assert!(svg.contains("816 of 1680 node-h"), "{svg}");
    // Each weekday's 12-hour bar is wide enough for the size it sets.
    assert_eq!(
        svg.matches(">3–10</text>").count() + svg.matches("· 3–10</text>").count(),
        5
    );
    // Light and dark.
    assert!(svg.contains("prefers-color-scheme:dark"));
    assert!(!svg.contains("does not exist"));
}

/// A rule changes only what it says: one that turns the autoscaler back on without a
/// `max` lets it grow to the `max` an earlier rule left (10), not to the fixed size
/// before it (2); one that turns it off without a size keeps at most its last `max`.
#[test]
fn the_most_nodes_follow_what_each_rule_leaves_on_or_off() {
    let p = policy(json!({ "timezone": "UTC", "rules": [
        { "name": "night", "cluster": "c", "nodegroup": "w",
          "when": { "from": "22:00", "to": "06:00" }, "node_count": 2 },
        { "name": "day", "cluster": "c", "nodegroup": "w",
          "when": { "days": "Mon-Fri", "from": "08:00", "to": "18:00" },
          "autoscale": { "enable": true, "min": 1, "max": 10 } },
        { "name": "evening", "cluster": "c", "nodegroup": "w",
          "when": { "days": "Mon-Fri", "from": "18:00", "to": "22:00" },
          "autoscale": { "enable": false } },
        { "name": "rest", "cluster": "c", "nodegroup": "w", "autoscale": { "enable": true, "min": 1 } }
    ]}));
    let cal = week(&p, "2026-11-23");
    let w = spans(row(&cal, "w"));
    let at = |from: &str| {
        w.iter()
            .find(|s| s.0 == from)
            .map(|s| (s.2.clone().unwrap_or_default(), s.3))
    };
    assert_eq!(
        at("2026-11-23T00:00:00+00:00"),
        Some(("night".into(), Some(2)))
    );
    assert_eq!(
        at("2026-11-23T06:00:00+00:00"),
        Some(("rest".into(), Some(10)))
    );
    assert_eq!(
        at("2026-11-23T08:00:00+00:00"),
        Some(("day".into(), Some(10)))
    );
    assert_eq!(
        at("2026-11-23T18:00:00+00:00"),
        Some(("evening".into(), Some(10)))
    );
    assert_eq!(hours_of(&cal, "w").3, 0.0, "nothing unknown");
}

/// A rule written for several clusters draws a row per cluster and is one entry of
/// the legend, in one colour.
#[test]
fn a_rule_for_several_clusters_is_one_legend_entry() {
    let p = policy(json!({"timezone": "Asia/Seoul", "rules": [
        {"name": "fleet", "cluster": ["prod", "dev"], "nodegroup": "w",
         "when": {"days": "Mon-Fri"}, "autoscale": {"enable": true, "min": 2, "max": 4}},
        {"name": "weekend", "cluster": ["prod", "dev"], "nodegroup": "w", "node_count": 1}]}));
    let cal = week(&p, "2026-11-26");
    let rows: Vec<(&str, &str)> = cal
        .rows
        .iter()
        .map(|r| (r.cluster.as_str(), r.nodegroup.as_str()))
        .collect();
    assert_eq!(rows, [("prod", "w"), ("dev", "w")]);
    let legend: Vec<&str> = cal.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(legend, ["fleet", "weekend"]);
    // Two colours, one per legend entry: the dev row's spans are drawn in the colours
    // of the prod row's (not in a third and fourth).
    let svg = calendar::svg(&cal);
    assert!(svg.contains("#4e79a7") && svg.contains("#f28e2b"), "{svg}");
    assert!(
        !svg.contains("#59a14f") && !svg.contains("#e15759"),
        "{svg}"
    );
}
