//! The two batch commands: `run` (load → classify → assemble → bitmaps → write → publish) and
//! `validate` (the same checks, nothing written). Both go through [`prepare`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::engine::partition::PartitionCode;
use crate::engine::{Classifier, Members, PartitionCodes, PeopleTable, TableShape, build_table};
use crate::error::{Error, Result, Warning};
use crate::inputs::{DatasetPaths, Inputs, load};
use crate::log::{Log, Progress};
use crate::model::Model;
use crate::output::access::{access_rows, write_access};
use crate::output::bitmaps::write_bitmap;
use crate::output::changes::{diff_runs, previous_segments, write_changes};
use crate::output::file_writer::{FileWriter, with_file_writer};
use crate::output::lock::OutputLock;
use crate::output::manifest::{
    ChangesInfo, Engine, FileRows, InputsInfo, ListInfo, Manifest, PeopleCounts, SegmentCount, SegmentationChanges,
    SegmentationCounts, Timing, VisibleSegmentation, WarningEntry, WorkspaceCounts,
};
use crate::output::membership::{visible_segmentations, write_workspace};
use crate::output::publish::{Staging, current_run};
use crate::output::retention::{remove_leftovers, remove_old_runs};
use crate::people::{RawBatch, ScanColumns};
use crate::rule::value::instant_nanos;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub paths: DatasetPaths,
    pub out: PathBuf,
    /// RFC 3339; the run's start when absent.
    pub as_of: Option<String>,
    pub strict: bool,
    /// Runs to keep after a successful switch (the current one included).
    pub keep: usize,
    /// Skip changes.parquet.
    pub no_changes: bool,
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
    let mut timings = Vec::new();
    let inputs = timed(&mut timings, "load", || load(paths, instant_nanos(&as_of)))?;
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
    let classifier = Classifier { model, partitions: &codes, lists: &inputs.lists, evaluate };
    let attributes: Vec<(String, crate::rule::TypeFamily)> = if evaluate { model.columns.clone() } else { Vec::new() };
    let columns = ScanColumns { id: &model.id_column, partition: &model.partition_column, attributes: &attributes };
    let source = &inputs.source;
    let segmentations = if evaluate { model.segmentations.len() } else { 0 };
    let classify = |raw: RawBatch, progress: &Progress| {
        let batch = classifier.classify(&raw, &source.files[raw.file].path)?;
        progress.add(batch.ids.len() as u64);
        Ok(batch)
    };
    let shape = TableShape { segmentations, partition_codes: usize::from(codes.null) + 1 };
    let table = build_table(source, &columns, shape, classify, log, &mut |phase, elapsed| {
        timings.push(Timing { phase: phase.to_owned(), ms: elapsed.as_millis() as u64 });
    })?;
    let mut warnings = inputs.warnings.clone();
    let per_code = codes.people_per_code(&table.partitions);
    let homeless = people_in_no_workspace(&codes, &per_code);
    if homeless > 0 {
        warnings.push(Warning {
            at: Some(inputs.source.root.display().to_string()),
            message: homeless_message(homeless, &codes, &per_code, &table, &model.partition_column),
        });
    }
    Ok(Prepared { inputs, codes, table, warnings, timings, as_of, per_code })
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

/// People whose partition code (`per_code`: people per code) no workspace sees.
fn people_in_no_workspace(codes: &PartitionCodes, per_code: &[u64]) -> u64 {
    per_code.iter().enumerate().filter(|&(code, _)| !codes.seen(code as PartitionCode)).map(|(_, n)| n).sum()
}

fn strict_check(strict: bool, warnings: &[Warning]) -> Result<()> {
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
    let _lock = OutputLock::acquire(&options.out, &started)?;
    remove_leftovers(&options.out);
    let Prepared { inputs, codes, table, mut warnings, mut timings, as_of, per_code } =
        prepare(&options.paths, as_of, true, log)?;
    for w in &warnings {
        log.warn(w);
    }
    strict_check(options.strict, &warnings)?;
    let model = &inputs.model;
    let members = timed(&mut timings, "bitmaps", || Ok(Members::build(model, &codes, &table, &per_code)))?;
    log.step(format_args!("built bitmaps for {} people", table.len()));

    let staging = Staging::create(&options.out, &started)?;
    let run_dir = staging.dir.clone();
    let workspace_counts = timed(&mut timings, "write", || {
        with_file_writer(|files| write_outputs(files, &run_dir, model, &codes, &table, &members))
    })?;
    let access = access_rows(model);
    write_access(&run_dir.join("access.parquet"), &access)?;
    let changes = if options.no_changes {
        None
    } else {
        timed(&mut timings, "changes", || Ok(write_run_changes(&options.out, &run_dir, model, &table, &mut warnings)))?
    };
    let manifest = Manifest {
        engine: Engine { name: "segcalc".into(), version: env!("CARGO_PKG_VERSION").into() },
        run_id: staging.run_id.clone(),
        as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        inputs: inputs_info(&inputs),
        people: people_counts(model, &codes, &table, &per_code),
        segmentations: segmentation_counts(model, &members),
        workspaces: workspace_counts,
        skipped_drafts: model.drafts.clone(),
        users: model.users.iter().map(|u| u.id.clone()).collect(),
        changes,
        warnings: warnings.iter().map(WarningEntry::from).collect(),
        timings_ms: timings,
    };
    let manifest_path = run_dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    std::fs::write(&manifest_path, text.as_bytes())
        .map_err(|source| Error::Write { path: manifest_path.clone(), source })?;
    let run_dir = staging.publish()?;
    remove_old_runs(&options.out, options.keep, log);
    Ok(RunSummary { run_dir, manifest, seconds: clock.elapsed().as_secs_f64() })
}

/// Writes changes.parquet against the run `current` points to; a previous run that cannot be read
/// is a warning (the new run is still good), not a failure.
fn write_run_changes(
    out: &Path,
    run_dir: &Path,
    model: &Model,
    table: &PeopleTable,
    warnings: &mut Vec<Warning>,
) -> Option<ChangesInfo> {
    let previous_dir = current_run(out)?;
    let previous_id = previous_dir.file_name()?.to_string_lossy().into_owned();
    let result = previous_segments(&previous_dir).and_then(|previous| {
        let rows = diff_runs(&previous, model, table);
        write_changes(&run_dir.join("changes.parquet"), &rows)?;
        Ok(rows)
    });
    match result {
        Ok(rows) => {
            // Counts in model order, then segmentations that are gone, as the rows come.
            let mut per: Vec<SegmentationChanges> =
                model.segmentations.iter().map(|s| SegmentationChanges { id: s.id.clone(), changes: 0 }).collect();
            for row in &rows {
                match per.iter_mut().rev().find(|p| p.id == row.segmentation) {
                    Some(entry) => entry.changes += 1,
                    None => per.push(SegmentationChanges { id: row.segmentation.clone(), changes: 1 }),
                }
            }
            Some(ChangesInfo { previous_run: previous_id, rows: rows.len() as u64, segmentations: per })
        }
        Err(e) => {
            warnings.push(Warning {
                at: Some(previous_dir.display().to_string()),
                message: format!(
                    "the previous run cannot be read, so no changes.parquet was written: {e}; this run is published all the same, and the next run compares with it"
                ),
            });
            None
        }
    }
}

/// Membership files and bitmaps for every workspace, in parallel; counts in workspace order.
fn write_outputs(
    files: &FileWriter,
    run_dir: &Path,
    model: &Model,
    codes: &PartitionCodes,
    table: &PeopleTable,
    members: &Members,
) -> Result<Vec<WorkspaceCounts>> {
    (0..model.workspaces.len())
        .into_par_iter()
        .map(|w| {
            let workspace = &model.workspaces[w];
            let visible = visible_segmentations(model, w);
            let mut membership_rows = 0;
            if !visible.is_empty() {
                let dir = run_dir.join("membership").join(format!("workspace={}", workspace.id));
                std::fs::create_dir_all(&dir).map_err(|source| Error::Write { path: dir.clone(), source })?;
                membership_rows =
                    write_workspace(files, &dir.join("part-0.parquet"), model, codes, table, w, &visible)?;
            }
            // Each segmentation's bitmaps are written as a task of their own, so a workspace
            // that sees many segmentations is not left to one thread.
            let segmentations = visible
                .par_iter()
                .map(|&s| {
                    let segmentation = &model.segmentations[s];
                    let dir = run_dir.join("bitmaps").join(&workspace.id).join(&segmentation.id);
                    std::fs::create_dir_all(&dir).map_err(|source| Error::Write { path: dir.clone(), source })?;
                    let mut segments = Vec::new();
                    let bitmaps = members.visible_segments(s, w, table);
                    for (id, bitmap) in segmentation.segment_ids().into_iter().zip(bitmaps) {
                        segments.push(SegmentCount { id: id.to_owned(), people: bitmap.len() });
                        write_bitmap(files, &dir.join(format!("{id}.roaring")), &bitmap)?;
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

fn inputs_info(inputs: &Inputs) -> InputsInfo {
    InputsInfo {
        model: inputs.model_path.display().to_string(),
        people: inputs
            .source
            .files
            .iter()
            .map(|f| FileRows { path: f.path.display().to_string(), rows: f.rows })
            .collect(),
        lists: inputs
            .list_files
            .iter()
            .map(|(id, path, people)| ListInfo { id: id.clone(), path: path.display().to_string(), people: *people })
            .collect(),
    }
}

fn people_counts(model: &Model, codes: &PartitionCodes, table: &PeopleTable, per_code: &[u64]) -> PeopleCounts {
    let partitions: BTreeMap<String, u64> =
        model.partitions.iter().enumerate().map(|(i, name)| (name.clone(), per_code[i])).collect();
    PeopleCounts {
        total: table.len() as u64,
        in_no_workspace: people_in_no_workspace(codes, per_code),
        null_partition: per_code[usize::from(codes.null)],
        partitions,
        unlisted_partitions: table.unlisted_partitions.clone(),
    }
}

fn segmentation_counts(model: &Model, members: &Members) -> Vec<SegmentationCounts> {
    model
        .segmentations
        .iter()
        .enumerate()
        .map(|(s, seg)| {
            let segments: Vec<SegmentCount> = seg
                .segment_ids()
                .into_iter()
                .zip(&members.segments[s])
                .map(|(id, bitmap)| SegmentCount { id: id.to_owned(), people: bitmap.len() })
                .collect();
            SegmentationCounts {
                id: seg.id.clone(),
                name: seg.name.clone(),
                origin: model.workspaces[seg.origin].id.clone(),
                scope: segments.iter().map(|c| c.people).sum(),
                segments,
                visible_in: seg.visible_in.iter().map(|&w| model.workspaces[w].id.clone()).collect(),
            }
        })
        .collect()
}
