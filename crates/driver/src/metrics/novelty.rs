//! `novelty = true`: the memorized fraction, the nearest-training-point distance d1 and the novelty index, with the fresh-sample nulls.

use crate::field::switch;
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_metrics::novelty;
use std::sync::Arc;

/// Whether generated samples copy their training points.
#[derive(Debug)]
pub struct Novelty;

/// `[metrics] novelty = true`.
pub const KIND: MetricKind = MetricKind {
    key: "novelty",
    parse: |value| Ok(switch(value)?.then(|| Arc::new(Novelty) as Arc<dyn Metric>)),
};

impl Metric for Novelty {
    fn infos(&self) -> Vec<MetricInfo> {
        vec![
            MetricInfo::new("memorized_fraction", Shape::Fraction)
                .with_null("memorized_fraction_null", false),
            MetricInfo::new("memorized_fraction_null", Shape::Fraction),
            MetricInfo::new("novelty_index", Shape::Fraction),
            MetricInfo::new("d1_median", Shape::Rate).with_null("d1_median_null", false),
            MetricInfo::new("d1_median_null", Shape::Rate),
        ]
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let result = novelty(cell.index, cell.generated.view(), cell.fresh.view())?;
        Ok(vec![
            Measurement::of("memorized_fraction", result.generated.memorized_fraction),
            Measurement::of("memorized_fraction_null", result.null.memorized_fraction),
            Measurement::of("novelty_index", result.index),
            Measurement::of("d1_median", result.generated.d1.median),
            Measurement::of("d1_median_null", result.null.d1.median),
        ])
    }
}
