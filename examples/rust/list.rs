//! Lists a server's clusters and plans a policy, natively (a server, a CI job):
//!
//! ```sh
//! NKS_TOKEN=… cargo run --example list --features native -- https://kr1-api-kubernetes-infrastructure.nhncloudservice.com [POLICY.json [INSTANT]]
//! ```
//!
//! Credentials: `NKS_TOKEN`, or `NHN_TENANT_ID`, `NHN_USERNAME` and `NHN_API_PASSWORD`
//! (Identity at `NHN_IDENTITY_URL`, default the provider's). The policy defaults to
//! `js/demo/policy.json` (the demo's); the plan, for now or for INSTANT (RFC 3339 with an
//! offset), is printed as JSON and nothing is applied.

use nks_edge::config::{ClientOptions, IdentityOptions};
use nks_edge::schedule::{plan, JiffZones, Options, Policy};
use nks_edge::time::parse_instant;
use nks_edge::transport::{Native, Transport};
use nks_edge::NksClient;
use std::process::ExitCode;

/// The client options from the endpoint and the environment.
fn options(endpoint: String) -> Result<ClientOptions, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut options = ClientOptions {
        endpoint: Some(endpoint),
        ..ClientOptions::default()
    };
    if let Some(token) = var("NKS_TOKEN") {
        options.token = Some(token.into());
    } else if let (Some(tenant_id), Some(username), Some(password)) = (
        var("NHN_TENANT_ID"),
        var("NHN_USERNAME"),
        var("NHN_API_PASSWORD"),
    ) {
        options.identity = Some(IdentityOptions {
            tenant_id,
            username,
            password: password.into(),
            endpoint: var("NHN_IDENTITY_URL"),
        });
    } else {
        return Err("set NKS_TOKEN, or NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD".into());
    }
    Ok(options)
}

async fn run(endpoint: String, policy_path: String, at: Option<String>) -> Result<(), String> {
    let config = options(endpoint)?.build().map_err(|e| e.to_string())?;
    let client = NksClient::new(config, Native::new()).map_err(|e| e.to_string())?;

    for cluster in client.list_clusters().await.map_err(|e| e.to_string())? {
        let status = cluster.status.as_ref().map_or("", |s| s.as_str());
        println!("{}\t{}\t{status}", cluster.name, cluster.uuid);
    }

    let text = std::fs::read_to_string(&policy_path)
        .map_err(|e| format!("cannot read {policy_path}: {e}"))?;
    let policy = Policy::parse(&text, &JiffZones).map_err(|e| e.to_string())?;
    let at_ms = match at {
        Some(text) => parse_instant(&text).map_err(|e| format!("INSTANT: {e}"))?,
        None => client.transport().now_ms(),
    };
    let options = Options {
        dry_run: true,
        ..Options::default()
    };
    let report = plan(&client, &policy, &JiffZones, at_ms, &options).await;
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(endpoint) = args.next() else {
        eprintln!("usage: list URL [POLICY.json [INSTANT]]");
        return ExitCode::from(2);
    };
    let policy = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/js/demo/policy.json").into());
    match run(endpoint, policy, args.next()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("list: {why}");
            ExitCode::FAILURE
        }
    }
}
