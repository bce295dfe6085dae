//! The Slurm scripts of data/cluster: the README shows them verbatim, and bash parses them.

use std::path::Path;

fn workspace_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|err| panic!("{}: {err}", full.display()))
}

#[test]
fn the_readme_shows_each_script_verbatim() {
    let readme = workspace_file("README.md");
    for script in ["data/cluster/sweep.sh", "data/cluster/merge.sh"] {
        let text = workspace_file(script);
        assert!(
            readme.contains(&format!("```sh\n{text}```")),
            "README.md does not show {script} as it is"
        );
    }
}

#[test]
fn bash_parses_each_script() {
    for script in ["data/cluster/sweep.sh", "data/cluster/merge.sh"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(script);
        let status = std::process::Command::new("bash")
            .arg("-n")
            .arg(&path)
            .status()
            .expect("bash runs");
        assert!(status.success(), "bash -n {script}");
    }
}
