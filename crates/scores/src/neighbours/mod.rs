//! Exact neighbour search over a training set: the `NeighbourIndex` trait, a brute-force oracle and a span kd-tree.

mod boxes;
mod brute;
mod kd_tree;

pub use brute::BruteForce;
#[cfg(test)]
pub(crate) use kd_tree::span_order;
pub use kd_tree::{KdTree, MAX_TREE_DIM, SearchPath, SpanSplit};

use crate::error::Result;
use ndarray::ArrayView1;

/// A training point found by a query, with its squared Euclidean distance to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// Row of the training set.
    pub index: usize,
    /// Squared distance |q − x_index|², computed in the full ambient space.
    pub distance_sq: f64,
}

/// Exact neighbour queries. Results are sorted by (distance², index), so that two exact indexes
/// over the same points return identical lists.
pub trait NeighbourIndex: Send + Sync {
    /// Number of indexed points N.
    fn len(&self) -> usize;

    /// True when N = 0 (never, for indexes built by this crate).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ambient dimension D.
    fn dim(&self) -> usize;

    /// The `k` nearest points (fewer when N < k).
    fn k_nearest(&self, query: ArrayView1<f64>, k: usize) -> Result<Vec<Neighbour>>;

    /// Every point with |q − x_i| ≤ radius.
    fn within(&self, query: ArrayView1<f64>, radius: f64) -> Result<Vec<Neighbour>>;

    /// The same set as [`NeighbourIndex::within`] in an order of the index's choosing (the same
    /// for the same index and query), for callers that do not need it sorted.
    fn within_unsorted(&self, query: ArrayView1<f64>, radius: f64) -> Result<Vec<Neighbour>> {
        self.within(query, radius)
    }

    /// The number of points with |q − x_i| ≤ radius: the length of [`NeighbourIndex::within`],
    /// which an index may count without listing them.
    fn count_within(&self, query: ArrayView1<f64>, radius: f64) -> Result<usize> {
        Ok(self.within_unsorted(query, radius)?.len())
    }
}

/// Sorts by (distance², index): the canonical order of query results.
pub fn sort_neighbours(found: &mut [Neighbour]) {
    found.sort_by(|a, b| {
        a.distance_sq
            .total_cmp(&b.distance_sq)
            .then(a.index.cmp(&b.index))
    });
}

/// |a − b|² over equal-length slices.
pub fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}
