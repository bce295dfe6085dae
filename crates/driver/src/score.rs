//! The score seam: a checked `[[score]]` names itself, and builds its score over a cell's training set.
//!
//! A score enters a sweep through a [`ScoreKind`]: the `kind` its `[[score]]` tables carry and
//! the code that checks such a table. The built-in kinds live in `crate::scores`, one file each;
//! [`crate::registry::Registry::with_score`] adds one of a user's own.

use crate::field::FieldError;
use anyhow::Result;
use mangen_geometry::Manifold;
use mangen_measures::Measure;
use mangen_scores::{KdTree, ProjectionScore, Schedule, Score};
use ndarray::Array2;
use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::Arc;

/// What a cell gives a score to be built from.
pub struct ScoreInputs {
    /// The training set, one row per point.
    pub train: Arc<Array2<f64>>,
    /// The neighbour index over the training set, built once per cell and shared by its score
    /// and its metrics.
    pub index: Arc<KdTree>,
    /// The manifold M.
    pub manifold: Arc<dyn Manifold>,
    /// The data law μ.
    pub measure: Arc<dyn Measure>,
    /// The forward process of the experiment.
    pub schedule: Schedule,
    /// The repetition index of the cell (its N is the training set's size).
    pub repetition: usize,
    /// A seed of the cell's own, for scores that draw (a network's initial weights and batches).
    pub seed: u64,
    /// Where a score trained in the cell keeps its state at each checkpoint (the cell's progress
    /// folder in the journal), to go on from the last one after an interruption; `None` keeps
    /// nothing.
    pub states: Option<std::path::PathBuf>,
}

/// A built score and what the metrics need of it.
pub struct BuiltScore {
    /// The score; `None` for a pseudo-score whose samples are drawn otherwise (`fresh`,
    /// `external`).
    pub score: Option<Box<dyn Score>>,
    /// The projection estimate π̂_N of a projection or hybrid score, fitted once and shared with
    /// the geometry metric.
    pub projection: Option<Arc<ProjectionScore>>,
    /// Samples given as they are (an external model's, read from its file), taken in place of a
    /// sampler run; with neither a score nor these, the cell draws fresh samples of μ.
    pub samples: Option<Array2<f64>>,
    /// A trained score's networks at its checkpoint epochs, in epoch order; each is sampled and
    /// measured as a score of its own (`score` is then `None`). A checkpoint that training did
    /// not reach (it diverged first) has no network, and its rows have empty values.
    pub checkpoints: Vec<(usize, Option<Box<dyn Score>>)>,
}

impl BuiltScore {
    /// A score with no projection estimate.
    pub fn of(score: impl Score + 'static) -> Self {
        Self {
            score: Some(Box::new(score)),
            projection: None,
            samples: None,
            checkpoints: Vec::new(),
        }
    }

    /// A trained score's checkpoints, each a score of its own (or none where training stopped
    /// before it).
    pub fn of_checkpoints(checkpoints: Vec<(usize, Option<Box<dyn Score>>)>) -> Self {
        Self {
            score: None,
            projection: None,
            samples: None,
            checkpoints,
        }
    }

    /// A score with its projection estimate π̂_N.
    pub fn with_projection(score: impl Score + 'static, projection: Arc<ProjectionScore>) -> Self {
        Self {
            projection: Some(projection),
            ..Self::of(score)
        }
    }
}

/// A checked `[[score]]`: its kind, its label in reports, and how it is built in a cell.
pub trait ScoreBuilder: Debug + Send + Sync {
    /// The kind, as written in configs (`projection`).
    fn kind(&self) -> &str;

    /// The label in reports, unique within an experiment: the kind and its parameters
    /// (`projection(m=2)`).
    fn label(&self) -> String;

    /// Builds the score over a cell's training set.
    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore>;

    /// What the metrics need of the score when a cell draws no samples (π̂_N for the geometry
    /// error): by default the projection of the whole built score.
    fn fit_for_metrics(&self, inputs: &ScoreInputs) -> Result<Option<Arc<ProjectionScore>>> {
        Ok(self.build(inputs)?.projection)
    }

    /// Checks, before a sweep runs, what the score will read in its cells (N, repetition) of
    /// points in R^D (an external model's sample files), so that a sweep that cannot finish
    /// does not start. The error names the cell and the file.
    fn check_cells(&self, cells: &[(usize, usize)], ambient_dim: usize) -> Result<()> {
        let _ = (cells, ambient_dim);
        Ok(())
    }

    /// The population twin S* of the score (SCIENCE.md §9): the score the coarse score tends to
    /// as N grows with its coarseness fixed (projection → the oracle projection; hybrid → the
    /// population score above t1 and the oracle below; smoothed(h) → the population score of
    /// μ * N(0, h² I)), which the coupling metric runs from the same start with the same
    /// noise. `None` (the default) where the score has none; the population twins (oracle,
    /// population) are their own.
    fn twin(&self, inputs: &ScoreInputs) -> Result<Option<Box<dyn Score>>> {
        let _ = inputs;
        Ok(None)
    }
}

/// What a score's check may need to know of the experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreContext {
    /// The intrinsic dimension k of the manifold.
    pub intrinsic_dim: usize,
    /// The folder of the config file, against which relative paths in it are read.
    pub config_dir: PathBuf,
}

/// The check of a `[[score]]` table (its `kind` included) into the builder of its score.
pub type ParseScore = fn(&toml::Table, &ScoreContext) -> Result<Arc<dyn ScoreBuilder>, FieldError>;

/// A kind of score: the `kind` of its `[[score]]` tables and the check that turns such a table
/// (without its `kind`) into the score's builder.
#[derive(Debug, Clone, Copy)]
pub struct ScoreKind {
    /// The `kind` in configs.
    pub kind: &'static str,
    /// Checks a table.
    pub parse: ParseScore,
}

/// The builder of a kind without parameters (`oracle`, `population`, `fresh`): its label is its
/// kind, and `build` is a plain function.
#[derive(Debug, Clone, Copy)]
pub struct Parameterless {
    /// The kind, which is also the label.
    pub kind: &'static str,
    /// Builds the score in a cell.
    pub build: fn(&ScoreInputs) -> Result<BuiltScore>,
    /// Whether the score is its own population twin (oracle, population).
    pub own_twin: bool,
}

impl Parameterless {
    /// Checks that a `[[score]]` table holds nothing but its `kind`, and gives this builder.
    pub fn parse(self, table: &toml::Table) -> Result<Arc<dyn ScoreBuilder>, FieldError> {
        crate::field::no_fields(table, &["kind"])?;
        Ok(Arc::new(self))
    }
}

impl ScoreBuilder for Parameterless {
    fn kind(&self) -> &str {
        self.kind
    }

    fn label(&self) -> String {
        self.kind.into()
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        (self.build)(inputs)
    }

    fn twin(&self, inputs: &ScoreInputs) -> Result<Option<Box<dyn Score>>> {
        if self.own_twin {
            Ok(self.build(inputs)?.score)
        } else {
            Ok(None)
        }
    }
}

/// Checks a `[[score]]` table written as TOML text with `kind`'s check, on a curve (k = 1): the
/// unit tests of the built-in kinds read their tables through it.
#[cfg(test)]
pub(crate) fn parse_table(
    kind: &ScoreKind,
    text: &str,
) -> Result<std::sync::Arc<dyn ScoreBuilder>, FieldError> {
    let table: toml::Table = toml::from_str(text).unwrap();
    let context = ScoreContext {
        intrinsic_dim: 1,
        config_dir: ".".into(),
    };
    (kind.parse)(&table, &context)
}
