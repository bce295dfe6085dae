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
    sweep_from(&data(""), out, shard, extra)
}

/// [`sweep`] of the configs of the same names in `configs`.
fn sweep_from(
    configs: &Path,
    out: &Path,
    shard: Option<&str>,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
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
        .arg(configs.join("tiny.toml"))
        .arg(configs.join("many_cells.toml"))
        .assert()
}

/// `mangen merge` of `shards` into `out`.
fn merge(shards: &[&Path], out: &Path) -> assert_cmd::assert::Assert {
    mangen()
        .arg("merge")
        .args(shards)
        .arg("--out")
        .arg(out)
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
    let refused = merge(&[&shard_dir(1), &shard_dir(3)], &partial).code(2);
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
    let refused = merge(&[&one, &two], &out).code(2);
    let message = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        message.contains("different sweeps of `many_cells`"),
        "{message}"
    );
    assert!(!out.exists());
}

/// The first cell file of `experiment` in `out`, with its first value changed.
fn tamper_first_cell(out: &Path, experiment: &str) -> String {
    let name = cells_in(out, experiment).remove(0);
    let path = out.join("journal").join(experiment).join(&name);
    let text = read(&path);
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let row = lines[2]
        .rsplit_once(',')
        .expect("a row ends with its value")
        .0;
    lines[2] = format!("{row},12345");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    name
}

#[test]
fn two_copies_of_a_cell_that_differ_do_not_merge() {
    let shards = tempfile::tempdir().unwrap();
    let (one, two) = (shards.path().join("one"), shards.path().join("two"));
    sweep(&one, None, &[]).success();
    sweep(&two, None, &[]).success();
    let out = shards.path().join("merged");
    // Two whole runs of the same sweep hold identical copies of every cell: they merge.
    merge(&[&one, &two], &out).success();
    tamper_first_cell(&two, "tiny");
    let refused = merge(&[&one, &two], &shards.path().join("again")).code(2);
    let message = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        message.contains("cell 0 differs from the same cell in another shard"),
        "{message}"
    );
    assert!(!shards.path().join("again").exists());
}

#[test]
fn shards_may_differ_in_what_only_the_reports_read_as_resume_allows() {
    let shards = tempfile::tempdir().unwrap();
    let one = shards.path().join("one");
    sweep(&one, Some("1/2"), &[]).success();
    // The second shard runs from another checkout path, with an edited description and theory
    // slope: the cells are the same.
    let elsewhere = shards.path().join("checkout");
    std::fs::create_dir(&elsewhere).unwrap();
    for name in ["tiny.toml", "many_cells.toml"] {
        let text = read(&data(name))
            .replace("description = \"", "description = \"edited: ")
            .replace("slope = -0.5", "slope = -0.25");
        std::fs::write(elsewhere.join(name), text).unwrap();
    }
    let two = shards.path().join("two");
    sweep_from(&elsewhere, &two, Some("2/2"), &[]).success();
    let out = shards.path().join("merged");
    merge(&[&one, &two], &out).success();
    // The reports take the texts of the first shard given.
    let summary = read(&out.join("summary.md"));
    assert!(!summary.contains("edited: "), "{summary}");
    let whole = shards.path().join("whole");
    sweep(&whole, None, &[]).success();
    for experiment in ["tiny", "many_cells"] {
        assert_eq!(
            read(&out.join(experiment).join("runs.csv")),
            read(&whole.join(experiment).join("runs.csv"))
        );
    }
}
