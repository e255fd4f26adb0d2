//! [`Location`]: where a command's input or output is, as the user named it: a path on this
//! machine (plain, or `file://`), or an object-store URL (SPEC §7). Commands take every path as
//! a `Location`; the readers and the publisher then take the local or the remote way.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::store::RemotePlace;

#[derive(Debug, Clone)]
pub enum Location {
    Local(PathBuf),
    Remote(RemotePlace),
}

impl Location {
    /// The location a command-line argument names: an object-store URL (`s3://`, `gs://`,
    /// `az://`, `abfs://`), a `file://` URL, or a local path.
    pub fn from_arg(arg: &Path) -> Result<Self> {
        let Some(text) = arg.to_str() else {
            return Ok(Self::Local(arg.to_owned())); // not UTF-8: no URL, a local path
        };
        if let Some(path) = text.strip_prefix("file://") {
            return Ok(Self::Local(PathBuf::from(path)));
        }
        if RemotePlace::is_url(text) {
            return RemotePlace::parse(text).map(Self::Remote);
        }
        Ok(Self::Local(arg.to_owned()))
    }

    /// `name` (which may hold `/`) under this location.
    #[must_use]
    pub fn join(&self, name: &str) -> Self {
        match self {
            Self::Local(path) => Self::Local(path.join(name)),
            Self::Remote(place) => Self::Remote(place.join(name)),
        }
    }

    /// The location as messages name it: the path, or the URL.
    #[must_use]
    pub fn message_path(&self) -> PathBuf {
        match self {
            Self::Local(path) => path.clone(),
            Self::Remote(place) => place.message_path(),
        }
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Self {
        Self::Local(path)
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Self {
        Self::Local(path.to_owned())
    }
}
