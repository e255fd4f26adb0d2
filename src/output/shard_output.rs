//! Where a shard's files go (SPEC §8): `<out>/shards/<ID>/<K>/`, with the marker last, and a
//! shard run again (a retried pod) replacing its earlier output. No lock: the shards of a run
//! run at once, each writing only its own folder.
//!
//! Locally the shard is written into a hidden sibling (`.tmp-<K>-<pid>`), synced, and renamed
//! into place (the earlier one moved aside first, then deleted): a shard folder either is
//! complete, marker included, or is not there. On an object store the earlier marker is deleted
//! first, then the earlier objects, then the new objects are uploaded with the marker last: a
//! shard without a marker is unfinished, and `commit` refuses it.

use std::path::PathBuf;

use super::layout::{Layout, RunLayout};
use super::remote_publish::{delete_prefix, list_files, upload};
use super::shard_marker::ShardMarker;
use super::tree::{remove_tree, sync_path, sync_tree};
use crate::error::{Error, Result};
use crate::location::Location;
use crate::shard::Shard;
use crate::store::RemotePlace;

/// A shard being written.
pub struct ShardOutput {
    target: Target,
    /// Where the files are written on this machine: the root of `layout`.
    pub root: PathBuf,
    pub layout: RunLayout,
    run_id: String,
    index: usize,
    done: bool,
}

enum Target {
    Local { out: PathBuf },
    Remote { out: RemotePlace, scratch: PathBuf },
}

impl ShardOutput {
    pub fn create(out: &Location, shard: &Shard) -> Result<Self> {
        let pid = std::process::id();
        let (target, root, layout) = match out {
            Location::Local(out) => {
                let layout = Layout::shard_staging(&shard.run_id, shard.index, pid);
                (Target::Local { out: out.clone() }, out.clone(), layout)
            }
            Location::Remote(place) => {
                let scratch = std::env::temp_dir().join(format!("segcalc-shard-{pid}-{}", shard.index));
                let target = Target::Remote { out: place.clone(), scratch: scratch.clone() };
                (target, scratch, Layout::shard(&shard.run_id, shard.index))
            }
        };
        let dir = layout.root().on(&root);
        // Left by a killed process of the same pid: nothing of it is worth keeping.
        let _ = remove_tree(&dir);
        std::fs::create_dir_all(&dir).map_err(|source| Error::Write { path: dir.clone(), source })?;
        Ok(Self { target, root, layout, run_id: shard.run_id.clone(), index: shard.index, done: false })
    }

    /// Writes the marker last and puts the shard in place; returns where it is.
    pub fn finish(mut self, marker: &ShardMarker) -> Result<PathBuf> {
        let dir = self.layout.root().on(&self.root);
        let marker_path = self.layout.shard_marker().on(&self.root);
        let final_layout = Layout::shard(&self.run_id, self.index);
        match &self.target {
            Target::Local { out } => {
                std::fs::write(&marker_path, marker.to_json())
                    .map_err(|source| Error::Write { path: marker_path.clone(), source })?;
                sync_tree(&dir)?;
                let final_dir = final_layout.root().on(out);
                let aside = dir.with_extension("old");
                if final_dir.exists() {
                    std::fs::rename(&final_dir, &aside)
                        .map_err(|source| Error::Write { path: final_dir.clone(), source })?;
                }
                std::fs::rename(&dir, &final_dir).map_err(|source| Error::Write { path: final_dir.clone(), source })?;
                self.done = true;
                let _ = remove_tree(&aside);
                if let Some(parent) = final_dir.parent() {
                    sync_path(parent)?;
                }
                Ok(final_dir)
            }
            Target::Remote { out, .. } => {
                let remote = out.join(final_layout.root().as_str());
                let marker_key = out.join(final_layout.shard_marker().as_str());
                // The earlier marker first: until the new one is there, the shard is unfinished.
                crate::store::delete_object(&marker_key)?;
                delete_prefix(&remote)?;
                let mut files = Vec::new();
                list_files(&dir, "", &mut files)?;
                upload(&remote, &files)?;
                std::fs::write(&marker_path, marker.to_json())
                    .map_err(|source| Error::Write { path: marker_path.clone(), source })?;
                let marker_name =
                    final_layout.shard_marker().as_str().rsplit('/').next().unwrap_or_default().to_owned();
                upload(&remote, &[(marker_name, marker_path)])?;
                self.done = true;
                Ok(remote.message_path())
            }
        }
    }
}

/// Removes the shards of run `run_id` from `out` (once committed).
pub fn remove_shards(out: &Location, run_id: &str) -> Result<()> {
    let shards = Layout::shards(run_id);
    match out {
        Location::Local(out) => {
            let dir = shards.on(out);
            remove_tree(&dir)
                .or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) })
                .map_err(|source| Error::Write { path: dir, source })
        }
        Location::Remote(place) => delete_prefix(&place.join(shards.as_str())),
    }
}

impl Drop for ShardOutput {
    fn drop(&mut self) {
        match &self.target {
            Target::Local { .. } if !self.done => {
                let _ = remove_tree(&self.layout.root().on(&self.root));
            }
            Target::Local { .. } => {}
            Target::Remote { scratch, .. } => {
                let _ = std::fs::remove_dir_all(scratch);
            }
        }
    }
}
