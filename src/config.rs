//! [`Config`]: where the API is, how to authenticate, and the client's defaults. One
//! builder, [`ClientOptions`], serves the JavaScript class (its options object) and the
//! Worker (its variables), so both accept and check the same things.

use crate::auth::{Credentials, Identity, DEFAULT_IDENTITY_URL};
use crate::error::Error;
use crate::error::FieldError;
use crate::model::{by_reader, Fields, FromValue};
use crate::secret::Secret;
use crate::validate::DEFAULT_MAX_NODE_COUNT;
use serde_json::Value;

/// The NKS endpoint of a region (`kr1`, `kr2`, `kr3`), from the provider's current
/// host names.
pub fn region_endpoint(region: &str) -> Result<String, Error> {
    match region {
        "kr1" | "kr2" | "kr3" => Ok(format!(
            "https://{region}-api-kubernetes-infrastructure.nhncloudservice.com"
        )),
        other => Err(Error::validation(
            "region",
            format!("{other:?} is not a region (kr1, kr2 or kr3)"),
        )),
    }
}

/// Checks that `url` is an absolute http(s) URL, with no credentials in it, and a base
/// a path can follow: no query, fragment or spaces (a path appended after `?` or `#`
/// would send every call to the base).
pub fn check_base_url(field: &str, url: &str) -> Result<(), Error> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    match authority {
        // Never echoed: the part before `@` would be a password.
        Some(a) if a.contains('@') => Err(Error::validation(
            field,
            "must not carry credentials (user:password@): give them as a token or Identity credentials",
        )),
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err(Error::validation(field, "is not an absolute http(s) URL")),
    }?;
    if url.contains(['?', '#']) {
        return Err(Error::validation(
            field,
            "must be a base URL, without a query (?) or fragment (#)",
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::validation(
            field,
            "must not contain spaces or control characters",
        ));
    }
    Ok(())
}

/// Everything the client is configured with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// The NKS base URL (see [`region_endpoint`]), or a Worker's gateway (`…/nks`).
    pub endpoint: String,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Per-request timeout.
    pub timeout_ms: u32,
    /// Extra tries of idempotent calls on 429, 502, 503, 504, timeouts and network
    /// errors.
    pub retries: u32,
    /// First retry delay; doubled each try, with jitter.
    pub retry_base_ms: u64,
    /// Longest retry delay; a `Retry-After` longer than this is not waited for.
    pub retry_max_ms: u64,
    /// Upper bound of node counts (10 unless a quota raised it).
    pub max_node_count: u32,
}

impl Config {
    /// A configuration with the defaults: 30 s timeout, 2 retries from 250 ms up to
    /// 20 s, node counts up to 10.
    pub fn new(endpoint: impl Into<String>, credentials: Credentials) -> Self {
        Config {
            endpoint: endpoint.into(),
            credentials,
            timeout_ms: 30_000,
            retries: 2,
            retry_base_ms: 250,
            retry_max_ms: 20_000,
            max_node_count: DEFAULT_MAX_NODE_COUNT,
        }
    }

    /// Checks every setting; the error names the field.
    pub fn validate(&self) -> Result<(), Error> {
        check_base_url("endpoint", &self.endpoint)?;
        self.credentials.validate()?;
        if self.timeout_ms == 0 {
            return Err(Error::validation("timeoutMs", "must be positive"));
        }
        if self.max_node_count == 0 {
            return Err(Error::validation("maxNodeCount", "must be positive"));
        }
        Ok(())
    }
}

/// The options a client is built from (`new NksClient({...})` in JavaScript; the
/// Worker fills it from its variables). Field names are the JavaScript ones.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// `kr1`, `kr2` or `kr3`.
    pub region: Option<String>,
    /// Any base URL; wins over `region`.
    pub endpoint: Option<String>,
    /// A ready `X-Auth-Token`.
    pub token: Option<Secret>,
    /// NHN Identity credentials.
    pub identity: Option<IdentityOptions>,
    /// A key of a nks-edge Worker's gateway (`endpoint` is then `https://<worker>/nks`).
    pub access_key: Option<Secret>,
    /// Per-request timeout in milliseconds.
    pub timeout_ms: Option<u32>,
    /// Extra tries of idempotent calls.
    pub retries: Option<u32>,
    /// Upper bound of node counts.
    pub max_node_count: Option<u32>,
}

/// NHN Identity credentials as options.
#[derive(Clone, Debug, Default)]
pub struct IdentityOptions {
    /// The project's tenant id.
    pub tenant_id: String,
    /// The NHN Cloud user id.
    pub username: String,
    /// The API password.
    pub password: Secret,
    /// Identity base URL (default: the provider's).
    pub endpoint: Option<String>,
}

/// The JavaScript names; a name not known is an error (a typo is not dropped).
impl FromValue for ClientOptions {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = ClientOptions {
            region: f.opt("region"),
            endpoint: f.opt("endpoint"),
            token: f.opt("token"),
            identity: f.opt("identity"),
            access_key: f.opt("accessKey"),
            timeout_ms: f.opt("timeoutMs"),
            retries: f.opt("retries"),
            max_node_count: f.opt("maxNodeCount"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

impl FromValue for IdentityOptions {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = IdentityOptions {
            tenant_id: f.required("tenantId"),
            username: f.required("username"),
            password: f.required("password"),
            endpoint: f.opt("endpoint"),
        };
        f.deny_rest();
        f.finish(read)
    }
}

by_reader!(ClientOptions, IdentityOptions);

impl ClientOptions {
    /// The configuration, checked: exactly one of token, identity and access key;
    /// an endpoint or a region.
    pub fn build(self) -> Result<Config, Error> {
        let endpoint = match (self.endpoint, self.region) {
            (Some(endpoint), _) => endpoint,
            (None, Some(region)) => region_endpoint(&region)?,
            (None, None) => {
                return Err(Error::validation(
                    "region",
                    "give a region (kr1, kr2, kr3) or an endpoint",
                ))
            }
        };
        let credentials = match (self.token, self.identity, self.access_key) {
            (Some(token), None, None) => Credentials::Token(token),
            (None, Some(id), None) => Credentials::Identity(Identity {
                endpoint: id
                    .endpoint
                    .unwrap_or_else(|| DEFAULT_IDENTITY_URL.to_owned()),
                tenant_id: id.tenant_id,
                username: id.username,
                password: id.password,
            }),
            (None, None, Some(key)) => Credentials::AccessKey(key),
            (None, None, None) => {
                return Err(Error::validation(
                    "token",
                    "give a token, identity credentials or an accessKey",
                ))
            }
            _ => {
                return Err(Error::validation(
                    "token",
                    "give one of token, identity and accessKey, not several",
                ))
            }
        };
        let mut config = Config::new(endpoint, credentials);
        if let Some(ms) = self.timeout_ms {
            config.timeout_ms = ms;
        }
        if let Some(n) = self.retries {
            config.retries = n;
        }
        if let Some(n) = self.max_node_count {
            config.max_node_count = n;
        }
        config.validate()?;
        Ok(config)
    }
}
