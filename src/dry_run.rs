//! `segcalc run … --dry-run` (SPEC §9): the whole run but the publish — inputs loaded, people
//! classified, segment sets built — then each segment's count and the movement matrix against
//! the run `current` names. No lock is taken and nothing is written under `--out`.
//!
//! The matrix counts the rows `diff_runs` gives against `previous_segments(current)`: the very
//! rows the real run writes to `changes.parquet`, so the two agree by construction.

use std::fmt::Write as _;

use serde::Serialize;

use crate::diff::render_movements;
use crate::engine::Members;
use crate::error::{Result, Warning};
use crate::log::Log;
use crate::output::changes::{diff_runs, previous_segments};
use crate::output::layout::Layout;
use crate::output::manifest::{SegmentCount, WarningEntry};
use crate::output::movement::{Changes, Movement, Totals, grand_totals};
use crate::output::published::OutputFolder;
use crate::run::{Prepared, RunOptions, parse_as_of, prepare, strict_check};

/// What a dry run found; the stable `--json` schema (docs/EXPLAIN.md).
#[derive(Debug, Serialize)]
pub struct DryRun {
    pub as_of: String,
    pub people: u64,
    /// Each approved segmentation's counts, in model order.
    pub segmentations: Vec<DrySegmentation>,
    /// The run `current` named, which the movements are against; `None` when there is none or
    /// it cannot be read (a warning says why).
    pub compared_with: Option<String>,
    pub movements: Option<Vec<Movement>>,
    pub totals: Option<Totals>,
    pub warnings: Vec<WarningEntry>,
}

#[derive(Debug, Serialize)]
pub struct DrySegmentation {
    pub id: String,
    pub origin: String,
    pub scope: u64,
    pub segments: Vec<SegmentCount>,
}

/// Runs everything `run` does up to the writing, and compares with `current`.
pub fn dry_run(options: &RunOptions, log: &Log) -> Result<DryRun> {
    let as_of = parse_as_of(options.as_of.as_deref(), chrono::Utc::now())?;
    let Prepared { inputs, codes, table, mut warnings, as_of, per_code, .. } =
        prepare(&options.paths, as_of, true, log)?;
    for w in &warnings {
        log.warn(w);
    }
    strict_check(options.strict, &warnings)?;
    let model = &inputs.model;
    let members = Members::build(model, &codes, &table, &per_code);
    let segmentations: Vec<DrySegmentation> = model
        .segmentations
        .iter()
        .zip(&members.segments)
        .map(|(s, sets)| {
            let segments: Vec<SegmentCount> = s
                .segment_ids()
                .into_iter()
                .zip(sets)
                .map(|(id, set)| SegmentCount { id: id.to_owned(), people: set.len() })
                .collect();
            DrySegmentation {
                id: s.id.clone(),
                origin: model.workspaces[s.origin].id.clone(),
                scope: segments.iter().map(|g| g.people).sum(),
                segments,
            }
        })
        .collect();
    let folder = OutputFolder::at(&options.out);
    let compared = folder.current().and_then(|run| {
        run.map(|previous| {
            Ok((previous.id().to_owned(), diff_runs(previous_segments(&previous)?, model, &table, &members.segments)?))
        })
        .transpose()
    });
    let (compared_with, movements) = match compared {
        Ok(None) => (None, None),
        Ok(Some((id, rows))) => {
            let counts: Vec<(String, Vec<(String, u64)>)> = segmentations
                .iter()
                .map(|s| (s.id.clone(), s.segments.iter().map(|g| (g.id.clone(), g.people)).collect()))
                .collect();
            (Some(id), Some(Changes::of_rows(&rows).movements(&counts)))
        }
        Err(e) => {
            let warning = Warning {
                at: Some(folder.locate(&Layout::current()).display().to_string()),
                message: format!("the run `current` names cannot be read, so no movements are shown: {e}"),
            };
            log.warn(&warning);
            warnings.push(warning);
            (None, None)
        }
    };
    Ok(DryRun {
        as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        people: table.len() as u64,
        segmentations,
        compared_with,
        totals: movements.as_deref().map(grand_totals),
        movements,
        warnings: warnings.iter().map(WarningEntry::from).collect(),
    })
}

/// The dry run as text: counts per segmentation, then the movements.
#[must_use]
pub fn render(dry: &DryRun) -> String {
    let mut out = format!("dry run at {} — {} people; nothing published\n", dry.as_of, dry.people);
    for s in &dry.segmentations {
        let counts: Vec<String> = s.segments.iter().map(|g| format!("{} {}", g.id, g.people)).collect();
        let _ = writeln!(out, "  {} (origin {}, scope {}): {}", s.id, s.origin, s.scope, counts.join(", "));
    }
    match (&dry.compared_with, &dry.movements) {
        (Some(id), Some(movements)) => {
            let _ = writeln!(out, "movements against run {id} (`current`):");
            out.push_str(&render_movements(movements));
        }
        _ => out.push_str("no published run to compare with: no movements\n"),
    }
    if !dry.warnings.is_empty() {
        let _ = writeln!(out, "{} warning(s) (on stderr)", dry.warnings.len());
    }
    out
}
