//! mangen-scores: the scores of SCIENCE.md §3–§4 and the exact neighbour search they stand on.
//!
//! Every score is a [`Denoiser`] D(x, t) ≈ E[X_0 | X_t = x] under a [`Schedule`]; the schedule turns
//! it into a [`Score`] by Tweedie's formula. Built in: the memorizer [`EmpiricalScore`] (dense or
//! with certified truncation, optionally smoothed), the coarse [`ProjectionScore`], the
//! [`OracleProjection`], [`Hybrid`] switches, the [`PopulationScore`] and the [`GaussianScore`].

mod empirical;
mod error;
mod gauss_tree;
mod gaussian;
pub mod neighbours;
mod oracle;
mod population;
mod projection;
mod schedule;
mod score;
mod vector_exp;

pub use empirical::{EmpiricalScore, Truncation};
pub use error::{Result, ScoreError, check_time, check_training_set};
pub use gaussian::GaussianScore;
pub use neighbours::{BruteForce, KdTree, Neighbour, NeighbourIndex, SearchPath};
pub use oracle::{Hybrid, OracleProjection};
pub use population::PopulationScore;
pub use projection::{
    DimensionEstimate, IntrinsicDim, MAX_DEGREE, ProjectionScore, coefficient_count,
    default_neighbours, estimate_dimension,
};
pub use schedule::Schedule;
pub use score::{Denoiser, Estimate, Score, ScoreModel, check_query, map_rows};
