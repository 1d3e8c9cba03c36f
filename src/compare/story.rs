//! Whether a page still carries the story: a page that stands in for it
//! ([`stand_in`]: a "not found" page, a bot check or access wall, a
//! maintenance page or database error), the page
//! a moved address leads to ([`same_story`]), and a reading that only
//! decoded what an earlier one could not.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use regex::Regex;

use super::{keyed, Rules};
use crate::document::Document;
use crate::text;

/// A headline or page title that says the page is not there: "Page not
/// found", "404", "Sorry, we couldn't find that page", "صفحه مورد نظر یافت
/// نشد", "الصفحة غير موجودة". Matched in comparison form
/// ([`text::compare_key`]: Persian yeh and kaf, ASCII digits, "?" for "؟").
static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?ix)
        \b(page|article|story|content|post)\b[^.!?]{0,40}\b(not|no\ longer|cannot|can[’']?t|couldn[’']?t|could\ not)\ (be\ )?(found|exists?|available)\b
        | \b(couldn[’']?t|could\ not|can[’']?t|cannot)\ find\ (the|that|this|your)\ (page|article|story)
        | \bpage\ (does\ not|doesn[’']?t)\ exist
        | ^\W*(error\W*)?404\b | \b404\W{0,3}(error|not\ found|page)\b | ^\W*not\ found\W*$
        | صفحه[^.!?]{0,30}(یافت\ نشد|پیدا\ نشد|وجود\ ندارد)
        | (خطای|خطا|خطأ)\s*404
        | الصفحة[^.!?]{0,30}غیر\ (موجودة|متوفرة|متاحة)
        | لم\ (یتم\ العثور|نعثر)\ علی\ (الصفحة|المحتوی|المقال)
    ").expect("static regex")
});

/// The title of a bot check, access wall or JavaScript-or-cookie wall, the
/// whole title (its first part, before a " | " or " - " naming the site or
/// the vendor): "Just a moment...", "Attention Required! | Cloudflare",
/// "Access denied", "Pardon Our Interruption", "Are you a robot?". A
/// headline that only starts so ("Access denied to reporters at the
/// ministry") is not one. Matched in comparison form.
static WALL_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?ix)
        ^\W*(
            just\ a\ moment | one\ (more\ )?moment,?\ please | please\ wait
            | attention\ required | access\ (to\ this\ page\ (has\ been\ )?)?denied | (403\W*)?forbidden
            | pardon\ our\ interruption | one\ more\ step | request\ (blocked|rejected|unsuccessful)
            | are\ you\ a\ (robot|human|bot) | human\ verification | (security|bot|browser)\ (check|verification)
            | verify(ing)?\ (that\ )?you\ are\ (a\ )?human | (re)?captcha | ddos[-\ ]guard
            | checking\ your\ browser | you\ have\ been\ blocked
            | (من\ )?ربات\ نیستم | لست\ برنامج\ روبوت
        )\W*$
    ").expect("static regex")
});

/// The title or headline of a maintenance or "temporarily unavailable" page,
/// or of a server's database error, the whole title (or one of its parts,
/// between the " | " or " - " that name the site): "Maintenance", "Site
/// under maintenance", "We'll be back soon!", "Service Temporarily
/// Unavailable", "Database Error", "در حال تعمیر", "سایت در دست تعمیر است",
/// "الموقع تحت الصيانة". A headline that only starts so ("Maintenance
/// workers strike") is not one. Matched in comparison form (Persian yeh and
/// kaf, alef without hamza, no tanwin or zero-width non-joiner).
static UNAVAILABLE_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?ix)
        ^\W*(
            ((the\ )?(web\ ?)?site\ (is\ )?)?(currently\ )?(temporarily\ )?(down\ for|under(going)?|in)\ (scheduled\ |planned\ )?maintenance
            | (scheduled\ |planned\ |site\ )?maintenance(\ mode|\ in\ progress|\ page)?
            | we'?(ll|\ will)\ be\ (right\ )?back(\ soon|\ shortly|\ online\ soon)?
            | (503\W*)?service\ (temporarily\ )?unavailable
            | ((the\ )?(web\ ?)?site\ (is\ )?)?(temporarily|currently)\ (unavailable|offline|down)
            | (database|db)\ (connection\ )?error | error\ establishing\ a\ database\ connection
            | ((وب\ ?)?سایت\ )?(در\ ?(حال|دست)\ )(تعمیر|تعمیرات|به\ ?روز\ ?رسانی|بروز\ ?رسانی)(\ (است|میباشد|می\ باشد))?
            | ((وب\ ?)?سایت\ )?موقتا\ (در\ دسترس\ نیست|غیر\ ?فعال\ است)
            | (الموقع\ )?(تحت|قید|فی\ وضع)\ الصیانة | صیانة(\ الموقع)?
            | (الموقع\ )?(غیر\ (متاح|متوفر)|متوقف)\ (موقتا|حالیا) | سنعود\ قریبا
        )\W*$
    ").expect("static regex")
});

/// What a maintenance or "temporarily unavailable" page, or a server's
/// database error, says in its text: "down for scheduled maintenance",
/// "Briefly unavailable for scheduled maintenance", "we'll be back soon",
/// "Error establishing a database connection", "سایت در حال تعمیر است",
/// "به‌زودی برمی‌گردیم", "الموقع تحت الصيانة", "سنعود قريباً". Matched in
/// comparison form. A story may say any of these: the text counts only on
/// a short page that lost the story and is mostly this message
/// ([`stand_in`]).
static UNAVAILABLE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b(down\ for|under(going)?)\ (some\ )?(scheduled\ |planned\ |routine\ |essential\ )?maintenance\b
        | \b(performing|carrying\ out|doing)\ (some\ )?(scheduled\ |planned\ |routine\ |essential\ )?maintenance\b
        | \bscheduled\ maintenance\b | \bbriefly\ unavailable\b
        | \bwe'?(ll|\ will)\ be\ (right\ )?back\ (soon|shortly|online)\b
        | \b(site|website|page|service)\ is\ (temporarily|currently)\ (unavailable|down|offline)\b
        | \bservice\ (is\ )?temporarily\ unavailable\b
        | \berror\ establishing\ a\ database\ connection\b
        | \b(could\ not|cannot|can'?t|unable\ to)\ connect\ to\ (the\ )?(database|mysql)\b
        | در\ ?(حال|دست)\ (تعمیر|تعمیرات)
        | (سایت|وب\ ?سایت)\ (موقتا\ )?در\ دسترس\ نیست | موقتا\ در\ دسترس\ نیست
        | (سایت|وب\ ?سایت)\ در\ حال\ (به\ ?روز\ ?رسانی|بروز\ ?رسانی)
        | به\ ?زودی\ (باز\ ?)?(بر\ ?)?می\ ?گردیم
        | خطا\ در\ (اتصال|ارتباط)\ (به|با)\ (پایگاه\ ?داده|دیتابیس)
        | (تحت|قید|فی\ وضع)\ الصیانة | اعمال\ (ال)?صیانة
        | غیر\ (متاح|متوفر)ة?\ موقتا | سنعود\ قریبا
        | خطا\ فی\ الاتصال\ ب\ ?قاعدة\ البیانات
    ",
    )
    .expect("static regex")
});

/// What only a bot check, access wall or JavaScript-or-cookie wall says in
/// its text: "Checking if the site connection is secure", "Enable
/// JavaScript and cookies to continue", "Please verify you are a human",
/// "I'm not a robot" (reCAPTCHA's label, also in Persian and Arabic).
/// Matched in comparison form. A story may quote any of these: the text
/// counts only on a page with almost no prose that lost the story
/// ([`stand_in`]). What ordinary pages say too ("Please enable JavaScript
/// to view the comments", "access was denied") is not here.
static WALL_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        checking\ (if\ the\ site\ connection\ is\ secure|your\ browser\ before\ accessing)
        | needs\ to\ review\ the\ security\ of\ your\ connection
        | \benable\ (javascript|cookies|js)(\ and\ (javascript|cookies))?\ (to|in\ order\ to)\ (continue|proceed)\b
        | \b(verify|confirm|prove)\ (that\ )?you\ are\ (a\ )?(human|not\ a\ (robot|bot))\b
        | \bi[’']?m\ not\ a\ robot\b | \bcomplete\ the\ (security\ check|captcha)\b
        | \bunusual\ traffic\ from\ your\ (computer\ )?network
        | \bsorry,\ you\ have\ been\ blocked\b | \baccess\ to\ this\ page\ has\ been\ denied\b
        | \bperformance\ &\ security\ by\ cloudflare\b | \bray\ id:
        | ربات\ نیستم | لست\ برنامج\ روبوت
    ",
    )
    .expect("static regex")
});

/// The markup of a challenge, as CDN and bot-management vendors publish it
/// (their product's markup, not a site's), in the challenge page only:
/// Cloudflare's challenge options, tokens, form and orchestration script
/// (`_cf_chl_opt`, `__cf_chl_…`, `cf-challenge`, `challenge-form`,
/// `/cdn-cgi/challenge-platform/h/…/orchestrate/`), DataDome's captcha
/// frame, PerimeterX's captcha box, and a form that posts to a challenge or
/// captcha URL. Not the scripts and widgets ordinary pages carry too
/// (Cloudflare's `challenge-platform/scripts/jsd`, reCAPTCHA, hCaptcha and
/// Turnstile in a comment form, Imperva's injected script).
static WALL_MARKUP: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(
        r#"(?i)_cf_chl_|\bcf-challenge|\bchallenge-form\b|/cdn-cgi/challenge-platform/h/[^"'\s]*/orchestrate/|captcha-delivery\.com|\bpx-captcha\b|<form\b[^>]*\baction\s*=\s*["'][^"']*(challenge|captcha)"#,
    )
    .expect("static regex")
});

/// Words of prose, at most, on a page that stands in for a story as a wall:
/// a bot check says a sentence or two (Cloudflare's, 30 words); any story
/// says more.
const WALL_MAX_WORDS: usize = 150;

/// What a page served in place of an article is, when it is no version of
/// it ([`stand_in`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StandIn {
    /// A "not found" page (a "soft 404"), with the words it says that with:
    /// the story is taken down.
    NotFound(String),
    /// A bot check, access wall or JavaScript-or-cookie wall, named by its
    /// title (or, untitled, by what it says): the site did not let
    /// presswatch read the page, a failed check.
    Wall(String),
    /// A maintenance or "temporarily unavailable" page, or a server's
    /// database error, with the words it says that with: the site is down
    /// for now, a failed check.
    Unavailable(String),
}

/// Whether a page with the document `new` (its extracted text) and the body
/// `markup` (the HTML as served) stands in for the story `old` (its
/// accepted version; `None` on a watch's first check) rather than being a
/// version of it:
///
/// - a "not found" page: a headline or title that says the page is not
///   there, and at most a fifth of the story's paragraphs left;
/// - a wall: almost no prose (`WALL_MAX_WORDS`), at most a fifth of the
///   story's paragraphs left, and what gives a wall away: its title
///   (`WALL_TITLE`), its text (`WALL_TEXT`) or a challenge's markup
///   (`WALL_MARKUP`). With no story yet, only its title or markup does;
/// - a maintenance or "temporarily unavailable" page, or a database error:
///   almost no prose (`WALL_MAX_WORDS`), at most a fifth of the story's
///   paragraphs left, and a title or headline that is that message
///   (`UNAVAILABLE_TITLE`), or article text that is mostly that message
///   (`UNAVAILABLE_TEXT`: the paragraphs that say it hold at least half
///   of its words). With no story yet, only its title or headline does.
///
/// A story whose headline says any of these from the start is a story.
pub fn stand_in(new: &Document, old: Option<&Document>, markup: &[u8]) -> Option<StandIn> {
    // A wall's title may name the site or the vendor after its own words.
    let titled = |d: &Document, re: &Regex, parts: bool| {
        [d.headline(), d.title.as_deref()]
            .into_iter()
            .flatten()
            .find(|t| {
                let t = text::compare_key(t);
                re.is_match(&t) || (parts && re.is_match(first_part(&t)))
            })
            .map(str::to_string)
    };
    if old.is_some_and(|old| old.blocks.is_empty()) {
        return None;
    }
    // The cheap tests first: most pages that changed are neither.
    if let Some(old) = old {
        if let Some(said) = titled(new, &NOT_FOUND, false) {
            let stands_in = titled(old, &NOT_FOUND, false).is_none() && lost(new, old);
            return stands_in.then_some(StandIn::NotFound(said));
        }
    }
    let prose = || {
        new.blocks
            .iter()
            .map(|b| b.text.as_str())
            .chain(new.other_prose.iter().map(|p| p.text.as_str()))
    };
    let mut words = 0;
    for p in prose() {
        words += text::diff_word_count(p);
        if words > WALL_MAX_WORDS {
            return None;
        }
    }
    let said = || {
        prose().find_map(|p| {
            WALL_TEXT
                .find(&text::compare_key(p))
                .map(|m| m.as_str().to_string())
        })
    };
    let name = |fallback: Option<String>| {
        new.title
            .clone()
            .or_else(|| new.headline().map(str::to_string))
            .or(fallback)
            .unwrap_or_else(|| "untitled".into())
    };
    // With no story yet, what a page says is no proof: a wall's title or
    // markup is.
    let wall = titled(new, &WALL_TITLE, true)
        .or_else(|| old.and_then(|_| said()).map(|said| name(Some(said))))
        .or_else(|| WALL_MARKUP.is_match(markup).then(|| name(said())));
    if let Some(wall) = wall {
        if let Some(old) = old {
            if titled(old, &WALL_TITLE, true).is_some() || !lost(new, old) {
                return None;
            }
        }
        return Some(StandIn::Wall(wall));
    }
    let down = titled_in_parts(new, &UNAVAILABLE_TITLE)
        .or_else(|| old.and_then(|_| mostly_unavailable(new)))?;
    if let Some(old) = old {
        if titled_in_parts(old, &UNAVAILABLE_TITLE).is_some() || !lost(new, old) {
            return None;
        }
    }
    Some(StandIn::Unavailable(down))
}

/// The headline or title of `d` that is, whole or in one of its parts
/// (between the separators that name the site, [`first_part`]), what `re`
/// matches.
fn titled_in_parts(d: &Document, re: &Regex) -> Option<String> {
    [d.headline(), d.title.as_deref()]
        .into_iter()
        .flatten()
        .find(|t| {
            let t = text::compare_key(t);
            re.is_match(&t) || title_parts(&t).any(|part| re.is_match(part))
        })
        .map(str::to_string)
}

/// A title's parts, between the " | ", " - " and the like that separate
/// the page's own words from the site's name, whichever comes first.
fn title_parts(title: &str) -> impl Iterator<Item = &str> {
    let mut parts = vec![title];
    for sep in [" | ", " - ", " – ", " — ", " :: ", " · "] {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts.into_iter().map(str::trim)
}

/// What a page's article text says of the site being down
/// (`UNAVAILABLE_TEXT`), when the paragraphs that say so hold at least
/// half of its words: the paragraph that says it, as it reads.
fn mostly_unavailable(new: &Document) -> Option<String> {
    let (mut all, mut saying, mut first) = (0, 0, None);
    for b in &new.blocks {
        let words = text::diff_word_count(&b.text);
        all += words;
        if UNAVAILABLE_TEXT.is_match(&text::compare_key(&b.text)) {
            saying += words;
            first.get_or_insert(b.text.as_str());
        }
    }
    let first = first?;
    (saying * 2 >= all).then(|| first.to_string())
}

/// A title's first part, before a " | ", " - ", " – ", " — " or " :: "
/// that names the site or the vendor ("Attention Required! | Cloudflare").
fn first_part(title: &str) -> &str {
    [" | ", " - ", " – ", " — ", " :: ", " · "]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .map_or(title, |at| &title[..at])
}

/// Whether at most a fifth of the story's paragraphs are still on the page.
fn lost(new: &Document, old: &Document) -> bool {
    let rules = Rules::default();
    let kept: HashSet<String> = new
        .blocks
        .iter()
        .map(|b| keyed(&b.text, &rules).key)
        .collect();
    let left = old
        .blocks
        .iter()
        .filter(|b| kept.contains(&keyed(&b.text, &rules).key))
        .count();
    left * 5 <= old.blocks.len()
}

/// The share of a story's text a page must still carry to be that story
/// ([`same_story`]). Generous: a story retitled and edited on its way to a
/// new address (paragraphs rewritten, added or cut) keeps far more, while
/// a section page or another story carries at most a teaser of it (its
/// opening sentence, a fifth of a short story at most).
const SAME_STORY_SHARE: f64 = 0.35;

/// Characters in each run of text [`same_story`] looks for: about two
/// words, so that a page on the same subject (names, places) does not pass
/// for the story while the story's own sentences do, in any script.
const SHINGLE_CHARS: usize = 12;

/// The fewest runs of text a story must hold for [`same_story`] to measure
/// it: a story shorter than a sentence is taken for the same.
const MIN_STORY_RUNS: usize = 12;

/// Whether the page `new` (found at another address the article's URL now
/// redirects to) still carries the story `old` held: at least
/// `SAME_STORY_SHARE` of the story's text (its paragraphs, as runs of
/// `SHINGLE_CHARS` characters in comparison form, so that Persian and
/// Arabic spelling variants and spacing are the same text) is found in the
/// page's article or in its other prose. The headline is not counted: a
/// story gets a new slug mostly because it was retitled. A section front, a
/// tag page or another story behind the redirect is not the story: the
/// story is gone from where it was cited. A story too short to measure is
/// taken for the same.
pub fn same_story(old: &Document, new: &Document) -> bool {
    let rules = Rules::default();
    // Each run of characters as a 64-bit hash: a page of megabytes makes
    // millions of runs, which as strings would take hundreds of megabytes.
    let run_hash = |run: &[char]| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        run.hash(&mut h);
        h.finish()
    };
    let shingles = |texts: &mut dyn Iterator<Item = &str>| -> HashSet<u64> {
        let mut out = HashSet::new();
        for t in texts {
            let chars: Vec<char> = keyed(t, &rules).key.chars().collect();
            if chars.iter().all(|c| c.is_whitespace()) {
                continue;
            }
            if chars.len() <= SHINGLE_CHARS {
                out.insert(run_hash(&chars));
                continue;
            }
            out.extend(
                chars
                    .windows(SHINGLE_CHARS)
                    .filter(|w| !w.iter().all(|c| c.is_whitespace()))
                    .map(run_hash),
            );
        }
        out
    };
    let story = shingles(&mut old.blocks.iter().map(|b| b.text.as_str()));
    if story.len() < MIN_STORY_RUNS {
        return true;
    }
    let page = shingles(
        &mut new
            .blocks
            .iter()
            .map(|b| b.text.as_str())
            .chain(new.other_prose.iter().map(|p| p.text.as_str())),
    );
    let kept = story.iter().filter(|s| page.contains(*s)).count();
    kept as f64 >= SAME_STORY_SHARE * story.len() as f64
}

/// Whether `new` is `old` with the characters an earlier reading could not
/// decode (each U+FFFD: a page in a legacy encoding read as the UTF-8 its
/// server claimed) now read, and nothing else changed: the same headline
/// and byline, character for character but where `old` has U+FFFD, and the
/// same paragraphs once `read_as_now`. The page did not change; its
/// reading did.
pub fn only_undecoded_characters_read(old: &Document, new: &Document) -> bool {
    let undecoded = |t: &str| t.contains('\u{FFFD}');
    let (old_head, new_head) = (
        [
            old.headline().unwrap_or_default(),
            old.byline.as_deref().unwrap_or_default(),
        ],
        [
            new.headline().unwrap_or_default(),
            new.byline.as_deref().unwrap_or_default(),
        ],
    );
    if !(old_head.iter().any(|t| undecoded(t)) || old.blocks.iter().any(|b| undecoded(&b.text))) {
        return false;
    }
    let read = read_as_now(old, new);
    old_head.iter().zip(&new_head).all(|(x, y)| {
        x.chars().count() == y.chars().count()
            && x.chars()
                .zip(y.chars())
                .all(|(p, q)| p == q || p == '\u{FFFD}')
    }) && read.blocks.len() == new.blocks.len()
        && read
            .blocks
            .iter()
            .zip(&new.blocks)
            .all(|(a, b)| a.text == b.text)
}

/// A word of the baseline as compared by `read_as_now`.
struct OldWord<'a>(&'a str);
/// A word of the page now as compared by `read_as_now`.
struct NewWord<'a>(&'a str);

impl PartialEq<OldWord<'_>> for NewWord<'_> {
    /// The same word, or the baseline's word with its undecoded characters
    /// now read ([`reads_as`]).
    fn eq(&self, old: &OldWord<'_>) -> bool {
        reads_as(old.0, self.0)
    }
}

/// Whether `old` is `new` but for characters an earlier reading could not
/// decode: equal, or `new` holds no U+FFFD and each run of U+FFFD in `old`
/// stands for one or more characters of `new`, the rest the same letters in
/// the same order (`�وین` reads as `اوین`). One invalid byte may lose one
/// letter or several, and several bytes one letter: a run's length says
/// nothing.
fn reads_as(old: &str, new: &str) -> bool {
    if old == new {
        return true;
    }
    if !old.contains('\u{FFFD}') || new.contains('\u{FFFD}') {
        return false;
    }
    fn fits(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('\u{FFFD}') => {
                let rest = &p[p.iter().take_while(|&&c| c == '\u{FFFD}').count()..];
                (1..=t.len()).any(|k| fits(rest, &t[k..]))
            }
            Some(c) => t.first() == Some(c) && fits(&p[1..], &t[1..]),
        }
    }
    let (p, t): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    // A word is short; a run of characters that is no word is compared as
    // it is, not searched.
    t.len() <= 64 && fits(&p, &t)
}

/// `old` as the page's present reading shows it: each word of `old`'s
/// paragraphs holding U+FFFD (characters an earlier reading could not
/// decode, see [`only_undecoded_characters_read`]) that stands where `new`
/// has the word with those characters read ([`reads_as`]) takes `new`'s
/// word. A word whose letters a reading lost is no word the outlet changed:
/// «زندان �وین» read now as «زندان اوین» is not وین ("Vienna") changed to
/// اوین ("Evin"), and a baseline whose letters were nearly all lost does
/// not make every word look changed. So [`super::compare`] reports only
/// what the newsroom changed. Borrowed when `old` has no U+FFFD.
pub fn read_as_now<'a>(old: &'a Document, new: &Document) -> std::borrow::Cow<'a, Document> {
    use std::borrow::Cow;
    if !old.blocks.iter().any(|b| b.text.contains('\u{FFFD}')) {
        return Cow::Borrowed(old);
    }
    // Each word (what white space separates) with its block and place.
    fn spans(d: &Document) -> Vec<(usize, usize, &str)> {
        let mut out = Vec::new();
        for (i, b) in d.blocks.iter().enumerate() {
            let t = b.text.as_str();
            for w in t.split_whitespace() {
                let at = w.as_ptr() as usize - t.as_ptr() as usize;
                out.push((i, at, w));
            }
        }
        out
    }
    let (a, b) = (spans(old), spans(new));
    let old_words: Vec<OldWord> = a.iter().map(|s| OldWord(s.2)).collect();
    let new_words: Vec<NewWord> = b.iter().map(|s| NewWord(s.2)).collect();
    let mut capture = similar::algorithms::Capture::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let _ = similar::algorithms::myers::diff_deadline_raw(
        &mut capture,
        &old_words[..],
        0..old_words.len(),
        &new_words[..],
        0..new_words.len(),
        Some(deadline),
    );
    // Per block, the words to put in, from the last.
    let mut fill: Vec<(usize, usize, &str, &str)> = Vec::new();
    for op in capture.into_ops() {
        if let similar::DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                let (block, at, was) = a[old_index + k];
                let now = b[new_index + k].2;
                if was != now {
                    fill.push((block, at, was, now));
                }
            }
        }
    }
    if fill.is_empty() {
        return Cow::Borrowed(old);
    }
    let mut read = old.clone();
    for (block, at, was, now) in fill.into_iter().rev() {
        read.blocks[block]
            .text
            .replace_range(at..at + was.len(), now);
    }
    Cow::Owned(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::doc;
    use crate::document::Block;

    #[test]
    fn a_word_the_baseline_could_not_read_is_no_edit_when_real_edits_come_with_it() {
        use crate::compare::{compare, Rules};
        // The baseline lost the first letter of «اوین» (Evin) to a byte it
        // could not decode: read without it, «وین» is "Vienna". The page
        // now reads the letter, and the newsroom changed "took" to
        // "transferred".
        let old = doc(
            "T",
            &["مأموران او را به زندان \u{FFFD}وین بردند و خانواده‌اش خبری ندارد."],
        );
        let new = doc(
            "T",
            &["مأموران او را به زندان اوین منتقل کردند و خانواده‌اش خبری ندارد."],
        );
        let c = compare(&old, &new, &Rules::default()).expect("a real edit");
        assert_eq!(c.removed_text(), vec!["بردند"]);
        assert_eq!(c.added_text(), vec!["منتقل کردند"]);
        assert!(!only_undecoded_characters_read(&old, &new));
        // Nothing else changed: no change, and the reading is taken silently;
        // one undecoded character may stand for a letter or several.
        let fixed = doc(
            "T",
            &["مأموران او را به زندان اوین بردند و خانواده‌اش خبری ندارد."],
        );
        assert!(compare(&old, &fixed, &Rules::default()).is_none());
        assert!(only_undecoded_characters_read(&old, &fixed));
        let two = doc(
            "T",
            &["مأموران او را به زندان \u{FFFD}\u{FFFD}وین بردند و خانواده‌اش خبری ندارد."],
        );
        assert!(compare(&two, &fixed, &Rules::default()).is_none());
        // A word the page changed is no reading: وین is not اوین.
        let vienna = doc(
            "T",
            &["مأموران او را به زندان وین بردند و خانواده‌اش خبری ندارد."],
        );
        assert!(compare(&vienna, &fixed, &Rules::default()).is_some());
        // A baseline whose letters were nearly all lost: the one word added
        // is the change, not the whole paragraph.
        let lost = doc(
            "T",
            &["\u{FFFD}\u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}."],
        );
        let now = doc("T", &["دادگاه حکم او را دیروز تأیید کرد."]);
        let c = compare(&lost, &now, &Rules::default()).expect("a word added");
        assert!(c.removed_text().is_empty(), "{:?}", c.removed_text());
        assert_eq!(c.added_text().len(), 1, "{:?}", c.added_text());
    }

    #[test]
    fn a_not_found_page_in_place_of_the_story_is_told_apart_from_a_story_about_one() {
        let story = doc(
            "Journalist arrested in Tehran",
            &[
                "A journalist was arrested at her home on Tuesday.",
                "Her family says no warrant was shown.",
                "Press freedom groups condemned the arrest.",
            ],
        );
        for (headline, text) in [
            ("Page not found", "Try our search."),
            ("404", "Sorry, we couldn't find that page."),
            (
                "Oops! That page can’t be found.",
                "It looks like nothing was found at this location.",
            ),
            (
                "صفحه مورد نظر یافت نشد",
                "ممکن است نشانی را اشتباه وارد کرده باشید.",
            ),
            ("الصفحة غير موجودة", "ربما تم نقل الصفحة أو حذفها."),
        ] {
            let page = doc(headline, &[text]);
            assert_eq!(
                stand_in(&page, Some(&story), b""),
                Some(StandIn::NotFound(headline.into())),
                "{headline}"
            );
        }
        // A story that keeps its paragraphs is still there, whatever its
        // headline says now; one that was about a missing page from the
        // start is a story.
        let retitled = doc(
            "Journalist's body not found, family says",
            &story
                .blocks
                .iter()
                .map(|b| b.text.as_str())
                .collect::<Vec<_>>(),
        );
        assert_eq!(stand_in(&retitled, Some(&story), b""), None);
        let about = doc(
            "Government page not found after hack",
            &["The ministry's site went dark."],
        );
        let gone = doc("Page not found", &["Try our search."]);
        assert_eq!(stand_in(&gone, Some(&about), b""), None);
        // A story rewritten under a new headline is an edit, not a takedown.
        let rewritten = doc("Journalist freed", &["She was released on bail tonight."]);
        assert_eq!(stand_in(&rewritten, Some(&story), b""), None);
    }

    #[test]
    fn a_bot_check_in_place_of_the_story_is_a_wall_and_a_story_about_one_is_a_story() {
        let story = doc(
            "Journalist arrested in Tehran",
            &[
                "A journalist was arrested at her home on Tuesday.",
                "Her family says no warrant was shown.",
                "Press freedom groups condemned the arrest.",
            ],
        );
        let persian = doc(
            "بازداشت روزنامه‌نگار در تهران",
            &[
                "یک روزنامه‌نگار روز سه‌شنبه در خانه‌اش بازداشت شد.",
                "خانواده او می‌گویند هیچ حکمی نشان داده نشد.",
            ],
        );
        let cloudflare = br#"<form id="challenge-form" action="/news?__cf_chl_f_tk=Xq" method="POST"></form><script src="/cdn-cgi/challenge-platform/h/g/orchestrate/managed/v1"></script>"#;
        let wall = |title: &str, text: &str| doc(title, &[text]);
        // Walls by their title, whatever language the story was in.
        for (page, old) in [
            (
                wall(
                    "Just a moment...",
                    "Checking if the site connection is secure",
                ),
                &story,
            ),
            (
                wall(
                    "Just a moment\u{2026}",
                    "Enable JavaScript and cookies to continue",
                ),
                &persian,
            ),
            (
                wall(
                    "Attention Required! | Cloudflare",
                    "Sorry, you have been blocked",
                ),
                &story,
            ),
            (
                wall(
                    "Access Denied",
                    "You don't have permission to access this server.",
                ),
                &story,
            ),
            (
                wall(
                    "Pardon Our Interruption",
                    "Something about your browser made us think you were a bot.",
                ),
                &persian,
            ),
        ] {
            let title = page.title.clone().unwrap();
            assert_eq!(
                stand_in(&page, Some(old), b""),
                Some(StandIn::Wall(title.clone())),
                "{title}"
            );
        }
        // By what it says, named by its title; by a challenge's markup alone.
        let untitled = wall("example.com", "Please verify you are a human to continue.");
        assert_eq!(
            stand_in(&untitled, Some(&story), b""),
            Some(StandIn::Wall("example.com".into()))
        );
        let quiet = wall("example.com", "example.com");
        assert_eq!(stand_in(&quiet, Some(&story), b""), None);
        assert_eq!(
            stand_in(&quiet, Some(&story), cloudflare),
            Some(StandIn::Wall("example.com".into()))
        );
        // With no story yet, a wall's title or markup gives it away, and
        // what it says alone does not.
        let cf = wall(
            "Just a moment...",
            "Checking if the site connection is secure",
        );
        assert_eq!(
            stand_in(&cf, None, b""),
            Some(StandIn::Wall("Just a moment...".into()))
        );
        assert_eq!(
            stand_in(&quiet, None, cloudflare),
            Some(StandIn::Wall("example.com".into()))
        );
        assert_eq!(stand_in(&untitled, None, b""), None);

        // A story that keeps its paragraphs is the story, whatever it quotes.
        let mut quoting = story.clone();
        quoting.blocks.push(Block::paragraph(
            "The ministry's site now asks visitors: “Please verify you are a human.”",
        ));
        assert_eq!(stand_in(&quoting, Some(&story), cloudflare), None);
        // A short story rewritten to mention a captcha, or under a headline
        // that starts like a wall's title, is an edit.
        let captcha = doc(
            "Access denied to reporters at the ministry",
            &["Reporters were turned away and told to solve a captcha on the ministry's new site."],
        );
        assert_eq!(stand_in(&captcha, Some(&story), b""), None);
        // What ordinary pages carry too gives no wall away: Cloudflare's
        // detection script, a comment form's captcha, a comments box that
        // needs JavaScript.
        let ordinary = br#"<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script><div class="g-recaptcha" data-sitekey="x"></div>"#;
        let brief = doc(
            "Ministry closes press office",
            &[
                "The ministry closed its press office on Monday.",
                "Please enable JavaScript to view the comments.",
            ],
        );
        assert_eq!(stand_in(&brief, Some(&story), ordinary), None);
        assert_eq!(stand_in(&brief, None, ordinary), None);
        // A story replaced by a long page is no wall, whatever it says.
        let long = "Enable JavaScript and cookies to continue reading our coverage of the trial, which resumed on Monday with testimony from three witnesses. ".repeat(8);
        assert_eq!(
            stand_in(&wall("Just a moment...", &long), Some(&story), cloudflare),
            None
        );
        // A story titled like a wall from the start is a story.
        let about = doc("Just a moment...", &["A short story."]);
        assert_eq!(
            stand_in(
                &wall("Just a moment...", "Another short story."),
                Some(&about),
                b""
            ),
            None
        );
    }
    #[test]
    fn a_maintenance_page_in_place_of_the_story_is_unavailable_and_a_story_about_one_is_a_story() {
        let story = doc(
            "Journalist arrested in Tehran",
            &[
                "A journalist was arrested at her home on Tuesday.",
                "Her family says no warrant was shown.",
                "Press freedom groups condemned the arrest.",
            ],
        );
        let down = |title: &str, headline: Option<&str>, text: &[&str]| {
            let mut d = doc(title, text);
            d.headline_sources.shown = headline.map(str::to_string);
            d
        };
        // By its title or headline, in English, Persian and Arabic.
        for (page, said) in [
            (
                down(
                    "Maintenance | Test Herald",
                    Some("We\u{2019}ll be back soon"),
                    &["Sorry for the inconvenience. We are performing scheduled maintenance and will be back online shortly."],
                ),
                "We\u{2019}ll be back soon",
            ),
            (
                down("503 Service Temporarily Unavailable", None, &["nginx"]),
                "503 Service Temporarily Unavailable",
            ),
            (
                down("Database Error", None, &["Error establishing a database connection"]),
                "Database Error",
            ),
            (
                down(
                    "سایت در دست تعمیر است",
                    None,
                    &["به\u{200c}زودی برمی\u{200c}گردیم. از شکیبایی شما سپاسگزاریم."],
                ),
                "سایت در دست تعمیر است",
            ),
            (
                down("خبرگزاری نمونه - در حال تعمیر", None, &["لطفا بعدا مراجعه کنید."]),
                "خبرگزاری نمونه - در حال تعمیر",
            ),
            (
                down("الموقع تحت الصيانة", None, &["نعتذر عن الإزعاج، سنعود قريباً."]),
                "الموقع تحت الصيانة",
            ),
        ] {
            assert_eq!(
                stand_in(&page, Some(&story), b""),
                Some(StandIn::Unavailable(said.into())),
                "{said}"
            );
        }
        // By what it says, when that is most of its text: named by it, in
        // any of the three languages.
        for said in [
            "Briefly unavailable for scheduled maintenance. Check back in a minute.",
            "سایت در حال تعمیر است. به‌زودی برمی‌گردیم.",
            "عذراً، الموقع تحت الصيانة حالياً. سنعود قريباً.",
            "Error establishing a database connection",
        ] {
            let page = down("Test Herald", None, &[said]);
            assert_eq!(
                stand_in(&page, Some(&story), b""),
                Some(StandIn::Unavailable(said.into())),
                "{said}"
            );
            // With no story yet, only its title or headline says so.
            assert_eq!(stand_in(&page, None, b""), None, "{said}");
        }
        let titled = down("Site under maintenance", None, &["Back soon."]);
        assert_eq!(
            stand_in(&titled, None, b""),
            Some(StandIn::Unavailable("Site under maintenance".into()))
        );

        // A story about maintenance is a story: its headline only starts
        // so, or the message is a sentence of a longer text, or it keeps
        // the story's paragraphs.
        let about = doc(
            "Maintenance workers strike at the port",
            &[
                "Maintenance workers walked out on Monday, saying the site is temporarily unavailable to ships.",
                "The union says wages have not been paid for three months.",
                "Port officials said talks would resume on Wednesday.",
            ],
        );
        assert_eq!(stand_in(&about, Some(&story), b""), None);
        assert_eq!(stand_in(&about, None, b""), None);
        let brief = doc(
            "Ministry website hacked",
            &[
                "The ministry's website showed a message on Tuesday saying it was down for scheduled maintenance.",
                "Hackers had claimed the night before that they had taken over its servers and published the files of thousands of citizens, including journalists and lawyers.",
                "The ministry has not commented on the claim, and its spokesman did not answer calls.",
            ],
        );
        assert_eq!(stand_in(&brief, Some(&story), b""), None);
        let mut kept = story.clone();
        kept.blocks.push(Block::paragraph(
            "The court's website is down for scheduled maintenance.",
        ));
        assert_eq!(stand_in(&kept, Some(&story), b""), None);
        // A long page is no maintenance page, whatever its title.
        let long = "The network's engineers restored the service after a fault in the data centre, the company said in a statement on its website on Monday. ".repeat(8);
        assert_eq!(
            stand_in(
                &down("Maintenance", None, &[long.as_str()]),
                Some(&story),
                b""
            ),
            None
        );
        // A story titled so from the start is a story.
        let titled_story = doc("Under maintenance", &["A short story about a bridge."]);
        assert_eq!(stand_in(&titled, Some(&titled_story), b""), None);
    }
}
