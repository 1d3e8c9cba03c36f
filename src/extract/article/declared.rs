//! The article text a page declares (`articleBody`) and how the detected
//! text is compared with it.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hasher};

use super::joined;
use crate::document::{Block, BlockKind};
use crate::text;

/// Words a declared article text needs to be judged by: shorter ones are
/// summaries.
const DECLARED_MIN_WORDS: usize = 40;

/// The share of a block's word 4-grams that must be in the declared text for
/// the block to belong to it.
const BLOCK_MATCH: f32 = 0.5;

/// The article text a page declares in its JSON-LD, as content detection
/// uses it: to confirm the detected container, to pick another one when the
/// detected one misses it, or in place of a failed detection.
pub(super) struct Declared<'a> {
    text: &'a str,
    /// Its word 4-grams, hashed.
    shingles: HashSet<u64>,
    pub(super) words: usize,
}

impl<'a> Declared<'a> {
    /// `None` when the text is too short to judge by or is a teaser cut off
    /// with an ellipsis.
    pub(super) fn new(text: &'a str) -> Option<Declared<'a>> {
        let t = text.trim_end();
        let words = text::word_count(t);
        if words < DECLARED_MIN_WORDS || t.ends_with('…') || t.ends_with("...") {
            return None;
        }
        Some(Declared {
            text: t,
            shingles: shingles(t).into_iter().collect(),
            words,
        })
    }

    /// The share of the declared text's 4-grams that `blocks` hold (read
    /// as one text, as the declared one is).
    pub(super) fn coverage(&self, blocks: &[Block]) -> f32 {
        let found: HashSet<u64> = shingles(&joined(blocks)).into_iter().collect();
        let held = self.shingles.iter().filter(|s| found.contains(s)).count();
        held as f32 / self.shingles.len().max(1) as f32
    }

    /// True when most of `text` is in the declared text; `None` for a text
    /// too short to tell (under four words).
    pub(super) fn holds(&self, text: &str) -> Option<bool> {
        let own = shingles(text);
        if own.len() < 2 && text::word_count(text) < 4 {
            return None;
        }
        let held = own.iter().filter(|s| self.shingles.contains(s)).count();
        Some(held as f32 >= BLOCK_MATCH * own.len() as f32)
    }

    /// The declared text as paragraph blocks, one a line.
    pub(super) fn blocks(&self) -> Vec<Block> {
        self.text
            .lines()
            .map(text::clean)
            .filter(|t| !t.is_empty())
            .map(|text| Block {
                kind: BlockKind::Paragraph,
                text,
            })
            .collect()
    }
}

/// The hashed word 4-grams of a text (lower-cased), or its one hashed
/// word sequence when it has fewer than four words. Words are those
/// comparison diffs ([`text::diff_words`]): in Chinese or Japanese a
/// character, so that a short paragraph has 4-grams of its own.
pub(super) fn shingles(text: &str) -> Vec<u64> {
    let words: Vec<u64> = text::diff_words(text)
        .map(|w| {
            let mut h = DefaultHasher::new();
            for c in w.chars().flat_map(char::to_lowercase) {
                h.write_u32(u32::from(c));
            }
            h.finish()
        })
        .collect();
    let combine = |ws: &[u64]| {
        ws.iter().fold(0u64, |acc, w| {
            acc.rotate_left(17) ^ w.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
    };
    if words.len() < 4 {
        return if words.is_empty() {
            Vec::new()
        } else {
            vec![combine(&words)]
        };
    }
    words.windows(4).map(combine).collect()
}
