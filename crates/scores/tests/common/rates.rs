//! Shared by the projection tests and the `projection_rates` example: π̂_N error against π, and log–log slopes.

use mangen_geometry::{Manifold, laws, rng};
use mangen_scores::{ProjectionScore, Schedule};
use std::sync::Arc;

/// Mean |π̂_N(y) − π(y)| over 200 probe points y within `tube` of M (N uniform training points).
pub fn projection_error(
    manifold: &dyn Manifold,
    n: usize,
    degree: usize,
    seed: u64,
    tube: f64,
) -> f64 {
    let points = Arc::new(manifold.sample_uniform(n, &mut rng::seeded(seed)));
    let score = ProjectionScore::new(
        points,
        Schedule::VarianceExploding,
        degree,
        Some(manifold.intrinsic_dim()),
    )
    .expect("valid projection score");
    let mut r = rng::seeded(seed + 1);
    let probes = 200;
    (0..probes)
        .map(|_| {
            let y = laws::perturbed_point(manifold, tube, &mut r);
            let exact = manifold.project(y.view()).expect("valid point");
            let estimate = score.project(y.view()).expect("valid point");
            (&exact - &estimate).mapv(|v| v * v).sum().sqrt()
        })
        .sum::<f64>()
        / probes as f64
}

/// Least-squares slope of log(error) on log(N).
pub fn slope(sizes: &[usize], errors: &[f64]) -> f64 {
    let xs: Vec<f64> = sizes.iter().map(|&n| (n as f64).ln()).collect();
    let ys: Vec<f64> = errors.iter().map(|e| e.ln()).collect();
    let count = xs.len() as f64;
    let (mx, my) = (
        xs.iter().sum::<f64>() / count,
        ys.iter().sum::<f64>() / count,
    );
    let covariance: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    covariance / xs.iter().map(|x| (x - mx) * (x - mx)).sum::<f64>()
}
