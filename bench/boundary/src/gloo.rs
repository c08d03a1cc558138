//! [`Gloo`]: the design card's transport, written as a gloo-net user would: a
//! `RequestBuilder` per request, an `AbortController` whose `abort` a `setTimeout`
//! calls after the request's timeout, and the answer's status, the headers the client
//! reads and its text.

use gloo_net::http::{Method as GlooMethod, RequestBuilder};
use nks_edge::transport::{
    Fetch, HttpRequest, HttpResponse, Method, Transport, TransportError, RESPONSE_HEADERS,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Requests through gloo-net; waits and the clock as nks-edge's `Fetch` has them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gloo;

/// A pending `setTimeout`, cleared when the request is done or dropped.
struct Timer(JsValue);

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}

impl Transport for Gloo {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let network = |e: JsValue| TransportError::Network(format!("{e:?}"));
        let controller = AbortController::new().map_err(network)?;
        let abort = js_sys::Reflect::get(&controller, &JsValue::from_str("abort"))
            .map_err(network)?
            .unchecked_into::<js_sys::Function>()
            .bind0(&controller);
        let _timer = Timer(set_timeout(&abort, request.timeout_ms));
        let signal = controller.signal();
        exchange(request, &signal).await.map_err(|e| {
            if signal.aborted() {
                TransportError::Timeout
            } else {
                TransportError::Network(e.to_string())
            }
        })
    }

    async fn sleep(&self, ms: u64) {
        Fetch.sleep(ms).await;
    }

    fn now_ms(&self) -> i64 {
        Fetch.now_ms()
    }
}

/// One request and its answer, through gloo-net.
async fn exchange(
    request: HttpRequest,
    signal: &AbortSignal,
) -> Result<HttpResponse, gloo_net::Error> {
    let mut builder = RequestBuilder::new(&request.url)
        .method(method(request.method))
        .abort_signal(Some(signal));
    for (name, value) in request.headers.iter() {
        builder = builder.header(name, value);
    }
    let sent = match request.body {
        Some(body) => builder.body(body)?,
        None => builder.build()?,
    };
    let response = sent.send().await?;
    let found = response.headers();
    let headers = RESPONSE_HEADERS
        .iter()
        .filter_map(|name| found.get(name).map(|value| ((*name).to_owned(), value)))
        .collect::<Vec<_>>()
        .into();
    Ok(HttpResponse {
        status: response.status(),
        headers,
        body: response.text().await?.into(),
    })
}

fn method(method: Method) -> GlooMethod {
    match method {
        Method::Get => GlooMethod::GET,
        Method::Post => GlooMethod::POST,
        Method::Patch => GlooMethod::PATCH,
        Method::Delete => GlooMethod::DELETE,
    }
}
