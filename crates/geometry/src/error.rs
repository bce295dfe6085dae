//! The error type of mangen-geometry: every bad input becomes one of these variants, never a panic.

/// What went wrong in a geometric computation or constructor.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    /// A point has the wrong number of coordinates.
    #[error("dimension mismatch: expected a point with {expected} coordinates, got {got}")]
    DimensionMismatch {
        /// The ambient dimension D the manifold lives in.
        expected: usize,
        /// The length of the point that was passed.
        got: usize,
    },
    /// A coordinate is NaN or infinite.
    #[error("coordinate {index} of the point is not finite ({value})")]
    NonFinite {
        /// Index of the first offending coordinate.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A constructor parameter breaks a rule.
    #[error("invalid parameter `{name}` = {value}: {rule}")]
    InvalidParameter {
        /// The parameter's name as in the constructor and the configs.
        name: &'static str,
        /// The value that was given.
        value: f64,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The ambient dimension is too small for the manifold's natural span.
    #[error(
        "ambient dimension D = {ambient} is smaller than the {needed} coordinates {manifold} needs"
    )]
    AmbientTooSmall {
        /// The requested D.
        ambient: usize,
        /// The dimension of the manifold's natural linear span.
        needed: usize,
        /// Which manifold.
        manifold: String,
    },
    /// The manifold does not provide this computation.
    #[error("{what} is not available for {manifold}")]
    Unsupported {
        /// The missing computation.
        what: &'static str,
        /// Which manifold.
        manifold: String,
    },
    /// A LAPACK routine failed.
    #[error("linear algebra failed: {0}")]
    Linalg(String),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, GeometryError>;

/// Checks that `x` has `expected` coordinates, all finite.
pub fn check_point(x: ndarray::ArrayView1<f64>, expected: usize) -> Result<()> {
    if x.len() != expected {
        return Err(GeometryError::DimensionMismatch {
            expected,
            got: x.len(),
        });
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(GeometryError::NonFinite {
            index,
            value: x[index],
        }),
        None => Ok(()),
    }
}

/// Checks `value > 0` and finite, naming the parameter otherwise.
pub fn check_positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(GeometryError::InvalidParameter {
            name,
            value,
            rule: "must be finite and > 0",
        })
    }
}
