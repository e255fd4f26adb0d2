//! `PortableBitmap`: a Roaring bitmap held in the portable format it is written in
//! (<https://github.com/RoaringBitmap/RoaringFormatSpec>), encoded straight from ascending ids.
//!
//! With sparse ids a segment of a million people spreads over all 65,536 containers, a dozen
//! ids each. Building those containers in memory (an allocation and a few reallocations each,
//! for every segment of every segmentation) cost more than the whole scan; encoding the bytes
//! from the sorted ids costs one pass and one allocation. The bytes are the ones
//! `RoaringBitmap::from_sorted_iter` + `optimize` + `serialize_into` give.

use roaring::RoaringBitmap;

pub use crate::error::BitmapProblem;

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

impl Kind {
    /// The layout of a container of `len` values stored without runs.
    fn plain(len: usize) -> Self {
        if len <= ARRAY_LIMIT { Self::Array } else { Self::Bitset }
    }

    /// Bytes of a container of `len` values in `runs` runs, laid out as `self`.
    fn data_bytes(self, len: usize, runs: usize) -> usize {
        match self {
            Self::Array => 2 * len,
            Self::Bitset => BITSET_BYTES,
            Self::Runs => 2 + 4 * runs,
        }
    }
}

impl Container {
    fn data_bytes(&self) -> usize {
        self.kind.data_bytes(self.len, self.runs)
    }

    fn described(&self) -> Described {
        Described { key: self.key, len: self.len, kind: self.kind, data_bytes: self.data_bytes() }
    }
}

/// What the header says of one container: its key, count of ids, layout and data size.
#[derive(Clone, Copy)]
struct Described {
    key: u16,
    len: usize,
    kind: Kind,
    data_bytes: usize,
}

/// The header of portable bytes whose containers are `containers`, in order: the cookie (with
/// the run flags when any container is runs), each container's key and count, and the offsets
/// of their data, which follows the header in the same order.
fn header(containers: impl Iterator<Item = Described> + Clone) -> Vec<u8> {
    let count = containers.clone().count();
    let has_runs = containers.clone().any(|c| c.kind == Kind::Runs);
    let has_offsets = !has_runs || count >= NO_OFFSET_THRESHOLD;
    let size = if has_runs { 4 + count.div_ceil(8) } else { 8 } + 4 * count + if has_offsets { 4 * count } else { 0 };
    let mut bytes = vec![0u8; size];
    let mut head = Cursor(&mut bytes);
    if has_runs {
        // Count-1 in the cookie's high half, then one bit per container: is it runs?
        head.put(&(COOKIE_RUNS | ((count as u32 - 1) << 16)).to_le_bytes());
        let run_flags = head.take(count.div_ceil(8));
        for (i, c) in containers.clone().enumerate() {
            if c.kind == Kind::Runs {
                run_flags[i / 8] |= 1 << (i % 8);
            }
        }
    } else {
        head.put(&COOKIE_NO_RUNS.to_le_bytes());
        head.put(&(count as u32).to_le_bytes());
    }
    for (field, c) in head.take(4 * count).chunks_exact_mut(4).zip(containers.clone()) {
        // A container holds 1..=65536 values, stored less one.
        field.copy_from_slice(&(u32::from(c.key) | ((c.len as u32 - 1) << 16)).to_le_bytes());
    }
    if has_offsets {
        let mut offset = size;
        for (field, c) in head.take(4 * count).chunks_exact_mut(4).zip(containers) {
            field.copy_from_slice(&(offset as u32).to_le_bytes());
            offset += c.data_bytes;
        }
    }
    bytes
}

impl PortableBitmap {
    /// The bitmap of `ids`, which must be strictly ascending.
    #[must_use]
    pub fn from_sorted(ids: &[u32]) -> Self {
        debug_assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids must be strictly ascending");
        let containers = containers(ids);
        let mut bytes = header(containers.iter().map(Container::described));
        let data_start = bytes.len();
        bytes.resize(data_start + containers.iter().map(Container::data_bytes).sum::<usize>(), 0);
        let mut data = &mut bytes[data_start..];
        if containers.iter().all(|c| c.kind == Kind::Array) {
            // Arrays only (sparse ids: a dozen per container): the data is every id's low half,
            // in order, written in one pass rather than a short loop per container.
            put_low_halves(data, ids);
            return Self { bytes, len: ids.len() as u64 };
        }
        for c in &containers {
            let values = &ids[c.start..c.start + c.len];
            let (out, rest) = data.split_at_mut(c.data_bytes());
            data = rest;
            match c.kind {
                Kind::Array => put_low_halves(out, values),
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

    /// Portable bytes from any Roaring writer (a file on disk), checked as roaring-rs's
    /// `deserialize_from` checks them: every container inside the bytes, its count of ids the
    /// one it declares, runs inside their container and apart, ids strictly ascending. Reading
    /// them this way allocates nothing per container, which for sparse ids is most of what
    /// building a `RoaringBitmap` costs.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, BitmapProblem> {
        let mut len = 0u64;
        let mut last: Option<u32> = None;
        let mut in_order = true;
        visit(&bytes, |id| {
            in_order &= last.is_none_or(|last| id > last);
            last = Some(id);
            len += 1;
        })?;
        if !in_order {
            return Err(BitmapProblem::OutOfOrder);
        }
        Ok(Self { bytes, len })
    }

    /// The union of `parts` whose containers follow one another (every key of a part below
    /// every key of the next, as the shards of a run's id ranges give): their containers as they
    /// are, under one header, byte for byte what encoding the union would give. `None` when a
    /// part's keys do not lie above the ones before.
    #[must_use]
    pub fn concat(parts: &[&PortableBitmap]) -> Option<Self> {
        let mut stored: Vec<Stored<'_>> = Vec::new();
        for part in parts {
            for container in Containers::new(&part.bytes).ok()? {
                let container = container.ok()?;
                if stored.last().is_some_and(|last| last.key >= container.key) {
                    return None;
                }
                stored.push(container);
            }
        }
        let mut bytes =
            header(stored.iter().map(|c| Described { key: c.key, len: c.len, kind: c.kind, data_bytes: c.data.len() }));
        bytes.reserve_exact(stored.iter().map(|c| c.data.len()).sum());
        for c in &stored {
            bytes.extend_from_slice(c.data);
        }
        Some(Self { bytes, len: parts.iter().map(|p| p.len).sum() })
    }

    /// Calls `f` with every id, ascending.
    pub fn for_each(&self, f: impl FnMut(u32)) {
        // The bytes were encoded here or checked by `from_bytes`: visiting them again cannot
        // find a problem, and the ids it gives are the same.
        let checked = visit(&self.bytes, f);
        debug_assert!(checked.is_ok(), "a PortableBitmap's bytes were checked when it was made");
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

    /// The set as an in-memory bitmap, for set operations. Read unchecked: the bytes were
    /// encoded by [`Self::from_sorted`] or passed [`Self::from_bytes`]'s checks, which are
    /// roaring-rs's own.
    #[must_use]
    pub fn to_bitmap(&self) -> RoaringBitmap {
        RoaringBitmap::deserialize_unchecked_from(self.bytes.as_slice()).expect(
            "a PortableBitmap's bytes were encoded or checked when it was made; roaring-rs fails only on short bytes",
        )
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
        let plain = Kind::plain(len);
        let kind = if Kind::Runs.data_bytes(len, runs) < plain.data_bytes(len, runs) { Kind::Runs } else { plain };
        containers.push(Container { key: key as u16, start, len, runs, kind });
        start = end;
    }
    containers
}

/// The containers of portable bytes, in order, each checked to lie inside the bytes.
struct Containers<'a> {
    bytes: &'a [u8],
    count: usize,
    run_flags: Option<&'a [u8]>,
    descriptions: usize,
    next: usize,
    data: usize,
}

/// One container as stored: its place, key and declared count of ids, how its values are laid
/// out, and their bytes.
struct Stored<'a> {
    index: usize,
    key: u16,
    len: usize,
    kind: Kind,
    data: &'a [u8],
}

impl<'a> Containers<'a> {
    fn new(bytes: &'a [u8]) -> Result<Self, BitmapProblem> {
        let word = |at: usize| -> Result<u32, BitmapProblem> {
            let field = bytes.get(at..at + 4).ok_or(BitmapProblem::HeaderCutShort)?;
            Ok(u32::from_le_bytes([field[0], field[1], field[2], field[3]]))
        };
        let cookie = word(0)?;
        let (count, run_flags, descriptions) = if cookie == COOKIE_NO_RUNS {
            (word(4)? as usize, None, 8)
        } else if cookie & 0xFFFF == COOKIE_RUNS {
            let count = (cookie >> 16) as usize + 1;
            let flags = bytes.get(4..4 + count.div_ceil(8)).ok_or(BitmapProblem::HeaderCutShort)?;
            (count, Some(flags), 4 + count.div_ceil(8))
        } else {
            return Err(BitmapProblem::NotACookie { cookie });
        };
        if count > 1 << 16 {
            return Err(BitmapProblem::TooManyContainers { count });
        }
        let has_offsets = run_flags.is_none() || count >= NO_OFFSET_THRESHOLD;
        let data = descriptions + 4 * count + if has_offsets { 4 * count } else { 0 };
        if data > bytes.len() {
            return Err(BitmapProblem::HeaderCutShort);
        }
        Ok(Self { bytes, count, run_flags, descriptions, next: 0, data })
    }
}

impl<'a> Iterator for Containers<'a> {
    type Item = Result<Stored<'a>, BitmapProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == self.count {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let at = self.descriptions + 4 * i;
        let key = u16::from_le_bytes([self.bytes[at], self.bytes[at + 1]]);
        let len = usize::from(u16::from_le_bytes([self.bytes[at + 2], self.bytes[at + 3]])) + 1;
        let is_runs = self.run_flags.is_some_and(|flags| flags[i / 8] & (1 << (i % 8)) != 0);
        let (kind, runs) = if is_runs {
            let Some(count) = self.bytes.get(self.data..self.data + 2) else {
                return Some(Err(BitmapProblem::ContainerCutShort { container: i }));
            };
            (Kind::Runs, usize::from(u16::from_le_bytes([count[0], count[1]])))
        } else {
            (Kind::plain(len), 0)
        };
        let size = kind.data_bytes(len, runs);
        let Some(data) = self.bytes.get(self.data..self.data + size) else {
            return Some(Err(BitmapProblem::ContainerCutShort { container: i }));
        };
        self.data += size;
        Some(Ok(Stored { index: i, key, len, kind, data }))
    }
}

/// Calls `f` with every id of portable `bytes`, in stored order (ascending in a valid bitmap),
/// after checking that each container lies inside the bytes, holds the ids it declares, and
/// (runs) has runs that stay inside it and apart, and that keys ascend. The order of ids inside
/// an array is the caller's to check.
fn visit(bytes: &[u8], mut f: impl FnMut(u32)) -> Result<(), BitmapProblem> {
    let u16_at = |data: &[u8], i: usize| u16::from_le_bytes([data[2 * i], data[2 * i + 1]]);
    let mut last_key: Option<u16> = None;
    for container in Containers::new(bytes)? {
        let Stored { index, key, len, kind, data } = container?;
        if last_key.replace(key).is_some_and(|last| key <= last) {
            return Err(BitmapProblem::OutOfOrder);
        }
        let high = u32::from(key) << 16;
        let actual = match kind {
            Kind::Array => {
                (0..data.len() / 2).for_each(|i| f(high | u32::from(u16_at(data, i))));
                len
            }
            Kind::Bitset => {
                let mut actual = 0;
                for (w, word) in data.chunks_exact(8).enumerate() {
                    let mut bits =
                        u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
                    actual += bits.count_ones() as usize;
                    while bits != 0 {
                        f(high | (w as u32 * 64 + bits.trailing_zeros()));
                        bits &= bits - 1;
                    }
                }
                actual
            }
            Kind::Runs => {
                let runs = &data[2..];
                if runs.is_empty() {
                    return Err(BitmapProblem::NoRuns { container: index });
                }
                let mut actual = 0;
                let mut last_end: Option<u32> = None;
                for r in 0..runs.len() / 4 {
                    let (start, extra) = (u32::from(u16_at(runs, 2 * r)), u32::from(u16_at(runs, 2 * r + 1)));
                    let end = start + extra;
                    // roaring-rs rejects a run past 65535 and runs that overlap or touch.
                    if end > 0xFFFF || last_end.is_some_and(|last| start <= last + 1) {
                        return Err(BitmapProblem::BadRun { container: index });
                    }
                    last_end = Some(end);
                    actual += extra as usize + 1;
                    (start..=end).for_each(|low| f(high | low));
                }
                actual
            }
        };
        // The stored count of a run container is not read by roaring-rs; every other count is
        // the container's size, and a bitset whose bits disagree with it is rejected there too.
        if kind != Kind::Runs && actual != len {
            return Err(BitmapProblem::Cardinality { container: index, declared: len, actual });
        }
    }
    Ok(())
}

/// An array container's data: each id's low 16 bits, little-endian, in order.
fn put_low_halves(out: &mut [u8], ids: &[u32]) {
    for (slot, &id) in out.chunks_exact_mut(2).zip(ids) {
        slot.copy_from_slice(&(id as u16).to_le_bytes());
    }
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
        // Read back without roaring-rs; also bytes as roaring-rs writes them unoptimised
        // (bitset and array containers only).
        let read = PortableBitmap::from_bytes(portable.bytes().to_vec()).unwrap();
        assert_eq!((all(&read), read.len()), (ids.to_vec(), ids.len() as u64));
        let mut plain = Vec::new();
        RoaringBitmap::from_sorted_iter(ids.iter().copied()).unwrap().serialize_into(&mut plain).unwrap();
        assert_eq!(all(&PortableBitmap::from_bytes(plain).unwrap()), ids);
    }

    /// `ids` cut at container boundaries into parts: concatenated, their bytes are the
    /// union's as roaring-rs writes it.
    fn check_concat(ids: &[u32], cuts: &[u32]) {
        let mut parts = Vec::new();
        let mut rest = ids;
        for &cut in cuts {
            let at = rest.partition_point(|&id| id < cut << 16);
            parts.push(PortableBitmap::from_sorted(&rest[..at]));
            rest = &rest[at..];
        }
        parts.push(PortableBitmap::from_sorted(rest));
        let refs: Vec<&PortableBitmap> = parts.iter().collect();
        let joined = PortableBitmap::concat(&refs).expect("parts in key order");
        assert_eq!(joined.bytes(), roaring_bytes(ids), "{} ids cut at {cuts:?}", ids.len());
        assert_eq!(joined.len(), ids.len() as u64);
    }

    #[test]
    fn parts_in_key_order_concatenate_to_the_union() {
        let runs: Vec<u32> = (0..200_000).collect();
        let mixed: Vec<u32> = (0..400_000u32).filter(|i| i % 3 == 0 || (100_000..140_000).contains(i)).collect();
        let sparse: Vec<u32> = (0..40u32).map(|i| i * 9_000_017).collect();
        for ids in [&runs, &mixed, &sparse] {
            check_concat(ids, &[1]);
            check_concat(ids, &[1, 2, 3]);
            check_concat(ids, &[0, 5_000]);
        }
        // Fewer than four containers with runs: no offset header, however many parts.
        check_concat(&(0..70_000).collect::<Vec<_>>(), &[1]);
        check_concat(&[], &[1, 2]);
        // Parts whose keys overlap or go back are not concatenated.
        let a = PortableBitmap::from_sorted(&[1, 70_000]);
        let b = PortableBitmap::from_sorted(&[65_537]);
        assert!(PortableBitmap::concat(&[&a, &b]).is_none());
        assert!(PortableBitmap::concat(&[&b, &PortableBitmap::from_sorted(&[5])]).is_none());
    }

    fn all(bitmap: &PortableBitmap) -> Vec<u32> {
        let mut ids = Vec::new();
        bitmap.for_each(|id| ids.push(id));
        ids
    }

    #[test]
    fn damaged_bytes_are_an_error() {
        let good = PortableBitmap::from_sorted(&(0..300_000).step_by(3).collect::<Vec<_>>()).bytes().to_vec();
        for cut in [0, 3, 7, 20, good.len() / 2, good.len() - 1] {
            let problem = PortableBitmap::from_bytes(good[..cut].to_vec()).unwrap_err();
            // Five bitset containers after a 48-byte header (cookie, count, descriptions, offsets).
            let expected = if cut < 48 {
                BitmapProblem::HeaderCutShort
            } else {
                BitmapProblem::ContainerCutShort { container: (cut - 48) / 8192 }
            };
            assert_eq!(problem, expected, "cut at {cut}");
        }
        assert_eq!(
            PortableBitmap::from_bytes(vec![1, 2, 3, 4, 0, 0, 0, 0]),
            Err(BitmapProblem::NotACookie { cookie: 0x0403_0201 })
        );
        // Two containers with the same key.
        let mut twice = PortableBitmap::from_sorted(&[5, 1 << 16]).bytes().to_vec();
        twice[12] = 0;
        twice[13] = 0;
        assert_eq!(PortableBitmap::from_bytes(twice), Err(BitmapProblem::OutOfOrder));
        // A bitset container whose bits are not as many as it says (5000 ids, one bit cleared).
        let mut bitset = PortableBitmap::from_sorted(&(0..10_000).step_by(2).collect::<Vec<_>>()).bytes().to_vec();
        bitset[16] = 0b0101_0100;
        assert_eq!(
            PortableBitmap::from_bytes(bitset),
            Err(BitmapProblem::Cardinality { container: 0, declared: 5000, actual: 4999 })
        );
        // One run container, its one run (the last two bytes: its length) pushed past its end.
        let mut run = PortableBitmap::from_sorted(&(65_000..65_536).collect::<Vec<_>>()).bytes().to_vec();
        let extra = run.len() - 2;
        run[extra..].copy_from_slice(&2000u16.to_le_bytes());
        assert_eq!(PortableBitmap::from_bytes(run), Err(BitmapProblem::BadRun { container: 0 }));
    }

    /// Bytes a little damaged, or not a bitmap at all: `from_bytes` accepts exactly what
    /// roaring-rs's checked reader accepts, and reads the same ids (so `to_bitmap`, which reads
    /// unchecked, is only ever given bytes the checked reader takes).
    fn agrees_with_roaring_rs(bytes: &[u8]) {
        let ours = PortableBitmap::from_bytes(bytes.to_vec());
        let theirs = RoaringBitmap::deserialize_from(bytes);
        assert_eq!(ours.is_ok(), theirs.is_ok(), "{ours:?} vs {theirs:?}");
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            assert_eq!(all(&ours), theirs.iter().collect::<Vec<_>>());
            assert_eq!(ours.to_bitmap(), theirs);
        }
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

        #[test]
        fn arbitrary_bytes_are_judged_as_roaring_rs_judges_them(
            bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            agrees_with_roaring_rs(&bytes);
        }

        #[test]
        fn damaged_bitmaps_are_judged_as_roaring_rs_judges_them(
            mut ids in prop::collection::vec(prop_oneof![0u32..200_000, 300_000u32..301_000], 1..3000),
            damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
            cut_it in any::<bool>()) {
            ids.sort_unstable();
            ids.dedup();
            let mut bytes = PortableBitmap::from_sorted(&ids).bytes().to_vec();
            for (at, value) in damage {
                let at = at.index(bytes.len());
                bytes[at] = value;
            }
            if cut_it {
                bytes.truncate(cut.index(bytes.len()));
            }
            agrees_with_roaring_rs(&bytes);
        }
    }
}
