//! Page metadata: headline, byline, dates, canonical URL, language, direction.
//!
//! The headline and byline follow the precedence readers (Mozilla
//! Readability) use, so that a watch shows the title people see in reader
//! views: schema.org JSON-LD, then Dublin Core / OpenGraph / Twitter / Parse.ly
//! `<meta>` tags, then the `<title>` with its site suffix removed; the byline
//! falls back to the first visible element marked as an author.
//!
//! Everything is read in one walk over the parsed tree.

use std::collections::HashMap;
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use regex::{Regex, RegexSet};
use scraper::{ElementRef, Html, Node};
use serde_json::Value;
use url::Url;

use super::{attr, name_line_text, reader_text, Marks, Memo};
use crate::document::{Document, Masthead, Source, Sources};
use crate::text;

/// `<meta property>` values that carry metadata (space-separated lists allowed).
static META_PROPERTY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(article|dc|dcterm|og|twitter)\s*:\s*(author|creator|description|published_time|modified_time|title|site_name)\s*")
        .expect("static regex")
});

/// `<meta name>` values that carry metadata.
static META_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\s*[-.:]\s*)?(author|creator|pub-date|description|title|site_name)\s*$")
        .expect("static regex")
});

/// class/id words of elements that name the author.
const BYLINE_CLASS: &str = r"(?i)byline|author|dateline|writtenby|p-author";

/// class/id words of page regions that are not the article (comments,
/// sidebars, ...): an author name there is not the article's.
const UNLIKELY: &str = r"(?i)-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote";

/// class/id words that keep an otherwise unlikely region.
const MAYBE_CANDIDATE: &str = r"(?i)and|article|body|column|content|main|mathjax|shadow";

/// [`BYLINE_CLASS`], [`UNLIKELY`] and [`MAYBE_CANDIDATE`], in this order,
/// all matched in one pass over a class or id.
static BYLINE_SEARCH_NAMES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([BYLINE_CLASS, UNLIKELY, MAYBE_CANDIDATE]).expect("static regex")
});

/// What the class and id of an element say to the byline search.
#[derive(Clone, Copy)]
struct Named {
    /// Like an author's name line ([`BYLINE_CLASS`]).
    byline: bool,
    /// Like a region that is not the article ([`UNLIKELY`]).
    unlikely: bool,
    /// Like the article's container ([`MAYBE_CANDIDATE`]).
    maybe_candidate: bool,
}

impl Named {
    /// What the class and id in `marks` say, each value matched once per
    /// page (`seen`).
    fn of<'a>(marks: &Marks<'a>, seen: &mut Memo<'a, [bool; 3]>) -> Named {
        let mut named = [false; 3];
        // The patterns hold no white space: matching the class and the id
        // apart is matching them joined.
        for s in [marks.class, marks.id].into_iter().flatten() {
            let said = seen.get(s, |s| {
                let mut said = [false; 3];
                // Most values match none: one plain match tells them, at a
                // fraction of the cost of finding every pattern matched.
                if BYLINE_SEARCH_NAMES.is_match(s) {
                    BYLINE_SEARCH_NAMES
                        .matches(s)
                        .iter()
                        .for_each(|i| said[i] = true);
                }
                said
            });
            for (n, s) in named.iter_mut().zip(said) {
                *n |= s;
            }
        }
        let [byline, unlikely, maybe_candidate] = named;
        Named {
            byline,
            unlikely,
            maybe_candidate,
        }
    }
}

/// schema.org types of articles.
static ARTICLE_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|BlogPosting|LiveBlogPosting|DiscussionForumPosting|TechArticle|APIReference)$")
        .expect("static regex")
});

/// What one walk over the page collects.
#[derive(Default)]
struct Scan {
    /// Normalised `<meta>` key to content (the last one wins, as in readers).
    meta: HashMap<String, String>,
    /// `<meta>` contents by raw name/property/itemprop, first one wins.
    raw_meta: HashMap<String, String>,
    /// Texts of the `application/ld+json` scripts.
    json_ld: Vec<String>,
    /// The first `<title>`.
    title: Option<String>,
    /// Texts of the `<h1>` and `<h2>` headings (for the title rules).
    h1: Vec<String>,
    h2: Vec<String>,
    /// The visible `<h1>` headings (for the headline shown).
    shown_h1: Vec<ShownH1>,
    /// The first `<link rel=canonical>` href.
    canonical: Option<String>,
    /// The first `<time datetime>` value.
    time: Option<String>,
    /// The text of the first visible element marked as the author.
    byline: Option<String>,
}

/// A visible `<h1>` heading.
struct ShownH1 {
    /// Its text.
    text: String,
    /// Whether all of it is link text (a teaser's headline, a logo).
    linked: bool,
}

/// What [`read`] finds on a page.
pub(super) struct Metadata {
    /// The page's metadata in an otherwise empty [`Document`].
    pub(super) doc: Document,
    /// The article text the page declares in its schema.org JSON-LD
    /// (`articleBody`), as plain text with one paragraph a line; whether it
    /// is sound is for the content detection to judge.
    pub(super) article_body: Option<String>,
}

/// Reads the metadata of a parsed page.
pub(super) fn read(dom: &Html, url: Option<&Url>) -> Metadata {
    let scan = scan(dom);
    let articles: Vec<JsonLd> = scan
        .json_ld
        .iter()
        .filter_map(|s| json_ld_article(s))
        .collect();
    // Headline, author and dates come from strict JSON only, as in readers
    // (JSON.parse); the article text also from scripts with raw line breaks.
    let ld = articles.iter().find(|a| a.strict).map(|a| &a.value);
    let article_body = articles
        .iter()
        .filter_map(|a| a.value.get("articleBody").and_then(Value::as_str))
        .map(article_body_text)
        .find(|b| !b.is_empty());
    let doc_title = scan.title.as_deref().map(text::clean).unwrap_or_default();
    // The first of these tags the page has: its name and value.
    let meta_tag = |keys: &[&'static str]| {
        keys.iter()
            .find_map(|k| scan.meta.get(*k).filter(|v| !v.is_empty()).map(|v| (*k, v)))
            .map(|(k, v)| (k, unescape(v)))
    };
    let meta = |keys: &[&'static str]| meta_tag(keys).map(|(_, v)| v);
    let raw = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| scan.raw_meta.get(*k).filter(|v| !v.is_empty()))
            .map(|v| text::clean(v))
    };
    let ld_str = |k: &str| {
        ld.as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(unescape)
            .filter(|s| !s.is_empty())
    };

    let headline_meta = meta_tag(&[
        "dc:title",
        "dcterm:title",
        "og:title",
        "weibo:article:title",
        "weibo:webpage:title",
        "title",
        "twitter:title",
        "parsely-title",
    ]);
    let mut headline_sources = Sources {
        json_ld: ld.as_ref().and_then(|v| ld_title(v, &scan)),
        meta_tag: headline_meta.as_ref().map(|(k, _)| k.to_string()),
        meta: headline_meta.map(|(_, v)| v),
        document_title: Some(title_from_document(&doc_title, &scan)).filter(|t| !t.is_empty()),
        shown: None,
    };
    headline_sources.shown = shown_headline(&scan, &headline_sources);
    // The headline readers (Readability) show: the declared one first.
    let title = [Source::JsonLd, Source::Meta, Source::DocumentTitle]
        .into_iter()
        .find_map(|s| headline_sources.get(s))
        .map(str::to_string);
    let article_author = scan
        .meta
        .get("article:author")
        .filter(|a| Url::parse(a).is_err())
        .map(|a| ("article:author", unescape(a)));
    // A "byline" of 200 characters or more is not a name line.
    let name_line = |b: &String| !b.is_empty() && text::reading_len(b) < 200;
    let byline_meta = meta_tag(&["dc:creator", "dcterm:creator", "author", "parsely-author"])
        .or(article_author)
        .filter(|(_, b)| name_line(b));
    let byline_sources = Sources {
        json_ld: ld
            .as_ref()
            .and_then(|v| v.get("author"))
            .and_then(author_names)
            .filter(name_line),
        meta_tag: byline_meta.as_ref().map(|(k, _)| k.to_string()),
        meta: byline_meta.map(|(_, v)| v),
        shown: scan.byline.as_deref().map(text::clean).filter(name_line),
        document_title: None,
    };
    let byline = [Source::JsonLd, Source::Meta, Source::Shown]
        .into_iter()
        .find_map(|s| byline_sources.get(s))
        .map(str::to_string);
    let published = ld_str("datePublished")
        .or_else(|| meta(&["article:published_time", "parsely-pub-date"]))
        .or_else(|| {
            raw(&[
                "datePublished",
                "pubdate",
                "publish-date",
                "date",
                "DC.date.issued",
            ])
        })
        .or_else(|| scan.time.as_deref().map(text::clean));
    let modified = ld_str("dateModified")
        .or_else(|| meta(&["article:modified_time"]))
        .or_else(|| raw(&["dateModified", "og:updated_time"]));
    let canonical = scan
        .canonical
        .as_deref()
        .or_else(|| scan.raw_meta.get("og:url").map(String::as_str))
        .and_then(|h| match url {
            Some(base) => base.join(h.trim()).ok().map(|u| u.to_string()),
            None => Url::parse(h.trim()).ok().map(|u| u.to_string()),
        });
    let Masthead {
        name: site_name,
        lang,
    } = masthead_of(dom, |key| {
        scan.raw_meta
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
            .map(|(_, v)| v.as_str())
    });
    let html_el = dom.root_element();
    let dir = attr(html_el.value(), "dir")
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| d == "rtl" || d == "ltr");
    let doc = Document {
        title,
        byline,
        published,
        modified,
        canonical_url: canonical,
        site_name,
        lang,
        dir,
        blocks: Vec::new(),
        headline_sources,
        byline_sources,
        other_prose: Vec::new(),
    };
    Metadata { doc, article_body }
}

/// The publication's name (`og:site_name`) and the language a page
/// declares, for a page read for its items only (a listing).
pub(super) fn masthead(dom: &Html) -> Masthead {
    static META: LazyLock<scraper::Selector> =
        LazyLock::new(|| scraper::Selector::parse("meta[content]").expect("static selector"));
    let metas: Vec<(&str, &str)> = dom
        .select(&META)
        .flat_map(|m| {
            let content = attr(m.value(), "content").unwrap_or("");
            ["property", "name", "http-equiv"]
                .into_iter()
                .filter_map(move |a| attr(m.value(), a).map(|k| (k.trim(), content)))
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    masthead_of(dom, |key| {
        metas
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| *v)
    })
}

/// The masthead of a page whose `<meta>` contents `meta` finds by name
/// (the first of each): the language of `<html lang>` (or `xml:lang`),
/// else of `og:locale`, `language` or `Content-Language`.
fn masthead_of<'m>(dom: &'m Html, meta: impl Fn(&str) -> Option<&'m str>) -> Masthead {
    let html_el = dom.root_element();
    let lang = ["lang", "xml:lang"]
        .into_iter()
        .filter_map(|a| attr(html_el.value(), a))
        .chain(
            ["og:locale", "language", "content-language"]
                .into_iter()
                .filter_map(&meta),
        )
        .find_map(text::language_tag);
    let name = meta("og:site_name").map(unescape).filter(|n| !n.is_empty());
    Masthead { name, lang }
}

/// An HTML tag (`<p>`, `</a>`, `<br/>`), as CMSs leave them in `articleBody`.
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>").expect("static regex"));

/// Elements whose tags end a paragraph.
const BREAKING_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
];

/// The plain text of a JSON-LD `articleBody`: entities decoded, tags (some
/// CMSs put the HTML there, some escape it) removed, one paragraph a line.
fn article_body_text(raw: &str) -> String {
    let decoded = html_escape::decode_html_entities(raw);
    let untagged = TAG.replace_all(&decoded, |c: &regex::Captures<'_>| {
        if BREAKING_TAGS.contains(&c[2].to_ascii_lowercase().as_str()) {
            "\n"
        } else {
            ""
        }
    });
    let lines: Vec<String> = untagged
        .lines()
        .map(text::clean)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// Walks the page once, collecting what [`read`] needs.
fn scan(dom: &Html) -> Scan {
    let mut scan = Scan::default();
    // Subtrees that are invisible or not the article: no byline there.
    let mut skip_byline: Option<NodeId> = None;
    // Subtrees nobody sees: no headline shown there.
    let mut hidden: Option<NodeId> = None;
    let mut seen = Memo::new();
    for edge in dom.root_element().traverse() {
        let node = match edge {
            Edge::Open(node) => node,
            Edge::Close(node) => {
                if skip_byline == Some(node.id()) {
                    skip_byline = None;
                }
                if hidden == Some(node.id()) {
                    hidden = None;
                }
                continue;
            }
        };
        let Node::Element(el) = node.value() else {
            continue;
        };
        let Some(e) = ElementRef::wrap(node) else {
            continue;
        };
        let marks = Marks::of(el);
        let visible = is_visible(&marks);
        if hidden.is_none()
            && (matches!(el.name(), "script" | "style" | "noscript" | "template")
                || !visible
                || marks.class.is_some_and(hidden_by_class))
        {
            hidden = Some(node.id());
        }
        match el.name() {
            "meta" => read_meta(&mut scan, e),
            "script" => {
                if attr(el, "type").is_some_and(|t| t.trim() == "application/ld+json") {
                    scan.json_ld.push(e.text().collect());
                }
                skip_byline.get_or_insert(node.id());
            }
            "style" | "noscript" | "template" => {
                skip_byline.get_or_insert(node.id());
            }
            "title" if scan.title.is_none() => scan.title = Some(e.text().collect()),
            "h1" => {
                let t = reader_text(e);
                if hidden.is_none() && !t.is_empty() {
                    let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
                    let linked = e
                        .descendants()
                        .filter_map(ElementRef::wrap)
                        .filter(|d| d.value().name() == "a")
                        .map(|a| a.text().map(visible).sum::<usize>())
                        .sum::<usize>()
                        >= visible(&t);
                    scan.shown_h1.push(ShownH1 {
                        text: t.clone(),
                        linked,
                    });
                }
                scan.h1.push(t);
            }
            "h2" => scan.h2.push(reader_text(e)),
            "link"
                if scan.canonical.is_none()
                    && attr(el, "rel").is_some_and(|r| {
                        r.split_whitespace()
                            .any(|r| r.eq_ignore_ascii_case("canonical"))
                    }) =>
            {
                scan.canonical = attr(el, "href").map(str::to_string);
            }
            "time" if scan.time.is_none() => scan.time = attr(el, "datetime").map(str::to_string),
            _ => {}
        }
        if scan.byline.is_none() && skip_byline.is_none() {
            if !visible {
                skip_byline = Some(node.id());
            } else {
                let named = Named::of(&marks, &mut seen);
                if let Some(b) = byline_of(e, &marks, named) {
                    scan.byline = Some(b);
                } else if is_unlikely(e, &marks, named) {
                    skip_byline = Some(node.id());
                }
            }
        }
    }
    scan
}

/// Records a `<meta>` tag under its normalised key(s) and raw names.
fn read_meta(scan: &mut Scan, e: ElementRef<'_>) {
    let v = e.value();
    let Some(content) = attr(v, "content").map(str::trim).filter(|c| !c.is_empty()) else {
        return;
    };
    let mut matched = false;
    if let Some(property) = attr(v, "property") {
        if let Some(m) = META_PROPERTY.find(property) {
            let key: String = m.as_str().to_lowercase().split_whitespace().collect();
            scan.meta.insert(key, content.to_string());
            matched = true;
        }
    }
    if let Some(name) = attr(v, "name") {
        if !matched && META_NAME.is_match(name) {
            let key: String = name.to_lowercase().split_whitespace().collect();
            scan.meta.insert(key.replace('.', ":"), content.to_string());
        }
    }
    for raw in ["property", "name", "itemprop", "http-equiv"]
        .iter()
        .filter_map(|a| attr(v, a))
    {
        scan.raw_meta
            .entry(raw.trim().to_string())
            .or_insert_with(|| content.to_string());
    }
}

/// Readers' visibility test: no `display:none`/`visibility:hidden` style, no
/// `hidden`, no `aria-hidden="true"`.
fn is_visible(marks: &Marks<'_>) -> bool {
    !marks.hidden
        && !marks.style.is_some_and(style_hides)
        && (!marks.aria_hidden || marks.class.is_some_and(|c| c.contains("fallback-image")))
}

/// True for a `class` that hides its element with a CSS framework's utility
/// class (Bootstrap's `d-none` and `visually-hidden`, Tailwind's `hidden`,
/// `sr-only`, WordPress's `screen-reader-text`, ...) and shows it at no
/// screen size (`d-none d-md-block`, `hidden md:block` are shown on wider
/// screens). Screen-reader-only text is not what a reader sees either.
fn hidden_by_class(class: &str) -> bool {
    const HIDING: [&str; 8] = [
        "d-none",
        "hidden",
        "invisible",
        "sr-only",
        "visually-hidden",
        "screen-reader-text",
        "show-for-sr",
        "hide",
    ];
    let shown_somewhere = |t: &str| {
        t.contains(':')
            || t.strip_prefix("d-")
                .is_some_and(|rest| rest.contains('-') && !rest.ends_with("-none"))
    };
    let mut hides = false;
    for token in class.split_ascii_whitespace() {
        if shown_somewhere(token) {
            return false;
        }
        hides |= HIDING.contains(&token);
    }
    hides
}

/// True for an inline style that hides its element: `display:none` or
/// `visibility:hidden`, white space and ASCII case aside.
fn style_hides(style: &str) -> bool {
    const HIDING: [&[u8]; 2] = [b"display:none", b"visibility:hidden"];
    // How much of each declaration the characters read end with, white
    // space left out, ASCII case aside. A declaration's first letter is
    // nowhere else in it, so a character that breaks a partial match can
    // only start a new one.
    let mut matched = [0usize; 2];
    for c in style.chars().filter(|c| !c.is_whitespace()) {
        let c = c.to_ascii_lowercase();
        for (d, m) in HIDING.iter().zip(&mut matched) {
            *m = match c == char::from(d[*m]) {
                true => *m + 1,
                false => usize::from(c == char::from(d[0])),
            };
            if *m == d.len() {
                return true;
            }
        }
    }
    false
}

/// A page region that is not the article (comments, sidebars, menus, dialogs).
fn is_unlikely(e: ElementRef<'_>, marks: &Marks<'_>, named: Named) -> bool {
    let v = e.value();
    if matches!(
        marks.role,
        Some(
            "menu"
                | "menubar"
                | "complementary"
                | "navigation"
                | "alert"
                | "alertdialog"
                | "dialog"
        )
    ) {
        return true;
    }
    if matches!(v.name(), "body" | "a") {
        return false;
    }
    named.unlikely && !named.maybe_candidate
}

/// The byline an element holds, when it is marked as the author (rel,
/// itemprop or class/id) and its text is short enough to be a name line.
fn byline_of(e: ElementRef<'_>, marks: &Marks<'_>, named: Named) -> Option<String> {
    let marked = marks.rel == Some("author")
        || marks.itemprop.is_some_and(|p| p.contains("author"))
        || named.byline;
    if !marked {
        return None;
    }
    // Measured on the text as written, inner white space and all: an
    // element that holds a name and more (a date, a job title) runs past it
    // (in extraction's measure: a Chinese character is several).
    let written: String = e.text().collect();
    let len = text::reading_len(written.trim());
    if len == 0 || len >= 100 {
        return None;
    }
    let name = e
        .descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .find(|d| attr(d.value(), "itemprop").is_some_and(|p| p.contains("name")))
        .map(name_line_text);
    let name = name.unwrap_or_else(|| name_line_text(e));
    let dateline = !name.starts_with("BY ") && WIRE_DATELINE.is_match(&name);
    (!dateline).then_some(name)
}

/// A wire story's dateline, which a box named "dateline" often holds: the
/// place in capitals, then a date or the agency ("TEHRAN, May 13
/// (Reuters)", "BEIRUT (AP) —"). It names no author (a byline in capitals
/// starts with "BY ").
static WIRE_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Z][A-Z'.-]+ ?){1,3}(?:,\s*\p{L}+\.? \d{1,2}\b|,\s*\d{1,2} \p{L}+|\s*\()")
        .expect("static regex")
});

/// Share of words in common (Dice) from which an `<h1>` is the declared
/// headline as the page shows it; a site's logo shares none.
const SHOWN_HEADLINE_MATCH: f64 = 0.25;

/// The headline the reader sees: the first visible `<h1>` like the headline
/// the page declares (`<title>`, meta tags, JSON-LD; their headline part,
/// without the site's name). Among the `<h1>`s like it, one that
/// is not all link wins over linked ones (teasers of other stories set in
/// `<h1>`s). With no declared headline, a page's only visible `<h1>`.
///
/// The first, not the most like: which sources a page declares may change
/// from one fetch to the next (JSON-LD dropped by an SEO plugin), and a
/// heading after the story ("Next in your guide to Houston") may share
/// more small words with the `<title>` alone than the headline does. The
/// headline shown must not move to it.
fn shown_headline(scan: &Scan, declared: &Sources) -> Option<String> {
    let declared: Vec<&str> = declared
        .iter()
        .flat_map(|(_, v)| headline_parts(v))
        .collect();
    if declared.is_empty() {
        return match scan.shown_h1.as_slice() {
            [only] => Some(only.text.clone()),
            _ => None,
        };
    }
    scan.shown_h1
        .iter()
        .filter(|h| text::reading_len(&h.text) <= 300)
        .filter(|h| {
            declared
                .iter()
                .any(|d| word_overlap(&h.text, d) >= SHOWN_HEADLINE_MATCH)
        })
        .min_by_key(|h| h.linked)
        .map(|h| h.text.clone())
}

/// The headline part of a declared title: its longest part between
/// separators (" | Site", "Site - "); all of the longest when several are
/// as long ("Rivers rise, towns flood - The Valley Gazette Online").
fn headline_parts(title: &str) -> Vec<&str> {
    let mut parts = vec![title];
    for sep in SEPARATORS {
        let pattern = format!(" {sep} ");
        parts = parts
            .iter()
            .flat_map(|p| p.split(pattern.as_str()))
            .collect();
    }
    let longest = parts.iter().map(|p| js_word_count(p.trim())).max();
    parts.retain(|p| Some(js_word_count(p.trim())) == longest);
    parts
}

/// Dice coefficient of two texts' sets of (lower-cased, folded) words.
fn word_overlap(a: &str, b: &str) -> f64 {
    let set = |s: &str| -> std::collections::HashSet<String> {
        text::words(&text::compare_key(s))
            .map(str::to_lowercase)
            .collect()
    };
    let (a, b) = (set(a), set(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(&b).count() as f64 / (a.len() + b.len()) as f64
}

/// Characters that separate a page's title from its site's name.
const SEPARATORS: &[char] = &['|', '-', '–', '\\', '/', '>', '»'];

/// The title from the `<title>`: without a site suffix (" | Site",
/// " - Site") or prefix ("Site: "), unless that leaves too little.
fn title_from_document(orig: &str, scan: &Scan) -> String {
    let separator_at = |s: &str| -> Vec<usize> {
        s.char_indices()
            .filter(|&(i, c)| {
                SEPARATORS.contains(&c)
                    && s[..i].ends_with(' ')
                    && s[i + c.len_utf8()..].starts_with(' ')
            })
            .map(|(i, _)| i - 1)
            .collect()
    };
    let mut cur = orig.to_string();
    let mut hierarchical = false;
    let seps = separator_at(orig);
    if let Some(&last) = seps.last() {
        hierarchical = seps
            .iter()
            .any(|&i| matches!(orig[i + 1..].chars().next(), Some('\\' | '/' | '>' | '»')));
        cur = orig[..last].to_string();
        if js_word_count(&cur) < 3 {
            // Drop the first part instead.
            cur = match orig.char_indices().find(|(_, c)| SEPARATORS.contains(c)) {
                Some((i, c)) => orig[i + c.len_utf8()..].to_string(),
                None => orig.to_string(),
            };
        }
    } else if orig.contains(": ") {
        let is_heading = scan.h1.iter().chain(&scan.h2).any(|h| h == orig.trim());
        if !is_heading {
            let last = orig.rfind(':').expect("contains ': '");
            cur = orig[last + 1..].to_string();
            let first = orig.find(':').expect("contains ': '");
            if js_word_count(&cur) < 3 {
                cur = orig[first + 1..].to_string();
            } else if js_word_count(&orig[..first]) > 5 {
                cur = orig.to_string();
            }
        }
    } else {
        let len = orig.encode_utf16().count();
        if !(15..=150).contains(&len) && scan.h1.len() == 1 {
            cur = scan.h1[0].clone();
        }
    }
    let cur = text::clean(&cur);
    let words = js_word_count(&cur);
    let orig_words_without_separators = js_word_count(&orig.replace(SEPARATORS, ""));
    if words <= 4 && (!hierarchical || words + 1 != orig_words_without_separators) {
        return orig.to_string();
    }
    cur
}

/// Word count as readers compute it: runs of white space plus one; but a
/// part written without spaces (Chinese, Japanese, Thai) counts the words
/// extraction measures in it ([`text::word_count`]), not one.
fn js_word_count(s: &str) -> usize {
    let mut runs = 0;
    let mut in_space = false;
    for c in s.chars() {
        let space = c.is_whitespace();
        if space && !in_space {
            runs += 1;
        }
        in_space = space;
    }
    let unspaced = s
        .split_whitespace()
        .filter(|part| part.chars().any(text::written_without_spaces))
        .map(|part| text::word_count(part).max(1) - 1)
        .sum::<usize>();
    runs + 1 + unspaced
}

/// The headline of a JSON-LD article: `name` and `headline` when equal; when
/// they differ, the one close to the document title (sites put their own name
/// in `name`).
fn ld_title(v: &Value, scan: &Scan) -> Option<String> {
    let name = v.get("name").and_then(Value::as_str);
    let headline = v.get("headline").and_then(Value::as_str);
    let t = match (name, headline) {
        // `name` is the headline with the site's name appended.
        (Some(n), Some(h)) if n != h && n.starts_with(h) && is_site_suffix(&n[h.len()..]) => h,
        (Some(n), Some(h)) if n != h => {
            let doc_title = title_from_document(
                &scan.title.as_deref().map(text::clean).unwrap_or_default(),
                scan,
            );
            if similarity(h, &doc_title) > 0.75 && similarity(n, &doc_title) <= 0.75 {
                h
            } else {
                n
            }
        }
        (Some(n), _) => n,
        (None, Some(h)) => h,
        (None, None) => return None,
    };
    Some(unescape(t)).filter(|t| !t.is_empty())
}

/// True for the tail of a page title that names the site: " - Site",
/// " | Site" (a [`SEPARATORS`] character, then a name).
fn is_site_suffix(tail: &str) -> bool {
    let tail = tail.trim_start();
    tail.starts_with(SEPARATORS) && tail.chars().filter(|c| c.is_alphanumeric()).count() >= 2
}

/// Share of `b`'s text (by length) made of words that also occur in `a`.
fn similarity(a: &str, b: &str) -> f64 {
    let tokens = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let unique: Vec<&str> = tb
        .iter()
        .filter(|t| !ta.contains(t))
        .map(String::as_str)
        .collect();
    1.0 - unique.join(" ").len() as f64 / tb.join(" ").len() as f64
}

/// Metadata text: HTML entities left in by the CMS decoded, white space folded.
fn unescape(s: &str) -> String {
    text::clean(&html_escape::decode_html_entities(s))
}

/// The schema.org article object of one JSON-LD script, if it holds one.
fn json_ld_article(raw: &str) -> Option<JsonLd> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("<![CDATA[").unwrap_or(raw);
    let raw = raw.strip_suffix("]]>").unwrap_or(raw);
    let raw = raw.trim();
    let (v, strict) = match serde_json::from_str(raw) {
        Ok(v) => (v, true),
        Err(_) => (
            serde_json::from_str(&escape_control_chars(raw)).ok()?,
            false,
        ),
    };
    article_object(v).map(|value| JsonLd { value, strict })
}

/// A schema.org article object read from a JSON-LD script.
struct JsonLd {
    value: Value,
    /// False when it only parsed with its raw control characters escaped.
    strict: bool,
}

/// The schema.org article object of a parsed JSON-LD script, if it holds one.
fn article_object(v: Value) -> Option<Value> {
    let v = match v {
        Value::Array(items) => items.into_iter().find(is_article)?,
        v => v,
    };
    let schema = |s: &str| {
        let s = s.trim_end_matches('/');
        s == "http://schema.org" || s == "https://schema.org"
    };
    let context_ok = match v.get("@context") {
        Some(Value::String(s)) => schema(s),
        Some(Value::Object(o)) => o.get("@vocab").and_then(Value::as_str).is_some_and(schema),
        _ => false,
    };
    if !context_ok {
        return None;
    }
    if v.get("@type").is_none() {
        if let Some(Value::Array(graph)) = v.get("@graph") {
            return graph.iter().find(|i| is_article(i)).cloned();
        }
    }
    is_article(&v).then_some(v)
}

/// `raw` with the control characters inside JSON strings escaped: CMSs
/// write raw line breaks into `articleBody`, which strict JSON forbids.
fn escape_control_chars(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 64);
    let (mut in_string, mut escaped) = (false, false);
    for c in raw.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            } else if u32::from(c) < 0x20 {
                match c {
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    _ => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                }
                continue;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
    }
    out
}

fn is_article(v: &Value) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => ARTICLE_TYPE.is_match(t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .any(|t| ARTICLE_TYPE.is_match(t)),
        _ => false,
    }
}

/// The author names of a JSON-LD `author`: one object's name, or the names
/// of a list of objects joined with ", ".
fn author_names(v: &Value) -> Option<String> {
    let names: Vec<String> = match v {
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .map(unescape)
            .into_iter()
            .collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.get("name").and_then(Value::as_str))
            .map(unescape)
            .collect(),
        _ => vec![],
    };
    let names: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_of(html: &str) -> Document {
        read(&Html::parse_document(html), None).doc
    }

    fn body_of(html: &str) -> Option<String> {
        read(&Html::parse_document(html), None).article_body
    }

    #[test]
    fn json_ld_article_body_comes_as_plain_text_one_paragraph_a_line() {
        let html = r#"<html><head><script type="application/ld+json">
            {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "H",
             "articleBody": "<p>First &amp; foremost.</p><p>Second <a href=\"/x\">line</a>.</p>"}
            </script></head><body></body></html>"#;
        assert_eq!(
            body_of(html).as_deref(),
            Some("First & foremost.\nSecond line.")
        );
        // Escaped markup is markup too; "a < b" is text.
        let html = r#"<script type="application/ld+json">{"@context": "http://schema.org", "@type": "Article",
            "articleBody": "One &lt;br/&gt;Two, where a &lt; b."}</script>"#;
        assert_eq!(body_of(html).as_deref(), Some("One\nTwo, where a < b."));
    }

    #[test]
    fn json_ld_with_raw_line_breaks_gives_its_article_text_only() {
        let html = "<script type=\"application/ld+json\">{\"@context\": \"https://schema.org\", \"@type\": \"NewsArticle\",\n \"headline\": \"Head\tline\",\n \"articleBody\": \"Para one.\n\nPara two.\"}</script>";
        let meta = read(&Html::parse_document(html), None);
        // Readers' JSON.parse rejects the script: no headline from it.
        assert_eq!(meta.doc.title, None);
        assert_eq!(meta.article_body.as_deref(), Some("Para one.\nPara two."));
    }

    #[test]
    fn json_ld_headline_and_authors_come_first() {
        let doc = meta_of(
            r#"<html><head><title>Site home | Example News</title>
            <meta property="og:title" content="OG title">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage","name":"Page"},
              {"@type":"NewsArticle","headline":"Rasoulof flees Iran &amp; arrives in Europe",
               "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"Ali Rezaei"}],
               "datePublished":"2024-05-13T09:00:00Z","dateModified":"2024-05-14T10:00:00Z"}]}</script>
            </head><body></body></html>"#,
        );
        assert_eq!(
            doc.title.as_deref(),
            Some("Rasoulof flees Iran & arrives in Europe")
        );
        assert_eq!(doc.byline.as_deref(), Some("Jane Doe, Ali Rezaei"));
        assert_eq!(doc.published.as_deref(), Some("2024-05-13T09:00:00Z"));
        assert_eq!(doc.modified.as_deref(), Some("2024-05-14T10:00:00Z"));
    }

    #[test]
    fn a_json_ld_name_that_is_the_headline_plus_the_site_name_yields_the_headline() {
        let doc = meta_of(
            r#"<head><title>Rasoulof flees Iran after his sentence - Example Times</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
              "name":"Rasoulof flees Iran after his sentence - Example Times",
              "headline":"Rasoulof flees Iran after his sentence"}</script></head>"#,
        );
        assert_eq!(
            doc.title.as_deref(),
            Some("Rasoulof flees Iran after his sentence")
        );
    }

    #[test]
    fn meta_tags_come_before_the_document_title() {
        let doc = meta_of(
            r#"<head><title>Ignored | Site</title><meta property="og:title" content="Film-maker flees Iran">
            <meta name="author" content="Jane Doe"><meta property="article:published_time" content="2024-05-13">
            <link rel="canonical" href="https://news.example.org/a"></head>"#,
        );
        assert_eq!(doc.title.as_deref(), Some("Film-maker flees Iran"));
        assert_eq!(doc.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(doc.published.as_deref(), Some("2024-05-13"));
        assert_eq!(
            doc.canonical_url.as_deref(),
            Some("https://news.example.org/a")
        );
    }

    #[test]
    fn document_title_loses_its_site_suffix() {
        let title = |t: &str| meta_of(&format!("<title>{t}</title>")).title.unwrap();
        assert_eq!(
            title("Iranian filmmaker flees the country | Example News"),
            "Iranian filmmaker flees the country"
        );
        assert_eq!(
            title("Iranian filmmaker flees the country – Example"),
            "Iranian filmmaker flees the country"
        );
        // Too little left: the whole title stays.
        assert_eq!(
            title("Short one - Example News"),
            "Short one - Example News"
        );
    }

    #[test]
    fn each_source_of_the_headline_and_byline_is_kept_with_the_one_shown() {
        let doc = meta_of(
            r#"<head><title>Director flees the country | Example News</title>
            <meta property="og:title" content="Watch: the director's escape">
            <meta name="author" content="Jane Doe">
            <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
              "headline":"Director flees the country after verdict","author":{"@type":"Person","name":"J. Doe"}}</script></head>
            <body><h1><a href="/">Example News</a></h1><h1 hidden>Director flees the country</h1>
            <h1>Director flees</h1><div class="byline">By Jane Doe</div></body>"#,
        );
        let h = &doc.headline_sources;
        assert_eq!(h.shown.as_deref(), Some("Director flees"));
        // Too little is left without the site's name: readers keep it.
        assert_eq!(
            h.document_title.as_deref(),
            Some("Director flees the country | Example News")
        );
        assert_eq!(h.meta.as_deref(), Some("Watch: the director's escape"));
        assert_eq!(
            h.json_ld.as_deref(),
            Some("Director flees the country after verdict")
        );
        assert_eq!(doc.title.as_deref(), h.json_ld.as_deref());
        let b = &doc.byline_sources;
        assert_eq!(b.shown.as_deref(), Some("By Jane Doe"));
        assert_eq!(b.meta.as_deref(), Some("Jane Doe"));
        assert_eq!(b.json_ld.as_deref(), Some("J. Doe"));
        assert_eq!(doc.byline.as_deref(), Some("J. Doe"));
    }

    #[test]
    fn the_headline_shown_is_found_when_the_title_is_half_site_name() {
        // Without JSON-LD, the `<title>` is all that is declared, and its
        // site name is as long as its headline: the logo is not the headline.
        let doc = meta_of(
            r#"<head><title>Rivers rise, towns flood - The Valley Gazette Online</title></head>
            <body><h1><a href="/">The Valley Blog</a></h1><h1>Rivers rise, towns flood</h1></body>"#,
        );
        assert_eq!(
            doc.headline_sources.shown.as_deref(),
            Some("Rivers rise, towns flood")
        );
    }

    #[test]
    fn words_in_separate_blocks_of_a_headline_stay_apart() {
        // A headline and its standfirst set in one `<h1>`: "basics" and "A"
        // are two words, not "basicsA".
        let doc = meta_of(
            r#"<head><title>Tax 101: Understanding the basics | Money Desk</title></head>
            <body><h1><div><p>Tax 101: Understanding the basics</p><h4>A guide to the taxes Americans pay</h4></div></h1></body>"#,
        );
        assert_eq!(
            doc.headline_sources.shown.as_deref(),
            Some("Tax 101: Understanding the basics A guide to the taxes Americans pay")
        );
        let doc = meta_of(
            r#"<head><title>Rivers rise | Valley News</title></head><body><h1>Rivers rise<br>Towns <em>flood</em></h1></body>"#,
        );
        assert_eq!(
            doc.headline_sources.shown.as_deref(),
            Some("Rivers rise Towns flood")
        );
    }

    #[test]
    fn an_h1_hidden_by_a_utility_class_is_not_the_headline_shown() {
        // The page keeps a hidden copy of its headline beside the visible
        // `<h1>` that also holds the standfirst: the headline shown is the
        // visible one, whichever sources the page declares.
        let page = |head: &str| {
            meta_of(&format!(
                r#"<head>{head}</head><body>
                <h1 class="field heading d-none">Tax 101: Understanding the basics</h1>
                <h1><p>Tax 101: Understanding the basics</p><p>A guide to the taxes Americans pay, and why</p></h1></body>"#
            ))
        };
        let visible =
            "Tax 101: Understanding the basics A guide to the taxes Americans pay, and why";
        for head in [
            r#"<title>What are taxes and why do we pay them? | Money Desk</title><meta property="og:title" content="Tax 101: Understanding the basics">"#,
            "<title>What are taxes and why do we pay them? | Money Desk</title>",
        ] {
            assert_eq!(
                page(head).headline_sources.shown.as_deref(),
                Some(visible),
                "{head}"
            );
        }
        // Shown on wider screens: the headline. Read by screen readers
        // only: not what a reader sees (here the site's name).
        for body in [
            r#"<h1 class="d-none d-md-block">Rivers rise</h1>"#,
            r#"<h1 class="hidden md:block">Rivers rise</h1>"#,
            r#"<h1 class="sr-only">Valley News</h1><h1>Rivers rise</h1>"#,
            r#"<h1 class="visually-hidden">Valley News</h1><h1>Rivers rise</h1>"#,
            r#"<h1 class="screen-reader-text">Valley News</h1><h1>Rivers rise</h1>"#,
        ] {
            let doc = meta_of(&format!(
                "<head><title>Rivers rise | Valley News</title></head><body>{body}</body>"
            ));
            assert_eq!(
                doc.headline_sources.shown.as_deref(),
                Some("Rivers rise"),
                "{body}"
            );
        }
    }

    #[test]
    fn the_headline_shown_stays_the_first_h1_like_it_when_json_ld_goes() {
        // A heading after the story shares more small words with the
        // `<title>` alone ("in", "to", "Houston") than the headline does;
        // with or without JSON-LD, the headline shown is the first like it.
        let page = |json_ld: &str| {
            format!(
                r#"<head><title>Where to bike in Houston | City Mag</title>{json_ld}</head>
                <body><h1>The best trails and neighborhoods in Houston for biking</h1>
                <p>Story text.</p><h1>Next in your guide to being outside in Houston</h1></body>"#
            )
        };
        let with = page(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"The best trails and neighborhoods in Houston for biking"}</script>"#,
        );
        for html in [with, page("")] {
            assert_eq!(
                meta_of(&html).headline_sources.shown.as_deref(),
                Some("The best trails and neighborhoods in Houston for biking"),
                "{html}"
            );
        }
    }

    #[test]
    fn an_h1_that_is_all_link_is_a_teaser_not_the_headline_shown() {
        // Teasers of other stories set in `<h1>`s can share more words with
        // the declared title than the story's own headline does.
        let doc = meta_of(
            r#"<head><title>Where to swim in Lisbon | City Mag</title></head>
            <body><h1>The best beaches and pools in Lisbon for swimming</h1>
            <div class="more"><h1><a href="/eat">Where to eat in Lisbon</a></h1>
            <h1><a href="/run">Where to run in Lisbon</a></h1></div></body>"#,
        );
        assert_eq!(
            doc.headline_sources.shown.as_deref(),
            Some("The best beaches and pools in Lisbon for swimming")
        );
        // A headline that links to its own page is still shown.
        let doc = meta_of(
            r#"<head><title>Where to swim in Lisbon | City Mag</title></head>
            <body><h1><a href="/swim">Where to swim in Lisbon this summer</a></h1></body>"#,
        );
        assert_eq!(
            doc.headline_sources.shown.as_deref(),
            Some("Where to swim in Lisbon this summer")
        );
    }

    #[test]
    fn a_wire_dateline_in_a_box_named_dateline_is_no_byline() {
        for dateline in [
            "TEHRAN, May 13 (Herald)",
            "BEIRUT (AP) —",
            "NEW YORK, 13 May",
        ] {
            let doc = meta_of(&format!(
                r#"<body><p class="dateline">{dateline}</p><div class="byline">By Jane Doe</div></body>"#
            ));
            assert_eq!(doc.byline.as_deref(), Some("By Jane Doe"), "{dateline}");
        }
        // A byline in capitals is still one.
        let doc = meta_of(r#"<body><p class="dateline">BY JANE DOE, May 13</p></body>"#);
        assert_eq!(doc.byline.as_deref(), Some("BY JANE DOE, May 13"));
    }

    #[test]
    fn byline_falls_back_to_the_first_visible_author_element_outside_comments() {
        let doc = meta_of(
            r#"<body><div class="comments"><span class="author">Commenter</span></div>
            <span class="byline" style="display:none">Hidden Name</span>
            <div class="byline">By <a rel="author"><span itemprop="name">Jane Doe</span></a></div></body>"#,
        );
        assert_eq!(doc.byline.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn a_byline_set_in_pieces_without_spaces_reads_as_separate_words() {
        // The site's style spaces "By", the name and the job title apart.
        let doc = meta_of(
            r#"<body><div class="byline"><span>By</span><a href="/amy">Amy Roeder</a><span>Staff Writer</span></div></body>"#,
        );
        assert_eq!(doc.byline.as_deref(), Some("By Amy Roeder Staff Writer"));
        // A name split by markup within a word stays one word.
        let doc =
            meta_of(r#"<body><div class="byline">By Jane <b>D</b>oe-<i>S</i>mith</div></body>"#);
        assert_eq!(doc.byline.as_deref(), Some("By Jane Doe-Smith"));
    }

    #[test]
    fn dates_fall_back_to_time_elements_and_language_and_direction_to_html() {
        let doc = meta_of(
            r#"<html lang="fa" dir="RTL"><body><time datetime="2024-05-13T08:00:00+03:30">۲۴ اردیبهشت</time></body></html>"#,
        );
        assert_eq!(doc.published.as_deref(), Some("2024-05-13T08:00:00+03:30"));
        assert_eq!(doc.lang.as_deref(), Some("fa"));
        assert_eq!(doc.dir.as_deref(), Some("rtl"));
    }
}
