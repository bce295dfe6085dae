//! `mangen evaluate`: a file of samples from any model, put through every metric of a sweep cell with the cell's nulls, as rows of runs.csv.

use crate::cell::evaluate_samples;
use crate::commands::CellArgs;
use crate::points::read_points;
use crate::runs::write_runs;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// `mangen evaluate`.
#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    /// The cell whose training set, fresh samples and metrics the samples are measured with.
    #[command(flatten)]
    pub cell: CellArgs,
    /// The samples (`.npy` or CSV, by the extension), one row per point in R^D.
    #[arg(long)]
    pub samples: PathBuf,
    /// The score column of the rows.
    #[arg(long, default_value = "external")]
    pub label: String,
    /// Where the rows go (runs.csv's columns).
    #[arg(long)]
    pub out: PathBuf,
}

/// Evaluates a file of samples in a sweep cell and writes its rows.
pub fn evaluate(args: &EvaluateArgs) -> Result<()> {
    let experiment = args.cell.load()?;
    let samples = read_points(&args.samples, Some(experiment.manifold.ambient_dim()))?;
    let rows = evaluate_samples(
        &experiment,
        args.cell.n_train,
        args.cell.seed,
        samples,
        &args.label,
    )?;
    write_runs(&args.out, &rows)
}
