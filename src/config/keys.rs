//! Where a key is written: the line and the key as the user wrote them
//! for a problem the parser reports by its serde path, unknown keys (the
//! key meant, or the table it belongs in), values of the wrong type, and a
//! key set twice in one table (the line that set it first).

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

use super::channel::channel_label;
use super::problems::closest;
use super::watch::watch_label;
use super::{RawChannel, RawConfig, RawDaemon, RawHost, RawWatch};

/// What to do about a key (or table) written twice in one table: the TOML
/// parser names neither the key nor where it was first set.
pub(super) fn duplicate_key(src: &str, span: std::ops::Range<usize>) -> String {
    let written = src.get(span.clone()).unwrap_or("");
    let key = written
        .split('=')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(|c| c == '[' || c == ']')
        .trim()
        .trim_matches('"');
    if key.is_empty() {
        return "not valid TOML: duplicate key".into();
    }
    // Where it was first set: the nearest line before, in the same table
    // (no table header between), that sets it or opens it.
    let before = &src[..span.start.min(src.len())];
    let lines: Vec<&str> = before.lines().collect();
    let is_key = |l: &str| {
        let l = l.trim_start();
        let name = l.split('=').next().unwrap_or("").trim().trim_matches('"');
        l.contains('=') && name == key
    };
    let is_table = |l: &str| l.trim() == format!("[{key}]");
    // The line holding the duplicate itself may start before the span.
    let upto = if before.ends_with('\n') {
        lines.len()
    } else {
        lines.len().saturating_sub(1)
    };
    let mut first = None;
    for (i, l) in lines[..upto].iter().enumerate().rev() {
        if is_table(l) {
            first = Some(i + 1);
            break;
        }
        if l.trim_start().starts_with('[') {
            break;
        }
        if is_key(l) {
            first = Some(i + 1);
            break;
        }
    }
    match first {
        Some(n) => format!(
            "`{key}` is set twice: line {n} sets it already; keep one of the two (TOML takes a key once per table)"
        ),
        None => format!(
            "`{key}` is set twice in this table; keep one of the two (TOML takes a key once per table)"
        ),
    }
}

/// A serde path as the file writes it: without the segment serde adds for
/// a table read with its place (`watch.0.$__serde_spanned_private_value.folow`).
pub(super) fn written_path(serde_path: &str) -> String {
    serde_path
        .split('.')
        .filter(|s| !s.starts_with("$__serde_spanned"))
        .collect::<Vec<_>>()
        .join(".")
}

/// serde's message for a value of the wrong type, in the config's words: a
/// lone string where a list belongs is shown written as a list.
pub(super) fn type_error_message(message: &str, key: &str) -> String {
    let lone_string = message
        .strip_prefix("invalid type: string ")
        .and_then(|m| m.strip_suffix(", expected a sequence"));
    let name = key.rsplit('.').next().unwrap_or(key);
    // `[watch]` where each watch is one of an array of tables.
    if message.starts_with("invalid type: map, expected a sequence") && !key.contains('.') {
        return format!(
            "each {name} is a table of its own: write [[{name}]] (two brackets), not [{name}]"
        );
    }
    if let Some(value) = lone_string {
        return format!("this is a list: write it in brackets, {name} = [{value}]");
    }
    // A number or a truth value in quotes: what to write is the value
    // without them, when that is one.
    let quoted = |expected: &str| {
        message
            .strip_prefix("invalid type: string \"")
            .and_then(|m| m.strip_suffix(&format!("\", expected {expected}")))
    };
    if let Some(n) = quoted("i64").filter(|n| n.trim().parse::<i64>().is_ok()) {
        return format!("a number takes no quotes: write {name} = {}", n.trim());
    }
    if let Some(b) = quoted("a boolean").filter(|b| ["true", "false"].contains(&b.trim())) {
        return format!("true and false take no quotes: write {name} = {}", b.trim());
    }
    // Any other value of the wrong type: what the key takes.
    let what_to_write = if message.ends_with("expected i64") {
        format!(": write a whole number without quotes, e.g. {name} = 3")
    } else if message.ends_with("expected a boolean") {
        format!(": write {name} = true or {name} = false, without quotes")
    } else if message.ends_with("expected a string") {
        ": write the value in quotes".to_string()
    } else {
        String::new()
    };
    let message = message
        .replace("expected i64", "expected a whole number")
        .replace("expected a boolean", "expected true or false");
    format!("{message}{what_to_write}")
}

/// One key written in the config: `watch[1].interval`, where its name and
/// its value are.
pub(super) struct KeyAt {
    /// The key as errors name it, e.g. `watch "evin".interval`.
    pub(super) path: String,
    /// The same as serde paths name it, e.g. `watch.1.interval`.
    serde_path: String,
    pub(super) key_span: std::ops::Range<usize>,
    pub(super) value_span: std::ops::Range<usize>,
}

/// Every key of a parsed config file, with its place.
pub(super) struct KeyIndex(Vec<KeyAt>);

impl KeyIndex {
    pub(super) fn of(table: &DeTable<'_>) -> KeyIndex {
        fn table_keys(t: &DeTable<'_>, path: &str, serde_path: &str, out: &mut Vec<KeyAt>) {
            for (k, v) in t.iter() {
                let (p, sp) = if path.is_empty() {
                    (k.get_ref().to_string(), k.get_ref().to_string())
                } else {
                    (
                        format!("{path}.{}", k.get_ref()),
                        format!("{serde_path}.{}", k.get_ref()),
                    )
                };
                out.push(KeyAt {
                    path: p.clone(),
                    serde_path: sp.clone(),
                    key_span: k.span(),
                    value_span: v.span(),
                });
                value_keys(v.get_ref(), &p, &sp, k.span(), out);
            }
        }
        fn value_keys(
            v: &DeValue<'_>,
            path: &str,
            serde_path: &str,
            key_span: std::ops::Range<usize>,
            out: &mut Vec<KeyAt>,
        ) {
            match v {
                DeValue::Table(t) => table_keys(t, path, serde_path, out),
                DeValue::Array(a) => {
                    for (i, item) in a.iter().enumerate() {
                        let p = match item.get_ref() {
                            // A watch is named by its name, as `watches` names it.
                            DeValue::Table(t) if serde_path == "watch" => {
                                watch_label(i, t.get("name").and_then(|n| n.get_ref().as_str()))
                            }
                            // A channel too, as `channels` names it.
                            DeValue::Table(t) if serde_path == "channel" => {
                                let text = |k: &str| t.get(k).and_then(|v| v.get_ref().as_str());
                                let to = t.get("to").and_then(|v| match v.get_ref() {
                                    DeValue::Array(a) => {
                                        a.first().and_then(|f| f.get_ref().as_str())
                                    }
                                    v => v.as_str(),
                                });
                                let url = match text("type") {
                                    Some("email") => text("smtp_url"),
                                    _ => text("url"),
                                };
                                channel_label(i, text("name"), text("type"), to, url)
                            }
                            _ => format!("{path}[{i}]"),
                        };
                        let sp = format!("{serde_path}.{i}");
                        // An array of tables has no key of its own per element:
                        // its header's place is the element's start.
                        let span = item.span();
                        let item_key = if span.is_empty() {
                            key_span.clone()
                        } else {
                            span.start..span.start
                        };
                        out.push(KeyAt {
                            path: p.clone(),
                            serde_path: sp.clone(),
                            key_span: item_key,
                            value_span: span,
                        });
                        value_keys(item.get_ref(), &p, &sp, key_span.clone(), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        table_keys(table, "", "", &mut out);
        KeyIndex(out)
    }

    /// The key serde_ignored names `watch.1.selectr`.
    pub(super) fn by_serde_path(&self, serde_path: &str) -> Option<&KeyAt> {
        self.0.iter().find(|k| k.serde_path == serde_path)
    }

    /// The key of a table that holds `k`: `k` itself, or for an element of
    /// an array (`watch.0.channels.1`) the array's key.
    pub(super) fn entry_holding(&self, k: &KeyAt) -> Option<&KeyAt> {
        let mut path = k.serde_path.as_str();
        while let Some((parent, last)) = path.rsplit_once('.') {
            if last.parse::<usize>().is_err() {
                break;
            }
            path = parent;
        }
        self.by_serde_path(path)
    }

    /// The innermost key whose name or value holds byte `pos` (for type errors).
    pub(super) fn at(&self, pos: usize) -> Option<&KeyAt> {
        self.0
            .iter()
            .filter(|k| k.value_span.contains(&pos) || k.key_span.contains(&pos))
            // The innermost: the first `[[watch]]` header is the place of
            // both the array and its element 0, which is meant.
            .min_by_key(|k| (k.value_span.len(), std::cmp::Reverse(k.path.len())))
    }

    /// Each key's line.
    pub(super) fn lines(&self, src: &str) -> BTreeMap<String, usize> {
        self.0
            .iter()
            .map(|k| {
                let line = src[..k.key_span.start.min(src.len())].matches('\n').count() + 1;
                (k.path.clone(), line)
            })
            .collect()
    }
}

/// Removes the entry whose value is at `span` from `table` or a table
/// inside it; false when there is none.
pub(super) fn remove_value(table: &mut DeTable<'_>, span: &std::ops::Range<usize>) -> bool {
    if span.is_empty() {
        return false;
    }
    let key = table
        .iter()
        .find(|(_, v)| v.span() == *span)
        .map(|(k, _)| k.clone());
    if let Some(key) = key {
        return table.remove(&key).is_some();
    }
    fn inside(v: &mut DeValue<'_>, span: &std::ops::Range<usize>) -> bool {
        match v {
            DeValue::Table(t) => remove_value(t, span),
            DeValue::Array(a) => a.iter_mut().any(|item| inside(item.get_mut(), span)),
            _ => false,
        }
    }
    table.iter_mut().any(|(_, v)| inside(v.get_mut(), span))
}

/// The keys a table accepts, as serde's derive lists them for `T`, so the
/// suggestions never drift from the schema.
fn fields_of<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor};
    struct Probe(std::cell::Cell<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for &Probe {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.set(fields);
            Err(Self::Error::custom("fields taken"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
            enum identifier ignored_any
        }
    }
    let probe = Probe(std::cell::Cell::new(&[]));
    let _ = T::deserialize(&probe);
    probe.0.get()
}

/// The tables of a config and the keys each accepts: `""` is the top level.
fn known_keys() -> [(&'static str, &'static [&'static str]); 5] {
    [
        ("", fields_of::<RawConfig>()),
        ("daemon", fields_of::<RawDaemon>()),
        ("channel", fields_of::<RawChannel>()),
        ("watch", fields_of::<RawWatch>()),
        ("host", fields_of::<RawHost>()),
    ]
}

/// The header a table is written under, for messages.
fn table_header(table: &str) -> String {
    match table {
        "daemon" => "[daemon]".into(),
        t => format!("[[{t}]]"),
    }
}

/// What to say about an unknown key (serde path `watch.1.intervl`): the key
/// it is probably a typo of, or the table it belongs in.
pub(super) fn unknown_key_message(serde_path: &str) -> String {
    let segments: Vec<&str> = serde_path
        .split('.')
        .filter(|s| s.parse::<usize>().is_err())
        .collect();
    let name = segments.last().copied().unwrap_or(serde_path);
    let table = if segments.len() > 1 { segments[0] } else { "" };
    let tables = known_keys();
    let here = tables
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, k)| *k)
        .unwrap_or(&[]);
    if let Some(k) = closest(name, here.iter().copied()) {
        return format!("unknown key `{name}`: did you mean `{k}`?");
    }
    // Every table it belongs in, a watch's first: keys written above any
    // header (`name`, `url`) are most often a watch whose header was left out.
    let mut homes: Vec<String> = ["watch", "daemon", "channel", "host"]
        .into_iter()
        .filter(|t| *t != table)
        .filter(|t| {
            tables
                .iter()
                .any(|(k, keys)| k == t && keys.contains(&name))
        })
        .map(table_header)
        .collect();
    if let Some(last) = homes.pop() {
        let homes = match homes.is_empty() {
            true => last,
            false => format!("{} or {last}", homes.join(", ")),
        };
        return match table {
            "" => format!(
                "unknown key `{name}` at the top level: it belongs in {homes}: write its table's header above it"
            ),
            t => format!("unknown key `{name}` in {}: it belongs in {homes}", table_header(t)),
        };
    }
    format!("unknown key `{name}` (see the config reference in README.md)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::errors;

    #[test]
    fn a_watch_table_written_with_single_brackets_says_to_write_two() {
        assert_eq!(
            errors("[watch]\nname = \"a\"\nurl = \"https://example.org/a\"\n"),
            vec!["c.toml:1: watch: each watch is a table of its own: write [[watch]] (two brackets), not [watch]"]
        );
    }

    #[test]
    fn a_watch_written_without_its_header_is_told_to_write_it_not_sent_to_the_channels() {
        assert_eq!(
            errors("name = \"a\"\nurl = \"https://example.org/a\"\nkeywords = [\"Evin\"]\n"),
            vec![
                "c.toml:1: name: unknown key `name` at the top level: it belongs in [[watch]], [[channel]] or [[host]]: write its table's header above it",
                "c.toml:2: url: unknown key `url` at the top level: it belongs in [[watch]] or [[channel]]: write its table's header above it",
                "c.toml:3: keywords: unknown key `keywords` at the top level: it belongs in [[watch]]: write its table's header above it",
            ]
        );
    }

    #[test]
    fn unknown_keys_suggest_the_key_meant_or_the_table_it_belongs_in() {
        let e = errors("[deamon]\n\n[daemon]\nconcurency = 3\nkeywords = [\"x\"]\n\n[[watch]]\nname = \"a\"\nurl = \"https://example.org/a\"\nfolow = true\nper_host_delay = \"1s\"\nwhatever = 1\n");
        assert_eq!(
            e,
            vec![
                "c.toml:1: deamon: unknown key `deamon`: did you mean `daemon`?",
                "c.toml:4: daemon.concurency: unknown key `concurency`: did you mean `concurrency`?",
                "c.toml:5: daemon.keywords: unknown key `keywords` in [daemon]: it belongs in [[watch]]",
                "c.toml:10: watch \"a\".folow: unknown key `folow`: did you mean `follow`?",
                "c.toml:11: watch \"a\".per_host_delay: unknown key `per_host_delay` in [[watch]]: it belongs in [daemon]",
                "c.toml:12: watch \"a\".whatever: unknown key `whatever` (see the config reference in README.md)",
            ]
        );
    }

    #[test]
    fn a_number_or_truth_value_in_quotes_says_to_write_it_without() {
        let watch = |line: &str| {
            errors(&format!(
                "[[watch]]\nname = \"a\"\nurl = \"https://n.example/a\"\n{line}\n"
            ))
        };
        assert_eq!(
            watch("min_change = \"3\""),
            ["c.toml:4: watch \"a\".min_change: a number takes no quotes: write min_change = 3"]
        );
        assert_eq!(
            watch("follow = \"true\""),
            ["c.toml:4: watch \"a\".follow: true and false take no quotes: write follow = true"]
        );
        // A word that is no number is not turned into one.
        assert_eq!(
            watch("min_change = \"three\""),
            ["c.toml:4: watch \"a\".min_change: invalid type: string \"three\", expected a whole number: write a whole number without quotes, e.g. min_change = 3"]
        );
    }

    /// The config reference in README.md: the first TOML block of its
    /// "Configuration" section.
    fn readme_config_reference() -> &'static str {
        let readme = include_str!("../../README.md");
        let section = &readme[readme
            .find("\n## Configuration\n")
            .expect("a Configuration section")..];
        let start = section.find("```toml\n").expect("a TOML block") + "```toml\n".len();
        &section[start..start + section[start..].find("```").expect("its end")]
    }

    #[test]
    fn the_readme_config_reference_is_a_valid_config_that_names_every_key_in_its_table() {
        let reference = readme_config_reference();
        assert_eq!(errors(reference), Vec::<String>::new());
        // Each table's lines, commented-out keys and comments among them.
        let mut tables: Vec<(&str, String)> = Vec::new();
        for line in reference.lines() {
            let header = line.split('#').next().unwrap().trim();
            if let Some(t) = header.strip_prefix("[[").and_then(|h| h.strip_suffix("]]")) {
                tables.push((t, String::new()));
            } else if let Some(t) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
                tables.push((t, String::new()));
            } else if let Some((_, text)) = tables.last_mut() {
                text.push_str(line);
                text.push('\n');
            }
        }
        // Secrets written in the config are refused: the reference shows
        // their `_env` and `_file` forms.
        let refused = ["password", "secret", "state_password"];
        for (table, keys) in known_keys().into_iter().filter(|(t, _)| !t.is_empty()) {
            let shown: String = tables
                .iter()
                .filter(|(t, _)| *t == table)
                .map(|(_, text)| text.as_str())
                .collect();
            let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
            for key in keys.iter().filter(|k| !refused.contains(k)) {
                assert!(
                    shown.match_indices(key).any(|(i, _)| {
                        !shown[..i].ends_with(word) && !shown[i + key.len()..].starts_with(word)
                    }),
                    "README's config reference does not name `{key}` in {}",
                    table_header(table)
                );
            }
        }
    }

    #[test]
    fn a_type_error_names_its_key() {
        let e = errors("[daemon]\nconcurrency = \"16\"\n");
        assert_eq!(
            e,
            vec!["c.toml:2: daemon.concurrency: a number takes no quotes: write concurrency = 16"]
        );
    }
}
