//! Reading objects: whole small ones ([`read_object`]), and byte ranges of a large one pinned to
//! the version whose footer was read ([`RemoteObject::fetch`]): nearby ranges coalesced, long
//! ones split, many requests in flight, each `If-Match` the object's `ETag` so that a file
//! rewritten mid-run is an error, never a mix of two versions.

use std::ops::Range;

use bytes::{Bytes, BytesMut};
use futures::{StreamExt, TryStreamExt};
use object_store::{GetOptions, GetRange, ObjectMeta, ObjectStore, ObjectStoreExt, UpdateVersion};

use super::place::RemotePlace;
use super::runtime::block_on;
use crate::error::{Error, Result, StoreProblem};
use crate::tuning::{FETCH_COALESCE_GAP, FETCH_PIECE_BYTES, FETCHES_IN_FLIGHT};

/// The bytes of the object at `place`, or `None` when there is none.
pub fn read_object(place: &RemotePlace) -> Result<Option<Bytes>> {
    block_on(async {
        match place.store.get(&place.path).await {
            Ok(got) => got.bytes().await.map(Some),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .map_err(|e| place.failed(e))
}

/// The bytes of the object at `place` with the version a conditional write must replace, or
/// `None` when there is none (`current.json`, `lock.json`).
pub fn read_versioned(place: &RemotePlace) -> Result<Option<(Bytes, UpdateVersion)>> {
    block_on(async {
        match place.store.get(&place.path).await {
            Ok(got) => {
                let version = UpdateVersion { e_tag: got.meta.e_tag.clone(), version: got.meta.version.clone() };
                got.bytes().await.map(|bytes| Some((bytes, version)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .map_err(|e| place.failed(e))
}

/// Deletes the object at `place`; nothing there is fine.
pub fn delete_object(place: &RemotePlace) -> Result<()> {
    match block_on(place.store.delete(&place.path)) {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(place.failed(e)),
    }
}

/// One object of a dataset, as listed: where it is, its size and its version.
#[derive(Debug, Clone)]
pub struct RemoteObject {
    pub place: RemotePlace,
    pub size: u64,
    pub e_tag: Option<String>,
}

/// The same object version: the same URL, size and `ETag`.
impl PartialEq for RemoteObject {
    fn eq(&self, other: &Self) -> bool {
        self.place.url() == other.place.url() && self.size == other.size && self.e_tag == other.e_tag
    }
}

impl RemoteObject {
    #[must_use]
    pub fn new(place: &RemotePlace, meta: ObjectMeta) -> Self {
        Self { place: place.at(meta.location), size: meta.size, e_tag: meta.e_tag }
    }

    /// The object at `place`, if there is one.
    pub fn head(place: &RemotePlace) -> Result<Option<Self>> {
        match block_on(place.store.head(&place.path)) {
            Ok(meta) => Ok(Some(Self::new(place, meta))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(place.failed(e)),
        }
    }

    /// The bytes of `ranges` (each inside the object), as (offset, bytes) pieces that cover them:
    /// ranges less than [`FETCH_COALESCE_GAP`] apart are fetched as one, and fetches longer than
    /// [`FETCH_PIECE_BYTES`] are split, [`FETCHES_IN_FLIGHT`] at a time.
    pub fn fetch(&self, ranges: &[Range<u64>]) -> Result<Vec<(u64, Bytes)>> {
        let merged = coalesce(ranges, FETCH_COALESCE_GAP);
        let pieces: Vec<Range<u64>> = merged.iter().flat_map(|r| split(r.clone(), FETCH_PIECE_BYTES)).collect();
        let store = &self.place.store;
        let fetched: Vec<Bytes> = block_on(
            futures::stream::iter(pieces.iter().cloned())
                .map(|range| self.get_range(store.as_ref(), range))
                .buffered(FETCHES_IN_FLIGHT)
                .try_collect(),
        )
        .map_err(|e| self.error(e))?;
        // Pieces come back in order: put each merged range's pieces back together.
        let mut out = Vec::with_capacity(merged.len());
        let mut fetched = fetched.into_iter();
        for range in merged {
            let pieces = split(range.clone(), FETCH_PIECE_BYTES).len();
            let parts: Vec<Bytes> = fetched.by_ref().take(pieces).collect();
            let bytes = if parts.len() == 1 {
                parts.into_iter().next().unwrap_or_default()
            } else {
                let mut joined = BytesMut::with_capacity((range.end - range.start) as usize);
                for part in parts {
                    joined.extend_from_slice(&part);
                }
                joined.freeze()
            };
            if bytes.len() as u64 != range.end - range.start {
                return Err(Error::Store { url: self.place.url(), problem: StoreProblem::Changed });
            }
            out.push((range.start, bytes));
        }
        Ok(out)
    }

    async fn get_range(&self, store: &dyn ObjectStore, range: Range<u64>) -> object_store::Result<Bytes> {
        let options =
            GetOptions { range: Some(GetRange::Bounded(range)), if_match: self.e_tag.clone(), ..GetOptions::default() };
        store.get_opts(&self.place.path, options).await?.bytes().await
    }

    /// A failed fetch: a failed `If-Match` is the object changed since it was listed.
    fn error(&self, e: object_store::Error) -> Error {
        match e {
            object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. } => {
                Error::Store { url: self.place.url(), problem: StoreProblem::Changed }
            }
            e => self.place.failed(e),
        }
    }
}

/// `ranges` sorted and merged where less than `gap` bytes apart.
fn coalesce(ranges: &[Range<u64>], gap: u64) -> Vec<Range<u64>> {
    let mut sorted: Vec<Range<u64>> = ranges.iter().filter(|r| r.start < r.end).cloned().collect();
    sorted.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::new();
    for range in sorted {
        match out.last_mut() {
            Some(last) if range.start <= last.end.saturating_add(gap) => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// `range` cut into pieces of at most `piece` bytes.
fn split(range: Range<u64>, piece: u64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let end = range.end.min(start.saturating_add(piece));
        out.push(start..end);
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalesces_nearby_ranges_and_splits_long_ones() {
        assert_eq!(coalesce(&[20..30, 0..10, 12..15, 100..110], 5), vec![0..30, 100..110]);
        assert_eq!(coalesce(&[0..10, 5..8, 10..10], 0), vec![0..10], "contained and empty ranges");
        assert_eq!(split(0..10, 4), vec![0..4, 4..8, 8..10]);
        assert_eq!(split(3..3, 4), Vec::<Range<u64>>::new());
    }
}
