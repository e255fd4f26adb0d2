//! What a run deletes in `<out>`: leftovers of killed runs before it starts
//! ([`remove_leftovers`]), and runs beyond `--keep` once it is published ([`remove_old_runs`]).

use std::path::Path;

use crate::log::Log;
use crate::output::layout::Layout;
use crate::output::tree::remove_tree;

/// Removes what killed runs left behind: hidden entries of `runs/` (staging folders, runs being
/// deleted) and temporary links. Called under the lock, so no live run owns them. Best effort:
/// what cannot be removed now is tried again by the next run.
pub fn remove_leftovers(out: &Path) {
    if let Ok(entries) = std::fs::read_dir(Layout::runs().on(out)) {
        for entry in entries.flatten() {
            if Layout::is_unfinished(&entry.file_name().to_string_lossy()) {
                let _ = remove_tree(&entry.path());
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            if Layout::is_current_temp(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Keeps the newest `keep` runs, and always `current` (the run just published); run ids sort
/// by time.
pub fn remove_old_runs(out: &Path, keep: usize, current: &str, log: &Log) {
    let runs_dir = Layout::runs().on(out);
    let Ok(entries) = std::fs::read_dir(&runs_dir) else {
        return;
    };
    let mut runs: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !Layout::is_unfinished(name))
        .collect();
    runs.sort();
    let excess = runs.len().saturating_sub(keep.max(1));
    for name in runs.into_iter().take(excess) {
        if name == current {
            continue;
        }
        // Hidden first, so a run killed while deleting never leaves a half-deleted run that
        // looks complete; the next run finishes the job.
        let (run, hidden) = (Layout::run(&name).root().on(out), Layout::deleting(&name).on(out));
        let result = std::fs::rename(&run, &hidden).and_then(|()| remove_tree(&hidden));
        if let Err(e) = result {
            log.warn(format_args!(
                "could not delete old run {}: {e}; the next run tries again (or delete it by hand)",
                run.display()
            ));
        }
    }
}
