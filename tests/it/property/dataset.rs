//! Writing a case's people as Parquet: how each file is laid out ([`FileLayout`]), the Arrow array
//! of each column, and the files themselves (one `people.parquet` or a `people/` folder).

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::{
    Date32Type, Date64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{
    ArrayRef, ArrowPrimitiveType, BooleanArray, Decimal128Array, Float64Array, PrimitiveArray, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

use super::pools::{COLUMNS, decimal_shape, unit_nanos};
use super::strategy::Case;
use super::value::Val;

/// How one people file is written.
#[derive(Debug, Clone)]
pub(super) struct FileLayout {
    /// Where the file's rows start, in thousandths of the table (ignored for the first file).
    pub(super) cut: usize,
    pub(super) id_type: DataType,
    pub(super) partition_type: DataType,
    /// The Arrow type of each of [`COLUMNS`].
    pub(super) types: Vec<DataType>,
    /// The order of the file's columns: 0 = id, 1 = partition, 2 + i = `COLUMNS[i]`.
    pub(super) order: Vec<usize>,
    pub(super) row_group_rows: Option<usize>,
    pub(super) dictionary: bool,
    pub(super) tiny_dictionary_pages: bool,
    pub(super) page_rows: usize,
}

fn primitive<T>(values: impl Iterator<Item = Option<i128>>) -> PrimitiveArray<T>
where
    T: ArrowPrimitiveType,
    T::Native: TryFrom<i128>,
{
    values.map(|v| v.map(|x| T::Native::try_from(x).ok().expect("value fits its type"))).collect()
}

fn cast(array: &dyn arrow_array::Array, to: &DataType) -> ArrayRef {
    arrow_cast::cast(array, to).expect("a supported cast")
}

/// The Arrow array of one column of one file.
fn build_array(dt: &DataType, values: &[&Val]) -> ArrayRef {
    let ints = || {
        values.iter().map(|v| match v {
            Val::Int(x) => Some(*x),
            Val::Null => None,
            other => unreachable!("{other:?}"),
        })
    };
    match dt {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Binary
        | DataType::LargeBinary
        | DataType::Dictionary(..) => {
            let base: StringArray = values
                .iter()
                .map(|v| match v {
                    Val::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            cast(&base, dt)
        }
        DataType::Int8 => Arc::new(primitive::<Int8Type>(ints())),
        DataType::Int16 => Arc::new(primitive::<Int16Type>(ints())),
        DataType::Int32 => Arc::new(primitive::<Int32Type>(ints())),
        DataType::Int64 => Arc::new(primitive::<Int64Type>(ints())),
        DataType::UInt8 => Arc::new(primitive::<UInt8Type>(ints())),
        DataType::UInt16 => Arc::new(primitive::<UInt16Type>(ints())),
        DataType::UInt32 => Arc::new(primitive::<UInt32Type>(ints())),
        DataType::UInt64 => Arc::new(primitive::<UInt64Type>(ints())),
        DataType::Float64 | DataType::Float32 | DataType::Float16 => {
            let base: Float64Array = values
                .iter()
                .map(|v| match v {
                    Val::Float { value, .. } => Some(*value),
                    _ => None,
                })
                .collect();
            cast(&base, dt)
        }
        DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            let (_, scale) = decimal_shape(dt);
            let base: Decimal128Array = values
                .iter()
                .map(|v| match v {
                    Val::Decimal { unscaled, .. } => Some(*unscaled),
                    _ => None,
                })
                .collect::<Decimal128Array>()
                .with_precision_and_scale(38, scale)
                .expect("a valid decimal type");
            cast(&base, dt)
        }
        DataType::Boolean => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Val::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect::<BooleanArray>(),
        ),
        DataType::Date32 | DataType::Date64 => {
            let per_unit = if *dt == DataType::Date32 { 1 } else { 86_400_000 };
            let days = values.iter().map(|v| match v {
                Val::Day(d) => Some(i128::from(*d) * per_unit),
                _ => None,
            });
            if *dt == DataType::Date32 {
                Arc::new(primitive::<Date32Type>(days))
            } else {
                Arc::new(primitive::<Date64Type>(days))
            }
        }
        DataType::Timestamp(unit, zone) => {
            let per = unit_nanos(*unit);
            let raw = values.iter().map(|v| match v {
                Val::Instant(ns) => Some(ns / per),
                _ => None,
            });
            let zone = zone.clone();
            match unit {
                TimeUnit::Second => Arc::new(primitive::<TimestampSecondType>(raw).with_timezone_opt(zone)),
                TimeUnit::Millisecond => Arc::new(primitive::<TimestampMillisecondType>(raw).with_timezone_opt(zone)),
                TimeUnit::Microsecond => Arc::new(primitive::<TimestampMicrosecondType>(raw).with_timezone_opt(zone)),
                TimeUnit::Nanosecond => Arc::new(primitive::<TimestampNanosecondType>(raw).with_timezone_opt(zone)),
            }
        }
        other => unreachable!("no builder for {other}"),
    }
}

/// The row ranges of the files: the first starts at 0, the last ends at `rows`.
pub(super) fn file_ranges(files: &[FileLayout], rows: usize) -> Vec<std::ops::Range<usize>> {
    let mut cuts: Vec<usize> = files.iter().skip(1).map(|f| rows * f.cut / 1000).collect();
    cuts.sort_unstable();
    let starts = std::iter::once(0).chain(cuts.iter().copied());
    let ends = cuts.iter().copied().chain(std::iter::once(rows));
    starts.zip(ends).map(|(a, b)| a..b).collect()
}

/// Writes the people files into `dir`; returns each file's path (relative) for messages.
pub(super) fn write_people(dir: &Path, case: &Case, values: &[Vec<Val>]) -> Vec<String> {
    let ranges = file_ranges(&case.files, case.ids.len());
    let single = case.files.len() == 1;
    if !single {
        std::fs::create_dir_all(dir.join("people")).expect("people folder");
    }
    let mut names = Vec::new();
    for (layout, range) in case.files.iter().zip(ranges) {
        let name = if single { "people.parquet".to_owned() } else { format!("people/part-{}.parquet", names.len()) };
        let ids: Vec<Val> = case.ids[range.clone()].iter().map(|id| Val::Int(i128::from(*id))).collect();
        let partitions: Vec<Val> = range.clone().map(|_| Val::Text("p1".into())).collect();
        let mut columns: Vec<(Field, ArrayRef)> = Vec::new();
        for &slot in &layout.order {
            let (name, dt, column_values, nullable): (&str, &DataType, Vec<&Val>, bool) = match slot {
                0 => ("person_id", &layout.id_type, ids.iter().collect(), false),
                1 => ("partition", &layout.partition_type, partitions.iter().collect(), true),
                _ => {
                    let c = slot - 2;
                    (COLUMNS[c].0, &layout.types[c], values[range.clone()].iter().map(|row| &row[c]).collect(), true)
                }
            };
            let array = build_array(dt, &column_values);
            columns.push((Field::new(name, dt.clone(), nullable), array));
        }
        let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), arrays).expect("a valid batch");
        let mut props = WriterProperties::builder()
            .set_max_row_group_row_count(layout.row_group_rows)
            .set_dictionary_enabled(layout.dictionary)
            .set_data_page_row_count_limit(layout.page_rows)
            .set_write_batch_size(layout.page_rows);
        if layout.tiny_dictionary_pages {
            props = props.set_dictionary_page_size_limit(16);
        }
        let file = std::fs::File::create(dir.join(&name)).expect("create people file");
        let mut writer = ArrowWriter::try_new(file, schema, Some(props.build())).expect("a parquet writer");
        writer.write(&batch).expect("write people");
        writer.close().expect("close people file");
        names.push(name);
    }
    names
}
