//! The default suite in data/experiments: every config checks under every profile, and the quick
//! profile of the whole suite runs (the smoke test of `cargo xtask sweep`).

use assert_cmd::Command;
use mangen_driver::{Experiment, Profile};
use std::path::{Path, PathBuf};

fn suite() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/experiments");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no experiments in {}", dir.display());
    files
}

#[test]
fn every_experiment_checks_under_every_profile() {
    for file in suite() {
        for profile in [Profile::Quick, Profile::Standard, Profile::Large] {
            let experiment = Experiment::load(&file, profile)
                .unwrap_or_else(|e| panic!("{} ({profile}): {e:#}", file.display()));
            // A training-curve experiment (every score trained, read along its epochs) may
            // hold one N; every other needs 3 for a slope.
            let along_training = experiment.scores.iter().all(|s| s.kind() == "trained");
            assert!(
                along_training || experiment.sweep.n_train.len() >= 3,
                "{}: a slope needs 3 N",
                file.display()
            );
        }
    }
}

#[test]
fn the_quick_profile_of_the_whole_suite_runs() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("mangen")
        .unwrap()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .args(["sweep", "--profile", "quick", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    for file in suite() {
        let name = file.file_stem().unwrap();
        for report in ["runs.csv", "slopes.csv"] {
            let path = out.path().join(name).join(report);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.lines().count() > 1, "{} has no rows", path.display());
        }
    }
    let summary = std::fs::read_to_string(out.path().join("summary.md")).unwrap();
    // The findings table first, then one section per experiment.
    assert!(summary.contains("\n## Findings\n"), "no findings table");
    assert_eq!(summary.matches("\n## ").count(), suite().len() + 1);
}

/// E8 on the full-rank curve says the span shortcut does not apply there: its training sets have
/// numerical rank D, so the neighbour search has every coordinate to search (a tree over all 3 at
/// D = 3, over the 8 leading ones at D = 10 and 100), while E8 on S² searches 3 span coordinates
/// whatever D is.
#[test]
fn the_full_rank_experiments_fill_their_ambient_space() {
    use mangen_geometry::rng;
    use mangen_scores::{KdTree, SearchPath};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/experiments");
    let path_of = |name: &str| {
        let experiment = Experiment::load(&dir.join(format!("{name}.toml")), Profile::Standard)
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let points = experiment
            .manifold
            .sample_uniform(3000, &mut rng::seeded(1));
        KdTree::new(std::sync::Arc::new(points)).unwrap().path()
    };
    assert_eq!(
        path_of("e8_fullrank_d3"),
        SearchPath::KdTree { span_dim: 3 }
    );
    for ambient in [10, 100] {
        assert_eq!(
            path_of(&format!("e8_fullrank_d{ambient}")),
            SearchPath::LeadingKdTree { span_dim: ambient }
        );
        assert_eq!(
            path_of(&format!("e8_ambient_d{ambient}")),
            SearchPath::KdTree { span_dim: 3 }
        );
    }
}
