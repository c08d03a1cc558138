//! The JavaScript surface (wasm32 only), by job:
//! - this module: the bridge — values across the boundary, errors as `NksError`s,
//!   futures as promises;
//! - `client`: the `NksClient` class (the package's `js/core.mjs` adds one method per
//!   entry of [`crate::api::OPERATIONS`]);
//! - `policy` and `calendar` (with the `policy` feature): `validatePolicy`, the
//!   client's `plan`, `reconcile` and `status`, and `calendar`;
//! - `worker` (with the `worker` feature): the Worker's entry points.

#[cfg(feature = "policy")]
mod calendar;
mod client;
pub mod packed;
#[cfg(feature = "policy")]
mod policy;
#[cfg(feature = "worker")]
mod worker;

use crate::error::Error;
use js_sys::{Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The allocator of the package's and the Worker's wasm (feature `talc`, on by default).
#[cfg(all(feature = "talc", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

thread_local! {
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the `NksError` class the package exports; errors are made with it.
#[wasm_bindgen(js_name = "__setErrorClass")]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// An `NksError` (a real `Error`) with `kind`, `status`, `title`, `detail`,
/// `requestId`, `field`, `issues`, `service` and, after a failed connection, `cause`.
pub(crate) fn js_error(e: &Error) -> JsValue {
    let message = JsValue::from_str(&e.to_string());
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    let error: JsValue = class
        .and_then(|c| Reflect::construct(&c, &js_sys::Array::of1(&message)).ok())
        .unwrap_or_else(|| {
            let plain = js_sys::Error::new(&e.to_string());
            plain.set_name("NksError");
            plain.into()
        });
    let text = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    for (key, value) in [
        ("kind", JsValue::from_str(e.kind.as_str())),
        ("status", JsValue::from(e.status)),
        ("title", text(&e.title)),
        ("detail", text(&e.detail)),
        ("requestId", text(&e.request_id)),
        ("field", text(&e.field)),
        ("issues", to_js(&e.issues).unwrap_or(JsValue::NULL)),
        ("service", text(&e.service.map(|s| s.as_str().to_owned()))),
    ] {
        let _ = Reflect::set(&error, &JsValue::from_str(key), &value);
    }
    if let Some(cause) = &e.cause {
        let _ = Reflect::set(
            &error,
            &JsValue::from_str("cause"),
            &js_sys::Error::new(cause),
        );
    }
    error
}

/// A plain JS value (objects, arrays) from a Rust value, as `JSON.parse` would make
/// of its JSON, in one crossing ([`packed`]).
pub(crate) fn to_js(value: &impl Serialize) -> Result<JsValue, Error> {
    packed::to_js(value).map_err(|e| Error::invalid_response(200, e))
}

/// A Rust value from a JS argument; a mismatch names the argument and the field
/// (`spec.labels.ca_enable`).
pub(crate) fn from_js<T: DeserializeOwned>(argument: &str, value: &JsValue) -> Result<T, Error> {
    let text = if value.is_undefined() {
        None
    } else {
        js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
    };
    let text = text.ok_or_else(|| Error::validation(argument, "must be plain data"))?;
    crate::model::from_json(&text)
        .map_err(|issue| Error::invalid_input(vec![issue.under(argument)]))
}

/// A string argument.
pub(crate) fn text(argument: &str, value: &JsValue) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::validation(argument, "must be a string"))
}

/// A promise of a future's value; an error rejects it with an `NksError`.
pub(crate) fn promise(work: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    settle(Box::pin(work))
}

/// [`promise`] for one future type: `future_to_promise` is compiled once, not once
/// per method with the method's body inlined into it.
fn settle(work: Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>) -> Promise {
    future_to_promise(async move { work.await.map_err(|e| js_error(&e)) })
}
