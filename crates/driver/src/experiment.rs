//! The checked experiment: a config's raw schema checked into what the sweep reads (scores with their labels, samplers with their time grids, the metric plan, the fit policy, M and μ).
//!
//! Every error names the file, the field (a TOML path) and the rule it breaks.

use crate::axis::{AxisOwner, SweepAxis, check_grid, family_label, grid_entries, with_value};
use crate::metric::{MetricInfo, Shape};
use crate::metrics::coverage::comparability_metric;
use crate::models::{BuildError, build_density, build_manifold};
use crate::phase::derived_infos;
use crate::profile::{Profile, score_profiles};
use crate::registry::{KeyedMetric, Registry};
use crate::schema::{FitSpec, Method, Param, RawExperiment, SweepSpec, TheorySpec};
use crate::score::{ScoreBuilder, ScoreContext};
use anyhow::{Context, Result};
use mangen_geometry::Manifold;
use mangen_measures::Measure;
use mangen_samplers::{EulerMaruyama, Heun, Sampler, SamplingConfig};
use mangen_scores::Schedule;
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

/// A checked `[[score]]`: its label, computed once, and the builder of its score.
#[derive(Debug, Clone)]
pub struct CheckedScore {
    /// The label in reports, unique within the experiment.
    pub label: String,
    /// Builds the score in a cell.
    pub builder: Arc<dyn ScoreBuilder>,
}

impl CheckedScore {
    /// The kind, as written in configs.
    pub fn kind(&self) -> &str {
        self.builder.kind()
    }
}

/// A checked `[[sampler]]`: its label, its integrator and its time grid (steps after the steps
/// factor).
#[derive(Debug, Clone)]
pub struct CheckedSampler {
    /// The label in reports, unique within the experiment.
    pub label: String,
    /// The integrator.
    pub method: Method,
    /// The time grid and the final denoising step.
    pub config: SamplingConfig,
}

impl CheckedSampler {
    /// The integrator, ready to run.
    pub fn sampler(&self) -> Box<dyn Sampler> {
        sampler_of(self.method)
    }
}

/// The integrator of a method: the factory of the sweep and of `mangen compare`.
pub fn sampler_of(method: Method) -> Box<dyn Sampler> {
    match method {
        Method::Sde => Box::new(EulerMaruyama),
        Method::Ode => Box::new(Heun),
    }
}

/// How an experiment file is checked: the profile its sweep is resolved for, the factor on every
/// sampler's steps, and the kinds of scores and metrics it may name.
#[derive(Debug, Clone)]
pub struct LoadOptions<'a> {
    /// The profile.
    pub profile: Profile,
    /// Multiplies every sampler's steps (1 keeps them).
    pub steps_factor: usize,
    /// The kinds configs may name.
    pub registry: &'a Registry,
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
    /// The config as run (the steps factor applied): kept for the journal's fingerprint and the
    /// manifest only; everything else reads the checked fields.
    pub raw: RawExperiment,
    /// The experiment seed: every random stream of the sweep derives from it.
    pub seed: u64,
    /// One line on what the experiment measures.
    pub description: String,
    /// What limits the measurement.
    pub limits: String,
    /// The forward process of every score.
    pub schedule: Schedule,
    /// The sweep after the profile's overrides.
    pub sweep: SweepSpec,
    /// M in R^D.
    pub manifold: Arc<dyn Manifold>,
    /// μ on M.
    pub measure: Arc<dyn Measure>,
    /// The scores to compare, in config order.
    pub scores: Vec<CheckedScore>,
    /// The samplers to compare, in config order.
    pub samplers: Vec<CheckedSampler>,
    /// The metrics each cell computes, in CSV order, each with the key of its `[metrics]` entry
    /// (which also names its random stream).
    pub metrics: Vec<KeyedMetric>,
    /// Theory lines drawn on the plots and held against the fitted slopes.
    pub theory: Vec<TheorySpec>,
    /// How slopes are fitted.
    pub fit: FitSpec,
    /// The sweep axis beside N, when a sampler or score parameter is a grid.
    pub axis: Option<SweepAxis>,
}

/// The largest ambient dimension D a config may ask for.
pub const MAX_AMBIENT_DIM: usize = 10_000;
/// The largest training-set size N, and the most generated samples per cell, a config may ask for.
pub const MAX_POINTS: usize = 100_000_000;
/// The most steps a sampler may take (after the steps factor).
pub const MAX_STEPS: usize = 100_000_000;

impl Experiment {
    /// Reads and checks an experiment file for a profile, with the built-in kinds.
    pub fn load(file: &Path, profile: Profile) -> Result<Self> {
        Self::load_with(file, &LoadOptions::new(profile, &Registry::standard()))
    }

    /// Reads and checks an experiment file.
    pub fn load_with(file: &Path, options: &LoadOptions) -> Result<Self> {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the experiment file {}", file.display()))?;
        Self::parse_with(&text, file, options)
    }

    /// Parses and checks the text of an experiment file (`file` names it in errors), with the
    /// built-in kinds.
    pub fn parse(text: &str, file: &Path, profile: Profile) -> Result<Self> {
        Self::parse_with(
            text,
            file,
            &LoadOptions::new(profile, &Registry::standard()),
        )
    }

    /// Parses and checks the text of an experiment file.
    pub fn parse_with(text: &str, file: &Path, options: &LoadOptions) -> Result<Self> {
        let shown = file.display().to_string();
        let mut raw: RawExperiment = toml::from_str(text)
            .map_err(|err| anyhow::anyhow!("{shown}: invalid experiment config: {err}"))?;
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "experiment".into());
        let check = Checker { file: &shown, text };
        let (manifold, direction) = check.manifold(&raw)?;
        let measure = check.density(&raw, manifold.clone(), direction)?;
        let sweep = check.sweep(&raw, options.profile)?;
        let (samplers, sampler_axes) = check.samplers(&mut raw, options.steps_factor)?;
        let context = ScoreContext {
            intrinsic_dim: manifold.intrinsic_dim(),
            config_dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let (scores, score_axes) =
            check.scores(&raw, options.profile, options.registry, &context)?;
        let axis = check.one_axis([sampler_axes, score_axes].concat())?;
        let metrics = check.metrics(&raw, options.registry, measure.as_ref())?;
        let measured: Vec<MetricInfo> = metrics.iter().flat_map(|(_, m)| m.infos()).collect();
        let infos = [measured.clone(), derived_infos(axis.as_ref(), &measured)].concat();
        check.lines(&raw, &infos, &scores)?;
        check.fit(&raw)?;
        check.findings(&raw, &infos, &scores)?;
        check.phase(&raw, axis.as_ref(), &measured)?;
        Ok(Self {
            name,
            file: file.to_path_buf(),
            profile: options.profile,
            seed: raw.seed,
            description: raw.description.clone(),
            limits: raw.limits.clone(),
            schedule: raw.schedule.schedule(),
            theory: raw.theory.clone(),
            fit: raw.fit.clone(),
            raw,
            sweep,
            manifold,
            measure,
            scores,
            samplers,
            metrics,
            axis,
        })
    }

    /// Every CSV metric the cells measure, nulls included, in CSV order.
    pub fn measured_infos(&self) -> Vec<MetricInfo> {
        self.metrics.iter().flat_map(|(_, m)| m.infos()).collect()
    }

    /// The measured metrics and those the reports derive from them across cells (the phase
    /// boundary of a sweep axis).
    pub fn metric_infos(&self) -> Vec<MetricInfo> {
        let measured = self.measured_infos();
        let derived = derived_infos(self.axis.as_ref(), &measured);
        [measured, derived].concat()
    }

    /// Whether any metric looks at generated samples; without one, cells skip sampling.
    pub fn needs_samples(&self) -> bool {
        self.metrics.iter().any(|(_, m)| m.needs_samples())
    }

    /// Whether any metric compares the samples with those of the score's population twin.
    pub fn needs_twin(&self) -> bool {
        self.metrics.iter().any(|(_, m)| m.needs_twin())
    }

    /// Whether any metric reads the score itself.
    pub fn needs_score(&self) -> bool {
        self.metrics.iter().any(|(_, m)| m.needs_score())
    }
}

impl<'a> LoadOptions<'a> {
    /// The options of `profile` with the steps as written.
    pub fn new(profile: Profile, registry: &'a Registry) -> Self {
        Self {
            profile,
            steps_factor: 1,
            registry,
        }
    }
}

/// The rules, each failure naming the file and field.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    /// The error of `field` breaking `rule` in this file.
    fn error(&self, field: impl Into<String>, rule: impl Into<String>) -> anyhow::Error {
        ConfigError {
            file: self.file.to_string(),
            field: field.into(),
            rule: rule.into(),
        }
        .into()
    }

    fn fail<T>(&self, field: impl Into<String>, rule: impl Into<String>) -> Result<T> {
        Err(self.error(field, rule))
    }

    fn positive(&self, field: &str, value: f64) -> Result<()> {
        crate::field::positive(field, value).or_else(|err| self.fail(err.field, err.rule))
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
    ) -> Result<Arc<dyn Measure>> {
        match build_density(raw.density, manifold, direction) {
            Ok(measure) => Ok(measure),
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

    /// Checks the samplers and applies the steps factor to them (and to `raw`, the config as run);
    /// a t_min written `{ grid = [..] }` gives one sampler per value and a sweep axis.
    fn samplers(
        &self,
        raw: &mut RawExperiment,
        steps_factor: usize,
    ) -> Result<(Vec<CheckedSampler>, Vec<SweepAxis>)> {
        if raw.sampler.is_empty() {
            return self.fail("sampler", "give at least one [[sampler]]");
        }
        if steps_factor == 0 {
            return self.fail(
                "sampler",
                "the steps factor (--steps-factor) must be ≥ 1 (got 0)",
            );
        }
        let mut checked = Vec::new();
        let mut axes = Vec::new();
        for (i, s) in raw.sampler.iter_mut().enumerate() {
            let field = |name: &str| format!("sampler[{i}].{name}");
            self.positive(&field("t_max"), s.t_max)?;
            if s.steps == 0 {
                return self.fail(field("steps"), "must be ≥ 1 (got 0)");
            }
            s.steps = match s.steps.checked_mul(steps_factor) {
                Some(steps) if steps <= MAX_STEPS => steps,
                _ => {
                    return self.fail(
                        field("steps"),
                        format!(
                            "{} steps × the steps factor {steps_factor} exceed {MAX_STEPS}",
                            s.steps
                        ),
                    );
                }
            };
            let t0s: Vec<(f64, String)> = match &s.t_min {
                Param::Value(t0) => vec![(*t0, field("t_min"))],
                Param::Grid { grid } => {
                    if let Err(err) = check_grid(grid) {
                        return self.fail(field(&format!("t_min.{}", err.field)), err.rule);
                    }
                    let members = grid.iter().map(|t0| (*t0, s.label_at(&t0.to_string())));
                    axes.push(SweepAxis {
                        owner: AxisOwner::Sampler,
                        field: field("t_min"),
                        symbol: "t0".into(),
                        family: s.label_at("*"),
                        members: members.collect(),
                    });
                    (grid.iter().enumerate())
                        .map(|(j, t0)| (*t0, field(&format!("t_min.grid[{j}]"))))
                        .collect()
                }
            };
            for (t0, t0_field) in t0s {
                self.positive(&t0_field, t0)?;
                if t0 >= s.t_max {
                    return self.fail(
                        t0_field,
                        format!("must be < t_max = {} (got {t0})", s.t_max),
                    );
                }
                let config = SamplingConfig::new(s.t_max, t0, s.steps)
                    .map(|config| config.with_denoising(s.denoise));
                match config {
                    Ok(config) => checked.push(CheckedSampler {
                        label: s.label_at(&t0.to_string()),
                        method: s.method,
                        config,
                    }),
                    Err(err) => return self.fail(format!("sampler[{i}]"), err.to_string()),
                }
            }
        }
        self.unique("sampler", checked.iter().map(|s| s.label.clone()))?;
        Ok((checked, axes))
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

    /// Checks the scores; a parameter written `{ grid = [..] }` gives one score per value and a
    /// sweep axis.
    /// A score whose `profiles` leave out `profile` is checked all the same, then left out.
    fn scores(
        &self,
        raw: &RawExperiment,
        profile: Profile,
        registry: &Registry,
        context: &ScoreContext,
    ) -> Result<(Vec<CheckedScore>, Vec<SweepAxis>)> {
        if raw.score.is_empty() {
            return self.fail("score", "give at least one [[score]]");
        }
        let mut checked = Vec::new();
        let mut axes = Vec::new();
        for (i, spanned) in raw.score.iter().enumerate() {
            let line = self.line_of(spanned.span().start);
            let error = |err: crate::field::FieldError| {
                let field = match err.field.as_str() {
                    "" => format!("score[{i}]"),
                    field => format!("score[{i}].{field}"),
                };
                self.error(
                    field,
                    format!("{} (in the [[score]] of line {line})", err.rule),
                )
            };
            let (profiles, table) = score_profiles(spanned.get_ref()).map_err(error)?;
            let runs_here = profiles.contains(&profile);
            let entries = grid_entries(&table).map_err(error)?;
            let (key, values) = match entries.as_slice() {
                [] => {
                    let builder = registry.score(&table, context).map_err(error)?;
                    if runs_here {
                        checked.push(CheckedScore {
                            label: builder.label(),
                            builder,
                        });
                    }
                    continue;
                }
                [(key, values)] => (key, values),
                [_, (second, _), ..] => {
                    return Err(error(crate::field::FieldError::new(
                        second.as_str(),
                        "one sweep axis per [[score]]: give the other parameter one value",
                    )));
                }
            };
            let mut members = Vec::new();
            let mut builders = Vec::new();
            for &value in values {
                let copy = with_value(&table, key, value);
                let builder = registry.score(&copy, context).map_err(error)?;
                members.push((value, builder.label()));
                builders.push(CheckedScore {
                    label: builder.label(),
                    builder,
                });
            }
            if !runs_here {
                continue;
            }
            checked.extend(builders);
            axes.push(SweepAxis {
                owner: AxisOwner::Score,
                field: format!("score[{i}].{key}"),
                symbol: key.clone(),
                family: family_label(&members[0].1, key, values[0]),
                members,
            });
        }
        if checked.is_empty() {
            return self.fail(
                "score",
                format!("no [[score]] runs in the {profile} profile (see their `profiles`)"),
            );
        }
        self.unique("score", checked.iter().map(|s| s.label.clone()))?;
        Ok((checked, axes))
    }

    /// Checks `[phase]`: references `experiment/label`, a cover radius with a comparability
    /// factor the coverage metric measures, and a sweep axis to draw them on.
    fn phase(
        &self,
        raw: &RawExperiment,
        axis: Option<&SweepAxis>,
        measured: &[MetricInfo],
    ) -> Result<()> {
        if let Some(cover) = &raw.phase.cover {
            if axis.is_none() {
                return self.fail(
                    "phase.cover",
                    "phase maps need a sweep axis (a `{ grid = [..] }` parameter)",
                );
            }
            self.positive("phase.cover.radius", cover.radius)?;
            let metric = comparability_metric(cover.factor);
            if !measured.iter().any(|info| info.name == metric) {
                return self.fail(
                    "phase.cover.factor",
                    format!(
                        "no `{metric}` is measured: add {} to `[metrics] coverage`'s `comparability` factors",
                        cover.factor
                    ),
                );
            }
        }
        for (i, reference) in raw.phase.beside.iter().enumerate() {
            let field = format!("phase.beside[{i}]");
            if axis.is_none() {
                return self.fail(
                    field,
                    "phase maps need a sweep axis (a `{ grid = [..] }` parameter)",
                );
            }
            match reference.split_once('/') {
                Some((experiment, label)) if !experiment.is_empty() && !label.is_empty() => {}
                _ => {
                    return self.fail(
                        field,
                        format!("must be `experiment/label` (got `{reference}`)"),
                    );
                }
            }
        }
        Ok(())
    }

    /// The experiment's one sweep axis beside N, if any: phase maps have two dimensions.
    fn one_axis(&self, axes: Vec<SweepAxis>) -> Result<Option<SweepAxis>> {
        match axes.as_slice() {
            [] | [_] => Ok(axes.into_iter().next()),
            [first, second, ..] => self.fail(
                format!("{}.grid", second.field),
                format!(
                    "one sweep axis per experiment (`{}` is one already): give one value here",
                    first.field
                ),
            ),
        }
    }

    /// The line (1-based) of a byte offset of the config's text.
    fn line_of(&self, offset: usize) -> usize {
        self.text
            .get(..offset)
            .map_or(0, |before| before.matches('\n').count())
            + 1
    }

    fn metrics(
        &self,
        raw: &RawExperiment,
        registry: &Registry,
        measure: &dyn Measure,
    ) -> Result<Vec<KeyedMetric>> {
        let metrics = match registry.metrics(&raw.metrics) {
            Ok(metrics) => metrics,
            Err(err) => return self.fail(format!("metrics.{}", err.field), err.rule),
        };
        if metrics.is_empty() {
            return self.fail("metrics", "turn on at least one metric");
        }
        for (key, metric) in &metrics {
            if let Err(rule) = metric.check(measure) {
                return self.fail(format!("metrics.{key}"), rule);
            }
        }
        Ok(metrics)
    }

    /// Checks the training targets and theory lines against the metrics the experiment
    /// computes or derives.
    fn lines(
        &self,
        raw: &RawExperiment,
        infos: &[MetricInfo],
        scores: &[CheckedScore],
    ) -> Result<()> {
        let known: Vec<String> = infos.iter().map(|info| info.name.clone()).collect();
        for (metric, &level) in &raw.fit.training_targets {
            let field = format!("fit.training_targets.{metric}");
            if !known.contains(metric) {
                return self.fail(
                    field,
                    format!(
                        "`{metric}` is not a metric this experiment computes (it computes: {})",
                        known.join(", ")
                    ),
                );
            }
            self.positive(&field, level)?;
        }
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
                self.names_a_score(scores, name, format!("theory[{i}].scores"))?;
            }
        }
        Ok(())
    }

    /// Checks that `name` is a score's kind or label, or a label with a checkpoint's suffix
    /// (`@epoch=E`, `@least`), which names one of a trained score's curves.
    fn names_a_score(&self, scores: &[CheckedScore], name: &str, field: String) -> Result<()> {
        let base = name
            .strip_suffix(crate::training::LEAST_MARK)
            .unwrap_or_else(|| crate::cell::base_label(name));
        if scores.iter().any(|s| s.kind() == base || s.label == base) {
            Ok(())
        } else {
            self.fail(
                field,
                format!("no [[score]] of kind or label `{name}` in this experiment"),
            )
        }
    }

    fn findings(
        &self,
        raw: &RawExperiment,
        infos: &[MetricInfo],
        scores: &[CheckedScore],
    ) -> Result<()> {
        for (i, finding) in raw.finding.iter().enumerate() {
            let field = |name: &str| format!("finding[{i}].{name}");
            let Some(info) = infos.iter().find(|info| info.name == finding.metric) else {
                return self.fail(
                    field("metric"),
                    format!(
                        "`{}` is not a metric this experiment computes",
                        finding.metric
                    ),
                );
            };
            self.names_a_score(scores, &finding.score, field("score"))?;
            let level = finding.at_least.or(finding.at_most);
            match info.shape {
                Shape::Fraction if level.is_none_or(|l| !l.is_finite()) => {
                    return self.fail(
                        field("at_least"),
                        "a fraction's finding needs a finite level: at_least or at_most",
                    );
                }
                Shape::Rate if level.is_some() => {
                    return self.fail(
                        field("at_least"),
                        "a rate's finding is read from its slope; levels are for fractions",
                    );
                }
                _ => {}
            }
            if finding.steeper_than.is_some() && finding.agrees_with.is_some() {
                return self.fail(
                    field("agrees_with"),
                    "a finding is held against one other slope: steeper_than or agrees_with",
                );
            }
            if let Some((other, comparison)) = finding.compared_with()
                && (info.shape != Shape::Rate || other.split('/').count() != 3)
            {
                return self.fail(
                    field(comparison.field()),
                    "must name a slope as `experiment/score/metric`, for a rate",
                );
            }
        }
        Ok(())
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
        for (i, pair) in fit.training_epochs.windows(2).enumerate() {
            if pair[1] <= pair[0] {
                return self.fail(
                    format!("fit.training_epochs[{}]", i + 1),
                    format!("epochs must increase (got {} after {})", pair[1], pair[0]),
                );
            }
        }
        if fit.training_epochs.first() == Some(&0) {
            return self.fail("fit.training_epochs[0]", "epochs are ≥ 1 (got 0)");
        }
        Ok(())
    }
}
