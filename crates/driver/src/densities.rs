//! Model densities on the line: the `model_density` rows a trained score's checkpoints write (`kl_to_mu`'s `densities_at`), drawn per score beside μ's density, one SVG each.

use crate::cell::base_label;
use crate::experiment::Experiment;
use crate::metrics::kl_to_mu::MODEL_DENSITY;
use crate::output::write_string;
use crate::plot::{SIZE, finish_chart, new_chart, plot_error};
use crate::runs::Row;
use crate::training::grouped_in_order;
use anyhow::Result;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One score's model densities at one N: per epoch, per grid point x (in x order), the values
/// over seeds.
type Profiles = BTreeMap<usize, BTreeMap<OrderedX, Vec<f64>>>;

/// A grid point x, ordered by its value.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrderedX(f64);

impl Eq for OrderedX {}

impl PartialOrd for OrderedX {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedX {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// One trained score's model densities at one N.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelDensities {
    /// The score's label without the epoch.
    pub score: String,
    /// N.
    pub n_train: usize,
    /// Per epoch, (x, mean over seeds) in x order.
    pub curves: BTreeMap<usize, Vec<(f64, f64)>>,
}

/// The model densities of each trained score and N, in row order.
pub fn model_densities(rows: &[Row]) -> Vec<ModelDensities> {
    let items = rows
        .iter()
        .filter(|r| r.metric == MODEL_DENSITY)
        .filter_map(|row| {
            let key = (base_label(&row.score).to_string(), row.n_train);
            Some((key, (row.epoch?, row.scale?, row.value?)))
        });
    grouped_in_order(items)
        .into_iter()
        .map(|((score, n_train), values)| {
            let mut profiles: Profiles = BTreeMap::new();
            for (epoch, x, value) in values {
                profiles
                    .entry(epoch)
                    .or_default()
                    .entry(OrderedX(x))
                    .or_default()
                    .push(value);
            }
            let curves = profiles
                .into_iter()
                .map(|(epoch, by_x)| {
                    let curve = by_x
                        .into_iter()
                        .map(|(x, values)| (x.0, values.iter().sum::<f64>() / values.len() as f64))
                        .collect();
                    (epoch, curve)
                })
                .collect();
            ModelDensities {
                score,
                n_train,
                curves,
            }
        })
        .collect()
}

/// Draws `model_density_<i>.svg` for the i-th trained score (and N) with model densities: its
/// mean density over seeds at each epoch, and μ's density on the same grid.
pub fn plot_model_densities(
    experiment: &Experiment,
    rows: &[Row],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (i, densities) in model_densities(rows).into_iter().enumerate() {
        let ModelDensities {
            score,
            n_train,
            curves,
        } = densities;
        let xs: Vec<f64> = curves
            .values()
            .next()
            .map(|c| c.iter().map(|p| p.0).collect())
            .unwrap_or_default();
        let (Some(&lo), Some(&hi)) = (xs.first(), xs.last()) else {
            continue;
        };
        let mut point = ndarray::Array1::zeros(experiment.raw.ambient_dim);
        let target: Vec<(f64, f64)> = xs
            .iter()
            .map(|&x| {
                point[0] = x;
                Ok((x, experiment.measure.density(point.view())?))
            })
            .collect::<Result<_>>()?;
        let top = curves
            .values()
            .flatten()
            .chain(&target)
            .map(|p| p.1)
            .fold(0.0, f64::max);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            let mut chart = new_chart(
                &root,
                &format!("{}: {score}, N = {n_train}", experiment.name),
                lo..hi,
                0.0..top * 1.08,
                ("x", "density"),
            )?;
            chart
                .draw_series(LineSeries::new(
                    target.iter().copied(),
                    BLACK.stroke_width(3),
                ))
                .map_err(plot_error)?
                .label("μ")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(3))
                });
            for (j, (epoch, curve)) in curves.iter().enumerate() {
                let color = Palette99::pick(j).to_rgba();
                chart
                    .draw_series(LineSeries::new(
                        curve.iter().copied(),
                        color.stroke_width(2),
                    ))
                    .map_err(plot_error)?
                    .label(format!("p̂ at epoch {epoch}"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                    });
            }
            finish_chart(&mut chart, &root, SeriesLabelPosition::UpperRight)?;
        }
        let path = dir.join(format!("{MODEL_DENSITY}_{}.svg", i + 1));
        write_string(&path, &svg)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn row(score: &str, epoch: usize, seed: usize, x: f64, value: f64) -> Row {
        Row {
            score: format!("{score}@epoch={epoch}"),
            epoch: Some(epoch),
            n_train: 1000,
            seed,
            metric: MODEL_DENSITY.into(),
            scale: Some(x),
            value: Some(value),
            ..Row::default()
        }
    }

    #[test]
    fn densities_are_averaged_over_seeds_in_x_order_and_drawn_beside_mu() {
        let rows = vec![
            row("net", 100, 0, 1.0, 0.2),
            row("net", 100, 0, -1.0, 0.1),
            row("net", 100, 1, 1.0, 0.4),
            row("net", 100, 1, -1.0, 0.3),
            row("net", 1900, 0, -1.0, 0.25),
            row("net", 1900, 0, 1.0, 0.25),
        ];
        let found = model_densities(&rows);
        assert_eq!(found.len(), 1);
        let ModelDensities {
            score,
            n_train,
            curves,
        } = &found[0];
        assert_eq!((score.as_str(), *n_train), ("net", 1000));
        let close = |a: &[(f64, f64)], b: &[(f64, f64)]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(p, q)| p.0 == q.0 && (p.1 - q.1).abs() < 1e-12)
        };
        assert!(
            close(&curves[&100], &[(-1.0, 0.2), (1.0, 0.3)]),
            "{curves:?}"
        );
        assert!(close(&curves[&1900], &[(-1.0, 0.25), (1.0, 0.25)]));
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/experiments/l2_li_modes_shift_gmm.toml");
        let experiment = Experiment::load(&file, Profile::Quick).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let plots = plot_model_densities(&experiment, &rows, dir.path()).unwrap();
        assert_eq!(plots.len(), 1);
        let svg = std::fs::read_to_string(&plots[0]).unwrap();
        for needle in [
            "density",
            "μ",
            "p̂ at epoch 100",
            "p̂ at epoch 1900",
            "N = 1000",
        ] {
            assert!(svg.contains(needle), "{needle} missing");
        }
    }
}
