//! Loading a dataset: model.json read and compiled against the people files' schema, the people
//! schema checked against SPEC §2.1, and the static lists the rules use. Shared by `run` and
//! `validate`; problems are collected and reported together.

use std::path::PathBuf;

use roaring::RoaringBitmap;

use crate::error::{Error, PeopleIssue, Result, Warning};
use crate::lists::load_list;
use crate::location::Location;
use crate::model::json::Issues;
use crate::model::{Model, compile, read_spec};
use crate::people::PeopleSource;
use crate::people::files::dataset_people;
use crate::rule::{TypeFamily, family_of};

/// Where a dataset's parts are (local paths or object-store URLs); `people` and `model`
/// override the dataset's own.
#[derive(Debug, Clone)]
pub struct DatasetPaths {
    pub dataset: Location,
    pub people: Option<Location>,
    pub model: Option<Location>,
}

impl DatasetPaths {
    /// The dataset folder on this machine, without overrides.
    #[must_use]
    pub fn local(dataset: &std::path::Path) -> Self {
        Self { dataset: dataset.into(), people: None, model: None }
    }

    #[must_use]
    pub fn model_path(&self) -> Location {
        self.model.clone().unwrap_or_else(|| self.dataset.join("model.json"))
    }

    #[must_use]
    pub fn list_path(&self, id: &str) -> Location {
        self.dataset.join(&format!("lists/{id}.parquet"))
    }
}

pub struct Inputs {
    pub model_path: PathBuf,
    /// model.json's digest, for a shard's marker (SPEC §8).
    pub model_digest: String,
    pub model: Model,
    pub source: PeopleSource,
    /// Indexed like `Model::lists`; lists no approved rule uses stay empty.
    pub lists: Vec<RoaringBitmap>,
    pub list_files: Vec<(String, PathBuf, u64)>,
    pub warnings: Vec<Warning>,
}

pub fn load(paths: &DatasetPaths, as_of_nanos: i128) -> Result<Inputs> {
    // An object-store prefix is a folder when something is under it: reading model.json says.
    if let Location::Local(dataset) = &paths.dataset
        && !dataset.is_dir()
        && (paths.people.is_none() || paths.model.is_none())
    {
        return Err(Error::Usage {
            message: format!(
                "dataset `{}` is not a folder; give the folder that holds model.json and people.parquet (or people/), or both --model and --people",
                dataset.display()
            ),
        });
    }
    let model_location = paths.model_path();
    let model_path = model_location.message_path();
    let mut issues = Issues::default();
    let (spec, model_text) = read_spec(&model_location, &mut issues)?;
    let model_digest = crate::shard::Digest::of(model_text.as_bytes());
    let source = match &paths.people {
        Some(p) => PeopleSource::open(p),
        None => dataset_people(&paths.dataset).and_then(|p| PeopleSource::open(&p)),
    };
    let mut warnings = Vec::new();
    let model = compile(&spec, source.as_ref().ok().map(|s| &s.schema), as_of_nanos, &mut issues, &mut warnings);
    let people_issues = source.as_ref().map(|s| check_people_schema(s, &model)).unwrap_or_default();
    if !issues.list.is_empty() {
        return Err(Error::Model { path: model_path, issues: issues.into_sorted(), people: people_issues });
    }
    let source = source?;
    if !people_issues.is_empty() {
        return Err(Error::People { issues: people_issues });
    }
    for (name, _) in &model.columns {
        if let Some(column) = source.schema.get(name).filter(|c| !c.missing_in.is_empty()) {
            let first = &source.files[column.missing_in[0]].path;
            warnings.push(Warning {
                at: Some(first.display().to_string()),
                message: format!(
                    "column `{name}` is missing from {} of {} people files (the first is named below): read as null there; add it to those files if null is wrong",
                    column.missing_in.len(),
                    source.files.len()
                ),
            });
        }
    }
    let mut lists = vec![RoaringBitmap::new(); model.lists.len()];
    let mut list_files = Vec::new();
    for &l in &model.used_lists {
        let id = &model.lists[l];
        let path = paths.list_path(id);
        lists[l] = load_list(id, &path)?;
        list_files.push((id.clone(), path.message_path(), lists[l].len()));
    }
    Ok(Inputs { model_path, model_digest, model, source, lists, list_files, warnings })
}

/// SPEC §2.1: every file has an integer id column and a string or integer partition (in the file
/// or in a hive folder); files agree on each column's type family.
fn check_people_schema(source: &PeopleSource, model: &Model) -> Vec<PeopleIssue> {
    let mut issues: Vec<PeopleIssue> = source.issues.clone();
    for file in &source.files {
        // The file's columns, then its hive folder columns: for the hint of a missing column.
        let found = || -> Vec<String> {
            let mut names: Vec<String> = file.metadata.schema().fields().iter().map(|f| f.name().clone()).collect();
            names.extend(
                file.hive.iter().map(|(name, _)| name.clone()).filter(|n| !names.contains(n)).collect::<Vec<_>>(),
            );
            names
        };
        match file.column_type(&model.id_column) {
            None => issues.push(PeopleIssue::MissingColumn {
                file: file.path.clone(),
                column: model.id_column.clone(),
                role: "id",
                found: found(),
            }),
            Some(dt) if !dt.is_integer() => issues.push(PeopleIssue::UnsupportedType {
                file: file.path.clone(),
                column: model.id_column.clone(),
                role: "id",
                found: dt.to_string(),
                expected: "an integer",
            }),
            Some(_) => {}
        }
        match file.column_type(&model.partition_column) {
            None if !file.has_column(&model.partition_column) => issues.push(PeopleIssue::MissingColumn {
                file: file.path.clone(),
                column: model.partition_column.clone(),
                role: "partition",
                found: found(),
            }),
            Some(dt) if !(dt.is_integer() || family_of(dt) == Some(TypeFamily::Text)) => {
                issues.push(PeopleIssue::UnsupportedType {
                    file: file.path.clone(),
                    column: model.partition_column.clone(),
                    role: "partition",
                    found: dt.to_string(),
                    expected: "a string or an integer",
                });
            }
            _ => {}
        }
    }
    issues
}
