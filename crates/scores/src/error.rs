//! The error type of mangen-scores.

use mangen_geometry::GeometryError;

/// What went wrong when building or evaluating a score or a neighbour index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    /// A query point was malformed (wrong length, NaN or infinite coordinates).
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// A density could not be evaluated.
    #[error(transparent)]
    Measure(#[from] mangen_measures::MeasureError),
    /// A training set must hold at least one point.
    #[error("the training set is empty (N = 0)")]
    EmptyTrainingSet,
    /// A training point has a NaN or infinite coordinate.
    #[error("training point {row} has a non-finite coordinate {column} ({value})")]
    NonFiniteTrainingPoint {
        /// Row of the training set.
        row: usize,
        /// Column of the coordinate.
        column: usize,
        /// Its value.
        value: f64,
    },
    /// A diffusion time must be finite and > 0.
    #[error("invalid diffusion time t = {0}: it must be finite and > 0")]
    InvalidTime(f64),
    /// A parameter breaks a rule.
    #[error("invalid parameter `{name}` = {value}: {rule}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// The value that was given.
        value: f64,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A local polynomial fit needs more neighbours than it has.
    #[error(
        "a projection score of degree {degree} in k = {intrinsic_dim} dimensions needs at least {needed} neighbours (C(k+m, m) + 1), but only {available} are available"
    )]
    TooFewNeighbours {
        /// Polynomial degree m.
        degree: usize,
        /// Intrinsic dimension k.
        intrinsic_dim: usize,
        /// C(k+m, m) + 1.
        needed: usize,
        /// min(K, N).
        available: usize,
    },
    /// A LAPACK routine failed.
    #[error("linear algebra failed: {0}")]
    Linalg(String),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, ScoreError>;

/// Checks that t is finite and > 0.
pub fn check_time(t: f64) -> Result<()> {
    if t.is_finite() && t > 0.0 {
        Ok(())
    } else {
        Err(ScoreError::InvalidTime(t))
    }
}

/// Checks a training set: at least one row, every coordinate finite.
pub fn check_training_set(points: ndarray::ArrayView2<f64>) -> Result<()> {
    if points.nrows() == 0 {
        return Err(ScoreError::EmptyTrainingSet);
    }
    for ((row, column), &value) in points.indexed_iter() {
        if !value.is_finite() {
            return Err(ScoreError::NonFiniteTrainingPoint { row, column, value });
        }
    }
    Ok(())
}
