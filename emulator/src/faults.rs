//! Fault injection: added latency, error statuses (with `Retry-After` for 429),
//! malformed or truncated JSON, and connections closed without an answer.

use crate::util::Rng;
use serde::{Deserialize, Serialize};

/// What a firing fault does instead of the real answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FaultError {
    /// Answer this status with a Magnum error body (500, 502, 503, 429, …).
    Status(u16),
    /// Something else.
    Mode(FaultMode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultMode {
    /// 200 with a body that is not JSON.
    Malformed,
    /// The real answer, cut in the middle of its JSON.
    Truncated,
    /// Close the connection without answering.
    Close,
}

/// One fault rule. `route` is `[METHOD ]/path` where `*` matches one segment;
/// without it the fault applies to every NKS route (`/v1/…`). Identity faults are
/// opt-in: name `/v2.0/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Added before answering, whether or not the error fires.
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<FaultError>,
    /// Probability that the error fires on a matching request.
    #[serde(default = "always")]
    pub rate: f64,
    /// `Retry-After` seconds sent with the error (a 429 sends 1 without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
    /// Fire at most this many times, then stay quiet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

fn always() -> f64 {
    1.0
}

impl Fault {
    /// Checks the rule; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(format!("rate must be within 0..1, got {}", self.rate));
        }
        if let Some(FaultError::Status(s)) = self.error {
            if !(400..=599).contains(&s) {
                return Err(format!("error status must be 4xx or 5xx, got {s}"));
            }
        }
        if let Some(route) = &self.route {
            let path = route.split_once(' ').map_or(route.as_str(), |(_, p)| p);
            if !path.starts_with('/') {
                return Err(format!("route must be \"[METHOD ]/path\", got {route:?}"));
            }
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let Some(route) = &self.route else {
            return path.starts_with("/v1/");
        };
        let (want_method, pattern) = match route.split_once(' ') {
            Some((m, p)) => (Some(m), p),
            None => (None, route.as_str()),
        };
        if want_method.is_some_and(|m| !m.eq_ignore_ascii_case(method)) {
            return false;
        }
        let want: Vec<&str> = pattern.trim_matches('/').split('/').collect();
        let have: Vec<&str> = path.trim_matches('/').split('/').collect();
        want.len() == have.len() && want.iter().zip(&have).all(|(w, h)| *w == "*" || w == h)
    }
}

/// What the faults decided for one request.
#[derive(Debug, Default, PartialEq)]
pub struct Verdict {
    pub latency_ms: u64,
    pub error: Option<(FaultError, Option<u64>)>,
}

/// Sums the latency of every matching fault; the first matching error that fires
/// (by `rate`, while `times` lasts) wins.
pub fn decide(faults: &mut [Fault], rng: &mut Rng, method: &str, path: &str) -> Verdict {
    let mut verdict = Verdict::default();
    for fault in faults.iter_mut().filter(|f| f.matches(method, path)) {
        verdict.latency_ms = verdict.latency_ms.saturating_add(fault.latency_ms);
        let Some(error) = fault.error else { continue };
        if verdict.error.is_some() || fault.times == Some(0) {
            continue;
        }
        if rng.unit() < fault.rate {
            if let Some(left) = fault.times.as_mut() {
                *left -= 1;
            }
            verdict.error = Some((error, fault.retry_after_s));
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(json: &str) -> Fault {
        serde_json::from_str(json).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn routes_match_by_method_and_segments() {
        let f = fault(r#"{"route":"GET /v1/clusters/*/nodegroups/*/autoscale","error":503}"#);
        assert!(f.matches("GET", "/v1/clusters/prod/nodegroups/batch/autoscale"));
        assert!(!f.matches("POST", "/v1/clusters/prod/nodegroups/batch/autoscale"));
        assert!(!f.matches("GET", "/v1/clusters/prod/nodegroups/batch"));
        assert!(fault(r#"{"latency_ms":5}"#).matches("DELETE", "/v1/clusters/x"));
        assert!(!fault(r#"{"latency_ms":5}"#).matches("POST", "/v2.0/tokens"));
        assert!(fault(r#"{"route":"/v2.0/tokens"}"#).matches("POST", "/v2.0/tokens"));
    }

    #[test]
    fn times_and_rate_bound_the_errors() {
        let mut faults = vec![fault(r#"{"error":"close","times":2}"#)];
        let mut rng = Rng::new(1);
        let fired = (0..5)
            .filter(|_| {
                decide(&mut faults, &mut rng, "GET", "/v1/clusters")
                    .error
                    .is_some()
            })
            .count();
        assert_eq!(fired, 2);
        let mut faults = vec![fault(r#"{"error":500,"rate":0.5}"#)];
        let fired = (0..1000)
            .filter(|_| {
                decide(&mut faults, &mut rng, "GET", "/v1/clusters")
                    .error
                    .is_some()
            })
            .count();
        assert!((400..600).contains(&fired), "{fired}");
    }

    #[test]
    fn bad_rules_are_refused() {
        assert!(fault(r#"{"rate":2}"#).validate().is_err());
        assert!(fault(r#"{"error":200}"#).validate().is_err());
        assert!(fault(r#"{"route":"GET v1"}"#).validate().is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"eror":500}"#).is_err());
    }
}
