//! `kind = "external"`: samples of a model trained outside mangen, read per cell from the file a template names (`samples = "runs/{n_train}-{seed}.npy"`, relative to the config's folder).

use crate::field::{FieldError, read_table};
use crate::points::read_points;
use crate::score::{BuiltScore, ScoreBuilder, ScoreInputs, ScoreKind};
use anyhow::{Context, Result};
use mangen_scores::ProjectionScore;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

/// `[[score]] kind = "external"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    samples: String,
    name: Option<String>,
}

/// The placeholders a template may hold, each filled with the cell's value.
const PLACEHOLDERS: [&str; 2] = ["{n_train}", "{seed}"];

/// The samples of a model outside mangen: one file of points per cell (`.npy` or CSV).
#[derive(Debug, Clone, PartialEq)]
pub struct External {
    /// The path template, with `{n_train}` and `{seed}` (the repetition index).
    pub template: String,
    /// The folder relative paths are read against (the config's).
    pub base: PathBuf,
    /// The label in reports (`external(<template>)` when not given).
    pub name: Option<String>,
}

impl External {
    /// The file of the cell (N, repetition).
    pub fn path(&self, n_train: usize, repetition: usize) -> PathBuf {
        let relative = self
            .template
            .replace("{n_train}", &n_train.to_string())
            .replace("{seed}", &repetition.to_string());
        self.base.join(relative)
    }

    /// The samples of the cell (N, repetition) in R^D; an error names the cell and the file.
    pub fn read(
        &self,
        n_train: usize,
        repetition: usize,
        ambient_dim: usize,
    ) -> Result<ndarray::Array2<f64>> {
        let path = self.path(n_train, repetition);
        read_points(&path, Some(ambient_dim)).with_context(|| {
            format!(
                "score {}: the samples of the cell N={n_train} · seed {repetition} ({})",
                self.label(),
                path.display()
            )
        })
    }
}

/// Checks a template: it names both placeholders and no other.
fn check_template(template: &str) -> Result<(), FieldError> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|i| open + i + 1);
        let Some(close) = close else {
            return Err(FieldError::new("samples", "a `{` without its `}`"));
        };
        let placeholder = &rest[open..close];
        if !PLACEHOLDERS.contains(&placeholder) {
            return Err(FieldError::new(
                "samples",
                format!(
                    "unknown placeholder `{placeholder}` (known: {})",
                    PLACEHOLDERS.join(", ")
                ),
            ));
        }
        rest = &rest[close..];
    }
    if let Some(missing) = PLACEHOLDERS.iter().find(|p| !template.contains(**p)) {
        return Err(FieldError::new(
            "samples",
            format!(
                "the template must hold {missing}: every cell (N, seed) reads a file of its own"
            ),
        ));
    }
    Ok(())
}

/// `[[score]] kind = "external", samples = "…/{n_train}-{seed}.npy"`, optionally `name`.
pub const KIND: ScoreKind = ScoreKind {
    kind: "external",
    parse: |table, context| {
        let spec: Spec = read_table(table, &["kind"])?;
        check_template(&spec.samples)?;
        if spec.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(FieldError::new("name", "must not be empty"));
        }
        Ok(Arc::new(External {
            template: spec.samples,
            base: context.config_dir.clone(),
            name: spec.name,
        }))
    },
};

impl ScoreBuilder for External {
    fn kind(&self) -> &str {
        KIND.kind
    }

    fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("external({})", self.template),
        }
    }

    fn build(&self, inputs: &ScoreInputs) -> Result<BuiltScore> {
        let samples = self.read(
            inputs.train.nrows(),
            inputs.repetition,
            inputs.manifold.ambient_dim(),
        )?;
        Ok(BuiltScore {
            score: None,
            projection: None,
            samples: Some(samples),
            checkpoints: Vec::new(),
        })
    }

    fn fit_for_metrics(&self, _: &ScoreInputs) -> Result<Option<Arc<ProjectionScore>>> {
        Ok(None)
    }

    fn check_cells(&self, cells: &[(usize, usize)], ambient_dim: usize) -> Result<()> {
        for &(n_train, repetition) in cells {
            self.read(n_train, repetition, ambient_dim)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn templates_name_both_placeholders_and_no_other() {
        assert!(check_template("runs/{n_train}-{seed}.npy").is_ok());
        for (template, rule) in [
            ("runs/{n}-{seed}.npy", "unknown placeholder `{n}`"),
            ("runs/{n_train}.npy", "must hold {seed}"),
            ("runs/{seed}.csv", "must hold {n_train}"),
            ("runs/{n_train}-{seed.npy", "without its `}`"),
        ] {
            let err = check_template(template).unwrap_err();
            assert_eq!(err.field, "samples");
            assert!(err.rule.contains(rule), "{template}: {}", err.rule);
        }
        let external = External {
            template: "s/{n_train}_{seed}.npy".into(),
            base: "cfg".into(),
            name: None,
        };
        assert_eq!(external.path(300, 2), Path::new("cfg/s/300_2.npy"));
        assert_eq!(external.label(), "external(s/{n_train}_{seed}.npy)");
    }
}
