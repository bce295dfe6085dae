//! The sweep's journal: each finished cell in a file of its own under `<out>/journal/<experiment>/`,
//! written atomically, so that an interrupted sweep resumes where it stopped and the journals of
//! shards merge into the report of a single run.
//!
//! A cell file appears whole or not at all (temporary file, then rename): a sweep killed at any
//! point leaves finished cells and, at worst, a hidden `.cell-….partial` that is ignored. The
//! folder's `experiment.toml` is the fingerprint of the sweep (mangen's version, the experiment
//! as run, the profile); cells are reused only when everything in it that cells depend on is the
//! same (the description, limits, theory lines, findings and fit settings may change in between).
//!
//! A cell with checkpoints (a trained score) also keeps its progress while it runs, in
//! `progress-<index>/` ([`CellProgress`]): the rows of each checkpoint measured and the training
//! state at each checkpoint reached. A resumed sweep takes them up, so an interrupted cell goes on
//! training from its last checkpoint and measures only the checkpoints it had not; the folder
//! goes when the cell is recorded.

use crate::cell::{Cell, plan};
use crate::experiment::Experiment;
use crate::output::{create_dir, write_atomically, write_string};
use crate::profile::Profile;
use crate::runs::{Row, header, parse_runs, rows_to_csv};
use crate::schema::{FitSpec, RawExperiment};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The journal folder inside a sweep's output folder.
pub const JOURNAL_DIR: &str = "journal";
/// The fingerprint file inside an experiment's journal folder.
const FINGERPRINT_FILE: &str = "experiment.toml";

/// What a cell's results depend on: when any of it changes, finished cells no longer belong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    /// mangen's version.
    pub mangen: String,
    /// The experiment name.
    pub name: String,
    /// The config file it was read from.
    pub file: String,
    /// The profile.
    pub profile: String,
    /// The experiment as run (after `--steps-factor`).
    pub config: RawExperiment,
}

impl Fingerprint {
    /// The fingerprint of a loaded experiment.
    pub fn of(experiment: &Experiment) -> Self {
        Self {
            mangen: env!("CARGO_PKG_VERSION").into(),
            name: experiment.name.clone(),
            file: experiment.file.display().to_string(),
            profile: experiment.profile.name().into(),
            config: experiment.raw.clone(),
        }
    }

    /// The experiment this fingerprint describes, checked as when it was first loaded.
    pub fn experiment(&self, origin: &Path) -> Result<Experiment> {
        let profile: Profile = self
            .profile
            .parse()
            .map_err(|err| anyhow::anyhow!("{}: field `profile`: {err}", origin.display()))?;
        let text = toml::to_string(&self.config)?;
        let experiment = Experiment::parse(&text, Path::new(&self.file), profile)
            .with_context(|| format!("{}: field `config`", origin.display()))?;
        if experiment.name != self.name {
            bail!(
                "{}: field `name`: `{}` is not the stem of field `file` (`{}`)",
                origin.display(),
                self.name,
                self.file
            );
        }
        Ok(experiment)
    }

    fn to_text(&self) -> Result<String> {
        Ok(toml::to_string(self)?)
    }

    /// Whether two fingerprints describe the same cells: the rule of both `--resume` and
    /// `mangen merge`, which let the config's path, its texts, theory lines, findings and fit
    /// settings differ (only the reports read them).
    pub fn same_cells(&self, other: &Fingerprint) -> Result<bool> {
        Ok(self.cells_text()? == other.cells_text()?)
    }

    /// The part the cells' results depend on, as text: the fingerprint without the config file's
    /// path, the texts, theory lines, findings, fit settings and phase-map settings, which only
    /// the reports read.
    fn cells_text(&self) -> Result<String> {
        let mut cells = self.clone();
        cells.file.clear();
        cells.config.description.clear();
        cells.config.limits.clear();
        cells.config.theory.clear();
        cells.config.finding.clear();
        cells.config.phase = Default::default();
        cells.config.fit = FitSpec::default();
        cells.to_text()
    }
}

/// A finished cell read back from the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedCell {
    /// Its rows of runs.csv, in metric order.
    pub rows: Vec<Row>,
    /// The wall-clock seconds it took when it ran.
    pub seconds: f64,
}

/// What a running cell keeps of its progress, in `progress-<index>/` of the journal folder: the
/// rows of each checkpoint it measured (`epoch-<E>.csv`, with the cell's seconds so far) and the
/// training state at each checkpoint reached (`epoch-<E>.safetensors`, kept by the trained score).
#[derive(Debug)]
pub struct CellProgress {
    dir: PathBuf,
    started: Instant,
    before: f64,
}

impl CellProgress {
    /// The folder (created when something is first kept).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The rows of the checkpoints measured before, by epoch, each checked to be `cell`'s.
    pub fn recorded(
        &self,
        experiment: &Experiment,
        cell: &Cell,
    ) -> Result<BTreeMap<usize, Vec<Row>>> {
        rows_files(&self.dir)?
            .into_iter()
            .map(|(epoch, path)| {
                let rows = read_cell(&path, experiment, cell)?.rows;
                if rows.iter().any(|row| row.epoch != Some(epoch)) {
                    bail!(
                        "{}: holds rows of another checkpoint than epoch {epoch}; delete it",
                        path.display()
                    );
                }
                Ok((epoch, rows))
            })
            .collect()
    }

    /// Whether the rows of the checkpoint at `epoch` are kept.
    pub fn has_rows(&self, epoch: usize) -> bool {
        self.dir.join(format!("epoch-{epoch}.csv")).exists()
    }

    /// Keeps the rows of the checkpoint at `epoch`, with the cell's seconds so far.
    pub fn record(&self, epoch: usize, rows: &[Row]) -> Result<()> {
        create_dir(&self.dir)?;
        write_rows(
            &self.dir.join(format!("epoch-{epoch}.csv")),
            rows,
            self.seconds(),
        )
    }

    /// The cell's seconds: those of the work an interrupted run kept, and this run's.
    pub fn seconds(&self) -> f64 {
        self.before + self.started.elapsed().as_secs_f64()
    }
}

/// One experiment's journal folder.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    /// The journal of `experiment` in the output folder `out`, ready for a sweep that runs the
    /// cells `owned` (plan indices). With `resume`, finished cells are kept when the fingerprint
    /// matches. Without it, the journal starts afresh, unless it holds an unfinished share of the
    /// same sweep: that is refused, so that no finished cell is thrown away by accident.
    pub fn open(
        out: &Path,
        experiment: &Experiment,
        owned: &[usize],
        resume: bool,
    ) -> Result<Self> {
        let journal = Self {
            dir: out.join(JOURNAL_DIR).join(&experiment.name),
        };
        let current = Fingerprint::of(experiment);
        let fingerprint = current.cells_text()?;
        let cells = journal.cell_files()?;
        let progress = journal.progress_dirs()?;
        if !cells.is_empty() || !progress.is_empty() {
            let path = journal.fingerprint_path();
            let recorded: Fingerprint = toml::from_str(&journal.fingerprint_text()?)
                .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
            let recorded = recorded.cells_text()?;
            if resume {
                if recorded != fingerprint {
                    bail!(
                        "{}: the journal belongs to a different sweep of `{}` ({}); delete {} to start over",
                        path.display(),
                        experiment.name,
                        first_difference(&recorded, &fingerprint),
                        journal.dir.display()
                    );
                }
                // The texts, theory lines and fit settings may have changed: the reports use the new ones.
                write_string(&path, &current.to_text()?)?;
                return Ok(journal);
            }
            let finished = owned.iter().filter(|i| cells.contains_key(i)).count();
            if recorded == fingerprint && finished < owned.len() {
                let partly = match progress.len() {
                    0 => String::new(),
                    count => format!(" and the progress of {count} cells it had begun"),
                };
                bail!(
                    "{} holds {finished} of the {} cells of an interrupted sweep of `{}`{partly}: continue it with --resume, or delete the folder to start over",
                    journal.dir.display(),
                    owned.len(),
                    experiment.name
                );
            }
            for path in cells.values() {
                std::fs::remove_file(path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
            for dir in &progress {
                std::fs::remove_dir_all(dir)
                    .with_context(|| format!("cannot remove {}", dir.display()))?;
            }
        }
        create_dir(&journal.dir)?;
        write_string(&journal.fingerprint_path(), &current.to_text()?)?;
        Ok(journal)
    }

    /// The journal of experiment `name` in an existing output folder, as written by a sweep.
    pub fn existing(out: &Path, name: &str) -> Result<(Self, Fingerprint)> {
        let journal = Self {
            dir: out.join(JOURNAL_DIR).join(name),
        };
        let path = journal.fingerprint_path();
        let fingerprint = toml::from_str(&journal.fingerprint_text()?)
            .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
        Ok((journal, fingerprint))
    }

    /// The names of the experiments journaled in the output folder `out`, sorted.
    pub fn names(out: &Path) -> Result<Vec<String>> {
        let dir = out.join(JOURNAL_DIR);
        let entries = std::fs::read_dir(&dir).with_context(|| {
            format!(
                "cannot list {}: is {} the output folder of a sweep?",
                dir.display(),
                out.display()
            )
        })?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            if entry.path().join(FINGERPRINT_FILE).is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records a finished cell: its rows and time, in one file that appears whole or not at all;
    /// then the progress it kept while it ran is removed.
    pub fn record(&self, index: usize, rows: &[Row], seconds: f64) -> Result<()> {
        write_rows(&self.cell_path(index), rows, seconds)?;
        let progress = self.progress_dir(index);
        match std::fs::remove_dir_all(&progress) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(err).with_context(|| format!("cannot remove {}", progress.display()))
            }
            _ => Ok(()),
        }
    }

    /// The progress cell `index` kept in an interrupted run, if any, ready to keep more; the
    /// cell's clock starts now, on top of the seconds that progress had taken.
    pub fn progress(&self, index: usize) -> Result<CellProgress> {
        let dir = self.progress_dir(index);
        let mut before: f64 = 0.0;
        for path in rows_files(&dir)?.values() {
            before = before.max(read_seconds(path)?);
        }
        Ok(CellProgress {
            dir,
            started: Instant::now(),
            before,
        })
    }

    fn progress_dir(&self, index: usize) -> PathBuf {
        self.dir.join(format!("progress-{index:05}"))
    }

    /// The progress folders of interrupted cells.
    fn progress_dirs(&self) -> Result<Vec<PathBuf>> {
        Ok(list(&self.dir)?
            .into_iter()
            .filter(|(name, path)| name.starts_with("progress-") && path.is_dir())
            .map(|(_, path)| path)
            .collect())
    }

    /// The plan indices of the finished cells.
    pub fn finished_indices(&self) -> Result<Vec<usize>> {
        Ok(self.cell_files()?.into_keys().collect())
    }

    /// Reads every finished cell of `experiment`, checking that each file holds the cell its
    /// name says.
    pub fn finished(&self, experiment: &Experiment) -> Result<BTreeMap<usize, FinishedCell>> {
        let cells = plan(experiment);
        let mut finished = BTreeMap::new();
        for (index, path) in self.cell_files()? {
            let Some(cell) = cells.get(index) else {
                bail!(
                    "{}: the experiment has only {} cells; delete the file",
                    path.display(),
                    cells.len()
                );
            };
            finished.insert(index, read_cell(&path, experiment, cell)?);
        }
        Ok(finished)
    }

    fn fingerprint_path(&self) -> PathBuf {
        self.dir.join(FINGERPRINT_FILE)
    }

    fn fingerprint_text(&self) -> Result<String> {
        let path = self.fingerprint_path();
        std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the journal's fingerprint {}", path.display()))
    }

    fn cell_path(&self, index: usize) -> PathBuf {
        self.dir.join(format!("cell-{index:05}.csv"))
    }

    /// The cell files present, by plan index; leftovers of interrupted writes are removed.
    fn cell_files(&self) -> Result<BTreeMap<usize, PathBuf>> {
        let mut files = BTreeMap::new();
        for (name, path) in list(&self.dir)? {
            if name.starts_with(".cell-") && name.ends_with(".partial") {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            } else if let Some(index) = name
                .strip_prefix("cell-")
                .and_then(|rest| rest.strip_suffix(".csv"))
                .and_then(|digits| digits.parse::<usize>().ok())
            {
                files.insert(index, path);
            }
        }
        Ok(files)
    }
}

/// The entries of a folder, name and path (none when it does not exist).
fn list(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).with_context(|| format!("cannot list {}", dir.display())),
    };
    entries
        .map(|entry| {
            let path = entry
                .with_context(|| format!("cannot list {}", dir.display()))?
                .path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok((name, path))
        })
        .collect()
}

/// Writes rows with the seconds they took, in one file that appears whole or not at all.
fn write_rows(path: &Path, rows: &[Row], seconds: f64) -> Result<()> {
    let body = rows_to_csv(rows)?;
    write_atomically(path, |w: &mut dyn Write| {
        writeln!(w, "# seconds = {seconds}")?;
        writeln!(w, "{}", header())?;
        w.write_all(&body)?;
        Ok(())
    })
}

/// The seconds on the first line of a file of rows, and the text after it.
fn split_seconds<'t>(text: &'t str, shown: &str) -> Result<(f64, &'t str)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let seconds = first
        .strip_prefix("# seconds = ")
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .with_context(|| format!("{shown}: line 1: expected `# seconds = <time>`"))?;
    Ok((seconds, rest))
}

/// The seconds of a file of rows.
fn read_seconds(path: &Path) -> Result<f64> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {shown}"))?;
    Ok(split_seconds(&text, &shown)?.0)
}

/// The files of rows in a progress folder, by checkpoint epoch.
fn rows_files(dir: &Path) -> Result<BTreeMap<usize, PathBuf>> {
    Ok(list(dir)?
        .into_iter()
        .filter_map(|(name, path)| {
            let epoch = name.strip_prefix("epoch-")?.strip_suffix(".csv")?;
            Some((epoch.parse().ok()?, path))
        })
        .collect())
}

/// Reads one cell file and checks that its rows are those of `cell`.
fn read_cell(path: &Path, experiment: &Experiment, cell: &Cell) -> Result<FinishedCell> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the cell {shown}"))?;
    let (seconds, rest) = split_seconds(&text, &shown)?;
    let rows = parse_runs(rest.as_bytes(), &shown)?;
    let score = &experiment.scores[cell.score].label;
    let sampler = &experiment.samplers[cell.sampler].label;
    let belongs = |row: &Row| {
        row.experiment == experiment.name
            && row.score == crate::cell::checkpoint_label(score, row.epoch)
            && &row.sampler == sampler
            && row.n_train == cell.n_train
            && row.seed == cell.seed
    };
    if rows.is_empty() || !rows.iter().all(belongs) {
        bail!(
            "{shown}: does not hold the cell {score} · {sampler} · N={} · seed {}; delete it to recompute the cell",
            cell.n_train,
            cell.seed
        );
    }
    Ok(FinishedCell { rows, seconds })
}

/// The first line where two fingerprints differ, for an error message.
fn first_difference(recorded: &str, current: &str) -> String {
    let mut recorded_lines = recorded.lines();
    let mut current_lines = current.lines();
    loop {
        match (recorded_lines.next(), current_lines.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => return format!("it has `{a}` where this sweep has `{b}`"),
            (Some(a), None) => return format!("it has `{a}` more"),
            (None, Some(b)) => return format!("this sweep has `{b}` more"),
            (None, None) => return "they differ".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn experiment() -> Experiment {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny.toml");
        Experiment::load(&file, Profile::Quick).unwrap()
    }

    /// A row of cell `cell` of `experiment`.
    fn row_of(experiment: &Experiment, cell: &Cell) -> Row {
        Row {
            experiment: experiment.name.clone(),
            score: experiment.scores[cell.score].label.clone(),
            sampler: experiment.samplers[cell.sampler].label.clone(),
            n_train: cell.n_train,
            seed: cell.seed,
            metric: "fidelity_mean".into(),
            value: Some(0.5),
            ..Row::default()
        }
    }

    /// A fresh journal of the tiny experiment in a temporary folder, with its plan.
    fn opened() -> (tempfile::TempDir, Experiment, Journal, Vec<Cell>) {
        let out = tempfile::tempdir().unwrap();
        let experiment = experiment();
        let cells = plan(&experiment);
        let owned: Vec<usize> = (0..cells.len()).collect();
        let journal = Journal::open(out.path(), &experiment, &owned, false).unwrap();
        (out, experiment, journal, cells)
    }

    #[test]
    fn a_cell_file_is_read_back_as_its_cell() {
        let (_out, experiment, journal, cells) = opened();
        journal
            .record(1, &[row_of(&experiment, &cells[1])], 0.25)
            .unwrap();
        let finished = journal.finished(&experiment).unwrap();
        assert_eq!(finished.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert_eq!(finished[&1].seconds, 0.25);
    }

    #[test]
    fn a_cell_file_holding_another_cells_rows_is_refused() {
        let (_out, experiment, journal, cells) = opened();
        let other = cells
            .iter()
            .position(|c| c.n_train != cells[0].n_train)
            .expect("the plan has more than one N");
        journal
            .record(0, &[row_of(&experiment, &cells[other])], 0.1)
            .unwrap();
        let message = format!("{:#}", journal.finished(&experiment).unwrap_err());
        assert!(
            message.contains("cell-00000.csv") && message.contains("does not hold the cell"),
            "{message}"
        );
    }

    #[test]
    fn a_cell_time_that_is_negative_or_infinite_is_refused() {
        let (_out, experiment, journal, cells) = opened();
        journal
            .record(0, &[row_of(&experiment, &cells[0])], 0.5)
            .unwrap();
        let path = journal.dir.join("cell-00000.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let rows = text.split_once('\n').unwrap().1;
        for seconds in ["-1", "inf", "NaN", "soon"] {
            std::fs::write(&path, format!("# seconds = {seconds}\n{rows}")).unwrap();
            let message = format!("{:#}", journal.finished(&experiment).unwrap_err());
            assert!(
                message.contains("line 1") && message.contains("# seconds"),
                "{seconds}: {message}"
            );
        }
    }

    #[test]
    fn a_cell_index_beyond_the_plan_is_refused() {
        let (_out, experiment, journal, cells) = opened();
        let beyond = cells.len() + 3;
        journal
            .record(beyond, &[row_of(&experiment, &cells[0])], 0.1)
            .unwrap();
        let message = format!("{:#}", journal.finished(&experiment).unwrap_err());
        assert!(
            message.contains(&format!("cell-{beyond:05}.csv"))
                && message.contains(&format!("only {} cells", cells.len())),
            "{message}"
        );
    }

    #[test]
    fn a_fresh_start_refuses_only_an_unfinished_journal_of_the_same_sweep() {
        let (out, experiment, journal, cells) = opened();
        let owned: Vec<usize> = (0..cells.len()).collect();
        let record = |journal: &Journal, index: usize| {
            journal
                .record(index, &[row_of(&experiment, &cells[index])], 0.1)
                .unwrap();
        };
        record(&journal, 0);
        let message = format!(
            "{:#}",
            Journal::open(out.path(), &experiment, &owned, false).unwrap_err()
        );
        assert!(message.contains("holds 1 of the"), "{message}");
        // Finished: a fresh start clears it.
        for index in 1..cells.len() {
            record(&journal, index);
        }
        let journal = Journal::open(out.path(), &experiment, &owned, false).unwrap();
        assert!(journal.finished(&experiment).unwrap().is_empty());
        // Unfinished, but of another sweep: cleared too.
        record(&journal, 0);
        let mut other = experiment.clone();
        other.raw.seed += 1;
        let journal = Journal::open(out.path(), &other, &owned, false).unwrap();
        assert!(journal.finished(&other).unwrap().is_empty());
    }

    #[test]
    fn only_leftovers_of_interrupted_cell_writes_are_removed() {
        let (out, experiment, journal, cells) = opened();
        let owned: Vec<usize> = (0..cells.len()).collect();
        let leftover = journal.dir.join(".cell-00001.csv.partial");
        let others = [
            journal.dir.join("notes.partial"),
            journal.dir.join(".cell-00002.csv.bak"),
        ];
        for path in std::iter::once(&leftover).chain(&others) {
            std::fs::write(path, "x").unwrap();
        }
        Journal::open(out.path(), &experiment, &owned, true).unwrap();
        assert!(!leftover.exists());
        assert!(
            others.iter().all(|p| p.exists()),
            "a file of someone else's was removed"
        );
    }

    #[test]
    fn a_journal_that_cannot_be_listed_is_an_error_not_an_empty_one() {
        let out = tempfile::tempdir().unwrap();
        let experiment = experiment();
        let owned: Vec<usize> = (0..plan(&experiment).len()).collect();
        let dir = out.path().join(JOURNAL_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&experiment.name), "a file where the journal goes").unwrap();
        let message = format!(
            "{:#}",
            Journal::open(out.path(), &experiment, &owned, true).unwrap_err()
        );
        assert!(message.contains("cannot list"), "{message}");
    }

    #[test]
    fn resume_and_merge_share_one_rule_of_what_may_differ() {
        let experiment = experiment();
        let base = Fingerprint::of(&experiment);
        let mut texts = base.clone();
        texts.file = "/elsewhere/tiny.toml".into();
        texts.config.description = "edited".into();
        texts.config.theory.clear();
        texts.config.finding.push(crate::schema::FindingSpec {
            claim: "a claim".into(),
            metric: "w1".into(),
            score: "empirical".into(),
            at_least: None,
            at_most: None,
            steeper_than: None,
            agrees_with: None,
        });
        texts.config.fit.level = 0.5;
        texts.config.phase.beside.push("other/empirical".into());
        assert!(base.same_cells(&texts).unwrap());
        let mut cells = base.clone();
        cells.config.seed += 1;
        assert!(!base.same_cells(&cells).unwrap());
        let mut profile = base.clone();
        profile.profile = "standard".into();
        assert!(!base.same_cells(&profile).unwrap());
    }
}
