//! Two runs against one output folder on an object store: exactly one publishes, the other
//! exits 75 and leaves nothing behind; also when the first run's lease expires under it (the
//! process stopped), and at the lowest level, the conditional write of `current.json` itself.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use object_store::{ObjectStoreExt, PutPayload};
use segcalc::output::current::{read_current, switch_current};
use segcalc::store::RemotePlace;

use super::servers::{Kind, Server};
use super::shared::{assert_only_complete_runs, current_rows, generated_dataset, signal, wait_for_object};
use crate::support::stderr;

#[test]
fn two_runs_at_once_publish_exactly_once() {
    let Some(server) = Server::start(Kind::S3) else { return };
    let _dataset = generated_dataset(&server, 200_000, "data");
    let (dataset, out) = (server.url("data"), server.url("out"));
    for round in 0..3 {
        let start = || {
            server
                .segcalc()
                .args(["run", &dataset, "--out", &out, "--quiet", "--as-of", "2026-11-01T12:00:00Z"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start(), start());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let mut codes = [a.status.code(), b.status.code()];
        codes.sort_unstable();
        assert_eq!(codes, [Some(0), Some(75)], "round {round}: {} / {}", stderr(&a), stderr(&b));
        let loser = if a.status.code() == Some(75) { &a } else { &b };
        assert!(stderr(loser).contains("lock.json"), "the loser names the lease: {}", stderr(loser));
    }
    let runs = assert_only_complete_runs(&server, "out");
    assert_eq!(runs.len(), 3, "one run per round, the default --keep 3: {runs:?}");
}

#[test]
fn a_run_whose_lease_was_taken_over_does_not_publish() {
    let Some(server) = Server::start(Kind::S3) else { return };
    let _dataset = generated_dataset(&server, 100_000, "data");
    let (dataset, out) = (server.url("data"), server.url("out"));
    let args = ["run", &dataset, "--out", &out, "--quiet", "--as-of", "2026-11-01T12:00:00Z"];
    // A: a lease of 2 s, then stopped (as a stalled pod) before it can finish.
    let slow = server.segcalc().args(args).env("SEGCALC_LEASE_SECONDS", "2").stderr(Stdio::piped()).spawn().unwrap();
    wait_for_object(&server, "out/lock.json");
    signal(slow.id(), "STOP");
    std::thread::sleep(Duration::from_millis(2500));
    // B takes the expired lease over and publishes.
    let fast = server.segcalc().args(args).output().unwrap();
    assert!(fast.status.success(), "{}", stderr(&fast));
    let published = server.current_run("out").unwrap();
    signal(slow.id(), "CONT");
    let slow = slow.wait_with_output().unwrap();
    assert_eq!(slow.status.code(), Some(75), "{}", stderr(&slow));
    assert_eq!(server.current_run("out").as_deref(), Some(published.as_str()), "B's run stays current");
    assert_eq!(assert_only_complete_runs(&server, "out"), [published], "nothing of A remains");
    assert!(!current_rows(&server, "out").is_empty());
}

#[test]
fn the_conditional_write_of_current_refuses_a_stale_version() {
    let Some(server) = Server::start(Kind::S3) else { return };
    let out = RemotePlace::with_store(Arc::clone(&server.store()), &server.url("cas")).unwrap();
    let never_read = read_current(&out).unwrap();
    assert!(never_read.run.is_none());
    switch_current(&out, &never_read, "run-a").unwrap();
    let seen_a = read_current(&out).unwrap();
    assert_eq!(seen_a.run.as_ref().unwrap().run_id, "run-a");
    // A second first run, and a run that read before `run-b` was published, both lose.
    let error = switch_current(&out, &never_read, "run-x").unwrap_err();
    assert_eq!(error.exit_code(), 75, "{error}");
    assert!(error.to_string().contains("run-a was published first"), "{error}");
    switch_current(&out, &seen_a, "run-b").unwrap();
    let error = switch_current(&out, &seen_a, "run-c").unwrap_err();
    assert!(error.to_string().contains("run-b was published first"), "{error}");
    assert_eq!(read_current(&out).unwrap().run.unwrap().run_id, "run-b");
    // A retried write that finds its own run there did publish.
    switch_current(&out, &seen_a, "run-b").unwrap();
    // current.json that is not segcalc's is an error naming it, not a guess.
    let path = object_store::path::Path::parse("cas/current.json").unwrap();
    let store = server.store();
    tokio::runtime::Runtime::new().unwrap().block_on(store.put(&path, PutPayload::from_static(b"{}"))).unwrap();
    let error = read_current(&out).unwrap_err();
    assert!(error.to_string().contains("cas/current.json"), "{error}");
}
