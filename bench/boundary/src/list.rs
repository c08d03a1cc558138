//! `connect` and `listClusters`: the real client over this build's transport.

use nks_edge::{Config, Credentials, NksClient, Secret};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[cfg(feature = "transport-direct")]
type Wire = nks_edge::transport::Fetch;
#[cfg(feature = "transport-gloo")]
type Wire = crate::gloo::Gloo;

thread_local! {
    /// The client `connect` made (as the package's `NksClient` holds one).
    static CLIENT: RefCell<Option<NksClient<Wire>>> = const { RefCell::new(None) };
}

/// Makes the client `listClusters` uses: `endpoint` with a ready token, no retries.
#[wasm_bindgen]
pub fn connect(endpoint: String, token: String) -> Result<(), JsValue> {
    let mut config = Config::new(endpoint, Credentials::Token(Secret::new(token)));
    config.retries = 0;
    let client = NksClient::new(config, Wire::default()).map_err(crate::error)?;
    CLIENT.with(|c| *c.borrow_mut() = Some(client));
    Ok(())
}

/// `GET /v1/clusters`, read in Rust; the clusters returned as JSON text + `JSON.parse`
/// in both transport variants, so only the transport differs.
#[wasm_bindgen(js_name = listClusters)]
pub async fn list_clusters() -> Result<JsValue, JsValue> {
    let client = CLIENT
        .with(|c| c.borrow().clone())
        .ok_or_else(|| JsValue::from_str("call connect first"))?;
    let clusters = client.list_clusters().await.map_err(crate::error)?;
    crate::json_to_js(&clusters)
}
