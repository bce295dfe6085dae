//! mangen-train: trained score models that the samplers, metrics and sweep take as they take the built-in scores.
//!
//! [`random_features`] holds the model of Li, Li, Zhang and Bian (arXiv 2311.01797, SCIENCE.md
//! §10): s(x, t) = (1/m) A σ(W x + U e(t)) with W, U frozen and A trained by gradient flow on the
//! empirical denoising score-matching loss. The loss is quadratic in A, so the flow is read at
//! any training time τ exactly, from one eigendecomposition. [`network`] holds their
//! one-hidden-layer network and deeper MLPs, trained with candle's automatic differentiation
//! (SGD or Adam); [`optimizer`] their optimizers, whose state at a checkpoint a later run
//! takes up to go on training.

pub mod allocator;
pub mod network;
pub mod optimizer;
pub mod random_features;

pub use network::{Architecture, Clock, Optimizer, ScoreNetwork, Training, TrainingRun};
pub use optimizer::TrainingState;
pub use random_features::{DsmSet, ExactFlow, RandomFeatureScore, RandomFeatures, TrainError};
