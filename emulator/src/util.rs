//! Small helpers: a seeded random source, UUIDs, clock and time formatting,
//! percent-decoding, version comparison.

use std::time::{SystemTime, UNIX_EPOCH};

/// splitmix64: reproducible with `--rng-seed`, enough for ids and fault dice.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        // 53 random bits, exactly representable.
        #[allow(clippy::cast_precision_loss)]
        let x = (self.next_u64() >> 11) as f64;
        x / (1u64 << 53) as f64
    }

    /// A random version-4 UUID.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// `n` lowercase hex characters.
    pub fn hex(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n);
        while out.len() < n {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(n);
        out
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `2026-11-26T09:00:00+00:00` (Magnum's form) or with `Z` (Keystone's form).
pub fn format_utc(ms: i64, zulu: bool) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let zone = if zulu { "Z" } else { "+00:00" };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{zone}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// The same instant `years` later, as `format_utc` writes it (29 February becomes 28).
pub fn years_later(ms: i64, years: u32) -> String {
    let now = format_utc(ms, false);
    let (Some(year), Some(rest)) = (
        now.get(..4).and_then(|y| y.parse::<i64>().ok()),
        now.get(4..),
    ) else {
        return now;
    };
    let year = year + i64::from(years);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let rest = if !leap && rest.starts_with("-02-29") {
        rest.replacen("-02-29", "-02-28", 1)
    } else {
        rest.to_owned()
    };
    format!("{year:04}{rest}")
}

/// Whether `text` looks like an RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)
            .is_some_and(|s| !s.is_empty() && s.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && (at(10, b'T') || at(10, b't'))
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19))
    {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone = text.get(i..).unwrap_or("");
    zone == "Z"
        || zone == "z"
        || (zone.len() == 6
            && (zone.starts_with('+') || zone.starts_with('-'))
            && digits(i + 1..i + 3)
            && at(i + 3, b':')
            && digits(i + 4..i + 6))
}

/// Decodes `%XX` escapes of a path segment; `None` if the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `v1.19.13` as numbers, for ordering versions.
pub fn version_key(version: &str) -> Option<Vec<u32>> {
    version
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse().ok())
        .collect()
}

/// Standard base64 (for the kubeconfig's certificate data).
pub fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                let idx = usize::try_from((n >> shift) & 63).unwrap_or(0);
                out.push(char::from(TABLE.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_decodes() {
        assert_eq!(format_utc(0, true), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_utc(1_709_164_800_000, false),
            "2024-02-29T00:00:00+00:00"
        );
        assert_eq!(percent_decode("team%20a%2Fb").as_deref(), Some("team a/b"));
        assert_eq!(percent_decode("%E"), None);
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi!"), "aGkh");
        assert!(version_key("v1.19.13") > version_key("v1.9.20"));
        assert_eq!(
            years_later(1_709_164_800_000, 1),
            "2025-02-28T00:00:00+00:00"
        );
        assert_eq!(
            years_later(1_709_164_800_000, 4),
            "2028-02-29T00:00:00+00:00"
        );
        assert!(is_rfc3339("2027-01-02T03:04:05Z"));
        assert!(is_rfc3339("2027-01-02T03:04:05.123+09:00"));
        assert!(!is_rfc3339("2027-01-02"));
        assert!(!is_rfc3339("2027-01-02T03:04:05+0900"));
        let mut rng = Rng::new(7);
        let id = rng.uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.get(14..15), Some("4"));
    }
}
