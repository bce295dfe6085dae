//! Order statistics of a list of values: mean, quantiles, extremes.

use crate::error::{Result, check_values};

/// The summary of a list of per-point values (distances, ratios) that the reports carry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// 5 % quantile.
    pub q05: f64,
    /// Median.
    pub median: f64,
    /// 95 % quantile.
    pub q95: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Summarizes `values` (non-empty, finite).
    pub fn of(values: &[f64]) -> Result<Self> {
        check_values("values", values)?;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Ok(Self {
            count: sorted.len(),
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            min: sorted[0],
            q05: quantile_sorted(&sorted, 0.05),
            median: quantile_sorted(&sorted, 0.5),
            q95: quantile_sorted(&sorted, 0.95),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// The q-quantile of ascending, non-empty `sorted` by linear interpolation between order
/// statistics (Hyndman–Fan type 7, the default of R and NumPy): position q·(n − 1). Between an
/// infinite and a finite order statistic the quantile is the infinite one (the limit of the
/// interpolation), so bootstrap t* values of ±∞ give infinite quantiles, never NaN.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    debug_assert!(!sorted.is_empty() && (0.0..=1.0).contains(&q));
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - below as f64;
    let (low, high) = (sorted[below], sorted[above]);
    if fraction == 0.0 || low == high || low.is_infinite() {
        low
    } else if high.is_infinite() {
        high
    } else {
        low + fraction * (high - low)
    }
}

/// The median of non-empty, finite `values`.
pub fn median(values: &[f64]) -> Result<f64> {
    Ok(Summary::of(values)?.median)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_type_7() {
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0, 5.0]).unwrap();
        assert_eq!((s.min, s.median, s.max, s.mean), (1.0, 3.0, 5.0, 3.0));
        // numpy.quantile([1,2,3,4,5], 0.05) = 1.2, 0.95 → 4.8
        assert!((s.q05 - 1.2).abs() < 1e-12 && (s.q95 - 4.8).abs() < 1e-12);
        assert_eq!(median(&[2.0, 1.0]).unwrap(), 1.5);
    }

    #[test]
    fn infinite_order_statistics_give_infinite_quantiles() {
        let sorted = [f64::NEG_INFINITY, -1.0, 0.0, 1.0, f64::INFINITY];
        assert_eq!(quantile_sorted(&sorted, 0.1), f64::NEG_INFINITY);
        assert_eq!(quantile_sorted(&sorted, 0.0), f64::NEG_INFINITY);
        assert_eq!(quantile_sorted(&sorted, 0.9), f64::INFINITY);
        assert_eq!(quantile_sorted(&sorted, 0.5), 0.0);
        assert_eq!(quantile_sorted(&sorted, 0.625), 0.5);
        let upper = [0.0, f64::INFINITY, f64::INFINITY];
        assert_eq!(quantile_sorted(&upper, 0.75), f64::INFINITY);
    }

    #[test]
    fn empty_and_nan_are_refused() {
        assert!(Summary::of(&[]).is_err());
        assert!(Summary::of(&[1.0, f64::NAN]).is_err());
    }
}
