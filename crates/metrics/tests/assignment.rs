//! The sparse-then-certified assignment solver against SciPy's algorithm (the `lsap` crate) on random, tied and geometric cost matrices, from every number of starting candidates.

use mangen_geometry::rng;
use mangen_metrics::assignment::{
    assignment_cost, assignment_with_candidates, optimal_assignment, solve_with_candidates,
};
use proptest::prelude::*;
use rand::RngExt;

/// The optimal total by the dense shortest-augmenting-path solver.
fn oracle_total(cost: &Vec<f64>, n: usize) -> f64 {
    let (rows, columns) = lsap::solve(n, n, cost, false).expect("a finite square matrix");
    rows.iter()
        .zip(&columns)
        .map(|(&i, &j)| cost[i * n + j])
        .sum()
}

fn is_permutation(assignment: &[usize]) -> bool {
    let mut seen = vec![false; assignment.len()];
    assignment
        .iter()
        .all(|&column| column < seen.len() && !std::mem::replace(&mut seen[column], true))
}

/// Costs of four kinds: uniform, small integers (many ties), squared distances of points of the
/// plane, and of points of a circle (one-dimensional data, where optimal pairs reach far).
fn matrix(n: usize, kind: u8, seed: u64) -> Vec<f64> {
    let mut r = rng::seeded(seed);
    match kind {
        0 => (0..n * n).map(|_| r.random_range(0.0..1.0)).collect(),
        1 => (0..n * n)
            .map(|_| f64::from(r.random_range(0u8..4)))
            .collect(),
        _ => {
            let mut plane = |count: usize| -> Vec<[f64; 2]> {
                (0..count)
                    .map(|_| {
                        if kind == 2 {
                            [r.random_range(-1.0..1.0), r.random_range(-1.0..1.0)]
                        } else {
                            let angle: f64 = r.random_range(0.0..std::f64::consts::TAU);
                            [angle.cos(), angle.sin()]
                        }
                    })
                    .collect()
            };
            let (a, b) = (plane(n), plane(n));
            a.iter()
                .flat_map(|x| {
                    b.iter()
                        .map(move |y| (x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2))
                })
                .collect()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_start_reaches_the_optimum(n in 1usize..50, kind in 0u8..4, candidates in 1usize..6, seed in 0u64..100_000) {
        let cost = matrix(n, kind, seed);
        let assignment = assignment_with_candidates(n, &cost, candidates);
        prop_assert!(is_permutation(&assignment));
        let (found, optimum) = (assignment_cost(n, &cost, &assignment), oracle_total(&cost, n));
        prop_assert!((found - optimum).abs() <= 1e-12 * (1.0 + optimum), "{found} vs {optimum}");
    }

    #[test]
    fn permuting_the_columns_permutes_the_answer_and_keeps_the_total(n in 2usize..40, seed in 0u64..100_000) {
        let cost = matrix(n, 2, seed);
        let shift = (seed as usize) % n;
        let permuted: Vec<f64> = (0..n * n)
            .map(|index| cost[(index / n) * n + (index % n + shift) % n])
            .collect();
        let (a, b) = (optimal_assignment(n, &cost), optimal_assignment(n, &permuted));
        let (total_a, total_b) = (assignment_cost(n, &cost, &a), assignment_cost(n, &permuted, &b));
        prop_assert!((total_a - total_b).abs() <= 1e-12 * (1.0 + total_a));
    }
}

/// A permutation whose total is the dense solver's optimum (to 1e-12 relative).
fn assert_optimal(n: usize, cost: &Vec<f64>, assignment: &[usize], what: &str) {
    assert!(is_permutation(assignment), "{what}");
    let (found, optimum) = (assignment_cost(n, cost, assignment), oracle_total(cost, n));
    assert!(
        (found - optimum).abs() <= 1e-12 * optimum,
        "{what}: {found} vs {optimum}"
    );
}

#[test]
fn large_geometric_problems_match_the_dense_solver() {
    for (n, kind, seed) in [(300, 2, 1), (1000, 2, 2), (1000, 3, 3)] {
        let cost = matrix(n, kind, seed);
        assert_optimal(n, &cost, &optimal_assignment(n, &cost), &format!("n = {n}"));
    }
}

#[test]
fn the_empty_problem_has_the_empty_answer() {
    assert!(optimal_assignment(0, &[]).is_empty());
}

/// Points of a circle are one-dimensional data: optimal pairs reach about √n neighbours, so a
/// graph started from one or two candidates per row has no perfect matching and is widened
/// fourfold, again and again. Every such solve must still reach the dense solver's optimum.
#[test]
#[allow(clippy::print_stdout)]
fn graphs_widened_twice_or_more_reach_the_optimum() {
    for (n, candidates, seed) in [
        (64, 1, 11),
        (300, 1, 12),
        (300, 2, 13),
        (2000, 1, 14),
        (2000, 2, 15),
    ] {
        let cost = matrix(n, 3, seed);
        let (assignment, rounds) = solve_with_candidates(n, &cost, candidates);
        let what = format!("n = {n}, {candidates} candidate(s): {rounds:?}");
        println!("{what}");
        assert_optimal(n, &cost, &assignment, &what);
        assert!(rounds.widenings >= 2, "n = {n}: {rounds:?}");
        // Fourfold widening reaches the √n reach of the pairs in log₄ steps, long before the
        // dense finish (at a quarter of the columns).
        let enough = (2.0 * (n as f64).sqrt() / candidates as f64)
            .log(4.0)
            .ceil() as usize
            + 1;
        assert!(
            rounds.widenings <= enough,
            "{what}: more than {enough} widenings"
        );
        assert!(!rounds.dense_finish, "{what}");
    }
}

/// Optimal pairs between two samples of the plane are near neighbours: the first graph
/// (24 candidates) holds a perfect matching and almost every optimal pair, so the solve needs
/// no widening (the certificate's repairs, `admissions`, are printed). Counting rounds catches a solver that reaches the optimum only
/// through its fallbacks (a search that never augments, a widening that adds nothing).
#[test]
#[allow(clippy::print_stdout)]
fn plane_samples_are_solved_on_the_first_graph() {
    for (n, seed) in [(300, 21), (1000, 22), (2000, 23)] {
        let cost = matrix(n, 2, seed);
        let (assignment, rounds) = solve_with_candidates(n, &cost, 24);
        let what = format!("n = {n}: {rounds:?}");
        println!("{what}");
        assert_optimal(n, &cost, &assignment, &what);
        assert_eq!(rounds.widenings, 0, "{what}");
        assert!(!rounds.dense_finish, "{what}");
    }
}
