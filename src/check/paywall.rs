//! A story behind a metered or server-side paywall: once the site's meter
//! runs out, the same URL serves the headline and the first paragraph or
//! two, then a prompt ("Subscribe to continue reading", "You have reached
//! your limit of free articles", "برای ادامه مطالعه مشترک شوید", "للمتابعة
//! اشترك"), often marked in its JSON-LD as `"isAccessibleForFree": false`
//! (schema.org's paywall markup, as search engines document it). The
//! paragraphs it hides are no edit: the check fails, the baseline is kept,
//! and the whole story, back when the meter resets, is no news.
//!
//! A story whose newsroom cut its last paragraphs shows no new paywall sign;
//! one about paywalls says such words in its prose, which the page kept
//! last said too.
//!
//! The mirror: a watch whose first check met the paywall keeps the teaser
//! as its baseline (its first check says so). The whole story served later,
//! its paywall's sign gone, is compared only in the paragraphs the teaser
//! showed: the rest is the story, revealed, not added ([`lifted`]).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Node};

use crate::compare::{self, BlockChange, Change, Rules};
use crate::document::Document;
use crate::store::{State, VersionRow};
use crate::text;

use super::keep::version_page;
use super::page_facts::{PageFacts, Signs};

/// What a paywall's prompt says, in English, Persian and Arabic: "Subscribe
/// to continue reading", "To keep reading, log in or subscribe", "This
/// article is for subscribers only", "You have reached your limit of free
/// articles", "Already a subscriber? Log in", "برای ادامه مطالعه مشترک
/// شوید", "این مطلب ویژه مشترکان است", "للمتابعة اشترك", "هذا المقال متاح
/// للمشتركين فقط". Matched in match form ([`text::match_key`]: lower case,
/// Persian yeh and kaf, no zero-width non-joiner), its letters' variants
/// allowed too.
static PROMPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(PROMPT_PATTERN).expect("static regex"));

/// [`PROMPT`], looked for in a whole page's text by [`may_say_a_prompt`]:
/// its word boundaries ASCII ones, which hold wherever PROMPT's do (each
/// stands beside an ASCII letter), and which keep the search in the fast
/// engine on text that is not ASCII.
static PROMPT_ANYWHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&PROMPT_PATTERN.replace(r"\b", r"(?-u:\b)")).expect("static regex")
});

/// [`PROMPT`]'s pattern.
const PROMPT_PATTERN: &str = r"(?x)
        \bsubscribe\b[^.!?]{0,30}\bto\ (continue|keep|start)\ reading\b
        | \b(continue|keep)\ reading[^.!?]{0,40}\b(subscribe|subscription|sign\ in|log\ ?in|register|become\ a\ (member|subscriber))\b
        | \b(this|the)\ (article|story|content|piece|report)\ is\ (only\ )?(for|available\ (only\ )?to|exclusive(ly)?\ (for|to)|reserved\ for)\ (our\ )?(paying\ |premium\ |digital\ )?(subscribers|members)\b
        | \b(exclusive\ to|for)\ (our\ )?(subscribers|members)\ only\b | \bsubscribers\ only\b
        | \byou(['’]ve|\ have)\ (reached|hit|used|read)\b[^.!?]{0,40}\bfree\ (articles|stories|reads)\b
        | \balready\ a\ (subscriber|member)\W{0,3}(log|sign)\ ?in\b
        | \b(the\ )?rest\ of\ (this|the)\ (article|story)\ is\ (only\ )?(for|available\ to)\ (subscribers|members)\b
        | \b(subscribe|sign\ up)\ (now\ |today\ )?(for|to\ get)\ (unlimited|full)\ (digital\ )?access\b
        | برا[یي]\ ادامه\ (مطالعه|خواندن)[^.!?]{0,40}(مشتر[کك]|اشترا[کك]|وارد\ شو[یي]د|ثبت\ ?نام)
        | (مطلب|مقاله|خبر|محتوا)\ (و[یي]ژه|مخصوص|فقط\ برا[یي])\ (مشتر[کك]ان|مشتر[کك][یي]ن|اعضا)
        | (و[یي]ژه|مخصوص)\ (مشتر[کك]ان|مشتر[کك][یي]ن)
        | (للمتابعة|لمتابعة\ (القراءة|قراءة)|لمواصلة\ (القراءة|قراءة)|لقراءة\ (المقال|المز[یي]د|بق[یي]ة))[^.!?]{0,40}(اشتر[کك]|سجل|التسج[یي]ل|الاشترا[کك])
        | (المقال|المادة|المحتو[یيى]|الخبر)\ (متاح|متاحة|مخصص|مخصصة|حصر[یي]|حصر[یي]ة)\ (فقط\ )?للمشتر[کك][یي]ن
        | حصر[یي]ا?\ للمشتر[کك][یي]ن | للمشتر[کك][یي]ن\ فقط | مشتر[کك]\ بالفعل
        | (استنفدت|[وو]صلت\ [اإ]ل[یيى]\ الحد)[^.!?]{0,40}المجان[یي]ة
    ";

/// Schema.org's paywall markup saying the article is not free to read:
/// `"isAccessibleForFree": false` in JSON-LD (the boolean or the string), or
/// `itemprop="isAccessibleForFree" content="false"` in microdata.
static NOT_FREE: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(
        r#"(?i)"isAccessibleForFree"\s*:\s*"?false\b|itemprop\s*=\s*["']?isAccessibleForFree["']?[^>]*\bcontent\s*=\s*["']?false\b"#,
    )
    .expect("static regex")
});

/// Words, at most, of a block that is a paywall's prompt: a sentence or
/// two. A longer block is prose, whatever it says.
const PROMPT_MAX_WORDS: usize = 40;

/// Words, at most, a teaser shows after the story's first paragraphs (a
/// paragraph cut midway, the prompt read as text): more is a rewrite.
const TAIL_MAX_WORDS: usize = 150;

/// The characters of a prompt quoted in the error, at most.
const QUOTE_CHARS: usize = 120;

/// Elements whose text no reader sees as the page's.
const UNSEEN: &[&str] = &["script", "style", "noscript", "template", "svg", "head"];

/// The paywall signs of a page (`html`, as served): its short blocks
/// (at most [`PROMPT_MAX_WORDS`]) that say a paywall's prompt, not in
/// quotation marks, each the innermost block that says it; and schema.org's
/// "not free to read".
pub(super) fn signs(html: &str) -> Signs {
    // Most pages say no prompt anywhere: they are not parsed.
    let prompts = if may_say_a_prompt(html) {
        prompts(html)
    } else {
        Vec::new()
    };
    Signs {
        prompts,
        not_free: NOT_FREE.is_match(html.as_bytes()),
    }
}

/// A page's paywall signs ([`signs`]), read the first time a check asks
/// for them and never again: a check may ask for a paywall's teaser
/// ([`behind_a_paywall`]), for one lifted ([`lifted`]), for what a first
/// check tells ops, and for the page facts a version keeps.
pub(super) struct PageSigns<'a> {
    /// The page, as served.
    html: &'a str,
    /// Its signs, once read.
    read: std::cell::OnceCell<Signs>,
}

impl<'a> PageSigns<'a> {
    /// The signs of `html`, not read yet.
    pub(super) fn new(html: &'a str) -> PageSigns<'a> {
        PageSigns {
            html,
            read: std::cell::OnceCell::new(),
        }
    }

    /// The signs, read now if they were not yet.
    pub(super) fn get(&self) -> &Signs {
        self.read.get_or_init(|| signs(self.html))
    }

    /// The signs, read now if they were not yet, to keep.
    pub(super) fn into_signs(self) -> Signs {
        let html = self.html;
        self.read.into_inner().unwrap_or_else(|| signs(html))
    }
}

/// The paywall signs of the page `watch`'s version `v` was read from: as
/// its page facts keep them, else as its kept response (in `state`) shows;
/// `None` when neither was kept.
fn kept_signs(state: &State, watch: &str, v: &VersionRow) -> Option<Signs> {
    match PageFacts::kept(v) {
        Some(facts) => Some(facts.paywall),
        None => version_page(state, watch, v.seq).map(|(_, html)| signs(&html)),
    }
}

/// The prompts of a page (`html`), as [`Signs::prompts`] holds them: the
/// page parsed, each element read.
fn prompts(html: &str) -> Vec<(String, String)> {
    #[cfg(test)]
    PARSED.with(|n| n.set(n.get() + 1));
    let mut prompts = Vec::new();
    let doc = Html::parse_document(html);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if UNSEEN.contains(&el.value().name()) {
            continue;
        }
        let Some((block, said)) = prompt(el) else {
            continue;
        };
        // The innermost block that says it: a child that does too is quoted.
        if el
            .children()
            .filter_map(ElementRef::wrap)
            .any(|c| prompt(c).is_some())
        {
            continue;
        }
        if !prompts.iter().any(|(_, s)| *s == said) {
            prompts.push((block, said));
        }
    }
    prompts
}

#[cfg(test)]
thread_local! {
    /// Pages [`signs`] parsed on this thread.
    static PARSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Whether a page (`html`, as served) may say a paywall's prompt: whether
/// its text, read from the bytes without parsing them ([`page_text`]),
/// says one ([`PROMPT_ANYWHERE`]). [`signs`] parses only such a page.
///
/// Each block [`signs`] reads is a run of the page's text: its words, each
/// text node's own, in the page's order, but for what no reader sees. So
/// is the page's text, with every tag a space; so a prompt a block says,
/// the page's text says. Only a parser's repairs of broken markup (text
/// strayed into a table, moved out before it) could join two runs of text
/// that the page's bytes keep apart.
fn may_say_a_prompt(html: &str) -> bool {
    PROMPT_ANYWHERE.is_match(&text::match_key(&page_text(html)))
}

/// Elements whose content is raw text no reader sees: left out of
/// [`page_text`], up to their end tag.
const UNSEEN_RAW: &[&[u8]] = &[b"script", b"style", b"noscript"];

/// Elements no reader sees whose content holds elements, which [`signs`]
/// reads (a `<title>` in an icon): [`page_text`] reads their content apart,
/// after the page's, so that it comes between no words of the blocks
/// around them.
const UNSEEN_NESTED: &[&[u8]] = &[b"template", b"svg"];

/// A page's text read from its bytes (`html`): its tags, comments and
/// doctype each a space, character references decoded, the content of
/// scripts, styles and `noscript` left out, that of `template` and `svg`
/// put after the rest.
fn page_text(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut apart = String::new();
    // Elements read apart found open with no end tag after them: no later
    // one of the name has one either, so a hostile page of unclosed
    // `<svg>`s is searched once, not once per tag.
    let mut unclosed = Vec::new();
    let (mut at, mut run) = (0, 0);
    while let Some(found) = memchr::memchr2(b'<', b'&', &b[at..]) {
        let i = at + found;
        out.push_str(&html[run..i]);
        if b[i] == b'&' {
            at = i
                + 1
                + char_ref(&html[i + 1..], &mut out).unwrap_or_else(|| {
                    out.push('&');
                    0
                });
        } else {
            at = match markup(b, i, &mut unclosed) {
                Some((end, inside)) => {
                    out.push(' ');
                    if let Some(inside) = inside {
                        apart.push(' ');
                        apart.push_str(&page_text(&html[inside]));
                    }
                    end
                }
                None => {
                    out.push('<');
                    i + 1
                }
            };
        }
        run = at;
    }
    out.push_str(&html[run..]);
    out.push_str(&apart);
    out
}

/// Where the markup starting at `b[i]` (a `<`) ends: after a tag, comment
/// or doctype, or after the content of an element [`page_text`] leaves out
/// or reads apart (and then where that content is); `None` when the `<` is
/// text. `unclosed` holds the names of elements read apart that have no
/// end tag from here on: one of them is read as a tag, not searched for
/// its end again.
fn markup(
    b: &[u8],
    i: usize,
    unclosed: &mut Vec<&'static [u8]>,
) -> Option<(usize, Option<Range<usize>>)> {
    let rest = &b[i + 1..];
    let after = |pat: &[u8], from: usize| {
        memchr::memmem::find(&b[from..], pat).map_or(b.len(), |p| from + p + pat.len())
    };
    match rest.first()? {
        b'!' if rest.starts_with(b"!--") => Some((comment_end(b, i + 4), None)),
        b'!' | b'?' => Some((after(b">", i + 1), None)),
        b'/' if rest.get(1).is_some_and(u8::is_ascii_alphabetic) => Some((tag_end(b, i + 2), None)),
        c if c.is_ascii_alphabetic() => {
            let name_len = rest
                .iter()
                .position(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
                .unwrap_or(rest.len());
            let name = &rest[..name_len];
            let end = tag_end(b, i + 1 + name_len);
            let unseen = |names: &[&'static [u8]]| {
                names.iter().copied().find(|n| n.eq_ignore_ascii_case(name))
            };
            // Where its end tag starts, from `from` on.
            let close = |name: &[u8], from: usize| {
                let hay = &b[from..];
                memchr::memchr_iter(b'<', hay)
                    .find(|&p| {
                        let after = p + 2 + name.len();
                        hay[p + 1..].first() == Some(&b'/')
                            && hay.len() >= after
                            && hay[p + 2..after].eq_ignore_ascii_case(name)
                            && hay
                                .get(after)
                                .is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
                    })
                    .map(|p| from + p)
            };
            if let Some(name) = unseen(UNSEEN_RAW) {
                // Raw text: nothing is a tag until its end tag.
                Some((close(name, end).unwrap_or(b.len()), None))
            } else if let Some(name) = unseen(UNSEEN_NESTED) {
                let closed = (!unclosed.contains(&name))
                    .then(|| close(name, end))
                    .flatten();
                match closed {
                    Some(close) => Some((close, Some(end..close))),
                    None => {
                        if !unclosed.contains(&name) {
                            unclosed.push(name);
                        }
                        Some((end, None))
                    }
                }
            } else {
                Some((end, None))
            }
        }
        _ => None,
    }
}

/// Where a comment whose text starts at `b[i]` ends, as HTML ends one:
/// after `-->` or `--!>`, or at once for `<!-->` and `<!--->`.
fn comment_end(b: &[u8], i: usize) -> usize {
    match &b[i.min(b.len())..] {
        [b'>', ..] => return i + 1,
        [b'-', b'>', ..] => return i + 2,
        _ => {}
    }
    let mut from = i;
    while let Some(p) = memchr::memmem::find(&b[from..], b"--") {
        let at = from + p + 2;
        match &b[at..] {
            [b'>', ..] => return at + 1,
            [b'!', b'>', ..] => return at + 2,
            _ => from = at - 1,
        }
    }
    b.len()
}

/// Where a tag whose name ends at `b[i]` ends: after its `>`, quoted
/// attribute values read through.
fn tag_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'>' => return i + 1,
            b'=' => {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if let Some(&q @ (b'"' | b'\'')) = b.get(i) {
                    i = memchr::memchr(q, &b[i + 1..]).map_or(b.len(), |p| i + 1 + p + 1);
                    continue;
                }
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// Decodes the character reference after a `&` (`s`) into `out`, as HTML
/// reads it: a numeric one (`#8217;`, `#x2019;`, the C1 range read as
/// windows-1252), or a named one (`nbsp;`, or a name HTML takes without its
/// `;`, the longest). Returns the bytes of `s` it took; `None` when `s`
/// starts no reference.
fn char_ref(s: &str, out: &mut String) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let hex = matches!(b.get(1), Some(b'x' | b'X'));
        let start = 1 + usize::from(hex);
        let digits = b[start..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let value = u32::from_str_radix(&s[start..start + digits], if hex { 16 } else { 10 })
            .unwrap_or(u32::MAX);
        out.push(
            windows_1252(value)
                .or_else(|| char::from_u32(value).filter(|&c| c != '\0'))
                .unwrap_or('\u{FFFD}'),
        );
        return Some(start + digits + usize::from(b.get(start + digits) == Some(&b';')));
    }
    let name_len = b
        .iter()
        .take(40)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return None;
    }
    // The table holds every prefix of a name too, standing for no character.
    let entity = |name: &str| {
        html5ever::data::NAMED_ENTITIES
            .get(name)
            .copied()
            .filter(|&(first, _)| first != 0)
    };
    let with_semicolon = if b.get(name_len) == Some(&b';') {
        entity(&s[..=name_len]).map(|v| (v, name_len + 1))
    } else {
        None
    };
    let ((first, second), len) = with_semicolon.or_else(|| {
        (1..=name_len)
            .rev()
            .find_map(|n| entity(&s[..n]).map(|v| (v, n)))
    })?;
    out.extend(
        [first, second]
            .into_iter()
            .filter(|&v| v != 0)
            .filter_map(char::from_u32),
    );
    Some(len)
}

/// The character HTML reads a numeric reference in the C1 range as: the
/// windows-1252 character of that byte.
fn windows_1252(value: u32) -> Option<char> {
    const C1: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    (0x80..0xA0)
        .contains(&value)
        .then(|| C1[(value - 0x80) as usize])
}

/// The text of a block and what it says of a paywall, when it is a short
/// block that says so, not in quotation marks.
fn prompt(el: ElementRef) -> Option<(String, String)> {
    if UNSEEN.contains(&el.value().name()) {
        return None;
    }
    let mut words = Vec::new();
    seen_text(el, &mut words);
    if words.is_empty() || words.len() > PROMPT_MAX_WORDS * 2 {
        return None;
    }
    let block = words.join(" ");
    let said = says_a_prompt(&block)?;
    Some((block, said))
}

/// What a block of text (`block`) says of a paywall, in match form, when it
/// is short (at most [`PROMPT_MAX_WORDS`]) and says a prompt ([`PROMPT`]),
/// not in quotation marks.
fn says_a_prompt(block: &str) -> Option<String> {
    if text::diff_word_count(block) > PROMPT_MAX_WORDS {
        return None;
    }
    let key = text::match_key(block);
    let found = PROMPT.find(&key)?;
    let quoted = key[..found.start()]
        .trim_end()
        .ends_with(['"', '“', '«', '\'', '‘', '„']);
    (!quoted).then(|| found.as_str().to_string())
}

/// The words of an element's text, but for what no reader sees.
fn seen_text(el: ElementRef, out: &mut Vec<String>) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.extend(t.split_whitespace().map(str::to_string)),
            Node::Element(e) if !UNSEEN.contains(&e.name()) => {
                if let Some(c) = ElementRef::wrap(child) {
                    seen_text(c, out);
                }
            }
            _ => {}
        }
        if out.len() > PROMPT_MAX_WORDS * 2 {
            return;
        }
    }
}

/// Whether `new` keeps only a leading part of the story `old`: its first
/// paragraphs unchanged (at least one, fewer than all), none of the rest,
/// and after them at most [`TAIL_MAX_WORDS`] words (the next paragraph cut
/// midway, a prompt read as text). The paragraphs kept, and the story's.
pub(super) fn only_the_start(old: &Document, new: &Document) -> Option<(usize, usize)> {
    let key = |d: &Document| -> Vec<String> {
        d.blocks
            .iter()
            .map(|b| text::compare_key(&b.text))
            .collect()
    };
    let (story, page) = (key(old), key(new));
    let kept = story.iter().zip(&page).take_while(|(a, b)| a == b).count();
    if kept == 0 || kept >= story.len() {
        return None;
    }
    let rest: HashSet<&String> = story[kept..].iter().collect();
    if page[kept..].iter().any(|b| rest.contains(b)) {
        return None;
    }
    let tail: usize = new.blocks[kept..]
        .iter()
        .map(|b| text::diff_word_count(&b.text))
        .sum();
    (tail <= TAIL_MAX_WORDS).then_some((kept, story.len()))
}

/// The error of an article page (`new`, fetched from `url`, its signs `now`) that keeps
/// only a leading part of the story `old` ([`only_the_start`]) and shows a
/// paywall sign ([`signs`]) the page kept last (that of the watch's newest
/// version, `latest`, as its page facts or its raw response in `state`
/// keep it: [`kept_signs`]) did not show: a prompt it did not say, or
/// the "not free" mark it did not carry. With neither kept (a version an
/// older presswatch kept with `keep_raw` off), a prompt the story's text
/// (`old`, its article and other prose) does not say counts, and so does
/// the mark.
/// `None` when the page is no teaser, or shows no new sign.
#[allow(clippy::too_many_arguments)]
pub(super) fn behind_a_paywall(
    state: &State,
    watch: &str,
    latest: Option<&VersionRow>,
    url: &url::Url,
    old: &Document,
    new: &Document,
    now: &PageSigns<'_>,
) -> Option<String> {
    let (kept, of) = only_the_start(old, new)?;
    let now = now.get();
    if now.prompts.is_empty() && !now.not_free {
        return None;
    }
    let before = latest.and_then(|v| kept_signs(state, watch, v));
    let prompt = match &before {
        Some(before) => now
            .prompts
            .iter()
            .find(|(_, said)| !before.prompts.iter().any(|(_, s)| s == said)),
        None => {
            let story: String = old
                .blocks
                .iter()
                .map(|b| b.text.as_str())
                .chain(old.other_prose.iter().map(|p| p.text.as_str()))
                .map(text::match_key)
                .collect::<Vec<_>>()
                .join("\n");
            now.prompts
                .iter()
                .find(|(_, said)| !story.contains(said.as_str()))
        }
    };
    let not_free = now.not_free && before.as_ref().is_none_or(|b| !b.not_free);
    let sign = match (prompt, not_free) {
        (Some((block, _)), _) => format!("“{}”", quote(block)),
        (None, true) => {
            "the page now marks the article as not free to read: \"isAccessibleForFree\": false"
                .to_string()
        }
        (None, false) => return None,
    };
    Some(format!(
        "{url}: the page now shows only the first {kept} of {of} paragraphs, behind a paywall ({sign}): \
         not a change; the baseline is kept and the page is tried again at the next check. If it lasts, \
         the site's meter or subscription keeps the story from presswatch: ask the outlet for access, \
         or check less often"
    ))
}

/// A story whose baseline was kept from its paywall's teaser, now served
/// whole ([`lifted`]).
pub(super) struct Lifted {
    /// What the newsroom changed in the part of the story the baseline held
    /// (its paragraphs, headline, byline and the page's other prose):
    /// `None` when nothing did.
    pub(super) change: Option<Change>,
    /// The story's paragraphs the baseline held.
    pub(super) held: usize,
    /// The story's paragraphs now.
    pub(super) of: usize,
    /// The paragraphs after the part the baseline held: the ones the
    /// paywall hid.
    pub(super) revealed: usize,
    /// The paywall sign the baseline's page showed and the page shows no
    /// more, as the check's detail quotes it.
    pub(super) sign: String,
}

/// Whether the page now (`new`, its signs `now`) is the whole story whose
/// baseline (`old`, content hash `old_hash`) was kept from the teaser a
/// paywall served: the mirror of [`behind_a_paywall`], for a watch whose
/// first check came after the site's meter ran out.
///
/// The baseline's page showed a paywall sign ([`signs`]) that the page no
/// longer shows (a prompt gone, or the "not free" mark gone), and the page
/// shows no prompt the baseline's did not. The baseline's page is that of
/// the watch's newest version (`latest`, whose content hash must be the
/// baseline's), as its page facts or its raw response keep it
/// ([`kept_signs`]); with neither kept, a prompt the baseline's own text
/// says (a short block, as [`says_a_prompt`]).
/// The story now holds more paragraphs than the baseline held (its blocks
/// up to the prompt read as a paragraph, when the prompt and what follows
/// it are a teaser's tail of at most [`TAIL_MAX_WORDS`]), and the baseline
/// held no more of it than it lacked, as a teaser shows less of the story
/// than it hides.
///
/// What the baseline held is then compared (`rules`) with the same part of
/// the page (up to where the baseline's last paragraph now stands), and only
/// that is news: the paragraph the teaser cut midway is the whole paragraph
/// now, the paragraphs after it and the prose outside the article the
/// teaser did not show are the story's, revealed, not added; the prompt
/// gone is no removal.
#[allow(clippy::too_many_arguments)]
pub(super) fn lifted(
    state: &State,
    watch: &str,
    latest: Option<&VersionRow>,
    old: &Document,
    old_hash: &str,
    new: &Document,
    now: &PageSigns<'_>,
    rules: &Rules,
) -> Option<Lifted> {
    let held = teaser_story(old);
    if held == 0 || new.blocks.len() <= held {
        return None;
    }
    let upto = held_now(old, held, new);
    if upto >= new.blocks.len() {
        return None;
    }
    let cut = cut_midway(&old.blocks[held - 1].text, &new.blocks[upto - 1].text);
    // A paywall shows less of the story than it hides (the paragraph it
    // cut midway counts hidden): a baseline that held more was the story,
    // which grew while a box that reads as a prompt went (a promotion that
    // comes and goes), and what was added to it is news.
    if held - usize::from(cut) > new.blocks.len() - upto + usize::from(cut) {
        return None;
    }
    let before = latest
        .filter(|v| v.sha256 == old_hash)
        .and_then(|v| kept_signs(state, watch, v))
        .unwrap_or_else(|| Signs {
            prompts: old
                .blocks
                .iter()
                .map(|b| b.text.as_str())
                .chain(old.other_prose.iter().map(|p| p.text.as_str()))
                .filter_map(|t| says_a_prompt(t).map(|said| (t.to_string(), said)))
                .collect(),
            not_free: false,
        });
    if before.prompts.is_empty() && !before.not_free {
        return None;
    }
    let now = now.get();
    let shown_before = |said: &String| before.prompts.iter().any(|(_, s)| s == said);
    if now.prompts.iter().any(|(_, said)| !shown_before(said)) {
        return None;
    }
    let gone = before
        .prompts
        .iter()
        .find(|(_, said)| !now.prompts.iter().any(|(_, s)| s == said));
    let sign = match (gone, before.not_free && !now.not_free) {
        (Some((block, _)), _) => format!("“{}”", quote(block)),
        (None, true) => "\"isAccessibleForFree\": false".to_string(),
        (None, false) => return None,
    };
    let mut old_held = old.clone();
    old_held.blocks.truncate(held);
    if cut {
        old_held.blocks[held - 1]
            .text
            .clone_from(&new.blocks[upto - 1].text);
    }
    let mut new_held = new.clone();
    new_held.blocks.truncate(upto);
    // The prompts read as the page's other prose are gone with the paywall.
    new_held.other_prose.extend(
        old.other_prose
            .iter()
            .filter(|p| says_a_prompt(&p.text).is_some())
            .cloned(),
    );
    let mut change = compare::compare(&old_held, &new_held, rules);
    // The prose outside the article that the teaser did not show (the
    // captions of the story's later photos) is revealed, not added.
    let revealed: Vec<usize> = change
        .iter()
        .flat_map(|c| &c.other_prose)
        .filter_map(|p| match p.change {
            BlockChange::Added { new_index, .. } => Some(new_index),
            _ => None,
        })
        .collect();
    if !revealed.is_empty() {
        old_held
            .other_prose
            .extend(revealed.iter().map(|&i| new_held.other_prose[i].clone()));
        change = compare::compare(&old_held, &new_held, rules);
    }
    Some(Lifted {
        change,
        held,
        of: new.blocks.len(),
        revealed: new.blocks.len() - upto,
        sign,
    })
}

/// The paragraphs of a baseline's story (`old`) kept from a teaser: its
/// blocks up to the first that says a paywall's prompt ([`says_a_prompt`]),
/// when that block and those after it are a teaser's tail (at most
/// [`TAIL_MAX_WORDS`]); else all of them.
fn teaser_story(old: &Document) -> usize {
    let all = old.blocks.len();
    let Some(first) = old
        .blocks
        .iter()
        .position(|b| says_a_prompt(&b.text).is_some())
    else {
        return all;
    };
    let tail: usize = old.blocks[first..]
        .iter()
        .map(|b| text::diff_word_count(&b.text))
        .sum();
    if tail <= TAIL_MAX_WORDS {
        first
    } else {
        all
    }
}

/// How many of the page's paragraphs (`new`) are the part of the story the
/// baseline's first `held` paragraphs (`old`) were: up to where the last of
/// them found unchanged stands now, and as many more as the baseline held
/// after it (edited, or the one a teaser cut midway).
fn held_now(old: &Document, held: usize, new: &Document) -> usize {
    let page: Vec<String> = new
        .blocks
        .iter()
        .map(|b| text::compare_key(&b.text))
        .collect();
    let (mut from, mut last) = (0, None);
    for (i, b) in old.blocks[..held].iter().enumerate() {
        let key = text::compare_key(&b.text);
        if let Some(j) = page[from..].iter().position(|p| *p == key) {
            last = Some((i, from + j));
            from += j + 1;
        }
    }
    let upto = match last {
        Some((i, j)) => j + 1 + (held - 1 - i),
        None => held,
    };
    upto.min(new.blocks.len())
}

/// Whether a teaser's last paragraph (`shown`) is `whole` cut midway: its
/// words, in comparison form ([`text::compare_key`], whatever punctuation
/// and spacing), are the first of `whole`'s, the last of them perhaps cut
/// short, and `whole` has more.
fn cut_midway(shown: &str, whole: &str) -> bool {
    let (shown, whole) = (text::compare_key(shown), text::compare_key(whole));
    let shown: Vec<&str> = text::diff_words(&shown).collect();
    let whole: Vec<&str> = text::diff_words(&whole).collect();
    let Some((last, before)) = shown.split_last() else {
        return false;
    };
    shown.len() < whole.len() && whole.starts_with(before) && whole[before.len()].starts_with(last)
}

/// What the first check says of a page that shows a paywall's sign (its
/// signs `found`: [`signs`]), after the baseline it stored: the baseline
/// may be only the story's first paragraphs. `None` when the page shows
/// none.
pub(super) fn first_check_note(found: &Signs) -> Option<String> {
    match (found.prompts.first(), found.not_free) {
        (Some((block, _)), _) => Some(format!(
            "; the page shows a paywall (“{}”): the baseline may be only the story's first paragraphs. \
             Once the page shows the whole story without it, that becomes the baseline with no alert",
            quote(block)
        )),
        (None, true) => Some(
            "; the page marks the article as not free to read (\"isAccessibleForFree\": false): if the \
             baseline is only the story's first paragraphs, the rest may be reported as added when the site serves it"
                .to_string(),
        ),
        (None, false) => None,
    }
}

/// A prompt as quoted: at most [`QUOTE_CHARS`], "…" after when cut.
fn quote(block: &str) -> String {
    match block.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}…", block[..at].trim_end()),
        None => block.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Block;

    fn doc(paragraphs: &[&str]) -> Document {
        Document {
            blocks: paragraphs.iter().map(|p| Block::paragraph(p)).collect(),
            ..Document::default()
        }
    }

    fn story() -> Vec<String> {
        (1..=10)
            .map(|i| format!("Paragraph {i}: the filmmaker left the country on foot after an appeals court upheld his sentence."))
            .collect()
    }

    #[test]
    fn a_teaser_keeps_the_story_s_first_paragraphs_and_none_of_the_rest() {
        let all = story();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let old = doc(&all);
        assert_eq!(only_the_start(&old, &doc(&all[..2])), Some((2, 10)));
        // The next paragraph cut midway, the prompt read as a paragraph.
        let teaser = doc(&[
            all[0],
            all[1],
            "Paragraph 3: the filmmaker left…",
            "Subscribe to continue reading.",
        ]);
        assert_eq!(only_the_start(&old, &teaser), Some((2, 10)));
        // Every paragraph kept, none kept, a later one kept, or much new prose: no teaser.
        assert_eq!(only_the_start(&old, &doc(&all)), None);
        assert_eq!(only_the_start(&old, &doc(&all[1..3])), None);
        assert_eq!(only_the_start(&old, &doc(&[all[0], all[1], all[9]])), None);
        let rewritten = "The court's ruling was overturned on appeal on Monday, and the filmmaker said he would return. ".repeat(12);
        assert_eq!(only_the_start(&old, &doc(&[all[0], &rewritten])), None);
    }

    #[test]
    fn a_paywall_prompt_is_a_short_block_not_a_quote_nor_prose() {
        for (html, said) in [
            (
                r#"<div class="wall"><h3>Subscribe to continue reading</h3><p>Already a subscriber? <a href="/login">Log in</a></p></div>"#,
                "Subscribe to continue reading",
            ),
            (
                "<p>This article is for subscribers only.</p>",
                "This article is for subscribers only.",
            ),
            (
                "<div><p>You have reached your limit of free articles this month.</p></div>",
                "You have reached your limit of free articles this month.",
            ),
            (
                "<p>Already a subscriber? Log in</p>",
                "Already a subscriber? Log in",
            ),
            (
                "<div dir=\"rtl\"><p>برای ادامه مطالعه مشترک شوید</p></div>",
                "برای ادامه مطالعه مشترک شوید",
            ),
            (
                "<p>این مطلب ویژه مشترکان است.</p>",
                "این مطلب ویژه مشترکان است.",
            ),
            ("<p>للمتابعة اشترك الآن</p>", "للمتابعة اشترك الآن"),
            (
                "<p>هذا المقال متاح للمشتركين فقط</p>",
                "هذا المقال متاح للمشتركين فقط",
            ),
        ] {
            let found = signs(&format!("<html><body>{html}</body></html>"));
            assert_eq!(
                found.prompts.first().map(|(b, _)| b.as_str()),
                Some(said),
                "{html}"
            );
            assert!(!found.not_free);
        }
        // A story about paywalls: a long paragraph, or a quote.
        let prose = "<p>The newspaper introduced a metered paywall this year: after three stories, readers see a box that says subscribe to continue reading, and the editor says the number of subscribers has doubled since then, though critics say the poorest readers lose out.</p>";
        let quoted = "<p>Readers now see “Subscribe to continue reading” after three stories.</p>";
        let hidden = "<script>var t = 'Subscribe to continue reading';</script>";
        for html in [prose, quoted, hidden] {
            assert_eq!(signs(html).prompts, vec![], "{html}");
        }
    }

    #[test]
    fn a_teaser_s_story_ends_at_its_prompt_and_its_last_paragraph_may_be_cut_midway() {
        let all = story();
        let teaser = doc(&[
            &all[0],
            &all[1],
            "Paragraph 3: the filmmaker left the coun…",
            "Subscribe to continue reading.",
            "Already a subscriber? Log in",
        ]);
        assert_eq!(teaser_story(&teaser), 3);
        // A story that says nothing of a paywall is all story; so is one
        // whose prompt stands before much more prose (no teaser's tail).
        let all_refs: Vec<&str> = all.iter().map(String::as_str).collect();
        assert_eq!(teaser_story(&doc(&all_refs)), 10);
        let mut promo = all_refs.clone();
        promo.insert(0, "Subscribe to continue reading.");
        assert_eq!(teaser_story(&doc(&promo)), 11);

        for shown in [
            "Paragraph 3: the filmmaker left the coun…",
            "Paragraph 3: the filmmaker left the country...",
            "Paragraph 3 , the filmmaker left",
        ] {
            assert!(cut_midway(shown, &all[2]), "{shown}");
        }
        for shown in [
            all[2].as_str(),
            "Paragraph 3: the director left",
            "Paragraph 3: the filmmaker fled",
            "",
        ] {
            assert!(!cut_midway(shown, &all[2]), "{shown}");
        }
        assert!(cut_midway(
            "این کارگردان در بیانیه‌ای که روز دوشنبه منتشر شد گفت چند…",
            "این کارگردان در بیانیه‌ای که روز دوشنبه منتشر شد گفت چند روز پیش به اروپا رسیده است."
        ));
    }

    /// A news page around `story`: a header with the site's subscribe and
    /// members links, a prompt in a script and in a comment, an icon, a
    /// footer.
    fn news_page(story: &str) -> String {
        format!(
            r#"<!DOCTYPE html><html lang="en"><head><title>Story &ndash; The Daily</title>
<script>var wall = "Subscribe to continue reading";</script><style>.a{{}}</style></head>
<body><header><a href="/subscribe">Subscribe</a> <a href="/members">Members</a>
<svg><title>Search</title><path d="M0"/></svg></header>
<!-- Subscribe to continue reading -->
<main><h1>The court&rsquo;s ruling</h1>{story}</main>
<footer>Free newsletter &middot; Reading list &copy; 2026</footer></body></html>"#
        )
    }

    /// Stories that show a paywall's prompt, and the prompt the first
    /// check's note quotes.
    const WALLED: [(&str, &str); 6] = [
        (
            "<p>The filmmaker left.</p><div class=wall><h3>Subscribe <b>to</b>&nbsp;continue reading</h3></div>",
            "Subscribe to continue reading",
        ),
        (
            "<p>The filmmaker left.</p><p>You&#8217;ve reached your limit of <em>free articles</em> this month.</p>",
            "You’ve reached your limit of free articles this month.",
        ),
        (
            "<p>The filmmaker left.</p><p>You&rsquo;ve read <script>count()</script>all your free stories this month.</p>",
            "You’ve read all your free stories this month.",
        ),
        (
            "<p>کارگردان کشور را ترک کرد.</p><div dir=rtl><p>برای ادامه <span>مطالعه</span> مشترک شوید</p></div>",
            "برای ادامه مطالعه مشترک شوید",
        ),
        (
            "<p>کارگردان کشور را ترک کرد.</p><p>این مطلب ويژه مشتركـان است</p>",
            "این مطلب ويژه مشتركـان است",
        ),
        (
            "<p>کارگردان کشور را ترک کرد.</p><p>این مطلب &#1608;&#1740;&#1688;&#1607; مشترکان است</p>",
            "این مطلب ویژه مشترکان است",
        ),
    ];

    #[test]
    fn a_page_that_says_no_prompt_is_not_parsed_for_one() {
        let parsed = || PARSED.with(|n| n.get());
        // Subscribe and members links, a prompt in a script and in a
        // comment, which no reader sees: no prompt, and no parse.
        let plain = news_page("<p>The filmmaker left the country on foot.</p>");
        let before = parsed();
        assert_eq!(first_check_note(&signs(&plain)), None);
        assert_eq!(parsed(), before, "a page without a prompt is not parsed");
        // Schema.org's mark alone is read from the bytes.
        let marked = news_page(
            r#"<script type="application/ld+json">{"isAccessibleForFree": false}</script><p>The filmmaker left.</p>"#,
        );
        assert!(first_check_note(&signs(&marked))
            .unwrap()
            .contains("not free to read"));
        assert_eq!(parsed(), before);
        // A page with a prompt, English or Persian, is parsed, and its
        // first check still says so.
        for (story, said) in WALLED {
            let note =
                first_check_note(&signs(&news_page(story))).unwrap_or_else(|| panic!("{story}"));
            assert!(note.contains(said), "{note}");
            assert_eq!(parsed(), before + 1, "{story}");
            PARSED.with(|n| n.set(before));
        }
    }

    #[test]
    fn a_page_not_parsed_shows_no_prompt_its_parse_would_find() {
        let tricky = [
            // Prompts in an icon's title, a template, the page's title:
            // elements the parse reads.
            "<p>A story.</p><svg><title>Subscribe to continue reading</title></svg>",
            "<p>A story.</p><template><p>This article is for subscribers only.</p></template>",
            "<html><head><title>Subscribers only</title></head><body><p>A story.</p></body></html>",
            // An icon and a comment between a prompt's words, which its
            // block reads without them.
            "<p>Already a subscriber? <svg><title>key icon</title></svg><!-- x -->Log in</p>",
            "<p>This <i>article</i> is for <svg><text>our</text></svg> subscribers only.</p>",
            // References, upper case, letters and spaces of other forms.
            "<p>THIS STORY IS FOR&#32;MEMBERS&nbsp;ONLY</p>",
            "<p>Subscribe&ensp;to keep reading&#x2026;</p>",
            "<p>You&#146;ve hit your limit of free reads.</p>",
            "<p>برای&nbsp;ادامهٔ مطالعه وارد شوید</p>",
            "<p>للمتابعة، <b>سجّل</b> الآن</p>",
            // Quoted, or in prose: no prompt, parsed or not.
            "<p>Readers now see “Subscribe to continue reading” after three stories.</p>",
            "<p>The page said subscribe to continue reading.</p><p>Then it said more, a whole paragraph of it, about the paper and its readers and what they pay for the news each month, and why, and what the editor makes of it.</p>",
            // Markup that is not one: a `<` in text, an attribute with `>`.
            "<p title=\"a > b\">1 < 2: subscribe <a href=x>to continue reading</a></p>",
        ];
        for html in tricky.iter().copied().chain(WALLED.map(|(s, _)| s)) {
            let page = news_page(html);
            for page in [html, page.as_str()] {
                let parsed = prompts(page);
                assert_eq!(signs(page).prompts, parsed, "{page}");
                if !parsed.is_empty() {
                    assert!(may_say_a_prompt(page), "{page}");
                }
            }
        }
    }

    #[test]
    fn a_page_s_text_read_from_its_bytes_holds_what_its_blocks_say() {
        assert_eq!(
            text::match_key(&page_text(
                "<p title='a > b'>Already a <i>subscriber</i>?&nbsp;Log&#x20;in &amp&lt; &notit; &#150;</p><!-- c --><textarea>x</textarea>"
            )),
            "already a subscriber ? log in &< ¬it; - x"
        );
        // Scripts and styles left out; templates and icons read apart.
        assert_eq!(
            text::match_key(&page_text(
                "<script>a</script >b<STYLE>c</style>d<template><p>e</p></template>f<svg>g</svg>h 1 < 2 &c"
            )),
            "b d f h 1 < 2 &c e g"
        );
        // Comments end where HTML ends them.
        assert_eq!(
            text::match_key(&page_text(
                "a<!-->b<!--->c<!-- x --!>d<!-- -- y --->e<!-- z"
            )),
            "a b c d e"
        );
        // An unclosed script hides the rest, as it does from a parser; an
        // unclosed template does not.
        assert_eq!(text::match_key(&page_text("a<script>b")), "a");
        assert_eq!(text::match_key(&page_text("a<template>b")), "a b");
        // Icons never closed are searched for their end once, not once
        // each: a hostile page of 200,000 is read at once, not for minutes.
        let hostile = format!(
            "{}<p>Subscribe to continue reading</p>",
            "<svg>x".repeat(200_000)
        );
        let read = page_text(&hostile);
        assert!(read.ends_with("Subscribe to continue reading "));
        assert!(may_say_a_prompt(&hostile));
    }

    #[test]
    fn schema_org_s_not_free_mark_is_a_sign() {
        for html in [
            r#"<script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree": false}</script>"#,
            r#"<script type="application/ld+json">{"isAccessibleForFree":"False"}</script>"#,
            r#"<meta itemprop="isAccessibleForFree" content="false">"#,
        ] {
            assert!(signs(html).not_free, "{html}");
        }
        assert!(!signs(r#"{"isAccessibleForFree": true}"#).not_free);
    }
}
