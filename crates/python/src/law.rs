//! `mangen.Law`: a data law μ on a manifold M in R^D, built from the config's own tables (`{"kind": "sphere", "k": 2}`), or taken from an experiment.

use crate::arrays::{Points, guarded, points};
use mangen_driver::experiment::MAX_AMBIENT_DIM;
use mangen_driver::models::{build_density, build_manifold};
use mangen_driver::schema::{DensitySpec, EmbeddingKind, ManifoldSpec};
use mangen_geometry::{Manifold, rng};
use mangen_measures::Measure;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::sync::Arc;

/// A data law μ on a manifold M embedded in R^D.
///
/// `Law({"kind": "sphere", "k": 2}, ambient_dim=3, density={"kind": "kink", "slope": 2.0})`
/// takes the `[manifold]` and `[density]` tables of an experiment config as dicts; the
/// embedding is "standard" (the first axes) or "random" (a Haar isometry drawn from `seed`).
#[pyclass(frozen, module = "mangen")]
pub struct Law {
    /// μ.
    pub measure: Arc<dyn Measure>,
    /// Its manifold M, shared (the oracle score holds it).
    pub manifold: Arc<dyn Manifold>,
}

/// A Python value of a config table as TOML: bool, int, float, str, and lists or tuples of them.
fn to_toml(field: &str, value: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    if value.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(value.extract()?));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(toml::Value::Integer(value.extract()?));
    }
    if value.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(value.extract()?));
    }
    if value.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(value.extract()?));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = value.extract()?;
        let converted: PyResult<Vec<toml::Value>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| to_toml(&format!("{field}[{i}]"), item))
            .collect();
        return Ok(toml::Value::Array(converted?));
    }
    Err(PyValueError::new_err(format!(
        "{field}: {} is not a number, string, bool or list",
        value.get_type().name()?
    )))
}

/// A dict of a config table read into the table's schema; errors name the table.
fn table<T: serde::de::DeserializeOwned>(name: &str, dict: &Bound<'_, PyDict>) -> PyResult<T> {
    let mut entries = toml::Table::new();
    for (key, value) in dict.iter() {
        let key: String = key
            .extract()
            .map_err(|_| PyValueError::new_err(format!("{name}: the keys must be strings")))?;
        let converted = to_toml(&format!("{name}.{key}"), &value)?;
        entries.insert(key, converted);
    }
    toml::Value::Table(entries)
        .try_into()
        .map_err(|err: toml::de::Error| PyValueError::new_err(format!("{name}: {}", err.message())))
}

#[pymethods]
impl Law {
    #[new]
    #[pyo3(signature = (manifold, ambient_dim, density = None, embedding = "standard", seed = 0))]
    fn new(
        manifold: &Bound<'_, PyDict>,
        ambient_dim: usize,
        density: Option<&Bound<'_, PyDict>>,
        embedding: &str,
        seed: u64,
    ) -> PyResult<Self> {
        let spec: ManifoldSpec = table("manifold", manifold)?;
        let density: DensitySpec = match density {
            Some(dict) => table("density", dict)?,
            None => DensitySpec::Uniform,
        };
        let embedding: EmbeddingKind =
            toml::Value::String(embedding.into())
                .try_into()
                .map_err(|_| {
                    PyValueError::new_err(format!(
                        "embedding: `{embedding}` is neither \"standard\" nor \"random\""
                    ))
                })?;
        if !(1..=MAX_AMBIENT_DIM).contains(&ambient_dim) {
            return Err(PyValueError::new_err(format!(
                "ambient_dim: must be in 1..={MAX_AMBIENT_DIM} (got {ambient_dim})"
            )));
        }
        let (manifold, direction) = build_manifold(&spec, ambient_dim, embedding, seed)
            .map_err(|err| PyValueError::new_err(format!("manifold: {err}")))?;
        let measure = build_density(density, manifold.clone(), direction)
            .map_err(|err| PyValueError::new_err(format!("density: {err}")))?;
        Ok(Self { measure, manifold })
    }

    /// The law's name, as in the density column of runs.csv.
    #[getter]
    fn name(&self) -> String {
        self.measure.name()
    }

    /// The manifold's name, as in the manifold column of runs.csv.
    #[getter]
    fn manifold(&self) -> String {
        self.measure.manifold().name()
    }

    /// The intrinsic dimension k of M.
    #[getter]
    fn intrinsic_dim(&self) -> usize {
        self.measure.manifold().intrinsic_dim()
    }

    /// The ambient dimension D.
    #[getter]
    fn ambient_dim(&self) -> usize {
        self.measure.manifold().ambient_dim()
    }

    /// `n` independent draws of μ, an (n, D) array, from the stream of `seed`.
    #[pyo3(signature = (n, seed = 0))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        if n == 0 {
            return Err(PyValueError::new_err("n: must be ≥ 1"));
        }
        let measure = self.measure.clone();
        let drawn = guarded(py, move || Ok(measure.sample(n, &mut rng::seeded(seed))))?;
        Ok(drawn.into_pyarray(py))
    }

    /// π(x): the nearest point of M to each row of x, an (n, D) array.
    fn project<'py>(&self, py: Python<'py>, x: Points<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = points("x", &x, Some(self.ambient_dim()))?;
        let measure = self.measure.clone();
        let projected = guarded(py, move || Ok(measure.manifold().project_rows(x.view())?))?;
        Ok(projected.into_pyarray(py))
    }

    /// d(x, M) for each row of x.
    fn distance<'py>(
        &self,
        py: Python<'py>,
        x: Points<'py>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = points("x", &x, Some(self.ambient_dim()))?;
        let measure = self.measure.clone();
        let distances = guarded(py, move || {
            let m = measure.manifold();
            x.outer_iter()
                .map(|row| Ok(m.distance_to(row)?))
                .collect::<anyhow::Result<Vec<f64>>>()
        })?;
        Ok(ndarray::Array1::from(distances).into_pyarray(py))
    }

    /// The density of μ with respect to the volume of M, at π(x) for each row of x.
    fn density<'py>(&self, py: Python<'py>, x: Points<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = points("x", &x, Some(self.ambient_dim()))?;
        let measure = self.measure.clone();
        let densities = guarded(py, move || {
            let on_m = measure.manifold().project_rows(x.view())?;
            on_m.outer_iter()
                .map(|row| Ok(measure.density(row)?))
                .collect::<anyhow::Result<Vec<f64>>>()
        })?;
        Ok(ndarray::Array1::from(densities).into_pyarray(py))
    }

    fn __repr__(&self) -> String {
        format!(
            "Law({} on {} in R^{})",
            self.measure.name(),
            self.measure.manifold().name(),
            self.ambient_dim()
        )
    }
}
