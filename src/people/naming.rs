//! What the names of a people folder mean, on a file system and on an object store alike:
//! `*.parquet` files, `column=value` hive folders with Hive's `%XX` escapes and null value, and
//! [`FileRef`], a people file found by either search.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::entry::EntryProblem;
use crate::error::{Error, Result};
use crate::store::RemoteObject;

/// The value Hive and Spark write for a null partition value.
pub const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

#[derive(Debug, Clone, PartialEq)]
pub struct FileRef {
    /// The file's path, or its object's URL.
    pub path: PathBuf,
    /// `column=value` folders above the file, outermost first; `None` is a null value.
    pub hive: Vec<(String, Option<String>)>,
    /// The object, as listed, when the file is on an object store.
    pub object: Option<RemoteObject>,
}

/// The people source of a dataset, given whether its `people.parquet` (`file`) and its
/// `people/` (`folder`) are there: exactly one must be.
pub fn choose_people<T>(dataset: &Path, file: Option<T>, folder: Option<T>, kind: &str) -> Result<T> {
    let none = |reason: String| Error::NoPeople { path: dataset.to_owned(), reason };
    match (file, folder) {
        (Some(_), Some(_)) => {
            Err(none("both people.parquet and people/ exist; keep one, or choose with --people".into()))
        }
        (Some(found), None) | (None, Some(found)) => Ok(found),
        (None, None) => {
            Err(none(format!("it has neither people.parquet nor a people/ {kind}; add one, or give --people PATH")))
        }
    }
}

/// Ends in `.parquet`, in any case (compared as bytes: the rest of the name may be anything).
pub fn is_parquet_name(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    bytes.len() >= 8 && bytes[bytes.len() - 8..].eq_ignore_ascii_case(b".parquet")
}

/// The hive column of a folder named `column=value` (a non-empty column before the first `=`),
/// both parts decoded; `None` for any other name.
pub fn hive_column(name: &OsStr, path: &Path) -> Result<Option<(String, Option<String>)>> {
    let bytes = name.as_encoded_bytes();
    if !bytes.iter().skip(1).any(|b| *b == b'=') || bytes.first() == Some(&b'=') {
        return Ok(None);
    }
    let not_text = || Error::Entry { path: path.to_owned(), problem: EntryProblem::HiveName };
    let (column, value) = name.to_str().and_then(|n| n.split_once('=')).ok_or_else(not_text)?;
    let column = percent_decode(column).ok_or_else(not_text)?;
    let value = if value == HIVE_NULL { None } else { Some(percent_decode(value).ok_or_else(not_text)?) };
    Ok(Some((column, value)))
}

/// Undoes the `%XX` escaping Hive and Spark apply to partition folder names: `%` and two hex
/// digits is that byte, any other `%` stays as it is. `None` when the bytes are not UTF-8 (as
/// pyarrow refuses them): replacing them would give different folders the same value.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let &[b'%', high, low, ..] = &bytes[i..]
            && let (Some(high), Some(low)) = (hex_digit(high), hex_digit(low))
        {
            out.push(high << 4 | low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex_digit(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_hive_escapes_of_every_shape() {
        let decode = |s: &str| percent_decode(s);
        assert_eq!(decode("a%2Fb%3Dc").as_deref(), Some("a/b=c"));
        assert_eq!(decode("%2f%3d").as_deref(), Some("/="), "lowercase hex");
        for kept in ["100%", "%", "%4", "%zz", "%+F", "%-1", "a%%", "%é", "é%"] {
            assert_eq!(decode(kept).as_deref(), Some(kept), "{kept}");
        }
        // A `%`, a digit and the first byte of a multi-byte character used to be sliced
        // through the character (exit 101).
        assert_eq!(decode("%2é").as_deref(), Some("%2é"));
        assert_eq!(decode("%日本").as_deref(), Some("%日本"));
        assert_eq!(decode("%00").as_deref(), Some("\0"));
        assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
        for not_utf8 in ["%C3", "%FF", "a%C3b", "%C3%28"] {
            assert_eq!(decode(not_utf8), None, "{not_utf8}");
        }
    }
}
