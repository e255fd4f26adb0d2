//! Finding the people files: one file, or a folder searched recursively the way Hadoop, Spark and
//! `DuckDB` do (names starting with `_` or `.` skipped; `column=value` folders give hive columns).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The value Hive and Spark write for a null partition value.
pub const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub path: PathBuf,
    /// `column=value` folders above the file, outermost first; `None` is a null value.
    pub hive: Vec<(String, Option<String>)>,
}

/// Resolves the people source of a dataset folder: `people.parquet` or `people/`.
pub fn dataset_people_path(dataset: &Path) -> Result<PathBuf> {
    let file = dataset.join("people.parquet");
    let dir = dataset.join("people");
    match (file.exists(), dir.exists()) {
        (true, true) => Err(Error::NoPeople {
            path: dataset.to_owned(),
            reason: "both people.parquet and people/ exist; keep one, or choose with --people".into(),
        }),
        (true, false) => Ok(file),
        (false, true) => Ok(dir),
        (false, false) => Err(Error::NoPeople {
            path: dataset.to_owned(),
            reason: "it has neither people.parquet nor a people/ folder; add one, or give --people PATH".into(),
        }),
    }
}

/// Lists the Parquet files at `path`, in a stable order (sorted by path).
pub fn discover(path: &Path) -> Result<Vec<FileRef>> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoPeople {
                path: path.to_owned(),
                reason: "it does not exist; check the path given with --people".into(),
            });
        }
        Err(source) => return Err(Error::Read { path: path.to_owned(), source }),
    };
    if meta.is_file() {
        return Ok(vec![FileRef { path: path.to_owned(), hive: Vec::new() }]);
    }
    let mut files = Vec::new();
    walk(path, &mut Vec::new(), &mut files)?;
    if files.is_empty() {
        return Err(Error::NoPeople {
            path: path.to_owned(),
            reason: "the folder holds no .parquet files (names starting with `_` or `.` are skipped); check the folder, or name the files `*.parquet`".into(),
        });
    }
    Ok(files)
}

fn walk(dir: &Path, hive: &mut Vec<(String, Option<String>)>, out: &mut Vec<FileRef>) -> Result<()> {
    let read_err = |source| Error::Read { path: dir.to_owned(), source };
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(read_err)?.collect::<Result<_, _>>().map_err(read_err)?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let meta = std::fs::metadata(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
        if meta.is_dir() {
            let pushed = match name.split_once('=') {
                Some((column, value)) if !column.is_empty() => {
                    let value = (value != HIVE_NULL).then(|| percent_decode(value));
                    hive.push((percent_decode(column), value));
                    true
                }
                _ => false,
            };
            walk(&path, hive, out)?;
            if pushed {
                hive.pop();
            }
        } else if name.to_ascii_lowercase().ends_with(".parquet") {
            out.push(FileRef { path, hive: hive.clone() });
        }
    }
    Ok(())
}

/// Undoes the `%XX` escaping Hive and Spark apply to partition folder names.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_hive_escapes() {
        assert_eq!(percent_decode("a%2Fb%3Dc"), "a/b=c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

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
        let files = discover(p).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].hive, vec![("partition".to_owned(), None)]);
        assert_eq!(
            files[1].hive,
            vec![("partition".to_owned(), Some("emea".to_owned())), ("x".to_owned(), Some("1".to_owned()))]
        );
    }
}
