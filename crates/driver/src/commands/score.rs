//! `mangen score`: a score evaluated at query points, built by the sweep's own factories.

use crate::commands::output_points;
use crate::points::read_points;
use crate::schema::ScheduleName;
use crate::scores::empirical::empirical_score;
use crate::scores::projection::Projection;
use anyhow::{Context, Result, bail};
use clap::Args;
use mangen_scores::{KdTree, Schedule, Score};
use ndarray::Array2;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// Scores `mangen score` evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScoreKind {
    /// The empirical score (certified truncation).
    Empirical,
    /// The smoothed empirical score (needs --h).
    Smoothed,
    /// The local-polynomial projection score (--degree, --intrinsic-dim).
    Projection,
}

/// `mangen score`.
#[derive(Debug, Clone, Args)]
pub struct ScoreArgs {
    /// Training points (CSV, one row per point).
    #[arg(long)]
    pub train: PathBuf,
    /// Query points (CSV, same number of columns).
    #[arg(long)]
    pub query: PathBuf,
    /// Diffusion time t > 0.
    #[arg(long, allow_negative_numbers = true)]
    pub t: f64,
    /// Forward process.
    #[arg(long, value_enum, default_value = "ve")]
    pub schedule: ScheduleName,
    /// Which score.
    #[arg(long, value_enum, default_value = "empirical")]
    pub kind: ScoreKind,
    /// Bandwidth h of the smoothed score.
    #[arg(long, allow_negative_numbers = true)]
    pub h: Option<f64>,
    /// Certified truncation tolerance ε ∈ (0, 1) of the empirical and smoothed scores.
    #[arg(long, allow_negative_numbers = true)]
    pub eps: Option<f64>,
    /// Polynomial degree of the projection score.
    #[arg(long, default_value_t = 2)]
    pub degree: usize,
    /// Intrinsic dimension k of the projection score (estimated when absent).
    #[arg(long)]
    pub intrinsic_dim: Option<usize>,
    /// Output CSV (standard output when absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A score of `mangen score` with its parameters: what it is built from besides the training set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRequest {
    /// Which score.
    pub kind: ScoreKind,
    /// The forward process.
    pub schedule: Schedule,
    /// Bandwidth h of the smoothed score.
    pub h: Option<f64>,
    /// Certified truncation tolerance of the empirical and smoothed scores.
    pub eps: Option<f64>,
    /// Polynomial degree of the projection score.
    pub degree: usize,
    /// Intrinsic dimension of the projection score (estimated when `None`).
    pub intrinsic_dim: Option<usize>,
}

impl ScoreRequest {
    /// The score over a training set, evaluated at every query (one row each) at time t.
    pub fn evaluate(
        &self,
        train: Array2<f64>,
        queries: &Array2<f64>,
        t: f64,
    ) -> Result<Array2<f64>> {
        if self.h.is_some() && self.kind != ScoreKind::Smoothed {
            bail!("h applies to the smoothed score only");
        }
        if self.eps.is_some() && self.kind == ScoreKind::Projection {
            bail!("eps applies to the empirical and smoothed scores only");
        }
        if queries.ncols() != train.ncols() {
            bail!(
                "the queries have {} columns and the training set {}",
                queries.ncols(),
                train.ncols()
            );
        }
        mangen_scores::check_time(t).context("t")?;
        let index = Arc::new(KdTree::new(Arc::new(train))?);
        let score: Box<dyn Score> = match self.kind {
            ScoreKind::Empirical => {
                Box::new(empirical_score(&index, self.schedule, self.eps, None).context("eps")?)
            }
            ScoreKind::Smoothed => {
                let h = self.h.context("the smoothed score needs h")?;
                Box::new(
                    empirical_score(&index, self.schedule, self.eps, Some(h))
                        .context("eps or h")?,
                )
            }
            ScoreKind::Projection => {
                let projection = Projection {
                    degree: self.degree,
                    neighbours: None,
                    intrinsic_dim: self.intrinsic_dim,
                };
                Box::new(projection.fit(&index, self.schedule)?)
            }
        };
        score_rows(score.as_ref(), queries, t)
    }
}

/// A score at every query (in parallel), one row each.
pub fn score_rows(score: &dyn Score, queries: &Array2<f64>, t: f64) -> Result<Array2<f64>> {
    let rows: Vec<ndarray::Array1<f64>> = (0..queries.nrows())
        .into_par_iter()
        .map(|i| score.score(queries.row(i), t))
        .collect::<std::result::Result<_, _>>()?;
    let mut values = Array2::zeros((rows.len(), queries.ncols()));
    for (mut out, row) in values.outer_iter_mut().zip(&rows) {
        out.assign(row);
    }
    Ok(values)
}

/// Evaluates a score at every query point.
pub fn score(args: &ScoreArgs) -> Result<()> {
    if args.h.is_some() && args.kind != ScoreKind::Smoothed {
        bail!("--h applies to --kind smoothed only");
    }
    if args.eps.is_some() && args.kind == ScoreKind::Projection {
        bail!("--eps applies to the empirical and smoothed scores only");
    }
    mangen_scores::check_time(args.t).context("--t")?;
    let request = ScoreRequest {
        kind: args.kind,
        schedule: args.schedule.schedule(),
        h: args.h,
        eps: args.eps,
        degree: args.degree,
        intrinsic_dim: args.intrinsic_dim,
    };
    let train = read_points(&args.train, None)?;
    let queries = read_points(&args.query, Some(train.ncols()))?;
    let values = request.evaluate(train, &queries, args.t)?;
    let header: Vec<String> = (1..=values.ncols()).map(|j| format!("s{j}")).collect();
    output_points(&values, &header, args.out.as_deref())
}
