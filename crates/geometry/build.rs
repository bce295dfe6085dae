//! Build script: stops early, with the command to run, when the system OpenBLAS is missing.
#![allow(clippy::print_stderr)]

#[path = "build/openblas_probe.rs"]
mod openblas_probe;

fn main() {
    println!(
        "cargo:rerun-if-env-changed={}",
        openblas_probe::DIR_VARIABLE
    );
    println!("cargo:rerun-if-env-changed=LIBRARY_PATH");
    match openblas_probe::find_openblas() {
        Some(dir) => println!("cargo:rustc-link-search=native={}", dir.display()),
        None => {
            eprintln!(
                "\nmangen needs the system OpenBLAS (with LAPACK), and no libopenblas.so was found.\n\
                 Install it with:   {}   (as root; `cargo xtask test` and `cargo xtask sweep` do this for you)\n\
                 or point {} at the directory that holds libopenblas.so.\n",
                openblas_probe::INSTALL_HINT,
                openblas_probe::DIR_VARIABLE
            );
            std::process::exit(1);
        }
    }
}
