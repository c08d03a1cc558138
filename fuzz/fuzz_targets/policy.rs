#![no_main]
//! See `nks_edge_fuzz::checks::policy`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nks_edge_fuzz::checks::policy(data));
