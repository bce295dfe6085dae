//! The built-in metrics, one file each; [`KINDS`] lists them in the order their rows appear.

pub mod coupling;
pub mod coverage;
pub mod fidelity;
pub mod generalizing;
pub mod geometry;
pub mod kl_to_mu;
pub mod novelty;
pub mod semi_discrete_to_mu;
pub mod w1_to_mu;
pub mod wasserstein;

use crate::metric::MetricKind;

/// The built-in metric kinds, in CSV order.
pub const KINDS: [MetricKind; 10] = [
    fidelity::KIND,
    novelty::KIND,
    generalizing::KIND,
    wasserstein::KIND,
    w1_to_mu::KIND,
    kl_to_mu::KIND,
    semi_discrete_to_mu::KIND,
    coupling::KIND,
    coverage::KIND,
    geometry::KIND,
];
