//! `Members`: the members of each segment of a run (the `default` segment last) as Roaring sets,
//! built from the id-sorted table in one pass per segmentation; how many people each workspace
//! sees; and what each workspace sees of each segment.

use std::borrow::Cow;

use rayon::prelude::*;
use roaring::RoaringBitmap;

use super::classify::SegmentCode;
use super::partition::{PartitionCode, PartitionCodes};
use super::person_set::PersonSet;
use super::portable::PortableBitmap;
use super::table::{PeopleTable, is_dense_span};
use crate::model::Model;
use crate::tuning::SET_PIECE_IDS;

#[derive(Debug)]
pub struct Members {
    /// `workspace_people[w]`: how many people workspace `w` sees.
    pub workspace_people: Vec<u64>,
    /// `segments[s][g]`: members of segment `g` (then `default`) of approved segmentation `s`.
    pub segments: Vec<Vec<PersonSet>>,
    /// `overlap[s][w]`: how much of segmentation `s`'s scope workspace `w` sees.
    overlap: Vec<Vec<Overlap>>,
    /// How partial overlaps are computed (see [`Members::visible_segments`]).
    partial: Partial,
}

/// What a partial overlap is computed from.
#[derive(Debug)]
enum Partial {
    /// Dense ids: `workspaces[w]` holds every person whose partition workspace `w` sees.
    Intersect { workspaces: Vec<RoaringBitmap> },
    /// Sparse ids: `rows[w]` holds the table rows workspace `w` sees, for each workspace with a
    /// partial overlap (else empty). Of those rows, a segmentation's segment codes select the
    /// visible members: people outside its scope have no segment.
    Select { rows: Vec<Vec<u32>> },
}

/// How much of a segmentation's scope (the people of its origin's partitions) a workspace sees,
/// known from partitions alone: only a partial overlap needs a bitmap intersection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overlap {
    All,
    Part,
    Nothing,
}

impl Members {
    /// `per_code`: the table's people per partition code ([`PartitionCodes::people_per_code`]),
    /// which the caller has already counted.
    #[must_use]
    pub fn build(model: &Model, codes: &PartitionCodes, table: &PeopleTable, per_code: &[u64]) -> Self {
        let sparse = !is_dense(&table.ids);
        let workspace_people: Vec<u64> = (0..model.workspaces.len())
            .map(|w| per_code.iter().zip(&codes.sees[w]).filter(|(_, sees)| **sees).map(|(n, _)| n).sum())
            .collect();
        let overlap = overlaps(model, codes);
        // The workspaces' sets and the segments' are independent: built side by side, the
        // partitions' single pass over the table does not hold up the segmentations.
        let (partial, segments) = rayon::join(
            || partial_sets(model, codes, table, &overlap, &workspace_people, sparse),
            || segment_sets(model, table, sparse),
        );
        Self { workspace_people, segments, overlap, partial }
    }

    /// What workspace `w` sees of each segment (then `default`) of segmentation `s` (SPEC
    /// §3.3): the segments themselves when `w` sees the whole scope, nothing when it sees none
    /// of it. A partial overlap is an intersection with the workspace's people; with sparse ids,
    /// whose bitmaps hold a container per few people, a gather over the workspace's rows is
    /// several times cheaper than intersecting every container.
    #[must_use]
    pub fn visible_segments(&self, s: usize, w: usize, table: &PeopleTable) -> Vec<Cow<'_, PersonSet>> {
        let segments = &self.segments[s];
        match self.overlap[s][w] {
            Overlap::All => segments.iter().map(Cow::Borrowed).collect(),
            Overlap::Nothing => segments.iter().map(|_| Cow::Owned(PersonSet::default())).collect(),
            Overlap::Part => match &self.partial {
                Partial::Intersect { workspaces } => segments
                    .iter()
                    .map(|segment| {
                        let mut visible = segment.to_bitmap().as_ref() & &workspaces[w];
                        visible.optimize();
                        Cow::Owned(PersonSet::Bitmap(visible))
                    })
                    .collect(),
                Partial::Select { rows } => {
                    let column = &table.codes[s];
                    let pairs = rows[w].iter().map(|&row| (table.ids[row as usize], usize::from(column[row as usize])));
                    // A visible set is part of the segment, so the segment's size bounds it.
                    let sizes: Vec<usize> = segments.iter().map(|set| set.len() as usize).collect();
                    let sets = gather_sets(pairs, &sizes);
                    sets.into_iter().map(Cow::Owned).collect()
                }
            },
        }
    }
}

/// What partial overlaps are computed from (see [`Members::visible_segments`]).
fn partial_sets(
    model: &Model,
    codes: &PartitionCodes,
    table: &PeopleTable,
    overlap: &[Vec<Overlap>],
    workspace_people: &[u64],
    sparse: bool,
) -> Partial {
    let partition_codes = usize::from(codes.null) + 1;
    if sparse {
        let rows = (0..model.workspaces.len())
            .into_par_iter()
            .map(|w| {
                if !overlap.iter().any(|by_w| by_w[w] == Overlap::Part) {
                    return Vec::new();
                }
                rows_seen(&table.partitions, &codes.sees[w], workspace_people[w] as usize)
            })
            .collect();
        Partial::Select { rows }
    } else {
        // Each partition's people once, then a workspace is the union of the partitions it sees.
        let partitions = sets_by_code(&table.ids, &table.partitions, partition_codes);
        let workspaces = (0..model.workspaces.len())
            .into_par_iter()
            .map(|w| {
                let seen = partitions.iter().zip(&codes.sees[w]).filter(|(_, sees)| **sees).map(|(set, _)| set);
                seen.fold(RoaringBitmap::new(), |union, set| union | set)
            })
            .collect();
        Partial::Intersect { workspaces }
    }
}

/// `sets[s][g]`: the members of segment `g` (then `default`) of each approved segmentation `s`.
fn segment_sets(model: &Model, table: &PeopleTable, sparse: bool) -> Vec<Vec<PersonSet>> {
    model
        .segmentations
        .par_iter()
        .zip(&table.codes)
        .map(|(s, column)| {
            let count = s.segments.len() + 1;
            if sparse {
                let sizes = &code_counts(column)[..count.min(256)];
                let pairs = table.ids.iter().zip(column).map(|(&id, &code)| (id, usize::from(code)));
                return gather_sets(pairs, sizes);
            }
            let sets = sets_by_code(&table.ids, column, count);
            // Run containers where they are smaller, once, before any copy is written.
            sets.into_iter()
                .map(|mut set| {
                    set.optimize();
                    PersonSet::Bitmap(set)
                })
                .collect()
        })
        .collect()
}

/// `overlap[s][w]`: how much of segmentation `s`'s scope workspace `w` sees.
fn overlaps(model: &Model, codes: &PartitionCodes) -> Vec<Vec<Overlap>> {
    model
        .segmentations
        .iter()
        .map(|s| {
            let scope = &codes.sees[s.origin];
            codes
                .sees
                .iter()
                .map(|sees| {
                    let in_scope = scope.iter().zip(sees).filter(|(in_scope, _)| **in_scope);
                    let (seen, total) =
                        in_scope.fold((0, 0), |(seen, total), (_, sees)| (seen + usize::from(*sees), total + 1));
                    match seen {
                        0 => Overlap::Nothing,
                        n if n == total => Overlap::All,
                        _ => Overlap::Part,
                    }
                })
                .collect()
        })
        .collect()
}

/// Are sorted unique `ids` dense: a span (from their first 64K block) at most twice their
/// count? Dense sets are built through bitsets, sparse ones through id lists.
fn is_dense(ids: &[u32]) -> bool {
    match (ids.first(), ids.last()) {
        (Some(&first), Some(&last)) => is_dense_span(u64::from(last - (first & !0xFFFF)) + 1, ids.len() as u64),
        _ => true,
    }
}

/// `sets[c]`: the ids whose code is `c`, for codes `0..count`; codes beyond (such as
/// [`OUT_OF_SCOPE`](super::OUT_OF_SCOPE)) are in no set. `ids` is sorted, unique and dense:
/// one bitset per code, filled in one pass, is far cheaper than growing Roaring containers id
/// by id. The bitsets cover [`SET_PIECE_IDS`] ids at a time and are reused piece after piece,
/// so they stay in cache and no fresh memory is faulted in per set (at 100M people, bitsets
/// over the whole span were gigabytes of fresh pages, 12% of the run in the kernel zeroing them).
fn sets_by_code<C: Copy + Into<usize>>(ids: &[u32], codes: &[C], count: usize) -> Vec<RoaringBitmap> {
    let mut sets = vec![RoaringBitmap::new(); count];
    let stride = SET_PIECE_IDS / 8;
    let mut bits = vec![0u8; stride * count];
    let mut start = 0;
    while let Some(&first) = ids.get(start) {
        // Pieces are aligned, so a piece's bitset never passes 2^32.
        let base = u64::from(first) & !(SET_PIECE_IDS as u64 - 1);
        let end = start + ids[start..].partition_point(|&id| u64::from(id) < base + SET_PIECE_IDS as u64);
        for (&id, &code) in ids[start..end].iter().zip(&codes[start..end]) {
            if code.into() < count {
                let offset = (u64::from(id) - base) as usize;
                bits[code.into() * stride + offset / 8] |= 1 << (offset % 8);
            }
        }
        let used = (u64::from(ids[end - 1]) - base) as usize / 8 + 1;
        for (set, piece) in sets.iter_mut().zip(bits.chunks_mut(stride)) {
            *set |= RoaringBitmap::from_lsb0_bytes(base as u32, &piece[..used]);
            piece[..used].fill(0);
        }
        start = end;
    }
    sets
}

/// The rows whose partition `sees` marks, `count` of them, selected without a branch per row
/// (whether a person is seen is as random as their partition).
fn rows_seen(partitions: &[PartitionCode], sees: &[bool], count: usize) -> Vec<u32> {
    // One more slot takes the write of every row after the last one seen.
    let mut rows = vec![0u32; count + 1];
    let mut next = 0;
    for (row, &p) in partitions.iter().enumerate() {
        rows[next] = row as u32;
        next += usize::from(sees[usize::from(p)]);
    }
    rows.truncate(next);
    rows
}

/// How many rows have each code. Four interleaved counters, so equal neighbouring codes do
/// not wait on each other's increments.
fn code_counts(column: &[SegmentCode]) -> [usize; 256] {
    let mut counts = [[0usize; 256]; 4];
    let mut quads = column.chunks_exact(4);
    for quad in &mut quads {
        for (lane, &code) in quad.iter().enumerate() {
            counts[lane][usize::from(code)] += 1;
        }
    }
    for &code in quads.remainder() {
        counts[0][usize::from(code)] += 1;
    }
    std::array::from_fn(|code| counts.iter().map(|lane| lane[code]).sum())
}

/// `sets[c]` for codes `0..sizes.len()` from (id, code) pairs in ascending id order; a code
/// from `sizes.len()` on is in no set, and `sizes[c]` is at least set `c`'s size. The ids are
/// gathered into one buffer without a branch per pair (whether a person is kept is as random
/// as their attributes, so a branch would mispredict), and each set's slice is encoded
/// straight to the portable format.
fn gather_sets(pairs: impl Iterator<Item = (u32, usize)>, sizes: &[usize]) -> Vec<PersonSet> {
    let count = sizes.len();
    let starts: Vec<usize> = sizes
        .iter()
        .scan(0, |at, &size| {
            let start = *at;
            *at += size;
            Some(start)
        })
        .collect();
    let total: usize = sizes.iter().sum();
    // One more slot, after the sets, takes every pair in no set.
    let mut buffer = vec![0u32; total + 1];
    let mut ends = starts.clone();
    ends.push(total);
    for (id, code) in pairs {
        let target = code.min(count);
        buffer[ends[target]] = id;
        ends[target] += usize::from(target < count);
    }
    starts
        .iter()
        .zip(&ends)
        .map(|(&start, &end)| PersonSet::Portable(PortableBitmap::from_sorted(&buffer[start..end])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::OUT_OF_SCOPE;

    fn by_hand(ids: &[u32], codes: &[u8], count: usize) -> Vec<Vec<u32>> {
        (0..count)
            .map(|c| ids.iter().zip(codes).filter(|(_, k)| usize::from(**k) == c).map(|(i, _)| *i).collect())
            .collect()
    }

    #[test]
    fn dense_and_sparse_ids_give_the_same_sets() {
        let cases: Vec<Vec<u32>> = vec![
            (0..1000).collect(),
            (3..100_003).collect(),
            (70_000..200_000).collect(),
            (70_000..200_000).step_by(3).collect(),
            (u32::MAX - 5000..=u32::MAX).collect(),
            vec![0, 1, 2, 4_000_000_000, u32::MAX],
            vec![7],
            // Several pieces of the bitsets, one partly used, and pieces with no ids between.
            (1_000_000..3_500_000).step_by(2).collect(),
            (0..10).chain(3 * SET_PIECE_IDS as u32 - 5..3 * SET_PIECE_IDS as u32 + 5).collect(),
        ];
        for ids in cases {
            let codes: Vec<u8> = ids.iter().map(|&i| if i % 7 == 0 { OUT_OF_SCOPE } else { (i % 3) as u8 }).collect();
            let expected = by_hand(&ids, &codes, 4);
            let pairs = ids.iter().zip(&codes).map(|(&id, &code)| (id, usize::from(code)));
            let sizes: Vec<usize> = expected.iter().map(Vec::len).collect();
            let from_lists = gather_sets(pairs, &sizes);
            for (set, want) in from_lists.iter().zip(&expected) {
                assert_eq!(set.to_bitmap().iter().collect::<Vec<_>>(), *want);
            }
            // Built piece by piece, any sorted ids give the sets (only dense ones are built so).
            for (set, want) in sets_by_code(&ids, &codes, 4).iter().zip(&expected) {
                assert_eq!(set.iter().collect::<Vec<_>>(), *want);
            }
        }
        assert!(sets_by_code(&[], &[] as &[u8], 2).iter().all(RoaringBitmap::is_empty));
        assert!(gather_sets(std::iter::empty(), &[0, 0]).iter().all(PersonSet::is_empty));
    }

    #[test]
    fn code_counts_count_every_row() {
        let column: Vec<u8> =
            (0..1003u32).map(|i| if i % 5 == 0 { OUT_OF_SCOPE } else { (i * i % 13) as u8 }).collect();
        let mut expected = [0usize; 256];
        for &c in &column {
            expected[usize::from(c)] += 1;
        }
        assert_eq!(code_counts(&column), expected);
    }

    #[test]
    fn rows_seen_selects_the_seen_partitions() {
        let partitions: Vec<PartitionCode> = (0..1000u16).map(|i| i * 7 % 5).collect();
        let sees = [true, false, false, true, false];
        let count = partitions.iter().filter(|&&p| sees[usize::from(p)]).count();
        let expected: Vec<u32> = (0..1000).filter(|&i| sees[usize::from(partitions[i as usize])]).collect();
        assert_eq!(rows_seen(&partitions, &sees, count), expected);
        assert!(rows_seen(&partitions, &[false; 5], 0).is_empty());
    }
}
