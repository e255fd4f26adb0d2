//! Whole-folder operations with many file-system calls in flight: syncing a run before it is
//! published ([`sync_tree`]) and deleting an old one ([`remove_tree`]).
//!
//! Why in flight: a run is about a thousand small files, and each call on one of them mostly
//! waits for the disk, not the CPU. An fsync waits for its flush; an unlink, on ext4 mounted with
//! `discard` and no journal (this project's machines), waits for the freed blocks' TRIM. One
//! after another, a 20-segmentation run's files cost about 0.3 s to sync and 0.12 s to delete;
//! with many calls in flight the disk overlaps them.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::tuning::CALLS_IN_FLIGHT;

/// A path under the walked root, with what it is.
struct Entry {
    path: PathBuf,
    is_dir: bool,
    /// Folders below the root (the root is 0).
    depth: usize,
}

/// Every path under `root`, `root` first and each folder before its contents. Types come from
/// the folder listing, so nothing is stat'ed; a symlink is an entry, never followed. A failure
/// comes with the path it happened on.
fn walk(root: &Path) -> std::result::Result<Vec<Entry>, (PathBuf, std::io::Error)> {
    let metadata = fs::symlink_metadata(root).map_err(|e| (root.to_owned(), e))?;
    let mut entries = vec![Entry { path: root.to_owned(), is_dir: metadata.is_dir(), depth: 0 }];
    let mut next = 0;
    while next < entries.len() {
        let (is_dir, depth) = (entries[next].is_dir, entries[next].depth);
        let dir = entries[next].path.clone();
        next += 1;
        if !is_dir {
            continue;
        }
        let listing = fs::read_dir(&dir).map_err(|e| (dir.clone(), e))?;
        for entry in listing {
            let entry = entry.map_err(|e| (dir.clone(), e))?;
            let is_dir = entry.file_type().map_err(|e| (entry.path(), e))?.is_dir();
            entries.push(Entry { path: entry.path(), is_dir, depth: depth + 1 });
        }
    }
    Ok(entries)
}

/// Applies `op` to every item with up to [`CALLS_IN_FLIGHT`] calls at once, and returns the
/// first error (the remaining items are skipped once one fails).
fn in_flight<T: Sync, E: Send>(
    items: &[T],
    op: impl Fn(&T) -> std::result::Result<(), E> + Sync,
) -> std::result::Result<(), E> {
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<E>> = Mutex::new(None);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            if let Err(error) = op(item) {
                failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(error);
                next.store(items.len(), Ordering::Relaxed);
                break;
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..CALLS_IN_FLIGHT.min(items.len()) {
            // A thread that cannot be started only means fewer calls in flight.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    match failure.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Makes every file and folder under `root` (and `root` itself) durable. Files are reopened to
/// be synced: fsync flushes the file's dirty pages whichever descriptor asks.
pub fn sync_tree(root: &Path) -> Result<()> {
    let entries = walk(root).map_err(|(path, source)| Error::Write { path, source })?;
    in_flight(&entries, |entry| sync_path(&entry.path))
}

/// Makes a file's contents, or a folder's entries (creations, renames), durable.
pub fn sync_path(path: &Path) -> Result<()> {
    fs::File::open(path).and_then(|f| f.sync_all()).map_err(|source| Error::Write { path: path.to_owned(), source })
}

/// Deletes `root` and everything under it: the files (and symlinks) first, all in flight, then
/// the folders, deepest first, each depth in flight. A `root` that is already gone, or a path
/// gone by the time it is deleted, is no error: a rerun after a crash finishes the job.
pub fn remove_tree(root: &Path) -> std::io::Result<()> {
    let entries = match walk(root) {
        Ok(entries) => entries,
        Err((path, e)) if e.kind() == std::io::ErrorKind::NotFound && path == root => return Ok(()),
        Err((_, e)) => return Err(e),
    };
    let gone_is_fine = |result: std::io::Result<()>| match result {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    };
    let (dirs, files): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(|e| e.is_dir);
    in_flight(&files, |file| gone_is_fine(fs::remove_file(&file.path)))?;
    let deepest = dirs.iter().map(|d| d.depth).max().unwrap_or(0);
    for depth in (0..=deepest).rev() {
        let level: Vec<&Entry> = dirs.iter().filter(|d| d.depth == depth).collect();
        in_flight(&level, |dir| gone_is_fine(fs::remove_dir(&dir.path)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_tree(root: &Path) {
        for a in 0..5 {
            for b in 0..4 {
                let dir = root.join(format!("a{a}")).join(format!("b{b}"));
                fs::create_dir_all(&dir).unwrap();
                for f in 0..3 {
                    fs::write(dir.join(format!("f{f}")), vec![a as u8; 5000 * f]).unwrap();
                }
            }
            fs::write(root.join(format!("top{a}")), b"x").unwrap();
        }
        fs::create_dir_all(root.join("empty/deeper/deepest")).unwrap();
    }

    #[test]
    fn remove_tree_deletes_every_file_and_folder() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("run");
        make_tree(&root);
        assert_eq!(walk(&root).unwrap().len(), 1 + 5 * (1 + 4 * 4) + 5 + 3);
        remove_tree(&root).unwrap();
        assert!(!root.exists());
        assert_eq!(fs::read_dir(temp.path()).unwrap().count(), 0);
    }

    #[test]
    fn remove_tree_does_not_follow_symlinks() {
        let temp = tempfile::tempdir().unwrap();
        let kept = temp.path().join("kept");
        make_tree(&kept);
        let root = temp.path().join("run");
        fs::create_dir(&root).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&kept, root.join("link")).unwrap();
        remove_tree(&root).unwrap();
        assert!(!root.exists());
        assert_eq!(walk(&kept).unwrap().len(), 1 + 5 * (1 + 4 * 4) + 5 + 3);
    }

    #[test]
    fn remove_tree_of_a_missing_folder_is_done() {
        let temp = tempfile::tempdir().unwrap();
        remove_tree(&temp.path().join("never-made")).unwrap();
    }

    #[test]
    fn sync_tree_names_the_path_it_cannot_open() {
        let temp = tempfile::tempdir().unwrap();
        let missing = temp.path().join("missing");
        match sync_tree(&missing) {
            Err(Error::Write { path, .. }) => assert_eq!(path, missing),
            other => panic!("expected a write error naming the folder, got {other:?}"),
        }
        make_tree(&temp.path().join("run"));
        sync_tree(&temp.path().join("run")).unwrap();
    }
}
