//! `segcalc report` opened in a real browser: the distribution's Chromium, headless, started by
//! the test. The page loads with no console message and no network request, its screenshot is
//! not blank (the bars' colour is in it), and its DOM holds every segment's name and count.
//! Under `CI=true` a missing Chromium fails the test; elsewhere it is skipped with a notice.
//! `SEGCALC_UPDATE_SCREENSHOT=1` copies the screenshot to docs/report.png.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::png;
use crate::support::{current_run, run_cli, stderr, tool_or_skip};

/// The Chromium binary: `SEGCALC_CHROMIUM`, else the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SEGCALC_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on `args` with a profile of its own (`profile`, beside which its
/// stdout and stderr are kept: files, as a pipe nobody reads would fill and stop it) and its
/// background traffic off; killed after two minutes.
fn browser(chromium: &Path, profile: &Path, args: &[&str]) -> Output {
    let (stdout, stderr) = (profile.with_extension("stdout"), profile.with_extension("stderr"));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_mins(2);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within two minutes: {}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output { status, stdout: std::fs::read(&stdout).unwrap(), stderr: std::fs::read(&stderr).unwrap() }
}

/// The requests of the page in a net log: those made for a `file://` document (Chromium's own
/// background requests have no initiator, "not an origin").
fn page_requests(netlog: &Path) -> Vec<String> {
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(netlog).unwrap()).expect("the net log is JSON");
    let start_job =
        log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64().expect("the net log names its event types");
    let mut requests = Vec::new();
    for event in log["events"].as_array().unwrap() {
        let params = &event["params"];
        // The job's end event has no parameters.
        let Some(url) = params["url"].as_str() else {
            continue;
        };
        if event["type"].as_u64() != Some(start_job) {
            continue;
        }
        let initiator = params["initiator"].as_str().unwrap_or("");
        let key = params["network_isolation_key"].as_str().unwrap_or("");
        if initiator != "not an origin" || key.contains("file:") {
            requests.push(url.to_owned());
        }
    }
    requests
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("sample")
}

/// Two runs of the sample (the second with a redefined segment, so people move), and the report
/// of the second.
fn sample_report(dir: &Path) -> (PathBuf, PathBuf) {
    let out = dir.join("out");
    let dataset = sample();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"];
        args.extend_from_slice(extra);
        let output = run_cli(&args);
        assert!(output.status.success(), "{}", stderr(&output));
    };
    run(&["--as-of", "2026-10-01T12:00:00Z"]);
    let mut model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dataset.join("model.json")).unwrap()).unwrap();
    model["segmentations"][0]["segments"][1]["rule"] =
        serde_json::json!({"field": "industry", "op": "contains", "value": "tech"});
    let edited = dir.join("edited.json");
    std::fs::write(&edited, model.to_string()).unwrap();
    run(&["--as-of", "2026-11-01T12:00:00Z", "--model", edited.to_str().unwrap()]);
    let html = dir.join("report.html");
    let output = run_cli(&["report", out.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    (out, html)
}

#[test]
fn the_report_opens_offline_in_chromium_and_shows_every_segment() {
    let dir = tempfile::tempdir().unwrap();
    let (out, html) = sample_report(dir.path());
    let page = std::fs::read_to_string(&html).unwrap();
    for fetch in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!page.contains(fetch), "the page holds `{fetch}`");
    }
    assert!(page.contains("Content-Security-Policy"));
    let found = chromium();
    if !tool_or_skip("chromium (apt-get install chromium)", found.is_some()) {
        return;
    }
    let chromium = found.unwrap();
    let url = format!("file://{}", html.display());
    let (shot, netlog) = (dir.path().join("shot.png"), dir.path().join("net.json"));
    let loaded = browser(
        &chromium,
        &dir.path().join("profile-1"),
        &[
            "--enable-logging=stderr",
            "--v=0",
            &format!("--log-net-log={}", netlog.display()),
            "--window-size=1280,1800",
            &format!("--screenshot={}", shot.display()),
            &url,
        ],
    );
    let log = stderr(&loaded);
    assert!(loaded.status.success(), "chromium failed: {log}");
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert_eq!(page_requests(&netlog), Vec::<String>::new(), "the page made network requests");

    let (width, height, pixels) = png::decode(&std::fs::read(&shot).unwrap()).unwrap();
    assert_eq!((width, height), (1280, 1800));
    let inked = pixels.iter().filter(|p| p[..3] != [255, 255, 255]).count();
    assert!(inked > pixels.len() / 50, "a blank screenshot: {inked} of {} pixels are not white", pixels.len());
    assert!(pixels.iter().any(|p| p[..3] == [70, 110, 170]), "no bar is drawn");
    if std::env::var_os("SEGCALC_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&shot, Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join("report.png")).unwrap();
    }

    let dom = browser(&chromium, &dir.path().join("profile-2"), &["--dump-dom", &url]);
    assert!(dom.status.success(), "{}", stderr(&dom));
    let dom = String::from_utf8(dom.stdout).unwrap();
    let run = current_run(&out);
    let manifest = run.manifest();
    assert!(dom.contains(&format!("segcalc report — run {}", manifest.run_id)));
    let mut checked = 0;
    for w in manifest.workspaces.iter().filter(|w| !w.segmentations.is_empty()) {
        assert!(dom.contains(&format!("id=\"workspace-{}\"", w.id)), "{}", w.id);
        for s in &w.segmentations {
            for g in &s.segments {
                let cell = format!("<td>{}</td><td class=\"n\">{}</td>", g.id, g.people);
                assert!(dom.contains(&cell), "{}/{}/{}: {cell}", w.id, s.id, g.id);
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "{checked}");
    assert!(dom.contains("shared, read-only — origin default"));
    assert!(dom.contains("481 changed segment: 481 moved"), "the sample's movement since the first run");
}
