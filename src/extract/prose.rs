//! The safety net's view of a page: the substantial prose that is on the
//! page but not in the extracted article.
//!
//! Extraction can drop a paragraph of the story; an edit there would then
//! go unseen. So the baseline also keeps the page's other prose (paragraphs
//! of running text, not links, headings or page furniture), and comparison
//! reports a change there as a change of lower confidence. What is kept is
//! chosen so that the churn of a news page stays out of it:
//! - navigation, the page's header (not an article's, which may hold its
//!   standfirst) and footer, sidebars, dialogs, scripts, and elements hidden
//!   with `aria-hidden` or `display:none` (but for a panel a disclosure
//!   control opens: a FAQ's collapsed answer is the page's prose),
//!   regions named like furniture (comments, consent and cookie banners,
//!   sidebars; not a token that describes a layout having or lacking one:
//!   "has-sidebar", "no-sidebar", "sidebar-enabled--false"),
//!   sections of readers' comments however named (a heading "3 responses",
//!   "Comments", "12 thoughts on …", or schema.org `Comment` markup),
//!   and small boxes named like sign-up, share or ad boxes (layouts give
//!   such names to the wrapper of a whole story too), or like related
//!   stories or the story's metadata (byline, dateline) while they hold at
//!   most one paragraph of prose (layouts name a part of the story so too),
//!   and a tooltip set inside a paragraph (a glossary term's definition,
//!   which the article leaves out of the sentence too);
//! - headings, but for the standfirst: the first heading after the page's
//!   `<h1>`, before any paragraph, when it reads as a sentence (a dek set
//!   as `<h2>`: outlets soften it as they soften the story);
//! - text that is mostly links (teasers, link lists), unless it sits among
//!   the article's own paragraphs;
//! - text that does not read like prose: too short to be a paragraph
//!   (labels, short captions), or without four words in a row that are not
//!   numbers (lines of counters and dates: "4 min read · 3,402 views",
//!   "Today is Thursday 3 December 2026");
//! - teaser cards: a short text next to a linked headline, in a region
//!   holding little else;
//! - figures (photos, embeds, charts), but for the captions of the story's
//!   own photos, without their credit ("Photo: AFP/Getty Images", "عکس:
//!   ایرنا"): a `<figcaption>` or an element of a `<figure>` named like a
//!   caption, in or right beside the element that holds the article's
//!   paragraphs, and an element named like a caption after a photo in a
//!   `<div>`, where a paragraph there would be read: outlets quietly rephrase captions ("killed by security
//!   forces" becoming "died in clashes"), and the article text leaves them
//!   out. Captions of other stories' photos (teaser cards, galleries below
//!   the story, boxes beside it) stay out.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use regex::Regex;
use scraper::{ElementRef, Html, Node};

use super::teaser::{has_heading, is_comments_heading, is_heading, is_read_also_label, links_away};
use super::{is_inline, is_tooltip, names_region};
use crate::document::{Block, Prose, ProseKind};
use crate::text;

/// Words a block needs to count as prose.
const MIN_WORDS: usize = 5;

/// Largest share of a prose block's characters that may be link text.
const MAX_LINK_SHARE: f32 = 0.3;

/// Words a block that is mostly link text needs to be watched when it sits
/// among the article's own paragraphs (a source or a product the story
/// links to, a paragraph that is one link).
const MIN_LINKED_WORDS: usize = 3;

/// Words a heading after the headline needs to be read as its standfirst
/// ([`standfirst_heading`]): a sentence, not a section's title.
const STANDFIRST_MIN_WORDS: usize = 8;

/// Words a teaser card may hold besides its summary: a linked headline and
/// a dateline, not an article.
const CARD_EXTRA_WORDS: u32 = 40;

/// At most this many prose blocks are kept, in page order.
const MAX_BLOCKS: usize = 100;

/// At most this many words of prose are kept (the rest of a very long page
/// is not watched by the net): enough for a whole story the extractor missed.
const MAX_WORDS: usize = 5000;

/// Elements whose content is never prose of the page.
const SKIP_TAGS: &[&str] = &[
    "head", "script", "style", "noscript", "template", "svg", "nav", "aside", "footer", "button",
    "select", "textarea", "input", "dialog", "menu", "iframe", "object", "h1", "h2", "h3", "h4",
    "h5", "h6", "label", "option", "time",
];

/// class/id words of regions that never hold the story: comments, consent
/// and cookie boxes, author boxes, menus.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[-_\s])(comments?|replies|disqus|cookies?|consent|gdpr|cmp|privacy|author-?bio|bio|breadcrumbs?|sidebar|footer|masthead|menu|toolbar|modal|popup|overlay|visually-hidden|sr-only)([-_\s]|$)",
    )
    .expect("static regex")
});

/// class/id words of small boxes that point to other stories
/// (recommended, most read: their teasers are told apart by structure
/// too), that sell or share (sign-up, promotion, share bars, ads, banners)
/// or run a ticker of headlines, which layouts also give to the wrappers of
/// a whole story or of a part of it ("newsletter-content"): furniture only
/// when it holds little text. "widget" is not among them: page builders
/// call every block of a story a widget.
static SMALL_FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[-_\s])(recommend(ed|ations)?|recirc(ulation)?|most-?(read|popular|viewed|shared)|popular|trending|newsletter|signup|sign-up|subscribe|subscription|promo|share|sharing|social|ad|ads|advert|advertisement|sponsor(ed)?|banner|ticker|disclaimer)([-_\s]|$)",
    )
    .expect("static regex")
});

/// class/id words of small boxes about the story: its metadata (byline,
/// dateline, a relative time that ticks) or what is related to it. Layouts
/// also name so a part of the story itself, after what sits beside it
/// ("story-and-related", "publish_time", "author-notes"), or the
/// wrapper of a whole story ("more-on-this-topic"): furniture only when it
/// holds little text and at most one paragraph of prose
/// ([`STORY_PARAGRAPHS`]); a byline or a date line is one line. The
/// headline and byline are compared on their own, source with source.
static ABOUT_STORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[-_\s])(related|byline|author|dateline|timestamp|date|time|published|updated)([-_\s]|$)",
    )
    .expect("static regex")
});

/// Paragraphs of prose (not a teaser card's summary, not a caption) from
/// which a small box named like [`ABOUT_STORY`] holds the story's own text
/// rather than its metadata or links to other stories.
const STORY_PARAGRAPHS: usize = 2;

/// Words up to which a region named like [`SMALL_FURNITURE`] is furniture.
const SMALL_FURNITURE_WORDS: u32 = 150;

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

/// class/id of an element of a figure that holds its caption
/// ("wp-caption-text", "image__caption", "articleCaption").
static CAPTION_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)caption").expect("static regex"));

/// class, id, `itemprop` or `data-` attribute of an element of a caption
/// that holds its credit, not its words ("credit", "image-copyright",
/// "photographer", "source", "copyrightHolder", `data-role="photo-credit"`).
static CREDIT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)credit|copyright|attribution|photographer|(^|[-_\s])(source|byline|author|rights|owner)([-_\s]|$)",
    )
    .expect("static regex")
});

/// Where a caption's credit starts: a label ("Photo:", "Photograph:",
/// "Photo by", "Image source,", "Credit:", "Courtesy of", "عکس:", "عکس از",
/// "تصویر:", "منبع:", "صورة:", "تصوير:", "المصدر:") or "©", at the start,
/// after punctuation, or after a space (then a Latin label must be
/// capitalised: "a photo by" is the caption's words).
static CREDIT_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?P<pre>^|[.;,:|(\[–—/·•-]\s*|\s)(?P<label>(?:photo(?:graph)?|picture|pic|image|foto|video|illustration|graphic)s?(?:\s+(?:credit|source)s?)?\s*(?:[:：]|\s+by\b)|(?:credit|source)s?\s*(?:[:：]|\.\.\.|…)|(?:image|photo)\s+source\s*,|courtesy(?:\s+of\b|\s*[:：])|(?:عکس|تصویر|عکاس|منبع|اعتبار|صورة|الصورة|تصوير|المصدر|مصدر)\s*[:：]|(?:عکس|تصویر)\s+از\s|©)",
    )
    .expect("static regex")
});

/// A caption's last words in brackets, when they are a credit's few words:
/// "(AFP/Getty Images)", "(ایرنا)".
static CREDIT_BRACKETS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*[(\[]([^()\[\]]*)[)\]]\W*$").expect("static regex"));

/// Words a caption's last words in brackets may hold to be its credit.
const CREDIT_BRACKET_WORDS: usize = 4;

/// A caption's words without its credit ([`CREDIT_TEXT`],
/// [`CREDIT_BRACKETS`]): a photo swapped for another of the same scene,
/// from another agency, is no edit of the story.
fn without_credit(caption: &str) -> String {
    // What is left once a credit is cut off: no separator left dangling.
    let cut = |t: &str| -> usize {
        t.trim_end_matches(|c: char| c.is_whitespace() || "([|–—/·•-,;:".contains(c))
            .len()
    };
    let mut end = caption.len();
    for m in CREDIT_TEXT.captures_iter(caption) {
        let (Some(pre), Some(label)) = (m.name("pre"), m.name("label")) else {
            continue;
        };
        let after_space = !pre.as_str().is_empty() && pre.as_str().trim().is_empty();
        let first = label.as_str().chars().next().unwrap_or(' ');
        if after_space && (first.is_lowercase() || label.as_str().contains(" از")) {
            continue;
        }
        end = cut(&caption[..label.start()]);
        break;
    }
    if let Some(m) = CREDIT_BRACKETS.captures(&caption[..end]) {
        if m.get(1)
            .is_some_and(|g| text::word_count(g.as_str()) <= CREDIT_BRACKET_WORDS)
        {
            end = cut(&caption[..m.get(0).map_or(end, |g| g.start())]);
        }
    }
    caption[..end].to_string()
}

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
            | "figure"
            | "figcaption"
    )
}

/// The ids of the panels a disclosure control opens: elements named by the
/// `aria-controls` of an element with `aria-expanded` (an accordion's or a
/// "read more" button), whose text a reader reveals with a click.
fn disclosed_panels(dom: &Html) -> HashSet<&str> {
    dom.tree
        .nodes()
        .filter_map(|n| match n.value() {
            Node::Element(el) if el.attr("aria-expanded").is_some() => el.attr("aria-controls"),
            _ => None,
        })
        .flat_map(str::split_ascii_whitespace)
        .collect()
}

/// True when an element (and all it holds) is never prose of the page:
/// scripts, navigation, dialogs, what is hidden from readers and assistive
/// technology alike (`aria-hidden`, `display:none`) unless it is a panel a
/// disclosure control opens (`panels`: a FAQ's collapsed answer).
fn skipped(e: ElementRef<'_>, panels: &HashSet<&str>) -> bool {
    let v = e.value();
    if SKIP_TAGS.contains(&v.name()) || is_inline(v.name()) && is_tooltip(e) {
        return true;
    }
    if v.attr("aria-modal") == Some("true")
        || v.attr("role")
            .is_some_and(|r| SKIP_ROLES.contains(&r.trim()))
    {
        return true;
    }
    // The `hidden` attribute is not a reason: pages hide the text a reader
    // reveals (tabs, "read more", answers of a FAQ) or a script shows at
    // once (content streamed in hidden by server-side rendering). Nor is
    // any hiding of a panel a control opens.
    if v.id().is_some_and(|id| panels.contains(id)) {
        return false;
    }
    if v.attr("aria-hidden") == Some("true") {
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
    false
}

/// True for an element of a caption that holds its credit: a `<cite>`, or
/// one named so ([`CREDIT_NAME`]) by its class, id, `itemprop` or a `data-`
/// attribute.
fn is_credit(e: ElementRef<'_>) -> bool {
    e.value().name() == "cite"
        || e.value().attrs().any(|(name, value)| {
            matches!(name, "class" | "id" | "itemprop") || name.starts_with("data-")
        } && CREDIT_NAME.is_match(value))
}

/// How a region is named, when it is named like furniture.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    /// Like [`FURNITURE`].
    Furniture,
    /// Like [`SMALL_FURNITURE`].
    SmallFurniture,
    /// Like [`ABOUT_STORY`].
    AboutStory,
}

/// How an element is named, when like furniture. The story's own
/// containers (`<article>`, `<main>`, `itemprop=articleBody`) never are.
fn furniture_name(e: ElementRef<'_>) -> Option<Named> {
    let v = e.value();
    if matches!(v.name(), "body" | "html" | "main" | "article")
        || v.attr("itemprop")
            .is_some_and(|p| p.contains("articleBody"))
    {
        return None;
    }
    if named(e, &FURNITURE) {
        Some(Named::Furniture)
    } else if named(e, &SMALL_FURNITURE) {
        Some(Named::SmallFurniture)
    } else if named(e, &ABOUT_STORY) {
        Some(Named::AboutStory)
    } else {
        None
    }
}

/// True when an element's class or id holds one of `words` ([`FURNITURE`],
/// [`SMALL_FURNITURE`], [`ABOUT_STORY`]: the word is their second group),
/// other than in a token that describes a layout ([`describes_layout`]).
fn named(e: ElementRef<'_>, words: &Regex) -> bool {
    let v = e.value();
    [v.attr("class"), v.attr("id")]
        .into_iter()
        .flatten()
        // Most names hold none of the words: one match over the whole
        // attribute before looking token by token.
        .filter(|s| words.is_match(s))
        .flat_map(str::split_ascii_whitespace)
        .any(|token| names_region(token, words))
}

/// True when an element comes after an image among its siblings: a photo
/// and its caption set in a `<div>`, not in a `<figure>` (`<div
/// class="news-image"><img …><div class="img-caption">`).
fn after_image(e: ElementRef<'_>) -> bool {
    e.prev_siblings().filter_map(ElementRef::wrap).any(|s| {
        matches!(s.value().name(), "img" | "picture")
            || s.descendants()
                .filter_map(ElementRef::wrap)
                .any(|d| matches!(d.value().name(), "img" | "picture"))
    })
}

/// The standfirst set as a heading: the first heading after the page's
/// first `<h1>`, with no paragraph between them, when it reads as a
/// sentence ([`STANDFIRST_MIN_WORDS`] words, prose, no link). Headings are
/// not prose of the page (section titles, teasers' headlines), but this
/// one is the story's summary, and an edit there is an edit of the story.
fn standfirst_heading(body: ElementRef<'_>) -> Option<NodeId> {
    let mut after_h1 = false;
    for e in body.descendants().filter_map(ElementRef::wrap) {
        let name = e.value().name();
        if !after_h1 {
            after_h1 = name == "h1";
            continue;
        }
        if name == "p" || name == "h1" {
            return None;
        }
        if is_heading(name)
            && !e
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "h1")
        {
            let t = text::clean(&e.text().collect::<Vec<_>>().join(" "));
            let sentence = text::word_count(&t) >= STANDFIRST_MIN_WORDS
                && reads_like_prose(&t)
                && !has_link_away(e);
            return sentence.then(|| e.id());
        }
    }
    None
}

/// The sections of readers' comments: the element that holds a heading
/// reading like one ([`is_comments_heading`]) or comments marked up as such
/// (schema.org `Comment`). Comments churn, and are not the story.
fn comment_sections(dom: &Html) -> HashSet<NodeId> {
    let mut out = HashSet::new();
    for n in dom.tree.nodes() {
        let Node::Element(el) = n.value() else {
            continue;
        };
        let marked = el
            .attr("itemprop")
            .is_some_and(|p| p.split_whitespace().any(|w| w == "comment"))
            || el
                .attr("itemtype")
                .is_some_and(|t| t.ends_with("/Comment") || t.ends_with("/UserComments"));
        if marked {
            out.insert(n.id());
            continue;
        }
        let heading =
            (is_heading(el.name()) && el.name() != "h1") || el.attr("role") == Some("heading");
        if !heading {
            continue;
        }
        let Some(e) = ElementRef::wrap(n) else {
            continue;
        };
        let t = text::clean(&e.text().collect::<Vec<_>>().join(" "));
        if !is_comments_heading(&t) {
            continue;
        }
        // The heading may sit in a wrapper of its own ("<div class=title><h3>").
        let mut region = n.parent();
        while let Some(r) = region {
            match ElementRef::wrap(r) {
                Some(re) if re.children().filter_map(ElementRef::wrap).count() == 1 => {
                    region = r.parent()
                }
                _ => break,
            }
        }
        if let Some(r) = region.filter(|r| {
            ElementRef::wrap(*r).is_some_and(|re| {
                !matches!(re.value().name(), "body" | "html" | "main" | "article")
            })
        }) {
            out.insert(r.id());
        }
    }
    out
}

/// Words in a row, none of them a number, that a block needs to read as
/// prose: a line of counters ("4 min read · 3,402 views"), of dates
/// ("Today is Thursday 3 December 2026") or of labels has none, and its
/// numbers tick. A line that has them is watched whether or not it ends
/// like a sentence: the story's own short lines ("A guide to common
/// services and their price ranges", "Please give credit for this item
/// to: …") do not.
const SENTENCE_RUN: usize = 4;

/// True when a block reads like prose: it holds [`SENTENCE_RUN`] words in
/// a row that are not numbers nor separated by a separator (`·`, `|`, `•`,
/// `/`). Text written without spaces is not measured so.
fn reads_like_prose(t: &str) -> bool {
    if t.chars().any(text::written_without_spaces) {
        return true;
    }
    let separator = |c: char| matches!(c, '·' | '|' | '•' | '/' | '¦' | '‧' | '∙' | '●');
    let mut best = 0;
    for part in t.split(separator) {
        let mut run = 0;
        for token in part.split_whitespace() {
            if token.chars().any(char::is_numeric) {
                run = 0;
            } else if token.chars().any(char::is_alphabetic) {
                run += 1;
                best = best.max(run);
            }
        }
    }
    best >= SENTENCE_RUN
}

/// A run of text between two block boundaries, being collected.
#[derive(Default)]
struct Run {
    text: String,
    /// Its text outside links.
    own_text: String,
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

/// A run of text of the page: its text, whether it reads like prose (long
/// enough, mostly not links) or is a line of links, the element that holds
/// it, and the regions around it named like furniture.
struct Candidate {
    text: String,
    prose: bool,
    linked: bool,
    parent: Option<NodeId>,
    grandparent: Option<NodeId>,
    great_grandparent: Option<NodeId>,
    furniture: Vec<(NodeId, Named)>,
    /// For a caption: the elements around its figure, innermost first.
    caption: Option<Vec<NodeId>>,
    /// For a caption: whether it is in a `<figure>`. One set beside its
    /// photo in a `<div>` is read where a paragraph there would be.
    in_figure: bool,
}

/// The page's prose outside the article `kept`: paragraphs of at least
/// [`MIN_WORDS`] words, mostly not links, that read like prose
/// ([`reads_like_prose`]), outside page furniture, comment sections and
/// teaser cards, each once, in page order, within [`MAX_BLOCKS`] and
/// [`MAX_WORDS`]. A line of links of [`MIN_LINKED_WORDS`] words or more
/// counts too when its element sits beside the article's own paragraphs
/// (in the element that holds one of them): what the extractor left out of
/// the story's flow because it links elsewhere, a sentence told in links, a
/// source; not a "Read more:" line, which recommends another story.
/// A region named like furniture is furniture unless it holds part of the
/// article (a layout wrapper); one named like a small box only while it
/// holds at most [`SMALL_FURNITURE_WORDS`] words, and one named like a
/// box about the story ([`ABOUT_STORY`]) only while it also holds fewer
/// than [`STORY_PARAGRAPHS`] paragraphs of prose. Each is a paragraph or,
/// read from a figure, a photo caption ([`ProseKind`]).
pub(super) fn outside(dom: &Html, kept: &[Block]) -> Vec<Prose> {
    let kept_keys: HashSet<String> = kept.iter().map(|b| key(&b.text)).collect();
    let kept_words = kept_keys.iter().cloned().collect::<Vec<_>>().join("\n");
    let (candidates, extents) = candidates(dom);
    let keys: Vec<String> = candidates.iter().map(|c| key(&c.text)).collect();
    // A region named like furniture that holds part of the detected article
    // is a layout wrapper ("content-with-sidebar", "share-container"); the
    // elements that hold the article's paragraphs are its flow.
    let mut holds_article: HashSet<NodeId> = HashSet::new();
    let mut article_flow: HashSet<NodeId> = HashSet::new();
    // The elements that hold the flow: a lead photo sits beside it.
    let mut around_flow: HashSet<NodeId> = HashSet::new();
    for (c, k) in candidates.iter().zip(&keys) {
        if kept_keys.contains(k) {
            holds_article.extend(c.furniture.iter().map(|(id, _)| *id));
            article_flow.extend(c.grandparent);
            around_flow.extend(c.great_grandparent);
        }
    }
    // A caption is watched when its figure is the story's: in the flow of
    // its paragraphs (at any depth), or right beside it (the figure's parent
    // or grandparent holds the flow), as a lead photo in the article's header.
    // One set in a `<div>` after its photo is read where a paragraph there
    // would be: layouts set such photos and captions in rows of their own
    // between the story's paragraphs, as they set its text.
    let storys_own = |c: &Candidate| {
        !c.in_figure
            || c.caption.as_ref().is_none_or(|around| {
                around.iter().any(|id| article_flow.contains(id))
                    || around.iter().take(2).any(|id| around_flow.contains(id))
            })
    };
    // Which candidates are a teaser card's text, asked once of each.
    let teasers: Vec<bool> = candidates
        .iter()
        .map(|c| is_teaser(c, text::word_count(&c.text), &extents))
        .collect();
    // The paragraphs of prose each box named like one about the story
    // holds: two or more are the story's own text.
    let mut paragraphs_in: HashMap<NodeId, usize> = HashMap::new();
    for (c, &teaser) in candidates.iter().zip(&teasers) {
        if c.prose && c.caption.is_none() && !teaser {
            for &(id, name) in &c.furniture {
                if name == Named::AboutStory {
                    *paragraphs_in.entry(id).or_default() += 1;
                }
            }
        }
    }
    let is_furniture = |c: &Candidate| {
        c.furniture.iter().any(|&(id, name)| {
            let small = || {
                extents
                    .get(&id)
                    .is_some_and(|e| e.words <= SMALL_FURNITURE_WORDS)
            };
            !holds_article.contains(&id)
                && match name {
                    Named::Furniture => true,
                    Named::SmallFurniture => small(),
                    Named::AboutStory => {
                        small() && paragraphs_in.get(&id).copied().unwrap_or(0) < STORY_PARAGRAPHS
                    }
                }
        })
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut words = 0;
    let in_flow = |c: &Candidate| {
        c.linked
            && [c.parent, c.grandparent]
                .into_iter()
                .flatten()
                .any(|id| article_flow.contains(&id))
    };
    let watched = candidates
        .into_iter()
        .zip(keys)
        .zip(teasers)
        .filter(|((c, _), _)| c.prose || in_flow(c));
    for ((c, k), teaser) in watched {
        let n = text::word_count(&c.text);
        if kept_keys.contains(&k)
            || kept_words.contains(&k)
            || !storys_own(&c)
            || is_furniture(&c)
            || teaser
            || !seen.insert(k)
        {
            continue;
        }
        if out.len() == MAX_BLOCKS || words + n > MAX_WORDS {
            break;
        }
        words += n;
        let kind = if c.caption.is_some() {
            ProseKind::Caption
        } else {
            ProseKind::Paragraph
        };
        out.push(Prose { kind, text: c.text });
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
/// summary of a teaser card, or the caption of its photo (the region around
/// the figure, or the one around that).
fn is_teaser(c: &Candidate, words: usize, extents: &HashMap<NodeId, Extent>) -> bool {
    let around_figure = c.caption.iter().flat_map(|around| around.iter().take(2));
    [c.parent, c.grandparent]
        .into_iter()
        .flatten()
        .chain(around_figure.copied())
        .filter_map(|id| extents.get(&id))
        .any(|e| e.linked_heading && e.words <= words as u32 + CARD_EXTRA_WORDS)
}

/// Walks the body once: the runs of text that read like prose, those in
/// regions named like furniture, and the extent of every element.
fn candidates(dom: &Html) -> (Vec<Candidate>, HashMap<NodeId, Extent>) {
    let panels = disclosed_panels(dom);
    let comments = comment_sections(dom);
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
    // Open elements named like furniture.
    let mut furniture: Vec<(NodeId, Named)> = Vec::new();
    // Open `<figure>` elements: of their text, only captions are read.
    let mut figures: Vec<NodeId> = Vec::new();
    // The open caption: its element, the elements around its figure
    // (around the caption itself when it is in no figure), innermost first,
    // and whether it is in a `<figure>`.
    let mut caption: Option<(NodeId, Vec<NodeId>, bool)> = None;
    let flush = |run: &mut Run,
                 open: &[(NodeId, Extent)],
                 furniture: &[(NodeId, Named)],
                 caption: Option<&(NodeId, Vec<NodeId>, bool)>,
                 out: &mut Vec<Candidate>| {
        let r = std::mem::take(run);
        let mut t = text::clean(&r.text);
        if caption.is_some() {
            t = without_credit(&t);
        }
        let words = text::word_count(&t);
        let mostly_links = (r.link_chars as f32) > MAX_LINK_SHARE * r.chars.max(1) as f32;
        let prose = words >= MIN_WORDS && !mostly_links && reads_like_prose(&t);
        // A "Read more: <a>…</a>" line points to another story, which sites
        // rotate between fetches; the story's own words are not in it.
        let linked = caption.is_none()
            && words >= MIN_LINKED_WORDS
            && mostly_links
            && !is_read_also_label(&r.own_text);
        // Short runs only tell which furniture-named regions hold the article.
        if prose || linked || (words > 0 && !furniture.is_empty()) {
            let mut parents = open.iter().rev().map(|(id, _)| *id);
            out.push(Candidate {
                text: t,
                prose,
                linked,
                parent: parents.next(),
                grandparent: parents.next(),
                great_grandparent: parents.next(),
                furniture: furniture.to_vec(),
                caption: caption.map(|(_, around, _)| around.clone()),
                in_figure: caption.is_some_and(|(_, _, in_figure)| *in_figure),
            });
        }
    };
    let root = dom
        .root_element()
        .children()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "body")
        .unwrap_or(dom.root_element());
    let standfirst = standfirst_heading(root);
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    // A figure's image, embed or credit is not read, only its caption.
                    Node::Text(_) if !figures.is_empty() && caption.is_none() => {}
                    Node::Text(t) => {
                        let chars = text::reading_chars(t) as usize;
                        run.chars += chars;
                        if links > 0 {
                            run.link_chars += chars;
                        } else {
                            run.own_text.push_str(t);
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
                                headings > 0 || has_heading(*e)
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
                        let is_standfirst = standfirst == Some(node.id());
                        if page_header || (skipped(e, &panels) && !is_standfirst) {
                            skipping = Some(node.id());
                            if breaks_text(name) || SKIP_TAGS.contains(&name) {
                                flush(&mut run, &open, &furniture, caption.as_ref(), &mut out);
                            }
                            continue;
                        }
                        // A caption's credit is not its words: a photo from
                        // another agency is no edit.
                        if caption.is_some() && is_credit(e) {
                            skipping = Some(node.id());
                            run.text.push(' ');
                            continue;
                        }
                        let opens_caption = caption.is_none()
                            && (name == "figcaption"
                                || (named(e, &CAPTION_NAME)
                                    && (!figures.is_empty() || after_image(e))));
                        if breaks_text(name) || is_standfirst || opens_caption {
                            flush(&mut run, &open, &furniture, caption.as_ref(), &mut out);
                        } else if !is_inline(name) {
                            run.text.push(' ');
                        }
                        if opens_caption {
                            let figure = figures
                                .last()
                                .and_then(|f| open.iter().position(|(id, _)| id == f))
                                .unwrap_or(open.len());
                            let around = open[..figure].iter().rev().map(|(id, _)| *id);
                            caption = Some((node.id(), around.collect(), !figures.is_empty()));
                        }
                        if name == "figure" {
                            figures.push(node.id());
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
                        let name_of = if comments.contains(&node.id()) {
                            Some(Named::Furniture)
                        } else {
                            furniture_name(e)
                        };
                        if let Some(name) = name_of {
                            furniture.push((node.id(), name));
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
                let closes_caption = caption.as_ref().is_some_and(|(id, _, _)| *id == node.id());
                if breaks_text(name) || standfirst == Some(node.id()) || closes_caption {
                    flush(&mut run, &open, &furniture, caption.as_ref(), &mut out);
                } else if !is_inline(name) {
                    run.text.push(' ');
                }
                if closes_caption {
                    caption = None;
                }
                if figures.last() == Some(&node.id()) {
                    figures.pop();
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
                if furniture.last().is_some_and(|(id, _)| *id == node.id()) {
                    furniture.pop();
                }
                // What a figure holds stays its own, as when figures were
                // not read: the regions around it measure only their text.
                let outermost_figure = name == "figure" && figures.is_empty();
                if let Some((id, extent)) = open.pop() {
                    if let Some(parent) = open.last_mut().filter(|_| !outermost_figure) {
                        parent.1.words += extent.words;
                        parent.1.linked_heading |= extent.linked_heading;
                    }
                    extents.insert(id, extent);
                }
            }
        }
    }
    flush(&mut run, &open, &furniture, caption.as_ref(), &mut out);
    (out, extents)
}

fn has_link_away(e: ElementRef<'_>) -> bool {
    e.descendants()
        .any(|d| matches!(d.value(), Node::Element(x) if x.name() == "a" && links_away(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(html: &str, kept: &[&str]) -> Vec<String> {
        kinded(html, kept).into_iter().map(|p| p.text).collect()
    }

    fn kinded(html: &str, kept: &[&str]) -> Vec<Prose> {
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
    fn a_tooltip_inside_a_paragraph_is_not_its_text() {
        // The article reads the paragraph without the term's definition
        // (extract::article): the safety net must read it so too, or the
        // paragraph would be prose the article left out.
        let html = format!(
            r#"<body><article><p>{P1}</p><p>Traffic and <dfn aria-labelledby="t1">keyword</dfn><span id="t1">Keyword: what users type into a search engine to find something.</span> rankings are now only directional, the report says.</p></article></body>"#
        );
        let kept = "Traffic and keyword rankings are now only directional, the report says.";
        assert!(prose(&html, &[P1, kept]).is_empty());
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

    #[test]
    fn a_standfirst_set_as_a_heading_after_the_headline_is_prose_of_the_page() {
        let dek = "Prices touted as discounts will remain unaffordable for many workers";
        let page = |between: &str, dek: &str| {
            format!(
                r#"<body><div class="top"><h1>Employers drop coverage for weight loss drugs</h1>{between}
                <div class="dek"><h2>{dek}</h2></div></div>
                <main><p>{P1}</p><h2>A subheading of the story that reads as a sentence too</h2><p>{P2}</p></main></body>"#
            )
        };
        assert_eq!(prose(&page("", dek), &[P1, P2]), vec![dek.to_string()]);
        // In Persian too.
        let fa = "قیمت‌هایی که تخفیف خوانده شدند برای بسیاری از کارگران گران خواهد ماند";
        assert_eq!(prose(&page("", fa), &[P1, P2]), vec![fa.to_string()]);
        // Not a section's title, a teaser's linked headline, or a heading
        // after the story has begun.
        assert!(prose(&page("", "Most read this week"), &[P1, P2]).is_empty());
        let linked = format!("<a href=\"/other\">{dek}</a>");
        assert!(prose(&page("", &linked), &[P1, P2]).is_empty());
        let story_begun = page(&format!("<p>{P1}</p>"), dek);
        assert!(prose(&story_begun, &[P1, P2]).is_empty());
    }

    #[test]
    fn a_collapsed_answer_a_reader_opens_is_prose_of_the_page_and_other_hidden_text_is_not() {
        // A FAQ's answers hidden until their question is clicked: an edit
        // there is an edit a reader can see.
        let answer = "Yes: the appeal was filed on Friday and the court will hear it next month.";
        let html = format!(
            r#"<body><article><p>{P1}</p></article>
            <section><h2>FAQ</h2>
            <button aria-expanded="false" aria-controls="faq-1">Was the sentence appealed?</button>
            <div id="faq-1" aria-hidden="true" style="height:0;overflow:hidden"><p>{answer}</p></div>
            <div id="faq-2" aria-hidden="true"><p>{P2}</p></div></section></body>"#
        );
        assert_eq!(prose(&html, &[P1]), vec![answer.to_string()]);
        let closed = html.replace(
            r#"aria-hidden="true" style="height:0;overflow:hidden""#,
            r#"style="display: none""#,
        );
        assert_eq!(prose(&closed, &[P1]), vec![answer.to_string()]);
    }

    #[test]
    fn blocks_a_page_builder_calls_widgets_are_prose_of_the_page() {
        let html = format!(
            r#"<body><article><div class="widget-container"><p>{P1}</p></div>
            <div class="widget-container"><p>{P2}</p></div></article></body>"#
        );
        assert_eq!(prose(&html, &[P1]), vec![P2.to_string()]);
    }

    #[test]
    fn a_wrapper_named_after_its_layouts_sidebar_is_not_a_sidebar() {
        // A class that says whether a layout has a sidebar names the story's
        // wrapper, not a sidebar; a sidebar is still furniture.
        let faq = "Yes: the appeal was filed on Friday and the court will hear it next month.";
        for layout in [
            "story sidebar-enabled--false",
            "layout has-sidebar",
            "page-with-sidebar",
            "no-sidebar",
            "without-sidebar",
            "sidebar-enabled",
            "sidebar_disabled",
            "comments-off",
        ] {
            let html = format!(
                r#"<body><article><p>{P1}</p></article>
                <div class="{layout}"><div class="faq"><p>{faq}</p></div></div></body>"#
            );
            assert_eq!(prose(&html, &[P1]), vec![faq.to_string()], "{layout}");
        }
        for furniture in ["sidebar", "sidebar-left", "site-sidebar", "has-x sidebar"] {
            let html = format!(
                r#"<body><article><p>{P1}</p></article>
                <div class="{furniture}"><div class="faq"><p>{faq}</p></div></div></body>"#
            );
            assert!(prose(&html, &[P1]).is_empty(), "{furniture}");
        }
    }

    #[test]
    fn a_region_named_related_is_furniture_only_while_it_holds_little() {
        let long = format!("<p>{P2} {P1} {P2}</p>").repeat(5);
        let html = format!(
            r#"<body><article><p>{P1}</p></article>
            <div class="related-guide">{long}</div>
            <div class="related"><p>Readers also liked the interview with the mayor last week.</p></div></body>"#
        );
        let got = prose(&html, &[P1]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with(P2));
    }

    #[test]
    fn a_box_named_like_related_material_or_metadata_is_watched_when_it_holds_paragraphs_of_prose()
    {
        // Layouts name a part of the story after what sits beside it
        // ("help-and-related", "publish_time"); two paragraphs of prose there
        // are the story's, where a byline or a date line is one line.
        for (first, second) in [
            (
                "If you need help with a legal problem, enter your address below to find an office near you.",
                "You can also call the helpline, which answers questions in English and in Persian.",
            ),
            (
                "اگر برای یک مشکل حقوقی کمک می‌خواهید، نشانی خود را بنویسید تا نزدیک‌ترین دفتر را پیدا کنید.",
                "می‌توانید با خط راهنما هم تماس بگیرید که به پرسش‌ها به فارسی و انگلیسی پاسخ می‌دهد.",
            ),
        ] {
            let html = format!(
                r#"<body><article><p>{P1}</p></article>
                <div id="help-and-related"><div class="intro"><p>{first}</p></div><p>{second}</p></div>
                <div class="post-date"><p>Published on Monday and updated later in the week</p></div>
                <div class="related"><ul><li><a href="/a"><h3>Storm warning issued</h3></a><p>Forecasters expect strong gusts overnight and ask residents to avoid travel.</p></li>
                <li><a href="/b"><h3>Roads closed</h3></a><p>Police closed the coastal road after a landslide early on Tuesday morning.</p></li></ul></div>
                <div class="newsletter-box"><p>Sign up to receive the day's top stories in your inbox every morning.</p><p>We will never share your address with anyone else, we promise.</p></div></body>"#
            );
            assert_eq!(
                prose(&html, &[P1]),
                vec![first.to_string(), second.to_string()]
            );
        }
    }

    #[test]
    fn a_line_of_links_among_the_articles_paragraphs_is_watched_and_elsewhere_not() {
        let html = format!(
            r#"<body><div class="story"><p>{P1}</p>
            <p><a href="/x">The court's ruling in full, as published on Monday evening</a></p>
            <p>{P2}</p></div>
            <div class="links"><p><a href="/y">Elections: how the vote was counted</a></p></div></body>"#
        );
        assert_eq!(
            prose(&html, &[P1, P2]),
            vec!["The court's ruling in full, as published on Monday evening".to_string()]
        );
    }

    #[test]
    fn a_read_more_line_among_the_articles_paragraphs_points_elsewhere_and_is_not_watched() {
        for line in [
            r#"<p>Read more: <a href="/x">Court upholds the sentence of the journalist</a></p>"#,
            r#"<p><strong>READ MORE</strong> <a href="/x">Court upholds the sentence of the journalist</a></p>"#,
            r#"<p>Also read - <a href="/x">Court upholds the sentence of the journalist</a></p>"#,
            r#"<p>بیشتر بخوانید: <a href="/x">دادگاه حکم زندان روزنامه‌نگار را تأیید کرد</a></p>"#,
            r#"<p><b>اقرأ أيضا:</b> <a href="/x">المحكمة تؤيد الحكم بسجن الصحفي</a></p>"#,
        ] {
            let html = format!(
                r#"<body><div class="story"><p>{P1}</p>
                {line}
                <p>{P2}</p></div></body>"#
            );
            assert_eq!(prose(&html, &[P1, P2]), Vec::<String>::new(), "{line}");
        }
    }

    #[test]
    fn lines_of_counters_and_dates_are_not_prose() {
        for line in [
            r##"<div class="meta">4 min read · 3,402 views · <a href="#c">12 comments</a></div>"##,
            r##"<div class="meta">۴ دقیقه مطالعه · ۳٬۴۰۲ بازدید · <a href="#c">۱۲ نظر</a></div>"##,
            r#"<div class="topbar"><span>Today is Thursday 3 December 2026 in Tehran</span></div>"#,
            r#"<div><span>امروز پنجشنبه ۱۲ آذر ۱۴۰۵ در تهران</span></div>"#,
        ] {
            let html = format!("<body>{line}<main><article><p>{P1}</p></article></main></body>");
            assert!(prose(&html, &[P1]).is_empty(), "{line}");
        }
    }

    #[test]
    fn a_ticker_of_headlines_is_not_prose_of_the_page() {
        let html = format!(
            r#"<body><div class="news-ticker"><strong>Breaking: Earthquake hits southern Iran, dozens feared dead</strong></div>
            <main><article><p>{P1}</p></article></main></body>"#
        );
        assert!(prose(&html, &[P1]).is_empty());
    }

    #[test]
    fn a_dropped_line_of_the_story_is_prose_of_the_page_in_any_script_sentence_or_not() {
        let fa = "دادگاه روز دوشنبه حکم را تأیید کرد، وکیل او به خبرنگاران گفت.";
        let dated = "He was arrested on 3 December 2026 in Tehran and held for two weeks.";
        // A short line of the story need not end like a sentence.
        let unended = "A guide to common legal services and their price ranges";
        let html = format!(
            "<body><article><p>{P1}</p><div><p>{fa}</p><p>{dated}</p><p>{unended}</p></div></article></body>"
        );
        assert_eq!(
            prose(&html, &[P1]),
            vec![fa.to_string(), dated.to_string(), unended.to_string()]
        );
    }

    #[test]
    fn readers_comments_are_not_prose_of_the_page_whatever_their_section_is_called() {
        for (heading, attrs) in [
            ("3 responses", r#"id="responses""#),
            ("One response to “Filmmaker flees Iran”", ""),
            (
                "12 thoughts on “Filmmaker flees Iran”",
                r#"class="discussion""#,
            ),
            ("Comments (2)", ""),
            ("۳ دیدگاه", ""),
        ] {
            let html = format!(
                r#"<body><main><article><p>{P1}</p></article>
                <section {attrs}><h3>{heading}</h3><div class="r"><b>Reader1</b><p>Great news, he is safe now and can keep making films.</p></div>
                <div class="r"><b>Reader2</b><p>I hope the actors who stayed behind are not punished for this.</p></div></section></main></body>"#
            );
            assert!(prose(&html, &[P1]).is_empty(), "{heading}");
        }
        let marked = format!(
            r#"<body><article><p>{P1}</p></article><div><div itemprop="comment" itemscope itemtype="https://schema.org/Comment"><p>Great news, he is safe now and can keep making films.</p></div></div></body>"#
        );
        assert!(prose(&marked, &[P1]).is_empty());
    }

    /// A story whose lead photo sits in the article's header, beside its
    /// body, and whose second photo sits among its paragraphs.
    fn story_with_photos(lead: &str, inline: &str) -> String {
        format!(
            r#"<body><main><article><header><h1>Protests in Zahedan</h1>
            <figure class="lead"><img src="/a.jpg" alt=""><figcaption>{lead}</figcaption></figure></header>
            <div class="body"><p>{P1}</p>
            <figure><img src="/b.jpg" alt=""><figcaption>{inline}</figcaption></figure>
            <p>{P2}</p></div></article></main></body>"#
        )
    }

    #[test]
    fn the_captions_of_the_storys_own_photos_are_prose_of_the_page() {
        let lead = "Protesters killed by security forces in Zahedan on Friday";
        let inline = "Mourners gather outside the main mosque of the city after the prayers";
        assert_eq!(
            kinded(&story_with_photos(lead, inline), &[P1, P2]),
            vec![Prose::caption(lead), Prose::caption(inline)],
            "watched as captions, which alerts call so"
        );
        // In Persian too.
        let fa = "معترضانی که روز جمعه در زاهدان به دست نیروهای امنیتی کشته شدند";
        let fa2 = "عزاداران پس از نماز بیرون مسجد جامع شهر گرد آمدند";
        assert_eq!(
            prose(&story_with_photos(fa, fa2), &[P1, P2]),
            vec![fa.to_string(), fa2.to_string()]
        );
        // A caption a layout names so, inside the figure, and a caption of
        // a figure wrapped deeper in the story's body.
        let html = format!(
            r#"<body><article><p>{P1}</p><div class="embed"><figure><div class="media"><img src="/c.jpg"></div>
            <div class="image-caption">{lead}</div></figure></div><p>{P2}</p></article></body>"#
        );
        assert_eq!(kinded(&html, &[P1, P2]), vec![Prose::caption(lead)]);
        // A photo and its caption in a `<div>` of their own, in no figure,
        // the caption's credit left out: a credit swapped is no edit.
        for credit in ["(Photo: AFP)", "(Photo: Reuters)"] {
            let html = format!(
                r#"<body><div class="news-image"><img src="/c.jpg" alt=""><div class="img-caption">{lead} {credit}</div></div>
                <div class="news-body"><p>{P1}</p><p>{P2}</p></div></body>"#
            );
            assert_eq!(kinded(&html, &[P1, P2]), vec![Prose::caption(lead)]);
        }
        // Set in a row of its own between rows of the story's paragraphs,
        // as page builders set them, it is read where a paragraph there
        // would be.
        let html = format!(
            r#"<body><div class="row"><div class="col"><p>{P1}</p></div></div>
            <div class="row"><div class="col"><div class="media"><div class="img"><img src="/c.jpg"></div><div class="caption">{lead}</div></div></div></div>
            <div class="row"><div class="col"><p>{P2}</p></div></div></body>"#
        );
        assert_eq!(kinded(&html, &[P1, P2]), vec![Prose::caption(lead)]);
        // Named like a caption with no photo before it, it is a paragraph.
        let html = format!(
            r#"<body><div class="news-body"><div class="caption-note">{inline}</div><p>{P1}</p><p>{P2}</p></div></body>"#
        );
        assert_eq!(kinded(&html, &[P1, P2]), vec![Prose::paragraph(inline)]);
        // Beside a paragraph the article did not keep, which stays one.
        let html = format!(
            r#"<body><article><p>{P1}</p><figure><img src="/c.jpg"><figcaption>{lead}</figcaption></figure>
            <div class="x"><p>{P2}</p></div></article></body>"#
        );
        assert_eq!(
            kinded(&html, &[P1]),
            vec![Prose::caption(lead), Prose::paragraph(P2)]
        );
    }

    #[test]
    fn captions_in_teaser_cards_galleries_of_other_stories_and_side_boxes_are_not() {
        let caption = "Protesters killed by security forces in Zahedan on Friday";
        let figure =
            format!(r#"<figure><img src="/x.jpg"><figcaption>{caption}</figcaption></figure>"#);
        let gallery =
            format!(r#"<section><div class="row"><div class="col">{figure}</div></div></section>"#);
        for (boxed, inside) in [
            // A teaser card: a photo and a linked headline.
            (
                format!(
                    r#"<div class="card">{figure}<h3><a href="/other">Another story of the day</a></h3></div>"#
                ),
                true,
            ),
            // A box of related stories, a sidebar, an ad.
            (
                format!(r#"<div class="related-stories">{figure}</div>"#),
                true,
            ),
            (format!(r#"<aside>{figure}</aside>"#), true),
            (format!(r#"<div class="ad-container">{figure}</div>"#), true),
            // A gallery of other stories below the story, in no box named so.
            (gallery, false),
        ] {
            let below = format!(
                r#"<body><main><article><div class="body"><p>{P1}</p><p>{P2}</p></div></article></main>
                <div class="below">{boxed}</div></body>"#
            );
            assert!(prose(&below, &[P1, P2]).is_empty(), "{boxed}");
            if inside {
                let among = format!(
                    r#"<body><article><div class="body"><p>{P1}</p>{boxed}<p>{P2}</p></div></article></body>"#
                );
                assert!(prose(&among, &[P1, P2]).is_empty(), "among: {boxed}");
            }
        }
    }

    #[test]
    fn a_photo_credit_is_not_prose_and_a_caption_is_watched_without_its_credit() {
        let inline = "Mourners gather outside the main mosque of the city after the prayers";
        for credit in [
            "Photo: AFP/Getty Images",
            "Photograph: Atta Kenare/AFP via Getty Images",
            "Image source, Getty Images",
            "عکس: ایرنا",
            "(عکس: خبرگزاری ایرنا / عکاس: علی محمدی)",
            "© Reuters photographer team for the agency",
        ] {
            assert_eq!(
                prose(&story_with_photos(credit, inline), &[P1, P2]),
                vec![inline.to_string()],
                "{credit}"
            );
        }
        let caption = "Protesters killed by security forces in Zahedan on Friday";
        for (with_credit, other_credit) in [
            (
                format!("{caption}. Photograph: Atta Kenare/AFP via Getty Images"),
                format!("{caption}. Photograph: Reuters"),
            ),
            (
                format!("{caption} Photo by AFP"),
                format!("{caption} Photo by Reuters"),
            ),
            (
                format!("{caption} (AFP/Getty Images)"),
                format!("{caption} (Reuters)"),
            ),
            (
                format!(r#"{caption} <span class="credit">AFP via Getty Images</span>"#),
                format!(r#"{caption} <span class="credit">Reuters</span>"#),
            ),
            (
                format!("{caption} <cite>AFP</cite>"),
                format!("{caption} <cite>EPA</cite>"),
            ),
            (
                format!(r#"{caption} <span data-role="photo-credit">Jane Doe</span>"#),
                format!(r#"{caption} <span data-role="photo-credit">John Roe</span>"#),
            ),
            (
                format!("{caption} <span>Credit...</span><span>Jane Doe for Example News</span>"),
                format!("{caption} <span>Credit...</span><span>John Roe for Example News</span>"),
            ),
        ] {
            let one = prose(&story_with_photos(&with_credit, inline), &[P1, P2]);
            assert_eq!(
                one[0],
                format!(
                    "{caption}{}",
                    if with_credit.contains(". ") { "." } else { "" }
                )
            );
            assert_eq!(
                one,
                prose(&story_with_photos(&other_credit, inline), &[P1, P2])
            );
        }
        let fa = "معترضانی که روز جمعه در زاهدان به دست نیروهای امنیتی کشته شدند";
        assert_eq!(
            prose(
                &story_with_photos(&format!("{fa} (عکس: ایرنا)"), inline),
                &[P1, P2]
            ),
            vec![fa.to_string(), inline.to_string()]
        );
        assert_eq!(
            prose(
                &story_with_photos(&format!("{fa}. عکس از ایسنا"), inline),
                &[P1, P2]
            ),
            vec![format!("{fa}."), inline.to_string()]
        );
        // A photo described in the caption's own words is not a credit.
        let described = "A photo taken by a resident shows the burnt gate of the governor's office";
        assert_eq!(
            prose(&story_with_photos(described, inline), &[P1, P2]),
            vec![described.to_string(), inline.to_string()]
        );
    }

    #[test]
    fn a_short_caption_or_a_line_of_dates_is_not_prose_of_the_page() {
        let inline = "Mourners gather outside the main mosque of the city after the prayers";
        for caption in [
            "Mohammad Rasoulof in 2023",
            "Zahedan, 30 September 2022",
            "زاهدان، ۸ مهر ۱۴۰۱",
        ] {
            assert_eq!(
                prose(&story_with_photos(caption, inline), &[P1, P2]),
                vec![inline.to_string()],
                "{caption}"
            );
        }
    }

    #[test]
    fn a_section_of_the_story_headed_like_a_reaction_is_prose_of_the_page() {
        let html = format!(
            "<body><article><p>{P1}</p></article><section><h2>Responses to the verdict</h2><p>{P2}</p></section></body>"
        );
        assert_eq!(prose(&html, &[P1]), vec![P2.to_string()]);
    }
}
