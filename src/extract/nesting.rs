//! A bound on element nesting before parsing.
//!
//! The HTML tree builder checks the stack of open elements for every start
//! tag, so a page nesting 100,000 `<div>`s (or `<b><i>` pairs) costs minutes
//! to parse. Browsers cap the depth of the tree; so do we: start tags past
//! [`MAX_DEPTH`] open elements are removed with their end tags, which keeps
//! all the text. Likewise a start tag longer than [`MAX_TAG_BYTES`] (the
//! duplicate-attribute check is quadratic too) loses its attributes. Real
//! pages never come near either limit and pass unchanged.

use std::borrow::Cow;

/// Open elements beyond this depth are flattened.
const MAX_DEPTH: usize = 512;

/// Start tags longer than this keep only their name.
const MAX_TAG_BYTES: usize = 64 * 1024;

/// Elements that never hold content, or that the parser closes implicitly
/// when a sibling starts (an unclosed `<p>` or `<li>` does not nest).
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th", "!doctype",
];

/// Elements whose content is raw text: tags inside them are not tags.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "noscript"];

/// `html` with nesting bounded to [`MAX_DEPTH`]; borrowed when already so.
pub(super) fn bounded(html: &str) -> Cow<'_, str> {
    let mut depth = 0usize;
    let mut unbounded = false;
    scan(html, |tag| {
        unbounded |= tag.end - tag.start > MAX_TAG_BYTES;
        if tag.nests {
            match tag.kind {
                TagKind::Start => depth += 1,
                TagKind::End => depth = depth.saturating_sub(1),
            }
        }
        unbounded |= depth > MAX_DEPTH;
    });
    if !unbounded {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut depth = 0usize;
    // Start tags removed and not yet matched by a removed end tag.
    let mut removed = 0usize;
    scan(html, |tag| {
        if tag.kind == TagKind::Start && tag.end - tag.start > MAX_TAG_BYTES {
            out.push_str(&html[copied..tag.name_end]);
            out.push('>');
            copied = tag.end;
        }
        if !tag.nests {
            return;
        }
        let drop = match tag.kind {
            TagKind::Start => {
                depth += 1;
                let drop = depth > MAX_DEPTH;
                if drop {
                    removed += 1;
                }
                drop
            }
            TagKind::End => {
                depth = depth.saturating_sub(1);
                let drop = removed > 0;
                removed = removed.saturating_sub(1);
                drop
            }
        };
        if drop {
            out.push_str(&html[copied.min(tag.start)..tag.start]);
            copied = tag.end;
        }
    });
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Start,
    End,
}

/// A tag found by [`scan`]: its kind, byte range, where its name ends, and
/// whether it changes nesting.
struct Tag {
    kind: TagKind,
    start: usize,
    end: usize,
    name_end: usize,
    nests: bool,
}

/// Calls `f` for every start and end tag, in order, skipping comments and
/// raw-text element content; void, implicitly closed and self-closing
/// elements do not nest. A linear scan, not a parser: good enough to measure
/// and bound depth.
fn scan(html: &str, mut f: impl FnMut(Tag)) {
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + off;
        let rest = &bytes[start + 1..];
        if rest.starts_with(b"!--") {
            i = find(html, start + 4, "-->").map_or(bytes.len(), |e| e + 3);
            continue;
        }
        let (kind, name_at) = match rest.first() {
            Some(b'/') => (TagKind::End, start + 2),
            Some(c) if c.is_ascii_alphabetic() || *c == b'!' => (TagKind::Start, start + 1),
            _ => {
                i = start + 1;
                continue;
            }
        };
        let name_end = bytes[name_at..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'))
            .map_or(bytes.len(), |p| name_at + p);
        let name = &html[name_at..name_end];
        let is = |set: &[&str]| set.iter().any(|n| n.eq_ignore_ascii_case(name));
        let Some(gt) = memchr::memchr(b'>', &bytes[name_end..]) else {
            return;
        };
        let end = name_end + gt + 1;
        i = end;
        if name.is_empty() {
            continue;
        }
        let self_closing = kind == TagKind::Start && bytes[end - 2] == b'/';
        let nests = !(is(NOT_NESTING) || self_closing);
        if kind == TagKind::Start && is(RAW_TEXT) {
            // The raw text runs to the matching end tag, which closes it.
            let close = format!("</{}", name.to_ascii_lowercase());
            i = find_ascii_ci(html, end, &close).unwrap_or(bytes.len());
        }
        f(Tag {
            kind,
            start,
            end,
            name_end,
            nests,
        });
    }
}

fn find(html: &str, from: usize, pat: &str) -> Option<usize> {
    let hay = html.as_bytes().get(from..)?;
    memchr::memmem::find(hay, pat.as_bytes()).map(|p| from + p)
}

/// Finds an ASCII pattern (starting with `<`) case-insensitively.
fn find_ascii_ci(html: &str, from: usize, pat: &str) -> Option<usize> {
    let hay = html.as_bytes().get(from..)?;
    let pat = pat.as_bytes();
    memchr::memchr_iter(pat[0], hay)
        .find(|&p| {
            hay.get(p..p + pat.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(pat))
        })
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_pass_unchanged() {
        let html = "<html><body><div><p>One<p>Two<ul><li>a<li>b</ul><br><img src=x><script>if (a<b) {}</script></div></body></html>";
        assert!(matches!(bounded(html), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_flattened_keeping_the_text() {
        let html = format!(
            "{}deep text{}",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let out = bounded(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("deep text"));
    }

    #[test]
    fn huge_start_tags_lose_their_attributes() {
        let attrs: String = (0..20_000).map(|i| format!(" a{i}=\"v\"")).collect();
        let html = format!("<p{attrs}>text</p><img src=x>");
        assert_eq!(bounded(&html), "<p>text</p><img src=x>");
    }

    #[test]
    fn tags_inside_scripts_and_comments_do_not_count() {
        let html = format!(
            "<script>{}</script><!--{}-->",
            "<div>".repeat(1_000),
            "<div>".repeat(1_000)
        );
        assert!(matches!(bounded(&html), Cow::Borrowed(_)));
    }
}
