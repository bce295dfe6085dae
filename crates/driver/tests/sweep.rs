//! End to end: a quick-profile sweep of a tiny experiment, its reports, and determinism across threads.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny.toml")
}

/// Sweeps the tiny experiment; OpenBLAS is offered as many threads as the sweep, which the
/// driver must override to keep the CSV the same.
fn sweep(out: &Path, threads: usize) {
    Command::cargo_bin("mangen")
        .unwrap()
        .env("OPENBLAS_NUM_THREADS", threads.to_string())
        .args(["sweep", "--profile", "quick", "--quiet", "--threads"])
        .arg(threads.to_string())
        .arg("--out")
        .arg(out)
        .arg(tiny())
        .assert()
        .success();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_quick_sweep_writes_every_report_and_the_same_csv_on_one_and_two_threads() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    sweep(one.path(), 1);
    sweep(two.path(), 2);
    let dir = one.path().join("tiny");

    // runs.csv: the header, and one row per (cell, metric): 3 scores × 3 N × 2 seeds cells, 25
    // metric rows each (fidelity 4, novelty 5, w1 2, coverage 2 + 4 × 3 radii), and the two
    // geometry rows for the projection score's 6 cells.
    let runs = read(&dir.join("runs.csv"));
    let mut lines = runs.lines();
    assert_eq!(
        lines.next().unwrap(),
        "experiment,manifold,intrinsic_dim,ambient_dim,density,score,score_kind,sampler,n_train,seed,samples,metric,scale,value"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 18 * 25 + 6 * 2);
    let parsed = mangen_driver::runs::read_runs(&dir.join("runs.csv")).unwrap();
    for n in [20, 40, 80] {
        for score in ["empirical", "projection(m=1)", "fresh"] {
            let w1: Vec<f64> = parsed
                .iter()
                .filter(|r| r.n_train == n && r.score == score && r.metric == "w1")
                .map(|r| r.value.unwrap())
                .collect();
            assert_eq!(w1.len(), 2, "two seeds of w1 for {score} at N = {n}");
            assert!(w1.iter().all(|v| *v > 0.0 && v.is_finite()));
        }
    }
    let fresh_fidelity = parsed
        .iter()
        .filter(|r| r.score == "fresh" && r.metric == "fidelity_max")
        .map(|r| r.value.unwrap())
        .fold(0.0, f64::max);
    assert!(
        fresh_fidelity < 1e-12,
        "fresh samples of μ lie on M: {fresh_fidelity}"
    );
    let memorized = |score: &str| {
        let values: Vec<f64> = parsed
            .iter()
            .filter(|r| r.score == score && r.metric == "memorized_fraction")
            .map(|r| r.value.unwrap())
            .collect();
        values.iter().sum::<f64>() / values.len() as f64
    };
    let copied = memorized("empirical");
    assert!(
        copied > 0.9,
        "the memorizer copies its training points: {copied}"
    );
    assert!(memorized("fresh") < 0.6, "fresh samples are not copies");

    // slopes.csv: one row per rate curve, each with a verdict from the documented set.
    let slopes = mangen_driver::fit::read_slopes(&dir.join("slopes.csv")).unwrap();
    let verdicts = [
        "consistent",
        "steeper",
        "shallower",
        "no interval",
        "below the noise floor",
        "too few points",
        "no theory line",
    ];
    assert!(
        slopes
            .iter()
            .all(|s| verdicts.contains(&s.verdict.as_str()))
    );
    let w1 = slopes
        .iter()
        .find(|s| s.score == "empirical" && s.metric == "w1")
        .expect("the memorizer's w1 curve");
    assert_eq!(w1.theory_slope, Some(-0.5));
    assert!(
        slopes
            .iter()
            .any(|s| s.score == "null" && s.metric == "w1_null")
    );
    let d1 = slopes
        .iter()
        .find(|s| s.score == "fresh" && s.metric == "d1_median")
        .unwrap();
    assert!(d1.slope.is_some() && d1.ci_low <= d1.slope && d1.slope <= d1.ci_high);

    // Plots carry their axis labels and legends.
    let svg = read(&dir.join("w1.svg"));
    for text in [
        "training-set size N",
        "empirical",
        "null: fresh samples",
        "theory: k = 1",
    ] {
        assert!(svg.contains(text), "w1.svg lacks `{text}`");
    }
    let band = read(&dir.join("coverage_band.svg"));
    for text in [
        "coverage band at N = 80",
        "ball radius r",
        "projection(m=1)",
        "even coverage",
    ] {
        assert!(band.contains(text), "coverage_band.svg lacks `{text}`");
    }
    assert!(dir.join("geometry_error_mean.svg").is_file());
    assert!(dir.join("memorized_fraction.svg").is_file());

    // The manifest and the summary.
    let manifest = read(&one.path().join("manifest.toml"));
    for key in [
        "git_commit",
        "profile = \"quick\"",
        "threads = 1",
        "[[experiment.cell]]",
        "seconds",
    ] {
        assert!(manifest.contains(key), "manifest lacks `{key}`");
    }
    let summary = read(&one.path().join("summary.md"));
    assert!(summary.contains("## tiny") && summary.contains("(tiny/w1.svg)"));
    assert!(summary.contains("Coverage band at N = 80") && summary.contains("| fresh | 0.4 |"));
    assert!(
        summary.contains("| memorized_fraction | empirical |"),
        "fractions are tabled"
    );
    assert_eq!(
        summary
            .matches("| memorized_fraction_null | null |")
            .count(),
        1
    );

    // The same seeds give the same CSV, whatever the thread count.
    for file in ["runs.csv", "slopes.csv"] {
        assert_eq!(
            read(&dir.join(file)),
            read(&two.path().join("tiny").join(file)),
            "{file}"
        );
    }

    // `mangen fit` and `mangen plot` redo the sweep's last steps from runs.csv.
    let refit = one.path().join("refit.csv");
    let plots = one.path().join("plots");
    let runs = dir.join("runs.csv");
    let slopes = dir.join("slopes.csv");
    let redo = |args: &[&Path]| {
        let mut command = Command::cargo_bin("mangen").unwrap();
        for arg in args {
            command.arg(arg);
        }
        command
            .arg("--experiment")
            .arg(tiny())
            .arg("--runs")
            .arg(&runs)
            .assert()
            .success();
    };
    redo(&[Path::new("fit"), Path::new("--out"), &refit]);
    assert_eq!(read(&refit), read(&slopes));
    redo(&[
        Path::new("plot"),
        Path::new("--slopes"),
        &slopes,
        Path::new("--out-dir"),
        &plots,
    ]);
    assert_eq!(read(&plots.join("w1.svg")), svg);
}
