//! `current.json` on an object store (SPEC §7): which run is current, read with the version a
//! publish must replace ([`read_current`]), and replaced only if still that version
//! ([`switch_current`]). That conditional write is what makes two runs never both publish.

use object_store::{PutMode, PutOptions, PutPayload, UpdateVersion};
use serde::{Deserialize, Serialize};

use super::layout::{Layout, RunLayout};
use crate::error::{Error, Result, StoreProblem};
use crate::store::runtime::block_on;
use crate::store::{RemotePlace, read_versioned};

/// What `current.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentRun {
    pub run_id: String,
    /// The manifest's key, relative to the output folder.
    pub manifest: String,
    /// RFC 3339.
    pub published_at: String,
}

/// `current.json` as read, with the version a publish replaces (`None`: there is none yet).
#[derive(Debug, Clone)]
pub struct CurrentVersion {
    pub run: Option<CurrentRun>,
    version: Option<UpdateVersion>,
}

/// Reads `<out>/current.json` (`None` inside when no run was published).
pub fn read_current(out: &RemotePlace) -> Result<CurrentVersion> {
    let place = out.join(Layout::current_json().as_str());
    let Some((bytes, version)) = read_versioned(&place)? else {
        return Ok(CurrentVersion { run: None, version: None });
    };
    let run: CurrentRun = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Store { url: place.url(), problem: StoreProblem::BadCurrent { message: e.to_string() } })?;
    if !Layout::is_run_id(&run.run_id) {
        let message = format!("`run_id` `{}` is no run id", crate::error::shorten(&run.run_id));
        return Err(Error::Store { url: place.url(), problem: StoreProblem::BadCurrent { message } });
    }
    Ok(CurrentVersion { run: Some(run), version: Some(version) })
}

/// Publishes run `run_id`: replaces `current.json` if it is still `seen` (creates it if there
/// was none). A lost race is [`StoreProblem::PublishedFirst`], naming the run that won.
pub fn switch_current(out: &RemotePlace, seen: &CurrentVersion, run_id: &str) -> Result<()> {
    let place = out.join(Layout::current_json().as_str());
    let document = CurrentRun {
        run_id: run_id.to_owned(),
        manifest: Layout::run(run_id).manifest().to_string(),
        published_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    let bytes = serde_json::to_vec_pretty(&document).expect("three strings always serialise");
    let mode = match &seen.version {
        Some(version) => PutMode::Update(version.clone()),
        None => PutMode::Create,
    };
    let options = PutOptions { mode, ..PutOptions::default() };
    match block_on(place.store.put_opts(&place.path, PutPayload::from(bytes), options)) {
        Ok(_) => Ok(()),
        Err(object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. }) => {
            let winner = read_current(out).ok().and_then(|now| now.run).map(|run| run.run_id);
            // A retried write whose first attempt did land (its answer lost on the way) finds
            // its own run there: that is a publish, not a lost race.
            if winner.as_deref() == Some(run_id) {
                return Ok(());
            }
            let winner = winner.unwrap_or_else(|| "another run".to_owned());
            Err(Error::Store { url: place.url(), problem: StoreProblem::PublishedFirst { winner } })
        }
        Err(source @ object_store::Error::NotImplemented { .. }) => {
            Err(Error::Store { url: place.url(), problem: StoreProblem::NoConditionalWrites { source } })
        }
        Err(e) => Err(place.failed(e)),
    }
}

/// The run layout `current` names.
#[must_use]
pub fn current_layout(current: &CurrentVersion) -> Option<RunLayout> {
    current.run.as_ref().map(|run| Layout::run(&run.run_id))
}
