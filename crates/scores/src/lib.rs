//! mangen-scores: the scores of SCIENCE.md §3–§4 and the exact neighbour search they stand on.

mod error;
pub mod neighbours;
mod schedule;

pub use error::{Result, ScoreError, check_time, check_training_set};
pub use neighbours::{BruteForce, Neighbour, NeighbourIndex, SearchPath, SpanTree};
pub use schedule::Schedule;
