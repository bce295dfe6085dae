//! `kind = "hybrid"`: the empirical (or smoothed) score above a switch time t1 and the projection score below it; t1 fixed or a power of N, c·N^a.

use crate::field::{FieldError, positive, read_table};
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use crate::scores::empirical::empirical_score;
use crate::scores::projection::{Projection, check_degree};
use anyhow::{Context, Result};
use mangen_scores::{
    Hybrid as HybridScore, OracleProjection, PopulationScore, ProjectionScore, Score,
};
use serde::Deserialize;
use std::sync::Arc;

/// `[[score]] kind = "hybrid"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    switch_time: f64,
    #[serde(default)]
    switch_exponent: f64,
    degree: usize,
    h: Option<f64>,
}

/// The hybrid score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hybrid {
    /// t1 > 0 (the factor c of t1 = c·N^a when `switch_exponent` a ≠ 0).
    pub switch_time: f64,
    /// The exponent a of t1 = c·N^a (0: t1 fixed; negative: t1 shrinks as N grows).
    pub switch_exponent: f64,
    /// The projection part below t1.
    pub below: Projection,
    /// The bandwidth of the part above t1 (the memorizer when `None`).
    pub h: Option<f64>,
}

/// `[[score]] kind = "hybrid"` with `switch_time`, `degree`, optionally `h` and `switch_exponent`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "hybrid",
    parse: |table, context| {
        let spec: Spec = read_table(table, &["kind"])?;
        positive("switch_time", spec.switch_time)?;
        if !spec.switch_exponent.is_finite() {
            return Err(FieldError::new(
                "switch_exponent",
                format!("must be finite (got {})", spec.switch_exponent),
            ));
        }
        check_degree(spec.degree)?;
        if let Some(h) = spec.h
            && !(h.is_finite() && h >= 0.0)
        {
            return Err(FieldError::new(
                "h",
                format!("must be finite and ≥ 0 (got {h})"),
            ));
        }
        Ok(Arc::new(Hybrid {
            switch_time: spec.switch_time,
            switch_exponent: spec.switch_exponent,
            below: Projection {
                degree: spec.degree,
                neighbours: None,
                intrinsic_dim: Some(context.intrinsic_dim),
            },
            h: spec.h,
        }))
    },
};

impl Hybrid {
    /// t1 for a training set of `n` points: c·n^a.
    pub fn switch_time_at(&self, n: usize) -> f64 {
        self.switch_time * (n as f64).powf(self.switch_exponent)
    }
}

impl ScoreBuilder for Hybrid {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        let m = self.below.degree;
        let t1 = match self.switch_exponent {
            0.0 => format!("{}", self.switch_time),
            a => format!("{}*N^{a}", self.switch_time),
        };
        match self.h {
            Some(h) => format!("hybrid(t1={t1},m={m},h={h})"),
            None => format!("hybrid(t1={t1},m={m})"),
        }
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        let projection = self.below.fit(&inputs.index, inputs.schedule)?;
        let above = empirical_score(&inputs.index, inputs.schedule, None, self.h)?;
        let t1 = self.switch_time_at(inputs.train.nrows());
        let score = HybridScore::new(above, projection.clone(), t1)?;
        Ok(BuiltScore::with_projection(score, projection))
    }

    fn fit_for_metrics(&self, inputs: &ScoreInputs) -> Result<Option<Arc<ProjectionScore>>> {
        Ok(Some(self.below.fit(&inputs.index, inputs.schedule)?))
    }

    /// The population score above t1 (of μ * N(0, h² I) when the part above t1 is smoothed) and
    /// the oracle projection below. The population score is by quadrature, so k = 1 or S².
    fn twin(&self, inputs: &ScoreInputs) -> Result<Option<Box<dyn Score>>> {
        let population = PopulationScore::quadrature(inputs.measure.clone(), inputs.schedule)
            .context("the hybrid's twin takes the population score above t1")?
            .with_bandwidth(self.h.unwrap_or(0.0))?;
        let oracle = OracleProjection::new(inputs.manifold.clone(), inputs.schedule);
        Ok(Some(Box::new(HybridScore::new(
            population,
            oracle,
            self.switch_time_at(inputs.train.nrows()),
        )?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> std::result::Result<Arc<dyn ScoreBuilder>, FieldError> {
        let table: toml::Table = toml::from_str(text).unwrap();
        (KIND.parse)(
            &table,
            &crate::score::ScoreContext {
                intrinsic_dim: 1,
                config_dir: ".".into(),
            },
        )
    }

    #[test]
    fn the_switch_time_is_fixed_or_a_power_of_n() {
        let fixed = parsed("kind = \"hybrid\"\nswitch_time = 0.01\ndegree = 2").unwrap();
        assert_eq!(fixed.label(), "hybrid(t1=0.01,m=2)");
        let hybrid = Hybrid {
            switch_time: 0.3,
            switch_exponent: -0.5,
            below: Projection {
                degree: 2,
                neighbours: None,
                intrinsic_dim: Some(1),
            },
            h: None,
        };
        assert!((hybrid.switch_time_at(100) - 0.03).abs() < 1e-15);
        assert_eq!(hybrid.label(), "hybrid(t1=0.3*N^-0.5,m=2)");
        let written =
            parsed("kind = \"hybrid\"\nswitch_time = 0.3\nswitch_exponent = -0.5\ndegree = 2");
        assert_eq!(written.unwrap().label(), hybrid.label());
        let refused =
            parsed("kind = \"hybrid\"\nswitch_time = 0.3\nswitch_exponent = nan\ndegree = 2");
        assert_eq!(refused.unwrap_err().field, "switch_exponent");
    }
}
