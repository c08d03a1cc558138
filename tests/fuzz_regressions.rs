//! Every saved fuzz input, replayed through the fuzz targets' own checks
//! (`fuzz/src/checks.rs`): the seeds in `fuzz/seeds/<target>/` and each input that
//! once failed a check, in `fuzz/regressions/<target>/`. `make fuzz` finds new ones.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/src/checks.rs"]
mod checks;
mod common;

use std::path::Path;

/// Runs `check` on every file saved for `target`; answers how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} fails its check", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn model() {
    assert!(replay("model", checks::model) >= 18);
}

#[test]
fn instants() {
    assert!(replay("instants", checks::instants) >= 8);
}

#[test]
fn policy() {
    assert!(replay("policy", checks::policy) >= 2);
}

#[test]
fn router() {
    assert!(replay("router", checks::router) >= 9);
}

#[test]
fn access_keys() {
    assert!(replay("access_keys", checks::access_keys) >= 1);
}
