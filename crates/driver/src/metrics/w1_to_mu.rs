//! `w1_to_mu = { samples = true, atoms = false }`: exact W1, geodesic cost, of the generated samples (at π(x̂)) and of the training atoms μ_N to μ itself, on closed curves by the circle formula and on the line through μ's distribution function.
//!
//! With `method = "semi-discrete"` it is W1 with the chord cost on any manifold instead, a lower
//! bound by semi-discrete transport with its error rows (`semi_discrete_to_mu`).
//!
//! No reference sample enters, so there is no reference floor: `w1_to_mu` is floored only by the
//! generated sample's own size (its null `w1_to_mu_null`, a fresh sample of that size), and
//! `w1_atoms_to_mu` = W1(μ_N, μ) needs no sampling at all. The samples' distance to M is not
//! in it (they are read at their projection): that is fidelity, reported apart.

use crate::field::{FieldError, switch};
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use crate::metrics::semi_discrete_to_mu::SemiDiscreteToMu;
use anyhow::{Context, Result};
use mangen_geometry::rng::StreamRng;
use mangen_measures::{ArclengthCdf, Measure};
use mangen_metrics::{arclength_positions, w1_on_closed_curve, w1_to_line_law};
use ndarray::Array2;
use serde::Deserialize;
use std::sync::{Arc, OnceLock};

/// Arclength intervals of μ's CDF table: its interpolation moves W1 by at most L h² max|p′|/4
/// (h = L/2^16), 2.3e-9·L·max|p′| on a curve of length 2π.
pub const CDF_INTERVALS: usize = 1 << 16;

/// `{ samples = …, atoms = …, method = … }` as written, for the distances to μ (`w1_to_mu`,
/// `w2_to_mu`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Targets {
    /// The distance of the generated samples to μ (with the fresh-sample null).
    #[serde(default = "yes")]
    pub samples: bool,
    /// The distance of the training atoms μ_N to μ.
    #[serde(default)]
    pub atoms: bool,
    /// How the distance is computed (each metric's own when absent).
    #[serde(default)]
    pub method: Option<Method>,
}

/// How a distance to μ is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Method {
    /// Exact, geodesic cost, on closed curves (the circle formula) and on the line (∫|F_n − F|).
    Circle,
    /// A lower bound, chord cost, on any manifold: semi-discrete transport.
    SemiDiscrete,
}

fn yes() -> bool {
    true
}

impl Targets {
    /// `true` (the samples), `false`, or a table; `None` when neither is asked for.
    pub fn parse(value: &toml::Value) -> std::result::Result<Option<Self>, FieldError> {
        let targets = match value {
            toml::Value::Table(_) => value.clone().try_into().map_err(FieldError::malformed)?,
            _ => Self {
                samples: switch(value)?,
                atoms: false,
                method: None,
            },
        };
        Ok((targets.samples || targets.atoms).then_some(targets))
    }
}

/// W1 to μ on a closed curve or the line, of the samples, the atoms or both.
#[derive(Debug)]
pub struct W1ToMu {
    /// Whether the generated samples are measured.
    pub samples: bool,
    /// Whether the training atoms are measured.
    pub atoms: bool,
    /// μ's arclength CDF, tabulated by the first cell that needs it.
    table: OnceLock<std::result::Result<Arc<ArclengthCdf>, String>>,
}

impl W1ToMu {
    /// The metric of the samples, the atoms or both.
    pub fn new(samples: bool, atoms: bool) -> Self {
        Self {
            samples,
            atoms,
            table: OnceLock::new(),
        }
    }

    fn table(&self, measure: &dyn Measure) -> Result<Arc<ArclengthCdf>> {
        self.table
            .get_or_init(|| {
                ArclengthCdf::of(measure, CDF_INTERVALS)
                    .map(Arc::new)
                    .map_err(|err| err.to_string())
            })
            .clone()
            .map_err(|err| anyhow::anyhow!("μ's arclength CDF: {err}"))
    }

    fn distance(&self, cell: &CellData, points: &Array2<f64>, what: &str) -> Result<f64> {
        if let Some(law) = cell.measure.as_line_law() {
            let values: Vec<f64> = points.column(0).to_vec();
            return w1_to_line_law(&values, law).with_context(|| format!("W1 of the {what}"));
        }
        let manifold = cell.measure.manifold();
        let positions = arclength_positions(manifold, points.view())
            .with_context(|| format!("arclength positions of the {what}"))?;
        Ok(w1_on_closed_curve(
            &positions,
            self.table(cell.measure)?.as_ref(),
        )?)
    }
}

/// `[metrics] w1_to_mu = true` (the samples) or `{ samples = …, atoms = …, method = "circle" |
/// "semi-discrete" }`.
pub const KIND: MetricKind = MetricKind {
    key: "w1_to_mu",
    parse: |value| {
        Ok(Targets::parse(value)?.map(|targets| match targets.method {
            None | Some(Method::Circle) => {
                Arc::new(W1ToMu::new(targets.samples, targets.atoms)) as Arc<dyn Metric>
            }
            Some(Method::SemiDiscrete) => Arc::new(SemiDiscreteToMu {
                order: 1,
                samples: targets.samples,
                atoms: targets.atoms,
            }),
        }))
    },
};

impl Metric for W1ToMu {
    fn infos(&self) -> Vec<MetricInfo> {
        let mut infos = Vec::new();
        if self.samples {
            infos.push(MetricInfo::new("w1_to_mu", Shape::Rate).with_null("w1_to_mu_null", true));
            infos.push(MetricInfo::new("w1_to_mu_null", Shape::Rate));
        }
        if self.atoms {
            infos.push(MetricInfo::new("w1_atoms_to_mu", Shape::Rate));
        }
        infos
    }

    fn needs_samples(&self) -> bool {
        self.samples
    }

    fn check(&self, measure: &dyn Measure) -> std::result::Result<(), String> {
        if measure.as_line_law().is_some() {
            return Ok(());
        }
        let manifold = measure.manifold();
        manifold.point_at_arclength(0.0).map(|_| ()).map_err(|_| {
            format!(
                "W1 to μ is exact on closed curves and the line only (k = 1); {} has neither: set method = \"semi-discrete\" for a lower bound on any manifold",
                manifold.name()
            )
        })
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        if !self.samples {
            return Ok(Vec::new());
        }
        let value = self.distance(cell, cell.generated, "generated samples")?;
        Ok(vec![Measurement::of("w1_to_mu", value)])
    }

    fn measure_shared(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let mut rows = Vec::new();
        if self.samples {
            let null = self.distance(cell, cell.fresh, "fresh samples")?;
            rows.push(Measurement::of("w1_to_mu_null", null));
        }
        if self.atoms {
            let value = self.distance(cell, cell.train, "training atoms")?;
            rows.push(Measurement::of("w1_atoms_to_mu", value));
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::measure_whole;
    use mangen_geometry::{Embedded, Manifold, Sphere, rng};
    use mangen_measures::DensityMeasure;
    use mangen_scores::KdTree;
    use std::f64::consts::PI;

    /// `n` equispaced points of the unit circle embedded in R^3, turned by `phase` of a step.
    fn equispaced(m: &Embedded<Sphere>, n: usize, phase: f64) -> Array2<f64> {
        let mut points = Array2::zeros((n, 3));
        for i in 0..n {
            let s = 2.0 * PI * (i as f64 + phase) / n as f64;
            points.row_mut(i).assign(&m.point_at_arclength(s).unwrap());
        }
        points
    }

    #[test]
    fn each_row_measures_its_own_point_set() {
        // Equispaced atoms lie L/(4n) from the uniform law: 7 training atoms, 11 generated
        // points pushed off M along the normal (read at π(x̂)), 13 fresh points.
        let m = Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 3, 2).unwrap());
        let measure = DensityMeasure::uniform(m.clone());
        let train = Arc::new(equispaced(&m, 7, 0.3));
        let generated = equispaced(&m, 11, 0.0) * 1.2 - m.isometry().offset() * 0.2;
        let fresh = equispaced(&m, 13, 0.5);
        let index = KdTree::new(train.clone()).unwrap();
        let cell = CellData::for_test(&measure, &train, &index, &generated, &fresh);
        let metric = W1ToMu::new(true, true);
        assert!(metric.check(&measure).is_ok());
        let rows = measure_whole(&metric, &cell, &rng::seeded(0)).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.metric.as_str()).collect();
        assert_eq!(names, ["w1_to_mu", "w1_to_mu_null", "w1_atoms_to_mu"]);
        for (row, n) in rows.iter().zip([11.0, 13.0, 7.0]) {
            let expected = 2.0 * PI / (4.0 * n);
            let value = row.value.unwrap();
            assert!(
                (value - expected).abs() < 1e-9,
                "{}: {value} against {expected}",
                row.metric
            );
        }
        let sphere = Arc::new(Embedded::random(Sphere::new(2, 1.0).unwrap(), 3, 2).unwrap());
        let refusal = metric.check(&DensityMeasure::uniform(sphere)).unwrap_err();
        assert!(
            refusal.contains("closed curves and the line only"),
            "{refusal}"
        );
        assert!(!W1ToMu::new(false, true).needs_samples());
    }

    #[test]
    fn on_the_line_it_reads_the_mixture_s_distribution_function() {
        // One atom at a centre of N(c, 1) is √(2/π) from it; on the line the first coordinate
        // is the position.
        let line = mangen_geometry::Line::new(2).unwrap();
        let measure = mangen_measures::GaussianMixture::new(line, vec![1.5], 1.0).unwrap();
        assert!(W1ToMu::new(true, true).check(&measure).is_ok());
        let train = Arc::new(ndarray::array![[1.5, 0.0]]);
        let generated = ndarray::array![[1.5, 3.0]];
        let index = KdTree::new(train.clone()).unwrap();
        let cell = CellData::for_test(&measure, &train, &index, &generated, &generated);
        let rows = measure_whole(&W1ToMu::new(true, true), &cell, &rng::seeded(0)).unwrap();
        for row in rows {
            let value = row.value.unwrap();
            assert!(
                (value - (2.0 / PI).sqrt()).abs() < 1e-12,
                "{}: {value}",
                row.metric
            );
        }
    }
}
