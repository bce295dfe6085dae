//! The arclength CDF of a law on a closed curve: against the closed form of the kink on the circle, and against the law's own sampler on the finite-β curve.

use mangen_geometry::{Embedded, PolarCurve, Sphere, rng};
use mangen_measures::{ArclengthCdf, DensityMeasure, LinearFeature, Measure, Profile};
use mangen_testkit::{FALSE_ALARM, bend_uniform, kolmogorov_critical, ks_p_value};
use std::f64::consts::{FRAC_PI_2, PI};
use std::sync::Arc;

/// The kink 1 + a|u| with u the first coordinate of the curve's own plane, on a curve in R^5.
fn kink_on<L: mangen_geometry::LocalModel + Clone + 'static>(
    model: L,
    slope: f64,
) -> DensityMeasure {
    let m = Embedded::random(model, 5, 9).unwrap();
    let feature = LinearFeature::new(
        m.isometry().frame().column(0).to_owned(),
        m.isometry().offset().clone(),
    )
    .unwrap();
    DensityMeasure::new(Arc::new(m), Profile::Kink { slope }, feature).unwrap()
}

/// ∫_0^θ |cos φ| dφ for θ ∈ [0, 2π].
fn integral_of_abs_cos(theta: f64) -> f64 {
    if theta <= FRAC_PI_2 {
        theta.sin()
    } else if theta <= 3.0 * FRAC_PI_2 {
        2.0 - theta.sin()
    } else {
        4.0 + theta.sin()
    }
}

#[test]
fn the_kink_on_the_circle_matches_its_closed_form() {
    // On the circle of radius R the kink is 1 + aR|cos θ| at arclength s = Rθ, so
    // F(s) = (θ + aR ∫_0^θ |cos φ| dφ) / (2π + 4aR).
    let (radius, slope) = (1.3, 3.0);
    let measure = kink_on(Sphere::circle(radius).unwrap(), slope);
    let closed = |s: f64| {
        let theta = s / radius;
        (theta + slope * radius * integral_of_abs_cos(theta)) / (2.0 * PI + 4.0 * slope * radius)
    };
    for intervals in [64, 1 << 12] {
        let cdf = ArclengthCdf::of(&measure, intervals).unwrap();
        assert!((cdf.length() - 2.0 * PI * radius).abs() < 1e-12);
        assert_eq!(cdf.grid_values().len(), intervals + 1);
        let h = cdf.length() / intervals as f64;
        // At the grid points only the quadrature's error (the kink costs O(h³) in one interval).
        let mut grid_error = 0.0f64;
        for (j, value) in cdf.grid_values().iter().enumerate() {
            let error = (value - closed(j as f64 * h)).abs();
            assert!(error < 1e-12 + 2.0 * h.powi(3), "F(s_{j}) off by {error:e}");
            grid_error = grid_error.max(error);
        }
        // Between them the interpolant, within its stated bound L h² max|p′|/8, max|p′| = a/Z
        // (p = (1 + aR|cos θ|)/Z at s = Rθ, Z = 2πR + 4aR²), estimated from the grid.
        let bound = cdf.interpolation_bound();
        let steepest = slope / (2.0 * PI * radius + 4.0 * slope * radius * radius);
        let closed_bound = cdf.length() * h * h * steepest / 8.0;
        assert!(
            bound >= closed_bound && bound <= 2.0 * closed_bound,
            "bound {bound:e} against L h² max|p′|/8 = {closed_bound:e}"
        );
        let worst = (0..10_000)
            .map(|i| {
                let s = cdf.length() * (i as f64 + 0.37) / 10_000.0;
                (cdf.value(s) - closed(s)).abs()
            })
            .fold(0.0, f64::max);
        let allowed = bound + cdf.length() * grid_error + 1e-12;
        assert!(
            worst * cdf.length() <= allowed,
            "{worst:e} · L against {allowed:e}"
        );
        assert!(
            worst > 0.01 * bound / cdf.length(),
            "the bound is not that loose"
        );
        assert!(cdf.mass_error() < 1e-6, "mass error {}", cdf.mass_error());
    }
}

/// A KS test of n = 100 000 points at 1e-6 detects a CDF off by λ/√n = 0.0085 (λ = 2.70): the
/// sampler's positions, read through the table, are uniform, and the same values bent by a
/// density 1 + 0.06 cos(2πu − π) (CDF off by 0.0095) are rejected.
#[test]
fn the_table_carries_the_samplers_law_to_the_uniform_on_the_finite_smoothness_curve() {
    let measure = kink_on(PolarCurve::new(1.0, 0.4, 3.5).unwrap(), 2.0);
    let cdf = ArclengthCdf::of(&measure, 1 << 12).unwrap();
    let n = 100_000;
    let samples = measure.sample(n, &mut rng::seeded(4));
    let manifold = measure.manifold();
    let uniform: Vec<f64> = samples
        .outer_iter()
        .map(|x| cdf.value(manifold.arclength(x).unwrap()))
        .collect();
    let detectable = kolmogorov_critical(FALSE_ALARM) / (n as f64).sqrt();
    assert!(0.06 / (2.0 * PI) > detectable);
    let bent: Vec<f64> = uniform.iter().map(|&u| bend_uniform(u, 0.06)).collect();
    let p = ks_p_value(uniform, |u| u);
    assert!(p > FALSE_ALARM, "KS p = {p}");
    let p = ks_p_value(bent, |u| u);
    assert!(p <= FALSE_ALARM, "the bent values pass: KS p = {p}");
}

#[test]
fn laws_off_closed_curves_and_empty_tables_are_refused() {
    let sphere = Arc::new(Embedded::random(Sphere::new(2, 1.0).unwrap(), 3, 1).unwrap());
    let err = ArclengthCdf::of(&DensityMeasure::uniform(sphere), 16).unwrap_err();
    assert!(err.to_string().contains("arclength chart"), "{err}");
    let circle = Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 1).unwrap());
    let err = ArclengthCdf::of(&DensityMeasure::uniform(circle), 0).unwrap_err();
    assert!(err.to_string().contains("intervals"), "{err}");
}
