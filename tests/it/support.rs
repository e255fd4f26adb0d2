//! Helpers shared by the integration tests: running the binary, reading what it published
//! (through `OutputFolder`, as every reader does), rendering a run's outputs as sorted text lines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::Array;
use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use roaring::RoaringBitmap;
use segcalc::output::published::{OutputFolder, PublishedRun};

/// The `segcalc` binary Cargo built for these tests.
pub fn segcalc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_segcalc"))
}

/// Runs `segcalc` with `args`; returns the output (any exit code).
pub fn run_cli(args: &[&str]) -> Output {
    segcalc().args(args).output().expect("the segcalc binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The project's test data folder.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("data")
}

/// The fixture datasets written by real Parquet writers.
pub const FIXTURES: [&str; 5] = ["pyarrow-dictionary", "duckdb", "polars", "pandas", "spark-hive"];
pub const FIXTURE_AS_OF: &str = "2026-11-01T12:00:00Z";

/// The id of the run `current` names in the output folder `out`; `None` when none was published.
pub fn current_id(out: &Path) -> Option<String> {
    OutputFolder::local(out).current_id().expect("`current` is readable")
}

/// The run `current` names in `out`, opened.
pub fn current_run(out: &Path) -> PublishedRun {
    OutputFolder::local(out).current().expect("the current run is readable").expect("a run is published")
}

/// The manifest of `run` as JSON, for tests that look at fields by name.
pub fn manifest_json(run: &PublishedRun) -> serde_json::Value {
    serde_json::to_value(run.manifest()).expect("a manifest is JSON")
}

/// One (workspace, segmentation, segment, person) fact of a published run: the long form of the
/// wide membership files, as `reference/widelong.py` gives it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MembershipRow {
    pub workspace: String,
    pub segmentation: String,
    pub segment: String,
    pub person_id: u32,
}

/// Every membership file of `run` in long form, sorted.
pub fn read_long(run: &PublishedRun) -> Vec<MembershipRow> {
    let mut rows = Vec::new();
    for workspace in run.membership_workspaces().expect("membership folders are listed") {
        for batch in run.membership(&workspace).expect("membership is readable") {
            let ids = batch.column(0).as_primitive::<UInt32Type>();
            for (c, field) in batch.schema().fields().iter().enumerate().skip(1) {
                let segments = arrow_cast::cast(batch.column(c), &arrow_schema::DataType::Utf8).unwrap();
                let segments = segments.as_string::<i32>();
                for i in 0..batch.num_rows() {
                    if segments.is_valid(i) {
                        rows.push(MembershipRow {
                            workspace: workspace.clone(),
                            segmentation: field.name().clone(),
                            segment: segments.value(i).to_owned(),
                            person_id: ids.value(i),
                        });
                    }
                }
            }
        }
    }
    rows.sort();
    rows
}

/// (segmentation, person) → segment, from the origin workspace's membership (which holds the
/// whole scope), using the run's manifest for the origins.
pub fn assignments(run: &PublishedRun) -> BTreeMap<(String, u32), String> {
    let origins: BTreeMap<&str, &str> =
        run.manifest().segmentations.iter().map(|s| (s.id.as_str(), s.origin.as_str())).collect();
    read_long(run)
        .into_iter()
        .filter(|r| origins.get(r.segmentation.as_str()) == Some(&r.workspace.as_str()))
        .map(|r| ((r.segmentation, r.person_id), r.segment))
        .collect()
}

/// `workspace,segmentation,segment,person_id` lines of the run `current` points to, sorted like
/// `expected-membership.csv` (by text).
pub fn membership_lines(out: &Path) -> Vec<String> {
    let rows = read_long(&current_run(out));
    let mut lines: Vec<String> =
        rows.into_iter().map(|r| format!("{},{},{},{}", r.workspace, r.segmentation, r.segment, r.person_id)).collect();
    lines.sort();
    lines
}

/// Every segment set of `run` its manifest names: `(workspace/segmentation/segment, set)`, in
/// manifest order.
pub fn segment_sets(run: &PublishedRun) -> Vec<(String, RoaringBitmap)> {
    let mut sets = Vec::new();
    for w in &run.manifest().workspaces {
        for s in &w.segmentations {
            for g in &s.segments {
                let set = run.segment(&w.id, &s.id, &g.id).expect("the segment's bitmap is readable").to_bitmap();
                sets.push((format!("{}/{}/{}", w.id, s.id, g.id), set));
            }
        }
    }
    sets
}

/// The data lines of a CSV file (header dropped), sorted.
pub fn csv_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("csv is readable");
    let mut lines: Vec<String> = text.lines().skip(1).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    lines.sort();
    lines
}

/// Runs a fixture dataset at the fixtures' as-of into a new temporary output folder.
pub fn run_fixture(name: &str) -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().unwrap();
    let dataset = data_dir().join("fixtures").join(name);
    let output = run_cli(&[
        "run",
        dataset.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--as-of",
        FIXTURE_AS_OF,
        "--quiet",
    ]);
    (out, output)
}

/// Copies a folder tree (hidden files included).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `user,segmentation,workspace,read_only` lines of the current run's access.parquet, sorted.
pub fn access_lines(out: &Path) -> Vec<String> {
    let rows = current_run(out).access().expect("access.parquet is readable");
    let mut lines: Vec<String> =
        rows.iter().map(|r| format!("{},{},{},{}", r.user, r.segmentation, r.workspace, r.read_only)).collect();
    lines.sort();
    lines
}

/// The changes rows of a run as sorted text lines.
fn changes_lines(run: &PublishedRun) -> Option<Vec<String>> {
    let batches: Vec<RecordBatch> = run.changes().unwrap()?;
    let mut lines = Vec::new();
    for batch in batches {
        let columns: Vec<_> = (0..batch.num_columns())
            .map(|c| {
                arrow_cast::display::ArrayFormatter::try_new(
                    batch.column(c),
                    &arrow_cast::display::FormatOptions::default(),
                )
                .unwrap()
            })
            .collect();
        for row in 0..batch.num_rows() {
            lines.push(columns.iter().map(|f| f.value(row).to_string()).collect::<Vec<_>>().join(","));
        }
    }
    lines.sort();
    Some(lines)
}

/// The current runs of the output folders `a` and `b` are the same run: membership as tables,
/// bitmaps by content, access, changes and the manifest's counts.
pub fn assert_same_current(a: &Path, b: &Path, what: &str) {
    let (remote, local_run) = (current_run(a), current_run(b));
    assert_eq!(read_long(&remote), read_long(&local_run), "{what}: membership");
    assert_eq!(segment_sets(&remote), segment_sets(&local_run), "{what}: bitmaps");
    assert_eq!(access_lines(a), access_lines(b), "{what}: access");
    assert_eq!(changes_lines(&remote), changes_lines(&local_run), "{what}: changes");
    let counts = |run: &PublishedRun| {
        let m = serde_json::to_value(run.manifest()).unwrap();
        (m["people"].clone(), m["segmentations"].clone(), m["workspaces"].clone(), m["changes"]["rows"].clone())
    };
    assert_eq!(counts(&remote), counts(&local_run), "{what}: manifest counts");
    // History: the same counts at the same as-ofs, run after run (run ids differ).
    let history = |run: &PublishedRun| -> Vec<String> {
        let rows = segcalc::output::history::read(run).expect("history.parquet is readable");
        rows.iter()
            .map(|r| format!("{} {} {} {} {}", r.as_of, r.workspace, r.segmentation, r.segment, r.count))
            .collect()
    };
    assert_eq!(history(&remote), history(&local_run), "{what}: history");
    assert!(!read_long(&remote).is_empty(), "{what}: the run is not empty");
}

/// Whether a tool a test needs (`what`) is there. Under `CI=true` a missing tool fails the test;
/// elsewhere the test is skipped with a notice on stderr (returns false).
pub fn tool_or_skip(what: &str, available: bool) -> bool {
    if !available {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true and {what} is missing: .ci/run installs it");
        eprintln!("skipped: {what} is not installed (CI=true makes this a failure)");
    }
    available
}

/// The pyarrow-dictionary fixture's model at `model_path`, edited as a model change under review
/// would be: a redefined segment, a removed and an added segmentation.
pub fn edited_fixture_model(model_path: &Path) -> serde_json::Value {
    let mut model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(model_path).unwrap()).unwrap();
    let segs = model["segmentations"].as_array_mut().unwrap();
    segs[0]["segments"][1]["rule"] = serde_json::json!({"field": "industry", "op": "contains", "value": "tech"});
    segs.retain(|s| s["id"] != "apac_only");
    let mut added = segs[0].clone();
    added["id"] = "industry_copy".into();
    segs.push(added);
    model
}
