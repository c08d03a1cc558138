//! The Worker's configuration, from its vars and secrets. Each part is kept as a
//! result, so a mistake in one variable fails only the routes that need it, with an
//! error naming the variable.

use super::access::{parse_keys, AccessKey};
use crate::auth::{Credentials, Identity, DEFAULT_IDENTITY_URL};
use crate::client::{region_endpoint, Config};
use crate::schedule::{Options, Policy, Zones};
use crate::secret::Secret;
use crate::transport::Transport;
use crate::NksClient;
use std::fmt;

/// A variable that is missing or malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable's name (`SCALE_POLICY`).
    pub variable: &'static str,
    /// What is wrong with it (never its value).
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

fn wrong(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// Everything a request or a tick needs, read from the environment once per isolate.
pub struct Setup<T, Z> {
    /// The NKS client (endpoint and credentials).
    pub client: Result<NksClient<T>, ConfigError>,
    /// `ACCESS_KEYS`.
    pub access: Result<Vec<AccessKey>, ConfigError>,
    /// `SCALE_POLICY`.
    pub policy: Result<Policy, ConfigError>,
    /// `DRY_RUN` and `SUBREQUEST_BUDGET`.
    pub options: Result<Options, ConfigError>,
    /// `CORS_ORIGINS`.
    pub cors_origins: Vec<String>,
    /// Time zones for the policy.
    pub zones: Z,
}

impl<T: Transport, Z: Zones> Setup<T, Z> {
    /// Reads the configuration; `env` answers a variable's value (empty counts as unset).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>, transport: T, zones: Z) -> Self {
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let policy = match var("SCALE_POLICY") {
            None => Err(wrong(
                "SCALE_POLICY",
                "is not set: the scaling policy (JSON) is needed for plans and ticks",
            )),
            Some(text) => {
                Policy::parse(&text, &zones).map_err(|e| wrong("SCALE_POLICY", e.to_string()))
            }
        };
        let max_node_count = policy
            .as_ref()
            .map_or(crate::validate::DEFAULT_MAX_NODE_COUNT, |p| {
                p.max_node_count
                    .max(crate::validate::DEFAULT_MAX_NODE_COUNT)
            });
        let client = client(&var, max_node_count).and_then(|config| {
            NksClient::new(config, transport).map_err(|e| {
                let variable = match e.field.as_deref() {
                    Some("endpoint") => "NKS_ENDPOINT",
                    Some(f) if f.starts_with("identity.endpoint") => "NHN_IDENTITY_URL",
                    _ => "NHN_TENANT_ID",
                };
                wrong(variable, e.message.clone())
            })
        });
        let access = match var("ACCESS_KEYS") {
            None => Err(wrong(
                "ACCESS_KEYS",
                "is not set: no caller can be authorized",
            )),
            Some(text) => parse_keys(&text).map_err(|m| wrong("ACCESS_KEYS", m)),
        };
        let options = options(&var);
        let cors_origins = var("CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Setup {
            client,
            access,
            policy,
            options,
            cors_origins,
            zones,
        }
    }
}

fn client(
    var: &dyn Fn(&str) -> Option<String>,
    max_node_count: u32,
) -> Result<Config, ConfigError> {
    let endpoint = match (var("NKS_ENDPOINT"), var("NKS_REGION")) {
        (Some(endpoint), _) => endpoint,
        (None, Some(region)) => {
            region_endpoint(&region).map_err(|e| wrong("NKS_REGION", e.message.clone()))?
        }
        (None, None) => {
            return Err(wrong(
                "NKS_REGION",
                "is not set (nor NKS_ENDPOINT): where is the NKS API?",
            ))
        }
    };
    let credentials = match var("NKS_TOKEN") {
        Some(token) => Credentials::Token(Secret::new(token)),
        None => {
            let need = |name: &'static str| {
                var(name).ok_or_else(|| wrong(name, "is not set (set NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD, or NKS_TOKEN)"))
            };
            Credentials::Identity(Identity {
                tenant_id: need("NHN_TENANT_ID")?,
                username: need("NHN_USERNAME")?,
                password: Secret::new(need("NHN_API_PASSWORD")?),
                endpoint: var("NHN_IDENTITY_URL")
                    .unwrap_or_else(|| DEFAULT_IDENTITY_URL.to_owned()),
            })
        }
    };
    let mut config = Config::new(endpoint, credentials);
    config.max_node_count = max_node_count;
    Ok(config)
}

fn options(var: &dyn Fn(&str) -> Option<String>) -> Result<Options, ConfigError> {
    let mut options = Options::default();
    if let Some(v) = var("DRY_RUN") {
        options.dry_run = crate::model::value::parse_flag(&v).ok_or_else(|| {
            wrong(
                "DRY_RUN",
                format!("must be \"true\" or \"false\", got {v:?}"),
            )
        })?;
    }
    if let Some(v) = var("SUBREQUEST_BUDGET") {
        options.budget = v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|b| *b >= 2)
            .ok_or_else(|| {
                wrong(
                    "SUBREQUEST_BUDGET",
                    format!("must be a whole number of at least 2, got {v:?}"),
                )
            })?;
    }
    Ok(options)
}
