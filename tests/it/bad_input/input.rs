//! The inputs of the bad-input cases: the `pyarrow-dictionary` fixture, and the edits that break
//! its people file, static list and model.json.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Value, json};

use crate::support::data_dir;

/// Where a case builds its input: `ds` is a copy of the fixture, `scratch` an empty folder for
/// files given by option.
pub(super) struct Ctx {
    pub(super) ds: PathBuf,
    pub(super) scratch: PathBuf,
}

pub(super) fn fixture() -> PathBuf {
    data_dir().join("fixtures").join("pyarrow-dictionary")
}

/// The fixture's 600 people as one batch.
pub(super) fn fixture_people() -> RecordBatch {
    static PEOPLE: OnceLock<RecordBatch> = OnceLock::new();
    PEOPLE
        .get_or_init(|| {
            let file = fs::File::open(fixture().join("people.parquet")).unwrap();
            let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
            let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
            arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
        })
        .clone()
}

/// The fixture's person ids, in row order.
pub(super) fn fixture_ids() -> Vec<i64> {
    fixture_people().column_by_name("person_id").unwrap().as_primitive::<Int64Type>().values().to_vec()
}

pub(super) fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

/// `batch` with column `name` replaced by `array` (nullable, of the array's type).
pub(super) fn replace_column(batch: &RecordBatch, name: &str, array: &ArrayRef) -> RecordBatch {
    let schema = batch.schema();
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        if field.name() == name {
            fields.push(Field::new(name, array.data_type().clone(), true));
            columns.push(array.clone());
        } else {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

pub(super) fn drop_column(batch: &RecordBatch, name: &str) -> RecordBatch {
    let mut batch = batch.clone();
    let index = batch.schema().index_of(name).unwrap();
    batch.remove_column(index);
    batch
}

/// `batch` with the id of some rows changed (`None` = null).
pub(super) fn with_ids(batch: &RecordBatch, changes: &[(usize, Option<i64>)]) -> RecordBatch {
    let ids = batch.column_by_name("person_id").unwrap().as_primitive::<Int64Type>();
    let mut values: Vec<Option<i64>> = (0..ids.len()).map(|i| ids.is_valid(i).then(|| ids.value(i))).collect();
    for &(row, id) in changes {
        values[row] = id;
    }
    replace_column(batch, "person_id", &(Arc::new(Int64Array::from(values)) as ArrayRef))
}

/// `batch` with a `tags` column of type List<Utf8>, which rules cannot use.
pub(super) fn with_tags(batch: &RecordBatch) -> RecordBatch {
    let mut tags = ListBuilder::new(StringBuilder::new());
    for i in 0..batch.num_rows() {
        tags.values().append_value(format!("t{}", i % 3));
        tags.append(true);
    }
    let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    let mut columns = batch.columns().to_vec();
    let tags: ArrayRef = Arc::new(tags.finish());
    fields.push(Field::new("tags", tags.data_type().clone(), true));
    columns.push(tags);
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

/// Replaces people.parquet by `people/a.parquet` and `people/b.parquet`.
pub(super) fn split_people(ctx: &Ctx, a: &RecordBatch, b: &RecordBatch) {
    fs::remove_file(ctx.ds.join("people.parquet")).unwrap();
    let dir = ctx.ds.join("people");
    fs::create_dir(&dir).unwrap();
    write_parquet(&dir.join("a.parquet"), a);
    write_parquet(&dir.join("b.parquet"), b);
}

/// Replaces lists/vip.parquet by a file with one column.
pub(super) fn write_list(ctx: &Ctx, column: &str, values: ArrayRef) {
    let schema = Schema::new(vec![Field::new(column, values.data_type().clone(), true)]);
    let batch = RecordBatch::try_new(Arc::new(schema), vec![values]).unwrap();
    write_parquet(&ctx.ds.join("lists").join("vip.parquet"), &batch);
}

/// `n` segments on `industry`.
pub(super) fn segments(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(
                |i| json!({"id": format!("g{i}"), "rule": {"field": "industry", "op": "is", "value": format!("v{i}")}}),
            )
            .collect(),
    )
}

/// Appends `n` copies of the `industry` segmentation with the given status.
pub(super) fn copy_segmentation(model: &mut Value, n: usize, status: &str) {
    for i in 0..n {
        let mut copy = get(model, "/segmentations/0");
        copy["id"] = json!(format!("{status}_copy_{i}"));
        copy["status"] = json!(status);
        push(model, "/segmentations", copy);
    }
}

pub(super) fn get(model: &Value, pointer: &str) -> Value {
    model.pointer(pointer).unwrap_or_else(|| panic!("the fixture model has no {pointer}")).clone()
}

/// Sets the value at a JSON pointer; the last key may be new.
pub(super) fn set(model: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match model.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key.to_owned(), value);
        }
        Some(Value::Array(items)) => items[key.parse::<usize>().unwrap()] = value,
        _ => panic!("the fixture model has no object or list at {parent}"),
    }
}

pub(super) fn remove(model: &mut Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    model
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|map| map.remove(key))
        .unwrap_or_else(|| panic!("the fixture model has no {pointer}"))
}

pub(super) fn push(model: &mut Value, pointer: &str, value: Value) {
    model
        .pointer_mut(pointer)
        .and_then(Value::as_array_mut)
        .unwrap_or_else(|| panic!("the fixture model has no list at {pointer}"))
        .push(value);
}
