//! What a run writes (SPEC §4): membership files ([`membership`]), bitmaps ([`bitmaps`]), the
//! manifest ([`manifest`]), and the atomic publish that makes them visible ([`publish`]).

pub mod access;
pub mod bitmaps;
pub mod changes;
pub mod file_writer;
pub mod lock;
pub mod manifest;
pub mod membership;
pub mod publish;
pub mod segment_column;
