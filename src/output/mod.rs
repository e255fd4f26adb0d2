//! What a run writes (SPEC §4) and how it is read back. [`layout`] owns every name of the output
//! folder and of a run; [`published`] reads published runs through [`storage`].
//!
//! Writing: membership files ([`membership`], [`segment_column`]), bitmaps ([`bitmaps`]),
//! [`access`], [`changes`], [`history`] and the [`manifest`], large files through the [`file_writer`]
//! threads; the atomic publish that makes them visible ([`publish`]) under the output [`lock`],
//! and the deletion of old runs ([`retention`]). [`tree`] does the whole-folder syncing and
//! deleting. [`movement`] is the movement matrix between two runs (SPEC §9).
//!
//! Where a run is published: [`destination`] picks the local way (the `.lock` [`lock`], the
//! rename and symlink of [`publish`]) or the object store's ([`lease`] on `lock.json`, the
//! upload and conditional switch of [`current`] in [`remote_publish`]); [`remote_folder`] reads
//! an output folder on an object store.

pub mod access;
pub mod bitmaps;
pub mod changes;
pub mod current;
pub mod destination;
pub mod file_writer;
pub mod history;
pub mod layout;
pub mod lease;
pub mod lock;
pub mod manifest;
pub mod membership;
pub mod movement;
pub mod publish;
pub mod published;
pub mod remote_folder;
pub mod remote_publish;
pub mod retention;
pub mod segment_column;
pub mod shard_marker;
pub mod shard_output;
pub mod storage;
pub mod table_file;
pub mod tree;
