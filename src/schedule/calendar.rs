//! A policy's week, computed once for the dashboard and the CLI: for each (cluster,
//! node group) the policy names, what the first matching rule sets through the week
//! ([`week`]), the node-hours that allows against always-at-max, and the drawing
//! ([`svg`]).
//!
//! - **The week** runs from Monday 00:00 to the next Monday 00:00 in the policy's time
//!   zone. Hours are **real elapsed hours**: a week in which clocks spring forward has
//!   167, one in which they fall back 169. In the drawing, the skipped hour is a hatched
//!   cell and the repeated hour is drawn once over itself.
//! - **Which rule decides** is asked of [`Policy::rule_at`] at every instant a rule can
//!   change: each hour, every quarter hour (offsets of zones are whole quarter hours)
//!   and every minute of the hour a window starts or ends, in the policy's zone and
//!   shifted by quarter hours for rules in other zones.
//! - **Node-hours allowed**: the sum, over the week, of hours × the most nodes the
//!   node group can have, as the rules leave it (`Sizing`): with its autoscaler on,
//!   the autoscaler's `max`; off, its fixed size. A rule changes only what it says (an
//!   `autoscale` rule without `enable` leaves the autoscaler on or off, one without
//!   `max` keeps the last), so the state is replayed from up to a week back; where it
//!   is still unknown, those hours count at the peak (and are reported as
//!   `unknown_hours`), so `allowed` never understates.
//! - **Always-at-max**: the peak (the largest `max` or `node_count` any rule gives the
//!   node group) × the hours of the week.

use super::clock::{LocalTime, Zones};
use super::policy::{AutoscaleGoal, Policy, Target};
use crate::time::{civil_from_days, weekday};
use serde::Serialize;
use std::cell::RefCell;
use std::fmt::{self, Write};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A policy's week.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    /// Its Monday, `YYYY-MM-DD`.
    pub week: String,
    /// The policy's time zone, in which the week is read.
    pub timezone: String,
    /// Monday 00:00 (RFC 3339 with the offset).
    pub start: String,
    /// The next Monday 00:00.
    pub end: String,
    /// Real hours in the week: 168, or 167 / 169 across a daylight-saving change.
    pub hours: f64,
    /// The seven days, with their real hours.
    pub days: Vec<Day>,
    /// One per (cluster, node group), in the policy's order.
    pub rows: Vec<Row>,
    /// One per row, in the same order.
    pub node_hours: Vec<NodeHours>,
    /// The legend: each rule once, in policy order (a rule written for several
    /// clusters is one entry).
    pub rules: Vec<RuleInfo>,
    /// The hour slots, for the drawing.
    #[serde(skip)]
    slots: Vec<Slot>,
    /// Each policy rule's entry in `rules`, for the drawing's colours.
    #[serde(skip)]
    legend_of: Vec<usize>,
}

/// One day of the week.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Real hours: 24, or 23 / 25 on a daylight-saving change.
    pub hours: f64,
}

/// A rule, for the legend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleInfo {
    /// Its name.
    pub name: String,
    /// What it sets.
    pub set: Setting,
}

/// The timeline of one node group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The cluster.
    pub cluster: String,
    /// The node group.
    pub nodegroup: String,
    /// Consecutive spans covering the week, each with one deciding rule (or none).
    pub spans: Vec<Span>,
}

/// A stretch of time over which the same rule (or none) decides.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    /// Its start, RFC 3339 in the policy's zone.
    pub from: String,
    /// Its end (exclusive).
    pub to: String,
    /// Its real length in hours.
    pub hours: f64,
    /// The deciding rule's name; `None`: no rule decides, the node group is left as is.
    pub rule: Option<String>,
    /// What that rule sets.
    pub set: Option<Setting>,
    /// The most nodes allowed meanwhile (the rule's, or the one carried on); `None`: unknown.
    pub max_nodes: Option<u32>,
    #[serde(skip)]
    start_ms: i64,
    #[serde(skip)]
    end_ms: i64,
    /// Index of the rule that decides.
    #[serde(skip)]
    decided: Option<usize>,
    /// Index of the rule that decides, or whose state carries on.
    #[serde(skip)]
    shade: Option<usize>,
}

/// What a rule sets.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Setting {
    /// Autoscaler settings.
    Autoscale(AutoscaleGoal),
    /// A fixed size.
    NodeCount(u32),
}

/// Node-hours of one node group over the week.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeHours {
    /// The cluster.
    pub cluster: String,
    /// The node group.
    pub nodegroup: String,
    /// Σ hours × most nodes allowed (unknown hours at the peak).
    pub allowed: f64,
    /// The peak × the hours of the week.
    pub always_at_max: f64,
    /// The largest `max` or `node_count` any rule gives it; `None`: no rule bounds it.
    pub peak: Option<u32>,
    /// Hours whose size nothing decided within a week before them.
    pub unknown_hours: f64,
}

/// One elapsed hour of the week (the last may be shorter), and where the wall clock
/// shows its start.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Slot {
    start_ms: i64,
    end_ms: i64,
    /// 0..7 from Monday.
    day: i64,
    /// Wall-clock minute of the day.
    minute: i64,
}

impl From<&Target> for Setting {
    fn from(target: &Target) -> Self {
        match target {
            Target::Autoscale(goal) => Setting::Autoscale(goal.clone()),
            Target::NodeCount(n) => Setting::NodeCount(*n),
        }
    }
}

/// The most nodes `target` allows, if it says.
fn max_nodes(target: &Target) -> Option<u32> {
    match target {
        Target::Autoscale(goal) => goal.count("max"),
        Target::NodeCount(n) => Some(*n),
    }
}

impl Setting {
    /// `3–10`, `≤10`, `≥3` or `4`: the size, short.
    fn short(&self) -> String {
        match self {
            Setting::NodeCount(n) => n.to_string(),
            Setting::Autoscale(goal) => match (goal.count("min"), goal.count("max")) {
                (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
                (None, Some(hi)) => format!("≤{hi}"),
                (Some(lo), None) => format!("≥{lo}"),
                (None, None) => match goal.enable() {
                    Some(true) => "on".to_owned(),
                    Some(false) => "off".to_owned(),
                    None => "…".to_owned(),
                },
            },
        }
    }

    /// `autoscale 3–10 (on)` or `4 nodes (autoscaler off)`: for the legend.
    fn describe(&self) -> String {
        match self {
            Setting::NodeCount(n) => format!("{n} nodes (autoscaler off)"),
            Setting::Autoscale(goal) => {
                let state = match goal.enable() {
                    Some(true) => " (on)",
                    Some(false) => " (off)",
                    None => "",
                };
                format!("autoscale {}{state}", self.short())
            }
        }
    }
}

/// The day number (days since 1970-01-01) of a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<i64> {
    crate::time::parse_date(text.trim())
}

/// The day (in the policy's zone) of an instant: for the week that contains it.
pub fn day_of(policy: &Policy, zones: &impl Zones, at_ms: i64) -> Result<i64, String> {
    Ok(zones.local(&policy.timezone, at_ms)?.day)
}

/// The week that contains `day` (a day number; any day of it): each node group's
/// timeline and node-hours. Errors come from `zones` (a zone it does not know).
pub fn week(policy: &Policy, zones: &impl Zones, day: i64) -> Result<Calendar, String> {
    let zones = Memo::new(zones);
    let tz = policy.timezone.as_str();
    let monday = day - i64::from(weekday(day));
    let start_ms = midnight(&zones, tz, monday)?;
    let end_ms = midnight(&zones, tz, monday + 7)?;
    let minutes = change_minutes(policy);
    let slots = slots(&zones, tz, monday, start_ms, end_ms)?;
    let samples = samples(&slots, minutes);
    let lookback = lookback_samples(&zones, tz, monday, start_ms, minutes)?;
    let stamp = |at: i64| -> Result<String, String> { Ok(zones.local(tz, at)?.rfc3339(at)) };

    let mut rows = Vec::new();
    let mut node_hours = Vec::new();
    for (cluster, nodegroup) in policy.targets() {
        let decide = |at: i64| -> Result<Option<usize>, String> {
            let rule = policy.rule_at(cluster, nodegroup, &zones, at)?;
            Ok(rule.and_then(|r| policy.rules.iter().position(|p| std::ptr::eq(p, r))))
        };
        // What the week before left (a later rule may keep a `max` set then).
        let carried = replay(policy, &lookback, &decide)?;
        let mut spans = timeline(policy, &samples, end_ms, carried, &decide)?;
        for span in &mut spans {
            span.from = stamp(span.start_ms)?;
            span.to = stamp(span.end_ms)?;
            span.hours = hours(span.end_ms - span.start_ms);
        }
        node_hours.push(count(policy, cluster, nodegroup, &spans, end_ms - start_ms));
        rows.push(Row {
            cluster: cluster.to_owned(),
            nodegroup: nodegroup.to_owned(),
            spans,
        });
    }

    let (rules, legend_of) = legend(policy);
    let mut days: Vec<Day> = (0..7)
        .map(|d| Day {
            date: date(monday + d),
            hours: 0.0,
        })
        .collect();
    for slot in &slots {
        if let Some(day) = usize::try_from(slot.day).ok().and_then(|d| days.get_mut(d)) {
            day.hours += hours(slot.end_ms - slot.start_ms);
        }
    }
    Ok(Calendar {
        week: date(monday),
        timezone: policy.timezone.clone(),
        start: stamp(start_ms)?,
        end: stamp(end_ms)?,
        hours: hours(end_ms - start_ms),
        days,
        rows,
        node_hours,
        rules,
        slots,
        legend_of,
    })
}

/// The legend's entries, each rule once (the rules a rule written for several clusters
/// became share one), and each policy rule's entry.
fn legend(policy: &Policy) -> (Vec<RuleInfo>, Vec<usize>) {
    let mut rules: Vec<RuleInfo> = Vec::new();
    let legend_of = policy
        .rules
        .iter()
        .map(|r| {
            let info = RuleInfo {
                name: r.name.clone(),
                set: Setting::from(&r.target),
            };
            rules.iter().position(|e| *e == info).unwrap_or_else(|| {
                rules.push(info);
                rules.len() - 1
            })
        })
        .collect();
    (rules, legend_of)
}

/// The rules of `samples` (in time order) replayed: the last rule that set a size
/// (a `max` or `node_count`), for the drawing, and the [`Sizing`] they leave.
fn replay(
    policy: &Policy,
    samples: &[i64],
    decide: &impl Fn(i64) -> Result<Option<usize>, String>,
) -> Result<(Option<usize>, Sizing), String> {
    let (mut shade, mut sizing, mut last) = (None, Sizing::default(), None);
    for &at in samples {
        let decided = decide(at)?;
        if decided != last {
            if let Some((i, rule)) = decided.and_then(|i| policy.rules.get(i).map(|r| (i, r))) {
                sizing = sizing.then(&rule.target);
                if max_nodes(&rule.target).is_some() {
                    shade = Some(i);
                }
            }
            last = decided;
        }
    }
    Ok((shade, sizing))
}

/// The spans of one node group: consecutive samples with the same deciding rule
/// merged; `carried` is the rule whose size is drawn as the week starts and the
/// node group's [`Sizing`] then.
fn timeline(
    policy: &Policy,
    samples: &[i64],
    end_ms: i64,
    carried: (Option<usize>, Sizing),
    decide: &impl Fn(i64) -> Result<Option<usize>, String>,
) -> Result<Vec<Span>, String> {
    let (mut carried, mut sizing) = carried;
    let mut spans: Vec<Span> = Vec::new();
    for (k, &at) in samples.iter().enumerate() {
        let until = samples.get(k + 1).copied().unwrap_or(end_ms);
        let decided = decide(at)?;
        if let Some(last) = spans.last_mut().filter(|last| last.decided == decided) {
            last.end_ms = until;
            continue;
        }
        if let Some(prev) = spans.last() {
            carried = prev.shade;
        }
        let shade = match decided {
            Some(i) if cap_of(policy, i).is_some() => Some(i),
            _ => carried,
        };
        let rule = decided.and_then(|i| policy.rules.get(i));
        if let Some(rule) = rule {
            sizing = sizing.then(&rule.target);
        }
        spans.push(Span {
            from: String::new(),
            to: String::new(),
            hours: 0.0,
            rule: rule.map(|r| r.name.clone()),
            set: rule.map(|r| Setting::from(&r.target)),
            max_nodes: sizing.cap(),
            start_ms: at,
            end_ms: until,
            decided,
            shade,
        });
    }
    Ok(spans)
}

/// The most nodes rule `i` allows, if it says.
fn cap_of(policy: &Policy, i: usize) -> Option<u32> {
    policy.rules.get(i).and_then(|r| max_nodes(&r.target))
}

/// What the rules have left a node group as: whether its autoscaler is on, the
/// autoscaler's `max`, its fixed size (`None`: not known from the rules).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Sizing {
    on: Option<bool>,
    max: Option<u32>,
    size: Option<u32>,
}

impl Sizing {
    /// After the reconciler applies `target`: a `node_count` turns the autoscaler off
    /// at that size; an `autoscale` rule sets only what it says. An autoscaler turned
    /// off leaves at most its last `max` nodes.
    fn then(self, target: &Target) -> Sizing {
        match target {
            Target::NodeCount(n) => Sizing {
                on: Some(false),
                size: Some(*n),
                ..self
            },
            Target::Autoscale(goal) => {
                let on = goal.enable().or(self.on);
                let size = if self.on == Some(true) && on == Some(false) {
                    self.max.or(self.size)
                } else {
                    self.size
                };
                Sizing {
                    on,
                    max: goal.count("max").or(self.max),
                    size,
                }
            }
        }
    }

    /// The most nodes it allows: the autoscaler's `max` when on (or when that is not
    /// known, as a rule with a `max` says), the fixed size when off.
    fn cap(self) -> Option<u32> {
        match self.on {
            Some(false) => self.size,
            _ => self.max,
        }
    }
}

fn count(
    policy: &Policy,
    cluster: &str,
    nodegroup: &str,
    spans: &[Span],
    week_ms: i64,
) -> NodeHours {
    let peak = policy
        .rules
        .iter()
        .filter(|r| r.cluster == cluster && r.nodegroups.iter().any(|n| n == nodegroup))
        .filter_map(|r| max_nodes(&r.target))
        .max();
    let mut allowed = 0.0;
    let mut unknown_hours = 0.0;
    for span in spans {
        let h = hours(span.end_ms - span.start_ms);
        if let Some(n) = span.max_nodes.or(peak) {
            allowed += h * f64::from(n);
        }
        if span.max_nodes.is_none() {
            unknown_hours += h;
        }
    }
    NodeHours {
        cluster: cluster.to_owned(),
        nodegroup: nodegroup.to_owned(),
        allowed,
        always_at_max: f64::from(peak.unwrap_or(0)) * hours(week_ms),
        peak,
        unknown_hours,
    }
}

/// Milliseconds as hours (whole minutes: exact to the minute).
fn hours(ms: i64) -> f64 {
    let minutes = i32::try_from(ms / MINUTE_MS).unwrap_or(i32::MAX);
    f64::from(minutes) / 60.0
}

fn date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The first instant whose wall clock in `tz` shows `day` 00:00 or later (midnight,
/// or the end of a gap that swallowed it), to the minute.
fn midnight(zones: &impl Zones, tz: &str, day: i64) -> Result<i64, String> {
    let target = day * DAY_MS;
    // Offsets are within ±26 hours: the instant is in this range.
    let (mut lo, mut hi) = (
        (target - 26 * HOUR_MS) / MINUTE_MS,
        (target + 26 * HOUR_MS) / MINUTE_MS,
    );
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if zones.local(tz, mid * MINUTE_MS)?.as_utc_ms() >= target {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo * MINUTE_MS)
}

/// Minutes of the hour at which a rule can start or stop matching, as a set (bit `m`:
/// minute `m`): every quarter hour, and each window's start and end shifted by quarter
/// hours (a rule's own zone may be offset from the policy's by a fraction of an hour).
fn change_minutes(policy: &Policy) -> u64 {
    let mut minutes: u64 = 1 | 1 << 15 | 1 << 30 | 1 << 45;
    for window in policy
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref().and_then(|w| w.window))
    {
        for edge in [window.0, window.1] {
            for quarter in 0..4 {
                minutes |= 1 << ((edge + quarter * 15) % 60);
            }
        }
    }
    minutes
}

/// Elapsed hours from `start_ms` to `end_ms`, each with its wall-clock start.
fn slots(
    zones: &impl Zones,
    tz: &str,
    monday: i64,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<Slot>, String> {
    let mut out = Vec::new();
    let mut at = start_ms;
    while at < end_ms {
        let local = zones.local(tz, at)?;
        out.push(Slot {
            start_ms: at,
            end_ms: (at + HOUR_MS).min(end_ms),
            day: local.day - monday,
            minute: i64::from(local.minute),
        });
        at += HOUR_MS;
    }
    Ok(out)
}

/// The instants to ask the policy about, in order: in each slot, each minute of the
/// set `minutes` on the wall clock.
fn samples(slots: &[Slot], minutes: u64) -> Vec<i64> {
    let mut out = Vec::new();
    for slot in slots {
        for off in 0..60 {
            let at = slot.start_ms + off * MINUTE_MS;
            if at < slot.end_ms && minutes >> (slot.minute + off).rem_euclid(60) & 1 == 1 {
                out.push(at);
            }
        }
    }
    out
}

/// The week before: where a state left as is comes from.
fn lookback_samples(
    zones: &impl Zones,
    tz: &str,
    monday: i64,
    start_ms: i64,
    minutes: u64,
) -> Result<Vec<i64>, String> {
    let before = slots(zones, tz, monday - 7, start_ms - WEEK_MS, start_ms)?;
    Ok(samples(&before, minutes))
}

/// `Zones` that asks the real one little (on wasm32 each answer is a call of `Intl`):
/// the offset of each zone at each whole UTC hour, once; within an hour whose two ends
/// have the same offset, local times follow by arithmetic; any other instant is asked
/// once.
struct Memo<'z, Z> {
    zones: &'z Z,
    /// The zones asked about; an offset names its zone by its index here.
    names: RefCell<Vec<String>>,
    /// (zone, instant, offset in milliseconds), sorted by zone and instant.
    offsets: RefCell<Vec<(usize, i64, i64)>>,
}

impl<'z, Z: Zones> Memo<'z, Z> {
    fn new(zones: &'z Z) -> Self {
        Memo {
            zones,
            names: RefCell::new(Vec::new()),
            offsets: RefCell::new(Vec::new()),
        }
    }

    /// The offset of `zone` at `at_ms` (its wall clock read as UTC, less `at_ms`), in
    /// milliseconds.
    fn offset(&self, zone: &str, at_ms: i64) -> Result<i64, String> {
        let mut names = self.names.borrow_mut();
        let z = match names.iter().position(|name| name == zone) {
            Some(z) => z,
            None => {
                names.push(zone.to_owned());
                names.len() - 1
            }
        };
        let mut offsets = self.offsets.borrow_mut();
        let i = offsets.partition_point(|&(k, at, _)| (k, at) < (z, at_ms));
        if let Some(&(_, _, offset)) = offsets.get(i).filter(|&&(k, at, _)| (k, at) == (z, at_ms)) {
            return Ok(offset);
        }
        let offset = self.zones.local(zone, at_ms)?.as_utc_ms() - at_ms;
        offsets.insert(i, (z, at_ms, offset));
        Ok(offset)
    }
}

impl<Z: Zones> Zones for Memo<'_, Z> {
    fn check(&self, zone: &str) -> Result<(), String> {
        self.zones.check(zone)
    }

    fn local(&self, zone: &str, utc_ms: i64) -> Result<LocalTime, String> {
        let hour = utc_ms.div_euclid(HOUR_MS) * HOUR_MS;
        let mut offset = self.offset(zone, hour)?;
        if offset != self.offset(zone, hour + HOUR_MS)? {
            offset = self.offset(zone, utc_ms)?;
        }
        let wall = (utc_ms + offset).div_euclid(1000);
        let in_day = wall.rem_euclid(86_400);
        Ok(LocalTime {
            day: wall.div_euclid(86_400),
            minute: u16::try_from(in_day / 60).unwrap_or(0),
            second: u8::try_from(in_day % 60).unwrap_or(0),
        })
    }
}

/// Tableau 10: distinct, and readable with dark text, on light and dark pages alike.
const COLORS: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];
// The drawing's geometry, in whole pixels. A minute of the wall clock is HOUR_W / 60 =
// 1/12 px: bars are placed to the hundredth of a pixel by integer arithmetic.
const LABEL_W: i64 = 190;
const HOUR_W: i64 = 5;
const DAY_W: i64 = 24 * HOUR_W;
const DAY_MINUTES: i64 = 24 * 60;
const TOP: i64 = 64;
const ROW_H: i64 = 36;
const BAR_H: i64 = 24;
const LEGEND_ROW: i64 = 20;
const LEGEND_COL: i64 = 345;
const WIDTH: i64 = LABEL_W + 7 * DAY_W + 12;
/// Text styles; the page's colour scheme picks light or dark.
const STYLE: &str = ".nkc-t{fill:#1f2328;font:12px system-ui,-apple-system,'Segoe UI',sans-serif}\
.nkc-s{font-size:10px}.nkc-b{font-weight:600}\
.nkc-g{stroke:#8c959f;stroke-opacity:.45}\
.nkc-l{fill:#111;font:600 10px system-ui,-apple-system,'Segoe UI',sans-serif;pointer-events:none}\
@media (prefers-color-scheme:dark){.nkc-t{fill:#e6edf3}.nkc-g{stroke:#8b949e}}";

/// Text escaped for SVG content and attribute values, as it is written (no copy).
struct Esc<'t>(&'t str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                c if c.is_control() => {}
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// A fixed-point number written by the integer formatter (the wasm then carries no
/// float formatting): hundredths always with two decimals (`190.00`), tenths without
/// a zero fraction (`167`, `85.5`).
struct Fixed {
    units: i64,
    places: usize,
}

impl Fixed {
    fn hundredths(units: i64) -> Self {
        Fixed { units, places: 2 }
    }

    fn tenths(units: i64) -> Self {
        Fixed { units, places: 1 }
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = if self.places == 2 { 100 } else { 10 };
        let sign = if self.units < 0 { "-" } else { "" };
        let (int, frac) = (
            self.units.unsigned_abs() / scale,
            self.units.unsigned_abs() % scale,
        );
        if frac == 0 && self.places == 1 {
            return write!(f, "{sign}{int}");
        }
        write!(f, "{sign}{int}.{frac:0width$}", width = self.places)
    }
}

/// `x` rounded to a whole number (halves away from zero; saturating).
fn rounded(x: f64) -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let n = x.round() as i64;
    n
}

/// A length of time as [`hours`] makes them (whole minutes), exactly and with its
/// unit: `168 h`, `23.5 h` (a whole tenth of an hour), else `23 h 57 min`.
struct Hours(i64);

impl Hours {
    fn of(h: f64) -> Self {
        Hours(rounded(h * 60.0))
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let minutes = self.0;
        if minutes.rem_euclid(6) == 0 {
            write!(f, "{} h", Fixed::tenths(minutes / 6))
        } else {
            write!(
                f,
                "{} h {} min",
                minutes.div_euclid(60),
                minutes.rem_euclid(60)
            )
        }
    }
}

/// `minutes` of the wall clock in pixels, to the hundredth (never a tie: 1/12 px each).
fn px(minutes: i64) -> i64 {
    (minutes * HOUR_W * 200 + 60).div_euclid(120)
}

/// At most `n` characters, with `…` when cut.
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn color(i: usize) -> &'static str {
    COLORS.get(i % COLORS.len()).copied().unwrap_or("#888")
}

/// Whether `text` at 10 px (about 6 px a character) and `pad` px fit a bar `minutes`
/// long.
fn fits(text: &str, pad: i64, minutes: i64) -> bool {
    let chars = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    chars
        .saturating_mul(6)
        .saturating_add(pad)
        .saturating_mul(60)
        <= minutes * HOUR_W
}

/// `n` as a drawing unit (counts of rows, days and items are small).
fn whole(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(0)
}

/// The stretch of one span on one day of the wall clock, in minutes from Monday 00:00.
struct Bar {
    day: i64,
    from: i64,
    to: i64,
}

/// The week as one self-contained SVG: a row per node group across 7 days × 24 hours
/// of the policy's zone, each stretch coloured by the rule that decides it and
/// labelled with the size it sets; node-hours under each row's name; a legend.
/// Every text is escaped; colours read on light and dark backgrounds.
pub fn svg(calendar: &Calendar) -> String {
    let legend_items = calendar.rules.len() + 3;
    let legend_rows = legend_items.div_ceil(3);
    let rows_h = whole(calendar.rows.len()) * ROW_H;
    let legend_y = TOP + rows_h + 18;
    let height = legend_y + whole(legend_rows) * LEGEND_ROW + 8;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"Scaling policy, week of {} ({})\">",
        Esc(&calendar.week),
        Esc(&calendar.timezone)
    );
    let _ = write!(
        out,
        "<style>{STYLE}</style><defs>\
         <pattern id=\"nkc-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"nkc-g\" stroke-width=\"2\"/></pattern></defs>"
    );
    let _ = write!(
        out,
        "<text x=\"8\" y=\"18\" class=\"nkc-t nkc-b\">Week of {} · {} · {}</text>",
        Esc(&calendar.week),
        Esc(&calendar.timezone),
        Hours::of(calendar.hours)
    );
    // Day headers, hour ticks and grid.
    for (d, day) in calendar.days.iter().enumerate() {
        let x = LABEL_W + whole(d) * DAY_W;
        let _ = write!(out, "<text x=\"{}\" y=\"40\" class=\"nkc-t nkc-b\">", x + 3);
        day_label(&mut out, d, &day.date);
        if (day.hours - 24.0).abs() > f64::EPSILON {
            let _ = write!(out, " ({})", Hours::of(day.hours));
        }
        out.push_str("</text>");
        for h in [0, 6, 12, 18] {
            let hx = x + h * HOUR_W;
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"56\" class=\"nkc-t nkc-s\">{h}</text>\
                 <line x1=\"{hx}\" y1=\"{}\" x2=\"{hx}\" y2=\"{}\" class=\"nkc-g\" stroke-width=\"{}\"/>",
                hx + 2,
                if h == 0 { 26 } else { 46 },
                TOP + rows_h,
                if h == 0 { "1" } else { "0.5" }
            );
        }
    }
    let end_x = LABEL_W + 7 * DAY_W;
    let _ = write!(
        out,
        "<line x1=\"{end_x}\" y1=\"26\" x2=\"{end_x}\" y2=\"{}\" class=\"nkc-g\"/>",
        TOP + rows_h
    );
    for (r, row) in calendar.rows.iter().enumerate() {
        let y = TOP + whole(r) * ROW_H;
        draw_row(&mut out, calendar, row, calendar.node_hours.get(r), y);
    }
    draw_gaps(&mut out, calendar, rows_h);
    draw_legend(&mut out, calendar, legend_y);
    out.push_str("</svg>");
    out
}

/// `Mon 23 Mar`, written to `out` (nothing in it to escape).
fn day_label(out: &mut String, d: usize, date: &str) {
    let name = DAY_NAMES.get(d).copied().unwrap_or("");
    let (_, month, day) = parse_date(date).map_or((0, 0, 0), civil_from_days);
    let month = usize::try_from(month)
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("");
    let _ = write!(out, "{name} {day} {month}");
}

fn draw_row(out: &mut String, calendar: &Calendar, row: &Row, hours: Option<&NodeHours>, y: i64) {
    let name = format!("{} / {}", row.cluster, row.nodegroup);
    let _ = write!(
        out,
        "<g><title>{}</title><text x=\"8\" y=\"{}\" class=\"nkc-t\">{}</text></g>",
        Esc(&name),
        y + 14,
        Esc(&clip(&name, 28))
    );
    if let Some(h) = hours {
        let _ = write!(out, "<text x=\"8\" y=\"{}\" class=\"nkc-t nkc-s\">", y + 28);
        let _ = match h.peak {
            Some(_) => write!(
                out,
                "{} of {} node-h",
                rounded(h.allowed),
                rounded(h.always_at_max)
            ),
            None => out.write_str("no size set"),
        };
        out.push_str("</text>");
    }
    let bar_y = y + (ROW_H - BAR_H) / 2;
    for span in &row.spans {
        for bar in bars(calendar, span) {
            let (x, minutes) = (LABEL_W * 100 + px(bar.from), bar.to - bar.from);
            let (fill, opacity) = match span.shade {
                Some(i) => (
                    color(calendar.legend_of.get(i).copied().unwrap_or(i)),
                    if span.rule.is_some() { "1" } else { "0.35" },
                ),
                None => ("url(#nkc-hatch)", "1"),
            };
            // The title: `2026-11-23 07:30 – 12:00: what decides` (the times are RFC 3339).
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{bar_y}\" width=\"{}\" height=\"{BAR_H}\" fill=\"{fill}\" fill-opacity=\"{opacity}\"><title>{} {} – {}: ",
                Fixed::hundredths(x),
                Fixed::hundredths(px(minutes)),
                span.from.get(..10).unwrap_or_default(),
                span.from.get(11..16).unwrap_or_default(),
                span.to.get(11..16).unwrap_or_default()
            );
            let _ = match (&span.rule, &span.set) {
                (Some(rule), Some(set)) => write!(out, "{}: {}", Esc(rule), Esc(&set.describe())),
                _ => match span.max_nodes {
                    Some(n) => write!(out, "no rule: left as is (up to {n} nodes)"),
                    None => out.write_str("no rule: left as is (size unknown)"),
                },
            };
            out.push_str("</title></rect>");
            if let (Some(rule), Some(set)) = (&span.rule, &span.set) {
                let short = set.short();
                let long = format!("{rule} · {short}");
                let label = if fits(&long, 6, minutes) {
                    Some(long)
                } else if fits(&short, 4, minutes) {
                    Some(short)
                } else {
                    None
                };
                if let Some(label) = label {
                    let _ = write!(
                        out,
                        "<text x=\"{}\" y=\"{}\" class=\"nkc-l\">{}</text>",
                        Fixed::hundredths(x + 300),
                        Fixed::tenths((bar_y + BAR_H / 2) * 10 + 35),
                        Esc(&label)
                    );
                }
            }
        }
    }
    let _ = write!(
        out,
        "<line x1=\"8\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"nkc-g\" stroke-width=\"0.5\"/>",
        y + ROW_H,
        WIDTH - 12,
        y + ROW_H
    );
}

/// Where a span falls on the wall clock: one bar per day (a span crossing midnight
/// gives two), split where the wall clock jumps. An hour that begins before midnight
/// on the wall clock (after an offset change of a fraction of an hour) ends on the
/// next day.
fn bars(calendar: &Calendar, span: &Span) -> Vec<Bar> {
    let mut out: Vec<Bar> = Vec::new();
    for slot in calendar
        .slots
        .iter()
        .filter(|s| s.end_ms > span.start_ms && s.start_ms < span.end_ms)
    {
        let from_ms = span.start_ms.max(slot.start_ms);
        let to_ms = span.end_ms.min(slot.end_ms);
        let start = slot.day * DAY_MINUTES + slot.minute + (from_ms - slot.start_ms) / MINUTE_MS;
        let end = start + (to_ms - from_ms) / MINUTE_MS;
        let midnight = (start.div_euclid(DAY_MINUTES) + 1) * DAY_MINUTES;
        for (from, to) in [(start, end.min(midnight)), (midnight, end)] {
            let day = from.div_euclid(DAY_MINUTES);
            if from >= to || !(0..7).contains(&day) {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.day == day && last.to == from => last.to = to,
                _ => out.push(Bar { day, from, to }),
            }
        }
    }
    out
}

/// Hatches the wall-clock hours that do not exist (clocks springing forward).
fn draw_gaps(out: &mut String, calendar: &Calendar, rows_h: i64) {
    let mut covered = [[false; 24]; 7];
    for slot in &calendar.slots {
        let last = (slot.minute + (slot.end_ms - slot.start_ms) / MINUTE_MS - 1).min(1439);
        for minute in [slot.minute, last] {
            let hour = usize::try_from(minute / 60).ok();
            if let Some(cell) = usize::try_from(slot.day)
                .ok()
                .and_then(|d| covered.get_mut(d))
                .zip(hour)
                .and_then(|(day, h)| day.get_mut(h))
            {
                *cell = true;
            }
        }
    }
    for (d, day) in covered.iter().enumerate() {
        for (h, seen) in day.iter().enumerate() {
            if *seen {
                continue;
            }
            let x = LABEL_W + whole(d) * DAY_W + whole(h) * HOUR_W;
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{TOP}\" width=\"{HOUR_W}\" height=\"{rows_h}\" fill=\"url(#nkc-hatch)\"><title>{h:02}:00–{:02}:00 does not exist this day: clocks go forward</title></rect>",
                h + 1
            );
        }
    }
}

fn draw_legend(out: &mut String, calendar: &Calendar, y: i64) {
    for (i, r) in calendar.rules.iter().enumerate() {
        let text = format!("{}: {}", r.name, r.set.describe());
        legend_item(out, i, y, Some((color(i), "1")), &text);
    }
    let k = calendar.rules.len();
    let notes = [
        (
            Some((color(0), "0.35")),
            "pale: no rule, left as the last rule set it",
        ),
        (
            Some(("url(#nkc-hatch)", "1")),
            "hatched: no rule and size unknown, or no such hour",
        ),
        (None, "first matching rule decides; times are wall-clock"),
    ];
    for (n, (swatch, text)) in notes.into_iter().enumerate() {
        legend_item(out, k + n, y, swatch, text);
    }
}

/// The `k`th item of the legend (three a row) whose first row is at `y`: a swatch
/// (fill, opacity), if any, and `text`.
fn legend_item(out: &mut String, k: usize, y: i64, swatch: Option<(&str, &str)>, text: &str) {
    let x = 8 + whole(k % 3) * LEGEND_COL;
    let ly = y + whole(k / 3) * LEGEND_ROW;
    if let Some((fill, opacity)) = swatch {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{fill}\" fill-opacity=\"{opacity}\" class=\"nkc-g\"/>",
            ly - 11
        );
    }
    let _ = write!(
        out,
        "<g><title>{}</title><text x=\"{}\" y=\"{ly}\" class=\"nkc-t\">{}</text></g>",
        Esc(text),
        x + 20,
        Esc(&clip(text, 52))
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::days_from_civil;
    use serde_json::json;

    /// UTC, then from Wednesday 2026-11-25 00:00 UTC a quarter hour ahead: the wall
    /// clock skips 00:00-00:15 and each later hour starts at :15.
    struct QuarterAhead;

    impl Zones for QuarterAhead {
        fn check(&self, _: &str) -> Result<(), String> {
            Ok(())
        }

        fn local(&self, _: &str, utc_ms: i64) -> Result<LocalTime, String> {
            let change = days_from_civil(2026, 11, 25) * DAY_MS;
            let wall = utc_ms + if utc_ms >= change { 15 * MINUTE_MS } else { 0 };
            Ok(LocalTime {
                day: wall.div_euclid(DAY_MS),
                minute: u16::try_from(wall.rem_euclid(DAY_MS) / MINUTE_MS).unwrap(),
                second: 0,
            })
        }
    }

    #[test]
    fn hours_are_written_exactly() {
        let text = |minutes: u16| Hours::of(f64::from(minutes) / 60.0).to_string();
        assert_eq!(text(168 * 60), "168 h");
        assert_eq!(text(0), "0 h");
        assert_eq!(text(167 * 60 + 30), "167.5 h");
        assert_eq!(text(23 * 60 + 6), "23.1 h");
        // Not a whole tenth: never rounded to a length it is not (a 23 h 57 min day
        // is not labelled 24 h).
        assert_eq!(text(167 * 60 + 15), "167 h 15 min");
        assert_eq!(text(23 * 60 + 57), "23 h 57 min");
        assert_eq!(text(24 * 60 + 3), "24 h 3 min");
        assert_eq!(text(9), "0 h 9 min");
    }

    #[test]
    fn pixels_are_written_to_the_hundredth() {
        let text = |minutes: i64| Fixed::hundredths(px(minutes)).to_string();
        assert_eq!(text(0), "0.00");
        assert_eq!(text(7), "0.58");
        assert_eq!(text(45), "3.75");
        assert_eq!(text(24 * 60), "120.00");
        assert_eq!(Fixed::tenths(855).to_string(), "85.5");
        assert_eq!(Fixed::hundredths(-150).to_string(), "-1.50");
    }

    #[test]
    fn an_hour_that_crosses_midnight_on_the_wall_clock_is_drawn_on_both_days() {
        let policy = Policy::from_value(
            &json!({ "timezone": "Quarter/Ahead", "rules": [
                { "name": "all", "cluster": "c", "nodegroup": "w", "node_count": 2 }
            ]}),
            &QuarterAhead,
        )
        .unwrap();
        let calendar = week(&policy, &QuarterAhead, days_from_civil(2026, 11, 23)).unwrap();
        let svg = svg(&calendar);
        assert!(svg.contains("· 167 h 45 min<"), "{svg}");
        // The hours that begin on a day count for it: from the change on, each begins
        // at :15, and Sunday's last one is cut short by Monday 00:00.
        assert!(svg.contains(">Sun 29 Nov (23 h 45 min)<"), "{svg}");
        // Wednesday from 00:15; Thursday whole, although its first quarter hour is
        // in the hour that began on Wednesday at 23:15.
        assert!(
            svg.contains("<rect x=\"431.25\" y=\"70\" width=\"118.75\""),
            "{svg}"
        );
        assert!(
            svg.contains("<rect x=\"550.00\" y=\"70\" width=\"120.00\""),
            "{svg}"
        );
        // A bar a day and three swatches.
        assert_eq!(svg.matches("<rect x=").count(), 7 + 3, "{svg}");
        assert!(!svg.contains("width=\"0.00\"") && !svg.contains("does not exist"));
    }
}
