//! When a failed request is sent again: the one place that decides it, for NKS calls
//! and Identity alike. Only requests whose effect does not change when repeated
//! (`idempotent`) are resent, only after a transient failure (429, 502, 503, 504, a
//! timeout, a broken connection, an answer cut short or unreadable), at most `retries`
//! times, with jittered exponential delays that honour `Retry-After`.

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use std::cell::Cell;

/// The retry policy of one client, with its jitter state.
#[derive(Debug)]
pub(crate) struct Backoff {
    retries: u32,
    base_ms: u64,
    max_ms: u64,
    jitter: Cell<u64>,
}

impl Backoff {
    /// The policy of `config`; `seed` starts the jitter.
    pub(crate) fn new(config: &Config, seed: u64) -> Self {
        Backoff {
            retries: config.retries,
            base_ms: config.retry_base_ms,
            max_ms: config.retry_max_ms,
            jitter: Cell::new(seed | 1),
        }
    }

    /// How long to wait before try `attempt + 1`, or `None` to give up: never for a
    /// request that is not idempotent, a failure that is not transient, past
    /// `retries`, or when the service asks for a wait beyond `retry_max_ms`.
    pub(crate) fn delay(&self, idempotent: bool, error: &Error, attempt: u32) -> Option<u64> {
        let transient = matches!(
            error.kind,
            ErrorKind::Timeout | ErrorKind::Network | ErrorKind::InvalidResponse
        ) || matches!(error.status, 429 | 502 | 503 | 504);
        if !idempotent || !transient || attempt >= self.retries {
            return None;
        }
        let asked = error.retry_after_ms.unwrap_or(0);
        if asked > self.max_ms {
            return None;
        }
        let ceiling = self
            .base_ms
            .saturating_mul(1u64 << attempt.min(20))
            .min(self.max_ms);
        let half = ceiling / 2;
        Some((half + self.next_random() % (half + 1)).max(asked))
    }

    /// xorshift64: jitter only, not security.
    fn next_random(&self) -> u64 {
        let mut x = self.jitter.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter.set(x);
        x
    }
}
