//! [`RemoteFolder`]: an output folder on an object store, read through the same [`Storage`]
//! seam as a local one, so `show`, the previous run of `run`, and every later reader work
//! unchanged. `current` is `current.json` there.

use std::collections::BTreeSet;
use std::path::PathBuf;

use object_store::ObjectStore;

use super::current::read_current;
use super::layout::Key;
use super::storage::Storage;
use crate::error::Result;
use crate::store::RemotePlace;
use crate::store::runtime::block_on;
use crate::store::{RemoteObject, read_object};

/// An output folder at an object-store prefix.
#[derive(Debug, Clone)]
pub struct RemoteFolder {
    root: RemotePlace,
}

impl RemoteFolder {
    #[must_use]
    pub fn new(root: RemotePlace) -> Self {
        Self { root }
    }

    fn place(&self, key: &Key) -> RemotePlace {
        self.root.join(key.as_str())
    }
}

impl Storage for RemoteFolder {
    fn locate(&self, key: &Key) -> PathBuf {
        self.place(key).message_path()
    }

    fn read(&self, key: &Key) -> Result<Option<Vec<u8>>> {
        Ok(read_object(&self.place(key))?.map(|bytes| bytes.to_vec()))
    }

    fn list(&self, prefix: &Key) -> Result<Vec<String>> {
        let place = self.place(prefix);
        let listed = block_on(place.store.list_with_delimiter(Some(&place.path))).map_err(|e| place.failed(e))?;
        let mut names = BTreeSet::new();
        for path in listed.common_prefixes.iter().chain(listed.objects.iter().map(|o| &o.location)) {
            if let Some(name) = path.filename() {
                names.insert(name.to_owned());
            }
        }
        Ok(names.into_iter().collect())
    }

    fn is_file(&self, key: &Key) -> Result<bool> {
        Ok(RemoteObject::head(&self.place(key))?.is_some())
    }

    fn current_run(&self) -> Result<Option<String>> {
        Ok(read_current(&self.root)?.run.map(|run| run.run_id))
    }
}
