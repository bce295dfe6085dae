//! `kind = "population"`: the score of μ itself, by quadrature (k = 1 and S²).

use crate::score::{BuiltScore, Parameterless, ScoreKind};
use mangen_scores::PopulationScore;

/// The population score.
pub const POPULATION: Parameterless = Parameterless {
    kind: "population",
    build: |inputs| {
        Ok(BuiltScore::of(PopulationScore::quadrature(
            inputs.measure.clone(),
            inputs.schedule,
        )?))
    },
    own_twin: true,
};

/// `[[score]] kind = "population"`.
pub const KIND: ScoreKind = ScoreKind {
    kind: POPULATION.kind,
    parse: |table, _| POPULATION.parse(table),
};
