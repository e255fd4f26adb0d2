//! The one error type of the library, and the diagnostics that validation collects.
//!
//! Every variant carries the place it is about (file, column, JSON path, row, person) as fields;
//! [`Error::exit_code`] maps each to the exit code of SPEC §6.

mod damage;
mod entry;
mod shard;
mod store;
pub mod text;

use std::fmt;
use std::path::PathBuf;

pub use damage::{BitmapProblem, RunDamage};
pub use entry::{EntryKind, EntryProblem};
pub use shard::ShardProblem;
pub use store::StoreProblem;
// The two helpers most messages use, under their old names (`crate::error::shorten`).
pub use text::{name_list, shorten};

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
    /// `found`: the columns the file has (hive folder columns included), for the hint.
    MissingColumn {
        file: PathBuf,
        column: String,
        role: &'static str,
        found: Vec<String>,
    },
    UnsupportedType {
        file: PathBuf,
        column: String,
        role: &'static str,
        found: String,
        expected: &'static str,
    },
    TypeConflict {
        column: String,
        first_file: PathBuf,
        first_type: String,
        other_file: PathBuf,
        other_type: String,
    },
    NullIds {
        column: String,
        count: u64,
        examples: Vec<RowRef>,
    },
    IdsOutOfRange {
        column: String,
        count: u64,
        examples: Vec<(RowRef, String)>,
    },
    DuplicateIds {
        column: String,
        count: u64,
        examples: Vec<(u32, RowRef, RowRef)>,
    },
    TooManyPeople {
        rows: u64,
    },
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
            Self::MissingColumn { file, column, role, found } => {
                write!(f, "`{}` has no {role} column `{column}`", file.display())?;
                let names: Vec<&str> = found.iter().map(String::as_str).collect();
                if let Some(near) = text::nearest(column, &names) {
                    write!(f, " (did you mean `{near}`?)")?;
                } else if !found.is_empty() {
                    write!(f, " (its columns: {})", name_list(found))?;
                }
                if *role == "id" {
                    write!(
                        f,
                        "; rename the column, or name yours with \"people\": {{\"id_column\": ...}} in model.json"
                    )
                } else {
                    write!(
                        f,
                        "; rename the column, name yours with \"people\": {{\"partition_column\": ...}} in model.json, or put the file in `{column}=<value>` folders"
                    )
                }
            }
            Self::UnsupportedType { file, column, role, found, expected } => write!(
                f,
                "{role} column `{column}` in `{}` has type {found}; it must be {expected}: write the column as one, or name another with \"people\": {{\"{role}_column\": ...}} in model.json",
                file.display()
            ),
            Self::TypeConflict { column, first_file, first_type, other_file, other_type } => write!(
                f,
                "column `{column}` is {first_type} in `{}` but {other_type} in `{}`; all files must agree on a column's type family: write them with the same type",
                first_file.display(),
                other_file.display()
            ),
            Self::NullIds { column, count, examples } => {
                write!(f, "`{column}` is null in {count} row(s){}: ", shown_of(*count, examples.len()))?;
                write_list(f, examples.iter())?;
                f.write_str(" (rows count from 0)")?;
                write!(f, "; every person needs an id: fill them in or drop those rows")
            }
            Self::IdsOutOfRange { column, count, examples } => {
                write!(
                    f,
                    "`{column}` is outside 0..=4294967295 in {count} row(s){}: ",
                    shown_of(*count, examples.len())
                )?;
                write_list(f, examples.iter().map(|(at, v)| format!("{v} at {at}")))?;
                f.write_str(" (rows count from 0)")?;
                write!(f, "; person ids are whole numbers from 0 to 4294967295: renumber those people")
            }
            Self::DuplicateIds { column, count, examples } => {
                write!(f, "{count} `{column}` value(s) occur more than once{}: ", shown_of(*count, examples.len()))?;
                write_list(f, examples.iter().map(|(id, a, b)| format!("{id} at {a} and at {b}")))?;
                f.write_str(" (rows count from 0)")?;
                write!(f, "; ids must be unique over all files: remove the duplicate rows (or a file copied twice)")
            }
            Self::TooManyPeople { rows } => {
                write!(
                    f,
                    "the people table has {rows} rows, more than the 4294967296 distinct person ids allow; split it into several datasets"
                )
            }
        }
    }
}

/// " (first N shown)" when a list of examples is shorter than the count it illustrates.
fn shown_of(count: u64, shown: usize) -> String {
    if count > shown as u64 { format!(" (first {shown} shown)") } else { String::new() }
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

    #[error("cannot read `{}`: {source}{}", path.display(), read_hint(source))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{}`: {source}{}", path.display(), write_hint(source))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("`{}` is not valid JSON (line {line}, column {column}): {message}; fix the JSON there", path.display())]
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

    #[error("`{}` {problem}", path.display())]
    Entry { path: PathBuf, problem: EntryProblem },

    #[error(
        "`{}` is not readable Parquet: {}; check that the file is Parquet and complete (not truncated or still being written)",
        path.display(),
        parquet_message(source)
    )]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },

    #[error(
        "`{}`: cannot decode row group {row_group}: {}; the file is damaged or uses a feature segcalc cannot read: write it again",
        path.display(),
        parquet_message(source)
    )]
    Decode {
        path: PathBuf,
        row_group: usize,
        #[source]
        source: parquet::errors::ParquetError,
    },

    #[error(
        "`{}`: cannot read column `{column}`: {}; check the column's type in that file",
        path.display(),
        arrow_message(source)
    )]
    Arrow {
        path: PathBuf,
        column: String,
        #[source]
        source: arrow_schema::ArrowError,
    },

    #[error(
        "cannot write Parquet file `{}`: {}; check that the disk has space and the folder is writable",
        path.display(),
        parquet_message(source)
    )]
    ParquetWrite {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },

    #[error("static list `{list}` ({}): {reason}", path.display())]
    List { list: String, path: PathBuf, reason: String },

    #[error(
        "--strict: {} warning(s) count as errors (fix them, or run without --strict):\n{}",
        warnings.len(),
        render_warnings(warnings)
    )]
    StrictWarnings { warnings: Vec<Warning> },

    #[error("bad --as-of `{value}`: {reason}")]
    AsOf { value: String, reason: String },

    #[error("cannot start worker threads: {message}; try a smaller --threads")]
    Threads { message: String },

    #[error("another segcalc run holds the lock `{}` ({holder}); try again when it has finished", path.display())]
    Locked { path: PathBuf, holder: String },

    /// A name given on the command line (`--user`, `--workspace`, `--run`) that the model or the
    /// published run does not have.
    #[error("unknown {kind} `{}` in {place}{}", shorten(name), known_hint(kind, name, known))]
    Unknown { kind: &'static str, name: String, place: String, known: Vec<String> },

    /// A run folder, or a file of it, that is not what a run wrote.
    #[error("`{}` {problem}", path.display())]
    DamagedRun { path: PathBuf, problem: RunDamage },

    /// A run's manifest.json that does not parse.
    /// A chart of `report` that plotters could not draw.
    #[error("cannot draw the chart `{chart}` of the report: {message}; this is a bug of segcalc, please report it")]
    Chart { chart: String, message: String },

    /// `diff --check`: the two runs differ (exit 3, SPEC §6).
    #[error(
        "runs `{from}` and `{to}` differ: {changed} people changed segment in {}; if that is intended, make `{to}` the new reference",
        name_list(segmentations)
    )]
    RunsDiffer { from: String, to: String, changed: u64, segmentations: Vec<String> },

    #[error(
        "`{}` is not a valid run manifest: {message}; the run folder is damaged, or was written by another segcalc version",
        path.display()
    )]
    Manifest { path: PathBuf, message: String },

    /// An object-store URL, a request to it, or the publish on it (SPEC §7).
    #[error("`{url}` {problem}")]
    Store { url: String, problem: StoreProblem },

    /// A shard of a sharded run that `commit` cannot publish (SPEC §8).
    #[error("shard {shard} of run `{run_id}` (`{}`) {problem}", path.display())]
    Shard { run_id: String, shard: usize, path: PathBuf, problem: ShardProblem },
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
            | Self::AsOf { .. }
            | Self::Unknown { .. } => 2,
            Self::Read { .. }
            | Self::Write { .. }
            | Self::Parquet { .. }
            | Self::Decode { .. }
            | Self::Arrow { .. }
            | Self::ParquetWrite { .. }
            | Self::Threads { .. }
            | Self::Chart { .. }
            | Self::Manifest { .. } => 1,
            Self::DamagedRun { problem, .. } => problem.exit_code(),
            Self::Entry { problem, .. } => problem.exit_code(),
            Self::Store { problem, .. } => problem.exit_code(),
            Self::Shard { problem, .. } => problem.exit_code(),
            Self::Locked { .. } => 75,
            Self::RunsDiffer { .. } => 3,
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

/// A Parquet error's text without the wrappers' prefixes ("Parquet error: ", "External: ", ...),
/// which say nothing to a user and pile up when one error wraps another.
fn parquet_message(e: &parquet::errors::ParquetError) -> String {
    strip_prefixes(&e.to_string())
}

fn arrow_message(e: &arrow_schema::ArrowError) -> String {
    strip_prefixes(&e.to_string())
}

fn strip_prefixes(text: &str) -> String {
    const PREFIXES: [&str; 7] = [
        "Parquet error: ",
        "Parquet argument error: ",
        "External: ",
        "External error: ",
        "Arrow: ",
        "Invalid argument error: ",
        "Arrow error: ",
    ];
    let mut rest = text;
    while let Some(stripped) = PREFIXES.iter().find_map(|p| rest.strip_prefix(p)) {
        rest = stripped;
    }
    rest.to_owned()
}

/// What to do about a failed read, by its kind.
fn read_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "; check the path",
        ErrorKind::PermissionDenied => "; check the permissions: this user may not read it",
        ErrorKind::IsADirectory => "; a file is expected here, not a folder",
        ErrorKind::InvalidFilename => "; the path or a name in it is too long: use a shorter one",
        ErrorKind::NotADirectory => "; a part of the path that should be a folder is a file",
        _ => "; check the file and the disk it is on",
    }
}

/// What to do about a failed write, by its kind.
fn write_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "; free some disk space and run again",
        ErrorKind::Unsupported => "",
        ErrorKind::NotFound => "; check that the folder above it exists",
        ErrorKind::InvalidFilename => "; the path or a name in it is too long: use a shorter one",
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            "; check the permissions: this user may not write there"
        }
        _ => "; check that the folder is writable and the disk has space",
    }
}

/// "; did you mean `x`? (xs: ...)", or "; the xs are ...", or "; there are no xs".
fn known_hint(kind: &str, name: &str, known: &[String]) -> String {
    let names: Vec<&str> = known.iter().map(String::as_str).collect();
    match text::nearest(name, &names) {
        Some(near) => format!("; did you mean `{near}`? ({kind}s: {})", name_list(known)),
        None if known.is_empty() => format!("; there are no {kind}s"),
        None => format!("; the {kind}s are {}", name_list(known)),
    }
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
    let outer = READING.replace(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    READING.set(outer);
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        parquet::errors::ParquetError::General(format!("the Parquet reader failed on corrupt data ({message})"))
    })
}

thread_local! {
    /// Set while this thread runs the Parquet reader under [`catch_reader_panic`].
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that stays quiet for the panics [`catch_reader_panic`] turns into errors:
/// their message (`thread panicked at …/parquet-60.1.0/…`) would only precede that error as noise
/// in a cron log. Every other panic is printed as before. The binary calls it once, at start.
pub fn quiet_caught_reader_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !READING.get() {
            previous(info);
        }
    }));
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
            "`people.parquet`: cannot decode row group 3: the Parquet reader failed on corrupt data (decoder set); the file is damaged or uses a feature segcalc cannot read: write it again"
        );
        assert!(formatted.to_string().ends_with("(offset + len out of bounds)"));
        assert_eq!(decode.exit_code(), 1);
    }

    #[test]
    fn wrapped_errors_lose_their_prefixes() {
        let nested = parquet::errors::ParquetError::External(Box::new(arrow_schema::ArrowError::ParquetError(
            "Parquet error: integer overflow decoding thrift value".into(),
        )));
        assert_eq!(
            nested.to_string(),
            "External: Parquet argument error: Parquet error: integer overflow decoding thrift value"
        );
        assert_eq!(parquet_message(&nested), "integer overflow decoding thrift value");
        let eof = parquet::errors::ParquetError::EOF("file too small".into());
        assert_eq!(parquet_message(&eof), "EOF: file too small");
    }

    #[test]
    fn unknown_names_come_with_the_known_ones() {
        let unknown = |name: &str, known: &[&str]| Error::Unknown {
            kind: "user",
            name: name.to_owned(),
            place: "run 1".to_owned(),
            known: known.iter().map(|k| (*k).to_owned()).collect(),
        };
        assert_eq!(
            unknown("zed", &["ann", "bob"]).to_string(),
            "unknown user `zed` in run 1; the users are `ann`, `bob`"
        );
        assert_eq!(
            unknown("bobb", &["ann", "bob"]).to_string(),
            "unknown user `bobb` in run 1; did you mean `bob`? (users: `ann`, `bob`)"
        );
        assert_eq!(unknown("zed", &[]).to_string(), "unknown user `zed` in run 1; there are no users");
        assert_eq!(unknown("zed", &[]).exit_code(), 2);
    }

    #[test]
    fn io_errors_say_what_to_check() {
        use std::io::{Error as Io, ErrorKind};
        let read = |kind| Error::Read { path: PathBuf::from("m.json"), source: Io::new(kind, "oops") };
        assert_eq!(read(ErrorKind::NotFound).to_string(), "cannot read `m.json`: oops; check the path");
        assert!(read(ErrorKind::PermissionDenied).to_string().ends_with("this user may not read it"));
        let write = |kind| Error::Write { path: PathBuf::from("out"), source: Io::new(kind, "oops") };
        assert!(write(ErrorKind::StorageFull).to_string().ends_with("; free some disk space and run again"));
        assert!(
            write(ErrorKind::Other).to_string().ends_with("; check that the folder is writable and the disk has space")
        );
    }

    #[test]
    fn people_issues_say_what_to_do() {
        let missing = PeopleIssue::MissingColumn {
            file: PathBuf::from("p.parquet"),
            column: "person_id".into(),
            role: "id",
            found: vec!["id".into(), "region".into()],
        };
        assert_eq!(
            missing.to_string(),
            "`p.parquet` has no id column `person_id` (its columns: `id`, `region`); rename the column, or name yours with \"people\": {\"id_column\": ...} in model.json"
        );
        let at = |row| RowRef { file: PathBuf::from("p.parquet"), row };
        let nulls = PeopleIssue::NullIds { column: "person_id".into(), count: 9, examples: vec![at(1), at(4)] };
        assert_eq!(
            nulls.to_string(),
            "`person_id` is null in 9 row(s) (first 2 shown): `p.parquet` row 1; `p.parquet` row 4 (rows count from 0); every person needs an id: fill them in or drop those rows"
        );
    }
}
