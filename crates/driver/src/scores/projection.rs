//! `kind = "projection"`: the local-polynomial projection score of degree m, the coarse score of the paper.

use crate::field::{FieldError, read_table};
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use anyhow::Result;
use mangen_scores::{KdTree, MAX_DEGREE, OracleProjection, ProjectionScore, Schedule, Score};
use serde::Deserialize;
use std::sync::Arc;

/// `[[score]] kind = "projection"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    degree: usize,
    neighbours: Option<usize>,
    #[serde(default)]
    estimate_dim: bool,
}

/// The projection score.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Degree m ∈ 1..=[`MAX_DEGREE`].
    pub degree: usize,
    /// Neighbours K (the scores crate's default when `None`).
    pub neighbours: Option<usize>,
    /// The intrinsic dimension k given to the fit; `None` estimates it from the data.
    pub intrinsic_dim: Option<usize>,
}

/// Checks a degree m ∈ 1..=[`MAX_DEGREE`].
pub fn check_degree(degree: usize) -> Result<(), FieldError> {
    if (1..=MAX_DEGREE).contains(&degree) {
        Ok(())
    } else {
        Err(FieldError::new(
            "degree",
            format!("must lie in 1..={MAX_DEGREE} (got {degree})"),
        ))
    }
}

/// `[[score]] kind = "projection"` with `degree`, optionally `neighbours` and `estimate_dim`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "projection",
    parse: |table, context| {
        let spec: Spec = read_table(table, &["kind"])?;
        check_degree(spec.degree)?;
        let k = context.intrinsic_dim;
        if let Some(kk) = spec.neighbours {
            let needed = mangen_scores::coefficient_count(k, spec.degree);
            if kk <= needed {
                return Err(FieldError::new(
                    "neighbours",
                    format!(
                        "must exceed the {needed} coefficients of a degree-{} fit in k = {k} (got {kk})",
                        spec.degree
                    ),
                ));
            }
        }
        Ok(Arc::new(Projection {
            degree: spec.degree,
            neighbours: spec.neighbours,
            intrinsic_dim: (!spec.estimate_dim).then_some(k),
        }))
    },
};

impl Projection {
    /// π̂_N over a training set's index (a cell's shared one): the factory of the sweep and of
    /// `mangen score`.
    pub fn fit(&self, index: &Arc<KdTree>, schedule: Schedule) -> Result<Arc<ProjectionScore>> {
        let score =
            ProjectionScore::from_index(index.clone(), schedule, self.degree, self.intrinsic_dim)?;
        Ok(Arc::new(match self.neighbours {
            Some(kk) => score.with_neighbours(kk)?,
            None => score,
        }))
    }
}

impl ScoreBuilder for Projection {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        let mut label = format!("projection(m={}", self.degree);
        if let Some(k) = self.neighbours {
            label += &format!(",K={k}");
        }
        if self.intrinsic_dim.is_none() {
            label += ",k=estimated";
        }
        label + ")"
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        let projection = self.fit(&inputs.index, inputs.schedule)?;
        Ok(BuiltScore::with_projection(projection.clone(), projection))
    }

    fn fit_for_metrics(&self, inputs: &ScoreInputs) -> Result<Option<Arc<ProjectionScore>>> {
        Ok(Some(self.fit(&inputs.index, inputs.schedule)?))
    }

    /// The oracle projection: the exact π of M in place of π̂_N.
    fn twin(&self, inputs: &ScoreInputs) -> Result<Option<Box<dyn Score>>> {
        Ok(Some(Box::new(OracleProjection::new(
            inputs.manifold.clone(),
            inputs.schedule,
        ))))
    }
}
