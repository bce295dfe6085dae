//! `cargo xtask compare`: sets up the NumPy/SciPy baseline in a virtual environment, builds the driver in release and runs `mangen compare`.

use crate::machine;
use std::path::Path;
use std::process::Command;

const HELP: &str = "\
usage: cargo xtask compare [mangen compare options]

Runs the memorizer job in mangen and in the dense NumPy/SciPy baseline
(benchmarks/baseline/baseline.py) on the same inputs, checks that they agree and prints the
time ratios into reports/compare/comparison.md. Steps:
  1. creates benchmarks/baseline/.venv and pip-installs benchmarks/baseline/requirements.txt
     (numpy, scipy) when they are missing;
  2. cargo build --release -p mangen-driver;
  3. target/release/mangen compare --manifold 'kind = \"circle\"' --ambient-dim 10
        --out reports/compare [options]
Defaults: N = 100000, 10000 samples, 100 steps of the probability-flow ODE from T = 10 to
t0 = 1e-4, W2 at n = 2000. The baseline's dense sampling job takes most of an hour on 2 cores
at that size; --n-train and --samples make it smaller. `mangen compare --help` lists every
option.
";

/// The baseline's folder, relative to the workspace root.
const BASELINE: &str = "benchmarks/baseline";

/// Runs the comparison with the given `mangen compare` arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let root = machine::workspace_root();
    let python = ensure_baseline(&root.join(BASELINE))?;
    let binary = machine::release_mangen()?;
    let mut options: Vec<String> = Vec::new();
    if !args
        .iter()
        .any(|a| a == "--manifold" || a == "--experiment")
    {
        options.extend(["--manifold".into(), "kind = \"circle\"".into()]);
        options.extend(["--ambient-dim".into(), "10".into()]);
    }
    if !args.iter().any(|a| a == "--out") {
        options.extend(["--out".into(), "reports/compare".into()]);
    }
    options.extend(["--python".into(), python.display().to_string()]);
    options.extend(["--script".into(), format!("{BASELINE}/baseline.py")]);
    options.extend(args.iter().cloned());
    println!("xtask: {} compare {}", binary.display(), options.join(" "));
    let status = Command::new(&binary)
        .arg("compare")
        .args(&options)
        .current_dir(&root)
        .env("OPENBLAS_NUM_THREADS", "1")
        .status()
        .map_err(|err| format!("could not start {}: {err}", binary.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the comparison failed ({status})"))
    }
}

/// The baseline's Python, with numpy and scipy installed in `dir/.venv` when missing.
fn ensure_baseline(dir: &Path) -> Result<std::path::PathBuf, String> {
    machine::ensure_venv(dir, "numpy, scipy", &dir.join("requirements.txt"))
}
