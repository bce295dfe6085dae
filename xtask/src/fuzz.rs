//! `cargo xtask fuzz`: runs the coverage-guided fuzz targets of crates/driver/fuzz with cargo fuzz
//! (libFuzzer), installing cargo-fuzz when it is missing.

use crate::machine;

const HELP: &str = "\
usage: cargo xtask fuzz [--seconds S] [target ...]

Fuzzes the readers of untrusted input, each target for S seconds (default 600), one after the
other: experiment_config (the experiment-config parser and checker, seeded with
data/experiments/ and crates/driver/tests/data/), points_csv (the CSV point reader, seeded
with crates/driver/fuzz/seeds/points_csv/) and points_npy (the .npy point reader, seeded with
crates/driver/fuzz/seeds/points_npy/). Steps:
  1. installs the system OpenBLAS when it is missing (apt-get, as root);
  2. cargo install cargo-fuzz, when `cargo fuzz` is missing;
  3. RUSTC_BOOTSTRAP=1 cargo fuzz run -O <target> ... -- -max_total_time=S
     (in crates/driver; RUSTC_BOOTSTRAP lets the stable toolchain take the sanitizer flags).
A crash is saved in crates/driver/fuzz/artifacts/<target>/; copy it into
crates/driver/fuzz/regressions/<target>/ and `cargo xtask test` replays it from then on.
";

/// Each target and its seed folders, relative to crates/driver.
const TARGETS: [(&str, &[&str]); 3] = [
    (
        "experiment_config",
        &["../../data/experiments", "tests/data"],
    ),
    ("points_csv", &["fuzz/seeds/points_csv"]),
    ("points_npy", &["fuzz/seeds/points_npy"]),
];

/// Runs the fuzz targets named in `args` (all when none).
pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let mut seconds = 600_u64;
    let mut chosen: Vec<&str> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--seconds" {
            seconds = rest
                .next()
                .and_then(|s| s.parse().ok())
                .filter(|&s| s > 0)
                .ok_or_else(|| format!("--seconds needs a whole number > 0\n\n{HELP}"))?;
        } else if let Some((name, _)) = TARGETS.iter().find(|(name, _)| name == arg) {
            chosen.push(name);
        } else {
            return Err(format!("unknown fuzz target `{arg}`\n\n{HELP}"));
        }
    }
    if chosen.is_empty() {
        chosen = TARGETS.iter().map(|(name, _)| *name).collect();
    }
    machine::ensure_system_libraries()?;
    machine::ensure_cargo_subcommand("fuzz", "cargo-fuzz")?;
    let driver = machine::workspace_root().join("crates/driver");
    let time = format!("-max_total_time={seconds}");
    for (name, seeds) in TARGETS.iter().filter(|(name, _)| chosen.contains(name)) {
        let corpus = format!("fuzz/corpus/{name}");
        std::fs::create_dir_all(driver.join(&corpus))
            .map_err(|err| format!("cannot create crates/driver/{corpus}: {err}"))?;
        let mut command = vec!["fuzz", "run", "-O", name, corpus.as_str()];
        command.extend(seeds.iter());
        command.extend(["--", time.as_str(), "-rss_limit_mb=2048", "-timeout=20"]);
        machine::cargo_in(&driver, &command, &[("RUSTC_BOOTSTRAP", "1")])?;
    }
    println!(
        "xtask: no crash in {} ({seconds} s each)",
        chosen.join(", ")
    );
    Ok(())
}
