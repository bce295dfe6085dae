//! `kind = "hybrid"`: the empirical (or smoothed) score above a switch time t1 and the projection score below it.

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
    degree: usize,
    h: Option<f64>,
}

/// The hybrid score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hybrid {
    /// t1 > 0.
    pub switch_time: f64,
    /// The projection part below t1.
    pub below: Projection,
    /// The bandwidth of the part above t1 (the memorizer when `None`).
    pub h: Option<f64>,
}

/// `[[score]] kind = "hybrid"` with `switch_time`, `degree`, optionally `h`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "hybrid",
    parse: |table, context| {
        let spec: Spec = read_table(table, &["kind"])?;
        positive("switch_time", spec.switch_time)?;
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
            below: Projection {
                degree: spec.degree,
                neighbours: None,
                intrinsic_dim: Some(context.intrinsic_dim),
            },
            h: spec.h,
        }))
    },
};

impl ScoreBuilder for Hybrid {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        let (t1, m) = (self.switch_time, self.below.degree);
        match self.h {
            Some(h) => format!("hybrid(t1={t1},m={m},h={h})"),
            None => format!("hybrid(t1={t1},m={m})"),
        }
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        let projection = self.below.fit(&inputs.index, inputs.schedule)?;
        let above = empirical_score(&inputs.index, inputs.schedule, None, self.h)?;
        let score = HybridScore::new(above, projection.clone(), self.switch_time)?;
        Ok(BuiltScore {
            score: Some(Box::new(score)),
            projection: Some(projection),
        })
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
            self.switch_time,
        )?)))
    }
}
