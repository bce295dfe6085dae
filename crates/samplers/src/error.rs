//! The error type of mangen-samplers.

use mangen_scores::ScoreError;

/// What went wrong when configuring or running a sampler.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SamplerError {
    /// A configuration value breaks a rule.
    #[error("invalid sampler parameter `{name}` = {value}: {rule}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// The value that was given.
        value: f64,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The score failed while sampling.
    #[error("sample {sample}, step {step} (t = {time}): the score failed: {source}")]
    Score {
        /// Index of the sample.
        sample: usize,
        /// Index of the step (0 is the first step from T).
        step: usize,
        /// The time at which the score was evaluated.
        time: f64,
        /// The score's error.
        source: ScoreError,
    },
    /// A sample left the finite numbers (a score returned NaN or infinity).
    #[error(
        "sample {sample}, step {step} (t = {time}): the state became non-finite (the score returned NaN or infinity)"
    )]
    NonFinite {
        /// Index of the sample.
        sample: usize,
        /// Index of the step.
        step: usize,
        /// The time the step started from.
        time: f64,
    },
    /// The start distribution does not match the score's dimension.
    #[error("the start distribution has dimension {start} but the score takes {score}")]
    DimensionMismatch {
        /// Dimension of the start distribution.
        start: usize,
        /// Dimension of the score.
        score: usize,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SamplerError>;

/// An `InvalidParameter` error.
pub(crate) fn invalid(name: &'static str, value: f64, rule: &'static str) -> SamplerError {
    SamplerError::InvalidParameter { name, value, rule }
}
