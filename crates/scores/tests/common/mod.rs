//! Helpers shared by the integration tests of mangen-scores.

pub mod rates;
