//! Maintenance windows in a policy: [`Maintenance`] entries (upgrades one minor
//! version at a time, certificate renewal), validated with the rest of the policy.
//! Errors name the entry and field: `maintenance[0].kube_version: …`.

use super::clock::Zones;
use super::policy::{
    entry_name, entry_zone, field, object, parse_clusters, parse_when, whole, Errors, When,
};
use serde_json::Value;
use std::fmt;

const FIELDS: [&str; 7] = [
    "name",
    "cluster",
    "timezone",
    "when",
    "kube_version",
    "upgrade",
    "renew_certificates",
];
const UPGRADE_FIELDS: [&str; 2] = ["num_buffer_nodes", "num_max_unavailable_nodes"];
const RENEW_FIELDS: [&str; 2] = ["days_before_expiry", "term_of_validity"];
const DAY_MS: i64 = 86_400_000;

/// A Kubernetes version `v1.31.4`, ordered by its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl Version {
    /// Reads `v1.31.4` (the `v` is optional); `None` for anything else.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let digits = text.strip_prefix('v').unwrap_or(text);
        let mut parts = digits.split('.');
        let mut number = || -> Option<u32> {
            let p = parts.next()?;
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse().ok()
        };
        let version = Version {
            major: number()?,
            minor: number()?,
            patch: number()?,
        };
        parts.next().is_none().then_some(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// How an upgrade replaces worker nodes (both optional: the API's defaults are 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpgradeOptions {
    /// `num_buffer_nodes`: extra nodes started during the upgrade.
    pub num_buffer_nodes: Option<u32>,
    /// `num_max_unavailable_nodes`: nodes drained at once.
    pub num_max_unavailable_nodes: Option<u32>,
}

/// When and for how long certificates are renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renewal {
    /// Renew when the certificates expire within this many days.
    pub days_before_expiry: u32,
    /// The new certificates' validity in years (1 to 5).
    pub term_of_validity: u32,
}

impl Renewal {
    /// Whether certificates expiring at `expiry_ms` are due for renewal at `at_ms`.
    pub fn due(&self, expiry_ms: i64, at_ms: i64) -> bool {
        expiry_ms.saturating_sub(at_ms) <= i64::from(self.days_before_expiry) * DAY_MS
    }
}

/// One maintenance entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Maintenance {
    /// Its name (`maintenance[i]` when none is given).
    pub name: String,
    /// The clusters it maintains (names or UUIDs).
    pub clusters: Vec<String>,
    /// The time zone its `when` is read in.
    pub timezone: String,
    /// Its window: nothing starts outside it.
    pub when: When,
    /// The Kubernetes version to reach, control plane first.
    pub kube_version: Option<Version>,
    /// Upgrade options sent with each worker upgrade.
    pub upgrade: UpgradeOptions,
    /// Certificate renewal, if wanted.
    pub renew_certificates: Option<Renewal>,
}

impl Maintenance {
    /// Whether the window is open at `at_ms`.
    pub fn open(&self, zones: &impl Zones, at_ms: i64) -> Result<bool, String> {
        Ok(self.when.matches(&zones.local(&self.timezone, at_ms)?))
    }

    /// Whether this entry names `cluster` (by any of the names given).
    pub fn names(&self, names: &[&str]) -> bool {
        self.clusters.iter().any(|c| names.contains(&c.as_str()))
    }

    /// The next instant at or after `from_ms` (within `horizon_days`) at which the window
    /// is open, to the minute.
    pub fn next_open(&self, zones: &impl Zones, from_ms: i64, horizon_days: i64) -> Option<i64> {
        let start = from_ms - from_ms.rem_euclid(60_000);
        // Coarse steps (15 minutes, or the window's length if shorter: a step must not
        // jump over a whole window), then back to the first open minute.
        let step = self.when.shortest_open_minutes().clamp(1, 15) * 60_000;
        let mut t = start;
        let end = start + horizon_days * DAY_MS;
        let mut prev = start;
        while t <= end {
            if self.open(zones, t).ok()? {
                let mut m = prev.max(start);
                while m < t && !self.open(zones, m).ok()? {
                    m += 60_000;
                }
                return Some(m);
            }
            prev = t + 60_000;
            t += step;
        }
        None
    }
}

/// Reads the policy's `maintenance` list (absent: none).
pub(super) fn parse_all(
    value: Option<&Value>,
    default_zone: &str,
    max: u32,
    zones: &impl Zones,
    errors: &mut Errors,
) -> Vec<Maintenance> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(list) = value.as_array() else {
        errors.add("maintenance", "must be a list of maintenance entries");
        return Vec::new();
    };
    let entries: Vec<(usize, Maintenance)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, v)| parse_one(v, i, default_zone, max, zones, errors).map(|m| (i, m)))
        .collect();
    for (n, (i, a)) in entries.iter().enumerate() {
        for (j, b) in entries.iter().skip(n + 1) {
            let shared = a.clusters.iter().find(|c| b.clusters.contains(c));
            if let Some(cluster) = shared {
                if overlap(a, b, zones) {
                    errors.add(
                        &format!("maintenance[{j}].when"),
                        format!(
                            "overlaps maintenance[{i}] ({:?}) for cluster {cluster:?}: one maintenance at a time per cluster",
                            a.name
                        ),
                    );
                }
            }
        }
    }
    entries.into_iter().map(|(_, m)| m).collect()
}

fn parse_one(
    value: &Value,
    i: usize,
    default_zone: &str,
    max: u32,
    zones: &impl Zones,
    errors: &mut Errors,
) -> Option<Maintenance> {
    let at = format!("maintenance[{i}]");
    let map = object(value, &at, &FIELDS, errors)?;
    let start = errors.0.len();
    let name = entry_name(map, &at, errors);
    let clusters = parse_clusters(map.get("cluster"), &field(&at, "cluster"), errors);
    let timezone = entry_zone(map, &at, default_zone, zones, errors);
    let when = match map.get("when") {
        Some(w) => parse_when(w, &field(&at, "when"), errors),
        None => {
            errors.add(
                &field(&at, "when"),
                "is required: the window in which maintenance may start",
            );
            None
        }
    };
    let kube_version = map.get("kube_version").and_then(|v| {
        let parsed = v.as_str().and_then(Version::parse);
        if parsed.is_none() {
            errors.add(
                &field(&at, "kube_version"),
                "must be a Kubernetes version such as \"v1.31.4\"",
            );
        }
        parsed
    });
    let upgrade = match map.get("upgrade") {
        None => UpgradeOptions::default(),
        Some(v) => {
            if !map.contains_key("kube_version") {
                errors.add(&field(&at, "upgrade"), "needs kube_version");
            }
            parse_upgrade(v, &field(&at, "upgrade"), max, errors)
        }
    };
    let renew_certificates = map
        .get("renew_certificates")
        .and_then(|v| parse_renewal(v, &field(&at, "renew_certificates"), errors));
    if !map.contains_key("kube_version") && !map.contains_key("renew_certificates") {
        errors.add(
            &at,
            "sets neither kube_version nor renew_certificates: give at least one",
        );
    }
    let when = when?;
    (errors.0.len() == start).then_some(Maintenance {
        name,
        clusters,
        timezone,
        when,
        kube_version,
        upgrade,
        renew_certificates,
    })
}

fn parse_upgrade(value: &Value, at: &str, max: u32, errors: &mut Errors) -> UpgradeOptions {
    let Some(map) = object(value, at, &UPGRADE_FIELDS, errors) else {
        return UpgradeOptions::default();
    };
    UpgradeOptions {
        num_buffer_nodes: map
            .get("num_buffer_nodes")
            .and_then(|v| whole(v, &field(at, "num_buffer_nodes"), 0..=max, errors)),
        num_max_unavailable_nodes: map
            .get("num_max_unavailable_nodes")
            .and_then(|v| whole(v, &field(at, "num_max_unavailable_nodes"), 1..=max, errors)),
    }
}

fn parse_renewal(value: &Value, at: &str, errors: &mut Errors) -> Option<Renewal> {
    let map = object(value, at, &RENEW_FIELDS, errors)?;
    let need =
        |key: &str, range: std::ops::RangeInclusive<u32>, errors: &mut Errors| match map.get(key) {
            Some(v) => whole(v, &field(at, key), range, errors),
            None => {
                errors.add(&field(at, key), "is required");
                None
            }
        };
    let days = need("days_before_expiry", 1..=5 * 366, errors);
    let years = need("term_of_validity", 1..=5, errors);
    let (days, years) = (days?, years?);
    if i64::from(days) >= i64::from(years) * 365 {
        errors.add(
            &field(at, "days_before_expiry"),
            format!(
                "{days} days is not shorter than the renewed term ({years} year{}): every renewal would be due again at once",
                if years == 1 { "" } else { "s" }
            ),
        );
        return None;
    }
    Some(Renewal {
        days_before_expiry: days,
        term_of_validity: years,
    })
}

/// Minutes of a week (Monday 00:00 = 0) in which `when` can match, ignoring dates.
fn week(when: &When, shift: i64) -> Vec<bool> {
    const WEEK: i64 = 7 * 1440;
    let mut minutes = vec![false; 7 * 1440];
    let (from, to) = when.window.map_or((0, 1440), |(a, b)| {
        (i64::from(a), if b == 0 { 1440 } else { i64::from(b) })
    });
    for day in 0..7i64 {
        let allowed = when
            .days
            .is_none_or(|d| d.get(day as usize).copied().unwrap_or(false));
        if !allowed {
            continue;
        }
        let (start, end) = if to > from {
            (from, to)
        } else {
            (from, to + 1440)
        };
        for m in start..end {
            let at = (day * 1440 + m + shift).rem_euclid(WEEK);
            if let Some(slot) = minutes.get_mut(at as usize) {
                *slot = true;
            }
        }
    }
    minutes
}

/// Offset of `zone` from UTC in minutes at `at_ms`.
fn offset(zones: &impl Zones, zone: &str, at_ms: i64) -> i64 {
    zones
        .local(zone, at_ms)
        .map(|t| (t.as_utc_ms() - at_ms).div_euclid(60_000))
        .unwrap_or(0)
}

/// Whether two windows can be open at once: their weekly minutes meet (in UTC, at the
/// pairs of offsets their zones have on the same day, each day of a year: two zones
/// change their clocks on different dates) and their dates, if both have some, meet.
fn overlap(a: &Maintenance, b: &Maintenance, zones: &impl Zones) -> bool {
    let dates_meet = a.when.dates.is_empty()
        || b.when.dates.is_empty()
        || a.when.dates.iter().any(|(a0, a1)| {
            b.when
                .dates
                .iter()
                .any(|(b0, b1)| *a0 <= b1 + 1 && *b0 <= a1 + 1)
        });
    if !dates_meet {
        return false;
    }
    // Each day of 2026 from its first, 00:00 UTC; each distinct pair of offsets once.
    // One zone shifts both windows alike: one day tells.
    let days = if a.timezone == b.timezone { 1 } else { 365 };
    let mut pairs: Vec<(i64, i64)> = Vec::new();
    for day in 0..days {
        let at = 1_767_225_600_000 + day * DAY_MS;
        let pair = (
            offset(zones, &a.timezone, at),
            offset(zones, &b.timezone, at),
        );
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    pairs.iter().any(|(oa, ob)| {
        let wa = week(&a.when, -oa);
        let wb = week(&b.when, -ob);
        wa.iter().zip(&wb).any(|(x, y)| *x && *y)
    })
}
