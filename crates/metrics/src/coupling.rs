//! The coupling distance of two coupled sample sets: |X̂_i − X̂*_i| row by row, whose mean bounds W1 of their laws from above with no sampling floor (SCIENCE.md §9).
//!
//! When row i of both sets comes from the same start and the same noise (a coupling of the two
//! laws), W1(ν̂, ν*) ≤ E|X̂ − X̂*| ≈ the mean of the row distances, and W_p ≤ (E|X̂ − X̂*|^p)^{1/p}.
//! The estimate's own error is that of a mean of n values, σ/√n, whatever the dimension.

use crate::error::{MetricError, Result, check_points};
use crate::summary::Summary;
use mangen_geometry::euclidean;
use ndarray::ArrayView2;

/// The distances |a_i − b_i| of the coupled rows of `a` and `b` (same shape), and their summary.
pub fn coupling_distances(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<(Vec<f64>, Summary)> {
    check_points("a", a, None)?;
    check_points("b", b, Some(a.ncols()))?;
    if a.nrows() != b.nrows() {
        return Err(MetricError::UnequalSizes {
            a_name: "a",
            a: a.nrows(),
            b_name: "b",
            b: b.nrows(),
        });
    }
    let distances: Vec<f64> = a
        .outer_iter()
        .zip(b.outer_iter())
        .map(|(x, y)| euclidean(x, y))
        .collect();
    let summary = Summary::of(&distances)?;
    Ok((distances, summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn row_i_is_paired_with_row_i_only() {
        let a = array![[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]];
        let b = array![[3.0, 4.0], [1.0, 0.0], [0.0, 0.0]];
        let (distances, summary) = coupling_distances(a.view(), b.view()).unwrap();
        assert_eq!(distances, [5.0, 0.0, 2.0]);
        assert!((summary.mean - 7.0 / 3.0).abs() < 1e-15 && summary.max == 5.0);
        let (same, _) = coupling_distances(a.view(), a.view()).unwrap();
        assert!(same.iter().all(|&d| d == 0.0));
    }

    #[test]
    fn unequal_sets_are_refused() {
        let a = array![[0.0, 0.0], [1.0, 0.0]];
        let err = coupling_distances(a.view(), array![[0.0, 0.0]].view()).unwrap_err();
        assert!(err.to_string().contains("must be equal"), "{err}");
        let err = coupling_distances(a.view(), array![[0.0], [1.0]].view()).unwrap_err();
        assert!(err.to_string().contains("dimension"), "{err}");
    }
}
