//! The two batch commands: `run` (load → classify → assemble → bitmaps → write → publish) and
//! `validate` (the same checks, nothing written). Both go through [`prepare`].

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{Classifier, ListMembers, Members, PartitionCodes, PeopleTable, TableShape, build_table};
use crate::error::{Error, Result, Warning};
use crate::inputs::{DatasetPaths, Inputs, load};
use crate::location::Location;
use crate::log::{Log, Progress};
use crate::model::Model;
use crate::output::access::{access_rows, write_access};
use crate::output::bitmaps::write_bitmap;
use crate::output::changes::{diff_runs, previous_segments, write_changes};
use crate::output::destination::Destination;
use crate::output::file_writer::{FileWriter, with_file_writer};
use crate::output::history;
use crate::output::layout::{Layout, RunLayout};
use crate::output::manifest::{
    ChangesInfo, Manifest, RunRecord, SegmentCount, SegmentationChanges, Timing, VisibleSegmentation, WorkspaceCounts,
};
use crate::output::membership::{visible_segmentations, write_workspace};
use crate::output::published::OutputFolder;
use crate::output::shard_marker::{ShardInputs, ShardMarker};
use crate::output::shard_output::ShardOutput;
use crate::people::IdWindow;
use crate::people::{RawBatch, ScanColumns};
use crate::rule::value::instant_nanos;
use crate::shard::{Shard, id_ranges};

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub paths: DatasetPaths,
    /// The output folder: local, or an object-store prefix.
    pub out: Location,
    /// RFC 3339; the run's start when absent.
    pub as_of: Option<String>,
    pub strict: bool,
    /// Runs to keep after a successful switch (the current one included).
    pub keep: usize,
    /// Skip changes.parquet.
    pub no_changes: bool,
    /// Compute only this shard of the run and publish nothing (SPEC §8).
    pub shard: Option<Shard>,
}

#[derive(Debug)]
pub struct RunSummary {
    pub run_dir: PathBuf,
    pub manifest: Manifest,
    pub seconds: f64,
}

/// Everything `run` and `validate` share: inputs loaded, people classified and id-ordered.
pub struct Prepared {
    pub inputs: Inputs,
    pub codes: PartitionCodes,
    pub table: PeopleTable,
    pub warnings: Vec<Warning>,
    pub timings: Vec<Timing>,
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// `per_code[c]`: people of partition code `c` (counted once, for warnings and the manifest).
    pub per_code: Vec<u64>,
    /// A shard's ids (`None`: every person).
    pub window: Option<Range<u64>>,
}

pub fn parse_as_of(value: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> Result<chrono::DateTime<chrono::Utc>> {
    match value {
        None => Ok(now),
        Some(text) => chrono::DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&chrono::Utc)).map_err(|e| {
            let reason = if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
                format!("a date alone is not an instant: add a time and an offset, e.g. {text}T00:00:00Z")
            } else {
                format!("{e}; use RFC 3339, e.g. 2026-11-01T12:00:00Z")
            };
            Error::AsOf { value: text.to_owned(), reason }
        }),
    }
}

fn timed<T>(timings: &mut Vec<Timing>, phase: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let start = Instant::now();
    let value = f()?;
    timings.push(Timing { phase: phase.to_owned(), ms: start.elapsed().as_millis() as u64 });
    Ok(value)
}

/// Loads, checks and (when `evaluate`) classifies every person.
pub fn prepare(
    paths: &DatasetPaths,
    as_of: chrono::DateTime<chrono::Utc>,
    evaluate: bool,
    log: &Log,
) -> Result<Prepared> {
    prepare_shard(paths, as_of, evaluate, None, log)
}

/// Like [`prepare`], over only the people of `shard`'s id range when there is one: the row
/// groups whose statistics overlap it are read, and the rows outside it dropped.
pub fn prepare_shard(
    paths: &DatasetPaths,
    as_of: chrono::DateTime<chrono::Utc>,
    evaluate: bool,
    shard: Option<&Shard>,
    log: &Log,
) -> Result<Prepared> {
    let mut timings = Vec::new();
    let mut inputs = timed(&mut timings, "load", || load(paths, instant_nanos(&as_of)))?;
    let window = shard.map(|shard| {
        let id_column = inputs.model.id_column.clone();
        let range = id_ranges(inputs.source.claimed_id_range(&id_column), shard.count)[shard.index].clone();
        log.step(format_args!("shard {}/{}: ids {}..{}", shard.index, shard.count, range.start, range.end));
        inputs.source.restrict(IdWindow { column: id_column, range: range.clone() });
        range
    });
    let model = &inputs.model;
    log.step(format_args!(
        "model: {} approved segmentation(s), {} draft(s), {} workspace(s); people: {} rows in {} file(s)",
        model.segmentations.len(),
        model.drafts.len(),
        model.workspaces.len(),
        inputs.source.total_rows(),
        inputs.source.files.len()
    ));
    let codes = PartitionCodes::new(model);
    let lists: Vec<ListMembers> = inputs.lists.iter().map(ListMembers::new).collect();
    let classifier = Classifier { model, partitions: &codes, lists: &lists, evaluate };
    let attributes: Vec<(String, crate::rule::TypeFamily)> = if evaluate { model.columns.clone() } else { Vec::new() };
    let columns = ScanColumns { id: &model.id_column, partition: &model.partition_column, attributes: &attributes };
    let source = &inputs.source;
    let segmentations = if evaluate { model.segmentations.len() } else { 0 };
    let classify = |raw: RawBatch, progress: &Progress| {
        let (rows, path) = (raw.ids.len() as u64, &source.files[raw.file].path);
        let raw = match &window {
            Some(range) => raw.within(range).map_err(|source| Error::Arrow {
                path: path.clone(),
                column: model.id_column.clone(),
                source,
            })?,
            None => raw,
        };
        let batch = classifier.classify(&raw, path)?;
        progress.add(rows);
        Ok(batch)
    };
    let shape = TableShape { segmentations, partition_codes: usize::from(codes.null) + 1 };
    let table = build_table(source, &columns, shape, classify, log, &mut |phase, elapsed| {
        timings.push(Timing { phase: phase.to_owned(), ms: elapsed.as_millis() as u64 });
    })?;
    let mut warnings = inputs.warnings.clone();
    let per_code = codes.people_per_code(&table.partitions);
    let homeless = codes.people_in_no_workspace(&per_code);
    if homeless > 0 {
        warnings.push(Warning {
            at: Some(inputs.source.root.display().to_string()),
            message: homeless_message(homeless, &codes, &per_code, &table, &model.partition_column),
        });
    }
    Ok(Prepared { inputs, codes, table, warnings, timings, as_of, per_code, window })
}

/// Says who the people in no workspace are (null partition, or which partitions) and what to do.
fn homeless_message(
    homeless: u64,
    codes: &PartitionCodes,
    per_code: &[u64],
    table: &PeopleTable,
    column: &str,
) -> String {
    const NAMES_SHOWN: usize = 5;
    let nulls = if codes.seen(codes.null) { 0 } else { per_code[usize::from(codes.null)] };
    let mut whose = Vec::new();
    if nulls > 0 {
        whose.push(format!("{nulls} with a null `{column}`"));
    }
    // Partitions the model does not name are seen only by workspaces of "all" partitions.
    if !codes.seen(codes.other) && !table.unlisted_partitions.is_empty() {
        let mut named: Vec<String> =
            table.unlisted_partitions.iter().take(NAMES_SHOWN).map(|(name, n)| format!("`{name}` ({n})")).collect();
        if table.unlisted_partitions.len() > NAMES_SHOWN {
            named.push(format!("and {} more", table.unlisted_partitions.len() - NAMES_SHOWN));
        }
        whose.push(format!("partitions no workspace lists: {}", named.join(", ")));
    }
    let mut todo = Vec::new();
    if nulls > 0 {
        todo.push("give those people a partition");
    }
    if homeless > nulls {
        todo.push("list their partitions in a workspace's `partitions` in model.json");
    }
    format!(
        "{homeless} people belong to no workspace ({}): no segmentation includes them; if they should be segmented, {}",
        if whose.is_empty() { "their partitions are seen by no workspace".to_owned() } else { whose.join("; ") },
        todo.join(", or ")
    )
}

/// Logs every warning, then fails under `--strict` if there is any.
fn warn_and_check(strict: bool, warnings: &[Warning], log: &Log) -> Result<()> {
    for w in warnings {
        log.warn(w);
    }
    strict_check(strict, warnings)
}

pub(crate) fn strict_check(strict: bool, warnings: &[Warning]) -> Result<()> {
    if strict && !warnings.is_empty() {
        return Err(Error::StrictWarnings { warnings: warnings.to_vec() });
    }
    Ok(())
}

/// `segcalc validate`: every error (as `Err`) and warning (returned), nothing written.
pub fn validate(paths: &DatasetPaths, as_of: Option<&str>, strict: bool, log: &Log) -> Result<Vec<Warning>> {
    let as_of = parse_as_of(as_of, chrono::Utc::now())?;
    let prepared = prepare(paths, as_of, false, log)?;
    strict_check(strict, &prepared.warnings)?;
    Ok(prepared.warnings)
}

/// `segcalc run`: the whole recalculation, published atomically.
pub fn run(options: &RunOptions, log: &Log) -> Result<RunSummary> {
    let clock = Instant::now();
    let started = chrono::Utc::now();
    let as_of = parse_as_of(options.as_of.as_deref(), started)?;
    if let Some(shard) = &options.shard {
        let prepared = prepare_shard(&options.paths, as_of, true, Some(shard), log)?;
        warn_and_check(options.strict, &prepared.warnings, log)?;
        let output = ShardOutput::create(&options.out, shard)?;
        let previous = OutputFolder::at(&options.out);
        let (manifest, inputs) =
            write_run(prepared, &output.root, &output.layout.clone(), &shard.run_id, started, options, &previous, log)?;
        let window = inputs.source.window.as_ref().map_or(0..0, |w| w.range.clone());
        let shard_inputs = ShardInputs::new(&inputs, &manifest.as_of, !options.no_changes);
        let previous_run = manifest.changes.as_ref().map(|c| c.previous_run.clone());
        let run_dir = output.finish(&ShardMarker::new(shard, &window, shard_inputs, previous_run))?;
        return Ok(RunSummary { run_dir, manifest, seconds: clock.elapsed().as_secs_f64() });
    }
    let destination = Destination::open(&options.out, &started, log)?;
    let prepared = prepare(&options.paths, as_of, true, log)?;
    warn_and_check(options.strict, &prepared.warnings, log)?;
    let staging = destination.stage(&started)?;
    let (manifest, _) = write_run(
        prepared,
        &staging.out,
        &staging.layout,
        &staging.run_id,
        started,
        options,
        &destination.folder(),
        log,
    )?;
    let run_dir = destination.publish(staging, options.keep, log)?;
    Ok(RunSummary { run_dir, manifest, seconds: clock.elapsed().as_secs_f64() })
}

/// Writes a run's files (membership, bitmaps, access, changes against `previous`'s current
/// run, the manifest last) under `out` as `layout` names them; returns the manifest.
#[allow(clippy::too_many_arguments)] // the run's parts, each used once
fn write_run(
    prepared: Prepared,
    out: &Path,
    layout: &RunLayout,
    run_id: &str,
    started: chrono::DateTime<chrono::Utc>,
    options: &RunOptions,
    previous: &OutputFolder,
    log: &Log,
) -> Result<(Manifest, Inputs)> {
    let Prepared { inputs, codes, table, mut warnings, mut timings, as_of, per_code, window } = prepared;
    let model = &inputs.model;
    let members = timed(&mut timings, "bitmaps", || Ok(Members::build(model, &codes, &table, &per_code)))?;
    log.step(format_args!("built bitmaps for {} people", table.len()));
    let workspaces = timed(&mut timings, "write", || {
        with_file_writer(|files| write_outputs(files, out, layout, model, &codes, &table, &members))
    })?;
    write_access(&layout.access().on(out), &access_rows(model))?;
    // A shard's counts are a part of the run's: `commit` writes the run's history.
    if window.is_none() {
        timed(&mut timings, "history", || {
            let mut rows = history::carried(previous, &mut warnings, log);
            rows.extend(history::rows_of(run_id, as_of.timestamp_micros(), &workspaces));
            history::write(&layout.history().on(out), &rows)
        })?;
    }
    let changes = if options.no_changes {
        None
    } else {
        timed(&mut timings, "changes", || {
            Ok(write_run_changes(previous, out, layout, model, &table, &members, window.as_ref(), &mut warnings, log))
        })?
    };
    let manifest = Manifest::new(RunRecord {
        run_id: run_id.to_owned(),
        as_of,
        started,
        inputs: &inputs,
        codes: &codes,
        table: &table,
        per_code: &per_code,
        members: &members,
        workspaces,
        changes,
        warnings: &warnings,
        timings,
    });
    manifest.write(&layout.manifest().on(out))?;
    Ok((manifest, inputs))
}

/// Writes changes.parquet against the run `current` of `folder` points to; a previous run that
/// cannot be read is a warning (the new run is still good), not a failure: logged, and kept in
/// the manifest.
#[allow(clippy::too_many_arguments)] // the run's parts, each used once
fn write_run_changes(
    folder: &OutputFolder,
    out: &Path,
    layout: &RunLayout,
    model: &Model,
    table: &PeopleTable,
    members: &Members,
    window: Option<&Range<u64>>,
    warnings: &mut Vec<Warning>,
    log: &Log,
) -> Option<ChangesInfo> {
    let (at, result) = match folder.current_id() {
        Ok(None) => return None,
        Ok(Some(id)) => {
            let result = folder.open(&id).and_then(|previous| {
                let mut rows = diff_runs(previous_segments(&previous)?, model, table, &members.segments)?;
                // A shard's changes are those of its ids: the old members of other shards' ids
                // are not gone, they are theirs.
                if let Some(range) = window {
                    rows.retain(|row| range.contains(&u64::from(row.person_id)));
                }
                write_changes(&layout.changes().on(out), &rows)?;
                Ok((id.clone(), rows))
            });
            (folder.locate(Layout::run(&id).root()), result)
        }
        Err(e) => (folder.locate(&Layout::current()), Err(e)),
    };
    match result {
        Ok((previous_run, rows)) => {
            // Counts in model order, then segmentations that are gone, as the rows come.
            let mut per: Vec<SegmentationChanges> =
                model.segmentations.iter().map(|s| SegmentationChanges { id: s.id.clone(), changes: 0 }).collect();
            for row in &rows {
                match per.iter_mut().rev().find(|p| p.id == row.segmentation) {
                    Some(entry) => entry.changes += 1,
                    None => per.push(SegmentationChanges { id: row.segmentation.clone(), changes: 1 }),
                }
            }
            Some(ChangesInfo { previous_run, rows: rows.len() as u64, segmentations: per })
        }
        Err(e) => {
            let warning = Warning {
                at: Some(at.display().to_string()),
                message: format!(
                    "the previous run cannot be read, so no changes.parquet was written: {e}; this run is published all the same, and the next run compares with it"
                ),
            };
            log.warn(&warning);
            warnings.push(warning);
            None
        }
    }
}

/// Membership files and bitmaps for every workspace, in parallel; counts in workspace order.
fn write_outputs(
    files: &FileWriter,
    out: &Path,
    layout: &RunLayout,
    model: &Model,
    codes: &PartitionCodes,
    table: &PeopleTable,
    members: &Members,
) -> Result<Vec<WorkspaceCounts>> {
    let create_dir = |dir: PathBuf| std::fs::create_dir_all(&dir).map_err(|source| Error::Write { path: dir, source });
    (0..model.workspaces.len())
        .into_par_iter()
        .map(|w| {
            let workspace = &model.workspaces[w];
            let visible = visible_segmentations(model, w);
            let mut membership_rows = 0;
            if !visible.is_empty() {
                create_dir(layout.membership_folder(&workspace.id).on(out))?;
                let path = layout.membership_file(&workspace.id).on(out);
                membership_rows = write_workspace(files, &path, model, codes, table, w, &visible)?;
            }
            // Each segmentation's bitmaps are written as a task of their own, so a workspace
            // that sees many segmentations is not left to one thread.
            let segmentations = visible
                .par_iter()
                .map(|&s| {
                    let segmentation = &model.segmentations[s];
                    create_dir(layout.bitmaps(&workspace.id, &segmentation.id).on(out))?;
                    let mut segments = Vec::new();
                    let bitmaps = members.visible_segments(s, w, table);
                    for (id, bitmap) in segmentation.segment_ids().into_iter().zip(bitmaps) {
                        segments.push(SegmentCount { id: id.to_owned(), people: bitmap.len() });
                        write_bitmap(files, &layout.bitmap(&workspace.id, &segmentation.id, id).on(out), &bitmap)?;
                    }
                    Ok(VisibleSegmentation {
                        id: segmentation.id.clone(),
                        read_only: segmentation.origin != w,
                        segments,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(WorkspaceCounts {
                id: workspace.id.clone(),
                people: members.workspace_people[w],
                membership_rows,
                segmentations,
            })
        })
        .collect()
}
