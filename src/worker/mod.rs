//! The Cloudflare Worker: configuration from vars and secrets ([`config`]), access
//! keys ([`access`]), and the HTTP routes and cron tick ([`routes`]). All of it is
//! plain Rust over plain data; `js.rs` and `js/worker.mjs` connect it to workerd.

pub mod access;
pub mod config;
pub mod routes;

pub use config::{ConfigError, Setup};
pub use routes::{serve, tick, Incoming, Outgoing};
