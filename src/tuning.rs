//! Every tuning constant of the engine, in one place: how many rows a batch decodes, how wide a
//! window may be before placing switches strategy, how large a write block is, how many calls
//! wait on the disk at once. Each says what it controls in the code and what it was measured on;
//! the figures and commands are in docs/PERFORMANCE.md (the round named).
//!
//! Constants that are part of a format (Roaring's 4096-value array limit, direct I/O's 4 KiB
//! alignment) are not tuning and stay with their format's code.

/// Rows decoded per batch, and so per classify task: what one thread holds of the attribute
/// columns at a time (memory grows with threads × this, not with people). Arrow-rs' default
/// of 1024 was far too small for this workload (first round); other sizes are not measured.
pub const BATCH_ROWS: usize = 64 * 1024;

/// Ids spanning `span` values, `count` of them, are *dense* when `span <= count * DENSE_SPAN`:
/// placed by their offset in the span (slots, or ranks on a bitset) rather than by sorting, and
/// their bitmaps built from bitsets. At 2, the bitsets and slots cost at most twice what the
/// people need; the benchmark's dense ids have a span equal to their count, its `--sparse-ids`
/// a span of ~400× (second round).
pub const DENSE_SPAN: u64 = 2;

/// A static list is tested per row through a bitset over its id span when the span is at most
/// this many ids (32 MiB of bits: a list over 100M dense ids takes 12.5 MB), else through its
/// Roaring bitmap: the bitset's test is a shift and a mask, the bitmap's a search of its
/// containers, 4% of a 10M run and of a 100M one (fifth round).
pub const LIST_BITSET_MAX_BITS: u64 = 1 << 28;

/// Dense segment and partition sets are built from bitsets over this many ids at a time (16
/// Roaring containers; 128 KiB per code, so a segmentation's eleven stay in L2), reused piece
/// after piece (fifth round; other sizes not measured).
pub const SET_PIECE_IDS: usize = 1 << 20;

/// The share of `MemAvailable` the slot table may reserve before a row is read (it is sized
/// from the footers' claims, which may be false): beyond it the sorting path runs, which
/// allocates only for rows that decode. One half leaves room for the scan's batches and the
/// outputs (100M people: a 2.3 GB table of a 4.5 GB peak, third round).
pub const SLOT_MEMORY_DIVISOR: u64 = 2;

/// Slot placement of one batch: its rows are written in row order when their slots lie within
/// this many slots of each other (a window each code column's cache lines stay resident for:
/// 4 MB of one column, in L2 and L3), else in slot order after a sort (ids shuffled across files
/// span the whole table). Batches were placed a row group at a time, in slot order through a
/// window of marks, until the fifth round; placed as classified, the codes are still in cache.
pub const PLACE_SCATTER_WINDOW: usize = 4 << 20;

/// Sorting path: when the table positions one batch's rows go to spread over more than this
/// many rows on average, columns written by position would miss the cache on every row, so
/// rows are gathered from records instead. 4M rows are 4 MB of each code column, past a core's
/// L2. Set in the second round, when the alternative was a packed copy (dense 10M +80 ms, 100M
/// +0.9 GB below it; sparse 10M assemble 1.26 → 0.94 s above it); kept for the gather (fourth
/// round: sparse 10M assemble 0.78 → 0.56 s).
pub const SCATTERED_WINDOW: usize = 4 << 20;

/// Table positions gathered per task: 16K rows of records (segment codes plus a partition code
/// each, 22 bytes at the benchmark's 20 segmentations) fit a core's L2; other sizes are not
/// measured.
pub const GATHER_CHUNK: usize = 16 << 10;

/// Rows per row group of a membership file; the column chunks of one row group are encoded in
/// parallel. Not measured against other sizes.
pub const MEMBERSHIP_ROW_GROUP_ROWS: usize = 1024 * 1024;

/// Bytes per block handed to the writer threads: large enough that the disk streams (first
/// 2 MiB, then 1 MiB gave equal write times with less fresh memory on small runs; third round).
pub const WRITE_BLOCK_BYTES: usize = 1 << 20;

/// Blocks queued for the writer threads. With the blocks being filled, this bounds the write
/// memory in flight; each block is fresh memory once, which costs a page fault per page.
pub const WRITE_QUEUE_BLOCKS: usize = 4;

/// Threads writing blocks. A direct write waits for the disk; `dd oflag=direct` streamed
/// 1.2 GB/s with one write outstanding and 1.5 GB/s with two, and the 10M write phase went
/// 1.02–1.09 → 0.91–0.99 s (fourth round).
pub const WRITER_THREADS: usize = 2;

/// Files smaller than this are written whole by the caller through the page cache: a direct
/// write waits for the disk, and a small file costs little to copy (third round).
pub const DIRECT_MIN_BYTES: usize = 64 << 10;

/// File-system calls (fsync, unlink) kept waiting on the disk at once when a run's tree is
/// synced or an old run deleted. Each call mostly waits on the device (an unlink for its TRIM,
/// 116 µs median under `strace -T`); with 32 in flight, deleting a 1M run took 30–40 ms instead
/// of ~110 ms (fourth round).
pub const CALLS_IN_FLIGHT: usize = 32;

// Object stores (SPEC §7). Not measured against other values on a real store: the emulators of
// the tests answer from memory on this machine, where no setting shows a difference.

/// Byte ranges of one object closer than this are fetched as one request: a request costs a
/// round trip (tens of ms to S3), far more than fetching 1 MiB more (`object_store`'s default).
pub const FETCH_COALESCE_GAP: u64 = 1 << 20;

/// A longer fetch is split into requests of this size, fetched side by side: one S3 connection
/// gives roughly 50–100 MB/s, so a large column chunk comes faster over several.
pub const FETCH_PIECE_BYTES: u64 = 8 << 20;

/// Requests in flight per scan unit (row group); the scan runs one unit per compute thread.
pub const FETCHES_IN_FLIGHT: usize = 8;

/// Objects uploaded at once when a run is published to an object store.
pub const UPLOADS_IN_FLIGHT: usize = 16;

/// Files larger than this are uploaded in parts of this size (S3's multipart upload; parts must
/// be at least 5 MiB), so a large membership file never sits whole in memory.
pub const UPLOAD_PART_BYTES: usize = 8 << 20;
