//! Time grids from T down to t0 and the checked sampling configuration (SCIENCE.md §5).

use crate::error::{Result, invalid};
use mangen_scores::Schedule;

/// How the n_steps + 1 times between T and t0 are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeGrid {
    /// t_j = T (t0/T)^{j/n}: equal ratios.
    #[default]
    Geometric,
    /// σ_{t_j} = σ_T (σ_{t0}/σ_T)^{j/n}: equal steps in log σ (the same as geometric for VE).
    LogSigma,
}

/// The reverse-time discretization: from T down to t0 in `steps` steps, with an optional final
/// denoising step x̂ = D(x, t0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplingConfig {
    /// Start time T.
    pub t_max: f64,
    /// Early-stopping time t0 ∈ (0, T).
    pub t_min: f64,
    /// Number of steps n ≥ 1.
    pub steps: usize,
    /// Spacing of the grid.
    pub grid: TimeGrid,
    /// Whether to return D(x, t0) instead of x at t0.
    pub denoise: bool,
}

impl SamplingConfig {
    /// A checked configuration: 0 < t0 < T < ∞ and n ≥ 1.
    pub fn new(t_max: f64, t_min: f64, steps: usize) -> Result<Self> {
        Self {
            t_max,
            t_min,
            steps,
            grid: TimeGrid::default(),
            denoise: false,
        }
        .validate()
    }

    /// The same configuration with `grid` spacing.
    pub fn with_grid(mut self, grid: TimeGrid) -> Self {
        self.grid = grid;
        self
    }

    /// The same configuration with (or without) the final denoising step.
    pub fn with_denoising(mut self, denoise: bool) -> Self {
        self.denoise = denoise;
        self
    }

    /// Checks every rule; the fields are public, so runners call this again.
    pub fn validate(self) -> Result<Self> {
        if !(self.t_min.is_finite() && self.t_min > 0.0) {
            return Err(invalid(
                "t0",
                self.t_min,
                "the final time must be finite and > 0",
            ));
        }
        if !(self.t_max.is_finite() && self.t_max > self.t_min) {
            return Err(invalid(
                "T",
                self.t_max,
                "the start time must be finite and > t0",
            ));
        }
        if self.steps == 0 {
            return Err(invalid("n_steps", 0.0, "at least one step is needed"));
        }
        Ok(self)
    }

    /// The n + 1 times T = t_0 > t_1 > … > t_n = t0 under `schedule`.
    pub fn times(&self, schedule: Schedule) -> Result<Vec<f64>> {
        self.validate()?;
        let n = self.steps as f64;
        let interpolate = |from: f64, to: f64, j: usize| from * (to / from).powf(j as f64 / n);
        let mut times: Vec<f64> = match self.grid {
            TimeGrid::Geometric => (0..=self.steps)
                .map(|j| interpolate(self.t_max, self.t_min, j))
                .collect(),
            TimeGrid::LogSigma => {
                let sigma = |t: f64| schedule.coefficients(t).map(|(_, var)| var.sqrt());
                let (from, to) = (
                    sigma(self.t_max).map_err(score_err)?,
                    sigma(self.t_min).map_err(score_err)?,
                );
                (0..=self.steps)
                    .map(|j| {
                        schedule
                            .time_of_sigma(interpolate(from, to, j))
                            .map_err(score_err)
                    })
                    .collect::<Result<_>>()?
            }
        };
        times[0] = self.t_max;
        times[self.steps] = self.t_min;
        Ok(times)
    }
}

fn score_err(err: mangen_scores::ScoreError) -> crate::error::SamplerError {
    let value = match err {
        mangen_scores::ScoreError::InvalidTime(t) => t,
        _ => f64::NAN,
    };
    invalid(
        "T",
        value,
        "the VP noise level σ_T rounds to 1: choose a smaller T for a log-σ grid",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn grids_run_from_t_to_t0_strictly_decreasing(
            log_t0 in -10.0f64..-1.0, span in 0.5f64..6.0, steps in 1usize..300, vp in any::<bool>(), log_sigma in any::<bool>(),
        ) {
            let schedule = if vp { Schedule::VariancePreserving } else { Schedule::VarianceExploding };
            let (t0, t) = (10f64.powf(log_t0), 10f64.powf(log_t0 + span).min(15.0));
            prop_assume!(t > t0);
            let grid = if log_sigma { TimeGrid::LogSigma } else { TimeGrid::Geometric };
            let times = SamplingConfig::new(t, t0, steps).unwrap().with_grid(grid).times(schedule).unwrap();
            prop_assert_eq!(times.len(), steps + 1);
            prop_assert_eq!(times[0], t);
            prop_assert_eq!(times[steps], t0);
            prop_assert!(times.windows(2).all(|w| w[0] > w[1]));
        }
    }

    #[test]
    fn log_sigma_is_geometric_for_ve() {
        let config = SamplingConfig::new(100.0, 1e-4, 37).unwrap();
        let a = config.times(Schedule::VarianceExploding).unwrap();
        let b = config
            .with_grid(TimeGrid::LogSigma)
            .times(Schedule::VarianceExploding)
            .unwrap();
        assert!(a.iter().zip(&b).all(|(x, y)| (x / y - 1.0).abs() < 1e-12));
    }

    #[test]
    fn bad_configurations_are_refused() {
        for (t, t0, n) in [
            (1.0, 1.0, 10),
            (1.0, 2.0, 10),
            (1.0, 0.0, 10),
            (1.0, -1e-3, 10),
            (1.0, 1e-3, 0),
            (f64::INFINITY, 1e-3, 5),
            (1.0, f64::NAN, 5),
        ] {
            assert!(
                SamplingConfig::new(t, t0, n).is_err(),
                "T={t} t0={t0} n={n}"
            );
        }
    }
}
