//! The harness of the bad-input table: a `Case` (what to break, what to expect), its builder,
//! and `check`, which runs the cases and reports every failure at once.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use arrow_array::RecordBatch;
use serde_json::Value;

use segcalc::output::layout::Layout;
use segcalc::output::published::OutputFolder;

use crate::support::{FIXTURE_AS_OF, copy_dir, current_id, segcalc, stderr};

use super::input::{Ctx, fixture, fixture_people, write_parquet};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    Run,
    Validate,
}

/// Changes the input; returns arguments to add to the command line.
type Setup = Box<dyn Fn(&Ctx) -> Vec<String>>;
/// Further checks of a successful case, given the output folder and stdout.
type After = Box<dyn Fn(&Path, &str) -> Result<(), String>>;

pub(super) struct Case {
    name: &'static str,
    command: Command,
    setups: Vec<Setup>,
    exit: i32,
    /// Each entry: parts that must all appear on one stderr line.
    lines: Vec<Vec<String>>,
    /// The number of `  - ` items the message lists.
    errors: Option<usize>,
    after: Option<After>,
}

fn case(name: &'static str, command: Command) -> Case {
    Case { name, command, setups: Vec::new(), exit: 2, lines: Vec::new(), errors: None, after: None }
}

pub(super) fn run(name: &'static str) -> Case {
    case(name, Command::Run)
}

pub(super) fn validate(name: &'static str) -> Case {
    case(name, Command::Validate)
}

impl Case {
    pub(super) fn exit(mut self, code: i32) -> Self {
        self.exit = code;
        self
    }

    pub(super) fn setup(mut self, f: impl Fn(&Ctx) -> Vec<String> + 'static) -> Self {
        self.setups.push(Box::new(f));
        self
    }

    pub(super) fn arg(self, arg: &'static str) -> Self {
        self.setup(move |_| vec![arg.to_owned()])
    }

    pub(super) fn args(self, list: &'static [&'static str]) -> Self {
        self.setup(move |_| args(list))
    }

    /// Edits the dataset's model.json.
    pub(super) fn model(self, f: impl Fn(&mut Value) + 'static) -> Self {
        self.setup(move |ctx| {
            let path = ctx.ds.join("model.json");
            let mut model: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
            f(&mut model);
            fs::write(&path, serde_json::to_vec_pretty(&model).unwrap()).unwrap();
            Vec::new()
        })
    }

    /// Replaces the dataset's model.json with `text`.
    pub(super) fn model_text(self, text: &'static str) -> Self {
        self.setup(move |ctx| {
            fs::write(ctx.ds.join("model.json"), text).unwrap();
            Vec::new()
        })
    }

    /// Rewrites the dataset's people.parquet from the fixture's rows.
    pub(super) fn people(self, f: impl Fn(&RecordBatch) -> RecordBatch + 'static) -> Self {
        self.setup(move |ctx| {
            write_parquet(&ctx.ds.join("people.parquet"), &f(&fixture_people()));
            Vec::new()
        })
    }

    pub(super) fn line(mut self, parts: &[&str]) -> Self {
        self.lines.push(parts.iter().map(|p| (*p).to_owned()).collect());
        self
    }

    pub(super) fn lines(mut self, lines: impl Iterator<Item = Vec<String>>) -> Self {
        self.lines.extend(lines);
        self
    }

    pub(super) fn errors(mut self, n: usize) -> Self {
        self.errors = Some(n);
        self
    }

    pub(super) fn after(mut self, f: impl Fn(&Path, &str) -> Result<(), String> + 'static) -> Self {
        self.after = Some(Box::new(f));
        self
    }
}

/// Runs every case; fails with all failures at once. Failed runs go into one output folder that
/// holds a good run, which each of them must leave exactly as it was.
pub(super) fn check(cases: &[Case]) {
    let shared = tempfile::tempdir().unwrap();
    let out = shared.path().join("out");
    let good = segcalc()
        .args(["run", &path_str(&fixture()), "--out", &path_str(&out)])
        .args(["--as-of", FIXTURE_AS_OF, "--quiet"])
        .output()
        .unwrap();
    assert!(good.status.success(), "the good run fails: {}", stderr(&good));
    assert!(current_id(&out).is_some(), "the good run is published");

    // BAD_INPUT_SHOW=1 prints every case's command and stderr, to review the messages.
    let show = std::env::var_os("BAD_INPUT_SHOW").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let (problems, report) = run_case(case, &out);
        if show {
            eprintln!("{}:\n{report}", case.name);
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{report}", case.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// Runs one case. Returns what went wrong (a panic, changed inputs, something published or
/// written, the exit code, a missing message) and the command with its output, for the failure
/// report.
fn run_case(case: &Case, shared_out: &Path) -> (Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = Ctx { ds: tmp.path().join("ds"), scratch: tmp.path().join("scratch") };
    copy_dir(&fixture(), &ctx.ds);
    fs::create_dir(&ctx.scratch).unwrap();
    let cwd = tmp.path().join("cwd");
    fs::create_dir(&cwd).unwrap();
    let extra: Vec<String> = case.setups.iter().flat_map(|s| s(&ctx)).collect();

    // A case expected to succeed publishes into a fresh folder; the others into the shared one.
    let fresh_out = tempfile::tempdir().unwrap();
    let out = if case.exit == 0 { fresh_out.path().join("out") } else { shared_out.to_owned() };
    let mut argv = vec![
        match case.command {
            Command::Run => "run".to_owned(),
            Command::Validate => "validate".to_owned(),
        },
        path_str(&ctx.ds),
    ];
    if case.command == Command::Run {
        argv.extend(["--out".to_owned(), path_str(&out)]);
    }
    if !extra.iter().any(|a| a == "--as-of") {
        argv.extend(["--as-of".to_owned(), FIXTURE_AS_OF.to_owned()]);
    }
    argv.push("--quiet".to_owned());
    argv.extend(extra);

    let inputs_before = (tree(&ctx.ds, true), tree(&ctx.scratch, true));
    let out_before = tree(shared_out, false);
    let current_before = current_id(shared_out);

    let output = segcalc().args(&argv).current_dir(&cwd).output().unwrap();
    let err = stderr(&output);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let report =
        format!("    segcalc {}\n    exit {:?}\n    stderr:\n{}", argv.join(" "), output.status.code(), indent(&err));

    let mut problems = Vec::new();
    if err.contains("panicked") {
        problems.push("the engine panicked".to_owned());
    }
    if (tree(&ctx.ds, true), tree(&ctx.scratch, true)) != inputs_before {
        problems.push("the inputs changed".to_owned());
    }
    if !tree(&cwd, false).is_empty() {
        problems.push("files were written into the working folder".to_owned());
    }
    if case.command == Command::Validate && fresh_out.path().join("out").exists() {
        problems.push("validate wrote an output folder".to_owned());
    }
    if case.exit != 0 || case.command == Command::Validate {
        // Nothing published: `current` and the runs as they were, no staging folder left.
        if current_id(shared_out) != current_before {
            problems.push("`current` was switched".to_owned());
        }
        let out_after = tree(shared_out, false);
        if out_after != out_before {
            let new: Vec<_> = out_after.iter().filter(|e| !out_before.contains(e)).take(5).collect();
            let gone: Vec<_> = out_before.iter().filter(|e| !out_after.contains(e)).take(5).collect();
            problems.push(format!("the output folder changed: new {new:?}, gone {gone:?} (at most 5 each)"));
        }
        if stdout.contains("published") {
            problems.push("stdout says a run was published".to_owned());
        }
    }

    if output.status.code() != Some(case.exit) {
        problems.push(format!(
            "exit {} instead of {}",
            output.status.code().map_or_else(|| "by a signal (crash)".to_owned(), |c| c.to_string()),
            case.exit
        ));
    }
    for parts in &case.lines {
        if !err.lines().any(|l| parts.iter().all(|p| l.contains(p.as_str()))) {
            problems.push(format!("no stderr line holds all of {parts:?}"));
        }
    }
    if let Some(n) = case.errors {
        let items = err.lines().filter(|l| l.starts_with("  - ")).count();
        let header = err.contains(&format!("{n} error(s)")) || err.contains(&format!("{n} warning(s)"));
        if items != n || !header {
            problems.push(format!("{items} listed problems instead of {n}"));
        }
    }
    if case.exit == 0 && output.status.success() {
        if case.command == Command::Run {
            let published = OutputFolder::local(&out).current().is_ok_and(|run| run.is_some());
            if !published {
                problems.push("the run was not published".to_owned());
            }
        }
        if let Some(after) = &case.after
            && let Err(e) = after(&out, &stdout)
        {
            problems.push(e);
        }
    }
    (problems, report)
}

/// Every entry below `root` (relative path, kind, and the size of files when `sizes`), sorted;
/// empty when `root` does not exist. The output lock's file is left out: every run rewrites it.
fn tree(root: &Path, sizes: bool) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, sizes: bool, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).map(|t| t.display().to_string());
                out.push(format!("{rel} -> {}", target.unwrap_or_default()));
            } else if meta.is_dir() {
                out.push(format!("{rel}/"));
                walk(root, &path, sizes, out);
            } else if rel != Layout::lock().as_str() {
                out.push(if sizes { format!("{rel} {}", meta.len()) } else { rel });
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, sizes, &mut out);
    out.sort();
    out
}

fn indent(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let _ = writeln!(out, "      {line}");
    }
    out
}

pub(super) fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

pub(super) fn path_str(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

pub(super) fn expect_eq<T: PartialEq + std::fmt::Debug>(what: &str, actual: &T, expected: &T) -> Result<(), String> {
    if actual == expected { Ok(()) } else { Err(format!("{what}: {actual:?} instead of {expected:?}")) }
}

pub(super) fn manifest(out: &Path) -> Result<Value, String> {
    let run = OutputFolder::local(out).current().map_err(|e| e.to_string())?.ok_or("no run is published")?;
    Ok(crate::support::manifest_json(&run))
}
