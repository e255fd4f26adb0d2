//! A static list as the classifier tests it, once per row: a bitset over the list's id span
//! when that span is small, so a row's test is a shift and a mask rather than a search of a
//! Roaring bitmap's containers (the search was 4% of a 10M run); the bitmap itself otherwise.

use arrow_buffer::BooleanBuffer;
use roaring::RoaringBitmap;

use crate::rule::kernel::bits_where;
use crate::tuning::LIST_BITSET_MAX_BITS;

#[derive(Debug)]
pub enum ListMembers {
    /// Bit `id - base` of `words` is set for every member.
    Bits { base: u32, words: Vec<u64> },
    /// A list whose span is too wide for a bitset: sparse ids.
    Roaring(RoaringBitmap),
}

impl ListMembers {
    #[must_use]
    pub fn new(list: &RoaringBitmap) -> Self {
        let (Some(min), Some(max)) = (list.min(), list.max()) else {
            return Self::Bits { base: 0, words: Vec::new() };
        };
        let span = u64::from(max - min) + 1;
        if span > LIST_BITSET_MAX_BITS {
            return Self::Roaring(list.clone());
        }
        let mut words = vec![0u64; span.div_ceil(64) as usize];
        for id in list {
            let offset = (id - min) as usize;
            words[offset / 64] |= 1 << (offset % 64);
        }
        Self::Bits { base: min, words }
    }

    #[must_use]
    pub fn contains(&self, id: u32) -> bool {
        match self {
            Self::Bits { base, words } => {
                let offset = id.wrapping_sub(*base) as usize;
                words.get(offset / 64).is_some_and(|word| word >> (offset % 64) & 1 == 1)
            }
            Self::Roaring(set) => set.contains(id),
        }
    }

    /// One bit per id: is it a member?
    #[must_use]
    pub fn test(&self, ids: &[u32]) -> BooleanBuffer {
        bits_where(ids, |id| self.contains(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_answer_as_the_bitmap_does() {
        let dense: RoaringBitmap = [5u32, 6, 70, 1000, 1001, 200_000].into_iter().collect();
        let sparse: RoaringBitmap = [3u32, 4_000_000_000, u32::MAX].into_iter().collect();
        let probes = [0u32, 4, 5, 6, 7, 69, 70, 999, 1000, 1001, 1002, 200_000, 200_001, 3, 4_000_000_000, u32::MAX];
        for list in [dense, sparse, RoaringBitmap::new()] {
            let members = ListMembers::new(&list);
            let bits = members.test(&probes);
            for (i, &id) in probes.iter().enumerate() {
                assert_eq!(members.contains(id), list.contains(id), "id {id}");
                assert_eq!(bits.value(i), list.contains(id), "id {id} in a batch");
            }
        }
        assert!(matches!(ListMembers::new(&[0u32, u32::MAX].into_iter().collect()), ListMembers::Roaring(_)));
        // More than one word of ids, with a remainder.
        let list: RoaringBitmap = (0..500u32).filter(|i| i % 3 == 0).collect();
        let ids: Vec<u32> = (0..300u32).rev().collect();
        let bits = ListMembers::new(&list).test(&ids);
        assert!(ids.iter().enumerate().all(|(i, &id)| bits.value(i) == (id % 3 == 0)));
    }
}
