//! SPEC §9 on an object store (moto): a dry run against `s3://…` writes no object and shows the
//! local dry run's matrix, `diff` of the two runs there equals the local `diff`, a remote run
//! folder compared with the same run on local disk is equal (`--check` 0), history.parquet holds
//! both runs, and the report of the remote folder names every segment's count.

use serde_json::Value;

use super::servers::{Kind, Server};
use super::shared::{run_local, run_ok_on};
use crate::support::{FIXTURE_AS_OF, copy_dir, current_run, data_dir, edited_fixture_model, run_cli, stderr};

fn text(output: std::process::Output) -> String {
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// A `--json` document with the fields that name runs or places removed.
fn without_runs(json: &str) -> Value {
    let mut value: Value = serde_json::from_str(json).unwrap();
    for key in ["compared_with", "from", "to", "warnings"] {
        value.as_object_mut().unwrap().remove(key);
    }
    value
}

#[test]
fn dry_run_diff_history_and_report_read_an_object_store() {
    let Some(server) = Server::start(Kind::S3) else { return };
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("ds");
    copy_dir(&data_dir().join("fixtures").join("pyarrow-dictionary"), &dataset);
    let edited = dir.path().join("edited.json");
    std::fs::write(&edited, edited_fixture_model(&dataset.join("model.json")).to_string()).unwrap();
    server.upload_dir(&dataset, "data/ds");
    let (remote_data, remote_out) = (server.url("data/ds"), server.url("out"));
    let local = dir.path().join("local");
    let first = ["--as-of", "2026-09-01T00:00:00Z"];
    run_local(&dataset, &local, &first);
    run_ok_on(&server, &remote_data, &remote_out, &first);

    let second = ["--as-of", FIXTURE_AS_OF, "--model", edited.to_str().unwrap()];
    let dry = |data: &str, out: &str| {
        let args = [&["run", data, "--out", out, "--dry-run", "--json", "--quiet"][..], &second].concat();
        text(server.segcalc().args(args).output().unwrap())
    };
    let keys = server.keys("out");
    let remote_dry = dry(&remote_data, &remote_out);
    assert_eq!(server.keys("out"), keys, "the dry run wrote nothing to the store (no lease, no run)");
    let local_dry = dry(dataset.to_str().unwrap(), local.to_str().unwrap());
    assert_eq!(without_runs(&remote_dry), without_runs(&local_dry));
    assert!(remote_dry.contains("\"industry_copy\""));

    run_local(&dataset, &local, &second);
    run_ok_on(&server, &remote_data, &remote_out, &second);
    let remote_diff = text(server.segcalc().args(["diff", &remote_out, "--json"]).output().unwrap());
    let local_diff = text(run_cli(&["diff", local.to_str().unwrap(), "--json"]));
    assert_eq!(without_runs(&remote_diff), without_runs(&local_diff));
    let dry: Value = serde_json::from_str(&remote_dry).unwrap();
    let diff: Value = serde_json::from_str(&remote_diff).unwrap();
    assert_eq!(dry["movements"], diff["movements"], "the dry run showed what the run did");

    // The remote current run folder against the same run on local disk: equal.
    let run_id = server.current_run("out").unwrap();
    let remote_run = server.url(&format!("out/runs/{run_id}"));
    let local_run = local.join("current");
    let check = server.segcalc().args(["diff", &remote_run, local_run.to_str().unwrap(), "--check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));

    let downloaded = dir.path().join("downloaded");
    server.download_output("out", &downloaded);
    let history = segcalc::output::history::read(&current_run(&downloaded)).unwrap();
    let mut runs: Vec<&str> = history.iter().map(|r| r.run_id.as_str()).collect();
    runs.dedup();
    assert_eq!(runs.len(), 2, "both runs' counts: {runs:?}");
    assert_eq!(runs[1], run_id);

    let html = dir.path().join("report.html");
    text(server.segcalc().args(["report", &remote_out, "--html", html.to_str().unwrap()]).output().unwrap());
    let page = std::fs::read_to_string(&html).unwrap();
    let manifest = current_run(&downloaded);
    for w in &manifest.manifest().workspaces {
        for s in &w.segmentations {
            for g in &s.segments {
                assert!(
                    page.contains(&format!("<td>{}</td><td class=\"n\">{}</td>", g.id, g.people)),
                    "{}/{}",
                    s.id,
                    g.id
                );
            }
        }
    }
}
