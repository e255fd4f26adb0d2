//! `segcalc commit <out> --run-id ID --shards N` (SPEC §8): checks that shards 0..N of run ID
//! are complete and were computed from the same inputs, assembles them into one run and
//! publishes it as any run is published (§4 locally, §7 on an object store).
//!
//! The cost is O(objects + bitmap bytes), never a re-evaluation of people: membership files are
//! adopted as they are (`part-<K>.parquet`: hard links locally, copies inside the store), each
//! segment's bitmap is the shards' concatenated (their containers follow one another: shards
//! are cut on multiples of 65,536, so the bytes are the unsharded run's), the manifest's counts
//! are summed, access is shard 0's, and the changes, which each shard computed for its ids
//! against the same `current`, are concatenated.

use std::time::Instant;

use rayon::prelude::*;
use roaring::RoaringBitmap;

use crate::engine::portable::PortableBitmap;

use crate::error::{Error, Result, ShardProblem};
use crate::location::Location;
use crate::log::Log;
use crate::output::changes::{ChangeRow, read_changes, write_changes};
use crate::output::destination::Destination;
use crate::output::file_writer::with_file_writer;
use crate::output::history;
use crate::output::layout::{Key, Layout};
use crate::output::manifest::{Manifest, Timing, WarningEntry};
use crate::output::published::{OutputFolder, PublishedRun};
use crate::output::shard_marker::ShardMarker;
use crate::output::shard_output::remove_shards;
use crate::run::RunSummary;
use crate::shard::check_run_id;

#[derive(Debug, Clone)]
pub struct CommitOptions {
    pub out: Location,
    pub run_id: String,
    pub shards: usize,
    /// Runs to keep after the commit, the new one included.
    pub keep: usize,
}

pub fn commit(options: &CommitOptions, log: &Log) -> Result<RunSummary> {
    let clock = Instant::now();
    let started = chrono::Utc::now();
    check_run_id(&options.run_id)?;
    if options.shards == 0 {
        return Err(Error::Usage { message: "--shards must be at least 1".into() });
    }
    let mut destination = Destination::open(&options.out, &started, log)?;
    let folder = destination.folder();
    let markers = check_shards(&folder, &options.run_id, options.shards)?;
    let shards: Vec<PublishedRun> =
        (0..options.shards).map(|k| folder.open_shard(&options.run_id, k)).collect::<Result<_>>()?;
    log.step(format_args!("shards 0..{} of run {} are complete and agree", options.shards, options.run_id));

    let staging = destination.stage_named(&options.run_id)?;
    let assemble = Instant::now();
    // Membership: each shard's file of each workspace becomes the run's part-<K>.
    for (k, shard) in shards.iter().enumerate() {
        for workspace in shard.membership_workspaces()? {
            let from = Layout::shard(&options.run_id, k).membership_file(&workspace);
            let to = Layout::run("").membership_part(&workspace, k);
            destination.adopt(&from, relative(&to), &staging)?;
        }
    }
    // Bitmaps: each segment's shard sets, concatenated (a shard's containers all lie above the
    // previous shard's), in parallel and written by the writer threads.
    let first = shards[0].manifest();
    let mut segments = Vec::new();
    for workspace in &first.workspaces {
        for segmentation in &workspace.segmentations {
            let dir = staging.layout.bitmaps(&workspace.id, &segmentation.id).on(&staging.out);
            std::fs::create_dir_all(&dir).map_err(|source| Error::Write { path: dir.clone(), source })?;
            segments.extend(segmentation.segments.iter().map(|g| (&workspace.id, &segmentation.id, &g.id)));
        }
    }
    with_file_writer(|files| {
        let written: Vec<Result<()>> = segments
            .par_iter()
            .map(|&(workspace, segmentation, segment)| {
                let parts: Vec<PortableBitmap> = shards
                    .iter()
                    .map(|shard| shard.segment(workspace, segmentation, segment))
                    .collect::<Result<_>>()?;
                let path = staging.layout.bitmap(workspace, segmentation, segment).on(&staging.out);
                match PortableBitmap::concat(&parts.iter().collect::<Vec<_>>()) {
                    Some(joined) => files.write(&path, joined.bytes()),
                    None => files.write(&path, &union_bytes(&parts)),
                }
            })
            .collect();
        // The first failure in manifest order, whatever the threads' timing.
        written.into_iter().collect::<Result<()>>()
    })?;
    // Access: the model's, the same in every shard.
    let access = Layout::shard(&options.run_id, 0).access();
    destination.adopt(&access, relative(&Layout::run("").access()), &staging)?;
    // Changes: each shard's rows (its ids, ascending), per segmentation in shard order.
    if markers[0].inputs.changes && first.changes.is_some() {
        let rows = merged_changes(&shards)?;
        write_changes(&staging.layout.changes().on(&staging.out), &rows)?;
    }
    let manifests: Vec<Manifest> = shards.iter().map(|s| s.manifest().clone()).collect();
    let mut timings = vec![Timing { phase: "assemble".into(), ms: assemble.elapsed().as_millis() as u64 }];
    for (k, shard) in manifests.iter().enumerate() {
        let ms = shard.timings_ms.iter().map(|t| t.ms).sum();
        timings.push(Timing { phase: format!("shard {k}"), ms });
    }
    let mut manifest = Manifest::merge(options.run_id.clone(), &started, &manifests, timings);
    // History: the run's rows, after those carried from the run `current` names.
    let as_of = chrono::DateTime::parse_from_rfc3339(&manifest.as_of).map_or(0, |t| t.timestamp_micros());
    let mut warnings = Vec::new();
    let mut rows = history::carried(&folder, &mut warnings, log);
    rows.extend(history::rows_of(&options.run_id, as_of, &manifest.workspaces));
    history::write(&staging.layout.history().on(&staging.out), &rows)?;
    manifest.warnings.extend(warnings.iter().map(WarningEntry::from));
    manifest.write(&staging.layout.manifest().on(&staging.out))?;
    let run_dir = destination.publish(staging, options.keep, log)?;
    // The shards are in the run now; best effort, as retention (the next commit retries).
    if let Err(e) = remove_shards(&options.out, &options.run_id) {
        log.warn(format_args!("could not remove the shards of run {}: {e}; remove them by hand", options.run_id));
    }
    Ok(RunSummary { run_dir, manifest, seconds: clock.elapsed().as_secs_f64() })
}

/// The union of sets whose containers do not follow one another (shards that are not this
/// run's own cut), through Roaring bitmaps: the same set, optimized as a run writes it.
fn union_bytes(parts: &[PortableBitmap]) -> Vec<u8> {
    let mut union = RoaringBitmap::new();
    for part in parts {
        union |= part.to_bitmap();
    }
    union.optimize();
    let mut bytes = Vec::with_capacity(union.serialized_size());
    union.serialize_into(&mut bytes).expect("a bitmap serialises into memory");
    bytes
}

/// `key` relative to the root of `Layout::run("")` (`runs/`): the key inside a run.
fn relative(key: &Key) -> &str {
    key.as_str().trim_start_matches("runs/").trim_start_matches('/')
}

/// Every shard's marker, checked: present, its own, of `shards` shards, of shard 0's inputs,
/// and compared with the run `current` names now.
fn check_shards(folder: &OutputFolder, run_id: &str, shards: usize) -> Result<Vec<ShardMarker>> {
    let current = folder.current_id()?;
    let mut markers: Vec<ShardMarker> = Vec::with_capacity(shards);
    for k in 0..shards {
        let layout = Layout::shard(run_id, k);
        let fail =
            |problem| Error::Shard { run_id: run_id.to_owned(), shard: k, path: folder.locate(layout.root()), problem };
        let Some(bytes) = folder.read(&layout.shard_marker())? else {
            return Err(fail(ShardProblem::Missing { shard: k, shards, run_id: run_id.to_owned() }));
        };
        let marker: ShardMarker =
            serde_json::from_slice(&bytes).map_err(|e| fail(ShardProblem::BadMarker { message: e.to_string() }))?;
        if marker.run_id != run_id || marker.shard != k {
            let message = format!("it says shard {} of run `{}`", marker.shard, crate::error::shorten(&marker.run_id));
            return Err(fail(ShardProblem::BadMarker { message }));
        }
        if marker.shards != shards {
            return Err(fail(ShardProblem::OtherCount { theirs: marker.shards, ours: shards }));
        }
        if let Some(what) = markers.first().and_then(|first| first.inputs.first_difference(&marker.inputs)) {
            return Err(fail(ShardProblem::OtherInputs { what }));
        }
        if marker.inputs.changes && marker.previous_run != current {
            let name = |run: &Option<String>| run.clone().unwrap_or_else(|| "none".into());
            return Err(fail(ShardProblem::CurrentMoved {
                compared: name(&marker.previous_run),
                current: name(&current),
            }));
        }
        markers.push(marker);
    }
    Ok(markers)
}

/// The shards' change rows as one table, as an unsharded run orders them: per segmentation (in
/// model order, then those that are gone), each shard's rows in shard order, which is id order.
fn merged_changes(shards: &[PublishedRun]) -> Result<Vec<ChangeRow>> {
    let mut per_shard = Vec::with_capacity(shards.len());
    for shard in shards {
        per_shard.push(read_changes(shard)?);
    }
    let mut order: Vec<String> = shards[0].manifest().segmentations.iter().map(|s| s.id.clone()).collect();
    for rows in &per_shard {
        for row in rows {
            if order.last() != Some(&row.segmentation) && !order.contains(&row.segmentation) {
                order.push(row.segmentation.clone());
            }
        }
    }
    let mut merged = Vec::with_capacity(per_shard.iter().map(Vec::len).sum());
    for segmentation in &order {
        for rows in &per_shard {
            merged.extend(rows.iter().filter(|r| &r.segmentation == segmentation).cloned());
        }
    }
    Ok(merged)
}
