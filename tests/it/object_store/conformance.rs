//! Runs from and to an object store give exactly what the same runs give on local disk: the five
//! writers' fixtures and generated datasets of several files, from `s3://` (moto) and `az://`
//! (Azurite), with `show` and `explain` reading there too.

use std::path::Path;

use super::servers::{Kind, Server};
use super::shared::{assert_same_run, run_local, run_ok_on};
use crate::support::{FIXTURE_AS_OF, FIXTURES, data_dir, run_cli, stderr};

/// The fixtures, and a generated dataset run twice (changes between two as-ofs), on `kind`.
fn conforms(kind: Kind) {
    let Some(server) = Server::start(kind) else { return };
    for name in FIXTURES {
        let dataset = data_dir().join("fixtures").join(name);
        server.upload_dir(&dataset, &format!("data/{name}"));
        let local = tempfile::tempdir().unwrap();
        run_local(&dataset, local.path(), &["--as-of", FIXTURE_AS_OF]);
        let out = format!("out/{name}");
        run_ok_on(&server, &server.url(&format!("data/{name}")), &server.url(&out), &["--as-of", FIXTURE_AS_OF]);
        assert_same_run(&server, &out, local.path(), name);
    }

    let generated = tempfile::tempdir().unwrap();
    let output = run_cli(&[
        "generate",
        "--people",
        "30000",
        "--seed",
        "11",
        "--files",
        "3",
        "--out",
        generated.path().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    server.upload_dir(generated.path(), "data/generated");
    let local = tempfile::tempdir().unwrap();
    let (dataset, out) = (server.url("data/generated"), server.url("out/generated"));
    for as_of in ["2026-11-01T12:00:00Z", "2026-12-15T12:00:00Z"] {
        run_local(generated.path(), local.path(), &["--as-of", as_of, "--keep", "1"]);
        run_ok_on(&server, &dataset, &out, &["--as-of", as_of, "--keep", "1"]);
        assert_same_run(&server, "out/generated", local.path(), &format!("generated at {as_of}"));
    }
    // Retention deletes a run's manifest first; objects a failed delete left behind (a warning)
    // are an incomplete run, which the next run removes. Complete runs: the current one only.
    let complete: Vec<String> = server
        .runs("out/generated")
        .into_iter()
        .filter(|run| server.get(&format!("out/generated/runs/{run}/manifest.json")).is_some())
        .collect();
    assert_eq!(complete, [server.current_run("out/generated").unwrap()], "--keep 1 keeps the current run only");
    assert_readers_agree(&server, generated.path(), &dataset, &out, local.path());
}

/// `show` and `explain` say the same of the object store as of the local copies.
fn assert_readers_agree(server: &Server, local_dataset: &Path, dataset: &str, out: &str, local_out: &Path) {
    let text = |output: std::process::Output| {
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    for args in
        [vec!["--workspace", "ws1"], vec!["--user", "u1"], vec!["--workspace", "ws1", "--segment", "seg01/default"]]
    {
        let remote = text(server.segcalc().args(["show", out]).args(&args).output().unwrap());
        let local = text(run_cli(&[&["show", local_out.to_str().unwrap()][..], &args].concat()));
        // The first line names the run, whose id differs (the two runs started apart).
        let body = |text: &str| text.lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(body(&remote), body(&local), "show {args:?}");
        assert!(body(&local).len() > 1, "show {args:?} shows something");
    }
    let explain = ["--person", "17", "--as-of", "2026-12-15T12:00:00Z", "--json"];
    let remote = text(server.segcalc().args(["explain", dataset]).args(explain).output().unwrap());
    let local = text(run_cli(&[&["explain", local_dataset.to_str().unwrap()][..], &explain].concat()));
    let strip = |json: &str| {
        let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
        value.as_object_mut().unwrap().retain(|key, _| key != "file");
        value
    };
    assert_eq!(strip(&remote), strip(&local), "explain");
}

#[test]
fn runs_on_s3_equal_runs_on_local_disk() {
    conforms(Kind::S3);
}

#[test]
fn runs_on_azure_blob_equal_runs_on_local_disk() {
    conforms(Kind::Azure);
}
