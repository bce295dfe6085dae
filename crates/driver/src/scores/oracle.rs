//! `kind = "oracle"`: the exact projection of M, the ideal coarse score (geometry known exactly, density ignored).

use crate::score::{BuiltScore, Parameterless, ScoreKind};
use mangen_scores::OracleProjection;

/// The oracle projection score.
pub const ORACLE: Parameterless = Parameterless {
    kind: "oracle",
    build: |inputs| {
        Ok(BuiltScore::of(OracleProjection::new(
            inputs.manifold.clone(),
            inputs.schedule,
        )))
    },
    own_twin: true,
};

/// `[[score]] kind = "oracle"`.
pub const KIND: ScoreKind = ScoreKind {
    kind: ORACLE.kind,
    parse: |table, _| ORACLE.parse(table),
};
