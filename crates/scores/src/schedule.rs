//! Forward processes (SCIENCE.md §3): X_t = a_t X_0 + σ_t Z, and the Tweedie map between denoisers and scores.

use crate::error::{Result, ScoreError, check_time};
use ndarray::{Array1, ArrayView1};

/// The forward noising schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schedule {
    /// Variance exploding: a_t = 1, σ_t² = t.
    #[default]
    VarianceExploding,
    /// Variance preserving (Ornstein–Uhlenbeck): a_t = e^{−t}, σ_t² = 1 − e^{−2t}.
    VariancePreserving,
}

impl Schedule {
    /// (a_t, σ_t²) for t > 0.
    pub fn coefficients(self, t: f64) -> Result<(f64, f64)> {
        check_time(t)?;
        Ok(match self {
            Schedule::VarianceExploding => (1.0, t),
            Schedule::VariancePreserving => ((-t).exp(), -(-2.0 * t).exp_m1()),
        })
    }

    /// The forward SDE dX = f X dt + g dW as (f, g²): VE (0, 1), VP (−1, 2). Its reverse-time
    /// SDE is dX = (f X − g² s) dt + g dW̄ and its probability-flow ODE dx/dt = f x − ½ g² s
    /// (Song et al. 2021, "Score-based generative modeling through SDEs", §3).
    pub fn sde_coefficients(self) -> (f64, f64) {
        match self {
            Schedule::VarianceExploding => (0.0, 1.0),
            Schedule::VariancePreserving => (-1.0, 2.0),
        }
    }

    /// The t with σ_t = sigma (VE t = σ²; VP t = −½ ln(1 − σ²), which needs σ < 1).
    pub fn time_of_sigma(self, sigma: f64) -> Result<f64> {
        let t = match self {
            Schedule::VarianceExploding => sigma * sigma,
            Schedule::VariancePreserving => -0.5 * (-sigma * sigma).ln_1p(),
        };
        check_time(t).map(|()| t)
    }

    /// Tweedie: s(x, t) = (a_t D(x, t) − x) / σ_t², with D ≈ E[X_0 | X_t = x].
    pub fn score_from_denoiser(
        self,
        x: ArrayView1<f64>,
        denoised: ArrayView1<f64>,
        t: f64,
    ) -> Result<Array1<f64>> {
        let (a, var) = self.coefficients(t)?;
        Ok((&denoised * a - x) / var)
    }

    /// The inverse map: D(x, t) = (x + σ_t² s(x, t)) / a_t. Refused where a_t underflows to 0
    /// (VP beyond t ≈ 745), since the score no longer carries the denoiser there.
    pub fn denoiser_from_score(
        self,
        x: ArrayView1<f64>,
        score: ArrayView1<f64>,
        t: f64,
    ) -> Result<Array1<f64>> {
        let (a, var) = self.coefficients(t)?;
        if a == 0.0 {
            return Err(ScoreError::InvalidParameter {
                name: "t",
                value: t,
                rule: "the VP signal coefficient e^{-t} underflows to 0: the denoiser cannot be recovered from the score",
            });
        }
        Ok((&x + &(&score * var)) / a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn score_and_denoiser_maps_are_inverse(t in 1e-10f64..1e4, x in prop::collection::vec(-5.0f64..5.0, 3), d in prop::collection::vec(-5.0f64..5.0, 3)) {
            for schedule in [Schedule::VarianceExploding, Schedule::VariancePreserving] {
                let (x, d) = (Array1::from(x.clone()), Array1::from(d.clone()));
                let s = schedule.score_from_denoiser(x.view(), d.view(), t).unwrap();
                prop_assert!(s.iter().all(|v| v.is_finite()));
                let (a, _) = schedule.coefficients(t).unwrap();
                if a == 0.0 {
                    prop_assert!(schedule.denoiser_from_score(x.view(), s.view(), t).is_err());
                    continue;
                }
                let back = schedule.denoiser_from_score(x.view(), s.view(), t).unwrap();
                // The round trip loses about |x|/a_t relative digits when a_t is tiny (VP at large t).
                let tolerance = 1e-9 * (1.0 + 5.0 / a);
                prop_assert!(back.iter().zip(d.iter()).all(|(u, v)| (u - v).abs() <= tolerance), "{back} vs {d}");
            }
        }
    }

    #[test]
    fn sigma_and_time_are_inverse() {
        for schedule in [Schedule::VarianceExploding, Schedule::VariancePreserving] {
            for t in [1e-10, 1e-3, 0.5, 3.0, 10.0] {
                let (_, var) = schedule.coefficients(t).unwrap();
                let back = schedule.time_of_sigma(var.sqrt()).unwrap();
                assert!(
                    (back / t - 1.0).abs() < 1e-6,
                    "{schedule:?} t={t} back={back}"
                );
            }
        }
        assert!(Schedule::VariancePreserving.time_of_sigma(1.0).is_err());
    }

    #[test]
    fn bad_times_are_refused() {
        for t in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Schedule::VarianceExploding.coefficients(t).is_err());
            assert!(Schedule::VariancePreserving.coefficients(t).is_err());
        }
        let (a, var) = Schedule::VariancePreserving.coefficients(1e-12).unwrap();
        assert!((a - 1.0).abs() < 1e-11 && (var / 2e-12 - 1.0).abs() < 1e-6);
    }
}
