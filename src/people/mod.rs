//! The people table: finding its files ([`files`]), their unified schema ([`schema`]), and the
//! parallel, column-projected scan ([`source`]) of their column chunks ([`chunks`]). [`entry`]
//! checks what a path from the file system is before anything opens it (also for model.json,
//! the static lists and `--out`).

pub mod chunks;
pub mod entry;
pub mod files;
pub mod schema;
pub mod source;

pub use schema::PeopleSchema;
pub use source::{PeopleSource, RawBatch, ScanColumns};
