//! mangen-samplers: turn any score into samples (SCIENCE.md §5).
//!
//! A [`Sampler`] implements one reverse-time step; [`Sampler::run`] starts every sample from the
//! forward marginal at T ([`Start`]), steps it through a [`SamplingConfig`] grid down to t0 in
//! parallel, each sample with its own random stream (seed, index), in batches that depend on the
//! sample count alone (the score is asked once per batch and step), so that the output does not
//! depend on the number of threads. Built in: [`EulerMaruyama`] on the reverse SDE and [`Heun`] on
//! the probability-flow ODE, for VE and VP.

mod error;
mod grid;
mod methods;
mod sampler;
mod start;

pub use error::{Result, SamplerError};
pub use grid::{SamplingConfig, TimeGrid};
pub use methods::{EulerMaruyama, Heun};
pub use sampler::{Observer, Progress, RunOptions, SampleRun, Sampler, Trajectory, batch_size};
pub use start::Start;
