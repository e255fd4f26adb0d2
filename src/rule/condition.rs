//! `Condition`: one compiled leaf of a rule (SPEC §2.3), with its operator's null behaviour made
//! explicit, in a form that can be hashed so identical conditions are evaluated once.
//!
//! Every condition is "a positive test on non-null values", a fixed answer for nulls, and an
//! optional negation applied last: `is_not` = not(`is`), and a null gives `not(null_matches)`.

use std::ops::Bound;

use serde_json::Value;

use super::value::{Exact, NANOS_PER_DAY, TimeLiteral};
use crate::model::json::{Issues, Located, did_you_mean, quote_list, type_name};
use crate::model::rule_spec::ConditionSpec;
use crate::people::TypeFamily;

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

pub const TEXT_OPS: &[&str] = &[
    "is",
    "is_not",
    "contains",
    "not_contains",
    "starts_with",
    "not_starts_with",
    "ends_with",
    "not_ends_with",
    "is_empty",
    "is_not_empty",
];
pub const NUMBER_OPS: &[&str] =
    &["is", "is_not", "greater_than", "less_than", "at_least", "at_most", "between", "is_empty", "is_not_empty"];
pub const BOOL_OPS: &[&str] = &["is", "is_empty", "is_not_empty"];
pub const TIME_OPS: &[&str] = &[
    "is",
    "is_not",
    "before",
    "on_or_before",
    "after",
    "on_or_after",
    "between",
    "in_past",
    "in_future",
    "is_empty",
    "is_not_empty",
];

fn ops_of(family: TypeFamily) -> &'static [&'static str] {
    match family {
        TypeFamily::Text => TEXT_OPS,
        TypeFamily::Number => NUMBER_OPS,
        TypeFamily::Boolean => BOOL_OPS,
        TypeFamily::Time => TIME_OPS,
    }
}

/// The shape of operands an operator takes.
#[derive(PartialEq, Eq)]
enum Operands {
    Values,
    MinMax,
    Days,
    None,
}

fn operands_of(op: &str) -> Operands {
    match op {
        "between" => Operands::MinMax,
        "in_past" | "in_future" => Operands::Days,
        "is_empty" | "is_not_empty" => Operands::None,
        _ => Operands::Values,
    }
}

/// What the compiler needs to know about the column a condition names.
pub struct ColumnType<'a> {
    pub index: usize,
    pub family: TypeFamily,
    /// The Arrow type as read, for messages ("number (Int32)").
    pub label: &'a str,
}

/// Compiles one condition; every problem goes to `issues` (and gives `None`).
pub fn compile_condition(
    spec: &ConditionSpec,
    column: &ColumnType<'_>,
    as_of_nanos: i128,
    issues: &mut Issues,
) -> Option<ColumnCondition> {
    let ctx = Some(spec.context.as_str());
    let op = spec.op.value.as_str();
    if !check_operator_name(spec, issues) {
        return None;
    }
    let allowed = ops_of(column.family);
    if !allowed.contains(&op) {
        issues.push_hint(
            &spec.op.path,
            ctx,
            format!("operator `{op}` does not fit column `{}` of type {}", spec.field.value, column.label),
            Some(format!("a {} column takes {}", column.family, quote_list(allowed))),
        );
        return None;
    }
    if !check_operands(spec, op, issues) {
        return None;
    }
    let empty_op = op == "is_empty" || op == "is_not_empty";
    let negate = op.starts_with("is_not") || op.starts_with("not_");
    let (test, null_matches) = match column.family {
        TypeFamily::Text => {
            let text_op = match op {
                "contains" | "not_contains" => TextOp::Contains,
                "starts_with" | "not_starts_with" => TextOp::StartsWith,
                "ends_with" | "not_ends_with" => TextOp::EndsWith,
                "is_empty" | "is_not_empty" => TextOp::Empty,
                _ => TextOp::Equals,
            };
            let needles = if empty_op {
                Vec::new()
            } else {
                let values = spec.values.as_ref()?;
                strings(values, ctx, issues)?.into_iter().map(str::to_lowercase).collect()
            };
            (Test::Text { op: text_op, needles }, empty_op)
        }
        _ if empty_op => (Test::Never, true),
        TypeFamily::Number => compile_number(spec, op, ctx, issues)?,
        TypeFamily::Boolean => {
            let values = spec.values.as_ref()?;
            let mut bools = Vec::new();
            for (i, v) in values.value.iter().enumerate() {
                match v {
                    Value::Bool(b) => bools.push(*b),
                    other => {
                        issues.push(
                            &element_path(values, i),
                            ctx,
                            format!("expected true or false, found {}", type_name(other)),
                        );
                        return None;
                    }
                }
            }
            // A null counts as false.
            let null_matches = bools.contains(&false);
            (Test::Bool(bools), null_matches)
        }
        TypeFamily::Time => compile_time(spec, op, as_of_nanos, ctx, issues)?,
    };
    Some(ColumnCondition { column: column.index, test, null_matches, negate })
}

/// Reports an operator no family has (with the nearest one); false when unknown.
pub fn check_operator_name(spec: &ConditionSpec, issues: &mut Issues) -> bool {
    let op = spec.op.value.as_str();
    let mut all_ops: Vec<&str> = TEXT_OPS.iter().chain(NUMBER_OPS).chain(BOOL_OPS).chain(TIME_OPS).copied().collect();
    all_ops.sort_unstable();
    all_ops.dedup();
    if all_ops.contains(&op) {
        return true;
    }
    issues.push_hint(
        &spec.op.path,
        Some(&spec.context),
        format!("unknown operator `{}`", crate::error::shorten(op)),
        Some(
            did_you_mean(op, &all_ops)
                .unwrap_or_else(|| "docs/MODEL.md lists the operators of each column type".to_owned()),
        ),
    );
    false
}

fn check_operands(spec: &ConditionSpec, op: &str, issues: &mut Issues) -> bool {
    let ctx = Some(spec.context.as_str());
    let wanted = operands_of(op);
    let mut ok = true;
    let mut reject = |present: bool, key: &str, path: &str| {
        if present {
            issues.push(path, ctx, format!("operator `{op}` does not take `{key}`"));
            ok = false;
        }
    };
    if wanted != Operands::Values
        && let Some(v) = &spec.values
    {
        reject(true, if v.path.ends_with("/values") { "values" } else { "value" }, &v.path);
    }
    if wanted != Operands::MinMax {
        reject(spec.min.is_some(), "min", &spec.path);
        reject(spec.max.is_some(), "max", &spec.path);
    }
    if wanted != Operands::Days {
        reject(spec.days.is_some(), "days", &spec.path);
    }
    let missing = match wanted {
        Operands::Values if spec.values.is_none() => Some("`value` or `values`"),
        Operands::MinMax if spec.min.is_none() || spec.max.is_none() => Some("`min` and `max`"),
        Operands::Days if spec.days.is_none() => Some("`days`"),
        _ => None,
    };
    if let Some(missing) = missing {
        issues.push(&spec.path, ctx, format!("operator `{op}` needs {missing}"));
        ok = false;
    }
    ok
}

fn element_path(values: &Located<Vec<Value>>, i: usize) -> String {
    if values.path.ends_with("/values") { format!("{}/{i}", values.path) } else { values.path.clone() }
}

fn strings<'v>(values: &'v Located<Vec<Value>>, ctx: Option<&str>, issues: &mut Issues) -> Option<Vec<&'v str>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (i, v) in values.value.iter().enumerate() {
        match v {
            Value::String(s) => out.push(s.as_str()),
            other => {
                issues.push(&element_path(values, i), ctx, format!("expected a string, found {}", type_name(other)));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

fn number(value: &Value, path: &str, ctx: Option<&str>, issues: &mut Issues) -> Option<Exact> {
    match value {
        Value::Number(n) => Exact::from_json(n).or_else(|| {
            issues.push_hint(
                path,
                ctx,
                format!("number {} is out of range: its exponent is too large", crate::error::shorten(&n.to_string())),
                Some("write it with a smaller exponent"),
            );
            None
        }),
        other => {
            issues.push(path, ctx, format!("expected a number, found {}", type_name(other)));
            None
        }
    }
}

fn compile_number(spec: &ConditionSpec, op: &str, ctx: Option<&str>, issues: &mut Issues) -> Option<(Test, bool)> {
    if op == "between" {
        let (min, max) = (spec.min.as_ref()?, spec.max.as_ref()?);
        let lo = number(&min.value, &min.path, ctx, issues);
        let hi = number(&max.value, &max.path, ctx, issues);
        let (lo, hi) = (lo?, hi?);
        if lo.compare(hi).is_gt() {
            issues.push(
                &max.path,
                ctx,
                format!("`between` needs min ≤ max, found min {} > max {}", min.value, max.value),
            );
            return None;
        }
        let range = NumberRange { lo: Bound::Included(lo), hi: Bound::Included(hi) };
        return Some((Test::Number(vec![range]), false));
    }
    let values = spec.values.as_ref()?;
    let mut numbers = Vec::new();
    for (i, v) in values.value.iter().enumerate() {
        numbers.push(number(v, &element_path(values, i), ctx, issues));
    }
    let numbers: Vec<Exact> = numbers.into_iter().collect::<Option<_>>()?;
    let ranges = numbers
        .iter()
        .map(|&v| match op {
            "greater_than" => NumberRange { lo: Bound::Excluded(v), hi: Bound::Unbounded },
            "less_than" => NumberRange { lo: Bound::Unbounded, hi: Bound::Excluded(v) },
            "at_least" => NumberRange { lo: Bound::Included(v), hi: Bound::Unbounded },
            "at_most" => NumberRange { lo: Bound::Unbounded, hi: Bound::Included(v) },
            _ => NumberRange { lo: Bound::Included(v), hi: Bound::Included(v) },
        })
        .collect();
    // `is`/`is_not`: a null counts as 0. Comparisons: a null never matches.
    let null_matches = matches!(op, "is" | "is_not") && numbers.iter().any(|n| n.is_zero());
    Some((Test::Number(ranges), null_matches))
}

fn time_literal(value: &Value, path: &str, ctx: Option<&str>, issues: &mut Issues) -> Option<TimeLiteral> {
    let parsed = value.as_str().and_then(TimeLiteral::parse);
    if parsed.is_none() {
        issues.push(
            path,
            ctx,
            format!(
                "expected a date \"YYYY-MM-DD\" or an RFC 3339 instant such as \"2026-11-01T12:00:00Z\", found {}",
                crate::error::shorten(&value.to_string())
            ),
        );
    }
    parsed
}

fn literal_bound(lit: TimeLiteral, inclusive: bool) -> (TimeKey, Bound<i128>) {
    let (key, v) = match lit {
        TimeLiteral::Day(d) => (TimeKey::Day, i128::from(d)),
        TimeLiteral::Instant(ns) => (TimeKey::Instant, ns),
    };
    (key, if inclusive { Bound::Included(v) } else { Bound::Excluded(v) })
}

fn compile_time(
    spec: &ConditionSpec,
    op: &str,
    as_of: i128,
    ctx: Option<&str>,
    issues: &mut Issues,
) -> Option<(Test, bool)> {
    let same = |ranges: Vec<TimeRange>| Test::Time { for_dates: ranges.clone(), for_timestamps: ranges };
    match op {
        "between" => {
            let (min, max) = (spec.min.as_ref()?, spec.max.as_ref()?);
            let lo = time_literal(&min.value, &min.path, ctx, issues);
            let hi = time_literal(&max.value, &max.path, ctx, issues);
            let (lo, hi) = (lo?, hi?);
            let (lo_key, lo_bound) = literal_bound(lo, true);
            let (hi_key, hi_bound) = literal_bound(hi, true);
            if lo_key != hi_key {
                issues.push(&spec.path, ctx, "`min` and `max` must both be dates or both be instants");
                return None;
            }
            if lo.as_nanos() > hi.as_nanos() {
                issues.push(
                    &max.path,
                    ctx,
                    format!("`between` needs min ≤ max, found min {} > max {}", min.value, max.value),
                );
                return None;
            }
            Some((same(vec![TimeRange { key: lo_key, lo: lo_bound, hi: hi_bound }]), false))
        }
        "in_past" | "in_future" => {
            let days = spec.days.as_ref()?;
            let Some(n) = days.value.as_u64().filter(|n| *n <= 1_000_000) else {
                issues.push(
                    &days.path,
                    ctx,
                    format!("`days` must be a whole number from 0 to 1000000, found {}", days.value),
                );
                return None;
            };
            let n = i128::from(n);
            let as_of_day = as_of.div_euclid(NANOS_PER_DAY);
            let (day_lo, day_hi, ns_lo, ns_hi) = if op == "in_past" {
                (as_of_day - n, as_of_day, as_of - n * NANOS_PER_DAY, as_of)
            } else {
                (as_of_day, as_of_day + n, as_of, as_of + n * NANOS_PER_DAY)
            };
            let for_dates =
                vec![TimeRange { key: TimeKey::Day, lo: Bound::Included(day_lo), hi: Bound::Included(day_hi) }];
            let for_timestamps =
                vec![TimeRange { key: TimeKey::Instant, lo: Bound::Included(ns_lo), hi: Bound::Included(ns_hi) }];
            Some((Test::Time { for_dates, for_timestamps }, false))
        }
        _ => {
            let values = spec.values.as_ref()?;
            let mut literals = Vec::new();
            for (i, v) in values.value.iter().enumerate() {
                literals.push(time_literal(v, &element_path(values, i), ctx, issues));
            }
            let literals: Vec<TimeLiteral> = literals.into_iter().collect::<Option<_>>()?;
            let ranges = literals
                .into_iter()
                .map(|lit| {
                    let (key, incl) = literal_bound(lit, true);
                    let (_, excl) = literal_bound(lit, false);
                    let (lo, hi) = match op {
                        "before" => (Bound::Unbounded, excl),
                        "on_or_before" => (Bound::Unbounded, incl),
                        "after" => (excl, Bound::Unbounded),
                        "on_or_after" => (incl, Bound::Unbounded),
                        _ => (incl, incl),
                    };
                    TimeRange { key, lo, hi }
                })
                .collect();
            // Marketo: `before` and `on_or_before` also match people with no value.
            let null_matches = matches!(op, "before" | "on_or_before");
            Some((same(ranges), null_matches))
        }
    }
}
