//! What a body that is no HTML page is, told by its text whatever its
//! server labels it (many label every answer `text/html`): JSON, a feed, an
//! XML sitemap, another XML document, a CSV table, plain text. A listing
//! read from such a body finds no links, and a selector would find none
//! either: the check says what the body is instead, and what to watch.

use url::Url;

use super::feed::{xml_root, FeedEntry};
use super::listing::normalize_url;
use crate::document::{Item, Masthead};

/// A body that is no HTML page, by what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotHtml {
    /// An RSS, Atom or RDF feed (by its root element), or a JSON Feed.
    Feed,
    /// An XML sitemap: a `<urlset>` of page addresses, or a
    /// `<sitemapindex>` of sitemaps.
    Sitemap {
        /// A `<sitemapindex>`, not a `<urlset>`.
        index: bool,
        /// How many `<loc>` addresses it lists.
        count: usize,
        /// The first of them (at most [`FIRST_LOCS`]).
        first: Vec<String>,
    },
    /// Another XML document, by its root element's name.
    Xml(String),
    /// JSON that is no feed (an API's answer).
    Json,
    /// A table of comma (or semicolon, or tab) separated values.
    Csv,
    /// Text with no markup in it.
    PlainText,
}

/// How many of a sitemap's addresses [`NotHtml::Sitemap`] keeps.
pub const FIRST_LOCS: usize = 3;

impl NotHtml {
    /// What it is, in words that follow "it is": `an XML sitemap (a
    /// <urlset> of 120 page addresses)`, `JSON data`.
    pub fn describe(&self) -> String {
        match self {
            NotHtml::Feed => "a feed (RSS, Atom or JSON Feed)".to_string(),
            NotHtml::Sitemap {
                index: false,
                count,
                ..
            } => format!(
                "an XML sitemap (a <urlset> of {})",
                crate::text::plural(*count, "page address", "page addresses")
            ),
            NotHtml::Sitemap {
                index: true, count, ..
            } => format!(
                "an XML sitemap index (a <sitemapindex> of {})",
                crate::text::plural(*count, "sitemap", "sitemaps")
            ),
            NotHtml::Xml(root) => format!("an XML document (its root element <{root}>)"),
            NotHtml::Json => "JSON data (as an API answers)".to_string(),
            NotHtml::Csv => "a CSV table".to_string(),
            NotHtml::PlainText => "plain text, with no HTML markup".to_string(),
        }
    }
}

/// What `text` (a body, decoded) is when it is no HTML page; `None` for
/// HTML (or XHTML), and for a body that begins as markup with no XML
/// declaration, which is read as HTML.
pub fn not_html(text: &str) -> Option<NotHtml> {
    let t = text.trim_start_matches('\u{FEFF}').trim_start();
    if t.is_empty() {
        return None;
    }
    if t.starts_with('<') {
        let root = xml_root(t)?;
        let local = root
            .rsplit(':')
            .next()
            .unwrap_or(&root)
            .to_ascii_lowercase();
        return match local.as_str() {
            "html" => None,
            "rss" | "feed" | "rdf" => Some(NotHtml::Feed),
            "urlset" | "sitemapindex" => {
                let locs = locs(t);
                Some(NotHtml::Sitemap {
                    index: local == "sitemapindex",
                    count: locs.len(),
                    first: locs.into_iter().take(FIRST_LOCS).collect(),
                })
            }
            // Markup that is not declared XML is a page's, however it
            // starts (a fragment, a template's first `<div>`).
            _ if t.starts_with("<?xml") => Some(NotHtml::Xml(root)),
            _ => None,
        };
    }
    if t.starts_with(['{', '[']) {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(t) {
            let feed = value
                .get("version")
                .and_then(|v| v.as_str())
                .is_some_and(|v| v.contains("jsonfeed.org"));
            return Some(if feed { NotHtml::Feed } else { NotHtml::Json });
        }
    }
    // Bytes of no text (an image, an archive, NULs) read as characters are
    // no plain text: what they are is not told here.
    if has_markup(t) || t.chars().any(is_binary) {
        return None;
    }
    Some(if reads_as_csv(t) {
        NotHtml::Csv
    } else {
        NotHtml::PlainText
    })
}

/// Whether a character is one no text holds, only binary data read as
/// text: a control character other than tab, line feed, form feed and
/// carriage return.
fn is_binary(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\x0C' | '\r') && (c as u32) < 0x80
}

/// Whether a text holds a tag anywhere: `<` before a letter, `/` or `!`.
fn has_markup(t: &str) -> bool {
    t.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!')))
}

/// Whether a text's first lines (up to five) are rows of a table: each has
/// the same number, one or more, of one separator (comma, semicolon, tab).
fn reads_as_csv(t: &str) -> bool {
    let lines: Vec<&str> = t.lines().filter(|l| !l.trim().is_empty()).take(5).collect();
    if lines.len() < 2 {
        return false;
    }
    [',', ';', '\t'].iter().any(|&sep| {
        let n = lines[0].matches(sep).count();
        n > 0 && lines.iter().all(|l| l.matches(sep).count() == n)
    })
}

/// The `<loc>` addresses of a sitemap, in order.
fn locs(t: &str) -> Vec<String> {
    elements(t, "loc")
        .into_iter()
        .map(element_text)
        .filter(|l| !l.is_empty())
        .collect()
}

/// The contents of each element of a document named `name` as written
/// (`loc`, `news:title`: a sitemap's namespaces keep their usual prefixes),
/// in order; elements of that name are not nested in sitemaps.
fn elements<'t>(t: &'t str, name: &str) -> Vec<&'t str> {
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        // `<url>`, `<url >`, not `<urlset>`; `<x/>` is empty.
        match rest.chars().next() {
            Some('>') => rest = &rest[1..],
            Some(c) if c.is_whitespace() => {
                let Some(end) = rest.find('>') else { break };
                if rest[..end].ends_with('/') {
                    rest = &rest[end + 1..];
                    continue;
                }
                rest = &rest[end + 1..];
            }
            Some('/') => continue,
            _ => continue,
        }
        let Some(end) = rest.find(&close) else {
            break;
        };
        out.push(&rest[..end]);
        rest = &rest[end + close.len()..];
    }
    out
}

/// An element's text: its CDATA section's, or its text with entities read
/// (`&amp;` in a query string), trimmed.
fn element_text(inner: &str) -> String {
    let inner = inner.trim();
    match inner
        .strip_prefix("<![CDATA[")
        .and_then(|l| l.strip_suffix("]]>"))
    {
        Some(raw) => raw.trim().to_string(),
        None => html_escape::decode_html_entities(inner).trim().to_string(),
    }
}

/// The text of the first element named `name` in `t`, if it has one.
fn first_text(t: &str, name: &str) -> Option<String> {
    elements(t, name)
        .first()
        .map(|inner| element_text(inner))
        .filter(|s| !s.is_empty())
}

/// The pages a `<urlset>` sitemap lists, read as a feed's entries, with
/// its masthead; `None` when `t` is no `<urlset>`. Each `<url>` is one
/// item: its `<loc>` (keyed by it, normalised; one that is no http(s)
/// address is left out), titled by its Google News `<news:title>`, else
/// by the words of its address's last segment (`court-upholds-sentence`
/// reads "court upholds sentence": untitled, as a feed item with no title
/// is), dated by its `<news:publication_date>`, else its `<lastmod>`. The
/// masthead is its first `<news:publication>`'s `<news:name>` and
/// `<news:language>`.
pub(super) fn urlset_entries(t: &str, base: &Url) -> Option<(Vec<FeedEntry>, Masthead)> {
    let t = t.trim_start_matches('\u{FEFF}').trim_start();
    if !t.starts_with('<') || xml_root(t)?.rsplit(':').next()? != "urlset" {
        return None;
    }
    let mut entries = Vec::new();
    for block in elements(t, "url") {
        let Some(url) = first_text(block, "loc").and_then(|l| base.join(&l).ok()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let given = first_text(block, "news:title").map(|t| crate::text::clean(&t));
        let titled = given.is_some();
        let title = given.unwrap_or_else(|| title_from_address(&url));
        entries.push(FeedEntry {
            item: Item {
                key: normalize_url(&url),
                url: url.to_string(),
                title,
                snippet: None,
                published: first_text(block, "news:publication_date")
                    .or_else(|| first_text(block, "lastmod")),
            },
            text: None,
            titled,
        });
    }
    let masthead = Masthead {
        name: first_text(t, "news:name"),
        lang: first_text(t, "news:language").and_then(|l| crate::text::language_tag(&l)),
    };
    Some((entries, masthead))
}

/// The words of an address's last path segment, as a title for a page a
/// sitemap names with none: `/2024/05/court-upholds-sentence.html` reads
/// "court upholds sentence"; the address itself when it has no such words.
fn title_from_address(url: &Url) -> String {
    let last = url
        .path_segments()
        .and_then(|mut s| s.rfind(|s| !s.is_empty()))
        .unwrap_or_default();
    let last = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
    let stem = [".html", ".htm", ".php", ".aspx", ".asp"]
        .iter()
        .find_map(|ext| last.strip_suffix(ext))
        .unwrap_or(&last);
    let words = crate::text::clean(&stem.replace(['-', '_', '+'], " "));
    if words.chars().any(char::is_alphabetic) {
        words
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_is_no_html_is_told_by_its_text() {
        assert_eq!(not_html("<!DOCTYPE html><html><body><a href=x>y</a>"), None);
        assert_eq!(
            not_html("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">"),
            None
        );
        assert_eq!(
            not_html("<div class=list><a href=/a>A story</a></div>"),
            None
        );
        assert_eq!(not_html("  Warning: x in y on line 3\n<html><body>"), None);
        assert_eq!(
            not_html("{\"items\": [{\"id\": 1, \"title\": \"A\"}]}"),
            Some(NotHtml::Json)
        );
        assert_eq!(
            not_html("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}"),
            Some(NotHtml::Feed)
        );
        assert_eq!(
            not_html("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"),
            Some(NotHtml::Feed)
        );
        assert_eq!(
            not_html("id,title,url\n1,A story,https://a.example/1\n2,B,https://a.example/2\n"),
            Some(NotHtml::Csv)
        );
        assert_eq!(
            not_html("The page has moved.\nSee the new address."),
            Some(NotHtml::PlainText)
        );
        assert_eq!(
            not_html("<?xml version=\"1.0\"?><response><status>ok</status></response>"),
            Some(NotHtml::Xml("response".into()))
        );
        // Binary data read as characters is no plain text (NULs, an image).
        assert_eq!(not_html(&"\0".repeat(100)), None);
        assert_eq!(not_html("‰PNG\r\n\u{1a}\nÿÿÿÿÿÿ"), None);
        assert_eq!(
            not_html("A statement.\tSigned,\x0Cthe ministry\r\n"),
            Some(NotHtml::PlainText)
        );
    }

    /// A `<urlset>`'s pages are a feed's items: a news sitemap's title,
    /// date and publication; else the address's words and `lastmod`.
    #[test]
    fn a_urlset_is_read_as_a_feeds_items() {
        let base = Url::parse("https://news.example/sitemap.xml").unwrap();
        let t = "<?xml version=\"1.0\"?><urlset xmlns:news=\"x\" xmlns:image=\"y\">\
            <url><loc>https://news.example/a?id=1&amp;p=2</loc><news:news><news:publication>\
            <news:name>Example News</news:name><news:language>fa</news:language>\
            </news:publication><news:publication_date>2024-05-14T09:00:00+03:30\
            </news:publication_date><news:title><![CDATA[Court & sentence]]></news:title>\
            </news:news><image:image><image:loc>https://news.example/a.jpg</image:loc>\
            <image:title>A photo</image:title></image:image></url>\
            <url ><loc>/2024/05/director_leaves%20iran.html</loc><lastmod>2024-05-15</lastmod></url>\
            <url><loc>javascript:alert(1)</loc></url></urlset>";
        let (entries, masthead) = urlset_entries(t, &base).unwrap();
        let items: Vec<(&str, &str, Option<&str>, bool)> = entries
            .iter()
            .map(|e| {
                (
                    e.item.url.as_str(),
                    e.item.title.as_str(),
                    e.item.published.as_deref(),
                    e.titled,
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                (
                    "https://news.example/a?id=1&p=2",
                    "Court & sentence",
                    Some("2024-05-14T09:00:00+03:30"),
                    true
                ),
                (
                    "https://news.example/2024/05/director_leaves%20iran.html",
                    "director leaves iran",
                    Some("2024-05-15"),
                    false
                ),
            ]
        );
        assert_eq!(masthead.name.as_deref(), Some("Example News"));
        assert_eq!(masthead.lang.as_deref(), Some("fa"));
        assert!(urlset_entries("<rss version=\"2.0\"><channel>", &base).is_none());
        assert!(urlset_entries("<sitemapindex><sitemap><loc>x</loc></sitemap>", &base).is_none());
    }

    #[test]
    fn a_sitemap_is_named_with_its_first_addresses() {
        let urlset = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
            xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n\
            <url><loc>https://news.example/a?x=1&amp;y=2</loc><news:news><news:title>A</news:title></news:news></url>\n\
            <url><loc> <![CDATA[https://news.example/b]]> </loc></url>\n\
            </urlset>";
        assert_eq!(
            not_html(urlset),
            Some(NotHtml::Sitemap {
                index: false,
                count: 2,
                first: vec![
                    "https://news.example/a?x=1&y=2".into(),
                    "https://news.example/b".into()
                ],
            })
        );
        let index = "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
            <sitemap><loc>https://news.example/s1.xml</loc></sitemap>\
            <sitemap><loc>https://news.example/s2.xml</loc></sitemap>\
            <sitemap><loc>https://news.example/s3.xml</loc></sitemap>\
            <sitemap><loc>https://news.example/s4.xml</loc></sitemap></sitemapindex>";
        let Some(NotHtml::Sitemap {
            index,
            count,
            first,
        }) = not_html(index)
        else {
            panic!("a sitemap index");
        };
        assert!(index);
        assert_eq!(count, 4);
        assert_eq!(first.len(), FIRST_LOCS);
    }
}
