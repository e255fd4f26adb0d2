//! The one integration-test binary (see STYLE.md): each module is one area.

mod bad_input;
mod fixtures;
mod golden;
mod property;
mod publish;
mod support;
