//! The `mangen` subcommands on small inputs with known answers (their errors: tests/bad_input.rs).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn mangen() -> Command {
    Command::cargo_bin("mangen").unwrap()
}

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny.toml")
}

/// Writes `text` into `dir/name` and returns the path.
fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `mangen <args> --train TRAIN --query QUERY [--out OUT]`.
fn on_files(args: &[&str], train: &Path, query: &Path, out: Option<&Path>) -> Command {
    let mut command = mangen();
    command
        .args(args)
        .arg("--train")
        .arg(train)
        .arg("--query")
        .arg(query);
    if let Some(out) = out {
        command.arg("--out").arg(out);
    }
    command
}

fn stdout_of(command: &mut Command) -> String {
    let out = command.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["sweep", "--help"],
        vec!["merge", "--help"],
        vec!["fit", "--help"],
        vec!["plot", "--help"],
        vec!["sample", "--help"],
        vec!["score", "--help"],
        vec!["metric", "--help"],
        vec!["metric", "wasserstein", "--help"],
        vec!["metric", "nn", "--help"],
        vec!["metric", "fidelity", "--help"],
        vec!["metric", "coverage", "--help"],
    ] {
        let text = stdout_of(mangen().args(&args));
        assert!(text.contains("Usage:"), "{args:?}");
    }
}

#[test]
fn wasserstein_prints_the_value_alone() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.csv", "x,y\n0,0\n1,0\n");
    let b = file(dir.path(), "b.csv", "0,1\n1,1\n");
    let w1 = stdout_of(
        mangen()
            .args(["metric", "wasserstein", "--a"])
            .arg(&a)
            .arg("--b")
            .arg(&b),
    );
    assert_eq!(w1.trim().parse::<f64>().unwrap(), 1.0);
    let c = file(dir.path(), "c.csv", "3,0\n0,4\n");
    let w2 = stdout_of(
        mangen()
            .args(["metric", "wasserstein", "--p", "2", "--a"])
            .arg(&a)
            .arg("--b")
            .arg(&c),
    );
    // Best assignment: (0,0)→(0,4) costs 16, (1,0)→(3,0) costs 4: W2 = √10.
    assert!((w2.trim().parse::<f64>().unwrap() - 10f64.sqrt()).abs() < 1e-12);
}

#[test]
fn nn_gives_the_two_nearest_distances() {
    let dir = tempfile::tempdir().unwrap();
    let train = file(dir.path(), "train.csv", "0\n1\n3\n");
    let query = file(dir.path(), "query.csv", "0.25\n2.5\n");
    let out = dir.path().join("nn.csv");
    on_files(&["metric", "nn"], &train, &query, Some(&out))
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "d1,d2\n0.25,0.75\n0.5,1.5\n"
    );
}

#[test]
fn fidelity_and_coverage_measure_against_a_named_manifold() {
    let dir = tempfile::tempdir().unwrap();
    let samples = file(dir.path(), "s.csv", "2,0\n0,0.5\n");
    let text = stdout_of(
        mangen()
            .args([
                "metric",
                "fidelity",
                "--manifold",
                "kind = \"circle\"",
                "--ambient-dim",
                "2",
                "--samples",
            ])
            .arg(&samples),
    );
    assert!(text.starts_with("statistic,value\nmean,0.75\n"), "{text}");

    // Fresh uniform samples of the circle cover every ball of radius 0.5 with a ratio near 1.
    let points: String = (0..4000)
        .map(|i| {
            let a = std::f64::consts::TAU * (i as f64 + 0.5) / 4000.0;
            format!("{},{}\n", a.cos(), a.sin())
        })
        .collect();
    let circle = file(dir.path(), "circle.csv", &points);
    let text = stdout_of(
        mangen()
            .args([
                "metric",
                "coverage",
                "--manifold",
                "kind = \"circle\"",
                "--ambient-dim",
                "2",
            ])
            .args([
                "--radius",
                "0.25,0.5",
                "--tube",
                "0.01",
                "--centres",
                "200",
                "--samples",
            ])
            .arg(&circle),
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "radius,tube,min,q05,median,max,covered_fraction");
    assert_eq!(lines.len(), 3);
    for line in &lines[1..] {
        let fields: Vec<f64> = line.split(',').map(|f| f.parse().unwrap()).collect();
        assert!((fields[4] - 1.0).abs() < 0.02, "median ratio {line}");
        assert_eq!(fields[6], 1.0, "every ball covered: {line}");
    }
}

#[test]
fn score_at_tiny_t_points_at_the_nearest_training_point() {
    let dir = tempfile::tempdir().unwrap();
    let train = file(dir.path(), "train.csv", "0,0\n1,0\n0,1\n");
    let query = file(dir.path(), "query.csv", "0.9,0.1\n0.1,0.05\n");
    let t = 1e-6;
    let text = stdout_of(&mut on_files(
        &["score", "--t", "1e-6"],
        &train,
        &query,
        None,
    ));
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|f| f.parse().unwrap()).collect())
        .collect();
    let expected = [[(1.0 - 0.9) / t, (0.0 - 0.1) / t], [-0.1 / t, -0.05 / t]];
    for (row, want) in rows.iter().zip(expected) {
        for (got, want) in row.iter().zip(want) {
            assert!((got - want).abs() < 1e-6 * want.abs(), "{got} vs {want}");
        }
    }
    assert_eq!(text.lines().next().unwrap(), "s1,s2");
    // The smoothed and projection kinds run too.
    let out = dir.path().join("s.csv");
    on_files(
        &["score", "--t", "0.1", "--kind", "smoothed", "--h", "0.1"],
        &train,
        &query,
        Some(&out),
    )
    .assert()
    .success();
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 3);
}

#[test]
fn sample_reproduces_a_cell_of_the_sweep() {
    // The sweep's fidelity statistics of one cell (projection, N = 40, seed 1), and the same
    // statistics of `mangen sample`'s points for that cell measured by `mangen metric
    // fidelity`: equal to the last digit.
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    mangen()
        .args(["sweep", "--profile", "quick", "--quiet", "--out"])
        .arg(&reports)
        .arg(tiny())
        .assert()
        .success();
    let mut runs = csv::Reader::from_path(reports.join("tiny/runs.csv")).unwrap();
    let header = runs.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = runs.records().map(Result::unwrap).collect();
    let swept = |statistic: &str| -> String {
        let wanted = [
            ("score_kind", "projection"),
            ("n_train", "40"),
            ("seed", "1"),
            ("metric", &format!("fidelity_{statistic}")),
        ];
        let row = rows
            .iter()
            .find(|row| {
                wanted
                    .iter()
                    .all(|(name, value)| &row[column(name)] == *value)
            })
            .unwrap();
        row[column("value")].to_string()
    };
    let samples = dir.path().join("samples.csv");
    mangen()
        .args([
            "sample",
            "--profile",
            "quick",
            "--n-train",
            "40",
            "--seed",
            "1",
        ])
        .args(["--score", "projection", "--experiment"])
        .arg(tiny())
        .arg("--out")
        .arg(&samples)
        .assert()
        .success();
    let text = std::fs::read_to_string(&samples).unwrap();
    assert_eq!(text.lines().next().unwrap(), "x1,x2,x3");
    assert_eq!(
        text.lines().count(),
        1 + 60,
        "the quick profile's 60 samples"
    );
    let printed = stdout_of(
        mangen()
            .args(["metric", "fidelity", "--experiment"])
            .arg(tiny())
            .arg("--samples")
            .arg(&samples),
    );
    for statistic in ["mean", "median", "q95", "max"] {
        let measured = printed
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{statistic},")))
            .unwrap();
        assert_eq!(measured, swept(statistic), "fidelity_{statistic}");
    }
}
