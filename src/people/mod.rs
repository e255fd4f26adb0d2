//! The people table: finding its files ([`files`]), their unified schema ([`schema`]), and the
//! parallel, column-projected scan ([`source`]) of their column chunks ([`chunks`]). Every path
//! from the file system is opened through [`crate::entry`].

pub mod chunks;
pub mod files;
pub mod schema;
pub mod source;

pub use schema::PeopleSchema;
pub use source::{PeopleSource, RawBatch, ScanColumns};
