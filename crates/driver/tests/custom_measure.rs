//! A data law of one's own in a sweep: a checked experiment whose μ is replaced by a `Measure` implemented outside the crate, run by the sweep engine.

use mangen_driver::engine::{SweepRun, run_sweep};
use mangen_driver::runs::read_runs;
use mangen_driver::{Experiment, Profile};
use mangen_geometry::Manifold;
use mangen_measures::Measure;
use ndarray::{Array2, ArrayView1};
use rand::Rng;
use std::sync::Arc;

/// The experiment's law with every point drawn twice: n points are n/2 draws, each repeated.
#[derive(Debug)]
struct Doubled {
    inner: Arc<dyn Measure>,
}

impl Measure for Doubled {
    fn manifold(&self) -> &dyn Manifold {
        self.inner.manifold()
    }

    fn name(&self) -> String {
        "doubled".into()
    }

    fn sample(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let half = self.inner.sample(n.div_ceil(2), rng);
        Array2::from_shape_fn((n, half.ncols()), |(i, j)| half[[i / 2, j]])
    }

    fn density(&self, x: ArrayView1<f64>) -> mangen_measures::Result<f64> {
        self.inner.density(x)
    }
}

const CONFIG: &str = r#"
seed = 9
ambient_dim = 3
[manifold]
kind = "circle"
[sweep]
n_train = [10, 20, 40]
seeds = 1
samples = 20
[[sampler]]
t_min = 1e-2
steps = 10
[[score]]
kind = "fresh"
[metrics]
novelty = true
"#;

/// The experiment of [`CONFIG`] with its law replaced by [`Doubled`], in a temporary folder.
fn doubled_experiment() -> (tempfile::TempDir, Experiment) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doubled.toml");
    std::fs::write(&file, CONFIG).unwrap();
    let mut experiment = Experiment::load(&file, Profile::Standard).unwrap();
    experiment.measure = Arc::new(Doubled {
        inner: experiment.measure.clone(),
    });
    (dir, experiment)
}

#[test]
fn a_law_of_ones_own_is_sampled_by_the_sweep() {
    let (dir, experiment) = doubled_experiment();
    let run = SweepRun {
        out: dir.path().join("out"),
        profile: Profile::Standard,
        shard: None,
        resume: false,
        quiet: true,
    };
    run_sweep(&[experiment], &run).unwrap();
    let rows = read_runs(&run.out.join("doubled/runs.csv")).unwrap();
    assert_eq!(rows.len(), 3 * 5);
    assert!(rows.iter().all(|r| r.density == "doubled"), "{rows:?}");
}

#[test]
fn the_cells_draw_their_training_sets_from_the_law_of_ones_own() {
    let (_dir, experiment) = doubled_experiment();
    let train = mangen_driver::cell::training_set(&experiment, 40, 0);
    for pair in train.outer_iter().collect::<Vec<_>>().chunks(2) {
        assert_eq!(pair[0], pair[1]);
    }
}
