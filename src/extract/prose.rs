//! The safety net's view of a page: the substantial prose that is on the
//! page but not in the extracted article.
//!
//! Extraction can drop a paragraph of the story; an edit there would then
//! go unseen. So the baseline also keeps the page's other prose (paragraphs
//! of running text, not links, headings or page furniture), and comparison
//! reports a change there as a change of lower confidence. What is kept is
//! chosen so that the churn of a news page stays out of it:
//! - navigation, the page's header (not an article's, which may hold its
//!   standfirst) and footer, sidebars, dialogs, hidden and script elements, and regions named like furniture (comments, related
//!   stories, sign-up, consent and cookie banners, share bars, ads);
//! - text that is mostly links (teasers, link lists) or too short to be a
//!   paragraph (labels, headlines, captions);
//! - teaser cards: a short text next to a linked headline, in a region
//!   holding little else.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use regex::Regex;
use scraper::{ElementRef, Html, Node};

use crate::document::Block;
use crate::text;

/// Words a block needs to count as prose.
const MIN_WORDS: usize = 8;

/// Largest share of a prose block's characters that may be link text.
const MAX_LINK_SHARE: f32 = 0.3;

/// Words a teaser card may hold besides its summary: a linked headline and
/// a dateline, not an article.
const CARD_EXTRA_WORDS: u32 = 40;

/// At most this many prose blocks are kept, in page order.
const MAX_BLOCKS: usize = 60;

/// At most this many words of prose are kept (the rest of a very long page
/// is not watched by the net).
const MAX_WORDS: usize = 4000;

/// Elements whose content is never prose of the page.
const SKIP_TAGS: &[&str] = &[
    "head",
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "nav",
    "aside",
    "footer",
    "button",
    "select",
    "textarea",
    "input",
    "dialog",
    "menu",
    "iframe",
    "object",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "label",
    "option",
];

/// class/id words of page furniture: comments, related and recommended
/// stories, sign-up, consent and cookie boxes, share bars, ads, author boxes.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[-_\s])(comments?|commentary-list|replies|related|recommend(ed|ations)?|recirc(ulation)?|more-?stories|most-?(read|popular|viewed|shared)|popular|trending|newsletter|signup|sign-up|subscribe|subscription|promo|cookies?|consent|gdpr|cmp|privacy|banner|modal|popup|overlay|share|sharing|social|ad|ads|advert|advertisement|sponsor(ed)?|author-?bio|bio|breadcrumbs?|sidebar|widget|footer|masthead|menu|toolbar|disclaimer|visually-hidden|sr-only)([-_\s]|$)",
    )
    .expect("static regex")
});

/// ARIA roles of regions that are not the page's content.
const SKIP_ROLES: &[&str] = &[
    "navigation",
    "complementary",
    "banner",
    "contentinfo",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "search",
];

/// Elements that end one block of text and start another.
fn breaks_text(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "td"
            | "th"
            | "blockquote"
            | "pre"
            | "address"
            | "details"
            | "summary"
            | "fieldset"
            | "form"
            | "center"
            | "body"
            | "hr"
    )
}

/// True when an element (and all it holds) is never prose of the page.
fn skipped(e: ElementRef<'_>) -> bool {
    let v = e.value();
    if SKIP_TAGS.contains(&v.name()) {
        return true;
    }
    if v.attr("hidden").is_some()
        || v.attr("aria-hidden") == Some("true")
        || v.attr("aria-modal") == Some("true")
        || v.attr("role")
            .is_some_and(|r| SKIP_ROLES.contains(&r.trim()))
    {
        return true;
    }
    if v.attr("style").is_some_and(|s| {
        let s: String = s
            .split_whitespace()
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    }) {
        return true;
    }
    if matches!(v.name(), "body" | "html" | "main" | "article") {
        return false;
    }
    // The article body itself is never furniture, whatever its class says.
    if v.attr("itemprop")
        .is_some_and(|p| p.contains("articleBody"))
    {
        return false;
    }
    [v.attr("class"), v.attr("id")]
        .into_iter()
        .flatten()
        .any(|s| FURNITURE.is_match(s))
}

/// A run of text between two block boundaries, being collected.
#[derive(Default)]
struct Run {
    text: String,
    link_chars: usize,
    chars: usize,
}

/// What is known of an element once it is closed: its words, and whether
/// it holds a headline that links to another page.
#[derive(Clone, Copy, Default)]
struct Extent {
    words: u32,
    linked_heading: bool,
}

/// A prose candidate: its text, and the element that holds it.
struct Candidate {
    text: String,
    parent: Option<NodeId>,
    grandparent: Option<NodeId>,
}

/// The page's prose outside the article `kept`: paragraphs of at least
/// [`MIN_WORDS`] words, mostly not links, outside page furniture and teaser
/// cards, each once, in page order, within [`MAX_BLOCKS`] and [`MAX_WORDS`].
pub(super) fn outside(dom: &Html, kept: &[Block]) -> Vec<String> {
    let kept_words = kept
        .iter()
        .map(|b| key(&b.text))
        .collect::<Vec<_>>()
        .join(" ");
    let (candidates, extents) = candidates(dom);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut words = 0;
    for c in candidates {
        let k = key(&c.text);
        let n = text::word_count(&c.text);
        if kept_words.contains(&k) || !seen.insert(k) || is_teaser(&c, n, &extents) {
            continue;
        }
        if out.len() == MAX_BLOCKS || words + n > MAX_WORDS {
            break;
        }
        words += n;
        out.push(c.text);
    }
    out
}

/// Words of a text as comparison sees them, separated by single spaces.
fn key(s: &str) -> String {
    text::words(&text::compare_key(s))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A short text in a small region that also holds a linked headline: the
/// summary of a teaser card.
fn is_teaser(c: &Candidate, words: usize, extents: &HashMap<NodeId, Extent>) -> bool {
    [c.parent, c.grandparent]
        .into_iter()
        .flatten()
        .filter_map(|id| extents.get(&id))
        .any(|e| e.linked_heading && e.words <= words as u32 + CARD_EXTRA_WORDS)
}

/// Walks the body once: the runs of text long enough to be prose and
/// mostly not links, and the extent of every element.
fn candidates(dom: &Html) -> (Vec<Candidate>, HashMap<NodeId, Extent>) {
    let mut out = Vec::new();
    let mut extents: HashMap<NodeId, Extent> = HashMap::new();
    // Open elements: (id, extent so far); skipped subtrees are not entered.
    let mut open: Vec<(NodeId, Extent)> = Vec::new();
    let mut skipping: Option<NodeId> = None;
    let mut links = 0usize;
    let mut headings = 0usize;
    // Open `<article>` and `<main>` elements: a header inside is the story's.
    let mut stories = 0usize;
    let mut run = Run::default();
    let flush = |run: &mut Run, open: &[(NodeId, Extent)], out: &mut Vec<Candidate>| {
        let r = std::mem::take(run);
        let t = text::clean(&r.text);
        if text::word_count(&t) >= MIN_WORDS
            && (r.link_chars as f32) <= MAX_LINK_SHARE * r.chars.max(1) as f32
        {
            let mut parents = open.iter().rev().map(|(id, _)| *id);
            out.push(Candidate {
                text: t,
                parent: parents.next(),
                grandparent: parents.next(),
            });
        }
    };
    let root = dom
        .root_element()
        .children()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "body")
        .unwrap_or(dom.root_element());
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => {
                        let chars = t.chars().filter(|c| !c.is_whitespace()).count();
                        run.chars += chars;
                        if links > 0 {
                            run.link_chars += chars;
                        }
                        run.text.push_str(t);
                        let w = text::word_count(t) as u32;
                        if let Some(top) = open.last_mut() {
                            top.1.words += w;
                        }
                    }
                    Node::Element(el) => {
                        let Some(e) = ElementRef::wrap(node) else {
                            continue;
                        };
                        let name = el.name();
                        if is_heading(name) || (name == "a" && links_away(el)) {
                            // A linked headline: a link in a heading or a heading in a link.
                            let linked = if name == "a" {
                                headings > 0 || has_heading(e)
                            } else {
                                links > 0 || has_link_away(e)
                            };
                            if linked {
                                if let Some(top) = open.last_mut() {
                                    top.1.linked_heading = true;
                                }
                            }
                        }
                        let page_header = name == "header" && stories == 0;
                        if page_header || skipped(e) {
                            skipping = Some(node.id());
                            if breaks_text(name) || SKIP_TAGS.contains(&name) {
                                flush(&mut run, &open, &mut out);
                            }
                            continue;
                        }
                        if breaks_text(name) {
                            flush(&mut run, &open, &mut out);
                        } else if !is_inline(name) {
                            run.text.push(' ');
                        }
                        if name == "a" {
                            links += 1;
                        }
                        if is_heading(name) {
                            headings += 1;
                        }
                        if matches!(name, "article" | "main") {
                            stories += 1;
                        }
                        open.push((node.id(), Extent::default()));
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                    continue;
                }
                if skipping.is_some() {
                    continue;
                }
                let Node::Element(el) = node.value() else {
                    continue;
                };
                let name = el.name();
                if breaks_text(name) {
                    flush(&mut run, &open, &mut out);
                } else if !is_inline(name) {
                    run.text.push(' ');
                }
                if name == "a" {
                    links = links.saturating_sub(1);
                }
                if is_heading(name) {
                    headings = headings.saturating_sub(1);
                }
                if matches!(name, "article" | "main") {
                    stories = stories.saturating_sub(1);
                }
                if let Some((id, extent)) = open.pop() {
                    if let Some(parent) = open.last_mut() {
                        parent.1.words += extent.words;
                        parent.1.linked_heading |= extent.linked_heading;
                    }
                    extents.insert(id, extent);
                }
            }
        }
    }
    flush(&mut run, &open, &mut out);
    (out, extents)
}

/// Inline elements, which neither break blocks nor separate words.
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

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// A link to another page (not an anchor on this one).
fn links_away(a: &scraper::node::Element) -> bool {
    a.attr("href")
        .is_some_and(|h| !h.trim().is_empty() && !h.trim_start().starts_with('#'))
}

fn has_heading(e: ElementRef<'_>) -> bool {
    e.descendants()
        .any(|d| matches!(d.value(), Node::Element(x) if is_heading(x.name())))
}

fn has_link_away(e: ElementRef<'_>) -> bool {
    e.descendants()
        .any(|d| matches!(d.value(), Node::Element(x) if x.name() == "a" && links_away(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(html: &str, kept: &[&str]) -> Vec<String> {
        let kept: Vec<Block> = kept.iter().map(|k| Block::paragraph(k)).collect();
        outside(&Html::parse_document(html), &kept)
    }

    const P1: &str = "The court upheld the sentence on Monday, his lawyer told reporters outside.";
    const P2: &str =
        "He left the country on foot and is now in Europe, where he plans to keep working.";

    #[test]
    fn paragraphs_the_article_did_not_keep_are_prose_of_the_page() {
        let html =
            format!("<body><article><p>{P1}</p><div class=x><p>{P2}</p></div></article></body>");
        assert_eq!(prose(&html, &[P1]), vec![P2.to_string()]);
        assert!(prose(&html, &[P1, P2]).is_empty());
    }

    #[test]
    fn furniture_links_headings_and_teaser_cards_are_not() {
        let html = format!(
            r#"<body><header><p>{P1}</p></header>
            <div class="cookie-banner"><p>We use cookies to improve your experience on our site, you can change that.</p></div>
            <h2>A subheading that is long enough to count as eight words or more</h2>
            <p><a href="/a">A teaser that is all link text and long enough to count</a></p>
            <ul><li><a href="/b"><h3>Storm warning issued</h3></a><p>Forecasters expect strong gusts overnight and ask residents to avoid travel.</p></li></ul>
            <main><p>{P2}</p></main></body>"#
        );
        assert_eq!(prose(&html, &[]), vec![P2.to_string()]);
    }
}
