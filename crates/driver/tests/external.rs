//! A model from outside through the sweep's cells: `mangen data` exports a cell's arrays, `mangen evaluate` puts a file of samples through the cell's metrics and gives the sweep's rows, an `external` score reads one file per cell in a sweep, and each metric draws from a stream of its own.

use mangen_driver::Registry;
use mangen_driver::cell::evaluate_samples;
use mangen_driver::commands::data::What;
use mangen_driver::commands::{
    CellArgs, DataArgs, EvaluateArgs, SampleArgs, SweepArgs, data, evaluate, sample, sweep_with,
};
use mangen_driver::experiment::Experiment;
use mangen_driver::points::read_points;
use mangen_driver::profile::Profile;
use mangen_driver::runs::{Row, read_runs};
use std::path::{Path, PathBuf};

const CONFIG: &str = r#"
description = "external: circle in R^3"
seed = 13
ambient_dim = 3

[manifold]
kind = "circle"

[density]
kind = "kink"
slope = 2.0

[sweep]
n_train = [20, 60]
seeds = 2
samples = 50

[[sampler]]
t_max = 5.0
t_min = 1e-4
steps = 30

[[score]]
kind = "empirical"

[metrics]
fidelity = true
novelty = true
generalizing = { tube = 0.05 }
wasserstein = { p = 1 }
w1_to_mu = { samples = true, atoms = true }
w2_to_mu = { samples = false, atoms = true }
coupling = true
coverage = { radii = [0.1, 0.2, 0.4], tube = 0.1, centres = 60 }
"#;

/// The config with an external score beside the empirical one, reading `template`.
fn with_external(template: &str) -> String {
    format!(
        "{CONFIG}\n[[score]]\nkind = \"external\"\nsamples = \"{template}\"\nname = \"outside\"\n"
    )
}

fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn cell(config: &Path, n_train: usize, seed: usize) -> CellArgs {
    CellArgs {
        experiment: config.to_path_buf(),
        n_train,
        seed,
        profile: Profile::Standard,
    }
}

fn sample_to(config: &Path, n_train: usize, seed: usize, out: &Path) {
    sample(&SampleArgs {
        cell: cell(config, n_train, seed),
        score: Some("empirical".into()),
        sampler: 0,
        samples: None,
        out: out.to_path_buf(),
    })
    .unwrap();
}

/// A row without the columns that name the model (score, kind, sampler).
fn measured(row: &Row) -> (usize, usize, usize, String, Option<f64>, Option<f64>) {
    (
        row.n_train,
        row.seed,
        row.samples,
        row.metric.clone(),
        row.scale,
        row.value,
    )
}

fn rows_of<'a>(rows: &'a [Row], score: &str) -> Vec<&'a Row> {
    rows.iter().filter(|r| r.score == score).collect()
}

#[test]
fn evaluating_the_samples_of_a_cell_gives_the_rows_the_sweep_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "ext.toml", CONFIG);
    let out = dir.path().join("out");
    sweep_with(&SweepArgs::new(&[&config], &out), &Registry::standard()).unwrap();
    let swept = read_runs(&out.join("ext/runs.csv")).unwrap();
    for (n_train, seed, file) in [(60, 1, "s.npy"), (20, 0, "s.csv")] {
        let samples = dir.path().join(file);
        sample_to(&config, n_train, seed, &samples);
        let rows_file = dir.path().join(format!("{file}.runs.csv"));
        evaluate(&EvaluateArgs {
            cell: cell(&config, n_train, seed),
            samples,
            label: "mine".into(),
            out: rows_file.clone(),
        })
        .unwrap();
        let evaluated = read_runs(&rows_file).unwrap();
        assert!(
            evaluated
                .iter()
                .all(|r| r.score == "mine" && r.score_kind == "external")
        );
        let expected: Vec<_> = swept
            .iter()
            .filter(|r| r.n_train == n_train && r.seed == seed)
            .map(measured)
            .collect();
        assert!(expected.len() > 20, "{}", expected.len());
        assert_eq!(evaluated.iter().map(measured).collect::<Vec<_>>(), expected);
    }
}

#[test]
fn data_exports_the_arrays_the_cell_measures_with() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "ext.toml", CONFIG);
    let experiment = Experiment::load(&config, Profile::Standard).unwrap();
    let export = |what: What, file: &str| {
        let out = dir.path().join(file);
        data(&DataArgs {
            cell: cell(&config, 60, 1),
            what,
            out: out.clone(),
        })
        .unwrap();
        read_points(&out, Some(3)).unwrap()
    };
    let train = export(What::Training, "train.npy");
    assert_eq!(train, mangen_driver::cell::training_set(&experiment, 60, 1));
    let fresh = export(What::Fresh, "fresh.csv");
    assert_eq!(fresh.nrows(), 50);
    // The exported fresh sample is the one the cell's W1 compares with: evaluated as a model's
    // samples, its W1 is exactly 0.
    let rows = evaluate_samples(&experiment, 60, 1, fresh, "fresh").unwrap();
    let w1 = rows.iter().find(|r| r.metric == "w1").unwrap();
    assert_eq!(w1.value, Some(0.0));
    // The centres, with the samples, give the coverage rows the cell wrote.
    let centres = export(What::Centres, "centres.npy");
    assert_eq!(centres.nrows(), 60);
    let samples = dir.path().join("s.npy");
    sample_to(&config, 60, 1, &samples);
    let samples = read_points(&samples, Some(3)).unwrap();
    let rows = evaluate_samples(&experiment, 60, 1, samples.clone(), "x").unwrap();
    let curve = mangen_metrics::coverage_curve(
        experiment.measure.as_ref(),
        samples.view(),
        centres.view(),
        &[0.1, 0.2, 0.4],
        0.1,
    )
    .unwrap();
    let q05: Vec<Option<f64>> = rows
        .iter()
        .filter(|r| r.metric == "coverage_q05")
        .map(|r| r.value)
        .collect();
    let from_centres: Vec<Option<f64>> = curve.iter().map(|c| Some(c.summary.q05)).collect();
    assert_eq!(q05, from_centres);
}

#[test]
fn each_metric_draws_from_its_own_stream() {
    let dir = tempfile::tempdir().unwrap();
    let all = write_config(dir.path(), "all.toml", CONFIG);
    let fewer = CONFIG.replace("w2_to_mu = { samples = false, atoms = true }\n", "");
    assert_ne!(fewer, CONFIG);
    let fewer = write_config(dir.path(), "fewer.toml", &fewer);
    let samples = dir.path().join("s.npy");
    sample_to(&all, 60, 0, &samples);
    let samples = read_points(&samples, Some(3)).unwrap();
    let coverage_rows = |config: &Path| -> Vec<Option<f64>> {
        let experiment = Experiment::load(config, Profile::Standard).unwrap();
        evaluate_samples(&experiment, 60, 0, samples.clone(), "x")
            .unwrap()
            .into_iter()
            .filter(|r| r.metric.starts_with("coverage"))
            .map(|r| r.value)
            .collect()
    };
    // w2_to_mu streams μ draws before coverage draws its centres: with a stream shared by the
    // metrics, turning it off would move every centre.
    let (with, without) = (coverage_rows(&all), coverage_rows(&fewer));
    assert_eq!(with.len(), 11);
    assert_eq!(with, without);
}

/// A folder `runs/` holding the empirical score's samples of `cells` as `{N}-{seed}.{extension}`,
/// and a config beside it whose external score reads them.
fn external_setup(dir: &Path, cells: &[(usize, usize)], extension: &str) -> PathBuf {
    let runs = dir.join("runs");
    std::fs::create_dir(&runs).unwrap();
    let plain = write_config(dir, "plain.toml", CONFIG);
    for &(n_train, seed) in cells {
        let file = runs.join(format!("{n_train}-{seed}.{extension}"));
        sample_to(&plain, n_train, seed, &file);
    }
    let template = format!("runs/{{n_train}}-{{seed}}.{extension}");
    write_config(dir, "ext.toml", &with_external(&template))
}

#[test]
fn an_external_score_reads_one_file_per_cell_in_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let config = external_setup(dir.path(), &[(20, 0), (20, 1), (60, 0), (60, 1)], "npy");
    let out = dir.path().join("out");
    sweep_with(&SweepArgs::new(&[&config], &out), &Registry::standard()).unwrap();
    let rows = read_runs(&out.join("ext/runs.csv")).unwrap();
    let outside = rows_of(&rows, "outside");
    assert!(outside.iter().all(|r| r.score_kind == "external"));
    let empirical = rows_of(&rows, "empirical");
    assert_eq!(
        outside.iter().map(|r| measured(r)).collect::<Vec<_>>(),
        empirical.iter().map(|r| measured(r)).collect::<Vec<_>>()
    );
    let slopes = std::fs::read_to_string(out.join("ext/slopes.csv")).unwrap();
    assert!(
        slopes
            .lines()
            .any(|l| l.contains("outside") && l.contains(",w1,"))
    );
}

#[test]
fn a_missing_or_malformed_sample_file_stops_the_sweep_before_any_cell_runs() {
    let dir = tempfile::tempdir().unwrap();
    let config = external_setup(dir.path(), &[(20, 0), (20, 1), (60, 0)], "csv");
    let runs = dir.path().join("runs");
    let out = dir.path().join("out");
    let sweep = || sweep_with(&SweepArgs::new(&[&config], &out), &Registry::standard());
    let err = format!("{:#}", sweep().unwrap_err());
    assert!(
        err.contains("N=60 · seed 1") && err.contains("60-1.csv"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written, not even the journal");
    // A file with the wrong dimension is refused the same way, naming its line.
    std::fs::write(runs.join("60-1.csv"), "1,2\n3,4\n").unwrap();
    let err = format!("{:#}", sweep().unwrap_err());
    assert!(
        err.contains("60-1.csv") && err.contains("line 1: 2 fields, expected 3"),
        "{err}"
    );
    assert!(!out.exists());
}
