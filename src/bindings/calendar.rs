//! `calendar(policy, week?)`: a policy's week, computed by [`crate::schedule::calendar`]
//! and drawn as SVG, for the dashboard and the CLI alike.

use super::policy::{instant, policy_of, zones};
use super::{js_error, to_js};
use crate::error::Error;
use crate::schedule::calendar::{self as week, Calendar};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The week and its drawing, as JS gets them.
#[derive(Serialize)]
struct Drawn<'c> {
    #[serde(flatten)]
    calendar: &'c Calendar,
    svg: String,
}

/// The week of `policy` (JSON text or object) that contains `week` (a `YYYY-MM-DD`
/// date, any day of the week; or an instant: `Date`, epoch ms, RFC 3339; default now),
/// read in the policy's time zone: `{ week, timezone, start, end, hours, days, rows,
/// nodeHours, rules, svg }`. A bad policy or week throws an `NksError` (`validation`).
#[wasm_bindgen(js_name = calendar)]
pub fn calendar(policy: JsValue, week: JsValue) -> Result<JsValue, JsValue> {
    draw(&policy, &week).map_err(|e| js_error(&e))
}

fn draw(policy: &JsValue, at: &JsValue) -> Result<JsValue, Error> {
    let zones = zones();
    let policy = policy_of(policy)?;
    let bad_week = |problem: String| Error::validation("week", problem);
    let day = match at.as_string().and_then(|text| week::parse_date(&text)) {
        Some(day) => day,
        None => {
            let at_ms = instant(at).map_err(|_| {
                bad_week(
                    "must be a date YYYY-MM-DD, a Date, epoch milliseconds or an RFC 3339 string with an offset"
                        .to_owned(),
                )
            })?;
            week::day_of(&policy, &*zones, at_ms).map_err(bad_week)?
        }
    };
    let calendar = week::week(&policy, &*zones, day).map_err(bad_week)?;
    to_js(&Drawn {
        svg: week::svg(&calendar),
        calendar: &calendar,
    })
}
