//! The built-in metrics, one file each; [`KINDS`] lists them in the order their rows appear.

pub mod coverage;
pub mod fidelity;
pub mod generalizing;
pub mod geometry;
pub mod novelty;
pub mod wasserstein;

use crate::metric::MetricKind;

/// The built-in metric kinds, in CSV order.
pub const KINDS: [MetricKind; 6] = [
    fidelity::KIND,
    novelty::KIND,
    generalizing::KIND,
    wasserstein::KIND,
    coverage::KIND,
    geometry::KIND,
];
