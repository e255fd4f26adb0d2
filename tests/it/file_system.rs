//! The file system is input too (issue 13 §5): names and entries of every shape in the people
//! folder, as `--people`, `--model`, a static list or `--out`. Each case runs the binary with a
//! time limit and states the exit code and a part of the path the message must name; a panic
//! ("panicked") or a hang fails, and a failed run publishes nothing. The decisions (which case
//! is exit 1, which exit 2) are in docs/ERRORS.md, "Files and folders".

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use segcalc::people::PeopleSource;
use segcalc::people::ScanColumns;

use crate::support::{copy_dir, data_dir, segcalc};

/// Longer than any of these runs takes, even in a debug build on a busy machine.
const LIMIT: Duration = Duration::from_mins(1);

struct Outcome {
    code: i32,
    stderr: String,
}

/// Runs `command`, killing it (and failing) after [`LIMIT`].
fn within_limit(mut command: Command) -> Outcome {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("segcalc starts");
    // Read on the side, so that a long message cannot fill the pipe and look like a hang.
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut stderr = Vec::new();
        std::io::Read::read_to_end(&mut pipe, &mut stderr).map(|_| String::from_utf8_lossy(&stderr).into_owned())
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = reader.join().unwrap().unwrap();
            return Outcome { code: status.code().unwrap_or(-1), stderr };
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("segcalc did not finish within {LIMIT:?}: {command:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn cli(args: &[&OsStr]) -> Outcome {
    let mut command = segcalc();
    command.args(args);
    within_limit(command)
}

/// A copy of the `pyarrow-dictionary` fixture with its people file at `people/part-0.parquet`.
fn dataset() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    copy_dir(&data_dir().join("fixtures").join("pyarrow-dictionary"), &ds);
    std::fs::create_dir(ds.join("people")).unwrap();
    std::fs::rename(ds.join("people.parquet"), ds.join("people").join("part-0.parquet")).unwrap();
    (dir, ds)
}

/// Runs `segcalc run <ds> --out <ds>/../out` and checks the outcome: the exit code, `names` in
/// the message (compared lossily, as printed), no panic, and a published run only on success.
fn expect_run(ds: &Path, extra: &[&OsStr], code: i32, names: &str) -> String {
    let out = ds.parent().unwrap().join("out");
    let mut args: Vec<&OsStr> = vec![OsStr::new("run"), ds.as_os_str(), OsStr::new("--out"), out.as_os_str()];
    args.push(OsStr::new("--quiet"));
    args.extend_from_slice(extra);
    let current = || std::fs::read_link(out.join("current")).ok();
    let runs = || std::fs::read_dir(out.join("runs")).map_or(0, Iterator::count);
    let (current_before, runs_before) = (current(), runs());
    let outcome = cli(&args);
    check(&outcome, code, names);
    let published = current() != current_before;
    assert_eq!(published, code == 0, "published iff it succeeded:\n{}", outcome.stderr);
    if code != 0 {
        assert_eq!(runs(), runs_before, "a failed run leaves no run folder");
    }
    outcome.stderr
}

fn check(outcome: &Outcome, code: i32, names: &str) {
    assert!(!outcome.stderr.contains("panicked"), "a panic:\n{}", outcome.stderr);
    assert_eq!(outcome.code, code, "exit code; stderr:\n{}", outcome.stderr);
    assert!(outcome.stderr.contains(names), "the message names `{names}`:\n{}", outcome.stderr);
}

fn mkfifo(path: &Path) {
    rustix::fs::mknodat(rustix::fs::CWD, path, rustix::fs::FileType::Fifo, rustix::fs::Mode::from_raw_mode(0o644), 0)
        .unwrap();
}

fn bytes(name: &[u8]) -> &OsStr {
    OsStr::from_bytes(name)
}

fn people_file() -> PathBuf {
    data_dir().join("fixtures").join("pyarrow-dictionary").join("people.parquet")
}

#[test]
fn a_percent_sign_before_a_multibyte_character_in_a_hive_folder_is_no_panic() {
    for name in ["partition=%2é", "partition=%é", "partition=%日本", "x%2é=%2é"] {
        let (_dir, ds) = dataset();
        let folder = ds.join("people").join(name);
        std::fs::create_dir(&folder).unwrap();
        std::fs::rename(ds.join("people/part-0.parquet"), folder.join("part-0.parquet")).unwrap();
        expect_run(&ds, &[], 0, "");
    }
}

#[test]
fn hive_names_that_are_not_utf8_are_refused() {
    for (name, shown) in [
        (&b"partition=%FF"[..], "partition=%FF"),
        (b"partition=%C3", "partition=%C3"),
        (b"partition=a%C3%28", "partition=a%C3%28"),
        (b"partition=\xff", "partition=\u{FFFD}"),
        (b"col\xfe=x", "col\u{FFFD}=x"),
    ] {
        let (_dir, ds) = dataset();
        let folder = ds.join("people").join(bytes(name));
        std::fs::create_dir(&folder).unwrap();
        std::fs::copy(people_file(), folder.join("b.parquet")).unwrap();
        let stderr = expect_run(&ds, &[], 2, shown);
        assert!(stderr.contains("is a `column=value` folder whose name is not UTF-8"), "{stderr}");
    }
}

#[test]
fn other_names_that_are_not_utf8_are_read_and_named_lossily() {
    let (_dir, ds) = dataset();
    let folder = ds.join("people").join(bytes(b"batch-\xff"));
    std::fs::create_dir(&folder).unwrap();
    std::fs::rename(ds.join("people/part-0.parquet"), folder.join(bytes(b"\xfe.parquet"))).unwrap();
    expect_run(&ds, &[], 0, "");
    // The same names, on a file that is not Parquet.
    std::fs::write(folder.join(bytes(b"\xfd.parquet")), b"").unwrap();
    let stderr = expect_run(&ds, &[], 1, "batch-\u{FFFD}/\u{FFFD}.parquet");
    assert!(stderr.contains("is not readable Parquet"), "{stderr}");
}

#[test]
fn a_fifo_or_a_socket_named_parquet_is_refused_without_blocking() {
    let (_dir, ds) = dataset();
    mkfifo(&ds.join("people/notes"));
    expect_run(&ds, &[], 0, "");
    mkfifo(&ds.join("people/_skipped.parquet"));
    expect_run(&ds, &[], 0, "");
    mkfifo(&ds.join("people/pipe.parquet"));
    expect_run(&ds, &[], 2, "people/pipe.parquet` is a FIFO (named pipe), not a regular file");
    expect_run(&ds, &[OsStr::new("--people"), ds.join("people/pipe.parquet").as_os_str()], 2, "pipe.parquet");

    let (_dir, ds) = dataset();
    let socket = ds.join("people/sock.parquet");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    expect_run(&ds, &[], 2, "people/sock.parquet` is a socket, not a regular file");
}

#[test]
fn model_and_list_paths_that_are_not_files_are_refused() {
    let (_dir, ds) = dataset();
    // model.json is read as a stream: a pipe with a writer (`--model <(jq …)`) is fine.
    let model = ds.parent().unwrap().join("model.json");
    mkfifo(&model);
    let writer = {
        let (model, text) = (model.clone(), std::fs::read(ds.join("model.json")).unwrap());
        std::thread::spawn(move || std::fs::write(model, text).unwrap())
    };
    expect_run(&ds, &[OsStr::new("--model"), model.as_os_str()], 0, "");
    writer.join().unwrap();
    std::fs::remove_file(&model).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(&model).unwrap();
    expect_run(&ds, &[OsStr::new("--model"), model.as_os_str()], 2, "model.json` is a socket");
    std::fs::remove_file(&model).unwrap();
    std::fs::create_dir(&model).unwrap();
    expect_run(&ds, &[OsStr::new("--model"), model.as_os_str()], 2, "model.json` is a folder, not a regular file");

    let list = ds.join("lists/vip.parquet");
    std::fs::remove_file(&list).unwrap();
    mkfifo(&list);
    expect_run(&ds, &[], 2, "lists/vip.parquet` is a FIFO");
    std::fs::remove_file(&list).unwrap();
    std::os::unix::fs::symlink("vip.parquet", &list).unwrap();
    expect_run(&ds, &[], 2, "lists/vip.parquet` is a symbolic link that loops");
    // `lists` a file: the system's "Not a directory", exit 1 like every failed read.
    std::fs::remove_dir_all(ds.join("lists")).unwrap();
    std::fs::write(ds.join("lists"), b"").unwrap();
    let stderr = expect_run(&ds, &[], 1, "lists/vip.parquet`: Not a directory");
    assert!(stderr.contains("a part of the path that should be a folder is a file"), "{stderr}");
}

#[test]
fn links_that_loop_or_lead_nowhere_are_named() {
    let (_dir, ds) = dataset();
    let people = ds.join("people");
    std::os::unix::fs::symlink("self.parquet", people.join("self.parquet")).unwrap();
    expect_run(&ds, &[], 2, "people/self.parquet` is a symbolic link that loops");
    std::fs::remove_file(people.join("self.parquet")).unwrap();

    std::os::unix::fs::symlink("gone", people.join("gone.parquet")).unwrap();
    expect_run(&ds, &[], 2, "people/gone.parquet` is a symbolic link to `gone`, which does not exist");
    std::fs::remove_file(people.join("gone.parquet")).unwrap();

    std::fs::create_dir(people.join("a")).unwrap();
    std::os::unix::fs::symlink("..", people.join("a/up")).unwrap();
    let stderr = expect_run(&ds, &[], 2, "people/a/up` is the folder `");
    assert!(stderr.contains("a folder above it"), "{stderr}");
    std::fs::remove_file(people.join("a/up")).unwrap();

    // A link to a file or a folder elsewhere is followed.
    std::fs::rename(people.join("part-0.parquet"), ds.join("elsewhere.parquet")).unwrap();
    std::os::unix::fs::symlink("../../elsewhere.parquet", people.join("a/linked.parquet")).unwrap();
    expect_run(&ds, &[], 0, "");
    // And a dangling `people` or `people.parquet` says so too.
    std::fs::remove_dir_all(&people).unwrap();
    std::os::unix::fs::symlink("nowhere", ds.join("people.parquet")).unwrap();
    std::fs::remove_file(ds.join("elsewhere.parquet")).unwrap();
    expect_run(&ds, &[], 2, "people.parquet` is a symbolic link to `nowhere`");
}

#[test]
fn folders_named_parquet_are_searched() {
    let (_dir, ds) = dataset();
    std::fs::create_dir(ds.join("people/empty.parquet")).unwrap();
    std::fs::create_dir(ds.join("people/spark.parquet")).unwrap();
    std::fs::rename(ds.join("people/part-0.parquet"), ds.join("people/spark.parquet/part-0.parquet")).unwrap();
    expect_run(&ds, &[], 0, "");
    expect_run(&ds, &[OsStr::new("--people"), ds.join("people/spark.parquet").as_os_str()], 0, "");
    expect_run(
        &ds,
        &[OsStr::new("--people"), ds.join("people/empty.parquet").as_os_str()],
        2,
        "holds no .parquet files",
    );
}

#[test]
fn zero_byte_files_are_corrupt_parquet() {
    let (_dir, ds) = dataset();
    std::fs::write(ds.join("people/zero.parquet"), b"").unwrap();
    expect_run(&ds, &[], 1, "people/zero.parquet` is not readable Parquet");
}

#[test]
fn long_names_and_deep_trees() {
    // A 255-byte name (the most ext4 takes) is an ordinary name.
    let (_dir, ds) = dataset();
    let long = "n".repeat(247) + ".parquet";
    std::fs::rename(ds.join("people/part-0.parquet"), ds.join("people").join(&long)).unwrap();
    expect_run(&ds, &[], 0, "");

    // 1,500 folders deep, within PATH_MAX: found, without recursion.
    let (_dir, ds) = dataset();
    let mut deep = ds.join("people");
    for _ in 0..1500 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::rename(ds.join("people/part-0.parquet"), deep.join("p.parquet")).unwrap();
    expect_run(&ds, &[], 0, "");

    // Deeper than PATH_MAX (made relative to each folder): the path is too long, exit 1.
    let (_dir, ds) = dataset();
    let name = "x".repeat(200);
    let mut fd = rustix::fs::open(ds.join("people"), rustix::fs::OFlags::DIRECTORY, rustix::fs::Mode::empty()).unwrap();
    for _ in 0..25 {
        rustix::fs::mkdirat(&fd, name.as_str(), rustix::fs::Mode::from_raw_mode(0o755)).unwrap();
        fd = rustix::fs::openat(&fd, name.as_str(), rustix::fs::OFlags::DIRECTORY, rustix::fs::Mode::empty()).unwrap();
    }
    let stderr = expect_run(&ds, &[], 1, &format!("people/{name}/{name}/"));
    assert!(stderr.contains("the path or a name in it is too long"), "{stderr}");
}

/// Root reads files without permission, so the binary runs as `nobody` (setpriv) when this
/// process can; without setpriv the case is not testable here and says so.
#[test]
fn unreadable_files_and_folders_are_io_errors() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, ds) = dataset();
    let mode = |path: &Path, mode| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    mode(dir.path(), 0o755);
    let hidden = ds.join("people/locked");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::copy(people_file(), ds.join("people/secret.parquet")).unwrap();
    mode(&ds.join("people/secret.parquet"), 0o000);
    let privileged = std::fs::read(ds.join("people/secret.parquet")).is_ok();
    let as_user = |args: &[&OsStr]| {
        let mut command = if privileged {
            let mut command = Command::new("setpriv");
            command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(env!("CARGO_BIN_EXE_segcalc"));
            command
        } else {
            segcalc()
        };
        command.args(args);
        within_limit(command)
    };
    if privileged && Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("unreadable_files_and_folders_are_io_errors: skipped, root without setpriv");
        return;
    }
    let validate = [OsStr::new("validate"), ds.as_os_str()];
    let outcome = as_user(&validate);
    check(&outcome, 1, "people/secret.parquet`: Permission denied");
    assert!(outcome.stderr.contains("this user may not read it"), "{}", outcome.stderr);
    mode(&ds.join("people/secret.parquet"), 0o644);
    std::fs::rename(ds.join("people/secret.parquet"), hidden.join("secret.parquet")).unwrap();
    mode(&hidden, 0o000);
    check(&as_user(&validate), 1, "people/locked`: Permission denied");
    mode(&hidden, 0o755);
}

#[test]
fn out_paths_of_the_wrong_kind_are_refused_before_any_work() {
    let (_dir, ds) = dataset();
    let out = ds.parent().unwrap().join("out");
    let run_to = |out: &Path| cli(&[OsStr::new("run"), ds.as_os_str(), OsStr::new("--out"), out.as_os_str()]);

    std::fs::write(&out, b"").unwrap();
    check(&run_to(&out), 2, "out` is a regular file, not a folder");
    std::fs::remove_file(&out).unwrap();
    std::os::unix::fs::symlink("out", &out).unwrap();
    check(&run_to(&out), 2, "out` is a symbolic link that loops");
    std::fs::remove_file(&out).unwrap();

    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("runs"), b"").unwrap();
    check(&run_to(&out), 2, "out/runs` is a regular file, not a folder");
    std::fs::remove_file(out.join("runs")).unwrap();
    for current_is_a in ["file", "folder"] {
        let current = out.join("current");
        if current_is_a == "file" {
            std::fs::write(&current, b"mine").unwrap();
        } else {
            std::fs::create_dir(&current).unwrap();
        }
        check(
            &run_to(&out),
            2,
            &format!("out/current` is a {}", if current_is_a == "file" { "regular file" } else { "folder" }),
        );
        assert!(current.symlink_metadata().is_ok_and(|m| !m.file_type().is_symlink()), "`current` left alone");
        assert_eq!(std::fs::read_dir(out.join("runs")).map_or(0, Iterator::count), 0, "nothing written");
        let _ = std::fs::remove_file(&current);
        let _ = std::fs::remove_dir(&current);
    }

    // A `current` link to nothing (its run deleted by hand) is replaced, with a warning.
    std::os::unix::fs::symlink("runs/gone", out.join("current")).unwrap();
    check(&run_to(&out), 0, "");
    let manifest = std::fs::read_to_string(out.join("current/manifest.json")).unwrap();
    assert!(manifest.contains("the previous run cannot be read"), "{manifest}");
}

#[test]
fn show_on_broken_output_trees_names_them() {
    let (_dir, ds) = dataset();
    let out = ds.parent().unwrap().join("out");
    let show = || cli(&[OsStr::new("show"), out.as_os_str()]);
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("current"), b"").unwrap();
    check(&show(), 2, "no published run in `");
    std::fs::remove_file(out.join("current")).unwrap();
    std::os::unix::fs::symlink("runs/gone", out.join("current")).unwrap();
    check(&show(), 2, "runs/gone` is not a complete run");
    std::fs::remove_file(out.join("current")).unwrap();
    std::os::unix::fs::symlink("current", out.join("current")).unwrap();
    check(&show(), 2, "current` is not a complete run");
    std::fs::remove_file(out.join("current")).unwrap();

    // A FIFO in a published run (all its reads go through `Storage::read`) never hangs `show`.
    expect_run(&ds, &[], 0, "");
    let bitmap = out.join("current/bitmaps/emea/industry/finance.roaring");
    std::fs::remove_file(&bitmap).unwrap();
    mkfifo(&bitmap);
    let segment =
        [OsStr::new("--workspace"), OsStr::new("emea"), OsStr::new("--segment"), OsStr::new("industry/finance")];
    let outcome = cli(&[&[OsStr::new("show"), out.as_os_str()][..], &segment].concat());
    check(&outcome, 2, "finance.roaring` is a FIFO (named pipe)");
}

/// A file whose size changes between its footer and its row groups (a writer still at work) is
/// an error naming it, exit 1, whether it grew or shrank, and is never decoded from other bytes.
#[test]
fn a_file_that_changes_between_footer_and_scan_is_an_error() {
    for change in ["grown", "truncated", "rewritten"] {
        let (_dir, ds) = dataset();
        let path = ds.join("people/part-0.parquet");
        let source = PeopleSource::open(&ds.join("people").into()).unwrap();
        let file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        let len = file.metadata().unwrap().len();
        match change {
            "grown" => std::io::Write::write_all(&mut &file, b"more rows").unwrap(),
            "truncated" => file.set_len(len / 2).unwrap(),
            _ => {
                // Same size, new bytes: the modification time tells.
                std::thread::sleep(Duration::from_millis(20));
                std::fs::write(&path, vec![0u8; len as usize]).unwrap();
            }
        }
        let columns = ScanColumns { id: "person_id", partition: "partition", attributes: &[] };
        let error = source.scan(&columns, |batch| Ok(batch.ids.len())).unwrap_err();
        assert_eq!(error.exit_code(), 1, "{change}: {error}");
        let message = error.to_string();
        assert!(message.starts_with(&format!("`{}` ", path.display())), "{change}: {message}");
        let expected = if change == "rewritten" { "was rewritten while segcalc read it" } else { "changed size" };
        assert!(message.contains(expected), "{change}: {message}");
    }
}
