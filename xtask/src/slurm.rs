//! `cargo xtask slurm`: the README's Slurm job array run for real on a one-node Slurm started here
//! (munge, slurmctld, slurmd), one task cancelled midway and submitted again, the merged reports
//! checked byte for byte against a single-process sweep.

use crate::machine;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const HELP: &str = "\
usage: cargo xtask slurm

Runs data/cluster/sweep.sh and data/cluster/merge.sh (the scripts the README shows) under a real
Slurm on this machine:
  1. installs Debian's slurmctld, slurmd, slurm-client and munge when missing (apt-get, as root);
  2. builds the driver in release;
  3. starts munged, slurmctld and slurmd from xtask/slurm/slurm.conf (one node, free ports, every
     file in a scratch folder), and stops those daemons, by their process ids, whatever happens;
  4. runs crates/driver/tests/data/cluster.toml (60 cells) in one process, then as an array of
     3 tasks; cancels task 2 once it has written cells, submits task 2 again on its own
     (MANGEN_SHARDS=3), merges with a dependent job, and checks that the merged runs.csv and
     slopes.csv are byte-identical to the single process's.
`cargo xtask test` runs it after the cargo tests when it runs as root.
";

/// The Debian packages of a one-node Slurm.
const PACKAGES: [&str; 4] = ["slurmctld", "slurmd", "slurm-client", "munge"];
/// How long any one wait may take.
const PATIENCE: Duration = Duration::from_secs(300);

/// `cargo xtask slurm`.
pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    if let Some(arg) = args.first() {
        return Err(format!("unexpected argument `{arg}`\n\n{HELP}"));
    }
    machine::ensure_system_libraries()?;
    ensure_slurm()?;
    let mangen = machine::release_mangen()?;
    let started = Instant::now();
    let scratch = std::env::temp_dir().join(format!("mangen-slurm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let outcome = Cluster::start(&scratch).and_then(|cluster| {
        let outcome = run_array(&cluster, &mangen);
        if outcome.is_err() {
            cluster.show_logs();
        }
        drop(cluster);
        outcome
    });
    outcome?;
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "xtask: Slurm ({}) ran the job array and the merge in {:.0} s; the merged reports match \
         the single-process run byte for byte",
        slurm_version(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Whether `cargo xtask test` can run the Slurm test here: as root (the daemons run as root),
/// with Slurm installed or apt-get to install it.
pub fn available() -> bool {
    machine::is_root()
        && (PACKAGES.iter().all(|p| machine::has_command(program_of(p)))
            || machine::has_command("apt-get"))
}

/// The program that tells whether a package is installed.
fn program_of(package: &str) -> &str {
    match package {
        "slurm-client" => "sbatch",
        "munge" => "munged",
        other => other,
    }
}

/// Installs the Slurm and munge packages that are missing, as root with apt-get.
fn ensure_slurm() -> Result<(), String> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .copied()
        .filter(|p| !machine::has_command(program_of(p)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !machine::is_root() {
        return Err(format!(
            "Slurm is missing ({}). Install it with:\n    sudo apt-get install {}",
            missing.join(", "),
            PACKAGES.join(" ")
        ));
    }
    println!(
        "xtask: installing Debian's {} with apt-get (running as root) for the Slurm test",
        missing.join(", ")
    );
    machine::apt_install(&missing)
}

fn slurm_version() -> String {
    Command::new("slurmctld")
        .arg("-V")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_else(|_| "unknown version".into())
}

/// A one-node Slurm whose daemons stop, by their process ids, when it is dropped. They run in
/// the foreground as children of xtask, in its process group: a Ctrl-C reaches them too.
struct Cluster {
    dir: PathBuf,
    config: PathBuf,
    daemons: Vec<(&'static str, std::process::Child)>,
}

impl Cluster {
    /// Starts munged, slurmctld and slurmd with every file under `dir`, and waits for the node.
    fn start(dir: &Path) -> Result<Self, String> {
        let munge = dir.join("munge");
        for sub in [
            &munge,
            &dir.join("state"),
            &dir.join("spool"),
            &dir.join("work"),
        ] {
            std::fs::create_dir_all(sub).map_err(|err| format!("{}: {err}", sub.display()))?;
        }
        // munged wants its folders closed to others.
        set_mode(dir, 0o700)?;
        set_mode(&munge, 0o700)?;
        let key = munge.join("munge.key");
        let bytes = read_random(1024)?;
        std::fs::write(&key, bytes).map_err(|err| format!("{}: {err}", key.display()))?;
        set_mode(&key, 0o600)?;
        let mut cluster = Self {
            dir: dir.to_path_buf(),
            config: dir.join("slurm.conf"),
            daemons: Vec::new(),
        };
        let at = |name: &str| munge.join(name).display().to_string();
        cluster.spawn(
            "munged",
            Command::new("munged").args([
                "--foreground".to_string(),
                "--force".to_string(),
                format!("--socket={}", at("munge.socket")),
                format!("--key-file={}", key.display()),
                format!("--pid-file={}", at("munged.pid")),
                format!("--log-file={}", at("munged.log")),
                format!("--seed-file={}", at("munged.seed")),
            ]),
        )?;
        wait_for("munged's socket", || {
            Ok(munge.join("munge.socket").exists())
        })?;
        cluster.write_config()?;
        let config = cluster.config.display().to_string();
        cluster.spawn(
            "slurmctld",
            Command::new("slurmctld").args(["-D", "-f", &config]),
        )?;
        cluster.spawn("slurmd", Command::new("slurmd").args(["-D", "-f", &config]))?;
        let idle = wait_for("the node to be idle", || {
            let state = cluster
                .client("sinfo", &["-h", "-o", "%T"])
                .unwrap_or_default();
            Ok(state.trim() == "idle")
        });
        if idle.is_err() {
            cluster.show_logs();
        }
        idle.map(|()| cluster)
    }

    /// Fills xtask/slurm/slurm.conf with this machine's host name, CPUs, memory and free ports.
    fn write_config(&self) -> Result<(), String> {
        let template_path = machine::workspace_root().join("xtask/slurm/slurm.conf");
        let template = std::fs::read_to_string(&template_path)
            .map_err(|err| format!("{}: {err}", template_path.display()))?;
        let host = output_of(Command::new("hostname").arg("-s"))?;
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let memory_mb = memory_mb()? * 9 / 10;
        let text = template
            .replace("@DIR@", &self.dir.display().to_string())
            .replace("@HOST@", host.trim())
            .replace("@CPUS@", &cpus.to_string())
            .replace("@MEMORY_MB@", &memory_mb.to_string())
            .replace("@CONTROLLER_PORT@", &free_port()?.to_string())
            .replace("@NODE_PORT@", &free_port()?.to_string());
        std::fs::write(&self.config, text)
            .map_err(|err| format!("{}: {err}", self.config.display()))
    }

    /// Starts a daemon in the foreground, its output in `<dir>/<name>.out`, and keeps its child.
    fn spawn(&mut self, name: &'static str, command: &mut Command) -> Result<(), String> {
        let out = self.dir.join(format!("{name}.out"));
        let file =
            std::fs::File::create(&out).map_err(|err| format!("{}: {err}", out.display()))?;
        let copy = file
            .try_clone()
            .map_err(|err| format!("{}: {err}", out.display()))?;
        let child = command
            .stdout(file)
            .stderr(copy)
            .spawn()
            .map_err(|err| format!("could not start {name}: {err}"))?;
        self.daemons.push((name, child));
        Ok(())
    }

    /// Runs a Slurm client command against this cluster and returns its standard output.
    fn client(&self, program: &str, args: &[&str]) -> Result<String, String> {
        output_of(
            Command::new(program)
                .args(args)
                .env("SLURM_CONF", &self.config),
        )
    }

    /// Submits `script` from the work folder with extra sbatch options and environment; returns
    /// the job id.
    fn submit(
        &self,
        script: &str,
        options: &[&str],
        env: &[(&str, &str)],
    ) -> Result<String, String> {
        let work = self.dir.join("work");
        let script = machine::workspace_root().join(script);
        let out = format!("--output={}/slurm-%A_%a.out", work.display());
        let mut command = Command::new("sbatch");
        command
            .args(["--parsable", out.as_str()])
            .args(options)
            .arg(&script)
            .current_dir(&work)
            .env("SLURM_CONF", &self.config)
            .envs(env.iter().copied());
        let id = output_of(&mut command)?;
        Ok(id.trim().split(';').next().unwrap_or_default().to_string())
    }

    /// Waits until the job (every task of an array) has left the queue, or waits on a dependency
    /// that can no longer be met; returns its final state.
    fn wait_job(&self, id: &str) -> Result<String, String> {
        wait_for(&format!("job {id} to finish"), || {
            let queued = self.client("squeue", &["-h", "-o", "%r", "-j", id])?;
            if queued.contains("DependencyNeverSatisfied") {
                return Err(format!("job {id} waits on a job that failed"));
            }
            Ok(queued.trim().is_empty())
        })?;
        let shown = self.client("scontrol", &["show", "job", id])?;
        Ok(shown
            .split_whitespace()
            .filter_map(|field| field.strip_prefix("JobState="))
            .collect::<Vec<_>>()
            .join(","))
    }

    /// Prints the daemons' logs and the jobs' outputs (after a failure).
    fn show_logs(&self) {
        let mut files = vec![
            self.dir.join("slurmctld.log"),
            self.dir.join("slurmd.log"),
            self.dir.join("munge/munged.log"),
        ];
        // The daemons' own output, then the jobs'.
        for folder in [self.dir.clone(), self.dir.join("work")] {
            if let Ok(entries) = std::fs::read_dir(&folder) {
                files.extend(
                    entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "out")),
                );
            }
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            println!("xtask: --- {} (last lines)", file.display());
            for line in tail.iter().rev() {
                println!("{line}");
            }
        }
    }
}

impl Drop for Cluster {
    /// Stops the daemons this cluster started, newest first: SIGTERM, then SIGKILL after 20 s.
    fn drop(&mut self) {
        for (name, child) in self.daemons.iter_mut().rev() {
            let pid = child.id().to_string();
            let _ = Command::new("kill").args(["-TERM", &pid]).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
            println!("xtask: stopped {name} (pid {pid})");
        }
    }
}

/// The single run, the array with one task cancelled and submitted again, the merge, the check.
fn run_array(cluster: &Cluster, mangen: &Path) -> Result<(), String> {
    let work = cluster.dir.join("work");
    let binary = work.join("target/release");
    std::fs::create_dir_all(&binary).map_err(|err| format!("{}: {err}", binary.display()))?;
    std::os::unix::fs::symlink(mangen, binary.join("mangen"))
        .map_err(|err| format!("cannot link the driver into {}: {err}", binary.display()))?;
    let experiment = machine::workspace_root().join("crates/driver/tests/data/cluster.toml");
    let config = work.join("cluster.toml");
    std::fs::copy(&experiment, &config)
        .map_err(|err| format!("{}: {err}", experiment.display()))?;
    println!("xtask: the single-process sweep of cluster.toml");
    output_of(
        Command::new(mangen)
            .args(["sweep", "--quiet", "--out", "single", "cluster.toml"])
            .current_dir(&work),
    )?;
    let env = [("MANGEN_EXPERIMENTS", "cluster.toml")];
    // The script's own resources exceed a test node: one CPU per task instead.
    let resources = ["--cpus-per-task=1", "--mem=1G", "--time=00:30:00"];
    let mut options = vec!["--array=1-3"];
    options.extend(resources);
    let array = cluster.submit("data/cluster/sweep.sh", &options, &env)?;
    println!(
        "xtask: submitted the array as job {array}; cancelling task 2 once it has written cells"
    );
    let journal = work.join("shards/2/journal/cluster");
    let cells = |dir: &Path| {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("cell-"))
                .count()
        })
    };
    wait_for("task 2 to write two cells", || Ok(cells(&journal) >= 2))?;
    cluster.client("scancel", &[&format!("{array}_2")])?;
    let at_cancel = cells(&journal);
    cluster.wait_job(&array)?;
    let mut options = vec!["--array=2"];
    options.extend(resources);
    let again_env = [env[0], ("MANGEN_SHARDS", "3")];
    let again = cluster.submit("data/cluster/sweep.sh", &options, &again_env)?;
    let dependency = format!("--dependency=afterok:{again}");
    let merge = cluster.submit(
        "data/cluster/merge.sh",
        &[dependency.as_str(), "--time=00:10:00"],
        &[("MANGEN_REPORTS", "merged")],
    )?;
    println!("xtask: task 2 again as job {again}, the merge as job {merge} after it");
    for (what, id) in [("task 2 submitted again", &again), ("the merge", &merge)] {
        let state = cluster.wait_job(id)?;
        if state != "COMPLETED" {
            return Err(format!("{what} (job {id}) ended {state}"));
        }
    }
    let total = cells(&journal);
    if at_cancel >= total {
        return Err(format!(
            "task 2 had written all its {total} cells before it was cancelled: nothing was resumed"
        ));
    }
    println!("xtask: task 2 was cancelled after {at_cancel} of its {total} cells and resumed");
    for file in ["runs.csv", "slopes.csv"] {
        let single = work.join("single/cluster").join(file);
        let merged = work.join("merged/cluster").join(file);
        let read = |p: &Path| std::fs::read(p).map_err(|err| format!("{}: {err}", p.display()));
        if read(&single)? != read(&merged)? {
            return Err(format!(
                "{} differs from the single-process {}",
                merged.display(),
                single.display()
            ));
        }
    }
    Ok(())
}

/// Polls `done` every 200 ms until it holds, for at most [`PATIENCE`].
fn wait_for(what: &str, mut done: impl FnMut() -> Result<bool, String>) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    while !done()? {
        if Instant::now() > deadline {
            return Err(format!(
                "timed out after {} s waiting for {what}",
                PATIENCE.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

fn output_of(command: &mut Command) -> Result<String, String> {
    let shown = format!("{command:?}");
    let out = command
        .output()
        .map_err(|err| format!("could not start {shown}: {err}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{shown} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|err| format!("{}: {err}", path.display()))
}

fn read_random(count: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = vec![0; count];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut bytes))
        .map_err(|err| format!("/dev/urandom: {err}"))?;
    Ok(bytes)
}

/// MemTotal of /proc/meminfo, in MB.
fn memory_mb() -> Result<u64, String> {
    let text =
        std::fs::read_to_string("/proc/meminfo").map_err(|err| format!("/proc/meminfo: {err}"))?;
    text.lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb / 1024)
        .ok_or_else(|| "/proc/meminfo has no MemTotal".into())
}

/// A TCP port free at this moment.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|err| format!("no free port: {err}"))
}
