//! `kind = "population"`: the score of μ itself, by quadrature (k = 1 and S²).

use crate::field::no_fields;
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use anyhow::Result;
use mangen_scores::PopulationScore;
use std::sync::Arc;

/// The population score.
#[derive(Debug, Clone, PartialEq)]
pub struct Population;

/// `[[score]] kind = "population"`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "population",
    parse: |table, _| {
        no_fields(table, &["kind"])?;
        Ok(Arc::new(Population))
    },
};

impl ScoreBuilder for Population {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        KIND.kind.into()
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        Ok(BuiltScore::of(PopulationScore::quadrature(
            inputs.measure.clone(),
            inputs.schedule,
        )?))
    }
}
