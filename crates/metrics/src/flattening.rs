//! Floors found in the data: the trailing run of a falling log–log curve where it stops falling.
//!
//! A metric that decays like N^s until it meets a floor it cannot go below (the float64
//! resolution of a fit, the grid step of a radius search) flattens: past that N its values
//! scatter around a level. Fitting those values with the rest pulls the slope toward zero, and a
//! stated floor misses a level it did not foresee (a local polynomial fit that levels off at
//! 1.5e-9, not at the 1e-10 of its unit roundoff). [`flattening_start`] names the first N of such
//! a run, from the curve alone.
//!
//! The rule, on the means m_i at N_1 < … < N_n: walking back from the end, the step from N_{j−1}
//! to N_j is flat when its slope ln(m_j/m_{j−1}) / ln(N_j/N_{j−1}) falls at less than
//! [`FLAT_FRACTION`] of the lead slope, the least-squares slope of ln m on ln N over N_1 … N_{j−1}
//! (at least [`LEAD_POINTS`] of them), and that lead slope falls at least as steeply as
//! [`MIN_FALL`]. The run of flat steps that ends the curve starts its flattening: its first N is
//! the first at the floor. Curves that rise, stay level or fall slowly have no flattening, so a
//! law whose theory slope is 0 is never cut.

use crate::slopes::least_squares;

/// A step is flat when it falls at less than this fraction of the lead slope.
pub const FLAT_FRACTION: f64 = 0.25;

/// The lead slope must be at or below −MIN_FALL for a flattening to count.
pub const MIN_FALL: f64 = 0.25;

/// Points before a step that its lead slope is fitted on.
pub const LEAD_POINTS: usize = 3;

/// The index of the first N of the flat run that ends a falling curve of means (`ns` ascending,
/// `means` positive, one per N), or `None` when the curve does not flatten. Pairs that are not
/// finite and positive make no flat step.
pub fn flattening_start(ns: &[f64], means: &[f64]) -> Option<usize> {
    assert_eq!(ns.len(), means.len(), "one mean per N");
    let xs: Vec<f64> = ns.iter().map(|n| n.ln()).collect();
    let ys: Vec<f64> = means.iter().map(|m| m.ln()).collect();
    let mut start = None;
    for j in (LEAD_POINTS..xs.len()).rev() {
        let (lead, _, _) = least_squares(&xs[..j], &ys[..j]);
        let step = (ys[j] - ys[j - 1]) / (xs[j] - xs[j - 1]);
        let flat = lead.is_finite()
            && step.is_finite()
            && lead <= -MIN_FALL
            && step > FLAT_FRACTION * lead;
        if !flat {
            break;
        }
        start = Some(j - 1);
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: [f64; 6] = [100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0];

    #[test]
    fn a_committed_curve_that_levels_off_is_cut_where_it_levels() {
        // The max geometry error of projection(m=4) on the circle (e3_geometry_circle): it falls
        // at about N^-5.6, then scatters around 1.5e-9 from N = 1000 on.
        let means = [3.37e-4, 6.96e-7, 1.37e-9, 9.01e-10, 1.76e-9, 1.48e-9];
        assert_eq!(flattening_start(&NS, &means), Some(2));
        // m = 2 reaches the same level only at the last N.
        let means = [1.76e-3, 3.51e-5, 4.45e-7, 2.33e-8, 1.56e-9, 1.54e-9];
        assert_eq!(flattening_start(&NS, &means), Some(4));
    }

    #[test]
    fn power_laws_a_floor_and_a_level_curve() {
        let power = |s: f64| NS.map(|n| 2.0 * n.powf(s));
        assert_eq!(flattening_start(&NS, &power(-0.5)), None);
        assert_eq!(flattening_start(&NS, &power(-4.0)), None);
        // A floor of 1e-6 under N^-2: 1.0e-4, 1.2e-5, 2.0e-6, 1.1e-6, 1.0e-6, 1.0e-6. The step
        // into N = 1000 still falls at -0.54 (lead -1.8), the next ones at -0.08 and less.
        let floored = NS.map(|n| n.powf(-2.0) + 1e-6);
        assert_eq!(flattening_start(&NS, &floored), Some(3));
        // A slow fall that stops is no floor: the lead slope is shallower than MIN_FALL.
        let slow = [1.0, 0.9, 0.82, 0.75, 0.75, 0.75];
        assert_eq!(flattening_start(&NS, &slow), None);
        // A rise is no floor either.
        assert_eq!(flattening_start(&NS, &power(0.5)), None);
        // A level step in the middle is not a trailing run.
        let dip = [1e-2, 1e-4, 1e-6, 1e-6, 1e-8, 1e-10];
        assert_eq!(flattening_start(&NS, &dip), None);
        // Too few points before the last step to fit a lead slope.
        assert_eq!(flattening_start(&NS[..3], &[1e-2, 1e-4, 1e-4]), None);
    }
}
