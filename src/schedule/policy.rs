//! The scaling policy (`SCALE_POLICY`): its format, parsed and validated as a whole.
//! Every error names the rule and field: `rules[1].when.days: "Mon-Fry" is not a day range`.

use super::clock::{LocalTime, Zones};
pub use super::maintenance::{Maintenance, Version};
use crate::error::FieldError;
use crate::model::read::unknown_field;
use crate::model::{Setting, SettingKind, SETTINGS};
use serde_json::{Map, Value};
use std::fmt;

/// Node counts are within 1..=this unless the policy raises it (`max_node_count`).
pub const DEFAULT_MAX_NODE_COUNT: u32 = 10;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const POLICY_FIELDS: [&str; 4] = ["timezone", "max_node_count", "rules", "maintenance"];
const RULE_FIELDS: [&str; 7] = [
    "name",
    "cluster",
    "nodegroup",
    "timezone",
    "when",
    "autoscale",
    "node_count",
];
const WHEN_FIELDS: [&str; 4] = ["days", "from", "to", "dates"];

/// A validated policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The default time zone of its rules.
    pub timezone: String,
    /// The upper bound of node counts and autoscaler bounds.
    pub max_node_count: u32,
    /// The rules, in order: the first that matches decides.
    pub rules: Vec<Rule>,
    /// Maintenance windows (upgrades, certificate renewal).
    pub maintenance: Vec<Maintenance>,
}

/// One rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Its name (`rules[i]` when none is given).
    pub name: String,
    /// The cluster it applies to (a rule written for several is one `Rule` each).
    pub cluster: String,
    /// The node groups it applies to.
    pub nodegroups: Vec<String>,
    /// The time zone its `when` is read in.
    pub timezone: String,
    /// When it matches; `None`: always.
    pub when: Option<When>,
    /// What it wants.
    pub target: Target,
}

/// When a rule matches. Every part present must match.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct When {
    /// Days of the week, Monday first.
    pub days: Option<[bool; 7]>,
    /// `from`..`to` in minutes since midnight (`to` < `from` crosses midnight; the
    /// part after midnight belongs to the day the window started).
    pub window: Option<(u16, u16)>,
    /// Inclusive ranges of day numbers (days since 1970-01-01).
    pub dates: Vec<(i64, i64)>,
}

/// What a rule wants for its node groups.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// Autoscaler settings (only those given are managed).
    Autoscale(AutoscaleGoal),
    /// A fixed size, through resize (autoscaler off only).
    NodeCount(u32),
}

/// The autoscaler settings a rule manages, in [`SETTINGS`] order, each with its
/// wanted value (a JSON boolean or whole number); settings not listed are left as
/// they are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AutoscaleGoal(pub Vec<(Setting, Value)>);

impl AutoscaleGoal {
    /// The wanted value of the setting named `policy` in a policy (`"min"`).
    pub fn get(&self, policy: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(s, _)| s.policy == policy)
            .map(|(_, v)| v)
    }

    /// Whether the goal turns the autoscaler on (`Some(true)`) or off.
    pub fn enable(&self) -> Option<bool> {
        self.get("enable").and_then(Value::as_bool)
    }

    /// The wanted value of a count setting (`"min"`, `"max"`).
    pub fn count(&self, policy: &str) -> Option<u32> {
        self.get(policy)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    }
}

impl serde::Serialize for AutoscaleGoal {
    /// As the policy writes it: `{"min": 3, "max": 10}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (setting, value) in &self.0 {
            map.serialize_entry(setting.policy, value)?;
        }
        map.end()
    }
}

/// Everything wrong with a policy, each problem at its field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError(pub Vec<FieldError>);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&all.join("; "))
    }
}

impl From<PolicyError> for crate::error::Error {
    /// A `validation` error whose fields are paths in the policy (`policy.rules[1]…`).
    fn from(e: PolicyError) -> Self {
        crate::error::Error::invalid_input(e.0.into_iter().map(|i| i.under("policy")).collect())
    }
}

impl std::error::Error for PolicyError {}

impl When {
    /// The shortest stretch (in wall-clock minutes) this stays open once open: the
    /// window's length, or a whole day.
    pub fn shortest_open_minutes(&self) -> i64 {
        match self.window {
            None => 24 * 60,
            Some((from, to)) => (i64::from(to) - i64::from(from)).rem_euclid(24 * 60),
        }
    }

    /// Whether this matches at the local time `t`.
    pub fn matches(&self, t: &LocalTime) -> bool {
        let day = match self.window {
            None => t.day,
            Some((from, to)) if from < to => {
                if (from..to).contains(&t.minute) {
                    t.day
                } else {
                    return false;
                }
            }
            Some((from, to)) => {
                if t.minute >= from {
                    t.day
                } else if t.minute < to {
                    t.day - 1
                } else {
                    return false;
                }
            }
        };
        let weekday = usize::from(crate::time::weekday(day));
        let day_ok = self
            .days
            .is_none_or(|days| days.get(weekday).copied().unwrap_or(false));
        let date_ok =
            self.dates.is_empty() || self.dates.iter().any(|(a, b)| (*a..=*b).contains(&day));
        day_ok && date_ok
    }
}

impl Policy {
    /// Parses and validates a policy from JSON text.
    pub fn parse(text: &str, zones: &impl Zones) -> Result<Policy, PolicyError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            PolicyError(vec![FieldError::new("", format!("is not valid JSON: {e}"))])
        })?;
        Policy::from_value(&value, zones)
    }

    /// Validates a policy given as JSON.
    pub fn from_value(value: &Value, zones: &impl Zones) -> Result<Policy, PolicyError> {
        let mut errors = Errors(Vec::new());
        let policy = parse_policy(value, zones, &mut errors);
        match policy {
            Some(policy) if errors.0.is_empty() => Ok(policy),
            _ => Err(PolicyError(errors.0)),
        }
    }

    /// The clusters the policy names (rules first, then maintenance), in order of
    /// first appearance.
    pub fn clusters(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let named = self.rules.iter().map(|r| r.cluster.as_str()).chain(
            self.maintenance
                .iter()
                .flat_map(|m| m.clusters.iter().map(String::as_str)),
        );
        for cluster in named {
            if !out.contains(&cluster) {
                out.push(cluster);
            }
        }
        out
    }

    /// Every (cluster, node group) the policy names, in order of first appearance.
    pub fn targets(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for rule in &self.rules {
            for ng in &rule.nodegroups {
                if !out.contains(&(rule.cluster.as_str(), ng.as_str())) {
                    out.push((&rule.cluster, ng));
                }
            }
        }
        out
    }

    /// The rule that decides `(cluster, nodegroup)` at `at_ms`: the first, in list
    /// order, that names it and whose `when` matches. `None`: leave it as it is.
    pub fn rule_at(
        &self,
        cluster: &str,
        nodegroup: &str,
        zones: &impl Zones,
        at_ms: i64,
    ) -> Result<Option<&Rule>, String> {
        let naming = self
            .rules
            .iter()
            .filter(|r| r.cluster == cluster && r.nodegroups.iter().any(|n| n == nodegroup));
        for rule in naming {
            let matched = match &rule.when {
                None => true,
                Some(when) => when.matches(&zones.local(&rule.timezone, at_ms)?),
            };
            if matched {
                return Ok(Some(rule));
            }
        }
        Ok(None)
    }
}

pub(super) struct Errors(pub(super) Vec<FieldError>);

impl Errors {
    pub(super) fn add(&mut self, at: &str, message: impl fmt::Display) {
        self.0.push(FieldError::new(at, message.to_string()));
    }
}

pub(super) fn object<'v>(
    value: &'v Value,
    at: &str,
    known: &[&str],
    errors: &mut Errors,
) -> Option<&'v Map<String, Value>> {
    let Some(map) = value.as_object() else {
        errors.add(at, "must be an object");
        return None;
    };
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        errors.add(&field(at, key), unknown_field(key, known));
    }
    Some(map)
}

pub(super) fn field(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

pub(super) fn whole(
    value: &Value,
    at: &str,
    range: std::ops::RangeInclusive<u32>,
    errors: &mut Errors,
) -> Option<u32> {
    let n = value.as_u64().and_then(|n| u32::try_from(n).ok());
    match n {
        Some(n) if range.contains(&n) => Some(n),
        _ => {
            errors.add(
                at,
                format!(
                    "must be a whole number from {} to {}, got {value}",
                    range.start(),
                    range.end()
                ),
            );
            None
        }
    }
}

pub(super) fn boolean(value: &Value, at: &str, errors: &mut Errors) -> Option<bool> {
    let b = value.as_bool();
    if b.is_none() {
        errors.add(at, format!("must be true or false, got {value}"));
    }
    b
}

pub(super) fn zone(
    value: &Value,
    at: &str,
    zones: &impl Zones,
    errors: &mut Errors,
) -> Option<String> {
    let Some(name) = value.as_str() else {
        errors.add(at, "must be an IANA time zone name such as \"Asia/Seoul\"");
        return None;
    };
    match zones.check(name) {
        Ok(()) => Some(name.to_owned()),
        Err(_) => {
            errors.add(at, format!("{name:?} is not an IANA time zone"));
            None
        }
    }
}

fn parse_policy(value: &Value, zones: &impl Zones, errors: &mut Errors) -> Option<Policy> {
    let map = object(value, "", &POLICY_FIELDS, errors)?;
    let timezone = match map.get("timezone") {
        Some(v) => zone(v, "timezone", zones, errors),
        None => {
            errors.add(
                "timezone",
                "is required (an IANA name such as \"Asia/Seoul\")",
            );
            None
        }
    };
    // A bad bound is reported; the rules are still read (against the default) so that
    // their mistakes are reported with it.
    let max_node_count = map
        .get("max_node_count")
        .and_then(|v| whole(v, "max_node_count", 1..=1000, errors))
        .unwrap_or(DEFAULT_MAX_NODE_COUNT);
    let none = Vec::new();
    let list = match map.get("rules") {
        Some(Value::Array(list)) => list,
        None if map.contains_key("maintenance") => &none,
        _ => {
            errors.add("rules", "is required: a list of rules");
            return None;
        }
    };
    let no_maintenance = map
        .get("maintenance")
        .is_none_or(|m| m.as_array().is_some_and(Vec::is_empty));
    if list.is_empty() && no_maintenance {
        errors.add("rules", "must list at least one rule");
    }
    let timezone = timezone.unwrap_or_default();
    let rules: Vec<Option<Vec<Rule>>> = list
        .iter()
        .enumerate()
        .map(|(i, r)| parse_rule(r, i, &timezone, max_node_count, zones, errors))
        .collect();
    let maintenance = super::maintenance::parse_all(
        map.get("maintenance"),
        &timezone,
        max_node_count,
        zones,
        errors,
    );
    Some(Policy {
        timezone,
        max_node_count,
        rules: rules.into_iter().flatten().flatten().collect(),
        maintenance,
    })
}

/// An entry's `name` (`rules[i]` or `maintenance[i]` when it has none).
pub(super) fn entry_name(map: &Map<String, Value>, at: &str, errors: &mut Errors) -> String {
    match map.get("name") {
        None => at.to_owned(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(_) => {
            errors.add(&field(at, "name"), "must be a non-empty string");
            at.to_owned()
        }
    }
}

/// An entry's `timezone`, or the policy's.
pub(super) fn entry_zone(
    map: &Map<String, Value>,
    at: &str,
    default_zone: &str,
    zones: &impl Zones,
    errors: &mut Errors,
) -> String {
    match map.get("timezone") {
        Some(v) => zone(v, &field(at, "timezone"), zones, errors).unwrap_or_default(),
        None => default_zone.to_owned(),
    }
}

fn parse_rule(
    value: &Value,
    i: usize,
    default_zone: &str,
    max: u32,
    zones: &impl Zones,
    errors: &mut Errors,
) -> Option<Vec<Rule>> {
    let at = format!("rules[{i}]");
    let map = object(value, &at, &RULE_FIELDS, errors)?;
    let start = errors.0.len();
    let name = entry_name(map, &at, errors);
    let clusters = parse_clusters(map.get("cluster"), &field(&at, "cluster"), errors);
    let nodegroups = parse_nodegroups(map.get("nodegroup"), &field(&at, "nodegroup"), errors);
    let timezone = entry_zone(map, &at, default_zone, zones, errors);
    let when = map
        .get("when")
        .and_then(|w| parse_when(w, &field(&at, "when"), errors));
    let target = match (map.get("autoscale"), map.get("node_count")) {
        (Some(_), Some(_)) => {
            errors.add(
                &at,
                "sets both autoscale and node_count: a rule sets one of them",
            );
            None
        }
        (None, None) => {
            errors.add(&at, "sets neither autoscale nor node_count");
            None
        }
        (Some(a), None) => {
            parse_autoscale(a, &field(&at, "autoscale"), max, errors).map(Target::Autoscale)
        }
        (None, Some(n)) => {
            whole(n, &field(&at, "node_count"), 1..=max, errors).map(Target::NodeCount)
        }
    };
    let target = target?;
    // A rule for several clusters is that rule for each, in place (the first matching
    // rule in list order still decides).
    (errors.0.len() == start).then(|| {
        clusters
            .into_iter()
            .map(|cluster| Rule {
                name: name.clone(),
                cluster,
                nodegroups: nodegroups.clone(),
                timezone: timezone.clone(),
                when: when.clone(),
                target: target.clone(),
            })
            .collect()
    })
}

/// A `cluster` field: a name or UUID, or a non-empty list of them, each once.
pub(super) fn parse_clusters(value: Option<&Value>, at: &str, errors: &mut Errors) -> Vec<String> {
    let items: Vec<&Value> = match value {
        Some(Value::String(_)) => value.into_iter().collect(),
        Some(Value::Array(items)) if !items.is_empty() => items.iter().collect(),
        _ => {
            errors.add(at, "is required: a cluster name or UUID, or a list of them");
            return Vec::new();
        }
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        match item.as_str() {
            Some(s) if s.trim().is_empty() => errors.add(at, "cluster names must not be empty"),
            Some(s) if out.iter().any(|o| o == s) => {
                errors.add(at, format!("{s:?} is listed twice"))
            }
            Some(s) => out.push(s.to_owned()),
            None => errors.add(at, "cluster names must be strings"),
        }
    }
    out
}

fn parse_nodegroups(value: Option<&Value>, at: &str, errors: &mut Errors) -> Vec<String> {
    let names: Vec<&Value> = match value {
        Some(Value::String(_)) => value.into_iter().collect(),
        Some(Value::Array(items)) => items.iter().collect(),
        _ => {
            errors.add(at, "is required: a node group name or a list of them");
            return Vec::new();
        }
    };
    if names.is_empty() {
        errors.add(at, "must name at least one node group");
    }
    let mut out: Vec<String> = Vec::new();
    for name in names {
        match name.as_str() {
            Some(s) if s.trim().is_empty() => errors.add(at, "node group names must not be empty"),
            Some("default-master") => errors.add(
                at,
                "\"default-master\" is the control plane: it cannot be scaled",
            ),
            Some(s) if out.iter().any(|o| o == s) => {
                errors.add(at, format!("{s:?} is listed twice"))
            }
            Some(s) => out.push(s.to_owned()),
            None => errors.add(at, format!("{name} is not a node group name")),
        }
    }
    out
}

fn day_index(name: &str) -> Option<usize> {
    let lower = name.trim().to_ascii_lowercase();
    DAY_NAMES.iter().position(|d| lower == *d)
}

/// `Mon-Fri`, `Sat,Sun`, `Fri-Mon` (wrapping), `Mon-Wed,Fri`.
fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    for item in text.split(',') {
        match item.split_once('-') {
            Some((a, b)) => {
                let (Some(from), Some(to)) = (day_index(a), day_index(b)) else {
                    return Err(format!("{:?} is not a day range", item.trim()));
                };
                let mut d = from;
                loop {
                    if let Some(slot) = days.get_mut(d) {
                        *slot = true;
                    }
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => {
                let d = day_index(item).ok_or_else(|| {
                    format!(
                        "{:?} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
                        item.trim()
                    )
                })?;
                if let Some(slot) = days.get_mut(d) {
                    *slot = true;
                }
            }
        }
    }
    Ok(days)
}

/// `HH:MM` in minutes since midnight; `24:00` only as an end.
fn parse_clock(text: &str, end: bool) -> Result<u16, String> {
    let bad = || format!("{text:?} is not a time of day (HH:MM, 00:00 to 23:59)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if end && h == 24 && m == 0 {
        return Ok(1440);
    }
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub(super) fn parse_when(value: &Value, at: &str, errors: &mut Errors) -> Option<When> {
    let map = object(value, at, &WHEN_FIELDS, errors)?;
    let mut when = When::default();
    if map.is_empty() {
        errors.add(
            at,
            "is empty: leave `when` out for a rule that always matches",
        );
    }
    if let Some(days) = map.get("days") {
        match days.as_str().map(parse_days) {
            Some(Ok(set)) => when.days = Some(set),
            Some(Err(why)) => errors.add(&field(at, "days"), why),
            None => errors.add(
                &field(at, "days"),
                "must be a string such as \"Mon-Fri\" or \"Sat,Sun\"",
            ),
        }
    }
    let clock = |key: &str, end: bool, errors: &mut Errors| -> Option<u16> {
        let v = map.get(key)?;
        match v.as_str().map(|s| parse_clock(s, end)) {
            Some(Ok(minutes)) => Some(minutes),
            Some(Err(why)) => {
                errors.add(&field(at, key), why);
                None
            }
            None => {
                errors.add(&field(at, key), "must be a string HH:MM");
                None
            }
        }
    };
    let from = clock("from", false, errors);
    let to = clock("to", true, errors);
    match (map.contains_key("from"), map.contains_key("to")) {
        (true, false) => errors.add(&field(at, "to"), "is required with `from`"),
        (false, true) => errors.add(&field(at, "from"), "is required with `to`"),
        _ => {}
    }
    if let (Some(from), Some(to)) = (from, to) {
        if from == to || (from == 0 && to == 1440) {
            errors.add(
                &field(at, "to"),
                "equals `from`: leave both out for the whole day",
            );
        } else {
            // `24:00` ends at midnight: a window up to 0 that crosses no further.
            when.window = Some((from, to % 1440));
        }
    }
    if let Some(dates) = map.get("dates") {
        let at = field(at, "dates");
        match dates.as_array() {
            Some(list) if !list.is_empty() => {
                for (j, item) in list.iter().enumerate() {
                    let item_at = format!("{at}[{j}]");
                    let Some(text) = item.as_str() else {
                        errors.add(
                            &item_at,
                            "must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
                        );
                        continue;
                    };
                    let (a, b) = text.split_once("..").unwrap_or((text, text));
                    match (crate::time::parse_date(a), crate::time::parse_date(b)) {
                        (Some(a), Some(b)) if a <= b => when.dates.push((a, b)),
                        (Some(_), Some(_)) => {
                            errors.add(&item_at, format!("{text:?} ends before it starts"))
                        }
                        _ => errors.add(
                            &item_at,
                            format!("{text:?} is not a date (YYYY-MM-DD) or a range of dates"),
                        ),
                    }
                }
            }
            _ => errors.add(&at, "must be a non-empty list of dates"),
        }
    }
    Some(when)
}

/// The values a setting may take in a policy.
fn setting_range(setting: &Setting, max: u32) -> std::ops::RangeInclusive<u32> {
    match setting.policy {
        "min" | "max" => 1..=max,
        "scale_down_util_thresh" => 1..=100,
        _ => 1..=1440,
    }
}

fn parse_autoscale(
    value: &Value,
    at: &str,
    max: u32,
    errors: &mut Errors,
) -> Option<AutoscaleGoal> {
    let known: Vec<&str> = SETTINGS.iter().map(|s| s.policy).collect();
    let map = object(value, at, &known, errors)?;
    if map.is_empty() {
        errors.add(
            at,
            "sets nothing: give at least one of enable, min, max, scale_down_*",
        );
        return None;
    }
    let mut goal = AutoscaleGoal::default();
    for setting in &SETTINGS {
        let Some(v) = map.get(setting.policy) else {
            continue;
        };
        let path = field(at, setting.policy);
        let parsed = match setting.kind {
            SettingKind::Flag => boolean(v, &path, errors).map(Value::from),
            SettingKind::Count => {
                whole(v, &path, setting_range(setting, max), errors).map(Value::from)
            }
        };
        if let Some(parsed) = parsed {
            goal.0.push((*setting, parsed));
        }
    }
    let count = |k: &str| goal.get(k).and_then(Value::as_u64);
    if let (Some(lo), Some(hi)) = (count("min"), count("max")) {
        if lo > hi {
            errors.add(&field(at, "min"), format!("{lo} is above max {hi}"));
        }
    }
    Some(goal)
}
