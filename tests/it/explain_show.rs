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
    let message = stderr(&output);
    for part in ["person 7 is not in the people table", "no row has `person_id` = 7", "check the id"] {
        assert!(message.contains(part), "`{part}` is not in: {message}");
    }
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
        let id = crate::support::current_id(Path::new(o)).unwrap();
        s.replace(&id, "<run-id>")
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

/// Runs a command that must fail with `code`; gives its stderr, after checking that stdout is empty.
fn fails(args: &[&str], code: i32) -> String {
    let output = run_cli(args);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {message}");
    assert!(output.stdout.is_empty(), "{args:?} printed a result: {}", String::from_utf8_lossy(&output.stdout));
    message
}

fn assert_holds(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "`{part}` is not in: {message}");
    }
}

#[test]
fn show_of_an_unknown_user_names_it_and_the_known_users() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    text(&["run", "data/sample", "--out", o, "--as-of", FIXTURE_AS_OF, "-q"]);
    let message = fails(&["show", o, "--user", "zed"], 2);
    assert_holds(
        &message,
        &["unknown user `zed` in run ", "the users are `ann`, `bob`, `carol`, `dan`, `erin`, `femi`, `gus`"],
    );
    assert!(!message.contains("did you mean"), "{message}");
    let message = fails(&["show", o, "--user", "bobb", "--json"], 2);
    assert_holds(&message, &["unknown user `bobb`", "did you mean `bob`?"]);
    // A known user still gets their list.
    assert!(text(&["show", o, "--user", "bob"]).contains("lifecycle"));
}

#[test]
fn show_of_a_declared_user_who_sees_nothing_is_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("ds");
    crate::support::copy_dir(&data_dir().join("fixtures").join("pyarrow-dictionary"), &dataset);
    let model_path = dataset.join("model.json");
    let mut model: serde_json::Value = serde_json::from_slice(&std::fs::read(&model_path).unwrap()).unwrap();
    model["users"].as_array_mut().unwrap().push(serde_json::json!({"id": "eve", "workspaces": []}));
    std::fs::write(&model_path, serde_json::to_vec(&model).unwrap()).unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    text(&["run", dataset.to_str().unwrap(), "--out", o, "--as-of", FIXTURE_AS_OF, "-q"]);
    // The run's manifest keeps the model's users: the model file is not needed any more.
    std::fs::remove_file(&model_path).unwrap();
    let view = json(&["show", o, "--user", "eve", "--json"]);
    assert_eq!(view["shared_with_me"], serde_json::json!([]), "{view}");
    let message = fails(&["show", o, "--user", "evee"], 2);
    assert_holds(&message, &["unknown user `evee`", "did you mean `eve`?", "`ann`, `bob`, `carol`, `dan`, `eve`"]);
}

#[test]
fn show_errors_name_what_is_missing_and_what_exists() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let message = fails(&["show", o], 2);
    assert_holds(&message, &["no published run in", "publish one with `segcalc run DATASET --out"]);
    text(&["run", "data/sample", "--out", o, "--as-of", FIXTURE_AS_OF, "-q"]);
    let run_id = crate::support::current_id(out.path()).unwrap();

    let message = fails(&["show", o, "--workspace", "emeaa"], 2);
    assert_holds(
        &message,
        &["unknown workspace `emeaa` in run ", "did you mean `emea`? (workspaces: `default`, `emea`, "],
    );
    let message = fails(&["show", o, "--run", "20200101T000000.000Z"], 2);
    assert_holds(&message, &["unknown run `20200101T000000.000Z`", &format!("the runs are `{run_id}`")]);
    let message = fails(&["show", o, "--workspace", "apac", "--segment", "industri/healthcare"], 2);
    assert_holds(
        &message,
        &[
            "segmentation `industri` is not visible in workspace `apac`",
            " (did you mean `industry`?); visible there: `industry`, `apac_engagement`",
        ],
    );
    let message = fails(&["show", o, "--segment", "lifecycle/vip"], 2);
    assert_holds(&message, &["--segment needs --workspace", "add --workspace W"]);
    let message = fails(&["show", o, "--workspace", "emea", "--segment", "lifecycle"], 2);
    assert_holds(&message, &["--segment takes SEGMENTATION/SEGMENT, found `lifecycle`", "e.g. --segment"]);
}

#[test]
fn explain_errors_name_what_is_missing_and_what_exists() {
    let base = ["explain", "data/sample", "--person", "10001", "--as-of", FIXTURE_AS_OF];
    let with = |extra: &[&'static str]| -> Vec<&'static str> { base.iter().chain(extra).copied().collect() };
    let message = fails(&with(&["--workspace", "emeaa"]), 2);
    assert_holds(&message, &["unknown workspace `emeaa` in `data/sample/model.json`", "did you mean `emea`?"]);
    let message = fails(&with(&["--segmentation", "q4_campaign"]), 2);
    assert_holds(&message, &["segmentation `q4_campaign` is a draft", "approve it"]);
    let message = fails(&with(&["--segmentation", "industri"]), 2);
    assert_holds(
        &message,
        &[
            "unknown approved segmentation `industri`",
            "did you mean `industry`?",
            "(approved segmentations: `industry`, `lifecycle`",
        ],
    );
}

/// A reader that stops early (`segcalc show OUT | head`) closes the pipe before segcalc has
/// written: the command ends quietly with success, as Unix tools do, never with a panic.
#[test]
fn show_into_a_closed_pipe_ends_quietly() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    text(&["run", "data/sample", "--out", o, "--as-of", FIXTURE_AS_OF, "-q"]);
    for args in [vec!["show", o], vec!["show", o, "--json"], vec!["show", o, "--workspace", "emea"]] {
        let mut child = crate::support::segcalc()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The read end closes before segcalc has read the run, so its first write meets it.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let errors = stderr(&output);
        assert!(!errors.contains("panicked"), "{args:?}: {errors}");
        assert!(output.status.success(), "{args:?}: {:?} {errors}", output.status);
    }
}
