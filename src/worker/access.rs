//! `ACCESS_KEYS`: who may call the Worker's routes. Keys are stored as SHA-256
//! digests; the presented key's digest is compared with every entry in constant time.

use serde_json::Value;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Kubeconfigs: `GET /v1/clusters/{cluster}/kubeconfig` and the gateway's `…/config`.
    Kubeconfig,
    /// `GET /v1/plan`, `GET /v1/reports`
    Plan,
    /// `POST /v1/reconcile`
    Reconcile,
    /// The gateway's reads.
    Read,
    /// The gateway's autoscaler settings and resizes.
    Scale,
    /// The gateway's other writes.
    Operate,
}

/// Every scope, in the order error messages list them.
const SCOPES: [Scope; 6] = [
    Scope::Kubeconfig,
    Scope::Plan,
    Scope::Reconcile,
    Scope::Read,
    Scope::Scale,
    Scope::Operate,
];

impl Scope {
    fn parse(text: &str) -> Option<Scope> {
        SCOPES.into_iter().find(|s| s.as_str() == text)
    }

    /// The scope's name in `ACCESS_KEYS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Kubeconfig => "kubeconfig",
            Scope::Plan => "plan",
            Scope::Reconcile => "reconcile",
            Scope::Read => "read",
            Scope::Scale => "scale",
            Scope::Operate => "operate",
        }
    }

    /// The scope a gateway operation needs.
    pub fn of(access: crate::api::Access) -> Scope {
        match access {
            crate::api::Access::Read => Scope::Read,
            crate::api::Access::Scale => Scope::Scale,
            crate::api::Access::Operate => Scope::Operate,
            crate::api::Access::Kubeconfig => Scope::Kubeconfig,
        }
    }
}

/// One entry of `ACCESS_KEYS`. `Debug` shows the name, never the digest.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// A name for logs (`"ci"`).
    pub name: String,
    digest: [u8; 32],
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// The clusters it may touch, by name or UUID as callers write them; `"*"`: all.
    pub clusters: Vec<String>,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .field("clusters", &self.clusters)
            .finish_non_exhaustive()
    }
}

impl AccessKey {
    /// Whether the key may touch `cluster` (as written: a name or a UUID).
    pub fn allows_cluster(&self, cluster: &str) -> bool {
        self.clusters.iter().any(|c| c == "*" || c == cluster)
    }

    /// Whether the key may touch every cluster.
    pub fn all_clusters(&self) -> bool {
        self.clusters.iter().any(|c| c == "*")
    }

    /// A 403 for this key: `access key "ci" <why>`.
    pub fn denied(&self, why: String) -> Denied {
        Denied {
            status: 403,
            message: format!("access key {:?} {why}", self.name),
            key: Some(self.name.clone()),
        }
    }
}

/// Reads a 64-character hex SHA-256 digest.
pub fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    // Only hex digits: `from_str_radix` alone would take "+1" for a byte.
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Parses `ACCESS_KEYS`; the error says which entry and field is wrong.
pub fn parse_keys(text: &str) -> Result<Vec<AccessKey>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("is not valid JSON ({e})"))?;
    let entries = value.as_array().ok_or("must be a JSON list of keys")?;
    let mut keys = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("[{i}]");
        let map = entry.as_object().ok_or(format!("{at} must be an object"))?;
        if let Some(unknown) = map
            .keys()
            .find(|k| !["name", "sha256", "scopes", "clusters"].contains(&k.as_str()))
        {
            return Err(format!(
                "{at}.{unknown} is not a field (name, sha256, scopes, clusters)"
            ));
        }
        let name = map
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .ok_or(format!("{at}.name must be a non-empty string"))?;
        let digest = map
            .get("sha256")
            .and_then(Value::as_str)
            .and_then(parse_digest)
            .ok_or(format!(
                "{at}.sha256 must be the 64 hex characters of the key's SHA-256"
            ))?;
        let scopes = map
            .get("scopes")
            .and_then(Value::as_array)
            .ok_or(format!("{at}.scopes must be a list"))?
            .iter()
            .map(|s| {
                s.as_str().and_then(Scope::parse).ok_or_else(|| {
                    let names: Vec<&str> = SCOPES.iter().map(|s| s.as_str()).collect();
                    format!("{at}.scopes: {s} is not one of {}", names.join(", "))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let clusters = map
            .get("clusters")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
            .ok_or(format!(
                "{at}.clusters must be a non-empty list (\"*\" for all)"
            ))?
            .iter()
            .map(|c| {
                c.as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .ok_or(format!("{at}.clusters: {c} is not a cluster name"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(first) = keys.iter().position(|k: &AccessKey| k.digest == digest) {
            return Err(format!(
                "{at}.sha256 is the digest of [{first}] too: each key must be different"
            ));
        }
        keys.push(AccessKey {
            name: name.to_owned(),
            digest,
            scopes,
            clusters,
        });
    }
    Ok(keys)
}

/// Why a caller is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// 401 (no valid key) or 403 (outside its scope or clusters).
    pub status: u16,
    /// What to tell the caller.
    pub message: String,
    /// The recognised key's name (403), for the log line.
    pub key: Option<String>,
}

/// Finds the key whose digest equals `presented` (every entry is compared, in constant
/// time), then checks its scope. Clusters are checked by the route, which may have to
/// read a cluster to know its other name.
pub fn authorize<'k>(
    keys: &'k [AccessKey],
    presented: Option<&[u8; 32]>,
    scope: Scope,
) -> Result<&'k AccessKey, Denied> {
    let unauthorized = || Denied {
        status: 401,
        message: "a valid access key is required (Authorization: Bearer <key>)".into(),
        key: None,
    };
    let presented = presented.ok_or_else(unauthorized)?;
    let mut found = None;
    for key in keys {
        let diff = key
            .digest
            .iter()
            .zip(presented)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff == 0 && found.is_none() {
            found = Some(key);
        }
    }
    let key = found.ok_or_else(unauthorized)?;
    if !key.scopes.contains(&scope) {
        return Err(key.denied(format!("does not have the {} scope", scope.as_str())));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    // sha256("ci-key") and sha256("viewer-key")
    const CI: &str = "3e1a7a6bc0d1b6d5a4e8a7c2fb59ff61e4d8e1c3c2f5e6b7a8091a2b3c4d5e6f";
    const VIEWER: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    fn keys() -> Vec<AccessKey> {
        parse_keys(&format!(
            r#"[{{"name":"ci","sha256":"{CI}","scopes":["kubeconfig","plan","reconcile"],"clusters":["*"]}},
                {{"name":"viewer","sha256":"{VIEWER}","scopes":["kubeconfig"],"clusters":["prod"]}}]"#
        ))
        .unwrap()
    }

    #[test]
    fn keys_scopes_and_clusters() {
        let keys = keys();
        let ci = parse_digest(CI).unwrap();
        let viewer = parse_digest(VIEWER).unwrap();
        assert_eq!(
            authorize(&keys, Some(&ci), Scope::Reconcile).unwrap().name,
            "ci"
        );
        let key = authorize(&keys, Some(&viewer), Scope::Kubeconfig).unwrap();
        assert_eq!(key.name, "viewer");
        assert!(key.allows_cluster("prod") && !key.allows_cluster("dev"));
        assert!(!key.all_clusters() && keys[0].all_clusters());
        let denied = authorize(&keys, Some(&viewer), Scope::Plan).unwrap_err();
        assert_eq!(
            (denied.status, denied.key.as_deref()),
            (403, Some("viewer"))
        );
        assert_eq!(
            denied.message,
            "access key \"viewer\" does not have the plan scope"
        );
        assert_eq!(
            authorize(&keys, Some(&[7; 32]), Scope::Kubeconfig)
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            authorize(&keys, None, Scope::Kubeconfig)
                .unwrap_err()
                .status,
            401
        );
        assert!(!format!("{:?}", keys[0]).contains(CI));
    }

    #[test]
    fn malformed_keys_name_the_entry() {
        for (text, want) in [
            ("{}", "must be a JSON list of keys"),
            ("[{\"name\":\"a\",\"sha256\":\"abc\",\"scopes\":[],\"clusters\":[\"*\"]}]", "[0].sha256 must be the 64 hex characters of the key's SHA-256"),
            (&format!("[{{\"name\":\"a\",\"sha256\":\"{CI}\",\"scopes\":[\"admin\"],\"clusters\":[\"*\"]}}]"), "[0].scopes: \"admin\" is not one of kubeconfig, plan, reconcile, read, scale, operate"),
            (&format!("[{{\"name\":\"a\",\"sha256\":\"{CI}\",\"scopes\":[],\"clusters\":[]}}]"), "[0].clusters must be a non-empty list (\"*\" for all)"),
            (&format!("[{{\"name\":\"a\",\"sha256\":\"{CI}\",\"scopes\":[],\"clusters\":[\"*\"],\"key\":\"x\"}}]"), "[0].key is not a field (name, sha256, scopes, clusters)"),
            (&format!("[{{\"name\":\"a\",\"sha256\":\"{CI}\",\"scopes\":[\"read\"],\"clusters\":[\"*\"]}},{{\"name\":\"b\",\"sha256\":\"{}\",\"scopes\":[\"scale\"],\"clusters\":[\"*\"]}}]", CI.to_uppercase()), "[1].sha256 is the digest of [0] too: each key must be different"),
        ] {
            assert_eq!(parse_keys(text).unwrap_err(), want);
        }
    }
}
