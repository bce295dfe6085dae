//! `cargo xtask`: the project's entry points, one module per subcommand, depending on no crate of ours.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod compare;
mod fuzz;
mod machine;
mod mutants;
mod python;
mod slurm;
mod sweep;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  sweep     prepare the machine, build the driver in release and run the experiment suite into reports/
  test      prepare the machine (system OpenBLAS) and run every test of the workspace
  python    build the Python package into crates/python/.venv and run its pytest suite
  compare   run the memorizer job in mangen and in the NumPy/SciPy baseline, check and time them
  fuzz      run the fuzz targets of the config parser and the CSV point reader (cargo fuzz)
  slurm     run the README's Slurm job array on a one-node Slurm started here (as root)
  mutants   mutation testing of the decision-making files (cargo mutants; runs long)
  help      show this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let outcome = match command {
        "sweep" => sweep::run(rest),
        "test" => test::run(rest),
        "compare" => compare::run(rest),
        "fuzz" => fuzz::run(rest),
        "mutants" => mutants::run(rest),
        "slurm" => slurm::run(rest),
        "python" => python::run(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
