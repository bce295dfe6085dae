//! Scale-out: three shards of a sweep, merged, give exactly the reports of a single run; merging
//! incomplete or mismatched shards is refused.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn mangen() -> Command {
    let mut command = Command::cargo_bin("mangen").unwrap();
    command.env("OPENBLAS_NUM_THREADS", "1");
    command
}

/// A quick sweep of the tiny and many-cells experiments, whole or one shard of it.
fn sweep(out: &Path, shard: Option<&str>, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut command = mangen();
    command
        .args([
            "sweep",
            "--profile",
            "quick",
            "--quiet",
            "--threads",
            "2",
            "--out",
        ])
        .arg(out)
        .args(extra);
    if let Some(shard) = shard {
        command.args(["--shard", shard]);
    }
    command
        .arg(data("tiny.toml"))
        .arg(data("many_cells.toml"))
        .assert()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cells_in(out: &Path, experiment: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join("journal").join(experiment))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("cell-"))
        .collect();
    names.sort();
    names
}

#[test]
fn three_shards_merge_into_exactly_the_reports_of_a_single_run() {
    let whole = tempfile::tempdir().unwrap();
    sweep(whole.path(), None, &[]).success();
    let shards = tempfile::tempdir().unwrap();
    let shard_dir = |i: usize| shards.path().join(format!("shard-{i}"));
    let mut seen = Vec::new();
    for i in 1..=3 {
        sweep(&shard_dir(i), Some(&format!("{i}/3")), &[]).success();
        assert!(
            !shard_dir(i).join("tiny/runs.csv").exists(),
            "a shard writes its journal only"
        );
        for experiment in ["tiny", "many_cells"] {
            for cell in cells_in(&shard_dir(i), experiment) {
                let key = format!("{experiment}/{cell}");
                assert!(!seen.contains(&key), "{key} ran in two shards");
                seen.push(key);
            }
        }
    }
    // tiny: 18 cells, many_cells under the quick profile: 2 scores × 3 N × 2 seeds.
    assert_eq!(seen.len(), 18 + 12);

    let merged = shards.path().join("merged");
    mangen()
        .arg("merge")
        .args((1..=3).map(shard_dir))
        .arg("--out")
        .arg(&merged)
        .arg("--quiet")
        .assert()
        .success();
    for experiment in ["tiny", "many_cells"] {
        for file in ["runs.csv", "slopes.csv"] {
            let expected = read(&whole.path().join(experiment).join(file));
            let got = read(&merged.join(experiment).join(file));
            assert!(
                expected == got,
                "{experiment}/{file} differs from the single run"
            );
        }
    }
    assert!(read(&merged.join("summary.md")).contains("many_cells"));
    assert!(read(&merged.join("manifest.toml")).contains("name = \"tiny\""));

    // Two of three shards: refused, naming what is missing; nothing is written.
    let partial = shards.path().join("partial");
    let refused = mangen()
        .arg("merge")
        .args([shard_dir(1), shard_dir(3)])
        .arg("--out")
        .arg(&partial)
        .assert()
        .code(2);
    let message = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        message.contains("missing") && message.contains("did every shard finish"),
        "{message}"
    );
    assert!(!partial.exists());
}

#[test]
fn shards_of_different_sweeps_do_not_merge() {
    let shards = tempfile::tempdir().unwrap();
    let one = shards.path().join("one");
    let two = shards.path().join("two");
    sweep(&one, Some("1/2"), &[]).success();
    sweep(&two, Some("2/2"), &["--steps-factor", "2"]).success();
    let out = shards.path().join("merged");
    let refused = mangen()
        .arg("merge")
        .args([&one, &two])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let message = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        message.contains("different sweeps of `many_cells`"),
        "{message}"
    );
    assert!(!out.exists());
}
