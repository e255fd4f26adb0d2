//! The README's Python snippets (`DuckDB`, Polars, pyarrow, pyroaring) run against a fresh run of
//! the sample, so they cannot rot. Under `CI=true` a missing Python library fails the test;
//! elsewhere it is skipped with a notice.

use std::path::Path;
use std::process::Command;

use crate::support::{current_run, run_cli, stderr, tool_or_skip};

/// The bodies of the README's `python` code blocks, in order.
fn python_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```python") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_readme_python_snippets_read_a_fresh_run_of_the_sample() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let blocks = python_blocks(&std::fs::read_to_string(root.join("README.md")).unwrap());
    for library in ["import duckdb", "import polars", "import pyarrow", "from pyroaring"] {
        assert!(blocks.iter().any(|b| b.contains(library)), "no README snippet does `{library}`");
    }
    let imports = Command::new("python3").args(["-c", "import duckdb, polars, pyarrow, pyroaring"]).output();
    if !tool_or_skip(
        "python3 with duckdb, polars, pyarrow and pyroaring (pip install)",
        imports.is_ok_and(|o| o.status.success()),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sample = root.join("data").join("sample");
    for as_of in ["2026-10-01T12:00:00Z", "2026-11-01T12:00:00Z"] {
        let output =
            run_cli(&["run", sample.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", as_of, "--quiet"]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let healthcare = current_run(&out).manifest().workspaces[0].segmentations[0].segments[0].people;
    let mut printed = String::new();
    for (i, block) in blocks.iter().enumerate() {
        let script = dir.path().join(format!("snippet-{i}.py"));
        std::fs::write(&script, block).unwrap();
        let output = Command::new("python3").arg(&script).current_dir(dir.path()).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "README snippet {i} failed:\n{block}\n{}", stderr(&output));
        assert!(!stdout.trim().is_empty(), "README snippet {i} printed nothing:\n{block}");
        printed.push_str(&stdout);
    }
    assert!(printed.contains(&format!("healthcare', {healthcare})")), "DuckDB's count of healthcare: {printed}");
    assert!(printed.contains(&format!("healthcare {healthcare} people")), "pyroaring's count of healthcare: {printed}");
    assert!(printed.contains("'old_segment'"), "pyarrow read changes.parquet: {printed}");
    assert!(
        printed.contains("2026-10-01") && printed.contains("UTC"),
        "polars read history.parquet's as_of as a UTC timestamp: {printed}"
    );
}
