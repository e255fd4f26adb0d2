//! The one error type of the library, and the diagnostics that validation collects.
//!
//! Every variant carries the place it is about (file, column, JSON path, row, person) as fields;
//! [`Error::exit_code`] maps each to the exit code of SPEC §6.

use std::fmt;
use std::path::PathBuf;

/// One problem found in `model.json`, at a JSON path (a JSON pointer such as
/// `/segmentations/0/segments/1/rule/field`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelIssue {
    /// JSON pointer into model.json.
    pub path: String,
    /// What the path belongs to, e.g. "segmentation `industry`, segment `health`".
    pub context: Option<String>,
    pub message: String,
    /// What to do about it, e.g. "did you mean `industry`?".
    pub hint: Option<String>,
}

impl fmt::Display for ModelIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(context) = &self.context {
            write!(f, " in {context}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        write!(f, " ({})", if self.path.is_empty() { "/" } else { &self.path })
    }
}

/// A problem in the people table or a static list that breaks SPEC §2.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleIssue {
    MissingColumn { file: PathBuf, column: String, role: &'static str },
    UnsupportedType { file: PathBuf, column: String, role: &'static str, found: String, expected: &'static str },
    TypeConflict { column: String, first_file: PathBuf, first_type: String, other_file: PathBuf, other_type: String },
    NullIds { column: String, count: u64, examples: Vec<RowRef> },
    IdsOutOfRange { column: String, count: u64, examples: Vec<(RowRef, String)> },
    DuplicateIds { column: String, count: u64, examples: Vec<(u32, RowRef, RowRef)> },
    TooManyPeople { rows: u64 },
}

/// A row of an input file: the file and the 0-based row number within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef {
    pub file: PathBuf,
    pub row: u64,
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` row {}", self.file.display(), self.row)
    }
}

impl fmt::Display for PeopleIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingColumn { file, column, role } => write!(
                f,
                "`{}` has no {role} column `{column}`; name another one with \"people\": {{\"{}\": ...}} in model.json",
                file.display(),
                if *role == "id" { "id_column" } else { "partition_column" }
            ),
            Self::UnsupportedType { file, column, role, found, expected } => {
                write!(f, "{role} column `{column}` in `{}` has type {found}; it must be {expected}", file.display())
            }
            Self::TypeConflict { column, first_file, first_type, other_file, other_type } => write!(
                f,
                "column `{column}` is {first_type} in `{}` but {other_type} in `{}`; all files must agree on a column's type family",
                first_file.display(),
                other_file.display()
            ),
            Self::NullIds { column, count, examples } => {
                write!(f, "`{column}` is null in {count} row(s) (ids may not be null): ")?;
                write_list(f, examples.iter())
            }
            Self::IdsOutOfRange { column, count, examples } => {
                write!(f, "`{column}` is outside 0..=4294967295 in {count} row(s): ")?;
                write_list(f, examples.iter().map(|(at, v)| format!("{v} at {at}")))
            }
            Self::DuplicateIds { column, count, examples } => {
                write!(f, "{count} `{column}` value(s) occur more than once (ids must be unique over all files): ")?;
                write_list(f, examples.iter().map(|(id, a, b)| format!("{id} at {a} and at {b}")))
            }
            Self::TooManyPeople { rows } => {
                write!(f, "the people table has {rows} rows, more than the 4294967296 distinct person ids allow")
            }
        }
    }
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: impl Iterator<Item = T>) -> fmt::Result {
    for (i, item) in items.enumerate() {
        if i > 0 {
            write!(f, "; ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Something worth telling the user that does not stop a run (unless `--strict`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// JSON path or file the warning is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(at) = &self.at {
            write!(f, " ({at})")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bad usage: {message}")]
    Usage { message: String },

    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("`{}` is not valid JSON: {message} at line {line}, column {column}", path.display())]
    ModelSyntax { path: PathBuf, message: String, line: usize, column: usize },

    #[error("{}", render_model_issues(path, issues, people))]
    Model {
        path: PathBuf,
        issues: Vec<ModelIssue>,
        /// People-table problems found at the same time, reported together.
        people: Vec<PeopleIssue>,
    },

    #[error("{}", render_people_issues(issues))]
    People { issues: Vec<PeopleIssue> },

    #[error("`{}` is not a usable people source: {reason}", path.display())]
    NoPeople { path: PathBuf, reason: String },

    #[error("`{}` is not readable Parquet: {}", path.display(), parquet_message(source))]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },

    #[error("`{}`: cannot decode row group {row_group}: {}", path.display(), parquet_message(source))]
    Decode {
        path: PathBuf,
        row_group: usize,
        #[source]
        source: parquet::errors::ParquetError,
    },

    #[error("`{}`: cannot read column `{column}`: {source}", path.display())]
    Arrow {
        path: PathBuf,
        column: String,
        #[source]
        source: arrow_schema::ArrowError,
    },

    #[error("cannot write Parquet file `{}`: {}", path.display(), parquet_message(source))]
    ParquetWrite {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },

    #[error("static list `{list}` ({}): {reason}", path.display())]
    List { list: String, path: PathBuf, reason: String },

    #[error("--strict: {} warning(s) count as errors:\n{}", warnings.len(), render_warnings(warnings))]
    StrictWarnings { warnings: Vec<Warning> },

    #[error("bad --as-of `{value}`: {reason}")]
    AsOf { value: String, reason: String },

    #[error("cannot start worker threads: {message}")]
    Threads { message: String },

    #[error("another segcalc run holds the lock `{}` ({holder}); try again when it has finished", path.display())]
    Locked { path: PathBuf, holder: String },
}

impl Error {
    /// The process exit code SPEC §6 names for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage { .. }
            | Self::ModelSyntax { .. }
            | Self::Model { .. }
            | Self::People { .. }
            | Self::NoPeople { .. }
            | Self::List { .. }
            | Self::StrictWarnings { .. }
            | Self::AsOf { .. } => 2,
            Self::Read { .. }
            | Self::Write { .. }
            | Self::Parquet { .. }
            | Self::Decode { .. }
            | Self::Arrow { .. }
            | Self::ParquetWrite { .. }
            | Self::Threads { .. } => 1,
            Self::Locked { .. } => 75,
        }
    }
}

fn render_model_issues(path: &std::path::Path, issues: &[ModelIssue], people: &[PeopleIssue]) -> String {
    let mut out = format!("{} error(s) in `{}`:", issues.len(), path.display());
    for issue in issues {
        out.push_str("\n  - ");
        out.push_str(&issue.to_string());
    }
    if !people.is_empty() {
        out.push('\n');
        out.push_str(&render_people_issues(people));
    }
    out
}

/// A Parquet error's text without the crate's "Parquet error: " prefix.
fn parquet_message(e: &parquet::errors::ParquetError) -> String {
    let text = e.to_string();
    text.strip_prefix("Parquet error: ").unwrap_or(&text).to_owned()
}

fn render_people_issues(issues: &[PeopleIssue]) -> String {
    let mut out = format!("{} error(s) in the people table:", issues.len());
    for issue in issues {
        out.push_str("\n  - ");
        out.push_str(&issue.to_string());
    }
    out
}

fn render_warnings(warnings: &[Warning]) -> String {
    warnings.iter().map(|w| format!("  - {w}")).collect::<Vec<_>>().join("\n")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs `f`, a call into the Parquet reader (the `parquet` and `arrow-*` crates), and gives a
/// panic inside it back as an error whose text says so, for the caller to wrap with its file and
/// row group. The reader panics on some corrupt pages instead of returning an error (fuzzing
/// found eleven sites: `fuzz/regressions/README.md`, F1); a corrupt input file must give exit 1 and a
/// message naming it, not a crash. The reader `f` used is not used again after a panic.
pub fn catch_reader_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, parquet::errors::ParquetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        parquet::errors::ParquetError::General(format!("the Parquet reader failed on corrupt data ({message})"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_panic_becomes_an_error() {
        assert_eq!(catch_reader_panic(|| 7).ok(), Some(7));
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let error = catch_reader_panic(|| -> u8 { panic!("decoder set") }).unwrap_err();
        let formatted = catch_reader_panic(|| -> u8 { panic!("{} out of bounds", "offset + len") }).unwrap_err();
        std::panic::set_hook(hook);
        let decode = Error::Decode { path: PathBuf::from("people.parquet"), row_group: 3, source: error };
        assert_eq!(
            decode.to_string(),
            "`people.parquet`: cannot decode row group 3: the Parquet reader failed on corrupt data (decoder set)"
        );
        assert!(formatted.to_string().ends_with("(offset + len out of bounds)"));
        assert_eq!(decode.exit_code(), 1);
    }
}
