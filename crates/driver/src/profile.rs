//! Profiles: quick (smoke tests), standard (the default) and large (bigger machines) scale a sweep.

use crate::field::FieldError;
use crate::schema::{ProfileOverrides, SweepOverride, SweepSpec};
use std::fmt;
use std::str::FromStr;

/// How big a sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The smoke test: the whole suite in about a minute and a half on 2 cores.
    Quick,
    /// The default: the sweep as written in `[sweep]`.
    #[default]
    Standard,
    /// For bigger machines: `[profile.large]`, or the standard sweep when absent.
    Large,
}

/// Seeds of the quick profile at most, unless `[profile.quick]` says otherwise.
pub const QUICK_SEEDS: usize = 2;
/// Generated samples per cell of the quick profile at most, unless overridden.
pub const QUICK_SAMPLES: usize = 200;
/// N values of the quick profile: the smallest of the standard grid, unless overridden.
pub const QUICK_GRID_POINTS: usize = 3;

impl Profile {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Quick => "quick",
            Profile::Standard => "standard",
            Profile::Large => "large",
        }
    }

    /// The sweep of this profile: the standard sweep with the profile's overrides. Without
    /// overrides, quick keeps the [`QUICK_GRID_POINTS`] smallest N, at most [`QUICK_SEEDS`] seeds
    /// and [`QUICK_SAMPLES`] samples; large keeps the standard sweep.
    pub fn resolve(self, standard: &SweepSpec, overrides: &ProfileOverrides) -> SweepSpec {
        let apply = |base: SweepSpec, o: &Option<SweepOverride>| match o {
            None => base,
            Some(o) => SweepSpec {
                n_train: o.n_train.clone().unwrap_or(base.n_train),
                seeds: o.seeds.unwrap_or(base.seeds),
                samples: o.samples.unwrap_or(base.samples),
            },
        };
        match self {
            Profile::Standard => standard.clone(),
            Profile::Large => apply(standard.clone(), &overrides.large),
            Profile::Quick => {
                let scaled = SweepSpec {
                    n_train: standard
                        .n_train
                        .iter()
                        .take(QUICK_GRID_POINTS)
                        .copied()
                        .collect(),
                    seeds: standard.seeds.min(QUICK_SEEDS),
                    samples: standard.samples.min(QUICK_SAMPLES),
                };
                apply(scaled, &overrides.quick)
            }
        }
    }
}

/// The key of a `[[score]]` that names the profiles it runs in (every profile when absent).
pub const PROFILES_KEY: &str = "profiles";

/// Splits a `[[score]]` table into the profiles it runs in and the table its kind reads (without
/// `profiles`): `profiles = ["large"]` keeps a score out of the quick and standard sweeps, for
/// scores too dear for them. An empty list, a repeated or an unknown name is an error of the
/// `profiles` field.
pub fn score_profiles(table: &toml::Table) -> Result<(Vec<Profile>, toml::Table), FieldError> {
    let mut rest = table.clone();
    let Some(value) = rest.remove(PROFILES_KEY) else {
        return Ok((
            vec![Profile::Quick, Profile::Standard, Profile::Large],
            rest,
        ));
    };
    let invalid = |rule: String| FieldError::new(PROFILES_KEY, rule);
    let names = value.as_array().ok_or_else(|| {
        invalid(format!(
            "must be a list of profile names, such as [\"large\"] (got {value})"
        ))
    })?;
    if names.is_empty() {
        return Err(invalid(
            "must name at least one profile (leave it out to run in every profile)".into(),
        ));
    }
    let mut profiles = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let profile = name
            .as_str()
            .ok_or_else(|| format!("must be a profile name (got {name})"))
            .and_then(str::parse::<Profile>)
            .map_err(|rule| FieldError::new(format!("{PROFILES_KEY}[{i}]"), rule))?;
        if profiles.contains(&profile) {
            return Err(FieldError::new(
                format!("{PROFILES_KEY}[{i}]"),
                format!("repeats `{profile}`"),
            ));
        }
        profiles.push(profile);
    }
    Ok((profiles, rest))
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "quick" => Ok(Profile::Quick),
            "standard" => Ok(Profile::Standard),
            "large" => Ok(Profile::Large),
            other => Err(format!(
                "unknown profile `{other}` (expected quick, standard or large)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> SweepSpec {
        SweepSpec {
            n_train: vec![100, 300, 1000, 3000, 10000],
            seeds: 5,
            samples: 1000,
        }
    }

    #[test]
    fn quick_keeps_the_smallest_grid_and_caps_seeds_and_samples() {
        let quick = Profile::Quick.resolve(&standard(), &ProfileOverrides::default());
        assert_eq!(quick.n_train, vec![100, 300, 1000]);
        assert_eq!((quick.seeds, quick.samples), (2, 200));
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let overrides = ProfileOverrides {
            quick: None,
            large: Some(SweepOverride {
                n_train: Some(vec![10, 20, 40]),
                seeds: None,
                samples: Some(7),
            }),
        };
        let large = Profile::Large.resolve(&standard(), &overrides);
        assert_eq!(large.n_train, vec![10, 20, 40]);
        assert_eq!((large.seeds, large.samples), (5, 7));
        assert_eq!(
            Profile::Standard.resolve(&standard(), &overrides),
            standard()
        );
    }

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn a_score_runs_in_the_profiles_it_names_and_its_kind_never_sees_the_key() {
        let (profiles, rest) = score_profiles(&table(
            "kind = \"trained\"\nprofiles = [\"large\", \"quick\"]",
        ))
        .unwrap();
        assert_eq!(profiles, vec![Profile::Large, Profile::Quick]);
        assert_eq!(rest, table("kind = \"trained\""));
        let (every, same) = score_profiles(&table("kind = \"empirical\"")).unwrap();
        assert_eq!(every.len(), 3);
        assert_eq!(same, table("kind = \"empirical\""));
    }

    #[test]
    fn a_score_profiles_list_that_is_not_one_names_the_entry_at_fault() {
        let field = |text: &str| score_profiles(&table(text)).unwrap_err();
        assert_eq!(field("profiles = \"large\"").field, "profiles");
        assert_eq!(field("profiles = []").field, "profiles");
        let unknown = field("profiles = [\"large\", \"huge\"]");
        assert_eq!(unknown.field, "profiles[1]");
        assert!(unknown.rule.contains("huge"), "{}", unknown.rule);
        assert_eq!(field("profiles = [\"large\", 3]").field, "profiles[1]");
        assert_eq!(
            field("profiles = [\"large\", \"large\"]").field,
            "profiles[1]"
        );
    }

    #[test]
    fn names_round_trip() {
        for p in [Profile::Quick, Profile::Standard, Profile::Large] {
            assert_eq!(p.name().parse::<Profile>(), Ok(p));
        }
        assert!("huge".parse::<Profile>().is_err());
    }
}
