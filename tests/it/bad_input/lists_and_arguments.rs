//! Bad static lists, command-line options and `--strict` (SPEC §2, §6).

use std::fs;
use std::sync::Arc;

use arrow_array::Int64Array;

use super::case::{args, check, path_str, run, validate};
use super::input::write_list;

/// Static lists, options and the strict mode.
#[test]
fn list_and_argument_errors() {
    check(&[
        validate("valid_fixture_passes_and_writes_nothing")
            .exit(0)
            .line(&["warning:", "(/segmentations/2/shares/0/workspace)"])
            .after(|_, stdout| {
                if stdout.contains("is valid (3 warnings)") {
                    Ok(())
                } else {
                    Err(format!("stdout does not say `is valid (3 warnings)`: {stdout}"))
                }
            }),
        run("list_with_the_wrong_column")
            .setup(|ctx| {
                write_list(ctx, "id", Arc::new(Int64Array::from(vec![1, 2])));
                Vec::new()
            })
            .line(&[
                "static list `vip`",
                "vip.parquet",
                "no `person_id` column",
                "`id`",
                "rename the column of person ids to `person_id`",
            ]),
        run("list_with_a_string_column")
            .setup(|ctx| {
                write_list(ctx, "person_id", Arc::new(arrow_array::StringArray::from(vec!["1"])));
                Vec::new()
            })
            .line(&["static list `vip`", "vip.parquet", "`person_id` has type Utf8", "integer"]),
        run("list_with_a_null_id")
            .setup(|ctx| {
                write_list(ctx, "person_id", Arc::new(Int64Array::from(vec![Some(1), None])));
                Vec::new()
            })
            .line(&[
                "static list `vip`",
                "vip.parquet",
                "null at row 1 (rows count from 0)",
                "fill in the id or drop the row",
            ]),
        run("list_file_missing")
            .setup(|ctx| {
                fs::remove_file(ctx.ds.join("lists/vip.parquet")).unwrap();
                Vec::new()
            })
            .line(&[
                "static list `vip`",
                "vip.parquet",
                "does not exist",
                "add it (one integer column `person_id`) or remove the rule",
            ]),
        run("list_file_is_not_parquet")
            .setup(|ctx| {
                fs::write(ctx.ds.join("lists/vip.parquet"), "1\n2\n").unwrap();
                Vec::new()
            })
            .exit(1)
            .line(&["vip.parquet", "is not readable Parquet"]),
        run("strict_turns_warnings_into_errors")
            .arg("--strict")
            .line(&["--strict: 3 warning(s) count as errors (fix them, or run without --strict)"])
            .line(&["shared with workspace `americas`", "(/segmentations/2/shares/0/workspace)"])
            .line(&["shared with workspace `global_sales`", "sees nobody", "(/segmentations/3/shares/0/workspace)"])
            .line(&["7 people belong to no workspace", "if they should be segmented", "people.parquet"])
            .errors(3),
        validate("validate_strict").arg("--strict").line(&["--strict: 3 warning(s) count as errors"]).errors(3),
        run("bad_as_of").args(&["--as-of", "yesterday"]).line(&["bad --as-of `yesterday`", "RFC 3339"]),
        run("as_of_without_time")
            .args(&["--as-of", "2026-11-01"])
            .line(&["bad --as-of `2026-11-01`", "add a time and an offset, e.g. 2026-11-01T00:00:00Z"]),
        validate("validate_bad_as_of")
            .args(&["--as-of", "2026-11-01T12:00:00"])
            .line(&["bad --as-of `2026-11-01T12:00:00`"]),
        run("threads_not_a_number").args(&["--threads", "many"]).line(&["invalid value 'many'", "--threads"]),
        run("zero_threads").args(&["--threads", "0"]).line(&["--threads must be at least 1"]),
        validate("validate_zero_threads").args(&["--threads", "0"]).line(&["--threads must be at least 1"]),
        run("dataset_is_not_a_folder")
            .setup(|ctx| {
                fs::remove_dir_all(&ctx.ds).unwrap();
                Vec::new()
            })
            .line(&["dataset", "is not a folder", "give the folder that holds model.json"]),
        run("model_path_missing").setup(|ctx| args(&["--model", &path_str(&ctx.scratch.join("nope.json"))])).line(&[
            "nope.json",
            "does not exist",
            "give its path with --model",
        ]),
    ]);
}
