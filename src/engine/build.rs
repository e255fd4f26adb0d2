//! How the people table is built: the one place that chooses a path. The mechanisms are in
//! [`super::slots`] (slot placement) and [`super::table`] (ranking, sorting, placing columns,
//! gathering rows); every choice between them is made here, in [`build_table`] and
//! [`assemble`], from the constants of [`crate::tuning`].

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::classify::ClassifiedBatch;
use super::slots::SlotTable;
use super::table::{
    PeopleTable, Placement, add_counts, check_batch_ids, gather, invert, is_dense_span, is_scattered, place_columns,
    ranked_placement, sorted_placement,
};
use crate::error::{Error, PeopleIssue, Result};
use crate::log::{Log, Progress};
use crate::people::{PeopleSource, RawBatch, ScanColumns};
use crate::tuning::SLOT_MEMORY_DIVISOR;

/// What the table holds per person, besides the id.
#[derive(Debug, Clone, Copy)]
pub struct TableShape {
    /// Segment-code columns: one per approved segmentation (0 for `validate`).
    pub segmentations: usize,
    /// Partition codes in use (the largest code plus one).
    pub partition_codes: usize,
}

/// Reads every person (through `classify`) and builds the table in person-id order. The paths,
/// in the order they are tried:
///
/// 1. **Slot placement** ([`SlotTable`]), taken when the row groups' id statistics
///    ([`PeopleSource::id_range`]) give a range that is dense for the rows the footers claim
///    ([`is_dense_span`]), the table for that range fits in `1 / SLOT_MEMORY_DIVISOR` of the
///    available memory, and the partition codes fit a slot ([`SlotTable::MAX_PARTITION_CODES`]).
///    Each batch's people go to slot `id - min` as soon as it is classified, so no batch
///    is kept. Statistics are claims: when an id falls outside the range, a batch has id
///    problems, or two rows share an id, the slots are dropped and path 2 reads the people
///    again, to report what is wrong with its rows.
/// 2. **Sorting path** ([`assemble`]), otherwise: every classified batch is kept, then placed.
///
/// `record` gets each phase's time (`scan_and_classify`, `assemble`; both twice when path 1
/// gives up). The log says which path ran.
pub fn build_table(
    source: &PeopleSource,
    columns: &ScanColumns<'_>,
    shape: TableShape,
    classify: impl Fn(RawBatch, &Progress) -> Result<ClassifiedBatch> + Sync,
    log: &Log,
    record: &mut dyn FnMut(&'static str, Duration),
) -> Result<PeopleTable> {
    let mut timed = |phase: &'static str, start: Instant| record(phase, start.elapsed());
    if let Some((min, max)) = source.id_range(columns.id)
        && let Some(span) = slot_span(min, max, source.total_rows(), shape, memory_budget())
        && let Some(slots) = SlotTable::new(min, span, shape.segmentations)
    {
        log.step(format_args!("ids {min}..={max} are dense by the files' statistics: placing people as they are read"));
        let progress = log.progress("reading people", source.total_rows());
        let start = Instant::now();
        let placed = source.scan(columns, |raw| classify(raw, &progress).map(|batch| slots.place(batch)))?;
        timed("scan_and_classify", start);
        drop(progress);
        let start = Instant::now();
        let table = slots.finish(placed);
        timed("assemble", start);
        if let Some(table) = table {
            return Ok(table);
        }
        log.step(format_args!(
            "the ids are not what the files' statistics say (or repeat): reading people again to order them by sorting"
        ));
    }
    let progress = log.progress("reading people", source.total_rows());
    let start = Instant::now();
    let batches = source.scan(columns, |raw| classify(raw, &progress))?;
    timed("scan_and_classify", start);
    drop(progress);
    log.step(format_args!("classified {} batches", batches.len()));
    let files: Vec<PathBuf> = source.files.iter().map(|f| f.path.clone()).collect();
    let start = Instant::now();
    let table = assemble(batches, &files, columns.id, shape.segmentations)?;
    timed("assemble", start);
    Ok(table)
}

/// The sorting path: joins the batches (in scan order) into a table sorted by id; `files` names
/// the files for error messages, `segmentations` is the number of code columns. Null and
/// out-of-range ids are reported first. Then each row's position in id order:
///
/// - **ranked** ([`ranked_placement`]) when the ids read are dense ([`is_dense_span`]): a
///   person's position is the number of ids below theirs, counted on a bitset of the span. A
///   repeated id found on the way sends the batches to the sort, which reports it;
/// - **sorted** ([`sorted_placement`]) otherwise (sparse ids, or duplicates to report).
///
/// Then the values are moved to their positions: column by column, straight from each batch
/// ([`place_columns`]), when every batch lands in a window of the table that stays in cache
/// ([`is_scattered`] is false: files in id order, or shuffled within row groups); else
/// gathered from row records, one scattered read per person ([`gather`]): sorted placements
/// always, since their rows are sparse over the id space.
pub fn assemble(
    batches: Vec<ClassifiedBatch>,
    files: &[PathBuf],
    id_column: &str,
    segmentations: usize,
) -> Result<PeopleTable> {
    check_batch_ids(&batches, files, id_column)?;
    let total: usize = batches.iter().map(|b| b.ids.len()).sum();
    if total as u64 > u64::from(u32::MAX) + 1 {
        return Err(Error::People { issues: vec![PeopleIssue::TooManyPeople { rows: total as u64 }] });
    }
    let mut unlisted_partitions = std::collections::BTreeMap::new();
    for batch in &batches {
        add_counts(&mut unlisted_partitions, &batch.unlisted_partitions);
    }
    // `None`: sparse ids, or a repeated id for the sort to report.
    let placement = match ranked_placement(&batches, total) {
        Some(placement) => placement,
        None => sorted_placement(&batches, files, id_column)?,
    };
    let (ids, (codes, partitions)) = match placement {
        Placement::ByPosition { ids, positions } if !is_scattered(&positions, &batches) => {
            (ids, place_columns(batches, &positions, segmentations))
        }
        Placement::ByPosition { ids, positions } => (ids, gather(batches, &invert(&positions), segmentations)),
        Placement::ByRow { ids, rows } => (ids, gather(batches, &rows, segmentations)),
    };
    Ok(PeopleTable { ids, partitions, codes, unlisted_partitions })
}

/// The slots for ids `min..=max` over `rows` claimed rows, when path 1 may be taken (see
/// [`build_table`]): `budget` is the memory it may reserve, in bytes.
fn slot_span(min: u32, max: u32, rows: u64, shape: TableShape, budget: u64) -> Option<usize> {
    let span = u64::from(max.checked_sub(min)?) + 1;
    let fits = span.saturating_mul(SlotTable::bytes_per_slot(shape.segmentations)) <= budget;
    if !is_dense_span(span, rows) || !fits || shape.partition_codes > SlotTable::MAX_PARTITION_CODES {
        return None;
    }
    usize::try_from(span).ok()
}

/// What the slot table may reserve: a share of the memory the system says is available
/// (`MemAvailable`), or of 8 GiB where it does not say. The footers' row counts and statistics
/// are claims, and the table is allocated before any row is read.
fn memory_budget() -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
        let line = info.lines().find(|line| line.starts_with("MemAvailable:"))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    });
    available.map_or(8 << 30, |kib| kib.saturating_mul(1024)) / SLOT_MEMORY_DIVISOR
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segmentations in the test batches: more than 8 (a record of codes wider than a word).
    const SEGMENTATIONS: usize = 11;
    const SHAPE: TableShape = TableShape { segmentations: 1, partition_codes: 4 };
    const PLENTY: u64 = 1 << 40;

    #[test]
    fn slots_are_taken_only_for_dense_ranges_that_fit() {
        assert_eq!(slot_span(0, 19, 10, SHAPE, PLENTY), Some(20), "twice the rows is dense");
        assert_eq!(slot_span(0, 100, 10, SHAPE, PLENTY), None, "sparse");
        assert_eq!(slot_span(5, 4, 10, SHAPE, PLENTY), None, "min above max");
        let many = TableShape { partition_codes: SlotTable::MAX_PARTITION_CODES + 1, ..SHAPE };
        assert_eq!(slot_span(0, 9, 10, many, PLENTY), None, "partition codes beyond a slot");
        // A footer claiming four billion rows of dense ids: more than half of 24 GiB.
        let wide = TableShape { segmentations: 200, ..SHAPE };
        assert_eq!(slot_span(0, u32::MAX, u64::from(u32::MAX), wide, 12 << 30), None);
        assert_eq!(slot_span(0, 9, 10, SHAPE, 10 * SlotTable::bytes_per_slot(1)), Some(10));
        assert_eq!(slot_span(0, 9, 10, SHAPE, 10 * SlotTable::bytes_per_slot(1) - 1), None);
    }

    fn code(id: u32, s: usize) -> u8 {
        (id.wrapping_mul(s as u32 + 3) % 251) as u8
    }

    fn batch(ids: Vec<u32>) -> ClassifiedBatch {
        let codes = (0..SEGMENTATIONS).map(|s| ids.iter().map(|&id| code(id, s)).collect()).collect();
        let partitions = ids.iter().map(|&id| (id % 3000) as u16).collect();
        ClassifiedBatch { ids, partitions, codes, ..ClassifiedBatch::default() }
    }

    fn check(batches: Vec<Vec<u32>>, dense: bool) {
        let batches: Vec<ClassifiedBatch> = batches.into_iter().map(batch).collect();
        let total = batches.iter().map(|b| b.ids.len()).sum();
        assert_eq!(ranked_placement(&batches, total).is_some(), dense);
        let table = assemble(batches, &[PathBuf::from("p.parquet")], "person_id", SEGMENTATIONS).unwrap();
        assert!(table.ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((table.len(), table.codes.len()), (total, SEGMENTATIONS));
        for (i, &id) in table.ids.iter().enumerate() {
            assert_eq!(table.partitions[i], (id % 3000) as u16);
            for (s, column) in table.codes.iter().enumerate() {
                assert_eq!(column[i], code(id, s), "id {id}, segmentation {s}");
            }
        }
    }

    #[test]
    fn dense_and_sparse_ids_give_the_same_table() {
        check(vec![vec![5, 3, 4], vec![9, 6, 8, 7]], true);
        check(vec![vec![10, 14, 12], vec![11, 16]], true);
        check(vec![vec![u32::MAX, u32::MAX - 2], vec![u32::MAX - 1]], true);
        check(vec![vec![4_000_000_000, 3], vec![70_000]], false);
        check(vec![vec![], vec![1]], true);
        // Many rows, in an order far from id order.
        let scrambled: Vec<u32> = (0..10_000u32).map(|i| i.wrapping_mul(2_654_435_761) % 1_000_003).collect();
        check(vec![scrambled[..6000].to_vec(), scrambled[6000..].to_vec()], false);
        check(vec![(0..5000).rev().collect(), (5000..9000).collect()], true);
    }

    #[test]
    fn duplicates_go_to_the_sort_which_reports_them() {
        let second = ClassifiedBatch { first_row: 2, ..batch(vec![2]) };
        let batches = vec![batch(vec![2, 1]), second];
        assert!(ranked_placement(&batches, 3).is_none(), "a repeated id is not ranked");
        let error = assemble(batches, &[PathBuf::from("p.parquet")], "person_id", SEGMENTATIONS).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("2 at `p.parquet` row 0 and at `p.parquet` row 2"), "{message}");
    }
}
