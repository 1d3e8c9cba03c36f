//! Titled boxes that are not the story: a table of contents, the author's
//! card or bio, a box known by its title ("About the author", "Was this
//! helpful").

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::block::{RawBlock, BR};
use super::walk::{Container, Walk};
use crate::document::BlockKind;
use crate::text;

/// The title of a table of contents, in the languages the corpus and the
/// watchers read: "Table of contents", "On this page", "In this article",
/// "Contents [hide]", "Inhaltsverzeichnis", "Sommaire", "Índice", "目次",
/// "فهرست مطالب", "جدول المحتويات". Whole-block text; a toggle's label
/// ("hide", "show") may follow it.
static CONTENTS_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(table of contents|contents|on this page|in this (article|post|guide|page)|jump to( section)?|article contents|inhaltsverzeichnis|inhalt|in diesem artikel|sommaire|table des matières|dans cet article|índice|indice|tabla de contenidos?|contenidos?|en este artículo|sommario|in questo articolo|conteúdo|neste artigo|inhoudsopgave|inhoud|содержание|оглавление|spis treści|içindekiler|目次|目录|目錄|فهرست مطالب|فهرست محتوا|فهرست|در این مقاله|جدول المحتويات|المحتويات|محتويات المقال|في هذا المقال)\s*[:：]?\s*([\[(]?\s*(hide|show|toggle|ocultar|mostrar|masquer|afficher|ausblenden|einblenden|نمایش|پنهان|إخفاء|إظهار)\s*[\])]?)?$")
        .expect("static regex")
});

/// The title of a box after the story that is not part of it, matched at
/// the start of a block (the title alone, or the title and the box's text
/// in one line): a box about the author ("About the author", "About the
/// authors", "Über den Autor", "À propos de l'auteur", "Sobre el autor",
/// "درباره نویسنده", "عن الكاتب") or about the reviewer of a medically
/// reviewed story ("About the reviewer"), or a box asking the reader to
/// rate the page ("Was this page helpful?", "How useful was this post?",
/// "War dieser Artikel hilfreich?", "آیا این مطلب مفید بود؟", "هل كان هذا
/// المقال مفيدا؟").
static BOX_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(about the (authors?|writers?|contributors?|reviewers?)|meet the author|über (den autor|die autorin)|zum autor|à propos de l'auteure?|sobre (el autor|la autora|o autor|a autora)|sull'autore|over de auteur|об авторе|yazar hakkında|درباره( ی|‌ی)? نویسنده|عن (الكاتب|المؤلف)|نبذة عن (الكاتب|المؤلف)|how (useful|helpful) was this (post|article|page|guide|content)|(was|is) this (article|page|post|information|guide|answer|content|story) (helpful|useful)|did you find this (article|page|post|information|guide|content) (helpful|useful)|rate this (post|article|page|story)|war (dieser artikel|diese seite) hilfreich|cet article (vous )?a-t-il été utile|¿(te|le) (ha )?(resultado|sido|parecido) útil|¿(fue|es) útil (este artículo|esta página|esta información)|questo articolo (ti )?è stato utile|este (artigo|conteúdo) (foi|é) útil|آیا این (مطلب|مقاله|صفحه|پست) (برای شما )?مفید بود|هل كان(ت)? هذ(ا|ه) (المقال|الصفحة|المحتوى|المعلومات) مفيد(ا|ًا|ة)?)\s*[:：?？؟!]?(\s|$)")
        .expect("static regex")
});

/// The words that open the title of a box in which the site speaks of
/// itself after the story: "About The Daily Example", "Support The Daily
/// Example", "More from The Daily Example"; the site's name follows.
static SITE_BOX_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(about|support|more from|über|à propos de|acerca de|sobre|درباره( ی|‌ی)?|عن)\s+",
    )
    .expect("static regex")
});

/// A word that may follow the site's name in the title of its own box, as
/// the company's name ("About Example Media", "Support Example News"),
/// matched in [`SiteNames::compact`] form.
static SITE_NAME_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(media|news|group|inc|llc|ltd|magazine|network|foundation|press|team)?$")
        .expect("static regex")
});

/// Characters a site's name needs to be looked for in titles.
const SITE_NAME_MIN_CHARS: usize = 3;

/// The names a site goes by, as the titles of its own boxes are matched
/// against them: its `og:site_name`, and the first label of its address's
/// registrable domain ("dailyexample" of `https://www.dailyexample.com/…`). The
/// address is there on every fetch, where `og:site_name` may come and go
/// (an SEO plugin switched off): what the story is must not change with it.
#[derive(Debug, Default)]
pub(super) struct SiteNames(Vec<String>);

impl SiteNames {
    /// The names of the site of the page at `url` whose `og:site_name` is
    /// `site_name`; each too short to tell is left out.
    pub(super) fn new(site_name: Option<&str>, url: Option<&url::Url>) -> SiteNames {
        // An address served by its IP address names no site.
        let domain = url
            .filter(|u| matches!(u.host(), Some(url::Host::Domain(_))))
            .and_then(crate::document::site_of);
        let label = domain.as_deref().and_then(|d| d.split('.').next());
        let mut names: Vec<String> = site_name
            .into_iter()
            .chain(label)
            .map(Self::compact)
            .filter(|n| n.chars().count() >= SITE_NAME_MIN_CHARS)
            .collect();
        names.dedup();
        SiteNames(names)
    }

    /// A name as titles are matched against it: its letters and digits
    /// only, in lower case ("Daily Example" and "dailyexample" alike).
    fn compact(name: &str) -> String {
        text::clean(name)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// True when `title` is the title of a box in which the site speaks of
    /// itself: "About", "Support" or "More from" and one of the site's names
    /// ([`SITE_BOX_LEAD`], [`SITE_NAME_TAIL`]).
    fn title_a_box(&self, title: &str) -> bool {
        let Some(lead) = SITE_BOX_LEAD.find(title) else {
            return false;
        };
        let rest = Self::compact(&title[lead.end()..]);
        self.0.iter().any(|name| {
            rest.strip_prefix(name.as_str())
                .is_some_and(|tail| SITE_NAME_TAIL.is_match(tail))
        })
    }
}

/// Blocks longer than this (non-space characters) are never taken for the
/// title of a table of contents.
const CONTENTS_TITLE_MAX_CHARS: u32 = 40;

/// Prose (characters) an author's card holds at most ([`Walk::author_cards`]):
/// a bio of a few sentences.
pub(super) const CARD_MAX_PROSE: f32 = 800.0;

/// The names of the people a byline names ("Jane Doe and John Roe, Staff
/// Writers", "جین دو و جان رو"): its parts of two words or more.
pub(super) fn author_names(byline: &str) -> Vec<&str> {
    byline
        .split([',', ';', '&', '|', '،', '/', '、', '，', '；'])
        .flat_map(|p| p.split(" and ").flat_map(|p| p.split(" و ")))
        .map(|p| {
            let p = p.trim();
            p.strip_prefix("By ")
                .or_else(|| p.strip_prefix("by "))
                .unwrap_or(p)
                .trim()
        })
        .filter(|p| {
            p.split_whitespace().nth(1).is_some() || p.chars().any(text::written_without_spaces)
        })
        .collect()
}

/// True when `text` opens with the whole of `name` ("Jane Doe is ...",
/// "Jane Doe, a reporter ...").
fn opens_with_name(text: &str, name: &str) -> bool {
    text.trim_start()
        .strip_prefix(name)
        .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
}

impl Walk {
    /// True for the title of a table of contents ([`CONTENTS_TITLE`]) over a
    /// box that holds no text of the article: its entries (links to places
    /// on the page), a toggle, or nothing at all when a script fills it in.
    /// The box is the title's parent when the title is an element of its
    /// own, else the element whose text it is. A title right before an
    /// entry goes wherever it stands (in the story's flow too). A title in a box with the
    /// story's sentences ("Table of contents" over a paragraph that tells
    /// how the article is divided) is part of the story, and so is one over
    /// sections named and summed up ("In this guide", then "Step 1: Backing
    /// up your data", "5 things to consider ..."), in its box or alone in a
    /// box of its own that the headings of those sections follow.
    pub(super) fn is_contents_title(&self, b: &RawBlock) -> bool {
        if b.chars > CONTENTS_TITLE_MAX_CHARS || !CONTENTS_TITLE.is_match(&text::clean(&b.text)) {
            return false;
        }
        let i = b.index;
        // Right over its entries, it titles them wherever it stands.
        if self
            .blocks
            .get(i + 1)
            .is_some_and(|n| n.is_link_list() && n.is_contents_entry())
        {
            return true;
        }
        let Some(own) = self.titled_box(i) else {
            return false;
        };
        let others = self.kept_blocks(own.first_block..own.end_block);
        if others
            .iter()
            .any(|o| o.index != i && (o.is_story_text() || o.to_block().is_some()))
        {
            return false;
        }
        // A box holding the title alone is filled in by a script, unless
        // the headings of the sections it names come right after it.
        let end = own.end_block;
        others.len() > 1
            || self
                .kept_blocks(end..self.blocks.len())
                .first()
                .is_none_or(|next| next.kind != BlockKind::Heading)
    }

    /// The box that the title at block `i` heads: the innermost kept
    /// element holding it, or that element's parent when the title is an
    /// element of its own (`<h3>About the author</h3>` in its `<section>`).
    fn titled_box(&self, i: usize) -> Option<&Container> {
        let mut holding = self
            .containers
            .iter()
            .filter(|c| !c.dropped && c.first_block <= i && i < c.end_block)
            .rev();
        let own = holding.next()?;
        match own.end_block - own.first_block {
            1 => holding.next(),
            _ => Some(own),
        }
    }

    /// The block ranges of the author's cards among the article's `text`: a
    /// box with a photo and a few lines, one of which opens with the name of
    /// one of the story's `authors` ("Jane Doe is a reporter covering ..."),
    /// or, after the story's first sentence, links to an author's page
    /// (`/author/jane-doe/`, [`is_author_link`](super::markup::is_author_link)):
    /// the card's name, where pages whose markup names no byline show it.
    /// The box is the largest around that line that holds at most
    /// [`CARD_MAX_PROSE`] of prose and less than half of the article's, and
    /// no story text before the line; it needs an image, so a line of the
    /// story that names its author, or a tagline set as the story's last
    /// paragraph, stays.
    pub(super) fn author_cards(
        &self,
        text: &[&RawBlock],
        authors: &[&str],
    ) -> Vec<std::ops::Range<usize>> {
        let mut cards: Vec<std::ops::Range<usize>> = Vec::new();
        let start = text.iter().position(|b| b.is_story_text());
        if authors.is_empty() && !text.iter().any(|b| b.author_link) {
            return cards;
        }
        let prose: u32 = text
            .iter()
            .filter(|b| b.is_prose())
            .map(|b| b.chars - b.link_chars)
            .sum();
        let limit = CARD_MAX_PROSE.min(prose as f32 / 2.0);
        for (k, b) in text.iter().enumerate() {
            if cards.iter().any(|r| r.contains(&b.index)) {
                continue;
            }
            let named = authors.iter().any(|&a| opens_with_name(&b.text, a))
                || b.author_link && start.is_some_and(|s| s < k) && !b.is_story_text();
            if !named {
                continue;
            }
            if let Some(card) = self.card_around(b, text, limit) {
                cards.push(card);
            }
        }
        cards
    }

    /// The author's card holding `b`, a line of `text` that names the
    /// author ([`Walk::author_cards`]): the largest box around it holding at
    /// most `limit` of prose and no story text before it, when it holds an
    /// image.
    fn card_around(
        &self,
        b: &RawBlock,
        text: &[&RawBlock],
        limit: f32,
    ) -> Option<std::ops::Range<usize>> {
        // The innermost box of the line, then its ancestors while they
        // stay the size of a card.
        let inner = (0..self.containers.len()).rev().find(|&c| {
            let c = &self.containers[c];
            !c.dropped && c.first_block <= b.index && b.index < c.end_block
        })?;
        // A card opens with a photo, a label or the name: story text
        // before the line (a standfirst beside the byline) is not the
        // card's.
        let story_before = |a: &Container| {
            text.iter()
                .any(|t| (a.first_block..b.index).contains(&t.index) && t.is_story_text())
        };
        let mut card = inner;
        for a in self.ancestors(inner) {
            let c = &self.containers[a];
            if c.prose > limit || story_before(c) {
                break;
            }
            card = a;
        }
        let c = &self.containers[card];
        (c.images && c.prose <= limit).then_some(c.first_block..c.end_block)
    }

    /// The block ranges of the boxes after the story in `text` that are not
    /// part of it, known by their title ([`BOX_TITLE`]): the author's bio
    /// whatever the byline, a widget asking the reader to rate the page; and
    /// the box in which the site, named in `site`, speaks of itself ("About
    /// Example News", "Support Example News": its own description, its
    /// appeal for money, [`SiteNames`]), its title alone on its line.
    /// Such a box is a line that opens with the title and goes on with the
    /// box's text ("About the author: Craig Hull is a freelance photographer
    /// ..."), at most [`CARD_MAX_PROSE`] long; or the title alone, with the
    /// rest of its box (its parent, when the title is an element of its
    /// own), when it opens that box and the box holds at most
    /// [`CARD_MAX_PROSE`] of prose and less than half of the article's. A
    /// title in the story's own flow, its paragraphs before it, heads a
    /// section of the story (a book review's "About the author") and stays.
    pub(super) fn titled_boxes(
        &self,
        text: &[&RawBlock],
        site: &SiteNames,
    ) -> Vec<std::ops::Range<usize>> {
        let mut boxes = Vec::new();
        let Some(start) = text.iter().position(|b| b.is_story_text()) else {
            return boxes;
        };
        let prose: u32 = text
            .iter()
            .filter(|b| b.is_prose())
            .map(|b| b.chars - b.link_chars)
            .sum();
        let limit = CARD_MAX_PROSE.min(prose as f32 / 2.0);
        for b in &text[start + 1..] {
            // Read as written, a `<br>` after the title included; the
            // block's own cleaning (`<br>`s as spaces) made once serves the
            // other blocks, and the article's text after.
            let t = match b.text.contains(BR) {
                true => Cow::Owned(text::clean(&b.text)),
                false => Cow::Borrowed(b.clean_text()),
            };
            let Some(title_end) = BOX_TITLE
                .find(&t)
                .map(|m| m.end())
                .or_else(|| site.title_a_box(&t).then_some(t.len()))
            else {
                continue;
            };
            let i = b.index;
            if title_end < t.len() {
                if ((b.chars - b.link_chars) as f32) <= CARD_MAX_PROSE {
                    boxes.push(i..i + 1);
                }
                continue;
            }
            let Some(own) = self.titled_box(i) else {
                continue;
            };
            let opens = self
                .kept_indices(own.first_block..own.end_block)
                .first()
                .is_some_and(|&f| f == i);
            if opens && own.prose <= limit {
                boxes.push(i..own.end_block);
            }
        }
        boxes
    }
}
