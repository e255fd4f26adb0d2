//! Vectorised evaluation of one [`ColumnCondition`] over one batch [`Column`]: the dispatch by
//! test and column, and the bit helpers every kernel shares. The family parts are [`text`] (once
//! per dictionary value, then gathered by key), [`number`] and [`time`] (bounds moved into the
//! column's units, then a tight loop over the values buffer); booleans are a bitmap already.
//! Nulls are folded in last, from the validity bitmap, then the negation.
//!
//! The tests of each family's operators sit in its file; the tests here are the shared ones
//! (negation and nulls, for every operator on every family).

mod number;
mod text;
mod time;

use arrow_array::Array;
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer};
use arrow_schema::ArrowError;

use super::column::Column;
use super::condition::{ColumnCondition, Test};
use number::{FloatRange, int_bounds, range_in, within_i32};
use time::time_bounds;

/// Evaluates `condition` on `column`: one bit per row.
pub fn evaluate(condition: &ColumnCondition, column: &Column) -> Result<BooleanBuffer, ArrowError> {
    let len = column.len();
    let (positive, nulls) = match (&condition.test, column) {
        (Test::Text { op, needles }, Column::Text(array)) => {
            return text::text(array, *op, needles, condition);
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
        (Test::Number(ranges), Column::Decimal64 { values: a, scale }) => {
            let bounds: Vec<(i64, i64)> = ranges.iter().filter_map(|r| int_bounds(r, i32::from(*scale))).collect();
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
pub(super) fn finish(
    positive: BooleanBuffer,
    nulls: Option<&NullBuffer>,
    condition: &ColumnCondition,
) -> BooleanBuffer {
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
        Column::Decimal64 { values, .. } => values.nulls().cloned(),
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
        Column::Decimal { .. } | Column::Decimal64 { .. } => "decimal",
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
pub fn bits_where<T: Copy>(values: &[T], test: impl Fn(T) -> bool) -> BooleanBuffer {
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

/// 2026-11-01T12:00:00Z, the as-of time of the kernel tests.
#[cfg(test)]
const AS_OF: i128 = 1_793_534_400 * 1_000_000_000;

/// `op operand` compiled for `array`'s family and evaluated on it: one answer per row, nulls
/// included.
#[cfg(test)]
fn answers(op: super::Operator, operand: super::Operand, array: &arrow_array::ArrayRef) -> Vec<bool> {
    let family = super::family_of(array.data_type()).expect("a type rules can use");
    let condition = ColumnCondition::new(0, family, op, operand, AS_OF).expect("operands that fit the operator");
    let column = Column::new(array, family).expect("a column of its family");
    evaluate(&condition, &column).expect("the test runs on its family").iter().collect()
}

/// [`answers`] of `op operand` on each of `arrays` (one family in several encodings or units),
/// which must all agree: their common answer.
#[cfg(test)]
fn agreed(op: super::Operator, operand: &super::Operand, arrays: &[arrow_array::ArrayRef]) -> Vec<bool> {
    let mut all = arrays.iter().map(|a| (a.data_type().clone(), answers(op, operand.clone(), a)));
    let (first_type, first) = all.next().expect("at least one array");
    for (data_type, other) in all {
        assert_eq!(other, first, "{op} {operand:?}: {data_type} disagrees with {first_type}");
    }
    first
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array, StringArray,
        TimestampMicrosecondArray,
    };

    use super::answers;
    use crate::rule::operator::NullAnswer;
    use crate::rule::value::{Exact, TimeLiteral};
    use crate::rule::{Operand, OperandShape, Operator, TypeFamily, family_of};

    fn exact(text: &str) -> Exact {
        Exact::parse(text).expect("a number")
    }

    /// A column of each family, the second row null in each.
    fn samples() -> Vec<ArrayRef> {
        let day: i32 = 20_758; // 2026-11-01
        let micros = |d: i32| i64::from(d) * 86_400_000_000;
        let keys = Int32Array::from(vec![Some(0), None, Some(1), Some(2)]);
        let values = StringArray::from(vec![Some("ab"), Some("AB c"), None]);
        vec![
            Arc::new(StringArray::from(vec![Some("ab"), None, Some("AB c"), Some("")])),
            Arc::new(DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values)).expect("keys in range")),
            Arc::new(Int32Array::from(vec![Some(0), None, Some(5), Some(11)])),
            Arc::new(Float64Array::from(vec![Some(0.0), None, Some(5.5), Some(f64::NAN)])),
            Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
            Arc::new(Date32Array::from(vec![Some(day - 40), None, Some(day), Some(day + 10)])),
            Arc::new(
                TimestampMicrosecondArray::from(vec![Some(micros(day - 40)), None, Some(micros(day) + 1), Some(0)])
                    .with_timezone("UTC"),
            ),
        ]
    }

    /// Operands that fit `op` on `family`; numbers include 0, so `is` answers a null with a match.
    fn operand(op: Operator, family: TypeFamily) -> Operand {
        match op.operands() {
            OperandShape::None => Operand::None,
            OperandShape::Days => Operand::Days(30),
            OperandShape::MinMax => match family {
                TypeFamily::Time => Operand::TimeRange(TimeLiteral::Day(20_700), TimeLiteral::Day(20_760)),
                _ => Operand::NumberRange(exact("1"), exact("10")),
            },
            OperandShape::Values => match family {
                TypeFamily::Text => Operand::Texts(vec!["AB".into(), "x".into()]),
                TypeFamily::Number => Operand::Numbers(vec![exact("0"), exact("5.5")]),
                TypeFamily::Boolean => Operand::Bools(vec![true]),
                TypeFamily::Time => Operand::Times(vec![TimeLiteral::Day(20_758)]),
            },
        }
    }

    #[test]
    fn a_negated_operator_answers_the_opposite_of_its_positive_on_every_row() {
        let mut checked = 0;
        for array in samples() {
            let family = family_of(array.data_type()).unwrap();
            for op in Operator::of(family) {
                let Some(positive) = op.negates() else { continue };
                let negated = answers(op, operand(op, family), &array);
                let expected: Vec<bool> =
                    answers(positive, operand(positive, family), &array).iter().map(|a| !a).collect();
                assert_eq!(negated, expected, "{op} on {}", array.data_type());
                checked += 1;
            }
        }
        // is_not and is_not_empty on 7 columns but booleans (no is_not), not_* on the 2 string ones.
        assert_eq!(checked, 6 + 7 + 2 * 3);
    }

    #[test]
    fn a_null_gets_the_operators_null_answer_negated_if_it_is_a_negation() {
        for array in samples() {
            let family = family_of(array.data_type()).unwrap();
            for op in Operator::of(family) {
                let operand = operand(op, family);
                let matches = match op.null_answer(family) {
                    NullAnswer::No => false,
                    NullAnswer::Yes => true,
                    // The operands above hold the family's zero for numbers, not for booleans.
                    NullAnswer::AsZero => family == TypeFamily::Number,
                };
                let expected = matches != op.negates().is_some();
                assert_eq!(answers(op, operand, &array)[1], expected, "{op} on a null {}", array.data_type());
            }
        }
    }

    #[test]
    fn booleans() {
        let flags: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)]));
        let is = |values: Vec<bool>| answers(Operator::Is, Operand::Bools(values), &flags);
        assert_eq!(is(vec![true]), [true, false, false]);
        // A null counts as false.
        assert_eq!(is(vec![false]), [false, true, true]);
        assert_eq!(is(vec![true, false]), [true, true, true]);
        assert_eq!(answers(Operator::IsEmpty, Operand::None, &flags), [false, true, false]);
        assert_eq!(answers(Operator::IsNotEmpty, Operand::None, &flags), [true, false, true]);
    }

    #[test]
    fn operands_that_do_not_fit_are_refused() {
        use crate::rule::ColumnCondition;
        let new = |family, op, operand| ColumnCondition::new(0, family, op, operand, super::AS_OF).is_ok();
        assert!(new(TypeFamily::Number, Operator::AtLeast, Operand::Numbers(vec![exact("1")])));
        assert!(!new(TypeFamily::Boolean, Operator::IsNot, Operand::Bools(vec![true])));
        assert!(!new(TypeFamily::Number, Operator::AtLeast, Operand::Texts(vec!["1".into()])));
        assert!(!new(TypeFamily::Text, Operator::IsEmpty, Operand::Days(3)));
        let mixed = Operand::TimeRange(TimeLiteral::Day(1), TimeLiteral::Instant(0));
        assert!(!new(TypeFamily::Time, Operator::Between, mixed));
    }
}
