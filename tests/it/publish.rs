//! Publishing as cron needs it: changes against the previous run, the same output at any thread
//! count, one writer at a time, kill -9 at any moment, and disk errors that leave `current` alone.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use segcalc::output::layout::Layout;
use segcalc::output::published::{OutputFolder, PublishedRun};

use crate::support::{
    FIXTURE_AS_OF, access_lines, assignments, copy_dir, current_id, current_run, data_dir, edited_fixture_model,
    manifest_json, membership_lines, run_cli, segcalc, segment_sets, stderr,
};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("sample")
}

fn run_ok(dataset: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec!["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    let output = run_cli(&args);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The id of the run `current` names.
fn current_target(out: &Path) -> String {
    current_id(out).expect("a run is published")
}

fn change_lines(run: &PublishedRun) -> Vec<String> {
    let mut lines = Vec::new();
    for batch in run.changes().unwrap().expect("changes.parquet exists") {
        let seg = batch.column(0).as_string::<i32>().clone();
        let ids = batch.column(1).as_primitive::<UInt32Type>().clone();
        let old = batch.column(2).as_string::<i32>().clone();
        let new = batch.column(3).as_string::<i32>().clone();
        for i in 0..batch.num_rows() {
            let text = |a: &arrow_array::StringArray| if a.is_null(i) { "-".to_owned() } else { a.value(i).to_owned() };
            lines.push(format!("{},{},{},{}", seg.value(i), ids.value(i), text(&old), text(&new)));
        }
    }
    lines.sort();
    lines
}

#[test]
fn changes_equal_a_naive_diff_of_two_runs() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("ds");
    copy_dir(&data_dir().join("fixtures").join("pyarrow-dictionary"), &dataset);
    let out = dir.path().join("out");
    run_ok(&dataset, &out, &["--as-of", "2026-09-01T00:00:00Z"]);
    let first = current_run(&out);
    assert!(first.changes().unwrap().is_none(), "a first run has nothing to compare with");
    assert!(first.manifest().changes.is_none());

    // Second run: a later as-of (in_past moves people), a redefined segment, a removed and an
    // added segmentation.
    let model_path = dataset.join("model.json");
    std::fs::write(&model_path, edited_fixture_model(&model_path).to_string()).unwrap();
    run_ok(&dataset, &out, &["--as-of", FIXTURE_AS_OF]);
    let second = current_run(&out);

    let (old, new) = (assignments(&first), assignments(&second));
    let mut naive = Vec::new();
    for key in old.keys().chain(new.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (a, b) = (old.get(key), new.get(key));
        if a != b {
            let show = |s: Option<&String>| s.map_or("-".to_owned(), Clone::clone);
            naive.push(format!("{},{},{},{}", key.0, key.1, show(a), show(b)));
        }
    }
    naive.sort();
    let actual = change_lines(&second);
    assert!(actual.iter().any(|l| l.starts_with("lifecycle,")), "in_past moved someone");
    assert!(actual.iter().any(|l| l.starts_with("apac_only,") && l.ends_with(",-")), "a removed segmentation is left");
    assert!(actual.iter().any(|l| l.starts_with("industry_copy,") && l.contains(",-,")), "an added one is entered");
    assert_eq!(actual, naive);

    let manifest = manifest_json(&second);
    assert_eq!(manifest["changes"]["previous_run"], first.id());
    assert_eq!(manifest["changes"]["rows"].as_u64().unwrap() as usize, naive.len());
    let per: u64 =
        manifest["changes"]["segmentations"].as_array().unwrap().iter().map(|s| s["changes"].as_u64().unwrap()).sum();
    assert_eq!(per as usize, naive.len());

    run_ok(&dataset, &out, &["--as-of", FIXTURE_AS_OF, "--no-changes"]);
    assert!(current_run(&out).changes().unwrap().is_none());
}

/// A previous run whose bitmap was damaged after it was published: the next run warns, naming
/// the file and what is wrong with it, writes no changes.parquet, and publishes all the same;
/// `show` of that segment is exit 1 with the same message.
#[test]
fn a_damaged_previous_bitmap_is_a_warning_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&sample(), &out, &["--as-of", FIXTURE_AS_OF]);
    let first = current_run(&out);
    let s = &first.manifest().segmentations[0];
    let (origin, segmentation, segment) = (s.origin.clone(), s.id.clone(), s.segments[0].id.clone());
    let damaged = Layout::run(first.id()).bitmap(&origin, &segmentation, &segment).on(&out);
    let bytes = std::fs::read(&damaged).unwrap();
    std::fs::write(&damaged, &bytes[..5]).unwrap();

    let shown = run_cli(&[
        "show",
        out.to_str().unwrap(),
        "--workspace",
        &origin,
        "--segment",
        &format!("{segmentation}/{segment}"),
    ]);
    let message = stderr(&shown);
    assert_eq!(shown.status.code(), Some(1), "{message}");
    let expected = format!("`{}` is not a portable Roaring bitmap: the header is cut short", damaged.display());
    assert!(message.contains(&expected), "{message}");

    let output =
        run_cli(&["run", sample().to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", FIXTURE_AS_OF]);
    let message = stderr(&output);
    assert!(output.status.success(), "{message}");
    let warning = message.lines().find(|l| l.contains("the previous run cannot be read")).expect("a warning");
    assert!(warning.contains(&expected), "{warning}");
    assert!(warning.contains("this run is published all the same"), "{warning}");
    let second = current_run(&out);
    assert_ne!(second.id(), first.id());
    assert!(second.changes().unwrap().is_none() && second.manifest().changes.is_none());
    let recorded = second.manifest().warnings.iter().find(|w| w.message.contains(&expected)).expect("in the manifest");
    assert_eq!(recorded.at.as_deref(), Some(first.path().display().to_string().as_str()));
}

#[test]
fn one_thread_and_many_give_the_same_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (one, many) = (dir.path().join("one"), dir.path().join("many"));
    run_ok(&sample(), &one, &["--as-of", FIXTURE_AS_OF, "--threads", "1"]);
    run_ok(&sample(), &many, &["--as-of", FIXTURE_AS_OF, "--threads", "4"]);
    assert_eq!(membership_lines(&one), membership_lines(&many));
    assert_eq!(access_lines(&one), access_lines(&many));
    let counts = |out: &Path| {
        let mut m = manifest_json(&current_run(out));
        for volatile in ["run_id", "started_at", "timings_ms", "inputs"] {
            m.as_object_mut().unwrap().remove(volatile);
        }
        m
    };
    assert_eq!(counts(&one), counts(&many));
    // The bitmaps too, set by set.
    let (sets_one, sets_many) = (segment_sets(&current_run(&one)), segment_sets(&current_run(&many)));
    assert!(sets_one.len() > 10, "{} sets", sets_one.len());
    assert_eq!(sets_one, sets_many);
}

#[test]
fn a_second_run_gets_75_while_the_lock_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let started = chrono::Utc::now();
    let lock = segcalc::output::lock::OutputLock::acquire(&out, &started).unwrap();
    let output = run_cli(&["run", sample().to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(output.status.code(), Some(75), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains(&format!("pid {}", std::process::id())), "{message}");
    assert!(message.contains(&Layout::lock().on(&out).display().to_string()), "{message}");
    assert!(current_id(&out).is_none());
    drop(lock);
    // A child another test forks meanwhile holds a copy of the lock's descriptor until it execs
    // (seen once in a full `cargo test` on 2 busy cores): retried for up to 5 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let output = run_cli(&["run", sample().to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
        if output.status.code() != Some(75) || std::time::Instant::now() > deadline {
            assert!(output.status.success(), "{}", stderr(&output));
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two real processes: the first holds the lock while it waits on its model.json (a FIFO), the
/// second exits 75 at once naming the holder; then the first finishes normally.
#[test]
fn two_concurrent_runs_one_gets_75() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("ds");
    copy_dir(&sample(), &dataset);
    let model = std::fs::read(dataset.join("model.json")).unwrap();
    std::fs::remove_file(dataset.join("model.json")).unwrap();
    let made = std::process::Command::new("mkfifo").arg(dataset.join("model.json")).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let out = dir.path().join("out");
    let mut first = segcalc()
        .args(["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first run takes the lock before it reads the model; wait until the lock file names it.
    let lock = Layout::lock().on(&out);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains(&format!("pid {}", first.id()))) {
        assert!(std::time::Instant::now() < deadline, "the first run never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = run_cli(&["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    let message = stderr(&second);
    assert_eq!(second.status.code(), Some(75), "{message}");
    assert!(message.contains(&format!("pid {}", first.id())) && message.contains("since"), "{message}");
    std::fs::write(dataset.join("model.json"), &model).unwrap();
    let status = first.wait().unwrap();
    assert!(status.success(), "the first run finishes");
    assert!(current_run(&out).manifest().people.total > 0, "a complete run is published");
}

/// Many runs killed at random moments while they write: `current` always names a complete run,
/// no half-written run is left where a complete one could be expected, and the next run succeeds.
#[test]
fn kill_9_at_any_moment_leaves_a_complete_current() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&sample(), &out, &["--as-of", FIXTURE_AS_OF]);
    let expected = membership_lines(&out);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let rounds = std::env::var("SEGCALC_CHAOS_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(25);
    for _ in 0..rounds {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = segcalc()
            .args([
                "run",
                sample().to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
                "--as-of",
                FIXTURE_AS_OF,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(seed % 120_000));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(membership_lines(&out), expected, "current is complete after a kill");
        for name in run_entries(&out) {
            let complete = Layout::run(&name).manifest().on(&out).exists();
            assert!(Layout::is_unfinished(&name) || complete, "{name} looks complete but is not");
        }
    }
    run_ok(&sample(), &out, &["--as-of", FIXTURE_AS_OF]);
    let leftovers: Vec<_> = run_entries(&out).into_iter().filter(|n| Layout::is_unfinished(n)).collect();
    assert!(leftovers.is_empty(), "the next run cleans up: {leftovers:?}");
    assert!(run_entries(&out).len() <= 3, "--keep 3 by default");
}

/// Every entry of `<out>/runs`, sorted.
fn run_entries(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Layout::runs().on(out))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A file-size limit makes writes fail with EFBIG (the shell ignores SIGXFSZ, and the ignored
/// disposition survives exec): exit 1, the path named, `current` untouched, nothing left behind.
#[test]
fn a_full_disk_gives_exit_1_and_leaves_current_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&sample(), &out, &["--as-of", FIXTURE_AS_OF]);
    let before = current_target(&out);
    let script = format!(
        "trap '' XFSZ; ulimit -f 2; exec '{}' run '{}' --out '{}' --quiet",
        env!("CARGO_BIN_EXE_segcalc"),
        sample().display(),
        out.display()
    );
    let output = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains(&Layout::runs().on(&out).display().to_string()), "names the path: {message}");
    assert_eq!(current_target(&out), before);
    let entries = run_entries(&out);
    assert_eq!(entries.len(), 1, "the failed run's staging folder is removed: {entries:?}");
}

/// Makes `dir` unwritable for this process: permissions first, then (for root, whom permissions
/// do not stop) the immutable attribute. Gives back how to undo it, or `None` when neither works.
fn make_unwritable(dir: &Path) -> Option<Box<dyn Fn()>> {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join(".probe");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).ok()?;
    if std::fs::write(&probe, b"").is_err() {
        let dir = dir.to_owned();
        return Some(Box::new(move || {
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        }));
    }
    let _ = std::fs::remove_file(&probe);
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    let immutable = std::process::Command::new("chattr").arg("+i").arg(dir).status().ok()?.success();
    if !immutable || std::fs::write(&probe, b"").is_ok() {
        let _ = std::process::Command::new("chattr").arg("-i").arg(dir).status();
        return None;
    }
    let dir = dir.to_owned();
    Some(Box::new(move || {
        let _ = std::process::Command::new("chattr").arg("-i").arg(&dir).status();
    }))
}

#[test]
fn a_read_only_output_folder_gives_exit_1_and_leaves_current_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&sample(), &out, &["--as-of", FIXTURE_AS_OF]);
    let before = current_target(&out);
    let runs = Layout::runs().on(&out);
    let Some(undo) = make_unwritable(&runs) else {
        eprintln!("skipped: cannot make a folder read-only here (neither permissions nor chattr)");
        return;
    };
    let output = run_cli(&["run", sample().to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    undo();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains(&runs.display().to_string()), "names the path: {message}");
    assert_eq!(current_target(&out), before);
    assert_eq!(run_entries(&out), [before]);
}

/// `--keep N` leaves exactly the newest N runs, `current` the newest, and no hidden leftovers.
#[test]
fn keep_leaves_exactly_the_newest_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut published = Vec::new();
    for _ in 0..4 {
        run_ok(&sample(), &out, &["--as-of", FIXTURE_AS_OF, "--keep", "2", "--no-changes"]);
        published.push(current_target(&out));
    }
    assert_eq!(run_entries(&out), published[2..].to_vec(), "the two newest runs, nothing hidden");
    assert_eq!(OutputFolder::local(&out).finished_runs().unwrap(), published[2..].to_vec());
    assert_eq!(current_target(&out), published[3]);
}
