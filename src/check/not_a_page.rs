//! An article watch's URL that answers no web page, whatever its server
//! labels it (many label every answer `text/html`): JSON, a CSV table, an
//! XML sitemap or another XML document, plain text ([`extract::not_html`];
//! a feed is told by its items, `article::not_an_article_page`).
//!
//! Its first check keeps no baseline of it: read as a page, such a body
//! made a baseline of JSON text, or was "no article text: set `selector`",
//! which could find none there. The error says what it is and what to
//! watch instead, as a listing's check says it ([`super::not_html`]).
//!
//! Once the watch has a baseline, such a body where the page kept last was
//! a web page is no version of the story (an API's error as JSON, a notice
//! in plain text, served with 200): the check fails and the baseline is
//! kept; its text is never an "edited" alert. A page that was always of
//! its kind (a statement published as plain text) is compared as it
//! always was.

use crate::extract::{self, NotHtml};
use crate::fetch::Response;
use crate::store::{State, VersionRow};

use super::article::{sitemap_instead, what_is_served};
use super::keep::version_page;
use super::page_facts::PageFacts;

/// The characters of such a body quoted in a check's error, at most.
const BEGINS_CHARS: usize = 160;

/// Why a first check keeps no baseline of a body that is no web page
/// (`what`), fetched for watch `name` with `selector`; `None` for a body a
/// watch may read as an article: plain text a `selector` picks (it is the
/// article, as its user says), and a feed, which a watch of its kind reads
/// (told by its items before). Words that follow "no article text found
/// at URL: ".
pub(super) fn refused_first(
    resp: &Response,
    what: &NotHtml,
    name: &str,
    selector: Option<&str>,
) -> Option<String> {
    match what {
        NotHtml::Feed => None,
        NotHtml::PlainText if selector.is_some() => None,
        what => Some(not_an_article(resp, what, Some(name))),
    }
}

/// What a body that is no web page (`what`) is, and what to watch instead
/// of it as an article: an article watch's first check and `presswatch
/// extract` say it alike (`watch`: the name of the watch, `None` for
/// extract, told to use `--selector`), as a listing's check says it
/// ([`super::not_html`]).
pub(super) fn not_an_article(resp: &Response, what: &NotHtml, watch: Option<&str>) -> String {
    let instead = "watch the article's web page (the address a browser shows for it)";
    let instead = match what {
        NotHtml::Feed => "watch it with kind = \"feed\"".to_string(),
        NotHtml::Sitemap {
            index,
            count,
            first,
        } => sitemap_instead(*index, *count, first),
        NotHtml::PlainText => format!(
            "{instead}; if this text is the article itself, {} to read it as one",
            match watch {
                Some(name) => format!("set selector = \"body\" on watch {name}"),
                None => "give --selector body".to_string(),
            }
        ),
        _ => instead.to_string(),
    };
    let holds = match what {
        NotHtml::PlainText => "",
        _ => ": it holds no article text, whatever the selector",
    };
    format!(
        "{}, not a web page{holds}; {instead}",
        what_is_served(resp, what)
    )
}

/// The error of an article watch, whose page kept last was a web page,
/// served `what` (no web page) in its place: no version of the story; the
/// baseline is kept.
pub(super) fn in_place_of_the_article(resp: &Response, text: &str, what: &NotHtml) -> String {
    let begins = crate::text::clean(text);
    let begins = match begins.char_indices().nth(BEGINS_CHARS) {
        Some((at, _)) => format!("{}…", &begins[..at]),
        None => begins,
    };
    format!(
        "{url}: the site answered with {what}, in place of the article's web page (HTTP {status}, \
         it begins “{begins}”): no version of the story; presswatch keeps the baseline and tries \
         again at the next check. If it lasts, open the URL in a browser: the story may have \
         moved, or the site serves it otherwise now",
        url = resp.final_url,
        what = what_is_served(resp, what).trim_start_matches("it is "),
        status = resp.status,
    )
}

/// Whether the page `watch`'s version `v` was read from was a web page
/// (HTML), as its page facts say, else as its kept response does (in
/// `state`); a page that facts an older presswatch kept say ended with
/// `</body>` or `</html>` was one too. `None` when nothing kept tells.
pub(super) fn kept_page_was_html(state: &State, watch: &str, v: &VersionRow) -> Option<bool> {
    if let Some(facts) = PageFacts::kept(v) {
        return facts.html.or(facts.ended.then_some(true));
    }
    let (_, html) = version_page(state, watch, v.seq)?;
    Some(extract::not_html(&html).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str, content_type: &str) -> Response {
        let url = url::Url::parse("https://news.example/2026/12/story").unwrap();
        let exchange = crate::fetch::Exchange {
            fetched_at: chrono::Utc::now(),
            status_line: "HTTP/1.1 200 OK".into(),
            headers: vec![],
            request_line: "GET /2026/12/story HTTP/1.1".into(),
            request_headers: vec![],
            encoded: None,
        };
        Response {
            final_url: url,
            redirects: Default::default(),
            status: 200,
            content_type: Some(content_type.into()),
            validators: Default::default(),
            body: body.as_bytes().to_vec(),
            exchange: Box::new(exchange),
        }
    }

    #[test]
    fn a_first_check_refuses_data_and_plain_text_but_what_a_selector_or_a_feed_watch_reads() {
        let json = r#"{"error":{"code":503,"message":"Backend unavailable"}}"#;
        let resp = response(json, "text/html; charset=utf-8");
        let what = extract::not_html(json).unwrap();
        assert_eq!(
            refused_first(&resp, &what, "story", Some("article")).as_deref(),
            Some(
                "it is JSON data (as an API answers), served as text/html, not a web page: it \
                 holds no article text, whatever the selector; watch the article's web page (the \
                 address a browser shows for it)"
            )
        );
        let text = "A statement.\n\nIt has two paragraphs of words.";
        let resp = response(text, "text/plain");
        let what = extract::not_html(text).unwrap();
        assert_eq!(
            refused_first(&resp, &what, "story", None).as_deref(),
            Some(
                "it is plain text, with no HTML markup, served as text/plain, not a web page; \
                 watch the article's web page (the address a browser shows for it); if this text \
                 is the article itself, set selector = \"body\" on watch story to read it as one"
            )
        );
        assert_eq!(refused_first(&resp, &what, "story", Some("body")), None);
        assert_eq!(
            refused_first(&resp, &NotHtml::Feed, "story", None),
            None,
            "a feed is told by its items"
        );
    }

    #[test]
    fn a_body_in_place_of_the_article_is_quoted_from_its_beginning() {
        let json = format!(
            r#"{{"error":{{"code":503,"message":"{}"}}}}"#,
            "Backend unavailable. ".repeat(10)
        );
        let resp = response(&json, "text/html");
        let said = in_place_of_the_article(&resp, &json, &NotHtml::Json);
        assert!(
            said.starts_with(
                "https://news.example/2026/12/story: the site answered with JSON data (as an API \
                 answers), served as text/html, in place of the article's web page (HTTP 200, it \
                 begins “{\"error\":{\"code\":503,\"message\":\"Backend unavailable. Backend"
            ),
            "{said}"
        );
        assert!(
            said.ends_with(
                "…”): no version of the story; presswatch keeps the baseline and tries again at \
                 the next check. If it lasts, open the URL in a browser: the story may have moved, \
                 or the site serves it otherwise now"
            ),
            "{said}"
        );
    }
}
