//! `mangen fit`: slopes.csv from an experiment's runs.csv.

use crate::experiment::Experiment;
use crate::fit::{fit_experiment, write_slopes};
use crate::profile::Profile;
use crate::runs::read_runs;
use anyhow::Result;
use std::path::Path;

/// `mangen fit`: slopes.csv from a runs.csv.
pub fn fit(experiment: &Path, runs: &Path, out: &Path) -> Result<()> {
    let experiment = Experiment::load(experiment, Profile::Standard)?;
    let rows = read_runs(runs)?;
    let slopes = fit_experiment(&experiment, &rows)?;
    write_slopes(out, &slopes)
}
