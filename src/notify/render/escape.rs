//! Page text made safe to show: escaped for HTML ([`escape`]), linked only
//! when its link is http(s) ([`href`], and to a quote's spot on the page),
//! marked with its language and direction in HTML ([`story_lang`]), on one
//! line and in a Unicode isolate in text ([`isolate`]).

/// Headline and byline on one line: line breaks and other control
/// characters from the page become spaces.
pub(super) fn one_line(s: &str) -> String {
    s.split(char::is_control)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Page text for a line of its own: on one line, and wrapped in a Unicode
/// isolate when it holds right-to-left script ([`crate::text::bidi_isolate`]).
pub fn isolate(s: &str) -> String {
    crate::text::bidi_isolate(&one_line(s))
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// `href` for a link: only http(s) URLs, escaped; anything else (e.g. a
/// `javascript:` link from a page) gets no link at all.
pub fn href(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| escape(u.as_str()))
}

/// A link to the spot on the page where `quote` stands (a `#:~:text=`
/// text fragment: browsers scroll to it and highlight it).
pub(super) fn fragment_href(url: &str, quote: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let words: Vec<&str> = quote
        .trim_end_matches('…')
        .split_whitespace()
        .take(6)
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut encoded = String::new();
    for b in words.join(" ").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let mut base = u;
    base.set_fragment(None);
    Some(escape(&format!("{base}#:~:text={encoded}")))
}

/// The language of a part of a story (`t`) whose page declares the
/// language `lang` (the alert's, `None` when it declares none), as HTML
/// marks it. The script comes first: right-to-left text is in the declared
/// language when that is written right to left, else in the language its
/// letters show (Persian when it has letters only Persian uses, Hebrew,
/// otherwise Arabic), whatever the page declares; other text is in the
/// declared language unless that is written right to left, and in none
/// (`None`: it reads as the labels' English) when the page declares none.
pub fn story_lang(t: &str, lang: Option<&str>) -> Option<String> {
    // Checked again: an alert read from the outbox is data, not markup.
    let declared = lang.and_then(crate::text::language_tag);
    let rtl_declared = declared.as_deref().is_some_and(crate::text::rtl_language);
    if !crate::text::is_rtl(t) {
        return declared.filter(|_| !rtl_declared);
    }
    if rtl_declared {
        return declared;
    }
    let persian = t
        .chars()
        .any(|c| matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ک' | 'ی' | '\u{200C}'));
    let hebrew = t.chars().any(|c| matches!(c as u32, 0x0590..=0x05FF));
    Some(
        if persian {
            "fa"
        } else if hebrew {
            "he"
        } else {
            "ar"
        }
        .to_string(),
    )
}

/// ` lang="fa" dir="rtl"` for right-to-left text of a story, ` lang="fr"`
/// for other text of a story whose page declares French, nothing for other
/// text of a page that declares no language ([`story_lang`]).
pub(super) fn lang_dir(t: &str, lang: Option<&str>) -> String {
    match story_lang(t, lang) {
        Some(l) if crate::text::is_rtl(t) => format!(" lang=\"{l}\" dir=\"rtl\""),
        Some(l) => format!(" lang=\"{l}\""),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_is_marked_in_the_language_its_page_declares_where_the_script_agrees() {
        let fr = Some("fr-FR");
        assert_eq!(
            lang_dir("Le cinéaste a quitté l'Iran", fr),
            " lang=\"fr-FR\""
        );
        assert_eq!(lang_dir("Le cinéaste a quitté l'Iran", None), "");
        // A right-to-left language declared: its own tag, right to left.
        assert_eq!(
            lang_dir("فلم ساز ایران سے فرار ہو گیا", Some("ur")),
            " lang=\"ur\" dir=\"rtl\""
        );
        // The script over a declaration it belies: Arabic script on a page
        // that says `en` is right to left, in the language its letters show.
        assert_eq!(
            lang_dir("غادر المخرج إيران", Some("en")),
            " lang=\"ar\" dir=\"rtl\""
        );
        assert_eq!(
            lang_dir("کارگردان از ایران گریخت", Some("en-US")),
            " lang=\"fa\" dir=\"rtl\""
        );
        // A Latin name in a Persian story is no Persian.
        assert_eq!(lang_dir("Mohammad Rasoulof", Some("fa")), "");
        // What is no language tag never reaches the markup.
        assert_eq!(lang_dir("Text", Some("fr\"><script>")), "");
    }

    #[test]
    fn isolates_wrap_right_to_left_text_only() {
        assert_eq!(isolate("Rasoulof flees"), "Rasoulof flees");
        assert_eq!(
            isolate("رسول‌اف از ایران\nگریخت"),
            "\u{2067}رسول‌اف از ایران گریخت\u{2069}"
        );
        // Mostly right to left although it starts with a Latin word: a
        // first-strong isolate would set it left to right.
        assert_eq!(
            isolate("ChatGPT در ایران فیلتر شد"),
            "\u{2067}ChatGPT در ایران فیلتر شد\u{2069}"
        );
        assert_eq!(
            isolate("Interview with رسول‌اف"),
            "\u{2068}Interview with رسول‌اف\u{2069}"
        );
    }

    #[test]
    fn a_text_fragment_link_points_at_the_quoted_words() {
        assert_eq!(
            fragment_href("https://news.example.org/a#top", "Iran's Culture Minister, on Monday called the…").as_deref(),
            Some("https://news.example.org/a#:~:text=Iran%27s%20Culture%20Minister%2C%20on%20Monday%20called")
        );
        assert_eq!(fragment_href("javascript:alert(1)", "x"), None);
    }
}
