//! slopes.csv: one log–log slope per curve (score, sampler, metric) with its interval, the theory
//! slope and a verdict; nulls are fitted once, as the curve of score `null`.

use crate::config::RawExperiment;
use crate::output::write_atomically;
use crate::registry::{MetricInfo, Shape, metric_infos};
use crate::runs::{Row, header_of};
use anyhow::Result;
use mangen_metrics::{FitOptions, Observation, fit_slope, sliding_slopes};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The score label under which null metrics are fitted.
pub const NULL_SCORE: &str = "null";

/// Values at or below this are numerically zero (e.g. the fidelity of exact samples of μ, ~1e-16)
/// and are left out of fits.
pub const NUMERICAL_ZERO: f64 = 1e-12;

/// Consecutive N values per sliding-window slope.
pub const SLIDING_WINDOW: usize = 3;

/// Bootstrap resamples of every slope interval.
pub const RESAMPLES: usize = 2000;

/// One row of slopes.csv.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlopeRow {
    /// Experiment name.
    pub experiment: String,
    /// Score label (`null` for the fresh-sample nulls).
    pub score: String,
    /// Score kind.
    pub score_kind: String,
    /// Sampler label.
    pub sampler: String,
    /// The metric.
    pub metric: String,
    /// The least-squares slope of ln(mean value) on ln N over the N whose values are defined and
    /// above [`NUMERICAL_ZERO`]; empty without a fit.
    pub slope: Option<f64>,
    /// The fitted line's intercept ln C (value ≈ C N^slope); empty without a fit.
    pub intercept: Option<f64>,
    /// Lower end of the interval.
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
    /// Confidence level.
    pub level: f64,
    /// How the interval was obtained.
    pub ci_method: String,
    /// Smallest N of the window.
    pub n_min: Option<f64>,
    /// Largest N of the window.
    pub n_max: Option<f64>,
    /// Distinct N in the window.
    pub grid_points: usize,
    /// N values left out because the metric was within `floor_factor` of its null floor or of
    /// the experiment's absolute floor.
    pub below_floor: usize,
    /// R² of the fit of the per-N means.
    pub r_squared: Option<f64>,
    /// Slopes over every window of [`SLIDING_WINDOW`] consecutive N of the fitted range, smallest
    /// N first, separated by `;` (empty with fewer N): a drift shows pre-asymptotic bending.
    pub sliding_slopes: String,
    /// The first theory line that applies; empty when none.
    pub theory_slope: Option<f64>,
    /// Its label.
    pub theory: String,
    /// consistent (theory inside the interval), steeper, shallower, below the noise floor,
    /// too few points, or no theory line.
    pub verdict: String,
}

/// Verdicts, as written in slopes.csv.
pub mod verdict {
    /// The theory slope lies inside the interval.
    pub const CONSISTENT: &str = "consistent";
    /// The whole interval lies below the theory slope (decays faster).
    pub const STEEPER: &str = "steeper";
    /// The whole interval lies above the theory slope (decays slower).
    pub const SHALLOWER: &str = "shallower";
    /// Too few N values above the null floor to fit.
    pub const BELOW_FLOOR: &str = "below the noise floor";
    /// Too few N values with a defined, positive value.
    pub const TOO_FEW: &str = "too few points";
    /// Fitted, with nothing to hold it against.
    pub const NO_THEORY: &str = "no theory line";
}

/// Fits every rate curve of the experiment's rows.
pub fn fit_experiment(raw: &RawExperiment, name: &str, rows: &[Row]) -> Result<Vec<SlopeRow>> {
    let infos: BTreeMap<String, MetricInfo> = metric_infos(raw)
        .into_iter()
        .map(|info| (info.name.clone(), info))
        .collect();
    let nulls: Vec<&String> = infos.values().filter_map(|i| i.null.as_ref()).collect();
    let first_score = rows.first().map(|r| r.score.clone());
    let mut curves: BTreeMap<(String, String, String), Vec<&Row>> = BTreeMap::new();
    let mut order = Vec::new();
    for row in rows {
        let Some(info) = infos.get(&row.metric) else {
            continue;
        };
        if info.shape != Shape::Rate || info.scaled {
            continue;
        }
        let is_null = nulls.contains(&&row.metric);
        if is_null && Some(&row.score) != first_score.as_ref() {
            continue;
        }
        let score = if is_null {
            NULL_SCORE.to_string()
        } else {
            row.score.clone()
        };
        let key = (score, row.sampler.clone(), row.metric.clone());
        if !curves.contains_key(&key) {
            order.push(key.clone());
        }
        curves.entry(key).or_default().push(row);
    }
    let mut out = Vec::new();
    for key in order {
        let curve = &curves[&key];
        let info = &infos[&key.2];
        let floor = info
            .null
            .as_ref()
            .filter(|_| info.null_is_floor)
            .map(|null| null_means(rows, &curve[0].score, &key.1, null));
        out.push(fit_curve(raw, name, &key.0, curve, floor.as_ref())?);
    }
    Ok(out)
}

/// The mean of the null metric at each N over the rows of one score and sampler.
fn null_means(rows: &[Row], score: &str, sampler: &str, null: &str) -> BTreeMap<usize, f64> {
    let mut sums: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
    for row in rows {
        if row.score == score
            && row.sampler == sampler
            && row.metric == null
            && let Some(v) = row.value
        {
            let entry = sums.entry(row.n_train).or_default();
            entry.0 += v;
            entry.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(n, (sum, count))| (n, sum / count as f64))
        .collect()
}

fn fit_curve(
    raw: &RawExperiment,
    name: &str,
    score: &str,
    curve: &[&Row],
    floor: Option<&BTreeMap<usize, f64>>,
) -> Result<SlopeRow> {
    let first = curve[0];
    let score_kind = if score == NULL_SCORE {
        NULL_SCORE
    } else {
        &first.score_kind
    };
    let theory = raw
        .theory
        .iter()
        .find(|line| line.applies_to(&first.metric, score_kind, score));
    let mut by_n: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for row in curve {
        if let Some(v) = row.value.filter(|v| v.is_finite() && *v > NUMERICAL_ZERO) {
            by_n.entry(row.n_train).or_default().push(v);
        }
    }
    let mut below_floor = 0;
    by_n.retain(|n, values| {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let floors = [
            floor.and_then(|f| f.get(n).copied()),
            raw.fit.absolute_floor,
        ];
        let above = floors
            .iter()
            .flatten()
            .all(|f| mean > raw.fit.floor_factor * f);
        below_floor += usize::from(!above);
        above
    });
    let mut row = SlopeRow {
        experiment: name.to_string(),
        score: score.to_string(),
        score_kind: score_kind.to_string(),
        sampler: first.sampler.clone(),
        metric: first.metric.clone(),
        slope: None,
        intercept: None,
        ci_low: None,
        ci_high: None,
        level: raw.fit.level,
        ci_method: "none".into(),
        n_min: None,
        n_max: None,
        grid_points: by_n.len(),
        below_floor,
        r_squared: None,
        sliding_slopes: String::new(),
        theory_slope: theory.map(|t| t.slope),
        theory: theory.map(|t| t.label.clone()).unwrap_or_default(),
        verdict: String::new(),
    };
    if by_n.len() < raw.fit.min_points {
        row.verdict = if below_floor > 0 {
            verdict::BELOW_FLOOR
        } else {
            verdict::TOO_FEW
        }
        .into();
        return Ok(row);
    }
    let observations: Vec<Observation> = by_n
        .iter()
        .flat_map(|(&n, values)| {
            values
                .iter()
                .map(move |&value| Observation { n: n as f64, value })
        })
        .collect();
    let options = FitOptions {
        level: raw.fit.level,
        resamples: RESAMPLES,
        seed: raw.seed,
        log_correction: 0.0,
    };
    let fit = fit_slope(&observations, &options)?;
    row.slope = Some(fit.slope);
    row.intercept = Some(fit.intercept);
    row.ci_low = Some(fit.ci_low);
    row.ci_high = Some(fit.ci_high);
    row.ci_method = fit.method.label().into();
    row.n_min = Some(fit.n_min);
    row.n_max = Some(fit.n_max);
    row.r_squared = Some(fit.r_squared);
    if by_n.len() > SLIDING_WINDOW {
        row.sliding_slopes = sliding_slopes(&observations, SLIDING_WINDOW, &options)?
            .iter()
            .map(|w| format!("{:.3}", w.slope))
            .collect::<Vec<_>>()
            .join(";");
    }
    row.verdict = match theory {
        None => verdict::NO_THEORY,
        Some(t) if t.slope < fit.ci_low => verdict::SHALLOWER,
        Some(t) if t.slope > fit.ci_high => verdict::STEEPER,
        Some(_) => verdict::CONSISTENT,
    }
    .into();
    Ok(row)
}

/// Writes slopes.csv atomically.
pub fn write_slopes(path: &Path, slopes: &[SlopeRow]) -> Result<()> {
    write_atomically(path, |w| {
        let mut writer = csv::Writer::from_writer(w);
        for row in slopes {
            writer.serialize(row)?;
        }
        if slopes.is_empty() {
            writer.write_record(header_of::<SlopeRow>().split(','))?;
        }
        writer.flush()?;
        Ok(())
    })
}

/// Reads a slopes.csv written by [`write_slopes`].
pub fn read_slopes(path: &Path) -> Result<Vec<SlopeRow>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|err| anyhow::anyhow!("cannot open the slopes file {}: {err}", path.display()))?;
    reader
        .deserialize()
        .map(|r| {
            r.map_err(|err: csv::Error| {
                let line = err.position().map_or(0, |p| p.line());
                anyhow::anyhow!("{}: line {line}: {err}", path.display())
            })
        })
        .collect()
}
