//! `kind = "fresh"`: no score at all, fresh samples of μ in place of generated ones: the null of every metric.

use crate::score::{BuiltScore, Parameterless, ScoreKind};

/// The fresh-sample pseudo-score: it builds no score, and the cell draws fresh samples of μ.
pub const FRESH: Parameterless = Parameterless {
    kind: "fresh",
    build: |_| {
        Ok(BuiltScore {
            score: None,
            projection: None,
            samples: None,
            checkpoints: Vec::new(),
        })
    },
    own_twin: false,
};

/// `[[score]] kind = "fresh"`.
pub const KIND: ScoreKind = ScoreKind {
    kind: FRESH.kind,
    parse: |table, _| FRESH.parse(table),
};
