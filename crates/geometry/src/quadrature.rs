//! Quadrature rules on manifolds (nodes with weights summing to a volume) and Gauss–Legendre nodes.

use ndarray::{Array1, Array2, ArrayView1, Axis};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A quadrature rule on (a region of) a manifold: ∫ f dvol ≈ Σ_i w_i f(x_i), with weights w and nodes x.
#[derive(Debug, Clone, PartialEq)]
pub struct Quadrature {
    /// One node per row.
    pub nodes: Array2<f64>,
    /// One weight per node (volume elements; they sum to the region's volume).
    pub weights: Array1<f64>,
}

impl Quadrature {
    /// A rule with no nodes in `dim` coordinates (the integral of anything over an empty region).
    pub fn empty(dim: usize) -> Self {
        Self {
            nodes: Array2::zeros((0, dim)),
            weights: Array1::zeros(0),
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// True when the rule has no nodes.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Σ weights · f(node).
    pub fn integrate(&self, mut f: impl FnMut(ArrayView1<f64>) -> f64) -> f64 {
        self.nodes
            .outer_iter()
            .zip(self.weights.iter())
            .map(|(x, w)| w * f(x))
            .sum()
    }

    /// The sub-rule of the nodes within Euclidean distance `r` of `y`.
    pub fn restricted_to_ball(&self, y: ArrayView1<f64>, r: f64) -> Self {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| {
                let d2: f64 = self
                    .nodes
                    .row(i)
                    .iter()
                    .zip(y.iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                d2 <= r * r
            })
            .collect();
        Self {
            nodes: self.nodes.select(Axis(0), &keep),
            weights: self.weights.select(Axis(0), &keep),
        }
    }
}

/// Half of a symmetric rule on [−1, 1]: (node, weight) pairs, see [`unit_half_rule`].
type HalfRule = Rc<[(f64, f64)]>;

/// Gauss–Legendre nodes and weights on [a, b] with `n` points (exact for polynomials of degree 2n − 1).
/// The rule on [−1, 1] is computed once per thread and `n`, then mapped to [a, b].
pub fn gauss_legendre(n: usize, a: f64, b: f64) -> (Vec<f64>, Vec<f64>) {
    thread_local! {
        static UNIT_RULES: RefCell<HashMap<usize, HalfRule>> = RefCell::new(HashMap::new());
    }
    let half_rule = UNIT_RULES.with(|rules| {
        rules
            .borrow_mut()
            .entry(n)
            .or_insert_with(|| unit_half_rule(n).into())
            .clone()
    });
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
    for (i, &(x, w)) in half_rule.iter().enumerate() {
        nodes[i] = mid - half * x;
        nodes[n - 1 - i] = mid + half * x;
        weights[i] = half * w;
        weights[n - 1 - i] = half * w;
    }
    (nodes, weights)
}

/// The nodes x_i ∈ (0, 1] (decreasing) and weights of the n-point rule on [−1, 1], for
/// i < ⌈n/2⌉ (the rule is symmetric). Nodes by Newton iteration on P_n from the Tricomi initial
/// guesses (Golub–Welsch would give the same).
fn unit_half_rule(n: usize) -> Vec<(f64, f64)> {
    (0..n.div_ceil(2))
        .map(|i| {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                let (p, dp) = legendre_with_derivative(n, x);
                derivative = dp;
                let step = p / dp;
                x -= step;
                if step.abs() < 1e-16 {
                    break;
                }
            }
            let (_, dp) = legendre_with_derivative(n, x);
            if dp != 0.0 {
                derivative = dp;
            }
            (x, 2.0 / ((1.0 - x * x) * derivative * derivative))
        })
        .collect()
}

/// P_n(x) and P_n'(x) by the three-term recurrence.
fn legendre_with_derivative(n: usize, x: f64) -> (f64, f64) {
    let (mut p_prev, mut p) = (1.0, x);
    if n == 0 {
        return (1.0, 0.0);
    }
    for j in 2..=n {
        let jf = j as f64;
        let next = ((2.0 * jf - 1.0) * x * p - (jf - 1.0) * p_prev) / jf;
        p_prev = p;
        p = next;
    }
    let dp = n as f64 * (x * p - p_prev) / (x * x - 1.0);
    (p, dp)
}

/// Midpoints of `n` equal cells of [a, b] and the common cell width.
pub fn midpoints(n: usize, a: f64, b: f64) -> (Vec<f64>, f64) {
    let h = (b - a) / n as f64;
    ((0..n).map(|i| a + (i as f64 + 0.5) * h).collect(), h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_is_exact_for_polynomials_up_to_degree_2n_minus_1() {
        for n in 1..12 {
            let (x, w) = gauss_legendre(n, -1.0, 2.0);
            for degree in 0..(2 * n) {
                let exact = (2f64.powi(degree as i32 + 1) - (-1f64).powi(degree as i32 + 1))
                    / (degree as f64 + 1.0);
                let approx: f64 = x
                    .iter()
                    .zip(&w)
                    .map(|(x, w)| w * x.powi(degree as i32))
                    .sum();
                assert!(
                    (approx - exact).abs() < 1e-11 * exact.abs().max(1.0),
                    "n={n} degree={degree}"
                );
            }
        }
    }

    #[test]
    fn restriction_keeps_only_nodes_in_the_ball() {
        let q = Quadrature {
            nodes: ndarray::array![[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]],
            weights: ndarray::array![1.0, 2.0, 3.0],
        };
        let sub = q.restricted_to_ball(ndarray::array![0.5, 0.0].view(), 0.6);
        assert_eq!(sub.weights, ndarray::array![1.0, 2.0]);
        assert_eq!(sub.integrate(|x| x[0]), 2.0);
    }
}
