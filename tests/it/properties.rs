//! Properties that must hold for any input: a document never differs from
//! itself, any difference in normalised text is reported, a word diff quotes
//! the new text and its old side the old text, and no input makes
//! extraction panic.

use presswatch::compare::{compare, old_side, word_diff, Rules, SegmentOp};
use presswatch::document::{Block, Document};
use presswatch::{extract, text};
use proptest::prelude::*;

/// Text mixing Latin, Persian, Chinese, Japanese and Thai words (Thai with
/// its vowel signs and tone marks), punctuation, typographic quotes, ZWNJ
/// and odd white space.
fn mixed_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z]{1,8}",
            "[\u{0627}-\u{064A}\u{06CC}\u{06A9}]{1,6}",
            "[0-9\u{06F0}-\u{06F9}]{1,4}",
            "[\u{4E00}-\u{4E0F}\u{3041}-\u{3049}\u{30A2}\u{3002}\u{FF0C}]{1,6}",
            "[\u{0E01}-\u{0E05}\u{0E31}\u{0E34}\u{0E40}\u{0E48}\u{0E49}]{1,6}",
            Just("\u{200C}".to_string()),
            "[ ,.;:!?'\"\u{201C}\u{201D}\u{2019}\u{2014}\u{00A0}\t\n-]{1,3}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn document() -> impl Strategy<Value = Document> {
    (
        prop::option::of(mixed_text()),
        prop::collection::vec(mixed_text(), 0..8),
    )
        .prop_map(|(title, paras)| Document {
            title,
            blocks: paras
                .iter()
                .map(|p| Block::paragraph(p))
                .filter(|b| !b.text.is_empty())
                .collect(),
            ..Default::default()
        })
}

/// What comparison promises to look at: each block's words, folded (a
/// Chinese character, a Thai letter with its marks, a word each).
fn normalised(d: &Document) -> Vec<String> {
    d.blocks
        .iter()
        .map(|b| {
            text::diff_words(&text::compare_key(&b.text))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|k| !k.is_empty())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_document_never_differs_from_itself(d in document()) {
        prop_assert_eq!(compare(&d, &d.clone(), &Rules::default()), None);
    }

    #[test]
    fn any_difference_in_normalised_text_is_reported(a in document(), b in document()) {
        let change = compare(&a, &b, &Rules::default());
        if normalised(&a) != normalised(&b) {
            prop_assert!(change.is_some(), "missed: {:?} -> {:?}", normalised(&a), normalised(&b));
        }
        if let Some(c) = change {
            prop_assert!(!c.summary.is_empty());
        }
    }

    /// What an alert shows of a changed paragraph quotes the new version
    /// exactly (its unchanged and added pieces spell it out), and the
    /// viewer's old side the old version exactly.
    #[test]
    fn a_word_diff_spells_out_the_new_text_and_its_old_side_the_old_text(a in mixed_text(), b in mixed_text()) {
        let rules = Rules::default();
        let new: String = word_diff(&a, &b, &rules)
            .iter()
            .filter(|s| s.op != SegmentOp::Removed)
            .map(|s| s.text.as_str())
            .collect();
        prop_assert_eq!(new, b.clone());
        let old: String = old_side(&a, &b, &rules).iter().map(|s| s.text.as_str()).collect();
        prop_assert_eq!(old, a);
    }

    #[test]
    fn extraction_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let html = presswatch::charset::decode(&bytes, None);
        let base = url::Url::parse("https://news.example.org/a/b").unwrap();
        let _ = extract::article(&html, Some(&base), None);
        let _ = extract::listing(&html, &base, None);
        let _ = extract::feed(&bytes, None, &base);
    }

    #[test]
    fn extraction_never_panics_on_tag_soup(parts in prop::collection::vec(prop_oneof![
        Just("<p>".to_string()), Just("</p>".to_string()), Just("<div class=\"share\">".to_string()), Just("</div>".to_string()),
        Just("<article>".to_string()), Just("<script>".to_string()), Just("<table><tr><td>".to_string()), Just("<a href=\"/x\">".to_string()),
        Just("<![CDATA[".to_string()), Just("<!--".to_string()), Just("&amp;&#x0;&#99999999;".to_string()), mixed_text(),
    ], 0..200)) {
        let html = parts.concat();
        let doc = extract::article(&html, None, Some("p"));
        for b in &doc.blocks {
            prop_assert!(!b.text.is_empty());
        }
        let _ = extract::article(&html, None, None);
    }
}
