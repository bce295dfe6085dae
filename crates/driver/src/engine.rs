//! The sweep engine: runs the cells of each experiment in parallel, journals finished cells to
//! runs.csv as they finish, then writes the final runs.csv in report order, slopes.csv and the plots.

use crate::cell::{Cell, describe, plan, run_cell};
use crate::config::Experiment;
use crate::fit::{NULL_SCORE, SlopeRow, fit_experiment, write_slopes};
use crate::output::create_dir;
use crate::plot::{plot_experiment, point_stats};
use crate::registry::{Shape, metric_infos};
use crate::runs::{Row, header, rows_to_csv, write_runs};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
    let infos = metric_infos(&experiment.raw);
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

/// Runs every cell of `experiment` and writes its reports into `out/<name>/`.
pub fn sweep_experiment(
    experiment: &Experiment,
    out: &Path,
    progress: &Progress,
) -> Result<ExperimentReport> {
    let dir = out.join(&experiment.name);
    create_dir(&dir)?;
    let runs_path = dir.join("runs.csv");
    let journal = Mutex::new(start_journal(&runs_path)?);
    let cells = plan(experiment);
    let mut by_cost: Vec<(usize, Cell)> = cells.iter().copied().enumerate().collect();
    by_cost.sort_by_key(|(i, c)| (std::cmp::Reverse(c.n_train), *i));
    // Largest N first, handed out one cell at a time, so that the long cells do not end up last.
    let mut results: Vec<(usize, Vec<Row>, f64)> = by_cost
        .into_iter()
        .par_bridge()
        .map(|(position, cell)| {
            let clock = Instant::now();
            let what = describe(experiment, &cell);
            let rows = run_cell(experiment, &cell).with_context(|| format!("cell {what}"))?;
            let seconds = clock.elapsed().as_secs_f64();
            let text = rows_to_csv(&rows)?;
            {
                let mut file = journal.lock().expect("no panic while journaling");
                file.write_all(&text)
                    .with_context(|| format!("cannot append to {}", runs_path.display()))?;
            }
            progress.finished(&what, seconds);
            Ok((position, rows, seconds))
        })
        .collect::<Result<_>>()?;
    results.sort_by_key(|(position, _, _)| *position);
    let timings = results
        .iter()
        .map(|(position, _, seconds)| CellTiming {
            cell: cells[*position],
            seconds: *seconds,
        })
        .collect();
    let rows: Vec<Row> = results.into_iter().flat_map(|(_, rows, _)| rows).collect();
    write_runs(&runs_path, &rows)?;
    let slopes = fit_experiment(&experiment.raw, &experiment.name, &rows)?;
    write_slopes(&dir.join("slopes.csv"), &slopes)?;
    let plots = plot_experiment(&experiment.raw, &experiment.name, &rows, &slopes, &dir)?;
    Ok(ExperimentReport {
        name: experiment.name.clone(),
        dir,
        slopes,
        plots,
        timings,
        fractions: fraction_curves(experiment, &rows),
    })
}

/// Starts runs.csv afresh with its header; finished cells are appended whole as they finish.
fn start_journal(path: &Path) -> Result<std::fs::File> {
    let mut file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    writeln!(file, "{}", header()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(file)
}
