//! The safety net: changes of the page's prose outside the detected article
//! ([`other_prose_changes`]), and finding a block among texts, so that a
//! paragraph that moved across the article's boundary is no change.

use std::collections::HashMap;

use super::align::{most_similar, WordBag};
use super::words::word_diff;
use super::{
    keyed, opening_words, position, BlockChange, Keyed, ProseChange, Rules, SegmentOp, Stats,
};
use crate::document::{Document, ProseKind};
use crate::text;

/// The comparison keys of some texts, one a line, for finding a block among them.
pub(super) fn joined_keys<'a>(texts: impl IntoIterator<Item = &'a str>, rules: &Rules) -> String {
    let mut out = String::from("\n");
    for t in texts {
        out.push_str(&keyed(t, rules).words);
        out.push('\n');
    }
    out
}

/// True when a block's words are one of the texts of `joined`
/// ([`joined_keys`]), or with `part`, a part of one.
fn contains_block(joined: &str, text_: &str, part: bool, rules: &Rules) -> bool {
    contains_words(joined, &keyed(text_, rules).words, part)
}

/// [`contains_block`] for a paragraph already keyed: `key`, its words.
pub(super) fn contains_words(joined: &str, key: &str, part: bool) -> bool {
    let bound = |c: Option<char>| matches!(c, Some('\n')) || (part && matches!(c, Some(' ')));
    !key.is_empty()
        && joined.match_indices(key).any(|(at, _)| {
            bound(joined[..at].chars().next_back())
                && bound(joined[at + key.len()..].chars().next())
        })
}

/// The safety net: how the page's prose outside the detected article changed.
/// Order does not matter there (boxes move about); a paragraph counts as
/// changed only when its words are on the page in neither version, outside
/// the article or in it. A baseline that did not look for other prose
/// ([`Document::other_prose_read`]: written by an older version, or by
/// hand) has nothing to compare; one that looked and found none (the
/// article held all of the page's prose) has, so that a paragraph added
/// outside the article, or a lead pushed out of it, is still seen.
pub(super) fn other_prose_changes(
    old: &Document,
    new: &Document,
    rules: &Rules,
) -> Vec<ProseChange> {
    if !old.other_prose_read() {
        return Vec::new();
    }
    let (old_texts, new_texts): (Vec<&str>, Vec<&str>) = (
        old.other_prose.iter().map(|p| p.text.as_str()).collect(),
        new.other_prose.iter().map(|p| p.text.as_str()).collect(),
    );
    let keys = |texts: &[&str]| -> Vec<(usize, Keyed)> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (i, keyed(t, rules)))
            .filter(|(_, k)| !k.key.is_empty())
            .collect()
    };
    // The same paragraphs on both sides, in any order, are no change: what
    // is left is each side's surplus.
    let (old_keys, new_keys) = (keys(&old_texts), keys(&new_texts));
    let mut balance: HashMap<String, isize> = HashMap::new();
    for (_, k) in &old_keys {
        *balance.entry(k.key.clone()).or_default() += 1;
    }
    for (_, k) in &new_keys {
        *balance.entry(k.key.clone()).or_default() -= 1;
    }
    let mut surplus = |k: &str, side: isize| match balance.get_mut(k) {
        Some(b) if *b * side > 0 => {
            *b -= side;
            true
        }
        _ => false,
    };
    let mut old_left: Vec<(usize, Keyed)> = old_keys
        .into_iter()
        .filter(|(_, k)| surplus(&k.key, 1))
        .collect();
    let mut new_left: Vec<(usize, Keyed)> = new_keys
        .into_iter()
        .filter(|(_, k)| surplus(&k.key, -1))
        .collect();
    if old_left.is_empty() && new_left.is_empty() {
        return Vec::new();
    }
    // A paragraph that moved into the article, or out of it, is not a change.
    let article = |d: &Document| joined_keys(d.blocks.iter().map(|b| b.text.as_str()), rules);
    let (old_article, new_article) = (article(old), article(new));
    old_left.retain(|(i, _)| !contains_block(&new_article, old_texts[*i], true, rules));
    new_left.retain(|(j, _)| !contains_block(&old_article, new_texts[*j], true, rules));
    let mut changes = Vec::new();
    // Each remaining old paragraph pairs with the most similar new one.
    let bags: Vec<WordBag> = new_left
        .iter()
        .map(|(_, k)| WordBag::new(&k.words))
        .collect();
    let mut paired = vec![false; new_left.len()];
    for (i, k) in &old_left {
        let bag = WordBag::new(&k.words);
        let best = most_similar(
            (0..new_left.len())
                .filter(|&j| !paired[j])
                .map(|j| (j, bag.similarity(&bags[j]))),
            0.5,
        );
        match best {
            Some((j, _)) => {
                paired[j] = true;
                let n = new_left[j].0;
                let segments = word_diff(old_texts[*i], new_texts[n], rules);
                if segments.iter().any(|s| s.op != SegmentOp::Same) {
                    changes.push(ProseChange {
                        change: BlockChange::Changed {
                            old_index: *i,
                            new_index: n,
                            segments,
                        },
                        kind: new.other_prose[n].kind,
                    });
                }
            }
            None => changes.push(ProseChange {
                change: BlockChange::Removed {
                    old_index: *i,
                    text: old_texts[*i].to_string(),
                    after: i.checked_sub(1).map(|p| opening_words(old_texts[p])),
                },
                kind: old.other_prose[*i].kind,
            }),
        }
    }
    for (j, (n, _)) in new_left.iter().enumerate() {
        if !paired[j] {
            changes.push(ProseChange {
                change: BlockChange::Added {
                    new_index: *n,
                    text: new_texts[*n].to_string(),
                    after: n.checked_sub(1).map(|p| opening_words(new_texts[p])),
                },
                kind: new.other_prose[*n].kind,
            });
        }
    }
    changes.sort_by_key(|p| position(&p.change));
    changes
}

/// The summary of the safety net's changes.
pub(super) fn prose_summary(changes: &[ProseChange], s: &Stats) -> String {
    // How many of one op there are of each kind.
    let count = |op: fn(&BlockChange) -> bool, kind: ProseKind| {
        changes
            .iter()
            .filter(|p| p.kind == kind && op(&p.change))
            .count()
    };
    let added = |b: &BlockChange| matches!(b, BlockChange::Added { .. });
    let removed = |b: &BlockChange| matches!(b, BlockChange::Removed { .. });
    let changed = |b: &BlockChange| matches!(b, BlockChange::Changed { .. });
    let mut parts = Vec::new();
    for (op, done) in [
        (added as fn(&BlockChange) -> bool, "added"),
        (removed, "removed"),
    ] {
        for kind in [ProseKind::Paragraph, ProseKind::Caption] {
            let n = count(op, kind);
            if n > 0 {
                let (one, many) = kind.nouns();
                parts.push(format!("{} {done}", text::plural(n, one, many)));
            }
        }
    }
    if s.paragraphs_changed > 0 {
        let words = s.words_added.max(s.words_removed).max(1);
        let words = text::plural(words, "word", "words");
        // Where, when that is photo captions only.
        let captions = count(changed, ProseKind::Caption);
        let (one, many) = ProseKind::Caption.nouns();
        parts.push(match captions {
            _ if captions < s.paragraphs_changed => format!("{words} changed"),
            1 => format!("{words} changed in a {one}"),
            n => format!("{words} changed in {n} {many}"),
        });
    }
    format!(
        "{} outside the detected article (lower confidence)",
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::doc;
    use crate::compare::{compare, Change, ChangeKind};
    use crate::document::{Block, Prose};

    #[test]
    fn an_edit_of_prose_outside_the_article_is_a_possible_edit_naming_its_words() {
        let mut old = doc("T", &["Intro paragraph stays."]);
        old.other_prose = vec![Prose::paragraph(
            "The court upheld a sentence of eight years on Monday, his lawyer said.",
        )];
        let mut new = old.clone();
        new.other_prose = vec![Prose::paragraph(
            "The court upheld a sentence of nine years on Monday, his lawyer said.",
        )];
        let c = compare(&old, &new, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::PossiblyEdited]);
        assert_eq!(
            c.summary,
            "1 word changed outside the detected article (lower confidence)"
        );
        assert_eq!(c.removed_text(), vec!["eight"]);
        assert_eq!(c.added_text(), vec!["nine"]);
        // Moved about, or back into the article: nobody edited it.
        let mut moved = old.clone();
        moved.other_prose.insert(
            0,
            Prose::paragraph("Another paragraph of the page, long enough."),
        );
        old.other_prose.push(Prose::paragraph(
            "Another paragraph of the page, long enough.",
        ));
        assert_eq!(compare(&old, &moved, &Rules::default()), None);
        let mut kept = doc("T", &["Intro paragraph stays."]);
        kept.blocks.push(Block::paragraph(&old.other_prose[0].text));
        kept.other_prose = vec![Prose::paragraph(
            "Another paragraph of the page, long enough.",
        )];
        assert_eq!(compare(&old, &kept, &Rules::default()), None);
        assert_eq!(compare(&kept, &old, &Rules::default()), None);
        // A baseline that kept no other prose has nothing to compare.
        let older = doc("T", &["Intro paragraph stays."]);
        assert_eq!(compare(&older, &new, &Rules::default()), None);
    }

    #[test]
    fn a_baseline_that_found_no_prose_outside_the_article_still_sees_a_paragraph_added_there() {
        // The intro box read into the article while it held two paragraphs;
        // a third added to it pushes all three out of the article. The two
        // that moved are no change; the added one is.
        let intro = [
            "Problems with your teeth or gums can raise the risk of some diseases.",
            "The campaign offers materials to help families care for their teeth.",
        ];
        let body = "Resources for patients and clinics are listed by state below.";
        let mut old = doc("T", &[intro[0], intro[1], body]);
        old.headline_sources.document_title = Some("T".into());
        let mut new = doc("T", &[body]);
        new.headline_sources = old.headline_sources.clone();
        let added = "Several witnesses told reporters they had seen police vehicles nearby.";
        new.other_prose = [intro[0], intro[1], added]
            .into_iter()
            .map(Prose::paragraph)
            .collect();
        let c = compare(&old, &new, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::PossiblyEdited]);
        assert_eq!(
            c.summary,
            "1 paragraph added outside the detected article (lower confidence)"
        );
        // A baseline that records no sources was written before other prose
        // was looked for (or by hand): nothing outside the article to compare.
        let mut older = old.clone();
        older.headline_sources = Default::default();
        assert!(!older.other_prose_read());
        assert_eq!(compare(&older, &new, &Rules::default()), None);
    }

    #[test]
    fn a_photo_caption_outside_the_article_is_named_as_one_and_its_kind_alone_is_no_change() {
        let caption = "Protesters killed by security forces in Zahedan on Friday.";
        let note = "Witnesses reached by telephone described the scene to our reporter.";
        let mut old = doc("T", &["Intro paragraph stays."]);
        old.other_prose = vec![Prose::caption(caption), Prose::paragraph(note)];
        // A baseline kept before kinds were: the same words, as paragraphs.
        let mut unkinded = old.clone();
        unkinded.other_prose = vec![Prose::paragraph(caption), Prose::paragraph(note)];
        assert_eq!(compare(&unkinded, &old, &Rules::default()), None);
        assert_eq!(compare(&old, &unkinded, &Rules::default()), None);

        let mut new = old.clone();
        new.other_prose[0] = Prose::caption("Protesters died in clashes in Zahedan on Friday.");
        for baseline in [&old, &unkinded] {
            let c = compare(baseline, &new, &Rules::default()).unwrap();
            assert_eq!(c.kinds, vec![ChangeKind::PossiblyEdited]);
            assert_eq!(
                c.summary,
                "4 words changed in a photo caption outside the detected article (lower confidence)"
            );
            assert_eq!(c.other_prose.len(), 1);
            assert_eq!(c.other_prose[0].kind, ProseKind::Caption);
        }
        // Added and removed, each of its kind.
        let mut swapped = old.clone();
        swapped.other_prose = vec![
            Prose::paragraph(note),
            Prose::caption("Mourners gather outside the main mosque of the city after prayers."),
        ];
        let c = compare(&old, &swapped, &Rules::default()).unwrap();
        assert_eq!(
            c.summary,
            "1 photo caption added, 1 photo caption removed outside the detected article (lower confidence)"
        );
        // Alerts carry the kind beside each change, and an alert an older
        // version stored (no kind) reads as a paragraph.
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["other_prose"][0]["kind"], "caption", "{json}");
        assert!(json["other_prose"][0]["op"].is_string(), "{json}");
        let back: Change = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, c);
        let mut older = json;
        for p in older["other_prose"].as_array_mut().unwrap() {
            p.as_object_mut().unwrap().remove("kind");
        }
        let back: Change = serde_json::from_value(older).unwrap();
        assert!(back
            .other_prose
            .iter()
            .all(|p| p.kind == ProseKind::Paragraph));
        assert_eq!(back.other_prose[0].change, c.other_prose[0].change);
    }
}
