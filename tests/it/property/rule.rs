//! The rule model the property draws ([`Rule`]: conditions, `all`/`any`/`not`, `filters` with
//! Marketo [`Logic`]) and its rendering as the `model.json` the engine reads.

use serde_json::{Value, json};

use super::pools::COLUMNS;
use super::value::{Rat, TimeLit};

#[derive(Debug, Clone)]
pub(super) enum Lit {
    Text(String),
    Number(&'static str),
    Bool(bool),
    Time(&'static str),
}

impl Lit {
    fn json(&self) -> Value {
        match self {
            Self::Text(s) => Value::String(s.clone()),
            Self::Number(text) => serde_json::from_str(text).expect("a JSON number"),
            Self::Bool(b) => Value::Bool(*b),
            Self::Time(text) => Value::String((*text).to_owned()),
        }
    }

    pub(super) fn number(&self) -> Rat {
        match self {
            // The number as model.json spells it: serde_json writes integers beyond 64 bits as
            // doubles (`-9223372036854775809` becomes `-9.223372036854776e18`).
            Self::Number(_) => Rat::parse(&self.json().to_string()),
            other => unreachable!("not a number literal: {other:?}"),
        }
    }

    pub(super) fn time(&self) -> TimeLit {
        match self {
            Self::Time(text) => TimeLit::parse(text),
            other => unreachable!("not a time literal: {other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) enum Operand {
    None,
    Value(Lit),
    Values(Vec<Lit>),
    Between(Lit, Lit),
    Days(u32),
}

#[derive(Debug, Clone)]
pub(super) struct Cond {
    pub(super) column: usize,
    pub(super) op: &'static str,
    pub(super) operand: Operand,
}

impl Cond {
    pub(super) fn literals(&self) -> &[Lit] {
        match &self.operand {
            Operand::Value(l) => std::slice::from_ref(l),
            Operand::Values(ls) => ls,
            _ => &[],
        }
    }
}

/// Marketo filter logic over filters numbered from 0 (rendered from 1).
#[derive(Debug, Clone)]
pub(super) enum Logic {
    Filter(usize),
    Not(Box<Logic>),
    And(Vec<Logic>),
    Or(Vec<Logic>),
    /// Redundant parentheses.
    Paren(Box<Logic>),
}

#[derive(Debug, Clone)]
pub(super) enum Rule {
    Cond(Cond),
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Not(Box<Rule>),
    Filters {
        filters: Vec<Cond>,
        logic: Option<Logic>,
        /// Which spelling of the keywords (`and`, `AND`, `And`).
        keywords: usize,
    },
}

fn cond_json(c: &Cond) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("field".into(), json!(COLUMNS[c.column].0));
    object.insert("op".into(), json!(c.op));
    match &c.operand {
        Operand::None => {}
        Operand::Value(l) => {
            object.insert("value".into(), l.json());
        }
        Operand::Values(ls) => {
            object.insert("values".into(), ls.iter().map(Lit::json).collect());
        }
        Operand::Between(lo, hi) => {
            object.insert("min".into(), lo.json());
            object.insert("max".into(), hi.json());
        }
        Operand::Days(n) => {
            object.insert("days".into(), json!(n));
        }
    }
    Value::Object(object)
}

pub(super) fn logic_text(logic: &Logic, keywords: usize) -> String {
    let word = |w: &str| match keywords % 3 {
        0 => w.to_owned(),
        1 => w.to_uppercase(),
        _ => {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    };
    let wrap = |inner: &Logic, when: fn(&Logic) -> bool| {
        let text = logic_text(inner, keywords);
        if when(inner) { format!("({text})") } else { text }
    };
    match logic {
        Logic::Filter(i) => (i + 1).to_string(),
        Logic::Paren(inner) => format!("({})", logic_text(inner, keywords)),
        Logic::Not(inner) => format!("{} {}", word("not"), wrap(inner, |l| matches!(l, Logic::And(_) | Logic::Or(_)))),
        Logic::And(parts) => parts
            .iter()
            .map(|p| wrap(p, |l| matches!(l, Logic::Or(_))))
            .collect::<Vec<_>>()
            .join(&format!(" {} ", word("and"))),
        Logic::Or(parts) => {
            parts.iter().map(|p| logic_text(p, keywords)).collect::<Vec<_>>().join(&format!(" {} ", word("or")))
        }
    }
}

fn rule_json(rule: &Rule) -> Value {
    match rule {
        Rule::Cond(c) => cond_json(c),
        Rule::All(parts) => json!({"all": parts.iter().map(rule_json).collect::<Vec<_>>()}),
        Rule::Any(parts) => json!({"any": parts.iter().map(rule_json).collect::<Vec<_>>()}),
        Rule::Not(inner) => json!({"not": rule_json(inner)}),
        Rule::Filters { filters, logic, keywords } => {
            let mut object = serde_json::Map::new();
            object.insert("filters".into(), filters.iter().map(cond_json).collect::<Vec<_>>().into());
            if let Some(logic) = logic {
                object.insert("logic".into(), json!(logic_text(logic, *keywords)));
            }
            Value::Object(object)
        }
    }
}

pub(super) fn model_json(segmentations: &[Vec<Rule>]) -> Value {
    let segmentations: Vec<Value> = segmentations
        .iter()
        .enumerate()
        .map(|(s, segments)| {
            let segments: Vec<Value> = segments
                .iter()
                .enumerate()
                .map(|(g, rule)| json!({"id": format!("g{g}"), "rule": rule_json(rule)}))
                .collect();
            json!({
                "id": format!("seg{s}"),
                "workspace": "all_ws",
                "owner": "admin",
                "status": "approved",
                "segments": segments,
            })
        })
        .collect();
    json!({
        "workspaces": [{"id": "all_ws", "partitions": "all"}],
        "users": [{"id": "admin", "admin": true, "workspaces": "all"}],
        "segmentations": segmentations,
    })
}
