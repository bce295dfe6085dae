//! The inputs the fuzz targets (crates/driver/fuzz) feed to the readers of untrusted files, shared
//! with the regression tests that replay every saved crash: each must return, never panic.

use crate::experiment::Experiment;
use crate::points::{parse_npy, parse_points};
use crate::profile::Profile;
use std::path::Path;

/// An experiment config of arbitrary bytes, checked under every profile: an error is fine, a
/// panic or an unbounded allocation is a bug.
pub fn experiment_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for profile in [Profile::Quick, Profile::Standard, Profile::Large] {
        let _ = Experiment::parse(text, Path::new("fuzz.toml"), profile);
    }
}

/// A CSV of points of arbitrary bytes, read with no expected dimension and with the one the
/// first byte picks (0 to 7).
pub fn points_csv(data: &[u8]) {
    let _ = parse_points(data, "fuzz.csv", None);
    if let Some((&first, rest)) = data.split_first() {
        let _ = parse_points(rest, "fuzz.csv", Some(usize::from(first % 8)));
    }
}

/// A `.npy` file of points of arbitrary bytes, read with no expected dimension and with the one
/// the last byte picks (0 to 7): an error is fine, a panic or an allocation the bytes do not
/// back is a bug.
pub fn points_npy(data: &[u8]) {
    let _ = parse_npy(data, "fuzz.npy", None);
    if let Some(&last) = data.last() {
        let _ = parse_npy(data, "fuzz.npy", Some(usize::from(last % 8)));
    }
}
