//! Rules, compiled: operators ([`operator`]) and the column families they fit ([`family`]),
//! literals ([`value`]), leaves ([`condition`]), trees ([`predicate`]), the batch column form
//! they run on ([`column`]) and the vectorised kernels ([`kernel`]). Rules do no I/O, and see
//! only Arrow arrays and literals: reading them from model.json is the model's work.

pub mod column;
pub mod condition;
pub mod family;
pub mod kernel;
pub mod operator;
pub mod predicate;
pub mod value;

pub use column::Column;
pub use condition::{ColumnCondition, Condition, Operand};
pub use family::{TypeFamily, family_of};
pub use operator::{OperandShape, Operator};
pub use predicate::{ConditionSet, Predicate};
