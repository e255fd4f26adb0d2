//! `Condition`: one compiled leaf of a rule (SPEC §2.3), with its operator's null behaviour made
//! explicit, in a form that can be hashed so identical conditions are evaluated once.
//!
//! Every condition is "a positive test on non-null values", a fixed answer for nulls, and an
//! optional negation applied last: `is_not` = not(`is`), and a null gives `not(null_matches)`.

use std::ops::Bound;

use super::family::TypeFamily;
use super::operator::{NullAnswer, Operator};
use super::value::{Exact, NANOS_PER_DAY, TimeLiteral};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Condition {
    Column(ColumnCondition),
    /// `member_of_list`: the person id is in the static list (index into `Model::lists`).
    InList {
        list: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnCondition {
    /// Index into `Model::columns`.
    pub column: usize,
    pub test: Test,
    /// The positive test's answer for a null value.
    pub null_matches: bool,
    pub negate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Test {
    /// Case-insensitive; `needles` are lowercased. Matches when any needle matches.
    Text { op: TextOp, needles: Vec<String> },
    /// Matches when the value lies in any of the ranges.
    Number(Vec<NumberRange>),
    /// Matches when the value equals any of these.
    Bool(Vec<bool>),
    /// Matches when the value lies in any of the ranges; date columns and timestamp columns
    /// differ only for `in_past`/`in_future` (calendar days vs instants).
    Time { for_dates: Vec<TimeRange>, for_timestamps: Vec<TimeRange> },
    /// No non-null value matches (`is_empty` on a non-string column).
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextOp {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
    /// The empty string (null is handled by `null_matches`).
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumberRange {
    pub lo: Bound<Exact>,
    pub hi: Bound<Exact>,
}

/// What a time range is compared with: the UTC calendar day of the value, or its instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeKey {
    Day,
    Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeRange {
    pub key: TimeKey,
    /// Days since the epoch for [`TimeKey::Day`], nanoseconds for [`TimeKey::Instant`].
    pub lo: Bound<i128>,
    pub hi: Bound<i128>,
}

/// An operator's operands as literals, read and checked by the model (`min ≤ max`, `days` in
/// range, both ends of a time range of one kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// `value`/`values` of a string column, as written (lowercased here).
    Texts(Vec<String>),
    Numbers(Vec<Exact>),
    Bools(Vec<bool>),
    Times(Vec<TimeLiteral>),
    /// `min` and `max` of a number column.
    NumberRange(Exact, Exact),
    /// `min` and `max` of a time column: both days or both instants.
    TimeRange(TimeLiteral, TimeLiteral),
    /// `days` of `in_past`/`in_future`.
    Days(u32),
    None,
}

/// The operator, family and operands given to [`ColumnCondition::new`] do not go together: a
/// bug of the caller, which checks them against the operator first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfit {
    pub op: Operator,
    pub family: TypeFamily,
}

impl ColumnCondition {
    /// The condition `op operand` on column `column` (an index into `Model::columns`) of
    /// `family`; `as_of_nanos` anchors `in_past`/`in_future`.
    pub fn new(
        column: usize,
        family: TypeFamily,
        op: Operator,
        operand: Operand,
        as_of_nanos: i128,
    ) -> Result<Self, Unfit> {
        let unfit = Unfit { op, family };
        if !op.fits(family) {
            return Err(unfit);
        }
        let (positive, negate) = match op.negates() {
            Some(positive) => (positive, true),
            None => (op, false),
        };
        let null_matches = match positive.null_answer(family) {
            NullAnswer::No => false,
            NullAnswer::Yes => true,
            NullAnswer::AsZero => match &operand {
                Operand::Numbers(values) => values.iter().any(|v| v.is_zero()),
                Operand::Bools(values) => values.contains(&false),
                _ => return Err(unfit),
            },
        };
        let test = positive_test(positive, family, operand, as_of_nanos).ok_or(unfit)?;
        Ok(Self { column, test, null_matches, negate })
    }
}

/// The test of a positive operator; `None` when the operands do not fit it.
fn positive_test(op: Operator, family: TypeFamily, operand: Operand, as_of: i128) -> Option<Test> {
    let point = |v| (Bound::Included(v), Bound::Included(v));
    Some(match op {
        Operator::Is => match operand {
            Operand::Texts(needles) => text(TextOp::Equals, &needles),
            Operand::Numbers(values) => numbers(&values, point),
            Operand::Bools(values) => Test::Bool(values),
            Operand::Times(values) => times(&values, |incl, _| (incl, incl)),
            _ => return None,
        },
        Operator::Contains => text(TextOp::Contains, &texts(operand)?),
        Operator::StartsWith => text(TextOp::StartsWith, &texts(operand)?),
        Operator::EndsWith => text(TextOp::EndsWith, &texts(operand)?),
        Operator::GreaterThan => numbers(&exacts(operand)?, |v| (Bound::Excluded(v), Bound::Unbounded)),
        Operator::LessThan => numbers(&exacts(operand)?, |v| (Bound::Unbounded, Bound::Excluded(v))),
        Operator::AtLeast => numbers(&exacts(operand)?, |v| (Bound::Included(v), Bound::Unbounded)),
        Operator::AtMost => numbers(&exacts(operand)?, |v| (Bound::Unbounded, Bound::Included(v))),
        Operator::Before => times(&literals(operand)?, |_, excl| (Bound::Unbounded, excl)),
        Operator::OnOrBefore => times(&literals(operand)?, |incl, _| (Bound::Unbounded, incl)),
        Operator::After => times(&literals(operand)?, |_, excl| (excl, Bound::Unbounded)),
        Operator::OnOrAfter => times(&literals(operand)?, |incl, _| (incl, Bound::Unbounded)),
        Operator::Between => match operand {
            Operand::NumberRange(lo, hi) => {
                Test::Number(vec![NumberRange { lo: Bound::Included(lo), hi: Bound::Included(hi) }])
            }
            Operand::TimeRange(lo, hi) => {
                let (lo_key, lo) = literal_bound(lo, true);
                let (hi_key, hi) = literal_bound(hi, true);
                if lo_key != hi_key {
                    return None;
                }
                same_for_both(vec![TimeRange { key: lo_key, lo, hi }])
            }
            _ => return None,
        },
        Operator::InPast | Operator::InFuture => {
            let Operand::Days(days) = operand else { return None };
            let n = i128::from(days);
            let as_of_day = as_of.div_euclid(NANOS_PER_DAY);
            let (day_lo, day_hi, ns_lo, ns_hi) = if op == Operator::InPast {
                (as_of_day - n, as_of_day, as_of - n * NANOS_PER_DAY, as_of)
            } else {
                (as_of_day, as_of_day + n, as_of, as_of + n * NANOS_PER_DAY)
            };
            let for_dates =
                vec![TimeRange { key: TimeKey::Day, lo: Bound::Included(day_lo), hi: Bound::Included(day_hi) }];
            let for_timestamps =
                vec![TimeRange { key: TimeKey::Instant, lo: Bound::Included(ns_lo), hi: Bound::Included(ns_hi) }];
            Test::Time { for_dates, for_timestamps }
        }
        Operator::IsEmpty => match (family, operand) {
            (TypeFamily::Text, Operand::None) => text(TextOp::Empty, &[]),
            // Only a string can be empty without being null.
            (TypeFamily::Number | TypeFamily::Boolean | TypeFamily::Time, Operand::None) => Test::Never,
            _ => return None,
        },
        // Negations are tested as their positive operator (`ColumnCondition::new`).
        Operator::IsNot
        | Operator::NotContains
        | Operator::NotStartsWith
        | Operator::NotEndsWith
        | Operator::IsNotEmpty => return None,
    })
}

fn text(op: TextOp, needles: &[String]) -> Test {
    Test::Text { op, needles: needles.iter().map(|n| n.to_lowercase()).collect() }
}

fn texts(operand: Operand) -> Option<Vec<String>> {
    if let Operand::Texts(values) = operand { Some(values) } else { None }
}

fn exacts(operand: Operand) -> Option<Vec<Exact>> {
    if let Operand::Numbers(values) = operand { Some(values) } else { None }
}

fn literals(operand: Operand) -> Option<Vec<TimeLiteral>> {
    if let Operand::Times(values) = operand { Some(values) } else { None }
}

fn numbers(values: &[Exact], range: impl Fn(Exact) -> (Bound<Exact>, Bound<Exact>)) -> Test {
    Test::Number(
        values
            .iter()
            .map(|&v| {
                let (lo, hi) = range(v);
                NumberRange { lo, hi }
            })
            .collect(),
    )
}

/// One range per literal: `range(inclusive bound, exclusive bound)` gives its (lo, hi).
fn times(values: &[TimeLiteral], range: impl Fn(Bound<i128>, Bound<i128>) -> (Bound<i128>, Bound<i128>)) -> Test {
    same_for_both(
        values
            .iter()
            .map(|&lit| {
                let (key, incl) = literal_bound(lit, true);
                let (_, excl) = literal_bound(lit, false);
                let (lo, hi) = range(incl, excl);
                TimeRange { key, lo, hi }
            })
            .collect(),
    )
}

/// A time test that date and timestamp columns answer alike.
fn same_for_both(ranges: Vec<TimeRange>) -> Test {
    Test::Time { for_dates: ranges.clone(), for_timestamps: ranges }
}

fn literal_bound(lit: TimeLiteral, inclusive: bool) -> (TimeKey, Bound<i128>) {
    let (key, v) = match lit {
        TimeLiteral::Day(d) => (TimeKey::Day, i128::from(d)),
        TimeLiteral::Instant(ns) => (TimeKey::Instant, ns),
    };
    (key, if inclusive { Bound::Included(v) } else { Bound::Excluded(v) })
}
