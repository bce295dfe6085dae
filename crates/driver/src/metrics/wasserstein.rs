//! `wasserstein = { p = 1 }`: exact W_p of the generated samples to a fresh sample of μ, with the fresh-against-fresh null.

use crate::field::FieldError;
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_metrics::wasserstein;
use serde::Deserialize;
use std::sync::Arc;

/// `[metrics.wasserstein]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    /// The order p ≥ 1.
    #[serde(default = "one")]
    p: f64,
}

fn one() -> f64 {
    1.0
}

/// Exact W_p between equal-size samples, by optimal assignment.
#[derive(Debug)]
pub struct Wasserstein {
    /// The order p ≥ 1.
    pub p: f64,
}

/// The name of the Wasserstein metric of order p: `w1`, `w2`, `w1.5`.
pub fn wasserstein_name(p: f64) -> String {
    format!("w{p}")
}

/// `[metrics] wasserstein = { p = 1 }`.
pub const KIND: MetricKind = MetricKind {
    key: "wasserstein",
    parse: |value| {
        let spec: Spec = value.clone().try_into().map_err(FieldError::malformed)?;
        if !(spec.p.is_finite() && spec.p >= 1.0) {
            return Err(FieldError::new(
                "p",
                format!("must be ≥ 1 (got {})", spec.p),
            ));
        }
        Ok(Some(Arc::new(Wasserstein { p: spec.p })))
    },
};

impl Metric for Wasserstein {
    fn infos(&self) -> Vec<MetricInfo> {
        let name = wasserstein_name(self.p);
        let null = format!("{name}_null");
        vec![
            MetricInfo::new(&name, Shape::Rate).with_null(&null, true),
            MetricInfo::new(&null, Shape::Rate),
        ]
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let value = wasserstein(cell.generated.view(), cell.fresh.view(), self.p)?;
        Ok(vec![Measurement::of(&wasserstein_name(self.p), value)])
    }

    fn measure_shared(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let null = wasserstein(cell.fresh_again.view(), cell.fresh.view(), self.p)?;
        let name = format!("{}_null", wasserstein_name(self.p));
        Ok(vec![Measurement::of(&name, null)])
    }
}
