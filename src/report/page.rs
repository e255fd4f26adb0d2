//! The report's HTML: one self-contained page (inline CSS, inline SVG, no script, no font, no
//! image), with a Content-Security-Policy that forbids the browser every fetch, so that it
//! opens offline and cannot call anything. Every string from a run goes through [`escape`].

use std::fmt::Write as _;

/// `text` safe inside an HTML element or a quoted attribute.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Readable at a laptop's width (charts shrink to the column), printable (no navigation,
/// sections kept whole, one workspace per page).
const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2328; margin: 0 auto; max-width: 1180px; padding: 12px 24px 48px; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0.6rem 0; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 0 0 6px; }
h4 { font-size: 0.95rem; margin: 12px 0 4px; color: #444; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; }
nav a { margin-right: 12px; }
.segmentation { border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 16px; margin: 14px 0;
                break-inside: avoid; }
.badge { display: inline-block; font-size: 0.8rem; padding: 1px 8px; border-radius: 10px; margin-left: 8px;
         vertical-align: middle; }
.own { background: #ddf4ff; color: #0a3069; }
.read-only { background: #fff8c5; color: #4d2d00; }
.row { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 1fr); gap: 16px; align-items: start; }
@media (max-width: 960px) { .row { grid-template-columns: minmax(0, 1fr); } }
svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { padding: 2px 8px; border-bottom: 1px solid #eaeef2; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #57606a; font-size: 0.9rem; }
ul.warnings li { margin-bottom: 4px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  h2 { break-before: page; }
  .segmentation { border-color: #999; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The page around `body` (already HTML), titled `title` (text).
#[must_use]
pub fn page(title: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    out.push_str(body);
    out.push_str("</body>\n</html>\n");
    out
}

/// A table of `header` (text) and `rows` (text), numbers right-aligned.
#[must_use]
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let numeric = |cell: &str| !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit());
    let mut out = String::from("<table>\n<thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let class = if i > 0 && rows.first().is_some_and(|r| r.get(i).is_some_and(|c| numeric(c))) {
            " class=\"n\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let class = if numeric(cell) { " class=\"n\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("été"), "été");
    }

    #[test]
    fn a_page_fetches_nothing_and_escapes_its_title_and_cells() {
        let html = page("<b>", &table(&["segment", "people"], &[vec!["<i>".into(), "12".into()]]));
        assert!(html.contains("<title>&lt;b&gt;</title>"));
        assert!(html.contains("<td>&lt;i&gt;</td><td class=\"n\">12</td>"));
        assert!(html.contains("default-src 'none'"));
        for fetch in ["<script", "<link", "<img", "src=", "url(", "@import", "http:", "https:"] {
            assert!(!html.contains(fetch), "{fetch}");
        }
    }
}
