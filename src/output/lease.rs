//! `lock.json` on an object store (SPEC §7): the writer's lease. A run creates it only if absent
//! (or replaces one that has expired, or whose holder was a process of this host that is gone),
//! renews it every third of its duration from a thread of its own while the run is alive, and
//! releases it by marking it expired when done. Every write is conditional on the version last
//! written, so a run whose lease was taken over finds out at its next renewal.
//!
//! The lease only keeps a second run from wasting its work; what guarantees that two runs never
//! both publish is the conditional write of `current.json` (see `current.rs`).

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use object_store::{PutMode, PutOptions, PutPayload, UpdateVersion};
use serde::{Deserialize, Serialize};

use super::layout::Layout;
use crate::error::{Error, Result, StoreProblem};
use crate::log::Log;
use crate::store::runtime::block_on;
use crate::store::{RemotePlace, read_versioned, seconds_from_env};

/// How long a lease lasts unless renewed (`SEGCALC_LEASE_SECONDS`, default 60 s); it is renewed
/// every third of that.
const DEFAULT_LEASE: Duration = Duration::from_mins(1);

/// What `lock.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRecord {
    /// `pid <pid> on <host>`, for messages.
    pub holder: String,
    pub host: String,
    pub pid: u32,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339; a lease past it may be taken over.
    pub expires_at: String,
}

impl LeaseRecord {
    fn new(started: &DateTime<Utc>, expires: DateTime<Utc>) -> Self {
        let host = host_name();
        let pid = std::process::id();
        Self {
            holder: format!("pid {pid} on {host}"),
            host,
            pid,
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }

    /// Whether another run may take this lease now: it expired, or its holder was a process of
    /// this host that no longer exists.
    fn is_free(&self, now: &DateTime<Utc>) -> bool {
        let expired = DateTime::parse_from_rfc3339(&self.expires_at).map_or(true, |at| at <= *now);
        expired || (self.host == host_name() && !process_exists(self.pid))
    }
}

/// A lease held, renewed by a thread of its own until released or dropped.
pub struct Lease {
    place: RemotePlace,
    shared: Arc<Shared>,
    renewer: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    stop: Condvar,
    duration: Duration,
    started: DateTime<Utc>,
}

struct State {
    /// The version of `lock.json` this run wrote last.
    version: UpdateVersion,
    /// Set when a renewal found the lease taken over: who holds it now.
    lost: Option<String>,
    stopping: bool,
}

impl Lease {
    /// Takes the lease of `out` (exit 75 while another run's is live).
    pub fn acquire(out: &RemotePlace, started: &DateTime<Utc>, log: &Log) -> Result<Self> {
        let place = out.join(Layout::lock_json().as_str());
        let duration = lease_duration();
        // A few rounds: between reading a free lease and replacing it, another run may take it.
        for _ in 0..3 {
            let record = LeaseRecord::new(started, Utc::now() + duration);
            match put(&place, &record, PutMode::Create) {
                Ok(version) => return Ok(Self::start(place, version, duration, *started)),
                Err(object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. }) => {}
                Err(e) => return Err(place.failed(e)),
            }
            let Some((held, version)) = read(&place)? else {
                continue; // released and removed in between: try to create it again
            };
            match held {
                Some(held) if !held.is_free(&Utc::now()) => {
                    return Err(Error::Locked {
                        path: place.message_path(),
                        holder: format!("{}, since {}, lease until {}", held.holder, held.started_at, held.expires_at),
                    });
                }
                Some(held) => log.step(format_args!(
                    "taking over the lease of {} (expired at {}, or its process is gone)",
                    held.holder, held.expires_at
                )),
                None => log.step(format_args!("taking over `{}`, which is not a lease segcalc wrote", place.url())),
            }
            match put(&place, &record, PutMode::Update(version)) {
                Ok(version) => return Ok(Self::start(place, version, duration, *started)),
                Err(object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. }) => {}
                Err(e) => return Err(place.failed(e)),
            }
        }
        let holder = read(&place)?.and_then(|(held, _)| held).map_or_else(|| "holder unknown".to_owned(), |h| h.holder);
        Err(Error::Locked { path: place.message_path(), holder })
    }

    fn start(place: RemotePlace, version: UpdateVersion, duration: Duration, started: DateTime<Utc>) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State { version, lost: None, stopping: false }),
            stop: Condvar::new(),
            duration,
            started,
        });
        let renewer = {
            let (place, shared) = (place.clone(), Arc::clone(&shared));
            std::thread::Builder::new()
                .name("segcalc-lease".into())
                .spawn(move || renew_until_stopped(&place, &shared))
                .ok()
        };
        Self { place, shared, renewer }
    }

    /// Renews the lease now; an error when another run has taken it over. Called just before a
    /// run publishes, so a run that stalled past its lease does not publish what another run
    /// may have cleaned up.
    pub fn confirm(&self) -> Result<()> {
        let mut state = self.shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(holder) = &state.lost {
            return Err(self.lost(holder.clone()));
        }
        match renew(&self.place, &self.shared, &state.version) {
            Ok(version) => {
                state.version = version;
                Ok(())
            }
            Err(Renewal::Lost(holder)) => {
                state.lost = Some(holder.clone());
                Err(self.lost(holder))
            }
            Err(Renewal::Failed(e)) => Err(self.place.failed(e)),
        }
    }

    fn lost(&self, holder: String) -> Error {
        Error::Store { url: self.place.url(), problem: StoreProblem::LeaseLost { holder } }
    }

    /// Stops renewing and marks the lease expired (if it is still this run's), so the next run
    /// need not wait. Best effort: a lease left behind expires by itself.
    pub fn release(mut self) {
        self.stop_renewing();
        let state = self.shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.lost.is_none() {
            let record = LeaseRecord::new(&self.shared.started, Utc::now());
            let _ = put(&self.place, &record, PutMode::Update(state.version.clone()));
        }
    }

    fn stop_renewing(&mut self) {
        self.shared.state.lock().unwrap_or_else(PoisonError::into_inner).stopping = true;
        self.shared.stop.notify_all();
        if let Some(renewer) = self.renewer.take() {
            let _ = renewer.join();
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // A run that failed: stop renewing; the lease then expires (or, on this host, is free
        // at once since this process is gone).
        self.stop_renewing();
    }
}

enum Renewal {
    Lost(String),
    Failed(object_store::Error),
}

fn renew(place: &RemotePlace, shared: &Shared, version: &UpdateVersion) -> Result<UpdateVersion, Renewal> {
    let record = LeaseRecord::new(&shared.started, Utc::now() + shared.duration);
    match put(place, &record, PutMode::Update(version.clone())) {
        Ok(version) => Ok(version),
        Err(object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. }) => {
            let holder =
                read(place).ok().flatten().and_then(|(held, _)| held).map_or_else(|| "unknown".into(), |h| h.holder);
            Err(Renewal::Lost(holder))
        }
        Err(e) => Err(Renewal::Failed(e)),
    }
}

/// The renewing thread: every third of the lease, until told to stop or the lease is lost. A
/// renewal that fails for another reason (the store unreachable) is tried again next time.
fn renew_until_stopped(place: &RemotePlace, shared: &Shared) {
    let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        let (next, _) = shared.stop.wait_timeout(state, shared.duration / 3).unwrap_or_else(PoisonError::into_inner);
        state = next;
        if state.stopping || state.lost.is_some() {
            return;
        }
        match renew(place, shared, &state.version) {
            Ok(version) => state.version = version,
            Err(Renewal::Lost(holder)) => {
                state.lost = Some(holder);
                return;
            }
            Err(Renewal::Failed(_)) => {}
        }
    }
}

fn put(place: &RemotePlace, record: &LeaseRecord, mode: PutMode) -> object_store::Result<UpdateVersion> {
    let bytes = serde_json::to_vec_pretty(record).expect("strings and a number always serialise");
    let options = PutOptions { mode, ..PutOptions::default() };
    let result = block_on(place.store.put_opts(&place.path, PutPayload::from(bytes), options))?;
    Ok(UpdateVersion { e_tag: result.e_tag, version: result.version })
}

/// `lock.json` and its version; the record is `None` when it is not one segcalc wrote.
fn read(place: &RemotePlace) -> Result<Option<(Option<LeaseRecord>, UpdateVersion)>> {
    Ok(read_versioned(place)?.map(|(bytes, version)| (serde_json::from_slice(&bytes).ok(), version)))
}

/// `SEGCALC_LEASE_SECONDS`, or the default.
fn lease_duration() -> Duration {
    seconds_from_env("SEGCALC_LEASE_SECONDS", 1.0).unwrap_or(DEFAULT_LEASE)
}

fn host_name() -> String {
    rustix::system::uname().nodename().to_string_lossy().into_owned()
}

/// Whether process `pid` exists on this host (signal 0: nothing is sent).
fn process_exists(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
        return false;
    };
    // EPERM: it exists, owned by someone else.
    !matches!(rustix::process::test_kill_process(pid), Err(rustix::io::Errno::SRCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_free_once_expired_or_when_its_process_is_gone() {
        let now = Utc::now();
        let live = LeaseRecord::new(&now, now + Duration::from_mins(1));
        assert!(!live.is_free(&now), "this live process's lease");
        assert!(live.is_free(&(now + Duration::from_secs(61))), "expired");
        let gone = LeaseRecord { pid: u32::MAX - 1, ..live.clone() };
        assert!(gone.is_free(&now), "a process of this host that does not exist");
        let elsewhere = LeaseRecord { host: format!("{}-elsewhere", live.host), ..gone };
        assert!(!elsewhere.is_free(&now), "another host's process is not checked");
        let garbled = LeaseRecord { expires_at: "soon".into(), ..live };
        assert!(garbled.is_free(&now), "an unreadable expiry counts as expired");
    }
}
