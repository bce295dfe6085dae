//! Prepares the machine: makes sure the system OpenBLAS is there (installing it with apt-get as root), and runs cargo.

#[path = "../../crates/geometry/build/openblas_probe.rs"]
mod openblas_probe;

use std::path::Path;
use std::process::Command;

/// Makes sure OpenBLAS can be linked; installs Debian's `libopenblas-dev` when missing and we are root.
pub fn ensure_system_libraries() -> Result<(), String> {
    if let Some(dir) = openblas_probe::find_openblas() {
        println!("xtask: system OpenBLAS found in {}", dir.display());
        return Ok(());
    }
    let hint = openblas_probe::INSTALL_HINT;
    if !is_root() {
        return Err(format!(
            "the system OpenBLAS (libopenblas.so) is missing. Install it with:\n    sudo {hint}\nthen run this command again."
        ));
    }
    if !has_command("apt-get") {
        return Err(format!(
            "the system OpenBLAS (libopenblas.so) is missing and there is no apt-get here. Install OpenBLAS with \
             your package manager, or set {} to the directory holding libopenblas.so.",
            openblas_probe::DIR_VARIABLE
        ));
    }
    println!(
        "xtask: the system OpenBLAS is missing; installing Debian's libopenblas-dev with apt-get (running as root)"
    );
    apt_install(&["libopenblas-dev"])?;
    match openblas_probe::find_openblas() {
        Some(dir) => {
            println!("xtask: installed; OpenBLAS is in {}", dir.display());
            Ok(())
        }
        None => {
            Err("apt-get installed libopenblas-dev but libopenblas.so is still not found".into())
        }
    }
}

/// Installs Debian packages with apt-get (as root), without recommends or questions.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    run_quietly(Command::new("apt-get").args(["update", "-qq"]))?;
    run_quietly(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Whether the shell finds the program `name`.
pub fn has_command(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false)
}

pub fn run_quietly(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let out = command
        .output()
        .map_err(|err| format!("could not start {shown}: {err}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Runs `cargo` with the given arguments in the workspace root, streaming its output.
pub fn cargo(args: &[&str]) -> Result<(), String> {
    cargo_in(&workspace_root(), args, &[])
}

/// Runs `cargo` with the given arguments in `dir`, with extra environment variables, streaming
/// its output.
pub fn cargo_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let shown_env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    println!("xtask: {shown_env}cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(dir)
        .env("OPENBLAS_NUM_THREADS", "1")
        .envs(env.iter().copied())
        .status()
        .map_err(|err| format!("could not start cargo: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// Prepares the machine and builds the `mangen` driver in release; returns the binary's path.
pub fn release_mangen() -> Result<std::path::PathBuf, String> {
    ensure_system_libraries()?;
    cargo(&[
        "build",
        "--release",
        "--package",
        "mangen-driver",
        "--bin",
        "mangen",
    ])?;
    Ok(target_dir().join("release/mangen"))
}

/// Cargo's target folder: `CARGO_TARGET_DIR`, or `target/` of the workspace.
pub fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Says so before a build when the disk of the target folder has less than `needed_gib` free:
/// a build that runs out of room stops deep inside rustc with "No space left on device".
pub fn warn_when_short_of_disk(needed_gib: u64, what: &str) {
    let target = target_dir();
    let probe = if target.exists() {
        target
    } else {
        workspace_root()
    };
    let Some(free) = free_bytes(&probe) else {
        return;
    };
    let gib = |bytes: u64| bytes as f64 / (1u64 << 30) as f64;
    if free < needed_gib << 30 {
        println!(
            "xtask: warning: {:.1} GiB free on the disk of {}; {what} needs up to about {needed_gib} GiB \
             from clean (less when built before): free some room if the build stops with \
             \"No space left on device\"",
            gib(free),
            probe.display()
        );
    }
}

/// The bytes free to us on the disk holding `path`, from POSIX `df -Pk`.
fn free_bytes(path: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().nth(1)?;
    let kib: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(kib * 1024)
}

/// The Python of a virtual environment `dir/.venv`, created with python3's venv module and
/// filled from `requirements` with pip when `import <modules>` fails in it.
pub fn ensure_venv(
    dir: &Path,
    modules: &str,
    requirements: &Path,
) -> Result<std::path::PathBuf, String> {
    let python = dir.join(".venv/bin/python");
    let ready = Command::new(&python)
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|out| out.status.success());
    if ready {
        return Ok(python);
    }
    println!(
        "xtask: creating {}/.venv and installing {} with pip",
        dir.display(),
        requirements.display()
    );
    run_quietly(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(dir.join(".venv")),
    )
    .map_err(|err| {
        format!("{err}\n(this needs python3 with its venv module: apt-get install python3-venv)")
    })?;
    run_quietly(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(requirements),
    )?;
    Ok(python)
}

/// The arguments after `--` that a command passes to the tool it runs; `None` after printing
/// `help` when asked for it; an error for anything else.
pub fn passed_through<'a>(args: &'a [String], help: &str) -> Result<Option<Vec<&'a str>>, String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{help}");
        return Ok(None);
    }
    match args.split_first() {
        None => Ok(Some(Vec::new())),
        Some((first, rest)) if first == "--" => Ok(Some(rest.iter().map(String::as_str).collect())),
        Some((first, _)) => Err(format!("unexpected argument `{first}`\n\n{help}")),
    }
}

/// The workspace root: the parent of this crate's manifest directory.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Installs `package` from crates.io (`cargo install --locked`) unless `cargo <subcommand>
/// --version` already answers.
pub fn ensure_cargo_subcommand(subcommand: &str, package: &str) -> Result<(), String> {
    let program = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let present = Command::new(&program)
        .args([subcommand, "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if present {
        return Ok(());
    }
    println!("xtask: cargo {subcommand} is missing; installing {package} from crates.io");
    cargo(&["install", package, "--locked"])
}
