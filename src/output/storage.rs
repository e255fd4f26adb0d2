//! Where a published run is read from: the [`Storage`] seam under
//! [`OutputFolder`](super::published::OutputFolder), and [`LocalFolder`], a folder on this
//! machine. `remote::RemoteFolder` is the object store's (a sync trait: it blocks on the one I/O
//! runtime). Only reading goes through it; a run is written locally (`Staging`, `FileWriter`)
//! and, for an object store, uploaded from there (`remote::publish`).

use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use super::layout::{Key, Layout};
use crate::entry::{is_not_found, open_regular};
use crate::error::{Error, Result};

/// Read access to the keys of one output folder.
pub trait Storage: Send + Sync {
    /// Where `key` is, for messages: a path on this machine (an object store: its URL).
    fn locate(&self, key: &Key) -> PathBuf;

    /// The bytes at `key`, or `None` when nothing is there.
    fn read(&self, key: &Key) -> Result<Option<Vec<u8>>>;

    /// The names one level under `prefix`, sorted; none when nothing is under it.
    fn list(&self, prefix: &Key) -> Result<Vec<String>>;

    /// Whether a file is at `key`.
    fn is_file(&self, key: &Key) -> Result<bool>;

    /// The run id `current` names, or `None` when no run was published: the `current` link's
    /// target on a local folder, `current.json`'s `run_id` on an object store (which has no
    /// links).
    fn current_run(&self) -> Result<Option<String>>;
}

/// An output folder on this machine.
#[derive(Debug, Clone)]
pub struct LocalFolder {
    root: PathBuf,
}

impl LocalFolder {
    #[must_use]
    pub fn new(root: &Path) -> Self {
        Self { root: root.to_owned() }
    }
}

impl Storage for LocalFolder {
    fn locate(&self, key: &Key) -> PathBuf {
        key.on(&self.root)
    }

    fn read(&self, key: &Key) -> Result<Option<Vec<u8>>> {
        let path = self.locate(key);
        // Through `open_regular`: a FIFO in a run folder must not hang `show` or the next run.
        let mut file = match open_regular(&path) {
            Ok(file) => file,
            Err(e) if is_not_found(&e) => return Ok(None),
            // A file where a folder of the key should be (a stray file in `runs/`): nothing there,
            // as `list` and `is_file` say.
            Err(Error::Read { source, .. }) if source.kind() == ErrorKind::NotADirectory => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|source| Error::Read { path, source })?;
        Ok(Some(bytes))
    }

    fn list(&self, prefix: &Key) -> Result<Vec<String>> {
        let path = self.locate(prefix);
        let entries = match std::fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => return Ok(Vec::new()),
            Err(source) => return Err(Error::Read { path, source }),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| Error::Read { path: path.clone(), source })?;
            // A name that is not UTF-8 is no name of the layout: nothing there to read.
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn is_file(&self, key: &Key) -> Result<bool> {
        let path = self.locate(key);
        match std::fs::metadata(&path) {
            Ok(metadata) => Ok(metadata.is_file()),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(false),
            Err(source) => Err(Error::Read { path, source }),
        }
    }

    fn current_run(&self) -> Result<Option<String>> {
        let path = self.locate(&Layout::current());
        match std::fs::read_link(&path) {
            // Not UTF-8: no key of the layout either, so no run it could name.
            Ok(target) => {
                Ok(target.to_str().and_then(|t| Layout::linked_run(&Key::default().join(t)).map(str::to_owned)))
            }
            // Nothing there, or not a link: no published run.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidInput) => Ok(None),
            Err(source) => Err(Error::Read { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_folder_reads_lists_and_follows_links() {
        let temp = tempfile::tempdir().unwrap();
        let folder = LocalFolder::new(temp.path());
        std::fs::create_dir_all(temp.path().join("a/b")).unwrap();
        std::fs::write(temp.path().join("a/b/x"), b"bytes").unwrap();
        std::fs::write(temp.path().join("a/c"), b"").unwrap();
        let key = |text: &str| Key::default().join(text);
        assert_eq!(folder.read(&key("a/b/x")).unwrap(), Some(b"bytes".to_vec()));
        assert_eq!(folder.read(&key("a/b/nothing")).unwrap(), None);
        let not_a_file = folder.read(&key("a/b"));
        assert!(matches!(not_a_file, Err(Error::Entry { .. })), "a folder is not a file: {not_a_file:?}");
        assert_eq!(folder.list(&key("a")).unwrap(), ["b", "c"]);
        assert!(folder.list(&key("nothing")).unwrap().is_empty());
        assert!(folder.list(&key("a/c")).unwrap().is_empty(), "a file has nothing under it");
        assert!(folder.is_file(&key("a/c")).unwrap() && !folder.is_file(&key("a/b")).unwrap());
        assert_eq!(folder.current_run().unwrap(), None);
        std::fs::write(temp.path().join("current"), b"").unwrap();
        assert_eq!(folder.current_run().unwrap(), None, "a file is not a link");
        std::fs::remove_file(temp.path().join("current")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("runs/a-run", temp.path().join("current")).unwrap();
            assert_eq!(folder.current_run().unwrap().as_deref(), Some("a-run"));
        }
        assert_eq!(folder.locate(&key("a/b/x")), temp.path().join("a").join("b").join("x"));
    }
}
