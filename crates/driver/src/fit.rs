//! slopes.csv: one log–log slope per curve (score, sampler, metric) with its interval, the theory
//! slope and a verdict; nulls are fitted once, as the curve of score `null`.

use crate::experiment::Experiment;
use crate::metric::{MetricInfo, Shape};
use crate::output::write_atomically;
use crate::runs::{Row, header_of};
use anyhow::Result;
use mangen_metrics::{FitOptions, Observation, fit_slope, flattening_start, sliding_slopes};
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
    /// the experiment's absolute floor, or lay on the level run that ends a falling curve (a
    /// floor found in the data, [`mangen_metrics::flattening`]).
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
    /// consistent (theory inside the interval), not resolved (0 inside as well), steeper,
    /// shallower, indicative (too few seeds or N to say which), no interval, below the noise
    /// floor, too few points, or no theory line (see [`verdict`]).
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
    /// Fitted against a theory line, but the interval is unbounded on both sides (too many
    /// bootstrap resamples without spread, or no interval method), so it can confirm nothing.
    pub const NO_INTERVAL: &str = "no interval";
    /// Fitted against a theory line on fewer than [`super::CONFIRMING_SEEDS`] seeds at some N
    /// or fewer than [`super::CONFIRMING_POINTS`] N values: its interval is too rough to say
    /// consistent, steeper or shallower (the quick profile's fits are all of this kind).
    pub const INDICATIVE: &str = "indicative";
    /// The interval holds a nonzero theory slope and 0 as well: the data cannot tell the
    /// theory's rate from no rate at all.
    pub const NOT_RESOLVED: &str = "not resolved";
}

/// A slope, bound or theory value as the report tables show it: three decimals, `–` when none.
pub fn number(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.3}"))
}

/// Seeds at every fitted N that a verdict of consistent, steeper or shallower needs.
pub const CONFIRMING_SEEDS: usize = 3;
/// Fitted N values that a verdict of consistent, steeper or shallower needs.
pub const CONFIRMING_POINTS: usize = 4;

/// [`verdict_of`], weakened to [`verdict::INDICATIVE`] when the fit stands on fewer than
/// [`CONFIRMING_SEEDS`] seeds at some N or fewer than [`CONFIRMING_POINTS`] N values.
pub fn graded_verdict(
    theory_slope: Option<f64>,
    ci_low: f64,
    ci_high: f64,
    fewest_seeds: usize,
    points: usize,
) -> &'static str {
    let verdict = verdict_of(theory_slope, ci_low, ci_high);
    let directional = [verdict::CONSISTENT, verdict::STEEPER, verdict::SHALLOWER];
    if directional.contains(&verdict)
        && (fewest_seeds < CONFIRMING_SEEDS || points < CONFIRMING_POINTS)
    {
        verdict::INDICATIVE
    } else {
        verdict
    }
}

/// The verdict of a fitted slope's interval [`ci_low`, `ci_high`] against a theory slope: the
/// theory inside (ends included) is consistent, unless the theory is not 0 and 0 is inside too
/// (not resolved); an interval wholly below it is steeper (decays faster), wholly above it
/// shallower; an interval unbounded on both sides says nothing.
pub fn verdict_of(theory_slope: Option<f64>, ci_low: f64, ci_high: f64) -> &'static str {
    match theory_slope {
        None => verdict::NO_THEORY,
        Some(_) if ci_low == f64::NEG_INFINITY && ci_high == f64::INFINITY => verdict::NO_INTERVAL,
        Some(t) if t < ci_low => verdict::SHALLOWER,
        Some(t) if t > ci_high => verdict::STEEPER,
        Some(t) if t != 0.0 && ci_low <= 0.0 && 0.0 <= ci_high => verdict::NOT_RESOLVED,
        Some(_) => verdict::CONSISTENT,
    }
}

/// Whether an N's mean counts in a fit: it must exceed `floor_factor` times every floor that
/// applies (the null's mean at that N, the experiment's absolute floor); at or below one it is
/// left out and counted in `below_floor`.
pub fn above_floors(mean: f64, floors: &[Option<f64>], floor_factor: f64) -> bool {
    floors.iter().flatten().all(|f| mean > floor_factor * f)
}

/// Fits every rate curve of the experiment's rows.
pub fn fit_experiment(experiment: &Experiment, rows: &[Row]) -> Result<Vec<SlopeRow>> {
    let infos: BTreeMap<String, MetricInfo> = experiment
        .metric_infos()
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
        out.push(fit_curve(
            experiment,
            &key.0,
            curve,
            floor.as_ref(),
            info.grid_step,
        )?);
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

/// Removes the N of the level run that ends a falling curve of per-N means (see
/// [`flattening_start`]) and returns how many it removed.
fn cut_flattening(by_n: &mut BTreeMap<usize, Vec<f64>>) -> usize {
    let ns: Vec<f64> = by_n.keys().map(|&n| n as f64).collect();
    let means: Vec<f64> = by_n
        .values()
        .map(|values| values.iter().sum::<f64>() / values.len() as f64)
        .collect();
    match flattening_start(&ns, &means) {
        Some(start) => {
            let first_flat = *by_n.keys().nth(start).expect("the start indexes a key");
            by_n.split_off(&first_flat).len()
        }
        None => 0,
    }
}

/// Fits one curve. A metric on a grid (`grid_step`, the largest log-ratio of neighbouring grid
/// values) has its interval widened on both sides by the slope that one grid step over the N
/// window makes: the bootstrap sees no spread in values that sit on one grid value, and a
/// slope finer than that step is not resolved.
fn fit_curve(
    experiment: &Experiment,
    score: &str,
    curve: &[&Row],
    floor: Option<&BTreeMap<usize, f64>>,
    grid_step: Option<f64>,
) -> Result<SlopeRow> {
    let first = curve[0];
    let score_kind = if score == NULL_SCORE {
        NULL_SCORE
    } else {
        &first.score_kind
    };
    let theory = experiment
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
            experiment.fit.absolute_floor,
        ];
        let above = above_floors(mean, &floors, experiment.fit.floor_factor);
        below_floor += usize::from(!above);
        above
    });
    below_floor += cut_flattening(&mut by_n);
    let mut row = SlopeRow {
        experiment: experiment.name.clone(),
        score: score.to_string(),
        score_kind: score_kind.to_string(),
        sampler: first.sampler.clone(),
        metric: first.metric.clone(),
        slope: None,
        intercept: None,
        ci_low: None,
        ci_high: None,
        level: experiment.fit.level,
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
    if by_n.len() < experiment.fit.min_points {
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
        level: experiment.fit.level,
        resamples: RESAMPLES,
        seed: experiment.seed,
        log_correction: 0.0,
    };
    let mut fit = fit_slope(&observations, &options)?;
    row.ci_method = fit.method.label().into();
    if let Some(step) = grid_step {
        let resolution = step / (fit.n_max / fit.n_min).ln();
        fit.ci_low -= resolution;
        fit.ci_high += resolution;
        row.ci_method += "+grid";
    }
    row.slope = Some(fit.slope);
    row.intercept = Some(fit.intercept);
    row.ci_low = Some(fit.ci_low);
    row.ci_high = Some(fit.ci_high);
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
    let fewest_seeds = by_n.values().map(Vec::len).min().unwrap_or(0);
    row.verdict = graded_verdict(
        theory.map(|t| t.slope),
        fit.ci_low,
        fit.ci_high,
        fewest_seeds,
        by_n.len(),
    )
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

#[cfg(test)]
mod tests {
    //! Fixtures of rows with planted slopes, floors and nulls: each rule of the fit is pinned so
    //! that swapping or inverting it fails a test.
    use super::*;
    use crate::profile::Profile;

    /// An experiment with three scores, fidelity, W1, novelty and coverage, one theory line of slope −1/2 on
    /// `fidelity_mean`, and `extra` appended (a `[fit]` table).
    fn experiment(extra: &str) -> Experiment {
        let text = format!(
            r#"
seed = 7
ambient_dim = 2
[manifold]
kind = "circle"
[sweep]
n_train = [10, 20, 40, 80, 160]
seeds = 3
samples = 10
[[sampler]]
t_min = 1e-3
[[score]]
kind = "empirical"
[[score]]
kind = "oracle"
[[score]]
kind = "population"
[metrics]
fidelity = true
wasserstein = {{ p = 1 }}
novelty = true
coverage = {{ radii = [0.1, 0.2], tube = 0.1, centres = 20 }}
[[theory]]
metric = "fidelity_mean"
slope = -0.5
label = "N^-1/2"
{extra}
"#
        );
        Experiment::parse(
            &text,
            std::path::Path::new("fixture.toml"),
            Profile::Standard,
        )
        .expect("a valid fixture")
    }

    /// Rows of one score and metric: `values[i]` are the seeds' values at `n[i]`.
    fn rows(score: &str, metric: &str, n: &[usize], values: &[Vec<f64>]) -> Vec<Row> {
        n.iter()
            .zip(values)
            .flat_map(|(&n_train, seeds)| {
                seeds.iter().enumerate().map(move |(seed, &value)| Row {
                    experiment: "fixture".into(),
                    score: score.into(),
                    score_kind: score.into(),
                    sampler: "sde".into(),
                    n_train,
                    seed,
                    metric: metric.into(),
                    value: Some(value),
                    ..Row::default()
                })
            })
            .collect()
    }

    const GRID: [usize; 5] = [10, 20, 40, 80, 160];

    /// Seeds' values `mean · factor` for each factor, at each mean.
    fn seeds_around(means: &[f64], factors: &[f64]) -> Vec<Vec<f64>> {
        means
            .iter()
            .map(|m| factors.iter().map(|f| m * f).collect())
            .collect()
    }

    /// W1 means 2, 1.5, 1, 0.5, 0.375 over [`GRID`], seeds at ±25 %: against a null of 0.25 the
    /// ratios are 8, 6, 4, 2 and exactly 1.5, which is not above floor_factor = 1.5.
    fn w1_over_a_floor() -> Vec<Vec<f64>> {
        seeds_around(&[2.0, 1.5, 1.0, 0.5, 0.375], &[0.75, 1.0, 1.25])
    }

    /// 2 N^slope at every N of [`GRID`], times 0.97, 1 and 1.03 (three seeds).
    fn power_law(slope: f64) -> Vec<Vec<f64>> {
        let means: Vec<f64> = GRID.iter().map(|&n| 2.0 * (n as f64).powf(slope)).collect();
        seeds_around(&means, &[0.97, 1.0, 1.03])
    }

    /// The fit of the oracle's `fidelity_mean` alone, with `values[i]` at `n[i]`.
    fn fidelity_fit(experiment: &Experiment, n: &[usize], values: &[Vec<f64>]) -> SlopeRow {
        let slopes =
            fit_experiment(experiment, &rows("oracle", "fidelity_mean", n, values)).unwrap();
        curve(&slopes, "oracle", "fidelity_mean").clone()
    }

    fn curve<'a>(slopes: &'a [SlopeRow], score: &str, metric: &str) -> &'a SlopeRow {
        slopes
            .iter()
            .find(|s| s.score == score && s.metric == metric)
            .unwrap_or_else(|| panic!("no curve {score} · {metric}"))
    }

    #[test]
    fn the_verdict_rule_orders_the_interval_against_the_theory() {
        assert_eq!(verdict_of(None, -1.0, 1.0), verdict::NO_THEORY);
        assert_eq!(verdict_of(Some(-0.5), -0.6, -0.4), verdict::CONSISTENT);
        assert_eq!(verdict_of(Some(-0.5), -0.5, -0.4), verdict::CONSISTENT);
        assert_eq!(verdict_of(Some(-0.5), -0.6, -0.5), verdict::CONSISTENT);
        assert_eq!(verdict_of(Some(-0.5), -1.2, -0.8), verdict::STEEPER);
        assert_eq!(verdict_of(Some(-0.5), -0.3, -0.1), verdict::SHALLOWER);
        assert_eq!(
            verdict_of(Some(-0.5), f64::NEG_INFINITY, -0.8),
            verdict::STEEPER
        );
        assert_eq!(
            verdict_of(Some(-0.5), -0.3, f64::INFINITY),
            verdict::SHALLOWER
        );
        assert_eq!(
            verdict_of(Some(-0.5), f64::NEG_INFINITY, f64::INFINITY),
            verdict::NO_INTERVAL
        );
        // An interval that holds the theory and 0 cannot tell a rate from none; a theory of 0
        // inside is consistent.
        assert_eq!(verdict_of(Some(-0.5), -0.6, 0.1), verdict::NOT_RESOLVED);
        assert_eq!(verdict_of(Some(-0.5), -0.6, 0.0), verdict::NOT_RESOLVED);
        assert_eq!(verdict_of(Some(-0.5), -0.6, -1e-9), verdict::CONSISTENT);
        assert_eq!(verdict_of(Some(0.0), -0.6, 0.1), verdict::CONSISTENT);
    }

    #[test]
    fn rough_fits_are_only_indicative() {
        assert_eq!(
            graded_verdict(Some(-0.5), -0.6, -0.4, 3, 4),
            verdict::CONSISTENT
        );
        assert_eq!(
            graded_verdict(Some(-0.5), -0.6, -0.4, 2, 6),
            verdict::INDICATIVE
        );
        assert_eq!(
            graded_verdict(Some(-0.5), -1.2, -0.8, 5, 3),
            verdict::INDICATIVE
        );
        assert_eq!(
            graded_verdict(Some(-0.5), -0.3, -0.1, 2, 3),
            verdict::INDICATIVE
        );
        assert_eq!(graded_verdict(None, -0.6, -0.4, 2, 3), verdict::NO_THEORY);
        let unbounded = graded_verdict(Some(-0.5), f64::NEG_INFINITY, f64::INFINITY, 2, 3);
        assert_eq!(unbounded, verdict::NO_INTERVAL);
        // Through the fit: the steeper curve of five N, cut to two seeds, then to three N.
        let raw = experiment("");
        let two_seeds: Vec<Vec<f64>> = power_law(-1.0).iter().map(|s| s[..2].to_vec()).collect();
        let fit = fidelity_fit(&raw, &GRID, &two_seeds);
        assert_eq!(
            (fit.grid_points, fit.verdict.as_str()),
            (5, verdict::INDICATIVE)
        );
        let fit = fidelity_fit(&raw, &GRID[..3], &power_law(-1.0)[..3]);
        assert_eq!(
            (fit.grid_points, fit.verdict.as_str()),
            (3, verdict::INDICATIVE)
        );
        let fit = fidelity_fit(&raw, &GRID[..4], &power_law(-1.0)[..4]);
        assert_eq!(
            (fit.grid_points, fit.verdict.as_str()),
            (4, verdict::STEEPER)
        );
    }

    #[test]
    fn the_floor_rule_keeps_only_means_strictly_above_every_floor() {
        assert!(above_floors(0.376, &[Some(0.25)], 1.5));
        assert!(!above_floors(0.375, &[Some(0.25)], 1.5));
        assert!(!above_floors(0.3, &[Some(0.25)], 1.5));
        assert!(above_floors(0.3, &[None, None], 1.5));
        assert!(!above_floors(1.0, &[Some(0.1), Some(0.7)], 1.5));
        assert!(above_floors(1.0, &[Some(0.1), Some(0.6)], 1.5));
    }

    #[test]
    fn planted_slopes_get_the_verdict_of_their_side_of_the_theory() {
        let raw = experiment("");
        let mut all = rows("empirical", "fidelity_mean", &GRID, &power_law(-0.5));
        all.extend(rows("oracle", "fidelity_mean", &GRID, &power_law(-1.0)));
        all.extend(rows("population", "fidelity_mean", &GRID, &power_law(-0.2)));
        all.extend(rows("empirical", "fidelity_max", &GRID, &power_law(-0.5)));
        let slopes = fit_experiment(&raw, &all).unwrap();
        let consistent = curve(&slopes, "empirical", "fidelity_mean");
        let steeper = curve(&slopes, "oracle", "fidelity_mean");
        let shallower = curve(&slopes, "population", "fidelity_mean");
        for (row, planted) in [(consistent, -0.5), (steeper, -1.0), (shallower, -0.2)] {
            assert!((row.slope.unwrap() - planted).abs() < 1e-9, "{row:?}");
            assert_eq!(row.theory_slope, Some(-0.5));
            assert_eq!(row.ci_method, "bootstrap-seeds");
            assert_eq!((row.grid_points, row.below_floor), (5, 0));
        }
        assert_eq!(consistent.verdict, verdict::CONSISTENT);
        assert!(consistent.ci_low.unwrap() <= -0.5 && -0.5 <= consistent.ci_high.unwrap());
        assert_eq!(steeper.verdict, verdict::STEEPER);
        assert!(steeper.ci_high.unwrap() < -0.5);
        assert_eq!(shallower.verdict, verdict::SHALLOWER);
        assert!(shallower.ci_low.unwrap() > -0.5);
        let untheorized = curve(&slopes, "empirical", "fidelity_max");
        assert_eq!(untheorized.verdict, verdict::NO_THEORY);
        assert_eq!(untheorized.theory, "");
    }

    #[test]
    fn a_null_floor_leaves_out_the_n_at_or_below_its_factor_and_counts_them() {
        let raw = experiment("");
        let w1 = w1_over_a_floor();
        let null = vec![vec![0.25; 3]; 5];
        let mut all = rows("empirical", "w1", &GRID, &w1);
        all.extend(rows("empirical", "w1_null", &GRID, &null));
        let slopes = fit_experiment(&raw, &all).unwrap();
        let fitted = curve(&slopes, "empirical", "w1");
        assert_eq!((fitted.grid_points, fitted.below_floor), (4, 1));
        assert_eq!((fitted.n_min, fitted.n_max), (Some(10.0), Some(80.0)));
        assert!(fitted.slope.is_some());

        // Most N at the floor: too few left to fit, and the verdict says why.
        let low = seeds_around(&[2.0, 1.0, 0.3, 0.3, 0.3], &[1.0; 3]);
        let mut all = rows("empirical", "w1", &GRID, &low);
        all.extend(rows("empirical", "w1_null", &GRID, &null));
        let fitted = fit_experiment(&raw, &all).unwrap();
        let fitted = curve(&fitted, "empirical", "w1");
        assert_eq!((fitted.grid_points, fitted.below_floor), (2, 3));
        assert_eq!(fitted.verdict, verdict::BELOW_FLOOR);
        assert_eq!(fitted.slope, None);
    }

    #[test]
    fn a_curve_that_levels_off_is_fitted_before_its_level_and_the_level_is_counted() {
        let raw = experiment("");
        // N^-2 down to N = 40, then level: without the cut the slope would be about -1.4.
        let levelled = power_law(-2.0)
            .into_iter()
            .enumerate()
            .map(|(i, seeds)| {
                if i > 2 {
                    power_law(-2.0)[2].clone()
                } else {
                    seeds
                }
            })
            .collect::<Vec<_>>();
        let fitted = fidelity_fit(&raw, &GRID, &levelled);
        assert_eq!((fitted.grid_points, fitted.below_floor), (2, 3));
        assert_eq!(fitted.verdict, verdict::BELOW_FLOOR);
        // With two more falling N before the level, the fit keeps the falling part only.
        let grid = [5, 10, 20, 40, 80, 160, 320];
        let means: Vec<f64> = grid
            .iter()
            .map(|&n| (n.min(80) as f64).powf(-2.0))
            .collect();
        let fitted = fidelity_fit(&raw, &grid, &seeds_around(&means, &[0.97, 1.0, 1.03]));
        assert_eq!((fitted.grid_points, fitted.below_floor), (4, 3));
        assert!((fitted.slope.unwrap() + 2.0).abs() < 1e-9, "{fitted:?}");
    }

    #[test]
    fn each_curve_is_held_against_its_own_scores_null_and_the_null_is_fitted_once() {
        let raw = experiment("");
        let w1 = w1_over_a_floor();
        let mut all = rows("empirical", "w1", &GRID, &w1);
        all.extend(rows("empirical", "w1_null", &GRID, &vec![vec![0.25; 3]; 5]));
        all.extend(rows("oracle", "w1", &GRID, &w1));
        all.extend(rows("oracle", "w1_null", &GRID, &vec![vec![0.01; 3]; 5]));
        let slopes = fit_experiment(&raw, &all).unwrap();
        assert_eq!(curve(&slopes, "empirical", "w1").below_floor, 1);
        assert_eq!(curve(&slopes, "oracle", "w1").below_floor, 0);
        let nulls: Vec<&SlopeRow> = slopes.iter().filter(|s| s.metric == "w1_null").collect();
        assert_eq!(nulls.len(), 1, "{nulls:?}");
        assert_eq!(
            (nulls[0].score.as_str(), nulls[0].score_kind.as_str()),
            (NULL_SCORE, NULL_SCORE)
        );
        // Fitted from the first score's null rows (0.25), not the second's (0.01).
        assert!((nulls[0].intercept.unwrap() - 0.25f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn a_radius_of_the_grid_has_its_interval_widened_by_one_grid_step() {
        // r* on the grid {0.1, 0.2}: 0.2 at every N but for one seed of three at 80 and 160.
        // The same values as a metric off the grid get the bootstrap interval alone; on the
        // grid, one step (ln 2) over the window (ln 16) widens it by 0.25 on each side.
        let raw = experiment(
            "[[theory]]\nmetric = \"coverage_resolution\"\nslope = 0.0\nlabel = \"constant\"",
        );
        let values = vec![
            vec![0.2; 3],
            vec![0.2; 3],
            vec![0.2; 3],
            vec![0.2, 0.1, 0.2],
            vec![0.2, 0.2, 0.1],
        ];
        let slopes =
            fit_experiment(&raw, &rows("oracle", "coverage_resolution", &GRID, &values)).unwrap();
        let on_grid = curve(&slopes, "oracle", "coverage_resolution");
        let off_grid = fidelity_fit(&raw, &GRID, &values);
        assert!(
            on_grid.ci_method.ends_with("+grid"),
            "{}",
            on_grid.ci_method
        );
        assert!(!off_grid.ci_method.ends_with("+grid"));
        assert_eq!(on_grid.slope, off_grid.slope);
        let widening = on_grid.ci_high.unwrap() - off_grid.ci_high.unwrap();
        assert!((widening - 0.25).abs() < 1e-12, "{on_grid:?} {off_grid:?}");
        assert_eq!(on_grid.ci_low, off_grid.ci_low.map(|low| low - 0.25));
    }

    #[test]
    fn only_unscaled_rates_are_fitted() {
        // A rate (w1), an unscaled fraction (memorized_fraction) and a fraction per radius
        // (covered_fraction at r = 0.1), all on power laws: only the rate gets a slope row.
        let raw = experiment("");
        let mut all = rows("empirical", "w1", &GRID, &power_law(-0.5));
        all.extend(rows(
            "empirical",
            "memorized_fraction",
            &GRID,
            &power_law(-0.5),
        ));
        let mut scaled = rows("empirical", "covered_fraction", &GRID, &power_law(-0.5));
        scaled.iter_mut().for_each(|row| row.scale = Some(0.1));
        all.extend(scaled);
        let slopes = fit_experiment(&raw, &all).unwrap();
        let fitted: Vec<&str> = slopes.iter().map(|s| s.metric.as_str()).collect();
        assert_eq!(fitted, ["w1"]);
    }

    #[test]
    fn the_absolute_floor_and_numerical_zeros_leave_points_out() {
        let raw = experiment("[fit]\nabsolute_floor = 0.1");
        let values = seeds_around(&[1.0, 0.5, 0.2, 0.15, 0.05], &[0.9, 1.0, 1.1]);
        let fitted = fidelity_fit(&raw, &GRID, &values);
        assert_eq!((fitted.grid_points, fitted.below_floor), (3, 2));

        let raw = experiment("");
        let zeros = seeds_around(&[1.0, 0.5, 0.25, NUMERICAL_ZERO, 0.0], &[1.0; 3]);
        let fitted = fidelity_fit(&raw, &GRID, &zeros);
        assert_eq!((fitted.grid_points, fitted.below_floor), (3, 0));
        assert!((fitted.slope.unwrap() + 1.0).abs() < 1e-12);
    }

    #[test]
    fn sliding_slopes_cover_every_window_of_three_n_once_there_are_more() {
        // Five N on a power law of slope −1/2: three windows, each of slope −0.500.
        let raw = experiment("");
        let fitted = fidelity_fit(&raw, &GRID, &power_law(-0.5));
        assert_eq!(fitted.sliding_slopes, "-0.500;-0.500;-0.500");
        // Exactly SLIDING_WINDOW N values: the whole fit is the one window.
        let fitted = fidelity_fit(&raw, &GRID[..SLIDING_WINDOW], &power_law(-0.5));
        assert_eq!(fitted.sliding_slopes, "");
        assert!((fitted.slope.unwrap() + 0.5).abs() < 1e-9);
    }

    #[test]
    fn slopes_csv_reads_back_as_written() {
        let raw = experiment("");
        let mut all = rows("empirical", "w1", &GRID, &w1_over_a_floor());
        all.extend(rows("empirical", "w1_null", &GRID, &vec![vec![0.25; 3]; 5]));
        all.extend(rows("oracle", "fidelity_mean", &GRID, &power_law(-0.5)));
        let slopes = fit_experiment(&raw, &all).unwrap();
        assert_eq!(slopes.len(), 3);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("slopes.csv");
        write_slopes(&path, &slopes).unwrap();
        assert_eq!(read_slopes(&path).unwrap(), slopes);
        write_slopes(&path, &[]).unwrap();
        assert_eq!(read_slopes(&path).unwrap(), Vec::new());
    }

    #[test]
    fn too_few_n_values_are_not_fitted() {
        let raw = experiment("");
        let fitted = fidelity_fit(&raw, &GRID[..2], &power_law(-0.5)[..2]);
        assert_eq!(fitted.verdict, verdict::TOO_FEW);
        assert_eq!(
            (fitted.grid_points, fitted.below_floor, fitted.slope),
            (2, 0, None)
        );
    }

    #[test]
    fn two_seeds_at_three_n_give_no_interval_rather_than_a_narrow_one() {
        let raw = experiment("");
        // One bootstrap resample in four draws both seeds equal at every N that bears on the slope
        // (zero standard error).
        let values = vec![vec![1.0, 1.3], vec![0.7, 0.8], vec![0.45, 0.55]];
        let fitted = fidelity_fit(&raw, &GRID[..3], &values);
        assert_eq!(fitted.ci_method, "bootstrap-seeds");
        assert_eq!(fitted.ci_low, Some(f64::NEG_INFINITY));
        assert_eq!(fitted.ci_high, Some(f64::INFINITY));
        assert_eq!(fitted.verdict, verdict::NO_INTERVAL);
    }
}
