//! Correction and update notes: a paragraph in which the outlet admits an
//! error in the article (a correction, a clarification, an editor's note
//! that fixes a mistake) or adds a dated update or editor's note.
//!
//! Paragraphs are matched in their [`text::match_key`] form, so every
//! spelling of a Persian or Arabic word is the same word (Arabic or Persian
//! yeh and kaf, with or without ZWNJ or diacritics). A note is recognised by
//! its label at the start of the paragraph followed by a separator
//! ("Correction:", "Update, May 25:", "اصلاحیه:", "تحديث (25 مايو):"), or by a
//! sentence that speaks about the article itself ("An earlier version of
//! this article…", "This story has been updated…", "در نسخه قبلی این
//! گزارش…"). A word merely used in a sentence ("Updated guidelines were
//! published…", "تصحیح اوراق امتحانی…") is not a note. The labelled set in
//! `tests/fixtures/corrections.tsv` measures precision and recall.

use std::sync::LazyLock;

use regex::Regex;

use crate::text;

/// What an added paragraph is, when it is a note from the outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The outlet admits an error: a correction or clarification.
    Correction,
    /// The outlet adds a dated update or an editor's note, admitting no error.
    Update,
}

/// Notes are short; a longer paragraph that uses these phrases is article text.
const MAX_NOTE_WORDS: usize = 90;

/// A regex written in ordinary spelling, compiled in the folded form that
/// [`text::match_key`] gives the text (so `ي`/`ی`, `ك`/`ک` and ZWNJ are one).
fn folded(pattern: &str) -> Regex {
    Regex::new(&text::compare_key(pattern)).expect("static regex")
}

/// A case-insensitive alternation of the given patterns.
fn any_of(patterns: &[&str]) -> String {
    format!("(?i)(?:{})", patterns.join("|"))
}

/// Marks that may precede a note's label: bullets, asterisks, brackets.
const LEAD: &str = r"^[\s*•·\-\[\(]*";

/// Labels of notes that correct the article by their name alone.
static CORRECTION_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    folded(&format!(
        r"(?i){LEAD}(?:corrections?(?: and clarifications?)?|clarifications?|erratum|corrigendum|اصلاحیه|تصحیح|تصويب|استدراك){}",
        *SEPARATOR
    ))
});

/// Labels of update notes and editor's notes; such a note is a correction
/// when its text admits an error ([`ADMITS_ERROR`]).
static UPDATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    folded(&format!(
        r"(?i){LEAD}(?:updated?|latest|editors?'?s?'? note|ed\. note|note|addendum|به ?روز ?رسانی|بروز ?رسانی|خبر تکمیلی|تکمیلی|یادداشت سردبیر|یادداشت ویراستار|توضیح سردبیر|توضیح|پی ?نوشت|تحديث|ملاحظة(?: من)? المحرر|ملاحظة|تنويه|توضيح){}",
        *SEPARATOR
    ))
});

/// What follows a label: maybe a date ("Update 25 May:", "بروزرسانی ۵
/// خرداد:"), then a colon or dash, a comma or parenthesis before a date, or
/// nothing (a label on a line of its own).
static SEPARATOR: LazyLock<String> =
    LazyLock::new(|| format!(r"(?:\s+(?:{DATE_WORDS}),?)*\s*(?:[:\-|]|,|\(|$)"));

/// Sentences in which the outlet says it corrected the article.
static CORRECTION_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    let noun =
        "(?:article|story|report|piece|post|headline|caption|graphic|video|photo|newsletter)";
    folded(&any_of(&[
        &format!("(?:an|a|the) (?:earlier|previous|prior|original) version of this {noun}"),
        &format!(
            "this {noun} (?:has been|was|is) (?:corrected|updated to correct|amended to correct)"
        ),
        &format!("this {noun} was amended on [^.]{{0,40}} to correct"),
        "we regret the error",
        "apologi[sz]es? for (?:the|this|any) (?:error|mistake)",
        "نسخه ?ی? (?:قبلی|پیشین|اولیه|نخست) ?ی? این (?:خبر|گزارش|مطلب|مقاله|یادداشت|عنوان)",
        "این (?:خبر|گزارش|مطلب|مقاله) (?:برای|به منظور) (?:اصلاح|تصحیح)",
        "این (?:خبر|گزارش|مطلب|مقاله|عنوان) (?:اصلاح|تصحیح) شد",
        "(?:از|بابت) این (?:اشتباه|خطا) (?:پوزش|عذر)",
        "نسخة سابقة من (?:هذا|هذه) (?:المقال|الخبر|التقرير|المادة|القصة)",
        "تم تصحيح (?:هذا|هذه) (?:المقال|الخبر|التقرير|المادة|القصة)",
        "نعتذر (?:عن|ل) ?(?:هذا )?(?:ال)?خط[اأ]",
    ]))
});

/// Words by which a labelled note admits an error.
static ADMITS_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    folded(&any_of(&[
        r"\b(?:incorrectly|wrongly|mistakenly|erroneously|misstated|misidentified|misspelled|misquoted|misattributed|misreported|inaccurate(?:ly)?|in error|an error|the error|to correct|corrected|correction)\b",
        "اشتباه|نادرست|خطا|اصلاح شد|تصحیح شد|پوزش|عذرخواهی",
        "خط[اأ]|خاطئ|نعتذر|تصحيح|تصويب",
    ]))
});

/// Sentences in which the outlet says it updated the article.
static UPDATE_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    let noun = "(?:article|story|report|piece|post)";
    folded(&any_of(&[
        &format!("this {noun} (?:has been|was|will be|is being) (?:updated|amended|refiled)"),
        "this is a developing story",
        r"^\s*\(?updated (?:at|on) [^.]{0,40}\bto (?:add|include|reflect)",
        "این (?:خبر|گزارش|مطلب) (?:به ?روز|بروز)(?: ?رسانی)? (?:شده|میشود|خواهد شد)",
        "این (?:خبر|گزارش|مطلب) در حال (?:تکمیل|به ?روز ?رسانی) است",
        "تم تحديث (?:هذا|هذه) (?:المقال|الخبر|التقرير|المادة|القصة)",
        "(?:هذا|هذه) (?:الخبر|القصة|المقال) قيد التحديث",
    ]))
});

/// Words that make up a dateline rather than a note ("Updated: May 25,
/// 2024 14:00 GMT", "آخر تحديث: 25 مايو 2024").
static DATE_WORD: LazyLock<Regex> = LazyLock::new(|| folded(&format!("^(?i:{DATE_WORDS})$")));

/// The words of dates and times, as an alternation.
const DATE_WORDS: &str = concat!(
    r"\d+|am|pm|at|on|gmt|utc|bst|cet|cest|est|edt|pst|pdt|",
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|",
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|",
    "فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند|ساعت|",
    "يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر|الساعة|آخر",
);

/// Whether `paragraph` is a note from the outlet, and which.
pub fn classify(paragraph: &str) -> Option<Note> {
    if text::word_count(paragraph) > MAX_NOTE_WORDS {
        return None;
    }
    let key = text::match_key(paragraph);
    if CORRECTION_SENTENCE.is_match(&key) {
        return Some(Note::Correction);
    }
    if let Some(m) = CORRECTION_LABEL.find(&key) {
        if has_content(&key[m.end()..]) || m.end() == key.len() {
            return Some(Note::Correction);
        }
    }
    if let Some(m) = UPDATE_LABEL.find(&key) {
        let rest = &key[m.end()..];
        if ADMITS_ERROR.is_match(rest) {
            return Some(Note::Correction);
        }
        if has_content(rest) || m.end() == key.len() {
            return Some(Note::Update);
        }
    }
    UPDATE_SENTENCE.is_match(&key).then_some(Note::Update)
}

/// Whether the text after a label says something: more than a date and a time.
fn has_content(rest: &str) -> bool {
    text::words(rest).filter(|w| !DATE_WORD.is_match(w)).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The labelled set: (expected note, language, paragraph).
    fn labelled() -> Vec<(Option<Note>, &'static str, &'static str)> {
        include_str!("../tests/fixtures/corrections.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut cols = l.splitn(3, '\t');
                let label = match cols.next() {
                    Some("correction") => Some(Note::Correction),
                    Some("update") => Some(Note::Update),
                    Some("none") => None,
                    other => panic!("unknown label {other:?} in: {l}"),
                };
                let lang = cols.next().expect("a language column");
                (label, lang, cols.next().expect("a paragraph column"))
            })
            .collect()
    }

    /// Precision and recall of one class over the labelled set.
    fn precision_recall(
        set: &[(Option<Note>, &str, &str)],
        class: Note,
    ) -> (f64, f64, Vec<String>) {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        let mut misses = Vec::new();
        for (expected, lang, p) in set {
            let got = classify(p);
            match (got == Some(class), *expected == Some(class)) {
                (true, true) => tp += 1,
                (true, false) => {
                    fp += 1;
                    misses.push(format!("false {class:?} [{lang}]: {p}"));
                }
                (false, true) => {
                    fn_ += 1;
                    misses.push(format!("missed {class:?} [{lang}] (got {got:?}): {p}"));
                }
                (false, false) => {}
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        (precision, recall, misses)
    }

    /// Run with `cargo test --lib correction -- --nocapture` to see the figures.
    #[test]
    fn labelled_set_precision_and_recall() {
        let set = labelled();
        assert!(set.len() >= 40, "{} labelled paragraphs", set.len());
        for lang in ["en", "fa", "ar"] {
            assert!(
                set.iter().filter(|s| s.1 == lang).count() >= 10,
                "at least 10 {lang} paragraphs"
            );
        }
        for class in [Note::Correction, Note::Update] {
            let (p, r, misses) = precision_recall(&set, class);
            println!(
                "{class:?}: precision {p:.3}, recall {r:.3} on {} labelled paragraphs",
                set.len()
            );
            for m in &misses {
                println!("  {m}");
            }
            assert!(p >= 0.95 && r >= 0.9, "{class:?}: {misses:#?}");
        }
    }

    #[test]
    fn every_spelling_of_a_persian_correction_label_is_one() {
        for label in ["اصلاحیه", "اصلاحيه", "اصلاحیّه", "اصلاح\u{200C}یه"]
        {
            let p = format!("{label}: در نسخه قبلی تاریخ حکم نادرست بود.");
            assert_eq!(classify(&p), Some(Note::Correction), "{p}");
        }
        for label in ["به‌روزرسانی", "بروزرسانی", "به روزرسانی", "به روز رسانی"]
        {
            let p = format!("{label}: وزارت ارشاد این خبر را تایید کرد.");
            assert_eq!(classify(&p), Some(Note::Update), "{p}");
        }
    }

    #[test]
    fn the_reported_false_alarms_are_not_notes() {
        for p in [
            "Updated guidelines were published by the ministry on Monday.",
            "Clarification of the rules is expected next week.",
            "لایحه اصلاح قانون مطبوعات روز دوشنبه در مجلس تصویب شد.",
        ] {
            assert_eq!(classify(p), None, "{p}");
        }
        assert_eq!(
            classify("Update, May 25: The ministry said it would appeal."),
            Some(Note::Update)
        );
    }

    #[test]
    fn a_long_paragraph_quoting_the_words_is_article_text() {
        let p = format!(
            "{} An earlier version of this report said otherwise.",
            "The ministry spoke at length about the case. ".repeat(12)
        );
        assert_eq!(classify(&p), None);
    }
}
