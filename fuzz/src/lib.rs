//! The entry points of the fuzz targets (`fuzz/fuzz_targets/`), one per target. Each takes the
//! fuzzer's bytes, drives the library the way the engine does, and panics only when the engine
//! panics or breaks one of its own invariants: an `Err` is a good answer to bad input.
//!
//! `tests/it/fuzz_corpus.rs` includes this file as a module, so `cargo test` runs the seed
//! corpora and the minimized crash inputs of `fuzz/regressions/` through the same code.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once, OnceLock, PoisonError};

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, TimeUnit};
use segcalc::Error;
use segcalc::engine::{Classifier, ListMembers, Members, OUT_OF_SCOPE, PartitionCodes, assemble};
use segcalc::inputs::DatasetPaths;
use segcalc::log::Log;
use segcalc::model::json::Issues;
use segcalc::model::logic::{self, Logic, MAX_DEPTH};
use segcalc::model::spec::HARD_MAX_SEGMENTS;
use segcalc::model::{Model, compile, parse_spec};
use segcalc::people::{PeopleSchema, PeopleSource, RawBatch};
use segcalc::rule::{Condition, Predicate, TypeFamily};
use serde_json::{Value, json};

/// The as-of of every target: the fixtures' (2026-11-01T12:00:00Z), in nanoseconds.
pub const AS_OF_NANOS: i128 = 1_793_534_400 * 1_000_000_000;
const AS_OF: &str = "2026-11-01T12:00:00Z";

/// The name the model target's errors give model.json.
const MODEL_PATH: &str = "model.json";

/// The people schema the `model` and `logic` targets compile against: the columns of the fixture
/// and sample datasets, those the golden models use, and a few more types (one that rules cannot
/// use), so that references, operators and literals are checked against real column types.
pub fn people_schema() -> &'static PeopleSchema {
    static SCHEMA: OnceLock<PeopleSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut schema = PeopleSchema::default();
        let mut issues = Vec::new();
        for (name, data_type) in schema_columns() {
            schema.add(name, &data_type, Path::new("people.parquet"), false, &mut issues);
        }
        assert!(issues.is_empty(), "the fuzz schema conflicts with itself: {issues:?}");
        schema
    })
}

fn schema_columns() -> Vec<(&'static str, DataType)> {
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let utc = Some(Arc::from("UTC"));
    vec![
        // tests/data/fixtures and data/sample
        ("person_id", DataType::Int64),
        ("partition", DataType::Utf8),
        ("industry", dict.clone()),
        ("country", DataType::Utf8),
        ("email", DataType::Utf8),
        ("job_title", DataType::Utf8View),
        ("lifecycle_stage", DataType::LargeUtf8),
        ("lead_score", DataType::Int32),
        ("annual_revenue", DataType::Decimal128(18, 2)),
        ("employees", DataType::Int64),
        ("email_opt_in", DataType::Boolean),
        ("last_activity", DataType::Date32),
        ("created_at", DataType::Timestamp(TimeUnit::Millisecond, utc.clone())),
        // tests/data/golden
        ("big", DataType::UInt64),
        ("d64", DataType::Date64),
        ("huge", DataType::Decimal128(38, 0)),
        ("last_day", DataType::Date32),
        ("opt_in", DataType::Boolean),
        ("price", DataType::Decimal128(10, 2)),
        ("revenue", DataType::Float64),
        ("score", DataType::Int32),
        ("seen", DataType::Timestamp(TimeUnit::Nanosecond, None)),
        ("seen_ms", DataType::Timestamp(TimeUnit::Millisecond, utc)),
        ("seen_us", DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("+02:00")))),
        ("small", DataType::UInt8),
        ("stage", dict),
        ("title", DataType::LargeUtf8),
        ("x", DataType::Utf8),
        // more types
        ("tiny", DataType::Int8),
        ("ratio", DataType::Float32),
        ("cents", DataType::Decimal64(12, 4)),
        ("wide", DataType::Decimal256(50, 10)),
        ("since", DataType::Timestamp(TimeUnit::Second, Some(Arc::from("America/New_York")))),
        ("raw", DataType::Binary),
        ("tags", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))),
    ]
}

// ---------------------------------------------------------------------------------------------
// model: model.json text → spec → compiled model → what a run does with it
// ---------------------------------------------------------------------------------------------

/// The `model` target: `data` as model.json. `Ok` describes the compiled model, `Err` is the
/// message the engine would print.
pub fn model(data: &[u8]) -> Result<String, String> {
    // The engine reads model.json with `read_to_string`, which refuses bytes that are not UTF-8;
    // the lossy text goes on, so that the fuzzer's mutations still reach the JSON reader.
    let text = String::from_utf8_lossy(data);
    let path = Path::new(MODEL_PATH);
    let mut issues = Issues::default();
    let spec = parse_spec(&text, path, &mut issues).map_err(|e| e.to_string())?;

    // As when the people files cannot be read: rules checked for shape only.
    let mut shape_issues = Issues { list: issues.list.clone() };
    let _ = compile(&spec, None, AS_OF_NANOS, &mut shape_issues, &mut Vec::new());

    let mut warnings = Vec::new();
    let model = compile(&spec, Some(people_schema()), AS_OF_NANOS, &mut issues, &mut warnings);
    if !issues.list.is_empty() {
        let error = Error::Model { path: path.to_owned(), issues: issues.into_sorted(), people: Vec::new() };
        return Err(error.to_string());
    }
    check_model(&model, spec.max_approved_segmentations.value, spec.max_segments.value);
    for w in &warnings {
        let _ = w.to_string();
    }

    // What `run` does with a model: partition codes, access rows, and every rule evaluated on
    // two batches that hold the edge values of each column type (strings once dictionary-
    // encoded, once as views: the two forms the scan gives).
    let codes = PartitionCodes::new(&model);
    let access = segcalc::output::access::access_rows(&model);
    let lists: Vec<ListMembers> =
        model.lists.iter().map(|_| ListMembers::new(&[1u32, 3, 5].into_iter().collect())).collect();
    let classifier = Classifier { model: &model, partitions: &codes, lists: &lists, evaluate: true };
    let mut batches = Vec::new();
    for (file, dictionary) in [false, true].into_iter().enumerate() {
        let raw = edge_batch(&model, file, dictionary);
        let batch = classifier
            .classify(&raw, Path::new("people.parquet"))
            .unwrap_or_else(|e| panic!("a model that compiled fails on its own column types: {e}"));
        check_codes(&model, &codes, &batch.partitions, &batch.codes);
        batches.push(batch);
    }
    let files = [PathBuf::from("a.parquet"), PathBuf::from("b.parquet")];
    let table = assemble(batches, &files, &model.id_column, model.segmentations.len())
        .unwrap_or_else(|e| panic!("distinct valid ids do not assemble: {e}"));
    let members = Members::build(&model, &codes, &table, &codes.people_per_code(&table.partitions));
    let members_count: u64 = members.segments.iter().flatten().map(segcalc::engine::PersonSet::len).sum();
    Ok(format!(
        "{} segmentation(s), {} condition(s), {} warning(s), {} access row(s), {members_count} membership(s)",
        model.segmentations.len(),
        model.conditions.len(),
        warnings.len(),
        access.len()
    ))
}

/// The invariants a compiled model promises the engine.
fn check_model(model: &Model, max_approved: u64, max_segments: u64) {
    assert!(model.segmentations.len() as u64 <= max_approved, "more approved segmentations than the limit");
    let schema = people_schema();
    for (name, family) in &model.columns {
        assert_eq!(schema.get(name).and_then(|c| c.family), Some(*family), "column `{name}` has the wrong family");
    }
    for (c, condition) in model.conditions.as_slice().iter().enumerate() {
        let _ = model.conditions.description(c);
        match condition {
            Condition::Column(cc) => assert!(cc.column < model.columns.len(), "condition {c} names no column"),
            Condition::InList { list } => assert!(*list < model.lists.len(), "condition {c} names no list"),
        }
    }
    for &l in &model.used_lists {
        assert!(l < model.lists.len(), "used list {l} does not exist");
    }
    for s in &model.segmentations {
        // Segment codes are one byte: the segments, `default`, and OUT_OF_SCOPE.
        assert!(s.segments.len() as u64 <= max_segments.min(HARD_MAX_SEGMENTS), "`{}` has too many segments", s.id);
        assert!(s.origin < model.workspaces.len() && s.owner < model.users.len());
        assert_eq!(s.visible_in.first(), Some(&s.origin), "`{}` is not visible in its origin first", s.id);
        let ids: HashSet<&str> = s.segment_ids().into_iter().collect();
        assert_eq!(ids.len(), s.segments.len() + 1, "`{}` has a duplicate segment id", s.id);
        for segment in &s.segments {
            check_predicate(&segment.predicate, model.conditions.len(), 0);
        }
    }
}

fn check_predicate(predicate: &Predicate, conditions: usize, depth: usize) {
    assert!(depth <= 1000, "a predicate nests deeper than 1000");
    match predicate {
        Predicate::Leaf(id) => assert!(*id < conditions, "leaf {id} is not a condition"),
        Predicate::All(parts) | Predicate::Any(parts) => {
            assert!(!parts.is_empty(), "an empty all/any");
            for p in parts {
                check_predicate(p, conditions, depth + 1);
            }
        }
        Predicate::Not(inner) => check_predicate(inner, conditions, depth + 1),
    }
}

/// Every person in scope gets a segment or `default`; the others are out of scope.
fn check_codes(model: &Model, codes: &PartitionCodes, partitions: &[u16], segment_codes: &[Vec<u8>]) {
    assert_eq!(segment_codes.len(), model.segmentations.len(), "one code column per approved segmentation");
    for (s, column) in model.segmentations.iter().zip(segment_codes) {
        for (&code, &partition) in column.iter().zip(partitions) {
            let in_scope = codes.sees[s.origin][usize::from(partition)];
            if in_scope {
                assert!(usize::from(code) <= s.segments.len(), "`{}`: code {code} is no segment", s.id);
            } else {
                assert_eq!(code, OUT_OF_SCOPE, "`{}`: a person out of scope has a segment", s.id);
            }
        }
    }
}

const EDGE_ROWS: usize = 8;

/// One batch of [`EDGE_ROWS`] people holding, for every column the model reads, extreme values,
/// nulls and ordinary ones.
fn edge_batch(model: &Model, file: usize, dictionary: bool) -> RawBatch {
    let first = (file * EDGE_ROWS) as i64;
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(first..first + EDGE_ROWS as i64));
    let partitions =
        [Some("emea"), Some("na"), None, Some("latam"), Some("apac"), Some("elsewhere"), Some("p"), Some("")];
    let partitions = text_array(&StringArray::from(partitions.to_vec()), dictionary);
    let schema = people_schema();
    let columns = model
        .columns
        .iter()
        .map(|(name, family)| {
            let column = schema.get(name).expect("compiled columns are in the schema");
            edge_array(&column.data_type, *family, dictionary)
        })
        .collect();
    RawBatch { file, first_row: 0, ids, partitions, columns }
}

fn text_array(values: &StringArray, dictionary: bool) -> ArrayRef {
    let to = if dictionary {
        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
    } else {
        DataType::Utf8View
    };
    arrow_cast::cast(values, &to).expect("strings cast to dictionary or view")
}

fn edge_array(data_type: &DataType, family: TypeFamily, dictionary: bool) -> ArrayRef {
    let ints =
        Int64Array::from(vec![Some(0), Some(1), Some(-1), Some(i64::MIN), Some(i64::MAX), None, Some(42), Some(80)]);
    let cast = |from: &dyn arrow_array::Array| {
        arrow_cast::cast(from, data_type).unwrap_or_else(|e| panic!("edge values do not cast to {data_type}: {e}"))
    };
    match (family, data_type) {
        (TypeFamily::Text, _) => {
            let text = ["Healthcare", "", "HEALTHCARE", "Média", "İstanbul", "x", "Technology"];
            let mut values: Vec<Option<&str>> = text.into_iter().map(Some).collect();
            values.insert(3, None);
            text_array(&StringArray::from(values), dictionary)
        }
        (TypeFamily::Boolean, _) => Arc::new(BooleanArray::from(vec![
            Some(true),
            Some(false),
            None,
            Some(true),
            Some(false),
            None,
            Some(true),
            Some(false),
        ])),
        (TypeFamily::Number, DataType::UInt64) => Arc::new(UInt64Array::from(vec![
            Some(0),
            Some(1),
            Some(u64::MAX),
            None,
            Some(u64::MAX - 1),
            Some(42),
            Some(80),
            Some(7),
        ])),
        (
            TypeFamily::Number,
            DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..),
        ) => {
            let floats = Float64Array::from(vec![
                Some(0.0),
                Some(-0.0),
                Some(0.01),
                Some(-1.5),
                Some(1e30),
                None,
                Some(f64::NAN),
                Some(f64::INFINITY),
            ]);
            cast(&floats)
        }
        (TypeFamily::Time, DataType::Date32) => cast(&Int32Array::from(vec![
            Some(0),
            Some(1),
            Some(-1),
            Some(i32::MIN),
            Some(i32::MAX),
            None,
            Some(20_393),
            Some(20_758),
        ])),
        _ => cast(&ints),
    }
}

// ---------------------------------------------------------------------------------------------
// logic: filter logic text → parse → checked, round-tripped, compiled and evaluated
// ---------------------------------------------------------------------------------------------

/// The most filters the `logic` target gives a rule.
pub const LOGIC_MAX_FILTERS: usize = 16;

/// The `logic` target: the first byte modulo 16 is the number of filters (so a seed that starts
/// with `'3'` has 3), the rest is the logic text. `Ok` is the parsed expression, `Err` the
/// parser's message.
pub fn logic(data: &[u8]) -> Result<String, String> {
    let Some((&first, rest)) = data.split_first() else {
        return Err("empty input".to_owned());
    };
    let filters = usize::from(first) % LOGIC_MAX_FILTERS;
    let text = String::from_utf8_lossy(rest);
    let parsed = logic::parse(&text, filters);
    let through_model = logic_through_model(&text, filters);
    match &parsed {
        Ok(expression) => {
            let mut used = vec![false; filters];
            expression.mark_used(&mut used);
            check_logic(expression, filters, 0);
            let rendered = render(expression);
            assert_eq!(
                logic::parse(&rendered, filters).as_ref(),
                Ok(expression),
                "`{text}` parses, but its rendering `{rendered}` parses differently"
            );
            if let Some(result) = through_model {
                let predicate = result.unwrap_or_else(|e| panic!("`{text}` parses but the rule does not compile: {e}"));
                check_evaluation(expression, &predicate, filters);
            }
            Ok(rendered)
        }
        Err(e) => {
            let end = text.chars().count() + 1;
            assert!((1..=end).contains(&e.position), "`{text}`: error position {} outside 1..={end}", e.position);
            if let Some(result) = through_model {
                let message = result.err().unwrap_or_else(|| panic!("`{text}` fails to parse but compiles"));
                assert!(message.contains("bad logic"), "`{text}`: the model reports `{message}`, not the logic");
            }
            Err(e.to_string())
        }
    }
}

fn check_logic(expression: &Logic, filters: usize, depth: usize) {
    assert!(depth <= 2 * MAX_DEPTH + 3, "the expression nests deeper than the parser allows");
    match expression {
        Logic::Filter(i) => assert!(*i < filters, "filter {} of {filters}", i + 1),
        Logic::Not(inner) => check_logic(inner, filters, depth + 1),
        Logic::And(parts) | Logic::Or(parts) => {
            assert!(parts.len() >= 2, "an and/or of fewer than two parts");
            for p in parts {
                check_logic(p, filters, depth + 1);
            }
        }
    }
}

/// The expression as text that parses back to it, with parentheses only where the structure
/// needs them (so never deeper than the text it came from).
fn render(expression: &Logic) -> String {
    fn part(expression: &Logic, parent_is_or: bool) -> String {
        match expression {
            Logic::And(_) if parent_is_or => render(expression),
            Logic::And(_) | Logic::Or(_) => format!("({})", render(expression)),
            _ => render(expression),
        }
    }
    match expression {
        Logic::Filter(i) => (i + 1).to_string(),
        Logic::Not(inner) => format!("not {}", part(inner, false)),
        Logic::And(parts) => parts.iter().map(|p| part(p, false)).collect::<Vec<_>>().join(" and "),
        Logic::Or(parts) => parts.iter().map(|p| part(p, true)).collect::<Vec<_>>().join(" or "),
    }
}

/// The logic in a one-segment model whose filters are distinct conditions on one column, so
/// filter `i` becomes condition `i`. `None` with no filters (a rule needs one).
fn logic_through_model(text: &str, filters: usize) -> Option<Result<Predicate, String>> {
    if filters == 0 {
        return None;
    }
    let filter_list: Vec<Value> = (0..filters).map(|i| json!({"field": "score", "op": "is", "value": i})).collect();
    let model = json!({
        "workspaces": [{"id": "w", "partitions": "all"}],
        "users": [{"id": "u", "admin": true, "workspaces": "all"}],
        "segmentations": [{"id": "s", "workspace": "w", "owner": "u", "status": "approved",
            "segments": [{"id": "g", "rule": {"filters": filter_list, "logic": text}}]}]
    });
    let path = Path::new(MODEL_PATH);
    let mut issues = Issues::default();
    let result = parse_spec(&model.to_string(), path, &mut issues).map_err(|e| e.to_string()).and_then(|spec| {
        let model = compile(&spec, Some(people_schema()), AS_OF_NANOS, &mut issues, &mut Vec::new());
        if !issues.list.is_empty() {
            return Err(
                Error::Model { path: path.to_owned(), issues: issues.into_sorted(), people: Vec::new() }.to_string()
            );
        }
        assert_eq!(model.conditions.len(), filters, "distinct filters are distinct conditions");
        Ok(model.segmentations[0].segments[0].predicate.clone())
    });
    Some(result)
}

const LOGIC_ROWS: usize = 64;

/// Whether filter `filter` holds on row `row`: every combination of the first six filters, and
/// a fixed scramble for the others.
fn filter_holds(filter: usize, row: usize) -> bool {
    if filter < 6 {
        return row >> filter & 1 == 1;
    }
    let mut h = (filter as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (row as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    h ^= h >> 29;
    h.wrapping_mul(0x94D0_49BB_1331_11EB) >> 63 == 1
}

fn holds(expression: &Logic, row: usize) -> bool {
    match expression {
        Logic::Filter(i) => filter_holds(*i, row),
        Logic::Not(inner) => !holds(inner, row),
        Logic::And(parts) => parts.iter().all(|p| holds(p, row)),
        Logic::Or(parts) => parts.iter().any(|p| holds(p, row)),
    }
}

/// The compiled predicate, evaluated as the engine does, agrees with the expression row by row.
fn check_evaluation(expression: &Logic, predicate: &Predicate, filters: usize) {
    let mut leaf = |id: usize| -> Result<arrow_buffer::BooleanBuffer, String> {
        assert!(id < filters, "leaf {id} of {filters} filters");
        Ok(arrow_buffer::BooleanBuffer::collect_bool(LOGIC_ROWS, |row| filter_holds(id, row)))
    };
    let bits = predicate.evaluate(LOGIC_ROWS, &mut leaf).expect("leaves do not fail");
    for row in 0..LOGIC_ROWS {
        assert_eq!(bits.value(row), holds(expression, row), "row {row}: the compiled rule disagrees with the logic");
    }
}

// ---------------------------------------------------------------------------------------------
// Panics of the Parquet reader
// ---------------------------------------------------------------------------------------------

/// A panic raised inside the Parquet reader's crates (`parquet`, `arrow-*`, the codecs), which
/// panic on some corrupt files instead of returning an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderPanic {
    /// `file:line:column` of the `panic!`, in the dependency's source.
    pub location: String,
    pub message: String,
}

impl std::fmt::Display for ReaderPanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at {})", self.message, self.location)
    }
}

static LAST_READER_PANIC: Mutex<Option<ReaderPanic>> = Mutex::new(None);

/// Source folders of the crates whose panics count as the reader's (registry paths are
/// `.../<crate>-<version>/src/...`).
const READER_CRATES: [&str; 9] = [
    "/parquet-",
    "/arrow-",
    "/snap-",
    "/lz4_flex-",
    "/brotli-",
    "/brotli-decompressor-",
    "/flate2-",
    "/zlib-rs-",
    "/zstd-",
];

/// Installs, once, a panic hook in front of the current one: a panic raised inside the reader's
/// crates is recorded for [`catch_reader_panic`] and not passed on (the engine may catch it and
/// answer with an error); every other panic goes to the previous hook, which under libFuzzer
/// aborts: a crash.
pub fn install_reader_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info.location().map(ToString::to_string).unwrap_or_default();
            if READER_CRATES.iter().any(|c| location.contains(c)) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                *LAST_READER_PANIC.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(ReaderPanic { location, message });
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a reader panic that escapes it comes back as `Err` (with
/// [`install_reader_panic_hook`] installed), any other panic goes on unwinding.
pub fn catch_reader_panic<T>(f: impl FnOnce() -> T) -> Result<T, ReaderPanic> {
    LAST_READER_PANIC.lock().unwrap_or_else(PoisonError::into_inner).take();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(value) => Ok(value),
        Err(payload) => match LAST_READER_PANIC.lock().unwrap_or_else(PoisonError::into_inner).take() {
            Some(panic) => Err(panic),
            None => std::panic::resume_unwind(payload),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// parquet: a people file → the engine's load, scan, classify and assemble
// ---------------------------------------------------------------------------------------------

/// The `parquet` target: `data` as the one people file of a dataset in `scratch` (at
/// `people/partition=emea/part-0.parquet`, so a file without a partition column gets one from
/// the folder), with a model that has a rule on every column the file's schema shows, run
/// through [`segcalc::run::prepare`] as `run` does. `Ok` counts people, `Err` is the message.
pub fn parquet(data: &[u8], scratch: &Path) -> Result<String, String> {
    let dataset = parquet_dataset(data, scratch);
    let paths = DatasetPaths::local(&dataset);
    let as_of = segcalc::run::parse_as_of(Some(AS_OF), chrono::Utc::now()).expect("a valid as-of");
    let prepared = segcalc::run::prepare(&paths, as_of, true, &Log::new(true)).map_err(|e| e.to_string())?;
    let model = &prepared.inputs.model;
    let table = &prepared.table;
    check_codes(model, &prepared.codes, &table.partitions, &table.codes);
    assert!(table.ids.windows(2).all(|w| w[0] < w[1]), "the people table is not sorted by unique id");
    let members = Members::build(model, &prepared.codes, table, &prepared.per_code);
    let mut summary = format!("{} people", table.len());
    for (s, segments) in model.segmentations.iter().zip(&members.segments) {
        let counts: Vec<String> = segments.iter().map(|b| b.len().to_string()).collect();
        let _ = write!(summary, "; {}: {}", s.id, counts.join(" "));
    }
    Ok(summary)
}

/// The dataset the `parquet` target runs: `data` as its one people file, and a model with a rule
/// on every column the file's schema shows. Returns the dataset folder.
pub fn parquet_dataset(data: &[u8], scratch: &Path) -> std::path::PathBuf {
    let dataset = scratch.join("dataset");
    let people = dataset.join("people");
    let folder = people.join("partition=emea");
    std::fs::create_dir_all(&folder).expect("the scratch folder is writable");
    std::fs::write(folder.join("part-0.parquet"), data).expect("the scratch folder is writable");
    let model = PeopleSource::open(&people.as_path().into())
        .map_or_else(|_| rules_for(None), |source| rules_for(Some(&source.schema)));
    std::fs::write(dataset.join("model.json"), model.to_string()).expect("the scratch folder is writable");
    dataset
}

/// A model with one segment per usable column of `schema` (at most 100), each a rule that fits
/// the column's family, so that scanning decodes every such column.
fn rules_for(schema: Option<&PeopleSchema>) -> Value {
    let mut segments = vec![json!({"id": "ids", "rule": {"field": "person_id", "op": "at_least", "value": 0}})];
    for column in schema.iter().flat_map(|s| s.columns.values()) {
        if segments.len() >= 100 || column.name == "person_id" || column.name == "partition" {
            continue;
        }
        let field = column.name.as_str();
        let rule = match column.family {
            Some(TypeFamily::Text) => json!({"field": field, "op": "contains", "value": "a"}),
            Some(TypeFamily::Number) => json!({"field": field, "op": "between", "min": -1.5, "max": 1_000_000}),
            Some(TypeFamily::Boolean) => json!({"field": field, "op": "is", "value": true}),
            Some(TypeFamily::Time) => json!({"field": field, "op": "in_past", "days": 3650}),
            None => continue,
        };
        segments.push(json!({"id": format!("c{}", segments.len()), "rule": rule}));
    }
    json!({
        "workspaces": [{"id": "all", "partitions": "all"}, {"id": "emea", "partitions": ["emea"]}],
        "users": [{"id": "ann", "admin": true, "workspaces": "all"}],
        "segmentations": [{"id": "s", "workspace": "all", "owner": "ann", "status": "approved",
            "segments": segments, "shares": [{"workspace": "emea"}]}]
    })
}
