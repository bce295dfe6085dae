//! `cargo xtask python` (run by `cargo xtask test` too): builds the Python package into crates/python/.venv with maturin and runs its pytest suite, which compares it with the release `mangen` binary.
#![allow(clippy::print_stdout)]

use crate::machine;
use std::process::Command;

const HELP: &str = "\
usage: cargo xtask python [-- <extra arguments for pytest>]

Builds the release `mangen` binary, creates crates/python/.venv (python3 -m venv) with the
packages of crates/python/requirements-test.txt when it lacks them, installs the `mangen`
Python package into it (maturin develop --release), and runs pytest on crates/python/tests
with MANGEN_BIN naming the binary the tests compare the package with.
";

/// Builds the package and runs its tests; extra arguments after `--` go to pytest.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(extra) = machine::passed_through(args, HELP)? else {
        return Ok(());
    };
    let mangen = machine::release_mangen()?;
    let root = machine::workspace_root();
    let dir = root.join("crates/python");
    let python = machine::ensure_venv(
        &dir,
        "maturin, numpy, pytest, sklearn",
        &dir.join("requirements-test.txt"),
    )?;
    let venv = dir.join(".venv");
    println!(
        "xtask: maturin develop --release (the `mangen` Python package into {})",
        venv.display()
    );
    let built = Command::new(venv.join("bin/maturin"))
        .args(["develop", "--release", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("VIRTUAL_ENV", &venv)
        .env("OPENBLAS_NUM_THREADS", "1")
        .status()
        .map_err(|err| format!("could not start maturin: {err}"))?;
    if !built.success() {
        return Err(format!("maturin develop failed ({built})"));
    }
    println!("xtask: pytest crates/python/tests");
    let tested = Command::new(&python)
        .args(["-m", "pytest", "-q"])
        .arg(dir.join("tests"))
        .args(&extra)
        .current_dir(&root)
        .env("MANGEN_BIN", &mangen)
        .env("OPENBLAS_NUM_THREADS", "1")
        .status()
        .map_err(|err| format!("could not start pytest: {err}"))?;
    if tested.success() {
        Ok(())
    } else {
        Err(format!("the Python package's tests failed ({tested})"))
    }
}
