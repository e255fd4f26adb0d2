//! `FileWriter`: a run's large files, written by threads of their own with direct I/O
//! (`O_DIRECT`) where the file system allows it.
//!
//! Why: on this project's machines a byte copied into the page cache costs about 2.5 ns (the
//! hypervisor backs each fresh page-cache page on first touch). That was 2 CPU-seconds for the
//! 818 MB of bitmaps a 10M `--sparse-ids` run writes, half its write phase, and most of 100M's
//! 30 s of system time. Direct I/O moves the bytes by DMA from a few buffers the process reuses,
//! and the writer threads let the compute threads go on while the disk works. The run is made
//! durable by `tree::sync_tree` all the same. Where `O_DIRECT` is refused (tmpfs, some network
//! and FUSE mounts), the same threads write through the page cache.
//!
//! Files go to the threads as blocks in one queue. Each block is written at its own offset, so
//! the order the two threads finish in does not matter: a file's last block (padded to the
//! alignment direct I/O needs, then cut back to the file's length) is the highest, and a block
//! below it written later stays inside that length.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SendError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Error, Result};
use crate::tuning::{DIRECT_MIN_BYTES, WRITE_BLOCK_BYTES, WRITE_QUEUE_BLOCKS, WRITER_THREADS};

/// Direct I/O needs buffer addresses, offsets and lengths aligned to the device's logical block;
/// 4 KiB is the largest in common use.
const ALIGN: usize = 4096;

#[cfg(target_os = "linux")]
#[allow(clippy::cast_possible_wrap)]
const O_DIRECT: i32 = rustix::fs::OFlags::DIRECT.bits() as i32;
#[cfg(not(target_os = "linux"))]
const O_DIRECT: i32 = 0;

/// Writes files for the caller of [`with_file_writer`]; see the module docs.
pub struct FileWriter {
    jobs: SyncSender<Job>,
    shared: Arc<Shared>,
    /// Still trying `O_DIRECT`: cleared the first time the file system refuses it.
    direct: AtomicBool,
}

/// Runs `f` with a [`FileWriter`], and returns once every file `f` finished is written. A write
/// that failed on the writer threads is the error returned, before anything `f` returns: it is
/// the cause, and `f` may only have seen its consequence.
pub fn with_file_writer<T>(f: impl FnOnce(&FileWriter) -> Result<T>) -> Result<T> {
    with_mode(cfg!(target_os = "linux"), f)
}

fn with_mode<T>(direct: bool, f: impl FnOnce(&FileWriter) -> Result<T>) -> Result<T> {
    let shared = Arc::new(Shared::default());
    let result = std::thread::scope(|scope| {
        let (jobs, queue) = sync_channel(WRITE_QUEUE_BLOCKS);
        let queue = Arc::new(Mutex::new(queue));
        // Without a thread the queue has no receiver, and `submit` writes each block itself.
        for _ in 0..WRITER_THREADS {
            let (queue, thread_shared) = (Arc::clone(&queue), Arc::clone(&shared));
            let _ = std::thread::Builder::new()
                .name("segcalc-writer".into())
                .spawn_scoped(scope, move || drain(&queue, &thread_shared));
        }
        drop(queue);
        // Dropping the writer closes the queue (also if `f` unwinds), which ends the threads once
        // they have written what is queued.
        let writer = FileWriter { jobs, shared: Arc::clone(&shared), direct: AtomicBool::new(direct) };
        f(&writer)
    });
    match shared.failure.take() {
        Some(error) => Err(error),
        None => result,
    }
}

impl FileWriter {
    /// Writes the whole file `path` holding `bytes`.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        if bytes.len() < DIRECT_MIN_BYTES {
            return std::fs::write(path, bytes).map_err(|source| Error::Write { path: path.to_owned(), source });
        }
        let mut file = self.create(path)?;
        file.write_all(bytes).map_err(|source| Error::Write { path: path.to_owned(), source })?;
        file.finish()
    }

    /// Creates `path`, to be written through the returned [`FileSink`] and then
    /// [`finish`](FileSink::finish)ed.
    pub fn create(&self, path: &Path) -> Result<FileSink<'_>> {
        let write_err = |source| Error::Write { path: path.to_owned(), source };
        let target = loop {
            let direct = self.direct.load(Ordering::Relaxed);
            let mut options = OpenOptions::new();
            options.write(true).create(true).truncate(true);
            if direct {
                options.custom_flags(O_DIRECT);
            }
            match options.open(path) {
                Ok(file) => break Target { path: path.to_owned(), file, direct },
                // The file system does not do direct I/O: write through the page cache.
                Err(e) if direct && e.kind() == ErrorKind::InvalidInput => self.direct.store(false, Ordering::Relaxed),
                Err(e) => return Err(write_err(e)),
            }
        };
        Ok(FileSink { writer: self, target: Arc::new(target), block: None, offset: 0 })
    }

    fn submit(&self, job: Job) {
        if let Err(SendError(mut job)) = self.jobs.send(job) {
            // No writer thread: write here.
            job.run(&self.shared.failure);
            self.shared.pool.put(job.block);
        }
    }
}

/// A file being written by a [`FileWriter`]: bytes are gathered into blocks, and each full block
/// goes to the writer threads. A sink dropped without [`finish`](Self::finish) leaves its file
/// incomplete (a failed run's staging folder is removed whole).
pub struct FileSink<'w> {
    writer: &'w FileWriter,
    target: Arc<Target>,
    block: Option<Block>,
    /// Where the block being filled starts in the file.
    offset: u64,
}

impl FileSink<'_> {
    /// Hands the last block to the writer threads; the file is written when
    /// [`with_file_writer`] returns.
    pub fn finish(mut self) -> Result<()> {
        let block = self.block.take().unwrap_or_else(|| self.writer.shared.pool.get());
        let end = self.offset + block.len as u64;
        self.send(block, Some(end));
        if self.writer.shared.failure.failed() {
            return Err(Error::Write { path: self.target.path.clone(), source: stopped() });
        }
        Ok(())
    }

    fn send(&mut self, block: Block, end: Option<u64>) {
        let offset = self.offset;
        self.offset += block.len as u64;
        self.writer.submit(Job { target: Arc::clone(&self.target), offset, block, end });
    }
}

impl Write for FileSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.writer.shared.failure.failed() {
            return Err(stopped());
        }
        let pool = &self.writer.shared.pool;
        let block = self.block.get_or_insert_with(|| pool.get());
        let spare = block.spare();
        let n = spare.len().min(bytes.len());
        spare[..n].copy_from_slice(&bytes[..n]);
        block.len += n;
        if block.len == WRITE_BLOCK_BYTES
            && let Some(full) = self.block.take()
        {
            self.send(full, None);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The error a sink gives once the writer has failed on some file; the run reports that failure.
fn stopped() -> std::io::Error {
    std::io::Error::other("not written: writing an earlier file failed")
}

/// What the writer threads and the callers share.
#[derive(Default)]
struct Shared {
    pool: Pool,
    failure: Failure,
}

/// A file open for the writer threads.
struct Target {
    path: PathBuf,
    file: File,
    direct: bool,
}

/// A block of a file: its bytes, where they go, and, for the file's last block, its length.
struct Job {
    target: Arc<Target>,
    offset: u64,
    block: Block,
    end: Option<u64>,
}

impl Job {
    fn run(&mut self, failure: &Failure) {
        if failure.failed() {
            return;
        }
        if let Err(source) = self.write() {
            failure.set(Error::Write { path: self.target.path.clone(), source });
        }
    }

    fn write(&mut self) -> std::io::Result<()> {
        let Target { path, file, direct } = &*self.target;
        if !direct {
            return file.write_all_at(self.block.bytes(), self.offset);
        }
        // Only the last block may end off the alignment: pad it, and cut the file back after.
        match file.write_all_at(self.block.padded(), self.offset) {
            // The device wants a larger alignment: this block goes through the page cache.
            Err(e) if e.kind() == ErrorKind::InvalidInput => {
                OpenOptions::new().write(true).open(path)?.write_all_at(self.block.bytes(), self.offset)?;
            }
            result => result?,
        }
        match self.end {
            Some(end) => file.set_len(end),
            None => Ok(()),
        }
    }
}

/// A writer thread: writes queued blocks until the queue closes.
fn drain(queue: &Mutex<Receiver<Job>>, shared: &Shared) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(mut job) = next else { break };
        job.run(&shared.failure);
        shared.pool.put(job.block);
    }
}

/// `WRITE_BLOCK_BYTES` whose first byte is `ALIGN`ed, `len` of them in use.
struct Block {
    buffer: Vec<u8>,
    start: usize,
    len: usize,
}

impl Block {
    fn new() -> Self {
        let buffer = vec![0u8; WRITE_BLOCK_BYTES + ALIGN];
        // Should the address not be alignable, direct writes of this block fail with
        // InvalidInput and go through the page cache.
        let start = buffer.as_ptr().align_offset(ALIGN).min(ALIGN);
        Self { buffer, start, len: 0 }
    }

    fn bytes(&self) -> &[u8] {
        &self.buffer[self.start..self.start + self.len]
    }

    fn spare(&mut self) -> &mut [u8] {
        &mut self.buffer[self.start + self.len..self.start + WRITE_BLOCK_BYTES]
    }

    /// The bytes, then zeros up to the next multiple of `ALIGN`.
    fn padded(&mut self) -> &[u8] {
        let end = self.start + self.len.next_multiple_of(ALIGN);
        self.buffer[self.start + self.len..end].fill(0);
        &self.buffer[self.start..end]
    }
}

/// Blocks kept for reuse: fresh memory costs a page fault per page, which is what direct I/O is
/// here to avoid.
#[derive(Default)]
struct Pool(Mutex<Vec<Block>>);

impl Pool {
    fn get(&self) -> Block {
        let block = self.0.lock().unwrap_or_else(PoisonError::into_inner).pop();
        block.unwrap_or_else(Block::new)
    }

    fn put(&self, mut block: Block) {
        block.len = 0;
        let mut blocks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if blocks.len() < 2 * WRITE_QUEUE_BLOCKS {
            blocks.push(block);
        }
    }
}

/// The first write that failed on the writer threads.
#[derive(Default)]
struct Failure {
    error: Mutex<Option<Error>>,
    failed: AtomicBool,
}

impl Failure {
    fn set(&self, error: Error) {
        self.error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(error);
        self.failed.store(true, Ordering::Release);
    }

    fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    fn take(&self) -> Option<Error> {
        self.error.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes around every boundary: alignment, the small-file threshold and blocks.
    const SIZES: [usize; 10] = [
        0,
        1,
        ALIGN - 1,
        ALIGN,
        DIRECT_MIN_BYTES - 1,
        DIRECT_MIN_BYTES + 1,
        WRITE_BLOCK_BYTES - 1,
        WRITE_BLOCK_BYTES,
        WRITE_BLOCK_BYTES + 1,
        3 * WRITE_BLOCK_BYTES + ALIGN + 7,
    ];

    fn content(size: usize, seed: usize) -> Vec<u8> {
        (0..size).map(|i| (i.wrapping_mul(31) ^ seed) as u8).collect()
    }

    fn write_all_sizes(direct: bool) {
        let dir = tempfile::tempdir().unwrap();
        with_mode(direct, |files| {
            for (seed, size) in SIZES.into_iter().enumerate() {
                let bytes = content(size, seed);
                files.write(&dir.path().join(format!("whole-{size}")), &bytes)?;
                // Streamed in uneven pieces, as the Parquet writer does.
                let mut sink = files.create(&dir.path().join(format!("streamed-{size}")))?;
                for piece in bytes.chunks(5000 + seed * 777) {
                    sink.write_all(piece).unwrap();
                }
                sink.finish()?;
            }
            Ok(())
        })
        .unwrap();
        for (seed, size) in SIZES.into_iter().enumerate() {
            for name in ["whole", "streamed"] {
                let written = std::fs::read(dir.path().join(format!("{name}-{size}"))).unwrap();
                assert!(written == content(size, seed), "{name}-{size} differs");
            }
        }
    }

    #[test]
    fn files_hold_exactly_their_bytes_with_direct_io() {
        write_all_sizes(true);
    }

    #[test]
    fn files_hold_exactly_their_bytes_through_the_page_cache() {
        write_all_sizes(false);
    }

    #[test]
    fn a_failed_write_on_the_thread_is_the_error_returned() {
        // /dev/full takes the open and fails every write with "no space left".
        let result = with_file_writer(|files| files.write(Path::new("/dev/full"), &content(WRITE_BLOCK_BYTES, 1)));
        let message = result.unwrap_err().to_string();
        assert!(message.contains("/dev/full") && message.contains("disk space"), "{message}");
    }

    #[test]
    fn a_caller_that_panics_does_not_leave_the_thread_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let outcome = std::panic::catch_unwind(|| {
            with_file_writer(|files| -> Result<()> {
                let mut sink = files.create(&path)?;
                sink.write_all(&content(WRITE_BLOCK_BYTES + 1, 3)).unwrap();
                panic!("a caller's bug");
            })
        });
        // Reaching this line means the scope joined the writer threads.
        assert!(outcome.is_err());
    }

    #[test]
    fn a_file_that_cannot_be_created_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("f");
        let message =
            with_file_writer(|files| files.write(&path, &content(WRITE_BLOCK_BYTES, 2))).unwrap_err().to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
    }
}
