//! `Members`: the Roaring bitmaps of a run — the people each workspace sees, and the members of
//! each segment (the `default` segment last) — built from the id-sorted table in one pass each.

use std::borrow::Cow;

use rayon::prelude::*;
use roaring::RoaringBitmap;

use super::partition::PartitionCodes;
use super::table::PeopleTable;
use crate::model::Model;

#[derive(Debug)]
pub struct Members {
    /// `workspaces[w]`: every person whose partition workspace `w` sees.
    pub workspaces: Vec<RoaringBitmap>,
    /// `segments[s][g]`: members of segment `g` (then `default`) of approved segmentation `s`.
    pub segments: Vec<Vec<RoaringBitmap>>,
    /// `overlap[s][w]`: how much of segmentation `s`'s scope workspace `w` sees.
    overlap: Vec<Vec<Overlap>>,
    /// Ids spread thin over their range (see [`sets_by_code`]).
    sparse: bool,
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
    #[must_use]
    pub fn build(model: &Model, codes: &PartitionCodes, table: &PeopleTable) -> Self {
        // Each partition's people once, then a workspace is the union of the partitions it sees.
        let partitions = sets_by_code(&table.ids, &table.partitions, usize::from(codes.null) + 1);
        let workspaces = (0..model.workspaces.len())
            .into_par_iter()
            .map(|w| {
                let seen = partitions.iter().zip(&codes.sees[w]).filter(|(_, sees)| **sees).map(|(set, _)| set);
                seen.fold(RoaringBitmap::new(), |union, set| union | set)
            })
            .collect();
        let segments = model
            .segmentations
            .par_iter()
            .zip(&table.codes)
            .map(|(s, column)| {
                let mut sets = sets_by_code(&table.ids, column, s.segments.len() + 1);
                // Run containers where they are smaller, once, before any copy is written.
                for set in &mut sets {
                    set.optimize();
                }
                sets
            })
            .collect();
        let overlap = model
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
            .collect();
        Self { workspaces, segments, overlap, sparse: !is_dense(&table.ids) }
    }

    /// What workspace `w` sees of each segment (then `default`) of segmentation `s` (SPEC
    /// §3.3): the segments themselves when `w` sees the whole scope, nothing when it sees none
    /// of it. A partial overlap is an intersection with the workspace's people; with sparse ids,
    /// whose bitmaps hold a container per few people, one pass over the table selecting by
    /// partition is several times cheaper than intersecting every container.
    #[must_use]
    pub fn visible_segments(
        &self,
        s: usize,
        w: usize,
        codes: &PartitionCodes,
        table: &PeopleTable,
    ) -> Vec<Cow<'_, RoaringBitmap>> {
        let segments = &self.segments[s];
        match self.overlap[s][w] {
            Overlap::All => segments.iter().map(Cow::Borrowed).collect(),
            Overlap::Nothing => segments.iter().map(|_| Cow::Owned(RoaringBitmap::new())).collect(),
            Overlap::Part if self.sparse => {
                let sees = &codes.sees[w];
                let rows = table.ids.iter().zip(&table.codes[s]).zip(&table.partitions);
                let pairs = rows.filter(|(_, partition)| sees[usize::from(**partition)]).map(|(pair, _)| pair);
                sets_from_lists(pairs, segments.len()).into_iter().map(Cow::Owned).collect()
            }
            Overlap::Part => segments
                .iter()
                .map(|segment| {
                    let mut visible = segment & &self.workspaces[w];
                    visible.optimize();
                    Cow::Owned(visible)
                })
                .collect(),
        }
    }
}

/// Are sorted unique `ids` dense: a span (from their first 64K block) at most twice their
/// count? Dense sets are built through bitsets, sparse ones through id lists.
fn is_dense(ids: &[u32]) -> bool {
    match (ids.first(), ids.last()) {
        (Some(&first), Some(&last)) => ((last - (first & !0xFFFF)) as usize) < ids.len().saturating_mul(2),
        _ => true,
    }
}

/// `sets[c]`: the ids whose code is `c`, for codes `0..count`; codes beyond (such as
/// [`OUT_OF_SCOPE`](super::OUT_OF_SCOPE)) are in no set. `ids` is sorted and unique.
fn sets_by_code<C: Copy + Into<usize>>(ids: &[u32], codes: &[C], count: usize) -> Vec<RoaringBitmap> {
    let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
        return vec![RoaringBitmap::new(); count];
    };
    // Dense ids: one bitset per code over the span, filled in one pass. Far cheaper than growing
    // Roaring containers id by id, and `count` bitsets of span/8 bytes cost no more than the id
    // lists of the sparse path.
    if is_dense(ids) {
        let base = first & !0xFFFF;
        let span = (last - base) as usize + 1;
        let stride = span.div_ceil(8);
        let mut bits = vec![0u8; stride * count];
        for (&id, &code) in ids.iter().zip(codes) {
            if code.into() < count {
                let offset = (id - base) as usize;
                bits[code.into() * stride + offset / 8] |= 1 << (offset % 8);
            }
        }
        return bits.chunks(stride).map(|set| RoaringBitmap::from_lsb0_bytes(base, set)).collect();
    }
    sets_from_lists(ids.iter().zip(codes), count)
}

/// `sets[c]` from (id, code) pairs in ascending id order, through one sorted id list per code;
/// codes from `count` on are in no set.
fn sets_from_lists<'a, C: Copy + Into<usize> + 'a>(
    pairs: impl Iterator<Item = (&'a u32, &'a C)>,
    count: usize,
) -> Vec<RoaringBitmap> {
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); count];
    for (&id, &code) in pairs {
        if let Some(list) = lists.get_mut(code.into()) {
            list.push(id);
        }
    }
    lists.into_iter().map(|ids| RoaringBitmap::from_sorted_iter(ids).unwrap_or_default()).collect()
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
        ];
        for ids in cases {
            let codes: Vec<u8> = ids.iter().map(|&i| if i % 7 == 0 { OUT_OF_SCOPE } else { (i % 3) as u8 }).collect();
            let sets = sets_by_code(&ids, &codes, 4);
            let expected = by_hand(&ids, &codes, 4);
            for (set, want) in sets.iter().zip(&expected) {
                assert_eq!(set.iter().collect::<Vec<_>>(), *want);
            }
        }
        assert!(sets_by_code(&[], &[] as &[u8], 2).iter().all(RoaringBitmap::is_empty));
    }
}
