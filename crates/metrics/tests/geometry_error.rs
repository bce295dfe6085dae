//! Geometry error of the projection score's π̂ on the circle: small, and smaller at larger N.

use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_metrics::{geometry_error, tube_probes};
use mangen_scores::{ProjectionScore, Schedule};
use std::sync::Arc;

#[test]
fn the_projection_estimate_improves_with_n() {
    let circle = Embedded::random(Sphere::circle(1.0).unwrap(), 5, 2).unwrap();
    let probes = tube_probes(&circle, 200, 0.05, &mut rng::seeded(3)).unwrap();
    let errors: Vec<f64> = [500, 4000]
        .iter()
        .map(|&n| {
            let train = Arc::new(circle.sample_uniform(n, &mut rng::seeded(n as u64)));
            let score =
                ProjectionScore::new(train, Schedule::VarianceExploding, 2, Some(1)).unwrap();
            geometry_error(&circle, probes.view(), |x| score.project(x))
                .unwrap()
                .summary
                .mean
        })
        .collect();
    assert!(errors[0] < 1e-3, "errors {errors:?}");
    // Degree 2 on a circle converges like N^{-3} or faster: 8× the points, far below half the error.
    assert!(errors[1] < errors[0] / 4.0, "errors {errors:?}");
}
