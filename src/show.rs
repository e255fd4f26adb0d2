//! `segcalc show`: what a published run gives a workspace or a user — segmentations, segments
//! and counts from the manifest, "shared with me" from access.parquet, person ids from bitmaps.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use arrow_array::Array;
use arrow_array::cast::AsArray;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::bitmaps::read_bitmap;
use crate::output::manifest::Manifest;
use crate::output::publish::{RUNS_DIR, current_run};

#[derive(Debug, Clone)]
pub struct ShowOptions {
    pub out: PathBuf,
    /// A run id under `runs/`; the run `current` points to when absent.
    pub run: Option<String>,
    pub workspace: Option<String>,
    pub user: Option<String>,
    /// `segmentation/segment`, with `workspace`: list person ids.
    pub segment: Option<String>,
    pub limit: usize,
}

/// The stable `--json` schema (documented in docs/EXPLAIN.md); one variant per view.
#[derive(Debug, Serialize)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum View {
    Workspaces {
        run_id: String,
        workspaces: Vec<WorkspaceLine>,
    },
    Workspace {
        run_id: String,
        workspace: String,
        people: u64,
        segmentations: Vec<SegmentationLine>,
    },
    User {
        run_id: String,
        user: String,
        shared_with_me: Vec<AccessLine>,
    },
    Members {
        run_id: String,
        workspace: String,
        segmentation: String,
        segment: String,
        total: u64,
        person_ids: Vec<u32>,
    },
}

#[derive(Debug, Serialize)]
pub struct WorkspaceLine {
    pub workspace: String,
    pub people: u64,
    pub own: Vec<String>,
    pub shared: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SegmentationLine {
    pub segmentation: String,
    /// `own` (created here) or `shared` (read-only here).
    pub kind: &'static str,
    pub read_only: bool,
    pub segments: Vec<(String, u64)>,
}

#[derive(Debug, Serialize)]
pub struct AccessLine {
    pub segmentation: String,
    pub workspace: String,
    pub read_only: bool,
    pub via: String,
}

fn usage(message: String) -> Error {
    Error::Usage { message }
}

fn run_dir(options: &ShowOptions) -> Result<PathBuf> {
    let dir = match &options.run {
        Some(id) => options.out.join(RUNS_DIR).join(id),
        None => current_run(&options.out)
            .ok_or_else(|| usage(format!("no published run in `{}` (no `current` link)", options.out.display())))?,
    };
    if !dir.join("manifest.json").is_file() {
        return Err(usage(format!("`{}` is not a complete run (no manifest.json)", dir.display())));
    }
    Ok(dir)
}

pub fn show(options: &ShowOptions) -> Result<View> {
    let dir = run_dir(options)?;
    let manifest = Manifest::read(&dir)?;
    let run_id = manifest.run_id.clone();
    let workspace = match &options.workspace {
        Some(w) => Some(manifest.workspaces.iter().find(|x| &x.id == w).ok_or_else(|| {
            let known: Vec<&str> = manifest.workspaces.iter().map(|x| x.id.as_str()).collect();
            usage(format!("unknown workspace `{w}` (workspaces: {})", known.join(", ")))
        })?),
        None => None,
    };
    if let Some(user) = &options.user {
        let mut shared_with_me: Vec<AccessLine> =
            read_access(&dir.join("access.parquet"))?.into_iter().filter(|(u, _)| u == user).map(|(_, a)| a).collect();
        if let Some(w) = workspace {
            shared_with_me.retain(|a| a.workspace == w.id);
        }
        return Ok(View::User { run_id, user: user.clone(), shared_with_me });
    }
    match (workspace, &options.segment) {
        (Some(w), Some(spec)) => {
            let (s, g) = spec
                .split_once('/')
                .ok_or_else(|| usage(format!("--segment takes SEGMENTATION/SEGMENT, found `{spec}`")))?;
            let visible = w
                .segmentations
                .iter()
                .find(|x| x.id == s)
                .ok_or_else(|| usage(format!("segmentation `{s}` is not visible in workspace `{}`", w.id)))?;
            if !visible.segments.iter().any(|x| x.id == g) {
                let known: Vec<&str> = visible.segments.iter().map(|x| x.id.as_str()).collect();
                return Err(usage(format!("segmentation `{s}` has no segment `{g}` (segments: {})", known.join(", "))));
            }
            let bitmap = read_bitmap(&dir.join("bitmaps").join(&w.id).join(s).join(format!("{g}.roaring")))?;
            Ok(View::Members {
                run_id,
                workspace: w.id.clone(),
                segmentation: s.to_owned(),
                segment: g.to_owned(),
                total: bitmap.len(),
                person_ids: bitmap.iter().take(options.limit).collect(),
            })
        }
        (None, Some(_)) => Err(usage("--segment needs --workspace: the ids a workspace sees".to_owned())),
        (Some(w), None) => Ok(View::Workspace {
            run_id,
            workspace: w.id.clone(),
            people: w.people,
            segmentations: w
                .segmentations
                .iter()
                .map(|s| SegmentationLine {
                    segmentation: s.id.clone(),
                    kind: if s.read_only { "shared" } else { "own" },
                    read_only: s.read_only,
                    segments: s.segments.iter().map(|g| (g.id.clone(), g.people)).collect(),
                })
                .collect(),
        }),
        (None, None) => Ok(View::Workspaces {
            run_id,
            workspaces: manifest
                .workspaces
                .iter()
                .map(|w| WorkspaceLine {
                    workspace: w.id.clone(),
                    people: w.people,
                    own: w.segmentations.iter().filter(|s| !s.read_only).map(|s| s.id.clone()).collect(),
                    shared: w.segmentations.iter().filter(|s| s.read_only).map(|s| s.id.clone()).collect(),
                })
                .collect(),
        }),
    }
}

fn read_access(path: &Path) -> Result<Vec<(String, AccessLine)>> {
    let parquet_err = |source| Error::Parquet { path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_err)?.build().map_err(parquet_err)?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| parquet_err(e.into()))?;
        let text = |i: usize| {
            arrow_cast::cast(batch.column(i), &arrow_schema::DataType::Utf8).map_err(|e| parquet_err(e.into()))
        };
        let (user, segmentation, workspace, via) = (text(0)?, text(1)?, text(2)?, text(4)?);
        let read_only = batch
            .column(3)
            .as_boolean_opt()
            .ok_or_else(|| parquet_err(parquet::errors::ParquetError::General("read_only is not boolean".into())))?;
        for r in 0..batch.num_rows() {
            rows.push((
                user.as_string::<i32>().value(r).to_owned(),
                AccessLine {
                    segmentation: segmentation.as_string::<i32>().value(r).to_owned(),
                    workspace: workspace.as_string::<i32>().value(r).to_owned(),
                    read_only: read_only.is_valid(r) && read_only.value(r),
                    via: via.as_string::<i32>().value(r).to_owned(),
                },
            ));
        }
    }
    Ok(rows)
}

/// Left-aligned columns; numbers right-aligned.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                if !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()) {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(header.to_vec(), &mut out);
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

/// The view as aligned text for people.
#[must_use]
pub fn render(view: &View) -> String {
    match view {
        View::Workspaces { run_id, workspaces } => {
            let rows: Vec<Vec<String>> = workspaces
                .iter()
                .map(|w| vec![w.workspace.clone(), w.people.to_string(), w.own.join(", "), w.shared.join(", ")])
                .collect();
            format!(
                "run {run_id}\n{}",
                table(&["workspace", "people", "own segmentations", "shared with it (read-only)"], &rows)
            )
        }
        View::Workspace { run_id, workspace, people, segmentations } => {
            let mut rows = Vec::new();
            for s in segmentations {
                for (g, n) in &s.segments {
                    let access = if s.read_only { "shared, read-only" } else { "own" };
                    rows.push(vec![s.segmentation.clone(), access.to_owned(), g.clone(), n.to_string()]);
                }
            }
            format!(
                "run {run_id} — workspace {workspace} ({people} people)\n{}",
                table(&["segmentation", "access", "segment", "people"], &rows)
            )
        }
        View::User { run_id, user, shared_with_me } => {
            let rows: Vec<Vec<String>> = shared_with_me
                .iter()
                .map(|a| {
                    vec![
                        a.segmentation.clone(),
                        a.workspace.clone(),
                        if a.read_only { "yes" } else { "no" }.to_owned(),
                        a.via.clone(),
                    ]
                })
                .collect();
            format!(
                "run {run_id} — what {user} sees\n{}",
                table(&["segmentation", "workspace", "read-only", "via"], &rows)
            )
        }
        View::Members { run_id, workspace, segmentation, segment, total, person_ids } => {
            let mut out = format!(
                "run {run_id} — {segmentation}/{segment} as workspace {workspace} sees it: {total} people (showing {})\n",
                person_ids.len()
            );
            for id in person_ids {
                let _ = writeln!(out, "{id}");
            }
            out
        }
    }
}
