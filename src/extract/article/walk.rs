//! The walk over the page: its containers ([`Container`]) and the blocks of
//! text in them, read in document order with their totals of prose and
//! noise; suspect containers dropped as they close, legal notices too
//! (their totals still counted).

use std::cell::OnceCell;
use std::hash::Hasher;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Node};

use super::block::{RawBlock, BR};
use super::markup::{
    block_kind, is_anchor, is_author_link, is_block_level, is_control_link, is_embedded_post,
    is_permalink, layout_signature, markup, Markup, Mode, Names,
};
use crate::document::BlockKind;
use crate::extract::teaser::is_comments_heading;
use crate::extract::{attr, is_inline, is_tooltip};
use crate::text;

/// True for a link read as plain text: the permalink of the heading it
/// stands in ([`is_permalink`]), so a section's title set as one is kept.
fn is_self_link(el: &scraper::node::Element, node: ego_tree::NodeRef<'_, Node>) -> bool {
    is_anchor(el) && ElementRef::wrap(node).is_some_and(is_permalink)
}

/// A block-level element of the page, a candidate article container.
pub(super) struct Container {
    /// The blocks inside it: `first_block..end_block` of [`Walk::blocks`].
    pub(super) first_block: usize,
    pub(super) end_block: usize,
    /// Characters of prose inside it.
    pub(super) prose: f32,
    /// Characters of prose in its own text and its own paragraphs (its
    /// children that are blocks of text), not in wrapped boxes.
    pub(super) own_prose: f32,
    /// Characters of link text inside it (navigation, teasers, tag lists):
    /// what makes a container look like page chrome.
    pub(super) noise: f32,
    /// Characters of the rest of its text (headings, table cells, short
    /// list items, labels): neither prose nor chrome.
    pub(super) other: f32,
    /// Its markup names it like boilerplate.
    pub(super) suspect: bool,
    /// Its markup declares it the article body (`itemprop="articleBody"`).
    pub(super) declared: bool,
    /// It is an `<article>` element.
    pub(super) is_article: bool,
    /// Its element name and the class names that are not instance ids
    /// ([`layout_signature`]), hashed; 0 for an element without classes.
    pub(super) signature: u64,
    /// It is a block of text itself (a paragraph, list item, heading ...).
    pub(super) is_text: bool,
    /// It holds an embedded social-media post ([`is_embedded_post`]).
    embeds: bool,
    /// It holds an image (`<img>`, `<picture>`, `<video>`).
    pub(super) images: bool,
    /// It was dropped as boilerplate, with everything inside.
    pub(super) dropped: bool,
    /// It is a standing legal notice ([`Markup::Notice`]): its blocks are
    /// dropped, its totals still count in its parent's.
    notice: bool,
    /// It is named like a footer ([`Markup::Footer`]): the characters of
    /// text read before it opened.
    footer: Option<u32>,
    /// The containers inside it: `index + 1..end_container`.
    pub(super) end_container: usize,
}

/// Characters past which a table cell is a box a table layout puts part of
/// the page in, not a cell of a table of data ([`is_flat_cell`]).
const FLAT_CELL_MAX_CHARS: usize = 200;

/// True for a table cell whose paragraphs are words of its row: a cell of a
/// table of data that a CMS writes with its text in a `<p>` or a `<div>`
/// (`<td><p>60%</p></td>`), as the row reads ("Rustup distribution | 40%
/// | 40%"), not one block a cell. A cell of a table laying out the page
/// holds more text ([`FLAT_CELL_MAX_CHARS`]), or a table, a list or a
/// heading of its own. Looked at up to that many characters: a layout's
/// cell holding the whole page costs no more than a short one.
fn is_flat_cell(cell: ElementRef<'_>) -> bool {
    // Most cells hold their text bare.
    if !cell
        .children()
        .filter_map(ElementRef::wrap)
        .any(|c| matches!(c.value().name(), "p" | "div"))
    {
        return false;
    }
    let mut chars = 0;
    for n in cell.descendants().skip(1) {
        match n.value() {
            Node::Text(t) => {
                chars += t.chars().count();
                if chars > FLAT_CELL_MAX_CHARS {
                    return false;
                }
            }
            Node::Element(e)
                if matches!(
                    e.name(),
                    "table" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                ) =>
            {
                return false;
            }
            _ => {}
        }
    }
    true
}

/// Characters past which a line is no count of readers' comments ("33
/// Comments"), not looked at for one.
const COMMENTS_COUNT_MAX_CHARS: u32 = 120;

/// Prose (characters) a suspect container needs to be kept.
const SUSPECT_MIN_PROSE: f32 = 150.0;

/// Words a paragraph needs to be taken for a copy of the footer's text
/// ([`Walk::in_footer`]): shorter lines (a slogan, "Contact us") may be
/// the story's too.
const FOOTER_COPY_MIN_WORDS: usize = 8;

/// `t`'s words, in lower case, one space between them: how paragraphs are
/// matched against the footer's text ([`Walk::in_footer`]).
fn footer_words(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for w in words_of(t) {
        if !out.is_empty() {
            out.push(' ');
        }
        // An ASCII word is lower-cased as it is copied, not into a string
        // of its own.
        match w.is_ascii() {
            true => out.extend(w.chars().map(|c| c.to_ascii_lowercase())),
            false => out.push_str(&w.to_lowercase()),
        }
    }
    out
}

/// The hash of a word in lower case, as runs of words are hashed
/// ([`run_hash`]).
fn word_hash(w: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for c in w.chars().flat_map(char::to_lowercase) {
        h.write_u32(c as u32);
    }
    h.finish()
}

/// The hash of a run of words from their hashes ([`word_hash`]): each of
/// the footer's words is hashed once, not once for every run it is in.
fn run_hash(words: &[u64]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for &w in words {
        h.write_u64(w);
    }
    h.finish()
}

/// The hash of the first [`FOOTER_COPY_MIN_WORDS`] words of `t` (in lower
/// case), as the footer's runs of that many words are indexed; `None` when
/// there are fewer.
fn opening_hash(t: &str) -> Option<u64> {
    let mut words = [0; FOOTER_COPY_MIN_WORDS];
    let mut n = 0;
    for (slot, w) in words.iter_mut().zip(words_of(t)) {
        *slot = word_hash(w);
        n += 1;
    }
    (n == FOOTER_COPY_MIN_WORDS).then(|| run_hash(&words))
}

/// The words of `t`, as [`footer_words`] splits them.
fn words_of(t: &str) -> impl Iterator<Item = &str> {
    t.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// One pass over a subtree: its text blocks in document order and every
/// block-level element with the prose and noise it holds.
pub(super) struct Walk {
    pub(super) blocks: Vec<RawBlock>,
    pub(super) containers: Vec<Container>,
    /// Block ranges of dropped suspect containers (nested ones included).
    dropped: Vec<std::ops::Range<usize>>,
    /// Non-white-space characters of text outside links in skipped
    /// [`Markup::Chrome`] subtrees.
    pub(super) skipped_chrome: u32,
    /// Non-white-space characters of the blocks read so far.
    chars_read: u32,
    /// The innermost container the page's headline (its first `<h1>`, read)
    /// is in.
    pub(super) headline: Option<usize>,
    /// The words of the page's footers (`<footer>`, skipped), spaced and
    /// with a space before and after ([`footer_words`]), for telling the
    /// site-wide boxes it repeats ([`Walk::in_footer`]).
    footer_text: String,
    /// The hash of each run of [`FOOTER_COPY_MIN_WORDS`] words of the
    /// footers ([`opening_hash`]): a paragraph whose opening is none of
    /// them is not the footer's, and its words are not copied to look.
    footer_runs: rustc_hash::FxHashSet<u64>,
}

/// True for a heading that is the whole of an item of a list of two items
/// or more, set in heading type (`<ul><li><h3>organic cotton</h3></li><li>...`):
/// the list is the story's (products, features), the heading only its type
/// size. A list of one linked headline is a teaser box ("More: <a>...</a>"),
/// and so is an item with more than its heading (a teaser card: a linked
/// headline, then its summary).
fn is_listed_heading(heading: ElementRef<'_>) -> bool {
    let Some(item) = heading.parent().and_then(ElementRef::wrap) else {
        return false;
    };
    let heading_alone = item.children().all(|c| {
        c.id() == heading.id() || c.value().as_text().is_some_and(|t| t.trim().is_empty())
    });
    item.value().name() == "li"
        && heading_alone
        && item
            .parent()
            .and_then(ElementRef::wrap)
            .is_some_and(|list| {
                list.children()
                    .filter_map(ElementRef::wrap)
                    .filter(|e| e.value().name() == "li")
                    .nth(1)
                    .is_some()
            })
}

/// Splits text at two or more `<br>` in a row (white space between them
/// allowed); single `<br>` stay in the text.
fn split_double_br(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c != BR {
            continue;
        }
        let mut end = i + c.len_utf8();
        let mut brs = 1;
        while let Some(&(j, d)) = iter.peek() {
            if d == BR {
                brs += 1;
            } else if !d.is_whitespace() {
                break;
            }
            end = j + d.len_utf8();
            iter.next();
        }
        if brs >= 2 {
            parts.push(&text[start..i]);
            start = end;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Non-white-space characters and letters of a text, in extraction's
/// measure ([`text::reading_weight`]: a Chinese character counts as the
/// characters of its translation).
fn char_counts(s: &str) -> (u32, u32) {
    if s.is_ascii() {
        // Counted without branches, which the compiler vectorises.
        let (mut chars, mut letters) = (0, 0);
        for &b in s.as_bytes() {
            chars += u32::from(!text::is_ascii_space(b));
            letters += u32::from(b.is_ascii_alphabetic());
        }
        return (chars, letters);
    }
    let (mut chars, mut letters) = (0, 0);
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        let weight = text::reading_weight(c);
        chars += weight;
        letters += if c.is_alphabetic() { weight } else { 0 };
    }
    (chars, letters)
}

/// An open `<span>` in a block of text, and where the block's pending text
/// stood when it opened. A span that holds an image in running text is a
/// card when its text is mostly links (a hover card on a person's name,
/// with their photo and latest stories), not the sentence's text: its text
/// is taken out when it closes.
struct Card {
    node: NodeId,
    /// The container whose block it opened in.
    container: usize,
    text_len: usize,
    link_chars: u32,
    anchor_chars: u32,
    strong_chars: u32,
    /// An image was met inside it (and not inside a span inside it).
    image: bool,
}

impl Card {
    fn open(node: NodeId, container: usize, p: &Pending) -> Card {
        Card {
            node,
            container,
            text_len: p.text.len(),
            link_chars: p.link_chars,
            anchor_chars: p.anchor_chars,
            strong_chars: p.strong_chars,
            image: false,
        }
    }

    /// Takes the card's text out of `p`, the pending block of `container`,
    /// when the span holds an image and mostly links, and its block is still
    /// being built.
    fn close(self, container: usize, p: &mut Pending) {
        if !self.image || self.container != container || p.text.len() < self.text_len {
            return;
        }
        let chars = text::reading_chars(&p.text[self.text_len..]);
        let links = p.link_chars.saturating_sub(self.link_chars);
        if links * 10 > chars * 6 {
            p.text.truncate(self.text_len);
            p.link_chars = self.link_chars;
            p.anchor_chars = self.anchor_chars;
            p.strong_chars = self.strong_chars;
        }
    }
}

/// A block being built: its kind, text, and how much of it is link text.
struct Pending {
    kind: BlockKind,
    /// The cells (`<td>`, `<th>`) in it: it is a row of a table.
    cells: u32,
    text: String,
    link_chars: u32,
    anchor_chars: u32,
    /// Non-white-space characters set in bold (`<strong>`, `<b>`).
    strong_chars: u32,
    /// Non-white-space characters inside disclosure controls.
    control_chars: u32,
    /// A control in it opens a panel that is hidden.
    closed_panel: bool,
    /// A link in it goes to the page of one of the site's authors
    /// ([`is_author_link`]).
    author_link: bool,
}

impl Pending {
    fn new(kind: BlockKind) -> Pending {
        Pending {
            kind,
            cells: 0,
            text: String::new(),
            link_chars: 0,
            anchor_chars: 0,
            strong_chars: 0,
            control_chars: 0,
            closed_panel: false,
            author_link: false,
        }
    }
}

impl Walk {
    /// True when `text`, a paragraph of [`FOOTER_COPY_MIN_WORDS`] words or
    /// more, is also in the page's footer: a site-wide box the page shows
    /// twice (reviews of the business, a pitch for its services), once in
    /// the footer and once in a copy for other screens beside the story.
    pub(super) fn in_footer(&self, text: &str) -> bool {
        if self.footer_text.is_empty() {
            return false;
        }
        // Looked up before the words are copied: most blocks are short, or
        // open otherwise than any run of the footer's words.
        if !opening_hash(text).is_some_and(|h| self.footer_runs.contains(&h)) {
            return false;
        }
        let key = format!(" {} ", footer_words(text));
        memchr::memmem::find(self.footer_text.as_bytes(), key.as_bytes()).is_some()
    }

    /// Walks `root` iteratively (deeply nested pages must not overflow the
    /// stack), skipping boilerplate subtrees.
    pub(super) fn new<'a>(root: ElementRef<'a>, mode: Mode) -> Walk {
        let mut walk = Walk {
            blocks: Vec::new(),
            containers: Vec::new(),
            dropped: Vec::new(),
            skipped_chrome: 0,
            chars_read: 0,
            headline: None,
            footer_text: String::new(),
            footer_runs: Default::default(),
        };
        // Open containers: (index in `containers`, block being built).
        let mut open: Vec<(usize, Pending)> = vec![(
            walk.open_container(false, false, false, false),
            Pending::new(BlockKind::Paragraph),
        )];
        // The nodes of the open containers but the root, innermost last.
        let mut containers_open: Vec<NodeId> = Vec::new();
        // Text buffers of closed containers (empty), for the next ones.
        let mut spare_texts: Vec<String> = Vec::new();
        let mut names = Names::new();
        let mut skip_until: Option<NodeId> = None;
        // The skipped subtree is chrome (its text may be the article).
        let mut skip_chrome = false;
        // The skipped subtree is a page footer.
        let mut skip_footer = false;
        let mut in_link = 0usize;
        // Open links to a place on the page itself (`href="#..."`).
        let mut in_anchor = 0usize;
        // Open `<strong>` and `<b>` elements.
        let mut in_strong = 0usize;
        // Open `<span>`s, innermost last, each with where the pending text
        // stood when it opened ([`Card`]).
        let mut spans: Vec<Card> = Vec::new();
        // The table cell open whose paragraphs are words of its row
        // ([`is_flat_cell`]).
        let mut flat_cell: Option<NodeId> = None;
        // Open disclosure controls ([`is_disclosure_control`]).
        let mut in_control = 0usize;
        // A control closed and no text read since: a hidden box met now is
        // the panel it opens, closed.
        let mut after_control = false;
        // `<h1>`s met so far: the first is the headline (metadata, compared
        // on its own); a later one met after a sentence of story text heads
        // a section of the story (blogs and documentation set section titles
        // as `<h1>`s too), and is read as a heading.
        let mut h1s = 0usize;
        // Whether a block of story text was read, looked for up to
        // `story_checked` blocks (once per block, however many `<h1>`s).
        let (mut story_begun, mut story_checked) = (false, 0usize);
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skip_until.is_some() {
                        match node.value() {
                            Node::Text(t) if skip_chrome && in_link == 0 => {
                                walk.skipped_chrome += text::reading_chars(t);
                            }
                            Node::Text(t) if skip_footer => {
                                walk.footer_text.push_str(t);
                                walk.footer_text.push(' ');
                            }
                            Node::Element(el) if el.name() == "a" => in_link += 1,
                            _ => {}
                        }
                        continue;
                    }
                    match node.value() {
                        Node::Text(t) => {
                            let top = &mut open.last_mut().expect("never empty").1;
                            top.text.push_str(t);
                            // Only looked at while it may change.
                            if after_control {
                                after_control = t.trim().is_empty();
                            }
                            if in_control > 0 {
                                top.control_chars += text::reading_chars(t);
                            }
                            if in_strong > 0 {
                                top.strong_chars += text::reading_chars(t);
                            }
                            if in_link > 0 {
                                let n = text::reading_chars(t);
                                top.link_chars += n;
                                if in_anchor > 0 {
                                    top.anchor_chars += n;
                                }
                            }
                        }
                        Node::Element(el) => {
                            if node.id() == root.id() {
                                continue;
                            }
                            let name = el.name();
                            if is_inline(name) {
                                if ElementRef::wrap(node).is_some_and(is_tooltip) {
                                    skip_until = Some(node.id());
                                    skip_chrome = false;
                                    continue;
                                }
                                in_strong += usize::from(matches!(name, "strong" | "b"));
                                if name == "a" && is_control_link(el) {
                                    in_control += 1;
                                } else if name == "a" && !is_self_link(el, node) {
                                    in_link += 1;
                                    in_anchor += usize::from(is_anchor(el));
                                    if is_author_link(el) {
                                        open.last_mut().expect("never empty").1.author_link = true;
                                    }
                                } else if name == "span" {
                                    let (c, top) = open.last().expect("never empty");
                                    spans.push(Card::open(node.id(), *c, top));
                                }
                                continue;
                            }
                            if matches!(name, "td" | "th") {
                                open.last_mut().expect("never empty").1.cells += 1;
                                if flat_cell.is_none()
                                    && ElementRef::wrap(node).is_some_and(is_flat_cell)
                                {
                                    flat_cell = Some(node.id());
                                }
                            }
                            if matches!(name, "img" | "picture" | "video") {
                                let top = open.last().expect("never empty").0;
                                walk.containers[top].images = true;
                                if let Some(card) = spans.last_mut() {
                                    card.image = true;
                                }
                            }
                            let Some(er) = ElementRef::wrap(node) else {
                                continue;
                            };
                            let section_h1 = name == "h1" && {
                                h1s += 1;
                                if h1s == 1 {
                                    walk.headline = Some(open.last().expect("never empty").0);
                                }
                                if !story_begun {
                                    story_begun = walk.blocks[story_checked..]
                                        .iter()
                                        .any(RawBlock::is_story_text);
                                    story_checked = walk.blocks.len();
                                }
                                h1s > 1 && story_begun
                            };
                            let markup = match (markup(er, &mut names), mode) {
                                (Markup::Excluded, _) if section_h1 => Markup::Plain,
                                (Markup::Chrome, Mode::Strict) => {
                                    if after_control {
                                        walk.close_panel(
                                            &mut open.last_mut().expect("never empty").1,
                                        );
                                    }
                                    skip_until = Some(node.id());
                                    skip_chrome = true;
                                    continue;
                                }
                                (Markup::Chrome | Markup::Teasers, Mode::Lenient) => {
                                    Markup::Suspect
                                }
                                (Markup::Excluded, _) | (Markup::Teasers, Mode::Strict) => {
                                    skip_until = Some(node.id());
                                    skip_chrome = false;
                                    skip_footer = name == "footer";
                                    continue;
                                }
                                (m, _) => m,
                            };
                            if name == "button" {
                                in_control += 1;
                            }
                            if name == "br" {
                                open.last_mut().expect("never empty").1.text.push(BR);
                            } else if flat_cell.is_some()
                                && matches!(name, "p" | "div")
                                && markup == Markup::Plain
                            {
                                // A paragraph of a cell is a word of its row.
                                open.last_mut().expect("never empty").1.text.push(' ');
                            } else if is_block_level(name)
                                || section_h1
                                || matches!(markup, Markup::Suspect | Markup::Notice)
                            {
                                let (idx, top) = open.last_mut().expect("never empty");
                                let idx = *idx;
                                walk.flush(idx, top);
                                // A paragraph of a list item is the item, and
                                // so is the heading an item of a list is set
                                // in ([`is_listed_heading`]).
                                let kind = match block_kind(name)
                                    .or(section_h1.then_some(BlockKind::Heading))
                                {
                                    Some(BlockKind::Paragraph) | None
                                        if top.kind == BlockKind::ListItem =>
                                    {
                                        BlockKind::ListItem
                                    }
                                    Some(BlockKind::Heading) if is_listed_heading(er) => {
                                        BlockKind::ListItem
                                    }
                                    k => k.unwrap_or(BlockKind::Paragraph),
                                };
                                let declared = attr(el, "itemprop") == Some("articleBody");
                                if is_embedded_post(er) {
                                    for &(c, _) in &open {
                                        walk.containers[c].embeds = true;
                                    }
                                }
                                let c = walk.open_container(
                                    matches!(markup, Markup::Suspect | Markup::Notice),
                                    declared,
                                    name == "article",
                                    block_kind(name).is_some() || section_h1,
                                );
                                walk.containers[c].signature = layout_signature(el, &mut names);
                                walk.containers[c].notice = markup == Markup::Notice;
                                walk.containers[c].footer =
                                    (markup == Markup::Footer).then_some(walk.chars_read);
                                let text = spare_texts.pop().unwrap_or_default();
                                open.push((
                                    c,
                                    Pending {
                                        text,
                                        ..Pending::new(kind)
                                    },
                                ));
                                containers_open.push(node.id());
                            }
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(id) = skip_until {
                        if id == node.id() {
                            skip_until = None;
                            skip_footer = false;
                        } else if let Node::Element(el) = node.value() {
                            if el.name() == "a" {
                                in_link = in_link.saturating_sub(1);
                            }
                        }
                        continue;
                    }
                    let Node::Element(el) = node.value() else {
                        continue;
                    };
                    if flat_cell == Some(node.id()) {
                        flat_cell = None;
                    }
                    let name = el.name();
                    if name == "button" {
                        in_control = in_control.saturating_sub(1);
                        after_control = true;
                    }
                    if is_inline(name) {
                        in_strong =
                            in_strong.saturating_sub(usize::from(matches!(name, "strong" | "b")));
                        if name == "a" && is_control_link(el) {
                            in_control = in_control.saturating_sub(1);
                            after_control = true;
                        } else if name == "a" && !is_self_link(el, node) {
                            in_link = in_link.saturating_sub(1);
                            in_anchor = in_anchor.saturating_sub(usize::from(is_anchor(el)));
                        } else if name == "span"
                            && spans.last().is_some_and(|c| c.node == node.id())
                        {
                            let card = spans.pop().expect("checked");
                            let (c, top) = open.last_mut().expect("never empty");
                            card.close(*c, top);
                        }
                    } else if containers_open.last() == Some(&node.id()) {
                        containers_open.pop();
                        let (idx, mut done) = open.pop().expect("one per open container");
                        walk.close_container(
                            idx,
                            &mut done,
                            open.last().expect("checked length").0,
                        );
                        spare_texts.push(done.text);
                    } else {
                        open.last_mut().expect("never empty").1.text.push(' ');
                    }
                }
            }
        }
        while let Some((idx, mut p)) = open.pop() {
            match open.last() {
                Some(&(parent, _)) => walk.close_container(idx, &mut p, parent),
                None => {
                    walk.flush(idx, &mut p);
                    walk.containers[idx].end_block = walk.blocks.len();
                    walk.containers[idx].end_container = walk.containers.len();
                }
            }
        }
        if !walk.footer_text.is_empty() {
            let words: Vec<u64> = words_of(&walk.footer_text).map(word_hash).collect();
            let runs = words.windows(FOOTER_COPY_MIN_WORDS).map(run_hash).collect();
            walk.footer_runs = runs;
            walk.footer_text = format!(" {} ", footer_words(&walk.footer_text));
        }
        walk
    }

    fn open_container(
        &mut self,
        suspect: bool,
        declared: bool,
        is_article: bool,
        is_text: bool,
    ) -> usize {
        self.containers.push(Container {
            first_block: self.blocks.len(),
            end_block: self.blocks.len(),
            prose: 0.0,
            own_prose: 0.0,
            noise: 0.0,
            other: 0.0,
            suspect,
            declared,
            is_article,
            signature: 0,
            is_text,
            embeds: false,
            images: false,
            dropped: false,
            notice: false,
            footer: None,
            end_container: 0,
        });
        self.containers.len() - 1
    }

    /// Flushes the container's last block and adds its totals to its parent;
    /// a suspect container that does not hold mostly prose is dropped, unless
    /// it holds an embedded post (sites wrap those in "social-embed" boxes),
    /// and so is a box named like a footer that holds less text than the
    /// page before it (a footer closes the page, where a wrapper of the page
    /// named so, "wrap-with-footer", holds most of it), and a section of
    /// readers' comments ([`Walk::opens_comments`]).
    fn close_container(&mut self, idx: usize, pending: &mut Pending, parent: usize) {
        self.flush(idx, pending);
        let end = self.blocks.len();
        let end_container = self.containers.len();
        let chars_read = self.chars_read;
        let comments = self.opens_comments(self.containers[idx].first_block..end);
        let c = &mut self.containers[idx];
        c.end_block = end;
        c.end_container = end_container;
        let (prose, noise, other, is_text, images) =
            (c.prose, c.noise, c.other, c.is_text, c.images);
        let footer = c.footer.is_some_and(|before| chars_read - before < before);
        if footer
            || comments
            || c.suspect && !c.embeds && !(prose >= SUSPECT_MIN_PROSE && prose > noise)
        {
            c.dropped = true;
            self.dropped.push(c.first_block..end);
            return;
        }
        // A legal notice that reads as prose is left out of the text, not
        // out of the layout: it still counts in its parent's totals.
        if c.notice {
            c.dropped = true;
            self.dropped.push(c.first_block..end);
        }
        let p = &mut self.containers[parent];
        p.prose += prose;
        p.noise += noise;
        p.other += other;
        p.images |= images;
        if is_text {
            p.own_prose += prose;
        }
    }

    /// True for the blocks `range` of a container when they open with a
    /// heading of readers' comments or of the form to write one
    /// ([`RawBlock::comments_heading`]): the section of comments, whatever
    /// its markup calls it. Comments churn, and are not the story.
    fn opens_comments(&self, range: std::ops::Range<usize>) -> bool {
        self.blocks[range]
            .iter()
            .find(|b| b.chars > 0)
            .is_some_and(|b| b.comments_heading)
    }

    /// Turns the pending text of container `idx` into blocks (two `<br>` in a
    /// row split paragraphs) and scores them.
    fn flush(&mut self, idx: usize, p: &mut Pending) {
        if p.text.is_empty() {
            return;
        }
        if p.text.contains(BR) {
            let parts = split_double_br(&p.text);
            let single = parts.len() == 1;
            for part in parts {
                self.add_block(idx, p, part, single);
            }
        } else {
            self.add_block(idx, p, &p.text, true);
        }
        p.text.clear();
        p.link_chars = 0;
        p.anchor_chars = 0;
        p.strong_chars = 0;
        p.control_chars = 0;
        p.closed_panel = false;
        p.author_link = false;
    }

    /// Adds `part` of the pending text `p` of container `idx` (all of it
    /// when `whole`) as a block, and scores it.
    fn add_block(&mut self, idx: usize, p: &Pending, part: &str, whole: bool) {
        let (chars, letters) = char_counts(part);
        if chars == 0 {
            return;
        }
        let mut block = RawBlock {
            kind: p.kind,
            cells: p.cells,
            text: part.to_string(),
            chars,
            letters,
            index: self.blocks.len(),
            // Link text cannot be attributed to split parts: assume none.
            link_chars: if whole { p.link_chars.min(chars) } else { 0 },
            anchor_chars: if whole { p.anchor_chars.min(chars) } else { 0 },
            strong_chars: if whole { p.strong_chars.min(chars) } else { 0 },
            control: whole && p.control_chars * 2 > chars,
            closed_panel: p.closed_panel,
            author_link: p.author_link,
            comments_heading: false,
            clean: OnceCell::new(),
        };
        self.join_drop_cap(&mut block);
        // Once per block: nested containers that open with it all ask.
        block.comments_heading = (block.kind == BlockKind::Heading
            || block.link_chars == 0
                && block.chars <= COMMENTS_COUNT_MAX_CHARS
                && block.text.contains(|c: char| c.is_numeric()))
            && is_comments_heading(&block.text);
        self.chars_read += block.chars;
        let c = &mut self.containers[idx];
        if block.is_prose() {
            // List items are as often teasers as article text.
            let weight = if block.kind == BlockKind::ListItem {
                0.5
            } else {
                1.0
            };
            c.prose += weight * (block.chars - block.link_chars) as f32;
            c.own_prose += weight * (block.chars - block.link_chars) as f32;
            c.noise += block.link_chars as f32;
        } else {
            c.noise += block.link_chars as f32;
            c.other += (block.chars - block.link_chars) as f32;
        }
        self.blocks.push(block);
    }

    /// Marks the label of the control just read, `p` or the last block when
    /// `p` holds no text, as opening a hidden panel.
    fn close_panel(&mut self, p: &mut Pending) {
        if p.control_chars > 0 {
            p.closed_panel = true;
        } else if let Some(b) = self.blocks.last_mut() {
            b.closed_panel = true;
        }
    }

    /// Moves a drop cap into `block`: a letter that a layout sets in a block
    /// of its own just before the rest of its word ("D", "uring the war").
    /// The letter's block is left empty.
    fn join_drop_cap(&mut self, block: &mut RawBlock) {
        if !block.text.trim_start().starts_with(char::is_lowercase) {
            return;
        }
        let Some(prev) = self.blocks.last_mut() else {
            return;
        };
        if prev.chars != 1 || prev.letters != 1 {
            return;
        }
        block.text = format!("{}{}", prev.text.trim(), block.text.trim_start());
        block.chars += 1;
        block.letters += 1;
        prev.text.clear();
        prev.clean.take();
        prev.chars = 0;
        prev.letters = 0;
        prev.link_chars = 0;
        prev.anchor_chars = 0;
        prev.strong_chars = 0;
    }

    /// The ancestors of container `c`, nearest first (the walk's root last).
    pub(super) fn ancestors(&self, c: usize) -> Vec<usize> {
        let mut out: Vec<usize> = (0..c)
            .filter(|&a| self.containers[a].end_container > c)
            .collect();
        out.reverse();
        out
    }

    /// The indices of the children of container `c`, in document order.
    pub(super) fn children(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.containers[c].end_container;
        let mut i = c + 1;
        std::iter::from_fn(move || {
            if i >= end {
                return None;
            }
            let child = i;
            i = self.containers[i].end_container.max(i + 1);
            Some(child)
        })
    }

    /// The blocks of `range` outside dropped containers.
    pub(super) fn kept_blocks(&self, range: std::ops::Range<usize>) -> Vec<&RawBlock> {
        self.kept_indices(range)
            .into_iter()
            .map(|i| &self.blocks[i])
            .collect()
    }

    /// The indices of the blocks of `range` outside dropped containers.
    pub(super) fn kept_indices(&self, range: std::ops::Range<usize>) -> Vec<usize> {
        let mut dropped: Vec<&std::ops::Range<usize>> = self
            .dropped
            .iter()
            .filter(|d| d.start < range.end && d.end > range.start)
            .collect();
        dropped.sort_by_key(|d| d.start);
        let mut out = Vec::with_capacity(range.len());
        let mut drops = dropped.into_iter().peekable();
        let mut skip_to = range.start;
        for i in range {
            while let Some(d) = drops.next_if(|d| d.start <= i) {
                skip_to = skip_to.max(d.end);
            }
            if i >= skip_to {
                out.push(i);
            }
        }
        out
    }
}
