//! `manifest.json`: what a run did, on what, with which counts (SPEC §4). Counts depend only on
//! the inputs and as-of; timings and the run id are the only fields that differ between runs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Warning;

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

impl Manifest {
    /// Reads `<run_dir>/manifest.json`.
    pub fn read(run_dir: &std::path::Path) -> crate::error::Result<Self> {
        let path = run_dir.join("manifest.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|source| crate::error::Error::Read { path: path.clone(), source })?;
        serde_json::from_str(&text).map_err(|e| crate::error::Error::Manifest { path, message: e.to_string() })
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
