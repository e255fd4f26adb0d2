//! `segcalc explain`: why a person is, or is not, in each segment, as seen from each workspace.
//!
//! The person's row is found by id statistics first (only row groups whose min/max may hold the
//! id are read), then by a filter on the decoded ids. Every condition is evaluated by the same
//! kernels as `run`, on that one row, so the explanation cannot disagree with the run.

use std::fmt::Write as _;

use arrow_array::{Array, ArrayRef};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use serde::Serialize;

use crate::engine::PartitionCodes;
use crate::engine::ids::to_u32;
use crate::error::{Error, Result};
use crate::inputs::{DatasetPaths, Inputs, load};
use crate::model::Model;
use crate::people::ScanColumns;
use crate::rule::Predicate;
use crate::rule::value::instant_nanos;
use crate::rule::{Column, Condition, kernel};
use crate::run::parse_as_of;

#[derive(Debug, Clone)]
pub struct ExplainOptions {
    pub paths: DatasetPaths,
    pub person: u64,
    pub segmentation: Option<String>,
    pub workspace: Option<String>,
    pub as_of: Option<String>,
}

/// The stable `--json` schema (documented in docs/EXPLAIN.md).
#[derive(Debug, Serialize)]
pub struct Explanation {
    pub person_id: u32,
    pub file: String,
    pub row: u64,
    pub as_of: String,
    pub partition: Option<String>,
    /// Workspaces that see the person.
    pub workspaces: Vec<String>,
    /// The rule columns, in the order rules first use them; `null` for a null value.
    pub attributes: Vec<Attribute>,
    pub segmentations: Vec<SegmentationExplanation>,
}

#[derive(Debug, Serialize)]
pub struct Attribute {
    pub column: String,
    pub value: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SegmentationExplanation {
    pub id: String,
    pub origin: String,
    pub in_scope: bool,
    /// Why the person is or is not in scope.
    pub scope: String,
    /// Every segment in order, with its rule's result; empty when out of scope.
    pub segments: Vec<SegmentExplanation>,
    /// The segment assigned (the first that matches, else `default`); none when out of scope.
    pub assigned: Option<String>,
    /// Workspaces where the segmentation is visible and that see the person.
    pub visible_in: Vec<Visibility>,
}

#[derive(Debug, Serialize)]
pub struct SegmentExplanation {
    pub id: String,
    pub matches: bool,
    pub rule: RuleResult,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleResult {
    Condition { condition: String, compared: String, result: bool },
    All { result: bool, parts: Vec<RuleResult> },
    Any { result: bool, parts: Vec<RuleResult> },
    Not { result: bool, inner: Box<RuleResult> },
}

impl RuleResult {
    fn result(&self) -> bool {
        match self {
            Self::Condition { result, .. }
            | Self::All { result, .. }
            | Self::Any { result, .. }
            | Self::Not { result, .. } => *result,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Visibility {
    pub workspace: String,
    pub read_only: bool,
}

/// The person's row: the values of the needed columns.
struct Row {
    file: usize,
    /// Row number within the file.
    index: u64,
    partition: ArrayRef,
    columns: Vec<ArrayRef>,
}

pub fn explain(options: &ExplainOptions) -> Result<Explanation> {
    let as_of = parse_as_of(options.as_of.as_deref(), chrono::Utc::now())?;
    let person = u32::try_from(options.person).map_err(|_| Error::Usage {
        message: format!(
            "--person {} is outside the person id range 0..=4294967295; give the id as it is in the people table",
            options.person
        ),
    })?;
    let inputs = load(&options.paths, instant_nanos(&as_of))?;
    let model = &inputs.model;
    let workspace = match &options.workspace {
        Some(w) => Some(model.workspaces.iter().position(|x| &x.id == w).ok_or_else(|| Error::Unknown {
            kind: "workspace",
            name: w.clone(),
            place: format!("`{}`", inputs.model_path.display()),
            known: model.workspaces.iter().map(|x| x.id.clone()).collect(),
        })?),
        None => None,
    };
    if let Some(s) = &options.segmentation
        && !model.segmentations.iter().any(|x| &x.id == s)
    {
        if model.drafts.contains(s) {
            return Err(Error::Usage {
                message: format!(
                    "segmentation `{s}` is a draft: drafts are not calculated, so there is nothing to explain; approve it (\"status\": \"approved\") first"
                ),
            });
        }
        return Err(Error::Unknown {
            kind: "approved segmentation",
            name: s.clone(),
            place: format!("`{}`", inputs.model_path.display()),
            known: model.segmentations.iter().map(|x| x.id.clone()).collect(),
        });
    }
    let row = find_row(&inputs, person)?;
    let codes = PartitionCodes::new(model);
    let partition_code =
        codes.encode(&row.partition, &mut std::collections::BTreeMap::new()).map_err(|source| Error::Arrow {
            path: inputs.source.files[row.file].path.clone(),
            column: model.partition_column.clone(),
            source,
        })?[0];
    let sees = |w: usize| codes.sees[w][usize::from(partition_code)];
    let partition = display(&row.partition);

    let columns: Vec<Column> = model
        .columns
        .iter()
        .zip(&row.columns)
        .map(|((name, family), array)| {
            Column::new(array, *family).map_err(|source| Error::Arrow {
                path: inputs.source.files[row.file].path.clone(),
                column: name.clone(),
                source,
            })
        })
        .collect::<Result<_>>()?;
    let leaf = |id: usize| -> Result<bool> {
        Ok(match &model.conditions.as_slice()[id] {
            Condition::Column(c) => kernel::evaluate(c, &columns[c.column])
                .map_err(|source| Error::Arrow {
                    path: inputs.source.files[row.file].path.clone(),
                    column: model.columns[c.column].0.clone(),
                    source,
                })?
                .value(0),
            Condition::InList { list } => inputs.lists[*list].contains(person),
        })
    };
    let compared = |id: usize| -> String {
        match &model.conditions.as_slice()[id] {
            Condition::Column(c) => {
                let (name, family) = &model.columns[c.column];
                match display(&row.columns[c.column]) {
                    Some(v) if *family == crate::rule::TypeFamily::Text => format!("{name} = {v:?}"),
                    Some(v) => format!("{name} = {v}"),
                    None => format!("{name} is null"),
                }
            }
            Condition::InList { list } => {
                let verb = if inputs.lists[*list].contains(person) { "is" } else { "is not" };
                format!("person {person} {verb} in list `{}`", model.lists[*list])
            }
        }
    };

    let mut segmentations = Vec::new();
    for seg in &model.segmentations {
        if options.segmentation.as_ref().is_some_and(|id| *id != seg.id) {
            continue;
        }
        if workspace.is_some_and(|w| !seg.visible_in.contains(&w)) {
            continue;
        }
        let origin = &model.workspaces[seg.origin];
        let in_scope = sees(seg.origin);
        let scope = scope_reason(model, seg.origin, partition.as_deref(), in_scope);
        let mut segments = Vec::new();
        let mut assigned = None;
        if in_scope {
            for segment in &seg.segments {
                let rule = explain_rule(&segment.predicate, model, &leaf, &compared)?;
                let matches = rule.result();
                if matches && assigned.is_none() {
                    assigned = Some(segment.id.clone());
                }
                segments.push(SegmentExplanation { id: segment.id.clone(), matches, rule });
            }
            assigned.get_or_insert_with(|| crate::model::DEFAULT_SEGMENT.to_owned());
        }
        let visible_in = seg
            .visible_in
            .iter()
            .filter(|&&w| in_scope && sees(w) && workspace.is_none_or(|only| only == w))
            .map(|&w| Visibility { workspace: model.workspaces[w].id.clone(), read_only: w != seg.origin })
            .collect();
        segmentations.push(SegmentationExplanation {
            id: seg.id.clone(),
            origin: origin.id.clone(),
            in_scope,
            scope,
            segments,
            assigned,
            visible_in,
        });
    }
    Ok(Explanation {
        person_id: person,
        file: inputs.source.files[row.file].path.display().to_string(),
        row: row.index,
        as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        partition,
        workspaces: (0..model.workspaces.len()).filter(|&w| sees(w)).map(|w| model.workspaces[w].id.clone()).collect(),
        attributes: model
            .columns
            .iter()
            .zip(&row.columns)
            .map(|((name, _), array)| Attribute { column: name.clone(), value: display(array) })
            .collect(),
        segmentations,
    })
}

fn scope_reason(model: &Model, origin: usize, partition: Option<&str>, in_scope: bool) -> String {
    let o = &model.workspaces[origin];
    let sees = match &o.partitions {
        crate::model::PartitionSet::All => "every partition".to_owned(),
        crate::model::PartitionSet::Some(list) => {
            let names: Vec<String> = list.iter().map(|&p| format!("`{}`", model.partitions[p])).collect();
            if names.is_empty() { "no partition".to_owned() } else { format!("partitions {}", names.join(", ")) }
        }
    };
    let person = partition.map_or_else(|| "has a null partition".to_owned(), |p| format!("is in partition `{p}`"));
    let verdict = if in_scope { "in scope" } else { "out of scope" };
    format!("{verdict}: origin `{}` calculates {sees}; the person {person}", o.id)
}

fn explain_rule(
    predicate: &Predicate,
    model: &Model,
    leaf: &impl Fn(usize) -> Result<bool>,
    compared: &impl Fn(usize) -> String,
) -> Result<RuleResult> {
    Ok(match predicate {
        Predicate::Leaf(id) => RuleResult::Condition {
            condition: model.conditions.description(*id).to_owned(),
            compared: compared(*id),
            result: leaf(*id)?,
        },
        Predicate::All(parts) => {
            let parts = parts.iter().map(|p| explain_rule(p, model, leaf, compared)).collect::<Result<Vec<_>>>()?;
            RuleResult::All { result: parts.iter().all(RuleResult::result), parts }
        }
        Predicate::Any(parts) => {
            let parts = parts.iter().map(|p| explain_rule(p, model, leaf, compared)).collect::<Result<Vec<_>>>()?;
            RuleResult::Any { result: parts.iter().any(RuleResult::result), parts }
        }
        Predicate::Not(inner) => {
            let inner = explain_rule(inner, model, leaf, compared)?;
            RuleResult::Not { result: !inner.result(), inner: Box::new(inner) }
        }
    })
}

/// The one value of a one-row array as text; `None` for null.
fn display(array: &ArrayRef) -> Option<String> {
    if array.is_null(0) || array.logical_nulls().is_some_and(|n| n.is_null(0)) {
        return None;
    }
    let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default()).ok()?;
    Some(formatter.value(0).to_string())
}

/// Finds the person's row; an id held twice is an error (SPEC §2.1), not a guess.
fn find_row(inputs: &Inputs, person: u32) -> Result<Row> {
    let model = &inputs.model;
    let columns = ScanColumns { id: &model.id_column, partition: &model.partition_column, attributes: &model.columns };
    let found = inputs.source.scan_for_id(&columns, person, |raw| {
        let (ids, _) = to_u32(&raw.ids).map_err(|source| Error::Arrow {
            path: inputs.source.files[raw.file].path.clone(),
            column: model.id_column.clone(),
            source,
        })?;
        let valid = raw.ids.logical_nulls();
        Ok(ids
            .iter()
            .enumerate()
            .filter(|&(i, &id)| id == person && valid.as_ref().is_none_or(|v| v.is_valid(i)))
            .map(|(i, _)| Row {
                file: raw.file,
                index: raw.first_row + i as u64,
                partition: raw.partitions.slice(i, 1),
                columns: raw.columns.iter().map(|c| c.slice(i, 1)).collect(),
            })
            .collect::<Vec<_>>())
    })?;
    let mut rows: Vec<Row> = found.into_iter().flatten().collect();
    match rows.len() {
        0 => Err(Error::Usage {
            message: format!(
                "person {person} is not in the people table `{}` (no row has `{}` = {person}); check the id, or the people files given with --people",
                inputs.source.root.display(),
                model.id_column
            ),
        }),
        1 => Ok(rows.remove(0)),
        _ => {
            let places: Vec<String> = rows
                .iter()
                .map(|r| format!("`{}` row {}", inputs.source.files[r.file].path.display(), r.index))
                .collect();
            Err(Error::Usage {
                message: format!(
                    "person {person} occurs more than once: {} (rows count from 0); ids must be unique: run `segcalc validate` for every duplicate",
                    places.join(", ")
                ),
            })
        }
    }
}

/// The explanation as aligned text for people.
#[must_use]
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "person {} — {} row {} (as of {})", e.person_id, e.file, e.row, e.as_of);
    let _ = writeln!(out, "  partition   {}", e.partition.as_deref().unwrap_or("(null)"));
    let _ = writeln!(
        out,
        "  seen by     {}",
        if e.workspaces.is_empty() { "no workspace".to_owned() } else { e.workspaces.join(", ") }
    );
    if !e.attributes.is_empty() {
        let width = e.attributes.iter().map(|a| a.column.len()).max().unwrap_or(0);
        let _ = writeln!(out, "  values");
        for a in &e.attributes {
            let _ = writeln!(out, "    {:width$}  {}", a.column, a.value.as_deref().unwrap_or("(null)"));
        }
    }
    for s in &e.segmentations {
        let _ = writeln!(out, "\n{} (origin {})", s.id, s.origin);
        let _ = writeln!(out, "  {}", s.scope);
        for g in &s.segments {
            let _ = writeln!(out, "  {} segment {}", mark(g.matches), g.id);
            render_rule(&g.rule, 3, &mut out);
        }
        if let Some(assigned) = &s.assigned {
            let _ = writeln!(out, "  → {assigned}");
        }
        if !s.visible_in.is_empty() {
            let shown: Vec<String> = s
                .visible_in
                .iter()
                .map(|v| format!("{} ({})", v.workspace, if v.read_only { "read-only" } else { "editable" }))
                .collect();
            let _ = writeln!(out, "  visible in  {}", shown.join(", "));
        }
    }
    out
}

fn mark(result: bool) -> &'static str {
    if result { "✓" } else { "✗" }
}

fn render_rule(rule: &RuleResult, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match rule {
        RuleResult::Condition { condition, compared, result } => {
            let _ = writeln!(out, "{pad}{} {condition}    ({compared})", mark(*result));
        }
        RuleResult::All { result, parts } | RuleResult::Any { result, parts } => {
            let word = if matches!(rule, RuleResult::All { .. }) { "all of" } else { "any of" };
            let _ = writeln!(out, "{pad}{} {word}", mark(*result));
            for p in parts {
                render_rule(p, depth + 1, out);
            }
        }
        RuleResult::Not { result, inner } => {
            let _ = writeln!(out, "{pad}{} not", mark(*result));
            render_rule(inner, depth + 1, out);
        }
    }
}
