//! nks-edge: a typed client of NHN Cloud's Kubernetes service (NKS), made for
//! WebAssembly at the edge (Cloudflare Workers), in browsers, Node and Deno.
//!
//! One flow, one direction: [`client`] takes a call from [`api`] (an endpoint as data,
//! validated by [`validate`]), adds a token from [`auth`], sends it through a
//! [`transport`], and reads the answer into [`model`] types or an [`error::Error`].
//!
//! - [`model`]: serde types of the API, lenient in, strict out.
//! - [`api`]: each of the 14 endpoints as a request, without I/O.
//! - [`validate`]: the reference's rules, checked before anything is sent.
//! - [`auth`]: static tokens and NHN Identity credentials, cached and refreshed.
//! - [`transport`]: the transport trait, `fetch` on wasm32, a scripted one for tests.
//! - [`client`]: [`NksClient`], with safe retries.
//! - [`error`]: one error type that keeps the API's answer.

// Library code never panics (a panic in wasm kills the isolate). Set here, not in
// Cargo.toml, so the integration tests under tests/ are not held to it.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod api;
pub mod auth;
#[cfg(target_arch = "wasm32")]
pub mod bindings;
pub mod client;
pub mod config;
pub mod error;
pub mod model;
mod retry;
pub mod schedule;
pub mod secret;
pub mod time;
pub mod transport;
pub mod validate;
#[cfg(any(feature = "worker", not(target_arch = "wasm32")))]
pub mod worker;

pub use auth::{Credentials, Identity};
pub use client::{Config, NksClient};
pub use error::{Error, ErrorData, ErrorKind};
pub use secret::Secret;
