//! Reading what runs published: [`OutputFolder`] resolves `current` (or a run id) once and opens
//! that run; [`PublishedRun`] reads its manifest, segment sets (checked), access rows and
//! membership, all of that one run whatever `current` does meanwhile. Every read goes through
//! [`Storage`]; every name comes from [`Layout`].

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::access::{AccessRow, read_access};
use super::layout::{Key, Layout, RunLayout};
use super::manifest::Manifest;
use super::remote_folder::RemoteFolder;
use super::storage::{LocalFolder, Storage};
use crate::engine::portable::PortableBitmap;
use crate::error::{Error, Result, RunDamage, catch_reader_panic};
use crate::location::Location;

/// An output folder of `segcalc run`, for reading.
#[derive(Clone)]
pub struct OutputFolder {
    storage: Arc<dyn Storage>,
}

impl OutputFolder {
    /// The output folder `out` on this machine.
    #[must_use]
    pub fn local(out: &std::path::Path) -> Self {
        Self { storage: Arc::new(LocalFolder::new(out)) }
    }

    /// The output folder that `storage` reads.
    #[must_use]
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self { storage }
    }

    /// The output folder at `location`: a local folder, or an object-store prefix.
    #[must_use]
    pub fn at(location: &Location) -> Self {
        match location {
            Location::Local(path) => Self::local(path),
            Location::Remote(place) => Self::new(Arc::new(RemoteFolder::new(place.clone()))),
        }
    }

    /// Where `key` is, for messages.
    #[must_use]
    pub fn locate(&self, key: &Key) -> PathBuf {
        self.storage.locate(key)
    }

    /// The id of the run `current` names, or `None` when no run was published.
    pub fn current_id(&self) -> Result<Option<String>> {
        self.storage.current_run()
    }

    /// The run `current` names, opened; `None` when no run was published.
    pub fn current(&self) -> Result<Option<PublishedRun>> {
        self.current_id()?.map(|id| self.open(&id)).transpose()
    }

    /// The finished run `id` (an entry of `runs/`, as `--run ID` names it), opened.
    pub fn run(&self, id: &str) -> Result<PublishedRun> {
        if !Layout::is_run_id(id) || !self.storage.list(&Layout::runs())?.iter().any(|name| name == id) {
            return Err(Error::Unknown {
                kind: "run",
                name: id.to_owned(),
                place: format!("`{}`", self.locate(&Layout::runs()).display()),
                known: self.finished_runs()?,
            });
        }
        self.open(id)
    }

    /// The runs under `runs/` that have a manifest, sorted (by time: ids are start times).
    pub fn finished_runs(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for name in self.storage.list(&Layout::runs())? {
            if Layout::is_run_id(&name) && self.storage.is_file(&Layout::run(&name).manifest())? {
                ids.push(name);
            }
        }
        Ok(ids)
    }

    /// Run `id`, its manifest read.
    pub fn open(&self, id: &str) -> Result<PublishedRun> {
        self.open_layout(id, Layout::run(id))
    }

    /// Shard `k` of sharded run `run_id`, read like a run (its marker is `shard_marker`'s).
    pub fn open_shard(&self, run_id: &str, k: usize) -> Result<PublishedRun> {
        self.open_layout(run_id, Layout::shard(run_id, k))
    }

    /// The bytes at `key`, or `None`.
    pub fn read(&self, key: &Key) -> Result<Option<Vec<u8>>> {
        self.storage.read(key)
    }

    fn open_layout(&self, id: &str, layout: RunLayout) -> Result<PublishedRun> {
        // The list only serves the message: failing to list must not hide the damage.
        let complete = || self.finished_runs().unwrap_or_default();
        let run = PublishedRun::open_at(Arc::clone(&self.storage), layout, complete)?;
        Ok(PublishedRun { id: id.to_owned(), ..run })
    }
}

/// A segment file's bytes as read, and where they were read.
#[derive(Debug)]
pub struct StoredSet {
    pub bytes: Vec<u8>,
    pub at: PathBuf,
}

impl StoredSet {
    /// The set, checked as roaring-rs checks what it reads; damage names the file.
    pub fn check(self) -> Result<PortableBitmap> {
        let at = self.at;
        PortableBitmap::from_bytes(self.bytes)
            .map_err(|problem| Error::DamagedRun { path: at, problem: problem.into() })
    }
}

/// One published run: its manifest, and its files read on demand.
pub struct PublishedRun {
    storage: Arc<dyn Storage>,
    id: String,
    layout: RunLayout,
    manifest: Manifest,
}

impl PublishedRun {
    /// The run folder at `location` on its own (a copy of `runs/<id>` kept in a repository,
    /// `<out>/current`, or a run's prefix on an object store), resolved once: a local link is
    /// followed now, not at every read. Its id is the one its manifest records.
    pub fn folder(location: &Location) -> Result<Self> {
        let storage: Arc<dyn Storage> = match location {
            Location::Local(path) => {
                let root = std::fs::canonicalize(path).map_err(|source| Error::Read { path: path.clone(), source })?;
                Arc::new(LocalFolder::new(&root))
            }
            Location::Remote(place) => Arc::new(RemoteFolder::new(place.clone())),
        };
        let run = Self::open_at(storage, Layout::run_folder(), Vec::new)?;
        Ok(Self { id: run.manifest.run_id.clone(), ..run })
    }

    /// The run at `layout`, its manifest read; `complete` lists the complete runs for the
    /// message when there is no manifest. Its id is left empty for the caller.
    fn open_at(storage: Arc<dyn Storage>, layout: RunLayout, complete: impl FnOnce() -> Vec<String>) -> Result<Self> {
        let manifest_key = layout.manifest();
        let Some(bytes) = storage.read(&manifest_key)? else {
            let problem = RunDamage::Incomplete { runs: complete() };
            return Err(Error::DamagedRun { path: storage.locate(layout.root()), problem });
        };
        let manifest = Manifest::parse(&bytes, &storage.locate(&manifest_key))?;
        Ok(Self { storage, id: String::new(), layout, manifest })
    }

    /// The run id: its folder's name under `runs/`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Where the run is, for messages.
    #[must_use]
    pub fn path(&self) -> PathBuf {
        self.storage.locate(self.layout.root())
    }

    /// Where its manifest is, for messages.
    #[must_use]
    pub fn manifest_path(&self) -> PathBuf {
        self.storage.locate(&self.layout.manifest())
    }

    /// The bytes at `key`, which the run must have.
    fn read(&self, key: &Key) -> Result<Vec<u8>> {
        self.storage
            .read(key)?
            .ok_or_else(|| Error::DamagedRun { path: self.storage.locate(key), problem: RunDamage::Missing })
    }

    /// What workspace `workspace` sees of segment `segment` of `segmentation`, read checked.
    pub fn segment(&self, workspace: &str, segmentation: &str, segment: &str) -> Result<PortableBitmap> {
        self.stored_segment(workspace, segmentation, segment)?.check()
    }

    /// The same file's bytes, not yet checked: a caller that only compares them with bytes it
    /// knows are good need not check them ([`StoredSet::check`] does when it must).
    pub fn stored_segment(&self, workspace: &str, segmentation: &str, segment: &str) -> Result<StoredSet> {
        let key = self.layout.bitmap(workspace, segmentation, segment);
        Ok(StoredSet { bytes: self.read(&key)?, at: self.storage.locate(&key) })
    }

    /// Every row of access.parquet, in file order (sorted by user, segmentation, workspace).
    pub fn access(&self) -> Result<Vec<AccessRow>> {
        let key = self.layout.access();
        read_access(&self.parquet(&key)?, &self.storage.locate(&key))
    }

    /// The workspaces that have a membership folder, sorted.
    pub fn membership_workspaces(&self) -> Result<Vec<String>> {
        let names = self.storage.list(&self.layout.membership())?;
        Ok(names.iter().filter_map(|name| RunLayout::membership_workspace(name)).map(str::to_owned).collect())
    }

    /// Workspace `workspace`'s membership: the batches of each of its files, in file-name order.
    pub fn membership(&self, workspace: &str) -> Result<Vec<RecordBatch>> {
        let folder = self.layout.membership_folder(workspace);
        let mut names: Vec<String> =
            self.storage.list(&folder)?.into_iter().filter(|name| RunLayout::is_membership_file(name)).collect();
        // A committed sharded run's parts in shard order (part-10 after part-9), which is id order.
        names.sort_by_key(|name| (RunLayout::membership_part_number(name), name.clone()));
        let mut batches = Vec::new();
        for name in names {
            batches.extend(self.parquet(&folder.join(&name))?);
        }
        Ok(batches)
    }

    /// The rows of changes.parquet; `None` when the run has none (a first run, `--no-changes`).
    pub fn changes(&self) -> Result<Option<Vec<RecordBatch>>> {
        let key = self.layout.changes();
        self.storage.read(&key)?.map(|bytes| batches(bytes, &self.storage.locate(&key))).transpose()
    }

    /// The rows of history.parquet; `None` when the run has none (written by an older version).
    pub fn history(&self) -> Result<Option<Vec<RecordBatch>>> {
        let key = self.layout.history();
        self.storage.read(&key)?.map(|bytes| batches(bytes, &self.storage.locate(&key))).transpose()
    }

    /// Where `key` of this run is, for messages.
    #[must_use]
    pub fn locate(&self, key: &Key) -> PathBuf {
        self.storage.locate(key)
    }

    /// The names of this run's files.
    #[must_use]
    pub fn layout(&self) -> &RunLayout {
        &self.layout
    }

    /// Every batch of the Parquet file at `key`, which the run must have.
    fn parquet(&self, key: &Key) -> Result<Vec<RecordBatch>> {
        batches(self.read(key)?, &self.storage.locate(key))
    }
}

/// Every batch of the Parquet file `bytes`, read from `path` (named in errors). A damaged file
/// can make the Parquet reader panic: that is an error too.
fn batches(bytes: Vec<u8>, path: &std::path::Path) -> Result<Vec<RecordBatch>> {
    let read = || -> parquet::errors::Result<Vec<RecordBatch>> {
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))?.build()?;
        reader.map(|batch| batch.map_err(Into::into)).collect()
    };
    catch_reader_panic(read).and_then(|read| read).map_err(|source| Error::Parquet { path: path.to_owned(), source })
}

/// A small published run on disk, for the tests of the modules that read runs.
#[cfg(test)]
pub(crate) mod test_run {
    use super::*;

    /// A manifest with one workspace `w` that sees segmentation `s` (segments `a`, `b`).
    pub(crate) fn manifest_json(run_id: &str) -> String {
        serde_json::json!({
            "engine": {"name": "segcalc", "version": "0"},
            "run_id": run_id, "as_of": "2026-11-01T12:00:00Z", "started_at": "2026-11-01T12:00:00.000Z",
            "inputs": {"model": "model.json", "people": [], "lists": []},
            "people": {"total": 3, "in_no_workspace": 0, "null_partition": 0, "partitions": {}, "unlisted_partitions": {}},
            "segmentations": [{"id": "s", "origin": "w", "scope": 3, "visible_in": ["w"],
                               "segments": [{"id": "a", "people": 2}, {"id": "b", "people": 1}]}],
            "workspaces": [{"id": "w", "people": 3, "membership_rows": 3, "segmentations": [
                {"id": "s", "read_only": false, "segments": [{"id": "a", "people": 2}, {"id": "b", "people": 1}]}]}],
            "skipped_drafts": [], "warnings": [], "timings_ms": []
        })
        .to_string()
    }

    /// Writes run `id` under `out` (segment `a` holds `ids`), as a run would.
    pub(crate) fn publish(out: &std::path::Path, id: &str, ids: &[u32]) {
        let run = Layout::run(id);
        let write = |key: Key, bytes: &[u8]| {
            let path = key.on(out);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        };
        write(run.manifest(), manifest_json(id).as_bytes());
        write(run.bitmap("w", "s", "a"), PortableBitmap::from_sorted(ids).bytes());
        write(run.bitmap("w", "s", "b"), PortableBitmap::from_sorted(&[9]).bytes());
        link_current(out, id);
    }

    pub(crate) fn link_current(out: &std::path::Path, id: &str) {
        let link = Layout::current().on(out);
        let _ = std::fs::remove_file(&link);
        #[cfg(unix)]
        std::os::unix::fs::symlink(Layout::run(id).root().on(std::path::Path::new("")), link).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::test_run::{link_current, publish};
    use super::*;

    fn ids(bitmap: &PortableBitmap) -> Vec<u32> {
        let mut ids = Vec::new();
        bitmap.for_each(|id| ids.push(id));
        ids
    }

    #[cfg(unix)]
    #[test]
    fn current_is_resolved_once() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1, 2]);
        let folder = OutputFolder::local(temp.path());
        let first = folder.current().unwrap().unwrap();
        // A later run publishes and moves `current`: the run opened before is still read whole.
        publish(temp.path(), "2", &[5, 6, 7]);
        assert_eq!((first.id(), first.manifest().run_id.as_str()), ("1", "1"));
        assert_eq!(ids(&first.segment("w", "s", "a").unwrap()), [1, 2]);
        assert_eq!(first.path(), Layout::run("1").root().on(temp.path()));
        let second = folder.current().unwrap().unwrap();
        assert_eq!(ids(&second.segment("w", "s", "a").unwrap()), [5, 6, 7]);
        assert_eq!(folder.finished_runs().unwrap(), ["1", "2"]);
        assert_eq!(folder.run("1").unwrap().id(), "1");
    }

    #[test]
    fn no_current_is_no_run() {
        let temp = tempfile::tempdir().unwrap();
        let folder = OutputFolder::local(temp.path());
        assert!(folder.current().unwrap().is_none());
        assert!(folder.finished_runs().unwrap().is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn an_unknown_run_id_names_the_runs_there_are() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1]);
        let folder = OutputFolder::local(temp.path());
        std::fs::create_dir_all(Layout::staging("2").root().on(temp.path())).unwrap();
        let staging = Layout::staging("2").root().as_str().rsplit('/').next().unwrap().to_owned();
        for id in ["3", &staging, "../1", ""] {
            match folder.run(id) {
                Err(Error::Unknown { kind: "run", name, known, .. }) => {
                    assert_eq!((name.as_str(), known), (id, vec!["1".to_owned()]));
                }
                other => panic!("{id}: {:?}", other.map(|r| r.id().to_owned())),
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_run_without_manifest_is_incomplete() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1]);
        std::fs::create_dir_all(Layout::run("2").root().on(temp.path())).unwrap();
        link_current(temp.path(), "2");
        let folder = OutputFolder::local(temp.path());
        for opened in [folder.current().map(|_| ()), folder.run("2").map(|_| ())] {
            match opened {
                Err(e @ Error::DamagedRun { .. }) => {
                    let path = Layout::run("2").root().on(temp.path());
                    let expected = format!(
                        "`{}` is not a complete run (no manifest.json); complete runs there: `1` (`show --run ID` reads one)",
                        path.display()
                    );
                    assert_eq!((e.to_string(), e.exit_code()), (expected, 2));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// A stray file in `runs/` opened as a run is an incomplete run (exit 2), as a folder
    /// without manifest is, not an I/O error.
    #[cfg(unix)]
    #[test]
    fn a_file_in_runs_is_an_incomplete_run() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1]);
        std::fs::write(Layout::run("stray").root().on(temp.path()), b"x").unwrap();
        let opened = OutputFolder::local(temp.path()).run("stray").map(|run| run.id().to_owned());
        assert!(
            matches!(&opened, Err(e @ Error::DamagedRun { problem: RunDamage::Incomplete { .. }, .. }) if e.exit_code() == 2),
            "{opened:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_damaged_or_missing_bitmap_is_a_damaged_run() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1, 2]);
        let run = OutputFolder::local(temp.path()).current().unwrap().unwrap();
        let path = Layout::run("1").bitmap("w", "s", "a").on(temp.path());
        std::fs::write(&path, [0u8; 3]).unwrap();
        let damaged = run.segment("w", "s", "a").unwrap_err();
        assert!(
            matches!(&damaged, Error::DamagedRun { path: p, problem: RunDamage::Bitmap(crate::error::BitmapProblem::HeaderCutShort) } if *p == path),
            "{damaged:?}"
        );
        assert_eq!(damaged.exit_code(), 1);
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(run.segment("w", "s", "a"), Err(Error::DamagedRun { problem: RunDamage::Missing, .. })));
        assert!(matches!(run.access(), Err(Error::DamagedRun { problem: RunDamage::Missing, .. })));
        assert!(run.membership_workspaces().unwrap().is_empty());
    }
}
