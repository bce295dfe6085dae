//! mangen-driver: experiment configs, the N-sweep engine, slope fits, CSV reports, SVG plots and the
//! subcommands of the `mangen` binary.
//!
//! The library crates compute; this crate reads configs and points, runs the sweep and writes
//! reports. It is the only crate (with xtask) that does I/O.
//!
//! Read it top-down; nothing climbs back up:
//! - `main` → [`commands`] (one file per subcommand) → [`engine`] (cells in parallel, the
//!   [`journal`], [`shard`]s, the output [`lock`], [`progress`]);
//! - [`cell`]: one cell, one way: streams → training set → shared neighbour index → score →
//!   samples → metrics → rows;
//! - [`experiment`]: the config checked into what the sweep reads, with the kinds of the
//!   [`registry`]: score kinds ([`score`], one file each in [`scores`]) and metrics ([`metric`],
//!   one file each in [`metrics`]);
//! - [`schema`]: the config as written; [`models`]: the manifold and density it names;
//! - reports read finished rows only: [`experiment_report`], [`fit`], [`plot`], [`band`], [`report`].
#![allow(clippy::print_stderr)]

pub mod axis;
pub mod band;
pub mod blas;
pub mod cell;
pub mod commands;
pub mod densities;
pub mod engine;
pub mod experiment;
pub mod experiment_report;
pub mod field;
pub mod findings;
pub mod fit;
pub mod fuzzing;
pub mod journal;
pub mod lock;
pub mod metric;
pub mod metrics;
pub mod models;
pub mod output;
pub mod phase;
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
pub mod shared_rows;
pub mod threads;
pub mod training;

pub use experiment::{ConfigError, Experiment, LoadOptions};
pub use profile::Profile;
pub use registry::Registry;
pub use schema::RawExperiment;
