//! The oracle: SPEC §2.3 row by row on plain values, written without segcalc's rule or kernel
//! code.

use std::cmp::Ordering;

use super::pools::{COLUMNS, Family, NANOS_PER_DAY};
use super::rule::{Cond, Lit, Logic, Operand, Rule};
use super::value::{Rat, TimeLit, Val};

pub(super) struct Oracle {
    pub(super) as_of: i128,
}

impl Oracle {
    pub(super) fn rule(&self, rule: &Rule, row: &[Val]) -> bool {
        match rule {
            Rule::Cond(c) => self.cond(c, &row[c.column]),
            Rule::All(parts) => parts.iter().all(|p| self.rule(p, row)),
            Rule::Any(parts) => parts.iter().any(|p| self.rule(p, row)),
            Rule::Not(inner) => !self.rule(inner, row),
            Rule::Filters { filters, logic, .. } => {
                let answers: Vec<bool> = filters.iter().map(|c| self.cond(c, &row[c.column])).collect();
                match logic {
                    None => answers.iter().all(|a| *a),
                    Some(logic) => logic_value(logic, &answers),
                }
            }
        }
    }

    /// The index of the first matching segment, `segments.len()` for `default`.
    pub(super) fn segment(&self, segments: &[Rule], row: &[Val]) -> usize {
        segments.iter().position(|r| self.rule(r, row)).unwrap_or(segments.len())
    }

    pub(super) fn cond(&self, c: &Cond, value: &Val) -> bool {
        match COLUMNS[c.column].1 {
            Family::Text => text_cond(c, value),
            Family::Int | Family::Float | Family::Decimal => number_cond(c, value),
            Family::Bool => bool_cond(c, value),
            Family::Date | Family::Timestamp => self.time_cond(c, value),
        }
    }

    fn time_cond(&self, c: &Cond, value: &Val) -> bool {
        let is_null = matches!(value, Val::Null);
        match c.op {
            "is_empty" => return is_null,
            "is_not_empty" => return !is_null,
            _ => {}
        }
        if is_null {
            // `is_not`, `before` and `on_or_before` match a null; nothing else does.
            return matches!(c.op, "is_not" | "before" | "on_or_before");
        }
        // A day literal is compared with the UTC calendar day of the value; an instant literal
        // with the value's instant (a date is midnight UTC).
        let compare = |lit: TimeLit| -> Ordering {
            match (value, lit) {
                (Val::Day(d), TimeLit::Day(l)) => d.cmp(&l),
                (Val::Instant(ns), TimeLit::Day(l)) => (ns.div_euclid(NANOS_PER_DAY) as i64).cmp(&l),
                (Val::Day(d), TimeLit::Instant(l)) => (i128::from(*d) * NANOS_PER_DAY).cmp(&l),
                (Val::Instant(ns), TimeLit::Instant(l)) => ns.cmp(&l),
                (other, _) => unreachable!("not a time value: {other:?}"),
            }
        };
        let any = |wanted: fn(Ordering) -> bool| c.literals().iter().any(|l| wanted(compare(l.time())));
        match c.op {
            "is" => any(Ordering::is_eq),
            "is_not" => !any(Ordering::is_eq),
            "before" => any(Ordering::is_lt),
            "on_or_before" => any(Ordering::is_le),
            "after" => any(Ordering::is_gt),
            "on_or_after" => any(Ordering::is_ge),
            "between" => {
                let Operand::Between(lo, hi) = &c.operand else { unreachable!() };
                compare(lo.time()).is_ge() && compare(hi.time()).is_le()
            }
            "in_past" | "in_future" => {
                let Operand::Days(n) = c.operand else { unreachable!() };
                let n = i128::from(n);
                let (lo, hi) = match value {
                    Val::Day(d) => {
                        let today = self.as_of.div_euclid(NANOS_PER_DAY);
                        let (lo, hi) = if c.op == "in_past" { (today - n, today) } else { (today, today + n) };
                        return (lo..=hi).contains(&i128::from(*d));
                    }
                    _ if c.op == "in_past" => (self.as_of - n * NANOS_PER_DAY, self.as_of),
                    _ => (self.as_of, self.as_of + n * NANOS_PER_DAY),
                };
                let Val::Instant(ns) = value else { unreachable!() };
                (lo..=hi).contains(ns)
            }
            other => unreachable!("time op {other}"),
        }
    }
}

pub(super) fn logic_value(logic: &Logic, answers: &[bool]) -> bool {
    match logic {
        Logic::Filter(i) => answers[*i],
        Logic::Not(inner) => !logic_value(inner, answers),
        Logic::Paren(inner) => logic_value(inner, answers),
        Logic::And(parts) => parts.iter().all(|p| logic_value(p, answers)),
        Logic::Or(parts) => parts.iter().any(|p| logic_value(p, answers)),
    }
}

fn text_cond(c: &Cond, value: &Val) -> bool {
    let text = match value {
        Val::Null => None,
        Val::Text(s) => Some(s.to_lowercase()),
        other => unreachable!("not a string: {other:?}"),
    };
    match c.op {
        "is_empty" => return text.is_none_or(|s| s.is_empty()),
        "is_not_empty" => return text.is_some_and(|s| !s.is_empty()),
        _ => {}
    }
    let negative = c.op.starts_with("is_not") || c.op.starts_with("not_");
    let Some(text) = text else {
        // Positive string operators never match a null; negative ones always do.
        return negative;
    };
    let matches: fn(&str, &str) -> bool = match c.op.trim_start_matches("not_") {
        "is" | "is_not" => |hay, needle| hay == needle,
        "contains" => |hay, needle| hay.contains(needle),
        "starts_with" => |hay, needle| hay.starts_with(needle),
        "ends_with" => |hay, needle| hay.ends_with(needle),
        other => unreachable!("string op {other}"),
    };
    let hit = c.literals().iter().any(|l| match l {
        Lit::Text(needle) => matches(&text, &needle.to_lowercase()),
        other => unreachable!("not a string literal: {other:?}"),
    });
    hit != negative
}

fn number_cond(c: &Cond, value: &Val) -> bool {
    if matches!(value, Val::Float { exact: None, .. }) {
        // docs/MODEL.md: NaN matches no comparison, `is_not` matches it, it is not empty.
        return matches!(c.op, "is_not" | "is_not_empty");
    }
    let x = value.number();
    let any = |wanted: fn(Ordering) -> bool, x: Rat| c.literals().iter().any(|l| wanted(x.cmp(l.number())));
    match c.op {
        "is_empty" => x.is_none(),
        "is_not_empty" => x.is_some(),
        // A null counts as 0.
        "is" => any(Ordering::is_eq, x.unwrap_or(Rat::ZERO)),
        "is_not" => !any(Ordering::is_eq, x.unwrap_or(Rat::ZERO)),
        "greater_than" => x.is_some_and(|x| any(Ordering::is_gt, x)),
        "less_than" => x.is_some_and(|x| any(Ordering::is_lt, x)),
        "at_least" => x.is_some_and(|x| any(Ordering::is_ge, x)),
        "at_most" => x.is_some_and(|x| any(Ordering::is_le, x)),
        "between" => {
            let Operand::Between(lo, hi) = &c.operand else { unreachable!() };
            x.is_some_and(|x| x.cmp(lo.number()).is_ge() && x.cmp(hi.number()).is_le())
        }
        other => unreachable!("number op {other}"),
    }
}

fn bool_cond(c: &Cond, value: &Val) -> bool {
    let x = match value {
        Val::Null => None,
        Val::Bool(b) => Some(*b),
        other => unreachable!("not a boolean: {other:?}"),
    };
    match c.op {
        "is_empty" => x.is_none(),
        "is_not_empty" => x.is_some(),
        // A null counts as false.
        "is" => c.literals().iter().any(|l| matches!(l, Lit::Bool(b) if *b == x.unwrap_or(false))),
        other => unreachable!("boolean op {other}"),
    }
}
