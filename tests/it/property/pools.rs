//! The table's shape and the value pools: the attribute columns and their type families, the
//! Arrow types a file may give each family, the cell values each type can hold (with the ends of
//! each type), and the literals rules draw from.

use arrow_schema::{DataType, TimeUnit};

pub(super) const AS_OF: &str = "2026-11-01T12:00:00Z";
pub(super) const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Text,
    Int,
    Float,
    Decimal,
    Bool,
    Date,
    Timestamp,
}

/// The attribute columns; each file picks one Arrow type of the family for each.
pub(super) const COLUMNS: [(&str, Family); 11] = [
    ("industry", Family::Text),
    ("email", Family::Text),
    ("employees", Family::Int),
    ("score", Family::Int),
    ("ratio", Family::Float),
    ("revenue", Family::Decimal),
    ("active", Family::Bool),
    ("birthday", Family::Date),
    ("renewal", Family::Date),
    ("signed_up", Family::Timestamp),
    ("last_seen", Family::Timestamp),
];

/// String values of the table: case variants, non-ASCII, the empty string, and letters whose
/// lowercase is special (`ß`, final sigma, dotted `İ`, the Kelvin sign, the `ﬁ` ligature).
pub(super) const TEXT_POOL: &[&str] = &[
    "Healthcare",
    "HEALTHCARE",
    "healthcare",
    "HealthCare ",
    "Hospital & Health Care",
    "Média",
    "MÉDIA",
    "média",
    "",
    " ",
    "fin",
    "Finance",
    "FINANCE",
    "ﬁnance",
    "x@gmail.com",
    "X@GMAIL.COM",
    "Straße",
    "STRASSE",
    "ΟΔΟΣ",
    "οδος",
    "İstanbul",
    "istanbul",
    "\u{212A}elvin",
    "kelvin",
];

/// Needles of string conditions (each also used upper- and lowercased).
pub(super) const NEEDLES: &[&str] = &[
    "Healthcare",
    "health",
    "CARE",
    "care ",
    "Hospital & Health Care",
    "Média",
    "méd",
    "É",
    "",
    " ",
    "fin",
    "Finance",
    "ance",
    "x@gmail.com",
    "@GMAIL.COM",
    "gmail",
    "Straße",
    "ss",
    "ß",
    "σ",
    "ΟΔΟΣ",
    "İ",
    "i",
    "kelvin",
    "K",
];

/// Integer candidates; each Arrow type keeps those in its range and adds its own min and max.
const INT_CANDIDATES: &[i128] = &[0, 1, -1, 2, -2, 3, 5, 100, -100, 127, -128, 255, 1000];

/// Float values, each exact in `f16`, `f32` and `f64`, with their exact rational value (`den` 0
/// for NaN; the infinities as numbers beyond every literal).
pub(super) const FLOAT_POOL: &[(f64, i128, i128)] = &[
    (f64::NAN, 0, 0),
    (f64::INFINITY, i128::MAX, 1),
    (f64::NEG_INFINITY, -i128::MAX, 1),
    (-2.5, -5, 2),
    (0.0, 0, 1),
    (-0.0, 0, 1),
    (1.0, 1, 1),
    (3.25, 13, 4),
    (2.0, 2, 1),
    (-1.0, -1, 1),
    (0.5, 1, 2),
    (100.0, 100, 1),
    (1.25, 5, 4),
];

/// Decimal values in thousandths; a column of scale s keeps those it holds exactly.
const DECIMAL_POOL: &[i128] = &[
    -2500,
    0,
    1000,
    1005,
    1010,
    3250,
    100_000,
    -10,
    500,
    2000,
    2500,
    1,
    -1,
    127_000,
    // Beyond 2^100 (about 1.27e30), for the decimal types of 38 digits and more.
    10i128.pow(37) - 1000,
    10i128.pow(37),
    10i128.pow(37) + 1,
    -(10i128.pow(37)),
    10i128.pow(34) - 1,
];

/// Number literals of rules, as JSON text.
pub(super) const NUMBER_LITERALS: &[&str] = &[
    "0", "-0", "0.0", "1", "-1", "2", "2.50", "-2.5", "3.25", "1.005", "1.01", "0.5", "100", "127", "-128", "255",
    "1000", "0.001", "1e2", "2.5e-1",
];

/// Number literals at and beyond the ends of the integer types.
pub(super) const EXTREME_LITERALS: &[&str] = &[
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "1e19",
    "1e31",
    "1e34",
    "-1e34",
    "1e37",
    "-1e19",
    "4294967295",
];

pub(super) const DAY_LITERALS: &[&str] = &[
    "2026-11-01",
    "2026-10-31",
    "2026-11-02",
    "2026-10-02",
    "2025-11-01",
    "2026-06-30",
    "2026-07-01",
    "2025-12-31",
    "2026-01-01",
    "2026-03-08",
    "2026-12-31",
    "1969-12-31",
    "2262-04-11",
    "1677-09-21",
];

pub(super) const INSTANT_LITERALS: &[&str] = &[
    "2026-06-30T23:30:00-02:00",
    "2026-11-01T12:00:00Z",
    "2026-11-01T12:00:00.000000001Z",
    "2026-10-31T22:00:00+02:00",
    "2026-07-01T00:00:00Z",
    "2026-01-01T00:00:00.5+01:00",
    "2025-12-31T23:59:59.999999999Z",
    "2026-03-08T02:30:00-05:00",
    "2026-11-01T00:00:00+00:00",
    "2026-11-02T01:00:00+14:00",
    "2026-10-25T12:00:00.123456789-09:30",
    "1970-01-01T00:00:00.5+01:00",
    // Beyond what a nanosecond timestamp holds.
    "2300-01-01T00:00:00Z",
    "1600-01-01T00:00:00Z",
];

pub(super) const DAYS: &[u32] = &[0, 1, 2, 7, 30, 365, 36_500, 1_000_000];

/// A cell is null when its draw (0..=255) is below its column's threshold: never, ~10 %, ~30 %,
/// ~60 %, always.
pub(super) const NULL_THRESHOLDS: &[u16] = &[0, 26, 77, 154, 256];

fn text_types() -> Vec<DataType> {
    let dict = |k: DataType, v: DataType| DataType::Dictionary(Box::new(k), Box::new(v));
    vec![
        DataType::Utf8,
        DataType::LargeUtf8,
        DataType::Utf8View,
        dict(DataType::Int32, DataType::Utf8),
        dict(DataType::Int8, DataType::Utf8),
        dict(DataType::UInt16, DataType::Utf8),
        dict(DataType::Int32, DataType::LargeUtf8),
        // docs/MODEL.md: Binary is read as UTF-8.
        DataType::Binary,
        DataType::LargeBinary,
    ]
}

pub(super) fn types_of(family: Family) -> Vec<DataType> {
    match family {
        Family::Text => text_types(),
        Family::Int => vec![
            DataType::Int8,
            DataType::Int16,
            DataType::Int32,
            DataType::Int64,
            DataType::UInt8,
            DataType::UInt16,
            DataType::UInt32,
            DataType::UInt64,
        ],
        Family::Float => vec![DataType::Float64, DataType::Float32, DataType::Float16],
        Family::Decimal => vec![
            DataType::Decimal128(10, 2),
            DataType::Decimal128(12, 3),
            DataType::Decimal128(5, 0),
            DataType::Decimal128(38, 3),
            DataType::Decimal64(10, 2),
            DataType::Decimal32(9, 3),
            DataType::Decimal256(20, 3),
            DataType::Decimal128(38, 0),
        ],
        Family::Bool => vec![DataType::Boolean],
        Family::Date => vec![DataType::Date32, DataType::Date64],
        Family::Timestamp => {
            let zones: [Option<&str>; 5] =
                [None, Some("UTC"), Some("+02:00"), Some("America/New_York"), Some("-05:30")];
            let units = [TimeUnit::Second, TimeUnit::Millisecond, TimeUnit::Microsecond, TimeUnit::Nanosecond];
            units.iter().flat_map(|u| zones.iter().map(move |z| DataType::Timestamp(*u, z.map(Into::into)))).collect()
        }
    }
}

fn int_range(dt: &DataType) -> (i128, i128) {
    match dt {
        DataType::Int8 => (i128::from(i8::MIN), i128::from(i8::MAX)),
        DataType::Int16 => (i128::from(i16::MIN), i128::from(i16::MAX)),
        DataType::Int32 => (i128::from(i32::MIN), i128::from(i32::MAX)),
        DataType::Int64 => (i128::from(i64::MIN), i128::from(i64::MAX)),
        DataType::UInt8 => (0, i128::from(u8::MAX)),
        DataType::UInt16 => (0, i128::from(u16::MAX)),
        DataType::UInt32 => (0, i128::from(u32::MAX)),
        DataType::UInt64 => (0, i128::from(u64::MAX)),
        other => unreachable!("not an integer type: {other}"),
    }
}

pub(super) fn int_pool(dt: &DataType) -> Vec<i128> {
    let (lo, hi) = int_range(dt);
    let mut pool: Vec<i128> = INT_CANDIDATES.iter().copied().filter(|v| (lo..=hi).contains(v)).collect();
    // The ends of the type, three times: where clamping and overflow bugs live.
    pool.extend([lo, hi, lo, hi, lo, hi]);
    pool
}

pub(super) fn decimal_shape(dt: &DataType) -> (u8, i8) {
    match dt {
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => (*p, *s),
        other => unreachable!("not a decimal type: {other}"),
    }
}

/// `(unscaled value, scale)` candidates of a decimal type.
pub(super) fn decimal_pool(dt: &DataType) -> Vec<i128> {
    let (precision, scale) = decimal_shape(dt);
    let step = 10i128.pow(3 - scale as u32);
    let mut limit = 10i128.checked_pow(u32::from(precision)).unwrap_or(i128::MAX);
    if matches!(dt, DataType::Decimal256(..)) {
        // docs/MODEL.md: "Decimal256 and Float16 are compared as doubles"; keep to values whose
        // order doubles preserve.
        limit = limit.min(10i128.pow(15));
    }
    DECIMAL_POOL.iter().filter(|v| *v % step == 0).map(|v| v / step).filter(|u| u.abs() < limit).collect()
}

pub(super) fn unit_nanos(unit: TimeUnit) -> i128 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}
