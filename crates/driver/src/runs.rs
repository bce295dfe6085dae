//! runs.csv: the tidy table of a sweep, one row per (cell, metric), with its reader and writers.

use crate::output::write_atomically;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// One row of runs.csv. The columns say everything needed to regroup the data without our code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Experiment name (the config's file stem).
    pub experiment: String,
    /// The manifold with its parameters.
    pub manifold: String,
    /// Intrinsic dimension k.
    pub intrinsic_dim: usize,
    /// Ambient dimension D.
    pub ambient_dim: usize,
    /// The data law.
    pub density: String,
    /// The score label (kind and parameters).
    pub score: String,
    /// The score kind.
    pub score_kind: String,
    /// The sampler label (method, t0, steps).
    pub sampler: String,
    /// The training epoch of a trained score's checkpoint; empty for other scores.
    pub epoch: Option<usize>,
    /// Training-set size N.
    pub n_train: usize,
    /// Repetition index (0-based) at this N.
    pub seed: usize,
    /// Generated samples in the cell.
    pub samples: usize,
    /// The metric.
    pub metric: String,
    /// The metric's scale parameter (coverage radius r); empty for unscaled metrics.
    pub scale: Option<f64>,
    /// The value; empty when undefined (no radius of the grid reaches the coverage level).
    pub value: Option<f64>,
}

/// The header line of a CSV of `T` rows: its field names, as serde writes them.
pub fn header_of<T: Serialize + Default>() -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .serialize(T::default())
        .expect("a row of defaults serializes");
    let bytes = writer.into_inner().expect("writing to memory cannot fail");
    let text = String::from_utf8(bytes).expect("field names are UTF-8");
    text.lines().next().unwrap_or_default().to_string()
}

/// The header line of runs.csv.
pub fn header() -> String {
    header_of::<Row>()
}

/// The rows of one cell as CSV text without header: written with one call, so that an
/// interrupted sweep never leaves half a cell.
pub fn rows_to_csv(rows: &[Row]) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    writer
        .into_inner()
        .map_err(|err| anyhow::anyhow!("cannot format rows: {}", err.error()))
}

/// Writes `rows` as a whole runs.csv (header first), atomically.
pub fn write_runs(path: &Path, rows: &[Row]) -> Result<()> {
    let body = rows_to_csv(rows)?;
    write_atomically(path, |w: &mut dyn Write| {
        writeln!(w, "{}", header())?;
        w.write_all(&body)?;
        Ok(())
    })
}

/// Reads a runs.csv; errors name the file and line.
pub fn read_runs(path: &Path) -> Result<Vec<Row>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the runs file {}", path.display()))?;
    parse_runs(file, &path.display().to_string())
}

/// Parses runs.csv text from a reader (`name` names it in errors).
pub fn parse_runs(reader: impl std::io::Read, name: &str) -> Result<Vec<Row>> {
    let mut csv = csv::ReaderBuilder::new().from_reader(reader);
    let header = csv
        .headers()
        .with_context(|| format!("{name}: cannot read the header"))?
        .iter()
        .collect::<Vec<_>>()
        .join(",");
    let expected = crate::runs::header();
    if header != expected {
        anyhow::bail!("{name}: line 1: the header is not that of runs.csv (expected `{expected}`)");
    }
    let columns: Vec<&str> = expected.split(',').collect();
    let mut rows = Vec::new();
    for record in csv.deserialize::<Row>() {
        let row = record.map_err(|err| {
            let line = err.position().map_or(0, |p| p.line());
            match err.kind() {
                csv::ErrorKind::Deserialize { err: cause, .. } => {
                    let column = cause
                        .field()
                        .and_then(|i| columns.get(i as usize))
                        .map_or(String::new(), |c| format!(", column `{c}`"));
                    anyhow::anyhow!("{name}: line {line}{column}: {}", cause.kind())
                }
                _ => anyhow::anyhow!("{name}: line {line}: {err}"),
            }
        })?;
        rows.push(row);
    }
    Ok(rows)
}
