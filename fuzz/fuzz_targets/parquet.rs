//! People Parquet: any bytes as the one people file of a dataset → load, scan, classify and
//! assemble as `segcalc run` does (see `segcalc_fuzz::parquet`).
//!
//! A panic of the Parquet reader that the engine lets escape is a crash, unless
//! `SEGCALC_FUZZ_KNOWN_READER_PANICS=1`: then each distinct one is printed once and fuzzing goes
//! on (CONTRIBUTING.md, finding F1). Any other panic is always a crash.
//! `SEGCALC_FUZZ_CRASH_ON_SITE=<file:line>` makes only the reader panics raised there crashes.

#![no_main]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;

/// One scratch folder per fuzzing process: `<temp>/segcalc-fuzz-parquet/<pid>`. libFuzzer ends
/// the process without running destructors (and `tmin` starts hundreds), so each process first
/// removes the folders of processes that are gone (where `/proc` tells).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let parent = std::env::temp_dir().join("segcalc-fuzz-parquet");
        if Path::new("/proc/self").exists()
            && let Ok(entries) = std::fs::read_dir(&parent)
        {
            for entry in entries.flatten() {
                if !Path::new("/proc").join(entry.file_name()).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = parent.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("a scratch folder under the temporary folder");
        dir
    })
}

fn tolerate_reader_panics() -> bool {
    static TOLERATE: OnceLock<bool> = OnceLock::new();
    *TOLERATE.get_or_init(|| std::env::var_os("SEGCALC_FUZZ_KNOWN_READER_PANICS").is_some_and(|v| v == "1"))
}

/// `SEGCALC_FUZZ_CRASH_ON_SITE=decoder.rs:395`: only the reader panics raised there are crashes,
/// so that `cargo fuzz tmin` keeps to one site.
fn crash_site() -> Option<&'static str> {
    static SITE: OnceLock<Option<String>> = OnceLock::new();
    SITE.get_or_init(|| std::env::var("SEGCALC_FUZZ_CRASH_ON_SITE").ok()).as_deref()
}

fuzz_target!(|data: &[u8]| {
    segcalc_fuzz::install_reader_panic_hook();
    if let Err(panic) = segcalc_fuzz::catch_reader_panic(|| segcalc_fuzz::parquet(data, scratch())) {
        if let Some(site) = crash_site() {
            assert!(!panic.location.contains(site), "the Parquet reader panicked at the chosen site: {panic}");
            return;
        }
        assert!(tolerate_reader_panics(), "the Parquet reader panicked and the engine let it escape: {panic}");
        static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
        let mut seen = SEEN.lock().unwrap();
        if seen.get_or_insert_with(HashSet::new).insert(panic.location.clone()) {
            // Kept for a reproducer: artifacts/parquet/reader-panic-<n>.
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts").join("parquet");
            let file = dir.join(format!("reader-panic-{}", seen.as_ref().map_or(0, HashSet::len)));
            let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, data));
            eprintln!("known reader panic (F1), new site: {panic}; input kept in {}", file.display());
        }
    }
});
