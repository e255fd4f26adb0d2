//! `changes.parquet` (SPEC §3.6, Marketo's "Change Segment"): every person whose segment in a
//! segmentation differs from the previous published run.
//!
//! The previous run's members of a segmentation are its bitmaps in the segmentation's origin
//! workspace (which sees the whole scope). Each old member is marked at their position in this
//! run's id-sorted table (both ascend, so finding them is a forward walk), and one pass over the
//! table compares old and new segment names: O(people) per segmentation, whatever the ids'
//! density — no pairwise intersections of segment bitmaps. A segmentation new in this run gives
//! one row per member with `old_segment` null (they entered it); one that is gone, or a person
//! no longer in the people table, gives `new_segment` null.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use rayon::prelude::*;

use super::published::{PublishedRun, StoredSet};
use super::table_file::write_rows;
use crate::engine::portable::PortableBitmap;
use crate::engine::{PeopleTable, PersonSet, SegmentCode};
use crate::error::{Error, Result, RunDamage};
use crate::model::Model;

/// One segmentation's segments, by id, as bitmaps (read without building Roaring containers:
/// only their ids are walked, once).
pub type SegmentSets = Vec<(String, PortableBitmap)>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeRow {
    pub segmentation: String,
    pub person_id: u32,
    pub old_segment: Option<String>,
    pub new_segment: Option<String>,
}

/// The rows of `run`'s changes.parquet (none when it has none).
pub fn read_changes(run: &PublishedRun) -> Result<Vec<ChangeRow>> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::UInt32Type;
    let mut rows = Vec::new();
    let path = run.path();
    let damaged = || Error::DamagedRun { path: path.clone(), problem: RunDamage::Missing };
    for batch in run.changes()?.unwrap_or_default() {
        let text = |name: &str| batch.column_by_name(name).and_then(|c| c.as_string_opt::<i32>().cloned());
        let (Some(segmentation), Some(old), Some(new)) =
            (text("segmentation"), text("old_segment"), text("new_segment"))
        else {
            return Err(damaged());
        };
        let Some(ids) = batch.column_by_name("person_id").and_then(|c| c.as_primitive_opt::<UInt32Type>().cloned())
        else {
            return Err(damaged());
        };
        for i in 0..batch.num_rows() {
            let value = |column: &StringArray| column.is_valid(i).then(|| column.value(i).to_owned());
            rows.push(ChangeRow {
                segmentation: segmentation.value(i).to_owned(),
                person_id: ids.value(i),
                old_segment: value(&old),
                new_segment: value(&new),
            });
        }
    }
    Ok(rows)
}

/// One segmentation's segments, by id, as the previous run's files hold them, not yet checked.
pub type StoredSets = Vec<(String, StoredSet)>;

/// The previous run's segments per segmentation id, read from its origin bitmaps. They are
/// checked only where they are used ([`diff_runs`]): a segmentation whose files hold this run's
/// very bytes needs no check.
pub fn previous_segments(run: &PublishedRun) -> Result<BTreeMap<String, StoredSets>> {
    let segmentations = &run.manifest().segmentations;
    if let Some(s) = segmentations.iter().find(|s| s.segments.len() >= usize::from(NOT_OLD)) {
        let problem = RunDamage::TooManySegments { segmentation: s.id.clone(), segments: s.segments.len() };
        return Err(Error::DamagedRun { path: run.manifest_path(), problem });
    }
    // Read in parallel (each file is a read that waits on the disk); the first problem in
    // manifest order is the one reported, whatever the timing.
    let files: Vec<(usize, &str)> = segmentations
        .iter()
        .enumerate()
        .flat_map(|(k, s)| s.segments.iter().map(move |g| (k, g.id.as_str())))
        .collect();
    let read: Vec<Result<StoredSet>> = files
        .par_iter()
        .map(|&(k, segment)| run.stored_segment(&segmentations[k].origin, &segmentations[k].id, segment))
        .collect();
    let mut out: BTreeMap<String, StoredSets> = BTreeMap::new();
    for ((k, segment), set) in files.into_iter().zip(read) {
        out.entry(segmentations[k].id.clone()).or_default().push((segment.to_owned(), set?));
    }
    // A segmentation without segments still has its (empty) entry.
    for s in segmentations {
        out.entry(s.id.clone()).or_default();
    }
    Ok(out)
}

/// An old member's segment index, per position of this run's table; `NOT_OLD` for people who
/// were in no segment of the segmentation.
const NOT_OLD: u8 = u8::MAX;

/// No segment of the segmentation, when old and new segments are compared as numbers.
const NO_SEGMENT: u16 = u16::MAX;

/// The change rows of one segmentation, sorted by person id. `old` is the previous run's
/// segments; this run's people are `ids` (ascending) with their `codes`, a code naming
/// `names[code]` (a code from `names.len()` on: not in the segmentation's scope).
pub fn diff_segmentation(
    id: &str,
    old: &SegmentSets,
    names: &[&str],
    ids: &[u32],
    codes: &[SegmentCode],
) -> Vec<ChangeRow> {
    let row = |person_id, old_segment: Option<&str>, new_segment: Option<&str>| ChangeRow {
        segmentation: id.to_owned(),
        person_id,
        old_segment: old_segment.map(str::to_owned),
        new_segment: new_segment.map(str::to_owned),
    };
    let mut old_at = vec![NOT_OLD; ids.len()];
    // Old members who are no longer people at all.
    let mut gone = Vec::new();
    // Ids that run without gaps (dense ids, usually) give positions by subtraction.
    let contiguous = match (ids.first(), ids.last()) {
        (Some(&first), Some(&last)) => (last - first) as usize + 1 == ids.len(),
        _ => false,
    };
    for (g, (name, set)) in old.iter().enumerate() {
        let mut at = 0;
        set.for_each(|person| {
            // Contiguous ids need no look at `ids` (which would stream the whole column through
            // the cache once per segment).
            let found = if contiguous {
                at = person.wrapping_sub(ids[0]) as usize;
                at < ids.len()
            } else {
                at = seek(ids, at, person);
                ids.get(at) == Some(&person)
            };
            if found {
                old_at[at] = g as u8;
            } else {
                gone.push(row(person, Some(name), None));
            }
        });
    }
    gone.sort_unstable_by_key(|r| r.person_id);
    // Old and new segments compared as numbers: new codes as they are, an old segment as the
    // new code of the same name (or a number of its own), nothing as `NO_SEGMENT`.
    let old_keys: Vec<u16> = old
        .iter()
        .enumerate()
        .map(|(g, (name, _))| names.iter().position(|n| n == name).map_or(256 + g as u16, |c| c as u16))
        .collect();
    let mut rows = Vec::with_capacity(gone.len());
    let mut gone = gone.into_iter().peekable();
    for (i, (&code, &g)) in codes.iter().zip(&old_at).enumerate() {
        let new_key = if usize::from(code) < names.len() { u16::from(code) } else { NO_SEGMENT };
        let old_key = old_keys.get(usize::from(g)).copied().unwrap_or(NO_SEGMENT);
        if old_key != new_key {
            let person = ids[i];
            while let Some(before) = gone.next_if(|r| r.person_id < person) {
                rows.push(before);
            }
            let old_name = old.get(usize::from(g)).map(|(name, _)| name.as_str());
            rows.push(row(person, old_name, names.get(usize::from(code)).copied()));
        }
    }
    rows.extend(gone);
    rows
}

/// The first index from `from` on whose id is at least `id` (`ids` ascending): a gallop, since
/// the next old member is usually a few places on.
fn seek(ids: &[u32], from: usize, id: u32) -> usize {
    let mut step = 1;
    let mut low = from;
    while low + step < ids.len() && ids[low + step] < id {
        low += step;
        step *= 2;
    }
    let high = (low + step + 1).min(ids.len());
    low + ids[low..high].partition_point(|&x| x < id)
}

/// Every change row: segmentations of this run in model order, then those that are gone (by id).
/// Every change row of this run (`table`, with `segments`: its sets per segmentation, as
/// `Members::segments`) against the `previous` run's sets; a previous file that is used and
/// damaged is an error naming it (the first in model order).
pub fn diff_runs(
    mut previous: BTreeMap<String, StoredSets>,
    model: &Model,
    table: &PeopleTable,
    segments: &[Vec<PersonSet>],
) -> Result<Vec<ChangeRow>> {
    let olds: Vec<StoredSets> =
        model.segmentations.iter().map(|s| previous.remove(&s.id).unwrap_or_default()).collect();
    let current: Vec<Result<Vec<ChangeRow>>> = model
        .segmentations
        .par_iter()
        .zip(&table.codes)
        .zip(segments)
        .zip(olds)
        .map(|(((s, codes), new), old)| {
            let names = s.segment_ids();
            if unchanged(&old, &names, new) {
                return Ok(Vec::new());
            }
            Ok(diff_segmentation(&s.id, &checked(old)?, &names, &table.ids, codes))
        })
        .collect();
    let mut rows = Vec::new();
    for part in current {
        rows.extend(part?);
    }
    // Segmentations that are gone: what is left of `previous`.
    for (id, old) in previous {
        rows.extend(diff_segmentation(&id, &checked(old)?, &[], &[], &[]));
    }
    Ok(rows)
}

fn checked(sets: StoredSets) -> Result<SegmentSets> {
    sets.into_iter().map(|(name, stored)| Ok((name, stored.check()?))).collect()
}

/// Does every segment of a segmentation hold exactly whom it held (the same names in the same
/// order, the same portable bytes)? Then no person entered, left or moved, and the people need
/// not be walked, nor the old files checked (they are this run's good bytes): the usual case of
/// a scheduled run, where the walk and the checks were a third of its time. Bytes that differ
/// prove nothing (the walk decides).
fn unchanged(old: &StoredSets, names: &[&str], new: &[PersonSet]) -> bool {
    old.len() == names.len()
        && new.len() == names.len()
        && old.iter().zip(names).zip(new).all(|(((old_name, old_set), name), new_set)| {
            old_name == name && old_set.bytes == new_set.portable_bytes().as_ref()
        })
}

pub fn write_changes(path: &Path, rows: &[ChangeRow]) -> Result<()> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("segmentation", DataType::Utf8, false),
        Field::new("person_id", DataType::UInt32, false),
        Field::new("old_segment", DataType::Utf8, true),
        Field::new("new_segment", DataType::Utf8, true),
    ]));
    write_rows(path, &schema, rows, |chunk| {
        vec![
            Arc::new(chunk.iter().map(|r| Some(r.segmentation.as_str())).collect::<StringArray>()),
            Arc::new(chunk.iter().map(|r| r.person_id).collect::<UInt32Array>()),
            Arc::new(chunk.iter().map(|r| r.old_segment.as_deref()).collect::<StringArray>()),
            Arc::new(chunk.iter().map(|r| r.new_segment.as_deref()).collect::<StringArray>()),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::OUT_OF_SCOPE;
    use crate::error::Error;
    use crate::output::layout::Layout;
    use crate::output::published::OutputFolder;
    use crate::output::published::test_run::{manifest_json, publish};

    fn sets(spec: &[(&str, &[u32])]) -> SegmentSets {
        let bitmap = |ids: &[u32]| {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            PortableBitmap::from_sorted(&ids)
        };
        spec.iter().map(|(id, ids)| ((*id).to_owned(), bitmap(ids))).collect()
    }

    fn lines(rows: &[ChangeRow]) -> Vec<String> {
        rows.iter().map(|r| format!("{} {:?} {:?}", r.person_id, r.old_segment, r.new_segment)).collect()
    }

    /// Sets as a run holds them (optimized Roaring bitmaps) against the same sets read back
    /// from their files: unchanged, so the people are not walked; any difference is not.
    #[test]
    fn unchanged_segmentations_are_found_by_their_bytes() {
        let members = |spec: &[(&str, &[u32])]| -> Vec<PersonSet> {
            spec.iter()
                .map(|(_, ids)| {
                    let mut set: roaring::RoaringBitmap = ids.iter().copied().collect();
                    set.optimize();
                    PersonSet::Bitmap(set)
                })
                .collect()
        };
        let dense: Vec<u32> = (0..100_000).filter(|i| i % 3 != 0).collect();
        let spec: [(&str, &[u32]); 3] = [("a", &[1, 5, 9]), ("b", &dense), ("default", &[2, 4_000_000_000])];
        let stored = |sets: SegmentSets| -> StoredSets {
            let at = std::path::PathBuf::from("old.roaring");
            sets.into_iter()
                .map(|(name, set)| (name, StoredSet { bytes: set.bytes().to_vec(), at: at.clone() }))
                .collect()
        };
        // What the previous run's files hold: the sets' own bytes.
        let written: StoredSets = members(&spec)
            .iter()
            .zip(&spec)
            .map(|(set, (name, _))| {
                let at = std::path::PathBuf::from(format!("{name}.roaring"));
                ((*name).to_owned(), StoredSet { bytes: set.portable_bytes().into_owned(), at })
            })
            .collect();
        let names = ["a", "b", "default"];
        assert!(unchanged(&written, &names, &members(&spec)));
        assert!(unchanged(&stored(sets(&spec)), &names, &members(&spec)), "sets encoded from sorted ids");
        let moved: [(&str, &[u32]); 3] = [("a", &[1, 5]), ("b", &dense), ("default", &[2, 9, 4_000_000_000])];
        assert!(!unchanged(&written, &names, &members(&moved)));
        assert!(!unchanged(&written, &["a", "c", "default"], &members(&spec)), "a renamed segment");
        assert!(!unchanged(&written, &names[..2], &members(&spec[..2])), "a segment fewer");
        // Damaged bytes are never taken as unchanged, and are an error naming the file once used.
        let mut damaged = written;
        damaged[1].1.bytes.truncate(10);
        assert!(!unchanged(&damaged, &names, &members(&spec)));
        let error = checked(damaged).unwrap_err().to_string();
        assert!(error.contains("b.roaring"), "{error}");
    }

    #[test]
    fn moves_entries_exits_and_people_who_are_gone() {
        // 7 and 9 are no longer people; 3 left the scope; 0 and 8 were never in it.
        let old = sets(&[("a", &[1, 2, 3, 7]), ("default", &[4, 5, 9])]);
        let ids = [0, 1, 2, 3, 4, 5, 6, 8, 100_000];
        let codes = [OUT_OF_SCOPE, 0, 1, OUT_OF_SCOPE, 0, 2, 2, OUT_OF_SCOPE, 1];
        let rows = diff_segmentation("s", &old, &["a", "b", "default"], &ids, &codes);
        assert_eq!(
            lines(&rows),
            vec![
                "2 Some(\"a\") Some(\"b\")",
                "3 Some(\"a\") None",
                "4 Some(\"default\") Some(\"a\")",
                "6 None Some(\"default\")",
                "7 Some(\"a\") None",
                "9 Some(\"default\") None",
                "100000 None Some(\"b\")",
            ]
        );
        assert!(rows.iter().all(|r| r.segmentation == "s"));
    }

    #[test]
    fn contiguous_ids_take_positions_by_subtraction() {
        let old = sets(&[("a", &[9, 10, 12]), ("b", &[11, 30])]);
        let ids: Vec<u32> = (10..20).collect();
        let mut codes = vec![OUT_OF_SCOPE; 10];
        codes[0] = 0; // 10 stays in a
        codes[1] = 0; // 11 moves from b to a
        codes[5] = 1; // 15 enters b
        let rows = diff_segmentation("s", &old, &["a", "b"], &ids, &codes);
        assert_eq!(
            lines(&rows),
            vec![
                "9 Some(\"a\") None",
                "11 Some(\"b\") Some(\"a\")",
                "12 Some(\"a\") None",
                "15 None Some(\"b\")",
                "30 Some(\"b\") None",
            ]
        );
    }

    #[test]
    fn a_segmentation_that_is_gone_leaves_everyone() {
        let old = sets(&[("x", &[7, 3])]);
        assert_eq!(
            lines(&diff_segmentation("gone", &old, &[], &[], &[])),
            vec!["3 Some(\"x\") None", "7 Some(\"x\") None"]
        );
    }

    #[test]
    fn seek_finds_the_first_id_not_below() {
        let ids: Vec<u32> = (0..1000).map(|i| i * 3).collect();
        for from in [0, 1, 10, 500, 999] {
            for id in [0, 1, 3, 4, 1500, 2997, 2998, 5000] {
                let expected = from + ids[from..].partition_point(|&x| x < id);
                assert_eq!(seek(&ids, from, id), expected, "from {from}, id {id}");
            }
        }
        assert_eq!(seek(&[], 0, 5), 0);
    }

    /// A manifest naming more segments than changes can number is a damaged run, not an I/O
    /// error: `run` turns it into its warning.
    #[cfg(unix)]
    #[test]
    fn too_many_segments_for_changes_is_a_damaged_manifest() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1]);
        let mut manifest: serde_json::Value = serde_json::from_str(&manifest_json("1")).unwrap();
        let segments: Vec<_> = (0..300).map(|g| serde_json::json!({"id": format!("g{g}"), "people": 0})).collect();
        manifest["segmentations"][0]["segments"] = segments.into();
        let path = Layout::run("1").manifest().on(temp.path());
        std::fs::write(&path, manifest.to_string()).unwrap();
        let run = OutputFolder::local(temp.path()).current().unwrap().unwrap();
        match previous_segments(&run) {
            Err(e @ Error::DamagedRun { .. }) => assert_eq!(
                e.to_string(),
                format!(
                    "`{}` says segmentation `s` has 300 segments, more than a run can hold; the run was changed after it was published: the next `segcalc run` publishes a new one, and `show --run ID` reads an earlier one",
                    path.display()
                )
            ),
            other => panic!("{:?}", other.map(|sets| sets.len())),
        }
    }
}
