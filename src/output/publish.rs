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

use crate::error::{Error, Result};
use crate::output::tree::{remove_tree, sync_path, sync_tree};

pub const RUNS_DIR: &str = "runs";
pub const CURRENT_LINK: &str = "current";
pub const STAGING_PREFIX: &str = ".tmp-";
/// An old run being deleted by retention.
pub const DELETING_PREFIX: &str = ".deleting-";

/// A run folder being written.
pub struct Staging {
    pub out: PathBuf,
    pub run_id: String,
    pub dir: PathBuf,
    published: bool,
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_owned(), source }
}

impl Staging {
    /// Creates `<out>/runs/.tmp-<id>` for a new run id derived from `started` (made unique).
    pub fn create(out: &Path, started: &chrono::DateTime<chrono::Utc>) -> Result<Self> {
        let runs = out.join(RUNS_DIR);
        fs::create_dir_all(&runs).map_err(write_err(&runs))?;
        spread_runs(&runs);
        let base = started.format("%Y%m%dT%H%M%S%.3fZ").to_string();
        let mut run_id = base.clone();
        let mut n = 1;
        while runs.join(&run_id).exists() || runs.join(format!("{STAGING_PREFIX}{run_id}")).exists() {
            n += 1;
            run_id = format!("{base}-{n}");
        }
        let dir = runs.join(format!("{STAGING_PREFIX}{run_id}"));
        fs::create_dir(&dir).map_err(write_err(&dir))?;
        Ok(Self { out: out.to_owned(), run_id, dir, published: false })
    }

    /// Renames the staging folder into place and switches `current` to it.
    pub fn publish(mut self) -> Result<PathBuf> {
        sync_tree(&self.dir)?;
        let runs = self.out.join(RUNS_DIR);
        let final_dir = runs.join(&self.run_id);
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
    let link = out.join(CURRENT_LINK);
    let temp = out.join(format!(".{CURRENT_LINK}.{}", std::process::id()));
    let _ = fs::remove_file(&temp);
    let target = Path::new(RUNS_DIR).join(run_id);
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

/// The run `current` points to, if any.
#[must_use]
pub fn current_run(out: &Path) -> Option<PathBuf> {
    let target = fs::read_link(out.join(CURRENT_LINK)).ok()?;
    Some(out.join(target))
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
        let flags = ioctl_getflags(fs::File::open(temp.path().join(RUNS_DIR)).unwrap());
        assert_eq!(flags.is_ok_and(|f| f.contains(IFlags::TOPDIR)), takes_it);
        drop(staging);
        assert_eq!(
            fs::read_dir(temp.path().join(RUNS_DIR)).unwrap().count(),
            0,
            "an unpublished staging folder is removed"
        );
    }
}
