//! Object stores (SPEC §7): S3, Google Cloud Storage and Azure Blob through `object_store`.
//! [`RemotePlace`] is a URL's store client and prefix; [`RemoteObject`] reads byte ranges of one
//! object pinned to its version; [`read_object`] reads a small object whole. All I/O runs on the
//! one runtime of [`runtime`]. Nothing here knows the output layout: publishing is `output`'s.

mod object;
mod place;
pub mod runtime;

pub use object::{RemoteObject, delete_object, read_object, read_versioned};
pub use place::{RemotePlace, seconds_from_env};
