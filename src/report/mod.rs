//! `segcalc report <out> --html FILE` (SPEC §9): one self-contained HTML page of a published
//! run — the run's id, as-of, duration and warnings; per workspace, its segmentations (shared
//! ones marked read-only, their origin named) with each segment's size as a bar chart, the
//! movements since the previous run as a matrix (in the origin's section: they are the whole
//! scope's), and each segment's size over the history as lines.
//!
//! Everything comes from the run, read through `PublishedRun`: its manifest, changes.parquet and
//! history.parquet. [`charts`] draws, [`page`] writes HTML.

mod charts;
pub mod page;

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result, RunDamage};
use crate::location::Location;
use crate::output::history::{self, HistoryRow};
use crate::output::manifest::{Manifest, VisibleSegmentation};
use crate::output::movement::{Changes, Movement};
use crate::output::published::PublishedRun;
use crate::show::open_run;
use page::{escape, table};

/// Writes the report of run `run` (default: `current`) of `out` to `html`; returns the run id.
pub fn report(out: &Location, run: Option<&str>, html: &Path) -> Result<String> {
    let run = open_run(out, run)?;
    let text = render(&run)?;
    std::fs::write(html, text).map_err(|source| Error::Write { path: html.to_owned(), source })?;
    Ok(run.id().to_owned())
}

/// The movements since the previous run, from the run's changes.parquet; `None` when it has none.
fn movements(run: &PublishedRun) -> Result<Option<Vec<Movement>>> {
    let Some(batches) = run.changes()? else {
        return Ok(None);
    };
    let changes = Changes::of_batches(&batches).ok_or_else(|| Error::DamagedRun {
        path: run.locate(&run.layout().changes()),
        problem: RunDamage::Columns { expected: "segmentation, old_segment, new_segment (strings)" },
    })?;
    let counts: Vec<(String, Vec<(String, u64)>)> = run
        .manifest()
        .segmentations
        .iter()
        .map(|s| (s.id.clone(), s.segments.iter().map(|g| (g.id.clone(), g.people)).collect()))
        .collect();
    Ok(Some(changes.movements(&counts)))
}

/// The page of `run`.
pub fn render(run: &PublishedRun) -> Result<String> {
    let m = run.manifest();
    let movements = movements(run)?;
    let history = history::read(run)?;
    let mut body = String::new();
    let _ = writeln!(body, "<h1>segcalc report — run {}</h1>", escape(&m.run_id));
    body.push_str(&facts(m));
    body.push_str(&warnings(m));
    body.push_str("<nav><strong>Workspaces:</strong> ");
    for w in m.workspaces.iter().filter(|w| !w.segmentations.is_empty()) {
        let _ = write!(body, "<a href=\"#workspace-{0}\">{0}</a>", escape(&w.id));
    }
    body.push_str("</nav>\n");
    for w in m.workspaces.iter().filter(|w| !w.segmentations.is_empty()) {
        let _ = writeln!(
            body,
            "<h2 id=\"workspace-{0}\">Workspace {0} <span class=\"note\">({1} people)</span></h2>",
            escape(&w.id),
            w.people
        );
        for s in &w.segmentations {
            body.push_str(&segmentation(m, &w.id, s, movements.as_deref(), &history)?);
        }
    }
    Ok(page::page(&format!("segcalc report — run {}", m.run_id), &body))
}

/// The run's id, as-of, start, duration, people and what it was compared with.
fn facts(m: &Manifest) -> String {
    let ms: u64 = m.timings_ms.iter().map(|t| t.ms).sum();
    let phases: Vec<String> = m.timings_ms.iter().map(|t| format!("{} {} ms", t.phase, t.ms)).collect();
    let compared = m.changes.as_ref().map_or_else(
        || "no previous run (a first run, or --no-changes)".to_owned(),
        |c| format!("run {} ({} changes)", c.previous_run, c.rows),
    );
    let facts = [
        ("run", m.run_id.clone()),
        ("as of", m.as_of.clone()),
        ("started", m.started_at.clone()),
        ("duration", format!("{:.2} s ({})", ms as f64 / 1000.0, phases.join(", "))),
        ("people", m.people.total.to_string()),
        ("movements against", compared),
        ("engine", format!("{} {}", m.engine.name, m.engine.version)),
    ];
    let mut out = String::from("<dl class=\"facts\">\n");
    for (name, value) in facts {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{}</dd>", escape(&value));
    }
    out.push_str("</dl>\n");
    out
}

fn warnings(m: &Manifest) -> String {
    if m.warnings.is_empty() {
        return "<h4>Warnings</h4><p class=\"note\">none</p>\n".to_owned();
    }
    let mut out = format!("<h4>Warnings ({})</h4>\n<ul class=\"warnings\">\n", m.warnings.len());
    for w in &m.warnings {
        let at = w.at.as_deref().map(|at| format!("<code>{}</code>: ", escape(at))).unwrap_or_default();
        let _ = writeln!(out, "<li>{at}{}</li>", escape(&w.message));
    }
    out.push_str("</ul>\n");
    out
}

/// One segmentation as workspace `workspace` sees it: sizes, then (in its origin) movements,
/// then history.
fn segmentation(
    m: &Manifest,
    workspace: &str,
    s: &VisibleSegmentation,
    movements: Option<&[Movement]>,
    history: &[HistoryRow],
) -> Result<String> {
    let spec = m.segmentations.iter().find(|x| x.id == s.id);
    let origin = spec.map_or("?", |x| x.origin.as_str());
    let mut out = String::from("<section class=\"segmentation\">\n");
    let badge = if s.read_only {
        format!("<span class=\"badge read-only\">shared, read-only — origin {}</span>", escape(origin))
    } else {
        "<span class=\"badge own\">own</span>".to_owned()
    };
    let name = spec
        .and_then(|x| x.name.as_deref())
        .map(|n| format!(" <span class=\"note\">{}</span>", escape(n)))
        .unwrap_or_default();
    let _ = writeln!(out, "<h3>{}{name}{badge}</h3>", escape(&s.id));
    let sizes: Vec<(String, u64)> = s.segments.iter().map(|g| (g.id.clone(), g.people)).collect();
    let rows: Vec<Vec<String>> = sizes.iter().map(|(g, n)| vec![g.clone(), n.to_string()]).collect();
    let chart = format!("{workspace}/{}", s.id);
    let _ = writeln!(
        out,
        "<div class=\"row\"><div>{}</div><div>{}</div></div>",
        charts::bars(&chart, &sizes)?,
        table(&["segment", "people"], &rows)
    );
    out.push_str("<h4>Movements since the previous run</h4>\n");
    match movements.and_then(|all| all.iter().find(|x| x.segmentation == s.id)) {
        _ if s.read_only => {
            let _ = writeln!(
                out,
                "<p class=\"note\">in workspace {} (the origin), over the whole scope</p>",
                escape(origin)
            );
        }
        None => out.push_str("<p class=\"note\">no previous run to compare with</p>\n"),
        Some(movement) if movement.totals.changed() == 0 => {
            let _ = writeln!(out, "<p class=\"note\">nobody changed segment ({} stayed)</p>", movement.totals.stayed);
        }
        Some(movement) => {
            let t = &movement.totals;
            let _ = writeln!(
                out,
                "<p>{} changed segment: {} moved, {} entered the scope, {} left it; {} stayed</p>",
                t.changed(),
                t.moved,
                t.entered,
                t.left,
                t.stayed
            );
            out.push_str(&charts::matrix(&chart, movement)?);
        }
    }
    out.push_str("<h4>Size over the history</h4>\n");
    out.push_str(&history_chart(&chart, workspace, &s.id, history)?);
    out.push_str("</section>\n");
    Ok(out)
}

/// Lines of each segment's size at every run of the history that saw it in `workspace`.
fn history_chart(chart: &str, workspace: &str, segmentation: &str, history: &[HistoryRow]) -> Result<String> {
    let rows: Vec<&HistoryRow> =
        history.iter().filter(|r| r.workspace == workspace && r.segmentation == segmentation).collect();
    let mut runs: Vec<(&str, i64)> = Vec::new();
    let mut series: Vec<(String, Vec<(usize, u64)>)> = Vec::new();
    for r in &rows {
        let x = runs.iter().position(|(id, _)| *id == r.run_id).unwrap_or_else(|| {
            runs.push((&r.run_id, r.as_of));
            runs.len() - 1
        });
        match series.iter_mut().find(|(g, _)| *g == r.segment) {
            Some((_, points)) => points.push((x, r.count)),
            None => series.push((r.segment.clone(), vec![(x, r.count)])),
        }
    }
    if runs.len() < 2 {
        return Ok("<p class=\"note\">one run so far: the lines start with the next run</p>\n".to_owned());
    }
    let labels: Vec<String> = runs
        .iter()
        .map(|(_, as_of)| {
            chrono::DateTime::from_timestamp_micros(*as_of)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string())
        })
        .collect();
    let note = format!("<p class=\"note\">{} runs, by as-of</p>\n", runs.len());
    Ok(charts::lines(chart, &labels, &series)? + &note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::layout::Layout;
    use crate::output::published::OutputFolder;
    use crate::output::published::test_run::{manifest_json, publish};

    /// Text from the run (here a warning and a segmentation's name) is escaped; the charts are
    /// inline SVG; a first run says there is nothing to compare with yet.
    #[cfg(unix)]
    #[test]
    fn a_run_renders_escaped_with_its_charts() {
        let temp = tempfile::tempdir().unwrap();
        publish(temp.path(), "1", &[1, 2]);
        let mut manifest: serde_json::Value = serde_json::from_str(&manifest_json("1")).unwrap();
        manifest["warnings"] = serde_json::json!([{"at": "<a>", "message": "<script>alert('x')</script> & more"}]);
        manifest["segmentations"][0]["name"] = "Tom & <Jerry>".into();
        std::fs::write(Layout::run("1").manifest().on(temp.path()), manifest.to_string()).unwrap();
        let run = OutputFolder::local(temp.path()).current().unwrap().unwrap();
        let html = render(&run).unwrap();
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(html.contains("<code>&lt;a&gt;</code>") && html.contains("Tom &amp; &lt;Jerry&gt;"));
        assert!(!html.contains("<script") && !html.contains("<Jerry>"));
        assert_eq!(html.matches("<svg").count(), 1, "one bar chart; no movements, one run of history");
        assert!(html.contains("no previous run to compare with") && html.contains("one run so far"));
        assert!(html.contains("<td>a</td><td class=\"n\">2</td>"));
    }
}
