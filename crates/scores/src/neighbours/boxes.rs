//! Bounding boxes of the span kd order's runs, for counting the points in a ball without listing them.
//!
//! The runs are the ranges of positions that the kd order's median splits make, halved down to
//! [`LEAF`] positions; each carries the bounding box of its points' span coordinates. A count
//! takes a whole run where even its box's farthest corner is inside the ball, skips it where its
//! nearest point is outside, and opens it otherwise, so its cost follows the ball's surface rather
//! than the number of points inside.

use ndarray::Array2;

/// Positions per leaf run, summed point by point.
const LEAF: usize = 32;

/// One run of positions `start..end`. Its first half follows it in pre-order; `right` is the
/// index of its second half, 0 for a leaf.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    end: usize,
    right: usize,
}

/// The runs in pre-order with their boxes (the lower corner then the upper, `dim` each).
#[derive(Debug)]
pub(crate) struct Boxes {
    dim: usize,
    runs: Vec<Run>,
    corners: Vec<f64>,
}

/// How a count decides about the points of a box, from squared span distances.
pub(crate) struct BallTest<'a> {
    /// The query's span coordinates.
    pub coordinates: &'a [f64],
    /// Every point whose squared span distance is at most this is in the ball.
    pub inside_sq: f64,
    /// No point whose squared span distance exceeds this is in the ball.
    pub outside_sq: f64,
}

impl Boxes {
    /// The runs of the positions of `coordinates` (rows in kd order, N ≥ 1).
    pub(crate) fn new(coordinates: &Array2<f64>) -> Self {
        let mut boxes = Self {
            dim: coordinates.ncols(),
            runs: Vec::new(),
            corners: Vec::new(),
        };
        boxes.push(coordinates, 0, coordinates.nrows());
        boxes
    }

    fn push(&mut self, coordinates: &Array2<f64>, start: usize, end: usize) -> usize {
        let index = self.runs.len();
        self.runs.push(Run {
            start,
            end,
            right: 0,
        });
        let rows = coordinates.slice(ndarray::s![start..end, ..]);
        for fold in [f64::min, f64::max] {
            for column in rows.columns() {
                let first = column[0];
                self.corners
                    .push(column.iter().fold(first, |a, &b| fold(a, b)));
            }
        }
        if end - start > LEAF {
            let middle = start + (end - start) / 2;
            self.push(coordinates, start, middle);
            self.runs[index].right = self.push(coordinates, middle, end);
        }
        index
    }

    /// The number of positions p whose point is in the ball: whole runs where `test` decides,
    /// `exact(p)` for each position of a run it cannot.
    pub(crate) fn count(&self, test: &BallTest, exact: &impl Fn(usize) -> bool) -> usize {
        self.count_run(0, test, exact)
    }

    fn count_run(&self, index: usize, test: &BallTest, exact: &impl Fn(usize) -> bool) -> usize {
        let run = self.runs[index];
        let (near_sq, far_sq) = self.distances_sq(index, test.coordinates);
        if near_sq > test.outside_sq {
            0
        } else if far_sq <= test.inside_sq {
            run.end - run.start
        } else if run.right == 0 {
            (run.start..run.end).filter(|&p| exact(p)).count()
        } else {
            self.count_run(index + 1, test, exact) + self.count_run(run.right, test, exact)
        }
    }

    /// The squared span distances from `query` to the nearest and the farthest point of a box.
    fn distances_sq(&self, index: usize, query: &[f64]) -> (f64, f64) {
        let corners = &self.corners[2 * self.dim * index..2 * self.dim * (index + 1)];
        let (low, high) = corners.split_at(self.dim);
        let mut near_sq = 0.0;
        let mut far_sq = 0.0;
        for ((&q, &lo), &hi) in query.iter().zip(low).zip(high) {
            let near = (lo - q).max(q - hi).max(0.0);
            let far = (q - lo).abs().max((hi - q).abs());
            near_sq += near * near;
            far_sq += far * far;
        }
        (near_sq, far_sq)
    }
}
