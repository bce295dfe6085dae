//! Records the locked versions of the numerical dependencies for the run manifest.

fn main() {
    let lock = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let wanted = [
        "ndarray",
        "ndarray-linalg",
        "rand",
        "rand_distr",
        "kiddo",
        "rayon",
        "lsap",
        "openblas-src",
    ];
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let mut found = Vec::new();
    let mut name: Option<&str> = None;
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("name = ") {
            name = Some(value.trim_matches('"'));
        } else if let (Some(n), Some(value)) = (name, line.strip_prefix("version = ")) {
            if wanted.contains(&n) {
                found.push(format!("{n}={}", value.trim_matches('"')));
            }
            name = None;
        }
    }
    println!("cargo:rustc-env=MANGEN_LOCKED_VERSIONS={}", found.join(";"));
}
