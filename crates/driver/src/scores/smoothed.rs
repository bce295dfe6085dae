//! `kind = "smoothed"`: the empirical score at inflated variance σ_t² + h², with h fixed or h = h_scale · N^h_exponent.

use crate::field::{FieldError, positive, read_table};
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use crate::scores::empirical::empirical_score;
use anyhow::{Context, Result};
use mangen_scores::{PopulationScore, Score};
use serde::Deserialize;
use std::sync::Arc;

/// `[[score]] kind = "smoothed"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    h: Option<f64>,
    h_scale: Option<f64>,
    h_exponent: Option<f64>,
}

/// The bandwidth of a smoothed score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bandwidth {
    /// A fixed h ≥ 0.
    Fixed(f64),
    /// h = scale · N^exponent.
    Power {
        /// c > 0.
        scale: f64,
        /// e, finite.
        exponent: f64,
    },
}

/// The smoothed empirical score (the score of a kernel density estimate).
#[derive(Debug, Clone, PartialEq)]
pub struct Smoothed {
    /// Its bandwidth.
    pub bandwidth: Bandwidth,
}

impl Smoothed {
    /// The bandwidth at training-set size n.
    pub fn bandwidth(&self, n: usize) -> f64 {
        match self.bandwidth {
            Bandwidth::Fixed(h) => h,
            Bandwidth::Power { scale, exponent } => scale * (n as f64).powf(exponent),
        }
    }
}

/// `[[score]] kind = "smoothed"` with `h`, or with `h_scale` and `h_exponent`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "smoothed",
    parse: |table, _| {
        let spec: Spec = read_table(table, &["kind"])?;
        let bandwidth = match (spec.h, spec.h_scale, spec.h_exponent) {
            (Some(h), None, None) if h.is_finite() && h >= 0.0 => Bandwidth::Fixed(h),
            (Some(h), None, None) => {
                return Err(FieldError::new(
                    "h",
                    format!("must be finite and ≥ 0 (got {h})"),
                ));
            }
            (None, Some(scale), Some(exponent)) => {
                positive("h_scale", scale)?;
                if !exponent.is_finite() {
                    return Err(FieldError::new("h_exponent", "must be finite"));
                }
                Bandwidth::Power { scale, exponent }
            }
            _ => {
                return Err(FieldError::new(
                    "h",
                    "give either h, or both h_scale and h_exponent (h = h_scale · N^h_exponent)",
                ));
            }
        };
        Ok(Arc::new(Smoothed { bandwidth }))
    },
};

impl ScoreBuilder for Smoothed {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        match self.bandwidth {
            Bandwidth::Fixed(h) => format!("smoothed(h={h})"),
            Bandwidth::Power { scale, exponent } => format!("smoothed(h={scale}*N^{exponent})"),
        }
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        let h = self.bandwidth(inputs.train.nrows());
        Ok(BuiltScore::of(empirical_score(
            &inputs.index,
            inputs.schedule,
            None,
            Some(h),
        )?))
    }

    /// The score of μ * N(0, h² I) with the same h (by quadrature, so k = 1 or S²): the law the
    /// smoothed score's μ_N * N(0, h² I) tends to.
    fn twin(&self, inputs: &ScoreInputs) -> Result<Option<Box<dyn Score>>> {
        let h = self.bandwidth(inputs.train.nrows());
        let population = PopulationScore::quadrature(inputs.measure.clone(), inputs.schedule)
            .context("the smoothed score's twin is the population score of μ * N(0, h² I)")?
            .with_bandwidth(h)?;
        Ok(Some(Box::new(population)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_power_bandwidth_follows_n() {
        let smoothed = Smoothed {
            bandwidth: Bandwidth::Power {
                scale: 0.5,
                exponent: -0.5,
            },
        };
        assert_eq!(smoothed.bandwidth(100), 0.05);
        assert_eq!(smoothed.label(), "smoothed(h=0.5*N^-0.5)");
        let fixed = Smoothed {
            bandwidth: Bandwidth::Fixed(0.1),
        };
        assert_eq!(
            (fixed.bandwidth(7), fixed.label().as_str()),
            (0.1, "smoothed(h=0.1)")
        );
    }
}
