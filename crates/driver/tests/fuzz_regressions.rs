//! Replays every saved fuzz crash (crates/driver/fuzz/regressions/<target>/) and every seed of
//! the fuzz targets through the same entry points as the fuzzer: each must return, not panic.

use mangen_driver::fuzzing;
use std::path::{Path, PathBuf};

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` on every file of `dirs` (relative to crates/driver); returns how many.
fn replay(target: fn(&[u8]), dirs: &[&str]) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in dirs {
        for file in files_in(&root.join(dir)) {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{} panics", file.display());
            count += 1;
        }
    }
    count
}

#[test]
fn the_config_parser_survives_every_saved_input() {
    let replayed = replay(
        fuzzing::experiment_config,
        &[
            "fuzz/regressions/experiment_config",
            "../../data/experiments",
            "tests/data",
        ],
    );
    assert!(replayed >= 16, "the suite's configs are seeds: {replayed}");
}

#[test]
fn the_points_reader_survives_every_saved_input() {
    let replayed = replay(
        fuzzing::points_csv,
        &["fuzz/regressions/points_csv", "fuzz/seeds/points_csv"],
    );
    assert!(replayed >= 3, "{replayed}");
}

#[test]
fn the_npy_reader_survives_every_saved_input() {
    let replayed = replay(
        fuzzing::points_npy,
        &["fuzz/regressions/points_npy", "fuzz/seeds/points_npy"],
    );
    assert!(replayed >= 3, "{replayed}");
}
