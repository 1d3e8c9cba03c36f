//! Text normalisation shared by extraction, comparison and keyword matching.
//!
//! Two levels exist on purpose:
//! - [`clean`] is what a reader sees: Unicode NFC, whitespace folded, invisible
//!   formatting characters dropped, right-to-left text left exactly in order.
//! - [`compare_key`] and [`match_key`] fold the variants that are the same text
//!   to a reader (Arabic vs Persian yeh and kaf, tatweel, zero-width
//!   non-joiner, Persian and Arabic-Indic digits, typographic quotes and dashes,
//!   Arabic diacritics, letters with or without a hamza or madda) so that
//!   comparison and keyword matching never fire on a mere encoding variant.

use unicode_normalization::UnicodeNormalization;

/// Returns true for characters that render as white space (including no-break
/// and typographic spaces).
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{180E}')
}

/// Returns true for invisible characters that carry no text and only appear
/// through copy-paste or CMS quirks (zero-width space, BOM, soft hyphen).
/// The zero-width non-joiner and joiner are kept: they shape Persian words.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}')
}

/// A word for a shell command line, in single quotes when it holds
/// anything but letters, digits and `/._-+,:@=` (a config path or a watch
/// name in a command a hint shows).
pub fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@=".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Text cut at a word boundary to at most `max` characters, `…` included
/// (an alert's subject, a page title quoted in an error).
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split(' ') {
        if out.chars().count() + w.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = s.chars().take(max.saturating_sub(1)).collect();
    }
    format!("{}…", out.trim_end_matches([',', ';', ':', ' ']))
}

/// True when `hay` contains the lower-case ASCII `needle`, in any case.
pub fn contains_ascii_ci(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    // The rest is compared only where the first byte is, in either case:
    // a vectorised search, where a window at every byte cost as much as the
    // regex the test guards.
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), hay).any(|at| {
        hay.get(at + 1..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
    })
}

/// Normalises text for display and storage: NFC, invisible characters removed,
/// runs of white space folded into one space, trimmed.
pub fn clean(s: &str) -> String {
    // NFC leaves most text as it is; the quick check skips the costly pass then.
    if s.is_ascii() || is_nfc(s) {
        fold_spaces(s)
    } else {
        fold_spaces(&nfc_where_needed(s))
    }
}

/// Whether NFC leaves `s` as it is, by the quick check.
fn is_nfc(s: &str) -> bool {
    unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes
}

/// `s` in NFC, normalised a chunk at a time (at least [`NFC_CHUNK`] bytes,
/// ending after ASCII white space), each only when the quick check says it
/// may need it. A space is a starter that composes with nothing, so no
/// normalisation reaches across it (UAX #15: a boundary before each such
/// character): the text is the same as `s.nfc()`, at a fraction of the
/// cost when a page's text holds a few combining marks among thousands of
/// words.
fn nfc_where_needed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        // ASCII bytes never occur inside a UTF-8 sequence: the chunk ends
        // on a character boundary.
        let end = rest
            .as_bytes()
            .get(NFC_CHUNK..)
            .and_then(|tail| tail.iter().position(u8::is_ascii_whitespace))
            .map_or(rest.len(), |at| NFC_CHUNK + at + 1);
        let (chunk, next) = rest.split_at(end);
        if is_nfc(chunk) {
            out.push_str(chunk);
        } else {
            out.extend(chunk.nfc());
        }
        rest = next;
    }
    out
}

/// Bytes, at least, of a chunk [`nfc_where_needed`] checks at once: small
/// enough that a stray combining mark costs little text normalised, large
/// enough that the checks cost little.
const NFC_CHUNK: usize = 128;

/// Drops invisible characters and folds runs of white space into one space,
/// copying the text between them a run at a time.
fn fold_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // ASCII has no invisible characters, and its white space but for the
    // vertical tab is what `split_ascii_whitespace` splits at.
    if s.is_ascii() && !s.contains('\u{0B}') {
        for word in s.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        return out;
    }
    // White space seen since the last character kept.
    let mut space = false;
    // Where the run of characters to keep began.
    let mut run = 0;
    let keep = |out: &mut String, space: &mut bool, kept: &str| {
        if kept.is_empty() {
            return;
        }
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push_str(kept);
    };
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // White space and invisible characters are ASCII white space or
        // start with one of these bytes in UTF-8 (U+0080–U+00BF,
        // U+1000–U+3FFF, U+F000–U+FFFF): other bytes are kept unread.
        let c = match bytes[i] {
            b' ' | b'\t'..=b'\r' => char::from(bytes[i]),
            0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF => s[i..].chars().next().expect("a lead byte"),
            _ => {
                i += 1;
                continue;
            }
        };
        if is_space(c) || is_invisible(c) {
            keep(&mut out, &mut space, &s[run..i]);
            space |= is_space(c);
            run = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    keep(&mut out, &mut space, &s[run..]);
    out
}

/// Folds one character to its comparison form; `None` drops it.
fn fold_char(c: char) -> Option<char> {
    Some(match c {
        // Arabic yeh / alef maksura and Arabic kaf to their Persian forms.
        '\u{064A}' | '\u{0649}' => '\u{06CC}',
        '\u{0643}' => '\u{06A9}',
        // Letters written with a hamza or madda on them, or without, as
        // outlets and their editors' tools flip between them: yeh, heh and
        // waw with hamza (رئیس, خانۀ, مؤسسه) as the letter the hamza sits on
        // (the combining hamza U+0654 of رئیس spelled ر + ی + ٔ is dropped
        // below, so both spellings meet), alef with madda or hamza (إلى,
        // آزادی) and alef wasla as alef.
        '\u{0626}' => '\u{06CC}',
        '\u{06C0}' => '\u{0647}',
        '\u{0624}' => '\u{0648}',
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' => '\u{0627}',
        // Arabic heh goal / teh marbuta stay; tatweel and ZWNJ/ZWJ vanish.
        '\u{0640}' | '\u{200C}' | '\u{200D}' => return None,
        // Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef).
        '\u{064B}'..='\u{065F}' | '\u{0670}' => return None,
        // Persian and Arabic-Indic digits to ASCII.
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        // Typographic quotes and dashes to ASCII.
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2026}' => '.',
        // Arabic comma and semicolon, question mark.
        '\u{060C}' => ',',
        '\u{061B}' => ';',
        '\u{061F}' => '?',
        _ => c,
    })
}

/// The form two texts are compared in: [`clean`], then Persian/Arabic and
/// typographic variants folded. Case is kept: a changed capital is an edit.
pub fn compare_key(s: &str) -> String {
    // Most text has nothing to fold: skip building a folded copy then. In
    // ASCII only the backtick folds.
    let nothing_to_fold = if s.is_ascii() {
        memchr::memchr(b'`', s.as_bytes()).is_none()
    } else {
        s.chars().all(|c| fold_char(c) == Some(c))
    };
    if nothing_to_fold {
        clean(s)
    } else {
        clean(&s.chars().filter_map(fold_char).collect::<String>())
    }
}

/// The form keywords and text are matched in: [`compare_key`] lower-cased.
pub fn match_key(s: &str) -> String {
    compare_key(s).to_lowercase()
}

/// Words in comparison form with the spaces between two Persian/Arabic
/// letters removed. Persian writes the parts of one word with a zero-width
/// non-joiner (سه‌شنبه, می‌خواهم), which many sites and writers type as a
/// space (سه شنبه) or leave out (میخواهم), and copy-editors put back: the
/// three spellings are one text. (The comparison form already drops the
/// non-joiner; this makes the space the same.) A reader sees no edit where
/// only these spaces moved, since the letters and their order are the same.
pub fn joined_script(words: &str) -> std::borrow::Cow<'_, str> {
    let arabic = |c: Option<char>| {
        c.is_some_and(|c| {
            matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
                && c.is_alphabetic()
        })
    };
    // Arabic-script letters start with 0xD8–0xDD in UTF-8 (U+0600–U+077F),
    // 0xE0 (U+08A0–U+08FF) or 0xEF (presentation forms): text without these
    // bytes (most text) has no such space.
    if !words
        .bytes()
        .any(|b| matches!(b, 0xD8..=0xDD | 0xE0 | 0xEF))
    {
        return std::borrow::Cow::Borrowed(words);
    }
    let mut out = String::with_capacity(words.len());
    let mut chars = words.chars().peekable();
    let mut prev = None;
    while let Some(c) = chars.next() {
        if !(c == ' ' && arabic(prev) && arabic(chars.peek().copied())) {
            out.push(c);
        }
        prev = Some(c);
    }
    std::borrow::Cow::Owned(out)
}

/// The form keywords, and the text they are looked for in, are matched in:
/// [`match_key`] (case, yeh and kaf, diacritics and tanwin, hamza and madda,
/// Persian and Arabic digits folded, the ZWNJ between a Persian word's parts
/// dropped: رسول‌اف is رسولاف), and teh marbuta as heh (ة as ه: وزارة,
/// وزاره) as search engines fold it. Spaces stay: whether the parts of a
/// keyword may be spelled apart or together is for [`mentions`] to say,
/// and only inside the keyword (برای رانندگان does not hold ایران).
pub fn keyword_key(s: &str) -> String {
    match_key(s)
        .chars()
        .map(|c| match c {
            '\u{0629}' => '\u{0647}',
            _ => c,
        })
        .collect()
}

/// What Arabic and Persian write joined to the front of a word: "and",
/// "so", "with/in", "for/to", "like", "the", and their pairs (والعراق,
/// بالعراق, للعراق for ل + العراق), in [`keyword_key`] form (Arabic kaf
/// as Persian kaf). The longest first.
const ATTACHED_PREFIXES: [&str; 17] = [
    "\u{0648}\u{0644}\u{0644}", // ولل
    "\u{0641}\u{0644}\u{0644}", // فلل
    "\u{0648}\u{0627}\u{0644}", // وال
    "\u{0641}\u{0627}\u{0644}", // فال
    "\u{0628}\u{0627}\u{0644}", // بال
    "\u{06A9}\u{0627}\u{0644}", // کال
    "\u{0644}\u{0644}",         // لل
    "\u{0627}\u{0644}",         // ال
    "\u{0648}\u{0628}",         // وب
    "\u{0648}\u{0644}",         // ول
    "\u{0641}\u{0628}",         // فب
    "\u{0641}\u{0644}",         // فل
    "\u{0648}",                 // و
    "\u{0641}",                 // ف
    "\u{0628}",                 // ب
    "\u{0644}",                 // ل
    "\u{06A9}",                 // ک
];

/// What Persian and Arabic write joined to the end of a word that keeps it
/// the same word to a reader looking for it: the Persian plural and its
/// ezafe (ها, های, هایی, ان, یان), the ezafe, adjective and indefinite ی and
/// ای (ایرانی, وکیلی), the Arabic plurals and duals (ات, ین, ون, ان) and
/// the feminine ه (ة folded to ه), in [`keyword_key`] form. Pronouns (م,
/// ت, ش) are left out: کار with ت is کارت, another word.
const ATTACHED_SUFFIXES: [&str; 11] = [
    "\u{0647}\u{0627}\u{06CC}\u{06CC}", // هایی
    "\u{0647}\u{0627}\u{06CC}",         // های
    "\u{0647}\u{0627}",                 // ها
    "\u{06CC}\u{0627}\u{0646}",         // یان
    "\u{0627}\u{0646}",                 // ان
    "\u{0627}\u{062A}",                 // ات
    "\u{06CC}\u{0646}",                 // ین
    "\u{0648}\u{0646}",                 // ون
    "\u{0627}\u{06CC}",                 // ای
    "\u{06CC}",                         // ی
    "\u{0647}",                         // ه (ة)
];

/// Whether `c` is a letter of the Arabic script (Arabic, Persian, Urdu...).
fn arabic_letter(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
        && c.is_alphabetic()
}

/// True when `text` mentions `keyword`, both in [`keyword_key`] form: the
/// one place keywords are matched (feed and listing items, followed
/// articles, an article's changed paragraphs).
///
/// - A keyword with a Persian/Arabic letter matches whole words only, as a
///   reader of the script sees them: a run of the text's words whose
///   letters, spaces left out, are the keyword's letters, spaces left out.
///   So the keyword's parts may be joined by a ZWNJ, a space or nothing
///   (حقوق بشر, حقوق‌بشر and حقوقبشر are one), but the keyword never starts
///   or ends inside a word: ایران is not in «برای رانندگان», امین is not in
///   «تأمین». Its first word may carry one of the `ATTACHED_PREFIXES`
///   (العراق in والعراق and للعراق, عراق in العراق) and its last one of the
///   `ATTACHED_SUFFIXES` (ایران in ایرانی, وکیل in وکیلان).
/// - A keyword in a script whose words stand apart (Latin, Greek, Cyrillic,
///   Armenian, Georgian; or starting with a digit or a sign:
///   "#MahsaAmini") must start a word: "Evin" is not in "Kevin", "Iran" is
///   in "Iranian" and "Evin's".
/// - Any other keyword (Hebrew, which joins "and" and "the" to the word;
///   Chinese, Japanese and Thai, written without spaces) may stand
///   anywhere.
pub fn mentions(text: &str, keyword: &str) -> bool {
    let Some(first) = keyword.chars().next() else {
        return false;
    };
    if keyword.chars().any(arabic_letter) {
        return mentions_words(text, keyword);
    }
    if !words_stand_apart(first) {
        return text.contains(keyword);
    }
    text.match_indices(keyword).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    })
}

/// [`mentions`] for a keyword in Persian/Arabic script: whole words, the
/// keyword's parts joined or apart, an attached prefix and suffix allowed.
fn mentions_words(text: &str, keyword: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || unicode_mark(c);
    let letters: String = keyword.chars().filter(|&c| is_word(c)).collect();
    if letters.is_empty() {
        return false;
    }
    let words: Vec<&str> = text
        .split(|c: char| !is_word(c))
        .filter(|w| !w.is_empty())
        .collect();
    // The keyword's letters read from `words[i]` on, the first word after
    // `skip` bytes (its prefix).
    let from = |i: usize, skip: usize, wanted: &str| -> bool {
        let mut rest = wanted;
        let mut piece = &words[i][skip..];
        let mut i = i;
        loop {
            if let Some(after) = rest.strip_prefix(piece) {
                if after.is_empty() {
                    return true;
                }
                rest = after;
                i += 1;
                match words.get(i) {
                    Some(w) => piece = w,
                    None => return false,
                }
            } else {
                return piece
                    .strip_prefix(rest)
                    .is_some_and(|tail| ATTACHED_SUFFIXES.contains(&tail));
            }
        }
    };
    // A keyword with the article (العراق) after ل, which drops its alef:
    // للعراق.
    let without_article = letters.strip_prefix("\u{0627}\u{0644}");
    (0..words.len()).any(|i| {
        let w = words[i];
        from(i, 0, &letters)
            || ATTACHED_PREFIXES.iter().any(|p| {
                w.len() > p.len()
                    && w.starts_with(p)
                    && (from(i, p.len(), &letters)
                        || (p.ends_with("\u{0644}\u{0644}")
                            && without_article
                                .is_some_and(|k| !k.is_empty() && from(i, p.len(), k))))
            })
    })
}

/// A combining mark of the scripts keywords are matched in (Latin accents
/// as NFD leaves them, Arabic marks [`compare_key`] keeps).
fn unicode_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
}

/// The most words of a passage [`keyword_passage`] gives: a sentence of a
/// news story (most are 15 to 35 words), short enough to read in an alert's
/// list of items.
pub const PASSAGE_WORDS: usize = 45;

/// The first passage of `text` (paragraphs apart by line breaks) that
/// mentions one of `keys` (keywords in [`keyword_key`] form), as
/// [`mentions`] finds it: the paragraph when it is short, else its first
/// sentence that mentions one, and a sentence longer than
/// [`PASSAGE_WORDS`] cut to that many words around the keyword, `…` where
/// words were left out. On one line, in the text's own words (to mark the
/// keyword in, [`keyword_spans`]). `None` when no paragraph mentions one.
pub fn keyword_passage(text: &str, keys: &[String]) -> Option<String> {
    let mentioned = |s: &str| {
        let hay = keyword_key(s);
        keys.iter().any(|k| mentions(&hay, k))
    };
    let paragraph = text
        .split('\n')
        .map(str::trim)
        .find(|p| !p.is_empty() && mentioned(p))?;
    if word_count_up_to(paragraph, PASSAGE_WORDS + 1) <= PASSAGE_WORDS {
        return Some(one_spaced(paragraph));
    }
    // A keyword spelled across two sentences (its words apart) is in no
    // sentence: the paragraph is cut around it then.
    let sentence = sentences(paragraph)
        .into_iter()
        .find(|s| mentioned(s))
        .unwrap_or(paragraph);
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() <= PASSAGE_WORDS {
        return Some(words.join(" "));
    }
    let joined = words.join(" ");
    let at = keyword_spans(&joined, keys)
        .first()
        .map_or(0, |span| joined[..span.start].split_whitespace().count());
    // A third of the words before the keyword, the rest after it.
    let start = at.saturating_sub(PASSAGE_WORDS / 3);
    let end = (start + PASSAGE_WORDS).min(words.len());
    let start = end.saturating_sub(PASSAGE_WORDS);
    Some(format!(
        "{}{}{}",
        if start > 0 { "… " } else { "" },
        words[start..end].join(" "),
        if end < words.len() { " …" } else { "" }
    ))
}

/// The sentences of a paragraph: cut after a full stop, question or
/// exclamation mark (Latin, Arabic, Devanagari, CJK) and the closing quotes
/// or brackets after it, where white space follows. An abbreviation's stop
/// ("Mr. Rasoulof") cuts too: a passage shown a sentence short still shows
/// the keyword.
fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut ended = false;
    for (i, c) in paragraph.char_indices() {
        if matches!(
            c,
            '.' | '!'
                | '?'
                | '\u{061F}'
                | '\u{06D4}'
                | '\u{0964}'
                | '\u{3002}'
                | '\u{FF01}'
                | '\u{FF1F}'
        ) {
            ended = true;
        } else if ended && c.is_whitespace() {
            let s = paragraph[start..i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i;
            ended = false;
        } else if ended
            && !is_double_quote(c)
            && !matches!(c, '\'' | '\u{2019}' | ')' | ']' | '\u{00BB}')
        {
            ended = false;
        }
    }
    let s = paragraph[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// Where `text` mentions one of `keys` (keywords in [`keyword_key`] form,
/// matched as [`mentions`] matches them): the byte ranges of the shortest
/// runs of its words that do, without the punctuation around them, in
/// order. A word that holds a keyword is marked whole (ایرانی for ایران,
/// "Evin's" for "Evin"), and a keyword's parts spelled apart or together
/// (حقوق بشر, حقوق‌بشر) are one run: how an alert marks the keyword in a
/// passage ([`keyword_passage`]).
pub fn keyword_spans(text: &str, keys: &[String]) -> Vec<std::ops::Range<usize>> {
    // Each word as its byte range.
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    let mentioned = |s: &str| {
        let hay = keyword_key(s);
        keys.iter().any(|k| mentions(&hay, k))
    };
    // The most words a keyword spans on the page: its own, and as many
    // again for attached words spelled apart.
    let longest = keys
        .iter()
        .map(|k| k.split_whitespace().count() * 2)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let found = (i..words.len().min(i + longest)).find(|&j| {
            let run = &text[words[i].start..words[j].end];
            mentioned(run) && (j == i || !mentioned(&text[words[i + 1].start..words[j].end]))
        });
        match found {
            Some(j) => {
                let run = &text[words[i].start..words[j].end];
                let kept = |c: char| c.is_alphanumeric() || unicode_mark(c) || c == '#';
                let lead = run.len() - run.trim_start_matches(|c| !kept(c)).len();
                let trail = run.len() - run.trim_end_matches(|c| !kept(c)).len();
                let (from, to) = (words[i].start + lead, words[j].end - trail);
                if from < to {
                    out.push(from..to);
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// True when a word starting with `c` stands apart from the one before:
/// `c` is no letter, or a letter of Latin, Greek, Cyrillic, Armenian or
/// Georgian script.
fn words_stand_apart(c: char) -> bool {
    !c.is_alphabetic()
        || matches!(c as u32, 0..=0x024F | 0x0370..=0x058F | 0x10A0..=0x10FF | 0x1C80..=0x1C8F | 0x1E00..=0x1FFF)
}

/// Splits text into words: runs of letters, digits, marks and joiners, and
/// the symbols that change what a number says (see [`is_symbol_word`]), each
/// a word of its own: "worth €5" → "worth", "€", "5"; "-3%" → "-", "3",
/// "%". Other punctuation is not a word. A run of a script written without
/// spaces is one word here, as extraction measures text; comparison cuts it
/// further ([`diff_words`]).
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    runs(s, is_word_char, false)
}

/// The words comparison diffs, keys and counts: [`words`], with the
/// combining marks of the scripts written without spaces kept in their word
/// ([`extends_unit`]: a Thai tone mark is part of its syllable), and each
/// word cut into its [`units`]: "他被判处八年" → "他", "被", "判", "处",
/// "八", "年"; "iPhone手机" → "iPhone", "手", "机". A figure is one word,
/// its decimal or thousands separators in it ([`separates_digits`]): "2.5";
/// "$1.08" is "$", "1.08"; "۲٫۵".
pub fn diff_words(s: &str) -> impl Iterator<Item = &str> {
    runs(s, |c| is_word_char(c) || extends_unit(c), true).flat_map(units)
}

/// True when `c`, between `before` and `next`, is a decimal or thousands
/// separator inside a figure: `.`, `,`, the Arabic decimal separator `٫`
/// or thousands separator `٬`, between two digits of any script ("2.5",
/// "1,000", "۲٫۵"). A figure is one word: "2.5" becoming "25" is one word
/// changed, not two.
pub fn separates_digits(before: Option<char>, c: char, next: Option<char>) -> bool {
    matches!(c, '.' | ',' | '\u{066B}' | '\u{066C}')
        && before.is_some_and(char::is_numeric)
        && next.is_some_and(char::is_numeric)
}

/// Double quotation marks, of any script: `"`, `“ ” „ ‟`, `« »`, `″`, the
/// full-width `＂`, `〝 〞 〟` and the corner brackets `「 」 『 』` that
/// Chinese and Japanese quote with. Which one a page uses is typography
/// (a site switching “” to "" or « » changed nothing), but whether a word
/// is in quotation marks is not: `“significantly” raising costs` is the
/// source's word, `significantly raising costs` the outlet's. Single quotes
/// are not among them: ’ is also the apostrophe (don't, don’t).
pub fn is_double_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201C}'..='\u{201F}'
            | '\u{00AB}'
            | '\u{00BB}'
            | '\u{2033}'
            | '\u{FF02}'
            | '\u{301D}'..='\u{301F}'
            | '\u{300C}'..='\u{300F}'
    )
}

/// True when `gap`, the text between a word and the next (or the end),
/// closes a quotation on that word: a double quotation mark
/// ([`is_double_quote`]) before any white space that opens no word of its
/// own (`exile.”` closes; in `said:"no` the mark opens "no").
pub fn closes_quote(gap: &str) -> bool {
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        if is_space(c) {
            return false;
        }
        if is_double_quote(c) && !chars.peek().is_some_and(|&n| is_word_char(n)) {
            return true;
        }
    }
    false
}

/// The words of `s` ([`diff_words`]) as comparison keys them, one space
/// between them, each word a double quotation mark touches marked with one
/// `"` on that side: a mark directly before it opens it, one after it
/// ([`closes_quote`]) closes it. `He called them “rioters”.` gives `He
/// called them "rioters"`; the same sentence with « », "" or no marks and
/// other punctuation gives the same words, and without the marks `He
/// called them rioters`: quotation marks added or removed around words are
/// an edit of those words, whichever marks a page types.
pub fn quoted_words(s: &str) -> String {
    if !s.contains(is_double_quote) {
        return diff_words(s).collect::<Vec<_>>().join(" ");
    }
    let words: Vec<&str> = diff_words(s).collect();
    let offset = |w: &str| w.as_ptr() as usize - s.as_ptr() as usize;
    // Which words a mark opens and closes.
    let mut marks: Vec<(bool, bool)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let start = offset(w);
            let end = start + w.len();
            let next = words.get(i + 1).map_or(s.len(), |n| offset(n));
            (
                s[..start].chars().next_back().is_some_and(is_double_quote),
                closes_quote(&s[end..next]),
            )
        })
        .collect();
    // Only a quotation opened and closed in the text counts: a mark left
    // open is a quotation running on into the next paragraph (each of its
    // paragraphs opens with a mark, the last alone closes it), and one
    // added there is a punctuation fix, not words put in quotation marks.
    let mut open: Option<usize> = None;
    for i in 0..marks.len() {
        if marks[i].0 {
            if let Some(o) = open.replace(i) {
                marks[o].0 = false;
            }
        }
        if marks[i].1 && open.take().is_none() {
            marks[i].1 = false;
        }
    }
    if let Some(o) = open {
        marks[o].0 = false;
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, (w, (opens, closes))) in words.iter().zip(marks).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if opens {
            out.push('"');
        }
        out.push_str(w);
        if closes {
            out.push('"');
        }
    }
    out
}

/// The words of `s`: runs that start with a [`is_word_char`] and go on
/// while `continues` (and, with `figures`, through the separators inside a
/// figure, [`separates_digits`]), and the one-character symbol words.
fn runs(s: &str, continues: fn(char) -> bool, figures: bool) -> impl Iterator<Item = &str> {
    let mut chars = s.char_indices().peekable();
    let mut prev: Option<char> = None;
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            let before = prev;
            prev = Some(c);
            if is_word_char(c) {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !continues(d) {
                        // Through a separator inside a figure ("2.5").
                        let in_figure = figures && {
                            let mut ahead = chars.clone();
                            ahead.next();
                            separates_digits(prev, d, ahead.peek().map(|&(_, n)| n))
                        };
                        if !in_figure {
                            break;
                        }
                    }
                    end = j + d.len_utf8();
                    prev = Some(d);
                    chars.next();
                }
                return Some(&s[i..end]);
            }
            if is_symbol_word(before, c, chars.peek().map(|&(_, n)| n)) {
                return Some(&s[i..i + c.len_utf8()]);
            }
        }
        None
    })
}

/// Characters [`words`] runs are made of.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_word_joiner(c)
}

/// True when `c`, between `before` and `next`, is a word of one character:
/// a currency sign (Unicode category Sc), `%`, `‰`, `±` (and the Arabic
/// percent and per mille signs), or a plus or minus sign (`+`, `-`, `−` and
/// the dashes [`compare_key`] folds to `-`) directly before a digit and not
/// after a letter or digit ("-3%", but not "COVID-19" or "2020-21"). A
/// reader who sees "€5" become "$5" or "-3%" become "+3%" sees an edit.
pub fn is_symbol_word(before: Option<char>, c: char, next: Option<char>) -> bool {
    is_currency(c)
        || matches!(c, '%' | '\u{2030}' | '\u{00B1}' | '\u{066A}' | '\u{0609}')
        || (is_sign(c)
            && next.is_some_and(char::is_numeric)
            && !before.is_some_and(char::is_alphanumeric))
}

/// A plus or minus sign, or a dash that may stand for one.
fn is_sign(c: char) -> bool {
    matches!(c, '+' | '-' | '\u{2212}' | '\u{2010}'..='\u{2015}')
}

/// Currency signs: Unicode general category Sc.
fn is_currency(c: char) -> bool {
    matches!(c,
        '$' | '\u{00A2}'..='\u{00A5}' | '\u{058F}' | '\u{060B}' | '\u{07FE}' | '\u{07FF}'
        | '\u{09F2}' | '\u{09F3}' | '\u{09FB}' | '\u{0AF1}' | '\u{0BF9}' | '\u{0E3F}'
        | '\u{17DB}' | '\u{20A0}'..='\u{20C0}' | '\u{A838}' | '\u{FDFC}' | '\u{FE69}'
        | '\u{FF04}' | '\u{FFE0}' | '\u{FFE1}' | '\u{FFE5}' | '\u{FFE6}'
        | '\u{11FDD}'..='\u{11FE0}' | '\u{1E2FF}' | '\u{1ECB0}')
}

/// Counts the words of a part of a text cut out at word boundaries (the
/// removed or added words of a diff): its [`diff_words`], symbol words
/// included, weighed as [`diff_word_count`] weighs them, and a sign that
/// ends the part, its number having been cut off ("-" of "-3" when "3"
/// stayed).
pub fn part_word_count(s: &str) -> usize {
    let mut rev = s.chars().rev();
    let sign_at_end =
        rev.next().is_some_and(is_sign) && !rev.next().is_some_and(char::is_alphanumeric);
    weighed(diff_words(s)) + usize::from(sign_at_end)
}

/// Characters that belong inside a word: combining marks, apostrophes, ZWNJ.
fn is_word_joiner(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{200C}' | '\u{200D}' | '\u{0640}') || unicode_is_mark(c)
}

/// Combining marks (general category M) in the ranges that news text uses.
fn unicode_is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A |
        0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 |
        0x06EA..=0x06ED | 0x0900..=0x0903 | 0x093A..=0x094F | 0x1AB0..=0x1AFF |
        0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Counts the words of a text as extraction measures it: its runs of
/// letters and digits (the one-character symbol words of [`words`] do not
/// count, so that lengths measured in extraction stay as they were; a
/// diff's changed words count them, see [`part_word_count`]), and the text
/// of a script written without spaces as many words as its translation
/// would have ([`reading_weight`]: a Chinese clause between two commas is
/// several words, not one). Changes count such text in [`diff_word_count`].
pub fn word_count(s: &str) -> usize {
    word_count_up_to(s, usize::MAX)
}

/// Counts the words of a text ([`word_count`]) up to `max`: a text with
/// more counts `max`, and is read no further.
pub fn word_count_up_to(s: &str, max: usize) -> usize {
    if max == 0 {
        return 0;
    }
    let (mut count, mut in_word) = (0, false);
    if s.is_ascii() {
        // In ASCII, words are runs of letters, digits and apostrophes.
        for &b in s.as_bytes() {
            let is_word = b.is_ascii_alphanumeric() || b == b'\'';
            count += usize::from(is_word && !in_word);
            in_word = is_word;
            if count >= max {
                return max;
            }
        }
        return count;
    }
    // Runs of the characters [`words`] makes its runs of; the letters of a
    // script written without spaces weighed instead, in characters of
    // spaced text ([`reading_weight`]).
    let mut unspaced = 0;
    for c in s.chars() {
        let is_word = match unspaced_weight(c) {
            Some(w) => {
                unspaced += w;
                false
            }
            None => c.is_alphanumeric() || is_word_joiner(c),
        };
        count += usize::from(is_word && !in_word);
        in_word = is_word;
        if count + unspaced_words(unspaced) >= max {
            return max;
        }
    }
    count + unspaced_words(unspaced)
}

// ---- extraction's measure of length ----------------------------------------------

/// Non-white-space characters a word of a language written with spaces
/// takes, with its punctuation: English news runs at 5 to 6.
pub const CHARS_PER_WORD: u32 = 6;

/// How much of a text the character `c` is, in extraction's measure: the
/// characters of a text written with spaces it stands for, so that a
/// paragraph of Chinese, Japanese or Thai measures about as its translation
/// would. Every length extraction's thresholds and scores use (characters
/// of prose, of links, of letters; words) is measured with it:
///
/// - most characters weigh 1;
/// - a Han or kana character weighs 2, a third of a word
///   ([`CHARS_PER_WORD`]). Chinese news translates at about 1.5 to 1.7
///   characters an English word and Japanese at about 2, so this measures
///   such prose somewhat short; but the lines of link boxes and sidebars
///   are made of short words of two or three characters with particles
///   ("自分の考えをしっかりと持った女の子。", a sidebar's teaser), and at two
///   characters a word a column of them outweighed a short story on a
///   table-laid page. Short story
///   paragraphs (25 characters and more) still measure as lines of text;
/// - a Thai, Lao, Khmer or Myanmar letter that starts a cluster (a letter
///   with its marks, see [`units`]) weighs 2, a third of a word, as
///   [`diff_word_count`] counts three clusters a word; its marks and a vowel
///   written before it weigh nothing.
///
/// Changes count differently ([`diff_word_count`]: one Han character, one
/// word changed): a one-character edit must weigh a word there, while a
/// length here must compare with what the thresholds were set on.
/// Characters below U+0E00 (Latin, Cyrillic, Arabic, Persian, Hebrew,
/// Devanagari) are never of these scripts: callers test that first.
pub fn reading_weight(c: char) -> u32 {
    unspaced_weight(c).unwrap_or(1)
}

/// [`reading_weight`] of a letter of a script written without spaces, or
/// `None` for other characters.
#[inline]
fn unspaced_weight(c: char) -> Option<u32> {
    if (c as u32) < 0x0E00 {
        return None;
    }
    Some(match unspaced(c)? {
        Unspaced::Character => 2,
        Unspaced::Cluster if extends_unit(c) || joins_next(c) => 0,
        Unspaced::Cluster => 2,
    })
}

/// Words of text written without spaces weighing `weight` (rounded to the
/// nearest, at least one when there is any).
fn unspaced_words(weight: u32) -> usize {
    match weight {
        0 => 0,
        w => ((w + CHARS_PER_WORD / 2) / CHARS_PER_WORD).max(1) as usize,
    }
}

/// The length of a text in extraction's measure, white space included:
/// each character weighed by [`reading_weight`].
pub fn reading_len(s: &str) -> u32 {
    s.chars().map(reading_weight).sum()
}

/// The length of a text in extraction's measure: its non-white-space
/// characters, each weighed by [`reading_weight`].
pub fn reading_chars(s: &str) -> u32 {
    if s.is_ascii() {
        // Counted without branches, which the compiler vectorises.
        return s.bytes().map(|b| u32::from(!is_ascii_space(b))).sum();
    }
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(reading_weight)
        .sum()
}

// ---- scripts written without spaces ------------------------------------------------

/// How comparison cuts a script written without spaces between its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unspaced {
    /// Han and kana (Chinese, Japanese): one unit a character.
    Character,
    /// Thai, Lao, Khmer, Myanmar: one unit a letter with its marks (see
    /// [`units`]).
    Cluster,
}

/// The script written without spaces that the letter `c` is of, if any.
/// Digits are not: "2024年" is the number "2024" and "年".
fn unspaced(c: char) -> Option<Unspaced> {
    let script = match c as u32 {
        0x0E00..=0x0EFF
        | 0x1000..=0x109F
        | 0x1780..=0x17FF
        | 0x19E0..=0x19FF
        | 0xA9E0..=0xA9FF
        | 0xAA60..=0xAA7F => Unspaced::Cluster,
        0x3005..=0x3007
        | 0x303B..=0x303C
        | 0x3040..=0x30FF
        | 0x3100..=0x312F
        | 0x31A0..=0x31BF
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFF66..=0xFF9F
        | 0x1B000..=0x1B16F
        | 0x20000..=0x3FFFF => Unspaced::Character,
        _ => return None,
    };
    (!c.is_numeric()).then_some(script)
}

/// True for a letter of a script written without spaces between its words
/// (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar): text around it is
/// not separated by a space. Korean Hangul is written with spaces.
pub fn written_without_spaces(c: char) -> bool {
    unspaced(c).is_some()
}

/// Marks that belong to the letter before them in the scripts written
/// without spaces: Thai, Lao, Khmer and Myanmar vowel signs, tone marks and
/// killers (a Thai tone mark is part of its syllable, not punctuation), the
/// combining kana voicing marks and ideographic tone marks, and variation
/// selectors (which pick a Han character's glyph).
pub fn extends_unit(c: char) -> bool {
    matches!(c as u32,
        0x0E31 | 0x0E33..=0x0E3A | 0x0E47..=0x0E4E
        | 0x0EB1 | 0x0EB3..=0x0EBC | 0x0EC8..=0x0ECE
        | 0x102B..=0x103E | 0x1056..=0x1059 | 0x105E..=0x1060 | 0x1062..=0x1064
        | 0x1067..=0x106D | 0x1071..=0x1074 | 0x1082..=0x108D | 0x108F | 0x109A..=0x109D
        | 0x17B4..=0x17D3 | 0x17DD
        | 0x302A..=0x302F | 0x3099..=0x309A | 0xFF9E..=0xFF9F
        | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

/// Letters that join the letter after them into one unit: a Thai or Lao
/// vowel written before its consonant (เ แ โ ใ ไ), the Khmer coeng and the
/// Myanmar virama that stack the next consonant under this one.
fn joins_next(c: char) -> bool {
    matches!(c as u32, 0x0E40..=0x0E44 | 0x0EC0..=0x0EC4 | 0x1039 | 0x17D2)
}

/// The units comparison cuts a word into: the word itself, but in a script
/// written without spaces each character (Han, kana), or each letter with
/// its marks (Thai, Lao, Khmer, Myanmar: a grapheme cluster, where a vowel
/// written before its consonant and a consonant stacked under another go
/// with that consonant too, so that a diff never splits what renders as
/// one). The standard cut of diff tools for these scripts, which need a
/// dictionary to find their words. Letters of other scripts in the word
/// stay together: "iPhone手机" → "iPhone", "手", "机".
pub fn units(word: &str) -> impl Iterator<Item = &str> {
    // These scripts are encoded from lead byte 0xE0 on in UTF-8: a word
    // without such bytes (Latin, Persian, Arabic, Cyrillic) is one unit.
    let cut = word.bytes().any(|b| b >= 0xE0);
    let mut rest = word;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = if cut { unit_end(rest) } else { rest.len() };
        let (unit, after) = rest.split_at(end);
        rest = after;
        Some(unit)
    })
}

/// Where the first of the [`units`] of `s` ends.
fn unit_end(s: &str) -> usize {
    let mut chars = s.char_indices();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    let cuts = unspaced(first).is_some();
    let mut prev = first;
    for (i, c) in chars {
        let kind = unspaced(c);
        let attached =
            extends_unit(c) || is_word_joiner(c) || (cuts && kind.is_some() && joins_next(prev));
        if !attached && (cuts || kind.is_some()) {
            return i;
        }
        prev = c;
    }
    s.len()
}

/// Thai, Lao, Khmer or Myanmar units that count as one word: their words
/// are a syllable or two, about three letters with their marks.
const CLUSTERS_PER_WORD: usize = 3;

/// What some [`diff_words`] count as words: one each, but
/// `CLUSTERS_PER_WORD` units of Thai, Lao, Khmer or Myanmar one, rounded
/// up (a change of one letter is a word changed).
fn weighed<'a>(words: impl Iterator<Item = &'a str>) -> usize {
    let (mut n, mut clusters) = (0, 0usize);
    for w in words {
        if w.chars().next().and_then(unspaced) == Some(Unspaced::Cluster) {
            clusters += 1;
        } else {
            n += 1;
        }
    }
    n + clusters.div_ceil(CLUSTERS_PER_WORD)
}

/// Counts the words of a text as changes count them (a paragraph added or
/// removed, a headline, the text an alert quotes): its runs of letters and
/// digits as [`word_count`] counts them, but a run of a script written
/// without spaces counts its [`units`], each Han or kana character a word
/// and `CLUSTERS_PER_WORD` units of Thai, Lao, Khmer or Myanmar one. A
/// Chinese word is one or two characters, so a Chinese sentence counts
/// somewhat more than its translation does (about half as much again, as
/// word processors count it), and one character changed is one word
/// changed, so that `min_change` never holds back an edit of one character.
/// Extraction measures lengths as translations would be
/// ([`reading_weight`]), the measure its thresholds were set in.
pub fn diff_word_count(s: &str) -> usize {
    weighed(diff_words(s).filter(|w| w.starts_with(is_word_char)))
}

/// The pieces a quote of `s` is measured and cut in, as (start, end,
/// weight), the weight in `CLUSTERS_PER_WORD`ths of a word: its white-space
/// separated parts, a word each, but a part holding a script written without
/// spaces cut into its [`units`], weighed as [`diff_word_count`] weighs
/// them (the punctuation between them weighs nothing).
fn quote_pieces(s: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    s.split_whitespace().flat_map(move |part| {
        let mut at = part.as_ptr() as usize - s.as_ptr() as usize;
        units(part).map(move |unit| {
            let weight = match unit.chars().next().and_then(unspaced) {
                Some(Unspaced::Cluster) => 1,
                Some(Unspaced::Character) => CLUSTERS_PER_WORD,
                None if unit.len() == part.len() || unit.chars().any(char::is_alphanumeric) => {
                    CLUSTERS_PER_WORD
                }
                None => 0,
            };
            let piece = (at, at + unit.len(), weight);
            at += unit.len();
            piece
        })
    })
}

/// How many words a quote of a text holds: its white-space separated words,
/// and in a script written without spaces its units, counted as
/// [`diff_word_count`] counts them (the first eight words of a Chinese
/// paragraph are its first eight characters).
pub fn quote_word_count(s: &str) -> usize {
    quote_pieces(s)
        .map(|(_, _, weight)| weight)
        .sum::<usize>()
        .div_ceil(CLUSTERS_PER_WORD)
}

/// The first `n` words of a text ([`quote_word_count`]), one space between
/// its parts, when it has more.
pub fn quote_head(s: &str, n: usize) -> Option<String> {
    let (mut weight, mut end) = (0, 0);
    for (_, piece_end, w) in quote_pieces(s) {
        weight += w;
        if weight > n * CLUSTERS_PER_WORD {
            return Some(one_spaced(&s[..end]));
        }
        end = piece_end;
    }
    None
}

/// The last `n` words of a text ([`quote_word_count`]), one space between
/// its parts, when it has more.
pub fn quote_tail(s: &str, n: usize) -> Option<String> {
    let pieces: Vec<_> = quote_pieces(s).collect();
    let (mut weight, mut start) = (0, s.len());
    for &(piece_start, _, w) in pieces.iter().rev() {
        weight += w;
        if weight > n * CLUSTERS_PER_WORD {
            return Some(one_spaced(&s[start..]));
        }
        start = piece_start;
    }
    None
}

/// The first `n` words of a text ([`quote_head`]) with `…` when there is
/// more, on one line: how an alert names a paragraph.
pub fn opening(s: &str, n: usize) -> String {
    match quote_head(s, n) {
        Some(head) => format!("{head}…"),
        None => one_spaced(s),
    }
}

/// The white-space separated parts of a text, one space between them.
fn one_spaced(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when the text is mostly in a right-to-left script.
pub fn is_rtl(s: &str) -> bool {
    // The right-to-left blocks below are encoded with these lead bytes in
    // UTF-8: text without them (most text) has none.
    // (ASCII text, tested a word at a time, has none.)
    if s.is_ascii() || !s.bytes().any(|b| matches!(b, 0xD6..=0xE0 | 0xEF)) {
        return false;
    }
    let (mut rtl, mut ltr) = (0usize, 0usize);
    for c in s.chars().take(2000) {
        if is_rtl_char(c) {
            rtl += 1;
        } else if c.is_alphabetic() {
            ltr += 1;
        }
    }
    rtl > ltr
}

/// True for the ASCII white space of [`char::is_whitespace`]: that of
/// [`u8::is_ascii_whitespace`] and the vertical tab.
pub fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// Whether the text holds any right-to-left letter.
pub fn has_rtl(s: &str) -> bool {
    s.chars().any(is_rtl_char)
}

/// A language tag as a page or feed declares it (`<html lang>`,
/// `og:locale`, a feed's `<language>`, `Content-Language`), in the form of
/// BCP 47 (`fr_FR` → `fr-FR`, `FA` → `fa`, `ku-arab` → `ku-Arab`); `None`
/// for what is no single language tag (`"fr, en"`, `"French"`, `"*"`), which
/// HTML must not carry as one.
pub fn language_tag(declared: &str) -> Option<String> {
    let declared = declared.trim().replace('_', "-");
    let mut out = Vec::new();
    for (i, sub) in declared.split('-').enumerate() {
        let alnum =
            !sub.is_empty() && sub.len() <= 8 && sub.chars().all(|c| c.is_ascii_alphanumeric());
        let letters = sub.chars().all(|c| c.is_ascii_alphabetic());
        let fits = match i {
            0 => (2..=3).contains(&sub.len()) && letters,
            _ => alnum,
        };
        if !fits {
            return None;
        }
        out.push(match (i, sub.len()) {
            (0, _) => sub.to_ascii_lowercase(),
            (_, 2) if letters => sub.to_ascii_uppercase(),
            (_, 4) if letters => {
                let (first, rest) = sub.split_at(1);
                format!(
                    "{}{}",
                    first.to_ascii_uppercase(),
                    rest.to_ascii_lowercase()
                )
            }
            _ => sub.to_ascii_lowercase(),
        });
    }
    Some(out.join("-"))
}

/// Whether a language tag ([`language_tag`]) names a language written right
/// to left: Arabic, Persian, Urdu, Pashto, Sorani Kurdish, Hebrew, Yiddish,
/// ..., or any language in such a script (`ku-Arab`); Latin or Cyrillic
/// (`az-Latn`) is left to right whatever the language.
pub fn rtl_language(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary = subtags.next().unwrap_or("").to_ascii_lowercase();
    if let Some(script) = subtags.find(|s| s.len() == 4) {
        return matches!(
            script.to_ascii_lowercase().as_str(),
            "arab" | "hebr" | "syrc" | "thaa" | "nkoo" | "adlm" | "rohg"
        );
    }
    matches!(
        primary.as_str(),
        "ar" | "fa"
            | "prs"
            | "ur"
            | "ps"
            | "ckb"
            | "sd"
            | "ug"
            | "he"
            | "iw"
            | "yi"
            | "dv"
            | "syr"
            | "pnb"
            | "arz"
            | "apc"
            | "ary"
            | "azb"
            | "lrc"
            | "mzn"
            | "glk"
            | "bal"
    )
}

/// The language of `text` as its page declares it (`declared`, read by
/// [`language_tag`]), unless the text's script belies it: right-to-left
/// text (Arabic script, Hebrew) declared in a language written left to right
/// (a site template's `en`), or other text declared in a language written
/// right to left. `None` then, and the script decides.
pub fn declared_language(declared: Option<&str>, text: &str) -> Option<String> {
    let tag = language_tag(declared?)?;
    (is_rtl(text) == rtl_language(&tag)).then_some(tag)
}

/// Whether `c` is of a right-to-left script (Hebrew, Arabic, Syriac,
/// Thaana, N'Ko..., and the Hebrew and Arabic presentation forms).
fn is_rtl_char(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Text that holds right-to-left script wrapped in a Unicode isolate, so
/// that in a plain-text line (a subject, a text part) it neither takes the
/// line's punctuation with it nor reorders the words around it: a
/// right-to-left isolate (U+2067 … U+2069) when the text is mostly
/// right-to-left, as its paragraph is shown in HTML (a Persian headline that
/// starts with a Latin word, "ChatGPT در ایران فیلتر شد", still reads right
/// to left), else a first-strong one (U+2068 … U+2069). Other text is
/// returned as it is.
pub fn bidi_isolate(s: &str) -> String {
    bidi_isolate_in(s, s)
}

/// `part` of `whole` (one wrapped line of a headline) isolated in the
/// direction of `whole`, as [`bidi_isolate`] would isolate `whole`: a line
/// of a Persian headline that starts with the English words it quotes
/// («Woman, Life, Freedom» است) still reads right to left, which a
/// first-strong isolate of its own would lay out left to right.
pub fn bidi_isolate_in(part: &str, whole: &str) -> String {
    if is_rtl(whole) {
        format!("\u{2067}{part}\u{2069}")
    } else if has_rtl(part) {
        format!("\u{2068}{part}\u{2069}")
    } else {
        part.to_string()
    }
}

/// The quote marks a passage of a story is quoted in, by its script: «
/// and » (U+00AB, U+00BB) around text mostly in Arabic script (Persian,
/// Arabic, Urdu, ...), as those languages quote; “ and ” around any other.
/// English quotes around Persian read wrong twice over: they are not
/// Persian's, and in a right-to-left line the opening “ looks like a
/// closing one (guillemets are mirrored with the text's direction, curly
/// quotes are not). The one rule of alerts (text, HTML, chat) and the
/// evidence viewer alike ([`quoted`]).
pub fn quote_marks(s: &str) -> (&'static str, &'static str) {
    let arabic_script = |c: char| matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF);
    let hebrew = s.chars().any(|c| matches!(c as u32, 0x0590..=0x05FF));
    if is_rtl(s) && !hebrew && s.chars().any(arabic_script) {
        ("\u{AB}", "\u{BB}")
    } else {
        ("\u{201C}", "\u{201D}")
    }
}

/// `shown` between the quote marks that suit `passage` ([`quote_marks`]):
/// `shown` is the passage as it is shown (isolated, escaped, marked up),
/// `passage` its text, whose script decides.
/// A passage cut inside a quotation of its own (`“Countless individuals…`)
/// already opens with the page's mark, which stands for ours: `““` reads as
/// a typo. A quotation the passage closes itself is quoted inside ours.
pub fn quoted(passage: &str, shown: &str) -> String {
    let (open, close) = quote_marks(passage);
    let open_quotation = passage.trim_start().starts_with(is_double_quote)
        && passage.chars().filter(|&c| is_double_quote(c)).count() % 2 == 1;
    if open_quotation {
        format!("{shown}{close}")
    } else {
        format!("{open}{shown}{close}")
    }
}

/// A count with its noun: "1 paragraph", "3 paragraphs".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A number of bytes for people: "48 bytes", "712 KiB", "3.5 MiB", "2.0 GiB".
pub fn bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match UNITS.iter().find(|(_, size)| n >= *size) {
        Some((unit, size)) if n < 10 * size => format!("{:.1} {unit}", n as f64 / *size as f64),
        Some((unit, size)) => format!("{} {unit}", (n + size / 2) / size),
        None => plural(n as usize, "byte", "bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_read_as_bcp47_and_what_is_no_tag_is_none() {
        assert_eq!(language_tag(" fr_fr "), Some("fr-FR".into()));
        assert_eq!(language_tag("FA"), Some("fa".into()));
        assert_eq!(language_tag("ku-arab-iq"), Some("ku-Arab-IQ".into()));
        for not_a_tag in ["", "fr, en", "French", "*", "f", "fr-", "fr\"><b>"] {
            assert_eq!(language_tag(not_a_tag), None, "{not_a_tag:?}");
        }
        assert!(rtl_language("fa-IR") && rtl_language("ku-Arab") && !rtl_language("az-Latn"));
        assert!(!rtl_language("tr") && !rtl_language("ku"));
    }

    #[test]
    fn a_declared_language_the_texts_script_belies_is_dropped() {
        let arabic = "غادر المخرج محمد رسول آف إيران";
        assert_eq!(declared_language(Some("ar"), arabic), Some("ar".into()));
        assert_eq!(declared_language(Some("en"), arabic), None);
        assert_eq!(
            declared_language(Some("fa"), "The director fled Iran"),
            None
        );
        assert_eq!(
            declared_language(Some("tr"), "Yönetmen İran'dan kaçtı"),
            Some("tr".into())
        );
        assert_eq!(declared_language(None, arabic), None);
    }

    #[test]
    fn bytes_are_shown_in_the_largest_unit_with_a_decimal_below_ten() {
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(48), "48 bytes");
        assert_eq!(bytes(3_637_561), "3.5 MiB");
        assert_eq!(bytes(727_227_499), "694 MiB");
        assert_eq!(bytes(2 << 30), "2.0 GiB");
    }

    #[test]
    fn clean_folds_white_space_and_keeps_rtl_order() {
        assert_eq!(clean("  a\u{00A0}\n b\u{200B}c  "), "a bc");
        let fa = "رسول‌اف  از ایران\tخارج شد";
        assert_eq!(clean(fa), "رسول‌اف از ایران خارج شد");
    }

    proptest::proptest! {
        /// The run-at-a-time folding equals its definition, character by character.
        #[test]
        fn clean_is_nfc_then_spaces_folded_char_by_char(
            s in "[ a\t\n\u{0B}\u{A0}\u{200B}\u{AD}\u{FEFF}e\u{301}\u{E9}\u{628}\u{200C}]{0,40}"
        ) {
            let mut expected = String::new();
            let mut pending_space = false;
            for c in s.nfc() {
                if is_invisible(c) {
                    continue;
                }
                if is_space(c) {
                    pending_space = !expected.is_empty();
                    continue;
                }
                if pending_space {
                    expected.push(' ');
                    pending_space = false;
                }
                expected.push(c);
            }
            proptest::prop_assert_eq!(clean(&s), expected);
        }
    }

    proptest::proptest! {
        /// NFC chunk by chunk between ASCII white space is NFC of the whole:
        /// combining marks in any order (reordered by their classes), ones
        /// that decompose (U+0344), Arabic hamza, Hangul jamo, a CJK
        /// compatibility ideograph, marks right after a space.
        #[test]
        fn nfc_chunk_by_chunk_is_nfc(
            s in "[ \t\na\u{301}\u{323}\u{308}\u{344}e\u{E9}\u{64A}\u{654}\u{627}\u{653}\u{1100}\u{1161}\u{11A8}\u{AC00}\u{F900}\u{212B}A\u{30A}]{0,400}"
        ) {
            proptest::prop_assert_eq!(nfc_where_needed(&s), s.nfc().collect::<String>());
        }
    }

    #[test]
    fn clean_composes_to_nfc() {
        assert_eq!(clean("e\u{0301}"), "\u{00E9}");
    }

    #[test]
    fn compare_key_folds_persian_and_arabic_variants() {
        // Arabic yeh and kaf, tatweel, ZWNJ, Arabic-Indic digits.
        let arabic_forms = "كتاب يك مي‌خواهم ١٤٠٣ فيلمـها";
        let persian_forms = "کتاب یک میخواهم ۱۴۰۳ فیلمها";
        assert_eq!(compare_key(arabic_forms), compare_key(persian_forms));
    }

    #[test]
    fn compare_key_folds_letters_with_and_without_hamza_or_madda() {
        // Precomposed yeh, heh and waw with hamza against the letter plus a
        // combining hamza; alef with hamza or madda against bare alef.
        for (a, b) in [
            ("رئیس", "ر\u{06CC}\u{0654}یس"),
            ("خانهٔ", "خانۀ"),
            ("مؤسسه", "مو\u{0654}سسه"),
            ("إلى", "الى"),
            ("أحمد", "احمد"),
            ("آزادی", "ازادی"),
        ] {
            assert_eq!(compare_key(a), compare_key(b), "{a} / {b}");
            assert_eq!(keyword_key(a), keyword_key(b), "{a} / {b}");
        }
    }

    #[test]
    fn a_passage_cut_inside_its_own_quotation_is_quoted_with_one_opening_mark() {
        // The page's opening mark stands for ours: "““Countless" read as a typo.
        let cut = "\u{201C}Countless individuals…";
        assert_eq!(quoted(cut, cut), "\u{201C}Countless individuals…\u{201D}");
        let fa = "\u{AB}زن، زندگی…";
        assert_eq!(quoted(fa, fa), "\u{AB}زن، زندگی…\u{BB}");
        // A quotation the passage closes itself is quoted inside ours.
        let whole = "\u{201C}We will not be silenced,\u{201D} she said.";
        assert_eq!(quoted(whole, whole), format!("\u{201C}{whole}\u{201D}"));
        let plain = "Countless individuals…";
        assert_eq!(
            quoted(plain, plain),
            "\u{201C}Countless individuals…\u{201D}"
        );
    }

    #[test]
    fn compare_key_folds_typographic_quotes_and_dashes() {
        assert_eq!(
            compare_key("“Iran’s” — film"),
            compare_key("\"Iran's\" - film")
        );
    }

    #[test]
    fn match_key_is_case_insensitive_beyond_ascii() {
        assert_eq!(match_key("ÉVIN Prison"), "évin prison");
    }

    #[test]
    fn keywords_start_words_but_in_arabic_script() {
        let m = |text: &str, kw: &str| mentions(&keyword_key(text), &keyword_key(kw));
        assert!(m("Prisoners moved from Evin prison", "evin"));
        assert!(m("EVIN's prisoners; Iranian", "Evin") && m("Iranian", "Iran"));
        assert!(!m("Kevin Spacey returns", "Evin"));
        assert!(m("سجن إيفين في طهران", "ايفين"));
        assert!(m("وزارة الخارجية", "وزاره"));
        assert!(m("قال والعراق", "العراق"));
        assert!(m("أحمد شاملو", "احمد شاملو") && m("احمد شاملو", "أحمد شاملو"));
        assert!(m("فیلم رسول‌اف", "رسول اف") && m("فیلم رسول اف", "رسولاف"));
        assert!(!m("anything", ""));
        assert!(m("Журналист Евин", "евин") && !m("Кевин", "Евин"));
        assert!(m("#MahsaAmini trends", "#mahsaamini"));
        // Scripts that join words or write none apart: anywhere.
        assert!(m(
            "\u{5728}\u{5FB7}\u{9ED1}\u{5170}\u{88AB}\u{6355}",
            "\u{5FB7}\u{9ED1}\u{5170}"
        ));
        assert!(m(
            "\u{05D5}\u{05D8}\u{05D4}\u{05E8}\u{05DF}",
            "\u{05D8}\u{05D4}\u{05E8}\u{05DF}"
        ));
    }

    #[test]
    fn a_persian_or_arabic_keyword_matches_whole_words_not_letters_across_or_inside_them() {
        let m = |text: &str, kw: &str| mentions(&keyword_key(text), &keyword_key(kw));
        // "Heavy traffic for Tehran's drivers": برای رانندگان, read without
        // its space, holds ایران (Iran); the page never names Iran.
        assert!(!m("ترافیک سنگین برای رانندگان تهران", "ایران"));
        // Amin inside "securing" (تأمین), Amini inside "bail order"
        // (قرار تأمینی), routine in court reports.
        assert!(!m("تأمین آب شهر", "امین"));
        assert!(!m("برای او قرار تأمینی صادر شد", "امینی"));
        assert!(!m("قرار تأمینی", "امین"));
        // The names themselves, and with the suffixes that keep them the word.
        assert!(m("پرونده مهسا امینی", "امینی") && m("سخنان امین درباره", "امین"));
        assert!(m("سفر به ایران", "ایران") && m("ایرانیان خارج از کشور", "ایران"));
        assert!(m("فیلمسازان ایرانی", "ایران") && m("وکیلان زندانیان", "وکیل"));
        // A keyword's parts joined by a ZWNJ, a space or nothing, whichever
        // way the keyword or the page spells it.
        for text in [
            "نقض حقوق بشر",
            "نقض حقوق‌بشر",
            "نقض حقوقبشر",
            "نقض حقوق\u{200C} بشر",
        ] {
            for kw in ["حقوق بشر", "حقوق‌بشر", "حقوقبشر"] {
                assert!(m(text, kw), "{text} / {kw}");
            }
        }
        assert!(!m("حقوقی بشر", "حقوق بشر") && !m("نقض حقوق", "حقوق بشر"));
        // Arabic yeh and kaf, diacritics and tanwin, digits.
        assert!(m("وكيل المتهم", "وکیل") && m("وکيل متهم", "وكيل"));
        assert!(m("قال المحامي: حُكْمٌ قاسٍ", "حکم قاس"));
        assert!(m("۸ مارس", "٨ مارس"));
        // Attached "and", "with", "for", "the": و, ب, ل, ال and their pairs.
        assert!(m("ووکیل او", "وکیل") && m("بالعراق", "العراق") && m("للعراق", "العراق"));
        assert!(m("في العراق", "عراق") && m("والعراق", "عراق") && m("به بغداد", "بغداد"));
        assert!(m("سافر بطهران", "طهران"));
        // A letter that merely starts a word is no prefix.
        assert!(!m("تهران", "هران") && !m("گرسولاف", "رسولاف"));
    }

    #[test]
    fn words_skip_punctuation_and_keep_persian_words_whole() {
        let w: Vec<_> = words("Hello, world! می‌خواهم ۱۴۰۳.").collect();
        assert_eq!(w, vec!["Hello", "world", "می‌خواهم", "۱۴۰۳"]);
    }

    #[test]
    fn currency_percent_and_signs_before_digits_are_words_of_their_own() {
        let w: Vec<_> = words("worth €5 billion, -3% or ±2‰ in COVID-19, 2020-21; ۵٪ ﷼").collect();
        assert_eq!(
            w,
            vec![
                "worth", "€", "5", "billion", "-", "3", "%", "or", "±", "2", "‰", "in", "COVID",
                "19", "2020", "21", "۵", "٪", "﷼"
            ]
        );
        assert_eq!(part_word_count("fell to -"), 3);
        assert_eq!(part_word_count("COVID-"), 1);
        assert_eq!(part_word_count("$ "), 1);
    }

    #[test]
    fn extraction_measures_text_written_without_spaces_as_its_translation() {
        // "Affected by heavy rain, several highways and railway lines in
        // Guangdong and Guangxi were cut on Monday." (17 words)
        let zh = "受强降雨影响，广东、广西等地多条高速公路和铁路线路于周一中断运行。";
        assert_eq!(word_count(zh), 10);
        assert_eq!(reading_chars(zh), 30 * 2 + 3);
        // A menu label is a word, not a line of text.
        assert_eq!(word_count("首页"), 1);
        assert_eq!(word_count("国际新闻"), 1);
        // Thai: three clusters a word; marks and a vowel written before its
        // consonant weigh nothing. "Heavy rain" (ฝน ตก หนัก: 3 words).
        assert_eq!(reading_chars("ฝนตกหนัก"), 2 * 7);
        assert_eq!(word_count("ฝนตกหนัก"), 2);
        // Mixed text: spaced words count as before, digits too.
        assert_eq!(word_count("2024年iPhone手机"), 2 + 1);
        // Other scripts measure as they always did.
        assert_eq!(word_count("Rasoulof fled Iran, he said."), 5);
        assert_eq!(word_count("رسول‌اف از ایران گریخت"), 4);
        assert_eq!(reading_chars("a b\u{00E9}"), 3);
        assert_eq!(word_count_up_to(zh, 4), 4);
    }

    #[test]
    fn diff_words_cut_chinese_and_japanese_into_characters_and_keep_spaced_words_whole() {
        fn w(s: &str) -> Vec<&str> {
            diff_words(s).collect()
        }
        assert_eq!(
            w("他被判处八年徒刑。"),
            ["他", "被", "判", "处", "八", "年", "徒", "刑"]
        );
        // Kanji, hiragana and katakana alike; a number and a Latin word stay whole.
        assert_eq!(
            w("2024年にiPhoneを買った"),
            ["2024", "年", "に", "iPhone", "を", "買", "っ", "た"]
        );
        assert_eq!(w("テレビ局"), ["テ", "レ", "ビ", "局"]);
        // A kana with its combining voicing mark, a kanji with its variation
        // selector: one unit each.
        assert_eq!(
            w("か\u{3099}葛\u{E0100}城"),
            ["か\u{3099}", "葛\u{E0100}", "城"]
        );
        // Korean is written with spaces: its words stay whole, and so do
        // Persian words with a ZWNJ, Arabic and English ones.
        assert_eq!(w("서울에서 기자회견"), ["서울에서", "기자회견"]);
        for spaced in [
            "Hello, world! می‌خواهم ۱۴۰۳.",
            "وصل إلى طهران أمس",
            "worth €5 billion, -3%",
        ] {
            assert_eq!(w(spaced), words(spaced).collect::<Vec<_>>(), "{spaced}");
        }
    }

    #[test]
    fn thai_khmer_and_myanmar_units_keep_each_letter_with_its_marks() {
        fn w(s: &str) -> Vec<&str> {
            diff_words(s).collect()
        }
        // Vowels above and below and tone marks stay on their consonant; a
        // vowel written before its consonant goes with it.
        assert_eq!(w("ที่ไม่ได้"), ["ที่", "ไม่", "ได้"]);
        assert_eq!(w("น้ำมัน"), ["น้ำ", "มั", "น"]);
        assert_eq!(w("เปลี่ยน"), ["เป", "ลี่", "ย", "น"]);
        // A consonant stacked under another (Khmer coeng, Myanmar virama)
        // and Myanmar's killer and medials stay with the letter above.
        assert_eq!(w("ខ្មែរ"), ["ខ\u{17D2}ម\u{17C2}", "រ"]);
        assert_eq!(w("မြန်မာ"), ["မြ", "န်", "မာ"]);
        // Thai digits are a number.
        assert_eq!(w("ปี ๒๕๖๗"), ["ปี", "๒๕๖๗"]);
    }

    #[test]
    fn changes_count_a_chinese_character_as_a_word_and_three_thai_letters_as_one() {
        // Extraction measures it as short prose, three characters a word.
        assert_eq!(word_count("他被判处八年徒刑，已离开伊朗。"), 4);
        assert_eq!(diff_word_count("他被判处八年徒刑，已离开伊朗。"), 13);
        assert_eq!(diff_word_count("東京で記者会見"), 7);
        // "The price of oil has not changed" (5 words): 11 letters with
        // their marks.
        assert_eq!(diff_word_count("ราคาน้ำมันไม่เปลี่ยน"), 4);
        assert_eq!(part_word_count("ได้"), 1, "one changed letter is a word");
        assert_eq!(part_word_count("九"), 1);
        for spaced in [
            "Hello, world! می‌خواهم ۱۴۰۳.",
            "worth €5 billion, -3%",
            "서울에서 기자회견",
        ] {
            assert_eq!(diff_word_count(spaced), word_count(spaced), "{spaced}");
        }
    }

    #[test]
    fn a_persian_or_arabic_passage_is_quoted_in_guillemets_other_text_in_english_quotes() {
        assert_eq!(quoted("کارگردان از ایران گریخت", "x"), "\u{AB}x\u{BB}");
        assert_eq!(quoted("غادر المخرج إيران", "x"), "\u{AB}x\u{BB}");
        // A Persian headline starting with a Latin word is Persian.
        assert_eq!(quote_marks("ChatGPT در ایران فیلتر شد"), ("«", "»"));
        assert_eq!(quote_marks("Rasoulof flees Iran"), ("“", "”"));
        // An English sentence naming a Persian word is English.
        assert_eq!(quote_marks("Interview with رسول‌اف"), ("“", "”"));
        assert_eq!(quote_marks("הסרט של רסולוף"), ("“", "”"));
    }

    #[test]
    fn quotes_cut_chinese_after_characters_and_spaced_text_after_words() {
        let zh = "伊朗导演拉苏洛夫周一表示，他已离开伊朗。";
        assert_eq!(opening(zh, 8), "伊朗导演拉苏洛夫…");
        assert_eq!(quote_tail(zh, 4).as_deref(), Some("离开伊朗。"));
        assert_eq!(quote_head(zh, 30), None);
        assert_eq!(quote_word_count(zh), 18);
        let en = "He was sentenced to eight  years — in prison.";
        assert_eq!(opening(en, 3), "He was sentenced…");
        assert_eq!(quote_tail(en, 3).as_deref(), Some("— in prison."));
        assert_eq!(quote_word_count(en), 9);
        assert_eq!(
            opening(en, 9),
            "He was sentenced to eight years — in prison."
        );
    }

    #[test]
    fn rtl_detection() {
        assert!(is_rtl("فیلمساز ایرانی محمد رسول‌اف"));
        assert!(!is_rtl("Iranian filmmaker"));
    }

    #[test]
    fn the_passage_of_a_keyword_is_its_paragraph_or_sentence_with_the_keyword_marked_in_the_pages_own_spelling(
    ) {
        let keys = |ks: &[&str]| ks.iter().map(|k| keyword_key(k)).collect::<Vec<_>>();
        let marked = |text: &str, ks: &[&str]| -> Vec<String> {
            keyword_spans(text, &keys(ks))
                .into_iter()
                .map(|r| text[r].to_string())
                .collect()
        };
        // A short paragraph is the passage; the keyword typed with Arabic
        // kaf and yeh marks the page's Persian letters, its parts joined
        // by a ZWNJ.
        let text = "\u{062F}\u{0627}\u{062F}\u{06AF}\u{0627}\u{0647} \u{062A}\u{0634}\u{06A9}\u{06CC}\u{0644} \u{0634}\u{062F}.\n\n\u{0633}\u{0647} \u{0639}\u{0636}\u{0648} \u{06A9}\u{0627}\u{0646}\u{0648}\u{0646}\u{200C}\u{0646}\u{0648}\u{06CC}\u{0633}\u{0646}\u{062F}\u{06AF}\u{0627}\u{0646} \u{0628}\u{0627}\u{0632}\u{062F}\u{0627}\u{0634}\u{062A} \u{0634}\u{062F}\u{0646}\u{062F}.";
        let keyword = "\u{0643}\u{0627}\u{0646}\u{0648}\u{0646} \u{0646}\u{0648}\u{064A}\u{0633}\u{0646}\u{062F}\u{06AF}\u{0627}\u{0646}";
        let passage = keyword_passage(text, &keys(&[keyword])).unwrap();
        assert_eq!(passage, text.split("\n\n").nth(1).unwrap());
        assert_eq!(
            marked(&passage, &[keyword]),
            ["\u{06A9}\u{0627}\u{0646}\u{0648}\u{0646}\u{200C}\u{0646}\u{0648}\u{06CC}\u{0633}\u{0646}\u{062F}\u{06AF}\u{0627}\u{0646}"]
        );
        // A long paragraph gives its sentence; a word that holds the
        // keyword is marked whole, without its punctuation, and the word
        // before it is not.
        let filler = "The court met on Monday and heard from the lawyers of all the accused, who asked for more time to read the file.";
        let sentence = "Her family said she was moved to «Evin's» women's ward on Sunday.";
        let long = format!("{filler} {filler} {sentence} {filler}");
        let passage = keyword_passage(&long, &keys(&["evin"])).unwrap();
        assert_eq!(passage, sentence);
        assert_eq!(marked(&passage, &["evin"]), ["Evin's"]);
        assert_eq!(
            marked("in the Iran Iranian, Kiran", &["Iran"]),
            ["Iran", "Iranian"]
        );
        // A sentence longer than a passage is cut around its keyword.
        let run_on = format!(
            "{} Narges Mohammadi {}",
            "word ".repeat(60),
            "more ".repeat(60)
        );
        let passage = keyword_passage(&run_on, &keys(&["Narges Mohammadi"])).unwrap();
        assert!(
            passage.starts_with("… word") && passage.ends_with("more …"),
            "{passage}"
        );
        assert_eq!(passage.split_whitespace().count(), PASSAGE_WORDS + 2);
        assert_eq!(
            marked(&passage, &["Narges Mohammadi"]),
            ["Narges Mohammadi"]
        );
        // No paragraph mentions it, or not as a word.
        assert_eq!(
            keyword_passage("Kevin met the press.", &keys(&["Evin"])),
            None
        );
    }
}
