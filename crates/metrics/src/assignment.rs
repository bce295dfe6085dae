//! Exact linear sum assignment of a dense n × n cost matrix: shortest augmenting paths on a sparse graph of candidate pairs, certified optimal over the whole matrix by its dual.
//!
//! Optimal transport between two samples of the same law pairs most points with near neighbours.
//! So the solver first keeps, for every row, its `k` cheapest columns and, for every column, its
//! `k` cheapest rows, and solves the assignment on that graph by Dijkstra's shortest augmenting
//! paths with dual potentials (u, v) (Jonker–Volgenant; a radix heap since the graph is sparse).
//! The potentials keep every reduced cost c_ij − u_i − v_j of the graph non-negative and those of
//! matched pairs zero. A pass over all n² pairs then checks the same of the pairs left out: when
//! none is negative, (u, v) is feasible for the dual of the full problem, and by complementary
//! slackness the matching is optimal for it (up to rounding in the potentials, as for any solver).
//! Pairs that fail the check join the graph; their rows lower their potentials, give up their
//! columns and are augmented again. Where the graph admits no perfect matching (one-dimensional
//! data, whose optimal pairs can reach as far as the samples' count discrepancy, about √n
//! neighbours), the solver keeps its matching, makes its potentials feasible for every pair and
//! quadruples the candidates, now the cheapest by reduced cost; once they would pass a quarter of
//! the columns it finishes on the full matrix with dense searches.

use crate::radix_heap::RadixHeap;
use rayon::prelude::*;

/// Candidates per row and per column of the first graph.
pub const CANDIDATES: usize = 24;

const UNMATCHED: usize = usize::MAX;

/// The column assigned to each row in a minimum-cost assignment of the row-major n × n matrix
/// `cost` (finite entries). Deterministic: the same matrix gives the same assignment.
pub fn optimal_assignment(n: usize, cost: &[f64]) -> Vec<usize> {
    assignment_with_candidates(n, cost, CANDIDATES)
}

/// The total cost Σ_i c(i, `assignment[i]`) of an assignment of the row-major n × n matrix `cost`.
pub fn assignment_cost(n: usize, cost: &[f64], assignment: &[usize]) -> f64 {
    assignment
        .iter()
        .enumerate()
        .map(|(row, &column)| cost[row * n + column])
        .sum()
}

/// [`optimal_assignment`] starting from `candidates` cheapest pairs per row and per column.
pub fn assignment_with_candidates(n: usize, cost: &[f64], candidates: usize) -> Vec<usize> {
    solve_with_candidates(n, cost, candidates).0
}

/// How the solver reached its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolverRounds {
    /// Times the candidate graph was widened fourfold (no perfect matching in it).
    pub widenings: usize,
    /// Whether it finished with dense searches over the whole matrix.
    pub dense_finish: bool,
    /// Times the certificate failed and pairs outside the graph were admitted.
    pub admissions: usize,
}

/// [`assignment_with_candidates`] with the rounds it took.
pub fn solve_with_candidates(
    n: usize,
    cost: &[f64],
    candidates: usize,
) -> (Vec<usize>, SolverRounds) {
    assert_eq!(cost.len(), n * n, "the cost matrix must be n × n");
    assert!(
        cost.iter().all(|c| c.is_finite()),
        "the costs must be finite"
    );
    let mut k = candidates.clamp(1, n.max(1));
    let (zero_rows, zero_columns) = (vec![0.0; n], vec![0.0; n]);
    let graph = candidate_graph(n, cost, &zero_rows, &zero_columns, k);
    let mut solver = Sparse::new(n, cost, graph);
    let mut rounds = SolverRounds {
        widenings: 0,
        dense_finish: false,
        admissions: 0,
    };
    loop {
        if solver.augment_free_rows() {
            let missing = solver.negative_reduced_costs();
            if missing.is_empty() {
                return (solver.column_of_row, rounds);
            }
            solver.admit(&missing);
            rounds.admissions += 1;
        } else if 16 * k <= n {
            k *= 4;
            solver.widen(k);
            rounds.widenings += 1;
        } else {
            rounds.dense_finish = true;
            return (solver.finish_dense(), rounds);
        }
    }
}

/// A pair of the candidate graph: its column and its cost, kept side by side so that a search
/// reads a row's pairs from one place instead of across the matrix.
#[derive(Clone, Copy)]
struct Edge {
    column: usize,
    cost: f64,
}

/// For each row, its candidate pairs sorted by column: the row's `k` cheapest columns by
/// c_ij − v_j and every column that has the row among its `k` cheapest rows by c_ij − u_i
/// (the cheapest by reduced cost under the potentials (u, v)).
fn candidate_graph(n: usize, cost: &[f64], u: &[f64], v: &[f64], k: usize) -> Vec<Vec<Edge>> {
    let cheapest = |entries: &mut Vec<(f64, usize)>| {
        if k < entries.len() {
            entries.select_nth_unstable_by(k - 1, |x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            entries.truncate(k);
        }
        entries.iter().map(|&(_, index)| index).collect::<Vec<_>>()
    };
    let by_row: Vec<Vec<usize>> = (0..n)
        .into_par_iter()
        .map(|row| {
            let mut entries: Vec<(f64, usize)> =
                (0..n).map(|j| (cost[row * n + j] - v[j], j)).collect();
            cheapest(&mut entries)
        })
        .collect();
    let by_column: Vec<Vec<usize>> = (0..n)
        .into_par_iter()
        .map(|column| {
            let mut entries: Vec<(f64, usize)> =
                (0..n).map(|i| (cost[i * n + column] - u[i], i)).collect();
            cheapest(&mut entries)
        })
        .collect();
    let mut graph = by_row;
    for (column, rows) in by_column.iter().enumerate() {
        for &row in rows {
            graph[row].push(column);
        }
    }
    graph
        .into_iter()
        .enumerate()
        .map(|(row, mut columns)| {
            columns.sort_unstable();
            columns.dedup();
            columns
                .into_iter()
                .map(|column| Edge {
                    column,
                    cost: cost[row * n + column],
                })
                .collect()
        })
        .collect()
}

/// min over the (column, cost) `pairs` of a row of c_ij − v_j: the largest potential u_i that
/// keeps their reduced costs non-negative.
fn cheapest_reduced(pairs: impl IntoIterator<Item = (usize, f64)>, v: &[f64]) -> f64 {
    pairs
        .into_iter()
        .map(|(column, cost)| cost - v[column])
        .fold(f64::INFINITY, f64::min)
}

/// A row's pairs in the candidate graph, as (column, cost).
fn pairs(edges: &[Edge]) -> impl Iterator<Item = (usize, f64)> + '_ {
    edges.iter().map(|edge| (edge.column, edge.cost))
}

/// A row's pairs over all columns, as (column, cost).
fn all_pairs(row_costs: &[f64]) -> impl Iterator<Item = (usize, f64)> + '_ {
    row_costs.iter().copied().enumerate()
}

/// The shortest-augmenting-path solver on the candidate graph.
struct Sparse<'a> {
    n: usize,
    cost: &'a [f64],
    graph: Vec<Vec<Edge>>,
    u: Vec<f64>,
    v: Vec<f64>,
    column_of_row: Vec<usize>,
    row_of_column: Vec<usize>,
    distance: Vec<f64>,
    settled: Vec<bool>,
    predecessor: Vec<usize>,
}

impl<'a> Sparse<'a> {
    /// Feasible starting potentials: v_j the cheapest cost of column j in the graph, u_i the
    /// cheapest reduced cost of row i; then every row takes a free column of zero reduced cost.
    fn new(n: usize, cost: &'a [f64], graph: Vec<Vec<Edge>>) -> Self {
        let mut v = vec![f64::INFINITY; n];
        for edge in graph.iter().flatten() {
            v[edge.column] = v[edge.column].min(edge.cost);
        }
        let u: Vec<f64> = graph
            .iter()
            .map(|edges| cheapest_reduced(pairs(edges), &v))
            .collect();
        let mut column_of_row = vec![UNMATCHED; n];
        let mut row_of_column = vec![UNMATCHED; n];
        for (row, edges) in graph.iter().enumerate() {
            let tight_and_free = pairs(edges).find_map(|(column, cost)| {
                (row_of_column[column] == UNMATCHED && cost - u[row] - v[column] <= 0.0)
                    .then_some(column)
            });
            if let Some(column) = tight_and_free {
                column_of_row[row] = column;
                row_of_column[column] = row;
            }
        }
        Self {
            n,
            cost,
            graph,
            u,
            v,
            column_of_row,
            row_of_column,
            distance: vec![f64::INFINITY; n],
            settled: vec![false; n],
            predecessor: vec![UNMATCHED; n],
        }
    }

    /// Augments every unmatched row; false when the graph has no perfect matching (some row's
    /// alternating paths all end in matched columns: it stays unmatched).
    fn augment_free_rows(&mut self) -> bool {
        debug_assert!(
            self.v.iter().all(|v| v.is_finite()),
            "every column has a candidate row"
        );
        let mut heap = RadixHeap::new();
        let mut touched = Vec::new();
        let mut settled_order = Vec::new();
        let mut complete = true;
        for start in 0..self.n {
            if self.column_of_row[start] == UNMATCHED {
                complete &= self.augment(start, &mut heap, &mut touched, &mut settled_order);
                for &column in &touched {
                    self.distance[column] = f64::INFINITY;
                    self.settled[column] = false;
                }
                touched.clear();
                settled_order.clear();
                heap.clear();
            }
        }
        complete
    }

    /// The pairs outside the graph whose reduced cost is negative: where the certificate fails.
    fn negative_reduced_costs(&self) -> Vec<(usize, usize)> {
        let n = self.n;
        (0..n)
            .into_par_iter()
            .flat_map_iter(|row| {
                let u = self.u[row];
                let edges = &self.graph[row];
                self.cost[row * n..(row + 1) * n]
                    .iter()
                    .zip(&self.v)
                    .enumerate()
                    .filter(move |&(column, (&c, &v))| {
                        c - u - v < 0.0
                            && edges
                                .binary_search_by_key(&column, |edge| edge.column)
                                .is_err()
                    })
                    .map(move |(column, _)| (row, column))
            })
            .collect()
    }

    /// Adds the `missing` pairs to the graph; each of their rows lowers its potential until its
    /// reduced costs are non-negative again and gives up its column, to be augmented anew.
    fn admit(&mut self, missing: &[(usize, usize)]) {
        let n = self.n;
        for &(row, column) in missing {
            let edges = &mut self.graph[row];
            let at = edges
                .binary_search_by_key(&column, |edge| edge.column)
                .unwrap_or_else(|at| at);
            let cost = self.cost[row * n + column];
            edges.insert(at, Edge { column, cost });
        }
        for &(row, _) in missing {
            let lowest = cheapest_reduced(pairs(&self.graph[row]), &self.v);
            self.release_row(row, self.u[row].min(lowest));
        }
    }

    /// Makes the potentials feasible for every pair, then widens the graph to the `k` cheapest
    /// pairs per row and per column by reduced cost (keeping every pair it had).
    fn widen(&mut self, k: usize) {
        self.lower_rows_over_all_columns();
        let wider = candidate_graph(self.n, self.cost, &self.u, &self.v, k);
        for (edges, more) in self.graph.iter_mut().zip(wider) {
            edges.extend(more);
            edges.sort_unstable_by_key(|edge| edge.column);
            edges.dedup_by_key(|edge| edge.column);
        }
    }

    /// Lowers every row's potential to its cheapest reduced cost over all columns; a row whose
    /// potential falls gives up its column, to be augmented anew.
    fn lower_rows_over_all_columns(&mut self) {
        let n = self.n;
        let cheapest: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|row| cheapest_reduced(all_pairs(&self.cost[row * n..(row + 1) * n]), &self.v))
            .collect();
        for (row, &lowest) in cheapest.iter().enumerate() {
            if lowest < self.u[row] {
                self.release_row(row, lowest);
            }
        }
    }

    /// Sets the potential of `row` and unmatches it, to be augmented anew.
    fn release_row(&mut self, row: usize, potential: f64) {
        self.u[row] = potential;
        let column = std::mem::replace(&mut self.column_of_row[row], UNMATCHED);
        if column != UNMATCHED {
            self.row_of_column[column] = UNMATCHED;
        }
    }

    /// Dijkstra from `start` over reduced costs to the nearest free column, then the potential
    /// update that keeps reduced costs non-negative and the flip of the alternating path.
    fn augment(
        &mut self,
        start: usize,
        heap: &mut RadixHeap<usize>,
        touched: &mut Vec<usize>,
        settled_order: &mut Vec<usize>,
    ) -> bool {
        let (mut row, mut row_distance) = (start, 0.0);
        let sink = loop {
            for &Edge { column, cost } in &self.graph[row] {
                if self.settled[column] {
                    continue;
                }
                let reduced = cost - self.u[row] - self.v[column];
                let through_row = row_distance + reduced.max(0.0);
                if through_row < self.distance[column] {
                    if self.distance[column].is_infinite() {
                        touched.push(column);
                    }
                    self.distance[column] = through_row;
                    self.predecessor[column] = row;
                    heap.push(through_row, column);
                }
            }
            let column = loop {
                let Some((distance, column)) = heap.pop() else {
                    return false;
                };
                if !self.settled[column] && distance == self.distance[column] {
                    break column;
                }
            };
            self.settled[column] = true;
            settled_order.push(column);
            match self.row_of_column[column] {
                UNMATCHED => break column,
                matched => (row, row_distance) = (matched, self.distance[column]),
            }
        };
        self.apply_path(start, sink, settled_order);
        true
    }

    /// After a search from `start` settled `settled_order` and reached the free column `sink`:
    /// shifts the potentials so that reduced costs stay non-negative and the path becomes
    /// tight, then flips the matching along the path.
    fn apply_path(&mut self, start: usize, sink: usize, settled_order: &[usize]) {
        let total = self.distance[sink];
        self.u[start] += total;
        for &column in settled_order.iter().filter(|&&column| column != sink) {
            let shift = total - self.distance[column];
            self.u[self.row_of_column[column]] += shift;
            self.v[column] -= shift;
        }
        let mut column = sink;
        loop {
            let row = self.predecessor[column];
            self.row_of_column[column] = row;
            let previous = std::mem::replace(&mut self.column_of_row[row], column);
            if row == start {
                return;
            }
            column = previous;
        }
    }

    /// Finishes on the full matrix: every row lowers its potential to its cheapest reduced cost
    /// over all columns (giving up its column if that lowered it), then each free row is
    /// augmented by a dense search (a scan of the unsettled columns per step, as in SciPy).
    fn finish_dense(mut self) -> Vec<usize> {
        let n = self.n;
        self.lower_rows_over_all_columns();
        let mut unsettled = Vec::with_capacity(n);
        let mut settled_order = Vec::new();
        for start in 0..n {
            if self.column_of_row[start] != UNMATCHED {
                continue;
            }
            unsettled.clear();
            unsettled.extend(0..n);
            settled_order.clear();
            self.distance.fill(f64::INFINITY);
            let (mut row, mut row_distance) = (start, 0.0);
            let sink = loop {
                let (mut nearest, mut lowest) = (0, f64::INFINITY);
                for (at, &column) in unsettled.iter().enumerate() {
                    let reduced = self.cost[row * n + column] - self.u[row] - self.v[column];
                    let through_row = row_distance + reduced.max(0.0);
                    if through_row < self.distance[column] {
                        self.distance[column] = through_row;
                        self.predecessor[column] = row;
                    }
                    let distance = self.distance[column];
                    if distance < lowest
                        || (distance == lowest && self.row_of_column[column] == UNMATCHED)
                    {
                        (nearest, lowest) = (at, distance);
                    }
                }
                let column = unsettled.swap_remove(nearest);
                settled_order.push(column);
                match self.row_of_column[column] {
                    UNMATCHED => break column,
                    matched => (row, row_distance) = (matched, lowest),
                }
            };
            self.apply_path(start, sink, &settled_order);
        }
        self.column_of_row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cheapest_pairs_need_not_be_the_answer() {
        // Column 2 is dear for every row; it goes to row 0, whose other pairs are cheapest to lose.
        let cost = [0.0, 1.0, 9.0, 0.5, 0.0, 9.0, 0.1, 0.2, 10.0];
        let assignment = assignment_with_candidates(3, &cost, 1);
        assert_eq!(assignment, vec![2, 1, 0]);
        assert!((assignment_cost(3, &cost, &assignment) - 9.1).abs() < 1e-12);
    }

    #[test]
    fn a_graph_without_perfect_matching_is_finished_densely() {
        // With one candidate per row and column, rows 0 and 1 both list only column 0.
        let cost = [0.0, 5.0, 6.0, 0.0, 5.0, 7.0, 3.0, 3.0, 3.0];
        let assignment = assignment_with_candidates(3, &cost, 1);
        assert_eq!(assignment_cost(3, &cost, &assignment), 0.0 + 5.0 + 3.0);
    }
}
