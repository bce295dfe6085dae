//! The metric seam: a metric of a sweep cell names its CSV metrics, says whether it looks at generated samples, and measures a cell.
//!
//! A metric enters a sweep through a [`MetricKind`]: the key of its entry in a config's
//! `[metrics]` table and the code that checks that entry. The built-in kinds live in
//! `crate::metrics`, one file each; [`crate::registry::Registry::with_metric`] adds one of a
//! user's own.

use crate::field::FieldError;
use anyhow::Result;
use mangen_geometry::rng::StreamRng;
use mangen_measures::Measure;
use mangen_scores::{KdTree, ProjectionScore, Schedule, Score};
use ndarray::Array2;
use std::fmt::Debug;
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
    /// For a metric that takes its values on a grid (a radius of the coverage grid): the largest
    /// log-ratio between neighbouring grid values. A slope over N from N_lo to N_hi cannot be
    /// read finer than this step over ln(N_hi/N_lo), and its interval is widened by as much.
    pub grid_step: Option<f64>,
}

impl MetricInfo {
    /// An unscaled metric without a null.
    pub fn new(name: &str, shape: Shape) -> Self {
        Self {
            name: name.into(),
            shape,
            null: None,
            null_is_floor: false,
            scaled: false,
            grid_step: None,
        }
    }

    /// The same metric with values on a grid whose neighbours differ by at most `ratio` (> 1).
    pub fn on_grid(mut self, ratio: f64) -> Self {
        self.grid_step = Some(ratio.ln());
        self
    }

    /// The same metric with the null `null` beside it, a floor of its fits when `is_floor`.
    pub fn with_null(mut self, null: &str, is_floor: bool) -> Self {
        self.null = Some(null.into());
        self.null_is_floor = is_floor;
        self
    }

    /// The same metric with a scale per row.
    pub fn scaled(mut self) -> Self {
        self.scaled = true;
        self
    }
}

/// One measured value: metric, scale (coverage radius) and value (`None` when undefined, e.g. no
/// radius of the grid reaches the coverage level).
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The metric name.
    pub metric: String,
    /// The scale, for scaled metrics.
    pub scale: Option<f64>,
    /// The value.
    pub value: Option<f64>,
}

impl Measurement {
    /// An unscaled, defined value.
    pub fn of(metric: &str, value: f64) -> Self {
        Self {
            metric: metric.into(),
            scale: None,
            value: Some(value),
        }
    }
}

/// What a cell hands its metrics: the law, the training set and its neighbour index, the
/// generated samples and two fresh samples of μ of the same size, and the projection estimate
/// where the score has one.
pub struct CellData<'a> {
    /// μ.
    pub measure: &'a dyn Measure,
    /// The training set.
    pub train: &'a Arc<Array2<f64>>,
    /// The neighbour index over the training set, shared with the cell's score.
    pub index: &'a KdTree,
    /// The generated samples (no rows when no metric of the experiment needs them).
    pub generated: &'a Array2<f64>,
    /// A fresh sample of μ, as many points as generated.
    pub fresh: &'a Array2<f64>,
    /// Another, independent fresh sample (for the Wasserstein null).
    pub fresh_again: &'a Array2<f64>,
    /// The projection estimate π̂_N (projection and hybrid scores).
    pub projection: Option<&'a ProjectionScore>,
    /// The samples of the score's population twin, row i coupled to generated row i (same
    /// start, same noise); present when a metric asks for it and the score has a twin.
    pub twin: Option<&'a Array2<f64>>,
    /// The score, present when a metric reads it ([`Metric::needs_score`]) and the cell has one.
    pub score: Option<&'a dyn Score>,
    /// The forward process of the experiment.
    pub schedule: Schedule,
    /// The checkpoint epoch of a trained score's cell output; `None` for other scores.
    pub epoch: Option<usize>,
}

#[cfg(test)]
impl<'a> CellData<'a> {
    /// A cell of the metric unit tests: `fresh` serves as both fresh samples, no projection
    /// estimate, no twin.
    pub fn for_test(
        measure: &'a dyn Measure,
        train: &'a Arc<Array2<f64>>,
        index: &'a KdTree,
        generated: &'a Array2<f64>,
        fresh: &'a Array2<f64>,
    ) -> Self {
        Self {
            measure,
            train,
            index,
            generated,
            fresh,
            fresh_again: fresh,
            projection: None,
            twin: None,
            score: None,
            schedule: Schedule::VarianceExploding,
            epoch: None,
        }
    }
}

/// A metric of sweep cells.
pub trait Metric: Debug + Send + Sync {
    /// The CSV metrics it writes, nulls included, in the order of its measurements.
    fn infos(&self) -> Vec<MetricInfo>;

    /// Whether it looks at generated samples; cells of an experiment none of whose metrics do
    /// skip sampling.
    fn needs_samples(&self) -> bool {
        true
    }

    /// Whether it reads the score itself (the KL of the density a learned score integrates to);
    /// cells then keep their score for it.
    fn needs_score(&self) -> bool {
        false
    }

    /// Whether it compares the samples with the population twin's (the cell then runs the
    /// sampler a second time, with the twin).
    fn needs_twin(&self) -> bool {
        false
    }

    /// Checks that the metric applies to μ and its manifold (W1 by the circle formula needs a
    /// closed curve); called once when the experiment is loaded, so that a sweep that cannot
    /// finish does not start. The error is the rule the experiment breaks.
    fn check(&self, measure: &dyn Measure) -> std::result::Result<(), String> {
        let _ = measure;
        Ok(())
    }

    /// Measures one cell's generated samples. `rng` is the metric's own stream in the cell,
    /// named by its `[metrics]` key (the draws of one metric do not move another's).
    fn measure(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>>;

    /// The rows that depend on the cell's (N, repetition) and sample count alone, never on its
    /// score: nulls (fresh samples of μ through the metric) and what the training atoms give.
    /// A sweep measures them for the first score or checkpoint of an (N, repetition) that needs
    /// them, keeps them for the others, and puts them among each one's rows in [`Metric::infos`]
    /// order. Here `cell.generated` has no rows and the cell has no score, projection or twin.
    /// `rng` is the same stream as [`Metric::measure`]'s, from its start: what both draw first
    /// (coverage's ball centres) is the same draw.
    fn measure_shared(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>> {
        let _ = (cell, rng);
        Ok(Vec::new())
    }
}

/// `rows` of [`Metric::measure`] and `shared` of [`Metric::measure_shared`] together, in the
/// order of [`Metric::infos`] (the rows of one name keep their order: a scaled metric's radii).
pub fn in_info_order(
    metric: &dyn Metric,
    rows: Vec<Measurement>,
    shared: Vec<Measurement>,
) -> Vec<Measurement> {
    if shared.is_empty() {
        return rows;
    }
    let names: Vec<String> = metric.infos().into_iter().map(|info| info.name).collect();
    let position = |row: &Measurement| names.iter().position(|name| *name == row.metric);
    let mut all: Vec<Measurement> = rows.into_iter().chain(shared).collect();
    all.sort_by_key(|row| position(row).unwrap_or(names.len()));
    all
}

/// Every row of `metric` in one cell, as a sweep writes them: [`Metric::measure`] and
/// [`Metric::measure_shared`], each from the start of `stream`.
pub fn measure_whole(
    metric: &dyn Metric,
    cell: &CellData,
    stream: &StreamRng,
) -> Result<Vec<Measurement>> {
    let rows = metric.measure(cell, &mut stream.clone())?;
    let shared = metric.measure_shared(cell, &mut stream.clone())?;
    Ok(in_info_order(metric, rows, shared))
}

/// The check of a `[metrics]` entry's value: the metric it turns on, `None` when it turns it off.
pub type ParseMetric = fn(&toml::Value) -> Result<Option<Arc<dyn Metric>>, FieldError>;

/// A kind of metric: the key of its entry in `[metrics]` and the check that turns the entry into
/// the metric (`None` when the entry turns it off, as `fidelity = false`).
#[derive(Debug, Clone, Copy)]
pub struct MetricKind {
    /// The key in `[metrics]`.
    pub key: &'static str,
    /// Checks the entry's value.
    pub parse: ParseMetric,
}
