//! The tokens a text is diffed in ([`tokens`]) and the word diff of two
//! paired blocks ([`word_diff`]).

use std::collections::{HashMap, HashSet};

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::neutral::neutralised;
use super::{Rules, Segment, SegmentOp};
use crate::text;

/// A word token of a block: its display text (word plus following
/// punctuation and space) and its comparison key (empty for text that is
/// no word, and for words the watch's `ignore` rules cover: `ignored`).
struct Token<'a> {
    text: &'a str,
    key: String,
    ignored: bool,
}

/// The tokens a text is diffed in: its words as [`text::diff_words`] cuts
/// them, each with the punctuation and space after it (text before the
/// first word is a token with no key). A word a double quotation mark
/// touches is keyed with it, as [`text::quoted_words`] keys it (`“no”` is
/// `"no"`), and its token starts at the opening mark, so that a word put in
/// quotation marks or taken out of them is shown with its marks.
fn tokens<'a>(s: &'a str, rules: &Rules) -> Vec<Token<'a>> {
    let is_word =
        |c: char| c.is_alphanumeric() || matches!(c, '\'' | '’' | '\u{200C}' | '\u{0640}');
    // Where each token starts, and whether it is a one-character symbol
    // word ([`text::is_symbol_word`]: "€", "%", the "-" of "-3"), and
    // tokens that start at an opening quotation mark: where their word starts.
    let mut starts = Vec::new();
    let mut symbols = HashSet::new();
    let mut opened: HashMap<usize, usize> = HashMap::new();
    let mut prev_word = false;
    let mut before = None;
    // A quotation mark just seen opens the word starting here.
    let mut open_at = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let w = is_word(c)
            || (prev_word
                && (unicode_mark(c)
                    || text::extends_unit(c)
                    || text::separates_digits(before, c, next)));
        let symbol = !w && text::is_symbol_word(before, c, next);
        if (w && !prev_word) || symbol {
            match open_at.take() {
                Some(q) => {
                    opened.insert(q, i);
                }
                None => starts.push(i),
            }
            if symbol {
                symbols.insert(i);
            }
        } else {
            open_at = None;
        }
        if !w && text::is_double_quote(c) {
            let mut look = chars.clone();
            let starts_word = next.is_some_and(|n| {
                is_word(n) || {
                    look.next();
                    text::is_symbol_word(Some(c), n, look.peek().map(|&(_, m)| m))
                }
            });
            if starts_word {
                starts.push(i);
                open_at = Some(i);
            }
        }
        prev_word = w;
        before = Some(c);
    }
    let ignored = neutralised(s, rules);
    let mut out = Vec::new();
    if starts.first().is_none_or(|&f| f > 0) {
        out.push(Token {
            text: &s[..starts.first().copied().unwrap_or(s.len())],
            key: String::new(),
            ignored: false,
        });
    }
    for (k, &st) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(s.len());
        // Where the word starts: after its opening quotation mark, if any.
        let word_start = opened.get(&st).copied().unwrap_or(st);
        let piece = &s[word_start..end];
        let word_end = if symbols.contains(&word_start) {
            piece.chars().next().map_or(0, char::len_utf8)
        } else {
            // The word's end: its letters, marks and the separators inside
            // a figure ("2.5").
            let mut ends = piece.char_indices().peekable();
            let mut before = None;
            loop {
                match ends.next() {
                    Some((j, c)) => {
                        let next = ends.peek().map(|&(_, n)| n);
                        if !(is_word(c)
                            || unicode_mark(c)
                            || text::extends_unit(c)
                            || text::separates_digits(before, c, next))
                        {
                            break j;
                        }
                        before = Some(c);
                    }
                    None => break piece.len(),
                }
            }
        };
        let closed = text::closes_quote(&piece[word_end..]);
        // A word of a script written without spaces is a token a unit (a
        // character, a letter with its marks); the last takes the
        // punctuation and space after the word.
        let mut units: Vec<&str> = text::units(&piece[..word_end]).collect();
        if units.is_empty() {
            units.push("");
        }
        let mut at = word_start;
        for (u, unit) in units.iter().enumerate() {
            let last = u + 1 == units.len();
            let text_start = if u == 0 { st } else { at };
            let text_end = if last { end } else { at + unit.len() };
            let is_ignored = ignored.iter().any(|&(a, b)| at >= a && at < b);
            let key = if is_ignored {
                String::new()
            } else {
                let mut key = text::compare_key(unit);
                if u == 0 && word_start != st {
                    key.insert(0, '"');
                }
                if last && closed {
                    key.push('"');
                }
                key
            };
            out.push(Token {
                text: &s[text_start..text_end],
                key,
                ignored: is_ignored,
            });
            at += unit.len();
        }
    }
    out
}

/// Whether `c` belongs to a word: a letter, a digit or a mark on one.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_mark(c)
}

fn unicode_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
}

/// The most words the changed middle of a paragraph (what lies between the
/// start and the end its two versions share) may hold, both versions
/// together, to be diffed word by word. Myers' diff costs the middle's
/// length times the number of differences: a page that rewrote a paragraph
/// of a million words took half a minute of CPU and half a gigabyte to
/// compare. A longer middle is reported replaced as a whole.
const MAX_DIFFED_WORDS: usize = 40_000;

/// The edit script from the words `a` to the words `b`: Myers' diff, or,
/// when their changed middle is longer than [`MAX_DIFFED_WORDS`], their
/// shared start and end kept and the middle replaced.
fn word_ops(a: &[&str], b: &[&str]) -> Vec<DiffOp> {
    let start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let end = a[start..]
        .iter()
        .rev()
        .zip(b[start..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (old_len, new_len) = (a.len() - start - end, b.len() - start - end);
    if old_len == 0 || new_len == 0 || old_len + new_len <= MAX_DIFFED_WORDS {
        return capture_diff_slices(Algorithm::Myers, a, b);
    }
    let mut ops = Vec::with_capacity(3);
    if start > 0 {
        ops.push(DiffOp::Equal {
            old_index: 0,
            new_index: 0,
            len: start,
        });
    }
    ops.push(DiffOp::Replace {
        old_index: start,
        old_len,
        new_index: start,
        new_len,
    });
    if end > 0 {
        ops.push(DiffOp::Equal {
            old_index: start + old_len,
            new_index: start + new_len,
            len: end,
        });
    }
    ops
}

/// The old text of two paired blocks as the old side of a side by side
/// shows it: its own words, punctuation and spacing, `same` and the words
/// the change removed (`removed`) making up `old` exactly. (In
/// [`word_diff`], made for the new side and the alert, `same` is written as
/// in `new`: beside `removed`, that is not what the old text said.)
pub fn old_side(old: &str, new: &str, rules: &Rules) -> Vec<Segment> {
    let mut segs: Vec<Segment> = Vec::new();
    for s in word_diff(new, old, rules) {
        let op = match s.op {
            SegmentOp::Same => SegmentOp::Same,
            SegmentOp::Added => SegmentOp::Removed,
            SegmentOp::Removed => continue,
        };
        match segs.last_mut() {
            Some(last) if last.op == op => last.text.push_str(&s.text),
            _ => segs.push(Segment { op, text: s.text }),
        }
    }
    segs
}

/// Diffs two texts word by word; punctuation-only differences are `same`.
pub fn word_diff(old: &str, new: &str, rules: &Rules) -> Vec<Segment> {
    let a = tokens(old, rules);
    let b = tokens(new, rules);
    let ak: Vec<&str> = a.iter().map(|t| t.key.as_str()).collect();
    let bk: Vec<&str> = b.iter().map(|t| t.key.as_str()).collect();
    let mut segs: Vec<Segment> = Vec::new();
    let mut push = |op: SegmentOp, t: &str| {
        if t.is_empty() {
            return;
        }
        match segs.last_mut() {
            Some(last) if last.op == op => last.text.push_str(t),
            _ => segs.push(Segment {
                op,
                text: t.to_string(),
            }),
        }
    };
    let ops = word_ops(&ak, &bk);
    let mut k = 0;
    while k < ops.len() {
        let op = ops[k];
        k += 1;
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                let last = (&a[old_index + len - 1], &b[new_index + len - 1]);
                let settled =
                    ops.get(k)
                        .map(|next| edited(next, &a, &b))
                        .and_then(|(removed, added)| {
                            punctuation_settled(last.0, last.1, removed, added)
                        });
                let shown = if settled.is_some() { len - 1 } else { len };
                for t in &b[new_index..new_index + shown] {
                    push(SegmentOp::Same, t.text);
                }
                if let Some(settled) = settled {
                    for (op, t) in &settled {
                        push(*op, t);
                    }
                    k += 1;
                }
            }
            _ => {
                let (old_words, new_words) = edited(&op, &a, &b);
                if same_when_joined(old_words, new_words) {
                    for t in new_words {
                        push(SegmentOp::Same, t.text);
                    }
                    continue;
                }
                for (side, mark) in [
                    (old_words, SegmentOp::Removed),
                    (new_words, SegmentOp::Added),
                ] {
                    for t in side {
                        // Text with no key that only the old version has
                        // (the punctuation it opens with) is not the new
                        // text's; ignored words are shown unmarked.
                        if t.key.is_empty() && !t.ignored && mark == SegmentOp::Removed {
                            continue;
                        }
                        push(
                            if t.key.is_empty() {
                                SegmentOp::Same
                            } else {
                                mark
                            },
                            t.text,
                        );
                    }
                }
            }
        }
    }
    segs
}

/// What an edit removes from `a` and adds from `b` (nothing for an equal
/// run): the tokens of a word diff, the paragraphs of a block diff.
pub(super) fn edited<'t, T>(op: &DiffOp, a: &'t [T], b: &'t [T]) -> (&'t [T], &'t [T]) {
    match *op {
        DiffOp::Equal { .. } => (&[], &[]),
        _ => (&a[op.old_range()], &b[op.new_range()]),
    }
}

/// Whether only the spaces inside Persian/Arabic words moved between the
/// removed and the added words (سه شنبه, سه‌شنبه): the same text.
fn same_when_joined(old_words: &[Token], new_words: &[Token]) -> bool {
    let joined = |ts: &[Token]| {
        let words: Vec<&str> = ts.iter().map(|t| t.key.as_str()).collect();
        crate::text::joined_script(&words.join(" ")).into_owned()
    };
    !old_words.is_empty() && !new_words.is_empty() && joined(old_words) == joined(new_words)
}

/// The last unchanged word before an edit, with the edit, when the
/// punctuation after that word differs between the versions because of
/// the edit (not only in its spaces): "in prison and flogging." becoming "in prison." is
/// "in prison", then " and flogging" removed, then ".", not "in prison."
/// then "and flogging." removed, which quotes the old text as "in prison.
/// and flogging.". The punctuation both sides share around the edit is
/// unchanged, the rest goes with the words removed and added; punctuation
/// left alone on the new side stays unchanged text (same and added still
/// spell out the new text). None when the word itself differs (in case),
/// when its punctuation does not, or when the edit holds words a rule
/// ignores or only moved Persian/Arabic spaces.
fn punctuation_settled(
    old_word: &Token,
    new_word: &Token,
    removed: &[Token],
    added: &[Token],
) -> Option<Vec<(SegmentOp, String)>> {
    let tokens = removed.iter().chain(added);
    if old_word.text == new_word.text
        || removed.len() + added.len() == 0
        || tokens.clone().any(|t| t.key.is_empty())
        || same_when_joined(removed, added)
    {
        return None;
    }
    let word = |t: &str| t.trim_end_matches(|c: char| !is_word_char(c)).len();
    let (wo, wn) = (word(old_word.text), word(new_word.text));
    if wn == 0
        || old_word.text[..wo] != new_word.text[..wn]
        || old_word.text[wo..].trim() == new_word.text[wn..].trim()
    {
        return None;
    }
    let concat = |first: &str, rest: &[Token]| {
        let mut s = first.to_string();
        rest.iter().for_each(|t| s.push_str(t.text));
        s
    };
    let (old_rest, new_rest) = (
        concat(&old_word.text[wo..], removed),
        concat(&new_word.text[wn..], added),
    );
    let not_word = |c: &char| !is_word_char(*c);
    let lead: usize = old_rest
        .chars()
        .zip(new_rest.chars())
        .take_while(|(x, y)| x == y && not_word(x))
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (o, n) = (&old_rest[lead..], &new_rest[lead..]);
    let trail: usize = o
        .chars()
        .rev()
        .zip(n.chars().rev())
        .take_while(|(x, y)| x == y && not_word(x))
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (gone, came) = (&o[..o.len() - trail], &n[..n.len() - trail]);
    let mut out = vec![(
        SegmentOp::Same,
        format!("{}{}", &new_word.text[..wn], &new_rest[..lead]),
    )];
    let has_word = |t: &str| t.chars().any(is_word_char);
    if has_word(gone) {
        out.push((SegmentOp::Removed, gone.to_string()));
    }
    let came_op = if has_word(came) {
        SegmentOp::Added
    } else {
        SegmentOp::Same
    };
    out.push((came_op, came.to_string()));
    out.push((SegmentOp::Same, n[n.len() - trail..].to_string()));
    Some(out)
}

/// The words a changed paragraph's `segments` add and remove, as alerts
/// count them ([`text::part_word_count`]), but for the parts of a
/// Persian/Arabic compound written apart on one side and joined on the
/// other ([`written_apart`]): «سه شنبه» (Tuesday, typed with a space)
/// becoming «چهارشنبه» (Wednesday) is one word changed, as it is when
/// Tuesday is typed «سه‌شنبه», not two.
pub(super) fn changed_words(segments: &[Segment]) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for (i, seg) in segments.iter().enumerate() {
        let count = match seg.op {
            SegmentOp::Same => continue,
            SegmentOp::Added => &mut added,
            SegmentOp::Removed => &mut removed,
        };
        // The other side of the same change: the words next to these that
        // the change replaced them with, or by.
        let other = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| segments.get(j))
            .find(|o| o.op != SegmentOp::Same && o.op != seg.op);
        let apart = other.map_or(0, |o| written_apart(&seg.text, &o.text));
        *count += text::part_word_count(&seg.text).saturating_sub(apart);
    }
    (added, removed)
}

/// Letters, at least, of a compound's part that [`written_apart`] finds in
/// a word of the other side: fewer is too often a word of its own that
/// merely begins or ends another («به», «در», «می»).
const COMPOUND_PART_MIN_LETTERS: usize = 3;

/// How many of `side`'s Persian/Arabic words are the second part of a
/// compound written with a space, whose other part changed, as a word
/// written joined on the `other` side shows: two neighbouring words of
/// `side` whose second is the end of a word of `other` (at least
/// [`COMPOUND_PART_MIN_LETTERS`], after two letters or more: «سه شنبه»
/// against «چهارشنبه»), or whose first is its start («کتاب خانه» against
/// «کتابفروشی»). Each word of `other` stands for one compound. Two words
/// that share no such part with a word of the other side are two words
/// («آقای احمدی» against «خانم رضایی»).
fn written_apart(side: &str, other: &str) -> usize {
    let arabic = |w: &str| {
        w.chars().all(|c| {
            matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
        })
    };
    let words: Vec<String> = text::diff_words(side)
        .map(text::compare_key)
        .filter(|w| !w.is_empty())
        .collect();
    let others: Vec<String> = text::diff_words(other)
        .map(text::compare_key)
        .filter(|w| arabic(w))
        .collect();
    let part_of = |part: &str, word: &str, at_end: bool| {
        let letters = part.chars().count();
        letters >= COMPOUND_PART_MIN_LETTERS
            && word.chars().count() >= letters + 2
            && if at_end {
                word.ends_with(part)
            } else {
                word.starts_with(part)
            }
    };
    let mut used = vec![false; others.len()];
    let mut apart = 0;
    let mut i = 0;
    while i + 1 < words.len() {
        let (first, second) = (&words[i], &words[i + 1]);
        let joined = (arabic(first) && arabic(second))
            .then(|| {
                (0..others.len()).find(|&j| {
                    !used[j]
                        && (part_of(second, &others[j], true) || part_of(first, &others[j], false))
                })
            })
            .flatten();
        match joined {
            Some(j) => {
                used[j] = true;
                apart += 1;
                i += 2;
            }
            None => i += 1,
        }
    }
    apart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::doc;
    use crate::compare::{compare, ChangeKind};

    #[test]
    fn quotation_marks_put_around_words_or_taken_away_are_an_edit_of_those_words() {
        let one =
            |old: &str, new: &str| compare(&doc("T", &[old]), &doc("T", &[new]), &Rules::default());
        // Scare quotes taken away: the hospitals' word becomes the outlet's.
        let c = one(
            "The hospitals accuse the insurer of \u{201C}significantly\u{201D} raising costs.",
            "The hospitals accuse the insurer of significantly raising costs.",
        )
        .expect("quotation marks removed are an edit");
        assert_eq!(c.removed_text(), vec!["\u{201C}significantly\u{201D}"]);
        assert_eq!(c.added_text(), vec!["significantly"]);
        assert_eq!(c.summary, "1 word changed in paragraph 1");
        // Put around two words, after a colon.
        let c = one(
            "Officials said: moderate opposition groups were present.",
            "Officials said:\"moderate opposition\" groups were present.",
        )
        .expect("quotation marks added are an edit");
        assert_eq!(c.removed_text(), vec!["moderate opposition"]);
        assert_eq!(c.added_text(), vec!["\"moderate opposition\""]);
        // Persian guillemets: "called these people «rioters»".
        let c = one(
            "سخنگوی دولت این افراد را «اغتشاشگر» خواند.",
            "سخنگوی دولت این افراد را اغتشاشگر خواند.",
        )
        .expect("guillemets removed are an edit");
        assert_eq!(c.removed_text(), vec!["«اغتشاشگر»"]);
        assert_eq!(c.added_text(), vec!["اغتشاشگر"]);
        // Which marks a page types is typography: “” "" « » „“ 「」 are one,
        // whatever punctuation sits beside them.
        let forms = [
            "He called them \u{201C}rioters,\u{201D} and left.",
            "He called them \"rioters\", and left.",
            "He called them «rioters», and left.",
            "He called them \u{201E}rioters\u{201C}, and left.",
            "He called them \u{300C}rioters\u{300D} and left",
        ];
        for a in forms {
            for b in forms {
                assert_eq!(one(a, b), None, "{a} → {b}");
            }
        }
        // A quotation running on into the next paragraph opens each of its
        // paragraphs and closes only the last: a mark added at the start of
        // one is a punctuation fix, not words put in quotation marks.
        assert_eq!(
            one(
                "While I firmly believe that restricting expression is unjustifiable, new paths must be found.",
                "\u{201C}While I firmly believe that restricting expression is unjustifiable, new paths must be found.",
            ),
            None
        );
        // Single quotes and apostrophes stay typography.
        assert_eq!(
            one(
                "They don't call it a \u{2018}ban\u{2019}.",
                "They don\u{2019}t call it a \u{2018}ban\u{2019}"
            ),
            None
        );
    }

    #[test]
    fn a_persian_compound_typed_with_a_space_is_one_word_changed() {
        let summary = |old: &str, new: &str| {
            compare(&doc("T", &[old]), &doc("T", &[new]), &Rules::default())
                .map(|c| c.summary)
                .unwrap_or_default()
        };
        // Tuesday (typed with a space, with a ZWNJ, or joined) becoming
        // Wednesday, and back: one word, the day.
        for (old, new) in [
            (
                "این بیانیه روز سه شنبه منتشر شد.",
                "این بیانیه روز چهارشنبه منتشر شد.",
            ),
            (
                "این بیانیه روز سه‌شنبه منتشر شد.",
                "این بیانیه روز چهارشنبه منتشر شد.",
            ),
            (
                "این بیانیه روز چهارشنبه منتشر شد.",
                "این بیانیه روز سه شنبه منتشر شد.",
            ),
            // A compound whose first part stays: library → bookshop.
            ("او را در کتاب خانه دیدند.", "او را در کتابفروشی دیدند."),
        ] {
            assert_eq!(
                summary(old, new),
                "1 word changed in paragraph 1",
                "{old} → {new}"
            );
        }
        // Two words are two, whether the other side has one or two.
        for (old, new, words) in [
            (
                "آقای احمدی این خبر را تایید کرد.",
                "خانم رضایی این خبر را تایید کرد.",
                2,
            ),
            (
                "نیروهای امنیتی او را بازداشت کردند.",
                "ماموران او را بازداشت کردند.",
                2,
            ),
            (
                "این بیانیه روز سه شنبه در تهران منتشر شد.",
                "این بیانیه روز چهارشنبه در شیراز منتشر شد.",
                2,
            ),
            // Latin script has no such compounds: "New York" is two words.
            (
                "He flew to New York on Monday.",
                "He flew to Newark on Monday.",
                2,
            ),
        ] {
            assert_eq!(
                summary(old, new),
                format!("{words} words changed in paragraph 1"),
                "{old} → {new}"
            );
        }
    }

    #[test]
    fn a_figure_is_one_word_whatever_its_decimal_separator() {
        let one = |old: &str, new: &str| {
            compare(&doc("T", &[old]), &doc("T", &[new]), &Rules::default()).unwrap()
        };
        for (old, new, removed, added) in [
            (
                "Output fell to 2.5 lakh tonnes.",
                "Output fell to 25 lakh tonnes.",
                "2.5",
                "25",
            ),
            (
                "The deficit reached $1.08 trillion.",
                "The deficit reached $10.8 trillion.",
                "1.08",
                "10.8",
            ),
            (
                "About 1,200 people were held.",
                "About 12,000 people were held.",
                "1,200",
                "12,000",
            ),
            (
                "تورم به ۴۲٫۵ درصد رسید.",
                "تورم به ۴۵٫۲ درصد رسید.",
                "۴۲٫۵",
                "۴۵٫۲",
            ),
        ] {
            let c = one(old, new);
            assert_eq!(c.summary, "1 word changed in paragraph 1", "{old} → {new}");
            assert_eq!(c.removed_text(), vec![removed]);
            assert_eq!(c.added_text(), vec![added]);
        }
        // A full stop or a comma after a figure, before a space, stays
        // punctuation.
        let same = compare(
            &doc("T", &["It grew in 2024. Then 5, 6 and 7 followed."]),
            &doc("T", &["It grew in 2024! Then 5; 6 and 7 followed"]),
            &Rules::default(),
        );
        assert_eq!(same, None);
    }

    #[test]
    fn a_persian_word_written_with_a_space_a_non_joiner_or_neither_is_one_word() {
        // سه‌شنبه ("Tuesday") and می‌خواهد ("wants") with a zero-width
        // non-joiner, as a copy-editor writes them; typed with a space; and
        // run together.
        let zwnj = "روز سه\u{200C}شنبه گفت که می\u{200C}خواهد به ایران بازگردد.";
        let spaced = "روز سه شنبه گفت که می خواهد به ایران بازگردد.";
        let joined = "روز سهشنبه گفت که میخواهد به ایران بازگردد.";
        for (old, new) in [
            (zwnj, spaced),
            (spaced, zwnj),
            (joined, spaced),
            (zwnj, joined),
        ] {
            let c = compare(&doc("T", &[old]), &doc("T", &[new]), &Rules::default());
            assert_eq!(c, None, "{old} → {new}");
        }
        // Headlines and bylines too.
        let headline = |h: &str| doc(h, &["متن خبر."]);
        assert_eq!(
            compare(
                &headline("دیدار سه شنبه"),
                &headline("دیدار سه\u{200C}شنبه"),
                &Rules::default()
            ),
            None
        );
        // An edit beside such a spelling names only the edited word.
        let edited = "روز سه\u{200C}شنبه گفت که می\u{200C}خواهد به آلمان بازگردد.";
        let c = compare(
            &doc("T", &[spaced]),
            &doc("T", &[edited]),
            &Rules::default(),
        )
        .unwrap();
        assert_eq!(c.removed_text(), vec!["ایران"]);
        assert_eq!(c.added_text(), vec!["آلمان"]);
        // In Latin script a space is a word boundary a reader sees: "every
        // day" and "everyday" are different words.
        let c = compare(
            &doc("T", &["He walks every day."]),
            &doc("T", &["He walks everyday."]),
            &Rules::default(),
        );
        assert!(c.is_some());
    }

    #[test]
    fn one_changed_word_is_named() {
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
                "He was sentenced to nine years in prison.",
            ],
        );
        let c = compare(&a, &b, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::Edited]);
        assert_eq!(c.summary, "1 word changed in paragraph 2");
        assert_eq!(c.removed_text(), vec!["eight"]);
        assert_eq!(c.added_text(), vec!["nine"]);
    }

    #[test]
    fn one_changed_chinese_character_is_named_alone() {
        let story = |p: &str| doc("T", &["伊朗导演拉苏洛夫已离开伊朗。", p]);
        let c = compare(
            &story("他在被判处八年徒刑后，徒步越过边境。"),
            &story("他在被判处九年徒刑后，徒步越过边境。"),
            &Rules::default(),
        )
        .unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::Edited]);
        assert_eq!(c.summary, "1 word changed in paragraph 2");
        assert_eq!(c.removed_text(), vec!["八"]);
        assert_eq!(c.added_text(), vec!["九"]);
        // Punctuation and spaces between Chinese characters are no edit, as
        // in any script.
        assert_eq!(
            compare(
                &story("他在被判处八年徒刑后，徒步越过边境。"),
                &story("他在被判处八年徒刑后 徒步越过边境"),
                &Rules::default()
            ),
            None
        );
    }

    #[test]
    fn a_japanese_edit_names_the_changed_kanji_and_kana() {
        let story = |p: &str| doc("T", &["映画監督が国外に逃れた。", p]);
        let c = compare(
            &story("東京で記者会見を開いた。"),
            &story("大阪で記者会見を開きました。"),
            &Rules::default(),
        )
        .unwrap();
        assert_eq!(c.removed_text(), vec!["東京 … い"]);
        assert_eq!(c.added_text(), vec!["大阪 … きまし"]);
        assert_eq!(c.summary, "5 words changed in paragraph 2");
    }

    #[test]
    fn a_thai_edit_keeps_tone_marks_and_vowels_with_their_letter() {
        let story = |p: &str| doc("T", &["ข่าวต่างประเทศ", p]);
        // ไม่ ("not") became ไม้ ("wood"): only the tone mark differs, and
        // is an edit; the syllable is shown whole.
        let c = compare(
            &story("ราคาน้ำมันไม่เปลี่ยนแปลง"),
            &story("ราคาน้ำมันไม้เปลี่ยนแปลง"),
            &Rules::default(),
        )
        .unwrap();
        assert_eq!(c.removed_text(), vec!["ไม่"]);
        assert_eq!(c.added_text(), vec!["ไม้"]);
        assert_eq!(c.summary, "1 word changed in paragraph 2");
        let c = compare(
            &story("ราคาน้ำมันไม่เปลี่ยนแปลง"),
            &story("ราคาน้ำมันไม่ได้เปลี่ยนแปลง"),
            &Rules::default(),
        )
        .unwrap();
        assert_eq!(c.added_text(), vec!["ได้"]);
    }

    #[test]
    fn a_changed_currency_or_sign_is_an_edit_naming_the_symbol() {
        let story = |p: &str| doc("T", &["Intro paragraph stays.", p]);
        for (old, new, removed, added) in [
            (
                "The deal is worth €5 billion, officials said.",
                "The deal is worth $5 billion, officials said.",
                "€",
                "$",
            ),
            (
                "Exports fell to -3% last year.",
                "Exports fell to +3% last year.",
                "-",
                "+",
            ),
            (
                "Turnout was 45% in Tehran.",
                "Turnout was 45‰ in Tehran.",
                "%",
                "‰",
            ),
        ] {
            let c = compare(&story(old), &story(new), &Rules::default())
                .unwrap_or_else(|| panic!("{old} → {new} must alert"));
            assert_eq!(c.kinds, vec![ChangeKind::Edited], "{new}");
            assert_eq!(c.summary, "1 word changed in paragraph 2", "{new}");
            assert_eq!(c.removed_text(), vec![removed], "{old}");
            assert_eq!(c.added_text(), vec![added], "{new}");
        }
        // A minus written as a hyphen or a true minus, and hyphens between
        // numbers or after a word, are no sign changing.
        for (old, new) in [
            (
                "Exports fell to −3% last year.",
                "Exports fell to -3% last year.",
            ),
            (
                "The 2020-21 season of COVID-19.",
                "The 2020–21 season of COVID‑19.",
            ),
        ] {
            assert_eq!(
                compare(&story(old), &story(new), &Rules::default()),
                None,
                "{old} → {new}"
            );
        }
    }

    #[test]
    fn the_old_side_is_the_old_paragraph_word_for_word_with_the_removed_words_marked() {
        // A clause cut after a semicolon: the alert's `same` carries the
        // new full stop; the old side must read as the old text did.
        let old =
            "The court convicted him of collusion; a charge he has always denied as political.";
        let new = "The court convicted him of collusion.";
        let segments = old_side(old, new, &Rules::default());
        assert_eq!(
            segments.iter().map(|s| s.text.as_str()).collect::<String>(),
            old
        );
        let removed: String = segments
            .iter()
            .filter(|s| s.op == SegmentOp::Removed)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(removed, "; a charge he has always denied as political");
    }

    #[test]
    fn punctuation_a_removed_or_added_clause_moved_goes_with_it_so_the_alert_quotes_both_versions()
    {
        // The unchanged words before an edit carried the new version's
        // punctuation: "in prison and flogging." cut to "in prison." read
        // "in prison. [-and flogging.-]", an old text that never was.
        for (old, new, removed, added) in [
            (
                "He was sentenced to eight years in prison and flogging.",
                "He was sentenced to eight years in prison.",
                vec![" and flogging"],
                vec![],
            ),
            (
                "He fled, police said.",
                "He fled.",
                vec![", police said"],
                vec![],
            ),
            (
                "He fled.",
                "He fled, police said.",
                vec![],
                vec![", police said"],
            ),
            (
                "He was sentenced to prison and flogging.",
                "He was sentenced to prison; exile followed.",
                vec![" and flogging"],
                vec!["; exile followed"],
            ),
        ] {
            let segments = word_diff(old, new, &Rules::default());
            let concat = |op: SegmentOp| {
                segments
                    .iter()
                    .filter(|s| s.op == SegmentOp::Same || s.op == op)
                    .map(|s| s.text.as_str())
                    .collect::<String>()
            };
            assert_eq!(concat(SegmentOp::Added), new, "{segments:?}");
            assert_eq!(concat(SegmentOp::Removed), old, "{segments:?}");
            let marked = |op: SegmentOp| {
                segments
                    .iter()
                    .filter(|s| s.op == op)
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
            };
            assert_eq!(marked(SegmentOp::Removed), removed, "{old:?} -> {new:?}");
            assert_eq!(marked(SegmentOp::Added), added, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn same_and_added_segments_make_the_new_paragraph_and_same_is_written_as_in_it() {
        // As docs/WEBHOOKS.md says: unchanged words carry the new version's
        // punctuation, so `same` and `removed` give the old words, not the
        // old paragraph.
        let old = "He was sentenced to eight years, his lawyer said.";
        let new = "He was sentenced to nine years — his lawyer said";
        let segments = word_diff(old, new, &Rules::default());
        let concat = |ops: &[SegmentOp]| {
            segments
                .iter()
                .filter(|s| ops.contains(&s.op))
                .map(|s| s.text.as_str())
                .collect::<String>()
        };
        assert_eq!(concat(&[SegmentOp::Same, SegmentOp::Added]), new);
        assert_eq!(
            concat(&[SegmentOp::Same, SegmentOp::Removed]),
            "He was sentenced to eight years — his lawyer said"
        );
    }
}
