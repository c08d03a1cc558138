//! Scheduled scaling: a [`Policy`] of first-match rules with time zones, days, hours
//! and dates; each tick computes the desired state for its instant and moves the
//! actual state toward it ([`reconcile`]), so a missed or failed tick heals on the next.
//!
//! - [`policy`]: the format, validated as a whole.
//! - [`clock`]: wall-clock time in IANA zones ([`Zones`]; `Intl` on wasm32).
//! - [`maintenance`]: maintenance windows in the policy; [`steps`]: the next step of one.
//! - [`plan`](mod@plan): per-cluster units of reads and writes within a budget, the report.
//! - [`status`](mod@status): versions, certificate expiry, next window and maintenance step.
//! - [`calendar`]: a policy's week per node group, its node-hours and its SVG.
//!
//! Daylight-saving time follows the wall clock: a rule matches while the local time
//! is inside its window. When clocks spring forward, a window that starts in the
//! skipped hour starts at the first wall time that exists (03:00 for a 02:30 start);
//! when they fall back, the repeated hour matches the same way both times, and since
//! reconciling is idempotent, applying a state twice changes nothing.

mod budget;
pub mod calendar;
pub mod clock;
mod limited;
pub mod maintenance;
pub mod plan;
pub mod policy;
pub mod status;
pub mod steps;
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
mod zones_native;

pub use clock::{LocalTime, Zones};
pub use plan::{
    plan, reconcile, reconcile_clusters, run_into, Options, Progress, Report, Settings,
};
pub use policy::{Policy, PolicyError};
pub use status::{status, StatusOptions, StatusReport};
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub use zones_native::JiffZones;
