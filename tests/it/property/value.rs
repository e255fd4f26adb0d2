//! Plain values, what a cell holds once its Arrow type is known: exact rationals ([`Rat`]), cells
//! ([`Val`]) and how a raw draw becomes one ([`materialize`]), and date/time literals as day
//! numbers or nanosecond instants ([`TimeLit`]).

use std::cmp::Ordering;

use arrow_schema::DataType;

use super::pools::{
    AS_OF, FLOAT_POOL, Family, NANOS_PER_DAY, TEXT_POOL, decimal_pool, decimal_shape, int_pool, unit_nanos,
};

/// An exact rational `num / den`, `den > 0`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rat {
    pub(super) num: i128,
    pub(super) den: i128,
}

impl Rat {
    pub(super) const ZERO: Self = Self { num: 0, den: 1 };

    fn int(v: i128) -> Self {
        Self { num: v, den: 1 }
    }

    /// Compares whole parts first, so that numerators near 10^38 never overflow (denominators
    /// stay small: at most 1000 here).
    pub(super) fn cmp(self, other: Self) -> Ordering {
        let (a, b) = (self.num.div_euclid(self.den), other.num.div_euclid(other.den));
        a.cmp(&b).then_with(|| {
            let (ra, rb) = (self.num.rem_euclid(self.den), other.num.rem_euclid(other.den));
            (ra * other.den).cmp(&(rb * self.den))
        })
    }

    /// A JSON number's text, read as the decimal it spells (`-2.5`, `2.50`, `1e2`, `2.5e-1`).
    pub(super) fn parse(text: &str) -> Self {
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().expect("exponent")),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        let mut num: i128 = format!("{int_part}{frac_part}").parse().expect("digits");
        if negative {
            num = -num;
        }
        let exponent = exponent - frac_part.len() as i32;
        if exponent >= 0 {
            Self::int(num * 10i128.pow(exponent as u32))
        } else {
            Self { num, den: 10i128.pow(exponent.unsigned_abs()) }
        }
    }
}

impl PartialEq for Rat {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(*other) == Ordering::Equal
    }
}

/// One cell, as the oracle sees it (and as the Arrow array is built from).
#[derive(Debug, Clone)]
pub(super) enum Val {
    Null,
    Text(String),
    Int(i128),
    /// `exact` is `None` for NaN.
    Float {
        value: f64,
        exact: Option<Rat>,
    },
    Decimal {
        unscaled: i128,
        scale: i8,
    },
    Bool(bool),
    /// Days since 1970-01-01.
    Day(i64),
    /// Nanoseconds since 1970-01-01T00:00:00Z (already truncated to the column's unit).
    Instant(i128),
}

impl Val {
    pub(super) fn number(&self) -> Option<Rat> {
        match self {
            Self::Null => None,
            Self::Int(v) => Some(Rat::int(*v)),
            Self::Float { exact, .. } => Some(exact.expect("not NaN")),
            Self::Decimal { unscaled, scale } => {
                Some(Rat { num: *unscaled, den: 10i128.pow(u32::from(scale.unsigned_abs())) })
            }
            other => unreachable!("not a number: {other:?}"),
        }
    }

    pub(super) fn describe(&self) -> String {
        match self {
            Self::Null => "null".to_owned(),
            Self::Text(s) => format!("{s:?}"),
            Self::Int(v) => v.to_string(),
            Self::Float { value, .. } => format!("{value:?}"),
            Self::Decimal { unscaled, scale } => format!("{unscaled}e-{scale}"),
            Self::Bool(b) => b.to_string(),
            Self::Day(d) => format!("{} (day {d})", day_text(*d)),
            Self::Instant(ns) => format!("{} ({ns} ns)", instant_text(*ns)),
        }
    }
}

pub(super) fn epoch_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
}

fn day_text(day: i64) -> String {
    chrono::TimeDelta::try_days(day)
        .and_then(|d| epoch_day().checked_add_signed(d))
        .map_or_else(|| "?".to_owned(), |d| d.to_string())
}

fn instant_text(ns: i128) -> String {
    let secs = ns.div_euclid(1_000_000_000) as i64;
    let sub = ns.rem_euclid(1_000_000_000) as u32;
    chrono::DateTime::from_timestamp(secs, sub).map_or_else(|| "?".to_owned(), |t| t.to_rfc3339())
}

/// The value a raw draw gives in a column of `family` written as `dt`. Selectors (strings,
/// numbers, booleans) pick from the type's pool; time draws are instants in nanoseconds.
pub(super) fn materialize(family: Family, dt: &DataType, raw: Option<i128>) -> Val {
    let Some(raw) = raw else {
        return Val::Null;
    };
    let pick = |len: usize| (raw.unsigned_abs() % len as u128) as usize;
    match family {
        Family::Text => Val::Text(TEXT_POOL[pick(TEXT_POOL.len())].to_owned()),
        Family::Int => {
            let pool = int_pool(dt);
            Val::Int(pool[pick(pool.len())])
        }
        Family::Float => {
            let (value, num, den) = FLOAT_POOL[pick(FLOAT_POOL.len())];
            Val::Float { value, exact: (den != 0).then_some(Rat { num, den }) }
        }
        Family::Decimal => {
            let pool = decimal_pool(dt);
            Val::Decimal { unscaled: pool[pick(pool.len())], scale: decimal_shape(dt).1 }
        }
        Family::Bool => Val::Bool(raw % 2 == 0),
        // Clamped into what the type holds: far draws land on its ends.
        Family::Date => {
            let (lo, hi) = if *dt == DataType::Date32 {
                (i128::from(i32::MIN), i128::from(i32::MAX))
            } else {
                (-(i128::from(i64::MAX) / 86_400_000), i128::from(i64::MAX) / 86_400_000)
            };
            Val::Day(raw.div_euclid(NANOS_PER_DAY).clamp(lo, hi) as i64)
        }
        Family::Timestamp => {
            let DataType::Timestamp(unit, _) = dt else { unreachable!("not a timestamp type: {dt}") };
            let per = unit_nanos(*unit);
            Val::Instant(raw.div_euclid(per).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) * per)
        }
    }
}

/// A date/time literal: a calendar day, or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimeLit {
    Day(i64),
    Instant(i128),
}

impl TimeLit {
    pub(super) fn parse(text: &str) -> Self {
        if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Self::Day((date - epoch_day()).num_days());
        }
        let t = chrono::DateTime::parse_from_rfc3339(text).expect("an RFC 3339 literal");
        Self::Instant(i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos()))
    }

    pub(super) fn nanos(self) -> i128 {
        match self {
            Self::Day(d) => i128::from(d) * NANOS_PER_DAY,
            Self::Instant(ns) => ns,
        }
    }
}

pub(super) fn as_of_nanos() -> i128 {
    TimeLit::parse(AS_OF).nanos()
}
