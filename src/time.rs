//! Instants as milliseconds since the Unix epoch: RFC 3339 (`at` values and Identity's
//! `expires`, always with an offset), HTTP dates (`Retry-After`), and JavaScript's date range, which every
//! instant handed to the runtime must respect. No time-zone data is needed here.

use std::fmt;

/// The farthest a JavaScript `Date` reaches from the epoch, either way: 8.64e15 ms
/// (100,000,000 days; years −271821 to 275760). Beyond it, `Intl` and `Date` throw.
pub const MAX_INSTANT_MS: i64 = 8_640_000_000_000_000;

/// Why a value is not an instant. The messages describe the problem without quoting
/// the value, so they can name the field they came from (`at: …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstantError {
    /// Not a finite number of milliseconds (NaN or an infinity).
    NotFinite,
    /// Beyond JavaScript's date range, ±[`MAX_INSTANT_MS`] from 1970-01-01T00:00:00Z.
    OutOfRange,
    /// Not of the form `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`: what was expected
    /// where the text stopped matching.
    Format(&'static str),
    /// A field beyond its calendar range: `month`, `day`, `hour`, `minute`, `second`
    /// or `offset`.
    Field(&'static str),
    /// No offset: without `Z` or `±HH:MM` the time could be on any clock.
    MissingOffset,
}

impl fmt::Display for InstantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantError::NotFinite => f.write_str("is not a finite number of milliseconds"),
            InstantError::OutOfRange => f.write_str(
                "is outside JavaScript's date range (8.64e15 ms either side of 1970-01-01T00:00:00Z)",
            ),
            InstantError::Format(expected) => write!(
                f,
                "is not an RFC 3339 instant like 2026-11-26T09:00:00+09:00 (expected {expected})"
            ),
            InstantError::Field(field) => write!(f, "has no such {field}"),
            InstantError::MissingOffset => f.write_str(
                "has no offset: end it with Z (UTC) or ±HH:MM, as in 2026-11-26T09:00:00+09:00",
            ),
        }
    }
}

impl std::error::Error for InstantError {}

/// Checks that `ms` (milliseconds since the epoch, from JavaScript: a number, a
/// `Date`'s time, a cron event's `scheduledTime`) is an instant JavaScript can hold,
/// and returns it as whole milliseconds (truncated toward zero, as `Date` does).
pub fn check_instant_ms(ms: f64) -> Result<i64, InstantError> {
    if !ms.is_finite() {
        return Err(InstantError::NotFinite);
    }
    let whole = ms.trunc();
    // Exact: 8.64e15 < 2^53.
    #[allow(clippy::cast_precision_loss)]
    if whole.abs() > MAX_INSTANT_MS as f64 {
        return Err(InstantError::OutOfRange);
    }
    // In range, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation)]
    Ok(whole as i64)
}

/// `ms` if JavaScript can hold it: [`check_instant_ms`] for instants that are
/// already whole milliseconds (Rust callers of `plan` and `reconcile`).
pub fn in_js_range(ms: i64) -> Result<i64, InstantError> {
    if (-MAX_INSTANT_MS..=MAX_INSTANT_MS).contains(&ms) {
        Ok(ms)
    } else {
        Err(InstantError::OutOfRange)
    }
}

/// Parses an RFC 3339 instant, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, into
/// milliseconds since the epoch (a fraction beyond milliseconds is truncated). The
/// offset is required; the year has 4 digits; a leap second (`:60`) reads as `:59`.
pub fn parse_instant(text: &str) -> Result<i64, InstantError> {
    parse(text, Offset::Required)
}

/// [`parse_instant`] for a value from a URL's query, after form decoding: there a
/// `+` that was not percent-encoded has become a space, so a space exactly where the
/// offset's sign goes reads as `+` (`2026-11-26T09:00:00 09:00`).
pub fn parse_query_instant(text: &str) -> Result<i64, InstantError> {
    parse(text, Offset::SpaceIsPlus)
}

/// [`parse_instant`], for callers that need only whether the text is an instant.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    parse_instant(text).ok()
}

/// How the offset at the end of an RFC 3339 text is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Offset {
    Required,
    SpaceIsPlus,
}

/// A position in ASCII text, read field by field.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    /// The next byte, if it is one of `accepted`.
    fn take(&mut self, accepted: &[u8]) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        accepted.contains(&b).then(|| {
            self.rest = rest;
            b
        })
    }

    fn expect(&mut self, accepted: &[u8], expected: &'static str) -> Result<u8, InstantError> {
        self.take(accepted).ok_or(InstantError::Format(expected))
    }

    /// Exactly `n` ASCII digits.
    fn number(&mut self, n: usize, expected: &'static str) -> Result<u32, InstantError> {
        let digits = self.rest.get(..n).ok_or(InstantError::Format(expected))?;
        let mut value = 0u32;
        for &b in digits {
            if !b.is_ascii_digit() {
                return Err(InstantError::Format(expected));
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.rest = self.rest.get(n..).unwrap_or_default();
        Ok(value)
    }
}

fn parse(text: &str, offset: Offset) -> Result<i64, InstantError> {
    let mut c = Cursor {
        rest: text.as_bytes(),
    };
    let year = c.number(4, "a 4-digit year")?;
    c.expect(b"-", "'-' after the year")?;
    let month = c.number(2, "a 2-digit month")?;
    c.expect(b"-", "'-' after the month")?;
    let day = c.number(2, "a 2-digit day")?;
    c.expect(b"Tt ", "'T' after the date")?;
    let hour = c.number(2, "a 2-digit hour")?;
    c.expect(b":", "':' after the hour")?;
    let minute = c.number(2, "2-digit minutes")?;
    c.expect(b":", "':' after the minutes")?;
    let second = c.number(2, "2-digit seconds")?;
    let mut millis = 0;
    if c.take(b".").is_some() {
        let mut count = 0;
        while let Some(b) = c.take(b"0123456789") {
            if count < 3 {
                millis = millis * 10 + i64::from(b - b'0');
            }
            count += 1;
        }
        if count == 0 {
            return Err(InstantError::Format("digits after '.'"));
        }
        for _ in count..3 {
            millis *= 10;
        }
    }
    let signs: &[u8] = match offset {
        Offset::Required => b"+-",
        Offset::SpaceIsPlus => b"+- ",
    };
    let offset_minutes = if c.rest.is_empty() {
        return Err(InstantError::MissingOffset);
    } else if c.take(b"Zz").is_some() {
        0
    } else {
        let sign = c.expect(signs, "Z or an offset ±HH:MM after the time")?;
        let oh = c.number(2, "a 2-digit offset hour")?;
        c.expect(b":", "':' in the offset")?;
        let om = c.number(2, "2-digit offset minutes")?;
        if oh > 23 || om > 59 {
            return Err(InstantError::Field("offset"));
        }
        let minutes = i64::from(oh * 60 + om);
        if sign == b'-' {
            -minutes
        } else {
            minutes
        }
    };
    if !c.rest.is_empty() {
        return Err(InstantError::Format("the end of the text after the offset"));
    }
    // A leap second is the last second of its minute, as far as milliseconds go.
    let second = if second == 60 { 59 } else { second };
    let ms = epoch_ms(i64::from(year), month, day, hour, minute, second)?;
    in_js_range(ms + millis - offset_minutes * 60_000)
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (days since 1970-01-01): `(year, month, day)`.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is in 1..=31 and month in 1..=12 by construction.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (year, month as u32, day as u32)
}

/// Day of the week of a day number, Monday = 0.
pub(crate) fn weekday(days: i64) -> u8 {
    // 1970-01-01 was a Thursday (3); the result is in 0..7.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let day = (days + 3).rem_euclid(7) as u8;
    day
}

pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// The day number (days since 1970-01-01) of a `YYYY-MM-DD` date; `None` when it is
/// not one or names no day of the calendar.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    epoch_ms(y, m, d, 0, 0, 0).ok()?;
    Some(days_from_civil(y, m, d))
}

/// Milliseconds since the epoch of a calendar date and time (seconds 0..=59).
pub(crate) fn epoch_ms(
    year: i64,
    month: u32,
    day: u32,
    h: u32,
    m: u32,
    s: u32,
) -> Result<i64, InstantError> {
    if !(1..=12).contains(&month) {
        return Err(InstantError::Field("month"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(InstantError::Field("day"));
    }
    for (value, max, field) in [(h, 23, "hour"), (m, 59, "minute"), (s, 59, "second")] {
        if value > max {
            return Err(InstantError::Field(field));
        }
    }
    // Years beyond JavaScript's range would overflow below; none of them is an instant.
    if year.unsigned_abs() > 300_000 {
        return Err(InstantError::OutOfRange);
    }
    let secs = days_from_civil(year, month, day) * 86_400
        + i64::from(h) * 3600
        + i64::from(m) * 60
        + i64::from(s);
    Ok(secs * 1000)
}

/// The instant `at_ms` as RFC 3339 on a clock `offset_minutes` ahead of UTC
/// (`2026-11-26T09:00:00+09:00`), to the second. Years outside 0000–9999 take
/// ISO 8601's expanded form (`+275760-09-13T00:00:00+00:00`), as `Date.toISOString`
/// writes them. An offset of a day or more is no offset: the instant is shown in UTC.
pub fn format_instant(at_ms: i64, offset_minutes: i64) -> String {
    let offset_minutes = if offset_minutes.abs() < 24 * 60 {
        offset_minutes
    } else {
        0
    };
    let local = at_ms.div_euclid(1000).saturating_add(offset_minutes * 60);
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let second_of_day = local.rem_euclid(86_400);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.abs();
    let year = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        format!("{}{:06}", if y < 0 { '-' } else { '+' }, y.unsigned_abs())
    };
    format!(
        "{year}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        off / 60,
        off % 60
    )
}

/// Parses an HTTP date in the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_http_date_ms(text: &str) -> Option<i64> {
    let mut it = text.split_whitespace();
    let _weekday = it.next()?;
    let field = |text: &str, n: usize| {
        let mut c = Cursor {
            rest: text.as_bytes(),
        };
        let value = c.number(n, "digits").ok()?;
        c.rest.is_empty().then_some(value)
    };
    let day = field(it.next()?, 2)?;
    let month = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = i64::from(field(it.next()?, 4)?);
    let mut hms = it.next()?.split(':');
    let (h, m, s) = (
        field(hms.next()?, 2)?,
        field(hms.next()?, 2)?,
        field(hms.next()?, 2)?,
    );
    if hms.next().is_some() || it.next()? != "GMT" || it.next().is_some() {
        return None;
    }
    epoch_ms(year, month, day, h, m, if s == 60 { 59 } else { s }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_forms() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_ms("2026-11-26T09:00:00+09:00"),
            parse_rfc3339_ms("2026-11-26T00:00:00Z")
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-26T20:27:48.123456Z"),
            Some(1_795_724_868_123)
        );
        assert_eq!(
            parse_rfc3339_ms("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-26T24:00:00Z",
            "2026-11-26 09:00",
            "2026-11-26T09:00:00+0900",
            "2026-11-26T09:00:00.Z",
            "2026-11-26T20:27:48",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-1, 0, 59, 11_016, 19_782, 20_418, 47_482] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(weekday(0), 3); // Thursday
        assert_eq!(weekday(days_from_civil(2026, 11, 26)), 3); // Thursday
        assert_eq!(weekday(days_from_civil(2026, 11, 23)), 0); // Monday
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date_ms("soon"), None);
    }
}
