//! Novelty: the memorized-fraction null 3^{-k} for fresh samples on a circle and S^2, and a memorizer's copies flagged.

use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_metrics::{fidelity, generalizing_fraction, nearest_two, novelty};
use mangen_scores::KdTree;
use mangen_testkit::z_test_with_power;
use std::sync::Arc;

/// For fresh samples of a k-dimensional law, (d1/d2)^k is uniform in the Poisson limit, so the
/// ratio test d1/d2 < 1/3 passes with probability 3^{-k}. A binomial z-test on n = 20 000
/// detects a fraction off by 4.89 √(p(1 − p)/n): 4.9 % of 1/3 at k = 1 and 9.8 % of 1/9 at
/// k = 2 (a ratio threshold of 0.35 instead of 1/3 moves the fraction by 5 % at k = 1, 10 % at
/// k = 2); twice that is rejected.
#[test]
fn fresh_samples_pass_the_ratio_test_at_three_to_the_minus_k() {
    for k in [1usize, 2] {
        let manifold = Embedded::random(Sphere::new(k, 1.0).unwrap(), 6, k as u64).unwrap();
        let n = 20_000;
        let train = Arc::new(manifold.sample_uniform(n, &mut rng::seeded(10 + k as u64)));
        let index = KdTree::new(train).unwrap();
        let fresh = manifold.sample_uniform(n, &mut rng::seeded(20 + k as u64));
        let generated = manifold.sample_uniform(n, &mut rng::seeded(30 + k as u64));
        let result = novelty(&index, generated.view(), fresh.view()).unwrap();
        let expected = 3f64.powi(-(k as i32));
        let se = (expected * (1.0 - expected) / n as f64).sqrt();
        for stats in [result.generated, result.null] {
            let detectable = z_test_with_power(stats.memorized_fraction, expected, se)
                .unwrap_or_else(|err| panic!("k = {k}: memorized fraction: {err}"));
            assert!(
                detectable < 0.1 * expected,
                "k = {k}: detectable {detectable}"
            );
        }
        // Two fresh samples: the novelty index is 1 up to the noise of two medians.
        assert!((result.index - 1.0).abs() < 0.05, "index {}", result.index);
    }
}

/// Fresh samples lie on M and are copies with probability 3^{-k}: they generalize with
/// probability 1 − 3^{-k}. The z-test on n = 20 000 detects a fraction off by 4.89 √(p(1 − p)/n):
/// 1.6 points at k = 1, 1.1 at k = 2; twice that is rejected. The same samples pushed off M by
/// twice the tube generalize not at all.
#[test]
fn fresh_samples_generalize_at_one_minus_three_to_the_minus_k() {
    for k in [1usize, 2] {
        let manifold = Embedded::random(Sphere::new(k, 1.0).unwrap(), 6, k as u64).unwrap();
        let n = 20_000;
        let train = Arc::new(manifold.sample_uniform(n, &mut rng::seeded(40 + k as u64)));
        let index = KdTree::new(train).unwrap();
        let fresh = manifold.sample_uniform(n, &mut rng::seeded(50 + k as u64));
        let nearest = nearest_two(&index, fresh.view()).unwrap();
        let to_m = fidelity(&manifold, fresh.view()).unwrap().distances;
        let tube = 1e-3;
        let fraction = generalizing_fraction(&to_m, &nearest, tube).unwrap();
        let expected = 1.0 - 3f64.powi(-(k as i32));
        let se = (expected * (1.0 - expected) / n as f64).sqrt();
        let detectable = z_test_with_power(fraction, expected, se)
            .unwrap_or_else(|err| panic!("k = {k}: generalizing fraction: {err}"));
        assert!(detectable < 0.017, "k = {k}: detectable {detectable}");
        let off: Vec<f64> = to_m.iter().map(|d| d + 2.0 * tube).collect();
        assert_eq!(generalizing_fraction(&off, &nearest, tube).unwrap(), 0.0);
    }
}

#[test]
fn copies_of_training_points_are_memorized() {
    let manifold = Embedded::random(Sphere::circle(1.0).unwrap(), 3, 1).unwrap();
    let train = Arc::new(manifold.sample_uniform(500, &mut rng::seeded(1)));
    let index = KdTree::new(train.clone()).unwrap();
    let copies = train.mapv(|v| v + 1e-9);
    let fresh = manifold.sample_uniform(500, &mut rng::seeded(2));
    let result = novelty(&index, copies.view(), fresh.view()).unwrap();
    assert_eq!(result.generated.memorized_fraction, 1.0);
    let nearest = nearest_two(&index, copies.view()).unwrap();
    let to_m = fidelity(&manifold, copies.view()).unwrap().distances;
    assert_eq!(generalizing_fraction(&to_m, &nearest, 0.01).unwrap(), 0.0);
    assert!(result.index < 1e-5, "index {}", result.index);
}
