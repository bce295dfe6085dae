//! The built-in score kinds, one file each; [`KINDS`] lists them.

pub mod empirical;
pub mod external;
pub mod fresh;
pub mod hybrid;
pub mod oracle;
pub mod population;
pub mod projection;
pub mod random_features;
pub mod smoothed;
pub mod trained;

use crate::score::ScoreKind;

/// The built-in score kinds.
pub const KINDS: [ScoreKind; 10] = [
    empirical::KIND,
    smoothed::KIND,
    projection::KIND,
    hybrid::KIND,
    oracle::KIND,
    population::KIND,
    trained::KIND,
    random_features::KIND,
    fresh::KIND,
    external::KIND,
];
