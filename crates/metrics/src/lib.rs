//! mangen-metrics: what turns generated samples into evidence (SCIENCE.md §6).
//!
//! Plain functions over point sets (`ndarray::Array2<f64>`, one row per point) with typed
//! results: fidelity to M, novelty against the training set with its null from fresh samples,
//! coverage of μ at scale r, exact Wasserstein distances by optimal assignment (and to μ itself
//! on closed curves, by the circle formula; on the line, through the law's distribution
//! function; on any M, by semi-discrete transport against streamed
//! draws of μ), the error of an
//! estimated projection, and log–log slope fits with bootstrap confidence intervals.

pub mod assignment;
pub mod closed_curve;
pub mod coupling;
pub mod coverage;
pub mod error;
pub mod fidelity;
pub mod flattening;
pub mod geometry_error;
pub mod line;
pub mod novelty;
mod radix_heap;
pub mod semi_discrete;
pub mod slopes;
pub mod summary;
pub mod wasserstein;

pub use assignment::optimal_assignment;
pub use closed_curve::{arclength_positions, w1_between_on_closed_curve, w1_on_closed_curve};
pub use coupling::coupling_distances;
pub use coverage::{
    Coverage, comparability_radius, coverage, coverage_curve, coverage_curves, coverage_resolution,
};
pub use error::{MetricError, Result};
pub use fidelity::{Fidelity, fidelity};
pub use flattening::flattening_start;
pub use geometry_error::{ProjectionError, geometry_error, tube_probes};
pub use line::w1_to_line_law;
pub use novelty::{
    MEMORIZED_RATIO, NearestTwo, Novelty, NoveltyStats, generalizing_fraction, nearest_two, novelty,
};
pub use semi_discrete::{
    GroundDistance, SemiDiscreteOptions, SemiDiscreteTransport, semi_discrete_transport,
};
pub use slopes::{CiMethod, FitOptions, Observation, SlopeFit, fit_slope, sliding_slopes};
pub use summary::{Summary, median, quantile_sorted};
pub use wasserstein::{wasserstein, wasserstein_1d, wasserstein_1d_to_uniform, wasserstein_null};
