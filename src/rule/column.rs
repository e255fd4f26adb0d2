//! `Column`: one batch column in the form the kernels evaluate, whatever Arrow type the file
//! held. Integers become `Int32` when they fit (8- to 32-bit types) and `Int64` otherwise (or
//! exact `Decimal128` for `UInt64`), decimals `Decimal128`, floats `Float64`, `Date32` stays
//! 32-bit day numbers, other dates and timestamps become raw `i64` counts of a unit; strings
//! stay as read (dictionary-encoded or views) so string predicates run once per dictionary
//! value. 32-bit values are kept narrow because comparisons vectorise twice as wide, and x86-64
//! without SSE4.2 has no 64-bit vector compare at all.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal64Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int32Array, Int64Array};
use arrow_schema::{ArrowError, DataType, TimeUnit};

use super::family::TypeFamily;

#[derive(Debug, Clone)]
pub enum Column {
    /// Dictionary(Int32, Utf8) or a plain string array of any kind.
    Text(ArrayRef),
    Int32(Int32Array),
    Int(Int64Array),
    Decimal {
        values: Decimal128Array,
        scale: i8,
    },
    /// Decimals of up to 18 digits, as the reader gives those stored as 32- or 64-bit
    /// integers: unscaled `i64`s, compared four to a vector rather than one `i128` at a time.
    Decimal64 {
        values: Int64Array,
        scale: i8,
    },
    Float(Float64Array),
    Bool(BooleanArray),
    /// `Date32`: days since the epoch.
    Days32(Int32Array),
    /// Counts of `nanos_per_unit` since the epoch; `is_date` for date columns.
    Time {
        raw: Int64Array,
        nanos_per_unit: i64,
        is_date: bool,
    },
}

pub const NANOS_PER_DAY: i64 = 86_400_000_000_000;

impl Column {
    /// Normalises `array` (of a column of `family`) for the kernels.
    pub fn new(array: &ArrayRef, family: TypeFamily) -> Result<Self, ArrowError> {
        let dt = array.data_type();
        Ok(match family {
            TypeFamily::Text => Self::Text(array.clone()),
            TypeFamily::Boolean => Self::Bool(array.as_boolean_opt().ok_or_else(|| unexpected(dt))?.clone()),
            TypeFamily::Number => match dt {
                DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
                    Self::Int32(arrow_cast::cast(array, &DataType::Int32)?.as_primitive::<Int32Type>().clone())
                }
                DataType::Int64 | DataType::UInt32 => {
                    Self::Int(arrow_cast::cast(array, &DataType::Int64)?.as_primitive::<Int64Type>().clone())
                }
                DataType::UInt64 => decimal(&arrow_cast::cast(array, &DataType::Decimal128(20, 0))?)?,
                DataType::Decimal32(p, s) => {
                    let values = arrow_cast::cast(array, &DataType::Decimal64(*p, *s))?;
                    Self::Decimal64 { values: values.as_primitive::<Decimal64Type>().reinterpret_cast(), scale: *s }
                }
                DataType::Decimal64(_, s) => {
                    Self::Decimal64 { values: array.as_primitive::<Decimal64Type>().reinterpret_cast(), scale: *s }
                }
                DataType::Decimal128(..) => decimal(array)?,
                DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal256(..) => {
                    Self::Float(arrow_cast::cast(array, &DataType::Float64)?.as_primitive().clone())
                }
                other => return Err(unexpected(other)),
            },
            TypeFamily::Time => {
                let (raw, nanos_per_unit, is_date) = match dt {
                    DataType::Date32 => {
                        return Ok(Self::Days32(array.as_primitive::<Date32Type>().reinterpret_cast()));
                    }
                    DataType::Date64 => (array.as_primitive::<Date64Type>().reinterpret_cast(), 1_000_000, true),
                    DataType::Timestamp(TimeUnit::Second, _) => {
                        (array.as_primitive::<TimestampSecondType>().reinterpret_cast(), 1_000_000_000, false)
                    }
                    DataType::Timestamp(TimeUnit::Millisecond, _) => {
                        (array.as_primitive::<TimestampMillisecondType>().reinterpret_cast(), 1_000_000, false)
                    }
                    DataType::Timestamp(TimeUnit::Microsecond, _) => {
                        (array.as_primitive::<TimestampMicrosecondType>().reinterpret_cast(), 1_000, false)
                    }
                    DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                        (array.as_primitive::<TimestampNanosecondType>().reinterpret_cast(), 1, false)
                    }
                    other => return Err(unexpected(other)),
                };
                Self::Time { raw, nanos_per_unit, is_date }
            }
        })
    }

    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Text(a) => a.len(),
            Self::Int32(a) | Self::Days32(a) => a.len(),
            Self::Int(a) => a.len(),
            Self::Decimal { values, .. } => values.len(),
            Self::Decimal64 { values, .. } => values.len(),
            Self::Float(a) => a.len(),
            Self::Bool(a) => a.len(),
            Self::Time { raw, .. } => raw.len(),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn decimal(array: &ArrayRef) -> Result<Column, ArrowError> {
    match array.data_type() {
        DataType::Decimal128(_, scale) => Ok(Column::Decimal { values: array.as_primitive().clone(), scale: *scale }),
        other => Err(unexpected(other)),
    }
}

fn unexpected(dt: &DataType) -> ArrowError {
    ArrowError::InvalidArgumentError(format!("unexpected type {dt} for this column"))
}
