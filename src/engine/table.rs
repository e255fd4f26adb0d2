//! `PeopleTable`: every person of the run in person-id order, with their partition code and
//! segment code per approved segmentation. Assembling it is where ids are checked across files:
//! a sort by id exposes duplicates as neighbours.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::classify::{ClassifiedBatch, SegmentCode};
use super::ids::EXAMPLES;
use super::partition::PartitionCode;
use crate::error::{Error, PeopleIssue, Result, RowRef};

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

/// Joins the batches (in scan order) into a table sorted by id; `files` names the files for
/// error messages. `segmentations` is the number of code columns expected.
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
    // Where each batch starts in the concatenation, to map a position back to file and row.
    let mut starts = Vec::with_capacity(batches.len());
    let mut ids = Vec::with_capacity(total);
    let mut partitions = Vec::with_capacity(total);
    let mut codes: Vec<Vec<SegmentCode>> = (0..segmentations).map(|_| Vec::with_capacity(total)).collect();
    let mut unlisted_partitions = BTreeMap::new();
    for batch in &batches {
        starts.push((ids.len(), batch.file, batch.first_row));
        ids.extend_from_slice(&batch.ids);
        partitions.extend_from_slice(&batch.partitions);
        for (column, batch_codes) in codes.iter_mut().zip(&batch.codes) {
            column.extend_from_slice(batch_codes);
        }
        for (name, n) in &batch.unlisted_partitions {
            *unlisted_partitions.entry(name.clone()).or_insert(0) += n;
        }
    }
    drop(batches);

    let order = sort_order(&ids);
    let row_of = |position: usize| -> RowRef {
        let b = starts.partition_point(|(start, _, _)| *start <= position) - 1;
        let (start, file, first_row) = starts[b];
        RowRef { file: files[file].clone(), row: first_row + (position - start) as u64 }
    };
    let mut duplicates = 0u64;
    let mut examples = Vec::new();
    for pair in order.windows(2) {
        let (a, b) = (pair[0] as usize, pair[1] as usize);
        if ids[a] == ids[b] {
            duplicates += 1;
            if examples.len() < EXAMPLES {
                examples.push((ids[a], row_of(a), row_of(b)));
            }
        }
    }
    if duplicates > 0 {
        return Err(Error::People {
            issues: vec![PeopleIssue::DuplicateIds { column: id_column.to_owned(), count: duplicates, examples }],
        });
    }
    let sorted_ids = order.par_iter().map(|&p| ids[p as usize]).collect();
    let sorted_partitions = order.par_iter().map(|&p| partitions[p as usize]).collect();
    let sorted_codes =
        codes.into_par_iter().map(|column| order.iter().map(|&p| column[p as usize]).collect()).collect();
    Ok(PeopleTable { ids: sorted_ids, partitions: sorted_partitions, codes: sorted_codes, unlisted_partitions })
}

/// Null and out-of-range ids, over all batches, with a few examples.
fn check_batch_ids(batches: &[ClassifiedBatch], files: &[PathBuf], id_column: &str) -> Result<()> {
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

/// Positions of `ids` in ascending id order (stable for equal ids).
fn sort_order(ids: &[u32]) -> Vec<u32> {
    dense_order(ids).unwrap_or_else(|| {
        let mut keys: Vec<u64> = ids.par_iter().enumerate().map(|(i, &id)| (u64::from(id) << 32) | i as u64).collect();
        keys.par_sort_unstable();
        keys.into_par_iter().map(|k| k as u32).collect()
    })
}

/// For dense ids (a span at most twice the count) and no duplicates: the order by direct
/// placement, O(n) instead of a sort. `None` sends sparse ids, and duplicates (which the caller
/// reports with their rows), to the sort.
fn dense_order(ids: &[u32]) -> Option<Vec<u32>> {
    const EMPTY: u32 = u32::MAX;
    let (&min, &max) = (ids.iter().min()?, ids.iter().max()?);
    let span = (max - min) as usize + 1;
    if span > ids.len().saturating_mul(2) || ids.len() >= EMPTY as usize {
        return None;
    }
    let mut slots = vec![EMPTY; span];
    for (position, &id) in ids.iter().enumerate() {
        let slot = &mut slots[(id - min) as usize];
        if *slot != EMPTY {
            return None;
        }
        *slot = position as u32;
    }
    Some(slots.into_iter().filter(|&p| p != EMPTY).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_ids_give_the_same_order() {
        let dense: Vec<u32> = vec![5, 3, 4, 9, 6, 8, 7];
        let order = sort_order(&dense);
        assert_eq!(order.iter().map(|&p| dense[p as usize]).collect::<Vec<_>>(), vec![3, 4, 5, 6, 7, 8, 9]);
        assert!(dense_order(&dense).is_some());
        let sparse: Vec<u32> = vec![4_000_000_000, 3, 70_000];
        assert!(dense_order(&sparse).is_none());
        assert_eq!(sort_order(&sparse), vec![1, 2, 0]);
        // Duplicates go to the sort, which keeps them adjacent for the error.
        let duplicated: Vec<u32> = vec![2, 1, 2];
        assert!(dense_order(&duplicated).is_none());
        assert_eq!(sort_order(&duplicated), vec![1, 0, 2]);
    }
}
