//! Rendering an alert as plain text (terminals, logs, stdout) and as HTML
//! with inline CSS (mail clients). Page text is always escaped.

use chrono_tz::Tz;

use crate::alert::Alert;
use crate::compare::{BlockChange, ChangeKind, Segment, SegmentOp};

/// Words of unchanged context kept on each side of a change.
const CONTEXT_WORDS: usize = 12;

/// Plain-text rendering: reads well in a terminal and a text mail client.
/// Removed words are shown `[-like this-]`, added words `{+like this+}`.
pub fn text(alert: &Alert) -> String {
    let mut out = text_body(alert, chrono_tz::UTC);
    out.push_str(&format!(
        "\n-- \npresswatch · watch {} · alert {}\n",
        alert.watch, alert.id
    ));
    out
}

/// Headline and byline on one line: line breaks and other control
/// characters from the page become spaces.
fn one_line(s: &str) -> String {
    s.split(char::is_control)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `2026-11-22 08:00 CET` from an RFC 3339 time (as given when unparsable).
fn when(rfc3339: &str, tz: Tz) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// One alert as text, without the signature line.
fn text_body(alert: &Alert, tz: Tz) -> String {
    let mut out = String::new();
    let title = one_line(alert.title.as_deref().unwrap_or(&alert.watch));
    out.push_str(&format!("{}: {}\n", alert.kind.label(), title));
    out.push_str(&format!("{} · {}\n", alert.outlet, alert.url));
    let detected = when(&alert.detected_at, tz);
    match alert.byline.as_deref().map(one_line) {
        Some(b) => out.push_str(&format!("By {b} · detected {detected}\n")),
        None => out.push_str(&format!("Detected {detected}\n")),
    }
    if !alert.summary.is_empty() {
        out.push_str(&format!("\n{}\n", alert.summary));
    }
    if let Some(err) = &alert.error {
        out.push_str(&format!("\nError: {err}\n"));
    }
    if let Some(line) = kept_snapshot(alert) {
        out.push_str(&format!("\n{line}\n"));
    }
    if let Some(page) = alert.evidence.as_ref().and_then(|e| e.report.as_deref()) {
        out.push_str(&format!("Evidence: {page}\n"));
    }
    if let Some(change) = &alert.change {
        for (label, pair) in [("Headline", &change.headline), ("Byline", &change.byline)] {
            if let Some((old, new)) = pair {
                out.push_str(&format!(
                    "\n{label}:\n  - {}\n  + {}\n",
                    one_line(old),
                    one_line(new)
                ));
            }
        }
        for b in &change.blocks {
            match b {
                BlockChange::Added { new_index, text } => out.push_str(&format!(
                    "\nParagraph {} (added):\n{}\n",
                    new_index + 1,
                    indent(&format!("{{+{text}+}}"))
                )),
                BlockChange::Removed { old_index, text } => out.push_str(&format!(
                    "\nParagraph {} (removed):\n{}\n",
                    old_index + 1,
                    indent(&format!("[-{text}-]"))
                )),
                BlockChange::Moved {
                    old_index,
                    new_index,
                    text,
                } => out.push_str(&format!(
                    "\nParagraph {} (moved from {}):\n{}\n",
                    new_index + 1,
                    old_index + 1,
                    indent(&shorten(text, 30))
                )),
                BlockChange::Changed {
                    new_index,
                    segments,
                    ..
                } => {
                    let mut line = String::new();
                    for (op, t) in with_context(segments) {
                        match op {
                            SegmentOp::Same => line.push_str(&t),
                            SegmentOp::Removed => line.push_str(&format!("[-{}-]", t.trim())),
                            SegmentOp::Added => line.push_str(&format!("{{+{}+}}", t.trim())),
                        }
                        if op != SegmentOp::Same && t.ends_with(' ') {
                            line.push(' ');
                        }
                    }
                    out.push_str(&format!(
                        "\nParagraph {} (changed):\n{}\n",
                        new_index + 1,
                        indent(line.trim())
                    ));
                }
            }
        }
    }
    if !alert.items.is_empty() {
        out.push('\n');
        for it in &alert.items {
            out.push_str(&format!("* {}\n  {}\n", it.title, it.url));
            if let Some(s) = &it.snippet {
                out.push_str(&format!("{}\n", indent(&shorten(s, 40))));
            }
        }
    }
    out
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

/// Orders a digest: new items first, then the other alerts grouped by story
/// (watch), stories in the order of their first alert, each story's alerts
/// oldest first.
fn digest_groups(alerts: &[Alert]) -> Vec<Vec<&Alert>> {
    let mut groups: Vec<Vec<&Alert>> = Vec::new();
    let new_items: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.kind == ChangeKind::NewItems)
        .collect();
    if !new_items.is_empty() {
        groups.push(new_items);
    }
    let mut stories: Vec<Vec<&Alert>> = Vec::new();
    for a in alerts.iter().filter(|a| a.kind != ChangeKind::NewItems) {
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
    if first.kind == ChangeKind::NewItems {
        "New items".to_string()
    } else {
        let title = group
            .iter()
            .rev()
            .find_map(|a| a.title.as_deref())
            .unwrap_or(&first.watch);
        format!("{title} ({})", first.outlet)
    }
}

/// A digest as text: one section per group, alerts in order, times in `tz`.
pub fn digest_text(alerts: &[Alert], tz: Tz) -> String {
    let mut out = String::new();
    for group in digest_groups(alerts) {
        let heading = group_heading(&group);
        out.push_str(&format!(
            "{heading}\n{}\n\n",
            "=".repeat(heading.chars().count().min(76))
        ));
        for a in group {
            out.push_str(&text_body(a, tz));
            out.push_str("\n\n");
        }
    }
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    out.push_str(&format!(
        "-- \npresswatch digest · {} alerts · {}\n",
        alerts.len(),
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

fn shorten(s: &str, words: usize) -> String {
    let ws: Vec<&str> = s.split_whitespace().collect();
    if ws.len() <= words {
        s.to_string()
    } else {
        format!("{} …", ws[..words].join(" "))
    }
}

/// The segments of a changed paragraph with long unchanged runs trimmed to
/// a few words of context around each change.
fn with_context(segments: &[Segment]) -> Vec<(SegmentOp, String)> {
    let n = segments.len();
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.op != SegmentOp::Same {
                return (s.op, s.text.clone());
            }
            let words: Vec<&str> = s.text.split_whitespace().collect();
            let lead = if s.text.starts_with(' ') { " " } else { "" };
            let trail = if s.text.ends_with(' ') { " " } else { "" };
            let (first, last) = (i == 0, i + 1 == n);
            let t = if first && !last && words.len() > CONTEXT_WORDS {
                format!(
                    "… {}{trail}",
                    words[words.len() - CONTEXT_WORDS..].join(" ")
                )
            } else if last && !first && words.len() > CONTEXT_WORDS {
                format!("{lead}{} …", words[..CONTEXT_WORDS].join(" "))
            } else if !first && !last && words.len() > 2 * CONTEXT_WORDS {
                format!(
                    "{lead}{} … {}{trail}",
                    words[..CONTEXT_WORDS].join(" "),
                    words[words.len() - CONTEXT_WORDS..].join(" ")
                )
            } else {
                s.text.clone()
            };
            (SegmentOp::Same, t)
        })
        .collect()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// `href` for a link: only http(s) URLs, escaped; anything else (e.g. a
/// `javascript:` link from a page) gets no link at all.
fn href(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| escape(u.as_str()))
}

/// ` dir="rtl"` for right-to-left text.
fn dir(t: &str) -> &'static str {
    if crate::text::is_rtl(t) {
        " dir=\"rtl\""
    } else {
        ""
    }
}

/// Wraps body HTML in a complete document with a centred white card.
fn page(inner: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head>\
<body style=\"margin:0;padding:16px;background:#f4f4f4;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:680px;margin:0 auto;background:#ffffff;border:1px solid #ddd;border-radius:4px;\"><tr><td style=\"padding:20px 24px;\">\
{inner}</td></tr></table></body></html>"
    )
}

/// The legend and signature line at the bottom of a message.
fn html_footer(text: &str) -> String {
    format!(
        "<div style=\"border-top:1px solid #eee;margin-top:16px;padding-top:8px;font-size:11px;color:#999;\">\
<del style=\"color:#b00020;text-decoration:line-through;\">struck through in red</del>: removed · \
<ins style=\"color:#0a6b2d;background:#e3f6e8;text-decoration:none;\">green</ins>: added<br>{}</div>",
        escape(text)
    )
}

/// HTML rendering with inline CSS (no external resources, no scripts).
/// Removed words are struck through in red, added words in green.
pub fn html(alert: &Alert) -> String {
    let mut b = html_card(alert, chrono_tz::UTC, 22);
    b.push_str(&html_footer(&format!(
        "presswatch · watch {} · alert {}",
        alert.watch, alert.id
    )));
    page(&b)
}

/// A digest as HTML: one section per group, times in `tz`.
pub fn digest_html(alerts: &[Alert], tz: Tz) -> String {
    let mut b = String::new();
    for group in digest_groups(alerts) {
        let heading = group_heading(&group);
        b.push_str(&format!(
            "<h2 style=\"font-size:18px;margin:8px 0 12px 0;padding-bottom:4px;border-bottom:2px solid #1a4b8c;color:#1a4b8c;\"{}>{}</h2>",
            dir(&heading),
            escape(&heading)
        ));
        for a in group {
            b.push_str("<div style=\"margin:0 0 20px 0;\">");
            b.push_str(&html_card(a, tz, 17));
            b.push_str("</div>");
        }
    }
    b.push_str(&html_footer(&format!(
        "presswatch digest · {} alerts",
        alerts.len()
    )));
    page(&b)
}

/// Inline style of removed words (email and evidence viewer alike).
pub const DEL_STYLE: &str = "color:#b00020;background:#fde7e9;text-decoration:line-through;";
/// Inline style of added words (email and evidence viewer alike).
pub const INS_STYLE: &str = "color:#0a6b2d;background:#e3f6e8;text-decoration:none;";

/// One alert as HTML, without the page around it; the headline in
/// `headline_px` (smaller inside a digest, under the story's heading).
/// The evidence viewer shows the same card.
pub fn html_card(alert: &Alert, tz: Tz, headline_px: u32) -> String {
    let title = &one_line(alert.title.as_deref().unwrap_or(&alert.watch));
    let mut b = String::new();
    b.push_str(&format!(
        "<div style=\"font-size:12px;text-transform:uppercase;letter-spacing:1px;color:#666;\">{}</div>",
        escape(alert.kind.label())
    ));
    let headline = match href(&alert.url) {
        Some(h) => format!(
            "<a href=\"{h}\" style=\"color:#1a4b8c;text-decoration:none;\">{}</a>",
            escape(title)
        ),
        None => escape(title),
    };
    b.push_str(&format!(
        "<h1 style=\"font-size:{headline_px}px;line-height:1.3;margin:6px 0 8px 0;\"{}>{headline}</h1>",
        dir(title)
    ));
    let mut meta = vec![escape(&alert.outlet)];
    if let Some(by) = &alert.byline {
        meta.push(format!("By {}", escape(&one_line(by))));
    }
    meta.push(format!(
        "Detected {}",
        escape(&when(&alert.detected_at, tz))
    ));
    if let Some(h) = href(&alert.url) {
        meta.push(format!(
            "<a href=\"{h}\" style=\"color:#1a4b8c;\">Open the article</a>"
        ));
    }
    if let Some(page) = alert.evidence.as_ref().and_then(|e| e.report.as_deref()) {
        meta.push(format!(
            "<a href=\"{}\" style=\"color:#1a4b8c;\">Evidence</a>",
            escape(page)
        ));
    }
    b.push_str(&format!(
        "<div style=\"font-size:13px;color:#666;margin-bottom:12px;\">{}</div>",
        meta.join(" · ")
    ));
    if !alert.summary.is_empty() {
        b.push_str(&format!(
            "<div style=\"font-size:15px;font-weight:bold;padding:8px 12px;background:#fff8e1;border-left:4px solid #f0b400;margin-bottom:16px;\">{}</div>",
            escape(&alert.summary)
        ));
    }
    if let Some(err) = &alert.error {
        b.push_str(&format!("<p style=\"color:#b00020;\">{}</p>", escape(err)));
    }
    if let Some(line) = kept_snapshot(alert) {
        b.push_str(&format!(
            "<p style=\"font-size:13px;color:#444;\">{}</p>",
            escape(&line)
        ));
    }
    let del = |t: &str| format!("<del style=\"{DEL_STYLE}\">{}</del>", escape(t));
    let ins = |t: &str| format!("<ins style=\"{INS_STYLE}\">{}</ins>", escape(t));
    let para = |label: String, body: String, d: &str| {
        format!(
            "<div style=\"margin:0 0 14px 0;\"><div style=\"font-size:12px;color:#888;margin-bottom:2px;\">{label}</div><p style=\"margin:0;font-size:15px;line-height:1.5;\"{d}>{body}</p></div>"
        )
    };
    if let Some(change) = &alert.change {
        if let Some((old, new)) = &change.headline {
            b.push_str(&para(
                "Headline".into(),
                format!("{} {}", del(&one_line(old)), ins(&one_line(new))),
                dir(new),
            ));
        }
        if let Some((old, new)) = &change.byline {
            b.push_str(&para(
                "Byline".into(),
                format!("{} {}", del(&one_line(old)), ins(&one_line(new))),
                "",
            ));
        }
        for c in &change.blocks {
            match c {
                BlockChange::Added { new_index, text } => b.push_str(&para(
                    format!("Paragraph {} · added", new_index + 1),
                    ins(text),
                    dir(text),
                )),
                BlockChange::Removed { old_index, text } => b.push_str(&para(
                    format!("Paragraph {} · removed", old_index + 1),
                    del(text),
                    dir(text),
                )),
                BlockChange::Moved {
                    old_index,
                    new_index,
                    text,
                } => b.push_str(&para(
                    format!("Paragraph {} · moved from {}", new_index + 1, old_index + 1),
                    escape(&shorten(text, 30)),
                    dir(text),
                )),
                BlockChange::Changed {
                    new_index,
                    segments,
                    ..
                } => {
                    let mut body = String::new();
                    let mut all = String::new();
                    for (op, t) in with_context(segments) {
                        all.push_str(&t);
                        match op {
                            SegmentOp::Same => body.push_str(&escape(&t)),
                            SegmentOp::Removed => {
                                body.push_str(&del(t.trim_end()));
                                body.push(' ');
                            }
                            SegmentOp::Added => {
                                body.push_str(&ins(t.trim_end()));
                                if t.ends_with(' ') {
                                    body.push(' ');
                                }
                            }
                        }
                    }
                    b.push_str(&para(
                        format!("Paragraph {} · changed", new_index + 1),
                        body,
                        dir(&all),
                    ));
                }
            }
        }
    }
    if !alert.items.is_empty() {
        b.push_str("<ul style=\"padding-left:18px;margin:0;\">");
        for it in &alert.items {
            let title = match href(&it.url) {
                Some(h) => format!(
                    "<a href=\"{h}\" style=\"color:#1a4b8c;font-weight:bold;\">{}</a>",
                    escape(&it.title)
                ),
                None => format!("<b>{}</b>", escape(&it.title)),
            };
            b.push_str(&format!(
                "<li style=\"margin-bottom:10px;\"{}>{title}",
                dir(&it.title)
            ));
            if let Some(s) = &it.snippet {
                b.push_str(&format!(
                    "<br><span style=\"color:#555;font-size:14px;\">{}</span>",
                    escape(&shorten(s, 40))
                ));
            }
            b.push_str("</li>");
        }
        b.push_str("</ul>");
    }
    b
}
