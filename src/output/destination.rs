//! [`Destination`]: where `run` publishes, and how. A local folder (SPEC §4): the `.lock` file
//! lock, a staging folder renamed into `runs/`, the `current` symlink switched by a rename. An
//! object store (SPEC §7): the `lock.json` lease, the run's files staged locally and uploaded,
//! `current.json` replaced by a conditional write. `run` itself is the same for both.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::layout::{Key, Layout};
use super::lock::OutputLock;
use super::publish::Staging;
use super::published::OutputFolder;
use super::remote_publish::RemoteRun;
use super::retention::{remove_leftovers, remove_old_runs};
use crate::error::{Error, Result};
use crate::location::Location;
use crate::log::Log;

/// The output of one run, its lock (or lease) held.
pub struct Destination {
    kind: Kind,
}

enum Kind {
    Local { out: PathBuf, _lock: OutputLock },
    Remote(Box<RemoteRun>),
}

impl Destination {
    /// Takes `out`'s lock (exit 75 while another run holds it) and removes what killed runs
    /// left there.
    pub fn open(out: &Location, started: &DateTime<Utc>, log: &Log) -> Result<Self> {
        let kind = match out {
            Location::Local(out) => {
                let lock = OutputLock::acquire(out, started)?;
                remove_leftovers(out);
                Kind::Local { out: out.clone(), _lock: lock }
            }
            Location::Remote(place) => Kind::Remote(Box::new(RemoteRun::begin(place, started, log)?)),
        };
        Ok(Self { kind })
    }

    /// The output folder, to read the previous run from.
    #[must_use]
    pub fn folder(&self) -> OutputFolder {
        match &self.kind {
            Kind::Local { out, .. } => OutputFolder::local(out),
            Kind::Remote(remote) => remote.folder(),
        }
    }

    /// A staging folder on this machine for the run's files.
    pub fn stage(&self, started: &DateTime<Utc>) -> Result<Staging> {
        match &self.kind {
            Kind::Local { out, .. } => Staging::create(out, started),
            Kind::Remote(remote) => remote.stage(started),
        }
    }

    /// A staging folder for a run whose id is given (`commit --run-id`); an error when a run of
    /// that id was already published there.
    pub fn stage_named(&self, run_id: &str) -> Result<Staging> {
        let taken = || Error::Usage {
            message: format!(
                "run `{run_id}` is already published in `{}`; a committed run is not committed again (give the shards a new --run-id)",
                self.folder().locate(&Key::default()).display()
            ),
        };
        if self.folder().finished_runs()?.iter().any(|id| id == run_id) {
            return Err(taken());
        }
        match &self.kind {
            Kind::Local { out, .. } => {
                if Layout::run(run_id).root().on(out).exists() {
                    return Err(taken());
                }
                Staging::create_named(out, run_id.to_owned())
            }
            Kind::Remote(remote) => remote.stage_named(run_id),
        }
    }

    /// Makes the file at `from` (a key of the output folder) the run's file `to` (a key under
    /// the run's folder) without copying it through this machine where it can: a hard link
    /// locally, a copy inside the store on an object store (done when the run is published).
    pub fn adopt(&mut self, from: &Key, to: &str, staging: &Staging) -> Result<()> {
        match &mut self.kind {
            Kind::Local { out, .. } => {
                let (source, target) = (from.on(out), Key::default().join(to).on(&staging.dir));
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|source| Error::Write { path: parent.to_owned(), source })?;
                }
                // Another file system under the same folder (a mount): copy it.
                std::fs::hard_link(&source, &target)
                    .or_else(|_| std::fs::copy(&source, &target).map(|_| ()))
                    .map_err(|e| Error::Write { path: target, source: e })
            }
            Kind::Remote(remote) => {
                remote.adopt(from, to);
                Ok(())
            }
        }
    }

    /// Publishes the staged run, then deletes runs beyond `keep`; returns where the run is.
    pub fn publish(self, staging: Staging, keep: usize, log: &Log) -> Result<PathBuf> {
        match self.kind {
            Kind::Local { out, _lock } => {
                let run_id = staging.run_id.clone();
                let run_dir = staging.publish()?;
                remove_old_runs(&out, keep, &run_id, log);
                Ok(run_dir)
            }
            Kind::Remote(remote) => remote.publish(staging, keep, log),
        }
    }
}
