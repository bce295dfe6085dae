//! Experiment configs: the TOML schema (unknown fields refused) and its check into valid parameters.
//!
//! One file per experiment. Every error names the file, the field and the rule it breaks; the
//! reference of every field is in the README ("Configuration reference").

use crate::metric::{Metric, MetricInfo};
use crate::profile::Profile;
use crate::registry::Registry;
use anyhow::{Context, Result};
use mangen_geometry::{
    DonutTorus, Embedded, FlatTorus, Isometry, LocalModel, Manifold, PolarCurve, Sphere,
};
use mangen_measures::{DensityMeasure, LinearFeature, Profile as DensityProfile};
use mangen_scores::{MAX_DEGREE, Schedule};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A config that breaks a rule: the file, the field (a TOML path) and the rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// The config file.
    pub file: String,
    /// The field, as a TOML path (`sweep.n_train[2]`).
    pub field: String,
    /// The rule it breaks, with the value found.
    pub rule: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: field `{}`: {}", self.file, self.field, self.rule)
    }
}

impl std::error::Error for ConfigError {}

/// The file as written: every field of the schema, before any check.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    /// One line on what the experiment measures.
    #[serde(default)]
    pub description: String,
    /// What limits the measurement (floors, N window, step size, t0): shown in summary.md.
    #[serde(default)]
    pub limits: String,
    /// The experiment seed: every random stream of the sweep derives from it.
    pub seed: u64,
    /// Ambient dimension D.
    pub ambient_dim: usize,
    /// How the manifold is carried into R^D.
    #[serde(default)]
    pub embedding: EmbeddingKind,
    /// The forward process.
    #[serde(default)]
    pub schedule: ScheduleName,
    /// The manifold M.
    pub manifold: ManifoldSpec,
    /// The density of μ on M (uniform when absent).
    #[serde(default)]
    pub density: DensitySpec,
    /// The N grid, seeds and sample counts of the standard profile.
    pub sweep: SweepSpec,
    /// Overrides of the sweep for the quick and large profiles.
    #[serde(default)]
    pub profile: ProfileOverrides,
    /// The samplers to compare (`[[sampler]]`).
    pub sampler: Vec<SamplerSpec>,
    /// The scores to compare (`[[score]]`).
    pub score: Vec<ScoreSpec>,
    /// The metrics to compute: one entry per metric kind of the registry (`fidelity = true`,
    /// `wasserstein = { p = 1 }`), each checked by its kind's own code.
    pub metrics: toml::Table,
    /// Theory lines drawn on the plots and held against the fitted slopes (`[[theory]]`).
    #[serde(default)]
    pub theory: Vec<TheorySpec>,
    /// How slopes are fitted.
    #[serde(default)]
    pub fit: FitSpec,
}

/// How the manifold's natural span R^m is carried into R^D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddingKind {
    /// A Haar-random isometry drawn from the experiment seed.
    #[default]
    Random,
    /// The first m coordinate axes.
    Standard,
}

/// The forward process, as named in configs and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleName {
    /// Variance exploding: X_t = X_0 + √t Z.
    #[default]
    Ve,
    /// Variance preserving (Ornstein–Uhlenbeck).
    Vp,
}

impl ScheduleName {
    /// The schedule of the scores crate.
    pub fn schedule(self) -> Schedule {
        match self {
            ScheduleName::Ve => Schedule::VarianceExploding,
            ScheduleName::Vp => Schedule::VariancePreserving,
        }
    }
}

/// The manifold, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ManifoldSpec {
    /// The circle of the given radius (k = 1, span 2).
    Circle {
        /// Radius > 0.
        #[serde(default = "unit")]
        radius: f64,
    },
    /// The sphere S^k (span k + 1).
    Sphere {
        /// Intrinsic dimension k ≥ 1.
        k: usize,
        /// Radius > 0.
        #[serde(default = "unit")]
        radius: f64,
    },
    /// The flat torus T^k, a product of k circles (span 2k).
    FlatTorus {
        /// The k circle radii.
        radii: Vec<f64>,
    },
    /// The donut torus in R^3.
    Donut {
        /// Major radius R.
        major: f64,
        /// Minor radius r < R.
        minor: f64,
    },
    /// The plane curve ρ(θ) = r(1 + a|sin θ|^β) of smoothness β.
    Curve {
        /// Base radius r > 0.
        #[serde(default = "unit")]
        radius: f64,
        /// Amplitude a.
        amplitude: f64,
        /// Smoothness β > 2, not an even integer.
        beta: f64,
    },
}

fn unit() -> f64 {
    1.0
}

/// The density of μ, tagged by `kind`; the feature is the first axis of the manifold's span.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DensitySpec {
    /// The normalized volume.
    #[default]
    Uniform,
    /// exp(κu).
    Tilt {
        /// κ.
        kappa: f64,
    },
    /// 1 + a|u|.
    Kink {
        /// a ≥ 0.
        slope: f64,
    },
    /// Ratio ρ across u = 0.
    TwoLevel {
        /// ρ > 0.
        ratio: f64,
    },
}

/// The N grid, seeds and generated-sample counts.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Training-set sizes N, increasing.
    pub n_train: Vec<usize>,
    /// Independent repetitions per N.
    pub seeds: usize,
    /// Generated samples per cell.
    pub samples: usize,
}

/// A profile's changes to the sweep; absent fields keep the profile's default rule.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SweepOverride {
    /// Training-set sizes N.
    pub n_train: Option<Vec<usize>>,
    /// Repetitions per N.
    pub seeds: Option<usize>,
    /// Generated samples per cell.
    pub samples: Option<usize>,
}

/// `[profile.quick]` and `[profile.large]`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileOverrides {
    /// The smoke-test profile.
    pub quick: Option<SweepOverride>,
    /// The profile for bigger machines.
    pub large: Option<SweepOverride>,
}

/// Reverse-time integrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Reverse SDE, Euler–Maruyama.
    #[default]
    Sde,
    /// Probability-flow ODE, Heun.
    Ode,
}

/// One `[[sampler]]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SamplerSpec {
    /// The integrator.
    #[serde(default)]
    pub method: Method,
    /// Start time T.
    #[serde(default = "default_t_max")]
    pub t_max: f64,
    /// Early-stopping time t0.
    pub t_min: f64,
    /// Steps of the geometric grid from T to t0.
    #[serde(default = "default_steps")]
    pub steps: usize,
    /// Replace the last state x by D(x, t0).
    #[serde(default)]
    pub denoise: bool,
}

fn default_t_max() -> f64 {
    10.0
}

fn default_steps() -> usize {
    100
}

impl SamplerSpec {
    /// The label in reports: `sde(t0=0.001,steps=100)`, with `+denoise` when set.
    pub fn label(&self) -> String {
        let method = match self.method {
            Method::Sde => "sde",
            Method::Ode => "ode",
        };
        let denoise = if self.denoise { ",denoise" } else { "" };
        format!("{method}(t0={},steps={}{denoise})", self.t_min, self.steps)
    }
}

/// One `[[score]]`, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScoreSpec {
    /// The empirical score (the memorizer), truncated with tolerance `eps`.
    Empirical {
        /// Certified truncation tolerance in (0, 1); `Truncation::DEFAULT_EPS` when absent.
        eps: Option<f64>,
    },
    /// The empirical score at inflated variance σ_t² + h²: `h`, or h = h_scale · N^h_exponent.
    Smoothed {
        /// A fixed bandwidth h ≥ 0.
        h: Option<f64>,
        /// c in h = c · N^e.
        h_scale: Option<f64>,
        /// e in h = c · N^e.
        h_exponent: Option<f64>,
    },
    /// The local-polynomial projection score of degree m.
    Projection {
        /// Degree m ∈ 1..=4.
        degree: usize,
        /// Neighbours K (the crate's default when absent).
        neighbours: Option<usize>,
        /// Estimate k from the data instead of taking the manifold's.
        #[serde(default)]
        estimate_dim: bool,
    },
    /// Empirical (or smoothed, when `h` is given) above `switch_time`, projection of `degree` below.
    Hybrid {
        /// t1 > 0.
        switch_time: f64,
        /// Degree of the projection part.
        degree: usize,
        /// Bandwidth of the part above t1 (empirical when absent).
        h: Option<f64>,
    },
    /// The exact projection of M: the ideal coarse score.
    Oracle,
    /// The score of μ itself (quadrature for k = 1 and S^2).
    Population,
    /// No score: fresh samples of μ, the null of every metric.
    Fresh,
}

impl ScoreSpec {
    /// The kind, as written in configs.
    pub fn kind(&self) -> &'static str {
        match self {
            ScoreSpec::Empirical { .. } => "empirical",
            ScoreSpec::Smoothed { .. } => "smoothed",
            ScoreSpec::Projection { .. } => "projection",
            ScoreSpec::Hybrid { .. } => "hybrid",
            ScoreSpec::Oracle => "oracle",
            ScoreSpec::Population => "population",
            ScoreSpec::Fresh => "fresh",
        }
    }

    /// The label in reports, unique within an experiment: the kind and its parameters.
    pub fn label(&self) -> String {
        match self {
            ScoreSpec::Empirical { eps: None } => "empirical".into(),
            ScoreSpec::Empirical { eps: Some(eps) } => format!("empirical(eps={eps})"),
            ScoreSpec::Smoothed { h: Some(h), .. } => format!("smoothed(h={h})"),
            ScoreSpec::Smoothed {
                h_scale,
                h_exponent,
                ..
            } => format!(
                "smoothed(h={}*N^{})",
                h_scale.unwrap_or(f64::NAN),
                h_exponent.unwrap_or(f64::NAN)
            ),
            ScoreSpec::Projection {
                degree,
                neighbours,
                estimate_dim,
            } => {
                let mut label = format!("projection(m={degree}");
                if let Some(k) = neighbours {
                    label += &format!(",K={k}");
                }
                if *estimate_dim {
                    label += ",k=estimated";
                }
                label + ")"
            }
            ScoreSpec::Hybrid {
                switch_time,
                degree,
                h,
            } => match h {
                Some(h) => format!("hybrid(t1={switch_time},m={degree},h={h})"),
                None => format!("hybrid(t1={switch_time},m={degree})"),
            },
            other => other.kind().into(),
        }
    }

    /// The bandwidth of a smoothed score at training-set size n.
    pub fn bandwidth(&self, n: usize) -> Option<f64> {
        match self {
            ScoreSpec::Smoothed { h: Some(h), .. } => Some(*h),
            ScoreSpec::Smoothed {
                h_scale: Some(c),
                h_exponent: Some(e),
                ..
            } => Some(c * (n as f64).powf(*e)),
            ScoreSpec::Hybrid { h, .. } => *h,
            _ => None,
        }
    }
}

/// One `[[theory]]` line.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TheorySpec {
    /// The metric it describes (a column name of runs.csv).
    pub metric: String,
    /// The slope in ln N.
    pub slope: f64,
    /// The legend text.
    pub label: String,
    /// Score kinds (`projection`) or labels (`projection(m=2)`) it applies to; all when absent.
    pub scores: Option<Vec<String>>,
}

impl TheorySpec {
    /// Whether the line applies to this metric of a score of this kind and label.
    pub fn applies_to(&self, metric: &str, score_kind: &str, score_label: &str) -> bool {
        self.metric == metric
            && self
                .scores
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == score_kind || n == score_label))
    }
}

/// `[fit]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FitSpec {
    /// Confidence level of the slope intervals.
    #[serde(default = "default_level")]
    pub level: f64,
    /// An N counts only where the metric's mean exceeds this multiple of its null floor.
    #[serde(default = "default_floor_factor")]
    pub floor_factor: f64,
    /// Fewest N values a slope is fitted over.
    #[serde(default = "default_min_points")]
    pub min_points: usize,
    /// A known numerical floor of every fitted metric (e.g. the float64 floor of a fit, ~1e-11):
    /// N values whose mean is within `floor_factor` of it are left out like those at a null floor.
    pub absolute_floor: Option<f64>,
}

impl Default for FitSpec {
    fn default() -> Self {
        Self {
            level: default_level(),
            floor_factor: default_floor_factor(),
            min_points: default_min_points(),
            absolute_floor: None,
        }
    }
}

fn default_level() -> f64 {
    0.9
}

fn default_floor_factor() -> f64 {
    1.5
}

fn default_min_points() -> usize {
    3
}

/// A checked experiment under one profile: valid parameters and the objects they describe.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The file stem, which names the report folder.
    pub name: String,
    /// The file it was read from.
    pub file: PathBuf,
    /// The profile its sweep was resolved for.
    pub profile: Profile,
    /// The config as written.
    pub raw: RawExperiment,
    /// The sweep after the profile's overrides.
    pub sweep: SweepSpec,
    /// M in R^D.
    pub manifold: Arc<dyn Manifold>,
    /// μ on M.
    pub measure: Arc<DensityMeasure>,
    /// The metrics each cell computes, in CSV order.
    pub metrics: Vec<Arc<dyn Metric>>,
}

/// The largest ambient dimension D a config may ask for.
pub const MAX_AMBIENT_DIM: usize = 10_000;
/// The largest training-set size N, and the most generated samples per cell, a config may ask for.
pub const MAX_POINTS: usize = 100_000_000;

impl Experiment {
    /// Reads and checks an experiment file for a profile, with the built-in kinds.
    pub fn load(file: &Path, profile: Profile) -> Result<Self> {
        Self::load_with(file, profile, &Registry::standard())
    }

    /// Reads and checks an experiment file for a profile, with the kinds of `registry`.
    pub fn load_with(file: &Path, profile: Profile, registry: &Registry) -> Result<Self> {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the experiment file {}", file.display()))?;
        Self::parse_with(&text, file, profile, registry)
    }

    /// Parses and checks the text of an experiment file (`file` names it in errors), with the
    /// built-in kinds.
    pub fn parse(text: &str, file: &Path, profile: Profile) -> Result<Self> {
        Self::parse_with(text, file, profile, &Registry::standard())
    }

    /// Parses and checks the text of an experiment file with the kinds of `registry`.
    pub fn parse_with(
        text: &str,
        file: &Path,
        profile: Profile,
        registry: &Registry,
    ) -> Result<Self> {
        let shown = file.display().to_string();
        let raw: RawExperiment = toml::from_str(text)
            .map_err(|err| anyhow::anyhow!("{shown}: invalid experiment config: {err}"))?;
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "experiment".into());
        let check = Checker { file: &shown };
        let (manifold, direction) = check.manifold(&raw)?;
        let measure = check.density(&raw, manifold.clone(), direction)?;
        let sweep = check.sweep(&raw, profile)?;
        check.samplers(&raw)?;
        check.scores(&raw, manifold.intrinsic_dim())?;
        let metrics = check.metrics(&raw, registry)?;
        check.fit(&raw)?;
        Ok(Self {
            name,
            file: file.to_path_buf(),
            profile,
            raw,
            sweep,
            manifold,
            measure,
            metrics,
        })
    }

    /// Every CSV metric of the experiment's metrics, nulls included, in CSV order.
    pub fn metric_infos(&self) -> Vec<MetricInfo> {
        self.metrics.iter().flat_map(|m| m.infos()).collect()
    }

    /// Whether any metric looks at generated samples; without one, cells skip sampling.
    pub fn needs_samples(&self) -> bool {
        self.metrics.iter().any(|m| m.needs_samples())
    }

    /// The schedule of every score of the experiment.
    pub fn schedule(&self) -> Schedule {
        self.raw.schedule.schedule()
    }
}

/// The rules, each failure naming the file and field.
struct Checker<'a> {
    file: &'a str,
}

impl Checker<'_> {
    fn fail<T>(&self, field: impl Into<String>, rule: impl Into<String>) -> Result<T> {
        Err(ConfigError {
            file: self.file.to_string(),
            field: field.into(),
            rule: rule.into(),
        }
        .into())
    }

    fn positive(&self, field: &str, value: f64) -> Result<()> {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            self.fail(field, format!("must be finite and > 0 (got {value})"))
        }
    }

    fn manifold(&self, raw: &RawExperiment) -> Result<(Arc<dyn Manifold>, ndarray::Array1<f64>)> {
        if raw.ambient_dim > MAX_AMBIENT_DIM {
            return self.fail(
                "ambient_dim",
                format!("must be ≤ {MAX_AMBIENT_DIM} (got {})", raw.ambient_dim),
            );
        }
        match build_manifold(&raw.manifold, raw.ambient_dim, raw.embedding, raw.seed) {
            Ok(pair) => Ok(pair),
            Err(BuildError::Model(err)) => self.fail("manifold", err),
            Err(BuildError::Ambient { span }) => self.fail(
                "ambient_dim",
                format!(
                    "must be ≥ {span}, the dimension of the manifold's span (got {})",
                    raw.ambient_dim
                ),
            ),
        }
    }

    fn density(
        &self,
        raw: &RawExperiment,
        manifold: Arc<dyn Manifold>,
        direction: ndarray::Array1<f64>,
    ) -> Result<Arc<DensityMeasure>> {
        let profile = match raw.density {
            DensitySpec::Uniform => return Ok(Arc::new(DensityMeasure::uniform(manifold))),
            DensitySpec::Tilt { kappa } => DensityProfile::Tilt { kappa },
            DensitySpec::Kink { slope } => DensityProfile::Kink { slope },
            DensitySpec::TwoLevel { ratio } => DensityProfile::TwoLevel { ratio },
        };
        let origin = manifold.bounding_ball().0;
        let feature = LinearFeature::new(direction, origin)
            .map_err(|err| anyhow::anyhow!("{}: density feature: {err}", self.file))?;
        match DensityMeasure::new(manifold, profile, feature) {
            Ok(measure) => Ok(Arc::new(measure)),
            Err(err) => self.fail("density", err.to_string()),
        }
    }

    fn sweep(&self, raw: &RawExperiment, profile: Profile) -> Result<SweepSpec> {
        self.sweep_values("sweep", &raw.sweep)?;
        let resolved = profile.resolve(&raw.sweep, &raw.profile);
        self.sweep_values(&format!("profile.{}", profile.name()), &resolved)?;
        Ok(resolved)
    }

    fn sweep_values(&self, prefix: &str, sweep: &SweepSpec) -> Result<()> {
        if sweep.n_train.is_empty() {
            return self.fail(format!("{prefix}.n_train"), "the N grid must not be empty");
        }
        for (i, &n) in sweep.n_train.iter().enumerate() {
            if n < 2 {
                return self.fail(
                    format!("{prefix}.n_train[{i}]"),
                    format!("every N must be ≥ 2 (got {n})"),
                );
            }
        }
        for (i, &n) in sweep.n_train.iter().enumerate() {
            if n > MAX_POINTS {
                return self.fail(
                    format!("{prefix}.n_train[{i}]"),
                    format!("every N must be ≤ {MAX_POINTS} (got {n})"),
                );
            }
        }
        if sweep.samples > MAX_POINTS {
            return self.fail(
                format!("{prefix}.samples"),
                format!("must be ≤ {MAX_POINTS} (got {})", sweep.samples),
            );
        }
        if let Some(i) = sweep.n_train.windows(2).position(|w| w[1] <= w[0]) {
            return self.fail(
                format!("{prefix}.n_train[{}]", i + 1),
                "the N grid must increase strictly",
            );
        }
        if sweep.seeds == 0 {
            return self.fail(format!("{prefix}.seeds"), "must be ≥ 1 (got 0)");
        }
        if sweep.samples < 2 {
            return self.fail(
                format!("{prefix}.samples"),
                format!("must be ≥ 2 (got {})", sweep.samples),
            );
        }
        Ok(())
    }

    fn samplers(&self, raw: &RawExperiment) -> Result<()> {
        if raw.sampler.is_empty() {
            return self.fail("sampler", "give at least one [[sampler]]");
        }
        for (i, s) in raw.sampler.iter().enumerate() {
            let field = |name: &str| format!("sampler[{i}].{name}");
            self.positive(&field("t_min"), s.t_min)?;
            self.positive(&field("t_max"), s.t_max)?;
            if s.t_min >= s.t_max {
                return self.fail(
                    field("t_min"),
                    format!("must be < t_max = {} (got {})", s.t_max, s.t_min),
                );
            }
            if s.steps == 0 {
                return self.fail(field("steps"), "must be ≥ 1 (got 0)");
            }
        }
        self.unique("sampler", raw.sampler.iter().map(SamplerSpec::label))
    }

    fn unique(&self, field: &str, labels: impl Iterator<Item = String>) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, label) in labels.enumerate() {
            if !seen.insert(label.clone()) {
                return self.fail(format!("{field}[{i}]"), format!("repeats `{label}`"));
            }
        }
        Ok(())
    }

    fn scores(&self, raw: &RawExperiment, k: usize) -> Result<()> {
        if raw.score.is_empty() {
            return self.fail("score", "give at least one [[score]]");
        }
        for (i, score) in raw.score.iter().enumerate() {
            let field = |name: &str| format!("score[{i}].{name}");
            match score {
                ScoreSpec::Empirical { eps: Some(eps) } if !(*eps > 0.0 && *eps < 1.0) => {
                    return self.fail(field("eps"), format!("must lie in (0, 1) (got {eps})"));
                }
                ScoreSpec::Smoothed {
                    h,
                    h_scale,
                    h_exponent,
                } => match (h, h_scale, h_exponent) {
                    (Some(h), None, None) if h.is_finite() && *h >= 0.0 => {}
                    (Some(h), None, None) => {
                        return self.fail(field("h"), format!("must be finite and ≥ 0 (got {h})"));
                    }
                    (None, Some(c), Some(e)) => {
                        self.positive(&field("h_scale"), *c)?;
                        if !e.is_finite() {
                            return self.fail(field("h_exponent"), "must be finite");
                        }
                    }
                    _ => {
                        return self.fail(
                            field("h"),
                            "give either h, or both h_scale and h_exponent (h = h_scale · N^h_exponent)",
                        );
                    }
                },
                ScoreSpec::Projection {
                    degree, neighbours, ..
                } => {
                    self.degree(&field("degree"), *degree)?;
                    if let Some(kk) = neighbours {
                        let needed = mangen_scores::coefficient_count(k, *degree);
                        if *kk <= needed {
                            return self.fail(
                                field("neighbours"),
                                format!(
                                    "must exceed the {needed} coefficients of a degree-{degree} fit in k = {k} (got {kk})"
                                ),
                            );
                        }
                    }
                }
                ScoreSpec::Hybrid {
                    switch_time,
                    degree,
                    h,
                } => {
                    self.positive(&field("switch_time"), *switch_time)?;
                    self.degree(&field("degree"), *degree)?;
                    if let Some(h) = h
                        && !(h.is_finite() && *h >= 0.0)
                    {
                        return self.fail(field("h"), format!("must be finite and ≥ 0 (got {h})"));
                    }
                }
                _ => {}
            }
        }
        self.unique("score", raw.score.iter().map(ScoreSpec::label))
    }

    fn degree(&self, field: &str, degree: usize) -> Result<()> {
        if (1..=MAX_DEGREE).contains(&degree) {
            Ok(())
        } else {
            self.fail(
                field,
                format!("must lie in 1..={MAX_DEGREE} (got {degree})"),
            )
        }
    }

    fn metrics(&self, raw: &RawExperiment, registry: &Registry) -> Result<Vec<Arc<dyn Metric>>> {
        let metrics = match registry.metrics(&raw.metrics) {
            Ok(metrics) => metrics,
            Err(err) => return self.fail(format!("metrics.{}", err.field), err.rule),
        };
        if metrics.is_empty() {
            return self.fail("metrics", "turn on at least one metric");
        }
        let known: Vec<String> = metrics
            .iter()
            .flat_map(|m| m.infos())
            .map(|info| info.name)
            .collect();
        for (i, line) in raw.theory.iter().enumerate() {
            if !known.contains(&line.metric) {
                return self.fail(
                    format!("theory[{i}].metric"),
                    format!(
                        "`{}` is not a metric this experiment computes (it computes: {})",
                        line.metric,
                        known.join(", ")
                    ),
                );
            }
            if !line.slope.is_finite() {
                return self.fail(format!("theory[{i}].slope"), "must be finite");
            }
            for name in line.scores.iter().flatten() {
                if !raw
                    .score
                    .iter()
                    .any(|s| s.kind() == name || &s.label() == name)
                {
                    return self.fail(
                        format!("theory[{i}].scores"),
                        format!("no [[score]] of kind or label `{name}` in this experiment"),
                    );
                }
            }
        }
        Ok(metrics)
    }

    fn fit(&self, raw: &RawExperiment) -> Result<()> {
        let fit = &raw.fit;
        if !(fit.level > 0.0 && fit.level < 1.0) {
            return self.fail(
                "fit.level",
                format!("must lie in (0, 1) (got {})", fit.level),
            );
        }
        if !(fit.floor_factor.is_finite() && fit.floor_factor >= 1.0) {
            return self.fail(
                "fit.floor_factor",
                format!("must be ≥ 1 (got {})", fit.floor_factor),
            );
        }
        if let Some(floor) = fit.absolute_floor {
            self.positive("fit.absolute_floor", floor)?;
        }
        if fit.min_points < 3 {
            return self.fail(
                "fit.min_points",
                format!(
                    "a slope with an interval needs ≥ 3 N values (got {})",
                    fit.min_points
                ),
            );
        }
        Ok(())
    }
}

/// Why a manifold could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildError {
    /// The model's parameters break a rule of the geometry crate.
    Model(String),
    /// D is below the dimension of the manifold's span.
    Ambient {
        /// The span dimension m.
        span: usize,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Model(why) => f.write_str(why),
            BuildError::Ambient { span } => write!(
                f,
                "the ambient dimension must be ≥ {span}, the dimension of the manifold's span"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds a manifold in R^D; returns it with the first axis of its span in R^D (the feature
/// direction of non-uniform densities). The random embedding is drawn from `seed`.
pub fn build_manifold(
    spec: &ManifoldSpec,
    ambient: usize,
    embedding: EmbeddingKind,
    seed: u64,
) -> std::result::Result<(Arc<dyn Manifold>, ndarray::Array1<f64>), BuildError> {
    match spec {
        ManifoldSpec::Circle { radius } => embed(Sphere::circle(*radius), ambient, embedding, seed),
        ManifoldSpec::Sphere { k, radius } => {
            embed(Sphere::new(*k, *radius), ambient, embedding, seed)
        }
        ManifoldSpec::FlatTorus { radii } => {
            embed(FlatTorus::new(radii.clone()), ambient, embedding, seed)
        }
        ManifoldSpec::Donut { major, minor } => {
            embed(DonutTorus::new(*major, *minor), ambient, embedding, seed)
        }
        ManifoldSpec::Curve {
            radius,
            amplitude,
            beta,
        } => embed(
            PolarCurve::new(*radius, *amplitude, *beta),
            ambient,
            embedding,
            seed,
        ),
    }
}

fn embed<L: LocalModel + 'static>(
    model: mangen_geometry::Result<L>,
    ambient: usize,
    embedding: EmbeddingKind,
    seed: u64,
) -> std::result::Result<(Arc<dyn Manifold>, ndarray::Array1<f64>), BuildError> {
    let model = model.map_err(|err| BuildError::Model(err.to_string()))?;
    let span = model.span_dim();
    if ambient < span {
        return Err(BuildError::Ambient { span });
    }
    let isometry = match embedding {
        EmbeddingKind::Random => Isometry::random(span, ambient, seed),
        EmbeddingKind::Standard => Isometry::standard(span, ambient),
    }
    .map_err(|err| BuildError::Model(err.to_string()))?;
    let direction = isometry.frame().column(0).to_owned();
    let manifold =
        Embedded::new(model, isometry).map_err(|err| BuildError::Model(err.to_string()))?;
    Ok((Arc::new(manifold), direction))
}
