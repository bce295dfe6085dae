//! The metric registry: which CSV metrics an experiment's `[metrics]` produces, what kind of curve each
//! is, which null line goes beside it, and the code that computes them for one cell.

use crate::config::RawExperiment;
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_measures::Measure;
use mangen_metrics::{
    coverage_curve, coverage_resolution, fidelity, geometry_error, novelty, tube_probes,
    wasserstein,
};
use mangen_scores::{KdTree, ProjectionScore};
use ndarray::Array2;
use std::sync::Arc;

/// How a metric's curve against N is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A positive quantity with a power law in N: fitted on log–log axes.
    Rate,
    /// A fraction or index in [0, 1]-ish: drawn on log-N, linear axes and not fitted.
    Fraction,
}

/// One metric column of runs.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricInfo {
    /// The name in the `metric` column.
    pub name: String,
    /// How it is read.
    pub shape: Shape,
    /// The null metric drawn beside it (fresh samples of μ through the same metric).
    pub null: Option<String>,
    /// Whether that null is a floor below which nothing is measured (Wasserstein, coverage).
    pub null_is_floor: bool,
    /// Whether rows carry a scale (the coverage radius r).
    pub scaled: bool,
}

impl MetricInfo {
    fn new(name: &str, shape: Shape) -> Self {
        Self {
            name: name.into(),
            shape,
            null: None,
            null_is_floor: false,
            scaled: false,
        }
    }

    fn with_null(mut self, null: &str, is_floor: bool) -> Self {
        self.null = Some(null.into());
        self.null_is_floor = is_floor;
        self
    }

    fn scaled(mut self) -> Self {
        self.scaled = true;
        self
    }
}

/// The name of the Wasserstein metric of order p: `w1`, `w2`, `w1.5`.
pub fn wasserstein_name(p: f64) -> String {
    format!("w{p}")
}

/// Every metric the experiment's `[metrics]` produces, nulls included, in CSV order.
pub fn metric_infos(raw: &RawExperiment) -> Vec<MetricInfo> {
    let m = &raw.metrics;
    let mut infos = Vec::new();
    if m.fidelity {
        for name in [
            "fidelity_mean",
            "fidelity_median",
            "fidelity_q95",
            "fidelity_max",
        ] {
            infos.push(MetricInfo::new(name, Shape::Rate));
        }
    }
    if m.novelty {
        infos.push(
            MetricInfo::new("memorized_fraction", Shape::Fraction)
                .with_null("memorized_fraction_null", false),
        );
        infos.push(MetricInfo::new("memorized_fraction_null", Shape::Fraction));
        infos.push(MetricInfo::new("novelty_index", Shape::Fraction));
        infos.push(MetricInfo::new("d1_median", Shape::Rate).with_null("d1_median_null", false));
        infos.push(MetricInfo::new("d1_median_null", Shape::Rate));
    }
    if let Some(w) = &m.wasserstein {
        let name = wasserstein_name(w.p);
        let null = format!("{name}_null");
        infos.push(MetricInfo::new(&name, Shape::Rate).with_null(&null, true));
        infos.push(MetricInfo::new(&null, Shape::Rate));
    }
    if m.coverage.is_some() {
        infos.push(
            MetricInfo::new("coverage_resolution", Shape::Rate)
                .with_null("coverage_resolution_null", true),
        );
        infos.push(MetricInfo::new("coverage_resolution_null", Shape::Rate));
        for name in COVERAGE_PER_RADIUS {
            infos.push(MetricInfo::new(name, Shape::Fraction).scaled());
        }
    }
    if m.geometry.is_some() {
        for name in ["geometry_error_mean", "geometry_error_max"] {
            infos.push(MetricInfo::new(name, Shape::Rate));
        }
    }
    infos
}

/// The per-radius coverage metrics: q05, median and max of the ratios, and the fraction of balls hit.
const COVERAGE_PER_RADIUS: [&str; 4] = [
    "coverage_q05",
    "coverage_median",
    "coverage_max",
    "covered_fraction",
];

/// Whether the experiment's metrics look at generated samples (all but the geometry error do);
/// without them cells fit π̂_N and skip sampling.
pub fn needs_samples(raw: &RawExperiment) -> bool {
    let m = &raw.metrics;
    m.fidelity || m.novelty || m.wasserstein.is_some() || m.coverage.is_some()
}

/// The names of [`metric_infos`].
pub fn metric_names(raw: &RawExperiment) -> Vec<String> {
    metric_infos(raw)
        .into_iter()
        .map(|info| info.name)
        .collect()
}

/// One measured value: metric, scale (coverage radius) and value (`None` when undefined, e.g. no
/// radius of the grid reaches the coverage level).
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The metric name.
    pub metric: String,
    /// The coverage radius, for scaled metrics.
    pub scale: Option<f64>,
    /// The value.
    pub value: Option<f64>,
}

fn measured(metric: &str, value: f64) -> Measurement {
    Measurement {
        metric: metric.into(),
        scale: None,
        value: Some(value),
    }
}

/// What a cell hands the metrics: the law, the training set, the generated samples and two fresh
/// samples of μ of the same size, and the projection estimate where the score has one.
pub struct CellSamples<'a> {
    /// μ.
    pub measure: &'a dyn Measure,
    /// The training set.
    pub train: Arc<Array2<f64>>,
    /// The generated samples.
    pub generated: &'a Array2<f64>,
    /// A fresh sample of μ, as many points as generated.
    pub fresh: &'a Array2<f64>,
    /// Another, independent fresh sample (for the Wasserstein null).
    pub fresh_again: &'a Array2<f64>,
    /// The projection estimate π̂_N (projection and hybrid scores).
    pub projection: Option<&'a ProjectionScore>,
}

/// Computes every metric of `raw.metrics` on a cell's samples, in [`metric_infos`] order.
pub fn measure_cell(
    raw: &RawExperiment,
    cell: &CellSamples,
    rng: &mut StreamRng,
) -> Result<Vec<Measurement>> {
    let m = &raw.metrics;
    let manifold = cell.measure.manifold();
    let mut out = Vec::new();
    if m.fidelity {
        let s = fidelity(manifold, cell.generated.view())?.summary;
        out.push(measured("fidelity_mean", s.mean));
        out.push(measured("fidelity_median", s.median));
        out.push(measured("fidelity_q95", s.q95));
        out.push(measured("fidelity_max", s.max));
    }
    if m.novelty {
        let index = KdTree::new(cell.train.clone())?;
        let result = novelty(&index, cell.generated.view(), cell.fresh.view())?;
        out.push(measured(
            "memorized_fraction",
            result.generated.memorized_fraction,
        ));
        out.push(measured(
            "memorized_fraction_null",
            result.null.memorized_fraction,
        ));
        out.push(measured("novelty_index", result.index));
        out.push(measured("d1_median", result.generated.d1.median));
        out.push(measured("d1_median_null", result.null.d1.median));
    }
    if let Some(w) = &m.wasserstein {
        let name = wasserstein_name(w.p);
        let value = wasserstein(cell.generated.view(), cell.fresh.view(), w.p)?;
        let null = wasserstein(cell.fresh_again.view(), cell.fresh.view(), w.p)?;
        out.push(measured(&name, value));
        out.push(measured(&format!("{name}_null"), null));
    }
    if let Some(c) = &m.coverage {
        let centres = cell.measure.sample(c.centres, rng);
        let curve_of = |samples: &Array2<f64>| {
            coverage_curve(
                cell.measure,
                samples.view(),
                centres.view(),
                &c.radii,
                c.tube,
            )
        };
        let curve = curve_of(cell.generated)?;
        let null_curve = curve_of(cell.fresh)?;
        for (metric, curve) in [
            ("coverage_resolution", &curve),
            ("coverage_resolution_null", &null_curve),
        ] {
            out.push(Measurement {
                metric: metric.into(),
                scale: None,
                value: coverage_resolution(curve, c.level),
            });
        }
        for (name, value) in COVERAGE_PER_RADIUS.iter().zip([
            |c: &mangen_metrics::Coverage| c.summary.q05,
            |c: &mangen_metrics::Coverage| c.summary.median,
            |c: &mangen_metrics::Coverage| c.summary.max,
            |c: &mangen_metrics::Coverage| c.covered_fraction,
        ]) {
            for point in &curve {
                out.push(Measurement {
                    metric: (*name).into(),
                    scale: Some(point.radius),
                    value: Some(value(point)),
                });
            }
        }
    }
    if let (Some(g), Some(projection)) = (&m.geometry, cell.projection) {
        let probes = tube_probes(manifold, g.probes, g.tube, rng)?;
        let errors = geometry_error(manifold, probes.view(), |x| projection.project(x))?;
        out.push(measured("geometry_error_mean", errors.summary.mean));
        out.push(measured("geometry_error_max", errors.summary.max));
    }
    Ok(out)
}
