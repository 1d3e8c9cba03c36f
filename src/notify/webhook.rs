//! Webhook delivery: presswatch JSON (versioned schema) signed per the
//! Standard Webhooks convention, or Slack / Discord / Teams payloads.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::render;
use crate::alert::Alert;
use crate::config::{Secret, WebhookChannel, WebhookFormat};

/// How a webhook attempt ended, when it did not succeed.
#[derive(Debug)]
pub struct WebhookError {
    /// What went wrong, for logs and status.
    pub message: String,
    /// The receiver says the endpoint is gone (410): disable the channel.
    pub gone: bool,
    /// When the receiver asked to retry (Retry-After).
    pub retry_after: Option<Duration>,
}

/// Longest Slack message text we send (Slack's limit for a section block).
const SLACK_MAX_CHARS: usize = 3000;
/// Discord's limit on a message's content.
const DISCORD_MAX_CHARS: usize = 2000;
/// Teams accepts payloads up to 28 KB; the card's text stays well below.
const TEAMS_MAX_BYTES: usize = 20_000;

/// The body POSTed for an alert in the channel's format. Page text is
/// escaped for each service's markup, so it cannot add links, mentions or
/// formatting; long diffs are cut to the service's size limit with a link
/// back to the article. Times in the text are in the context's zone.
pub fn payload(format: WebhookFormat, alert: &Alert, ctx: &render::Context) -> Value {
    // The link the email's card has: a single new item's article, not the
    // feed it was found on.
    let (url, what) = render::main_link(alert).unwrap_or((alert.url.as_str(), "Open the article"));
    match format {
        WebhookFormat::Json => serde_json::to_value(alert).unwrap_or(Value::Null),
        WebhookFormat::Slack => {
            // Slack links no address inside a code block: the message's
            // links are above it (the evidence page's too) and below it
            // (each item's).
            let link = format!("<{}|{what}>", slack_url(url));
            let evidence = alert
                .evidence
                .as_ref()
                .and_then(|e| e.report.as_deref())
                .filter(|page| is_web_link(page))
                .map(|page| format!(" · <{}|Evidence>", slack_url(page)))
                .unwrap_or_default();
            let head = format!(
                "*{}*\n{link}{evidence}\n{}",
                slack_escape(&alert.subject()),
                record_line(alert, slack_escape)
            );
            let items = slack_item_links(alert);
            // In a code block Slack shows `*Evin*` as it is: a passage's
            // keyword is shown as the page writes it (the line above the
            // passage names it).
            let text = render::chat_text(alert, ctx, render::KeywordMarks::NONE);
            let body = slack_escape(&text);
            let room =
                SLACK_MAX_CHARS.saturating_sub(head.chars().count() + 6 + items.chars().count());
            let text = format!("{head}```{}```{items}", cut_chars(&body, room, &link));
            json!({ "text": text, "unfurl_links": false, "unfurl_media": false })
        }
        WebhookFormat::Discord => {
            let head = format!(
                "**{}**\n<{url}>\n{}",
                markdown_escape(&alert.subject()),
                record_line(alert, markdown_escape)
            );
            let text = markdown_escape(&render::chat_text(alert, ctx, KEYWORD_MARKS));
            // Each keyword's two marks become four asterisks.
            let room = DISCORD_MAX_CHARS.saturating_sub(
                head.chars().count() + 2 * text.matches(KEYWORD_MARKS.open).count(),
            );
            let body = bold_keywords(&cut_chars(&text, room, url));
            json!({ "content": format!("{head}{body}"), "allowed_mentions": { "parse": [] } })
        }
        WebhookFormat::Teams => {
            let body = teams_lines(&markdown_escape(&render::chat_text(
                alert,
                ctx,
                KEYWORD_MARKS,
            )));
            let body = if body.len() > TEAMS_MAX_BYTES {
                let mut end = TEAMS_MAX_BYTES;
                while !body.is_char_boundary(end) {
                    end -= 1;
                }
                format!("{}\n\n… (truncated)", cut_between_words(&body, end))
            } else {
                body
            };
            let mut card = json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": null,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            { "type": "TextBlock", "text": markdown_escape(&alert.subject()), "weight": "Bolder", "size": "Medium", "wrap": true },
                            { "type": "TextBlock", "text": bold_keywords(&body), "wrap": true, "fontType": "Monospace" }
                        ],
                        "actions": [{ "type": "Action.OpenUrl", "title": what, "url": url }]
                    }
                }]
            });
            if let Some(line) = render::record_line(alert) {
                let block = json!({ "type": "TextBlock", "text": markdown_escape(&line), "wrap": true, "isSubtle": true, "size": "Small" });
                if let Some(blocks) = card["attachments"][0]["content"]["body"].as_array_mut() {
                    blocks.push(block);
                }
            }
            card
        }
    }
}

/// The alert's record line ([`render::record_line`]) escaped for a chat,
/// with its line break, placed in the message's heading so that no cut to
/// the service's size limit takes it away; empty when the alert has none.
fn record_line(alert: &Alert, escape: fn(&str) -> String) -> String {
    render::record_line(alert)
        .map(|line| format!("{}\n", escape(&line)))
        .unwrap_or_default()
}

/// Most characters a Slack message gives to its items' links
/// ([`slack_item_links`]).
const SLACK_ITEM_LINKS_CHARS: usize = 1000;

/// Whether a link is one a chat opens: http(s).
fn is_web_link(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

/// The links of an alert's several new or retitled items, each on a line
/// of its own under a Slack message's code block (`• <URL|title>`): Slack
/// links no address inside a code block, where the text lists them. None
/// for one item, which the message's own link opens; `…` after those that
/// fit in [`SLACK_ITEM_LINKS_CHARS`].
fn slack_item_links(alert: &Alert) -> String {
    let items = alert.items.iter().map(|it| (&it.url, &it.title));
    let retitled = alert.retitled.iter().map(|r| (&r.url, &r.new_title));
    let links: Vec<_> = items
        .chain(retitled)
        .filter(|(url, _)| is_web_link(url))
        .collect();
    if links.len() < 2 {
        return String::new();
    }
    let mut out = String::new();
    for (url, title) in links {
        let line = format!(
            "\n\u{2022} <{}|{}>",
            slack_url(url),
            slack_escape(&render::isolate(title))
        );
        if out.chars().count() + line.chars().count() > SLACK_ITEM_LINKS_CHARS {
            out.push_str("\n\u{2026}");
            break;
        }
        out.push_str(&line);
    }
    out
}

/// What a chat text marks a passage's keyword with until the service's
/// own emphasis replaces it ([`bold_keywords`]): two characters of
/// Unicode's private use area, which Markdown escaping leaves as they are.
const KEYWORD_MARKS: render::KeywordMarks = render::KeywordMarks {
    open: "\u{E000}",
    close: "\u{E001}",
};

/// A chat text's keyword marks ([`KEYWORD_MARKS`]) as Markdown bold
/// (Discord, Teams): `**Evin**`, `**کانون‌نویسندگان**`. A keyword whose
/// closing mark a cut took off is left unmarked: a lone `**` would bold
/// the rest of the message, or show as it is.
fn bold_keywords(s: &str) -> String {
    let (open, close) = (KEYWORD_MARKS.open, KEYWORD_MARKS.close);
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        rest = &rest[i + open.len()..];
        if let Some(j) = rest.find(close) {
            out.push_str(&format!("**{}**", &rest[..j]));
            rest = &rest[j + close.len()..];
        }
    }
    out.push_str(rest);
    out.replace(close, "")
}

/// Cuts text to at most `max` characters including a closing pointer to the
/// full alert, between words ([`cut_between_words`]).
fn cut_chars(s: &str, max: usize, link: &str) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let tail = format!("\n… (truncated; see {link})");
    let keep = max.saturating_sub(tail.chars().count());
    let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    format!("{}{tail}", cut_between_words(s, end))
}

/// How far back, in characters, a cut looks for white space to end at: more
/// than any word, little of a text written without spaces.
const CUT_LOOKBACK_CHARS: usize = 40;

/// `s` up to the byte `end` (a character boundary), ending at the last white
/// space within [`CUT_LOOKBACK_CHARS`] of it rather than inside a word: a
/// Persian or Arabic word cut short reads as another word («ایرانی»,
/// "Iranian", as «ایرا»), and a Markdown escape stays with the character it
/// escapes. Where no white space is that close, at `end`.
fn cut_between_words(s: &str, end: usize) -> &str {
    let head = &s[..end];
    if s[end..].starts_with(char::is_whitespace) {
        return head.trim_end();
    }
    head.char_indices()
        .rev()
        .take(CUT_LOOKBACK_CHARS)
        .find(|(_, c)| c.is_whitespace())
        .map_or(head, |(i, _)| head[..i].trim_end())
}

/// Slack mrkdwn: `&`, `<` and `>` are the control characters (links, mentions).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A URL inside Slack's `<url|label>`: `|` and `>` would end it early.
fn slack_url(u: &str) -> String {
    u.replace('|', "%7C")
        .replace('>', "%3E")
        .replace('<', "%3C")
}

/// Escapes Markdown (Discord, Teams) so page text stays literal text:
/// every character Markdown gives a meaning (emphasis, links, code,
/// headings, quotes, lists, HTML, and `&`, which starts an entity: a story
/// that says "&amp;" showed "&"), and the full stop of a number that opens
/// a line (`1. The ministry said…` became a numbered list). A word that is
/// an http(s) link (an item's link, a moved story's new address, the
/// evidence page) is left as it is: the chat links it whole, and a
/// backslash in it would be part of the link, which a browser reads as a
/// `/` (`…/rasoulof\-flees` opened `…/rasoulof/-flees`, a page not found).
/// Markup cannot start inside a link the chat has taken for one.
fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_link = false;
    // Only digits since the line's start (after its indent): a `.` now
    // would make the line a numbered list.
    let mut number_opens_line = false;
    let mut line_start = true;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            in_link = false;
        } else if !in_link && (i == 0 || s[..i].ends_with(char::is_whitespace)) {
            let word = &s[i..];
            in_link = word.starts_with("https://") || word.starts_with("http://");
        }
        let list_dot = c == '.' && number_opens_line;
        if !in_link && ("\\*_~`|>#[]()<-+!&=".contains(c) || list_dot) {
            out.push('\\');
        }
        out.push(c);
        if c == '\n' {
            line_start = true;
            number_opens_line = false;
        } else if line_start && c.is_ascii_digit() {
            number_opens_line = true;
            line_start = false;
        } else if !(line_start && c == ' ') {
            line_start = false;
            number_opens_line = number_opens_line && c.is_ascii_digit();
        }
    }
    out
}

/// Escaped text's lines as a Teams card shows them, each on a line of its
/// own: an Adaptive Card's Markdown joins a line to the next one (a soft
/// break, shown as a space), so the two lines of a changed paragraph, or a
/// list of changed paragraphs, ran together. Each line is a paragraph of
/// its own (`\n\n`, the line break Teams documents for a card's text), a
/// blank line one holding a no-break space (else blank lines merge and the
/// text's parts no longer stand apart), and a line's indent no-break
/// spaces (Markdown drops a paragraph's leading spaces, and reads four as
/// a code block). Discord shows a line break as it is, and keeps this text
/// as [`markdown_escape`] leaves it.
fn teams_lines(s: &str) -> String {
    s.split('\n')
        .map(|line| {
            let text = line.trim_start_matches(' ');
            let indent = line.len() - text.len();
            match text {
                "" => "\u{00A0}".to_string(),
                _ => format!("{}{text}", "\u{00A0}".repeat(indent)),
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The HMAC key a secret stands for: a `whsec_<base64>` secret (the form
/// Standard Webhooks libraries generate) is base64-decoded, with or without
/// its `=` padding; any other secret is used as raw bytes. A `whsec_` secret
/// whose rest is not base64 is refused: used as raw bytes, every signature
/// would fail verification.
pub fn signing_key(secret: &Secret) -> Result<Vec<u8>, String> {
    use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose};
    let s = secret.expose();
    let Some(encoded) = s.strip_prefix("whsec_") else {
        return Ok(s.as_bytes().to_vec());
    };
    let lenient = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        general_purpose::PAD.with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    lenient.decode(encoded.trim()).map_err(|e| {
        format!("the secret starts with whsec_ but the rest is not base64 ({e}); copy the whole secret as the receiver shows it")
    })
}

/// The Standard Webhooks signature header value: `v1,<base64 HMAC-SHA256>`
/// over `id.timestamp.body`, with the key from [`signing_key`].
pub fn signature(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// The HTTP client webhooks are sent with. It follows no redirect: a client
/// that follows a 301, 302 or 303 repeats the POST as a GET without a body,
/// and a receiver answering that GET with 200 (a moved endpoint's landing
/// page) would have the alert counted as delivered though it never arrived.
/// A redirect is a failed attempt instead, whose message says where to.
pub fn client(user_agent: &str) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot set up the HTTP client for webhooks: {e}"))
}

/// POSTs an alert with `webhook-id` (the alert id: receivers drop
/// duplicates by it), `webhook-timestamp` and, with a secret,
/// `webhook-signature`. 2xx is success; 410 means gone; anything else is
/// retried (honouring Retry-After). The caller bounds the time it takes.
pub async fn send(
    client: &reqwest::Client,
    ch: &WebhookChannel,
    alert: &Alert,
    ctx: &render::Context,
) -> Result<(), WebhookError> {
    let body = serde_json::to_vec(&payload(ch.format, alert, ctx)).unwrap_or_default();
    let ts = chrono::Utc::now().timestamp();
    let mut req = client
        .post(ch.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &alert.id)
        .header("webhook-timestamp", ts.to_string());
    if let Some(secret) = &ch.secret {
        let key = secret
            .read()
            .map_err(|e| e.to_string())
            .and_then(|s| signing_key(&s))
            .map_err(|e| WebhookError {
                message: format!("cannot sign: the signing secret ({}): {e}", secret.key),
                gone: false,
                retry_after: None,
            })?;
        req = req.header("webhook-signature", signature(&key, &alert.id, ts, &body));
    }
    let host = crate::net_error::host_port(&ch.url);
    // The URL may carry a token (Slack, Discord, Teams): only its host and
    // port are shown.
    let resp = req.body(body).send().await.map_err(|e| WebhookError {
        message: format!(
            "POST to {host} failed: {}",
            crate::net_error::describe(&e, &ch.url, crate::net_error::Role::Webhook).message
        ),
        gone: false,
        retry_after: None,
    })?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::http_header::parse_retry_after);
    if status.is_redirection() {
        return Err(WebhookError {
            message: redirected(&host, status.as_u16(), resp.headers()),
            gone: false,
            retry_after,
        });
    }
    let gone = status.as_u16() == 410;
    let said = receiver_said(resp, &ch.url).await;
    Err(WebhookError {
        message: format!("{}{}", refused(&host, status), said.unwrap_or_default()),
        gone,
        retry_after,
    })
}

/// The start of a receiver's answer to an alert it refused, on one line,
/// when the answer is text and no markup: what the receiver says is wrong
/// ("invalid_payload", "no_text", a missing field, in plain text or JSON,
/// whatever content type it is labelled with) is what tells the operator
/// what to fix. An HTML error page says no more than its status and is
/// left out; the channel's URL path (which may carry its token) is never
/// repeated. At most 2 KiB of the answer is read.
async fn receiver_said(mut resp: reqwest::Response, url: &url::Url) -> Option<String> {
    const READ: usize = 2048;
    const SHOWN: usize = 200;
    let mime = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !(mime.is_empty() || mime.starts_with("text/") || mime.contains("json")) {
        return None;
    }
    let mut body = Vec::new();
    while body.len() < READ {
        match resp.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(READ);
    if body.trim_ascii_start().starts_with(b"<") {
        return None;
    }
    let text = String::from_utf8_lossy(&body);
    let mut line: String = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if url.path().len() > 1 {
        line = line.replace(url.path(), "/…");
    }
    if line.is_empty() {
        return None;
    }
    if line.chars().count() > SHOWN {
        line = line.chars().take(SHOWN).collect::<String>() + "…";
    }
    Some(format!("; the receiver said: {line}"))
}

/// What a redirect answer means for the channel. Only the new address's
/// origin is shown: a webhook URL's path may carry its token.
fn redirected(host: &str, status: u16, headers: &reqwest::header::HeaderMap) -> String {
    let to = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| {
            let base = url::Url::parse(&format!("http://{host}/")).ok()?;
            base.join(l).ok()
        })
        .map(|u| match u.path() {
            "/" => u.origin().ascii_serialization() + "/",
            _ => u.origin().ascii_serialization() + "/…",
        });
    format!(
        "POST to {host} answered HTTP {status}, a redirect{}: webhooks are not redirected (a redirected POST arrives without the alert); set the channel's url to the address the receiver moved to, and reload",
        to.map(|t| format!(" to {t}")).unwrap_or_default()
    )
}

/// What an error status from the receiver means and what to do. Every
/// answer but 410 is retried (doubling from 30 s to an hour, for a day), so
/// the words say whether waiting helps.
fn refused(host: &str, status: reqwest::StatusCode) -> String {
    let code = status.as_u16();
    let reason = status
        .canonical_reason()
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    let what = match code {
        401 | 403 => "the receiver refuses the credentials: the token in the channel's url or the \
                      signing secret (secret_env / secret_file) is wrong or revoked; fix it and \
                      reload (retries fail until then)"
            .to_string(),
        404 => "the receiver knows no such address: check the path in the channel's url (copy it \
                again from the receiver's settings) and reload (retries fail until then)"
            .to_string(),
        410 => "the receiver says it is gone: the channel is disabled until its url is changed or \
                `presswatch outbox retry` is run"
            .to_string(),
        429 => {
            "the receiver asks to slow down: an alert in the outbox is sent again later".to_string()
        }
        400..=499 => "the receiver refuses the request: check the channel's url and format \
                      (retries fail until it is fixed)"
            .to_string(),
        500..=599 => "the fault is the receiver's, not presswatch's: an alert in the outbox is \
                      sent again later, for up to a day"
            .to_string(),
        _ => "not a success: an alert in the outbox is sent again later".to_string(),
    };
    format!("POST to {host} answered HTTP {code}{reason}: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_message_too_long_is_cut_between_words_not_inside_a_persian_one() {
        let text = "کارگردانِ ایرانی، در بیانیه‌ای گفت ".repeat(200);
        for max in [500, 501, 502, 503, 504, 505, 506, 507] {
            let cut = cut_chars(&text, max, "https://news.example.org/a");
            assert!(cut.chars().count() <= max, "{max}: {cut}");
            let (kept, tail) = cut.split_once('\n').unwrap();
            assert_eq!(tail, "… (truncated; see https://news.example.org/a)");
            let last = kept.rsplit(' ').next().unwrap();
            assert!(
                ["کارگردانِ", "ایرانی،", "در", "بیانیه‌ای", "گفت"].contains(&last),
                "{max}: cut inside a word: …{last}"
            );
        }
        // A text with no space near the cut is cut where it must be.
        let solid = "他在被判处八年徒刑后".repeat(100);
        let cut = cut_chars(&solid, 300, "u");
        assert_eq!(cut.chars().count(), 300, "{cut}");
        // A Markdown escape is never parted from its character.
        let escaped = markdown_escape(&"a\\* b-c ".repeat(400));
        for max in 300..310 {
            let cut = cut_chars(&escaped, max, "u");
            let kept = cut.split_once('\n').unwrap().0;
            assert!(!kept.ends_with('\\'), "{max}: {kept}");
        }
    }

    /// Page text in a Teams card stays the page's text: what Markdown or
    /// HTML would take for markup (emphasis, links, tags, a backslash, an
    /// entity, a number opening a line) is escaped, and right-to-left text
    /// keeps its isolates and marks. Read by the Adaptive Cards renderer
    /// (markdown-it), the card shows `*he*`, `<b>`, `&amp;` and `1.` as the
    /// page wrote them, not as emphasis, bold, `&` and a numbered list.
    #[test]
    fn story_text_with_markup_characters_shows_literally_in_a_teams_card() {
        assert_eq!(
            markdown_escape("1. said *he* in_Europe_ [a](b) <b>x</b> \\ &amp; 2024. ===\n  12. next"),
            "1\\. said \\*he\\* in\\_Europe\\_ \\[a\\]\\(b\\) \\<b\\>x\\</b\\> \\\\ \\&amp; 2024. \\=\\=\\=\n  12\\. next"
        );
        let fa = "محمد رسول‌اف، فیلمساز *سرشناس* ایرانی";
        let mut alert = crate::alert::test_alert();
        alert.kind = crate::compare::ChangeKind::Edited;
        let doc = |p: &str| crate::document::Document {
            title: Some("Markup *test* _story_".into()),
            blocks: vec![crate::document::Block::paragraph(p)],
            ..Default::default()
        };
        let (old, new) = (
            format!("{fa} گفت."),
            format!("{fa} گفت: <at>Team</at> & [x]"),
        );
        alert.change =
            crate::compare::compare(&doc(&old), &doc(&new), &crate::compare::Rules::default());
        let card = payload(WebhookFormat::Teams, &alert, &render::Context::default());
        let body = card["attachments"][0]["content"]["body"][1]["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(body.contains("\\*سرشناس\\*"), "{body}");
        assert!(body.contains("\\<at\\>Team\\</at\\> \\& \\[x\\]"), "{body}");
        // The paragraph's lines keep their right-to-left mark, the quote
        // its isolate.
        assert!(body.contains("\n\n\u{00A0}\u{00A0}\u{200F}"), "{body}");
        assert!(body.contains("\u{2067}"), "{body}");
    }

    #[test]
    fn standard_webhooks_test_vector() {
        // The example from the Standard Webhooks specification.
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into());
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(
                &signing_key(&secret).unwrap(),
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                body
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_whsec_secret_decodes_without_padding_and_a_broken_one_is_refused() {
        let padded = Secret::new("whsec_c2lndjEyMzQ1Njc4OTAwMTI=".into());
        let unpadded = Secret::new("whsec_c2lndjEyMzQ1Njc4OTAwMTI".into());
        assert_eq!(signing_key(&padded).unwrap(), b"sigv1234567890012".to_vec());
        assert_eq!(signing_key(&unpadded), signing_key(&padded));
        let broken = Secret::new("whsec_not base64!".into());
        assert!(signing_key(&broken).unwrap_err().contains("not base64"));
        let plain = Secret::new("just-a-shared-secret".into());
        assert_eq!(
            signing_key(&plain).unwrap(),
            b"just-a-shared-secret".to_vec()
        );
    }
}
