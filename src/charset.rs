//! Charset detection and decoding of fetched and stored bytes: BOM, the
//! Content-Type charset, valid UTF-8, a `<meta charset>` / XML declaration
//! prescan, then statistical detection. Pure: bytes in, text out.

/// Decodes a body to text: BOM, then the Content-Type charset, then UTF-8
/// when the body is valid UTF-8 with non-ASCII text, then a `<meta charset>` /
/// XML declaration prescan (the first 1024 bytes, then the rest of the
/// `<head>`), then statistical detection. Never fails: undecodable bytes
/// become U+FFFD. A body that is already valid UTF-8 is borrowed, not copied.
pub fn decode<'a>(body: &'a [u8], content_type: Option<&str>) -> std::borrow::Cow<'a, str> {
    let encoding = sniff_encoding(body, content_type);
    let (text, _, _) = encoding.decode(body);
    text
}

/// How far the prescan looks for a `<meta charset>` that is not in the first
/// 1024 bytes, when the `<head>` does not end sooner.
const WIDE_PRESCAN: usize = 64 * 1024;

/// Picks the encoding of a body; see [`decode`].
///
/// Valid UTF-8 with non-ASCII text wins over a `<meta>` declaration: text in
/// a legacy encoding is practically never valid UTF-8, while pages saved or
/// converted to UTF-8 often keep the `<meta>` of their old encoding. A pure
/// ASCII body follows its declaration (ISO-2022-JP is 7-bit). The same
/// holds against the Content-Type charset, which servers set by default: it
/// wins unless the bytes contradict it (a body it calls UTF-8 that is not,
/// which follows its own declaration or else detection, a
/// body it calls a legacy encoding that is valid UTF-8, a body it calls
/// UTF-16 with no zero byte), or it says ISO-8859-1, the servers' default,
/// and the document declares another legacy encoding. UTF-16 without a
/// byte order mark is told by
/// the zero byte beside its opening `<`.
pub fn sniff_encoding(body: &[u8], content_type: Option<&str>) -> &'static encoding_rs::Encoding {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(body) {
        return enc;
    }
    if let Some(enc) = utf16_without_bom(body) {
        return enc;
    }
    let utf8 = std::str::from_utf8(body).is_ok();
    if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
    {
        // A server's default charset often contradicts the bytes: a feed in
        // windows-1256 (its XML declaration says so) served as UTF-8, a page
        // converted to UTF-8 still served as ISO-8859-1. The bytes decide
        // then, as they do against a stale `<meta>`. A body called UTF-8
        // that is UTF-8 but for a few stray bytes stays UTF-8 (those bytes
        // replaced); one that is not follows its own declaration, or, with
        // none, statistical detection (a windows-1256 page on a server whose
        // default charset is UTF-8: read as UTF-8, every letter of it would
        // be lost). A binary body (an image or PDF served as a page) is
        // text in no encoding: it stays UTF-8.
        if enc == encoding_rs::UTF_8 {
            // Valid UTF-8 (nearly every page) is not validated twice.
            if utf8 || mostly_utf8(body) {
                return enc;
            }
            return declared(body).unwrap_or_else(
                || {
                    if binary(body) {
                        enc
                    } else {
                        detected(body)
                    }
                },
            );
        }
        let contradicted = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            !body.iter().take(64).any(|&b| b == 0)
        } else {
            utf8 && !body.is_ascii()
        };
        if !contradicted {
            // ISO-8859-1 is what servers send when nobody configured a
            // charset (Apache's AddDefaultCharset): a document that names
            // its own legacy encoding (a windows-1256 feed's XML
            // declaration, an ISO-8859-6 page's <meta>) knows better.
            if enc == encoding_rs::WINDOWS_1252 && !body.is_ascii() {
                match declared(body) {
                    Some(own)
                        if own != encoding_rs::WINDOWS_1252
                            && own != encoding_rs::UTF_8
                            && own != encoding_rs::UTF_16LE
                            && own != encoding_rs::UTF_16BE =>
                    {
                        return own;
                    }
                    // With no declaration of its own, a body whose words,
                    // read as Latin-1, are runs of accented letters (a
                    // windows-1256 feed read so is "ÇÚÏÇã") is in the
                    // encoding detection finds, if that is one of another
                    // script.
                    None if !reads_as_latin(body) => {
                        let guess = detected(body);
                        if !LATIN_SCRIPT.contains(&guess) {
                            return guess;
                        }
                    }
                    _ => {}
                }
            }
            return enc;
        }
    }
    if utf8 && !body.is_ascii() {
        return encoding_rs::UTF_8;
    }
    if let Some(enc) = declared(body) {
        return enc;
    }
    if utf8 {
        return encoding_rs::UTF_8;
    }
    detected(body)
}

/// True when the first 64 KiB hold a control byte no text has (tab, line
/// and form feed, carriage return and escape aside): an image, a PDF's
/// streams, an archive.
fn binary(body: &[u8]) -> bool {
    body.iter()
        .take(64 * 1024)
        .any(|&b| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F))
}

/// The encoding of a body that declares none the bytes agree with:
/// windows-1256 when it reads so as Arabic script ([`arabic_in_windows_1256`]),
/// else what statistical detection (chardetng, on the first 64 KiB)
/// guesses.
///
/// chardetng needs more text than a short feed of Persian or Arabic titles
/// holds: on one or two words it guesses ISO-8859-6 ("زندان" read as
/// "زلدال"), windows-1252 ("حكم" as "Íßã"), ISO-8859-5 or windows-1255.
fn detected(body: &[u8]) -> &'static encoding_rs::Encoding {
    let sample = &body[..body.len().min(64 * 1024)];
    if arabic_in_windows_1256(sample) {
        return encoding_rs::WINDOWS_1256;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(sample, body.len() <= 64 * 1024);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// True when a body read as windows-1256, the encoding Persian and Arabic
/// sites write, has words in Arabic script and no other words with letters
/// past ASCII: each such word all Arabic letters (of two or more), none
/// mixed with ASCII ones. Text in another legacy encoding does not read so:
/// windows-1256 gives its upper half's lower-case Latin letters (à, é, ü)
/// where Latin-1, Cyrillic, Greek and Hebrew encodings have their commonest
/// letters, and ISO-8859-6 its و, ي and ه; a German "Straße" reads as
/// "Straكe", a word mixed with ASCII letters.
fn arabic_in_windows_1256(sample: &[u8]) -> bool {
    if sample.is_ascii() {
        return false;
    }
    let (text, _, _) = encoding_rs::WINDOWS_1256.decode(sample);
    let mut arabic = false;
    for word in text.split(|c: char| !(c.is_alphabetic() || c == '\u{200C}')) {
        if word.is_ascii() {
            continue;
        }
        let letters = word.chars().filter(|c| *c != '\u{200C}').count();
        if letters < 2 || !word.chars().all(|c| arabic_script(c) || c == '\u{200C}') {
            return false;
        }
        arabic = true;
    }
    arabic
}

/// True for a letter of the Arabic script (its blocks, and its
/// presentation forms).
fn arabic_script(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// The legacy encodings of Latin script, which a server's default
/// ISO-8859-1 is not taken back for ([`reads_as_latin`]).
const LATIN_SCRIPT: [&encoding_rs::Encoding; 8] = [
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1250,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1257,
    encoding_rs::WINDOWS_1258,
    encoding_rs::ISO_8859_2,
    encoding_rs::ISO_8859_15,
    encoding_rs::ISO_8859_4,
];

/// True when a body read as windows-1252 (what ISO-8859-1 means on the
/// web) looks like text in a Latin script: most of its words with letters
/// past ASCII also have ASCII letters ("Café", "naïve"). Text of another
/// script read so is words made of accented letters only ("ÇÚÏÇã",
/// "Ïðàâäà").
fn reads_as_latin(body: &[u8]) -> bool {
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&body[..body.len().min(64 * 1024)]);
    let (mut mixed, mut foreign) = (0usize, 0usize);
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if word.is_ascii() {
            continue;
        }
        if word.chars().filter(char::is_ascii).count() == 0 && word.chars().count() >= 2 {
            foreign += 1;
        } else {
            mixed += 1;
        }
    }
    foreign <= mixed
}

/// The encoding a body declares in a `<meta charset>` or its XML
/// declaration (the first 1024 bytes, then the rest of the `<head>`).
fn declared(body: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    prescan(&body[..body.len().min(1024)]).or_else(|| prescan(head_window(body)))
}

/// UTF-16 without a byte order mark, told by its first character: a
/// document starts with `<` (an XML declaration, a feed's root element, an
/// HTML tag), which UTF-16 writes with a zero byte before (big-endian) or
/// after (little-endian) it, as no ASCII-compatible encoding does (XML 1.0,
/// appendix F).
fn utf16_without_bom(body: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    match body {
        [0, b'<', 0, c, ..] if *c != 0 => Some(encoding_rs::UTF_16BE),
        [b'<', 0, c, 0, ..] if *c != 0 => Some(encoding_rs::UTF_16LE),
        _ => None,
    }
}

/// True when the body is UTF-8 but for a few stray bytes (at most one
/// invalid sequence per [`STRAY_BYTES_PER`] non-ASCII characters) or a
/// character cut off at its end (a body capped while streaming). A page in
/// UTF-8 with one bad byte in a comment stays UTF-8: decoding all of it by
/// a stale `<meta>` of its old encoding would turn every letter of a
/// Persian story into another, and alert on it. Text in a legacy encoding
/// read as UTF-8 is nearly all invalid sequences.
fn mostly_utf8(body: &[u8]) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    let mut rest = body;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                good += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                good += std::str::from_utf8(valid)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                let Some(len) = e.error_len() else { break };
                bad += 1;
                rest = &after[len..];
            }
        }
    }
    bad * STRAY_BYTES_PER <= good
}

/// Non-ASCII characters of a UTF-8 body per stray invalid byte sequence it
/// may hold and still be read as UTF-8 ([`mostly_utf8`]).
const STRAY_BYTES_PER: usize = 20;

/// The start of a body up to the end of its `<head>` (`</head>` or `<body`),
/// at most [`WIDE_PRESCAN`] bytes: where a late `<meta charset>` can be.
fn head_window(body: &[u8]) -> &[u8] {
    let window = &body[..body.len().min(WIDE_PRESCAN)];
    let end = window
        .windows(6)
        .position(|w| w.eq_ignore_ascii_case(b"</head") || w[..5].eq_ignore_ascii_case(b"<body"))
        .unwrap_or(window.len());
    &window[..end]
}

/// The `charset=` parameter of a Content-Type value.
pub fn charset_param(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// Looks for `<meta charset=...>`, `<meta http-equiv=Content-Type content="...charset=...">`
/// or `<?xml ... encoding="..."?>` in the first bytes of a document.
fn prescan(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let s = without_comments(&String::from_utf8_lossy(&lower));
    let label = if let Some(rest) = s.strip_prefix("<?xml") {
        let decl = &rest[..rest.find("?>")?];
        attr_value(decl, "encoding")
    } else {
        let mut found = None;
        for tag in s.split("<meta").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            if let Some(v) = attr_value(tag, "charset") {
                found = Some(v);
                break;
            }
            if tag.contains("content-type") {
                if let Some(v) = attr_value(tag, "content").and_then(|c| charset_param(&c)) {
                    found = Some(v);
                    break;
                }
            }
        }
        found
    }?;
    let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
    // A page that says UTF-16 in ASCII bytes is not UTF-16 (HTML spec).
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return Some(encoding_rs::UTF_8);
    }
    Some(enc)
}

/// `s` without its `<!-- ... -->` comments (commented-out `<meta>` tags do
/// not count); an unclosed comment runs to the end.
fn without_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The value of `name=...` in a tag's attribute text (quoted or not).
fn attr_value(tag: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(pos) = tag[from..].find(name) {
        let start = from + pos;
        from = start + name.len();
        let before_ok = start == 0
            || !tag.as_bytes()[start - 1].is_ascii_alphanumeric()
                && tag.as_bytes()[start - 1] != b'-';
        let rest = tag[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let value = match rest.chars().next()? {
            q @ ('"' | '\'') => rest[1..].split(q).next()?,
            _ => rest
                .split(|c: char| c.is_whitespace() || matches!(c, '>' | '/' | '"' | '\'' | ';'))
                .next()?,
        };
        return Some(value.to_string());
    }
    None
}

/// The byte a character stands for in text encoded twice: UTF-8 read as
/// windows-1252 (or Latin-1) and written out as UTF-8 again. Its bytes 0x80
/// to 0xBF become U+0080 to U+00BF, or, from 0x80 to 0x9F, the characters
/// windows-1252 gives them (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š
/// › œ ž Ÿ); C1 controls for the five it leaves undefined.
fn twice_encoded_continuation(c: char) -> Option<u8> {
    Some(match c {
        '\u{80}'..='\u{BF}' => c as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// One character of text encoded twice at the start of `s`: a lead byte
/// read as a letter (Â to ô) and the continuation bytes it needs
/// ([`twice_encoded_continuation`]), which together are valid UTF-8. Gives
/// the character they spell, the length of the run in `s`, and whether the
/// run is surely no text of its own: it holds a C1 control or a character
/// windows-1252 gives a byte 0x80 to 0x9F ("â€™" for ’), or it is Â or Ã
/// and a no-break space (U+00A0 for à). "Ã©" (é) may be a word of the
/// page's own; "â€™" is none.
fn twice_encoded_char(s: &str) -> Option<(char, usize, bool)> {
    let mut chars = s.chars();
    let lead = chars.next()?;
    let needs = match lead {
        '\u{C2}'..='\u{DF}' => 1,
        '\u{E0}'..='\u{EF}' => 2,
        '\u{F0}'..='\u{F4}' => 3,
        _ => return None,
    };
    let mut bytes = [lead as u8, 0, 0, 0];
    let mut len = lead.len_utf8();
    let mut sure = false;
    for b in bytes.iter_mut().skip(1).take(needs) {
        let c = chars.next()?;
        *b = twice_encoded_continuation(c)?;
        sure |= !('\u{A0}'..='\u{BF}').contains(&c) || c == '\u{A0}' && matches!(lead, 'Â' | 'Ã');
        len += c.len_utf8();
    }
    let decoded = std::str::from_utf8(&bytes[..=needs]).ok()?;
    Some((decoded.chars().next()?, len, sure))
}

/// True when `s` may hold text encoded twice: a character from Â to ô
/// (UTF-8 bytes 0xC3 0x82 to 0xC3 0xB4). Most text holds none.
fn may_be_twice_encoded(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(0xC3, b).any(|i| b.get(i + 1).is_some_and(|n| (0x82..=0xB4).contains(n)))
}

/// How many runs of `s` are surely text encoded twice, counted up to
/// `enough`: a lead byte read as a letter (Â to ô) and the continuation
/// bytes it needs, valid UTF-8 together, among which a C1 control or a
/// character windows-1252 gives a byte 0x80 to 0x9F ("â€™" for ’), or Â or
/// Ã before a no-break space (à). "Ã©" (é) may be a word of the page's own.
pub fn twice_encoded_runs(s: &str, enough: usize) -> usize {
    if !may_be_twice_encoded(s) {
        return 0;
    }
    let mut n = 0;
    let mut i = 0;
    while i < s.len() && n < enough {
        match twice_encoded_char(&s[i..]) {
            Some((_, len, sure)) => {
                n += usize::from(sure);
                i += len;
            }
            None => i += s[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    n
}

/// `s` with every run of text encoded twice (a lead byte read as a letter,
/// Â to ô, and the continuation bytes it needs) read back as the
/// character it spells ("donâ€™t" is "don’t", "cafÃ©" is
/// "café"), or `None` when it holds none. For text of a page found to be
/// encoded twice ([`twice_encoded_runs`]): alone, "Ã©" may be the page's own.
pub fn undo_twice_encoded(s: &str) -> Option<String> {
    if !may_be_twice_encoded(s) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while i < s.len() {
        match twice_encoded_char(&s[i..]) {
            Some((c, len, _)) => {
                out.push(c);
                changed = true;
                i += len;
            }
            None => {
                let c = s[i..].chars().next().expect("on a char boundary");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_encoded_twice_is_read_back() {
        // ’ “ ” — as UTF-8 read as windows-1252, a no-break space and é as
        // read as Latin-1, and an emoji's four bytes.
        let twice = "donâ€™t â€œaâ€\u{9d} â€” caf\u{c3}\u{a9}\u{c2}\u{a0}ok Ã\u{a0} ðŸ˜€";
        assert_eq!(
            undo_twice_encoded(twice).as_deref(),
            Some("don’t “a” — café\u{a0}ok à 😀")
        );
        // Sure runs: all but "Ã©", which may be a word of the page's own.
        assert_eq!(twice_encoded_runs(twice, 10), 7);
        assert_eq!(twice_encoded_runs(twice, 2), 2);
        assert_eq!(twice_encoded_runs("Café, naïve, Straße, «Ça»", 10), 0);
        assert_eq!(undo_twice_encoded("Café, naïve, Straße, «Ça» ‘K’"), None);
        // A lead without the continuation it needs is left as it is.
        assert_eq!(undo_twice_encoded("â€ alone, Ã at the end Ã"), None);
    }

    #[test]
    fn a_body_that_is_utf8_already_is_read_in_place_not_copied() {
        // A 35 MB feed was held three times over while being read.
        let body = "<p>فيلمساز</p>".as_bytes();
        assert!(matches!(
            decode(body, Some("text/html; charset=utf-8")),
            std::borrow::Cow::Borrowed(_)
        ));
        let (legacy, _, _) = encoding_rs::WINDOWS_1256.encode("فيلمساز");
        assert_eq!(
            decode(&legacy, Some("text/html; charset=windows-1256")),
            "فيلمساز"
        );
    }

    #[test]
    fn header_charset_wins() {
        // windows-1256 has the Arabic yeh, which Persian pages in it use.
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode("فيلمساز");
        assert_eq!(
            decode(&bytes, Some("text/html; charset=windows-1256")),
            "فيلمساز"
        );
    }

    #[test]
    fn meta_charset_prescan() {
        let mut page = b"<html><head><meta charset=\"iso-8859-1\"></head><body>".to_vec();
        page.extend_from_slice(&encoding_rs::WINDOWS_1252.encode("Caf\u{e9} na\u{ef}ve").0);
        assert!(decode(&page, Some("text/html")).contains("Café naïve"));
        let page2 =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">\xe3";
        assert!(decode(page2, None).ends_with('\u{0645}'));
    }

    #[test]
    fn meta_charset_after_the_first_1024_bytes_is_found() {
        // A GBK page whose <meta> comes after a long comment and script.
        let mut page = b"<!DOCTYPE html><html><head><!-- ".to_vec();
        page.extend_from_slice(&b"x".repeat(1200));
        page.extend_from_slice(b" --><script>var a = 1;</script>");
        page.extend_from_slice(
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" />",
        );
        page.extend_from_slice(b"<title>");
        let text = "\u{4eba}\u{5de5}\u{667a}\u{80fd}\u{8fc8}\u{4e0a}\u{65b0}\u{53f0}\u{9636}";
        page.extend_from_slice(&encoding_rs::GBK.encode(text).0);
        page.extend_from_slice(b"</title></head><body></body></html>");
        assert_eq!(sniff_encoding(&page, Some("text/html")), encoding_rs::GBK);
        assert!(decode(&page, None).contains(text));
        // A <meta> in the body, or commented out, is not a declaration.
        let mut late = b"<html><head><!-- <meta charset=\"koi8-r\"> --></head><body>".to_vec();
        late.extend_from_slice(&b" ".repeat(1100));
        late.extend_from_slice(b"<meta charset=\"koi8-r\">\xe9");
        assert_ne!(sniff_encoding(&late, None), encoding_rs::KOI8_R);
    }

    #[test]
    fn valid_utf8_wins_over_a_stale_meta_charset() {
        // Saved as UTF-8, still declaring its old encoding (as Readability's
        // qq test page does).
        let mut page =
            b"<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" /><title>".to_vec();
        page.extend_from_slice("DeepMind\u{65b0}\u{7535}\u{8111}".as_bytes());
        page.extend_from_slice(b"</title>");
        assert!(decode(&page, None).contains("DeepMind\u{65b0}\u{7535}\u{8111}"));
        // A 7-bit body follows its declaration.
        let ascii = b"<meta charset=\"iso-2022-jp\">\x1b$B$3\x1b(B";
        assert_eq!(sniff_encoding(ascii, None), encoding_rs::ISO_2022_JP);
    }

    #[test]
    fn bom_wins_over_everything() {
        let mut page = vec![0xEF, 0xBB, 0xBF];
        page.extend_from_slice("é".as_bytes());
        assert_eq!(decode(&page, Some("text/html; charset=iso-8859-1")), "é");
    }

    #[test]
    fn detection_without_any_declaration() {
        let text = "در پي صدور حکم هشت سال زندان، محمد رسول‌اف فيلمساز ايراني از کشور خارج شد و اکنون در اروپا است.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(text);
        let got = decode(&bytes, Some("text/html"));
        assert!(got.contains("فيلمساز ايراني"), "{got}");
    }

    #[test]
    fn a_short_undeclared_feed_in_persian_or_arabic_is_read_as_windows_1256() {
        // On these few words chardetng alone guesses ISO-8859-6 ("تهران"),
        // windows-1252 ("حكم" as "Íßã"), ISO-8859-5 ("حقوق بشر" as
        // "Эоцо Шдб") or windows-1255 ("سنة").
        for title in [
            "\u{0632}\u{0646}\u{062F}\u{0627}\u{0646} \u{0627}\u{0648}\u{064A}\u{0646}",
            "\u{062A}\u{0647}\u{0631}\u{0627}\u{0646}",
            "\u{062D}\u{0643}\u{0645}",
            "\u{062D}\u{0642}\u{0648}\u{0642} \u{0628}\u{0634}\u{0631}",
            "\u{0633}\u{0646}\u{0629}",
            "\u{0646}\u{0627}\u{0622}\u{0631}\u{0627}\u{0645}\u{064A}",
            "\u{0631}\u{0648}\u{0632}\u{0646}\u{0627}\u{0645}\u{0647}\u{200C}\u{0646}\u{06AF}\u{0627}\u{0631}",
        ] {
            let feed = format!("<rss><channel><item><title>{title}</title></item></channel></rss>");
            let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&feed);
            assert_eq!(decode(&bytes, None), feed);
            assert_eq!(decode(&bytes, Some("application/rss+xml")), feed);
        }
        // A body in ISO-8859-6 (its و, ي and ه are Latin letters in
        // windows-1256) stays ISO-8859-6.
        let arabic = "<p>\u{0648}\u{0642}\u{0627}\u{0644} \u{0627}\u{0644}\u{0645}\u{062D}\u{0627}\u{0645}\u{064A} \u{0625}\u{0646} \u{0627}\u{0644}\u{062D}\u{0643}\u{0645} \u{0642}\u{0627}\u{0633}\u{064D} \u{0648}\u{0633}\u{064A}\u{062A}\u{0645} \u{0627}\u{0633}\u{062A}\u{0626}\u{0646}\u{0627}\u{0641}\u{0647} \u{0641}\u{064A} \u{0627}\u{0644}\u{0623}\u{0633}\u{0628}\u{0648}\u{0639} \u{0627}\u{0644}\u{0645}\u{0642}\u{0628}\u{0644}</p>";
        let (bytes, _, _) = encoding_rs::ISO_8859_6.encode(arabic);
        assert_eq!(decode(&bytes, None), arabic);
    }

    #[test]
    fn a_server_default_iso_8859_1_gives_way_to_detection_when_the_words_are_not_latin() {
        // Apache's default charset on a windows-1256 feed with no
        // declaration of its own: read as Latin-1, "اعدام" is "ÇÚÏÇã".
        let feed = "<rss><channel><title>News</title><item><title>\u{0627}\u{0639}\u{062F}\u{0627}\u{0645} \u{0641}\u{064A}\u{0644}\u{0645}\u{0633}\u{0627}\u{0632} \u{0627}\u{064A}\u{0631}\u{0627}\u{0646}\u{064A}</title></item></channel></rss>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(feed);
        assert_eq!(decode(&bytes, Some("text/xml; charset=ISO-8859-1")), feed);
        // A Russian page in windows-1251 on the same server.
        let page = "<p>\u{041F}\u{0440}\u{0430}\u{0432}\u{043E}\u{0437}\u{0430}\u{0449}\u{0438}\u{0442}\u{043D}\u{0438}\u{043A}\u{0438} \u{0441}\u{043E}\u{043E}\u{0431}\u{0449}\u{0438}\u{043B}\u{0438} \u{043E} \u{043D}\u{043E}\u{0432}\u{043E}\u{043C} \u{043F}\u{0440}\u{0438}\u{0433}\u{043E}\u{0432}\u{043E}\u{0440}\u{0435}</p>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(page);
        assert_eq!(decode(&bytes, Some("text/html; charset=iso-8859-1")), page);
        // Latin-1 text stays Latin-1, however few of its letters are ASCII.
        for latin in [
            "<p>Caf\u{e9} na\u{ef}ve, d\u{e9}j\u{e0} vu \u{e0} l'\u{e9}t\u{e9}</p>",
            "<p>Stra\u{df}e, \u{fc}ber \u{d6}l und S\u{fc}\u{df}es</p>",
        ] {
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(latin);
            assert_eq!(decode(&bytes, Some("text/html; charset=iso-8859-1")), latin);
        }
    }

    #[test]
    fn a_content_type_charset_the_bytes_contradict_is_not_followed() {
        // A windows-1256 feed saying so in its XML declaration, served by a
        // server whose default charset is UTF-8.
        let text = "<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss><title>\u{0641}\u{064A}\u{0644}\u{0645}</title></rss>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(text);
        let got = decode(&bytes, Some("application/rss+xml; charset=utf-8"));
        assert!(
            got.contains("<title>\u{0641}\u{064A}\u{0644}\u{0645}</title>"),
            "{got}"
        );
        // A page converted to UTF-8, still served as ISO-8859-1.
        assert_eq!(
            decode(
                "Caf\u{e9}".as_bytes(),
                Some("text/html; charset=iso-8859-1")
            ),
            "Caf\u{e9}"
        );
        // A Persian page in UTF-8 with a stray byte, which kept the `<meta>`
        // of its old encoding, is still UTF-8.
        let mut page = "<meta charset=\"windows-1256\"><p>\u{0641}\u{06CC}\u{0644}\u{0645}\u{0633}\u{0627}\u{0632} \u{0627}\u{06CC}\u{0631}\u{0627}\u{0646}\u{06CC} \u{0627}\u{0632} \u{0627}\u{06CC}\u{0631}\u{0627}\u{0646} \u{062E}\u{0627}\u{0631}\u{062C} \u{0634}\u{062F}</p>".as_bytes().to_vec();
        page.insert(page.len() - 4, 0xE9);
        assert_eq!(
            sniff_encoding(&page, Some("text/html; charset=utf-8")),
            encoding_rs::UTF_8
        );
        // UTF-8 cut off inside its last character is still UTF-8.
        let cut = &"\u{0641}\u{064A}".as_bytes()[..3];
        assert_eq!(
            sniff_encoding(cut, Some("text/xml; charset=utf-8")),
            encoding_rs::UTF_8
        );
    }

    #[test]
    fn a_server_default_iso_8859_1_gives_way_to_the_document_s_own_encoding() {
        let text = "<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss><title>\u{0641}\u{064A}\u{0644}\u{0645}</title></rss>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(text);
        assert_eq!(decode(&bytes, Some("text/xml; charset=ISO-8859-1")), text);
        // A Latin-1 page saying so, or saying nothing, stays Latin-1.
        let page = encoding_rs::WINDOWS_1252.encode("<p>Caf\u{e9}</p>").0;
        assert_eq!(
            decode(&page, Some("text/html; charset=iso-8859-1")),
            "<p>Caf\u{e9}</p>"
        );
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_told_by_its_zero_bytes() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>\u{062E}\u{0628}\u{0631}</rss>";
        let be: Vec<u8> = xml.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le: Vec<u8> = xml.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&be, Some("text/xml")), xml);
        assert_eq!(decode(&le, None), xml);
    }

    #[test]
    fn xml_declaration_is_read() {
        let mut feed = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>".to_vec();
        feed.push(0xE9);
        assert!(decode(&feed, None).ends_with('é'));
    }
}
