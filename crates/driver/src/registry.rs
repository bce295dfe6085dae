//! The registry: the kinds of metric a config's `[metrics]` table may name, the built-in ones and a user's own.

use crate::field::FieldError;
use crate::metric::{Metric, MetricKind};
use std::sync::Arc;

/// What configs may name. [`Registry::standard`] holds the built-in kinds; a user's own enter
/// with [`Registry::with_metric`] and then run in sweeps like the built-in ones.
#[derive(Debug, Clone)]
pub struct Registry {
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
            metrics: crate::metrics::KINDS.to_vec(),
        }
    }

    /// The same registry with a metric kind of one's own, whose rows come after the built-in
    /// ones; a kind with the key of a known one replaces it.
    pub fn with_metric(mut self, kind: MetricKind) -> Self {
        match self.metrics.iter_mut().find(|k| k.key == kind.key) {
            Some(known) => *known = kind,
            None => self.metrics.push(kind),
        }
        self
    }

    /// The keys `[metrics]` may hold, in registry order.
    pub fn metric_keys(&self) -> Vec<&'static str> {
        self.metrics.iter().map(|k| k.key).collect()
    }

    /// Checks a `[metrics]` table into the metrics it turns on, in registry order. An error
    /// names the field below `metrics`.
    pub fn metrics(&self, table: &toml::Table) -> Result<Vec<Arc<dyn Metric>>, FieldError> {
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
                metrics.extend(metric);
            }
        }
        Ok(metrics)
    }
}
