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
