//! `segcalc show`: what a published run gives a workspace or a user — segmentations, segments
//! and counts from the manifest, "shared with me" from access.parquet, person ids from bitmaps,
//! all read through `OutputFolder`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::text::{did_you_mean, quote_list};
use crate::error::{Error, Result};
use crate::location::Location;
use crate::output::published::{OutputFolder, PublishedRun};

#[derive(Debug, Clone)]
pub struct ShowOptions {
    /// The output folder: local, or an object-store prefix.
    pub out: Location,
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

/// The run `run` names (`--run`) in the output folder `out`, or the one `current` names.
pub(crate) fn open_run(out: &Location, run: Option<&str>) -> Result<PublishedRun> {
    let folder = OutputFolder::at(out);
    match run {
        Some(id) => folder.run(id),
        None => folder.current()?.ok_or_else(|| {
            usage(format!(
                "no published run in `{}` (no `current` link); check the folder, or publish one with `segcalc run DATASET --out {}`",
                out.message_path().display(),
                out.message_path().display()
            ))
        }),
    }
}

/// " (did you mean `x`?)" when a known name is near `name`.
fn near(name: &str, known: &[&str]) -> String {
    did_you_mean(name, known).map(|d| format!(" ({d})")).unwrap_or_default()
}

/// The user ids of the model a run read (`manifest.inputs.model`), when that file can still be
/// read and parsed; none otherwise. Only used to tell a user who sees nothing from an unknown one.
fn model_users(model_path: &str) -> Vec<String> {
    // A regular file only: the path a run recorded may now be a FIFO, which would block.
    let mut text = String::new();
    let read = crate::entry::open_regular(std::path::Path::new(model_path))
        .map(|mut file| std::io::Read::read_to_string(&mut file, &mut text));
    if !matches!(read, Ok(Ok(_))) {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    value
        .get("users")
        .and_then(serde_json::Value::as_array)
        .map(|users| {
            users.iter().filter_map(|u| u.get("id").and_then(serde_json::Value::as_str).map(str::to_owned)).collect()
        })
        .unwrap_or_default()
}

pub fn show(options: &ShowOptions) -> Result<View> {
    let run = open_run(&options.out, options.run.as_deref())?;
    let manifest = run.manifest();
    let run_id = manifest.run_id.clone();
    let workspace = match &options.workspace {
        Some(w) => Some(manifest.workspaces.iter().find(|x| &x.id == w).ok_or_else(|| Error::Unknown {
            kind: "workspace",
            name: w.clone(),
            place: format!("run {run_id}"),
            known: manifest.workspaces.iter().map(|x| x.id.clone()).collect(),
        })?),
        None => None,
    };
    if let Some(user) = &options.user {
        let access = run.access()?;
        if !access.iter().any(|a| a.user == *user) {
            // A user access.parquet does not name sees nothing, or is not a user at all: the
            // manifest's users tell which (runs of older versions have none: then the model the
            // run read, when it is still there).
            let mut known: Vec<String> = access.iter().map(|a| a.user.clone()).collect();
            if manifest.users.is_empty() {
                known.extend(model_users(&manifest.inputs.model));
            } else {
                known.extend(manifest.users.iter().cloned());
            }
            known.sort();
            known.dedup();
            if !known.contains(user) {
                return Err(Error::Unknown { kind: "user", name: user.clone(), place: format!("run {run_id}"), known });
            }
        }
        let mut shared_with_me: Vec<AccessLine> = access
            .into_iter()
            .filter(|a| a.user == *user)
            .map(|a| AccessLine {
                segmentation: a.segmentation,
                workspace: a.workspace,
                read_only: a.read_only,
                via: a.via,
            })
            .collect();
        if let Some(w) = workspace {
            shared_with_me.retain(|a| a.workspace == w.id);
        }
        return Ok(View::User { run_id, user: user.clone(), shared_with_me });
    }
    match (workspace, &options.segment) {
        (Some(w), Some(spec)) => {
            let (s, g) = spec.split_once('/').ok_or_else(|| {
                usage(format!(
                    "--segment takes SEGMENTATION/SEGMENT, found `{spec}`; e.g. --segment industry/healthcare"
                ))
            })?;
            let visible = w.segmentations.iter().find(|x| x.id == s).ok_or_else(|| {
                let known: Vec<&str> = w.segmentations.iter().map(|x| x.id.as_str()).collect();
                usage(format!(
                    "segmentation `{s}` is not visible in workspace `{}` of run {run_id}{}; visible there: {}",
                    w.id,
                    near(s, &known),
                    if known.is_empty() { "none".to_owned() } else { quote_list(&known) }
                ))
            })?;
            if !visible.segments.iter().any(|x| x.id == g) {
                let known: Vec<&str> = visible.segments.iter().map(|x| x.id.as_str()).collect();
                return Err(usage(format!(
                    "segmentation `{s}` has no segment `{g}`{}; its segments: {}",
                    near(g, &known),
                    quote_list(&known)
                )));
            }
            let bitmap = run.segment(&w.id, s, g)?;
            let mut person_ids = Vec::with_capacity(options.limit.min(1024));
            bitmap.for_each(|id| {
                if person_ids.len() < options.limit {
                    person_ids.push(id);
                }
            });
            Ok(View::Members {
                run_id,
                workspace: w.id.clone(),
                segmentation: s.to_owned(),
                segment: g.to_owned(),
                total: bitmap.len(),
                person_ids,
            })
        }
        (None, Some(_)) => Err(usage(
            "--segment needs --workspace: the ids listed are those a workspace sees; add --workspace W".to_owned(),
        )),
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

/// Left-aligned columns; numbers right-aligned.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
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
