//! Bad input to every metric: empty sets, unequal sizes, NaN, dimension mismatches and too few N values give typed errors.

use mangen_geometry::{Embedded, Sphere};
use mangen_measures::DensityMeasure;
use mangen_metrics::{
    FitOptions, MetricError, Observation, coverage, fidelity, fit_slope, geometry_error,
    nearest_two, novelty, wasserstein, wasserstein_1d,
};
use mangen_scores::BruteForce;
use ndarray::{Array2, array};
use std::sync::Arc;

fn circle() -> Arc<Embedded<Sphere>> {
    Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 1).unwrap())
}

#[test]
fn wasserstein_refuses_bad_sets() {
    let a = array![[0.0, 1.0], [1.0, 0.0]];
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(matches!(
        wasserstein(empty.view(), empty.view(), 2.0),
        Err(MetricError::Empty { what: "a" })
    ));
    assert!(matches!(
        wasserstein(a.view(), array![[0.0, 1.0]].view(), 2.0),
        Err(MetricError::UnequalSizes { a: 2, b: 1, .. })
    ));
    assert!(matches!(
        wasserstein(
            a.view(),
            array![[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]].view(),
            2.0
        ),
        Err(MetricError::DimensionMismatch {
            what: "b",
            expected: 2,
            got: 3
        })
    ));
    assert!(matches!(
        wasserstein(a.view(), array![[0.0, f64::NAN], [0.0, 0.0]].view(), 1.0),
        Err(MetricError::NonFinite {
            what: "b",
            row: 0,
            column: 1,
            ..
        })
    ));
    assert!(matches!(
        wasserstein_1d(&[], &[], 1.0),
        Err(MetricError::Empty { .. })
    ));
    assert!(matches!(
        wasserstein_1d(&[1.0], &[1.0, 2.0], 1.0),
        Err(MetricError::UnequalSizes { .. })
    ));
}

#[test]
fn manifold_metrics_refuse_bad_points() {
    let m = circle();
    assert!(matches!(
        fidelity(m.as_ref(), array![[0.0, 1.0]].view()),
        Err(MetricError::DimensionMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    assert!(matches!(
        fidelity(m.as_ref(), Array2::zeros((0, 3)).view()),
        Err(MetricError::Empty { what: "samples" })
    ));
    let measure = DensityMeasure::uniform(m.clone());
    let centres = array![[1.0, 0.0, 0.0]];
    let nan = array![[f64::NAN, 0.0, 0.0]];
    assert!(matches!(
        coverage(&measure, nan.view(), centres.view(), 0.1, 0.1),
        Err(MetricError::NonFinite {
            what: "samples",
            ..
        })
    ));
    assert!(matches!(
        coverage(&measure, centres.view(), centres.view(), -0.1, 0.1),
        Err(MetricError::InvalidParameter { name: "radius", .. })
    ));
    assert!(matches!(
        coverage(&measure, centres.view(), centres.view(), 0.1, f64::NAN),
        Err(MetricError::InvalidParameter { name: "tube", .. })
    ));
    assert!(
        geometry_error(m.as_ref(), nan.view(), |x| Ok::<_, MetricError>(
            x.to_owned()
        ))
        .is_err()
    );
}

#[test]
fn novelty_refuses_bad_sets() {
    let index = BruteForce::new(Arc::new(array![[0.0, 0.0], [1.0, 1.0]])).unwrap();
    assert!(matches!(
        nearest_two(&index, array![[0.0, 0.0, 0.0]].view()),
        Err(MetricError::DimensionMismatch {
            expected: 2,
            got: 3,
            ..
        })
    ));
    assert!(matches!(
        novelty(
            &index,
            array![[0.0, 0.0]].view(),
            Array2::zeros((0, 2)).view()
        ),
        Err(MetricError::Empty { what: "fresh" })
    ));
}

#[test]
fn slope_fits_refuse_bad_observations() {
    let one_n = [
        Observation {
            n: 100.0,
            value: 1.0,
        },
        Observation {
            n: 100.0,
            value: 2.0,
        },
    ];
    assert!(matches!(
        fit_slope(&one_n, &FitOptions::default()),
        Err(MetricError::TooFew {
            needed: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        fit_slope(&[], &FitOptions::default()),
        Err(MetricError::TooFew { got: 0, .. })
    ));
    let nan = [
        Observation {
            n: 100.0,
            value: f64::NAN,
        },
        Observation {
            n: 200.0,
            value: 1.0,
        },
    ];
    assert!(matches!(
        fit_slope(&nan, &FitOptions::default()),
        Err(MetricError::NonPositive { index: 0, .. })
    ));
    let small_n = [
        Observation { n: 1.0, value: 1.0 },
        Observation {
            n: 200.0,
            value: 1.0,
        },
    ];
    assert!(matches!(
        fit_slope(&small_n, &FitOptions::default()),
        Err(MetricError::InvalidParameter { name: "n", .. })
    ));
    let bad_level = FitOptions {
        level: 1.0,
        ..FitOptions::default()
    };
    let fine = [
        Observation {
            n: 10.0,
            value: 1.0,
        },
        Observation {
            n: 200.0,
            value: 1.0,
        },
    ];
    assert!(matches!(
        fit_slope(&fine, &bad_level),
        Err(MetricError::InvalidParameter { name: "level", .. })
    ));
}
