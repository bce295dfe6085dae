//! The optimizers of the score networks with their state open to checkpoints: SGD, and Adam computed as candle-nn's AdamW computes it (without weight decay), whose moments a resumed training takes up; and that state with the weights, saved to and loaded from a safetensors file.

use crate::random_features::{Result, TrainError};
use candle_core::backprop::GradStore;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Optimizer as _, SGD};
use std::collections::HashMap;
use std::path::Path;

fn linalg(err: candle_core::Error) -> TrainError {
    TrainError::Linalg(err.to_string())
}

/// Adam's decay rates of its moments and the floor of its denominator (candle-nn's defaults).
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPSILON: f64 = 1e-8;

/// Adam's state beside the weights: the first and second moments of each weight, and the
/// number of steps taken (which sets the bias corrections).
#[derive(Debug, Clone)]
pub struct AdamMoments {
    first: Vec<Tensor>,
    second: Vec<Tensor>,
    steps: usize,
}

/// An optimizer stepping a network's weights.
pub(crate) enum Stepper {
    /// Plain gradient descent: no state beyond the weights.
    Sgd(SGD),
    /// Adam over `vars` with learning rate `lr`, its moments held as variables.
    Adam {
        vars: Vec<Var>,
        first: Vec<Var>,
        second: Vec<Var>,
        steps: usize,
        lr: f64,
    },
}

impl Stepper {
    /// SGD over `vars`.
    pub(crate) fn sgd(vars: Vec<Var>, lr: f64) -> Result<Self> {
        Ok(Self::Sgd(SGD::new(vars, lr).map_err(linalg)?))
    }

    /// Adam over `vars`, from zero moments or from `moments` (of a checkpoint of the same
    /// network).
    pub(crate) fn adam(vars: Vec<Var>, lr: f64, moments: Option<&AdamMoments>) -> Result<Self> {
        let (first, second, steps) = match moments {
            Some(m) => {
                check_shapes(&vars, &m.first, "Adam's first moments")?;
                check_shapes(&vars, &m.second, "Adam's second moments")?;
                let as_vars = |ts: &[Tensor]| -> Result<Vec<Var>> {
                    ts.iter()
                        .map(|t| Var::from_tensor(t).map_err(linalg))
                        .collect()
                };
                (as_vars(&m.first)?, as_vars(&m.second)?, m.steps)
            }
            None => {
                let zeros = || -> Result<Vec<Var>> {
                    vars.iter()
                        .map(|v| Var::zeros(v.shape(), v.dtype(), v.device()).map_err(linalg))
                        .collect()
                };
                (zeros()?, zeros()?, 0)
            }
        };
        Ok(Self::Adam {
            vars,
            first,
            second,
            steps,
            lr,
        })
    }

    /// One step down the gradient of `loss`.
    pub(crate) fn backward_step(&mut self, loss: &Tensor) -> candle_core::Result<()> {
        match self {
            Self::Sgd(sgd) => sgd.backward_step(loss),
            Self::Adam { .. } => {
                let grads = loss.backward()?;
                self.adam_step(&grads)
            }
        }
    }

    /// Adam's update, operation for operation as candle-nn's AdamW with no weight decay, so that
    /// both give the same weights to the bit.
    fn adam_step(&mut self, grads: &GradStore) -> candle_core::Result<()> {
        let Self::Adam {
            vars,
            first,
            second,
            steps,
            lr,
        } = self
        else {
            return Ok(());
        };
        *steps += 1;
        let exponent = i32::try_from(*steps).unwrap_or(i32::MAX);
        let scale_m = 1.0 / (1.0 - BETA1.powi(exponent));
        let scale_v = 1.0 / (1.0 - BETA2.powi(exponent));
        for ((theta, m), v) in vars.iter().zip(first.iter()).zip(second.iter()) {
            let Some(g) = grads.get(theta) else {
                continue;
            };
            let next_m = ((m.as_tensor() * BETA1)? + (g * (1.0 - BETA1))?)?;
            let next_v = ((v.as_tensor() * BETA2)? + (g.sqr()? * (1.0 - BETA2))?)?;
            let m_hat = (&next_m * scale_m)?;
            let v_hat = (&next_v * scale_v)?;
            let adjusted = (m_hat / (v_hat.sqrt()? + EPSILON)?)?;
            let next_theta = (theta.as_tensor() - (adjusted * *lr)?)?;
            m.set(&next_m)?;
            v.set(&next_v)?;
            theta.set(&next_theta)?;
        }
        Ok(())
    }

    /// Adam's moments as they stand (copies); `None` for SGD.
    pub(crate) fn moments(&self) -> Result<Option<AdamMoments>> {
        match self {
            Self::Sgd(_) => Ok(None),
            Self::Adam {
                first,
                second,
                steps,
                ..
            } => Ok(Some(AdamMoments {
                first: copies(first)?,
                second: copies(second)?,
                steps: *steps,
            })),
        }
    }
}

/// Copies of the variables' values, which do not move when they do.
pub(crate) fn copies(vars: &[Var]) -> Result<Vec<Tensor>> {
    vars.iter()
        .map(|v| v.as_tensor().copy().map_err(linalg))
        .collect()
}

/// An error unless `tensors` has the shapes of `vars`, one each.
pub(crate) fn check_shapes(vars: &[Var], tensors: &[Tensor], what: &str) -> Result<()> {
    let fits = vars.len() == tensors.len()
        && vars
            .iter()
            .zip(tensors)
            .all(|(v, t)| v.shape() == t.shape() && v.dtype() == t.dtype());
    if fits {
        Ok(())
    } else {
        Err(TrainError::InvalidParameter {
            name: "state",
            rule: format!("{what} do not fit this network's weights (another architecture?)"),
        })
    }
}

/// Where training stands at a checkpoint: everything a later run needs to go on from it and
/// reach the same weights as one that never stopped.
#[derive(Debug, Clone)]
pub struct TrainingState {
    /// The epochs trained.
    pub epoch: usize,
    /// The mean loss of the last epoch.
    pub loss: f64,
    /// The network's weights, in its own order.
    pub(crate) weights: Vec<Tensor>,
    /// Adam's moments; `None` under SGD.
    pub(crate) adam: Option<AdamMoments>,
}

/// Names of the tensors in a state file.
const EPOCH: &str = "epoch";
const LOSS: &str = "loss";
const STEPS: &str = "adam.steps";

impl TrainingState {
    /// Writes the state to a safetensors file at `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        let count = |n: usize| Tensor::new(&[n as i64], &Device::Cpu).map_err(linalg);
        let mut tensors: HashMap<String, Tensor> = HashMap::new();
        tensors.insert(EPOCH.into(), count(self.epoch)?);
        tensors.insert(
            LOSS.into(),
            Tensor::new(&[self.loss], &Device::Cpu).map_err(linalg)?,
        );
        for (i, w) in self.weights.iter().enumerate() {
            tensors.insert(format!("weight.{i}"), w.clone());
        }
        if let Some(adam) = &self.adam {
            tensors.insert(STEPS.into(), count(adam.steps)?);
            for (i, (m, v)) in adam.first.iter().zip(&adam.second).enumerate() {
                tensors.insert(format!("adam.first.{i}"), m.clone());
                tensors.insert(format!("adam.second.{i}"), v.clone());
            }
        }
        candle_core::safetensors::save(&tensors, path).map_err(linalg)
    }

    /// Reads a state written by [`TrainingState::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let shown = path.display();
        let bad = |rule: String| TrainError::InvalidParameter {
            name: "state",
            rule: format!("{shown}: {rule}"),
        };
        let mut tensors = candle_core::safetensors::load(path, &Device::Cpu)
            .map_err(|err| bad(format!("not a training state ({err})")))?;
        let mut scalar = |name: &str, dtype: DType| -> Result<Option<f64>> {
            let Some(t) = tensors.remove(name) else {
                return Ok(None);
            };
            let value = t
                .to_dtype(DType::F64)
                .and_then(|t| t.squeeze(0))
                .and_then(|t| t.to_scalar::<f64>())
                .map_err(|err| bad(format!("`{name}` is not one {dtype:?} ({err})")))?;
            Ok(Some(value))
        };
        let epoch = scalar(EPOCH, DType::I64)?.ok_or_else(|| bad("no `epoch`".into()))?;
        let loss = scalar(LOSS, DType::F64)?.ok_or_else(|| bad("no `loss`".into()))?;
        let steps = scalar(STEPS, DType::I64)?;
        let mut series = |prefix: &str| -> Vec<Tensor> {
            (0..)
                .map_while(|i| tensors.remove(&format!("{prefix}.{i}")))
                .collect()
        };
        let weights = series("weight");
        let adam = steps.map(|steps| AdamMoments {
            first: series("adam.first"),
            second: series("adam.second"),
            steps: steps as usize,
        });
        if weights.is_empty() || !tensors.is_empty() {
            let mut left: Vec<&String> = tensors.keys().collect();
            left.sort();
            return Err(bad(format!(
                "expected weight.0, weight.1, … (and Adam's moments), found {} weights and {left:?} besides",
                weights.len()
            )));
        }
        Ok(Self {
            epoch: epoch as usize,
            loss,
            weights,
            adam,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_nn::{AdamW, ParamsAdamW};

    /// Takes `steps` steps of `step` on the least-squares fit of Y = W X (W 2 × 3, X 3 × 2).
    fn fit(steps: usize, step: &mut dyn FnMut(&Tensor) -> candle_core::Result<()>, w: &Var) {
        let x = Tensor::new(&[[1.0f32, -2.0], [0.5, 3.0], [-1.5, 0.25]], &Device::Cpu).unwrap();
        let y = Tensor::new(&[[0.3f32, 1.0], [2.0, -1.0]], &Device::Cpu).unwrap();
        for _ in 0..steps {
            let loss = (w.as_tensor().matmul(&x).unwrap() - &y)
                .unwrap()
                .sqr()
                .unwrap()
                .sum_all()
                .unwrap();
            step(&loss).unwrap();
        }
    }

    fn start() -> Var {
        Var::new(&[[0.1f32, -0.2, 0.3], [0.05, 0.4, -0.1]], &Device::Cpu).unwrap()
    }

    fn values(w: &Var) -> Vec<f32> {
        w.as_tensor().flatten_all().unwrap().to_vec1().unwrap()
    }

    /// Adam over `w` from `moments` (zero when `None`), after `steps` steps of the fit.
    fn adam_fit(steps: usize, moments: Option<&AdamMoments>, w: &Var) -> Stepper {
        let mut stepper = Stepper::adam(vec![w.clone()], 0.01, moments).unwrap();
        fit(steps, &mut |loss| stepper.backward_step(loss), w);
        stepper
    }

    #[test]
    fn adam_steps_as_candles_adamw_without_weight_decay_to_the_bit() {
        let ours = start();
        adam_fit(50, None, &ours);
        let theirs = start();
        let params = ParamsAdamW {
            lr: 0.01,
            weight_decay: 0.0,
            ..ParamsAdamW::default()
        };
        let mut adam = AdamW::new(vec![theirs.clone()], params).unwrap();
        fit(50, &mut |loss| adam.backward_step(loss), &theirs);
        assert_eq!(values(&ours), values(&theirs));
        assert_ne!(values(&ours), values(&start()), "the weights moved");
    }

    #[test]
    fn adam_taken_up_from_its_moments_goes_on_as_if_it_never_stopped() {
        let straight = start();
        adam_fit(30, None, &straight);
        let halted = start();
        let moments = adam_fit(12, None, &halted)
            .moments()
            .unwrap()
            .expect("Adam has moments");
        assert_eq!(moments.steps, 12);
        adam_fit(18, Some(&moments), &halted);
        assert_eq!(values(&straight), values(&halted));
        // From zero moments instead, the same weights go elsewhere.
        let restarted = start();
        adam_fit(12, None, &restarted);
        adam_fit(18, None, &restarted);
        assert_ne!(values(&straight), values(&restarted));
    }
}
