//! A metric of one's own, added from outside the crate through the registry and run in a sweep like the built-in ones: its rows reach runs.csv and its curve is fitted against its theory line.

use anyhow::Result;
use mangen_driver::Registry;
use mangen_driver::commands::{SweepArgs, sweep_with};
use mangen_driver::field::switch;
use mangen_driver::fit::read_slopes;
use mangen_driver::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use mangen_driver::runs::read_runs;
use mangen_geometry::rng::StreamRng;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The size of the training set and of the generated sample: the first grows as N^1, exactly.
#[derive(Debug)]
struct Sizes;

impl Metric for Sizes {
    fn infos(&self) -> Vec<MetricInfo> {
        vec![
            MetricInfo::new("training_size", Shape::Rate),
            MetricInfo::new("generated_size", Shape::Fraction),
        ]
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        Ok(vec![
            Measurement::of("training_size", cell.train.nrows() as f64),
            Measurement::of("generated_size", cell.generated.nrows() as f64),
        ])
    }
}

/// `[metrics] sizes = true`.
const SIZES: MetricKind = MetricKind {
    key: "sizes",
    parse: |value| Ok(switch(value)?.then(|| Arc::new(Sizes) as Arc<dyn Metric>)),
};

const CONFIG: &str = r#"
seed = 3
ambient_dim = 3
[manifold]
kind = "circle"
[sweep]
n_train = [10, 20, 40]
seeds = 2
samples = 30
[[sampler]]
t_min = 1e-2
steps = 10
[[score]]
kind = "oracle"
[metrics]
fidelity = true
sizes = true
[[theory]]
metric = "training_size"
slope = 1.0
label = "N"
"#;

fn args(config: &std::path::Path, out: &std::path::Path) -> SweepArgs {
    SweepArgs::new(&[config], out)
}

#[test]
fn a_metric_of_ones_own_runs_in_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sizes.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let out = dir.path().join("out");

    // Without the registration, the config names an unknown metric.
    let refused = sweep_with(&args(&config, &out), &Registry::standard()).unwrap_err();
    let message = format!("{refused:#}");
    assert!(
        message.contains("`metrics.sizes`") && message.contains("unknown metric"),
        "{message}"
    );

    let registry = Registry::standard().with_metric(SIZES);
    sweep_with(&args(&config, &out), &registry).unwrap();
    let rows = read_runs(&out.join("sizes/runs.csv")).unwrap();
    for row in rows.iter().filter(|r| r.metric == "training_size") {
        assert_eq!(row.value, Some(row.n_train as f64));
    }
    let generated: Vec<_> = rows
        .iter()
        .filter(|r| r.metric == "generated_size")
        .collect();
    assert_eq!(generated.len(), 3 * 2);
    assert!(generated.iter().all(|r| r.value == Some(30.0)));
    // Built-in rows come first, the registered metric's after them, in every cell.
    assert_eq!(rows[0].metric, "fidelity_mean");
    assert_eq!(rows[4].metric, "training_size");

    let slopes = read_slopes(&out.join("sizes/slopes.csv")).unwrap();
    let size = slopes
        .iter()
        .find(|s| s.metric == "training_size")
        .expect("a rate curve is fitted");
    assert!((size.slope.unwrap() - 1.0).abs() < 1e-12);
    // Exactly on its theory line, but two seeds at three N make any verdict only indicative.
    assert_eq!(size.theory_slope, Some(1.0));
    assert_eq!(size.verdict, "indicative");
    assert!(!slopes.iter().any(|s| s.metric == "generated_size"));
    assert!(out.join("sizes/training_size.svg").is_file());
}

#[test]
fn a_metric_of_ones_own_checks_its_own_entry() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sizes.toml");
    std::fs::write(&config, CONFIG.replace("sizes = true", "sizes = 3")).unwrap();
    let registry = Registry::standard().with_metric(SIZES);
    let message = format!(
        "{:#}",
        sweep_with(&args(&config, &dir.path().join("out")), &registry).unwrap_err()
    );
    assert!(
        message.contains("`metrics.sizes`") && message.contains("true or false"),
        "{message}"
    );
}

/// How often [`MeanWithNull`]'s shared rows were measured.
static SHARED_MEASUREMENTS: AtomicUsize = AtomicUsize::new(0);

/// The mean first coordinate of the generated samples, with its null on the fresh samples as a
/// shared row, and beside it how many generated samples the shared rows saw.
#[derive(Debug)]
struct MeanWithNull;

impl Metric for MeanWithNull {
    fn infos(&self) -> Vec<MetricInfo> {
        vec![
            MetricInfo::new("mean_x_null", Shape::Fraction),
            MetricInfo::new("mean_x", Shape::Fraction),
            MetricInfo::new("samples_seen_by_null", Shape::Fraction),
        ]
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let mean = cell.generated.column(0).mean().unwrap();
        Ok(vec![Measurement::of("mean_x", mean)])
    }

    fn measure_shared(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        SHARED_MEASUREMENTS.fetch_add(1, Ordering::SeqCst);
        let mean = cell.fresh.column(0).mean().unwrap();
        Ok(vec![
            Measurement::of("mean_x_null", mean),
            Measurement::of("samples_seen_by_null", cell.generated.nrows() as f64),
        ])
    }
}

/// `[metrics] mean_with_null = true`.
const MEAN_WITH_NULL: MetricKind = MetricKind {
    key: "mean_with_null",
    parse: |value| Ok(switch(value)?.then(|| Arc::new(MeanWithNull) as Arc<dyn Metric>)),
};

#[test]
fn shared_rows_are_measured_once_per_n_and_seed_and_written_in_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("mean.toml");
    let text = CONFIG
        .replace("sizes = true", "mean_with_null = true")
        .replace(
            "[[theory]]\nmetric = \"training_size\"\nslope = 1.0\nlabel = \"N\"\n",
            "",
        )
        .replace(
            "kind = \"oracle\"",
            "kind = \"oracle\"\n[[score]]\nkind = \"fresh\"",
        );
    std::fs::write(&config, text).unwrap();
    let out = dir.path().join("out");
    let registry = Registry::standard().with_metric(MEAN_WITH_NULL);
    let one_thread = SweepArgs {
        threads: Some(1),
        ..args(&config, &out)
    };
    sweep_with(&one_thread, &registry).unwrap();
    // Two scores at 3 N and 2 seeds: the shared rows are measured once per (N, seed).
    assert_eq!(SHARED_MEASUREMENTS.load(Ordering::SeqCst), 3 * 2);
    // On two threads, cells of one (N, seed) may measure them at the same moment: the same rows.
    let two = dir.path().join("two");
    let two_threads = SweepArgs {
        threads: Some(2),
        ..args(&config, &two)
    };
    sweep_with(&two_threads, &registry).unwrap();
    let runs = |out: &std::path::Path| std::fs::read(out.join("mean/runs.csv")).unwrap();
    assert_eq!(runs(&out), runs(&two));
    let rows = read_runs(&out.join("mean/runs.csv")).unwrap();
    let ours: Vec<_> = rows
        .iter()
        .filter(|r| r.metric.starts_with("mean_x") || r.metric == "samples_seen_by_null")
        .collect();
    assert_eq!(ours.len(), 2 * 3 * 2 * 3);
    for cell in ours.chunks(3) {
        // In the order of the metric's infos, shared and own rows interleaved.
        let names: Vec<&str> = cell.iter().map(|r| r.metric.as_str()).collect();
        assert_eq!(names, ["mean_x_null", "mean_x", "samples_seen_by_null"]);
        assert_eq!(
            cell[2].value,
            Some(0.0),
            "the shared rows saw no generated sample"
        );
    }
    let null_of = |score: &str, n: usize, seed: usize| {
        ours.iter()
            .find(|r| {
                r.score == score && r.n_train == n && r.seed == seed && r.metric == "mean_x_null"
            })
            .and_then(|r| r.value)
            .unwrap()
    };
    for n in [10, 20, 40] {
        // The same null for both scores of an (N, seed), another for the other seed.
        assert_eq!(null_of("oracle", n, 0), null_of("fresh", n, 0));
        assert_eq!(null_of("oracle", n, 1), null_of("fresh", n, 1));
        assert_ne!(null_of("oracle", n, 0), null_of("oracle", n, 1));
    }
}
