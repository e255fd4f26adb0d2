//! Publishing a run to an object store (SPEC §7), where there is no rename, no symlink and no
//! file lock. [`RemoteRun`] takes the lease and reads `current.json` ([`RemoteRun::begin`]),
//! removes what killed runs left, and, once the run's files are written to a local staging
//! folder, uploads them as `runs/<id>/…` with `manifest.json` last, then publishes by the
//! conditional write of `current.json` ([`RemoteRun::publish`]). A run that fails or loses the
//! race deletes what it uploaded.
//!
//! Decision where SPEC §7 is silent: the files are written locally first (under `TMPDIR`, which
//! needs room for one run's outputs: an `emptyDir` on Kubernetes), then uploaded. That keeps
//! one writer for both kinds of output, and a large file is uploaded in parts, never held whole.
//!
//! Leftovers, removed by the next run while it holds the lease: a prefix `runs/<id>/` without a
//! manifest (a run killed while uploading, or an old run half-deleted by retention), and a
//! complete run newer than the current one (killed between its manifest and the switch: run ids
//! only grow along publishes, see [`run_id_after`]).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use futures::{StreamExt, TryStreamExt};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use super::current::{CurrentVersion, read_current, switch_current};
use super::layout::{Key, Layout};
use super::lease::Lease;
use super::publish::Staging;
use super::published::OutputFolder;
use super::remote_folder::RemoteFolder;
use super::storage::Storage;
use crate::error::{Error, Result};
use crate::log::Log;
use crate::store::RemotePlace;
use crate::store::runtime::block_on;
use crate::tuning::{UPLOAD_PART_BYTES, UPLOADS_IN_FLIGHT};

/// A run on its way to an object store: the lease held, `current.json` as it was at the start.
pub struct RemoteRun {
    out: RemotePlace,
    lease: Option<Lease>,
    current: CurrentVersion,
    /// The local folder the run's files are staged in; removed when the run ends.
    scratch: PathBuf,
    /// The run whose objects are uploaded (and deleted again unless published).
    uploading: Option<String>,
    /// Objects of the output folder to copy into the run inside the store: (from, key in the run).
    copies: Vec<(Key, String)>,
}

impl RemoteRun {
    /// Takes the lease of `out`, reads `current.json`, and removes leftovers of killed runs.
    pub fn begin(out: &RemotePlace, started: &chrono::DateTime<chrono::Utc>, log: &Log) -> Result<Self> {
        let lease = Lease::acquire(out, started, log)?;
        let current = read_current(out)?;
        remove_leftovers(out, current.run.as_ref().map(|run| run.run_id.as_str()), log)?;
        let scratch = std::env::temp_dir().join(format!(
            "segcalc-{}-{}",
            std::process::id(),
            started.timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&scratch).map_err(|source| Error::Write { path: scratch.clone(), source })?;
        Ok(Self { out: out.clone(), lease: Some(lease), current, scratch, uploading: None, copies: Vec::new() })
    }

    /// The output folder, for reading the previous run.
    #[must_use]
    pub fn folder(&self) -> OutputFolder {
        OutputFolder::new(std::sync::Arc::new(RemoteFolder::new(self.out.clone())))
    }

    /// A local staging folder for the new run, whose id sorts after the current run's.
    pub fn stage(&self, started: &chrono::DateTime<chrono::Utc>) -> Result<Staging> {
        let current = self.current.run.as_ref().map(|run| run.run_id.as_str());
        let mut run_id = run_id_after(&Staging::run_id_at(started), current);
        // Another run started in the same millisecond (one whose lease was taken over).
        let folder = RemoteFolder::new(self.out.clone());
        while !folder.list(Layout::run(&run_id).root())?.is_empty() {
            run_id.push_str("-1");
        }
        Staging::create_named(&self.scratch, run_id)
    }

    /// A local staging folder for run `run_id` (given by `commit`).
    pub fn stage_named(&self, run_id: &str) -> Result<Staging> {
        Staging::create_named(&self.scratch, run_id.to_owned())
    }

    /// Copies `from` to the run's `to` inside the store when the run is published.
    pub fn adopt(&mut self, from: &Key, to: &str) {
        self.copies.push((from.clone(), to.to_owned()));
    }

    /// Uploads the staged run (manifest last), then publishes it by the conditional write of
    /// `current.json`, then applies retention. Returns the run's URL.
    pub fn publish(mut self, staging: Staging, keep: usize, log: &Log) -> Result<PathBuf> {
        let run_id = staging.run_id.clone();
        let run = self.out.join(Layout::run(&run_id).root().as_str());
        let mut files = Vec::new();
        list_files(&staging.dir, "", &mut files)?;
        let manifest = Layout::run(&run_id).manifest();
        let manifest_name = manifest.as_str().rsplit('/').next().unwrap_or_default().to_owned();
        let (last, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(|(key, _)| *key == manifest_name);
        self.uploading = Some(run_id.clone());
        log.step(format_args!("uploading {} objects to {}", rest.len() + last.len(), run.url()));
        upload(&run, &rest)?;
        copy_within(&self.out, &run, &self.copies)?;
        // A run that stalled past its lease must not publish what the run that took over may
        // have removed as a leftover.
        if let Some(lease) = &self.lease {
            lease.confirm()?;
        }
        upload(&run, &last)?;
        switch_current(&self.out, &self.current, &run_id)?;
        self.uploading = None;
        drop(staging);
        remove_old_runs(&self.out, keep, &run_id, log);
        if let Some(lease) = self.lease.take() {
            lease.release();
        }
        Ok(run.message_path())
    }
}

impl Drop for RemoteRun {
    fn drop(&mut self) {
        if let Some(run_id) = self.uploading.take() {
            // Best effort: what is left is not current, and the next run removes it.
            let _ = delete_prefix(&self.out.join(Layout::run(&run_id).root().as_str()));
        }
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// An id for a run started at `base` that sorts after `current`: ids are start times, but
/// clocks of different machines differ, and the leftover rule needs ids that grow with every
/// publish.
fn run_id_after(base: &str, current: Option<&str>) -> String {
    match current {
        Some(current) if base <= current => format!("{current}-1"),
        _ => base.to_owned(),
    }
}

/// Every file under `dir`, as (key relative to the run, path), sorted by key.
pub(super) fn list_files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let read_err = |source| Error::Read { path: dir.to_owned(), source };
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map_err(read_err)?.collect::<std::io::Result<_>>().map_err(read_err)?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let key = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let path = entry.path();
        if entry.file_type().map_err(|source| Error::Read { path: path.clone(), source })?.is_dir() {
            list_files(&path, &key, out)?;
        } else {
            out.push((key, path));
        }
    }
    Ok(())
}

/// Uploads `files` under `run`, [`UPLOADS_IN_FLIGHT`] at a time.
pub(super) fn upload(run: &RemotePlace, files: &[(String, PathBuf)]) -> Result<()> {
    block_on(
        futures::stream::iter(files.iter())
            .map(|(key, path)| upload_file(run.join(key), path))
            .buffer_unordered(UPLOADS_IN_FLIGHT)
            .try_collect::<Vec<()>>(),
    )?;
    Ok(())
}

/// One file: in one request when small, in parts of [`UPLOAD_PART_BYTES`] when large.
async fn upload_file(place: RemotePlace, path: &Path) -> Result<()> {
    let read_err = |source| Error::Read { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(read_err)?;
    let len = file.metadata().map_err(read_err)?.len();
    let store: &dyn ObjectStore = place.store.as_ref();
    if len <= UPLOAD_PART_BYTES as u64 {
        let mut bytes = Vec::with_capacity(len as usize);
        file.read_to_end(&mut bytes).map_err(read_err)?;
        store.put(&place.path, PutPayload::from(bytes)).await.map_err(|e| place.failed(e))?;
        return Ok(());
    }
    let parts = store.put_multipart(&place.path).await.map_err(|e| place.failed(e))?;
    let mut writer = WriteMultipart::new_with_chunk_size(parts, UPLOAD_PART_BYTES);
    let mut buffer = vec![0; UPLOAD_PART_BYTES];
    loop {
        let n = read_full(&mut file, &mut buffer).map_err(read_err)?;
        if n == 0 {
            break;
        }
        // At most two parts in the air per file, so memory stays bounded.
        writer.wait_for_capacity(2).await.map_err(|e| place.failed(e))?;
        writer.write(&buffer[..n]);
    }
    writer.finish().await.map_err(|e| place.failed(e))?;
    Ok(())
}

/// Reads until `buffer` is full or the file ends.
fn read_full(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Copies each `(from, to)` from the output folder `out` to the run `run`, inside the store.
fn copy_within(out: &RemotePlace, run: &RemotePlace, copies: &[(Key, String)]) -> Result<()> {
    block_on(
        futures::stream::iter(copies.iter())
            .map(|(from, to)| async move {
                let (from, to) = (out.join(from.as_str()), run.join(to));
                from.store.copy(&from.path, &to.path).await.map_err(|e| from.failed(e))
            })
            .buffer_unordered(UPLOADS_IN_FLIGHT)
            .try_collect::<Vec<()>>(),
    )?;
    Ok(())
}

/// Deletes every object under `place`.
pub(super) fn delete_prefix(place: &RemotePlace) -> Result<()> {
    let store = &place.store;
    let listed = store.list(Some(&place.path)).map_ok(|meta| meta.location).boxed();
    block_on(store.delete_stream(listed).try_collect::<Vec<_>>()).map_err(|e| place.failed(e))?;
    Ok(())
}

/// Removes what killed runs left (see the module docs). Called under the lease.
fn remove_leftovers(out: &RemotePlace, current: Option<&str>, log: &Log) -> Result<()> {
    let folder = RemoteFolder::new(out.clone());
    for name in folder.list(&Layout::runs())? {
        if Some(name.as_str()) == current {
            continue;
        }
        let complete = Layout::is_run_id(&name) && folder.is_file(&Layout::run(&name).manifest())?;
        let unpublished = current.is_none_or(|current| name.as_str() > current);
        if !complete || unpublished {
            let run = out.join(Layout::runs().join(&name).as_str());
            log.step(format_args!("removing {}, left by a run that did not publish", run.url()));
            delete_prefix(&run)?;
        }
    }
    Ok(())
}

/// Keeps the newest `keep` complete runs and always `current`; deletes each other run's
/// manifest first, so that a run half deleted is incomplete, never complete-looking. Best
/// effort: a failure is a warning, and the next run tries again.
fn remove_old_runs(out: &RemotePlace, keep: usize, current: &str, log: &Log) {
    let folder = RemoteFolder::new(out.clone());
    let result = (|| -> Result<()> {
        let mut complete = Vec::new();
        for name in folder.list(&Layout::runs())? {
            if Layout::is_run_id(&name) && folder.is_file(&Layout::run(&name).manifest())? {
                complete.push(name);
            }
        }
        let excess = complete.len().saturating_sub(keep.max(1));
        for name in complete.into_iter().take(excess).filter(|name| name != current) {
            let layout = Layout::run(&name);
            let manifest = out.join(layout.manifest().as_str());
            block_on(manifest.store.delete(&manifest.path)).map_err(|e| manifest.failed(e))?;
            delete_prefix(&out.join(layout.root().as_str()))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        log.warn(format_args!("could not delete old runs: {e}; the next run tries again"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_grow_along_publishes_whatever_the_clock() {
        assert_eq!(run_id_after("20261201T120000.000Z", None), "20261201T120000.000Z");
        assert_eq!(run_id_after("20261201T120000.000Z", Some("20261201T110000.000Z")), "20261201T120000.000Z");
        let behind = run_id_after("20261201T100000.000Z", Some("20261201T110000.000Z"));
        assert!(behind.as_str() > "20261201T110000.000Z", "{behind}");
        let same = run_id_after("20261201T110000.000Z", Some("20261201T110000.000Z"));
        assert!(same.as_str() > "20261201T110000.000Z", "{same}");
    }
}
