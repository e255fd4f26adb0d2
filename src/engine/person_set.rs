//! `PersonSet`: a set of people as a run keeps it until it is written — a Roaring bitmap,
//! either built in memory (dense ids, from bitsets: a few hundred large containers) or already
//! in its portable bytes (sparse ids: see [`PortableBitmap`] for why).

use std::borrow::Cow;

use roaring::RoaringBitmap;

use super::portable::PortableBitmap;

#[derive(Debug, Clone, PartialEq)]
pub enum PersonSet {
    Bitmap(RoaringBitmap),
    Portable(PortableBitmap),
}

impl Default for PersonSet {
    fn default() -> Self {
        Self::Bitmap(RoaringBitmap::new())
    }
}

impl PersonSet {
    #[must_use]
    pub fn len(&self) -> u64 {
        match self {
            Self::Bitmap(bitmap) => bitmap.len(),
            Self::Portable(portable) => portable.len(),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The set in the portable Roaring format, as its `.roaring` file holds it.
    #[must_use]
    pub fn portable_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Self::Bitmap(bitmap) => {
                let mut bytes = Vec::with_capacity(bitmap.serialized_size());
                bitmap.serialize_into(&mut bytes).expect("writing into a Vec cannot fail");
                Cow::Owned(bytes)
            }
            Self::Portable(portable) => Cow::Borrowed(portable.bytes()),
        }
    }

    /// The set as an in-memory bitmap, for set operations.
    #[must_use]
    pub fn to_bitmap(&self) -> Cow<'_, RoaringBitmap> {
        match self {
            Self::Bitmap(bitmap) => Cow::Borrowed(bitmap),
            Self::Portable(portable) => Cow::Owned(portable.to_bitmap()),
        }
    }
}
