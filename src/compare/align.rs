//! Pairing blocks: the blocks of a replaced region paired by similarity
//! ([`pair_region`]), and the word-bag similarity that also finds paragraphs
//! moved and edited.

use std::collections::HashMap;

/// How far ahead in a replaced region an old paragraph looks for its edited
/// self: an edit stays near its place, and the bound keeps a page whose
/// paragraphs all changed from costing |old| × |new| comparisons.
const PAIR_WINDOW: usize = 12;

/// Pairs blocks of a replaced region by similarity (in order); unpaired
/// blocks are removed or added.
pub(super) fn pair_region(
    a: &[&str],
    b: &[&str],
    a0: usize,
    b0: usize,
    removed: &mut Vec<usize>,
    added: &mut Vec<usize>,
    on_pair: &mut dyn FnMut(usize, usize),
) {
    let bags: Vec<WordBag> = b.iter().map(|k| WordBag::new(k)).collect();
    let mut next_b = 0;
    for (i, old) in a.iter().enumerate() {
        let old = WordBag::new(old);
        let best = most_similar(
            (next_b..b.len().min(next_b + PAIR_WINDOW)).map(|j| (j, old.similarity(&bags[j]))),
            0.5,
        );
        match best {
            Some((j, _)) => {
                added.extend((next_b..j).map(|k| b0 + k));
                on_pair(a0 + i, b0 + j);
                next_b = j + 1;
            }
            None => removed.push(a0 + i),
        }
    }
    added.extend((next_b..b.len()).map(|k| b0 + k));
}

/// How similar (in [`WordBag::similarity`]) a paragraph removed in one place
/// and one added in another must be to be one paragraph, moved and edited.
pub(super) const MOVED_EDIT_SIMILARITY: f64 = 0.5;

/// The most removed × added paragraph comparisons made looking for
/// paragraphs moved and edited.
pub(super) const MOVED_EDIT_MAX_COMPARISONS: usize = 10_000;

/// How much a figure (a word with a digit, in any script: "12", "3.5",
/// "۱۴۰۳") weighs in
/// [`WordBag::similarity`] against a word of letters. A short block is
/// known by its words, not its figures: a table row "Khuzestan 12 3" whose
/// figures were updated ("Khuzestan 15 4") is that row edited, and the row
/// of another province with the same figures ("Ilam 12 3") is not it.
const FIGURE_WEIGHT: f64 = 0.25;

/// The words of a block key with their counts.
pub(super) struct WordBag<'a> {
    counts: HashMap<&'a str, u32>,
    /// The words' total weight ([`WordBag::weight`]).
    len: f64,
}

impl<'a> WordBag<'a> {
    pub(super) fn new(key: &'a str) -> WordBag<'a> {
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let mut len = 0.0;
        for w in key.split(' ') {
            *counts.entry(w).or_default() += 1;
            len += Self::weight(w);
        }
        WordBag { counts, len }
    }

    /// What a word weighs: a figure [`FIGURE_WEIGHT`], any other word 1.
    fn weight(word: &str) -> f64 {
        if word.chars().any(char::is_numeric) {
            FIGURE_WEIGHT
        } else {
            1.0
        }
    }

    /// Share of words two blocks have in common (Dice coefficient, each
    /// word counted by its [`WordBag::weight`]).
    pub(super) fn similarity(&self, other: &WordBag) -> f64 {
        if self.len + other.len == 0.0 {
            return 1.0;
        }
        let common: f64 = self
            .counts
            .iter()
            .map(|(w, &n)| {
                n.min(other.counts.get(w).copied().unwrap_or(0)) as f64 * Self::weight(w)
            })
            .sum();
        2.0 * common / (self.len + other.len)
    }
}

/// The candidate most similar to a block, at least `min` similar; of
/// equally similar ones, the first (the nearest, where candidates are in
/// page order).
pub(super) fn most_similar(
    scores: impl Iterator<Item = (usize, f64)>,
    min: f64,
) -> Option<(usize, f64)> {
    scores
        .filter(|(_, s)| *s >= min)
        .fold(None, |best, (j, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((j, s)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::doc;
    use crate::compare::{compare, BlockChange, ChangeKind, Rules};
    use crate::document::Block;

    #[test]
    fn moved_paragraph_is_a_move() {
        let a = doc(
            "T",
            &[
                "First paragraph here.",
                "Second paragraph here.",
                "Third paragraph here.",
            ],
        );
        let b = doc(
            "T",
            &[
                "Second paragraph here.",
                "Third paragraph here.",
                "First paragraph here.",
            ],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.stats.paragraphs_moved, 1);
        assert_eq!(c.stats.paragraphs_added + c.stats.paragraphs_removed, 0);
        assert_eq!(c.summary, "1 paragraph moved");
        // It says where it now is: after the paragraph before it.
        assert_eq!(
            c.blocks,
            vec![BlockChange::Moved {
                old_index: 0,
                new_index: 2,
                text: "First paragraph here.".into(),
                after: Some("Third paragraph here.".into()),
            }]
        );
    }

    #[test]
    fn a_paragraph_moved_and_edited_is_a_word_diff_that_says_it_moved() {
        let a = doc(
            "T",
            &[
                "The court upheld the sentence on Monday, his lawyer said.",
                "He was sentenced to eight years in prison for his films.",
                "The director has been barred from leaving the country.",
                "His family said they had not been allowed to visit him.",
            ],
        );
        let b = doc(
            "T",
            &[
                "The court upheld the sentence on Monday, his lawyer said.",
                "The director has been barred from leaving the country.",
                "His family said they had not been allowed to visit him.",
                "He was sentenced to six years in prison for his films.",
            ],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::Edited]);
        assert_eq!(c.removed_text(), vec!["eight"]);
        assert_eq!(c.added_text(), vec!["six"]);
        assert!(matches!(
            c.blocks.as_slice(),
            [BlockChange::Changed {
                old_index: 1,
                new_index: 3,
                ..
            }]
        ));
        assert_eq!(c.stats.paragraphs_changed, 1);
        assert_eq!(c.stats.paragraphs_moved, 0);
        assert_eq!(c.stats.paragraphs_added + c.stats.paragraphs_removed, 0);
        assert_eq!(
            c.summary,
            "1 word changed in paragraph 4, moved from paragraph 2"
        );
        // A paragraph removed and another added elsewhere stay so.
        let mut other = b.clone();
        other.blocks[3] =
            Block::paragraph("Rights groups condemned the ruling as a warning to artists.");
        let c = compare(&a, &other, &Rules::default()).unwrap();
        assert_eq!(c.stats.paragraphs_added, 1);
        assert_eq!(c.stats.paragraphs_removed, 1);
        assert_eq!(c.stats.paragraphs_moved, 0);
    }

    #[test]
    fn a_paragraph_moved_and_edited_counts_once_as_changed() {
        // A ranking's titles swapped under their numbers: each heading moved
        // to the other's place and took its number.
        let a = doc(
            "T",
            &[
                "9. The Perfect Neighbor",
                "A documentary built from police bodycam footage.",
                "8. Left-Handed Girl",
                "A Taipei family drama shot on a phone.",
                "Closing words of the list.",
            ],
        );
        let b = doc(
            "T",
            &[
                "9. Left-Handed Girl",
                "A documentary built from police bodycam footage.",
                "8. The Perfect Neighbor",
                "A Taipei family drama shot on a phone.",
                "Closing words of the list.",
            ],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.blocks.len(), 2);
        assert!(c
            .blocks
            .iter()
            .all(|b| matches!(b, BlockChange::Changed { .. })));
        assert_eq!(c.stats.paragraphs_changed, 2);
        assert_eq!(c.stats.paragraphs_moved, 0);
        assert_eq!(c.summary, "2 words changed in 2 paragraphs, both moved");
        // Beside a paragraph moved unchanged, only that one is counted moved.
        let mut c_moved = b.clone();
        let last = c_moved.blocks.remove(4);
        c_moved.blocks.insert(1, last);
        let c = compare(&a, &c_moved, &Rules::default()).unwrap();
        assert_eq!(c.stats.paragraphs_moved, 1);
        assert_eq!(
            c.summary,
            "2 words changed in 2 paragraphs, both moved; 1 paragraph moved"
        );
    }

    #[test]
    fn a_table_row_whose_figures_changed_is_that_row_edited() {
        let intro =
            "The floods that hit the south of the country this week have killed dozens of people.";
        let a = doc(
            "T",
            &[
                intro,
                "Province Killed Injured",
                "Khuzestan 12 3",
                "Tehran 4 1",
            ],
        );
        // One figure, with a new row under it that has the figures it had.
        let b = doc(
            "T",
            &[
                intro,
                "Province Killed Injured",
                "Khuzestan 15 3",
                "Ilam 12 3",
                "Tehran 4 1",
            ],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::Edited]);
        assert_eq!(c.removed_text(), vec!["12"]);
        assert_eq!(c.added_text(), vec!["15", "Ilam 12 3"]);
        assert_eq!(
            c.summary,
            "1 paragraph added; 1 word changed in paragraph 3"
        );
        // Every figure of the row.
        let b = doc(
            "T",
            &[
                intro,
                "Province Killed Injured",
                "Khuzestan 15 4",
                "Tehran 4 1",
            ],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.removed_text(), vec!["12 3"]);
        assert_eq!(c.added_text(), vec!["15 4"]);
        assert_eq!(c.summary, "2 words changed in paragraph 3");
        // Figures in Persian digits are figures too.
        let a = doc("T", &[intro, "خوزستان ۱۲ ۳", "تهران ۴ ۱"]);
        let b = doc("T", &[intro, "خوزستان ۱۵ ۴", "تهران ۴ ۱"]);
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.removed_text(), vec!["۱۲ ۳"]);
        assert_eq!(c.added_text(), vec!["۱۵ ۴"]);
    }

    #[test]
    fn another_short_line_in_the_place_of_one_is_not_an_edit_of_it() {
        let intro =
            "The floods that hit the south of the country this week have killed dozens of people.";
        // The row of another province with the same figures.
        let a = doc("T", &[intro, "Khuzestan 12 3", "Tehran 4 1"]);
        let b = doc("T", &[intro, "Ilam 12 3", "Tehran 4 1"]);
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.stats.paragraphs_changed, 0);
        assert_eq!(c.summary, "1 paragraph added; 1 paragraph removed");
        // A list item for another one.
        let a = doc("T", &[intro, "Khuzestan: 12 dead", "Tehran: 4 dead"]);
        let b = doc("T", &[intro, "Ilam: 7 dead", "Tehran: 4 dead"]);
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.stats.paragraphs_changed, 0);
        // A ranking reordered: each entry keeps its name, its rank changes.
        let a = doc("T", &[intro, "1. Harvard", "2. Stanford", "3. Wharton"]);
        let b = doc("T", &[intro, "1. Stanford", "2. Harvard", "3. Wharton"]);
        let c = compare(&a, &b, &Rules::default()).unwrap();
        let pairs: Vec<(String, String)> = c
            .blocks
            .iter()
            .filter_map(|bc| match bc {
                BlockChange::Changed {
                    old_index,
                    new_index,
                    ..
                } => Some((
                    a.blocks[*old_index].text.clone(),
                    b.blocks[*new_index].text.clone(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("2. Stanford".to_string(), "1. Stanford".to_string()),
                ("1. Harvard".to_string(), "2. Harvard".to_string()),
            ]
        );
    }

    #[test]
    fn a_block_pairs_with_the_most_similar_and_of_equals_the_nearest() {
        let pairs = |a: &[&str], b: &[&str]| {
            let (mut removed, mut added, mut paired) = (Vec::new(), Vec::new(), Vec::new());
            pair_region(a, b, 0, 0, &mut removed, &mut added, &mut |o, n| {
                paired.push((o, n))
            });
            (paired, removed, added)
        };
        // Figures weigh less than words: a row is known by its name.
        assert_eq!(
            pairs(&["khuzestan 12 3"], &["ilam 12 3", "khuzestan 15 4"]),
            (vec![(0, 1)], vec![], vec![0])
        );
        assert_eq!(
            pairs(&["khuzestan 12 3"], &["ilam 12 3"]),
            (vec![], vec![0], vec![0])
        );
        // Equally similar: the nearer.
        assert_eq!(
            pairs(&["khuzestan 12 3"], &["khuzestan 15 3", "khuzestan 16 3"]),
            (vec![(0, 0)], vec![], vec![1])
        );
    }
}
