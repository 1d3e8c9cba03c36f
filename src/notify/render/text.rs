//! The plain-text rendering of an alert ([`text()`]): for terminals, logs,
//! stdout and the text part of an email; removed words `[-like this-]`,
//! added words `{+like this+}`, right-to-left page text in Unicode isolates,
//! lines wrapped at 76 columns; and the same text for a chat message
//! ([`chat_text`]), each paragraph on one line, which the chat wraps.

use super::escape::{isolate, one_line};
use super::words::{field_line, field_words, needs_space, with_context};
use super::{
    author, byline, cut_note, detected, kept_snapshot, last_known_caption, more_changes,
    more_items, more_of, passage_pieces, record_line, run_label, run_lines, sections, signature,
    single_item, summary_after_label, when, whole_text_command, Context, Section, ANOTHER_SITE,
    MOVED_NOTE, OPENING_WORDS, OUTSIDE_ARTICLE, PASSAGE_LABEL,
};
use crate::alert::{Alert, AlertItem, LastKnown};
use crate::compare::{ChangeKind, SegmentOp};
use crate::document::BlockKind;
use crate::text::{opening, quoted};

/// Plain-text rendering: reads well in a terminal, a text mail client and a
/// phone's preview. Removed words are shown `[-like this-]`, added words
/// `{+like this+}`.
pub fn text(alert: &Alert, ctx: &Context) -> String {
    footed(
        alert,
        ctx,
        KeywordMarks::TEXT,
        record_line(alert),
        Some(WIDTH),
    )
}

/// What a text puts around a keyword in an item's passage ("In the
/// article:"), where its rendering emphasises it: the text email `*Evin*`,
/// a chat message its own emphasis, a code block nothing (it would show
/// the marks as they are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeywordMarks {
    /// Before the keyword.
    pub open: &'static str,
    /// After it.
    pub close: &'static str,
}

impl KeywordMarks {
    /// The text email's: `*Evin*`.
    pub const TEXT: KeywordMarks = KeywordMarks {
        open: "*",
        close: "*",
    };
    /// None: the keyword as the page writes it.
    pub const NONE: KeywordMarks = KeywordMarks {
        open: "",
        close: "",
    };
}

/// The plain-text rendering ([`text()`]) for a chat message: each
/// paragraph and each of presswatch's lines whole on one line, not wrapped
/// at 76 columns (the chat wraps them to its window, a phone's or a wide
/// one, where hard breaks left ragged lines mid-sentence); a passage's
/// keywords marked by `marks`, for a chat that emphasises them its own
/// way, or shows the text in a code block, where `*Evin*` would read as it
/// is. A chat message puts the alert's record ([`record_line`]) in its
/// heading, which no cut to the service's size limit takes away, not in
/// this text.
pub fn chat_text(alert: &Alert, ctx: &Context, marks: KeywordMarks) -> String {
    footed(alert, ctx, marks, None, None)
}

/// The text, then the footer: the legend when something is coloured, the
/// record line when given, and the signature; lines wrapped at `width`
/// columns, or whole when `None`.
fn footed(
    alert: &Alert,
    ctx: &Context,
    marks: KeywordMarks,
    record: Option<String>,
    width: Option<usize>,
) -> String {
    let (body, coloured) = text_body(alert, ctx, marks, width);
    let mut out = body;
    out.push_str("\n-- \n");
    if coloured {
        out.push_str(TEXT_LEGEND);
        out.push('\n');
    }
    if let Some(line) = record {
        out.push_str(&own_lines(&line, width));
        out.push('\n');
    }
    out.push_str(&own_lines(&signature(alert), width));
    out.push('\n');
    out
}

/// What the text markers mean.
pub(super) const TEXT_LEGEND: &str = "[-removed words-] {+added words+}";

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

/// The title line of an alert: presswatch's own sentence about several
/// items ([`Alert::own_title`]) as English, with only the outlet's name in
/// an isolate; a title of the page in an isolate of its own.
pub(super) fn title_line(alert: &Alert, title: &str) -> String {
    match alert.own_title() {
        Some((words, outlet)) => format!("{words}{}", isolate(outlet)),
        None => isolate(title),
    }
}

/// One alert as text, without the signature, its lines wrapped at `width`
/// columns (whole when `None`); and whether it shows removed or added
/// words.
pub(super) fn text_body(
    alert: &Alert,
    ctx: &Context,
    marks: KeywordMarks,
    width: Option<usize>,
) -> (String, bool) {
    let mut out = String::new();
    out.push_str(&own_lines(&first_line(alert), width));
    out.push('\n');
    let item = single_item(alert);
    let title = item
        .map(|i| i.title.as_str())
        .or(alert.title.as_deref())
        .unwrap_or(&alert.watch);
    match alert.own_title() {
        Some(_) => out.push_str(&own_lines(&title_line(alert, title), width)),
        None => out.push_str(&page_lines(title, "", "  ", width)),
    }
    out.push('\n');
    if let Some(s) = summary_after_label(alert) {
        out.push_str(&own_lines(&s, width));
        out.push('\n');
    }
    out.push('\n');
    let detected = detected(alert, ctx);
    match item {
        Some(it) => {
            if !it.url.is_empty() {
                out.push_str(&format!("{}\n", it.url));
            }
            let found = match &detected {
                Some(d) => format!("Detected {d} · found on {}", alert.url),
                None => format!("Found on {}", alert.url),
            };
            out.push_str(&format!("{}\n", own_lines(&found, width)));
        }
        None if alert.kind == ChangeKind::Test => {
            if let Some(d) = &detected {
                out.push_str(&format!("Sent {d}\n"));
            }
        }
        None => {
            // A moved article is read at its new address.
            let url = alert.moved_to.as_deref().unwrap_or(&alert.url);
            out.push_str(&format!("{url}\n"));
            let by = match (byline(alert), &detected) {
                (Some(b), Some(d)) => Some(format!("By {} · detected {d}", isolate(&b))),
                (Some(b), None) => Some(format!("By {}", isolate(&b))),
                (None, Some(d)) => Some(format!("Detected {d}")),
                (None, None) => None,
            };
            if let Some(line) = by {
                out.push_str(&format!("{}\n", own_lines(&line, width)));
            }
        }
    }
    if !alert.keywords.is_empty() {
        let words: Vec<String> = alert.keywords.iter().map(|k| isolate(k)).collect();
        out.push_str(&format!(
            "{}\n",
            own_lines(&format!("Mentions: {}", words.join(", ")), width)
        ));
    }
    if let Some(err) = &alert.error {
        out.push_str(&format!(
            "\n{}\n",
            own_lines(&format!("Error: {err}"), width)
        ));
    }
    if let Some(to) = &alert.moved_to {
        let site = crate::alert::another_site(&alert.url, to)
            .map(|host| format!("{ANOTHER_SITE}: {host}\n"))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n{}\n",
            own_lines(
                &format!(
                    "Old address: {}\nNew address: {to}\n{site}{MOVED_NOTE}",
                    alert.url
                ),
                width
            )
        ));
    }
    if let Some(line) = kept_snapshot(alert) {
        out.push_str(&format!("\n{}\n", own_lines(&line, width)));
    }
    if let Some(page) = alert.evidence.as_ref().and_then(|e| e.report.as_deref()) {
        out.push_str(&format!(
            "{}\n",
            own_lines(&format!("Evidence: {page}"), width)
        ));
    }
    if let Some(last) = &alert.last_known {
        out.push_str(&last_known_text(alert, last, ctx, width));
    }
    if alert.kind == ChangeKind::Test {
        out.push_str(&format!(
            "\n{}\n",
            own_lines(
                "Below is an example of how a change looks. Nothing here comes from a watched page."
            , width)
        ));
    }
    let (shown, more) = sections(alert, ctx.whole);
    let coloured = shown.iter().any(Section::is_coloured) || !alert.retitled.is_empty();
    for s in &shown {
        out.push('\n');
        out.push_str(&text_section(s, width));
    }
    for (i, r) in alert.retitled.iter().enumerate() {
        if i == 0 {
            out.push('\n');
        }
        let diff = text_diff(&with_context(&r.segments));
        out.push_str(&format!(
            "{}\n  {}\n",
            page_lines(&diff, "* ", "  ", width),
            r.url
        ));
        if let Some(s) = &r.snippet {
            out.push_str(&format!("{}\n", indent(&opening(s, 40), width)));
        }
        out.push_str(&item_mentions_text(&r.keywords, width));
    }
    if more > 0 {
        let (count, command) = more_changes(alert, more, ctx);
        out.push_str(&format!("\n{count} See every change with:\n  {command}\n"));
    }
    if let Some(it) = item {
        if let Some(s) = &it.snippet {
            out.push_str(&format!("\n{}\n", indent(&opening(s, 40), width)));
        }
        if let Some(p) = passage_text(it, marks, width) {
            out.push_str(&format!("\n{p}\n"));
        }
    } else if !alert.items.is_empty() {
        out.push('\n');
        for it in &alert.items {
            out.push_str(&format!(
                "{}\n  {}\n",
                page_lines(&it.title, "* ", "  ", width),
                it.url
            ));
            if let Some(s) = &it.snippet {
                out.push_str(&format!("{}\n", indent(&opening(s, 40), width)));
            }
            out.push_str(&item_mentions_text(&it.keywords, width));
            if let Some(p) = passage_text(it, marks, width) {
                out.push_str(&format!("{p}\n"));
            }
        }
        if let Some((count, command)) = more_items(alert, ctx) {
            out.push_str(&format!("\n{count} See them all with:\n  {command}\n"));
        }
    }
    (out, coloured)
}

/// The keywords one item of a list mentions (a new or retitled item's),
/// as a line under it: `  Mentions: Evin, Rasoulof`; empty when none.
fn item_mentions_text(keywords: &[String], width: Option<usize>) -> String {
    if keywords.is_empty() {
        return String::new();
    }
    let words: Vec<String> = keywords.iter().map(|k| isolate(k)).collect();
    format!(
        "{}\n",
        hanging(
            &format!("Mentions: {}", words.join(", ")),
            "  ",
            "    ",
            width
        )
    )
}

/// An item's passage that mentions a keyword its title and teaser do not
/// ([`crate::alert::AlertItem::passage`]), as text: after its label, the
/// keywords marked by `marks` (`*like this*` in the text email), indented
/// and wrapped at `width`, a keyword of several words whole on a line.
fn passage_text(it: &AlertItem, marks: KeywordMarks, width: Option<usize>) -> Option<String> {
    let marked: String = passage_pieces(it)?
        .into_iter()
        .map(|(keyword, t)| {
            if keyword {
                format!("{}{t}{}", marks.open, marks.close)
            } else {
                t.to_string()
            }
        })
        .collect();
    Some(format!(
        "  {PASSAGE_LABEL}:\n{}",
        indent_marked(
            &quoted(it.passage.as_deref().unwrap_or_default(), &marked),
            width,
            &[(marks.open, marks.close)]
        )
    ))
}

/// A taken-down article's last text as plain text: not marked up as removed
/// (it is what the article said), headings, quotes and list items marked as
/// in a baseline file.
fn last_known_text(alert: &Alert, last: &LastKnown, ctx: &Context, width: Option<usize>) -> String {
    let caption = format!("{}:", last_known_caption(last, ctx.timezone));
    let mut out = format!("\n{}\n\n", own_lines(&caption, width));
    if let Some(t) = &last.title {
        out.push_str(&format!("{}\n", page_lines(t, "  ", "  ", width)));
    }
    let mut meta = Vec::new();
    if let Some(name) = last
        .byline
        .as_deref()
        .and_then(|b| author(b, &alert.outlet))
    {
        // "By" is presswatch's English, outside the name's isolate: inside
        // a right-to-left one it would stand after the name.
        meta.push(format!("By {}", isolate(&name)));
    }
    if let Some(p) = &last.published {
        meta.push(format!("published {}", when(&one_line(p), ctx.timezone)));
    }
    if !meta.is_empty() {
        out.push_str(&format!(
            "{}\n",
            hanging(&meta.join(" · "), "  ", "  ", width)
        ));
    }
    for b in &last.blocks {
        let marker = match b.kind {
            BlockKind::Paragraph => "",
            BlockKind::Heading => "## ",
            BlockKind::Quote => "> ",
            BlockKind::ListItem => "- ",
        };
        // Each line of it marked with its direction ([`indent`]).
        out.push_str(&format!(
            "\n{}\n",
            indent(&format!("{marker}{}", b.text), width)
        ));
    }
    if let Some(note) = cut_note(last) {
        // The command on a line of its own, unwrapped, to copy as it is.
        out.push_str(&format!(
            "\n{}\n  {}\n",
            indent(&note, width),
            whole_text_command(alert, last, ctx)
        ));
    }
    out
}

/// One section as text, wrapped at `width`.
fn text_section(s: &Section, width: Option<usize>) -> String {
    match s {
        Section::Field { label, old, new } => {
            let (was, now) = field_words(old, new);
            format!(
                "{label}:\n{}\n{}\n",
                page_lines(&field_line(&was, text_mark), "  - ", "    ", width),
                page_lines(&field_line(&now, text_mark), "  + ", "    ", width)
            )
        }
        Section::Run {
            added,
            paragraphs,
            after,
            outside,
            kind,
            whole,
        } => {
            let (label, quote) = run_label(*added, paragraphs, *after, *outside, *kind);
            let heading = match quote {
                Some(q) => format!("{label} {}:", quoted(&q, &isolate(&q))),
                None => format!("{label}:"),
            };
            let mut out = format!("{}\n", heading_lines(&heading, width));
            let (open, close) = if *added { ("{+", "+}") } else { ("[-", "-]") };
            let lines = run_lines(paragraphs, *whole);
            for (shown, left_out) in &lines {
                let cut = if *left_out > 0 { " …" } else { "" };
                out.push_str(&indent(&format!("{open}{shown}{cut}{close}"), width));
                out.push('\n');
                if *left_out > 0 && paragraphs.len() == 1 {
                    out.push_str(&format!("  ({left_out} more words)\n"));
                }
            }
            if paragraphs.len() > lines.len() {
                out.push_str(&format!(
                    "  … and {}\n",
                    more_of(paragraphs.len() - lines.len(), *kind)
                ));
            }
            out
        }
        Section::Changed {
            opening,
            words,
            kind,
        } => format!(
            "{}\n{}\n",
            heading_lines(
                &format!(
                    "Changed: the {} beginning {}",
                    kind.nouns().0,
                    quoted(opening, &isolate(opening))
                ),
                width
            ),
            indent(&text_diff(words), width)
        ),
        Section::Moved { text, after } => {
            let first = opening(text, OPENING_WORDS);
            let line = format!(
                "Moved, unchanged: the paragraph beginning {}, {}",
                quoted(&first, &isolate(&first)),
                match after {
                    Some(a) => format!("now after {}", quoted(a, &isolate(a))),
                    None => "now at the start".to_string(),
                }
            );
            format!("{}\n", own_lines(&line, width))
        }
        Section::OutsideArticle => format!("{}\n", own_lines(OUTSIDE_ARTICLE, width)),
    }
}

/// The marks the text part puts around a change's words, each opening
/// and closing: removed `[-like this-]`, added `{+like this+}`.
const CHANGE_MARKS: [(&str, &str); 2] = [("[-", "-]"), ("{+", "+}")];

/// Words as the text part marks them ([`CHANGE_MARKS`]).
fn text_mark(op: SegmentOp, t: &str) -> String {
    let (open, close) = match op {
        SegmentOp::Same => return t.to_string(),
        SegmentOp::Removed => CHANGE_MARKS[0],
        SegmentOp::Added => CHANGE_MARKS[1],
    };
    format!("{open}{t}{close}")
}

/// Words of a diff as text: removed words `[-like this-]`, added words
/// `{+like this+}`, on one line.
fn text_diff(words: &[(SegmentOp, String)]) -> String {
    let mut line = String::new();
    for (op, t) in words {
        // A marked piece may start with the space before it (" and
        // flogging" removed before the new version's full stop): the space
        // is set outside the marks.
        if *op != SegmentOp::Same
            && (needs_space(&line, t) || t.starts_with(char::is_whitespace))
            && !line.ends_with(' ')
        {
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

/// Text indented by two spaces and wrapped at `width` columns, each line
/// of it whole when `None`. Plain-text mail
/// clients set each line's direction by its first letter, so each line of
/// right-to-left text starts with a right-to-left mark (U+200F), and each
/// line of other text that holds some with a left-to-right mark (U+200E):
/// a line of a Persian paragraph that starts with "International" stays
/// right to left. Marks, not isolates, which a wrap would leave open on
/// one line and closed on the next.
fn indent(s: &str, width: Option<usize>) -> String {
    indent_marked(s, width, &CHANGE_MARKS)
}

/// Page text as [`indent`] sets it, a span between one of `marks`' pairs
/// kept on one line when it fits.
fn indent_marked(s: &str, width: Option<usize>, marks: &[(&str, &str)]) -> String {
    let mark = if crate::text::is_rtl(s) {
        "\u{200F}"
    } else if crate::text::has_rtl(s) {
        "\u{200E}"
    } else {
        ""
    };
    let line = room(width, 2);
    s.lines()
        .flat_map(|l| fill(&page_words(l, line, marks), line, line, false))
        .map(|l| format!("  {mark}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The columns of the text part's lines.
pub(super) const WIDTH: usize = 76;

/// The columns a line of at most `width` columns (of any length when
/// `None`) has after a lead of `lead` columns.
fn room(width: Option<usize>, lead: usize) -> usize {
    width.map_or(usize::MAX, |w| w - lead)
}

/// presswatch's own words (a note, an error, an address, a caption), each
/// line wrapped at `width` columns, its continuation lines indented by two
/// spaces. What a reader clicks or copies stays whole: a URL, a command
/// or a key in backticks, page text in an isolate. `status` sets its lines
/// about failing watches so too.
pub fn own_lines(s: &str, width: Option<usize>) -> String {
    hanging(s, "", "  ", width)
}

/// A heading whose body is indented under it ("Changed: the paragraph
/// beginning …"), wrapped at `width` columns, its continuation lines flush
/// left so that they do not read as its body.
pub(super) fn heading_lines(s: &str, width: Option<usize>) -> String {
    hanging(s, "", "", width)
}

/// Each line of `s` after `first`, wrapped at `width` columns, its
/// continuation lines after `rest`.
fn hanging(s: &str, first: &str, rest: &str, width: Option<usize>) -> String {
    let (a, b) = (first.chars().count(), rest.chars().count());
    s.lines()
        .map(|line| {
            let lines = fill(&own_words(line), room(width, a), room(width, b), true);
            led(&lines, first, rest)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Page text (a headline, an item's title, a changed headline's line)
/// after `first`, wrapped at `width` columns, its continuation lines after
/// `rest`: each line in an isolate of its own, as isolates never span a
/// line break, in the direction of the whole text: right to left on every
/// line of a Persian headline, one starting with an English word included.
fn page_lines(s: &str, first: &str, rest: &str, width: Option<usize>) -> String {
    let (a, b) = (first.chars().count(), rest.chars().count());
    let line = one_line(s);
    let lines: Vec<String> = fill(
        &page_words(&line, room(width, b), &CHANGE_MARKS),
        room(width, a),
        room(width, b),
        false,
    )
    .iter()
    .map(|l| crate::text::bidi_isolate_in(l, &line))
    .collect();
    led(&lines, first, rest)
}

/// Wrapped lines joined, the first after `first`, the others after `rest`.
fn led(lines: &[String], first: &str, rest: &str) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}{l}", if i == 0 { first } else { rest }))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The words of page text (a paragraph, a headline, an item's title),
/// split at spaces, but for a span between one of `marks`' pairs (a
/// change's `[-…-]` and `{+…+}`, [`CHANGE_MARKS`]; a passage's keyword,
/// `*Seed of the Sacred Fig*`) with what the page sets against it without a
/// space (`“{+a flogging+},`): one word when it fits on a line of `line`
/// columns, so that a reader scanning for the marks sees each of them
/// whole, its two ends on one line. A span longer than a line is split at
/// its spaces like the text around it.
fn page_words<'a>(s: &'a str, line: usize, marks: &[(&str, &str)]) -> Vec<&'a str> {
    let mut words = Vec::new();
    // Where the marked span under way started (its first word), and the
    // mark that closes it.
    let (mut span, mut awaited): (Option<usize>, Option<&str>) = (None, None);
    let mut at = 0;
    for word in s.split(' ') {
        let start = at;
        at += word.len() + 1;
        let mut rest = word;
        loop {
            let found = match awaited {
                Some(close) => rest.find(close).map(|i| (i + close.len(), None)),
                None => marks
                    .iter()
                    .filter(|(open, _)| !open.is_empty())
                    .filter_map(|&(open, close)| Some((rest.find(open)?, open.len(), close)))
                    .min_by_key(|&(i, _, _)| i)
                    .map(|(i, open, close)| (i + open, Some(close))),
            };
            let Some((after, next)) = found else { break };
            rest = &rest[after..];
            awaited = next;
        }
        let from = span.unwrap_or(start);
        if awaited.is_some() {
            span = Some(from);
            continue;
        }
        span = None;
        let marked = &s[from..start + word.len()];
        if from == start || marked.chars().count() <= line {
            words.push(marked);
        } else {
            words.extend(marked.split(' '));
        }
    }
    // A mark left open: the page's own brackets, not a span.
    if let Some(from) = span {
        words.extend(s[from..].split(' '));
    }
    words
}

/// The words of one of presswatch's lines, split at spaces, but for what
/// must not be broken: a span in backticks (a key to set, a command to
/// run; an unclosed backtick opens no span) and page text in a Unicode
/// isolate, each with its spaces one word.
fn own_words(s: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let (mut start, mut in_code, mut isolates) = (0, false, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '\u{2066}' | '\u{2067}' | '\u{2068}' => isolates += 1,
            '\u{2069}' => isolates = isolates.saturating_sub(1),
            ' ' if !in_code && isolates == 0 => {
                words.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_code {
        words.extend(s[start..].split(' '));
    } else {
        words.push(&s[start..]);
    }
    words
}

/// Whether a word stands on a line of its own when its line is wrapped: a
/// URL, to click, and a command in backticks, to copy.
fn stands_alone(word: &str) -> bool {
    word.starts_with('`') || word.starts_with("https://") || word.starts_with("http://")
}

/// Sets words on lines, one space apart: the first line of at most `first`
/// characters, the others of at most `rest`; a word longer than a line
/// has one of its own, unbroken. A line that fits is left whole; when it
/// does not, and `apart` (presswatch's own words), a URL or a command
/// ([`stands_alone`]) gets a line of its own, but for a sign after it
/// ("→"), which stays beside it.
fn fill(words: &[&str], first: usize, rest: usize, apart: bool) -> Vec<String> {
    let len = |w: &str| w.chars().count();
    let whole = words.iter().map(|w| len(w)).sum::<usize>() + words.len().saturating_sub(1);
    if whole <= first {
        return vec![words.join(" ")];
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let width = |lines: &Vec<String>| if lines.is_empty() { first } else { rest };
    let mut after_alone = false;
    for w in words {
        // A sign after a URL ("→") stays on its line.
        if after_alone && line.is_empty() && !w.chars().any(char::is_alphanumeric) {
            if let Some(last) = lines.last_mut() {
                last.push(' ');
                last.push_str(w);
                continue;
            }
        }
        let alone = apart && stands_alone(w);
        after_alone = alone;
        if !line.is_empty() && (alone || len(&line) + 1 + len(w) > width(&lines)) {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
        if alone {
            lines.push(std::mem::take(&mut line));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}
