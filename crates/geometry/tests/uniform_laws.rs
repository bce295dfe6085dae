//! Statistical tests (fixed seeds, false-alarm rate below 1e-6) that uniform samplers follow the volume measure.

use mangen_geometry::{DonutTorus, Embedded, FlatTorus, Manifold, PolarCurve, Sphere, rng};
use mangen_testkit::{FALSE_ALARM, chi_square_p_value, histogram, ks_p_value};
use std::f64::consts::PI;

const N: usize = 200_000;

#[test]
fn circle_angle_is_uniform() {
    let m = Embedded::random(Sphere::circle(2.0).unwrap(), 7, 11).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(1));
    let angles: Vec<f64> = samples
        .outer_iter()
        .map(|x| {
            let y = m.isometry().coordinates(x);
            y[1].atan2(y[0])
        })
        .collect();
    let p = ks_p_value(angles, |t| (t + PI) / (2.0 * PI));
    assert!(p > FALSE_ALARM, "KS p = {p}");
}

#[test]
fn a_coordinate_of_the_uniform_two_sphere_is_uniform() {
    // Archimedes: the height of a uniform point of S² is uniform on [−r, r].
    let m = Embedded::random(Sphere::new(2, 1.3).unwrap(), 10, 12).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(2));
    for axis in 0..3 {
        let heights: Vec<f64> = samples
            .outer_iter()
            .map(|x| m.isometry().coordinates(x)[axis] / 1.3)
            .collect();
        let p = ks_p_value(heights, |z| (z + 1.0) / 2.0);
        assert!(p > FALSE_ALARM, "axis {axis}: KS p = {p}");
    }
}

#[test]
fn donut_follows_its_area_element() {
    // θ uniform; φ with density (R + r cos φ)/(2πR), CDF (Rφ + r sin φ)/(2πR) on [0, 2π).
    let (big, small) = (2.0, 0.9);
    let m = Embedded::random(DonutTorus::new(big, small).unwrap(), 5, 13).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(3));
    let (mut thetas, mut phis) = (Vec::new(), Vec::new());
    for x in samples.outer_iter() {
        let y = m.isometry().coordinates(x);
        thetas.push(y[1].atan2(y[0]));
        phis.push(y[2].atan2(y[0].hypot(y[1]) - big).rem_euclid(2.0 * PI));
    }
    let p_theta = ks_p_value(thetas, |t| (t + PI) / (2.0 * PI));
    let p_phi = ks_p_value(phis, |f| (big * f + small * f.sin()) / (2.0 * PI * big));
    assert!(
        p_theta > FALSE_ALARM && p_phi > FALSE_ALARM,
        "θ p = {p_theta}, φ p = {p_phi}"
    );
}

#[test]
fn flat_torus_angles_are_uniform_and_independent() {
    let m = Embedded::random(FlatTorus::new(vec![1.0, 0.4]).unwrap(), 4, 14).unwrap();
    let samples = m.sample_uniform(N, &mut rng::seeded(4));
    let bins = 12;
    let cells: Vec<f64> = samples
        .outer_iter()
        .map(|x| {
            let y = m.isometry().coordinates(x);
            let cell = |a: f64| {
                ((a + PI) / (2.0 * PI) * bins as f64)
                    .floor()
                    .min(bins as f64 - 1.0)
            };
            cell(y[1].atan2(y[0])) * bins as f64 + cell(y[3].atan2(y[2]))
        })
        .collect();
    let counts = histogram(cells, 0.0, (bins * bins) as f64, bins * bins);
    let expected = vec![N as f64 / (bins * bins) as f64; bins * bins];
    let p = chi_square_p_value(&counts, &expected, 0);
    assert!(p > FALSE_ALARM, "chi-square p = {p}");
}

#[test]
fn curve_samples_are_uniform_in_arclength() {
    // Expected bin masses come from the quadrature (midpoint rule weighted by speed), a code path
    // independent of the arclength table inversion that the sampler uses.
    let curve = PolarCurve::new(1.0, 0.6, 3.5).unwrap();
    let m = Embedded::random(curve, 3, 15).unwrap();
    let bins = 40;
    let angle = |x: ndarray::ArrayView1<f64>| {
        let y = m.isometry().coordinates(x);
        y[1].atan2(y[0]).rem_euclid(2.0 * PI)
    };
    let rule = m.quadrature(20_000).unwrap();
    let mut mass = vec![0.0; bins];
    for (x, w) in rule.nodes.outer_iter().zip(rule.weights.iter()) {
        mass[((angle(x) / (2.0 * PI)) * bins as f64) as usize % bins] += w;
    }
    let total: f64 = mass.iter().sum();
    let expected: Vec<f64> = mass.iter().map(|w| w / total * N as f64).collect();
    let samples = m.sample_uniform(N, &mut rng::seeded(5));
    let counts = histogram(samples.outer_iter().map(angle), 0.0, 2.0 * PI, bins);
    let p = chi_square_p_value(&counts, &expected, 0);
    assert!(p > FALSE_ALARM, "chi-square p = {p}");
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
