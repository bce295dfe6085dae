//! The README's Results tables are the findings tables of the committed reports/summary.md and of each large-profile run's reports/large*/summary.md (or, for a run whose experiments state no finding, its training tables), as the driver wrote them from the data (links re-rooted at their folders), and its figure for the suite's cost is the committed manifest's.

use std::path::Path;

fn workspace_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|err| panic!("{}: {err}", full.display()))
}

/// The table rows under `## Findings` in a summary.md; empty without that section.
fn findings_table(summary: &str) -> String {
    let Some(after) = summary.split("## Findings").nth(1) else {
        return String::new();
    };
    after
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The rows of every training table in a summary.md (their header and rule included).
fn training_tables(summary: &str) -> Vec<String> {
    let lines: Vec<&str> = summary.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.starts_with("| metric | score | N | epoch of the least mean |"))
        .map(|(start, _)| {
            lines[start..]
                .iter()
                .take_while(|line| line.starts_with('|'))
                .map(|line| format!("{line}\n"))
                .collect()
        })
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
        let summary = workspace_file(&format!("{reports}/summary.md"));
        let findings = findings_table(&summary);
        let tables = if findings.lines().count() > 2 || reports == "reports" {
            vec![findings]
        } else {
            training_tables(&summary)
        };
        assert!(
            tables.iter().all(|table| table.lines().count() > 2) && !tables.is_empty(),
            "the committed {reports} have findings or training tables"
        );
        for table in tables {
            let rerooted = table.replace("](", &format!("]({reports}/"));
            assert!(
                readme.contains(&rerooted),
                "README.md's Results differ from {reports}/summary.md; the README should hold:\n{rerooted}"
            );
        }
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
