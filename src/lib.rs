//! segcalc recalculates marketing segmentations over a Parquet people table and publishes what
//! every workspace may see (the contract is `SPEC.md`; the design is `ARCHITECTURE.md`).
//!
//! The pipeline: **load → compile → evaluate → publish**. The modules below are listed in
//! reading order: the stages first, then the commands that drive them, then what all share.

// Stages.

// 1. Load: find the people files, read model.json, compile it, load the static lists.
pub mod inputs;

// The people table: its files, unified schema and parallel, column-projected scan.
pub mod people;

// The model: model.json read (spec form) and compiled against the people schema.
pub mod model;

// Static lists (`member_of_list`) as Roaring bitmaps.
pub mod lists;

// 2. Compile: rules as literals, conditions and predicate trees, and their kernels.
pub mod rule;

// 3. Evaluate: classify every batch, build the people table in id order, build segment sets.
pub mod engine;

// 4. Publish: membership files, bitmaps, access, changes and the manifest, written and
// switched atomically, on a local folder or an object store; the layout of a published run and
// its reader.
pub mod output;

// Commands.

// `run` and `validate`.
pub mod run;

// `run --shard K/N`: the id ranges of a shard and the digest of its inputs (SPEC §8).
pub mod shard;

// `commit`: a sharded run's shards checked, assembled and published as one run.
pub mod commit;

// `explain`: why a person is or is not in each segment.
pub mod explain;

// `show`: what a published run gives a workspace or a user.
pub mod show;

// `run --dry-run`, `diff` and `report`: before and after a run (SPEC §9).
pub mod diff;
pub mod dry_run;
pub mod report;

// `generate`: the deterministic benchmark dataset.
pub mod generate;

// Shared.

// Where an input or an output is: a local path or an object-store URL.
pub mod location;

// Object stores (SPEC §7): a URL's store client, objects and byte ranges read, the I/O runtime.
pub mod store;

// The one error enum, diagnostics and warnings.
pub mod error;

// File-system entries as untrusted input: typed before they are opened, stamped while read.
pub mod entry;

// Progress and step lines on stderr.
pub mod log;

// Every tuning constant, with what it was measured on.
pub mod tuning;

pub use error::{Error, Result};
