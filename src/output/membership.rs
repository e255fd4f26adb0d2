//! `membership/workspace=<W>/part-0.parquet` (SPEC §4): per workspace, one row per visible person
//! in the scope of at least one segmentation visible there, in person-id order; `person_id`
//! (uint32) then one dictionary-encoded segment column per visible segmentation, in model order.

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::{ArrowSchemaConverter, add_encoded_arrow_schema_to_metadata};
use parquet::basic::{Compression, Encoding};
use parquet::data_type::Int32Type;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, SchemaDescriptor};
use rayon::prelude::*;

use super::file_writer::FileWriter;
use super::segment_column::encode_chunk;

use crate::engine::{OUT_OF_SCOPE, PartitionCodes, PeopleTable};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::tuning::MEMBERSHIP_ROW_GROUP_ROWS;

/// Approved segmentations visible in workspace `w`, in model order.
#[must_use]
pub fn visible_segmentations(model: &Model, w: usize) -> Vec<usize> {
    (0..model.segmentations.len()).filter(|&s| model.segmentations[s].visible_in.contains(&w)).collect()
}

/// Writes workspace `w`'s file at `path`; returns its row count.
pub fn write_workspace(
    files: &FileWriter,
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
    let schema = Schema::new(fields);
    // Min/max statistics of segment names would help no reader; person_id keeps page
    // statistics, so readers can prune by id. The embedded Arrow schema makes Arrow readers see
    // the segment columns as Dictionary(Int32, Utf8).
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_column_statistics_enabled(ColumnPath::from("person_id"), EnabledStatistics::Page)
        // Ids are unique: a dictionary would hash every one and then be abandoned. They ascend,
        // so their deltas bit-pack to a few bits each (one bit for dense ids), where plain
        // 32-bit values were half of every file and Snappy could not shrink them.
        .set_column_dictionary_enabled(ColumnPath::from("person_id"), false)
        .set_column_encoding(ColumnPath::from("person_id"), Encoding::DELTA_BINARY_PACKED)
        .set_column_compression(ColumnPath::from("person_id"), Compression::UNCOMPRESSED)
        .build();
    add_encoded_arrow_schema_to_metadata(&schema, &mut props);
    let parquet_schema = ArrowSchemaConverter::new().convert(&schema).map_err(write_err)?;
    let file = files.create(path)?;
    let mut writer =
        SerializedFileWriter::new(file, parquet_schema.root_schema_ptr(), Arc::new(props)).map_err(write_err)?;
    let dictionaries: Vec<Vec<&str>> = segmentations.iter().map(|&s| model.segmentations[s].segment_ids()).collect();

    // A person is in a segmentation's scope exactly when its origin sees the person's partition,
    // so which rows this file holds is a function of the partition code alone.
    let wanted: Vec<bool> = (0..codes.sees[w].len())
        .map(|code| {
            codes.sees[w][code] && segmentations.iter().any(|&s| codes.sees[model.segmentations[s].origin][code])
        })
        .collect();
    let mut rows = 0u64;
    let mut selected: Vec<usize> = Vec::with_capacity(MEMBERSHIP_ROW_GROUP_ROWS.min(table.len()));
    for i in 0..table.len() {
        if wanted[usize::from(table.partitions[i])] {
            selected.push(i);
            if selected.len() == MEMBERSHIP_ROW_GROUP_ROWS {
                write_row_group(&mut writer, &parquet_schema, table, segmentations, &dictionaries, &selected)
                    .map_err(write_err)?;
                rows += selected.len() as u64;
                selected.clear();
            }
        }
    }
    if !selected.is_empty() {
        write_row_group(&mut writer, &parquet_schema, table, segmentations, &dictionaries, &selected)
            .map_err(write_err)?;
        rows += selected.len() as u64;
    }
    // Synced with the whole run by `Staging::publish`.
    writer.into_inner().map_err(write_err)?.finish()?;
    Ok(rows)
}

fn write_row_group<W: Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    schema: &SchemaDescriptor,
    table: &PeopleTable,
    segmentations: &[usize],
    dictionaries: &[Vec<&str>],
    selected: &[usize],
) -> parquet::errors::Result<()> {
    let mut row_group = writer.next_row_group()?;
    let Some(mut ids) = row_group.next_column()? else {
        return Err(parquet::errors::ParquetError::General("membership schema has no person_id".into()));
    };
    // uint32 is stored as Parquet INT32 with an unsigned annotation: the bits, reinterpreted.
    let values: Vec<i32> = selected.iter().map(|&i| table.ids[i] as i32).collect();
    ids.typed::<Int32Type>().write_batch(&values, None, None)?;
    ids.close()?;
    // Column chunks are encoded in parallel (a workspace that sees every person and most
    // segmentations holds most of the cells), then appended in schema order.
    let chunks: Vec<_> = segmentations
        .par_iter()
        .enumerate()
        .map(|(k, &s)| {
            let column = table.codes[s].as_slice();
            // A workspace that sees every person selects whole runs of rows: borrow them.
            let codes: Cow<'_, [u8]> = match (selected.first(), selected.last()) {
                (Some(&first), Some(&last)) if last - first + 1 == selected.len() => {
                    Cow::Borrowed(&column[first..=last])
                }
                _ => Cow::Owned(selected.iter().map(|&i| column[i]).collect()),
            };
            encode_chunk(&schema.column(k + 1), &dictionaries[k], &codes, OUT_OF_SCOPE)
        })
        .collect::<parquet::errors::Result<_>>()?;
    for (bytes, close) in chunks {
        row_group.append_column(&bytes, close)?;
    }
    row_group.close()?;
    Ok(())
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
