//! The report's charts, drawn by `plotters` into SVG strings (its SVG backend escapes the text
//! it writes): segment sizes as horizontal bars, a movement matrix as a heat map, and segment
//! sizes over the history as lines. Sizes are in SVG units; the page scales them to its width.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::output::movement::Movement;

/// Chart width, in SVG units (the page shrinks it to fit).
const WIDTH: u32 = 760;
/// One bar, or one matrix row.
const ROW: u32 = 26;
const FONT: &str = "sans-serif";
/// Bars and lines: a muted blue, and the report's accent for a segment that is all of a scope.
const BAR: RGBColor = RGBColor(70, 110, 170);

/// A drawing error as the one error type; `chart` names the chart.
fn chart_error(chart: &str) -> impl Fn(String) -> Error + '_ {
    move |message| Error::Chart { chart: chart.to_owned(), message }
}

/// Draws with `draw` onto an SVG of `size`, and returns the SVG text. plotters panics on some
/// ranges (an overflow computing ticks of counts near `u64::MAX`, which only a damaged manifest
/// holds): such a panic is an error too.
fn svg(
    chart: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String>,
) -> Result<String> {
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            draw(&root)?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(text)
    }));
    let panicked = |payload: Box<dyn std::any::Any + Send>| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("plotters panicked: {message}"))
    };
    drawn.unwrap_or_else(panicked).map_err(chart_error(chart))
}

/// Rows (or columns) `0` to `n - 1`: plotters' integer ranges hold their end.
fn last_of(n: u32) -> std::ops::Range<u32> {
    0..n.max(1) - 1
}

/// Space for labels of `longest` characters at `FONT` size 13 (plotters' own estimate is
/// about 0.45 em per character).
fn label_width(longest: usize) -> u32 {
    (longest as u32 * 8 + 12).clamp(40, 260)
}

/// Each segment's size as a horizontal bar, the first segment on top, its count beside it.
pub fn bars(chart: &str, segments: &[(String, u64)]) -> Result<String> {
    let n = segments.len() as u32;
    let max = segments.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1);
    let longest = segments.iter().map(|(g, _)| g.chars().count()).max().unwrap_or(0);
    // Room right of the longest bar for its count.
    let x_end = max.saturating_add(max / 5).saturating_add(1);
    svg(chart, (WIDTH, 40 + ROW * n.max(1)), |root| {
        let mut c = ChartBuilder::on(root)
            .margin(6)
            .x_label_area_size(22)
            .y_label_area_size(label_width(longest))
            .build_cartesian_2d(0..x_end, last_of(n).into_segmented())
            .map_err(|e| e.to_string())?;
        let names = |v: &SegmentValue<u32>| match v {
            // Row 0 is at the bottom: the first segment goes on the top row.
            SegmentValue::CenterOf(i) if *i < n => segments[(n - 1 - i) as usize].0.clone(),
            _ => String::new(),
        };
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&names)
            .x_labels(5)
            .label_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let rows = segments.iter().enumerate().map(|(i, (_, count))| (n - 1 - i as u32, *count));
        c.draw_series(rows.clone().map(|(row, count)| {
            let mut bar =
                Rectangle::new([(0, SegmentValue::Exact(row)), (count, SegmentValue::Exact(row + 1))], BAR.filled());
            bar.set_margin(4, 4, 0, 0);
            bar
        }))
        .map_err(|e| e.to_string())?;
        let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        c.draw_series(
            rows.map(|(row, count)| {
                Text::new(format!(" {count}"), (count, SegmentValue::CenterOf(row)), style.clone())
            }),
        )
        .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// The movement matrix as a heat map: rows the earlier run's segments then "(entered)",
/// columns the later run's then "(left)"; each cell holds its count, shaded by its share of the
/// largest change (who stayed is grey).
pub fn matrix(chart: &str, m: &Movement) -> Result<String> {
    let labels: Vec<&str> = m.segments.iter().map(String::as_str).collect();
    let (rows, cols) = (labels.len() as u32 + 1, labels.len() as u32 + 1);
    let row_label = |i: u32| labels.get(i as usize).copied().unwrap_or("(entered)");
    let col_label = |i: u32| labels.get(i as usize).copied().unwrap_or("(left)");
    let longest = labels.iter().map(|g| g.chars().count()).max().unwrap_or(0).max(9);
    let place = |i: u32| labels.get(i as usize).copied();
    let largest = m.cells.iter().filter(|c| c.from != c.to).map(|c| c.people).max().unwrap_or(1).max(1);
    let height = 30 + label_width(longest) + ROW * rows;
    svg(chart, (WIDTH, height), |root| {
        let mut c = ChartBuilder::on(root)
            .margin(6)
            .x_label_area_size(label_width(longest))
            .y_label_area_size(label_width(longest))
            .build_cartesian_2d(last_of(cols).into_segmented(), last_of(rows).into_segmented())
            .map_err(|e| e.to_string())?;
        let y_names = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) if *i < rows => row_label(rows - 1 - i).to_owned(),
            _ => String::new(),
        };
        c.configure_mesh()
            .disable_mesh()
            .x_labels(cols as usize)
            .x_label_formatter(&|_| String::new())
            .y_labels(rows as usize)
            .y_label_formatter(&y_names)
            .y_label_style((FONT, 12))
            .x_desc("to (this run)")
            .y_desc("from (the previous run)")
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let mut cells = Vec::new();
        for r in 0..rows {
            for col in 0..cols {
                let (from, to) = (place(r), place(col));
                if from.is_none() && to.is_none() {
                    continue;
                }
                let people = m.people(from, to);
                let y = rows - 1 - r;
                let fill = if from == to {
                    RGBColor(225, 225, 225)
                } else {
                    let part = people as f64 / largest as f64;
                    let shade = |full: u8| (255.0 - (255.0 - f64::from(full)) * part.sqrt()) as u8;
                    RGBColor(shade(200), shade(60), shade(40))
                };
                cells.push((col, y, people, fill));
            }
        }
        c.draw_series(cells.iter().map(|&(x, y, _, fill)| {
            let mut cell = Rectangle::new(
                [
                    (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                    (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                ],
                fill.filled(),
            );
            cell.set_margin(1, 1, 1, 1);
            cell
        }))
        .map_err(|e| e.to_string())?;
        // Column names turned a quarter, starting under the axis (the mesh would centre them on
        // the tick, half above it).
        let turned = TextStyle::from((FONT, 12).into_font())
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for col in 0..cols {
            let (x, y) = c.backend_coord(&(SegmentValue::CenterOf(col), SegmentValue::Exact(0)));
            root.draw(&Text::new(col_label(col).to_owned(), (x, y + 6), turned.clone())).map_err(|e| e.to_string())?;
        }
        let style = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
        c.draw_series(cells.iter().map(|&(x, y, people, _)| {
            Text::new(people.to_string(), (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)), style.clone())
        }))
        .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Room for the legend, right of the lines.
const LEGEND: u32 = 170;

/// One line per segment: its size at each run of the history (`runs` labels the x axis), the
/// legend beside the chart.
pub fn lines(chart: &str, runs: &[String], series: &[(String, Vec<(usize, u64)>)]) -> Result<String> {
    let max = series.iter().flat_map(|(_, points)| points.iter().map(|p| p.1)).max().unwrap_or(0).max(1);
    let last = runs.len().saturating_sub(1).max(1);
    let height = 300.max(24 + 18 * series.len() as u32);
    svg(chart, (WIDTH, height), |root| {
        let (plot, legend) = root.split_horizontally(WIDTH - LEGEND);
        let mut c = ChartBuilder::on(&plot)
            .margin(8)
            .margin_right(48)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(0..last, 0..max.saturating_add(max / 10).saturating_add(1))
            .map_err(|e| e.to_string())?;
        let run_label = |i: &usize| runs.get(*i).cloned().unwrap_or_default();
        c.configure_mesh()
            .x_labels(runs.len().clamp(2, 8))
            .x_label_formatter(&run_label)
            .y_labels(6)
            .label_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let style = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (k, (name, points)) in series.iter().enumerate() {
            let color = Palette99::pick(k).to_rgba();
            c.draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2))).map_err(|e| e.to_string())?;
            c.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(|e| e.to_string())?;
            let y = 16 + 18 * k as i32;
            legend.draw(&PathElement::new(vec![(4, y), (22, y)], color.stroke_width(3))).map_err(|e| e.to_string())?;
            legend.draw(&Text::new(name.clone(), (28, y), style.clone())).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}
