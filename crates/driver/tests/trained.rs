//! A trained score in a sweep: each checkpoint is a row group with its epoch, the CSV is the same on one and two threads, a resumed sweep keeps the finished cells and an interrupted cell goes on from its last checkpoint, and the checkpoints a diverging training never reached have rows with empty values.

use assert_cmd::Command;
use std::path::Path;

/// Li et al.'s law and network, small: width 8, checkpoints at epochs 1 and 3, N = 60 and 120.
fn config(dir: &Path, learning_rate: &str) -> std::path::PathBuf {
    let text = format!(
        r#"description = "a trained network on the line"
seed = 7
ambient_dim = 1

[manifold]
kind = "line"

[density]
kind = "gmm"
modes = 3.0

[sweep]
n_train = [60, 120]
seeds = 2
samples = 100

[[sampler]]
t_max = 96.93
t_min = 0.08071
steps = 30

[[score]]
kind = "trained"
model = "li"
width = 8
optimizer = "sgd"
learning_rate = {learning_rate}
batch = 16
checkpoints = [1, 3]

[[score]]
kind = "empirical"

[metrics]
kl_to_mu = {{ time = 0.08071, from = -10.0, to = 10.0, points = 51 }}
w1_to_mu = true
"#
    );
    let path = dir.join("trained.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn sweep(config: &Path, out: &Path, threads: usize, resume: bool) -> assert_cmd::assert::Assert {
    let mut command = Command::cargo_bin("mangen").unwrap();
    command
        .args([
            "sweep",
            "--quiet",
            "--threads",
            &threads.to_string(),
            "--out",
        ])
        .arg(out)
        .arg(config);
    if resume {
        command.arg("--resume");
    }
    command.assert()
}

#[test]
fn checkpoints_are_rows_with_their_epoch_and_the_csv_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "0.5");
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    sweep(&config, &one, 1, false).success();
    sweep(&config, &two, 2, false).success();
    let runs = std::fs::read_to_string(one.join("trained/runs.csv")).unwrap();
    assert_eq!(
        runs,
        std::fs::read_to_string(two.join("trained/runs.csv")).unwrap(),
        "the same seed gives the same CSV on one and two threads"
    );
    let mut reader = csv::Reader::from_reader(runs.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (score, epoch, metric, value) = (
        column("score"),
        column("epoch"),
        column("metric"),
        column("value"),
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // 2 N × 2 seeds × 2 checkpoints × 3 metric rows for the network, and 2 × 2 × 3 rows for the
    // empirical score, whose KL is that of its own score.
    assert_eq!(records.len(), 2 * 2 * 2 * 3 + 2 * 2 * 3);
    for record in &records {
        let trained = record[score].starts_with("trained(");
        if trained {
            let e = &record[epoch];
            assert!(e == "1" || e == "3", "{record:?}");
            assert!(
                record[score].ends_with(&format!("@epoch={e}")),
                "{record:?}"
            );
        } else {
            assert_eq!(&record[epoch], "", "{record:?}");
        }
        if &record[metric] == "kl_to_mu" {
            let kl: f64 = record[value].parse().unwrap();
            assert!(kl.is_finite() && kl > 0.0, "{record:?}");
        }
    }
    let summary = std::fs::read_to_string(one.join("summary.md")).unwrap();
    assert!(summary.contains("| kl_to_mu | trained(li,m=8,sgd,lr=0.5,batch=16) | 60 |"));
    assert!(one.join("trained/kl_to_mu_epochs.svg").exists());
    // Resuming a finished sweep reads every cell back, checkpoint rows included.
    sweep(&config, &one, 2, true).success();
    assert_eq!(
        runs,
        std::fs::read_to_string(one.join("trained/runs.csv")).unwrap()
    );
}

#[test]
fn a_diverging_training_leaves_its_checkpoints_empty_and_the_sweep_finishes() {
    // SGD at a learning rate of 1e12 overflows in the first epoch: no checkpoint is reached.
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "1e12");
    let out = dir.path().join("out");
    sweep(&config, &out, 2, false).success();
    let runs = std::fs::read_to_string(out.join("trained/runs.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(runs.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (score, value) = (column("score"), column("value"));
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let trained: Vec<&csv::StringRecord> = records
        .iter()
        .filter(|r| r[score].starts_with("trained("))
        .collect();
    // Every checkpoint of every cell is there, each metric with an empty value.
    assert_eq!(trained.len(), 2 * 2 * 2 * 3);
    assert!(trained.iter().all(|r| r[value].is_empty()), "{trained:?}");
    // `mangen sample` of that score has no samples to give, and says why.
    let failed = Command::cargo_bin("mangen")
        .unwrap()
        .args(["sample", "--experiment"])
        .arg(&config)
        .args([
            "--n-train",
            "60",
            "--seed",
            "0",
            "--score",
            "trained(li,m=8,sgd,lr=1000000000000,batch=16)",
            "--out",
        ])
        .arg(dir.path().join("samples.csv"))
        .assert()
        .failure()
        .code(2);
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).to_string();
    assert!(
        stderr.contains("training diverged before its last checkpoint"),
        "{stderr}"
    );
    assert!(!dir.path().join("samples.csv").exists());
    // The other score's rows are measured as ever.
    assert!(
        records
            .iter()
            .filter(|r| r[score] == *"empirical")
            .all(|r| !r[value].is_empty())
    );
}

/// A trained cell keeps its progress in the journal as it goes: a run interrupted while it
/// measured its last checkpoint takes the rows of the first as they were kept (a value planted
/// in them shows through), and one interrupted while it trained goes on from the state of the
/// first checkpoint (a state file that is no state, or holds another epoch than its name, is an
/// error naming the folder, which shows it is read) to the rows of a run that never stopped. A fresh sweep refuses to throw the progress
/// away; recording the cell removes it.
#[test]
fn an_interrupted_trained_cell_goes_on_from_its_last_checkpoint() {
    use mangen_driver::cell::{plan, run_cell};
    use mangen_driver::experiment::Experiment;
    use mangen_driver::journal::Journal;
    use mangen_driver::profile::Profile;
    use mangen_driver::runs::{header, rows_to_csv};
    use mangen_driver::shared_rows::SharedRows;

    let dir = tempfile::tempdir().unwrap();
    let experiment = Experiment::load(&config(dir.path(), "0.5"), Profile::Standard).unwrap();
    let cells = plan(&experiment);
    let owned: Vec<usize> = (0..cells.len()).collect();
    let index = cells
        .iter()
        .position(|c| experiment.scores[c.score].kind() == "trained")
        .unwrap();
    let cell = cells[index];
    let whole = run_cell(&experiment, &cell, None, &SharedRows::new()).unwrap();
    let out = dir.path().join("out");
    let journal = Journal::open(&out, &experiment, &owned, false).unwrap();
    let kept = journal.progress(index).unwrap();
    assert_eq!(
        run_cell(&experiment, &cell, Some(&kept), &SharedRows::new()).unwrap(),
        whole
    );
    let file = |name: &str| kept.dir().join(name);
    for name in [
        "epoch-1.csv",
        "epoch-3.csv",
        "epoch-1.safetensors",
        "epoch-3.safetensors",
    ] {
        assert!(file(name).exists(), "{name} kept");
    }

    // Interrupted while measuring epoch 3: epoch 1's rows are taken as kept.
    std::fs::remove_file(file("epoch-3.csv")).unwrap();
    let mut first: Vec<_> = whole
        .iter()
        .filter(|r| r.epoch == Some(1))
        .cloned()
        .collect();
    first[0].value = Some(12345.0);
    let text = format!(
        "# seconds = 2.5\n{}\n{}",
        header(),
        String::from_utf8(rows_to_csv(&first).unwrap()).unwrap()
    );
    std::fs::write(file("epoch-1.csv"), text).unwrap();
    let progress = journal.progress(index).unwrap();
    assert!(progress.seconds() >= 2.5, "the kept seconds count");
    let resumed = run_cell(&experiment, &cell, Some(&progress), &SharedRows::new()).unwrap();
    let planted = resumed.iter().filter(|r| r.value == Some(12345.0)).count();
    assert_eq!(planted, 1, "the kept rows are not measured again");
    let differing = resumed.iter().zip(&whole).filter(|(a, b)| a != b).count();
    assert_eq!((resumed.len(), differing), (whole.len(), 1));

    // Interrupted while training towards epoch 3: it goes on from epoch 1's state.
    for name in ["epoch-1.csv", "epoch-3.csv", "epoch-3.safetensors"] {
        std::fs::remove_file(file(name)).unwrap();
    }
    let progress = journal.progress(index).unwrap();
    assert_eq!(
        run_cell(&experiment, &cell, Some(&progress), &SharedRows::new()).unwrap(),
        whole
    );
    // A state file of another epoch than its name says is refused.
    std::fs::copy(
        file("epoch-3.safetensors"),
        dir.path().join("at-3.safetensors"),
    )
    .unwrap();
    for name in ["epoch-1.csv", "epoch-3.csv", "epoch-3.safetensors"] {
        std::fs::remove_file(file(name)).unwrap();
    }
    std::fs::copy(
        dir.path().join("at-3.safetensors"),
        file("epoch-1.safetensors"),
    )
    .unwrap();
    let err = run_cell(&experiment, &cell, Some(&progress), &SharedRows::new()).unwrap_err();
    assert!(
        format!("{err:#}").contains("holds the state at epoch 3"),
        "{err:#}"
    );
    std::fs::write(file("epoch-1.safetensors"), b"not a state").unwrap();
    let err = run_cell(&experiment, &cell, Some(&progress), &SharedRows::new()).unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("to train this cell from the start") && message.contains("progress-"),
        "{message}"
    );

    // A fresh sweep does not throw the progress away; a resumed one keeps it.
    let err = Journal::open(&out, &experiment, &owned, false).unwrap_err();
    assert!(err.to_string().contains("--resume"), "{err}");
    Journal::open(&out, &experiment, &owned, true).unwrap();
    assert!(kept.dir().exists());
    journal.record(index, &whole, 1.0).unwrap();
    assert!(
        !kept.dir().exists(),
        "the recorded cell's progress is removed"
    );
}
