//! `mangen compare`: the memorizer job run here and by the dense NumPy/SciPy baseline on the same inputs, checked for agreement and timed.
//!
//! The inputs (training set, start points, score queries, a reference sample for W2) are drawn
//! here and written as CSV; the baseline (benchmarks/baseline/baseline.py) reads them, runs the
//! same job and prints its compute time. Three parts:
//! - scores at the queries for each time t: ours (certified truncation) must lie within our
//!   certified bound of the baseline's dense value, plus an allowance for the baseline's
//!   rounding (its squared distances |x|² − 2x·y + |y|² err by up to (D + 2)u(|x| + R)², which
//!   moves each log-weight by δ = that/(2t) and the average by (e^{2δ} − 1)·2R; its sums of N
//!   positive terms by N·u relatively);
//! - the sampling job from the same start points (the ODE is deterministic, so the samples are
//!   compared one by one; the SDE draws its own noise on each side, so only its metrics are);
//! - exact W2 between the first samples and the reference sample, by our assignment and by
//!   scipy's linear_sum_assignment, which must give the same value.
#![allow(clippy::print_stdout)]

use crate::commands::ManifoldArgs;
use crate::experiment::sampler_of;
use crate::output::{create_dir, write_string};
use crate::points::{read_points, write_points};
use crate::schema::Method;
use crate::scores::empirical::empirical_score;
use anyhow::{Context, Result, bail};
use clap::Args;
use mangen_geometry::rng;
use mangen_metrics::wasserstein;
use mangen_samplers::{RunOptions, SamplingConfig, Start};
use mangen_scores::{Denoiser, EmpiricalScore, KdTree, Schedule};
use ndarray::{Array1, Array2, Axis, s};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

/// Variance of the noise added to fresh points of μ to make the score queries.
const QUERY_NOISE: f64 = 1e-2;
/// Two samples of the ODE job agree when they differ by at most this much.
const SAMPLE_TOLERANCE: f64 = 1e-6;
/// The two W2 values agree when they differ by at most this fraction.
const W2_TOLERANCE: f64 = 1e-9;

/// Options of `mangen compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The manifold and its law.
    #[command(flatten)]
    pub manifold: ManifoldArgs,
    /// Training-set size N.
    #[arg(long, default_value_t = 100_000)]
    pub n_train: usize,
    /// Generated samples of the sampling job.
    #[arg(long, default_value_t = 10_000)]
    pub samples: usize,
    /// Reverse steps of the sampling job.
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// Start time T.
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    pub t_max: f64,
    /// Early-stopping time t0 (the last step is followed by the denoising step x̂ = D(x, t0)).
    #[arg(long, default_value_t = 1e-4, allow_negative_numbers = true)]
    pub t_min: f64,
    /// Sampler: `ode` (Heun, deterministic: samples compared one by one) or `sde`.
    #[arg(long, value_enum, default_value = "ode")]
    pub method: Method,
    /// Score queries (fresh points of μ plus N(0, 0.01 I) noise).
    #[arg(long, default_value_t = 256)]
    pub queries: usize,
    /// Times at which the scores are compared (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1e-4,1e-2,1",
        allow_negative_numbers = true
    )]
    pub times: Vec<f64>,
    /// Points of each set in the W2 comparison.
    #[arg(long, default_value_t = 2000)]
    pub w2_points: usize,
    /// Seed of the inputs and of the sampler.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The Python interpreter of the baseline.
    #[arg(long, default_value = "python3")]
    pub python: PathBuf,
    /// The baseline script.
    #[arg(long, default_value = "benchmarks/baseline/baseline.py")]
    pub script: PathBuf,
    /// Folder for the inputs, both sides' outputs and comparison.md.
    #[arg(long)]
    pub out: PathBuf,
}

impl CompareArgs {
    fn check(&self) -> Result<()> {
        if self.n_train < 2 {
            bail!("--n-train must be ≥ 2 (got {})", self.n_train);
        }
        if self.queries == 0 || self.steps == 0 || self.w2_points == 0 {
            bail!("--queries, --steps and --w2-points must be ≥ 1");
        }
        if self.samples < self.w2_points {
            bail!(
                "--samples ({}) must be at least --w2-points ({})",
                self.samples,
                self.w2_points
            );
        }
        for &t in &self.times {
            mangen_scores::check_time(t).context("--times")?;
        }
        mangen_scores::check_time(self.t_min).context("--t-min")?;
        if !(self.t_max.is_finite() && self.t_max > self.t_min) {
            bail!(
                "--t-max must be finite and above --t-min (got {})",
                self.t_max
            );
        }
        if !self.script.is_file() {
            bail!("--script: no baseline script at {}", self.script.display());
        }
        Ok(())
    }
}

/// The inputs both sides read.
struct Inputs {
    train: Arc<Array2<f64>>,
    queries: Array2<f64>,
    reference: Array2<f64>,
    start: Start,
    dir: PathBuf,
}

impl Inputs {
    fn draw(args: &CompareArgs) -> Result<Self> {
        let law = args.manifold.law()?;
        let mut r = rng::seeded(args.seed);
        let train = law.sample(args.n_train, &mut r);
        let reference = law.sample(args.w2_points, &mut r);
        let queries = law.sample(args.queries, &mut r).mapv(|v| {
            v + QUERY_NOISE.sqrt()
                * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
        });
        let mean = train.mean_axis(Axis(0)).context("empty training set")?;
        let variance = train.var_axis(Axis(0), 0.0).mean().unwrap_or(0.0);
        let start =
            Start::forward_marginal(Schedule::VarianceExploding, args.t_max, mean, variance)?;
        let dir = args.out.join("inputs");
        create_dir(&dir)?;
        // Sample i starts from the first draw of its own stream, as in `Sampler::run`.
        let mut starts = Array2::zeros((args.samples, train.ncols()));
        for (i, mut row) in starts.outer_iter_mut().enumerate() {
            row.assign(&start.draw(&mut rng::stream(args.seed, i as u64)));
        }
        write_points(&dir.join("train.csv"), &train, None)?;
        write_points(&dir.join("queries.csv"), &queries, None)?;
        write_points(&dir.join("reference.csv"), &reference, None)?;
        write_points(&dir.join("start.csv"), &starts, None)?;
        Ok(Self {
            train: Arc::new(train),
            queries,
            reference,
            start,
            dir,
        })
    }

    fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// Runs the baseline script and reads the `seconds` (and `value`, when present) of its JSON line.
struct Baseline<'a> {
    args: &'a CompareArgs,
    dir: PathBuf,
}

impl Baseline<'_> {
    fn run(&self, command: &str, options: &[String]) -> Result<(f64, Option<f64>)> {
        let mut process = Command::new(&self.args.python);
        process.arg(&self.args.script).arg(command).args(options);
        // The baseline uses every core through its BLAS, as NumPy does by default.
        process
            .env_remove("OPENBLAS_NUM_THREADS")
            .env_remove("OMP_NUM_THREADS");
        let output = process.output().with_context(|| {
            format!(
                "could not run the baseline {} {}",
                self.args.python.display(),
                self.args.script.display()
            )
        })?;
        if !output.status.success() {
            bail!(
                "the baseline's `{command}` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let field = |name: &str| -> Option<f64> {
            let key = format!("\"{name}\": ");
            let rest = &stdout[stdout.find(&key)? + key.len()..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            rest[..end].trim().parse().ok()
        };
        let seconds = field("seconds")
            .with_context(|| format!("the baseline's `{command}` printed no seconds: {stdout}"))?;
        Ok((seconds, field("value")))
    }

    fn out(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// One line of the score comparison.
struct ScoreRow {
    t: f64,
    ours: f64,
    theirs: f64,
    max_gap: f64,
    max_bound: f64,
    worst_ratio: f64,
}

/// `mangen compare`.
pub fn compare(args: &CompareArgs) -> Result<()> {
    args.check()?;
    eprintln!("compare: drawing the inputs into {}", args.out.display());
    let inputs = Inputs::draw(args)?;
    let baseline = Baseline {
        args,
        dir: args.out.join("baseline"),
    };
    let ours_dir = args.out.join("mangen");
    create_dir(&baseline.dir)?;
    create_dir(&ours_dir)?;
    let began = Instant::now();
    let index = Arc::new(KdTree::new(inputs.train.clone())?);
    let score = empirical_score(&index, Schedule::VarianceExploding, None, None)?;
    let build_seconds = began.elapsed().as_secs_f64();
    let mut score_rows = Vec::new();
    for &t in &args.times {
        eprintln!("compare: scores at t = {t:e}");
        score_rows.push(compare_scores(&score, &inputs, &baseline, t)?);
    }
    eprintln!(
        "compare: the sampling job ({} samples, {} steps, {}) here",
        args.samples,
        args.steps,
        method_name(args.method)
    );
    let config = SamplingConfig::new(args.t_max, args.t_min, args.steps)?.with_denoising(true);
    let sampler = sampler_of(args.method);
    let began = Instant::now();
    let ours = sampler
        .run(
            &score,
            &inputs.start,
            &config,
            args.samples,
            args.seed,
            &RunOptions::default(),
        )?
        .samples;
    let ours_seconds = began.elapsed().as_secs_f64() + build_seconds;
    write_points(&ours_dir.join("samples.csv"), &ours, None)?;
    eprintln!("compare: the sampling job in the baseline (dense: this takes a while)");
    let (theirs_seconds, _) = baseline.run(
        "sample",
        &[
            "--train".into(),
            inputs.file("train.csv"),
            "--start".into(),
            inputs.file("start.csv"),
            "--method".into(),
            method_name(args.method).into(),
            "--t-max".into(),
            args.t_max.to_string(),
            "--t-min".into(),
            args.t_min.to_string(),
            "--steps".into(),
            args.steps.to_string(),
            "--denoise".into(),
            "--seed".into(),
            args.seed.to_string(),
            "--out".into(),
            baseline.out("samples.csv"),
        ],
    )?;
    let theirs = read_points(Path::new(&baseline.out("samples.csv")), Some(ours.ncols()))?;
    let gaps: Vec<f64> = ours
        .outer_iter()
        .zip(theirs.outer_iter())
        .map(|(a, b)| (&a - &b).mapv(|v| v * v).sum().sqrt())
        .collect();
    let w2 = compare_w2(args, &inputs, &baseline, &ours, &theirs)?;
    let report = Report {
        args,
        dim: ours.ncols(),
        build_seconds,
        score_rows,
        sampling: (ours_seconds, theirs_seconds),
        gaps,
        w2,
    };
    let text = report.markdown();
    write_string(&args.out.join("comparison.md"), &text)?;
    print!("{text}");
    let failures = report.failures();
    if failures.is_empty() {
        Ok(())
    } else {
        bail!("mangen and the baseline disagree: {}", failures.join("; "))
    }
}

/// The sampler's name on both command lines.
fn method_name(method: Method) -> &'static str {
    match method {
        Method::Sde => "sde",
        Method::Ode => "ode",
    }
}

/// The short jobs (scores, W2) are timed this many times on each side; the median counts.
const REPEATS: usize = 5;

/// The result of `job` and the median of its wall times over [`REPEATS`] runs.
fn median_timed<T>(mut job: impl FnMut() -> Result<T>) -> Result<(T, f64)> {
    let mut seconds = Vec::with_capacity(REPEATS);
    let mut result = None;
    for _ in 0..REPEATS {
        let began = Instant::now();
        result = Some(job()?);
        seconds.push(began.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    Ok((result.expect("REPEATS > 0"), seconds[REPEATS / 2]))
}

fn compare_scores(
    score: &EmpiricalScore,
    inputs: &Inputs,
    baseline: &Baseline,
    t: f64,
) -> Result<ScoreRow> {
    let (ours, ours_seconds) = median_timed(|| {
        (0..inputs.queries.nrows())
            .into_par_iter()
            .map(|i| {
                let x = inputs.queries.row(i);
                let estimate = score.denoise_estimate(x, t)?;
                Ok(((estimate.value - x) / t, estimate.error_bound / t))
            })
            .collect::<Result<Vec<(Array1<f64>, f64)>>>()
    })?;
    let out = baseline.out(&format!("score-t={t:e}.csv"));
    let (theirs_seconds, _) = baseline.run(
        "score",
        &[
            "--train".into(),
            inputs.file("train.csv"),
            "--query".into(),
            inputs.file("queries.csv"),
            "--t".into(),
            t.to_string(),
            "--out".into(),
            out.clone(),
            "--repeat".into(),
            REPEATS.to_string(),
        ],
    )?;
    let theirs = read_points(Path::new(&out), Some(inputs.queries.ncols()))?;
    let train = &inputs.train;
    let n = train.nrows() as f64;
    let dim = train.ncols() as f64;
    let reach = train
        .outer_iter()
        .map(|x| x.dot(&x).sqrt())
        .fold(0.0, f64::max);
    let u = f64::EPSILON / 2.0;
    let (mut max_gap, mut max_bound, mut worst_ratio) = (0.0f64, 0.0f64, 0.0f64);
    for ((x, (value, bound)), theirs) in inputs
        .queries
        .outer_iter()
        .zip(&ours)
        .zip(theirs.outer_iter())
    {
        let gap = (value - &theirs).mapv(|v| v * v).sum().sqrt();
        let norm = x.dot(&x).sqrt();
        let log_weight_error = (dim + 2.0) * u * (norm + reach).powi(2) / (2.0 * t);
        let rounding = ((2.0 * log_weight_error).exp_m1() * 2.0 * reach + 4.0 * n * u * reach) / t;
        max_gap = max_gap.max(gap);
        max_bound = max_bound.max(*bound);
        worst_ratio = worst_ratio.max(gap / (bound + rounding));
    }
    Ok(ScoreRow {
        t,
        ours: ours_seconds,
        theirs: theirs_seconds,
        max_gap,
        max_bound,
        worst_ratio,
    })
}

/// W2 of (first samples, reference) both ways, and of the baseline's samples by us.
struct W2Row {
    ours: f64,
    theirs: f64,
    ours_seconds: f64,
    theirs_seconds: f64,
    of_baseline_samples: f64,
}

fn compare_w2(
    args: &CompareArgs,
    inputs: &Inputs,
    baseline: &Baseline,
    ours: &Array2<f64>,
    theirs: &Array2<f64>,
) -> Result<W2Row> {
    eprintln!("compare: exact W2 at n = {}", args.w2_points);
    let first = ours.slice(s![..args.w2_points, ..]).to_owned();
    let file = args.out.join("mangen").join("w2-samples.csv");
    write_points(&file, &first, None)?;
    let (value, ours_seconds) =
        median_timed(|| Ok(wasserstein(first.view(), inputs.reference.view(), 2.0)?))?;
    let (theirs_seconds, theirs_value) = baseline.run(
        "w2",
        &[
            "--a".into(),
            file.display().to_string(),
            "--b".into(),
            inputs.file("reference.csv"),
            "--repeat".into(),
            REPEATS.to_string(),
        ],
    )?;
    let of_baseline_samples = wasserstein(
        theirs.slice(s![..args.w2_points, ..]),
        inputs.reference.view(),
        2.0,
    )?;
    Ok(W2Row {
        ours: value,
        theirs: theirs_value.context("the baseline's w2 printed no value")?,
        ours_seconds,
        theirs_seconds,
        of_baseline_samples,
    })
}

struct Report<'a> {
    args: &'a CompareArgs,
    dim: usize,
    build_seconds: f64,
    score_rows: Vec<ScoreRow>,
    sampling: (f64, f64),
    gaps: Vec<f64>,
    w2: W2Row,
}

impl Report<'_> {
    fn sample_gap_quantile(&self, q: f64) -> f64 {
        let mut sorted = self.gaps.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[((sorted.len() - 1) as f64 * q).round() as usize]
    }

    fn markdown(&self) -> String {
        let a = self.args;
        let mut text = format!(
            "# mangen against the dense NumPy/SciPy baseline\n\n\
             N = {}, D = {}, {} samples, {} steps of the {} sampler from T = {} to t0 = {} \
             (then x̂ = D(x, t0)), seed {}; scores at {} queries. Times are compute seconds \
             (files excluded) on this machine, both sides on every core; those of the scores and \
             of W2 are medians of {} runs on each side.\n\n\
             ## Scores (empirical, VE)\n\n\
             | t | mangen s | baseline s | ratio | max gap | max certified bound | gap / (bound + rounding) |\n\
             |---|---|---|---|---|---|---|\n",
            a.n_train,
            self.dim,
            a.samples,
            a.steps,
            method_name(a.method),
            a.t_max,
            a.t_min,
            a.seed,
            a.queries,
            REPEATS,
        );
        for row in &self.score_rows {
            text += &format!(
                "| {:e} | {:.4} | {:.4} | {:.1}× | {:.2e} | {:.2e} | {:.3} |\n",
                row.t,
                row.ours,
                row.theirs,
                row.theirs / row.ours,
                row.max_gap,
                row.max_bound,
                row.worst_ratio
            );
        }
        let (ours, theirs) = self.sampling;
        text += &format!(
            "\n(mangen's score set-up, the span kd-tree and the Gauss tree: {:.3} s, counted in the sampling job.)\n\n\
             ## The sampling job\n\n\
             | | mangen | baseline | ratio |\n|---|---|---|---|\n\
             | seconds | {ours:.2} | {theirs:.2} | {:.1}× |\n\n\
             Per-sample distance between the two sides' samples: median {:.2e}, q99 {:.2e}, max {:.2e}; \
             {} of {} samples differ by more than {SAMPLE_TOLERANCE:e}.\n\n\
             ## Exact W2 (first {} samples against a fresh reference sample)\n\n\
             | | mangen | scipy linear_sum_assignment | ratio |\n|---|---|---|---|\n\
             | seconds | {:.3} | {:.3} | {:.1}× |\n\
             | W2 | {:.12} | {:.12} | |\n\n\
             W2 of the baseline's samples against the same reference (computed by mangen): {:.12}.\n",
            self.build_seconds,
            theirs / ours,
            self.sample_gap_quantile(0.5),
            self.sample_gap_quantile(0.99),
            self.sample_gap_quantile(1.0),
            self.gaps.iter().filter(|&&g| g > SAMPLE_TOLERANCE).count(),
            self.gaps.len(),
            a.w2_points,
            self.w2.ours_seconds,
            self.w2.theirs_seconds,
            self.w2.theirs_seconds / self.w2.ours_seconds,
            self.w2.ours,
            self.w2.theirs,
            self.w2.of_baseline_samples,
        );
        let failures = self.failures();
        text += &if failures.is_empty() {
            "\nAgreement: every check passed.\n".to_string()
        } else {
            format!("\nAgreement: FAILED: {}.\n", failures.join("; "))
        };
        text
    }

    fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for row in &self.score_rows {
            if row.worst_ratio > 1.0 || row.worst_ratio.is_nan() {
                failures.push(format!(
                    "scores at t = {:e} differ by {:.2e}, beyond the certified bound and rounding",
                    row.t, row.max_gap
                ));
            }
        }
        if self.args.method == Method::Ode {
            let far = self
                .gaps
                .iter()
                .filter(|&&g| g > SAMPLE_TOLERANCE || g.is_nan())
                .count();
            if far > 0 {
                failures.push(format!(
                    "{far} ODE samples differ by more than {SAMPLE_TOLERANCE:e}"
                ));
            }
        }
        let w2_gap = (self.w2.ours - self.w2.theirs).abs();
        if w2_gap > W2_TOLERANCE * self.w2.theirs.abs() || w2_gap.is_nan() {
            failures.push(format!(
                "W2 {} here against {} in scipy",
                self.w2.ours, self.w2.theirs
            ));
        }
        failures
    }
}
