//! Interruption: a real sweep killed with SIGKILL at several points and continued with `--resume`
//! ends with the runs.csv of an uninterrupted run; finished cells are never run again.

use assert_cmd::cargo::cargo_bin;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Sixty cells: long enough (seconds) to be killed midway.
fn experiment() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/many_cells.toml")
}

const CELLS: usize = 60;

fn sweep_command(out: &Path, extra: &[&str]) -> Command {
    sweep_of(&experiment(), out, extra)
}

fn sweep_of(config: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(cargo_bin("mangen"));
    command
        .args(["sweep", "--threads", "2", "--out"])
        .arg(out)
        .args(extra)
        .arg(config)
        .env("OPENBLAS_NUM_THREADS", "1");
    command
}

fn journal(out: &Path) -> PathBuf {
    out.join("journal/many_cells")
}

/// The finished cell files and their inodes: a cell run again is a new file.
fn cell_files(out: &Path) -> BTreeMap<String, u64> {
    let Ok(entries) = std::fs::read_dir(journal(out)) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("cell-"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().ino(),
            )
        })
        .collect()
}

/// Starts a sweep and returns it once the journal holds at least `cells` cells, or `None` when it
/// finished first.
fn start_until(out: &Path, cells: usize, extra: &[&str]) -> Option<std::process::Child> {
    let mut child = sweep_command(out, extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        if cell_files(out).len() >= cells {
            return Some(child);
        }
        assert!(Instant::now() < deadline, "the sweep made no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Starts a sweep and kills it with SIGKILL once the journal holds at least `cells` cells.
/// Returns whether it was killed (false: it finished first).
fn kill_after(out: &Path, cells: usize, resume: bool) -> bool {
    let extra: &[&str] = if resume {
        &["--resume", "--quiet"]
    } else {
        &["--quiet"]
    };
    let Some(mut child) = start_until(out, cells, extra) else {
        return false;
    };
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    true
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_sweep_killed_at_several_points_and_resumed_ends_as_an_uninterrupted_run() {
    let whole = tempfile::tempdir().unwrap();
    let status = sweep_command(whole.path(), &["--quiet"]).status().unwrap();
    assert!(status.success());

    let out = tempfile::tempdir().unwrap();
    let mut kills = 0;
    // The first kill lands before the first cell finishes; then after about a tenth, a third,
    // two thirds and all but three of the cells: with two threads at most two cells are running
    // when the count is seen, so one is still to start; aimed at all but one, a poll late on a
    // loaded machine let the last two cells finish together and the sweep end unkilled.
    for (step, target) in [0, 6, 20, 40, CELLS - 3].into_iter().enumerate() {
        let before = cell_files(out.path());
        if kill_after(out.path(), target, step > 0) {
            kills += 1;
        }
        let after = cell_files(out.path());
        for (name, inode) in &before {
            assert_eq!(after.get(name), Some(inode), "{name} was run again");
        }
        assert!(
            !out.path().join("many_cells/runs.csv").exists(),
            "runs.csv is written only when every cell has finished"
        );
    }
    assert!(
        kills >= 4,
        "only {kills} of the 5 runs were killed mid-sweep"
    );

    // A leftover of a write cut short is ignored and removed.
    let partial = journal(out.path()).join(".cell-00059.csv.partial");
    std::fs::write(&partial, "# seconds = 0.1\nexperiment,manif").unwrap();

    // Without --resume, the unfinished journal is refused rather than thrown away.
    let before = cell_files(out.path());
    let refused = sweep_command(out.path(), &["--quiet"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("--resume"), "{message}");
    assert_eq!(cell_files(out.path()), before);

    let resumed = sweep_command(out.path(), &["--resume"]).output().unwrap();
    assert!(resumed.status.success());
    let log = String::from_utf8_lossy(&resumed.stderr);
    let remaining = CELLS - before.len();
    let ran = log
        .lines()
        .filter(|l| l.contains("] many_cells · "))
        .count();
    assert_eq!(
        ran, remaining,
        "the resumed run ran only the missing cells:\n{log}"
    );
    assert!(
        log.contains(&format!("({} finished before, kept)", before.len())),
        "{log}"
    );
    let after = cell_files(out.path());
    for (name, inode) in &before {
        assert_eq!(after.get(name), Some(inode), "{name} was run again");
    }
    assert!(!partial.exists());

    for file in ["runs.csv", "slopes.csv"] {
        let expected = read(&whole.path().join("many_cells").join(file));
        let got = read(&out.path().join("many_cells").join(file));
        assert!(expected == got, "{file} differs from the uninterrupted run");
    }
    assert_eq!(
        read(&out.path().join("many_cells/runs.csv"))
            .lines()
            .count(),
        1 + CELLS * 11
    );
}

#[test]
fn resume_refuses_a_journal_of_a_different_configuration() {
    let out = tempfile::tempdir().unwrap();
    assert!(kill_after(out.path(), 3, false));
    let before = cell_files(out.path());
    let changed = sweep_command(out.path(), &["--resume", "--steps-factor", "2"])
        .output()
        .unwrap();
    assert_eq!(changed.status.code(), Some(2));
    let message = String::from_utf8_lossy(&changed.stderr);
    assert!(
        message.contains("experiment.toml") && message.contains("steps = 80"),
        "the message names the fingerprint and the difference: {message}"
    );
    assert_eq!(cell_files(out.path()), before);
}

#[test]
fn resume_takes_new_texts_and_theory_lines_without_rerunning_cells() {
    let out = tempfile::tempdir().unwrap();
    assert!(kill_after(out.path(), 5, false));
    let before = cell_files(out.path());
    let edited = tempfile::tempdir().unwrap();
    let config = edited.path().join("many_cells.toml");
    let text = read(&experiment())
        .replace(
            "description = \"many cells",
            "description = \"edited: many cells",
        )
        .replace("slope = -0.5", "slope = -0.25");
    std::fs::write(&config, text).unwrap();
    let resumed = sweep_of(&config, out.path(), &["--resume"])
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let after = cell_files(out.path());
    for (name, inode) in &before {
        assert_eq!(after.get(name), Some(inode), "{name} was run again");
    }
    assert_eq!(after.len(), CELLS);
    assert!(read(&out.path().join("many_cells/slopes.csv")).contains(",-0.25,"));
    assert!(read(&out.path().join("summary.md")).contains("edited: many cells"));
}

/// Starts a sweep into `out` and returns it once its journal holds a finished cell (so it holds
/// the folder's lock and is mid-run).
fn running_sweep(out: &Path) -> std::process::Child {
    start_until(out, 1, &["--quiet"]).expect("the sweep ended before its first cell")
}

#[test]
fn a_second_sweep_into_a_running_sweeps_folder_is_refused_at_once() {
    let whole = tempfile::tempdir().unwrap();
    assert!(
        sweep_command(whole.path(), &["--quiet"])
            .status()
            .unwrap()
            .success()
    );
    let out = tempfile::tempdir().unwrap();
    let mut first = running_sweep(out.path());
    let holder = format!("mangen sweep (process {})", first.id());
    for extra in [&["--resume", "--quiet"][..], &["--quiet"][..]] {
        let clock = Instant::now();
        let second = sweep_command(out.path(), extra).output().unwrap();
        assert_eq!(second.status.code(), Some(2), "{extra:?}");
        let message = String::from_utf8_lossy(&second.stderr);
        assert!(message.contains(&holder), "{extra:?}: {message}");
        assert!(clock.elapsed() < Duration::from_secs(10), "refused at once");
    }
    // A merge of a finished sweep's journal into the running sweep's folder.
    let merge = Command::new(cargo_bin("mangen"))
        .args(["merge", "--out"])
        .arg(out.path())
        .arg(whole.path())
        .output()
        .unwrap();
    assert_eq!(merge.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&merge.stderr).contains(&holder));

    assert!(
        first.wait().unwrap().success(),
        "the first sweep was disturbed"
    );
    assert_eq!(cell_files(out.path()).len(), CELLS);
    assert!(out.path().join("many_cells/runs.csv").is_file());
}

#[test]
fn the_lock_of_a_killed_sweep_does_not_block_its_resumption() {
    let out = tempfile::tempdir().unwrap();
    let mut first = running_sweep(out.path());
    first.kill().unwrap(); // SIGKILL: the process cannot release anything itself
    first.wait().unwrap();
    assert!(out.path().join(".mangen.lock").is_file());
    assert!(
        sweep_command(out.path(), &["--resume", "--quiet"])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(cell_files(out.path()).len(), CELLS);
}
