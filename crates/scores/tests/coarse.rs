//! The coarse scores: the projection score recovers the circle and S^2 at the rates of its degree,
//! estimates k, and the oracle projection and hybrid behave as defined.

mod common;

use common::rates::{projection_error, slope};
use mangen_geometry::{Embedded, FlatTorus, FourierCurve, Manifold, Sphere, laws, rng};
use mangen_scores::{
    Denoiser, EmpiricalScore, Hybrid, IntrinsicDim, MAX_DEGREE, OracleProjection, ProjectionScore,
    Schedule, Score, ScoreModel,
};
use std::sync::Arc;

/// Errors of every degree 1..=[`MAX_DEGREE`] over `sizes` (probes within 0.05 of M); checks that
/// each falls with N at no less than 0.8 of the theory slope −(m+1)/k, and that degree 2 beats
/// degree 1 and degree 4 beats degree 2 at the largest N. (On the circle and the sphere the odd
/// terms of the normal offset vanish by symmetry, so degree 5 has degree 4's rate there: see
/// [`degree_five_beats_degree_four_on_a_curve_without_symmetry`].)
fn check_rates(manifold: &dyn Manifold, sizes: &[usize]) {
    let k = manifold.intrinsic_dim() as f64;
    let errors: Vec<Vec<f64>> = (1..=MAX_DEGREE)
        .map(|degree| {
            sizes
                .iter()
                .map(|&n| projection_error(manifold, n, degree, 11, 0.05))
                .collect()
        })
        .collect();
    for (degree, curve) in (1..=MAX_DEGREE).zip(&errors) {
        let measured = slope(sizes, curve);
        let theory = -(degree as f64 + 1.0) / k;
        assert!(
            measured <= 0.8 * theory,
            "{} m={degree}: slope {measured:.2} vs theory {theory:.2}; errors {curve:?}",
            manifold.name()
        );
    }
    let last = sizes.len() - 1;
    assert!(errors[1][last] < errors[0][last], "degree 2 beats degree 1");
    assert!(errors[3][last] < errors[1][last], "degree 4 beats degree 2");
}

#[test]
fn the_projection_score_recovers_the_circle() {
    let circle = Embedded::random(Sphere::circle(1.0).unwrap(), 10, 1).unwrap();
    check_rates(&circle, &[100, 200, 400, 800]);
}

#[test]
fn the_projection_score_recovers_the_sphere() {
    let sphere = Embedded::random(Sphere::new(2, 1.0).unwrap(), 10, 2).unwrap();
    check_rates(&sphere, &[500, 1000, 2000, 4000]);
}

/// A smooth closed curve in R^3 with three harmonics has no local symmetry: the fifth-order term
/// of its normal offset is not zero, so degree 5 (error ~h^6) beats degree 4 (~h^5) on M, where
/// the tangent's error does not enter. Measured over N = 1000 … 8000: slopes −4.94 (m = 4) and
/// −6.47 (m = 5), errors 2.7e-10 and 4.1e-11 at N = 8000.
#[test]
fn degree_five_beats_degree_four_on_a_curve_without_symmetry() {
    let curve =
        Embedded::random(FourierCurve::random(3, 3, 1.0, 0.3, 0.0, 7).unwrap(), 3, 1).unwrap();
    let sizes = [1000, 2000, 4000, 8000];
    let errors: Vec<Vec<f64>> = [4, 5]
        .iter()
        .map(|&degree| {
            sizes
                .iter()
                .map(|&n| projection_error(&curve, n, degree, 13, 0.0))
                .collect()
        })
        .collect();
    let slopes = [slope(&sizes, &errors[0]), slope(&sizes, &errors[1])];
    let last = sizes.len() - 1;
    assert!(
        slopes[1] <= 0.8 * -6.0 && errors[1][last] < errors[0][last],
        "slopes m=4 {:.2}, m=5 {:.2}; errors {errors:?}",
        slopes[0],
        slopes[1]
    );
}

#[test]
fn the_intrinsic_dimension_is_estimated() {
    let manifolds: Vec<Box<dyn Manifold>> = vec![
        Box::new(Embedded::random(Sphere::circle(1.0).unwrap(), 10, 3).unwrap()),
        Box::new(Embedded::random(Sphere::new(2, 1.0).unwrap(), 10, 4).unwrap()),
        Box::new(Embedded::random(FlatTorus::new(vec![1.0; 3]).unwrap(), 10, 5).unwrap()),
    ];
    for manifold in manifolds {
        let points = Arc::new(manifold.sample_uniform(4000, &mut rng::seeded(6)));
        let score = ProjectionScore::new(points, Schedule::VarianceExploding, 2, None).unwrap();
        let IntrinsicDim::Estimated(estimate) = score.intrinsic_dim() else {
            panic!("k was not given, so it must be estimated");
        };
        assert_eq!(estimate.k, manifold.intrinsic_dim(), "{estimate:?}");
        assert!((estimate.raw - manifold.intrinsic_dim() as f64).abs() < 0.3);
    }
}

#[test]
fn the_projection_score_points_back_to_the_manifold() {
    let sphere = Embedded::random(Sphere::new(2, 1.5).unwrap(), 6, 7).unwrap();
    let points = Arc::new(sphere.sample_uniform(3000, &mut rng::seeded(8)));
    let projection = ProjectionScore::new(points, Schedule::VarianceExploding, 3, Some(2)).unwrap();
    let oracle = OracleProjection::new(Arc::new(sphere.clone()), Schedule::VarianceExploding);
    let mut r = rng::seeded(9);
    for _ in 0..50 {
        let x = laws::perturbed_point(&sphere, 0.1, &mut r);
        for t in [1e-10, 1e-4, 1e-1] {
            let coarse = Score::score(&projection, x.view(), t).unwrap();
            let ideal = Score::score(&oracle, x.view(), t).unwrap();
            let expected = (sphere.project(x.view()).unwrap() - &x) / t;
            assert!(
                (&ideal - &expected)
                    .iter()
                    .all(|v| v.abs() <= 1e-9 * (1.0 + 1.0 / t))
            );
            let gap = (&coarse - &ideal).mapv(|v| v * v).sum().sqrt();
            assert!(gap * t < 1e-3, "t={t}: |π̂ − π| = {}", gap * t);
        }
    }
}

#[test]
fn a_hybrid_switches_at_its_time() {
    let circle = Embedded::random(Sphere::circle(1.0).unwrap(), 3, 10).unwrap();
    let points = Arc::new(circle.sample_uniform(300, &mut rng::seeded(11)));
    let schedule = Schedule::VarianceExploding;
    let above = EmpiricalScore::new(points.clone(), schedule).unwrap();
    let below = ProjectionScore::new(points.clone(), schedule, 2, Some(1)).unwrap();
    let hybrid = Hybrid::new(
        EmpiricalScore::new(points.clone(), schedule).unwrap(),
        ProjectionScore::new(points, schedule, 2, Some(1)).unwrap(),
        1e-2,
    )
    .unwrap();
    let x = laws::perturbed_point(&circle, 0.2, &mut rng::seeded(12));
    for (t, expected) in [
        (0.5, above.denoise(x.view(), 0.5).unwrap()),
        (1e-2, above.denoise(x.view(), 1e-2).unwrap()),
        (1e-3, below.denoise(x.view(), 1e-3).unwrap()),
    ] {
        assert_eq!(hybrid.denoise(x.view(), t).unwrap(), expected, "t={t}");
    }
    assert!(hybrid.name().starts_with("hybrid(t1=0.01"));
}
