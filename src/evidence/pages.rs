//! The evidence viewer's pages, rendered from the data `report` gathers:
//! plain HTML with one inline style sheet, no scripts, relative links (so
//! the directory works from a shared drive or a zip attached to a
//! complaint), right-to-left text marked as such, and a print style. A
//! version's change is shown with the alert email's own card
//! ([`render::html_card`]) and side by side in the same colours. Pure.

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

use crate::alert::Alert;
use crate::compare::{BlockChange, SegmentOp};
use crate::document::{Document, ProseKind};
use crate::integrity::{AlteredText, RecordCheck};
use crate::notify::render::{self, escape, DEL_STYLE, INS_STYLE};

/// The viewer's page of a watch's version, relative to the report's
/// directory (`<watch>/v<version>.html`): what alerts of a change link to.
pub fn page_path(watch: &str, version: i64) -> String {
    format!("{}/v{version}.html", url_segment(watch))
}

/// The id of a takedown's row on its watch's timeline: the `nth` takedown
/// (from 1) of `version`, the last version kept. Stable: a version's
/// takedowns and restores are pruned only with it, all together.
pub fn takedown_anchor(version: i64, nth: usize) -> String {
    format!("v{version}-taken-down-{nth}")
}

/// A takedown's row on the viewer's timeline of its watch, relative to the
/// report's directory (`<watch>/index.html#v<version>-taken-down-<nth>`):
/// what a takedown alert links to. The row names when and how, and links
/// the last kept snapshot of what the story said and the answer that
/// reported it gone.
pub fn takedown_path(watch: &str, version: i64, nth: usize) -> String {
    format!(
        "{}/index.html#{}",
        url_segment(watch),
        takedown_anchor(version, nth)
    )
}

/// The id of a move's row on its watch's timeline: the `nth` move (from 1)
/// of `version`, the version current when it was seen. Stable, as a
/// takedown's: a version's events are pruned only with it, all together.
pub fn moved_anchor(version: i64, nth: usize) -> String {
    format!("v{version}-moved-{nth}")
}

/// A move's row on the viewer's timeline of its watch, relative to the
/// report's directory (`<watch>/index.html#v<version>-moved-<nth>`): what a
/// `moved` alert links to. The row names when, the old and the new address,
/// and the version whose text was found there.
pub fn moved_path(watch: &str, version: i64, nth: usize) -> String {
    format!(
        "{}/index.html#{}",
        url_segment(watch),
        moved_anchor(version, nth)
    )
}

/// A watch name as one URL path segment (all but ASCII letters, digits,
/// `-`, `_` and `.` percent-encoded: a Persian name, its joiners and marks).
fn url_segment(name: &str) -> String {
    url::form_urlencoded::byte_serialize(name.as_bytes()).collect()
}

/// The file of a kept body in the report directory, by its SHA-256.
pub fn raw_path(sha256: &str) -> String {
    format!("raw/{sha256}.bin")
}

/// A kept raw response, as the viewer shows it.
#[derive(Debug, Clone)]
pub struct RawView {
    /// SHA-256 of the body (its file is `raw/<sha256>.bin`).
    pub sha256: String,
    /// Body size in bytes.
    pub size: i64,
    /// Status line and headers as received.
    pub head: String,
    /// When it was fetched (Unix milliseconds).
    pub fetched_at_ms: i64,
    /// The URL it came from.
    pub final_url: String,
    /// How its record compares with the digest taken when it was kept:
    /// an altered one is not shown (neither its headers, fetch time nor
    /// body) but named with a warning, one kept before record digests is
    /// shown with a note that it predates them.
    pub record: RecordCheck,
    /// Whether its body failed its check (it is missing, or its bytes no
    /// longer hash to its SHA-256): the report left its file out, so the
    /// pages say so in place of a link to it.
    pub body_damaged: bool,
    /// The charset presswatch read the body in (as when it was fetched),
    /// when the report read the body: shown beside it, with a note when
    /// the Content-Type header named another.
    pub read_as: Option<&'static str>,
}

/// One kept version of a watch: an article's text, or a listing's or
/// feed's items (one block each).
#[derive(Debug, Clone)]
pub struct VersionView {
    /// Its number.
    pub seq: i64,
    /// When it was accepted (Unix seconds).
    pub accepted_at: i64,
    /// Its content hash.
    pub content_sha256: String,
    /// Its document.
    pub doc: Document,
    /// What changed from the version before, as an alert (the email's data):
    /// `None` for the first version kept, and for a new baseline.
    pub alert: Option<Alert>,
    /// A new baseline the watch started afresh from, taken with no alert
    /// ([`crate::store::Origin::Afresh`]): not shown as a change.
    pub afresh: bool,
    /// What the side by side marks as changed from the version before: an
    /// article's change as its alert showed it; a listing's items new, no
    /// longer listed, and retitled (the old and the new headline's words).
    pub marks: Option<crate::compare::Change>,
    /// Of a keyword watch's item list: the new items (by their block's
    /// index) its alert left out, as they mention no keyword. Shown new,
    /// under a label that says so, but not marked as the alert's news,
    /// which `marks` holds alone.
    pub not_alerted: Vec<usize>,
    /// Of an article's text: why no alert went out for the change it is,
    /// when one would have but for that (site chrome, no keyword); `None`
    /// when it alerted. The index's "Last change" is no such version, the
    /// timeline and its page say no alert went out.
    pub quiet: Option<crate::alert::NotAlerted>,
    /// The same change as the version before it shows it, beside this one:
    /// each changed paragraph in that version's own words and punctuation
    /// ([`crate::compare::Change::before`]); `None` to show `marks` there.
    pub before: Option<crate::compare::Change>,
    /// The response it was accepted from.
    pub raw: Option<RawView>,
    /// The answer that later reported it taken down.
    pub taken_down: Option<RawView>,
    /// Set when its stored text no longer hashes to the SHA-256 it was
    /// stored under: the index, the timeline and every page showing the
    /// text say so beside it.
    pub altered: Option<AlteredText>,
    /// Its chain digest, the record an alert about it carries (`None` for
    /// a version not chained yet): shown short, as alerts show it, so staff
    /// can match an alert to its version.
    pub record: Option<String>,
}

/// What happened to a watched article between versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventWhat {
    /// It went away (404/410, or a redirect to a section front).
    TakenDown,
    /// It came back.
    Restored,
    /// Its address redirects for good to another article's (`from`, the
    /// address watched then, to `to`).
    Moved {
        /// The address the watch named.
        from: String,
        /// Its new address.
        to: String,
    },
}

/// A takedown, restore or move, as the timeline shows it.
#[derive(Debug, Clone)]
pub struct EventView {
    /// When it was detected (Unix seconds).
    pub at: i64,
    /// Taken down, restored or moved.
    pub what: EventWhat,
    /// How, as the alert said it ("The article answers HTTP 404"; for a
    /// move, "OLD → NEW").
    pub detail: String,
    /// The version current then: for a takedown the last text kept, for a
    /// restore the text that came back, for a move the text found at the
    /// new address.
    pub version: i64,
    /// The raw response that version was accepted from: for a takedown, the
    /// last kept snapshot of what the article said.
    pub snapshot: Option<RawView>,
    /// For a takedown, the answer that reported it, when kept.
    pub answer: Option<RawView>,
}

/// A watch and its kept versions, oldest first.
#[derive(Debug, Clone)]
pub struct WatchView {
    /// The watch's name.
    pub name: String,
    /// The watched URL.
    pub url: String,
    /// The outlet.
    pub outlet: String,
    /// Kept versions, oldest first.
    pub versions: Vec<VersionView>,
    /// Takedowns, restores and moves, oldest first.
    pub events: Vec<EventView>,
    /// The time zone times are shown in (`[daemon] timezone`, as alerts
    /// and `history` show them).
    pub tz: Tz,
    /// The command that checks the kept evidence (`presswatch verify
    /// --config FILE`), which a warning about an altered record names.
    pub verify: String,
    /// How many of its kept responses failed their check and are left out
    /// (a record altered since it was kept, or a body missing or no longer
    /// hashing to its SHA-256): the index flags the watch.
    pub left_out: usize,
    /// Whether the config still names the watch; the index says of one
    /// removed from it that it is no longer checked.
    pub watched: bool,
}

impl WatchView {
    fn title(&self) -> String {
        self.versions
            .last()
            .and_then(|v| v.doc.headline().map(str::to_string))
            .unwrap_or_else(|| self.name.clone())
    }

    /// The `lang` and `dir` of its title ([`WatchView::title`]), as the
    /// story's text is marked.
    fn title_attrs(&self, title: &str) -> String {
        story_attrs(
            title,
            self.versions.last().and_then(|v| v.doc.lang.as_deref()),
        )
    }
}

const STYLE: &str = "
body{margin:0;padding:16px;background:#f4f4f4;font-family:-apple-system,'Segoe UI',Helvetica,Arial,'Vazirmatn','Noto Naskh Arabic','DejaVu Sans',sans-serif;color:#222;}
main{max-width:1100px;margin:0 auto;background:#fff;border:1px solid #ddd;border-radius:4px;padding:20px 24px;}
a{color:#1a4b8c;}
h1{font-size:22px;line-height:1.3;margin:6px 0 8px 0;}
h2{font-size:17px;margin:24px 0 10px 0;padding-bottom:4px;border-bottom:2px solid #1a4b8c;color:#1a4b8c;}
.crumbs{font-size:13px;color:#666;}
.meta{font-size:13px;color:#666;margin-bottom:12px;}
table.list{border-collapse:collapse;width:100%;font-size:14px;}
table.list th,table.list td{border-bottom:1px solid #eee;padding:6px 8px;text-align:start;vertical-align:top;}
table.list th{font-size:12px;color:#666;text-transform:uppercase;letter-spacing:1px;}
.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere;}
.gone{color:#b00020;font-weight:bold;}
.flag{display:inline-block;margin-top:4px;padding:2px 6px;border:2px solid #b00020;color:#b00020;font-weight:bold;}
.back{color:#1b5e20;font-weight:bold;}
.moved{color:#1a4b8c;font-weight:bold;}
tr:target{background:#fff3c4;}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:16px;}
.side{border:1px solid #eee;border-radius:4px;padding:8px 12px;min-width:0;}
.side h3{font-size:13px;color:#666;margin:0 0 8px 0;}
.side p{font-size:15px;line-height:1.6;margin:0 0 10px 0;overflow-wrap:anywhere;}
.card{border:1px solid #eee;border-radius:4px;padding:16px 20px;}
.card.altered{border:2px solid #b00020;background:#fff5f5;}
.altered b{color:#b00020;}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere;}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;background:#fafafa;border:1px solid #eee;padding:8px;}
@media (max-width:700px){body{padding:0;}main{border:0;padding:12px;}.sides{grid-template-columns:1fr;}table.list .wide{display:none;}}
@media print{body{background:#fff;padding:0;}main{border:0;max-width:none;padding:0;}a{color:#000;}
 .sides{grid-template-columns:1fr 1fr;}.side,.card{break-inside:avoid;}h2{break-after:avoid;}
 del,ins{-webkit-print-color-adjust:exact;print-color-adjust:exact;}}
";

/// A whole page around `body`, its times said to be in `tz`. Its labels
/// are English, as an alert's are; each part of a story carries
/// its own language ([`story_attrs`]).
fn page(title: &str, body: &str, tz: Tz) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main>{body}\
<p class=\"meta\" style=\"margin-top:24px;\">presswatch evidence report · times in {} ([daemon] timezone, as in alerts)</p></main></body></html>\n",
        escape(title),
        escape(tz.name())
    )
}

/// The `lang` and `dir` of a part of a story whose page declared `lang`:
/// the language as the email marks it ([`render::story_lang`]), and
/// [`dir`].
fn story_attrs(t: &str, lang: Option<&str>) -> String {
    let lang = render::story_lang(t, lang)
        .map(|l| format!(" lang=\"{l}\""))
        .unwrap_or_default();
    format!("{lang}{}", dir(t))
}

/// ` dir="rtl"` for right-to-left text, ` dir="auto"` otherwise.
fn dir(t: &str) -> &'static str {
    if crate::text::is_rtl(t) {
        " dir=\"rtl\""
    } else {
        " dir=\"auto\""
    }
}

/// A time (Unix milliseconds) in `tz`, with its zone: "2024-05-14
/// 09:30:00 CEST", "2026-12-03 04:28:53 +0330".
fn time_ms(ms: i64, tz: Tz) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| {
            t.with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string()
        })
        .unwrap_or_default()
}

fn time_s(s: i64, tz: Tz) -> String {
    time_ms(s.saturating_mul(1000), tz)
}

/// The index: every watch with its last change, a watch whose evidence
/// failed its check flagged in words (it must read so on paper too).
pub fn index(watches: &[WatchView], tz: Tz) -> String {
    let mut b = String::from("<h1>Evidence: watched stories</h1><table class=\"list\"><tr><th>Story</th><th class=\"wide\">Outlet</th><th>Versions</th><th>Last change</th></tr>");
    for w in watches {
        let title = w.title();
        // The latest entry of the timeline that is a change staff were
        // alerted to: an alerted version, or a takedown, restore or move,
        // in the timeline's order. A version stored without an alert (site
        // chrome, no keyword) is no change of the story.
        let versions = w.versions.iter().filter_map(|v| {
            let a = v.alert.as_ref().filter(|_| v.quiet.is_none())?;
            Some(((v.seq, 0, v.accepted_at), v.accepted_at, a.kind.label()))
        });
        let events = w
            .events
            .iter()
            .map(|e| ((e.version, 1, e.at), e.at, event_label(&e.what).1));
        let last = versions.chain(events).max_by_key(|(order, _, _)| *order);
        // The versions stored after it without an alert, named as such.
        let mut later = 0;
        let mut why: Vec<String> = Vec::new();
        for v in &w.versions {
            let Some(reason) = stored_unalerted(v) else {
                continue;
            };
            if last.is_some_and(|(order, _, _)| (v.seq, 0, v.accepted_at) < order) {
                continue;
            }
            later += 1;
            if !why.contains(&reason) {
                why.push(reason);
            }
        }
        let mut last = last
            .map(|(_, at, label)| format!("{} · {}", escape(&time_s(at, tz)), escape(label)))
            .unwrap_or_else(|| "none".into());
        if later > 0 {
            last.push_str(&format!(
                "<br><span class=\"meta\">{} {} stored without an alert: {}</span>",
                later,
                if later == 1 {
                    "later version"
                } else {
                    "later versions"
                },
                escape(&why.join("; "))
            ));
        }
        let gone = w
            .events
            .iter()
            .rfind(|e| matches!(e.what, EventWhat::TakenDown | EventWhat::Restored))
            .filter(|e| e.what == EventWhat::TakenDown)
            .map(|_| " <span class=\"gone\">taken down</span>")
            .unwrap_or("");
        let flag = if w.left_out == 0 {
            String::new()
        } else {
            let (failed, left_out) = if w.left_out == 1 {
                (
                    "failed its check (altered or damaged since it was kept)",
                    "is left out",
                )
            } else {
                (
                    "failed their check (altered or damaged since they were kept)",
                    "are left out",
                )
            };
            format!(
                "<br><span class=\"flag\">\u{26A0} Warning: {} {failed} and {left_out}; its timeline shows where. Run <code>{}</code>.</span>",
                crate::text::plural(w.left_out, "kept response", "kept responses"),
                escape(&w.verify)
            )
        };
        let altered: Vec<String> = w
            .versions
            .iter()
            .filter(|v| v.altered.is_some())
            .map(|v| v.seq.to_string())
            .collect();
        let flag = match altered.as_slice() {
            [] => flag,
            [one] => format!(
                "{flag}<br><span class=\"flag\">\u{26A0} Warning: the text of version {one} no longer \
                 matches the SHA-256 it was stored under: it was altered after presswatch kept it; its \
                 page says so. Run <code>{}</code>.</span>",
                escape(&w.verify)
            ),
            [some @ .., last] => format!(
                "{flag}<br><span class=\"flag\">\u{26A0} Warning: the texts of versions {} and {last} no \
                 longer match the SHA-256 they were stored under: they were altered after presswatch \
                 kept them; their pages say so. Run <code>{}</code>.</span>",
                some.join(", "),
                escape(&w.verify)
            ),
        };
        let unwatched = if w.watched {
            ""
        } else {
            " · no longer in the config: not checked any more"
        };
        b.push_str(&format!(
            "<tr><td><a href=\"{}/index.html\"{}>{}</a>{gone}<br><span class=\"meta\">{}{unwatched}</span>{flag}</td><td class=\"wide\">{}</td><td>{}</td><td>{last}</td></tr>",
            url_segment(&w.name),
            w.title_attrs(&title),
            escape(&title),
            escape(&w.name),
            escape(&w.outlet),
            w.versions.len()
        ));
    }
    b.push_str("</table>");
    if watches.is_empty() {
        b.push_str("<p class=\"meta\">No watch has a stored version yet. A watch has one from its first check.</p>");
    }
    page("presswatch evidence", &b, tz)
}

/// Why a version after the watch's first was stored without an alert, in
/// a few words for the index (`site chrome`, [`crate::alert::NotAlerted::short`]);
/// `None` for one that alerted, and for the watch's first version.
fn stored_unalerted(v: &VersionView) -> Option<String> {
    match (&v.alert, &v.quiet) {
        (Some(_), Some(why)) => Some(why.short()),
        (Some(_), None) => None,
        (None, _) if v.afresh => Some("new baseline, the watch started afresh".into()),
        (None, _) if !v.not_alerted.is_empty() => Some("new items mentioning no keyword".into()),
        (None, _) => None,
    }
}

/// A watch's timeline: its versions with what changed, and its takedowns,
/// restores and moves as entries of their own, each after the version it
/// refers to.
pub fn timeline(w: &WatchView) -> String {
    let title = w.title();
    let mut b = format!(
        "<div class=\"crumbs\"><a href=\"../index.html\">All stories</a></div><h1{}>{}</h1><div class=\"meta\">{} · <a href=\"{}\">{}</a></div>",
        w.title_attrs(&title),
        escape(&title),
        escape(&w.outlet),
        escape(&w.url),
        escape(&w.url)
    );
    b.push_str("<table class=\"list\"><tr><th>Time</th><th>Version</th><th>What happened</th><th>Record</th><th class=\"wide\">Content SHA-256</th></tr>");
    let mut rows: Vec<((i64, u8, i64), String)> = Vec::new();
    for v in &w.versions {
        let what = match &v.alert {
            None if v.afresh => "New baseline, no alert: the watch started afresh".to_string(),
            None if !v.not_alerted.is_empty() => format!(
                "No alert: {}",
                crate::alert::not_alerted(v.not_alerted.len())
            ),
            None => "First version kept".to_string(),
            // A change no alert went out for is not named as one.
            Some(a) if v.quiet.is_some() => {
                format!("No alert: {}", render::summary_after_kind(a))
            }
            // The kind once ("Headline changed: 1 paragraph added", not
            // "Headline changed: Headline changed; 1 paragraph added").
            Some(a) => match render::summary_after_kind(a) {
                rest if rest.is_empty() => a.kind.label().to_string(),
                rest => format!("{}: {rest}", a.kind.label()),
            },
        };
        let flag = v.altered.as_ref().map_or(String::new(), |a| {
            format!(
                "<br><span class=\"flag\">\u{26A0} Warning: {}</span>",
                altered_text_warning(a, &w.verify)
            )
        });
        rows.push((
            (v.seq, 0, v.accepted_at),
            format!(
                "<tr><td>{}</td><td><a href=\"v{}.html\">Version {}</a></td><td><span{}>{}</span>{flag}</td><td class=\"hash\">{}</td><td class=\"hash wide\">{}</td></tr>",
                escape(&time_s(v.accepted_at, w.tz)),
                v.seq,
                v.seq,
                dir(&what),
                escape(&what),
                escape(&record_short(v)),
                escape(&v.content_sha256)
            ),
        ));
    }
    let kept = |seq: i64| w.versions.iter().any(|v| v.seq == seq);
    let mut takedowns: std::collections::HashMap<i64, usize> = Default::default();
    let mut moves: std::collections::HashMap<i64, usize> = Default::default();
    for e in &w.events {
        // A takedown's or a move's row is where its alert links to.
        let id = match e.what {
            EventWhat::TakenDown => {
                let nth = takedowns.entry(e.version).or_default();
                *nth += 1;
                Some(takedown_anchor(e.version, *nth))
            }
            EventWhat::Moved { .. } => {
                let nth = moves.entry(e.version).or_default();
                *nth += 1;
                Some(moved_anchor(e.version, *nth))
            }
            EventWhat::Restored => None,
        };
        rows.push((
            (e.version, 1, e.at),
            event_row(e, id.as_deref(), kept(e.version), w),
        ));
    }
    rows.sort_by_key(|(order, _)| *order);
    for (_, row) in rows {
        b.push_str(&row);
    }
    b.push_str("</table>");
    page(&format!("{title} · presswatch evidence"), &b, w.tz)
}

/// A takedown's, restore's or move's CSS class and what the timeline and
/// the index call it.
fn event_label(what: &EventWhat) -> (&'static str, &'static str) {
    match what {
        EventWhat::TakenDown => ("gone", "Taken down"),
        EventWhat::Restored => ("back", "Restored"),
        EventWhat::Moved { .. } => ("moved", "Moved"),
    }
}

/// A takedown, restore or move as a timeline row (`id`: the row's, for a
/// takedown or a move): when, what happened, and the evidence (the last
/// kept snapshot of what a taken-down article said, the answer that
/// reported it; the version that came back; a moved article's old and new
/// address, and the version found at the new one).
fn event_row(e: &EventView, id: Option<&str>, version_kept: bool, w: &WatchView) -> String {
    let tz = w.tz;
    let version = if version_kept {
        format!("<a href=\"v{}.html\">Version {}</a>", e.version, e.version)
    } else {
        format!("Version {}", e.version)
    };
    let link = |r: &RawView, label: &str| {
        match &r.record {
        RecordCheck::Altered(fields) => format!(
            "<br><span class=\"altered\"><b>{label}: left out.</b> {}</span>",
            altered_warning(fields, &w.verify)
        ),
        RecordCheck::Sound | RecordCheck::Undigested if r.body_damaged => format!(
            "<br><span class=\"altered\"><b>{label}: body left out.</b> {}</span> <span class=\"meta\">(fetched {})</span>",
            damaged_body_warning(r, &w.verify),
            escape(&time_ms(r.fetched_at_ms, tz)),
        ),
        RecordCheck::Sound | RecordCheck::Undigested => format!(
            "<br>{label}: <a href=\"../{}\">{}</a> <span class=\"meta\">(fetched {})</span><br>SHA-256 <span class=\"hash\">{}</span>{}",
            escape(&raw_path(&r.sha256)),
            escape(&body_size(r)),
            escape(&time_ms(r.fetched_at_ms, tz)),
            escape(&r.sha256),
            predates_digests(r)
        ),
    }
    };
    let (class, what) = event_label(&e.what);
    let evidence = match &e.what {
        EventWhat::TakenDown => {
            let mut evidence = match &e.snapshot {
                Some(r) => link(r, &format!("Last kept snapshot (version {})", e.version)),
                None => format!(
                    "<br><span class=\"meta\">No raw response of version {} is kept.</span>",
                    e.version
                ),
            };
            match &e.answer {
                Some(
                    r @ RawView {
                        record: RecordCheck::Altered(_),
                        ..
                    },
                ) => {
                    evidence.push_str(&link(r, "The answer"));
                }
                Some(r) => {
                    let status = r.head.split("\r\n").next().unwrap_or_default();
                    evidence.push_str(&link(r, &format!("The answer ({})", escape(status))));
                }
                None => evidence.push_str(
                    "<br><span class=\"meta\">The answer that reported it is not kept.</span>",
                ),
            }
            evidence
        }
        EventWhat::Restored => format!(
            "<br><span class=\"meta\">Its text is version {}.</span>",
            e.version
        ),
        EventWhat::Moved { from, to } => format!(
            "<br>{}<br><span class=\"meta\">The text found at the new address is version {}.</span>",
            render::moved_html(from, to),
            e.version
        ),
    };
    let id = id.map_or(String::new(), |id| format!(" id=\"{}\"", escape(id)));
    format!(
        "<tr{id}><td>{}</td><td>{version}</td><td><span class=\"{class}\">{what}</span>: <span{}>{}</span>{evidence}</td><td class=\"wide\"></td></tr>",
        escape(&time_s(e.at, tz)),
        dir(&e.detail),
        escape(&e.detail)
    )
}

/// A version's record as alerts show it, `3f2a91c0…e1d254c9`, or `-`
/// for a version not chained yet.
fn record_short(v: &VersionView) -> String {
    v.record
        .as_deref()
        .map_or_else(|| "-".to_string(), crate::integrity::chain::short)
}

/// A version's page: the change as the alert email showed it, both
/// versions side by side, and the raw responses with their SHA-256.
pub fn version(w: &WatchView, i: usize) -> String {
    let v = &w.versions[i];
    let previous = i.checked_sub(1).map(|p| &w.versions[p]);
    let title = v
        .doc
        .headline()
        .map_or_else(|| w.name.clone(), str::to_string);
    let mut b = format!(
        "<div class=\"crumbs\"><a href=\"../index.html\">All stories</a> › <a href=\"index.html\">{}</a></div>\
<h1>Version {} of {}</h1><div class=\"meta\">Accepted {} · record <span class=\"hash\">{}</span> · content SHA-256 <span class=\"hash\">{}</span></div>",
        escape(&w.name),
        v.seq,
        crate::text::quoted(
            &title,
            &format!(
                "<bdi{}>{}</bdi>",
                story_attrs(&title, v.doc.lang.as_deref()),
                escape(&title)
            )
        ),
        escape(&time_s(v.accepted_at, w.tz)),
        escape(&record_short(v)),
        escape(&v.content_sha256)
    );
    let nav: Vec<String> = [
        previous.map(|p| format!("<a href=\"v{}.html\">‹ version {}</a>", p.seq, p.seq)),
        w.versions
            .get(i + 1)
            .map(|n| format!("<a href=\"v{}.html\">version {} ›</a>", n.seq, n.seq)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !nav.is_empty() {
        b.push_str(&format!("<div class=\"meta\">{}</div>", nav.join(" · ")));
    }
    // Before anything shown of an altered text: this version's, and the
    // one before it shown beside it.
    for (shown, which) in [
        (Some(v), "this version"),
        (previous, "the version before it, shown beside it"),
    ] {
        if let Some(a) = shown.and_then(|s| s.altered.as_ref()) {
            b.push_str(&format!(
                "<div class=\"card altered\" style=\"margin:12px 0;\"><b>\u{26A0} Warning: the text of version {} ({which}) was altered</b><p>{}. It names every altered or damaged record and says what to do.</p></div>",
                a.seq,
                capitalized(&altered_text_warning(a, &w.verify))
            ));
        }
    }
    if let Some(a) = &v.alert {
        let mut shown = a.clone();
        // The card links to this very page otherwise.
        if let Some(e) = shown.evidence.as_mut() {
            e.report = None;
        }
        b.push_str(match &v.quiet {
            Some(_) => "<h2>The change, as an alert would have shown it (none went out)</h2><div class=\"card\">",
            None => "<h2>The change, as the alert showed it</h2><div class=\"card\">",
        });
        b.push_str(&render::html_card(&shown, w.tz, 20));
        b.push_str("</div>");
    }
    b.push_str("<h2>Side by side</h2><div class=\"sides\">");
    let change = v.marks.as_ref();
    match previous {
        Some(p) => {
            // The version before in its own words: not the alert's
            // unchanged words, which carry this version's punctuation.
            b.push_str(&side(
                &format!("Version {} (before)", p.seq),
                p,
                v.before.as_ref().or(change),
                Side::Old,
                &w.verify,
            ));
            b.push_str(&side(
                &format!("Version {} (after)", v.seq),
                v,
                change,
                Side::New,
                &w.verify,
            ));
        }
        None => b.push_str(&side(
            &format!("Version {}", v.seq),
            v,
            None,
            Side::New,
            &w.verify,
        )),
    }
    b.push_str("</div>");
    b.push_str("<h2>Raw evidence</h2>");
    match &v.raw {
        Some(r) => b.push_str(&raw(r, "The response this version was accepted from", w)),
        None => b.push_str("<p class=\"meta\">No raw response is kept for this version: keep_raw pruned it or is \"off\", or the version is older than raw capture.</p>"),
    }
    if let Some(t) = &v.taken_down {
        b.push_str(&raw(
            t,
            "The answer that reported the article taken down",
            w,
        ));
    }
    page(&format!("{title} · version {}", v.seq), &b, w.tz)
}

/// Which version a side shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// One version's text, with what the change removed (old side) or added
/// (new side) marked as in the email; when the change is in the page's
/// prose outside the detected article (the safety net), that prose too,
/// marked alike, under the email's lower-confidence label.
fn side(
    label: &str,
    v: &VersionView,
    change: Option<&crate::compare::Change>,
    which: Side,
    verify: &str,
) -> String {
    let doc = &v.doc;
    let mut marked = marks(
        change
            .map(|c| c.blocks.as_slice())
            .unwrap_or_default()
            .iter(),
        which,
    );
    let prose_changes = change.map(|c| c.other_prose.as_slice()).unwrap_or_default();
    let headline = doc.headline().unwrap_or_default();
    let headline_html = match change.and_then(|c| c.headline.as_ref()) {
        Some((old, _)) if which == Side::Old => del(old),
        Some((_, new)) => ins(new),
        None => escape(headline),
    };
    // Each part in the language the page declared, as the email marks it.
    let lang_dir = |t: &str| story_attrs(t, doc.lang.as_deref());
    let warning = v.altered.as_ref().map_or(String::new(), |a| {
        format!(
            "<p class=\"flag\">\u{26A0} Warning: {}</p>",
            altered_text_warning(a, verify)
        )
    });
    let mut b = format!(
        "<div class=\"side\"><h3>{}</h3>{warning}<p{}><b>{headline_html}</b></p>",
        escape(label),
        lang_dir(headline)
    );
    if let Some(by) = &doc.byline {
        b.push_str(&format!(
            "<p class=\"meta\"{}>{}</p>",
            lang_dir(by),
            escape(by)
        ));
    }
    for (i, block) in doc.blocks.iter().enumerate() {
        let html = marked.remove(&i).unwrap_or_else(|| escape(&block.text));
        if which == Side::New && v.not_alerted.contains(&i) {
            // A new item the alert left out: new, but not its news; its
            // title isolated in its own direction after the label.
            b.push_str(&format!(
                "<p>{NOT_ALERTED_LABEL}<bdi{}>{html}</bdi></p>",
                lang_dir(&block.text)
            ));
            continue;
        }
        b.push_str(&format!("<p{}>{html}</p>", lang_dir(&block.text)));
    }
    if !prose_changes.is_empty() {
        let mut marked = marks(prose_changes.iter().map(|p| &p.change), which);
        b.push_str(
            "<p class=\"meta\">Outside the detected article (lower confidence: the extractor did not keep this text):</p>",
        );
        for (i, prose) in doc.other_prose.iter().enumerate() {
            let html = marked.remove(&i).unwrap_or_else(|| escape(&prose.text));
            let label = match prose.kind {
                ProseKind::Caption => "<span class=\"meta\">Photo caption:</span> ",
                ProseKind::Paragraph => "",
            };
            b.push_str(&format!("<p{}>{label}{html}</p>", lang_dir(&prose.text)));
        }
    }
    b.push_str("</div>");
    b
}

/// What the side by side puts before a keyword watch's new item that its
/// alert left out ([`VersionView::not_alerted`]).
const NOT_ALERTED_LABEL: &str =
    "<span class=\"meta\">New, mentions no keyword (not alerted):</span> ";

/// Text the change removed, struck through as in the email.
fn del(t: &str) -> String {
    format!("<del style=\"{DEL_STYLE}\">{}</del>", escape(t))
}

/// Text the change added, underlined as in the email.
fn ins(t: &str) -> String {
    format!("<ins style=\"{INS_STYLE}\">{}</ins>", escape(t))
}

/// The blocks `changes` touch on one side, by index, as HTML: a removed
/// block struck through (old side), an added one underlined (new side), a
/// changed one with its removed or added words marked.
fn marks<'a>(
    changes: impl Iterator<Item = &'a BlockChange>,
    which: Side,
) -> std::collections::HashMap<usize, String> {
    let mut marked = std::collections::HashMap::new();
    for c in changes {
        match (c, which) {
            (
                BlockChange::Removed {
                    old_index, text, ..
                },
                Side::Old,
            ) => {
                marked.insert(*old_index, del(text));
            }
            (
                BlockChange::Added {
                    new_index, text, ..
                },
                Side::New,
            ) => {
                marked.insert(*new_index, ins(text));
            }
            (
                BlockChange::Changed {
                    old_index,
                    new_index,
                    segments,
                },
                _,
            ) => {
                let mut html = String::new();
                // A marked piece's space before its words (" and flogging"
                // removed before a full stop both versions end with) is
                // set outside the marks.
                let mark_words = |html: &mut String, t: &str, mark: fn(&str) -> String| {
                    let words = t.trim_start();
                    html.push_str(&t[..t.len() - words.len()]);
                    html.push_str(&mark(words));
                };
                for s in segments {
                    match (s.op, which) {
                        (SegmentOp::Same, _) => html.push_str(&escape(&s.text)),
                        (SegmentOp::Removed, Side::Old) => mark_words(&mut html, &s.text, del),
                        (SegmentOp::Added, Side::New) => mark_words(&mut html, &s.text, ins),
                        _ => {}
                    }
                }
                let at = if which == Side::Old {
                    old_index
                } else {
                    new_index
                };
                marked.insert(*at, html);
            }
            _ => {}
        }
    }
    marked
}

/// A raw response: link to its bytes, SHA-256, status line and headers;
/// for one whose record was altered since it was kept, a warning in their
/// place.
fn raw(r: &RawView, label: &str, w: &WatchView) -> String {
    if let RecordCheck::Altered(fields) = &r.record {
        return format!(
            "<div class=\"card altered\" style=\"margin-bottom:12px;\"><b>{}: left out</b><p>{}</p></div>",
            escape(label),
            altered_warning(fields, &w.verify)
        );
    }
    let body = if r.body_damaged {
        format!(
            "<p class=\"altered\"><b>Body: left out.</b> {}{}</p>",
            damaged_body_warning(r, &w.verify),
            predates_digests(r)
        )
    } else {
        format!(
            "<p>Body: <a href=\"../{}\" download>{}</a><br>SHA-256 <span class=\"hash\">{}</span>{}{}</p>",
            escape(&raw_path(&r.sha256)),
            escape(&body_size(r)),
            escape(&r.sha256),
            read_as(r),
            predates_digests(r)
        )
    };
    format!(
        "<div class=\"card\" style=\"margin-bottom:12px;\"><b>{}</b><div class=\"meta\">Fetched {} from <a href=\"{}\">{}</a></div>{body}<pre>{}</pre></div>",
        escape(label),
        escape(&time_ms(r.fetched_at_ms, w.tz)),
        escape(&r.final_url),
        escape(&r.final_url),
        escape(&r.head)
    )
}

/// What the viewer says beside a version's text that no longer hashes to the
/// SHA-256 it was stored under, in HTML.
fn altered_text_warning(a: &AlteredText, verify: &str) -> String {
    a.worded(
        verify,
        &|hash| format!("<span class=\"hash\">{}</span>", escape(hash)),
        &|command| format!("<code>{}</code>", escape(command)),
    )
}

/// `s` with its first letter capitalized.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// What the viewer says in place of the link to a body that failed its
/// check (`report` did not write its file): why, and the command to run
/// (`verify`).
fn damaged_body_warning(r: &RawView, verify: &str) -> String {
    format!(
        "It failed its check: it is missing, or its bytes no longer hash to its SHA-256 \
         <span class=\"hash\">{}</span> (altered or damaged since it was kept), so it is not \
         written here, nor exported. Run <code>{}</code>: it names every altered or damaged record \
         and says what to do.",
        escape(&r.sha256),
        escape(verify)
    )
}

/// What the viewer says in place of a raw response whose record was
/// altered since it was kept (`fields`: what differs): why none of it is
/// shown, and the command to run (`verify`).
fn altered_warning(fields: &[&str], verify: &str) -> String {
    format!(
        "Its record in the state database was altered since it was kept; what differs from the \
         digest taken then: {}. Its headers, fetch time, body and SHA-256 are not shown here, nor \
         exported, since they can no longer be vouched for. Run <code>{}</code>: it names every \
         altered or damaged record and says what to do.",
        escape(&crate::integrity::what_differs(fields)),
        escape(verify)
    )
}

/// The charset presswatch read a body in, and, when the response's
/// Content-Type named another, that the header is not what the text was
/// read with: a reader decodes the body with the first to see the text.
fn read_as(r: &RawView) -> String {
    let Some(read) = r.read_as else {
        return String::new();
    };
    let declared = crate::http_header::content_type(&r.head)
        .as_deref()
        .and_then(crate::charset::charset_param);
    let differs = declared.as_deref().is_some_and(|d| {
        encoding_rs::Encoding::for_label(d.as_bytes()).is_none_or(|e| e.name() != read)
    });
    match (differs, declared) {
        (true, Some(d)) => format!(
            "<br>Text read as <b>{}</b>: its Content-Type header says charset={}, which its bytes contradict; decode it as {} to read what presswatch read.",
            escape(read),
            escape(&d),
            escape(read)
        ),
        _ => format!("<br>Text read as {}", escape(read)),
    }
}

/// The note on a raw response whose record was kept before presswatch took
/// record digests ("" for one with a digest).
fn predates_digests(r: &RawView) -> &'static str {
    match r.record {
        RecordCheck::Undigested => {
            "<br><span class=\"meta\">This record predates record digests (it was kept before \
             presswatch took one): its body is checked against its SHA-256, but its headers and \
             fetch time cannot be checked.</span>"
        }
        RecordCheck::Sound | RecordCheck::Altered(_) => "",
    }
}

/// What the linked body file is: the page as served, or, when the server
/// compressed it (`Content-Encoding`), the page that coding decodes to, which
/// is what the file holds and what its SHA-256 is of. (The headers beside
/// it give the compressed length the server sent.)
fn body_size(r: &RawView) -> String {
    let (_, fields) = crate::http_header::split_head(&r.head);
    let coding = fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("identity"));
    match coding {
        None => format!("{} bytes as served", r.size),
        Some(c) => format!("{} bytes: the page as served, decoded from {c}", r.size),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Block, Prose};

    fn raw(head: &str) -> RawView {
        RawView {
            sha256: "ab".repeat(32),
            size: 1379,
            head: head.into(),
            fetched_at_ms: 0,
            final_url: "https://news.example/a".into(),
            record: RecordCheck::Sound,
            body_damaged: false,
            read_as: None,
        }
    }

    #[test]
    fn a_takedown_whose_answer_is_not_kept_says_so() {
        let e = EventView {
            at: 0,
            what: EventWhat::TakenDown,
            detail: "The article answers HTTP 410".into(),
            version: 3,
            snapshot: Some(raw("HTTP/1.1 200 OK")),
            answer: None,
        };
        let row = event_row(&e, Some("v3-taken-down-1"), true, &watch(&e));
        assert!(
            row.contains("The answer that reported it is not kept."),
            "{row}"
        );
    }

    /// A watch whose timeline shows the event `e`.
    fn watch(e: &EventView) -> WatchView {
        WatchView {
            name: "story".into(),
            url: "https://news.example/a".into(),
            outlet: "news.example".into(),
            versions: vec![],
            events: vec![e.clone()],
            tz: chrono_tz::UTC,
            verify: "presswatch verify --config /etc/presswatch.toml".into(),
            left_out: 0,
            watched: true,
        }
    }

    #[test]
    fn a_takedown_whose_answer_was_altered_warns_instead_of_linking_it() {
        let mut answer = raw("HTTP/1.1 200 OK");
        answer.sha256 = "cd".repeat(32);
        answer.record = RecordCheck::Altered(vec!["the status", "the fetch time"]);
        let e = EventView {
            at: 0,
            what: EventWhat::TakenDown,
            detail: "The article answers HTTP 410".into(),
            version: 3,
            snapshot: Some(raw("HTTP/1.1 200 OK")),
            answer: Some(answer),
        };
        let row = event_row(&e, Some("v3-taken-down-1"), true, &watch(&e));
        assert!(
            row.contains("The answer: left out.")
                && row.contains(
                    "what differs from the digest taken then: the status and the fetch time."
                )
                && row.contains("Run <code>presswatch verify --config /etc/presswatch.toml</code>"),
            "{row}"
        );
        assert!(!row.contains(&"cd".repeat(32)), "no hash of it: {row}");
        assert!(
            row.contains(&format!("raw/{}.bin", "ab".repeat(32))),
            "the sound snapshot is linked: {row}"
        );
    }

    /// A version of a story whose extracted text is `paras` and whose
    /// page's other prose (the safety net's) is `other`.
    fn version_of(seq: i64, paras: &[&str], other: Vec<Prose>) -> VersionView {
        VersionView {
            seq,
            accepted_at: 0,
            content_sha256: "ef".repeat(32),
            doc: Document {
                title: Some("Protests in Zahedan".into()),
                lang: Some("fa".into()),
                blocks: paras.iter().map(|p| Block::paragraph(p)).collect(),
                other_prose: other,
                ..Document::default()
            },
            alert: None,
            afresh: false,
            marks: None,
            not_alerted: Vec::new(),
            quiet: None,
            before: None,
            raw: None,
            taken_down: None,
            altered: None,
            record: Some(format!("0541d1a3{}5c81215f", "0".repeat(48))),
        }
    }

    #[test]
    fn a_timeline_and_a_versions_page_show_its_record_as_alerts_show_it() {
        let w = WatchView {
            name: "story".into(),
            url: "https://news.example/a".into(),
            outlet: "news.example".into(),
            versions: vec![version_of(1, &["The story."], vec![])],
            events: vec![],
            tz: chrono_tz::UTC,
            verify: "presswatch verify --config /etc/presswatch.toml".into(),
            left_out: 0,
            watched: true,
        };
        let shown = "<span class=\"hash\">0541d1a3…5c81215f</span>";
        let row = "<td class=\"hash\">0541d1a3…5c81215f</td>";
        assert!(timeline(&w).contains(row), "{}", timeline(&w));
        assert!(version(&w, 0).contains(shown), "{}", version(&w, 0));
    }

    #[test]
    fn a_timeline_names_a_versions_kind_once_and_the_rest_of_its_summary_after_it() {
        let mut v = version_of(2, &["The story."], vec![]);
        let mut alert = crate::alert::test_alert();
        alert.kind = crate::compare::ChangeKind::HeadlineChanged;
        alert.summary = "Headline changed; Correction added; 1 paragraph added".into();
        v.alert = Some(alert);
        let page = timeline(&WatchView {
            name: "story".into(),
            url: "https://news.example/a".into(),
            outlet: "news.example".into(),
            versions: vec![v],
            events: vec![],
            tz: chrono_tz::UTC,
            verify: "presswatch verify --config /etc/presswatch.toml".into(),
            left_out: 0,
            watched: true,
        });
        assert!(
            page.contains("Headline changed: Correction added, 1 paragraph added"),
            "{page}"
        );
        assert!(
            !page.contains("Headline changed: Headline changed"),
            "{page}"
        );
    }

    #[test]
    fn a_change_outside_the_detected_article_is_marked_on_both_sides_under_its_label() {
        let story = ["مقامات محلی گفتند که اعتراض‌ها روز جمعه در زاهدان آغاز شد."];
        let old = version_of(
            1,
            &story,
            vec![Prose::caption(
                "معترضان روز جمعه در زاهدان به دست نیروهای امنیتی کشته شدند.",
            )],
        );
        let mut new = version_of(
            2,
            &story,
            vec![Prose::caption(
                "معترضان روز جمعه در زاهدان در درگیری‌ها جان باختند.",
            )],
        );
        new.marks = crate::compare::compare(&old.doc, &new.doc, &Default::default());
        assert_eq!(new.marks.as_ref().map(|c| c.other_prose.len()), Some(1));
        let mut w = watch(&EventView {
            at: 0,
            what: EventWhat::Restored,
            detail: String::new(),
            version: 1,
            snapshot: None,
            answer: None,
        });
        w.events.clear();
        w.versions = vec![old, new];
        let html = version(&w, 1);
        let sides = &html[html.find("<h2>Side by side</h2>").unwrap()..];
        assert_eq!(
            sides
                .matches("Outside the detected article (lower confidence: the extractor did not keep this text):")
                .count(),
            2,
            "{sides}"
        );
        assert_eq!(sides.matches("Photo caption:").count(), 2, "{sides}");
        // The old side strikes out the removed words, the new one marks
        // the added ones.
        for marked in [
            del("به دست نیروهای امنیتی کشته شدند."),
            ins("در درگیری‌ها جان باختند."),
        ] {
            assert!(sides.contains(&marked), "{marked} in {sides}");
        }
        // A change of the story's own text leaves the safety net's prose out.
        let mut edited = version_of(
            3,
            &["مقامات محلی گفتند که اعتراض‌ها روز شنبه در زاهدان آغاز شد."],
            w.versions[1].doc.other_prose.clone(),
        );
        edited.marks =
            crate::compare::compare(&w.versions[1].doc, &edited.doc, &Default::default());
        w.versions.push(edited);
        let html = version(&w, 2);
        assert!(!html.contains("Outside the detected article"), "{html}");
    }

    #[test]
    fn an_index_of_no_watches_says_why_it_is_empty() {
        let html = index(&[], chrono_tz::UTC);
        assert!(
            html.contains("No watch has a stored version yet."),
            "{html}"
        );
    }

    #[test]
    fn a_body_served_compressed_is_not_called_the_bytes_as_served() {
        // The file linked holds the decoded page, not the 708 gzip bytes the
        // headers beside it announce: the label must not say otherwise.
        let gz = raw("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 708");
        assert_eq!(
            body_size(&gz),
            "1379 bytes: the page as served, decoded from gzip"
        );
        let plain = raw("HTTP/1.1 200 OK\r\nContent-Length: 1379");
        assert_eq!(body_size(&plain), "1379 bytes as served");
        let identity = raw("HTTP/1.1 200 OK\r\ncontent-encoding: identity");
        assert_eq!(body_size(&identity), "1379 bytes as served");
    }
}
