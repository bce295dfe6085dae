//! The subcommands of `mangen`: each reads its inputs, checks them, computes, and writes whole files.
#![allow(clippy::print_stdout)]

use crate::cell::{Cell, generate};
use crate::engine::{
    ExperimentReport, Progress, Shard, check_complete, report_experiment, run_cells,
};
use crate::experiment::{Experiment, LoadOptions};
use crate::fit::{fit_experiment, read_slopes, write_slopes};
use crate::journal::{Fingerprint, FinishedCell, JOURNAL_DIR, Journal};
use crate::lock::OutputLock;
use crate::models::build_manifold;
use crate::output::{create_dir, write_string};
use crate::plot::plot_experiment;
use crate::points::{read_points, write_points};
use crate::profile::Profile;
use crate::registry::Registry;
use crate::report::{Manifest, summary};
use crate::runs::read_runs;
use crate::schema::{EmbeddingKind, ManifoldSpec, ScheduleName};
use anyhow::{Context, Result, bail};
use clap::Args;
use mangen_geometry::Manifold;
use mangen_measures::{DensityMeasure, Measure};
use mangen_metrics::{coverage_curve, fidelity, nearest_two, wasserstein};
use mangen_samplers::RunOptions;
use mangen_scores::{EmpiricalScore, KdTree, ProjectionScore, Score, Truncation};
use ndarray::{Array2, Axis};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `mangen sweep`.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Experiments to run: config files, or names of files in --experiments-dir; all of them when none.
    pub experiments: Vec<String>,
    /// quick (smoke test), standard or large.
    #[arg(long, default_value = "standard")]
    pub profile: Profile,
    /// Where the experiment configs live.
    #[arg(long, default_value = "data/experiments")]
    pub experiments_dir: PathBuf,
    /// Where the reports go: OUT/EXPERIMENT/{runs.csv, slopes.csv, *.svg}, manifest.toml, summary.md.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Worker threads (all cores when absent); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Multiply every sampler's step count (2 halves the step size: the discretization check).
    #[arg(long, default_value_t = 1)]
    pub steps_factor: usize,
    /// Continue an interrupted sweep: cells already in OUT/journal are kept, not run again.
    #[arg(long)]
    pub resume: bool,
    /// Run only the share I of N of the cells (for example 2/3), into OUT/journal; `mangen
    /// merge` combines the shares into the reports of a single run.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
}

impl SweepArgs {
    /// The standard sweep of the config files `experiments` into `out`, as `mangen sweep` runs
    /// it without options but `--quiet`.
    pub fn new(experiments: &[&Path], out: &Path) -> Self {
        Self {
            experiments: experiments
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            profile: Profile::Standard,
            experiments_dir: PathBuf::from("data/experiments"),
            out: out.to_path_buf(),
            threads: None,
            quiet: true,
            steps_factor: 1,
            resume: false,
            shard: None,
        }
    }
}

/// Resolves the experiment arguments into config files.
fn experiment_files(args: &SweepArgs) -> Result<Vec<PathBuf>> {
    let dir = &args.experiments_dir;
    let known = || -> Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list the experiments folder {}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        Ok(files)
    };
    if args.experiments.is_empty() {
        let files = known()?;
        if files.is_empty() {
            bail!("no experiment configs (*.toml) in {}", dir.display());
        }
        return Ok(files);
    }
    args.experiments
        .iter()
        .map(|name| {
            let path = PathBuf::from(name);
            if path.is_file() {
                return Ok(path);
            }
            let named = dir.join(format!("{name}.toml"));
            if named.is_file() {
                return Ok(named);
            }
            let names: Vec<String> = known()
                .unwrap_or_default()
                .iter()
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect();
            bail!(
                "unknown experiment `{name}`: neither a file nor a config in {} (known: {})",
                dir.display(),
                names.join(", ")
            )
        })
        .collect()
}

/// Runs the sweep with the built-in kinds of scores and metrics.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    sweep_with(args, &Registry::standard())
}

/// Runs the sweep with the kinds of `registry`: every config and journal is checked before any
/// cell runs.
pub fn sweep_with(args: &SweepArgs, registry: &Registry) -> Result<()> {
    let files = experiment_files(args)?;
    if args.steps_factor == 0 {
        bail!("--steps-factor must be ≥ 1");
    }
    let options = LoadOptions {
        profile: args.profile,
        steps_factor: args.steps_factor,
        registry,
    };
    let experiments = files
        .iter()
        .map(|file| Experiment::load_with(file, &options))
        .collect::<Result<Vec<_>>>()?;
    if let Some(duplicate) = experiments
        .iter()
        .enumerate()
        .find(|(i, e)| experiments[..*i].iter().any(|other| other.name == e.name))
    {
        bail!(
            "two experiments are named `{}` ({}): their reports would share a folder",
            duplicate.1.name,
            duplicate.1.file.display()
        );
    }
    if let Some(threads) = args.threads {
        if threads == 0 {
            bail!("--threads must be ≥ 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let lengths: Vec<usize> = experiments
        .iter()
        .map(|e| crate::cell::plan(e).len())
        .collect();
    let owned = shard.owned(&lengths);
    let _lock = OutputLock::acquire(&args.out, "sweep")?;
    let mut journals = Vec::new();
    let mut todo = Vec::new();
    for (experiment, owned) in experiments.iter().zip(&owned) {
        let journal = Journal::open(&args.out, experiment, owned, args.resume)?;
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
    if !args.quiet {
        let share = match args.shard {
            Some(shard) => format!("shard {shard}, "),
            None => String::new(),
        };
        let resumed = match owned_total - total {
            0 => String::new(),
            done => format!(" ({done} finished before, kept)"),
        };
        eprintln!(
            "mangen: sweep, profile {}, {} experiment(s), {share}{total} cells to run{resumed}, {} threads, reports in {}",
            args.profile,
            experiments.len(),
            rayon::current_num_threads(),
            args.out.display()
        );
    }
    let progress = Progress::new(total, args.quiet);
    for ((experiment, journal), todo) in experiments.iter().zip(&journals).zip(&todo) {
        run_cells(experiment, todo, journal, &progress)?;
    }
    progress.finish();
    if let Some(shard) = args.shard {
        if !args.quiet {
            eprintln!(
                "mangen: shard {shard} done; its cells are in {}. Combine the shards with `mangen merge <shard folders> --out <folder>`",
                args.out.join(JOURNAL_DIR).display()
            );
        }
        return Ok(());
    }
    let mut reports = Vec::new();
    for (experiment, journal) in experiments.iter().zip(&journals) {
        let finished = journal.finished(experiment)?;
        reports.push(report_experiment(experiment, &finished, &args.out)?);
    }
    let manifest = Manifest::new(
        args.profile,
        Some(rayon::current_num_threads()),
        &experiments,
        &reports,
    );
    write_reports(&manifest, &experiments, &reports, &args.out, args.quiet)
}

/// Writes manifest.toml and summary.md into `out`.
fn write_reports(
    manifest: &Manifest,
    experiments: &[Experiment],
    reports: &[ExperimentReport],
    out: &Path,
    quiet: bool,
) -> Result<()> {
    manifest.write(&out.join("manifest.toml"))?;
    let profile = experiments.first().map_or(Profile::Standard, |e| e.profile);
    write_string(
        &out.join("summary.md"),
        &summary(profile, experiments, reports, out),
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

/// `mangen merge`: the reports of a single run from the journals of its shards.
pub fn merge(shards: &[PathBuf], out: &Path, quiet: bool) -> Result<()> {
    if shards.is_empty() {
        bail!("no shard folders given");
    }
    let mut names: Vec<String> = Vec::new();
    for shard in shards {
        for name in Journal::names(shard)? {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.sort();
    if names.is_empty() {
        bail!("the shard folders hold no journaled experiment");
    }
    let mut merged = Vec::new();
    for name in &names {
        let mut agreed: Option<(Fingerprint, PathBuf)> = None;
        let mut finished = BTreeMap::new();
        let mut experiment = None;
        for shard in shards {
            if !shard.join(JOURNAL_DIR).join(name).is_dir() {
                continue;
            }
            let (journal, fingerprint) = Journal::existing(shard, name)?;
            match &agreed {
                None => {
                    experiment = Some(fingerprint.experiment(journal.dir())?);
                    agreed = Some((fingerprint, journal.dir().to_path_buf()));
                }
                Some((first, first_dir)) if *first != fingerprint => bail!(
                    "{} and {} journal different sweeps of `{name}`: run every shard with the same configs, profile and mangen",
                    first_dir.display(),
                    journal.dir().display()
                ),
                Some(_) => {}
            }
            let experiment = experiment.as_ref().expect("set with the first fingerprint");
            for (index, cell) in journal.finished(experiment)? {
                if finished
                    .get(&index)
                    .is_some_and(|known: &FinishedCell| known.rows != cell.rows)
                {
                    bail!(
                        "{}: cell {index} differs from the same cell in another shard",
                        journal.dir().display()
                    );
                }
                finished.entry(index).or_insert(cell);
            }
        }
        let experiment = experiment.expect("every listed name has a journal");
        check_complete(&experiment, &finished).map_err(|err| {
            anyhow::anyhow!("{err:#}; did every shard finish? (`mangen sweep --resume --shard I/N` completes one)")
        })?;
        merged.push((experiment, finished));
    }
    let profile = merged[0].0.profile;
    if let Some((other, _)) = merged.iter().find(|(e, _)| e.profile != profile) {
        bail!(
            "`{}` ran with the profile {} and `{}` with {}: merge the shards of one sweep",
            merged[0].0.name,
            profile,
            other.name,
            other.profile
        );
    }
    // Nothing is written (not even the folder) before every shard has been checked.
    let _lock = OutputLock::acquire(out, "merge")?;
    let mut reports = Vec::new();
    for (experiment, finished) in &merged {
        reports.push(report_experiment(experiment, finished, out)?);
    }
    let experiments: Vec<Experiment> = merged.into_iter().map(|(e, _)| e).collect();
    let manifest = Manifest::new(profile, None, &experiments, &reports);
    write_reports(&manifest, &experiments, &reports, out, quiet)
}

/// `mangen fit`: slopes.csv from a runs.csv.
pub fn fit(experiment: &Path, runs: &Path, out: &Path) -> Result<()> {
    let experiment = Experiment::load(experiment, Profile::Standard)?;
    let rows = read_runs(runs)?;
    let slopes = fit_experiment(&experiment, &rows)?;
    write_slopes(out, &slopes)
}

/// `mangen plot`: the SVG plots of a runs.csv.
pub fn plot(experiment: &Path, runs: &Path, slopes: Option<&Path>, out_dir: &Path) -> Result<()> {
    let experiment = Experiment::load(experiment, Profile::Standard)?;
    let rows = read_runs(runs)?;
    let slopes = match slopes {
        Some(path) => read_slopes(path)?,
        None => Vec::new(),
    };
    create_dir(out_dir)?;
    let written = plot_experiment(&experiment, &rows, &slopes, out_dir)?;
    for path in written {
        println!("{}", path.display());
    }
    Ok(())
}

/// `mangen sample`.
#[derive(Debug, Clone, Args)]
pub struct SampleArgs {
    /// The experiment config.
    #[arg(long)]
    pub experiment: PathBuf,
    /// Training-set size N.
    #[arg(long)]
    pub n_train: usize,
    /// Repetition index (the training set and noise of that seed in the sweep).
    #[arg(long)]
    pub seed: usize,
    /// Score label or kind (the first [[score]] when absent).
    #[arg(long)]
    pub score: Option<String>,
    /// Index of the `[[sampler]]` (0-based).
    #[arg(long, default_value_t = 0)]
    pub sampler: usize,
    /// Number of samples (the profile's samples per cell when absent).
    #[arg(long)]
    pub samples: Option<usize>,
    /// The profile whose sample count is the default.
    #[arg(long, default_value = "standard")]
    pub profile: Profile,
    /// Output CSV.
    #[arg(long)]
    pub out: PathBuf,
}

/// Generates samples exactly as the sweep's cell (score, sampler, N, seed) does.
pub fn sample(args: &SampleArgs) -> Result<()> {
    let experiment = Experiment::load(&args.experiment, args.profile)?;
    let scores = &experiment.scores;
    let score = match &args.score {
        None => 0,
        Some(name) => scores
            .iter()
            .position(|s| &s.label == name)
            .or_else(|| scores.iter().position(|s| s.kind() == name))
            .with_context(|| {
                let labels: Vec<&str> = scores.iter().map(|s| s.label.as_str()).collect();
                format!(
                    "--score: no score `{name}` in {} (it has: {})",
                    args.experiment.display(),
                    labels.join(", ")
                )
            })?,
    };
    let samplers = experiment.samplers.len();
    if args.sampler >= samplers {
        bail!(
            "--sampler: {} has {} sampler(s), indices 0..{}",
            args.experiment.display(),
            samplers,
            samplers
        );
    }
    if args.n_train < 2 {
        bail!("--n-train must be ≥ 2 (got {})", args.n_train);
    }
    let count = args.samples.unwrap_or(experiment.sweep.samples);
    if count == 0 {
        bail!("--samples must be ≥ 1");
    }
    let cell = Cell {
        score,
        sampler: args.sampler,
        n_train: args.n_train,
        seed: args.seed,
    };
    let generated = generate(&experiment, &cell, count, &RunOptions::default())?;
    write_points(&args.out, &generated.samples, None)
}

/// Scores `mangen score` evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScoreKind {
    /// The empirical score (certified truncation).
    Empirical,
    /// The smoothed empirical score (needs --h).
    Smoothed,
    /// The local-polynomial projection score (--degree, --intrinsic-dim).
    Projection,
}

/// `mangen score`.
#[derive(Debug, Clone, Args)]
pub struct ScoreArgs {
    /// Training points (CSV, one row per point).
    #[arg(long)]
    pub train: PathBuf,
    /// Query points (CSV, same number of columns).
    #[arg(long)]
    pub query: PathBuf,
    /// Diffusion time t > 0.
    #[arg(long, allow_negative_numbers = true)]
    pub t: f64,
    /// Forward process.
    #[arg(long, value_enum, default_value = "ve")]
    pub schedule: ScheduleName,
    /// Which score.
    #[arg(long, value_enum, default_value = "empirical")]
    pub kind: ScoreKind,
    /// Bandwidth h of the smoothed score.
    #[arg(long, allow_negative_numbers = true)]
    pub h: Option<f64>,
    /// Certified truncation tolerance ε ∈ (0, 1) of the empirical and smoothed scores.
    #[arg(long, allow_negative_numbers = true)]
    pub eps: Option<f64>,
    /// Polynomial degree of the projection score.
    #[arg(long, default_value_t = 2)]
    pub degree: usize,
    /// Intrinsic dimension k of the projection score (estimated when absent).
    #[arg(long)]
    pub intrinsic_dim: Option<usize>,
    /// Output CSV (standard output when absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Evaluates a score at every query point.
pub fn score(args: &ScoreArgs) -> Result<()> {
    if args.h.is_some() && args.kind != ScoreKind::Smoothed {
        bail!("--h applies to --kind smoothed only");
    }
    if args.eps.is_some() && args.kind == ScoreKind::Projection {
        bail!("--eps applies to the empirical and smoothed scores only");
    }
    let train = Arc::new(read_points(&args.train, None)?);
    let queries = read_points(&args.query, Some(train.ncols()))?;
    mangen_scores::check_time(args.t).context("--t")?;
    let schedule = args.schedule.schedule();
    let empirical = || -> Result<EmpiricalScore> {
        let eps = args.eps.unwrap_or(Truncation::DEFAULT_EPS);
        EmpiricalScore::new(train.clone(), schedule)?
            .with_truncation(Truncation::Certified { eps })
            .context("--eps")
    };
    let score: Box<dyn Score> = match args.kind {
        ScoreKind::Empirical => Box::new(empirical()?),
        ScoreKind::Smoothed => {
            let h = args.h.context("--kind smoothed needs --h")?;
            Box::new(empirical()?.with_bandwidth(h).context("--h")?)
        }
        ScoreKind::Projection => Box::new(ProjectionScore::new(
            train.clone(),
            schedule,
            args.degree,
            args.intrinsic_dim,
        )?),
    };
    let rows: Vec<ndarray::Array1<f64>> = (0..queries.nrows())
        .into_par_iter()
        .map(|i| score.score(queries.row(i), args.t))
        .collect::<std::result::Result<_, _>>()?;
    let d = train.ncols();
    let mut values = Array2::zeros((rows.len(), d));
    for (mut out, row) in values.outer_iter_mut().zip(&rows) {
        out.assign(row);
    }
    let header: Vec<String> = (1..=d).map(|j| format!("s{j}")).collect();
    match &args.out {
        Some(path) => write_points(path, &values, Some(&header)),
        None => print_points(&values, &header),
    }
}

fn print_points(values: &Array2<f64>, header: &[String]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut writer = csv::Writer::from_writer(stdout.lock());
    writer.write_record(header)?;
    for row in values.outer_iter() {
        writer.write_record(row.iter().map(|v| v.to_string()))?;
    }
    writer.flush()?;
    Ok(())
}

/// `mangen metric wasserstein`: prints W_p alone.
pub fn metric_wasserstein(a: &Path, b: &Path, p: f64) -> Result<()> {
    let a_points = read_points(a, None)?;
    let b_points = read_points(b, Some(a_points.ncols()))?;
    if a_points.nrows() != b_points.nrows() {
        bail!(
            "{} has {} points and {} has {}: exact W_p by assignment needs equal sizes",
            a.display(),
            a_points.nrows(),
            b.display(),
            b_points.nrows()
        );
    }
    let value = wasserstein(a_points.view(), b_points.view(), p).context("--p")?;
    println!("{value}");
    Ok(())
}

/// `mangen metric nn`: d1, d2 per query.
pub fn metric_nn(train: &Path, query: &Path, out: Option<&Path>) -> Result<()> {
    let train_points = Arc::new(read_points(train, None)?);
    let queries = read_points(query, Some(train_points.ncols()))?;
    let index = KdTree::new(train_points)?;
    let nearest = nearest_two(&index, queries.view())?;
    let mut table = Array2::zeros((nearest.d1.len(), 2));
    for (i, (d1, d2)) in nearest.d1.iter().zip(&nearest.d2).enumerate() {
        table[[i, 0]] = *d1;
        table[[i, 1]] = *d2;
    }
    let header = ["d1".to_string(), "d2".to_string()];
    match out {
        Some(path) => write_points(path, &table, Some(&header)),
        None => print_points(&table, &header),
    }
}

/// Which manifold (and law) `metric fidelity|coverage` measure against.
#[derive(Debug, Clone, Args)]
pub struct ManifoldArgs {
    /// An experiment config: its manifold, embedding and data law.
    #[arg(
        long,
        conflicts_with = "manifold",
        required_unless_present = "manifold"
    )]
    pub experiment: Option<PathBuf>,
    /// A manifold as a TOML table in the config's syntax, e.g. 'kind = "sphere", k = 2'
    /// (standard embedding, uniform law).
    #[arg(long, requires = "ambient_dim")]
    pub manifold: Option<String>,
    /// Ambient dimension D of --manifold.
    #[arg(long)]
    pub ambient_dim: Option<usize>,
}

impl ManifoldArgs {
    /// The manifold and its law.
    pub fn law(&self) -> Result<Arc<dyn Measure>> {
        if let Some(file) = &self.experiment {
            let experiment = Experiment::load(file, Profile::Standard)?;
            return Ok(experiment.measure);
        }
        let text = self
            .manifold
            .as_deref()
            .context("give --experiment or --manifold")?;
        /// `--manifold` is the body of an inline table: `kind = "sphere", k = 2`.
        #[derive(serde::Deserialize)]
        struct Inline {
            manifold: ManifoldSpec,
        }
        let spec = toml::from_str::<Inline>(&format!("manifold = {{ {text} }}"))
            .map_err(|err| anyhow::anyhow!("--manifold: {err}"))?
            .manifold;
        let ambient = self.ambient_dim.context("--manifold needs --ambient-dim")?;
        let (manifold, _) = build_manifold(&spec, ambient, EmbeddingKind::Standard, 0)
            .map_err(|err| anyhow::anyhow!("--manifold: {err}"))?;
        Ok(Arc::new(DensityMeasure::uniform(manifold)))
    }
}

/// `mangen metric fidelity`.
pub fn metric_fidelity(samples: &Path, manifold: &ManifoldArgs, out: Option<&Path>) -> Result<()> {
    let law = manifold.law()?;
    let m: &dyn Manifold = law.manifold();
    let points = read_points(samples, Some(m.ambient_dim()))?;
    let result = fidelity(m, points.view())?;
    if let Some(path) = out {
        let column = ndarray::Array1::from(result.distances.clone()).insert_axis(Axis(1));
        write_points(path, &column, Some(&["distance".to_string()]))?;
    }
    let s = result.summary;
    println!(
        "statistic,value\nmean,{}\nmedian,{}\nq95,{}\nmax,{}",
        s.mean, s.median, s.q95, s.max
    );
    Ok(())
}

/// `mangen metric coverage`: one row per radius.
pub fn metric_coverage(
    samples: &Path,
    manifold: &ManifoldArgs,
    radii: &[f64],
    tube: f64,
    centres: usize,
    seed: u64,
) -> Result<()> {
    let law = manifold.law()?;
    let points = read_points(samples, Some(law.manifold().ambient_dim()))?;
    if centres == 0 {
        bail!("--centres must be ≥ 1");
    }
    let centre_points = law.sample(centres, &mut mangen_geometry::rng::seeded(seed));
    let curve = coverage_curve(
        law.as_ref(),
        points.view(),
        centre_points.view(),
        radii,
        tube,
    )?;
    let mut text = String::from("radius,tube,min,q05,median,max,covered_fraction\n");
    for c in &curve {
        text += &format!(
            "{},{},{},{},{},{},{}\n",
            c.radius,
            c.tube,
            c.summary.min,
            c.summary.q05,
            c.summary.median,
            c.summary.max,
            c.covered_fraction
        );
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
