//! `SlotTable`: the people table filled while the scan runs, for ids the files' statistics say
//! are dense. Each person's values go straight to the slot `id - min` as their batch is
//! classified, so no batch keeps its columns until the scan ends.
//!
//! Why: kept batches cost as much memory as the table itself (2 GB of segment codes at 100M
//! people, then a second copy while they are placed), and on this project's machines every fresh
//! page costs a fault the hypervisor must back. Filled in place, the table is the only copy.
//!
//! Statistics are a file's claim, not a fact. An id outside the stated range, an id problem, or
//! two rows with one id make [`SlotTable::finish`] give `None`: the caller then scans again the
//! usual way ([`super::build::assemble`]), which reports the problem with its rows. When this
//! path is taken at all is decided by [`super::build::build_table`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU16, Ordering};

use rayon::prelude::*;

use super::classify::ClassifiedBatch;
use super::partition::PartitionCode;
use super::table::{PeopleTable, add_counts};
use crate::tuning::PLACE_SCATTER_WINDOW;

/// A slot no person has: partition slots hold the person's partition code plus one.
const EMPTY: u16 = 0;

#[derive(Debug)]
pub struct SlotTable {
    min: u32,
    /// `partitions[slot]`: partition code + 1 of person `min + slot`, or [`EMPTY`].
    partitions: Vec<AtomicU16>,
    /// `codes[s][slot]`: segment code of person `min + slot` in approved segmentation `s`.
    codes: Vec<Vec<AtomicU8>>,
    /// Set when a batch cannot be placed: an id outside `min..min + span`, or id problems.
    spoiled: AtomicBool,
}

/// What the scan keeps of a placed batch.
#[derive(Debug, Default)]
pub struct PlacedBatch {
    pub rows: usize,
    pub unlisted_partitions: BTreeMap<String, u64>,
}

impl SlotTable {
    /// Partition codes a slot can hold beside [`EMPTY`].
    pub const MAX_PARTITION_CODES: usize = u16::MAX as usize - 1;

    /// Memory per slot: a partition code and a segment code per segmentation.
    #[must_use]
    pub fn bytes_per_slot(segmentations: usize) -> u64 {
        2 + segmentations as u64
    }

    /// A table of `span` slots for ids from `min`, all empty; `None` when the memory cannot be
    /// had (refused, not fatal: the caller takes the sorting path).
    #[must_use]
    pub fn new(min: u32, span: usize, segmentations: usize) -> Option<Self> {
        let (partitions, codes) = rayon::join(
            || filled(span, || AtomicU16::new(EMPTY)),
            || {
                (0..segmentations)
                    .into_par_iter()
                    .map(|_| filled(span, || AtomicU8::new(0)))
                    .collect::<Option<Vec<_>>>()
            },
        );
        Some(Self { min, partitions: partitions?, codes: codes?, spoiled: AtomicBool::new(false) })
    }

    /// Writes the people of `batch` into their slots, right after it is classified (its codes
    /// are still in cache, and no row group's batches wait for each other); what is left of it
    /// is its row count and unlisted partitions.
    pub fn place(&self, batch: ClassifiedBatch) -> PlacedBatch {
        let placed = PlacedBatch { rows: batch.ids.len(), unlisted_partitions: batch.unlisted_partitions };
        // An id below `min` wraps past every slot.
        let slots: Vec<usize> = batch.ids.iter().map(|&id| id.wrapping_sub(self.min) as usize).collect();
        let in_range = slots.iter().all(|&slot| slot < self.partitions.len());
        if !in_range || !batch.id_problems.is_empty() {
            self.spoiled.store(true, Ordering::Relaxed);
            return placed;
        }
        match sorted_if_scattered(&slots) {
            // Row order: the slots' window stays in cache (files in id order, or shuffled within
            // row groups), so each column is written where its rows go.
            None => {
                for (&slot, &p) in slots.iter().zip(&batch.partitions) {
                    self.partitions[slot].store(p + 1, Ordering::Relaxed);
                }
                for (column, codes) in self.codes.iter().zip(&batch.codes) {
                    for (&slot, &code) in slots.iter().zip(codes) {
                        column[slot].store(code, Ordering::Relaxed);
                    }
                }
            }
            Some((rows, slots)) => {
                for (&row, &slot) in rows.iter().zip(&slots) {
                    self.partitions[slot].store(batch.partitions[row as usize] + 1, Ordering::Relaxed);
                }
                for (column, codes) in self.codes.iter().zip(&batch.codes) {
                    for (&row, &slot) in rows.iter().zip(&slots) {
                        column[slot].store(codes[row as usize], Ordering::Relaxed);
                    }
                }
            }
        }
        placed
    }

    /// The table, in id order, once every batch is placed; `None` when it cannot be trusted
    /// (see the module docs): a batch spoiled it, or fewer slots are filled than `rows` were
    /// scanned (two rows had one id).
    #[must_use]
    pub fn finish(self, batches: Vec<PlacedBatch>) -> Option<PeopleTable> {
        if self.spoiled.into_inner() {
            return None;
        }
        let rows: usize = batches.iter().map(|b| b.rows).sum();
        let slots: Vec<u16> = self.partitions.into_iter().map(AtomicU16::into_inner).collect();
        let filled = slots.par_iter().filter(|&&p| p != EMPTY).count();
        if filled != rows {
            return None;
        }
        let mut unlisted_partitions = BTreeMap::new();
        for batch in batches {
            add_counts(&mut unlisted_partitions, &batch.unlisted_partitions);
        }
        let min = self.min;
        let table = if filled == slots.len() {
            PeopleTable {
                ids: (0..slots.len()).map(|slot| min + slot as u32).collect(),
                partitions: slots.into_iter().map(|p| p - 1).collect(),
                codes: self
                    .codes
                    .into_par_iter()
                    .map(|column| column.into_iter().map(AtomicU8::into_inner).collect())
                    .collect(),
                unlisted_partitions,
            }
        } else {
            // Ids with gaps: keep the filled slots, in order.
            let filled_slots = || slots.iter().enumerate().filter(|(_, p)| **p != EMPTY);
            let codes = self
                .codes
                .into_par_iter()
                .map(|column| {
                    column.into_iter().zip(&slots).filter(|(_, p)| **p != EMPTY).map(|(c, _)| c.into_inner()).collect()
                })
                .collect();
            PeopleTable {
                ids: filled_slots().map(|(slot, _)| min + slot as u32).collect(),
                partitions: filled_slots().map(|(_, &p)| (p - 1) as PartitionCode).collect(),
                codes,
                unlisted_partitions,
            }
        };
        Some(table)
    }
}

/// When `slots` spread over more of the table than stays in cache (ids shuffled across
/// files), the rows in slot order with their slots, so each column is written front to back;
/// `None` when row order is as good.
fn sorted_if_scattered(slots: &[usize]) -> Option<(Vec<u32>, Vec<usize>)> {
    let (Some(&low), Some(&high)) = (slots.iter().min(), slots.iter().max()) else {
        return None;
    };
    if high - low < PLACE_SCATTER_WINDOW {
        return None;
    }
    let mut pairs: Vec<u64> = slots.iter().enumerate().map(|(row, &slot)| ((slot as u64) << 32) | row as u64).collect();
    pairs.sort_unstable();
    Some(pairs.iter().map(|&pair| ((pair & 0xFFFF_FFFF) as u32, (pair >> 32) as usize)).unzip())
}

/// `len` values made by `value`, or `None` if the memory cannot be had.
fn filled<T>(len: usize, value: impl Fn() -> T) -> Option<Vec<T>> {
    let mut values = Vec::new();
    values.try_reserve_exact(len).ok()?;
    values.extend((0..len).map(|_| value()));
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::classify::SegmentCode;
    use crate::engine::ids::IdProblems;

    fn batch(ids: &[u32], segmentations: usize) -> ClassifiedBatch {
        ClassifiedBatch {
            ids: ids.to_vec(),
            partitions: ids.iter().map(|&id| (id % 3) as PartitionCode).collect(),
            codes: (0..segmentations)
                .map(|s| ids.iter().map(|&id| ((id + s as u32) % 5) as SegmentCode).collect())
                .collect(),
            ..ClassifiedBatch::default()
        }
    }

    fn filled(ids_per_batch: &[&[u32]], min: u32, max: u32) -> Option<PeopleTable> {
        let table = SlotTable::new(min, (max - min) as usize + 1, 2)?;
        let placed = ids_per_batch.iter().map(|ids| table.place(batch(ids, 2))).collect();
        table.finish(placed)
    }

    #[test]
    fn batches_land_in_id_order_with_and_without_gaps() {
        for batches in [&[&[5u32, 3, 4][..], &[7, 6]][..], &[&[10, 3], &[8, 5, 6]]] {
            let (min, max) = (3, batches.iter().flat_map(|b| b.iter()).copied().max().unwrap());
            let table = filled(batches, min, max).unwrap();
            let mut ids: Vec<u32> = batches.iter().flat_map(|b| b.iter()).copied().collect();
            ids.sort_unstable();
            assert_eq!(table.ids, ids);
            let expected = batch(&ids, 2);
            assert_eq!(table.partitions, expected.partitions);
            assert_eq!(table.codes, expected.codes);
        }
    }

    /// Ids spread wider than the scatter window go through the sort; the table is the same.
    #[test]
    fn scattered_batches_land_in_id_order() {
        let far = PLACE_SCATTER_WINDOW as u32 + 10;
        let batches: [&[u32]; 2] = [&[far, 0, 7, far - 1], &[3, far - 5, 1]];
        let table = filled(&batches, 0, far).unwrap();
        let mut ids: Vec<u32> = batches.iter().flat_map(|b| b.iter()).copied().collect();
        ids.sort_unstable();
        assert_eq!(table.ids, ids);
        let expected = batch(&ids, 2);
        assert_eq!((table.partitions, table.codes), (expected.partitions, expected.codes));
    }

    #[test]
    fn what_the_statistics_did_not_say_gives_none() {
        // An id outside the stated range.
        assert!(filled(&[&[3, 4], &[9]], 3, 5).is_none());
        // Two rows with one id.
        assert!(filled(&[&[3, 4], &[4, 5]], 3, 5).is_none());
        // Id problems in a batch.
        let table = SlotTable::new(0, 4, 1).unwrap();
        let mut bad = batch(&[0, 1, 2, 3], 1);
        bad.id_problems = IdProblems { nulls: 1, null_rows: vec![0], ..IdProblems::default() };
        let placed = vec![table.place(bad)];
        assert!(table.finish(placed).is_none());
    }
}
