//! `kl_to_mu = { time, from, to, points, densities_at }`: KL(μ ‖ p̂) on a grid of the line, p̂ the density the score integrates to at a small time, as Li et al. measure their trained networks; and p̂ itself on the grid at chosen checkpoint epochs.
//!
//! ln p̂(x_j) = ∫_{from}^{x_j} s(y, t) dy (8-point Gauss–Legendre on each grid interval, exact
//! for a polynomial score of degree 15 on it), then p̂ is normalized over the grid: m_j =
//! p̂_j / Σ p̂. The target is q_j = p(x_j) Δ, Δ the grid step, and KL = Σ q_j ln(q_j / m_j), Li
//! et al.'s discrete KL (their notebook: 51 points on [−10, 10], t the VE variance of their
//! ε = 0.065, which is 0.0807). p̂ is the law at time t, not at 0: even the exact score
//! leaves KL(μ ‖ μ * N(0, t)) > 0, a floor of order t². Cells without a score (fresh or
//! external samples) get an empty value. With `densities_at = [epochs…]`, a trained score's
//! checkpoints at those epochs also write p̂ as a density, m_j/Δ, one `model_density` row per
//! grid point x_j (its `scale`).

use crate::field::{FieldError, positive};
use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use anyhow::{Context, Result};
use mangen_geometry::gauss_legendre;
use mangen_geometry::rng::StreamRng;
use mangen_measures::Measure;
use mangen_scores::Score;
use ndarray::Array2;
use serde::Deserialize;
use std::sync::Arc;

/// The metric of the model's density on the grid.
pub const MODEL_DENSITY: &str = "model_density";

/// Gauss–Legendre nodes per grid interval.
const NODES: usize = 8;

/// The most grid points a config may ask for.
const MAX_POINTS: usize = 100_000;

/// The KL of a learned score's density to μ on a grid of the line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KlToMu {
    /// The time t at which the score is integrated.
    pub time: f64,
    /// The grid's left end.
    pub from: f64,
    /// The grid's right end.
    pub to: f64,
    /// Grid points, ends included.
    pub points: usize,
    /// The checkpoint epochs at which p̂ is written on the grid.
    #[serde(default)]
    pub densities_at: Vec<usize>,
}

/// `[metrics] kl_to_mu = { time = t, from = a, to = b, points = n }`.
pub const KIND: MetricKind = MetricKind {
    key: "kl_to_mu",
    parse: |value| {
        let metric: KlToMu = value.clone().try_into().map_err(FieldError::malformed)?;
        positive("time", metric.time)?;
        if !(metric.from.is_finite() && metric.to.is_finite() && metric.to > metric.from) {
            return Err(FieldError::new(
                "to",
                format!(
                    "the grid [from, to] must be finite with to > from (got [{}, {}])",
                    metric.from, metric.to
                ),
            ));
        }
        if !(2..=MAX_POINTS).contains(&metric.points) {
            return Err(FieldError::new(
                "points",
                format!("must be 2 … {MAX_POINTS} (got {})", metric.points),
            ));
        }
        Ok(Some(Arc::new(metric) as Arc<dyn Metric>))
    },
};

impl KlToMu {
    /// The grid x_j and its step.
    fn grid(&self) -> (Vec<f64>, f64) {
        let step = (self.to - self.from) / (self.points - 1) as f64;
        let grid = (0..self.points)
            .map(|j| self.from + j as f64 * step)
            .collect();
        (grid, step)
    }

    /// The grid and the log-masses ln m_j, m_j = p̂_j / Σ p̂, the score `score` of a law on the
    /// line in R^D gives it.
    pub fn model_log_masses(&self, score: &dyn Score, dim: usize) -> Result<(Vec<f64>, Vec<f64>)> {
        let (grid, step) = self.grid();
        let (nodes, weights) = gauss_legendre(NODES, 0.0, step);
        let mut queries = Array2::zeros(((self.points - 1) * NODES, dim));
        for (j, left) in grid[..self.points - 1].iter().enumerate() {
            for (k, node) in nodes.iter().enumerate() {
                queries[[j * NODES + k, 0]] = left + node;
            }
        }
        let scores = score
            .score_batch(queries.view(), self.time)
            .context("the score on the KL grid")?;
        let mut log_density = vec![0.0; self.points];
        for j in 1..self.points {
            let piece: f64 = (0..NODES)
                .map(|k| weights[k] * scores[[(j - 1) * NODES + k, 0]])
                .sum();
            log_density[j] = log_density[j - 1] + piece;
        }
        let top = log_density
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        if !top.is_finite() {
            anyhow::bail!("the score's integral along the line is not finite");
        }
        let log_total = log_density
            .iter()
            .map(|l| (l - top).exp())
            .sum::<f64>()
            .ln()
            + top;
        let log_masses = log_density.iter().map(|l| l - log_total).collect();
        Ok((grid, log_masses))
    }

    /// KL(μ ‖ p̂) on the grid from the model's log-masses there.
    fn kl_of(&self, measure: &dyn Measure, log_masses: &[f64], dim: usize) -> Result<f64> {
        let (grid, step) = self.grid();
        let mut kl = 0.0;
        let mut point = ndarray::Array1::zeros(dim);
        for (x, log_m) in grid.iter().zip(log_masses) {
            point[0] = *x;
            let q = measure.density(point.view())? * step;
            if q > 0.0 {
                kl += q * (q.ln() - log_m);
            }
        }
        Ok(kl)
    }

    /// KL(μ ‖ p̂) on the grid, for the score `score` of a law on the line in R^D.
    pub fn kl(&self, measure: &dyn Measure, score: &dyn Score, dim: usize) -> Result<f64> {
        let (_, log_masses) = self.model_log_masses(score, dim)?;
        self.kl_of(measure, &log_masses, dim)
    }
}

impl Metric for KlToMu {
    fn infos(&self) -> Vec<MetricInfo> {
        let mut infos = vec![MetricInfo::new("kl_to_mu", Shape::Rate)];
        if !self.densities_at.is_empty() {
            infos.push(MetricInfo::new(MODEL_DENSITY, Shape::Fraction).scaled());
        }
        infos
    }

    fn needs_samples(&self) -> bool {
        false
    }

    fn needs_score(&self) -> bool {
        true
    }

    fn check(&self, measure: &dyn Measure) -> std::result::Result<(), String> {
        match measure.as_line_law() {
            Some(_) => Ok(()),
            None => Err(format!(
                "kl_to_mu integrates the score along the line: it needs a law on the line (manifold kind = \"line\"), not on {}",
                measure.manifold().name()
            )),
        }
    }

    fn measure(&self, cell: &CellData, _: &mut StreamRng) -> Result<Vec<Measurement>> {
        let Some(score) = cell.score else {
            return Ok(vec![Measurement {
                metric: "kl_to_mu".into(),
                scale: None,
                value: None,
            }]);
        };
        let dim = cell.train.ncols();
        let (grid, log_masses) = self.model_log_masses(score, dim)?;
        let mut out = vec![Measurement::of(
            "kl_to_mu",
            self.kl_of(cell.measure, &log_masses, dim)?,
        )];
        if cell.epoch.is_some_and(|e| self.densities_at.contains(&e)) {
            let (_, step) = self.grid();
            out.extend(grid.iter().zip(&log_masses).map(|(x, log_m)| Measurement {
                metric: MODEL_DENSITY.into(),
                scale: Some(*x),
                value: Some(log_m.exp() / step),
            }));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mangen_geometry::Line;
    use mangen_measures::GaussianMixture;
    use mangen_scores::{Schedule, ScoreModel};
    use ndarray::{Array1, ArrayView1};

    /// The exact score of ½N(−m, 1 + t) + ½N(m, 1 + t), or of a single N(c, v + t).
    #[derive(Debug)]
    struct MixtureScore {
        centres: Vec<f64>,
        variance: f64,
    }

    impl ScoreModel for MixtureScore {
        fn name(&self) -> String {
            "mixture".into()
        }
        fn dim(&self) -> usize {
            1
        }
        fn schedule(&self) -> Schedule {
            Schedule::VarianceExploding
        }
    }

    impl Score for MixtureScore {
        fn score(&self, x: ArrayView1<f64>, t: f64) -> mangen_scores::Result<Array1<f64>> {
            let v = self.variance + t;
            let (mut num, mut den) = (0.0, 0.0);
            for c in &self.centres {
                let w = (-(x[0] - c).powi(2) / (2.0 * v)).exp();
                num += w * (c - x[0]) / v;
                den += w;
            }
            Ok(Array1::from_elem(1, num / den))
        }
    }

    fn li_metric(time: f64) -> KlToMu {
        KlToMu {
            time,
            from: -10.0,
            to: 10.0,
            points: 51,
            densities_at: Vec::new(),
        }
    }

    #[test]
    fn the_exact_score_at_a_vanishing_time_has_no_divergence() {
        let mixture = GaussianMixture::new(Line::new(1).unwrap(), vec![-3.0, 3.0], 1.0).unwrap();
        let exact = MixtureScore {
            centres: vec![-3.0, 3.0],
            variance: 1.0,
        };
        // At t → 0, p̂ = p on the grid up to the grid's normalization: KL ≈ 0.
        let near_zero = li_metric(1e-9).kl(&mixture, &exact, 1).unwrap();
        assert!(near_zero.abs() < 1e-6, "KL {near_zero}");
        // At Li et al.'s t = 0.0807, p̂ is μ * N(0, t): two N(±3, 1.0807), whose KL to μ is
        // that of N(0, 1) to N(0, 1 + t) up to the overlap of the modes,
        // ½(ln(1 + t) − t/(1 + t)) = 0.00289.
        let at_li = li_metric(0.0807).kl(&mixture, &exact, 1).unwrap();
        let closed = 0.5 * ((1.0_f64 + 0.0807).ln() - 0.0807 / 1.0807);
        assert!((at_li - closed).abs() < 2e-4, "KL {at_li} against {closed}");
        // A score with the modes at ±2: each mode is off by one standard deviation, so KL ≈
        // KL(N(3, 1) ‖ N(2, 1)) = 1/2 (0.4992 on this grid, by an independent evaluation).
        let wrong = MixtureScore {
            centres: vec![-2.0, 2.0],
            variance: 1.0,
        };
        let off = li_metric(1e-9).kl(&mixture, &wrong, 1).unwrap();
        assert!((off - 0.4992).abs() < 1e-3, "KL {off}");
    }

    #[test]
    fn tables_are_checked_field_by_field() {
        let parse = |text: &str| (KIND.parse)(&toml::from_str::<toml::Value>(text).unwrap());
        assert!(parse("time = 0.08\nfrom = -10.0\nto = 10.0\npoints = 51").is_ok());
        let bad = |text: &str| parse(text).unwrap_err().field;
        assert_eq!(
            bad("time = 0.0\nfrom = -10.0\nto = 10.0\npoints = 51"),
            "time"
        );
        assert_eq!(
            bad("time = 0.1\nfrom = 10.0\nto = -10.0\npoints = 51"),
            "to"
        );
        assert_eq!(
            bad("time = 0.1\nfrom = -10.0\nto = 10.0\npoints = 1"),
            "points"
        );
    }

    #[test]
    fn densities_are_written_at_the_chosen_epochs_and_integrate_to_one() {
        let mixture = GaussianMixture::new(Line::new(1).unwrap(), vec![-3.0, 3.0], 1.0).unwrap();
        let exact = MixtureScore {
            centres: vec![-3.0, 3.0],
            variance: 1.0,
        };
        let metric = KlToMu {
            densities_at: vec![100, 1900],
            ..li_metric(1e-9)
        };
        let train = Arc::new(Array2::from_shape_vec((2, 1), vec![-3.0, 3.0]).unwrap());
        let index = mangen_scores::KdTree::new(train.clone()).unwrap();
        let none = Array2::zeros((0, 1));
        let at = |epoch: Option<usize>| {
            let cell = CellData {
                score: Some(&exact),
                epoch,
                ..CellData::for_test(&mixture, &train, &index, &none, &none)
            };
            metric
                .measure(&cell, &mut mangen_geometry::rng::seeded(0))
                .unwrap()
        };
        assert_eq!(at(None).len(), 1);
        assert_eq!(at(Some(1000)).len(), 1);
        let rows = at(Some(1900));
        assert_eq!(rows.len(), 52);
        let step = 20.0 / 50.0;
        let total: f64 = rows[1..].iter().map(|m| m.value.unwrap() * step).sum();
        assert!((total - 1.0).abs() < 1e-12, "masses sum to {total}");
        // The exact score at t → 0 integrates to μ's density, up to the grid's normalization.
        for m in &rows[1..] {
            let x = m.scale.unwrap();
            let p = mixture.density(Array1::from_elem(1, x).view()).unwrap();
            assert!(
                (m.value.unwrap() - p).abs() < 1e-3,
                "x = {x}: {m:?} against {p}"
            );
            assert_eq!(m.metric, MODEL_DENSITY);
        }
    }
}
