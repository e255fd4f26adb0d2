//! `bitmaps/<W>/<S>/<segment>.roaring`: what workspace W sees of each segment, in the portable
//! Roaring format (`CRoaring`, Java/Go `RoaringBitmap` and pyroaring read it).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use roaring::RoaringBitmap;

use crate::error::{Error, Result};

pub fn write_bitmap(path: &Path, mut bitmap: RoaringBitmap) -> Result<()> {
    let err = |source| Error::Write { path: path.to_owned(), source };
    bitmap.optimize();
    let file = File::create(path).map_err(err)?;
    let mut out = BufWriter::new(file);
    bitmap.serialize_into(&mut out).map_err(err)?;
    out.flush().map_err(err)?;
    out.into_inner().map_err(|e| err(e.into_error()))?.sync_all().map_err(err)
}

pub fn read_bitmap(path: &Path) -> Result<RoaringBitmap> {
    let file = File::open(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    RoaringBitmap::deserialize_from(std::io::BufReader::new(file))
        .map_err(|source| Error::Read { path: path.to_owned(), source })
}
