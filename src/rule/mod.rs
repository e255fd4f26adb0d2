//! Rules, compiled: literals ([`value`]), leaves ([`condition`]), trees ([`predicate`]), the batch
//! column form they run on ([`column`]) and the vectorised kernels ([`kernel`]). Rules do no I/O.

pub mod column;
pub mod condition;
pub mod kernel;
pub mod predicate;
pub mod value;

pub use column::Column;
pub use condition::{ColumnCondition, Condition};
pub use predicate::{ConditionSet, Predicate};
