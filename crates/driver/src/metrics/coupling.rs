//! `coupling = true`: the coupling distance d_N = mean |X̂_N − X̂*| of each sample to its population twin's, run from the same start with the same noise (claim c, SCIENCE.md §9).
//!
//! d_N bounds W1(ν̂_N, ν*) from above with no reference floor: ν* is the law the coarse score
//! tends to as N grows (projection → the oracle; hybrid → the population score above t1 and the
//! oracle below; smoothed(h) → the population score of μ * N(0, h²I)). Scores without a twin
//! (the memorizer, fresh samples) get empty values.

use crate::field::switch;
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_metrics::coupling_distances;
use std::sync::Arc;

/// The CSV metrics, in order.
const NAMES: [&str; 2] = ["coupling_mean", "coupling_q95"];

/// The coupling distance to the population twin.
#[derive(Debug)]
pub struct Coupling;

/// `[metrics] coupling = true`.
pub const KIND: MetricKind = MetricKind {
    key: "coupling",
    parse: |value| Ok(switch(value)?.then(|| Arc::new(Coupling) as Arc<dyn Metric>)),
};

impl Metric for Coupling {
    fn infos(&self) -> Vec<MetricInfo> {
        NAMES
            .iter()
            .map(|name| MetricInfo::new(name, Shape::Rate))
            .collect()
    }

    fn needs_twin(&self) -> bool {
        true
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let values = match cell.twin {
            Some(twin) => {
                let (_, summary) = coupling_distances(cell.generated.view(), twin.view())?;
                [Some(summary.mean), Some(summary.q95)]
            }
            None => [None, None],
        };
        Ok(NAMES
            .iter()
            .zip(values)
            .map(|(name, value)| Measurement {
                metric: name.to_string(),
                scale: None,
                value,
            })
            .collect())
    }
}
