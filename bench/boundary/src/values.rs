//! `load` and `toJs`: a clusters answer read once, then converted to a JS value on
//! each call, the one way this build holds.

use nks_edge::model::{from_json, Cluster};
use serde::Deserialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The clusters `load` read.
    static HELD: RefCell<Vec<Cluster>> = const { RefCell::new(Vec::new()) };
}

/// `GET /v1/clusters`' answer.
#[derive(Deserialize)]
struct Answer {
    clusters: Vec<Cluster>,
}

/// Reads a clusters answer (its JSON text) for `toJs`; how many clusters it holds.
#[wasm_bindgen]
pub fn load(json: &str) -> Result<usize, JsValue> {
    let answer: Answer = from_json(json).map_err(crate::error)?;
    let count = answer.clusters.len();
    HELD.with(|held| *held.borrow_mut() = answer.clusters);
    Ok(count)
}

/// The held clusters as a JS value (an array of plain objects).
#[wasm_bindgen(js_name = toJs)]
pub fn to_js() -> Result<JsValue, JsValue> {
    HELD.with(|held| convert(&held.borrow()))
}

#[cfg(feature = "values-json")]
fn convert(clusters: &[Cluster]) -> Result<JsValue, JsValue> {
    crate::json_to_js(&clusters)
}

/// What the package does with the values Rust makes (`to_js` in its src/bindings).
#[cfg(feature = "values-packed")]
fn convert(clusters: &[Cluster]) -> Result<JsValue, JsValue> {
    nks_edge::bindings::packed::to_js(&clusters).map_err(crate::error)
}

/// Maps as plain objects (`json_compatible`), as the package returns them.
#[cfg(feature = "values-swb")]
fn convert(clusters: &[Cluster]) -> Result<JsValue, JsValue> {
    use serde::Serialize;
    clusters
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(Into::into)
}
