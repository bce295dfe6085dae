//! A node's points summed one by one, in blocks whose exponentials and sums run packed: compiled for AVX2 where the processor has it.
//!
//! Each block of [`BLOCK`] points takes three passes: the log-weights, then their exponentials
//! (a loop over an array that the compiler vectorizes, see [`vector_exp`]; a point beyond the
//! budget weighs 0), then the sums, point i into lane i mod [`LANES`], so that the additions of
//! neighbouring points do not wait for each other. The lanes are added in a fixed order at the
//! end. The operations and their order are the same on every processor (no fused multiply–add
//! is used), so the AVX2 and the baseline code give the same bits.

use super::{MAX_SPAN_DIM, Query};
use crate::vector_exp::vector_exp;

/// Points per block: a leaf's worth.
const BLOCK: usize = 64;
/// Partial sums kept side by side: point i of a node goes into lane i mod `LANES`.
const LANES: usize = 4;

/// The sums over one node's points, and how many were dropped.
pub(super) struct LeafSums {
    pub(super) s0: f64,
    pub(super) s1: [f64; MAX_SPAN_DIM],
    pub(super) dropped: usize,
}

/// Sums the weights W = exp((L − |x − u|²)/(2v)) of the points `rows` (M coordinates each) and
/// their weighted coordinates; a point whose log-weight is at most the budget's is dropped, like
/// a node: it weighs less than the budget.
pub(super) fn sum_leaf<const M: usize>(rows: &[f64], query: &Query) -> LeafSums {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        #[allow(unsafe_code)]
        // SAFETY: the processor has AVX2, checked just above.
        return unsafe { sum_leaf_avx2::<M>(rows, query) };
    }
    sum_leaf_blocks::<M>(rows, query)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sum_leaf_avx2<const M: usize>(rows: &[f64], query: &Query) -> LeafSums {
    sum_leaf_blocks::<M>(rows, query)
}

#[inline(always)]
fn sum_leaf_blocks<const M: usize>(rows: &[f64], query: &Query) -> LeafSums {
    let u: &[f64; M] = query.u.try_into().expect("a query of the span dimension");
    let inverse_two_var = 1.0 / query.two_var;
    let mut lane_s0 = [0.0; LANES];
    let mut lane_s1 = [[0.0; M]; LANES];
    let mut dropped = 0;
    let mut log_weights = [0.0; BLOCK];
    let mut weights = [0.0; BLOCK];
    for block in rows.chunks(M * BLOCK) {
        let points = block.len() / M;
        for (log_weight, x) in log_weights.iter_mut().zip(block.chunks_exact(M)) {
            let x: &[f64; M] = x.try_into().expect("rows of the span dimension");
            let mut distance_sq = 0.0;
            for j in 0..M {
                distance_sq += (x[j] - u[j]) * (x[j] - u[j]);
            }
            *log_weight = (query.nearest_sq - distance_sq) * inverse_two_var;
        }
        // Written as "not dropped" so that a NaN log-weight is kept and shows in the sums.
        for (weight, &log_weight) in weights[..points].iter_mut().zip(&log_weights) {
            let dropped_point = log_weight <= query.log_budget;
            *weight = if dropped_point {
                0.0
            } else {
                vector_exp(log_weight)
            };
        }
        dropped += log_weights[..points]
            .iter()
            .filter(|&&log_weight| log_weight <= query.log_budget)
            .count();
        // Whole groups of LANES points, then the block's last few (only a node's last block
        // has them), each into its lane.
        let whole = points - points % LANES;
        for (group_weights, group) in weights[..whole]
            .chunks_exact(LANES)
            .zip(block.chunks_exact(M * LANES))
        {
            for lane in 0..LANES {
                let weight = group_weights[lane];
                lane_s0[lane] += weight;
                for j in 0..M {
                    lane_s1[lane][j] += weight * group[lane * M + j];
                }
            }
        }
        let rest = block[whole * M..].chunks_exact(M);
        for (lane, (&weight, x)) in weights[whole..points].iter().zip(rest).enumerate() {
            lane_s0[lane] += weight;
            for j in 0..M {
                lane_s1[lane][j] += weight * x[j];
            }
        }
    }
    let mut s1 = [0.0; MAX_SPAN_DIM];
    for (j, sum) in s1.iter_mut().take(M).enumerate() {
        *sum = add_lanes([lane_s1[0][j], lane_s1[1][j], lane_s1[2][j], lane_s1[3][j]]);
    }
    LeafSums {
        s0: add_lanes(lane_s0),
        s1,
        dropped,
    }
}

/// The lanes' partial sums added pairwise, in a fixed order.
#[inline(always)]
fn add_lanes([a, b, c, d]: [f64; LANES]) -> f64 {
    (a + b) + (c + d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 150 points in 3 span dimensions (two full blocks and a part), spread so that some fall
    /// beyond the budget.
    fn points() -> Vec<f64> {
        (0..150 * 3)
            .map(|i| ((i as f64 * 0.618_033_988_7) % 1.0) * 4.0 - 2.0)
            .collect()
    }

    #[test]
    fn the_dispatched_sums_equal_the_baseline_code_and_the_library_exponential() {
        let rows = points();
        let u = [0.3, -0.2, 0.1];
        let query = Query {
            coordinates: &rows,
            u: &u,
            nearest_sq: 0.0,
            two_var: 0.5,
            log_budget: -12.0,
        };
        let dispatched = sum_leaf::<3>(&rows, &query);
        let baseline = sum_leaf_blocks::<3>(&rows, &query);
        assert_eq!(dispatched.s0.to_bits(), baseline.s0.to_bits());
        assert_eq!(
            dispatched.s1.map(f64::to_bits),
            baseline.s1.map(f64::to_bits)
        );
        // A point at a time with glibc's exponential: the same drops, and sums within the
        // exponential's error and the rounding of 150 additions.
        let (mut s0, mut s1, mut dropped) = (0.0, [0.0; 3], 0);
        for x in rows.chunks_exact(3) {
            let distance_sq: f64 = x.iter().zip(&u).map(|(a, b)| (a - b) * (a - b)).sum();
            let log_weight = -distance_sq / 0.5;
            if log_weight <= -12.0 {
                dropped += 1;
                continue;
            }
            let weight = log_weight.exp();
            s0 += weight;
            s1.iter_mut().zip(x).for_each(|(s, c)| *s += weight * c);
        }
        assert!(dropped > 0 && dropped < 150, "{dropped} of 150 dropped");
        assert_eq!(dispatched.dropped, dropped);
        let tolerance = (crate::vector_exp::RELATIVE_ERROR + 150.0 * f64::EPSILON) * s0 * 2.0;
        assert!((dispatched.s0 - s0).abs() <= tolerance);
        for (a, b) in dispatched.s1.iter().zip(&s1) {
            assert!((a - b).abs() <= tolerance, "{a} against {b}");
        }
    }
}
