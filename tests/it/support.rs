//! Helpers shared by the integration tests: running the binary, rendering a run's outputs as
//! sorted text lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use segcalc::output::membership::read_long;

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

/// `workspace,segmentation,segment,person_id` lines of the run `current` points to, sorted like
/// `expected-membership.csv` (by text).
pub fn membership_lines(out: &Path) -> Vec<String> {
    let rows = read_long(&out.join("current")).expect("membership is readable");
    let mut lines: Vec<String> =
        rows.into_iter().map(|r| format!("{},{},{},{}", r.workspace, r.segmentation, r.segment, r.person_id)).collect();
    lines.sort();
    lines
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
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    let file = std::fs::File::open(out.join("current").join("access.parquet")).expect("access.parquet exists");
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let mut lines = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let text = |i: usize| batch.column(i).as_string::<i32>().clone();
        let (user, segmentation, workspace) = (text(0), text(1), text(2));
        let read_only = batch.column(3).as_boolean().clone();
        for r in 0..batch.num_rows() {
            lines.push(format!(
                "{},{},{},{}",
                user.value(r),
                segmentation.value(r),
                workspace.value(r),
                read_only.value(r)
            ));
        }
        assert_eq!(read_only.null_count(), 0);
    }
    lines.sort();
    lines
}
