//! Bad model.json, as JSON: syntax, shapes, keys, ids and references (SPEC §2, §6).

use serde_json::{Value, json};

use super::case::{check, run, validate};
use super::input::{get, push, remove, set};

/// model.json: syntax, shapes, keys, ids and references.
#[test]
fn model_json_errors() {
    check(&[
        run("json_syntax_error_gives_line_and_column")
            .model_text("{\n  \"workspaces\": [\n  {\"id\": \"x\",]\n}\n")
            .line(&["model.json", "is not valid JSON (line 3, column 14): key must be a string; fix the JSON there"]),
        run("empty_model_file")
            .model_text("")
            .line(&["model.json", "is not valid JSON (line 1, column 1): the file is empty; fix the JSON there"]),
        validate("model_is_not_an_object")
            .model_text("[1, 2]")
            .line(&["expected an object, found a list", "(/)"])
            .errors(1),
        run("wrong_json_types")
            .model(|m| {
                set(m, "/segmentations/0/segments", json!("x"));
                set(m, "/users/0/admin", json!("yes"));
            })
            .line(&[
                "`segments` must be a list, found the string \"x\"",
                "segmentation `industry`",
                "(/segmentations/0/segments)",
            ])
            .line(&["`admin` must be true or false, found the string \"yes\"", "(/users/0/admin)"])
            .errors(2),
        run("more_wrong_json_types")
            .model(|m| {
                set(m, "/groups/0/name", json!(3));
                set(m, "/segmentations/2/shares", json!({}));
                set(m, "/segmentations/0/segments/1/rule", Value::Null);
                set(m, "/segmentations/3/segments/0/name", json!(["x"]));
                set(m, "/workspaces/1/partitions", json!(["emea", 7]));
            })
            .line(&["`name` must be a string, found the number 3", "(/groups/0/name)"])
            .line(&[
                "`shares` must be a list, found an object",
                "segmentation `region_tier`",
                "(/segmentations/2/shares)",
            ])
            .line(&[
                "a rule must be an object, found null",
                "segmentation `industry`, segment `big_tech`",
                "(/segmentations/0/segments/1/rule)",
            ])
            .line(&["`name` must be a string, found a list", "segment `engaged`", "(/segmentations/3/segments/0/name)"])
            .line(&["expected an id string, found the number 7", "(/workspaces/1/partitions/1)"])
            .errors(5),
        run("an_entry_with_a_shape_error_is_not_reported_again_as_unknown")
            .model(|m| set(m, "/users/1/workspaces", json!(5)))
            .line(&["`workspaces` must be a list of ids or \"all\", found the number 5", "(/users/1/workspaces)"])
            .errors(1),
        run("unknown_key_with_suggestion")
            .model(|m| {
                let segments = remove(m, "/segmentations/0/segments");
                set(m, "/segmentations/0/segements", segments);
            })
            .line(&[
                "unknown field `segements`, expected `segments`",
                "segmentation `industry`",
                "(/segmentations/0/segements)",
            ])
            .line(&["missing field `segments`", "(/segmentations/0)"])
            .errors(2),
        run("unknown_keys_in_rules_and_at_the_top")
            .model(|m| {
                let v = remove(m, "/segmentations/0/segments/2/rule/value");
                set(m, "/segmentations/0/segments/2/rule/vaule", v);
                set(m, "/limit", json!({}));
            })
            .line(&[
                "unknown field `vaule`, expected `value`",
                "segment `finance`",
                "(/segmentations/0/segments/2/rule/vaule)",
            ])
            .line(&["operator `starts_with` needs `value` or `values`", "(/segmentations/0/segments/2/rule)"])
            .line(&["unknown field `limit`, expected `limits`", "(/limit)"])
            .errors(3),
        run("duplicate_ids")
            .model(|m| {
                push(m, "/workspaces", json!({"id": "emea", "partitions": ["x"]}));
                push(m, "/groups", json!({"id": "sales"}));
                push(m, "/lists", json!({"id": "vip"}));
                let mut copy = get(m, "/segmentations/1");
                copy["status"] = json!("draft");
                push(m, "/segmentations", copy);
                set(m, "/segmentations/0/segments/1/id", json!("healthcare"));
            })
            .line(&[
                "duplicate workspace id `emea`; the first is at /workspaces/1/id: rename one of them (/workspaces/5/id)",
            ])
            .line(&["duplicate group id `sales`", "(/groups/2/id)"])
            .line(&["duplicate list id `vip`", "(/lists/1/id)"])
            .line(&["duplicate segmentation id `lifecycle`", "(/segmentations/5/id)"])
            .line(&[
                "duplicate segment id `healthcare` in segmentation `industry`; the first is at /segmentations/0/segments/0/id: rename one of them (/segmentations/0/segments/1/id)",
            ])
            .errors(5),
        run("duplicate_user_id")
            .model(|m| push(m, "/users", json!({"id": "ann", "workspaces": "all"})))
            .line(&["duplicate user id `ann`", "(/users/4/id)"])
            .errors(1),
        run("dangling_references")
            .model(|m| {
                set(m, "/segmentations/0/workspace", json!("nowhere"));
                push(m, "/segmentations/0/shares", json!({"group": "mktg"}));
                set(m, "/segmentations/1/owner", json!("zed"));
                set(m, "/segmentations/1/shares/0/user", json!("carl"));
                set(m, "/users/1/workspaces", json!(["emea", "emeaa"]));
                set(m, "/users/1/groups", json!(["sale"]));
            })
            .line(&[
                "unknown workspace `nowhere`",
                "segmentation `industry`",
                "the workspaces are `americas`, `apac`, `default`, `emea`, `global_sales`",
                "(/segmentations/0/workspace)",
            ])
            .line(&["unknown group `mktg`", "segmentation `industry`", "(/segmentations/0/shares/3/group)"])
            .line(&[
                "unknown user `zed`",
                "segmentation `lifecycle`",
                "the users are `ann`, `bob`, `carol`, `dan`",
                "(/segmentations/1/owner)",
            ])
            .line(&[
                "unknown user `carl`",
                "did you mean `carol`?",
                "segmentation `lifecycle`",
                "(/segmentations/1/shares/0/user)",
            ])
            .line(&["unknown workspace `emeaa`", "did you mean `emea`?", "(/users/1/workspaces/1)"])
            .line(&["unknown group `sale`", "did you mean `sales`?", "(/users/1/groups/0)"])
            .errors(6),
        run("unknown_list")
            .model(|m| set(m, "/segmentations/1/segments/0/rule/member_of_list", json!("vips")))
            .line(&[
                "unknown list `vips`",
                "did you mean `vip`?",
                "segmentation `lifecycle`, segment `vip`",
                "(/segmentations/1/segments/0/rule/member_of_list)",
            ])
            .errors(1),
        run("list_used_but_none_declared")
            .model(|m| {
                remove(m, "/lists");
            })
            .line(&[
                "unknown list `vip`",
                "no lists are declared: add it to \"lists\"",
                "(/segmentations/1/segments/0/rule/member_of_list)",
            ])
            .errors(1),
        run("bad_id_characters")
            .model(|m| {
                set(m, "/segmentations/0/id", json!("in dustry"));
                set(m, "/segmentations/0/segments/0/id", json!("health/care"));
                set(m, "/segmentations/0/segments/1/id", json!("x".repeat(65)));
                set(m, "/segmentations/0/segments/2/id", json!(""));
                set(m, "/workspaces/1/partitions/0", json!("e mea"));
            })
            .line(&["`in dustry` is not a valid id", "(/segmentations/0/id)"])
            .line(&["`health/care` is not a valid id", "(/segmentations/0/segments/0/id)"])
            .line(&[&format!("`{}` is not a valid id", "x".repeat(65)), "(/segmentations/0/segments/1/id)"])
            .line(&["`` is not a valid id", "(/segmentations/0/segments/2/id)"])
            .line(&["`e mea` is not a valid id", "(/workspaces/1/partitions/0)"])
            .errors(5),
        run("reserved_ids")
            .model(|m| {
                set(m, "/segmentations/0/segments/0/id", json!("default"));
                set(m, "/segmentations/1/id", json!("person_id"));
            })
            .line(&[
                "`default` is reserved",
                "segmentation `industry`",
                "rename this segment",
                "(/segmentations/0/segments/0/id)",
            ])
            .line(&["`person_id` is reserved", "rename the segmentation", "(/segmentations/1/id)"])
            .errors(2),
        run("status_not_approved_or_draft")
            .model(|m| {
                set(m, "/segmentations/0/status", json!("Approved"));
                set(m, "/segmentations/1/status", json!(true));
            })
            .line(&[
                "`status` must be \"approved\" or \"draft\", found \"Approved\"",
                "segmentation `industry`",
                "(/segmentations/0/status)",
            ])
            .line(&["`status` must be a string, found true", "(/segmentations/1/status)"])
            .errors(2),
        run("no_workspaces")
            .model(|m| {
                set(m, "/workspaces", json!([]));
                set(m, "/users", json!([]));
                set(m, "/segmentations", json!([]));
            })
            .line(&["there must be at least one workspace", "(/workspaces)"])
            .errors(1),
    ]);
}
