//! The error type of mangen-metrics and the checks of point sets every metric runs first.

use mangen_geometry::GeometryError;
use mangen_measures::MeasureError;
use mangen_scores::ScoreError;
use ndarray::ArrayView2;

/// What went wrong when computing a metric.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    /// A set that must hold points or values is empty.
    #[error("`{what}` is empty")]
    Empty {
        /// Which input.
        what: &'static str,
    },
    /// A point or value is NaN or infinite.
    #[error("`{what}` row {row}, column {column} is not finite ({value})")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Row of the offending value.
        row: usize,
        /// Column of the offending value (0 for a list of values).
        column: usize,
        /// The value.
        value: f64,
    },
    /// A point set has the wrong number of columns.
    #[error("`{what}` has dimension {got}, expected {expected}")]
    DimensionMismatch {
        /// Which input.
        what: &'static str,
        /// The dimension required.
        expected: usize,
        /// The dimension given.
        got: usize,
    },
    /// Two sets that must have equal sizes do not.
    #[error("`{a_name}` holds {a} points and `{b_name}` {b}: they must be equal")]
    UnequalSizes {
        /// Name of the first set.
        a_name: &'static str,
        /// Its size.
        a: usize,
        /// Name of the second set.
        b_name: &'static str,
        /// Its size.
        b: usize,
    },
    /// An input holds fewer items than the metric needs.
    #[error("`{what}` needs at least {needed}, got {got}")]
    TooFew {
        /// What is counted.
        what: &'static str,
        /// The least that works.
        needed: usize,
        /// What was given.
        got: usize,
    },
    /// A value that is taken a logarithm of is not positive.
    #[error("`{what}` at index {index} is {value}: a log–log fit needs positive values")]
    NonPositive {
        /// Which input.
        what: &'static str,
        /// Index of the value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A parameter breaks a rule.
    #[error("invalid parameter `{name}` = {value}: {rule}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The manifold refused a point or computation.
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// The measure refused a computation.
    #[error(transparent)]
    Measure(#[from] MeasureError),
    /// The neighbour index or an estimated projection failed.
    #[error(transparent)]
    Score(#[from] ScoreError),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, MetricError>;

/// Checks that `points` is non-empty, finite and, when `dim` is given, of that dimension.
pub fn check_points(what: &'static str, points: ArrayView2<f64>, dim: Option<usize>) -> Result<()> {
    if points.nrows() == 0 {
        return Err(MetricError::Empty { what });
    }
    if let Some(expected) = dim
        && points.ncols() != expected
    {
        return Err(MetricError::DimensionMismatch {
            what,
            expected,
            got: points.ncols(),
        });
    }
    for (row, point) in points.outer_iter().enumerate() {
        if let Some((column, &value)) = point.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(MetricError::NonFinite {
                what,
                row,
                column,
                value,
            });
        }
    }
    Ok(())
}

/// Checks that `values` is non-empty and finite.
pub fn check_values(what: &'static str, values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Err(MetricError::Empty { what });
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(MetricError::NonFinite {
            what,
            row,
            column: 0,
            value: values[row],
        }),
        None => Ok(()),
    }
}
