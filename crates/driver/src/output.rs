//! Output files that appear whole or not at all: written to a temporary file beside the target, then renamed.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `path` through a temporary file beside it, which `fill` writes by its path, then moves
/// into place: the file appears whole or not at all.
pub fn write_path_atomically(path: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let temporary = temporary_path(path);
    let outcome = fill(&temporary).and_then(|()| {
        std::fs::rename(&temporary, path)
            .with_context(|| format!("cannot move the finished output to {}", path.display()))
    });
    if outcome.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    outcome
}

/// Writes `path` atomically: `fill` writes into a temporary file in the same folder, which is
/// flushed, synced and renamed over `path` only when `fill` succeeds. On any error the target is
/// untouched and the temporary file removed.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    write_path_atomically(path, |temporary| {
        let file = std::fs::File::create(temporary)
            .with_context(|| format!("cannot create the output file {}", path.display()))?;
        let mut writer = std::io::BufWriter::new(file);
        fill(&mut writer)?;
        let file = writer
            .into_inner()
            .map_err(|err| anyhow::anyhow!("cannot write {}: {}", path.display(), err.error()))?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", path.display()))
    })
}

/// Writes a whole string atomically.
pub fn write_string(path: &Path, text: &str) -> Result<()> {
    write_atomically(path, |w| Ok(w.write_all(text.as_bytes())?))
}

/// `dir/.name.partial`: hidden beside the target, so a rename never crosses file systems.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    path.with_file_name(format!(".{name}.partial"))
}

/// Creates a folder and its parents, naming it on failure.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_fill_leaves_neither_target_nor_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").unwrap();
        let result = write_atomically(&target, |w| {
            w.write_all(b"half")?;
            anyhow::bail!("stopped")
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_finished_fill_replaces_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        write_string(&target, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
    }
}
