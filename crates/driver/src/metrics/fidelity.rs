//! `fidelity = true`: the distance d(x̂, M) of the generated samples to the manifold (mean, median, q95, max).

use crate::field::switch;
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_metrics::fidelity;
use std::sync::Arc;

/// The CSV metrics, in order.
const NAMES: [&str; 4] = [
    "fidelity_mean",
    "fidelity_median",
    "fidelity_q95",
    "fidelity_max",
];

/// The fidelity of generated samples to M.
#[derive(Debug)]
pub struct Fidelity;

/// `[metrics] fidelity = true`.
pub const KIND: MetricKind = MetricKind {
    key: "fidelity",
    parse: |value| Ok(switch(value)?.then(|| Arc::new(Fidelity) as Arc<dyn Metric>)),
};

impl Metric for Fidelity {
    fn infos(&self) -> Vec<MetricInfo> {
        NAMES
            .iter()
            .map(|name| MetricInfo::new(name, Shape::Rate))
            .collect()
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let s = fidelity(cell.measure.manifold(), cell.generated.view())?.summary;
        Ok(NAMES
            .iter()
            .zip([s.mean, s.median, s.q95, s.max])
            .map(|(name, value)| Measurement::of(name, value))
            .collect())
    }
}
