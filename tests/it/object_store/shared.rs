//! What the object-store tests share: running segcalc against a server, and comparing a run
//! published there with the same run on local disk, table by table.

use std::path::Path;
use std::process::Output;

use arrow_array::RecordBatch;
use segcalc::output::published::{OutputFolder, PublishedRun};

use super::servers::Server;
use crate::support::{access_lines, current_run, read_long, segment_sets, stderr};

/// `segcalc run DATASET --out OUT --quiet EXTRA…` against `server`.
pub fn run_on(server: &Server, dataset: &str, out: &str, extra: &[&str]) -> Output {
    server.segcalc().args(["run", dataset, "--out", out, "--quiet"]).args(extra).output().unwrap()
}

/// Like [`run_on`], and it must succeed.
pub fn run_ok_on(server: &Server, dataset: &str, out: &str, extra: &[&str]) {
    let output = run_on(server, dataset, out, extra);
    assert!(output.status.success(), "run {dataset} → {out}: {}", stderr(&output));
}

/// A local run that must succeed.
pub fn run_local(dataset: &Path, out: &Path, extra: &[&str]) {
    let output = crate::support::run_cli(
        &[&["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"][..], extra].concat(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The changes rows of a run as sorted text lines.
fn changes_lines(run: &PublishedRun) -> Option<Vec<String>> {
    let batches: Vec<RecordBatch> = run.changes().unwrap()?;
    let mut lines = Vec::new();
    for batch in batches {
        let columns: Vec<_> = (0..batch.num_columns())
            .map(|c| arrow_cast::display::ArrayFormatter::try_new(batch.column(c), &Default::default()).unwrap())
            .collect();
        for row in 0..batch.num_rows() {
            lines.push(columns.iter().map(|f| f.value(row).to_string()).collect::<Vec<_>>().join(","));
        }
    }
    lines.sort();
    Some(lines)
}

/// The current run of the local output folder `local` and of the object-store output folder
/// `prefix` (downloaded) are the same run: membership as tables, bitmaps by content, access,
/// changes and the manifest's counts.
pub fn assert_same_run(server: &Server, prefix: &str, local: &Path, what: &str) {
    let downloaded = tempfile::tempdir().unwrap();
    server.download_output(prefix, downloaded.path());
    let (remote, local_run) = (current_run(downloaded.path()), current_run(local));
    assert_eq!(read_long(&remote), read_long(&local_run), "{what}: membership");
    assert_eq!(segment_sets(&remote), segment_sets(&local_run), "{what}: bitmaps");
    assert_eq!(access_lines(downloaded.path()), access_lines(local), "{what}: access");
    assert_eq!(changes_lines(&remote), changes_lines(&local_run), "{what}: changes");
    let counts = |run: &PublishedRun| {
        let m = serde_json::to_value(run.manifest()).unwrap();
        (m["people"].clone(), m["segmentations"].clone(), m["workspaces"].clone(), m["changes"]["rows"].clone())
    };
    assert_eq!(counts(&remote), counts(&local_run), "{what}: manifest counts");
    assert!(!read_long(&remote).is_empty(), "{what}: the run is not empty");
}

/// Every run under `prefix/runs/` on `server` is complete, and `current.json` names one of them
/// whose manifest is there.
pub fn assert_only_complete_runs(server: &Server, prefix: &str) -> Vec<String> {
    let runs = server.runs(prefix);
    for run in &runs {
        assert!(
            server.get(&format!("{prefix}/runs/{run}/manifest.json")).is_some(),
            "run {run} has no manifest: {runs:?}"
        );
    }
    if let Some(current) = server.current_run(prefix) {
        assert!(runs.contains(&current), "current {current} is not among {runs:?}");
    }
    runs
}

/// The published run `current` names in a local output folder (for `OutputFolder` users).
pub fn local_current(out: &Path) -> PublishedRun {
    OutputFolder::local(out).current().unwrap().unwrap()
}
