//! The `Sampler` trait: one reverse-time step to implement, and the provided parallel, deterministic run.

use crate::error::{Result, SamplerError};
use crate::grid::SamplingConfig;
use crate::start::Start;
use mangen_geometry::rng::{self, StreamRng};
use mangen_scores::Score;
use ndarray::{Array1, Array2, ArrayView1};
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

    /// Draws `n` samples in parallel: sample i starts from `start` and steps through the grid of
    /// `config`, all with the random stream (seed, i), so the output is the same for any number of
    /// threads. With `config.denoise`, the last state x is replaced by D(x, t0) = (x + σ² s)/a.
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
        let schedule = score.schedule();
        let times = config.times(schedule)?;
        let finished = AtomicUsize::new(0);
        let outcomes: Vec<Result<(Array1<f64>, Option<Trajectory>)>> = (0..n)
            .into_par_iter()
            .map(|sample| {
                let mut rng = rng::stream(seed, sample as u64);
                let observed = options
                    .observer
                    .as_ref()
                    .filter(|o| o.samples.contains(&sample))
                    .map(|o| o.every.max(1));
                let mut recorded: Vec<(f64, Array1<f64>)> = Vec::new();
                let mut x = start.draw(&mut rng);
                for (step, pair) in times.windows(2).enumerate() {
                    if observed.is_some_and(|every| step % every == 0) {
                        recorded.push((pair[0], x.clone()));
                    }
                    x = self
                        .step(score, x.view(), pair[0], pair[1], &mut rng)
                        .map_err(|source| SamplerError::Score {
                            sample,
                            step,
                            time: pair[0],
                            source,
                        })?;
                    if x.iter().any(|v| !v.is_finite()) {
                        return Err(SamplerError::NonFinite {
                            sample,
                            step,
                            time: pair[0],
                        });
                    }
                }
                if observed.is_some() {
                    recorded.push((config.t_min, x.clone()));
                }
                if config.denoise {
                    x = denoise(score, x, config.t_min, sample, times.len() - 1)?;
                }
                let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(progress) = &options.progress {
                    progress(done, n);
                }
                let trajectory = observed.map(|_| Trajectory {
                    sample,
                    times: recorded.iter().map(|(t, _)| *t).collect(),
                    points: stack_rows(recorded.iter().map(|(_, p)| p), score.dim()),
                });
                Ok((x, trajectory))
            })
            .collect();
        let mut samples = Array2::zeros((n, score.dim()));
        let mut trajectories = Vec::new();
        for (mut row, outcome) in samples.outer_iter_mut().zip(outcomes) {
            let (x, trajectory) = outcome?;
            row.assign(&x);
            trajectories.extend(trajectory);
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

/// The final denoising step x̂ = (x + σ² s(x, t0)) / a, checked for finiteness.
fn denoise(
    score: &dyn Score,
    x: Array1<f64>,
    t0: f64,
    sample: usize,
    step: usize,
) -> Result<Array1<f64>> {
    let failed = |source| SamplerError::Score {
        sample,
        step,
        time: t0,
        source,
    };
    let s = score.score(x.view(), t0).map_err(failed)?;
    let denoised = score
        .schedule()
        .denoiser_from_score(x.view(), s.view(), t0)
        .map_err(failed)?;
    if denoised.iter().any(|v| !v.is_finite()) {
        return Err(SamplerError::NonFinite {
            sample,
            step,
            time: t0,
        });
    }
    Ok(denoised)
}

fn stack_rows<'a>(rows: impl Iterator<Item = &'a Array1<f64>>, dim: usize) -> Array2<f64> {
    let rows: Vec<&Array1<f64>> = rows.collect();
    Array2::from_shape_fn((rows.len(), dim), |(i, j)| rows[i][j])
}
