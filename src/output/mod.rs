//! What a run writes (SPEC §4): membership files ([`membership`]), bitmaps ([`bitmaps`]), the
//! manifest ([`manifest`]), the atomic publish that makes them visible ([`publish`]), and the
//! deletion of old runs ([`retention`]). [`tree`] does the whole-folder syncing and deleting.

pub mod access;
pub mod bitmaps;
pub mod changes;
pub mod file_writer;
pub mod lock;
pub mod manifest;
pub mod membership;
pub mod publish;
pub mod retention;
pub mod segment_column;
pub mod tree;
