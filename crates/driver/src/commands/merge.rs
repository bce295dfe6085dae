//! `mangen merge`: the reports of a single run from the journals of a sweep's shards.

use crate::experiment::Experiment;
use crate::experiment_report::{check_complete, report_experiment};
use crate::journal::{Fingerprint, FinishedCell, JOURNAL_DIR, Journal};
use crate::lock::OutputLock;
use crate::report::{Manifest, write_reports};
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `mangen merge`: the reports of a single run from the journals of its shards. The shards must
/// hold the same cells (the rule of `--resume`): they may differ in the config's path, texts,
/// theory lines and fit settings, and the reports take those of the first shard given.
pub fn merge(shards: &[PathBuf], out: &Path, quiet: bool) -> Result<()> {
    if shards.is_empty() {
        bail!("no shard folders given");
    }
    let mut names: Vec<String> = Vec::new();
    for shard in shards {
        for name in Journal::names(shard)? {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.sort();
    if names.is_empty() {
        bail!("the shard folders hold no journaled experiment");
    }
    let mut merged = Vec::new();
    for name in &names {
        let mut agreed: Option<(Fingerprint, PathBuf)> = None;
        let mut finished = BTreeMap::new();
        let mut experiment = None;
        for shard in shards {
            if !shard.join(JOURNAL_DIR).join(name).is_dir() {
                continue;
            }
            let (journal, fingerprint) = Journal::existing(shard, name)?;
            match &agreed {
                None => {
                    experiment = Some(fingerprint.experiment(journal.dir())?);
                    agreed = Some((fingerprint, journal.dir().to_path_buf()));
                }
                Some((first, first_dir)) if !first.same_cells(&fingerprint)? => bail!(
                    "{} and {} journal different sweeps of `{name}`: run every shard with the same configs, profile and mangen",
                    first_dir.display(),
                    journal.dir().display()
                ),
                Some(_) => {}
            }
            let experiment = experiment.as_ref().expect("set with the first fingerprint");
            for (index, cell) in journal.finished(experiment)? {
                if finished
                    .get(&index)
                    .is_some_and(|known: &FinishedCell| known.rows != cell.rows)
                {
                    bail!(
                        "{}: cell {index} differs from the same cell in another shard",
                        journal.dir().display()
                    );
                }
                finished.entry(index).or_insert(cell);
            }
        }
        let experiment = experiment.expect("every listed name has a journal");
        check_complete(&experiment, &finished).map_err(|err| {
            anyhow::anyhow!("{err:#}; did every shard finish? (`mangen sweep --resume --shard I/N` completes one)")
        })?;
        merged.push((experiment, finished));
    }
    let profile = merged[0].0.profile;
    if let Some((other, _)) = merged.iter().find(|(e, _)| e.profile != profile) {
        bail!(
            "`{}` ran with the profile {} and `{}` with {}: merge the shards of one sweep",
            merged[0].0.name,
            profile,
            other.name,
            other.profile
        );
    }
    // Nothing is written (not even the folder) before every shard has been checked.
    let _lock = OutputLock::acquire(out, "merge")?;
    let mut reports = Vec::new();
    for (experiment, finished) in &merged {
        reports.push(report_experiment(experiment, finished, out)?);
    }
    let experiments: Vec<Experiment> = merged.into_iter().map(|(e, _)| e).collect();
    let manifest = Manifest::new(profile, None, &experiments, &reports);
    write_reports(&manifest, &experiments, &reports, out, quiet)
}
