//! Novelty: nearest and second-nearest training distances, the memorized fraction and the novelty index, each beside its null from fresh samples (SCIENCE.md §6).

use crate::error::{MetricError, Result, check_points};
use crate::summary::Summary;
use mangen_scores::NeighbourIndex;
use ndarray::ArrayView2;
use rayon::prelude::*;

/// A sample counts as memorized when d1/d2 falls below this ratio (SCIENCE.md §6). For fresh
/// samples of a k-dimensional law the ratio test passes with probability about 3^{-k}.
pub const MEMORIZED_RATIO: f64 = 1.0 / 3.0;

/// Distances of each query to its nearest (d1) and second-nearest (d2) training point.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestTwo {
    /// d1 for each query, in the queries' order.
    pub d1: Vec<f64>,
    /// d2 for each query.
    pub d2: Vec<f64>,
}

/// d1 and d2 of every row of `queries` against the training set behind `index` (N ≥ 2).
pub fn nearest_two(index: &dyn NeighbourIndex, queries: ArrayView2<f64>) -> Result<NearestTwo> {
    if index.len() < 2 {
        return Err(MetricError::TooFew {
            what: "training points for d2",
            needed: 2,
            got: index.len(),
        });
    }
    check_points("queries", queries, Some(index.dim()))?;
    let pairs = (0..queries.nrows())
        .into_par_iter()
        .map(|i| {
            let found = index.k_nearest(queries.row(i), 2)?;
            Ok((found[0].distance_sq.sqrt(), found[1].distance_sq.sqrt()))
        })
        .collect::<Result<Vec<_>>>()?;
    let (d1, d2) = pairs.into_iter().unzip();
    Ok(NearestTwo { d1, d2 })
}

/// Novelty figures of one point set against the training set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoveltyStats {
    /// P(d1/d2 < 1/3): the fraction of points that sit on a training point.
    pub memorized_fraction: f64,
    /// Summary of d1.
    pub d1: Summary,
    /// Median of d1/d2 (a point with d2 = 0 has ratio 0 by convention: it sits on duplicates).
    pub median_ratio: f64,
}

impl NoveltyStats {
    /// The figures of precomputed distances.
    pub fn of(distances: &NearestTwo) -> Result<Self> {
        let ratios: Vec<f64> = distances
            .d1
            .iter()
            .zip(&distances.d2)
            .map(|(&d1, &d2)| if d2 > 0.0 { d1 / d2 } else { 0.0 })
            .collect();
        let memorized = ratios.iter().filter(|&&r| r < MEMORIZED_RATIO).count();
        Ok(Self {
            memorized_fraction: memorized as f64 / ratios.len() as f64,
            d1: Summary::of(&distances.d1)?,
            median_ratio: Summary::of(&ratios)?.median,
        })
    }
}

/// Novelty of generated samples with its null: the same figures for fresh samples of μ, and the
/// scale-free index median d1(generated) / median d1(fresh) (≈ 1 novel, → 0 memorized).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Novelty {
    /// Figures of the generated samples.
    pub generated: NoveltyStats,
    /// Figures of fresh samples of μ, independent of the training set: the null.
    pub null: NoveltyStats,
    /// median d1(generated) / median d1(fresh); infinite if every fresh sample sits on a training point.
    pub index: f64,
}

/// Novelty of `generated` against the training set behind `index`, with the null of `fresh`.
pub fn novelty(
    index: &dyn NeighbourIndex,
    generated: ArrayView2<f64>,
    fresh: ArrayView2<f64>,
) -> Result<Novelty> {
    check_points("fresh", fresh, Some(index.dim()))?;
    let generated = NoveltyStats::of(&nearest_two(index, generated)?)?;
    let null = NoveltyStats::of(&nearest_two(index, fresh)?)?;
    Ok(Novelty {
        generated,
        null,
        index: generated.d1.median / null.d1.median,
    })
}

/// The share of samples that generalize (SCIENCE.md §9): on M, within `tube` of it
/// (`distances_to_m[i]` ≤ tube), and not copies of a training point (d1/d2 ≥ 1/3, the
/// complement of [`MEMORIZED_RATIO`]'s test). Fresh samples of a k-dimensional μ pass with
/// probability about 1 − 3^{-k}.
pub fn generalizing_fraction(
    distances_to_m: &[f64],
    nearest: &NearestTwo,
    tube: f64,
) -> Result<f64> {
    if !(tube.is_finite() && tube > 0.0) {
        return Err(MetricError::InvalidParameter {
            name: "tube",
            value: tube,
            rule: "the tube radius must be finite and > 0",
        });
    }
    if distances_to_m.len() != nearest.d1.len() || nearest.d1.len() != nearest.d2.len() {
        return Err(MetricError::UnequalSizes {
            a_name: "distances to M",
            a: distances_to_m.len(),
            b_name: "nearest-neighbour distances",
            b: nearest.d1.len().min(nearest.d2.len()),
        });
    }
    if distances_to_m.is_empty() {
        return Err(MetricError::TooFew {
            what: "samples for a generalizing fraction",
            needed: 1,
            got: 0,
        });
    }
    let generalizing = distances_to_m
        .iter()
        .zip(nearest.d1.iter().zip(&nearest.d2))
        .filter(|&(&to_m, (&d1, &d2))| to_m <= tube && d2 > 0.0 && d1 / d2 >= MEMORIZED_RATIO)
        .count();
    Ok(generalizing as f64 / distances_to_m.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mangen_scores::BruteForce;
    use ndarray::array;
    use std::sync::Arc;

    #[test]
    fn a_copy_of_a_training_point_is_memorized_and_a_midpoint_is_not() {
        let train = Arc::new(array![[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]]);
        let index = BruteForce::new(train).unwrap();
        let queries = array![[1.0, 0.0], [0.5, 0.0]];
        let d = nearest_two(&index, queries.view()).unwrap();
        assert_eq!(d.d1, vec![0.0, 0.5]);
        assert_eq!(d.d2, vec![1.0, 0.5]);
        let stats = NoveltyStats::of(&d).unwrap();
        assert_eq!(stats.memorized_fraction, 0.5);
    }

    #[test]
    fn a_sample_generalizes_when_on_m_and_not_a_copy() {
        // Ratios 0.5 (novel), 0.2 (copy), 0.5 (novel), 1/3 exactly (novel: d1/d2 ≥ 1/3);
        // the third is off M beyond the tube.
        let nearest = NearestTwo {
            d1: vec![0.5, 0.2, 0.5, 1.0],
            d2: vec![1.0, 1.0, 1.0, 3.0],
        };
        let to_m = [0.01, 0.0, 0.3, 0.1];
        assert_eq!(generalizing_fraction(&to_m, &nearest, 0.1).unwrap(), 0.5);
        assert_eq!(generalizing_fraction(&to_m, &nearest, 0.3).unwrap(), 0.75);
        assert!(generalizing_fraction(&to_m, &nearest, 0.0).is_err());
        assert!(generalizing_fraction(&to_m[..3], &nearest, 0.1).is_err());
    }

    #[test]
    fn one_training_point_has_no_second_neighbour() {
        let index = BruteForce::new(Arc::new(array![[0.0, 0.0]])).unwrap();
        let err = nearest_two(&index, array![[1.0, 0.0]].view()).unwrap_err();
        assert!(matches!(err, MetricError::TooFew { needed: 2, .. }));
    }
}
