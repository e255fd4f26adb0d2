//! A file-system entry as input: opening a file the user named, or a people folder holds,
//! without trusting the name ([`open_regular`], [`read_to_string`]), its metadata with link
//! problems named ([`metadata`]), and a stamp that tells a file changed while read
//! ([`FileStamp`]). What kind an entry is and what can be wrong with it are
//! `error::{EntryKind, EntryProblem}`.
//!
//! Why the kind is checked before anything is opened: opening a FIFO for reading blocks until a
//! writer comes (forever, from cron), opening a socket fails with "No such device or address",
//! and a folder opens fine and fails only at the first read. So a path is stat'ed first, then
//! opened non-blocking, and the opened file is stat'ed again: a FIFO put there in between cannot
//! hang the run either.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

pub use crate::error::{EntryKind, EntryProblem};
use crate::error::{Error, Result};

fn problem(path: &Path, problem: EntryProblem) -> Error {
    Error::Entry { path: path.to_owned(), problem }
}

/// `path`'s metadata, links followed. A link loop or a dangling link is an [`Error::Entry`];
/// every other failure (a missing path among them) an [`Error::Read`] with the system's error.
pub fn metadata(path: &Path) -> Result<Metadata> {
    std::fs::metadata(path).map_err(|source| {
        if is_link_loop(&source) {
            return problem(path, EntryProblem::LinkLoop);
        }
        if source.kind() == std::io::ErrorKind::NotFound
            && let Ok(target) = std::fs::read_link(path)
        {
            return problem(path, EntryProblem::DanglingLink { target });
        }
        Error::Read { path: path.to_owned(), source }
    })
}

/// Did the system give up following symbolic links (`ELOOP`)?
#[must_use]
pub fn is_link_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// Is `e` a missing path (and not a dangling link or a loop)?
#[must_use]
pub fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

/// Opens `path` for reading if it is a regular file (links followed), without blocking: see the
/// module docs.
pub fn open_regular(path: &Path) -> Result<File> {
    let kind = EntryKind::of(&metadata(path)?);
    if kind != EntryKind::File {
        return Err(problem(path, EntryProblem::NotAFile { kind }));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // No effect on a regular file; a FIFO swapped in after the check opens at once.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    let opened = file.metadata().map_err(|source| Error::Read { path: path.to_owned(), source })?;
    match EntryKind::of(&opened) {
        EntryKind::File => Ok(file),
        kind => Err(problem(path, EntryProblem::NotAFile { kind })),
    }
}

/// The whole of a text file read as a stream: a regular file, or a pipe or terminal, so that
/// `--model <(jq … model.json)` works (the pipe then has its writer; a FIFO without one waits
/// for it, as `cat` would). A folder, a socket or a block device is an error.
pub fn read_to_string(path: &Path) -> Result<String> {
    let kind = EntryKind::of(&metadata(path)?);
    if !matches!(kind, EntryKind::File | EntryKind::Fifo | EntryKind::CharDevice) {
        return Err(problem(path, EntryProblem::NotAFile { kind }));
    }
    let read_err = |source| Error::Read { path: path.to_owned(), source };
    let mut text = String::new();
    File::open(path).and_then(|mut file| file.read_to_string(&mut text)).map_err(read_err)?;
    Ok(text)
}

/// What a file looked like when its footer was read: a later read that finds it otherwise
/// knows it is reading another file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    pub fn of(path: &Path, file: &File) -> Result<Self> {
        let meta = file.metadata().map_err(|source| Error::Read { path: path.to_owned(), source })?;
        Ok(Self { len: meta.len(), modified: meta.modified().ok() })
    }

    /// An error unless `file` (at `path`) still has this stamp.
    pub fn check(&self, path: &Path, file: &File) -> Result<()> {
        let now = Self::of(path, file)?;
        if now == *self {
            Ok(())
        } else {
            Err(problem(path, EntryProblem::Changed { before: self.len, after: now.len }))
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn entry_problem(result: Result<File>) -> EntryProblem {
        match result {
            Err(Error::Entry { problem, .. }) => problem,
            other => panic!("expected an entry problem, got {other:?}"),
        }
    }

    #[test]
    fn opens_regular_files_only_and_never_blocks_on_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("a.parquet"), b"PAR1").unwrap();
        assert!(open_regular(&p.join("a.parquet")).is_ok());
        std::fs::create_dir(p.join("d.parquet")).unwrap();
        assert_eq!(
            entry_problem(open_regular(&p.join("d.parquet"))),
            EntryProblem::NotAFile { kind: EntryKind::Folder }
        );
        rustix::fs::mknodat(
            rustix::fs::CWD,
            p.join("f.parquet"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        assert_eq!(entry_problem(open_regular(&p.join("f.parquet"))), EntryProblem::NotAFile { kind: EntryKind::Fifo });
        std::os::unix::fs::symlink("s.parquet", p.join("s.parquet")).unwrap();
        assert_eq!(entry_problem(open_regular(&p.join("s.parquet"))), EntryProblem::LinkLoop);
        std::os::unix::fs::symlink("nowhere", p.join("n.parquet")).unwrap();
        assert_eq!(
            entry_problem(open_regular(&p.join("n.parquet"))),
            EntryProblem::DanglingLink { target: PathBuf::from("nowhere") }
        );
        let missing = open_regular(&p.join("missing.parquet")).unwrap_err();
        assert!(is_not_found(&missing), "{missing}");
        assert_eq!(missing.exit_code(), 1);
    }

    #[test]
    fn a_stamp_sees_a_file_grow_or_shrink() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.parquet");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = open_regular(&path).unwrap();
        let stamp = FileStamp::of(&path, &file).unwrap();
        assert!(stamp.check(&path, &file).is_ok());
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(4).unwrap();
        let error = stamp.check(&path, &file).unwrap_err();
        assert_eq!(error.exit_code(), 1);
        assert_eq!(
            error.to_string(),
            format!(
                "`{}` changed size while segcalc read it (10 bytes, then 4); a writer is still writing or replacing it: run again once it is complete",
                path.display()
            )
        );
    }
}
