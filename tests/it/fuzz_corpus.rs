//! The fuzz targets' inputs, without the fuzzer: every seed of `fuzz/corpus/<target>/` and every
//! minimized crash input of `fuzz/regressions/<target>/` goes through the targets' own entry
//! points (`fuzz/src/lib.rs`, included below), which panic when the engine panics or breaks one
//! of its invariants. Each regression file is listed in [`REGRESSIONS`] with the error it must
//! now give. Slow regressions run only with `SEGCALC_SLOW_TESTS=1`.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/lib.rs"]
mod harness;

/// Every file of `fuzz/regressions/`: (target, file name, text its error must hold). F1's reproducers
/// (reader panics on corrupt pages) now end in a decode error naming the file and row group.
const REGRESSIONS: &[(&str, &str, &str)] = &[
    ("parquet", "f1-bit-chunk-out-of-bounds.parquet", "cannot decode row group"),
    ("parquet", "f1-bit-util-empty-slice.parquet", "cannot decode row group"),
    ("parquet", "f1-byte-array-dictionary-decoder-set.parquet", "cannot decode row group"),
    ("parquet", "f1-current-encoding-not-set.parquet", "cannot decode row group"),
    ("parquet", "f1-delta-byte-array-add-overflow.parquet", "cannot decode row group"),
    ("parquet", "f1-dictionary-decoder-not-set.parquet", "cannot decode row group"),
    ("parquet", "f1-bit-util-shift-overflow.parquet", "cannot decode row group"),
    ("parquet", "f1-fixed-len-byte-array-range.parquet", "cannot decode row group"),
    ("parquet", "f1-fixed-len-byte-array-unwrap-413.parquet", "cannot decode row group"),
    ("parquet", "f1-fixed-len-byte-array-unwrap-423.parquet", "cannot decode row group"),
    ("parquet", "f1-negative-column-start.parquet", "cannot decode row group"),
    // F2: the right error, after skipping 37 million claimed elements (0.26 s in a release build
    // since column chunks are decoded from memory; 7 s before).
    ("parquet", "f2-slow-page-header-skip.parquet", "cannot decode row group 0"),
    // F3: the right error, after a second (release build) skipping a list in the footer.
    ("parquet", "f3-slow-footer-list-skip.parquet", "is not readable Parquet"),
];

/// Regression files that take seconds: only `slow_regressions` runs them, when asked
/// (`SEGCALC_SLOW_TESTS=1 cargo test --test it fuzz_corpus`).
const SLOW: &[&str] = &["f2-slow-page-header-skip.parquet", "f3-slow-footer-list-skip.parquet"];

const TARGETS: [&str; 3] = ["model", "logic", "parquet"];

type Answer = Result<Result<String, String>, harness::ReaderPanic>;

/// Runs one input through a target's entry point. A reader panic that escapes the engine comes
/// back as `Err`; any other panic fails the test.
fn answer(target: &str, path: &Path, scratch: &Path) -> Answer {
    let data = std::fs::read(path).unwrap();
    match target {
        "model" => Ok(harness::model(&data)),
        "logic" => Ok(harness::logic(&data)),
        "parquet" => {
            harness::install_reader_panic_hook();
            harness::catch_reader_panic(|| harness::parquet(&data, scratch))
        }
        other => panic!("no fuzz target {other}"),
    }
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; none when git has no such folder (a target
/// without regressions).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

fn name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap()
}

/// Checks a regression input's answer against its entry.
fn check_regression(target: &str, path: &Path, answer: Answer) {
    let Some((_, _, text)) = REGRESSIONS.iter().find(|(t, file, _)| *t == target && *file == name(path)) else {
        panic!("{} is not listed in REGRESSIONS with the answer it must get", path.display());
    };
    match answer {
        Ok(Err(message)) => {
            assert!(message.contains(text), "{}: the error `{message}` does not hold `{text}`", path.display());
        }
        answer => panic!("{}: expected an error holding `{text}`, got {answer:?}", path.display()),
    }
}

/// Whether a seed must be accepted: model seeds compile (but the two golden cases about model
/// errors), `ok-*` logic parses, Parquet seeds load.
fn seed_is_valid(target: &str, file: &str) -> bool {
    match target {
        "model" => !file.contains("model_errors") && !file.contains("limits_exceeded"),
        "logic" => file.starts_with("ok-"),
        _ => true,
    }
}

#[test]
fn seeds_give_their_answer() {
    let scratch = tempfile::tempdir().unwrap();
    for target in TARGETS {
        for path in inputs("corpus", target) {
            let answer = answer(target, &path, scratch.path());
            let valid = seed_is_valid(target, name(&path));
            assert!(matches!(answer, Ok(Ok(_))) == valid, "{target} seed {}: {answer:?}", path.display());
        }
    }
}

#[test]
fn regressions_give_their_answer() {
    let scratch = tempfile::tempdir().unwrap();
    for target in TARGETS {
        for path in inputs("regressions", target) {
            if !SLOW.contains(&name(&path)) {
                check_regression(target, &path, answer(target, &path, scratch.path()));
            }
        }
    }
}

/// Seconds per input: opt-in with `SEGCALC_SLOW_TESTS=1`.
#[test]
fn slow_regressions() {
    if std::env::var_os("SEGCALC_SLOW_TESTS").is_none() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    for (target, file, _) in REGRESSIONS.iter().filter(|(_, file, _)| SLOW.contains(file)) {
        let path = fuzz_dir().join("regressions").join(target).join(file);
        check_regression(target, &path, answer(target, &path, scratch.path()));
    }
}

#[test]
fn every_listed_regression_exists() {
    for (target, file, _) in REGRESSIONS {
        assert!(
            fuzz_dir().join("regressions").join(target).join(file).is_file(),
            "{target}/{file} is listed but missing"
        );
    }
}

/// What a user sees for a Parquet file the reader panics on (F1): exit 1 and the decode error
/// naming the file and row group, without the reader's panic message in front of it.
#[test]
fn a_reader_panic_is_one_clean_error_line() {
    let f1: Vec<PathBuf> =
        inputs("regressions", "parquet").into_iter().filter(|p| name(p).starts_with("f1-")).collect();
    assert!(f1.len() >= 10, "{} F1 reproducers", f1.len());
    for path in f1 {
        let scratch = tempfile::tempdir().unwrap();
        let dataset = harness::parquet_dataset(&std::fs::read(&path).unwrap(), scratch.path());
        let out = scratch.path().join("out");
        let output = crate::support::run_cli(&["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
        let stderr = crate::support::stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{}: {stderr}", name(&path));
        assert!(stderr.contains("part-0.parquet`: cannot decode row group"), "{}: {stderr}", name(&path));
        assert!(!stderr.contains("panicked"), "{}: {stderr}", name(&path));
        assert!(!out.join("current").exists(), "{}: nothing is published", name(&path));
    }
}
