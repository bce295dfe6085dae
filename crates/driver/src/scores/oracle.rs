//! `kind = "oracle"`: the exact projection of M, the ideal coarse score (geometry known exactly, density ignored).

use crate::field::no_fields;
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use anyhow::Result;
use mangen_scores::OracleProjection;
use std::sync::Arc;

/// The oracle projection score.
#[derive(Debug, Clone, PartialEq)]
pub struct Oracle;

/// `[[score]] kind = "oracle"`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "oracle",
    parse: |table, _| {
        no_fields(table, &["kind"])?;
        Ok(Arc::new(Oracle))
    },
};

impl ScoreBuilder for Oracle {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        KIND.kind.into()
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        Ok(BuiltScore::of(OracleProjection::new(
            inputs.manifold.clone(),
            inputs.schedule,
        )))
    }
}
