//! Object storage (SPEC §7) against real servers the tests start: moto (S3 API) and Azurite
//! (Azure Blob). Conformance with local runs, races of two runs, and faults: kill -9, a server
//! stopped mid-run, and a proxy that fails requests.

mod before_after;
mod conformance;
mod faults;
mod proxy;
mod races;
mod servers;
mod sharded;
mod shared;
