//! The number kernels' bounds: a rule's exact ranges moved into a column's integer units
//! (clamped to what its values can reach) or made branch-free for floats.

use std::ops::Bound;

use super::super::condition::NumberRange;
use super::super::value::{Exact, integer_range};

/// The part of an inclusive `i64` range that `i32` values can reach (`None` when it lies
/// wholly outside, as in [`within_i64`]).
pub(super) fn within_i32((lo, hi): (i64, i64)) -> Option<(i32, i32)> {
    let (min, max) = (i64::from(i32::MIN), i64::from(i32::MAX));
    if lo > max || hi < min {
        return None;
    }
    Some((lo.max(min) as i32, hi.min(max) as i32))
}

/// A float range with its bounds made comparable without branching: an unbounded side is an
/// inclusive infinity, which NaN still fails (every comparison with NaN is false).
pub(super) struct FloatRange {
    lo: f64,
    lo_included: bool,
    hi: f64,
    hi_included: bool,
}

impl FloatRange {
    pub(super) fn new(range: &NumberRange) -> Self {
        let side = |bound: Bound<&Exact>, unbounded: f64| match bound {
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
    pub(super) fn holds(&self, v: f64) -> bool {
        ((v > self.lo) | (self.lo_included & (v == self.lo))) & ((v < self.hi) | (self.hi_included & (v == self.hi)))
    }
}

pub(super) fn range_in(range: &NumberRange, scale: i32) -> Option<(i128, i128)> {
    integer_range(range.lo.map(|e| e.scaled(scale)), range.hi.map(|e| e.scaled(scale)))
}

pub(super) fn int_bounds(range: &NumberRange, scale: i32) -> Option<(i64, i64)> {
    within_i64(range_in(range, scale)?)
}

/// The part of an inclusive range that `i64` values can reach; `None` when it lies wholly
/// outside (clamping such a range would wrongly match `i64::MAX` or `i64::MIN`).
pub(super) fn within_i64((lo, hi): (i128, i128)) -> Option<(i64, i64)> {
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    if lo > max || hi < min {
        return None;
    }
    Some((lo.max(min) as i64, hi.min(max) as i64))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, Decimal32Array, Decimal64Array, Decimal128Array, Float32Array, Float64Array, Int8Array, Int32Array,
        Int64Array, UInt64Array,
    };

    use super::super::{agreed, answers};
    use crate::rule::value::Exact;
    use crate::rule::{Operand, Operator};

    fn numbers(texts: &[&str]) -> Operand {
        Operand::Numbers(texts.iter().map(|t| Exact::parse(t).expect("a number")).collect())
    }

    fn between(lo: &str, hi: &str) -> Operand {
        Operand::NumberRange(Exact::parse(lo).expect("a number"), Exact::parse(hi).expect("a number"))
    }

    /// The same small integers in every integer width the kernels read (32-bit lanes, 64-bit,
    /// exact decimals for `UInt64`, 8-bit widened).
    fn integer_columns() -> Vec<ArrayRef> {
        let rows = [Some(0), None, Some(2), Some(3), Some(100)];
        vec![
            Arc::new(Int32Array::from(rows.to_vec())),
            Arc::new(Int64Array::from(rows.map(|v| v.map(i64::from)).to_vec())),
            Arc::new(UInt64Array::from(rows.map(|v| v.map(|v: i32| v.unsigned_abs().into())).to_vec())),
            Arc::new(Int8Array::from(rows.map(|v| v.map(|v| i8::try_from(v).unwrap_or(i8::MAX))).to_vec())),
        ]
    }

    fn on_integers(op: Operator, operand: &Operand) -> Vec<bool> {
        agreed(op, operand, &integer_columns())
    }

    #[test]
    fn comparisons_on_integers_respect_strictness_and_fractions() {
        // Rows: 0, null, 2, 3, 100 (the 8-bit column holds 100 too).
        assert_eq!(on_integers(Operator::GreaterThan, &numbers(&["2"])), [false, false, false, true, true]);
        assert_eq!(on_integers(Operator::GreaterThan, &numbers(&["2.5"])), [false, false, false, true, true]);
        assert_eq!(on_integers(Operator::LessThan, &numbers(&["2"])), [true, false, false, false, false]);
        assert_eq!(on_integers(Operator::LessThan, &numbers(&["2.5"])), [true, false, true, false, false]);
        assert_eq!(on_integers(Operator::AtLeast, &numbers(&["3"])), [false, false, false, true, true]);
        assert_eq!(on_integers(Operator::AtLeast, &numbers(&["2.01"])), [false, false, false, true, true]);
        assert_eq!(on_integers(Operator::AtMost, &numbers(&["2"])), [true, false, true, false, false]);
        assert_eq!(on_integers(Operator::AtMost, &numbers(&["-0.5"])), [false; 5]);
        // Several values: any of them.
        assert_eq!(on_integers(Operator::AtLeast, &numbers(&["1000", "3"])), [false, false, false, true, true]);
        assert_eq!(on_integers(Operator::Between, &between("2", "3")), [false, false, true, true, false]);
        assert_eq!(on_integers(Operator::Between, &between("2.1", "2.9")), [false; 5]);
    }

    #[test]
    fn is_counts_a_null_as_zero() {
        assert_eq!(on_integers(Operator::Is, &numbers(&["2"])), [false, false, true, false, false]);
        assert_eq!(on_integers(Operator::Is, &numbers(&["0"])), [true, true, false, false, false]);
        assert_eq!(on_integers(Operator::Is, &numbers(&["2.5"])), [false; 5]);
        assert_eq!(on_integers(Operator::IsNot, &numbers(&["0", "3"])), [false, false, true, false, true]);
        assert_eq!(on_integers(Operator::IsNot, &numbers(&["2"])), [true, true, false, true, true]);
        assert_eq!(on_integers(Operator::IsEmpty, &Operand::None), [false, true, false, false, false]);
        assert_eq!(on_integers(Operator::IsNotEmpty, &Operand::None), [true, false, true, true, true]);
    }

    #[test]
    fn bounds_beyond_a_columns_range_match_nothing_or_everything() {
        let int32: ArrayRef = Arc::new(Int32Array::from(vec![i32::MIN, -1, i32::MAX]));
        assert_eq!(answers(Operator::AtLeast, numbers(&["3e9"]), &int32), [false; 3]);
        assert_eq!(answers(Operator::AtMost, numbers(&["-3e9"]), &int32), [false; 3]);
        assert_eq!(answers(Operator::LessThan, numbers(&["3e9"]), &int32), [true; 3]);
        assert_eq!(answers(Operator::Is, numbers(&["2147483647"]), &int32), [false, false, true]);
        let int64: ArrayRef = Arc::new(Int64Array::from(vec![i64::MIN, 0, i64::MAX]));
        assert_eq!(answers(Operator::GreaterThan, numbers(&["1e300"]), &int64), [false; 3]);
        assert_eq!(answers(Operator::LessThan, numbers(&["-1e300"]), &int64), [false; 3]);
        assert_eq!(answers(Operator::Is, numbers(&["9223372036854775807"]), &int64), [false, false, true]);
        assert_eq!(answers(Operator::Is, numbers(&["-9223372036854775808"]), &int64), [true, false, false]);
        let uint64: ArrayRef = Arc::new(UInt64Array::from(vec![u64::MAX, u64::MAX - 1]));
        assert_eq!(answers(Operator::Is, numbers(&["18446744073709551615"]), &uint64), [true, false]);
        assert_eq!(answers(Operator::GreaterThan, numbers(&["18446744073709551614"]), &uint64), [true, false]);
    }

    #[test]
    fn decimals_compare_exactly_at_their_scale() {
        // 10.00, 10.01, null, -0.01, in each width a file's decimals can be read as; 64-bit
        // values also at the edges of their range.
        let values: [Option<i32>; 4] = [Some(1000), Some(1001), None, Some(-1)];
        let widths: [ArrayRef; 3] = [
            Arc::new(
                Decimal128Array::from(values.map(|v| v.map(i128::from)).to_vec())
                    .with_precision_and_scale(9, 2)
                    .unwrap(),
            ),
            Arc::new(
                Decimal64Array::from(values.map(|v| v.map(i64::from)).to_vec()).with_precision_and_scale(9, 2).unwrap(),
            ),
            Arc::new(Decimal32Array::from(values.to_vec()).with_precision_and_scale(9, 2).unwrap()),
        ];
        for decimals in &widths {
            let kind = decimals.data_type();
            assert_eq!(
                answers(Operator::AtLeast, numbers(&["10.005"]), decimals),
                [false, true, false, false],
                "{kind}"
            );
            assert_eq!(answers(Operator::Is, numbers(&["10"]), decimals), [true, false, false, false], "{kind}");
            assert_eq!(answers(Operator::Is, numbers(&["10.001"]), decimals), [false; 4], "{kind}");
            assert_eq!(answers(Operator::LessThan, numbers(&["0"]), decimals), [false, false, false, true], "{kind}");
            assert_eq!(
                answers(Operator::Between, between("-0.01", "10"), decimals),
                [true, false, false, true],
                "{kind}"
            );
            // A null is 0 for `is`.
            assert_eq!(answers(Operator::Is, numbers(&["0"]), decimals), [false, false, true, false], "{kind}");
            // Bounds beyond what the width holds.
            assert_eq!(answers(Operator::LessThan, numbers(&["1e30"]), decimals), [true, true, false, true], "{kind}");
            assert_eq!(
                answers(Operator::GreaterThan, numbers(&["-1e30"]), decimals),
                [true, true, false, true],
                "{kind}"
            );
        }
        let edges: ArrayRef =
            Arc::new(Decimal64Array::from(vec![i64::MIN, i64::MAX, 0]).with_precision_and_scale(18, 2).unwrap());
        assert_eq!(answers(Operator::AtLeast, numbers(&["92233720368547758.07"]), &edges), [false, true, false]);
        assert_eq!(answers(Operator::AtMost, numbers(&["-92233720368547758.08"]), &edges), [true, false, false]);
        assert_eq!(answers(Operator::GreaterThan, numbers(&["92233720368547758.07"]), &edges), [false; 3]);
    }

    #[test]
    fn floats_never_match_nan_and_reach_infinity() {
        let floats: ArrayRef =
            Arc::new(Float64Array::from(vec![Some(0.1), Some(f64::NAN), Some(f64::INFINITY), None, Some(-0.0)]));
        assert_eq!(answers(Operator::Is, numbers(&["0.1"]), &floats), [true, false, false, false, false]);
        assert_eq!(answers(Operator::AtLeast, numbers(&["1e308"]), &floats), [false, false, true, false, false]);
        assert_eq!(answers(Operator::LessThan, numbers(&["1e308"]), &floats), [true, false, false, false, true]);
        // NaN is not 0.1, and a null (0) is not either.
        assert_eq!(answers(Operator::IsNot, numbers(&["0.1"]), &floats), [false, true, true, true, true]);
        // -0.0 is 0, and so is a null.
        assert_eq!(answers(Operator::Is, numbers(&["0"]), &floats), [false, false, false, true, true]);
        assert_eq!(answers(Operator::Between, between("0", "0.1"), &floats), [true, false, false, false, true]);
        // A 32-bit float is compared at its own value: 0.1f32 is not 0.1.
        let narrow: ArrayRef = Arc::new(Float32Array::from(vec![0.1_f32, 0.5]));
        assert_eq!(answers(Operator::Is, numbers(&["0.1"]), &narrow), [false, false]);
        assert_eq!(answers(Operator::Is, numbers(&["0.5"]), &narrow), [false, true]);
    }

    #[test]
    fn ranges_clamp_to_the_lanes() {
        assert_eq!(super::within_i32((-5_000_000_000, 7)), Some((i32::MIN, 7)));
        assert_eq!(super::within_i32((3_000_000_000, 4_000_000_000)), None);
        assert_eq!(super::within_i64((i128::MIN, 0)), Some((i64::MIN, 0)));
        assert_eq!(super::within_i64((i128::from(i64::MAX) + 1, i128::MAX)), None);
    }
}
