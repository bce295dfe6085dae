//! The registry: the kinds of score a config's `[[score]]` tables and the kinds of metric its `[metrics]` entries may name, the built-in ones and a user's own.

use crate::field::FieldError;
use crate::metric::{Metric, MetricKind};
use crate::score::{ScoreBuilder, ScoreContext, ScoreKind};
use std::sync::Arc;

/// What configs may name. [`Registry::standard`] holds the built-in kinds; a user's own enter
/// with [`Registry::with_score`] and [`Registry::with_metric`] and then run in sweeps like the
/// built-in ones.
#[derive(Debug, Clone)]
pub struct Registry {
    scores: Vec<ScoreKind>,
    metrics: Vec<MetricKind>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::standard()
    }
}

impl Registry {
    /// The built-in kinds.
    pub fn standard() -> Self {
        Self {
            scores: crate::scores::KINDS.to_vec(),
            metrics: crate::metrics::KINDS.to_vec(),
        }
    }

    /// The same registry with a score kind of one's own; a kind of a known name replaces it.
    pub fn with_score(mut self, kind: ScoreKind) -> Self {
        replace_or_push(&mut self.scores, kind, |k| k.kind);
        self
    }

    /// The kinds `[[score]]` tables may name, in registry order.
    pub fn score_kinds(&self) -> Vec<&'static str> {
        self.scores.iter().map(|k| k.kind).collect()
    }

    /// Checks a `[[score]]` table (with its `kind`) into the builder of its score. An error names
    /// the field below the table.
    pub fn score(
        &self,
        table: &toml::Table,
        context: &ScoreContext,
    ) -> Result<Arc<dyn ScoreBuilder>, FieldError> {
        let kind = match table.get("kind") {
            None => return Err(FieldError::new("kind", "give the kind of the score")),
            Some(toml::Value::String(kind)) => kind,
            Some(other) => {
                return Err(FieldError::new(
                    "kind",
                    format!("must be a string (got {other})"),
                ));
            }
        };
        let Some(entry) = self.scores.iter().find(|k| k.kind == kind.as_str()) else {
            return Err(FieldError::new(
                "kind",
                format!(
                    "unknown score kind `{kind}` (known: {})",
                    self.score_kinds().join(", ")
                ),
            ));
        };
        (entry.parse)(table, context)
    }

    /// The same registry with a metric kind of one's own, whose rows come after the built-in
    /// ones; a kind with the key of a known one replaces it.
    pub fn with_metric(mut self, kind: MetricKind) -> Self {
        replace_or_push(&mut self.metrics, kind, |k| k.key);
        self
    }

    /// The keys `[metrics]` may hold, in registry order.
    pub fn metric_keys(&self) -> Vec<&'static str> {
        self.metrics.iter().map(|k| k.key).collect()
    }

    /// Checks a `[metrics]` table into the metrics it turns on, each with its key, in registry
    /// order. An error names the field below `metrics`.
    pub fn metrics(&self, table: &toml::Table) -> Result<Vec<KeyedMetric>, FieldError> {
        if let Some(unknown) = table
            .keys()
            .find(|key| !self.metrics.iter().any(|k| k.key == key.as_str()))
        {
            return Err(FieldError::new(
                unknown.clone(),
                format!(
                    "unknown metric `{unknown}` (known: {})",
                    self.metric_keys().join(", ")
                ),
            ));
        }
        let mut metrics = Vec::new();
        for kind in &self.metrics {
            if let Some(value) = table.get(kind.key) {
                let metric = (kind.parse)(value).map_err(|err| FieldError {
                    field: match err.field.as_str() {
                        "" => kind.key.to_string(),
                        field => format!("{}.{field}", kind.key),
                    },
                    rule: err.rule,
                })?;
                metrics.extend(metric.map(|metric| (kind.key, metric)));
            }
        }
        Ok(metrics)
    }
}

/// A metric turned on by a config, with the key of its `[metrics]` entry.
pub type KeyedMetric = (&'static str, Arc<dyn Metric>);

/// Puts `kind` in place of the kind of the same name in `kinds`, or after them when none has it.
fn replace_or_push<K>(kinds: &mut Vec<K>, kind: K, name: fn(&K) -> &'static str) {
    match kinds.iter_mut().find(|k| name(k) == name(&kind)) {
        Some(known) => *known = kind,
        None => kinds.push(kind),
    }
}
