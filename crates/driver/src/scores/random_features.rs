//! `kind = "random_features"`: Li et al.'s random-feature model, its weights A under the exact gradient flow of the cell's denoising score-matching loss, read at each checkpoint as a score of its own.
//!
//! A checkpoint E stands for E full-batch gradient steps of size η (`learning_rate`): the flow
//! is read at τ = η E, the limit those steps tend to as η shrinks with η E fixed. With
//! `time_scaling = { n = n₀, exponent = a }` it is read at τ = η E (N/n₀)^a instead, so that one
//! checkpoint label follows Li et al.'s early stopping τ ∝ n^{2/5} across the N-sweep.

use crate::field::{FieldError, positive, read_table};
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use crate::scores::trained::{Width, checkpoint_epochs};
use anyhow::{Context, Result};
use mangen_scores::Score;
use mangen_train::{DsmSet, ExactFlow, RandomFeatureScore, RandomFeatures};
use ndarray::Array2;
use serde::Deserialize;
use std::sync::Arc;

/// The most numbers the loss's feature matrix (draws × width) may hold: 4 GB of f64.
const MAX_FEATURE_ENTRIES: usize = 500_000_000;

/// The most draws of the loss's Monte Carlo set per training point.
const MAX_DRAWS_PER_POINT: usize = 10_000;

/// `[[score]] kind = "random_features"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    width: Option<usize>,
    width_per_n: Option<f64>,
    frequencies: Option<usize>,
    frequency_scale: Option<f64>,
    over_sigma: Option<bool>,
    draws_per_point: Option<usize>,
    learning_rate: f64,
    times: [f64; 2],
    checkpoints: Option<Vec<usize>>,
    every: Option<usize>,
    epochs: Option<usize>,
    time_scaling: Option<TimeScaling>,
}

/// τ ∝ N^a: the flow time of a checkpoint at N is its time at N = n₀ times (N/n₀)^a.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeScaling {
    /// n₀, the N at which a checkpoint E is read at τ = η E.
    pub n: usize,
    /// a.
    pub exponent: f64,
}

impl TimeScaling {
    /// n₀ ≥ 1 and a finite exponent.
    pub fn check(self) -> Result<(), FieldError> {
        if self.n == 0 {
            return Err(FieldError::new("time_scaling.n", "must be ≥ 1"));
        }
        if !self.exponent.is_finite() {
            return Err(FieldError::new(
                "time_scaling.exponent",
                format!("must be finite (got {})", self.exponent),
            ));
        }
        Ok(())
    }

    /// (N/n₀)^a.
    pub fn factor(self, n: usize) -> f64 {
        (n as f64 / self.n as f64).powf(self.exponent)
    }

    /// `,τ∝(N/n₀)^a`, the part of a score's label that names the scaling.
    pub fn label(scaling: Option<Self>) -> String {
        scaling
            .map(|s| format!(",τ∝(N/{})^{}", s.n, s.exponent))
            .unwrap_or_default()
    }
}

/// The random-feature model and how its flow is read.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFeatureFlow {
    /// The width m at each N.
    pub width: Width,
    /// F, the frequencies of the time embedding.
    pub frequencies: usize,
    /// The scale of the embedding's frequencies (ω ~ N(0, scale²)).
    pub frequency_scale: f64,
    /// Whether the output is divided by σ_t, as in Li et al.'s network.
    pub over_sigma: bool,
    /// Draws (x_i, t, z) of the loss's Monte Carlo set per training point.
    pub draws_per_point: usize,
    /// η: checkpoint E is read at τ = η E.
    pub learning_rate: f64,
    /// [t_min, t_max], the range of the loss's times (log-uniform).
    pub times: (f64, f64),
    /// The checkpoints, increasing.
    pub checkpoints: Vec<usize>,
    /// τ ∝ N^a across the sweep, when given.
    pub time_scaling: Option<TimeScaling>,
}

impl RandomFeatureFlow {
    /// The flow time τ of checkpoint `epoch` for a training set of n points.
    pub fn flow_time(&self, epoch: usize, n: usize) -> f64 {
        let scale = self.time_scaling.map_or(1.0, |s| s.factor(n));
        self.learning_rate * epoch as f64 * scale
    }
}

/// `[[score]] kind = "random_features"` with `width` (or `width_per_n`), `frequencies` (8 when
/// absent), `frequency_scale` (1 when absent), `over_sigma` (false when absent: s = (1/m) A φ; true: s = (1/(m σ_t)) A φ), `draws_per_point` (10 when absent), `learning_rate` η, `times = [t_min, t_max]`, the
/// checkpoints as for `trained`, and optionally `time_scaling = { n, exponent }`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "random_features",
    parse: |table, _| {
        let spec: Spec = read_table(table, &["kind"])?;
        let width = Width::read(spec.width, spec.width_per_n)?;
        positive("learning_rate", spec.learning_rate)?;
        let [low, high] = spec.times;
        positive("times", low)?;
        if !(high.is_finite() && high > low) {
            return Err(FieldError::new(
                "times",
                format!("must be [t_min, t_max] with t_max > t_min > 0 (got [{low}, {high}])"),
            ));
        }
        let frequencies = spec.frequencies.unwrap_or(8);
        let frequency_scale = spec.frequency_scale.unwrap_or(1.0);
        positive("frequency_scale", frequency_scale)?;
        if frequencies == 0 {
            return Err(FieldError::new("frequencies", "must be ≥ 1"));
        }
        let draws_per_point = spec.draws_per_point.unwrap_or(10);
        if !(1..=MAX_DRAWS_PER_POINT).contains(&draws_per_point) {
            return Err(FieldError::new(
                "draws_per_point",
                format!("must be 1 … {MAX_DRAWS_PER_POINT} (got {draws_per_point})"),
            ));
        }
        if let Some(scaling) = spec.time_scaling {
            scaling.check()?;
        }
        Ok(Arc::new(RandomFeatureFlow {
            width,
            frequencies,
            frequency_scale,
            over_sigma: spec.over_sigma.unwrap_or(false),
            draws_per_point,
            learning_rate: spec.learning_rate,
            times: (low, high),
            checkpoints: checkpoint_epochs(&spec.checkpoints, spec.every, spec.epochs)?,
            time_scaling: spec.time_scaling,
        }))
    },
};

impl ScoreBuilder for RandomFeatureFlow {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        let scaling = TimeScaling::label(self.time_scaling);
        let output = if self.over_sigma { ",over_sigma" } else { "" };
        format!(
            "random_features(m={},F={},ω~N(0,{}²){output},flow,lr={}{scaling})",
            self.width.label(),
            self.frequencies,
            self.frequency_scale,
            self.learning_rate
        )
    }

    /// Draws the features and the loss's Monte Carlo set from the cell's seed, solves the flow
    /// from A(0) = 0 once, and reads it at every checkpoint.
    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        let (n, dim) = inputs.train.dim();
        let width = self.width.at(n);
        let draws = n * self.draws_per_point;
        if draws.saturating_mul(width) > MAX_FEATURE_ENTRIES {
            anyhow::bail!(
                "{}: the loss's feature matrix at N = {n} would hold {draws} draws × {width} features, more than {MAX_FEATURE_ENTRIES} numbers; lower width_per_n or draws_per_point",
                self.label()
            );
        }
        let mut features =
            RandomFeatures::new(dim, width, self.frequencies, inputs.schedule, inputs.seed)?
                .frequency_scale(self.frequency_scale)?;
        if self.over_sigma {
            features = features.over_sigma();
        }
        let features = Arc::new(features);
        let mut rng = mangen_geometry::rng::seeded(mangen_geometry::rng::splitmix64(inputs.seed));
        let set = DsmSet::draw(&features, inputs.train.view(), draws, self.times, &mut rng)?;
        let flow = ExactFlow::new(&set, Array2::zeros((dim, width)))
            .with_context(|| format!("solving the flow of {}", self.label()))?;
        let checkpoints = self
            .checkpoints
            .iter()
            .map(|&epoch| {
                let weights = flow.weights_at(self.flow_time(epoch, n))?;
                let score = RandomFeatureScore::new(features.clone(), weights)?;
                Ok((epoch, Some(Box::new(score) as Box<dyn Score>)))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(BuiltScore::of_checkpoints(checkpoints))
    }

    fn fit_for_metrics(
        &self,
        _: &ScoreInputs,
    ) -> Result<Option<Arc<mangen_scores::ProjectionScore>>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Arc<dyn ScoreBuilder>, FieldError> {
        crate::score::parse_table(&KIND, text)
    }

    const BASE: &str = "kind = \"random_features\"\nlearning_rate = 2.0\ntimes = [0.01, 100.0]\n";

    #[test]
    fn a_table_names_its_width_checkpoints_and_time_scaling() {
        let scaled = parse(&format!(
            "{BASE}width_per_n = 0.1\nepochs = 300\nevery = 100\ntime_scaling = {{ n = 1000, exponent = 0.4 }}"
        ))
        .unwrap();
        assert_eq!(
            scaled.label(),
            "random_features(m=0.1N,F=8,ω~N(0,1²),flow,lr=2,τ∝(N/1000)^0.4)"
        );
        assert!(format!("{scaled:?}").contains("checkpoints: [100, 200, 300]"));
        let fixed = parse(&format!(
            "{BASE}width = 16\ncheckpoints = [1, 5]\nover_sigma = true"
        ))
        .unwrap();
        assert_eq!(
            fixed.label(),
            "random_features(m=16,F=8,ω~N(0,1²),over_sigma,flow,lr=2)"
        );
        for (extra, field) in [
            ("width = 16\nwidth_per_n = 0.1\nepochs = 5", "width"),
            ("epochs = 5", "width"),
            ("width = 0\nepochs = 5", "width"),
            ("width_per_n = -1.0\nepochs = 5", "width_per_n"),
            ("width_per_n = 1000.0\nepochs = 5", "width_per_n"),
            ("width = 2000000\nepochs = 5", "width"),
            ("width = 4\nepochs = 5\nfrequencies = 0", "frequencies"),
            (
                "width = 4\nepochs = 5\nfrequency_scale = 0.0",
                "frequency_scale",
            ),
            (
                "width = 4\nepochs = 5\ndraws_per_point = 0",
                "draws_per_point",
            ),
            (
                "width = 4\nepochs = 5\ntime_scaling = { n = 0, exponent = 0.4 }",
                "time_scaling.n",
            ),
            ("width = 4", "checkpoints"),
        ] {
            let err = parse(&format!("{BASE}{extra}")).unwrap_err();
            assert_eq!(err.field, field, "{extra}: {err:?}");
        }
        let bad_times = parse("kind = \"random_features\"\nlearning_rate = 2.0\ntimes = [1.0, 0.5]\nwidth = 4\nepochs = 5").unwrap_err();
        assert_eq!(bad_times.field, "times");
    }

    #[test]
    fn the_flow_time_follows_the_scaling() {
        let flow = RandomFeatureFlow {
            width: Width::PerN(0.1),
            frequencies: 8,
            frequency_scale: 1.0,
            over_sigma: false,
            draws_per_point: 10,
            learning_rate: 0.5,
            times: (0.01, 1.0),
            checkpoints: vec![100],
            time_scaling: Some(TimeScaling {
                n: 1000,
                exponent: 0.4,
            }),
        };
        assert_eq!(flow.flow_time(100, 1000), 50.0);
        assert!((flow.flow_time(100, 32_000) - 50.0 * 4.0).abs() < 1e-9);
        assert_eq!(flow.width.at(1000), 100);
        assert_eq!(flow.width.at(1), 1);
        let unscaled = RandomFeatureFlow {
            time_scaling: None,
            ..flow
        };
        assert_eq!(unscaled.flow_time(100, 32_000), 50.0);
    }
}
