//! `coverage = { radii, tube, level, centres, comparability }`: coverage ratios of the generated samples over balls of μ, per radius, the resolution r*(c) and the comparability radii r_c(C), each with its fresh-sample null.

use crate::field::{FieldError, positive};
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_measures::Measure;
use mangen_metrics::{
    Coverage as CoverageAtRadius, comparability_radius, coverage_curves, coverage_resolution,
};
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
    #[serde(default)]
    comparability: Vec<f64>,
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
    /// The factors C ≥ 1 of the comparability radii r_c(C): the smallest radius whose whole
    /// band of ratios lies within [1/C, C].
    pub comparability: Vec<f64>,
}

/// The row of r_c(C): `comparability_radius_c<C>` (`c2` for C = 2).
pub fn comparability_metric(c: f64) -> String {
    format!("comparability_radius_c{c}")
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
    parse: |value| Ok(Some(Arc::new(Coverage::from_entry(value)?))),
};

impl Coverage {
    /// Checks a `[metrics]` coverage entry into the metric.
    pub fn from_entry(value: &toml::Value) -> Result<Self, FieldError> {
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
        for (i, &c) in spec.comparability.iter().enumerate() {
            if !(c.is_finite() && c >= 1.0) {
                return Err(FieldError::new(
                    format!("comparability[{i}]"),
                    format!("a factor C must be ≥ 1 (got {c})"),
                ));
            }
        }
        if let Some(i) = spec.comparability.windows(2).position(|w| w[1] <= w[0]) {
            return Err(FieldError::new(
                format!("comparability[{}]", i + 1),
                "the factors must increase strictly (each names its own rows)",
            ));
        }
        Ok(Self {
            radii: spec.radii,
            tube: spec.tube,
            level: spec.level,
            centres: spec.centres,
            comparability: spec.comparability,
        })
    }

    /// The ball centres of a cell: fresh draws of μ from the metric's own stream (what
    /// `mangen data --what centres` writes).
    pub fn draw_centres(&self, measure: &dyn Measure, rng: &mut StreamRng) -> Array2<f64> {
        measure.sample(self.centres, rng)
    }
}

impl Metric for Coverage {
    fn infos(&self) -> Vec<MetricInfo> {
        // Resolutions and comparability radii are radii of the grid.
        let ratio = self
            .radii
            .windows(2)
            .map(|w| w[1] / w[0])
            .fold(1.0, f64::max);
        let radius = |name: &str| MetricInfo::new(name, Shape::Rate).on_grid(ratio);
        let mut infos = vec![
            radius("coverage_resolution").with_null("coverage_resolution_null", true),
            radius("coverage_resolution_null"),
        ];
        for &c in &self.comparability {
            let name = comparability_metric(c);
            let null = format!("{name}_null");
            infos.push(radius(&name).with_null(&null, true));
            infos.push(radius(&null));
        }
        for (name, _) in PER_RADIUS {
            infos.push(MetricInfo::new(name, Shape::Fraction).scaled());
        }
        infos
    }

    fn measure(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>> {
        let centres = self.draw_centres(cell.measure, rng);
        let mut curves = coverage_curves(
            cell.measure,
            &[cell.generated.view(), cell.fresh.view()],
            centres.view(),
            &self.radii,
            self.tube,
        )?;
        let null_curve = curves.pop().expect("the fresh samples' curve");
        let curve = curves.pop().expect("the generated samples' curve");
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
        for &c in &self.comparability {
            let name = comparability_metric(c);
            out.push(Measurement {
                metric: name.clone(),
                scale: None,
                value: comparability_radius(&curve, c),
            });
            out.push(Measurement {
                metric: format!("{name}_null"),
                scale: None,
                value: comparability_radius(&null_curve, c),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::CellData;
    use mangen_geometry::{Embedded, Sphere, rng};
    use mangen_measures::{DensityMeasure, Measure};
    use mangen_scores::KdTree;

    fn parsed(text: &str) -> std::result::Result<Arc<dyn Metric>, FieldError> {
        let table: toml::Table = toml::from_str(&format!("v = {text}")).unwrap();
        (KIND.parse)(&table["v"]).map(|metric| metric.expect("asked for"))
    }

    #[test]
    fn comparability_radii_come_per_factor_with_their_nulls() {
        let metric = parsed(
            "{ radii = [0.002, 0.1, 0.5], tube = 0.01, centres = 200, comparability = [2, 4] }",
        )
        .unwrap();
        let m = Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 4).unwrap());
        let measure = DensityMeasure::uniform(m);
        let mut stream = rng::seeded(3);
        let train = Arc::new(measure.sample(10, &mut stream));
        let index = KdTree::new(train.clone()).unwrap();
        // A fresh sample as the generated one: comparable to μ from some radius on; the same
        // point repeated: comparable at no radius.
        let fresh = measure.sample(4000, &mut stream);
        let stuck = Array2::from_shape_fn((4000, 3), |(_, j)| train[[0, j]]);
        for (generated, comparable) in [(&fresh, true), (&stuck, false)] {
            let cell = CellData::for_test(&measure, &train, &index, generated, &fresh);
            let rows = metric.measure(&cell, &mut rng::seeded(5)).unwrap();
            let value = |name: &str| rows.iter().find(|r| r.metric == name).unwrap().value;
            let unscaled: Vec<String> = rows
                .iter()
                .filter(|r| r.scale.is_none())
                .map(|r| r.metric.clone())
                .collect();
            let infos: Vec<String> = metric
                .infos()
                .into_iter()
                .filter(|i| !i.scaled)
                .map(|i| i.name)
                .collect();
            assert_eq!(unscaled, infos);
            // 4000 points on a circle: a ball of radius 0.002 holds 2.5 on average (many hold
            // none), one of 0.1 holds 127: its ratios' q05 ≈ 1 − 1.645/√127 ≈ 0.85 and their
            // maximum over 200 balls ≈ 1 + 3/√127 ≈ 1.27, well within [1/2, 2].
            let (c2, c4) = (
                value("comparability_radius_c2"),
                value("comparability_radius_c4"),
            );
            if comparable {
                assert_eq!((c2, c4), (Some(0.1), Some(0.1)));
            } else {
                assert_eq!((c2, c4), (None, None));
            }
            assert!(value("comparability_radius_c2_null").is_some());
        }
        let refused =
            parsed("{ radii = [0.1], tube = 0.1, comparability = [2, 0.5] }").unwrap_err();
        assert_eq!(refused.field, "comparability[1]");
        let twice = parsed("{ radii = [0.1], tube = 0.1, comparability = [2, 2] }").unwrap_err();
        assert_eq!(twice.field, "comparability[1]");
    }
}
