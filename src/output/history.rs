//! `history.parquet` (SPEC §9): every run's segment counts so far, one row per (run, workspace,
//! segmentation, segment), carried forward from the run `current` named, so that retention
//! deletes runs but none of their counts.
//!
//! Columns: `run_id` (string), `as_of` (timestamp, microseconds, UTC: the run's `--as-of`, below
//! a microsecond cut off), `segmentation`, `workspace`, `segment` (strings), `count` (uint64:
//! the people `workspace` sees in `segment`). None is null. Rows: the earlier runs' as they were
//! carried, then this run's, in the manifest's workspace, segmentation and segment order.
//!
//! A previous run without the file (written by an older version) gives its rows from its
//! manifest; one whose file cannot be read is a warning, and the history starts again.

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{TimestampMicrosecondType, UInt64Type};
use arrow_array::{Array, ArrayRef, StringArray, TimestampMicrosecondArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema, TimeUnit};

use super::manifest::{Manifest, WorkspaceCounts};
use super::published::{OutputFolder, PublishedRun};
use super::table_file::write_rows;
use crate::error::{Error, Result, RunDamage, Warning};
use crate::log::Log;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub run_id: String,
    /// Microseconds since the Unix epoch, UTC.
    pub as_of: i64,
    pub segmentation: String,
    pub workspace: String,
    pub segment: String,
    pub count: u64,
}

/// What [`read`] expects, for the damage message.
const COLUMNS: &str = "run_id, as_of (timestamp UTC), segmentation, workspace, segment, count (uint64), none null";

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("run_id", DataType::Utf8, false),
        Field::new("as_of", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("segmentation", DataType::Utf8, false),
        Field::new("workspace", DataType::Utf8, false),
        Field::new("segment", DataType::Utf8, false),
        Field::new("count", DataType::UInt64, false),
    ]))
}

/// One run's rows: every segment each workspace sees, in the manifest's order.
#[must_use]
pub fn rows_of(run_id: &str, as_of: i64, workspaces: &[WorkspaceCounts]) -> Vec<HistoryRow> {
    let mut rows = Vec::new();
    for w in workspaces {
        for s in &w.segmentations {
            for g in &s.segments {
                rows.push(HistoryRow {
                    run_id: run_id.to_owned(),
                    as_of,
                    segmentation: s.id.clone(),
                    workspace: w.id.clone(),
                    segment: g.id.clone(),
                    count: g.people,
                });
            }
        }
    }
    rows
}

/// A manifest's `as_of` in microseconds (`None` when it does not parse).
#[must_use]
pub fn as_of_micros(manifest: &Manifest) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(&manifest.as_of).ok().map(|t| t.timestamp_micros())
}

/// The rows of `run`'s history: its file, or, when it has none (an older version wrote it), its
/// own counts.
pub fn read(run: &PublishedRun) -> Result<Vec<HistoryRow>> {
    let Some(batches) = run.history()? else {
        let damaged =
            || Error::DamagedRun { path: run.manifest_path(), problem: RunDamage::Columns { expected: "as_of" } };
        let as_of = as_of_micros(run.manifest()).ok_or_else(damaged)?;
        return Ok(rows_of(run.id(), as_of, &run.manifest().workspaces));
    };
    let damaged = || Error::DamagedRun {
        path: run.locate(&run.layout().history()),
        problem: RunDamage::Columns { expected: COLUMNS },
    };
    let mut rows = Vec::new();
    for batch in &batches {
        let text = |name: &str| {
            batch.column_by_name(name).and_then(|c| c.as_string_opt::<i32>()).filter(|c| c.null_count() == 0)
        };
        let (Some(run_id), Some(segmentation), Some(workspace), Some(segment)) =
            (text("run_id"), text("segmentation"), text("workspace"), text("segment"))
        else {
            return Err(damaged());
        };
        let as_of = batch.column_by_name("as_of").and_then(|c| c.as_primitive_opt::<TimestampMicrosecondType>());
        let count = batch.column_by_name("count").and_then(|c| c.as_primitive_opt::<UInt64Type>());
        let (Some(as_of), Some(count)) = (as_of, count) else {
            return Err(damaged());
        };
        if as_of.null_count() > 0 || count.null_count() > 0 {
            return Err(damaged());
        }
        for i in 0..batch.num_rows() {
            rows.push(HistoryRow {
                run_id: run_id.value(i).to_owned(),
                as_of: as_of.value(i),
                segmentation: segmentation.value(i).to_owned(),
                workspace: workspace.value(i).to_owned(),
                segment: segment.value(i).to_owned(),
                count: count.value(i),
            });
        }
    }
    Ok(rows)
}

/// The history a new run carries forward: that of the run `current` names (none on a first
/// run). One that cannot be read is a warning (logged and kept), and the history restarts.
pub fn carried(folder: &OutputFolder, warnings: &mut Vec<Warning>, log: &Log) -> Vec<HistoryRow> {
    let previous = folder.current().and_then(|run| run.map(|run| read(&run)).transpose());
    match previous {
        Ok(rows) => rows.unwrap_or_default(),
        Err(e) => {
            let warning = Warning {
                at: None,
                message: format!(
                    "the previous run's history cannot be read: {e}; history.parquet starts again with this run"
                ),
            };
            log.warn(&warning);
            warnings.push(warning);
            Vec::new()
        }
    }
}

pub fn write(path: &Path, rows: &[HistoryRow]) -> Result<()> {
    write_rows(path, &schema(), rows, |chunk| {
        let text = |f: fn(&HistoryRow) -> &str| -> ArrayRef {
            Arc::new(chunk.iter().map(|r| Some(f(r))).collect::<StringArray>())
        };
        vec![
            text(|r| &r.run_id),
            Arc::new(TimestampMicrosecondArray::from_iter_values(chunk.iter().map(|r| r.as_of)).with_timezone("UTC")),
            text(|r| &r.segmentation),
            text(|r| &r.workspace),
            text(|r| &r.segment),
            Arc::new(chunk.iter().map(|r| r.count).collect::<UInt64Array>()),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::layout::Layout;
    use crate::output::published::test_run::publish;

    #[cfg(unix)]
    #[test]
    fn a_run_without_history_gives_its_own_counts_and_a_written_one_reads_back() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1, 2]);
        let run = OutputFolder::local(temp.path()).current().unwrap().unwrap();
        let rows = read(&run).unwrap();
        let lines: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {} {} {} {} {}", r.run_id, r.as_of, r.workspace, r.segmentation, r.segment, r.count))
            .collect();
        assert_eq!(lines, ["1 1793534400000000 w s a 2", "1 1793534400000000 w s b 1"]);
        let mut more = rows.clone();
        more.extend(rows_of("2", 7, &run.manifest().workspaces));
        write(&Layout::run("1").history().on(temp.path()), &more).unwrap();
        assert_eq!(read(&run).unwrap(), more);
    }

    #[cfg(unix)]
    #[test]
    fn a_damaged_history_is_a_warning_and_the_history_restarts() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1]);
        let path = Layout::run("1").history().on(temp.path());
        let folder = OutputFolder::local(temp.path());
        // Another file's columns, then bytes that are no Parquet.
        let row = crate::output::changes::ChangeRow {
            segmentation: "s".into(),
            person_id: 1,
            old_segment: None,
            new_segment: Some("a".into()),
        };
        crate::output::changes::write_changes(&path, &[row]).unwrap();
        for round in 0..2 {
            let mut warnings = Vec::new();
            assert!(carried(&folder, &mut warnings, &Log::new(true)).is_empty(), "round {round}");
            assert_eq!(warnings.len(), 1);
            assert!(
                warnings[0].message.starts_with("the previous run's history cannot be read: `"),
                "{}",
                warnings[0].message
            );
            assert!(warnings[0].message.ends_with("history.parquet starts again with this run"));
            std::fs::write(&path, b"not parquet").unwrap();
        }
    }
}
