//! `explain` and `show`: goldens on data/sample and a fixture, `explain` agreeing with `run` for
//! every person, and `show`'s counts equal to `expected-membership.csv`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{FIXTURE_AS_OF, FIXTURES, csv_lines, data_dir, run_cli, run_fixture, stderr};

fn json(args: &[&str]) -> serde_json::Value {
    let output = run_cli(args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("--json gives JSON")
}

fn text(args: &[&str]) -> String {
    let output = run_cli(args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

fn check_golden(name: &str, actual: &str) {
    let path = data_dir().join("explain_show").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(expected, actual, "{name} differs (UPDATE_GOLDEN=1 rewrites {})", path.display());
}

#[test]
fn explain_goldens() {
    // Relative paths keep the file names in the output stable wherever the checkout is.
    let fixture = "tests/data/fixtures/pyarrow-dictionary";
    for (name, args) in [
        ("explain_sample_10001", vec!["explain", "data/sample", "--person", "10001", "--as-of", FIXTURE_AS_OF]),
        (
            "explain_fixture_shared_workspace",
            vec!["explain", fixture, "--person", "1049", "--workspace", "americas", "--as-of", FIXTURE_AS_OF],
        ),
        (
            "explain_fixture_one_segmentation",
            vec!["explain", fixture, "--person", "1112", "--segmentation", "lifecycle", "--as-of", FIXTURE_AS_OF],
        ),
    ] {
        check_golden(name, &text(&args));
    }
}

#[test]
fn explain_agrees_with_run_for_every_person() {
    let dataset = data_dir().join("fixtures").join("pyarrow-dictionary");
    let expected: BTreeMap<(String, String, u32), String> =
        csv_lines(&data_dir().join("fixtures").join("expected-membership.csv"))
            .into_iter()
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                ((f[0].to_owned(), f[1].to_owned(), f[3].parse().unwrap()), f[2].to_owned())
            })
            .collect();
    let ids: std::collections::BTreeSet<u32> = expected.keys().map(|k| k.2).collect();
    let step = std::env::var("SEGCALC_EXPLAIN_ALL").map_or(7, |_| 1);
    for id in ids.iter().step_by(step) {
        let e = json(&[
            "explain",
            dataset.to_str().unwrap(),
            "--person",
            &id.to_string(),
            "--as-of",
            FIXTURE_AS_OF,
            "--json",
        ]);
        let mut from_explain = BTreeMap::new();
        for s in e["segmentations"].as_array().unwrap() {
            for v in s["visible_in"].as_array().unwrap() {
                let key = (v["workspace"].as_str().unwrap().to_owned(), s["id"].as_str().unwrap().to_owned(), *id);
                from_explain.insert(key, s["assigned"].as_str().unwrap().to_owned());
            }
        }
        let from_run: BTreeMap<_, _> =
            expected.iter().filter(|(k, _)| k.2 == *id).map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(from_explain, from_run, "person {id}");
    }
}

#[test]
fn explain_of_an_unknown_person_is_a_usage_error() {
    let output = run_cli(&["explain", "data/sample", "--person", "7"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("person 7 is not in the people table"), "{}", stderr(&output));
}

#[test]
fn show_counts_equal_the_expected_membership() {
    let mut expected: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for l in csv_lines(&data_dir().join("fixtures").join("expected-membership.csv")) {
        let f: Vec<&str> = l.split(',').collect();
        *expected.entry((f[0].to_owned(), f[1].to_owned(), f[2].to_owned())).or_default() += 1;
    }
    for name in FIXTURES {
        let (out, output) = run_fixture(name);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let mut shown: BTreeMap<(String, String, String), u64> = BTreeMap::new();
        for w in json(&["show", out.path().to_str().unwrap(), "--json"])["workspaces"].as_array().unwrap() {
            let w = w["workspace"].as_str().unwrap();
            let view = json(&["show", out.path().to_str().unwrap(), "--workspace", w, "--json"]);
            for s in view["segmentations"].as_array().unwrap() {
                for g in s["segments"].as_array().unwrap() {
                    let n = g[1].as_u64().unwrap();
                    if n > 0 {
                        shown.insert(
                            (
                                w.to_owned(),
                                s["segmentation"].as_str().unwrap().to_owned(),
                                g[0].as_str().unwrap().to_owned(),
                            ),
                            n,
                        );
                    }
                }
            }
        }
        assert_eq!(shown, expected, "{name}");
    }
}

#[test]
fn show_goldens() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    text(&["run", "data/sample", "--out", o, "--as-of", FIXTURE_AS_OF, "-q"]);
    let run_id = |s: String| {
        // The run id is the start time: replace it so the golden is stable.
        let id = std::fs::read_link(Path::new(o).join("current")).unwrap();
        s.replace(id.file_name().unwrap().to_str().unwrap(), "<run-id>")
    };
    check_golden("show_workspaces", &run_id(text(&["show", o])));
    check_golden("show_workspace_americas", &run_id(text(&["show", o, "--workspace", "americas"])));
    check_golden("show_user_bob", &run_id(text(&["show", o, "--user", "bob"])));
    check_golden(
        "show_members",
        &run_id(text(&["show", o, "--workspace", "emea", "--segment", "lifecycle/vip", "--limit", "5"])),
    );
    check_golden("show_workspace_json", &run_id(text(&["show", o, "--workspace", "global_sales", "--json"])));
    let missing = run_cli(&["show", o, "--workspace", "emea", "--segment", "lifecycle/nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("has no segment `nope`"), "{}", stderr(&missing));
}
