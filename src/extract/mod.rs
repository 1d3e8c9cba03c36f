//! Extraction: HTML to [`Document`] (article mode), HTML to
//! [`Item`](crate::document::Item)s (listing mode), and feeds to
//! [`Item`](crate::document::Item)s. One parse per page: metadata, selectors
//! and content scoring share the same tree.

mod article;
mod feed;
mod known;
mod listing;
mod metadata;
mod not_html;
mod prepare;
mod prose;
mod teaser;

pub use feed::{feed, feed_entries, FeedEntry, NotAFeed};
pub use known::{link_and_title, link_key, once_each, own_links, same_stories, still_listed};
pub use listing::{
    listing, listing_entries, normalize_url, reads_as_listing, ListingEntry, MANY_STORY_LINKS,
    TINY_ARTICLE_WORDS,
};
pub use not_html::{not_html, NotHtml, FIRST_LOCS};

use regex::Regex;
use scraper::node::Element;
use scraper::Html;
use url::Url;

use crate::document::Document;

/// Extracts the article of an HTML page. `selector`, when given, names the
/// element(s) holding the article text and overrides automatic detection.
pub fn article(html: &str, url: Option<&Url>, selector: Option<&str>) -> Document {
    let mut dom = Html::parse_document(&prepare::for_parsing(html));
    undo_twice_encoded(&mut dom);
    article_of(&dom, url, selector)
}

/// How this presswatch reads a watch's page: its build (a fingerprint of
/// the source it is built from) and the watch's `selector`. Two reads of
/// the same response with the same reading give the same document, so a
/// version records it, and a check re-reads a baseline's kept response only
/// when it was read otherwise (after an upgrade, or a new selector).
pub fn reading(selector: Option<&str>) -> String {
    let build = env!("PRESSWATCH_SOURCE");
    match selector {
        None => build.to_string(),
        Some(s) => format!(
            "{build} {}",
            &crate::document::sha256_hex(s.as_bytes())[..16]
        ),
    }
}

/// Extracts what a watch compares: the article, as [`article`] does, and,
/// unless a selector names what to watch, the page's prose outside the
/// article ([`Document::other_prose`]), which the safety net watches.
pub fn watched_article(html: &str, url: Option<&Url>, selector: Option<&str>) -> Document {
    let mut dom = Html::parse_document(&prepare::for_parsing(html));
    undo_twice_encoded(&mut dom);
    let mut doc = article_of(&dom, url, selector);
    if selector.is_none() {
        doc.other_prose = prose::outside(&dom, &doc.blocks);
    }
    doc
}

/// Runs of text encoded twice ([`crate::charset::twice_encoded_runs`]:
/// "â€™" for ’) a page's text needs before it is read as encoded twice
/// throughout. One or two may be the page's own: a "‘ß’" quoted, an
/// article on mojibake.
const TWICE_ENCODED_MIN_RUNS: usize = 3;

/// Reads back the text of a page whose text is UTF-8 encoded twice (read
/// as windows-1252 and written out as UTF-8 again, by a database or a
/// converter on the site's side: "donâ€™t", "cafÃ©"), as the characters
/// it was written in, when its text nodes hold enough runs that are surely
/// so (`TWICE_ENCODED_MIN_RUNS`). Such a page reads as its writer wrote it,
/// and the day the site mends its encoding is no edit of every apostrophe.
/// True when it did. Public so that the change benchmark reads a page's
/// words as extraction does.
pub fn undo_twice_encoded(dom: &mut Html) -> bool {
    let mut runs = 0;
    for node in dom.tree.values() {
        if let scraper::Node::Text(t) = node {
            if !t.is_ascii() {
                runs += crate::charset::twice_encoded_runs(t, TWICE_ENCODED_MIN_RUNS - runs);
                if runs >= TWICE_ENCODED_MIN_RUNS {
                    break;
                }
            }
        }
    }
    if runs < TWICE_ENCODED_MIN_RUNS {
        return false;
    }
    for node in dom.tree.values_mut() {
        if let scraper::Node::Text(t) = node {
            if let Some(mended) = crate::charset::undo_twice_encoded(t) {
                t.text = mended.as_str().into();
            }
        }
    }
    true
}

fn article_of(dom: &Html, url: Option<&Url>, selector: Option<&str>) -> Document {
    let metadata::Metadata {
        mut doc,
        article_body,
    } = metadata::read(dom, url);
    // A page read without its address (a saved file) is taken to live where
    // it says it does; a fetched page's own address always wins, as the
    // canonical URL it declares may come and go.
    let declared_url = match url {
        Some(_) => None,
        None => doc
            .canonical_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok()),
    };
    // Authors' cards are found by the byline the page shows, not the one it
    // declares: JSON-LD that comes and goes must not change the article.
    doc.blocks = article::blocks(
        dom,
        selector,
        article_body.as_deref(),
        doc.byline_sources.shown.as_deref(),
        doc.site_name.as_deref(),
        url.or(declared_url.as_ref()),
    );
    if doc.dir.is_none() && doc.blocks.iter().any(|b| crate::text::is_rtl(&b.text)) {
        doc.dir = Some("rtl".into());
    }
    doc
}

/// Words before a region's word in a token that says whether a layout has
/// one ("has-sidebar", "with-sidebar", "no-sidebar", "without-comments").
const LAYOUT_PREFIXES: &[&str] = &["has", "with", "no", "without"];

/// Words after a region's word in a token that say whether a layout shows
/// one ("sidebar-enabled", "sidebar-disabled", "sidebar-enabled--false",
/// "comments_off").
const LAYOUT_MODIFIERS: &[&str] = &["enabled", "disabled", "true", "false", "none", "on", "off"];

/// True when a class or id token holds one of `words` as the name of the
/// region itself ("sidebar", "sidebar-left", "site-sidebar"), not in a
/// token that describes a layout: the word is the second group of
/// `words` (a match without one names the region). The safety net and the
/// article's markup read class and id names so alike.
fn names_region(token: &str, words: &Regex) -> bool {
    // Most tokens of a value that matches hold none of the words: a plain
    // match tells them at a fraction of the cost of the captures.
    if !words.is_match(token) {
        return false;
    }
    let mut at = 0;
    while let Some(m) = words.captures_at(token, at) {
        let Some(word) = m.get(2) else {
            return true;
        };
        if !describes_layout(&token[..word.start()], &token[word.end()..]) {
            return true;
        }
        at = word.end();
    }
    false
}

/// True when the parts of a token around a region's word make it a word of
/// layout: a story wrapper whose layout has or lacks the region, named by
/// a prefix ([`LAYOUT_PREFIXES`]: "has-sidebar", "page-without-sidebar")
/// or by modifiers alone after it ([`LAYOUT_MODIFIERS`], BEM's `--x`
/// too: "sidebar-enabled--false"), not the region itself.
fn describes_layout(before: &str, after: &str) -> bool {
    let parts = |s: &str| -> Vec<String> {
        s.split(['-', '_'])
            .filter(|p| !p.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let before = parts(before);
    let after = parts(after);
    before
        .last()
        .is_some_and(|w| LAYOUT_PREFIXES.contains(&w.as_str()))
        || (!after.is_empty() && after.iter().all(|w| LAYOUT_MODIFIERS.contains(&w.as_str())))
}

/// The value of attribute `name` of `el`, as [`Element::attr`] finds it (no
/// namespace, no prefix). A scan of the element's few attributes: `attr`
/// interns `name` as an atom and binary-searches by atom order, which costs
/// several times more, and extraction asks several attributes of every
/// element.
fn attr<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    attrs(el).find(|&(n, _)| n == name).map(|(_, value)| value)
}

/// True for a tooltip set inside the text: an inline element shown only
/// while the pointer rests on the term before it, as a glossary's
/// definition is (`role="tooltip"`, or the element whose `id` the element
/// just before it names as its description or label, `aria-describedby`,
/// `aria-labelledby`). Its text is not part of the sentence it sits in.
fn is_tooltip(e: scraper::ElementRef<'_>) -> bool {
    let v = e.value();
    if attr(v, "role") == Some("tooltip") {
        return true;
    }
    let Some(id) = attr(v, "id").filter(|id| !id.is_empty()) else {
        return false;
    };
    e.prev_siblings()
        .find_map(scraper::ElementRef::wrap)
        .is_some_and(|term| {
            ["aria-describedby", "aria-labelledby"].iter().any(|a| {
                attr(term.value(), a)
                    .is_some_and(|ids| ids.split_ascii_whitespace().any(|t| t == id))
            })
        })
}

/// True for inline elements, which neither break blocks nor separate words
/// (the safety net reads the page with the same notion).
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "span"
            | "em"
            | "strong"
            | "b"
            | "i"
            | "a"
            | "u"
            | "s"
            | "small"
            | "sup"
            | "sub"
            | "abbr"
            | "time"
            | "mark"
            | "cite"
            | "q"
            | "code"
            | "font"
            | "ins"
            | "del"
            | "dfn"
            | "kbd"
            | "var"
            | "bdi"
            | "bdo"
            | "data"
    )
}

/// An element's text as a reader sees it, white space folded: words in
/// separate blocks inside it (a headline and its standfirst, a teaser's
/// title and summary, lines split by `<br>`) stay apart.
fn reader_text(e: scraper::ElementRef<'_>) -> String {
    text_as_read(e, false, false)
}

/// An element's text as [`reader_text`] reads it, but with each block
/// (a paragraph, a heading, a list item, a line ended by `<br>`) on a line
/// of its own: a story's text, whose paragraphs a passage quoting it must
/// not run together. Joined by spaces, its lines are [`reader_text`].
fn reader_paragraphs(e: scraper::ElementRef<'_>) -> String {
    text_as_read(e, false, true)
}

/// The text of a name line (a byline) as a reader sees it: as
/// [`reader_text`], and also apart where a lower-case letter meets a capital
/// across an element's edge ("By<a>Amy Roe</a>", "Roe<span>Staff Writer"),
/// which the site's style spaces out.
fn name_line_text(e: scraper::ElementRef<'_>) -> String {
    text_as_read(e, true, false)
}

fn text_as_read(
    e: scraper::ElementRef<'_>,
    apart_at_case_change: bool,
    paragraphs: bool,
) -> String {
    // Where an element that is not inline starts or ends: a space, or a
    // line break when paragraphs stay apart (but for an image or a word
    // break inside a paragraph).
    let apart = |name: &str| {
        if paragraphs && !matches!(name, "img" | "wbr") {
            '\n'
        } else {
            ' '
        }
    };
    use ego_tree::iter::Edge;
    use scraper::Node;
    let mut raw = String::new();
    // A script or style inside: nobody reads it.
    let mut unread = None;
    // An inline element's edge since the last text.
    let mut edge_passed = false;
    for edge in e.traverse() {
        match edge {
            Edge::Open(node) if unread.is_none() => match node.value() {
                Node::Text(t) => {
                    let glued = raw.chars().next_back().is_some_and(char::is_lowercase)
                        && t.chars().next().is_some_and(char::is_uppercase);
                    if apart_at_case_change && edge_passed && glued {
                        raw.push(' ');
                    }
                    if paragraphs && t.contains(['\n', '\r']) {
                        // A line break in the markup is a space to a reader.
                        raw.push_str(&t.replace(['\n', '\r'], " "));
                    } else {
                        raw.push_str(t);
                    }
                    edge_passed = false;
                }
                Node::Element(el) if matches!(el.name(), "script" | "style" | "template") => {
                    unread = Some(node.id());
                }
                Node::Element(el) if !is_inline(el.name()) => raw.push(apart(el.name())),
                Node::Element(_) => edge_passed = true,
                _ => {}
            },
            Edge::Close(node) if unread == Some(node.id()) => unread = None,
            Edge::Close(node) if unread.is_none() => {
                if let Node::Element(el) = node.value() {
                    if is_inline(el.name()) {
                        edge_passed = true;
                    } else {
                        raw.push(apart(el.name()));
                    }
                }
            }
            _ => {}
        }
    }
    if !paragraphs {
        return crate::text::clean(&raw);
    }
    let lines: Vec<String> = raw
        .split('\n')
        .map(crate::text::clean)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// The attributes of `el` without namespace or prefix (all of them but in
/// SVG and MathML), as (name, value).
fn attrs(el: &Element) -> impl Iterator<Item = (&str, &str)> {
    own_attrs(el).map(|(n, value)| (&**n, value))
}

/// [`attrs`] with their names as atoms, which compare as one integer.
fn own_attrs(el: &Element) -> impl Iterator<Item = (&html5ever::LocalName, &str)> {
    el.attrs
        .iter()
        .filter(|(n, _)| n.prefix.is_none() && n.ns == html5ever::ns!())
        .map(|(n, value)| (&n.local, &**value))
}

/// The answers of a test of attribute values (a class or an id against the
/// words that name boilerplate), each value tested once per page: a page
/// repeats the same few class names on many of its elements, and a regex
/// over a string costs more than looking the string up (with a hash made
/// for short keys: SipHash would cost about as much as the regex).
struct Memo<'a, T> {
    answers: rustc_hash::FxHashMap<&'a str, T>,
}

impl<'a, T: Copy> Memo<'a, T> {
    fn new() -> Memo<'a, T> {
        Memo {
            answers: rustc_hash::FxHashMap::default(),
        }
    }

    /// `test(value)`, from the answer given before when there is one.
    fn get(&mut self, value: &'a str, test: impl FnOnce(&str) -> T) -> T {
        *self.answers.entry(value).or_insert_with(|| test(value))
    }
}

/// The attributes of an element that extraction reads about it, from one
/// pass over them.
#[derive(Default)]
struct Marks<'a> {
    class: Option<&'a str>,
    id: Option<&'a str>,
    role: Option<&'a str>,
    rel: Option<&'a str>,
    itemprop: Option<&'a str>,
    style: Option<&'a str>,
    /// A `hidden` attribute.
    hidden: bool,
    /// `aria-hidden="true"`.
    aria_hidden: bool,
}

impl<'a> Marks<'a> {
    fn of(el: &'a Element) -> Marks<'a> {
        use html5ever::local_name;
        let mut marks = Marks::default();
        // Names compared as atoms: their text is not read.
        for (name, value) in own_attrs(el) {
            if *name == local_name!("class") {
                marks.class = Some(value);
            } else if *name == local_name!("id") {
                marks.id = Some(value);
            } else if *name == local_name!("role") {
                marks.role = Some(value);
            } else if *name == local_name!("rel") {
                marks.rel = Some(value);
            } else if *name == local_name!("itemprop") {
                marks.itemprop = Some(value);
            } else if *name == local_name!("style") {
                marks.style = Some(value);
            } else if *name == local_name!("hidden") {
                marks.hidden = true;
            } else if *name == local_name!("aria-hidden") {
                marks.aria_hidden = value == "true";
            }
        }
        marks
    }
}
