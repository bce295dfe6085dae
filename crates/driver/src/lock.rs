//! One writer per output folder: an advisory lock that a sweep or a merge holds on its `--out` for its whole run.
//!
//! The lock is the operating system's advisory file lock (`flock` on Unix) on `<out>/.mangen.lock`,
//! taken without waiting. A second sweep or merge into the same folder is refused at once with a
//! message naming the process that holds it. The operating system releases the lock when its
//! holder exits, however it exits, so a lock left by a killed sweep never blocks `--resume`.

use crate::output::create_dir;
use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file inside an output folder.
pub const LOCK_FILE: &str = ".mangen.lock";

/// The held lock of an output folder; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct OutputLock {
    /// The open lock file: the lock lives as long as this handle.
    _file: File,
    /// The folder it guards.
    dir: PathBuf,
}

impl OutputLock {
    /// Takes the lock of `dir` (created when missing) for the subcommand `what`, or fails at once,
    /// naming the process that holds it.
    pub fn acquire(dir: &Path, what: &str) -> Result<Self> {
        create_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim() {
                    "" => "another mangen process".to_string(),
                    text => text.to_string(),
                };
                bail!(
                    "{} is in use by {holder}: one sweep or merge writes into a folder at a time; \
                     wait for it to end or choose another --out",
                    dir.display()
                );
            }
            Err(TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        let holder = format!("mangen {what} (process {})\n", std::process::id());
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(holder.as_bytes()))
            .with_context(|| format!("cannot write the lock file {}", path.display()))?;
        Ok(Self {
            _file: file,
            dir: dir.to_path_buf(),
        })
    }

    /// The folder this lock guards.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_folder_is_refused_naming_its_holder_and_freed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = OutputLock::acquire(&out, "sweep").unwrap();
        assert_eq!(first.dir(), out);
        let refused = OutputLock::acquire(&out, "merge").unwrap_err().to_string();
        let pid = std::process::id().to_string();
        assert!(
            refused.contains("in use by mangen sweep (process ") && refused.contains(&pid),
            "{refused}"
        );
        drop(first);
        let again = OutputLock::acquire(&out, "merge").unwrap();
        drop(again);
        let holder = std::fs::read_to_string(out.join(LOCK_FILE)).unwrap();
        assert_eq!(holder, format!("mangen merge (process {pid})\n"));
    }
}
