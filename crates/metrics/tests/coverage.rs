//! Coverage: a pure memorizer covers 1 − (1 − p)^N ≈ 1 − exp(−N p) of the balls, and a large fresh sample covers μ at ratio ≈ 1.

use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_measures::DensityMeasure;
use mangen_metrics::{
    Coverage, Summary, comparability_radius, coverage, coverage_curve, coverage_curves,
    coverage_resolution,
};
use mangen_testkit::z_test_with_power;
use std::sync::Arc;

fn uniform_on(manifold: Embedded<Sphere>) -> (Arc<Embedded<Sphere>>, DensityMeasure) {
    let manifold = Arc::new(manifold);
    (manifold.clone(), DensityMeasure::uniform(manifold))
}

/// With N uniform training points used as the samples, a ball B(y, r) is empty with probability
/// (1 − p)^N, p = vol(B(y, r) ∩ M)/vol(M); averaged over seeds the covered fraction matches.
/// A z-test on the mean over 100 seeds (sd measured across them) detects a covered fraction
/// off by 0.009 at k = 1 and 0.008 at k = 2 (at k = 1, N p ≈ 0.95: a ball probability off by
/// 2.5 %); twice that is rejected.
#[test]
fn a_memorizer_covers_one_minus_exp_of_the_expected_count() {
    for k in [1usize, 2] {
        let (manifold, measure) =
            uniform_on(Embedded::random(Sphere::new(k, 1.0).unwrap(), 5, k as u64).unwrap());
        let n = 300;
        let radius = if k == 1 { 0.01 } else { 0.08 };
        let centres = manifold.sample_uniform(2000, &mut rng::seeded(99));
        let y = centres.row(0);
        let p = manifold
            .ball_volume(y, radius)
            .unwrap()
            .expect("closed form")
            / manifold.volume();
        let expected = 1.0 - (1.0 - p).powi(n as i32);
        let seeds = 100;
        let covered: Vec<f64> = (0..seeds)
            .map(|seed| {
                let train = manifold.sample_uniform(n, &mut rng::seeded(seed));
                coverage(&measure, train.view(), centres.view(), radius, 1e-9)
                    .unwrap()
                    .covered_fraction
            })
            .collect();
        let mean = covered.iter().sum::<f64>() / seeds as f64;
        let variance = covered.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (seeds - 1) as f64;
        let se = (variance / seeds as f64).sqrt();
        let detectable = z_test_with_power(mean, expected, se).unwrap_or_else(|err| {
            panic!("k = {k} (N p = {}): covered fraction: {err}", n as f64 * p)
        });
        assert!(detectable < 0.01, "k = {k}: detectable {detectable}");
    }
}

#[test]
fn a_large_fresh_sample_covers_mu_at_ratio_one() {
    let (manifold, measure) =
        uniform_on(Embedded::random(Sphere::new(2, 1.0).unwrap(), 4, 3).unwrap());
    let samples = manifold.sample_uniform(40_000, &mut rng::seeded(1));
    let centres = manifold.sample_uniform(500, &mut rng::seeded(2));
    let radii = [0.02, 0.1, 0.3];
    let curve = coverage_curve(&measure, samples.view(), centres.view(), &radii, 1e-9).unwrap();
    // At r = 0.3 a ball expects 40 000 · 0.0225 = 900 samples: the ratios sit within a few
    // binomial standard deviations (1/√900 ≈ 0.033) of 1, and their median over 500 centres
    // within 0.002 (1.25 · 0.033/√500): a ball mass 3 % off moves the median out of ±0.03.
    let wide = &curve[2].summary;
    assert!((wide.median - 1.0).abs() < 0.03, "median {}", wide.median);
    assert!(wide.q05 > 0.85 && wide.max < 1.2, "{wide:?}");
    // Finer balls are noisier: at r = 0.1 a ball expects 100 samples, q05 ≈ 1 − 1.645/10 ≈ 0.84,
    // so the resolution at c = 0.9 is the widest radius.
    assert!(curve[0].summary.q05 < curve[1].summary.q05 && curve[1].summary.q05 < 0.9);
    assert_eq!(coverage_resolution(&curve, 0.9), Some(0.3));
    assert_eq!(coverage_resolution(&curve, 2.0), None);
}

#[test]
fn samples_outside_the_tube_count_nowhere() {
    let (manifold, measure) =
        uniform_on(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 3).unwrap());
    let samples = manifold.sample_uniform(1000, &mut rng::seeded(1)) * 1.5;
    let centres = manifold.sample_uniform(100, &mut rng::seeded(2));
    let far = coverage(&measure, samples.view(), centres.view(), 0.5, 0.1).unwrap();
    assert_eq!((far.covered_fraction, far.summary.max), (0.0, 0.0));
    let wide_tube = coverage(&measure, samples.view(), centres.view(), 0.5, 1.0).unwrap();
    assert_eq!(wide_tube.covered_fraction, 1.0);
}

#[test]
fn the_comparability_radius_is_the_smallest_whose_whole_band_lies_within_c() {
    // Bands by radius: too low at 0.1, too high at 0.2, within [1/2, 2] from 0.4 on, within
    // [1/4, 4] from 0.2 on (and at 0.8, which a later radius does not undo).
    let point = |radius: f64, ratios: &[f64]| Coverage {
        radius,
        tube: 0.0,
        ratios: ratios.to_vec(),
        summary: Summary::of(ratios).unwrap(),
        covered_fraction: 1.0,
    };
    let curve = [
        point(0.1, &[0.0, 1.0, 1.0, 1.0]),
        point(0.2, &[0.9, 1.0, 1.0, 3.0]),
        point(0.4, &[0.5, 1.0, 1.0, 2.0]),
        point(0.8, &[0.6, 1.0, 1.0, 1.5]),
    ];
    assert_eq!(comparability_radius(&curve, 2.0), Some(0.4));
    assert_eq!(comparability_radius(&curve, 4.0), Some(0.2));
    assert_eq!(comparability_radius(&curve, 1.2), None);
    assert_eq!(comparability_radius(&curve, 0.5), None);
    assert_eq!(comparability_radius(&curve[..2], 2.0), None);
}

/// Curves of several sample sets over shared centres are each the curve of that set alone, in
/// the sets' order (a swap of the sets, or of a set's masses, changes the ratios).
#[test]
fn curves_of_several_sets_are_each_sets_own_curve() {
    let (manifold, measure) =
        uniform_on(Embedded::random(Sphere::new(2, 1.0).unwrap(), 4, 5).unwrap());
    let centres = manifold.sample_uniform(200, &mut rng::seeded(7));
    let sets = [
        manifold.sample_uniform(3000, &mut rng::seeded(8)),
        manifold.sample_uniform(500, &mut rng::seeded(9)),
    ];
    let radii = [0.1, 0.3];
    let views = [sets[0].view(), sets[1].view()];
    let together = coverage_curves(&measure, &views, centres.view(), &radii, 1e-9).unwrap();
    assert_eq!(together.len(), 2);
    for (set, curve) in sets.iter().zip(&together) {
        let alone = coverage_curve(&measure, set.view(), centres.view(), &radii, 1e-9).unwrap();
        assert_eq!(curve, &alone);
    }
    assert_ne!(together[0], together[1]);
}
