//! The evaluation engine, in pipeline order:
//!
//! - [`classify`]: per batch, ids checked ([`ids`]), partitions coded ([`partition`]), every
//!   condition evaluated once and the first matching segment of each segmentation found;
//! - [`build`]: the one place that decides how the people table is built, by slot placement
//!   ([`slots`]) or by the sorting path ([`table`]), into a [`PeopleTable`] in id order;
//! - [`members`]: the table turned into segment sets and what each workspace sees of them, held
//!   as [`person_set`]s (a Roaring bitmap, or its [`portable`] bytes) until written.

pub mod build;
pub mod classify;
pub mod ids;
pub mod list_members;
pub mod members;
pub mod partition;
pub mod person_set;
pub mod portable;
pub mod slots;
pub mod table;

pub use build::{TableShape, assemble, build_table};
pub use classify::{Classifier, OUT_OF_SCOPE, SegmentCode};
pub use list_members::ListMembers;
pub use members::Members;
pub use partition::PartitionCodes;
pub use person_set::PersonSet;
pub use table::PeopleTable;
