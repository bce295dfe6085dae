//! `mangen metric …`: the metrics of point sets given as files (Wasserstein, nearest neighbours, fidelity, coverage).
#![allow(clippy::print_stdout)]

use crate::commands::{ManifoldArgs, output_points};
use crate::points::{read_points, write_points};
use anyhow::{Context, Result, bail};
use mangen_geometry::Manifold;
use mangen_metrics::{coverage_curve, fidelity, nearest_two, wasserstein};
use mangen_scores::KdTree;
use ndarray::{Array2, Axis};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// `mangen metric wasserstein`: prints W_p alone.
pub fn metric_wasserstein(a: &Path, b: &Path, p: f64) -> Result<()> {
    let a_points = read_points(a, None)?;
    let b_points = read_points(b, Some(a_points.ncols()))?;
    if a_points.nrows() != b_points.nrows() {
        bail!(
            "{} has {} points and {} has {}: exact W_p by assignment needs equal sizes",
            a.display(),
            a_points.nrows(),
            b.display(),
            b_points.nrows()
        );
    }
    let value = wasserstein(a_points.view(), b_points.view(), p).context("--p")?;
    println!("{value}");
    Ok(())
}

/// `mangen metric nn`: d1, d2 per query.
pub fn metric_nn(train: &Path, query: &Path, out: Option<&Path>) -> Result<()> {
    let train_points = Arc::new(read_points(train, None)?);
    let queries = read_points(query, Some(train_points.ncols()))?;
    let index = KdTree::new(train_points)?;
    let nearest = nearest_two(&index, queries.view())?;
    let mut table = Array2::zeros((nearest.d1.len(), 2));
    for (i, (d1, d2)) in nearest.d1.iter().zip(&nearest.d2).enumerate() {
        table[[i, 0]] = *d1;
        table[[i, 1]] = *d2;
    }
    let header = ["d1".to_string(), "d2".to_string()];
    output_points(&table, &header, out)
}

/// `mangen metric fidelity`.
pub fn metric_fidelity(samples: &Path, manifold: &ManifoldArgs, out: Option<&Path>) -> Result<()> {
    let law = manifold.law()?;
    let m: &dyn Manifold = law.manifold();
    let points = read_points(samples, Some(m.ambient_dim()))?;
    let result = fidelity(m, points.view())?;
    if let Some(path) = out {
        let column = ndarray::Array1::from(result.distances.clone()).insert_axis(Axis(1));
        write_points(path, &column, Some(&["distance".to_string()]))?;
    }
    let s = result.summary;
    println!(
        "statistic,value\nmean,{}\nmedian,{}\nq95,{}\nmax,{}",
        s.mean, s.median, s.q95, s.max
    );
    Ok(())
}

/// `mangen metric coverage`: one row per radius.
pub fn metric_coverage(
    samples: &Path,
    manifold: &ManifoldArgs,
    radii: &[f64],
    tube: f64,
    centres: usize,
    seed: u64,
) -> Result<()> {
    let law = manifold.law()?;
    let points = read_points(samples, Some(law.manifold().ambient_dim()))?;
    if centres == 0 {
        bail!("--centres must be ≥ 1");
    }
    let centre_points = law.sample(centres, &mut mangen_geometry::rng::seeded(seed));
    let curve = coverage_curve(
        law.as_ref(),
        points.view(),
        centre_points.view(),
        radii,
        tube,
    )?;
    let mut text = String::from("radius,tube,min,q05,median,max,covered_fraction\n");
    for c in &curve {
        text += &format!(
            "{},{},{},{},{},{},{}\n",
            c.radius,
            c.tube,
            c.summary.min,
            c.summary.q05,
            c.summary.median,
            c.summary.max,
            c.covered_fraction
        );
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
