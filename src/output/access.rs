//! `access.parquet` (SPEC §3.5): which user sees which segmentation in which workspace, whether
//! read-only, and why (`via`: the first of owner, admin, user, group, all, workspace that applies).
//! Its rows as a run computes them ([`access_rows`]), written ([`write_access`]) and read back
//! ([`read_access`]).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::errors::ParquetError;

use crate::error::{Error, Result};
use crate::model::{Model, Share};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AccessRow {
    pub user: String,
    pub segmentation: String,
    pub workspace: String,
    pub read_only: bool,
    pub via: String,
}

/// Every (user, segmentation, workspace) access, sorted by user, segmentation, workspace.
pub fn access_rows(model: &Model) -> Vec<AccessRow> {
    let mut rows = Vec::new();
    for s in &model.segmentations {
        for (u, user) in model.users.iter().enumerate() {
            for &w in &s.visible_in {
                if !user.workspaces.contains(&w) {
                    continue;
                }
                let owner = s.owner == u;
                let via = if owner {
                    "owner"
                } else if user.admin {
                    "admin"
                } else if s.shares.contains(&Share::User(u)) {
                    "user"
                } else if s.shares.iter().any(|sh| matches!(sh, Share::Group(g) if user.groups.contains(g))) {
                    "group"
                } else if s.shares.contains(&Share::All) {
                    "all"
                } else if w != s.origin {
                    // A workspace share reaches every user of that workspace.
                    "workspace"
                } else {
                    continue;
                };
                rows.push(AccessRow {
                    user: user.id.clone(),
                    segmentation: s.id.clone(),
                    workspace: model.workspaces[w].id.clone(),
                    read_only: !(w == s.origin && (owner || user.admin)),
                    via: via.to_owned(),
                });
            }
        }
    }
    rows.sort();
    rows
}

pub fn write_access(path: &Path, rows: &[AccessRow]) -> Result<()> {
    let write_err = |source| Error::ParquetWrite { path: path.to_owned(), source };
    let schema = Arc::new(Schema::new(vec![
        Field::new("user", DataType::Utf8, false),
        Field::new("segmentation", DataType::Utf8, false),
        Field::new("workspace", DataType::Utf8, false),
        Field::new("read_only", DataType::Boolean, false),
        Field::new("via", DataType::Utf8, false),
    ]));
    let text = |f: fn(&AccessRow) -> &str| Arc::new(rows.iter().map(f).map(Some).collect::<StringArray>()) as ArrayRef;
    let columns = vec![
        text(|r| &r.user),
        text(|r| &r.segmentation),
        text(|r| &r.workspace),
        Arc::new(rows.iter().map(|r| Some(r.read_only)).collect::<BooleanArray>()) as ArrayRef,
        text(|r| &r.via),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| write_err(e.into()))?;
    let file = File::create(path).map_err(|source| Error::Write { path: path.to_owned(), source })?;
    let mut writer = ArrowWriter::try_new(file, schema, None).map_err(write_err)?;
    writer.write(&batch).map_err(write_err)?;
    // Synced with the whole run by `Staging::publish`.
    writer.into_inner().map_err(write_err)?;
    Ok(())
}

/// The rows of access.parquet's `batches`, read from `path` (named in errors).
pub fn read_access(batches: &[RecordBatch], path: &Path) -> Result<Vec<AccessRow>> {
    let parquet_err = |source| Error::Parquet { path: path.to_owned(), source };
    let mut rows = Vec::new();
    for batch in batches {
        // A damaged file may have fewer columns: an error, not an index out of bounds.
        let column = |i: usize| {
            batch.columns().get(i).ok_or_else(|| {
                let found = batch.num_columns();
                parquet_err(ParquetError::General(format!("it has {found} columns, not the 5 of access.parquet")))
            })
        };
        let text = |i: usize| arrow_cast::cast(column(i)?, &DataType::Utf8).map_err(|e| parquet_err(e.into()));
        let (user, segmentation, workspace, via) = (text(0)?, text(1)?, text(2)?, text(4)?);
        let (user, segmentation, workspace, via) = (
            user.as_string::<i32>(),
            segmentation.as_string::<i32>(),
            workspace.as_string::<i32>(),
            via.as_string::<i32>(),
        );
        let read_only = column(3)?
            .as_boolean_opt()
            .ok_or_else(|| parquet_err(ParquetError::General("read_only is not boolean".into())))?;
        for r in 0..batch.num_rows() {
            rows.push(AccessRow {
                user: user.value(r).to_owned(),
                segmentation: segmentation.value(r).to_owned(),
                workspace: workspace.value(r).to_owned(),
                read_only: read_only.is_valid(r) && read_only.value(r),
                via: via.value(r).to_owned(),
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::json::Issues;

    fn model(json: &serde_json::Value) -> Model {
        let mut issues = Issues::default();
        let spec = crate::model::parse_model(json, &mut issues);
        let model = crate::model::compile(&spec, None, 0, &mut issues, &mut Vec::new());
        assert!(issues.list.is_empty(), "{:?}", issues.list);
        model
    }

    #[test]
    fn via_names_the_first_clause_that_applies() {
        let m = model(&serde_json::json!({
            "workspaces": [{"id": "o", "partitions": ["a"]}, {"id": "r", "partitions": ["a"]}],
            "groups": [{"id": "g"}],
            "users": [
                {"id": "admin", "admin": true, "workspaces": "all"},
                {"id": "owner", "workspaces": ["o", "r"]},
                {"id": "direct", "workspaces": ["o"]},
                {"id": "member", "workspaces": ["o"], "groups": ["g"]},
                {"id": "anyone", "workspaces": ["o"]},
                {"id": "receiver", "workspaces": ["r"]}
            ],
            "segmentations": [
                {"id": "s", "workspace": "o", "owner": "owner", "status": "approved",
                 "segments": [{"id": "x", "rule": {"member_of_list": "l"}}],
                 "shares": [{"workspace": "r"}, {"user": "direct"}]},
                {"id": "t", "workspace": "o", "owner": "admin", "status": "approved",
                 "segments": [{"id": "x", "rule": {"member_of_list": "l"}}],
                 "shares": [{"group": "g"}, {"all": true}]}
            ],
            "lists": [{"id": "l"}]
        }));
        let rows: Vec<String> = access_rows(&m)
            .iter()
            .map(|r| format!("{} {} {} {} {}", r.user, r.segmentation, r.workspace, r.read_only, r.via))
            .collect();
        assert_eq!(
            rows,
            vec![
                "admin s o false admin",
                "admin s r true admin",
                "admin t o false owner",
                "anyone t o true all",
                "direct s o true user",
                "direct t o true all",
                "member t o true group",
                "owner s o false owner",
                "owner s r true owner",
                "owner t o true all",
                "receiver s r true workspace",
            ]
        );
    }
}
