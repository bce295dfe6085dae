//! mangen-measures: probability laws μ on a manifold M — the data distribution of every experiment.
//!
//! [`DensityMeasure`] covers the densities of SCIENCE.md §1 on any [`mangen_geometry::Manifold`]:
//! uniform, a smooth tilt exp(κu), a Lipschitz kink 1 + a|u| and a two-level step, all functions of
//! one linear feature u = ⟨v, x − o⟩. Implement [`Measure`] for a law of your own; the provided
//! [`Measure::ball_mass`] integrates its density with the manifold's ball quadrature. On a closed
//! curve, [`ArclengthCdf`] reads any measure along arclength for exact one-dimensional transport;
//! on the line, a [`LineLaw`] such as the [`GaussianMixture`] of Li et al.'s experiments does.

mod arclength;
mod density;
mod error;
mod measure;
mod mixture;

pub use arclength::ArclengthCdf;
pub use density::{DensityMeasure, LinearFeature, Normalization, Profile};
pub use error::{MeasureError, Result};
pub use measure::{
    BALL_RULE_NODES, Measure, ball_mass_by_quadrature, check_ambient_point, check_radius,
};
pub use mixture::{GaussianMixture, LineLaw, normal_cdf, normal_density};
