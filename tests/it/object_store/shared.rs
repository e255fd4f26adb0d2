//! What the object-store tests share: running segcalc against a server, and comparing a run
//! published there with the same run on local disk, table by table.

use std::path::Path;
use std::process::Output;

use super::servers::Server;
use crate::support::{assert_same_current, current_run, read_long, stderr};

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

/// The current run of the local output folder `local` and of the object-store output folder
/// `prefix` (downloaded) are the same run.
pub fn assert_same_run(server: &Server, prefix: &str, local: &Path, what: &str) {
    let downloaded = tempfile::tempdir().unwrap();
    server.download_output(prefix, downloaded.path());
    assert_same_current(downloaded.path(), local, what);
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

/// A generated dataset of `people` people in 3 files, uploaded to `prefix`; returns its folder.
pub fn generated_dataset(server: &Server, people: u64, prefix: &str) -> tempfile::TempDir {
    let dataset = tempfile::tempdir().unwrap();
    let output = crate::support::run_cli(&[
        "generate",
        "--people",
        &people.to_string(),
        "--files",
        "3",
        "--out",
        dataset.path().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    server.upload_dir(dataset.path(), prefix);
    dataset
}

/// The membership rows of the run `current.json` names under `prefix`.
pub fn current_rows(server: &Server, prefix: &str) -> Vec<crate::support::MembershipRow> {
    let downloaded = tempfile::tempdir().unwrap();
    server.download_output(prefix, downloaded.path());
    read_long(&current_run(downloaded.path()))
}

/// Sends `signal` (`STOP`, `CONT`, `KILL`) to process `pid`.
pub fn signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success(), "kill -{signal} {pid}");
}

/// Waits until `key` exists on `server` (up to 30 s).
pub fn wait_for_object(server: &Server, key: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.get(key).is_none() {
        assert!(std::time::Instant::now() < deadline, "{key} never appeared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
