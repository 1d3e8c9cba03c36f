//! Boxes beside the article that read like prose but are not the story:
//! teaser cards of other stories ("most read", "recommended", recirculation
//! modules) and consent dialogs. Both are told by their structure, not by
//! the names a site gives them:
//! - a card box is a run of sibling items, each a linked headline (a link
//!   to another page around or inside an `h2`–`h6`) with a one- or
//!   two-sentence summary, all to one site, beside a story that holds
//!   much more running text (cards that make much of a page's prose, or a
//!   roundup linking to many sites, are the page's content);
//! - a consent box is a modal (`aria-modal`), or a small box named like a
//!   consent or privacy notice that asks for a choice with buttons.
//! - a recirculation module is a box of links to other pages (three or
//!   more) right after a box that is only a title saying so ("Related
//!   articles", "Latest news", "You might also like").

use std::sync::LazyLock;

use ego_tree::iter::Edge;
use regex::Regex;
use scraper::node::Element;
use scraper::{ElementRef, Node};

use super::attr;
use crate::text;

/// Cards a box needs: two linked headlines side by side are a list of
/// links the story may make, three or more are a module.
const MIN_CARDS: usize = 3;

/// Words a card may hold, headline and summary together: a one- or
/// two-sentence summary, not a section of an article (a listicle's entry
/// under a linked product name is longer, and stays article text).
const CARD_MAX_WORDS: usize = 60;

/// Words a card may hold in a box whose cards mostly have their summary
/// cut short ([`is_cut_short`]): excerpts a site cuts from other pages at a
/// fixed length ("... an ergonomic workst...") are teasers', however long
/// the cut (and an excerpt shorter than the cut is whole).
const CUT_CARD_MAX_WORDS: usize = 2 * CARD_MAX_WORDS;

/// Words an item of a card box may hold when it is not a card (a "more"
/// link, an empty ad slot, a dateline).
const MINOR_MAX_WORDS: usize = 8;

/// Nodes of an item looked at: a card is small, and no page makes the
/// check cost more than a few passes over its nodes.
const MAX_CARD_NODES: usize = 200;

/// Wrappers looked through from a box to its items (a `<section>` holding
/// a title and a `<ul>`, a `<div>` around it).
const MAX_WRAPPERS: usize = 2;

/// Words a box named like a consent notice may hold to be one.
const CONSENT_MAX_WORDS: usize = 250;

/// class/id words of consent and privacy notices (consent platforms, CMPs).
static CONSENT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[-_\s])(gdpr|ccpa|privacy|consent|cookies?)([-_\s]|$)")
        .expect("static regex")
});

/// True for a heading element (`h1` is the page's headline, not a card's).
pub(super) fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// A link to another page (not a place on this one, not a script).
pub(super) fn links_away(a: &Element) -> bool {
    attr(a, "href").is_some_and(|h| {
        let h = h.trim();
        !h.is_empty() && !h.starts_with('#') && !h.starts_with("javascript:")
    })
}

/// True for a box of teaser cards: at least [`MIN_CARDS`] sibling items
/// that are cards (see [`is_card`]), the others at most
/// [`MINOR_MAX_WORDS`] words, with maybe a title before them and up to
/// [`MAX_WRAPPERS`] wrappers between the box and its items, beside a story
/// ([`beside_story`]).
pub(super) fn is_card_box(e: ElementRef<'_>) -> bool {
    let v = e.value();
    if matches!(v.name(), "html" | "body" | "main")
        || attr(v, "itemprop").is_some_and(|p| p.contains("articleBody"))
    {
        return false;
    }
    let outer = e;
    let mut e = e;
    for _ in 0..=MAX_WRAPPERS {
        let items = e
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|c| !is_heading(c.value().name()));
        // Most elements have fewer items than a box has cards: counted
        // without collecting them.
        match items.clone().take(MIN_CARDS).count() {
            0 => return false,
            1 => e = items.clone().next().expect("counted"),
            n if n < MIN_CARDS => return false,
            _ => {
                let items: Vec<ElementRef<'_>> = items.collect();
                return are_cards(&items).is_some_and(|(chars, cut)| {
                    // Excerpts cut from other pages are not this one's
                    // story: beside as much running text, not thrice.
                    let share = if cut { 1 } else { STORY_SHARE };
                    beside_story(outer, share * chars)
                });
            }
        }
    }
    false
}

/// Nodes before or after a box looked at for the story's prose.
const MAX_SCANNED_NODES: usize = 5000;

/// Characters (not white space) of a run of text between two tags that
/// counts as running text (shorter ones are labels, table cells, dates).
const RUN_MIN_CHARS: usize = 25;

/// How many times the characters of its cards' summaries the running text
/// around a box must hold for the box to be beside a story: cards that
/// make much of a page's prose (a guide's topic cards, a page of cards
/// alone) are its content.
const STORY_SHARE: usize = 3;

/// Elements whose text is never the story's.
const NOT_STORY: &[&str] = &[
    "footer", "aside", "nav", "header", "menu", "script", "style", "noscript", "template", "form",
    "dialog", "figure", "svg", "iframe", "button", "select",
];

/// Where to look from a box.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

/// True when a box sits beside a story: the running text before and after
/// it holds at least `needed` characters.
fn beside_story(e: ElementRef<'_>, needed: usize) -> bool {
    let before = running_text(e, Side::Before, needed);
    before >= needed || before + running_text(e, Side::After, needed - before) >= needed
}

/// Characters of running text on one side of `e` in the page (runs of
/// text outside links and page furniture), looking through the siblings of `e` and
/// of its ancestors up to `<body>`, until `enough` of them. When
/// [`MAX_SCANNED_NODES`] nodes were looked at, the rest of the page is
/// taken to be enough.
fn running_text(e: ElementRef<'_>, side: Side, enough: usize) -> usize {
    let mut budget = MAX_SCANNED_NODES;
    let mut total = 0;
    let mut at = *e;
    loop {
        let siblings: Box<dyn Iterator<Item = _>> = match side {
            Side::Before => Box::new(at.prev_siblings()),
            Side::After => Box::new(at.next_siblings()),
        };
        for sibling in siblings {
            let mut stack = vec![sibling];
            while let Some(n) = stack.pop() {
                if budget == 0 {
                    return total.max(enough);
                }
                budget -= 1;
                let el = match n.value() {
                    Node::Text(t) => {
                        let chars = text::reading_chars(t) as usize;
                        if chars >= RUN_MIN_CHARS {
                            total += chars;
                            if total >= enough {
                                return total;
                            }
                        }
                        continue;
                    }
                    Node::Element(el) => el,
                    _ => continue,
                };
                // Link text is the page's navigation and teasers.
                if el.name() == "a"
                    || NOT_STORY.contains(&el.name())
                    || attr(el, "aria-hidden") == Some("true")
                    || attr(el, "role").is_some_and(|r| {
                        matches!(r, "navigation" | "complementary" | "contentinfo" | "dialog")
                    })
                {
                    continue;
                }
                stack.extend(n.children());
            }
        }
        match at.parent() {
            Some(p) if matches!(p.value(), Node::Element(x) if !matches!(x.name(), "body" | "html")) =>
            {
                at = p;
            }
            _ => return total,
        }
    }
}

/// When the items are cards but for a few short ones, the characters of
/// the cards' summaries, and whether most cards' summaries are cut short.
fn are_cards(items: &[ElementRef<'_>]) -> Option<(usize, bool)> {
    // Cards of one box are made alike: a cheap first test.
    let name = items[0].value().name();
    if items.iter().filter(|i| i.value().name() == name).count() < MIN_CARDS {
        return None;
    }
    let mut cards = 0;
    let mut summary_chars = 0;
    let mut cut_cards = 0;
    let mut longest = 0;
    // Hosts of the cards' absolute links: other stories of one site.
    let mut site: Option<String> = None;
    for &item in items {
        match card_shape(item) {
            Some(Shape::Card {
                host,
                summary,
                cut,
                words,
            }) => {
                cards += 1;
                summary_chars += summary;
                cut_cards += usize::from(cut);
                longest = longest.max(words);
                if let Some(host) = host {
                    if site.get_or_insert_with(|| host.clone()) != &host {
                        return None;
                    }
                }
            }
            Some(Shape::Minor) => {}
            None => return None,
        }
    }
    let cut = 2 * cut_cards > cards;
    let max_words = if cut {
        CUT_CARD_MAX_WORDS
    } else {
        CARD_MAX_WORDS
    };
    (cards >= MIN_CARDS && longest <= max_words).then_some((summary_chars, cut))
}

/// The host an absolute link points to (without `www.`), or `None` for a
/// link within the site.
fn link_host(href: &str) -> Option<String> {
    let h = href.trim();
    let rest = ["https://", "http://", "//"].iter().find_map(|p| {
        h.get(..p.len())
            .filter(|s| s.eq_ignore_ascii_case(p))
            .map(|_| &h[p.len()..])
    })?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(
        host.strip_prefix("www.")
            .map(str::to_string)
            .unwrap_or(host),
    )
}

/// What an item of a box is.
enum Shape {
    /// A linked headline with a short text: the host its link points to,
    /// when absolute ([`link_host`]), and the characters (not white space)
    /// of the text.
    Card {
        host: Option<String>,
        summary: usize,
        /// Whether the summary is cut short ([`is_cut_short`]).
        cut: bool,
        /// Words of the card, headline and summary.
        words: usize,
    },
    /// A few words, or none.
    Minor,
}

/// The item as a card, as a minor item, or `None` when it is neither (it
/// holds more text, or text without a linked headline and a summary).
fn card_shape(item: ElementRef<'_>) -> Option<Shape> {
    let mut words = 0;
    let mut nodes = 0;
    let mut headings = 0usize;
    let mut links = 0usize;
    let mut away = 0usize;
    // The last link away opened, and the headline's link.
    let mut href: Option<&str> = None;
    let mut headline_href: Option<&str> = None;
    // Text outside links and headings: the summary.
    let mut summary = String::new();
    let mut skip: Option<ego_tree::NodeId> = None;
    for edge in item.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                nodes += 1;
                if nodes > MAX_CARD_NODES {
                    return None;
                }
                match node.value() {
                    Node::Text(t) => {
                        words += text::word_count_up_to(t, CUT_CARD_MAX_WORDS + 1 - words);
                        if words > CUT_CARD_MAX_WORDS {
                            return None;
                        }
                        if links == 0 && headings == 0 {
                            summary.push_str(t);
                        }
                    }
                    Node::Element(el) => {
                        let name = el.name();
                        if matches!(name, "script" | "style" | "noscript" | "template" | "svg") {
                            skip = Some(node.id());
                        } else if is_heading(name) {
                            if away > 0 && headline_href.is_none() {
                                headline_href = href;
                            }
                            headings += 1;
                        } else if name == "a" {
                            if links_away(el) {
                                href = attr(el, "href");
                                if headline_href.is_none() && (headings > 0 || has_heading(node)) {
                                    headline_href = href;
                                }
                                away += 1;
                            }
                            links += 1;
                        } else if !summary.is_empty() {
                            summary.push(' ');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip == Some(node.id()) {
                    skip = None;
                    continue;
                }
                if skip.is_some() {
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    if is_heading(el.name()) {
                        headings = headings.saturating_sub(1);
                    } else if el.name() == "a" {
                        links = links.saturating_sub(1);
                        away = away.saturating_sub(usize::from(links_away(el)));
                    }
                }
            }
        }
    }
    if let Some(href) = headline_href.filter(|_| is_sentence(&summary)) {
        Some(Shape::Card {
            host: link_host(href),
            summary: text::reading_chars(&summary) as usize,
            cut: is_cut_short(&summary),
            words,
        })
    } else if words <= MINOR_MAX_WORDS {
        Some(Shape::Minor)
    } else {
        None
    }
}

/// Words a card's summary may hold after the ellipsis that cuts it short
/// (its date, a "Read more" link's label).
const AFTER_CUT_MAX_WORDS: usize = 4;

/// True when a card's summary is cut short by the site at a fixed length:
/// its last ellipsis comes right after a word ("... an ergonomic
/// workst...", the bracketed "... every family with […]" of blog excerpts),
/// with at most [`AFTER_CUT_MAX_WORDS`] words after it (a date).
fn is_cut_short(summary: &str) -> bool {
    let Some((at, len)) = ["...", "…"]
        .iter()
        .filter_map(|e| summary.rfind(e).map(|at| (at, e.len())))
        .max()
    else {
        return false;
    };
    let before = summary[..at].trim_end_matches([' ', '[']);
    let after = summary[at + len..].trim_start_matches([']', ' ']);
    before.chars().last().is_some_and(char::is_alphanumeric)
        && text::word_count(after) <= AFTER_CUT_MAX_WORDS
}

/// Words a card's summary needs.
const SUMMARY_MIN_WORDS: usize = 5;

/// True when a text holds a sentence: enough words, and a full stop,
/// question or exclamation mark (a card's summary; a list of resources
/// names their authors or sources instead).
fn is_sentence(t: &str) -> bool {
    text::word_count(t) >= SUMMARY_MIN_WORDS
        && t.contains(['.', '!', '?', '؟', '۔', '。', '！', '？', '…'])
}

/// True when an element (a link) holds a heading, among its first
/// [`MAX_CARD_NODES`] nodes: a card whose whole face is a link.
pub(super) fn has_heading(a: ego_tree::NodeRef<'_, Node>) -> bool {
    a.descendants()
        .take(MAX_CARD_NODES)
        .any(|d| matches!(d.value(), Node::Element(x) if is_heading(x.name())))
}

/// True for a class or id that names a consent or privacy notice
/// ([`CONSENT_NAME`]).
pub(super) fn names_consent(s: &str) -> bool {
    CONSENT_NAME.is_match(s)
}

/// True for a consent dialog: a small box (at most [`CONSENT_MAX_WORDS`]
/// words) that is a modal (`aria-modal="true"`), or that is named like a
/// consent or privacy notice (`names_consent` of its class or id, as
/// [`names_consent`] says) and asks for a choice with a button.
pub(super) fn is_consent_box<'a>(
    e: ElementRef<'a>,
    mut names_consent: impl FnMut(&'a str) -> bool,
) -> bool {
    let v = e.value();
    if matches!(v.name(), "html" | "body" | "main" | "article") {
        return false;
    }
    let modal = attr(v, "aria-modal") == Some("true");
    let named = [attr(v, "class"), attr(v, "id")]
        .into_iter()
        .flatten()
        .any(&mut names_consent);
    if !modal && !named {
        return false;
    }
    let mut words = 0;
    let mut button = false;
    for d in e.descendants() {
        match d.value() {
            Node::Text(t) => {
                words += text::word_count_up_to(t, CONSENT_MAX_WORDS + 1 - words);
                if words > CONSENT_MAX_WORDS {
                    return false;
                }
            }
            Node::Element(x) => {
                button |= x.name() == "button" || attr(x, "role") == Some("button");
            }
            _ => {}
        }
    }
    modal || button
}

/// Headings of a section of readers' comments, or of the form to write
/// one: "Comments", "3 responses", "One response to “…”", "12 thoughts on
/// “…”", "Top rated comments", "Leave a reply", "۳ دیدگاه", "التعليقات". A
/// bare word with at most a count and a few words that rank or date the
/// comments: a story's subheading says more ("Responses to the crisis").
static COMMENTS_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^[\W\d_]*(?:(?:one|no)\s+)?(?:(?:top|best|latest|recent|newest|featured|selected|popular|most|highest|rated|top-rated|reader|user|visitor)s?['’]?\s+){0,3}(?:comments?|responses?|replies|reactions|thoughts|kommentare?|commentaires?|comentarios?|comentários?|commenti|reacties|komentarze?|yorumlar|комментари[йия]|نظرات?|دیدگاه(?:\x{200c}?ها)?|تعليقات?|التعليقات|ردود)(?:[\W\d_]*$|\s+(?:on|to)\s+\W)|^\W*(?:leave|post|add|write)\s+(?:a\s+)?(?:comment|reply|response)\b|^\W*(?:ارسال\s+)?(?:دیدگاه|نظر)\s+(?:شما|خود\s+را\s+بنویسید)",
    )
    .expect("static regex")
});

/// Words past which a line is no heading of readers' comments.
const COMMENTS_HEADING_MAX_WORDS: usize = 12;

/// True for a line that heads a section of readers' comments, or the form
/// to write one ([`COMMENTS_HEADING`]), in at most
/// [`COMMENTS_HEADING_MAX_WORDS`] words before the title it may quote ("3
/// thoughts on “…”"): the one vocabulary of such headings, which the
/// article's walk and the safety net's prose both read.
pub(super) fn is_comments_heading(t: &str) -> bool {
    let before_title = t.split(['“', '"', '«', '„']).next().unwrap_or(t);
    text::word_count_up_to(before_title, COMMENTS_HEADING_MAX_WORDS + 1)
        <= COMMENTS_HEADING_MAX_WORDS
        && COMMENTS_HEADING.is_match(t.trim())
}

/// The whole text of a title that says the links after it are other pages
/// of the site, not the page's own: "Related articles", "Latest news",
/// "Recommended reading", "You might also like", "Read next", "Most read",
/// "Popular now", "Trending", "Editor's picks"; in Persian "مطالب مرتبط",
/// "اخبار مرتبط", "پربازدیدترین‌ها", "آخرین اخبار", "مطالب پیشنهادی"; in
/// Arabic "مقالات ذات صلة", "اقرأ أيضا", "الأكثر قراءة", "الرائج الآن",
/// "آخر الأخبار". A bare "Related" or "Further reading" is not one: stories
/// head their own sources so. The one vocabulary of such titles: article
/// text ([`is_recirculation`]) and a listing's side boxes
/// ([`is_recirculation_list`]) both read it.
static RECIRCULATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&[
        r"(?i)^(",
        // Read next, related, read also: the words a "Read more:" label
        // shares with such a title.
        SENDS_TO_MORE_STORIES,
        // English.
        r"|(more|other|latest|recent|related|similar|popular|recommended|trending)( \w+){0,2} (articles|posts|stories|news|reads|blogs?|blog posts)( that (may|might) interest you)?",
        r"|recommended reading|related reading|(you|we think you) (might|may) (also )?(like|enjoy)",
        r"|most[- ](read|popular|viewed|watched|shared|commented|emailed)( \w+){0,3}",
        r"|(popular|trending|recommended)( now| today| this week| for you)?|what['’]?s (popular|trending)( now)?|editor['’]?s (picks?|choice)",
        // Persian: most read, viewed or liked, hottest; latest; recommended.
        r"|((مطالب|اخبار|خبرهای|خبرها) )?(پر ?(بازدید|خواننده|بیننده|طرفدار)|داغ)([\x{200C} ]?ترین)?([\x{200C} ]?ها)?( (مطالب|اخبار|خبرها))?",
        r"|(آخرین|تازه[\x{200C} ]?ترین|جدید[\x{200C} ]?ترین) (اخبار|خبرها|مطالب)|(مطالب|اخبار) پیشنهادی|پیشنهاد (سردبیر|ما)",
        // Arabic: most read, viewed, shared; trending; latest; suggested.
        r"|((الأخبار|الاخبار|المقالات|المواضيع) )?ال[أاإ]كثر (قراءة|قراءةً|مشاهدة|تداولا|تداولاً|شعبية|رواجا|رواجاً|تعليقا|تعليقاً|مشاركة)( (اليوم|هذا الأسبوع))?",
        r"|(الرائج|رائج)( الآن)?|(آخر|أحدث) (الأخبار|الاخبار|المقالات)|(مقالات|أخبار|مواضيع) مقترحة|مقترح(ات)? لك",
        r")\s*:?$",
    ]
    .concat())
    .expect("static regex")
});

/// Words that send the reader to more stories, whether they head a box of
/// links ([`RECIRCULATION`]) or label one link among a story's paragraphs
/// ([`READ_ALSO`]): "Read next"; in Persian and Arabic related stories
/// ("مطالب مرتبط", "اخبار مشابه", "مقالات ذات صلة") and "read also" ("اقرأ
/// أيضا").
const SENDS_TO_MORE_STORIES: &str = r"read next|(مطالب|اخبار|خبرهای|مقالات|أخبار|موضوعات|مواضيع) (مرتبط|مشابه|ذات صلة)|(اقرأ|إقرأ) (أيضا|أيضاً|ايضا)";

/// The whole text of a label that sends the reader to another story, set
/// before a link among a story's paragraphs: "Read more:", "Also read",
/// "See also", "Read next", "Related:", "Recommended:", "Watch:"; in Persian
/// "بیشتر بخوانید", "همچنین بخوانید", "بخوانید", "مطلب مرتبط"; in Arabic
/// "اقرأ أيضا", "اقرأ المزيد", "طالع أيضا", "شاهد", "ذات صلة". Such lines are
/// recommendations, which sites rotate between fetches.
static READ_ALSO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&[
        r"(?i)^\W*(",
        SENDS_TO_MORE_STORIES,
        r"|read (more|also)|also read|see also|more (on|about) this( story)?|related|recommended|watch|listen",
        r"|(بیشتر|همچنین|اینجا) بخوانید|بخوانید|ببینید|(مطلب|خبر) مرتبط",
        r"|[اإ]قرأ المزيد|طالع (أيضا|أيضاً|ايضا)|شاهد|ذات صلة",
        r")\W*$",
    ]
    .concat())
    .expect("static regex")
});

/// True for a line's own text (outside its links) that is only a label
/// sending the reader to another story ([`READ_ALSO`]).
pub(super) fn is_read_also_label(own_text: &str) -> bool {
    READ_ALSO.is_match(own_text.trim())
}

/// Nodes of a box looked at to tell it is only a heading.
const TITLE_MAX_NODES: usize = 12;

/// Links to other pages a box after a recirculation title needs to be a
/// list of them.
const RECIRCULATION_MIN_LINKS: usize = 3;

/// True for a box of links to other pages of the site under a title that
/// says so ([`RECIRCULATION`]): the title's box, when the box after it
/// holds [`RECIRCULATION_MIN_LINKS`] links away or more, and that box.
/// Such a module is often a column of teasers whose summaries read like
/// prose, or cards whose headline is not itself a link, which
/// [`is_card_box`] does not take for cards.
/// `titles` keeps the verdicts on the boxes asked about.
pub(super) fn is_recirculation(e: ElementRef<'_>, titles: &mut Titles) -> bool {
    let next = || e.next_siblings().find_map(ElementRef::wrap);
    (titles.is_title(e) && next().is_some_and(links_many_away))
        || list_after_title(e, |p| titles.is_title(p))
}

/// [`is_recirculation_title`] of the boxes a walk asks about, each box
/// tested once: a walk asks about every element, and again as the box
/// before its next sibling ([`is_recirculation_list`]).
#[derive(Default)]
pub(super) struct Titles(rustc_hash::FxHashMap<ego_tree::NodeId, bool>);

impl Titles {
    fn is_title(&mut self, e: ElementRef<'_>) -> bool {
        *self
            .0
            .entry(e.id())
            .or_insert_with(|| is_recirculation_title(e))
    }
}

/// True for the box of links of a recirculation module (see
/// [`is_recirculation`]): the element right after a title that says the
/// links are other pages of the site ([`RECIRCULATION`]), holding
/// [`RECIRCULATION_MIN_LINKS`] links away or more.
pub(super) fn is_recirculation_list(e: ElementRef<'_>) -> bool {
    list_after_title(e, is_recirculation_title)
}

/// [`is_recirculation_list`] with the test of the box before `e` given.
fn list_after_title(e: ElementRef<'_>, is_title: impl FnOnce(ElementRef<'_>) -> bool) -> bool {
    e.prev_siblings()
        .find_map(ElementRef::wrap)
        .is_some_and(is_title)
        && links_many_away(e)
}

/// True for a box holding nothing but one heading whose text is a
/// recirculation title ([`RECIRCULATION`]).
fn is_recirculation_title(e: ElementRef<'_>) -> bool {
    let mut heading: Option<ElementRef<'_>> = None;
    for (n, d) in e.descendants().enumerate() {
        if n >= TITLE_MAX_NODES {
            return false;
        }
        match d.value() {
            Node::Element(x) if is_heading(x.name()) && x.name() != "h1" => {
                if heading.is_some() {
                    return false;
                }
                heading = ElementRef::wrap(d);
            }
            Node::Text(t) if !t.trim().is_empty() => {
                // Text outside the heading: the box is more than a title.
                let inside = heading.is_some_and(|h| d.ancestors().any(|a| a.id() == h.id()));
                if !inside {
                    return false;
                }
            }
            _ => {}
        }
    }
    heading.is_some_and(|h| {
        let t = h.text().collect::<String>();
        RECIRCULATION.is_match(text::clean(&t).as_str())
    })
}

/// True when a box holds [`RECIRCULATION_MIN_LINKS`] links to other pages
/// or more.
fn links_many_away(e: ElementRef<'_>) -> bool {
    e.descendants()
        .filter(|d| matches!(d.value(), Node::Element(x) if x.name() == "a" && links_away(x)))
        .take(RECIRCULATION_MIN_LINKS)
        .count()
        >= RECIRCULATION_MIN_LINKS
}

#[cfg(test)]
mod tests {
    use scraper::Html;

    use super::*;

    /// The texts of the article extracted from a page.
    fn extract(html: &str) -> Vec<String> {
        crate::extract::article(html, None, None)
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    /// A story of `n` paragraphs, and their texts.
    fn story(n: usize) -> (String, Vec<String>) {
        let texts: Vec<String> = (1..=n)
            .map(|i| format!("Paragraph {i} of the story reports what the minister said about the case on Monday, and what the court decided after three days of hearings."))
            .collect();
        let html = texts.iter().map(|t| format!("<p>{t}</p>")).collect();
        (html, texts)
    }

    /// A box of four teaser cards: a linked headline and a one-sentence
    /// summary each, wrapped in a neutral `<div>`.
    fn card_box() -> String {
        let cards: String = [
            ("Markets fall as oil climbs", "Shares in energy companies led the losses after producers signalled they would keep output low."),
            ("Storm warning for the coast", "Forecasters expect strong gusts overnight and ask residents to avoid travelling unless necessary."),
            ("Council approves cycle lanes", "The plan adds forty kilometres of protected lanes over three years, paid for from the transport budget."),
            ("Waiting lists hit a record", "Patients now wait an average of eighteen weeks for planned surgery, according to new figures."),
        ]
        .iter()
        .enumerate()
        .map(|(i, (h, s))| format!(r#"<li><a href="/news/{i}"><h3>{h}</h3></a><p>{s}</p></li>"#))
        .collect();
        format!(r#"<div class="module"><h2>More from this section</h2><ol>{cards}</ol></div>"#)
    }

    #[test]
    fn a_box_of_teaser_cards_beside_the_article_is_not_article_text() {
        let (html, want) = story(10);
        // Right after the paragraphs, in the element that holds them.
        let page = format!("<body><div class=content>{html}{}</div></body>", card_box());
        assert_eq!(extract(&page), want);
        // Headline inside the link or link inside the headline, cards as
        // `<article>`s of a `<div>`.
        let cards: String = (1..=3)
            .map(|i| format!(r#"<article class=c><h3><a href="https://news.example/{i}">Story {i} of the day</a></h3><p>A one-sentence summary of story {i}, as a card shows it under its headline.</p><span>2 hours ago</span></article>"#))
            .collect();
        let page = format!("<body><main>{html}<div class=grid>{cards}</div></main></body>");
        assert_eq!(extract(&page), want);
    }

    #[test]
    fn cards_whose_excerpts_are_cut_short_are_teasers_however_long() {
        // A short post, then a carousel of the blog's latest posts: each
        // card's excerpt is cut by the site at a fixed length, mid-word,
        // and dated; the excerpts are long, and together nearly as long as
        // the post.
        let (html, want) = story(12);
        let card = |i: usize| {
            format!(
                r#"<div class=slide><div class=item><figure><a href="/blog/post-{i}"><img src="/{i}.jpg"></a></figure><h3><a href="/blog/post-{i}">Post {i}: how to set up a desk for long days of work at home</a></h3><div class=excerpt> Do you ever feel stiffness in your neck after a few hours of work that gradually turns into pain? This post is for anyone who spends most of the day in front of a screen and wants relief. You will learn how to set up an ergonomic workst...</div><div class=date>Mar {i}, 2026</div></div></div>"#
            )
        };
        let cards: String = (1..=6).map(card).collect();
        let page = format!(
            r#"<body><main><section><div>{html}</div></section><section><div class=wrap><div class=head><h2>Blog.</h2></div><div><div class=carousel><div class=track>{cards}</div></div></div></div></section></main></body>"#
        );
        assert_eq!(extract(&page), want);
        // The same excerpts whole, ending on a full stop, are a grid of
        // entries too long for teasers: they stay.
        let whole = cards.replace("workst...", "workstation.");
        let page = page.replace(&cards, &whole);
        assert!(extract(&page).len() > want.len());
    }

    #[test]
    fn a_listicles_long_entries_under_linked_headings_are_article_text() {
        let entry = |i: usize| {
            format!(
                r#"<div class=item><h3><a href="https://shop.example/p{i}">Product {i}</a></h3><p>Product {i} is the one we kept coming back to: it is light, it folds flat, and after three months of daily use on wet commutes it still looks new. The battery lasts a full week, the strap is comfortable, and the price has dropped since launch.</p><p>Buy it if you walk to work.</p></div>"#
            )
        };
        // After a long introduction: the entries are told by their length.
        let (intro, _) = story(10);
        let page = format!(
            "<body><article>{intro}{}</article></body>",
            (1..=4).map(entry).collect::<String>()
        );
        let got = extract(&page);
        for i in 1..=4 {
            assert!(
                got.iter()
                    .any(|t| t.starts_with(&format!("Product {i} is the one"))),
                "entry {i} missing from {got:?}"
            );
        }
    }

    #[test]
    fn a_page_that_is_only_teaser_cards_still_has_its_text() {
        let cards: String = (1..=5)
            .map(|i| format!(r#"<li><h3><a href="/s/{i}">Story {i} of the day</a></h3><p>A one-sentence summary of story {i}, as a digest gives it under the headline of the story.</p></li>"#))
            .collect();
        let got = extract(&format!("<body><ul>{cards}</ul></body>"));
        assert_eq!(got.len(), 5, "{got:?}");
    }

    #[test]
    fn consent_dialogs_are_not_article_text() {
        let (html, want) = story(3);
        let modal = r#"<div class="overlay" aria-modal="true"><h2>We value your privacy</h2><p>We and our partners store and access information on your device, such as cookies, to measure how content performs.</p><button>I accept</button></div>"#;
        let notice = r#"<section id="privacy-notice"><p>This website stores data such as cookies to enable essential site functionality, as well as analytics.</p><button>Accept</button></section>"#;
        for banner in [modal, notice] {
            let page = format!("<body>{banner}<div>{html}</div>{banner}</body>");
            assert_eq!(extract(&page), want, "{banner}");
        }
    }

    #[test]
    fn boxes_are_told_by_their_structure() {
        let boxes = |html: &str| {
            Html::parse_document(html)
                .root_element()
                .descendants()
                .filter_map(ElementRef::wrap)
                .filter(|e| is_card_box(*e))
                .count()
        };
        let (story, _) = story(10);
        // The module and its list, after the story or in its flow.
        assert_eq!(boxes(&format!("<body>{story}{}</body>", card_box())), 2);
        assert_eq!(
            boxes(&format!("<body>{story}{}{story}</body>", card_box())),
            2
        );
        // Alone, or beside little text, cards are the page's content.
        assert_eq!(boxes(&card_box()), 0);
        let (short, _) = self::story(2);
        assert_eq!(boxes(&format!("<body>{short}{}</body>", card_box())), 0);
        // Cards linking to many sites are a roundup the story makes.
        let roundup = card_box()
            .replace("/news/", "https://blog.example/")
            .replacen("blog.example", "diy.example", 1);
        assert_eq!(boxes(&format!("<body>{story}{roundup}</body>")), 0);
        // Two linked headlines are a list the story may make.
        let two = r#"<ul><li><h3><a href="/a">A</a></h3><p>One.</p></li><li><h3><a href="/b">B</a></h3><p>Two.</p></li></ul>"#;
        assert_eq!(boxes(&format!("<body>{story}{two}</body>")), 0);
        // A privacy policy is not a consent box.
        let policy = format!(
            r#"<div class="privacy-policy"><p>{}</p><button>Print</button></div>"#,
            "We collect the data you give us and nothing else. ".repeat(40)
        );
        let dom = Html::parse_fragment(&policy);
        assert!(!dom
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
            .any(|e| is_consent_box(e, names_consent)));
    }
}
