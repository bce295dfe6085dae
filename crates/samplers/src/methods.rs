//! The two built-in steps: Euler–Maruyama for the reverse SDE and Heun for the probability-flow ODE.
//!
//! Forward dX = f X dt + g dW ([`mangen_scores::Schedule::sde_coefficients`]). One step from t to t' = t − h:
//! reverse SDE  x' = x − h (f x − g² s(x, t)) + g √h z  (Euler–Maruyama, weak order 1);
//! PF ODE       d(x, t) = f x − ½ g² s(x, t), x̃ = x − h d(x, t), x' = x − ½ h (d(x, t) + d(x̃, t'))
//! (Heun, order 2). Each is written once, for a batch of rows that asks the score once; a single
//! step is the batch of its one row.

use crate::sampler::Sampler;
use mangen_geometry::rng::StreamRng;
use mangen_scores::{Result, Score};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand_distr::{Distribution, StandardNormal};

/// Euler–Maruyama on the reverse-time SDE: a stochastic sampler.
#[derive(Debug, Clone, Copy, Default)]
pub struct EulerMaruyama;

/// Heun's method on the probability-flow ODE: deterministic given its start.
#[derive(Debug, Clone, Copy, Default)]
pub struct Heun;

/// A batch step applied to the one row x with its stream.
fn one_row(
    step: impl FnOnce(ArrayView2<f64>, &mut [StreamRng]) -> Result<Array2<f64>>,
    x: ArrayView1<f64>,
    rng: &mut StreamRng,
) -> Result<Array1<f64>> {
    let rows = step(x.insert_axis(Axis(0)), std::slice::from_mut(rng))?;
    Ok(rows.row(0).to_owned())
}

/// The probability-flow velocity f x − ½ g² s(x, t) of every row, the score asked once for the batch.
fn flow_batch(score: &dyn Score, xs: ArrayView2<f64>, t: f64) -> Result<Array2<f64>> {
    let (f, g2) = score.schedule().sde_coefficients();
    Ok(&xs * f - &(score.score_batch(xs, t)? * (0.5 * g2)))
}

/// A matrix of standard normals times `scale`, row i drawn from `rngs[i]` in column order.
fn noise_rows(rngs: &mut [StreamRng], dim: usize, scale: f64) -> Array2<f64> {
    let mut noise = Array2::zeros((rngs.len(), dim));
    for (mut row, rng) in noise.outer_iter_mut().zip(rngs) {
        row.iter_mut().for_each(|v| {
            *v = scale * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng)
        });
    }
    noise
}

impl Sampler for EulerMaruyama {
    fn name(&self) -> String {
        "sde".into()
    }

    fn step(
        &self,
        score: &dyn Score,
        x: ArrayView1<f64>,
        from: f64,
        to: f64,
        rng: &mut StreamRng,
    ) -> Result<Array1<f64>> {
        one_row(
            |xs, rngs| self.step_batch(score, xs, from, to, rngs),
            x,
            rng,
        )
    }

    fn step_batch(
        &self,
        score: &dyn Score,
        xs: ArrayView2<f64>,
        from: f64,
        to: f64,
        rngs: &mut [StreamRng],
    ) -> Result<Array2<f64>> {
        let (f, g2) = score.schedule().sde_coefficients();
        let h = from - to;
        let drift = &xs * f - &(score.score_batch(xs, from)? * g2);
        let noise = noise_rows(rngs, xs.ncols(), (g2 * h).sqrt());
        Ok(xs.to_owned() - drift * h + noise)
    }
}

impl Sampler for Heun {
    fn name(&self) -> String {
        "ode".into()
    }

    fn step(
        &self,
        score: &dyn Score,
        x: ArrayView1<f64>,
        from: f64,
        to: f64,
        rng: &mut StreamRng,
    ) -> Result<Array1<f64>> {
        one_row(
            |xs, rngs| self.step_batch(score, xs, from, to, rngs),
            x,
            rng,
        )
    }

    fn step_batch(
        &self,
        score: &dyn Score,
        xs: ArrayView2<f64>,
        from: f64,
        to: f64,
        _rngs: &mut [StreamRng],
    ) -> Result<Array2<f64>> {
        let h = from - to;
        let first = flow_batch(score, xs, from)?;
        let predictor = &xs - &(&first * h);
        let second = flow_batch(score, predictor.view(), to)?;
        Ok(&xs - &((first + second) * (0.5 * h)))
    }
}
