//! Point sets as CSV: one row per point, D numeric columns, an optional header row.

use crate::output::write_atomically;
use anyhow::{Context, Result, bail};
use ndarray::Array2;
use std::path::Path;

/// Reads a point file; `expected` checks the number of columns. Errors name the file and line.
pub fn read_points(path: &Path, expected: Option<usize>) -> Result<Array2<f64>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the point file {}", path.display()))?;
    parse_points(&bytes, &path.display().to_string(), expected)
}

/// Parses point CSV text (`name` names it in errors). The first row is a header when one of its
/// fields is not a number; every later field must be a finite number.
pub fn parse_points(bytes: &[u8], name: &str, expected: Option<usize>) -> Result<Array2<f64>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut values = Vec::new();
    let mut width: Option<(usize, u64)> = expected.map(|d| (d, 0));
    let mut rows = 0;
    for (index, record) in reader.byte_records().enumerate() {
        let record = record.map_err(|err| {
            let line = err.position().map_or(0, |p| p.line());
            anyhow::anyhow!("{name}: line {line}: {err}")
        })?;
        let line = record.position().map_or(index as u64 + 1, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        let parsed: Vec<Result<f64, String>> = record.iter().map(parse_field).collect();
        if index == 0 && parsed.iter().any(Result::is_err) {
            continue;
        }
        match width {
            None => width = Some((record.len(), line)),
            Some((d, first)) if d != record.len() => {
                let since = if first == 0 {
                    "expected by the command".to_string()
                } else {
                    format!("as on line {first}")
                };
                bail!(
                    "{name}: line {line}: {} fields, expected {d} ({since})",
                    record.len()
                );
            }
            Some(_) => {}
        }
        for (column, field) in parsed.into_iter().enumerate() {
            match field {
                Ok(v) => values.push(v),
                Err(why) => bail!("{name}: line {line}, column {}: {why}", column + 1),
            }
        }
        rows += 1;
    }
    if rows == 0 {
        bail!("{name}: no points (the file is empty or holds a header only)");
    }
    let (d, _) = width.expect("a width once a row was read");
    Ok(Array2::from_shape_vec((rows, d), values).expect("rows × width values"))
}

fn parse_field(field: &[u8]) -> Result<f64, String> {
    let text = std::str::from_utf8(field).map_err(|_| "the field is not UTF-8 text".to_string())?;
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("`{text}` is not finite"))
    }
}

/// Writes points as CSV with a header `x1,…,xD` (or the given names), atomically.
pub fn write_points(path: &Path, points: &Array2<f64>, header: Option<&[String]>) -> Result<()> {
    write_atomically(path, |w| {
        let mut writer = csv::Writer::from_writer(w);
        let names: Vec<String> = match header {
            Some(names) => names.to_vec(),
            None => (1..=points.ncols()).map(|j| format!("x{j}")).collect(),
        };
        writer.write_record(&names)?;
        for row in points.outer_iter() {
            writer.write_record(row.iter().map(|v| v.to_string()))?;
        }
        writer.flush()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_optional_and_values_round_trip() {
        let with = parse_points(b"a,b\n1,2\n3.5,-4e-3\n", "f", None).unwrap();
        let without = parse_points(b"1,2\n3.5,-4e-3\n", "f", Some(2)).unwrap();
        assert_eq!(with, without);
        assert_eq!(with[[1, 1]], -4e-3);
    }

    #[test]
    fn errors_name_the_line_and_the_rule() {
        let cases: [(&[u8], Option<usize>, &str); 7] = [
            (b"1,2\n3\n", None, "line 2: 1 fields, expected 2"),
            (
                b"1,2\nNaN,1\n",
                None,
                "line 2, column 1: `NaN` is not finite",
            ),
            (
                b"1,2\n1,inf\n",
                None,
                "line 2, column 2: `inf` is not finite",
            ),
            (b"", None, "no points"),
            (b"x,y\n", None, "no points"),
            (
                b"1,2\n1,\xff\n",
                None,
                "line 2, column 2: the field is not UTF-8",
            ),
            (b"1,2,3\n", Some(2), "line 1: 3 fields, expected 2"),
        ];
        for (text, expected, message) in cases {
            let err = parse_points(text, "pts.csv", expected)
                .unwrap_err()
                .to_string();
            assert!(err.contains(message) && err.starts_with("pts.csv"), "{err}");
        }
    }
}
