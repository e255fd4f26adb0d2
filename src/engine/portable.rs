//! `PortableBitmap`: a Roaring bitmap held in the portable format it is written in
//! (<https://github.com/RoaringBitmap/RoaringFormatSpec>), encoded straight from ascending ids.
//!
//! With sparse ids a segment of a million people spreads over all 65,536 containers, a dozen
//! ids each. Building those containers in memory (an allocation and a few reallocations each,
//! for every segment of every segmentation) cost more than the whole scan; encoding the bytes
//! from the sorted ids costs one pass and one allocation. The bytes are the ones
//! `RoaringBitmap::from_sorted_iter` + `optimize` + `serialize_into` give.

use roaring::RoaringBitmap;

const COOKIE_NO_RUNS: u32 = 12346;
const COOKIE_RUNS: u32 = 12347;
/// With run containers, the offset header is only written from this many containers on.
const NO_OFFSET_THRESHOLD: usize = 4;
/// Containers above this many values are bitsets (when not runs).
const ARRAY_LIMIT: usize = 4096;
const BITSET_BYTES: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortableBitmap {
    bytes: Vec<u8>,
    len: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Array,
    Bitset,
    Runs,
}

/// One container: the ids `ids[start..start + len]`, which share their high 16 bits `key`.
struct Container {
    key: u16,
    start: usize,
    len: usize,
    runs: usize,
    kind: Kind,
}

impl Container {
    fn data_bytes(&self) -> usize {
        match self.kind {
            Kind::Array => 2 * self.len,
            Kind::Bitset => BITSET_BYTES,
            Kind::Runs => 2 + 4 * self.runs,
        }
    }
}

impl PortableBitmap {
    /// The bitmap of `ids`, which must be strictly ascending.
    #[must_use]
    pub fn from_sorted(ids: &[u32]) -> Self {
        debug_assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids must be strictly ascending");
        let containers = containers(ids);
        let count = containers.len();
        let has_runs = containers.iter().any(|c| c.kind == Kind::Runs);
        let has_offsets = !has_runs || count >= NO_OFFSET_THRESHOLD;
        let header =
            if has_runs { 4 + count.div_ceil(8) } else { 8 } + 4 * count + if has_offsets { 4 * count } else { 0 };
        let size = header + containers.iter().map(Container::data_bytes).sum::<usize>();

        let mut bytes = vec![0u8; size];
        let (head, mut data) = bytes.split_at_mut(header);
        let mut head = Cursor(head);
        if has_runs {
            // Count-1 in the cookie's high half, then one bit per container: is it runs?
            head.put(&(COOKIE_RUNS | ((count as u32 - 1) << 16)).to_le_bytes());
            let run_flags = head.take(count.div_ceil(8));
            for (i, c) in containers.iter().enumerate() {
                if c.kind == Kind::Runs {
                    run_flags[i / 8] |= 1 << (i % 8);
                }
            }
        } else {
            head.put(&COOKIE_NO_RUNS.to_le_bytes());
            head.put(&(count as u32).to_le_bytes());
        }
        for c in &containers {
            head.put(&c.key.to_le_bytes());
            // A container holds 1..=65536 values, stored less one.
            head.put(&((c.len - 1) as u16).to_le_bytes());
        }
        if has_offsets {
            let mut offset = header;
            for c in &containers {
                head.put(&(offset as u32).to_le_bytes());
                offset += c.data_bytes();
            }
        }
        for c in &containers {
            let values = &ids[c.start..c.start + c.len];
            let (out, rest) = data.split_at_mut(c.data_bytes());
            data = rest;
            match c.kind {
                Kind::Array => {
                    for (slot, &id) in out.chunks_exact_mut(2).zip(values) {
                        slot.copy_from_slice(&(id as u16).to_le_bytes());
                    }
                }
                Kind::Bitset => {
                    for &id in values {
                        let low = usize::from(id as u16);
                        out[low / 8] |= 1 << (low % 8);
                    }
                }
                Kind::Runs => {
                    let mut out = Cursor(out);
                    out.put(&(c.runs as u16).to_le_bytes());
                    for run in runs(values) {
                        out.put(&(run[0] as u16).to_le_bytes());
                        out.put(&((run[run.len() - 1] - run[0]) as u16).to_le_bytes());
                    }
                }
            }
        }
        Self { bytes, len: ids.len() as u64 }
    }

    /// Number of people in the set.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The portable bytes, as a `.roaring` file holds them.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The set as an in-memory bitmap, for set operations.
    #[must_use]
    pub fn to_bitmap(&self) -> RoaringBitmap {
        // The bytes were encoded above, so they are known to be valid.
        RoaringBitmap::deserialize_unchecked_from(self.bytes.as_slice()).unwrap_or_default()
    }
}

/// The containers of ascending `ids`, each with the smallest of the three layouts: runs when
/// they are smaller than the array or bitset the count calls for (`RoaringBitmap::optimize`'s
/// rule), so the bytes are the ones roaring-rs writes.
fn containers(ids: &[u32]) -> Vec<Container> {
    let mut containers = Vec::new();
    let mut start = 0;
    while start < ids.len() {
        let key = ids[start] >> 16;
        let (mut end, mut runs) = (start + 1, 1);
        while end < ids.len() && ids[end] >> 16 == key {
            runs += usize::from(ids[end] != ids[end - 1] + 1);
            end += 1;
        }
        let len = end - start;
        let plain = if len <= ARRAY_LIMIT { (Kind::Array, 2 * len) } else { (Kind::Bitset, BITSET_BYTES) };
        let kind = if 2 + 4 * runs < plain.1 { Kind::Runs } else { plain.0 };
        containers.push(Container { key: key as u16, start, len, runs, kind });
        start = end;
    }
    containers
}

/// Writes little-endian fields one after the other into a buffer sized for them.
struct Cursor<'a>(&'a mut [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> &'a mut [u8] {
        let (field, rest) = std::mem::take(&mut self.0).split_at_mut(n);
        self.0 = rest;
        field
    }

    fn put(&mut self, field: &[u8]) {
        self.take(field.len()).copy_from_slice(field);
    }
}

/// The runs of consecutive values in ascending `values`.
fn runs(values: &[u32]) -> impl Iterator<Item = &[u32]> {
    values.chunk_by(|a, b| *b == *a + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn roaring_bytes(ids: &[u32]) -> Vec<u8> {
        let mut bitmap = RoaringBitmap::from_sorted_iter(ids.iter().copied()).unwrap();
        bitmap.optimize();
        let mut bytes = Vec::new();
        bitmap.serialize_into(&mut bytes).unwrap();
        bytes
    }

    fn check(ids: &[u32]) {
        let portable = PortableBitmap::from_sorted(ids);
        assert_eq!(portable.bytes(), roaring_bytes(ids), "{} ids from {:?}", ids.len(), ids.first());
        assert_eq!(portable.len(), ids.len() as u64);
        assert_eq!(portable.to_bitmap().iter().collect::<Vec<_>>(), ids);
    }

    #[test]
    fn every_layout_matches_roaring_rs() {
        check(&[]);
        check(&[7]);
        check(&[0, u32::MAX]);
        // Arrays, one bitset, runs, with and without the offset header (fewer than 4 containers).
        check(&(0..100).map(|i| i * 3).collect::<Vec<_>>());
        check(&(0..5000).map(|i| i * 2).collect::<Vec<_>>());
        check(&(10..70_000).collect::<Vec<_>>());
        check(&(0..300_000).filter(|i| i % 7 != 0).collect::<Vec<_>>());
        check(&(0..10u32).map(|k| k << 16 | 5).chain(1 << 20..(1 << 20) + 9000).collect::<Vec<_>>());
        check(&(u32::MAX - 70_000..=u32::MAX).step_by(2).collect::<Vec<_>>());
        // A full container: 65,536 values is one run.
        check(&(1 << 16..2 << 16).collect::<Vec<_>>());
    }

    proptest! {
        #[test]
        fn random_sets_match_roaring_rs(mut ids in prop::collection::vec(
            prop_oneof![0u32..300_000, any::<u32>(), 1_000_000u32..1_000_200], 0..6000)) {
            ids.sort_unstable();
            ids.dedup();
            check(&ids);
        }
    }
}
