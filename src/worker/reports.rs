//! Tick reports kept in a key-value store (a Workers KV namespace bound as `REPORTS`),
//! and the newest tick's instant, by which queued work that a newer tick superseded is
//! recognised. Keys sort newest first, so a listing answers the latest reports.

/// A key-value store: Workers KV in wasm, a map in tests. Failures are text (never
/// a secret: the store holds only redacted reports and instants).
#[allow(async_fn_in_trait)]
pub trait Store {
    /// Writes `value` under `key`.
    async fn put(&self, key: &str, value: &str) -> Result<(), String>;
    /// The value under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<String>, String>;
    /// Up to `limit` keys starting with `prefix`, in ascending order, from where
    /// `cursor` (a page's [`Page::cursor`], for the same prefix) left off. As with
    /// KV, a page may hold fewer than `limit`, even none, and still have a cursor.
    async fn list(
        &self,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<String>, String>;
}

/// One page of a listing, and where the next one starts (the store's opaque cursor)
/// when there is more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page<T> {
    /// What this page holds.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub cursor: Option<String>,
}

/// What the Worker says when no store is bound.
pub const NOT_KEPT: &str =
    "reports are not kept: bind a KV namespace as REPORTS in wrangler.toml to keep them";

/// The prefix of report keys.
const REPORT_PREFIX: &str = "report/";

/// The key of the newest tick's instant.
const LATEST_TICK: &str = "tick/latest";

/// The latest instant a key can hold (9999-12-31T23:59:59.999Z): keys count down
/// from it, so that ascending order is newest first.
const END_MS: i64 = 253_402_300_799_999;

/// Most reports one `GET /v1/reports` answers; `next` pages on.
pub const MAX_LIMIT: usize = 50;

/// The longest `cursor` a request may give, in bytes: a `next` is KV's cursor (a few
/// hundred bytes) and 17 more ([`seal`]).
pub const MAX_CURSOR: usize = 2048;

/// The Worker's `next` for the store's cursor: the cursor and its checksum, so that
/// a cursor changed, cut short or not a `next` at all is told apart from the store's
/// failure ([`unseal`]). Not a secret (anyone may seal a string, which the store then
/// refuses): it only names where a listing goes on.
pub fn seal(cursor: &str) -> String {
    format!("{cursor}.{}", checksum(cursor))
}

/// The store's cursor in a `next` the Worker gave ([`seal`]); `None` for anything
/// else (it never gives an empty one).
pub fn unseal(given: &str) -> Option<&str> {
    let (cursor, sum) = given.rsplit_once('.')?;
    (!cursor.is_empty() && sum == checksum(cursor)).then_some(cursor)
}

/// FNV-1a, 64 bits, in 16 hex digits: catches a cursor cut short, retyped or made up.
fn checksum(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The key of a report of the tick at `at_ms`; `part` tells apart the reports of one
/// tick (one per queued group of clusters).
pub fn report_key(at_ms: i64, part: &str) -> String {
    let countdown = END_MS.saturating_sub(at_ms).clamp(0, END_MS);
    format!("{REPORT_PREFIX}{countdown:016}/{part}")
}

/// Keeps a report (JSON text, already redacted).
pub async fn keep(store: &impl Store, at_ms: i64, part: &str, report: &str) -> Result<(), String> {
    store.put(&report_key(at_ms, part), report).await
}

/// Up to `limit` reports, newest first, as JSON values (an unreadable one is skipped),
/// from where the store's `cursor` left off; and where the next page starts, sealed
/// ([`seal`]).
pub async fn latest(
    store: &impl Store,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<serde_json::Value>, String> {
    let keys = store.list(REPORT_PREFIX, limit, cursor).await?;
    let mut items = Vec::new();
    for key in keys.items {
        if let Some(text) = store.get(&key).await? {
            if let Ok(value) = serde_json::from_str(&text) {
                items.push(value);
            }
        }
    }
    Ok(Page {
        items,
        cursor: keys.cursor.as_deref().map(seal),
    })
}

/// Every cluster a report names: each entry's `cluster`, and those `waiting`.
pub fn clusters(report: &serde_json::Value) -> Vec<&str> {
    fn walk<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("cluster", serde_json::Value::String(c)) => out.push(c),
                        ("waiting", serde_json::Value::Array(names)) => {
                            out.extend(names.iter().filter_map(serde_json::Value::as_str));
                        }
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(report, &mut out);
    out
}

/// Records `at_ms` as the newest tick's instant.
pub async fn set_latest_tick(store: &impl Store, at_ms: i64) -> Result<(), String> {
    store.put(LATEST_TICK, &at_ms.to_string()).await
}

/// The newest tick's instant, if one was recorded.
pub async fn latest_tick(store: &impl Store) -> Result<Option<i64>, String> {
    Ok(store
        .get(LATEST_TICK)
        .await?
        .and_then(|t| t.trim().parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_newest_first() {
        let older = report_key(1_000, "all");
        let newer = report_key(2_000, "all");
        assert!(newer < older, "{newer} < {older}");
        assert_eq!(report_key(0, "a"), "report/0253402300799999/a");
        assert_eq!(report_key(i64::MAX, "a"), "report/0000000000000000/a");
    }

    /// A sealed cursor opens to the store's; one cut short, changed or made up does
    /// not (the store's own may hold dots), nor an empty one.
    #[test]
    fn a_cursor_is_opened_only_as_sealed() {
        for cursor in ["AAEC", "a.b.c", "%2F+"] {
            let sealed = seal(cursor);
            assert_eq!(unseal(&sealed), Some(cursor), "{sealed}");
            assert_eq!(unseal(&sealed[..sealed.len() - 1]), None);
            assert_eq!(unseal(&format!("x{sealed}")), None);
            assert_eq!(unseal(&sealed.to_uppercase()), None);
        }
        for made_up in [
            "forged",
            "forged.",
            "forged.0123456789abcdef",
            ".",
            &seal(""),
        ] {
            assert_eq!(unseal(made_up), None, "{made_up}");
        }
    }
}
