//! The rows a metric measures from a cell's (N, repetition) alone (its nulls, the training atoms' distances), measured once per experiment run and shared by every score and checkpoint of that (N, repetition).
//!
//! Such rows depend on the experiment's seed, N, the repetition and the sample count only (the
//! fresh samples and the metric's stream come from those), so whichever cell measures them first
//! measures the same values: the rows do not depend on the order of the cells or on the threads.

use crate::metric::Measurement;
use anyhow::{Result, anyhow};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

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

/// A measurement's outcome, kept: its rows, or its error's message with its causes.
type Outcome = Result<Vec<Measurement>, String>;

/// The shared rows measured so far in one experiment's run, each measured once: a cell that
/// asks while another measures the same key waits for its rows.
#[derive(Debug, Default)]
pub struct SharedRows {
    slots: Mutex<HashMap<SharedKey, Arc<OnceLock<Outcome>>>>,
}

impl SharedRows {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rows of `key`: measured by `measure` the first time they are asked for, copied after.
    /// An error is kept and returned again to every later ask.
    pub fn get_or_measure(
        &self,
        key: SharedKey,
        measure: impl FnOnce() -> Result<Vec<Measurement>>,
    ) -> Result<Vec<Measurement>> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(key).or_default().clone()
        };
        slot.get_or_init(|| measure().map_err(|e| format!("{e:#}")))
            .clone()
            .map_err(|message| anyhow!(message))
    }

    /// How many keys have been measured (or are being measured).
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no key has been asked for.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
    fn each_key_is_measured_once_whoever_asks_and_errors_are_kept() {
        let store = SharedRows::new();
        let calls = AtomicUsize::new(0);
        let measure = |value: f64| {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(vec![Measurement::of("null", value)])
        };
        // Eight threads ask for two keys at once: each key is measured once, and every ask gets
        // the first measurement's rows.
        std::thread::scope(|scope| {
            for i in 0..8 {
                let (store, measure) = (&store, &measure);
                scope.spawn(move || {
                    let rows = store
                        .get_or_measure(key(100, i % 2), || measure((i % 2) as f64))
                        .unwrap();
                    assert_eq!(rows, vec![Measurement::of("null", (i % 2) as f64)]);
                });
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(store.len(), 2);
        // Another N is another key.
        store.get_or_measure(key(300, 0), || measure(3.0)).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let failing = || Err(anyhow!("no fresh samples").context("the null"));
        let first = store.get_or_measure(key(1, 0), failing).unwrap_err();
        let again = store
            .get_or_measure(key(1, 0), || measure(1.0))
            .unwrap_err();
        assert_eq!(format!("{first:#}"), "the null: no fresh samples");
        assert_eq!(format!("{again:#}"), format!("{first:#}"));
    }
}
