//! Publishing a run atomically: everything is written into a hidden staging folder
//! (`runs/.tmp-<id>`), every file and folder of it synced, renamed into `runs/<id>`, and only
//! then is `current` switched by renaming a fresh symlink over it. A failure before the switch
//! removes the staging folder and leaves `current` and every earlier run as they were.
//!
//! Writers do not sync their own files: [`Staging::publish`] syncs the whole tree at once, with
//! many fsyncs in flight ([`sync_tree`]).
//!
//! `runs/` carries ext4's `TOPDIR` attribute (`chattr +T`), so ext4 puts each run's folder in a
//! block group of its own, as it does for folders at the root of a file system. Why: without a
//! journal (this project's machines), ext4 will not reuse an inode freed in the last minute or
//! more, and each new file scans past every such inode of its group. A run creates about a
//! thousand files just after deleting as many (the previous run, under `--keep 1`), which made
//! creating them quadratic: up to 0.3 s of CPU at 1M people, growing with every run of a session.
//! Other file systems ignore the attribute or refuse it, and either is fine.

use std::fs;
use std::path::{Path, PathBuf};

use crate::entry::{self, EntryKind, EntryProblem};
use crate::error::{Error, Result};
use crate::output::layout::{Layout, RunLayout};
use crate::output::tree::{remove_tree, sync_path, sync_tree};

/// A run folder being written.
pub struct Staging {
    pub out: PathBuf,
    pub run_id: String,
    /// The names of the run's files while it is written, under `out`.
    pub layout: RunLayout,
    /// The staging folder, `layout`'s root under `out`.
    pub dir: PathBuf,
    published: bool,
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_owned(), source }
}

impl Staging {
    /// Creates `<out>/runs/.tmp-<id>` for a new run id derived from `started` (made unique).
    pub fn create(out: &Path, started: &chrono::DateTime<chrono::Utc>) -> Result<Self> {
        let runs = Layout::runs().on(out);
        fs::create_dir_all(&runs).map_err(write_err(&runs))?;
        spread_runs(&runs);
        let base = Self::run_id_at(started);
        let mut run_id = base.clone();
        let mut n = 1;
        let taken = |id: &str| Layout::run(id).root().on(out).exists() || Layout::staging(id).root().on(out).exists();
        while taken(&run_id) {
            n += 1;
            run_id = format!("{base}-{n}");
        }
        Self::create_named(out, run_id)
    }

    /// The run id of a run started at `started` (before it is made unique).
    #[must_use]
    pub fn run_id_at(started: &chrono::DateTime<chrono::Utc>) -> String {
        started.format("%Y%m%dT%H%M%S%.3fZ").to_string()
    }

    /// Creates `<out>/runs/.tmp-<run_id>`; `run_id` must not be taken there.
    pub fn create_named(out: &Path, run_id: String) -> Result<Self> {
        let runs = Layout::runs().on(out);
        fs::create_dir_all(&runs).map_err(write_err(&runs))?;
        let layout = Layout::staging(&run_id);
        let dir = layout.root().on(out);
        fs::create_dir(&dir).map_err(write_err(&dir))?;
        Ok(Self { out: out.to_owned(), run_id, layout, dir, published: false })
    }

    /// Renames the staging folder into place and switches `current` to it.
    pub fn publish(mut self) -> Result<PathBuf> {
        sync_tree(&self.dir)?;
        let runs = Layout::runs().on(&self.out);
        let final_dir = Layout::run(&self.run_id).root().on(&self.out);
        fs::rename(&self.dir, &final_dir).map_err(write_err(&final_dir))?;
        self.published = true;
        sync_path(&runs)?;
        switch_current(&self.out, &self.run_id)?;
        Ok(final_dir)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            // Best effort: what is left is hidden, and the next run removes it.
            let _ = remove_tree(&self.dir);
        }
    }
}

/// Gives `runs` ext4's `TOPDIR` attribute if it lacks it (see the module docs); best effort.
fn spread_runs(runs: &Path) {
    #[cfg(target_os = "linux")]
    if let Ok(dir) = fs::File::open(runs) {
        use rustix::fs::{IFlags, ioctl_getflags, ioctl_setflags};
        if let Ok(flags) = ioctl_getflags(&dir)
            && !flags.contains(IFlags::TOPDIR)
        {
            let _ = ioctl_setflags(&dir, flags | IFlags::TOPDIR);
        }
    }
}

/// Points `<out>/current` at `runs/<run_id>` by renaming a new symlink over it.
fn switch_current(out: &Path, run_id: &str) -> Result<()> {
    let link = Layout::current().on(out);
    let temp = Layout::current_temp(std::process::id()).on(out);
    // Left by an earlier process of the same pid, killed before its rename; none is the rule.
    let _ = fs::remove_file(&temp);
    // Relative, so the output folder can be moved or mounted elsewhere.
    let target = Layout::run(run_id).root().on(Path::new(""));
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &temp).map_err(write_err(&temp))?;
    #[cfg(not(unix))]
    return Err(Error::Write {
        path: temp,
        source: std::io::Error::new(std::io::ErrorKind::Unsupported, "symlinks need a Unix system"),
    });
    fs::rename(&temp, &link).map_err(write_err(&link))?;
    sync_path(out)
}

/// Checks, before a run does any work, that `out` can take it: `out` and its `runs/` are folders
/// or absent, and `current`, if there, is a symbolic link (one to nothing is fine: the run then
/// compares with nothing, warns, and replaces it). Else the run would fail at the very end, or
/// rename its link over a file of the user's.
pub fn check_out(out: &Path) -> Result<()> {
    folder_or_absent(out)?;
    folder_or_absent(&Layout::runs().on(out))?;
    let current = Layout::current().on(out);
    if let Ok(meta) = fs::symlink_metadata(&current)
        && !meta.file_type().is_symlink()
    {
        return Err(Error::Entry { path: current, problem: EntryProblem::NotALink { kind: EntryKind::of(&meta) } });
    }
    Ok(())
}

fn folder_or_absent(path: &Path) -> Result<()> {
    match entry::metadata(path).map(|meta| EntryKind::of(&meta)) {
        Ok(EntryKind::Folder) => Ok(()),
        Ok(kind) => Err(Error::Entry { path: path.to_owned(), problem: EntryProblem::NotAFolder { kind } }),
        Err(e) if entry::is_not_found(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the file system takes `TOPDIR` (ext4), a published run's `runs/` has it.
    #[cfg(target_os = "linux")]
    #[test]
    fn runs_folder_gets_the_topdir_hint_where_the_file_system_takes_it() {
        use rustix::fs::{IFlags, ioctl_getflags, ioctl_setflags};
        let temp = tempfile::tempdir().unwrap();
        let probe = temp.path().join("probe");
        fs::create_dir(&probe).unwrap();
        let probe = fs::File::open(&probe).unwrap();
        let takes_it = ioctl_getflags(&probe).is_ok_and(|f| ioctl_setflags(&probe, f | IFlags::TOPDIR).is_ok())
            && ioctl_getflags(&probe).is_ok_and(|f| f.contains(IFlags::TOPDIR));
        let started = chrono::Utc::now();
        let staging = Staging::create(temp.path(), &started).unwrap();
        let runs = Layout::runs().on(temp.path());
        let flags = ioctl_getflags(fs::File::open(&runs).unwrap());
        assert_eq!(flags.is_ok_and(|f| f.contains(IFlags::TOPDIR)), takes_it);
        drop(staging);
        assert_eq!(fs::read_dir(&runs).unwrap().count(), 0, "an unpublished staging folder is removed");
    }
}
