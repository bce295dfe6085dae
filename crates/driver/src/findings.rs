//! The findings table at the top of summary.md: one row per `[[finding]]` of the experiments, each claim read from its experiment's own slope or fraction, with the verdict and the plot that shows it.

use crate::experiment::Experiment;
use crate::experiment_report::{ExperimentReport, FractionCurve, RateCurve};
use crate::fit::{SlopeRow, number};
use crate::plot::plot_curves;
use crate::schema::FindingSpec;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Verdicts of findings that are not a slope's own; against another slope, *steeper* and
/// *shallower* are the slope verdicts' words (the whole interval below or above the other's),
/// and two slopes whose intervals overlap are *not separated* (what `agrees_with` claims).
pub mod verdict {
    pub use crate::fit::verdict::{SHALLOWER, STEEPER};
    /// The curve the finding names is not in the reports (not run, or not fitted).
    pub const NOT_MEASURED: &str = "not measured";
    /// The two intervals overlap.
    pub const NOT_SEPARATED: &str = "not separated";
    /// A fraction reaches its level at every N.
    pub const HOLDS: &str = "holds at every N";
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    /// The claim.
    pub claim: String,
    /// `experiment · score · metric`.
    pub evidence: String,
    /// The slope with its interval and N window, or the range of a fraction's means.
    pub measured: String,
    /// What it is held against.
    pub against: String,
    /// The verdict.
    pub verdict: String,
    /// The plot, relative to the reports folder.
    pub plot: Option<String>,
}

fn interval(s: &SlopeRow) -> String {
    format!(
        "{} [{}, {}]",
        number(s.slope),
        number(s.ci_low),
        number(s.ci_high)
    )
}

/// The first slope of `metric` for the score of kind or label `score`.
fn slope_of<'a>(slopes: &'a [SlopeRow], score: &str, metric: &str) -> Option<&'a SlopeRow> {
    slopes
        .iter()
        .find(|s| s.metric == metric && (s.score == score || s.score_kind == score))
}

/// The parts of a curve's path `experiment/score/metric`.
fn curve_path(path: &str) -> Option<(&str, &str, &str)> {
    let mut parts = path.splitn(3, '/');
    Some((parts.next()?, parts.next()?, parts.next()?))
}

/// The report and slope row of `experiment/score/metric` among the reports.
fn find_slope<'a>(
    reports: &'a [ExperimentReport],
    path: &str,
) -> Option<(&'a ExperimentReport, &'a SlopeRow)> {
    let (experiment, score, metric) = curve_path(path)?;
    let report = reports.iter().find(|r| r.name == experiment)?;
    Some((report, slope_of(&report.slopes, score, metric)?))
}

/// The per-N means behind a slope row.
fn rate_of<'a>(report: &'a ExperimentReport, slope: &SlopeRow) -> Option<&'a RateCurve> {
    report
        .rates
        .iter()
        .find(|c| c.metric == slope.metric && c.score == slope.score && c.sampler == slope.sampler)
}

/// Where the figure of a finding against another slope goes:
/// `<experiment>/<metric>_vs_<other experiment>_<other metric>.svg`.
fn separation_plot(out: &Path, experiment: &str, spec: &FindingSpec) -> Option<PathBuf> {
    let (other_experiment, _, other_metric) = curve_path(spec.compared_with()?.0)?;
    let file = format!("{}_vs_{other_experiment}_{other_metric}.svg", spec.metric);
    Some(out.join(experiment).join(file))
}

/// Draws, for every finding held against another slope of the suite (`steeper_than`,
/// `agrees_with`) whose two
/// curves are both in the reports, the two curves with their fitted lines on one plot; returns
/// the files written.
pub fn plot_separations(
    experiments: &[Experiment],
    reports: &[ExperimentReport],
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (experiment, report) in experiments.iter().zip(reports) {
        for spec in &experiment.raw.finding {
            let (Some(path), Some(other_path)) = (
                separation_plot(out, &experiment.name, spec),
                spec.compared_with().map(|(path, _)| path),
            ) else {
                continue;
            };
            let Some(this) = slope_of(&report.slopes, &spec.score, &spec.metric) else {
                continue;
            };
            let Some((other_report, other)) = find_slope(reports, other_path) else {
                continue;
            };
            let (Some(this_curve), Some(other_curve)) =
                (rate_of(report, this), rate_of(other_report, other))
            else {
                continue;
            };
            let label = |report: &ExperimentReport, s: &SlopeRow| {
                format!("{} · {}: {}", report.name, s.score, s.metric)
            };
            // One metric in two experiments (an agreement across D, say) is named once.
            let (title, y_description) = if spec.metric == other.metric {
                (
                    format!(
                        "{}: {} against {}",
                        spec.metric, report.name, other_report.name
                    ),
                    spec.metric.clone(),
                )
            } else {
                (
                    format!("{} against {}", spec.metric, other.metric),
                    format!("{} · {}", spec.metric, other.metric),
                )
            };
            plot_curves(
                &title,
                &y_description,
                &[
                    (
                        label(report, this),
                        this_curve.points.clone(),
                        Some(this.clone()),
                    ),
                    (
                        label(other_report, other),
                        other_curve.points.clone(),
                        Some(other.clone()),
                    ),
                ],
                &path,
            )?;
            written.push(path);
        }
    }
    Ok(written)
}

/// The verdict of a slope against another's interval: steeper when its whole interval lies
/// below the other's, shallower when wholly above, not separated otherwise.
pub fn separation(this: &SlopeRow, other: &SlopeRow) -> &'static str {
    match (this.ci_low, this.ci_high, other.ci_low, other.ci_high) {
        (Some(_), Some(high), Some(other_low), _) if high < other_low => verdict::STEEPER,
        (Some(low), Some(_), _, Some(other_high)) if low > other_high => verdict::SHALLOWER,
        (Some(_), Some(_), Some(_), Some(_)) => verdict::NOT_SEPARATED,
        _ => verdict::NOT_MEASURED,
    }
}

fn slope_finding(
    spec: &FindingSpec,
    s: &SlopeRow,
    reports: &[ExperimentReport],
) -> (String, String, String) {
    let window = match (s.n_min, s.n_max) {
        (Some(lo), Some(hi)) => format!(", N = {lo}…{hi}"),
        _ => String::new(),
    };
    let measured = format!("slope {}{window}", interval(s));
    match spec.compared_with() {
        Some((path, comparison)) => {
            let words = comparison.words();
            match find_slope(reports, path) {
                Some((_, other)) => (
                    measured,
                    format!("{words} {path}: {}", interval(other)),
                    separation(s, other).to_string(),
                ),
                None => (
                    measured,
                    format!("{words} {path}"),
                    verdict::NOT_MEASURED.into(),
                ),
            }
        }
        None => {
            let against = match s.theory_slope {
                Some(t) => format!("{t} ({})", s.theory),
                None => "–".into(),
            };
            (measured, against, s.verdict.clone())
        }
    }
}

/// Whether every mean meets the level; otherwise the verdict names the N where it fails.
pub fn level_verdict(curve: &FractionCurve, at_least: Option<f64>, at_most: Option<f64>) -> String {
    let failing: Vec<String> = curve
        .means
        .iter()
        .filter(|(_, mean)| {
            at_least.is_some_and(|l| *mean < l) || at_most.is_some_and(|l| *mean > l)
        })
        .map(|(n, _)| n.to_string())
        .collect();
    if failing.is_empty() {
        verdict::HOLDS.into()
    } else {
        format!("fails at N = {}", failing.join(", "))
    }
}

fn level_finding(spec: &FindingSpec, curve: &FractionCurve) -> (String, String, String) {
    let (lo, hi) = curve
        .means
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, m)| {
            (lo.min(*m), hi.max(*m))
        });
    let (first, last) = (
        curve.means.first().map_or(0, |m| m.0),
        curve.means.last().map_or(0, |m| m.0),
    );
    let measured = format!("means {lo:.3}–{hi:.3}, N = {first}…{last}");
    let against = match (spec.at_least, spec.at_most) {
        (Some(l), _) => format!("≥ {l} at every N"),
        (_, Some(l)) => format!("≤ {l} at every N"),
        _ => "–".into(),
    };
    (
        measured,
        against,
        level_verdict(curve, spec.at_least, spec.at_most),
    )
}

/// The rows of every experiment's findings, ordered by claim (so that "(a) …" comes before
/// "(c) …" whatever the experiments' order), experiment order within a claim.
pub fn findings(
    experiments: &[Experiment],
    reports: &[ExperimentReport],
    separations: &[PathBuf],
    out: &Path,
) -> Vec<FindingRow> {
    let mut rows = Vec::new();
    for (experiment, report) in experiments.iter().zip(reports) {
        for spec in &experiment.raw.finding {
            let slope = slope_of(&report.slopes, &spec.score, &spec.metric);
            let curve = report.fractions.iter().find(|c| {
                c.metric == spec.metric
                    && (c.score == spec.score
                        || experiment
                            .scores
                            .iter()
                            .any(|s| s.label == c.score && spec.score == s.kind()))
            });
            let (measured, against, verdict) = match (slope, curve) {
                (Some(s), _) => slope_finding(spec, s, reports),
                (None, Some(c)) => level_finding(spec, c),
                (None, None) => ("–".into(), "–".into(), verdict::NOT_MEASURED.into()),
            };
            let separation = separation_plot(out, &experiment.name, spec)
                .filter(|path| separations.contains(path));
            let plot = separation
                .as_ref()
                .or_else(|| {
                    report.plots.iter().find(|p| {
                        p.file_stem()
                            .is_some_and(|stem| stem == spec.metric.as_str())
                    })
                })
                .map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string());
            rows.push(FindingRow {
                claim: spec.claim.clone(),
                evidence: format!("{} · {} · {}", experiment.name, spec.score, spec.metric),
                measured,
                against,
                verdict,
                plot,
            });
        }
    }
    rows.sort_by(|a, b| a.claim.cmp(&b.claim));
    rows
}

/// The findings as a Markdown table (empty when there are none).
pub fn findings_table(rows: &[FindingRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "| claim | evidence | measured | against | verdict | plot |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let plot = row
            .plot
            .as_ref()
            .map_or("–".to_string(), |p| format!("[plot]({p})"));
        md += &format!(
            "| {} | {} | {} | {} | {} | {plot} |\n",
            row.claim, row.evidence, row.measured, row.against, row.verdict
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::PointStat;
    use crate::profile::Profile;

    const CONFIG: &str = r#"
seed = 1
ambient_dim = 3
[manifold]
kind = "circle"
[sweep]
n_train = [10, 20, 40, 80]
seeds = 3
samples = 10
[[sampler]]
t_min = 1e-3
[[score]]
kind = "empirical"
[[score]]
kind = "projection"
degree = 2
[metrics]
w1_to_mu = { atoms = true }
novelty = true
[[finding]]
claim = "(a) density estimation"
score = "empirical"
metric = "w1_atoms_to_mu"
[[finding]]
claim = "(d) faster than density estimation"
score = "projection"
metric = "w1_to_mu"
steeper_than = "fixture/empirical/w1_atoms_to_mu"
[[finding]]
claim = "memorization"
score = "empirical"
metric = "memorized_fraction"
at_least = 0.9
"#;

    fn slope(score: &str, metric: &str, interval: [f64; 3], verdict: &str) -> SlopeRow {
        SlopeRow {
            experiment: "fixture".into(),
            score: score.into(),
            score_kind: score.split('(').next().unwrap().into(),
            metric: metric.into(),
            slope: Some(interval[1]),
            ci_low: Some(interval[0]),
            ci_high: Some(interval[2]),
            n_min: Some(10.0),
            n_max: Some(80.0),
            theory_slope: Some(-0.5),
            theory: "N^-1/2".into(),
            verdict: verdict.into(),
            ..SlopeRow::default()
        }
    }

    /// Per-N means falling like N^slope from 1 at N = 10.
    fn rate(score: &str, metric: &str, slope: f64) -> RateCurve {
        RateCurve {
            metric: metric.into(),
            score: score.into(),
            sampler: String::new(),
            points: [10.0, 20.0, 40.0, 80.0]
                .map(|n: f64| PointStat {
                    n,
                    mean: (n / 10.0).powf(slope),
                    standard_error: 0.0,
                })
                .to_vec(),
        }
    }

    /// The fixture experiment and its report in `out`: the coarse slope's interval `coarse`,
    /// the memorized fraction's means `memorized`.
    fn report(coarse: [f64; 3], memorized: &[f64], out: &Path) -> (Experiment, ExperimentReport) {
        let experiment =
            Experiment::parse(CONFIG, Path::new("fixture.toml"), Profile::Standard).unwrap();
        let report = ExperimentReport {
            name: "fixture".into(),
            dir: out.join("fixture"),
            slopes: vec![
                slope(
                    "empirical",
                    "w1_atoms_to_mu",
                    [-0.52, -0.5, -0.48],
                    "consistent",
                ),
                slope("projection(m=2)", "w1_to_mu", coarse, "no theory line"),
            ],
            plots: vec![out.join("fixture/w1_atoms_to_mu.svg")],
            timings: Vec::new(),
            fractions: vec![FractionCurve {
                metric: "memorized_fraction".into(),
                score: "empirical".into(),
                sampler: "sde".into(),
                means: [10, 20, 40, 80]
                    .into_iter()
                    .zip(memorized.iter().copied())
                    .collect(),
            }],
            band: None,
            rates: vec![
                rate("empirical", "w1_atoms_to_mu", -0.5),
                rate("projection(m=2)", "w1_to_mu", coarse[1]),
            ],
            training: Vec::new(),
            boundaries: Vec::new(),
            phase: Vec::new(),
        };
        (experiment, report)
    }

    fn rows(coarse: [f64; 3], memorized: &[f64]) -> Vec<FindingRow> {
        let out = PathBuf::from("reports");
        let (experiment, report) = report(coarse, memorized, &out);
        findings(&[experiment], &[report], &[], &out)
    }

    #[test]
    fn a_finding_against_another_slope_is_plotted_with_both_curves() {
        let out = tempfile::tempdir().unwrap();
        let (experiment, report) = report([-1.2, -1.0, -0.8], &[1.0; 4], out.path());
        std::fs::create_dir(&report.dir).unwrap();
        let written = plot_separations(
            std::slice::from_ref(&experiment),
            std::slice::from_ref(&report),
            out.path(),
        )
        .unwrap();
        let expected = out
            .path()
            .join("fixture/w1_to_mu_vs_fixture_w1_atoms_to_mu.svg");
        assert_eq!(written, vec![expected.clone()]);
        let svg = std::fs::read_to_string(&expected).unwrap();
        for text in [
            "fixture · projection(m=2): w1_to_mu",
            "fixture · empirical: w1_atoms_to_mu",
            "slope -1.000 [-1.200, -0.800]",
            "slope -0.500 [-0.520, -0.480]",
            "training-set size N",
        ] {
            assert!(svg.contains(text), "no {text} in the plot");
        }
        let found = findings(&[experiment], &[report], &written, out.path());
        let plots: Vec<Option<&str>> = found.iter().map(|f| f.plot.as_deref()).collect();
        assert_eq!(
            plots,
            [
                Some("fixture/w1_atoms_to_mu.svg"),
                Some("fixture/w1_to_mu_vs_fixture_w1_atoms_to_mu.svg"),
                None
            ]
        );
    }

    #[test]
    fn each_verdict_follows_the_data_it_is_read_from() {
        let found = rows([-1.2, -1.0, -0.8], &[1.0, 0.99, 0.97, 0.95]);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].verdict, "consistent");
        assert_eq!(
            found[0].measured,
            "slope -0.500 [-0.520, -0.480], N = 10…80"
        );
        assert_eq!(found[0].plot.as_deref(), Some("fixture/w1_atoms_to_mu.svg"));
        assert_eq!(found[1].verdict, verdict::STEEPER);
        assert!(
            found[1].against.contains("-0.500 [-0.520, -0.480]"),
            "{}",
            found[1].against
        );
        assert_eq!(found[2].verdict, verdict::HOLDS);
        assert_eq!(found[2].measured, "means 0.950–1.000, N = 10…80");
        // Move the coarse slope into the other's interval, then above it; drop a fraction.
        let found = rows([-0.55, -0.45, -0.35], &[1.0, 0.99, 0.85, 0.95]);
        assert_eq!(found[1].verdict, verdict::NOT_SEPARATED);
        assert_eq!(found[2].verdict, "fails at N = 40");
        let found = rows([-0.3, -0.2, -0.1], &[0.5, 0.99, 0.85, 0.95]);
        assert_eq!(found[1].verdict, verdict::SHALLOWER);
        assert_eq!(found[2].verdict, "fails at N = 10, 40");
        let table = findings_table(&found);
        assert!(
            table.contains("| (a) density estimation | fixture · empirical · w1_atoms_to_mu |")
        );
        assert!(table.contains("[plot](fixture/w1_atoms_to_mu.svg)"));
    }

    /// `agrees_with` reads the same separation of intervals, under its own words: overlapping
    /// intervals are not separated (the claim holds), an interval wholly below the other's is
    /// steeper (it fails).
    #[test]
    fn an_agreement_is_read_from_the_overlap_of_the_intervals() {
        let config = CONFIG.replace(
            "steeper_than = \"fixture/empirical/w1_atoms_to_mu\"",
            "agrees_with = \"fixture/empirical/w1_atoms_to_mu\"",
        );
        let experiment =
            Experiment::parse(&config, Path::new("fixture.toml"), Profile::Standard).unwrap();
        let out = PathBuf::from("reports");
        for (coarse, expected) in [
            ([-0.55, -0.45, -0.35], verdict::NOT_SEPARATED),
            ([-1.2, -1.0, -0.8], verdict::STEEPER),
        ] {
            let (_, report) = report(coarse, &[1.0; 4], &out);
            let found = findings(std::slice::from_ref(&experiment), &[report], &[], &out);
            assert_eq!(found[1].verdict, expected);
            assert_eq!(
                found[1].against,
                "agrees with fixture/empirical/w1_atoms_to_mu: -0.500 [-0.520, -0.480]"
            );
        }
    }

    #[test]
    fn a_curve_missing_from_the_reports_is_not_measured() {
        let other = slope("projection(m=2)", "w1_to_mu", [-0.3, -0.2, -0.1], "x");
        let mut open = other.clone();
        open.ci_high = None;
        assert_eq!(separation(&open, &other), verdict::NOT_MEASURED);
        let experiment =
            Experiment::parse(CONFIG, Path::new("fixture.toml"), Profile::Standard).unwrap();
        let empty = ExperimentReport {
            name: "fixture".into(),
            dir: PathBuf::from("reports/fixture"),
            slopes: Vec::new(),
            plots: Vec::new(),
            timings: Vec::new(),
            fractions: Vec::new(),
            band: None,
            rates: Vec::new(),
            training: Vec::new(),
            boundaries: Vec::new(),
            phase: Vec::new(),
        };
        let found = findings(&[experiment], &[empty], &[], Path::new("reports"));
        assert!(found.iter().all(|f| f.verdict == verdict::NOT_MEASURED));
    }
}
