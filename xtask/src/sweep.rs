//! `cargo xtask sweep`: prepares the machine, builds the `mangen` driver in release and runs its sweep.

use crate::machine;
use std::process::Command;

const HELP: &str = "\
usage: cargo xtask sweep [--profile quick|standard|large] [--threads N] [--out DIR] [--resume]
                         [--shard I/N] [experiment ...]

Runs the default experiment suite (every config in data/experiments/, or the named ones) and
writes reports/<experiment>/{runs.csv, slopes.csv, *.svg}, reports/manifest.toml and
reports/summary.md. Steps:
  1. installs the system OpenBLAS when it is missing (apt-get, as root);
  2. cargo build --release -p mangen-driver   (the `mangen` binary);
  3. target/release/mangen sweep [options] [experiment ...]
Profiles: quick (smoke test, about a minute and a half), standard (the default, at most
15 minutes on 2 cores), large (bigger machines). Results do not depend on --threads.
--resume continues an interrupted sweep from reports/journal/; --shard I/N runs one share of the
cells (combine the shares with `mangen merge`; README: Sharding a sweep across a cluster).
`mangen sweep --help` lists every option.
";

/// Builds the driver in release and runs `mangen sweep` with the given arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let binary = machine::release_mangen()?;
    let root = machine::workspace_root();
    println!("xtask: {} sweep {}", binary.display(), args.join(" "));
    let status = Command::new(&binary)
        .arg("sweep")
        .args(args)
        .current_dir(&root)
        .env("OPENBLAS_NUM_THREADS", "1")
        .status()
        .map_err(|err| format!("could not start {}: {err}", binary.display()))?;
    if status.success() {
        let out = output_folder(args);
        println!("xtask: the reports are in {out}/ (start with {out}/summary.md)");
        Ok(())
    } else {
        Err(format!("the sweep failed ({status})"))
    }
}

/// The folder given by `--out DIR` or `--out=DIR`, else `reports`.
fn output_folder(args: &[String]) -> &str {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--out" {
            return args.next().map_or("reports", String::as_str);
        }
        if let Some(folder) = arg.strip_prefix("--out=") {
            return folder;
        }
    }
    "reports"
}
