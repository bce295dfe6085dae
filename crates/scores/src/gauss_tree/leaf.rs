//! A node's points summed one by one, in blocks whose exponentials run packed: compiled for AVX2 where the processor has it.
//!
//! Each block of [`BLOCK`] points takes three passes: the log-weights, then their exponentials
//! (a loop over an array that the compiler vectorizes, see [`vector_exp`]), then the sums in the
//! order of the points. The operations and their order are the same on every processor (no
//! fused multiply–add is used), so the AVX2 and the baseline code give the same bits.

use super::{MAX_SPAN_DIM, Query};
use crate::vector_exp::vector_exp;

/// Points per block: a leaf's worth.
const BLOCK: usize = 64;

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
    let mut sums = LeafSums {
        s0: 0.0,
        s1: [0.0; MAX_SPAN_DIM],
        dropped: 0,
    };
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
            *log_weight = (query.nearest_sq - distance_sq) / query.two_var;
        }
        for (weight, &log_weight) in weights[..points].iter_mut().zip(&log_weights[..points]) {
            *weight = vector_exp(log_weight);
        }
        for ((&log_weight, &weight), x) in
            log_weights.iter().zip(&weights).zip(block.chunks_exact(M))
        {
            if log_weight <= query.log_budget {
                sums.dropped += 1;
                continue;
            }
            sums.s0 += weight;
            for (sum, &coordinate) in sums.s1.iter_mut().zip(x) {
                *sum += weight * coordinate;
            }
        }
    }
    sums
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
