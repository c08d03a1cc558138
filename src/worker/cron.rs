//! The number of a cron tick in its trigger's series. The planner's rotation moves one
//! slice of the fleet per tick; counted as `at / period`, a trigger whose gaps differ
//! (`*/5 9-18 * * *`: 5 minutes by day, 14 hours overnight) would move it once a day
//! at most, and one shorter than the count's period would skip slices. Counting the
//! trigger's own firings moves it exactly one step from each firing to the next.

/// Minutes in a day.
const DAY_MINUTES: i64 = 24 * 60;
/// 1970-01-01, day 0 of the count, was a Thursday (Sunday is 0).
const EPOCH_WEEKDAY: i64 = 4;

/// The number of the tick of trigger `cron` at `at_ms`: its [`firings`], or for a
/// trigger they cannot be counted for, a number scrambled from the minute, so that
/// its ticks land on the fleet's slices at random (each is reached, without a bound)
/// rather than, as any fixed count could, on the same slice every time.
pub fn tick_number(cron: &str, at_ms: i64) -> i64 {
    firings(cron, at_ms).unwrap_or_else(|| scrambled(at_ms.div_euclid(60_000)))
}

/// How many times `cron` (`minute hour day month weekday`, UTC, as Cloudflare reads
/// it) has fired from 1970-01-01T00:00Z up to and including `at_ms`: consecutive
/// firings have consecutive numbers. Read from the minute, hour and weekday fields
/// (numbers, `*`, ranges, also wrapping past the field's end, steps, lists; weekdays
/// 1-7 from Sunday, or `SUN`…`SAT`); `None` when the day of month or the month is
/// restricted, or a field is not of that syntax (`L`, `#`).
pub fn firings(cron: &str, at_ms: i64) -> Option<i64> {
    let mut fields = cron.split_whitespace();
    let minutes = values(fields.next()?, 0, 59)?;
    let hours = values(fields.next()?, 0, 23)?;
    if fields.next()? != "*" || fields.next()? != "*" {
        return None;
    }
    // Bit d (0 = Sunday) for each weekday it fires on.
    let weekdays = values(fields.next()?, 1, 7)? >> 1;
    if fields.next().is_some() {
        return None;
    }
    let per_hour = i64::from(minutes.count_ones());
    let per_day = per_hour * i64::from(hours.count_ones());
    let fires_on = |day: i64| weekdays & (1 << (day + EPOCH_WEEKDAY).rem_euclid(7)) != 0;

    let minute = at_ms.div_euclid(60_000);
    let (today, now) = (
        minute.div_euclid(DAY_MINUTES),
        minute.rem_euclid(DAY_MINUTES),
    );
    // The days before today it fired on: whole weeks, then the days of the last one.
    let week_days = i64::from(weekdays.count_ones());
    let rest = (today - today.rem_euclid(7)..today)
        .filter(|d| fires_on(*d))
        .count();
    let days = today.div_euclid(7) * week_days + i64::try_from(rest).ok()?;
    // Today's firings up to `now`: the hours before this one, then this hour's.
    let (hour, minute) = (now / 60, now % 60);
    let today_firings = if fires_on(today) {
        i64::from((hours & ((1u64 << hour) - 1)).count_ones()) * per_hour
            + if hours & (1 << hour) != 0 {
                i64::from((minutes & ((2u64 << minute) - 1)).count_ones())
            } else {
                0
            }
    } else {
        0
    };
    Some(days * per_day + today_firings)
}

/// The values a field allows (`*`, `N`, `A-B`, each with an optional `/STEP`, and for
/// weekdays their names; comma-separated), as a set of bits `min..=max`. A range
/// whose end is below its start wraps past the field's end (`22-2`, `SAT-SUN`), its
/// step counted across the wrap, as Cloudflare reads it.
fn values(field: &str, min: u32, max: u32) -> Option<u64> {
    let span = max - min + 1;
    let mut set = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (
                range,
                Some(digits(step)?).filter(|s| (1..span).contains(s))?,
            ),
            None => (part, 1),
        };
        let number = |text: &str| {
            digits(text)
                .or_else(|| weekday(text, max))
                .filter(|n| (min..=max).contains(n))
        };
        let (low, high) = match range.split_once('-') {
            _ if range == "*" => (min, max),
            Some((low, high)) => (number(low)?, number(high)?),
            // `N/STEP` runs from N to the field's end.
            None if part.contains('/') => (number(range)?, max),
            None => {
                let n = number(range)?;
                (n, n)
            }
        };
        // Past `max`, a value wraps round to `min`.
        let count = if low <= high {
            high - low + 1
        } else {
            span - (low - high) + 1
        };
        set |= (0..count)
            .step_by(step as usize)
            .map(|k| min + (low - min + k) % span)
            .fold(0, |s, v| s | 1 << v);
    }
    (set != 0).then_some(set)
}

/// A number of ASCII digits only (Cloudflare refuses `+5`).
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A weekday's name (`SUN`…`SAT`, any case) as its number 1…7, in the weekday field
/// (`max` 7) only.
fn weekday(name: &str, max: u32) -> Option<u32> {
    const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    if max != 7 {
        return None;
    }
    let at = NAMES.iter().position(|n| n.eq_ignore_ascii_case(name))?;
    u32::try_from(at).ok().map(|d| d + 1)
}

/// SplitMix64's finalizer: consecutive inputs give unrelated outputs (non-negative).
fn scrambled(n: i64) -> i64 {
    let mut z = u64::from_ne_bytes(n.to_ne_bytes()).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    // Below 2^63 once shifted: always an i64.
    i64::try_from((z ^ (z >> 31)) >> 1).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{firings, tick_number};

    const MIN: i64 = 60_000;
    const DAY: i64 = 24 * 60 * MIN;
    /// 2026-11-27T00:00Z, a Friday.
    const FRIDAY: i64 = 1_795_737_600_000;

    /// The minutes of the 15 days from `FRIDAY`, and of the 15 from 1969-12-26 (a
    /// Friday too, across the count's start), at which the count moves, and by how
    /// much: it must move by one, at exactly the minutes `fires` says.
    fn check(cron: &str, fires: impl Fn(i64, i64, i64) -> bool) {
        for start in [FRIDAY, -6 * DAY] {
            let mut last = firings(cron, start - MIN).unwrap();
            for m in 0..15 * 24 * 60 {
                let now = firings(cron, start + m * MIN).unwrap();
                // Day from the Friday (0), hour, minute.
                let expected = fires(m / (24 * 60), m / 60 % 24, m % 60);
                assert_eq!(
                    now - last,
                    i64::from(expected),
                    "{cron} at minute {m} from {start}"
                );
                last = now;
            }
        }
    }

    #[test]
    fn each_firing_moves_the_count_by_one() {
        check("*/5 * * * *", |_, _, m| m % 5 == 0);
        check("* * * * *", |_, _, _| true);
        // Uneven gaps: 5 minutes by day, then 14 hours 5 minutes overnight.
        check("*/5 9-18 * * *", |_, h, m| {
            (9..=18).contains(&h) && m % 5 == 0
        });
        check("*/7 * * * *", |_, _, m| m % 7 == 0);
        check("0,10 * * * *", |_, _, m| m == 0 || m == 10);
        check("5/20 8-9 * * *", |_, h, m| {
            (h == 8 || h == 9) && m % 20 == 5
        });
        check("5/1 23 * * *", |_, h, m| h == 23 && m >= 5);
        check("59 23 * * *", |_, h, m| h == 23 && m == 59);
        // Ranges past the field's end wrap round, the step across the wrap.
        check("50-10/5 22-2 * * *", |_, h, m| {
            (h >= 22 || h <= 2) && (m >= 50 || m <= 10) && m % 5 == 0
        });
    }

    #[test]
    fn weekdays_count_from_sunday_as_one_and_by_name() {
        // Day 0 is a Friday: Monday to Friday are days 0, 3-7, 10-14.
        let weekday = |d: i64| !matches!(d % 7, 1 | 2);
        check("*/10 * * * MON-FRI", |d, _, m| weekday(d) && m % 10 == 0);
        check("*/10 * * * 2-6", |d, _, m| weekday(d) && m % 10 == 0);
        check("0 17 * * sun", |d, h, m| d % 7 == 2 && h == 17 && m == 0);
        check("0 17 * * 1", |d, h, m| d % 7 == 2 && h == 17 && m == 0);
        check("0 9 * * fri,7", |d, h, m| d % 7 <= 1 && h == 9 && m == 0);
        check("0 9 * * SAT-SUN", |d, h, m| {
            matches!(d % 7, 1 | 2) && h == 9 && m == 0
        });
        check("0 9 * * FRI-MON", |d, h, m| d % 7 <= 3 && h == 9 && m == 0);
        check("15 6 * * 1/3", |d, h, m| {
            matches!(d % 7, 2 | 5 | 1) && h == 6 && m == 15
        });
    }

    #[test]
    fn the_count_is_the_firings_since_1970() {
        // Every minute: the minutes since the epoch, plus the one at 00:00.
        assert_eq!(firings("* * * * *", FRIDAY), Some(FRIDAY / MIN + 1));
        // Daily at 00:00: one a day, today's included.
        assert_eq!(firings("0 0 * * *", FRIDAY), Some(FRIDAY / DAY + 1));
        assert_eq!(firings("0 0 * * *", 0), Some(1));
        assert_eq!(firings("0 1 * * *", 0), Some(0));
        assert_eq!(firings("0 0 * * *", -1), Some(0));
    }

    #[test]
    fn triggers_of_other_syntax_have_none() {
        for cron in [
            "",
            "*/5",
            "*/5 * * *",
            "*/0 * * * *",
            "*/60 * * * *",
            "+5 * * * *",
            "60 * * * *",
            "* 24 * * *",
            "x * * * *",
            "0 3 1 * *",
            "0 3 * JAN *",
            "0 3 ? * MON",
            "0 3 * * ?",
            "0 3 * * 0",
            "0 3 * * 8",
            "0 3 * * MON#2",
            "0 18 * * 6L",
            "0 3 * * MONDAY",
            "MON * * * *",
            "* * * * * *",
        ] {
            assert_eq!(firings(cron, FRIDAY), None, "{cron:?}");
        }
    }

    /// The ticks of a trigger whose firings are not counted land on every slice of a
    /// fleet cut in two to twelve (over 120 ticks: ten years of a monthly one), where a
    /// fixed count would not: in 5-minute steps, ticks at 03:00 are all 36 modulo
    /// 2, 3, 4, 6, 9 and 12; in days, last Fridays 35 days apart are all one modulo 7.
    #[test]
    fn the_ticks_of_other_triggers_land_on_every_slice() {
        let monthly = (0..120).map(|k| FRIDAY + k * 30 * DAY + 3 * 60 * MIN);
        let fridays = (0..120).map(|k| FRIDAY + k * 35 * DAY + 18 * 60 * MIN);
        for (cron, ticks) in [
            ("0 3 1 * *", monthly.collect::<Vec<_>>()),
            ("0 18 * * 6L", fridays.collect()),
        ] {
            for slices in 2..=12 {
                let mut reached: Vec<i64> = ticks
                    .iter()
                    .map(|at| tick_number(cron, *at).rem_euclid(slices))
                    .collect();
                reached.sort_unstable();
                reached.dedup();
                assert_eq!(
                    reached,
                    (0..slices).collect::<Vec<_>>(),
                    "{cron}: {slices} slices"
                );
            }
        }
        // Counted triggers get their count.
        assert_eq!(tick_number("0 0 * * *", FRIDAY), FRIDAY / DAY + 1);
    }
}
