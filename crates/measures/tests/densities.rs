//! Densities integrate to 1, rejection samples follow them, and ball masses agree with closed forms and with samples.

use mangen_geometry::{
    DonutTorus, Embedded, FlatTorus, Manifold, PolarCurve, Sphere, gauss_legendre, rng,
};
use mangen_measures::{DensityMeasure, LinearFeature, Measure, Normalization, Profile};
use mangen_testkit::{FALSE_ALARM, chi_square_critical, chi_square_p_value, z_test_with_power};
use ndarray::Array1;
use std::f64::consts::PI;
use std::sync::Arc;

fn profiles() -> [Profile; 4] {
    [
        Profile::Uniform,
        Profile::Tilt { kappa: 1.7 },
        Profile::Kink { slope: 2.5 },
        Profile::TwoLevel { ratio: 4.0 },
    ]
}

/// The measure with the feature along the first axis of the embedding frame, centred on the manifold.
fn measure_on<L: mangen_geometry::LocalModel + Clone + 'static>(
    model: L,
    ambient: usize,
    profile: Profile,
) -> (DensityMeasure, Embedded<L>) {
    let m = Embedded::random(model, ambient, 77).unwrap();
    let feature = LinearFeature::new(
        m.isometry().frame().column(0).to_owned(),
        m.isometry().offset().clone(),
    )
    .unwrap();
    let measure = DensityMeasure::new(Arc::new(m.clone()), profile, feature).unwrap();
    (measure, m)
}

/// vol(M)·E_uniform[p] = 1 by a z-test (|z| > 4.89) with the sample standard deviation σ,
/// independent of the quadrature: a normalizer off by 4.89 σ/√n is detected (at power ½), at
/// most 1.34 % here (σ ≤ 1.7, the steepest profiles); a normalizer off by twice that is
/// rejected in every case.
#[test]
fn densities_integrate_to_one_by_monte_carlo() {
    let n = 400_000;
    let models: Vec<Box<dyn Fn(Profile) -> DensityMeasure>> = vec![
        Box::new(|p| measure_on(Sphere::circle(1.3).unwrap(), 4, p).0),
        Box::new(|p| measure_on(Sphere::new(2, 0.9).unwrap(), 5, p).0),
        Box::new(|p| measure_on(Sphere::new(3, 1.0).unwrap(), 6, p).0),
        Box::new(|p| measure_on(FlatTorus::new(vec![1.0, 0.5, 0.7]).unwrap(), 7, p).0),
        Box::new(|p| measure_on(DonutTorus::new(2.0, 0.5).unwrap(), 3, p).0),
        Box::new(|p| measure_on(PolarCurve::new(1.0, 0.4, 3.5).unwrap(), 3, p).0),
    ];
    for make in &models {
        for profile in profiles() {
            let mu = make(profile);
            let m = mu.manifold();
            let values: Vec<f64> = m
                .sample_uniform(n, &mut rng::seeded(5))
                .outer_iter()
                .map(|x| m.volume() * mu.density(x).unwrap())
                .collect();
            let mean = values.iter().sum::<f64>() / n as f64;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
            let se = (var / n as f64).sqrt();
            if se < 1e-12 {
                // The uniform law: vol·p is 1 at every point, to rounding.
                assert!((mean - 1.0).abs() < 1e-12, "{}: vol·p = {mean}", mu.name());
                continue;
            }
            let detectable = z_test_with_power(mean, 1.0, se)
                .unwrap_or_else(|err| panic!("{}: vol·E[p]: {err}", mu.name()));
            assert!(detectable < 0.014, "{}: detectable {detectable}", mu.name());
            if let Normalization::Quadrature { error_estimate, .. } = mu.normalization() {
                assert!(
                    error_estimate < 1e-3,
                    "{}: quadrature error estimate {error_estimate}",
                    mu.name()
                );
            }
        }
    }
}

/// Modified Bessel I₀ by its power series.
fn bessel_i0(x: f64) -> f64 {
    (0..60)
        .map(|j| (x / 2.0).powi(2 * j) / (1..=j).map(f64::from).product::<f64>().powi(2))
        .sum()
}

#[test]
fn von_mises_fisher_normalizers_match_closed_forms() {
    // Circle: Z = 2πr·I₀(κr). Sphere S²: Z = 4πr²·sinh(κr)/(κr).
    let (kappa, r) = (2.3, 1.4);
    let circle = measure_on(Sphere::circle(r).unwrap(), 6, Profile::Tilt { kappa }).0;
    let exact = 2.0 * PI * r * bessel_i0(kappa * r);
    assert!(
        (circle.normalizer() / exact - 1.0).abs() < 1e-12,
        "{} vs {exact}",
        circle.normalizer()
    );
    let sphere = measure_on(Sphere::new(2, r).unwrap(), 6, Profile::Tilt { kappa }).0;
    let exact = 4.0 * PI * r * r * (kappa * r).sinh() / (kappa * r);
    assert!(
        (sphere.normalizer() / exact - 1.0).abs() < 1e-5,
        "{} vs {exact}",
        sphere.normalizer()
    );
}

/// Chi-square of the feature u of rejection samples against bin masses from 1-D Gauss–Legendre integrals
/// of the exact law of u under the uniform measure (a code path independent of the sampler).
/// With n = 200 000 and B bins it detects masses off by a relative ±δ bin by bin once
/// n δ² ≥ χ²-critical − (B − 1): δ = 1.5 % at power ½ for B = 20 and 24. The same
/// counts against masses bent by ±3 % alternately are rejected.
fn check_feature_law(
    mu: &DensityMeasure,
    feature: impl Fn(ndarray::ArrayView1<f64>) -> f64,
    edges: &[f64],
    mass_of: impl Fn(f64, f64) -> f64,
) {
    let n = 200_000;
    let samples = mu.sample(n, &mut rng::seeded(9));
    let mut counts = vec![0u64; edges.len() - 1];
    for x in samples.outer_iter() {
        let u = feature(x);
        let bin = edges.partition_point(|e| *e <= u).clamp(1, edges.len() - 1) - 1;
        counts[bin] += 1;
    }
    let masses: Vec<f64> = edges.windows(2).map(|w| mass_of(w[0], w[1])).collect();
    let total: f64 = masses.iter().sum();
    let tolerance = match mu.normalization() {
        Normalization::Exact => 1e-10,
        Normalization::Quadrature { error_estimate, .. } => error_estimate.max(1e-10),
    };
    assert!(
        (total - 1.0).abs() <= tolerance,
        "{}: bin masses sum to {total}",
        mu.name()
    );
    let expected: Vec<f64> = masses.iter().map(|m| m * n as f64).collect();
    let p = chi_square_p_value(&counts, &expected, 0);
    assert!(p > FALSE_ALARM, "{}: chi-square p = {p}", mu.name());
    let dof = (counts.len() - 1) as f64;
    let detectable = ((chi_square_critical(FALSE_ALARM, dof) - dof) / n as f64).sqrt();
    assert!(detectable < 0.016, "{}: detectable {detectable}", mu.name());
    let bent: Vec<f64> = expected
        .iter()
        .enumerate()
        .map(|(i, e)| e * if i % 2 == 0 { 1.03 } else { 0.97 })
        .collect();
    let scale = n as f64 / bent.iter().sum::<f64>();
    let bent: Vec<f64> = bent.iter().map(|e| e * scale).collect();
    let p = chi_square_p_value(&counts, &bent, 0);
    assert!(
        p <= FALSE_ALARM,
        "{}: masses bent by ±3 % pass, p = {p}",
        mu.name()
    );
}

#[test]
fn rejection_samples_follow_the_density_on_the_two_sphere() {
    // Archimedes: under the uniform law on S² of radius r, u = ⟨v, x − c⟩ is uniform on [−r, r], so the
    // law of u under μ has density g(u) · 2πr / Z.
    let r = 1.1;
    for profile in profiles() {
        let (mu, m) = measure_on(Sphere::new(2, r).unwrap(), 8, profile);
        let v = m.isometry().frame().column(0).to_owned();
        let c = m.isometry().offset().clone();
        let edges: Vec<f64> = (0..=20).map(|i| -r + 2.0 * r * i as f64 / 20.0).collect();
        let mass_of = |a: f64, b: f64| {
            let (x, w) = gauss_legendre(20, a, b);
            x.iter()
                .zip(&w)
                .map(|(u, w)| w * profile.shape(*u))
                .sum::<f64>()
                * 2.0
                * PI
                * r
                / mu.normalizer()
        };
        check_feature_law(&mu, |x| v.dot(&(&x - &c)), &edges, mass_of);
    }
}

#[test]
fn rejection_samples_follow_the_density_on_the_circle() {
    // Bins of the angle θ with u = r cos θ: mass ∫ g(r cos θ) r dθ / Z.
    let r = 0.8;
    for profile in profiles() {
        let (mu, m) = measure_on(Sphere::circle(r).unwrap(), 3, profile);
        let iso = m.isometry().clone();
        let edges: Vec<f64> = (0..=24).map(|i| -PI + 2.0 * PI * i as f64 / 24.0).collect();
        let mass_of = |a: f64, b: f64| {
            let (x, w) = gauss_legendre(30, a, b);
            x.iter()
                .zip(&w)
                .map(|(t, w)| w * profile.shape(r * t.cos()) * r)
                .sum::<f64>()
                / mu.normalizer()
        };
        check_feature_law(
            &mu,
            |x| {
                let y = iso.coordinates(x);
                y[1].atan2(y[0])
            },
            &edges,
            mass_of,
        );
    }
}

#[test]
fn uniform_ball_masses_match_the_closed_forms() {
    for (k, r_sphere) in [(1usize, 1.0), (2, 1.5), (3, 0.7)] {
        let m = Arc::new(Embedded::random(Sphere::new(k, r_sphere).unwrap(), 6, 3).unwrap());
        let mu = DensityMeasure::uniform(m.clone());
        let y = m.sample_uniform(1, &mut rng::seeded(1)).row(0).to_owned();
        for radius in [0.05, 0.3, 1.0] {
            let closed = mu.ball_mass(y.view(), radius).unwrap();
            let by_rule = mangen_measures::ball_mass_by_quadrature(&mu, y.view(), radius).unwrap();
            assert!(
                (closed - by_rule).abs() < 1e-4 * closed,
                "k={k} r={radius}: {closed} vs {by_rule}"
            );
        }
        // The two-sphere cap: area 2πR²(1 − cos α) with chord radius ρ = 2R sin(α/2) is πρ².
        if k == 2 {
            let rho = 0.4;
            let expected = PI * rho * rho / m.volume();
            assert!((mu.ball_mass(y.view(), rho).unwrap() - expected).abs() < 1e-14);
        }
    }
}

/// A binomial z-test (|z| > 4.89) for every density on manifolds with and without exact ball
/// rules: a ball mass m off by 4.89 √(m(1 − m)/n) is detected (at power ½): at most 10.5 % of
/// m here (the smallest balls; the uniform ones are pinned to 1e-4 by the closed forms above);
/// a mass off by twice that is rejected.
#[test]
fn ball_masses_match_the_fraction_of_samples_in_the_ball() {
    let n = 200_000;
    let cases: Vec<(DensityMeasure, f64)> = profiles()
        .into_iter()
        .flat_map(|p| {
            [
                (measure_on(Sphere::new(2, 1.0).unwrap(), 4, p).0, 0.5),
                (
                    measure_on(PolarCurve::new(1.0, 0.3, 4.5).unwrap(), 4, p).0,
                    0.3,
                ),
                (
                    measure_on(FlatTorus::new(vec![1.0, 1.0]).unwrap(), 4, p).0,
                    0.6,
                ),
                (measure_on(DonutTorus::new(2.0, 0.7).unwrap(), 3, p).0, 0.8),
            ]
        })
        .collect();
    for (mu, radius) in &cases {
        let samples = mu.sample(n, &mut rng::seeded(21));
        for centre in 0..3 {
            let y: Array1<f64> = samples.row(centre).to_owned();
            let mass = mu.ball_mass(y.view(), *radius).unwrap();
            let inside = samples
                .outer_iter()
                .skip(3)
                .filter(|x| mangen_geometry::euclidean(*x, y.view()) <= *radius)
                .count();
            let fraction = inside as f64 / (n - 3) as f64;
            let se = (mass * (1.0 - mass) / (n - 3) as f64).sqrt();
            let detectable = z_test_with_power(fraction, mass, se)
                .unwrap_or_else(|err| panic!("{}: fraction in the ball: {err}", mu.name()));
            assert!(
                detectable < 0.11 * mass,
                "{}: detectable {detectable} of {mass}",
                mu.name()
            );
        }
    }
}
