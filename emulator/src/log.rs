//! The request log of `GET /_emulator/requests`: the most recent requests (at most
//! `--log-limit`), each under its sequence number. Bounded, so that a long run (a
//! load test, a soak) neither grows the emulator's memory nor slows each request down;
//! the answer says how many older entries were dropped.

use serde_json::{json, Value};
use std::collections::VecDeque;

/// How many requests the log keeps unless told (`--log-limit`).
pub const DEFAULT_LIMIT: usize = 10_000;

/// The log: entries in arrival order, numbered without gaps since the first.
pub struct RequestLog {
    entries: VecDeque<(u64, Value)>,
    limit: usize,
    /// The number of the last entry made.
    last: u64,
    /// Entries dropped for the limit since the log was last cleared.
    dropped: u64,
}

impl RequestLog {
    /// An empty log that keeps the `limit` most recent entries (0: none).
    pub fn new(limit: usize) -> Self {
        RequestLog {
            entries: VecDeque::new(),
            limit,
            last: 0,
            dropped: 0,
        }
    }

    /// Logs `entry`, dropping the oldest past the limit; answers its number.
    pub fn push(&mut self, entry: Value) -> u64 {
        self.last += 1;
        self.entries.push_back((self.last, entry));
        while self.entries.len() > self.limit {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.last
    }

    /// Sets the answer's status of entry `seq`, if the log still holds it (a clear
    /// or the limit may have dropped it while its request was served).
    pub fn set_status(&mut self, seq: u64, status: u16) {
        // Numbers are consecutive: the entry's place follows from the first's.
        let first = self.entries.front().map_or(0, |(n, _)| *n);
        let Some(at) = seq.checked_sub(first).and_then(|i| usize::try_from(i).ok()) else {
            return;
        };
        if let Some(entry) = self
            .entries
            .get_mut(at)
            .filter(|(n, _)| *n == seq)
            .and_then(|(_, e)| e.as_object_mut())
        {
            entry.insert("status".into(), json!(status));
        }
    }

    /// Empties the log (numbers go on from where they were).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
    }

    /// `{"requests": [oldest … newest], "dropped": n}`.
    pub fn to_json(&self) -> Value {
        let requests: Vec<&Value> = self.entries.iter().map(|(_, e)| e).collect();
        json!({ "requests": requests, "dropped": self.dropped })
    }
}

#[cfg(test)]
mod tests {
    use super::RequestLog;
    use serde_json::json;

    #[test]
    fn the_log_keeps_the_most_recent_and_counts_the_rest() {
        let mut log = RequestLog::new(2);
        let seqs: Vec<u64> = (0..5).map(|i| log.push(json!({ "i": i }))).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5]);
        log.set_status(4, 200); // the entry of { "i": 3 }
        log.set_status(1, 500); // dropped: nothing to set
        assert_eq!(
            log.to_json(),
            json!({ "requests": [{ "i": 3, "status": 200 }, { "i": 4 }], "dropped": 3 })
        );
        log.clear();
        assert_eq!(log.to_json(), json!({ "requests": [], "dropped": 0 }));
        assert_eq!(log.push(json!({})), 6, "numbers go on after a clear");
        log.set_status(6, 204);
        assert_eq!(log.to_json()["requests"][0]["status"], 204);
    }

    #[test]
    fn a_limit_of_zero_keeps_nothing() {
        let mut log = RequestLog::new(0);
        let seq = log.push(json!({}));
        log.set_status(seq, 200);
        assert_eq!(log.to_json(), json!({ "requests": [], "dropped": 1 }));
    }
}
