//! The sums of one node's expansion for one query: S0 = Σ_α c_α M_α and S1_k = Σ_α c_α (α_k + 1) M_{α+e_k}, with the span dimension a constant.
//!
//! c_α = Π_j g_j[α_j] comes from the expansion's table of scaled Hermite values, one row per
//! coordinate; the sums of absolute terms go with them for the rounding allowance. Each S1_k
//! and its absolute sum run in their own accumulator, so the terms of the m coordinates do not
//! wait on one another.

use super::MultiIndices;

/// The largest span dimension with expansions.
pub(super) const MAX_EXPANDED_DIM: usize = 4;

/// S0, S1 (its first m values) and the sums of |terms| of S0 and of S1 (all coordinates).
pub(super) struct TermSums {
    pub(super) s0: f64,
    pub(super) abs0: f64,
    pub(super) s1: [f64; MAX_EXPANDED_DIM],
    pub(super) abs1: f64,
}

/// The sums over the first `terms` multi-indices (the graded prefix of degree ≤ p) of a node's
/// `moments`, with the Hermite table `hermite` laid out as [`MultiIndices::hermite_at`] reads it.
pub(super) fn term_sums<const M: usize>(
    indices: &MultiIndices,
    hermite: &[f64],
    moments: &[f64],
    terms: usize,
) -> TermSums {
    let (mut s0, mut abs0) = (0.0, 0.0);
    let mut s1 = [0.0; M];
    let mut abs1 = [0.0; M];
    let at = indices.hermite_at[..terms * M].chunks_exact(M);
    let raised = indices.raised[..terms * M].chunks_exact(M);
    let factors = indices.raised_factor[..terms * M].chunks_exact(M);
    for (((at, raised), factors), &moment) in at.zip(raised).zip(factors).zip(moments) {
        let mut coefficient = hermite[at[0]];
        for &position in &at[1..] {
            coefficient *= hermite[position];
        }
        let term = coefficient * moment;
        s0 += term;
        abs0 += term.abs();
        for k in 0..M {
            let term = coefficient * factors[k] * moments[raised[k]];
            s1[k] += term;
            abs1[k] += term.abs();
        }
    }
    let mut padded = [0.0; MAX_EXPANDED_DIM];
    padded[..M].copy_from_slice(&s1);
    TermSums {
        s0,
        abs0,
        s1: padded,
        abs1: abs1.iter().sum(),
    }
}
