//! One experiment's reports from its finished cells: runs.csv in report order, slopes.csv, the plots, the coverage band and the fraction curves of summary.md.

use crate::band::CoverageBand;
use crate::cell::{Cell, describe, plan};
use crate::densities::plot_model_densities;
use crate::experiment::Experiment;
use crate::fit::{NULL_SCORE, SlopeRow, fit_experiment, write_slopes};
use crate::journal::FinishedCell;
use crate::metric::Shape;
use crate::output::create_dir;
use crate::phase::{BoundaryPoint, PhaseMap, boundaries, boundary_rows, phase_maps};
use crate::plot::{PointStat, plot_experiment, point_stats};
use crate::runs::{Row, write_runs};
use crate::training::{TrainingCurve, least_along_training, plot_training, training_curves};
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// Per-N means of the rate metrics (the curves of slopes.csv), for figures across
    /// experiments.
    pub rates: Vec<RateCurve>,
    /// A trained score's rate metrics along its checkpoints.
    pub training: Vec<TrainingCurve>,
    /// The phase boundary per N of each label beside the sweep axis.
    pub boundaries: Vec<(String, Vec<BoundaryPoint>)>,
    /// The phase maps over (N, axis value), with a sweep axis (drawn with the whole run, which
    /// may draw other experiments' boundaries on them).
    pub phase: Vec<PhaseMap>,
}

/// The per-N means and standard errors of one rate metric of one score and sampler.
#[derive(Debug, Clone, PartialEq)]
pub struct RateCurve {
    /// The metric.
    pub metric: String,
    /// Score label.
    pub score: String,
    /// Sampler label.
    pub sampler: String,
    /// Per-N means, N ascending.
    pub points: Vec<PointStat>,
}

/// The curve of every fitted slope row (nulls excluded), from the rows it was fitted on.
fn rate_curves(rows: &[Row], slopes: &[SlopeRow]) -> Vec<RateCurve> {
    slopes
        .iter()
        .filter(|s| s.score != NULL_SCORE)
        .map(|s| RateCurve {
            metric: s.metric.clone(),
            score: s.score.clone(),
            sampler: s.sampler.clone(),
            points: point_stats(
                rows.iter().filter(|r| {
                    r.metric == s.metric && r.score == s.score && r.sampler == s.sampler
                }),
            ),
        })
        .collect()
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
    let training = training_curves(experiment, &rows);
    // Early stopping at each (N, seed)'s best checkpoint, fitted and drawn against N.
    // ... and, with a sweep axis, the phase boundary at each (N, seed).
    let rows: Vec<Row> = [
        rows.clone(),
        least_along_training(experiment, &rows),
        boundary_rows(experiment, &rows),
    ]
    .concat();
    let slopes = fit_experiment(experiment, &rows)?;
    write_slopes(&dir.join("slopes.csv"), &slopes)?;
    // With one N, a plot against N is a column of dots: the training curves say it instead.
    let mut plots = if experiment.sweep.n_train.len() > 1 {
        plot_experiment(experiment, &rows, &slopes, &dir)?
    } else {
        Vec::new()
    };
    plots.extend(plot_training(&experiment.name, &training, &dir)?);
    plots.extend(plot_model_densities(experiment, &rows, &dir)?);
    let phase = phase_maps(experiment, &rows);
    let band = CoverageBand::of(&rows, experiment.samplers.len() > 1);
    if let Some(band) = &band {
        plots.push(band.plot(&experiment.name, &dir)?);
    }
    let rates = rate_curves(&rows, &slopes);
    Ok(ExperimentReport {
        name: experiment.name.clone(),
        dir,
        slopes,
        plots,
        timings,
        fractions: fraction_curves(experiment, &rows),
        band,
        rates,
        training,
        boundaries: boundaries(experiment, &phase, &rows),
        phase,
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
