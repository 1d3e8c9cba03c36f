//! A page that stops before its end: a connection closed halfway through a
//! body with no declared length, or a server that stopped writing the page
//! (a PHP "Fatal error: Maximum execution time…" in the middle of the
//! article). Its missing half is no edit: the check fails, and the baseline
//! is kept.
//!
//! HTML lets a page leave out `</body>` and `</html>`, so their absence
//! alone says nothing. What does is a page without them where the page the
//! watch accepted last ended with them: the same site, the same template.

use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::store::{State, VersionRow};

use super::keep::version_snapshot;
use super::page_facts::PageFacts;

/// The end tags of a whole page, any case.
static PAGE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</(body|html)\b").expect("static regex"));

/// Bytes at the end of a page looked at for its end tags, at least: what
/// follows `</html>` on a whole page (scripts, tracking pixels, a comment
/// from the cache) is far less. A larger page is looked at in its last
/// quarter.
const TAIL_BYTES: usize = 64 * 1024;

/// The characters of a cut page's last words quoted in the error, at most.
const LAST_WORDS_CHARS: usize = 160;

/// Whether a page (its body as served) ends as a whole page does: a
/// `</body>` or `</html>` in its last part.
pub(super) fn ends_properly(body: &[u8]) -> bool {
    let tail = TAIL_BYTES.max(body.len() / 4);
    PAGE_END.is_match(&body[body.len().saturating_sub(tail)..])
}

/// The error of an article page (`body`, fetched from `url`) that stops
/// before its end while the page of the watch's newest version (`latest`,
/// as its page facts or its kept response in `state` tell:
/// [`kept_ending`]) ended properly; `None` when the page ends
/// properly, or when neither was kept to go by, or that page did not end so
/// either (a site whose pages leave the end tags out).
pub(super) fn cut_short(
    state: &State,
    watch: &str,
    latest: Option<&VersionRow>,
    url: &url::Url,
    body: &[u8],
) -> Option<String> {
    if ends_properly(body) {
        return None;
    }
    let (ended, before) = kept_ending(state, watch, latest?)?;
    if !ended {
        return None;
    }
    Some(format!(
        "{url}: the page stops before its end (it ends “{}” after {}, with no </body> or </html>, which the page \
         kept last had at its end, after {}): a server error or a cut connection; presswatch keeps the \
         baseline and tries again at the next check",
        last_words(body),
        crate::text::plural(body.len(), "byte", "bytes"),
        crate::text::plural(before, "byte", "bytes"),
    ))
}

/// Whether the page `watch`'s version `v` was read from ended as a whole
/// page does, and its length in bytes: as its page facts say, else as its
/// kept response (in `state`) does; `None` when neither was kept.
fn kept_ending(state: &State, watch: &str, v: &VersionRow) -> Option<(bool, usize)> {
    if let Some(facts) = PageFacts::kept(v) {
        return Some((facts.ended, facts.bytes));
    }
    let kept = version_snapshot(state, watch, v.seq).ok()??;
    let body = state.snapshot_body(&kept.body_sha256).ok()??.ok()?;
    Some((ends_properly(&body), body.len()))
}

/// The last line of text a page says (tags dropped, at most
/// [`LAST_WORDS_CHARS`], "…" before when cut): where a cut page stops, or
/// the error a server wrote in its place.
fn last_words(body: &[u8]) -> String {
    static TAG: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"<[^>]*>|^[^<]*>").expect("static regex"));
    let tail = String::from_utf8_lossy(&body[body.len().saturating_sub(2048)..]).into_owned();
    // A tag cut off at the very end says nothing.
    let tail = match (tail.rfind('<'), tail.rfind('>')) {
        (Some(open), close) if close.is_none_or(|c| c < open) => tail[..open].to_string(),
        _ => tail,
    };
    let line = tail
        .lines()
        .map(|l| {
            let text = TAG.replace_all(l, "");
            let text = html_escape_light(&text);
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .rfind(|l| !l.is_empty())
        .unwrap_or_default();
    let chars: Vec<char> = line.chars().collect();
    if chars.len() > LAST_WORDS_CHARS {
        let kept: String = chars[chars.len() - LAST_WORDS_CHARS..].iter().collect();
        format!("…{}", kept.trim_start())
    } else {
        line
    }
}

/// The few character references a server's error line holds.
fn html_escape_light(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_ends_properly_with_its_end_tags_in_its_last_part() {
        assert!(ends_properly(b"<html><body><p>a</p></body></html>"));
        assert!(ends_properly(b"<HTML><BODY><P>a</BODY>"));
        assert!(ends_properly(
            b"<html><body><p>a</p></body></html>\n<script>track()</script>\n<!-- cached -->\n"
        ));
        assert!(!ends_properly(
            b"<html><body><p>Paragraph 9: the filmmaker Ras"
        ));
        // An end tag quoted early in a long page that was cut is no end.
        let mut cut = b"<html><head><script>var s='</body>';</script></head><body>".to_vec();
        cut.extend(b"<p>word word word word word word word word</p>\n".repeat(4000));
        assert!(!ends_properly(&cut));
    }

    #[test]
    fn the_last_words_are_where_the_page_stops_or_the_servers_error() {
        let php = b"<p>Paragraph 9: the filmmaker Mohammad Ras<br />\n<b>Fatal error</b>:  Maximum execution time of 30 seconds exceeded in <b>/var/www/html/wp-includes/formatting.php</b> on line <b>2345</b><br />\n";
        assert_eq!(
            last_words(php),
            "Fatal error: Maximum execution time of 30 seconds exceeded in /var/www/html/wp-includes/formatting.php on line 2345"
        );
        assert_eq!(
            last_words(b"<p>a</p>\n<p>Paragraph 10: the filmmaker left the cou"),
            "Paragraph 10: the filmmaker left the cou"
        );
        assert_eq!(
            last_words(b"<p>a</p>\n<p>Paragraph 10: the filmmaker</p><di"),
            "Paragraph 10: the filmmaker"
        );
        let long = format!("<p>{}</p><p>the end of a long line", "word ".repeat(100));
        let said = last_words(long.as_bytes());
        assert!(
            said.starts_with('…') && said.ends_with("word the end of a long line"),
            "{said}"
        );
        assert_eq!(said.chars().count(), LAST_WORDS_CHARS + 1);
    }
}
