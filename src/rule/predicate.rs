//! `Predicate`: a compiled rule — a tree of `and`/`or`/`not` over deduplicated conditions — and
//! [`ConditionSet`], the table that gives identical conditions one id, so each is evaluated once
//! per batch however many segmentations use it.

use std::collections::HashMap;

use arrow_buffer::BooleanBuffer;

use super::condition::Condition;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// Index into [`ConditionSet`].
    Leaf(usize),
    All(Vec<Predicate>),
    Any(Vec<Predicate>),
    Not(Box<Predicate>),
}

#[derive(Debug, Default, Clone)]
pub struct ConditionSet {
    conditions: Vec<Condition>,
    /// How the rule spelled each condition (the first spelling), for `explain`.
    descriptions: Vec<String>,
    index: HashMap<Condition, usize>,
}

impl ConditionSet {
    /// The id of `condition`, adding it (with its description) when it is new.
    pub fn intern(&mut self, condition: Condition, description: String) -> usize {
        if let Some(&id) = self.index.get(&condition) {
            return id;
        }
        let id = self.conditions.len();
        self.conditions.push(condition.clone());
        self.descriptions.push(description);
        self.index.insert(condition, id);
        id
    }

    #[must_use]
    pub fn description(&self, id: usize) -> &str {
        &self.descriptions[id]
    }

    #[must_use]
    pub fn as_slice(&self) -> &[Condition] {
        &self.conditions
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.conditions.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }
}

impl Predicate {
    /// Evaluates the tree; `leaf` gives a condition's bits (the caller caches them).
    pub fn evaluate<E>(
        &self,
        len: usize,
        leaf: &mut impl FnMut(usize) -> Result<BooleanBuffer, E>,
    ) -> Result<BooleanBuffer, E> {
        Ok(match self {
            Self::Leaf(id) => leaf(*id)?,
            Self::All(parts) => {
                let mut acc = BooleanBuffer::new_set(len);
                for p in parts {
                    acc = &acc & &p.evaluate(len, leaf)?;
                }
                acc
            }
            Self::Any(parts) => {
                let mut acc = BooleanBuffer::new_unset(len);
                for p in parts {
                    acc = &acc | &p.evaluate(len, leaf)?;
                }
                acc
            }
            Self::Not(inner) => !&inner.evaluate(len, leaf)?,
        })
    }
}
