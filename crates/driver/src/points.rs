//! Point sets in files: CSV (one row per point, D numeric columns, an optional header row) or NumPy `.npy` (a 2-D array, rows × D), chosen by the extension.

use crate::output::write_atomically;
use anyhow::{Context, Result, bail};
use ndarray::Array2;
use ndarray_npy::{ReadNpyError, ReadNpyExt, WriteNpyExt};
use std::path::Path;

/// Whether a path names a NumPy file (extension `.npy`, any case); everything else is CSV.
pub fn is_npy(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
}

/// Reads a point file, `.npy` or CSV by its extension; `expected` checks the number of columns.
/// Every value must be finite. Errors name the file and the line (CSV) or row (`.npy`).
pub fn read_points(path: &Path, expected: Option<usize>) -> Result<Array2<f64>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the point file {}", path.display()))?;
    let name = path.display().to_string();
    if is_npy(path) {
        parse_npy(&bytes, &name, expected)
    } else {
        parse_points(&bytes, &name, expected)
    }
}

/// Parses the bytes of a `.npy` file of points: a 2-D array of float64 (float32 is widened
/// exactly), in C or Fortran order.
pub fn parse_npy(bytes: &[u8], name: &str, expected: Option<usize>) -> Result<Array2<f64>> {
    check_npy_shape(bytes, name)?;
    let points = match Array2::<f64>::read_npy(bytes) {
        Err(ReadNpyError::WrongDescriptor(found)) => match Array2::<f32>::read_npy(bytes) {
            Ok(narrow) => narrow.mapv(f64::from),
            Err(_) => bail!(
                "{name}: dtype {found} is not supported: points are float64 (or float32) arrays"
            ),
        },
        Err(ReadNpyError::WrongNdim(_, found)) => bail!(
            "{name}: a {found}-dimensional array; points are a 2-D array, one row per point \
             (reshape a single point to (1, D))"
        ),
        Err(err) => bail!("{name}: not a readable .npy file: {err}"),
        Ok(points) => points,
    };
    if points.nrows() == 0 {
        bail!("{name}: no points (the array has 0 rows)");
    }
    if let Some(d) = expected
        && points.ncols() != d
    {
        bail!(
            "{name}: {} columns, expected {d} (the ambient dimension)",
            points.ncols()
        );
    }
    if let Some((index, value)) = points.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        let width = points.ncols().max(1);
        bail!(
            "{name}: row {}, column {}: {value} is not finite",
            index / width + 1,
            index % width + 1
        );
    }
    Ok(points)
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

/// Refuses a `.npy` header whose shape asks for more values than the file's bytes can hold (at
/// 4 bytes each), before the reader allocates room for them.
fn check_npy_shape(bytes: &[u8], name: &str) -> Result<()> {
    let header_end = bytes.len().min(65_536 + 12);
    let header = String::from_utf8_lossy(&bytes[..header_end]);
    let Some(shape) = header
        .split("'shape':")
        .nth(1)
        .and_then(|rest| rest.split('(').nth(1))
        .and_then(|rest| rest.split(')').next())
    else {
        return Ok(()); // not a header the reader accepts either: it reports the error itself.
    };
    let mut values: u128 = 1;
    for dimension in shape.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let Ok(length) = dimension.parse::<u128>() else {
            return Ok(());
        };
        values = values.saturating_mul(length);
    }
    if values.saturating_mul(4) > bytes.len() as u128 {
        bail!(
            "{name}: the header's shape ({shape}) holds more values than the file's {} bytes",
            bytes.len()
        );
    }
    Ok(())
}

/// Writes points atomically: a float64 `.npy` array when the path ends in `.npy`, otherwise CSV
/// with a header `x1,…,xD` (or the given names).
pub fn write_points(path: &Path, points: &Array2<f64>, header: Option<&[String]>) -> Result<()> {
    if is_npy(path) {
        return write_atomically(path, |w| {
            points
                .write_npy(w)
                .with_context(|| format!("cannot write {}", path.display()))
        });
    }
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

    fn npy_bytes<A: ndarray_npy::WritableElement, D: ndarray::Dimension>(
        array: &ndarray::Array<A, D>,
    ) -> Vec<u8> {
        let mut bytes = Vec::new();
        array.write_npy(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn npy_points_round_trip_in_either_order_and_float32_widens() {
        use ndarray::ShapeBuilder;
        let values = vec![1.0, -2.5, 3.0, 4.25, 5.0, 1e-300];
        let c_order = Array2::from_shape_vec((2, 3), values).unwrap();
        let mut fortran = Array2::zeros((2, 3).f());
        fortran.assign(&c_order);
        assert_eq!(fortran.as_slice_memory_order().unwrap()[1], 4.25);
        for array in [&c_order, &fortran] {
            let read = parse_npy(&npy_bytes(array), "p.npy", Some(3)).unwrap();
            assert_eq!(&read, array);
        }
        let narrow = c_order.mapv(|v| v as f32);
        let widened = parse_npy(&npy_bytes(&narrow), "p.npy", None).unwrap();
        assert_eq!(widened, narrow.mapv(f64::from));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("points.NPY");
        write_points(&path, &c_order, None).unwrap();
        assert_eq!(read_points(&path, Some(3)).unwrap(), c_order);
    }

    /// A valid header that claims 10^12 × 10 values over a file of a few dozen bytes.
    fn huge_header() -> Vec<u8> {
        let mut bytes = npy_bytes(&Array2::<f64>::zeros((1, 10)));
        let padded = format!("(1, 10)}}{}", " ".repeat(12)).into_bytes();
        let huge = b"(1000000000000, 10)}";
        assert_eq!(padded.len(), huge.len(), "the header keeps its length");
        let at = bytes
            .windows(padded.len())
            .position(|w| w == padded.as_slice())
            .expect("a padded header");
        bytes[at..at + huge.len()].copy_from_slice(huge);
        bytes
    }

    #[test]
    fn npy_errors_name_the_file_and_the_rule() {
        let ints = ndarray::Array2::<i64>::zeros((2, 2));
        let flat = ndarray::Array1::<f64>::zeros(3);
        let cube = ndarray::Array3::<f64>::zeros((1, 2, 2));
        let mut nan = Array2::<f64>::zeros((3, 2));
        nan[[2, 1]] = f64::NAN;
        let cases: [(Vec<u8>, Option<usize>, &str); 8] = [
            (npy_bytes(&ints), None, "dtype"),
            (npy_bytes(&flat), None, "a 1-dimensional array"),
            (npy_bytes(&cube), None, "a 3-dimensional array"),
            (npy_bytes(&nan), None, "row 3, column 2: NaN is not finite"),
            (npy_bytes(&Array2::<f64>::zeros((0, 2))), None, "no points"),
            (
                npy_bytes(&Array2::<f64>::zeros((1, 2))),
                Some(3),
                "2 columns, expected 3",
            ),
            (b"1,2\n".to_vec(), None, "not a readable .npy file"),
            (huge_header(), None, "holds more values than the file's"),
        ];
        for (bytes, expected, message) in cases {
            let err = parse_npy(&bytes, "p.npy", expected)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("p.npy: ") && err.contains(message), "{err}");
        }
    }
}
