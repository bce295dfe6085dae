//! `kind = "fresh"`: no score at all, fresh samples of μ in place of generated ones: the null of every metric.

use crate::field::no_fields;
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use anyhow::Result;
use std::sync::Arc;

/// The fresh-sample pseudo-score.
#[derive(Debug, Clone, PartialEq)]
pub struct Fresh;

/// `[[score]] kind = "fresh"`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "fresh",
    parse: |table, _| {
        no_fields(table, &["kind"])?;
        Ok(Arc::new(Fresh))
    },
};

impl ScoreBuilder for Fresh {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        KIND.kind.into()
    }

    fn build(&self, _: &ScoreInputs) -> Result<BuiltScore> {
        Ok(BuiltScore {
            score: None,
            projection: None,
        })
    }
}
