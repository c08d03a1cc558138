//! The Cloudflare Worker: configuration from vars and secrets ([`config`]), access
//! keys ([`access`]), the HTTP routes and cron tick ([`routes`]), the cron trigger's
//! period ([`cron`]), the scoped gateway of the NKS API (`gateway`), kept reports
//! ([`reports`]), timestamped log lines ([`log`]) and the secrets every outgoing
//! text is redacted of ([`secrets`]). All of
//! it is plain Rust over plain data; `bindings/worker.rs` and `js/worker.mjs` connect
//! it to workerd.

pub mod access;
pub mod config;
pub mod cron;
mod gateway;
pub mod log;
pub mod reports;
pub mod routes;
pub mod secrets;

pub use config::{ConfigError, Setup};
pub use reports::{Page, Store};
pub use routes::{queued, serve, tick, Incoming, Invocation, Outgoing, Ticked};
