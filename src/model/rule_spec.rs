//! `RuleSpec`: a segment's rule as written (SPEC §2.3), checked for shape only. Column types,
//! operators and values are checked against the people schema in [`super::compile`].

use serde_json::Value;

use super::json::{Issues, Located, Object, child_path, found};
use super::logic::{self, Logic};
use crate::error::text::shorten;

#[derive(Debug, Clone)]
pub enum RuleSpec {
    Condition(Box<ConditionSpec>),
    MemberOfList {
        list: Located<String>,
        context: String,
    },
    All(Vec<RuleSpec>),
    Any(Vec<RuleSpec>),
    Not(Box<RuleSpec>),
    /// Marketo's advanced form; `logic: None` means every filter must match.
    Filters {
        filters: Vec<RuleSpec>,
        logic: Option<Located<Logic>>,
        context: String,
    },
}

#[derive(Debug, Clone)]
pub struct ConditionSpec {
    pub field: Located<String>,
    pub op: Located<String>,
    /// `value` or `values`, with the path of the key that gave them.
    pub values: Option<Located<Vec<Value>>>,
    pub min: Option<Located<Value>>,
    pub max: Option<Located<Value>>,
    pub days: Option<Located<Value>>,
    pub path: String,
    /// "segmentation `x`, segment `y`", for messages.
    pub context: String,
}

const CONDITION_KEYS: [&str; 7] = ["field", "op", "value", "values", "min", "max", "days"];

/// Parses one rule at `path`; `context` names the segmentation and segment.
pub fn parse_rule(value: &Value, path: &str, context: &str, issues: &mut Issues) -> Option<RuleSpec> {
    let Value::Object(map) = value else {
        issues.push(path, Some(context), format!("a rule must be an object, found {}", found(value)));
        return None;
    };
    let kinds: Vec<&str> = ["field", "all", "any", "not", "filters", "member_of_list"]
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    match kinds.as_slice() {
        ["all" | "any"] => {
            let kind = kinds[0];
            let obj = Object::new(value, path, Some(context.to_owned()), &[kind], issues)?;
            let (list_path, items) = obj.list(kind, true, issues)?;
            if items.is_empty() {
                issues.push(&list_path, Some(context), format!("`{kind}` needs at least one rule"));
                return None;
            }
            let rules = parse_list(items, &list_path, context, issues, parse_rule)?;
            Some(if kind == "all" { RuleSpec::All(rules) } else { RuleSpec::Any(rules) })
        }
        ["not"] => {
            let obj = Object::new(value, path, Some(context.to_owned()), &["not"], issues)?;
            let inner = parse_rule(obj.get("not")?, &obj.path_of("not"), context, issues)?;
            Some(RuleSpec::Not(Box::new(inner)))
        }
        ["filters"] => {
            let obj = Object::new(value, path, Some(context.to_owned()), &["filters", "logic"], issues)?;
            let (list_path, items) = obj.list("filters", true, issues)?;
            if items.is_empty() {
                issues.push(&list_path, Some(context), "`filters` needs at least one filter");
                return None;
            }
            let logic = match obj.string("logic", false, issues) {
                Some(text) => match logic::parse(&text.value, items.len()) {
                    Ok(logic) => Some(Some(Located { value: logic, path: text.path.clone() })),
                    Err(e) => {
                        issues.push(&text.path, Some(context), format!("bad logic \"{}\": {e}", shorten(&text.value)));
                        None
                    }
                },
                None if obj.has("logic") => None,
                None => Some(None),
            };
            let filters = parse_list(items, &list_path, context, issues, parse_filter);
            let (filters, logic) = (filters?, logic?);
            Some(RuleSpec::Filters { filters, logic, context: context.to_owned() })
        }
        ["member_of_list"] => {
            let obj = Object::new(value, path, Some(context.to_owned()), &["member_of_list"], issues)?;
            obj.id("member_of_list", issues).map(|list| RuleSpec::MemberOfList { list, context: context.to_owned() })
        }
        ["field"] => parse_condition(value, path, context, issues).map(|c| RuleSpec::Condition(Box::new(c))),
        [] => {
            issues.push(
                path,
                Some(context),
                "a rule needs one of `field`, `all`, `any`, `not`, `filters` or `member_of_list`",
            );
            None
        }
        several => {
            issues.push(
                path,
                Some(context),
                format!(
                    "a rule takes one of `field`, `all`, `any`, `not`, `filters`, `member_of_list`; this one has {}: keep one (combine rules inside `all` or `any`)",
                    several.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            );
            None
        }
    }
}

/// Parses every element (reporting each failure) and gives the list only when all parsed.
fn parse_list(
    items: &[Value],
    list_path: &str,
    context: &str,
    issues: &mut Issues,
    parse: fn(&Value, &str, &str, &mut Issues) -> Option<RuleSpec>,
) -> Option<Vec<RuleSpec>> {
    let parsed: Vec<Option<RuleSpec>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| parse(item, &child_path(list_path, &i.to_string()), context, issues))
        .collect();
    parsed.into_iter().collect()
}

/// An element of `filters`: a condition or `member_of_list`, never a nested rule.
fn parse_filter(value: &Value, path: &str, context: &str, issues: &mut Issues) -> Option<RuleSpec> {
    if value.get("member_of_list").is_some() {
        let obj = Object::new(value, path, Some(context.to_owned()), &["member_of_list"], issues)?;
        return obj
            .id("member_of_list", issues)
            .map(|list| RuleSpec::MemberOfList { list, context: context.to_owned() });
    }
    if value.get("field").is_none() && value.is_object() {
        issues.push(path, Some(context), "a filter is a condition (`field`, `op`, ...) or `member_of_list`");
        return None;
    }
    parse_condition(value, path, context, issues).map(|c| RuleSpec::Condition(Box::new(c)))
}

fn parse_condition(value: &Value, path: &str, context: &str, issues: &mut Issues) -> Option<ConditionSpec> {
    let obj = Object::new(value, path, Some(context.to_owned()), &CONDITION_KEYS, issues)?;
    let field = obj.string("field", true, issues);
    let op = obj.string("op", true, issues);
    let values = match (obj.get("value"), obj.get("values")) {
        (Some(_), Some(_)) => {
            issues.push(path, Some(context), "give `value` or `values`, not both");
            return None;
        }
        (Some(v), None) => Some(Located { value: vec![v.clone()], path: obj.path_of("value") }),
        (None, Some(Value::Array(vs))) => {
            if vs.is_empty() {
                issues.push(&obj.path_of("values"), Some(context), "`values` needs at least one value");
                return None;
            }
            Some(Located { value: vs.clone(), path: obj.path_of("values") })
        }
        (None, Some(other)) => {
            issues.push(
                &obj.path_of("values"),
                Some(context),
                format!("`values` must be a list, found {}", found(other)),
            );
            return None;
        }
        (None, None) => None,
    };
    let located = |key: &str| obj.get(key).map(|v| Located { value: v.clone(), path: obj.path_of(key) });
    Some(ConditionSpec {
        field: field?,
        op: op?,
        values,
        min: located("min"),
        max: located("max"),
        days: located("days"),
        path: path.to_owned(),
        context: context.to_owned(),
    })
}
