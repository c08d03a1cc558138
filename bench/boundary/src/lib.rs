//! Issue #12's boundary bench (wasm32 only; run by `make bench-boundary`). Each build
//! holds one variant, chosen by its Cargo feature, so its module's size is its own:
//! - `transport-direct` / `transport-gloo`: `connect(endpoint, token)` then
//!   `listClusters()`, nks-edge's `NksClient::list_clusters` over the package's
//!   `transport::Fetch` or over [`gloo::Gloo`] (gloo-net's `Request`);
//! - `values-json` / `values-swb` / `values-packed`: `load(json)` then `toJs()`, the
//!   held clusters converted to a JS value as JSON text + `JSON.parse`, with
//!   serde-wasm-bindgen, or packed (`nks_edge::bindings::packed`, the package's way).
#![cfg(target_arch = "wasm32")]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(feature = "transport-gloo")]
mod gloo;
#[cfg(any(feature = "transport-direct", feature = "transport-gloo"))]
mod list;
#[cfg(any(feature = "values-json", feature = "values-swb", feature = "values-packed"))]
mod values;

use wasm_bindgen::JsValue;

/// How many variants this build holds: exactly one, or the sizes mean nothing.
const VARIANTS: usize = cfg!(feature = "transport-direct") as usize
    + cfg!(feature = "transport-gloo") as usize
    + cfg!(feature = "values-json") as usize
    + cfg!(feature = "values-swb") as usize
    + cfg!(feature = "values-packed") as usize;
const _: () = assert!(
    VARIANTS == 1,
    "build with exactly one of the features transport-direct, transport-gloo, values-json, values-swb, values-packed"
);

/// A value as JSON text, then `JSON.parse` (the package's way before
/// `bindings::packed`).
#[cfg(any(feature = "values-json", feature = "transport-direct", feature = "transport-gloo"))]
fn json_to_js(value: &impl serde::Serialize) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// Any error as a JS string: the bench only needs to see it.
fn error(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&e.to_string())
}
