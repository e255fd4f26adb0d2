//! Property test over people folders (issue 13 §5): random trees of folders, Parquet files,
//! empty files, FIFOs and symbolic links, with random names (unicode, `%` escapes valid and not,
//! `=`, dots, underscores, bytes that are not UTF-8). For each tree, an oracle written from SPEC
//! §2 says which files the search must find (names starting with `_` or `.` skipped, `*.parquet`
//! in any case, `column=value` folders as hive columns, `%XX` decoded) and which entries must stop
//! it. Then:
//!
//! - `people::files::discover` finds exactly those files, in path order, with their hive
//!   columns, or fails on one of the entries the oracle lists (exit 2, the entry's path first in
//!   the message);
//! - `run::validate` on the dataset succeeds, or fails with the exit code the oracle gives (2 for
//!   the tree, 1 for an empty file, which is not Parquet) and a message naming the path;
//! - neither panics nor hangs: each case runs in a thread given [`LIMIT`].
//!
//! `SEGCALC_FOLDER_TREE_CASES=N` runs N cases instead of the default 256 (about a second in a debug
//! build). A failure prints the tree; its seed is kept in `target/tmp/folder-tree-regressions.txt`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};

use segcalc::error::Error;
use segcalc::inputs::DatasetPaths;
use segcalc::log::Log;
use segcalc::people::files::{FileRef, HIVE_NULL, discover};

/// How long one case may take before it counts as a hang.
const LIMIT: Duration = Duration::from_secs(30);

/// Pieces of names: each name is one to four of them.
const PIECES: &[&[u8]] = &[
    b"a",
    b"Part",
    b"7",
    "é".as_bytes(),
    "日本".as_bytes(),
    b"%",
    b"%2",
    b"%2F",
    b"%3d",
    b"%C3%A9",
    b"%FF",
    b"%C3",
    b"%zz",
    b"%00",
    b"=",
    b".",
    b"_",
    b"-",
    b" ",
    b".parquet",
    b"\xff",
    b"\xc3",
    b"__HIVE_DEFAULT_PARTITION__",
    b"partition",
];

/// File names end in one of these (`.parquet` twice: most files should count).
const SUFFIXES: &[&[u8]] = &[b".parquet", b".PARQUET", b".parquet", b""];

#[derive(Debug, Clone)]
enum Node {
    Folder(Vec<u8>, Vec<Node>),
    /// A one-person people file.
    Parquet(Vec<u8>),
    Empty(Vec<u8>),
    Fifo(Vec<u8>),
    Link(Vec<u8>, LinkTo),
}

#[derive(Debug, Clone, Copy)]
enum LinkTo {
    /// A people file beside the link, under a name the search skips: found once, as the link.
    HiddenFile,
    Nowhere,
    Itself,
    /// `.`: the folder that holds the link.
    ItsFolder,
}

impl Node {
    fn name(&self) -> &[u8] {
        match self {
            Self::Folder(name, _)
            | Self::Parquet(name)
            | Self::Empty(name)
            | Self::Fifo(name)
            | Self::Link(name, _) => name,
        }
    }
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    vec(select(PIECES), 1..=4)
        .prop_map(|pieces| pieces.concat())
        .prop_filter("not . or ..", |n| n != b"." && n != b"..")
}

fn file_name() -> impl Strategy<Value = Vec<u8>> {
    (name(), select(SUFFIXES)).prop_map(|(name, suffix)| [&name[..], suffix].concat())
}

fn node() -> impl Strategy<Value = Node> {
    let link_to = prop_oneof![3 => Just(LinkTo::HiddenFile), 1 => Just(LinkTo::Nowhere), 1 => Just(LinkTo::Itself), 1 => Just(LinkTo::ItsFolder)];
    let leaf = prop_oneof![
        8 => file_name().prop_map(Node::Parquet),
        1 => file_name().prop_map(Node::Empty),
        1 => file_name().prop_map(Node::Fifo),
        2 => (file_name(), link_to).prop_map(|(name, to)| Node::Link(name, to)),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        (name(), vec(inner, 0..5)).prop_map(|(name, children)| Node::Folder(name, unique(children)))
    })
}

/// The first node of each name (a folder cannot hold two entries of one name).
fn unique(nodes: Vec<Node>) -> Vec<Node> {
    let mut seen = std::collections::HashSet::new();
    nodes.into_iter().filter(|n| seen.insert(n.name().to_vec())).collect()
}

/// What the oracle expects of a tree.
#[derive(Debug, Default)]
struct Expected {
    files: Vec<FileRef>,
    /// Entries that must stop the search (any one of them may be the one reported).
    problems: Vec<PathBuf>,
    /// Found files that are not Parquet.
    empty: Vec<PathBuf>,
}

fn skipped(name: &[u8]) -> bool {
    name.first().is_some_and(|b| *b == b'_' || *b == b'.')
}

fn parquet_name(name: &[u8]) -> bool {
    name.len() >= 8 && name[name.len() - 8..].eq_ignore_ascii_case(b".parquet")
}

/// `%` and two hex digits is that byte; the result must be UTF-8.
fn decode(text: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' && tail.len() >= 2 && tail[..2].iter().all(u8::is_ascii_hexdigit) {
            out.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
            rest = &tail[2..];
        } else {
            out.push(first);
            rest = tail;
        }
    }
    String::from_utf8(out).ok()
}

/// SPEC §2's reading of a folder's name: `Ok(None)` not hive, `Err(())` a hive name that is not
/// text.
fn hive(name: &[u8]) -> Result<Option<(String, Option<String>)>, ()> {
    match name.iter().position(|b| *b == b'=') {
        None | Some(0) => Ok(None),
        Some(_) => {
            let text = std::str::from_utf8(name).map_err(|_| ())?;
            let (column, value) = text.split_once('=').unwrap();
            let value = if value == HIVE_NULL { None } else { Some(decode(value).ok_or(())?) };
            Ok(Some((decode(column).ok_or(())?, value)))
        }
    }
}

fn expect(folder: &Path, hives: &[(String, Option<String>)], children: &[Node], out: &mut Expected) {
    let mut sorted: Vec<&Node> = children.iter().collect();
    sorted.sort_by(|a, b| a.name().cmp(b.name()));
    for node in sorted {
        let name = node.name();
        if skipped(name) {
            continue;
        }
        let path = folder.join(OsStr::from_bytes(name));
        let found =
            |out: &mut Expected| out.files.push(FileRef { path: path.clone(), hive: hives.to_vec(), object: None });
        match node {
            Node::Folder(_, inside) => match hive(name) {
                Err(()) => out.problems.push(path),
                Ok(column) => {
                    let mut hives = hives.to_vec();
                    hives.extend(column);
                    expect(&path, &hives, inside, out);
                }
            },
            Node::Parquet(_) | Node::Link(_, LinkTo::HiddenFile) if parquet_name(name) => found(out),
            Node::Empty(_) if parquet_name(name) => {
                found(out);
                out.empty.push(path);
            }
            Node::Fifo(_) if parquet_name(name) => out.problems.push(path),
            Node::Link(_, LinkTo::Nowhere | LinkTo::Itself | LinkTo::ItsFolder) => out.problems.push(path),
            _ => {}
        }
    }
}

/// Makes the tree on disk; each people file holds one person of its own.
fn build(folder: &Path, children: &[Node], next_id: &mut i64) {
    std::fs::create_dir_all(folder).unwrap();
    for node in children {
        let path = folder.join(OsStr::from_bytes(node.name()));
        match node {
            Node::Folder(_, inside) => build(&path, inside, next_id),
            Node::Parquet(_) => write_person(&path, next_id),
            Node::Empty(_) => std::fs::write(&path, b"").unwrap(),
            Node::Fifo(_) => rustix::fs::mknodat(
                rustix::fs::CWD,
                &path,
                rustix::fs::FileType::Fifo,
                rustix::fs::Mode::from_raw_mode(0o644),
                0,
            )
            .unwrap(),
            Node::Link(name, to) => {
                let target = match to {
                    LinkTo::HiddenFile => {
                        let hidden = [b"_target-", &name[..]].concat();
                        write_person(&folder.join(OsStr::from_bytes(&hidden)), next_id);
                        hidden
                    }
                    LinkTo::Nowhere => b"nowhere".to_vec(),
                    LinkTo::Itself => name.clone(),
                    LinkTo::ItsFolder => b".".to_vec(),
                };
                std::os::unix::fs::symlink(OsStr::from_bytes(&target), &path).unwrap();
            }
        }
    }
}

fn write_person(path: &Path, next_id: &mut i64) {
    *next_id += 1;
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("person_id", Arc::new(Int64Array::from(vec![*next_id]))),
        ("partition", Arc::new(StringArray::from(vec!["p1"]))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

const MODEL: &str = r#"{"workspaces": [{"id": "all", "partitions": "all"}],
  "users": [{"id": "admin", "admin": true, "workspaces": "all"}], "segmentations": []}"#;

/// The path an error is about, as its message starts with it (`` `path` … ``).
fn named(error: &Error, paths: &[PathBuf]) -> bool {
    let message = error.to_string();
    paths.iter().any(|p| message.contains(&format!("`{}`", p.display())))
}

fn check_tree(children: &[Node]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people");
    build(&people, children, &mut 0);
    std::fs::write(dir.path().join("model.json"), MODEL).unwrap();
    let mut expected = Expected::default();
    expect(&people, &[], children, &mut expected);

    let found = discover(&people.as_path().into());
    let validated =
        segcalc::run::validate(&DatasetPaths::local(dir.path()), Some("2026-11-01T12:00:00Z"), false, &Log::new(true));
    if !expected.problems.is_empty() {
        let error = found.err().ok_or_else(|| TestCaseError::fail("the search must fail"))?;
        prop_assert!(matches!(error, Error::Entry { .. }), "{error}");
        prop_assert!(named(&error, &expected.problems), "{error} names none of {:?}", expected.problems);
        let error = validated.err().ok_or_else(|| TestCaseError::fail("validate must fail"))?;
        prop_assert_eq!(error.exit_code(), 2, "{}", error);
        prop_assert!(named(&error, &expected.problems), "{error} names none of {:?}", expected.problems);
    } else if expected.files.is_empty() {
        let error = found.err().ok_or_else(|| TestCaseError::fail("no files: the search must fail"))?;
        prop_assert!(matches!(error, Error::NoPeople { .. }), "{error}");
        prop_assert!(named(&error, std::slice::from_ref(&people)), "{error}");
        prop_assert_eq!(validated.map_err(|e| e.exit_code()).err(), Some(2));
    } else {
        let found = found.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&found, &expected.files);
        if expected.empty.is_empty() {
            prop_assert!(validated.is_ok(), "{}", validated.unwrap_err());
        } else {
            let error = validated.err().ok_or_else(|| TestCaseError::fail("an empty file: validate must fail"))?;
            prop_assert_eq!(error.exit_code(), 1, "{}", error);
            prop_assert!(named(&error, &expected.empty), "{error} names none of {:?}", expected.empty);
        }
    }
    Ok(())
}

/// [`check_tree`] in a thread of its own: a case that hangs (a FIFO opened) fails after [`LIMIT`].
fn within_limit(children: Vec<Node>) -> Result<(), TestCaseError> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(check_tree(&children));
    });
    match receive.recv_timeout(LIMIT) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!("hung for {LIMIT:?}"))),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(TestCaseError::fail("the case panicked")),
    }
}

fn config() -> ProptestConfig {
    let cases = std::env::var("SEGCALC_FOLDER_TREE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_TARGET_TMPDIR"),
            "/folder-tree-regressions.txt"
        )))),
        max_shrink_iters: 500,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_search_finds_what_spec_says_and_fails_only_on_named_entries(children in vec(node(), 1..6).prop_map(unique)) {
        within_limit(children)?;
    }
}

/// The oracle on names whose reading SPEC fixes.
#[test]
fn the_oracle_reads_names_as_spec_says() {
    assert_eq!(hive(b"partition=emea"), Ok(Some(("partition".into(), Some("emea".into())))));
    assert_eq!(hive(b"partition=__HIVE_DEFAULT_PARTITION__"), Ok(Some(("partition".into(), None))));
    assert_eq!(hive("a%3Db=caf%C3%A9".as_bytes()), Ok(Some(("a=b".into(), Some("café".into())))));
    assert_eq!(hive(b"=x"), Ok(None));
    assert_eq!(hive(b"x=%FF"), Err(()));
    assert_eq!(hive(b"x\xff=1"), Err(()));
    assert!(skipped(b"_SUCCESS") && skipped(b".crc") && !skipped(b"a_b"));
    assert!(parquet_name(b"\xff.PARQUET") && !parquet_name(b"parquet"));
}
