//! The policy functions of the JavaScript surface (feature `policy`: the package's
//! `nks-edge/policy` entry): `validatePolicy`, and `plan`, `reconcile` and `status` on
//! the client. The package's main entry leaves them out, so a program that only calls
//! the API does not download the planner.

use super::client::Client;
use super::{from_js, js_error, promise, to_js};
use crate::error::{Error, FieldError};
use crate::model::{by_reader, Fields, FromValue};
use crate::schedule::clock::IntlZones;
use crate::schedule::{Options, Policy};
use js_sys::Promise;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The last policy read, by its JSON text (a JavaScript string, compared there): a
    /// Worker or a loop that reconciles the same policy every tick reads it once.
    static LAST_POLICY: RefCell<Option<(JsValue, Rc<Policy>)>> = const { RefCell::new(None) };
    /// The time zones of every policy read here: one `Intl` formatter per zone, kept.
    static ZONES: Rc<IntlZones> = Rc::new(IntlZones::default());
}

/// The instance's time zones (see `ZONES`).
pub(super) fn zones() -> Rc<IntlZones> {
    ZONES.with(Rc::clone)
}

/// A policy given as JSON text or as an object, validated as a whole.
pub(super) fn policy_of(policy: &JsValue) -> Result<Rc<Policy>, Error> {
    let text: JsValue = if policy.is_string() {
        policy.clone()
    } else {
        js_sys::JSON::stringify(policy)
            .ok()
            .filter(|s| s.is_string())
            .ok_or_else(|| Error::validation("policy", "must be plain data"))?
            .into()
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
    let parsed = Rc::new(Policy::parse(
        &text.as_string().unwrap_or_default(),
        &*zones(),
    )?);
    LAST_POLICY.with(|last| *last.borrow_mut() = Some((text, Rc::clone(&parsed))));
    Ok(parsed)
}

/// `validatePolicy(policy)`: checks a policy (JSON text or object) as `plan`, the CLI
/// and the Worker do; throws an `NksError` (`validation`, every mistake in `issues`)
/// when it is not valid.
#[wasm_bindgen(js_name = validatePolicy)]
pub fn validate_policy(policy: JsValue) -> Result<(), JsValue> {
    policy_of(&policy).map(|_| ()).map_err(|e| js_error(&e))
}

/// Milliseconds since the epoch from `undefined` (now), a `Date`, a number or an
/// RFC 3339 string with an offset; anything outside JavaScript's date range
/// (±8.64e15 ms) is refused, naming `at`.
pub(super) fn instant(at: &JsValue) -> Result<i64, Error> {
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

/// The options of `plan` and `reconcile` (`{ dryRun, budget, concurrency, tickMs }`).
#[derive(Default)]
struct RunOptions {
    dry_run: Option<bool>,
    budget: Option<u64>,
    concurrency: Option<usize>,
    tick_ms: Option<i64>,
}

impl FromValue for RunOptions {
    fn from_value(value: &Value) -> Result<Self, FieldError> {
        let f = Fields::of(value)?;
        let read = RunOptions {
            dry_run: f.opt("dryRun"),
            budget: f.opt::<u32>("budget").map(u64::from),
            concurrency: f
                .opt::<u32>("concurrency")
                .and_then(|n| usize::try_from(n).ok()),
            tick_ms: f.opt::<u32>("tickMs").map(i64::from),
        };
        f.deny_rest();
        f.finish(read)
    }
}

by_reader!(RunOptions);

#[wasm_bindgen]
impl Client {
    /// The plan a policy gives at `at` (a `Date`, RFC 3339 string or epoch ms; default now).
    pub fn plan(&self, policy: JsValue, at: JsValue, options: JsValue) -> Promise {
        self.run(policy, at, options, false)
    }

    /// Applies the plan for `at` (default now); answers the report.
    pub fn reconcile(&self, policy: JsValue, at: JsValue, options: JsValue) -> Promise {
        self.run(policy, at, options, true)
    }

    /// Per cluster of the policy at `at` (default now): versions, certificate expiry,
    /// the next maintenance window and the step its maintenance is at.
    pub fn status(&self, policy: JsValue, at: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let policy = policy_of(&policy)?;
            let at_ms = instant(&at)?;
            let options = crate::schedule::StatusOptions::default();
            to_js(&crate::schedule::status(&client, &policy, &*zones(), at_ms, &options).await?)
        })
    }
}

impl Client {
    fn run(&self, policy: JsValue, at: JsValue, options: JsValue, apply: bool) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let policy = policy_of(&policy)?;
            let at_ms = instant(&at)?;
            let run: RunOptions = if options.is_undefined() {
                RunOptions::default()
            } else {
                from_js("options", &options)?
            };
            let defaults = Options::default();
            let options = Options {
                dry_run: !apply || run.dry_run.unwrap_or(false),
                budget: run.budget.unwrap_or(defaults.budget),
                concurrency: run.concurrency.unwrap_or(defaults.concurrency),
                tick_ms: run.tick_ms.unwrap_or(defaults.tick_ms),
                ..defaults
            };
            let zones = zones();
            let report = if apply {
                crate::schedule::reconcile(&client, &policy, &*zones, at_ms, &options).await
            } else {
                crate::schedule::plan(&client, &policy, &*zones, at_ms, &options).await
            };
            to_js(&report)
        })
    }
}
