//! The `mangen` binary: sweep, merge, fit, plot, sample, data, evaluate, score and metric subcommands; every error exits 2.
#![allow(clippy::print_stderr)]

use clap::{Parser, Subcommand};
use mangen_driver::commands;
use std::path::PathBuf;
use std::process::ExitCode;

/// Measures, on synthetic manifold data, how diffusion models generalize before they memorize.
#[derive(Debug, Parser)]
#[command(name = "mangen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the N-sweep of experiments and writes runs.csv, slopes.csv, plots, a manifest and summary.md.
    Sweep(commands::SweepArgs),
    /// Combines the shards of a sweep (`mangen sweep --shard I/N`) into the reports of a single run.
    Merge {
        /// The output folders of the shards.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Where the reports go.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// No progress output.
        #[arg(long)]
        quiet: bool,
    },
    /// Fits log–log slopes to a runs.csv and writes slopes.csv.
    Fit {
        /// The experiment config the runs came from.
        #[arg(long)]
        experiment: PathBuf,
        /// The runs.csv to fit.
        #[arg(long)]
        runs: PathBuf,
        /// Where to write slopes.csv.
        #[arg(long)]
        out: PathBuf,
    },
    /// Draws the SVG plots of a runs.csv and its slopes.csv.
    Plot {
        /// The experiment config the runs came from.
        #[arg(long)]
        experiment: PathBuf,
        /// The runs.csv.
        #[arg(long)]
        runs: PathBuf,
        /// The slopes.csv (fitted lines are left out without it).
        #[arg(long)]
        slopes: Option<PathBuf>,
        /// The folder for the SVG files.
        #[arg(long)]
        out_dir: PathBuf,
    },
    /// Generates samples with one score of an experiment at a training-set size and seed.
    Sample(commands::SampleArgs),
    /// Writes an array of one cell of a sweep: its training set, fresh sample of μ or coverage centres.
    Data(commands::DataArgs),
    /// Puts a file of samples from any model through every metric of a sweep cell, with its nulls.
    Evaluate(commands::EvaluateArgs),
    /// Evaluates a score at query points: one row per query with its D components.
    Score(commands::ScoreArgs),
    /// Computes a metric of point sets.
    #[command(subcommand)]
    Metric(MetricCommand),
    /// Runs the memorizer job here and in the dense NumPy/SciPy baseline on the same inputs,
    /// checks that they agree and prints the time ratios (`cargo xtask compare` sets it up).
    Compare(commands::compare::CompareArgs),
}

#[derive(Debug, Subcommand)]
enum MetricCommand {
    /// Exact W_p between two equal-size point sets (optimal assignment); prints the value alone.
    Wasserstein {
        /// First point set.
        #[arg(long)]
        a: PathBuf,
        /// Second point set.
        #[arg(long)]
        b: PathBuf,
        /// Order p ≥ 1.
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        p: f64,
    },
    /// Distances d1, d2 from each query to its nearest and second-nearest training point.
    Nn {
        /// Training points.
        #[arg(long)]
        train: PathBuf,
        /// Query points.
        #[arg(long)]
        query: PathBuf,
        /// Output CSV (standard output when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Distance of each sample to a named manifold: prints mean, median, q95, max.
    Fidelity {
        /// Samples.
        #[arg(long)]
        samples: PathBuf,
        #[command(flatten)]
        manifold: commands::ManifoldArgs,
        /// Per-sample distances (CSV), when wanted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Coverage ratios of samples over balls of a named manifold's law: prints one row per radius.
    Coverage {
        /// Samples.
        #[arg(long)]
        samples: PathBuf,
        #[command(flatten)]
        manifold: commands::ManifoldArgs,
        /// Ball radii r (comma-separated).
        #[arg(
            long,
            value_delimiter = ',',
            required = true,
            allow_negative_numbers = true
        )]
        radius: Vec<f64>,
        /// Fidelity tube α.
        #[arg(long, allow_negative_numbers = true)]
        tube: f64,
        /// Number of ball centres, fresh from μ.
        #[arg(long, default_value_t = 1000)]
        centres: usize,
        /// Seed of the centres.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    mangen_driver::blas::single_threaded();
    mangen_train::allocator::keep_freed_blocks();
    let cli = Cli::parse();
    let threads = match &cli.command {
        Command::Sweep(args) => args.threads,
        _ => None,
    };
    if let Err(err) = mangen_driver::threads::start(threads) {
        eprintln!("mangen: error: {err:#}");
        return ExitCode::from(2);
    }
    let outcome = match cli.command {
        Command::Sweep(args) => commands::sweep(&args),
        Command::Merge { shards, out, quiet } => commands::merge(&shards, &out, quiet),
        Command::Compare(args) => commands::compare::compare(&args),
        Command::Fit {
            experiment,
            runs,
            out,
        } => commands::fit(&experiment, &runs, &out),
        Command::Plot {
            experiment,
            runs,
            slopes,
            out_dir,
        } => commands::plot(&experiment, &runs, slopes.as_deref(), &out_dir),
        Command::Sample(args) => commands::sample(&args),
        Command::Score(args) => commands::score(&args),
        Command::Data(args) => commands::data(&args),
        Command::Evaluate(args) => commands::evaluate(&args),
        Command::Metric(MetricCommand::Wasserstein { a, b, p }) => {
            commands::metric_wasserstein(&a, &b, p)
        }
        Command::Metric(MetricCommand::Nn { train, query, out }) => {
            commands::metric_nn(&train, &query, out.as_deref())
        }
        Command::Metric(MetricCommand::Fidelity {
            samples,
            manifold,
            out,
        }) => commands::metric_fidelity(&samples, &manifold, out.as_deref()),
        Command::Metric(MetricCommand::Coverage {
            samples,
            manifold,
            radius,
            tube,
            centres,
            seed,
        }) => commands::metric_coverage(&samples, &manifold, &radius, tube, centres, seed),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("mangen: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
