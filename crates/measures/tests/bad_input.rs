//! Bad input: every density parameter, feature and ball query is checked and refused with a named error.

use mangen_geometry::{Embedded, GeometryError, Manifold, Sphere};
use mangen_measures::{DensityMeasure, LinearFeature, Measure, MeasureError, Profile};
use ndarray::{Array1, array};
use std::sync::Arc;

fn circle_in_r3() -> Arc<dyn Manifold> {
    Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 1).unwrap())
}

fn parameter_name<T: std::fmt::Debug>(result: Result<T, MeasureError>) -> &'static str {
    match result {
        Err(MeasureError::InvalidParameter { name, .. }) => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn profile_parameters_are_checked() {
    let feature = || LinearFeature::new(array![1.0, 0.0, 0.0], Array1::zeros(3)).unwrap();
    let make = |p| DensityMeasure::new(circle_in_r3(), p, feature());
    assert_eq!(
        parameter_name(make(Profile::Tilt { kappa: f64::NAN })),
        "kappa"
    );
    assert_eq!(
        parameter_name(make(Profile::Tilt {
            kappa: f64::INFINITY
        })),
        "kappa"
    );
    assert_eq!(parameter_name(make(Profile::Kink { slope: -0.1 })), "slope");
    assert_eq!(
        parameter_name(make(Profile::TwoLevel { ratio: 0.0 })),
        "ratio"
    );
    assert_eq!(
        parameter_name(make(Profile::TwoLevel { ratio: f64::NAN })),
        "ratio"
    );
    assert!(make(Profile::Tilt { kappa: -3.0 }).is_ok());
}

#[test]
fn features_are_checked() {
    assert_eq!(
        parameter_name(LinearFeature::new(Array1::zeros(3), Array1::zeros(3))),
        "direction"
    );
    assert!(matches!(
        LinearFeature::new(array![1.0, f64::NAN, 0.0], Array1::zeros(3)),
        Err(MeasureError::Geometry(GeometryError::NonFinite {
            index: 1,
            ..
        }))
    ));
    assert!(matches!(
        LinearFeature::new(array![1.0, 0.0], Array1::zeros(3)),
        Err(MeasureError::Geometry(GeometryError::DimensionMismatch {
            expected: 2,
            got: 3
        }))
    ));
    let wrong_dimension = LinearFeature::new(array![1.0, 0.0, 0.0, 0.0], Array1::zeros(4)).unwrap();
    assert!(matches!(
        DensityMeasure::new(
            circle_in_r3(),
            Profile::Kink { slope: 1.0 },
            wrong_dimension
        ),
        Err(MeasureError::Geometry(GeometryError::DimensionMismatch {
            expected: 3,
            got: 4
        }))
    ));
}

#[test]
fn queries_are_checked() {
    let mu = DensityMeasure::uniform(circle_in_r3());
    let y = mu
        .manifold()
        .sample_uniform(1, &mut mangen_geometry::rng::seeded(0))
        .row(0)
        .to_owned();
    assert_eq!(parameter_name(mu.ball_mass(y.view(), -1.0)), "r");
    assert_eq!(parameter_name(mu.ball_mass(y.view(), f64::NAN)), "r");
    assert!(matches!(
        mu.ball_mass(array![1.0, 0.0].view(), 0.1),
        Err(MeasureError::Geometry(
            GeometryError::DimensionMismatch { .. }
        ))
    ));
    assert!(matches!(
        mu.density(array![f64::NAN, 0.0, 0.0].view()),
        Err(MeasureError::Geometry(GeometryError::NonFinite { .. }))
    ));
    assert_eq!(mu.ball_mass(y.view(), 0.0).unwrap(), 0.0);
    assert_eq!(mu.ball_mass(y.view(), 10.0).unwrap(), 1.0);
    assert_eq!(
        mu.sample(0, &mut mangen_geometry::rng::seeded(0)).dim(),
        (0, 3)
    );
}
