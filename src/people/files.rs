//! Finding the people files: one file, or a folder searched recursively the way Hadoop, Spark and
//! `DuckDB` do (names starting with `_` or `.` skipped; `column=value` folders give hive columns,
//! `%XX` escapes decoded). Names and entries are untrusted input: any bytes, links that loop or
//! lead nowhere, FIFOs named `*.parquet`, trees deeper than the stack: each ends in an error that
//! names the entry ([`EntryProblem`]), never in a panic or a hang.

use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::listing::{dataset_people_place, discover_objects};
pub use super::naming::{FileRef, HIVE_NULL};
use super::naming::{choose_people, hive_column, is_parquet_name};
use crate::entry::{self, EntryKind, EntryProblem};
use crate::error::{Error, Result};
use crate::location::Location;

/// Resolves the people source of a dataset (a folder or a prefix): `people.parquet` or `people/`.
pub fn dataset_people(dataset: &Location) -> Result<Location> {
    match dataset {
        Location::Local(path) => dataset_people_path(path).map(Location::Local),
        Location::Remote(place) => dataset_people_place(place).map(Location::Remote),
    }
}

/// Lists the Parquet files at `location`, in a stable order (sorted by path or key).
pub fn discover(location: &Location) -> Result<Vec<FileRef>> {
    match location {
        Location::Local(path) => discover_local(path),
        Location::Remote(place) => discover_objects(place),
    }
}

/// Resolves the people source of a dataset folder: `people.parquet` or `people/`.
fn dataset_people_path(dataset: &Path) -> Result<PathBuf> {
    let file = dataset.join("people.parquet");
    let dir = dataset.join("people");
    // Any entry counts, a broken link too: `discover` then says what is wrong with it.
    let present = |path: PathBuf| path.symlink_metadata().is_ok().then_some(path);
    choose_people(dataset, present(file), present(dir), "folder")
}

/// Lists the Parquet files at `path`, in a stable order (sorted by path). Every entry is
/// untrusted input: see [`walk`].
fn discover_local(path: &Path) -> Result<Vec<FileRef>> {
    let meta = match entry::metadata(path) {
        Ok(meta) => meta,
        Err(e) if entry::is_not_found(&e) => {
            return Err(Error::NoPeople {
                path: path.to_owned(),
                reason: "it does not exist; check the path given with --people".into(),
            });
        }
        Err(e) => return Err(e),
    };
    match EntryKind::of(&meta) {
        EntryKind::File => return Ok(vec![FileRef { path: path.to_owned(), hive: Vec::new(), object: None }]),
        EntryKind::Folder => {}
        kind => return Err(Error::Entry { path: path.to_owned(), problem: EntryProblem::NotAFile { kind } }),
    }
    let files = walk(path, &meta)?;
    if files.is_empty() {
        return Err(Error::NoPeople {
            path: path.to_owned(),
            reason: "the folder holds no .parquet files (names starting with `_` or `.` are skipped); check the folder, or name the files `*.parquet`".into(),
        });
    }
    Ok(files)
}

/// A folder met in the search: its hive columns (its own last), and the folders above it, to
/// tell a folder that leads back up the tree.
struct Folder {
    path: PathBuf,
    id: Option<(u64, u64)>,
    hive: Vec<(String, Option<String>)>,
    parent: Option<Rc<Folder>>,
}

/// What is still to be visited, in path order once popped from the end of the stack.
enum Pending {
    File(FileRef),
    Folder(Rc<Folder>),
}

/// Searches `root` without recursion (a deep tree cannot exhaust the stack), in the order of a
/// depth-first search with each folder's entries sorted by name. Links are followed; a folder
/// that is one above it is an error, as are a link to nothing or a loop of links (the system's
/// `ELOOP`), a `*.parquet` entry that is not a regular file (a FIFO would block the open forever),
/// and a `column=value` folder whose name is not UTF-8. Names starting with `_` or `.` are not
/// looked at at all.
fn walk(root: &Path, root_meta: &Metadata) -> Result<Vec<FileRef>> {
    let root = Folder { path: root.to_owned(), id: folder_id(root_meta), hive: Vec::new(), parent: None };
    let mut pending = vec![Pending::Folder(Rc::new(root))];
    let mut out = Vec::new();
    while let Some(next) = pending.pop() {
        let folder = match next {
            Pending::File(file) => {
                out.push(file);
                continue;
            }
            Pending::Folder(folder) => folder,
        };
        let read_err = |source| Error::Read { path: folder.path.clone(), source };
        let mut entries: Vec<_> =
            std::fs::read_dir(&folder.path).map_err(read_err)?.collect::<Result<_, _>>().map_err(read_err)?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        let mut inside = Vec::new();
        for dir_entry in entries {
            let name = dir_entry.file_name();
            if name.as_encoded_bytes().first().is_some_and(|b| *b == b'_' || *b == b'.') {
                continue;
            }
            let path = dir_entry.path();
            let meta = entry::metadata(&path)?;
            match EntryKind::of(&meta) {
                EntryKind::Folder => {
                    let id = folder_id(&meta);
                    if let Some(ancestor) = ancestors(&folder).find(|above| id.is_some() && above.id == id) {
                        let ancestor = ancestor.path.clone();
                        return Err(Error::Entry { path, problem: EntryProblem::FolderLoop { ancestor } });
                    }
                    let mut hive = folder.hive.clone();
                    hive.extend(hive_column(&name, &path)?);
                    inside.push(Pending::Folder(Rc::new(Folder { path, id, hive, parent: Some(folder.clone()) })));
                }
                kind if is_parquet_name(&name) => {
                    if kind != EntryKind::File {
                        return Err(Error::Entry { path, problem: EntryProblem::NotAFile { kind } });
                    }
                    inside.push(Pending::File(FileRef { path, hive: folder.hive.clone(), object: None }));
                }
                _ => {}
            }
        }
        pending.extend(inside.into_iter().rev());
    }
    Ok(out)
}

/// `folder` and every folder above it.
fn ancestors(folder: &Rc<Folder>) -> impl Iterator<Item = &Folder> {
    std::iter::successors(Some(folder.as_ref()), |f| f.parent.as_deref())
}

/// What makes a folder the same folder, whatever the path (device and inode).
// `None` off Unix, where std gives no inode numbers: there the loop check is off.
#[allow(clippy::unnecessary_wraps)]
fn folder_id(meta: &Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_hive_folders_and_skips_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("partition=emea/x=1")).unwrap();
        std::fs::create_dir_all(p.join(format!("partition={HIVE_NULL}"))).unwrap();
        std::fs::create_dir_all(p.join("_temporary")).unwrap();
        for f in [
            "partition=emea/x=1/a.parquet",
            &format!("partition={HIVE_NULL}/b.parquet"),
            "_SUCCESS",
            ".a.crc",
            "_temporary/c.parquet",
            "notes.txt",
        ] {
            std::fs::write(p.join(f), b"").unwrap();
        }
        let files = discover_local(p).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].hive, vec![("partition".to_owned(), None)]);
        assert_eq!(
            files[1].hive,
            vec![("partition".to_owned(), Some("emea".to_owned())), ("x".to_owned(), Some("1".to_owned()))]
        );
    }
}
