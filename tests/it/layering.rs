//! The library's layering, read from its source: the pure parts (text,
//! documents, extraction, comparison, alerts, the renderings) never name a
//! part with effects (fetching, storage, delivery, the daemon, checks), and
//! no two top-level modules import each other, directly or in a loop. See
//! the module table in docs/ARCHITECTURE.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pure modules: top-level ones, and `parent::child` for a pure part of
/// a module with effects. Everything else in `src/` may have effects.
const PURE: &[&str] = &[
    "text",
    "document",
    "charset",
    "content_coding",
    "tracking",
    "http_header",
    "net_error",
    "file_kind",
    "integrity",
    "compare",
    "correction",
    "config",
    "extract",
    "alert",
    "retitle",
    "scheduler",
    "warc",
    "notify::render",
    "evidence::pages",
];

/// The modules whose submodules are told apart (a pure part may live in
/// one of them, and their parts import one another).
const SPLIT: &[&str] = &["store", "check", "notify", "evidence"];

/// One `crate::` or `super::` path in a source file.
#[derive(Debug, Clone)]
struct Import {
    /// The module that names it (`store`, `notify::render`).
    from: String,
    /// The module it names.
    to: String,
    /// Where, as `src/x.rs:LINE`.
    at: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file of the library (the binary's `main.rs` and `cmd/` aside).
fn library_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry of src/").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "cmd") {
                library_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "main.rs")
        {
            out.push(path);
        }
    }
}

/// A file's module path (`src/store/state/mod.rs` → `store::state`).
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).expect("a file under src/");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The module of the graph a path falls in: its top-level module, or
/// `parent::child` under one of [`SPLIT`] when `child` is a file or
/// directory of its own.
fn graph_node(path: &[String]) -> Option<String> {
    let top = path.first()?;
    if let Some(child) = path.get(1) {
        let dir = src_dir().join(top);
        if SPLIT.contains(&top.as_str())
            && (dir.join(format!("{child}.rs")).exists() || dir.join(child).is_dir())
        {
            return Some(format!("{top}::{child}"));
        }
    }
    Some(top.clone())
}

/// The source with comments, strings and character literals blanked out
/// (lines kept), so that only code is read.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |s: &str, out: &mut String| {
        out.extend(s.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
    };
    while i < b.len() {
        let rest = &src[i..];
        let end = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |e| e + 2)
        } else if let Some(hashes) = rest
            .strip_prefix('r')
            .map(|r| r.len() - r.trim_start_matches('#').len())
            .filter(|&h| rest[1 + h..].starts_with('"'))
        {
            let close = format!("\"{}", "#".repeat(hashes));
            rest[2 + hashes..]
                .find(&close)
                .map_or(rest.len(), |e| 2 + hashes + e + close.len())
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(rest.len())
        } else if rest.starts_with('\'') && is_char_literal(rest) {
            rest[1..].find('\'').map_or(1, |e| e + 2)
        } else {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
            continue;
        };
        blank(&rest[..end], &mut out);
        i += end;
    }
    out
}

/// Whether `'` starts a character literal rather than a lifetime.
fn is_char_literal(rest: &str) -> bool {
    let mut chars = rest.chars().skip(1);
    matches!(
        (chars.next(), chars.next()),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The byte spans of a file's inline modules (`mod tests { ... }`), in
/// which `super::` names the file's own module.
fn inline_modules(code: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("mod ") {
        let start = from + at;
        from = start + 4;
        if start > 0 && is_ident(code.as_bytes()[start - 1]) {
            continue;
        }
        let after = code[from..].trim_start();
        let name_len = after.bytes().take_while(|&c| is_ident(c)).count();
        let tail = after[name_len..].trim_start();
        if name_len == 0 || !tail.starts_with('{') {
            continue;
        }
        let open = code.len() - tail.len();
        let mut depth = 0;
        for (k, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        spans.push((open, open + k));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    spans
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The paths a `use` group or a path names after `crate::`/`super::` at
/// `pos`: `a::b` gives one, `{a, b::{c, d}}` gives `a` and `b`.
fn named_paths(code: &str, pos: usize) -> Vec<Vec<String>> {
    let rest = &code[pos..];
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 1;
        let mut items = vec![String::new()];
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => {
                    items.push(String::new());
                    continue;
                }
                _ => {}
            }
            items.last_mut().expect("one item at least").push(c);
        }
        items.iter().map(|i| path_words(i.trim_start())).collect()
    } else {
        vec![path_words(rest)]
    }
}

/// The lower-case words of a path up to its first item (`store::chain::short`
/// → `store`, `chain`, `short`; a type or a group ends it).
fn path_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = s;
    loop {
        let len = rest.bytes().take_while(|&c| is_ident(c)).count();
        let word = &rest[..len];
        if len == 0 || !word.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
            break;
        }
        if word != "self" {
            words.push(word.to_string());
        }
        match rest[len..].trim_start().strip_prefix("::") {
            Some(r) => rest = r.trim_start(),
            None => break,
        }
    }
    words
}

/// Every import between modules of the graph, read from `src/`.
fn imports() -> Vec<Import> {
    let mut files = Vec::new();
    library_files(&src_dir(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let module = module_path(&file);
        let Some(from) = graph_node(&module) else {
            continue;
        };
        let code = code_only(&std::fs::read_to_string(&file).expect("a readable source file"));
        let inline = inline_modules(&code);
        let shown = file
            .strip_prefix(src_dir().parent().expect("src/ has a parent"))
            .expect("under the crate")
            .display()
            .to_string();
        for (at, _) in code.match_indices("::") {
            let before = &code[..at];
            let word_len = before.bytes().rev().take_while(|&c| is_ident(c)).count();
            let word = &before[at - word_len..];
            let start = at - word_len;
            if start > 0 && (before.as_bytes()[start - 1] == b':') {
                continue;
            }
            let base: Vec<String> = match word {
                "crate" => Vec::new(),
                "super" => {
                    // `super::super::...` climbs one more level per `super`.
                    let mut ups = 1;
                    let mut pos = at + 2;
                    while let Some(r) = code[pos..].trim_start().strip_prefix("super") {
                        match r.trim_start().strip_prefix("::") {
                            Some(r2) => {
                                ups += 1;
                                pos = code.len() - r2.len();
                            }
                            None => break,
                        }
                    }
                    if inline.iter().any(|&(s, e)| s < at && at < e) {
                        ups -= 1;
                    }
                    if ups > module.len() {
                        continue;
                    }
                    module[..module.len() - ups].to_vec()
                }
                _ => continue,
            };
            let mut pos = at + 2;
            while let Some(r) = code[pos..].trim_start().strip_prefix("super") {
                match r.trim_start().strip_prefix("::") {
                    Some(r2) => pos = code.len() - r2.len(),
                    None => break,
                }
            }
            let pos = code.len() - code[pos..].trim_start().len();
            let line = before.matches('\n').count() + 1;
            for words in named_paths(&code, pos) {
                let path: Vec<String> = base.iter().cloned().chain(words).collect();
                let Some(to) = graph_node(&path) else {
                    continue;
                };
                if to != from {
                    out.push(Import {
                        from: from.clone(),
                        to,
                        at: format!("{shown}:{line}"),
                    });
                }
            }
        }
    }
    out
}

fn is_pure(module: &str) -> bool {
    PURE.contains(&module)
}

/// The imports from a pure module into one with effects.
fn pure_into_effects(imports: &[Import]) -> Vec<String> {
    imports
        .iter()
        .filter(|i| is_pure(&i.from) && !is_pure(&i.to))
        .map(|i| format!("{}: {} imports {}", i.at, i.from, i.to))
        .collect()
}

/// The import loops between top-level modules: each group of modules that
/// reach one another, with the imports that close it.
fn top_level_loops(imports: &[Import]) -> Vec<String> {
    let top = |m: &str| m.split("::").next().unwrap_or(m).to_string();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in imports {
        let (a, b) = (top(&i.from), top(&i.to));
        if a != b {
            edges.entry(a).or_default().insert(b);
        }
    }
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for n in edges.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let mut groups: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    for m in edges.keys() {
        let from_m = reach(m);
        if from_m.contains(m) {
            let group: BTreeSet<String> = from_m
                .into_iter()
                .filter(|n| reach(n).contains(m))
                .collect();
            groups.insert(group);
        }
    }
    groups
        .iter()
        .map(|g| {
            let closing: Vec<String> = imports
                .iter()
                .filter(|i| {
                    let (a, b) = (top(&i.from), top(&i.to));
                    a != b && g.contains(&a) && g.contains(&b)
                })
                .map(|i| format!("  {}: {} imports {}", i.at, i.from, i.to))
                .collect();
            format!(
                "{} import one another:\n{}",
                g.iter().cloned().collect::<Vec<_>>().join(", "),
                closing.join("\n")
            )
        })
        .collect()
}

#[test]
fn the_pure_modules_import_no_module_with_effects() {
    let found = pure_into_effects(&imports());
    assert!(
        found.is_empty(),
        "a pure module names one with effects; move what it needs to the pure side \
         (docs/ARCHITECTURE.md, the module table):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_top_level_modules_import_one_another_in_a_loop() {
    let loops = top_level_loops(&imports());
    assert!(
        loops.is_empty(),
        "modules import one another in a loop; one import of each loop has to go:\n{}",
        loops.join("\n")
    );
}

#[test]
fn the_reading_of_imports_sees_the_imports_it_judges() {
    // What the two tests above rely on, on a tree known to have them:
    // `check::keep` stores what a check keeps, `notify::render` renders an
    // alert (a `use crate::{...}` group and an inline `crate::text::` path).
    let all = imports();
    let has = |from: &str, to: &str| all.iter().any(|i| i.from == from && i.to == to);
    assert!(
        has("check::keep", "store"),
        "check::keep's imports of store were not seen"
    );
    assert!(
        has("notify::render", "alert"),
        "notify::render's `use` lines were not read"
    );
    assert!(
        has("notify::render", "text"),
        "notify::render's inline paths were not read"
    );
    assert!(
        has("check::keep", "check"),
        "check::keep's `super::` paths were not read"
    );
    assert!(
        all.iter().all(|i| i.from != i.to),
        "a module was read as importing itself"
    );
}
