//! What an element's markup says it is: skipped, page chrome, named like
//! boilerplate or furniture, a legal notice, an anchor, a control, a block
//! of text; its layout signature.

use std::collections::HashSet;
use std::hash::Hasher;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use rustc_hash::FxHasher;
use scraper::{ElementRef, Node};

use crate::document::BlockKind;
use crate::extract::{attr, attrs, names_region, teaser, Marks, Memo};
use crate::text;

/// Elements whose content is never article text (the `<h1>` headline is
/// metadata, compared on its own; a later `<h1>` after a sentence of the
/// story heads a section of it, see [`Walk::new`](super::walk::Walk::new)).
const SKIP_TAGS: &[&str] = &[
    "h1",
    "script",
    "style",
    "noscript",
    "button",
    "figcaption",
    "iframe",
    "svg",
    "template",
    "select",
    "textarea",
    "input",
    "object",
    "embed",
    "video",
    "audio",
    "canvas",
    "picture",
    "img",
    "head",
    "title",
    "dialog",
    "footer",
];

/// Sectioning elements that hold page chrome (navigation, sidebars, page
/// header and footer, menus) on most pages, and the whole article on
/// some (a page builder's "header" section, a sidebar the parser left open).
const CHROME_TAGS: &[&str] = &["nav", "aside", "header", "menu"];

/// class/id words that always mark boilerplate that reads like prose:
/// comments, related and recommended stories, consent boxes, author bios.
const BOILERPLATE: &str = r"(?i)(^|[-_\s])(related|recommend|recommended|comments?|cookie|consent|most-?read|most-?popular|trending|outbrain|taboola|author-bio)([-_\s]|$)";

/// class/id words that mark boilerplate (share bars, sign-up and consent
/// boxes, captions, breadcrumbs) but that some layouts also put on the
/// article's wrapper ("has-share-float", "share-container").
const FURNITURE_NAME: &str = r"(?i)(^|[-_\s])(share|sharing|newsletter|signup|sign-up|caption|credits?|byline|breadcrumbs?)([-_\s]|$)";

/// class/id words that usually mark boilerplate but also name layout
/// wrappers of the article ("content-with-sidebar", "paywall", "hidden-xs"),
/// among them a call to action ("mini-cta", "call-to-action": a line selling
/// the site's product and its buttons, set in the story's flow).
const SUSPECT: &str = r"(?i)(^|[-_\s])(cta|ctas|call-to-action|social|subscribe|subscription|promo|advert|advertisement|ads?|sponsor|sponsored|popular|tags|sidebar|menu|toolbar|paywall|modal|banner|sr-only|print-only|read-?more)([-_\s]|$)|(^|\s)(is-|visually-)?hidden([-_\s]|$)";

/// class/id words of a standing legal notice: a site's disclaimer ("All
/// investing is subject to risk ...", "No content on this site should be
/// used as a substitute for medical advice"), set under every page.
const NOTICE: &str = r"(?i)(^|[-_\s])(disclaimers?)([-_\s]|$)";

/// class/id words of a footer ("footer", "site-footer", "footer-widgets"),
/// the `<footer>` of a page written without sectioning elements
/// ([`Markup::Footer`]); not a part of a component ("card__footer"), which
/// may hold its text.
const FOOTER: &str = r"(?i)(^|[-\s])(footer)([-_\s]|$)";

/// [`BOILERPLATE`], [`FURNITURE_NAME`], [`SUSPECT`], [`NOTICE`] and
/// [`FOOTER`], in this order, all matched in one pass over a class or id.
static NAMED: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([BOILERPLATE, FURNITURE_NAME, SUSPECT, NOTICE, FOOTER]).expect("static regex")
});

/// The patterns of [`NAMED`] one by one, to find the word each matched.
static NAMED_EACH: LazyLock<[Regex; 5]> = LazyLock::new(|| {
    [BOILERPLATE, FURNITURE_NAME, SUSPECT, NOTICE, FOOTER]
        .map(|p| Regex::new(p).expect("static regex"))
});

/// class/id words of a pop-up: a dialog a script opens over the page (a
/// cookie settings panel, a sign-up or log-in box).
static POPUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[-_\s])(modal|popup|pop-up|dialog|lightbox)([-_\s]|$)")
        .expect("static regex")
});

/// How an element's own markup classifies it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Markup {
    /// Never article text (scripts, dialogs, page footers, comments, related
    /// links): skipped.
    Excluded,
    /// Chrome on most pages and the article's wrapper on some: navigation,
    /// sidebars, headers, hidden elements (a streamed React boundary stays
    /// hidden until a script moves it in), furniture names ("share",
    /// "newsletter"). Skipped by the strict pass, suspect in the lenient one.
    Chrome,
    /// A module of teasers of other pages under a title that says so
    /// ("Related articles", "Latest news"): skipped by the strict pass, and
    /// not counted as text it may have missed (teasers' summaries are no
    /// story, however long); suspect in the lenient one.
    Teasers,
    /// A standing legal notice ([`NOTICE`]): prose, but none of the
    /// story's. Its text is left out. Dropped as a [`Markup::Suspect`] box
    /// is when it is not mostly prose; when it is, it still weighs, as the
    /// prose it is, in choosing the article's container, which it sits in
    /// as the page lays the story out (leaving it out there would narrow
    /// the article to the part of the story beside it).
    Notice,
    /// Named like a footer ([`FOOTER`]): a box (a block-level element; a
    /// table's cell styled like the footer's titles is a word of its row)
    /// dropped as it closes when it holds
    /// less text than the page before it (a page's footer: its links, its
    /// legal notice, a box the site shows under every page), read when it
    /// holds more (a wrapper of the page named so).
    Footer,
    /// Named like boilerplate ("sidebar", "promo", ...) or a form (some
    /// sites wrap the whole page in one): dropped unless it turns out to hold
    /// mostly prose, since layouts name article wrappers
    /// "content-with-sidebar" or "paywall" too.
    Suspect,
    /// Nothing special.
    Plain,
}

/// How a pass over the page treats [`Markup::Chrome`] elements.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Skipped: the precise pass.
    Strict,
    /// Suspect, kept when they hold mostly prose: the pass that finds an
    /// article the page wraps in chrome, hides, or names like furniture.
    Lenient,
}

/// What the class and id values met so far in a walk say, each value
/// matched once per walk.
pub(super) struct Names<'a> {
    /// [`named_by_class`].
    classes: Memo<'a, Option<[bool; 5]>>,
    /// [`named_by`] an id.
    ids: Memo<'a, [bool; 5]>,
    /// Whether a class or an id names a consent or privacy notice
    /// ([`teaser::names_consent`]).
    consent: Memo<'a, bool>,
    /// Which boxes are titles of recirculation modules.
    titles: teaser::Titles,
    /// [`class_layout`].
    layouts: Memo<'a, Option<u64>>,
}

impl<'a> Names<'a> {
    pub(super) fn new() -> Names<'a> {
        Names {
            classes: Memo::new(),
            ids: Memo::new(),
            consent: Memo::new(),
            titles: teaser::Titles::default(),
            layouts: Memo::new(),
        }
    }
}

/// Which of the patterns of [`NAMED`] a class or an id matches, in a token
/// that names the region itself: a token that describes a layout having or
/// lacking one ("has-sidebar", "no-ads", "sidebar-enabled--false",
/// [`names_region`]) names the story's wrapper, not the region.
fn named_by(s: &str) -> [bool; 5] {
    let mut named = [false; 5];
    // Most values match none of the patterns: one plain match tells them,
    // at a fraction of the cost of finding every pattern that matches.
    if !NAMED.is_match(s) {
        return named;
    }
    for i in NAMED.matches(s).iter() {
        named[i] = s
            .split_ascii_whitespace()
            .any(|token| names_region(token, &NAMED_EACH[i]));
    }
    named
}

/// [`named_by`] the class names of a `class` attribute ([`class_names`]);
/// `None` when it has none.
fn named_by_class(class: &str) -> Option<[bool; 5]> {
    let names = class_names(class);
    (!names.is_empty()).then(|| named_by(&names))
}

/// How `e`'s markup classifies it; `names` keeps what its class and id
/// say for the rest of the walk.
pub(super) fn markup<'a>(e: ElementRef<'a>, names: &mut Names<'a>) -> Markup {
    let v = e.value();
    let name = v.name();
    if SKIP_TAGS.contains(&name) && !(name == "button" && is_disclosure_control(v)) {
        return Markup::Excluded;
    }
    let marks = Marks::of(v);
    match marks.role {
        Some("dialog" | "alertdialog" | "contentinfo") => return Markup::Excluded,
        Some("navigation" | "complementary" | "banner") => return Markup::Chrome,
        _ => {}
    }
    if teaser::is_consent_box(e, |s| names.consent.get(s, teaser::names_consent))
        || teaser::is_card_box(e)
    {
        return Markup::Excluded;
    }
    if teaser::is_recirculation(e, &mut names.titles) {
        return Markup::Teasers;
    }
    // A box that declares itself the work's author (`itemprop="author"`) is
    // the author's card (name, photo, job, bio), not story text: chrome, so a
    // page that is all author card (a profile) is still read.
    if marks
        .itemprop
        .is_some_and(|p| p.split_ascii_whitespace().any(|t| t == "author"))
    {
        return Markup::Chrome;
    }
    // An <aside> set between the story's paragraphs is a callout of the
    // story (a tip, a pull-out box): suspect, kept when it holds mostly
    // prose, where an aside elsewhere is a sidebar.
    let callout = name == "aside" && is_in_running_text(e);
    let plain = if callout {
        Markup::Suspect
    } else {
        Markup::Plain
    };
    let hidden = marks.hidden
        || marks.aria_hidden
        || marks
            .style
            .is_some_and(|s| s.contains("display:none") || s.contains("display: none"));
    // A hidden box named like a pop-up is a dialog a script opens over the
    // page, as `role="dialog"` says: never the story, which a page may hide
    // until a script shows it.
    if hidden
        && [marks.class, marks.id]
            .into_iter()
            .flatten()
            .any(|n| POPUP.is_match(n))
    {
        return Markup::Excluded;
    }
    if CHROME_TAGS.contains(&name) && !callout && !is_section_title(e) || hidden {
        return Markup::Chrome;
    }
    if name == "form" {
        return Markup::Suspect;
    }
    if matches!(name, "html" | "body") {
        return Markup::Plain;
    }
    let by_class = marks
        .class
        .and_then(|c| names.classes.get(c, named_by_class));
    let id = marks.id.unwrap_or("");
    if by_class.is_none() && id.is_empty() {
        return plain;
    }
    // Never drop the container that says it is the article body.
    if marks.itemprop == Some("articleBody") {
        return Markup::Plain;
    }
    let mut named = by_class.unwrap_or_default();
    if !id.is_empty() {
        let by_id = names.ids.get(id, named_by);
        if by_id.contains(&true)
            && !(block_kind(name) == Some(BlockKind::Heading) && is_text_anchor(e, id))
        {
            for (n, by_id) in named.iter_mut().zip(by_id) {
                *n |= by_id;
            }
        }
    }
    let [boilerplate, furniture, suspect, notice, footer] = named;
    let entry = matches!(name, "article" | "main") || marks.class.is_some_and(is_entry_classes);
    if entry && (boilerplate || furniture || notice) {
        Markup::Suspect
    } else if boilerplate {
        Markup::Excluded
    } else if furniture {
        Markup::Chrome
    } else if notice {
        Markup::Notice
    } else if footer {
        Markup::Footer
    } else if suspect {
        Markup::Suspect
    } else {
        plain
    }
}

/// Class names a CMS gives the box of one entry (a post, a page) at the
/// least: its kind, status and format, the categories and tags it is filed
/// under, what it has ("has-comments"), ...
const ENTRY_MIN_CLASSES: usize = 8;

/// True for the class list of the box of one entry, as a CMS writes it
/// when the page has no `<article>` ([`ENTRY_MIN_CLASSES`] names or more,
/// the first naming nothing the patterns of [`NAMED`] know): its names say
/// what the story is filed under or has ("tag-related-reading",
/// "disclaimer-affiliate", "has-comments"), not what the box is. Such a
/// box named like boilerplate is only suspect, as an `<article>` is.
fn is_entry_classes(class: &str) -> bool {
    let mut names = class.split_ascii_whitespace();
    names.clone().nth(ENTRY_MIN_CLASSES - 1).is_some()
        && names.next().is_some_and(|first| !NAMED.is_match(first))
}

/// True for a control that shows and hides a panel of the page
/// (`aria-expanded`, `aria-controls`): the button of an accordion, whose
/// label is the visible title of what it opens (an FAQ's question).
pub(super) fn is_disclosure_control(el: &scraper::node::Element) -> bool {
    attrs(el).any(|(n, _)| matches!(n, "aria-expanded" | "aria-controls"))
}

/// True for a link that is a disclosure control, not a link: one that says
/// so (`role="button"`, [`is_disclosure_control`]).
pub(super) fn is_control_link(a: &scraper::node::Element) -> bool {
    attrs(a).any(|(n, v)| {
        matches!(n, "aria-expanded" | "aria-controls") || n == "role" && v == "button"
    })
}

/// Words an `id` needs to be taken for an anchor made of the element's
/// text ([`is_text_anchor`]).
const ANCHOR_MIN_WORDS: usize = 3;

/// How far into an element's text the words of an anchor `id` are looked
/// for (characters).
const ANCHOR_TEXT_CHARS: usize = 300;

/// True when `id` is an anchor made of the element's own words, as editors
/// and CMSs give headings so that a table of contents can link to them
/// (`<h3 id="the-child-tax-credit">The child tax credit</h3>`, `<h2
/// id="h-how-social-media-changed-news">`): such an id says what the
/// heading is about, not what the element is, so a "credit", "social" or
/// "related" in it names no furniture. Its words (of two letters or more,
/// at least [`ANCHOR_MIN_WORDS`]) must all be words of the start of the
/// element's text.
fn is_text_anchor(e: ElementRef<'_>, id: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.chars()
            .filter(|c| !matches!(c, '\'' | '’' | '\u{200c}'))
            .collect::<String>()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_lowercase)
            .collect()
    };
    let id_words = words(id);
    if id_words.len() < ANCHOR_MIN_WORDS {
        return false;
    }
    let mut start = String::new();
    for t in e.text() {
        start.push_str(t);
        start.push(' ');
        if start.len() >= ANCHOR_TEXT_CHARS {
            break;
        }
    }
    let text_words: HashSet<String> = words(&start).into_iter().collect();
    id_words.iter().all(|w| text_words.contains(w))
}

/// True for a `<header>` that is the title of a section: all its text is in
/// headings below the page's headline (`<h2>`–`<h6>`), as in `<section>
/// <header><h2>Step 2: ...</h2></header><p>...`. A page's banner has its
/// name, links and menus outside headings, and an article's header its
/// `<h1>`, kicker, byline and date.
fn is_section_title(e: ElementRef<'_>) -> bool {
    if e.value().name() != "header" {
        return false;
    }
    let is_heading = |n: ego_tree::NodeRef<'_, Node>| matches!(n.value(), Node::Element(el) if matches!(el.name(), "h2" | "h3" | "h4" | "h5" | "h6"));
    let mut in_headings = 0u32;
    for d in e.descendants() {
        match d.value() {
            Node::Element(el) if el.name() == "h1" => return false,
            Node::Text(t) => {
                let n = text::reading_chars(t);
                if n == 0 {
                    continue;
                }
                if !d
                    .ancestors()
                    .take_while(|a| a.id() != e.id())
                    .any(is_heading)
                {
                    return false;
                }
                in_headings += n;
            }
            _ => {}
        }
    }
    in_headings > 0
}

/// True for an element that sits in running text: a paragraph just before
/// it, and a paragraph or a heading just after it.
fn is_in_running_text(e: ElementRef<'_>) -> bool {
    let before = e.prev_siblings().find_map(ElementRef::wrap);
    let after = e.next_siblings().find_map(ElementRef::wrap);
    before.is_some_and(|b| b.value().name() == "p")
        && after.is_some_and(|a| matches!(a.value().name(), "p" | "h2" | "h3" | "h4" | "h5" | "h6"))
}

/// Class tokens past this many are not read: real names come first, and
/// some pages put whole style sheets in a class attribute.
const MAX_CLASS_TOKENS: usize = 16;

/// The class names of a `class` attribute that name what an element is:
/// utility classes with variants or arbitrary values (`md:hidden`,
/// `[--sidebar-width:18rem]`, `w-1/2`) say how it looks, and are left out.
pub(super) fn class_names(class: &str) -> std::borrow::Cow<'_, str> {
    let is_utility = |t: &str| t.contains([':', '[', '/', '(', '*', '=']);
    if class.len() <= 120 && !is_utility(class) {
        return std::borrow::Cow::Borrowed(class);
    }
    let kept: Vec<&str> = class
        .split_whitespace()
        .take(MAX_CLASS_TOKENS)
        .filter(|t| !is_utility(t))
        .collect();
    std::borrow::Cow::Owned(kept.join(" "))
}

/// class words of the `<blockquote>` an embedded social-media post is
/// published as (X/Twitter, Instagram, TikTok, Threads, Bluesky, Mastodon,
/// Reddit): the post is part of the story, which quotes it.
static EMBEDDED_POST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|\s)(twitter-tweet|twitter-video|instagram-media|tiktok-embed|text-post-media|bluesky-embed|mastodon-embed|reddit-embed-bq)(\s|$)")
        .expect("static regex")
});

/// True for a link to a place on the page itself (`href="#..."`).
pub(super) fn is_anchor(a: &scraper::node::Element) -> bool {
    attr(a, "href").is_some_and(|h| h.starts_with('#'))
}

/// The path segments that name an author's page in a link's address
/// (`/author/jane-doe/`, `/authors/jane-doe`, `/autor/...`, `/auteur/...`):
/// how blogging and news CMSes address the page listing a writer's stories.
const AUTHOR_PAGE_SEGMENTS: &[&str] =
    &["author", "authors", "autor", "autores", "auteur", "autore"];

/// True for a link to the page of one of the site's authors: `rel="author"`,
/// or an address with a path segment naming one ([`AUTHOR_PAGE_SEGMENTS`]).
pub(super) fn is_author_link(a: &scraper::node::Element) -> bool {
    if attr(a, "rel").is_some_and(|r| {
        r.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("author"))
    }) {
        return true;
    }
    let Some(href) = attr(a, "href") else {
        return false;
    };
    // Most links name no author: one plain search tells.
    if !text::contains_ascii_ci(href.as_bytes(), b"/aut") {
        return false;
    }
    let path = href.split(['?', '#']).next().unwrap_or(href);
    // The segments between slashes, not the last one (the page's own name),
    // which names no picture: a photo of the author is filed there too
    // (`/graphics/author/portrait.jpg`), and a link to it is no profile.
    let mut segments: Vec<&str> = path.split('/').collect();
    let last = segments.pop().unwrap_or_default();
    !is_picture_file(last)
        && segments.iter().any(|s| {
            AUTHOR_PAGE_SEGMENTS
                .iter()
                .any(|w| s.eq_ignore_ascii_case(w))
        })
}

/// True for the name of a picture's file (`portrait.jpg`).
fn is_picture_file(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        ["jpg", "jpeg", "png", "gif", "webp", "avif", "svg"]
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// True for a link to the heading it stands in (`<h2 id="x"><a href="#x">
/// Title</a></h2>`, or the `id` on an element inside the heading): the
/// permalink that static-site generators and documentation tools wrap a
/// section's title in. Its text is the heading's own, not a link elsewhere
/// (an entry of a table of contents links to another element). Only the
/// heading's subtree is searched, and only for a link to the page itself.
pub(super) fn is_permalink(a: ElementRef<'_>) -> bool {
    let Some(target) = attr(a.value(), "href")
        .and_then(|h| h.strip_prefix('#'))
        .filter(|t| !t.is_empty())
    else {
        return false;
    };
    let Some(heading) = a
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| is_block_level(e.value().name()))
        .filter(|e| matches!(e.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
    else {
        return false;
    };
    heading
        .descendants()
        .filter_map(ElementRef::wrap)
        .any(|e| attr(e.value(), "id") == Some(target))
}

/// True for the `<blockquote>` of an embedded social-media post.
pub(super) fn is_embedded_post(e: ElementRef<'_>) -> bool {
    e.value().name() == "blockquote"
        && attr(e.value(), "class").is_some_and(|c| EMBEDDED_POST.is_match(c))
}

pub(super) fn block_kind(name: &str) -> Option<BlockKind> {
    Some(match name {
        "p" | "pre" | "dd" | "tr" => BlockKind::Paragraph,
        "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "blockquote" => BlockKind::Quote,
        "li" => BlockKind::ListItem,
        _ => return None,
    })
}

/// True for elements that break text into separate blocks.
pub(super) fn is_block_level(name: &str) -> bool {
    block_kind(name).is_some()
        || matches!(
            name,
            "div"
                | "section"
                | "article"
                | "main"
                | "ul"
                | "ol"
                | "table"
                | "tbody"
                | "thead"
                | "h1"
                | "dl"
                | "dt"
                | "center"
                | "body"
                | "html"
                | "address"
                | "details"
                | "summary"
                | "fieldset"
                | "hr"
        )
}

/// The element name and the class names of `el` that are not instance ids
/// (`elementor-element-98fb7c3`, `post-15342`), hashed: what two boxes of
/// one layout share. A class made only of names that look like ids is
/// hashed whole: hashed class names (CSS modules, `x3f9eb52`) look so, and
/// two boxes that share them share a layout, where an instance's id is its
/// own. 0 for an element without classes. `names` keeps each class value's
/// part ([`class_layout`]) for the rest of the walk.
pub(super) fn layout_signature<'a>(el: &'a scraper::node::Element, names: &mut Names<'a>) -> u64 {
    let Some(class) = attr(el, "class") else {
        return 0;
    };
    let Some(layout) = names.layouts.get(class, class_layout) else {
        return 0;
    };
    // Signatures are only compared with each other, within one page: a
    // fast hash for short keys serves.
    let mut h = FxHasher::default();
    h.write_u64(layout);
    h.write(el.name().as_bytes());
    h.finish()
}

/// The hash of the class names of a `class` value that are not instance
/// ids, or of all of them when every one is ([`layout_signature`]); `None`
/// when it has none.
fn class_layout(class: &str) -> Option<u64> {
    // The names other than ids, and all of them for when every one is an id.
    let (mut layout, mut whole) = (FxHasher::default(), FxHasher::default());
    let (mut names, mut layout_names) = (0, 0);
    for t in class.split_whitespace().take(MAX_CLASS_TOKENS) {
        names += 1;
        whole.write(t.as_bytes());
        whole.write_u8(b' ');
        if !is_instance_id(t) {
            layout_names += 1;
            layout.write(t.as_bytes());
            layout.write_u8(b' ');
        }
    }
    match (names, layout_names) {
        (0, _) => None,
        (_, 0) => Some(whole.finish()),
        _ => Some(layout.finish()),
    }
}

/// True for a class name that numbers one instance of a layout element: a
/// run of at least four digits, or hexadecimal digits with a digit among
/// them.
fn is_instance_id(token: &str) -> bool {
    token
        .split(|c: char| !c.is_ascii_hexdigit())
        .any(|run| run.len() >= 4 && run.bytes().any(|b| b.is_ascii_digit()))
}
