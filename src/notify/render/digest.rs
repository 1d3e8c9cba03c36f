//! Several alerts as one message, in text ([`digest_text`]) and HTML
//! ([`digest_html`]): takedowns first, then new items, then the other
//! alerts grouped by story.

use super::escape::{escape, isolate, lang_dir};
use super::html::{card, colour, html_footer, page};
use super::text::{text_body, TEXT_LEGEND};
use super::Context;
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
