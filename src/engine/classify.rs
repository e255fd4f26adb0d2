//! Classification of one batch: ids checked, partitions coded, then for every approved
//! segmentation each in-scope person assigned the first segment whose rule matches, else
//! `default`. Conditions are evaluated at most once per batch, shared by every segmentation.

use std::collections::BTreeMap;

use arrow_buffer::BooleanBuffer;

use super::ids::{IdProblems, to_u32};
use super::list_members::ListMembers;
use super::partition::{PartitionCode, PartitionCodes};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::people::RawBatch;
use crate::rule::{Column, Condition, kernel};

/// A person's segment in one segmentation: an index into `Segmentation::segment_ids()`.
pub type SegmentCode = u8;
/// The code of a person outside the segmentation's scope.
pub const OUT_OF_SCOPE: SegmentCode = SegmentCode::MAX;

/// What one batch gives.
#[derive(Debug, Default)]
pub struct ClassifiedBatch {
    pub file: usize,
    pub first_row: u64,
    pub ids: Vec<u32>,
    pub partitions: Vec<PartitionCode>,
    /// `codes[s][row]` for each approved segmentation `s`; empty when only checking.
    pub codes: Vec<Vec<SegmentCode>>,
    pub id_problems: IdProblems,
    pub unlisted_partitions: BTreeMap<String, u64>,
}

pub struct Classifier<'a> {
    pub model: &'a Model,
    pub partitions: &'a PartitionCodes,
    /// Loaded static lists, indexed like `Model::lists` (unused lists are empty).
    pub lists: &'a [ListMembers],
    /// False for `validate`: ids and partitions only.
    pub evaluate: bool,
}

impl Classifier<'_> {
    pub fn classify(&self, raw: &RawBatch, file_path: &std::path::Path) -> Result<ClassifiedBatch> {
        let arrow_err = |column: &str| {
            let column = column.to_owned();
            move |source| Error::Arrow { path: file_path.to_owned(), column, source }
        };
        let (ids, id_problems) = to_u32(&raw.ids).map_err(arrow_err(&self.model.id_column))?;
        let mut unlisted_partitions = BTreeMap::new();
        let partitions = self
            .partitions
            .encode(&raw.partitions, &mut unlisted_partitions)
            .map_err(arrow_err(&self.model.partition_column))?;
        let mut batch = ClassifiedBatch {
            file: raw.file,
            first_row: raw.first_row,
            ids,
            partitions,
            codes: Vec::new(),
            id_problems,
            unlisted_partitions,
        };
        if !self.evaluate || !batch.id_problems.is_empty() {
            return Ok(batch);
        }
        let columns: Vec<Column> = self
            .model
            .columns
            .iter()
            .zip(&raw.columns)
            .map(|((name, family), array)| Column::new(array, *family).map_err(arrow_err(name)))
            .collect::<Result<_>>()?;
        let len = batch.ids.len();
        let mut cache: Vec<Option<BooleanBuffer>> = vec![None; self.model.conditions.len()];
        let mut leaf = |id: usize| -> Result<BooleanBuffer> {
            if let Some(bits) = &cache[id] {
                return Ok(bits.clone());
            }
            let bits = match &self.model.conditions.as_slice()[id] {
                Condition::Column(c) => {
                    kernel::evaluate(c, &columns[c.column]).map_err(arrow_err(&self.model.columns[c.column].0))?
                }
                Condition::InList { list } => self.lists[*list].test(&batch.ids),
            };
            cache[id] = Some(bits.clone());
            Ok(bits)
        };
        // The rows each origin workspace sees, once per workspace rather than per segmentation.
        let mut scopes: Vec<Option<BooleanBuffer>> = vec![None; self.partitions.sees.len()];
        for s in &self.model.segmentations {
            let scope = scopes[s.origin].get_or_insert_with(|| {
                let sees = &self.partitions.sees[s.origin];
                BooleanBuffer::collect_bool(len, |i| sees[usize::from(batch.partitions[i])])
            });
            // The in-scope rows no segment has claimed yet, a word of 64 rows at a time.
            let mut remaining: Vec<u64> = scope.bit_chunks().iter_padded().collect();
            let mut codes = vec![OUT_OF_SCOPE; len];
            let mut left = remaining.iter().any(|&word| word != 0);
            for (g, segment) in s.segments.iter().enumerate() {
                if !left {
                    break;
                }
                let hits = segment.predicate.evaluate(len, &mut leaf)?;
                left = claim(&mut remaining, hits.bit_chunks().iter_padded(), &mut codes, g as SegmentCode);
            }
            let default = s.segments.len() as SegmentCode;
            claim(&mut remaining, std::iter::repeat(u64::MAX), &mut codes, default);
            batch.codes.push(codes);
        }
        Ok(batch)
    }
}

/// Gives segment `code` to the `remaining` rows that `hits` holds (both a word of 64 rows at a
/// time) and takes them out of `remaining`, in one pass without allocating; says whether any
/// row remains.
fn claim(remaining: &mut [u64], hits: impl Iterator<Item = u64>, codes: &mut [SegmentCode], code: SegmentCode) -> bool {
    let mut left = false;
    for ((k, rest), hit) in remaining.iter_mut().enumerate().zip(hits) {
        let mut won = *rest & hit;
        *rest &= !won;
        left |= *rest != 0;
        if won == 0 {
            continue;
        }
        // A whole word of rows is one bounds check; its bits index it without another.
        match <&mut [SegmentCode; 64]>::try_from(codes.get_mut(k * 64..k * 64 + 64).unwrap_or_default()) {
            Ok(word) => {
                while won != 0 {
                    word[(won.trailing_zeros() & 63) as usize] = code;
                    won &= won - 1;
                }
            }
            Err(_) => {
                // The last, partial word: its padding bits are never set.
                while won != 0 {
                    codes[k * 64 + won.trailing_zeros() as usize] = code;
                    won &= won - 1;
                }
            }
        }
    }
    left
}
