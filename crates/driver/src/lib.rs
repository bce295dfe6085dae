//! mangen-driver: experiment configs, the N-sweep engine, slope fits, CSV reports, SVG plots and the
//! subcommands of the `mangen` binary.
//!
//! The library crates compute; this crate reads configs and points, runs the sweep and writes
//! reports. It is the only crate (with xtask) that does I/O.
#![allow(clippy::print_stderr)]

pub mod band;
pub mod blas;
pub mod cell;
pub mod commands;
pub mod engine;
pub mod experiment;
pub mod experiment_report;
pub mod field;
pub mod fit;
pub mod fuzzing;
pub mod journal;
pub mod lock;
pub mod metric;
pub mod metrics;
pub mod models;
pub mod output;
pub mod plot;
pub mod points;
pub mod profile;
pub mod progress;
pub mod registry;
pub mod report;
pub mod runs;
pub mod schema;
pub mod score;
pub mod scores;
pub mod shard;

pub use experiment::{ConfigError, Experiment, LoadOptions};
pub use profile::Profile;
pub use registry::Registry;
pub use schema::RawExperiment;
