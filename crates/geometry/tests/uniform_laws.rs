//! Statistical tests (fixed seeds, false-alarm rate below 1e-6) that uniform samplers follow the volume measure,
//! each with the smallest error it detects and a planted error of about that size that it rejects.
//!
//! A KS test of N = 200 000 points at 1e-6 rejects a CDF off by λ/√N = 0.0060 (λ = 2.70, at
//! power ½): an angle density 1 + a cos θ for a ≥ 2π·0.0060 = 0.038. The planted errors bend
//! the sample's own uniform coordinate to such a density ([`bend_uniform`]).

use mangen_geometry::{DonutTorus, Embedded, FlatTorus, Manifold, PolarCurve, Sphere, rng};
use mangen_testkit::{
    FALSE_ALARM, bend_uniform, chi_square_critical, chi_square_p_value, histogram,
    kolmogorov_critical, ks_p_value,
};
use std::f64::consts::{PI, TAU};

const N: usize = 200_000;

/// Asserts that uniform values on [0, 1) pass the KS test and the same values bent to the density
/// 1 + a cos(2πu − π) fail it.
fn assert_uniform_and_bent_rejected(values: Vec<f64>, a: f64, label: &str) {
    let detectable = TAU * kolmogorov_critical(FALSE_ALARM) / (values.len() as f64).sqrt();
    assert!(
        a > detectable,
        "{label}: a = {a} is below the detectable {detectable:.3}"
    );
    let bent: Vec<f64> = values.iter().map(|&u| bend_uniform(u, a)).collect();
    let p = ks_p_value(values, |u| u);
    assert!(p > FALSE_ALARM, "{label}: KS p = {p}");
    let p = ks_p_value(bent, |u| u);
    assert!(
        p <= FALSE_ALARM,
        "{label}: bent by a = {a}, KS p = {p} passes"
    );
}

#[test]
fn circle_angle_is_uniform() {
    let m = Embedded::random(Sphere::circle(2.0).unwrap(), 7, 11).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(1));
    let angles: Vec<f64> = samples
        .outer_iter()
        .map(|x| {
            let y = m.isometry().coordinates(x);
            (y[1].atan2(y[0]) + PI) / TAU
        })
        .collect();
    assert_uniform_and_bent_rejected(angles, 0.05, "circle angle");
}

#[test]
fn a_coordinate_of_the_uniform_two_sphere_is_uniform() {
    // Archimedes: the height of a uniform point of S² is uniform on [−r, r].
    let m = Embedded::random(Sphere::new(2, 1.3).unwrap(), 10, 12).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(2));
    for axis in 0..3 {
        let heights: Vec<f64> = samples
            .outer_iter()
            .map(|x| (m.isometry().coordinates(x)[axis] / 1.3 + 1.0) / 2.0)
            .collect();
        assert_uniform_and_bent_rejected(heights, 0.05, &format!("height on axis {axis}"));
    }
}

#[test]
fn donut_follows_its_area_element() {
    // θ uniform; φ with density (R + r cos φ)/(2πR), CDF (Rφ + r sin φ)/(2πR) on [0, 2π).
    let (big, small) = (2.0, 0.9);
    let m = Embedded::random(DonutTorus::new(big, small).unwrap(), 5, 13).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(3));
    // Each angle through its CDF: uniform on [0, 1) under the right law.
    let (mut thetas, mut phis) = (Vec::new(), Vec::new());
    for x in samples.outer_iter() {
        let y = m.isometry().coordinates(x);
        thetas.push((y[1].atan2(y[0]) + PI) / TAU);
        let phi = y[2].atan2(y[0].hypot(y[1]) - big).rem_euclid(TAU);
        phis.push((big * phi + small * phi.sin()) / (TAU * big));
    }
    assert_uniform_and_bent_rejected(thetas, 0.05, "donut θ");
    assert_uniform_and_bent_rejected(phis, 0.05, "donut φ");
}

/// Chi-square over 12 × 12 cells of the two angles (143 dof, rejected above 238 at 1e-6): a
/// dependence 1 + c cos(θ₁ − θ₂) adds a noncentrality of about N c²/2 (0.95 of it after
/// binning), detected for c ≥ 0.032 at power ½; c = 0.05 is rejected.
#[test]
fn flat_torus_angles_are_uniform_and_independent() {
    let m = Embedded::random(FlatTorus::new(vec![1.0, 0.4]).unwrap(), 4, 14).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(4));
    let bins = 12;
    let p_value = |pairs: &[(f64, f64)]| {
        let cell = |u: f64| (u * bins as f64).floor().min(bins as f64 - 1.0);
        let cells = pairs.iter().map(|&(u, v)| cell(u) * bins as f64 + cell(v));
        let counts = histogram(cells, 0.0, (bins * bins) as f64, bins * bins);
        let expected = vec![pairs.len() as f64 / (bins * bins) as f64; bins * bins];
        chi_square_p_value(&counts, &expected, 0)
    };
    let pairs: Vec<(f64, f64)> = samples
        .outer_iter()
        .map(|x| {
            let y = m.isometry().coordinates(x);
            ((y[1].atan2(y[0]) + PI) / TAU, (y[3].atan2(y[2]) + PI) / TAU)
        })
        .collect();
    let p = p_value(&pairs);
    assert!(p > FALSE_ALARM, "chi-square p = {p}");
    let dof = (bins * bins - 1) as f64;
    let detectable =
        (2.0 * (chi_square_critical(FALSE_ALARM, dof) - dof) / (0.95 * N as f64)).sqrt();
    assert!(detectable < 0.033, "detectable dependence {detectable:.3}");
    // The second angle's offset from the first bent to the density 1 + c cos(2πx − π).
    let dependent: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&(u, v)| {
            (
                u,
                (u + bend_uniform((v - u).rem_euclid(1.0), 0.05)).rem_euclid(1.0),
            )
        })
        .collect();
    let p = p_value(&dependent);
    assert!(
        p <= FALSE_ALARM,
        "a dependence c = 0.05 passes: chi-square p = {p}"
    );
}

/// Chi-square over 40 bins of the polar angle (39 dof, rejected above 96 at 1e-6). The planted
/// error mixes in a share ε of points uniform in the angle (the sampler that forgets the
/// arclength): noncentrality N ε² δ, with δ the chi-square distance of the angle-uniform law;
/// δ = 0.038 for this curve, so ε ≥ 0.087 is detected at power ½, and ε = 0.12 is rejected.
#[test]
fn curve_samples_are_uniform_in_arclength() {
    // Expected bin masses come from the quadrature (midpoint rule weighted by speed), a code path
    // independent of the arclength table inversion that the sampler uses.
    let curve = PolarCurve::new(1.0, 0.6, 3.5).unwrap();
    let m = Embedded::random(curve, 3, 15).unwrap();
    let bins = 40;
    let angle = |x: ndarray::ArrayView1<f64>| {
        let y = m.isometry().coordinates(x);
        y[1].atan2(y[0]).rem_euclid(TAU)
    };
    let rule = m.quadrature(20_000).unwrap();
    let mut mass = vec![0.0; bins];
    for (x, w) in rule.nodes.outer_iter().zip(rule.weights.iter()) {
        mass[((angle(x) / TAU) * bins as f64) as usize % bins] += w;
    }
    let total: f64 = mass.iter().sum();
    let expected: Vec<f64> = mass.iter().map(|w| w / total * N as f64).collect();
    let samples = m.sample_uniform(N, &mut rng::seeded(5));
    let mut angles: Vec<f64> = samples.outer_iter().map(angle).collect();
    let counts = histogram(angles.iter().copied(), 0.0, TAU, bins);
    let p = chi_square_p_value(&counts, &expected, 0);
    assert!(p > FALSE_ALARM, "chi-square p = {p}");
    let share = 0.12;
    let distance: f64 = expected
        .iter()
        .map(|e| {
            let q = e / N as f64;
            (1.0 / bins as f64 - q).powi(2) / q
        })
        .sum();
    let dof = (bins - 1) as f64;
    let detectable = ((chi_square_critical(FALSE_ALARM, dof) - dof) / (N as f64 * distance)).sqrt();
    assert!(detectable < 0.09, "detectable share {detectable:.3}");
    let mut r = rng::seeded(7);
    let mixed = (N as f64 * share) as usize;
    for value in angles.iter_mut().take(mixed) {
        *value = rand::RngExt::random_range(&mut r, 0.0..TAU);
    }
    let counts = histogram(angles, 0.0, TAU, bins);
    let p = chi_square_p_value(&counts, &expected, 0);
    assert!(
        p <= FALSE_ALARM,
        "a share {share} uniform in the angle passes: chi-square p = {p}"
    );
}

#[test]
fn the_tests_have_power_against_a_wrong_law() {
    // The naive angle-uniform sampler of the donut ignores the area element: the test must reject it.
    let (big, small) = (2.0, 0.9);
    let mut r = rng::seeded(6);
    let phis: Vec<f64> = (0..N)
        .map(|_| rand::RngExt::random_range(&mut r, 0.0..2.0 * PI))
        .collect();
    let p = ks_p_value(phis, |f| (big * f + small * f.sin()) / (2.0 * PI * big));
    assert!(p < 1e-12, "KS p = {p}");
}

#[test]
fn arclength_positions_of_uniform_curve_samples_are_uniform() {
    // The arclength chart of a closed curve carries its volume measure to U(0, L).
    let circle = Embedded::random(Sphere::circle(0.7).unwrap(), 5, 21).unwrap();
    let curve = Embedded::random(PolarCurve::new(1.0, 0.6, 3.5).unwrap(), 5, 22).unwrap();
    for (seed, m) in [
        (31, &circle as &dyn Manifold),
        (32, &curve as &dyn Manifold),
    ] {
        let samples = m.sample_uniform(N, &mut rng::seeded(seed));
        let positions: Vec<f64> = samples
            .outer_iter()
            .map(|x| m.arclength(x).unwrap() / m.volume())
            .collect();
        assert_uniform_and_bent_rejected(positions, 0.05, &m.name());
    }
}
