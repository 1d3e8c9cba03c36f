//! The HTML rendering of an alert ([`html()`]): inline CSS, no external
//! resources, no scripts; its colours (each text colour on its backgrounds
//! meets WCAG AA, which the tests check), the removed and added words'
//! styles, the page around the card, the card itself ([`html_card`], which
//! the evidence viewer shows too), a move's addresses ([`moved_html`]), and
//! each section as HTML.

use chrono_tz::Tz;

use super::escape::{escape, fragment_href, href, lang_dir, one_line};
use super::words::{ends_unspaced, field_line, field_words, needs_space, with_context};
use super::{
    author, byline, cut_note, detected, kept_snapshot, last_known_caption, main_link, more_changes,
    more_items, more_of, passage_pieces, run_label, run_lines, sections, signature, single_item,
    summary_after_label, when, whole_text_command, Context, Section, ANOTHER_SITE, MOVED_NOTE,
    OPENING_WORDS, OUTSIDE_ARTICLE, PASSAGE_LABEL,
};
use crate::alert::{Alert, AlertItem, LastKnown};
use crate::compare::{ChangeKind, SegmentOp};
use crate::document::BlockKind;
use crate::text::{opening, quoted};

/// The colours of the HTML part. Every text colour is used only on the
/// backgrounds listed with it in [`TEXT_ON`], and each pair meets WCAG AA
/// (4.5:1) for normal text; the tests compute the ratios.
pub(super) mod colour {
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

/// What a screen reader says before removed words: English, left to
/// right, inside a Persian paragraph too.
const SAID_REMOVED: &str = "removed: ";

/// What a screen reader says before added words.
const SAID_ADDED: &str = "added: ";

/// Text (English) that a screen reader announces and a sighted reader does
/// not see; marked `lang="en" dir="ltr"` so that it is read in English in a
/// story in another language (a Persian paragraph's `lang="fa"`).
fn for_screen_readers(t: &str) -> String {
    format!(
        "<span lang=\"en\" dir=\"ltr\" style=\"position:absolute;display:inline-block;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;mso-hide:all;font-size:0;line-height:0;max-height:0;\">{t}</span>"
    )
}

/// Inline style of removed words (email and evidence viewer alike):
/// struck through, in `colour::DEL` on `colour::DEL_BG`.
pub const DEL_STYLE: &str = "color:#9b0019;background:#fde7e9;text-decoration:line-through;";

/// Inline style of added words (email and evidence viewer alike):
/// underlined below the letters' dots (`UNDERLINE_BELOW_DOTS`), in
/// `colour::INS` on `colour::INS_BG`.
pub const INS_STYLE: &str =
    "color:#0a5c26;background:#e3f6e8;text-decoration:underline;text-underline-offset:0.3em;";

/// Moves an underline below the dots under Persian and Arabic letters (ب,
/// پ, ی), which an underline at the usual depth crosses; Latin text keeps a
/// clear gap too. For underlined text that may be Persian or Arabic.
const UNDERLINE_BELOW_DOTS: &str = "text-underline-offset:0.3em;";

/// Removed words: struck through, red, announced as "removed:".
pub(super) fn del(t: &str) -> String {
    format!(
        "<del style=\"{DEL_STYLE}\">{}{}</del>",
        for_screen_readers(SAID_REMOVED),
        escape(t)
    )
}

/// Added words: underlined, green, announced as "added:".
pub(super) fn ins(t: &str) -> String {
    format!(
        "<ins style=\"{INS_STYLE}\">{}{}</ins>",
        for_screen_readers(SAID_ADDED),
        escape(t)
    )
}

/// Words as the HTML part marks them ([`del`], [`ins`]), escaped.
fn html_mark(op: SegmentOp, t: &str) -> String {
    match op {
        SegmentOp::Same => escape(t),
        SegmentOp::Removed => del(t),
        SegmentOp::Added => ins(t),
    }
}

/// Wraps body HTML in a complete document with a centred white card. The
/// document's root carries `story`, the `lang`/`dir` of the one story it is
/// about ([`lang_dir`]), for mail clients and screen readers; the labels
/// around the story stay English and left-to-right inside it. Without a
/// story's language (left-to-right text of a page that declares none, a
/// digest of several stories) the root is the labels' `lang="en"`.
pub(super) fn page(inner: &str, story: &str) -> String {
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

/// The footer: the legend (when something is coloured), the alert's
/// record ([`super::record_line`]) when it has one, and the signature line.
pub(super) fn html_footer(coloured: bool, record: Option<String>, text: &str) -> String {
    let mut legend = if coloured {
        format!(
            "Removed words are <del style=\"{DEL_STYLE}\">struck through</del>, added words <ins style=\"{INS_STYLE}\">underlined</ins>.<br>"
        )
    } else {
        String::new()
    };
    if let Some(line) = record {
        legend.push_str(&format!("{}<br>", escape(&line)));
    }
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
    b.push_str(&html_footer(
        coloured,
        super::record_line(alert),
        &signature(alert),
    ));
    let story = if alert.kind == ChangeKind::Test {
        String::new()
    } else if alert.own_title().is_some() {
        // The stories are the items, each in the outlet's language.
        let first = alert.items.first().map(|it| it.title.as_str());
        let first = first.or(alert.retitled.first().map(|r| r.new_title.as_str()));
        lang_dir(first.unwrap_or_default(), alert.lang.as_deref())
    } else {
        lang_dir(&headline(alert), alert.lang.as_deref())
    };
    page(&b, &story)
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
    quoted(quote, &inner)
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

/// A card's headline (`title`, [`headline`]) as HTML, and the `lang`/`dir`
/// of the heading that shows it: presswatch's own sentence about several
/// items ([`Alert::own_title`]) is English, left to right, with only the
/// outlet's name in its language and direction; a title of the page is
/// in the story's.
fn headline_html(alert: &Alert, title: &str) -> (String, String) {
    let lang = alert.lang.as_deref();
    match alert.own_title() {
        Some((words, outlet)) => (
            format!("{}{}", escape(words), name_html(outlet, lang)),
            " lang=\"en\" dir=\"ltr\"".to_string(),
        ),
        None => (escape(title), lang_dir(title, lang)),
    }
}

/// A name of the story's (the outlet's, a byline's) inside English words:
/// in a `span` that marks its language and direction, when it needs one.
pub(super) fn name_html(name: &str, lang: Option<&str>) -> String {
    match lang_dir(name, lang) {
        attrs if attrs.is_empty() => escape(name),
        attrs => format!("<span{attrs}>{}</span>", escape(name)),
    }
}

/// One alert as HTML, without the page around it, times in `tz`; the
/// evidence viewer shows the same card.
pub fn html_card(alert: &Alert, tz: Tz, headline_px: u32) -> String {
    let ctx = Context {
        timezone: tz,
        config: None,
        whole: false,
    };
    card(alert, &ctx, headline_px).0
}

/// One alert as HTML, without the page around it; the headline in
/// `headline_px` (smaller inside a digest, under the story's heading).
/// Also says whether it shows removed or added words.
pub(super) fn card(alert: &Alert, ctx: &Context, headline_px: u32) -> (String, bool) {
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
    let (shown, attrs) = headline_html(alert, &title);
    let headline = match &link {
        Some((h, _)) => format!(
            "<a href=\"{h}\" style=\"color:{};text-decoration:none;\">{shown}</a>",
            colour::LINK,
        ),
        None => shown,
    };
    b.push_str(&format!(
        "<h1 style=\"font-size:{headline_px}px;line-height:1.3;margin:6px 0 8px 0;color:{};\"{attrs}>{headline}</h1>",
        colour::INK,
    ));
    let mut meta = Vec::new();
    if let Some(by) = byline(alert) {
        meta.push(format!(
            "By <span{}>{}</span>",
            lang_dir(&by, alert.lang.as_deref()),
            escape(&by)
        ));
    }
    if let Some(detected) = detected(alert, ctx) {
        let detected = escape(&detected);
        meta.push(if alert.kind == ChangeKind::Test {
            format!("Sent {detected}")
        } else {
            format!("Detected {detected}")
        });
    }
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
        meta.push(format!(
            "mentions {}",
            keywords_html(&alert.keywords, alert.lang.as_deref())
        ));
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
            code_spans(err)
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
    let (shown, more) = sections(alert, ctx.whole);
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
        if let Some(p) = passage_html(it, alert.lang.as_deref()) {
            b.push_str(&format!(
                "<p style=\"margin:12px 0 0 0;font-size:16px;line-height:1.55;color:{};\">{p}</p>",
                colour::INK
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
            b.push_str(&item_mentions_html(&it.keywords, alert.lang.as_deref()));
            if let Some(p) = passage_html(it, alert.lang.as_deref()) {
                b.push_str(&format!(
                    "<br><span style=\"color:{};font-size:15px;\">{p}</span>",
                    colour::INK
                ));
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

/// A move's old and new address, linked (http(s) only, [`href`]), the
/// other site it went to if it did (`ANOTHER_SITE`), and what the
/// move means for those citing the story (`MOVED_NOTE`): the `moved`
/// alert's HTML and the evidence viewer's row of the move say it so. The
/// new address, which the note tells staff to cite and link, is given
/// without tracking parameters ([`crate::tracking::without_tracking`]),
/// as the alert gives it; the viewer's row says above it where the
/// redirect led, as served.
pub fn moved_html(from: &str, to: &str) -> String {
    let to = crate::tracking::without_tracking(to);
    let to = to.as_str();
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

/// Keywords as an alert names them: each in bold, in its language and
/// direction, apart by commas.
fn keywords_html(keywords: &[String], lang: Option<&str>) -> String {
    keywords
        .iter()
        .map(|k| format!("<b{}>{}</b>", lang_dir(k, lang), escape(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keywords one item of a list mentions (a new or retitled item's),
/// as a muted line under it: "mentions **Evin**"; empty when none.
fn item_mentions_html(keywords: &[String], lang: Option<&str>) -> String {
    if keywords.is_empty() {
        return String::new();
    }
    format!(
        "<br><span lang=\"en\" dir=\"ltr\" style=\"color:{};font-size:14px;\">mentions {}</span>",
        colour::MUTED,
        keywords_html(keywords, lang)
    )
}

/// Inline style of a keyword marked in the passage that mentions it
/// ([`passage_html`]): bold, `colour::INK` on `colour::NOTE_BG`, the
/// summary's colours.
const KEYWORD_STYLE: &str = "color:#222222;background:#fff8e1;font-weight:bold;";

/// An item's passage that mentions a keyword its title and teaser do not
/// ([`AlertItem::passage`]) as HTML: its label, muted, then the passage
/// in quotes in the story's language and direction, each keyword in it
/// marked ([`KEYWORD_STYLE`]); `None` when the item has none.
fn passage_html(it: &AlertItem, lang: Option<&str>) -> Option<String> {
    let pieces = passage_pieces(it)?;
    let marked: String = pieces
        .iter()
        .map(|(keyword, t)| {
            if *keyword {
                format!("<mark style=\"{KEYWORD_STYLE}\">{}</mark>", escape(t))
            } else {
                escape(t)
            }
        })
        .collect();
    let all: String = pieces.iter().map(|(_, t)| *t).collect();
    // Quote marks of its script written out, not `<q>`'s, which mail
    // clients show in the reader's language or not at all.
    Some(format!(
        "<span lang=\"en\" dir=\"ltr\" style=\"color:{};\">{PASSAGE_LABEL}:</span> <span{}>{}</span>",
        colour::MUTED,
        lang_dir(&all, lang),
        quoted(&all, &marked)
    ))
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
        b.push_str(&item_mentions_html(&r.keywords, alert.lang.as_deref()));
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
        // "By" is presswatch's English, outside the name's span: inside a
        // right-to-left one it would stand after the name, as the card's
        // byline line has it.
        meta.push(format!("By {}", name_html(&name, alert.lang.as_deref())));
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
    for (i, (op, t)) in words.iter().enumerate() {
        // Punctuation the unchanged text goes on with ("in prison
        // [-and flogging-].") follows the marked words closely.
        let punctuation_next = words.get(i + 1).is_some_and(|(next, n)| {
            *next == SegmentOp::Same
                && n.starts_with(|c: char| !c.is_whitespace() && !c.is_alphanumeric())
        });
        // A marked piece may start with the space before it: set outside
        // the marks, as in the text part.
        let lead = *op != SegmentOp::Same && t.starts_with(char::is_whitespace);
        if *op != SegmentOp::Same && (needs_space(&all, t) || lead) && !all.ends_with(' ') {
            all.push(' ');
            body.push(' ');
        }
        let t = if lead { t.trim_start() } else { t.as_str() };
        all.push_str(t);
        match op {
            SegmentOp::Same => body.push_str(&escape(t)),
            SegmentOp::Removed => {
                body.push_str(&del(t.trim_end()));
                // Set apart from what was added in its place, but
                // in a script written without spaces.
                if t.ends_with(' ') || !(ends_unspaced(t) || punctuation_next) {
                    body.push(' ');
                    // The text set so far has the space too: added words
                    // after it get no second one.
                    if !all.ends_with(' ') {
                        all.push(' ');
                    }
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
            whole,
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
            let lines = run_lines(paragraphs, *whole);
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
            if paragraphs.len() > lines.len() {
                out.push_str(&format!(
                    "<p style=\"margin:-8px 0 16px 0;font-size:15px;color:{};\">… and {}</p>",
                    colour::MUTED,
                    more_of(paragraphs.len() - lines.len(), *kind)
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

/// A message of presswatch's own (an error's words and what to do), escaped,
/// with what it quotes between backticks, a key to set (`url`) or a command
/// to run, shown as code: the backticks are the text part's way of saying so.
/// Backticks that do not pair are left as they are.
fn code_spans(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len() % 2 == 0 {
        return escape(message);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| match i % 2 {
            1 => format!("<code>{}</code>", escape(part)),
            _ => escape(part),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            KEYWORD_STYLE,
            format!(
                "color:{};background:{};font-weight:bold;",
                colour::INK,
                colour::NOTE_BG
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
}
