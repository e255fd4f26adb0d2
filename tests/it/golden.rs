//! Golden tests: each folder under `tests/data/golden/` is one case — `model.json`,
//! `people.json` (typed columns and rows, turned into Parquet here), optional `args` (extra
//! command-line arguments, one per line) and `lists/*.json` — and `expected.txt`: the exit code,
//! the warnings or errors, and the membership as sorted `workspace,segmentation,segment,person_id`
//! lines. `UPDATE_GOLDEN=1 cargo test golden` rewrites the expectations; review the diff like code.
//!
//! people.json:
//! `{"files": [{"path": "people.parquet", "columns": [["person_id", "uint32"], ...], "rows": [[1, ...]]}]}`
//! Types: int8..int64, uint8..uint64, float32, float64, decimal(P,S), bool, date32, date64,
//! timestamp[UNIT] or timestamp[UNIT,ZONE], utf8, `large_utf8`, `utf8_view`, dict. Dates and
//! timestamps are written as text ("2026-01-31", RFC 3339), decimals as text ("12.50").

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Date64Builder, Decimal128Builder, Float32Builder, Float64Builder, Int8Builder,
    Int16Builder, Int32Builder, Int64Builder, LargeStringBuilder, StringBuilder, StringDictionaryBuilder,
    StringViewBuilder, UInt8Builder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

use crate::support::{current_id, current_run, data_dir, membership_lines, run_cli, segment_sets, stderr};

#[test]
fn golden_cases() {
    let root = data_dir().join("golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases: Vec<_> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 10, "golden cases are present");
    let mut failures = Vec::new();
    for case in &cases {
        let actual = run_case(case);
        let expected_path = case.join("expected.txt");
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "--- {} (UPDATE_GOLDEN=1 rewrites)\n{}",
                case.file_name().unwrap().to_string_lossy(),
                diff(&expected, &actual)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for line in &e {
        if !a.contains(line) {
            let _ = writeln!(out, "- {line}");
        }
    }
    for line in &a {
        if !e.contains(line) {
            let _ = writeln!(out, "+ {line}");
        }
    }
    out
}

/// Builds the dataset in a temporary folder, runs it, renders the outcome as text.
fn run_case(case: &Path) -> String {
    let dataset = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::copy(case.join("model.json"), dataset.path().join("model.json")).unwrap();
    let people: Value = serde_json::from_str(&std::fs::read_to_string(case.join("people.json")).unwrap()).unwrap();
    for file in people["files"].as_array().unwrap() {
        let path = dataset.path().join(file["path"].as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_parquet(&path, file);
    }
    if let Ok(entries) = std::fs::read_dir(case.join("lists")) {
        std::fs::create_dir_all(dataset.path().join("lists")).unwrap();
        for entry in entries {
            let path = entry.unwrap().path();
            let list: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            write_parquet(&dataset.path().join("lists").join(format!("{name}.parquet")), &list);
        }
    }
    let mut args: Vec<String> = vec![
        "run".into(),
        dataset.path().display().to_string(),
        "--out".into(),
        out.path().display().to_string(),
        "--as-of".into(),
        "2026-11-01T12:00:00Z".into(),
    ];
    if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
        args.extend(extra.lines().filter(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned()));
    }
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_cli(&arg_refs);
    let code = output.status.code().unwrap_or(-1);
    let dataset_text = dataset.path().display().to_string();
    let mut text = format!("exit: {code}\n");
    let diagnostics: Vec<String> = stderr(&output)
        .lines()
        .filter(|l| l.starts_with("warning:") || l.starts_with("error:") || l.starts_with("  - "))
        .map(|l| l.replace(&dataset_text, "<dataset>"))
        .collect();
    if !diagnostics.is_empty() {
        text.push_str("diagnostics:\n");
        for line in diagnostics {
            text.push_str(&line);
            text.push('\n');
        }
    }
    if code == 0 {
        assert_bitmaps_match_membership(out.path());
        text.push_str("membership:\n");
        for line in membership_lines(out.path()) {
            text.push_str(&line);
            text.push('\n');
        }
    } else {
        assert!(current_id(out.path()).is_none(), "a failed run publishes nothing");
    }
    text
}

/// Every segment set the manifest names holds exactly the membership rows of (W, S, segment).
fn assert_bitmaps_match_membership(out: &Path) {
    let mut from_files: Vec<String> = Vec::new();
    for (name, bitmap) in segment_sets(&current_run(out)) {
        let name = name.replace('/', ",");
        from_files.extend(bitmap.iter().map(|id| format!("{name},{id}")));
    }
    from_files.sort();
    assert_eq!(from_files, membership_lines(out), "bitmaps and membership files disagree");
}

fn data_type(name: &str) -> DataType {
    if let Some(inner) = name.strip_prefix("decimal(").and_then(|s| s.strip_suffix(')')) {
        let (p, s) = inner.split_once(',').unwrap();
        return DataType::Decimal128(p.trim().parse().unwrap(), s.trim().parse().unwrap());
    }
    if let Some(inner) = name.strip_prefix("timestamp[").and_then(|s| s.strip_suffix(']')) {
        let (unit, zone) = match inner.split_once(',') {
            Some((u, z)) => (u, Some(Arc::from(z.trim()))),
            None => (inner, None),
        };
        let unit = match unit {
            "s" => TimeUnit::Second,
            "ms" => TimeUnit::Millisecond,
            "us" => TimeUnit::Microsecond,
            _ => TimeUnit::Nanosecond,
        };
        return DataType::Timestamp(unit, zone);
    }
    match name {
        "int8" => DataType::Int8,
        "int16" => DataType::Int16,
        "int32" => DataType::Int32,
        "int64" => DataType::Int64,
        "uint8" => DataType::UInt8,
        "uint16" => DataType::UInt16,
        "uint32" => DataType::UInt32,
        "uint64" => DataType::UInt64,
        "float32" => DataType::Float32,
        "float64" => DataType::Float64,
        "bool" => DataType::Boolean,
        "date32" => DataType::Date32,
        "date64" => DataType::Date64,
        "utf8" => DataType::Utf8,
        "large_utf8" => DataType::LargeUtf8,
        "utf8_view" => DataType::Utf8View,
        "dict" => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        other => panic!("unknown type {other} in people.json"),
    }
}

fn nanos(text: &str) -> i128 {
    let t = chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|_| panic!("bad timestamp {text}"));
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

fn days(text: &str) -> i32 {
    let d = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

fn decimal(text: &str, scale: i8) -> i128 {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let mut frac = frac.to_owned();
    while frac.len() < scale as usize {
        frac.push('0');
    }
    let negative = int.starts_with('-');
    let magnitude: i128 = format!("{}{frac}", int.trim_start_matches('-')).parse().unwrap();
    if negative { -magnitude } else { magnitude }
}

macro_rules! build {
    ($builder:expr, $rows:expr, $col:expr, $get:expr) => {{
        let mut b = $builder;
        for row in $rows {
            let v = &row[$col];
            if v.is_null() { b.append_null() } else { b.append_value($get(v)) }
        }
        Arc::new(b.finish()) as ArrayRef
    }};
}

fn column(dt: &DataType, rows: &[Value], col: usize) -> ArrayRef {
    let int = |v: &Value| v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"));
    let uint = |v: &Value| v.as_u64().unwrap();
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    match dt {
        DataType::Int8 => build!(Int8Builder::new(), rows, col, |v| int(v) as i8),
        DataType::Int16 => build!(Int16Builder::new(), rows, col, |v| int(v) as i16),
        DataType::Int32 => build!(Int32Builder::new(), rows, col, |v| int(v) as i32),
        DataType::Int64 => build!(Int64Builder::new(), rows, col, int),
        DataType::UInt8 => build!(UInt8Builder::new(), rows, col, |v| uint(v) as u8),
        DataType::UInt16 => build!(UInt16Builder::new(), rows, col, |v| uint(v) as u16),
        DataType::UInt32 => build!(UInt32Builder::new(), rows, col, |v| uint(v) as u32),
        DataType::UInt64 => build!(UInt64Builder::new(), rows, col, uint),
        DataType::Float32 => build!(Float32Builder::new(), rows, col, |v: &Value| v.as_f64().unwrap() as f32),
        DataType::Float64 => build!(Float64Builder::new(), rows, col, |v: &Value| v.as_f64().unwrap()),
        DataType::Decimal128(p, s) => {
            let values =
                build!(Decimal128Builder::new().with_precision_and_scale(*p, *s).unwrap(), rows, col, |v: &Value| {
                    decimal(&text(v), *s)
                });
            arrow_cast::cast(&values, &DataType::Decimal128(*p, *s)).unwrap()
        }
        DataType::Boolean => build!(BooleanBuilder::new(), rows, col, |v: &Value| v.as_bool().unwrap()),
        DataType::Date32 => build!(Date32Builder::new(), rows, col, |v: &Value| days(&text(v))),
        DataType::Date64 => build!(Date64Builder::new(), rows, col, |v: &Value| i64::from(days(&text(v))) * 86_400_000),
        DataType::Timestamp(unit, _) => {
            let per = match unit {
                TimeUnit::Second => 1_000_000_000,
                TimeUnit::Millisecond => 1_000_000,
                TimeUnit::Microsecond => 1_000,
                TimeUnit::Nanosecond => 1,
            };
            let raw = build!(Int64Builder::new(), rows, col, |v: &Value| (nanos(&text(v)) / per) as i64);
            arrow_cast::cast(&raw, dt).unwrap()
        }
        DataType::Utf8 => build!(StringBuilder::new(), rows, col, text),
        DataType::LargeUtf8 => build!(LargeStringBuilder::new(), rows, col, text),
        DataType::Utf8View => build!(StringViewBuilder::new(), rows, col, text),
        DataType::Dictionary(..) => {
            build!(StringDictionaryBuilder::<Int32Type>::new(), rows, col, text)
        }
        other => panic!("unsupported {other}"),
    }
}

fn write_parquet(path: &Path, spec: &Value) {
    let columns = spec["columns"].as_array().unwrap();
    let rows = spec["rows"].as_array().unwrap();
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        let name = c[0].as_str().unwrap();
        let dt = data_type(c[1].as_str().unwrap());
        let array = column(&dt, rows, i);
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let file = std::fs::File::create(path).unwrap();
    // Small row groups, so every case also crosses row-group boundaries.
    let props = WriterProperties::builder().set_max_row_group_row_count(Some(4)).build();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}
