//! The span kd-tree returns exactly what the brute-force oracle returns, on manifold data, full-rank data (a curve searched in its leading coordinates, a Gaussian scanned) and duplicates.

use mangen_geometry::{Embedded, FlatTorus, FourierCurve, Manifold, Sphere, rng};
use mangen_scores::{BruteForce, KdTree, NeighbourIndex, SearchPath};
use ndarray::{Array2, Axis, concatenate};
use proptest::prelude::*;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// Training sets of every kind, named by what they exercise.
fn training_set(kind: usize, n: usize, seed: u64) -> Array2<f64> {
    let mut r = rng::seeded(seed);
    match kind {
        0 => Embedded::random(Sphere::circle(1.0).unwrap(), 10, seed)
            .unwrap()
            .sample_uniform(n, &mut r),
        1 => Embedded::random(Sphere::new(2, 2.0).unwrap(), 6, seed)
            .unwrap()
            .sample_uniform(n, &mut r),
        2 => Embedded::random(FlatTorus::new(vec![1.0; 4]).unwrap(), 9, seed)
            .unwrap()
            .sample_uniform(n, &mut r),
        3 => Array2::from_shape_fn((n, 3), |_| StandardNormal.sample(&mut r)),
        4 => Array2::from_shape_fn((n, 12), |_| StandardNormal.sample(&mut r)),
        5 => {
            // Slightly off the span: spread 1e-7 in the normal directions falls below the rank
            // tolerance, so the tree must correct for residuals to stay exact.
            let on = Embedded::random(Sphere::circle(1.0).unwrap(), 5, seed)
                .unwrap()
                .sample_uniform(n, &mut r);
            on.mapv(|v| {
                v + 1e-7 * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
            })
        }
        6 => {
            // Rank 30 > 8: the tree searches the 8 leading coordinates of a curve that fills R^30.
            let curve = FourierCurve::random(30, 20, 1.0, 0.2, 2.0, seed % 64).unwrap();
            Embedded::random(curve, 30, seed)
                .unwrap()
                .sample_uniform(n, &mut r)
        }
        _ => {
            // Duplicates: every point twice, plus a cluster of identical points.
            let base = Embedded::random(Sphere::new(2, 1.0).unwrap(), 4, seed)
                .unwrap()
                .sample_uniform(n / 2 + 1, &mut r);
            let same = Array2::from_shape_fn((5, 4), |(_, j)| base[[0, j]]);
            concatenate(Axis(0), &[base.view(), base.view(), same.view()]).unwrap()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn kd_tree_equals_brute_force(kind in 0usize..8, n in 1usize..400, seed in any::<u64>(), k in 1usize..20, radius in 0.0f64..1.5, noise in 0.0f64..0.5) {
        let points = Arc::new(training_set(kind, n, seed));
        let tree = KdTree::new(points.clone()).unwrap();
        let oracle = BruteForce::new(points.clone()).unwrap();
        let mut r = rng::seeded(seed ^ 1);
        for q in 0..10 {
            let base = points.row(q % points.nrows()).to_owned();
            let query = base.mapv(|v| v + noise * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r));
            prop_assert_eq!(tree.k_nearest(query.view(), k).unwrap(), oracle.k_nearest(query.view(), k).unwrap());
            let within = oracle.within(query.view(), radius).unwrap();
            prop_assert_eq!(&tree.within(query.view(), radius).unwrap(), &within);
            let mut unsorted = tree.within_unsorted(query.view(), radius).unwrap();
            mangen_scores::neighbours::sort_neighbours(&mut unsorted);
            prop_assert_eq!(tree.count_within(query.view(), radius).unwrap(), within.len());
            prop_assert_eq!(unsorted, within);
        }
    }
}

#[test]
fn the_search_path_follows_the_span_dimension() {
    let path = |kind| {
        KdTree::new(Arc::new(training_set(kind, 300, 7)))
            .unwrap()
            .path()
    };
    assert_eq!(path(0), SearchPath::KdTree { span_dim: 2 });
    assert_eq!(path(1), SearchPath::KdTree { span_dim: 3 });
    assert_eq!(path(2), SearchPath::KdTree { span_dim: 8 });
    assert_eq!(path(3), SearchPath::KdTree { span_dim: 3 });
    assert_eq!(path(4), SearchPath::BruteForce { span_dim: 12 });
    assert_eq!(path(6), SearchPath::LeadingKdTree { span_dim: 30 });
    let off_span = KdTree::new(Arc::new(training_set(5, 300, 7))).unwrap();
    assert_eq!(off_span.path(), SearchPath::KdTree { span_dim: 2 });
    assert!(off_span.residual_max() > 1e-8 && off_span.residual_max() < 1e-5);
    let single = KdTree::new(Arc::new(Array2::ones((4, 5)))).unwrap();
    assert_eq!(single.path(), SearchPath::BruteForce { span_dim: 0 });
    assert_eq!(
        single
            .k_nearest(ndarray::Array1::zeros(5).view(), 2)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn bad_input_is_refused() {
    use mangen_scores::ScoreError;
    assert!(matches!(
        KdTree::new(Arc::new(Array2::zeros((0, 3)))),
        Err(ScoreError::EmptyTrainingSet)
    ));
    let mut nan = Array2::zeros((3, 2));
    nan[[2, 1]] = f64::NAN;
    assert!(matches!(
        BruteForce::new(Arc::new(nan)),
        Err(ScoreError::NonFiniteTrainingPoint {
            row: 2,
            column: 1,
            ..
        })
    ));
    let tree = KdTree::new(Arc::new(training_set(0, 50, 1))).unwrap();
    assert!(matches!(
        tree.k_nearest(ndarray::Array1::zeros(3).view(), 1),
        Err(ScoreError::Geometry(_))
    ));
    assert!(matches!(
        tree.within(ndarray::Array1::zeros(10).view(), -1.0),
        Err(ScoreError::InvalidParameter { name: "radius", .. })
    ));
    assert!(matches!(
        tree.within(ndarray::Array1::from_elem(10, f64::NAN).view(), 1.0),
        Err(ScoreError::Geometry(_))
    ));
}

/// The tree over 8 leading coordinates of data of rank 30 (residuals off them up to about 0.1)
/// returns exactly what the scan returns, for queries from on the curve to far off it.
#[test]
fn the_leading_coordinate_tree_equals_the_scan() {
    let points = Arc::new(training_set(6, 2000, 11));
    let tree = KdTree::new(points.clone()).unwrap();
    assert_eq!(tree.path(), SearchPath::LeadingKdTree { span_dim: 30 });
    assert!(tree.residual_max() > 1e-2, "{}", tree.residual_max());
    let oracle = BruteForce::new(points.clone()).unwrap();
    let mut r = rng::seeded(12);
    for (i, noise) in [0.0, 1e-3, 1e-2, 0.1, 1.0]
        .into_iter()
        .cycle()
        .take(60)
        .enumerate()
    {
        let query = points.row(i * 31 % 2000).mapv(|v| {
            v + noise * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
        });
        for k in [1, 16] {
            assert_eq!(
                tree.k_nearest(query.view(), k).unwrap(),
                oracle.k_nearest(query.view(), k).unwrap(),
                "noise {noise}, k = {k}"
            );
        }
        for radius in [0.01, 0.1, 0.5] {
            assert_eq!(
                tree.within(query.view(), radius).unwrap(),
                oracle.within(query.view(), radius).unwrap(),
                "noise {noise}, radius {radius}"
            );
        }
    }
}

/// Ball counts on 20 000 points, where most of a large ball's points lie in runs taken whole:
/// the count equals the brute-force list's length for the circle, S², a circle 1e-7 off its span
/// and a curve searched in its leading coordinates, at radii from a few points to all of them.
#[test]
fn ball_counts_equal_the_brute_force_count_on_large_sets() {
    for kind in [0, 1, 5, 6] {
        let points = Arc::new(training_set(kind, 20_000, 11));
        let tree = KdTree::new(points.clone()).unwrap();
        let oracle = BruteForce::new(points.clone()).unwrap();
        let mut r = rng::seeded(12);
        for q in 0..40 {
            let noise = [0.0, 1e-3, 0.1, 1.0][q % 4];
            let query = points.row(q * 397).mapv(|v| {
                v + noise * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
            });
            for radius in [0.01, 0.05, 0.3, 1.0, 3.0] {
                let expected = oracle.within(query.view(), radius).unwrap().len();
                assert_eq!(
                    tree.count_within(query.view(), radius).unwrap(),
                    expected,
                    "kind {kind}, query {q}, radius {radius}"
                );
            }
        }
    }
}
