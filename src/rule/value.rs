//! Exact literals: JSON numbers as decimals (never rounded through f64 when compared with
//! integer or decimal columns), dates as day numbers, instants as nanoseconds, and the
//! floor/ceil arithmetic that moves a literal bound into a column's own units.

use std::ops::Bound;

/// A decimal number `mantissa × 10^exponent`, normalised (no trailing zeros in the mantissa), so
/// equal numbers are equal values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exact {
    pub mantissa: i128,
    pub exponent: i32,
}

impl Exact {
    pub const ZERO: Self = Self { mantissa: 0, exponent: 0 };

    fn normalised(mut mantissa: i128, mut exponent: i32) -> Self {
        if mantissa == 0 {
            return Self::ZERO;
        }
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        Self { mantissa, exponent }
    }

    /// Parses a JSON number's text (`-12`, `0.5`, `1e+20`, `1.5E-3`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (digits_part, exp_part) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], Some(&text[i + 1..])),
            None => (text, None),
        };
        let mut exponent: i64 = match exp_part {
            Some(e) => e.trim_start_matches('+').parse().ok()?,
            None => 0,
        };
        let (negative, digits_part) = match digits_part.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, digits_part),
        };
        let (int_part, frac_part) = digits_part.split_once('.').unwrap_or((digits_part, ""));
        if int_part.is_empty() || !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut mantissa: i128 = 0;
        let mut dropped_nonzero = false;
        for b in int_part.bytes() {
            match mantissa.checked_mul(10).and_then(|m| m.checked_add(i128::from(b - b'0'))) {
                Some(m) if m < 10i128.pow(37) => mantissa = m,
                // Beyond 37 significant digits: keep the magnitude, drop the digit.
                _ => {
                    exponent += 1;
                    dropped_nonzero |= b != b'0';
                }
            }
        }
        for b in frac_part.bytes() {
            if mantissa < 10i128.pow(36) {
                mantissa = mantissa * 10 + i128::from(b - b'0');
                exponent -= 1;
            } else {
                dropped_nonzero |= b != b'0';
            }
        }
        let _ = dropped_nonzero; // JSON numbers come from f64/i64/u64: never more than 20 digits.
        let exponent = i32::try_from(exponent).ok()?;
        Some(Self::normalised(if negative { -mantissa } else { mantissa }, exponent))
    }

    #[must_use]
    pub fn from_json(number: &serde_json::Number) -> Option<Self> {
        Self::parse(&number.to_string())
    }

    #[must_use]
    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    #[must_use]
    pub fn to_f64(self) -> f64 {
        format!("{}e{}", self.mantissa, self.exponent).parse().unwrap_or(f64::NAN)
    }

    /// This number scaled into a column whose integer values mean `value × 10^-scale`:
    /// the exact ratio `self × 10^scale`.
    #[must_use]
    pub fn scaled(self, scale: i32) -> Ratio {
        let e = self.exponent.saturating_add(scale);
        if e >= 0 {
            // Beyond i128 saturates to its ends, which lie beyond every Decimal128 (< 10^38)
            // and every integer column value, so comparisons stay exact.
            let factor = 10i128.checked_pow(e as u32);
            let num = factor.and_then(|f| self.mantissa.checked_mul(f)).unwrap_or(if self.mantissa < 0 {
                i128::MIN
            } else {
                i128::MAX
            });
            Ratio { num, den: 1 }
        } else if -e <= 38 {
            Ratio { num: self.mantissa, den: 10i128.pow((-e) as u32) }
        } else {
            // |self| < 10^38 × 10^-39 < 1: only the sign matters for floor and ceil.
            Ratio { num: self.mantissa.signum(), den: i128::MAX }
        }
    }

    #[must_use]
    pub fn compare(self, other: Self) -> std::cmp::Ordering {
        let scale = -self.exponent.min(other.exponent);
        let a = self.scaled(scale);
        let b = other.scaled(scale);
        match (a.num.checked_mul(b.den), b.num.checked_mul(a.den)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => self.to_f64().total_cmp(&other.to_f64()),
        }
    }
}

/// An exact rational `num / den`, `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    #[must_use]
    pub fn new(num: i128, den: i128) -> Self {
        Self { num, den }
    }

    #[must_use]
    pub fn floor(self) -> i128 {
        self.num.div_euclid(self.den)
    }

    #[must_use]
    pub fn ceil(self) -> i128 {
        let floor = self.floor();
        if self.is_integer() { floor } else { floor + 1 }
    }

    #[must_use]
    pub fn is_integer(self) -> bool {
        self.num.rem_euclid(self.den) == 0
    }
}

/// The inclusive integer range `[lo, hi]` of column values `x` with `lo_bound ≤ x ≤ hi_bound` in
/// the exact domain; `None` when empty. Bounds saturate to `i128` extremes.
#[must_use]
pub fn integer_range(lo: Bound<Ratio>, hi: Bound<Ratio>) -> Option<(i128, i128)> {
    let lo = match lo {
        Bound::Included(r) => r.ceil(),
        Bound::Excluded(r) => r.floor().saturating_add(1),
        Bound::Unbounded => i128::MIN,
    };
    let hi = match hi {
        Bound::Included(r) => r.floor(),
        Bound::Excluded(r) => r.ceil().saturating_sub(1),
        Bound::Unbounded => i128::MAX,
    };
    (lo <= hi).then_some((lo, hi))
}

/// A date/time literal of a rule: a calendar date (`YYYY-MM-DD`, compared with the UTC date of a
/// value) or an instant (RFC 3339, compared as an instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeLiteral {
    /// Days since 1970-01-01.
    Day(i64),
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    Instant(i128),
}

pub const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

impl TimeLiteral {
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() == 10 {
            let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
            return Some(Self::Day(days_since_epoch(date)));
        }
        let instant = chrono::DateTime::parse_from_rfc3339(text).ok()?;
        Some(Self::Instant(instant_nanos(&instant.with_timezone(&chrono::Utc))))
    }

    /// Its position on the instant line, in nanoseconds (a day is its midnight UTC).
    #[must_use]
    pub fn as_nanos(self) -> i128 {
        match self {
            Self::Day(d) => i128::from(d) * NANOS_PER_DAY,
            Self::Instant(ns) => ns,
        }
    }
}

#[must_use]
pub fn days_since_epoch(date: chrono::NaiveDate) -> i64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days()
}

#[must_use]
pub fn instant_nanos(t: &chrono::DateTime<chrono::Utc>) -> i128 {
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_json_numbers_exactly() {
        assert_eq!(Exact::parse("1000000.01"), Some(Exact { mantissa: 100_000_001, exponent: -2 }));
        assert_eq!(Exact::parse("-1.50"), Some(Exact { mantissa: -15, exponent: -1 }));
        assert_eq!(Exact::parse("1e+20"), Some(Exact { mantissa: 1, exponent: 20 }));
        assert_eq!(Exact::parse("0.0"), Some(Exact::ZERO));
        assert_eq!(Exact::parse("12a"), None);
        assert_eq!(Exact::parse("18446744073709551615").map(Exact::to_f64), Some(1.844_674_407_370_955_2e19));
    }

    #[test]
    fn floor_and_ceil_are_exact_for_negative_ratios() {
        let r = Exact::parse("-2.5").unwrap().scaled(0);
        assert_eq!((r.floor(), r.ceil()), (-3, -2));
        let r = Exact::parse("2.5").unwrap().scaled(0);
        assert_eq!((r.floor(), r.ceil()), (2, 3));
        assert!(Exact::parse("2.50").unwrap().scaled(1).is_integer());
    }

    #[test]
    fn integer_ranges_respect_strictness() {
        let v = |s: &str| Exact::parse(s).unwrap().scaled(0);
        assert_eq!(integer_range(Bound::Excluded(v("2.5")), Bound::Unbounded).map(|r| r.0), Some(3));
        assert_eq!(integer_range(Bound::Excluded(v("2")), Bound::Unbounded).map(|r| r.0), Some(3));
        assert_eq!(integer_range(Bound::Unbounded, Bound::Excluded(v("2"))).map(|r| r.1), Some(1));
        assert_eq!(integer_range(Bound::Included(v("2.1")), Bound::Included(v("2.9"))), None);
        let huge = Exact::parse("1e300").unwrap().scaled(0);
        assert!(integer_range(Bound::Included(huge), Bound::Unbounded).unwrap().0 > i128::from(i64::MAX));
        assert!(integer_range(Bound::Excluded(huge), Bound::Unbounded).unwrap().0 > i128::from(i64::MAX));
        // Decimal128 reaches 10^38: a literal of 10^34 at scale 3 stays exact.
        let big = Exact::parse("1e34").unwrap().scaled(3);
        assert_eq!((big.floor(), big.ceil()), (10i128.pow(37), 10i128.pow(37)));
        let tiny = Exact::parse("-1e-300").unwrap().scaled(0);
        assert_eq!((tiny.floor(), tiny.ceil()), (-1, 0));
    }

    #[test]
    fn time_literals() {
        assert_eq!(TimeLiteral::parse("1970-01-02"), Some(TimeLiteral::Day(1)));
        assert_eq!(TimeLiteral::parse("1970-01-01T00:00:01+01:00"), Some(TimeLiteral::Instant(-3_599_000_000_000)));
        assert_eq!(TimeLiteral::parse("2026-02-30"), None);
        assert_eq!(TimeLiteral::parse("yesterday"), None);
    }
}
