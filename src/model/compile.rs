//! `ModelSpec` + people schema → [`Model`]: every reference resolved, every share checked against
//! SPEC §2.4, every rule compiled against the column types. Collects all problems, never stops
//! at the first.

use std::collections::{BTreeSet, HashMap};

use super::condition::{ColumnType, compile_condition, describe, operator};
use super::json::{IdsOrAll, Issues, Located};
use super::rule_spec::RuleSpec;
use super::spec::{ModelSpec, SegmentationSpec, ShareSpec, Status};
use super::{DEFAULT_SEGMENT, Model, PartitionSet, Segment, Segmentation, Share, User, Workspace};
use crate::error::Warning;
use crate::error::text::{did_you_mean, name_list, shorten};
use crate::people::PeopleSchema;
use crate::rule::{Condition, ConditionSet, Predicate, TypeFamily};

/// Compiles `spec`. `schema` is the people schema (`None` when the people files could not be
/// read: rules are then checked for shape only). `as_of_nanos` anchors `in_past`/`in_future`.
pub fn compile(
    spec: &ModelSpec,
    schema: Option<&PeopleSchema>,
    as_of_nanos: i128,
    issues: &mut Issues,
    warnings: &mut Vec<Warning>,
) -> Model {
    let workspace_index = unique_index(spec.workspaces.iter().map(|w| &w.id), "workspace", issues);
    let group_index = unique_index(spec.groups.iter(), "group", issues);
    let user_index = unique_index(spec.users.iter().map(|u| &u.id), "user", issues);
    let list_index = unique_index(spec.lists.iter(), "list", issues);
    let segmentation_index = unique_index(spec.segmentations.iter().map(|s| &s.id), "segmentation", issues);
    check_case_collisions(spec, &segmentation_index, issues);

    let partitions: Vec<String> = spec
        .workspaces
        .iter()
        .filter_map(|w| match &w.partitions {
            IdsOrAll::Ids(ids) => Some(ids.iter().map(|p| p.value.clone())),
            IdsOrAll::All => None,
        })
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let workspaces: Vec<Workspace> = spec
        .workspaces
        .iter()
        .map(|w| Workspace {
            id: w.id.value.clone(),
            name: w.name.clone(),
            partitions: match &w.partitions {
                IdsOrAll::All => PartitionSet::All,
                IdsOrAll::Ids(ids) => {
                    let mut set: Vec<usize> =
                        ids.iter().filter_map(|p| partitions.binary_search(&p.value).ok()).collect();
                    set.sort_unstable();
                    set.dedup();
                    PartitionSet::Some(set)
                }
            },
        })
        .collect();

    let users: Vec<User> = spec
        .users
        .iter()
        .map(|u| {
            let workspaces = match &u.workspaces {
                IdsOrAll::All => (0..workspaces.len()).collect(),
                IdsOrAll::Ids(ids) => {
                    let mut v: Vec<usize> =
                        ids.iter().filter_map(|w| resolve(w, &workspace_index, "workspace", None, issues)).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                }
            };
            let groups = u.groups.iter().filter_map(|g| resolve(g, &group_index, "group", None, issues)).collect();
            User { id: u.id.value.clone(), admin: u.admin, workspaces, groups }
        })
        .collect();

    let approved = spec.segmentations.iter().filter(|s| s.status == Status::Approved).count() as u64;
    if approved > spec.max_approved_segmentations.value {
        issues.push(
            "/segmentations",
            None,
            format!(
                "{approved} segmentations are approved, more than the limit of {} (drafts do not count; raise \"limits\": {{\"max_approved_segmentations\": N}} or turn some into drafts)",
                spec.max_approved_segmentations.value
            ),
        );
    }

    let mut compiler = RuleCompiler::new(schema, as_of_nanos, &list_index);
    let mut segmentations = Vec::new();
    let mut drafts = Vec::new();
    for s in &spec.segmentations {
        let checked = check_segmentation(
            s,
            spec,
            &workspaces,
            &users,
            &workspace_index,
            &group_index,
            &user_index,
            issues,
            warnings,
        );
        if s.status == Status::Draft {
            // Drafts are validated like approved ones, against a throwaway condition table.
            let mut draft_compiler = RuleCompiler::new(schema, as_of_nanos, &list_index);
            for seg in &s.segments {
                draft_compiler.rule(&seg.rule, issues, warnings);
            }
            drafts.push(s.id.value.clone());
            continue;
        }
        let segments: Vec<Option<Segment>> = s
            .segments
            .iter()
            .map(|seg| {
                compiler.rule(&seg.rule, issues, warnings).map(|predicate| Segment {
                    id: seg.id.value.clone(),
                    name: seg.name.clone(),
                    predicate,
                })
            })
            .collect();
        if let (Some((origin, owner, visible_in, shares)), Some(segments)) =
            (checked, segments.into_iter().collect::<Option<Vec<_>>>())
        {
            segmentations.push(Segmentation {
                id: s.id.value.clone(),
                name: s.name.clone(),
                origin,
                owner,
                segments,
                visible_in,
                shares,
            });
        }
    }

    let mut used_lists = compiler.used_lists;
    used_lists.sort_unstable();
    used_lists.dedup();
    Model {
        id_column: spec.id_column.value.clone(),
        partition_column: spec.partition_column.value.clone(),
        partitions,
        workspaces,
        groups: spec.groups.iter().map(|g| g.value.clone()).collect(),
        users,
        lists: spec.lists.iter().map(|l| l.value.clone()).collect(),
        segmentations,
        drafts,
        conditions: compiler.conditions,
        columns: compiler.columns,
        used_lists,
    }
}

/// Maps ids to positions; reports duplicates.
fn unique_index<'a>(
    ids: impl Iterator<Item = &'a Located<String>>,
    kind: &str,
    issues: &mut Issues,
) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    let mut first_paths: HashMap<String, String> = HashMap::new();
    for (i, id) in ids.enumerate() {
        // The first definition wins; later ones are reported.
        if let Some(first) = first_paths.get(&id.value) {
            issues.push_hint(
                &id.path,
                None,
                format!("duplicate {kind} id `{}`", id.value),
                Some(format!("the first is at {first}: rename one of them")),
            );
        } else {
            index.insert(id.value.clone(), i);
            first_paths.insert(id.value.clone(), id.path.clone());
        }
    }
    index
}

/// Segmentation ids name membership columns; readers such as `DuckDB` match column names without
/// regard to case, so two ids that differ only in case would collide.
fn check_case_collisions(spec: &ModelSpec, index: &HashMap<String, usize>, issues: &mut Issues) {
    let mut lower: HashMap<String, &str> = HashMap::new();
    for s in &spec.segmentations {
        if index.get(&s.id.value).is_some_and(|&i| !std::ptr::eq(&raw const spec.segmentations[i], s)) {
            continue; // a later exact duplicate, reported already
        }
        if let Some(other) = lower.insert(s.id.value.to_ascii_lowercase(), &s.id.value) {
            issues.push_hint(
                &s.id.path,
                None,
                format!("segmentation ids `{other}` and `{}` differ only in case; membership columns must differ in more than case", s.id.value),
                Some("rename one of them"),
            );
        }
    }
}

fn resolve(
    id: &Located<String>,
    index: &HashMap<String, usize>,
    kind: &str,
    context: Option<&str>,
    issues: &mut Issues,
) -> Option<usize> {
    if let Some(&i) = index.get(&id.value) {
        return Some(i);
    }
    let mut known: Vec<&str> = index.keys().map(String::as_str).collect();
    known.sort_unstable();
    let hint = did_you_mean(&id.value, &known).unwrap_or_else(|| {
        if known.is_empty() {
            format!("no {kind}s are declared: add it to \"{kind}s\"")
        } else {
            let known: Vec<String> = known.iter().map(|k| (*k).to_owned()).collect();
            format!("the {kind}s are {}", name_list(&known))
        }
    });
    issues.push_hint(&id.path, context, format!("unknown {kind} `{}`", shorten(&id.value)), Some(hint));
    None
}

type CheckedSharing = (usize, usize, Vec<usize>, Vec<Share>);

/// Checks a segmentation's ids, limits, owner and shares (SPEC §2.2, §2.4).
#[allow(clippy::too_many_arguments)]
fn check_segmentation(
    s: &SegmentationSpec,
    spec: &ModelSpec,
    workspaces: &[Workspace],
    users: &[User],
    workspace_index: &HashMap<String, usize>,
    group_index: &HashMap<String, usize>,
    user_index: &HashMap<String, usize>,
    issues: &mut Issues,
    warnings: &mut Vec<Warning>,
) -> Option<CheckedSharing> {
    let label = format!("segmentation `{}`", s.id.value);
    let ctx = Some(label.as_str());
    if s.id.value == "person_id" || s.id.value == spec.id_column.value {
        issues.push_hint(
            &s.id.path,
            ctx,
            format!("`{}` is reserved for the person id column of the outputs", s.id.value),
            Some("rename the segmentation"),
        );
    }
    if s.segments.len() as u64 > spec.max_segments.value {
        issues.push(
            &format!("{}/segments", s.path),
            ctx,
            format!(
                "{} segments, more than the limit of {} (`default` not counted; raise \"limits\": {{\"max_segments\": N}})",
                s.segments.len(),
                spec.max_segments.value
            ),
        );
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for seg in &s.segments {
        if seg.id.value == DEFAULT_SEGMENT {
            issues.push_hint(
                &seg.id.path,
                ctx,
                "`default` is reserved for the implicit last segment",
                Some("rename this segment (people no segment matches are in `default` anyway)"),
            );
        } else if let Some(first) = seen.get(seg.id.value.as_str()) {
            issues.push_hint(
                &seg.id.path,
                ctx,
                format!("duplicate segment id `{}`", seg.id.value),
                Some(format!("the first is at {first}: rename one of them")),
            );
        } else {
            seen.insert(&seg.id.value, &seg.id.path);
        }
    }
    let origin = resolve(&s.workspace, workspace_index, "workspace", ctx, issues);
    let owner = resolve(&s.owner, user_index, "user", ctx, issues);
    let owner_user = owner.map(|o| &users[o]);
    if let (Some(origin), Some(user)) = (origin, owner_user)
        && !user.workspaces.contains(&origin)
    {
        issues.push_hint(
            &s.owner.path,
            ctx,
            format!("owner `{}` has no access to the origin workspace `{}`", user.id, workspaces[origin].id),
            Some(format!("add `{}` to the user's \"workspaces\", or choose another owner", workspaces[origin].id)),
        );
    }
    let mut visible_in: Vec<usize> = origin.into_iter().collect();
    let mut shares = Vec::new();
    for share in &s.shares {
        match share {
            ShareSpec::Workspace(w) => {
                let Some(wi) = resolve(w, workspace_index, "workspace", ctx, issues) else {
                    continue;
                };
                if let Some(user) = owner_user
                    && !user.workspaces.contains(&wi)
                {
                    issues.push_hint(
                        &w.path,
                        ctx,
                        format!("owner `{}` cannot share with workspace `{}`: owners share only with workspaces they have access to", user.id, w.value),
                        Some(format!("add `{}` to the owner's \"workspaces\", or remove the share", w.value)),
                    );
                    continue;
                }
                if visible_in.contains(&wi) {
                    warnings.push(Warning {
                        at: Some(w.path.clone()),
                        message: format!(
                            "{label} is already visible in workspace `{}`; the share changes nothing: remove it",
                            w.value
                        ),
                    });
                    continue;
                }
                if let Some(origin) = origin {
                    share_coverage_warnings(&label, &w.path, &workspaces[origin], &workspaces[wi], warnings);
                }
                visible_in.push(wi);
                shares.push(Share::Workspace(wi));
            }
            ShareSpec::All { path } => {
                if let Some(user) = owner_user.filter(|u| !u.admin) {
                    issues.push_hint(
                        path,
                        ctx,
                        format!("owner `{}` is not an admin: only admins share with all users", user.id),
                        Some("share with users or workspaces, or make an admin the owner"),
                    );
                    continue;
                }
                shares.push(Share::All);
            }
            ShareSpec::Group(g) => {
                let Some(gi) = resolve(g, group_index, "group", ctx, issues) else {
                    continue;
                };
                if let Some(user) = owner_user.filter(|u| !u.admin) {
                    issues.push_hint(
                        &g.path,
                        ctx,
                        format!("owner `{}` is not an admin: only admins share with groups", user.id),
                        Some("share with the group's users one by one, or make an admin the owner"),
                    );
                    continue;
                }
                shares.push(Share::Group(gi));
            }
            ShareSpec::User(u) => {
                if let Some(ui) = resolve(u, user_index, "user", ctx, issues) {
                    shares.push(Share::User(ui));
                }
            }
        }
    }
    Some((origin?, owner?, visible_in, shares))
}

/// SPEC §3.3: a receiving workspace sees only its overlap with the origin's partitions.
fn share_coverage_warnings(
    label: &str,
    path: &str,
    origin: &Workspace,
    receiver: &Workspace,
    warnings: &mut Vec<Warning>,
) {
    let message = match (&origin.partitions, &receiver.partitions) {
        (PartitionSet::All, _) => return,
        (PartitionSet::Some(o), PartitionSet::All) => {
            if o.is_empty() {
                format!(
                    "{label} is shared with workspace `{}`, but its origin `{}` has no partitions: it sees nobody; give `{}` partitions, or remove the share",
                    receiver.id, origin.id, origin.id
                )
            } else {
                format!(
                    "{label} is shared with workspace `{}`, which sees partitions that origin `{}` does not calculate: their people are never in this segmentation; define the segmentation in a workspace that covers them if they should be in it",
                    receiver.id, origin.id
                )
            }
        }
        (PartitionSet::Some(o), PartitionSet::Some(r)) => {
            let overlap = r.iter().filter(|p| o.contains(p)).count();
            if overlap == 0 {
                format!(
                    "{label} is shared with workspace `{}`, which has no partition in common with origin `{}`: it sees nobody; remove the share, or define the segmentation in a workspace that covers its partitions",
                    receiver.id, origin.id
                )
            } else if overlap < r.len() {
                format!(
                    "{label} is shared with workspace `{}`, which sees partitions that origin `{}` does not calculate: their people are never in this segmentation; define the segmentation in a workspace that covers them if they should be in it",
                    receiver.id, origin.id
                )
            } else {
                return;
            }
        }
    };
    warnings.push(Warning { at: Some(path.to_owned()), message });
}

struct RuleCompiler<'a> {
    schema: Option<&'a PeopleSchema>,
    as_of_nanos: i128,
    list_index: &'a HashMap<String, usize>,
    conditions: ConditionSet,
    columns: Vec<(String, TypeFamily)>,
    used_lists: Vec<usize>,
}

impl<'a> RuleCompiler<'a> {
    fn new(schema: Option<&'a PeopleSchema>, as_of_nanos: i128, list_index: &'a HashMap<String, usize>) -> Self {
        Self {
            schema,
            as_of_nanos,
            list_index,
            conditions: ConditionSet::default(),
            columns: Vec::new(),
            used_lists: Vec::new(),
        }
    }

    fn rule(&mut self, rule: &RuleSpec, issues: &mut Issues, warnings: &mut Vec<Warning>) -> Option<Predicate> {
        match rule {
            RuleSpec::All(parts) => self.all(parts, issues, warnings).map(Predicate::All),
            RuleSpec::Any(parts) => self.all(parts, issues, warnings).map(Predicate::Any),
            RuleSpec::Not(inner) => self.rule(inner, issues, warnings).map(|p| Predicate::Not(Box::new(p))),
            RuleSpec::Filters { filters, logic, context } => {
                let leaves = self.all(filters, issues, warnings)?;
                match logic {
                    None => Some(Predicate::All(leaves)),
                    Some(logic) => {
                        let mut used = vec![false; leaves.len()];
                        logic.value.mark_used(&mut used);
                        if let Some(unused) = used.iter().position(|u| !u) {
                            warnings.push(Warning {
                                at: Some(logic.path.clone()),
                                message: format!(
                                    "filter {} is not used by the logic of {context}: it never affects the result; use it in `logic` or remove it",
                                    unused + 1
                                ),
                            });
                        }
                        Some(logic_predicate(&logic.value, &leaves))
                    }
                }
            }
            RuleSpec::MemberOfList { list, context } => {
                let index = resolve(list, self.list_index, "list", Some(context), issues)?;
                self.used_lists.push(index);
                let description = format!("member_of_list {}", list.value);
                Some(Predicate::Leaf(self.conditions.intern(Condition::InList { list: index }, description)))
            }
            RuleSpec::Condition(spec) => {
                let schema = self.schema?;
                let ctx = Some(spec.context.as_str());
                let Some(column) = schema.get(&spec.field.value) else {
                    let names = schema.names();
                    let hint = did_you_mean(&spec.field.value, &names).unwrap_or_else(|| {
                        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
                        format!("the people files have no such column; their columns are {}", name_list(&names))
                    });
                    issues.push_hint(
                        &spec.field.path,
                        ctx,
                        format!("unknown column `{}`", shorten(&spec.field.value)),
                        Some(hint),
                    );
                    // The operator can still be checked without the column.
                    operator(spec, None, issues);
                    return None;
                };
                let Some(family) = column.family else {
                    issues.push_hint(
                        &spec.field.path,
                        ctx,
                        format!("column `{}` has type {}, which rules cannot use", spec.field.value, column.data_type),
                        Some("rules take string, number, boolean, date and timestamp columns"),
                    );
                    return None;
                };
                let index = if let Some(i) = self.columns.iter().position(|(n, _)| *n == spec.field.value) {
                    i
                } else {
                    self.columns.push((spec.field.value.clone(), family));
                    self.columns.len() - 1
                };
                let label = column.label();
                let column_type = ColumnType { index, family, label: &label };
                let condition = compile_condition(spec, &column_type, self.as_of_nanos, issues)?;
                Some(Predicate::Leaf(self.conditions.intern(Condition::Column(condition), describe(spec))))
            }
        }
    }

    fn all(&mut self, parts: &[RuleSpec], issues: &mut Issues, warnings: &mut Vec<Warning>) -> Option<Vec<Predicate>> {
        let compiled: Vec<Option<Predicate>> = parts.iter().map(|p| self.rule(p, issues, warnings)).collect();
        compiled.into_iter().collect()
    }
}

fn logic_predicate(logic: &super::logic::Logic, leaves: &[Predicate]) -> Predicate {
    use super::logic::Logic;
    match logic {
        Logic::Filter(i) => leaves[*i].clone(),
        Logic::Not(inner) => Predicate::Not(Box::new(logic_predicate(inner, leaves))),
        Logic::And(parts) => Predicate::All(parts.iter().map(|p| logic_predicate(p, leaves)).collect()),
        Logic::Or(parts) => Predicate::Any(parts.iter().map(|p| logic_predicate(p, leaves)).collect()),
    }
}
