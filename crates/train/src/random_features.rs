//! Li et al.'s random-feature score model s(x, t) = (1/m) A σ(W x + U e(t)), its denoising score-matching loss over a fixed set of draws, and the exact gradient flow of A.
//!
//! The DSM loss over draws (x0_i, t_i, z_i), x_i = a_{t_i} x0_i + σ_i z_i, weighted by λ(t) = σ_t²,
//! is L(A) = (1/n) Σ σ_i² |(1/m) A φ_i + z_i/σ_i|² = (1/n) Σ |A ψ_i + z_i|² with ψ_i = (σ_i/m) φ_i
//! and φ_i = σ(W x_i + U e(t_i)). With G = (1/n) Σ ψ_i ψ_iᵀ and C = (1/n) Σ z_i ψ_iᵀ,
//! ∇L(A) = 2 (A G + C), and the flow dA/dτ = −∇L(A) from A(0) is, with G = V Λ Vᵀ,
//! A(τ) = A(0) V e^{−2τΛ} Vᵀ − C V diag((1 − e^{−2τλ})/λ) Vᵀ
//! (2τ in place of the ratio where λ = 0). As τ → ∞ it tends to the least-squares solution
//! −C G⁺ plus the part of A(0) in the null space of G.

use mangen_geometry::rng::seeded;
use mangen_scores::{Schedule, Score, ScoreModel, check_query};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use ndarray_linalg::{Eigh, UPLO};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// What can go wrong when building or training a model.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A size or parameter out of its range.
    #[error("invalid parameter `{name}`: {rule}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// The rule it breaks, with the value found.
        rule: String,
    },
    /// The eigendecomposition of the feature second moment failed.
    #[error("linear algebra failed: {0}")]
    Linalg(String),
    /// Training met a loss that is not finite; nothing of that run is kept.
    #[error("training diverged at epoch {epoch}: the loss is {loss}")]
    Diverged {
        /// The epoch (1-based) of the batch whose loss was not finite.
        epoch: usize,
        /// That loss.
        loss: f64,
    },
    /// A diffusion time or query was malformed.
    #[error(transparent)]
    Score(#[from] mangen_scores::ScoreError),
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, TrainError>;

fn invalid(name: &'static str, rule: String) -> TrainError {
    TrainError::InvalidParameter { name, rule }
}

/// Checks the sizes of a model on R^D of width m with F embedding frequencies: each ≥ 1.
pub(crate) fn check_sizes(dim: usize, width: usize, frequencies: usize) -> Result<()> {
    for (name, value) in [("dim", dim), ("width", width), ("frequencies", frequencies)] {
        if value == 0 {
            return Err(invalid(name, "must be ≥ 1 (got 0)".into()));
        }
    }
    Ok(())
}

/// Swish, z · sigmoid(z): the activation of Li et al.'s network.
fn swish(z: f64) -> f64 {
    z / (1.0 + (-z).exp())
}

/// The frozen part of the model: W (m × D), U (m × 2F) and the F frequencies of the
/// Gaussian-Fourier embedding e(t) = (sin(2π ω_j ln t), cos(2π ω_j ln t)) of the log-time; and
/// whether the output is divided by σ_t, s = (1/(m σ_t)) A φ, as Li et al.'s network divides it.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFeatures {
    w: Array2<f64>,
    u: Array2<f64>,
    frequencies: Array1<f64>,
    schedule: Schedule,
    over_sigma: bool,
}

impl RandomFeatures {
    /// Width m features on R^D with an embedding of F frequencies, drawn from `seed`:
    /// W_jk ~ N(0, 1/D), U_jl ~ N(0, 1/(2F)), ω_j ~ N(0, 1).
    pub fn new(
        dim: usize,
        width: usize,
        frequencies: usize,
        schedule: Schedule,
        seed: u64,
    ) -> Result<Self> {
        check_sizes(dim, width, frequencies)?;
        let mut rng = seeded(seed);
        let mut normal = |rows: usize, cols: usize, scale: f64| {
            Array2::from_shape_simple_fn((rows, cols), || {
                let z: f64 = StandardNormal.sample(&mut rng);
                scale * z
            })
        };
        let w = normal(width, dim, (1.0 / dim as f64).sqrt());
        let u = normal(width, 2 * frequencies, (0.5 / frequencies as f64).sqrt());
        let frequencies = normal(frequencies, 1, 1.0).remove_axis(Axis(1));
        Ok(Self {
            w,
            u,
            frequencies,
            schedule,
            over_sigma: false,
        })
    }

    /// The same features with the output divided by σ_t: s = (1/(m σ_t)) A φ. The σ_t²-weighted
    /// loss then fits A φ/m to −z at every t alike, where the plain model must reach scores of
    /// size 1/σ_t through features bounded in t.
    pub fn over_sigma(self) -> Self {
        Self {
            over_sigma: true,
            ..self
        }
    }

    /// The same features with every embedding frequency ω_j multiplied by `scale` (> 0): a
    /// smaller scale makes the features vary more slowly in ln t.
    pub fn frequency_scale(self, scale: f64) -> Result<Self> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(invalid(
                "frequency_scale",
                format!("must be finite and > 0 (got {scale})"),
            ));
        }
        Ok(Self {
            frequencies: self.frequencies * scale,
            ..self
        })
    }

    /// The factor c(t) of the output, s = c(t) A φ: 1/m, or 1/(m σ_t) for [`Self::over_sigma`].
    pub fn output_scale(&self, t: f64) -> mangen_scores::Result<f64> {
        let m = self.width() as f64;
        if self.over_sigma {
            let (_, sigma2) = self.schedule.coefficients(t)?;
            Ok(1.0 / (m * sigma2.sqrt()))
        } else {
            Ok(1.0 / m)
        }
    }

    /// The width m.
    pub fn width(&self) -> usize {
        self.w.nrows()
    }

    /// The ambient dimension D.
    pub fn dim(&self) -> usize {
        self.w.ncols()
    }

    /// The forward process the model is trained for.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// e(t): sines, then cosines, of 2π ω_j ln t.
    pub fn embed(&self, t: f64) -> Array1<f64> {
        let phases = self
            .frequencies
            .mapv(|omega| 2.0 * std::f64::consts::PI * omega * t.ln());
        ndarray::concatenate![Axis(0), phases.mapv(f64::sin), phases.mapv(f64::cos)]
    }

    /// φ(x, t) = σ(W x + U e(t)), the m features.
    pub fn features(&self, x: ArrayView1<f64>, t: f64) -> Array1<f64> {
        (self.w.dot(&x) + self.u.dot(&self.embed(t))).mapv(swish)
    }
}

/// The fixed Monte Carlo set of the empirical DSM loss: the scaled features ψ_i (one row each)
/// and the noises z_i (ψ_i = σ_i c(t_i) φ_i with the output factor c; (σ_i/m) φ_i above).
#[derive(Debug, Clone, PartialEq)]
pub struct DsmSet {
    /// ψ_i = σ_i c(t_i) φ(x_i, t_i), n × m.
    pub psi: Array2<f64>,
    /// z_i, n × D.
    pub noise: Array2<f64>,
}

impl DsmSet {
    /// `draws` triples (x0, t, z): x0 the training point i mod n of draw i (each point is used
    /// ⌊draws/n⌋ or ⌈draws/n⌉ times, as in the empirical loss's average over the points), t
    /// log-uniform on [t_min, t_max], z standard normal; x = a_t x0 + σ_t z.
    pub fn draw(
        features: &RandomFeatures,
        train: ArrayView2<f64>,
        draws: usize,
        (t_min, t_max): (f64, f64),
        rng: &mut dyn Rng,
    ) -> Result<Self> {
        if draws == 0 || train.nrows() == 0 {
            return Err(invalid(
                "draws",
                "needs ≥ 1 draw and ≥ 1 training point".into(),
            ));
        }
        if train.ncols() != features.dim() {
            return Err(invalid(
                "train",
                format!("{} columns, expected {}", train.ncols(), features.dim()),
            ));
        }
        features.schedule.coefficients(t_min)?;
        if !(t_max.is_finite() && t_max > t_min) {
            return Err(invalid("t_max", format!("must exceed t_min (got {t_max})")));
        }
        let (m, d) = (features.width(), features.dim());
        let mut psi = Array2::zeros((draws, m));
        let mut noise = Array2::zeros((draws, d));
        for i in 0..draws {
            let x0 = train.row(i % train.nrows());
            let u: f64 = rng.random();
            let t = (t_min.ln() + u * (t_max.ln() - t_min.ln())).exp();
            let (a, sigma2) = features.schedule.coefficients(t)?;
            let sigma = sigma2.sqrt();
            let z = Array1::from_shape_simple_fn(d, || StandardNormal.sample(&mut *rng));
            let x = &x0 * a + &z * sigma;
            psi.row_mut(i)
                .assign(&(features.features(x.view(), t) * (sigma * features.output_scale(t)?)));
            noise.row_mut(i).assign(&z);
        }
        Ok(Self { psi, noise })
    }

    /// L(A) = (1/n) Σ |A ψ_i + z_i|², A of shape D × m.
    pub fn loss(&self, a: &Array2<f64>) -> f64 {
        let residual = self.psi.dot(&a.t()) + &self.noise;
        residual.mapv(|r| r * r).sum() / self.psi.nrows() as f64
    }

    /// ∇L(A) = 2 (A G + C).
    pub fn gradient(&self, a: &Array2<f64>) -> Array2<f64> {
        let residual = self.psi.dot(&a.t()) + &self.noise;
        residual.t().dot(&self.psi) * (2.0 / self.psi.nrows() as f64)
    }
}

/// The gradient flow of A on a DSM set, solved once: any training time τ is read exactly.
#[derive(Debug, Clone)]
pub struct ExactFlow {
    /// Eigenvectors of G, one column each.
    eigenvectors: Array2<f64>,
    /// Eigenvalues of G (≥ 0 up to rounding).
    eigenvalues: Array1<f64>,
    /// A(0) V.
    start: Array2<f64>,
    /// C V.
    cross: Array2<f64>,
}

impl ExactFlow {
    /// The flow from A(0) = `start` (D × m) on `set`.
    pub fn new(set: &DsmSet, start: Array2<f64>) -> Result<Self> {
        let (n, m) = set.psi.dim();
        if start.dim() != (set.noise.ncols(), m) {
            return Err(invalid(
                "start",
                format!(
                    "shape {:?}, expected ({}, {m})",
                    start.dim(),
                    set.noise.ncols()
                ),
            ));
        }
        let second_moment = set.psi.t().dot(&set.psi) / n as f64;
        let cross_moment = set.noise.t().dot(&set.psi) / n as f64;
        let (eigenvalues, eigenvectors) = second_moment
            .eigh(UPLO::Lower)
            .map_err(|err| TrainError::Linalg(err.to_string()))?;
        Ok(Self {
            start: start.dot(&eigenvectors),
            cross: cross_moment.dot(&eigenvectors),
            eigenvectors,
            eigenvalues: eigenvalues.mapv(|l| l.max(0.0)),
        })
    }

    /// A(τ), τ ≥ 0 (τ = ∞ gives the limit).
    pub fn weights_at(&self, tau: f64) -> Result<Array2<f64>> {
        if tau.is_nan() || tau < 0.0 {
            return Err(invalid("tau", format!("must be ≥ 0 (got {tau})")));
        }
        let decay = self.eigenvalues.mapv(|l| (-2.0 * tau * l).exp());
        // (1 − e^{−2τλ})/λ, with its limit 2τ as λ → 0 and 1/λ as τ → ∞.
        let gain = self.eigenvalues.mapv(|l| {
            if tau.is_infinite() {
                if l > 0.0 { 1.0 / l } else { 0.0 }
            } else if l * tau < 1e-12 {
                2.0 * tau
            } else {
                -(-2.0 * tau * l).exp_m1() / l
            }
        });
        let mixed = &self.start * &decay - &self.cross * &gain;
        Ok(mixed.dot(&self.eigenvectors.t()))
    }

    /// The eigenvalues of G, ascending: the rates 2λ at which the flow fits each direction.
    pub fn eigenvalues(&self) -> &Array1<f64> {
        &self.eigenvalues
    }
}

/// The trained model: features and the weights A at one training time.
#[derive(Debug, Clone)]
pub struct RandomFeatureScore {
    features: Arc<RandomFeatures>,
    weights: Array2<f64>,
}

impl RandomFeatureScore {
    /// The model with weights A (D × m).
    pub fn new(features: Arc<RandomFeatures>, weights: Array2<f64>) -> Result<Self> {
        if weights.dim() != (features.dim(), features.width()) {
            return Err(invalid(
                "weights",
                format!(
                    "shape {:?}, expected ({}, {})",
                    weights.dim(),
                    features.dim(),
                    features.width()
                ),
            ));
        }
        Ok(Self { features, weights })
    }

    /// The weights A.
    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }
}

impl ScoreModel for RandomFeatureScore {
    fn name(&self) -> String {
        format!("random-features(m={})", self.features.width())
    }

    fn dim(&self) -> usize {
        self.features.dim()
    }

    fn schedule(&self) -> Schedule {
        self.features.schedule
    }
}

impl Score for RandomFeatureScore {
    fn score(&self, x: ArrayView1<f64>, t: f64) -> mangen_scores::Result<Array1<f64>> {
        check_query(x, self.dim(), t)?;
        let phi = self.features.features(x, t);
        Ok(self.weights.dot(&phi) * self.features.output_scale(t)?)
    }
}
