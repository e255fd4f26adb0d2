//! segcalc recalculates marketing segmentations over a Parquet people table and publishes what
//! every workspace may see (the contract is `SPEC.md`; the design is `ARCHITECTURE.md`).
//!
//! The pipeline: **load → compile → evaluate → publish**.
//!
//! 1. [`inputs`] finds the people files ([`people`]), reads `model.json` and compiles it against
//!    the people schema ([`model`]) into predicates over deduplicated conditions ([`rule`]).
//! 2. [`engine`] scans row groups in parallel, classifies each batch (first matching segment
//!    wins, else `default`), and joins the batches in person-id order into Roaring bitmaps.
//! 3. [`output`] writes membership files, bitmaps and the manifest into a staging folder and
//!    publishes it atomically; [`run`] drives the whole and [`log`] reports progress.

pub mod engine;
pub mod error;
pub mod explain;
pub mod generate;
pub mod inputs;
pub mod lists;
pub mod log;
pub mod model;
pub mod output;
pub mod people;
pub mod rule;
pub mod run;
pub mod show;
pub mod tuning;

pub use error::{Error, Result};
