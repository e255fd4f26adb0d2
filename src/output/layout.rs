//! Every name in an output folder and in a published run (SPEC §4), and nowhere else. Names are
//! relative [`Key`]s, `/`-separated, so that the same names serve a local folder ([`Key::on`])
//! and an object store (issue 14: keys are object names there).
//!
//! ```text
//! <out>/
//!   .lock                               Layout::lock: OutputLock, one writer at a time
//!   current -> runs/<id>                Layout::current: switched last, by renaming a new link
//!   .current.<pid>                      Layout::current_temp: that new link, before the rename
//!   runs/                               Layout::runs
//!     <id>/                             Layout::run → RunLayout
//!       manifest.json                   RunLayout::manifest: written last
//!       access.parquet                  RunLayout::access
//!       changes.parquet                 RunLayout::changes: when a previous run exists
//!       history.parquet                 RunLayout::history: every run's counts so far
//!       membership/                     RunLayout::membership
//!         workspace=<W>/part-0.parquet  RunLayout::membership_file
//!       bitmaps/<W>/<S>/<segment>.roaring
//!                                       RunLayout::bitmap
//!     .tmp-<id>/                        Layout::staging: a run being written (a RunLayout too)
//!     .deleting-<id>/                   Layout::deleting: an old run being deleted
//! ```
//!
//! On an object store (SPEC §7), which has no links, renames or file locks, `current` and
//! `.lock` are objects instead, and runs are written in place:
//!
//! ```text
//! <out>/
//!   current.json                        Layout::current_json: {"run_id", "manifest", "published_at"}
//!   lock.json                           Layout::lock_json: the writer's lease (remote::lease)
//!   runs/<id>/…                         as above, manifest.json uploaded last
//! ```
//!
//! Every hidden entry of `runs/` is unfinished work ([`Layout::is_unfinished`]). Names still to
//! come go here too: a run's `history.parquet` (SPEC §9).
//!
//! A sharded run (SPEC §8) keeps each shard's files under `shards/<ID>/<K>/` (`Layout::shard`:
//! a run's files, membership named `part-<K>.parquet`, and `shard.json`, the completion marker,
//! last) until `commit` assembles them into `runs/<ID>/` (membership: one `part-<K>` per shard).
//! [`Layout::run_folder`] is a run folder read on its own (`diff A B`).

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an output folder relative to its root: `/`-separated names, empty for the root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Key(String);

impl Key {
    /// `name` (which may itself hold `/`) under this key.
    #[must_use]
    pub fn join(&self, name: &str) -> Self {
        if self.0.is_empty() { Self(name.to_owned()) } else { Self(format!("{}/{name}", self.0)) }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as a path under the local folder `root`, one path component per name.
    #[must_use]
    pub fn on(&self, root: &Path) -> PathBuf {
        let mut path = root.to_owned();
        path.extend(self.0.split('/').filter(|name| !name.is_empty()));
        path
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The output folder's names (the tree above).
#[derive(Debug, Clone, Copy)]
pub struct Layout;

/// A run folder being written, before it is renamed to its id.
const STAGING_PREFIX: &str = ".tmp-";
/// An old run being deleted by retention.
const DELETING_PREFIX: &str = ".deleting-";
/// The new `current` link, before it is renamed over the old one.
const CURRENT_TEMP_PREFIX: &str = ".current.";

impl Layout {
    #[must_use]
    pub fn lock() -> Key {
        Key::default().join(".lock")
    }

    #[must_use]
    pub fn current() -> Key {
        Key::default().join("current")
    }

    /// An object store's `current`: the object whose conditional replacement publishes a run.
    #[must_use]
    pub fn current_json() -> Key {
        Key::default().join("current.json")
    }

    /// An object store's lock: the lease of the run that writes.
    #[must_use]
    pub fn lock_json() -> Key {
        Key::default().join("lock.json")
    }

    /// The new `current` link of process `pid`.
    #[must_use]
    pub fn current_temp(pid: u32) -> Key {
        Key::default().join(&format!("{CURRENT_TEMP_PREFIX}{pid}"))
    }

    /// The run id a `current` link's target names: the last name of `runs/<id>`, as
    /// `Staging::publish` links it (`None` when that is no run id).
    #[must_use]
    pub fn linked_run(target: &Key) -> Option<&str> {
        target.as_str().rsplit('/').next().filter(|id| Self::is_run_id(id))
    }

    /// Whether an entry of the output folder is a `current` link a killed run left.
    #[must_use]
    pub fn is_current_temp(name: &str) -> bool {
        name.starts_with(CURRENT_TEMP_PREFIX)
    }

    #[must_use]
    pub fn runs() -> Key {
        Key::default().join("runs")
    }

    /// The published run `id`.
    #[must_use]
    pub fn run(id: &str) -> RunLayout {
        RunLayout { root: Self::runs().join(id), part: 0 }
    }

    /// Run `id` while it is written.
    #[must_use]
    pub fn staging(id: &str) -> RunLayout {
        RunLayout { root: Self::runs().join(&format!("{STAGING_PREFIX}{id}")), part: 0 }
    }

    /// The shards of sharded run `run_id` (SPEC §8), removed once it is committed.
    #[must_use]
    pub fn shards(run_id: &str) -> Key {
        Key::default().join("shards").join(run_id)
    }

    /// Shard `k` of run `run_id`: a run's files, its membership files named `part-<k>`.
    #[must_use]
    pub fn shard(run_id: &str, k: usize) -> RunLayout {
        RunLayout { root: Self::shards(run_id).join(&k.to_string()), part: k }
    }

    /// Shard `k` while process `pid` writes it (a hidden sibling, renamed into place).
    #[must_use]
    pub fn shard_staging(run_id: &str, k: usize, pid: u32) -> RunLayout {
        RunLayout { root: Self::shards(run_id).join(&format!("{STAGING_PREFIX}{k}-{pid}")), part: k }
    }

    /// Run `id` while retention deletes it.
    #[must_use]
    pub fn deleting(id: &str) -> Key {
        Self::runs().join(&format!("{DELETING_PREFIX}{id}"))
    }

    /// Whether an entry of `runs/` is unfinished work (staging, deletion): every hidden one is.
    #[must_use]
    pub fn is_unfinished(name: &str) -> bool {
        name.starts_with('.')
    }

    /// A run folder on its own (a copy of `runs/<id>`, or `<out>/current`): its files at the
    /// root.
    #[must_use]
    pub fn run_folder() -> RunLayout {
        RunLayout { root: Key::default(), part: 0 }
    }

    /// Whether `name` can be a run id: a finished entry of `runs/`, one name (no separators).
    #[must_use]
    pub fn is_run_id(name: &str) -> bool {
        !name.is_empty() && !Self::is_unfinished(name) && !name.contains(['/', '\\'])
    }
}

/// The names of one run's files, under its folder (`runs/<id>`, or its staging folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLayout {
    root: Key,
    /// The number in its membership files' names: 0, or the shard's.
    part: usize,
}

/// A membership folder's name is `workspace=<W>` (hive style, SPEC §4).
const WORKSPACE_FOLDER: &str = "workspace=";

impl RunLayout {
    /// The run's folder.
    #[must_use]
    pub fn root(&self) -> &Key {
        &self.root
    }

    #[must_use]
    pub fn manifest(&self) -> Key {
        self.root.join("manifest.json")
    }

    #[must_use]
    pub fn access(&self) -> Key {
        self.root.join("access.parquet")
    }

    #[must_use]
    pub fn changes(&self) -> Key {
        self.root.join("changes.parquet")
    }

    /// Every run's segment counts so far (SPEC §9), carried forward from run to run.
    #[must_use]
    pub fn history(&self) -> Key {
        self.root.join("history.parquet")
    }

    /// The folder of every workspace's membership folder.
    #[must_use]
    pub fn membership(&self) -> Key {
        self.root.join("membership")
    }

    /// Workspace `workspace`'s membership folder.
    #[must_use]
    pub fn membership_folder(&self, workspace: &str) -> Key {
        self.membership().join(&format!("{WORKSPACE_FOLDER}{workspace}"))
    }

    /// The workspace whose membership folder is `name` (an entry of [`Self::membership`]).
    #[must_use]
    pub fn membership_workspace(name: &str) -> Option<&str> {
        name.strip_prefix(WORKSPACE_FOLDER)
    }

    /// Workspace `workspace`'s membership file: `part-0`, or a shard's `part-<K>` (SPEC §8).
    #[must_use]
    pub fn membership_file(&self, workspace: &str) -> Key {
        self.membership_part(workspace, self.part)
    }

    /// Workspace `workspace`'s membership file of shard `part` (a committed run has one each).
    #[must_use]
    pub fn membership_part(&self, workspace: &str, part: usize) -> Key {
        self.membership_folder(workspace).join(&format!("part-{part}.parquet"))
    }

    /// The number of a membership file's name (`part-<K>.parquet`), for ordering the parts.
    #[must_use]
    pub fn membership_part_number(name: &str) -> Option<usize> {
        name.strip_prefix("part-")?.strip_suffix(".parquet")?.parse().ok()
    }

    /// A shard's completion marker, written last (`output::shard_marker`).
    #[must_use]
    pub fn shard_marker(&self) -> Key {
        self.root.join("shard.json")
    }

    /// Whether an entry of a membership folder is a membership file.
    #[must_use]
    pub fn is_membership_file(name: &str) -> bool {
        name.ends_with(".parquet") && !name.starts_with(['.', '_'])
    }

    /// The folder of the bitmaps of segmentation `segmentation` as workspace `workspace` sees it.
    #[must_use]
    pub fn bitmaps(&self, workspace: &str, segmentation: &str) -> Key {
        self.root.join("bitmaps").join(workspace).join(segmentation)
    }

    /// What workspace `workspace` sees of segment `segment` of `segmentation`.
    #[must_use]
    pub fn bitmap(&self, workspace: &str, segmentation: &str, segment: &str) -> Key {
        self.bitmaps(workspace, segmentation).join(&format!("{segment}.roaring"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_names_of_spec_section_4() {
        let run = Layout::run("20261101T120000.000Z");
        assert_eq!(run.manifest().as_str(), "runs/20261101T120000.000Z/manifest.json");
        assert_eq!(run.access().as_str(), "runs/20261101T120000.000Z/access.parquet");
        assert_eq!(run.changes().as_str(), "runs/20261101T120000.000Z/changes.parquet");
        assert_eq!(run.history().as_str(), "runs/20261101T120000.000Z/history.parquet");
        assert_eq!(Layout::run_folder().manifest().as_str(), "manifest.json");
        assert_eq!(
            run.membership_file("emea").as_str(),
            "runs/20261101T120000.000Z/membership/workspace=emea/part-0.parquet"
        );
        assert_eq!(
            run.bitmap("emea", "lifecycle", "vip").as_str(),
            "runs/20261101T120000.000Z/bitmaps/emea/lifecycle/vip.roaring"
        );
        assert_eq!(Layout::staging("x").manifest().as_str(), "runs/.tmp-x/manifest.json");
        assert_eq!(Layout::deleting("x").as_str(), "runs/.deleting-x");
        assert_eq!((Layout::lock().as_str(), Layout::current().as_str()), (".lock", "current"));
        assert!(Layout::is_current_temp(Layout::current_temp(42).as_str()));
        assert_eq!(RunLayout::membership_workspace("workspace=emea"), Some("emea"));
        assert_eq!(RunLayout::membership_workspace("emea"), None);
    }

    #[test]
    fn staging_and_deleting_folders_are_unfinished_and_not_run_ids() {
        for key in [Layout::staging("x").root().clone(), Layout::deleting("x")] {
            let name = key.as_str().rsplit('/').next().unwrap();
            assert!(Layout::is_unfinished(name) && !Layout::is_run_id(name), "{name}");
        }
        assert!(Layout::is_run_id("20261101T120000.000Z-2"));
        assert_eq!(Layout::linked_run(Layout::run("r").root()), Some("r"));
        assert_eq!(Layout::linked_run(Layout::staging("r").root()), None);
        for bad in ["", "a/b", "a\\b", ".."] {
            assert!(!Layout::is_run_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_key_on_a_folder_is_one_component_per_name() {
        let key = Layout::run("r").bitmap("w", "s", "g");
        assert_eq!(key.on(Path::new("/out")), Path::new("/out/runs/r/bitmaps/w/s/g.roaring"));
        assert_eq!(Key::default().on(Path::new("/out")), Path::new("/out"));
        assert_eq!(Layout::run("r").root().on(Path::new("")), Path::new("runs/r"));
        assert_eq!(key.to_string(), "runs/r/bitmaps/w/s/g.roaring");
    }
}
