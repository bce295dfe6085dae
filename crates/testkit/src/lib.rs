//! mangen-testkit: the statistical nulls of mangen's tests (chi-square, Kolmogorov–Smirnov, normal tails), on `statrs`'s special functions.
//!
//! Statistical tests in mangen use fixed seeds and reject only below [`FALSE_ALARM`], so a correct
//! implementation fails a given test with probability below 1e-6, while real bugs (a wrong law,
//! a biased sampler) give p-values that are astronomically small.

use statrs::function::gamma::gamma_ur;

/// The false-alarm rate every statistical test in mangen is held to.
pub const FALSE_ALARM: f64 = 1e-6;

/// P(χ²_dof ≥ statistic): the regularized upper incomplete gamma function Q(dof/2, statistic/2)
/// of `statrs`.
pub fn chi_square_sf(statistic: f64, dof: f64) -> f64 {
    if statistic <= 0.0 {
        return 1.0;
    }
    gamma_ur(dof / 2.0, statistic / 2.0)
}

/// Pearson's chi-square goodness-of-fit p-value of bin counts against expected counts
/// (dof = bins − 1 − `fitted`). Expected counts should be at least 5 per bin.
pub fn chi_square_p_value(observed: &[u64], expected: &[f64], fitted: usize) -> f64 {
    assert_eq!(observed.len(), expected.len(), "one expected count per bin");
    let statistic: f64 = observed
        .iter()
        .zip(expected)
        .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
        .sum();
    chi_square_sf(statistic, (observed.len() - 1 - fitted) as f64)
}

/// Counts of `values` in `bins` equal bins of [lo, hi) (values outside are clamped into the end bins).
pub fn histogram(values: impl IntoIterator<Item = f64>, lo: f64, hi: f64, bins: usize) -> Vec<u64> {
    let mut counts = vec![0u64; bins];
    for v in values {
        let index = (((v - lo) / (hi - lo)) * bins as f64)
            .floor()
            .clamp(0.0, bins as f64 - 1.0) as usize;
        counts[index] += 1;
    }
    counts
}

/// Kolmogorov–Smirnov p-value of a sample against a continuous CDF, with Stephens' finite-n
/// correction λ = (√n + 0.12 + 0.11/√n)·D and Q_KS(λ) = 2 Σ (−1)^{j−1} e^{−2j²λ²}.
pub fn ks_p_value(mut sample: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    sample.sort_by(f64::total_cmp);
    let n = sample.len() as f64;
    let d = sample.iter().enumerate().fold(0.0f64, |acc, (i, &x)| {
        let f = cdf(x);
        acc.max((f - i as f64 / n).abs())
            .max(((i + 1) as f64 / n - f).abs())
    });
    let lambda = (n.sqrt() + 0.12 + 0.11 / n.sqrt()) * d;
    kolmogorov_sf(lambda)
}

/// Q_KS(λ), the Kolmogorov distribution's tail (`statrs` has it only inside its own KS test,
/// which takes a distribution type rather than a CDF and has no finite-n correction).
pub fn kolmogorov_sf(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let sum: f64 = (1..=100)
        .map(|j| {
            let j = j as f64;
            let sign = if j as u64 % 2 == 1 { 1.0 } else { -1.0 };
            sign * (-2.0 * j * j * lambda * lambda).exp()
        })
        .sum();
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Two-sided normal tail P(|Z| ≥ |z|) = erfc(|z|/√2) = Q(1/2, z²/2), through `statrs`'s
/// regularized incomplete gamma function (its erfc is good to 5e-11 relative at z = 1.96, the
/// incomplete gamma to 1e-15).
pub fn normal_two_sided_p(z: f64) -> f64 {
    chi_square_sf(z * z, 1.0)
}

/// The |z| whose two-sided normal tail is `p`: a statistic beyond it is rejected at level `p`.
pub fn normal_critical(p: f64) -> f64 {
    decreasing_root(normal_two_sided_p, p, 40.0)
}

/// The λ whose Kolmogorov tail Q_KS(λ) is `p`: a KS test of n points at level `p` rejects a
/// law whose CDF is off by more than about λ/√n somewhere.
pub fn kolmogorov_critical(p: f64) -> f64 {
    decreasing_root(kolmogorov_sf, p, 40.0)
}

/// A two-sided z-test at [`FALSE_ALARM`] of `estimate` against `target`, with its power: the
/// estimate must pass, and the same estimate against the target moved by twice the detectable
/// shift must fail. Returns the detectable shift, [`normal_critical`]`(FALSE_ALARM)·se` (the
/// error found with probability ½), or what went wrong.
pub fn z_test_with_power(estimate: f64, target: f64, se: f64) -> Result<f64, String> {
    if !(se > 0.0 && se.is_finite()) {
        return Err(format!("standard error {se} is not positive and finite"));
    }
    let z = (estimate - target) / se;
    if normal_two_sided_p(z) <= FALSE_ALARM {
        return Err(format!("{estimate} against {target} (z = {z:.2})"));
    }
    let detectable = normal_critical(FALSE_ALARM) * se;
    for moved in [target - 2.0 * detectable, target + 2.0 * detectable] {
        let z = (estimate - moved) / se;
        if normal_two_sided_p(z) > FALSE_ALARM {
            return Err(format!(
                "a target off by 2·{detectable:.3e} passes (z = {z:.2})"
            ));
        }
    }
    Ok(detectable)
}

/// The χ² value whose tail P(χ²_dof ≥ x) is `p`.
pub fn chi_square_critical(p: f64, dof: f64) -> f64 {
    decreasing_root(
        |x| chi_square_sf(x, dof),
        p,
        dof + 40.0 * (2.0 * dof).sqrt() + 40.0,
    )
}

/// The quantile at u ∈ [0, 1] of the density 1 + a cos(2πx − π) on [0, 1) (|a| < 1), whose
/// CDF x − a sin(2πx)/(2π) is off the uniform one by at most |a|/(2π): it bends a uniform
/// sample into a planted alternative for the power checks of uniformity tests.
pub fn bend_uniform(u: f64, a: f64) -> f64 {
    assert!(a.abs() < 1.0, "a density needs |a| < 1, got {a}");
    let tau = std::f64::consts::TAU;
    quantile_by_bisection(|x| x - a * (tau * x).sin() / tau, u, 0.0, 1.0)
}

/// The u-quantile of a law on [lo, hi] from its non-decreasing `cdf`: the point where the CDF
/// reaches u, by 100 bisections (to the last bit of the interval).
pub fn quantile_by_bisection(cdf: impl Fn(f64) -> f64, u: f64, lo: f64, hi: f64) -> f64 {
    let (mut lo, mut hi) = (lo, hi);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The x in [0, hi] where the decreasing `f` crosses `target` (bisection to 1e-12 relative).
fn decreasing_root(f: impl Fn(f64) -> f64, target: f64, hi: f64) -> f64 {
    assert!(
        target > 0.0 && target < 1.0,
        "a level in (0, 1), got {target}"
    );
    let (mut lo, mut hi) = (0.0, hi);
    while hi - lo > 1e-12 * hi.max(1.0) {
        let mid = 0.5 * (lo + hi);
        if f(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_tails_match_tables() {
        // Critical values from standard tables.
        assert!((chi_square_sf(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-12);
        assert!((chi_square_sf(18.307_038_053_275_146, 10.0) - 0.05).abs() < 1e-12);
        assert!((chi_square_sf(124.342_113_404_18, 100.0) - 0.05).abs() < 1e-9);
        assert!((chi_square_sf(2.0, 2.0) - (-1.0f64).exp()).abs() < 1e-15);
    }

    #[test]
    fn critical_values_invert_the_tails() {
        assert!((normal_critical(1e-6) - 4.891_638_475_698_85).abs() < 1e-9);
        assert!((normal_critical(0.05) - 1.959_963_984_540_054).abs() < 1e-9);
        // Q_KS(1.358) = 0.05 (Kolmogorov's table); Q_KS(1.6276) = 0.01.
        assert!((kolmogorov_critical(0.05) - 1.358).abs() < 1e-3);
        assert!((kolmogorov_critical(0.01) - 1.6276).abs() < 1e-3);
        assert!((chi_square_critical(0.05, 10.0) - 18.307_038_053_275_146).abs() < 1e-9);
        assert!((chi_square_critical(0.05, 100.0) - 124.342_113_404_18).abs() < 1e-8);
    }

    #[test]
    fn z_tests_report_their_power() {
        let detectable = z_test_with_power(1.001, 1.0, 0.001).unwrap();
        assert!((detectable - 0.001 * 4.891_638_475_698_85).abs() < 1e-9);
        assert!(z_test_with_power(1.01, 1.0, 0.001).is_err());
        assert!(z_test_with_power(1.0, 1.0, 0.0).is_err());
    }

    #[test]
    fn bending_gives_the_planted_law() {
        for a in [-0.5, 0.1, 0.9] {
            for u in [0.0, 0.1, 0.5, 0.77, 1.0] {
                let x = bend_uniform(u, a);
                let cdf = x - a * (std::f64::consts::TAU * x).sin() / std::f64::consts::TAU;
                assert!((cdf - u).abs() < 1e-12, "a = {a}, u = {u}");
            }
        }
        // Bent uniform points follow 1 + a cos(2πx − π): the KS test on 20 000 sees it.
        let bent: Vec<f64> = (0..20_000)
            .map(|i| bend_uniform((i as f64 + 0.5) / 20_000.0, 0.3))
            .collect();
        let cdf = |x: f64| x - 0.3 * (std::f64::consts::TAU * x).sin() / std::f64::consts::TAU;
        assert!(ks_p_value(bent.clone(), cdf) > 0.99);
        assert!(ks_p_value(bent, |x| x) < 1e-12);
    }

    #[test]
    fn normal_tail_matches_tables() {
        let p = normal_two_sided_p(1.959_963_984_540_054);
        assert!((p - 0.05).abs() < 1e-12, "{p:e}");
        assert!((normal_two_sided_p(4.891_638_475_698_85) - 1e-6).abs() < 1e-12);
        assert!((normal_two_sided_p(-6.0) / 1.973_175_290_075_3e-9 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn kolmogorov_tail_matches_tables() {
        assert!((kolmogorov_sf(1.358_098_9) - 0.05).abs() < 1e-6);
        assert!((kolmogorov_sf(1.627_624_2) - 0.01).abs() < 1e-6);
    }

    #[test]
    fn tests_reject_a_wrong_law_and_keep_a_right_one() {
        let grid: Vec<f64> = (0..10_000).map(|i| (i as f64 + 0.5) / 10_000.0).collect();
        assert!(ks_p_value(grid.clone(), |x| x) > 0.5);
        assert!(ks_p_value(grid.clone(), |x| x * x) < 1e-12);
        let counts = histogram(grid, 0.0, 1.0, 10);
        assert!(chi_square_p_value(&counts, &[1000.0; 10], 0) > 0.99);
        assert!(chi_square_p_value(&[1500, 500], &[1000.0, 1000.0], 0) < 1e-12);
    }
}
