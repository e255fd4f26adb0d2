//! `PeopleTable`: every person of the run in person-id order, with their partition code and
//! segment code per approved segmentation; and the sorting path's mechanisms (ranking, sorting,
//! placing columns, gathering rows), which [`super::build::assemble`] chooses between. Sorting
//! is where ids are checked across files: it exposes duplicates as neighbours.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::classify::{ClassifiedBatch, SegmentCode};
use super::ids::EXAMPLES;
use super::partition::PartitionCode;
use crate::error::{Error, PeopleIssue, Result, RowRef};
use crate::tuning::{DENSE_SPAN, GATHER_CHUNK, SCATTERED_WINDOW};

#[derive(Debug, Default)]
pub struct PeopleTable {
    /// Sorted, unique.
    pub ids: Vec<u32>,
    pub partitions: Vec<PartitionCode>,
    /// `codes[s][i]`: segment code of person `ids[i]` in approved segmentation `s`.
    pub codes: Vec<Vec<SegmentCode>>,
    /// People per partition value no workspace names.
    pub unlisted_partitions: BTreeMap<String, u64>,
}

impl PeopleTable {
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Adds `counts` (people per unlisted partition value) into `total`.
pub(super) fn add_counts(total: &mut BTreeMap<String, u64>, counts: &BTreeMap<String, u64>) {
    for (name, n) in counts {
        *total.entry(name.clone()).or_insert(0) += n;
    }
}

/// Are ids spanning `span` values, `count` of them, dense enough to place by position in the
/// span rather than by sorting (see [`DENSE_SPAN`])?
pub(super) fn is_dense_span(span: u64, count: u64) -> bool {
    span <= count.saturating_mul(DENSE_SPAN)
}

/// Null and out-of-range ids, over all batches, with a few examples.
pub(super) fn check_batch_ids(batches: &[ClassifiedBatch], files: &[PathBuf], id_column: &str) -> Result<()> {
    let mut nulls = 0;
    let mut null_examples = Vec::new();
    let mut out_of_range = 0;
    let mut range_examples = Vec::new();
    for b in batches {
        let at = |row: usize| RowRef { file: files[b.file].clone(), row: b.first_row + row as u64 };
        nulls += b.id_problems.nulls;
        out_of_range += b.id_problems.out_of_range;
        for &row in &b.id_problems.null_rows {
            if null_examples.len() < EXAMPLES {
                null_examples.push(at(row));
            }
        }
        for (row, value) in &b.id_problems.out_of_range_rows {
            if range_examples.len() < EXAMPLES {
                range_examples.push((at(*row), value.clone()));
            }
        }
    }
    let mut issues = Vec::new();
    if nulls > 0 {
        issues.push(PeopleIssue::NullIds { column: id_column.to_owned(), count: nulls, examples: null_examples });
    }
    if out_of_range > 0 {
        issues.push(PeopleIssue::IdsOutOfRange {
            column: id_column.to_owned(),
            count: out_of_range,
            examples: range_examples,
        });
    }
    if issues.is_empty() { Ok(()) } else { Err(Error::People { issues }) }
}

/// Where each person goes in the table. Scan rows are numbered over the batches in scan order.
pub(super) enum Placement {
    /// Dense ids: the sorted ids, and each scan row's position in them.
    ByPosition { ids: Vec<u32>, positions: Vec<u32> },
    /// Sorted ids: the sorted ids, and the scan row at each position.
    ByRow { ids: Vec<u32>, rows: Vec<u32> },
}

/// For sparse ids, or duplicates (reported with their rows): the rows sorted by id (stable, by
/// row for equal ids), so duplicates are neighbours.
pub(super) fn sorted_placement(batches: &[ClassifiedBatch], files: &[PathBuf], id_column: &str) -> Result<Placement> {
    // Id in the high half, scan row in the low: one sort orders by id, then row.
    let mut keys: Vec<u64> = Vec::with_capacity(batches.iter().map(|b| b.ids.len()).sum());
    for batch in batches {
        let first = keys.len() as u64;
        keys.extend(batch.ids.iter().enumerate().map(|(i, &id)| (u64::from(id) << 32) | (first + i as u64)));
    }
    keys.par_sort_unstable();
    let row_of = |row: u64| -> RowRef {
        let mut first = 0;
        for batch in batches {
            let len = batch.ids.len() as u64;
            if row < first + len {
                return RowRef { file: files[batch.file].clone(), row: batch.first_row + (row - first) };
            }
            first += len;
        }
        unreachable!("row {row} is beyond the scan")
    };
    let mut duplicates = 0u64;
    let mut examples = Vec::new();
    for pair in keys.windows(2) {
        if pair[0] >> 32 == pair[1] >> 32 {
            duplicates += 1;
            if examples.len() < EXAMPLES {
                examples.push(((pair[0] >> 32) as u32, row_of(pair[0] & 0xFFFF_FFFF), row_of(pair[1] & 0xFFFF_FFFF)));
            }
        }
    }
    if duplicates > 0 {
        return Err(Error::People {
            issues: vec![PeopleIssue::DuplicateIds { column: id_column.to_owned(), count: duplicates, examples }],
        });
    }
    let (ids, rows) = rayon::join(
        || keys.par_iter().map(|key| (key >> 32) as u32).collect(),
        || keys.par_iter().map(|key| (key & 0xFFFF_FFFF) as u32).collect(),
    );
    Ok(Placement::ByRow { ids, rows })
}

/// For dense ids ([`is_dense_span`]): each row's position in id order, without a sort. A
/// person's position is the number of ids below theirs, counted on a bitset of the span.
/// `None` for no ids, sparse ids, or a repeated id (which the sort reports with its rows).
pub(super) fn ranked_placement(batches: &[ClassifiedBatch], total: usize) -> Option<Placement> {
    let all_ids = || batches.iter().flat_map(|b| b.ids.iter().copied());
    let (min, max) = (all_ids().min()?, all_ids().max()?);
    let span = (max - min) as usize + 1;
    if !is_dense_span(span as u64, total as u64) {
        return None;
    }
    let mut present = vec![0u64; span.div_ceil(64)];
    for id in all_ids() {
        let slot = (id - min) as usize;
        let (word, bit) = (slot / 64, 1u64 << (slot % 64));
        if present[word] & bit != 0 {
            return None;
        }
        present[word] |= bit;
    }
    // `below[w]`: ids in the words before `w`.
    let below: Vec<u32> = present
        .iter()
        .scan(0u32, |count, word| {
            let before = *count;
            *count += word.count_ones();
            Some(before)
        })
        .collect();
    let position = |id: u32| -> u32 {
        let slot = (id - min) as usize;
        let (word, bit) = (slot / 64, slot % 64);
        below[word] + (present[word] & ((1u64 << bit) - 1)).count_ones()
    };
    let mut positions = vec![0u32; total];
    batch_slices(&mut positions, batches.iter().map(|b| b.ids.len()))
        .into_par_iter()
        .zip(batches)
        .for_each(|(out, b)| out.iter_mut().zip(&b.ids).for_each(|(p, &id)| *p = position(id)));
    let ids = if span == total {
        (min..=max).collect()
    } else {
        (0..span)
            .filter(|&slot| present[slot / 64] & (1u64 << (slot % 64)) != 0)
            .map(|slot| min + slot as u32)
            .collect()
    };
    Some(Placement::ByPosition { ids, positions })
}

/// `flat` cut into one slice per batch, `lens` values each.
fn batch_slices<T>(mut flat: &mut [T], lens: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    lens.map(|len| {
        let (head, rest) = std::mem::take(&mut flat).split_at_mut(len);
        flat = rest;
        head
    })
    .collect()
}

/// Each column's per-batch values written at their rows' positions; a column's batches are
/// freed as soon as it is placed.
pub(super) fn place_columns(
    batches: Vec<ClassifiedBatch>,
    positions: &[u32],
    segmentations: usize,
) -> (Vec<Vec<SegmentCode>>, Vec<PartitionCode>) {
    let mut by_segmentation: Vec<Vec<Vec<SegmentCode>>> = (0..segmentations).map(|_| Vec::new()).collect();
    let mut by_batch_partitions = Vec::with_capacity(batches.len());
    for batch in batches {
        for (column, codes) in by_segmentation.iter_mut().zip(batch.codes) {
            column.push(codes);
        }
        by_batch_partitions.push(batch.partitions);
    }
    rayon::join(
        || by_segmentation.into_par_iter().map(|per_batch| place(per_batch, positions)).collect(),
        || place(by_batch_partitions, positions),
    )
}

/// Do the batches' rows land all over the table ([`SCATTERED_WINDOW`]), rather than each batch
/// in a window that stays in cache? Shuffled-but-local files (rows shuffled within a row group)
/// stay under it; sparse or globally shuffled ids span the whole table.
pub(super) fn is_scattered(positions: &[u32], batches: &[ClassifiedBatch]) -> bool {
    mean_window(positions, batches.iter().map(|b| b.ids.len())) > SCATTERED_WINDOW
}

/// The mean span of table positions one batch's rows go to (`lens`: rows per batch).
fn mean_window(positions: &[u32], lens: impl Iterator<Item = usize>) -> usize {
    let mut windows = Vec::new();
    let mut first = 0;
    for len in lens {
        windows.push(&positions[first..first + len]);
        first += len;
    }
    let batches = windows.len();
    let spread: usize = windows
        .into_par_iter()
        .map(|window| {
            let (min, max) = window.iter().fold((u32::MAX, 0), |(min, max), &p| (min.min(p), max.max(p)));
            if window.is_empty() { 0 } else { (max - min) as usize + 1 }
        })
        .sum();
    spread / batches.max(1)
}

/// The scan row at each position, from each scan row's position.
pub(super) fn invert(positions: &[u32]) -> Vec<u32> {
    let mut rows = vec![0u32; positions.len()];
    for (row, &position) in positions.iter().enumerate() {
        rows[position as usize] = row as u32;
    }
    rows
}

/// One chunk of positions for [`gather`]: the scan rows to read, and that chunk of every column.
struct GatherTask<'a> {
    codes: Vec<&'a mut [SegmentCode]>,
    partitions: &'a mut [PartitionCode],
    rows: &'a [u32],
}

/// The table's columns when rows land all over it: each batch is first turned into row records
/// (a person's segment codes, then their partition code, side by side), then the table is
/// filled position by position, reading the record of `rows[position]`. One scattered read per
/// person, with every column written in order, instead of a cache miss per person and column;
/// and the positions split across threads with no shared writes.
pub(super) fn gather(
    batches: Vec<ClassifiedBatch>,
    rows: &[u32],
    segmentations: usize,
) -> (Vec<Vec<SegmentCode>>, Vec<PartitionCode>) {
    const PARTITION_BYTES: usize = std::mem::size_of::<PartitionCode>();
    let stride = segmentations + PARTITION_BYTES;
    let mut records = vec![0u8; rows.len() * stride];
    let per_batch = batch_slices(&mut records, batches.iter().map(|b| b.ids.len() * stride));
    per_batch.into_par_iter().zip(batches).for_each(|(out, batch)| {
        for (s, codes) in batch.codes.iter().enumerate() {
            for (record, &code) in out.chunks_exact_mut(stride).zip(codes) {
                record[s] = code;
            }
        }
        for (record, partition) in out.chunks_exact_mut(stride).zip(&batch.partitions) {
            record[segmentations..].copy_from_slice(&partition.to_le_bytes());
        }
    });

    let mut codes: Vec<Vec<SegmentCode>> = (0..segmentations).map(|_| vec![0; rows.len()]).collect();
    let mut partitions: Vec<PartitionCode> = vec![0; rows.len()];
    // One task per chunk of positions, holding that chunk of every column.
    let mut tasks: Vec<GatherTask> = partitions
        .chunks_mut(GATHER_CHUNK)
        .zip(rows.chunks(GATHER_CHUNK))
        .map(|(partitions, rows)| GatherTask { codes: Vec::with_capacity(segmentations), partitions, rows })
        .collect();
    for column in &mut codes {
        for (task, chunk) in tasks.iter_mut().zip(column.chunks_mut(GATHER_CHUNK)) {
            task.codes.push(chunk);
        }
    }
    tasks.into_par_iter().for_each_init(Vec::new, |local, task| {
        // Scattered reads into a row-major chunk that stays in cache, then written out by column.
        local.clear();
        for &row in task.rows {
            let at = row as usize * stride;
            local.extend_from_slice(&records[at..at + stride]);
        }
        for (s, column) in task.codes.into_iter().enumerate() {
            for (value, record) in column.iter_mut().zip(local.chunks_exact(stride)) {
                *value = record[s];
            }
        }
        for (value, record) in task.partitions.iter_mut().zip(local.chunks_exact(stride)) {
            *value = PartitionCode::from_le_bytes([record[segmentations], record[segmentations + 1]]);
        }
    });
    (codes, partitions)
}

/// `per_batch` values (in scan order), each written at its row's position.
fn place<T: Copy + Default>(per_batch: Vec<Vec<T>>, positions: &[u32]) -> Vec<T> {
    let mut out = vec![T::default(); positions.len()];
    let mut first = 0;
    for values in per_batch {
        let batch_positions = &positions[first..first + values.len()];
        first += values.len();
        for (&p, value) in batch_positions.iter().zip(values) {
            out[p as usize] = value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segmentations in the test batches: more than 8 (a record of codes wider than a word).
    const SEGMENTATIONS: usize = 11;

    #[test]
    fn gathered_placement_is_column_placement() {
        // Two batches whose rows go all over a 9000-row table, and more rows than one chunk.
        for n in [9000u32, 40_000] {
            let positions: Vec<u32> = (0..n).map(|i| i * 4001 % n).collect();
            let split = (n / 9 * 5) as usize;
            let batches: Vec<ClassifiedBatch> = [0..split, split..n as usize]
                .into_iter()
                .map(|range| {
                    let rows: Vec<u32> = (range.start as u32..range.end as u32).collect();
                    ClassifiedBatch {
                        ids: rows.clone(),
                        partitions: rows.iter().map(|&r| (r * 7 % 3000) as u16).collect(),
                        codes: (0..SEGMENTATIONS as u32)
                            .map(|s| rows.iter().map(|&r| (r * s % 256) as u8).collect())
                            .collect(),
                        ..ClassifiedBatch::default()
                    }
                })
                .collect();
            let copy = |b: &ClassifiedBatch| ClassifiedBatch {
                ids: b.ids.clone(),
                partitions: b.partitions.clone(),
                codes: b.codes.clone(),
                ..ClassifiedBatch::default()
            };
            let again: Vec<ClassifiedBatch> = batches.iter().map(copy).collect();
            let by_column = place_columns(batches, &positions, SEGMENTATIONS);
            let gathered = gather(again, &invert(&positions), SEGMENTATIONS);
            assert_eq!(gathered, by_column);
            assert_eq!(by_column.1[positions[5] as usize], 35);
        }
        let lens = [5000, 4000];
        assert_eq!(mean_window(&(0..9000).collect::<Vec<u32>>(), lens.into_iter()), 4500);
        let positions: Vec<u32> = (0..9000u32).map(|i| i * 4001 % 9000).collect();
        assert_eq!(mean_window(&positions, [1000; 9].into_iter()), 8992);
    }
}
