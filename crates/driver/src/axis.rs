//! Sweep axes beside N: a numeric `[[sampler]]` or `[[score]]` parameter written `{ grid = [..] }` becomes one sampler or score per value, crossed with N like any other, and read back as one axis of a phase map.

use crate::field::FieldError;

/// Whether an axis runs over samplers or over scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisOwner {
    /// A `[[sampler]]` parameter (t0).
    Sampler,
    /// A `[[score]]` parameter (a hybrid's t1).
    Score,
}

/// One sweep axis of an experiment: the parameter, its values and the label of the sampler or
/// score each value made.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepAxis {
    /// Samplers or scores.
    pub owner: AxisOwner,
    /// The config path of the parameter (`sampler[0].t_min`, `score[1].switch_time`).
    pub field: String,
    /// The parameter's name on plots: `t0` for a sampler's t_min, else the field's own name.
    pub symbol: String,
    /// The label the axis's samplers or scores share, with the value written `*`.
    pub family: String,
    /// Each value, increasing, with the label of its sampler or score.
    pub members: Vec<(f64, String)>,
}

impl SweepAxis {
    /// The axis value of the sampler or score labelled `label`, when it is a member.
    pub fn value_of(&self, label: &str) -> Option<f64> {
        self.members
            .iter()
            .find(|(_, member)| member == label)
            .map(|(value, _)| *value)
    }
}

/// Checks a grid's values: at least two, finite, > 0 and strictly increasing.
pub fn check_grid(values: &[f64]) -> Result<(), FieldError> {
    if values.len() < 2 {
        return Err(FieldError::new(
            "grid",
            format!(
                "a sweep axis needs at least 2 values (got {})",
                values.len()
            ),
        ));
    }
    if let Some(i) = values.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(FieldError::new(
            format!("grid[{i}]"),
            format!("must be finite and > 0 (got {})", values[i]),
        ));
    }
    if let Some(i) = values.windows(2).position(|w| w[1] <= w[0]) {
        return Err(FieldError::new(
            format!("grid[{}]", i + 1),
            "the values must increase strictly",
        ));
    }
    Ok(())
}

/// The entries of a `[[score]]` table written `{ grid = [..] }`, with their checked values.
pub fn grid_entries(table: &toml::Table) -> Result<Vec<(String, Vec<f64>)>, FieldError> {
    let mut entries = Vec::new();
    for (key, value) in table {
        let Some(inner) = value.as_table().filter(|t| t.contains_key("grid")) else {
            continue;
        };
        if let Some(other) = inner.keys().find(|k| *k != "grid") {
            return Err(FieldError::new(
                format!("{key}.{other}"),
                "unknown field: a sweep axis is written `{ grid = [..] }`",
            ));
        }
        let values = inner["grid"]
            .as_array()
            .and_then(|array| {
                array
                    .iter()
                    .map(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                    .collect::<Option<Vec<f64>>>()
            })
            .ok_or_else(|| FieldError::new(format!("{key}.grid"), "must be an array of numbers"))?;
        check_grid(&values)
            .map_err(|err| FieldError::new(format!("{key}.{}", err.field), err.rule))?;
        entries.push((key.clone(), values));
    }
    Ok(entries)
}

/// `table` with `key` set to the number `value`.
pub fn with_value(table: &toml::Table, key: &str, value: f64) -> toml::Table {
    let mut table = table.clone();
    table.insert(key.to_string(), toml::Value::Float(value));
    table
}

/// The label shared by the members of an axis: `label` (made at `value`) with its first
/// `=<value>` written `=*`; `label [key = *]` when the label does not show the value.
pub fn family_label(label: &str, key: &str, value: f64) -> String {
    let shown = format!("={value}");
    match label.find(&shown) {
        Some(at) => format!("{}=*{}", &label[..at], &label[at + shown.len()..]),
        None => format!("{label} [{key} = *]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_needs_two_increasing_positive_values() {
        assert!(check_grid(&[1e-3, 1e-2]).is_ok());
        assert_eq!(check_grid(&[1e-3]).unwrap_err().field, "grid");
        assert_eq!(check_grid(&[1e-3, 0.0]).unwrap_err().field, "grid[1]");
        assert_eq!(check_grid(&[1e-3, f64::NAN]).unwrap_err().field, "grid[1]");
        assert_eq!(check_grid(&[1e-2, 1e-2]).unwrap_err().field, "grid[1]");
        assert_eq!(
            check_grid(&[1e-2, 1e-1, 1e-3]).unwrap_err().field,
            "grid[2]"
        );
    }

    #[test]
    fn grid_entries_are_found_checked_and_expanded() {
        let table: toml::Table = toml::from_str(
            "kind = \"hybrid\"\ndegree = 2\nswitch_time = { grid = [0.001, 0.01, 1] }",
        )
        .unwrap();
        let entries = grid_entries(&table).unwrap();
        assert_eq!(
            entries,
            vec![("switch_time".to_string(), vec![0.001, 0.01, 1.0])]
        );
        let copy = with_value(&table, "switch_time", 0.01);
        assert_eq!(copy["switch_time"].as_float(), Some(0.01));
        assert_eq!(copy["degree"].as_integer(), Some(2));
        let bad: toml::Table = toml::from_str("switch_time = { grid = [0.1, 0.01] }").unwrap();
        assert_eq!(grid_entries(&bad).unwrap_err().field, "switch_time.grid[1]");
        let bad: toml::Table = toml::from_str("switch_time = { grid = \"x\" }").unwrap();
        assert_eq!(grid_entries(&bad).unwrap_err().field, "switch_time.grid");
        let bad: toml::Table = toml::from_str("switch_time = { grid = [1, 2], by = 3 }").unwrap();
        assert_eq!(grid_entries(&bad).unwrap_err().field, "switch_time.by");
    }

    #[test]
    fn the_family_label_writes_the_value_as_a_star() {
        assert_eq!(
            family_label("hybrid(t1=0.01,m=2)", "switch_time", 0.01),
            "hybrid(t1=*,m=2)"
        );
        assert_eq!(
            family_label("custom(m=2)", "switch_time", 0.01),
            "custom(m=2) [switch_time = *]"
        );
    }
}
