//! Score networks trained with candle's automatic differentiation: Li et al.'s one-hidden-layer network and deeper MLPs, with a Gaussian-Fourier embedding of the time, Swish, the output divided by σ_t; SGD or Adam on minibatches of the denoising score-matching loss, with checkpoints.
//!
//! With one hidden layer, s(x, t) = (V h + c) / (σ_t · w), h = swish(W x + b + U e(t) [+ b_U]),
//! e(t) = (sin 2π ω c(t), cos 2π ω c(t)) with ω ~ N(0, scale²) frozen, c(t) the network's
//! [`Clock`] and w the width when the output is averaged over the hidden units
//! ([`Architecture::mean_field`], the 1/m of their random-feature model), else 1; a deeper
//! network applies h ← swish(W_l h + b_l) for each further hidden layer before the output. Li et al.'s notebook is [`Architecture::li`]: two
//! frequencies at scale 30 of Song et al.'s clock with σ = 25, the two biases of PyTorch's two
//! Linear layers, each layer initialized as PyTorch does. The loss of a minibatch of training
//! points x0 with c(t) uniform on [c(t_min), c(t_max)] and z standard normal is
//! mean |σ_t s(a_t x0 + σ_t z, t) + z|². Everything random (the initial weights, ω, and each
//! epoch's order, times and noises, from a stream of that epoch) comes from the seeds through
//! mangen's streams, so the same seeds and thread count give the same checkpoints. A loss that
//! is not finite stops the training with [`TrainError::Diverged`]. The network computes in f32
//! (as their PyTorch does); what goes in and comes out is f64.

use crate::optimizer::{Stepper, TrainingState, check_shapes, copies};
use crate::random_features::{Result, TrainError, check_sizes};
use candle_core::{DType, Device, Tensor, Var};
use mangen_geometry::rng::{seeded, splitmix64};
use mangen_scores::{Schedule, Score, ScoreModel, check_query};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};

fn linalg(err: candle_core::Error) -> TrainError {
    TrainError::Linalg(err.to_string())
}

/// A state saved under one optimizer, taken up by training under another.
fn another_optimizer(saved: &str, training: &str) -> TrainError {
    TrainError::InvalidParameter {
        name: "state",
        rule: format!("saved under {saved}, taken up by training under {training}"),
    }
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

/// The time coordinate c(t) a network embeds, and along which training draws its times
/// uniformly. t is mangen's time (VE: σ_t² = t).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clock {
    /// c = ln t: log-uniform training times.
    Log,
    /// Song et al.'s VE clock with parameter σ > 1, in which σ_τ² = (σ^{2τ} − 1)/(2 ln σ): c = τ =
    /// ln(1 + 2 ln σ · t)/(2 ln σ), so mangen's VE time t is their σ_τ². Li et al. train with τ
    /// uniform on [1e-5, 1] at σ = 25, which is t ∈ [1.0e-5, 96.9].
    Song {
        /// σ.
        sigma: f64,
    },
}

impl Clock {
    /// c(t).
    pub fn position(self, t: f64) -> f64 {
        match self {
            Clock::Log => t.ln(),
            Clock::Song { sigma } => {
                let rate = 2.0 * sigma.ln();
                (rate * t).ln_1p() / rate
            }
        }
    }

    /// The t with c(t) = position.
    pub fn time(self, position: f64) -> f64 {
        match self {
            Clock::Log => position.exp(),
            Clock::Song { sigma } => {
                let rate = 2.0 * sigma.ln();
                (rate * position).exp_m1() / rate
            }
        }
    }

    fn check(self) -> Result<()> {
        match self {
            Clock::Song { sigma } if !(sigma.is_finite() && sigma > 1.0) => {
                Err(TrainError::InvalidParameter {
                    name: "clock",
                    rule: format!("Song et al.'s σ must be finite and > 1 (got {sigma})"),
                })
            }
            _ => Ok(()),
        }
    }
}

/// The shape of a one-hidden-layer network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Architecture {
    /// Hidden units m of every hidden layer.
    pub width: usize,
    /// Hidden layers, ≥ 1.
    pub depth: usize,
    /// Frequencies F of the time embedding (2F features).
    pub frequencies: usize,
    /// The standard deviation of the frozen frequencies ω.
    pub frequency_scale: f64,
    /// The time coordinate the embedding reads.
    pub clock: Clock,
    /// Whether the output is divided by the width (the 1/m of a mean-field network).
    pub mean_field: bool,
    /// Whether the time embedding enters through a layer of its own, with its own bias and
    /// initialized by its own fan-in (PyTorch's two Linear layers, as Li et al. build it), or
    /// with x through one layer over [x, e(t)] (fan-in D + 2F, one bias).
    pub separate_time_layer: bool,
    /// With `Some(σ_data)`, the network F is wrapped as a denoiser the way Karras et al. (2022,
    /// "Elucidating the design space of diffusion-based generative models", §5) precondition
    /// it: D(x, t) = c_skip x + c_out F(c_in x, e(t)), with c_in = 1/√(a²σ_d² + σ²),
    /// c_skip = a σ_d² c_in², c_out = σ σ_d c_in, and s = (a D − x)/σ². Near t = 0 the score
    /// then comes from D ≈ x instead of from an output that must grow like 1/σ. With `None` the
    /// network's output is σ_t s itself, as in Li et al.
    pub preconditioned: Option<f64>,
}

impl Architecture {
    /// Li et al.'s network of width m: 2 frequencies at scale 30 of Song et al.'s clock with
    /// σ = 25, output divided by m (their notebook divides by 16 at its width 16).
    pub fn li(width: usize) -> Self {
        Self {
            width,
            depth: 1,
            frequencies: 2,
            frequency_scale: 30.0,
            clock: Clock::Song { sigma: 25.0 },
            mean_field: true,
            separate_time_layer: true,
            preconditioned: None,
        }
    }

    /// A network of width m with F unit-scale frequencies of ln t, one layer over [x, e(t)] and
    /// an unscaled output.
    pub fn log_time(width: usize, frequencies: usize) -> Self {
        Self {
            width,
            depth: 1,
            frequencies,
            frequency_scale: 1.0,
            clock: Clock::Log,
            mean_field: false,
            separate_time_layer: false,
            preconditioned: None,
        }
    }

    /// An MLP for data in R^D: `depth` hidden layers of width m, 8 unit-scale frequencies of ln t
    /// entering the first layer with x, preconditioned as a denoiser for data whose coordinates
    /// have standard deviation `data_scale`.
    pub fn mlp(width: usize, depth: usize, data_scale: f64) -> Self {
        Self {
            depth,
            preconditioned: Some(data_scale),
            ..Self::log_time(width, 8)
        }
    }
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
    /// The range [t_min, t_max] of the training times, drawn uniformly along the network's clock.
    pub times: (f64, f64),
    /// The seed of the batches, times and noises.
    pub seed: u64,
}

/// What a training run reached: the network at each checkpoint before any divergence (epoch,
/// network, mean loss of that epoch), and the divergence that ended it early, if one did.
#[derive(Debug)]
pub struct TrainingRun {
    /// The checkpoints reached, in epoch order.
    pub checkpoints: Vec<(usize, ScoreNetwork, f64)>,
    /// [`TrainError::Diverged`] when a loss was not finite.
    pub diverged: Option<TrainError>,
}

/// The network's weights.
#[derive(Debug, Clone)]
pub struct ScoreNetwork {
    input: Var,
    bias: Var,
    time: Var,
    time_bias: Option<Var>,
    deeper: Vec<(Var, Var)>,
    output: Var,
    output_bias: Var,
    frequencies: Tensor,
    architecture: Architecture,
    schedule: Schedule,
}

/// A tensor of `rows × cols` values from `fill`.
fn tensor(rows: usize, cols: usize, fill: impl FnMut() -> f64) -> Result<Tensor> {
    network_tensor(std::iter::repeat_with(fill).take(rows * cols), rows, cols).map_err(linalg)
}

/// `values` (row-major, `rows × cols`) as a tensor of the networks' precision, single: the
/// parameters, activations and gradients are f32 (as in Li et al.'s PyTorch), the data, times
/// and every result outside the network f64.
fn network_tensor(
    values: impl IntoIterator<Item = f64>,
    rows: usize,
    cols: usize,
) -> candle_core::Result<Tensor> {
    let single: Vec<f32> = values.into_iter().map(|v| v as f32).collect();
    Tensor::from_vec(single, (rows, cols), &Device::Cpu)
}

impl ScoreNetwork {
    /// A network on R^D of the given shape, initialized from `seed` as PyTorch's Linear layers
    /// are (weights and biases uniform on ±1/√fan-in: D for the input layer and 2F for a
    /// separate time layer, else D + 2F for both; m for the output layer), ω ~ N(0, scale²).
    pub fn new(
        dim: usize,
        architecture: &Architecture,
        schedule: Schedule,
        seed: u64,
    ) -> Result<Self> {
        let (width, frequencies) = (architecture.width, architecture.frequencies);
        check_sizes(dim, width, frequencies)?;
        architecture.clock.check()?;
        if let Some(scale) = architecture.preconditioned
            && !(scale.is_finite() && scale > 0.0)
        {
            return Err(TrainError::InvalidParameter {
                name: "data_scale",
                rule: format!("the data's scale must be finite and > 0 (got {scale})"),
            });
        }
        if architecture.depth == 0 {
            return Err(TrainError::InvalidParameter {
                name: "depth",
                rule: "a network needs at least one hidden layer (got 0)".into(),
            });
        }
        if !(architecture.frequency_scale.is_finite() && architecture.frequency_scale > 0.0) {
            return Err(TrainError::InvalidParameter {
                name: "frequency_scale",
                rule: format!(
                    "must be finite and > 0 (got {})",
                    architecture.frequency_scale
                ),
            });
        }
        let mut rng = seeded(seed);
        let mut uniform = |rows: usize, cols: usize, fan_in: usize| {
            let bound = 1.0 / (fan_in as f64).sqrt();
            tensor(rows, cols, || rng.random_range(-bound..bound))
        };
        let (input_fan_in, time_fan_in) = if architecture.separate_time_layer {
            (dim, 2 * frequencies)
        } else {
            (dim + 2 * frequencies, dim + 2 * frequencies)
        };
        let input = uniform(width, dim, input_fan_in)?;
        let bias = uniform(1, width, input_fan_in)?;
        let time = uniform(width, 2 * frequencies, time_fan_in)?;
        let time_bias = if architecture.separate_time_layer {
            Some(uniform(1, width, time_fan_in)?)
        } else {
            None
        };
        let deeper = (1..architecture.depth)
            .map(|_| Ok((uniform(width, width, width)?, uniform(1, width, width)?)))
            .collect::<Result<Vec<_>>>()?;
        let output = uniform(dim, width, width)?;
        let output_bias = uniform(1, dim, width)?;
        let mut normal = seeded(seed ^ 0x9e37_79b9_7f4a_7c15);
        let scale = architecture.frequency_scale;
        let frequencies = tensor(1, frequencies, || {
            let z: f64 = StandardNormal.sample(&mut normal);
            scale * z
        })?;
        let var = |t: Tensor| Var::from_tensor(&t).map_err(linalg);
        Ok(Self {
            input: var(input)?,
            bias: var(bias)?,
            time: var(time)?,
            time_bias: time_bias.map(var).transpose()?,
            deeper: deeper
                .into_iter()
                .map(|(w, b)| Ok((var(w)?, var(b)?)))
                .collect::<Result<Vec<_>>>()?,
            output: var(output)?,
            output_bias: var(output_bias)?,
            frequencies,
            architecture: *architecture,
            schedule,
        })
    }

    /// The network's shape.
    pub fn architecture(&self) -> &Architecture {
        &self.architecture
    }

    fn vars(&self) -> Vec<Var> {
        let mut vars = vec![
            self.input.clone(),
            self.bias.clone(),
            self.time.clone(),
            self.output.clone(),
            self.output_bias.clone(),
        ];
        vars.extend(self.time_bias.clone());
        for (w, b) in &self.deeper {
            vars.extend([w.clone(), b.clone()]);
        }
        vars
    }

    /// The training set and settings checked against the network.
    fn check_training(&self, train: ArrayView2<f64>, training: &Training) -> Result<()> {
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
        if !(t_max.is_finite() && t_max >= t_min) {
            return Err(TrainError::InvalidParameter {
                name: "times",
                rule: format!("needs t_max ≥ t_min > 0, finite (got [{t_min}, {t_max}])"),
            });
        }
        Ok(())
    }

    /// A copy of the network with the weights of a training state (one this network's training
    /// gave: the same architecture).
    pub fn with_state(&self, state: &TrainingState) -> Result<Self> {
        let net = self.snapshot()?;
        let vars = net.vars();
        check_shapes(&vars, &state.weights, "the state's weights")?;
        for (var, weights) in vars.iter().zip(&state.weights) {
            var.set(weights).map_err(linalg)?;
        }
        Ok(net)
    }

    /// A copy whose weights do not move when this one trains on.
    fn snapshot(&self) -> Result<Self> {
        let copy =
            |v: &Var| Var::from_tensor(&v.as_tensor().copy().map_err(linalg)?).map_err(linalg);
        Ok(Self {
            input: copy(&self.input)?,
            bias: copy(&self.bias)?,
            time: copy(&self.time)?,
            time_bias: self.time_bias.as_ref().map(copy).transpose()?,
            deeper: self
                .deeper
                .iter()
                .map(|(w, b)| Ok((copy(w)?, copy(b)?)))
                .collect::<Result<Vec<_>>>()?,
            output: copy(&self.output)?,
            output_bias: copy(&self.output_bias)?,
            frequencies: self.frequencies.clone(),
            architecture: self.architecture,
            schedule: self.schedule,
        })
    }

    /// σ_t s(x, t) for a batch: x (B × D), the clock positions c(t) (B × 1) and each row's
    /// (a_t, σ_t).
    fn scaled_score(
        &self,
        x: &Tensor,
        clock: &Tensor,
        scales: &[(f64, f64)],
    ) -> candle_core::Result<Tensor> {
        let Some(data_scale) = self.architecture.preconditioned else {
            return self.network(x, clock);
        };
        let column = |f: &dyn Fn(f64, f64) -> f64| {
            let values = scales.iter().map(|&(a, sigma)| f(a, sigma));
            network_tensor(values, scales.len(), 1)
        };
        let d2 = data_scale * data_scale;
        let c_in = |a: f64, sigma: f64| 1.0 / (a * a * d2 + sigma * sigma).sqrt();
        let input = column(&c_in)?;
        // σ s = (a D − x)/σ = (a c_skip − 1)/σ · x + a c_out/σ · F.
        let skip = column(&|a, sigma| (a * a * d2 * c_in(a, sigma).powi(2) - 1.0) / sigma)?;
        let out = column(&|a, sigma| a * data_scale * c_in(a, sigma))?;
        let inner = self.network(&x.broadcast_mul(&input)?, clock)?;
        x.broadcast_mul(&skip)?.add(&inner.broadcast_mul(&out)?)
    }

    /// The network's own output for a batch: x (B × D) and clock positions (B × 1).
    fn network(&self, x: &Tensor, clock: &Tensor) -> candle_core::Result<Tensor> {
        let phases = clock
            .matmul(&self.frequencies)?
            .affine(std::f64::consts::TAU, 0.0)?;
        let embedding = Tensor::cat(&[phases.sin()?, phases.cos()?], 1)?;
        let mut time = embedding.matmul(&self.time.as_tensor().t()?)?;
        if let Some(time_bias) = &self.time_bias {
            time = time.broadcast_add(time_bias.as_tensor())?;
        }
        let mut hidden = x
            .matmul(&self.input.as_tensor().t()?)?
            .broadcast_add(self.bias.as_tensor())?
            .add(&time)?
            .silu()?;
        for (w, b) in &self.deeper {
            hidden = hidden
                .matmul(&w.as_tensor().t()?)?
                .broadcast_add(b.as_tensor())?
                .silu()?;
        }
        let out = hidden
            .matmul(&self.output.as_tensor().t()?)?
            .broadcast_add(self.output_bias.as_tensor())?;
        if self.architecture.mean_field {
            out.affine(1.0 / self.architecture.width as f64, 0.0)
        } else {
            Ok(out)
        }
    }

    /// The DSM loss of a minibatch, mean |σ_t s(x_t, t) + z|², from its noised points, noises
    /// (row-major, `dim` columns), clock positions and (a_t, σ_t) per row.
    fn batch_loss(
        &self,
        x: Vec<f64>,
        z: Vec<f64>,
        clock: Vec<f64>,
        scales: &[(f64, f64)],
        dim: usize,
    ) -> candle_core::Result<Tensor> {
        let rows = clock.len();
        let x = network_tensor(x, rows, dim)?;
        let z = network_tensor(z, rows, dim)?;
        let clock = network_tensor(clock, rows, 1)?;
        let residual = self.scaled_score(&x, &clock, scales)?.add(&z)?;
        residual.sqr()?.sum(1)?.mean_all()
    }

    /// s(x_j, t) for each row of `xs`.
    pub fn score_rows(&self, xs: ArrayView2<f64>, t: f64) -> Result<Array2<f64>> {
        let (a, sigma2) = self.schedule.coefficients(t)?;
        let (rows, dim) = xs.dim();
        let x = network_tensor(xs.iter().copied(), rows, dim).map_err(linalg)?;
        let position = self.architecture.clock.position(t);
        let clock = network_tensor(std::iter::repeat_n(position, rows), rows, 1).map_err(linalg)?;
        let scales = vec![(a, sigma2.sqrt()); rows];
        let scaled = self.scaled_score(&x, &clock, &scales).map_err(linalg)?;
        let values: Vec<f64> = scaled
            .flatten_all()
            .and_then(|v| v.to_dtype(DType::F64))
            .and_then(|v| v.to_vec1())
            .map_err(linalg)?;
        let sigma = sigma2.sqrt();
        Ok(Array2::from_shape_vec((rows, dim), values)
            .expect("rows × D values")
            .mapv(|v| v / sigma))
    }

    /// Trains a copy of the network on `train` (one row per point), leaving this one as it is,
    /// and returns the copy at each checkpoint, with the mean loss of its last epoch. A loss that
    /// is not finite is an error ([`TrainError::Diverged`]); [`ScoreNetwork::train_run`] keeps
    /// the checkpoints reached before it.
    pub fn train(
        &self,
        train: ArrayView2<f64>,
        training: &Training,
    ) -> Result<Vec<(usize, Self, f64)>> {
        let run = self.train_run(train, training)?;
        match run.diverged {
            Some(diverged) => Err(diverged),
            None => Ok(run.checkpoints),
        }
    }

    /// As [`ScoreNetwork::train`], but a loss that is not finite ends the run with the
    /// checkpoints reached before it and the divergence beside them.
    pub fn train_run(&self, train: ArrayView2<f64>, training: &Training) -> Result<TrainingRun> {
        self.train_from(train, training, None, &mut |_| Ok::<(), TrainError>(()))
    }

    /// As [`ScoreNetwork::train_run`], going on from `resume` when given: the state at one of
    /// `training`'s checkpoints that an earlier run of the same network, data and training gave
    /// to `on_checkpoint`. Only the epochs after it are trained, to the same weights as a run
    /// that never stopped (each epoch draws from a stream of its own); the run's checkpoints are
    /// those after it. `on_checkpoint` receives the state at each checkpoint reached, to keep;
    /// an error it returns ends the run.
    pub fn train_from<E: From<TrainError>>(
        &self,
        train: ArrayView2<f64>,
        training: &Training,
        resume: Option<&TrainingState>,
        on_checkpoint: &mut dyn FnMut(&TrainingState) -> std::result::Result<(), E>,
    ) -> std::result::Result<TrainingRun, E> {
        self.check_training(train, training)?;
        let (n, dim) = train.dim();
        let (t_min, t_max) = training.times;
        let first = match resume {
            Some(state) if training.checkpoints.contains(&state.epoch) => state.epoch + 1,
            Some(state) => {
                return Err(TrainError::InvalidParameter {
                    name: "state",
                    rule: format!(
                        "epoch {} is not one of the checkpoints {:?}",
                        state.epoch, training.checkpoints
                    ),
                }
                .into());
            }
            None => 1,
        };
        let net = match resume {
            Some(state) => self.with_state(state)?,
            None => self.snapshot()?,
        };
        let moments = resume.and_then(|state| state.adam.as_ref());
        let mut stepper = match (training.optimizer, resume) {
            (Optimizer::Sgd { .. }, Some(state)) if state.adam.is_some() => {
                return Err(another_optimizer("Adam", "SGD").into());
            }
            (Optimizer::Adam { .. }, Some(state)) if state.adam.is_none() => {
                return Err(another_optimizer("SGD", "Adam").into());
            }
            (Optimizer::Sgd { lr }, _) => Stepper::sgd(net.vars(), lr)?,
            (Optimizer::Adam { lr }, _) => Stepper::adam(net.vars(), lr, moments)?,
        };
        let clock = self.architecture.clock;
        let (c_min, c_max) = (clock.position(t_min), clock.position(t_max));
        let mut kept = Vec::new();
        let last = *training.checkpoints.last().expect("one checkpoint");
        for epoch in first..=last {
            let mut rng = seeded(splitmix64(training.seed ^ splitmix64(epoch as u64)));
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(&mut rng);
            let (mut total, mut batches) = (0.0, 0);
            for chunk in order.chunks(training.batch) {
                let b = chunk.len();
                let mut x = Vec::with_capacity(b * dim);
                let mut z = Vec::with_capacity(b * dim);
                let mut positions = Vec::with_capacity(b);
                let mut scales = Vec::with_capacity(b);
                for &i in chunk {
                    let u: f64 = rng.random();
                    let position = c_min + u * (c_max - c_min);
                    let t = clock.time(position);
                    let (a, sigma2) = net.schedule.coefficients(t).map_err(TrainError::from)?;
                    for j in 0..dim {
                        let noise: f64 = StandardNormal.sample(&mut rng);
                        x.push(a * train[[i, j]] + sigma2.sqrt() * noise);
                        z.push(noise);
                    }
                    positions.push(position);
                    scales.push((a, sigma2.sqrt()));
                }
                let loss = net
                    .batch_loss(x, z, positions, &scales, dim)
                    .map_err(linalg)?;
                let value = loss
                    .to_dtype(DType::F64)
                    .and_then(|l| l.to_scalar::<f64>())
                    .map_err(linalg)?;
                if !value.is_finite() {
                    return Ok(TrainingRun {
                        checkpoints: kept,
                        diverged: Some(TrainError::Diverged { epoch, loss: value }),
                    });
                }
                stepper.backward_step(&loss).map_err(linalg)?;
                total += value;
                batches += 1;
            }
            if training.checkpoints.contains(&epoch) {
                let loss = total / batches as f64;
                on_checkpoint(&TrainingState {
                    epoch,
                    loss,
                    weights: copies(&net.vars())?,
                    adam: stepper.moments()?,
                })?;
                kept.push((epoch, net.snapshot()?, loss));
            }
        }
        Ok(TrainingRun {
            checkpoints: kept,
            diverged: None,
        })
    }
}

impl ScoreModel for ScoreNetwork {
    fn name(&self) -> String {
        match self.architecture.depth {
            1 => format!("one-hidden-layer(m={})", self.architecture.width),
            depth => format!("mlp(m={},depth={depth})", self.architecture.width),
        }
    }

    fn dim(&self) -> usize {
        self.input.as_tensor().dim(1).unwrap_or(0)
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Score for ScoreNetwork {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn song_clock_maps_their_time_to_the_ve_variance() {
        // Their σ_τ² = (σ^{2τ} − 1)/(2 ln σ) is mangen's VE time.
        let clock = Clock::Song { sigma: 25.0 };
        for tau in [1e-5, 0.065, 0.5, 1.0] {
            let variance = (25f64.powf(2.0 * tau) - 1.0) / (2.0 * 25f64.ln());
            assert!((clock.time(tau) - variance).abs() < 1e-12 * variance.max(1.0));
            assert!((clock.position(variance) - tau).abs() < 1e-12);
        }
        // τ = 1 is t = 624 / (2 ln 25) = 96.929.
        assert!((clock.time(1.0) - 96.929).abs() < 1e-3);
        assert!((Clock::Log.time(Clock::Log.position(0.3)) - 0.3).abs() < 1e-15);
        assert!(Clock::Song { sigma: 1.0 }.check().is_err());
    }
}
