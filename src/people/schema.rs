//! The people schema: every column of the people files with its type family (SPEC §2.1, the
//! families are [`crate::rule::TypeFamily`]), and the check that all files agree on each column's
//! family.

use std::collections::BTreeMap;
use std::path::PathBuf;

use arrow_schema::DataType;

use crate::error::PeopleIssue;
use crate::rule::{TypeFamily, family_of};

/// One column of the people table, as first seen.
#[derive(Debug, Clone)]
pub struct SchemaColumn {
    pub name: String,
    pub family: Option<TypeFamily>,
    pub data_type: DataType,
    pub first_file: PathBuf,
    /// Files (indices) that lack the column; rows of those files read it as null.
    pub missing_in: Vec<usize>,
    /// Given by `column=value` folders rather than by the files.
    pub from_hive: bool,
}

impl SchemaColumn {
    /// "number (Int32)", for messages.
    #[must_use]
    pub fn label(&self) -> String {
        match self.family {
            Some(f) => format!("{f} ({})", self.data_type),
            None => format!("{}", self.data_type),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PeopleSchema {
    pub columns: BTreeMap<String, SchemaColumn>,
}

impl PeopleSchema {
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&SchemaColumn> {
        self.columns.get(name)
    }

    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        self.columns.keys().map(String::as_str).collect()
    }

    /// Adds one file's column; reports a family that conflicts with an earlier file.
    pub fn add(
        &mut self,
        name: &str,
        data_type: &DataType,
        file: &std::path::Path,
        from_hive: bool,
        issues: &mut Vec<PeopleIssue>,
    ) {
        let family = family_of(data_type);
        match self.columns.get(name) {
            None => {
                self.columns.insert(
                    name.to_owned(),
                    SchemaColumn {
                        name: name.to_owned(),
                        family,
                        data_type: data_type.clone(),
                        first_file: file.to_owned(),
                        missing_in: Vec::new(),
                        from_hive,
                    },
                );
            }
            Some(existing) => {
                let conflict = match (existing.family, family) {
                    (Some(a), Some(b)) => a != b,
                    (None, None) => existing.data_type != *data_type,
                    _ => true,
                };
                if conflict {
                    issues.push(PeopleIssue::TypeConflict {
                        column: name.to_owned(),
                        first_file: existing.first_file.clone(),
                        first_type: existing.label(),
                        other_file: file.to_owned(),
                        other_type: match family {
                            Some(f) => format!("{f} ({data_type})"),
                            None => format!("{data_type}"),
                        },
                    });
                }
            }
        }
    }
}
