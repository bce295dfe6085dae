//! `geometry = { probes, tube }`: the error |π̂_N(x) − π(x)| of a score's projection estimate over probes in a tube around M (projection and hybrid scores).

use crate::field::FieldError;
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_metrics::{geometry_error, tube_probes};
use serde::Deserialize;
use std::sync::Arc;

/// `[metrics.geometry]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    #[serde(default = "default_probes")]
    probes: usize,
    tube: f64,
}

fn default_probes() -> usize {
    500
}

/// The geometry error of π̂_N.
#[derive(Debug)]
pub struct Geometry {
    /// Probe points in the tube.
    pub probes: usize,
    /// The tube radius of the probes.
    pub tube: f64,
}

/// `[metrics] geometry = { tube = 0.05 }`.
pub const KIND: MetricKind = MetricKind {
    key: "geometry",
    parse: |value| {
        let spec: Spec = value.clone().try_into().map_err(FieldError::malformed)?;
        if spec.probes == 0 {
            return Err(FieldError::new("probes", "must be ≥ 1 (got 0)"));
        }
        if !(spec.tube.is_finite() && spec.tube >= 0.0) {
            return Err(FieldError::new(
                "tube",
                format!("must be ≥ 0 (got {})", spec.tube),
            ));
        }
        Ok(Some(Arc::new(Geometry {
            probes: spec.probes,
            tube: spec.tube,
        })))
    },
};

impl Metric for Geometry {
    fn infos(&self) -> Vec<MetricInfo> {
        ["geometry_error_mean", "geometry_error_max"]
            .iter()
            .map(|name| MetricInfo::new(name, Shape::Rate))
            .collect()
    }

    fn needs_samples(&self) -> bool {
        false
    }

    fn measure(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>> {
        let Some(projection) = cell.projection else {
            return Ok(Vec::new());
        };
        let manifold = cell.measure.manifold();
        let probes = tube_probes(manifold, self.probes, self.tube, rng)?;
        let errors = geometry_error(manifold, probes.view(), |x| projection.project(x))?;
        Ok(vec![
            Measurement::of("geometry_error_mean", errors.summary.mean),
            Measurement::of("geometry_error_max", errors.summary.max),
        ])
    }
}
