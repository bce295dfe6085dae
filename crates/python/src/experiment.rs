//! `mangen.Experiment`: an experiment config and the cells of its sweep — training sets, fresh samples, coverage centres, the built-in scores' samples, and the evaluation of any model's samples as rows of runs.csv.

use crate::arrays::{Points, guarded, points};
use crate::law::Law;
use mangen_driver::cell::evaluate_samples;
use mangen_driver::commands::data::{What, cell_array};
use mangen_driver::commands::sample::sample_cell;
use mangen_driver::experiment::Experiment as Checked;
use mangen_driver::profile::Profile;
use mangen_driver::schema::Method;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::sync::Arc;

/// An experiment config, checked as the sweep checks it, under a profile ("quick", "standard"
/// or "large").
#[pyclass(frozen, module = "mangen")]
pub struct Experiment {
    experiment: Arc<Checked>,
}

impl Experiment {
    /// One array of the cell (n, seed).
    fn array<'py>(
        &self,
        py: Python<'py>,
        what: What,
        n: usize,
        seed: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        check_n(n)?;
        let experiment = self.experiment.clone();
        let points = guarded(py, move || cell_array(&experiment, what, n, seed))?;
        Ok(points.into_pyarray(py))
    }
}

fn check_n(n: usize) -> PyResult<()> {
    if n < 2 {
        return Err(PyValueError::new_err(format!("n: must be ≥ 2 (got {n})")));
    }
    Ok(())
}

#[pymethods]
impl Experiment {
    #[new]
    #[pyo3(signature = (path, profile = "standard"))]
    fn new(py: Python<'_>, path: PathBuf, profile: &str) -> PyResult<Self> {
        let profile: Profile = profile
            .parse()
            .map_err(|err| PyValueError::new_err(format!("profile: {err}")))?;
        let experiment = guarded(py, move || Checked::load(&path, profile))?;
        Ok(Self {
            experiment: Arc::new(experiment),
        })
    }

    /// The experiment's name (its file stem).
    #[getter]
    fn name(&self) -> String {
        self.experiment.name.clone()
    }

    /// The data law μ on M.
    #[getter]
    fn law(&self) -> Law {
        Law {
            measure: self.experiment.measure.clone(),
            manifold: self.experiment.manifold.clone(),
        }
    }

    /// The N grid of the profile's sweep.
    #[getter]
    fn n_train(&self) -> Vec<usize> {
        self.experiment.sweep.n_train.clone()
    }

    /// Repetitions per N.
    #[getter]
    fn seeds(&self) -> usize {
        self.experiment.sweep.seeds
    }

    /// Generated samples per cell.
    #[getter]
    fn samples(&self) -> usize {
        self.experiment.sweep.samples
    }

    /// The labels of the experiment's scores.
    #[getter]
    fn scores(&self) -> Vec<String> {
        self.experiment
            .scores
            .iter()
            .map(|s| s.label.clone())
            .collect()
    }

    /// The experiment's samplers, each a dict: label, method ("sde" or "ode"), t_max, t_min,
    /// steps (of the geometric time grid) and denoise.
    #[getter]
    fn samplers<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.experiment
            .samplers
            .iter()
            .map(|sampler| {
                let out = PyDict::new(py);
                out.set_item("label", &sampler.label)?;
                let method = match sampler.method {
                    Method::Sde => "sde",
                    Method::Ode => "ode",
                };
                out.set_item("method", method)?;
                out.set_item("t_max", sampler.config.t_max)?;
                out.set_item("t_min", sampler.config.t_min)?;
                out.set_item("steps", sampler.config.steps)?;
                out.set_item("denoise", sampler.config.denoise)?;
                Ok(out)
            })
            .collect()
    }

    /// The training set of the cell (n, seed): n points of μ, an (n, D) array.
    fn training_set<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        self.array(py, What::Training, n, seed)
    }

    /// The fresh sample of μ beside the generated samples of the cell (as many points as the
    /// profile's samples per cell).
    fn fresh<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        self.array(py, What::Fresh, n, seed)
    }

    /// The coverage metric's ball centres in the cell.
    fn centres<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        self.array(py, What::Centres, n, seed)
    }

    /// The samples of a built-in score in the cell, exactly as the sweep draws them: the score
    /// by label or kind (the first when None), `count` samples (the profile's when None).
    #[pyo3(signature = (n, seed, score = None, sampler = 0, count = None))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: usize,
        score: Option<String>,
        sampler: usize,
        count: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let experiment = self.experiment.clone();
        let samples = guarded(py, move || {
            sample_cell(&experiment, score.as_deref(), sampler, n, seed, count)
        })?;
        Ok(samples.into_pyarray(py))
    }

    /// Every metric the config names for the cell (n, seed), with the same nulls, over `samples`
    /// of any model: the rows `mangen evaluate` writes, as a dict of columns of runs.csv
    /// (`pandas.DataFrame(columns)`); empty epochs, scales and values are NaN.
    #[pyo3(signature = (n, seed, samples, label = "external"))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: usize,
        samples: Points<'py>,
        label: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        check_n(n)?;
        let samples = points(
            "samples",
            &samples,
            Some(self.experiment.manifold.ambient_dim()),
        )?;
        let experiment = self.experiment.clone();
        let label = label.to_string();
        let rows = guarded(py, move || {
            evaluate_samples(&experiment, n, seed, samples, &label)
        })?;
        let columns = PyDict::new(py);
        let text = |f: fn(&mangen_driver::runs::Row) -> String| -> Vec<String> {
            rows.iter().map(f).collect()
        };
        let count = |f: fn(&mangen_driver::runs::Row) -> usize| -> Vec<usize> {
            rows.iter().map(f).collect()
        };
        let number = |f: fn(&mangen_driver::runs::Row) -> Option<f64>| {
            ndarray::Array1::from_iter(rows.iter().map(|r| f(r).unwrap_or(f64::NAN)))
        };
        columns.set_item("experiment", text(|r| r.experiment.clone()))?;
        columns.set_item("manifold", text(|r| r.manifold.clone()))?;
        columns.set_item("intrinsic_dim", count(|r| r.intrinsic_dim))?;
        columns.set_item("ambient_dim", count(|r| r.ambient_dim))?;
        columns.set_item("density", text(|r| r.density.clone()))?;
        columns.set_item("score", text(|r| r.score.clone()))?;
        columns.set_item("score_kind", text(|r| r.score_kind.clone()))?;
        columns.set_item("sampler", text(|r| r.sampler.clone()))?;
        let epoch: Bound<'py, PyArray1<f64>> =
            number(|r| r.epoch.map(|e| e as f64)).into_pyarray(py);
        columns.set_item("epoch", epoch)?;
        columns.set_item("n_train", count(|r| r.n_train))?;
        columns.set_item("seed", count(|r| r.seed))?;
        columns.set_item("samples", count(|r| r.samples))?;
        columns.set_item("metric", text(|r| r.metric.clone()))?;
        let scale: Bound<'py, PyArray1<f64>> = number(|r| r.scale).into_pyarray(py);
        columns.set_item("scale", scale)?;
        let value: Bound<'py, PyArray1<f64>> = number(|r| r.value).into_pyarray(py);
        columns.set_item("value", value)?;
        Ok(columns)
    }

    fn __repr__(&self) -> String {
        format!(
            "Experiment({}, profile {})",
            self.experiment.file.display(),
            self.experiment.profile
        )
    }
}
