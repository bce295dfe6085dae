//! `generalizing = { tube = α }`: the share of generated samples that are on M (within α of it) and not copies of a training point, with the fresh-sample null ≈ 1 − 3^{-k}.

use crate::field::{FieldError, positive};
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_metrics::{fidelity, generalizing_fraction, nearest_two};
use ndarray::Array2;
use serde::Deserialize;
use std::sync::Arc;

/// `[metrics.generalizing]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    /// The tube radius α: a sample farther than α from M is not on it.
    tube: f64,
}

/// P(d(x̂, M) ≤ α and d1/d2 ≥ 1/3) of the generated samples, and of fresh samples of μ.
#[derive(Debug)]
pub struct Generalizing {
    /// The tube radius α.
    pub tube: f64,
}

/// `[metrics] generalizing = { tube = 0.05 }`.
pub const KIND: MetricKind = MetricKind {
    key: "generalizing",
    parse: |value| {
        let spec: Spec = value.clone().try_into().map_err(FieldError::malformed)?;
        positive("tube", spec.tube)?;
        Ok(Some(Arc::new(Generalizing { tube: spec.tube })))
    },
};

impl Generalizing {
    fn fraction(&self, cell: &CellData, points: &Array2<f64>) -> Result<f64> {
        let nearest = nearest_two(cell.index, points.view())?;
        let to_m = fidelity(cell.measure.manifold(), points.view())?.distances;
        Ok(generalizing_fraction(&to_m, &nearest, self.tube)?)
    }
}

impl Metric for Generalizing {
    fn infos(&self) -> Vec<MetricInfo> {
        vec![
            MetricInfo::new("generalizing_fraction", Shape::Fraction)
                .with_null("generalizing_fraction_null", false),
            MetricInfo::new("generalizing_fraction_null", Shape::Fraction),
        ]
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        Ok(vec![
            Measurement::of(
                "generalizing_fraction",
                self.fraction(cell, cell.generated)?,
            ),
            Measurement::of(
                "generalizing_fraction_null",
                self.fraction(cell, cell.fresh)?,
            ),
        ])
    }
}
