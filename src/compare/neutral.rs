//! What comparison ignores: relative timestamps where they are page chrome
//! (datelines, "Updated 5 minutes ago"), lines that only say when the story
//! was updated, and the watch's `ignore` rules.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::byline::{DATE_LINKS, MONTHS, UPDATE_LABELS, WEEKDAYS};
use super::Rules;
use crate::text;

/// Relative timestamps ("Updated 5 minutes ago", "۳ ساعت پیش", "منذ ٥ دقائق",
/// an age banner's "more than 3 months old") tick on every fetch; they never
/// count as changes, on any watch, where they are page chrome.
static RELATIVE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    let n = r"(?:\d+|[۰-۹]+|[٠-٩]+)";
    Regex::new(&format!(
        r"(?ix)
        (?:(?-u:\b)(?:updated|published|posted|modified|last\ updated)\s*:?\s*)?
          (?-u:\b)(?:{n}|an?|one)\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)\s+ago(?-u:\b)
        | (?-u:\b)(?:(?:more\ than|over|almost|nearly)\s+)?(?:{n}|an?|one)\s*(?:days?|weeks?|months?|years?)\s+old(?-u:\b)
        | (?:به‌روز\s*شده\s*)?(?:{n}\s*|چند\s*)(?:ثانیه|دقیقه|ساعت|روز|هفته|ماه|سال)\s*(?:پیش|قبل)
        | (?:لحظاتی|دقایقی|ساعاتی|ساعتی|روزهایی)\s*(?:پیش|قبل)
        | (?:منذ|قبل)\s*{n}\s*(?:ثانية|ثوان|دقيقة|دقائق|ساعة|ساعات|يوم|أيام|أسبوع|أسابيع|شهر|أشهر)
        | (?-u:\b)il\ y\ a\ {n}\s*(?:min|minutes?|heures?|jours?)(?-u:\b)
        | (?-u:\b)vor\ {n}\s*(?:Min\.?|Minuten?|Stunden?|Tagen?)
        | (?-u:\b)hace\ {n}\s*(?:min|minutos?|horas?|días?)(?-u:\b)"
    ))
    .expect("static regex")
});

/// Byte ranges of `text` that take no part in comparing: matches of the
/// watch's `ignore` rules, and relative timestamps where they are page chrome
/// (labelled "Updated …", or in a short dateline-like block that is not a
/// sentence) rather than words of an article sentence such as "he was
/// arrested 3 days ago.".
pub(super) fn neutralised(text_: &str, rules: &Rules) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = rules
        .ignore
        .iter()
        .flat_map(|re| re.find_iter(text_).map(|m| (m.start(), m.end())))
        .collect();
    if is_update_stamp(text_) {
        spans.push((0, text_.len()));
        return spans;
    }
    let times: Vec<(usize, usize)> = RELATIVE_TIME
        .find_iter(text_)
        .map(|m| (m.start(), m.end()))
        .collect();
    if !times.is_empty() {
        let mut rest = String::with_capacity(text_.len());
        let mut at = 0;
        for &(a, b) in &times {
            rest.push_str(&text_[at..a]);
            rest.push(' ');
            at = b;
        }
        rest.push_str(&text_[at..]);
        // When the story was updated said both ways, "Updated 14 minutes
        // ago Updated 10:01 pm PST, Tuesday, November 19, 2019": the line
        // is an update stamp.
        if is_update_stamp(&rest) {
            spans.push((0, text_.len()));
            return spans;
        }
        let outside = text::word_count(&rest);
        // A block that ends a sentence is prose, whatever its length.
        let prose = text_.trim_end().ends_with(SENTENCE_ENDS);
        let dateline = !prose
            && (outside <= DATELINE_WORDS
                || (outside <= DATELINE_WITH_DATE_WORDS && ABSOLUTE_TIME.is_match(text_)));
        for (a, b) in times {
            if dateline || TIME_LABEL.is_match(&text_[a..b]) || stands_apart(text_, a, b) {
                spans.push((a, b));
            }
        }
    }
    spans
}

/// The label of a line that says when the story was last touched
/// ([`UPDATE_LABELS`], then maybe one of [`DATE_LINKS`]): "Last updated",
/// "Updated on", "Modified", "آخرین به‌روزرسانی", "به‌روز شده", "آخر تحديث",
/// "تم التحديث". (Not "Published": a publication date that moves can be a
/// story backdated.)
pub(super) static UPDATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let mut labels: Vec<&str> = UPDATE_LABELS.to_vec();
    // The longest first: "last updated" before "updated".
    labels.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
    let labels: Vec<String> = labels
        .into_iter()
        .map(|l| {
            l.split(|c: char| c.is_whitespace() || c == '\u{200c}')
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(r"[\s\x{200c}]*")
        })
        .collect();
    Regex::new(&format!(
        r"(?i)^\W*(?:{})(?:\s+(?:{}))?\W*",
        labels.join("|"),
        DATE_LINKS.join("|")
    ))
    .expect("static regex")
});

/// Words that may follow [`UPDATE_LABEL`] in a line that is only a time
/// stamp, besides numbers and [`MONTHS`]: [`WEEKDAYS`], am/pm, and the little
/// words between a date and a time.
static STAMP_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let between = [
        "am",
        "pm",
        "m",
        "a",
        "p",
        "at",
        "on",
        "and",
        "of",
        "the",
        "ساعت",
        "الساعة",
    ];
    WEEKDAYS
        .iter()
        .cloned()
        .chain(between.into_iter().map(text::compare_key))
        .collect()
});

/// True for a block that only says when the story was last touched, "Last
/// updated 14:05 GMT, 3 June 2025" or "آخرین به‌روزرسانی: ۱۲ آذر ۱۴۰۵ -
/// ۱۰:۳۰": a label ([`UPDATE_LABEL`]), then only a date and a time (numbers,
/// month and weekday names, a time zone's capitals). It moves whenever the
/// page is republished, with nothing a reader would call an edit; an update
/// note that says what changed ("Updated to include…") has other words.
///
/// Said as a sentence too: "This story was last updated on 4 December 2026
/// at 01:10 GMT" ([`STAMP_SUBJECT`]), "این خبر آخرین بار در ۱۳ آذر ۱۴۰۵
/// به‌روز شد" ([`LAST_TIME_UPDATED`]), "تم تحديث هذا الخبر في ...".
fn is_update_stamp(text_: &str) -> bool {
    let t = STAMP_SUBJECT
        .find(text_)
        .map_or(text_, |m| &text_[m.end()..]);
    if let Some(stamp) = LAST_TIME_UPDATED.captures(t).and_then(|c| c.name("stamp")) {
        return only_date_and_time(stamp.as_str());
    }
    let Some(label) = UPDATE_LABEL.find(t) else {
        return false;
    };
    only_date_and_time(&t[label.end()..])
}

/// What a sentence that says when the story was updated starts with
/// before its label ([`UPDATE_LABEL`]): "This story was", "The article has
/// been", "این خبر".
static STAMP_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:(?:this|the)\s+(?:story|article|page|post|report)\s+(?:was|has\s+been)\s+|این\s+(?:خبر|مطلب|گزارش|صفحه)\s+)")
        .expect("static regex")
});

/// A Persian sentence that says when the story was last updated, its date
/// between "آخرین بار" and its verb: "آخرین بار در ۱۳ آذر ۱۴۰۵ به‌روز شد".
static LAST_TIME_UPDATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\W*آخرین\s+بار\s+(?:در\s+)?(?P<stamp>.*?)\s*(?:به[\s\x{200c}]*روز|بروز|ویرایش)[\s\x{200c}]*(?:رسانی[\s\x{200c}]*)?شد(?:ه(?:[\s\x{200c}]*است)?)?\W*$")
        .expect("static regex")
});

/// True when `rest` holds only a date and a time: numbers, month and
/// weekday names, a time zone's capitals ([`is_update_stamp`]).
fn only_date_and_time(rest: &str) -> bool {
    let mut any_number = false;
    let stamp = text::words(rest).all(|w| {
        let number = w.chars().any(|c| c.is_numeric());
        any_number |= number;
        // A sign is a word of its own ("GMT +3").
        let sign = !w.chars().any(char::is_alphanumeric);
        number || sign || (w.len() <= 4 && w.chars().all(|c| c.is_ascii_uppercase())) || {
            let key = text::compare_key(w).to_lowercase();
            MONTHS.contains(&key) || STAMP_WORDS.contains(&key)
        }
    });
    stamp && any_number
}

/// True when the relative timestamp at `text_[a..b]` belongs to no sentence
/// of its block: it opens the block or follows a sentence's end, and ends
/// the block or is followed by a capital ("4 hours ago The chain plans…": a
/// timestamp set beside a standfirst that the page runs into it), where one
/// in a sentence is followed by its words ("3 days ago, police said…").
fn stands_apart(text_: &str, a: usize, b: usize) -> bool {
    let before = text_[..a].trim_end();
    let after = text_[b..].trim_start();
    (before.is_empty() || before.ends_with(SENTENCE_ENDS))
        && after.chars().next().is_none_or(char::is_uppercase)
}

/// What ends a sentence: `.`, `!`, `?`, the Arabic question mark, the Urdu
/// full stop and the ideographic full stop.
const SENTENCE_ENDS: [char; 6] = ['.', '!', '?', '\u{061F}', '\u{06D4}', '\u{3002}'];

/// Words around a relative timestamp up to which its block is a dateline
/// ("By Jane Doe · 5 minutes ago"), not prose.
const DATELINE_WORDS: usize = 8;

/// Words around a relative timestamp up to which its block is a dateline
/// when it also gives a clock time or a year ("2 hours ago Updated 1:39 am
/// EST, Wednesday, November 20, 2019").
const DATELINE_WITH_DATE_WORDS: usize = 16;

/// A clock time or a year.
static ABSOLUTE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)\d{1,2}:\d{2}(?-u:\b)|(?-u:\b)(?:19|20)\d{2}(?-u:\b)|[۰-۹]{1,2}:[۰-۹]{2}|[۱۲][۳۴۰][۰-۹]{2}")
        .expect("static regex")
});

/// The label that marks a relative timestamp as page chrome.
static TIME_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:updated|published|posted|modified|last updated|به‌روز)")
        .expect("static regex")
});

/// `text` with its [`neutralised`] ranges removed.
pub(super) fn without_neutralised<'a>(text_: &'a str, rules: &Rules) -> std::borrow::Cow<'a, str> {
    let mut spans = neutralised(text_, rules);
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text_);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text_.len());
    let mut at = 0;
    for (a, b) in spans {
        if a > at {
            out.push_str(&text_[at..a]);
            out.push(' ');
        }
        at = at.max(b);
    }
    out.push_str(&text_[at.min(text_.len())..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use crate::compare::tests::doc;
    use crate::compare::{compare, Rules};

    #[test]
    fn a_line_that_only_says_when_the_story_was_updated_never_counts() {
        let story = |stamp: &str| {
            doc(
                "T",
                &[
                    stamp,
                    "The court upheld the sentence on Monday, his lawyer said.",
                ],
            )
        };
        for (old, new) in [
            ("Last updated 14:05 GMT", "Last updated 16:40 GMT"),
            (
                "Updated: 3 June 2025, 9:15 a.m. ET",
                "Updated: June 4, 2025 at 10:02 a.m. ET",
            ),
            (
                "آخرین به‌روزرسانی: ۱۲ آذر ۱۴۰۵ - ۱۰:۳۰",
                "آخرین به‌روزرسانی: ۱۳ آذر ۱۴۰۵ - ۰۹:۱۵",
            ),
            (
                "آخرین به روز رسانی: ۱۲ آذر ۱۴۰۵ - ۱۰:۳۰",
                "آخرین بروزرسانی: ۱۳ آذر ۱۴۰۵ - ۰۹:۱۵",
            ),
            (
                "آخر تحديث: الخميس 5 يونيو 2025",
                "آخر تحديث: الجمعة 6 يونيو 2025",
            ),
            (
                "Last modified on 3 June 2025",
                "Last modified on 4 June 2025",
            ),
            // Said as a sentence.
            (
                "This story was last updated on 3 December 2026 at 23:10 GMT",
                "This story was last updated on 4 December 2026 at 01:10 GMT",
            ),
            (
                "این خبر آخرین بار در ۱۳ آذر ۱۴۰۵ ساعت ۱۰:۳۰ به‌روز شد",
                "این خبر آخرین بار در ۱۴ آذر ۱۴۰۵ ساعت ۰۹:۱۵ به‌روز شد",
            ),
            (
                "تم تحديث هذا الخبر في 3 ديسمبر 2026 الساعة 10:30",
                "تم تحديث هذا الخبر في 4 ديسمبر 2026 الساعة 01:10",
            ),
        ] {
            assert_eq!(
                compare(&story(old), &story(new), &Rules::default()),
                None,
                "{old} → {new}"
            );
        }
        // An update note that says what changed is news, and so is a moved
        // publication date.
        for (old, new) in [
            (
                "Updated 3 June 2025",
                "Updated 4 June 2025 to correct the lawyer's name",
            ),
            ("Published 3 June 2025", "Published 1 May 2025"),
            (
                "This story was updated on 3 June 2025",
                "This story was updated on 4 June 2025 to correct the lawyer's name",
            ),
            (
                "این خبر آخرین بار در ۱۳ آذر ۱۴۰۵ به‌روز شد",
                "این خبر آخرین بار در ۱۴ آذر ۱۴۰۵ برای اصلاح نام وکیل به‌روز شد",
            ),
        ] {
            assert!(
                compare(&story(old), &story(new), &Rules::default()).is_some(),
                "{old} → {new}"
            );
        }
    }

    #[test]
    fn a_line_that_says_when_the_story_was_updated_both_ways_never_counts() {
        let stamp = "Updated 14 minutes ago Updated 10:01 pm PST, Tuesday, November 19, 2019";
        let story = "The court upheld the sentence on Monday, his lawyer said.";
        // Ticking, and there on one fetch only (as a page's header is read
        // with the story on one fetch and not the next).
        for (old, new) in [
            (
                doc(
                    "T",
                    &[
                        "Updated 7 minutes ago Updated 10:01 pm PST, Tuesday, November 19, 2019",
                        story,
                    ],
                ),
                doc("T", &[stamp, story]),
            ),
            (doc("T", &[story]), doc("T", &[stamp, story])),
        ] {
            assert_eq!(compare(&old, &new, &Rules::default()), None);
        }
        // Said with what changed, it is news.
        let noted = "Updated 14 minutes ago Updated 10:01 pm PST to correct the lawyer's name";
        assert!(compare(
            &doc("T", &[story]),
            &doc("T", &[noted, story]),
            &Rules::default()
        )
        .is_some());
    }

    #[test]
    fn relative_timestamps_in_datelines_tick_without_alerting() {
        for (old, new) in [
            ("Updated 5 minutes ago", "Updated 12 minutes ago"),
            ("By Jane Doe · 2 hours ago", "By Jane Doe · 3 hours ago"),
            (
                "2 hours ago Updated 1:39 am EST, Wednesday, November 20, 2019",
                "3 hours ago Updated 1:39 am EST, Wednesday, November 20, 2019",
            ),
            ("به‌روز شده ۵ دقیقه پیش", "به‌روز شده ۱۲ دقیقه پیش"),
            ("منذ ٥ دقائق", "منذ ١٢ دقائق"),
            // An age banner above the story.
            (
                "This article is more than 3 months old",
                "This article is more than 4 months old",
            ),
            ("This article is over a year old", "This article is over 2 years old"),
            // Set beside a standfirst the page runs into it.
            (
                "4 hours ago The chain plans to open bakeries beyond the U.S. and Canada. By Lisa Jennings",
                "5 hours ago The chain plans to open bakeries beyond the U.S. and Canada. By Lisa Jennings",
            ),
            (
                "The chain plans to open bakeries beyond the U.S. and Canada. 4 hours ago",
                "The chain plans to open bakeries beyond the U.S. and Canada. 5 hours ago",
            ),
        ] {
            let a = doc("T", &[old, "Story text stays the same."]);
            let b = doc("T", &[new, "Story text stays the same."]);
            assert_eq!(compare(&a, &b, &Rules::default()), None, "{old} -> {new}");
        }
    }

    #[test]
    fn relative_times_inside_article_sentences_are_words_like_any_other() {
        for (old, new) in [
            ("He was arrested 3 days ago.", "He was arrested 5 days ago."),
            (
                "The mosque was rebuilt and is more than 3 years old.",
                "The mosque was rebuilt and is more than 5 years old.",
            ),
            (
                "3 days ago, police said, he was arrested at the border crossing.",
                "5 days ago, police said, he was arrested at the border crossing.",
            ),
            (
                "He left. 3 days ago he was arrested at the border crossing.",
                "He left. 5 days ago he was arrested at the border crossing.",
            ),
        ] {
            let a = doc("T", &[old]);
            let b = doc("T", &[new]);
            let c = compare(&a, &b, &Rules::default()).unwrap();
            assert_eq!(c.removed_text(), vec!["3"], "{old}");
            assert_eq!(c.added_text(), vec!["5"], "{new}");
        }
    }
}
