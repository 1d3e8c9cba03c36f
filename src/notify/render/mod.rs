//! Rendering an alert as plain text (terminals, logs, stdout, the text part
//! of an email) and as HTML with inline CSS (mail clients). Page text is
//! always escaped.
//!
//! Both renderings show the same `Section`s: a changed headline or byline,
//! a run of added or removed paragraphs (merged, their first lines shown), a
//! changed paragraph with a few words of context around each change, a moved
//! paragraph. Paragraphs are named by the words they begin with or follow,
//! never by number. An alert shows at most [`MAX_SECTIONS`] sections and
//! about [`MAX_QUOTED_WORDS`] words of page text, then says how many more
//! changes there are and which command shows them all.
//!
//! Removed words are struck through and added words underlined (and red /
//! green), each preceded by "removed:" / "added:" for screen readers; every
//! colour pair meets WCAG AA contrast (see the tests). Right-to-left text is
//! marked with `dir`/`lang` in HTML and wrapped in Unicode isolates in text.
//!
//! This module holds the [`Context`] of a rendering and what an alert shows
//! in either form: its sections and their limits, and the lines both
//! renderings give besides them (the main link, the byline, times, the
//! commands that show what a cut alert leaves out, a takedown's kept
//! snapshot and the caption of its last text, the signature); its parts:
//!
//! - `text`: the plain-text rendering ([`text()`]), wrapped, and a chat
//!   message's ([`chat_text`]), each paragraph on one line;
//! - `html`: the HTML rendering ([`html()`], [`html_card`], [`moved_html`]):
//!   its colours, checked for contrast, the card, the sections as HTML;
//! - `digest`: several alerts as one message ([`digest_text`],
//!   [`digest_html`]), under a line that says what it holds
//!   ([`digest_summary`]);
//! - `words`: marking changed words: a changed headline's or byline's two
//!   lines, the context kept around a change, the spaces set around the
//!   words marked;
//! - `escape`: page text made safe to show: HTML escaping, links to
//!   http(s) only, language and direction marks in HTML ([`story_lang`]),
//!   Unicode isolates in text ([`isolate`]).
//!
//! Its parts import one another one way only: `digest` → `text`, `html`;
//! `text`, `html` → `words`, `escape`; `words` → `escape`.

mod digest;
mod escape;
mod html;
mod text;
mod words;

pub use digest::{digest_html, digest_summary, digest_text};
pub use escape::{escape, href, isolate, story_lang};
pub use html::{html, html_card, moved_html, DEL_STYLE, INS_STYLE};
pub use text::{chat_text, own_lines, text, KeywordMarks};

use std::path::PathBuf;
use std::sync::LazyLock;

use chrono_tz::Tz;
use regex::Regex;

use crate::alert::{Alert, AlertItem, LastKnown};
use crate::compare::{BlockChange, ChangeKind, Segment, SegmentOp};
use crate::document::ProseKind;
use crate::text::opening;
use escape::one_line;
use words::with_context;

/// What a rendering needs to know about the reader's installation.
#[derive(Debug, Clone)]
pub struct Context {
    /// Times are shown in this zone (`[daemon] timezone`), in alerts and digests alike.
    pub timezone: Tz,
    /// The config file, for the command that shows a cut change whole.
    pub config: Option<PathBuf>,
    /// Every change shown, none left out for length: `presswatch diff`,
    /// the command a cut alert names to show them all.
    pub whole: bool,
}

impl Context {
    /// The context of a config: its time zone, and its path as given.
    pub fn of(config: &crate::config::Config) -> Context {
        Context {
            timezone: config.daemon.timezone,
            config: Some(config.path.clone()),
            whole: false,
        }
    }
}

impl Default for Context {
    fn default() -> Context {
        Context {
            timezone: chrono_tz::UTC,
            config: None,
            whole: false,
        }
    }
}

/// Sections shown in one alert; the rest are counted, with the command that shows them.
pub const MAX_SECTIONS: usize = 6;
/// Words of page text quoted in one alert before further sections are only counted.
pub const MAX_QUOTED_WORDS: usize = 300;
/// Words shown of a single added or removed paragraph.
const PARAGRAPH_WORDS: usize = 60;
/// Words shown of each paragraph in a run of several (its first lines).
const RUN_LINE_WORDS: usize = 20;
/// Paragraphs shown of a run of several.
const RUN_PARAGRAPHS: usize = 4;

// ---- what an alert shows ------------------------------------------------------------

/// One thing an alert shows.
enum Section<'a> {
    /// The headline or the byline changed.
    Field {
        label: &'static str,
        old: &'a str,
        new: &'a str,
    },
    /// Consecutive paragraphs added (or removed), and the opening words of
    /// the paragraph they follow; `outside`: prose outside the detected
    /// article (the safety net), whose place in the story is not known;
    /// `kind`: what they are (outside the article, photo captions may be);
    /// `whole`: every paragraph shown in full (`presswatch diff`), not the
    /// first lines of the first few.
    Run {
        added: bool,
        paragraphs: Vec<&'a str>,
        after: Option<&'a str>,
        outside: bool,
        kind: ProseKind,
        whole: bool,
    },
    /// A paragraph (or, outside the article, a photo caption: `kind`)
    /// edited in place: its opening words (new version) and its words with
    /// long unchanged stretches trimmed.
    Changed {
        opening: String,
        words: Vec<(SegmentOp, String)>,
        kind: ProseKind,
    },
    /// A paragraph that moved, unchanged, and the opening words of the
    /// paragraph it now follows (`None`: it now opens the story).
    Moved {
        text: &'a str,
        after: Option<&'a str>,
    },
    /// The sections after it are prose of the page outside the detected
    /// article (the safety net): a change of lower confidence.
    OutsideArticle,
}

impl Section<'_> {
    /// Words of page text this section quotes.
    fn quoted_words(&self) -> usize {
        match self {
            Section::Field { old, new, .. } => {
                crate::text::diff_word_count(old) + crate::text::diff_word_count(new)
            }
            Section::Run {
                paragraphs, whole, ..
            } => run_lines(paragraphs, *whole)
                .iter()
                .map(|(shown, _)| crate::text::diff_word_count(shown))
                .sum(),
            Section::Changed { words, .. } => words
                .iter()
                .map(|(_, t)| crate::text::diff_word_count(t))
                .sum(),
            Section::Moved { .. } => OPENING_WORDS,
            Section::OutsideArticle => 0,
        }
    }

    /// Whether it shows removed or added words.
    fn is_coloured(&self) -> bool {
        !matches!(self, Section::Moved { .. } | Section::OutsideArticle)
    }
}

/// Words of a paragraph quoted to name it.
const OPENING_WORDS: usize = 8;

/// What heads the safety net's sections.
const OUTSIDE_ARTICLE: &str =
    "Outside the detected article (lower confidence: the extractor did not keep this text):";

/// The sections of an alert's change, and how many more there are than fit.
fn sections(alert: &Alert, whole: bool) -> (Vec<Section<'_>>, usize) {
    let Some(change) = &alert.change else {
        return (vec![], 0);
    };
    let mut all: Vec<Section> = Vec::new();
    for (label, pair) in [("Headline", &change.headline), ("Byline", &change.byline)] {
        if let Some((old, new)) = pair {
            all.push(Section::Field { label, old, new });
        }
    }
    // The open run of added and of removed paragraphs: its place in `all`,
    // its last paragraph's index and its kind. Blocks come in new-document
    // order, so added and removed paragraphs interleave; each run continues
    // while the indexes are consecutive and the kind the same.
    let mut open: [Option<(usize, usize, ProseKind)>; 2] = [None, None];
    // The safety net's changes follow the article's, under a heading of their own.
    let outside = change.other_prose.iter().map(|p| (true, p.kind, &p.change));
    let mut outside_started = false;
    let article = change
        .blocks
        .iter()
        .map(|b| (false, ProseKind::Paragraph, b));
    for (outside, kind, b) in article.chain(outside) {
        if outside && !outside_started {
            all.push(Section::OutsideArticle);
            outside_started = true;
            open = [None, None];
        }
        let (added, index, text, after) = match b {
            BlockChange::Added {
                new_index,
                text,
                after,
            } => (true, *new_index, text, after),
            BlockChange::Removed {
                old_index,
                text,
                after,
            } => (false, *old_index, text, after),
            BlockChange::Changed { segments, .. } => {
                all.push(Section::Changed {
                    opening: opening(&new_text(segments), OPENING_WORDS),
                    words: with_context(segments),
                    kind,
                });
                continue;
            }
            BlockChange::Moved { text, after, .. } => {
                all.push(Section::Moved {
                    text,
                    after: after.as_deref(),
                });
                continue;
            }
        };
        let run = &mut open[usize::from(added)];
        match *run {
            Some((at, last, of)) if last + 1 == index && of == kind => {
                if let Section::Run { paragraphs, .. } = &mut all[at] {
                    paragraphs.push(text);
                }
                *run = Some((at, index, kind));
            }
            _ => {
                *run = Some((all.len(), index, kind));
                all.push(Section::Run {
                    added,
                    paragraphs: vec![text],
                    after: after.as_deref(),
                    outside,
                    kind,
                    whole,
                });
            }
        }
    }
    let mut shown = Vec::new();
    let mut words = 0;
    let total = all.len();
    for s in all {
        if !whole && !shown.is_empty() && (shown.len() >= MAX_SECTIONS || words >= MAX_QUOTED_WORDS)
        {
            break;
        }
        words += s.quoted_words();
        shown.push(s);
    }
    // A heading with nothing under it is not shown.
    if matches!(shown.last(), Some(Section::OutsideArticle)) {
        shown.pop();
    }
    let more = total
        - shown.len()
        - usize::from(
            outside_started && !shown.iter().any(|s| matches!(s, Section::OutsideArticle)),
        );
    (shown, more)
}

/// A paragraph's text in the new version: its unchanged and added words.
fn new_text(segments: &[Segment]) -> String {
    segments
        .iter()
        .filter(|s| s.op != SegmentOp::Removed)
        .map(|s| s.text.as_str())
        .collect()
}

/// What a run shows of each paragraph: (the shown words, words left out).
/// A single paragraph shows its first [`PARAGRAPH_WORDS`] words; a run of
/// several the first lines of its first [`RUN_PARAGRAPHS`] paragraphs;
/// `whole`, every paragraph in full.
fn run_lines(paragraphs: &[&str], whole: bool) -> Vec<(String, usize)> {
    if whole {
        return paragraphs.iter().map(|p| (p.to_string(), 0)).collect();
    }
    let per = if paragraphs.len() == 1 {
        PARAGRAPH_WORDS
    } else {
        RUN_LINE_WORDS
    };
    paragraphs
        .iter()
        .take(RUN_PARAGRAPHS)
        .map(|p| {
            let n = crate::text::quote_word_count(p);
            match crate::text::quote_head(p, per) {
                Some(head) if n > per + per / 4 => (head, n - per),
                _ => (p.to_string(), 0),
            }
        })
        .collect()
}

/// The label of a run, in the reader's terms ("New paragraph", "Photo
/// caption removed (9 words)"). A run of prose outside the detected article
/// that follows none of it is not said to be at the start: where it stands
/// in the story is not known.
fn run_label(
    added: bool,
    paragraphs: &[&str],
    after: Option<&str>,
    outside: bool,
    kind: ProseKind,
) -> (String, Option<String>) {
    let words: usize = paragraphs
        .iter()
        .map(|p| crate::text::diff_word_count(p))
        .sum();
    let n = paragraphs.len();
    let (one, many) = kind.nouns();
    let what = match (added, n) {
        (true, 1) => format!("New {one}"),
        (false, 1) => format!(
            "{} removed ({})",
            capitalised(one),
            crate::text::plural(words, "word", "words")
        ),
        (true, n) => format!("{n} new {many} ({words} words)"),
        (false, n) => format!("{n} {many} removed ({words} words)"),
    };
    match (added, after) {
        (true, Some(a)) => (format!("{what} after"), Some(a.to_string())),
        (false, Some(a)) => (
            format!(
                "{what}; {} after",
                if n == 1 { "it was" } else { "they were" }
            ),
            Some(a.to_string()),
        ),
        (_, None) if outside => (what, None),
        (true, None) => (format!("{what} at the start"), None),
        (false, None) => (format!("{what} from the start"), None),
    }
}

/// A label's first word with a capital: "Photo caption".
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The words "… and 2 more paragraphs" (or photo captions) of a run cut short.
fn more_of(n: usize, kind: ProseKind) -> String {
    let (one, many) = kind.nouns();
    crate::text::plural(n, &format!("more {one}"), &format!("more {many}"))
}

/// What closes a cut alert: how many changes are not shown, and the
/// command that shows them all: the alert's own change (`--to` the version
/// it shows), not the watch's latest, which a later edit makes another.
fn more_changes(alert: &Alert, more: usize, ctx: &Context) -> (String, String) {
    let config = config_word(ctx);
    let to = alert
        .evidence
        .as_ref()
        .map(|e| format!(" --to {}", e.version))
        .unwrap_or_default();
    (
        format!(
            "{} not shown.",
            crate::text::plural(more, "more change", "more changes")
        ),
        format!(
            "presswatch diff --config {config} --watch {}{to}",
            crate::text::shell_word(&alert.watch)
        ),
    )
}

/// For a new-items alert that lists only the first of its items: how many
/// it leaves out, and the command that lists them all (the version the check
/// stored).
fn more_items(alert: &Alert, ctx: &Context) -> Option<(String, String)> {
    let more = alert.new_item_count().checked_sub(alert.items.len())?;
    let version = alert.evidence.as_ref()?.version;
    (more > 0).then(|| {
        (
            format!(
                "{} not listed.",
                crate::text::plural(more, "more new item", "more new items")
            ),
            format!(
                "presswatch history --config {} {} --show {version}",
                config_word(ctx),
                crate::text::shell_word(&alert.watch)
            ),
        )
    })
}

/// The config file as a word of a command line (`CONFIG` when unknown).
fn config_word(ctx: &Context) -> String {
    ctx.config
        .as_ref()
        .map(|p| crate::text::shell_word(&p.display().to_string()))
        .unwrap_or_else(|| "CONFIG".to_string())
}

/// The command that prints the whole text a takedown alert cut.
fn whole_text_command(alert: &Alert, last: &LastKnown, ctx: &Context) -> String {
    format!(
        "presswatch history --config {} {} --show {}",
        config_word(ctx),
        crate::text::shell_word(&alert.watch),
        last.version
    )
}

/// The last line: `presswatch · watch W · alert ID`, without the alert part
/// for a change no alert was sent about (`presswatch diff` leaves `id`
/// empty), and without the watch for two files no watch stands for.
fn signature(alert: &Alert) -> String {
    let mut line = "presswatch".to_string();
    if !alert.watch.is_empty() {
        line.push_str(&format!(" · watch {}", alert.watch));
    }
    if !alert.id.is_empty() {
        line.push_str(&format!(" · alert {}", alert.id));
    }
    line
}

/// The byline worth showing: none when it only repeats the outlet (pages
/// without an author often name the outlet as one: "IranWire · By IranWire").
fn byline(alert: &Alert) -> Option<String> {
    author(alert.byline.as_deref()?, &alert.outlet)
}

/// The label a page prints before its byline's names, in the languages
/// presswatch's users read: "By", "بقلم", "به قلم" and "نوشته" (by), "كتب"
/// (wrote), "Par" and "Por" as they are; "Author:", "نویسنده:", "الكاتب:",
/// "خبرنگار:" and the like only with their colon, as a name could begin
/// with such a word.
static BYLINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:(?:by|written by|words by|par|por|بقلم|به قلم|نوشته(?:‌ی| ی)?|كتب|كتبت|كتبه)\s*[:：]?|(?:authors?|reporter|writer|autor|autorin|auteur|autore|نویسنده|نویسندگان|خبرنگار|گزارش|گزارشگر|الكاتب|الكاتبة|المؤلف|تحرير|إعداد|اعداد|مراسل)\s*[:：])\s*",
    )
    .expect("valid byline label pattern")
});

/// The name(s) a byline gives, for a line that says "By": a byline the page
/// prints as "By Jane Doe", "بقلم: أحمد الخطيب" or "نویسنده: سارا احمدی" is
/// the names alone; none when it only repeats the outlet.
fn author(byline: &str, outlet: &str) -> Option<String> {
    let by = one_line(byline);
    let by = match BYLINE_LABEL.find(&by) {
        Some(label) if label.end() < by.len() => by[label.end()..].trim_start().to_string(),
        _ => by,
    };
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    (!by.is_empty() && !same(&by, outlet)).then_some(by)
}

/// When the alert's change was detected, as [`when`] shows it; `None` for
/// a comparison of two files, which has no such time
/// ([`Alert::detected_at`] empty).
fn detected(alert: &Alert, ctx: &Context) -> Option<String> {
    (!alert.detected_at.is_empty()).then(|| when(&alert.detected_at, ctx.timezone))
}

/// `2026-11-22 08:00 CET` from an RFC 3339 time (as given when unparsable).
fn when(rfc3339: &str, tz: Tz) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// Where an alert's main link leads, and its label: the article a change
/// is about (a single new item's too); the watched page itself (a listing,
/// a feed's XML) for several new items and for a watch that cannot be
/// checked; none for a test. Email and chat webhooks link the same.
pub fn main_link(alert: &Alert) -> Option<(&str, &'static str)> {
    if alert.kind == ChangeKind::Test {
        return None;
    }
    // An item with no link of its own (a news ticker's line) is read where
    // it was found.
    if let Some(it) = single_item(alert).filter(|it| !it.url.is_empty()) {
        return Some((it.url.as_str(), "Open the article"));
    }
    if let [r] = alert.retitled.as_slice() {
        if !r.url.is_empty() {
            return Some((r.url.as_str(), "Open the article"));
        }
    }
    if let Some(to) = &alert.moved_to {
        return Some((to.as_str(), "Open the article at its new address"));
    }
    Some(match alert.kind {
        ChangeKind::NewItems | ChangeKind::Retitled | ChangeKind::Error | ChangeKind::Recovered => {
            (alert.url.as_str(), "Open the watched page")
        }
        _ => (alert.url.as_str(), "Open the article"),
    })
}

/// What an alert says before the passage of an item's text that mentions
/// a keyword its title and teaser do not ([`AlertItem::passage`]).
const PASSAGE_LABEL: &str = "In the article";

/// An item's passage ([`AlertItem::passage`]) in pieces, each marked when
/// it is a keyword the item mentions, as [`crate::text::keyword_spans`]
/// finds it (spelling variants and all: a keyword typed ي/ك marks the
/// page's ی/ک); `None` when the item has no passage.
fn passage_pieces(it: &AlertItem) -> Option<Vec<(bool, &str)>> {
    let passage = it.passage.as_deref()?;
    let keys: Vec<String> = it
        .keywords
        .iter()
        .map(|k| crate::text::keyword_key(k))
        .collect();
    let mut out = Vec::new();
    let mut at = 0;
    for span in crate::text::keyword_spans(passage, &keys) {
        if span.start > at {
            out.push((false, &passage[at..span.start]));
        }
        out.push((true, &passage[span.clone()]));
        at = span.end;
    }
    if at < passage.len() {
        out.push((false, &passage[at..]));
    }
    Some(out)
}

/// What a `moved` alert says under the two addresses, before the host,
/// when the story moved to another site ([`crate::alert::another_site`]).
const ANOTHER_SITE: &str = "Moved to another site";

/// What a `moved` alert says under the two addresses.
const MOVED_NOTE: &str =
    "The old address now redirects permanently to the new one: cite and link the new address.";

/// The single new item of a one-item alert (shown as the article itself).
fn single_item(alert: &Alert) -> Option<&AlertItem> {
    match alert.items.as_slice() {
        [it] if alert.kind == ChangeKind::NewItems => Some(it),
        _ => None,
    }
}

/// The summary without the kind it starts with ("Headline changed; 1
/// paragraph added" under a "Headline changed" label says it once), when
/// the kind is a part of its own ("Cannot check this watch: 3 failures in
/// a row" stays whole under "Cannot check"); none when the headline shown
/// above it already says it ("3 new items" under "3 new items on
/// wire.example.net").
fn summary_after_label(alert: &Alert) -> Option<String> {
    if single_item(alert).is_some() || alert.kind == ChangeKind::Test {
        return None;
    }
    let s = summary_after_kind(alert);
    let said_above = alert
        .title
        .as_deref()
        .is_some_and(|t| t.to_lowercase().contains(&s.to_lowercase()));
    (!s.is_empty() && !said_above).then_some(s)
}

/// The summary without the kind it starts with, as one line under the
/// kind's label: "Headline changed; 1 paragraph added" under "Headline
/// changed" is "1 paragraph added"; its parts are joined by commas, a
/// kind named after the first in lower case ("Article is back, correction
/// added, 1 paragraph added"). Empty when the summary only names the kind.
pub fn summary_after_kind(alert: &Alert) -> String {
    let s = alert.summary.as_str();
    let s = match s.strip_prefix(alert.kind.label()) {
        Some(rest) if rest.is_empty() || rest.starts_with([';', ',']) => {
            rest.trim_start_matches([';', ',', ' '])
        }
        _ => s,
    };
    let kinds = [
        ChangeKind::HeadlineChanged,
        ChangeKind::BylineChanged,
        ChangeKind::CorrectionAdded,
        ChangeKind::UpdateAdded,
    ];
    s.split("; ")
        .enumerate()
        .map(|(i, part)| match part.chars().next() {
            Some(first) if i > 0 && kinds.iter().any(|k| part.starts_with(k.label())) => {
                format!("{}{}", first.to_lowercase(), &part[first.len_utf8()..])
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The line that gives staff an alert's record: the chain digest of the
/// version it reports, short, and what it is for. Kept by the receivers,
/// outside the database, it lets `presswatch verify --record` prove that
/// the version is still kept unaltered: "Record 3f2a91c0…e1d254c9 (version
/// 57) — presswatch verify can prove this version is unaltered".
pub fn record_line(alert: &Alert) -> Option<String> {
    let e = alert.evidence.as_ref()?;
    let record = e.record.as_deref()?;
    Some(format!(
        "Record {} (version {}) — presswatch verify can prove this version is unaltered",
        crate::integrity::chain::short(record),
        e.version
    ))
}

/// For a takedown: which kept snapshot shows the article as it was.
fn kept_snapshot(alert: &Alert) -> Option<String> {
    let e = alert.evidence.as_ref()?;
    let sha = e.snapshot_sha256.as_deref()?;
    Some(format!(
        "Last kept snapshot: version {}, SHA-256 {sha} (presswatch export includes it)",
        e.version
    ))
}

/// Where a taken-down article's last text stands in an alert: what it was
/// stored as, and when it was last seen.
fn last_known_caption(last: &LastKnown, tz: Tz) -> String {
    let seen = last
        .last_seen
        .as_deref()
        .map(|t| format!("; last seen online {}", when(t, tz)))
        .unwrap_or_default();
    format!(
        "What the article said (version {}, stored {}{seen})",
        last.version,
        when(&last.stored_at, tz)
    )
}

/// The note closing a cut text: how much is not shown (the command that
/// prints it all follows).
fn cut_note(last: &LastKnown) -> Option<String> {
    (last.cut_paragraphs > 0).then(|| {
        format!(
            "Cut here: {} ({}) not shown. The whole text:",
            crate::text::plural(last.cut_paragraphs, "more paragraph", "more paragraphs"),
            crate::text::plural(last.cut_words, "word", "words"),
        )
    })
}

#[cfg(test)]
mod tests;
