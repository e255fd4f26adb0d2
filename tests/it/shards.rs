//! One run over many shards (SPEC §8) on local disk: N = 1, 2, 3, 4 and 7 shards committed give
//! the unsharded run (membership as tables, bitmaps by content, access, changes, counts), with
//! dense and sparse ids, several files, and files not sorted by id; retried and killed shards;
//! commits refused for a missing shard or other inputs; two commits at once.

use std::path::Path;
use std::process::{Output, Stdio};

use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::support::{assert_same_current, current_id, run_cli, segcalc, stderr};

const FIRST: &str = "2026-11-01T12:00:00Z";
const SECOND: &str = "2026-12-15T12:00:00Z";

fn ok(output: &Output) {
    assert!(output.status.success(), "{}", stderr(output));
}

fn generate(dir: &Path, people: u64, extra: &[&str]) {
    let people = people.to_string();
    ok(&run_cli(&[&["generate", "--people", &people, "--out", dir.to_str().unwrap()][..], extra].concat()));
}

fn run(dataset: &Path, out: &Path, extra: &[&str]) -> Output {
    run_cli(&[&["run", dataset.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"][..], extra].concat())
}

fn shard(dataset: &Path, out: &Path, k: usize, n: usize, run_id: &str, as_of: &str) -> Output {
    let spec = format!("{k}/{n}");
    run(dataset, out, &["--shard", &spec, "--run-id", run_id, "--as-of", as_of])
}

fn commit(out: &Path, run_id: &str, n: usize) -> Output {
    let n = n.to_string();
    run_cli(&["commit", out.to_str().unwrap(), "--run-id", run_id, "--shards", &n, "--quiet"])
}

/// A first run unsharded in both folders, then the second as one run in `whole` and as `n`
/// shards committed in `sharded`: the two current runs are the same run, changes included.
fn sharded_equals_unsharded(dataset: &Path, n: usize) {
    let (whole, sharded) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for out in [whole.path(), sharded.path()] {
        ok(&run(dataset, out, &["--as-of", FIRST]));
    }
    ok(&run(dataset, whole.path(), &["--as-of", SECOND]));
    let run_id = format!("sharded-{n}");
    for k in 0..n {
        ok(&shard(dataset, sharded.path(), k, n, &run_id, SECOND));
    }
    assert_ne!(current_id(sharded.path()).as_deref(), Some(run_id.as_str()), "shards publish nothing");
    ok(&commit(sharded.path(), &run_id, n));
    assert_eq!(current_id(sharded.path()).as_deref(), Some(run_id.as_str()));
    assert_same_current(sharded.path(), whole.path(), &format!("{n} shards"));
    assert_same_bitmap_bytes(&whole.path().join("current/bitmaps"), &sharded.path().join("current/bitmaps"));
    assert!(!sharded.path().join("shards").join(&run_id).exists(), "the committed shards are removed");
    let parts =
        std::fs::read_dir(sharded.path().join(format!("runs/{run_id}/membership/workspace=default"))).unwrap().count();
    assert!(parts >= 1 && parts <= n, "one part per shard that has people: {parts}");
}

/// Every bitmap file under `whole` has the same bytes under `sharded`, and no file is extra: the
/// commit concatenates the shards' containers into the very bytes of the unsharded run.
fn assert_same_bitmap_bytes(whole: &Path, sharded: &Path) {
    let files = |root: &Path| -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        let mut folders = vec![root.to_owned()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() { folders.push(path) } else { found.push(path.strip_prefix(root).unwrap().to_owned()) }
            }
        }
        found.sort();
        found
    };
    let names = files(whole);
    assert!(!names.is_empty());
    assert_eq!(files(sharded), names, "the same bitmap files");
    for name in names {
        assert!(
            std::fs::read(whole.join(&name)).unwrap() == std::fs::read(sharded.join(&name)).unwrap(),
            "{}",
            name.display()
        );
    }
}

#[test]
fn any_number_of_shards_gives_the_unsharded_run() {
    let dataset = tempfile::tempdir().unwrap();
    generate(dataset.path(), 70_000, &["--files", "3"]);
    // 70K dense ids are two containers: 4 and 7 shards leave some shards without people.
    for n in [1, 2, 3, 4, 7] {
        sharded_equals_unsharded(dataset.path(), n);
    }
}

#[test]
fn sparse_ids_and_files_not_sorted_by_id_give_the_unsharded_run() {
    let sparse = tempfile::tempdir().unwrap();
    generate(sparse.path(), 60_000, &["--files", "2", "--sparse-ids"]);
    // Ids over the whole 32-bit range: every shard has people.
    for n in [4, 7] {
        sharded_equals_unsharded(sparse.path(), n);
    }
    let shuffled = tempfile::tempdir().unwrap();
    generate(shuffled.path(), 60_000, &["--files", "3"]);
    shuffle_people(&shuffled.path().join("people"));
    sharded_equals_unsharded(shuffled.path(), 3);
}

/// Rewrites every people file with its rows reversed in small row groups, so that every row
/// group's ids span the file's (statistics overlap every shard).
fn shuffle_people(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap().build().unwrap();
        let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        let schema = batches[0].schema();
        let all = arrow_select::concat::concat_batches(&schema, &batches).unwrap();
        // Interleave the two halves: row i of the first half, then row i of the second.
        let rows = all.num_rows() as u32;
        let order: Vec<u32> =
            (0..rows).map(|i| if i % 2 == 0 { i / 2 } else { rows / 2 + i / 2 }).filter(|&i| i < rows).collect();
        let indices = UInt32Array::from(order);
        let columns: Vec<ArrayRef> =
            all.columns().iter().map(|c| arrow_select::take::take(c, &indices, None).unwrap()).collect();
        let shuffled = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let props =
            parquet::file::properties::WriterProperties::builder().set_max_row_group_row_count(Some(7_000)).build();
        let mut writer = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, Some(props)).unwrap();
        writer.write(&shuffled).unwrap();
        writer.close().unwrap();
    }
}

#[test]
fn commits_refuse_missing_unfinished_and_mismatched_shards() {
    let dataset = tempfile::tempdir().unwrap();
    generate(dataset.path(), 50_000, &[]);
    let out = tempfile::tempdir().unwrap();
    ok(&run(dataset.path(), out.path(), &["--as-of", FIRST]));
    let published = current_id(out.path());
    ok(&shard(dataset.path(), out.path(), 0, 3, "r1", SECOND));
    ok(&shard(dataset.path(), out.path(), 2, 3, "r1", SECOND));
    let refused = |output: Output, names: &[&str]| {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        for name in names {
            assert!(stderr(&output).contains(name), "`{name}` in: {}", stderr(&output));
        }
        assert_eq!(current_id(out.path()), published, "nothing published");
    };
    refused(commit(out.path(), "r1", 3), &["shard 1 of run `r1`", "--shard 1/3 --run-id r1"]);
    // Shard 1 from another as-of, then from another model.
    ok(&shard(dataset.path(), out.path(), 1, 3, "r1", "2026-12-16T12:00:00Z"));
    refused(commit(out.path(), "r1", 3), &["shard 1", "--as-of"]);
    let edited = tempfile::tempdir().unwrap();
    crate::support::copy_dir(dataset.path(), edited.path());
    let model = std::fs::read_to_string(edited.path().join("model.json")).unwrap();
    std::fs::write(edited.path().join("model.json"), model.replacen("\"name\"", "\"name\" ", 1)).unwrap();
    ok(&shard(edited.path(), out.path(), 1, 3, "r1", SECOND));
    refused(commit(out.path(), "r1", 3), &["shard 1", "model.json"]);
    refused(commit(out.path(), "r1", 4), &["shard 0", "one of 3 shards, not 4"]);
    // A retried shard replaces its earlier output; then the commit goes through.
    ok(&shard(dataset.path(), out.path(), 1, 3, "r1", SECOND));
    ok(&commit(out.path(), "r1", 3));
    assert_eq!(current_id(out.path()).as_deref(), Some("r1"));
    let again = commit(out.path(), "r1", 3);
    assert_eq!(again.status.code(), Some(2), "committed twice: {}", stderr(&again));
}

#[test]
fn a_shard_killed_and_run_again_and_shards_at_once_give_one_run() {
    let dataset = tempfile::tempdir().unwrap();
    generate(dataset.path(), 250_000, &["--files", "4"]);
    let (whole, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    ok(&run(dataset.path(), whole.path(), &["--as-of", SECOND]));
    // Shard 0 killed mid-way leaves no complete shard 0; the commit refuses, the rerun fixes it.
    let args = |k: usize| {
        let spec = format!("{k}/4");
        let mut command = segcalc();
        command
            .args(["run", dataset.path().to_str().unwrap(), "--out", out.path().to_str().unwrap(), "--quiet"])
            .args(["--shard", &spec, "--run-id", "k", "--as-of", SECOND])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    };
    let mut killed = args(0).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let _ = killed.kill();
    let _ = killed.wait();
    // The four shards as processes at once, against the same output folder.
    let running: Vec<_> = (0..4).map(|k| args(k).spawn().unwrap()).collect();
    for child in running {
        ok(&child.wait_with_output().unwrap());
    }
    // Two commits at once: one publishes, the other waits for nothing and exits 75 (the lock)
    // or 2 (the run is already published).
    let commits: Vec<_> = (0..2)
        .map(|_| {
            segcalc()
                .args(["commit", out.path().to_str().unwrap(), "--run-id", "k", "--shards", "4", "--quiet"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut codes: Vec<Option<i32>> =
        commits.into_iter().map(|c| c.wait_with_output().unwrap().status.code()).collect();
    codes.sort_unstable();
    assert!(codes[0] == Some(0) && matches!(codes[1], Some(2 | 75)), "{codes:?}");
    assert_same_current(out.path(), whole.path(), "4 shards at once");
    let runs = std::fs::read_dir(out.path().join("runs")).unwrap().count();
    assert_eq!(runs, 1, "one run published");
}
