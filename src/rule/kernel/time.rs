//! The time kernels' bounds: a rule's day or instant range moved into a column's own units.

use super::super::column::NANOS_PER_DAY;
use super::super::condition::{TimeKey, TimeRange};
use super::super::value::{Ratio, integer_range};
use super::number::within_i64;

/// The range in the column's own units. A day range `[lo, hi]` becomes the instants from the
/// start of day `lo` to the end of day `hi` (a value's day is its floor division by the day),
/// so the kernel compares raw values and never divides.
pub(super) fn time_bounds(range: &TimeRange, nanos_per_unit: i64) -> Option<(i64, i64)> {
    let (lo, hi) = match range.key {
        TimeKey::Day => {
            let per_day = i128::from(NANOS_PER_DAY / nanos_per_unit);
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, Date32Array, Date64Array, TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
    };

    use super::super::{agreed, answers};
    use crate::rule::value::TimeLiteral;
    use crate::rule::{Operand, Operator};

    const NOV_1: i32 = 20_758; // 2026-11-01; the tests' as-of is 2026-11-01T12:00:00Z
    const SECONDS_PER_DAY: i64 = 86_400;

    fn day(text: &str) -> TimeLiteral {
        TimeLiteral::parse(text).expect("a date or an instant")
    }

    fn days(texts: &[&str]) -> Operand {
        Operand::Times(texts.iter().map(|t| day(t)).collect())
    }

    /// Rows: 2026-10-31, null, 2026-11-01 (at 00:00 and, for timestamps, also at 23:59:59), 2026-11-02.
    fn columns() -> Vec<ArrayRef> {
        let seconds = |d: i32, s: i64| i64::from(d) * SECONDS_PER_DAY + s;
        let rows =
            [Some((NOV_1 - 1, 0)), None, Some((NOV_1, 0)), Some((NOV_1, SECONDS_PER_DAY - 1)), Some((NOV_1 + 1, 0))];
        let at = |unit: i64| rows.map(|r| r.map(|(d, s)| seconds(d, s) * unit)).to_vec();
        vec![
            Arc::new(TimestampSecondArray::from(at(1)).with_timezone("UTC")),
            Arc::new(TimestampMillisecondArray::from(at(1_000))),
            Arc::new(TimestampNanosecondArray::from(at(1_000_000_000)).with_timezone("+02:00")),
            Arc::new(Date64Array::from(at(1_000))),
        ]
    }

    /// `op` on every timestamp unit and on dates stored in milliseconds: they must agree.
    fn on_all(op: Operator, operand: &Operand) -> Vec<bool> {
        agreed(op, operand, &columns())
    }

    /// `op` on the timestamp columns only (`in_past`/`in_future` count days on a date column).
    fn on_timestamps(op: Operator, operand: &Operand) -> Vec<bool> {
        agreed(op, operand, &columns()[..3])
    }

    #[test]
    fn a_date_literal_is_the_whole_utc_day() {
        assert_eq!(on_all(Operator::Is, &days(&["2026-11-01"])), [false, false, true, true, false]);
        assert_eq!(on_all(Operator::IsNot, &days(&["2026-11-01"])), [true, true, false, false, true]);
        // Marketo: `before` and `on_or_before` also match a null.
        assert_eq!(on_all(Operator::Before, &days(&["2026-11-01"])), [true, true, false, false, false]);
        assert_eq!(on_all(Operator::OnOrBefore, &days(&["2026-11-01"])), [true, true, true, true, false]);
        assert_eq!(on_all(Operator::After, &days(&["2026-11-01"])), [false, false, false, false, true]);
        assert_eq!(on_all(Operator::OnOrAfter, &days(&["2026-11-01"])), [false, false, true, true, true]);
        let range = Operand::TimeRange(day("2026-10-31"), day("2026-11-01"));
        assert_eq!(on_all(Operator::Between, &range), [true, false, true, true, false]);
    }

    #[test]
    fn an_instant_literal_is_one_instant() {
        let noon = days(&["2026-11-01T12:00:00Z"]);
        assert_eq!(on_all(Operator::Before, &noon), [true, true, true, false, false]);
        assert_eq!(on_all(Operator::After, &noon), [false, false, false, true, true]);
        // The same instant written in another offset.
        let midnight = days(&["2026-11-01T02:00:00+02:00"]);
        assert_eq!(on_all(Operator::Is, &midnight), [false, false, true, false, false]);
        assert_eq!(on_all(Operator::OnOrBefore, &midnight), [true, true, true, false, false]);
        let range = Operand::TimeRange(day("2026-11-01T00:00:00Z"), day("2026-11-01T23:59:59Z"));
        assert_eq!(on_all(Operator::Between, &range), [false, false, true, true, false]);
    }

    #[test]
    fn in_past_and_in_future_count_from_the_as_of_instant() {
        // As of 2026-11-01T12:00Z: the last day reaches back to 2026-10-31T12:00Z, so the
        // instant 2026-10-31T00:00 is out; the next day reaches 2026-11-02T12:00.
        assert_eq!(on_timestamps(Operator::InPast, &Operand::Days(1)), [false, false, true, false, false]);
        assert_eq!(on_timestamps(Operator::InFuture, &Operand::Days(1)), [false, false, false, true, true]);
        assert_eq!(on_timestamps(Operator::InPast, &Operand::Days(0)), [false; 5]);
        // A date stored in milliseconds counts calendar days, like `Date32`.
        let date64 = &columns()[3];
        assert_eq!(answers(Operator::InPast, Operand::Days(1), date64), [true, false, true, true, false]);
        assert_eq!(on_all(Operator::IsEmpty, &Operand::None), [false, true, false, false, false]);
        assert_eq!(on_all(Operator::IsNotEmpty, &Operand::None), [true, false, true, true, true]);
    }

    #[test]
    fn dates_count_whole_days() {
        let dates: ArrayRef = Arc::new(Date32Array::from(vec![Some(NOV_1 - 1), None, Some(NOV_1), Some(NOV_1 + 1)]));
        // Calendar days: the as-of day and the day before are the last day.
        assert_eq!(answers(Operator::InPast, Operand::Days(1), &dates), [true, false, true, false]);
        assert_eq!(answers(Operator::InFuture, Operand::Days(1), &dates), [false, false, true, true]);
        assert_eq!(answers(Operator::InPast, Operand::Days(0), &dates), [false, false, true, false]);
        assert_eq!(answers(Operator::Before, days(&["2026-11-01"]), &dates), [true, true, false, false]);
        // A date is its midnight: it is that instant, and it is before noon.
        assert_eq!(answers(Operator::Is, days(&["2026-11-01T00:00:00Z"]), &dates), [false, false, true, false]);
        assert_eq!(answers(Operator::Is, days(&["2026-11-01T12:00:00Z"]), &dates), [false; 4]);
        assert_eq!(answers(Operator::Before, days(&["2026-11-01T12:00:00Z"]), &dates), [true, true, true, false]);
    }

    #[test]
    fn literals_beyond_the_columns_range_match_nothing() {
        let dates: ArrayRef = Arc::new(Date32Array::from(vec![i32::MIN, 0, i32::MAX]));
        assert_eq!(answers(Operator::After, days(&["9999-12-31"]), &dates), [false, false, true]);
        let instants: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![i64::MIN, 0, i64::MAX]));
        // Year 9999 is beyond the nanosecond range (2262): nothing is after it, everything before.
        assert_eq!(answers(Operator::After, days(&["9999-12-31"]), &instants), [false; 3]);
        assert_eq!(answers(Operator::Before, days(&["9999-12-31"]), &instants), [true; 3]);
        assert_eq!(answers(Operator::InFuture, Operand::Days(1_000_000), &instants), [false, false, true]);
    }
}
