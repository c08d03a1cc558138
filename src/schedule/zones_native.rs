//! Time zones natively (feature `native`, not wasm32): jiff's bundled IANA database,
//! so a server or CI job plans the same as a Worker (which uses `Intl`).

use super::{LocalTime, Zones};
use jiff::tz::TimeZone;

/// [`Zones`] from the IANA database compiled into the program (jiff's `tzdb-bundle-always`):
/// no dependency on the host's `/usr/share/zoneinfo`.
#[derive(Clone, Copy, Debug, Default)]
pub struct JiffZones;

impl Zones for JiffZones {
    fn check(&self, zone: &str) -> Result<(), String> {
        TimeZone::get(zone).map(|_| ()).map_err(|e| e.to_string())
    }

    fn local(&self, zone: &str, utc_ms: i64) -> Result<LocalTime, String> {
        let tz = TimeZone::get(zone).map_err(|e| e.to_string())?;
        let local = jiff::Timestamp::from_millisecond(utc_ms)
            .map_err(|e| e.to_string())?
            .to_zoned(tz);
        let field = |v: i8| u32::try_from(v).map_err(|e| e.to_string());
        LocalTime::from_fields(
            i64::from(local.year()),
            field(local.month())?,
            field(local.day())?,
            field(local.hour())?,
            field(local.minute())?,
            field(local.second())?,
        )
        .ok_or_else(|| format!("no wall-clock time in {zone} at {utc_ms} ms"))
    }
}
