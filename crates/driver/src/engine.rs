//! The sweep engine: runs an experiment's cells in parallel, largest N first, journaling each as it finishes, over the share of a shard, then writes the reports.
#![allow(clippy::print_stderr)]

use crate::cell::{Cell, describe, plan, run_cell};
use crate::experiment::Experiment;
use crate::experiment_report::report_experiment;
use crate::journal::{JOURNAL_DIR, Journal};
use crate::lock::OutputLock;
use crate::profile::Profile;
use crate::progress::Progress;
use crate::report::{Manifest, write_reports};
use crate::shard::Shard;
use crate::shared_rows::SharedRows;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::path::PathBuf;

/// Runs the cells `todo` (plan indices) of `experiment` in parallel, largest N first, recording
/// each in the journal as it finishes.
pub fn run_cells(
    experiment: &Experiment,
    todo: &[usize],
    journal: &Journal,
    progress: &Progress,
) -> Result<()> {
    let cells = plan(experiment);
    let shared = SharedRows::new();
    let mut by_cost: Vec<(usize, Cell)> = todo.iter().map(|&i| (i, cells[i])).collect();
    by_cost.sort_by_key(|(i, c)| (std::cmp::Reverse(c.n_train), *i));
    // Handed out one cell at a time, so that the long cells do not end up last.
    by_cost
        .into_iter()
        .par_bridge()
        .try_for_each(|(index, cell)| {
            let what = describe(experiment, &cell);
            let kept = journal.progress(index)?;
            let rows = run_cell(experiment, &cell, Some(&kept), &shared)
                .with_context(|| format!("cell {what}"))?;
            let seconds = kept.seconds();
            journal.record(index, &rows, seconds)?;
            progress.finished(&what, seconds);
            Ok(())
        })
}

/// Asks each score what it will read in the cells `todo` (plan indices) before anything is
/// written: a missing or malformed external sample file stops the sweep here, naming the cell
/// and the file.
fn check_cells(experiment: &Experiment, todo: &[usize]) -> Result<()> {
    let cells = plan(experiment);
    for (index, score) in experiment.scores.iter().enumerate() {
        let mut own: Vec<(usize, usize)> = todo
            .iter()
            .map(|&i| cells[i])
            .filter(|cell| cell.score == index)
            .map(|cell| (cell.n_train, cell.seed))
            .collect();
        own.sort_unstable();
        own.dedup();
        score
            .builder
            .check_cells(&own, experiment.manifold.ambient_dim())
            .with_context(|| format!("{}: before the sweep", experiment.file.display()))?;
    }
    Ok(())
}

/// Where and how a sweep runs.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// The output folder: reports, and the journal under `journal/`.
    pub out: PathBuf,
    /// The profile the experiments were checked for.
    pub profile: Profile,
    /// The share of the cells to run (`None`: all, and then the reports).
    pub shard: Option<Shard>,
    /// Keep the cells an earlier run of the same sweep finished.
    pub resume: bool,
    /// No progress output.
    pub quiet: bool,
}

/// Runs the cells of `experiments` that `run` owns, journaling each as it finishes, while holding
/// the lock of the output folder; without a shard, then writes every report.
pub fn run_sweep(experiments: &[Experiment], run: &SweepRun) -> Result<()> {
    let shard = run.shard.unwrap_or(Shard::WHOLE);
    let lengths: Vec<usize> = experiments
        .iter()
        .map(|e| crate::cell::plan(e).len())
        .collect();
    let owned = shard.owned(&lengths);
    for (experiment, owned) in experiments.iter().zip(&owned) {
        check_cells(experiment, owned)?;
    }
    let _lock = OutputLock::acquire(&run.out, "sweep")?;
    let mut journals = Vec::new();
    let mut todo = Vec::new();
    for (experiment, owned) in experiments.iter().zip(&owned) {
        let journal = Journal::open(&run.out, experiment, owned, run.resume)?;
        let finished = journal.finished_indices()?;
        todo.push(
            owned
                .iter()
                .copied()
                .filter(|i| finished.binary_search(i).is_err())
                .collect::<Vec<usize>>(),
        );
        journals.push(journal);
    }
    let owned_total: usize = owned.iter().map(Vec::len).sum();
    let total: usize = todo.iter().map(Vec::len).sum();
    if !run.quiet {
        let share = match run.shard {
            Some(shard) => format!("shard {shard}, "),
            None => String::new(),
        };
        let resumed = match owned_total - total {
            0 => String::new(),
            done => format!(" ({done} finished before, kept)"),
        };
        eprintln!(
            "mangen: sweep, profile {}, {} experiment(s), {share}{total} cells to run{resumed}, {} threads, reports in {}",
            run.profile,
            experiments.len(),
            rayon::current_num_threads(),
            run.out.display()
        );
    }
    let progress = Progress::new(total, run.quiet);
    for ((experiment, journal), todo) in experiments.iter().zip(&journals).zip(&todo) {
        run_cells(experiment, todo, journal, &progress)?;
    }
    progress.finish();
    if let Some(shard) = run.shard {
        if !run.quiet {
            eprintln!(
                "mangen: shard {shard} done; its cells are in {}. Combine the shards with `mangen merge <shard folders> --out <folder>`",
                run.out.join(JOURNAL_DIR).display()
            );
        }
        return Ok(());
    }
    let mut reports = Vec::new();
    for (experiment, journal) in experiments.iter().zip(&journals) {
        let finished = journal.finished(experiment)?;
        reports.push(report_experiment(experiment, &finished, &run.out)?);
    }
    let manifest = Manifest::new(
        run.profile,
        Some(rayon::current_num_threads()),
        experiments,
        &reports,
    );
    write_reports(&manifest, experiments, &reports, &run.out, run.quiet)
}
