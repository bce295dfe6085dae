//! A cell of the sweep, (score, sampler, N, seed) of one experiment: its random streams and its run.

use crate::experiment::Experiment;
use crate::journal::CellProgress;
use crate::metric::{CellData, Measurement, in_info_order};
use crate::runs::Row;
use crate::score::{BuiltScore, ScoreInputs};
use crate::scores::external;
use crate::shared_rows::{SharedKey, SharedRows};
use anyhow::{Context, Result, bail};
use mangen_geometry::rng::{self, StreamRng, splitmix64};
use mangen_samplers::{RunOptions, Start};
use mangen_scores::{KdTree, ProjectionScore, Score};
use ndarray::{Array2, Axis};
use std::collections::BTreeMap;
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
    /// The metrics' draws (coverage centres, geometry probes, streamed μ draws): each metric
    /// has a stream of its own below this one, named by its `[metrics]` key.
    Metrics = 6,
    /// The seed a score draws from (a network's initial weights and its batches).
    Score = 7,
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

    /// The stream of the metric whose `[metrics]` key is `key`. Each metric draws from its own,
    /// so turning a metric on or off leaves the values of the others as they were.
    pub fn metric_stream(&self, key: &str) -> StreamRng {
        rng::stream(
            self.seed,
            splitmix64(self.index(Purpose::Metrics) ^ stable_hash(key)),
        )
    }

    /// The seed of the cell's score, for scores that draw (a trained network).
    pub fn score_seed(&self) -> u64 {
        self.index(Purpose::Score) ^ self.seed
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

/// FNV-1a of a name: a hash that no compiler or platform changes.
fn stable_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
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
    /// The score itself, where it has one and a metric reads it (the KL of a learned density).
    pub score: Option<Box<dyn Score>>,
    /// The training epoch of a trained score's checkpoint; `None` for other scores.
    pub epoch: Option<usize>,
    /// `false` for a checkpoint that training did not reach (it diverged first): nothing was
    /// generated, and its rows have empty values.
    pub reached: bool,
}

/// What a cell's run asks for: `count` samples (with 0, only π̂_N is fitted, and the score
/// built with `keep_score`), the samples of the score's population twin beside them (`twin`),
/// the score itself (`keep_score`), the sampler's run options, and the journal's progress of the
/// cell, where a trained score keeps its states and whose measured checkpoints are not drawn
/// again.
pub struct Draw<'a> {
    /// How many samples.
    pub count: usize,
    /// Also the population twin's samples, coupled to them.
    pub twin: bool,
    /// Keep the score in the output.
    pub keep_score: bool,
    /// The sampler's run options.
    pub options: &'a RunOptions,
    /// The cell's progress in the journal.
    pub progress: Option<&'a CellProgress>,
}

/// Draws the samples of the cell's model as `draw` asks: the sampler run with the score, fresh
/// samples of μ for the `fresh` pseudo-score, or the samples an `external` score reads (as many
/// as its file holds). A trained score gives one output per checkpoint, in epoch order, except
/// the checkpoints whose rows `draw.progress` holds; every other score, one.
pub fn generate_all(experiment: &Experiment, cell: &Cell, draw: &Draw) -> Result<Vec<Generated>> {
    let mut outputs = Vec::new();
    generate_each(experiment, cell, draw, &mut |generated| {
        outputs.push(generated);
        Ok(())
    })?;
    Ok(outputs)
}

/// [`generate_all`], handing each output to `each` as soon as it is drawn.
pub fn generate_each(
    experiment: &Experiment,
    cell: &Cell,
    draw: &Draw,
    each: &mut dyn FnMut(Generated) -> Result<()>,
) -> Result<()> {
    let Draw {
        count,
        twin,
        keep_score,
        options,
        progress,
    } = *draw;
    let streams = CellStreams::new(experiment.seed, cell.n_train, cell.seed);
    let builder = &experiment.scores[cell.score].builder;
    let (train, index) = training_data(experiment, cell.n_train, cell.seed)?;
    let inputs = ScoreInputs {
        train: train.clone(),
        index: index.clone(),
        manifold: experiment.manifold.clone(),
        measure: experiment.measure.clone(),
        schedule: experiment.schedule,
        repetition: cell.seed,
        seed: streams.score_seed(),
        states: progress.map(|p| p.dir().to_path_buf()),
    };
    let output = |samples, projection, twin, score, epoch| Generated {
        train: train.clone(),
        index: index.clone(),
        samples,
        projection,
        twin,
        score,
        epoch,
        reached: true,
    };
    if count == 0 && !keep_score {
        let projection = builder.fit_for_metrics(&inputs)?;
        let empty = Array2::zeros((0, train.ncols()));
        return each(output(empty, projection, None, None, None));
    }
    let sampler = &experiment.samplers[cell.sampler];
    let start = forward_start(experiment, &train, sampler.config.t_max)?;
    let run = |score: &dyn Score| -> Result<Array2<f64>> {
        if count == 0 {
            return Ok(Array2::zeros((0, train.ncols())));
        }
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
    let BuiltScore {
        score,
        projection,
        samples,
        checkpoints,
    } = builder.build(&inputs)?;
    if !checkpoints.is_empty() {
        for (epoch, score) in checkpoints {
            if progress.is_some_and(|p| p.has_rows(epoch)) {
                continue;
            }
            let Some(score) = score else {
                let empty = Array2::zeros((0, train.ncols()));
                each(Generated {
                    reached: false,
                    ..output(empty, None, None, None, Some(epoch))
                })?;
                continue;
            };
            let samples =
                run(score.as_ref()).with_context(|| format!("the checkpoint at epoch {epoch}"))?;
            let score = keep_score.then_some(score);
            each(output(
                samples,
                projection.clone(),
                None,
                score,
                Some(epoch),
            ))?;
        }
        return Ok(());
    }
    let samples = match (&score, samples) {
        (_, Some(given)) => given,
        (None, None) if count == 0 => Array2::zeros((0, train.ncols())),
        (None, None) => experiment
            .measure
            .sample(count, &mut streams.stream(Purpose::Generated)),
        (Some(score), None) => run(score.as_ref())?,
    };
    let twin_score = if twin { builder.twin(&inputs)? } else { None };
    let twin = twin_score
        .map(|score| run(score.as_ref()).context("the population twin's run"))
        .transpose()?;
    let score = score.filter(|_| keep_score);
    each(output(samples, projection, twin, score, None))
}

/// [`generate_all`] without the score, for one output: a trained score's last checkpoint,
/// which is an error when its training diverged before it.
pub fn generate(
    experiment: &Experiment,
    cell: &Cell,
    count: usize,
    twin: bool,
    options: &RunOptions,
) -> Result<Generated> {
    let draw = Draw {
        count,
        twin,
        keep_score: false,
        options,
        progress: None,
    };
    let last = generate_all(experiment, cell, &draw)?
        .pop()
        .context("the score gave no output")?;
    if !last.reached {
        bail!(
            "{}: training diverged before its last checkpoint (epoch {}), so it has no samples",
            describe(experiment, cell),
            last.epoch.unwrap_or(0)
        );
    }
    Ok(last)
}

/// The training set of (N, repetition) and its neighbour index.
pub fn training_data(
    experiment: &Experiment,
    n_train: usize,
    repetition: usize,
) -> Result<(Arc<Array2<f64>>, Arc<KdTree>)> {
    let train = Arc::new(training_set(experiment, n_train, repetition));
    let index = Arc::new(KdTree::new(train.clone())?);
    Ok((train, index))
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

/// Runs one cell and returns its rows of runs.csv, in metric order (for a trained score, in
/// epoch order, then metric order). With `progress`, each checkpoint's rows are kept there as
/// soon as they are measured, and those kept by an interrupted run are taken as they are. The
/// rows that depend on (N, repetition) alone come from `shared`, where they are kept.
pub fn run_cell(
    experiment: &Experiment,
    cell: &Cell,
    progress: Option<&CellProgress>,
    shared: &SharedRows,
) -> Result<Vec<Row>> {
    let draw = Draw {
        count: if experiment.needs_samples() {
            experiment.sweep.samples
        } else {
            0
        },
        twin: experiment.needs_twin(),
        keep_score: experiment.needs_score(),
        options: &RunOptions::default(),
        progress,
    };
    let mut parts: BTreeMap<Option<usize>, Vec<Row>> = match progress {
        Some(progress) => progress
            .recorded(experiment, cell)?
            .into_iter()
            .map(|(epoch, rows)| (Some(epoch), rows))
            .collect(),
        None => BTreeMap::new(),
    };
    let score = &experiment.scores[cell.score];
    generate_each(experiment, cell, &draw, &mut |generated| {
        let label = RowLabel {
            score: checkpoint_label(&score.label, generated.epoch),
            score_kind: score.kind().into(),
            sampler: experiment.samplers[cell.sampler].label.clone(),
            epoch: generated.epoch,
        };
        let rows = measure_cell(
            experiment,
            cell.n_train,
            cell.seed,
            &generated,
            &label,
            shared,
        )?;
        if let (Some(progress), Some(epoch)) = (progress, generated.epoch) {
            progress.record(epoch, &rows)?;
        }
        parts.insert(generated.epoch, rows);
        Ok(())
    })?;
    Ok(parts.into_values().flatten().collect())
}

/// What joins a trained score's label and its checkpoint's epoch in the label of its rows.
const EPOCH_MARK: &str = "@epoch=";

/// The label of a score's rows: its own, or for a trained score's checkpoint,
/// `label@epoch=E`, so that each checkpoint is fitted and drawn as a score of its own.
pub fn checkpoint_label(label: &str, epoch: Option<usize>) -> String {
    match epoch {
        Some(epoch) => format!("{label}{EPOCH_MARK}{epoch}"),
        None => label.to_string(),
    }
}

/// The label of a checkpoint's rows without its `@epoch=E`: the trained score's own.
pub fn base_label(score: &str) -> &str {
    score
        .rsplit_once(EPOCH_MARK)
        .map_or(score, |(base, _)| base)
}

/// What names a cell's rows beside the experiment, N and seed: the score, its kind and the
/// sampler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowLabel {
    /// The score's label.
    pub score: String,
    /// The score's kind.
    pub score_kind: String,
    /// The sampler's label.
    pub sampler: String,
    /// The training epoch of a trained score's checkpoint.
    pub epoch: Option<usize>,
}

/// The rows of every metric of the experiment over the generated samples of (N, repetition),
/// with fresh samples of μ as many as generated (the nulls), each metric drawing from its own
/// stream: what the sweep writes for a cell, and `mangen evaluate` for samples from a file.
/// The rows that depend on (N, repetition) alone are taken from `shared`, or measured into it.
pub fn measure_cell(
    experiment: &Experiment,
    n_train: usize,
    repetition: usize,
    generated: &Generated,
    label: &RowLabel,
    shared: &SharedRows,
) -> Result<Vec<Row>> {
    let streams = CellStreams::new(experiment.seed, n_train, repetition);
    let samples = generated.samples.nrows();
    let measurements = if generated.reached {
        let key = |metric| SharedKey {
            n_train,
            repetition,
            samples,
            metric,
        };
        measure_metrics(experiment, &streams, generated, shared, key)?
    } else {
        // A checkpoint training never reached: every unscaled metric, with an empty value.
        experiment
            .measured_infos()
            .into_iter()
            .filter(|info| !info.scaled)
            .map(|info| Measurement {
                metric: info.name,
                scale: None,
                value: None,
            })
            .collect()
    };
    let template = Row {
        experiment: experiment.name.clone(),
        manifold: experiment.manifold.name(),
        intrinsic_dim: experiment.manifold.intrinsic_dim(),
        ambient_dim: experiment.manifold.ambient_dim(),
        density: experiment.measure.name(),
        score: label.score.clone(),
        score_kind: label.score_kind.clone(),
        sampler: label.sampler.clone(),
        epoch: label.epoch,
        n_train,
        seed: repetition,
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

/// Every metric of the experiment over a cell's generated samples, with fresh samples of μ as
/// many as generated (the nulls), each metric drawing from its own stream; each metric's rows
/// of (N, repetition) alone come from `shared`, under `key(its position in [metrics])`.
fn measure_metrics(
    experiment: &Experiment,
    streams: &CellStreams,
    generated: &Generated,
    shared: &SharedRows,
    key: impl Fn(usize) -> SharedKey,
) -> Result<Vec<Measurement>> {
    let samples = generated.samples.nrows();
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
        score: generated.score.as_deref(),
        schedule: experiment.schedule,
        epoch: generated.epoch,
    };
    // What the shared rows see: the cell without its generated samples and its score.
    let no_samples = Array2::zeros((0, generated.samples.ncols()));
    let shared_data = CellData {
        generated: &no_samples,
        projection: None,
        twin: None,
        score: None,
        epoch: None,
        ..data
    };
    let mut measurements = Vec::new();
    for (position, (name, metric)) in experiment.metrics.iter().enumerate() {
        let rows = metric.measure(&data, &mut streams.metric_stream(name))?;
        let shared_rows = shared.get_or_measure(key(position), || {
            metric.measure_shared(&shared_data, &mut streams.metric_stream(name))
        })?;
        measurements.extend(in_info_order(metric.as_ref(), rows, shared_rows));
    }
    Ok(measurements)
}

/// The rows of every metric of the experiment over samples of a model outside mangen, in the
/// cell (N, repetition): the cell's training set, its fresh samples (as many as given) and its
/// metric streams; `score` names them, with kind and sampler `external`.
pub fn evaluate_samples(
    experiment: &Experiment,
    n_train: usize,
    repetition: usize,
    samples: Array2<f64>,
    score: &str,
) -> Result<Vec<Row>> {
    let (train, index) = training_data(experiment, n_train, repetition)?;
    let generated = Generated {
        train,
        index,
        samples,
        projection: None,
        twin: None,
        score: None,
        epoch: None,
        reached: true,
    };
    let label = RowLabel {
        score: score.into(),
        score_kind: external::KIND.kind.into(),
        sampler: external::KIND.kind.into(),
        epoch: None,
    };
    let shared = SharedRows::new();
    measure_cell(experiment, n_train, repetition, &generated, &label, &shared)
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
