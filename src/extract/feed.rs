//! RSS 0.9x/1.0/2.0, Atom and JSON Feed into [`Item`]s (feed-rs), and an
//! XML sitemap's `<urlset>` (`not_html::urlset_entries`).

use std::collections::{HashMap, HashSet};

use url::Url;

use super::listing::normalize_url;
use super::{reader_paragraphs, reader_text};
use crate::document::{Item, Masthead};
use crate::text;

/// Why a body is not a feed, told apart as a user must act on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAFeed {
    /// An HTML page where the feed was (a bot check, a login, an error
    /// page, or the site's page after the feed moved), with its `<title>`.
    WebPage {
        /// The page's title, if it has one.
        title: Option<String>,
    },
    /// A feed that ends before its root element (or JSON object) closes:
    /// the server sent only part of it.
    CutOff {
        /// The root element not closed (`rss`, `feed`, ...), or `JSON`.
        root: String,
        /// How many bytes came.
        bytes: usize,
    },
    /// An XML sitemap index (a `<sitemapindex>`, see
    /// [`super::NotHtml::Sitemap`]): it lists sitemaps, not pages (a
    /// `<urlset>` sitemap is read as a feed).
    SitemapIndex {
        /// How many sitemaps it lists.
        count: usize,
        /// The first of them.
        first: Vec<String>,
    },
    /// An empty body.
    Empty,
    /// An image, a PDF or other file that is no text, told by its first
    /// bytes or its Content-Type.
    NotText {
        /// What it is, in words (`a PNG image`, `a PDF document`).
        what: String,
        /// The Content-Type it was served with, if any.
        content_type: Option<String>,
    },
    /// Anything else, in the parser's words.
    Invalid(String),
}

/// How much of a web page's title [`NotAFeed::WebPage`] quotes, `…` included.
const TITLE_CHARS: usize = 100;

impl std::fmt::Display for NotAFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAFeed::WebPage { title: Some(t) } => {
                write!(
                    f,
                    "a web page titled \u{201c}{t}\u{201d} came instead of a feed"
                )
            }
            NotAFeed::WebPage { title: None } => write!(f, "a web page came instead of a feed"),
            NotAFeed::CutOff { root, bytes } if root == "JSON" => write!(
                f,
                "the feed is cut off: it ends after {bytes} bytes, before its JSON closes"
            ),
            NotAFeed::CutOff { root, bytes } => write!(
                f,
                "the feed is cut off: it ends after {bytes} bytes, before its closing </{root}>"
            ),
            NotAFeed::SitemapIndex { count, first } => {
                let sitemap = super::NotHtml::Sitemap {
                    index: true,
                    count: *count,
                    first: first.clone(),
                };
                write!(f, "the address serves {}, not a feed", sitemap.describe())
            }
            NotAFeed::Empty => write!(f, "the answer is empty"),
            NotAFeed::NotText {
                what,
                content_type: Some(c),
            } => write!(f, "the address serves {what} ({c}), not a feed"),
            NotAFeed::NotText {
                what,
                content_type: None,
            } => write!(f, "the address serves {what}, not a feed"),
            NotAFeed::Invalid(e) => write!(f, "not a valid RSS, Atom or JSON feed: {e}"),
        }
    }
}

/// An item of a feed, with the text of the story the feed carries (a
/// full-text feed's RSS `content:encoded`, Atom `content`, JSON Feed
/// `content_html` or `content_text`), which keyword matching searches too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    /// The item.
    pub item: Item,
    /// The story's text as the feed gives it, if it does.
    pub text: Option<String>,
    /// Whether the feed gave the item a title (false: it is titled by the
    /// start of its teaser or text, or has none).
    pub titled: bool,
}

/// Words of an item's text shown as its teaser when the feed gives none.
const TEASER_WORDS: usize = 40;

/// Words of an item's teaser or text that title an item with no title.
const TITLE_WORDS: usize = 12;

/// Parses a feed. Items are keyed by GUID when the feed gives one, else by
/// their normalised link.
pub fn feed(body: &[u8], content_type: Option<&str>, base: &Url) -> Result<Vec<Item>, NotAFeed> {
    Ok(feed_entries(body, content_type, base)?
        .0
        .into_iter()
        .map(|e| e.item)
        .collect())
}

/// Parses a feed as [`feed`] does, keeping each item's text. An item with
/// no summary is teased by the start of its text, and one with no title
/// (JSON Feed and RSS allow them: notes, microblog posts) is titled by the
/// start of its teaser or text. With them comes the feed's masthead: its own
/// title and the language it declares (RSS `<language>`, Atom `xml:lang`,
/// JSON Feed `language`).
pub fn feed_entries(
    body: &[u8],
    content_type: Option<&str>,
    base: &Url,
) -> Result<(Vec<FeedEntry>, Masthead), NotAFeed> {
    // Decode ourselves (header charset, BOM, XML declaration, detection), then
    // hand feed-rs UTF-8 with the declaration rewritten to match.
    let text = crate::charset::decode(body, content_type);
    // An XML sitemap's `<urlset>` lists a site's pages: each is an item.
    if let Some(read) = super::not_html::urlset_entries(&text, base) {
        return Ok(read);
    }
    let text = rewrite_xml_encoding(&text);
    // A parser reads one feed: one that failed keeps state from it.
    let parser = || {
        feed_rs::parser::Builder::new()
            .base_uri(Some(base.as_str()))
            // No invented ids (hashes of link and title, which change with
            // an edited title): an entry without one is keyed by its link below.
            .id_generator(|_, _, _| String::new())
            .build()
    };
    // Feeds written by string templates often leave an `&` bare ("AT&T",
    // "Q&A", a link's query string), or paste an item's HTML unescaped into
    // its description ("He fled<br>the country"), both of which XML
    // refuses: read as feed readers read them, with each bare `&` escaped,
    // then each such element's HTML taken as its text. One sloppy item
    // must not hide every new story of the feed.
    let parse = |text: &str| {
        parser().parse(text.as_bytes()).or_else(|e| {
            let escaped = escape_bare_ampersands(text);
            if let Some(Ok(f)) = escaped.as_deref().map(|t| parser().parse(t.as_bytes())) {
                return Ok(f);
            }
            let wrapped = quote_raw_markup(escaped.as_deref().unwrap_or(text))
                .ok_or_else(|| e.to_string())?;
            parser()
                .parse(wrapped.as_bytes())
                .map_err(|_| e.to_string())
        })
    };
    // A whole feed with something after its end (an ad server's comment, a
    // PHP warning, a second document) is read as the feed it is: the text
    // up to where its root element (or JSON object) closes.
    let parsed = parse(&text)
        .or_else(|e| {
            let mut ends = feed_ends(&text).into_iter().peekable();
            if ends.peek().is_none() {
                return Err(e);
            }
            let mut first_error = None;
            for end in ends {
                match parse(&text[..end]) {
                    Ok(f) => return Ok(f),
                    Err(e) => {
                        first_error.get_or_insert((end, e));
                    }
                }
            }
            let (end, e) = first_error.expect("one end tried");
            Err(format!(
                "{e} (and trailing content after the feed's end, from byte {end} of {})",
                text.len()
            ))
        })
        .map_err(|e| why_not_a_feed(body, &text, content_type, e))?;
    let masthead = Masthead {
        name: parsed
            .title
            .map(|t| strip_tags(&t.content))
            .filter(|t| !t.is_empty()),
        lang: parsed.language.as_deref().and_then(text::language_tag),
    };
    let mut items = Vec::new();
    for entry in parsed.entries {
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first());
        // RSS 2.0 lets a GUID be the item's permalink, with no <link>: a web
        // address as id is the link then.
        let url = match link {
            Some(l) => base.join(&l.href).ok(),
            None => Url::parse(entry.id.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https")),
        };
        // A `javascript:`, `data:` or other non-web link is never passed on
        // to a reader or a webhook: the item is dropped.
        if url
            .as_ref()
            .is_some_and(|u| !matches!(u.scheme(), "http" | "https"))
        {
            continue;
        }
        let id = entry.id.trim().to_string();
        let text = entry
            .content
            .and_then(|c| {
                let plain = c.content_type.to_string().starts_with("text/plain");
                c.body.map(|b| story_text(&b, plain))
            })
            .filter(|t| !t.is_empty());
        // The text on one line, as the teaser and title it gives read (and
        // read before its paragraphs were kept apart: a title taken from it
        // is the one the watch's baseline holds).
        let flat = text.as_deref().map(text::clean);
        let snippet = entry
            .summary
            .map(|s| strip_tags(&s.content))
            .filter(|s| !s.is_empty())
            .or_else(|| flat.as_deref().map(|t| first_words(t, TEASER_WORDS)));
        let given = entry
            .title
            .map(|t| strip_tags(&t.content))
            .filter(|t| !t.is_empty());
        let titled = given.is_some();
        let title = given
            .or_else(|| {
                snippet
                    .as_deref()
                    .or(flat.as_deref())
                    .map(|t| first_words(t, TITLE_WORDS))
            })
            .unwrap_or_default();
        // Keyed by GUID, else by link; an item with neither (a news ticker's
        // lines) by its title, which is all that tells it apart.
        let key = match (&url, id.as_str()) {
            (Some(u), "") => normalize_url(u),
            (None, "") if !title.is_empty() => format!("title:{}", text::match_key(&title)),
            (_, id) => id.to_string(),
        };
        if key.is_empty() {
            continue;
        }
        items.push(FeedEntry {
            item: Item {
                key,
                url: url.map(|u| u.to_string()).unwrap_or_default(),
                title,
                snippet,
                published: entry.published.or(entry.updated).map(|d| d.to_rfc3339()),
            },
            text,
            titled,
        });
    }
    // A GUID several items of different links share (a CMS writing the
    // site's address, or one template value, as every item's id) names none
    // of them: those items are keyed by their links, or no new item would
    // ever be new.
    let mut links_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for e in &items {
        links_of
            .entry(e.item.key.as_str())
            .or_default()
            .insert(e.item.url.as_str());
    }
    let shared: HashSet<String> = links_of
        .into_iter()
        .filter(|(_, links)| links.len() > 1)
        .map(|(key, _)| key.to_string())
        .collect();
    for e in items.iter_mut().filter(|e| shared.contains(&e.item.key)) {
        if let Ok(u) = Url::parse(&e.item.url) {
            e.item.key = normalize_url(&u);
        }
    }
    Ok((items, masthead))
}

/// The text with each `&` that starts no entity or character reference
/// escaped as `&amp;`; `None` when it has none.
fn escape_bare_ampersands(text: &str) -> Option<String> {
    let starts_reference = |rest: &str| {
        let body = rest
            .split(';')
            .next()
            .filter(|_| rest.contains(';'))
            .unwrap_or("");
        let name_ok = |s: &str| {
            s.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && s.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        match body.strip_prefix('#') {
            Some(n) => match n.strip_prefix(['x', 'X']) {
                Some(h) => !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()),
                None => !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()),
            },
            None => body.len() <= 32 && name_ok(body),
        }
    };
    let mut out = String::with_capacity(text.len() + 16);
    let mut fixed = false;
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        if !starts_reference(rest) {
            out.push_str("amp;");
            fixed = true;
        }
    }
    out.push_str(rest);
    fixed.then_some(out)
}

/// The elements of RSS, Atom and RSS's content module whose text may be
/// HTML, which a feed must escape or put in CDATA.
const HTML_TEXT_ELEMENTS: [&str; 6] = [
    "title",
    "description",
    "summary",
    "subtitle",
    "content",
    "content:encoded",
];

/// The text with the HTML that a feed left unescaped in its text elements
/// ([`HTML_TEXT_ELEMENTS`]: `<description>He fled<br>the country</description>`)
/// put in CDATA sections, so that XML reads it as the text it is; `None`
/// when no element holds any. An element already in CDATA, and Atom's
/// `type="xhtml"` content (well-formed XHTML by its definition), are left
/// as they are.
fn quote_raw_markup(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut fixed = false;
    // Elements found open with no end tag after them: no later one of the
    // name has one either, so a hostile feed of unclosed tags is read once.
    let mut unclosed: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        let tag = &rest[at + 1..];
        let name = HTML_TEXT_ELEMENTS.into_iter().find(|n| {
            !unclosed.contains(n)
                && tag
                    .strip_prefix(n)
                    .is_some_and(|after| after.starts_with(|c: char| c == '>' || c.is_whitespace()))
        });
        let Some(name) = name else {
            out.push_str(&rest[..=at]);
            rest = tag;
            continue;
        };
        let Some(open_end) = tag.find('>') else {
            break;
        };
        let open = &tag[..open_end];
        let content_start = open_end + 1;
        out.push_str(&rest[..at + 1 + content_start]);
        rest = &tag[content_start..];
        // Empty (`<content/>`) or Atom's XHTML: nothing to quote.
        if open.ends_with('/') || open.contains("xhtml") {
            continue;
        }
        let Some(len) = rest.find(&format!("</{name}>")) else {
            unclosed.push(name);
            continue;
        };
        let content = &rest[..len];
        if content.contains('<') && !content.trim_start().starts_with("<![CDATA[") {
            out.push_str("<![CDATA[");
            out.push_str(&content.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]>");
            fixed = true;
        } else {
            out.push_str(content);
        }
        rest = &rest[len..];
    }
    out.push_str(rest);
    fixed.then_some(out)
}

/// The first `n` words of a text (white space folded), with "…" when
/// there are more.
fn first_words(t: &str, n: usize) -> String {
    let words: Vec<&str> = t.split(' ').collect();
    if words.len() <= n {
        return t.to_string();
    }
    let cut = words[..n].join(" ");
    format!(
        "{}\u{2026}",
        cut.trim_end_matches([',', ';', ':', '.', '\u{060C}', '\u{061B}'])
    )
}

/// At most how many places where the root element closes are tried as the
/// feed's end (a second document after the feed has its own, and so may
/// what a broken feed holds).
const MAX_FEED_ENDS: usize = 4;

/// Where the feed in `t` may end, when something other than white space
/// follows: after the first JSON value, or after each `</root>` closing the
/// XML document's root element (in order, at most [`MAX_FEED_ENDS`]). Empty
/// when the text ends where the feed does, or never closes it.
fn feed_ends(t: &str) -> Vec<usize> {
    let trailing = |end: usize| !t[end..].trim().is_empty();
    if t.trim_start().starts_with('{') {
        let mut values = serde_json::Deserializer::from_str(t).into_iter::<serde::de::IgnoredAny>();
        return match values.next() {
            Some(Ok(_)) if trailing(values.byte_offset()) => vec![values.byte_offset()],
            _ => Vec::new(),
        };
    }
    let Some(root) = xml_root(t) else {
        return Vec::new();
    };
    root_closes(t, &root)
        .filter(|&end| trailing(end))
        .take(MAX_FEED_ENDS)
        .collect()
}

/// The offsets just past each `</root>` (white space allowed before the
/// `>`) in `t`, outside CDATA sections and comments (where a feed may quote
/// markup).
fn root_closes<'a>(t: &'a str, root: &'a str) -> impl Iterator<Item = usize> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let lt = at + t.get(at..)?.find('<')?;
        let rest = &t[lt..];
        let skip_to = |end: &str| rest.find(end).map(|i| lt + i + end.len());
        if rest.starts_with("<![CDATA[") {
            at = skip_to("]]>")?;
        } else if rest.starts_with("<!--") {
            at = skip_to("-->")?;
        } else {
            at = lt + 1;
            if let Some(after) = rest
                .strip_prefix("</")
                .and_then(|r| r.strip_prefix(root))
                .map(str::trim_start)
                .filter(|r| r.starts_with('>'))
            {
                at = t.len() - after.len() + 1;
                return Some(at);
            }
        }
    })
}

/// Tells what a body the feed parser refused is (`body`, read as `text`):
/// a file that is no text, a web page, a feed cut off, nothing, or
/// something else (`error`, the parser's words).
fn why_not_a_feed(body: &[u8], text: &str, content_type: Option<&str>, error: String) -> NotAFeed {
    let t = text.trim_start_matches('\u{FEFF}').trim();
    if t.is_empty() {
        return NotAFeed::Empty;
    }
    let not_text = |what: &str| NotAFeed::NotText {
        what: what.to_string(),
        content_type: content_type
            .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty()),
    };
    if let Some(what) = file_type(body) {
        return not_text(what);
    }
    // Named as what it is whatever its label (a sitemap index served as
    // text/html is no web page).
    if let Some(super::NotHtml::Sitemap {
        index: true,
        count,
        first,
    }) = super::not_html(t)
    {
        return NotAFeed::SitemapIndex { count, first };
    }
    let lower = t.to_ascii_lowercase();
    let mut end = lower.len().min(2048);
    while !lower.is_char_boundary(end) {
        end -= 1;
    }
    let head = &lower[..end];
    let served_as_html =
        content_type.is_some_and(|c| c.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let names_a_feed = ["<rss", "<feed", "<rdf:rdf"]
        .iter()
        .any(|r| head.contains(r));
    if head.starts_with("<!doctype html")
        || head.contains("<html")
        || served_as_html && !names_a_feed
    {
        let title = lower.find("<title").and_then(|start| {
            let open = start + lower[start..].find('>')? + 1;
            let close = open + lower[open..].find("</title")?;
            let title = strip_tags(&t[open..close]);
            let title = text::shorten(&title, TITLE_CHARS);
            (!title.is_empty()).then_some(title)
        });
        return NotAFeed::WebPage { title };
    }
    // Cut off: the JSON ends inside its first value, or the root element
    // never closes (what comes after its end is not looked at).
    if t.starts_with('{') {
        let mut values = serde_json::Deserializer::from_str(t).into_iter::<serde::de::IgnoredAny>();
        if matches!(values.next(), Some(Err(e)) if e.is_eof()) {
            return NotAFeed::CutOff {
                root: "JSON".into(),
                bytes: body.len(),
            };
        }
    }
    if let Some(root) = xml_root(t) {
        if root_closes(t, &root).next().is_none() {
            return NotAFeed::CutOff {
                root,
                bytes: body.len(),
            };
        }
    }
    match served_as_no_text(content_type) {
        Some(what) => not_text(what),
        None => NotAFeed::Invalid(error),
    }
}

/// Files a feed URL serves by mistake (a site's logo, a PDF linked beside
/// the feed), by the bytes they start with.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\x00\x00\x01\x00", "an icon"),
];

/// What a file is, in words, by its first bytes ([`MAGIC`], and WebP's
/// `RIFF....WEBP`); `None` for none of them.
fn file_type(body: &[u8]) -> Option<&'static str> {
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| body.starts_with(magic)) {
        return Some(what);
    }
    (body.len() >= 12 && body.starts_with(b"RIFF") && &body[8..12] == b"WEBP")
        .then_some("a WebP image")
}

/// What a Content-Type that names no text says a body is, in words (an
/// image, audio, video, a PDF, a file to download); `None` for any other.
fn served_as_no_text(content_type: Option<&str>) -> Option<&'static str> {
    let media = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    match media.split_once('/')? {
        ("image", _) => Some("an image"),
        ("audio", _) => Some("an audio file"),
        ("video", _) => Some("a video"),
        ("application", "pdf") => Some("a PDF document"),
        ("application", "octet-stream" | "zip" | "gzip" | "x-gzip") => Some("a file to download"),
        _ => None,
    }
}

/// The name of an XML document's root element: the first tag after the
/// declaration, comments, processing instructions and doctype.
pub(super) fn xml_root(t: &str) -> Option<String> {
    let mut rest = t;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = &r[r.find('>')? + 1..];
        } else {
            let name: String = rest
                .strip_prefix('<')?
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/'))
                .collect();
            return (!name.is_empty()).then_some(name);
        }
    }
}

/// Rewrites `encoding="..."` in an XML declaration to UTF-8 (a declaration
/// that says UTF-8 already leaves the text as it is, uncopied).
fn rewrite_xml_encoding(s: &str) -> std::borrow::Cow<'_, str> {
    let s = s.trim_start_matches('\u{FEFF}');
    if let Some(end) = s.starts_with("<?xml").then(|| s.find("?>")).flatten() {
        let decl = &s[..end];
        if let Some(pos) = decl.find("encoding") {
            let rest = &decl[pos..];
            if let Some(q) = rest.find(['"', '\'']) {
                let quote = rest.as_bytes()[q] as char;
                if let Some(close) = rest[q + 1..].find(quote) {
                    let (a, b) = (pos + q + 1, pos + q + 1 + close);
                    if s[a..b].eq_ignore_ascii_case("utf-8") {
                        return s.into();
                    }
                    return format!("{}UTF-8{}", &s[..a], &s[b..]).into();
                }
            }
        }
    }
    s.into()
}

/// Removes markup from feed titles and summaries that carry HTML (words in
/// separate paragraphs stay apart), decodes the HTML entities left in them,
/// and folds white space. Feeds escape their titles once more than XML asks
/// (`&amp;#8217;`, `&amp;quot;`, Atom's `type="html"`) or use HTML's own
/// entities (`&nbsp;`), which the XML parser leaves as they are: a reader
/// reads ’, " and a space.
fn strip_tags(s: &str) -> String {
    if !s.contains(['<', '&']) {
        return text::clean(s);
    }
    reader_text(scraper::Html::parse_fragment(s).root_element())
}

/// The text of a story a feed carries ([`FeedEntry::text`]) with each of
/// its paragraphs on a line of its own, read as [`strip_tags`] reads a
/// summary: the paragraphs of its HTML (a `<p>`, a heading, a list item, a
/// line ended by `<br>`), or of a plain text (`plain`: JSON Feed's
/// `content_text`, Atom's `type="text"`) its blocks apart by a blank line.
/// The passage an alert quotes from it ([`crate::text::keyword_passage`])
/// stays within one paragraph, never running on into the next as if it
/// were the same sentence.
fn story_text(body: &str, plain: bool) -> String {
    if !plain {
        if !body.contains(['<', '&']) {
            return text::clean(body);
        }
        return reader_paragraphs(scraper::Html::parse_fragment(body).root_element());
    }
    let mut out = Vec::new();
    let mut block = String::new();
    for line in body.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            let para = strip_tags(&block);
            if !para.is_empty() {
                out.push(para);
            }
            block.clear();
        } else {
            block.push_str(line);
            block.push('\n');
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xml_declaration_is_rewritten_only_when_it_names_another_encoding() {
        let utf8 = r#"<?xml version="1.0" encoding="utf-8"?><rss/>"#;
        assert!(matches!(
            rewrite_xml_encoding(utf8),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            rewrite_xml_encoding(r#"<?xml version="1.0" encoding='windows-1256'?><rss/>"#),
            r#"<?xml version="1.0" encoding='UTF-8'?><rss/>"#
        );
    }

    #[test]
    fn rss_items_with_guid_and_link() {
        let rss = br#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>
            <item><title>Rasoulof flees Iran</title><link>https://n.example.org/a?utm_source=rss</link><guid>tag:n,1</guid><description>&lt;p&gt;He fled.&lt;/p&gt;</description></item>
            <item><title>Second</title><link>https://n.example.org/b#x</link></item></channel></rss>"#;
        let items = feed(
            rss,
            None,
            &Url::parse("https://n.example.org/feed").unwrap(),
        )
        .unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].key, "tag:n,1");
        assert_eq!(items[0].snippet.as_deref(), Some("He fled."));
        assert_eq!(items[1].key, "https://n.example.org/b");
    }

    fn base() -> Url {
        Url::parse("https://n.example.org/").unwrap()
    }

    #[test]
    fn html_summaries_keep_paragraphs_apart() {
        let rss = br#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>
            <item><title>Rivers rise</title><link>https://n.example.org/a</link><description>&lt;p&gt;Towns flood.&lt;/p&gt;&lt;p&gt;Roads close.&lt;br&gt;Schools shut.&lt;/p&gt;</description></item></channel></rss>"#;
        let items = feed(rss, None, &base()).unwrap();
        assert_eq!(
            items[0].snippet.as_deref(),
            Some("Towns flood. Roads close. Schools shut.")
        );
    }

    #[test]
    fn a_storys_text_keeps_its_paragraphs_apart_and_on_one_line_reads_as_before() {
        let html = "<h3>Court rules</h3>\n<p>She was moved\nto <b>Evin</b> on <img src=x>Sunday.</p><p>Roads close.<br>Schools &amp; shops shut.</p><ul><li>One</li><li>Two</li></ul>";
        assert_eq!(
            story_text(html, false),
            "Court rules\nShe was moved to Evin on Sunday.\nRoads close.\nSchools & shops shut.\nOne\nTwo"
        );
        assert_eq!(
            story_text(
                "Court rules\n\n  She was moved\nto Evin &amp; back.\n\n\n",
                true
            ),
            "Court rules\nShe was moved to Evin & back."
        );
        // On one line, it is the text an older presswatch read, which
        // titled and teased an item the feed gave none: those, kept in
        // a watch's baseline, read the same after an upgrade.
        for body in [
            html,
            "<p>a</p>b<div>c<span>d</span></div>",
            "no markup at all\n\nhere",
            "<p>\u{0633}\u{0647}\u{200C}\u{0634}\u{0646}\u{0628}\u{0647}</p><p>\u{0627}\u{0648}\u{06CC}\u{0646}</p>",
        ] {
            assert_eq!(text::clean(&story_text(body, false)), strip_tags(body), "{body}");
        }
        let rss = br#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
            <item><link>https://n.example.org/a</link><content:encoded><![CDATA[<p>Dozens were moved.</p><p>Families wait.</p>]]></content:encoded></item></channel></rss>"#;
        let (entries, _) = feed_entries(rss, None, &base()).unwrap();
        assert_eq!(
            entries[0].text.as_deref(),
            Some("Dozens were moved.\nFamilies wait.")
        );
        assert_eq!(entries[0].item.title, "Dozens were moved. Families wait.");
        assert_eq!(
            entries[0].item.snippet.as_deref(),
            Some("Dozens were moved. Families wait.")
        );
    }

    #[test]
    fn entities_escaped_twice_or_from_html_are_decoded() {
        let rss = br#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>
            <item><title>Minister&amp;#8217;s &amp;quot;reply&amp;quot;&nbsp;to AT&amp;T</title><link>https://n.example.org/a</link><description>Fish &amp;amp; chips</description></item></channel></rss>"#;
        let items = feed(rss, None, &base()).unwrap();
        assert_eq!(items[0].title, "Minister\u{2019}s \"reply\" to AT&T");
        assert_eq!(items[0].snippet.as_deref(), Some("Fish & chips"));
    }

    #[test]
    fn a_permalink_guid_is_the_link_of_an_item_without_one() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title>Permalink only</title><guid isPermaLink="true">https://n.example.org/2024/05/story</guid></item>
            <item><title>Opaque id only</title><guid isPermaLink="false">urn:n:7</guid></item></channel></rss>"#;
        let items = feed(rss, None, &base()).unwrap();
        assert_eq!(items[0].url, "https://n.example.org/2024/05/story");
        assert_eq!(items[0].key, "https://n.example.org/2024/05/story");
        assert_eq!(items[1].url, "");
    }

    #[test]
    fn full_text_items_keep_their_text_and_are_teased_and_titled_by_it() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
            <item><title>Prisoners moved</title><link>https://n.example.org/a</link><content:encoded><![CDATA[<p>Dozens of prisoners were moved from Evin on Tuesday.</p>]]></content:encoded></item></channel></rss>"#;
        let (entries, _) = feed_entries(rss, None, &base()).unwrap();
        assert_eq!(
            entries[0].text.as_deref(),
            Some("Dozens of prisoners were moved from Evin on Tuesday.")
        );
        assert_eq!(entries[0].item.snippet, entries[0].text);
        let long = "word ".repeat(60);
        let json = format!(
            r#"{{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{{"id":"1","url":"https://n.example.org/j","content_html":"<p>A note, with no title, about the appeal. {long}</p>"}}]}}"#
        );
        let entries = feed_entries(json.as_bytes(), Some("application/feed+json"), &base())
            .unwrap()
            .0;
        let item = &entries[0].item;
        assert_eq!(
            item.title,
            "A note, with no title, about the appeal. word word word word\u{2026}"
        );
        assert_eq!(
            item.snippet.as_deref().unwrap().split(' ').count(),
            TEASER_WORDS
        );
        assert!(entries[0].text.as_deref().unwrap().ends_with("word"));
    }

    #[test]
    fn bare_ampersands_are_read_as_feed_readers_read_them() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>News & views</title>
            <item><title>AT&T and Q&A &amp; more &#8217; &nbsp;</title><link>https://n.example.org/a?x=1&y=2</link></item></channel></rss>"#;
        let items = feed(rss, None, &base()).unwrap();
        assert_eq!(items[0].title, "AT&T and Q&A & more \u{2019}");
        assert_eq!(items[0].url, "https://n.example.org/a?x=1&y=2");
        assert_eq!(
            escape_bare_ampersands("a &amp; b &#38; &#x26; &nbsp;"),
            None
        );
    }

    #[test]
    fn html_left_unescaped_in_an_item_is_read_as_its_text_not_a_broken_feed() {
        // One item's description pasted in as raw HTML, beside a bare `&`:
        // feed readers show the feed, and so must presswatch, or every new
        // story of it goes unseen.
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Tom & Jerry News</title>
            <item><guid>1</guid><title>Court sentences <b>Rasoulof</b></title><link>https://n.example.org/1</link>
            <description>He fled<br>the country <p>on foot &nbsp;today</description></item>
            <item><guid>2</guid><title>Second</title><link>https://n.example.org/2</link>
            <description><![CDATA[<p>Already <b>quoted</b></p>]]></description></item></channel></rss>"#;
        let (entries, masthead) = feed_entries(rss, None, &base()).unwrap();
        assert_eq!(masthead.name.as_deref(), Some("Tom & Jerry News"));
        assert_eq!(entries[0].item.title, "Court sentences Rasoulof");
        let teaser = entries[0].item.snippet.as_deref().unwrap();
        assert!(teaser.starts_with("He fled"), "{teaser}");
        assert!(teaser.contains("on foot"), "{teaser}");
        assert_eq!(entries[1].item.snippet.as_deref(), Some("Already quoted"));
        // Atom's XHTML content is well-formed by definition: left as it is.
        assert_eq!(
            quote_raw_markup(r#"<content type="xhtml"><div>x</div></content>"#),
            None
        );
        // Elements never closed are searched for their end once, not once each.
        assert_eq!(quote_raw_markup(&"<description>x<br>".repeat(20_000)), None);
        assert_eq!(
            quote_raw_markup("<summary>a ]]> b <br></summary>").as_deref(),
            Some("<summary><![CDATA[a ]]]]><![CDATA[> b <br>]]></summary>")
        );
    }

    #[test]
    fn a_guid_that_items_of_different_links_share_keys_none_of_them() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title>One</title><link>https://n.example.org/1</link><guid>https://n.example.org/</guid></item>
            <item><title>Two</title><link>https://n.example.org/2</link><guid>https://n.example.org/</guid></item>
            <item><title>Live 1</title><link>https://n.example.org/live</link><guid>live</guid></item>
            <item><title>Live 1 again</title><link>https://n.example.org/live</link><guid>live</guid></item></channel></rss>"#;
        let keys: Vec<String> = feed(rss, None, &base())
            .unwrap()
            .into_iter()
            .map(|i| i.key)
            .collect();
        assert_eq!(
            keys,
            [
                "https://n.example.org/1",
                "https://n.example.org/2",
                "live",
                "live"
            ]
        );
    }

    #[test]
    fn items_with_neither_link_nor_guid_are_keyed_by_their_titles() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Ticker</title>
            <item><title>Court upholds sentence</title></item>
            <item><description>A line with no title</description></item>
            <item></item></channel></rss>"#;
        let items = feed(rss, None, &base()).unwrap();
        let keys: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["title:court upholds sentence", "title:a line with no title"]
        );
        assert_eq!(items[0].url, "");
    }

    #[test]
    fn atom_entries() {
        let atom = br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id><updated>2024-05-13T00:00:00Z</updated>
            <entry><title type="html">Rasoulof &lt;b&gt;flees&lt;/b&gt;</title><id>urn:e1</id><link rel="alternate" href="/a"/><updated>2024-05-13T09:00:00Z</updated><summary>He fled.</summary></entry></feed>"#;
        let items = feed(atom, None, &base()).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].key, "urn:e1");
        assert_eq!(items[0].title, "Rasoulof flees");
        assert_eq!(items[0].url, "https://n.example.org/a");
        assert!(items[0]
            .published
            .as_deref()
            .unwrap()
            .starts_with("2024-05-13T09:00:00"));
    }

    #[test]
    fn json_feed_items() {
        let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"42","url":"https://n.example.org/j","title":"JSON item","summary":"Sum."}]}"#;
        let items = feed(json, Some("application/feed+json"), &base()).unwrap();
        assert_eq!(items[0].key, "42");
        assert_eq!(items[0].url, "https://n.example.org/j");
        assert_eq!(items[0].title, "JSON item");
    }

    #[test]
    fn items_with_links_that_are_not_http_are_dropped() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title>Click me</title><link>javascript:alert(document.cookie)</link><guid>g1</guid></item>
            <item><title>Data</title><link>data:text/html,&lt;script&gt;x&lt;/script&gt;</link></item>
            <item><title>Mail</title><link>mailto:desk@n.example.org</link></item>
            <item><title>Real story</title><link>https://n.example.org/real</link></item></channel></rss>"#;
        let items = feed(
            rss,
            None,
            &Url::parse("https://n.example.org/feed").unwrap(),
        )
        .unwrap();
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, vec!["Real story"]);
    }

    #[test]
    fn rss_1_0_and_0_91_items_are_keyed_by_link() {
        let rdf = br#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
            <channel rdf:about="https://n.example.org/"><title>T</title><link>https://n.example.org/</link><description>d</description></channel>
            <item rdf:about="https://n.example.org/r1"><title>RDF item</title><link>https://n.example.org/r1?utm_medium=rss</link></item></rdf:RDF>"#;
        let items = feed(rdf, None, &base()).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title, "RDF item");
        assert!(
            items[0].key.starts_with("https://n.example.org/r1"),
            "{:?}",
            items[0]
        );

        let rss091 = br#"<?xml version="1.0"?><rss version="0.91"><channel><title>T</title><link>https://n.example.org/</link><description>d</description><language>en</language>
            <item><title>Old item</title><link>https://n.example.org/o1#top</link></item></channel></rss>"#;
        let items = feed(rss091, None, &base()).unwrap();
        assert_eq!(items[0].key, "https://n.example.org/o1");
    }

    #[test]
    fn windows_1256_feed() {
        let body = "<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss version=\"2.0\"><channel><title>x</title><item><title>فیلمساز</title><link>https://n.example.org/c</link></item></channel></rss>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(body);
        let items = feed(&bytes, None, &Url::parse("https://n.example.org/").unwrap()).unwrap();
        assert_eq!(items[0].title, "فیلمساز");
    }

    #[test]
    fn what_came_instead_of_a_feed_is_told() {
        let b = base();
        let page = b"<!DOCTYPE html><html><head><title>Just a moment&hellip;</title></head><body>Checking your browser</body></html>";
        assert_eq!(
            feed(page, Some("text/html; charset=UTF-8"), &b).unwrap_err(),
            NotAFeed::WebPage {
                title: Some("Just a moment\u{2026}".into())
            }
        );
        let rss = b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>T</title><item><title>A</title><description><![CDATA[<p>cut";
        assert_eq!(
            feed(rss, Some("application/rss+xml"), &b).unwrap_err(),
            NotAFeed::CutOff {
                root: "rss".into(),
                bytes: rss.len()
            }
        );
        let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"https://n.example.org/1"#;
        assert!(matches!(
            feed(json, Some("application/feed+json"), &b),
            Err(NotAFeed::CutOff { .. })
        ));
        assert_eq!(feed(b"  \n", None, &b).unwrap_err(), NotAFeed::Empty);
        let not_text = |what: &str, content_type: Option<&str>| NotAFeed::NotText {
            what: what.into(),
            content_type: content_type.map(str::to_string),
        };
        // By its first bytes, whatever it is served as; else by its type.
        assert_eq!(
            feed(
                b"\xff\xd8\xff\xe0\x00\x10JFIF",
                Some("application/octet-stream"),
                &b
            )
            .unwrap_err(),
            not_text("a JPEG image", Some("application/octet-stream"))
        );
        assert_eq!(
            feed(b"%PDF-1.4\n", None, &b).unwrap_err(),
            not_text("a PDF document", None)
        );
        assert_eq!(
            feed(
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><path d=\"M0 0\"/></svg>",
                Some("image/svg+xml; charset=utf-8"),
                &b
            )
            .unwrap_err(),
            not_text("an image", Some("image/svg+xml"))
        );
        assert_eq!(
            not_text("a PNG image", Some("image/png")).to_string(),
            "the address serves a PNG image (image/png), not a feed"
        );
        assert!(matches!(
            feed(b"<?xml version=\"1.0\"?><foo>bar</foo>", None, &b),
            Err(NotAFeed::Invalid(_))
        ));
    }

    #[test]
    fn a_whole_feed_with_something_after_its_end_is_read_as_the_feed() {
        let b = base();
        let rss = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>T</title><item><title>A</title><link>https://n.example.org/a</link><description><![CDATA[<p>Quoted markup: </rss></p>]]></description></item><item><title>B</title><link>https://n.example.org/b</link></item></channel></rss>";
        let atom = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:f</id><updated>2024-05-13T00:00:00Z</updated><entry><title>A</title><id>urn:a</id><link href=\"/a\"/><updated>2024-05-13T09:00:00Z</updated></entry></feed >";
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"https://n.example.org/1","title":"A"}]}"#;
        let php = "\n<br />\n<b>Warning</b>:  Cannot modify header information - headers already sent in <b>/var/www/feed.php</b> on line <b>12</b><br />\n";
        for (whole, items) in [(rss, 2), (atom, 1), (json, 1)] {
            for junk in [
                "\n<!-- ad server: served in 0.012s by node 7 -->\n".to_string(),
                php.to_string(),
                format!("\n{whole}"),
                "garbage & more </channel>".to_string(),
            ] {
                let body = format!("{whole}{junk}");
                let got = feed(body.as_bytes(), None, &b);
                assert_eq!(got.map(|i| i.len()), Ok(items), "{body}");
            }
        }
        // Cut off, with nothing after it: still cut off, however it ends.
        for whole in [rss, atom] {
            let cut = &whole[..whole.rfind("</").unwrap() - 3];
            assert!(
                matches!(feed(cut.as_bytes(), None, &b), Err(NotAFeed::CutOff { .. })),
                "{cut}"
            );
        }
        let cut = &json[..json.len() - 2];
        assert!(matches!(
            feed(cut.as_bytes(), None, &b),
            Err(NotAFeed::CutOff { .. })
        ));
        // A feed broken inside, with something after its end, is not cut
        // off: the error says what follows it.
        let broken = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>A</title></chanel></rss>\n<!-- ad -->";
        let err = feed(broken.as_bytes(), None, &b).unwrap_err();
        assert!(matches!(&err, NotAFeed::Invalid(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains("trailing content after the feed's end"),
            "{err}"
        );
    }

    #[test]
    fn malformed_feed_is_an_error() {
        assert!(feed(
            b"<rss><channel><item>",
            None,
            &Url::parse("https://n.example.org/").unwrap()
        )
        .is_err());
    }
}
