//! Bad model.json, as a model: limits, sharing rules, and rules checked against the people
//! schema (operators, operands, dates, `logic`) (SPEC §2, §6).

use serde_json::json;

use super::case::{check, expect_eq, manifest, run, validate};
use super::input::{copy_segmentation, get, push, segments, set};

/// model.json: limits, sharing rules and rules checked against the people schema.
#[test]
fn model_rule_errors() {
    check(&[
        run("more_than_20_approved_segmentations")
            .model(|m| copy_segmentation(m, 17, "approved"))
            .line(&["21 segmentations are approved, more than the limit of 20", "(/segmentations)"])
            .errors(1),
        run("20_approved_and_drafts_pass")
            .model(|m| {
                copy_segmentation(m, 16, "approved");
                copy_segmentation(m, 1, "draft");
            })
            .exit(0)
            .after(|out, _| {
                let manifest = manifest(out)?;
                expect_eq("approved segmentations", &manifest["segmentations"].as_array().map(Vec::len), &Some(20))?;
                expect_eq("skipped drafts", &manifest["skipped_drafts"].as_array().map(Vec::len), &Some(2))
            }),
        run("more_than_100_segments")
            .model(|m| set(m, "/segmentations/0/segments", segments(101)))
            .line(&[
                "101 segments, more than the limit of 100",
                "segmentation `industry`",
                "(/segmentations/0/segments)",
            ])
            .errors(1),
        run("custom_limits_lower")
            .model(|m| set(m, "/limits", json!({"max_approved_segmentations": 3, "max_segments": 3})))
            .line(&["4 segmentations are approved, more than the limit of 3", "(/segmentations)"])
            .line(&["4 segments, more than the limit of 3", "segmentation `lifecycle`", "(/segmentations/1/segments)"])
            .line(&[
                "4 segments, more than the limit of 3",
                "segmentation `region_tier`",
                "(/segmentations/2/segments)",
            ])
            .errors(3),
        run("custom_limits_higher_pass")
            .model(|m| {
                set(m, "/limits", json!({"max_approved_segmentations": 25, "max_segments": 150}));
                copy_segmentation(m, 17, "approved");
                set(m, "/segmentations/0/segments", segments(120));
            })
            .exit(0)
            .after(|out, _| {
                let manifest = manifest(out)?;
                expect_eq("approved segmentations", &manifest["segmentations"].as_array().map(Vec::len), &Some(21))?;
                expect_eq(
                    "segments with default",
                    &manifest["segmentations"][0]["segments"].as_array().map(Vec::len),
                    &Some(121),
                )
            }),
        run("limits_out_of_range")
            .model(|m| set(m, "/limits", json!({"max_approved_segmentations": -1, "max_segments": 254})))
            .line(&["`max_approved_segmentations` must be a whole number", "(/limits/max_approved_segmentations)"])
            .line(&["`max_segments` can be at most 253", "(/limits/max_segments)"])
            .errors(2),
        run("non_admin_shares_with_group_and_all")
            .model(|m| {
                push(m, "/segmentations/1/shares", json!({"group": "sales"}));
                push(m, "/segmentations/1/shares", json!({"all": true}));
            })
            .line(&[
                "owner `bob` is not an admin",
                "groups",
                "segmentation `lifecycle`",
                "share with the group's users one by one, or make an admin the owner",
                "(/segmentations/1/shares/1/group)",
            ])
            .line(&[
                "owner `bob` is not an admin",
                "all users",
                "segmentation `lifecycle`",
                "make an admin the owner",
                "(/segmentations/1/shares/2/all)",
            ])
            .errors(2),
        run("share_with_a_workspace_the_owner_cannot_access")
            .model(|m| push(m, "/segmentations/1/shares", json!({"workspace": "americas"})))
            .line(&[
                "owner `bob` cannot share with workspace `americas`",
                "segmentation `lifecycle`",
                "add `americas` to the owner's \"workspaces\", or remove the share",
                "(/segmentations/1/shares/1/workspace)",
            ])
            .errors(1),
        run("owner_without_access_to_origin")
            .model(|m| set(m, "/segmentations/1/owner", json!("carol")))
            .line(&[
                "owner `carol` has no access to the origin workspace `emea`",
                "segmentation `lifecycle`",
                "add `emea` to the user's \"workspaces\", or choose another owner",
                "(/segmentations/1/owner)",
            ])
            .errors(1),
        run("malformed_shares")
            .model(|m| {
                push(m, "/segmentations/0/shares", json!({"all": false}));
                push(m, "/segmentations/0/shares", json!({"user": "bob", "group": "sales"}));
            })
            .line(&["`all` shares must say `\"all\": true`", "(/segmentations/0/shares/3/all)"])
            .line(&["a share names exactly one of", "(/segmentations/0/shares/4)"])
            .errors(2),
        run("unknown_operator_with_suggestion")
            .model(|m| set(m, "/segmentations/0/segments/0/rule/op", json!("iss")))
            .line(&[
                "unknown operator `iss`",
                "did you mean `is`?",
                "segmentation `industry`, segment `healthcare`",
                "(/segmentations/0/segments/0/rule/op)",
            ])
            .errors(1),
        run("unknown_operator_far_from_any")
            .model(|m| set(m, "/segmentations/0/segments/0/rule/op", json!("resembles")))
            .line(&[
                "unknown operator `resembles`",
                "column `industry` of type string (Utf8) takes `is`, `is_not`, `contains`",
                "(/segmentations/0/segments/0/rule/op)",
            ])
            .errors(1),
        run("operator_does_not_fit_the_column_type")
            .model(|m| {
                set(
                    m,
                    "/segmentations/0/segments/2/rule",
                    json!({"field": "lead_score", "op": "contains", "value": "1"}),
                );
                set(
                    m,
                    "/segmentations/3/segments/0/rule",
                    json!({"field": "email_opt_in", "op": "before", "value": "2026-01-01"}),
                );
                set(m, "/segmentations/1/segments/3/rule", json!({"field": "email", "op": "in_past", "days": 3}));
            })
            .line(&[
                "operator `contains` does not fit column `lead_score`",
                "number",
                "segment `finance`",
                "(/segmentations/0/segments/2/rule/op)",
            ])
            .line(&[
                "operator `before` does not fit column `email_opt_in`",
                "boolean",
                "(/segmentations/3/segments/0/rule/op)",
            ])
            .line(&[
                "operator `in_past` does not fit column `email`",
                "string",
                "(/segmentations/1/segments/3/rule/op)",
            ])
            .errors(3),
        run("value_of_the_wrong_type")
            .model(|m| {
                set(m, "/segmentations/1/segments/1/rule/filters/0/value", json!("80"));
                set(m, "/segmentations/1/segments/1/rule/filters/2/value", json!("yes"));
                set(m, "/segmentations/2/segments/0/rule/values", json!(["DE", 3]));
                set(m, "/segmentations/2/segments/2/rule/value", json!(20_260_630));
            })
            .line(&[
                "`at_least` on column `lead_score` of type number (Int32) needs a number, found the string \"80\"",
                "write the number without quotes: 80",
                "segment `hot`",
                "(/segmentations/1/segments/1/rule/filters/0/value)",
            ])
            .line(&["`is` on column `email_opt_in` of type boolean (Boolean) needs true or false, found the string \"yes\"", "(/segmentations/1/segments/1/rule/filters/2/value)"])
            .line(&[
                "`is` on column `country` of type string (Utf8) needs a string, found the number 3",
                "write it in quotes: \"3\"",
                "segment `dach`",
                "(/segmentations/2/segments/0/rule/values/1)",
            ])
            .line(&["`after` on column `created_at`", "needs a date", "found the number 20260630", "(/segmentations/2/segments/2/rule/value)"])
            .errors(4),
        run("operands_that_do_not_fit_the_operator")
            .model(|m| {
                set(m, "/segmentations/2/segments/2/rule", json!({"field": "created_at", "op": "in_past"}));
                set(m, "/segmentations/1/segments/3/rule", json!({"field": "email", "op": "is_empty", "value": "x"}));
                set(
                    m,
                    "/segmentations/0/segments/2/rule",
                    json!({"field": "industry", "op": "is", "value": "a", "values": ["b"]}),
                );
                set(
                    m,
                    "/segmentations/3/segments/0/rule",
                    json!({"field": "last_activity", "op": "in_past", "days": -1}),
                );
                set(m, "/segmentations/2/segments/0/rule/values", json!([]));
            })
            .line(&["operator `in_past` needs `days`", "(/segmentations/2/segments/2/rule)"])
            .line(&["operator `is_empty` does not take `value`", "`is_empty` takes no operand: remove `value`", "(/segmentations/1/segments/3/rule/value)"])
            .line(&["give `value` or `values`, not both", "(/segmentations/0/segments/2/rule)"])
            .line(&["`in_past` on column `last_activity`", "`days` must be a whole number", "found the number -1", "(/segmentations/3/segments/0/rule/days)"])
            .line(&["`values` needs at least one value", "segment `dach`", "(/segmentations/2/segments/0/rule/values)"])
            .errors(5),
        run("empty_all_any_and_filters")
            .model(|m| {
                set(m, "/segmentations/2/segments/1/rule/all", json!([]));
                set(m, "/segmentations/1/segments/2/rule/any", json!([]));
                set(m, "/segmentations/1/segments/1/rule", json!({"filters": []}));
            })
            .line(&[
                "`all` needs at least one rule",
                "segment `us_enterprise`",
                "(/segmentations/2/segments/1/rule/all)",
            ])
            .line(&["`any` needs at least one rule", "segment `cold`", "(/segmentations/1/segments/2/rule/any)"])
            .line(&[
                "`filters` needs at least one filter",
                "segment `hot`",
                "(/segmentations/1/segments/1/rule/filters)",
            ])
            .errors(3),
        run("bad_logic")
            .model(|m| {
                let filters = get(m, "/segmentations/1/segments/1/rule/filters");
                for (i, logic) in BAD_LOGIC.iter().enumerate() {
                    push(
                        m,
                        "/segmentations/1/segments",
                        json!({"id": format!("l{i}"), "rule": {"filters": filters, "logic": logic.0}}),
                    );
                }
            })
            .lines(BAD_LOGIC.iter().enumerate().map(|(i, (logic, message))| {
                vec![
                    format!("bad logic \"{logic}\""),
                    (*message).to_owned(),
                    format!("segment `l{i}`"),
                    format!("(/segmentations/1/segments/{}/rule/logic)", 4 + i),
                ]
            }))
            .errors(BAD_LOGIC.len()),
        validate("deeply_nested_logic_does_not_crash")
            .model(|m| {
                let logic = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
                set(m, "/segmentations/1/segments/1/rule/logic", json!(logic));
            })
            // The 200,001 characters are not repeated: the message cuts them.
            .line(&["bad logic \"((((", "… (200001 characters)", "(/segmentations/1/segments/1/rule/logic)"]),
        run("bad_dates")
            .model(|m| {
                set(m, "/segmentations/2/segments/2/rule/value", json!("2026-13-01"));
                set(m, "/segmentations/1/segments/2/rule/any/1/value", json!("yesterday"));
                set(m, "/segmentations/3/segments/0/rule/value", json!("2026-11-01T25:00:00Z"));
                set(
                    m,
                    "/segmentations/1/segments/1/rule/filters/1",
                    json!({"field": "last_activity", "op": "is", "value": "2026-02-30"}),
                );
            })
            .line(&[
                "needs a date \"YYYY-MM-DD\" or an RFC 3339 instant",
                "\"2026-13-01\"",
                "segment `recent`",
                "(/segmentations/2/segments/2/rule/value)",
            ])
            .line(&[
                "needs a date \"YYYY-MM-DD\" or an RFC 3339 instant",
                "\"yesterday\"",
                "segment `cold`",
                "(/segmentations/1/segments/2/rule/any/1/value)",
            ])
            .line(&["needs a date \"YYYY-MM-DD\" or an RFC 3339 instant", "\"2026-11-01T25:00:00Z\"", "(/segmentations/3/segments/0/rule/value)"])
            .line(&["needs a date \"YYYY-MM-DD\" or an RFC 3339 instant", "found the string \"2026-02-30\"", "there is no such day in the calendar", "(/segmentations/1/segments/1/rule/filters/1/value)"])
            .errors(4),
        run("between_with_min_above_max")
            .model(|m| {
                push(
                    m,
                    "/segmentations/0/segments",
                    json!({"id": "rev", "rule": {"field": "annual_revenue", "op": "between", "min": 10, "max": 1}}),
                );
                set(
                    m,
                    "/segmentations/3/segments/0/rule",
                    json!({"field": "last_activity", "op": "between", "min": "2026-10-01", "max": "2026-01-01"}),
                );
                set(
                    m,
                    "/segmentations/2/segments/2/rule",
                    json!({"field": "created_at", "op": "between", "min": "2026-01-01", "max": "2026-06-01T00:00:00Z"}),
                );
            })
            .line(&["`between` on column `annual_revenue` of type number (Decimal128(18, 2)) needs min ≤ max, found min 10 > max 1", "segment `rev`", "(/segmentations/0/segments/3/rule/max)"])
            .line(&["`between` on column `last_activity`", "needs min ≤ max", "segment `engaged`", "(/segmentations/3/segments/0/rule/max)"])
            .line(&["`min` and `max` must both be dates or both be instants, found the date \"2026-01-01\" and the instant", "(/segmentations/2/segments/2/rule)"])
            .errors(3),
        run("unknown_column_with_suggestion")
            .model(|m| {
                set(m, "/segmentations/0/segments/0/rule/field", json!("industri"));
                set(m, "/segmentations/1/segments/1/rule/filters/0/field", json!("lead_scor"));
            })
            .line(&[
                "unknown column `industri`",
                "did you mean `industry`?",
                "segmentation `industry`, segment `healthcare`",
                "(/segmentations/0/segments/0/rule/field)",
            ])
            .line(&[
                "unknown column `lead_scor`",
                "did you mean `lead_score`?",
                "segment `hot`",
                "(/segmentations/1/segments/1/rule/filters/0/field)",
            ])
            .errors(2),
        run("unknown_column_far_from_any")
            .model(|m| set(m, "/segmentations/0/segments/0/rule/field", json!("shoe_size")))
            .line(&[
                "unknown column `shoe_size`",
                "the people files have no such column; their columns are `annual_revenue`, ",
                "(/segmentations/0/segments/0/rule/field)",
            ])
            .errors(1),
        run("unknown_column_and_unknown_operator_in_one_condition")
            .model(|m| {
                set(m, "/segmentations/0/segments/0/rule", json!({"field": "industri", "op": "iss", "value": "x"}));
            })
            .line(&["unknown column `industri`", "(/segmentations/0/segments/0/rule/field)"])
            .line(&["unknown operator `iss`", "(/segmentations/0/segments/0/rule/op)"])
            .errors(2),
        run("every_model_error_is_reported")
            .model(|m| {
                set(m, "/users/3/admin", json!("no"));
                set(m, "/segmentations/0/segments/0/rule/op", json!("iss"));
                set(m, "/segmentations/0/segments/2/rule/field", json!("industri"));
                set(m, "/segmentations/1/segments/1/rule/logic", json!("1 and 4"));
                set(m, "/segmentations/1/shares/0/user", json!("nobody"));
                set(m, "/segmentations/2/segments/2/rule/value", json!("2026-02-30"));
                set(m, "/segmentations/3/segments/0/id", json!("default"));
                set(m, "/segmentations/4/segments/0/rule/field", json!("lead_score"));
            })
            .line(&["(/users/3/admin)"])
            .line(&["(/segmentations/0/segments/0/rule/op)"])
            .line(&["(/segmentations/0/segments/2/rule/field)"])
            .line(&["(/segmentations/1/segments/1/rule/logic)"])
            .line(&["(/segmentations/1/shares/0/user)"])
            .line(&["(/segmentations/2/segments/2/rule/value)"])
            .line(&["(/segmentations/3/segments/0/id)"])
            .line(&["segmentation `draft_one`", "(/segmentations/4/segments/0/rule/op)"])
            .errors(8),
        run("strict_unused_filter_warning_names_its_place")
            .arg("--strict")
            .model(|m| set(m, "/segmentations/1/segments/1/rule/logic", json!("1 and 2")))
            .line(&[
                "filter 3 is not used",
                "segmentation `lifecycle`, segment `hot`",
                "use it in `logic` or remove it",
                "/segmentations/1/segments/1/rule/logic",
            ])
            .errors(4),
    ]);
}

/// Logic strings that do not parse or name a missing filter (the rule has filters 1 to 3), with
/// the message part that says where.
const BAD_LOGIC: [(&str, &str); 8] = [
    ("1 and (2 or 3", "missing `)` for the `(` opened at character 7"),
    ("1 and 2)", "unbalanced `)`, at character 8"),
    ("0 or 1", "filter 0 does not exist: there are filters 1 to 3, at character 1"),
    ("1 or 4", "filter 4 does not exist: there are filters 1 to 3, at character 6"),
    ("1 and", "expected a filter number or `(` at the end, at character 6"),
    ("1 and or 2", "found `or`, at character 7"),
    ("1 xor 2", "unknown word `xor`"),
    ("", "the logic is empty"),
];
