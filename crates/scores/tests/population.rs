//! The population score against closed forms: the uniform circle (Bessel ratio I₁/I₀, by a periodic
//! trapezoid oracle) and the uniform sphere S^2 (Langevin function), and the reference-sample version
//! against quadrature for a tilted density.

use mangen_geometry::{Embedded, Manifold, Sphere, laws, rng};
use mangen_measures::{DensityMeasure, LinearFeature, Measure, Profile};
use mangen_scores::{Denoiser, PopulationScore, Schedule};
use ndarray::Array1;
use std::f64::consts::PI;
use std::sync::Arc;

/// E[cos θ] under the density ∝ exp(κ cos θ) on the circle, i.e. I₁(κ)/I₀(κ), by the trapezoid
/// rule (spectrally accurate for periodic integrands) with the exponent shifted by κ.
fn bessel_ratio(kappa: f64) -> f64 {
    let nodes = 200_000;
    let (mut top, mut bottom) = (0.0, 0.0);
    for j in 0..nodes {
        let theta = 2.0 * PI * j as f64 / nodes as f64;
        let w = (kappa * (theta.cos() - 1.0)).exp();
        top += w * theta.cos();
        bottom += w;
    }
    top / bottom
}

/// E[cos θ] for the density ∝ exp(κ cos θ) on S^2: the Langevin function coth κ − 1/κ.
fn langevin(kappa: f64) -> f64 {
    1.0 / kappa.tanh() - 1.0 / kappa
}

/// The uniform law on a centred sphere of radius r: D(x, t) = r L(|Px| r / t) Px/|Px| (VE), with P
/// the projection on the sphere's span, so D = L(⟨x, π(x)⟩ / t) π(x).
fn check_uniform_sphere(k: usize, mean_cosine: fn(f64) -> f64) {
    let radius = 1.3;
    let manifold = Arc::new(Embedded::random(Sphere::new(k, radius).unwrap(), 5, 4).unwrap());
    let measure = Arc::new(DensityMeasure::uniform(manifold.clone()));
    let population = PopulationScore::quadrature(measure, Schedule::VarianceExploding).unwrap();
    let mut r = rng::seeded(5);
    for _ in 0..8 {
        let x = laws::perturbed_point(manifold.as_ref(), 0.4, &mut r);
        let foot = manifold.project(x.view()).unwrap();
        for t in [1e-8, 1e-4, 1e-2, 0.3, 3.0, 100.0] {
            let expected = &foot * mean_cosine(x.dot(&foot) / t);
            let estimate = population.denoise_estimate(x.view(), t).unwrap();
            let gap = (&estimate.value - &expected).mapv(|v| v * v).sum().sqrt();
            assert!(gap < 1e-7, "S^{k} t={t}: gap {gap:e}");
            assert!(
                estimate.error_bound < 1e-5,
                "S^{k} t={t}: estimate {:e}",
                estimate.error_bound
            );
        }
    }
}

#[test]
fn the_uniform_circle_matches_the_bessel_ratio() {
    check_uniform_sphere(1, bessel_ratio);
}

#[test]
fn the_uniform_sphere_matches_the_langevin_function() {
    check_uniform_sphere(2, langevin);
}

#[test]
fn quadrature_and_a_large_reference_sample_agree_for_a_tilted_density() {
    let manifold: Arc<dyn Manifold> =
        Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 6).unwrap());
    let direction = Array1::from(vec![1.0, 0.0, 0.0]);
    let feature = LinearFeature::new(direction, Array1::zeros(3)).unwrap();
    let measure = Arc::new(
        DensityMeasure::new(manifold.clone(), Profile::Tilt { kappa: 2.0 }, feature).unwrap(),
    );
    let reference = Arc::new(measure.sample(200_000, &mut rng::seeded(7)));
    let by_quadrature =
        PopulationScore::quadrature(measure.clone(), Schedule::VarianceExploding).unwrap();
    let by_sample = PopulationScore::reference(reference, 1, Schedule::VarianceExploding).unwrap();
    assert!(by_sample.resolution_time() < 1e-10);
    let mut r = rng::seeded(8);
    for _ in 0..10 {
        let x = laws::perturbed_point(manifold.as_ref(), 0.3, &mut r);
        for t in [0.01, 0.1, 1.0] {
            let a = by_quadrature.denoise(x.view(), t).unwrap();
            let b = by_sample.denoise(x.view(), t).unwrap();
            let gap = (&a - &b).mapv(|v| v * v).sum().sqrt();
            // Monte Carlo error of a weighted mean of 2·10^5 draws: well below 1e-2.
            assert!(gap < 1e-2, "t={t}: gap {gap}");
        }
    }
}

/// Under VE the law μ * N(0, h²I) noised to time t is μ noised to t + h², so the smoothed
/// population score at t must equal the plain one at t + h²: the bandwidth's variance inflation and
/// its denoiser correction against a time shift, on the circle and on S².
#[test]
fn a_bandwidth_is_a_time_shift_under_ve() {
    use mangen_scores::{Score, ScoreModel};
    for k in [1, 2] {
        let manifold: Arc<dyn Manifold> =
            Arc::new(Embedded::random(Sphere::new(k, 1.0).unwrap(), 4, 9).unwrap());
        let direction = Array1::from(vec![1.0, 0.5, 0.0, 0.0]);
        let feature = LinearFeature::new(direction, Array1::zeros(4)).unwrap();
        let profile = Profile::Kink { slope: 2.0 };
        let measure = Arc::new(DensityMeasure::new(manifold.clone(), profile, feature).unwrap());
        let plain =
            PopulationScore::quadrature(measure.clone(), Schedule::VarianceExploding).unwrap();
        let h = 0.2;
        let smoothed = PopulationScore::quadrature(measure, Schedule::VarianceExploding)
            .unwrap()
            .with_bandwidth(h)
            .unwrap();
        assert_eq!(smoothed.name(), "population(h=0.2)");
        let mut r = rng::seeded(10 + k as u64);
        for _ in 0..6 {
            let x = laws::perturbed_point(manifold.as_ref(), 0.3, &mut r);
            for t in [1e-4, 1e-2, 0.3] {
                let a = smoothed.score(x.view(), t).unwrap();
                let b = plain.score(x.view(), t + h * h).unwrap();
                let gap = (&a - &b).mapv(|v| v * v).sum().sqrt();
                let size = b.mapv(|v| v * v).sum().sqrt();
                assert!(
                    gap <= 1e-6 * (1.0 + size),
                    "k = {k}, t = {t}: gap {gap:e} of {size:e}"
                );
            }
        }
    }
    let circle = Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 1).unwrap());
    let measure = Arc::new(DensityMeasure::uniform(circle));
    let refused = PopulationScore::quadrature(measure, Schedule::VarianceExploding)
        .unwrap()
        .with_bandwidth(-1.0);
    assert!(refused.is_err());
}
