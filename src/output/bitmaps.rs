//! `bitmaps/<W>/<S>/<segment>.roaring`: what workspace W sees of each segment, in the portable
//! Roaring format (`CRoaring`, Java/Go `RoaringBitmap` and pyroaring read it).

use std::fs::File;
use std::path::Path;

use roaring::RoaringBitmap;

use crate::engine::PersonSet;
use crate::error::{Error, Result};

/// Writes `set` as it is: callers `optimize()` built bitmaps first, once.
pub fn write_bitmap(path: &Path, set: &PersonSet) -> Result<()> {
    // Serialised in memory and written with one call: the page cache then fills whole pages
    // instead of zeroing the rest of each page a small buffered write touches. Synced with the
    // whole run by `Staging::publish`.
    std::fs::write(path, set.portable_bytes()).map_err(|source| Error::Write { path: path.to_owned(), source })
}

pub fn read_bitmap(path: &Path) -> Result<RoaringBitmap> {
    let file = File::open(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    RoaringBitmap::deserialize_from(std::io::BufReader::new(file))
        .map_err(|source| Error::Read { path: path.to_owned(), source })
}
