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
