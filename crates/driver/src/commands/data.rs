//! `mangen data`: the arrays of one sweep cell (its training set, its fresh sample of μ, its coverage centres), exactly as the sweep draws them.

use crate::cell::{CellStreams, Purpose, training_set};
use crate::commands::CellArgs;
use crate::experiment::Experiment;
use crate::metrics::coverage::{self, Coverage};
use crate::points::write_points;
use anyhow::{Context, Result};
use clap::Args;
use ndarray::Array2;
use std::path::PathBuf;

/// Which array of the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// The training set: N points of μ, the same for every score of the cell.
    Training,
    /// The fresh sample of μ the metrics' nulls use, as many points as the profile's samples per
    /// cell (the nulls of `mangen evaluate` use as many as the samples evaluated).
    Fresh,
    /// The ball centres of the coverage metric.
    Centres,
}

/// `mangen data`.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// The cell.
    #[command(flatten)]
    pub cell: CellArgs,
    /// Which array.
    #[arg(long, value_enum, default_value = "training")]
    pub what: What,
    /// Output file (`.npy` or CSV, by its extension).
    #[arg(long)]
    pub out: PathBuf,
}

/// Writes one array of a sweep cell.
pub fn data(args: &DataArgs) -> Result<()> {
    let experiment = args.cell.load()?;
    let points = cell_array(&experiment, args.what, args.cell.n_train, args.cell.seed)?;
    write_points(&args.out, &points, None)
}

/// One array of the sweep cell (N, repetition) of an experiment.
pub fn cell_array(
    experiment: &Experiment,
    what: What,
    n_train: usize,
    repetition: usize,
) -> Result<Array2<f64>> {
    let streams = CellStreams::new(experiment.seed, n_train, repetition);
    Ok(match what {
        What::Training => training_set(experiment, n_train, repetition),
        What::Fresh => experiment.measure.sample(
            experiment.sweep.samples,
            &mut streams.stream(Purpose::Fresh),
        ),
        What::Centres => {
            let entry = experiment
                .raw
                .metrics
                .get(coverage::KIND.key)
                .with_context(|| {
                    format!(
                        "centres: {} has no coverage metric",
                        experiment.file.display()
                    )
                })?;
            let metric = Coverage::from_entry(entry)
                .map_err(|err| anyhow::anyhow!("metrics.coverage.{}: {}", err.field, err.rule))?;
            metric.draw_centres(
                experiment.measure.as_ref(),
                &mut streams.metric_stream(coverage::KIND.key),
            )
        }
    })
}
