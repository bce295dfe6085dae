//! Bad input, one table: malformed experiment configs, CSV files and command lines. Each run of
//! `mangen` must exit with code 2, name the file and line or the field or flag at fault, and
//! leave its folder exactly as it found it (no output, no temporary file).

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::Path;

/// A valid experiment (a sphere in R^4); each config case breaks one thing in it.
const VALID: &str = include_str!("data/sphere.toml");

/// The driver's test config, beside the command lines and runs files that need one.
const TINY: &[u8] = include_bytes!("data/tiny.toml");

/// Three points in the plane.
const GOOD_CSV: &[u8] = b"x,y\n0,0\n1,0\n0,1\n";

/// One malformed input: the files written into a fresh folder, the arguments (`{dir}` stands
/// for the folder) and the words the message must contain.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    needles: Vec<&'static str>,
}

/// A config with `from` replaced by `to`, run by `mangen sweep`.
fn config(name: &'static str, from: &str, to: &str, needles: &[&'static str]) -> Case {
    assert!(
        VALID.contains(from),
        "{name}: `{from}` is not in the valid config"
    );
    config_text(name, VALID.replacen(from, to, 1).into_bytes(), needles)
}

fn config_text(name: &'static str, text: Vec<u8>, needles: &[&'static str]) -> Case {
    Case {
        name,
        files: vec![("e.toml", text)],
        args: vec!["sweep", "--quiet", "--out", "{dir}/reports", "{dir}/e.toml"],
        needles: [&["e.toml"][..], needles].concat(),
    }
}

/// A query file read by `mangen score` beside a good training set.
fn points(name: &'static str, query: &[u8], needles: &[&'static str]) -> Case {
    Case {
        name,
        files: vec![
            ("train.csv", GOOD_CSV.to_vec()),
            ("query.csv", query.to_vec()),
        ],
        args: vec![
            "score",
            "--t",
            "0.1",
            "--train",
            "{dir}/train.csv",
            "--query",
            "{dir}/query.csv",
            "--out",
            "{dir}/out.csv",
        ],
        needles: [&["query.csv"][..], needles].concat(),
    }
}

/// A command line (words separated by spaces) over the good CSV file `good.csv` and
/// `tiny.toml`, the driver's test config.
fn command_line(name: &'static str, args: &'static str, needles: &[&'static str]) -> Case {
    Case {
        name,
        files: vec![
            ("good.csv", GOOD_CSV.to_vec()),
            ("tiny.toml", TINY.to_vec()),
        ],
        args: args.split_whitespace().collect(),
        needles: needles.to_vec(),
    }
}

/// A runs.csv read by `mangen fit`.
fn runs(name: &'static str, text: &str, needles: &[&'static str]) -> Case {
    Case {
        name,
        files: vec![
            ("runs.csv", text.as_bytes().to_vec()),
            ("tiny.toml", TINY.to_vec()),
        ],
        args: vec![
            "fit",
            "--experiment",
            "{dir}/tiny.toml",
            "--runs",
            "{dir}/runs.csv",
            "--out",
            "{dir}/slopes.csv",
        ],
        needles: [&["runs.csv"][..], needles].concat(),
    }
}

fn cases() -> Vec<Case> {
    vec![
        // Experiment configs.
        config(
            "unknown field",
            "seed = 1",
            "seed = 1\ncolour = 3",
            &["unknown field `colour`", "line 2"],
        ),
        config(
            "wrong type",
            "seed = 1",
            "seed = \"one\"",
            &["invalid type", "line 1"],
        ),
        config("unclosed table", "[sweep]", "[sweep", &["line 8"]),
        config(
            "N = 0",
            "n_train = [10, 20, 40]",
            "n_train = [0, 20, 40]",
            &["`sweep.n_train[0]`", "≥ 2 (got 0)"],
        ),
        config(
            "empty N grid",
            "n_train = [10, 20, 40]",
            "n_train = []",
            &["`sweep.n_train`", "must not be empty"],
        ),
        config(
            "N grid not increasing",
            "n_train = [10, 20, 40]",
            "n_train = [10, 40, 20]",
            &["`sweep.n_train[2]`", "increase"],
        ),
        config(
            "N too large",
            "n_train = [10, 20, 40]",
            "n_train = [10, 20, 4000000000]",
            &["`sweep.n_train[2]`", "≤ 100000000"],
        ),
        config("no seeds", "seeds = 2", "seeds = 0", &["`sweep.seeds`"]),
        config(
            "negative t0",
            "t_min = 1e-3",
            "t_min = -1e-3",
            &["`sampler[0].t_min`", "> 0"],
        ),
        config(
            "zero t0",
            "t_min = 1e-3",
            "t_min = 0.0",
            &["`sampler[0].t_min`", "> 0"],
        ),
        config(
            "NaN t0",
            "t_min = 1e-3",
            "t_min = nan",
            &["`sampler[0].t_min`", "NaN"],
        ),
        config(
            "t0 at least T",
            "t_min = 1e-3",
            "t_min = 10.0",
            &["`sampler[0].t_min`", "must be < t_max = 10"],
        ),
        config(
            "D too small for the manifold",
            "ambient_dim = 4",
            "ambient_dim = 2",
            &["`ambient_dim`", "must be ≥ 3"],
        ),
        config(
            "D too large",
            "ambient_dim = 4",
            "ambient_dim = 1000000000",
            &["`ambient_dim`", "≤ 10000"],
        ),
        config(
            "unknown manifold",
            "kind = \"sphere\"",
            "kind = \"klein_bottle\"",
            &["unknown variant `klein_bottle`", "line 5"],
        ),
        config(
            "unknown score",
            "kind = \"smoothed\"",
            "kind = \"neural\"",
            &["`score[0].kind`", "unknown score kind `neural`", "line 16"],
        ),
        config(
            "unknown metric in a theory line",
            "metric = \"w2\"",
            "metric = \"w9\"",
            &["`theory[0].metric`", "`w9` is not a metric"],
        ),
        config_text(
            "config not UTF-8",
            b"seed = 1\nambient_dim = \xff\n".to_vec(),
            &["UTF-8"],
        ),
        // CSV points.
        points(
            "ragged rows",
            b"0,0\n1\n",
            &["line 2", "1 fields, expected 2"],
        ),
        points(
            "NaN",
            b"x,y\n0,0\nNaN,1\n",
            &["line 3, column 1", "`NaN` is not finite"],
        ),
        points(
            "infinity",
            b"0,0\n1,inf\n",
            &["line 2, column 2", "not finite"],
        ),
        points(
            "not a number",
            b"0,0\n1,one\n",
            &["line 2, column 2", "`one`"],
        ),
        points("empty file", b"", &["no points"]),
        points("header only", b"x,y\n", &["no points"]),
        points("not UTF-8", b"0,0\n1,\xff\n", &["line 2", "UTF-8"]),
        points(
            "wrong dimension",
            b"0,0,0\n1,1,1\n",
            &["line 1", "3 fields, expected 2"],
        ),
        // runs.csv.
        runs(
            "runs.csv with a foreign header",
            "a,b\n1,2\n",
            &["line 1", "header"],
        ),
        runs(
            "runs.csv with a bad value",
            &format!(
                "{}\ntiny,circle,1,3,uniform,empirical,empirical,sde,,twenty,0,60,w1,,0.5\n",
                mangen_driver::runs::header()
            ),
            &["line 2, column `n_train`", "invalid digit"],
        ),
        // Command lines.
        command_line(
            "missing file",
            "metric wasserstein --a {dir}/good.csv --b {dir}/missing.csv",
            &["missing.csv"],
        ),
        command_line(
            "unwritable output",
            "metric nn --train {dir}/good.csv --query {dir}/good.csv --out {dir}/good.csv/nn.csv",
            &["nn.csv", "cannot create the output file"],
        ),
        command_line(
            "conflicting flags: --h without a smoothed score",
            "score --t 0.1 --h 0.1 --train {dir}/good.csv --query {dir}/good.csv --out {dir}/out.csv",
            &["--h applies to --kind smoothed only"],
        ),
        command_line(
            "conflicting flags: --experiment and --manifold",
            "metric fidelity --samples {dir}/good.csv --experiment {dir}/tiny.toml --manifold kind=\"circle\" --ambient-dim 2",
            &["--experiment", "--manifold", "cannot be used with"],
        ),
        command_line(
            "negative diffusion time",
            "score --t -1 --train {dir}/good.csv --query {dir}/good.csv --out {dir}/out.csv",
            &["--t", "t = -1"],
        ),
        command_line(
            "unknown inline manifold",
            "metric fidelity --manifold kind=\"torus\" --ambient-dim 3 --samples {dir}/good.csv",
            &["--manifold", "unknown variant `torus`"],
        ),
        command_line(
            "unknown score of an experiment",
            "sample --n-train 40 --seed 0 --score oracle --experiment {dir}/tiny.toml --out {dir}/samples.csv",
            &["--score: no score `oracle`"],
        ),
        command_line(
            "a config given as points",
            "metric wasserstein --a {dir}/good.csv --b {dir}/tiny.toml",
            &["tiny.toml", "line"],
        ),
        command_line(
            "unknown experiment",
            "sweep --out {dir}/reports no_such_experiment",
            &["unknown experiment `no_such_experiment`"],
        ),
        command_line(
            "zero threads",
            "sweep --threads 0 --out {dir}/reports {dir}/tiny.toml",
            &["--threads"],
        ),
        command_line(
            "shard out of range",
            "sweep --shard 4/3 --out {dir}/reports {dir}/tiny.toml",
            &["--shard", "4/3"],
        ),
        command_line(
            "merge of a folder that is no sweep",
            "merge {dir} --out {dir}/reports",
            &["journal", "the output folder of a sweep"],
        ),
    ]
}

/// Every file under `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path.clone());
            }
            files.insert(path.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    files
}

#[test]
fn each_bad_input_exits_2_names_the_place_and_leaves_no_output() {
    let cases = cases();
    assert!(cases.len() >= 25);
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &case.files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let before = tree(dir.path());
        let shown = dir.path().display().to_string();
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{dir}", &shown))
            .collect();
        let output = Command::cargo_bin("mangen")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        let message = String::from_utf8_lossy(&output.stderr);
        let mut wrong = Vec::new();
        if output.status.code() != Some(2) {
            wrong.push(format!("exit code {:?}", output.status.code()));
        }
        for needle in &case.needles {
            if !message.contains(needle) {
                wrong.push(format!("no `{needle}`"));
            }
        }
        let after = tree(dir.path());
        if after != before {
            wrong.push(format!(
                "left {:?}",
                after.difference(&before).collect::<Vec<_>>()
            ));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n  message: {}",
                case.name,
                wrong.join(", "),
                message.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
