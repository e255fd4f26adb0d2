//! `changes.parquet` (SPEC §3.6, Marketo's "Change Segment"): every person whose segment in a
//! segmentation differs from the previous published run. Computed from the two runs' segment
//! bitmaps with set operations, never by joining rows.
//!
//! The previous run's members of a segmentation are its bitmaps in the segmentation's origin
//! workspace (which sees the whole scope). A segmentation new in this run gives one row per
//! member with `old_segment` null (they entered it); one that is gone gives `new_segment` null.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use roaring::RoaringBitmap;

use super::bitmaps::read_bitmap;
use super::manifest::Manifest;
use crate::engine::Members;
use crate::error::{Error, Result};
use crate::model::Model;

/// One segmentation's segments, by id, as bitmaps.
pub type SegmentSets = Vec<(String, RoaringBitmap)>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeRow {
    pub segmentation: String,
    pub person_id: u32,
    pub old_segment: Option<String>,
    pub new_segment: Option<String>,
}

/// The previous run's segments per segmentation id, read from its origin bitmaps.
pub fn previous_segments(run_dir: &Path) -> Result<BTreeMap<String, SegmentSets>> {
    let manifest = Manifest::read(run_dir)?;
    let mut out = BTreeMap::new();
    for s in &manifest.segmentations {
        let dir = run_dir.join("bitmaps").join(&s.origin).join(&s.id);
        let segments = s
            .segments
            .iter()
            .map(|g| Ok((g.id.clone(), read_bitmap(&dir.join(format!("{}.roaring", g.id)))?)))
            .collect::<Result<_>>()?;
        out.insert(s.id.clone(), segments);
    }
    Ok(out)
}

/// This run's segments per approved segmentation, in model order.
pub fn current_segments(model: &Model, members: &Members) -> Vec<(String, SegmentSets)> {
    model
        .segmentations
        .iter()
        .zip(&members.segments)
        .map(|(s, bitmaps)| {
            let sets = s
                .segment_ids()
                .into_iter()
                .map(str::to_owned)
                .zip(bitmaps.iter().map(|set| set.to_bitmap().into_owned()))
                .collect();
            (s.id.clone(), sets)
        })
        .collect()
}

/// The change rows of one segmentation, sorted by person id.
pub fn diff_segmentation(id: &str, old: &SegmentSets, new: &SegmentSets) -> Vec<ChangeRow> {
    let union = |sets: &SegmentSets| sets.iter().fold(RoaringBitmap::new(), |acc, (_, b)| acc | b);
    let (old_all, new_all) = (union(old), union(new));
    let mut rows: Vec<ChangeRow> = Vec::new();
    let mut push = |ids: RoaringBitmap, old_segment: Option<&str>, new_segment: Option<&str>| {
        rows.extend(ids.into_iter().map(|person_id| ChangeRow {
            segmentation: id.to_owned(),
            person_id,
            old_segment: old_segment.map(str::to_owned),
            new_segment: new_segment.map(str::to_owned),
        }));
    };
    for (new_id, new_set) in new {
        // Entered the scope.
        push(new_set - &old_all, None, Some(new_id));
        for (old_id, old_set) in old {
            if old_id != new_id {
                push(new_set & old_set, Some(old_id), Some(new_id));
            }
        }
    }
    for (old_id, old_set) in old {
        // Left the scope.
        push(old_set - &new_all, Some(old_id), None);
    }
    rows.sort_unstable_by_key(|r| r.person_id);
    rows
}

/// Every change row: segmentations of this run in model order, then those that are gone (by id).
pub fn diff_runs(previous: &BTreeMap<String, SegmentSets>, current: &[(String, SegmentSets)]) -> Vec<ChangeRow> {
    let empty = SegmentSets::new();
    let mut rows = Vec::new();
    for (id, new) in current {
        rows.extend(diff_segmentation(id, previous.get(id).unwrap_or(&empty), new));
    }
    for (id, old) in previous {
        if !current.iter().any(|(c, _)| c == id) {
            rows.extend(diff_segmentation(id, old, &empty));
        }
    }
    rows
}

pub fn write_changes(path: &Path, rows: &[ChangeRow]) -> Result<()> {
    let write_err = |source| Error::ParquetWrite { path: path.to_owned(), source };
    let schema = Arc::new(Schema::new(vec![
        Field::new("segmentation", DataType::Utf8, false),
        Field::new("person_id", DataType::UInt32, false),
        Field::new("old_segment", DataType::Utf8, true),
        Field::new("new_segment", DataType::Utf8, true),
    ]));
    let file = File::create(path).map_err(|source| Error::Write { path: path.to_owned(), source })?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(write_err)?;
    for chunk in rows.chunks(64 * 1024) {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(chunk.iter().map(|r| Some(r.segmentation.as_str())).collect::<StringArray>()),
            Arc::new(chunk.iter().map(|r| r.person_id).collect::<UInt32Array>()),
            Arc::new(chunk.iter().map(|r| r.old_segment.as_deref()).collect::<StringArray>()),
            Arc::new(chunk.iter().map(|r| r.new_segment.as_deref()).collect::<StringArray>()),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| write_err(e.into()))?;
        writer.write(&batch).map_err(write_err)?;
    }
    // Synced with the whole run by `Staging::publish`.
    writer.into_inner().map_err(write_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(spec: &[(&str, &[u32])]) -> SegmentSets {
        spec.iter().map(|(id, ids)| ((*id).to_owned(), ids.iter().copied().collect())).collect()
    }

    #[test]
    fn moves_entries_and_exits() {
        let old = sets(&[("a", &[1, 2, 3]), ("default", &[4, 5])]);
        let new = sets(&[("a", &[1, 4]), ("b", &[2]), ("default", &[5, 6])]);
        let rows: Vec<String> = diff_segmentation("s", &old, &new)
            .iter()
            .map(|r| format!("{} {:?} {:?}", r.person_id, r.old_segment, r.new_segment))
            .collect();
        assert_eq!(
            rows,
            vec![
                "2 Some(\"a\") Some(\"b\")",
                "3 Some(\"a\") None",
                "4 Some(\"default\") Some(\"a\")",
                "6 None Some(\"default\")",
            ]
        );
    }

    #[test]
    fn added_and_removed_segmentations() {
        let mut previous = BTreeMap::new();
        previous.insert("gone".to_owned(), sets(&[("x", &[7])]));
        let current = vec![("new".to_owned(), sets(&[("y", &[8])]))];
        let rows = diff_runs(&previous, &current);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].segmentation.as_str(), rows[0].old_segment.as_deref()), ("new", None));
        assert_eq!((rows[1].segmentation.as_str(), rows[1].new_segment.as_deref()), ("gone", None));
    }
}
