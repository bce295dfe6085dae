//! `mangen sample`: the generated samples of one cell of a sweep, exactly as the sweep draws them.

use crate::cell::{Cell, generate};
use crate::commands::CellArgs;
use crate::points::write_points;
use anyhow::{Context, Result, bail};
use clap::Args;
use mangen_samplers::RunOptions;
use std::path::PathBuf;

/// `mangen sample`.
#[derive(Debug, Clone, Args)]
pub struct SampleArgs {
    /// The cell.
    #[command(flatten)]
    pub cell: CellArgs,
    /// Score label or kind (the first `[[score]]` when absent).
    #[arg(long)]
    pub score: Option<String>,
    /// Index of the `[[sampler]]` (0-based).
    #[arg(long, default_value_t = 0)]
    pub sampler: usize,
    /// Number of samples (the profile's samples per cell when absent).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Output file (`.npy` or CSV, by its extension).
    #[arg(long)]
    pub out: PathBuf,
}

/// Generates samples exactly as the sweep's cell (score, sampler, N, seed) does.
pub fn sample(args: &SampleArgs) -> Result<()> {
    let experiment = args.cell.load()?;
    let config = args.cell.experiment.display();
    let scores = &experiment.scores;
    let score = match &args.score {
        None => 0,
        Some(name) => scores
            .iter()
            .position(|s| &s.label == name)
            .or_else(|| scores.iter().position(|s| s.kind() == name))
            .with_context(|| {
                let labels: Vec<&str> = scores.iter().map(|s| s.label.as_str()).collect();
                format!(
                    "--score: no score `{name}` in {config} (it has: {})",
                    labels.join(", ")
                )
            })?,
    };
    let samplers = experiment.samplers.len();
    if args.sampler >= samplers {
        bail!("--sampler: {config} has {samplers} sampler(s), indices 0..{samplers}");
    }
    let count = args.samples.unwrap_or(experiment.sweep.samples);
    if count == 0 {
        bail!("--samples must be ≥ 1");
    }
    let cell = Cell {
        score,
        sampler: args.sampler,
        n_train: args.cell.n_train,
        seed: args.cell.seed,
    };
    let generated = generate(&experiment, &cell, count, false, &RunOptions::default())?;
    write_points(&args.out, &generated.samples, None)
}
