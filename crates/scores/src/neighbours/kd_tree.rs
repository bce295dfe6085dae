//! The span kd-tree: neighbour search in the m span coordinates of the training set (SCIENCE.md §4, span trick).
//!
//! For training points in an affine subspace c + span(P), |x − x_i|² = |P(x − c) − P(x_i − c)|² +
//! |(I − P)(x − c)|², and the second term is the same for every i. The tree searches the first term
//! in m = rank coordinates (kiddo's immutable tree, one compile-time dimension for each m in
//! 1..=8); exactness is kept for points slightly off the span by bounding the second term with the
//! largest residual |(I − P)(x_i − c)| and re-ranking candidates by their full-dimensional distance.
//! A training set of rank m > 8 (data that fill R^D) is searched the same way in its 8 leading
//! principal coordinates, since the bound holds for any subspace, where a trial on training rows
//! shows that the tree passes on few candidates (a curve or surface that fills R^D); data spread
//! evenly over more than 8 directions are scanned.

use super::boxes::{BallTest, Boxes};
use super::brute::check_radius;
use super::{BruteForce, Neighbour, NeighbourIndex, sort_neighbours, squared_distance};
use crate::error::{Result, ScoreError, check_training_set};
use kiddo::{ImmutableKdTree, SquaredEuclidean};
use mangen_geometry::check_point;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use ndarray_linalg::{Eigh, UPLO};
use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

/// The most coordinates a kd-tree searches: a span of higher rank is searched in its leading
/// principal coordinates (or scanned, where that would not pay).
pub const MAX_TREE_DIM: usize = 8;

/// Training rows on which a tree over leading coordinates is tried before it is kept.
const PROBE_QUERIES: usize = 32;

/// Eigenvalues of the training covariance below this fraction of the largest count as zero
/// (singular values below 1e-6 of the largest): the numerical rank.
pub const RANK_TOLERANCE: f64 = 1e-12;

/// Which search a [`KdTree`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPath {
    /// A kd-tree over the m span coordinates.
    KdTree {
        /// The numerical rank m of the centred training set.
        span_dim: usize,
    },
    /// A kd-tree over the [`MAX_TREE_DIM`] leading principal coordinates of a span of rank
    /// m > [`MAX_TREE_DIM`], its candidates re-ranked by their full distance.
    LeadingKdTree {
        /// The numerical rank m of the centred training set.
        span_dim: usize,
    },
    /// A scan of every point: m = 0 (all points equal), or m > [`MAX_TREE_DIM`] with data spread
    /// so evenly over the directions that a tree over the leading ones would pass on most points.
    BruteForce {
        /// The numerical rank m of the centred training set.
        span_dim: usize,
    },
}

/// One kiddo tree for each supported span dimension.
enum Tree {
    D1(ImmutableKdTree<f64, 1>),
    D2(ImmutableKdTree<f64, 2>),
    D3(ImmutableKdTree<f64, 3>),
    D4(ImmutableKdTree<f64, 4>),
    D5(ImmutableKdTree<f64, 5>),
    D6(ImmutableKdTree<f64, 6>),
    D7(ImmutableKdTree<f64, 7>),
    D8(ImmutableKdTree<f64, 8>),
}

/// Runs `$body` with `$tree` bound to the tree of whatever dimension it has.
macro_rules! with_tree {
    ($value:expr, $tree:ident => $body:expr) => {
        match $value {
            Tree::D1($tree) => $body,
            Tree::D2($tree) => $body,
            Tree::D3($tree) => $body,
            Tree::D4($tree) => $body,
            Tree::D5($tree) => $body,
            Tree::D6($tree) => $body,
            Tree::D7($tree) => $body,
            Tree::D8($tree) => $body,
        }
    };
}

fn build<const K: usize>(coordinates: &Array2<f64>) -> Result<ImmutableKdTree<f64, K>> {
    let rows: Vec<[f64; K]> = coordinates
        .outer_iter()
        .map(|row| std::array::from_fn(|j| row[j]))
        .collect();
    ImmutableKdTree::new_from_slice(&rows)
        .map_err(|err| ScoreError::Linalg(format!("kd-tree construction: {err:?}")))
}

/// (row, span distance²) of every point within span distance² `radius_sq`.
fn tree_within<const K: usize>(
    tree: &ImmutableKdTree<f64, K>,
    query: &[f64],
    radius_sq: f64,
) -> Vec<(usize, f64)> {
    let q: [f64; K] = std::array::from_fn(|j| query[j]);
    tree.query(&q)
        .within::<SquaredEuclidean<f64>>(radius_sq)
        .unsorted()
        .execute()
        .into_iter()
        .map(|r| (r.item as usize, r.distance))
        .collect()
}

fn tree_nearest<const K: usize>(
    tree: &ImmutableKdTree<f64, K>,
    query: &[f64],
    k: NonZeroUsize,
) -> Vec<(usize, f64)> {
    let q: [f64; K] = std::array::from_fn(|j| query[j]);
    tree.query(&q)
        .nearest_n::<SquaredEuclidean<f64>>(k)
        .execute()
        .into_iter()
        .map(|r| (r.item as usize, r.distance))
        .collect()
}

/// A kd order of the rows of `coordinates`: split at the median of the widest coordinate,
/// recursively, down to runs of [`ORDER_LEAF`] rows (the identity where no tree runs).
/// Neighbours in the span then sit close in memory, so a ball query touches few cache lines.
pub(crate) fn span_order(coordinates: &Array2<f64>) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..coordinates.nrows()).collect();
    if (1..=MAX_TREE_DIM).contains(&coordinates.ncols()) {
        sort_into_kd_order(coordinates, &mut rows);
    }
    rows
}

/// Rows per run below which [`span_order`] stops splitting.
const ORDER_LEAF: usize = 32;

fn sort_into_kd_order(coordinates: &Array2<f64>, rows: &mut [usize]) {
    if rows.len() <= ORDER_LEAF {
        return;
    }
    let widest = (0..coordinates.ncols())
        .max_by(|&a, &b| {
            let extent = |j: usize| {
                let (lo, hi) = rows
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
                        (lo.min(coordinates[[r, j]]), hi.max(coordinates[[r, j]]))
                    });
                hi - lo
            };
            extent(a).total_cmp(&extent(b))
        })
        .expect("m ≥ 1 columns");
    let middle = rows.len() / 2;
    rows.select_nth_unstable_by(middle, |&a, &b| {
        coordinates[[a, widest]].total_cmp(&coordinates[[b, widest]])
    });
    let (low, high) = rows.split_at_mut(middle);
    sort_into_kd_order(coordinates, low);
    sort_into_kd_order(coordinates, high);
}

impl Tree {
    fn new(coordinates: &Array2<f64>) -> Result<Option<Self>> {
        Ok(Some(match coordinates.ncols() {
            1 => Tree::D1(build(coordinates)?),
            2 => Tree::D2(build(coordinates)?),
            3 => Tree::D3(build(coordinates)?),
            4 => Tree::D4(build(coordinates)?),
            5 => Tree::D5(build(coordinates)?),
            6 => Tree::D6(build(coordinates)?),
            7 => Tree::D7(build(coordinates)?),
            8 => Tree::D8(build(coordinates)?),
            _ => return Ok(None),
        }))
    }

    fn within(&self, query: &[f64], radius_sq: f64) -> Vec<(usize, f64)> {
        with_tree!(self, tree => tree_within(tree, query, radius_sq))
    }

    fn nearest(&self, query: &[f64], k: NonZeroUsize) -> Vec<(usize, f64)> {
        with_tree!(self, tree => tree_nearest(tree, query, k))
    }
}

/// A query split by the span: q = c + B y + r with r ⟂ span(B).
#[derive(Debug, Clone)]
pub struct SpanSplit {
    /// The span coordinates y = Bᵀ(q − c).
    pub coordinates: Vec<f64>,
    /// |r|, the query's distance from the affine span.
    pub perpendicular: f64,
    /// |q − c|².
    pub centred_sq: f64,
}

/// Exact neighbour search in span coordinates, with brute force where no tree fits.
pub struct KdTree {
    points: Arc<Array2<f64>>,
    centre: Array1<f64>,
    /// The numerical rank m of the centred training set.
    rank: usize,
    /// Orthonormal basis B of the searched coordinates, one column per direction (D × min(m, 8)):
    /// the span, or its leading principal directions.
    basis: Array2<f64>,
    /// Coordinates Bᵀ(x_i − c) of the training points in span order (N × min(m, 8)): rows sorted
    /// so that points close in the span sit close in memory, which the tree's items index.
    coordinates: Array2<f64>,
    /// The training row of each position of the span order.
    rows: Vec<usize>,
    /// max_i |(I − P)(x_i − c)|, P the projection onto the searched coordinates.
    residual_max: f64,
    /// max_i |x_i − c|², a scale for rounding slack.
    spread_sq: f64,
    tree: Option<Tree>,
    /// The boxes of the span order's runs, for ball counts where a tree runs (built by the
    /// first count).
    boxes: OnceLock<Boxes>,
    fallback: BruteForce,
}

impl std::fmt::Debug for KdTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KdTree")
            .field("len", &self.len())
            .field("path", &self.path())
            .finish()
    }
}

impl KdTree {
    /// Indexes the rows of `points` (N ≥ 1, finite): centre, covariance eigenbasis, numerical rank
    /// m (eigenvalues above `RANK_TOLERANCE` = 1e-12 of the largest), and a tree over the
    /// min(m, 8) leading coordinates.
    pub fn new(points: Arc<Array2<f64>>) -> Result<Self> {
        check_training_set(points.view())?;
        let points: Arc<Array2<f64>> = points.as_standard_layout().into_owned().into();
        let (n, dim) = points.dim();
        let centre = points.mean_axis(Axis(0)).expect("N ≥ 1");
        let mut covariance = Array2::<f64>::zeros((dim, dim));
        for start in (0..n).step_by(4096) {
            let block = &points.slice(s![start..(start + 4096).min(n), ..]) - &centre;
            covariance += &block.t().dot(&block);
        }
        let (values, vectors) = covariance
            .eigh(UPLO::Lower)
            .map_err(|err| ScoreError::Linalg(err.to_string()))?;
        let largest = values.iter().copied().fold(0.0, f64::max);
        let kept: Vec<usize> = (0..dim)
            .rev()
            .filter(|&j| largest > 0.0 && values[j] > RANK_TOLERANCE * largest)
            .collect();
        let rank = kept.len();
        let basis = vectors.select(Axis(1), &kept[..rank.min(MAX_TREE_DIM)]);
        let centred = &*points - &centre;
        let coordinates = centred.dot(&basis);
        let residuals = &centred - &coordinates.dot(&basis.t());
        let rows = span_order(&coordinates);
        let coordinates = coordinates.select(Axis(0), &rows);
        let residual_max = residuals
            .outer_iter()
            .map(|r| r.dot(&r).sqrt())
            .fold(0.0, f64::max);
        let spread_sq = centred.outer_iter().map(|r| r.dot(&r)).fold(0.0, f64::max);
        let tree = if kept.is_empty() {
            None
        } else {
            Tree::new(&coordinates)?
        };
        let fallback = BruteForce::new(points.clone())?;
        let mut index = Self {
            points,
            centre,
            rank,
            basis,
            coordinates,
            rows,
            residual_max,
            spread_sq,
            tree,
            boxes: OnceLock::new(),
            fallback,
        };
        if rank > MAX_TREE_DIM && !index.leading_search_pays() {
            index.tree = None;
        }
        Ok(index)
    }

    /// Whether searching the leading coordinates beats the scan for data of rank m > 8: on
    /// [`PROBE_QUERIES`] training rows spread over the set, the mean number of candidates that
    /// the tree passes on for their 16 nearest points stays below N/8. A scan touches all N
    /// points once; the tree spends more per candidate (its traversal, then the full distance),
    /// and the margin of 8 leaves room for that (measured: the tree takes 3.5× the scan's time
    /// on a 12-dimensional Gaussian sample, where its candidate sets hold most of N, and 1/85 of
    /// it on E8's curve in R^100).
    fn leading_search_pays(&self) -> bool {
        let Some(tree) = &self.tree else {
            return false;
        };
        let n = self.len();
        let k = NonZeroUsize::new(16.min(n)).expect("N ≥ 1");
        let step = n.div_ceil(PROBE_QUERIES);
        let mut probes = 0;
        let mut candidates = 0;
        for row in (0..n).step_by(step) {
            candidates += self
                .nearest_candidates(tree, self.points.row(row), k)
                .0
                .len();
            probes += 1;
        }
        8 * candidates <= probes * n
    }

    /// The search this index runs, with the numerical rank m.
    pub fn path(&self) -> SearchPath {
        let span_dim = self.rank;
        match &self.tree {
            None => SearchPath::BruteForce { span_dim },
            Some(_) if span_dim > MAX_TREE_DIM => SearchPath::LeadingKdTree { span_dim },
            Some(_) => SearchPath::KdTree { span_dim },
        }
    }

    /// The largest distance of a training point from the searched coordinates' subspace (the
    /// fitted span, or its leading directions).
    pub fn residual_max(&self) -> f64 {
        self.residual_max
    }

    /// The indexed points, one row each, in standard layout.
    pub fn points(&self) -> &Arc<Array2<f64>> {
        &self.points
    }

    /// The mean c of the training points.
    pub fn centre(&self) -> ArrayView1<'_, f64> {
        self.centre.view()
    }

    /// max_i |x_i − c|: every training point lies in the ball B(c, spread).
    pub fn spread(&self) -> f64 {
        self.spread_sq.sqrt()
    }

    /// The orthonormal basis B of the searched coordinates (D × min(m, 8): the span, or its
    /// leading directions when m > 8) and the training points' coordinates in span order
    /// (N × min(m, 8); position p holds training row `span_rows()[p]`).
    pub fn span(&self) -> (ArrayView2<'_, f64>, ArrayView2<'_, f64>) {
        (self.basis.view(), self.coordinates.view())
    }

    /// The training row at each position of the span order.
    pub fn span_rows(&self) -> &[usize] {
        &self.rows
    }

    /// The query's span coordinates and its distance from the span.
    pub fn split(&self, query: ArrayView1<f64>) -> SpanSplit {
        let centred = &query - &self.centre;
        let coordinates = self.basis.t().dot(&centred);
        let perpendicular = &centred - &self.basis.dot(&coordinates);
        SpanSplit {
            coordinates: coordinates.to_vec(),
            perpendicular: perpendicular.dot(&perpendicular).sqrt(),
            centred_sq: centred.dot(&centred),
        }
    }

    /// (position in span order, span distance²) of a superset of the points within full distance
    /// `radius` of the split query: every point whose span distance cannot rule it out. `None`
    /// when the index scans instead of searching a tree.
    pub fn span_candidates(&self, query: &SpanSplit, radius: f64) -> Option<Vec<(usize, f64)>> {
        let tree = self.tree.as_ref()?;
        let span_radius = self.span_radius_sq(radius * radius, query);
        if span_radius < 0.0 {
            return Some(Vec::new());
        }
        Some(tree.within(&query.coordinates, span_radius))
    }

    /// The position in span order and the squared span distance of the training point nearest
    /// to the split query in span coordinates (one tree search). `None` when no tree runs.
    pub fn span_nearest(&self, split: &SpanSplit) -> Option<(usize, f64)> {
        let tree = self.tree.as_ref()?;
        tree.nearest(&split.coordinates, NonZeroUsize::MIN)
            .first()
            .copied()
    }

    /// The squared distance from `query` to the training point nearest to it in span
    /// coordinates (one tree search): an upper bound on the squared distance to the nearest
    /// training point, equal to it when the points lie in their span. `None` when no tree runs.
    pub fn nearest_bound_sq(&self, query: ArrayView1<f64>, split: &SpanSplit) -> Option<f64> {
        let (position, _) = self.span_nearest(split)?;
        let index = self.rows[position];
        let dim = self.dim();
        let data = self.points.as_slice()?;
        let q = query.as_slice()?;
        Some(squared_distance(q, &data[index * dim..(index + 1) * dim]))
    }

    /// Exact neighbours among `candidates`, measured in full dimension, with d² ≤ `radius_sq`, sorted.
    fn exact(
        &self,
        query: ArrayView1<f64>,
        candidates: Vec<(usize, f64)>,
        radius_sq: f64,
    ) -> Vec<Neighbour> {
        let mut found = self.exact_unsorted(query, candidates, radius_sq);
        sort_neighbours(&mut found);
        found
    }

    /// [`KdTree::exact`] in the candidates' order.
    fn exact_unsorted(
        &self,
        query: ArrayView1<f64>,
        candidates: Vec<(usize, f64)>,
        radius_sq: f64,
    ) -> Vec<Neighbour> {
        let q = query.to_vec();
        let dim = self.dim();
        let data = self.points.as_slice().expect("standard layout");
        candidates
            .into_iter()
            .map(|(position, _)| {
                let index = self.rows[position];
                Neighbour {
                    index,
                    distance_sq: squared_distance(&q, &data[index * dim..(index + 1) * dim]),
                }
            })
            .filter(|n| n.distance_sq <= radius_sq)
            .collect()
    }

    /// The candidates of the `k` nearest points to `query` (a superset, in span order, with their
    /// span distances²) and the k-th full distance² d_k among the tree's own k nearest in span
    /// coordinates: every point within d_k in full distance is among the candidates.
    fn nearest_candidates(
        &self,
        tree: &Tree,
        query: ArrayView1<f64>,
        k: NonZeroUsize,
    ) -> (Vec<(usize, f64)>, f64) {
        let split = self.split(query);
        let first = self.exact(query, tree.nearest(&split.coordinates, k), f64::INFINITY);
        let kth = first.last().map_or(f64::INFINITY, |n| n.distance_sq);
        let radius = self.span_radius_sq(kth, &split);
        (tree.within(&split.coordinates, radius), kth)
    }

    /// Span-coordinate radius² that contains every point within full distance² `radius_sq`, with
    /// slack for rounding.
    fn span_radius_sq(&self, radius_sq: f64, query: &SpanSplit) -> f64 {
        let floor = (query.perpendicular - self.residual_max).max(0.0);
        radius_sq - floor * floor + self.rounding_slack(radius_sq, query)
    }

    /// What rounding may move a squared distance of about `radius_sq` from `query` by, with the
    /// span coordinates' own scale: the margin of every span test.
    fn rounding_slack(&self, radius_sq: f64, query: &SpanSplit) -> f64 {
        1e-10 * (radius_sq + query.centred_sq + self.spread_sq)
    }
}

impl NeighbourIndex for KdTree {
    fn len(&self) -> usize {
        self.points.nrows()
    }

    fn dim(&self) -> usize {
        self.points.ncols()
    }

    fn k_nearest(&self, query: ArrayView1<f64>, k: usize) -> Result<Vec<Neighbour>> {
        check_point(query, self.dim())?;
        let (Some(tree), Some(k)) = (&self.tree, NonZeroUsize::new(k.min(self.len()))) else {
            return self.fallback.k_nearest(query, k);
        };
        let (candidates, kth) = self.nearest_candidates(tree, query, k);
        let mut all = self.exact(query, candidates, kth);
        all.truncate(k.get());
        Ok(all)
    }

    fn within(&self, query: ArrayView1<f64>, radius: f64) -> Result<Vec<Neighbour>> {
        let mut found = self.within_unsorted(query, radius)?;
        sort_neighbours(&mut found);
        Ok(found)
    }

    fn within_unsorted(&self, query: ArrayView1<f64>, radius: f64) -> Result<Vec<Neighbour>> {
        check_point(query, self.dim())?;
        check_radius(radius)?;
        match self.span_candidates(&self.split(query), radius) {
            Some(candidates) => Ok(self.exact_unsorted(query, candidates, radius * radius)),
            None => self.fallback.within_unsorted(query, radius),
        }
    }

    /// Counts by the boxes of the span order's runs: a run is inside the ball when even the
    /// farthest corner of its box, with the largest normal part any pair can have (|r| +
    /// `residual_max`), is within the radius less a rounding slack, outside when its nearest
    /// point is beyond [`KdTree::span_candidates`]'s span radius, and otherwise opened down to
    /// points, decided by the same two tests on their span distance or else measured in full
    /// dimension: the count equals that of the points `within` lists.
    fn count_within(&self, query: ArrayView1<f64>, radius: f64) -> Result<usize> {
        check_point(query, self.dim())?;
        check_radius(radius)?;
        if self.tree.is_none() {
            return self.fallback.count_within(query, radius);
        }
        let boxes = self.boxes.get_or_init(|| Boxes::new(&self.coordinates));
        let split = self.split(query);
        let radius_sq = radius * radius;
        let normal_max = split.perpendicular + self.residual_max;
        let test = BallTest {
            coordinates: &split.coordinates,
            inside_sq: radius_sq - normal_max * normal_max - self.rounding_slack(radius_sq, &split),
            outside_sq: self.span_radius_sq(radius_sq, &split),
        };
        let q = query.to_vec();
        let dim = self.dim();
        let data = self.points.as_slice().expect("standard layout");
        let span_dim = self.coordinates.ncols();
        let span = self.coordinates.as_slice().expect("standard layout");
        // A point's span distance decides it as a box's does; only the undecided are measured
        // in full dimension.
        let exact = |position: usize| {
            let at = position * span_dim;
            let span_sq = squared_distance(&split.coordinates, &span[at..at + span_dim]);
            if span_sq > test.outside_sq {
                return false;
            }
            if span_sq <= test.inside_sq {
                return true;
            }
            let index = self.rows[position];
            squared_distance(&q, &data[index * dim..(index + 1) * dim]) <= radius_sq
        };
        Ok(boxes.count(&test, &exact))
    }
}
