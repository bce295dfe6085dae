//! `kind = "trained"`: a score network trained in the cell on its training set (Li et al.'s one-hidden-layer network or a deeper MLP), measured at each checkpoint epoch as a score of its own; with the width (fixed or ∝ N) and checkpoint rules that `random_features` shares.
//!
//! With `time_scaling = { n = n₀, exponent = a }` a checkpoint E is trained for the optimizer
//! steps that E epochs take at N = n₀, times (N/n₀)^a (Li et al.'s early stopping τ ∝ n^{2/5}
//! with a = 0.4), in whole epochs at N: one checkpoint label is one stopping rule across the sweep.

use crate::field::{FieldError, positive, read_table};
use crate::output::{create_dir, write_path_atomically};
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use crate::scores::random_features::TimeScaling;
use anyhow::{Context, Result};
use mangen_scores::Score;
use mangen_train::{Architecture, Clock, Optimizer, ScoreNetwork, Training, TrainingState};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// The widest model a config may ask for.
const MAX_WIDTH: usize = 1_000_000;

/// The largest width per training point.
const MAX_WIDTH_PER_N: f64 = 100.0;

/// The most epochs a config may ask for.
const MAX_EPOCHS: usize = 1_000_000;

/// `[[score]] kind = "trained"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    model: String,
    width: Option<usize>,
    width_per_n: Option<f64>,
    depth: Option<usize>,
    optimizer: String,
    learning_rate: f64,
    batch: usize,
    checkpoints: Option<Vec<usize>>,
    every: Option<usize>,
    epochs: Option<usize>,
    times: Option<[f64; 2]>,
    time_scaling: Option<TimeScaling>,
}

/// A trained score network.
#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    /// The network's shape (its width is set in each cell from `width`).
    pub architecture: Architecture,
    /// The width at each N.
    pub width: Width,
    /// How it is trained; its seed is replaced by the cell's, its checkpoints by
    /// [`Trained::epochs_at`].
    pub training: Training,
    /// The optimizer steps of a checkpoint ∝ N^a across the sweep, when given.
    pub time_scaling: Option<TimeScaling>,
}

impl Trained {
    /// The epochs trained at N = `n` for the checkpoints: the checkpoints themselves, or with a
    /// time scaling, E ⌈n₀/B⌉ (n/n₀)^a optimizer steps in whole epochs of ⌈n/B⌉ steps (B the
    /// batch), rounded to the nearest and at least one. An error when two checkpoints fall on the
    /// same epoch or past the most epochs allowed.
    pub fn epochs_at(&self, n: usize) -> Result<Vec<usize>> {
        let Some(scaling) = self.time_scaling else {
            return Ok(self.training.checkpoints.clone());
        };
        let steps_per_epoch = |size: usize| size.div_ceil(self.training.batch) as f64;
        let factor = steps_per_epoch(scaling.n) * scaling.factor(n) / steps_per_epoch(n);
        let epochs: Vec<usize> = self
            .training
            .checkpoints
            .iter()
            .map(|&e| ((e as f64 * factor).round() as usize).max(1))
            .collect();
        if let Some(i) = epochs.windows(2).position(|w| w[1] <= w[0]) {
            anyhow::bail!(
                "{}: at N = {n} the checkpoints {} and {} both fall on epoch {} ({factor:.3} epochs per checkpoint epoch); space them further apart",
                self.label(),
                self.training.checkpoints[i],
                self.training.checkpoints[i + 1],
                epochs[i + 1]
            );
        }
        if let Some(&last) = epochs.last().filter(|&&e| e > MAX_EPOCHS) {
            anyhow::bail!(
                "{}: at N = {n} the last checkpoint is {last} epochs, more than {MAX_EPOCHS}",
                self.label()
            );
        }
        Ok(epochs)
    }
}

/// A model's width: fixed, or m = ⌈c N⌉ for the training set's size N (Li et al.'s m ∝ n).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Width {
    /// m at every N.
    Fixed(usize),
    /// m = ⌈c N⌉.
    PerN(f64),
}

impl Width {
    /// `width = m` or `width_per_n = c`, exactly one.
    pub fn read(width: Option<usize>, per_n: Option<f64>) -> Result<Self, FieldError> {
        match (width, per_n) {
            (Some(m), None) if !(1..=MAX_WIDTH).contains(&m) => Err(FieldError::new(
                "width",
                format!("must be 1 … {MAX_WIDTH} (got {m})"),
            )),
            (Some(m), None) => Ok(Self::Fixed(m)),
            (None, Some(c)) if !(c > 0.0 && c <= MAX_WIDTH_PER_N) => Err(FieldError::new(
                "width_per_n",
                format!("must be in (0, {MAX_WIDTH_PER_N}] (got {c})"),
            )),
            (None, Some(c)) => Ok(Self::PerN(c)),
            _ => Err(FieldError::new(
                "width",
                "give either width = m or width_per_n = c (m = ⌈c N⌉)",
            )),
        }
    }

    /// m for a training set of n points.
    pub fn at(self, n: usize) -> usize {
        match self {
            Self::Fixed(m) => m,
            Self::PerN(c) => ((c * n as f64).ceil() as usize).max(1),
        }
    }

    /// `m` or `c·N` in a label.
    pub fn label(self) -> String {
        match self {
            Self::Fixed(m) => m.to_string(),
            Self::PerN(c) => format!("{c}N"),
        }
    }
}

/// The checkpoints a table asks for: `checkpoints = [e1, e2, …]`, or `epochs = E` with
/// `every = k` (k, 2k, …, E) or alone (E only).
pub fn checkpoint_epochs(
    checkpoints: &Option<Vec<usize>>,
    every: Option<usize>,
    epochs: Option<usize>,
) -> Result<Vec<usize>, FieldError> {
    let epochs = match (checkpoints, every, epochs) {
        (Some(list), None, None) => list.clone(),
        (None, every, Some(epochs)) => {
            let step = every.unwrap_or(epochs);
            if step == 0 {
                return Err(FieldError::new("every", "must be ≥ 1"));
            }
            let mut list: Vec<usize> = (1..=epochs / step).map(|j| j * step).collect();
            if list.last() != Some(&epochs) {
                list.push(epochs);
            }
            list
        }
        _ => {
            return Err(FieldError::new(
                "checkpoints",
                "give either checkpoints = [epochs…], or epochs (with every, optionally)",
            ));
        }
    };
    if epochs.first().is_none_or(|&e| e == 0) || epochs.windows(2).any(|w| w[1] <= w[0]) {
        return Err(FieldError::new(
            "checkpoints",
            format!("must be epochs ≥ 1, increasing (got {epochs:?})"),
        ));
    }
    if epochs.last().is_some_and(|&e| e > MAX_EPOCHS) {
        return Err(FieldError::new(
            "checkpoints",
            format!("at most {MAX_EPOCHS} epochs"),
        ));
    }
    Ok(epochs)
}

/// `[[score]] kind = "trained"` with `model = "li"` or `"mlp"` (with `depth`), `width` (or
/// `width_per_n`),
/// `optimizer = "sgd" | "adam"`, `learning_rate`, `batch`, the checkpoints, and `times =
/// [t_min, t_max]` (for `li` optional: Li et al.'s τ ∈ [1e-5, 1] when absent).
pub const KIND: ScoreKind = ScoreKind {
    kind: "trained",
    parse: |table, _| {
        let spec: Spec = read_table(table, &["kind"])?;
        let width = Width::read(spec.width, spec.width_per_n)?;
        let architecture = match (spec.model.as_str(), spec.depth) {
            ("li", None) => Architecture::li(1),
            ("li", Some(_)) => {
                return Err(FieldError::new(
                    "depth",
                    "Li et al.'s network has one hidden layer: depth is for model = \"mlp\"",
                ));
            }
            // The data's scale is the training set's, set in each cell.
            ("mlp", Some(depth)) if depth >= 1 => Architecture::mlp(1, depth, 1.0),
            ("mlp", _) => {
                return Err(FieldError::new(
                    "depth",
                    "give the MLP's hidden layers, ≥ 1",
                ));
            }
            (other, _) => {
                return Err(FieldError::new(
                    "model",
                    format!("unknown model `{other}` (known: li, mlp)"),
                ));
            }
        };
        positive("learning_rate", spec.learning_rate)?;
        let optimizer = match spec.optimizer.as_str() {
            "sgd" => Optimizer::Sgd {
                lr: spec.learning_rate,
            },
            "adam" => Optimizer::Adam {
                lr: spec.learning_rate,
            },
            other => {
                return Err(FieldError::new(
                    "optimizer",
                    format!("unknown optimizer `{other}` (known: sgd, adam)"),
                ));
            }
        };
        if spec.batch == 0 {
            return Err(FieldError::new("batch", "must be ≥ 1"));
        }
        let clock = architecture.clock;
        let times = match spec.times {
            Some([low, high]) => {
                positive("times", low)?;
                if !(high.is_finite() && high > low) {
                    return Err(FieldError::new(
                        "times",
                        format!(
                            "must be [t_min, t_max] with t_max > t_min > 0 (got [{low}, {high}])"
                        ),
                    ));
                }
                (low, high)
            }
            None if spec.model == "li" => (clock.time(1e-5), clock.time(1.0)),
            None => {
                return Err(FieldError::new(
                    "times",
                    "give the training times [t_min, t_max] of the MLP",
                ));
            }
        };
        Ok(Arc::new(Trained {
            architecture,
            width,
            training: Training {
                optimizer,
                batch: spec.batch,
                checkpoints: checkpoint_epochs(&spec.checkpoints, spec.every, spec.epochs)?,
                times,
                seed: 0,
            },
            time_scaling: spec
                .time_scaling
                .map(|s| s.check().map(|()| s))
                .transpose()?,
        }))
    },
};

impl ScoreBuilder for Trained {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        let (name, lr) = match self.training.optimizer {
            Optimizer::Sgd { lr } => ("sgd", lr),
            Optimizer::Adam { lr } => ("adam", lr),
        };
        let model = match self.architecture.clock {
            Clock::Song { .. } => "li".to_string(),
            Clock::Log => format!("mlp,depth={}", self.architecture.depth),
        };
        format!(
            "trained({model},m={},{name},lr={lr},batch={}{})",
            self.width.label(),
            self.training.batch,
            TimeScaling::label(self.time_scaling)
        )
    }

    /// Trains the network on the cell's training set from the cell's seed (initial weights, then
    /// batches, times and noises) and gives it at every checkpoint (at the epochs of
    /// [`Trained::epochs_at`], under the checkpoint's own label); when training diverges
    /// (a loss that is not finite), the checkpoints after it have no network. With a states
    /// folder, the state at each checkpoint is kept there, and training goes on from the last
    /// one kept (the networks before it are read back).
    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        let dim = inputs.train.ncols();
        let architecture = Architecture {
            width: self.width.at(inputs.train.nrows()),
            preconditioned: self
                .architecture
                .preconditioned
                .map(|_| data_scale(&inputs.train)),
            ..self.architecture
        };
        let net = ScoreNetwork::new(dim, &architecture, inputs.schedule, inputs.seed)?;
        let training = Training {
            seed: mangen_geometry::rng::splitmix64(inputs.seed),
            checkpoints: self.epochs_at(inputs.train.nrows())?,
            ..self.training.clone()
        };
        // The states an interrupted run kept: the networks up to the last, where training goes on.
        let state_file = |dir: &Path, epoch: usize| dir.join(format!("epoch-{epoch}.safetensors"));
        let mut kept = Vec::new();
        if let Some(dir) = &inputs.states {
            for &epoch in &training.checkpoints {
                let path = state_file(dir, epoch);
                if !path.exists() {
                    break;
                }
                let restart =
                    || format!("delete {} to train this cell from the start", dir.display());
                let state = TrainingState::load(&path).with_context(restart)?;
                if state.epoch != epoch {
                    anyhow::bail!(
                        "{}: holds the state at epoch {}; {}",
                        path.display(),
                        state.epoch,
                        restart()
                    );
                }
                kept.push(state);
            }
        }
        let mut keep = |state: &TrainingState| -> Result<()> {
            let Some(dir) = &inputs.states else {
                return Ok(());
            };
            create_dir(dir)?;
            write_path_atomically(&state_file(dir, state.epoch), |temporary| {
                Ok(state.save(temporary)?)
            })
        };
        let run = net
            .train_from(inputs.train.view(), &training, kept.last(), &mut keep)
            .with_context(|| format!("training {}", self.label()))?;
        let mut reached = kept
            .iter()
            .map(|state| net.with_state(state))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .chain(run.checkpoints.into_iter().map(|(_, net, _)| net));
        let checkpoints = self
            .training
            .checkpoints
            .iter()
            .map(|&epoch| {
                let net = reached.next().map(|net| Box::new(net) as Box<dyn Score>);
                (epoch, net)
            })
            .collect();
        Ok(BuiltScore::of_checkpoints(checkpoints))
    }

    fn fit_for_metrics(
        &self,
        _: &ScoreInputs,
    ) -> Result<Option<Arc<mangen_scores::ProjectionScore>>> {
        Ok(None)
    }
}

/// The root mean per-coordinate variance of a training set (the scale a preconditioned network
/// takes its data to have), 1 for a set without spread.
fn data_scale(train: &ndarray::Array2<f64>) -> f64 {
    let variance = train.var_axis(ndarray::Axis(0), 0.0).mean().unwrap_or(0.0);
    if variance > 0.0 { variance.sqrt() } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Arc<dyn ScoreBuilder>, FieldError> {
        crate::score::parse_table(&KIND, text)
    }

    #[test]
    fn a_table_names_its_checkpoints() {
        let base = "kind = \"trained\"\nmodel = \"li\"\nwidth = 16\noptimizer = \"sgd\"\nlearning_rate = 0.5\nbatch = 32\n";
        let every = parse(&format!("{base}epochs = 250\nevery = 100")).unwrap();
        assert_eq!(every.label(), "trained(li,m=16,sgd,lr=0.5,batch=32)");
        let list = parse(&format!("{base}checkpoints = [1, 5]")).unwrap();
        assert!(format!("{list:?}").contains("checkpoints: [1, 5]"));
        assert!(format!("{every:?}").contains("checkpoints: [100, 200, 250]"));
        for (extra, field) in [
            ("checkpoints = [5, 5]", "checkpoints"),
            ("checkpoints = [0, 5]", "checkpoints"),
            ("epochs = 10\nevery = 0", "every"),
            ("", "checkpoints"),
            ("epochs = 10\nunknown = 1", ""),
        ] {
            let err = parse(&format!("{base}{extra}")).unwrap_err();
            assert!(err.field.starts_with(field), "{extra}: {err:?}");
        }
        let bad_model = parse(&base.replace("\"li\"", "\"resnet\"")).unwrap_err();
        assert_eq!(bad_model.field, "model");
        let bad_optimizer = parse(&base.replace("\"sgd\"", "\"lbfgs\"")).unwrap_err();
        assert_eq!(bad_optimizer.field, "optimizer");
        let mlp = base.replace("\"li\"", "\"mlp\"");
        let deep = parse(&format!("{mlp}depth = 3\ntimes = [1e-4, 10.0]\nepochs = 5")).unwrap();
        assert_eq!(
            deep.label(),
            "trained(mlp,depth=3,m=16,sgd,lr=0.5,batch=32)"
        );
        assert_eq!(
            parse(&format!("{mlp}times = [1e-4, 10.0]\nepochs = 5"))
                .unwrap_err()
                .field,
            "depth"
        );
        assert_eq!(
            parse(&format!("{mlp}depth = 2\nepochs = 5"))
                .unwrap_err()
                .field,
            "times"
        );
        assert_eq!(
            parse(&format!("{base}depth = 2\nepochs = 5"))
                .unwrap_err()
                .field,
            "depth"
        );
    }

    #[test]
    fn a_scaled_checkpoint_trains_the_steps_of_its_epochs_at_n0_times_the_power_of_n() {
        let base = "kind = \"trained\"\nmodel = \"li\"\nwidth = 16\noptimizer = \"sgd\"\nlearning_rate = 0.5\nbatch = 32\n";
        let scaled = |extra: &str| {
            let text = format!("{base}time_scaling = {{ n = 1000, exponent = 0.4 }}\n{extra}");
            crate::score::parse_table(&KIND, &text)
        };
        let label = scaled("checkpoints = [100, 1000]").unwrap().label();
        assert_eq!(label, "trained(li,m=16,sgd,lr=0.5,batch=32,τ∝(N/1000)^0.4)");
        let trained = Trained {
            architecture: Architecture::li(1),
            width: Width::Fixed(16),
            training: Training {
                optimizer: Optimizer::Sgd { lr: 0.5 },
                batch: 32,
                checkpoints: vec![100, 1000],
                times: (1e-5, 1.0),
                seed: 0,
            },
            time_scaling: Some(TimeScaling {
                n: 1000,
                exponent: 0.4,
            }),
        };
        // At n₀ the checkpoints are epochs. At N = 100 (4 steps an epoch against 32 at n₀):
        // 1000 · 32 · 0.1^0.4 / 4 = 3184.9 epochs; at N = 3000 (94 steps): 1000 · 32 · 3^0.4 / 94.
        assert_eq!(trained.epochs_at(1000).unwrap(), vec![100, 1000]);
        assert_eq!(trained.epochs_at(100).unwrap(), vec![318, 3185]);
        let at_3000 = 1000.0 * 32.0 * 3f64.powf(0.4) / 94.0;
        assert_eq!(
            trained.epochs_at(3000).unwrap(),
            vec![(at_3000 / 10.0).round() as usize, at_3000.round() as usize]
        );
        let unscaled = Trained {
            time_scaling: None,
            ..trained.clone()
        };
        assert_eq!(unscaled.epochs_at(100).unwrap(), vec![100, 1000]);
        // Two checkpoints one epoch apart at n₀ fall on the same epoch where epochs are longer.
        let close = Trained {
            training: Training {
                checkpoints: vec![1, 2],
                ..trained.training.clone()
            },
            ..trained
        };
        let message = close.epochs_at(30_000).unwrap_err().to_string();
        assert!(
            message.contains("N = 30000") && message.contains("both fall on epoch 1"),
            "{message}"
        );
        let zero = crate::score::parse_table(
            &KIND,
            &format!("{base}epochs = 5\ntime_scaling = {{ n = 0, exponent = 0.4 }}"),
        )
        .unwrap_err();
        assert_eq!(zero.field, "time_scaling.n");
    }
}
