//! Comparing two versions of a document: block alignment, moved paragraphs,
//! word-level changes, change kinds and a one-line human summary.
//!
//! Blocks are compared in their [`text::compare_key`] form after the watch's
//! `ignore` patterns are removed, so white space, typographic punctuation and
//! Persian/Arabic encoding variants never count as changes; double quotation
//! marks put around words or taken away do ([`text::quoted_words`]).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm, DiffOp};

use crate::correction::Note;
use crate::document::{Document, ProseKind, Source, Sources};
use crate::text;

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
    /// The most important kind.
    pub fn kind(&self) -> ChangeKind {
        self.kinds.first().copied().unwrap_or(ChangeKind::Edited)
    }

    /// The text a watch's `keywords` are looked for in this change: each
    /// paragraph the change touched, whole (added, removed, or edited: its
    /// unchanged, removed and added words), and both headlines when it changed.
    /// An edit to a sentence about the watch's subject concerns it although the
    /// changed words do not name it ("eight years" → "six years" in a paragraph
    /// about Rasoulof).
    pub fn touched_text(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for b in self.all_blocks() {
            match b {
                BlockChange::Added { text, .. } | BlockChange::Removed { text, .. } => {
                    parts.push(text)
                }
                BlockChange::Changed { segments, .. } => {
                    parts.extend(segments.iter().map(|s| s.text.as_str()))
                }
                BlockChange::Moved { .. } => {}
            }
            parts.push(" ");
        }
        if let Some((old, new)) = &self.headline {
            parts.extend([old.as_str(), " ", new.as_str()]);
        }
        parts.concat()
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
fn neutralised(text_: &str, rules: &Rules) -> Vec<(usize, usize)> {
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
        let outside: usize = {
            let mut rest = String::with_capacity(text_.len());
            let mut at = 0;
            for &(a, b) in &times {
                rest.push_str(&text_[at..a]);
                rest.push(' ');
                at = b;
            }
            rest.push_str(&text_[at..]);
            text::word_count(&rest)
        };
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

/// The labels of a date that says when the story was last touched, in
/// English, Persian and Arabic: "Last updated", "Modified", "آخرین
/// به‌روزرسانی", "به‌روز شده", "آخر تحديث", "تم التحديث". Their words are
/// apart by a space or a zero-width non-joiner, which may also be left out
/// ("به‌روز‌رسانی" is "به‌روزرسانی" and "به روز رسانی" too). Read by a line
/// that is only such a date ([`UPDATE_LABEL`]) and by a byline's date
/// ([`DATE_LABELS`]).
const UPDATE_LABELS: &[&str] = &[
    "updated",
    "last updated",
    "modified",
    "last modified",
    "edited",
    "last edited",
    "به‌روز شده",
    "بروز شده",
    "به روز شده",
    "به‌روز‌رسانی",
    "بروز‌رسانی",
    "آخرین به‌روز شده",
    "آخرین بروز شده",
    "آخرین به‌روز‌رسانی",
    "آخرین بروز‌رسانی",
    "تحديث",
    "آخر تحديث",
    "تم التحديث",
    "تم تحديث الخبر",
    "تم تحديث هذا الخبر",
    "تم تحديث المقال",
    "تم تحديث هذا المقال",
    "تم تحديث الصفحة",
    "محدث",
];

/// The labels of a date that says when the story was first published (see
/// [`DATE_LABELS`]).
const PUBLISH_LABELS: &[&str] = &[
    "published",
    "first published",
    "posted",
    "منتشر شده",
    "منتشرشده",
    "انتشار",
    "تاریخ انتشار",
    "زمان انتشار",
    "نشر",
    "نشر بتاريخ",
    "تاريخ النشر",
];

/// Words that may stand between a date label and its date: "Updated on 12
/// March", "منتشر شده در ۲۴ اردیبهشت", "نشر في ١٢ مارس".
const DATE_LINKS: &[&str] = &["on", "at", "در", "في"];

/// The label of a line that says when the story was last touched
/// ([`UPDATE_LABELS`], then maybe one of [`DATE_LINKS`]): "Last updated",
/// "Updated on", "Modified", "آخرین به‌روزرسانی", "به‌روز شده", "آخر تحديث",
/// "تم التحديث". (Not "Published": a publication date that moves can be a
/// story backdated.)
static UPDATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
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
fn without_neutralised<'a>(text_: &'a str, rules: &Rules) -> std::borrow::Cow<'a, str> {
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
pub fn compare<'a>(old: &'a Document, new: &'a Document, rules: &Rules) -> Option<Change> {
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

/// The comparison keys of some texts, one a line, for finding a block among them.
fn joined_keys<'a>(texts: impl IntoIterator<Item = &'a str>, rules: &Rules) -> String {
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
fn contains_words(joined: &str, key: &str, part: bool) -> bool {
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
/// the article or in it. A baseline that kept no other prose (written by an
/// older version, or by hand) has nothing to compare.
fn other_prose_changes(old: &Document, new: &Document, rules: &Rules) -> Vec<ProseChange> {
    if old.other_prose.is_empty() {
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

/// A headline or byline change, decided on what the reader sees: the one
/// shown on the page when both versions show one; else each source both
/// versions declare (`<title>`, the same meta tag, JSON-LD) compared with
/// itself. A
/// source that appears or disappears (JSON-LD dropped, the headline falling
/// back to the `<title>`) is not a change. A baseline that kept no sources
/// (written by an older version) changed only when its value is none of the
/// new page's.
fn sourced_change(
    old: (Option<&str>, &Sources),
    new: (Option<&str>, &Sources),
    key: &dyn Fn(&str) -> String,
) -> Option<(String, String)> {
    let ((old_value, old_sources), (new_value, new_sources)) = (old, new);
    // What a version says: its first source, else its value.
    let first = |s: &'_ Sources, v: Option<&'_ str>| -> Option<String> {
        s.iter()
            .next()
            .map(|(_, x)| x.to_string())
            .or(v.map(str::to_string))
    };
    if old_sources.is_empty() || new_sources.is_empty() {
        let (known, value) = if old_sources.is_empty() {
            (new_sources, old_value)
        } else {
            (old_sources, new_value)
        };
        let value = key(value?);
        if known.iter().any(|(_, v)| key(v) == value) {
            return None;
        }
        return differs(
            first(old_sources, old_value).as_deref(),
            first(new_sources, new_value).as_deref(),
            key,
        );
    }
    // What the reader sees on the page, when both versions show it.
    if let (Some(o), Some(n)) = (
        old_sources.get(Source::Shown),
        new_sources.get(Source::Shown),
    ) {
        return differs(Some(o), Some(n), key);
    }
    // Else what the page declares, source with source; meta tags tag with
    // tag (which one is read shifts when og:title appears beside `title`).
    let mut common = false;
    for s in [Source::DocumentTitle, Source::Meta, Source::JsonLd] {
        if s == Source::Meta && !old_sources.same_meta_tag(new_sources) {
            continue;
        }
        if let (Some(o), Some(n)) = (old_sources.get(s), new_sources.get(s)) {
            common = true;
            if let Some(change) = differs(Some(o), Some(n), key) {
                return Some(change);
            }
        }
    }
    if common {
        return None;
    }
    // No source in common: changed only when no value matches any other.
    let new_keys: Vec<String> = new_sources.iter().map(|(_, v)| key(v)).collect();
    if old_sources.iter().any(|(_, v)| new_keys.contains(&key(v))) {
        return None;
    }
    differs(
        first(old_sources, old_value).as_deref(),
        first(new_sources, new_value).as_deref(),
        key,
    )
}

/// The summary of the safety net's changes.
fn prose_summary(changes: &[ProseChange], s: &Stats) -> String {
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

/// How far ahead in a replaced region an old paragraph looks for its edited
/// self: an edit stays near its place, and the bound keeps a page whose
/// paragraphs all changed from costing |old| × |new| comparisons.
const PAIR_WINDOW: usize = 12;

/// Pairs blocks of a replaced region by similarity (in order); unpaired
/// blocks are removed or added.
fn pair_region(
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
const MOVED_EDIT_SIMILARITY: f64 = 0.5;

/// The most removed × added paragraph comparisons made looking for
/// paragraphs moved and edited.
const MOVED_EDIT_MAX_COMPARISONS: usize = 10_000;

/// How much a figure (a word with a digit, in any script: "12", "3.5",
/// "۱۴۰۳") weighs in
/// [`WordBag::similarity`] against a word of letters. A short block is
/// known by its words, not its figures: a table row "Khuzestan 12 3" whose
/// figures were updated ("Khuzestan 15 4") is that row edited, and the row
/// of another province with the same figures ("Ilam 12 3") is not it.
const FIGURE_WEIGHT: f64 = 0.25;

/// The words of a block key with their counts.
struct WordBag<'a> {
    counts: HashMap<&'a str, u32>,
    /// The words' total weight ([`WordBag::weight`]).
    len: f64,
}

impl<'a> WordBag<'a> {
    fn new(key: &'a str) -> WordBag<'a> {
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
    fn similarity(&self, other: &WordBag) -> f64 {
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
fn most_similar(scores: impl Iterator<Item = (usize, f64)>, min: f64) -> Option<(usize, f64)> {
    scores
        .filter(|(_, s)| *s >= min)
        .fold(None, |best, (j, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((j, s)),
        })
}

/// A word token of a block: its display text (word plus following
/// punctuation and space) and its comparison key.
struct Token<'a> {
    text: &'a str,
    key: String,
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
            let key = if ignored.iter().any(|&(a, b)| at >= a && at < b) {
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
            });
            at += unit.len();
        }
    }
    out
}

fn unicode_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
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

/// A headline or page title that says the page is not there: "Page not
/// found", "404", "Sorry, we couldn't find that page", "صفحه مورد نظر یافت
/// نشد", "الصفحة غير موجودة". Matched in comparison form
/// ([`text::compare_key`]: Persian yeh and kaf, ASCII digits, "?" for "؟").
static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?ix)
        \b(page|article|story|content|post)\b[^.!?]{0,40}\b(not|no\ longer|cannot|can[’']?t|couldn[’']?t|could\ not)\ (be\ )?(found|exists?|available)\b
        | \b(couldn[’']?t|could\ not|can[’']?t|cannot)\ find\ (the|that|this|your)\ (page|article|story)
        | \bpage\ (does\ not|doesn[’']?t)\ exist
        | ^\W*(error\W*)?404\b | \b404\W{0,3}(error|not\ found|page)\b | ^\W*not\ found\W*$
        | صفحه[^.!?]{0,30}(یافت\ نشد|پیدا\ نشد|وجود\ ندارد)
        | (خطای|خطا|خطأ)\s*404
        | الصفحة[^.!?]{0,30}غیر\ (موجودة|متوفرة|متاحة)
        | لم\ (یتم\ العثور|نعثر)\ علی\ (الصفحة|المحتوی|المقال)
    ").expect("static regex")
});

/// The title of a bot check, access wall or JavaScript-or-cookie wall, the
/// whole title (its first part, before a " | " or " - " naming the site or
/// the vendor): "Just a moment...", "Attention Required! | Cloudflare",
/// "Access denied", "Pardon Our Interruption", "Are you a robot?". A
/// headline that only starts so ("Access denied to reporters at the
/// ministry") is not one. Matched in comparison form.
static WALL_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?ix)
        ^\W*(
            just\ a\ moment | one\ (more\ )?moment,?\ please | please\ wait
            | attention\ required | access\ (to\ this\ page\ (has\ been\ )?)?denied | (403\W*)?forbidden
            | pardon\ our\ interruption | one\ more\ step | request\ (blocked|rejected|unsuccessful)
            | are\ you\ a\ (robot|human|bot) | human\ verification | (security|bot|browser)\ (check|verification)
            | verify(ing)?\ (that\ )?you\ are\ (a\ )?human | (re)?captcha | ddos[-\ ]guard
            | checking\ your\ browser | you\ have\ been\ blocked
            | (من\ )?ربات\ نیستم | لست\ برنامج\ روبوت
        )\W*$
    ").expect("static regex")
});

/// What only a bot check, access wall or JavaScript-or-cookie wall says in
/// its text: "Checking if the site connection is secure", "Enable
/// JavaScript and cookies to continue", "Please verify you are a human",
/// "I'm not a robot" (reCAPTCHA's label, also in Persian and Arabic).
/// Matched in comparison form. A story may quote any of these: the text
/// counts only on a page with almost no prose that lost the story
/// ([`stand_in`]). What ordinary pages say too ("Please enable JavaScript
/// to view the comments", "access was denied") is not here.
static WALL_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        checking\ (if\ the\ site\ connection\ is\ secure|your\ browser\ before\ accessing)
        | needs\ to\ review\ the\ security\ of\ your\ connection
        | \benable\ (javascript|cookies|js)(\ and\ (javascript|cookies))?\ (to|in\ order\ to)\ (continue|proceed)\b
        | \b(verify|confirm|prove)\ (that\ )?you\ are\ (a\ )?(human|not\ a\ (robot|bot))\b
        | \bi[’']?m\ not\ a\ robot\b | \bcomplete\ the\ (security\ check|captcha)\b
        | \bunusual\ traffic\ from\ your\ (computer\ )?network
        | \bsorry,\ you\ have\ been\ blocked\b | \baccess\ to\ this\ page\ has\ been\ denied\b
        | \bperformance\ &\ security\ by\ cloudflare\b | \bray\ id:
        | ربات\ نیستم | لست\ برنامج\ روبوت
    ",
    )
    .expect("static regex")
});

/// The markup of a challenge, as CDN and bot-management vendors publish it
/// (their product's markup, not a site's), in the challenge page only:
/// Cloudflare's challenge options, tokens, form and orchestration script
/// (`_cf_chl_opt`, `__cf_chl_…`, `cf-challenge`, `challenge-form`,
/// `/cdn-cgi/challenge-platform/h/…/orchestrate/`), DataDome's captcha
/// frame, PerimeterX's captcha box, and a form that posts to a challenge or
/// captcha URL. Not the scripts and widgets ordinary pages carry too
/// (Cloudflare's `challenge-platform/scripts/jsd`, reCAPTCHA, hCaptcha and
/// Turnstile in a comment form, Imperva's injected script).
static WALL_MARKUP: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(
        r#"(?i)_cf_chl_|\bcf-challenge|\bchallenge-form\b|/cdn-cgi/challenge-platform/h/[^"'\s]*/orchestrate/|captcha-delivery\.com|\bpx-captcha\b|<form\b[^>]*\baction\s*=\s*["'][^"']*(challenge|captcha)"#,
    )
    .expect("static regex")
});

/// Words of prose, at most, on a page that stands in for a story as a wall:
/// a bot check says a sentence or two (Cloudflare's, 30 words); any story
/// says more.
const WALL_MAX_WORDS: usize = 150;

/// What a page served in place of an article is, when it is no version of
/// it ([`stand_in`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StandIn {
    /// A "not found" page (a "soft 404"), with the words it says that with:
    /// the story is taken down.
    NotFound(String),
    /// A bot check, access wall or JavaScript-or-cookie wall, named by its
    /// title (or, untitled, by what it says): the site did not let
    /// presswatch read the page, a failed check.
    Wall(String),
}

/// Whether a page with the document `new` (its extracted text) and the body
/// `markup` (the HTML as served) stands in for the story `old` (its
/// accepted version; `None` on a watch's first check) rather than being a
/// version of it:
///
/// - a "not found" page: a headline or title that says the page is not
///   there, and at most a fifth of the story's paragraphs left;
/// - a wall: almost no prose ([`WALL_MAX_WORDS`]), at most a fifth of the
///   story's paragraphs left, and what gives a wall away: its title
///   ([`WALL_TITLE`]), its text ([`WALL_TEXT`]) or a challenge's markup
///   ([`WALL_MARKUP`]). With no story yet, only its title or markup does.
///
/// A story whose headline says either from the start is a story.
pub fn stand_in(new: &Document, old: Option<&Document>, markup: &[u8]) -> Option<StandIn> {
    // A wall's title may name the site or the vendor after its own words.
    let titled = |d: &Document, re: &Regex, parts: bool| {
        [d.headline(), d.title.as_deref()]
            .into_iter()
            .flatten()
            .find(|t| {
                let t = text::compare_key(t);
                re.is_match(&t) || (parts && re.is_match(first_part(&t)))
            })
            .map(str::to_string)
    };
    if old.is_some_and(|old| old.blocks.is_empty()) {
        return None;
    }
    // The cheap tests first: most pages that changed are neither.
    if let Some(old) = old {
        if let Some(said) = titled(new, &NOT_FOUND, false) {
            let stands_in = titled(old, &NOT_FOUND, false).is_none() && lost(new, old);
            return stands_in.then_some(StandIn::NotFound(said));
        }
    }
    let prose = || {
        new.blocks
            .iter()
            .map(|b| b.text.as_str())
            .chain(new.other_prose.iter().map(|p| p.text.as_str()))
    };
    let mut words = 0;
    for p in prose() {
        words += text::diff_word_count(p);
        if words > WALL_MAX_WORDS {
            return None;
        }
    }
    let said = || {
        prose().find_map(|p| {
            WALL_TEXT
                .find(&text::compare_key(p))
                .map(|m| m.as_str().to_string())
        })
    };
    let name = |fallback: Option<String>| {
        new.title
            .clone()
            .or_else(|| new.headline().map(str::to_string))
            .or(fallback)
            .unwrap_or_else(|| "untitled".into())
    };
    // With no story yet, what a page says is no proof: a wall's title or
    // markup is.
    let wall = titled(new, &WALL_TITLE, true)
        .or_else(|| old.and_then(|_| said()).map(|said| name(Some(said))))
        .or_else(|| WALL_MARKUP.is_match(markup).then(|| name(said())))?;
    if let Some(old) = old {
        if titled(old, &WALL_TITLE, true).is_some() || !lost(new, old) {
            return None;
        }
    }
    Some(StandIn::Wall(wall))
}

/// A title's first part, before a " | ", " - ", " – ", " — " or " :: "
/// that names the site or the vendor ("Attention Required! | Cloudflare").
fn first_part(title: &str) -> &str {
    [" | ", " - ", " – ", " — ", " :: ", " · "]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .map_or(title, |at| &title[..at])
}

/// Whether at most a fifth of the story's paragraphs are still on the page.
fn lost(new: &Document, old: &Document) -> bool {
    let rules = Rules::default();
    let kept: HashSet<String> = new
        .blocks
        .iter()
        .map(|b| keyed(&b.text, &rules).key)
        .collect();
    let left = old
        .blocks
        .iter()
        .filter(|b| kept.contains(&keyed(&b.text, &rules).key))
        .count();
    left * 5 <= old.blocks.len()
}

/// The share of a story's text a page must still carry to be that story
/// ([`same_story`]). Generous: a story retitled and edited on its way to a
/// new address (paragraphs rewritten, added or cut) keeps far more, while
/// a section page or another story carries at most a teaser of it (its
/// opening sentence, a fifth of a short story at most).
const SAME_STORY_SHARE: f64 = 0.35;

/// Characters in each run of text [`same_story`] looks for: about two
/// words, so that a page on the same subject (names, places) does not pass
/// for the story while the story's own sentences do, in any script.
const SHINGLE_CHARS: usize = 12;

/// The fewest runs of text a story must hold for [`same_story`] to measure
/// it: a story shorter than a sentence is taken for the same.
const MIN_STORY_RUNS: usize = 12;

/// Whether the page `new` (found at another address the article's URL now
/// redirects to) still carries the story `old` held: at least
/// [`SAME_STORY_SHARE`] of the story's text (its paragraphs, as runs of
/// [`SHINGLE_CHARS`] characters in comparison form, so that Persian and
/// Arabic spelling variants and spacing are the same text) is found in the
/// page's article or in its other prose. The headline is not counted: a
/// story gets a new slug mostly because it was retitled. A section front, a
/// tag page or another story behind the redirect is not the story: the
/// story is gone from where it was cited. A story too short to measure is
/// taken for the same.
pub fn same_story(old: &Document, new: &Document) -> bool {
    let rules = Rules::default();
    // Each run of characters as a 64-bit hash: a page of megabytes makes
    // millions of runs, which as strings would take hundreds of megabytes.
    let run_hash = |run: &[char]| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        run.hash(&mut h);
        h.finish()
    };
    let shingles = |texts: &mut dyn Iterator<Item = &str>| -> HashSet<u64> {
        let mut out = HashSet::new();
        for t in texts {
            let chars: Vec<char> = keyed(t, &rules).key.chars().collect();
            if chars.iter().all(|c| c.is_whitespace()) {
                continue;
            }
            if chars.len() <= SHINGLE_CHARS {
                out.insert(run_hash(&chars));
                continue;
            }
            out.extend(
                chars
                    .windows(SHINGLE_CHARS)
                    .filter(|w| !w.iter().all(|c| c.is_whitespace()))
                    .map(run_hash),
            );
        }
        out
    };
    let story = shingles(&mut old.blocks.iter().map(|b| b.text.as_str()));
    if story.len() < MIN_STORY_RUNS {
        return true;
    }
    let page = shingles(
        &mut new
            .blocks
            .iter()
            .map(|b| b.text.as_str())
            .chain(new.other_prose.iter().map(|p| p.text.as_str())),
    );
    let kept = story.iter().filter(|s| page.contains(*s)).count();
    kept as f64 >= SAME_STORY_SHARE * story.len() as f64
}

/// Whether `new` is `old` with the characters an earlier reading could not
/// decode (each U+FFFD: a page in a legacy encoding read as the UTF-8 its
/// server claimed) now read, and nothing else changed: the same headline,
/// byline and paragraphs, character for character, but where `old` has
/// U+FFFD. The page did not change; its reading did.
pub fn only_undecoded_characters_read(old: &Document, new: &Document) -> bool {
    let texts = |d: &Document| -> Vec<String> {
        let mut out = vec![
            d.headline().unwrap_or_default().to_string(),
            d.byline.clone().unwrap_or_default(),
        ];
        out.extend(d.blocks.iter().map(|b| b.text.clone()));
        out
    };
    let (a, b) = (texts(old), texts(new));
    a.iter().any(|t| t.contains('\u{FFFD}'))
        && a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            x.chars().count() == y.chars().count()
                && x.chars()
                    .zip(y.chars())
                    .all(|(p, q)| p == q || p == '\u{FFFD}')
        })
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
    for op in word_ops(&ak, &bk) {
        match op {
            DiffOp::Equal { new_index, len, .. } => {
                for t in &b[new_index..new_index + len] {
                    push(SegmentOp::Same, t.text);
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for t in &a[old_index..old_index + old_len] {
                    push(
                        if t.key.is_empty() {
                            SegmentOp::Same
                        } else {
                            SegmentOp::Removed
                        },
                        t.text,
                    );
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for t in &b[new_index..new_index + new_len] {
                    push(
                        if t.key.is_empty() {
                            SegmentOp::Same
                        } else {
                            SegmentOp::Added
                        },
                        t.text,
                    );
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let (old_words, new_words) = (
                    &a[old_index..old_index + old_len],
                    &b[new_index..new_index + new_len],
                );
                // Only the spaces inside Persian/Arabic words moved (سه شنبه,
                // سه‌شنبه): the same text.
                let joined = |ts: &[Token]| {
                    let words: Vec<&str> = ts.iter().map(|t| t.key.as_str()).collect();
                    crate::text::joined_script(&words.join(" ")).into_owned()
                };
                if joined(old_words) == joined(new_words) {
                    for t in new_words {
                        push(SegmentOp::Same, t.text);
                    }
                    continue;
                }
                for t in old_words {
                    push(
                        if t.key.is_empty() {
                            SegmentOp::Same
                        } else {
                            SegmentOp::Removed
                        },
                        t.text,
                    );
                }
                for t in new_words {
                    push(
                        if t.key.is_empty() {
                            SegmentOp::Same
                        } else {
                            SegmentOp::Added
                        },
                        t.text,
                    );
                }
            }
        }
    }
    segs
}

/// Old and new text, when their `key`s differ.
fn differs(
    old: Option<&str>,
    new: Option<&str>,
    key: &dyn Fn(&str) -> String,
) -> Option<(String, String)> {
    let (o, n) = (old.unwrap_or(""), new.unwrap_or(""));
    // A side that is unknown (e.g. a hand-written baseline without header) is not a change.
    if o.is_empty() || n.is_empty() {
        return None;
    }
    (key(o) != key(n)).then(|| (o.to_string(), n.to_string()))
}

/// What a byline is compared by: its words without the date a byline line
/// often carries ("By Jane Doe - June 12, 2025", "۲۴ اردیبهشت ۱۴۰۳"), which
/// moves whenever the story is touched, and without the label that says
/// which date it is ("Published: 11 Mar 2026" becoming "Updated: 12 Mar
/// 2026", "منتشر شده", "به‌روز شده", "نشر في", "آخر تحديث": see
/// [`DATE_LABELS`]). Dropped are words with a digit, month and weekday names
/// next to one (or next to a month or weekday so dropped), and a date label
/// just before the date (an "on", "at", "در" or "في" may come between);
/// "Theresa May" keeps its "May", and "Updated" that labels no date stays.
fn byline_key(text_: &str, rules: &Rules) -> String {
    let key = keyed(text_, rules).words;
    let words: Vec<&str> = key.split(' ').collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut dropped: Vec<bool> = words
        .iter()
        .map(|w| w.chars().any(|c| c.is_numeric()))
        .collect();
    // Month and weekday names next to a date are part of it.
    loop {
        let mut grown = false;
        for i in 0..words.len() {
            let next_to_date = (i > 0 && dropped[i - 1]) || dropped.get(i + 1) == Some(&true);
            if !dropped[i]
                && next_to_date
                && (MONTHS.contains(lower[i].as_str()) || WEEKDAYS.contains(lower[i].as_str()))
            {
                dropped[i] = true;
                grown = true;
            }
        }
        if !grown {
            break;
        }
    }
    // The label just before a date.
    for i in 0..words.len() {
        if !dropped[i] || (i > 0 && dropped[i - 1]) {
            continue;
        }
        let mut end = i;
        if end > 0 && LABEL_LINKS.contains(&lower[end - 1]) {
            end -= 1;
        }
        let label = DATE_LABELS
            .iter()
            .filter(|l| l.len() <= end && lower[end - l.len()..end] == l[..])
            .map(Vec::len)
            .max();
        if let Some(n) = label {
            dropped[end - n..i].iter_mut().for_each(|d| *d = true);
        }
    }
    let words = words
        .iter()
        .zip(&dropped)
        .filter(|(_, &d)| !d)
        .map(|(w, _)| *w)
        .collect::<Vec<_>>()
        .join(" ");
    crate::text::joined_script(&words).into_owned()
}

/// [`DATE_LINKS`] in comparison form.
static LABEL_LINKS: LazyLock<Vec<String>> =
    LazyLock::new(|| DATE_LINKS.iter().copied().map(text::compare_key).collect());

/// The labels a byline line gives its date with ([`PUBLISH_LABELS`],
/// [`UPDATE_LABELS`]), each as its words lower-cased in comparison form
/// ([`text::compare_key`], so that به‌روز and بروز, نُشر and نشر are one).
static DATE_LABELS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    PUBLISH_LABELS
        .iter()
        .chain(UPDATE_LABELS)
        .map(|l| {
            text::diff_words(&text::compare_key(l))
                .map(str::to_lowercase)
                .collect()
        })
        .collect()
});

/// Weekday names, lower-cased and folded as compared: English (and their
/// short forms), Persian and Arabic.
static WEEKDAYS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "شنبه",
        "یکشنبه",
        "دوشنبه",
        "سه‌شنبه",
        "چهارشنبه",
        "پنجشنبه",
        "پنج‌شنبه",
        "جمعه",
        "السبت",
        "الأحد",
        "الاثنين",
        "الثلاثاء",
        "الأربعاء",
        "الخميس",
        "الجمعة",
    ]
    .into_iter()
    .map(text::compare_key)
    .collect()
});

/// Month names, lower-cased and folded as compared ([`text::compare_key`]):
/// English (and their short forms), the Persian solar and Gregorian months,
/// and the Arabic Gregorian and Levantine ones.
static MONTHS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "فروردین",
        "اردیبهشت",
        "خرداد",
        "تیر",
        "مرداد",
        "شهریور",
        "مهر",
        "آبان",
        "آذر",
        "دی",
        "بهمن",
        "اسفند",
        "ژانویه",
        "فوریه",
        "مارس",
        "آوریل",
        "مه",
        "ژوئن",
        "ژوئیه",
        "اوت",
        "سپتامبر",
        "اکتبر",
        "نوامبر",
        "دسامبر",
        "يناير",
        "فبراير",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
        "كانون",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين",
    ]
    .into_iter()
    .map(text::compare_key)
    .collect()
});

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
                for seg in segments {
                    match seg.op {
                        SegmentOp::Added => s.words_added += text::part_word_count(&seg.text),
                        SegmentOp::Removed => s.words_removed += text::part_word_count(&seg.text),
                        SegmentOp::Same => {}
                    }
                }
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
                let w = segments
                    .iter()
                    .filter(|g| g.op == SegmentOp::Added)
                    .map(|g| text::part_word_count(&g.text))
                    .sum::<usize>()
                    .max(
                        segments
                            .iter()
                            .filter(|g| g.op == SegmentOp::Removed)
                            .map(|g| text::part_word_count(&g.text))
                            .sum::<usize>(),
                    );
                Some((*new_index + 1, w))
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
    use crate::document::{Block, Prose};

    fn doc(title: &str, paras: &[&str]) -> Document {
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
    fn whitespace_punctuation_and_variants_are_not_changes() {
        let a = doc("T", &["He said: “I chose exile.”", "كتاب جديد"]);
        let b = doc("T", &["He said \"I chose  exile\"", "کتاب جدید"]);
        assert_eq!(compare(&a, &b, &Rules::default()), None);
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
    fn a_not_found_page_in_place_of_the_story_is_told_apart_from_a_story_about_one() {
        let story = doc(
            "Journalist arrested in Tehran",
            &[
                "A journalist was arrested at her home on Tuesday.",
                "Her family says no warrant was shown.",
                "Press freedom groups condemned the arrest.",
            ],
        );
        for (headline, text) in [
            ("Page not found", "Try our search."),
            ("404", "Sorry, we couldn't find that page."),
            (
                "Oops! That page can’t be found.",
                "It looks like nothing was found at this location.",
            ),
            (
                "صفحه مورد نظر یافت نشد",
                "ممکن است نشانی را اشتباه وارد کرده باشید.",
            ),
            ("الصفحة غير موجودة", "ربما تم نقل الصفحة أو حذفها."),
        ] {
            let page = doc(headline, &[text]);
            assert_eq!(
                stand_in(&page, Some(&story), b""),
                Some(StandIn::NotFound(headline.into())),
                "{headline}"
            );
        }
        // A story that keeps its paragraphs is still there, whatever its
        // headline says now; one that was about a missing page from the
        // start is a story.
        let retitled = doc(
            "Journalist's body not found, family says",
            &story
                .blocks
                .iter()
                .map(|b| b.text.as_str())
                .collect::<Vec<_>>(),
        );
        assert_eq!(stand_in(&retitled, Some(&story), b""), None);
        let about = doc(
            "Government page not found after hack",
            &["The ministry's site went dark."],
        );
        let gone = doc("Page not found", &["Try our search."]);
        assert_eq!(stand_in(&gone, Some(&about), b""), None);
        // A story rewritten under a new headline is an edit, not a takedown.
        let rewritten = doc("Journalist freed", &["She was released on bail tonight."]);
        assert_eq!(stand_in(&rewritten, Some(&story), b""), None);
    }

    #[test]
    fn a_bot_check_in_place_of_the_story_is_a_wall_and_a_story_about_one_is_a_story() {
        let story = doc(
            "Journalist arrested in Tehran",
            &[
                "A journalist was arrested at her home on Tuesday.",
                "Her family says no warrant was shown.",
                "Press freedom groups condemned the arrest.",
            ],
        );
        let persian = doc(
            "بازداشت روزنامه‌نگار در تهران",
            &[
                "یک روزنامه‌نگار روز سه‌شنبه در خانه‌اش بازداشت شد.",
                "خانواده او می‌گویند هیچ حکمی نشان داده نشد.",
            ],
        );
        let cloudflare = br#"<form id="challenge-form" action="/news?__cf_chl_f_tk=Xq" method="POST"></form><script src="/cdn-cgi/challenge-platform/h/g/orchestrate/managed/v1"></script>"#;
        let wall = |title: &str, text: &str| doc(title, &[text]);
        // Walls by their title, whatever language the story was in.
        for (page, old) in [
            (
                wall(
                    "Just a moment...",
                    "Checking if the site connection is secure",
                ),
                &story,
            ),
            (
                wall(
                    "Just a moment\u{2026}",
                    "Enable JavaScript and cookies to continue",
                ),
                &persian,
            ),
            (
                wall(
                    "Attention Required! | Cloudflare",
                    "Sorry, you have been blocked",
                ),
                &story,
            ),
            (
                wall(
                    "Access Denied",
                    "You don't have permission to access this server.",
                ),
                &story,
            ),
            (
                wall(
                    "Pardon Our Interruption",
                    "Something about your browser made us think you were a bot.",
                ),
                &persian,
            ),
        ] {
            let title = page.title.clone().unwrap();
            assert_eq!(
                stand_in(&page, Some(old), b""),
                Some(StandIn::Wall(title.clone())),
                "{title}"
            );
        }
        // By what it says, named by its title; by a challenge's markup alone.
        let untitled = wall("example.com", "Please verify you are a human to continue.");
        assert_eq!(
            stand_in(&untitled, Some(&story), b""),
            Some(StandIn::Wall("example.com".into()))
        );
        let quiet = wall("example.com", "example.com");
        assert_eq!(stand_in(&quiet, Some(&story), b""), None);
        assert_eq!(
            stand_in(&quiet, Some(&story), cloudflare),
            Some(StandIn::Wall("example.com".into()))
        );
        // With no story yet, a wall's title or markup gives it away, and
        // what it says alone does not.
        let cf = wall(
            "Just a moment...",
            "Checking if the site connection is secure",
        );
        assert_eq!(
            stand_in(&cf, None, b""),
            Some(StandIn::Wall("Just a moment...".into()))
        );
        assert_eq!(
            stand_in(&quiet, None, cloudflare),
            Some(StandIn::Wall("example.com".into()))
        );
        assert_eq!(stand_in(&untitled, None, b""), None);

        // A story that keeps its paragraphs is the story, whatever it quotes.
        let mut quoting = story.clone();
        quoting.blocks.push(Block::paragraph(
            "The ministry's site now asks visitors: “Please verify you are a human.”",
        ));
        assert_eq!(stand_in(&quoting, Some(&story), cloudflare), None);
        // A short story rewritten to mention a captcha, or under a headline
        // that starts like a wall's title, is an edit.
        let captcha = doc(
            "Access denied to reporters at the ministry",
            &["Reporters were turned away and told to solve a captcha on the ministry's new site."],
        );
        assert_eq!(stand_in(&captcha, Some(&story), b""), None);
        // What ordinary pages carry too gives no wall away: Cloudflare's
        // detection script, a comment form's captcha, a comments box that
        // needs JavaScript.
        let ordinary = br#"<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script><div class="g-recaptcha" data-sitekey="x"></div>"#;
        let brief = doc(
            "Ministry closes press office",
            &[
                "The ministry closed its press office on Monday.",
                "Please enable JavaScript to view the comments.",
            ],
        );
        assert_eq!(stand_in(&brief, Some(&story), ordinary), None);
        assert_eq!(stand_in(&brief, None, ordinary), None);
        // A story replaced by a long page is no wall, whatever it says.
        let long = "Enable JavaScript and cookies to continue reading our coverage of the trial, which resumed on Monday with testimony from three witnesses. ".repeat(8);
        assert_eq!(
            stand_in(&wall("Just a moment...", &long), Some(&story), cloudflare),
            None
        );
        // A story titled like a wall from the start is a story.
        let about = doc("Just a moment...", &["A short story."]);
        assert_eq!(
            stand_in(
                &wall("Just a moment...", "Another short story."),
                Some(&about),
                b""
            ),
            None
        );
    }

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

    fn sourced(shown: Option<&str>, meta: Option<&str>, json_ld: Option<&str>) -> Sources {
        Sources {
            shown: shown.map(str::to_string),
            meta: meta.map(str::to_string),
            json_ld: json_ld.map(str::to_string),
            ..Sources::default()
        }
    }

    #[test]
    fn a_headline_source_that_appears_or_disappears_is_not_a_change() {
        let body = ["Story text stays the same."];
        let mut old = doc("Director flees", &body);
        old.headline_sources = sourced(
            Some("Director flees"),
            Some("Director flees | News"),
            Some("Director flees"),
        );
        old.byline_sources = sourced(Some("By Jane Doe"), None, Some("Jane Doe"));
        old.byline = Some("Jane Doe".into());
        // JSON-LD dropped: the declared headline falls back to the meta tag.
        let mut new = doc("Director flees | News", &body);
        new.headline_sources = sourced(Some("Director flees"), Some("Director flees | News"), None);
        new.byline_sources = sourced(Some("By Jane Doe"), None, None);
        new.byline = Some("By Jane Doe".into());
        assert_eq!(compare(&old, &new, &Rules::default()), None);
        assert_eq!(compare(&new, &old, &Rules::default()), None);
    }

    #[test]
    fn a_headline_change_is_decided_on_the_headline_shown() {
        let body = ["Story text stays the same."];
        let mut old = doc("Director flees", &body);
        old.headline_sources = sourced(Some("Director flees"), Some("Director flees"), None);
        // Only the visible headline changed: the meta tag lags behind.
        let mut new = old.clone();
        new.headline_sources.shown = Some("Director flees to Europe".into());
        let c = compare(&old, &new, &Rules::default()).unwrap();
        assert_eq!(c.kinds, vec![ChangeKind::HeadlineChanged]);
        assert_eq!(
            c.headline,
            Some(("Director flees".into(), "Director flees to Europe".into()))
        );
        // Only a source the reader does not see changed.
        let mut seo = old.clone();
        seo.headline_sources.meta = Some("Director flees: what we know".into());
        assert_eq!(compare(&old, &seo, &Rules::default()), None);
    }

    #[test]
    fn a_meta_tag_read_in_place_of_another_is_not_a_change() {
        let body = ["Story text stays the same."];
        let mut old = doc("Buying guide", &body);
        old.headline_sources = Sources {
            document_title: Some("Buying guide".into()),
            meta: Some("Buying guide".into()),
            meta_tag: Some("title".into()),
            ..Sources::default()
        };
        // og:title appears, with the site's name, and is read first.
        let mut new = old.clone();
        new.headline_sources.meta = Some("Buying guide - Example Reports".into());
        new.headline_sources.meta_tag = Some("og:title".into());
        assert_eq!(compare(&old, &new, &Rules::default()), None);
        // The same tag, changed, is a change.
        let mut edited = old.clone();
        edited.headline_sources.meta = Some("Buying guide for 2027".into());
        let c = compare(&old, &edited, &Rules::default()).unwrap();
        assert_eq!(c.kind(), ChangeKind::HeadlineChanged);
        // A baseline that did not say which tag it read compares as before.
        let mut older = old.clone();
        older.headline_sources.meta_tag = None;
        let c = compare(&older, &edited, &Rules::default()).unwrap();
        assert_eq!(c.kind(), ChangeKind::HeadlineChanged);
    }

    #[test]
    fn a_date_in_the_byline_line_moving_is_not_a_byline_change() {
        let body = ["Story text stays the same."];
        let with_byline = |line: &str| {
            let mut d = doc("Director flees", &body);
            d.byline_sources = sourced(Some(line), None, None);
            d.byline = Some(line.to_string());
            d
        };
        let rules = Rules::default();
        let old = with_byline("By Jane Doe - June 12, 2025");
        assert_eq!(
            compare(&old, &with_byline("By Jane Doe - July 3, 2025"), &rules),
            None
        );
        let old_fa = with_byline("سارا احمدی ۲۴ اردیبهشت ۱۴۰۳");
        let new_fa = with_byline("سارا احمدی ۲ خرداد ۱۴۰۳");
        assert_eq!(compare(&old_fa, &new_fa, &rules), None);
        // A changed name is a change, a month-named author too.
        let c = compare(&old, &with_byline("By John Roe - June 12, 2025"), &rules).unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
        let may = with_byline("By Theresa May");
        let c = compare(&may, &with_byline("By Theresa"), &rules).unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
    }

    #[test]
    fn a_date_label_beside_the_byline_date_changing_is_not_a_byline_change() {
        let body = ["Story text stays the same."];
        let with_byline = |line: &str| {
            let mut d = doc("Director flees", &body);
            d.byline_sources = sourced(Some(line), None, None);
            d.byline = Some(line.to_string());
            d
        };
        let rules = Rules::default();
        for (old, new) in [
            (
                "TopGear.com Published: 11 Mar 2026",
                "TopGear.com Updated: 12 Mar 2026",
            ),
            (
                "By Jane Doe, first published on Wednesday 11 March 2026",
                "By Jane Doe, last updated at Thursday 12 March 2026",
            ),
            (
                "سارا احمدی منتشر شده: ۲۴ اردیبهشت ۱۴۰۳",
                "سارا احمدی به‌روز شده: ۲۵ اردیبهشت ۱۴۰۳",
            ),
            (
                "بقلم أحمد علي - نُشر في ١٢ مارس ٢٠٢٦",
                "بقلم أحمد علي - آخر تحديث ١٣ مارس ٢٠٢٦",
            ),
        ] {
            assert_eq!(
                compare(&with_byline(old), &with_byline(new), &rules),
                None,
                "{old} → {new}"
            );
        }
        // A label that labels no date is a word of the byline; the name
        // beside a date label still counts.
        let c = compare(
            &with_byline("By Jane Doe, Updated Desk"),
            &with_byline("By Jane Doe, Published Desk"),
            &rules,
        )
        .unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
        let c = compare(
            &with_byline("By Jane Doe Published: 11 Mar 2026"),
            &with_byline("By John Roe Updated: 12 Mar 2026"),
            &rules,
        )
        .unwrap();
        assert_eq!(c.kind(), ChangeKind::BylineChanged);
    }

    #[test]
    fn a_baseline_without_sources_changes_headline_only_when_no_source_matches() {
        let body = ["Story text stays the same."];
        let old = doc("Director flees", &body);
        let mut same = doc("Director flees | News", &body);
        same.headline_sources =
            sourced(Some("Director flees"), Some("Director flees | News"), None);
        assert_eq!(compare(&old, &same, &Rules::default()), None);
        let mut changed = doc("Director reaches Europe | News", &body);
        changed.headline_sources = sourced(
            Some("Director reaches Europe"),
            Some("Director reaches Europe | News"),
            None,
        );
        let c = compare(&old, &changed, &Rules::default()).unwrap();
        assert_eq!(c.kind(), ChangeKind::HeadlineChanged);
    }

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
