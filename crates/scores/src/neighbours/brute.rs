//! The brute-force neighbour index: O(N·D) per query, the oracle every faster index is tested against.

use super::{Neighbour, NeighbourIndex, sort_neighbours, squared_distance};
use crate::error::{Result, ScoreError, check_training_set};
use mangen_geometry::check_point;
use ndarray::{Array2, ArrayView1};
use std::sync::Arc;

/// Scans every training point.
#[derive(Debug, Clone)]
pub struct BruteForce {
    points: Arc<Array2<f64>>,
}

impl BruteForce {
    /// Indexes the rows of `points` (N ≥ 1, finite).
    pub fn new(points: Arc<Array2<f64>>) -> Result<Self> {
        check_training_set(points.view())?;
        Ok(Self {
            points: points.as_standard_layout().into_owned().into(),
        })
    }

    fn scan(&self, query: ArrayView1<f64>, keep: impl Fn(f64) -> bool) -> Result<Vec<Neighbour>> {
        check_point(query, self.dim())?;
        let q = query.to_vec();
        let data = self.points.as_slice().expect("standard layout");
        Ok(data
            .chunks_exact(self.dim())
            .enumerate()
            .map(|(index, row)| Neighbour {
                index,
                distance_sq: squared_distance(&q, row),
            })
            .filter(|n| keep(n.distance_sq))
            .collect())
    }
}

impl NeighbourIndex for BruteForce {
    fn len(&self) -> usize {
        self.points.nrows()
    }

    fn dim(&self) -> usize {
        self.points.ncols()
    }

    fn k_nearest(&self, query: ArrayView1<f64>, k: usize) -> Result<Vec<Neighbour>> {
        let mut all = self.scan(query, |_| true)?;
        let k = k.min(all.len());
        if k < all.len() && k > 0 {
            all.select_nth_unstable_by(k - 1, |a, b| {
                a.distance_sq
                    .total_cmp(&b.distance_sq)
                    .then(a.index.cmp(&b.index))
            });
        }
        all.truncate(k);
        sort_neighbours(&mut all);
        Ok(all)
    }

    fn within(&self, query: ArrayView1<f64>, radius: f64) -> Result<Vec<Neighbour>> {
        let mut found = self.within_unsorted(query, radius)?;
        sort_neighbours(&mut found);
        Ok(found)
    }

    fn within_unsorted(&self, query: ArrayView1<f64>, radius: f64) -> Result<Vec<Neighbour>> {
        check_radius(radius)?;
        self.scan(query, |d2| d2 <= radius * radius)
    }
}

/// A search radius must be finite and ≥ 0.
pub fn check_radius(radius: f64) -> Result<()> {
    if radius.is_finite() && radius >= 0.0 {
        Ok(())
    } else {
        Err(ScoreError::InvalidParameter {
            name: "radius",
            value: radius,
            rule: "must be finite and ≥ 0",
        })
    }
}
