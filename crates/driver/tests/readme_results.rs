//! The README's Results section is the findings table of the committed reports/summary.md, as the driver wrote it from the data (links re-rooted at reports/).

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
    let table = findings_table(&workspace_file("reports/summary.md"));
    assert!(
        table.lines().count() > 2,
        "the committed reports have findings"
    );
    let rerooted = table.replace("](", "](reports/");
    let readme = workspace_file("README.md");
    assert!(
        readme.contains(&rerooted),
        "README.md's Results table differs from reports/summary.md's findings; it should read:\n{rerooted}"
    );
}
