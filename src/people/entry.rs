//! A file-system entry as input: what kind it is once links are followed ([`EntryKind`]), what
//! can be wrong with it ([`EntryProblem`]), and opening a file the user named or a people folder
//! holds without trusting the name ([`open_regular`]).
//!
//! Why the kind is checked before anything is opened: opening a FIFO for reading blocks until a
//! writer comes (forever, from cron), opening a socket fails with "No such device or address",
//! and a folder opens fine and fails only at the first read. So a path is stat'ed first, then
//! opened non-blocking, and the opened file is stat'ed again: a FIFO put there in between cannot
//! hang the run either.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::{Error, Result};

/// What a path is, symbolic links followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Folder,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    /// Anything else a platform may have.
    Other,
}

impl EntryKind {
    #[must_use]
    pub fn of(meta: &Metadata) -> Self {
        let kind = meta.file_type();
        if kind.is_file() {
            return Self::File;
        }
        if kind.is_dir() {
            return Self::Folder;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() {
                return Self::Fifo;
            }
            if kind.is_socket() {
                return Self::Socket;
            }
            if kind.is_char_device() {
                return Self::CharDevice;
            }
            if kind.is_block_device() {
                return Self::BlockDevice;
            }
        }
        Self::Other
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::File => "regular file",
            Self::Folder => "folder",
            Self::Fifo => "FIFO (named pipe)",
            Self::Socket => "socket",
            Self::CharDevice => "character device",
            Self::BlockDevice => "block device",
            Self::Other => "special file",
        })
    }
}

/// Why an entry cannot be used as it is. Each is the user's tree to fix (exit 2), but for
/// [`Self::Changed`]: a file being written while it is read is a runtime failure (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryProblem {
    /// A file is expected (a people file, model.json, a static list).
    NotAFile { kind: EntryKind },
    /// A folder is expected (`--out`, its `runs/`).
    NotAFolder { kind: EntryKind },
    /// `<out>/current` is something other than the link segcalc switches.
    NotALink { kind: EntryKind },
    /// The system gave up following links (a link to itself, or a ring of them).
    LinkLoop,
    /// A folder that is one of the folders above it (by a link or a mount): searching it would
    /// never end.
    FolderLoop { ancestor: PathBuf },
    /// A symbolic link to nothing.
    DanglingLink { target: PathBuf },
    /// A `column=value` folder whose name is not UTF-8, as is or once its `%XX` escapes are
    /// decoded: its value cannot be told apart from other such names.
    HiveName,
    /// The file's size or modification time differ from when its footer was read.
    Changed { before: u64, after: u64 },
}

impl EntryProblem {
    /// SPEC §6's exit code.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::NotAFile { .. }
            | Self::NotAFolder { .. }
            | Self::NotALink { .. }
            | Self::LinkLoop
            | Self::FolderLoop { .. }
            | Self::DanglingLink { .. }
            | Self::HiveName => 2,
            Self::Changed { .. } => 1,
        }
    }
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAFile { kind } => write!(
                f,
                "is a {kind}, not a regular file; segcalc reads only regular files: put the file itself there (in a people folder, a name starting with `_` is skipped)"
            ),
            Self::NotAFolder { kind } => {
                write!(f, "is a {kind}, not a folder; give a folder (it is created if missing), or move the {kind} away")
            }
            Self::NotALink { kind } => write!(
                f,
                "is a {kind}, not the symbolic link to the current run that segcalc switches; move it away (segcalc makes the link)"
            ),
            Self::LinkLoop => {
                f.write_str("is a symbolic link that loops (it leads back to itself); point it at a file or folder, or remove it")
            }
            Self::FolderLoop { ancestor } => write!(
                f,
                "is the folder `{}` again, a folder above it (a symbolic link or mount back up the tree): searching it would never end; remove the link",
                ancestor.display()
            ),
            Self::DanglingLink { target } => write!(
                f,
                "is a symbolic link to `{}`, which does not exist; point it at a file or folder, or remove it",
                target.display()
            ),
            Self::HiveName => f.write_str(
                "is a `column=value` folder whose name is not UTF-8 text (as is, or once its %XX escapes are decoded); rename the folder",
            ),
            Self::Changed { before, after } if before == after => f.write_str(
                "was rewritten while segcalc read it; a writer is still writing or replacing it: run again once it is complete",
            ),
            Self::Changed { before, after } => write!(
                f,
                "changed size while segcalc read it ({before} bytes, then {after}); a writer is still writing or replacing it: run again once it is complete"
            ),
        }
    }
}

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
