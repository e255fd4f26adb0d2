//! `segcalc generate`: deterministic, valid, and runnable, dense or sparse ids.

use crate::support::{membership_lines, run_cli, stderr};

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
    serde_json::from_str(&std::fs::read_to_string(out.join("current").join("manifest.json")).unwrap()).unwrap()
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
