//! `kind = "empirical"`: the empirical score of the training set (the memorizer), its Gauss sums certified to `eps`.

use crate::field::{FieldError, read_table};
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use anyhow::Result;
use mangen_scores::{EmpiricalScore, KdTree, Schedule, Truncation};
use serde::Deserialize;
use std::sync::Arc;

/// `[[score]] kind = "empirical"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    eps: Option<f64>,
}

/// The memorizer.
#[derive(Debug, Clone, PartialEq)]
pub struct Empirical {
    /// Certified truncation tolerance in (0, 1); `Truncation::DEFAULT_EPS` when `None`.
    pub eps: Option<f64>,
}

/// `[[score]] kind = "empirical"`, optionally with `eps`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "empirical",
    parse: |table, _| {
        let spec: Spec = read_table(table, &["kind"])?;
        if let Some(eps) = spec.eps
            && !(eps > 0.0 && eps < 1.0)
        {
            return Err(FieldError::new(
                "eps",
                format!("must lie in (0, 1) (got {eps})"),
            ));
        }
        Ok(Arc::new(Empirical { eps: spec.eps }))
    },
};

/// The empirical score over a training set's index (a cell's shared one), certified to `eps`
/// (the default when `None`) and smoothed by `h` when given: the factory of the sweep, of
/// `mangen score` and of `mangen compare`.
pub fn empirical_score(
    index: &Arc<KdTree>,
    schedule: Schedule,
    eps: Option<f64>,
    h: Option<f64>,
) -> Result<EmpiricalScore> {
    let eps = eps.unwrap_or(Truncation::DEFAULT_EPS);
    let score = EmpiricalScore::from_index(index.clone(), schedule)?
        .with_truncation(Truncation::Certified { eps })?;
    Ok(match h {
        Some(h) => score.with_bandwidth(h)?,
        None => score,
    })
}

impl ScoreBuilder for Empirical {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        match self.eps {
            None => "empirical".into(),
            Some(eps) => format!("empirical(eps={eps})"),
        }
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        Ok(BuiltScore::of(empirical_score(
            &inputs.index,
            inputs.schedule,
            self.eps,
            None,
        )?))
    }
}
