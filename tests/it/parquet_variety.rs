//! Every Parquet a user may bring gives the same membership: each codec, with and without a page
//! index, every string encoding, int64 ids, timestamps in each unit with zones other than UTC,
//! and a wide file of which the rules use a few columns.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray,
    TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::support::{membership_lines, run_cli, stderr};

const ROWS: usize = 300;
const INDUSTRIES: [&str; 5] = ["Healthcare", "HEALTHCARE", "Retail", "Média", ""];

const MODEL: &str = r#"{
 "workspaces": [{"id": "all_ws", "partitions": "all"}, {"id": "emea", "partitions": ["emea"]}],
 "users": [{"id": "admin", "admin": true, "workspaces": "all"}],
 "segmentations": [{"id": "s", "workspace": "all_ws", "owner": "admin", "status": "approved",
   "segments": [
     {"id": "health", "rule": {"field": "industry", "op": "is", "value": "healthcare"}},
     {"id": "recent", "rule": {"field": "seen", "op": "after", "value": "2026-06-01T00:00:00+02:00"}},
     {"id": "media", "rule": {"field": "industry", "op": "starts_with", "value": "MÉ"}}],
   "shares": [{"workspace": "emea"}]}]
}"#;

fn industry(i: usize) -> Option<&'static str> {
    (i % 7 != 3).then(|| INDUSTRIES[i % INDUSTRIES.len()])
}

/// Seconds since the epoch for row i: spread over 2026, some null.
fn seen(i: usize) -> Option<i64> {
    (i % 11 != 5).then(|| 1_767_225_600 + (i as i64 * 104_729) % 31_536_000)
}

fn people(strings: &str, unit: &str, wide: usize) -> RecordBatch {
    let ids: ArrayRef = Arc::new(Int64Array::from((0..ROWS as i64).map(|i| 4_000_000_000 + i * 3).collect::<Vec<_>>()));
    let partitions: ArrayRef =
        Arc::new(StringArray::from((0..ROWS).map(|i| if i % 2 == 0 { "emea" } else { "na" }).collect::<Vec<_>>()));
    let values: Vec<Option<&str>> = (0..ROWS).map(industry).collect();
    let industry: ArrayRef = match strings {
        "utf8" => Arc::new(StringArray::from(values)),
        "large" => Arc::new(LargeStringArray::from(values)),
        "view" => Arc::new(StringViewArray::from(values)),
        _ => Arc::new(values.into_iter().collect::<DictionaryArray<Int32Type>>()),
    };
    let secs: Vec<Option<i64>> = (0..ROWS).map(seen).collect();
    let zone = "America/New_York";
    let seen: ArrayRef = match unit {
        "s" => Arc::new(TimestampSecondArray::from(secs).with_timezone(zone)),
        "ms" => Arc::new(
            TimestampMillisecondArray::from(secs.iter().map(|s| s.map(|v| v * 1_000)).collect::<Vec<_>>())
                .with_timezone("+05:30"),
        ),
        "us" => {
            Arc::new(TimestampMicrosecondArray::from(secs.iter().map(|s| s.map(|v| v * 1_000_000)).collect::<Vec<_>>()))
        }
        _ => Arc::new(
            TimestampNanosecondArray::from(secs.iter().map(|s| s.map(|v| v * 1_000_000_000)).collect::<Vec<_>>())
                .with_timezone(zone),
        ),
    };
    let mut fields = vec![
        Field::new("person_id", ids.data_type().clone(), false),
        Field::new("partition", partitions.data_type().clone(), false),
    ];
    let mut columns = vec![ids, partitions];
    for k in 0..wide {
        fields.push(Field::new(format!("unused_{k}"), arrow_schema::DataType::Int64, true));
        columns.push(Arc::new(Int64Array::from(vec![k as i64; ROWS])));
    }
    fields.push(Field::new("industry", industry.data_type().clone(), true));
    fields.push(Field::new("seen", seen.data_type().clone(), true));
    columns.push(industry);
    columns.push(seen);
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn write(path: &Path, batch: &RecordBatch, compression: Compression, page_index: bool) {
    let stats = if page_index { EnabledStatistics::Page } else { EnabledStatistics::Chunk };
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_statistics_enabled(stats)
        .set_max_row_group_row_count(Some(128))
        .set_data_page_row_count_limit(32)
        .build();
    let mut writer = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

fn membership(batch: &RecordBatch, compression: Compression, page_index: bool) -> Vec<String> {
    membership_with(batch, compression, page_index, |_| {})
}

fn membership_with(
    batch: &RecordBatch,
    compression: Compression,
    page_index: bool,
    damage: impl Fn(&Path),
) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.json"), MODEL).unwrap();
    write(&dir.path().join("people.parquet"), batch, compression, page_index);
    damage(&dir.path().join("people.parquet"));
    let out = dir.path().join("out");
    let output = run_cli(&[
        "run",
        dir.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-01T12:00:00Z",
        "-q",
    ]);
    assert!(output.status.success(), "{compression:?} page index {page_index}: {}", stderr(&output));
    membership_lines(&out)
}

#[test]
fn every_codec_encoding_and_unit_gives_the_same_membership() {
    let reference = membership(&people("utf8", "us", 0), Compression::UNCOMPRESSED, false);
    assert_eq!(reference.len(), ROWS + ROWS / 2, "every person in all_ws, half also in emea");
    assert!(reference.iter().any(|l| l.contains(",health,")) && reference.iter().any(|l| l.contains(",media,")));
    let codecs = [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::LZ4_RAW,
        Compression::ZSTD(ZstdLevel::default()),
        Compression::BROTLI(BrotliLevel::default()),
    ];
    for compression in codecs {
        for page_index in [false, true] {
            assert_eq!(
                membership(&people("dict", "ns", 0), compression, page_index),
                reference,
                "{compression:?} {page_index}"
            );
        }
    }
    for strings in ["utf8", "large", "view", "dict"] {
        for unit in ["s", "ms", "us", "ns"] {
            assert_eq!(membership(&people(strings, unit, 0), Compression::SNAPPY, true), reference, "{strings} {unit}");
        }
    }
}

/// Overwrites every column chunk of the `unused_*` columns with garbage: reading any of them
/// would fail, so a run that succeeds read only the columns it needs.
fn garble_unused_columns(path: &Path) {
    use std::io::{Seek, SeekFrom, Write};
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    let metadata = parquet::file::reader::FileReader::metadata(&reader).clone();
    let mut out = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    let mut garbled = 0;
    for rg in metadata.row_groups() {
        for column in rg.columns() {
            if column.column_path().string().starts_with("unused_") {
                let (start, len) = column.byte_range();
                out.seek(SeekFrom::Start(start)).unwrap();
                out.write_all(&vec![0xA5; len as usize]).unwrap();
                garbled += 1;
            }
        }
    }
    assert!(garbled >= 496, "every unused column chunk is garbled ({garbled})");
}

#[test]
fn a_wide_file_reads_only_the_rule_columns() {
    let reference = membership(&people("utf8", "us", 0), Compression::SNAPPY, true);
    // 500 columns, of which the rules use 2 (plus id and partition).
    let wide = people("view", "ms", 496);
    assert_eq!(wide.num_columns(), 500);
    assert_eq!(
        membership_with(&wide, Compression::ZSTD(ZstdLevel::default()), false, garble_unused_columns),
        reference
    );
}
