//! Training curves: a trained score's metrics against its checkpoint epochs at each N, with the early-stopping minimum and its spread over seeds, the first checkpoint at each training target, and each (N, seed)'s least value as a score of its own (`…@least`), as a table and one SVG per metric.

use crate::cell::base_label;
use crate::experiment::Experiment;
use crate::metric::Shape;
use crate::output::write_string;
use crate::plot::{SIZE, finish_chart, new_chart, plot_error};
use crate::runs::Row;
use anyhow::Result;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One metric of one trained score at one N, along its checkpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingCurve {
    /// The score's label without the epoch.
    pub score: String,
    /// The sampler's label.
    pub sampler: String,
    /// The metric.
    pub metric: String,
    /// N.
    pub n_train: usize,
    /// Per checkpoint epoch: the mean over seeds and the least and greatest seed's value.
    pub points: Vec<(usize, f64, f64, f64)>,
    /// The values by epoch, each keyed by its seed.
    seeds: BTreeMap<usize, BTreeMap<usize, f64>>,
}

impl TrainingCurve {
    /// The epoch of the least mean over seeds, with that mean and its seeds' range.
    pub fn least(&self) -> Option<(usize, f64, f64, f64)> {
        self.points
            .iter()
            .copied()
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The first checkpoint epoch whose mean over seeds is at or below `level`.
    pub fn first_at_or_below(&self, level: f64) -> Option<usize> {
        self.points
            .iter()
            .find(|&&(_, mean, _, _)| mean <= level)
            .map(|&(epoch, ..)| epoch)
    }

    /// The least and greatest of the seeds' own epochs of their least value (each seed's argmin).
    pub fn seed_least_epochs(&self) -> Option<(usize, usize)> {
        let seeds: std::collections::BTreeSet<usize> = self
            .seeds
            .values()
            .flat_map(|by_seed| by_seed.keys().copied())
            .collect();
        let least_of = |seed: &usize| {
            self.seeds
                .iter()
                .filter_map(|(epoch, by_seed)| by_seed.get(seed).map(|v| (*epoch, *v)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(epoch, _)| epoch)
        };
        let epochs: Vec<usize> = seeds.iter().filter_map(least_of).collect();
        Some((*epochs.iter().min()?, *epochs.iter().max()?))
    }

    /// The number of seeds with a value at `epoch`, when some seed has none there (its training
    /// diverged before it) while another has; `None` when every seed has one.
    pub fn missing_seeds(&self, epoch: usize) -> Option<(usize, usize)> {
        let most = self.seeds.values().map(BTreeMap::len).max()?;
        let here = self.seeds.get(&epoch).map_or(0, BTreeMap::len);
        (here < most).then_some((here, most))
    }

    /// `value [least, greatest]`, with the seed count when some seed has no value at `epoch`.
    fn cell(&self, epoch: usize, mean: f64, lo: f64, hi: f64) -> String {
        let text = format!("{mean:.4} [{lo:.4}, {hi:.4}]");
        match self.missing_seeds(epoch) {
            Some((here, most)) => format!("{text} ({here} of {most} seeds)"),
            None => text,
        }
    }
}

/// The training curves of an experiment's rate metrics and of the fractions with a training
/// target (nulls left out), in score, metric and N order; empty when no row carries an epoch. A
/// curve whose every checkpoint lacks a value (each seed diverged before the first) has no
/// points.
pub fn training_curves(experiment: &Experiment, rows: &[Row]) -> Vec<TrainingCurve> {
    let items = checkpoint_rows(experiment, rows, true).map(|(row, epoch, value)| {
        let key = (
            base_label(&row.score).to_string(),
            row.sampler.clone(),
            row.metric.clone(),
            row.n_train,
        );
        (key, (epoch, row.seed, value))
    });
    grouped_in_order(items)
        .into_iter()
        .map(|(key, values)| {
            let mut seeds: BTreeMap<usize, BTreeMap<usize, f64>> = BTreeMap::new();
            for (epoch, seed, value) in values {
                if let Some(value) = value {
                    seeds.entry(epoch).or_default().insert(seed, value);
                }
            }
            let points = seeds
                .iter()
                .map(|(epoch, by_seed)| {
                    let mean = by_seed.values().sum::<f64>() / by_seed.len() as f64;
                    let lo = by_seed.values().copied().fold(f64::INFINITY, f64::min);
                    let hi = by_seed.values().copied().fold(f64::NEG_INFINITY, f64::max);
                    (*epoch, mean, lo, hi)
                })
                .collect();
            let (score, sampler, metric, n_train) = key;
            TrainingCurve {
                score,
                sampler,
                metric,
                n_train,
                points,
                seeds,
            }
        })
        .collect()
}

/// The items grouped by key, the groups in the order their keys first appear and each group's
/// items in their own order.
pub fn grouped_in_order<K: Ord + Clone, T>(
    items: impl Iterator<Item = (K, T)>,
) -> Vec<(K, Vec<T>)> {
    let mut groups: BTreeMap<K, Vec<T>> = BTreeMap::new();
    let mut order = Vec::new();
    for (key, item) in items {
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(item);
    }
    order
        .into_iter()
        .map(|key| {
            let items = groups.remove(&key).unwrap_or_default();
            (key, items)
        })
        .collect()
}

/// What ends the label of the rows derived from a trained score's checkpoints, one per
/// (N, seed): the least value along its training.
pub const LEAST_MARK: &str = "@least";

/// Per trained score, sampler, rate metric (nulls left out), N and seed: the row of the least
/// value over the checkpoints, relabelled `score@least` and without an epoch, so that slopes
/// and plots against N treat early stopping at the best checkpoint as a score of its own. The
/// least of values with sampling noise is biased low by about that noise: read it beside the
/// checkpoints' own lines. Empty when no row carries an epoch.
pub fn least_along_training(experiment: &Experiment, rows: &[Row]) -> Vec<Row> {
    let items = checkpoint_rows(experiment, rows, false).filter_map(|(row, _, value)| {
        let key = (
            base_label(&row.score).to_string(),
            row.sampler.clone(),
            row.metric.clone(),
            row.n_train,
            row.seed,
        );
        Some((key, (row, value?)))
    });
    grouped_in_order(items)
        .into_iter()
        .filter_map(|((score, ..), values)| {
            // The first of equal least values, as min_by keeps.
            let (row, _) = values.into_iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
            Some(Row {
                score: format!("{score}{LEAST_MARK}"),
                epoch: None,
                ..row.clone()
            })
        })
        .collect()
}

/// The rows of checkpoints of a rate metric (nulls left out), and with `with_targets` of a
/// fraction or index with a training target, each with its epoch and its value where finite
/// (none at a checkpoint a diverged training never reached): what is read along training.
fn checkpoint_rows<'a>(
    experiment: &Experiment,
    rows: &'a [Row],
    with_targets: bool,
) -> impl Iterator<Item = (&'a Row, usize, Option<f64>)> {
    let infos = experiment.metric_infos();
    let nulls: Vec<&String> = infos.iter().filter_map(|i| i.null.as_ref()).collect();
    let targets = &experiment.fit.training_targets;
    let rates: Vec<String> = infos
        .iter()
        .filter(|i| !i.scaled && !nulls.contains(&&i.name))
        .filter(|i| i.shape == Shape::Rate || (with_targets && targets.contains_key(&i.name)))
        .map(|i| i.name.clone())
        .collect();
    rows.iter()
        .filter(move |row| rates.contains(&row.metric))
        .filter_map(|row| {
            let value = row.value.filter(|v| v.is_finite());
            Some((row, row.epoch?, value))
        })
}

/// The markdown table of the curves: the least mean over seeds and its epoch (the early-stopping
/// minimum of a distance to μ), the epochs of each seed's own least value, and the value at the
/// last checkpoint; with `targets` (levels by metric), also the first checkpoint whose mean is at
/// or below its metric's level; with `at_epochs`, the mean at each of those checkpoints ("–" for
/// a curve without it). A seed whose training diverged has no value after it; a mean over fewer
/// seeds says how many.
pub fn training_table(
    curves: &[TrainingCurve],
    targets: &BTreeMap<String, f64>,
    at_epochs: &[usize],
) -> String {
    let (mut extra_head, mut extra_rule) = if targets.is_empty() {
        (String::new(), String::new())
    } else {
        (
            " first epoch with mean ≤ target |".to_string(),
            "---|".to_string(),
        )
    };
    for epoch in at_epochs {
        extra_head += &format!(" mean at epoch {epoch} |");
        extra_rule += "---|";
    }
    let mut md = format!(
        "Training curves (mean over seeds at each checkpoint; least and greatest seed in brackets). The least \
         mean is the early-stopping point of a distance to μ (KL, W1) and of fidelity; of d1 it is the \
         training set's nearest approach:\n\n\
         | metric | score | N | epoch of the least mean | least mean | seeds' own least | last epoch | value there |{extra_head}\n\
         |---|---|---|---|---|---|---|---|{extra_rule}\n",
    );
    for curve in curves {
        let (Some((epoch, mean, lo, hi)), Some(&(last, last_mean, last_lo, last_hi))) =
            (curve.least(), curve.points.last())
        else {
            let unreached = " – |".repeat(usize::from(!targets.is_empty()) + at_epochs.len());
            let _ = writeln!(
                md,
                "| {} | {} | {} | – | no value at any checkpoint: every seed's training diverged before its first | – | – | – |{unreached}",
                curve.metric, curve.score, curve.n_train,
            );
            continue;
        };
        let (first_least, last_least) = curve.seed_least_epochs().unwrap_or((epoch, epoch));
        let mut extra_cells = match targets.get(&curve.metric) {
            _ if targets.is_empty() => String::new(),
            None => " – |".to_string(),
            Some(&level) => match curve.first_at_or_below(level) {
                Some(first) => format!(" {first} (≤ {level}) |"),
                None => format!(" not by {last} (≤ {level}) |"),
            },
        };
        for &at in at_epochs {
            extra_cells += &match curve.points.iter().find(|p| p.0 == at) {
                Some(&(_, mean, lo, hi)) => format!(" {} |", curve.cell(at, mean, lo, hi)),
                None => " – |".to_string(),
            };
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} | {epoch} | {} | {first_least}–{last_least} | {last} | {} |{extra_cells}",
            curve.metric,
            curve.score,
            curve.n_train,
            curve.cell(epoch, mean, lo, hi),
            curve.cell(last, last_mean, last_lo, last_hi),
        );
    }
    md
}

/// Draws one SVG per metric, `<metric>_epochs.svg`: each (score, N) curve's means joined, with
/// bars from the least to the greatest seed, on a log value axis.
pub fn plot_training(name: &str, curves: &[TrainingCurve], dir: &Path) -> Result<Vec<PathBuf>> {
    let mut metrics: Vec<&str> = Vec::new();
    for curve in curves {
        if !metrics.contains(&curve.metric.as_str()) {
            metrics.push(&curve.metric);
        }
    }
    let mut written = Vec::new();
    for metric in metrics {
        let mine: Vec<&TrainingCurve> = curves
            .iter()
            .filter(|c| c.metric == metric && !c.points.is_empty())
            .collect();
        let epochs = mine
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.0 as f64));
        let last = epochs.fold(1.0, f64::max);
        let values: Vec<f64> = mine
            .iter()
            .flat_map(|c| c.points.iter().flat_map(|p| [p.2, p.3]))
            .filter(|v| *v > 0.0)
            .collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(0.0, f64::max);
        if !(lo.is_finite() && hi > 0.0) {
            continue;
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            let mut chart = new_chart(
                &root,
                &format!("{name}: {metric} along training"),
                0.0..last * 1.03,
                (lo / 1.5..hi * 1.5).log_scale(),
                ("training epoch", metric),
            )?;
            for (i, curve) in mine.iter().enumerate() {
                let color = Palette99::pick(i).to_rgba();
                chart
                    .draw_series(curve.points.iter().map(|&(e, _, lo, hi)| {
                        ErrorBar::new_vertical(e as f64, lo, (lo * hi).sqrt(), hi, color, 6)
                    }))
                    .map_err(plot_error)?;
                chart
                    .draw_series(LineSeries::new(
                        curve.points.iter().map(|&(e, mean, _, _)| (e as f64, mean)),
                        color.stroke_width(2),
                    ))
                    .map_err(plot_error)?
                    .label(format!("{} · N = {}", curve.score, curve.n_train))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                    });
            }
            finish_chart(&mut chart, &root, SeriesLabelPosition::UpperRight)?;
        }
        let path = dir.join(format!("{metric}_epochs.svg"));
        write_string(&path, &svg)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn row(score: &str, epoch: usize, seed: usize, metric: &str, value: f64) -> Row {
        Row {
            experiment: "l1".into(),
            score: format!("{score}@epoch={epoch}"),
            sampler: "sde".into(),
            epoch: Some(epoch),
            n_train: 1000,
            seed,
            metric: metric.into(),
            value: Some(value),
            ..Row::default()
        }
    }

    #[test]
    fn the_least_mean_has_its_epoch_and_each_seed_its_own() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/experiments/l1_li_training_gmm.toml");
        let experiment = Experiment::load(&file, Profile::Quick).unwrap();
        // Seed 0 is least at epoch 200, seed 1 at epoch 300; the mean is least at 200.
        let values = [(100, [0.5, 0.6]), (200, [0.1, 0.3]), (300, [0.4, 0.2])];
        let mut rows = Vec::new();
        for (epoch, by_seed) in values {
            for (seed, v) in by_seed.into_iter().enumerate() {
                rows.push(row("net", epoch, seed, "kl_to_mu", v));
                rows.push(row("net", epoch, seed, "w1_to_mu_null", 9.0));
            }
        }
        let curves = training_curves(&experiment, &rows);
        assert_eq!(curves.len(), 1, "the null is left out: {curves:?}");
        let curve = &curves[0];
        assert_eq!(curve.score, "net");
        assert_eq!(curve.least(), Some((200, 0.2, 0.1, 0.3)));
        assert_eq!(curve.seed_least_epochs(), Some((200, 300)));
        let table = training_table(&curves, &BTreeMap::new(), &[]);
        assert!(
            table.contains("| kl_to_mu | net | 1000 | 200 | 0.2000 [0.1000, 0.3000] | 200–300 | 300 | 0.3000 [0.2000, 0.4000] |\n"),
            "{table}"
        );
        // Means 0.55, 0.2, 0.3: 0.3 is first reached at epoch 200, 0.1 never.
        let target = |level: f64| BTreeMap::from([("kl_to_mu".to_string(), level)]);
        let table = training_table(&curves, &target(0.3), &[]);
        assert!(
            table.contains("| first epoch with mean ≤ target |"),
            "{table}"
        );
        assert!(
            table.contains("| 0.3000 [0.2000, 0.4000] | 200 (≤ 0.3) |"),
            "{table}"
        );
        assert_eq!(curve.first_at_or_below(0.1), None);
        assert!(training_table(&curves, &target(0.1), &[]).contains("| not by 300 (≤ 0.1) |"));
        let other = BTreeMap::from([("w1_to_mu".to_string(), 0.1)]);
        assert!(training_table(&curves, &other, &[]).contains("| 0.3000 [0.2000, 0.4000] | – |"));
        // The mean at a named checkpoint, beside the target; "–" where the curve has none.
        let table = training_table(&curves, &target(0.3), &[200, 250]);
        assert!(
            table.contains("| first epoch with mean ≤ target | mean at epoch 200 | mean at epoch 250 |\n|---|---|---|---|---|---|---|---|---|---|---|\n"),
            "{table}"
        );
        assert!(
            table.contains("| 200 (≤ 0.3) | 0.2000 [0.1000, 0.3000] | – |\n"),
            "{table}"
        );
        let dir = tempfile::tempdir().unwrap();
        let plots = plot_training("l1", &curves, dir.path()).unwrap();
        assert_eq!(plots.len(), 1);
        let svg = std::fs::read_to_string(&plots[0]).unwrap();
        assert!(svg.contains("training epoch") && svg.contains("net · N = 1000"));
        assert_eq!(base_label("a(b=1)@epoch=30"), "a(b=1)");
        // Seed 1 diverges after epoch 100: the later means are over seed 0 alone, and say so.
        let diverged: Vec<Row> = rows
            .iter()
            .filter(|r| r.seed == 0 || r.epoch == Some(100))
            .cloned()
            .collect();
        let table = training_table(
            &training_curves(&experiment, &diverged),
            &BTreeMap::new(),
            &[],
        );
        assert!(
            table.contains("| 300 | 0.4000 [0.4000, 0.4000] (1 of 2 seeds) |"),
            "{table}"
        );
        assert_eq!(base_label("plain"), "plain");
        // A width whose every seed diverges before the first checkpoint has a row that says so.
        let mut never = rows.clone();
        never.extend((0..2).map(|seed| Row {
            value: None,
            ..row("narrow", 100, seed, "kl_to_mu", 0.0)
        }));
        let table = training_table(&training_curves(&experiment, &never), &BTreeMap::new(), &[]);
        assert!(
            table.contains("| kl_to_mu | narrow | 1000 | – | no value at any checkpoint"),
            "{table}"
        );
        // Of three seeds, seed 1 stops after epoch 100: each seed's own least is read from its
        // own values (seed 0 at 200, seed 1 at 100, seed 2 at 300), not from whichever seed
        // comes second at the later epochs.
        let three = [
            (100, vec![(0, 0.5), (1, 0.05), (2, 0.9)]),
            (200, vec![(0, 0.1), (2, 0.8)]),
            (300, vec![(0, 0.4), (2, 0.3)]),
        ];
        let rows: Vec<Row> = three
            .into_iter()
            .flat_map(|(epoch, values)| {
                values
                    .into_iter()
                    .map(move |(seed, v)| row("net", epoch, seed, "kl_to_mu", v))
            })
            .collect();
        let curve = &training_curves(&experiment, &rows)[0];
        assert_eq!(curve.seed_least_epochs(), Some((100, 300)));
    }

    #[test]
    fn the_least_along_training_is_each_seeds_own_least_row() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/experiments/l1_li_training_gmm.toml");
        let experiment = Experiment::load(&file, Profile::Quick).unwrap();
        let mut rows = Vec::new();
        for (epoch, by_seed) in [(100, [0.5, 0.6]), (200, [0.1, 0.3]), (300, [0.4, 0.2])] {
            for (seed, v) in by_seed.into_iter().enumerate() {
                rows.push(row("net", epoch, seed, "kl_to_mu", v));
                rows.push(row("net", epoch, seed, "w1_to_mu_null", 0.01));
            }
        }
        rows.push(Row {
            epoch: None,
            score: "fresh".into(),
            ..row("x", 1, 0, "kl_to_mu", 0.001)
        });
        let least = least_along_training(&experiment, &rows);
        let found: Vec<(String, usize, Option<usize>, Option<f64>)> = least
            .iter()
            .map(|r| (r.score.clone(), r.seed, r.epoch, r.value))
            .collect();
        assert_eq!(
            found,
            vec![
                ("net@least".to_string(), 0, None, Some(0.1)),
                ("net@least".to_string(), 1, None, Some(0.2)),
            ]
        );
    }

    #[test]
    fn a_fraction_is_read_along_training_only_with_a_target() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/experiments/e11_trained_circle.toml");
        let experiment = Experiment::load(&file, Profile::Quick).unwrap();
        assert_eq!(
            experiment.fit.training_targets.get("novelty_index"),
            Some(&0.5)
        );
        let rows: Vec<Row> = [(100, 0.9), (200, 0.4)]
            .into_iter()
            .flat_map(|(epoch, v)| {
                [
                    row("net", epoch, 0, "novelty_index", v),
                    row("net", epoch, 0, "memorized_fraction", v),
                ]
            })
            .collect();
        let curves = training_curves(&experiment, &rows);
        let metrics: Vec<&str> = curves.iter().map(|c| c.metric.as_str()).collect();
        assert_eq!(metrics, vec!["novelty_index"]);
        assert_eq!(curves[0].first_at_or_below(0.5), Some(200));
        assert!(least_along_training(&experiment, &rows).is_empty());
    }
}
