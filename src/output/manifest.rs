//! `manifest.json`: what a run did, on what, with which counts (SPEC §4) — its types, how a run
//! builds one ([`Manifest::new`]), and its JSON both ways. Counts depend only on the inputs and
//! as-of; timings and the run id are the only fields that differ between runs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::{Members, PartitionCodes, PeopleTable};
use crate::error::{Error, Result, Warning};
use crate::inputs::Inputs;
use crate::model::Model;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub engine: Engine,
    pub run_id: String,
    pub as_of: String,
    pub started_at: String,
    pub inputs: InputsInfo,
    pub people: PeopleCounts,
    pub segmentations: Vec<SegmentationCounts>,
    pub workspaces: Vec<WorkspaceCounts>,
    pub skipped_drafts: Vec<String>,
    /// Every user the model declares, so `show --user` can tell a user who sees nothing from an
    /// unknown one. Absent in runs of older versions.
    #[serde(default)]
    pub users: Vec<String>,
    /// Against the run `current` pointed to before this one; absent on a first run or with
    /// `--no-changes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<ChangesInfo>,
    pub warnings: Vec<WarningEntry>,
    /// Milliseconds per phase, in pipeline order.
    pub timings_ms: Vec<Timing>,
}

/// What a finished run knows that its manifest records, for [`Manifest::new`].
pub struct RunRecord<'a> {
    pub run_id: String,
    pub as_of: chrono::DateTime<chrono::Utc>,
    pub started: chrono::DateTime<chrono::Utc>,
    pub inputs: &'a Inputs,
    pub codes: &'a PartitionCodes,
    pub table: &'a PeopleTable,
    /// People per partition code.
    pub per_code: &'a [u64],
    pub members: &'a Members,
    /// What each workspace was given, as the writing of its files counted it.
    pub workspaces: Vec<WorkspaceCounts>,
    pub changes: Option<ChangesInfo>,
    pub warnings: &'a [Warning],
    pub timings: Vec<Timing>,
}

impl Manifest {
    #[must_use]
    pub fn new(record: RunRecord<'_>) -> Self {
        let RunRecord {
            run_id,
            as_of,
            started,
            inputs,
            codes,
            table,
            per_code,
            members,
            workspaces,
            changes,
            warnings,
            timings,
        } = record;
        let model = &inputs.model;
        Self {
            engine: Engine { name: "segcalc".into(), version: env!("CARGO_PKG_VERSION").into() },
            run_id,
            as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            inputs: InputsInfo::new(inputs),
            people: PeopleCounts::new(model, codes, table, per_code),
            segmentations: SegmentationCounts::all(model, members),
            workspaces,
            skipped_drafts: model.drafts.clone(),
            users: model.users.iter().map(|u| u.id.clone()).collect(),
            changes,
            warnings: warnings.iter().map(WarningEntry::from).collect(),
            timings_ms: timings,
        }
    }

    /// The manifest of a committed sharded run (SPEC §8): every count the sum of the shards'
    /// (whose ids do not overlap), everything else the first shard's (every shard read the same
    /// inputs: `commit` checked their markers). Warnings are each shard's, once each.
    #[must_use]
    pub fn merge(
        run_id: String,
        started: &chrono::DateTime<chrono::Utc>,
        shards: &[Self],
        timings: Vec<Timing>,
    ) -> Self {
        let mut merged = shards[0].clone();
        merged.run_id = run_id;
        merged.started_at = started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        merged.timings_ms = timings;
        for shard in &shards[1..] {
            let people = &mut merged.people;
            people.total += shard.people.total;
            people.in_no_workspace += shard.people.in_no_workspace;
            people.null_partition += shard.people.null_partition;
            add_maps(&mut people.partitions, &shard.people.partitions);
            add_maps(&mut people.unlisted_partitions, &shard.people.unlisted_partitions);
            for (mine, theirs) in merged.segmentations.iter_mut().zip(&shard.segmentations) {
                mine.scope += theirs.scope;
                add_segments(&mut mine.segments, &theirs.segments);
            }
            for (mine, theirs) in merged.workspaces.iter_mut().zip(&shard.workspaces) {
                mine.people += theirs.people;
                mine.membership_rows += theirs.membership_rows;
                for (a, b) in mine.segmentations.iter_mut().zip(&theirs.segmentations) {
                    add_segments(&mut a.segments, &b.segments);
                }
            }
            if let (Some(mine), Some(theirs)) = (&mut merged.changes, &shard.changes) {
                mine.rows += theirs.rows;
                for change in &theirs.segmentations {
                    match mine.segmentations.iter_mut().find(|c| c.id == change.id) {
                        Some(entry) => entry.changes += change.changes,
                        None => mine.segmentations.push(change.clone()),
                    }
                }
            }
            for warning in &shard.warnings {
                if !merged.warnings.contains(warning) {
                    merged.warnings.push(warning.clone());
                }
            }
        }
        merged
    }

    /// The manifest as `manifest.json` holds it.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("a manifest is strings, numbers, lists and string-keyed maps, which serde_json always writes")
    }

    /// Writes `manifest.json` at `path` (synced with the whole run by `Staging::publish`).
    pub fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).map_err(|source| Error::Write { path: path.to_owned(), source })
    }

    /// The manifest in `bytes`, read from `path` (named in the error).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| Error::Manifest { path: path.to_owned(), message: e.to_string() })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Engine {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputsInfo {
    pub model: String,
    pub people: Vec<FileRows>,
    pub lists: Vec<ListInfo>,
}

impl InputsInfo {
    fn new(inputs: &Inputs) -> Self {
        Self {
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
                .map(|(id, path, people)| ListInfo {
                    id: id.clone(),
                    path: path.display().to_string(),
                    people: *people,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRows {
    pub path: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ListInfo {
    pub id: String,
    pub path: String,
    pub people: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PeopleCounts {
    pub total: u64,
    /// People whose partition is null or seen by no workspace.
    pub in_no_workspace: u64,
    pub null_partition: u64,
    /// People per partition the model names.
    pub partitions: BTreeMap<String, u64>,
    /// People per partition value no workspace names (seen only by `"all"` workspaces).
    pub unlisted_partitions: BTreeMap<String, u64>,
}

impl PeopleCounts {
    fn new(model: &Model, codes: &PartitionCodes, table: &PeopleTable, per_code: &[u64]) -> Self {
        Self {
            total: table.len() as u64,
            in_no_workspace: codes.people_in_no_workspace(per_code),
            null_partition: per_code[usize::from(codes.null)],
            partitions: model.partitions.iter().enumerate().map(|(i, name)| (name.clone(), per_code[i])).collect(),
            unlisted_partitions: table.unlisted_partitions.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SegmentationCounts {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub origin: String,
    /// People in the scope: those whose partition the origin sees.
    pub scope: u64,
    pub segments: Vec<SegmentCount>,
    pub visible_in: Vec<String>,
}

impl SegmentationCounts {
    /// Every approved segmentation's counts, in model order.
    fn all(model: &Model, members: &Members) -> Vec<Self> {
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
                Self {
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SegmentCount {
    pub id: String,
    pub people: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WorkspaceCounts {
    pub id: String,
    /// People whose partition this workspace sees.
    pub people: u64,
    /// Rows of its membership file (0 and no file when no segmentation is visible).
    pub membership_rows: u64,
    pub segmentations: Vec<VisibleSegmentation>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VisibleSegmentation {
    pub id: String,
    pub read_only: bool,
    pub segments: Vec<SegmentCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangesInfo {
    pub previous_run: String,
    pub rows: u64,
    /// Change rows per segmentation (this run's, then those that are gone).
    pub segmentations: Vec<SegmentationChanges>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SegmentationChanges {
    pub id: String,
    pub changes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WarningEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub message: String,
}

impl From<&Warning> for WarningEntry {
    fn from(w: &Warning) -> Self {
        Self { at: w.at.clone(), message: w.message.clone() }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Timing {
    pub phase: String,
    pub ms: u64,
}

/// Adds `theirs`' counts into `mine`, key by key.
fn add_maps(mine: &mut BTreeMap<String, u64>, theirs: &BTreeMap<String, u64>) {
    for (key, n) in theirs {
        *mine.entry(key.clone()).or_default() += n;
    }
}

/// Adds `theirs`' segment counts into `mine` (the same segments, in the same order).
fn add_segments(mine: &mut [SegmentCount], theirs: &[SegmentCount]) {
    for (a, b) in mine.iter_mut().zip(theirs) {
        a.people += b.people;
    }
}
