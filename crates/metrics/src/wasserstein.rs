//! Exact Wasserstein distances: by optimal assignment between equal-size samples, by sorting in one dimension, and the null line between fresh samples (SCIENCE.md §6).
//!
//! Between two empirical laws of n points each, an optimal coupling can be taken to be a
//! permutation (Birkhoff–von Neumann), so W_p^p = min_σ (1/n) Σ_i |a_i − b_σ(i)|^p: a linear sum
//! assignment, solved exactly by [`crate::assignment`] (shortest augmenting paths on the cheap
//! pairs, certified optimal over all pairs by the dual). In one dimension the sorted matching is
//! optimal for every p ≥ 1.

use crate::assignment::{assignment_cost, optimal_assignment};
use crate::error::{MetricError, Result, check_points, check_values};
use mangen_measures::Measure;
use ndarray::ArrayView2;
use rand::Rng;
use rayon::prelude::*;

/// Checks that the Wasserstein order p is finite and ≥ 1.
pub(crate) fn check_order(p: f64) -> Result<()> {
    if p.is_finite() && p >= 1.0 {
        Ok(())
    } else {
        Err(MetricError::InvalidParameter {
            name: "p",
            value: p,
            rule: "the Wasserstein order must be finite and ≥ 1",
        })
    }
}

fn check_equal_sizes(a: usize, b: usize) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(MetricError::UnequalSizes {
            a_name: "a",
            a,
            b_name: "b",
            b,
        })
    }
}

/// Exact W_p between the empirical laws of `a` and `b` (equal sizes, equal dimensions, p ≥ 1),
/// by optimal assignment. Time O(n³) at worst, memory n² costs.
pub fn wasserstein(a: ArrayView2<f64>, b: ArrayView2<f64>, p: f64) -> Result<f64> {
    check_order(p)?;
    check_points("a", a, None)?;
    check_points("b", b, Some(a.ncols()))?;
    check_equal_sizes(a.nrows(), b.nrows())?;
    let n = a.nrows();
    let mut cost = vec![0.0; n * n];
    cost.par_chunks_mut(n.max(1))
        .enumerate()
        .for_each(|(i, costs)| {
            let x = a.row(i);
            for (entry, y) in costs.iter_mut().zip(b.outer_iter()) {
                let distance_sq: f64 = x.iter().zip(&y).map(|(u, v)| (u - v) * (u - v)).sum();
                *entry = if p == 2.0 {
                    distance_sq
                } else {
                    distance_sq.powf(p / 2.0)
                };
            }
        });
    if let Some(at) = cost.iter().position(|c| !c.is_finite()) {
        return Err(MetricError::NonFinite {
            what: "cost |a_i − b_j|^p (row i, column j)",
            row: at / n,
            column: at % n,
            value: cost[at],
        });
    }
    let total = assignment_cost(n, &cost, &optimal_assignment(n, &cost));
    Ok((total / n as f64).powf(1.0 / p))
}

/// Exact W_p between two equal-size samples of the real line: the sorted matching,
/// W_p^p = (1/n) Σ |a_(i) − b_(i)|^p.
pub fn wasserstein_1d(a: &[f64], b: &[f64], p: f64) -> Result<f64> {
    check_order(p)?;
    check_values("a", a)?;
    check_values("b", b)?;
    check_equal_sizes(a.len(), b.len())?;
    let sorted = |values: &[f64]| {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let (a, b) = (sorted(a), sorted(b));
    let total: f64 = a.iter().zip(&b).map(|(x, y)| (x - y).abs().powf(p)).sum();
    Ok((total / a.len() as f64).powf(1.0 / p))
}

/// Exact W_1 between the empirical law of `sample` and the uniform law on [lo, hi] (lo < hi):
/// ∫ |F_n^{-1}(u) − Q(u)| du with Q(u) = lo + u (hi − lo), integrated in closed form on each
/// interval [(i−1)/n, i/n] where the empirical quantile is the i-th order statistic.
pub fn wasserstein_1d_to_uniform(sample: &[f64], lo: f64, hi: f64) -> Result<f64> {
    check_values("sample", sample)?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(MetricError::InvalidParameter {
            name: "hi",
            value: hi,
            rule: "the uniform law needs finite lo < hi",
        });
    }
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let width = hi - lo;
    // ∫ over u ∈ [s, e] of |x − lo − u·width| du, in the quantile's own coordinate v = lo + u·width.
    let piece = |x: f64, s: f64, e: f64| {
        let (vs, ve) = (lo + s * width, lo + e * width);
        let integral_of = |v: f64| 0.5 * (v - x) * (v - x).abs();
        (integral_of(ve) - integral_of(vs)) / width
    };
    Ok(sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| piece(x, i as f64 / n, (i + 1) as f64 / n))
        .sum())
}

/// The null line: W_p between two independent fresh samples of μ of size n each. Below it a
/// Wasserstein distance to μ measures nothing.
pub fn wasserstein_null(measure: &dyn Measure, n: usize, p: f64, rng: &mut dyn Rng) -> Result<f64> {
    if n == 0 {
        return Err(MetricError::TooFew {
            what: "null sample size n",
            needed: 1,
            got: 0,
        });
    }
    let a = measure.sample(n, rng);
    let b = measure.sample(n, rng);
    wasserstein(a.view(), b.view(), p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_points_swap_to_the_cheaper_matching() {
        let a = array![[0.0], [1.0]];
        let b = array![[1.1], [0.1]];
        assert!((wasserstein(a.view(), b.view(), 1.0).unwrap() - 0.1).abs() < 1e-12);
        assert!((wasserstein(a.view(), b.view(), 2.0).unwrap() - 0.1).abs() < 1e-12);
    }

    #[test]
    fn the_uniform_formula_is_exact_for_one_point() {
        // ∫_0^1 |x − u| du = (x² + (1 − x)²)/2.
        let x: f64 = 0.3;
        let expected = (x * x + (1.0 - x) * (1.0 - x)) / 2.0;
        assert!((wasserstein_1d_to_uniform(&[x], 0.0, 1.0).unwrap() - expected).abs() < 1e-15);
        // Scaling the interval scales W_1.
        let scaled = wasserstein_1d_to_uniform(&[2.0 * x], 0.0, 2.0).unwrap();
        assert!((scaled - 2.0 * expected).abs() < 1e-15);
    }

    #[test]
    fn bad_orders_and_sizes_are_refused() {
        let a = array![[0.0], [1.0]];
        assert!(wasserstein(a.view(), a.view(), 0.5).is_err());
        let b = array![[0.0]];
        assert!(matches!(
            wasserstein(a.view(), b.view(), 1.0),
            Err(MetricError::UnequalSizes { a: 2, b: 1, .. })
        ));
        assert!(wasserstein_1d(&[0.0], &[f64::NAN], 1.0).is_err());
        // Finite points whose squared distance overflows.
        let far = array![[1e200], [0.0]];
        assert!(matches!(
            wasserstein(far.view(), a.view(), 2.0),
            Err(MetricError::NonFinite {
                row: 0,
                column: 0,
                ..
            })
        ));
    }
}
