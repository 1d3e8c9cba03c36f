//! Site chrome learned across a site's pages: a change of a watch's article
//! confined to blocks that the site's other watched pages show the same way
//! (a "most read" box the extractor kept, rotated site-wide) is no edit of
//! the story. What a monitor sees and a one-shot extractor cannot: many
//! pages of one site, each fetched many times.
//!
//! Pure: the check reads the other pages' kept texts from the store and
//! hands them in, their blocks keyed ([`Sibling`], [`BlockKeys`]: the form
//! comparison uses, [`super::keyed`]); this module only compares texts.
//!
//! The rule ([`site_chrome`]), safety first: a missed stealth edit is the
//! worst failure, and newsrooms reuse background paragraphs verbatim across
//! stories, so recurring on other pages alone is never enough for a block
//! that changed. The change is cut into runs (the regions the comparison's
//! alignment finds: blocks replaced, added or removed together), and every
//! run must be site chrome by one of two rules:
//!
//! - **the same change on the site's other pages** (a box rotated
//!   site-wide): at least [`MIN_PAGES`] other pages whose newest kept
//!   version, against the one before it, made the same change: each block
//!   the run removed was on that page before and is gone from it now, each
//!   block it added is on it now and was not before. A background
//!   paragraph edited (or dropped, or swapped for another) in one story is
//!   not: the other stories still carry it as it was;
//! - **a box of the site added at the story's edge**: a run that only adds
//!   blocks, each of them on the newest kept version of at least
//!   [`MIN_PAGES`] other pages (the same pages holding the whole run),
//!   lying before the first or after the last block of the page that
//!   recurs on fewer (the story's own text). Removing such a block is not
//!   chrome: a story losing a paragraph the site's other stories keep may
//!   be a stealth edit.
//!
//! A change of the headline or byline, or of the prose outside the
//! detected article, is never chrome here.

use std::collections::HashSet;
use std::sync::Arc;

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::{keyed, story, words, Change, ChangeKind, Rules};
use crate::document::Document;

/// How many other pages of the site must show a block (or make the same
/// change) for it to be site chrome: one other page is what a follow-up
/// story quoting its predecessor looks like.
pub const MIN_PAGES: usize = 2;

/// At most this many other pages of a site are read for one check.
pub const MAX_SIBLINGS: usize = 20;

/// A change found to be confined to site chrome: what its version records
/// (and the check's line says) is the alert module's `NotAlerted::SiteChrome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteChrome {
    /// The blocks changed (removed, added or replaced), counted on the
    /// side with more.
    pub blocks: usize,
    /// The other pages of the site that show the changed blocks (or the
    /// same change), by watch name, sorted.
    pub pages: Vec<String>,
}

/// A version's blocks as the rule compares them: the comparison key of
/// each (the comparison form: white space, punctuation and the watch's
/// `ignore` rules folded away), blocks with no key left out. Keying is
/// most of what reading a sibling costs, so a caller that reads the same
/// versions for many checks may keep these and hand them in again
/// ([`site_chrome`]); they depend on the version's text and on the
/// `ignore` rules only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockKeys(HashSet<String>);

impl BlockKeys {
    /// The keys of `blocks`, a version's block texts, under `rules`.
    pub fn of<'a>(blocks: impl IntoIterator<Item = &'a str>, rules: &Rules) -> BlockKeys {
        BlockKeys(
            blocks
                .into_iter()
                .map(|t| keyed(t, rules).key)
                .filter(|k| !k.is_empty())
                .collect(),
        )
    }

    /// About the bytes the keys take in memory: what keeping them costs.
    pub fn bytes(&self) -> usize {
        let slot = std::mem::size_of::<String>() + 1;
        self.0.capacity() * slot + self.0.iter().map(String::capacity).sum::<usize>()
    }

    fn contains(&self, key: &str) -> bool {
        self.0.contains(key)
    }
}

/// Another watched page of the same site as the rule reads it: the keys
/// of its newest kept version and of the one before ([`BlockKeys`]),
/// shared so that a caller may keep them for later checks.
#[derive(Debug, Clone)]
pub struct Sibling {
    /// The watch's name.
    pub name: String,
    /// The keys of its newest kept version.
    pub latest: Arc<BlockKeys>,
    /// The keys of the version before it; `None` when the watch keeps one
    /// version only.
    pub before: Option<Arc<BlockKeys>>,
}

/// Whether a change may be confined to site chrome at all, whatever the
/// site's other pages show: a change of the headline or byline, of the
/// prose outside the detected article, or one adding a correction or an
/// editor's note never is. A caller reads no other page for one that may
/// not.
pub fn may_be_chrome(change: &Change) -> bool {
    // A correction or editor's note an outlet appends to several stories
    // at once recurs across the site as a box does, and is news each time.
    let note = |k: &ChangeKind| matches!(k, ChangeKind::CorrectionAdded | ChangeKind::UpdateAdded);
    change.headline.is_none()
        && change.byline.is_none()
        && !change.kinds.iter().any(note)
        && change.other_prose.is_empty()
        && !change.blocks.is_empty()
}

/// Whether `change` (of `old` to `new`, compared with `rules`) is confined
/// to site chrome by the rules of this module, the other pages of the site
/// being `siblings`, their blocks keyed under the same `rules`. `None`: it
/// is not (or nothing says so), and alerts as any change.
pub fn site_chrome(
    old: &Document,
    new: &Document,
    change: &Change,
    rules: &Rules,
    siblings: &[Sibling],
) -> Option<SiteChrome> {
    if !may_be_chrome(change) || siblings.len() < MIN_PAGES {
        return None;
    }
    let old = story::read_as_now(old, new);
    let key = |t: &str| keyed(t, rules).key;
    // The blocks as comparison aligns them: ignored text takes no part.
    let a: Vec<String> = old
        .blocks
        .iter()
        .map(|b| key(&b.text))
        .filter(|k| !k.is_empty())
        .collect();
    let b: Vec<String> = new
        .blocks
        .iter()
        .map(|b| key(&b.text))
        .filter(|k| !k.is_empty())
        .collect();
    // Whether a block of the page is on the newest version of enough
    // other pages: the site's text, not the story's own.
    let recurs = |k: &str| siblings.iter().filter(|s| s.latest.contains(k)).count() >= MIN_PAGES;
    let mut pages: HashSet<&str> = HashSet::new();
    let mut blocks = 0;
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        if let DiffOp::Equal { .. } = op {
            continue;
        }
        let (removed, added) = words::edited(&op, &a, &b);
        // Where an addition alone stands in the new page.
        let at = matches!(op, DiffOp::Insert { .. }).then(|| op.new_range().start);
        // The same change on other pages of the site.
        let same_change: Vec<&str> = siblings
            .iter()
            .filter(|s| {
                let Some(before) = &s.before else {
                    return false;
                };
                removed
                    .iter()
                    .all(|k| before.contains(k) && !s.latest.contains(k))
                    && added
                        .iter()
                        .all(|k| s.latest.contains(k) && !before.contains(k))
            })
            .map(|s| s.name.as_str())
            .collect();
        let on: Vec<&str> = if same_change.len() >= MIN_PAGES {
            same_change
        } else {
            // Blocks of the site only added, at the story's edge.
            let at = at?;
            let holding: Vec<&str> = siblings
                .iter()
                .filter(|s| added.iter().all(|k| s.latest.contains(k)))
                .map(|s| s.name.as_str())
                .collect();
            let end = at + added.len();
            let at_edge = b[..at].iter().all(|k| recurs(k)) || b[end..].iter().all(|k| recurs(k));
            if holding.len() < MIN_PAGES || !at_edge {
                return None;
            }
            holding
        };
        pages.extend(on);
        blocks += removed.len().max(added.len());
    }
    if blocks == 0 {
        return None;
    }
    let mut pages: Vec<String> = pages.into_iter().map(str::to_string).collect();
    pages.sort();
    Some(SiteChrome { blocks, pages })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Block, BlockKind};

    const STORY: [&str; 3] = [
        "The court upheld the eight-year sentence on Monday, the director's lawyer said.",
        "He crossed the border on foot and is now in Europe, where he plans to keep working.",
        "The protests began in September 2022 after the death of a young woman in police custody.",
    ];
    const BOX_OLD: [&str; 2] = [
        "Most read: Markets fall as oil prices climb for a third day",
        "Most read: Weather warning for the north as storms close roads",
    ];
    const BOX_NEW: [&str; 2] = [
        "Most read: Bazaar shuts for the holiday as traders protest new taxes",
        "Most read: Football club names a new coach after a losing season",
    ];

    fn doc(texts: &[&str]) -> Document {
        Document {
            title: Some("Director flees".into()),
            blocks: texts
                .iter()
                .map(|t| Block {
                    kind: BlockKind::Paragraph,
                    text: t.to_string(),
                })
                .collect(),
            ..Document::default()
        }
    }

    fn strings(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    /// A sibling page with its own story line, its box `before` then `now`.
    fn sibling(name: &str, before: &[&str], now: &[&str]) -> Sibling {
        let own = format!("Story {name} has its own first paragraph, unlike any other page.");
        let with = |b: &[&str]| {
            let mut v = vec![own.clone()];
            v.extend(strings(b));
            v
        };
        let keys = |b: &[&str]| {
            let blocks = with(b);
            Arc::new(BlockKeys::of(
                blocks.iter().map(String::as_str),
                &Rules::default(),
            ))
        };
        Sibling {
            name: name.into(),
            latest: keys(now),
            before: Some(keys(before)),
        }
    }

    fn judge(old: &[&str], new: &[&str], siblings: &[Sibling]) -> Option<SiteChrome> {
        let (old, new) = (doc(old), doc(new));
        let rules = Rules::default();
        let change = super::super::compare(&old, &new, &rules).expect("a change");
        site_chrome(&old, &new, &change, &rules, siblings)
    }

    fn page<'a>(story: &[&'a str], boxed: &[&'a str]) -> Vec<&'a str> {
        story.iter().chain(boxed).copied().collect()
    }

    #[test]
    fn a_box_rotated_the_same_way_on_two_other_pages_is_chrome() {
        let siblings = [
            sibling("b", &BOX_OLD, &BOX_NEW),
            sibling("c", &BOX_OLD, &BOX_NEW),
        ];
        let found = judge(&page(&STORY, &BOX_OLD), &page(&STORY, &BOX_NEW), &siblings);
        assert_eq!(
            found,
            Some(SiteChrome {
                blocks: 2,
                pages: vec!["b".into(), "c".into()]
            })
        );
    }

    #[test]
    fn a_box_rotated_on_one_other_page_only_is_no_chrome() {
        let siblings = [
            sibling("b", &BOX_OLD, &BOX_NEW),
            sibling("c", &BOX_OLD, &BOX_OLD),
        ];
        assert_eq!(
            judge(&page(&STORY, &BOX_OLD), &page(&STORY, &BOX_NEW), &siblings),
            None
        );
    }

    #[test]
    fn a_new_box_this_page_is_the_first_to_show_is_no_chrome() {
        // The other pages still show the old box: nothing says the new one
        // is the site's.
        let siblings = [
            sibling("b", &BOX_OLD, &BOX_OLD),
            sibling("c", &BOX_OLD, &BOX_OLD),
            sibling("d", &BOX_OLD, &BOX_OLD),
        ];
        assert_eq!(
            judge(&page(&STORY, &BOX_OLD), &page(&STORY, &BOX_NEW), &siblings),
            None
        );
    }

    #[test]
    fn a_shared_background_paragraph_edited_in_one_story_is_an_edit() {
        // The background paragraph is on both other pages, unchanged.
        let siblings = [
            sibling("b", &[STORY[2]], &[STORY[2]]),
            sibling("c", &[STORY[2]], &[STORY[2]]),
        ];
        let edited = STORY[2].replace(
            "death of a young woman in police custody",
            "death of a young woman",
        );
        let new = [STORY[0], STORY[1], edited.as_str()];
        assert_eq!(judge(&STORY, &new, &siblings), None);
        // Swapped for another paragraph the other stories carry too: an edit.
        let other = "The government says the protests were organised from abroad.";
        let siblings = [
            sibling("b", &[STORY[2], other], &[STORY[2], other]),
            sibling("c", &[STORY[2], other], &[STORY[2], other]),
        ];
        let new = [STORY[0], STORY[1], other];
        assert_eq!(judge(&STORY, &new, &siblings), None);
        // Dropped from this story while the others keep it: an edit.
        assert_eq!(judge(&STORY, &STORY[..2], &siblings), None);
    }

    #[test]
    fn the_same_edit_made_on_the_other_pages_first_is_chrome_even_so_only_with_two() {
        // The outlet rewrote its boilerplate paragraph on every story: the
        // first two pages to show it alert, the rest are the site's text.
        let edited = "The protests began in September 2022.";
        let siblings = [
            sibling("b", &[STORY[2]], &[edited]),
            sibling("c", &[STORY[2]], &[edited]),
        ];
        let new = [STORY[0], STORY[1], edited];
        assert!(judge(&STORY, &new, &siblings).is_some());
        assert_eq!(judge(&STORY, &new, &siblings[..1]), None);
    }

    #[test]
    fn a_site_box_added_at_the_edge_is_chrome_but_not_inside_the_story_nor_removed() {
        let siblings = [
            sibling("b", &BOX_OLD, &BOX_OLD),
            sibling("c", &BOX_OLD, &BOX_OLD),
        ];
        // After the story's last paragraph of its own.
        assert!(judge(&STORY, &page(&STORY, &BOX_OLD), &siblings).is_some());
        // Before its first.
        let mut first: Vec<&str> = BOX_OLD.to_vec();
        first.extend(STORY);
        assert!(judge(&STORY, &first, &siblings).is_some());
        // Between two of its paragraphs: the story's text.
        let inside = [STORY[0], BOX_OLD[0], STORY[1], STORY[2]];
        assert_eq!(judge(&STORY, &inside, &siblings), None);
        // Taken away: a paragraph the site's other pages keep.
        assert_eq!(judge(&page(&STORY, &BOX_OLD), &STORY, &siblings), None);
        // On one other page only.
        let one = [sibling("b", &BOX_OLD, &BOX_OLD), sibling("c", &[], &[])];
        assert_eq!(judge(&STORY, &page(&STORY, &BOX_OLD), &one), None);
    }

    #[test]
    fn chrome_beside_an_edit_of_the_story_alerts() {
        let siblings = [
            sibling("b", &BOX_OLD, &BOX_NEW),
            sibling("c", &BOX_OLD, &BOX_NEW),
        ];
        let edited = STORY[0].replace("eight-year", "six-year");
        let new = page(&[edited.as_str(), STORY[1], STORY[2]], &BOX_NEW);
        assert_eq!(judge(&page(&STORY, &BOX_OLD), &new, &siblings), None);
    }

    #[test]
    fn a_correction_added_to_every_story_of_the_site_is_never_chrome() {
        let note =
            "Correction: An earlier version of this article misstated the length of the sentence.";
        let siblings = [sibling("b", &[], &[note]), sibling("c", &[], &[note])];
        let change = {
            let rules = Rules::default();
            super::super::compare(&doc(&STORY), &doc(&page(&STORY, &[note])), &rules).unwrap()
        };
        assert!(
            change.kinds.contains(&ChangeKind::CorrectionAdded),
            "{change:?}"
        );
        assert_eq!(judge(&STORY, &page(&STORY, &[note]), &siblings), None);
    }

    #[test]
    fn a_changed_headline_is_never_chrome() {
        let siblings = [
            sibling("b", &BOX_OLD, &BOX_NEW),
            sibling("c", &BOX_OLD, &BOX_NEW),
        ];
        let old = doc(&page(&STORY, &BOX_OLD));
        let mut new = doc(&page(&STORY, &BOX_NEW));
        new.title = Some("Director escapes".into());
        let rules = Rules::default();
        let change = super::super::compare(&old, &new, &rules).unwrap();
        assert!(change.headline.is_some(), "{change:?}");
        assert_eq!(site_chrome(&old, &new, &change, &rules, &siblings), None);
    }
}
