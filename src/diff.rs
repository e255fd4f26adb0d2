//! `segcalc diff` (SPEC §9): the movement matrix between two published runs, per segmentation,
//! with totals — two runs of one output folder (`--from`, `--to`; by default the run before
//! `current`, and `current`), or two run folders (a golden run kept in a repository and
//! `<out>/current`). `--check` makes a difference exit 3 (`Error::RunsDiffer`).
//!
//! A segmentation's people are its segment sets in its origin workspace, which sees the whole
//! scope; the counts are intersections of the two runs' sets ([`Changes::between`]), one
//! segmentation at a time, so only two runs' sets of one segmentation are in memory at once.
//! Membership files are not read: the bitmaps hold the same people, smaller.

use std::fmt::Write as _;
use std::path::PathBuf;

use roaring::RoaringBitmap;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::location::Location;
use crate::output::manifest::SegmentationCounts;
use crate::output::movement::{Changes, Movement, Totals, grand_totals};
use crate::output::published::{OutputFolder, PublishedRun};
use crate::show::{open_run, table};

/// Which two runs to compare.
#[derive(Debug, Clone)]
pub enum DiffRuns {
    /// Runs of one output folder, by id; `None`: the run before `to`, and `current`.
    Folder { out: Location, from: Option<String>, to: Option<String> },
    /// Two run folders (each holds a manifest.json: `runs/<id>`, `<out>/current`, or a copy).
    RunFolders { from: Location, to: Location },
}

/// The stable `--json` schema (docs/EXPLAIN.md).
#[derive(Debug, Serialize)]
pub struct Diff {
    pub from: RunRef,
    pub to: RunRef,
    /// The later run's segmentations in its order, then those only the earlier one has.
    pub movements: Vec<Movement>,
    pub totals: Totals,
    /// Nobody changed place in any segmentation.
    pub same: bool,
}

#[derive(Debug, Serialize)]
pub struct RunRef {
    pub run_id: String,
    pub as_of: String,
    /// Where it was read, for people.
    pub path: String,
}

impl RunRef {
    fn of(run: &PublishedRun) -> Self {
        Self {
            run_id: run.id().to_owned(),
            as_of: run.manifest().as_of.clone(),
            path: run.path().display().to_string(),
        }
    }
}

impl DiffRuns {
    /// From the command line: one output folder (with `--from`, `--to`), or two run folders.
    pub fn new(folders: &[PathBuf], from: Option<String>, to: Option<String>) -> Result<Self> {
        match (folders, from.is_some() || to.is_some()) {
            ([out], _) => Ok(Self::Folder { out: Location::from_arg(out)?, from, to }),
            ([a, b], false) => Ok(Self::RunFolders { from: Location::from_arg(a)?, to: Location::from_arg(b)? }),
            ([_, _], true) => Err(usage(
                "--from and --to name runs of one output folder; with two run folders, give neither".to_owned(),
            )),
            (more, _) => Err(usage(format!("diff takes one output folder or two run folders, found {}", more.len()))),
        }
    }
}

fn usage(message: String) -> Error {
    Error::Usage { message }
}

/// The two runs `which` names, opened.
fn open_runs(which: &DiffRuns) -> Result<(PublishedRun, PublishedRun)> {
    match which {
        DiffRuns::RunFolders { from, to } => Ok((PublishedRun::folder(from)?, PublishedRun::folder(to)?)),
        DiffRuns::Folder { out, from, to } => {
            let folder = OutputFolder::at(out);
            let to = open_run(out, to.as_deref())?;
            if let Some(id) = from {
                return Ok((folder.run(id)?, to));
            }
            let runs = folder.finished_runs()?;
            let before = runs.iter().rev().find(|id| id.as_str() < to.id()).ok_or_else(|| {
                usage(format!(
                    "no run before `{}` in `{}` to compare with; name one with --from RUN (runs there: {})",
                    to.id(),
                    out.message_path().display(),
                    crate::error::name_list(&runs)
                ))
            })?;
            Ok((folder.run(before)?, to))
        }
    }
}

/// A segmentation's segment sets in its origin workspace, in manifest order.
fn origin_sets(run: &PublishedRun, s: &SegmentationCounts) -> Result<Vec<(String, RoaringBitmap)>> {
    s.segments.iter().map(|g| Ok((g.id.clone(), run.segment(&s.origin, &s.id, &g.id)?.to_bitmap()))).collect()
}

pub fn diff(which: &DiffRuns) -> Result<Diff> {
    let (from, to) = open_runs(which)?;
    let (old, new) = (&from.manifest().segmentations, &to.manifest().segmentations);
    let mut changes = Changes::default();
    for s in new {
        let before = old.iter().find(|o| o.id == s.id).map(|o| origin_sets(&from, o)).transpose()?.unwrap_or_default();
        changes.between(&s.id, &before, &origin_sets(&to, s)?);
    }
    for s in old.iter().filter(|o| !new.iter().any(|s| s.id == o.id)) {
        changes.between(&s.id, &origin_sets(&from, s)?, &[]);
    }
    let counts: Vec<(String, Vec<(String, u64)>)> =
        new.iter().map(|s| (s.id.clone(), s.segments.iter().map(|g| (g.id.clone(), g.people)).collect())).collect();
    let movements = changes.movements(&counts);
    let totals = grand_totals(&movements);
    Ok(Diff { from: RunRef::of(&from), to: RunRef::of(&to), same: totals.changed() == 0, movements, totals })
}

/// `--check`: a difference is an error (exit 3).
pub fn check(diff: &Diff) -> Result<()> {
    if diff.same {
        return Ok(());
    }
    Err(Error::RunsDiffer {
        from: diff.from.run_id.clone(),
        to: diff.to.run_id.clone(),
        changed: diff.totals.changed(),
        segmentations: diff
            .movements
            .iter()
            .filter(|m| m.totals.changed() > 0)
            .map(|m| m.segmentation.clone())
            .collect(),
    })
}

/// The diff as text: one matrix per segmentation where someone changed place, then totals.
#[must_use]
pub fn render(diff: &Diff) -> String {
    let mut out = format!(
        "diff {} (as of {}) → {} (as of {})\n",
        diff.from.run_id, diff.from.as_of, diff.to.run_id, diff.to.as_of
    );
    out.push_str(&render_movements(&diff.movements));
    out
}

/// Shown for "outside the scope", as a row (entered from) and as a column (left to).
const ENTERED: &str = "(entered)";
const LEFT: &str = "(left)";

/// Each segmentation's summary line, its matrix when someone changed place, and the totals.
#[must_use]
pub fn render_movements(movements: &[Movement]) -> String {
    let mut out = String::new();
    for m in movements {
        let t = &m.totals;
        if t.changed() == 0 {
            let _ = writeln!(out, "  {}: nobody changed segment ({} stayed)", m.segmentation, t.stayed);
            continue;
        }
        let _ = writeln!(
            out,
            "  {}: {} changed ({} moved, {} entered, {} left), {} stayed",
            m.segmentation,
            t.changed(),
            t.moved,
            t.entered,
            t.left,
            t.stayed
        );
        let mut header = vec!["from \\ to".to_owned()];
        header.extend(m.segments.iter().cloned());
        header.push(LEFT.to_owned());
        let froms = m.segments.iter().map(|g| (Some(g.as_str()), g.as_str())).chain([(None, ENTERED)]);
        let rows: Vec<Vec<String>> = froms
            .map(|(from, label)| {
                let mut row = vec![label.to_owned()];
                row.extend(m.segments.iter().map(|to| m.people(from, Some(to)).to_string()));
                row.push(if from.is_some() { m.people(from, None).to_string() } else { String::new() });
                row
            })
            .collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        for line in table(&header, &rows).lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    let t = grand_totals(movements);
    let changed_in = movements.iter().filter(|m| m.totals.changed() > 0).count();
    let _ = writeln!(
        out,
        "total: {} changed ({} moved, {} entered, {} left) in {changed_in} of {} segmentation(s), {} stayed",
        t.changed(),
        t.moved,
        t.entered,
        t.left,
        movements.len(),
        t.stayed
    );
    out
}
