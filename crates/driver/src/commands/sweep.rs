//! `mangen sweep`: resolves the experiment arguments, checks every config, and runs the sweep engine.

use crate::engine::{SweepRun, run_sweep};
use crate::experiment::{Experiment, LoadOptions};
use crate::profile::Profile;
use crate::registry::Registry;
use crate::shard::Shard;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};

/// `mangen sweep`.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Experiments to run: config files, or names of files in --experiments-dir; all of them when none.
    pub experiments: Vec<String>,
    /// quick (smoke test), standard or large.
    #[arg(long, default_value = "standard")]
    pub profile: Profile,
    /// Where the experiment configs live.
    #[arg(long, default_value = "data/experiments")]
    pub experiments_dir: PathBuf,
    /// Where the reports go: OUT/EXPERIMENT/{runs.csv, slopes.csv, *.svg}, manifest.toml, summary.md.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Worker threads (all cores when absent); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Multiply every sampler's step count (2 halves the step size: the discretization check).
    #[arg(long, default_value_t = 1)]
    pub steps_factor: usize,
    /// Continue an interrupted sweep: cells already in OUT/journal are kept, not run again.
    #[arg(long)]
    pub resume: bool,
    /// Run only the share I of N of the cells (for example 2/3), into OUT/journal; `mangen
    /// merge` combines the shares into the reports of a single run.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
}

impl SweepArgs {
    /// The standard sweep of the config files `experiments` into `out`, as `mangen sweep` runs
    /// it without options but `--quiet`.
    pub fn new(experiments: &[&Path], out: &Path) -> Self {
        Self {
            experiments: experiments
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            profile: Profile::Standard,
            experiments_dir: PathBuf::from("data/experiments"),
            out: out.to_path_buf(),
            threads: None,
            quiet: true,
            steps_factor: 1,
            resume: false,
            shard: None,
        }
    }
}

/// Resolves the experiment arguments into config files.
fn experiment_files(args: &SweepArgs) -> Result<Vec<PathBuf>> {
    let dir = &args.experiments_dir;
    let known = || -> Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list the experiments folder {}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        Ok(files)
    };
    if args.experiments.is_empty() {
        let files = known()?;
        if files.is_empty() {
            bail!("no experiment configs (*.toml) in {}", dir.display());
        }
        return Ok(files);
    }
    args.experiments
        .iter()
        .map(|name| {
            let path = PathBuf::from(name);
            if path.is_file() {
                return Ok(path);
            }
            let named = dir.join(format!("{name}.toml"));
            if named.is_file() {
                return Ok(named);
            }
            let names: Vec<String> = known()
                .unwrap_or_default()
                .iter()
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect();
            bail!(
                "unknown experiment `{name}`: neither a file nor a config in {} (known: {})",
                dir.display(),
                names.join(", ")
            )
        })
        .collect()
}

/// Runs the sweep with the built-in kinds of scores and metrics.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    sweep_with(args, &Registry::standard())
}

/// Runs the sweep with the kinds of `registry`: every config and journal is checked before any
/// cell runs.
pub fn sweep_with(args: &SweepArgs, registry: &Registry) -> Result<()> {
    let files = experiment_files(args)?;
    let options = LoadOptions {
        profile: args.profile,
        steps_factor: args.steps_factor,
        registry,
    };
    let experiments = files
        .iter()
        .map(|file| Experiment::load_with(file, &options))
        .collect::<Result<Vec<_>>>()?;
    if let Some(duplicate) = experiments
        .iter()
        .enumerate()
        .find(|(i, e)| experiments[..*i].iter().any(|other| other.name == e.name))
    {
        bail!(
            "two experiments are named `{}` ({}): their reports would share a folder",
            duplicate.1.name,
            duplicate.1.file.display()
        );
    }
    let run = SweepRun {
        out: args.out.clone(),
        profile: args.profile,
        shard: args.shard,
        resume: args.resume,
        quiet: args.quiet,
    };
    run_sweep(&experiments, &run)
}
