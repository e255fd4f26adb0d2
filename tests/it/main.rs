//! The one integration-test binary (see STYLE.md): each module is one area.

mod bad_input;
mod before_after;
mod explain_show;
mod file_system;
mod fixtures;
mod folder_trees;
mod fuzz_corpus;
mod generate;
mod golden;
mod module_graph;
mod object_store;
mod parquet_variety;
mod placement;
mod png;
mod property;
mod publish;
mod readme;
mod report;
mod shards;
mod support;
