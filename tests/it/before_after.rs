//! Before and after a run (SPEC §9): `run --dry-run` publishes nothing and agrees with the run
//! that follows, `diff` agrees with a naive comparison of two runs' membership and `--check`
//! exits 0 or 3, and history.parquet keeps every run's counts through retention.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use segcalc::output::history::{self, HistoryRow};
use segcalc::output::layout::Layout;
use serde_json::Value;

use crate::support::{
    FIXTURE_AS_OF, assignments, copy_dir, current_id, current_run, data_dir, edited_fixture_model, run_cli, stderr,
};

/// The fixture dataset copied into `dir`, run once at an earlier as-of into `dir/out`.
fn first_run(dir: &Path) -> (PathBuf, PathBuf) {
    let dataset = dir.join("ds");
    copy_dir(&data_dir().join("fixtures").join("pyarrow-dictionary"), &dataset);
    let out = dir.join("out");
    cli_ok(&["run", path(&dataset), "--out", path(&out), "--quiet", "--as-of", "2026-09-01T00:00:00Z"]);
    (dataset, out)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn cli_ok(args: &[&str]) -> String {
    let output = run_cli(args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// An edited model beside the dataset's: a redefined segment, a removed and an added
/// segmentation (as a model change under review would be).
fn edited_model(dataset: &Path) -> PathBuf {
    let edited = dataset.with_file_name("edited.json");
    std::fs::write(&edited, edited_fixture_model(&dataset.join("model.json")).to_string()).unwrap();
    edited
}

/// The real run of the edited model, at the fixtures' as-of.
fn run_edited(dataset: &Path, out: &Path, edited: &Path) {
    cli_ok(&["run", path(dataset), "--out", path(out), "--model", path(edited), "--as-of", FIXTURE_AS_OF, "--quiet"]);
}

/// Every entry under `dir` (hidden ones included) with its size, and where links point.
fn tree(dir: &Path) -> Vec<String> {
    let mut entries = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return entries;
    };
    for entry in read {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        let name = entry.path().display().to_string();
        if meta.is_symlink() {
            entries.push(format!("{name} -> {}", std::fs::read_link(entry.path()).unwrap().display()));
        } else if meta.is_dir() {
            entries.push(format!("{name}/"));
            entries.extend(tree(&entry.path()));
        } else {
            entries.push(format!("{name} {} {:?}", meta.len(), meta.modified().unwrap()));
        }
    }
    entries.sort();
    entries
}

/// `(segmentation, from, to) → people` of a `--json` movement list; `-` is outside the scope.
fn cells(movements: &Value) -> BTreeMap<(String, String, String), u64> {
    let place = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    let mut out = BTreeMap::new();
    for m in movements.as_array().unwrap() {
        for c in m["cells"].as_array().unwrap() {
            let key = (m["segmentation"].as_str().unwrap().to_owned(), place(&c["from"]), place(&c["to"]));
            out.insert(key, c["people"].as_u64().unwrap());
        }
    }
    out
}

/// Changed cells only (what changes.parquet can say).
fn changed(all: &BTreeMap<(String, String, String), u64>) -> BTreeMap<(String, String, String), u64> {
    all.iter().filter(|((_, f, t), _)| f != t).map(|(k, v)| (k.clone(), *v)).collect()
}

/// The current run's changes.parquet counted naively, row by row.
fn changes_parquet_cells(out: &Path) -> BTreeMap<(String, String, String), u64> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    let mut counts = BTreeMap::new();
    for batch in current_run(out).changes().unwrap().expect("the run has changes.parquet") {
        let text = |c: usize, i: usize| {
            let column = batch.column(c).as_string::<i32>();
            if column.is_null(i) { "-".to_owned() } else { column.value(i).to_owned() }
        };
        for i in 0..batch.num_rows() {
            *counts.entry((text(0, i), text(2, i), text(3, i))).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn a_dry_run_publishes_nothing_and_agrees_with_the_run_that_follows() {
    let dir = tempfile::tempdir().unwrap();
    let (dataset, out) = first_run(dir.path());
    let edited = edited_model(&dataset);
    let current = current_id(&out).unwrap();
    // A run holding the lock does not stop a dry run: it takes none.
    let lock = segcalc::output::lock::OutputLock::acquire(&out, &chrono::Utc::now()).unwrap();
    let before = tree(&out);
    let dry_args = ["run", path(&dataset), "--out", path(&out), "--model", path(&edited), "--as-of", FIXTURE_AS_OF];
    let mut json_args = dry_args.to_vec();
    json_args.extend(["--dry-run", "--json", "--quiet"]);
    let dry: Value = serde_json::from_str(&cli_ok(&json_args)).unwrap();
    let mut text_args = dry_args.to_vec();
    text_args.extend(["--dry-run", "--quiet"]);
    let text = cli_ok(&text_args);
    assert!(tree(&out) == before, "the dry runs wrote nothing under --out (no runs/, lock or current touched)");
    drop(lock);
    assert_eq!(current_id(&out).unwrap(), current);
    assert_eq!(dry["compared_with"], current.as_str());
    assert!(text.contains(&format!("movements against run {current}")) && text.contains("nothing published"), "{text}");
    assert!(text.contains("  industry_copy: ") && text.contains("(entered)"), "{text}");

    // The real run that follows: the same counts, and its changes.parquet says what the matrix said.
    run_edited(&dataset, &out, &edited);
    let run = current_run(&out);
    let manifest = serde_json::to_value(run.manifest()).unwrap();
    for (d, m) in dry["segmentations"].as_array().unwrap().iter().zip(manifest["segmentations"].as_array().unwrap()) {
        assert_eq!(
            (&d["id"], &d["origin"], &d["scope"], &d["segments"]),
            (&m["id"], &m["origin"], &m["scope"], &m["segments"])
        );
    }
    assert_eq!(dry["segmentations"].as_array().unwrap().len(), manifest["segmentations"].as_array().unwrap().len());
    let dry_cells = cells(&dry["movements"]);
    assert!(dry_cells.keys().any(|(s, _, t)| s == "apac_only" && t == "-"), "a removed segmentation is left");
    assert!(dry_cells.keys().any(|(s, f, _)| s == "industry_copy" && f == "-"), "an added one is entered");
    assert_eq!(changed(&dry_cells), changes_parquet_cells(&out));
    assert_eq!(
        dry["totals"]["moved"].as_u64().unwrap()
            + dry["totals"]["entered"].as_u64().unwrap()
            + dry["totals"]["left"].as_u64().unwrap(),
        run.manifest().changes.as_ref().unwrap().rows
    );
    // And `diff` of the two runs gives the whole matrix, who stayed included.
    let diff: Value = serde_json::from_str(&cli_ok(&["diff", path(&out), "--json"])).unwrap();
    assert_eq!(cells(&diff["movements"]), dry_cells);
    assert_eq!((&diff["from"]["run_id"], &diff["to"]["run_id"]), (&Value::from(current), &Value::from(run.id())));
}

#[test]
fn a_dry_run_on_a_new_folder_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let dataset = data_dir().join("fixtures").join("duckdb");
    let text = cli_ok(&["run", path(&dataset), "--out", path(&out), "--as-of", FIXTURE_AS_OF, "--dry-run", "--quiet"]);
    assert!(text.contains("no published run to compare with"), "{text}");
    assert!(!out.exists(), "no output folder, no lock, no runs/");
    let json = run_cli(&["run", path(&dataset), "--out", path(&out), "--json", "--quiet"]);
    assert_eq!(json.status.code(), Some(2), "--json needs --dry-run: {}", stderr(&json));
}

#[test]
fn diff_equals_a_naive_comparison_of_membership_and_check_gives_0_and_3() {
    let dir = tempfile::tempdir().unwrap();
    let (dataset, out) = first_run(dir.path());
    let first = current_run(&out);
    let golden = dir.path().join("golden");
    copy_dir(&first.path(), &golden);
    let edited = edited_model(&dataset);
    run_edited(&dataset, &out, &edited);
    let second = current_run(&out);

    let (old, new) = (assignments(&first), assignments(&second));
    let mut naive = BTreeMap::new();
    for key in old.keys().chain(new.keys()).collect::<std::collections::BTreeSet<_>>() {
        let place = |s: Option<&String>| s.map_or("-".to_owned(), Clone::clone);
        *naive.entry((key.0.clone(), place(old.get(key)), place(new.get(key)))).or_insert(0) += 1;
    }
    let diff: Value = serde_json::from_str(&cli_ok(&["diff", path(&out), "--json"])).unwrap();
    assert_eq!(cells(&diff["movements"]), naive);
    let changed_people = naive.iter().filter(|((_, f, t), _)| f != t).map(|(_, n)| n).sum::<u64>();
    assert!(changed_people > 0);
    let totals = &diff["totals"];
    let sum = |k: &str| totals[k].as_u64().unwrap();
    assert_eq!(sum("moved") + sum("entered") + sum("left"), changed_people);
    assert_eq!(diff["same"], false);

    // --check: 3 when they differ (the golden run against the new one), 0 when equal.
    let differ = run_cli(&["diff", path(&golden), path(&out.join("current")), "--check"]);
    assert_eq!(differ.status.code(), Some(3), "{}", stderr(&differ));
    let message = stderr(&differ);
    assert!(
        message.contains(&format!(
            "runs `{}` and `{}` differ: {changed_people} people changed segment",
            first.id(),
            second.id()
        )),
        "{message}"
    );
    assert!(String::from_utf8_lossy(&differ.stdout).starts_with(&format!("diff {} ", first.id())));
    let same = run_cli(&["diff", path(&out), "--from", second.id(), "--to", second.id(), "--check"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(String::from_utf8_lossy(&same.stdout).contains("total: 0 changed"));
    // A rerun of the golden run's inputs is equal to it.
    cli_ok(&["run", path(&dataset), "--out", path(&out), "--quiet", "--as-of", "2026-09-01T00:00:00Z"]);
    let rerun = run_cli(&["diff", path(&golden), path(&out.join("current")), "--check"]);
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));

    let usage = run_cli(&["diff", path(&golden), path(&out), "--from", first.id()]);
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
    let lonely = dir.path().join("lonely");
    cli_ok(&["run", path(&dataset), "--out", path(&lonely), "--quiet"]);
    let none_before = run_cli(&["diff", path(&lonely)]);
    assert_eq!(none_before.status.code(), Some(2));
    assert!(stderr(&none_before).contains("no run before"), "{}", stderr(&none_before));
}

/// The run ids of `rows`, in order, each once.
fn run_order(rows: &[HistoryRow]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for r in rows {
        if ids.last() != Some(&r.run_id) {
            ids.push(r.run_id.clone());
        }
    }
    ids
}

#[test]
fn history_after_runs_with_keep_1_holds_one_set_of_rows_per_run_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let dataset = data_dir().join("fixtures").join("pyarrow-dictionary");
    let mut published = Vec::new();
    for as_of in ["2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z", FIXTURE_AS_OF, "2026-12-24T18:30:00.123456Z"] {
        cli_ok(&["run", path(&dataset), "--out", path(&out), "--quiet", "--keep", "1", "--as-of", as_of]);
        let run = current_run(&out);
        let expected =
            history::rows_of(run.id(), history::as_of_micros(run.manifest()).unwrap(), &run.manifest().workspaces);
        assert!(!expected.is_empty());
        published.push((run.id().to_owned(), expected));
    }
    assert_eq!(segcalc::output::published::OutputFolder::local(&out).finished_runs().unwrap().len(), 1);
    let rows = history::read(&current_run(&out)).unwrap();
    assert_eq!(
        run_order(&rows),
        published.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        "one set per run, in order"
    );
    let all: Vec<HistoryRow> = published.iter().flat_map(|(_, rows)| rows.clone()).collect();
    assert_eq!(rows, all);
    assert_eq!(rows.last().unwrap().as_of, 1_798_137_000_123_456, "as_of in microseconds, UTC");

    // A damaged history is a warning, and the history restarts.
    std::fs::write(Layout::run(&published[3].0).history().on(&out), b"damaged").unwrap();
    let output = run_cli(&["run", path(&dataset), "--out", path(&out), "--keep", "1", "--as-of", FIXTURE_AS_OF]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("the previous run's history cannot be read: `"), "{}", stderr(&output));
    let run = current_run(&out);
    assert_eq!(run_order(&history::read(&run).unwrap()), [run.id()]);
    let warned = &run.manifest().warnings;
    assert!(warned.iter().any(|w| w.message.ends_with("history.parquet starts again with this run")), "{warned:?}");
}
