//! `bitmaps/<W>/<S>/<segment>.roaring`: what workspace W sees of each segment, in the portable
//! Roaring format (`CRoaring`, Java/Go `RoaringBitmap` and pyroaring read it). Read back, checked,
//! by `PublishedRun::segment`.

use std::path::Path;

use super::file_writer::FileWriter;
use crate::engine::PersonSet;
use crate::error::Result;

/// Writes `set` as it is: callers `optimize()` built bitmaps first, once. Synced with the whole
/// run by `Staging::publish`.
pub fn write_bitmap(files: &FileWriter, path: &Path, set: &PersonSet) -> Result<()> {
    files.write(path, &set.portable_bytes())
}
