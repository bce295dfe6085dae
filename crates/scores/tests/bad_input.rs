//! Bad input to the scores returns a typed error, never a panic or a NaN.

use mangen_geometry::GeometryError;
use mangen_scores::{
    Denoiser, EmpiricalScore, GaussianScore, Hybrid, MAX_DEGREE, ProjectionScore, Schedule,
    ScoreError, Truncation,
};
use ndarray::{Array1, Array2, array};
use std::sync::Arc;

fn circle_points(n: usize) -> Arc<Array2<f64>> {
    Arc::new(Array2::from_shape_fn((n, 3), |(i, j)| {
        let angle = i as f64;
        [angle.cos(), angle.sin(), 0.0][j]
    }))
}

#[test]
fn bad_training_sets_are_refused() {
    let empty = Arc::new(Array2::<f64>::zeros((0, 3)));
    let err = EmpiricalScore::new(empty.clone(), Schedule::VarianceExploding).unwrap_err();
    assert_eq!(err, ScoreError::EmptyTrainingSet);
    assert!(ProjectionScore::new(empty, Schedule::VarianceExploding, 1, Some(1)).is_err());
    let mut nan = (*circle_points(10)).clone();
    nan[[4, 2]] = f64::NAN;
    let err = EmpiricalScore::new(Arc::new(nan), Schedule::VarianceExploding).unwrap_err();
    assert!(matches!(
        err,
        ScoreError::NonFiniteTrainingPoint {
            row: 4,
            column: 2,
            ..
        }
    ));
}

#[test]
fn bad_queries_and_times_are_refused() {
    let score = EmpiricalScore::new(circle_points(50), Schedule::VarianceExploding).unwrap();
    let err = score.denoise(array![1.0, 0.0].view(), 0.1).unwrap_err();
    assert_eq!(
        err,
        ScoreError::Geometry(GeometryError::DimensionMismatch {
            expected: 3,
            got: 2
        })
    );
    assert!(
        score
            .denoise(array![f64::NAN, 0.0, 0.0].view(), 0.1)
            .is_err()
    );
    for t in [0.0, -1e-3, f64::NAN, f64::INFINITY] {
        for schedule in [Schedule::VarianceExploding, Schedule::VariancePreserving] {
            let score = EmpiricalScore::new(circle_points(50), schedule).unwrap();
            let err = score.denoise(array![1.0, 0.0, 0.0].view(), t).unwrap_err();
            assert!(matches!(err, ScoreError::InvalidTime(_)), "t={t}");
        }
    }
}

#[test]
fn bad_parameters_are_refused() {
    let make = || EmpiricalScore::new(circle_points(50), Schedule::VarianceExploding).unwrap();
    for h in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            make().with_bandwidth(h),
            Err(ScoreError::InvalidParameter { name: "h", .. })
        ));
    }
    for eps in [0.0, 1.0, -0.5, 2.0, f64::NAN] {
        let err = make()
            .with_truncation(Truncation::Certified { eps })
            .unwrap_err();
        assert!(
            matches!(err, ScoreError::InvalidParameter { name: "eps", .. }),
            "eps={eps}"
        );
    }
    let gaussian = GaussianScore::new(
        Array1::zeros(2),
        Array2::eye(2),
        Schedule::VarianceExploding,
    )
    .unwrap();
    assert!(
        Hybrid::new(make(), gaussian, 0.1).is_err(),
        "dimensions differ"
    );
    let err = Hybrid::new(make(), make(), -1.0).unwrap_err();
    assert!(matches!(
        err,
        ScoreError::InvalidParameter { name: "t1", .. }
    ));
    let asymmetric = array![[1.0, 0.5], [0.0, 1.0]];
    assert!(GaussianScore::new(Array1::zeros(2), asymmetric, Schedule::VarianceExploding).is_err());
    let indefinite = array![[1.0, 0.0], [0.0, -1.0]];
    assert!(GaussianScore::new(Array1::zeros(2), indefinite, Schedule::VarianceExploding).is_err());
}

#[test]
fn a_degree_needs_enough_neighbours() {
    let schedule = Schedule::VarianceExploding;
    for degree in [0, MAX_DEGREE + 1] {
        let err = ProjectionScore::new(circle_points(100), schedule, degree, Some(1)).unwrap_err();
        assert!(matches!(
            err,
            ScoreError::InvalidParameter { name: "degree", .. }
        ));
    }
    for k in [0, 3] {
        let err = ProjectionScore::new(circle_points(100), schedule, 2, Some(k)).unwrap_err();
        assert!(matches!(
            err,
            ScoreError::InvalidParameter {
                name: "intrinsic_dim",
                ..
            }
        ));
    }
    // Degree 4 in k = 1 has C(5, 4) = 5 coefficients: 5 points are too few, 6 are enough.
    let err = ProjectionScore::new(circle_points(5), schedule, 4, Some(1)).unwrap_err();
    assert_eq!(
        err,
        ScoreError::TooFewNeighbours {
            degree: 4,
            intrinsic_dim: 1,
            needed: 6,
            available: 5
        }
    );
    let score = ProjectionScore::new(circle_points(100), schedule, 4, Some(1)).unwrap();
    assert!(matches!(
        score.with_neighbours(3),
        Err(ScoreError::TooFewNeighbours { .. })
    ));
    assert!(ProjectionScore::new(circle_points(6), schedule, 4, Some(1)).is_ok());
}
