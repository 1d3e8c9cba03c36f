//! Rendering an alert as plain text (terminals, logs, stdout, the text part
//! of an email) and as HTML with inline CSS (mail clients). Page text is
//! always escaped.
//!
//! Both renderings show the same [`Section`]s: a changed headline or byline,
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

use std::path::PathBuf;

use chrono_tz::Tz;

use crate::alert::{Alert, LastKnown};
use crate::compare::{BlockChange, ChangeKind, Segment, SegmentOp};
use crate::document::{BlockKind, Item, ProseKind};
use crate::text::opening;

/// What a rendering needs to know about the reader's installation.
#[derive(Debug, Clone)]
pub struct Context {
    /// Times are shown in this zone (`[daemon] timezone`), in alerts and digests alike.
    pub timezone: Tz,
    /// The config file, for the command that shows a cut change whole.
    pub config: Option<PathBuf>,
}

impl Context {
    /// The context of a config: its time zone, and its path as given.
    pub fn of(config: &crate::config::Config) -> Context {
        Context {
            timezone: config.daemon.timezone,
            config: Some(config.path.clone()),
        }
    }
}

impl Default for Context {
    fn default() -> Context {
        Context {
            timezone: chrono_tz::UTC,
            config: None,
        }
    }
}

/// Words of unchanged context kept on each side of a change.
const CONTEXT_WORDS: usize = 12;
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
    /// `kind`: what they are (outside the article, photo captions may be).
    Run {
        added: bool,
        paragraphs: Vec<&'a str>,
        after: Option<&'a str>,
        outside: bool,
        kind: ProseKind,
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
            Section::Run { paragraphs, .. } => run_lines(paragraphs)
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
fn sections(alert: &Alert) -> (Vec<Section<'_>>, usize) {
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
                });
            }
        }
    }
    let mut shown = Vec::new();
    let mut words = 0;
    let total = all.len();
    for s in all {
        if !shown.is_empty() && (shown.len() >= MAX_SECTIONS || words >= MAX_QUOTED_WORDS) {
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
/// several the first lines of its first [`RUN_PARAGRAPHS`] paragraphs.
fn run_lines(paragraphs: &[&str]) -> Vec<(String, usize)> {
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
/// command that shows them all.
fn more_changes(alert: &Alert, more: usize, ctx: &Context) -> (String, String) {
    let config = config_word(ctx);
    (
        format!(
            "{} not shown.",
            crate::text::plural(more, "more change", "more changes")
        ),
        format!(
            "presswatch diff --config {config} --watch {}",
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

// ---- plain text ---------------------------------------------------------------------

/// Plain-text rendering: reads well in a terminal, a text mail client and a
/// phone's preview. Removed words are shown `[-like this-]`, added words
/// `{+like this+}`.
pub fn text(alert: &Alert, ctx: &Context) -> String {
    let (body, coloured) = text_body(alert, ctx);
    let mut out = body;
    out.push_str("\n-- \n");
    if coloured {
        out.push_str(TEXT_LEGEND);
        out.push('\n');
    }
    out.push_str(&signature(alert));
    out.push('\n');
    out
}

/// The last line: `presswatch · watch W · alert ID`, without the alert part
/// for a change no alert was sent about (`presswatch diff` leaves `id` empty).
fn signature(alert: &Alert) -> String {
    let mut line = format!("presswatch · watch {}", alert.watch);
    if !alert.id.is_empty() {
        line.push_str(&format!(" · alert {}", alert.id));
    }
    line
}

/// What the text markers mean.
const TEXT_LEGEND: &str = "[-removed words-] {+added words+}";

/// Headline and byline on one line: line breaks and other control
/// characters from the page become spaces.
fn one_line(s: &str) -> String {
    s.split(char::is_control)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Page text for a line of its own: on one line, and wrapped in a Unicode
/// isolate when it holds right-to-left script ([`crate::text::bidi_isolate`]).
pub fn isolate(s: &str) -> String {
    crate::text::bidi_isolate(&one_line(s))
}

/// The byline worth showing: none when it only repeats the outlet (pages
/// without an author often name the outlet as one: "IranWire · By IranWire").
fn byline(alert: &Alert) -> Option<String> {
    author(alert.byline.as_deref()?, &alert.outlet)
}

/// The name(s) a byline gives, for a line that says "By": a byline the page
/// prints as "By Jane Doe" is "Jane Doe"; none when it only repeats the outlet.
fn author(byline: &str, outlet: &str) -> Option<String> {
    let by = one_line(byline);
    let by = match by.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("by ") => by[3..].trim_start().to_string(),
        _ => by,
    };
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    (!by.is_empty() && !same(&by, outlet)).then_some(by)
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

/// A move's old and new address, linked (http(s) only, [`href`]), the
/// other site it went to if it did ([`ANOTHER_SITE`]), and what the
/// move means for those citing the story ([`MOVED_NOTE`]): the `moved`
/// alert's HTML and the evidence viewer's row of the move say it so.
pub fn moved_html(from: &str, to: &str) -> String {
    let address = |u: &str| match href(u) {
        Some(h) => format!(
            "<a href=\"{h}\" style=\"color:{};overflow-wrap:anywhere;\">{}</a>",
            colour::LINK,
            escape(u)
        ),
        None => escape(u),
    };
    let site = crate::alert::another_site(from, to)
        .map(|host| format!("<b>{ANOTHER_SITE}:</b> {}<br>", escape(&host)))
        .unwrap_or_default();
    format!(
        "<b>Old address:</b> {}<br><b>New address:</b> {}<br>{site}{MOVED_NOTE}",
        address(from),
        address(to)
    )
}

/// What a `moved` alert says under the two addresses, before the host,
/// when the story moved to another site ([`crate::alert::another_site`]).
const ANOTHER_SITE: &str = "Moved to another site";

/// What a `moved` alert says under the two addresses.
const MOVED_NOTE: &str =
    "The old address now redirects permanently to the new one: cite and link the new address.";

/// The single new item of a one-item alert (shown as the article itself).
fn single_item(alert: &Alert) -> Option<&Item> {
    match alert.items.as_slice() {
        [it] if alert.kind == ChangeKind::NewItems => Some(it),
        _ => None,
    }
}

/// The summary without the kind it starts with ("Headline changed; 1
/// paragraph added" under a "Headline changed" label says it once); none
/// when the headline shown above it already says it ("3 new items" under
/// "3 new items on wire.example.net").
fn summary_after_label(alert: &Alert) -> Option<String> {
    if single_item(alert).is_some() || alert.kind == ChangeKind::Test {
        return None;
    }
    let s = alert.summary.as_str();
    let s = s
        .strip_prefix(alert.kind.label())
        .map(|rest| rest.trim_start_matches([';', ',', ' ']))
        .unwrap_or(s);
    let said_above = alert
        .title
        .as_deref()
        .is_some_and(|t| t.to_lowercase().contains(&s.to_lowercase()));
    (!s.is_empty() && !said_above).then(|| s.replace("; ", ", "))
}

/// The first line of an alert: what happened, where.
fn first_line(alert: &Alert) -> String {
    match alert.kind {
        ChangeKind::Test => {
            "TEST ALERT: nothing changed. presswatch sent this to check that alerts reach you."
                .to_string()
        }
        ChangeKind::NewItems if single_item(alert).is_some() => {
            format!("New item · {}", isolate(&alert.outlet))
        }
        kind => format!("{} · {}", kind.label(), isolate(&alert.outlet)),
    }
}

/// One alert as text, without the signature; and whether it shows
/// removed or added words.
fn text_body(alert: &Alert, ctx: &Context) -> (String, bool) {
    let mut out = String::new();
    out.push_str(&first_line(alert));
    out.push('\n');
    let item = single_item(alert);
    let title = item
        .map(|i| i.title.as_str())
        .or(alert.title.as_deref())
        .unwrap_or(&alert.watch);
    out.push_str(&isolate(title));
    out.push('\n');
    if let Some(s) = summary_after_label(alert) {
        out.push_str(&s);
        out.push('\n');
    }
    out.push('\n');
    let detected = when(&alert.detected_at, ctx.timezone);
    match item {
        Some(it) => {
            if !it.url.is_empty() {
                out.push_str(&format!("{}\n", it.url));
            }
            out.push_str(&format!("Detected {detected} · found on {}\n", alert.url));
        }
        None if alert.kind == ChangeKind::Test => {
            out.push_str(&format!("Sent {detected}\n"));
        }
        None => {
            // A moved article is read at its new address.
            let url = alert.moved_to.as_deref().unwrap_or(&alert.url);
            out.push_str(&format!("{url}\n"));
            match byline(alert) {
                Some(b) => out.push_str(&format!("By {} · detected {detected}\n", isolate(&b))),
                None => out.push_str(&format!("Detected {detected}\n")),
            }
        }
    }
    if !alert.keywords.is_empty() {
        let words: Vec<String> = alert.keywords.iter().map(|k| isolate(k)).collect();
        out.push_str(&format!("Mentions: {}\n", words.join(", ")));
    }
    if let Some(err) = &alert.error {
        out.push_str(&format!("\nError: {err}\n"));
    }
    if let Some(to) = &alert.moved_to {
        let site = crate::alert::another_site(&alert.url, to)
            .map(|host| format!("{ANOTHER_SITE}: {host}\n"))
            .unwrap_or_default();
        out.push_str(&format!(
            "\nOld address: {}\nNew address: {to}\n{site}{MOVED_NOTE}\n",
            alert.url
        ));
    }
    if let Some(line) = kept_snapshot(alert) {
        out.push_str(&format!("\n{line}\n"));
    }
    if let Some(page) = alert.evidence.as_ref().and_then(|e| e.report.as_deref()) {
        out.push_str(&format!("Evidence: {page}\n"));
    }
    if let Some(last) = &alert.last_known {
        out.push_str(&last_known_text(alert, last, ctx));
    }
    if alert.kind == ChangeKind::Test {
        out.push_str("\nBelow is an example of how a change looks. Nothing here comes from a watched page.\n");
    }
    let (shown, more) = sections(alert);
    let coloured = shown.iter().any(Section::is_coloured) || !alert.retitled.is_empty();
    for s in &shown {
        out.push('\n');
        out.push_str(&text_section(s));
    }
    for (i, r) in alert.retitled.iter().enumerate() {
        if i == 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "* {}\n  {}\n",
            text_diff(&with_context(&r.segments)),
            r.url
        ));
        if let Some(s) = &r.snippet {
            out.push_str(&format!("{}\n", indent(&opening(s, 40))));
        }
    }
    if more > 0 {
        let (count, command) = more_changes(alert, more, ctx);
        out.push_str(&format!("\n{count} See every change with:\n  {command}\n"));
    }
    if let Some(it) = item {
        if let Some(s) = &it.snippet {
            out.push_str(&format!("\n{}\n", indent(&opening(s, 40))));
        }
    } else if !alert.items.is_empty() {
        out.push('\n');
        for it in &alert.items {
            out.push_str(&format!("* {}\n  {}\n", isolate(&it.title), it.url));
            if let Some(s) = &it.snippet {
                out.push_str(&format!("{}\n", indent(&opening(s, 40))));
            }
        }
        if let Some((count, command)) = more_items(alert, ctx) {
            out.push_str(&format!("\n{count} See them all with:\n  {command}\n"));
        }
    }
    (out, coloured)
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

/// A taken-down article's last text as plain text: not marked up as removed
/// (it is what the article said), headings, quotes and list items marked as
/// in a baseline file.
fn last_known_text(alert: &Alert, last: &LastKnown, ctx: &Context) -> String {
    let mut out = format!("\n{}:\n\n", last_known_caption(last, ctx.timezone));
    if let Some(t) = &last.title {
        out.push_str(&format!("  {}\n", isolate(t)));
    }
    let mut meta = Vec::new();
    if let Some(name) = last
        .byline
        .as_deref()
        .and_then(|b| author(b, &alert.outlet))
    {
        meta.push(isolate(&format!("By {name}")));
    }
    if let Some(p) = &last.published {
        meta.push(format!("published {}", when(&one_line(p), ctx.timezone)));
    }
    if !meta.is_empty() {
        out.push_str(&format!("  {}\n", meta.join(" · ")));
    }
    for b in &last.blocks {
        let marker = match b.kind {
            BlockKind::Paragraph => "",
            BlockKind::Heading => "## ",
            BlockKind::Quote => "> ",
            BlockKind::ListItem => "- ",
        };
        let text = if crate::text::has_rtl(&b.text) {
            isolate(&b.text)
        } else {
            b.text.clone()
        };
        out.push_str(&format!("\n{}\n", indent(&format!("{marker}{text}"))));
    }
    if let Some(note) = cut_note(last) {
        // The command on a line of its own, unwrapped, to copy as it is.
        out.push_str(&format!(
            "\n{}\n  {}\n",
            indent(&note),
            whole_text_command(alert, last, ctx)
        ));
    }
    out
}

/// One section as text.
fn text_section(s: &Section) -> String {
    match s {
        Section::Field { label, old, new } => {
            let (was, now) = field_words(old, new);
            format!(
                "{label}:\n  - {}\n  + {}\n",
                crate::text::bidi_isolate(&field_line(&was, text_mark)),
                crate::text::bidi_isolate(&field_line(&now, text_mark))
            )
        }
        Section::Run {
            added,
            paragraphs,
            after,
            outside,
            kind,
        } => {
            let (label, quote) = run_label(*added, paragraphs, *after, *outside, *kind);
            let mut out = match quote {
                Some(q) => format!("{label} \u{201C}{}\u{201D}:\n", isolate(&q)),
                None => format!("{label}:\n"),
            };
            let (open, close) = if *added { ("{+", "+}") } else { ("[-", "-]") };
            for (shown, left_out) in run_lines(paragraphs) {
                let cut = if left_out > 0 { " …" } else { "" };
                out.push_str(&indent(&format!("{open}{shown}{cut}{close}")));
                out.push('\n');
                if left_out > 0 && paragraphs.len() == 1 {
                    out.push_str(&format!("  ({left_out} more words)\n"));
                }
            }
            if paragraphs.len() > RUN_PARAGRAPHS {
                out.push_str(&format!(
                    "  … and {}\n",
                    more_of(paragraphs.len() - RUN_PARAGRAPHS, *kind)
                ));
            }
            out
        }
        Section::Changed {
            opening,
            words,
            kind,
        } => format!(
            "Changed: the {} beginning \u{201C}{}\u{201D}\n{}\n",
            kind.nouns().0,
            isolate(opening),
            indent(&text_diff(words))
        ),
        Section::Moved { text, after } => format!(
            "Moved, unchanged: the paragraph beginning \u{201C}{}\u{201D}, {}\n",
            isolate(&opening(text, OPENING_WORDS)),
            match after {
                Some(a) => format!("now after \u{201C}{}\u{201D}", isolate(a)),
                None => "now at the start".to_string(),
            }
        ),
        Section::OutsideArticle => format!("{OUTSIDE_ARTICLE}\n"),
    }
}

/// Words of a line, each marked unchanged, removed or added.
type Marked = Vec<(SegmentOp, String)>;

/// A changed headline or byline as its two lines, each whole and on one
/// line: the old one with the words only it has marked removed, the new one
/// with the words only it has marked added ([`crate::compare::word_diff`],
/// as paragraphs and retitled items are diffed), so that one word softened
/// in a long headline stands out.
fn field_words(old: &str, new: &str) -> (Marked, Marked) {
    let (old, new) = (one_line(old), one_line(new));
    let rules = crate::compare::Rules::default();
    // Each line from the diff towards it, so that its unchanged words are
    // its own (a diff's unchanged words are those of its new side).
    let was = line_words(
        &old,
        &crate::compare::word_diff(&new, &old, &rules),
        SegmentOp::Removed,
    );
    let now = line_words(
        &new,
        &crate::compare::word_diff(&old, &new, &rules),
        SegmentOp::Added,
    );
    (was, now)
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
fn field_line(words: &[(SegmentOp, String)], mark: fn(SegmentOp, &str) -> String) -> String {
    let mut out = String::new();
    for (op, t) in words {
        let marked = t.trim_end();
        out.push_str(&mark(*op, marked));
        out.push_str(&t[marked.len()..]);
    }
    out.trim().to_string()
}

/// Words as the text part marks them: `[-removed-]`, `{+added+}`.
fn text_mark(op: SegmentOp, t: &str) -> String {
    match op {
        SegmentOp::Same => t.to_string(),
        SegmentOp::Removed => format!("[-{t}-]"),
        SegmentOp::Added => format!("{{+{t}+}}"),
    }
}

/// Words as the HTML part marks them ([`del`], [`ins`]), escaped.
fn html_mark(op: SegmentOp, t: &str) -> String {
    match op {
        SegmentOp::Same => escape(t),
        SegmentOp::Removed => del(t),
        SegmentOp::Added => ins(t),
    }
}

/// Words of a diff as text: removed words `[-like this-]`, added words
/// `{+like this+}`, on one line.
fn text_diff(words: &[(SegmentOp, String)]) -> String {
    let mut line = String::new();
    for (op, t) in words {
        if *op != SegmentOp::Same && needs_space(&line, t) {
            line.push(' ');
        }
        match op {
            SegmentOp::Same => line.push_str(t),
            SegmentOp::Removed => line.push_str(&format!("[-{}-]", t.trim())),
            SegmentOp::Added => line.push_str(&format!("{{+{}+}}", t.trim())),
        }
        if *op != SegmentOp::Same && t.ends_with(' ') {
            line.push(' ');
        }
    }
    line.trim().to_string()
}

/// Orders a digest: takedowns first (what was removed is the news that
/// cannot wait), then new items, then the other alerts grouped by story
/// (watch), stories in the order of their first alert, each story's alerts
/// oldest first.
fn digest_groups(alerts: &[Alert]) -> Vec<Vec<&Alert>> {
    let mut groups: Vec<Vec<&Alert>> = Vec::new();
    for kind in [ChangeKind::TakenDown, ChangeKind::NewItems] {
        let of_kind: Vec<&Alert> = alerts.iter().filter(|a| a.kind == kind).collect();
        if !of_kind.is_empty() {
            groups.push(of_kind);
        }
    }
    let mut stories: Vec<Vec<&Alert>> = Vec::new();
    for a in alerts
        .iter()
        .filter(|a| !matches!(a.kind, ChangeKind::NewItems | ChangeKind::TakenDown))
    {
        match stories.iter_mut().find(|g| g[0].watch == a.watch) {
            Some(g) => g.push(a),
            None => stories.push(vec![a]),
        }
    }
    groups.extend(stories);
    groups
}

/// The heading of a digest group.
fn group_heading(group: &[&Alert]) -> String {
    let first = group[0];
    if first.kind == ChangeKind::TakenDown {
        format!(
            "Taken down: {}",
            crate::text::plural(group.len(), "article", "articles")
        )
    } else if first.kind == ChangeKind::NewItems {
        "New items".to_string()
    } else {
        let title = group
            .iter()
            .rev()
            .find_map(|a| a.title.as_deref())
            .unwrap_or(&first.watch);
        format!("{} ({})", isolate(title), isolate(&first.outlet))
    }
}

/// A digest as text: one section per group, alerts in order, times in the context's zone.
pub fn digest_text(alerts: &[Alert], ctx: &Context) -> String {
    let mut out = String::new();
    let mut coloured = false;
    for group in digest_groups(alerts) {
        let mut heading = group_heading(&group);
        if group[0].kind == ChangeKind::TakenDown {
            // Plain text has no colour: capitals make it stand out.
            heading = heading.to_uppercase();
        }
        out.push_str(&format!(
            "{heading}\n{}\n\n",
            "=".repeat(heading.chars().count().min(76))
        ));
        for a in group {
            let (body, c) = text_body(a, ctx);
            coloured |= c;
            out.push_str(&body);
            out.push_str("\n\n");
        }
    }
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    out.push_str("-- \n");
    if coloured {
        out.push_str(TEXT_LEGEND);
        out.push('\n');
    }
    out.push_str(&format!(
        "presswatch digest · {} · {}\n",
        crate::text::plural(alerts.len(), "alert", "alerts"),
        ids.join(" ")
    ));
    out
}

fn indent(s: &str) -> String {
    wrap(s, 76)
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Wraps text at word boundaries.
fn wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for w in s.split(' ') {
        let len = w.chars().count();
        if col > 0 && col + 1 + len > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += len;
    }
    out
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

/// The segments of a changed paragraph with long unchanged runs trimmed to
/// a few words of context around each change.
fn with_context(segments: &[Segment]) -> Vec<(SegmentOp, String)> {
    let segments = opening_marks_settled(segments);
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

// ---- HTML -----------------------------------------------------------------------------

/// The colours of the HTML part. Every text colour is used only on the
/// backgrounds listed with it in [`TEXT_ON`], and each pair meets WCAG AA
/// (4.5:1) for normal text; the tests compute the ratios.
mod colour {
    /// Body text.
    pub const INK: &str = "#222222";
    /// Labels, meta lines, the footer.
    pub const MUTED: &str = "#595959";
    /// Links and headings.
    pub const LINK: &str = "#1a4b8c";
    /// Removed words.
    #[cfg(test)] // written out in DEL_STYLE / INS_STYLE
    pub const DEL: &str = "#9b0019";
    /// Behind removed words.
    #[cfg(test)] // written out in DEL_STYLE / INS_STYLE
    pub const DEL_BG: &str = "#fde7e9";
    /// Added words.
    #[cfg(test)] // written out in DEL_STYLE / INS_STYLE
    pub const INS: &str = "#0a5c26";
    /// Behind added words.
    #[cfg(test)] // written out in DEL_STYLE / INS_STYLE
    pub const INS_BG: &str = "#e3f6e8";
    /// The message card.
    pub const CARD: &str = "#ffffff";
    /// Around the card.
    pub const PAGE: &str = "#f4f4f4";
    /// Behind the summary.
    pub const NOTE_BG: &str = "#fff8e1";
    /// Test-alert banner text.
    pub const TEST: &str = "#5c4400";
    /// Behind the test-alert banner.
    pub const TEST_BG: &str = "#fff3cd";
    /// Takedowns: the digest heading and the kind label that mark them.
    pub const TAKEN_DOWN: &str = "#9b0019";
    /// Lines and borders (no text).
    pub const RULE: &str = "#dddddd";
    /// The summary's accent bar (no text).
    pub const ACCENT: &str = "#f0b400";

    /// Each text colour and the backgrounds it is used on.
    #[cfg(test)]
    pub const TEXT_ON: &[(&str, &[&str])] = &[
        (INK, &[CARD, NOTE_BG, PAGE]),
        (MUTED, &[CARD]),
        (LINK, &[CARD, NOTE_BG]),
        (TAKEN_DOWN, &[CARD]),
        (DEL, &[DEL_BG]),
        (INS, &[INS_BG]),
        (TEST, &[TEST_BG]),
    ];
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// `href` for a link: only http(s) URLs, escaped; anything else (e.g. a
/// `javascript:` link from a page) gets no link at all.
pub fn href(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| escape(u.as_str()))
}

/// A link to the spot on the page where `quote` stands (a `#:~:text=`
/// text fragment: browsers scroll to it and highlight it).
fn fragment_href(url: &str, quote: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let words: Vec<&str> = quote
        .trim_end_matches('…')
        .split_whitespace()
        .take(6)
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut encoded = String::new();
    for b in words.join(" ").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let mut base = u;
    base.set_fragment(None);
    Some(escape(&format!("{base}#:~:text={encoded}")))
}

/// The language of a part of a story (`t`) whose page declares the
/// language `lang` (the alert's, `None` when it declares none), as HTML
/// marks it. The script comes first: right-to-left text is in the declared
/// language when that is written right to left, else in the language its
/// letters show (Persian when it has letters only Persian uses, Hebrew,
/// otherwise Arabic), whatever the page declares; other text is in the
/// declared language unless that is written right to left, and in none
/// (`None`: it reads as the labels' English) when the page declares none.
pub fn story_lang(t: &str, lang: Option<&str>) -> Option<String> {
    // Checked again: an alert read from the outbox is data, not markup.
    let declared = lang.and_then(crate::text::language_tag);
    let rtl_declared = declared.as_deref().is_some_and(crate::text::rtl_language);
    if !crate::text::is_rtl(t) {
        return declared.filter(|_| !rtl_declared);
    }
    if rtl_declared {
        return declared;
    }
    let persian = t
        .chars()
        .any(|c| matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ک' | 'ی' | '\u{200C}'));
    let hebrew = t.chars().any(|c| matches!(c as u32, 0x0590..=0x05FF));
    Some(
        if persian {
            "fa"
        } else if hebrew {
            "he"
        } else {
            "ar"
        }
        .to_string(),
    )
}

/// ` lang="fa" dir="rtl"` for right-to-left text of a story, ` lang="fr"`
/// for other text of a story whose page declares French, nothing for other
/// text of a page that declares no language ([`story_lang`]).
fn lang_dir(t: &str, lang: Option<&str>) -> String {
    match story_lang(t, lang) {
        Some(l) if crate::text::is_rtl(t) => format!(" lang=\"{l}\" dir=\"rtl\""),
        Some(l) => format!(" lang=\"{l}\""),
        None => String::new(),
    }
}

/// Text that a screen reader announces and a sighted reader does not see.
fn for_screen_readers(t: &str) -> String {
    format!(
        "<span style=\"position:absolute;display:inline-block;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;mso-hide:all;font-size:0;line-height:0;max-height:0;\">{t}</span>"
    )
}

/// Inline style of removed words (email and evidence viewer alike):
/// struck through, in [`colour::DEL`] on [`colour::DEL_BG`].
pub const DEL_STYLE: &str = "color:#9b0019;background:#fde7e9;text-decoration:line-through;";
/// Inline style of added words (email and evidence viewer alike):
/// underlined below the letters' dots ([`UNDERLINE_BELOW_DOTS`]), in
/// [`colour::INS`] on [`colour::INS_BG`].
pub const INS_STYLE: &str =
    "color:#0a5c26;background:#e3f6e8;text-decoration:underline;text-underline-offset:0.3em;";

/// Moves an underline below the dots under Persian and Arabic letters (ب,
/// پ, ی), which an underline at the usual depth crosses; Latin text keeps a
/// clear gap too. For underlined text that may be Persian or Arabic.
const UNDERLINE_BELOW_DOTS: &str = "text-underline-offset:0.3em;";

/// Whether a removed or added segment `t` must be set apart from the text
/// before it: a word right after a word or after the punctuation that ends
/// a sentence or a quote (text removed at the end of a paragraph follows the
/// last word kept, which the new version ends with, and "capital" and "and
/// many more" ran together, as did "comment." and a last sentence removed).
/// Not in scripts written without spaces (Chinese, Japanese, Thai), nor
/// before punctuation, nor after a half-space, an opening quote or bracket,
/// a hyphen, or inside a figure ("3.[-5-]{+6+}") or an abbreviation ("U.S.").
fn needs_space(before: &str, t: &str) -> bool {
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
fn ends_unspaced(t: &str) -> bool {
    t.trim_end().chars().next_back().is_some_and(|c| {
        crate::text::written_without_spaces(c)
            || crate::text::extends_unit(c)
            || matches!(c as u32, 0x3000..=0x303F | 0xFE30..=0xFE4F | 0xFF01..=0xFF65)
    })
}

/// Removed words: struck through, red, announced as "removed:".
fn del(t: &str) -> String {
    format!(
        "<del style=\"{DEL_STYLE}\">{}{}</del>",
        for_screen_readers("removed: "),
        escape(t)
    )
}

/// Added words: underlined, green, announced as "added:".
fn ins(t: &str) -> String {
    format!(
        "<ins style=\"{INS_STYLE}\">{}{}</ins>",
        for_screen_readers("added: "),
        escape(t)
    )
}

/// Wraps body HTML in a complete document with a centred white card. The
/// document's root carries `story`, the `lang`/`dir` of the one story it is
/// about ([`lang_dir`]), for mail clients and screen readers; the labels
/// around the story stay English and left-to-right inside it. Without a
/// story's language (left-to-right text of a page that declares none, a
/// digest of several stories) the root is the labels' `lang="en"`.
fn page(inner: &str, story: &str) -> String {
    let (root, inner) = if story.is_empty() {
        (" lang=\"en\"", inner.to_string())
    } else {
        (story, format!("<div lang=\"en\" dir=\"ltr\">{inner}</div>"))
    };
    format!(
        "<!DOCTYPE html><html{root}><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
<body style=\"margin:0;padding:12px;background:{page};font-family:-apple-system,'Segoe UI',Helvetica,Arial,'Noto Sans','Noto Naskh Arabic',Tahoma,sans-serif;color:{ink};\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:680px;margin:0 auto;background:{card};border:1px solid {rule};border-radius:4px;\"><tr><td style=\"padding:20px;\">\
{inner}</td></tr></table></body></html>",
        page = colour::PAGE,
        ink = colour::INK,
        card = colour::CARD,
        rule = colour::RULE,
    )
}

/// The footer: the legend (when something is coloured) and the signature line.
fn html_footer(coloured: bool, text: &str) -> String {
    let legend = if coloured {
        format!(
            "Removed words are <del style=\"{DEL_STYLE}\">struck through</del>, added words <ins style=\"{INS_STYLE}\">underlined</ins>.<br>"
        )
    } else {
        String::new()
    };
    format!(
        "<div style=\"border-top:1px solid {};margin-top:16px;padding-top:8px;font-size:12px;line-height:1.5;color:{};\">{legend}{}</div>",
        colour::RULE,
        colour::MUTED,
        escape(text)
    )
}

/// HTML rendering with inline CSS (no external resources, no scripts).
pub fn html(alert: &Alert, ctx: &Context) -> String {
    let (mut b, coloured) = card(alert, ctx, 22);
    b.push_str(&html_footer(coloured, &signature(alert)));
    let story = if alert.kind == ChangeKind::Test {
        String::new()
    } else {
        lang_dir(&headline(alert), alert.lang.as_deref())
    };
    page(&b, &story)
}

/// A digest as HTML: one section per group, times in the context's zone.
pub fn digest_html(alerts: &[Alert], ctx: &Context) -> String {
    let mut b = String::new();
    let mut coloured = false;
    for group in digest_groups(alerts) {
        let heading = group_heading(&group);
        // The heading of a story's group is its headline; the others are labels.
        let story_lang = match group[0].kind {
            ChangeKind::TakenDown | ChangeKind::NewItems => None,
            _ => group[0].lang.as_deref(),
        };
        let colour = if group[0].kind == ChangeKind::TakenDown {
            colour::TAKEN_DOWN
        } else {
            colour::LINK
        };
        b.push_str(&format!(
            "<h2 style=\"font-size:18px;margin:8px 0 12px 0;padding-bottom:4px;border-bottom:2px solid {colour};color:{colour};\"{}>{}</h2>",
            lang_dir(&heading, story_lang),
            escape(&heading),
        ));
        for a in group {
            let (shown, c) = card(a, ctx, 17);
            coloured |= c;
            b.push_str("<div style=\"margin:0 0 20px 0;\">");
            b.push_str(&shown);
            b.push_str("</div>");
        }
    }
    b.push_str(&html_footer(
        coloured,
        &format!(
            "presswatch digest · {}",
            crate::text::plural(alerts.len(), "alert", "alerts")
        ),
    ));
    page(&b, "")
}

/// A paragraph label followed by its body.
fn labelled(label: &str, body: &str, attrs: &str) -> String {
    format!(
        "<div style=\"margin:0 0 16px 0;\"><div style=\"font-size:13px;color:{};margin-bottom:4px;\">{label}</div><p style=\"margin:0;font-size:16px;line-height:1.55;\"{attrs}>{body}</p></div>",
        colour::MUTED
    )
}

/// A quoted paragraph opening for a label, linked to its spot on the page when `url` allows.
fn quote_html(quote: &str, url: Option<&str>, lang: Option<&str>) -> String {
    let inner = format!("<span{}>{}</span>", lang_dir(quote, lang), escape(quote));
    let inner = match url.and_then(|u| fragment_href(u, quote)) {
        Some(h) => format!(
            "<a href=\"{h}\" style=\"color:{};{UNDERLINE_BELOW_DOTS}\">{inner}</a>",
            colour::LINK
        ),
        None => inner,
    };
    format!("\u{201C}{inner}\u{201D}")
}

/// The headline an alert's card shows: its one item's title, else the
/// article's or listing's, else the watch's name; on one line.
fn headline(alert: &Alert) -> String {
    one_line(
        single_item(alert)
            .map(|i| i.title.as_str())
            .or(alert.title.as_deref())
            .unwrap_or(&alert.watch),
    )
}

/// One alert as HTML, without the page around it, times in `tz`; the
/// evidence viewer shows the same card.
pub fn html_card(alert: &Alert, tz: Tz, headline_px: u32) -> String {
    let ctx = Context {
        timezone: tz,
        config: None,
    };
    card(alert, &ctx, headline_px).0
}

/// One alert as HTML, without the page around it; the headline in
/// `headline_px` (smaller inside a digest, under the story's heading).
/// Also says whether it shows removed or added words.
fn card(alert: &Alert, ctx: &Context, headline_px: u32) -> (String, bool) {
    let item = single_item(alert);
    let title = headline(alert);
    let link = main_link(alert).and_then(|(url, what)| Some((href(url)?, what)));
    let mut b = String::new();
    if alert.kind == ChangeKind::Test {
        b.push_str(&format!(
            "<div style=\"font-size:16px;font-weight:bold;padding:10px 12px;margin-bottom:12px;color:{};background:{};border:2px solid {};\">TEST ALERT: nothing changed. presswatch sent this to check that alerts reach you.</div>",
            colour::TEST,
            colour::TEST_BG,
            colour::ACCENT
        ));
    } else {
        let label = if item.is_some() {
            "New item"
        } else {
            alert.kind.label()
        };
        b.push_str(&format!(
            "<div style=\"font-size:13px;font-weight:bold;text-transform:uppercase;letter-spacing:1px;color:{};\">{} · <span{}>{}</span></div>",
            if alert.kind == ChangeKind::TakenDown {
                colour::TAKEN_DOWN
            } else {
                colour::MUTED
            },
            escape(label),
            lang_dir(&alert.outlet, alert.lang.as_deref()),
            escape(&alert.outlet)
        ));
    }
    let headline = match &link {
        Some((h, _)) => format!(
            "<a href=\"{h}\" style=\"color:{};text-decoration:none;\">{}</a>",
            colour::LINK,
            escape(&title)
        ),
        None => escape(&title),
    };
    b.push_str(&format!(
        "<h1 style=\"font-size:{headline_px}px;line-height:1.3;margin:6px 0 8px 0;color:{};\"{}>{headline}</h1>",
        colour::INK,
        lang_dir(&title, alert.lang.as_deref())
    ));
    let mut meta = Vec::new();
    if let Some(by) = byline(alert) {
        meta.push(format!(
            "By <span{}>{}</span>",
            lang_dir(&by, alert.lang.as_deref()),
            escape(&by)
        ));
    }
    let detected = escape(&when(&alert.detected_at, ctx.timezone));
    meta.push(if alert.kind == ChangeKind::Test {
        format!("Sent {detected}")
    } else {
        format!("Detected {detected}")
    });
    if let Some((h, what)) = &link {
        meta.push(format!(
            "<a href=\"{h}\" style=\"color:{};\">{what}</a>",
            colour::LINK
        ));
    }
    if let Some(page) = alert.evidence.as_ref().and_then(|e| e.report.as_deref()) {
        meta.push(format!(
            "<a href=\"{}\" style=\"color:{};\">Evidence</a>",
            escape(page),
            colour::LINK
        ));
    }
    if let (Some(_), Some(h)) = (item, href(&alert.url)) {
        meta.push(format!(
            "found on <a href=\"{h}\" style=\"color:{};{UNDERLINE_BELOW_DOTS}\">{}</a>",
            colour::LINK,
            escape(&alert.outlet)
        ));
    }
    if !alert.keywords.is_empty() {
        let words: Vec<String> = alert
            .keywords
            .iter()
            .map(|k| format!("<b{}>{}</b>", lang_dir(k, None), escape(k)))
            .collect();
        meta.push(format!("mentions {}", words.join(", ")));
    }
    b.push_str(&format!(
        "<div style=\"font-size:14px;line-height:1.5;color:{};margin-bottom:12px;\">{}</div>",
        colour::MUTED,
        meta.join(" · ")
    ));
    if let Some(s) = summary_after_label(alert) {
        b.push_str(&format!(
            "<div style=\"font-size:16px;font-weight:bold;padding:8px 12px;background:{};border-left:4px solid {};margin-bottom:16px;color:{};\">{}</div>",
            colour::NOTE_BG,
            colour::ACCENT,
            colour::INK,
            escape(&s)
        ));
    }
    if let Some(err) = &alert.error {
        b.push_str(&format!(
            "<p style=\"font-size:16px;color:{};\"><b>Error:</b> {}</p>",
            colour::INK,
            escape(err)
        ));
    }
    if let Some(to) = &alert.moved_to {
        b.push_str(&format!(
            "<p style=\"font-size:16px;line-height:1.5;color:{};\">{}</p>",
            colour::INK,
            moved_html(&alert.url, to)
        ));
    }
    if let Some(line) = kept_snapshot(alert) {
        // The hash is one long word: it wraps anywhere on a phone.
        b.push_str(&format!(
            "<p style=\"font-size:14px;color:{};overflow-wrap:anywhere;word-break:break-all;\">{}</p>",
            colour::MUTED,
            escape(&line)
        ));
    }
    if let Some(last) = &alert.last_known {
        b.push_str(&last_known_html(alert, last, ctx));
    }
    if alert.kind == ChangeKind::Test {
        b.push_str(&format!(
            "<p style=\"font-size:15px;color:{};\">Below is an example of how a change looks. Nothing here comes from a watched page.</p>",
            colour::INK
        ));
    }
    let (shown, more) = sections(alert);
    let coloured = shown.iter().any(Section::is_coloured) || !alert.retitled.is_empty();
    // Quotes link to their spot on the page; a test alert's example has no page.
    let page_url = (alert.kind != ChangeKind::Test).then_some(alert.url.as_str());
    for s in &shown {
        b.push_str(&html_section(s, page_url, alert.lang.as_deref()));
    }
    if !alert.retitled.is_empty() {
        b.push_str(&retitles_html(alert));
    }
    if more > 0 {
        let (count, command) = more_changes(alert, more, ctx);
        b.push_str(&format!(
            "<p style=\"font-size:15px;line-height:1.5;color:{};\"><b>{}</b> See every change with:<br><code style=\"font-size:14px;word-break:break-all;\">{}</code></p>",
            colour::INK,
            escape(&count),
            escape(&command)
        ));
    }
    if let Some(it) = item {
        if let Some(s) = &it.snippet {
            b.push_str(&format!(
                "<p style=\"margin:0;font-size:16px;line-height:1.55;color:{};\"{}>{}</p>",
                colour::INK,
                lang_dir(s, alert.lang.as_deref()),
                escape(&opening(s, 40))
            ));
        }
    } else if !alert.items.is_empty() {
        // Padding on both sides keeps the bullets of right-to-left items inside the column.
        b.push_str("<ul style=\"padding:0 22px;margin:0;\">");
        for it in &alert.items {
            let title = match href(&it.url) {
                Some(h) => format!(
                    "<a href=\"{h}\" style=\"color:{};font-weight:bold;{UNDERLINE_BELOW_DOTS}\">{}</a>",
                    colour::LINK,
                    escape(&it.title)
                ),
                None => format!("<b>{}</b>", escape(&it.title)),
            };
            b.push_str(&format!(
                "<li style=\"margin-bottom:10px;font-size:16px;line-height:1.45;\"{}>{title}",
                lang_dir(&it.title, alert.lang.as_deref())
            ));
            if let Some(s) = &it.snippet {
                b.push_str(&teaser_line_html(s));
            }
            b.push_str("</li>");
        }
        b.push_str("</ul>");
        if let Some((count, command)) = more_items(alert, ctx) {
            b.push_str(&format!(
                "<p style=\"margin:12px 0 0 0;font-size:15px;color:{};\">{} See them all with: <code>{}</code></p>",
                colour::MUTED,
                escape(&count),
                escape(&command)
            ));
        }
    }
    (b, coloured)
}

/// An item's teaser under its title in an HTML list: its opening words, muted.
fn teaser_line_html(teaser: &str) -> String {
    format!(
        "<br><span style=\"color:{};font-size:15px;\">{}</span>",
        colour::MUTED,
        escape(&opening(teaser, 40))
    )
}

/// The retitled items of an alert as HTML: each title's word diff (the
/// old words struck through, the new ones underlined), its link and teaser.
fn retitles_html(alert: &Alert) -> String {
    // Padding on both sides keeps the bullets of right-to-left items inside the column.
    let mut b = String::from("<ul style=\"padding:0 22px;margin:0;\">");
    for r in &alert.retitled {
        let (diff, all) = html_diff(&with_context(&r.segments));
        b.push_str(&format!(
            "<li style=\"margin-bottom:10px;font-size:16px;line-height:1.45;\"{}><b>{diff}</b>",
            lang_dir(&all, alert.lang.as_deref())
        ));
        if let Some(h) = href(&r.url) {
            b.push_str(&format!(
                "<br><a href=\"{h}\" style=\"color:{};font-size:15px;{UNDERLINE_BELOW_DOTS}\">Open the article</a>",
                colour::LINK
            ));
        }
        if let Some(s) = &r.snippet {
            b.push_str(&teaser_line_html(s));
        }
        b.push_str("</li>");
    }
    b.push_str("</ul>");
    b
}

/// A taken-down article's last text as HTML: plain, readable text (not
/// struck through: it is what the article said) in a box of its own, with
/// what was cut said at the end.
fn last_known_html(alert: &Alert, last: &LastKnown, ctx: &Context) -> String {
    let mut b = format!(
        "<div style=\"border:1px solid {rule};border-left:4px solid {red};padding:12px 16px;margin:0 0 16px 0;background:{card};\">\
<div style=\"font-size:14px;color:{muted};margin-bottom:8px;\">{}</div>",
        escape(&last_known_caption(last, ctx.timezone)),
        rule = colour::RULE,
        red = colour::TAKEN_DOWN,
        card = colour::CARD,
        muted = colour::MUTED,
    );
    if let Some(t) = &last.title {
        let t = one_line(t);
        b.push_str(&format!(
            "<div style=\"font-size:18px;font-weight:bold;margin-bottom:4px;color:{};\"{}>{}</div>",
            colour::INK,
            lang_dir(&t, alert.lang.as_deref()),
            escape(&t)
        ));
    }
    let mut meta = Vec::new();
    if let Some(name) = last
        .byline
        .as_deref()
        .and_then(|b| author(b, &alert.outlet))
    {
        let byline = format!("By {name}");
        meta.push(format!(
            "<span{}>{}</span>",
            lang_dir(&byline, alert.lang.as_deref()),
            escape(&byline)
        ));
    }
    if let Some(p) = &last.published {
        meta.push(format!(
            "published {}",
            escape(&when(&one_line(p), ctx.timezone))
        ));
    }
    if !meta.is_empty() {
        b.push_str(&format!(
            "<div style=\"font-size:14px;color:{};margin-bottom:8px;\">{}</div>",
            colour::MUTED,
            meta.join(" · ")
        ));
    }
    for block in &last.blocks {
        let (tag, style) = match block.kind {
            BlockKind::Heading => ("h3", "font-size:16px;margin:12px 0 4px 0;"),
            BlockKind::Quote => (
                "blockquote",
                "margin:0 0 10px 0;padding:0 10px;border-left:2px solid #dddddd;font-size:16px;line-height:1.55;",
            ),
            BlockKind::ListItem | BlockKind::Paragraph => {
                ("p", "margin:0 0 10px 0;font-size:16px;line-height:1.55;")
            }
        };
        let bullet = if block.kind == BlockKind::ListItem {
            "• "
        } else {
            ""
        };
        b.push_str(&format!(
            "<{tag} style=\"{style}color:{};\"{}>{bullet}{}</{tag}>",
            colour::INK,
            lang_dir(&block.text, alert.lang.as_deref()),
            escape(&block.text)
        ));
    }
    if let Some(note) = cut_note(last) {
        b.push_str(&format!(
            "<p style=\"margin:8px 0 0 0;font-size:15px;line-height:1.5;color:{};\"><b>{}</b><br><code style=\"font-size:14px;word-break:break-all;\">{}</code></p>",
            colour::INK,
            escape(&note),
            escape(&whole_text_command(alert, last, ctx))
        ));
    }
    b.push_str("</div>");
    b
}

/// Words of a diff as HTML (removed words struck through, added words
/// underlined), and their text, to tell its direction by.
fn html_diff(words: &[(SegmentOp, String)]) -> (String, String) {
    let mut body = String::new();
    let mut all = String::new();
    for (op, t) in words {
        if *op != SegmentOp::Same && needs_space(&all, t) {
            all.push(' ');
            body.push(' ');
        }
        all.push_str(t);
        match op {
            SegmentOp::Same => body.push_str(&escape(t)),
            SegmentOp::Removed => {
                body.push_str(&del(t.trim_end()));
                // Set apart from what was added in its place, but
                // in a script written without spaces.
                if t.ends_with(' ') || !ends_unspaced(t) {
                    body.push(' ');
                }
            }
            SegmentOp::Added => {
                body.push_str(&ins(t.trim_end()));
                if t.ends_with(' ') {
                    body.push(' ');
                }
            }
        }
    }
    (body, all)
}

/// One section as HTML; quotes of the new page link to their spot on `url`.
fn html_section(s: &Section, url: Option<&str>, lang: Option<&str>) -> String {
    match s {
        Section::Field { label, old, new } => {
            let (was, now) = field_words(old, new);
            let line = |tag: &str, words: &[(SegmentOp, String)]| {
                let all: String = words.iter().map(|(_, t)| t.as_str()).collect();
                format!(
                    "<span style=\"color:{};font-size:13px;\">{tag}</span> <span{}>{}</span>",
                    colour::MUTED,
                    lang_dir(&all, lang),
                    field_line(words, html_mark)
                )
            };
            labelled(
                label,
                &format!("{}<br>{}", line("Was:", &was), line("Now:", &now)),
                "",
            )
        }
        Section::Run {
            added,
            paragraphs,
            after,
            outside,
            kind,
        } => {
            let (label, quote) = run_label(*added, paragraphs, *after, *outside, *kind);
            let label = match quote {
                Some(q) => format!(
                    "{} {}",
                    escape(&label),
                    quote_html(&q, url.filter(|_| *added), lang)
                ),
                None => escape(&label),
            };
            let mut out = String::new();
            let lines = run_lines(paragraphs);
            for (i, (shown, left_out)) in lines.iter().enumerate() {
                let cut = if *left_out > 0 { " …" } else { "" };
                let text = format!("{shown}{cut}");
                let body = if *added { ins(&text) } else { del(&text) };
                let note = if *left_out > 0 && paragraphs.len() == 1 {
                    format!(
                        " <span style=\"color:{};font-size:14px;\">({left_out} more words)</span>",
                        colour::MUTED
                    )
                } else {
                    String::new()
                };
                let first_label = if i == 0 { label.as_str() } else { "" };
                if i == 0 {
                    out.push_str(&labelled(
                        first_label,
                        &format!("{body}{note}"),
                        &lang_dir(shown, lang),
                    ));
                } else {
                    out.push_str(&format!(
                        "<p style=\"margin:-8px 0 16px 0;font-size:16px;line-height:1.55;\"{}>{body}</p>",
                        lang_dir(shown, lang)
                    ));
                }
            }
            if paragraphs.len() > RUN_PARAGRAPHS {
                out.push_str(&format!(
                    "<p style=\"margin:-8px 0 16px 0;font-size:15px;color:{};\">… and {}</p>",
                    colour::MUTED,
                    more_of(paragraphs.len() - RUN_PARAGRAPHS, *kind)
                ));
            }
            out
        }
        Section::Changed {
            opening,
            words,
            kind,
        } => {
            let (body, all) = html_diff(words);
            labelled(
                &format!(
                    "Changed: the {} beginning {}",
                    kind.nouns().0,
                    quote_html(opening, url, lang)
                ),
                &body,
                &lang_dir(&all, lang),
            )
        }
        Section::Moved { text, after } => labelled(
            &format!(
                "Moved, unchanged: the paragraph beginning {}, {}",
                quote_html(&opening(text, OPENING_WORDS), url, lang),
                match after {
                    Some(a) => format!("now after {}", quote_html(a, url, lang)),
                    None => "now at the start".to_string(),
                }
            ),
            "",
            "",
        ),
        Section::OutsideArticle => labelled(&escape(OUTSIDE_ARTICLE), "", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_is_marked_in_the_language_its_page_declares_where_the_script_agrees() {
        let fr = Some("fr-FR");
        assert_eq!(
            lang_dir("Le cinéaste a quitté l'Iran", fr),
            " lang=\"fr-FR\""
        );
        assert_eq!(lang_dir("Le cinéaste a quitté l'Iran", None), "");
        // A right-to-left language declared: its own tag, right to left.
        assert_eq!(
            lang_dir("فلم ساز ایران سے فرار ہو گیا", Some("ur")),
            " lang=\"ur\" dir=\"rtl\""
        );
        // The script over a declaration it belies: Arabic script on a page
        // that says `en` is right to left, in the language its letters show.
        assert_eq!(
            lang_dir("غادر المخرج إيران", Some("en")),
            " lang=\"ar\" dir=\"rtl\""
        );
        assert_eq!(
            lang_dir("کارگردان از ایران گریخت", Some("en-US")),
            " lang=\"fa\" dir=\"rtl\""
        );
        // A Latin name in a Persian story is no Persian.
        assert_eq!(lang_dir("Mohammad Rasoulof", Some("fa")), "");
        // What is no language tag never reaches the markup.
        assert_eq!(lang_dir("Text", Some("fr\"><script>")), "");
    }

    #[test]
    fn a_byline_that_only_repeats_the_outlet_is_left_out() {
        let ctx = Context::default();
        let mut alert = crate::alert::test_alert();
        alert.kind = ChangeKind::Edited;
        alert.outlet = "IranWire".into();
        alert.byline = Some("IranWire".into());
        for shown in [text(&alert, &ctx), html(&alert, &ctx)] {
            assert!(!shown.contains("By IranWire"), "{shown}");
            assert!(!shown.contains("By <span>IranWire"), "{shown}");
        }
        alert.byline = Some("Deepa Parent".into());
        assert!(text(&alert, &ctx).contains("By Deepa Parent · detected"));
        alert.byline = Some("By IranWire".into());
        assert!(!text(&alert, &ctx).contains("By IranWire"));
    }

    #[test]
    fn a_byline_the_page_prints_with_by_is_not_doubled() {
        let ctx = Context::default();
        let mut alert = crate::alert::test_alert();
        alert.kind = ChangeKind::Edited;
        alert.byline = Some("By Jane Doe".into());
        let text = text(&alert, &ctx);
        assert!(text.contains("By Jane Doe · detected"), "{text}");
        assert!(!text.contains("By By"), "{text}");
        let html = html(&alert, &ctx);
        assert!(html.contains("By <span>Jane Doe</span>"), "{html}");
    }

    /// WCAG 2 relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap() as f64 / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
    }

    /// WCAG 2 contrast ratio of two colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_text_colour_meets_wcag_aa_on_its_backgrounds() {
        for (fg, bgs) in colour::TEXT_ON {
            for bg in *bgs {
                let ratio = contrast(fg, bg);
                println!("{fg} on {bg}: {ratio:.2}:1");
                assert!(ratio >= 4.5, "{fg} on {bg} is only {ratio:.2}:1");
            }
        }
    }

    #[test]
    fn the_change_styles_use_the_checked_colours() {
        assert_eq!(
            DEL_STYLE,
            format!(
                "color:{};background:{};text-decoration:line-through;",
                colour::DEL,
                colour::DEL_BG
            )
        );
        assert_eq!(
            INS_STYLE,
            format!(
                "color:{};background:{};text-decoration:underline;{UNDERLINE_BELOW_DOTS}",
                colour::INS,
                colour::INS_BG
            )
        );
    }

    #[test]
    fn the_html_uses_only_the_checked_colours() {
        let texts: Vec<&str> = colour::TEXT_ON.iter().map(|(fg, _)| *fg).collect();
        let backgrounds: Vec<&str> = colour::TEXT_ON
            .iter()
            .flat_map(|(_, bgs)| bgs.iter().copied())
            .collect();
        let alert = crate::alert::test_alert();
        let html = html(&alert, &Context::default());
        for (prefix, allowed) in [
            (";color:", &texts),
            ("\"color:", &texts),
            ("background:", &backgrounds),
        ] {
            for (i, _) in html.match_indices(prefix) {
                let value = &html[i + prefix.len()..i + prefix.len() + 7];
                assert!(
                    allowed.contains(&value),
                    "{prefix}{value} is not a checked colour"
                );
            }
        }
    }

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

    /// An edit alert for one paragraph changed from `old` to `new`.
    fn edit_alert(old: &str, new: &str) -> Alert {
        let doc = |p: &str| crate::document::Document {
            title: Some("T".into()),
            blocks: vec![crate::document::Block::paragraph(p)],
            ..Default::default()
        };
        let mut alert = crate::alert::test_alert();
        alert.kind = ChangeKind::Edited;
        alert.change =
            crate::compare::compare(&doc(old), &doc(new), &crate::compare::Rules::default());
        alert
    }

    #[test]
    fn a_changed_chinese_or_thai_letter_is_marked_alone_without_spaces_around_it() {
        let ctx = Context::default();
        for (old, new, line, html_marks) in [
            (
                "他在被判处八年徒刑后，徒步越过边境。",
                "他在被判处九年徒刑后，徒步越过边境。",
                "他在被判处[-八-]{+九+}年徒刑后，徒步越过边境。",
                format!("处{}{}年", del("八"), ins("九")),
            ),
            (
                "ราคาน้ำมันไม่เปลี่ยนแปลง",
                "ราคาน้ำมันไม้เปลี่ยนแปลง",
                "ราคาน้ำมัน[-ไม่-]{+ไม้+}เปลี่ยนแปลง",
                format!("มัน{}{}เป", del("ไม่"), ins("ไม้")),
            ),
            (
                "他在被判处八年徒刑。",
                "他在被判处徒刑。",
                "他在被判处[-八年-]徒刑。",
                format!("处{}徒", del("八年")),
            ),
        ] {
            let alert = edit_alert(old, new);
            let text = text(&alert, &ctx);
            assert!(text.contains(&format!("\n  {line}\n")), "{text}");
            let html = html(&alert, &ctx);
            assert!(html.contains(&html_marks), "{html}");
        }
        // A long paragraph keeps a few characters of context on each side.
        let before = "伊朗导演穆罕默德·拉苏洛夫周一在一份声明中表示，";
        let after = "年徒刑后，他徒步越过崎岖的山区边境，几天前抵达欧洲。";
        let alert = edit_alert(
            &format!("{before}他在被判处八{after}"),
            &format!("{before}他在被判处九{after}"),
        );
        let text = text(&alert, &ctx);
        assert!(
            text.contains(
                "\n  … 一份声明中表示，他在被判处[-八-]{+九+}年徒刑后，他徒步越过崎岖的 …\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("the paragraph beginning \u{201C}伊朗导演穆罕默德·…\u{201D}"),
            "{text}"
        );
    }

    /// An alert for a story whose headline (and byline) changed, its text unchanged.
    fn field_alert(headline: (&str, &str), byline: Option<(&str, &str)>) -> Alert {
        let doc = |title: &str, by: Option<&str>| crate::document::Document {
            title: Some(title.into()),
            byline: by.map(str::to_string),
            blocks: vec![crate::document::Block::paragraph(
                "The filmmaker said he had left the country after his sentence.",
            )],
            ..Default::default()
        };
        let mut alert = crate::alert::test_alert();
        alert.kind = ChangeKind::HeadlineChanged;
        alert.title = Some(headline.1.into());
        alert.change = crate::compare::compare(
            &doc(headline.0, byline.map(|b| b.0)),
            &doc(headline.1, byline.map(|b| b.1)),
            &crate::compare::Rules::default(),
        );
        assert!(alert.change.is_some());
        alert
    }

    #[test]
    fn prose_added_outside_the_article_is_not_said_to_open_the_story() {
        let story = "The filmmaker said he had left the country after his sentence.";
        let box_ = "Our newsroom has covered the case since his first arrest in 2010.";
        let doc = |other: &[&str]| crate::document::Document {
            title: Some("Filmmaker flees".into()),
            blocks: vec![crate::document::Block::paragraph(story)],
            other_prose: other
                .iter()
                .map(|t| crate::document::Prose::paragraph(t))
                .collect(),
            ..Default::default()
        };
        let mut alert = crate::alert::test_alert();
        alert.kind = ChangeKind::PossiblyEdited;
        alert.change = crate::compare::compare(
            &doc(&[box_]),
            &doc(&[
                "Read more: the court upheld the sentence on appeal last week",
                box_,
            ]),
            &crate::compare::Rules::default(),
        );
        let ctx = Context::default();
        let text = text(&alert, &ctx);
        assert!(
            text.contains("New paragraph:\n  {+Read more: the court upheld"),
            "{text}"
        );
        assert!(!text.contains("at the start"), "{text}");
        assert!(!html(&alert, &ctx).contains("at the start"));
    }

    #[test]
    fn a_photo_caption_outside_the_article_is_called_a_caption_not_a_paragraph() {
        use crate::document::{Document, Prose};
        let doc = |other: Vec<Prose>| Document {
            title: Some("Protesters killed in Zahedan".into()),
            blocks: vec![crate::document::Block::paragraph(
                "Security forces opened fire on protesters after Friday prayers.",
            )],
            other_prose: other,
            ..Default::default()
        };
        let alert = |old: Vec<Prose>, new: Vec<Prose>| {
            let mut alert = crate::alert::test_alert();
            alert.kind = ChangeKind::PossiblyEdited;
            alert.change =
                crate::compare::compare(&doc(old), &doc(new), &crate::compare::Rules::default());
            assert!(alert.change.is_some());
            alert
        };
        let ctx = Context::default();
        let note = Prose::paragraph("Witnesses described the scene; their names are withheld.");
        let killed = "Protesters killed by security forces in Zahedan on Friday.";
        let died = "Protesters died in clashes in Zahedan on Friday.";

        // Edited.
        let edited = alert(
            vec![Prose::caption(killed), note.clone()],
            vec![Prose::caption(died), note.clone()],
        );
        let t = text(&edited, &ctx);
        assert!(
            t.contains("Changed: the photo caption beginning \u{201C}Protesters died in clashes in Zahedan on Friday.\u{201D}\n  Protesters [-killed by security forces-] {+died in clashes+} in Zahedan on\n  Friday.\n"),
            "{t}"
        );
        assert!(!t.contains("paragraph beginning"), "{t}");
        let h = html(&edited, &ctx);
        assert!(h.contains("Changed: the photo caption beginning"), "{h}");
        assert!(!h.contains("paragraph beginning"), "{h}");

        // Added, and removed (a paragraph beside it stays a paragraph).
        let added = alert(
            vec![note.clone()],
            vec![note.clone(), Prose::caption(killed)],
        );
        let t = text(&added, &ctx);
        assert!(
            t.contains("New photo caption after \u{201C}Witnesses described the scene; their names are withheld.\u{201D}:\n  {+Protesters killed"),
            "{t}"
        );
        assert!(html(&added, &ctx).contains("New photo caption after"));
        let removed = alert(
            vec![Prose::caption(killed), note.clone()],
            vec![note.clone()],
        );
        let t = text(&removed, &ctx);
        assert!(
            t.contains("Photo caption removed (9 words):\n  [-Protesters killed"),
            "{t}"
        );
        assert!(!t.contains("Paragraph removed"), "{t}");
        let both = alert(
            vec![note.clone()],
            vec![
                Prose::caption(killed),
                Prose::paragraph("Our newsroom has covered the protests in the city since 2022."),
                note.clone(),
            ],
        );
        let t = text(&both, &ctx);
        assert!(t.contains("New photo caption:\n  {+Protesters"), "{t}");
        assert!(t.contains("New paragraph after \u{201C}Protesters killed by security forces in Zahedan on…\u{201D}:\n  {+Our newsroom"), "{t}");

        // In Persian: the English label, the caption's words isolated and
        // marked right to left.
        let fa_old = "معترضانی که روز جمعه در زاهدان به دست نیروهای امنیتی کشته شدند";
        let fa_new = "معترضانی که روز جمعه در زاهدان در درگیری‌ها جان باختند";
        let fa = alert(
            vec![Prose::caption(fa_old), note.clone()],
            vec![Prose::caption(fa_new), note],
        );
        let t = text(&fa, &ctx);
        assert!(
            t.contains(&format!(
                "Changed: the photo caption beginning \u{201C}{}\u{201D}\n",
                crate::text::bidi_isolate(&opening(fa_new, OPENING_WORDS))
            )),
            "{t}"
        );
        let h = html(&fa, &ctx);
        assert!(h.contains("Changed: the photo caption beginning"), "{h}");
        assert!(h.contains("dir=\"rtl\""), "{h}");
    }

    #[test]
    fn a_moved_paragraph_says_where_it_now_is() {
        let (a, b, c) = (
            "Rasoulof has been restricted from leaving Iran since 2017.",
            "His film won a special prize at Cannes this year.",
            "He said he had to choose between prison and exile.",
        );
        let doc = |blocks: &[&str]| crate::document::Document {
            title: Some("Filmmaker flees".into()),
            blocks: blocks
                .iter()
                .map(|t| crate::document::Block::paragraph(t))
                .collect(),
            ..Default::default()
        };
        let alert = |old: &[&str], new: &[&str]| {
            let mut alert = crate::alert::test_alert();
            alert.kind = ChangeKind::Edited;
            alert.change =
                crate::compare::compare(&doc(old), &doc(new), &crate::compare::Rules::default());
            alert
        };
        let ctx = Context::default();
        let moved_down = alert(&[a, b, c], &[b, c, a]);
        let text = text(&moved_down, &ctx);
        assert!(
            text.contains(
                "Moved, unchanged: the paragraph beginning \u{201C}Rasoulof has been restricted from leaving Iran since…\u{201D}, now after \u{201C}He said he had to choose between prison…\u{201D}"
            ),
            "{text}"
        );
        let html = html(&moved_down, &ctx);
        assert!(html.contains(", now after \u{201C}"), "{html}");
        assert!(
            html.contains(">He said he had to choose between prison…</"),
            "{html}"
        );
        let to_the_top = alert(&[b, c, a], &[a, b, c]);
        let top = super::text(&to_the_top, &ctx);
        assert!(top.contains("…\u{201D}, now at the start\n"), "{top}");
    }

    #[test]
    fn a_changed_headline_marks_only_its_changed_words_on_its_old_and_new_lines() {
        let ctx = Context::default();
        let alert = field_alert(
            (
                "Filmmaker Mohammad Rasoulof Escapes Iran on Foot After Prison Sentence",
                "Filmmaker Mohammad Rasoulof Leaves Iran After Prison Sentence",
            ),
            Some(("By Deepa Parent", "By Deepa Parent and Ali Hamedani")),
        );
        let text = text(&alert, &ctx);
        assert!(
            text.contains(
                "Headline:\n  - Filmmaker Mohammad Rasoulof [-Escapes-] Iran [-on Foot-] After Prison Sentence\n  + Filmmaker Mohammad Rasoulof {+Leaves+} Iran After Prison Sentence\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "Byline:\n  - By Deepa Parent\n  + By Deepa Parent {+and Ali Hamedani+}\n"
            ),
            "{text}"
        );
        let html = html(&alert, &ctx);
        // Both headlines whole, only the changed words struck or underlined.
        assert!(
            html.contains(&format!(
                "Filmmaker Mohammad Rasoulof {} Iran {} After Prison Sentence</span>",
                del("Escapes"),
                del("on Foot")
            )),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "Filmmaker Mohammad Rasoulof {} Iran After Prison Sentence</span>",
                ins("Leaves")
            )),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "By Deepa Parent {}</span>",
                ins("and Ali Hamedani")
            )),
            "{html}"
        );
        assert!(!html.contains(&del("Filmmaker")), "{html}");
    }

    #[test]
    fn a_changed_persian_headline_marks_only_its_changed_words_right_to_left() {
        let ctx = Context::default();
        // "… fled Iran" softened to "… left Iran"; the half-space in
        // رسول‌اف stays as the page has it.
        let alert = field_alert(
            (
                "محمد رسول‌اف پس از حکم زندان پیاده از ایران گریخت",
                "محمد رسول‌اف پس از حکم زندان ایران را ترک کرد",
            ),
            None,
        );
        let text = text(&alert, &ctx);
        assert!(
            text.contains(
                "Headline:\n  - \u{2067}محمد رسول‌اف پس از حکم زندان [-پیاده از-] ایران [-گریخت-]\u{2069}\n  + \u{2067}محمد رسول‌اف پس از حکم زندان ایران {+را ترک کرد+}\u{2069}\n"
            ),
            "{text}"
        );
        let html = html(&alert, &ctx);
        assert!(
            html.contains(&format!(
                "<span lang=\"fa\" dir=\"rtl\">محمد رسول‌اف پس از حکم زندان {} ایران {}</span>",
                del("پیاده از"),
                del("گریخت")
            )),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<span lang=\"fa\" dir=\"rtl\">محمد رسول‌اف پس از حکم زندان ایران {}</span>",
                ins("را ترک کرد")
            )),
            "{html}"
        );
    }

    #[test]
    fn a_deleted_sentence_keeps_the_spaces_around_it() {
        let ctx = Context::default();
        let before = "In a statement released Monday, the artist said he arrived in Europe a few days ago after a long and complicated journey.";
        let gone = "About a dozen people helped him cross the mountains, he said.";
        let quote = "“I had to choose between prison and leaving Iran,” he wrote.";
        // Before a sentence that opens with a quote: the quote stays on its
        // word, once, and the removed sentence is set apart on both sides.
        let alert = edit_alert(
            &format!("{before} {gone} {quote}"),
            &format!("{before} {quote}"),
        );
        // The text part, unwrapped.
        let text = super::text(&alert, &ctx).replace("\n  ", " ");
        assert!(
            text.contains(
                "complicated journey. [-About a dozen people helped him cross the mountains, he said.-] “I had to choose"
            ),
            "{text}"
        );
        let html = html(&alert, &ctx);
        assert!(
            html.contains(&format!(
                "complicated journey. {} “I had to choose",
                del(gone)
            )),
            "{html}"
        );
        // A sentence added before a quoted one, the same.
        let alert = edit_alert(
            &format!("{before} {quote}"),
            &format!("{before} {gone} {quote}"),
        );
        let text = super::text(&alert, &ctx).replace("\n  ", " ");
        assert!(
            text.contains(&format!(
                "complicated journey. {{+{gone}+}} “I had to choose"
            )),
            "{text}"
        );
        // The last sentence removed.
        let alert = edit_alert(&format!("{before} {gone}"), before);
        // The text part, unwrapped.
        let text = super::text(&alert, &ctx).replace("\n  ", " ");
        assert!(text.contains("complicated journey. [-About a"), "{text}");
        assert!(
            html_of(&alert).contains(&format!("complicated journey. {}", del(gone))),
            "{}",
            html_of(&alert)
        );
        // Persian: after a closing guillemet, and before an opening one.
        let fa_before = "محمد رسول‌اف گفت پس از سفری طولانی به اروپا رسیده است.";
        let fa_gone = "حدود ده نفر به او کمک کردند.";
        let fa_quote = "«من باید بین زندان و ترک ایران یکی را انتخاب می‌کردم»";
        let alert = edit_alert(
            &format!("{fa_before} {fa_gone} {fa_quote}"),
            &format!("{fa_before} {fa_quote}"),
        );
        // The text part, unwrapped.
        let text = super::text(&alert, &ctx).replace("\n  ", " ");
        assert!(
            text.contains(&format!("رسیده است. [-{fa_gone}-] «من باید")),
            "{text}"
        );
        assert!(
            html_of(&alert).contains(&format!("رسیده است. {} «من باید", del(fa_gone))),
            "{}",
            html_of(&alert)
        );
        let alert = edit_alert(&format!("{fa_quote} {fa_gone}"), fa_quote);
        // The text part, unwrapped.
        let text = super::text(&alert, &ctx).replace("\n  ", " ");
        assert!(text.contains(&format!("می‌کردم» [-{fa_gone}-]")), "{text}");
    }

    fn html_of(alert: &Alert) -> String {
        html(alert, &Context::default())
    }

    #[test]
    fn isolates_wrap_right_to_left_text_only() {
        assert_eq!(isolate("Rasoulof flees"), "Rasoulof flees");
        assert_eq!(
            isolate("رسول‌اف از ایران\nگریخت"),
            "\u{2067}رسول‌اف از ایران گریخت\u{2069}"
        );
        // Mostly right to left although it starts with a Latin word: a
        // first-strong isolate would set it left to right.
        assert_eq!(
            isolate("ChatGPT در ایران فیلتر شد"),
            "\u{2067}ChatGPT در ایران فیلتر شد\u{2069}"
        );
        assert_eq!(
            isolate("Interview with رسول‌اف"),
            "\u{2068}Interview with رسول‌اف\u{2069}"
        );
    }

    #[test]
    fn a_text_fragment_link_points_at_the_quoted_words() {
        assert_eq!(
            fragment_href("https://news.example.org/a#top", "Iran's Culture Minister, on Monday called the…").as_deref(),
            Some("https://news.example.org/a#:~:text=Iran%27s%20Culture%20Minister%2C%20on%20Monday%20called")
        );
        assert_eq!(fragment_href("javascript:alert(1)", "x"), None);
    }
}
