//! The rows a metric measures from a cell's (N, repetition) alone (its nulls, the training atoms' distances), kept for an experiment's run and shared by every score and checkpoint of that (N, repetition).
//!
//! Such rows depend on the experiment's seed, N, the repetition and the sample count only (the
//! fresh samples and the metric's stream come from those), so whichever cell measures them
//! measures the same values: the rows do not depend on the order of the cells or on the threads.

use crate::metric::Measurement;
use anyhow::Result;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// What the shared rows of one metric depend on: N, the repetition, the sample count and the
/// metric's position in the experiment's `[metrics]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SharedKey {
    /// The training-set size N.
    pub n_train: usize,
    /// The repetition at N.
    pub repetition: usize,
    /// The number of generated (and so of fresh) samples.
    pub samples: usize,
    /// The metric's position among the experiment's metrics.
    pub metric: usize,
}

/// The shared rows measured so far in one experiment's run. Nothing waits for another cell's
/// measurement: a rayon worker blocked on it could be handed, while that measurement's own
/// parallel work runs, a cell that asks for the same key, and wait on itself. So two cells that
/// ask for a key at the same moment both measure it, and get the same rows.
#[derive(Debug, Default)]
pub struct SharedRows {
    rows: Mutex<HashMap<SharedKey, Vec<Measurement>>>,
}

impl SharedRows {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rows of `key`: measured by `measure` unless they are kept, then kept. An error is
    /// returned and not kept.
    pub fn get_or_measure(
        &self,
        key: SharedKey,
        measure: impl FnOnce() -> Result<Vec<Measurement>>,
    ) -> Result<Vec<Measurement>> {
        if let Some(rows) = self.kept().get(&key) {
            return Ok(rows.clone());
        }
        let rows = measure()?;
        Ok(self.kept().entry(key).or_insert(rows).clone())
    }

    /// How many keys have rows kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept().len()
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<SharedKey, Vec<Measurement>>> {
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(n_train: usize, metric: usize) -> SharedKey {
        SharedKey {
            n_train,
            repetition: 0,
            samples: 10,
            metric,
        }
    }

    #[test]
    fn each_key_is_measured_once_when_asked_in_turn_and_errors_are_not_kept() {
        let store = SharedRows::new();
        let calls = AtomicUsize::new(0);
        let measure = |value: f64| {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(vec![Measurement::of("null", value)])
        };
        for _ in 0..3 {
            for metric in 0..2 {
                let rows = store
                    .get_or_measure(key(100, metric), || measure(metric as f64))
                    .unwrap();
                assert_eq!(rows, vec![Measurement::of("null", metric as f64)]);
            }
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // Another N is another key.
        store.get_or_measure(key(300, 0), || measure(3.0)).unwrap();
        assert_eq!((calls.load(Ordering::SeqCst), store.len()), (3, 3));
        // Threads asking at once all get the rows first kept.
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let rows = store.get_or_measure(key(1000, 0), || measure(7.0)).unwrap();
                    assert_eq!(rows, vec![Measurement::of("null", 7.0)]);
                });
            }
        });
        assert_eq!(store.len(), 4);
        let failing = || Err(anyhow::anyhow!("no fresh samples"));
        assert!(store.get_or_measure(key(1, 0), failing).is_err());
        let rows = store.get_or_measure(key(1, 0), || measure(1.0)).unwrap();
        assert_eq!(rows, vec![Measurement::of("null", 1.0)]);
    }
}
