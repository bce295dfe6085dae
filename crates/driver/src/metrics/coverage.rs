//! `coverage = { radii, tube, level, centres }`: coverage ratios of the generated samples over balls of μ, per radius, and the resolution r*(c) with its fresh-sample null.

use crate::field::{FieldError, positive};
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_metrics::{Coverage as CoverageAtRadius, coverage_curve, coverage_resolution};
use ndarray::Array2;
use serde::Deserialize;
use std::sync::Arc;

/// `[metrics.coverage]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    radii: Vec<f64>,
    tube: f64,
    #[serde(default = "half")]
    level: f64,
    #[serde(default = "default_centres")]
    centres: usize,
}

fn half() -> f64 {
    0.5
}

fn default_centres() -> usize {
    1000
}

/// Coverage of balls of μ by the generated samples.
#[derive(Debug)]
pub struct Coverage {
    /// Ball radii r, increasing.
    pub radii: Vec<f64>,
    /// The fidelity tube α: only samples within α of M count.
    pub tube: f64,
    /// The level c of the resolution r*(c) (smallest r whose q05 ratio is ≥ c).
    pub level: f64,
    /// Ball centres, fresh from μ.
    pub centres: usize,
}

/// A statistic of the coverage ratios at one radius.
type Statistic = fn(&CoverageAtRadius) -> f64;

/// The per-radius metrics and the statistic of a radius's coverage each reports.
const PER_RADIUS: [(&str, Statistic); 4] = [
    ("coverage_q05", |c| c.summary.q05),
    ("coverage_median", |c| c.summary.median),
    ("coverage_max", |c| c.summary.max),
    ("covered_fraction", |c| c.covered_fraction),
];

/// `[metrics] coverage = { radii = [...], tube = α }`.
pub const KIND: MetricKind = MetricKind {
    key: "coverage",
    parse: |value| {
        let spec: Spec = value.clone().try_into().map_err(FieldError::malformed)?;
        if spec.radii.is_empty() {
            return Err(FieldError::new("radii", "give at least one radius"));
        }
        for (i, &r) in spec.radii.iter().enumerate() {
            positive(&format!("radii[{i}]"), r)?;
        }
        if let Some(i) = spec.radii.windows(2).position(|w| w[1] <= w[0]) {
            return Err(FieldError::new(
                format!("radii[{}]", i + 1),
                "the radii must increase strictly",
            ));
        }
        if !(spec.tube.is_finite() && spec.tube >= 0.0) {
            return Err(FieldError::new(
                "tube",
                format!("must be ≥ 0 (got {})", spec.tube),
            ));
        }
        positive("level", spec.level)?;
        if spec.centres == 0 {
            return Err(FieldError::new("centres", "must be ≥ 1 (got 0)"));
        }
        Ok(Some(Arc::new(Coverage {
            radii: spec.radii,
            tube: spec.tube,
            level: spec.level,
            centres: spec.centres,
        })))
    },
};

impl Metric for Coverage {
    fn infos(&self) -> Vec<MetricInfo> {
        let mut infos = vec![
            MetricInfo::new("coverage_resolution", Shape::Rate)
                .with_null("coverage_resolution_null", true),
            MetricInfo::new("coverage_resolution_null", Shape::Rate),
        ];
        for (name, _) in PER_RADIUS {
            infos.push(MetricInfo::new(name, Shape::Fraction).scaled());
        }
        infos
    }

    fn measure(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>> {
        let centres = cell.measure.sample(self.centres, rng);
        let curve_of = |samples: &Array2<f64>| {
            coverage_curve(
                cell.measure,
                samples.view(),
                centres.view(),
                &self.radii,
                self.tube,
            )
        };
        let curve = curve_of(cell.generated)?;
        let null_curve = curve_of(cell.fresh)?;
        let mut out = Vec::new();
        for (metric, curve) in [
            ("coverage_resolution", &curve),
            ("coverage_resolution_null", &null_curve),
        ] {
            out.push(Measurement {
                metric: metric.into(),
                scale: None,
                value: coverage_resolution(curve, self.level),
            });
        }
        for (name, statistic) in PER_RADIUS {
            for point in &curve {
                out.push(Measurement {
                    metric: name.into(),
                    scale: Some(point.radius),
                    value: Some(statistic(point)),
                });
            }
        }
        Ok(out)
    }
}
