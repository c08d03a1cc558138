//! Wall-clock time in a time zone: [`LocalTime`], and the [`Zones`] that compute it.
//!
//! On wasm32 the runtime's `Intl.DateTimeFormat` knows the IANA database (`IntlZones`,
//! about 5 KB of wasm instead of a bundled database of 100 KB or more); native callers
//! bring their own implementation (the tests use jiff's bundled database).

use crate::time::{days_from_civil, epoch_ms, format_instant, weekday};

/// A local date and time, as a clock on the wall shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    /// Days since 1970-01-01 of the local date.
    pub day: i64,
    /// Minutes since local midnight (0..1440).
    pub minute: u16,
    /// Seconds within the minute.
    pub second: u8,
}

impl LocalTime {
    /// From calendar fields; `None` if one is out of range.
    pub fn from_fields(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<Self> {
        epoch_ms(year, month, day, h, m, s).ok()?;
        Some(LocalTime {
            day: days_from_civil(year, month, day),
            minute: u16::try_from(h * 60 + m).ok()?,
            second: u8::try_from(s).ok()?,
        })
    }

    /// Day of the week, Monday = 0.
    pub fn weekday(&self) -> u8 {
        weekday(self.day)
    }

    /// These fields read as if they were UTC, in milliseconds since the epoch.
    pub fn as_utc_ms(&self) -> i64 {
        self.day
            .saturating_mul(86_400)
            .saturating_add(i64::from(self.minute) * 60 + i64::from(self.second))
            .saturating_mul(1000)
    }

    /// `2026-11-26T09:00:00+09:00`: the instant `at_ms`, which this local time shows,
    /// with the offset of this clock. RFC 3339 offsets are whole minutes: when the
    /// zone's offset has seconds too (local mean time before 1900, such as Seoul's
    /// +08:27:52), they are dropped from the offset and the time, so that the text
    /// still names the instant `at_ms` to the second.
    pub fn rfc3339(&self, at_ms: i64) -> String {
        let offset_seconds =
            (self.as_utc_ms().div_euclid(1000)).saturating_sub(at_ms.div_euclid(1000));
        format_instant(at_ms, offset_seconds / 60)
    }
}

/// Converts instants to wall-clock time in IANA time zones.
pub trait Zones {
    /// Checks that `zone` is a time zone this implementation knows.
    fn check(&self, zone: &str) -> Result<(), String>;
    /// The wall-clock time in `zone` at `utc_ms` (milliseconds since the epoch).
    fn local(&self, zone: &str, utc_ms: i64) -> Result<LocalTime, String>;
}

#[cfg(target_arch = "wasm32")]
pub use intl::IntlZones;

#[cfg(target_arch = "wasm32")]
mod intl {
    use super::{LocalTime, Zones};
    use crate::time::{civil_from_days, in_js_range};
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// `Intl.DateTimeFormat`, bound with `catch`: a bad zone name throws a
        /// `RangeError`, and an exception must never unwind through wasm.
        #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
        type Formatter;
        #[wasm_bindgen(constructor, js_namespace = Intl, js_class = DateTimeFormat, catch)]
        fn new(locale: &str, options: &JsValue) -> Result<Formatter, JsValue>;
    }

    #[wasm_bindgen(module = "/js/intl.mjs")]
    extern "C" {
        /// The wall clock an en-US formatter (month before day, as `with_formatter`
        /// makes) shows at `ms`, its fields packed in one number (one crossing, not
        /// two per part of `formatToParts`); -1 when `Intl` cannot show it. Never
        /// throws.
        #[wasm_bindgen(js_name = wallClock)]
        fn wall_clock(formatter: &Formatter, ms: f64) -> f64;
    }

    /// Time zones from the runtime's `Intl`, one cached formatter per zone (a policy
    /// names one or a few: a list is smaller in wasm than a hash map), each with the
    /// last time it gave (a tick asks for its instant once per cluster).
    #[derive(Default)]
    pub struct IntlZones {
        formatters: RefCell<Vec<(String, Formatter)>>,
        last: RefCell<Option<(String, i64, LocalTime)>>,
    }

    /// The most formatters an [`IntlZones`] keeps (the oldest goes first): a policy
    /// names a few zones, and one that checks policies from elsewhere must not keep one
    /// for every spelling it is sent (`Intl` takes any case).
    const MAX_FORMATTERS: usize = 16;

    impl IntlZones {
        /// How many zones' formatters are kept (a bounded number: the oldest go first).
        pub fn cached(&self) -> usize {
            self.formatters.borrow().len()
        }

        fn with_formatter<R>(
            &self,
            zone: &str,
            f: impl FnOnce(&Formatter) -> R,
        ) -> Result<R, String> {
            if let Some((_, formatter)) = self.formatters.borrow().iter().find(|(z, _)| z == zone) {
                return Ok(f(formatter));
            }
            let options = js_sys::Object::new();
            for (key, value) in [
                ("timeZone", zone),
                ("hourCycle", "h23"),
                ("month", "numeric"),
                ("day", "numeric"),
                ("hour", "numeric"),
                ("minute", "numeric"),
                ("second", "numeric"),
            ] {
                js_sys::Reflect::set(&options, &key.into(), &value.into())
                    .map_err(|_| "Intl.DateTimeFormat options could not be set".to_owned())?;
            }
            let formatter = Formatter::new("en-US", &options)
                .map_err(|_| format!("{zone:?} is not an IANA time zone"))?;
            let result = f(&formatter);
            let mut formatters = self.formatters.borrow_mut();
            if formatters.len() >= MAX_FORMATTERS {
                formatters.remove(0);
            }
            formatters.push((zone.to_owned(), formatter));
            Ok(result)
        }
    }

    impl Zones for IntlZones {
        fn check(&self, zone: &str) -> Result<(), String> {
            self.with_formatter(zone, |_| ())
        }

        fn local(&self, zone: &str, utc_ms: i64) -> Result<LocalTime, String> {
            if let Some((z, at, local)) = self.last.borrow().as_ref() {
                if *at == utc_ms && z == zone {
                    return Ok(*local);
                }
            }
            let local = self.read(zone, utc_ms)?;
            let mut last = self.last.borrow_mut();
            match last.as_mut() {
                Some((z, at, kept)) => {
                    z.clear();
                    z.push_str(zone);
                    (*at, *kept) = (utc_ms, local);
                }
                None => *last = Some((zone.to_owned(), utc_ms, local)),
            }
            Ok(local)
        }
    }

    impl IntlZones {
        /// [`Zones::local`], read from `Intl`. The year is not: before year 1 it gives
        /// the year of an era (`1` for year 0) and would need the locale's era names. A
        /// wall clock is less than a day from UTC, so the local year is the UTC year,
        /// or the next or previous one across New Year.
        fn read(&self, zone: &str, utc_ms: i64) -> Result<LocalTime, String> {
            let utc_ms = in_js_range(utc_ms).map_err(|e| format!("{utc_ms} ms {e}"))?;
            // Exact: within JavaScript's range, milliseconds fit an f64's 53 bits.
            #[allow(clippy::cast_precision_loss)]
            let packed = self.with_formatter(zone, |f| wall_clock(f, utc_ms as f64))?;
            if packed < 0.0 {
                return Err(format!("Intl could not show {utc_ms} ms in {zone}"));
            }
            // month·10⁸ + day·10⁶ + hour·10⁴ + minute·10² + second (js/intl.mjs), each
            // field below 100: whole and below 10¹⁰, exact as a u64.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let mut packed = packed as u64;
            let mut fields = [0u32; 5];
            for field in fields.iter_mut().rev() {
                *field = u32::try_from(packed % 100).unwrap_or(u32::MAX);
                packed /= 100;
            }
            let [month, day, hour, minute, second] = fields;
            let impossible = || format!("Intl gave an impossible time in {zone}");
            let (utc_year, utc_month, _) = civil_from_days(utc_ms.div_euclid(86_400_000));
            let year = match (utc_month, month) {
                (12, 1) => utc_year + 1,
                (1, 12) => utc_year - 1,
                _ => utc_year,
            };
            let local = LocalTime::from_fields(year, month, day, hour % 24, minute, second)
                .ok_or_else(impossible)?;
            if (local.as_utc_ms() - utc_ms).abs() >= 86_400_000 {
                return Err(impossible());
            }
            Ok(local)
        }
    }
}
