//! `nks-emulator`: a local NKS + Identity server for demos and tests.
//!
//! Prints its base URL as the first line of standard output, then serves on
//! 127.0.0.1 until SIGINT or SIGTERM.

mod addons;
mod cluster_ops;
mod events;
mod faults;
mod fields;
mod identity;
mod log;
mod nks;
mod nodegroup_ops;
mod ops;
mod render;
mod reply;
mod server;
mod state;
mod util;

use faults::{Fault, FaultError};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use identity::Account;
use nks::Limits;
use server::{App, Options};
use std::io::Write;
use std::sync::Arc;
use tokio::net::TcpListener;

const DEFAULT_SEED: &str = include_str!("../seed/default.json");

const USAGE: &str = "nks-emulator: a local NHN Cloud Kubernetes (NKS) + Identity API

Usage: nks-emulator [options]
  --port N             listen on 127.0.0.1:N (0 picks a free port; default 9511)
  --seed FILE          initial state (default: the bundled seed/default.json)
  --tenant-id ID       Identity tenant, the project_id of what its tokens reach
                       (default demo-tenant)
  --username NAME      Identity user (default demo@example.com)
  --password PASS      Identity API password (default demo-password)
  --token-ttl-s N      token lifetime in seconds (default 43200)
  --op-delay-ms N      how long operations stay *_IN_PROGRESS (default 500)
  --max-node-count N   node count quota (default 10)
  --latency-ms N       added latency on every NKS route (/v1/...)
  --fail-rate F        probability (0..1) that an NKS request fails
  --fail-status S      the status of those failures (default 503)
  --rng-seed N         seed of ids and fault dice, for reproducible runs
  --cors-origins LIST  answer CORS for these origins (comma-separated, or *);
                       without it CORS is off, as on the real API
  --log-limit N        the request log keeps the N most recent requests
                       (default 10000; 0 keeps none)
  -h, --help           print this help
  -V, --version        print the version

Test routes (no token): POST /_emulator/reset, POST /_emulator/seed,
GET|POST|DELETE /_emulator/faults, GET|DELETE /_emulator/requests,
POST /_emulator/fail {\"cluster\", \"nodegroup\"?} (the operation in progress fails),
POST /_emulator/repair {\"cluster\"} (*_FAILED back to *_COMPLETE),
GET /_emulator/nodes/{cluster}/{nodegroup} (instance UUIDs for stop_node/start_node)
";

/// What the command line asks for instead of serving.
enum Exit {
    /// Print this on standard output and exit 0 (`--help`, `--version`).
    Print(String),
    /// Print this on standard error and exit 2.
    Usage(String),
}

struct Args {
    port: u16,
    seed: String,
    account: Account,
    op_delay_ms: i64,
    max_node_count: u32,
    latency_ms: u64,
    fail_rate: f64,
    fail_status: u16,
    rng_seed: u64,
    cors_origins: Vec<String>,
    log_limit: usize,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, Exit> {
    let mut parsed = Args {
        port: 9511,
        seed: DEFAULT_SEED.to_owned(),
        account: Account {
            tenant_id: "demo-tenant".into(),
            username: "demo@example.com".into(),
            password: "demo-password".into(),
            token_ttl_s: 43_200,
        },
        op_delay_ms: 500,
        max_node_count: 10,
        latency_ms: 0,
        fail_rate: 0.0,
        fail_status: 503,
        rng_seed: util::now_ms().unsigned_abs(),
        cors_origins: Vec::new(),
        log_limit: log::DEFAULT_LIMIT,
    };
    fn num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, Exit> {
        value
            .parse()
            .map_err(|_| Exit::Usage(format!("{flag}: {value:?} is not a valid number\n")))
    }
    while let Some(arg) = args.next() {
        // `--flag=value` is `--flag value` (so a shell leaves `--cors-origins=*` alone).
        let split = arg
            .strip_prefix("--")
            .and_then(|a| a.split_once('='))
            .map(|(f, v)| (format!("--{f}"), v.to_owned()));
        let (flag, mut inline) = match split {
            Some((flag, value)) => (flag, Some(value)),
            None => (arg, None),
        };
        match flag.as_str() {
            "--help" | "-h" => return Err(Exit::Print(USAGE.to_owned())),
            "--version" | "-V" => {
                return Err(Exit::Print(format!(
                    "nks-emulator {}\n",
                    env!("CARGO_PKG_VERSION")
                )))
            }
            _ => {}
        }
        // Read by the flag's own arm, so that an unknown flag is named as such.
        let mut value = || {
            inline
                .take()
                .or_else(|| args.next())
                .ok_or_else(|| Exit::Usage(format!("{flag} needs a value\n\n{USAGE}")))
        };
        match flag.as_str() {
            "--port" => parsed.port = num(&flag, &value()?)?,
            "--seed" => {
                let value = value()?;
                parsed.seed = std::fs::read_to_string(&value)
                    .map_err(|e| Exit::Usage(format!("--seed: cannot read {value}: {e}\n")))?;
            }
            "--tenant-id" => parsed.account.tenant_id = value()?,
            "--username" => parsed.account.username = value()?,
            "--password" => parsed.account.password = value()?,
            "--token-ttl-s" => parsed.account.token_ttl_s = num(&flag, &value()?)?,
            "--op-delay-ms" => parsed.op_delay_ms = num(&flag, &value()?)?,
            "--max-node-count" => parsed.max_node_count = num(&flag, &value()?)?,
            "--latency-ms" => parsed.latency_ms = num(&flag, &value()?)?,
            "--fail-rate" => {
                let value = value()?;
                parsed.fail_rate = num(&flag, &value)?;
                if !(0.0..=1.0).contains(&parsed.fail_rate) {
                    return Err(Exit::Usage(format!(
                        "{flag}: {value:?} is not a probability (0..1)\n"
                    )));
                }
            }
            "--fail-status" => parsed.fail_status = num(&flag, &value()?)?,
            "--rng-seed" => parsed.rng_seed = num(&flag, &value()?)?,
            "--log-limit" => parsed.log_limit = num(&flag, &value()?)?,
            "--cors-origins" => {
                parsed.cors_origins = value()?
                    .split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect();
            }
            other => return Err(Exit::Usage(format!("unknown option {other}\n\n{USAGE}"))),
        }
    }
    Ok(parsed)
}

/// The faults the command line asks for.
fn startup_faults(args: &Args) -> Result<Vec<Fault>, String> {
    let mut faults = Vec::new();
    if args.latency_ms > 0 || args.fail_rate > 0.0 {
        let fault = Fault {
            route: None,
            latency_ms: args.latency_ms,
            error: (args.fail_rate > 0.0).then_some(FaultError::Status(args.fail_status)),
            rate: args.fail_rate.max(f64::MIN_POSITIVE),
            retry_after_s: None,
            times: None,
        };
        fault
            .validate()
            .map_err(|e| format!("--fail-rate/--fail-status: {e}"))?;
        faults.push(fault);
    }
    Ok(faults)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

async fn run(args: Args) -> Result<(), String> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let base_url = format!("http://127.0.0.1:{port}");
    let options = Options {
        faults: startup_faults(&args)?,
        limits: Limits {
            max_node_count: args.max_node_count,
            op_delay_ms: args.op_delay_ms,
            // Tokens are project-scoped: what they reach belongs to their tenant.
            project_id: args.account.tenant_id.clone(),
        },
        account: args.account,
        cors_origins: args.cors_origins,
        seed: args.seed,
        log_limit: args.log_limit,
    };
    let app = Arc::new(App::new(options, base_url.clone(), args.rng_seed)?);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{base_url}");
    let _ = out.flush();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let app = Arc::clone(&app);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let app = Arc::clone(&app);
                        async move { server::serve(&app, request).await }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    eprintln!("nks-emulator: stopped");
    Ok(())
}

fn main() {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(Exit::Print(text)) => {
            let mut out = std::io::stdout();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            std::process::exit(0);
        }
        Err(Exit::Usage(message)) => {
            eprint!("nks-emulator: {message}");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nks-emulator: {e}");
            std::process::exit(1);
        }
    };
    if let Err(message) = runtime.block_on(run(args)) {
        eprintln!("nks-emulator: {message}");
        std::process::exit(1);
    }
}
