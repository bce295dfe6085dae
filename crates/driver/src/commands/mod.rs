//! The subcommands of `mangen`, one file each; what several share (the manifold arguments, points to a file or standard output) lives here.
#![allow(clippy::print_stdout)]

pub mod compare;
pub mod data;
pub mod evaluate;
pub mod fit;
pub mod merge;
pub mod metric;
pub mod plot;
pub mod sample;
pub mod score;
pub mod sweep;

pub use data::{DataArgs, data};
pub use evaluate::{EvaluateArgs, evaluate};
pub use fit::fit;
pub use merge::merge;
pub use metric::{metric_coverage, metric_fidelity, metric_nn, metric_wasserstein};
pub use plot::plot;
pub use sample::{SampleArgs, sample};
pub use score::{ScoreArgs, score};
pub use sweep::{SweepArgs, sweep, sweep_with};

use crate::experiment::Experiment;
use crate::models::build_manifold;
use crate::points::write_points;
use crate::profile::Profile;
use crate::schema::{EmbeddingKind, ManifoldSpec};
use anyhow::{Context, Result};
use clap::Args;
use mangen_measures::{DensityMeasure, Measure};
use ndarray::Array2;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Writes points with a header to `out`, or to standard output when `None`.
pub fn output_points(values: &Array2<f64>, header: &[String], out: Option<&Path>) -> Result<()> {
    match out {
        Some(path) => write_points(path, values, Some(header)),
        None => print_points(values, header),
    }
}

fn print_points(values: &Array2<f64>, header: &[String]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut writer = csv::Writer::from_writer(stdout.lock());
    writer.write_record(header)?;
    for row in values.outer_iter() {
        writer.write_record(row.iter().map(|v| v.to_string()))?;
    }
    writer.flush()?;
    Ok(())
}

/// The cell of a sweep a command reproduces: the experiment (under a profile), N and the
/// repetition index.
#[derive(Debug, Clone, Args)]
pub struct CellArgs {
    /// The experiment config.
    #[arg(long)]
    pub experiment: PathBuf,
    /// Training-set size N.
    #[arg(long)]
    pub n_train: usize,
    /// Repetition index (the training set and noise of that seed in the sweep).
    #[arg(long)]
    pub seed: usize,
    /// The profile whose sweep the cell belongs to (its samples per cell are the default counts).
    #[arg(long, default_value = "standard")]
    pub profile: Profile,
}

impl CellArgs {
    /// The checked experiment, once N is known to be one a sweep could run.
    pub fn load(&self) -> Result<Experiment> {
        if self.n_train < 2 {
            anyhow::bail!("--n-train must be ≥ 2 (got {})", self.n_train);
        }
        Experiment::load(&self.experiment, self.profile)
    }
}

/// Which manifold (and law) `metric fidelity|coverage` measure against.
#[derive(Debug, Clone, Args)]
pub struct ManifoldArgs {
    /// An experiment config: its manifold, embedding and data law.
    #[arg(
        long,
        conflicts_with = "manifold",
        required_unless_present = "manifold"
    )]
    pub experiment: Option<PathBuf>,
    /// A manifold as a TOML table in the config's syntax, e.g. 'kind = "sphere", k = 2'
    /// (standard embedding, uniform law).
    #[arg(long, requires = "ambient_dim")]
    pub manifold: Option<String>,
    /// Ambient dimension D of --manifold.
    #[arg(long)]
    pub ambient_dim: Option<usize>,
}

impl ManifoldArgs {
    /// The manifold and its law.
    pub fn law(&self) -> Result<Arc<dyn Measure>> {
        if let Some(file) = &self.experiment {
            let experiment = Experiment::load(file, Profile::Standard)?;
            return Ok(experiment.measure);
        }
        let text = self
            .manifold
            .as_deref()
            .context("give --experiment or --manifold")?;
        /// `--manifold` is the body of an inline table: `kind = "sphere", k = 2`.
        #[derive(serde::Deserialize)]
        struct Inline {
            manifold: ManifoldSpec,
        }
        let spec = toml::from_str::<Inline>(&format!("manifold = {{ {text} }}"))
            .map_err(|err| anyhow::anyhow!("--manifold: {err}"))?
            .manifold;
        let ambient = self.ambient_dim.context("--manifold needs --ambient-dim")?;
        let (manifold, _) = build_manifold(&spec, ambient, EmbeddingKind::Standard, 0)
            .map_err(|err| anyhow::anyhow!("--manifold: {err}"))?;
        Ok(Arc::new(DensityMeasure::uniform(manifold)))
    }
}
