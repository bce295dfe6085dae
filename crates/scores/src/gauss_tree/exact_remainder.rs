//! The expansion's remainder bound against the exact remainder, summed in rational arithmetic: it holds at every order and span dimension, and in one dimension it is within a small factor of the worst case, so an under-reported bound fails.
//!
//! With two_var = 2v ∈ {1, 4} and dyadic offsets d and points y, s = d/√(2v) and λ = y/√(2v)
//! are exact binary fractions, and by the generating function e^{2sλ−λ²} = Σ_n H_n(s) λ^n/n!
//! the kernel f(y) = exp(−|d − y|²/(2v)) = e^{−|s|²} Π_j Σ_n H_{n}(s_j) λ_j^n/n!. The order-p
//! remainder is e^{−|s|²} times the sum of the terms of total degree > p: summed exactly (no
//! cancellation error) up to a degree whose tail is bounded below 1e-9 of the sum.

use super::*;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

fn exact(x: f64) -> BigRational {
    BigRational::from_float(x).expect("a finite binary fraction")
}

fn integer(n: usize) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

/// c_n = H_n(s) λ^n / n! for n = 0..=last, exactly.
fn hermite_terms(s: f64, lambda: f64, last: usize) -> Vec<BigRational> {
    let (s, lambda) = (exact(s), exact(lambda));
    let two = integer(2);
    let mut hermite = vec![BigRational::one(), &two * &s];
    for n in 1..last {
        let next = &two * &s * &hermite[n] - &two * integer(n) * &hermite[n - 1];
        hermite.push(next);
    }
    let mut scaled = BigRational::one();
    (0..=last)
        .map(|n| {
            if n > 0 {
                scaled = scaled.clone() * &lambda / integer(n);
            }
            &hermite[n] * &scaled
        })
        .collect()
}

/// Σ_{|α|=k} Π_j c_j(α_j) for k = 0..=last: the product of the per-coordinate series by degree.
fn terms_by_degree(per_coordinate: &[Vec<BigRational>], last: usize) -> Vec<BigRational> {
    let mut product = vec![BigRational::zero(); last + 1];
    product[0] = BigRational::one();
    for series in per_coordinate {
        let mut next = vec![BigRational::zero(); last + 1];
        for (i, a) in product.iter().enumerate().filter(|(_, a)| !a.is_zero()) {
            for (j, b) in series.iter().enumerate().take(last + 1 - i) {
                next[i + j] += a * b;
            }
        }
        product = next;
    }
    product
}

/// A bound on Σ_{|α|>last} |Π_j c_j(α_j)| from Cramér's inequality: some α_j ≥ ⌈(last+1)/m⌉,
/// and |c_j(n)| ≤ a_j(n) = K e^{s_j²/2} (√2|λ_j|)^n/√(n!).
fn tail_bound(s: &[f64], lambda: &[f64], last: usize) -> f64 {
    let m = s.len();
    let from = (last + 1).div_ceil(m);
    let series = |j: usize, start: usize| -> f64 {
        (start..start + 400)
            .map(|n| {
                let log = CRAMER.ln()
                    + 0.5 * s[j] * s[j]
                    + n as f64 * (2f64.sqrt() * lambda[j].abs()).ln()
                    - 0.5 * (1..=n).map(|k| (k as f64).ln()).sum::<f64>();
                log.exp()
            })
            .sum()
    };
    (0..m)
        .map(|j| {
            series(j, from)
                * (0..m)
                    .filter(|&i| i != j)
                    .map(|i| series(i, 0))
                    .product::<f64>()
        })
        .sum()
}

/// The bound and the remainder of one order: the remainder is known to within ± truncation.
struct Comparison {
    bound: f64,
    remainder: f64,
    truncation: f64,
}

/// One node and query: offsets d = u − c, half-widths w, a point y of the box, two_var = 2v.
struct Case {
    offsets: Vec<f64>,
    half: Vec<f64>,
    point: Vec<f64>,
    two_var: f64,
}

impl Case {
    /// For each order p ≤ P, the tree's bound and the exact remainder, both relative to the
    /// weight of a nearest point at the box's near face (L = δ²).
    fn compare(&self, indices: &MultiIndices, order: usize) -> Vec<Comparison> {
        let m = self.offsets.len();
        let root = self.two_var.sqrt();
        let s: Vec<f64> = self.offsets.iter().map(|d| d / root).collect();
        let lambda: Vec<f64> = self.point.iter().map(|y| y / root).collect();
        let last = order + 1 + 40;
        let series: Vec<_> = (0..m)
            .map(|j| hermite_terms(s[j], lambda[j], last))
            .collect();
        let by_degree = terms_by_degree(&series, last);
        let tail = tail_bound(&s, &lambda, last);
        let near_sq: f64 = (0..m)
            .map(|j| (self.offsets[j].abs() - self.half[j]).max(0.0).powi(2))
            .sum();
        let s_sq: f64 = s.iter().map(|x| x * x).sum();
        let scale = ((near_sq / self.two_var) - s_sq).exp();
        let bound = RemainderBound::new(m, self.two_var, near_sq, near_sq);
        let mut suffix = BigRational::zero();
        let mut suffixes = vec![BigRational::zero(); last + 1];
        for k in (0..=last).rev() {
            suffixes[k] = suffix.clone();
            suffix += &by_degree[k];
        }
        (0..=order)
            .map(|p| {
                let sum = suffixes[p].abs().to_f64().expect("a finite sum");
                let log_sum = log_remainder_sum(indices, &self.half, p);
                Comparison {
                    bound: bound.log_per_point(p, log_sum).exp(),
                    remainder: scale * sum,
                    truncation: scale * tail,
                }
            })
            .collect()
    }
}

/// The smallest bound/remainder ratio per order over `cases`; panics where the bound fails.
fn smallest_ratios(dim: usize, cases: &[Case]) -> Vec<f64> {
    let order = order_for(dim).expect("a dimension with expansions");
    let indices = MultiIndices::new(dim, order);
    let mut smallest = vec![f64::INFINITY; order + 1];
    for case in cases {
        for (p, comparison) in case.compare(&indices, order).into_iter().enumerate() {
            let Comparison {
                bound,
                remainder,
                truncation,
            } = comparison;
            assert!(
                remainder + truncation <= bound,
                "order {p}: remainder {remainder:e} (± {truncation:e}) above its bound {bound:e} \
                 (d = {:?}, w = {:?}, y = {:?}, 2v = {})",
                case.offsets,
                case.half,
                case.point,
                case.two_var
            );
            // Ratios only where the remainder is known to 1e-9: not where it nearly vanishes
            // (a query midway between the point and the box centre, at order 0).
            if truncation <= 1e-9 * remainder {
                smallest[p] = smallest[p].min(bound / remainder);
            }
        }
    }
    smallest
}

#[test]
fn one_dimension_the_bound_holds_and_is_within_a_small_factor_of_the_worst_case() {
    // Offsets on a grid of 1/8 through the zone where |H_n(s)| e^{−s²/2} peaks, boxes from
    // 1/64 to 1/2 wide, both end points of the box, two variances.
    let mut cases = Vec::new();
    for step in -52..=52 {
        for half in [1.0 / 64.0, 1.0 / 8.0, 0.5] {
            for two_var in [1.0, 4.0] {
                for sign in [-1.0, 1.0] {
                    cases.push(Case {
                        offsets: vec![f64::from(step) / 8.0],
                        half: vec![half],
                        point: vec![sign * half],
                        two_var,
                    });
                }
            }
        }
    }
    let smallest = smallest_ratios(1, &cases);
    // Cramér's inequality is sharp up to a slowly growing factor: the smallest ratios measured
    // run from 1.27 at order 0 to 1.80 at order 20, so a bound under-reported by more than that
    // (a factor 2^{(p+1)/2} where (2v)^{−(p+1)/2} replaced v^{−(p+1)/2}, or K dropped at high
    // order) fails the check in `smallest_ratios`. The limit keeps the grid honest: one that
    // missed the worst offsets would catch less.
    for (p, ratio) in smallest.iter().enumerate() {
        assert!(*ratio < 1.9, "order {p}: smallest ratio {ratio}");
    }
}

#[test]
fn every_span_dimension_the_bound_holds_at_every_order() {
    // Quasi-random boxes, offsets and corners in 2 to 4 dimensions; one wide side makes the
    // case close to one-dimensional, where the bound is sharpest.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |levels: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % levels
    };
    for dim in 2..=4 {
        let cases: Vec<Case> = (0..24)
            .map(|case| {
                let half: Vec<f64> = (0..dim)
                    .map(|j| {
                        if j == 0 && case % 2 == 0 {
                            0.5
                        } else {
                            0.5f64.powi(1 + next(6) as i32)
                        }
                    })
                    .collect();
                Case {
                    offsets: (0..dim).map(|_| (next(81) as f64 - 40.0) / 8.0).collect(),
                    point: half
                        .iter()
                        .map(|w| if next(2) == 0 { *w } else { -w })
                        .collect(),
                    half,
                    two_var: if next(2) == 0 { 1.0 } else { 4.0 },
                }
            })
            .collect();
        // `smallest_ratios` checks the bound. The sum over the multi-indices of degree p + 1
        // loosens it with the dimension: the smallest ratios measured are 2.1 to 5.4 in two
        // dimensions (pinned below), 3 to 93 in three and 38 to 860 in four (at the orders
        // where the remainder is known to 1e-9).
        let smallest = smallest_ratios(dim, &cases);
        if dim == 2 {
            assert!(
                smallest.iter().all(|r| *r < 6.0),
                "dimension 2: smallest ratios {smallest:?}"
            );
        }
    }
}

#[test]
fn remainder_sums_match_a_brute_force_enumeration() {
    // Σ_{|α|=p+1} Π_j w_j^{α_j}/√(α_j!) over every α of the box [0, p+1]^m.
    for dim in 1..=4 {
        let order = order_for(dim).expect("a dimension with expansions");
        let indices = MultiIndices::new(dim, order);
        let half: [f64; 4] = [0.7, 0.25, 1.5, 0.05];
        for p in 0..=order {
            let degree = p + 1;
            let mut total = 0.0_f64;
            for code in 0..(degree + 1).pow(dim as u32) {
                let alpha: Vec<usize> = (0..dim)
                    .map(|j| code / (degree + 1).pow(j as u32) % (degree + 1))
                    .collect();
                if alpha.iter().sum::<usize>() == degree {
                    total += alpha
                        .iter()
                        .zip(&half)
                        .map(|(&a, &w)| w.powi(a as i32) / factorial(a).sqrt())
                        .product::<f64>();
                }
            }
            let got = log_remainder_sum(&indices, &half[..dim], p);
            assert!(
                (got - total.ln()).abs() < 1e-12,
                "dimension {dim}, order {p}: {got} vs {}",
                total.ln()
            );
        }
    }
}
