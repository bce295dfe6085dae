//! Damped Newton ascent of the entropic semi-discrete dual on one level, against a fixed sample of μ.
//!
//! On a sample x_1..x_M of μ and at temperature ε, the regularized dual
//! G(ψ) = Σ_j w_j ψ_j + (1/M) Σ_i softmin_ε(c(x_i, ·) − ψ), softmin_ε(v) = −ε log Σ_j w_j e^{−v_j/ε},
//! is concave and smooth: its gradient is w − m(ψ), m_j = (1/M) Σ_i π_ij the soft cell masses
//! (π_ij ∝ w_j e^{−(c(x_i, a_j) − ψ_j)/ε}), and minus its Hessian is
//! A = (diag(m) − (1/M) Σ_i π_i π_iᵀ)/ε, sparse because each x_i shares itself among a few atoms.
//! Each step solves A d = w − m by conjugate gradients (preconditioned by A's diagonal) and
//! backtracks until G rises.

use super::power_tree::PowerTree;
use rayon::prelude::*;

/// Atoms whose value lies more than this many ε above the best get no share (e^{-12} ≈ 6e-6).
const SOFT_MARGIN: f64 = 12.0;

/// Draws are shared out in parallel chunks of this many (the answer does not depend on it).
const CHUNK: usize = 2048;

/// The Hessian's product sums the sample in this many blocks (a fixed number, so that the sum
/// does not depend on the threads).
const APPLY_BLOCKS: usize = 16;

/// Conjugate-gradient iterations of one Newton step, at most.
const CG_ITERATIONS: usize = 200;

/// Backtracking halvings of one Newton step, at most.
const HALVINGS: usize = 12;

/// One chunk's share counts per sample, its shares, and the sum of its softmins.
type ChunkShares = (Vec<usize>, Vec<(usize, f64)>, f64);

/// The sample's soft assignment under some potentials.
struct Soft {
    /// Shares of sample i: `shares[offsets[i]..offsets[i + 1]]`, (atom, π).
    offsets: Vec<usize>,
    shares: Vec<(usize, f64)>,
    /// m_j.
    masses: Vec<f64>,
    /// G(ψ).
    value: f64,
}

/// The problem of one level: atoms in a tree, their weights, a sample of μ, a temperature.
pub(super) struct Problem<'a> {
    pub tree: &'a mut PowerTree,
    pub weights: &'a [f64],
    pub points: &'a [Vec<f64>],
    /// Each point's squared distance from the atoms' span, added to its squared chord to every
    /// atom (zero when the points are in full coordinates).
    pub residuals: &'a [f64],
    pub epsilon: f64,
    /// The cost for a squared chord.
    pub cost: &'a (dyn Fn(f64) -> f64 + Sync),
    /// A per-atom scale of the Hessian's diagonal (∂m_j/∂ψ_j for a typical cell), used to keep
    /// steps of atoms the sample hardly sees bounded.
    pub rates: &'a [f64],
}

impl Problem<'_> {
    /// The soft assignment of the sample under `potentials`, and G there.
    fn soften(&mut self, potentials: &[f64]) -> Soft {
        self.tree.set_potentials(potentials);
        let (tree, weights, epsilon, cost) = (&*self.tree, self.weights, self.epsilon, self.cost);
        let chunks: Vec<ChunkShares> = self
            .points
            .par_chunks(CHUNK)
            .zip(self.residuals.par_chunks(CHUNK))
            .map(|(chunk, residuals)| {
                let (mut lengths, mut shares, mut softmins) = (Vec::new(), Vec::new(), 0.0);
                let mut near = Vec::new();
                for (x, &residual) in chunk.iter().zip(residuals) {
                    let cost = |chord_sq: f64| cost(chord_sq + residual);
                    tree.near_best(x, &cost, SOFT_MARGIN * epsilon, &mut near);
                    let least = near.iter().map(|&(_, v)| v).fold(f64::INFINITY, f64::min);
                    let start = shares.len();
                    let mut total = 0.0;
                    for &(j, value) in &near {
                        let share = weights[j] * (-(value - least) / epsilon).exp();
                        total += share;
                        shares.push((j, share));
                    }
                    for (_, share) in &mut shares[start..] {
                        *share /= total;
                    }
                    softmins += least - epsilon * total.ln();
                    lengths.push(shares.len() - start);
                }
                (lengths, shares, softmins)
            })
            .collect();
        let m = self.points.len() as f64;
        let mut soft = Soft {
            offsets: vec![0],
            shares: Vec::new(),
            masses: vec![0.0; weights.len()],
            value: potentials.iter().zip(weights).map(|(p, w)| p * w).sum(),
        };
        for (lengths, shares, softmins) in chunks {
            for length in lengths {
                soft.offsets
                    .push(soft.offsets.last().copied().unwrap_or(0) + length);
            }
            for &(j, share) in &shares {
                soft.masses[j] += share / m;
            }
            soft.shares.extend(shares);
            soft.value += softmins / m;
        }
        soft
    }

    /// (A + ridge) v, ridge = diag(rates)/100.
    fn apply(&self, soft: &Soft, v: &[f64]) -> Vec<f64> {
        let m = self.points.len() as f64;
        let mut out: Vec<f64> = soft
            .masses
            .iter()
            .zip(v)
            .zip(self.rates)
            .map(|((mass, vj), rate)| (mass / self.epsilon + rate / 100.0) * vj)
            .collect();
        // −(1/(Mε)) Σ_i π_i (π_i · v): each of a fixed number of blocks of samples sums its
        // own part in parallel, and the parts are added in block order (the same sum on any
        // number of threads).
        let samples = soft.offsets.len() - 1;
        let block = samples.div_ceil(APPLY_BLOCKS).max(1);
        let parts: Vec<Vec<f64>> = (0..samples.div_ceil(block))
            .into_par_iter()
            .map(|b| {
                let mut part = vec![0.0; v.len()];
                for i in b * block..((b + 1) * block).min(samples) {
                    let shares = &soft.shares[soft.offsets[i]..soft.offsets[i + 1]];
                    let dot: f64 = shares.iter().map(|&(j, share)| share * v[j]).sum();
                    for &(j, share) in shares {
                        part[j] += share * dot;
                    }
                }
                part
            })
            .collect();
        let mut off_diagonal = vec![0.0; v.len()];
        for part in &parts {
            off_diagonal.iter_mut().zip(part).for_each(|(x, y)| *x += y);
        }
        for (o, sum) in out.iter_mut().zip(&off_diagonal) {
            *o -= sum / (m * self.epsilon);
        }
        out
    }

    /// The diagonal of A + ridge: (m_j − (1/M) Σ_i π_ij²)/ε + rate_j/100.
    fn diagonal(&self, soft: &Soft) -> Vec<f64> {
        let m = self.points.len() as f64;
        let mut diagonal: Vec<f64> = soft
            .masses
            .iter()
            .zip(self.rates)
            .map(|(mass, rate)| mass / self.epsilon + rate / 100.0)
            .collect();
        for &(j, share) in &soft.shares {
            diagonal[j] -= share * share / (m * self.epsilon);
        }
        diagonal
    }

    /// Conjugate gradients, preconditioned by the diagonal, for (A + ridge) d = g, to a residual
    /// of 1e-6 |g|.
    fn solve(&self, soft: &Soft, g: &[f64]) -> Vec<f64> {
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let diagonal = self.diagonal(soft);
        let precondition =
            |r: &[f64]| -> Vec<f64> { r.iter().zip(&diagonal).map(|(x, d)| x / d).collect() };
        let mut d = vec![0.0; g.len()];
        let mut residual = g.to_vec();
        let mut z = precondition(&residual);
        let mut direction = z.clone();
        let mut rz = dot(&residual, &z);
        let target = 1e-12 * dot(g, g);
        for _ in 0..CG_ITERATIONS {
            if dot(&residual, &residual) <= target {
                break;
            }
            let ad = self.apply(soft, &direction);
            let alpha = rz / dot(&direction, &ad);
            for ((dj, rj), (pj, aj)) in d
                .iter_mut()
                .zip(&mut residual)
                .zip(direction.iter().zip(&ad))
            {
                *dj += alpha * pj;
                *rj -= alpha * aj;
            }
            z = precondition(&residual);
            let next = dot(&residual, &z);
            for (pj, zj) in direction.iter_mut().zip(&z) {
                *pj = zj + (next / rz) * *pj;
            }
            rz = next;
        }
        d
    }

    /// Newton steps from `potentials` until the soft masses are within `tolerance` (total
    /// variation) of the weights or `steps` are taken.
    pub fn ascend(&mut self, mut potentials: Vec<f64>, steps: usize, tolerance: f64) -> Vec<f64> {
        let mut soft = self.soften(&potentials);
        for _ in 0..steps {
            let g: Vec<f64> = self
                .weights
                .iter()
                .zip(&soft.masses)
                .map(|(w, m)| w - m)
                .collect();
            if 0.5 * g.iter().map(|x| x.abs()).sum::<f64>() <= tolerance {
                break;
            }
            let d = self.solve(&soft, &g);
            let slope: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
            let mut t = 1.0;
            let mut accepted = false;
            for _ in 0..HALVINGS {
                let trial: Vec<f64> = potentials
                    .iter()
                    .zip(&d)
                    .map(|(p, dj)| p + t * dj)
                    .collect();
                let next = self.soften(&trial);
                if next.value >= soft.value + 0.25 * t * slope {
                    potentials = trial;
                    soft = next;
                    accepted = true;
                    break;
                }
                t /= 2.0;
            }
            if !accepted {
                break;
            }
        }
        potentials
    }
}
