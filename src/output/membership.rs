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
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::engine::{OUT_OF_SCOPE, PartitionCodes, PeopleTable};
use crate::error::{Error, Result};
use crate::model::Model;

/// Rows gathered per record batch while writing.
const CHUNK_ROWS: usize = 64 * 1024;

/// Approved segmentations visible in workspace `w`, in model order.
#[must_use]
pub fn visible_segmentations(model: &Model, w: usize) -> Vec<usize> {
    (0..model.segmentations.len()).filter(|&s| model.segmentations[s].visible_in.contains(&w)).collect()
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
    let write_err = |source| Error::ParquetWrite { path: path.to_owned(), source };
    let mut fields = vec![Field::new("person_id", DataType::UInt32, false)];
    let dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    for &s in segmentations {
        fields.push(Field::new(&model.segmentations[s].id, dictionary.clone(), true));
    }
    let schema = Arc::new(Schema::new(fields));
    let segment_names: Vec<ArrayRef> = segmentations
        .iter()
        .map(|&s| Arc::new(StringArray::from(model.segmentations[s].segment_ids())) as ArrayRef)
        .collect();
    let file = File::create(path).map_err(|source| Error::Write { path: path.to_owned(), source })?;
    // Min/max statistics of segment names help no reader and cost a string comparison per cell;
    // person_id keeps them, so readers can prune row groups by id.
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_column_statistics_enabled(ColumnPath::from("person_id"), EnabledStatistics::Page)
        .build();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(write_err)?;

    // A person is in a segmentation's scope exactly when its origin sees the person's partition,
    // so which rows this file holds is a function of the partition code alone.
    let wanted: Vec<bool> = (0..codes.sees[w].len())
        .map(|code| {
            codes.sees[w][code] && segmentations.iter().any(|&s| codes.sees[model.segmentations[s].origin][code])
        })
        .collect();
    let mut rows = 0u64;
    let mut selected: Vec<usize> = Vec::with_capacity(CHUNK_ROWS);
    for start in (0..table.len()).step_by(CHUNK_ROWS) {
        let end = (start + CHUNK_ROWS).min(table.len());
        selected.clear();
        selected.extend((start..end).filter(|&i| wanted[usize::from(table.partitions[i])]));
        if selected.is_empty() {
            continue;
        }
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(segmentations.len() + 1);
        columns.push(Arc::new(selected.iter().map(|&i| table.ids[i]).collect::<UInt32Array>()));
        for (k, &s) in segmentations.iter().enumerate() {
            let column = &table.codes[s];
            let keys: Int32Array =
                selected.iter().map(|&i| (column[i] != OUT_OF_SCOPE).then_some(i32::from(column[i]))).collect();
            let array = DictionaryArray::<Int32Type>::try_new(keys, segment_names[k].clone())
                .map_err(|e| write_err(e.into()))?;
            columns.push(Arc::new(array));
        }
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| write_err(e.into()))?;
        writer.write(&batch).map_err(write_err)?;
        rows += selected.len() as u64;
    }
    let file = writer.into_inner().map_err(write_err)?;
    file.sync_all().map_err(|source| Error::Write { path: path.to_owned(), source })?;
    Ok(rows)
}

/// One (workspace, segmentation, segment, person) fact of a published run: the long form of the
/// wide membership files, as `reference/widelong.py` gives it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MembershipRow {
    pub workspace: String,
    pub segmentation: String,
    pub segment: String,
    pub person_id: u32,
}

/// Reads every `membership/workspace=<W>/*.parquet` of a run folder in long form, sorted.
pub fn read_long(run_dir: &Path) -> Result<Vec<MembershipRow>> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::UInt32Type;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let root = run_dir.join("membership");
    let read_err = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Read { path, source }
    };
    let mut rows = Vec::new();
    let mut dirs: Vec<_> = match std::fs::read_dir(&root) {
        Ok(entries) => entries.collect::<std::io::Result<_>>().map_err(read_err(&root))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(rows),
        Err(e) => return Err(read_err(&root)(e)),
    };
    dirs.sort_by_key(std::fs::DirEntry::file_name);
    for dir in dirs {
        let name = dir.file_name().to_string_lossy().into_owned();
        let Some(workspace) = name.strip_prefix("workspace=") else {
            continue;
        };
        let mut files: Vec<_> = std::fs::read_dir(dir.path())
            .map_err(read_err(&dir.path()))?
            .collect::<std::io::Result<_>>()
            .map_err(read_err(&dir.path()))?;
        files.sort_by_key(std::fs::DirEntry::file_name);
        for file in files {
            let path = file.path();
            let parquet_err = |source| Error::Parquet { path: path.clone(), source };
            let reader = File::open(&path).map_err(read_err(&path))?;
            let reader =
                ParquetRecordBatchReaderBuilder::try_new(reader).map_err(parquet_err)?.build().map_err(parquet_err)?;
            for batch in reader {
                let batch = batch.map_err(|e| parquet_err(e.into()))?;
                let ids = batch.column(0).as_primitive::<UInt32Type>();
                for (c, field) in batch.schema().fields().iter().enumerate().skip(1) {
                    let segments =
                        arrow_cast::cast(batch.column(c), &DataType::Utf8).map_err(|e| parquet_err(e.into()))?;
                    let segments = segments.as_string::<i32>();
                    for i in 0..batch.num_rows() {
                        if segments.is_valid(i) {
                            rows.push(MembershipRow {
                                workspace: workspace.to_owned(),
                                segmentation: field.name().clone(),
                                segment: segments.value(i).to_owned(),
                                person_id: ids.value(i),
                            });
                        }
                    }
                }
            }
        }
    }
    rows.sort();
    Ok(rows)
}
