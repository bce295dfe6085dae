//! The coupling metric end to end: a score run beside its population twin from the same start with the same noise gives distance 0 when it is its own twin, and small distances (against the 4/π of an uncoupled pairing) when it is close to it.

use mangen_driver::Registry;
use mangen_driver::commands::{SweepArgs, sweep_with};
use mangen_driver::runs::{Row, read_runs};

const CONFIG: &str = r#"
description = "coupling: circle in R^3"
seed = 9
ambient_dim = 3

[manifold]
kind = "circle"

[sweep]
n_train = [50, 400]
seeds = 2
samples = 100

[[sampler]]
t_max = 5.0
t_min = 1e-4
steps = 40

[[score]]
kind = "oracle"

[[score]]
kind = "projection"
degree = 2

[[score]]
kind = "hybrid"
switch_time = 0.01
degree = 2

[[score]]
kind = "empirical"

[[score]]
kind = "smoothed"
h = 0.1

[metrics]
coupling = true
"#;

fn values(rows: &[Row], score: &str, metric: &str) -> Vec<Option<f64>> {
    rows.iter()
        .filter(|r| r.score.starts_with(score) && r.metric == metric)
        .map(|r| r.value)
        .collect()
}

#[test]
fn coupled_runs_of_a_score_and_its_twin() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("coupling.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let out = dir.path().join("out");
    sweep_with(&SweepArgs::new(&[&config], &out), &Registry::standard()).unwrap();
    let rows = read_runs(&out.join("coupling/runs.csv")).unwrap();

    // The oracle is its own twin: the same start and the same noise give the same samples.
    for metric in ["coupling_mean", "coupling_q95"] {
        let oracle = values(&rows, "oracle", metric);
        assert_eq!(oracle.len(), 4);
        assert!(
            oracle.iter().all(|v| *v == Some(0.0)),
            "{metric}: {oracle:?}"
        );
    }
    // The memorizer has no twin: empty values, not zeros.
    let empirical = values(&rows, "empirical", "coupling_mean");
    assert!(empirical.len() == 4 && empirical.iter().all(Option::is_none));
    // Projection and hybrid end near their twins: a tenth or less of the mean distance 4/π
    // between two independent uniform points of the unit circle, which an uncoupled pairing
    // would give. The hybrid and the smoothed score only at N = 400: at N = 50 (spacing 0.13
    // against √t1 = h = 0.1) their empirical kernels still pull samples toward training points
    // that their twins ignore.
    // The smoothed score's twin is the population score of μ * N(0, h²I).
    let smoothed = values(&rows, "smoothed", "coupling_mean");
    assert!(smoothed.len() == 4 && smoothed.iter().all(|v| v.is_some_and(|v| v > 0.0)));
    let uncoupled = 4.0 / std::f64::consts::PI;
    for (score, smallest_n) in [("projection", 50), ("hybrid", 400), ("smoothed", 400)] {
        let coupled: Vec<&Row> = rows
            .iter()
            .filter(|r| r.score.starts_with(score) && r.metric == "coupling_mean")
            .collect();
        assert_eq!(coupled.len(), 4, "{score}");
        for row in coupled {
            let value = row.value.expect("a twin");
            assert!(value > 0.0, "{score}: {value}");
            if row.n_train >= smallest_n {
                assert!(
                    value < 0.1 * uncoupled,
                    "{score} at N = {}: {value}",
                    row.n_train
                );
            }
        }
    }
}
