//! What a page goes through before it is parsed.
//!
//! - Nesting is bounded. The HTML tree builder checks the stack of open
//!   elements for every start tag, so a page nesting 100,000 `<div>`s (or
//!   `<b><i>` pairs) costs minutes to parse. Browsers cap the depth of the
//!   tree; so do we: start tags past [`MAX_DEPTH`] open elements are removed
//!   with their end tags, which keeps all the text. Likewise a start tag longer
//!   than [`MAX_TAG_BYTES`] (the duplicate-attribute check is quadratic too)
//!   loses its attributes. Real pages never come near either limit.
//! - Script and style bodies are emptied (JSON-LD scripts excepted: the
//!   metadata comes from them). They are half the bytes of a typical news
//!   page and never article text, and the tokenizer reads them character by
//!   character; emptied, a page parses about a fifth faster.

use std::borrow::Cow;
use std::ops::Range;

/// Open elements beyond this depth are flattened.
const MAX_DEPTH: usize = 512;

/// Start tags longer than this keep only their name.
const MAX_TAG_BYTES: usize = 64 * 1024;

/// True for the (lower-case) name of an element that never holds content,
/// or that the parser closes implicitly when a sibling starts (an unclosed
/// `<p>` or `<li>` does not nest).
fn never_nests(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"tr"
            | b"td"
            | b"th"
            | b"!doctype"
    )
}

/// True for the (lower-case) name of an element whose content is raw text:
/// tags inside it are not tags.
fn holds_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"noscript"
    )
}

/// The longest name [`never_nests`] and [`holds_raw_text`] know.
const LONGEST_KNOWN_NAME: usize = 8;

/// `html` ready for the parser: nesting bounded, script and style bodies
/// emptied; borrowed when there is nothing to change.
pub(super) fn for_parsing(html: &str) -> Cow<'_, str> {
    let mut edited = Edited::new(html);
    let mut depth = 0usize;
    // Start tags removed and not yet matched by a removed end tag.
    let mut removed = 0usize;
    scan(html, |tag| {
        let drop = tag.nests
            && match tag.kind {
                TagKind::Start => {
                    depth += 1;
                    let drop = depth > MAX_DEPTH;
                    removed += usize::from(drop);
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
            edited.replace(tag.start..tag.end, "");
        } else if tag.kind == TagKind::Start && tag.end - tag.start > MAX_TAG_BYTES {
            edited.replace(tag.name_end..tag.end, ">");
        }
        if let Some(body) = tag
            .raw_text
            .clone()
            .filter(|body| never_read(html, &tag, body))
        {
            edited.replace(body, "");
        }
    });
    edited.finish()
}

/// True for the body of a script or style element that nothing reads and
/// that the parser ends where the scan does: not JSON-LD, and free of `<!--`
/// (which can make a script run past its first `</script>`).
fn never_read(html: &str, tag: &Tag, body: &Range<usize>) -> bool {
    let name = &html[tag.start + 1..tag.name_end];
    let start_tag = &html.as_bytes()[tag.name_end..tag.end];
    if name.eq_ignore_ascii_case("style") {
        return true;
    }
    name.eq_ignore_ascii_case("script")
        && !crate::text::contains_ascii_ci(start_tag, b"ld+json")
        && memchr::memmem::find(&html.as_bytes()[body.clone()], b"<!--").is_none()
}

/// A copy of a text with byte ranges replaced, made only once one is.
struct Edited<'a> {
    html: &'a str,
    out: String,
    copied: usize,
}

impl<'a> Edited<'a> {
    fn new(html: &'a str) -> Edited<'a> {
        Edited {
            html,
            out: String::new(),
            copied: 0,
        }
    }

    /// Replaces `range`, which starts at or after the end of the last one.
    fn replace(&mut self, range: Range<usize>, with: &str) {
        if range.is_empty() && with.is_empty() {
            return;
        }
        if self.out.capacity() == 0 {
            self.out.reserve(self.html.len());
        }
        self.out.push_str(&self.html[self.copied..range.start]);
        self.out.push_str(with);
        self.copied = range.end;
    }

    fn finish(mut self) -> Cow<'a, str> {
        if self.out.capacity() == 0 {
            return Cow::Borrowed(self.html);
        }
        self.out.push_str(&self.html[self.copied..]);
        Cow::Owned(self.out)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Start,
    End,
}

/// A tag found by [`scan`]: its kind, byte range, where its name ends,
/// whether it changes nesting, and for a raw-text element the byte range of
/// its content when its end tag was found.
struct Tag {
    kind: TagKind,
    start: usize,
    end: usize,
    name_end: usize,
    nests: bool,
    raw_text: Option<Range<usize>>,
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
        let mut buf = [0u8; LONGEST_KNOWN_NAME];
        // Lower-cased, or empty when longer than any name the scan knows.
        let known: &[u8] = match buf.get_mut(..name.len()) {
            Some(lower) => {
                lower.copy_from_slice(name.as_bytes());
                lower.make_ascii_lowercase();
                lower
            }
            None => b"",
        };
        let Some(gt) = memchr::memchr(b'>', &bytes[name_end..]) else {
            return;
        };
        let end = name_end + gt + 1;
        i = end;
        if name.is_empty() {
            continue;
        }
        let self_closing = kind == TagKind::Start && bytes[end - 2] == b'/';
        let nests = !(never_nests(known) || self_closing);
        let mut raw_text = None;
        if kind == TagKind::Start && holds_raw_text(known) {
            // The raw text runs to the matching end tag, which closes it.
            let close = format!("</{}", name.to_ascii_lowercase());
            i = find_ascii_ci(html, end, &close).unwrap_or(bytes.len());
            let closes = bytes
                .get(i + close.len())
                .is_some_and(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'));
            raw_text = closes.then_some(end..i);
        }
        f(Tag {
            kind,
            start,
            end,
            name_end,
            nests,
            raw_text,
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
    fn ordinary_markup_passes_unchanged() {
        let html = "<html><body><div><p>One<p>Two<ul><li>a<li>b</ul><br><img src=x><script src=a.js></script></div></body></html>";
        assert!(matches!(for_parsing(html), Cow::Borrowed(_)));
    }

    #[test]
    fn script_and_style_bodies_are_emptied_but_json_ld_is_kept() {
        let html = concat!(
            "<head><title>T</title><style>p { color: red }</style>",
            "<script type=\"application/LD+json\">{\"headline\": \"H\"}</script>",
            "<SCRIPT>if (a<b) { document.write('<p>x</p>') }</SCRIPT >",
            "</head><body><p>Text</p><textarea>kept</textarea></body>"
        );
        assert_eq!(
            for_parsing(html),
            concat!(
                "<head><title>T</title><style></style>",
                "<script type=\"application/LD+json\">{\"headline\": \"H\"}</script>",
                "<SCRIPT></SCRIPT >",
                "</head><body><p>Text</p><textarea>kept</textarea></body>"
            )
        );
    }

    #[test]
    fn scripts_the_scan_could_misread_are_left_to_the_parser() {
        // `<!--` in a script can carry it past its first `</script>`; an
        // unclosed script, or `</scripts>`, is not ended where it seems.
        for html in [
            "<script><!-- document.write('<script></script>') --></script><p>a</p>",
            "<script>var a = 1;",
            "<script>a = '</scripts>';</script><p>b</p>",
        ] {
            assert!(matches!(for_parsing(html), Cow::Borrowed(_)), "{html}");
        }
    }

    #[test]
    fn deep_nesting_is_flattened_keeping_the_text() {
        let html = format!(
            "{}deep text{}",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let out = for_parsing(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("deep text"));
    }

    #[test]
    fn huge_start_tags_lose_their_attributes() {
        let attrs: String = (0..20_000).map(|i| format!(" a{i}=\"v\"")).collect();
        let html = format!("<p{attrs}>text</p><img src=x>");
        assert_eq!(for_parsing(&html), "<p>text</p><img src=x>");
    }

    #[test]
    fn tags_inside_raw_text_and_comments_do_not_count() {
        let html = format!(
            "<textarea>{}</textarea><!--{}-->",
            "<div>".repeat(1_000),
            "<div>".repeat(1_000)
        );
        assert!(matches!(for_parsing(&html), Cow::Borrowed(_)));
    }
}
