//! ARCHITECTURE.md's invariant "no two modules import each other", checked on the sources: an
//! edge `a → b` for every `crate::b` named in a file of top-level module `a` (and, inside a
//! folder, for every `super::b` or `crate::<folder>::b`), comments left out; the graph must
//! have no cycle, and `rule` must import no other module of segcalc.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/");
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The names that follow `prefix` (`crate::`, `super::`) in the code lines of `text`.
fn named_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

/// A cycle of `graph`, if it has one.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(path[at..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_two_modules_import_each_other() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let (mut top, mut inner) = (Graph::new(), Graph::new());
    for (path, text) in &files {
        let parts: Vec<&str> = path.trim_end_matches(".rs").split('/').collect();
        if matches!(parts[0], "lib" | "main") {
            continue;
        }
        let module = parts[0];
        let edges = top.entry(module.to_owned()).or_default();
        edges.extend(named_after(text, "crate::").into_iter().filter(|m| m != module));
        if parts.len() >= 2 && parts[1] != "mod" {
            let this = format!("{module}/{}", parts[1]);
            let mut named = named_after(text, "super::");
            named.extend(named_after(text, &format!("crate::{module}::")));
            let edges = inner.entry(this.clone()).or_default();
            edges.extend(named.into_iter().map(|m| format!("{module}/{m}")).filter(|m| *m != this));
        }
    }
    assert!(top.len() > 10, "the sources were found: {top:?}");
    assert_eq!(cycle(&top), None, "top-level modules import each other");
    assert_eq!(cycle(&inner), None, "modules of one folder import each other");
    assert_eq!(top["rule"], BTreeSet::new(), "rule imports only Arrow and literals");
}

#[test]
fn a_cycle_is_found() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_owned(), BTreeSet::from([to.to_owned()])))
        .collect();
    assert_eq!(cycle(&graph), Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]));
    assert_eq!(
        named_after("use crate::error::Error; // crate::x\n// crate::y", "crate::"),
        BTreeSet::from(["error".to_owned()])
    );
}
