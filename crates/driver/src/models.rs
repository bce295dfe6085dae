//! Turns a `[[score]]` and a `[[sampler]]` of a config into the scores and samplers of the library crates.

use crate::config::{Method, SamplerSpec, ScoreSpec};
use anyhow::Result;
use mangen_geometry::Manifold;
use mangen_measures::Measure;
use mangen_samplers::{EulerMaruyama, Heun, Sampler, SamplingConfig};
use mangen_scores::{
    EmpiricalScore, Hybrid, OracleProjection, PopulationScore, ProjectionScore, Schedule, Score,
    Truncation,
};
use ndarray::Array2;
use std::sync::Arc;

/// What the training set and the law give a score to be built from.
pub struct ScoreInputs<'a> {
    /// The training set, one row per point.
    pub train: Arc<Array2<f64>>,
    /// The manifold M (for the oracle score).
    pub manifold: Arc<dyn Manifold>,
    /// The data law μ (for the population score).
    pub measure: Arc<dyn Measure>,
    /// The forward process.
    pub schedule: Schedule,
    /// The intrinsic dimension k of the manifold.
    pub intrinsic_dim: usize,
    /// The spec.
    pub spec: &'a ScoreSpec,
}

/// Builds the score of a spec; `None` for `fresh`, which has no score.
pub fn build_score(inputs: &ScoreInputs) -> Result<Option<Box<dyn Score>>> {
    let n = inputs.train.nrows();
    let empirical = |eps: Option<f64>, h: Option<f64>| -> Result<EmpiricalScore> {
        let eps = eps.unwrap_or(Truncation::DEFAULT_EPS);
        let score = EmpiricalScore::new(inputs.train.clone(), inputs.schedule)?
            .with_truncation(Truncation::Certified { eps })?;
        Ok(match h {
            Some(h) => score.with_bandwidth(h)?,
            None => score,
        })
    };
    let score: Box<dyn Score> = match inputs.spec {
        ScoreSpec::Empirical { eps } => Box::new(empirical(*eps, None)?),
        ScoreSpec::Smoothed { .. } => Box::new(empirical(None, inputs.spec.bandwidth(n))?),
        ScoreSpec::Projection { .. } => {
            Box::new(build_projection(inputs)?.expect("a projection spec"))
        }
        ScoreSpec::Hybrid { switch_time, h, .. } => {
            let below = build_projection(inputs)?.expect("a hybrid spec has a projection part");
            Box::new(Hybrid::new(empirical(None, *h)?, below, *switch_time)?)
        }
        ScoreSpec::Oracle => Box::new(OracleProjection::new(
            inputs.manifold.clone(),
            inputs.schedule,
        )),
        ScoreSpec::Population => Box::new(PopulationScore::quadrature(
            inputs.measure.clone(),
            inputs.schedule,
        )?),
        ScoreSpec::Fresh => return Ok(None),
    };
    Ok(Some(score))
}

/// The projection estimate π̂_N of a projection or hybrid spec; `None` for the other kinds.
pub fn build_projection(inputs: &ScoreInputs) -> Result<Option<ProjectionScore>> {
    let (degree, neighbours, estimate_dim) = match inputs.spec {
        ScoreSpec::Projection {
            degree,
            neighbours,
            estimate_dim,
        } => (*degree, *neighbours, *estimate_dim),
        ScoreSpec::Hybrid { degree, .. } => (*degree, None, false),
        _ => return Ok(None),
    };
    let k = (!estimate_dim).then_some(inputs.intrinsic_dim);
    let score = ProjectionScore::new(inputs.train.clone(), inputs.schedule, degree, k)?;
    Ok(Some(match neighbours {
        Some(kk) => score.with_neighbours(kk)?,
        None => score,
    }))
}

/// The integrator and the checked time grid of a `[[sampler]]`.
pub fn build_sampler(spec: &SamplerSpec) -> Result<(Box<dyn Sampler>, SamplingConfig)> {
    let sampler: Box<dyn Sampler> = match spec.method {
        Method::Sde => Box::new(EulerMaruyama),
        Method::Ode => Box::new(Heun),
    };
    let config =
        SamplingConfig::new(spec.t_max, spec.t_min, spec.steps)?.with_denoising(spec.denoise);
    Ok((sampler, config))
}
