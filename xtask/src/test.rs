//! `cargo xtask test`: prepares the machine, then runs every test of the workspace (unit, integration, doc, bench smoke), builds the API docs without warnings, tests the Python package and runs the Slurm test.

use crate::machine;

const HELP: &str = "\
usage: cargo xtask test [-- <extra arguments for cargo test>]

Installs the system OpenBLAS when it is missing (apt-get, as root), then runs
  cargo test --workspace --all-targets   (unit, integration and property tests; benches run once each)
  cargo test --workspace --doc           (examples in the documentation)
  cargo doc --workspace --no-deps        (the API docs, with every rustdoc warning an error)
  cargo xtask python                     (the Python package built into crates/python/.venv
                                          with maturin, and its pytest suite)
  cargo xtask slurm                      (the README's Slurm job array on a one-node Slurm; it
                                          needs root to install and start Slurm: skipped, with
                                          a message, when that is impossible, except under CI)
";

/// Disk a clean run of every test takes, target folder and Python environment together
/// (measured: see the README's "Tests").
const CLEAN_BUILD_GIB: u64 = 8;

/// Runs the whole test suite; extra arguments after `--` go to `cargo test`.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(extra) = machine::passed_through(args, HELP)? else {
        return Ok(());
    };
    machine::ensure_system_libraries()?;
    machine::warn_when_short_of_disk(CLEAN_BUILD_GIB, "a clean `cargo xtask test`");
    let mut all_targets = vec!["test", "--workspace", "--all-targets", "--no-fail-fast"];
    all_targets.extend(&extra);
    machine::cargo(&all_targets)?;
    machine::cargo(&["test", "--workspace", "--doc", "--no-fail-fast"])?;
    machine::cargo_in(
        &machine::workspace_root(),
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )
    .map_err(|err| format!("{err}: the API docs have warnings"))?;
    crate::python::run(&[])?;
    if crate::slurm::available() {
        crate::slurm::run(&[])?;
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        return Err(
            "CI=true but the Slurm test cannot run: it needs root (and Slurm installed, or apt-get)".into(),
        );
    } else {
        println!(
            "xtask: the Slurm test is skipped: it starts Slurm's daemons, which needs root \
             (run `sudo cargo xtask slurm`)"
        );
    }
    println!("xtask: every test passed and the API docs build clean");
    Ok(())
}
