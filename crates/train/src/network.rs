//! Li et al.'s one-hidden-layer score network, trained with candle's automatic differentiation: a Gaussian-Fourier embedding of ln t, Swish, the output divided by σ_t; SGD or Adam on minibatches of the denoising score-matching loss, with checkpoints.
//!
//! s(x, t) = (V swish(W x + b + U e(t)) + c) / σ_t, e(t) = (sin 2π ω ln t, cos 2π ω ln t) with ω
//! frozen. The loss of a minibatch of training points x0 with t log-uniform on [t_min, t_max]
//! and z standard normal is mean |σ_t s(a_t x0 + σ_t z, t) + z|². Everything random (the
//! initial weights, ω, the batches, t and z) comes from the seed through mangen's streams, so the
//! same seed and thread count give the same checkpoints. A loss that is not finite stops the
//! training with [`TrainError::Diverged`].

use crate::random_features::{Result, TrainError, check_sizes};
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer as _, ParamsAdamW, SGD};
use mangen_geometry::rng::seeded;
use mangen_scores::{Schedule, Score, ScoreModel, check_query};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};

fn linalg(err: candle_core::Error) -> TrainError {
    TrainError::Linalg(err.to_string())
}

/// The optimizer and its learning rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimizer {
    /// Plain stochastic gradient descent.
    Sgd {
        /// The learning rate.
        lr: f64,
    },
    /// Adam (β = 0.9, 0.999; ε = 1e-8; no weight decay).
    Adam {
        /// The learning rate.
        lr: f64,
    },
}

/// How a network is trained.
#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    /// The optimizer.
    pub optimizer: Optimizer,
    /// Minibatch size.
    pub batch: usize,
    /// The epochs (passes over the training set, in a fresh random order each) after which the
    /// weights are kept, increasing; training stops at the last.
    pub checkpoints: Vec<usize>,
    /// The range of the log-uniform training times.
    pub times: (f64, f64),
    /// The seed of the batches, times and noises.
    pub seed: u64,
}

/// The network's weights.
#[derive(Debug, Clone)]
pub struct OneHiddenLayer {
    input: Var,
    bias: Var,
    time: Var,
    output: Var,
    output_bias: Var,
    frequencies: Tensor,
    schedule: Schedule,
}

/// A tensor of `rows × cols` values from `fill`.
fn tensor(rows: usize, cols: usize, fill: impl FnMut() -> f64) -> Result<Tensor> {
    let values: Vec<f64> = std::iter::repeat_with(fill).take(rows * cols).collect();
    Tensor::from_vec(values, (rows, cols), &Device::Cpu).map_err(linalg)
}

impl OneHiddenLayer {
    /// A width-m network on R^D with F embedding frequencies, initialized from `seed` as
    /// PyTorch's Linear layers are (uniform on ±1/√fan-in), ω ~ N(0, 1).
    pub fn new(
        dim: usize,
        width: usize,
        frequencies: usize,
        schedule: Schedule,
        seed: u64,
    ) -> Result<Self> {
        check_sizes(dim, width, frequencies)?;
        let mut rng = seeded(seed);
        let mut uniform = |rows: usize, cols: usize, fan_in: usize| {
            let bound = 1.0 / (fan_in as f64).sqrt();
            tensor(rows, cols, || rng.random_range(-bound..bound))
        };
        let input = uniform(width, dim, dim + 2 * frequencies)?;
        let bias = uniform(1, width, dim + 2 * frequencies)?;
        let time = uniform(width, 2 * frequencies, dim + 2 * frequencies)?;
        let output = uniform(dim, width, width)?;
        let output_bias = uniform(1, dim, width)?;
        let mut normal = seeded(seed ^ 0x9e37_79b9_7f4a_7c15);
        let frequencies = tensor(1, frequencies, || StandardNormal.sample(&mut normal))?;
        let var = |t: Tensor| Var::from_tensor(&t).map_err(linalg);
        Ok(Self {
            input: var(input)?,
            bias: var(bias)?,
            time: var(time)?,
            output: var(output)?,
            output_bias: var(output_bias)?,
            frequencies,
            schedule,
        })
    }

    fn vars(&self) -> Vec<Var> {
        vec![
            self.input.clone(),
            self.bias.clone(),
            self.time.clone(),
            self.output.clone(),
            self.output_bias.clone(),
        ]
    }

    /// A copy whose weights do not move when this one trains on.
    fn snapshot(&self) -> Result<Self> {
        let copy =
            |v: &Var| Var::from_tensor(&v.as_tensor().copy().map_err(linalg)?).map_err(linalg);
        Ok(Self {
            input: copy(&self.input)?,
            bias: copy(&self.bias)?,
            time: copy(&self.time)?,
            output: copy(&self.output)?,
            output_bias: copy(&self.output_bias)?,
            frequencies: self.frequencies.clone(),
            schedule: self.schedule,
        })
    }

    /// σ_t s(x, t) for a batch: x (B × D), ln t and σ_t (B × 1 each).
    fn scaled_score(&self, x: &Tensor, log_t: &Tensor) -> candle_core::Result<Tensor> {
        let phases = log_t
            .matmul(&self.frequencies)?
            .affine(std::f64::consts::TAU, 0.0)?;
        let embedding = Tensor::cat(&[phases.sin()?, phases.cos()?], 1)?;
        let hidden = x
            .matmul(&self.input.as_tensor().t()?)?
            .broadcast_add(self.bias.as_tensor())?
            .add(&embedding.matmul(&self.time.as_tensor().t()?)?)?
            .silu()?;
        hidden
            .matmul(&self.output.as_tensor().t()?)?
            .broadcast_add(self.output_bias.as_tensor())
    }

    /// The DSM loss of a minibatch, mean |σ_t s(x_t, t) + z|², from its noised points, noises
    /// and log-times (row-major, `dim` columns).
    fn batch_loss(
        &self,
        x: Vec<f64>,
        z: Vec<f64>,
        log_t: Vec<f64>,
        dim: usize,
    ) -> candle_core::Result<Tensor> {
        let rows = log_t.len();
        let x = Tensor::from_vec(x, (rows, dim), &Device::Cpu)?;
        let z = Tensor::from_vec(z, (rows, dim), &Device::Cpu)?;
        let log_t = Tensor::from_vec(log_t, (rows, 1), &Device::Cpu)?;
        let residual = self.scaled_score(&x, &log_t)?.add(&z)?;
        residual.sqr()?.sum(1)?.mean_all()
    }

    /// s(x_j, t) for each row of `xs`.
    pub fn score_rows(&self, xs: ArrayView2<f64>, t: f64) -> Result<Array2<f64>> {
        let (_, sigma2) = self.schedule.coefficients(t)?;
        let (rows, dim) = xs.dim();
        let x = Tensor::from_iter(xs.iter().copied(), &Device::Cpu)
            .and_then(|x| x.reshape((rows, dim)))
            .map_err(linalg)?;
        let log_t = Tensor::full(t.ln(), (rows, 1), &Device::Cpu).map_err(linalg)?;
        let scaled = self.scaled_score(&x, &log_t).map_err(linalg)?;
        let values: Vec<f64> = scaled
            .flatten_all()
            .and_then(|v| v.to_vec1())
            .map_err(linalg)?;
        let sigma = sigma2.sqrt();
        Ok(Array2::from_shape_vec((rows, dim), values)
            .expect("rows × D values")
            .mapv(|v| v / sigma))
    }

    /// Trains a copy of the network on `train` (one row per point), leaving this one as it is,
    /// and returns the copy at each checkpoint, with the mean loss of its last epoch.
    pub fn train(
        &self,
        train: ArrayView2<f64>,
        training: &Training,
    ) -> Result<Vec<(usize, Self, f64)>> {
        let (n, dim) = train.dim();
        if n == 0 || dim != self.input.as_tensor().dim(1).map_err(linalg)? {
            return Err(TrainError::InvalidParameter {
                name: "train",
                rule: format!(
                    "{n} points of dimension {dim} for a network on R^{}",
                    self.input.as_tensor().dim(1).map_err(linalg)?
                ),
            });
        }
        if training.batch == 0 || training.checkpoints.is_empty() {
            return Err(TrainError::InvalidParameter {
                name: "training",
                rule: "needs a batch ≥ 1 and at least one checkpoint".into(),
            });
        }
        if training.checkpoints.windows(2).any(|w| w[1] <= w[0]) {
            return Err(TrainError::InvalidParameter {
                name: "checkpoints",
                rule: "must increase strictly".into(),
            });
        }
        let (t_min, t_max) = training.times;
        self.schedule.coefficients(t_min)?;
        let net = self.snapshot()?;
        let mut sgd;
        let mut adam;
        let optimizer: &mut dyn FnMut(&Tensor) -> candle_core::Result<()> = match training.optimizer
        {
            Optimizer::Sgd { lr } => {
                sgd = SGD::new(net.vars(), lr).map_err(linalg)?;
                &mut move |loss| sgd.backward_step(loss)
            }
            Optimizer::Adam { lr } => {
                let params = ParamsAdamW {
                    lr,
                    weight_decay: 0.0,
                    ..ParamsAdamW::default()
                };
                adam = AdamW::new(net.vars(), params).map_err(linalg)?;
                &mut move |loss| adam.backward_step(loss)
            }
        };
        let mut rng = seeded(training.seed);
        let mut order: Vec<usize> = (0..n).collect();
        let mut kept = Vec::new();
        let last = *training.checkpoints.last().expect("one checkpoint");
        for epoch in 1..=last {
            order.shuffle(&mut rng);
            let (mut total, mut batches) = (0.0, 0);
            for chunk in order.chunks(training.batch) {
                let b = chunk.len();
                let mut x = Vec::with_capacity(b * dim);
                let mut z = Vec::with_capacity(b * dim);
                let mut log_t = Vec::with_capacity(b);
                for &i in chunk {
                    let u: f64 = rng.random();
                    let t = (t_min.ln() + u * (t_max.ln() - t_min.ln())).exp();
                    let (a, sigma2) = net.schedule.coefficients(t)?;
                    for j in 0..dim {
                        let noise: f64 = StandardNormal.sample(&mut rng);
                        x.push(a * train[[i, j]] + sigma2.sqrt() * noise);
                        z.push(noise);
                    }
                    log_t.push(t.ln());
                }
                let loss = net.batch_loss(x, z, log_t, dim).map_err(linalg)?;
                let value = loss
                    .to_dtype(DType::F64)
                    .and_then(|l| l.to_scalar::<f64>())
                    .map_err(linalg)?;
                if !value.is_finite() {
                    return Err(TrainError::Diverged { epoch, loss: value });
                }
                optimizer(&loss).map_err(linalg)?;
                total += value;
                batches += 1;
            }
            if training.checkpoints.contains(&epoch) {
                kept.push((epoch, net.snapshot()?, total / batches as f64));
            }
        }
        Ok(kept)
    }
}

impl ScoreModel for OneHiddenLayer {
    fn name(&self) -> String {
        format!(
            "one-hidden-layer(m={})",
            self.input.as_tensor().dim(0).unwrap_or(0)
        )
    }

    fn dim(&self) -> usize {
        self.input.as_tensor().dim(1).unwrap_or(0)
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Score for OneHiddenLayer {
    fn score(&self, x: ArrayView1<f64>, t: f64) -> mangen_scores::Result<Array1<f64>> {
        self.score_batch(x.insert_axis(ndarray::Axis(0)), t)
            .map(|rows| rows.row(0).to_owned())
    }

    fn score_batch(&self, xs: ArrayView2<f64>, t: f64) -> mangen_scores::Result<Array2<f64>> {
        for x in xs.outer_iter() {
            check_query(x, self.dim(), t)?;
        }
        self.score_rows(xs, t).map_err(|err| match err {
            TrainError::Score(err) => err,
            other => mangen_scores::ScoreError::Linalg(other.to_string()),
        })
    }
}
