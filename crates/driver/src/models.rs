//! Turns a `[[score]]` and a `[[sampler]]` of a config into the scores and samplers of the library crates.

use crate::config::{Method, SamplerSpec, ScoreSpec};
use anyhow::Result;
use mangen_geometry::Manifold;
use mangen_measures::Measure;
use mangen_samplers::{EulerMaruyama, Heun, Sampler, SamplingConfig};
use mangen_scores::{
    EmpiricalScore, Hybrid, KdTree, OracleProjection, PopulationScore, ProjectionScore, Schedule,
    Score, Truncation,
};
use ndarray::Array2;
use std::sync::Arc;

/// What the training set and the law give a score to be built from.
pub struct ScoreInputs<'a> {
    /// The training set, one row per point.
    pub train: Arc<Array2<f64>>,
    /// The neighbour index over the training set, built once per cell and shared by its scores
    /// and metrics.
    pub index: Arc<KdTree>,
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

/// A built score and what the metrics need of it.
pub struct BuiltScore {
    /// The score; `None` for `fresh`, which has none.
    pub score: Option<Box<dyn Score>>,
    /// The projection estimate π̂_N of a projection or hybrid score, fitted once and shared with
    /// the geometry metric.
    pub projection: Option<Arc<ProjectionScore>>,
}

/// Builds the score of a spec, and with it π̂_N where the score has one.
pub fn build_score(inputs: &ScoreInputs) -> Result<BuiltScore> {
    let n = inputs.train.nrows();
    let empirical = |eps: Option<f64>, h: Option<f64>| -> Result<EmpiricalScore> {
        let eps = eps.unwrap_or(Truncation::DEFAULT_EPS);
        let score = EmpiricalScore::from_index(inputs.index.clone(), inputs.schedule)?
            .with_truncation(Truncation::Certified { eps })?;
        Ok(match h {
            Some(h) => score.with_bandwidth(h)?,
            None => score,
        })
    };
    let projection = build_projection(inputs)?;
    let score: Box<dyn Score> = match (inputs.spec, &projection) {
        (ScoreSpec::Empirical { eps }, _) => Box::new(empirical(*eps, None)?),
        (ScoreSpec::Smoothed { .. }, _) => Box::new(empirical(None, inputs.spec.bandwidth(n))?),
        (ScoreSpec::Projection { .. }, Some(projection)) => Box::new(projection.clone()),
        (ScoreSpec::Hybrid { switch_time, h, .. }, Some(projection)) => Box::new(Hybrid::new(
            empirical(None, *h)?,
            projection.clone(),
            *switch_time,
        )?),
        (ScoreSpec::Oracle, _) => Box::new(OracleProjection::new(
            inputs.manifold.clone(),
            inputs.schedule,
        )),
        (ScoreSpec::Population, _) => Box::new(PopulationScore::quadrature(
            inputs.measure.clone(),
            inputs.schedule,
        )?),
        (ScoreSpec::Fresh, _) => {
            return Ok(BuiltScore {
                score: None,
                projection,
            });
        }
        (ScoreSpec::Projection { .. } | ScoreSpec::Hybrid { .. }, None) => {
            unreachable!("projection and hybrid specs have a projection part")
        }
    };
    Ok(BuiltScore {
        score: Some(score),
        projection,
    })
}

/// The projection estimate π̂_N of a projection or hybrid spec; `None` for the other kinds.
pub fn build_projection(inputs: &ScoreInputs) -> Result<Option<Arc<ProjectionScore>>> {
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
    let score = ProjectionScore::from_index(inputs.index.clone(), inputs.schedule, degree, k)?;
    Ok(Some(Arc::new(match neighbours {
        Some(kk) => score.with_neighbours(kk)?,
        None => score,
    })))
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
