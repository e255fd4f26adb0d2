//! The people table: finding its files ([`files`] on this machine, [`listing`] on an object
//! store), their unified schema ([`schema`]), and the parallel, column-projected scan
//! ([`source`]) of their column chunks ([`chunks`]); [`naming`] says what names mean in both. Every path from the file system is opened
//! through [`crate::entry`]; every object is read pinned to the version listed.

pub mod chunks;
pub mod files;
pub mod listing;
pub mod naming;
pub mod schema;
pub mod source;

pub use schema::PeopleSchema;
pub use source::{IdWindow, Origin, PeopleSource, RawBatch, ScanColumns};
