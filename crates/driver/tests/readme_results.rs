//! The README's Results tables are the findings tables of the committed reports/summary.md and of each large-profile run's reports/large*/summary.md, as the driver wrote them from the data (links re-rooted at their folders), and its figure for the suite's cost is the committed manifest's.

use std::path::Path;

fn workspace_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|err| panic!("{}: {err}", full.display()))
}

/// The table rows under `## Findings` in a summary.md.
fn findings_table(summary: &str) -> String {
    let after = summary
        .split("## Findings")
        .nth(1)
        .expect("summary.md has a Findings section");
    after
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn the_readme_results_are_the_reports_findings() {
    // The standard profile's table, then those of the large-profile runs (reports/large*).
    let readme = workspace_file("README.md");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let mut folders = vec!["reports".to_string()];
    for entry in std::fs::read_dir(&root).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("large") {
            folders.push(format!("reports/{name}"));
        }
    }
    assert!(
        folders.len() > 2,
        "the committed large-profile runs: {folders:?}"
    );
    for reports in &folders {
        let table = findings_table(&workspace_file(&format!("{reports}/summary.md")));
        assert!(
            table.lines().count() > 2,
            "the committed {reports} have findings"
        );
        let rerooted = table.replace("](", &format!("]({reports}/"));
        assert!(
            readme.contains(&rerooted),
            "README.md's Results table differs from {reports}/summary.md's findings; it should read:\n{rerooted}"
        );
    }
}

/// The README's figure for the standard suite's cost is the sum of the committed manifest's cell
/// times, to the second.
#[test]
fn the_readme_suite_time_is_the_manifests() {
    let manifest: toml::Table = workspace_file("reports/manifest.toml")
        .parse()
        .expect("reports/manifest.toml is TOML");
    let total: f64 = manifest["experiment"]
        .as_array()
        .expect("experiments")
        .iter()
        .map(|experiment| experiment["cell_seconds"].as_float().expect("cell_seconds"))
        .sum();
    let stated = format!("the cells of the committed reports sum to {total:.0} s");
    let readme = workspace_file("README.md").replace('\n', " ");
    assert!(
        readme.contains(&stated),
        "README.md should say \"{stated}\""
    );
}
