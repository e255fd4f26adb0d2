//! Finding the people files under an object-store prefix (SPEC §7): the same layout as a local
//! folder ([`super::files`]), with key prefixes as folders. Every object under the prefix is
//! listed once; a name under a `_` or `.` prefix is skipped, `column=value` prefixes give hive
//! columns, and only `*.parquet` objects count. Objects come sorted by key, as files by path.

use std::ffi::OsStr;
use std::path::Path;

use futures::TryStreamExt;
use object_store::ObjectStore;

use super::naming::{FileRef, choose_people, hive_column, is_parquet_name};
use crate::error::{Error, Result};
use crate::store::runtime::block_on;
use crate::store::{RemoteObject, RemotePlace};

/// The people source of a dataset prefix: `people.parquet` or `people/`.
pub fn dataset_people_place(dataset: &RemotePlace) -> Result<RemotePlace> {
    let file = dataset.join("people.parquet");
    let folder = dataset.join("people");
    let file = RemoteObject::head(&file)?.is_some().then_some(file);
    let folder = (!list_under(&folder)?.is_empty()).then_some(folder);
    choose_people(&dataset.message_path(), file, folder, "prefix")
}

/// The Parquet objects at `place`: the object itself, or every one under it as a folder.
pub fn discover_objects(place: &RemotePlace) -> Result<Vec<FileRef>> {
    if let Some(object) = RemoteObject::head(place)? {
        return Ok(vec![FileRef { path: place.message_path(), hive: Vec::new(), object: Some(object) }]);
    }
    let mut files = Vec::new();
    for meta in list_under(place)? {
        let object = RemoteObject::new(place, meta);
        let key = object.place.path.as_ref().to_owned();
        let relative = key.strip_prefix(place.path.as_ref()).unwrap_or(&key).trim_start_matches('/');
        let names: Vec<&str> = relative.split('/').collect();
        let Some((file_name, folders)) = names.split_last() else { continue };
        if names.iter().any(|n| n.starts_with('_') || n.starts_with('.')) || !is_parquet_name(OsStr::new(file_name)) {
            continue;
        }
        let path = object.place.message_path();
        let mut hive = Vec::new();
        for folder in folders {
            hive.extend(hive_column(OsStr::new(folder), Path::new(&path))?);
        }
        files.push(FileRef { path, hive, object: Some(object) });
    }
    if files.is_empty() {
        return Err(Error::NoPeople {
            path: place.message_path(),
            reason:
                "no .parquet object is there or under it (names starting with `_` or `.` are skipped); check the URL"
                    .into(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Every object under `place` as a folder (not `place` itself).
fn list_under(place: &RemotePlace) -> Result<Vec<object_store::ObjectMeta>> {
    let store: &dyn ObjectStore = place.store.as_ref();
    block_on(store.list(Some(&place.path)).try_collect::<Vec<_>>()).map_err(|e| place.failed(e))
}
