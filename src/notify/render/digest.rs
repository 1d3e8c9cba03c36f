//! Several alerts as one message, in text ([`digest_text`]) and HTML
//! ([`digest_html`]): a line that says what it holds ([`digest_summary`]),
//! then takedowns, then new items, then the other alerts grouped by story.

use super::escape::{escape, isolate, lang_dir, one_line};
use super::html::{card, colour, html_footer, name_html, page};
use super::text::{
    heading_lines, own_lines, text_body, title_line, KeywordMarks, TEXT_LEGEND, WIDTH,
};
use super::{record_line, Context};
use crate::alert::Alert;
use crate::compare::ChangeKind;

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

/// The kinds a digest's summary line counts, in the order it names them:
/// takedowns and new items first, as the digest shows them, then the
/// edits, then what is about the watch rather than the story.
const SUMMARY_ORDER: [ChangeKind; 14] = [
    ChangeKind::TakenDown,
    ChangeKind::NewItems,
    ChangeKind::Edited,
    ChangeKind::CorrectionAdded,
    ChangeKind::UpdateAdded,
    ChangeKind::HeadlineChanged,
    ChangeKind::BylineChanged,
    ChangeKind::PossiblyEdited,
    ChangeKind::Retitled,
    ChangeKind::Moved,
    ChangeKind::Restored,
    ChangeKind::Error,
    ChangeKind::Recovered,
    ChangeKind::Test,
];

/// What a number of alerts of `kind` are, after their number in a digest's
/// summary line ("3 edited", "2 with new items").
fn summary_words(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Edited => "edited",
        ChangeKind::HeadlineChanged => "with a new headline",
        ChangeKind::BylineChanged => "with a new byline",
        ChangeKind::CorrectionAdded => "with a correction",
        ChangeKind::UpdateAdded => "with an update",
        ChangeKind::TakenDown => "taken down",
        ChangeKind::Restored => "restored",
        ChangeKind::NewItems => "with new items",
        ChangeKind::Error => "cannot be checked",
        ChangeKind::Recovered => "working again",
        ChangeKind::Test => "test",
        ChangeKind::PossiblyEdited => "possibly edited",
        ChangeKind::Retitled => "retitled",
        ChangeKind::Moved => "moved",
    }
}

/// The line a digest starts with, in its text and HTML parts alike, so
/// that a reader sees at a glance what it holds: how many alerts, on how
/// many watches, and how many of each kind, takedowns first (`7 alerts on
/// 5 watches: 1 taken down, 2 with new items, 3 edited, 1 retitled`).
/// Each alert counts once, by its kind (a correction that also changed
/// the headline is one "with a correction").
pub fn digest_summary(alerts: &[Alert]) -> String {
    let mut watches: Vec<&str> = alerts.iter().map(|a| a.watch.as_str()).collect();
    watches.sort_unstable();
    watches.dedup();
    let counts: Vec<String> = SUMMARY_ORDER
        .iter()
        .filter_map(|kind| {
            let n = alerts.iter().filter(|a| a.kind == *kind).count();
            (n > 0).then(|| format!("{n} {}", summary_words(*kind)))
        })
        .collect();
    format!(
        "{} on {}: {}",
        crate::text::plural(alerts.len(), "alert", "alerts"),
        crate::text::plural(watches.len(), "watch", "watches"),
        counts.join(", ")
    )
}

/// The heading of a digest group.
enum Heading<'a> {
    /// A label of presswatch's ("New items", "Taken down: 2 articles").
    Label(String),
    /// A story's group: the alert whose headline (or own title) heads it;
    /// `title`: its headline, or the watch's name.
    Story { alert: &'a Alert, title: &'a str },
}

/// The heading of a digest group.
fn group_heading<'a>(group: &[&'a Alert]) -> Heading<'a> {
    let first = group[0];
    if first.kind == ChangeKind::TakenDown {
        Heading::Label(format!(
            "Taken down: {}",
            crate::text::plural(group.len(), "article", "articles")
        ))
    } else if first.kind == ChangeKind::NewItems {
        Heading::Label("New items".to_string())
    } else {
        let (alert, title) = group
            .iter()
            .rev()
            .find_map(|a| Some((*a, a.title.as_deref()?)))
            .unwrap_or((first, &first.watch));
        Heading::Story { alert, title }
    }
}

/// A digest group's heading as text: a story's headline and outlet in
/// isolates; presswatch's own title about several items as English, only
/// the outlet's name isolated (it names the outlet already).
fn heading_text(heading: &Heading) -> String {
    match heading {
        Heading::Label(l) => l.clone(),
        Heading::Story { alert, title } if alert.own_title().is_some() => title_line(alert, title),
        Heading::Story { alert, title } => {
            format!("{} ({})", isolate(title), isolate(&alert.outlet))
        }
    }
}

/// A digest group's heading as HTML, and the `lang`/`dir` of the `h2`
/// that shows it: a story's headline in its language and direction;
/// presswatch's own title about several items as English, left to right,
/// with only the outlet's name in its language and direction.
fn heading_html(heading: &Heading) -> (String, String) {
    let Heading::Story { alert, title } = heading else {
        return (escape(&heading_text(heading)), String::new());
    };
    let lang = alert.lang.as_deref();
    match alert.own_title() {
        Some((words, outlet)) => (
            format!("{}{}", escape(words), name_html(outlet, lang)),
            " lang=\"en\" dir=\"ltr\"".to_string(),
        ),
        // The headline in its language and direction, the outlet's name in
        // a `bdi` of its own: `dir` and `bdi`, not the text part's isolates.
        None => {
            let title = one_line(title);
            (
                format!(
                    "{} (<bdi{}>{}</bdi>)",
                    escape(&title),
                    lang_dir(&alert.outlet, lang),
                    escape(&one_line(&alert.outlet))
                ),
                lang_dir(&title, lang),
            )
        }
    }
}

/// A digest as text: its summary line ([`digest_summary`]), then one section per group, alerts in order, times in the context's zone.
pub fn digest_text(alerts: &[Alert], ctx: &Context) -> String {
    let mut out = format!("{}\n\n", own_lines(&digest_summary(alerts), Some(WIDTH)));
    let mut coloured = false;
    for group in digest_groups(alerts) {
        let mut heading = heading_text(&group_heading(&group));
        if group[0].kind == ChangeKind::TakenDown {
            // Plain text has no colour: capitals make it stand out.
            heading = heading.to_uppercase();
        }
        // Wrapped, and underlined as long as its longest line.
        let heading = heading_lines(&heading, Some(WIDTH));
        let underline = heading.lines().map(|l| l.chars().count()).max();
        out.push_str(&format!(
            "{heading}\n{}\n\n",
            "=".repeat(underline.unwrap_or_default().min(WIDTH))
        ));
        for a in group {
            let (body, c) = text_body(a, ctx, KeywordMarks::TEXT, Some(WIDTH));
            coloured |= c;
            out.push_str(&body);
            // Each alert's record under it, as a single alert's footer
            // gives it: `presswatch verify --record` proves each version.
            if let Some(line) = record_line(a) {
                out.push_str(&format!("\n{}", own_lines(&line, Some(WIDTH))));
            }
            out.push_str("\n\n");
        }
    }
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    out.push_str("-- \n");
    if coloured {
        out.push_str(TEXT_LEGEND);
        out.push('\n');
    }
    let signature = format!(
        "presswatch digest · {} · {}",
        crate::text::plural(alerts.len(), "alert", "alerts"),
        ids.join(" ")
    );
    out.push_str(&format!("{}\n", own_lines(&signature, Some(WIDTH))));
    out
}

/// A digest as HTML: its summary line ([`digest_summary`]), then one
/// section per group, times in the context's zone.
pub fn digest_html(alerts: &[Alert], ctx: &Context) -> String {
    let mut b = format!(
        "<p style=\"font-size:16px;font-weight:bold;line-height:1.4;margin:0 0 16px 0;\">{}</p>",
        escape(&digest_summary(alerts))
    );
    let mut coloured = false;
    for group in digest_groups(alerts) {
        let (heading, attrs) = heading_html(&group_heading(&group));
        let colour = if group[0].kind == ChangeKind::TakenDown {
            colour::TAKEN_DOWN
        } else {
            colour::LINK
        };
        b.push_str(&format!(
            "<h2 style=\"font-size:18px;margin:8px 0 12px 0;padding-bottom:4px;border-bottom:2px solid {colour};color:{colour};\"{attrs}>{heading}</h2>",
        ));
        for a in group {
            let (shown, c) = card(a, ctx, 17);
            coloured |= c;
            b.push_str("<div style=\"margin:0 0 20px 0;\">");
            b.push_str(&shown);
            if let Some(line) = record_line(a) {
                b.push_str(&format!(
                    "<div style=\"font-size:12px;line-height:1.5;color:{};margin-top:6px;\">{}</div>",
                    colour::MUTED,
                    escape(&line)
                ));
            }
            b.push_str("</div>");
        }
    }
    b.push_str(&html_footer(
        coloured,
        None,
        &format!(
            "presswatch digest · {}",
            crate::text::plural(alerts.len(), "alert", "alerts")
        ),
    ));
    page(&b, "")
}
