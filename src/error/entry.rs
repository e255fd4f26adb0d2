//! What can be wrong with a file-system entry the user's input names, as fields of
//! `Error::Entry`: its kind once links are followed ([`EntryKind`]) and the problem
//! ([`EntryProblem`]). Opening entries safely is the `entry` module's.

use std::fmt;
use std::fs::Metadata;
use std::path::PathBuf;

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
