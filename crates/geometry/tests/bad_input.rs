//! Bad input: every constructor refuses bad parameters and every method refuses malformed points, without panicking.

mod common;

use mangen_geometry::{
    DonutTorus, Embedded, FlatTorus, GeometryError, Isometry, PolarCurve, Sphere,
};
use ndarray::Array1;

fn parameter_name<T>(result: Result<T, GeometryError>) -> &'static str {
    match result {
        Err(GeometryError::InvalidParameter { name, .. }) => name,
        Err(other) => panic!("expected InvalidParameter, got {other}"),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn constructors_name_the_offending_parameter() {
    assert_eq!(parameter_name(Sphere::new(0, 1.0)), "k");
    assert_eq!(parameter_name(Sphere::new(2, -1.0)), "radius");
    assert_eq!(parameter_name(Sphere::circle(f64::NAN)), "radius");
    assert_eq!(parameter_name(FlatTorus::new(vec![])), "radii");
    assert_eq!(parameter_name(FlatTorus::new(vec![1.0, 0.0])), "radii");
    assert_eq!(parameter_name(DonutTorus::new(0.5, 1.0)), "major");
    assert_eq!(parameter_name(DonutTorus::new(2.0, -0.1)), "minor");
    assert_eq!(parameter_name(PolarCurve::new(1.0, 0.2, 6.0)), "beta");
    assert_eq!(parameter_name(PolarCurve::new(1.0, 0.2, 100.0)), "beta");
    assert_eq!(parameter_name(PolarCurve::new(1.0, -1.5, 3.5)), "amplitude");
    assert_eq!(parameter_name(PolarCurve::new(-1.0, 0.2, 3.5)), "radius");
}

#[test]
fn an_ambient_dimension_below_the_span_is_refused() {
    let err = Embedded::random(Sphere::new(2, 1.0).unwrap(), 2, 0).unwrap_err();
    assert!(
        matches!(
            err,
            GeometryError::AmbientTooSmall {
                ambient: 2,
                needed: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("sphere(k=2"), "{err}");
    assert!(matches!(
        Embedded::random(FlatTorus::new(vec![1.0; 3]).unwrap(), 5, 0),
        Err(GeometryError::AmbientTooSmall { .. })
    ));
    let iso = Isometry::random(3, 4, 0).unwrap();
    assert!(matches!(
        Embedded::new(Sphere::circle(1.0).unwrap(), iso),
        Err(GeometryError::DimensionMismatch {
            expected: 2,
            got: 3
        })
    ));
}

#[test]
fn malformed_points_are_refused_by_every_method() {
    for m in common::all_manifolds(6, 1) {
        let short = Array1::zeros(5);
        let mut nan = Array1::zeros(6);
        nan[3] = f64::NAN;
        let mut inf = Array1::zeros(6);
        inf[0] = f64::INFINITY;
        let good = m
            .sample_uniform(1, &mut mangen_geometry::rng::seeded(0))
            .row(0)
            .to_owned();
        for bad in [&short, &nan, &inf] {
            let expect_error = |r: Result<(), GeometryError>| {
                let err = r.expect_err("malformed point accepted");
                assert!(
                    matches!(
                        err,
                        GeometryError::DimensionMismatch {
                            expected: 6,
                            got: 5
                        } | GeometryError::NonFinite { .. }
                    ),
                    "{err}"
                );
            };
            expect_error(m.project(bad.view()).map(drop));
            expect_error(m.distance_to(bad.view()).map(drop));
            expect_error(m.tangent_basis(bad.view()).map(drop));
            expect_error(m.geodesic_distance(bad.view(), good.view()).map(drop));
            expect_error(m.geodesic_distance(good.view(), bad.view()).map(drop));
            expect_error(m.ball_volume(bad.view(), 0.1).map(drop));
            expect_error(m.ball_quadrature(bad.view(), 0.1, 4).map(drop));
        }
        let nan_at = m.project(nan.view()).unwrap_err();
        assert!(
            matches!(nan_at, GeometryError::NonFinite { index: 3, .. }),
            "{nan_at}"
        );
    }
}
