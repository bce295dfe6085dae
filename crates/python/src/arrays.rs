//! Arrays across the boundary: NumPy array-likes checked into ndarray, results back as NumPy arrays, errors and panics as Python exceptions.

use numpy::{AllowTypeChange, PyArrayLike1, PyArrayLike2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A 2-D array-like of points, converted to float64 when it is of another dtype.
pub type Points<'py> = PyArrayLike2<'py, f64, AllowTypeChange>;

/// A 1-D array-like of numbers, converted to float64 when it is of another dtype.
pub type Values<'py> = PyArrayLike1<'py, f64, AllowTypeChange>;

/// The points of argument `name`: at least one row, every value finite, `dim` columns when
/// given. The error names the argument, the row and the column.
pub fn points(name: &str, array: &Points, dim: Option<usize>) -> PyResult<ndarray::Array2<f64>> {
    let view = array.as_array();
    if view.nrows() == 0 {
        return Err(PyValueError::new_err(format!(
            "{name}: no points (the array has 0 rows)"
        )));
    }
    if let Some(d) = dim
        && view.ncols() != d
    {
        return Err(PyValueError::new_err(format!(
            "{name}: {} columns, expected {d}",
            view.ncols()
        )));
    }
    for ((row, column), value) in view.indexed_iter() {
        if !value.is_finite() {
            return Err(PyValueError::new_err(format!(
                "{name}: row {row}, column {column}: {value} is not finite"
            )));
        }
    }
    Ok(view.to_owned())
}

/// The values of argument `name`, every one finite.
pub fn values(name: &str, array: &Values) -> PyResult<Vec<f64>> {
    let view = array.as_array();
    if let Some((index, value)) = view.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(PyValueError::new_err(format!(
            "{name}[{index}]: {value} is not finite"
        )));
    }
    Ok(view.to_vec())
}

/// Runs `work` without the GIL; its error becomes a `ValueError` with the message (and its
/// causes) that the command line prints, a panic a `RuntimeError`.
pub fn guarded<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> anyhow::Result<T> + Send,
) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(work)));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(PyValueError::new_err(format!("{err:#}"))),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic without a message".into());
            Err(PyRuntimeError::new_err(format!(
                "mangen: internal error: {message}"
            )))
        }
    }
}
