//! `mangen score`: a score evaluated at query points, built by the sweep's own factories.

use crate::commands::output_points;
use crate::points::read_points;
use crate::schema::ScheduleName;
use crate::scores::empirical::empirical_score;
use crate::scores::projection::Projection;
use anyhow::{Context, Result, bail};
use clap::Args;
use mangen_scores::{KdTree, Score};
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

/// Evaluates a score at every query point.
pub fn score(args: &ScoreArgs) -> Result<()> {
    if args.h.is_some() && args.kind != ScoreKind::Smoothed {
        bail!("--h applies to --kind smoothed only");
    }
    if args.eps.is_some() && args.kind == ScoreKind::Projection {
        bail!("--eps applies to the empirical and smoothed scores only");
    }
    let train = Arc::new(read_points(&args.train, None)?);
    let queries = read_points(&args.query, Some(train.ncols()))?;
    mangen_scores::check_time(args.t).context("--t")?;
    let schedule = args.schedule.schedule();
    let index = Arc::new(KdTree::new(train.clone())?);
    let score: Box<dyn Score> = match args.kind {
        ScoreKind::Empirical => {
            Box::new(empirical_score(&index, schedule, args.eps, None).context("--eps")?)
        }
        ScoreKind::Smoothed => {
            let h = args.h.context("--kind smoothed needs --h")?;
            Box::new(empirical_score(&index, schedule, args.eps, Some(h)).context("--eps or --h")?)
        }
        ScoreKind::Projection => {
            let projection = Projection {
                degree: args.degree,
                neighbours: None,
                intrinsic_dim: args.intrinsic_dim,
            };
            Box::new(projection.fit(&index, schedule)?)
        }
    };
    let rows: Vec<ndarray::Array1<f64>> = (0..queries.nrows())
        .into_par_iter()
        .map(|i| score.score(queries.row(i), args.t))
        .collect::<std::result::Result<_, _>>()?;
    let d = train.ncols();
    let mut values = Array2::zeros((rows.len(), d));
    for (mut out, row) in values.outer_iter_mut().zip(&rows) {
        out.assign(row);
    }
    let header: Vec<String> = (1..=d).map(|j| format!("s{j}")).collect();
    output_points(&values, &header, args.out.as_deref())
}
