//! What the fuzz targets run: [`checks`], over the native time zones and executor of
//! the integration tests (`tests/common`, shared by path so there is one of each).

#[path = "../../tests/common/mod.rs"]
pub mod common;

pub mod checks;
