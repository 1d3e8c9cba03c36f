//! Main-content detection and block collection for article pages.
//!
//! The parts:
//! - this module: the entry point ([`blocks`]) and its passes: a
//!   `selector`'s elements read as they are; else the strict walk, then,
//!   when it may have missed the article, the lenient one (chrome, hidden
//!   and furniture-named elements only suspect), whose reading wins when
//!   most of it is new text; the page's sentences as the last resort; second
//!   copies of the article dropped;
//! - `markup`: what an element's markup says it is (skipped, chrome, named
//!   like boilerplate, a legal notice, an anchor, a control, a block);
//! - `block`: a block of text as read ([`block::RawBlock`]) and the rules on
//!   its text (prose, story text, link lists, cross-references, credits,
//!   promos);
//! - `walk`: the walk over the page: its containers and blocks, and the
//!   suspect containers dropped as they close;
//! - `boxes`: titled boxes that are not the story (tables of contents, the
//!   author's card, "About the author", "Was this helpful");
//! - `declared`: the text the page declares (`articleBody`) and how the
//!   detected text is compared with it;
//! - `candidate`: choosing the article's container (scores, the main child,
//!   the `<article>`), its parts, lead and closing questions, its story span,
//!   and the last resort.

use std::collections::HashSet;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::document::{Block, BlockKind};

mod block;
mod boxes;
mod candidate;
mod declared;
mod markup;
mod walk;

use block::RawBlock;
use boxes::{author_names, SiteNames};
use declared::{shingles, Declared};
use markup::Mode;
use walk::Walk;

/// The article blocks of a page: from `selector` when given, else from the
/// detected main content, checked against `declared`, the article text the
/// page declares in its JSON-LD `articleBody` (one paragraph a line), when it
/// has one. `byline`, the byline the page shows, names the story's authors,
/// whose cards are left out; `site_name` (`og:site_name`) and `url`, the
/// page's address, name the site, whose boxes in which it speaks of itself
/// after the story are left out too ([`SiteNames`]).
pub(super) fn blocks(
    dom: &Html,
    selector: Option<&str>,
    declared: Option<&str>,
    byline: Option<&str>,
    site_name: Option<&str>,
    url: Option<&Url>,
) -> Vec<Block> {
    if let Some(s) = selector.and_then(|s| Selector::parse(s).ok()) {
        let mut out = Vec::new();
        for root in dom.select(&s) {
            let walk = Walk::new(root, Mode::Strict);
            let kept = walk.kept_blocks(0..walk.blocks.len());
            out.extend(kept.into_iter().filter_map(RawBlock::to_block));
        }
        return out;
    }
    let root = body(dom);
    let declared = declared.and_then(Declared::new);
    let authors = byline.map(author_names).unwrap_or_default();
    let site = SiteNames::new(site_name, url);
    let strict = Walk::new(root, Mode::Strict);
    let found = strict.article(declared.as_ref(), &authors, &site);
    if !strict.may_have_missed(&found) {
        return without_placeholders(without_copies(found));
    }
    // The same tree again, with chrome, hidden and furniture-named elements
    // only suspect: the wider reading wins when most of it is new text, so a
    // page-builder <header> or a hidden React boundary holding the story is
    // read, while a hidden copy of the story or a chrome box beside it is not.
    let lenient = Walk::new(root, Mode::Lenient);
    let wider = lenient.article(declared.as_ref(), &authors, &site);
    let found_shingles: HashSet<u64> = shingles(&joined(&found)).into_iter().collect();
    let novel = shingles(&joined(&wider))
        .into_iter()
        .filter(|s| !found_shingles.contains(s))
        .count();
    let best = if novel > found_shingles.len() {
        wider
    } else {
        found
    };
    // A page whose only sentences are in its chrome (a menu, a pop-up form)
    // is not silently empty: those sentences are what a reader can see.
    without_placeholders(without_copies(if best.is_empty() {
        lenient.sentences()
    } else {
        best
    }))
}

/// `blocks` without the placeholder text a page template left in ("Lorem
/// ipsum dolor sit amet ...", [`block::is_placeholder`]) beside the story,
/// when there is a sentence of the story besides it: a page that is all
/// placeholder (a template's demo) is read as it stands, as a reader sees it.
fn without_placeholders(blocks: Vec<Block>) -> Vec<Block> {
    // Most pages have none: one anchored match a block tells.
    if !blocks.iter().any(|b| block::opens_as_placeholder(&b.text)) {
        return blocks;
    }
    let is_placeholder = |b: &Block| block::is_placeholder(&b.text);
    if !blocks
        .iter()
        .any(|b| b.kind != BlockKind::Heading && !is_placeholder(b) && block::has_words(&b.text, 6))
    {
        return blocks;
    }
    blocks.into_iter().filter(|b| !is_placeholder(b)).collect()
}

/// A second copy of the article (pages render it twice, for small and large
/// screens) starts over with one of its first this many blocks ...
const COPY_START: usize = 3;

/// ... and goes on repeating earlier blocks verbatim for at least this many
/// blocks in a row. Shorter repeats, or repeats that start elsewhere, are the
/// story's own (a credit under every photo, a plan that repeats its items).
const COPY_MIN_BLOCKS: usize = 3;

/// `blocks` without the second copies of the article in them.
fn without_copies(blocks: Vec<Block>) -> Vec<Block> {
    // Blocks' texts are looked up once each: a fast hash serves.
    let mut first: rustc_hash::FxHashMap<&str, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(blocks.len(), Default::default());
    let earlier: Vec<usize> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| *first.entry(b.text.as_str()).or_insert(i))
        .collect();
    let mut keep = vec![true; blocks.len()];
    let mut i = 0;
    while i < blocks.len() {
        let run = (i..blocks.len()).take_while(|&j| earlier[j] < j).count();
        if run >= COPY_MIN_BLOCKS && earlier[i] < COPY_START {
            keep[i..i + run].fill(false);
        }
        i += run.max(1);
    }
    let mut keep = keep.into_iter();
    blocks
        .into_iter()
        .filter(|_| keep.next().unwrap_or(true))
        .collect()
}

/// The text of `blocks`, one a line.
fn joined(blocks: &[Block]) -> String {
    let all: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    all.join("\n")
}

/// The `<body>`, or the root element of a page without one.
fn body(dom: &Html) -> ElementRef<'_> {
    let html = dom.root_element();
    html.children()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "body")
        .unwrap_or(html)
}

#[cfg(test)]
mod tests;
