//! Static lists (`member_of_list`): `lists/<id>.parquet`, one integer column `person_id`, loaded
//! into a Roaring bitmap.

use std::path::Path;

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::ChunkReader;
use roaring::RoaringBitmap;

use crate::engine::ids::to_u32;
use crate::entry::{is_not_found, open_regular};
use crate::error::{Error, Result};
use crate::location::Location;
use crate::store::read_object;

/// The column a list file must have.
pub const LIST_COLUMN: &str = "person_id";

/// Loads list `id` from `location` (a local file, or an object read whole: lists are small, and
/// their one column is all there is to read).
pub fn load_list(id: &str, location: &Location) -> Result<RoaringBitmap> {
    let path = location.message_path();
    let missing = || Error::List {
        list: id.to_owned(),
        path: path.clone(),
        reason: format!(
            "the file does not exist, but a rule uses `\"member_of_list\": \"{id}\"`; add it (one integer column `{LIST_COLUMN}`) or remove the rule"
        ),
    };
    match location {
        Location::Local(local) => match open_regular(local) {
            Ok(file) => read_list(id, local, file),
            Err(e) if is_not_found(&e) => Err(missing()),
            Err(e) => Err(e),
        },
        Location::Remote(place) => read_list(id, &path, read_object(place)?.ok_or_else(missing)?),
    }
}

fn read_list<R: ChunkReader + 'static>(id: &str, path: &Path, reader: R) -> Result<RoaringBitmap> {
    let fail = |reason: String| Error::List { list: id.to_owned(), path: path.to_owned(), reason };
    let builder = ParquetRecordBatchReaderBuilder::try_new(reader)
        .map_err(|source| Error::Parquet { path: path.to_owned(), source })?;
    let Ok(root) = builder.schema().index_of(LIST_COLUMN) else {
        let found: Vec<String> = builder.schema().fields().iter().map(|f| format!("`{}`", f.name())).collect();
        return Err(fail(format!(
            "it has no `{LIST_COLUMN}` column (found {}); rename the column of person ids to `{LIST_COLUMN}`",
            found.join(", ")
        )));
    };
    let data_type = builder.schema().field(root).data_type().clone();
    if !data_type.is_integer() {
        return Err(fail(format!(
            "`{LIST_COLUMN}` has type {data_type}; it must be an integer: write the ids as integers"
        )));
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), [root]);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|source| Error::Parquet { path: path.to_owned(), source })?;
    let mut members = RoaringBitmap::new();
    let mut row = 0u64;
    for batch in reader {
        let batch =
            batch.map_err(|source| Error::Arrow { path: path.to_owned(), column: LIST_COLUMN.into(), source })?;
        let (ids, problems) = to_u32(batch.column(0)).map_err(|source| Error::Arrow {
            path: path.to_owned(),
            column: LIST_COLUMN.into(),
            source,
        })?;
        if let Some(&r) = problems.null_rows.first() {
            return Err(fail(format!(
                "`{LIST_COLUMN}` is null at row {} (rows count from 0); fill in the id or drop the row",
                row + r as u64
            )));
        }
        if let Some((r, v)) = problems.out_of_range_rows.first() {
            return Err(fail(format!(
                "`{LIST_COLUMN}` {v} at row {} (rows count from 0) is outside 0..=4294967295, the range of person ids; fix or drop the row",
                row + *r as u64
            )));
        }
        members.extend(ids);
        row += batch.num_rows() as u64;
    }
    Ok(members)
}
