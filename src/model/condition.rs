//! `ConditionSpec` → [`ColumnCondition`]: a condition as written, checked against the type of the
//! column it names — the operator by name and family, its operands by shape, each value by the
//! column's family — and read into literals for [`ColumnCondition::new`]. Every problem is
//! reported with its JSON path, naming what was written and what it was checked against.

use std::fmt::Write as _;

use serde_json::Value;

use super::json::{Issues, Located, found};
use super::rule_spec::ConditionSpec;
use crate::error::text::{did_you_mean, quote_list, shorten};
use crate::rule::value::{Exact, TimeLiteral};
use crate::rule::{ColumnCondition, Operand, OperandShape, Operator, TypeFamily};

/// The most `days` of `in_past`/`in_future` (about 2,700 years).
pub const MAX_DAYS: u32 = 1_000_000;

/// What the compiler needs to know about the column a condition names.
pub struct ColumnType<'a> {
    /// Index into `Model::columns`.
    pub index: usize,
    pub family: TypeFamily,
    /// The family and the Arrow type as read, for messages ("number (Int32)").
    pub label: &'a str,
}

/// Compiles one condition; every problem goes to `issues` (and gives `None`).
pub fn compile_condition(
    spec: &ConditionSpec,
    column: &ColumnType<'_>,
    as_of_nanos: i128,
    issues: &mut Issues,
) -> Option<ColumnCondition> {
    let op = operator(spec, Some(column), issues)?;
    if !op.fits(column.family) {
        issues.push_hint(
            &spec.op.path,
            Some(&spec.context),
            format!("operator `{op}` does not fit column `{}` of type {}", spec.field.value, column.label),
            Some(format!("a {} column takes {}", column.family, operator_list(column.family))),
        );
        return None;
    }
    if !check_operands(spec, op, issues) {
        return None;
    }
    let operand = Reader { spec, op, column }.operand(issues)?;
    let condition = ColumnCondition::new(column.index, column.family, op, operand, as_of_nanos);
    // `fits` was checked above, and `Reader::operand` reads the operand by the operator's shape
    // and the column's family, which is what `new` expects.
    Some(condition.expect("operands are read for the operator and the column's family"))
}

/// The operator the condition names; an unknown one is reported with the nearest name, or with
/// the operators of the column's family when nothing is near (`column`: `None` when the column
/// is unknown).
pub fn operator(spec: &ConditionSpec, column: Option<&ColumnType<'_>>, issues: &mut Issues) -> Option<Operator> {
    let name = spec.op.value.as_str();
    if let Some(op) = Operator::parse(name) {
        return Some(op);
    }
    let mut names: Vec<&str> = Operator::ALL.iter().map(|op| op.name()).collect();
    names.sort_unstable();
    let hint = did_you_mean(name, &names).unwrap_or_else(|| match column {
        Some(column) => {
            format!("column `{}` of type {} takes {}", spec.field.value, column.label, operator_list(column.family))
        }
        None => "docs/MODEL.md lists the operators of each column type".to_owned(),
    });
    issues.push_hint(&spec.op.path, Some(&spec.context), format!("unknown operator `{}`", shorten(name)), Some(hint));
    None
}

fn operator_list(family: TypeFamily) -> String {
    let names: Vec<&str> = Operator::of(family).iter().map(|op| op.name()).collect();
    quote_list(&names)
}

/// What an operator takes, for messages.
fn operands_phrase(operands: OperandShape) -> &'static str {
    match operands {
        OperandShape::Values => "`value` or `values`",
        OperandShape::MinMax => "`min` and `max`",
        OperandShape::Days => "`days`",
        OperandShape::None => "no operand",
    }
}

/// Reports operands the operator does not take, and the ones it lacks; false on any.
fn check_operands(spec: &ConditionSpec, op: Operator, issues: &mut Issues) -> bool {
    let ctx = Some(spec.context.as_str());
    let wanted = op.operands();
    let mut ok = true;
    let mut reject = |present: bool, key: &str, path: &str| {
        if present {
            issues.push_hint(
                path,
                ctx,
                format!("operator `{op}` does not take `{key}`"),
                Some(format!("`{op}` takes {}: remove `{key}`", operands_phrase(wanted))),
            );
            ok = false;
        }
    };
    if wanted != OperandShape::Values
        && let Some(v) = &spec.values
    {
        reject(true, if v.path.ends_with("/values") { "values" } else { "value" }, &v.path);
    }
    if wanted != OperandShape::MinMax {
        reject(spec.min.is_some(), "min", &spec.path);
        reject(spec.max.is_some(), "max", &spec.path);
    }
    if wanted != OperandShape::Days {
        reject(spec.days.is_some(), "days", &spec.path);
    }
    let missing = match wanted {
        OperandShape::Values => spec.values.is_none(),
        OperandShape::MinMax => spec.min.is_none() || spec.max.is_none(),
        OperandShape::Days => spec.days.is_none(),
        OperandShape::None => false,
    };
    if missing {
        issues.push(&spec.path, ctx, format!("operator `{op}` needs {}", operands_phrase(wanted)));
        ok = false;
    }
    ok
}

/// Reads the operands of one condition whose operator fits its column and whose operand keys
/// are the operator's.
struct Reader<'a> {
    spec: &'a ConditionSpec,
    op: Operator,
    column: &'a ColumnType<'a>,
}

impl Reader<'_> {
    fn operand(&self, issues: &mut Issues) -> Option<Operand> {
        let spec = self.spec;
        match self.op.operands() {
            OperandShape::None => Some(Operand::None),
            OperandShape::Days => self.days(spec.days.as_ref()?, issues).map(Operand::Days),
            OperandShape::MinMax => self.range(spec.min.as_ref()?, spec.max.as_ref()?, issues),
            OperandShape::Values => {
                let values = spec.values.as_ref()?;
                let paths = (0..values.value.len()).map(|i| element_path(values, i));
                let each = values.value.iter().zip(paths);
                match self.column.family {
                    TypeFamily::Text => all(each.map(|(v, path)| self.string(v, &path, issues))).map(Operand::Texts),
                    TypeFamily::Number => {
                        all(each.map(|(v, path)| self.number(v, &path, issues))).map(Operand::Numbers)
                    }
                    TypeFamily::Boolean => all(each.map(|(v, path)| self.bool(v, &path, issues))).map(Operand::Bools),
                    TypeFamily::Time => all(each.map(|(v, path)| self.time(v, &path, issues))).map(Operand::Times),
                }
            }
        }
    }

    /// "`at_least` on column `lead_score` of type number (Int32)", the start of a value's message.
    fn on_column(&self) -> String {
        format!("`{}` on column `{}` of type {}", self.op, self.spec.field.value, self.column.label)
    }

    /// Reports `value` as not what the operator needs; `None`, for the reader to return.
    fn wrong<T>(&self, path: &str, needs: &str, value: &Value, hint: Option<String>, issues: &mut Issues) -> Option<T> {
        let message = format!("{} needs {needs}, found {}", self.on_column(), found(value));
        issues.push_hint(path, Some(&self.spec.context), message, hint);
        None
    }

    fn string(&self, value: &Value, path: &str, issues: &mut Issues) -> Option<String> {
        if let Value::String(s) = value {
            return Some(s.clone());
        }
        let quotable = matches!(value, Value::Number(_) | Value::Bool(_));
        let hint = quotable.then(|| format!("write it in quotes: \"{}\"", shorten(&value.to_string())));
        self.wrong(path, "a string", value, hint, issues)
    }

    fn number(&self, value: &Value, path: &str, issues: &mut Issues) -> Option<Exact> {
        match value {
            Value::Number(n) => Exact::from_json(n).or_else(|| {
                issues.push_hint(
                    path,
                    Some(&self.spec.context),
                    format!(
                        "{}: number {} is out of range: its exponent is too large",
                        self.on_column(),
                        shorten(&n.to_string())
                    ),
                    Some("write it with a smaller exponent"),
                );
                None
            }),
            other => {
                let quoted = other.as_str().map(str::trim).filter(|s| Exact::parse(s).is_some());
                let hint = quoted.map(|s| format!("write the number without quotes: {s}"));
                self.wrong(path, "a number", value, hint, issues)
            }
        }
    }

    fn bool(&self, value: &Value, path: &str, issues: &mut Issues) -> Option<bool> {
        if let Value::Bool(b) = value {
            return Some(*b);
        }
        let quoted = value.as_str().filter(|s| *s == "true" || *s == "false");
        self.wrong(path, "true or false", value, quoted.map(|s| format!("write it without quotes: {s}")), issues)
    }

    fn time(&self, value: &Value, path: &str, issues: &mut Issues) -> Option<TimeLiteral> {
        let text = value.as_str();
        let parsed = text.and_then(TimeLiteral::parse);
        if parsed.is_none() {
            // "2026-02-30" has the form of a date but is none.
            let looks_like_a_day = text.is_some_and(|t| {
                t.len() == 10
                    && t.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
            });
            let hint = looks_like_a_day.then_some("there is no such day in the calendar".to_owned());
            let needs = "a date \"YYYY-MM-DD\" or an RFC 3339 instant such as \"2026-11-01T12:00:00Z\"";
            return self.wrong(path, needs, value, hint, issues);
        }
        parsed
    }

    fn days(&self, days: &Located<Value>, issues: &mut Issues) -> Option<u32> {
        let n = days.value.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n <= MAX_DAYS);
        if n.is_none() {
            issues.push(
                &days.path,
                Some(&self.spec.context),
                format!(
                    "{}: `days` must be a whole number from 0 to {MAX_DAYS}, found {}",
                    self.on_column(),
                    found(&days.value)
                ),
            );
        }
        n
    }

    /// `min` and `max` of `between`: both read (each reported), then compared.
    fn range(&self, min: &Located<Value>, max: &Located<Value>, issues: &mut Issues) -> Option<Operand> {
        let ctx = Some(self.spec.context.as_str());
        let backwards = |issues: &mut Issues| {
            issues.push(
                &max.path,
                ctx,
                format!(
                    "{} needs min ≤ max, found min {} > max {}",
                    self.on_column(),
                    shorten(&min.value.to_string()),
                    shorten(&max.value.to_string())
                ),
            );
        };
        match self.column.family {
            TypeFamily::Number => {
                let (lo, hi) = (self.number(&min.value, &min.path, issues), self.number(&max.value, &max.path, issues));
                let (lo, hi) = (lo?, hi?);
                if lo.compare(hi).is_gt() {
                    backwards(issues);
                    return None;
                }
                Some(Operand::NumberRange(lo, hi))
            }
            TypeFamily::Time => {
                let (lo, hi) = (self.time(&min.value, &min.path, issues), self.time(&max.value, &max.path, issues));
                let (lo, hi) = (lo?, hi?);
                let kind = |t: TimeLiteral| match t {
                    TimeLiteral::Day(_) => "the date",
                    TimeLiteral::Instant(_) => "the instant",
                };
                if kind(lo) != kind(hi) {
                    issues.push_hint(
                        &self.spec.path,
                        ctx,
                        format!(
                            "{}: `min` and `max` must both be dates or both be instants, found {} {} and {} {}",
                            self.on_column(),
                            kind(lo),
                            shorten(&min.value.to_string()),
                            kind(hi),
                            shorten(&max.value.to_string())
                        ),
                        Some("write both as dates \"YYYY-MM-DD\", or both as instants"),
                    );
                    return None;
                }
                if lo.as_nanos() > hi.as_nanos() {
                    backwards(issues);
                    return None;
                }
                Some(Operand::TimeRange(lo, hi))
            }
            // `between` fits neither (checked by `fits` before): said, should one ever take it.
            TypeFamily::Text | TypeFamily::Boolean => {
                issues.push(&self.spec.op.path, ctx, format!("{} cannot take `min` and `max`", self.on_column()));
                None
            }
        }
    }
}

/// Every item (each problem reported by its reader), or `None` when one failed.
fn all<T>(items: impl Iterator<Item = Option<T>>) -> Option<Vec<T>> {
    let read: Vec<Option<T>> = items.collect();
    read.into_iter().collect()
}

fn element_path(values: &Located<Vec<Value>>, i: usize) -> String {
    if values.path.ends_with("/values") { format!("{}/{i}", values.path) } else { values.path.clone() }
}

/// A condition as the rule wrote it: `industry is ["Healthcare", "Retail"]`, `score at_least 80`.
#[must_use]
pub fn describe(spec: &ConditionSpec) -> String {
    let mut text = format!("{} {}", spec.field.value, spec.op.value);
    if let Some(values) = &spec.values {
        let shown: Vec<String> = values.value.iter().map(ToString::to_string).collect();
        if shown.len() == 1 {
            let _ = write!(text, " {}", shown[0]);
        } else {
            let _ = write!(text, " [{}]", shown.join(", "));
        }
    }
    if let (Some(min), Some(max)) = (&spec.min, &spec.max) {
        let _ = write!(text, " {} and {}", min.value, max.value);
    }
    if let Some(days) = &spec.days {
        let _ = write!(text, " {} days", days.value);
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::model::rule_spec::{RuleSpec, parse_rule};

    fn spec(rule: &Value) -> ConditionSpec {
        let mut issues = Issues::default();
        match parse_rule(rule, "/r", "segment `s`", &mut issues) {
            Some(RuleSpec::Condition(spec)) => *spec,
            other => panic!("not a condition: {other:?} {:?}", issues.list),
        }
    }

    /// The messages compiling `rule` on a column of `family` gives (none when it compiles).
    fn messages(rule: &Value, family: TypeFamily, label: &str) -> Vec<String> {
        let mut issues = Issues::default();
        let column = ColumnType { index: 0, family, label };
        let compiled = compile_condition(&spec(rule), &column, 0, &mut issues);
        let messages: Vec<String> = issues.list.iter().map(ToString::to_string).collect();
        assert_eq!(compiled.is_some(), messages.is_empty(), "{messages:?}");
        messages
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_column_its_type_and_the_value() {
        let rule = json!({"field": "lead_score", "op": "at_least", "value": "high"});
        assert_eq!(
            messages(&rule, TypeFamily::Number, "number (Int64)"),
            [
                "`at_least` on column `lead_score` of type number (Int64) needs a number, found the string \"high\" in segment `s` (/r/value)"
            ]
        );
        let long = "x".repeat(500);
        let rule = json!({"field": "email_opt_in", "op": "is", "values": [true, long]});
        let message = &messages(&rule, TypeFamily::Boolean, "boolean (Boolean)")[0];
        assert!(message.contains("found the string \"xxxx"), "{message}");
        assert!(message.contains("… (502 characters) in segment `s` (/r/values/1)"), "{message}");
        let rule = json!({"field": "country", "op": "is", "values": ["DE", 49, null]});
        assert_eq!(
            messages(&rule, TypeFamily::Text, "string (Utf8)"),
            [
                "`is` on column `country` of type string (Utf8) needs a string, found the number 49 in segment `s`; write it in quotes: \"49\" (/r/values/1)",
                "`is` on column `country` of type string (Utf8) needs a string, found null in segment `s` (/r/values/2)",
            ]
        );
    }

    #[test]
    fn unknown_operators_get_the_nearest_name_or_the_columns_operators() {
        let near = json!({"field": "opt_in", "op": "is_nto", "value": true});
        assert_eq!(
            messages(&near, TypeFamily::Boolean, "boolean (Boolean)"),
            ["unknown operator `is_nto` in segment `s`; did you mean `is_not`? (/r/op)"]
        );
        let far = json!({"field": "opt_in", "op": "resembles", "value": true});
        assert_eq!(
            messages(&far, TypeFamily::Boolean, "boolean (Boolean)"),
            [
                "unknown operator `resembles` in segment `s`; column `opt_in` of type boolean (Boolean) takes `is`, `is_empty`, `is_not_empty` (/r/op)"
            ]
        );
        let mut issues = Issues::default();
        assert_eq!(operator(&spec(&far), None, &mut issues), None);
        assert!(issues.list[0].to_string().contains("docs/MODEL.md lists the operators"));
    }

    #[test]
    fn operands_are_checked_against_the_operator() {
        let rule = json!({"field": "d", "op": "in_past", "days": 3, "value": 1, "min": 1});
        assert_eq!(
            messages(&rule, TypeFamily::Time, "date/timestamp (Date32)"),
            [
                "operator `in_past` does not take `value` in segment `s`; `in_past` takes `days`: remove `value` (/r/value)",
                "operator `in_past` does not take `min` in segment `s`; `in_past` takes `days`: remove `min` (/r)",
            ]
        );
        let rule = json!({"field": "d", "op": "between", "min": "2026-01-01"});
        assert_eq!(
            messages(&rule, TypeFamily::Time, "date/timestamp (Date32)"),
            ["operator `between` needs `min` and `max` in segment `s` (/r)"]
        );
        let rule = json!({"field": "d", "op": "in_future", "days": 1_000_001});
        assert_eq!(
            messages(&rule, TypeFamily::Time, "date/timestamp (Date32)"),
            [
                "`in_future` on column `d` of type date/timestamp (Date32): `days` must be a whole number from 0 to 1000000, found the number 1000001 in segment `s` (/r/days)"
            ]
        );
    }

    #[test]
    fn every_operator_compiles_on_every_family_it_fits() {
        for &op in Operator::ALL {
            for family in [TypeFamily::Text, TypeFamily::Number, TypeFamily::Boolean, TypeFamily::Time] {
                let value = match family {
                    TypeFamily::Text => json!("a"),
                    TypeFamily::Number => json!(1.5),
                    TypeFamily::Boolean => json!(false),
                    TypeFamily::Time => json!("2026-11-01"),
                };
                let mut rule = json!({"field": "c", "op": op.name()});
                match op.operands() {
                    OperandShape::Values => rule["values"] = json!([value.clone(), value]),
                    OperandShape::MinMax => (rule["min"], rule["max"]) = (value.clone(), value),
                    OperandShape::Days => rule["days"] = json!(7),
                    OperandShape::None => {}
                }
                let found = messages(&rule, family, "t");
                if op.fits(family) {
                    assert_eq!(found, Vec::<String>::new(), "{op} on {family}");
                } else {
                    assert!(found[0].contains("does not fit column `c`"), "{op} on {family}: {found:?}");
                }
            }
        }
    }
}
