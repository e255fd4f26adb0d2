//! What a run deletes in `<out>`: leftovers of killed runs before it starts
//! ([`remove_leftovers`]), and runs beyond `--keep` once it is published ([`remove_old_runs`]).

use std::path::Path;

use crate::log::Log;
use crate::output::publish::{DELETING_PREFIX, RUNS_DIR, current_run};
use crate::output::tree::remove_tree;

/// Removes what killed runs left behind: hidden entries of `runs/` (staging folders, runs being
/// deleted) and temporary links. Called under the lock, so no live run owns them.
pub fn remove_leftovers(out: &Path) {
    if let Ok(entries) = std::fs::read_dir(out.join(RUNS_DIR)) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                let _ = remove_tree(&entry.path());
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(".current.") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Keeps the newest `keep` runs (and always the current one); run ids sort by time.
pub fn remove_old_runs(out: &Path, keep: usize, log: &Log) {
    let runs_dir = out.join(RUNS_DIR);
    let current = current_run(out).and_then(|p| p.file_name().map(std::ffi::OsStr::to_os_string));
    let Ok(entries) = std::fs::read_dir(&runs_dir) else {
        return;
    };
    let mut runs: Vec<_> =
        entries.flatten().map(|e| e.file_name()).filter(|n| !n.to_string_lossy().starts_with('.')).collect();
    runs.sort();
    let excess = runs.len().saturating_sub(keep.max(1));
    for name in runs.into_iter().take(excess) {
        if Some(&name) == current.as_ref() {
            continue;
        }
        // Hidden first, so a run killed while deleting never leaves a half-deleted run that
        // looks complete; the next run finishes the job.
        let hidden = runs_dir.join(format!("{DELETING_PREFIX}{}", name.to_string_lossy()));
        let result = std::fs::rename(runs_dir.join(&name), &hidden).and_then(|()| remove_tree(&hidden));
        if let Err(e) = result {
            log.warn(format_args!(
                "could not delete old run {}: {e}; the next run tries again (or delete it by hand)",
                runs_dir.join(&name).display()
            ));
        }
    }
}
