//! A small Parquet file of a run written from rows (changes.parquet, history.parquet): rows in
//! chunks of 64 Ki, each chunk's columns made by the caller, Snappy.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::Schema;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};

/// Writes `rows` to `path` with `schema`, `columns` giving a chunk's arrays in schema order.
pub fn write_rows<T>(
    path: &Path,
    schema: &Arc<Schema>,
    rows: &[T],
    columns: impl Fn(&[T]) -> Vec<ArrayRef>,
) -> Result<()> {
    let write_err = |source| Error::ParquetWrite { path: path.to_owned(), source };
    let file = File::create(path).map_err(|source| Error::Write { path: path.to_owned(), source })?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(write_err)?;
    for chunk in rows.chunks(64 * 1024) {
        let batch = RecordBatch::try_new(schema.clone(), columns(chunk)).map_err(|e| write_err(e.into()))?;
        writer.write(&batch).map_err(write_err)?;
    }
    // Synced with the whole run by `Staging::publish`.
    writer.into_inner().map_err(write_err)?;
    Ok(())
}
