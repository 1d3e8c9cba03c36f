//! Comparing two versions of a document: block alignment, moved paragraphs,
//! word-level changes, change kinds and a one-line human summary.
//!
//! Blocks are compared in their [`text::compare_key`] form after the watch's
//! `ignore` patterns are removed, so white space, typographic punctuation and
//! Persian/Arabic encoding variants never count as changes; double quotation
//! marks put around words or taken away do ([`text::quoted_words`]).
//!
//! This module holds the change types, [`compare`], and the stats and
//! summary of a change; its parts:
//!
//! - `neutral`: what comparison ignores (relative times, update stamps,
//!   datelines, the watch's `ignore` rules);
//! - `words`: the tokens a text is diffed in, and the word diff ([`word_diff`]);
//! - `align`: pairing the blocks of a replaced region, and paragraphs moved
//!   and edited;
//! - `prose`: the safety net over the page's prose outside the detected
//!   article;
//! - `byline`: headline and byline changes decided on their sources, the
//!   byline's key without its date, and the date words (labels, weekdays,
//!   months);
//! - `chrome`: a change confined to the site's chrome, told by the site's
//!   other watched pages ([`site_chrome`]);
//! - `story`: whether a page still carries the story ([`stand_in`]: a "not
//!   found" page, a wall or a maintenance page; [`same_story`] behind a moved address).

mod align;
mod byline;
mod chrome;
mod neutral;
mod prose;
mod story;
mod words;

pub use chrome::{
    may_be_chrome, site_chrome, BlockKeys, Sibling, SiteChrome, MAX_SIBLINGS, MIN_PAGES,
};
pub use story::{only_undecoded_characters_read, same_story, stand_in, StandIn};
use words::changed_words;
pub use words::{old_side, word_diff};

use std::collections::{HashMap, HashSet};

use regex::Regex;
use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm, DiffOp};

use crate::correction::Note;
use crate::document::{Document, ProseKind};
use crate::text;
use align::{
    most_similar, pair_region, WordBag, MOVED_EDIT_MAX_COMPARISONS, MOVED_EDIT_SIMILARITY,
};
use byline::{byline_key, sourced_change};
use neutral::without_neutralised;
use prose::{contains_words, joined_keys, other_prose_changes, prose_summary};

/// What kind of change an alert reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The article text was edited.
    Edited,
    /// The headline changed.
    HeadlineChanged,
    /// The byline changed.
    BylineChanged,
    /// A correction was added: the outlet admits an error (see [`crate::correction`]).
    CorrectionAdded,
    /// An update note or editor's note was added, admitting no error.
    UpdateAdded,
    /// The article is gone (404/410, or redirected to a section front).
    TakenDown,
    /// A taken-down article is back.
    Restored,
    /// New items on a listing or feed.
    NewItems,
    /// The watch could not be checked several times in a row.
    Error,
    /// A failing watch works again.
    Recovered,
    /// A test message (`presswatch test-alert`): nothing changed.
    Test,
    /// Prose on the page outside the detected article changed: a paragraph
    /// of the story the extractor missed may have been edited (the safety
    /// net; lower confidence than `Edited`).
    PossiblyEdited,
    /// Items of a listing or feed seen before carry a new title (the
    /// outlet changed a story's headline).
    Retitled,
    /// The article's URL redirects for good (301, 308) to another article
    /// URL: the story has a new address.
    Moved,
}

impl ChangeKind {
    /// The kinds a channel's `kinds` list may name: every kind but `test`
    /// (a test alert goes to the channels `test-alert` is asked to test).
    pub const ROUTABLE: [ChangeKind; 13] = [
        ChangeKind::Edited,
        ChangeKind::HeadlineChanged,
        ChangeKind::BylineChanged,
        ChangeKind::CorrectionAdded,
        ChangeKind::UpdateAdded,
        ChangeKind::TakenDown,
        ChangeKind::Restored,
        ChangeKind::NewItems,
        ChangeKind::Error,
        ChangeKind::Recovered,
        ChangeKind::PossiblyEdited,
        ChangeKind::Retitled,
        ChangeKind::Moved,
    ];

    /// The routable kind with this snake_case name.
    pub fn parse(name: &str) -> Option<ChangeKind> {
        ChangeKind::ROUTABLE
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// The snake_case name used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Edited => "edited",
            ChangeKind::HeadlineChanged => "headline_changed",
            ChangeKind::BylineChanged => "byline_changed",
            ChangeKind::CorrectionAdded => "correction_added",
            ChangeKind::UpdateAdded => "update_added",
            ChangeKind::TakenDown => "taken_down",
            ChangeKind::Restored => "restored",
            ChangeKind::NewItems => "new_items",
            ChangeKind::Error => "error",
            ChangeKind::Recovered => "recovered",
            ChangeKind::Test => "test",
            ChangeKind::PossiblyEdited => "possibly_edited",
            ChangeKind::Retitled => "retitled",
            ChangeKind::Moved => "moved",
        }
    }

    /// A short label for subjects and summaries ("Edited", "Headline changed").
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Edited => "Edited",
            ChangeKind::HeadlineChanged => "Headline changed",
            ChangeKind::BylineChanged => "Byline changed",
            ChangeKind::CorrectionAdded => "Correction added",
            ChangeKind::UpdateAdded => "Update added",
            ChangeKind::TakenDown => "Taken down",
            ChangeKind::Restored => "Restored",
            ChangeKind::NewItems => "New items",
            ChangeKind::Error => "Cannot check",
            ChangeKind::Recovered => "Recovered",
            ChangeKind::Test => "Test alert",
            ChangeKind::PossiblyEdited => "Possibly edited",
            ChangeKind::Retitled => "Retitled",
            ChangeKind::Moved => "Moved",
        }
    }
}

/// One piece of a changed block: unchanged, removed or added words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// `same`, `removed` or `added`.
    pub op: SegmentOp,
    /// The words (with their punctuation and spacing).
    pub text: String,
}

/// Whether a segment is unchanged, removed or added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentOp {
    /// Present in both versions.
    Same,
    /// Only in the old version.
    Removed,
    /// Only in the new version.
    Added,
}

/// How one block differs. Indexes are 0-based positions in the old / new
/// document; summaries print them 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum BlockChange {
    /// A paragraph that is only in the new version.
    Added {
        /// Position in the new document.
        new_index: usize,
        /// Its text.
        text: String,
        /// The opening words of the paragraph before it in the new version
        /// (`None` at the start), so readers find it without counting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
    /// A paragraph that is only in the old version.
    Removed {
        /// Position in the old document.
        old_index: usize,
        /// Its text.
        text: String,
        /// The opening words of the paragraph before it in the old version
        /// (`None` at the start).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
    /// A paragraph edited in place.
    Changed {
        /// Position in the old document.
        old_index: usize,
        /// Position in the new document.
        new_index: usize,
        /// The paragraph as a sequence of same / removed / added words.
        segments: Vec<Segment>,
    },
    /// A paragraph that moved, unchanged.
    Moved {
        /// Position in the old document.
        old_index: usize,
        /// Position in the new document.
        new_index: usize,
        /// Its text.
        text: String,
        /// The opening words of the paragraph before it in the new version
        /// (`None` at the start): where it now is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
}

/// A change of the page's prose outside the detected article: the block
/// change, and what that prose is (for an added or changed one, what the new
/// version has; for a removed one, the old), which alerts name it by ("the
/// photo caption beginning …"). The kind is no part of the change: the same
/// words as another kind are no change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProseChange {
    /// How the prose changed; its fields (`op`, indexes, text) stand beside
    /// `kind` in JSON.
    #[serde(flatten)]
    pub change: BlockChange,
    /// A paragraph or a photo caption: `paragraph` in alerts stored before
    /// kinds were, and from baselines kept before.
    #[serde(default)]
    pub kind: ProseKind,
}

/// The difference between two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Every kind that applies, most important first.
    pub kinds: Vec<ChangeKind>,
    /// Old and new headline, when it changed.
    pub headline: Option<(String, String)>,
    /// Old and new byline, when it changed.
    pub byline: Option<(String, String)>,
    /// Block-level changes in new-document order.
    pub blocks: Vec<BlockChange>,
    /// Changes of the page's prose outside the detected article (the safety
    /// net), indexes counting in [`Document::other_prose`]: lower confidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_prose: Vec<ProseChange>,
    /// Paragraph and word counts.
    pub stats: Stats,
    /// One line for people: "Headline changed; 1 paragraph added; 2 words changed in paragraph 4".
    pub summary: String,
}

impl Change {
    /// This change as the version before shows it side by side: each
    /// changed paragraph, of the article and of the prose outside it, in
    /// the words, punctuation and spacing `old` has ([`old_side`]), the
    /// words the change removed marked. `old` and `new` are the documents
    /// compared, with `rules`.
    pub fn before(&self, old: &Document, new: &Document, rules: &Rules) -> Change {
        let in_old = |c: &BlockChange, olds: &[&str], news: &[&str]| match c {
            BlockChange::Changed {
                old_index,
                new_index,
                ..
            } => match (olds.get(*old_index), news.get(*new_index)) {
                (Some(o), Some(n)) => BlockChange::Changed {
                    old_index: *old_index,
                    new_index: *new_index,
                    segments: old_side(o, n, rules),
                },
                _ => c.clone(),
            },
            _ => c.clone(),
        };
        let (ob, nb): (Vec<&str>, Vec<&str>) = (
            old.blocks.iter().map(|b| b.text.as_str()).collect(),
            new.blocks.iter().map(|b| b.text.as_str()).collect(),
        );
        let (op, np): (Vec<&str>, Vec<&str>) = (
            old.other_prose.iter().map(|p| p.text.as_str()).collect(),
            new.other_prose.iter().map(|p| p.text.as_str()).collect(),
        );
        Change {
            blocks: self.blocks.iter().map(|c| in_old(c, &ob, &nb)).collect(),
            other_prose: self
                .other_prose
                .iter()
                .map(|p| ProseChange {
                    change: in_old(&p.change, &op, &np),
                    kind: p.kind,
                })
                .collect(),
            ..self.clone()
        }
    }

    /// The most important kind.
    pub fn kind(&self) -> ChangeKind {
        self.kinds.first().copied().unwrap_or(ChangeKind::Edited)
    }

    /// The text a watch's `keywords` are looked for in this change: each
    /// paragraph the change touched, whole (added, removed, or edited: its
    /// unchanged, removed and added words), and both headlines when it changed,
    /// each on a line of its own: a keyword is mentioned within one of them,
    /// never by words ending one paragraph and starting the next.
    /// An edit to a sentence about the watch's subject concerns it although the
    /// changed words do not name it ("eight years" → "six years" in a paragraph
    /// about Rasoulof).
    pub fn touched_text(&self) -> String {
        let mut lines: Vec<String> = Vec::new();
        for b in self.all_blocks() {
            match b {
                BlockChange::Added { text, .. } | BlockChange::Removed { text, .. } => {
                    lines.push(text.clone())
                }
                BlockChange::Changed { segments, .. } => {
                    lines.push(segments.iter().map(|s| s.text.as_str()).collect())
                }
                BlockChange::Moved { .. } => {}
            }
        }
        if let Some((old, new)) = &self.headline {
            lines.extend([old.clone(), new.clone()]);
        }
        lines.join("\n")
    }

    /// The article's block changes, then the other prose's.
    pub fn all_blocks(&self) -> impl Iterator<Item = &BlockChange> {
        self.blocks
            .iter()
            .chain(self.other_prose.iter().map(|p| &p.change))
    }

    /// All added text (added paragraphs and added words), one entry per
    /// block, the article's first, then the other prose's.
    pub fn added_text(&self) -> Vec<String> {
        self.all_blocks()
            .filter_map(|b| match b {
                BlockChange::Added { text, .. } => Some(text.clone()),
                BlockChange::Changed { segments, .. } => joined(segments, SegmentOp::Added),
                _ => None,
            })
            .collect()
    }

    /// All removed text (removed paragraphs and removed words), one entry
    /// per block, the article's first, then the other prose's.
    pub fn removed_text(&self) -> Vec<String> {
        self.all_blocks()
            .filter_map(|b| match b {
                BlockChange::Removed { text, .. } => Some(text.clone()),
                BlockChange::Changed { segments, .. } => joined(segments, SegmentOp::Removed),
                _ => None,
            })
            .collect()
    }
}

fn joined(segments: &[Segment], op: SegmentOp) -> Option<String> {
    let parts: Vec<&str> = segments
        .iter()
        .filter(|s| s.op == op)
        .map(|s| s.text.trim())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" … "))
}

/// Counts behind the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Paragraphs only in the new version.
    pub paragraphs_added: usize,
    /// Paragraphs only in the old version.
    pub paragraphs_removed: usize,
    /// Paragraphs edited in place.
    pub paragraphs_changed: usize,
    /// Paragraphs moved, unchanged. (One moved and edited is counted
    /// changed; the summary says it moved.)
    pub paragraphs_moved: usize,
    /// Words added (in added and changed paragraphs and the headline).
    pub words_added: usize,
    /// Words removed.
    pub words_removed: usize,
}

/// Per-watch comparison rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Text matching these is neutralised before comparing.
    pub ignore: Vec<Regex>,
    /// Changes of fewer words than this are not reported.
    pub min_change: usize,
}

/// A block as compared: its words, and the key two blocks are equal by.
struct Keyed {
    /// The block's words in comparison form, one space between them: what
    /// similarity and "part of a block" are measured on.
    words: String,
    /// [`Keyed::words`] without the spaces inside Persian/Arabic text (see
    /// [`text::joined_script`]): blocks with equal keys are the same text.
    key: String,
}

fn keyed(text_: &str, rules: &Rules) -> Keyed {
    let t = without_neutralised(text_, rules);
    // Punctuation-only differences are not changes: compare the words, and
    // which of them stand in quotation marks (see [`text::quoted_words`]).
    let folded = text::compare_key(&t);
    let words = text::quoted_words(&folded);
    let key = crate::text::joined_script(&words).into_owned();
    Keyed { words, key }
}

/// Compares two documents. Returns `None` when nothing that matters changed
/// (or the change is smaller than `rules.min_change` words).
///
/// The baseline's words a reading could not decode (U+FFFD) and the page
/// now reads are taken as read (`story::read_as_now`): the page did not
/// change, its reading did, and only the edits made with it are reported.
pub fn compare(old: &Document, new: &Document, rules: &Rules) -> Option<Change> {
    compare_read(&story::read_as_now(old, new), new, rules)
}

/// [`compare`] of a baseline as the page is read now.
fn compare_read<'a>(old: &'a Document, new: &'a Document, rules: &Rules) -> Option<Change> {
    // Most blocks are the same text in both versions: fold each text once.
    let mut memo: HashMap<&str, Keyed> = HashMap::new();
    for b in old.blocks.iter().chain(&new.blocks) {
        memo.entry(&b.text).or_insert_with(|| keyed(&b.text, rules));
    }
    let key_of = |b: &'a crate::document::Block| &memo[b.text.as_str()];
    let old_keys: Vec<&Keyed> = old.blocks.iter().map(key_of).collect();
    let new_keys: Vec<&Keyed> = new.blocks.iter().map(key_of).collect();
    // Blocks whose text is entirely ignored take no part.
    let old_idx: Vec<usize> = (0..old_keys.len())
        .filter(|&i| !old_keys[i].key.is_empty())
        .collect();
    let new_idx: Vec<usize> = (0..new_keys.len())
        .filter(|&i| !new_keys[i].key.is_empty())
        .collect();
    let a: Vec<&str> = old_idx.iter().map(|&i| old_keys[i].key.as_str()).collect();
    let b: Vec<&str> = new_idx.iter().map(|&i| new_keys[i].key.as_str()).collect();
    let a_words: Vec<&str> = old_idx
        .iter()
        .map(|&i| old_keys[i].words.as_str())
        .collect();
    let b_words: Vec<&str> = new_idx
        .iter()
        .map(|&i| new_keys[i].words.as_str())
        .collect();

    let mut removed: Vec<usize> = Vec::new();
    let mut added: Vec<usize> = Vec::new();
    let mut changes: Vec<BlockChange> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => removed.extend(old_index..old_index + old_len),
            DiffOp::Insert {
                new_index, new_len, ..
            } => added.extend(new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                // A paragraph split in two, or two joined into one: the same
                // words in the same order, only the breaks between moved.
                let joined = |keys: &[&str]| text::joined_script(&keys.join(" ")).into_owned();
                if joined(&a[old_index..old_index + old_len])
                    == joined(&b[new_index..new_index + new_len])
                {
                    continue;
                }
                pair_region(
                    &a_words[old_index..old_index + old_len],
                    &b_words[new_index..new_index + new_len],
                    old_index,
                    new_index,
                    &mut removed,
                    &mut added,
                    &mut |oi, ni| {
                        changes.push(changed_block(old_idx[oi], new_idx[ni], old, new, rules))
                    },
                );
            }
        }
    }
    // Moves: a removed block whose text was added elsewhere.
    let mut added_by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for &n in &added {
        added_by_key.entry(b[n]).or_default().push(n);
    }
    let mut moved_new = std::collections::HashSet::new();
    // Paragraphs that moved and were edited (see below), by old index.
    let mut moved_edited = HashSet::new();
    let mut still_removed = Vec::new();
    for &o in &removed {
        match added_by_key
            .get_mut(a[o])
            .and_then(|v| (!v.is_empty()).then(|| v.remove(0)))
        {
            Some(n) => {
                moved_new.insert(n);
                changes.push(BlockChange::Moved {
                    old_index: old_idx[o],
                    new_index: new_idx[n],
                    text: new.blocks[new_idx[n]].text.clone(),
                    after: n
                        .checked_sub(1)
                        .map(|p| opening_words(&new.blocks[new_idx[p]].text)),
                });
            }
            None => still_removed.push(o),
        }
    }
    // A paragraph that moved and was edited too: a removed paragraph paired
    // with the most similar added one, compared word by word. (Not one that
    // left the article for the rest of the page, or came from it: see below.)
    let (old_prose, new_prose) = (
        joined_keys(old.other_prose.iter().map(|p| p.text.as_str()), rules),
        joined_keys(new.other_prose.iter().map(|p| p.text.as_str()), rules),
    );
    // A paragraph that left the detected article but is still on the page
    // (or joined it from elsewhere on the page) moved with the extractor's
    // boundary: nobody edited it, so it is neither paired nor reported.
    let candidates: Vec<usize> = added
        .iter()
        .copied()
        .filter(|&n| !moved_new.contains(&n) && !contains_words(&old_prose, b_words[n], false))
        .collect();
    // A page rewritten throughout has nothing to pair, at a cost of
    // |removed| × |added| comparisons: past a bound, nothing is paired.
    let pairing = still_removed.len() * candidates.len() <= MOVED_EDIT_MAX_COMPARISONS;
    let bags: Vec<WordBag> = if pairing {
        candidates
            .iter()
            .map(|&n| WordBag::new(b_words[n]))
            .collect()
    } else {
        Vec::new()
    };
    let mut removed_left = Vec::new();
    for o in still_removed {
        if contains_words(&new_prose, a_words[o], false) {
            continue;
        }
        if !pairing {
            removed_left.push(o);
            continue;
        }
        let bag = WordBag::new(a_words[o]);
        let best = most_similar(
            (0..candidates.len())
                .filter(|&j| !moved_new.contains(&candidates[j]))
                .map(|j| (j, bag.similarity(&bags[j]))),
            MOVED_EDIT_SIMILARITY,
        );
        match best {
            Some((j, _)) => {
                let n = candidates[j];
                moved_new.insert(n);
                moved_edited.insert(old_idx[o]);
                changes.push(changed_block(old_idx[o], new_idx[n], old, new, rules));
            }
            None => removed_left.push(o),
        }
    }
    let still_removed = removed_left;
    for &n in candidates.iter().filter(|n| !moved_new.contains(*n)) {
        changes.push(BlockChange::Added {
            new_index: new_idx[n],
            text: new.blocks[new_idx[n]].text.clone(),
            after: n
                .checked_sub(1)
                .map(|p| opening_words(&new.blocks[new_idx[p]].text)),
        });
    }
    for &o in &still_removed {
        changes.push(BlockChange::Removed {
            old_index: old_idx[o],
            text: old.blocks[old_idx[o]].text.clone(),
            after: o
                .checked_sub(1)
                .map(|p| opening_words(&old.blocks[old_idx[p]].text)),
        });
    }
    // Changed blocks whose difference vanished under the ignore rules are not changes.
    changes.retain(|c| !matches!(c, BlockChange::Changed { segments, .. } if segments.iter().all(|s| s.op == SegmentOp::Same)));
    changes.sort_by_key(position);
    let other_prose = other_prose_changes(old, new, rules);

    let headline = sourced_change(
        (old.title.as_deref(), &old.headline_sources),
        (new.title.as_deref(), &new.headline_sources),
        &|t| keyed(t, rules).key,
    );
    let byline = sourced_change(
        (old.byline.as_deref(), &old.byline_sources),
        (new.byline.as_deref(), &new.byline_sources),
        &|t| byline_key(t, rules),
    );
    if changes.is_empty() && other_prose.is_empty() && headline.is_none() && byline.is_none() {
        return None;
    }
    let prose_blocks: Vec<BlockChange> = other_prose.iter().map(|p| p.change.clone()).collect();
    let prose_stats = stats(&prose_blocks, None);
    let stats = stats(&changes, headline.as_ref());
    // A paragraph moved and edited is one changed paragraph, not a moved one
    // too: the alert shows it once, as changed, and the summary says where
    // it came from. Where each came from, by its new index.
    let moved_from: HashMap<usize, usize> = changes
        .iter()
        .filter_map(|c| match c {
            BlockChange::Changed {
                old_index,
                new_index,
                ..
            } if moved_edited.contains(old_index) => Some((*new_index, *old_index)),
            _ => None,
        })
        .collect();
    let changed_words = stats.words_added.max(stats.words_removed)
        + stats.paragraphs_moved
        + moved_from.len()
        + prose_stats.words_added.max(prose_stats.words_removed);
    if changed_words < rules.min_change && headline.is_none() {
        return None;
    }
    let mut kinds = Vec::new();
    // The notes added, and whether the article was edited: anything but an
    // added note changed (a correction note added with the edit it corrects
    // is both).
    let (mut notes, mut edited) = (Vec::new(), false);
    for c in &changes {
        match c {
            BlockChange::Added { text, .. } => match crate::correction::classify(text) {
                Some(note) => notes.push(note),
                None => edited = true,
            },
            _ => edited = true,
        }
    }
    if notes.contains(&Note::Correction) {
        kinds.push(ChangeKind::CorrectionAdded);
    }
    if notes.contains(&Note::Update) {
        kinds.push(ChangeKind::UpdateAdded);
    }
    if headline.is_some() {
        kinds.push(ChangeKind::HeadlineChanged);
    }
    if edited {
        kinds.push(ChangeKind::Edited);
    }
    if byline.is_some() {
        kinds.push(ChangeKind::BylineChanged);
    }
    if !other_prose.is_empty() {
        kinds.push(ChangeKind::PossiblyEdited);
    }
    let mut summary = summary(
        &kinds,
        &changes,
        &stats,
        &moved_from,
        headline.is_some(),
        byline.is_some(),
    );
    if !other_prose.is_empty() {
        if !summary.is_empty() {
            summary.push_str("; ");
        }
        summary.push_str(&prose_summary(&other_prose, &prose_stats));
    }
    Some(Change {
        kinds,
        headline,
        byline,
        blocks: changes,
        other_prose,
        stats,
        summary,
    })
}

/// Sort position of a block change: where it sits in the new document
/// (removed blocks sit where they were).
fn position(c: &BlockChange) -> (usize, usize) {
    match c {
        BlockChange::Added { new_index, .. } | BlockChange::Moved { new_index, .. } => {
            (*new_index, 1)
        }
        BlockChange::Changed { new_index, .. } => (*new_index, 1),
        BlockChange::Removed { old_index, .. } => (*old_index, 0),
    }
}

/// Words of a neighbouring paragraph quoted to say where a change is.
const OPENING_WORDS: usize = 8;

/// The first [`OPENING_WORDS`] words of a paragraph, as written, with `…`
/// when there is more ([`text::opening`]).
fn opening_words(paragraph: &str) -> String {
    text::opening(paragraph, OPENING_WORDS)
}

/// Word-level diff of two paired blocks.
fn changed_block(
    oi: usize,
    ni: usize,
    old: &Document,
    new: &Document,
    rules: &Rules,
) -> BlockChange {
    BlockChange::Changed {
        old_index: oi,
        new_index: ni,
        segments: word_diff(&old.blocks[oi].text, &new.blocks[ni].text, rules),
    }
}

/// Paragraph and word counts of block changes (and of a changed headline).
fn stats(changes: &[BlockChange], headline: Option<&(String, String)>) -> Stats {
    let mut s = Stats::default();
    for c in changes {
        match c {
            BlockChange::Added { text, .. } => {
                s.paragraphs_added += 1;
                s.words_added += text::diff_word_count(text);
            }
            BlockChange::Removed { text, .. } => {
                s.paragraphs_removed += 1;
                s.words_removed += text::diff_word_count(text);
            }
            BlockChange::Changed { segments, .. } => {
                s.paragraphs_changed += 1;
                let (added, removed) = changed_words(segments);
                s.words_added += added;
                s.words_removed += removed;
            }
            BlockChange::Moved { .. } => s.paragraphs_moved += 1,
        }
    }
    if let Some((o, n)) = headline {
        let (o, n) = (text::diff_word_count(o), text::diff_word_count(n));
        s.words_added += n.saturating_sub(o).max(1);
        s.words_removed += o.saturating_sub(n);
    }
    s
}

/// The one-line summary. `moved_from` gives, by new index, where each
/// changed paragraph that also moved was: "1 word changed in paragraph 4,
/// moved from paragraph 2"; "2 words changed in 2 paragraphs, both moved".
fn summary(
    kinds: &[ChangeKind],
    changes: &[BlockChange],
    s: &Stats,
    moved_from: &HashMap<usize, usize>,
    headline: bool,
    byline: bool,
) -> String {
    let mut parts = Vec::new();
    if headline {
        parts.push("Headline changed".to_string());
    }
    if byline {
        parts.push("Byline changed".to_string());
    }
    for note in [ChangeKind::CorrectionAdded, ChangeKind::UpdateAdded] {
        if kinds.contains(&note) {
            parts.push(note.label().to_string());
        }
    }
    if s.paragraphs_added > 0 {
        parts.push(format!(
            "{} added",
            text::plural(s.paragraphs_added, "paragraph", "paragraphs")
        ));
    }
    if s.paragraphs_removed > 0 {
        parts.push(format!(
            "{} removed",
            text::plural(s.paragraphs_removed, "paragraph", "paragraphs")
        ));
    }
    let changed: Vec<(usize, usize)> = changes
        .iter()
        .filter_map(|c| match c {
            BlockChange::Changed {
                new_index,
                segments,
                ..
            } => {
                let (added, removed) = changed_words(segments);
                Some((*new_index + 1, added.max(removed)))
            }
            _ => None,
        })
        .collect();
    match changed.as_slice() {
        [] => {}
        [(p, w)] => {
            let moved = match moved_from.get(&(p - 1)) {
                Some(o) => format!(", moved from paragraph {}", o + 1),
                None => String::new(),
            };
            parts.push(format!(
                "{} changed in paragraph {p}{moved}",
                text::plural(*w, "word", "words")
            ))
        }
        many => {
            let words: usize = many.iter().map(|c| c.1).sum();
            let moved = match (
                many.iter()
                    .filter(|c| moved_from.contains_key(&(c.0 - 1)))
                    .count(),
                many.len(),
            ) {
                (0, _) => String::new(),
                (2, 2) => ", both moved".to_string(),
                (k, n) if k == n => ", all moved".to_string(),
                (k, _) => format!(", {k} of them moved"),
            };
            parts.push(format!(
                "{} changed in {} paragraphs{moved}",
                text::plural(words, "word", "words"),
                many.len()
            ));
        }
    }
    if s.paragraphs_moved > 0 {
        parts.push(format!(
            "{} moved",
            text::plural(s.paragraphs_moved, "paragraph", "paragraphs")
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Block;

    pub(super) fn doc(title: &str, paras: &[&str]) -> Document {
        Document {
            title: Some(title.into()),
            blocks: paras.iter().map(|p| Block::paragraph(p)).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn identical_documents_do_not_differ() {
        let a = doc("T", &["One two three.", "Four five six."]);
        assert_eq!(compare(&a, &a.clone(), &Rules::default()), None);
    }

    #[test]
    fn whitespace_punctuation_and_variants_are_not_changes() {
        let a = doc("T", &["He said: “I chose exile.”", "كتاب جديد"]);
        let b = doc("T", &["He said \"I chose  exile\"", "کتاب جدید"]);
        assert_eq!(compare(&a, &b, &Rules::default()), None);
    }

    #[test]
    fn persian_and_arabic_letters_spelled_with_or_without_hamza_are_no_change() {
        for (old, new) in [
            (
                "رئیس دادگاه حکم را تأیید کرد.",
                "ر\u{06CC}\u{0654}یس دادگاه حکم را تأیید کرد.",
            ),
            ("در خانهٔ خود بازداشت شد.", "در خانۀ خود بازداشت شد."),
            ("وصل إلى طهران أمس.", "وصل الى طهران امس."),
        ] {
            let a = doc("T", &["Intro paragraph stays.", old]);
            let b = doc("T", &["Intro paragraph stays.", new]);
            assert_eq!(compare(&a, &b, &Rules::default()), None, "{old} → {new}");
        }
    }

    #[test]
    fn min_change_counts_chinese_characters_as_words() {
        // A rewritten clause is a change of its characters, not of one
        // "word" between two commas; one changed character is one word.
        let rules = Rules {
            min_change: 3,
            ..Rules::default()
        };
        let story = |p: &str| doc("T", &["伊朗导演拉苏洛夫已离开伊朗。", p]);
        let old = story("他在被判处八年徒刑后，徒步越过边境。");
        let rewritten = story("他在被判处八年徒刑后，乘船抵达欧洲。");
        let c = compare(&old, &rewritten, &rules).expect("a rewritten clause alerts");
        assert_eq!(c.summary, "6 words changed in paragraph 2");
        assert_eq!(
            compare(&old, &story("他在被判处九年徒刑后，徒步越过边境。"), &rules),
            None
        );
    }

    #[test]
    fn headline_and_added_paragraph() {
        let a = doc("Old headline", &["A.", "B b b b."]);
        let b = doc(
            "New headline here",
            &["A.", "Brand new paragraph text.", "B b b b."],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(
            c.kinds,
            vec![ChangeKind::HeadlineChanged, ChangeKind::Edited]
        );
        assert_eq!(c.summary, "Headline changed; 1 paragraph added");
    }

    #[test]
    fn a_paragraph_split_in_two_or_two_joined_is_no_change() {
        let one = doc(
            "T",
            &[
                "Intro paragraph stays.",
                "Dozens were killed in the capital and many more were hurt. Rescue teams searched the rubble overnight.",
                "The last paragraph stays.",
            ],
        );
        let two = doc(
            "T",
            &[
                "Intro paragraph stays.",
                "Dozens were killed in the capital and many more were hurt.",
                "Rescue teams searched the rubble overnight.",
                "The last paragraph stays.",
            ],
        );
        assert_eq!(compare(&one, &two, &Rules::default()), None);
        assert_eq!(compare(&two, &one, &Rules::default()), None);
        // Split and edited: an edit.
        let mut edited = two.clone();
        edited.blocks[2] = Block::paragraph("Rescue teams searched the rubble all week.");
        let c = compare(&one, &edited, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::Edited]);
    }

    #[test]
    fn correction_note_is_named() {
        let a = doc("T", &["Body text of the story."]);
        let b = doc(
            "T",
            &[
                "Body text of the story.",
                "Correction: An earlier version misstated the sentence.",
            ],
        );
        assert_eq!(
            compare(&a, &b, &Rules::default()).unwrap().kind(),
            ChangeKind::CorrectionAdded
        );
    }

    #[test]
    fn an_edit_with_a_correction_note_is_both_a_correction_and_an_edit() {
        let a = doc(
            "T",
            &[
                "Intro paragraph stays.",
                "He was sentenced to eight years in prison.",
            ],
        );
        let b = doc(
            "T",
            &[
                "Intro paragraph stays.",
                "He was sentenced to six years in prison.",
                "Correction: An earlier version of this story misspelled the judge's name.",
            ],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(
            c.kinds,
            vec![ChangeKind::CorrectionAdded, ChangeKind::Edited]
        );
        assert_eq!(c.removed_text(), vec!["eight"]);
        // The note alone is only the note.
        let note_only = doc(
            "T",
            &[
                "Intro paragraph stays.",
                "He was sentenced to eight years in prison.",
                "Correction: An earlier version of this story misspelled the judge's name.",
            ],
        );
        let c = compare(&a, &note_only, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::CorrectionAdded]);
    }

    #[test]
    fn an_update_note_is_update_added_and_a_persian_correction_in_arabic_spelling_is_a_correction()
    {
        let a = doc("T", &["Body text of the story."]);
        let update = doc(
            "T",
            &[
                "Body text of the story.",
                "Update, May 25: The ministry said it would appeal.",
            ],
        );
        let c = compare(&a, &update, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::UpdateAdded]);
        assert_eq!(c.summary, "Update added; 1 paragraph added");
        let fa = doc(
            "T",
            &[
                "Body text of the story.",
                "اصلاحيه: در نسخه قبلي اين گزارش تاريخ حکم به اشتباه ذکر شده بود.",
            ],
        );
        assert_eq!(
            compare(&a, &fa, &Rules::default()).unwrap().kind(),
            ChangeKind::CorrectionAdded
        );
    }

    #[test]
    fn ignore_rules_and_min_change() {
        let a = doc(
            "T",
            &["Updated 5 minutes ago", "Story text stays the same."],
        );
        let b = doc(
            "T",
            &["Updated 7 minutes ago", "Story text stays the same."],
        );
        let rules = Rules {
            ignore: vec![Regex::new(r"Updated \d+ minutes ago").unwrap()],
            min_change: 0,
        };
        assert_eq!(compare(&a, &b, &rules), None);
        let c = doc(
            "T",
            &[
                "Updated 5 minutes ago",
                "Story text stays the same, mostly.",
            ],
        );
        assert_eq!(
            compare(
                &a,
                &c,
                &Rules {
                    ignore: vec![],
                    min_change: 3
                }
            ),
            None
        );
    }
}
