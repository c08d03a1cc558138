//! The Worker's configuration, from its vars and secrets. Each part is kept as a
//! result, so a mistake in one variable fails only the routes that need it, with an
//! error naming the variable.

use super::access::{parse_keys, AccessKey};
use super::secrets::{Secrets, Watched};
use crate::config::{ClientOptions, Config, IdentityOptions};
use crate::schedule::{Options, Policy, Zones};
use crate::secret::Secret;
use crate::transport::Transport;
use crate::NksClient;
use std::fmt;
use std::rc::Rc;

/// How long the Worker waits for one upstream answer: short enough that a retry
/// still fits in the time a route may take ([`super::routes::ROUTE_LIMIT_MS`]).
pub const UPSTREAM_TIMEOUT_MS: u32 = 10_000;

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
    /// The NKS client (endpoint and credentials), over a transport that learns the
    /// tokens it is issued.
    pub client: Result<NksClient<Watched<T>>, ConfigError>,
    /// The secrets every outgoing text is redacted of.
    pub secrets: Rc<Secrets>,
    /// `ACCESS_KEYS`.
    pub access: Result<Vec<AccessKey>, ConfigError>,
    /// `SCALE_POLICY`.
    pub policy: Result<Policy, ConfigError>,
    /// `SCALE_POLICY` as written, when it is valid (`GET /v1/policy` answers it).
    pub policy_text: Option<String>,
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
        let policy_text = policy.as_ref().ok().and(var("SCALE_POLICY"));
        let max_node_count = policy
            .as_ref()
            .map_or(crate::validate::DEFAULT_MAX_NODE_COUNT, |p| {
                p.max_node_count
                    .max(crate::validate::DEFAULT_MAX_NODE_COUNT)
            });
        let secrets = Rc::new(Secrets::default());
        if let Some(token) = var("NKS_TOKEN") {
            secrets.add_token(&token);
        }
        if let Some(password) = var("NHN_API_PASSWORD") {
            secrets.add_password(&password);
        }
        let watched = Watched::new(transport, Rc::clone(&secrets));
        let client = client(&var, max_node_count).and_then(|config| {
            NksClient::new(config, watched).map_err(|e| wrong("NKS_ENDPOINT", e.message.clone()))
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
            secrets,
            access,
            policy,
            policy_text,
            options,
            cors_origins,
            zones,
        }
    }
}

/// The client's options from the variables: the same builder as `new NksClient(…)`,
/// so both check the same things; an error names the variable.
fn client(
    var: &dyn Fn(&str) -> Option<String>,
    max_node_count: u32,
) -> Result<Config, ConfigError> {
    if var("NKS_ENDPOINT").is_none() && var("NKS_REGION").is_none() {
        return Err(wrong(
            "NKS_REGION",
            "is not set (nor NKS_ENDPOINT): where is the NKS API?",
        ));
    }
    let identity = match var("NKS_TOKEN") {
        // A header value is visible ASCII; anything else would be refused (and printed)
        // by the runtime when the first request is built.
        Some(token) if !token.trim().bytes().all(|b| b.is_ascii_graphic()) => {
            return Err(wrong(
                "NKS_TOKEN",
                "must be visible ASCII characters only (a token as Identity issues it); its value is not shown",
            ))
        }
        Some(_) => None,
        None => {
            let need = |name: &'static str| {
                var(name).ok_or_else(|| wrong(name, "is not set (set NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD, or NKS_TOKEN)"))
            };
            Some(IdentityOptions {
                tenant_id: need("NHN_TENANT_ID")?,
                username: need("NHN_USERNAME")?,
                password: Secret::new(need("NHN_API_PASSWORD")?),
                endpoint: var("NHN_IDENTITY_URL"),
            })
        }
    };
    let options = ClientOptions {
        region: var("NKS_REGION"),
        endpoint: var("NKS_ENDPOINT"),
        token: var("NKS_TOKEN").map(|t| Secret::new(t.trim())),
        identity,
        max_node_count: Some(max_node_count),
        timeout_ms: Some(UPSTREAM_TIMEOUT_MS),
        ..ClientOptions::default()
    };
    options.build().map_err(|e| {
        let variable = match e.field.as_deref() {
            Some("endpoint") => "NKS_ENDPOINT",
            Some("region") => "NKS_REGION",
            Some("token") => "NKS_TOKEN",
            Some(f) if f.starts_with("identity.endpoint") => "NHN_IDENTITY_URL",
            Some("identity.tenantId") => "NHN_TENANT_ID",
            Some("identity.username") => "NHN_USERNAME",
            _ => "NHN_API_PASSWORD",
        };
        let issue = e
            .issues
            .first()
            .map_or(e.message.as_str(), |i| i.message.as_str());
        wrong(variable, issue)
    })
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
