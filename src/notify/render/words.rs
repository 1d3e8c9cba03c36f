//! Marking changed words: a changed headline's or byline's old and new
//! lines, each whole with only its own words marked; a changed paragraph's
//! words with a few words of context around each change, opening quotes
//! kept on the word they open and the punctuation both sides of a change
//! end with set after it; and whether a removed or added word is set apart
//! from the text before it.

use super::escape::one_line;
use crate::compare::{Segment, SegmentOp};

/// Words of unchanged context kept on each side of a change.
const CONTEXT_WORDS: usize = 12;

/// Words of a line, each marked unchanged, removed or added.
type Marked = Vec<(SegmentOp, String)>;

/// A changed headline or byline as its two lines, each whole and on one
/// line: the old one with the words only it has marked removed, the new one
/// with the words only it has marked added ([`crate::compare::word_diff`],
/// as paragraphs and retitled items are diffed), so that one word softened
/// in a long headline stands out; punctuation both lines end a changed word
/// with is theirs, unmarked ([`closing_punctuation_settled`]).
pub(super) fn field_words(old: &str, new: &str) -> (Marked, Marked) {
    let (old, new) = (one_line(old), one_line(new));
    let rules = crate::compare::Rules::default();
    let diff = closing_punctuation_settled(crate::compare::word_diff(&old, &new, &rules));
    let now = line_words(&new, &diff, SegmentOp::Added);
    // The old line by the same diff, so that both lines keep the same
    // words unchanged: a diff taken the other way may pair other words
    // when several pairings are as long ("Filmmaker Rasoulof flees Iran
    // after prison sentence" → "Rasoulof reaches Europe after fleeing
    // Iran on foot" kept "Rasoulof … Iran" on one line and "Rasoulof …
    // after" on the other). Where that diff does not spell the old line
    // as it is (its unchanged words are written as the new line writes
    // them), the diff towards the old line, whose unchanged words are its own.
    let was = old_line_words(&old, &diff).unwrap_or_else(|| {
        line_words(
            &old,
            &closing_punctuation_settled(crate::compare::word_diff(&new, &old, &rules)),
            SegmentOp::Removed,
        )
    });
    (was, now)
}

/// The old line of the diff `segments` from it: its removed and unchanged
/// words, marked so; `None` unless they spell `line` as it is.
fn old_line_words(line: &str, segments: &[Segment]) -> Option<Marked> {
    let mut out: Marked = Vec::new();
    let mut at = 0;
    for s in segments.iter().filter(|s| s.op != SegmentOp::Added) {
        if !line[at..].starts_with(s.text.as_str()) {
            return None;
        }
        at += s.text.len();
        match out.last_mut() {
            Some((last, t)) if *last == s.op => t.push_str(&s.text),
            _ => out.push((s.op, s.text.clone())),
        }
    }
    (at == line.len()).then_some(out)
}

/// The text `line` as the diff `segments` towards it marks it: its words
/// only it has (the diff's added words) marked `mark`, the rest unchanged.
/// Whole-marked when the diff does not spell the line out as it is.
fn line_words(line: &str, segments: &[Segment], mark: SegmentOp) -> Vec<(SegmentOp, String)> {
    let mut out: Vec<(SegmentOp, String)> = Vec::new();
    let mut at = 0;
    for s in segments.iter().filter(|s| s.op != SegmentOp::Removed) {
        let op = if s.op == SegmentOp::Added {
            mark
        } else {
            SegmentOp::Same
        };
        if !line[at..].starts_with(s.text.as_str()) {
            // Text of the other side that the diff calls unchanged (what
            // comes before a first word): not in this line.
            if op == SegmentOp::Same {
                continue;
            }
            return vec![(mark, line.to_string())];
        }
        at += s.text.len();
        match out.last_mut() {
            Some((last, t)) if *last == op => t.push_str(&s.text),
            _ => out.push((op, s.text.clone())),
        }
    }
    if at < line.len() {
        out.push((SegmentOp::Same, line[at..].to_string()));
    }
    out
}

/// A headline's or byline's line ([`field_words`]) with its marked words
/// marked by `mark`, every other character as the page has it: the spaces
/// between words, or none (a Persian half-space, punctuation on its word).
pub(super) fn field_line(
    words: &[(SegmentOp, String)],
    mark: fn(SegmentOp, &str) -> String,
) -> String {
    let mut out = String::new();
    for (op, t) in words {
        let marked = t.trim();
        let lead = t.len() - t.trim_start().len();
        out.push_str(&t[..lead]);
        out.push_str(&mark(*op, marked));
        out.push_str(&t[lead + marked.len()..]);
    }
    out.trim().to_string()
}

/// The segments of a changed paragraph with each opening quote or bracket
/// before the word it opens. A diff's pieces are words with the punctuation
/// and space after them, so the "“" opening the sentence after a removed
/// one ended both the removed words and the unchanged word before them
/// (`journey. “[-About … said. “-]I had`); it is shown once, unchanged,
/// before its word (`journey. [-About … said.-] “I had`).
fn opening_marks_settled(segments: &[Segment]) -> Vec<Segment> {
    let mut out = segments.to_vec();
    let mut i = 0;
    while i < out.len() {
        if out[i].op == SegmentOp::Same {
            i += 1;
            continue;
        }
        // A run of removed and added words, and the unchanged word after it.
        let end = (i..out.len())
            .find(|&k| out[k].op == SegmentOp::Same)
            .unwrap_or(out.len());
        let next_starts_word = out
            .get(end)
            .and_then(|s| s.text.chars().next())
            .is_some_and(|c| !c.is_whitespace());
        let marks: Vec<&str> = out[i..end].iter().map(|s| opening_mark(&s.text)).collect();
        let mark = marks[0].to_string();
        if next_starts_word && !mark.is_empty() && marks.iter().all(|m| *m == mark) {
            for s in &mut out[i..end] {
                let cut = s.text.len() - mark.len();
                s.text.truncate(cut);
            }
            if i > 0 && opening_mark(&out[i - 1].text) == mark {
                let prev = &mut out[i - 1].text;
                prev.truncate(prev.len() - mark.len());
            }
            out[end].text.insert_str(0, &mark);
        }
        i = end;
    }
    out.retain(|s| !s.text.is_empty());
    out
}

/// The opening quotes and brackets a piece of a diff ends with after a
/// space ("said. “" ends with "“"), or nothing.
fn opening_mark(t: &str) -> &str {
    let start = t
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + t[i..].chars().next().map_or(1, char::len_utf8));
    let mark = &t[start..];
    if start > 0
        && !mark.is_empty()
        && mark.chars().all(|c| {
            matches!(
                c,
                '“' | '‘' | '„' | '‚' | '«' | '‹' | '"' | '(' | '[' | '¿' | '¡'
            )
        })
    {
        mark
    } else {
        ""
    }
}

/// The segments of a changed paragraph with the punctuation that ends both
/// the removed and the added words of a change set after them, unchanged.
/// A diff's pieces are words with the punctuation and space after them, so
/// a word replaced before an unchanged comma took the comma into both marks
/// (`[-lashes,-] {+flogging,+} a fine`), as if it had changed too; it is
/// shown once, after them (`[-lashes-] {+flogging+}, a fine`). A comma
/// removed or added with the word, or a comma that became a full stop,
/// stays marked: the two sides do not end alike.
fn closing_punctuation_settled(mut segments: Vec<Segment>) -> Vec<Segment> {
    for i in 0..segments.len().saturating_sub(1) {
        // Removed words, then added ones, between unchanged text (or the
        // paragraph's start or end): a word diff's replacement.
        let replaced = segments[i].op == SegmentOp::Removed
            && segments[i + 1].op == SegmentOp::Added
            && (i == 0 || segments[i - 1].op == SegmentOp::Same)
            && segments.get(i + 2).is_none_or(|s| s.op == SegmentOp::Same);
        let end = closing_punctuation(&segments[i].text).to_string();
        if !replaced || end.is_empty() || end != closing_punctuation(&segments[i + 1].text) {
            continue;
        }
        for s in &mut segments[i..i + 2] {
            let cut = s.text.len() - end.len();
            s.text.truncate(cut);
        }
        match segments.get_mut(i + 2) {
            Some(next) => next.text.insert_str(0, &end),
            None => segments.push(Segment {
                op: SegmentOp::Same,
                text: end,
            }),
        }
    }
    segments
}

/// The punctuation that ends a clause or a sentence, with the space after
/// it, that a piece of a diff ends with after its words ("lashes, " ends
/// with ", ", «شلاق، » with "، "), or "".
fn closing_punctuation(t: &str) -> &str {
    let words = t.trim_end();
    let marked = words.trim_end_matches(ends_clause);
    if marked.len() == words.len() || marked.trim().is_empty() {
        ""
    } else {
        &t[marked.len()..]
    }
}

/// Punctuation that ends a clause or a sentence: Latin, Arabic and Persian
/// (، ؛ ؟ and Urdu's ۔), Devanagari, Chinese and Japanese (fullwidth and
/// ideographic), Khmer and Myanmar. Quotes and brackets are not: they
/// belong to the words they close.
fn ends_clause(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
            | '،'
            | '؛'
            | '؟'
            | '۔'
            | '।'
            | '॥'
            | '。'
            | '、'
            | '，'
            | '；'
            | '：'
            | '！'
            | '？'
            | '｡'
            | '､'
            | '។'
            | '៕'
            | '၊'
            | '။'
    )
}

/// The segments of a changed paragraph with long unchanged runs trimmed to
/// a few words of context around each change.
pub(super) fn with_context(segments: &[Segment]) -> Vec<(SegmentOp, String)> {
    let segments = closing_punctuation_settled(opening_marks_settled(segments));
    let n = segments.len();
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.op != SegmentOp::Same {
                return (s.op, s.text.clone());
            }
            // Words as a quote counts them: a Chinese paragraph keeps
            // [`CONTEXT_WORDS`] characters on each side of a change.
            let words = crate::text::quote_word_count(&s.text);
            let head = || crate::text::quote_head(&s.text, CONTEXT_WORDS).unwrap_or_default();
            let tail = || crate::text::quote_tail(&s.text, CONTEXT_WORDS).unwrap_or_default();
            let lead = if s.text.starts_with(' ') { " " } else { "" };
            let trail = if s.text.ends_with(' ') { " " } else { "" };
            let (first, last) = (i == 0, i + 1 == n);
            let t = if first && !last && words > CONTEXT_WORDS {
                format!("… {}{trail}", tail())
            } else if last && !first && words > CONTEXT_WORDS {
                format!("{lead}{} …", head())
            } else if !first && !last && words > 2 * CONTEXT_WORDS {
                format!("{lead}{} … {}{trail}", head(), tail())
            } else {
                s.text.clone()
            };
            (SegmentOp::Same, t)
        })
        .collect()
}

/// Whether a removed or added segment `t` must be set apart from the text
/// before it: a word right after a word or after the punctuation that ends
/// a sentence or a quote (text removed at the end of a paragraph follows the
/// last word kept, which the new version ends with, and "capital" and "and
/// many more" ran together, as did "comment." and a last sentence removed).
/// Not in scripts written without spaces (Chinese, Japanese, Thai), nor
/// before punctuation, nor after a half-space, an opening quote or bracket,
/// a hyphen, or inside a figure ("3.[-5-]{+6+}") or an abbreviation ("U.S.").
pub(super) fn needs_space(before: &str, t: &str) -> bool {
    let spaced = |c: char| c.is_alphanumeric() && !crate::text::written_without_spaces(c);
    let mut back = before.chars().rev();
    let (Some(a), Some(b)) = (back.next(), t.chars().next()) else {
        return false;
    };
    if !spaced(b) {
        return false;
    }
    if spaced(a) {
        return true;
    }
    let ends = matches!(
        a,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
            | '”'
            | '’'
            | '»'
            | '›'
            | ')'
            | ']'
            | '"'
            | '؟'
            | '،'
            | '؛'
            | '۔'
    );
    let word_before = before[..before.len() - a.len_utf8()].chars().rev();
    // A figure's separator ("3.5", "1,000", "10:30").
    let figure = b.is_numeric() && back.next().is_some_and(char::is_numeric);
    // One letter and a full stop: an initial or an abbreviation ("U.S.").
    let initial = a == '.' && {
        let mut w = word_before;
        w.next().is_some_and(char::is_alphabetic) && !w.next().is_some_and(char::is_alphanumeric)
    };
    ends && !figure && !initial
}

/// Whether `t` ends with a letter of a script written without spaces, or
/// with the ideographic or fullwidth punctuation such text is set with:
/// the text after it follows without a space.
pub(super) fn ends_unspaced(t: &str) -> bool {
    t.trim_end().chars().next_back().is_some_and(|c| {
        crate::text::written_without_spaces(c)
            || crate::text::extends_unit(c)
            || matches!(c as u32, 0x3000..=0x303F | 0xFE30..=0xFE4F | 0xFF01..=0xFF65)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_or_added_words_never_run_into_the_word_before() {
        assert!(needs_space("in the capital", "and many more were hurt."));
        assert!(needs_space("در پایتخت", "و بسیاری"));
        assert!(!needs_space("in the capital ", "and"), "a space is there");
        assert!(
            !needs_space("He said", ":"),
            "punctuation stays on its word"
        );
        assert!(!needs_space("", "and"));
        assert!(!needs_space("北京", "上海"), "written without spaces");
        assert!(!needs_space("ราคา", "น้ำมัน"));
        assert!(!needs_space("ក្រុង", "ភ្នំពេញ"), "Khmer");
        assert!(!needs_space("မြန်", "မာ"), "Myanmar");
        assert!(needs_space("서울", "기자"), "Korean is written with spaces");
        assert!(
            needs_space("did not comment.", "He is 52."),
            "a sentence's end"
        );
        assert!(needs_space("انتخاب می‌کردم»", "وکیل"));
        assert!(!needs_space("rose 3.", "5"), "a figure");
        assert!(!needs_space("the U.", "S."), "an abbreviation");
        assert!(!needs_space("he said: “", "About"), "an opening quote");
        assert!(!needs_space("رسول\u{200C}", "اف"), "a half-space");
        assert!(!needs_space("well-", "known"));
    }
}
