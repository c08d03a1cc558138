//! The period of the Worker's cron trigger. The planner's rotation counts ticks as
//! `at / tick_ms`; with `tick_ms` shorter than the trigger's period, consecutive ticks
//! skip slices of the fleet (every 10 minutes against the default 5, half the fleet is
//! never reached). The period read here is the longest gap between the trigger's
//! firings in a day: where its gaps differ, a slice is served twice, never skipped.

/// The longest gap between the firings of `cron` (`minute hour day month weekday`)
/// in a day, in milliseconds, read from its minute and hour fields; `None` when they
/// are not plain numbers, ranges, steps and lists (the planner's default applies).
pub fn period_ms(cron: &str) -> Option<i64> {
    let mut fields = cron.split_whitespace();
    let minutes = values(fields.next()?, 59)?;
    let hours = values(fields.next()?, 23)?;
    let firings = (0..24u32).filter(|h| hours & (1 << h) != 0).flat_map(|h| {
        (0..60u32)
            .filter(move |m| minutes & (1 << m) != 0)
            .map(move |m| h * 60 + m)
    });
    let (mut first, mut last, mut longest) = (None, 0, 0);
    for minute in firings {
        match first {
            None => first = Some(minute),
            Some(_) => longest = longest.max(minute - last),
        }
        last = minute;
    }
    // Round the day: from the last firing to the first of the next day.
    let longest = longest.max(first? + 24 * 60 - last);
    Some(i64::from(longest) * 60_000)
}

/// The values a field allows (`*`, `N`, `A-B`, each with an optional `/STEP`;
/// comma-separated), as a set of bits `0..=max`.
fn values(field: &str, max: u32) -> Option<u64> {
    let mut set = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (low, high) = match range.split_once('-') {
            _ if range == "*" => (0, max),
            Some((low, high)) => (low.parse().ok()?, high.parse().ok()?),
            // `N/STEP` runs from N to the field's end.
            None if step > 1 => (range.parse().ok()?, max),
            None => {
                let n = range.parse().ok()?;
                (n, n)
            }
        };
        if low > high || high > max {
            return None;
        }
        set |= (low..=high)
            .step_by(step as usize)
            .fold(0, |s, v| s | 1 << v);
    }
    (set != 0).then_some(set)
}

#[cfg(test)]
mod tests {
    use super::period_ms;

    const MIN: i64 = 60_000;

    #[test]
    fn regular_triggers_have_their_period() {
        assert_eq!(period_ms("*/5 * * * *"), Some(5 * MIN));
        assert_eq!(period_ms("*/10 * * * *"), Some(10 * MIN));
        assert_eq!(period_ms("* * * * *"), Some(MIN));
        assert_eq!(period_ms("0,15,30,45 * * * *"), Some(15 * MIN));
        assert_eq!(period_ms("7 * * * *"), Some(60 * MIN));
        assert_eq!(period_ms("0 */6 * * *"), Some(360 * MIN));
        assert_eq!(period_ms("30 3 * * 1-5"), Some(24 * 60 * MIN));
        // 8:05 … 9:45, then 8:05 the next day.
        assert_eq!(period_ms("5/20 8-9 * * *"), Some((24 * 60 - 100) * MIN));
    }

    #[test]
    fn uneven_triggers_take_their_longest_gap() {
        // 0, 7, …, 56, then 0 of the next hour: gaps of 7 and 4 minutes.
        assert_eq!(period_ms("*/7 * * * *"), Some(7 * MIN));
        assert_eq!(period_ms("0,10 * * * *"), Some(50 * MIN));
    }

    #[test]
    fn unreadable_triggers_have_none() {
        for cron in [
            "",
            "*/0 * * * *",
            "60 * * * *",
            "5-1 * * * *",
            "* 24 * * *",
            "x * * * *",
            "*/5",
        ] {
            assert_eq!(period_ms(cron), None, "{cron:?}");
        }
    }
}
