//! Power-cell look-ups: a kd-tree over weighted atoms that finds, for a point x, the atom minimizing c(x, a_j) − ψ_j.
//!
//! Each node keeps its atoms' bounding box and their largest potential ψ. The cost is a
//! non-decreasing function of the squared chord |x − a|², so c(dist(x, box)²) − max ψ bounds every
//! atom of a subtree from below, and a subtree that cannot beat the best atom found is skipped.
//! With equal potentials this is a nearest-neighbour search; with unequal ones it answers the
//! power (p = 2) and additively weighted (p = 1) diagrams alike, with no lifting.

use ndarray::ArrayView2;

/// Atoms per leaf.
const LEAF_SIZE: usize = 8;

/// A subtree: atoms `start..end` of the tree order, their box, their largest potential.
#[derive(Debug, Clone)]
struct Node {
    start: usize,
    end: usize,
    /// The two children (left, right), none for a leaf.
    children: Option<(usize, usize)>,
    max_potential: f64,
}

/// A kd-tree over atoms with per-atom potentials.
#[derive(Debug, Clone)]
pub struct PowerTree {
    dim: usize,
    /// Atom coordinates in tree order, row-major.
    coordinates: Vec<f64>,
    /// Atom index of each tree slot.
    order: Vec<usize>,
    /// Potential of each tree slot.
    potentials: Vec<f64>,
    nodes: Vec<Node>,
    /// Per node, the lower then upper corner of its box (2·dim values).
    boxes: Vec<f64>,
}

impl PowerTree {
    /// The tree over the rows of `atoms` (finite, at least one), all potentials zero.
    pub fn new(atoms: ArrayView2<f64>) -> Self {
        let dim = atoms.ncols();
        let mut tree = Self {
            dim,
            coordinates: Vec::with_capacity(atoms.len()),
            order: (0..atoms.nrows()).collect(),
            potentials: vec![0.0; atoms.nrows()],
            nodes: Vec::new(),
            boxes: Vec::new(),
        };
        let mut order = std::mem::take(&mut tree.order);
        tree.build(atoms, &mut order, 0);
        for &atom in &order {
            tree.coordinates.extend(atoms.row(atom).iter());
        }
        tree.order = order;
        tree
    }

    /// Builds the subtree over `slots` (which start at tree slot `offset`), returning its node.
    fn build(&mut self, atoms: ArrayView2<f64>, slots: &mut [usize], offset: usize) -> usize {
        let dim = self.dim;
        let mut lower = vec![f64::INFINITY; dim];
        let mut upper = vec![f64::NEG_INFINITY; dim];
        for &atom in slots.iter() {
            for (axis, &value) in atoms.row(atom).iter().enumerate() {
                lower[axis] = lower[axis].min(value);
                upper[axis] = upper[axis].max(value);
            }
        }
        let widest = (0..dim)
            .max_by(|&a, &b| (upper[a] - lower[a]).total_cmp(&(upper[b] - lower[b])))
            .unwrap_or(0);
        let node = self.nodes.len();
        self.nodes.push(Node {
            start: offset,
            end: offset + slots.len(),
            children: None,
            max_potential: 0.0,
        });
        self.boxes.extend(&lower);
        self.boxes.extend(&upper);
        if slots.len() > LEAF_SIZE && upper[widest] > lower[widest] {
            let half = slots.len() / 2;
            slots.select_nth_unstable_by(half, |&a, &b| {
                atoms[[a, widest]]
                    .total_cmp(&atoms[[b, widest]])
                    .then(a.cmp(&b))
            });
            let (left, right) = slots.split_at_mut(half);
            let left = self.build(atoms, left, offset);
            let right = self.build(atoms, right, offset + half);
            self.nodes[node].children = Some((left, right));
        }
        node
    }

    /// Sets ψ_j for every atom j (indexed as the rows given to [`PowerTree::new`]).
    pub fn set_potentials(&mut self, potentials: &[f64]) {
        for (slot, &atom) in self.order.iter().enumerate() {
            self.potentials[slot] = potentials[atom];
        }
        // Children are pushed after their parent, so a reverse sweep sees them first.
        for node in (0..self.nodes.len()).rev() {
            let max = match self.nodes[node].children {
                Some((left, right)) => self.nodes[left]
                    .max_potential
                    .max(self.nodes[right].max_potential),
                None => {
                    let Node { start, end, .. } = self.nodes[node];
                    self.potentials[start..end]
                        .iter()
                        .copied()
                        .fold(f64::NEG_INFINITY, f64::max)
                }
            };
            self.nodes[node].max_potential = max;
        }
    }

    fn distance_sq_to_box(&self, node: usize, x: &[f64]) -> f64 {
        let corners = &self.boxes[2 * self.dim * node..2 * self.dim * (node + 1)];
        let (lower, upper) = corners.split_at(self.dim);
        x.iter()
            .zip(lower.iter().zip(upper))
            .map(|(&v, (&lo, &hi))| {
                let gap = (lo - v).max(v - hi).max(0.0);
                gap * gap
            })
            .sum()
    }

    /// The atom j minimizing `cost(|x − a_j|²) − ψ_j` (the lowest index among ties) and that
    /// value. `cost` must be non-decreasing.
    pub fn best(&self, x: &[f64], cost: &impl Fn(f64) -> f64) -> (usize, f64) {
        let mut best = (usize::MAX, f64::INFINITY);
        self.search(x, cost, 0.0, |index, value| {
            if value < best.1 || (value == best.1 && index < best.0) {
                best = (index, value);
            }
            best.1
        });
        best
    }

    /// Every atom whose `cost(|x − a_j|²) − ψ_j` is within `margin` of the minimum, with those
    /// values, in the tree's order, written over `found`.
    pub fn near_best(
        &self,
        x: &[f64],
        cost: &impl Fn(f64) -> f64,
        margin: f64,
        found: &mut Vec<(usize, f64)>,
    ) {
        found.clear();
        let mut least = f64::INFINITY;
        self.search(x, cost, margin, |index, value| {
            least = least.min(value);
            if value <= least + margin {
                found.push((index, value));
            }
            least
        });
        found.retain(|&(_, value)| value <= least + margin);
    }

    /// Visits every atom whose subtree bound is at most `threshold + margin`, where `visit`
    /// returns the current threshold after each atom.
    fn search(
        &self,
        x: &[f64],
        cost: &impl Fn(f64) -> f64,
        margin: f64,
        mut visit: impl FnMut(usize, f64) -> f64,
    ) {
        let mut threshold = f64::INFINITY;
        // Each pop pushes at most two children, the nearer one on top: the stack holds at most
        // one entry per level of the tree and one more, and the tree halves down to its leaves.
        let mut stack = [(0usize, f64::NEG_INFINITY); 2 * usize::BITS as usize];
        let mut height = 1;
        while height > 0 {
            height -= 1;
            let (node, bound) = stack[height];
            if bound > threshold + margin {
                continue;
            }
            let Node {
                start,
                end,
                children,
                ..
            } = self.nodes[node];
            match children {
                Some((left, right)) => {
                    let bounds = [left, right].map(|child| {
                        cost(self.distance_sq_to_box(child, x)) - self.nodes[child].max_potential
                    });
                    // The nearer child goes on top of the stack.
                    let (near, far) = if bounds[0] <= bounds[1] {
                        ((left, bounds[0]), (right, bounds[1]))
                    } else {
                        ((right, bounds[1]), (left, bounds[0]))
                    };
                    stack[height] = far;
                    stack[height + 1] = near;
                    height += 2;
                }
                None => {
                    for slot in start..end {
                        let atom = &self.coordinates[slot * self.dim..(slot + 1) * self.dim];
                        let distance_sq: f64 =
                            x.iter().zip(atom).map(|(a, b)| (a - b) * (a - b)).sum();
                        let value = cost(distance_sq) - self.potentials[slot];
                        threshold = visit(self.order[slot], value);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use proptest::prelude::*;

    fn brute(atoms: &Array2<f64>, potentials: &[f64], x: &[f64], p: f64) -> (usize, f64) {
        let mut best = (usize::MAX, f64::INFINITY);
        for (j, atom) in atoms.outer_iter().enumerate() {
            let d2: f64 = x.iter().zip(atom).map(|(a, b)| (a - b) * (a - b)).sum();
            let value = d2.powf(p / 2.0) - potentials[j];
            if value < best.1 {
                best = (j, value);
            }
        }
        best
    }

    proptest! {
        /// The tree's answer is the brute-force minimum (value and lowest index), and its atoms
        /// within a margin of it are those of brute force, for p = 1 and 2, with potentials
        /// spread wider than the atoms, duplicates included.
        #[test]
        fn best_is_the_brute_force_minimum(
            dim in 1usize..5,
            coordinates in proptest::collection::vec(-2.0f64..2.0, 4..400),
            potential_scale in 0.0f64..3.0,
            seed in 0u64..1000,
            p in prop_oneof![Just(1.0), Just(2.0)],
        ) {
            let n = coordinates.len() / dim;
            prop_assume!(n >= 1);
            let mut atoms = Array2::from_shape_vec((n, dim), coordinates[..n * dim].to_vec()).unwrap();
            if n > 3 {
                let first = atoms.row(0).to_owned();
                atoms.row_mut(n - 1).assign(&first);
            }
            let potentials: Vec<f64> = (0..n)
                .map(|j| potential_scale * (((j as u64 * 7919 + seed) % 101) as f64 / 100.0 - 0.5))
                .collect();
            let mut tree = PowerTree::new(atoms.view());
            tree.set_potentials(&potentials);
            let mut near = Vec::new();
            for q in 0..20 {
                let x: Vec<f64> = (0..dim)
                    .map(|axis| 2.5 * (((q * 31 + axis as u64 * 17 + seed) % 97) as f64 / 48.0 - 1.0))
                    .collect();
                let cost = |d2: f64| d2.powf(p / 2.0);
                let (index, value) = tree.best(&x, &cost);
                let (expected_index, expected_value) = brute(&atoms, &potentials, &x, p);
                prop_assert!((value - expected_value).abs() <= 1e-12 * (1.0 + expected_value.abs()));
                prop_assert_eq!(index, expected_index);
                // The atoms within a margin of the best, against brute force.
                let margin = 0.5 * potential_scale + 0.1;
                tree.near_best(&x, &cost, margin, &mut near);
                let mut found: Vec<usize> = near.iter().map(|&(j, _)| j).collect();
                found.sort_unstable();
                let expected: Vec<usize> = atoms
                    .outer_iter()
                    .enumerate()
                    .filter(|(j, atom)| {
                        let d2: f64 = x.iter().zip(atom).map(|(a, b)| (a - b) * (a - b)).sum();
                        d2.powf(p / 2.0) - potentials[*j] <= expected_value + margin
                    })
                    .map(|(j, _)| j)
                    .collect();
                prop_assert_eq!(found, expected);
            }
        }
    }
}
