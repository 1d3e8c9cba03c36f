//! A block of text as the walk reads it ([`RawBlock`]) and the rules on its
//! text: prose, story text, link lists, cross-references, disclosures, and
//! the lines that are page furniture (promos, credits, picture credits).

use std::cell::OnceCell;
use std::sync::LazyLock;

use regex::Regex;

use crate::document::{Block, BlockKind};
use crate::text;

/// Whole-block texts that are page furniture, not article text: labels,
/// buttons and calls to action, loading placeholders ("Loading...",
/// "Loading image…"), byline lines, the links between posts ("Previous
/// article", "مطلب بعدی") and their counters ("2 comments", "1,109 likes",
/// "3 of 11 comments", "1.2k views", "Print this page"), a paywall's prompt
/// to log in ("Already have an account? Log in"), the label over links to
/// other posts ("You may also like", "If you liked this post you might also
/// like:").
pub(super) static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(related( articles?| stories| content| posts?)?|(recent|latest) posts|(previous|next|older|newer) (post|article|story)|(vorheriger|nächster) (artikel|beitrag)|article (précédent|suivant)|artículo (anterior|siguiente)|(مطلب|نوشته|پست) (قبلی|بعدی)|المقال (السابق|التالي)|(\d+ of )?\d[\d,.]*\s?[km]? ?(comments?|likes?|views?|shares?|votes?|replies)|print( this)?( article| page| post)?|back to (top|blog)|read more|more news|advertisement|sponsored|share( this)?( on| post| story| page| article)?|follow us.*|sign up.*newsletter.*|subscribe.*|editor'?s picks?|most read|recommended|(if you (liked|enjoyed) this (post|article|story|recipe|guide),? )?you (might|may|will) (also )?(like|enjoy)|continue reading( below)?|loading((\.\.\.|…)?|\s+[\w-]{1,30}(\.\.\.|…))|((already (have an account|a (subscriber|member))|have an account)\s*[?]\s*)?(log|sign) ?in( here)?|(vous avez déjà un compte\s*\?\s*)?(se connecter|connectez-vous)|(bereits (abonnent|registriert)\s*\?\s*)?(anmelden|einloggen)|(¿ya tienes (una )?cuenta\?\s*)?(inicia sesión|iniciar sesión)|(حساب کاربری دارید\s*[؟?]\s*)?وارد شوید|(لديك حساب( بالفعل)?\s*[؟?]\s*)?تسجيل الدخول|join ?/ ?sign in|sign in ?/ ?join|register|buy now|get started( for free| now| today)?|(written|reviewed|edited|fact[- ]checked) by [^.]{1,60}|join our [^.]{0,40}newsletter|view on [^.]{1,30})[:.!]?$")
        .expect("static regex")
});

/// A whole line in which the page speaks to the reader about itself, not
/// the story: an appeal to pass it on ("If you like it, please share it!",
/// "Like this story? Share it with a friend!", "Love The Weekly? Tell your
/// friends and get rewards."), or the notice that the rest of it is for
/// subscribers ("This article is exclusive to Example+ subscribers", "To
/// read the rest of this story subscribe to Example+.", "Become a paid
/// subscriber to Example to unlock this piece and learn about:", "Unlock
/// this article — plus in-depth analysis and news alerts."), or a
/// newsletter's poll of its readers ("How was this issue?", "What did you
/// think of today's newsletter?"), or a newsletter's standing line on
/// what it is ("Example is a reader-supported publication. To receive new
/// posts and support my work, consider becoming a free or paid
/// subscriber.", "Thanks for reading Example! This post is public so feel
/// free to share it."). A
/// sentence of the story that asks to share something ("If you know of a
/// free course not listed here, please share it in the comments.") goes on
/// past these words. A newsletter's standing line is looked for apart
/// ([`READER_SUPPORTED`]).
static READER_NOTICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^((if you (like|liked|enjoy|enjoyed|found) (it|this|this (article|post|story|newsletter|issue|piece))( useful| helpful)?,? )?(please )?share (it|this( article| post| story| newsletter)?)( with (a|your) (friends?|colleagues?|network))?|(like|liked|love|enjoy|enjoyed|enjoying) [^?]{1,60}\? (please )?(share it|tell your friends|pass it on)[^.!]{0,60}|(this|the rest of this|the full) (article|story|post|piece) is (exclusive|only available|available only|reserved) (to|for) [^.]{0,40}(subscribers|members)|to (read|continue reading|keep reading) (the rest of|the full) (this )?(article|story|post|piece|issue),? (please )?(subscribe|sign in|log in|register|become a)[^.!]{0,60}|(become a (paid )?(subscriber|member)|subscribe|upgrade)[^.!]{0,40} to (unlock|read|continue reading) (this|the rest of this|the full) (article|story|post|piece|issue)[^.!]{0,60}|unlock (this|the full|the rest of this) (article|story|post|piece)( [—–-]|,) [^.!]{0,100}|(how (was|did you like) (this|today['’]s|this week['’]s) (issue|newsletter|edition|email)|what did you think of (this|today['’]s|this week['’]s) (issue|newsletter|edition|email)) ?\?|thanks for reading [^.!?]{1,60}! (this post is public so feel free to share it|subscribe for free to receive new posts and support (my|our) work))[.!:]?$")
        .expect("static regex")
});

/// A newsletter's standing line on what it is ("Example is a
/// reader-supported publication. ..."), looked for only in blocks that say
/// "supported" ([`is_reader_notice`]): its opening of any words keeps the
/// search going through every short block.
static READER_SUPPORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^.{1,60} is a reader-supported publication\. to receive new posts and support (my|our) work, consider becoming a (free or paid )?subscriber[.!:]?$")
        .expect("static regex")
});

/// Blocks longer than this (characters) are never taken for the page's
/// notice to the reader ([`READER_NOTICE`]).
const READER_NOTICE_MAX_CHARS: usize = 200;

/// A site's notice that it sets cookies, asking the reader's agreement:
/// "We use cookies to give you the best experience. By continuing to use
/// this site, you agree to our use of cookies." A story about cookies
/// does not ask to be agreed with.
static COOKIE_NOTICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(we|this (site|website)) uses? cookies\b.{0,200}\b(agree|consent|accept)\w*\b.{0,40}\bcookies\b")
        .expect("static regex")
});

/// Blocks longer than this (characters) are never taken for a cookie
/// notice ([`COOKIE_NOTICE`]).
const COOKIE_NOTICE_MAX_CHARS: usize = 400;

/// True for a line in which the page speaks to the reader about itself
/// ([`READER_NOTICE`], [`READER_SUPPORTED`], [`COOKIE_NOTICE`]); `t` is its
/// cleaned text.
fn is_reader_notice(t: &str) -> bool {
    t.len() <= READER_NOTICE_MAX_CHARS
        && (READER_NOTICE.is_match(t)
            // None of these letters matches another under `(?i)`, so an ASCII
            // test in any case finds every line the regex can.
            || text::contains_ascii_ci(t.as_bytes(), b"upported") && READER_SUPPORTED.is_match(t))
        || t.len() <= COOKIE_NOTICE_MAX_CHARS
            && (t.contains("ookies") || t.contains("OOKIES"))
            && COOKIE_NOTICE.is_match(t)
}

/// A form's legal fine print: a line that opens with what the reader does
/// ("By signing up", "By clicking Sign Me Up", "By submitting your email")
/// and binds the reader to the site's terms or privacy policy ("..., you
/// agree to our Terms of Use and Privacy Policy", "..., I acknowledge that I
/// have read and accept the Terms of Use"), as a sign-up box, a contact form
/// or an embedded player prints it under its button. Looked for only in
/// blocks that open with "By" ([`is_fine_print`]); a sentence of the story
/// that opens so ("By signing the lease, tenants agree to its terms") names
/// no policy of the site's.
static FINE_PRINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^by \w+ing\b.{0,200}\b(agree|agreeing|accept|consent|acknowledge)\w*\b.{0,250}\b(terms of (use|service)|terms (and|&) conditions|privacy (policy|notice|statement))\b")
        .expect("static regex")
});

/// Blocks longer than this (bytes) are never taken for a form's fine print
/// ([`FINE_PRINT`]).
const FINE_PRINT_MAX_CHARS: usize = 400;

/// True for a form's legal fine print ([`FINE_PRINT`]); `t` is the block's
/// cleaned text.
fn is_fine_print(t: &str) -> bool {
    t.len() <= FINE_PRINT_MAX_CHARS
        && t.as_bytes()
            .get(..3)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"by "))
        && FINE_PRINT.is_match(t)
}

/// Short blocks that sell or announce something rather than report:
/// sign-up calls, "click here", gallery counters, script notices. A
/// newsletter pitched by its delivery ([`INBOX_PITCH`]) or by a call to sign
/// up ([`SIGN_UP_PITCH`]) is looked for apart, behind a cheap test: one more
/// alternative here cost 4% of extraction.
static PROMO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(sign up|subscribe|click here|get (the|our) .{0,40}(newsletter|app)|image \d+ of|photo \d+ of|this (slideshow|video|content) requires javascript)")
        .expect("static regex")
});

/// A call to sign up for a newsletter anywhere in a block ("Sign up for our
/// weekly email"), looked for only in blocks that say "letter", "inbox" or
/// "mail" ([`is_sign_up_pitch`]).
static SIGN_UP_PITCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(sign up|subscribe|signing up)\b.{0,80}\b(newsletter|inbox|e-?mail)\b")
        .expect("static regex")
});

/// True for a block calling to sign up for a newsletter ([`SIGN_UP_PITCH`]);
/// none of the letters tested first matches another under `(?i)`, so the
/// ASCII test in any case finds every block the regex can.
fn is_sign_up_pitch(t: &str) -> bool {
    static WORDS: LazyLock<[memchr::memmem::Finder<'static>; 3]> =
        LazyLock::new(|| ["letter", "inbox", "mail"].map(memchr::memmem::Finder::new));
    // ASCII letters lower-cased once for the three searches, where each
    // search compared both cases at every candidate byte.
    let lower = t.as_bytes().to_ascii_lowercase();
    WORDS.iter().any(|w| w.find(&lower).is_some()) && SIGN_UP_PITCH.is_match(t)
}

/// A newsletter's pitch: "... delivered right to your inbox". Looked for
/// only in short blocks holding "inbox" ([`is_inbox_pitch`]).
static INBOX_PITCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)delivered (right |straight |directly )?to your inbox").expect("static regex")
});

/// True for a short block ([`PROMO_MAX_CHARS`]) pitching a newsletter
/// ([`INBOX_PITCH`]); `t` is its cleaned text.
fn is_inbox_pitch(t: &str) -> bool {
    t.contains("inbox") && INBOX_PITCH.is_match(t)
}

/// A block that is only template markup the page's system left unrendered:
/// shortcodes with attributes ("[convertkit form=1630175]", "[video
/// id=”ab12”]"), their closing tags ("[/caption]"), placeholders named as
/// constants ("[CTA_MODULE]") and template expressions ("{{hire-dev="/x"}}",
/// "{% include cta %}"). A bracketed word of the story ("[Purpose]", "[sic]")
/// has no attribute and is no constant's name.
static TEMPLATE_TAGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(\s*(\[[A-Za-z][\w-]*(\s+[\w-]+\s*=\s*("[^"\]]*"|'[^'\]]*'|[“”][^“”\]]*[“”]|[^\s\]]+))+\s*/?\]|\[/[A-Za-z][\w-]*\]|\[[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\]|\{\{[^{}]*\}\}|\{%[^{}]*%\}))+\s*$"#)
        .expect("static regex")
});

/// A line crediting the reporting of a story, which closes it.
static REPORTING_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\(?((additional|further|extra) )?(reporting|writing|editing|research|fact-checking|translation)( and (reporting|writing|editing|research))? (was )?(by|from)\s|\b(contributed|contributing|provided)( additional)? (reporting|research)\b|\bcontributed to this (report|story|article)\b")
        .expect("static regex")
});

/// A notice that the page earns from its links: "We may earn a commission",
/// "contains affiliate links", "we may be compensated".
static DISCLOSURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(earn|receive|get|make)s? (a |an )?(small |affiliate )?(commission|compensation|fee)|\baffiliate (links?|commission|partner)|\bmay be compensated\b|\b(buy|buying|purchases?)( made)? through (the )?links\b|\bcommission (on|from) (some|any|qualifying)")
        .expect("static regex")
});

/// Placeholder text a page template left in ("Lorem ipsum dolor sit amet
/// ..."), under a placeholder heading ("Lorem Ipsum", "Lorem ipsum 2"):
/// what a layout shows until an editor fills it in.
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^lorem ipsum(?-u:\b)").expect("static regex"));

/// Words of the placeholder passage ("Lorem ipsum dolor sit amet,
/// consectetur adipiscing elit ...") that are no common words of Latin or
/// any language the watchers read: a block mostly of them goes on with the
/// passage ("Ut enim ad minim veniam, quis nostrud exercitation ...").
const FILLER_WORDS: &[&str] = &[
    "lorem",
    "ipsum",
    "dolor",
    "amet",
    "consectetur",
    "consetetur",
    "adipiscing",
    "adipisicing",
    "sadipscing",
    "elit",
    "elitr",
    "eiusmod",
    "tempor",
    "incididunt",
    "labore",
    "dolore",
    "magna",
    "aliqua",
    "aliquyam",
    "veniam",
    "minim",
    "nostrud",
    "exercitation",
    "ullamco",
    "laboris",
    "nisi",
    "aliquip",
    "commodo",
    "consequat",
    "duis",
    "aute",
    "irure",
    "reprehenderit",
    "voluptate",
    "velit",
    "esse",
    "cillum",
    "fugiat",
    "nulla",
    "pariatur",
    "excepteur",
    "sint",
    "occaecat",
    "cupidatat",
    "proident",
    "sunt",
    "culpa",
    "officia",
    "deserunt",
    "mollit",
    "anim",
    "laborum",
    "nonumy",
    "eirmod",
    "invidunt",
    "voluptua",
    "accusam",
    "justo",
    "dolores",
    "rebum",
    "clita",
    "kasd",
    "gubergren",
    "takimata",
    "sanctus",
    "enim",
];

/// Words a block needs before its words are counted as placeholder's.
const FILLER_MIN_WORDS: usize = 4;

/// True for a block that opens as the placeholder passage does
/// ([`PLACEHOLDER`]).
pub(super) fn opens_as_placeholder(text: &str) -> bool {
    PLACEHOLDER.is_match(text.trim_start())
}

/// True for a block of placeholder text: opening as the passage does
/// ([`opens_as_placeholder`]), or of [`FILLER_MIN_WORDS`] words or more,
/// most of them the passage's ([`FILLER_WORDS`]).
pub(super) fn is_placeholder(text: &str) -> bool {
    if opens_as_placeholder(text) {
        return true;
    }
    let (mut words, mut filler) = (0usize, 0usize);
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        filler += usize::from(FILLER_WORDS.iter().any(|f| w.eq_ignore_ascii_case(f)));
    }
    words >= FILLER_MIN_WORDS && filler * 2 > words
}

/// The label of a pointer to another page, before a colon: "See also",
/// "Related", "Read next", "Don't miss", "More on Iran", "Lesen Sie
/// auch", "À lire aussi", "Lee también", "بیشتر بخوانید", "اقرأ أيضا".
static CROSS_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(see also|related( (articles?|stories|posts?|reading|content|links?|guides?))?|read (also|next)|also read|don['’]?t miss|more on [^:]{1,40}|further reading|recommended( reading)?|you (might|may) (also )?like|lesen sie auch|mehr zum thema|à lire aussi|lire aussi|voir aussi|lee también|ver también|leia também|veja também|leggi anche|vedi anche|lees ook|читайте также|بیشتر بخوانید|بخوانید|مطالب مرتبط|مطلب مرتبط|اقرأ أيضا|اقرأ أيضاً|ذات صلة)$")
        .expect("static regex")
});

/// Blocks longer than this (non-space characters) are never taken for
/// reporting credits.
const REPORTING_CREDIT_MAX_CHARS: u32 = 300;

/// Blocks longer than this (characters) are never taken for promotions.
const PROMO_MAX_CHARS: usize = 250;

/// An image credit closing a block, such as "(Photo by A. Person/Getty
/// Images)", or an agency's "(AP Photo/A. Person, File)". Anchored at the
/// end only, it is searched backwards from there, not through the whole
/// block.
static CLOSING_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\(((photo|image|picture|credit)s?( by)?|([\w.&'-]+\s){1,3}(photo|image|picture)s?\s*(/|:|by\s))[^)]{0,80}\)\s*$").expect("static regex")
});

/// A picture credit set after a caption's last sentence ("... on a
/// ridgeline. Photo: Example/A. Person", "... this year. | Photo by A.
/// Person"), looked for only in blocks that name a photo, image or picture
/// ([`ends_with_picture_credit`]).
static CREDIT_AFTER_CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[.!?|]\s+(photo(graph)?|image|picture)s?\s*(:|by\s)[^!?()|]{0,79}[^.!?()|\s]$")
        .expect("static regex")
});

/// True when `t` closes with a picture credit ([`CLOSING_CREDIT`],
/// [`CREDIT_AFTER_CAPTION`]).
fn ends_with_picture_credit(t: &str) -> bool {
    // Every closing credit ends with ")" and white space at most.
    t.trim_end().ends_with(')') && CLOSING_CREDIT.is_match(t)
        // The regex ignores case; the cheap test before it must too, for a
        // credit set in capitals ("PHOTO: A. PERSON").
        || PICTURE_WORDS.iter().any(|w| w.find(t.as_bytes()).is_some())
            && CREDIT_AFTER_CAPTION.is_match(t)
}

/// The words [`ends_with_picture_credit`] looks for before its regex,
/// their searchers built once (building one costs more than a search).
static PICTURE_WORDS: LazyLock<[memchr::memmem::Finder<'static>; 6]> = LazyLock::new(|| {
    ["hoto", "mage", "icture", "HOTO", "MAGE", "ICTURE"].map(memchr::memmem::Finder::new)
});

/// An image credit line such as "Photo: A. Person".
static CREDIT_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(photo|image|credit)s?:\s").expect("static regex"));

/// A line that credits a picture rather than says anything: "Photo credit:
/// ©iStock.com/A", "Photo by A. Person", "Image copyright A", "Illustration: A. Person",
/// "Courtesy of the brand", "Image used under license from Shutterstock",
/// "Getty Images / A. Person", "A. Person/Getty Images", "Foto: A", "عکس:
/// ...", "عکس از ...", "الصورة: ...". Whole-block text (see
/// [`is_picture_credit`]); a "Source:" or "Video:" line is not one (a
/// chart's source, a camera's specifications).
static PICTURE_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^((photo(graph)?s?\s+)?(photo(graph)?|picture|image|illustration|foto|bild|imagen|immagine)s?(\s+(credit|source)s?)?\s*[:：]\s*\S|(photo(graph)?|picture|image|illustration)s?\s+(credits?\b|courtesy\b|copyright\b|by\s+\S)|(photo\s+)?courtesy(\s+of\b|\s*[:：])|(image|photo|picture)s?\s+(used\s+)?under\s+licen[cs]e\b|(getty\s+images|shutterstock|istock(photo)?|unsplash|pexels|alamy|adobe\s+stock)\s*/|(عکس|تصویر|عکاس|منبع تصویر|الصورة|صورة|تصوير)\s*[:：]|(عکس|تصویر)\s+از\s)")
        .expect("static regex")
});

/// A picture credit closing with the agency after a slash ("A.
/// Person/Getty Images"), looked for only in blocks holding a slash
/// ([`is_picture_credit`]).
static AGENCY_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[^.!?]{1,60}/\s*(getty\s+images|shutterstock|istock(photo)?|unsplash|pexels|alamy|adobe\s+stock)$")
        .expect("static regex")
});

/// Blocks longer than this (characters) are never taken for a picture's
/// credit.
const PICTURE_CREDIT_MAX_CHARS: usize = 150;

/// True for a line that credits a picture ([`PICTURE_CREDIT`],
/// [`AGENCY_CREDIT`]): short, and
/// not a sentence, so that a sentence of the story opening "Courtesy of the
/// mayor's office, ..." stays.
fn is_picture_credit(t: &str) -> bool {
    t.len() <= PICTURE_CREDIT_MAX_CHARS
        && !t.ends_with(['.', '!', '?', '؟', '。'])
        && (PICTURE_CREDIT.is_match(t) || t.contains('/') && AGENCY_CREDIT.is_match(t))
}

/// Marks a `<br>` in raw block text; two in a row split the block.
pub(super) const BR: char = '\u{1}';

/// A block of text as found in the page, before cleaning.
pub(super) struct RawBlock {
    pub(super) kind: BlockKind,
    /// The cells of the table row it is (0 for other blocks).
    pub(super) cells: u32,
    pub(super) text: String,
    /// Non-white-space characters.
    pub(super) chars: u32,
    /// Non-white-space characters inside links.
    pub(super) link_chars: u32,
    /// Non-white-space characters inside links to the page itself.
    pub(super) anchor_chars: u32,
    /// Non-white-space characters set in bold (`<strong>`, `<b>`).
    pub(super) strong_chars: u32,
    /// Letters (the rest is digits, punctuation and symbols).
    pub(super) letters: u32,
    /// Its place among the blocks of the walk.
    pub(super) index: usize,
    /// It is mostly the label of a disclosure control
    /// ([`is_disclosure_control`](super::markup::is_disclosure_control)).
    pub(super) control: bool,
    /// The panel a control in it opens is hidden.
    pub(super) closed_panel: bool,
    /// A link in it goes to the page of one of the site's authors
    /// ([`is_author_link`](super::markup::is_author_link)).
    pub(super) author_link: bool,
    /// It opens a section of readers' comments or the form to write one:
    /// a heading that reads so ("109 Comments", "Leave a reply",
    /// [`is_comments_heading`](crate::extract::teaser::is_comments_heading)),
    /// or a line of its own that counts them outside a link ("33
    /// Comments"; a byline's count links to them, and a story's line
    /// "Response:" counts nothing).
    pub(super) comments_heading: bool,
    /// Its text as [`RawBlock::clean_text`] gives it, once asked for.
    pub(super) clean: OnceCell<String>,
}

impl RawBlock {
    /// True for running text: enough text outside links, not mostly links.
    pub(super) fn is_prose(&self) -> bool {
        self.is_language()
            && self.kind != BlockKind::Heading
            && self.chars - self.link_chars >= PROSE_MIN_CHARS
            && self.link_chars * 10 < self.chars * 8
    }

    /// True for a block that reads like a sentence of the story: prose, or a
    /// short sentence (a question, a one-line paragraph, a sentence that
    /// introduces a list with a colon) mostly outside links.
    pub(super) fn is_story_text(&self) -> bool {
        if self.is_prose() {
            return true;
        }
        let t = self.text.trim_end();
        self.is_language()
            && self.kind != BlockKind::Heading
            && self.link_chars * 2 < self.chars
            && (t.ends_with(['.', '!', '?', '"', '”', '؟', ':']) || t.ends_with(CJK_SENTENCE_ENDS))
            && has_words(t, 6)
    }

    /// True for a line that reads as text though it ends without a full
    /// stop: a paragraph of six words or more, or one ending in "!" or ","
    /// (a sign-off: "Happy reading!", "Love and light,"), mostly letters,
    /// without a link (a closing note). Furniture after a story is links,
    /// labels, short lines and the rows of a table laying out the page.
    pub(super) fn is_closing_line(&self) -> bool {
        self.kind == BlockKind::Paragraph
            && self.cells == 0
            && self.link_chars == 0
            && self.is_language()
            && (has_words(&self.text, 6) || self.text.trim_end().ends_with(['!', ',']))
    }

    /// True for a short sentence standing as a paragraph: two words or
    /// more that end as a sentence does, mostly letters, without a link
    /// ("The inquiry ended there.", "وانتهى التحقيق دون نتيجة."). Beside
    /// the story's first or last block, in its own flow, it opens or closes
    /// the story; a label, a date or
    /// a link after a story ends without a full stop or links away, and a
    /// line trailing off ("You may also like...") leads to what follows.
    pub(super) fn is_short_sentence(&self) -> bool {
        let t = self.text.trim_end();
        self.kind == BlockKind::Paragraph
            && self.cells == 0
            && self.link_chars == 0
            && self.is_language()
            && (t.ends_with(['.', '!', '?', '"', '”', '؟']) || t.ends_with(CJK_SENTENCE_ENDS))
            && !t.ends_with("...")
            && !t.ends_with('…')
            && has_words(t, 2)
    }

    /// True for a sentence of the story told mostly in links: a paragraph
    /// of six words or more that ends as a sentence, with more than a label
    /// outside its links ("Companies using it are <a>A</a>, <a>B</a> and
    /// <a>C</a>."). A paragraph that is one link, or a label and a link
    /// ("Read more: <a>...</a>"), is a teaser or a cross-reference; a
    /// heading that is a link is a teaser's headline.
    pub(super) fn is_linked_sentence(&self) -> bool {
        self.kind == BlockKind::Paragraph
            && self.cells == 0
            && self.chars - self.link_chars >= LINKED_SENTENCE_MIN_OWN_CHARS
            && self.is_language()
            && self
                .text
                .trim_end()
                .ends_with(['.', '!', '?', '"', '”', '؟', '。', '！', '？', '」', '』'])
            && has_words(&self.text, 6)
    }

    /// True for an item of a list the story makes: words outside links.
    pub(super) fn is_list_text(&self) -> bool {
        self.kind == BlockKind::ListItem
            && self.is_language()
            && self.link_chars * 2 < self.chars
            && has_words(&self.text, 2)
    }

    /// True for a line crediting the reporting ("Additional reporting by
    /// ...", "(Reporting by ...; Editing by ...)", "... contributed
    /// reporting from ...").
    pub(super) fn is_reporting_credit(&self) -> bool {
        self.chars <= REPORTING_CREDIT_MAX_CHARS
            && !self.is_link_list()
            && REPORTING_CREDIT.is_match(self.text.trim_start())
    }

    /// True for a heading that is a link (a teaser's headline).
    pub(super) fn is_linked_heading(&self) -> bool {
        self.kind == BlockKind::Heading && self.link_chars * 2 > self.chars
    }

    /// True for a notice that the page earns from the links it holds or was
    /// paid for (an affiliate or sponsorship disclosure).
    pub(super) fn is_disclosure(&self) -> bool {
        self.chars <= REPORTING_CREDIT_MAX_CHARS && DISCLOSURE.is_match(&self.text)
    }

    /// True when the text is mostly letters, as language is (binary junk,
    /// code and tables of figures are not).
    fn is_language(&self) -> bool {
        self.letters * 10 >= self.chars * 7
    }

    /// True for an entry of a table of contents: a link to a place on the
    /// page, whose heading the story has anyway.
    pub(super) fn is_contents_entry(&self) -> bool {
        self.anchor_chars * 2 > self.link_chars
    }

    /// True for data shown as text (a widget's JSON configuration).
    fn is_data(&self) -> bool {
        let t = self.text.trim_start();
        (t.starts_with('{') || t.starts_with('[')) && t.contains("\":")
    }

    /// True for a row of a table with two cells or more: a row of data,
    /// not a box a table layout puts the page in.
    pub(super) fn is_data_row(&self) -> bool {
        self.cells >= 2
    }

    /// True when the block is mostly link text.
    pub(super) fn is_link_list(&self) -> bool {
        self.link_chars * 10 > self.chars * 6
    }

    /// The cleaned block, or `None` when it is page furniture: a link
    /// (other than a list item), a label, a promotion, a credit.
    pub(super) fn to_block(&self) -> Option<Block> {
        // A list item that is a link is a list of the story's (sources,
        // products, chapters); other blocks that are links point elsewhere.
        // So is a row of figures whose name is a link (a table of companies,
        // schools or products and their figures).
        if self.is_link_list() {
            let listed = self.kind == BlockKind::ListItem
                || self.is_data_row() && self.link_chars < self.chars
                || self.is_linked_sentence();
            if !listed || self.is_contents_entry() || self.is_cross_reference() {
                return None;
            }
        }
        self.cleaned()
    }

    /// True for a one-word label that introduces what follows it, set as a
    /// paragraph of its own with a colon ("Pros:" and "Cons:" over a
    /// product's lists, "Ingredients:", "Advantages:") or wholly in bold, as
    /// a run-in heading is (`<p><strong>Features</strong></p>`). It is the
    /// story's structure, as a heading is, not a fragment of the page's
    /// furniture (a counter, a date), which has neither; `t` is its cleaned
    /// text. A label that is a link points elsewhere.
    fn is_lead_in_label(&self, t: &str) -> bool {
        self.link_chars == 0
            && self.is_language()
            && (t.ends_with(':') || self.strong_chars == self.chars)
    }

    /// True for a pointer to another page under a label that says so: "See
    /// also: <a>...</a>", "Don't miss: <a>...</a>", "Related: <a>...</a>"
    /// ([`CROSS_REFERENCE`]), a list item or a sentence though it may be.
    fn is_cross_reference(&self) -> bool {
        self.text
            .split_once([':', '：'])
            .is_some_and(|(label, _)| CROSS_REFERENCE.is_match(&text::clean(label)))
    }

    /// The text as a block holds it: `<br>`s as spaces, cleaned
    /// ([`text::clean`]). Made once: the article's choice reads the text of
    /// some blocks before they are cleaned.
    pub(super) fn clean_text(&self) -> &str {
        self.clean.get_or_init(|| match self.text.contains(BR) {
            true => text::clean(&self.text.replace(BR, " ")),
            false => text::clean(&self.text),
        })
    }

    /// The cleaned block, or `None` when it is page furniture: a label, a
    /// promotion, a credit, data. Links are not looked at.
    pub(super) fn cleaned(&self) -> Option<Block> {
        if self.is_data() {
            return None;
        }
        let t = self.clean_text();
        if t.is_empty()
            || FURNITURE.is_match(t)
            || CREDIT_LINE.is_match(t)
            || ends_with_picture_credit(t)
            || is_picture_credit(t)
            || TEMPLATE_TAGS.is_match(t)
        {
            return None;
        }
        if t.len() <= PROMO_MAX_CHARS
            && (PROMO.is_match(t) || is_sign_up_pitch(t) || is_inbox_pitch(t))
        {
            return None;
        }
        if is_reader_notice(t) || is_fine_print(t) {
            return None;
        }
        // Tiny fragments that are not headings are page furniture (counters,
        // dates); a one-word item of a list is the story's when it is a word
        // (an app, an ingredient), not a number (a page of a pager), and so
        // is a one-word label ([`RawBlock::is_lead_in_label`]).
        let listed_word = self.kind == BlockKind::ListItem && self.is_language();
        if self.kind != BlockKind::Heading
            && !listed_word
            && !self.is_lead_in_label(t)
            && !has_words(t, 2)
            && !t.ends_with(['.', '!', '?', '"', '”', '؟'])
            && !t.ends_with(CJK_SENTENCE_ENDS)
        {
            return None;
        }
        Some(Block {
            kind: self.kind,
            text: t.to_string(),
        })
    }
}

/// How a sentence of Chinese or Japanese ends: a full stop, an exclamation
/// or question mark, a colon (full width), or the closing quote marks after
/// one (「……。」).
const CJK_SENTENCE_ENDS: [char; 6] = ['。', '！', '？', '：', '」', '』'];

/// Characters outside links (non-white-space) a sentence told mostly in
/// links needs: more than a label before a link ("Read more:", "Related:").
const LINKED_SENTENCE_MIN_OWN_CHARS: u32 = 20;

/// Blocks shorter than this (non-space characters) are not running text.
const PROSE_MIN_CHARS: u32 = 60;

/// True when `text` has at least `n` words (counted no further).
pub(super) fn has_words(text: &str, n: usize) -> bool {
    text::word_count_up_to(text, n) >= n
}
