//! `Members`: the Roaring bitmaps of a run — the people each workspace sees, and the members of
//! each segment (the `default` segment last) — built from the id-sorted table in one pass each.

use rayon::prelude::*;
use roaring::RoaringBitmap;

use super::classify::OUT_OF_SCOPE;
use super::partition::PartitionCodes;
use super::table::PeopleTable;
use crate::model::Model;

#[derive(Debug, Default)]
pub struct Members {
    /// `workspaces[w]`: every person whose partition workspace `w` sees.
    pub workspaces: Vec<RoaringBitmap>,
    /// `segments[s][g]`: members of segment `g` (then `default`) of approved segmentation `s`.
    pub segments: Vec<Vec<RoaringBitmap>>,
}

impl Members {
    #[must_use]
    pub fn build(model: &Model, codes: &PartitionCodes, table: &PeopleTable) -> Self {
        let workspaces = (0..model.workspaces.len())
            .into_par_iter()
            .map(|w| {
                let sees = &codes.sees[w];
                let ids =
                    table.ids.iter().zip(&table.partitions).filter(|(_, p)| sees[usize::from(**p)]).map(|(id, _)| *id);
                RoaringBitmap::from_sorted_iter(ids).unwrap_or_default()
            })
            .collect();
        let segments = model
            .segmentations
            .par_iter()
            .zip(&table.codes)
            .map(|(s, column)| {
                let mut lists: Vec<Vec<u32>> = vec![Vec::new(); s.segments.len() + 1];
                for (&id, &code) in table.ids.iter().zip(column) {
                    if code != OUT_OF_SCOPE {
                        lists[usize::from(code)].push(id);
                    }
                }
                lists.into_iter().map(|ids| RoaringBitmap::from_sorted_iter(ids).unwrap_or_default()).collect()
            })
            .collect();
        Self { workspaces, segments }
    }

    /// What workspace `w` sees of segment `g` of segmentation `s` (SPEC §3.3).
    #[must_use]
    pub fn visible(&self, s: usize, g: usize, w: usize) -> RoaringBitmap {
        &self.segments[s][g] & &self.workspaces[w]
    }
}
