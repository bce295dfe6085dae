//! The built-in metrics, one file each; [`KINDS`] lists them in the order their rows appear.

pub mod coverage;
pub mod fidelity;
pub mod geometry;
pub mod novelty;
pub mod wasserstein;

use crate::metric::MetricKind;

/// The built-in metric kinds, in CSV order.
pub const KINDS: [MetricKind; 5] = [
    fidelity::KIND,
    novelty::KIND,
    wasserstein::KIND,
    coverage::KIND,
    geometry::KIND,
];
