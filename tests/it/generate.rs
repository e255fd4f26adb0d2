//! `segcalc generate`: deterministic, valid, and runnable, dense or sparse ids.

use crate::support::{current_run, manifest_json, membership_lines, run_cli, segment_sets, stderr};

fn generate(out: &std::path::Path, seed: &str, extra: &[&str]) {
    let mut args = vec!["generate", "--people", "3000", "--seed", seed, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = run_cli(&args);
    assert!(output.status.success(), "{}", stderr(&output));
}

fn run(dataset: &std::path::Path, out: &std::path::Path) -> serde_json::Value {
    let output = run_cli(&[
        "run",
        dataset.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-01T12:00:00Z",
        "-q",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    manifest_json(&current_run(out))
}

#[test]
fn the_same_seed_gives_the_same_dataset_and_every_segmentation_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    generate(&a, "5", &["--files", "2", "--sparse-ids"]);
    generate(&b, "5", &["--files", "2", "--sparse-ids"]);
    generate(&c, "6", &[]);
    let validate = run_cli(&["validate", a.to_str().unwrap(), "-q"]);
    assert!(validate.status.success(), "{}", stderr(&validate));
    let ma = run(&a, &dir.path().join("out-a"));
    run(&b, &dir.path().join("out-b"));
    let mc = run(&c, &dir.path().join("out-c"));
    assert_eq!(ma["people"]["total"], 3000);
    assert_eq!(ma["segmentations"].as_array().unwrap().len(), 20);
    assert_eq!(membership_lines(&dir.path().join("out-a")), membership_lines(&dir.path().join("out-b")));
    assert_ne!(membership_lines(&dir.path().join("out-a")), membership_lines(&dir.path().join("out-c")));
    // Dense ids are 1..=N; sparse ones spread over the 32-bit range.
    let ids = |out: &str| {
        let lines = membership_lines(&dir.path().join(out));
        lines.iter().map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap()).max().unwrap()
    };
    assert!(ids("out-c") <= 3000);
    assert!(ids("out-a") > 1_000_000);
    // Most segments of a realistic dataset are populated.
    let empty = mc["segmentations"][0]["segments"].as_array().unwrap().iter().filter(|g| g["people"] == 0).count();
    assert!(empty <= 1, "{}", mc["segmentations"][0]);
}

#[test]
fn more_people_than_ids_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_cli(&["generate", "--people", "4294967296", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("at most 4294967295"), "{}", stderr(&output));
}

/// The same people with sparse ids take other paths (sorted placement, bitmaps encoded from id
/// lists, partial overlaps selected by rows): every output must be the dense run's, ids mapped.
#[test]
fn sparse_ids_give_the_dense_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (dense, sparse) = (dir.path().join("dense"), dir.path().join("sparse"));
    generate(&dense, "11", &["--files", "3"]);
    generate(&sparse, "11", &["--files", "3", "--sparse-ids"]);
    let (out_dense, out_sparse) = (dir.path().join("out-dense"), dir.path().join("out-sparse"));
    let manifest_dense = run(&dense, &out_dense);
    let manifest_sparse = run(&sparse, &out_sparse);
    // `generate` numbers person i as i + 1 (dense) or by this bijection (sparse).
    let to_sparse = |id: u32| (id - 1).wrapping_mul(0x9E37_79B1) ^ 0x5bd1_e995;

    let mut mapped: Vec<String> = membership_lines(&out_dense)
        .iter()
        .map(|line| {
            let (rest, id) = line.rsplit_once(',').unwrap();
            format!("{rest},{}", to_sparse(id.parse().unwrap()))
        })
        .collect();
    mapped.sort();
    assert_eq!(mapped, membership_lines(&out_sparse));
    assert_eq!(manifest_dense["segmentations"], manifest_sparse["segmentations"]);
    assert_eq!(manifest_dense["workspaces"], manifest_sparse["workspaces"]);

    let (dense_sets, sparse_sets) = (segment_sets(&current_run(&out_dense)), segment_sets(&current_run(&out_sparse)));
    assert_eq!(dense_sets.len(), sparse_sets.len());
    let mut files = 0;
    for ((name, dense_set), (sparse_name, sparse_set)) in dense_sets.iter().zip(&sparse_sets) {
        assert_eq!(name, sparse_name);
        let expected: roaring::RoaringBitmap = dense_set.iter().map(to_sparse).collect();
        assert_eq!(*sparse_set, expected, "{name}");
        files += 1;
    }
    assert!(files > 100, "{files} bitmap files");
    // The dataset has partial overlaps: shared views that see some, not all, of the scope.
    let scope = |id: &serde_json::Value| {
        let all = manifest_dense["segmentations"].as_array().unwrap();
        all.iter().find(|s| s["id"] == *id).unwrap()["scope"].as_u64().unwrap()
    };
    let partial = manifest_dense["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["segmentations"].as_array().unwrap())
        .filter(|v| {
            let seen: u64 = v["segments"].as_array().unwrap().iter().map(|g| g["people"].as_u64().unwrap()).sum();
            seen > 0 && seen < scope(&v["id"])
        })
        .count();
    assert!(partial > 0);
}
