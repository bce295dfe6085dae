//! `mangen sample`: the generated samples of one cell of a sweep, exactly as the sweep draws them.

use crate::cell::{Cell, generate};
use crate::commands::CellArgs;
use crate::experiment::Experiment;
use crate::points::write_points;
use anyhow::{Context, Result, bail};
use clap::Args;
use mangen_samplers::RunOptions;
use ndarray::Array2;
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
    let (cell, count) = resolve_cell(
        &experiment,
        args.score.as_deref(),
        args.sampler,
        args.cell.n_train,
        args.cell.seed,
        args.samples,
    )
    .map_err(|err| anyhow::anyhow!("--{err:#}"))?;
    let generated = generate(&experiment, &cell, count, false, &RunOptions::default())?;
    write_points(&args.out, &generated.samples, None)
}

/// The samples of the sweep cell (score, sampler, N, repetition) of an experiment: the score by
/// label or kind (the first when `None`), `count` samples (the profile's when `None`). An error
/// in the arguments names the argument first (`score: …`).
pub fn sample_cell(
    experiment: &Experiment,
    score: Option<&str>,
    sampler: usize,
    n_train: usize,
    repetition: usize,
    count: Option<usize>,
) -> Result<Array2<f64>> {
    let (cell, count) = resolve_cell(experiment, score, sampler, n_train, repetition, count)?;
    Ok(generate(experiment, &cell, count, false, &RunOptions::default())?.samples)
}

/// The cell and the sample count that the arguments of `sample_cell` name, checked.
fn resolve_cell(
    experiment: &Experiment,
    score: Option<&str>,
    sampler: usize,
    n_train: usize,
    repetition: usize,
    count: Option<usize>,
) -> Result<(Cell, usize)> {
    let config = experiment.file.display();
    let scores = &experiment.scores;
    let score = match score {
        None => 0,
        Some(name) => scores
            .iter()
            .position(|s| s.label == name)
            .or_else(|| scores.iter().position(|s| s.kind() == name))
            .with_context(|| {
                let labels: Vec<&str> = scores.iter().map(|s| s.label.as_str()).collect();
                format!(
                    "score: no score `{name}` in {config} (it has: {})",
                    labels.join(", ")
                )
            })?,
    };
    let samplers = experiment.samplers.len();
    if sampler >= samplers {
        bail!("sampler: {config} has {samplers} sampler(s), indices 0..{samplers}");
    }
    if n_train < 2 {
        bail!("n-train must be ≥ 2 (got {n_train})");
    }
    let count = count.unwrap_or(experiment.sweep.samples);
    if count == 0 {
        bail!("samples must be ≥ 1");
    }
    let cell = Cell {
        score,
        sampler,
        n_train,
        seed: repetition,
    };
    Ok((cell, count))
}
