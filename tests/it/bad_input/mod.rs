//! Bad input, table-driven (SPEC §2, §6): every malformed model, people file, static list or
//! argument gives its exit code and a message that names the place (file, column, JSON path,
//! row, person id), never a panic; a failed `run` publishes nothing; `validate` writes nothing.
//!
//! Each case starts from a copy of the `pyarrow-dictionary` fixture, breaks one thing (or
//! several), and states the exit code and, per expected message, the parts that must appear
//! together on one stderr line. The publishing and panic checks apply to every case.
//! `BAD_INPUT_SHOW=1 cargo test --test it bad_input -- --nocapture` prints every message.
//!
//! The cases, a file per subject: `model_json` (syntax, shapes, keys, ids, references),
//! `model_rules` (limits, sharing, rules against the people schema, `logic`), `people_file`
//! (SPEC §2.1), `lists_and_arguments` (static lists, options, `--strict`) and `unreadable` (a
//! people file without read permission). The harness: `case` (`Case`, its builder, `check`) and
//! `input` (the fixture and the edits that break it).

mod case;
mod input;
mod lists_and_arguments;
mod model_json;
mod model_rules;
mod people_file;
mod unreadable;
