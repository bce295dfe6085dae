//! The module's functions on arrays: the built-in scores (empirical, smoothed, projection, oracle), the metrics with their nulls (fidelity, nearest distances, novelty, generalizing fraction, Wasserstein, coverage) and log–log slope fits.

use crate::arrays::{Points, Values, guarded, points, values};
use crate::law::Law;
use mangen_driver::commands::score::{ScoreKind, ScoreRequest, score_rows};
use mangen_driver::schema::ScheduleName;
use mangen_metrics::{
    FitOptions, Observation, coverage_curve, fidelity as fidelity_of, fit_slope as fit,
    generalizing_fraction, nearest_two, novelty as novelty_of, wasserstein as wasserstein_of,
};
use mangen_scores::{KdTree, OracleProjection, Schedule};
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;

/// Adds the functions to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(empirical_score, module)?)?;
    module.add_function(wrap_pyfunction!(projection_score, module)?)?;
    module.add_function(wrap_pyfunction!(oracle_score, module)?)?;
    module.add_function(wrap_pyfunction!(fidelity, module)?)?;
    module.add_function(wrap_pyfunction!(nearest_distances, module)?)?;
    module.add_function(wrap_pyfunction!(novelty, module)?)?;
    module.add_function(wrap_pyfunction!(wasserstein, module)?)?;
    module.add_function(wrap_pyfunction!(coverage, module)?)?;
    module.add_function(wrap_pyfunction!(fit_slope, module)?)?;
    Ok(())
}

fn schedule_of(name: &str) -> PyResult<Schedule> {
    let parsed: ScheduleName = toml::Value::String(name.into()).try_into().map_err(|_| {
        PyValueError::new_err(format!("schedule: `{name}` is neither \"ve\" nor \"vp\""))
    })?;
    Ok(parsed.schedule())
}

/// Runs a score request over a training set at the queries.
fn run_request<'py>(
    py: Python<'py>,
    request: ScoreRequest,
    train: Points<'py>,
    x: Points<'py>,
    t: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let train = points("train", &train, None)?;
    let x = points("x", &x, Some(train.ncols()))?;
    let values = guarded(py, move || request.evaluate(train, &x, t))?;
    Ok(values.into_pyarray(py))
}

/// The empirical score of the training set at time t at each row of x (the exact score of the
/// forward-noised empirical law, the memorizer), with a certified truncation tolerance `eps`;
/// with a bandwidth `h`, the smoothed empirical score (the score of a kernel density estimate).
#[pyfunction]
#[pyo3(signature = (train, x, t, schedule = "ve", eps = None, h = None))]
fn empirical_score<'py>(
    py: Python<'py>,
    train: Points<'py>,
    x: Points<'py>,
    t: f64,
    schedule: &str,
    eps: Option<f64>,
    h: Option<f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let request = ScoreRequest {
        kind: if h.is_some() {
            ScoreKind::Smoothed
        } else {
            ScoreKind::Empirical
        },
        schedule: schedule_of(schedule)?,
        h,
        eps,
        degree: 0,
        intrinsic_dim: None,
    };
    run_request(py, request, train, x, t)
}

/// The projection score: the score of the Gaussian around a local-polynomial estimate π̂_N of
/// the nearest-point projection, fitted on the training set (degree 1–4; the intrinsic
/// dimension estimated when None).
#[pyfunction]
#[pyo3(signature = (train, x, t, degree = 2, intrinsic_dim = None, schedule = "ve"))]
fn projection_score<'py>(
    py: Python<'py>,
    train: Points<'py>,
    x: Points<'py>,
    t: f64,
    degree: usize,
    intrinsic_dim: Option<usize>,
    schedule: &str,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let request = ScoreRequest {
        kind: ScoreKind::Projection,
        schedule: schedule_of(schedule)?,
        h: None,
        eps: None,
        degree,
        intrinsic_dim,
    };
    run_request(py, request, train, x, t)
}

/// The oracle projection score of the law's manifold at time t at each row of x: the exact
/// projection π of M in place of an estimate (geometry known exactly, density ignored).
#[pyfunction]
#[pyo3(signature = (law, x, t, schedule = "ve"))]
fn oracle_score<'py>(
    py: Python<'py>,
    law: &Law,
    x: Points<'py>,
    t: f64,
    schedule: &str,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let x = points("x", &x, Some(law.measure.manifold().ambient_dim()))?;
    let schedule = schedule_of(schedule)?;
    let manifold = law.manifold.clone();
    let values = guarded(py, move || {
        mangen_scores::check_time(t).map_err(|err| anyhow::anyhow!("t: {err}"))?;
        score_rows(&OracleProjection::new(manifold, schedule), &x, t)
    })?;
    Ok(values.into_pyarray(py))
}

/// Fidelity: d(x̂, M) of each sample, with their mean, median, q95 and max.
#[pyfunction]
fn fidelity<'py>(py: Python<'py>, law: &Law, samples: Points<'py>) -> PyResult<Bound<'py, PyDict>> {
    let samples = points(
        "samples",
        &samples,
        Some(law.measure.manifold().ambient_dim()),
    )?;
    let measure = law.measure.clone();
    let result = guarded(py, move || {
        Ok(fidelity_of(measure.manifold(), samples.view())?)
    })?;
    let out = PyDict::new(py);
    out.set_item("mean", result.summary.mean)?;
    out.set_item("median", result.summary.median)?;
    out.set_item("q95", result.summary.q95)?;
    out.set_item("max", result.summary.max)?;
    out.set_item(
        "distances",
        ndarray::Array1::from(result.distances).into_pyarray(py),
    )?;
    Ok(out)
}

/// A column of distances handed to Python.
type Distances<'py> = Bound<'py, PyArray1<f64>>;

/// The distances d1, d2 from each query to its nearest and second-nearest training point
/// (exact, through the kd-tree), as two arrays.
#[pyfunction]
fn nearest_distances<'py>(
    py: Python<'py>,
    train: Points<'py>,
    query: Points<'py>,
) -> PyResult<(Distances<'py>, Distances<'py>)> {
    let train = points("train", &train, None)?;
    let query = points("query", &query, Some(train.ncols()))?;
    let nearest = guarded(py, move || {
        if train.nrows() < 2 {
            anyhow::bail!("train: d2 needs at least 2 training points");
        }
        let index = KdTree::new(Arc::new(train))?;
        Ok(nearest_two(&index, query.view())?)
    })?;
    Ok((
        ndarray::Array1::from(nearest.d1).into_pyarray(py),
        ndarray::Array1::from(nearest.d2).into_pyarray(py),
    ))
}

/// Novelty of the samples against the training set, with the null of a fresh sample of μ:
/// the memorized fraction P(d1/d2 < 1/3) and its null, the novelty index median d1(samples) /
/// median d1(fresh), the medians of d1, and the generalizing fraction (within `tube` of M and
/// not a copy) with its null, as the sweep's rows name them.
#[pyfunction]
#[pyo3(signature = (law, train, samples, fresh, tube = 0.05))]
fn novelty<'py>(
    py: Python<'py>,
    law: &Law,
    train: Points<'py>,
    samples: Points<'py>,
    fresh: Points<'py>,
    tube: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let dim = Some(law.measure.manifold().ambient_dim());
    let train = points("train", &train, dim)?;
    let samples = points("samples", &samples, dim)?;
    let fresh = points("fresh", &fresh, dim)?;
    let measure = law.measure.clone();
    let (result, generalizing, generalizing_null) = guarded(py, move || {
        if train.nrows() < 2 {
            anyhow::bail!("train: novelty needs at least 2 training points");
        }
        let index = KdTree::new(Arc::new(train))?;
        let result = novelty_of(&index, samples.view(), fresh.view())?;
        let share = |points: &ndarray::Array2<f64>| -> anyhow::Result<f64> {
            let nearest = nearest_two(&index, points.view())?;
            let to_m = fidelity_of(measure.manifold(), points.view())?.distances;
            Ok(generalizing_fraction(&to_m, &nearest, tube)?)
        };
        Ok((result, share(&samples)?, share(&fresh)?))
    })?;
    let out = PyDict::new(py);
    out.set_item("memorized_fraction", result.generated.memorized_fraction)?;
    out.set_item("memorized_fraction_null", result.null.memorized_fraction)?;
    out.set_item("novelty_index", result.index)?;
    out.set_item("d1_median", result.generated.d1.median)?;
    out.set_item("d1_median_null", result.null.d1.median)?;
    out.set_item("generalizing_fraction", generalizing)?;
    out.set_item("generalizing_fraction_null", generalizing_null)?;
    Ok(out)
}

/// Exact W_p between two point sets of equal size (optimal assignment, Euclidean cost). Its
/// null is the same distance between two fresh samples of μ of that size.
#[pyfunction]
#[pyo3(signature = (a, b, p = 1.0))]
fn wasserstein<'py>(py: Python<'py>, a: Points<'py>, b: Points<'py>, p: f64) -> PyResult<f64> {
    let a = points("a", &a, None)?;
    let b = points("b", &b, Some(a.ncols()))?;
    if a.nrows() != b.nrows() {
        return Err(PyValueError::new_err(format!(
            "a has {} points and b has {}: exact W_p by assignment needs equal sizes",
            a.nrows(),
            b.nrows()
        )));
    }
    guarded(py, move || {
        wasserstein_of(a.view(), b.view(), p).map_err(|err| anyhow::anyhow!("p: {err}"))
    })
}

/// Coverage ratios ν(B(y, r) ∩ tube)/μ(B(y, r) ∩ M) of the samples over balls of μ centred at
/// `centres`, one entry per radius: radius, min, q05, median, max and the covered fraction.
#[pyfunction]
#[pyo3(signature = (law, samples, centres, radii, tube))]
fn coverage<'py>(
    py: Python<'py>,
    law: &Law,
    samples: Points<'py>,
    centres: Points<'py>,
    radii: Values<'py>,
    tube: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let dim = Some(law.measure.manifold().ambient_dim());
    let samples = points("samples", &samples, dim)?;
    let centres = points("centres", &centres, dim)?;
    let radii = values("radii", &radii)?;
    let measure = law.measure.clone();
    let curve = guarded(py, move || {
        Ok(coverage_curve(
            measure.as_ref(),
            samples.view(),
            centres.view(),
            &radii,
            tube,
        )?)
    })?;
    let column = |f: fn(&mangen_metrics::Coverage) -> f64| {
        ndarray::Array1::from_iter(curve.iter().map(f)).into_pyarray(py)
    };
    let out = PyDict::new(py);
    out.set_item("radius", column(|c| c.radius))?;
    out.set_item("min", column(|c| c.summary.min))?;
    out.set_item("q05", column(|c| c.summary.q05))?;
    out.set_item("median", column(|c| c.summary.median))?;
    out.set_item("max", column(|c| c.summary.max))?;
    out.set_item("covered_fraction", column(|c| c.covered_fraction))?;
    Ok(out)
}

/// The log–log slope of values against N (one observation per cell: repeat an N once per
/// seed), with a studentized bootstrap interval at `level` (over the seeds; over residuals
/// where some N has one value): the sweep's estimator without its floor and flattening cuts
/// (its bootstrap draws come from `seed`; the sweep seeds them with the experiment's seed).
#[pyfunction]
#[pyo3(signature = (n, values, level = 0.9, seed = 0))]
fn fit_slope<'py>(
    py: Python<'py>,
    n: Values<'py>,
    values: Values<'py>,
    level: f64,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let n = crate::arrays::values("n", &n)?;
    let values = crate::arrays::values("values", &values)?;
    if n.len() != values.len() {
        return Err(PyValueError::new_err(format!(
            "n has {} entries and values {}",
            n.len(),
            values.len()
        )));
    }
    let observations: Vec<Observation> = n
        .iter()
        .zip(&values)
        .map(|(&n, &value)| Observation { n, value })
        .collect();
    let options = FitOptions {
        level,
        seed,
        ..FitOptions::default()
    };
    let result = guarded(py, move || Ok(fit(&observations, &options)?))?;
    let out = PyDict::new(py);
    out.set_item("slope", result.slope)?;
    out.set_item("intercept", result.intercept)?;
    out.set_item("ci_low", result.ci_low)?;
    out.set_item("ci_high", result.ci_high)?;
    out.set_item("level", result.level)?;
    out.set_item("ci_method", result.method.label())?;
    out.set_item("n_min", result.n_min)?;
    out.set_item("n_max", result.n_max)?;
    out.set_item("r_squared", result.r_squared)?;
    Ok(out)
}
