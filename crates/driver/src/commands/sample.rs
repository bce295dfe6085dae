//! `mangen sample`: the generated samples of one cell of a sweep, exactly as the sweep draws them.

use crate::cell::{Cell, generate};
use crate::experiment::Experiment;
use crate::points::write_points;
use crate::profile::Profile;
use anyhow::{Context, Result, bail};
use clap::Args;
use mangen_samplers::RunOptions;
use std::path::PathBuf;

/// `mangen sample`.
#[derive(Debug, Clone, Args)]
pub struct SampleArgs {
    /// The experiment config.
    #[arg(long)]
    pub experiment: PathBuf,
    /// Training-set size N.
    #[arg(long)]
    pub n_train: usize,
    /// Repetition index (the training set and noise of that seed in the sweep).
    #[arg(long)]
    pub seed: usize,
    /// Score label or kind (the first `[[score]]` when absent).
    #[arg(long)]
    pub score: Option<String>,
    /// Index of the `[[sampler]]` (0-based).
    #[arg(long, default_value_t = 0)]
    pub sampler: usize,
    /// Number of samples (the profile's samples per cell when absent).
    #[arg(long)]
    pub samples: Option<usize>,
    /// The profile whose sample count is the default.
    #[arg(long, default_value = "standard")]
    pub profile: Profile,
    /// Output CSV.
    #[arg(long)]
    pub out: PathBuf,
}

/// Generates samples exactly as the sweep's cell (score, sampler, N, seed) does.
pub fn sample(args: &SampleArgs) -> Result<()> {
    let experiment = Experiment::load(&args.experiment, args.profile)?;
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
                    "--score: no score `{name}` in {} (it has: {})",
                    args.experiment.display(),
                    labels.join(", ")
                )
            })?,
    };
    let samplers = experiment.samplers.len();
    if args.sampler >= samplers {
        bail!(
            "--sampler: {} has {} sampler(s), indices 0..{}",
            args.experiment.display(),
            samplers,
            samplers
        );
    }
    if args.n_train < 2 {
        bail!("--n-train must be ≥ 2 (got {})", args.n_train);
    }
    let count = args.samples.unwrap_or(experiment.sweep.samples);
    if count == 0 {
        bail!("--samples must be ≥ 1");
    }
    let cell = Cell {
        score,
        sampler: args.sampler,
        n_train: args.n_train,
        seed: args.seed,
    };
    let generated = generate(&experiment, &cell, count, false, &RunOptions::default())?;
    write_points(&args.out, &generated.samples, None)
}
