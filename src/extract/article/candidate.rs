//! Choosing the article: scoring containers, narrowing to the main child or
//! `<article>`, the story's parts, lead and questions around it, trimming it
//! to its story, the declared body's container and the last resort.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::block::{has_words, RawBlock, FURNITURE};
use super::boxes::SiteNames;
use super::declared::Declared;
use super::walk::{Container, Walk};
use crate::document::{Block, BlockKind};
use crate::text;

/// The share of the declared text's word 4-grams the extracted text must hold
/// for the two to agree.
const AGREEMENT: f32 = 0.8;

/// Below this share of the declared text, an extraction that is also much
/// shorter than it has missed the article.
const POOR: f32 = 0.5;

/// How much a character of non-prose text costs a candidate container,
/// relative to what a character of prose earns it.
const NOISE_WEIGHT: f32 = 0.3;

/// The share of a container's prose that one child must hold to be the
/// article instead of it.
const MAIN_CHILD_SHARE: f32 = 0.7;

/// The share of a container's prose in its own paragraphs past which it is
/// the article's flow, not a wrapper to narrow down from.
const OWN_PROSE_SHARE: f32 = 0.1;

/// The share of a container's prose that its largest `<article>` must hold
/// to be the article instead of it.
const MAIN_ARTICLE_SHARE: f32 = 0.5;

/// `text` without the labels of disclosure controls that do not title what
/// they open: a label stays when it reads as a title (a heading, a question)
/// and the panel it opens follows it in the text, read (an FAQ's question
/// before its answer, not the next label or the next section's heading). A label whose panel is hidden, or that says what the
/// control does ("More info", "Collapse"), is no text of the story.
fn without_lone_labels(text: Vec<&RawBlock>) -> Vec<&RawBlock> {
    if !text.iter().any(|b| b.control) {
        return text;
    }
    let mut out = Vec::with_capacity(text.len());
    for (i, b) in text.iter().enumerate() {
        if b.control {
            let title = b.kind == BlockKind::Heading || b.text.trim_end().ends_with(['?', '؟']);
            let opened = text.get(i + 1).is_some_and(|n| {
                n.index == b.index + 1 && !n.control && n.kind != BlockKind::Heading
            });
            if !(title && opened) || b.closed_panel {
                continue;
            }
        }
        out.push(*b);
    }
    out
}

/// The title of a box of questions and answers: "FAQ", "FAQs",
/// "Frequently asked questions (FAQ)", "Puppy Training FAQs", "سوالات
/// متداول", "پرسش‌های متداول", "الأسئلة الشائعة".
static QUESTIONS_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|\W)(faq'?s?|frequently asked questions|commonly asked questions|(سوالات|سؤالات|پرسش\x{200C}?های|پرسشهای|پرسش های) (متداول|رایج)|(الأسئلة|الاسئلة|أسئلة|اسئلة) (الشائعة|شائعة|المتكررة|متكررة))(\W|$)")
        .expect("static regex")
});

/// Paragraphs of story text a box of questions needs to be read: its
/// answers (not headings, not the labels of controls, not questions), of
/// which a box that shows only its questions has at most the first.
const QUESTIONS_MIN_ANSWERS: usize = 2;

/// Characters past which a line is no title of a box of questions.
const QUESTIONS_TITLE_MAX_CHARS: usize = 80;

/// True when `text` titles a box of questions and answers
/// ([`QUESTIONS_TITLE`]): a short line, not a sentence that mentions one.
fn is_questions_title(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= QUESTIONS_TITLE_MAX_CHARS && QUESTIONS_TITLE.is_match(t)
}

/// How many ancestors of the article's container are searched for the
/// other parts of its story ([`Walk::story_parts`]).
const PARTS_LEVELS: usize = 4;

/// The most link text a part of the story holds, relative to the rest of
/// its text.
const PART_MAX_NOISE: f32 = 0.6;

/// How many ancestors of the article's container are searched for its lead:
/// page builders nest the body in a wrapper for each section, row, column
/// and module, with the intro in a section beside the outermost.
const LEAD_LEVELS: usize = 5;

/// The most prose the article's lead holds, relative to the article's.
const LEAD_MAX_SHARE: f32 = 0.34;

/// Words a lone paragraph before the article needs to be its intro (a
/// link, a credit or a label is shorter).
const INTRO_MIN_WORDS: usize = 8;

/// Characters outside links a lone intro in a box with an image needs not to
/// be taken for the image's caption.
const INTRO_BESIDE_IMAGE_MIN_CHARS: u32 = 150;

/// Paragraphs of story text a box before the article needs to be its lead.
const LEAD_MIN_PARAGRAPHS: usize = 2;

/// The most link text a box of the article's lead holds, relative to the
/// rest of its text.
const LEAD_MAX_NOISE: f32 = 0.3;

/// `kept` without what precedes its first sentence of story text (or the
/// sentence told in links just before it) and follows its last sentence or
/// list item (kickers, bylines, dates, share and tag bars). Kept are the
/// headings right before its first sentence, the lines that read as text,
/// the sentences told in links (a closing call to action: "Ready to start?
/// <a>Book an installation</a> or <a>call us</a> today.") and the
/// reporting credits that close it, the short sentences that follow its
/// last block or precede its first in the same element (`beside`: an
/// opening or closing line of four words in the story's own flow), and the
/// rows of a table of figures begun
/// inside it or introduced by its last sentence.
fn story_span<'a, 'b>(
    kept: &'b [&'a RawBlock],
    beside: impl Fn(&RawBlock, &RawBlock) -> bool,
) -> &'b [&'a RawBlock] {
    let mut first = kept.iter().position(|b| b.is_story_text()).unwrap_or(0);
    // The story may open with a sentence told mostly in links, as it may
    // close with one: read when the first sentence follows it.
    if first > 0
        && kept[first - 1].is_linked_sentence()
        && kept[first - 1].index + 1 == kept[first].index
    {
        first -= 1;
    }
    // So the short sentences just before it in the same element open it
    // ("It was May.").
    while first > 0
        && kept[first - 1].is_short_sentence()
        && kept[first - 1].index + 1 == kept[first].index
        && beside(kept[first - 1], kept[first])
    {
        first -= 1;
    }
    // The headings just before the first sentence head it (a section
    // heading, a standfirst set as a heading), unless something the walk
    // dropped sits between (a sign-up form under its heading), or the
    // sentence is an item of a list (a "Key takeaways" box).
    if kept
        .get(first)
        .is_some_and(|b| b.kind != BlockKind::ListItem)
    {
        while first > 0
            && kept[first - 1].kind == BlockKind::Heading
            && kept[first - 1].link_chars == 0
            && kept[first - 1].index + 1 == kept[first].index
        {
            first -= 1;
        }
    }
    let mut last = kept
        .iter()
        .rposition(|b| b.is_story_text() || b.is_list_text())
        .map_or(kept.len(), |i| i + 1);
    while kept.get(last).is_some_and(|b| {
        b.is_closing_line()
            || b.is_linked_sentence()
            || b.is_reporting_credit()
            || last > 0
                && b.is_short_sentence()
                && b.index == kept[last - 1].index + 1
                && beside(kept[last - 1], b)
    }) {
        last += 1;
    }
    // A table of figures that the story's last sentence introduces (with a
    // colon), or that the story began, goes on to its last row.
    while last > first
        && (kept[last - 1].is_data_row() || kept[last - 1].text.trim_end().ends_with(':'))
        && kept.get(last).is_some_and(|b| b.is_data_row())
    {
        last += 1;
    }
    &kept[first..last.max(first)]
}

/// True for the heading `span[k]` of the story when it is a link: an entry
/// of a list the story makes, naming the product, school or place it links
/// to ("3. LearnWorlds", "Harvard Business School"). It heads a section of
/// the story: two blocks of story text or more before the next heading,
/// the first block after it not a link (a product's specifications, a
/// table's row or a label may come before its sentences: "Dimensions: 14″
/// x 12″", "Best overall"). A teaser's headline heads a summary of a
/// sentence, and a cross-reference is labelled ("Related: ...", "Read more:
/// ..."); a link to a place on the page is an entry of its contents. One
/// paragraph of prose is a section too when the heading is set among the
/// story's own sentences (`in_story_flow`: the element holding it holds
/// story text outside its section), as a roundup's entries are, where a
/// teaser sits in a box of its own.
fn is_linked_section_heading(
    span: &[&RawBlock],
    k: usize,
    in_story_flow: impl FnOnce(usize) -> bool,
) -> bool {
    let b = span[k];
    if b.kind != BlockKind::Heading || !b.is_link_list() || b.is_contents_entry() {
        return false;
    }
    if let Some((label, _)) = b.text.split_once(':') {
        if FURNITURE.is_match(&text::clean(label)) {
            return false;
        }
    }
    let is_text = |n: &&&RawBlock| n.is_story_text() || n.is_list_text();
    let end = k
        + 1
        + span[k + 1..]
            .iter()
            .take_while(|n| n.kind != BlockKind::Heading)
            .count();
    let section = &span[k + 1..end];
    if section.first().is_none_or(|n| n.is_link_list()) {
        return false;
    }
    let text: Vec<&&RawBlock> = section.iter().filter(is_text).collect();
    text.len() >= 2
        || text.iter().map(|n| n.chars - n.link_chars).sum::<u32>() >= SECTION_MIN_CHARS
        || text.iter().any(|n| n.is_prose()) && in_story_flow(end)
}

/// Characters outside links past which one paragraph under a linked heading
/// is a section of the story, not a teaser's summary of a sentence or two.
const SECTION_MIN_CHARS: u32 = 300;

/// How much a container looks like the article: its prose minus a share of
/// its link text; all its text counts when the page declares it the article
/// body.
fn score(c: &Container) -> f32 {
    if c.declared {
        2.0 * (c.prose + c.noise + c.other)
    } else {
        c.prose - NOISE_WEIGHT * c.noise
    }
}

impl Walk {
    /// True when `found` may have missed the article: it is empty while
    /// the page holds story text (in a box dropped as boilerplate, which the
    /// last resort reads), or the text outside links skipped as chrome
    /// outweighs it.
    pub(super) fn may_have_missed(&self, found: &[Block]) -> bool {
        if found.is_empty() && self.blocks.iter().any(RawBlock::is_story_text) {
            return true;
        }
        let mut chars = 0;
        for b in found {
            if chars >= self.skipped_chrome {
                return false;
            }
            chars += text::reading_chars(&b.text);
        }
        self.skipped_chrome > chars
    }

    /// The article: the detected one ([`Walk::detected`]) when it agrees
    /// with the text the page declares; else the container that holds the
    /// declared text, when one does; else the declared text itself, when the
    /// detection found little of it and much less text than it has.
    pub(super) fn article(
        &self,
        declared: Option<&Declared<'_>>,
        authors: &[&str],
        site: &SiteNames,
    ) -> Vec<Block> {
        let detected = self.detected(authors, site);
        let Some(declared) = declared else {
            return detected;
        };
        let coverage = declared.coverage(&detected);
        if coverage >= AGREEMENT {
            return detected;
        }
        if let Some(held) = self.declared_container(declared) {
            let held_coverage = declared.coverage(&held);
            if held_coverage >= AGREEMENT && held_coverage >= coverage + 0.1 {
                return held;
            }
        }
        let words: usize = detected.iter().map(|b| text::word_count(&b.text)).sum();
        if coverage < POOR && words * 2 < declared.words {
            return declared.blocks();
        }
        detected
    }

    /// The container that best holds the declared text: the most characters
    /// of blocks in it minus those of blocks not in it; its blocks from the
    /// first to the last in the declared text.
    fn declared_container(&self, declared: &Declared<'_>) -> Option<Vec<Block>> {
        // Prefix sums of the characters of blocks in and not in the text.
        let mut held = Vec::with_capacity(self.blocks.len());
        let mut sums = Vec::with_capacity(self.blocks.len() + 1);
        let (mut inside, mut outside) = (0u64, 0u64);
        sums.push((inside, outside));
        for b in &self.blocks {
            let h = declared.holds(&b.text);
            match h {
                Some(true) => inside += u64::from(b.chars),
                Some(false) => outside += u64::from(b.chars),
                None => {}
            }
            held.push(h == Some(true));
            sums.push((inside, outside));
        }
        let gain = |c: &Container| {
            let (i0, o0) = sums[c.first_block];
            let (i1, o1) = sums[c.end_block];
            (i1 - i0) as i64 - (o1 - o0) as i64
        };
        let mut best: Option<(usize, i64)> = None;
        let mut i = 0;
        while let Some(c) = self.containers.get(i) {
            if c.dropped {
                i = c.end_container.max(i + 1);
                continue;
            }
            let g = gain(c);
            if g > 0 && best.is_none_or(|(_, b)| g > b) {
                best = Some((i, g));
            }
            i += 1;
        }
        let c = &self.containers[best?.0];
        let kept = self.kept_indices(c.first_block..c.end_block);
        let first = kept.iter().position(|&i| held[i])?;
        let last = kept.iter().rposition(|&i| held[i])?;
        Some(
            kept[first..=last]
                .iter()
                .filter_map(|&i| self.blocks[i].to_block())
                .collect(),
        )
    }

    /// The detected article: the blocks of the container that holds the most
    /// prose and the least noise, trimmed to its story ([`story_span`]),
    /// after its lead ([`Walk::lead`]), without the cards of its `authors`
    /// ([`Walk::author_cards`]).
    fn detected(&self, authors: &[&str], site: &SiteNames) -> Vec<Block> {
        let mut best: Option<usize> = None;
        let mut i = 0;
        while let Some(c) = self.containers.get(i) {
            if c.dropped {
                i = c.end_container.max(i + 1);
                continue;
            }
            if (c.prose > 0.0 || c.declared)
                && best.is_none_or(|b| score(c) > score(&self.containers[b]))
            {
                best = Some(i);
            }
            i += 1;
        }
        // A page without prose is all article if it has sentences (a short
        // note), and has no article if it has none (binary junk, scripts).
        let mut best = match best {
            Some(b) => b,
            None if self.blocks.iter().any(RawBlock::is_story_text) => 0,
            None => return Vec::new(),
        };
        // A page listing several <article>s (the story and teasers of others)
        // is about the one holding most of the prose.
        // On a page that does not mark its story <article>, the box holding
        // its headline and most of its prose stands for it.
        if let Some(article) = self.main_article(best).or_else(|| self.headline_box(best)) {
            best = article;
        }
        // Narrow down to the child holding nearly all the prose: what is left
        // beside it is teasers, bios and sign-up boxes.
        let best = self.narrowed(best);
        let mut parts = self.story_parts(best);
        parts.extend(self.list_continued_after(best));
        parts.extend(self.questions_after(best));
        let mut kept = Vec::new();
        let mut prose = 0.0;
        for &p in &parts {
            let c = &self.containers[p];
            kept.extend(self.kept_blocks(c.first_block..c.end_block));
            prose += c.prose;
        }
        let main = story_span(&kept, |a, b| {
            self.flow_box(a.index)
                .is_some_and(|f| self.flow_box(b.index) == Some(f))
        });
        let text: Vec<&RawBlock> = self
            .lead(parts[0], LEAD_MAX_SHARE * prose)
            .into_iter()
            .chain(main.iter().copied())
            .collect();
        let text = without_lone_labels(text);
        let mut cards = self.author_cards(&text, authors);
        cards.extend(self.titled_boxes(&text, site));
        let headings: HashSet<usize> = (0..main.len())
            .filter(|&k| {
                is_linked_section_heading(main, k, |end| self.holds_story_beside(main, k, end))
            })
            .map(|k| main[k].index)
            .collect();
        text.into_iter()
            .filter(|b| !cards.iter().any(|r| r.contains(&b.index)))
            .filter(|b| !self.in_footer(&b.text))
            .filter(|b| !self.is_contents_title(b))
            .filter_map(|b| match headings.contains(&b.index) {
                true => b.cleaned(),
                false => b.to_block(),
            })
            .collect()
    }

    /// The element whose flow block `b` is read in: the element holding the
    /// block's own element (a `<p>`, a list item), or the element whose
    /// bare text it is.
    fn flow_box(&self, b: usize) -> Option<usize> {
        let own = self
            .containers
            .iter()
            .rposition(|c| c.first_block <= b && b < c.end_block)?;
        if !self.containers[own].is_text {
            return Some(own);
        }
        self.containers[..own]
            .iter()
            .rposition(|c| c.end_container > own)
    }

    /// True when the element directly holding `span[k]` (its parent) also
    /// directly holds story text of `span` outside `span[k..end]` (before
    /// `k`, or from `end` on): the block is set among the story's own
    /// sentences, not in a box of its own (a card, a list item holding a
    /// headline and its summary).
    fn holds_story_beside(&self, span: &[&RawBlock], k: usize, end: usize) -> bool {
        let b = span[k].index;
        let own = self
            .containers
            .iter()
            .rposition(|c| c.first_block <= b && b < c.end_block);
        let Some(parent) = own.and_then(|own| {
            self.containers[..own]
                .iter()
                .rposition(|c| c.end_container > own)
        }) else {
            return false;
        };
        let c = &self.containers[parent];
        // The elements inside the parent that hold others: a block in one of
        // them is not the parent's own.
        let boxes: Vec<std::ops::Range<usize>> = self
            .children(parent)
            .filter(|&x| self.containers[x].end_container > x + 1)
            .map(|x| self.containers[x].first_block..self.containers[x].end_block)
            .collect();
        span[..k]
            .iter()
            .chain(&span[end.min(span.len())..])
            .any(|n| {
                n.is_story_text()
                    && (c.first_block..c.end_block).contains(&n.index)
                    && !boxes.iter().any(|r| r.contains(&n.index))
            })
    }

    /// The containers the story is told in, in document order: `best`,
    /// after the boxes before it that are laid out like it (the same element
    /// and class names, [`layout_signature`](super::markup::layout_signature)) and hold story text
    /// ([`Walk::is_story_part`]), each narrowed to its main child as `best`
    /// was. Page builders cut one story into several such boxes, with a
    /// sign-up form or an image between them; the story's opening is in the
    /// first. Such boxes are looked for beside `best` and beside its
    /// [`PARTS_LEVELS`] nearest ancestors. Boxes after `best` are not parts:
    /// there, a box laid out like the story's is as often its author's bio,
    /// a newsletter box or the company's "About" text.
    fn story_parts(&self, best: usize) -> Vec<usize> {
        let mut node = best;
        for parent in self.ancestors(best).into_iter().take(PARTS_LEVELS) {
            let signature = self.containers[node].signature;
            if signature != 0 && !self.containers[node].is_article {
                let mut parts: Vec<usize> = self
                    .children(parent)
                    .take_while(|&s| s < node)
                    .filter(|&s| self.containers[s].signature == signature && self.is_story_part(s))
                    .map(|s| self.narrowed(s))
                    .collect();
                if !parts.is_empty() {
                    parts.push(best);
                    return parts;
                }
            }
            node = parent;
        }
        vec![best]
    }

    /// The box of questions and answers that closes the story told in
    /// `best` ("Frequently asked questions", "FAQs", "سوالات متداول"), when
    /// the layout sets it apart after the story's own box: the first box
    /// after `best`, beside it or beside one of its [`PARTS_LEVELS`] nearest
    /// ancestors, that opens with such a title ([`is_questions_title`]) and
    /// reads like part of a story as [`Walk::is_story_part`] has it (but
    /// for the `<article>` an accordion of questions may be), with less
    /// prose than the story, and with [`QUESTIONS_MIN_ANSWERS`] answers.
    /// Its answers are the story's text as much as its sections are; a box
    /// that shows only its questions (the answers hidden in closed panels)
    /// is not read. The boxes between the story's and the questions' that
    /// read like part of a story are its sections a layout set apart (one
    /// box a section, its heading in a box beside its text): they come
    /// first, whole.
    fn questions_after(&self, best: usize) -> Vec<usize> {
        let questions = self.next_box_after(best, |s| {
            let c = &self.containers[s];
            if !self.holds_plain_prose(s) || c.prose >= self.containers[best].prose {
                return false;
            }
            let kept = self.kept_blocks(c.first_block..c.end_block);
            let answers = kept
                .iter()
                .filter(|b| {
                    b.is_story_text()
                        && b.kind != BlockKind::Heading
                        && !b.control
                        && !b.text.trim_end().ends_with(['?', '؟'])
                })
                .count();
            kept.first().is_some_and(|b| is_questions_title(&b.text))
                && answers >= QUESTIONS_MIN_ANSWERS
                && !kept.iter().any(|b| b.is_linked_heading())
        });
        match questions {
            Some((q, between)) => between
                .into_iter()
                .filter(|&s| self.is_story_part(s))
                .chain([q])
                .collect(),
            None => Vec::new(),
        }
    }

    /// The box that goes on with the list the story's box `best` ends with:
    /// a layout that sets one list in two columns, the rest of the story
    /// under the second. The first box with text after `best`, beside it or
    /// beside one of its [`PARTS_LEVELS`] nearest ancestors, when `best`'s
    /// last block is an item of a list, the box's first is one too, and the
    /// box reads like part of a story ([`Walk::is_story_part`]).
    fn list_continued_after(&self, best: usize) -> Option<usize> {
        // An item of a list, of a word or more, not a link.
        let is_item = |b: &&RawBlock| b.kind == BlockKind::ListItem && !b.is_link_list();
        let c = &self.containers[best];
        let kept = self.kept_blocks(c.first_block..c.end_block);
        if !kept.last().is_some_and(is_item) {
            return None;
        }
        let (s, _) = self.next_box_after(best, |s| {
            let c = &self.containers[s];
            !c.dropped && !self.kept_indices(c.first_block..c.end_block).is_empty()
        })?;
        let c = &self.containers[s];
        let opens_list = self
            .kept_blocks(c.first_block..c.end_block)
            .first()
            .is_some_and(is_item);
        (opens_list && self.is_story_part(s)).then_some(s)
    }

    /// The first box after `best` for which `pick` holds: looked for among
    /// the boxes that follow `best` beside it, then beside each of its
    /// [`PARTS_LEVELS`] nearest ancestors in turn; with the boxes passed
    /// over at that level, between `best`'s side and it.
    fn next_box_after(
        &self,
        best: usize,
        pick: impl Fn(usize) -> bool,
    ) -> Option<(usize, Vec<usize>)> {
        let mut node = best;
        for parent in self.ancestors(best).into_iter().take(PARTS_LEVELS) {
            let mut passed = Vec::new();
            for s in self.children(parent).skip_while(|&s| s <= node) {
                if pick(s) {
                    return Some((s, passed));
                }
                passed.push(s);
            }
            node = parent;
        }
        None
    }

    /// `c` narrowed down to the child holding nearly all its prose, as
    /// often as there is one ([`Walk::main_child`]).
    fn narrowed(&self, mut c: usize) -> usize {
        while let Some(child) = self.main_child(c) {
            c = child;
        }
        c
    }

    /// True when container `s` reads like part of a story: story text, more
    /// prose than link text (a table of links may sit in it), no linked
    /// headings and no `<article>` of its own (teasers of other stories), not
    /// named like boilerplate.
    fn is_story_part(&self, s: usize) -> bool {
        let c = &self.containers[s];
        if !self.holds_plain_prose(s)
            || self.containers[s..c.end_container.max(s + 1)]
                .iter()
                .any(|d| d.is_article)
        {
            return false;
        }
        let kept = self.kept_blocks(c.first_block..c.end_block);
        kept.iter().any(|b| b.is_story_text()) && !kept.iter().any(|b| b.is_linked_heading())
    }

    /// True when container `s` holds prose and is neither dropped, named
    /// like boilerplate, nor mostly link text ([`PART_MAX_NOISE`]): what a
    /// box beside the story needs before it can be a part of it
    /// ([`Walk::is_story_part`], [`Walk::questions_after`]).
    fn holds_plain_prose(&self, s: usize) -> bool {
        let c = &self.containers[s];
        !(c.dropped || c.suspect || c.prose == 0.0)
            && c.noise <= PART_MAX_NOISE * (c.prose + c.other)
    }

    /// The blocks of the article's lead: boxes of story text just before the
    /// container `c` holding the article, beside it in its parent or in one
    /// of its [`LEAD_LEVELS`] nearest ancestors (a standfirst, an intro or a
    /// summary a layout puts in its own box). Boxes without story text
    /// (images, bylines, a table of contents) are passed over; a box of
    /// links, of linked headlines or holding an `<article>` (teasers,
    /// navigation, other stories) ends the search. A box needs two
    /// paragraphs to be part of the lead, or one beside `c` itself; bare
    /// paragraphs in a row (each a `<p>` of its own) count as one box.
    /// The lead holds at most `budget` characters of prose.
    fn lead(&self, c: usize, mut budget: f32) -> Vec<&RawBlock> {
        let mut lead: Vec<Vec<&RawBlock>> = Vec::new();
        let mut child = c;
        // Ancestors passed that hold prose besides the article's box
        // (not mere wrappers of it).
        let mut wider = 0;
        for (level, parent) in self.ancestors(c).into_iter().take(LEAD_LEVELS).enumerate() {
            let before: Vec<usize> = self.children(parent).take_while(|&s| s < child).collect();
            // The bare paragraph (a `<p>` of its own) just after the sibling
            // looked at, when it was passed over alone; empty once a run of
            // bare paragraphs is in the lead.
            let mut bare_run: Option<Vec<&RawBlock>> = None;
            for &s in before.iter().rev() {
                let sib = &self.containers[s];
                if sib.dropped {
                    continue;
                }
                let kept = self.kept_blocks(sib.first_block..sib.end_block);
                if sib.prose == 0.0 || !kept.iter().any(|b| b.is_story_text()) {
                    continue;
                }
                // An affiliate disclosure between the intro and the body
                // (with a link to the policy) is passed over, as an image is.
                if kept
                    .iter()
                    .filter(|b| b.is_story_text())
                    .all(|b| b.is_disclosure())
                {
                    continue;
                }
                if sib.suspect
                    || self.containers[s..sib.end_container.max(s + 1)]
                        .iter()
                        .any(|d| d.is_article)
                    || sib.noise > LEAD_MAX_NOISE * (sib.prose + sib.other)
                    || kept.iter().any(|b| b.is_linked_heading())
                    || sib.prose > budget
                {
                    return lead.into_iter().rev().flatten().collect();
                }
                budget -= sib.prose;
                let text: Vec<&RawBlock> = kept
                    .into_iter()
                    .filter(|b| (b.is_story_text() || b.is_list_text()) && !b.is_disclosure())
                    .collect();
                // A lone paragraph before the article is as often a teaser's
                // summary, a caption or a bio as an intro, and a list alone
                // is a summary of it ("key points"). Beside the article's own
                // box, in the same parent, a lone sentence that is no byline,
                // in a box without an image (whose caption it would be), is
                // the story's intro; so it is farther up when only wrappers
                // of the article's box (no other prose) are between them and
                // its box holds nothing else (no label, no link).
                let paragraphs: Vec<&RawBlock> = text
                    .iter()
                    .copied()
                    .filter(|b| b.kind != BlockKind::ListItem)
                    .collect();
                let is_intro = |b: &RawBlock| {
                    let t = b.text.trim_start();
                    has_words(t, INTRO_MIN_WORDS)
                        && !t
                            .split_whitespace()
                            .next()
                            .is_some_and(|w| w.eq_ignore_ascii_case("by"))
                };
                // A caption is short: a paragraph as long as a summary is
                // the intro even in a box with an image.
                let is_caption = |b: &RawBlock| {
                    sib.images && b.chars - b.link_chars < INTRO_BESIDE_IMAGE_MIN_CHARS
                };
                let lone_intro = (level == 0 || wider == 0 && sib.noise == 0.0 && sib.other == 0.0)
                    && matches!(paragraphs[..], [p] if is_intro(p) && !is_caption(p));
                // Paragraphs set one by one beside the story's box (bare
                // `<p>`s before a table or a list that tells the story) are
                // one box: two in a row are its lead.
                let bare = sib.is_text && matches!(paragraphs[..], [p] if is_intro(p));
                let alone = paragraphs.len() < LEAD_MIN_PARAGRAPHS && !lone_intro;
                match (bare, bare_run.take()) {
                    (true, Some(next)) => {
                        lead.push(next);
                        lead.push(text);
                        bare_run = Some(Vec::new());
                    }
                    (true, None) if alone => bare_run = Some(text),
                    (true, None) => {
                        lead.push(text);
                        bare_run = Some(Vec::new());
                    }
                    (false, _) if alone => {}
                    (false, _) => lead.push(text),
                }
            }
            if self.containers[parent].prose > self.containers[child].prose {
                wider += 1;
            }
            child = parent;
        }
        lead.into_iter().rev().flatten().collect()
    }

    /// Every block of the walk that reads like a sentence of a story, boxes
    /// dropped as boilerplate-named included: the last resort of a page
    /// without an article.
    pub(super) fn sentences(&self) -> Vec<Block> {
        self.blocks
            .iter()
            .filter(|b| b.is_story_text())
            .filter_map(RawBlock::to_block)
            .collect()
    }

    /// The `<article>` inside `c` holding the most prose, when it holds at
    /// least [`MAIN_ARTICLE_SHARE`] of it.
    fn main_article(&self, c: usize) -> Option<usize> {
        let parent = &self.containers[c];
        let mut i = c + 1;
        let mut best: Option<usize> = None;
        while i < parent.end_container {
            let d = &self.containers[i];
            if d.dropped {
                i = d.end_container.max(i + 1);
                continue;
            }
            if d.is_article && best.is_none_or(|b| d.prose > self.containers[b].prose) {
                best = Some(i);
            }
            i += 1;
        }
        best.filter(|&b| {
            let prose = self.containers[b].prose;
            prose > 0.0 && prose >= MAIN_ARTICLE_SHARE * parent.prose
        })
    }

    /// The innermost box inside `c` that holds the page's headline (its
    /// first `<h1>`) and at least [`MAIN_ARTICLE_SHARE`] of `c`'s prose: the
    /// article's box (its title, byline and story) on a page that does not
    /// mark it `<article>`, without the boxes beside it (a sign-up form,
    /// testimonials, teasers) that hold prose too.
    fn headline_box(&self, c: usize) -> Option<usize> {
        let h = self.headline.filter(|&h| h > c)?;
        let parent = &self.containers[c];
        if h >= parent.end_container {
            return None;
        }
        let mut inside: Vec<usize> = self
            .ancestors(h)
            .into_iter()
            .take_while(|&a| a > c)
            .collect();
        inside.insert(0, h);
        // Inside a dropped box, the headline is not the story's.
        if inside.iter().any(|&d| self.containers[d].dropped) {
            return None;
        }
        inside.into_iter().find(|&d| {
            let prose = self.containers[d].prose;
            prose > 0.0 && prose >= MAIN_ARTICLE_SHARE * parent.prose
        })
    }

    /// The child of `c` holding at least [`MAIN_CHILD_SHARE`] of its prose;
    /// none when `c` has paragraphs of its own (then a long paragraph or a
    /// box among them is part of the article, not all of it).
    fn main_child(&self, c: usize) -> Option<usize> {
        let parent = &self.containers[c];
        // Paragraphs of its own mean `c` is the article's flow, and its
        // boxes (a product grid, a long quote) are part of it.
        if parent.own_prose >= OWN_PROSE_SHARE * parent.prose {
            return None;
        }
        let mut i = c + 1;
        let mut best: Option<usize> = None;
        while i < parent.end_container {
            let child = &self.containers[i];
            if !child.dropped && best.is_none_or(|b| child.prose > self.containers[b].prose) {
                best = Some(i);
            }
            i = child.end_container.max(i + 1);
        }
        best.filter(|&b| {
            let prose = self.containers[b].prose;
            prose > 0.0 && prose >= MAIN_CHILD_SHARE * parent.prose
        })
    }
}
