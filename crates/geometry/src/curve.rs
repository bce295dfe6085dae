//! Closed curves θ ↦ γ(θ) ∈ R^m given by a parametrization: arclength, uniform sampling, projection, reach and quadrature computed once for every shape.

use crate::embedding::LocalModel;
use crate::error::{GeometryError, Result};
use crate::quadrature::{Quadrature, gauss_legendre, midpoints};
use ndarray::{Array1, Array2, ArrayView1};
use rand::{Rng, RngExt};
use std::f64::consts::PI;

/// Table resolution: intervals of θ over one turn.
const TABLE: usize = 4096;
/// Gauss–Legendre nodes per table interval for arclength.
const ARC_NODES: usize = 8;
/// Consecutive table angles per block of the projection's search.
const BLOCK: usize = 64;
/// The least reach, in the longest table step: below it the table cannot resolve the curve (a
/// crossing gives Federer's formula a value of the order of one step), so the curve is refused.
const MIN_REACH_IN_STEPS: f64 = 4.0;

/// γ(θ) with its first two derivatives in θ, each of length m.
#[derive(Debug, Clone, PartialEq)]
pub struct Jet {
    /// γ(θ).
    pub point: Vec<f64>,
    /// γ′(θ).
    pub velocity: Vec<f64>,
    /// γ″(θ).
    pub acceleration: Vec<f64>,
}

/// A regular, embedded, 2π-periodic parametrization θ ↦ γ(θ) of a closed curve in R^m: the
/// shape of a [`ClosedCurve`]. Implement it (with [`ClosedCurve::tabulate`]) for a curve of your own;
/// the generic law checks of [`crate::laws`] then apply to it.
pub trait CurveParametrization: Send + Sync + std::fmt::Debug {
    /// A short name with the parameters.
    fn name(&self) -> String;
    /// The dimension m of the space the curve is drawn in.
    fn span_dim(&self) -> usize;
    /// γ(θ), γ′(θ) and γ″(θ).
    fn jet(&self, theta: f64) -> Jet;
    /// γ(θ) alone (override when cheaper than the jet).
    fn point(&self, theta: f64) -> Vec<f64> {
        self.jet(theta).point
    }
    /// The speed |γ′(θ)| (override when cheaper than the jet).
    fn speed(&self, theta: f64) -> f64 {
        norm(&self.jet(theta).velocity)
    }
    /// γ(θ) and |γ′(θ)| together, exactly as [`Self::point`] and [`Self::speed`] give them
    /// (override when the two share work).
    fn point_and_speed(&self, theta: f64) -> (Vec<f64>, f64) {
        (self.point(theta), self.speed(theta))
    }
    /// A radius about the origin that contains the curve.
    fn circumradius(&self) -> f64;
    /// θ of a point p of the curve where a closed form exists (`None`: found by search).
    fn angle_of(&self, p: ArrayView1<f64>) -> Option<f64> {
        let _ = p;
        None
    }
}

/// A closed curve with its tables: arclength, uniform sampling and geodesic distance use a
/// table of 4096 intervals of θ with 8-point Gauss–Legendre per interval; projection is a table
/// search (blocks of 64 table points, each skipped when a ball around it is farther than the best
/// point so far) refined by safeguarded Newton on θ; the reach is the smaller of 1/max|κ| (on a grid 16
/// times finer than the table) and Federer's formula τ = inf_{p≠q} |q − p|² / (2 d(q − p, T_p M))
/// over pairs of every other table point, which catches bottlenecks (relative error about 1e-6).
/// A curve whose reach is below 4 table steps (one that crosses itself, or bends too sharply for
/// the table to resolve) is refused.
#[derive(Debug, Clone)]
pub struct ClosedCurve<P> {
    shape: P,
    span: usize,
    /// γ at the table angles, one run of m numbers per angle.
    points: Vec<f64>,
    cumulative: Vec<f64>,
    /// The longest arclength between two neighbouring table angles.
    longest_step: f64,
    /// The table in blocks of [`BLOCK`] consecutive angles, each with a ball that holds it.
    blocks: Vec<BlockBall>,
    pub(crate) reach: f64,
    /// Gauss–Legendre nodes and weights on [0, 1] for arclength.
    arc_rule: (Vec<f64>, Vec<f64>),
}

/// A ball that holds a block of table points: its centre and radius.
#[derive(Debug, Clone)]
struct BlockBall {
    centre: Vec<f64>,
    radius: f64,
}

impl BlockBall {
    /// The ball about the middle of the points' bounding box (rows of `span` numbers).
    fn around(points: &[f64], span: usize) -> Self {
        let centre: Vec<f64> = (0..span)
            .map(|i| {
                let coordinate = points.iter().skip(i).step_by(span);
                let low = coordinate.clone().copied().fold(f64::INFINITY, f64::min);
                let high = coordinate.copied().fold(f64::NEG_INFINITY, f64::max);
                0.5 * (low + high)
            })
            .collect();
        let radius = points
            .chunks(span)
            .map(|p| squared_gap(p, &centre).sqrt())
            .fold(0.0, f64::max);
        Self { centre, radius }
    }

    /// A number below the squared distance from y to every point of the block, as computed by
    /// [`squared_gap`]: the distance to the ball, less a margin far wider than their rounding.
    fn gap_bound_sq(&self, y: &[f64]) -> f64 {
        let to_centre = squared_gap(&self.centre, y).sqrt();
        let margin = 1e-9 * (to_centre + self.radius);
        (to_centre - self.radius - margin).max(0.0).powi(2)
    }
}

/// |v|.
fn norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn squared_gap(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn table_angle(j: usize) -> f64 {
    2.0 * PI * j as f64 / TABLE as f64
}

impl<P: CurveParametrization> ClosedCurve<P> {
    /// Tabulates the curve of `shape`; refused when it (almost) touches itself, with a reach
    /// below 1e-6 of its circumradius (`amplitude` is the parameter to lower).
    pub fn tabulate(shape: P) -> Result<Self> {
        let span = shape.span_dim();
        let mut curve = Self {
            span,
            points: Vec::with_capacity(TABLE * span),
            cumulative: Vec::new(),
            longest_step: 0.0,
            blocks: Vec::new(),
            reach: 0.0,
            arc_rule: gauss_legendre(ARC_NODES, 0.0, 1.0),
            shape,
        };
        for j in 0..TABLE {
            let p = curve.shape.point(table_angle(j));
            curve.points.extend_from_slice(&p);
        }
        curve.cumulative = curve.arclength_table();
        curve.longest_step = curve
            .cumulative
            .windows(2)
            .map(|pair| pair[1] - pair[0])
            .fold(0.0, f64::max);
        curve.blocks = curve
            .points
            .chunks(BLOCK * span)
            .map(|block| BlockBall::around(block, span))
            .collect();
        curve.reach = curve.federer_reach();
        // A NaN reach (a curve with a cusp) is refused too.
        if curve.reach.is_nan() || curve.reach < MIN_REACH_IN_STEPS * curve.longest_step {
            return Err(GeometryError::InvalidParameter {
                name: "amplitude",
                value: curve.reach,
                rule: "the curve crosses or almost touches itself, or bends too sharply for its table: its reach (the value given) is below 4 table steps; use a smaller amplitude",
            });
        }
        Ok(curve)
    }

    /// The parametrization.
    pub fn shape(&self) -> &P {
        &self.shape
    }

    /// The total length L.
    pub fn length(&self) -> f64 {
        self.cumulative[TABLE]
    }

    fn table_point(&self, j: usize) -> &[f64] {
        &self.points[j * self.span..(j + 1) * self.span]
    }

    /// ∫_a^b |γ′| dθ by Gauss–Legendre (a, b within one table interval or so).
    fn arclength_between(&self, a: f64, b: f64) -> f64 {
        let (x, w) = &self.arc_rule;
        (b - a)
            * x.iter()
                .zip(w)
                .map(|(t, w)| w * self.shape.speed(a + (b - a) * t))
                .sum::<f64>()
    }

    fn arclength_table(&self) -> Vec<f64> {
        let mut cumulative = vec![0.0; TABLE + 1];
        for j in 0..TABLE {
            cumulative[j + 1] =
                cumulative[j] + self.arclength_between(table_angle(j), table_angle(j + 1));
        }
        cumulative
    }

    /// Arclength from θ = 0 to θ ∈ [0, 2π).
    pub(crate) fn arclength_at(&self, theta: f64) -> f64 {
        let theta = theta.rem_euclid(2.0 * PI);
        let j = ((theta / (2.0 * PI) * TABLE as f64) as usize).min(TABLE - 1);
        self.cumulative[j] + self.arclength_between(table_angle(j), theta)
    }

    /// θ with arclength s from θ = 0, by table bisection and bracketed Newton.
    pub(crate) fn angle_at_arclength(&self, s: f64) -> f64 {
        let j = self.cumulative.partition_point(|&c| c <= s).clamp(1, TABLE) - 1;
        let (mut lo, mut hi) = (table_angle(j), table_angle(j + 1));
        let fraction = (s - self.cumulative[j]) / (self.cumulative[j + 1] - self.cumulative[j]);
        let mut theta = lo + fraction.clamp(0.0, 1.0) * (hi - lo);
        for _ in 0..60 {
            let residual = self.arclength_at(theta) - s;
            if residual.abs() <= 4.0 * f64::EPSILON * self.length() {
                break;
            }
            if residual > 0.0 {
                hi = theta
            } else {
                lo = theta
            }
            let newton = theta - residual / self.shape.speed(theta);
            let next = if newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if (next - theta).abs() <= 4.0 * f64::EPSILON * theta.abs().max(1.0) {
                return next;
            }
            theta = next;
        }
        theta
    }

    /// Curvature |γ′ ∧ γ″| / |γ′|³ at θ.
    pub(crate) fn curvature(&self, theta: f64) -> f64 {
        let jet = self.shape.jet(theta);
        let (vv, aa, va) = (
            dot(&jet.velocity, &jet.velocity),
            dot(&jet.acceleration, &jet.acceleration),
            dot(&jet.velocity, &jet.acceleration),
        );
        (vv * aa - va * va).max(0.0).sqrt() / vv.powf(1.5)
    }

    /// The reach: the smaller of 1/max|κ| on a grid 16 times finer than the table and Federer's
    /// formula over pairs of every other table point.
    fn federer_reach(&self) -> f64 {
        let fine = 16 * TABLE;
        let kappa_max = (0..fine)
            .map(|j| self.curvature(2.0 * PI * j as f64 / fine as f64))
            .fold(0.0, f64::max);
        let sample: Vec<(&[f64], Vec<f64>)> = (0..TABLE)
            .step_by(2)
            .map(|j| {
                let velocity = self.shape.jet(table_angle(j)).velocity;
                let speed = norm(&velocity);
                (
                    self.table_point(j),
                    velocity.iter().map(|v| v / speed).collect(),
                )
            })
            .collect();
        let mut reach = 1.0 / kappa_max;
        let mut diff = vec![0.0; self.span];
        for (i, (p, tangent)) in sample.iter().enumerate() {
            for (j, (q, _)) in sample.iter().enumerate() {
                if i == j {
                    continue;
                }
                for ((d, a), b) in diff.iter_mut().zip(q.iter()).zip(p.iter()) {
                    *d = a - b;
                }
                let gap_sq = dot(&diff, &diff);
                let along = dot(&diff, tangent);
                let normal_part = (gap_sq - along * along).max(0.0).sqrt();
                if normal_part > 0.0 {
                    reach = reach.min(gap_sq / (2.0 * normal_part));
                }
            }
        }
        reach
    }

    /// θ of a point p of the curve: the shape's closed form, else the nearest angle.
    fn angle_of(&self, p: ArrayView1<f64>) -> f64 {
        self.shape
            .angle_of(p)
            .unwrap_or_else(|| self.nearest_angle(&p.to_vec()))
    }

    /// The table index of the nearest table point to y (the first of equals) and its squared
    /// distance: the blocks in turn, nearest ball first, each skipped when its ball is farther than
    /// the best point so far.
    fn nearest_table_point(&self, y: &[f64]) -> (usize, f64) {
        let bounds: Vec<f64> = self.blocks.iter().map(|b| b.gap_bound_sq(y)).collect();
        let first = (0..bounds.len())
            .min_by(|&a, &b| bounds[a].total_cmp(&bounds[b]))
            .expect("the table has blocks");
        let mut best: Option<(usize, f64)> = None;
        let order = std::iter::once(first).chain((0..bounds.len()).filter(|&b| b != first));
        for block in order {
            if best.is_some_and(|(_, least)| bounds[block] > least) {
                continue;
            }
            for j in block * BLOCK..((block + 1) * BLOCK).min(TABLE) {
                let gap = squared_gap(self.table_point(j), y);
                if best.is_none_or(|(i, least)| gap.total_cmp(&least).then(j.cmp(&i)).is_lt()) {
                    best = Some((j, gap));
                }
            }
        }
        best.expect("the first block is searched")
    }

    /// θ of the nearest point of the curve to y.
    fn nearest_angle(&self, y: &[f64]) -> f64 {
        let best = self.nearest_table_point(y);
        let step = 2.0 * PI / TABLE as f64;
        let slope = |theta: f64| {
            let jet = self.shape.jet(theta);
            let e: Vec<f64> = jet.point.iter().zip(y).map(|(p, y)| p - y).collect();
            (
                dot(&e, &jet.velocity),
                dot(&jet.velocity, &jet.velocity) + dot(&e, &jet.acceleration),
            )
        };
        let start = table_angle(best.0);
        let (mut lo, mut hi) = (start - 2.0 * step, start + 2.0 * step);
        if !(slope(lo).0 <= 0.0 && slope(hi).0 >= 0.0) {
            return start;
        }
        let mut theta = start;
        for _ in 0..100 {
            let (g, dg) = slope(theta);
            if g == 0.0 {
                break;
            }
            if g < 0.0 {
                lo = theta
            } else {
                hi = theta
            }
            let newton = theta - g / dg;
            let next = if dg > 0.0 && newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if (next - theta).abs() <= 1e-15 * (1.0 + theta.abs()) {
                theta = next;
                break;
            }
            theta = next;
        }
        if squared_gap(&self.shape.point(theta), y) <= best.1 {
            theta
        } else {
            start
        }
    }

    /// The θ-interval [θ_p − left, θ_p + right] of the arc within distance r of γ(θ_p), if it is one arc.
    pub(crate) fn arc_within(&self, theta_p: f64, r: f64) -> Option<(f64, f64)> {
        let p = self.shape.point(theta_p);
        let distance = |theta: f64| squared_gap(&self.shape.point(theta), &p).sqrt();
        let step = 2.0 * PI / TABLE as f64;
        // n steps of θ, summed with rounding, lie within n + 2 table intervals, so the chord to
        // there is at most the arc over those, (n + 2)·longest_step up to the quadrature error of
        // the table's arclengths, which one interval more absorbs. While (n + 3)·longest_step is
        // below r, with margins far wider than the rounding of the distance, the point is inside
        // without being computed.
        let sure = r * (1.0 - 1e-6) - 1e-9 * self.shape.circumradius();
        let surely_inside = |steps: usize| (steps + 3) as f64 * self.longest_step <= sure;
        let edge = |direction: f64| {
            let mut inside = 0.0;
            let mut outside = step;
            let mut steps = 1;
            while surely_inside(steps) || distance(theta_p + direction * outside) <= r {
                inside = outside;
                outside += step;
                steps += 1;
                if outside >= PI {
                    return None;
                }
            }
            for _ in 0..80 {
                let mid = 0.5 * (inside + outside);
                if mid == inside || mid == outside {
                    // Neighbouring numbers: no further halving moves either end.
                    break;
                }
                if distance(theta_p + direction * mid) <= r {
                    inside = mid
                } else {
                    outside = mid
                }
            }
            Some(inside)
        };
        Some((theta_p - edge(-1.0)?, theta_p + edge(1.0)?))
    }

    fn rule_on(&self, angles: Vec<f64>, weights: Vec<f64>) -> Quadrature {
        let mut nodes = Vec::with_capacity(angles.len() * self.span);
        let weights: Vec<f64> = angles
            .iter()
            .zip(&weights)
            .map(|(&t, w)| {
                let (point, speed) = self.shape.point_and_speed(t);
                nodes.extend(point);
                w * speed
            })
            .collect();
        Quadrature {
            nodes: Array2::from_shape_vec((angles.len(), self.span), nodes)
                .expect("rows of equal length"),
            weights: Array1::from(weights),
        }
    }
}

impl<P: CurveParametrization> LocalModel for ClosedCurve<P> {
    fn name(&self) -> String {
        self.shape.name()
    }

    fn intrinsic_dim(&self) -> usize {
        1
    }

    fn span_dim(&self) -> usize {
        self.span
    }

    fn project(&self, y: ArrayView1<f64>) -> Array1<f64> {
        let y = y.to_vec();
        Array1::from(self.shape.point(self.nearest_angle(&y)))
    }

    /// Arclength uniform: s ~ U(0, L), then θ(s) by inverting the arclength table.
    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let mut out = Array2::zeros((n, self.span));
        for mut row in out.outer_iter_mut() {
            let s = rng.random_range(0.0..self.length());
            let p = self.shape.point(self.angle_at_arclength(s));
            row.assign(&ArrayView1::from(&p));
        }
        out
    }

    fn tangent_basis(&self, p: ArrayView1<f64>) -> Array2<f64> {
        let velocity = self.shape.jet(self.angle_of(p)).velocity;
        let speed = norm(&velocity);
        Array2::from_shape_fn((1, self.span), |(_, i)| velocity[i] / speed)
    }

    fn volume(&self) -> f64 {
        self.length()
    }

    fn circumradius(&self) -> f64 {
        self.shape.circumradius()
    }

    fn reach(&self) -> Option<f64> {
        Some(self.reach)
    }

    /// The shorter of the two arcs between the points.
    fn geodesic_distance(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Option<f64> {
        let along =
            (self.arclength_at(self.angle_of(a)) - self.arclength_at(self.angle_of(b))).abs();
        Some(along.min(self.length() - along))
    }

    /// The arclength from θ = 0 along increasing θ (the arclength table refined by Gauss–Legendre).
    fn arclength(&self, p: ArrayView1<f64>) -> Option<f64> {
        Some(self.arclength_at(self.angle_of(p)).min(self.length()))
    }

    /// γ(θ(s)), θ(s) by inverting the arclength table.
    fn point_at_arclength(&self, s: f64) -> Option<Array1<f64>> {
        Some(Array1::from(self.shape.point(self.angle_at_arclength(s))))
    }

    /// Periodic midpoint rule in θ with 2n nodes, weighted by the speed |γ′(θ)|.
    fn quadrature(&self, n: usize) -> Quadrature {
        let (angles, h) = midpoints(2 * n.max(1), 0.0, 2.0 * PI);
        let count = angles.len();
        self.rule_on(angles, vec![h; count])
    }

    /// Gauss–Legendre in θ over the arc inside the ball, found by bisection (for r below the reach,
    /// where B(p, r) ∩ M is one arc); larger balls use the default rule.
    fn ball_quadrature(&self, p: ArrayView1<f64>, r: f64, n: usize) -> Option<Quadrature> {
        if r <= 0.0 {
            return Some(Quadrature::empty(self.span));
        }
        if r >= self.reach {
            return None;
        }
        let (lo, hi) = self.arc_within(self.angle_of(p), r)?;
        let (angles, weights) = gauss_legendre(n.max(2), lo, hi);
        Some(self.rule_on(angles, weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fourier::FourierCurve;
    use crate::polar::PolarCurve;
    use crate::rng::seeded;
    use rand::RngExt;

    /// Shapes of every kind: polar graphs (power and lacunary) in the plane, a Fourier curve in R^5.
    fn curves() -> (PolarCurve, PolarCurve, FourierCurve) {
        (
            PolarCurve::new(1.0, 0.4, 3.5).unwrap(),
            PolarCurve::lacunary(1.0, 4.0, 2.5, 2).unwrap(),
            FourierCurve::random(5, 12, 1.0, 0.3, 2.0, 11).unwrap(),
        )
    }

    /// Queries near the curve, on it, at its table points, far from it, at the origin, and NaN.
    fn queries<P: CurveParametrization>(curve: &ClosedCurve<P>) -> Vec<Vec<f64>> {
        let mut rng = seeded(4);
        let span = curve.span;
        let mut out = vec![vec![0.0; span], vec![f64::NAN; span]];
        for i in 0..300 {
            let theta = rng.random_range(0.0..2.0 * PI);
            let spread = [1e-3, 0.1, 0.5, 3.0, 100.0][i % 5];
            let point = curve.shape.point(theta);
            out.push(
                point
                    .iter()
                    .map(|p| p + spread * rng.random_range(-1.0..1.0))
                    .collect(),
            );
            out.push(point);
            out.push(curve.table_point(i * 13 % TABLE).to_vec());
        }
        out
    }

    /// The full scan the blocked search replaces: the first of the nearest table points.
    fn scanned<P: CurveParametrization>(curve: &ClosedCurve<P>, y: &[f64]) -> (usize, f64) {
        (0..TABLE)
            .map(|j| squared_gap(curve.table_point(j), y))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap()
    }

    fn assert_search_is_scan<P: CurveParametrization>(curve: &ClosedCurve<P>) {
        for y in queries(curve) {
            let (found, scan) = (curve.nearest_table_point(&y), scanned(curve, &y));
            assert_eq!(found.0, scan.0, "{}: at {y:?}", curve.shape.name());
            assert_eq!(found.1.to_bits(), scan.1.to_bits());
        }
    }

    #[test]
    fn the_blocked_search_finds_the_table_point_of_a_full_scan() {
        let (power, lacunary, fourier) = curves();
        // A circle: at its centre many table points tie, and the first of them is the answer.
        assert_search_is_scan(&PolarCurve::new(1.0, 0.0, 3.5).unwrap());
        assert_search_is_scan(&power);
        assert_search_is_scan(&lacunary);
        assert_search_is_scan(&fourier);
    }

    /// The walk the skipped steps replace: every step of θ looked at, then 80 halvings.
    fn walked<P: CurveParametrization>(
        curve: &ClosedCurve<P>,
        theta_p: f64,
        r: f64,
    ) -> Option<(f64, f64)> {
        let p = curve.shape.point(theta_p);
        let distance = |theta: f64| squared_gap(&curve.shape.point(theta), &p).sqrt();
        let step = 2.0 * PI / TABLE as f64;
        let edge = |direction: f64| {
            let mut walk = std::iter::successors(Some((0.0, step)), |&(_, o)| Some((o, o + step)));
            let (inside, outside) =
                walk.find(|&(_, o)| o >= PI || distance(theta_p + direction * o) > r)?;
            if outside >= PI {
                return None;
            }
            let (inside, _) = (0..80).fold((inside, outside), |(lo, hi), _| {
                let mid = 0.5 * (lo + hi);
                if distance(theta_p + direction * mid) <= r {
                    (mid, hi)
                } else {
                    (lo, mid)
                }
            });
            Some(inside)
        };
        Some((theta_p - edge(-1.0)?, theta_p + edge(1.0)?))
    }

    fn assert_arc_is_walk<P: CurveParametrization>(curve: &ClosedCurve<P>) {
        let mut rng = seeded(8);
        for i in 0..200 {
            let theta = rng.random_range(0.0..2.0 * PI);
            let r = [1e-9, 1e-4, 2e-3, 0.05, 0.3, 1.0, 2.5][i % 7] * rng.random_range(0.5..1.0);
            let (fast, slow) = (curve.arc_within(theta, r), walked(curve, theta, r));
            assert_eq!(
                fast.map(|(a, b)| (a.to_bits(), b.to_bits())),
                slow.map(|(a, b)| (a.to_bits(), b.to_bits())),
                "{}: θ = {theta}, r = {r}",
                curve.shape.name()
            );
        }
    }

    #[test]
    fn the_arc_in_a_ball_has_the_ends_of_a_step_by_step_walk() {
        let (power, lacunary, fourier) = curves();
        assert_arc_is_walk(&power);
        assert_arc_is_walk(&lacunary);
        assert_arc_is_walk(&fourier);
    }

    fn assert_point_and_speed<P: CurveParametrization>(shape: &P) {
        for j in 0..5000 {
            let theta = 2.0 * PI * j as f64 / 4999.0 - 0.5;
            let (point, speed) = shape.point_and_speed(theta);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&point), bits(&shape.point(theta)), "{}", shape.name());
            assert_eq!(speed.to_bits(), shape.speed(theta).to_bits());
        }
    }

    #[test]
    fn point_and_speed_together_are_the_point_and_the_speed() {
        let (power, lacunary, fourier) = curves();
        assert_point_and_speed(power.shape());
        assert_point_and_speed(lacunary.shape());
        assert_point_and_speed(fourier.shape());
    }
}
