//! `bitmaps/<W>/<S>/<segment>.roaring`: what workspace W sees of each segment, in the portable
//! Roaring format (`CRoaring`, Java/Go `RoaringBitmap` and pyroaring read it).

use std::fs::File;
use std::path::Path;

use roaring::RoaringBitmap;

use super::file_writer::FileWriter;
use crate::engine::PersonSet;
use crate::error::{Error, Result};

/// Writes `set` as it is: callers `optimize()` built bitmaps first, once. Synced with the whole
/// run by `Staging::publish`.
pub fn write_bitmap(files: &FileWriter, path: &Path, set: &PersonSet) -> Result<()> {
    files.write(path, &set.portable_bytes())
}

pub fn read_bitmap(path: &Path) -> Result<RoaringBitmap> {
    let file = File::open(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    RoaringBitmap::deserialize_from(std::io::BufReader::new(file))
        .map_err(|source| Error::Read { path: path.to_owned(), source })
}
