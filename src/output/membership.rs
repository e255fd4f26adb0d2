//! `membership/workspace=<W>/part-0.parquet` (SPEC §4): per workspace, one row per visible person
//! in the scope of at least one segmentation visible there, in person-id order; `person_id`
//! (uint32) then one dictionary-encoded segment column per visible segmentation, in model order.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::engine::{OUT_OF_SCOPE, PartitionCodes, PeopleTable};
use crate::error::{Error, Result};
use crate::model::Model;

/// Rows gathered per record batch while writing.
const CHUNK_ROWS: usize = 64 * 1024;

/// Approved segmentations visible in workspace `w`, in model order.
#[must_use]
pub fn visible_segmentations(model: &Model, w: usize) -> Vec<usize> {
    (0..model.segmentations.len())
        .filter(|&s| model.segmentations[s].visible_in.contains(&w))
        .collect()
}

/// Writes workspace `w`'s file at `path`; returns its row count.
pub fn write_workspace(
    path: &Path,
    model: &Model,
    codes: &PartitionCodes,
    table: &PeopleTable,
    w: usize,
    segmentations: &[usize],
) -> Result<u64> {
    let write_err = |source| Error::ParquetWrite {
        path: path.to_owned(),
        source,
    };
    let mut fields = vec![Field::new("person_id", DataType::UInt32, false)];
    let dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    for &s in segmentations {
        fields.push(Field::new(
            &model.segmentations[s].id,
            dictionary.clone(),
            true,
        ));
    }
    let schema = Arc::new(Schema::new(fields));
    let segment_names: Vec<ArrayRef> = segmentations
        .iter()
        .map(|&s| Arc::new(StringArray::from(model.segmentations[s].segment_ids())) as ArrayRef)
        .collect();
    let file = File::create(path).map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(write_err)?;

    let sees = &codes.sees[w];
    let mut rows = 0u64;
    let mut selected: Vec<usize> = Vec::with_capacity(CHUNK_ROWS);
    for start in (0..table.len()).step_by(CHUNK_ROWS) {
        let end = (start + CHUNK_ROWS).min(table.len());
        selected.clear();
        selected.extend((start..end).filter(|&i| {
            sees[usize::from(table.partitions[i])]
                && segmentations
                    .iter()
                    .any(|&s| table.codes[s][i] != OUT_OF_SCOPE)
        }));
        if selected.is_empty() {
            continue;
        }
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(segmentations.len() + 1);
        columns.push(Arc::new(
            selected
                .iter()
                .map(|&i| table.ids[i])
                .collect::<UInt32Array>(),
        ));
        for (k, &s) in segmentations.iter().enumerate() {
            let column = &table.codes[s];
            let keys: Int32Array = selected
                .iter()
                .map(|&i| (column[i] != OUT_OF_SCOPE).then_some(i32::from(column[i])))
                .collect();
            let array = DictionaryArray::<Int32Type>::try_new(keys, segment_names[k].clone())
                .map_err(|e| write_err(e.into()))?;
            columns.push(Arc::new(array));
        }
        let batch =
            RecordBatch::try_new(schema.clone(), columns).map_err(|e| write_err(e.into()))?;
        writer.write(&batch).map_err(write_err)?;
        rows += selected.len() as u64;
    }
    let file = writer.into_inner().map_err(write_err)?;
    file.sync_all().map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })?;
    Ok(rows)
}
