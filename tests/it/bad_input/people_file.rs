//! Bad people files: missing, not Parquet, wrong id or partition columns, bad ids, files that
//! disagree (SPEC §2.1).

use std::fs;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use arrow_schema::DataType;
use serde_json::json;

use crate::support::membership_lines;

use super::case::{args, check, expect_eq, manifest, path_str, run};
use super::input::{drop_column, fixture_ids, fixture_people, replace_column, set, split_people, with_ids, with_tags};

/// The people files: SPEC §2.1.
#[test]
fn people_file_errors() {
    let ids = fixture_ids();
    let (id3, id7) = (ids[3], ids[7]);
    check(&[
        run("people_path_missing")
            .setup(|ctx| args(&["--people", &path_str(&ctx.scratch.join("missing/people.parquet"))]))
            .line(&["missing/people.parquet", "it does not exist; check the path given with --people"]),
        run("people_folder_empty")
            .setup(|ctx| {
                let dir = ctx.scratch.join("empty");
                fs::create_dir(&dir).unwrap();
                args(&["--people", &path_str(&dir)])
            })
            .line(&["empty", "holds no .parquet files", "name the files `*.parquet`"]),
        run("dataset_without_people")
            .setup(|ctx| {
                fs::remove_file(ctx.ds.join("people.parquet")).unwrap();
                Vec::new()
            })
            .line(&["neither people.parquet nor a people/ folder; add one, or give --people PATH"]),
        run("dataset_with_people_file_and_folder")
            .setup(|ctx| {
                fs::create_dir(ctx.ds.join("people")).unwrap();
                Vec::new()
            })
            .line(&["both people.parquet and people/ exist"]),
        run("people_file_is_not_parquet")
            .setup(|ctx| {
                fs::write(ctx.ds.join("people.parquet"), "person_id,partition\n1,emea\n").unwrap();
                Vec::new()
            })
            .exit(1)
            .line(&["people.parquet", "is not readable Parquet", "check that the file is Parquet and complete"]),
        run("people_file_truncated")
            .setup(|ctx| {
                let path = ctx.ds.join("people.parquet");
                let bytes = fs::read(&path).unwrap();
                fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
                Vec::new()
            })
            .exit(1)
            .line(&["people.parquet", "is not readable Parquet"]),
        run("people_file_with_corrupt_pages")
            .setup(|ctx| {
                let path = ctx.ds.join("people.parquet");
                let mut bytes = fs::read(&path).unwrap();
                let half = bytes.len() / 2;
                bytes[100..half].fill(0xAB);
                fs::write(&path, &bytes).unwrap();
                Vec::new()
            })
            .exit(1)
            .line(&["people.parquet", "cannot decode row group", "write it again"]),
        run("people_file_with_zero_rows_is_valid").people(|b| b.slice(0, 0)).exit(0).after(|out, _| {
            let manifest = manifest(out)?;
            expect_eq("people", &manifest["people"]["total"].as_u64(), &Some(0))?;
            expect_eq("membership rows", &membership_lines(out).len(), &0)
        }),
        run("missing_id_column")
            .people(|b| drop_column(b, "person_id"))
            .line(&[
                "people.parquet` has no id column `person_id`",
                "(its columns: `industry`, `created_at`, `partition`, ",
                "rename the column, or name yours with \"people\": {\"id_column\": ...}",
            ])
            .errors(1),
        run("custom_id_column_missing")
            .model(|m| set(m, "/people", json!({"id_column": "uid"})))
            .line(&["people.parquet` has no id column `uid`", "\"id_column\""])
            .errors(1),
        run("id_column_name_with_a_typo")
            .model(|m| set(m, "/people", json!({"id_column": "person_di"})))
            .line(&["people.parquet` has no id column `person_di` (did you mean `person_id`?)"])
            .errors(1),
        run("missing_partition_column")
            .people(|b| drop_column(b, "partition"))
            .line(&[
                "people.parquet` has no partition column `partition`",
                "\"partition_column\"",
                "or put the file in `partition=<value>` folders",
            ])
            .errors(1),
        run("id_column_is_a_string")
            .people(|b| {
                let ids = arrow_cast::cast(b.column_by_name("person_id").unwrap(), &DataType::Utf8).unwrap();
                replace_column(b, "person_id", &ids)
            })
            .line(&["id column `person_id`", "people.parquet", "Utf8", "must be an integer", "\"id_column\""])
            .errors(1),
        run("partition_column_is_a_float")
            .people(|b| {
                replace_column(b, "partition", &(Arc::new(Float64Array::from(vec![1.5; b.num_rows()])) as ArrayRef))
            })
            .line(&["partition column `partition`", "people.parquet", "Float64", "must be a string or an integer"])
            .errors(1),
        run("null_ids")
            .people(|b| with_ids(b, &[(2, None), (4, None)]))
            .line(&[
                "`person_id` is null in 2 row(s)",
                "people.parquet` row 2",
                "people.parquet` row 4",
                "(rows count from 0)",
                "fill them in or drop those rows",
            ])
            .errors(1),
        run("negative_ids")
            .people(|b| with_ids(b, &[(5, Some(-3))]))
            .line(&[
                "`person_id` is outside 0..=4294967295 in 1 row(s)",
                "-3 at",
                "people.parquet` row 5",
                "renumber those people",
            ])
            .errors(1),
        run("ids_above_u32_in_an_int64_column")
            .people(|b| with_ids(b, &[(9, Some(4_294_967_296)), (11, Some(i64::MAX))]))
            .line(&[
                "`person_id` is outside 0..=4294967295 in 2 row(s)",
                "4294967296 at",
                "people.parquet` row 9",
                &format!("{} at", i64::MAX),
                "people.parquet` row 11",
            ])
            .errors(1),
        run("id_4294967295_is_valid")
            .people(|b| with_ids(b, &[(0, Some(4_294_967_295))]))
            .exit(0)
            .after(|out, _| expect_eq("people", &manifest(out)?["people"]["total"].as_u64(), &Some(600))),
        run("duplicate_ids_in_one_file")
            .people(move |b| with_ids(b, &[(10, Some(id3))]))
            .line(&[
                "1 `person_id` value(s) occur more than once",
                &format!("{id3} at"),
                "people.parquet` row 3 and at",
                "people.parquet` row 10",
                "remove the duplicate rows",
            ])
            .errors(1),
        run("duplicate_ids_across_two_files")
            .setup(move |ctx| {
                let b = fixture_people();
                split_people(ctx, &b.slice(0, 300), &with_ids(&b.slice(300, 300), &[(0, Some(id7))]));
                Vec::new()
            })
            .line(&[&format!("{id7} at"), "a.parquet` row 7 and at", "b.parquet` row 0"])
            .errors(1),
        run("column_types_conflict_across_files")
            .setup(|ctx| {
                let b = fixture_people();
                let second = b.slice(300, 300);
                let text = arrow_cast::cast(second.column_by_name("lead_score").unwrap(), &DataType::Utf8).unwrap();
                split_people(ctx, &b.slice(0, 300), &replace_column(&second, "lead_score", &text));
                Vec::new()
            })
            .line(&[
                "column `lead_score` is number",
                "a.parquet",
                "but string",
                "b.parquet",
                "write them with the same type",
            ])
            .errors(1),
        run("rule_on_a_column_of_a_nested_type")
            .people(with_tags)
            .model(|m| {
                set(m, "/segmentations/0/segments/0/rule", json!({"field": "tags", "op": "contains", "value": "x"}));
            })
            .line(&[
                "column `tags` has type List",
                "which rules cannot use",
                "segment `healthcare`",
                "rules take string, number, boolean, date and timestamp columns",
                "(/segmentations/0/segments/0/rule/field)",
            ])
            .errors(1),
        run("a_nested_column_no_rule_uses_is_fine").people(with_tags).exit(0),
        run("model_and_people_errors_are_reported_together")
            .model(|m| set(m, "/segmentations/0/status", json!("live")))
            .people(|b| drop_column(b, "partition"))
            .line(&["`status` must be \"approved\" or \"draft\"", "(/segmentations/0/status)"])
            .line(&["has no partition column `partition`"]),
    ]);
}
