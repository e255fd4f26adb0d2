//! Publishing a run atomically: everything is written into a hidden staging folder
//! (`runs/.tmp-<id>`), every file and folder of it synced, renamed into `runs/<id>`, and only
//! then is `current` switched by renaming a fresh symlink over it. A failure before the switch
//! removes the staging folder and leaves `current` and every earlier run as they were.
//!
//! Writers do not sync their own files: [`Staging::publish`] syncs the whole tree at once, with
//! many fsyncs in flight, because a journaling file system commits concurrent fsyncs together.
//! One after another, the ~1,000 bitmap files of a 20-segmentation model cost about 0.3 s of
//! flushes; concurrently, a fifth of that.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};

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
            let _ = fs::remove_dir_all(&self.dir);
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

/// How many fsyncs [`sync_tree`] keeps in flight.
const SYNC_THREADS: usize = 32;

/// Makes every file and folder under `root` (and `root` itself) durable. Files are reopened to
/// be synced: fsync flushes the file's dirty pages whichever descriptor asks.
pub fn sync_tree(root: &Path) -> Result<()> {
    let mut paths = vec![root.to_owned()];
    let mut next_dir = 0;
    while next_dir < paths.len() {
        let dir = paths[next_dir].clone();
        next_dir += 1;
        if !dir.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&dir).map_err(write_err(&dir))? {
            paths.push(entry.map_err(write_err(&dir))?.path());
        }
    }
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = paths.get(i) else { break };
            if let Err(error) = sync_path(path) {
                let mut failure = failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                failure.get_or_insert(error);
                break;
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..SYNC_THREADS.min(paths.len()) {
            // A thread that cannot be started only means fewer fsyncs in flight.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    match failure.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Makes a file's contents, or a folder's entries (creations, renames), durable.
fn sync_path(path: &Path) -> Result<()> {
    fs::File::open(path).and_then(|f| f.sync_all()).map_err(write_err(path))
}

/// The run `current` points to, if any.
#[must_use]
pub fn current_run(out: &Path) -> Option<PathBuf> {
    let target = fs::read_link(out.join(CURRENT_LINK)).ok()?;
    Some(out.join(target))
}
