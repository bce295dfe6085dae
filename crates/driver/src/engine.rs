//! The sweep engine: runs cells in parallel, journaling each as it finishes, and writes an
//! experiment's reports from its finished cells: runs.csv in report order, slopes.csv, the plots.

use crate::band::CoverageBand;
use crate::cell::{Cell, describe, plan, run_cell};
use crate::experiment::Experiment;
use crate::fit::{NULL_SCORE, SlopeRow, fit_experiment, write_slopes};
use crate::journal::{FinishedCell, Journal};
use crate::metric::Shape;
use crate::output::create_dir;
use crate::plot::{plot_experiment, point_stats};
use crate::runs::{Row, write_runs};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How long one cell took.
#[derive(Debug, Clone, PartialEq)]
pub struct CellTiming {
    /// The cell.
    pub cell: Cell,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// What one experiment's sweep produced.
#[derive(Debug, Clone)]
pub struct ExperimentReport {
    /// The experiment name.
    pub name: String,
    /// Its report folder.
    pub dir: PathBuf,
    /// The fitted slopes.
    pub slopes: Vec<SlopeRow>,
    /// The plots written.
    pub plots: Vec<PathBuf>,
    /// Every cell's time, in report order.
    pub timings: Vec<CellTiming>,
    /// Per-N means of the metrics that are fractions or indices (no slope is fitted to them).
    pub fractions: Vec<FractionCurve>,
    /// The per-radius coverage at the largest N, when coverage is measured.
    pub band: Option<CoverageBand>,
}

/// The per-N means of one fraction metric of one score and sampler.
#[derive(Debug, Clone, PartialEq)]
pub struct FractionCurve {
    /// The metric.
    pub metric: String,
    /// Score label.
    pub score: String,
    /// Sampler label.
    pub sampler: String,
    /// (N, mean over seeds), N ascending.
    pub means: Vec<(usize, f64)>,
}

/// The per-N means of every unscaled fraction metric, in row order of first appearance.
fn fraction_curves(experiment: &Experiment, rows: &[Row]) -> Vec<FractionCurve> {
    let infos = experiment.metric_infos();
    let nulls: Vec<&String> = infos.iter().filter_map(|i| i.null.as_ref()).collect();
    let fractions: Vec<&String> = infos
        .iter()
        .filter(|info| info.shape == Shape::Fraction && !info.scaled)
        .map(|info| &info.name)
        .collect();
    let first_score = rows.first().map(|r| r.score.as_str());
    let mut curves: Vec<FractionCurve> = Vec::new();
    // Nulls are the same for every score of a seed: shown once, as score `null`.
    let shown = |r: &&Row| {
        fractions.contains(&&r.metric)
            && (!nulls.contains(&&r.metric) || Some(r.score.as_str()) == first_score)
    };
    for row in rows.iter().filter(shown) {
        let score = if nulls.contains(&&row.metric) {
            NULL_SCORE
        } else {
            row.score.as_str()
        };
        let known = curves
            .iter()
            .any(|c| c.metric == row.metric && c.score == score && c.sampler == row.sampler);
        if known {
            continue;
        }
        let same = rows
            .iter()
            .filter(|r| r.metric == row.metric && r.score == row.score && r.sampler == row.sampler);
        curves.push(FractionCurve {
            metric: row.metric.clone(),
            score: score.to_string(),
            sampler: row.sampler.clone(),
            means: point_stats(same)
                .into_iter()
                .map(|p| (p.n as usize, p.mean))
                .collect(),
        });
    }
    curves
}

/// Shows the sweep's progress: a bar with ETA on a terminal, else one line per finished cell.
pub struct Progress {
    bar: ProgressBar,
    quiet: bool,
}

impl Progress {
    /// Progress over `total` cells.
    pub fn new(total: usize, quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(total as u64)
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:32}] {pos}/{len} cells · ETA {eta} · {msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        Self { bar, quiet }
    }

    fn finished(&self, what: &str, seconds: f64) {
        self.bar.inc(1);
        if self.bar.is_hidden() && !self.quiet {
            let position = self.bar.position();
            let total = self.bar.length().unwrap_or(0);
            eprintln!("mangen: [{position}/{total}] {what} ({seconds:.2} s)");
        } else {
            self.bar.set_message(what.to_string());
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs the cells `todo` (plan indices) of `experiment` in parallel, largest N first, recording
/// each in the journal as it finishes.
pub fn run_cells(
    experiment: &Experiment,
    todo: &[usize],
    journal: &Journal,
    progress: &Progress,
) -> Result<()> {
    let cells = plan(experiment);
    let mut by_cost: Vec<(usize, Cell)> = todo.iter().map(|&i| (i, cells[i])).collect();
    by_cost.sort_by_key(|(i, c)| (std::cmp::Reverse(c.n_train), *i));
    // Handed out one cell at a time, so that the long cells do not end up last.
    by_cost
        .into_iter()
        .par_bridge()
        .try_for_each(|(index, cell)| {
            let clock = Instant::now();
            let what = describe(experiment, &cell);
            let rows = run_cell(experiment, &cell).with_context(|| format!("cell {what}"))?;
            let seconds = clock.elapsed().as_secs_f64();
            journal.record(index, &rows, seconds)?;
            progress.finished(&what, seconds);
            Ok(())
        })
}

/// Fails, naming one missing cell, unless `finished` holds every cell of the experiment's plan.
pub fn check_complete(
    experiment: &Experiment,
    finished: &BTreeMap<usize, FinishedCell>,
) -> Result<()> {
    let cells = plan(experiment);
    match (0..cells.len()).find(|i| !finished.contains_key(i)) {
        None => Ok(()),
        Some(missing) => bail!(
            "{} of the {} cells of `{}` are missing, among them {}",
            cells.len() - finished.len(),
            cells.len(),
            experiment.name,
            describe(experiment, &cells[missing])
        ),
    }
}

/// Writes the reports of `experiment` into `out/<name>/` from its finished cells, which must be
/// all the cells of its plan: runs.csv in report order, slopes.csv and the plots.
pub fn report_experiment(
    experiment: &Experiment,
    finished: &BTreeMap<usize, FinishedCell>,
    out: &Path,
) -> Result<ExperimentReport> {
    check_complete(experiment, finished)?;
    let cells = plan(experiment);
    let dir = out.join(&experiment.name);
    create_dir(&dir)?;
    let timings = cells
        .iter()
        .zip(finished.values())
        .map(|(cell, done)| CellTiming {
            cell: *cell,
            seconds: done.seconds,
        })
        .collect();
    let rows: Vec<Row> = finished
        .values()
        .flat_map(|done| done.rows.clone())
        .collect();
    write_runs(&dir.join("runs.csv"), &rows)?;
    let slopes = fit_experiment(experiment, &rows)?;
    write_slopes(&dir.join("slopes.csv"), &slopes)?;
    let mut plots = plot_experiment(experiment, &rows, &slopes, &dir)?;
    let band = CoverageBand::of(&rows, experiment.samplers.len() > 1);
    if let Some(band) = &band {
        plots.push(band.plot(&experiment.name, &dir)?);
    }
    Ok(ExperimentReport {
        name: experiment.name.clone(),
        dir,
        slopes,
        plots,
        timings,
        fractions: fraction_curves(experiment, &rows),
        band,
    })
}

/// A deterministic share of a sweep's cells: `--shard I/N` runs the cells whose position in the
/// whole sweep (experiments in order, each in report order) is I − 1 modulo N. Consecutive cells
/// cost about the same, so the shares take about equally long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index of this share.
    pub index: usize,
    /// Number of shares.
    pub count: usize,
}

impl Shard {
    /// The whole sweep, as one share.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether this share runs the cell at `position` of the whole sweep.
    pub fn owns(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// The plan indices this share owns of each experiment's plan, given the plan lengths.
    pub fn owned(self, plan_lengths: &[usize]) -> Vec<Vec<usize>> {
        let mut position = 0;
        plan_lengths
            .iter()
            .map(|&length| {
                let owned = (0..length).filter(|i| self.owns(position + i)).collect();
                position += length;
                owned
            })
            .collect()
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        let usage = || format!("`{text}` is not a shard I/N with 1 ≤ I ≤ N (for example 2/3)");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = index.trim().parse().map_err(|_| usage())?;
        let count: usize = count.trim().parse().map_err(|_| usage())?;
        if index == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_sweep_into_disjoint_shares_that_cover_it() {
        let lengths = [7, 1, 0, 12];
        let shares: Vec<Vec<Vec<usize>>> = (1..=3)
            .map(|index| Shard { index, count: 3 }.owned(&lengths))
            .collect();
        for (experiment, &length) in lengths.iter().enumerate() {
            let mut all: Vec<usize> = shares
                .iter()
                .flat_map(|share| share[experiment].clone())
                .collect();
            all.sort_unstable();
            assert_eq!(all, (0..length).collect::<Vec<_>>());
        }
        let sizes: Vec<usize> = shares
            .iter()
            .map(|s| s.iter().map(Vec::len).sum())
            .collect();
        assert_eq!(sizes, vec![7, 7, 6]);
        assert_eq!(Shard::WHOLE.owned(&lengths)[3].len(), 12);
    }

    #[test]
    fn a_shard_is_read_as_i_of_n() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
