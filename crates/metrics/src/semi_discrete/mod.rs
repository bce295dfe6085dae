//! W_p between a law μ known through fresh draws and n equally weighted atoms, by semi-discrete optimal transport (SCIENCE.md §9).
//!
//! For ν = Σ_j w_j δ_{a_j}, W_p^p(ν, μ) = max_ψ F(ψ), F(ψ) = Σ_j w_j ψ_j + E_{x~μ}[min_j (c(x, a_j) − ψ_j)],
//! and F(ψ) ≤ W_p^p for every ψ. The potentials ψ are fitted on a sample of μ (`draws_per_atom`
//! per atom) by damped Newton on the entropic version of F (`semi_discrete/newton.rs`), at temperatures that
//! blur the cell faces over 0.3 and then 0.1 of a cell diameter (0.1 and then 0.03 for p < 2). Newton's quadratic model
//! holds only at its temperature's scale, so the atoms are first thinned into coarser levels (one
//! atom in 2^k kept, halving the length scale each time); each level starts from the potentials
//! of the coarser one, interpolated.
//!
//! The estimate is F(ψ) on a fresh stream of M draws, never used in the fit: an unbiased
//! estimate of a lower bound of W_p^p, with its own standard error σ/√M (not the M^{-1/k} floor of a
//! reference sample). Its bias is the gap W_p^p − F(ψ), which comes from the fitting sample's
//! noise and the last temperature; it is quadratic in the cells' mass errors for p > 1 (about
//! 1 % of W_2 at 128 draws per atom, on the circle against a closed form; tests/semi_discrete.rs).
//! For p = 1 the dual is not smooth and the last temperature leaves a first-order gap, so W_1
//! ends at a sharper temperature (gap 0.5–2 % of W_1 on the circle, 0.1–0.5 % from a
//! finite source on S²): the estimate is then a lower bound, not a fit.
//! [`SemiDiscreteTransport::mass_mismatch`] reports the cells' mass errors on the fresh stream.
//!
//! Costs are powers of a non-decreasing function of the chord |x − a|: the chord itself (the
//! Euclidean cost of R^D), or the arc of a round sphere of radius r (its geodesic cost).
//!
//! When the atoms lie in an affine subspace c + span(B) of fewer dimensions than the space (S² in
//! R^10 spans three), everything is computed in its coordinates: |x − a|² is
//! |Bᵀ(x − c) − Bᵀ(a − c)|² plus |x − c − BBᵀ(x − c)|², and that second term is one number per
//! draw, added to its chord to every atom. The trees then split only the directions the atoms
//! fill.

mod newton;
mod power_tree;

use crate::error::{MetricError, Result, check_points};
use crate::wasserstein::check_order;
use mangen_geometry::rng::splitmix64;
use mangen_scores::{KdTree, Neighbour, NeighbourIndex};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use newton::Problem;
use power_tree::PowerTree;
use rayon::prelude::*;
use std::sync::Arc;

/// Levels stop thinning below this many atoms.
const COARSEST_ATOMS: usize = 8;

/// The soft masses blur each cell face over these fractions of a cell diameter, in turn: a
/// smoother problem first, whose Newton steps reach further, then a sharper one from its answer.
const BLURS: [f64; 2] = [0.3, 0.1];

/// For p < 2 the ladder is one step sharper. The W1 dual is not smooth, so its gap is first order
/// in the last blur (on S² at n = 1000 a last stage at 0.03 raised W1 by 2.4 % and halved the mass
/// mismatch; for W2 it moved the estimate by 0.06 %). And with a cost linear in the distance a
/// draw's shares fall to e^{-12} only about 7.7 cell diameters away at blur 0.3 (2.7 for p = 2),
/// some 20 times the atoms per draw in three dimensions: that stage took 60 % of W1's time on S³
/// at n = 1000, and the estimate without it agrees to six digits.
const SHARP_BLURS: [f64; 2] = [0.1, 0.03];

/// The blurs of W_p, in turn.
fn blurs(order: f64) -> [f64; 2] {
    if order < 2.0 { SHARP_BLURS } else { BLURS }
}

/// Newton stops when the soft masses are this close to the weights (total variation)...
const MASS_TOLERANCE: f64 = 1e-3;

/// ... or this close at the temperatures before the last, which only prepare its start.
const STAGE_TOLERANCE: f64 = 1e-2;

/// The fresh stream of the estimate is drawn in batches of this many.
const EVALUATION_BATCH: usize = 1 << 16;

/// Draws are assigned to cells in parallel chunks of this many (the answer does not depend on it).
const CHUNK: usize = 4096;

/// The ground distance whose p-th power is the transport cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GroundDistance {
    /// The chord |x − a| of R^D.
    Chord,
    /// The great-circle arc 2r·asin(|x − a|/(2r)) of a round sphere (or circle) of radius r.
    Arc {
        /// The radius.
        radius: f64,
    },
}

impl GroundDistance {
    /// The distance for a squared chord.
    pub fn of_chord_sq(self, chord_sq: f64) -> f64 {
        let chord = chord_sq.sqrt();
        match self {
            Self::Chord => chord,
            Self::Arc { radius } => 2.0 * radius * (chord / (2.0 * radius)).min(1.0).asin(),
        }
    }
}

/// How the solver runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SemiDiscreteOptions {
    /// The order p ≥ 1 of W_p.
    pub order: f64,
    /// The ground distance.
    pub distance: GroundDistance,
    /// The intrinsic dimension k of μ's support (sets the thinning ratio 2^k and the step).
    pub intrinsic_dim: usize,
    /// μ draws per atom in the sample each level is solved against.
    pub draws_per_atom: usize,
    /// Newton steps on each level, at most.
    pub newton_steps: usize,
    /// Fresh μ draws of the final estimate per atom (at least 2^16 in all). Its relative error
    /// is about √(n/M): the potentials vary over M at the scale of the whole transport.
    pub evaluation_draws_per_atom: usize,
}

impl SemiDiscreteOptions {
    /// W_p with the chord cost on a support of dimension k, and the default effort: 128 draws
    /// per atom to fit the potentials, at most 20 Newton steps a level and temperature, 1024
    /// fresh draws per atom for the estimate.
    pub fn new(order: f64, intrinsic_dim: usize) -> Self {
        Self {
            order,
            distance: GroundDistance::Chord,
            intrinsic_dim,
            draws_per_atom: 128,
            newton_steps: 20,
            evaluation_draws_per_atom: 1024,
        }
    }

    /// The cost c = d^p for a squared chord, with the common orders in closed form (p = 2 on
    /// the chord is the squared chord itself).
    pub fn cost_of_chord_sq(&self, chord_sq: f64) -> f64 {
        match (self.distance, self.order) {
            (GroundDistance::Chord, 2.0) => chord_sq,
            (distance, 1.0) => distance.of_chord_sq(chord_sq),
            (distance, 2.0) => distance.of_chord_sq(chord_sq).powi(2),
            (distance, p) => distance.of_chord_sq(chord_sq).powf(p),
        }
    }

    /// The size M of the fresh stream for n atoms.
    pub fn evaluation_draws(&self, n: usize) -> usize {
        (self.evaluation_draws_per_atom.saturating_mul(n)).max(1 << 16)
    }

    fn validate(&self) -> Result<()> {
        let invalid = |name, value, rule| Err(MetricError::InvalidParameter { name, value, rule });
        check_order(self.order)?;
        if let GroundDistance::Arc { radius } = self.distance
            && !(radius.is_finite() && radius > 0.0)
        {
            return invalid("radius", radius, "a sphere's radius must be positive");
        }
        for (name, value) in [
            ("intrinsic_dim", self.intrinsic_dim),
            ("draws_per_atom", self.draws_per_atom),
            ("newton_steps", self.newton_steps),
            ("evaluation_draws_per_atom", self.evaluation_draws_per_atom),
        ] {
            if value == 0 {
                return invalid(name, value as f64, "must be at least 1");
            }
        }
        Ok(())
    }
}

/// The estimate of W_p(ν, μ) and its diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct SemiDiscreteTransport {
    /// The estimate of W_p^p: F(ψ) on the fresh stream (≤ W_p^p in expectation).
    pub cost: f64,
    /// Its Monte Carlo standard error σ/√M.
    pub cost_error: f64,
    /// The estimate of W_p: max(cost, 0)^{1/p}.
    pub distance: f64,
    /// Its standard error, by the delta method.
    pub distance_error: f64,
    /// ½ Σ_j |μ̂(cell_j) − w_j| on the fresh stream: the total mass the cells hold in the wrong
    /// place (Monte Carlo noise included, about ½√(n/M) when the potentials are exact).
    pub mass_mismatch: f64,
    /// The potentials ψ_j.
    pub potentials: Vec<f64>,
}

/// A level of the hierarchy: its atoms, their weights, and for each atom the atoms of the next
/// coarser level its potential is interpolated from, with their weights.
struct Level {
    atoms: Array2<f64>,
    weights: Vec<f64>,
    parents: Vec<Vec<(usize, f64)>>,
}

/// Coarse atoms a fine potential is interpolated from: the k + 1 nearest.
fn interpolation_width(intrinsic_dim: usize) -> usize {
    intrinsic_dim + 1
}

/// W_p between the equally weighted `atoms` and the law whose draws `draw(m)` returns (m rows of
/// the atoms' dimension).
pub fn semi_discrete_transport(
    atoms: ArrayView2<f64>,
    draw: &mut dyn FnMut(usize) -> Array2<f64>,
    options: &SemiDiscreteOptions,
) -> Result<SemiDiscreteTransport> {
    options.validate()?;
    check_points("atoms", atoms, None)?;
    if atoms.ncols() == 0 {
        return Err(MetricError::Empty {
            what: "coordinates of the atoms",
        });
    }
    let n = atoms.nrows();
    let frame = SpanFrame::of(atoms)?;
    let (atoms, _) = frame.split(atoms);
    let mut draw = |m: usize| -> Result<(Array2<f64>, Vec<f64>)> {
        let points = checked_draw(draw, m, frame.dim())?;
        Ok(frame.split(points.view()))
    };
    let atoms = atoms.view();
    let levels = hierarchy(atoms, options.intrinsic_dim)?;
    let mut potentials = vec![0.0; levels.last().map_or(n, |level| level.atoms.nrows())];
    for (depth, level) in levels.iter().enumerate().rev() {
        if depth + 1 < levels.len() {
            potentials = level
                .parents
                .iter()
                .map(|parents| {
                    parents
                        .iter()
                        .map(|&(j, share)| share * potentials[j])
                        .sum()
                })
                .collect();
        }
        potentials = ascend(level, potentials, &mut draw, options)?;
    }
    evaluate(atoms, &potentials, &mut draw, options)
}

/// Draws of μ in the coordinates the solver works in, with their squared distances from the
/// atoms' span.
type SplitDraw<'a> = dyn FnMut(usize) -> Result<(Array2<f64>, Vec<f64>)> + 'a;

/// The coordinates of the atoms' affine span c + span(B), when it has fewer dimensions than the
/// space and holds the atoms (to 1e-12 of their spread); the space's own otherwise.
struct SpanFrame {
    /// The space's dimension D.
    dim: usize,
    /// c and B (D × r, orthonormal columns), or none for the space's own coordinates.
    span: Option<(Array1<f64>, Array2<f64>)>,
}

impl SpanFrame {
    /// The frame of `atoms`, from the span that the kd-tree over them finds.
    fn of(atoms: ArrayView2<f64>) -> Result<Self> {
        let dim = atoms.ncols();
        let index = KdTree::new(Arc::new(atoms.to_owned()))?;
        let (basis, _) = index.span();
        let holds_atoms = index.residual_max() <= 1e-12 * index.spread();
        let span = ((1..dim).contains(&basis.ncols()) && holds_atoms)
            .then(|| (index.centre().to_owned(), basis.to_owned()));
        Ok(Self { dim, span })
    }

    /// The space's dimension D.
    fn dim(&self) -> usize {
        self.dim
    }

    /// The rows of `points` in the frame's coordinates, and their squared distances from the span.
    fn split(&self, points: ArrayView2<f64>) -> (Array2<f64>, Vec<f64>) {
        let Some((centre, basis)) = &self.span else {
            return (points.to_owned(), vec![0.0; points.nrows()]);
        };
        let centred = &points - centre;
        let coordinates = centred.dot(basis);
        let off_span = &centred - &coordinates.dot(&basis.t());
        let residuals = off_span.outer_iter().map(|r| r.dot(&r)).collect();
        (coordinates, residuals)
    }
}

/// Level 0 is `atoms` with weights 1/n; each next level keeps one atom in 2^k
/// and sums the weights of the atoms nearest to each kept one. A fine atom's potential starts as
/// the inverse-square-distance average over its k + 1 nearest coarse atoms (the potential is
/// Lipschitz, so this keeps its large-scale shape).
fn hierarchy(atoms: ArrayView2<f64>, intrinsic_dim: usize) -> Result<Vec<Level>> {
    let n = atoms.nrows();
    let stride = 1usize << intrinsic_dim.min(16);
    let mut levels = vec![Level {
        atoms: atoms.to_owned(),
        weights: vec![1.0 / n as f64; n],
        parents: Vec::new(),
    }];
    loop {
        let finer = levels.last_mut().expect("level 0 exists");
        if finer.atoms.nrows() <= COARSEST_ATOMS {
            break;
        }
        let kept = thinned(finer.atoms.nrows(), stride);
        let coarse_atoms = finer.atoms.select(Axis(0), &kept);
        let index = KdTree::new(Arc::new(coarse_atoms.clone()))?;
        let parents = finer
            .atoms
            .outer_iter()
            .map(|atom| {
                let near = index.k_nearest(atom, interpolation_width(intrinsic_dim))?;
                Ok(inverse_square_weights(&near))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut weights = vec![0.0; kept.len()];
        for (parents, &weight) in parents.iter().zip(&finer.weights) {
            weights[parents[0].0] += weight;
        }
        finer.parents = parents;
        levels.push(Level {
            atoms: coarse_atoms,
            weights,
            parents: Vec::new(),
        });
    }
    Ok(levels)
}

/// ⌈n/stride⌉ of the rows 0..n, in increasing order, chosen by a fixed pseudo-random key (rows
/// in any order, sorted ones included, thin evenly).
fn thinned(n: usize, stride: usize) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..n).collect();
    rows.sort_by_key(|&row| splitmix64(row as u64));
    rows.truncate(n.div_ceil(stride));
    rows.sort_unstable();
    rows
}

/// Weights ∝ 1/d² over `near` (sorted, nearest first), all on the nearest when it coincides.
fn inverse_square_weights(near: &[Neighbour]) -> Vec<(usize, f64)> {
    if near[0].distance_sq == 0.0 {
        return vec![(near[0].index, 1.0)];
    }
    let total: f64 = near.iter().map(|n| 1.0 / n.distance_sq).sum();
    near.iter()
        .map(|n| (n.index, 1.0 / (n.distance_sq * total)))
        .collect()
}

/// The level's typical cell diameter: twice the mean distance from an atom to its nearest other
/// atom, as a ground distance (0 when all atoms coincide).
fn cell_diameter(level: &Level, options: &SemiDiscreteOptions) -> Result<f64> {
    let atoms = &level.atoms;
    let index = KdTree::new(Arc::new(atoms.clone()))?;
    let total = atoms
        .outer_iter()
        .map(|atom| {
            let found = index.k_nearest(atom, 2)?;
            Ok(found
                .last()
                .map_or(0.0, |n| options.distance.of_chord_sq(n.distance_sq)))
        })
        .sum::<Result<f64>>()?;
    Ok(2.0 * total / atoms.nrows() as f64)
}

/// The cost difference across a cell face moves the face by one unit of length per
/// p·s(s/2)^{p−1}/s of cost, for cells of diameter s: the scale of potentials at that diameter.
fn face_cost(diameter: f64, p: f64) -> f64 {
    p * (diameter / 2.0).powf(p - 1.0)
}

/// The cell of each row of `points` (whose squared distances from the atoms' span are
/// `residuals`) under the tree's potentials, and its value min_j c − ψ_j.
fn assign(
    tree: &PowerTree,
    points: &Array2<f64>,
    residuals: &[f64],
    options: &SemiDiscreteOptions,
) -> Vec<(usize, f64)> {
    let points = points.as_standard_layout();
    let dim = points.ncols();
    let coordinates = points.as_slice().expect("standard layout");
    coordinates
        .par_chunks(CHUNK * dim)
        .zip(residuals.par_chunks(CHUNK))
        .flat_map_iter(|(chunk, residuals)| {
            chunk.chunks(dim).zip(residuals).map(|(x, &residual)| {
                tree.best(x, &|chord_sq| options.cost_of_chord_sq(chord_sq + residual))
            })
        })
        .collect()
}

fn checked_draw(
    draw: &mut dyn FnMut(usize) -> Array2<f64>,
    m: usize,
    dim: usize,
) -> Result<Array2<f64>> {
    let points = draw(m);
    check_points("draws of μ", points.view(), Some(dim))?;
    if points.nrows() != m {
        return Err(MetricError::UnequalSizes {
            a_name: "draws asked",
            a: m,
            b_name: "draws returned",
            b: points.nrows(),
        });
    }
    Ok(points)
}

/// Damped Newton on one level against a fresh sample of `draws_per_atom` draws per atom, at each
/// temperature of [`blurs`] in turn. The Hessian's floor (`Problem::rates`) is the mass rate
/// of a typical cell: a cell of weight w and diameter s gains mass at ∂μ(cell)/∂ψ ≈ k·w/(s·face
/// cost) (faces of measure ≈ 2k/s per unit of its volume, each moving by half the potential
/// change over the face cost), with s the level's diameter scaled by (n w)^{1/k}.
fn ascend(
    level: &Level,
    potentials: Vec<f64>,
    draw: &mut SplitDraw,
    options: &SemiDiscreteOptions,
) -> Result<Vec<f64>> {
    let n = level.atoms.nrows();
    let diameter = cell_diameter(level, options)?;
    if n == 1 || diameter == 0.0 {
        // One point: every ψ gives the same transport.
        return Ok(potentials);
    }
    let (p, k) = (options.order, options.intrinsic_dim as f64);
    let rates: Vec<f64> = level
        .weights
        .iter()
        .map(|&weight| {
            let s = diameter * (n as f64 * weight).powf(1.0 / k);
            k * weight / (s * face_cost(s, p))
        })
        .collect();
    let (sample, residuals) = draw(options.draws_per_atom * n)?;
    let points: Vec<Vec<f64>> = sample.outer_iter().map(|x| x.to_vec()).collect();
    let cost = |chord_sq: f64| options.cost_of_chord_sq(chord_sq);
    let mut tree = PowerTree::new(level.atoms.view());
    let mut problem = Problem {
        tree: &mut tree,
        weights: &level.weights,
        points: &points,
        residuals: &residuals,
        epsilon: 0.0,
        cost: &cost,
        rates: &rates,
    };
    let mut potentials = potentials;
    let blurs = blurs(p);
    for (stage, &blur) in blurs.iter().enumerate() {
        problem.epsilon = 2.0 * blur * diameter * face_cost(diameter, p);
        let tolerance = if stage + 1 == blurs.len() {
            MASS_TOLERANCE
        } else {
            STAGE_TOLERANCE
        };
        potentials = problem.ascend(potentials, options.newton_steps, tolerance);
    }
    Ok(potentials)
}

/// Running count, mean and sum of squared deviations (Chan et al.'s merge of batches).
#[derive(Default)]
struct Moments {
    count: f64,
    mean: f64,
    squares: f64,
}

impl Moments {
    fn merge(&mut self, values: &[f64]) {
        let count = values.len() as f64;
        let mean = values.iter().sum::<f64>() / count;
        let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let total = self.count + count;
        let delta = mean - self.mean;
        self.squares += squares + delta * delta * self.count * count / total;
        self.mean += delta * count / total;
        self.count = total;
    }
}

/// F(ψ) on a fresh stream (drawn in batches of `EVALUATION_BATCH`), its standard error and the
/// cells' mass mismatch.
fn evaluate(
    atoms: ArrayView2<f64>,
    potentials: &[f64],
    draw: &mut SplitDraw,
    options: &SemiDiscreteOptions,
) -> Result<SemiDiscreteTransport> {
    let n = atoms.nrows();
    let m = options.evaluation_draws(n);
    let mut tree = PowerTree::new(atoms);
    tree.set_potentials(potentials);
    let mut counts = vec![0usize; n];
    let mut moments = Moments::default();
    let mut remaining = m;
    while remaining > 0 {
        let batch = remaining.min(EVALUATION_BATCH);
        remaining -= batch;
        let (points, residuals) = draw(batch)?;
        let assigned = assign(&tree, &points, &residuals, options);
        for &(cell, _) in &assigned {
            counts[cell] += 1;
        }
        let values: Vec<f64> = assigned.iter().map(|&(_, value)| value).collect();
        moments.merge(&values);
    }
    let weight = 1.0 / n as f64;
    let cost = potentials.iter().sum::<f64>() * weight + moments.mean;
    let cost_error = (moments.squares / (m as f64 - 1.0) / m as f64).sqrt();
    let p = options.order;
    let distance = cost.max(0.0).powf(1.0 / p);
    let distance_error = if distance > 0.0 {
        cost_error / (p * distance.powf(p - 1.0))
    } else {
        cost_error.powf(1.0 / p)
    };
    let mass_mismatch = 0.5
        * counts
            .iter()
            .map(|&count| (count as f64 / m as f64 - weight).abs())
            .sum::<f64>();
    Ok(SemiDiscreteTransport {
        cost,
        cost_error,
        distance,
        distance_error,
        mass_mismatch,
        potentials: potentials.to_vec(),
    })
}
