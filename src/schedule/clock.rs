//! Wall-clock time in a time zone: [`LocalTime`], and the [`Zones`] that compute it.
//!
//! On wasm32 the runtime's `Intl.DateTimeFormat` knows the IANA database (`IntlZones`,
//! about 5 KB of wasm instead of a bundled database of 100 KB or more); native callers
//! bring their own implementation (the tests use jiff's bundled database).

use crate::time::{civil_from_days, days_from_civil, epoch_ms, weekday};

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
        epoch_ms(year, month, day, h, m, s)?;
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
        (self.day * 86_400 + i64::from(self.minute) * 60 + i64::from(self.second)) * 1000
    }

    /// `2026-11-26T09:00:00+09:00`, given the instant this local time shows.
    pub fn rfc3339(&self, at_ms: i64) -> String {
        let (y, mo, d) = civil_from_days(self.day);
        let offset_min = (self.as_utc_ms() - at_ms.div_euclid(1000) * 1000).div_euclid(60_000);
        let sign = if offset_min < 0 { '-' } else { '+' };
        let off = offset_min.abs();
        format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.minute / 60,
            self.minute % 60,
            self.second,
            off / 60,
            off % 60
        )
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
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// `Intl.DateTimeFormat`, bound here so that a bad zone name is a caught
        /// `RangeError`, not a trap.
        #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
        type Formatter;
        #[wasm_bindgen(constructor, js_namespace = Intl, js_class = DateTimeFormat, catch)]
        fn new(locale: &str, options: &JsValue) -> Result<Formatter, JsValue>;
        #[wasm_bindgen(method, js_name = formatToParts)]
        fn format_to_parts(this: &Formatter, date: f64) -> js_sys::Array;
    }

    /// Time zones from the runtime's `Intl`, one cached formatter per zone (a policy
    /// names one or a few: a list is smaller in wasm than a hash map).
    #[derive(Default)]
    pub struct IntlZones {
        formatters: RefCell<Vec<(String, Formatter)>>,
    }

    impl IntlZones {
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
                ("year", "numeric"),
                ("month", "numeric"),
                ("day", "numeric"),
                ("hour", "numeric"),
                ("minute", "numeric"),
                ("second", "numeric"),
            ] {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
            let formatter = Formatter::new("en-US", &options)
                .map_err(|_| format!("{zone:?} is not an IANA time zone"))?;
            let result = f(&formatter);
            self.formatters
                .borrow_mut()
                .push((zone.to_owned(), formatter));
            Ok(result)
        }
    }

    impl Zones for IntlZones {
        fn check(&self, zone: &str) -> Result<(), String> {
            self.with_formatter(zone, |_| ())
        }

        fn local(&self, zone: &str, utc_ms: i64) -> Result<LocalTime, String> {
            // Milliseconds since the epoch are exact in an f64 for ±285,000 years.
            #[allow(clippy::cast_precision_loss)]
            let parts = self.with_formatter(zone, |f| f.format_to_parts(utc_ms as f64))?;
            let mut fields = [0u32; 6];
            let mut year = 0i64;
            for part in parts.iter() {
                let get = |k: &str| {
                    js_sys::Reflect::get(&part, &k.into())
                        .ok()
                        .and_then(|v| v.as_string())
                        .unwrap_or_default()
                };
                let value = get("value");
                let slot = match get("type").as_str() {
                    "year" => {
                        year = value.parse().unwrap_or(0);
                        continue;
                    }
                    "month" => 1,
                    "day" => 2,
                    "hour" => 3,
                    "minute" => 4,
                    "second" => 5,
                    _ => continue,
                };
                if let Some(field) = fields.get_mut(slot) {
                    *field = value.parse().unwrap_or(0);
                }
            }
            let [_, month, day, hour, minute, second] = fields;
            LocalTime::from_fields(year, month, day, hour % 24, minute, second)
                .ok_or_else(|| format!("Intl gave an impossible time in {zone}"))
        }
    }
}
