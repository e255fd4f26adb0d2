//! A run of 4 shards on the S3 emulator, committed there, equals the unsharded run on local
//! disk (SPEC §8 over §7): shards meet in the bucket, and the commit copies inside the store.

use super::servers::{Kind, Server};
use super::shared::{assert_same_run, generated_dataset, run_local, run_ok_on};
use crate::support::stderr;

#[test]
fn four_shards_committed_on_s3_equal_the_unsharded_run() {
    let Some(server) = Server::start(Kind::S3) else { return };
    let dataset = generated_dataset(&server, 150_000, "data");
    let local = tempfile::tempdir().unwrap();
    let (data, out) = (server.url("data"), server.url("out"));
    for as_of in ["2026-11-01T12:00:00Z", "2026-12-15T12:00:00Z"] {
        run_local(dataset.path(), local.path(), &["--as-of", as_of]);
    }
    run_ok_on(&server, &data, &out, &["--as-of", "2026-11-01T12:00:00Z"]);
    for k in 0..4 {
        let spec = format!("{k}/4");
        run_ok_on(
            &server,
            &data,
            &out,
            &["--as-of", "2026-12-15T12:00:00Z", "--shard", &spec, "--run-id", "s3-sharded"],
        );
        assert!(server.get(&format!("out/shards/s3-sharded/{k}/shard.json")).is_some(), "shard {k}'s marker");
    }
    let committed =
        server.segcalc().args(["commit", &out, "--run-id", "s3-sharded", "--shards", "4", "--quiet"]).output().unwrap();
    assert!(committed.status.success(), "{}", stderr(&committed));
    assert_eq!(server.current_run("out").as_deref(), Some("s3-sharded"));
    assert_same_run(&server, "out", local.path(), "4 shards on S3");
    assert!(server.keys("out/shards").is_empty(), "the committed shards are removed");
}
