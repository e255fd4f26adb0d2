//! The people schema: every column of the people files with its type family (SPEC §2.1), and the
//! check that all files agree on each column's family.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use arrow_schema::DataType;

use crate::error::PeopleIssue;

/// What a rule may do with a column (SPEC §2.3's operator table is per family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeFamily {
    Text,
    Number,
    Boolean,
    Time,
}

impl fmt::Display for TypeFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Text => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Time => "date/timestamp",
        })
    }
}

/// The family of an Arrow type, or `None` for types rules cannot use (lists, structs, ...).
#[must_use]
pub fn family_of(dt: &DataType) -> Option<TypeFamily> {
    Some(match dt {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView => TypeFamily::Text,
        DataType::Dictionary(_, value) => return family_of(value),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => TypeFamily::Number,
        DataType::Boolean => TypeFamily::Boolean,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => TypeFamily::Time,
        _ => return None,
    })
}

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
