//! The `segcalc` command: parses arguments, calls the library, maps errors to SPEC §6's exit
//! codes. No logic lives here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use segcalc::inputs::DatasetPaths;
use segcalc::location::Location;
use segcalc::log::Log;
use segcalc::run::{RunOptions, run, validate};

/// Batch segmentation recalculation: people in Parquet, the model in JSON, out comes what every
/// workspace may see, published atomically.
///
/// Every path may be an object-store URL (s3://, gs://, az://), configured by the store's own
/// environment variables (docs/OPERATIONS.md).
///
/// Exit codes: 0 success, 1 runtime failure (I/O, corrupt Parquet, a store request that failed
/// every retry), 2 bad usage or bad input (model errors, people table breaking the rules, a
/// shard missing or of other inputs), 3 `diff --check` found a difference, 75 another run holds
/// the output lock or published first.
#[derive(Parser)]
#[command(name = "segcalc", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct DatasetArgs {
    /// Dataset folder: model.json, people.parquet or people/, lists/<id>.parquet.
    dataset: PathBuf,
    /// People file or folder to read instead of the dataset's own.
    #[arg(long, value_name = "PATH")]
    people: Option<PathBuf>,
    /// model.json to read instead of the dataset's own.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// The run's "now" for `in_past/in_future`, RFC 3339 (default: the current time).
    #[arg(long, value_name = "RFC3339")]
    as_of: Option<String>,
    /// Treat every warning as an error (exit 2).
    #[arg(long)]
    strict: bool,
    /// Compute threads (default: one per core); `run` adds one thread that writes the large
    /// output files (see docs/OPERATIONS.md).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress lines on stderr.
    #[arg(long, short)]
    quiet: bool,
}

impl DatasetArgs {
    fn paths(&self) -> segcalc::Result<DatasetPaths> {
        dataset_paths(&self.dataset, self.people.as_deref(), self.model.as_deref())
    }
}

/// The dataset's parts, each a local path or an object-store URL.
fn dataset_paths(
    dataset: &std::path::Path,
    people: Option<&std::path::Path>,
    model: Option<&std::path::Path>,
) -> segcalc::Result<DatasetPaths> {
    Ok(DatasetPaths {
        dataset: Location::from_arg(dataset)?,
        people: people.map(Location::from_arg).transpose()?,
        model: model.map(Location::from_arg).transpose()?,
    })
}

#[derive(Subcommand)]
enum Command {
    /// Recalculate every approved segmentation and publish a new run under --out.
    ///
    /// Writes <out>/runs/<run-id>/ (membership/workspace=<W>/part-0.parquet,
    /// bitmaps/<W>/<S>/<segment>.roaring, manifest.json), then switches <out>/current to it.
    /// A failed run publishes nothing and leaves `current` untouched.
    ///
    /// Example: segcalc run data/sample --out out --as-of 2026-11-01T12:00:00Z
    Run {
        #[command(flatten)]
        dataset: DatasetArgs,
        /// Output folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Runs to keep after a successful run, the current one included.
        #[arg(long, value_name = "N", default_value_t = 3)]
        keep: usize,
        /// Do not write changes.parquet (the diff against the previous run).
        #[arg(long)]
        no_changes: bool,
        /// Compute only shard K of N of the run and publish nothing: the people whose ids fall in
        /// the K-th of N ranges every shard derives from the files' footers. Its files go to
        /// <out>/shards/<run-id>/K/; `segcalc commit` publishes the run once all N are there.
        /// Run again, a shard replaces its own earlier output (a retried pod). See
        /// docs/OPERATIONS.md for Kubernetes Indexed Jobs, Slurm arrays and Airflow.
        #[arg(long, value_name = "K/N", requires = "run_id")]
        shard: Option<String>,
        /// The sharded run's id, the same for every shard and the commit.
        #[arg(long, value_name = "ID", requires = "shard")]
        run_id: Option<String>,
        /// Do everything but publish: print each segment's count and who would move against
        /// the run `current` names. Takes no lock; writes nothing under --out.
        #[arg(long, conflicts_with = "shard")]
        dry_run: bool,
        /// With --dry-run: machine-readable output (schema in docs/EXPLAIN.md).
        #[arg(long, requires = "dry_run")]
        json: bool,
    },
    /// Publish a sharded run: check that shards 0..N of --run-id are complete and were computed
    /// from the same inputs, assemble them into runs/<run-id>/ and publish it as `run` does.
    ///
    /// Costs O(objects + bitmap bytes): membership files are linked (or copied inside the
    /// store), bitmaps merged, counts summed; people are not read again. A shard missing or of
    /// other inputs: exit 2, nothing published. Another run published since the shards ran:
    /// exit 75.
    ///
    /// Example: segcalc commit out --run-id nightly-2026-12-01 --shards 4
    Commit {
        /// Output folder of the shards (local, or an object-store URL).
        out: PathBuf,
        /// The run id the shards were given.
        #[arg(long, value_name = "ID")]
        run_id: String,
        /// How many shards the run has.
        #[arg(long, value_name = "N")]
        shards: usize,
        /// Runs to keep after the commit, the new one included.
        #[arg(long, value_name = "N", default_value_t = 3)]
        keep: usize,
        /// No progress lines on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Who moved between two published runs: per segmentation, the movement matrix and totals.
    ///
    /// One folder: runs of an output folder (default: the run before `current`, and `current`).
    /// Two folders: two run folders, e.g. a golden run kept in a repository and out/current.
    /// --check exits 3 when someone changed segment (0 when nobody did).
    ///
    /// Example: segcalc diff tests/golden-run out/current --check
    Diff {
        /// An output folder of `run`, or two run folders (each holding a manifest.json).
        #[arg(value_name = "DIR", num_args = 1..=2, required = true)]
        folders: Vec<PathBuf>,
        /// The earlier run's id under runs/ (one output folder only).
        #[arg(long, value_name = "RUN")]
        from: Option<String>,
        /// The later run's id under runs/ (one output folder only; default: `current`).
        #[arg(long, value_name = "RUN")]
        to: Option<String>,
        /// Machine-readable output (schema in docs/EXPLAIN.md).
        #[arg(long)]
        json: bool,
        /// Exit 3 when the runs differ.
        #[arg(long)]
        check: bool,
    },
    /// One self-contained HTML page of a published run: sizes, movements, history.
    ///
    /// Per workspace its segmentations with bar charts of segment sizes (shared ones marked
    /// read-only, with their origin), the movements since the previous run, each segment's size
    /// over the history, and the run's id, as-of, duration and warnings. Opens offline.
    ///
    /// Example: segcalc report out --html report.html
    Report {
        /// Output folder of `run`.
        out: PathBuf,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        /// A run id under runs/ (default: the run `current` points to).
        #[arg(long, value_name = "ID")]
        run: Option<String>,
    },
    /// Why a person is, or is not, in each segment, and where that is visible.
    ///
    /// Shows the person's partition and rule values, the workspaces that see them, and for each
    /// approved segmentation: in scope or not (and why), every segment's rule down to each
    /// condition with the value it compared, the segment assigned, and the workspaces where it is
    /// visible (read-only or editable). Reads only the row groups whose id statistics may hold
    /// the person.
    ///
    /// Example: segcalc explain data/sample --person 10234 --segmentation industry --as-of 2026-11-01T12:00:00Z
    Explain {
        /// Dataset folder (as for `run`).
        dataset: PathBuf,
        /// The person id to explain.
        #[arg(long, value_name = "ID")]
        person: u64,
        /// Only this segmentation.
        #[arg(long, value_name = "S")]
        segmentation: Option<String>,
        /// Only segmentations visible in this workspace, as it sees them.
        #[arg(long, value_name = "W")]
        workspace: Option<String>,
        /// The "now" of `in_past/in_future`, RFC 3339 (default: the current time).
        #[arg(long, value_name = "RFC3339")]
        as_of: Option<String>,
        /// People file or folder to read instead of the dataset's own.
        #[arg(long, value_name = "PATH")]
        people: Option<PathBuf>,
        /// model.json to read instead of the dataset's own.
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
        /// Machine-readable output (schema in docs/EXPLAIN.md).
        #[arg(long)]
        json: bool,
    },
    /// What a published run gives a workspace or a user.
    ///
    /// No option: the workspaces and the segmentations each sees (own or shared).
    /// --workspace W: W's segmentations, own or shared (read-only), with each segment's visible count.
    /// --user U: U's "shared with me" list, with `via`, and the workspaces where U sees each one.
    /// --workspace W --segment S/G [--limit N]: the person ids W sees in segment G of S.
    ///
    /// Example: segcalc show out --workspace americas
    Show {
        /// Output folder of `run`.
        out: PathBuf,
        /// A run id under runs/ (default: the run `current` points to).
        #[arg(long, value_name = "ID")]
        run: Option<String>,
        #[arg(long, value_name = "W")]
        workspace: Option<String>,
        #[arg(long, value_name = "U")]
        user: Option<String>,
        /// SEGMENTATION/SEGMENT whose person ids to list (with --workspace).
        #[arg(long, value_name = "S/G")]
        segment: Option<String>,
        /// At most this many person ids.
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// Machine-readable output (schema in docs/EXPLAIN.md).
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic, realistic dataset for benchmarks and tests.
    ///
    /// 40 partitions (skewed), 8 workspaces, users and a group, a static list, and 20 approved
    /// segmentations of 10 segments using every operator family over skewed attributes with
    /// nulls. The same --seed gives the same data. Its rules are written for
    /// --as-of 2026-11-01T12:00:00Z.
    ///
    /// Example: segcalc generate --people 1000000 --seed 7 --out /tmp/w1m
    Generate {
        /// How many people.
        #[arg(long, value_name = "N")]
        people: u64,
        /// Random seed.
        #[arg(long, value_name = "S", default_value_t = 7)]
        seed: u64,
        /// Dataset folder to write (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// People files (people/part-*.parquet when more than one).
        #[arg(long, value_name = "K", default_value_t = 1)]
        files: usize,
        /// Person ids spread over the whole 32-bit range instead of 1..=N.
        #[arg(long)]
        sparse_ids: bool,
    },
    /// Check the model against the people files: every error and warning, nothing written.
    ///
    /// Example: segcalc validate data/sample
    Validate {
        #[command(flatten)]
        dataset: DatasetArgs,
    },
}

fn main() -> ExitCode {
    segcalc::error::quiet_caught_reader_panics();
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn thread_pool(threads: Option<usize>) -> segcalc::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(segcalc::Error::Usage { message: "--threads must be at least 1".into() });
        }
        builder = builder.num_threads(n);
    }
    builder.build().map_err(|e| segcalc::Error::Threads { message: e.to_string() })
}

/// Why printing `--json` cannot fail: the views are plain data.
const JSON_ALWAYS_WRITES: &str = "the --json views are strings, numbers, booleans and lists, with no map keys that are not strings, which serde_json always writes";

/// Writes `text` to standard output. A reader that stops early (`segcalc show … | head`)
/// closes the pipe: that ends the output, not the command, so it is no error (and no panic, as
/// `print!` gives); any other failure to write is.
fn emit(text: &str) -> segcalc::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(segcalc::Error::Write { path: "standard output".into(), source: e })
        }
        _ => Ok(()),
    }
}

/// Writes the summary of work that is done (a published run, a written shard): failing to say
/// so must not turn the done work into a failed command, so a write error is only a warning.
fn summarize(text: &str) {
    if let Err(e) = emit(text) {
        eprintln!("warning: {e}");
    }
}

fn execute(cli: Cli) -> segcalc::Result<()> {
    match cli.command {
        Command::Run { dataset, out, keep, no_changes, shard, run_id, dry_run, json } => {
            let log = Log::new(dataset.quiet);
            let shard = match (shard, run_id) {
                (Some(shard), Some(run_id)) => Some(segcalc::shard::Shard::parse(&shard, &run_id)?),
                _ => None,
            };
            let options = RunOptions {
                shard: shard.clone(),
                paths: dataset.paths()?,
                out: Location::from_arg(&out)?,
                as_of: dataset.as_of.clone(),
                strict: dataset.strict,
                keep,
                no_changes,
            };
            if dry_run {
                let dry = thread_pool(dataset.threads)?.install(|| segcalc::dry_run::dry_run(&options, &log))?;
                if json {
                    emit(&format!("{}\n", serde_json::to_string_pretty(&dry).expect(JSON_ALWAYS_WRITES)))?;
                } else {
                    emit(&segcalc::dry_run::render(&dry))?;
                }
                return Ok(());
            }
            let summary = thread_pool(dataset.threads)?.install(|| run(&options, &log))?;
            let m = &summary.manifest;
            if !dataset.quiet {
                for s in &m.segmentations {
                    let counts: Vec<String> = s.segments.iter().map(|g| format!("{} {}", g.id, g.people)).collect();
                    eprintln!("  {} (origin {}, scope {}): {}", s.id, s.origin, s.scope, counts.join(", "));
                }
            }
            let changes =
                m.changes.as_ref().map_or_else(|| "no changes computed".to_owned(), |c| format!("{} changes", c.rows));
            if let Some(shard) = &shard {
                summarize(&format!(
                    "segcalc: computed shard {}/{} of run {} — {} people, {}, {:.2}s → {} (published once `segcalc commit OUT --run-id {} --shards {}` runs)\n",
                    shard.index,
                    shard.count,
                    shard.run_id,
                    m.people.total,
                    changes,
                    summary.seconds,
                    summary.run_dir.display(),
                    shard.run_id,
                    shard.count
                ));
                return Ok(());
            }
            summarize(&format!(
                "segcalc: published run {} — {} people, {} segmentations, {} workspaces, {}, {} warnings, {:.2}s → {}\n",
                m.run_id,
                m.people.total,
                m.segmentations.len(),
                m.workspaces.iter().filter(|w| !w.segmentations.is_empty()).count(),
                changes,
                m.warnings.len(),
                summary.seconds,
                summary.run_dir.display()
            ));
            Ok(())
        }
        Command::Commit { out, run_id, shards, keep, quiet } => {
            let log = Log::new(quiet);
            let options = segcalc::commit::CommitOptions { out: Location::from_arg(&out)?, run_id, shards, keep };
            let summary = segcalc::commit::commit(&options, &log)?;
            let m = &summary.manifest;
            summarize(&format!(
                "segcalc: committed and published run {} — {} people from {shards} shards, {} changes, {:.2}s → {}\n",
                m.run_id,
                m.people.total,
                m.changes.as_ref().map_or(0, |c| c.rows),
                summary.seconds,
                summary.run_dir.display()
            ));
            Ok(())
        }
        Command::Explain { dataset, person, segmentation, workspace, as_of, people, model, json } => {
            let options = segcalc::explain::ExplainOptions {
                paths: dataset_paths(&dataset, people.as_deref(), model.as_deref())?,
                person,
                segmentation,
                workspace,
                as_of,
            };
            let explanation = segcalc::explain::explain(&options)?;
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&explanation).expect(JSON_ALWAYS_WRITES)))?;
            } else {
                emit(&segcalc::explain::render(&explanation))?;
            }
            Ok(())
        }
        Command::Show { out, run, workspace, user, segment, limit, json } => {
            let out = Location::from_arg(&out)?;
            let view = segcalc::show::show(&segcalc::show::ShowOptions { out, run, workspace, user, segment, limit })?;
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&view).expect(JSON_ALWAYS_WRITES)))?;
            } else {
                emit(&segcalc::show::render(&view))?;
            }
            Ok(())
        }
        Command::Diff { folders, from, to, json, check } => {
            let diff = segcalc::diff::diff(&segcalc::diff::DiffRuns::new(&folders, from, to)?)?;
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&diff).expect(JSON_ALWAYS_WRITES)))?;
            } else {
                emit(&segcalc::diff::render(&diff))?;
            }
            if check { segcalc::diff::check(&diff) } else { Ok(()) }
        }
        Command::Report { out, html, run } => {
            let written = segcalc::report::report(&Location::from_arg(&out)?, run.as_deref(), &html)?;
            emit(&format!("segcalc: wrote the report of run {written} to {}\n", html.display()))?;
            Ok(())
        }
        Command::Generate { people, seed, out, files, sparse_ids } => {
            let options = segcalc::generate::GenerateOptions { people, seed, out: out.clone(), files, sparse_ids };
            let written = segcalc::generate::generate(&options)?;
            emit(&format!("segcalc: wrote {written} people in {files} file(s) to {}\n", out.display()))?;
            Ok(())
        }
        Command::Validate { dataset } => {
            let log = Log::new(dataset.quiet);
            let warnings = thread_pool(dataset.threads)?
                .install(|| validate(&dataset.paths()?, dataset.as_of.as_deref(), dataset.strict, &log))?;
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            emit(&format!("segcalc: {} is valid ({} warnings)\n", dataset.dataset.display(), warnings.len()))?;
            Ok(())
        }
    }
}
