//! The README's pandas line groups runs.csv by a key that, with the seed, names one row of every committed runs.csv (the coverage rows per radius included), and keeps the rows whose scale is empty.

use mangen_driver::runs::{Row, read_runs};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The README's line with `.groupby(`, and the quoted column names of its key.
fn readme_key() -> (String, Vec<String>) {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|line| line.contains(".groupby(["))
        .expect("README.md has a pandas groupby line")
        .to_string();
    let list = line
        .split(".groupby([")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("a bracketed key");
    let key = list
        .split(',')
        .map(|name| name.trim().trim_matches('"').to_string())
        .collect();
    (line, key)
}

/// A row's value in a column of runs.csv, as text (empty for an empty field).
fn column(row: &Row, name: &str) -> String {
    let text = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    match name {
        "experiment" => row.experiment.clone(),
        "manifold" => row.manifold.clone(),
        "density" => row.density.clone(),
        "score" => row.score.clone(),
        "score_kind" => row.score_kind.clone(),
        "sampler" => row.sampler.clone(),
        "n_train" => row.n_train.to_string(),
        "seed" => row.seed.to_string(),
        "samples" => row.samples.to_string(),
        "metric" => row.metric.clone(),
        "scale" => text(row.scale),
        "value" => text(row.value),
        other => panic!("`{other}` is not a column of runs.csv"),
    }
}

/// Every committed runs.csv: reports/<experiment>/ and those of the large-profile runs,
/// reports/large*/<experiment>/.
fn committed_runs() -> Vec<PathBuf> {
    let reports = workspace().join("reports");
    let mut folders = vec![reports.clone()];
    for entry in std::fs::read_dir(&reports).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir()
            && path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("large")
        {
            folders.push(path);
        }
    }
    let mut files = Vec::new();
    for folder in folders {
        for entry in std::fs::read_dir(folder).unwrap() {
            let runs = entry.unwrap().path().join("runs.csv");
            if runs.is_file() {
                files.push(runs);
            }
        }
    }
    files
}

#[test]
fn the_readme_pandas_key_names_one_row_per_seed_of_every_metric() {
    let (line, key) = readme_key();
    assert!(
        !key.contains(&"seed".to_string()),
        "the mean is over seeds: {line}"
    );
    assert!(
        line.contains("dropna=False"),
        "without dropna=False pandas drops the rows whose scale is empty: {line}"
    );
    let files = committed_runs();
    assert!(files.len() > 10, "{} runs.csv files", files.len());
    let mut scaled = false;
    for file in files {
        let rows = read_runs(&file).unwrap();
        scaled |= rows.iter().any(|r| r.scale.is_some());
        let mut seen = HashSet::new();
        for row in &rows {
            let mut id: Vec<String> = key.iter().map(|name| column(row, name)).collect();
            id.push(row.seed.to_string());
            assert!(
                seen.insert(id.clone()),
                "{}: two rows share {key:?} and seed {id:?}: the README's groupby would average them",
                file.display()
            );
        }
    }
    assert!(scaled, "the committed reports hold per-radius rows");
}
