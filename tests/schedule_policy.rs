//! Policy validation: each kind of mistake gives its message, naming rule and field.
//! Native only: the time zones come from jiff's bundled database (wasm32 uses Intl).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{policy, JiffZones};
use nks_edge::schedule::Policy;
use serde_json::{json, Value};

/// A valid one-rule policy, with `rule` merged into its rule.
fn with_rule(rule: Value) -> Value {
    let mut base = json!({"name": "r", "cluster": "prod", "nodegroup": "w", "autoscale": {"min": 1, "max": 3}});
    for (k, v) in rule.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    json!({"timezone": "Asia/Seoul", "rules": [{"cluster": "prod", "nodegroup": "x", "node_count": 2}, base]})
}

fn errors(policy: &Value) -> Vec<String> {
    Policy::from_value(policy, &JiffZones)
        .expect_err("should be refused")
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_contracts_example_is_valid() {
    let example = json!({
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
    });
    let policy = Policy::from_value(&example, &JiffZones).unwrap();
    assert_eq!(policy.rules.len(), 4);
    assert_eq!(
        policy.targets(),
        [("prod", "default-worker"), ("prod", "batch")]
    );
    assert_eq!(policy.max_node_count, 10);
}

#[test]
fn each_mistake_names_its_rule_and_field() {
    for (rule, want) in [
        (json!({"when": {"days": "Mon-Fry"}}), r#"rules[1].when.days: "Mon-Fry" is not a day range"#),
        (json!({"when": {"days": "Sat,Sux"}}), r#"rules[1].when.days: "Sux" is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"#),
        (json!({"when": {"from": "8:30", "to": "19:00"}}), r#"rules[1].when.from: "8:30" is not a time of day (HH:MM, 00:00 to 23:59)"#),
        (json!({"when": {"from": "08:30", "to": "25:00"}}), r#"rules[1].when.to: "25:00" is not a time of day (HH:MM, 00:00 to 23:59)"#),
        (json!({"when": {"from": "08:30"}}), "rules[1].when.to: is required with `from`"),
        (json!({"when": {"from": "08:30", "to": "08:30"}}), "rules[1].when.to: equals `from`: leave both out for the whole day"),
        (json!({"when": {"dates": ["2026-02-30"]}}), r#"rules[1].when.dates[0]: "2026-02-30" is not a date (YYYY-MM-DD) or a range of dates"#),
        (json!({"when": {"dates": ["2027-01-02..2027-01-01"]}}), r#"rules[1].when.dates[0]: "2027-01-02..2027-01-01" ends before it starts"#),
        (json!({"when": {"dates": []}}), "rules[1].when.dates: must be a non-empty list of dates"),
        (json!({"when": {}}), "rules[1].when: is empty: leave `when` out for a rule that always matches"),
        (json!({"when": {"day": "Mon"}}), r#"rules[1].when.day: unknown field (did you mean "days"?)"#),
        (json!({"nodegroups": ["w"]}), r#"rules[1].nodegroups: unknown field (did you mean "nodegroup"?)"#),
        (json!({"colour": "red"}), "rules[1].colour: unknown field (known: name, cluster, nodegroup, timezone, when, autoscale, node_count)"),
        (json!({"timezone": "Mars/Olympus"}), r#"rules[1].timezone: "Mars/Olympus" is not an IANA time zone"#),
        (json!({"autoscale": {"min": 4, "max": 3}}), "rules[1].autoscale.min: 4 is above max 3"),
        (json!({"autoscale": {"max": 11}}), "rules[1].autoscale.max: must be a whole number from 1 to 10, got 11"),
        (json!({"autoscale": {"min": 0}}), "rules[1].autoscale.min: must be a whole number from 1 to 10, got 0"),
        (json!({"autoscale": {"enable": "yes"}}), r#"rules[1].autoscale.enable: must be true or false, got "yes""#),
        (json!({"autoscale": {"scale_down_util_thresh": 150}}), "rules[1].autoscale.scale_down_util_thresh: must be a whole number from 1 to 100, got 150"),
        (json!({"autoscale": {}}), "rules[1].autoscale: sets nothing: give at least one of enable, min, max, scale_down_*"),
        (json!({"autoscale": {"mni": 1}}), r#"rules[1].autoscale.mni: unknown field (did you mean "min"?)"#),
        (json!({"node_count": 4}), "rules[1]: sets both autoscale and node_count: a rule sets one of them"),
        (json!({"autoscale": null}), "rules[1]: sets neither autoscale nor node_count"),
        (json!({"autoscale": null, "node_count": 11}), "rules[1].node_count: must be a whole number from 1 to 10, got 11"),
        (json!({"nodegroup": []}), "rules[1].nodegroup: must name at least one node group"),
        (json!({"nodegroup": ["w", "w"]}), r#"rules[1].nodegroup: "w" is listed twice"#),
        (json!({"nodegroup": "default-master"}), r#"rules[1].nodegroup: "default-master" is the control plane: it cannot be scaled"#),
        (json!({"nodegroup": null}), "rules[1].nodegroup: is required: a node group name or a list of them"),
        (json!({"cluster": ""}), "rules[1].cluster: cluster names must not be empty"),
        (json!({"cluster": null}), "rules[1].cluster: is required: a cluster name or UUID, or a list of them"),
        (json!({"cluster": []}), "rules[1].cluster: is required: a cluster name or UUID, or a list of them"),
        (json!({"cluster": ["a", "a"]}), r#"rules[1].cluster: "a" is listed twice"#),
    ] {
        let got = errors(&with_rule(rule.clone()));
        assert_eq!(got, vec![want.to_owned()], "for {rule}");
    }
}

#[test]
fn policy_level_mistakes_and_raised_bounds() {
    assert_eq!(
        errors(&json!({"rules": []})),
        [
            "timezone: is required (an IANA name such as \"Asia/Seoul\")",
            "rules: must list at least one rule"
        ]
    );
    assert_eq!(
        errors(&json!({"timezone": "Asia/Seoul"})),
        ["rules: is required: a list of rules"]
    );
    assert_eq!(
        errors(&json!({"timezone": "Asia/Seoul", "timezon": "x", "rules": []})),
        [
            "timezon: unknown field (did you mean \"timezone\"?)",
            "rules: must list at least one rule"
        ]
    );
    let raised = json!({"timezone": "Asia/Seoul", "max_node_count": 20,
        "rules": [{"cluster": "prod", "nodegroup": "w", "autoscale": {"min": 12, "max": 20}}]});
    assert_eq!(
        Policy::from_value(&raised, &JiffZones).unwrap().rules[0].name,
        "rules[0]"
    );
    assert!(Policy::parse("{not json", &JiffZones)
        .unwrap_err()
        .to_string()
        .starts_with("is not valid JSON"));
}

#[test]
fn every_mistake_is_reported_at_once() {
    let policy = json!({"timezone": "Asia/Seoul", "rules": [
        {"cluster": "prod", "nodegroup": "w", "when": {"days": "Mon-Fry"}, "autoscale": {"min": 1}},
        {"cluster": "prod", "nodegroup": "w", "node_count": 0}
    ]});
    assert_eq!(
        errors(&policy),
        [
            r#"rules[0].when.days: "Mon-Fry" is not a day range"#,
            "rules[1].node_count: must be a whole number from 1 to 10, got 0"
        ]
    );
}

/// A valid policy with one maintenance entry, `entry` merged into it.
fn with_maintenance(entry: Value) -> Value {
    let mut base = json!({"name": "m", "cluster": "prod",
        "when": {"days": "Sat", "from": "02:00", "to": "06:00"},
        "kube_version": "v1.31.4",
        "upgrade": {"num_buffer_nodes": 1, "num_max_unavailable_nodes": 1},
        "renew_certificates": {"days_before_expiry": 30, "term_of_validity": 5}});
    for (k, v) in entry.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    json!({"timezone": "Asia/Seoul", "maintenance": [base]})
}

#[test]
fn the_contracts_maintenance_example_is_valid_without_rules() {
    let policy = Policy::from_value(&with_maintenance(json!({})), &JiffZones).unwrap();
    let m = &policy.maintenance[0];
    assert_eq!(m.clusters, ["prod"]);
    assert_eq!(m.kube_version.unwrap().to_string(), "v1.31.4");
    assert_eq!(m.upgrade.num_buffer_nodes, Some(1));
    assert_eq!(m.renew_certificates.unwrap().term_of_validity, 5);
    assert_eq!(policy.clusters(), ["prod"]);
    assert!(policy.rules.is_empty());
}

#[test]
fn each_maintenance_mistake_names_its_entry_and_field() {
    for (entry, want) in [
        (json!({"kube_version": "1.31"}), r#"maintenance[0].kube_version: must be a Kubernetes version such as "v1.31.4""#),
        (json!({"kube_version": 131}), r#"maintenance[0].kube_version: must be a Kubernetes version such as "v1.31.4""#),
        (json!({"cluster": []}), "maintenance[0].cluster: is required: a cluster name or UUID, or a list of them"),
        (json!({"cluster": ["prod", "prod"]}), r#"maintenance[0].cluster: "prod" is listed twice"#),
        (json!({"when": null}), "maintenance[0].when: is required: the window in which maintenance may start"),
        (json!({"when": {"days": "Sot"}}), r#"maintenance[0].when.days: "Sot" is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"#),
        (json!({"timezone": "Mars/Olympus"}), r#"maintenance[0].timezone: "Mars/Olympus" is not an IANA time zone"#),
        (json!({"name": ""}), "maintenance[0].name: must be a non-empty string"),
        (json!({"upgrade": {"num_buffer_nodes": 11}}), "maintenance[0].upgrade.num_buffer_nodes: must be a whole number from 0 to 10, got 11"),
        (json!({"upgrade": {"num_max_unavailable_nodes": 0}}), "maintenance[0].upgrade.num_max_unavailable_nodes: must be a whole number from 1 to 10, got 0"),
        (json!({"upgrade": {"buffer": 1}}), "maintenance[0].upgrade.buffer: unknown field (known: num_buffer_nodes, num_max_unavailable_nodes)"),
        (json!({"kube_version": null, "renew_certificates": null, "upgrade": null}), "maintenance[0]: sets neither kube_version nor renew_certificates: give at least one"),
        (json!({"kube_version": null}), "maintenance[0].upgrade: needs kube_version"),
        (json!({"renew_certificates": {"days_before_expiry": 30, "term_of_validity": 6}}), "maintenance[0].renew_certificates.term_of_validity: must be a whole number from 1 to 5, got 6"),
        (json!({"renew_certificates": {"term_of_validity": 1}}), "maintenance[0].renew_certificates.days_before_expiry: is required"),
        (json!({"renew_certificates": {"days_before_expiry": 365, "term_of_validity": 1}}), "maintenance[0].renew_certificates.days_before_expiry: 365 days is not shorter than the renewed term (1 year): every renewal would be due again at once"),
        (json!({"renew_certificates": {"days_before_expiry": 0, "term_of_validity": 1}}), "maintenance[0].renew_certificates.days_before_expiry: must be a whole number from 1 to 1830, got 0"),
        (json!({"colour": 1}), "maintenance[0].colour: unknown field (known: name, cluster, timezone, when, kube_version, upgrade, renew_certificates)"),
    ] {
        let got = errors(&with_maintenance(entry.clone()));
        assert_eq!(got, vec![want.to_owned()], "for {entry}");
    }
    assert_eq!(
        errors(&json!({"timezone": "UTC", "maintenance": {}})),
        ["maintenance: must be a list of maintenance entries"]
    );
}

#[test]
fn overlapping_windows_for_one_cluster_are_refused() {
    let entry = |cluster: Value, when: Value, tz: &str| json!({"cluster": cluster, "when": when, "timezone": tz, "kube_version": "v1.31.4"});
    let both = |a: Value, b: Value| json!({"timezone": "Asia/Seoul", "maintenance": [a, b]});
    let sat = json!({"days": "Sat", "from": "02:00", "to": "06:00"});
    // Same cluster, overlapping hours.
    let got = errors(&both(
        entry(json!("prod"), sat.clone(), "Asia/Seoul"),
        entry(
            json!(["dev", "prod"]),
            json!({"days": "Sat", "from": "05:00", "to": "07:00"}),
            "Asia/Seoul",
        ),
    ));
    assert_eq!(
        got,
        [
            r#"maintenance[1].when: overlaps maintenance[0] ("maintenance[0]") for cluster "prod": one maintenance at a time per cluster"#
        ]
    );
    // The same hours in another zone: Friday 17:00-21:00 UTC is Saturday 02:00-06:00 in Seoul.
    assert_eq!(
        errors(&both(
            entry(json!("prod"), sat.clone(), "Asia/Seoul"),
            entry(
                json!("prod"),
                json!({"days": "Fri", "from": "20:00", "to": "22:00"}),
                "UTC"
            ),
        ))
        .len(),
        1
    );
    // Zones that change their clocks on different dates: New York is on summer time
    // from the second Sunday of March, Berlin from the last; in between, Saturday
    // 02:00-03:00 in New York is 07:00-08:00 in Berlin (open together at
    // 2027-03-20T06:30Z), which no winter or summer offsets alone show.
    assert_eq!(
        errors(&both(
            entry(
                json!("prod"),
                json!({"days": "Sat", "from": "02:00", "to": "03:00"}),
                "America/New_York"
            ),
            entry(
                json!("prod"),
                json!({"days": "Sat", "from": "07:00", "to": "08:00"}),
                "Europe/Berlin"
            ),
        ))
        .len(),
        1
    );
    // Windows that cross midnight spill into the next day.
    assert_eq!(
        errors(&both(
            entry(
                json!("prod"),
                json!({"days": "Fri", "from": "23:00", "to": "03:00"}),
                "Asia/Seoul"
            ),
            entry(json!("prod"), sat.clone(), "Asia/Seoul"),
        ))
        .len(),
        1
    );
    // Apart: adjacent hours, other clusters, other dates.
    for (a, b) in [
        (
            entry(json!("prod"), sat.clone(), "Asia/Seoul"),
            entry(
                json!("prod"),
                json!({"days": "Sat", "from": "06:00", "to": "08:00"}),
                "Asia/Seoul",
            ),
        ),
        (
            entry(json!("prod"), sat.clone(), "Asia/Seoul"),
            entry(json!("dev"), sat.clone(), "Asia/Seoul"),
        ),
        (
            entry(
                json!("prod"),
                json!({"dates": ["2026-12-05"]}),
                "Asia/Seoul",
            ),
            entry(
                json!("prod"),
                json!({"dates": ["2026-12-12"]}),
                "Asia/Seoul",
            ),
        ),
    ] {
        assert!(
            Policy::from_value(&both(a.clone(), b.clone()), &JiffZones).is_ok(),
            "{a} {b}"
        );
    }
}

/// The next window is found whatever minute the search starts at, even a window shorter
/// than the search's coarse steps (10 minutes here, against steps of 15).
#[test]
fn a_short_window_is_found_from_every_starting_minute() {
    let policy = Policy::from_value(
        &json!({"timezone": "Asia/Seoul", "maintenance": [{
            "cluster": "prod", "when": {"days": "Sat", "from": "02:05", "to": "02:15"},
            "kube_version": "v1.31.4"}]}),
        &JiffZones,
    )
    .unwrap();
    let window = &policy.maintenance[0];
    // Saturday 2026-11-28 02:05 in Seoul.
    let opens = common::at("2026-11-28T02:05:00+09:00");
    let thursday = common::at("2026-11-26T10:00:00+09:00");
    for minute in 0..15 {
        let from = thursday + minute * 60_000;
        assert_eq!(
            window.next_open(&JiffZones, from, 14),
            Some(opens),
            "from +{minute} min"
        );
    }
}

/// Times and dates are digits only (a sign parsed as a number ran `+9:00` at 09:00 and
/// `+202-01-01` in the year 202); a bad `max_node_count` does not hide the rules'
/// mistakes; a policy of nothing is refused.
#[test]
fn signs_bad_bounds_and_empty_policies_are_mistakes() {
    let got = errors(&with_rule(
        json!({"when": {"from": "+9:00", "to": "10:00", "dates": ["+202-01-01"]}}),
    ));
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].contains(r#""+9:00" is not a time of day"#),
        "{got:?}"
    );
    assert!(got[1].contains(r#""+202-01-01" is not a date"#), "{got:?}");
    let got = errors(&json!({"timezone": "UTC", "max_node_count": 0,
        "rules": [{"cluster": "", "nodegroup": "w", "node_count": 99}]}));
    assert!(
        got.iter().any(|e| e.starts_with("max_node_count")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|e| e.starts_with("rules[0].cluster")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|e| e.starts_with("rules[0].node_count")),
        "{got:?}"
    );
    assert_eq!(
        errors(&json!({"timezone": "UTC", "rules": [], "maintenance": []})),
        ["rules: must list at least one rule"]
    );
}

/// A rule for a list of clusters is that rule for each, in place: a fleet's policy
/// stays within a Worker variable's 5 KB.
#[test]
fn a_rule_for_several_clusters_is_that_rule_for_each() {
    let listed = policy(json!({"timezone": "Asia/Seoul", "rules": [
        {"name": "first", "cluster": "prod", "nodegroup": "w", "node_count": 2},
        {"name": "fleet", "cluster": ["prod", "dev", "stage"], "nodegroup": ["w", "x"], "node_count": 3},
        {"name": "last", "cluster": "dev", "nodegroup": "y", "node_count": 4}]}));
    let one_each = policy(json!({"timezone": "Asia/Seoul", "rules": [
        {"name": "first", "cluster": "prod", "nodegroup": "w", "node_count": 2},
        {"name": "fleet", "cluster": "prod", "nodegroup": ["w", "x"], "node_count": 3},
        {"name": "fleet", "cluster": "dev", "nodegroup": ["w", "x"], "node_count": 3},
        {"name": "fleet", "cluster": "stage", "nodegroup": ["w", "x"], "node_count": 3},
        {"name": "last", "cluster": "dev", "nodegroup": "y", "node_count": 4}]}));
    assert_eq!(listed, one_each);
    assert_eq!(listed.clusters(), ["prod", "dev", "stage"]);
}
