//! Faults on the way to an object store: kill -9 at many moments, the server stopped in the
//! middle of a run, and a proxy that drops or throttles requests. After each, `current.json`
//! names a complete run with the content it had (or the new complete run), and a retried run
//! succeeds with the same output.

use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::proxy::FaultProxy;
use super::servers::{Kind, Server};
use super::shared::{assert_only_complete_runs, current_rows, generated_dataset, run_ok_on};
use crate::support::stderr;

const AS_OF: &str = "2026-11-01T12:00:00Z";

#[test]
fn kill_9_at_any_moment_leaves_a_complete_current_run() {
    let Some(server) = Server::start(Kind::S3) else { return };
    let _dataset = generated_dataset(&server, 100_000, "data");
    let (dataset, out) = (server.url("data"), server.url("out"));
    run_ok_on(&server, &dataset, &out, &["--as-of", AS_OF]);
    let good = current_rows(&server, "out");
    // Moments spread over a run's whole length (about a second here), the same every time.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for round in 0..8 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = Duration::from_millis(state % 1500);
        let mut child = server
            .segcalc()
            .args(["run", &dataset, "--out", &out, "--quiet", "--as-of", AS_OF])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let current = server.current_run("out").expect("current.json is always there");
        assert!(
            server.get(&format!("out/runs/{current}/manifest.json")).is_some(),
            "round {round} ({delay:?}): current names a complete run"
        );
        assert_eq!(current_rows(&server, "out"), good, "round {round} ({delay:?}): the current run's content");
    }
    // The next run takes the dead run's lease at once, removes its leftovers and publishes.
    run_ok_on(&server, &dataset, &out, &["--as-of", AS_OF]);
    assert_eq!(current_rows(&server, "out"), good);
    let runs = assert_only_complete_runs(&server, "out");
    assert!(runs.len() <= 3, "retention kept --keep 3 runs: {runs:?}");
}

#[test]
fn a_server_stopped_mid_run_fails_the_run_and_keeps_the_current_one() {
    let Some(mut server) = Server::start(Kind::Azure) else { return };
    let _dataset = generated_dataset(&server, 300_000, "data");
    let (dataset, out) = (server.url("data"), server.url("out"));
    run_ok_on(&server, &dataset, &out, &["--as-of", AS_OF]);
    let (good, good_run) = (current_rows(&server, "out"), server.current_run("out"));
    let child = server
        .segcalc()
        .args(["run", &dataset, "--out", &out, "--quiet", "--as-of", AS_OF])
        .env("SEGCALC_RETRY_SECONDS", "3")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.stop();
    let failed = child.wait_with_output().unwrap();
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("az://segcalc-test/"), "the error names the URL: {}", stderr(&failed));
    server.restart();
    assert_eq!(server.current_run("out"), good_run, "current is untouched");
    assert_eq!(current_rows(&server, "out"), good);
    run_ok_on(&server, &dataset, &out, &["--as-of", AS_OF]);
    assert_eq!(current_rows(&server, "out"), good, "a retried run gives the same output");
    assert_only_complete_runs(&server, "out");
}

#[test]
fn dropped_and_throttled_requests_are_retried_to_the_same_output() {
    let Some(server) = Server::start(Kind::S3) else { return };
    let _dataset = generated_dataset(&server, 50_000, "data");
    let (dataset, out) = (server.url("data"), server.url("out"));
    run_ok_on(&server, &dataset, &server.url("direct"), &["--as-of", AS_OF]);
    let expected = current_rows(&server, "direct");
    let proxy = FaultProxy::start(server.port, 10, 10, 7);
    let mut env = server.env_at(proxy.port);
    env.push(("AWS_POOL_MAX_IDLE_PER_HOST", "0".into()));
    // A run may still fail when a request fails every retry; it then publishes nothing, and a
    // retried run succeeds.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let output = run_on_env(&env, &dataset, &out);
        if output.status.success() {
            break;
        }
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(attempts < 5, "five runs in a row failed: {}", stderr(&output));
    }
    assert_eq!(current_rows(&server, "out"), expected, "through the proxy, the same output");
    let (faults, passed) = (proxy.faults.load(Ordering::Relaxed), proxy.passed.load(Ordering::Relaxed));
    assert!(faults > 10 && passed > faults, "faults were injected: {faults} failed, {passed} passed");
    assert_only_complete_runs(&server, "out");
}

/// A run with the environment `env` (the proxy's port in place of the server's).
fn run_on_env(env: &[(&str, String)], dataset: &str, out: &str) -> std::process::Output {
    crate::support::segcalc()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("SEGCALC_RETRY_SECONDS", "20")
        .args(["run", dataset, "--out", out, "--quiet", "--as-of", AS_OF])
        .output()
        .unwrap()
}
