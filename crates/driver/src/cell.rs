//! A cell of the sweep, (score, sampler, N, seed) of one experiment: its random streams and its run.

use crate::experiment::Experiment;
use crate::metric::CellData;
use crate::runs::Row;
use crate::score::{BuiltScore, ScoreInputs};
use anyhow::{Context, Result};
use mangen_geometry::rng::{self, StreamRng, splitmix64};
use mangen_samplers::{RunOptions, Start};
use mangen_scores::{KdTree, ProjectionScore, Score};
use ndarray::{Array2, Axis};
use std::sync::Arc;

/// One unit of work: indices into the experiment's `[[score]]` and `[[sampler]]` lists, N and
/// the repetition index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    /// Index of the score in the config.
    pub score: usize,
    /// Index of the sampler in the config.
    pub sampler: usize,
    /// Training-set size N.
    pub n_train: usize,
    /// Repetition index at this N.
    pub seed: usize,
}

/// What each random stream of a cell is for. A stream depends on (experiment seed, purpose, N,
/// repetition) only, so every score of a repetition sees the same training set, the same sampler
/// noise and the same fresh samples (common random numbers), and nothing depends on threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// The training set.
    Train = 1,
    /// The sampler's per-sample streams (their base seed).
    Sampler = 2,
    /// The fresh samples of μ beside the generated ones.
    Fresh = 3,
    /// The independent second fresh sample (Wasserstein null).
    FreshAgain = 4,
    /// The `fresh` pseudo-score's samples.
    Generated = 5,
    /// Coverage centres and geometry probes.
    Metrics = 6,
}

/// Every random stream of one (N, repetition) of an experiment: the one place where a cell's
/// randomness comes from. A stream depends on (experiment seed, purpose, N, repetition) only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellStreams {
    seed: u64,
    n_train: usize,
    repetition: usize,
}

impl CellStreams {
    /// The streams of (N, repetition) of an experiment seeded with `seed`.
    pub fn new(seed: u64, n_train: usize, repetition: usize) -> Self {
        Self {
            seed,
            n_train,
            repetition,
        }
    }

    /// The stream of `purpose`.
    pub fn stream(&self, purpose: Purpose) -> StreamRng {
        rng::stream(self.seed, self.index(purpose))
    }

    /// The base seed of the sampler's per-sample streams.
    pub fn sampler_seed(&self) -> u64 {
        self.index(Purpose::Sampler) ^ self.seed
    }

    fn index(&self, purpose: Purpose) -> u64 {
        splitmix64(
            splitmix64(purpose as u64 ^ ((self.n_train as u64) << 8)) ^ self.repetition as u64,
        )
    }
}

/// The training set of (N, repetition): the same for every score and sampler.
pub fn training_set(experiment: &Experiment, n_train: usize, repetition: usize) -> Array2<f64> {
    let streams = CellStreams::new(experiment.seed, n_train, repetition);
    experiment
        .measure
        .sample(n_train, &mut streams.stream(Purpose::Train))
}

/// Every cell of an experiment, in report order: score, sampler, N, repetition.
pub fn plan(experiment: &Experiment) -> Vec<Cell> {
    let mut cells = Vec::new();
    for score in 0..experiment.scores.len() {
        for sampler in 0..experiment.samplers.len() {
            for &n_train in &experiment.sweep.n_train {
                for seed in 0..experiment.sweep.seeds {
                    cells.push(Cell {
                        score,
                        sampler,
                        n_train,
                        seed,
                    });
                }
            }
        }
    }
    cells
}

/// A cell's model output: the training set and its neighbour index, the generated samples and
/// the projection estimate (projection and hybrid scores).
pub struct Generated {
    /// The training set of (N, repetition).
    pub train: Arc<Array2<f64>>,
    /// The neighbour index over it, shared by the score and the metrics.
    pub index: Arc<KdTree>,
    /// The generated samples, one row each.
    pub samples: Array2<f64>,
    /// π̂_N, where the score has one.
    pub projection: Option<Arc<ProjectionScore>>,
    /// The samples of the score's population twin, run from the same start with the same noise
    /// (row i of both from sample stream i), where asked for and the score has a twin.
    pub twin: Option<Array2<f64>>,
}

/// Draws `count` samples of the cell's model: the sampler run with the score, or fresh samples
/// of μ for the `fresh` pseudo-score; with `count` = 0 it only fits π̂_N. With `twin`, also the
/// samples of the score's population twin, coupled to them.
pub fn generate(
    experiment: &Experiment,
    cell: &Cell,
    count: usize,
    twin: bool,
    options: &RunOptions,
) -> Result<Generated> {
    let streams = CellStreams::new(experiment.seed, cell.n_train, cell.seed);
    let builder = &experiment.scores[cell.score].builder;
    let train = Arc::new(training_set(experiment, cell.n_train, cell.seed));
    let index = Arc::new(KdTree::new(train.clone())?);
    let inputs = ScoreInputs {
        train: train.clone(),
        index: index.clone(),
        manifold: experiment.manifold.clone(),
        measure: experiment.measure.clone(),
        schedule: experiment.schedule,
    };
    if count == 0 {
        return Ok(Generated {
            samples: Array2::zeros((0, train.ncols())),
            projection: builder.fit_for_metrics(&inputs)?,
            train,
            index,
            twin: None,
        });
    }
    let sampler = &experiment.samplers[cell.sampler];
    let start = forward_start(experiment, &train, sampler.config.t_max)?;
    let run = |score: &dyn Score| -> Result<Array2<f64>> {
        let run = sampler.sampler().run(
            score,
            &start,
            &sampler.config,
            count,
            streams.sampler_seed(),
            options,
        )?;
        Ok(run.samples)
    };
    let BuiltScore { score, projection } = builder.build(&inputs)?;
    let samples = match score {
        None => experiment
            .measure
            .sample(count, &mut streams.stream(Purpose::Generated)),
        Some(score) => run(score.as_ref())?,
    };
    let twin_score = if twin { builder.twin(&inputs)? } else { None };
    let twin = twin_score
        .map(|score| run(score.as_ref()).context("the population twin's run"))
        .transpose()?;
    Ok(Generated {
        train,
        index,
        samples,
        projection,
        twin,
    })
}

/// The start law at T: the forward marginal of data with the training set's mean and mean
/// per-coordinate variance (SCIENCE.md §5).
fn forward_start(experiment: &Experiment, train: &Array2<f64>, t_max: f64) -> Result<Start> {
    let mean = train.mean_axis(Axis(0)).context("empty training set")?;
    let variance = train.var_axis(Axis(0), 0.0).mean().unwrap_or(0.0);
    Ok(Start::forward_marginal(
        experiment.schedule,
        t_max,
        mean,
        variance,
    )?)
}

/// Runs one cell and returns its rows of runs.csv, in metric order.
pub fn run_cell(experiment: &Experiment, cell: &Cell) -> Result<Vec<Row>> {
    let streams = CellStreams::new(experiment.seed, cell.n_train, cell.seed);
    let samples = if experiment.needs_samples() {
        experiment.sweep.samples
    } else {
        0
    };
    let generated = generate(
        experiment,
        cell,
        samples,
        experiment.needs_twin(),
        &RunOptions::default(),
    )?;
    let fresh = experiment
        .measure
        .sample(samples, &mut streams.stream(Purpose::Fresh));
    let fresh_again = experiment
        .measure
        .sample(samples, &mut streams.stream(Purpose::FreshAgain));
    let data = CellData {
        measure: experiment.measure.as_ref(),
        train: &generated.train,
        index: &generated.index,
        generated: &generated.samples,
        fresh: &fresh,
        fresh_again: &fresh_again,
        projection: generated.projection.as_deref(),
        twin: generated.twin.as_ref(),
    };
    let mut rng = streams.stream(Purpose::Metrics);
    let mut measurements = Vec::new();
    for metric in &experiment.metrics {
        measurements.extend(metric.measure(&data, &mut rng)?);
    }
    let score = &experiment.scores[cell.score];
    let template = Row {
        experiment: experiment.name.clone(),
        manifold: experiment.manifold.name(),
        intrinsic_dim: experiment.manifold.intrinsic_dim(),
        ambient_dim: experiment.manifold.ambient_dim(),
        density: experiment.measure.name(),
        score: score.label.clone(),
        score_kind: score.kind().into(),
        sampler: experiment.samplers[cell.sampler].label.clone(),
        n_train: cell.n_train,
        seed: cell.seed,
        samples,
        metric: String::new(),
        scale: None,
        value: None,
    };
    Ok(measurements
        .into_iter()
        .map(|m| Row {
            metric: m.metric,
            scale: m.scale,
            value: m.value,
            ..template.clone()
        })
        .collect())
}

/// A short description of a cell for progress lines and errors.
pub fn describe(experiment: &Experiment, cell: &Cell) -> String {
    format!(
        "{} · {} · {} · N={} · seed {}",
        experiment.name,
        experiment.scores[cell.score].label,
        experiment.samplers[cell.sampler].label,
        cell.n_train,
        cell.seed
    )
}
