//! `ModelSpec`: model.json as written, checked for shape (types, keys, id syntax) but with no
//! reference resolved. [`super::compile`] turns it into a [`super::Model`].

use serde_json::Value;

use super::json::{IdsOrAll, Issues, Located, Object, child_path, found};
use super::rule_spec::{RuleSpec, parse_rule};
use crate::error::text::{quote_list, shorten};

#[derive(Debug, Clone)]
pub struct ModelSpec {
    pub id_column: Located<String>,
    pub partition_column: Located<String>,
    pub max_approved_segmentations: Located<u64>,
    pub max_segments: Located<u64>,
    pub workspaces: Vec<WorkspaceSpec>,
    pub groups: Vec<Located<String>>,
    pub users: Vec<UserSpec>,
    pub lists: Vec<Located<String>>,
    pub segmentations: Vec<SegmentationSpec>,
}

#[derive(Debug, Clone)]
pub struct WorkspaceSpec {
    pub id: Located<String>,
    pub name: Option<String>,
    pub partitions: IdsOrAll,
}

#[derive(Debug, Clone)]
pub struct UserSpec {
    pub id: Located<String>,
    pub admin: bool,
    pub workspaces: IdsOrAll,
    pub groups: Vec<Located<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Approved,
    Draft,
}

#[derive(Debug, Clone)]
pub struct SegmentationSpec {
    pub id: Located<String>,
    pub name: Option<String>,
    pub workspace: Located<String>,
    pub owner: Located<String>,
    pub status: Status,
    pub segments: Vec<SegmentSpec>,
    pub shares: Vec<ShareSpec>,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct SegmentSpec {
    pub id: Located<String>,
    pub name: Option<String>,
    pub rule: RuleSpec,
}

#[derive(Debug, Clone)]
pub enum ShareSpec {
    Workspace(Located<String>),
    All { path: String },
    Group(Located<String>),
    User(Located<String>),
}

/// The built-in limits: Marketo's.
pub const DEFAULT_MAX_APPROVED_SEGMENTATIONS: u64 = 20;
pub const DEFAULT_MAX_SEGMENTS: u64 = 100;
/// Segment codes are stored in one byte per person and segmentation; two codes are reserved
/// (`default` and "outside the scope").
pub const HARD_MAX_SEGMENTS: u64 = 253;

/// Reads the whole document; every problem goes to `issues`. Returns what could be read.
pub fn parse_model(root: &Value, issues: &mut Issues) -> ModelSpec {
    let mut spec = ModelSpec {
        id_column: Located { value: "person_id".into(), path: "/people/id_column".into() },
        partition_column: Located { value: "partition".into(), path: "/people/partition_column".into() },
        max_approved_segmentations: Located { value: DEFAULT_MAX_APPROVED_SEGMENTATIONS, path: "/limits".into() },
        max_segments: Located { value: DEFAULT_MAX_SEGMENTS, path: "/limits".into() },
        workspaces: Vec::new(),
        groups: Vec::new(),
        users: Vec::new(),
        lists: Vec::new(),
        segmentations: Vec::new(),
    };
    let known = ["people", "limits", "workspaces", "groups", "users", "lists", "segmentations"];
    let Some(top) = Object::new(root, "", None, &known, issues) else {
        return spec;
    };
    if let Some(people) = top.get("people")
        && let Some(people) = Object::new(people, "/people", None, &["id_column", "partition_column"], issues)
    {
        for (key, slot) in [("id_column", &mut spec.id_column), ("partition_column", &mut spec.partition_column)] {
            if let Some(name) = people.string(key, false, issues) {
                if name.value.is_empty() {
                    issues.push(&name.path, None, format!("`{key}` may not be empty"));
                } else {
                    *slot = name;
                }
            }
        }
    }
    if let Some(limits) = top.get("limits")
        && let Some(limits) =
            Object::new(limits, "/limits", None, &["max_approved_segmentations", "max_segments"], issues)
    {
        for (key, slot, max) in [
            ("max_approved_segmentations", &mut spec.max_approved_segmentations, u64::from(u32::MAX)),
            ("max_segments", &mut spec.max_segments, HARD_MAX_SEGMENTS),
        ] {
            let Some(value) = limits.get(key) else {
                continue;
            };
            let path = limits.path_of(key);
            match value.as_u64() {
                Some(n) if n <= max => *slot = Located { value: n, path },
                Some(n) => issues.push(&path, None, format!("`{key}` can be at most {max}, found {n}")),
                None => issues.push(&path, None, format!("`{key}` must be a whole number ≥ 0, found {}", found(value))),
            }
        }
    }
    if let Some((path, items)) = top.list("workspaces", true, issues) {
        if items.is_empty() {
            issues.push(&path, None, "there must be at least one workspace");
        }
        for (i, item) in items.iter().enumerate() {
            let path = child_path(&path, &i.to_string());
            let Some(obj) = Object::new(item, &path, None, &["id", "name", "partitions"], issues) else {
                continue;
            };
            let id = obj.id("id", issues);
            let name = obj.string("name", false, issues).map(|n| n.value);
            // Kept after a shape error (as "all") so references to it raise no follow-on errors.
            let partitions = obj.ids_or_all("partitions", issues).or(Some(IdsOrAll::All));
            if let (Some(id), Some(partitions)) = (id, partitions) {
                spec.workspaces.push(WorkspaceSpec { id, name, partitions });
            }
        }
    }
    spec.groups = simple_entities(&top, "groups", &["id", "name"], issues);
    spec.lists = simple_entities(&top, "lists", &["id", "name"], issues);
    if let Some((path, items)) = top.list("users", false, issues) {
        for (i, item) in items.iter().enumerate() {
            let path = child_path(&path, &i.to_string());
            let Some(obj) = Object::new(item, &path, None, &["id", "name", "admin", "workspaces", "groups"], issues)
            else {
                continue;
            };
            let id = obj.id("id", issues);
            let _ = obj.string("name", false, issues);
            // After a shape error the user is kept with the most permissive reading, so that one
            // mistake is reported once, not again at every share and owner that names the user.
            let admin = obj.bool("admin", issues).unwrap_or(obj.has("admin"));
            let workspaces = obj.ids_or_all("workspaces", issues).or(Some(IdsOrAll::All));
            let groups = match obj.get("groups") {
                Some(Value::String(s)) if s == "all" => {
                    issues.push(&obj.path_of("groups"), None, "`groups` takes a list of group ids");
                    Vec::new()
                }
                Some(_) => match obj.ids_or_all("groups", issues) {
                    Some(IdsOrAll::Ids(ids)) => ids,
                    _ => Vec::new(),
                },
                None => Vec::new(),
            };
            if let (Some(id), Some(workspaces)) = (id, workspaces) {
                spec.users.push(UserSpec { id, admin, workspaces, groups });
            }
        }
    }
    if let Some((path, items)) = top.list("segmentations", false, issues) {
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = parse_segmentation(item, &child_path(&path, &i.to_string()), issues) {
                spec.segmentations.push(s);
            }
        }
    }
    spec
}

fn simple_entities(top: &Object<'_>, key: &str, known: &[&str], issues: &mut Issues) -> Vec<Located<String>> {
    let mut out = Vec::new();
    if let Some((path, items)) = top.list(key, false, issues) {
        for (i, item) in items.iter().enumerate() {
            let path = child_path(&path, &i.to_string());
            if let Some(obj) = Object::new(item, &path, None, known, issues) {
                let _ = obj.string("name", false, issues);
                if let Some(id) = obj.id("id", issues) {
                    out.push(id);
                }
            }
        }
    }
    out
}

fn parse_segmentation(item: &Value, path: &str, issues: &mut Issues) -> Option<SegmentationSpec> {
    let label = item
        .get("id")
        .and_then(Value::as_str)
        .map_or_else(|| format!("segmentation {path}"), |id| format!("segmentation `{}`", shorten(id)));
    let known = ["id", "name", "workspace", "owner", "status", "segments", "shares"];
    let obj = Object::new(item, path, Some(label.clone()), &known, issues)?;
    let id = obj.id("id", issues);
    let name = obj.string("name", false, issues).map(|n| n.value);
    let workspace = obj.id("workspace", issues);
    let owner = obj.id("owner", issues);
    let status = match obj.string("status", true, issues) {
        Some(s) if s.value == "approved" => Some(Status::Approved),
        Some(s) if s.value == "draft" => Some(Status::Draft),
        Some(s) => {
            issues.push(
                &s.path,
                Some(&label),
                format!("`status` must be \"approved\" or \"draft\", found \"{}\"", shorten(&s.value)),
            );
            None
        }
        None => None,
    };
    let mut segments = Vec::new();
    if let Some((seg_path, items)) = obj.list("segments", true, issues) {
        if items.is_empty() {
            issues.push(&seg_path, Some(&label), "a segmentation needs at least one segment");
        }
        for (i, item) in items.iter().enumerate() {
            let path = child_path(&seg_path, &i.to_string());
            let seg_label = match item.get("id").and_then(Value::as_str) {
                Some(seg) => format!("{label}, segment `{}`", shorten(seg)),
                None => format!("{label}, segment {}", i + 1),
            };
            let Some(seg) = Object::new(item, &path, Some(seg_label.clone()), &["id", "name", "rule"], issues) else {
                continue;
            };
            let seg_id = seg.id("id", issues);
            let seg_name = seg.string("name", false, issues).map(|n| n.value);
            let rule =
                seg.required("rule", issues).and_then(|r| parse_rule(r, &seg.path_of("rule"), &seg_label, issues));
            if let (Some(id), Some(rule)) = (seg_id, rule) {
                segments.push(SegmentSpec { id, name: seg_name, rule });
            }
        }
    }
    let mut shares = Vec::new();
    if let Some((share_path, items)) = obj.list("shares", false, issues) {
        for (i, item) in items.iter().enumerate() {
            let path = child_path(&share_path, &i.to_string());
            if let Some(share) = parse_share(item, &path, &label, issues) {
                shares.push(share);
            }
        }
    }
    Some(SegmentationSpec {
        id: id?,
        name,
        workspace: workspace?,
        owner: owner?,
        status: status?,
        segments,
        shares,
        path: path.to_owned(),
    })
}

fn parse_share(item: &Value, path: &str, label: &str, issues: &mut Issues) -> Option<ShareSpec> {
    let kinds = ["workspace", "all", "group", "user"];
    let obj = Object::new(item, path, Some(label.to_owned()), &kinds, issues)?;
    let present: Vec<&str> = kinds.iter().copied().filter(|k| obj.has(k)).collect();
    if present.len() != 1 {
        let written = if present.is_empty() { "none".to_owned() } else { quote_list(&present) };
        issues.push(
            path,
            Some(label),
            format!("a share names exactly one of `workspace`, `group`, `user` or `all`, found {written}"),
        );
        return None;
    }
    match present[0] {
        "workspace" => obj.id("workspace", issues).map(ShareSpec::Workspace),
        "group" => obj.id("group", issues).map(ShareSpec::Group),
        "user" => obj.id("user", issues).map(ShareSpec::User),
        _ => match obj.bool("all", issues) {
            Some(true) => Some(ShareSpec::All { path: obj.path_of("all") }),
            Some(false) => {
                issues.push(&obj.path_of("all"), Some(label), "`all` shares must say `\"all\": true`, found false");
                None
            }
            None => None,
        },
    }
}
