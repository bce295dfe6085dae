//! The error type of mangen-measures.

use mangen_geometry::GeometryError;

/// What went wrong when building or using a measure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    /// The manifold refused a point or a computation.
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// A density parameter breaks a rule.
    #[error("invalid parameter `{name}` = {value}: {rule}")]
    InvalidParameter {
        /// The parameter's name as in the constructor and the configs.
        name: &'static str,
        /// The value that was given.
        value: f64,
        /// The rule it breaks.
        rule: &'static str,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, MeasureError>;
