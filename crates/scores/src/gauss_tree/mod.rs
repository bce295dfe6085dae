//! Certified Gauss sums in span coordinates: a box tree over the span kd order whose nodes carry Taylor (Hermite) moments.
//!
//! The softmax average of the empirical score needs S0 = Σ_i W_i and S1 = Σ_i W_i x_i over the
//! span coordinates x_i, with W_i = exp(−(|u − x_i|² − L)/(2v)), u the query, v the kernel
//! variance and L the smallest |u − x_i|², so that the nearest point weighs 1 and S0 ≥ 1. The
//! tree's nodes are the ranges of the span kd order, halved down to [`LEAF`] points, with their
//! bounding boxes (centre c, half-widths w). A query walks the tree from the root and, at each
//! node of n points, either
//! - drops it, when no point of its box can weigh more than ε·S_low/N (S_low ≤ S0, see below);
//! - sums it by the Taylor expansion of f(y) = exp(−|u − c − y|²/(2v)) about y = 0: with
//!   s = (u − c)/√(2v) and the Hermite functions h_n(s) = H_n(s) e^{−s²},
//!   ∂^α f(0) = (2v)^{−|α|/2} Π_j h_{α_j}(s_j), so Σ_i f(y_i) ≈ Σ_{|α|≤P} ∂^α f(0) M_α with the
//!   node's moments M_α = Σ_i y_i^α/α!, and Σ_i f(y_i) y_i ≈ Σ_{|α|≤P} ∂^α f(0) (α_k + 1) M_{α+e_k}.
//!   The Lagrange remainder of order P + 1, bounded with Cramér's inequality
//!   |h_n(s)| ≤ K 2^{n/2} √(n!) e^{−s²/2} (K < 1.0865), is at most
//!   K^m v^{−(P+1)/2} e^{−δ²/(4v)} Σ_{|α|=P+1} Π_j w_j^{α_j}/√(α_j!) per point, δ the query's
//!   distance to the box; the expansion is used when n times that is within the node's budget,
//!   at the lowest order p ≤ P for which it is (the terms of degree ≤ p are a prefix of the
//!   graded moments, and at large v a low order suffices);
//! - sums its points one by one (a leaf, or a node with fewer than half as many points as its
//!   expansion has terms: a term costs about half what a point does), or visits its two children.
//!
//! Each node may err by ε·S_low·n/N, so S0 is off by e0 ≤ ε·S_low and S1 by e1 ≤ ε·S_low·R in
//! all (R bounds |x_i|), and since S0 ≥ 1 the average by |S1/S0 − m̂| ≤ (e1 + |m̂| e0)/S0. The bound
//! returned adds up the errors actually incurred, plus a rounding allowance for the sums and for
//! the exponents (L − |u − x|²)/(2v), whose rounding grows with L/(2v) and with their size.
//! S_low starts as the larger of 1 and Σ n·exp(−(far² − L)/(2v)) over the nodes at depth
//! [`LOWER_BOUND_DEPTH`] (far = the distance to the box's farthest corner), close to N at large t
//! where every point weighs about the same; the walk visits nearer children first and raises
//! S_low to the weight summed so far less its error. At small t the walk is a ball search, and
//! points of a leaf beyond the budget are dropped one by one.

use crate::vector_exp;
use leaf::sum_leaf;
use std::collections::HashMap;
use std::sync::OnceLock;
use terms::{TermSums, term_sums};

/// Points per leaf: leaves are summed point by point.
const LEAF: usize = 64;
/// The largest span dimension the tree takes (that of the span kd-tree).
const MAX_SPAN_DIM: usize = crate::neighbours::MAX_TREE_DIM;
/// Nodes with fewer points carry no moments: summing them directly costs about as much.
const MOMENTS_FROM: usize = 128;
/// Cramér's constant: |H_n(x)| e^{−x²/2} ≤ K 2^{n/2} √(n!) for every n ≥ 0 and real x.
const CRAMER: f64 = 1.086_435;
/// Depth of the nodes whose farthest corners give the corner lower bound of S0.
const LOWER_BOUND_DEPTH: usize = 3;

/// The highest expansion order P for span dimension m, none beyond m = 4 (the tree then only
/// drops and sums directly). A node keeps the moments of the orders with fewer terms than twice
/// its points, at most C(P + 1 + m, m) of them (2024 for m = 3), computed on first use.
fn order_for(span_dim: usize) -> Option<usize> {
    match span_dim {
        1 => Some(20),
        2 => Some(16),
        3 => Some(20),
        4 => Some(8),
        _ => None,
    }
}

/// The multi-indices α ∈ N^m with |α| ≤ P + 1 in graded order, with the tables the moments need.
#[derive(Debug)]
struct MultiIndices {
    dim: usize,
    /// Exponents, `dim` per index.
    exponents: Vec<u8>,
    /// For each degree d ≤ P + 1, how many indices have |α| ≤ d (they come first).
    up_to_degree: Vec<usize>,
    /// For α ≠ 0: (index of α − e_k, k, 1/α_k) with k the first non-zero coordinate.
    parent: Vec<(usize, usize, f64)>,
    /// For |α| ≤ P, `dim` per index: the index of α + e_k.
    raised: Vec<usize>,
    /// For |α| ≤ P, `dim` per index: α_k + 1, the factor of M_{α+e_k} in the sums of S1.
    raised_factor: Vec<f64>,
    /// For |α| ≤ P, `dim` per index: j·(P + 1) + α_j, where λ^{α_j} H_{α_j}(s_j) sits in the
    /// table of an expansion (one row of P + 1 values per coordinate).
    hermite_at: Vec<usize>,
}

impl MultiIndices {
    fn new(dim: usize, order: usize) -> Self {
        let mut all: Vec<Vec<u8>> = Vec::new();
        for degree in 0..=order + 1 {
            let mut current = vec![0u8; dim];
            compositions(degree, 0, &mut current, &mut all);
        }
        let position: HashMap<Vec<u8>, usize> = all
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), i))
            .collect();
        let degree = |a: &[u8]| a.iter().map(|&e| usize::from(e)).sum::<usize>();
        let up_to_degree: Vec<usize> = (0..=order + 1)
            .map(|d| all.iter().filter(|a| degree(a) <= d).count())
            .collect();
        let expanded = up_to_degree[order];
        let parent = all
            .iter()
            .map(|a| match a.iter().position(|&e| e > 0) {
                None => (0, 0, 1.0),
                Some(k) => {
                    let mut lower = a.clone();
                    lower[k] -= 1;
                    (position[&lower], k, 1.0 / f64::from(a[k]))
                }
            })
            .collect();
        let raised = all[..expanded]
            .iter()
            .flat_map(|a| {
                (0..dim).map(|k| {
                    let mut higher = a.clone();
                    higher[k] += 1;
                    position[&higher]
                })
            })
            .collect();
        let raised_factor = all[..expanded]
            .iter()
            .flat_map(|a| a.iter().map(|&e| f64::from(e) + 1.0))
            .collect();
        let hermite_at = all[..expanded]
            .iter()
            .flat_map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(j, &e)| j * (order + 1) + usize::from(e))
            })
            .collect();
        Self {
            dim,
            exponents: all.concat(),
            up_to_degree,
            parent,
            raised,
            raised_factor,
            hermite_at,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.parent.len()
    }

    fn exponents(&self, index: usize) -> &[u8] {
        &self.exponents[index * self.dim..(index + 1) * self.dim]
    }

    /// z^α/α! for the first `out.len()` multi-indices (a graded prefix), into `out`.
    fn scaled_monomials(&self, z: &[f64], out: &mut [f64]) {
        out[0] = 1.0;
        for index in 1..out.len() {
            let (lower, k, inverse) = self.parent[index];
            out[index] = out[lower] * z[k] * inverse;
        }
    }
}

/// Every α ∈ N^dim with |α| = `remaining` + the exponents already set, coordinates from `from`.
fn compositions(remaining: usize, from: usize, current: &mut Vec<u8>, out: &mut Vec<Vec<u8>>) {
    if from + 1 == current.len() {
        current[from] = remaining as u8;
        out.push(current.clone());
        return;
    }
    for e in (0..=remaining).rev() {
        current[from] = e as u8;
        compositions(remaining - e, from + 1, current, out);
    }
    current[from] = 0;
}

/// One node: a range of the span order with its bounding box.
#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    children: Option<[usize; 2]>,
    /// Where the node's moments and remainder sums are, for nodes that carry them.
    moments: Option<NodeMoments>,
    /// The moments are those of z = (x − c)/scale.
    scale: f64,
    /// |c| + |w|: every point of the node lies within it of the origin.
    reach: f64,
}

/// A node's expansion data: P + 1 remainder sums at `remainders` in
/// [`GaussTree::log_remainders`], and its moments of degree ≤ `order` + 1, where `order` is the
/// highest order with fewer terms than twice the node's points (a higher one is never used:
/// the node is summed point by point instead, see `visit`). The moments are computed when an
/// expansion of the node is first used: many nodes never are, and their moments would be most
/// of the build.
#[derive(Debug)]
struct NodeMoments {
    order: usize,
    remainders: usize,
    values: OnceLock<Vec<f64>>,
}

/// The tree of certified Gauss sums over the span coordinates of a training set.
#[derive(Debug)]
pub(crate) struct GaussTree {
    dim: usize,
    len: usize,
    /// P, with the multi-indices up to P + 1, when the span dimension has expansions.
    expansion: Option<(usize, MultiIndices)>,
    nodes: Vec<Node>,
    /// Centre then half-widths of each node's box, 2m values per node.
    boxes: Vec<f64>,
    /// For each node with moments, P + 1 values: ln Σ_{|α|=p+1} Π_j w_j^{α_j}/√(α_j!) for the
    /// orders p = 0..=P (−∞ for a box of one point).
    log_remainders: Vec<f64>,
    /// The nodes at [`LOWER_BOUND_DEPTH`] (or leaves above it): they partition the points.
    frontier: Vec<usize>,
}

/// What a sum found: the softmax average in span coordinates, a bound on its error, and how
/// much work it did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GaussSum {
    pub(crate) average: Vec<f64>,
    pub(crate) error_bound: f64,
    /// Points summed one by one (weights computed).
    pub(crate) summed: usize,
    /// Nodes summed by their expansion.
    pub(crate) expanded: usize,
}

/// Running sums of a walk.
struct Totals {
    s0: f64,
    s1: Vec<f64>,
    e0: f64,
    e1: f64,
    summed: usize,
    expanded: usize,
    /// The most points one node summed point by point (for the rounding allowance).
    longest_run: usize,
}

impl Totals {
    /// The least the whole weight S0 can be given the walk so far: the weight summed, less every
    /// error counted (an expansion's remainder may have either sign; a dropped node's weight is
    /// not in `s0` at all, so subtracting it too only loosens the bound).
    fn least_s0(&self) -> f64 {
        self.s0 - self.e0
    }
}

/// The order at which a node is expanded for a query.
struct Expansion {
    order: usize,
    /// The moments of degree ≤ order.
    terms: usize,
    /// ln of the remainder bound per point.
    log_per_point: f64,
}

/// What a query fixes for its walk.
struct Query<'a> {
    coordinates: &'a [f64],
    u: &'a [f64],
    nearest_sq: f64,
    two_var: f64,
    log_budget: f64,
}

impl GaussTree {
    /// The tree over `coordinates` (N × m, row-major, in span kd order).
    pub(crate) fn new(coordinates: &[f64], dim: usize) -> Self {
        assert!(
            (1..=MAX_SPAN_DIM).contains(&dim),
            "span dimension {dim} out of range"
        );
        let len = coordinates.len() / dim;
        let expansion = order_for(dim).map(|order| (order, MultiIndices::new(dim, order)));
        let mut tree = Self {
            dim,
            len,
            expansion,
            nodes: Vec::new(),
            boxes: Vec::new(),
            log_remainders: Vec::new(),
            frontier: Vec::new(),
        };
        tree.build(coordinates, 0, len, 0);
        tree
    }

    fn build(&mut self, coordinates: &[f64], start: usize, end: usize, depth: usize) -> usize {
        let m = self.dim;
        let rows = &coordinates[start * m..end * m];
        let mut lo = vec![f64::INFINITY; m];
        let mut hi = vec![f64::NEG_INFINITY; m];
        for x in rows.chunks_exact(m) {
            for j in 0..m {
                lo[j] = lo[j].min(x[j]);
                hi[j] = hi[j].max(x[j]);
            }
        }
        let centre: Vec<f64> = (0..m).map(|j| 0.5 * (lo[j] + hi[j])).collect();
        let half: Vec<f64> = (0..m).map(|j| 0.5 * (hi[j] - lo[j])).collect();
        let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
        let scale = half.iter().copied().fold(0.0, f64::max);
        let moments = match &self.expansion {
            Some((order, indices)) if end - start >= MOMENTS_FROM => {
                let remainders = self.log_remainders.len();
                self.log_remainders
                    .extend((0..=*order).map(|p| log_remainder_sum(indices, &half, p)));
                Some(NodeMoments {
                    order: (0..=*order)
                        .rev()
                        .find(|&p| indices.up_to_degree[p] < 2 * (end - start))
                        .unwrap_or(0),
                    remainders,
                    values: OnceLock::new(),
                })
            }
            _ => None,
        };
        let index = self.nodes.len();
        self.nodes.push(Node {
            start,
            end,
            children: None,
            moments,
            scale,
            reach: norm(&centre) + norm(&half),
        });
        self.boxes.extend_from_slice(&centre);
        self.boxes.extend_from_slice(&half);
        let is_leaf = end - start <= LEAF;
        if depth == LOWER_BOUND_DEPTH || (is_leaf && depth < LOWER_BOUND_DEPTH) {
            self.frontier.push(index);
        }
        if !is_leaf {
            // The same halving as the span kd order, so each child is one of its runs.
            let middle = start + (end - start) / 2;
            let low = self.build(coordinates, start, middle, depth + 1);
            let high = self.build(coordinates, middle, end, depth + 1);
            self.nodes[index].children = Some([low, high]);
        }
        index
    }

    /// The moments M_α = Σ_i z_i^α/α! of degree ≤ order + 1 of the node's points, with
    /// z = (x − c)/scale.
    fn moments_of(&self, coordinates: &[f64], node: usize, order: usize) -> Vec<f64> {
        let Some((_, indices)) = &self.expansion else {
            return Vec::new();
        };
        let m = self.dim;
        let info = &self.nodes[node];
        let len = indices.up_to_degree[order + 1];
        let mut moments = vec![0.0; len];
        let mut monomials = vec![0.0; len];
        let mut z = vec![0.0; m];
        for x in coordinates[info.start * m..info.end * m].chunks_exact(m) {
            for ((zj, xj), cj) in z.iter_mut().zip(x).zip(self.centre(node)) {
                *zj = if info.scale > 0.0 {
                    (xj - cj) / info.scale
                } else {
                    0.0
                };
            }
            indices.scaled_monomials(&z, &mut monomials);
            for (sum, v) in moments.iter_mut().zip(&monomials) {
                *sum += v;
            }
        }
        moments
    }

    fn centre(&self, node: usize) -> &[f64] {
        &self.boxes[2 * self.dim * node..2 * self.dim * node + self.dim]
    }

    fn half_widths(&self, node: usize) -> &[f64] {
        &self.boxes[2 * self.dim * node + self.dim..2 * self.dim * (node + 1)]
    }

    /// Squared distances from `u` to the nearest and the farthest point of the node's box.
    fn box_distances_sq(&self, node: usize, u: &[f64]) -> (f64, f64) {
        let (mut near, mut far) = (0.0, 0.0);
        for ((&uj, &cj), &wj) in u.iter().zip(self.centre(node)).zip(self.half_widths(node)) {
            let offset = (uj - cj).abs();
            near += (offset - wj).max(0.0).powi(2);
            far += (offset + wj).powi(2);
        }
        (near, far)
    }

    /// The softmax average of the span coordinates `coordinates` (the rows this tree was built
    /// on) around the query `u` at variance `var`, given the squared span distance L of the point
    /// nearest to `u`, with total weight error at most ε·S_low.
    pub(crate) fn average(
        &self,
        coordinates: &[f64],
        u: &[f64],
        nearest_sq: f64,
        var: f64,
        eps: f64,
    ) -> GaussSum {
        let two_var = 2.0 * var;
        let mut query = Query {
            coordinates,
            u,
            nearest_sq,
            two_var,
            log_budget: 0.0,
        };
        let corners: f64 = self
            .frontier
            .iter()
            .map(|&node| {
                let (_, far_sq) = self.box_distances_sq(node, u);
                let n = (self.nodes[node].end - self.nodes[node].start) as f64;
                n * ((nearest_sq - far_sq) / two_var).exp()
            })
            .sum();
        let budget = |lower: f64| (eps * lower / self.len as f64).ln();
        let mut lower = corners.max(1.0);
        query.log_budget = budget(lower);
        let mut totals = self.empty_totals();
        // Nearer children first: the weight summed so far, less its error, is a lower bound of
        // S0 that grows quickly, and with it the budget of the nodes that follow.
        let mut stack = vec![(0, self.box_distances_sq(0, u).0)];
        let mut visited = 0;
        while let Some((node, near_sq)) = stack.pop() {
            visited += 1;
            match self.visit(&query, node, near_sq, &mut totals) {
                Some(children) => {
                    let mut children =
                        children.map(|child| (child, self.box_distances_sq(child, u).0));
                    if children[0].1 < children[1].1 {
                        children.swap(0, 1);
                    }
                    stack.extend(children);
                }
                None => {
                    let summed_so_far = totals.least_s0();
                    if summed_so_far > lower {
                        lower = summed_so_far;
                        query.log_budget = budget(lower);
                    }
                }
            }
        }
        // Rounding of the positive sums: the terms of a node summed point by point, then one
        // addition per node; and the vectorized exponential's error in every weight summed.
        let rounding = ((totals.longest_run + self.dim + visited) as f64 * f64::EPSILON
            + vector_exp::RELATIVE_ERROR)
            * totals.s0;
        totals.e0 += rounding;
        totals.e1 += rounding * self.nodes[0].reach;
        let average: Vec<f64> = totals.s1.iter().map(|s| s / totals.s0).collect();
        let average_norm = average.iter().map(|a| a * a).sum::<f64>().sqrt();
        let s0_floor = lower.max(totals.least_s0());
        GaussSum {
            average,
            error_bound: (totals.e1 + average_norm * totals.e0) / s0_floor,
            summed: totals.summed,
            expanded: totals.expanded,
        }
    }

    fn empty_totals(&self) -> Totals {
        Totals {
            s0: 0.0,
            s1: vec![0.0; self.dim],
            e0: 0.0,
            e1: 0.0,
            summed: 0,
            expanded: 0,
            longest_run: 0,
        }
    }

    /// Drops, expands or sums one node; returns its children when it must be opened.
    fn visit(
        &self,
        query: &Query,
        node: usize,
        near_sq: f64,
        totals: &mut Totals,
    ) -> Option<[usize; 2]> {
        let info = &self.nodes[node];
        let n = (info.end - info.start) as f64;
        let log_heaviest = (query.nearest_sq - near_sq) / query.two_var;
        if log_heaviest <= query.log_budget {
            let dropped = n * log_heaviest.exp();
            totals.e0 += dropped;
            totals.e1 += dropped * info.reach;
            return None;
        }
        if let Some(expansion) = self.expansion_order(query, node, near_sq) {
            // A term of the expansion costs about half what a point does (its exp): a node with
            // fewer than half as many points as terms is cheaper to sum point by point.
            if 2 * (info.end - info.start) <= expansion.terms {
                self.sum_directly(query, node, totals);
                return None;
            }
            if self.expand(query, node, &expansion, totals) {
                return None;
            }
        }
        match info.children {
            Some(children) => Some(children),
            None => {
                self.sum_directly(query, node, totals);
                None
            }
        }
    }

    fn sum_directly(&self, query: &Query, node: usize, totals: &mut Totals) {
        let m = self.dim;
        let info = &self.nodes[node];
        let rows = &query.coordinates[info.start * m..info.end * m];
        // The span dimension as a constant, so that the loops over coordinates unroll.
        let leaf = match m {
            1 => sum_leaf::<1>(rows, query),
            2 => sum_leaf::<2>(rows, query),
            3 => sum_leaf::<3>(rows, query),
            4 => sum_leaf::<4>(rows, query),
            5 => sum_leaf::<5>(rows, query),
            6 => sum_leaf::<6>(rows, query),
            7 => sum_leaf::<7>(rows, query),
            _ => sum_leaf::<MAX_SPAN_DIM>(rows, query),
        };
        totals.s0 += leaf.s0;
        for (total, s) in totals.s1.iter_mut().zip(leaf.s1) {
            *total += s;
        }
        // Every point summed has a log-weight between the budget and about 0.
        let exponent_error =
            exponent_rounding(m, query.log_budget.abs(), query.nearest_sq / query.two_var);
        let dropped_weight = leaf.dropped as f64 * query.log_budget.exp();
        totals.e0 += dropped_weight + exponent_error * leaf.s0;
        totals.e1 += (dropped_weight + exponent_error * leaf.s0) * info.reach;
        totals.summed += info.end - info.start - leaf.dropped;
        totals.longest_run = totals.longest_run.max(info.end - info.start);
    }

    /// When the node carries moments: the lowest order p whose remainder fits the budget, with
    /// its terms (the moments of degree ≤ p) and the log of its remainder bound per point.
    fn expansion_order(&self, query: &Query, node: usize, near_sq: f64) -> Option<Expansion> {
        let (Some((order, indices)), Some(NodeMoments { remainders, .. })) =
            (&self.expansion, &self.nodes[node].moments)
        else {
            return None;
        };
        let remainders = &self.log_remainders[*remainders..][..order + 1];
        let bound = RemainderBound::new(self.dim, query.two_var, query.nearest_sq, near_sq);
        let log_per_point = |p: usize| bound.log_per_point(p, remainders[p]);
        // The top order first: where it does not fit (mostly at small t) the node is opened
        // without trying the others, which could fit before it only in boxes much wider than √v.
        if log_per_point(*order) > query.log_budget {
            return None;
        }
        let order = (0..=*order).find(|&p| log_per_point(p) <= query.log_budget)?;
        Some(Expansion {
            order,
            terms: indices.up_to_degree[order],
            log_per_point: log_per_point(order),
        })
    }

    /// Adds the node's expansion at the order found by [`Self::expansion_order`]; false when it
    /// did not come out finite.
    fn expand(
        &self,
        query: &Query,
        node: usize,
        expansion: &Expansion,
        totals: &mut Totals,
    ) -> bool {
        let Expansion {
            order,
            terms,
            log_per_point,
        } = *expansion;
        let (Some((top_order, indices)), Some(node_moments)) =
            (&self.expansion, &self.nodes[node].moments)
        else {
            return false;
        };
        let info = &self.nodes[node];
        let m = self.dim;
        let centre = self.centre(node);
        let offsets: Vec<f64> = query.u.iter().zip(centre).map(|(u, c)| u - c).collect();
        let offset_sq: f64 = offsets.iter().map(|d| d * d).sum();
        let exponent = (query.nearest_sq - offset_sq) / query.two_var;
        let prefactor = exponent.exp();
        // g_j[n] = λ^n H_n(s_j), λ = scale/√(2v), by H_{n+1} = 2s H_n − 2n H_{n−1}.
        let lambda_sq = info.scale * info.scale / query.two_var;
        let stride = top_order + 1;
        let mut hermite = vec![0.0; m * stride];
        for (j, d) in offsets.iter().enumerate() {
            let g = &mut hermite[j * stride..j * stride + order + 1];
            let a = info.scale * d / query.two_var;
            g[0] = 1.0;
            if order >= 1 {
                g[1] = 2.0 * a;
            }
            for k in 1..order {
                g[k + 1] = 2.0 * a * g[k] - 2.0 * k as f64 * lambda_sq * g[k - 1];
            }
        }
        // `visit` sums a node point by point before an order beyond its moments reaches here.
        debug_assert!(
            order <= node_moments.order,
            "order {order} beyond the node's moments"
        );
        let moments = node_moments
            .values
            .get_or_init(|| self.moments_of(query.coordinates, node, node_moments.order));
        let sums = match m {
            1 => term_sums::<1>(indices, &hermite, moments, terms),
            2 => term_sums::<2>(indices, &hermite, moments, terms),
            3 => term_sums::<3>(indices, &hermite, moments, terms),
            _ => term_sums::<4>(indices, &hermite, moments, terms),
        };
        let TermSums { s0, abs0, abs1, .. } = sums;
        let s1 = &sums.s1[..m];
        let s0 = prefactor * s0;
        let weighted_offsets: Vec<f64> = s1.iter().map(|s| prefactor * info.scale * s).collect();
        if !(s0.is_finite() && weighted_offsets.iter().all(|v| v.is_finite())) {
            return false;
        }
        let n = (info.end - info.start) as f64;
        // The terms' rounding; the prefactor's exponent; and the offsets u − c, rounded, which
        // move the query by up to ε|u − c| and so each point's exponent by up to
        // 2ε|u − c|(|u − c| + |w|)/(2v), with |u − c|²/(2v) = L/(2v) + |exponent|.
        let nearest_over_two_var = query.nearest_sq / query.two_var;
        let offset_norm = offset_sq.sqrt();
        let half_width_norm = self
            .half_widths(node)
            .iter()
            .map(|w| w * w)
            .sum::<f64>()
            .sqrt();
        let rounding = (terms + 4 * (order + m)) as f64 * f64::EPSILON
            + exponent_rounding(m, exponent.abs(), nearest_over_two_var)
            + 2.0
                * f64::EPSILON
                * (nearest_over_two_var
                    + exponent.abs()
                    + offset_norm * half_width_norm / query.two_var);
        let remainder = n * log_per_point.exp();
        let centre_norm = centre.iter().map(|c| c * c).sum::<f64>().sqrt();
        let rounding0 = rounding * prefactor * abs0;
        totals.s0 += s0;
        for ((total, &c), w) in totals.s1.iter_mut().zip(centre).zip(&weighted_offsets) {
            *total += c * s0 + w;
        }
        totals.e0 += remainder + rounding0;
        totals.e1 += remainder * info.reach
            + centre_norm * rounding0
            + rounding * prefactor * info.scale * abs1;
        totals.expanded += 1;
        true
    }
}

/// A bound on the relative error of a weight e^x whose exponent x = (L − |u − y|²)/(2v), |x| ≤
/// `exponent_abs`, is computed in floating point from m coordinates: |u − y|² within (m + 2)ε
/// of itself, so x within ((m + 2)(L/(2v) + |x|) + 3|x|)ε, to first order in ε.
fn exponent_rounding(m: usize, exponent_abs: f64, nearest_over_two_var: f64) -> f64 {
    ((m + 5) as f64 * exponent_abs + (m + 2) as f64 * nearest_over_two_var) * f64::EPSILON
}

/// The Lagrange remainder bound per point of a node's expansion, for one query: with the kernel
/// variance v, the squared distance L of the nearest training point (whose weight is 1) and the
/// squared distance δ² from the query to the node's box, the order-p remainder of a point is at
/// most K^m v^{−(p+1)/2} e^{L/(2v) − δ²/(4v)} Σ_{|α|=p+1} Π_j w_j^{α_j}/√(α_j!).
struct RemainderBound {
    /// m ln K + L/(2v) − δ²/(4v).
    common: f64,
    log_var: f64,
}

impl RemainderBound {
    fn new(dim: usize, two_var: f64, nearest_sq: f64, near_sq: f64) -> Self {
        Self {
            common: dim as f64 * CRAMER.ln() + (2.0 * nearest_sq - near_sq) / (2.0 * two_var),
            log_var: (0.5 * two_var).ln(),
        }
    }

    /// ln of the order-p bound, given ln Σ_{|α|=p+1} Π_j w_j^{α_j}/√(α_j!) (from
    /// [`log_remainder_sum`]).
    fn log_per_point(&self, p: usize, log_sum: f64) -> f64 {
        self.common + log_sum - 0.5 * (p + 1) as f64 * self.log_var
    }
}

/// ln Σ_{|α|=p+1} Π_j w_j^{α_j}/√(α_j!) over the multi-indices of degree p + 1 (p ≤ P).
fn log_remainder_sum(indices: &MultiIndices, half: &[f64], p: usize) -> f64 {
    let sum: f64 = (indices.up_to_degree[p]..indices.up_to_degree[p + 1])
        .map(|index| {
            indices
                .exponents(index)
                .iter()
                .zip(half)
                .map(|(&e, &w)| w.powi(i32::from(e)) / factorial(usize::from(e)).sqrt())
                .product::<f64>()
        })
        .sum();
    sum.ln()
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

mod leaf;
mod terms;

#[cfg(test)]
mod exact_remainder;
#[cfg(test)]
mod tests;
