//! Experiment configs as written: the TOML schema, unknown fields refused; `crate::experiment` checks it.
//!
//! One file per experiment. The reference of every field is in the README ("Configuration
//! reference"). The `[[score]]` tables and the `[metrics]` entries are read by the kinds of the
//! registry, each with its own schema.

use mangen_scores::Schedule;
use serde::{Deserialize, Serialize};

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
    /// The scores to compare (`[[score]]`): tables tagged by `kind`, each checked by its kind's
    /// own code (the span locates the table in the file for error messages).
    pub score: Vec<toml::Spanned<toml::Table>>,
    /// The metrics to compute: one entry per metric kind of the registry (`fidelity = true`,
    /// `wasserstein = { p = 1 }`), each checked by its kind's own code.
    pub metrics: toml::Table,
    /// Theory lines drawn on the plots and held against the fitted slopes (`[[theory]]`).
    #[serde(default)]
    pub theory: Vec<TheorySpec>,
    /// How slopes are fitted.
    #[serde(default)]
    pub fit: FitSpec,
    /// Claims of the paper this experiment answers (`[[finding]]`): rows of the findings table
    /// at the top of summary.md.
    #[serde(default)]
    pub finding: Vec<FindingSpec>,
    /// How the phase maps of a sweep axis are drawn (`[phase]`).
    #[serde(default, skip_serializing_if = "PhaseSpec::is_empty")]
    pub phase: PhaseSpec,
}

/// `[phase]`: what the phase maps of a sweep axis show beside the experiment's own boundary.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    /// Boundaries of other experiments of the run drawn over this one's maps, each as
    /// `experiment/label` (the label beside that experiment's axis: its score for a t0 axis).
    #[serde(default)]
    pub beside: Vec<String>,
    /// The radius at which the generalizing region is also asked to cover μ (`cover = { radius,
    /// factor }`): the cells whose comparability radius r_c(factor) is at most `radius`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<CoverSpec>,
}

/// `[phase] cover = { radius, factor }`: a cell covers μ at `radius` when, in most of its
/// seeds, the samples' law is `factor`-comparable to μ on every ball from some radius ≤ `radius`
/// on (the coverage metric's r_c(factor) ≤ `radius`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CoverSpec {
    /// The stated radius r.
    pub radius: f64,
    /// The comparability factor C ≥ 1 (one of the coverage metric's `comparability` factors).
    pub factor: f64,
}

impl PhaseSpec {
    /// Whether nothing is set (the section is then left out of the config as run).
    pub fn is_empty(&self) -> bool {
        self.beside.is_empty() && self.cover.is_none()
    }
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
    /// The real line along the first axis (k = 1, unbounded): the support of a `gmm` density.
    Line,
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
    /// The plane curve ρ(θ) = r(1 + a Σ_j b^{-jβ} cos(b^j θ)): smoothness exactly β everywhere.
    LacunaryCurve {
        /// Base radius r > 0.
        #[serde(default = "unit")]
        radius: f64,
        /// Amplitude a, with |a|·Σ_j b^{-jβ} < 1.
        amplitude: f64,
        /// Smoothness β ∈ (2, 64].
        beta: f64,
        /// The integer base b ≥ 2 of the frequencies b^j.
        #[serde(default = "two")]
        base: u32,
    },
    /// A closed curve that fills R^D: the circle of radius r plus harmonics j = 2…J of weight
    /// r·a·j^(-p) along random unit directions of R^D drawn from `seed` (span D, not 2).
    FourierCurve {
        /// Base radius r > 0.
        #[serde(default = "unit")]
        radius: f64,
        /// Amplitude a ≥ 0 of the higher harmonics.
        amplitude: f64,
        /// Decay p ≥ 0 of the harmonics' weights j^(-p).
        decay: f64,
        /// The number of harmonics J, 1…256 (2J ≥ D fills R^D).
        harmonics: usize,
        /// The seed of the harmonics' directions (the embedding's seed is the experiment's).
        #[serde(default)]
        seed: u64,
    },
}

fn two() -> u32 {
    2
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
    /// On the line only: ½N(−m, sd²) + ½N(m, sd²), Li et al.'s two-mode mixture.
    Gmm {
        /// The modes' distance m from 0.
        modes: f64,
        /// The components' standard deviation.
        #[serde(default = "unit")]
        sd: f64,
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
    /// Early-stopping time t0, or `{ grid = [..] }`: one sampler per value, a sweep axis.
    pub t_min: Param,
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
    /// The label in reports of this sampler stopped at `t0` (the text of `t0`):
    /// `sde(t0=0.001,steps=100)`, with `,denoise` when set.
    pub fn label_at(&self, t0: &str) -> String {
        let method = match self.method {
            Method::Sde => "sde",
            Method::Ode => "ode",
        };
        let denoise = if self.denoise { ",denoise" } else { "" };
        format!("{method}(t0={t0},steps={}{denoise})", self.steps)
    }
}

/// A numeric parameter of a `[[sampler]]` or `[[score]]`: one value, or `{ grid = [..] }`, a
/// sweep axis (one sampler or score per value, crossed with N like any other).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// One value.
    Value(f64),
    /// A grid of values, each a sampler or score of its own.
    Grid {
        /// The values, increasing.
        grid: Vec<f64>,
    },
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// `{ grid = [..] }` and nothing else.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Grid {
            grid: Vec<f64>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Value(f64),
            Grid(Grid),
        }
        match Written::deserialize(deserializer) {
            Ok(Written::Value(value)) => Ok(Param::Value(value)),
            Ok(Written::Grid(Grid { grid })) => Ok(Param::Grid { grid }),
            Err(_) => Err(serde::de::Error::custom(
                "expected a number, or `{ grid = [v1, v2, …] }` for a sweep axis",
            )),
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

/// One `[[finding]]`: a claim and the curve of this experiment that answers it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FindingSpec {
    /// The claim, as it reads in the table.
    pub claim: String,
    /// The metric whose curve answers it.
    pub metric: String,
    /// The score (kind or label) whose curve it is.
    pub score: String,
    /// For a fraction or index: the level it must reach at every N.
    pub at_least: Option<f64>,
    /// For a fraction or index: the level it must stay below at every N.
    pub at_most: Option<f64>,
    /// For a slope: another slope of the suite, `experiment/score/metric`, that it must beat
    /// (its whole interval below the other's).
    pub steeper_than: Option<String>,
    /// For a slope: another slope of the suite, `experiment/score/metric`, that it must agree
    /// with (the two intervals overlap).
    pub agrees_with: Option<String>,
}

/// How a finding's slope is held against another slope of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Its whole interval below the other's.
    SteeperThan,
    /// The two intervals overlap.
    AgreesWith,
}

impl Comparison {
    /// The config field that names it.
    pub fn field(self) -> &'static str {
        match self {
            Comparison::SteeperThan => "steeper_than",
            Comparison::AgreesWith => "agrees_with",
        }
    }

    /// The words of the table's `against` column.
    pub fn words(self) -> &'static str {
        match self {
            Comparison::SteeperThan => "steeper than",
            Comparison::AgreesWith => "agrees with",
        }
    }
}

impl FindingSpec {
    /// The other slope this finding is held against, `experiment/score/metric`, and how.
    pub fn compared_with(&self) -> Option<(&str, Comparison)> {
        match (&self.steeper_than, &self.agrees_with) {
            (Some(path), _) => Some((path, Comparison::SteeperThan)),
            (None, Some(path)) => Some((path, Comparison::AgreesWith)),
            (None, None) => None,
        }
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
    /// Levels the training curves are read against, by metric: their table gives the first
    /// checkpoint whose mean over seeds is at or below the metric's level (Li et al.'s "first
    /// epoch with KL ≤ 0.1"; fidelity entering a tube; a novelty index falling below 0.5). A
    /// fraction or index with a level is drawn along training too.
    #[serde(default)]
    pub training_targets: std::collections::BTreeMap<String, f64>,
    /// Checkpoint epochs whose mean the training table gives in a column each (Li et al.'s KL
    /// after 1000 epochs, of a run trained longer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub training_epochs: Vec<usize>,
}

impl Default for FitSpec {
    fn default() -> Self {
        Self {
            level: default_level(),
            floor_factor: default_floor_factor(),
            min_points: default_min_points(),
            absolute_floor: None,
            training_targets: Default::default(),
            training_epochs: Vec::new(),
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
