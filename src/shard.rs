//! One run over many machines (SPEC §8): [`Shard`] is `--shard K/N --run-id ID`, and
//! [`id_ranges`] the N ranges of the id space every shard derives from the files' footers alone,
//! cut on multiples of 65,536 so that no Roaring container straddles two shards. [`Digest`] is
//! what a shard's marker records of its inputs, so that `commit` can tell shards computed from
//! other inputs.

use std::ops::Range;

use crate::error::{Error, Result};

/// Ids per Roaring container: shard ranges start and end on multiples of it.
pub const CONTAINER_IDS: u64 = 1 << 16;

/// Shard `index` of `count` of run `run_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
    pub run_id: String,
}

impl Shard {
    /// `--shard K/N` with `--run-id ID`.
    pub fn parse(spec: &str, run_id: &str) -> Result<Self> {
        let usage = |message: String| Error::Usage { message };
        let parsed = spec.split_once('/').and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        let Some((index, count)) = parsed.filter(|&(k, n): &(usize, usize)| k < n && n <= MAX_SHARDS) else {
            return Err(usage(format!(
                "--shard `{}` is not K/N with 0 <= K < N <= {MAX_SHARDS}; for example --shard 0/4 … --shard 3/4 (on Kubernetes: --shard $JOB_COMPLETION_INDEX/N)",
                crate::error::shorten(spec)
            )));
        };
        check_run_id(run_id)?;
        Ok(Self { index, count, run_id: run_id.to_owned() })
    }
}

/// More shards than containers of the id space would leave shards with nothing by construction.
pub const MAX_SHARDS: usize = 1 << 16;

/// A run id given by the user (`--run-id`): a name of letters, digits, `-`, `_` and `.`, not
/// starting with `.` (hidden names are unfinished work).
pub fn check_run_id(run_id: &str) -> Result<()> {
    let fine = !run_id.is_empty()
        && run_id.len() <= 128
        && !run_id.starts_with('.')
        && run_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if fine {
        return Ok(());
    }
    Err(Error::Usage {
        message: format!(
            "--run-id `{}` must be 1 to 128 letters, digits, `-`, `_` or `.`, not starting with `.`; every shard and the commit take the same one (e.g. the scheduler's run id)",
            crate::error::shorten(run_id)
        ),
    })
}

/// The `count` id ranges (`start..end`, end exclusive, over `0..2^32`), from the smallest and
/// largest id the footers claim (`None`: not every row group says). The containers from the
/// smallest id's to the largest's are split as evenly as whole containers allow; the first range
/// starts at 0 and the last ends at 2^32, so an id the statistics do not claim still falls in
/// exactly one shard.
#[must_use]
pub fn id_ranges(claimed: Option<(u32, u32)>, count: usize) -> Vec<Range<u64>> {
    let (low, high) = claimed.map_or((0, u64::from(u32::MAX)), |(min, max)| (u64::from(min), u64::from(max)));
    let (first, last) = (low / CONTAINER_IDS, high / CONTAINER_IDS);
    let containers = last - first + 1;
    let n = count as u64;
    let cut = |k: u64| -> u64 {
        match k {
            0 => 0,
            k if k == n => 1 << 32,
            k => (first + containers * k / n) * CONTAINER_IDS,
        }
    };
    (0..n).map(|k| cut(k)..cut(k + 1)).collect()
}

/// FNV-1a, 64 bits: a stable digest of inputs for the shard markers (not a security measure: it
/// tells a shard computed from another model or list, not a forged one).
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    #[must_use]
    pub fn of(bytes: &[u8]) -> String {
        let mut digest = Self::default();
        digest.add(bytes);
        digest.hex()
    }

    pub fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    #[must_use]
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_id_space_once_on_container_boundaries() {
        for (claimed, count) in [(Some((1, 10_000_000)), 4), (Some((5, 6)), 3), (None, 7), (Some((0, u32::MAX)), 1)] {
            let ranges = id_ranges(claimed, count);
            assert_eq!(ranges.len(), count);
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges[count - 1].end, 1 << 32);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].end, pair[1].start, "{claimed:?}/{count}: contiguous");
                assert_eq!(pair[0].end % CONTAINER_IDS, 0, "{claimed:?}/{count}: on a container boundary");
                assert!(pair[0].start <= pair[0].end);
            }
        }
        // 10M dense ids are 153 containers: four shards of 38 or 39.
        let ranges = id_ranges(Some((1, 10_000_000)), 4);
        let containers: Vec<u64> = ranges[1..3].iter().map(|r| (r.end - r.start) / CONTAINER_IDS).collect();
        assert!(containers.iter().all(|&c| c == 38 || c == 39), "{containers:?}");
    }

    #[test]
    fn shard_specs_and_run_ids_are_checked() {
        assert_eq!(Shard::parse("2/4", "nightly-1").unwrap(), Shard { index: 2, count: 4, run_id: "nightly-1".into() });
        for bad in ["4/4", "x/2", "1", "-1/2", "0/0"] {
            assert!(Shard::parse(bad, "r").is_err(), "{bad}");
        }
        for bad in ["", ".hidden", "a/b", "a b", &"x".repeat(129)] {
            assert!(check_run_id(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Digest::of(b"a"), Digest::of(b"a"));
        assert_ne!(Digest::of(b"a"), Digest::of(b"b"));
    }
}
