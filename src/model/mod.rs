//! The model: model.json read ([`spec`], [`rule_spec`], with [`json`] and [`logic`]) and then
//! compiled against the people schema ([`compile`], each condition by [`condition`]) into a
//! [`Model`] whose references are indices and whose rules are [`Predicate`]s over one
//! deduplicated [`ConditionSet`]. Everything that reads JSON or reports a JSON path is here;
//! `rule` gets literals.

pub mod compile;
pub mod condition;
pub mod json;
pub mod logic;
pub mod rule_spec;
pub mod spec;

use std::path::Path;

pub use compile::compile;
pub use spec::{ModelSpec, parse_model};

use crate::error::{Error, Result};
use crate::location::Location;
use crate::rule::TypeFamily;
use crate::rule::{ConditionSet, Predicate};
use crate::store::read_object;

#[derive(Debug, Clone)]
pub struct Model {
    pub id_column: String,
    pub partition_column: String,
    /// Every partition a workspace names, sorted.
    pub partitions: Vec<String>,
    pub workspaces: Vec<Workspace>,
    pub groups: Vec<String>,
    pub users: Vec<User>,
    /// Declared static lists.
    pub lists: Vec<String>,
    /// Approved segmentations, in model order: the ones a run calculates.
    pub segmentations: Vec<Segmentation>,
    /// Ids of the draft segmentations (validated, never calculated).
    pub drafts: Vec<String>,
    /// The leaves of every approved rule, each once.
    pub conditions: ConditionSet,
    /// Attribute columns the approved rules read, with their families.
    pub columns: Vec<(String, TypeFamily)>,
    /// Indices into `lists` of the lists approved rules use.
    pub used_lists: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: String,
    pub name: Option<String>,
    pub partitions: PartitionSet,
}

/// The partitions a workspace sees; `All` includes partitions no workspace names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionSet {
    All,
    /// Indices into `Model::partitions`, sorted.
    Some(Vec<usize>),
}

impl PartitionSet {
    #[must_use]
    pub fn contains(&self, partition: usize) -> bool {
        match self {
            Self::All => true,
            Self::Some(list) => list.binary_search(&partition).is_ok(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub admin: bool,
    /// Indices into `Model::workspaces`, sorted (`"all"` expanded).
    pub workspaces: Vec<usize>,
    /// Indices into `Model::groups`.
    pub groups: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Segmentation {
    pub id: String,
    pub name: Option<String>,
    /// Index of the origin workspace.
    pub origin: usize,
    /// Index into `Model::users`.
    pub owner: usize,
    pub segments: Vec<Segment>,
    /// Workspaces where it is visible: the origin first, then workspace shares in model order.
    pub visible_in: Vec<usize>,
    pub shares: Vec<Share>,
}

impl Segmentation {
    /// The segment ids in code order: the segments, then `default`.
    #[must_use]
    pub fn segment_ids(&self) -> Vec<&str> {
        self.segments.iter().map(|s| s.id.as_str()).chain(std::iter::once(DEFAULT_SEGMENT)).collect()
    }
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub id: String,
    pub name: Option<String>,
    pub predicate: Predicate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Share {
    Workspace(usize),
    All,
    Group(usize),
    User(usize),
}

/// The implicit last segment of every segmentation.
pub const DEFAULT_SEGMENT: &str = "default";

/// Reads and parses model.json into its spec form, with the text read (for its digest): a
/// syntax error stops here, with its line and column; shape problems are collected in `issues`.
pub fn read_spec(location: &Location, issues: &mut json::Issues) -> Result<(ModelSpec, String)> {
    let path = location.message_path();
    let missing = || Error::Usage {
        message: format!(
            "model file `{}` does not exist; put model.json in the dataset folder, or give its path with --model",
            path.display()
        ),
    };
    let text = match location {
        // Through `entry`: a folder or a socket named model.json gets a message that says so.
        Location::Local(local) => match crate::entry::read_to_string(local) {
            Ok(text) => text,
            Err(e) if crate::entry::is_not_found(&e) => return Err(missing()),
            Err(e) => return Err(e),
        },
        Location::Remote(place) => {
            let bytes = read_object(place)?.ok_or_else(missing)?;
            String::from_utf8(bytes.to_vec()).map_err(|e| Error::ModelSyntax {
                path: path.clone(),
                message: format!("the file is not UTF-8 text ({e})"),
                line: 1,
                column: 1,
            })?
        }
    };
    Ok((parse_spec(&text, &path, issues)?, text))
}

/// Parses model.json's text (read from `path`, named in errors) into its spec form, like
/// [`read_spec`] without the file.
pub fn parse_spec(text: &str, path: &Path, issues: &mut json::Issues) -> Result<ModelSpec> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::ModelSyntax {
        path: path.to_owned(),
        message: if text.trim().is_empty() {
            "the file is empty".to_owned()
        } else {
            e.to_string().split(" at line").next().unwrap_or_default().to_owned()
        },
        line: e.line(),
        column: e.column().max(1),
    })?;
    Ok(parse_model(&value, issues))
}
