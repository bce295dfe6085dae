//! A kind of score of one's own, added from outside the crate through the registry, its `[[score]]` table checked by its own code, run in a sweep like the built-in kinds.

use anyhow::Result;
use mangen_driver::Registry;
use mangen_driver::commands::{SweepArgs, sweep_with};
use mangen_driver::field::{FieldError, read_table};
use mangen_driver::runs::read_runs;
use mangen_driver::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use mangen_scores::{Denoiser, Estimate, KdTree, NeighbourIndex, Schedule, ScoreModel};
use ndarray::{Array1, ArrayView1};
use serde::Deserialize;
use std::sync::Arc;

/// D(x, t) = x + pull · (nearest training point − x): with pull = 1, the t → 0 limit of the
/// memorizer.
#[derive(Debug)]
struct Nearest {
    index: Arc<KdTree>,
    schedule: Schedule,
    pull: f64,
}

impl ScoreModel for Nearest {
    fn name(&self) -> String {
        "nearest".into()
    }

    fn dim(&self) -> usize {
        self.index.dim()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Denoiser for Nearest {
    fn denoise_estimate(&self, x: ArrayView1<f64>, _: f64) -> mangen_scores::Result<Estimate> {
        let nearest = self.index.k_nearest(x, 1)?[0].index;
        let point = self.index.points().row(nearest);
        let value: Array1<f64> = &x + &((&point - &x) * self.pull);
        Ok(Estimate {
            value,
            error_bound: 0.0,
        })
    }
}

/// `[[score]] kind = "nearest"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    pull: f64,
}

/// The checked table.
#[derive(Debug)]
struct NearestKind {
    pull: f64,
}

impl ScoreBuilder for NearestKind {
    fn kind(&self) -> &str {
        "nearest"
    }

    fn label(&self) -> String {
        format!("nearest(pull={})", self.pull)
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        Ok(BuiltScore::of(Nearest {
            index: inputs.index.clone(),
            schedule: inputs.schedule,
            pull: self.pull,
        }))
    }
}

const NEAREST: ScoreKind = ScoreKind {
    kind: "nearest",
    parse: |table, _| {
        let spec: Spec = read_table(table, &["kind"])?;
        if !(spec.pull > 0.0 && spec.pull <= 1.0) {
            return Err(FieldError::new(
                "pull",
                format!("must lie in (0, 1] (got {})", spec.pull),
            ));
        }
        Ok(Arc::new(NearestKind { pull: spec.pull }))
    },
};

const CONFIG: &str = r#"
seed = 5
ambient_dim = 3
[manifold]
kind = "circle"
[sweep]
n_train = [10, 20, 40]
seeds = 2
samples = 40
[[sampler]]
t_min = 1e-3
steps = 10
denoise = true
[[score]]
kind = "nearest"
pull = 1.0
[[score]]
kind = "fresh"
[metrics]
novelty = true
"#;

fn sweep(config_text: &str, registry: &Registry) -> (tempfile::TempDir, Result<()>) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("nearest.toml");
    std::fs::write(&config, config_text).unwrap();
    let outcome = sweep_with(
        &SweepArgs::new(&[&config], &dir.path().join("out")),
        registry,
    );
    (dir, outcome)
}

#[test]
fn a_score_kind_of_ones_own_runs_in_a_sweep() {
    let (dir, outcome) = sweep(CONFIG, &Registry::standard().with_score(NEAREST));
    outcome.unwrap();
    let rows = read_runs(&dir.path().join("out/nearest/runs.csv")).unwrap();
    let memorized = |score: &str| -> Vec<f64> {
        rows.iter()
            .filter(|r| r.score == score && r.metric == "memorized_fraction")
            .map(|r| r.value.unwrap())
            .collect()
    };
    let copies = memorized("nearest(pull=1)");
    assert_eq!(copies.len(), 3 * 2);
    // The final denoising step lands every sample on a training point: all are copies.
    assert!(copies.iter().all(|&m| m == 1.0), "{copies:?}");
    assert!(
        rows.iter()
            .filter(|r| r.score == "nearest(pull=1)")
            .all(|r| r.score_kind == "nearest")
    );
    assert!(memorized("fresh").iter().all(|&m| m < 0.9));
}

#[test]
fn a_score_kind_of_ones_own_checks_its_own_table() {
    let registry = Registry::standard().with_score(NEAREST);
    let (_dir, outcome) = sweep(&CONFIG.replace("pull = 1.0", "pull = 2.0"), &registry);
    let message = format!("{:#}", outcome.unwrap_err());
    assert!(
        message.contains("`score[0].pull`") && message.contains("(0, 1]"),
        "{message}"
    );
    let (_dir, outcome) = sweep(&CONFIG.replace("pull = 1.0", "pul = 1.0"), &registry);
    let message = format!("{:#}", outcome.unwrap_err());
    assert!(message.contains("unknown field `pul`"), "{message}");
    let (_dir, outcome) = sweep(CONFIG, &Registry::standard());
    let message = format!("{:#}", outcome.unwrap_err());
    assert!(
        message.contains("unknown score kind `nearest`"),
        "{message}"
    );
}
