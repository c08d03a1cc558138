//! The JavaScript surface (wasm32 only), by job:
//! - this module: the bridge — values across the boundary, errors as `NksError`s,
//!   futures as promises, instants;
//! - `client`: the `NksClient` class (the package's `js/core.mjs` adds one method per
//!   entry of [`crate::api::OPERATIONS`]);
//! - `worker` (with the `worker` feature): the Worker's entry points.

mod calendar;
mod client;
#[cfg(feature = "worker")]
mod worker;

use crate::error::Error;
use crate::schedule::clock::IntlZones;
use crate::schedule::Policy;
use js_sys::{Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
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

/// A plain JS value (objects, arrays) from a Rust value. Values cross as JSON text:
/// one serde path for every type keeps the wasm small, and the result is plain data.
pub(crate) fn to_js(value: &impl Serialize) -> Result<JsValue, Error> {
    let text = serde_json::to_string(value).map_err(|e| Error::invalid_response(200, e))?;
    js_sys::JSON::parse(&text)
        .map_err(|_| Error::invalid_response(200, "JSON.parse refused the value"))
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

thread_local! {
    /// The last policy read, by its JSON text: a Worker or a loop that reconciles the
    /// same policy every tick reads it once.
    static LAST_POLICY: RefCell<Option<(String, Rc<Policy>)>> = const { RefCell::new(None) };
}

/// A policy given as JSON text or as an object, validated as a whole.
pub(crate) fn policy_of(policy: &JsValue, zones: &IntlZones) -> Result<Rc<Policy>, Error> {
    let text = match policy.as_string() {
        Some(text) => text,
        None => js_sys::JSON::stringify(policy)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| Error::validation("policy", "must be plain data"))?,
    };
    let cached = LAST_POLICY.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(seen, _)| *seen == text)
            .map(|(_, policy)| Rc::clone(policy))
    });
    if let Some(policy) = cached {
        return Ok(policy);
    }
    let parsed = Rc::new(Policy::parse(&text, zones)?);
    LAST_POLICY.with(|last| *last.borrow_mut() = Some((text, Rc::clone(&parsed))));
    Ok(parsed)
}

/// `validatePolicy(policy)`: checks a policy (JSON text or object) as `plan`, the CLI
/// and the Worker do; throws an `NksError` (`validation`, every mistake in `issues`)
/// when it is not valid.
#[wasm_bindgen(js_name = validatePolicy)]
pub fn validate_policy(policy: JsValue) -> Result<(), JsValue> {
    policy_of(&policy, &IntlZones::default())
        .map(|_| ())
        .map_err(|e| js_error(&e))
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

/// Milliseconds since the epoch from `undefined` (now), a `Date`, a number or an
/// RFC 3339 string with an offset; anything outside JavaScript's date range
/// (±8.64e15 ms) is refused, naming `at`.
pub(crate) fn instant(at: &JsValue) -> Result<i64, Error> {
    let ms = if at.is_undefined() || at.is_null() {
        js_sys::Date::now()
    } else if let Some(date) = at.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(n) = at.as_f64() {
        n
    } else if let Some(text) = at.as_string() {
        return crate::time::parse_instant(&text).map_err(|e| Error::validation("at", e));
    } else {
        return Err(Error::validation(
            "at",
            "must be a Date, epoch milliseconds or an RFC 3339 string with an offset",
        ));
    };
    crate::time::check_instant_ms(ms).map_err(|e| Error::validation("at", e))
}
