//! The run manifest (reports/manifest.toml) and reports/summary.md, which gathers every slope
//! against its theory line and links the plots.

use crate::experiment::Experiment;
use crate::experiment_report::{ExperimentReport, FractionCurve};
use crate::findings::{findings, findings_table, plot_separations};
use crate::fit::{CONFIRMING_POINTS, CONFIRMING_SEEDS, SlopeRow, number};
use crate::output::write_string;
use crate::phase::{boundary_table, plot_phase_maps, region_table};
use crate::profile::Profile;
use crate::training::training_table;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// reports/manifest.toml.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// When the sweep finished (UTC, RFC 3339).
    pub finished: String,
    /// `git rev-parse HEAD` of the working tree, `+dirty` with uncommitted changes.
    pub git_commit: String,
    /// The profile.
    pub profile: String,
    /// Worker threads (absent for reports merged from shards).
    pub threads: Option<usize>,
    /// The command line.
    pub command: Vec<String>,
    /// mangen's version and the locked versions of its numerical dependencies.
    pub versions: BTreeMap<String, String>,
    /// One entry per experiment.
    pub experiment: Vec<ManifestExperiment>,
}

/// One experiment in the manifest.
#[derive(Debug, Serialize)]
pub struct ManifestExperiment {
    /// Name.
    pub name: String,
    /// Config file.
    pub file: String,
    /// Total seconds of its cells (summed over threads).
    pub cell_seconds: f64,
    /// The sweep as run (after the profile).
    pub n_train: Vec<usize>,
    /// Repetitions per N.
    pub seeds: usize,
    /// Samples per cell.
    pub samples: usize,
    /// The config as written.
    pub config: crate::schema::RawExperiment,
    /// Every cell and its time.
    pub cell: Vec<ManifestCell>,
}

/// One cell in the manifest.
#[derive(Debug, Serialize)]
pub struct ManifestCell {
    /// Score label.
    pub score: String,
    /// Sampler label.
    pub sampler: String,
    /// N.
    pub n_train: usize,
    /// Repetition.
    pub seed: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Manifest {
    /// The manifest of a finished sweep.
    pub fn new(
        profile: Profile,
        threads: Option<usize>,
        experiments: &[Experiment],
        reports: &[ExperimentReport],
    ) -> Self {
        let mut versions = BTreeMap::new();
        versions.insert("mangen".to_string(), env!("CARGO_PKG_VERSION").to_string());
        for pair in env!("MANGEN_LOCKED_VERSIONS")
            .split(';')
            .filter(|s| !s.is_empty())
        {
            if let Some((name, version)) = pair.split_once('=') {
                versions.insert(name.to_string(), version.to_string());
            }
        }
        let experiment = experiments
            .iter()
            .zip(reports)
            .map(|(e, r)| ManifestExperiment {
                name: e.name.clone(),
                file: e.file.display().to_string(),
                cell_seconds: r.timings.iter().map(|t| t.seconds).sum(),
                n_train: e.sweep.n_train.clone(),
                seeds: e.sweep.seeds,
                samples: e.sweep.samples,
                config: e.raw.clone(),
                cell: r
                    .timings
                    .iter()
                    .map(|t| ManifestCell {
                        score: e.scores[t.cell.score].label.clone(),
                        sampler: e.samplers[t.cell.sampler].label.clone(),
                        n_train: t.cell.n_train,
                        seed: t.cell.seed,
                        seconds: t.seconds,
                    })
                    .collect(),
            })
            .collect();
        Self {
            finished: rfc3339_now(),
            git_commit: git_commit(),
            profile: profile.name().into(),
            threads,
            command: std::env::args().collect(),
            versions,
            experiment,
        }
    }

    /// Writes the manifest atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_string(path, &toml::to_string(self)?)
    }
}

fn git_commit() -> String {
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    match run(&["rev-parse", "HEAD"]) {
        Some(commit) => match run(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(changes) if !changes.is_empty() => format!("{commit}+dirty"),
            _ => commit,
        },
        None => "unknown (not a git checkout)".into(),
    }
}

/// The current UTC time as `YYYY-MM-DDThh:mm:ssZ` (days to civil date: Hinnant's algorithm).
fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// reports/summary.md: per experiment, every fitted slope against its theory line, and the plots.
pub fn summary(
    profile: Profile,
    experiments: &[Experiment],
    reports: &[ExperimentReport],
    separations: &[PathBuf],
    phase_maps: &[PhaseMaps],
    out: &Path,
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# mangen: slopes against theory\n");
    let table = findings_table(&findings(experiments, reports, separations, out));
    if !table.is_empty() {
        let _ = writeln!(
            md,
            "## Findings\n\nEach claim read from its experiment's data in this run: the slope with its interval \
             (or the range of a fraction's per-N means), what it is held against, and the verdict.\n\n{table}"
        );
    }
    let _ = write!(
        md,
        "{}",
        phase_section(experiments, reports, phase_maps, out)
    );
    let _ = writeln!(
        md,
        "Profile `{profile}`. Each slope is the least-squares slope of ln(mean over seeds) on ln N, with a \
         studentized bootstrap interval; N values where a metric is within its `floor_factor` of the \
         fresh-sample null floor or of a stated absolute floor are left out, and so are the N of a level run \
         that ends a falling curve (each falling at less than a quarter of the slope before it: a floor \
         found in the data); column \"below floor\" counts both. Radii of the coverage grid have their \
         interval widened by one grid step over the N window. Verdicts: *consistent* (the theory \
         slope lies in the interval), *not resolved* (so does 0, with a theory slope that is not 0), *steeper* / *shallower* (the whole interval lies below / above it), \
         *indicative* (one of those three, but fitted on fewer than {CONFIRMING_SEEDS} seeds at some N or \
         fewer than {CONFIRMING_POINTS} N), *no interval* (unbounded on both sides: too many bootstrap resamples had no spread, as with two \
         seeds at three N), *below the noise floor*, *too few points*, *no theory line*. The rates of the theory are upper \
         bounds up to log factors: a slope at least as steep reproduces a bound.\n"
    );
    for (experiment, report) in experiments.iter().zip(reports) {
        let _ = writeln!(md, "## {}\n", experiment.name);
        if !experiment.description.is_empty() {
            let _ = writeln!(md, "{}\n", experiment.description);
        }
        if !experiment.limits.is_empty() {
            let _ = writeln!(md, "*What limits the measurement.* {}\n", experiment.limits);
        }
        let _ = writeln!(
            md,
            "{} · N ∈ {:?} · {} seeds · {} samples per cell · config `{}`\n",
            experiment.measure.name(),
            experiment.sweep.n_train,
            experiment.sweep.seeds,
            experiment.sweep.samples,
            experiment.file.display()
        );
        if experiment.sweep.n_train.len() > 1 {
            let _ = writeln!(
                md,
                "| metric | score | sampler | slope | interval | N window | sliding (3 N) | below floor | theory | verdict |\n|---|---|---|---|---|---|---|---|---|---|"
            );
            for s in &report.slopes {
                let _ = writeln!(md, "{}", slope_line(s));
            }
        } else {
            let _ = writeln!(md, "One N in this profile: no slopes against N.");
        }
        let _ = writeln!(md);
        if !report.training.is_empty() {
            let _ = writeln!(
                md,
                "{}",
                training_table(
                    &report.training,
                    &experiment.fit.training_targets,
                    &experiment.fit.training_epochs,
                )
            );
        }
        if !report.fractions.is_empty() {
            let _ = writeln!(md, "{}", fraction_table(&report.fractions));
        }
        if let Some(band) = &report.band {
            let _ = writeln!(md, "{}", band.table());
        }
        for plot in &report.plots {
            let _ = writeln!(md, "{}", image_link(plot, out, ""));
        }
        let _ = writeln!(md);
    }
    md
}

/// A markdown image of `plot`, relative to the report folder `out`, its file stem after
/// `prefix` as the alternative text.
fn image_link(plot: &Path, out: &Path, prefix: &str) -> String {
    let relative = plot.strip_prefix(out).unwrap_or(plot);
    let name = plot
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    format!("![{prefix}{name}]({})", relative.display())
}

/// One experiment's drawn phase maps, and the `[phase] beside` references not in this run.
#[derive(Debug, Clone, Default)]
pub struct PhaseMaps {
    /// The SVG files.
    pub files: Vec<PathBuf>,
    /// References to boundaries of experiments or labels this run does not have.
    pub missing: Vec<String>,
}

/// Draws the phase maps of every experiment with a sweep axis, with the boundaries its
/// `[phase] beside` names from the other experiments of the run.
fn draw_phase_maps(
    experiments: &[Experiment],
    reports: &[ExperimentReport],
) -> Result<Vec<PhaseMaps>> {
    let mut all = Vec::new();
    for (experiment, report) in experiments.iter().zip(reports) {
        let mut beside = Vec::new();
        let mut missing = Vec::new();
        for reference in &experiment.raw.phase.beside {
            let found = reference.split_once('/').and_then(|(name, label)| {
                let other = reports.iter().find(|r| r.name == name)?;
                let (_, points) = other.boundaries.iter().find(|(l, _)| l == label)?;
                Some(points.clone())
            });
            match found {
                Some(points) => beside.push((reference.clone(), points)),
                None => missing.push(reference.clone()),
            }
        }
        let files = plot_phase_maps(
            experiment,
            &report.phase,
            &report.boundaries,
            &report.slopes,
            &beside,
            &report.dir,
        )?;
        all.push(PhaseMaps { files, missing });
    }
    Ok(all)
}

/// The phase maps of the experiments with a sweep axis, with their boundary tables: where
/// memorization begins, for the findings section.
fn phase_section(
    experiments: &[Experiment],
    reports: &[ExperimentReport],
    maps: &[PhaseMaps],
    out: &Path,
) -> String {
    let mut md = String::new();
    for ((experiment, report), maps) in experiments.iter().zip(reports).zip(maps) {
        let Some(axis) = experiment.axis.as_ref().filter(|_| !maps.files.is_empty()) else {
            continue;
        };
        if md.is_empty() {
            md.push_str("### Phase maps: where memorization begins\n\n");
        }
        let _ = writeln!(
            md,
            "**{}** ({} over N × {}):\n",
            experiment.name, axis.family, axis.symbol
        );
        for (other, points) in &report.boundaries {
            let _ = writeln!(md, "{}", boundary_table(&axis.symbol, other, points));
        }
        for table in report
            .phase
            .iter()
            .filter_map(|map| region_table(&axis.symbol, map))
        {
            let _ = writeln!(md, "{table}");
        }
        for reference in &maps.missing {
            let _ = writeln!(
                md,
                "The boundary of `{reference}` is not drawn: that experiment or label is not in this run.\n"
            );
        }
        for plot in &maps.files {
            let prefix = format!("{} ", experiment.name);
            let _ = writeln!(md, "{}", image_link(plot, out, &prefix));
        }
        let _ = writeln!(md);
    }
    md
}

/// Fractions and indices (no slope): the mean over seeds at each N.
fn fraction_table(curves: &[FractionCurve]) -> String {
    let mut ns: Vec<usize> = curves
        .iter()
        .flat_map(|c| c.means.iter().map(|m| m.0))
        .collect();
    ns.sort_unstable();
    ns.dedup();
    let mut md = String::from("| metric | score | sampler |");
    for n in &ns {
        let _ = write!(md, " N = {n} |");
    }
    md += "\n|---|---|---|";
    md += &"---|".repeat(ns.len());
    md += "\n";
    for c in curves {
        let _ = write!(md, "| {} | {} | {} |", c.metric, c.score, c.sampler);
        for n in &ns {
            match c.means.iter().find(|m| m.0 == *n) {
                Some((_, mean)) => {
                    let _ = write!(md, " {mean:.3} |");
                }
                None => md += " – |",
            }
        }
        md += "\n";
    }
    md
}

fn slope_line(s: &SlopeRow) -> String {
    let window = match (s.n_min, s.n_max) {
        (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
        _ => "–".into(),
    };
    let interval = match (s.ci_low, s.ci_high) {
        (Some(lo), Some(hi)) => format!("[{lo:.3}, {hi:.3}] ({:.0} %)", s.level * 100.0),
        _ => "–".into(),
    };
    let theory = match s.theory_slope {
        Some(t) => format!("{t:.3} ({})", s.theory),
        None => "–".into(),
    };
    let sliding = if s.sliding_slopes.is_empty() {
        "–".to_string()
    } else {
        s.sliding_slopes.replace(';', ", ")
    };
    format!(
        "| {} | {} | {} | {} | {interval} | {window} | {sliding} | {} | {theory} | {} |",
        s.metric,
        s.score,
        s.sampler,
        number(s.slope),
        s.below_floor,
        s.verdict
    )
}

/// Writes manifest.toml and summary.md into `out`.
pub fn write_reports(
    manifest: &Manifest,
    experiments: &[Experiment],
    reports: &[ExperimentReport],
    out: &Path,
    quiet: bool,
) -> Result<()> {
    manifest.write(&out.join("manifest.toml"))?;
    let profile = experiments.first().map_or(Profile::Standard, |e| e.profile);
    let separations = plot_separations(experiments, reports, out)?;
    let maps = draw_phase_maps(experiments, reports)?;
    write_string(
        &out.join("summary.md"),
        &summary(profile, experiments, reports, &separations, &maps, out),
    )?;
    if !quiet {
        eprintln!(
            "mangen: done; {} and {}",
            out.join("summary.md").display(),
            out.join("manifest.toml").display()
        );
    }
    Ok(())
}
