//! The Python package `mangen` (its compiled module `mangen._mangen`): laws on manifolds, scores, metrics with their nulls, slopes and the cells of a sweep, on NumPy arrays.
//!
//! Every function checks its arrays (2-D, finite, at least one row, the right number of
//! columns; other dtypes and array-likes are converted to float64 as NumPy would), runs without
//! the GIL, and turns an error into a Python exception carrying the same message as the command
//! line's; a panic becomes a `RuntimeError`, never a crash.
// pyo3's macros expand to the FFI glue, which is unsafe code by nature.
#![allow(unsafe_code)]

mod arrays;
mod experiment;
mod functions;
mod law;

use pyo3::prelude::*;

/// The compiled module; `mangen/__init__.py` re-exports it.
#[pymodule]
fn _mangen(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_class::<law::Law>()?;
    module.add_class::<experiment::Experiment>()?;
    functions::register(module)
}
