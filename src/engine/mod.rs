//! The evaluation engine: per batch, ids checked and people classified ([`classify`], with
//! [`ids`] and [`partition`]); then all batches joined in id order ([`table`]) and turned into
//! bitmaps ([`members`]), held as [`person_set`]s until written.

pub mod classify;
pub mod ids;
pub mod members;
pub mod partition;
pub mod person_set;
pub mod portable;
pub mod slots;
pub mod table;

pub use classify::{Classifier, OUT_OF_SCOPE, SegmentCode};
pub use members::Members;
pub use partition::PartitionCodes;
pub use person_set::PersonSet;
pub use table::{PeopleTable, assemble};
