//! A config entry's error, named below the entry's own key, and the small checks that entries of the registry's kinds share.

use serde::de::DeserializeOwned;

/// A config field that breaks a rule: the field below the entry's own key (empty for the entry
/// itself, `p` for `metrics.wasserstein.p`) and the rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The field, relative to the entry.
    pub field: String,
    /// The rule it breaks, with the value found.
    pub rule: String,
}

impl FieldError {
    /// The error of `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// A malformed entry, as the TOML reader reports it.
    pub fn malformed(err: toml::de::Error) -> Self {
        Self::new("", err.message().trim().to_string())
    }
}

/// The value of a switch entry (`fidelity = true`).
pub fn switch(value: &toml::Value) -> Result<bool, FieldError> {
    value
        .as_bool()
        .ok_or_else(|| FieldError::new("", format!("must be true or false (got {value})")))
}

/// Checks that `value` is finite and > 0.
pub fn positive(field: &str, value: f64) -> Result<(), FieldError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            format!("must be finite and > 0 (got {value})"),
        ))
    }
}

/// A table entry read into its kind's own schema (`deny_unknown_fields` there refuses a field it
/// does not know), leaving out the keys in `skip` (a score's `kind`).
pub fn read_table<T: DeserializeOwned>(
    table: &toml::Table,
    skip: &[&str],
) -> Result<T, FieldError> {
    let mut table = table.clone();
    for key in skip {
        table.remove(*key);
    }
    toml::Value::Table(table)
        .try_into()
        .map_err(FieldError::malformed)
}

/// Checks that a table entry holds no field but those in `skip` (a score kind without parameters).
pub fn no_fields(table: &toml::Table, skip: &[&str]) -> Result<(), FieldError> {
    match table.keys().find(|key| !skip.contains(&key.as_str())) {
        None => Ok(()),
        Some(key) => Err(FieldError::new(
            key.clone(),
            format!("unknown field `{key}`: this kind has no parameters"),
        )),
    }
}
