//! People placed as they are read (dense ids, by the files' statistics) and people placed after
//! sorting give the same outputs, with and without gaps in the ids; a file without statistics
//! takes the sorting path.

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use arrow_array::{BooleanArray, RecordBatch};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::support::{current_run, membership_lines, run_cli, stderr};

const PLACED_AS_READ: &str = "placing people as they are read";

/// Rewrites every people file of `from` into `to`, keeping the rows `keep` accepts by id, with
/// or without statistics.
fn rewrite(from: &Path, to: &Path, statistics: bool, keep: impl Fn(u32) -> bool) {
    crate::support::copy_dir(from, to);
    let props = WriterProperties::builder()
        .set_statistics_enabled(if statistics { EnabledStatistics::Chunk } else { EnabledStatistics::None })
        .set_max_row_group_row_count(Some(700))
        .build();
    for entry in std::fs::read_dir(from.join("people")).unwrap() {
        let path = entry.unwrap().path();
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap().build().unwrap();
        let target = to.join("people").join(path.file_name().unwrap());
        let mut writer: Option<ArrowWriter<std::fs::File>> = None;
        for batch in reader {
            let batch = batch.unwrap();
            let ids = batch.column_by_name("person_id").unwrap().as_primitive::<UInt32Type>();
            let mask: BooleanArray = ids.iter().map(|id| Some(keep(id.unwrap()))).collect();
            let kept: RecordBatch = arrow_select::filter::filter_record_batch(&batch, &mask).unwrap();
            let writer = writer.get_or_insert_with(|| {
                ArrowWriter::try_new(
                    std::fs::File::create(&target).unwrap(),
                    Arc::clone(&batch.schema()),
                    Some(props.clone()),
                )
                .unwrap()
            });
            writer.write(&kept).unwrap();
        }
        writer.unwrap().close().unwrap();
    }
}

/// What a run gave: membership lines, bitmap files (name, bytes), and whether people were placed
/// as they were read.
struct Outcome {
    lines: Vec<String>,
    bitmaps: Vec<(String, Vec<u8>)>,
    placed_as_read: bool,
}

fn run(dataset: &Path, out: &Path) -> Outcome {
    let output =
        run_cli(&["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-01T12:00:00Z"]);
    assert!(output.status.success(), "{}", stderr(&output));
    // The bytes of every segment set, as the manifest names them.
    let run = current_run(out);
    let mut bitmaps = Vec::new();
    for w in &run.manifest().workspaces {
        for s in &w.segmentations {
            for g in &s.segments {
                let set = run.segment(&w.id, &s.id, &g.id).unwrap();
                bitmaps.push((format!("{}/{}/{}", w.id, s.id, g.id), set.bytes().to_vec()));
            }
        }
    }
    Outcome { lines: membership_lines(out), bitmaps, placed_as_read: stderr(&output).contains(PLACED_AS_READ) }
}

#[test]
fn placing_as_read_and_placing_by_sorting_agree() {
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("generated");
    let output =
        run_cli(&["generate", "--people", "3000", "--seed", "3", "--files", "2", "--out", generated.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Every id, then every id but a third of them (gaps the table closes up).
    for (name, keep) in [("all", (|_| true) as fn(u32) -> bool), ("gaps", |id| id % 3 != 1)] {
        let with = dir.path().join(format!("{name}-with-statistics"));
        let without = dir.path().join(format!("{name}-without"));
        rewrite(&generated, &with, true, keep);
        rewrite(&generated, &without, false, keep);
        let as_read = run(&with, &dir.path().join(format!("out-{name}-with")));
        let sorted = run(&without, &dir.path().join(format!("out-{name}-without")));
        assert!(as_read.placed_as_read, "{name}: dense ids with statistics are placed as they are read");
        assert!(!sorted.placed_as_read, "{name}: without statistics people are placed by sorting");
        assert!(as_read.lines.len() > 2000, "{name}: {} lines", as_read.lines.len());
        assert_eq!(as_read.lines, sorted.lines, "{name}");
        assert_eq!(as_read.bitmaps.len(), sorted.bitmaps.len());
        assert!(as_read.bitmaps == sorted.bitmaps, "{name}: bitmaps differ");
    }
}
