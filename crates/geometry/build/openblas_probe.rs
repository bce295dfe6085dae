//! Finds the system OpenBLAS that ndarray-linalg links against (shared by the build script and xtask).

use std::path::{Path, PathBuf};

/// The command that installs the library on Debian and Ubuntu.
pub const INSTALL_HINT: &str = "apt-get install -y libopenblas-dev";

/// Environment variable naming an extra directory that holds `libopenblas.so` or `libopenblas.a`.
pub const DIR_VARIABLE: &str = "MANGEN_OPENBLAS_DIR";

/// Directories a linker on Linux searches by default, plus `$MANGEN_OPENBLAS_DIR` and `$LIBRARY_PATH`.
fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os(DIR_VARIABLE) {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(paths) = std::env::var_os("LIBRARY_PATH") {
        dirs.extend(std::env::split_paths(&paths));
    }
    for base in ["/usr/lib", "/usr/local/lib"] {
        dirs.push(PathBuf::from(base));
        if let Ok(entries) = std::fs::read_dir(base) {
            dirs.extend(
                entries
                    .flatten()
                    .map(|entry| entry.path())
                    .filter(|path| path.to_string_lossy().ends_with("-linux-gnu")),
            );
        }
    }
    dirs.extend(["/usr/lib64", "/usr/local/lib64", "/opt/OpenBLAS/lib"].map(PathBuf::from));
    dirs
}

/// The directory holding a linkable OpenBLAS (`libopenblas.so` or `libopenblas.a`), if any.
pub fn find_openblas() -> Option<PathBuf> {
    candidate_dirs().into_iter().find(|dir| {
        ["libopenblas.so", "libopenblas.a", "libopenblas.dylib"]
            .iter()
            .any(|name| Path::new(dir).join(name).exists())
    })
}
