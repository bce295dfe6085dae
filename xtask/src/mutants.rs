//! `cargo xtask mutants`: mutation testing of the decision-making files with cargo-mutants,
//! installing it when it is missing.

use crate::machine;

const HELP: &str = "\
usage: cargo xtask mutants [FILE ...] [-- <extra arguments for cargo mutants>]

Plants one bug at a time (a mutant: an operator swapped, a body replaced by a default value, ...)
in each FILE and runs the tests of the file's package (cargo test -p) against it; a mutant the tests pass is a
gap in them. Without FILE, the files whose mistakes would most quietly change the science:
  crates/driver/src/fit.rs                slope verdicts and the floor rule
  crates/metrics/src/slopes.rs            log-log fits and their bootstrap intervals
  crates/scores/src/gauss_tree/mod.rs     certified Gauss sums
  crates/scores/src/empirical.rs          the memorizer's certified truncation
  crates/metrics/src/assignment.rs        the exact assignment behind W1 and W2
  crates/driver/src/journal.rs            resume and merge of interrupted sweeps
Steps:
  1. installs the system OpenBLAS when it is missing (apt-get, as root);
  2. cargo install cargo-mutants --locked, when `cargo mutants` is missing;
  3. cargo mutants --output target/mutants -j 1 --package <package> ... --file FILE ...
     [extra arguments]: one run (one copy of the tree, one build of the dependencies); -j N
     among the extra arguments replaces -j 1.
The outcome is in target/mutants/mutants.out/ (caught.txt, missed.txt, timeout.txt,
unviable.txt, outcomes.json). It runs long (a build and a test run per mutant), so it is not part
of `cargo xtask test`. Extra arguments go to cargo mutants; for example `-- -- --lib` limits the
tests to the package's unit tests.
";

/// The default files, each with its package.
const FILES: [(&str, &str); 6] = [
    ("crates/driver/src/fit.rs", "mangen-driver"),
    ("crates/metrics/src/slopes.rs", "mangen-metrics"),
    ("crates/scores/src/gauss_tree/mod.rs", "mangen-scores"),
    ("crates/scores/src/empirical.rs", "mangen-scores"),
    ("crates/metrics/src/assignment.rs", "mangen-metrics"),
    ("crates/driver/src/journal.rs", "mangen-driver"),
];

/// Runs cargo-mutants on the files named in `args` (the default six when none).
pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let (files, extra) = match args.iter().position(|arg| arg == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (args, &[][..]),
    };
    let root = machine::workspace_root();
    let chosen: Vec<(String, String)> = if files.is_empty() {
        FILES
            .iter()
            .map(|(file, package)| (file.to_string(), package.to_string()))
            .collect()
    } else {
        files
            .iter()
            .map(|file| Ok((file.clone(), package_of(&root, file)?)))
            .collect::<Result<_, String>>()?
    };
    machine::ensure_system_libraries()?;
    machine::ensure_cargo_subcommand("mutants", "cargo-mutants")?;
    // One run for every file: cargo mutants copies the tree and builds its dependencies once.
    let mut command = vec!["mutants", "--output", "target/mutants"];
    // One mutant at a time unless the extra arguments say otherwise: each build uses every core.
    if !extra
        .iter()
        .any(|arg| arg == "-j" || arg.starts_with("--jobs"))
    {
        command.extend(["-j", "1"]);
    }
    let mut packages: Vec<&str> = chosen.iter().map(|(_, package)| package.as_str()).collect();
    packages.sort_unstable();
    packages.dedup();
    for package in packages {
        command.extend(["--package", package]);
    }
    for (file, _) in &chosen {
        command.extend(["--file", file.as_str()]);
    }
    command.extend(extra.iter().map(String::as_str));
    machine::cargo(&command).map_err(|err| {
        format!("{err}: a mutant survived or cargo mutants failed; see target/mutants/mutants.out/")
    })?;
    println!("xtask: every mutant of {} file(s) was caught", chosen.len());
    Ok(())
}

/// The package owning `file`: the name in the nearest Cargo.toml above it.
fn package_of(root: &std::path::Path, file: &str) -> Result<String, String> {
    let path = root.join(file);
    if !path.is_file() {
        return Err(format!("no file {file} in the workspace\n\n{HELP}"));
    }
    for dir in path.ancestors().skip(1) {
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let name = text
            .lines()
            .skip_while(|line| line.trim() != "[package]")
            .find_map(|line| {
                let (key, value) = line.split_once('=')?;
                (key.trim() == "name").then(|| value.trim().trim_matches('"').to_string())
            });
        if let Some(name) = name {
            return Ok(name);
        }
    }
    Err(format!("{file} is in no package of the workspace"))
}
