//! Several alerts as one message, in text ([`digest_text`]) and HTML
//! ([`digest_html`]): takedowns first, then new items, then the other
//! alerts grouped by story.

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

/// A digest as text: one section per group, alerts in order, times in the context's zone.
pub fn digest_text(alerts: &[Alert], ctx: &Context) -> String {
    let mut out = String::new();
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

/// A digest as HTML: one section per group, times in the context's zone.
pub fn digest_html(alerts: &[Alert], ctx: &Context) -> String {
    let mut b = String::new();
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
