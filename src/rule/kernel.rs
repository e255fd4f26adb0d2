//! Vectorised evaluation of one [`ColumnCondition`] over one batch [`Column`].
//!
//! String tests on a dictionary-encoded column run once per dictionary value and are then
//! gathered by key; every other test is a tight loop over the values buffer. Nulls are folded in
//! last, from the validity bitmap.

use std::ops::Bound;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayAccessor, ArrayRef, DictionaryArray};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer};
use arrow_schema::{ArrowError, DataType};

use super::column::Column;
use super::condition::{ColumnCondition, NumberRange, Test, TextOp, TimeKey, TimeRange};
use super::value::{Ratio, integer_range};

/// Evaluates `condition` on `column`: one bit per row.
pub fn evaluate(condition: &ColumnCondition, column: &Column) -> Result<BooleanBuffer, ArrowError> {
    let len = column.len();
    let (positive, nulls) = match (&condition.test, column) {
        (Test::Text { op, needles }, Column::Text(array)) => {
            return text(array, *op, needles, condition);
        }
        (Test::Never, c) => (BooleanBuffer::new_unset(len), nulls_of(c)),
        (Test::Number(ranges), Column::Int32(a)) => {
            let bounds: Vec<(i32, i32)> = ranges.iter().filter_map(|r| within_i32(int_bounds(r, 0)?)).collect();
            (in_ranges(a.values(), &bounds), a.nulls().cloned())
        }
        (Test::Number(ranges), Column::Int(a)) => {
            let bounds: Vec<(i64, i64)> = ranges.iter().filter_map(|r| int_bounds(r, 0)).collect();
            (in_ranges(a.values(), &bounds), a.nulls().cloned())
        }
        (Test::Number(ranges), Column::Decimal { values: a, scale }) => {
            let bounds: Vec<(i128, i128)> = ranges.iter().filter_map(|r| range_in(r, i32::from(*scale))).collect();
            (in_ranges(a.values(), &bounds), a.nulls().cloned())
        }
        (Test::Number(ranges), Column::Float(a)) => {
            let values = a.values();
            let mut positive = BooleanBuffer::new_unset(len);
            for range in ranges {
                let range = FloatRange::new(range);
                positive = &positive | &bits_where(values, |v| range.holds(v));
            }
            (positive, a.nulls().cloned())
        }
        (Test::Bool(wanted), Column::Bool(a)) => {
            let values = a.values();
            let positive = match (wanted.contains(&true), wanted.contains(&false)) {
                (true, true) => BooleanBuffer::new_set(len),
                (true, false) => values.clone(),
                (false, true) => !values,
                (false, false) => BooleanBuffer::new_unset(len),
            };
            (positive, a.nulls().cloned())
        }
        (Test::Time { for_dates, .. }, Column::Days32(days)) => {
            let per_day = super::column::NANOS_PER_DAY;
            let bounds: Vec<(i32, i32)> =
                for_dates.iter().filter_map(|r| within_i32(time_bounds(r, per_day)?)).collect();
            (in_ranges(days.values(), &bounds), days.nulls().cloned())
        }
        (Test::Time { for_dates, for_timestamps }, Column::Time { raw, nanos_per_unit, is_date }) => {
            let ranges = if *is_date { for_dates } else { for_timestamps };
            let bounds: Vec<(i64, i64)> = ranges.iter().filter_map(|r| time_bounds(r, *nanos_per_unit)).collect();
            (in_ranges(raw.values(), &bounds), raw.nulls().cloned())
        }
        (test, column) => {
            return Err(ArrowError::InvalidArgumentError(format!(
                "internal: test {test:?} cannot run on a column read as {}",
                column_kind(column)
            )));
        }
    };
    Ok(finish(positive, nulls.as_ref(), condition))
}

/// Folds nulls and negation into the positive test's bits.
fn finish(positive: BooleanBuffer, nulls: Option<&NullBuffer>, condition: &ColumnCondition) -> BooleanBuffer {
    let with_nulls = match nulls {
        Some(valid) if valid.null_count() > 0 => {
            let valid = valid.inner();
            if condition.null_matches { &positive | &!valid } else { &positive & valid }
        }
        _ => positive,
    };
    if condition.negate { !&with_nulls } else { with_nulls }
}

fn nulls_of(column: &Column) -> Option<NullBuffer> {
    match column {
        Column::Text(a) => a.logical_nulls(),
        Column::Int32(a) | Column::Days32(a) => a.nulls().cloned(),
        Column::Int(a) => a.nulls().cloned(),
        Column::Decimal { values, .. } => values.nulls().cloned(),
        Column::Float(a) => a.nulls().cloned(),
        Column::Bool(a) => a.nulls().cloned(),
        Column::Time { raw, .. } => raw.nulls().cloned(),
    }
}

fn column_kind(column: &Column) -> &'static str {
    match column {
        Column::Text(_) => "text",
        Column::Int32(_) | Column::Int(_) => "integer",
        Column::Days32(_) => "date",
        Column::Decimal { .. } => "decimal",
        Column::Float(_) => "float",
        Column::Bool(_) => "boolean",
        Column::Time { .. } => "date/time",
    }
}

/// Bits for `values[i]` in any of the inclusive `bounds`.
#[allow(clippy::needless_bitwise_bool)] // branch-free, so the comparisons vectorise
fn in_ranges<T: PartialOrd + Copy>(values: &[T], bounds: &[(T, T)]) -> BooleanBuffer {
    match bounds {
        [] => BooleanBuffer::new_unset(values.len()),
        [(lo, hi)] => bits_where(values, |v| (v >= *lo) & (v <= *hi)),
        _ => {
            let mut bits = BooleanBuffer::new_unset(values.len());
            for (lo, hi) in bounds {
                bits = &bits | &bits_where(values, |v| (v >= *lo) & (v <= *hi));
            }
            bits
        }
    }
}

/// One bit per value, `test(value)`, packed 64 to a word. Iterating fixed-size chunks of the
/// slice (no per-row index or bounds check) lets the compiler vectorise the tests; arrow's
/// `collect_bool` calls an index closure per row and does not.
fn bits_where<T: Copy>(values: &[T], test: impl Fn(T) -> bool) -> BooleanBuffer {
    let pack = |chunk: &[T]| chunk.iter().enumerate().fold(0u64, |word, (j, &v)| word | (u64::from(test(v)) << j));
    let chunks = values.chunks_exact(64);
    let rest = chunks.remainder();
    let mut words: Vec<u64> = Vec::with_capacity(values.len().div_ceil(64));
    words.extend(chunks.map(pack));
    if !rest.is_empty() {
        words.push(pack(rest));
    }
    BooleanBuffer::new(Buffer::from_vec(words), 0, values.len())
}

/// The part of an inclusive `i64` range that `i32` values can reach (`None` when it lies
/// wholly outside, as in [`within_i64`]).
fn within_i32((lo, hi): (i64, i64)) -> Option<(i32, i32)> {
    let (min, max) = (i64::from(i32::MIN), i64::from(i32::MAX));
    if lo > max || hi < min {
        return None;
    }
    Some((lo.max(min) as i32, hi.min(max) as i32))
}

/// A float range with its bounds made comparable without branching: an unbounded side is an
/// inclusive infinity, which NaN still fails (every comparison with NaN is false).
struct FloatRange {
    lo: f64,
    lo_included: bool,
    hi: f64,
    hi_included: bool,
}

impl FloatRange {
    fn new(range: &NumberRange) -> Self {
        let side = |bound: Bound<&super::value::Exact>, unbounded: f64| match bound {
            Bound::Included(e) => (e.to_f64(), true),
            Bound::Excluded(e) => (e.to_f64(), false),
            Bound::Unbounded => (unbounded, true),
        };
        let (lo, lo_included) = side(range.lo.as_ref(), f64::NEG_INFINITY);
        let (hi, hi_included) = side(range.hi.as_ref(), f64::INFINITY);
        Self { lo, lo_included, hi, hi_included }
    }

    #[inline]
    // Branch-free, so the comparisons vectorise; bounds are exact values, compared exactly.
    #[allow(clippy::needless_bitwise_bool, clippy::float_cmp)]
    fn holds(&self, v: f64) -> bool {
        ((v > self.lo) | (self.lo_included & (v == self.lo))) & ((v < self.hi) | (self.hi_included & (v == self.hi)))
    }
}

fn range_in(range: &NumberRange, scale: i32) -> Option<(i128, i128)> {
    integer_range(range.lo.map(|e| e.scaled(scale)), range.hi.map(|e| e.scaled(scale)))
}

fn int_bounds(range: &NumberRange, scale: i32) -> Option<(i64, i64)> {
    within_i64(range_in(range, scale)?)
}

/// The part of an inclusive range that `i64` values can reach; `None` when it lies wholly
/// outside (clamping such a range would wrongly match `i64::MAX` or `i64::MIN`).
fn within_i64((lo, hi): (i128, i128)) -> Option<(i64, i64)> {
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    if lo > max || hi < min {
        return None;
    }
    Some((lo.max(min) as i64, hi.min(max) as i64))
}

/// The range in the column's own units. A day range `[lo, hi]` becomes the instants from the
/// start of day `lo` to the end of day `hi` (a value's day is its floor division by the day),
/// so the kernel compares raw values and never divides.
fn time_bounds(range: &TimeRange, nanos_per_unit: i64) -> Option<(i64, i64)> {
    let (lo, hi) = match range.key {
        TimeKey::Day => {
            let per_day = i128::from(super::column::NANOS_PER_DAY / nanos_per_unit);
            let day_range = integer_range(range.lo.map(|v| Ratio::new(v, 1)), range.hi.map(|v| Ratio::new(v, 1)))?;
            (day_range.0.saturating_mul(per_day), day_range.1.saturating_add(1).saturating_mul(per_day) - 1)
        }
        TimeKey::Instant => {
            let den = i128::from(nanos_per_unit);
            integer_range(range.lo.map(|v| Ratio::new(v, den)), range.hi.map(|v| Ratio::new(v, den)))?
        }
    };
    within_i64((lo, hi))
}

/// Lowercases `s` into `scratch` (ASCII fast path) and tests it.
fn text_matches(s: &str, op: TextOp, needles: &[String], scratch: &mut String) -> bool {
    if op == TextOp::Empty {
        return s.is_empty();
    }
    // ASCII text lowercases byte by byte, so equality and affixes compare without a copy (a
    // needle with non-ASCII bytes then never matches, as it should not).
    if s.is_ascii() && op != TextOp::Contains {
        let h = s.as_bytes();
        return needles.iter().any(|n| {
            let n = n.as_bytes();
            match op {
                TextOp::Equals => h.eq_ignore_ascii_case(n),
                TextOp::StartsWith => h.len() >= n.len() && h[..n.len()].eq_ignore_ascii_case(n),
                _ => h.len() >= n.len() && h[h.len() - n.len()..].eq_ignore_ascii_case(n),
            }
        });
    }
    scratch.clear();
    if s.is_ascii() {
        scratch.push_str(s);
        scratch.make_ascii_lowercase();
    } else {
        scratch.push_str(&s.to_lowercase());
    }
    let s = scratch.as_str();
    needles.iter().any(|n| match op {
        TextOp::Equals => s == n,
        TextOp::Contains => s.contains(n.as_str()),
        TextOp::StartsWith => s.starts_with(n.as_str()),
        TextOp::EndsWith => s.ends_with(n.as_str()),
        TextOp::Empty => false,
    })
}

#[allow(clippy::needless_pass_by_value)] // string arrays are passed as `&StringArray`, a Copy reference
fn per_value<'a, A: ArrayAccessor<Item = &'a str>>(array: A, op: TextOp, needles: &[String]) -> BooleanBuffer {
    let mut scratch = String::new();
    BooleanBuffer::collect_bool(array.len(), |i| text_matches(array.value(i), op, needles, &mut scratch))
}

/// The positive test over a plain (non-dictionary) string array.
fn plain_text(array: &dyn Array, op: TextOp, needles: &[String]) -> Result<BooleanBuffer, ArrowError> {
    Ok(match array.data_type() {
        DataType::Utf8 => per_value(array.as_string::<i32>(), op, needles),
        DataType::LargeUtf8 => per_value(array.as_string::<i64>(), op, needles),
        DataType::Utf8View => per_value(array.as_string_view(), op, needles),
        _ => {
            let cast = arrow_cast::cast(array, &DataType::Utf8View)?;
            per_value(cast.as_string_view(), op, needles)
        }
    })
}

fn text(
    array: &ArrayRef,
    op: TextOp,
    needles: &[String],
    condition: &ColumnCondition,
) -> Result<BooleanBuffer, ArrowError> {
    if let DataType::Dictionary(key, _) = array.data_type() {
        let dict: DictionaryArray<Int32Type> = if **key == DataType::Int32 {
            array.as_dictionary::<Int32Type>().clone()
        } else {
            let target = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
            arrow_cast::cast(array, &target)?.as_dictionary::<Int32Type>().clone()
        };
        let values = dict.values();
        // One answer per dictionary value, nulls and negation included, then gathered by key.
        let value_positive = plain_text(values.as_ref(), op, needles)?;
        let value_answers = finish(value_positive, values.logical_nulls().as_ref(), condition);
        let null_answer = condition.null_matches != condition.negate;
        let keys = dict.keys();
        // A key beyond the dictionary (only a corrupt file has one) reads as null: it maps to
        // the table's last entry.
        let mut table: Vec<bool> = value_answers.iter().collect();
        table.push(null_answer);
        let last = (table.len() - 1) as u32;
        let answers = bits_where(keys.values(), |k| table[(k as u32).min(last) as usize]);
        return Ok(match keys.nulls() {
            Some(valid) if valid.null_count() > 0 => {
                let valid = valid.inner();
                if null_answer { &answers | &!valid } else { &answers & valid }
            }
            _ => answers,
        });
    }
    let positive = plain_text(array.as_ref(), op, needles)?;
    Ok(finish(positive, array.logical_nulls().as_ref(), condition))
}
