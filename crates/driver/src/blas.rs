//! One OpenBLAS thread per process, whatever the environment says.
//!
//! OpenBLAS reads `OPENBLAS_NUM_THREADS` when the library loads, before `main`, and with several
//! threads its SVD and QR may round differently from run to run (measured: the last digit of
//! some runs.csv values changed between two identical sweeps). The sweep's cells already run in
//! parallel, and the same seed must give the same CSV, so the driver pins OpenBLAS to one thread.

#![allow(unsafe_code)]

use std::ffi::c_int;

// SAFETY: `openblas_set_num_threads` is part of OpenBLAS's public C API (cblas.h), takes a plain
// int and has no preconditions; it is linked through ndarray-linalg's `openblas-system` feature.
unsafe extern "C" {
    safe fn openblas_set_num_threads(threads: c_int);
}

/// Makes OpenBLAS run single-threaded from here on.
pub fn single_threaded() {
    openblas_set_num_threads(1);
}
