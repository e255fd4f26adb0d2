//! A cursor over a parsed JSON document that knows its JSON path and collects every problem it
//! meets, so that model validation can report all errors at once (not the first).

use serde_json::{Map, Value};

use crate::error::ModelIssue;
use crate::error::text::{nearest, quote_list, shorten};

/// Collects the problems found while reading the model.
#[derive(Debug, Default)]
pub struct Issues {
    pub list: Vec<ModelIssue>,
}

impl Issues {
    pub fn push(&mut self, path: &str, context: Option<&str>, message: impl Into<String>) {
        self.push_hint(path, context, message, None::<String>);
    }

    pub fn push_hint(
        &mut self,
        path: &str,
        context: Option<&str>,
        message: impl Into<String>,
        hint: Option<impl Into<String>>,
    ) {
        self.list.push(ModelIssue {
            path: path.to_owned(),
            context: context.map(str::to_owned),
            message: message.into(),
            hint: hint.map(Into::into),
        });
    }

    /// The issues in document order (array indices compared as numbers).
    pub fn into_sorted(mut self) -> Vec<ModelIssue> {
        fn key(path: &str) -> Vec<(u64, String)> {
            path.split('/')
                .map(|part| part.parse::<u64>().map_or((u64::MAX, part.to_owned()), |n| (n, String::new())))
                .collect()
        }
        self.list.sort_by_cached_key(|issue| key(&issue.path));
        self.list
    }
}

/// A value together with where it sits in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub path: String,
}

/// A JSON value and its JSON pointer.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    pub value: &'a Value,
    pub path: &'a str,
}

/// A JSON object being read; `context` names what it belongs to, for messages.
pub struct Object<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
    pub context: Option<String>,
}

pub fn child_path(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A JSON value as a message repeats what the user wrote: `the string "high"`, `the number 3`,
/// `true`, `null`; lists and objects by their kind only (their text can be the whole model).
#[must_use]
pub fn found(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {}", shorten(&n.to_string())),
        Value::String(_) => format!("the string {}", shorten(&value.to_string())),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

impl<'a> Object<'a> {
    /// Reads `value` as an object whose keys must be among `known`; an unknown key is reported
    /// with the nearest known one.
    pub fn new(
        value: &'a Value,
        path: &str,
        context: Option<String>,
        known: &[&str],
        issues: &mut Issues,
    ) -> Option<Self> {
        let Value::Object(map) = value else {
            issues.push(path, context.as_deref(), format!("expected an object, found {}", found(value)));
            return None;
        };
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                let message = match nearest(key, known) {
                    Some(near) => format!("unknown field `{}`, expected `{near}`", shorten(key)),
                    None => format!("unknown field `{}`, expected one of {}", shorten(key), quote_list(known)),
                };
                issues.push(&child_path(path, key), context.as_deref(), message);
            }
        }
        Some(Self { map, path: path.to_owned(), context })
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn path_of(&self, key: &str) -> String {
        child_path(&self.path, key)
    }

    pub fn ctx(&self) -> Option<&str> {
        self.context.as_deref()
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    fn wrong_type(&self, key: &str, expected: &str, value: &Value, issues: &mut Issues) {
        issues.push(&self.path_of(key), self.ctx(), format!("`{key}` must be {expected}, found {}", found(value)));
    }

    pub fn required(&self, key: &str, issues: &mut Issues) -> Option<&'a Value> {
        let value = self.map.get(key);
        if value.is_none() {
            issues.push(&self.path, self.ctx(), format!("missing field `{key}`"));
        }
        value
    }

    pub fn string(&self, key: &str, required: bool, issues: &mut Issues) -> Option<Located<String>> {
        let value = if required { self.required(key, issues)? } else { self.map.get(key)? };
        match value {
            Value::String(s) => Some(Located { value: s.clone(), path: self.path_of(key) }),
            other => {
                self.wrong_type(key, "a string", other, issues);
                None
            }
        }
    }

    /// A required id: a string matching `[A-Za-z0-9_-]{1,64}`.
    pub fn id(&self, key: &str, issues: &mut Issues) -> Option<Located<String>> {
        let id = self.string(key, true, issues)?;
        check_id(&id, issues, self.ctx()).then_some(id)
    }

    pub fn bool(&self, key: &str, issues: &mut Issues) -> Option<bool> {
        match self.map.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other, issues);
                None
            }
        }
    }

    /// A list under `key` (absent = `None`); each element comes with its path.
    pub fn list(&self, key: &str, required: bool, issues: &mut Issues) -> Option<(String, &'a Vec<Value>)> {
        let value = if required { self.required(key, issues)? } else { self.map.get(key)? };
        match value {
            Value::Array(items) => Some((self.path_of(key), items)),
            other => {
                self.wrong_type(key, "a list", other, issues);
                None
            }
        }
    }

    /// A list of ids under `key`, or the string "all" (`Ok(None)` = all).
    pub fn ids_or_all(&self, key: &str, issues: &mut Issues) -> Option<IdsOrAll> {
        let value = self.required(key, issues)?;
        match value {
            Value::String(s) if s == "all" => Some(IdsOrAll::All),
            Value::Array(items) => {
                let base = self.path_of(key);
                let mut ids = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let path = child_path(&base, &i.to_string());
                    match item {
                        Value::String(s) => {
                            let id = Located { value: s.clone(), path };
                            if check_id(&id, issues, self.ctx()) {
                                ids.push(id);
                            }
                        }
                        other => {
                            issues.push(&path, self.ctx(), format!("expected an id string, found {}", found(other)));
                        }
                    }
                }
                Some(IdsOrAll::Ids(ids))
            }
            other => {
                self.wrong_type(key, "a list of ids or \"all\"", other, issues);
                None
            }
        }
    }
}

/// `"all"` or an explicit list of ids.
#[derive(Debug, Clone, PartialEq)]
pub enum IdsOrAll {
    All,
    Ids(Vec<Located<String>>),
}

/// Checks SPEC §2.2's id pattern; reports and returns false when it does not hold.
pub fn check_id(id: &Located<String>, issues: &mut Issues, context: Option<&str>) -> bool {
    let s = &id.value;
    let ok = !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !ok {
        issues.push(
            &id.path,
            context,
            format!("`{}` is not a valid id: ids are 1 to 64 characters of A-Z, a-z, 0-9, `_` and `-`", shorten(s)),
        );
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_json_pointer_tokens() {
        assert_eq!(child_path("/a", "b/c~d"), "/a/b~1c~0d");
    }

    #[test]
    fn unknown_keys_are_all_reported() {
        let value: Value = serde_json::json!({"idd": 1, "segements": [], "id": "x"});
        let mut issues = Issues::default();
        let obj = Object::new(&value, "/segmentations/0", None, &["id", "segments"], &mut issues).unwrap();
        assert!(obj.has("id"));
        let messages: Vec<_> = issues.list.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "unknown field `idd`, expected `id` (/segmentations/0/idd)",
                "unknown field `segements`, expected `segments` (/segmentations/0/segements)",
            ]
        );
    }

    #[test]
    fn rejects_bad_ids() {
        let mut issues = Issues::default();
        for bad in ["", "a b", "é", &"x".repeat(65)] {
            let id = Located { value: bad.to_owned(), path: "/x".into() };
            assert!(!check_id(&id, &mut issues, None));
        }
        assert_eq!(issues.list.len(), 4);
        assert!(check_id(&Located { value: "Ok_id-9".into(), path: String::new() }, &mut issues, None));
    }
}
