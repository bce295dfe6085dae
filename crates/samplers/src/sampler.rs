//! The `Sampler` trait: one reverse-time step to implement (and optionally its batch form), and the provided parallel, deterministic run in batches of samples.

use crate::error::{Result, SamplerError};
use crate::grid::SamplingConfig;
use crate::start::Start;
use mangen_geometry::rng::{self, StreamRng};
use mangen_scores::Score;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records the trajectories of chosen samples at every `every`-th time of the grid (and the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observer {
    /// Indices of the samples to record.
    pub samples: Vec<usize>,
    /// Record every `every`-th grid time (≥ 1).
    pub every: usize,
}

/// The recorded path of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Index of the sample.
    pub sample: usize,
    /// The grid times at which the state was recorded, from T down to t0.
    pub times: Vec<f64>,
    /// The states, one row per recorded time.
    pub points: Array2<f64>,
}

/// Called with (samples finished, samples in total) as samples finish, from any thread.
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Options of a run beyond its configuration.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Trajectories to record.
    pub observer: Option<Observer>,
    /// A progress callback.
    pub progress: Option<Progress>,
}

/// What a run returns.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRun {
    /// The samples, one row each, in sample order.
    pub samples: Array2<f64>,
    /// The recorded trajectories, in the observer's order.
    pub trajectories: Vec<Trajectory>,
}

/// A reverse-time sampler: implement [`Sampler::step`]; [`Sampler::run`] does the rest.
pub trait Sampler: Send + Sync {
    /// A short label for reports, e.g. `sde` or `ode`.
    fn name(&self) -> String;

    /// One step of the reverse process from time `from` down to `to` < `from`, drawing any noise
    /// from the sample's own stream `rng`.
    fn step(
        &self,
        score: &dyn Score,
        x: ArrayView1<f64>,
        from: f64,
        to: f64,
        rng: &mut StreamRng,
    ) -> mangen_scores::Result<Array1<f64>>;

    /// One step for a batch of states, one row each; row i draws its noise from `rngs[i]`. The
    /// default applies [`Sampler::step`] row by row. The built-in methods override it so the
    /// score is asked once per batch ([`Score::score_batch`]): a trained network then evaluates
    /// the batch as one matrix product. An override must give each row what `step` gives it.
    fn step_batch(
        &self,
        score: &dyn Score,
        xs: ArrayView2<f64>,
        from: f64,
        to: f64,
        rngs: &mut [StreamRng],
    ) -> mangen_scores::Result<Array2<f64>> {
        let mut out = Array2::zeros(xs.raw_dim());
        for ((x, mut row), rng) in xs.outer_iter().zip(out.outer_iter_mut()).zip(rngs) {
            row.assign(&self.step(score, x, from, to, rng)?);
        }
        Ok(out)
    }

    /// Draws `n` samples in parallel: sample i starts from `start` and steps through the grid of
    /// `config`, all with the random stream (seed, i). The samples go in batches of
    /// [`batch_size`]`(n)` consecutive indices, each batch stepped with [`Sampler::step_batch`];
    /// the batches depend on n alone, so the output is the same for any number of threads. With
    /// `config.denoise`, the last state x is replaced by D(x, t0) = (x + σ² s)/a.
    fn run(
        &self,
        score: &dyn Score,
        start: &Start,
        config: &SamplingConfig,
        n: usize,
        seed: u64,
        options: &RunOptions,
    ) -> Result<SampleRun> {
        let config = config.validate()?;
        if start.dim() != score.dim() {
            return Err(SamplerError::DimensionMismatch {
                start: start.dim(),
                score: score.dim(),
            });
        }
        let times = config.times(score.schedule())?;
        let finished = AtomicUsize::new(0);
        let size = batch_size(n);
        let batches: Vec<Result<Batch>> = (0..n.div_ceil(size))
            .into_par_iter()
            .map(|b| {
                let indices = b * size..((b + 1) * size).min(n);
                let batch = run_batch(self, score, start, &config, &times, indices, seed, options)?;
                let done = finished.fetch_add(batch.states.nrows(), Ordering::Relaxed)
                    + batch.states.nrows();
                if let Some(progress) = &options.progress {
                    progress(done, n);
                }
                Ok(batch)
            })
            .collect();
        let mut samples = Array2::zeros((n, score.dim()));
        let mut trajectories = Vec::new();
        let mut row = 0;
        for batch in batches {
            let batch = batch?;
            let rows = batch.states.nrows();
            samples
                .slice_mut(s![row..row + rows, ..])
                .assign(&batch.states);
            trajectories.extend(batch.trajectories);
            row += rows;
        }
        if let Some(observer) = &options.observer {
            trajectories.sort_by_key(|t| observer.samples.iter().position(|&s| s == t.sample));
        }
        Ok(SampleRun {
            samples,
            trajectories,
        })
    }
}

/// The number of consecutive samples stepped together: about n/16, at least 1 and at most 64,
/// so a run of many samples makes batches worth a matrix product and a run of few still
/// spreads over the threads.
pub fn batch_size(n: usize) -> usize {
    n.div_ceil(16).clamp(1, 64)
}

/// The final states of one batch and the trajectories it recorded.
struct Batch {
    states: Array2<f64>,
    trajectories: Vec<Trajectory>,
}

/// Steps the samples `indices` through `times` together, each with its own stream.
#[allow(clippy::too_many_arguments)]
fn run_batch<S: Sampler + ?Sized>(
    sampler: &S,
    score: &dyn Score,
    start: &Start,
    config: &SamplingConfig,
    times: &[f64],
    indices: std::ops::Range<usize>,
    seed: u64,
    options: &RunOptions,
) -> Result<Batch> {
    let mut rngs: Vec<StreamRng> = indices
        .clone()
        .map(|sample| rng::stream(seed, sample as u64))
        .collect();
    let mut states = Array2::zeros((indices.len(), score.dim()));
    for (mut row, rng) in states.outer_iter_mut().zip(&mut rngs) {
        row.assign(&start.draw(rng));
    }
    let every = options.observer.as_ref().map_or(1, |o| o.every.max(1));
    let observed: Vec<(usize, usize)> = options
        .observer
        .as_ref()
        .map(|o| {
            indices
                .clone()
                .enumerate()
                .filter(|(_, sample)| o.samples.contains(sample))
                .collect()
        })
        .unwrap_or_default();
    let mut recorded: Vec<Vec<(f64, Array1<f64>)>> = vec![Vec::new(); observed.len()];
    let mut record = |states: &Array2<f64>, time: f64| {
        for ((row, _), path) in observed.iter().zip(recorded.iter_mut()) {
            path.push((time, states.row(*row).to_owned()));
        }
    };
    for (step, pair) in times.windows(2).enumerate() {
        if step % every == 0 {
            record(&states, pair[0]);
        }
        states = match sampler.step_batch(score, states.view(), pair[0], pair[1], &mut rngs) {
            Ok(next) => next,
            Err(source) => {
                let failed = failing_row(sampler, score, &states, pair, rngs.clone());
                return Err(SamplerError::Score {
                    sample: indices.start + failed,
                    step,
                    time: pair[0],
                    source,
                });
            }
        };
        check_finite(&states, indices.start, step, pair[0])?;
    }
    if !observed.is_empty() {
        record(&states, config.t_min);
    }
    if config.denoise {
        states = denoise(score, states, config.t_min, indices.start, times.len() - 1)?;
    }
    let trajectories = observed
        .iter()
        .zip(recorded)
        .map(|(&(_, sample), path)| Trajectory {
            sample,
            times: path.iter().map(|(t, _)| *t).collect(),
            points: stack_rows(path.iter().map(|(_, p)| p), score.dim()),
        })
        .collect();
    Ok(Batch {
        states,
        trajectories,
    })
}

/// The first row of a batch whose step fails on its own (the batch's first row if none does):
/// the row a failed batch step is reported at. The rows draw from copies of the streams as the
/// failed step left them, which decides nothing a score can fail on.
fn failing_row<S: Sampler + ?Sized>(
    sampler: &S,
    score: &dyn Score,
    states: &Array2<f64>,
    pair: &[f64],
    mut rngs: Vec<StreamRng>,
) -> usize {
    states
        .outer_iter()
        .zip(&mut rngs)
        .position(|(x, rng)| sampler.step(score, x, pair[0], pair[1], rng).is_err())
        .unwrap_or(0)
}

/// Fails with the first sample (counted from `first`) whose state is not finite.
fn check_finite(states: &Array2<f64>, first: usize, step: usize, time: f64) -> Result<()> {
    match states
        .outer_iter()
        .position(|x| x.iter().any(|v| !v.is_finite()))
    {
        Some(row) => Err(SamplerError::NonFinite {
            sample: first + row,
            step,
            time,
        }),
        None => Ok(()),
    }
}

/// The final denoising step x̂ = (x + σ² s(x, t0)) / a for every row, checked for finiteness
/// (rows are samples counted from `first`).
fn denoise(
    score: &dyn Score,
    states: Array2<f64>,
    t0: f64,
    first: usize,
    step: usize,
) -> Result<Array2<f64>> {
    let failed = |row: usize, source| SamplerError::Score {
        sample: first + row,
        step,
        time: t0,
        source,
    };
    let scores = score.score_batch(states.view(), t0).map_err(|source| {
        let row = states
            .outer_iter()
            .position(|x| score.score(x, t0).is_err())
            .unwrap_or(0);
        failed(row, source)
    })?;
    let mut denoised = Array2::zeros(states.raw_dim());
    for (row, ((x, s), mut out)) in states
        .outer_iter()
        .zip(scores.outer_iter())
        .zip(denoised.outer_iter_mut())
        .enumerate()
    {
        let value = score
            .schedule()
            .denoiser_from_score(x, s, t0)
            .map_err(|source| failed(row, source))?;
        out.assign(&value);
    }
    check_finite(&denoised, first, step, t0)?;
    Ok(denoised)
}

fn stack_rows<'a>(rows: impl Iterator<Item = &'a Array1<f64>>, dim: usize) -> Array2<f64> {
    let rows: Vec<&Array1<f64>> = rows.collect();
    Array2::from_shape_fn((rows.len(), dim), |(i, j)| rows[i][j])
}
