//! A sampler defined outside the crate works with its generic run: explicit Euler on the
//! probability-flow ODE, checked against the built-in Heun on the Gaussian closed form.

use mangen_geometry::rng::StreamRng;
use mangen_samplers::{Heun, RunOptions, Sampler, SamplingConfig, Start, TimeGrid};
use mangen_scores::{GaussianScore, Result, Schedule, Score};
use ndarray::{Array1, Array2, ArrayView1};

/// Explicit Euler on dx/dt = f x − ½ g² s(x, t): first order, deterministic.
struct ExplicitEuler;

impl Sampler for ExplicitEuler {
    fn name(&self) -> String {
        "euler ode".into()
    }

    fn step(
        &self,
        score: &dyn Score,
        x: ArrayView1<f64>,
        from: f64,
        to: f64,
        _rng: &mut StreamRng,
    ) -> Result<Array1<f64>> {
        let (f, g2) = score.schedule().sde_coefficients();
        let velocity = &x * f - &(score.score(x, from)? * (0.5 * g2));
        Ok(&x - &(velocity * (from - to)))
    }
}

#[test]
fn a_custom_sampler_runs_through_the_generic_code() {
    for schedule in [Schedule::VarianceExploding, Schedule::VariancePreserving] {
        let score = GaussianScore::new(
            Array1::from(vec![1.0, -1.0]),
            Array2::eye(2) * 0.5,
            schedule,
        )
        .unwrap();
        let start =
            Start::forward_marginal(schedule, 3.0, Array1::from(vec![1.0, -1.0]), 0.5).unwrap();
        let config = SamplingConfig::new(3.0, 1e-2, 2000)
            .unwrap()
            .with_grid(TimeGrid::LogSigma)
            .with_denoising(true);
        let ours = ExplicitEuler
            .run(&score, &start, &config, 64, 8, &RunOptions::default())
            .unwrap();
        let heun = Heun
            .run(&score, &start, &config, 64, 8, &RunOptions::default())
            .unwrap();
        let gap = (&ours.samples - &heun.samples)
            .mapv(f64::abs)
            .fold(0.0f64, |m, &v| m.max(v));
        // Same starts (same streams); Euler's O(h) error with 2000 steps is about 1e-3.
        assert!(gap < 1e-2, "{schedule:?}: gap {gap}");
        assert!(gap > 0.0, "the two methods differ at first order");
    }
}
