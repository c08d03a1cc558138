//! Scheduled scaling: a [`Policy`] of first-match rules with time zones, days, hours
//! and dates; each tick computes the desired state for its instant and moves the
//! actual state toward it ([`reconcile`]), so a missed or failed tick heals on the next.
//!
//! - [`policy`]: the format, validated as a whole.
//! - [`clock`]: wall-clock time in IANA zones ([`Zones`]; `Intl` on wasm32).
//! - [`plan`](mod@plan): reads, differences, guarded and bounded writes, the report.
//!
//! Daylight-saving time follows the wall clock: a rule matches while the local time
//! is inside its window. When clocks spring forward, a window that starts in the
//! skipped hour starts at the first wall time that exists (03:00 for a 02:30 start);
//! when they fall back, the repeated hour matches the same way both times, and since
//! reconciling is idempotent, applying a state twice changes nothing.

pub mod calendar;
pub mod clock;
mod limited;
pub mod plan;
pub mod policy;
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
mod zones_native;

pub use clock::{LocalTime, Zones};
pub use plan::{plan, reconcile, Options, Report};
pub use policy::{Policy, PolicyError};
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub use zones_native::JiffZones;
