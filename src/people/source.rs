//! `PeopleSource`: the people files with their footers read (once), the unified schema, and the
//! parallel scan that feeds batches of only the needed columns to the engine.
//!
//! Row groups are scanned in parallel, and so are the batches of [`BATCH_ROWS`] rows within one:
//! a row group's batches are decoded in turn and each is handed to a free thread. A thread holds
//! one decoded batch of attributes at a time, whatever the size of the table, and a file of one
//! big row group still uses every core.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray, new_null_array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::file::metadata::ColumnChunkMetaData;
use rayon::prelude::*;

use super::chunks::ColumnChunks;
use super::files::{FileRef, discover};
use super::schema::PeopleSchema;
use crate::entry::{FileStamp, open_regular};
use crate::error::{Error, PeopleIssue, Result, catch_reader_panic};
use crate::location::Location;
use crate::rule::{TypeFamily, family_of};
use crate::store::RemoteObject;
use crate::tuning::BATCH_ROWS;

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub hive: Vec<(String, Option<String>)>,
    pub metadata: ArrowReaderMetadata,
    pub rows: u64,
    /// Where the bytes are, pinned to what the footer was read from.
    pub origin: Origin,
}

/// Where a people file's bytes are read from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A local file, as its footer was read: a scan that finds it otherwise stops (see
    /// `scan_unit`).
    Local(FileStamp),
    /// An object, each read `If-Match` its listed `ETag`.
    Remote(RemoteObject),
}

#[derive(Debug, Clone)]
pub struct PeopleSource {
    pub root: PathBuf,
    pub files: Vec<SourceFile>,
    pub schema: PeopleSchema,
    /// Schema problems (type conflicts across files); reported with the model's errors.
    pub issues: Vec<PeopleIssue>,
    /// A shard's ids (SPEC §8): only row groups whose id statistics overlap them are read.
    pub window: Option<IdWindow>,
}

/// The ids a shard computes: `range` (end exclusive) of column `column`.
#[derive(Debug, Clone)]
pub struct IdWindow {
    pub column: String,
    pub range: std::ops::Range<u64>,
}

/// What to read: the id, the partition, and the attribute columns rules use, in this order.
pub struct ScanColumns<'a> {
    pub id: &'a str,
    pub partition: &'a str,
    pub attributes: &'a [(String, TypeFamily)],
}

/// One decoded batch. `columns[i]` belongs to `ScanColumns::attributes[i]`.
pub struct RawBatch {
    pub file: usize,
    /// Row number, within the file, of the batch's first row.
    pub first_row: u64,
    pub ids: ArrayRef,
    pub partitions: ArrayRef,
    pub columns: Vec<ArrayRef>,
}

impl PeopleSource {
    /// Finds the files at `location` and reads their footers (in parallel).
    pub fn open(location: &Location) -> Result<Self> {
        let refs = discover(location)?;
        let files: Vec<SourceFile> = refs.into_par_iter().map(open_file).collect::<Result<_>>()?;
        let mut schema = PeopleSchema::default();
        let mut issues = Vec::new();
        for file in &files {
            for field in file.metadata.schema().fields() {
                schema.add(field.name(), field.data_type(), &file.path, false, &mut issues);
            }
        }
        // Hive folder columns count where the files do not hold the column; they are strings.
        for file in &files {
            for (name, _) in &file.hive {
                if file.metadata.schema().field_with_name(name).is_err() {
                    schema.add(name, &DataType::Utf8, &file.path, true, &mut issues);
                }
            }
        }
        for (index, file) in files.iter().enumerate() {
            for column in schema.columns.values_mut() {
                if !file.has_column(&column.name) {
                    column.missing_in.push(index);
                }
            }
        }
        Ok(Self { root: location.message_path(), files, schema, issues, window: None })
    }

    /// From now on, scans read only the row groups whose id statistics overlap `window` (every
    /// row group without statistics); the rows outside it are the caller's to drop.
    pub fn restrict(&mut self, window: IdWindow) {
        self.window = Some(window);
    }

    /// Whether row group `rg` of `file` may hold ids of the window (always, without one).
    fn in_window(&self, file: &SourceFile, rg: usize) -> bool {
        let Some(window) = &self.window else {
            return true;
        };
        let (min, max) = id_bounds(file, &window.column, rg..rg + 1).pop().unwrap_or_default();
        let (start, end) = (window.range.start as i64, window.range.end as i64);
        min.is_none_or(|min| min < end) && max.is_none_or(|max| max >= start)
    }

    /// Rows the footers claim, of the row groups scans read.
    #[must_use]
    pub fn total_rows(&self) -> u64 {
        if self.window.is_none() {
            return self.files.iter().map(|f| f.rows).sum();
        }
        self.units(|_, _| true)
            .iter()
            .map(|&(file, rg, _)| self.files[file].metadata.metadata().row_group(rg).num_rows().max(0) as u64)
            .sum()
    }

    /// The smallest and largest id over every file, from the row groups' statistics: `None`
    /// unless every row group states both within `u32`. Statistics are a file's claim, not a
    /// check: a caller relying on them must handle ids outside.
    /// With a window, the range is that of the row groups read, cut to the window.
    pub fn id_range(&self, id_column: &str) -> Option<(u32, u32)> {
        let mut range: Option<(u32, u32)> = None;
        for file in &self.files {
            let row_groups = 0..file.metadata.metadata().num_row_groups();
            for (rg, (min, max)) in row_groups.clone().zip(id_bounds(file, id_column, row_groups)) {
                if !self.in_window(file, rg) {
                    continue;
                }
                let (min, max) = (u32::try_from(min?).ok()?, u32::try_from(max?).ok()?);
                range = Some(range.map_or((min, max), |(lo, hi)| (lo.min(min), hi.max(max))));
            }
        }
        match (&self.window, range) {
            (Some(window), Some((min, max))) => {
                let (start, last) = (window.range.start, window.range.end.saturating_sub(1));
                let (min, max) = (u64::from(min).max(start), u64::from(max).min(last));
                (min <= max).then_some((min as u32, max as u32))
            }
            (_, range) => range,
        }
    }

    /// The smallest and largest id over every file by the statistics, whatever the window: what
    /// every shard cuts the id space from.
    pub fn claimed_id_range(&self, id_column: &str) -> Option<(u32, u32)> {
        let unrestricted = Self { window: None, ..self.clone() };
        unrestricted.id_range(id_column)
    }

    /// Decodes every row of every file, calling `f` on each batch in parallel; results come back
    /// in file, row-group and batch order, whatever the thread timing.
    pub fn scan<T: Send>(&self, columns: &ScanColumns<'_>, f: impl Fn(RawBatch) -> Result<T> + Sync) -> Result<Vec<T>> {
        self.scan_units(self.units(|_, _| true), columns, f)
    }

    /// Every (file, row group, first row) whose row group `keep` accepts.
    fn units(&self, keep: impl Fn(&SourceFile, usize) -> bool) -> Vec<(usize, usize, u64)> {
        let mut units = Vec::new();
        for (file_index, file) in self.files.iter().enumerate() {
            let mut first_row = 0u64;
            for (rg, meta) in file.metadata.metadata().row_groups().iter().enumerate() {
                if keep(file, rg) && self.in_window(file, rg) {
                    units.push((file_index, rg, first_row));
                }
                first_row += meta.num_rows() as u64;
            }
        }
        units
    }

    /// Like [`Self::scan`], over only the row groups whose id statistics may hold `id` (every
    /// row group of a file without usable statistics).
    pub fn scan_for_id<T: Send>(
        &self,
        columns: &ScanColumns<'_>,
        id: u32,
        f: impl Fn(RawBatch) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        let units = self.units(|file, rg| may_hold_id(file, columns.id, rg, id));
        self.scan_units(units, columns, f)
    }

    fn scan_units<T: Send>(
        &self,
        units: Vec<(usize, usize, u64)>,
        columns: &ScanColumns<'_>,
        f: impl Fn(RawBatch) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        Ok(self.scan_grouped(units, columns, f, |batches| batches)?.into_iter().flatten().collect())
    }

    /// Scans `units` in parallel, each unit's results passed through `per_unit`.
    fn scan_grouped<T: Send, U: Send>(
        &self,
        units: Vec<(usize, usize, u64)>,
        columns: &ScanColumns<'_>,
        f: impl Fn(RawBatch) -> Result<T> + Sync,
        per_unit: impl Fn(Vec<T>) -> U + Sync,
    ) -> Result<Vec<U>> {
        units
            .into_par_iter()
            .map(|(file, rg, first_row)| Ok(per_unit(self.scan_unit(file, rg, first_row, columns, &f)?)))
            .collect()
    }

    fn scan_unit<T>(
        &self,
        file_index: usize,
        row_group: usize,
        first_row: u64,
        columns: &ScanColumns<'_>,
        f: &(impl Fn(RawBatch) -> Result<T> + Sync),
    ) -> Result<Vec<T>>
    where
        T: Send,
    {
        let file = &self.files[file_index];
        let parquet_err = |source| Error::Parquet { path: file.path.clone(), source };
        let file_schema = file.metadata.schema();
        let rg_meta = file.metadata.metadata().row_group(row_group);

        // Which root columns to read, and a schema hint that keeps strings dictionary-encoded
        // where the pages are (one predicate per distinct value) and reads views elsewhere.
        let mut wanted: Vec<&str> = vec![columns.id, columns.partition];
        wanted.extend(columns.attributes.iter().map(|(n, _)| n.as_str()));
        let parquet_schema = file.metadata.metadata().file_metadata().schema_descr();
        let mut roots = Vec::new();
        let mut hinted: Vec<Field> = file_schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        for name in &wanted {
            let Ok(root) = file_schema.index_of(name) else {
                continue;
            };
            if roots.contains(&root) {
                continue;
            }
            roots.push(root);
            let field = hinted[root].clone();
            // Decimals stored as 32- or 64-bit integers fit 64 bits: read as such, they decode
            // to half the bytes and compare four to a vector (`rule::Column::Decimal64`).
            if let DataType::Decimal128(precision, scale) = field.data_type() {
                let leaf = (0..parquet_schema.num_columns()).find(|&i| parquet_schema.get_column_root_idx(i) == root);
                let integer = leaf.is_some_and(|leaf| {
                    matches!(parquet_schema.column(leaf).physical_type(), PhysicalType::INT32 | PhysicalType::INT64)
                });
                if integer && *precision <= 18 {
                    hinted[root] = field.clone().with_data_type(DataType::Decimal64(*precision, *scale));
                }
            }
            if family_of(field.data_type()) == Some(TypeFamily::Text) {
                let leaf = (0..parquet_schema.num_columns()).find(|&i| parquet_schema.get_column_root_idx(i) == root);
                let dictionary = leaf.is_some_and(|leaf| all_dictionary_encoded(rg_meta.column(leaf)));
                let hint = if dictionary {
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
                } else {
                    DataType::Utf8View
                };
                hinted[root] = field.clone().with_data_type(hint);
            }
        }
        let hinted = Arc::new(Schema::new_with_metadata(hinted, file_schema.metadata().clone()));
        let options = ArrowReaderOptions::new().with_schema(hinted);
        let metadata = ArrowReaderMetadata::try_new(file.metadata.metadata().clone(), options).map_err(parquet_err)?;
        // The projected column chunks of this row group, read into memory (see `ColumnChunks`).
        let leaves =
            (0..parquet_schema.num_columns()).filter(|&i| roots.contains(&parquet_schema.get_column_root_idx(i)));
        let decode_err = |source| Error::Decode { path: file.path.clone(), row_group, source };
        let chunks = match &file.origin {
            Origin::Local(stamp) => {
                // The file is opened again (not kept open: a dataset may have more files than
                // the process may hold open), and must still be the one whose footer was read:
                // else the footer's offsets point into other bytes.
                // One check, after the read: the read is bounded by the footer's length, and its
                // error waits for the check, which catches any change before or during it.
                let handle = open_regular(&file.path)?;
                let chunks = ColumnChunks::read(&handle, stamp.len, leaves.map(|i| rg_meta.column(i)));
                stamp.check(&file.path, &handle)?;
                chunks.map_err(decode_err)?
            }
            Origin::Remote(object) => {
                let ranges =
                    ColumnChunks::ranges(object.size, leaves.map(|i| rg_meta.column(i))).map_err(decode_err)?;
                ColumnChunks::new(object.size, object.fetch(&ranges)?)
            }
        };
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(chunks, metadata);
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let mut reader = catch_reader_panic(|| {
            builder.with_projection(mask).with_row_groups(vec![row_group]).with_batch_size(BATCH_ROWS).build()
        })
        .and_then(|built| built)
        .map_err(parquet_err)?;
        // The reader panics on some corrupt pages: each call is guarded, and a panic is this
        // row group's decoding error (the reader is not asked for more after it).
        let reader = std::iter::from_fn(move || match catch_reader_panic(|| reader.next()) {
            Ok(next) => next,
            Err(panic) => Some(Err(arrow_schema::ArrowError::ExternalError(Box::new(panic)))),
        });

        // Batches are decoded one at a time (the reader is sequential) and handed to whichever
        // thread is free, so one row group keeps every core busy: while one thread decodes the
        // next batch, the others run `f` on the ones before. Each carries its index, which
        // restores the order afterwards, so the first error in file order is the one reported
        // whatever the thread timing. The reader is not asked for more after an error.
        let mut row = first_row;
        let mut failed = false;
        let numbered = reader.enumerate().map_while(move |(index, batch)| {
            if failed {
                return None;
            }
            failed = batch.is_err();
            let start = row;
            if let Ok(batch) = &batch {
                row += batch.num_rows() as u64;
            }
            Some((index, start, batch))
        });
        let mut out: Vec<(usize, Result<T>)> = numbered
            .par_bridge()
            .map(|(index, start, batch)| {
                let result = batch
                    .map_err(|source| Error::Decode { path: file.path.clone(), row_group, source: source.into() })
                    .and_then(|batch| f(self.raw_batch(file_index, start, &batch, columns)));
                (index, result)
            })
            .collect();
        out.sort_unstable_by_key(|(index, _)| *index);
        out.into_iter().map(|(_, result)| result).collect()
    }

    /// The scan's view of one decoded batch: columns a file lacks are filled in, from its hive
    /// folders or as nulls.
    fn raw_batch(&self, file_index: usize, first_row: u64, batch: &RecordBatch, columns: &ScanColumns<'_>) -> RawBatch {
        let file = &self.files[file_index];
        let len = batch.num_rows();
        let column = |name: &str, data_type: &DataType| -> ArrayRef {
            if let Some(array) = batch.column_by_name(name) {
                return array.clone();
            }
            match file.hive.iter().rev().find(|(h, _)| h == name) {
                Some((_, value)) => constant_text(value.as_deref(), len),
                None => new_null_array(data_type, len),
            }
        };
        let attributes = columns
            .attributes
            .iter()
            .map(|(name, _)| {
                let data_type = self.schema.get(name).map_or(DataType::Utf8, |c| c.data_type.clone());
                column(name, &data_type)
            })
            .collect();
        RawBatch {
            file: file_index,
            first_row,
            ids: column(columns.id, &DataType::Int64),
            partitions: column(columns.partition, &DataType::Utf8),
            columns: attributes,
        }
    }
}

fn open_file(file: FileRef) -> Result<SourceFile> {
    if let Some(object) = file.object {
        return open_object(file.path, file.hive, object);
    }
    let reader = open_regular(&file.path)?;
    let stamp = FileStamp::of(&file.path, &reader)?;
    let loaded =
        catch_reader_panic(|| ArrowReaderMetadata::load(&reader, ArrowReaderOptions::new())).and_then(|loaded| loaded);
    // A footer read while the file was being written says nothing: that comes first.
    stamp.check(&file.path, &reader)?;
    let metadata = loaded.map_err(|source| Error::Parquet { path: file.path.clone(), source })?;
    let rows = metadata.metadata().file_metadata().num_rows().max(0) as u64;
    Ok(SourceFile { path: file.path, hive: file.hive, metadata, rows, origin: Origin::Local(stamp) })
}

/// The bytes at the end of an object fetched for its footer at once: most footers fit, and
/// a larger one costs one more request.
const FOOTER_GUESS: u64 = 64 << 10;

/// Reads an object's footer: its last [`FOOTER_GUESS`] bytes, then the rest of the metadata if
/// it is longer, each fetched `If-Match` the listed `ETag`.
fn open_object(path: PathBuf, hive: Vec<(String, Option<String>)>, object: RemoteObject) -> Result<SourceFile> {
    let size = object.size;
    let parquet_err = |source| Error::Parquet { path: path.clone(), source };
    let tail = object.fetch(std::slice::from_ref(&(size.saturating_sub(FOOTER_GUESS)..size)))?;
    let mut chunks = ColumnChunks::new(size, tail.clone());
    // The footer's last 8 bytes: the metadata's length, then `PAR1`.
    if let Some((at, bytes)) = tail.first()
        && bytes.len() >= 8
        && size >= 8
    {
        let len_bytes: [u8; 4] = bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap_or_default();
        let needed = u64::from(u32::from_le_bytes(len_bytes)) + 8;
        if needed > size - at && needed <= size {
            chunks = ColumnChunks::new(size, object.fetch(std::slice::from_ref(&(size - needed..size)))?);
        }
    }
    let metadata = catch_reader_panic(|| ArrowReaderMetadata::load(&chunks, ArrowReaderOptions::new()))
        .and_then(|loaded| loaded)
        .map_err(parquet_err)?;
    let rows = metadata.metadata().file_metadata().num_rows().max(0) as u64;
    Ok(SourceFile { path, hive, metadata, rows, origin: Origin::Remote(object) })
}

/// Can row group `rg` of `file` hold person `id`, by its id column's min/max statistics?
fn may_hold_id(file: &SourceFile, id_column: &str, rg: usize, id: u32) -> bool {
    let (min, max) = id_bounds(file, id_column, rg..rg + 1).pop().unwrap_or_default();
    let id = i64::from(id);
    min.is_none_or(|min| min <= id) && max.is_none_or(|max| id <= max)
}

/// The id column's (min, max) statistics of row groups `rgs` of `file`, one pair each; a bound
/// the file does not state (or a column without statistics) is `None`.
fn id_bounds(file: &SourceFile, id_column: &str, rgs: std::ops::Range<usize>) -> Vec<(Option<i64>, Option<i64>)> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
    let metadata = file.metadata.metadata();
    let Some(row_groups) = metadata.row_groups().get(rgs) else {
        return Vec::new();
    };
    let unknown = || vec![(None, None); row_groups.len()];
    let Ok(converter) =
        StatisticsConverter::try_new(id_column, file.metadata.schema(), metadata.file_metadata().schema_descr())
    else {
        return unknown();
    };
    let bounds = |array: parquet::errors::Result<ArrayRef>| -> Option<Vec<Option<i64>>> {
        let wide = arrow_cast::cast(&array.ok()?, &DataType::Int64).ok()?;
        let values = wide.as_primitive::<Int64Type>();
        (values.len() == row_groups.len()).then(|| values.iter().collect())
    };
    match (bounds(converter.row_group_mins(row_groups)), bounds(converter.row_group_maxes(row_groups))) {
        (Some(mins), Some(maxes)) => mins.into_iter().zip(maxes).collect(),
        _ => unknown(),
    }
}

/// Is every data page of this column chunk dictionary-encoded?
fn all_dictionary_encoded(column: &ColumnChunkMetaData) -> bool {
    if column.dictionary_page_offset().is_none() {
        return false;
    }
    match column.page_encoding_stats_mask() {
        Some(mask) => mask.is_only(Encoding::PLAIN_DICTIONARY) || mask.is_only(Encoding::RLE_DICTIONARY),
        None => true,
    }
}

/// A column that holds one value (a hive folder's) on every row, as a one-entry dictionary.
fn constant_text(value: Option<&str>, len: usize) -> ArrayRef {
    let keys = match value {
        Some(_) => Int32Array::from(vec![0; len]),
        None => Int32Array::new_null(len),
    };
    let values = StringArray::from(vec![value.unwrap_or_default()]);
    Arc::new(DictionaryArray::<Int32Type>::new(keys, Arc::new(values)))
}

impl RawBatch {
    /// The batch without the rows whose ids are outside `range` (a shard's, SPEC §8), before
    /// anything counts them. A null id, or one that is no integer in `i64`, stays: classifying
    /// reports it, in every shard. Row numbers of a batch that lost rows no longer match the
    /// file's, which only messages about duplicate ids use.
    pub fn within(self, range: &std::ops::Range<u64>) -> std::result::Result<Self, arrow_schema::ArrowError> {
        use arrow_array::cast::AsArray;
        use arrow_array::types::Int64Type;
        let wide = arrow_cast::cast(&self.ids, &DataType::Int64)?;
        let keep: arrow_array::BooleanArray = wide
            .as_primitive::<Int64Type>()
            .iter()
            .map(|id| Some(id.is_none_or(|id| u64::try_from(id).is_ok_and(|id| range.contains(&id)))))
            .collect();
        if keep.true_count() == keep.len() {
            return Ok(self);
        }
        let filter = |array: &ArrayRef| arrow_select::filter::filter(array, &keep);
        Ok(Self {
            file: self.file,
            first_row: self.first_row,
            ids: filter(&self.ids)?,
            partitions: filter(&self.partitions)?,
            columns: self.columns.iter().map(filter).collect::<std::result::Result<_, _>>()?,
        })
    }
}

impl SourceFile {
    #[must_use]
    pub fn has_column(&self, name: &str) -> bool {
        self.metadata.schema().field_with_name(name).is_ok() || self.hive.iter().any(|(h, _)| h == name)
    }

    #[must_use]
    pub fn column_type(&self, name: &str) -> Option<&DataType> {
        self.metadata.schema().field_with_name(name).ok().map(arrow_schema::Field::data_type)
    }
}
