//! Log–log slope fits: least squares of log(value) on log(N), bootstrap confidence intervals, sliding windows and the log-corrected variant (SCIENCE.md §6).
//!
//! The fitted curve is the mean over seeds at each N: y_N = ln(mean_N) − γ ln ln N regressed on
//! ln N, where γ = 0 is the plain fit and γ ≠ 0 divides out a (ln N)^γ factor (γ = 1/2 for the
//! W1 rate (ln N / N)^{1/2} of k = 2). Intervals are studentized bootstrap (bootstrap-t)
//! intervals, which keep their coverage with few seeds or few N where percentile intervals fall
//! short:
//! - with at least two seeds at every N, over seeds: each N's values are resampled with
//!   replacement;
//! - with one seed somewhere and at least three N, over the residuals of the fit;
//! - otherwise the interval is (−∞, ∞).

use crate::error::{MetricError, Result};
use mangen_geometry::rng;
use rand::RngExt;

/// One measured value at training-set size n (one seed of one cell).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// The training-set size N (> 1).
    pub n: f64,
    /// The metric's value (> 0).
    pub value: f64,
}

/// How a fit's confidence interval was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiMethod {
    /// Bootstrap over the seeds at each N.
    Seeds,
    /// Bootstrap over the residuals of the fit (one seed at some N).
    Residuals,
    /// Too little data for an interval: (−∞, ∞).
    None,
}

impl CiMethod {
    /// A short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            CiMethod::Seeds => "bootstrap-seeds",
            CiMethod::Residuals => "bootstrap-residuals",
            CiMethod::None => "none",
        }
    }
}

/// Settings of a slope fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Confidence level of the interval, in (0, 1).
    pub level: f64,
    /// Number of bootstrap resamples (≥ 100).
    pub resamples: usize,
    /// Seed of the bootstrap's random stream: the same seed gives the same interval.
    pub seed: u64,
    /// γ of the log-corrected fit of value / (ln N)^γ; 0 for the plain fit.
    pub log_correction: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            level: 0.9,
            resamples: 2000,
            seed: 0,
            log_correction: 0.0,
        }
    }
}

/// A fitted power law value ≈ C N^slope (ln N)^γ over a window of N.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlopeFit {
    /// The least-squares slope of the log–log line.
    pub slope: f64,
    /// Its intercept ln C.
    pub intercept: f64,
    /// Lower end of the confidence interval; −∞ when more than a tail's share of the bootstrap
    /// resamples have an unbounded t* (zero standard error, see [`SlopeFit::degenerate_resamples`])
    /// or when there is no interval ([`CiMethod::None`]).
    pub ci_low: f64,
    /// Upper end of the confidence interval; +∞ in the same cases.
    pub ci_high: f64,
    /// Bootstrap resamples whose standard error was zero up to rounding (their t* is ±∞ or 0,
    /// never dropped).
    pub degenerate_resamples: usize,
    /// The interval's confidence level.
    pub level: f64,
    /// How the interval was obtained.
    pub method: CiMethod,
    /// Smallest N of the window.
    pub n_min: f64,
    /// Largest N of the window.
    pub n_max: f64,
    /// Number of distinct N in the window.
    pub grid_points: usize,
    /// Number of observations in the window.
    pub observations: usize,
    /// R² of the fit of the per-N means.
    pub r_squared: f64,
    /// The log correction γ used.
    pub log_correction: f64,
}

/// The observations grouped by N, ascending.
struct Groups {
    n: Vec<f64>,
    values: Vec<Vec<f64>>,
}

impl Groups {
    fn new(observations: &[Observation]) -> Result<Self> {
        for (index, o) in observations.iter().enumerate() {
            if !(o.n.is_finite() && o.n > 1.0) {
                return Err(MetricError::InvalidParameter {
                    name: "n",
                    value: o.n,
                    rule: "a log–log fit needs finite training-set sizes N > 1",
                });
            }
            if !(o.value.is_finite() && o.value > 0.0) {
                return Err(MetricError::NonPositive {
                    what: "observation value",
                    index,
                    value: o.value,
                });
            }
        }
        let mut sorted = observations.to_vec();
        sorted.sort_by(|a, b| a.n.total_cmp(&b.n));
        let mut groups = Groups {
            n: Vec::new(),
            values: Vec::new(),
        };
        for o in sorted {
            if groups.n.last() == Some(&o.n) {
                groups
                    .values
                    .last_mut()
                    .expect("a group per N")
                    .push(o.value);
            } else {
                groups.n.push(o.n);
                groups.values.push(vec![o.value]);
            }
        }
        if groups.n.len() < 2 {
            return Err(MetricError::TooFew {
                what: "distinct N values in a slope fit",
                needed: 2,
                got: groups.n.len(),
            });
        }
        Ok(groups)
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Ordinary least squares of y on x: (slope, intercept, R²).
pub(crate) fn least_squares(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let syy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    let slope = sxy / sxx;
    let r_squared = if syy > 0.0 {
        sxy * sxy / (sxx * syy)
    } else {
        1.0
    };
    (slope, my - slope * mx, r_squared)
}

fn check_options(options: &FitOptions) -> Result<()> {
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(MetricError::InvalidParameter {
            name: "level",
            value: options.level,
            rule: "the confidence level must lie in (0, 1)",
        });
    }
    if options.resamples < 100 {
        return Err(MetricError::InvalidParameter {
            name: "resamples",
            value: options.resamples as f64,
            rule: "a bootstrap needs at least 100 resamples",
        });
    }
    if !options.log_correction.is_finite() {
        return Err(MetricError::InvalidParameter {
            name: "log_correction",
            value: options.log_correction,
            rule: "the log correction γ must be finite",
        });
    }
    Ok(())
}

/// The seed bootstrap made studentized (bootstrap-t): each resample draws every N's values with
/// replacement and gives t* = (b* − b̂)/se*, with se the delta-method standard error of the
/// slope, √(Σ_i c_i² s_i²/(S_i m_i²)), c_i = (x_i − x̄)/Σ(x − x̄)², s_i² and m_i the variance and
/// mean of N_i's values (γ's correction is a constant per N and drops out). The interval is
/// b̂ − t*_{1−α/2} se ≤ b ≤ b̂ − t*_{α/2} se: with a handful of seeds the variances are themselves
/// noisy, and t* carries those heavier tails where a percentile interval would undercover.
fn studentized_seed_interval(
    x: &[f64],
    values: &[Vec<f64>],
    curve: &dyn Fn(&[f64]) -> Vec<f64>,
    options: &FitOptions,
    stream: &mut impl rand::Rng,
) -> Interval {
    let standard_error = |groups: &[Vec<f64>]| delta_method_standard_error(x, groups);
    let slope_of = |groups: &[Vec<f64>]| {
        let means: Vec<f64> = groups.iter().map(|v| mean(v)).collect();
        least_squares(x, &curve(&means)).0
    };
    let slope = slope_of(values);
    let se = standard_error(values);
    if se.is_nan() || se <= 0.0 {
        return Interval::point(slope);
    }
    let mut degenerate = 0;
    let mut t_stars: Vec<f64> = (0..options.resamples)
        .map(|_| {
            let resampled: Vec<Vec<f64>> = values
                .iter()
                .map(|v| {
                    (0..v.len())
                        .map(|_| v[stream.random_range(0..v.len())])
                        .collect()
                })
                .collect();
            let se_star = standard_error(&resampled);
            degenerate += usize::from(is_degenerate(se_star, se));
            studentized(slope_of(&resampled) - slope, se_star, se)
        })
        .collect();
    studentized_ends(slope, se, &mut t_stars, options.level, degenerate)
}

/// The delta-method standard error of the slope fitted to the logs of the groups' means:
/// √(Σ_i c_i² s_i²/(S_i m_i²)), c_i = (x_i − x̄)/Σ(x − x̄)², s_i² the variance (divisor S_i − 1)
/// and m_i the mean of the S_i values of group i.
fn delta_method_standard_error(x: &[f64], groups: &[Vec<f64>]) -> f64 {
    let mx = mean(x);
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    x.iter()
        .zip(groups)
        .map(|(a, v)| {
            let (m, s) = (mean(v), v.len() as f64);
            let variance = v.iter().map(|u| (u - m) * (u - m)).sum::<f64>() / (s - 1.0);
            let c = (a - mx) / sxx;
            c * c * variance / (s * m * m)
        })
        .sum::<f64>()
        .sqrt()
}

/// A resample's standard error below this share of the estimate's is zero up to rounding: the
/// resample is degenerate (see [`studentized`]).
const DEGENERATE_SHARE: f64 = 1e-9;

/// Whether a resample's standard error is zero up to rounding (or NaN), next to the estimate's `se`.
fn is_degenerate(se_star: f64, se: f64) -> bool {
    se_star.is_nan() || se_star <= DEGENERATE_SHARE * se
}

/// The t* of one bootstrap resample: its slope's deviation from b̂ over its own standard error.
///
/// A resample can have a zero standard error: with two seeds at each of three N, one resample in
/// eight draws every N's values equal (and one more in eight leaves spread only at the middle N,
/// which has no leverage on the slope, so its error is zero up to rounding). Its t* is then the
/// limit of the deviation over a vanishing error, ±∞ (0 when the deviation is exactly 0). Such
/// resamples are kept, never dropped: they widen the interval, to an infinite end when they fill a
/// tail (see [`SlopeFit::ci_low`]), where dropping them would narrow it.
fn studentized(deviation: f64, se_star: f64, se: f64) -> f64 {
    if !is_degenerate(se_star, se) {
        deviation / se_star
    } else if deviation == 0.0 {
        0.0
    } else {
        deviation.signum() * f64::INFINITY
    }
}

/// A bootstrap interval and the number of its resamples with a zero standard error.
struct Interval {
    low: f64,
    high: f64,
    degenerate: usize,
}

impl Interval {
    /// The interval (b̂, b̂) of a fit with no spread at all.
    fn point(slope: f64) -> Self {
        Self {
            low: slope,
            high: slope,
            degenerate: 0,
        }
    }
}

/// b̂ − t*_{1−α/2} se and b̂ − t*_{α/2} se from the bootstrap t* values ((b̂, b̂) if none); an
/// infinite t* quantile gives an infinite end.
fn studentized_ends(
    slope: f64,
    se: f64,
    t_stars: &mut [f64],
    level: f64,
    degenerate: usize,
) -> Interval {
    if t_stars.is_empty() {
        return Interval::point(slope);
    }
    t_stars.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Interval {
        low: slope - crate::summary::quantile_sorted(t_stars, 1.0 - tail) * se,
        high: slope - crate::summary::quantile_sorted(t_stars, tail) * se,
        degenerate,
    }
}

/// The residual bootstrap made studentized (bootstrap-t): each resample y* = ŷ + e* refits the
/// line and gives t* = (b* − b̂)/se*, and the interval is b̂ − t*_{1−α/2} se ≤ b ≤ b̂ − t*_{α/2} se.
/// With few N the residuals have few degrees of freedom, and a plain percentile interval would
/// miss the heavier tails that t* captures. A line that fits exactly (se = 0) gives (b̂, b̂).
fn studentized_residual_interval(
    x: &[f64],
    y: &[f64],
    options: &FitOptions,
    stream: &mut impl rand::Rng,
) -> Interval {
    let (slope, intercept, _) = least_squares(x, y);
    let fitted: Vec<f64> = x.iter().map(|a| intercept + slope * a).collect();
    let residuals: Vec<f64> = y.iter().zip(&fitted).map(|(a, b)| a - b).collect();
    let standard_error = slope_standard_error(x, &residuals);
    if standard_error.is_nan() || standard_error <= 0.0 {
        return Interval::point(slope);
    }
    let mut degenerate = 0;
    let mut t_stars: Vec<f64> = (0..options.resamples)
        .map(|_| {
            let y_star: Vec<f64> = fitted
                .iter()
                .map(|f| f + residuals[stream.random_range(0..residuals.len())])
                .collect();
            let (b, a, _) = least_squares(x, &y_star);
            let residuals_star: Vec<f64> = x
                .iter()
                .zip(&y_star)
                .map(|(u, v)| v - (a + b * u))
                .collect();
            let se_star = slope_standard_error(x, &residuals_star);
            degenerate += usize::from(is_degenerate(se_star, standard_error));
            studentized(b - slope, se_star, standard_error)
        })
        .collect();
    studentized_ends(
        slope,
        standard_error,
        &mut t_stars,
        options.level,
        degenerate,
    )
}

/// The least-squares standard error of a slope: √(RSS/(G − 2) / Σ(x − x̄)²).
fn slope_standard_error(x: &[f64], residuals: &[f64]) -> f64 {
    let mx = mean(x);
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let rss: f64 = residuals.iter().map(|e| e * e).sum();
    (rss / (x.len() as f64 - 2.0) / sxx).sqrt()
}

/// Fits value ≈ C N^slope (ln N)^γ to `observations` (at least two distinct N > 1, values > 0).
pub fn fit_slope(observations: &[Observation], options: &FitOptions) -> Result<SlopeFit> {
    check_options(options)?;
    let groups = Groups::new(observations)?;
    let x: Vec<f64> = groups.n.iter().map(|n| n.ln()).collect();
    let correction: Vec<f64> = groups
        .n
        .iter()
        .map(|n| options.log_correction * n.ln().ln())
        .collect();
    let curve = |means: &[f64]| -> Vec<f64> {
        means
            .iter()
            .zip(&correction)
            .map(|(m, c)| m.ln() - c)
            .collect()
    };
    let means: Vec<f64> = groups.values.iter().map(|v| mean(v)).collect();
    let y = curve(&means);
    let (slope, intercept, r_squared) = least_squares(&x, &y);

    let mut stream = rng::seeded(options.seed);
    let fewest_seeds = groups.values.iter().map(Vec::len).min().unwrap_or(0);
    let grid_points = groups.n.len();
    let (method, interval) = if fewest_seeds >= 2 {
        (
            CiMethod::Seeds,
            studentized_seed_interval(&x, &groups.values, &curve, options, &mut stream),
        )
    } else if grid_points >= 3 {
        (
            CiMethod::Residuals,
            studentized_residual_interval(&x, &y, options, &mut stream),
        )
    } else {
        let unbounded = Interval {
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
            degenerate: 0,
        };
        (CiMethod::None, unbounded)
    };
    Ok(SlopeFit {
        slope,
        intercept,
        ci_low: interval.low,
        ci_high: interval.high,
        degenerate_resamples: interval.degenerate,
        level: options.level,
        method,
        n_min: groups.n[0],
        n_max: groups.n[grid_points - 1],
        grid_points,
        observations: observations.len(),
        r_squared,
        log_correction: options.log_correction,
    })
}

/// Slopes over every window of `window` (≥ 2) consecutive distinct N, smallest N first: the
/// bending of a pre-asymptotic curve shows as a drift of these slopes.
pub fn sliding_slopes(
    observations: &[Observation],
    window: usize,
    options: &FitOptions,
) -> Result<Vec<SlopeFit>> {
    let groups = Groups::new(observations)?;
    if window < 2 || window > groups.n.len() {
        return Err(MetricError::InvalidParameter {
            name: "window",
            value: window as f64,
            rule: "a sliding window spans at least 2 and at most all distinct N",
        });
    }
    groups
        .n
        .windows(window)
        .map(|span| {
            let (lo, hi) = (span[0], span[window - 1]);
            let inside: Vec<Observation> = observations
                .iter()
                .copied()
                .filter(|o| o.n >= lo && o.n <= hi)
                .collect();
            fit_slope(&inside, options)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planted(slope: f64, ns: &[f64]) -> Vec<Observation> {
        ns.iter()
            .map(|&n| Observation {
                n,
                value: 3.0 * n.powf(slope),
            })
            .collect()
    }

    /// One observation per (N, value) pair.
    fn observed(pairs: &[(f64, f64)]) -> Vec<Observation> {
        pairs
            .iter()
            .map(|&(n, value)| Observation { n, value })
            .collect()
    }

    #[test]
    fn an_exact_power_law_gives_its_exponent() {
        let fit = fit_slope(
            &planted(-0.5, &[10.0, 100.0, 1000.0]),
            &FitOptions::default(),
        )
        .unwrap();
        assert!((fit.slope + 0.5).abs() < 1e-12);
        assert!((fit.intercept - 3f64.ln()).abs() < 1e-12);
        assert_eq!(fit.method, CiMethod::Residuals);
        assert!((fit.ci_low + 0.5).abs() < 1e-12 && (fit.ci_high + 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_log_correction_divides_out_a_log_factor() {
        let observations: Vec<Observation> = [100.0f64, 1e3, 1e4, 1e5]
            .iter()
            .map(|&n| Observation {
                n,
                value: (n.ln() / n).sqrt(),
            })
            .collect();
        let options = FitOptions {
            log_correction: 0.5,
            ..FitOptions::default()
        };
        assert!((fit_slope(&observations, &options).unwrap().slope + 0.5).abs() < 1e-12);
        let plain = fit_slope(&observations, &FitOptions::default()).unwrap();
        assert!(plain.slope > -0.5);
    }

    #[test]
    fn two_points_without_seeds_have_no_interval() {
        let fit = fit_slope(&planted(1.0, &[10.0, 100.0]), &FitOptions::default()).unwrap();
        assert_eq!(fit.method, CiMethod::None);
        assert!(fit.ci_low.is_infinite() && fit.ci_high.is_infinite());
    }

    #[test]
    fn least_squares_and_r_squared_match_the_hand_computation() {
        // ln N = 1, 2, 3, 4 and ln value = 0, 1, 1, 3: sxx = 5, sxy = 4.5, syy = 4.75, so
        // slope 0.9, intercept 1.25 − 0.9 · 2.5 = −1 and R² = 4.5²/(5 · 4.75) = 81/95.
        let observations: Vec<Observation> = [(1.0, 0.0), (2.0, 1.0), (3.0, 1.0), (4.0, 3.0)]
            .iter()
            .map(|&(x, y): &(f64, f64)| Observation {
                n: x.exp(),
                value: y.exp(),
            })
            .collect();
        let fit = fit_slope(&observations, &FitOptions::default()).unwrap();
        assert!((fit.slope - 0.9).abs() < 1e-12, "{}", fit.slope);
        assert!((fit.intercept + 1.0).abs() < 1e-12, "{}", fit.intercept);
        assert!(
            (fit.r_squared - 81.0 / 95.0).abs() < 1e-12,
            "{}",
            fit.r_squared
        );
        // A flat curve is fitted exactly: slope 0 and R² = 1 by convention (no variance).
        let flat = fit_slope(
            &planted(0.0, &[10.0, 100.0, 1000.0]),
            &FitOptions::default(),
        )
        .unwrap();
        assert_eq!((flat.slope, flat.r_squared), (0.0, 1.0));
    }

    #[test]
    fn options_outside_their_ranges_are_refused_and_the_edges_inside_are_taken() {
        let observations = planted(-0.5, &[10.0, 100.0, 1000.0]);
        let fit = |options: FitOptions| fit_slope(&observations, &options);
        let refused = |options: FitOptions, field: &str| {
            assert!(
                matches!(fit(options), Err(MetricError::InvalidParameter { name, .. }) if name == field),
                "{options:?}"
            );
        };
        let default = FitOptions::default();
        for level in [0.0, 1.0, 1.5, f64::NAN] {
            refused(FitOptions { level, ..default }, "level");
        }
        refused(
            FitOptions {
                resamples: 99,
                ..default
            },
            "resamples",
        );
        refused(
            FitOptions {
                resamples: 0,
                ..default
            },
            "resamples",
        );
        refused(
            FitOptions {
                log_correction: f64::NAN,
                ..default
            },
            "log_correction",
        );
        for options in [
            FitOptions {
                level: 0.01,
                ..default
            },
            FitOptions {
                level: 0.99,
                ..default
            },
            FitOptions {
                resamples: 100,
                ..default
            },
        ] {
            assert!(fit(options).is_ok(), "{options:?}");
        }
    }

    #[test]
    fn standard_errors_match_their_formulas_by_hand() {
        // x = 1, 2, 3: c = −1/2, 0, 1/2. Groups [1, 2, 3] (m 2, s² 1) and [4, 6, 8] (m 6,
        // s² 4): 0.25·1/(3·4) + 0.25·4/(3·36) = 1/48 + 1/108.
        let x = [1.0, 2.0, 3.0];
        let groups = [vec![1.0, 2.0, 3.0], vec![2.0; 3], vec![4.0, 6.0, 8.0]];
        let expected = (1.0f64 / 48.0 + 1.0 / 108.0).sqrt();
        assert!((delta_method_standard_error(&x, &groups) - expected).abs() < 1e-15);
        // RSS 0.04 over G − 2 = 3, Σ(x − x̄)² = 10: √(0.04/30).
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let se = slope_standard_error(&x, &[0.1, -0.1, 0.0, -0.1, 0.1]);
        assert!((se - (0.04f64 / 30.0).sqrt()).abs() < 1e-15, "{se}");
    }

    #[test]
    fn a_curve_without_spread_gets_a_point_interval_by_either_method() {
        // Equal seeds: every group's variance is 0. One seed on the line value = N: ln value
        // and ln N are the same numbers, so the fit and its residuals (0) are exact.
        let ns = [10.0, 100.0, 1000.0, 10_000.0];
        let seeds: Vec<Observation> = planted(-0.5, &ns).iter().flat_map(|o| [*o, *o]).collect();
        let residuals: Vec<Observation> = ns.iter().map(|&n| Observation { n, value: n }).collect();
        for (observations, method) in [(seeds, CiMethod::Seeds), (residuals, CiMethod::Residuals)] {
            let fit = fit_slope(&observations, &FitOptions::default()).unwrap();
            assert_eq!(fit.method, method);
            assert_eq!(
                (fit.ci_low, fit.ci_high),
                (fit.slope, fit.slope),
                "{method:?}"
            );
            assert_eq!(
                fit.degenerate_resamples, 0,
                "{method:?}: no bootstrap is run"
            );
        }
    }

    #[test]
    fn degenerate_residual_resamples_are_counted() {
        // Three equally spaced ln N, one seed: the residuals are r(1, −2, 1), and a resample
        // (a, b, c) of them is an exact line when 2b = a + c: all r (8/27) or all −2r (1/27),
        // so 1/3 of the 2000 resamples, about 667 (sd 21), are degenerate.
        let observations = observed(&[(10.0, 1.0), (100.0, 0.5), (1000.0, 0.3)]);
        let fit = fit_slope(&observations, &FitOptions::default()).unwrap();
        assert_eq!(fit.method, CiMethod::Residuals);
        assert!(
            (580..750).contains(&fit.degenerate_resamples),
            "{}",
            fit.degenerate_resamples
        );
    }

    #[test]
    fn each_sliding_window_fits_only_its_own_n() {
        // Slope −1 from N = 10 to 100, then −1/2: windows of two N fit each segment exactly.
        let observations = observed(&[(10.0, 0.1), (100.0, 0.01), (1e4, 0.001)]);
        let fits = sliding_slopes(&observations, 2, &FitOptions::default()).unwrap();
        let slopes: Vec<f64> = fits.iter().map(|f| f.slope).collect();
        assert!(
            (slopes[0] + 1.0).abs() < 1e-12 && (slopes[1] + 0.5).abs() < 1e-12,
            "{slopes:?}"
        );
        for window in [1, 4] {
            assert!(sliding_slopes(&observations, window, &FitOptions::default()).is_err());
        }
        assert_eq!(
            sliding_slopes(&observations, 3, &FitOptions::default())
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn residual_resamples_add_the_residuals_to_the_fit() {
        // An uneven grid with skewed residuals: the 90 % interval reaches 0.125 above b̂ and
        // 0.097 below. Resamples ŷ − e* instead of ŷ + e* mirror it (0.095 above, 0.133 below).
        let observations = observed(&[
            (10.0, 1.0),
            (20.0, 0.7),
            (40.0, 0.5),
            (80.0, 0.36),
            (1e4, 0.2),
        ]);
        let fit = fit_slope(&observations, &FitOptions::default()).unwrap();
        assert_eq!(fit.method, CiMethod::Residuals);
        let (below, above) = (fit.slope - fit.ci_low, fit.ci_high - fit.slope);
        assert!(above > 1.15 * below, "above {above}, below {below}");
    }

    #[test]
    fn each_interval_method_has_the_label_of_the_slopes_csv() {
        let labels = [CiMethod::Seeds, CiMethod::Residuals, CiMethod::None].map(CiMethod::label);
        assert_eq!(labels, ["bootstrap-seeds", "bootstrap-residuals", "none"]);
    }

    /// Two seeds at each N with distinct values: a resample is degenerate (zero standard error)
    /// when it draws one value twice at every N, with probability 2^-G over G values of N.
    fn two_seeds(ns: &[f64]) -> Vec<Observation> {
        ns.iter()
            .enumerate()
            .flat_map(|(i, &n)| {
                let centre = n.powf(-0.5) * (1.0 + 0.1 * (i % 3) as f64);
                [0.85, 1.15].map(|f| Observation {
                    n,
                    value: f * centre,
                })
            })
            .collect()
    }

    #[test]
    fn degenerate_resamples_are_counted_and_widen_the_interval_to_infinity() {
        let fit = fit_slope(&two_seeds(&[10.0, 100.0, 1000.0]), &FitOptions::default()).unwrap();
        assert_eq!(fit.method, CiMethod::Seeds);
        // 2000 resamples, each degenerate with probability 1/4 (every N's draws equal, or equal
        // at both ends while the middle N, which has no leverage, keeps its spread): 500 ± 19.
        assert!(
            (420..=580).contains(&fit.degenerate_resamples),
            "{}",
            fit.degenerate_resamples
        );
        assert_eq!(
            (fit.ci_low, fit.ci_high),
            (f64::NEG_INFINITY, f64::INFINITY)
        );

        // At six N only one resample in 64 is degenerate (no N has zero leverage): fewer than a
        // 5 % tail, so the ends stay finite.
        let fit = fit_slope(
            &two_seeds(&[10.0, 30.0, 100.0, 300.0, 1e3, 3e3]),
            &FitOptions::default(),
        )
        .unwrap();
        assert!(
            (5..=70).contains(&fit.degenerate_resamples),
            "{}",
            fit.degenerate_resamples
        );
        assert!(fit.ci_low.is_finite() && fit.ci_high.is_finite());
        assert!(fit.ci_low < fit.slope && fit.slope < fit.ci_high);
    }

    #[test]
    fn sliding_windows_cover_the_grid() {
        let fits = sliding_slopes(
            &planted(-1.0, &[10.0, 100.0, 1e3, 1e4]),
            3,
            &FitOptions::default(),
        )
        .unwrap();
        assert_eq!(fits.len(), 2);
        assert_eq!((fits[0].n_min, fits[1].n_max), (10.0, 1e4));
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(matches!(
            fit_slope(&planted(1.0, &[10.0]), &FitOptions::default()),
            Err(MetricError::TooFew {
                needed: 2,
                got: 1,
                ..
            })
        ));
        let zero = [
            Observation {
                n: 10.0,
                value: 0.0,
            },
            Observation {
                n: 20.0,
                value: 1.0,
            },
        ];
        assert!(matches!(
            fit_slope(&zero, &FitOptions::default()),
            Err(MetricError::NonPositive { index: 0, .. })
        ));
        assert!(sliding_slopes(&planted(1.0, &[10.0, 20.0]), 3, &FitOptions::default()).is_err());
    }
}
