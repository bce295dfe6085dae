//! `mangen plot`: the SVG plots of an experiment's runs.csv and slopes.csv.
#![allow(clippy::print_stdout)]

use crate::experiment::Experiment;
use crate::fit::read_slopes;
use crate::output::create_dir;
use crate::plot::plot_experiment;
use crate::profile::Profile;
use crate::runs::read_runs;
use anyhow::Result;
use std::path::Path;

/// `mangen plot`: the SVG plots of a runs.csv.
pub fn plot(experiment: &Path, runs: &Path, slopes: Option<&Path>, out_dir: &Path) -> Result<()> {
    let experiment = Experiment::load(experiment, Profile::Standard)?;
    let rows = read_runs(runs)?;
    let slopes = match slopes {
        Some(path) => read_slopes(path)?,
        None => Vec::new(),
    };
    create_dir(out_dir)?;
    let written = plot_experiment(&experiment, &rows, &slopes, out_dir)?;
    for path in written {
        println!("{}", path.display());
    }
    Ok(())
}
