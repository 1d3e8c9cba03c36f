//! Main-content detection and block collection for article pages.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hasher};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use regex::{Regex, RegexSet};
use scraper::{ElementRef, Html, Node, Selector};

use super::{attr, attrs, is_inline, teaser, Marks};
use crate::document::{Block, BlockKind};
use crate::text;

/// Elements whose content is never article text (the `<h1>` headline is
/// metadata, compared on its own; a later `<h1>` after a sentence of the
/// story heads a section of it, see [`Walk::new`]).
const SKIP_TAGS: &[&str] = &[
    "h1",
    "script",
    "style",
    "noscript",
    "button",
    "figcaption",
    "iframe",
    "svg",
    "template",
    "select",
    "textarea",
    "input",
    "object",
    "embed",
    "video",
    "audio",
    "canvas",
    "picture",
    "img",
    "head",
    "title",
    "dialog",
    "footer",
];

/// Sectioning elements that hold page chrome (navigation, sidebars, page
/// header and footer, menus) on most pages, and the whole article on
/// some (a page builder's "header" section, a sidebar the parser left open).
const CHROME_TAGS: &[&str] = &["nav", "aside", "header", "menu"];

/// class/id words that always mark boilerplate that reads like prose:
/// comments, related and recommended stories, consent boxes, author bios.
const BOILERPLATE: &str = r"(?i)(^|[-_\s])(related|recommend|recommended|comments?|cookie|consent|most-?read|most-?popular|trending|outbrain|taboola|author-bio|more-stories)([-_\s]|$)";

/// class/id words that mark boilerplate (share bars, sign-up and consent
/// boxes, captions, breadcrumbs) but that some layouts also put on the
/// article's wrapper ("has-share-float", "share-container").
const FURNITURE_NAME: &str = r"(?i)(^|[-_\s])(share|sharing|newsletter|signup|sign-up|caption|credits?|byline|breadcrumbs?)([-_\s]|$)";

/// class/id words that usually mark boilerplate but also name layout
/// wrappers of the article ("content-with-sidebar", "paywall", "hidden-xs"),
/// among them a call to action ("mini-cta", "call-to-action": a line selling
/// the site's product and its buttons, set in the story's flow).
const SUSPECT: &str = r"(?i)(^|[-_\s])(cta|ctas|call-to-action|social|subscribe|subscription|promo|advert|advertisement|ads?|sponsor|sponsored|popular|tags|sidebar|menu|toolbar|paywall|modal|banner|disclaimer|sr-only|print-only|read-?more)([-_\s]|$)|(^|\s)(is-|visually-)?hidden([-_\s]|$)";

/// [`BOILERPLATE`], [`FURNITURE_NAME`] and [`SUSPECT`], in this order, all
/// matched in one pass over a class or id.
static NAMED: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new([BOILERPLATE, FURNITURE_NAME, SUSPECT]).expect("static regex"));

/// Whole-block texts that are page furniture, not article text: labels,
/// buttons and calls to action, loading placeholders, byline lines, the
/// links between posts ("Previous article", "مطلب بعدی") and their
/// counters ("2 comments", "Print this page"), a paywall's prompt to log in
/// ("Already have an account? Log in").
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(related( articles?| stories| content| posts?)?|(recent|latest) posts|(previous|next|older|newer) (post|article|story)|(vorheriger|nächster) (artikel|beitrag)|article (précédent|suivant)|artículo (anterior|siguiente)|(مطلب|نوشته|پست) (قبلی|بعدی)|المقال (السابق|التالي)|\d+ ?comments?|print( this)?( article| page| post)?|back to (top|blog)|read more|more news|advertisement|sponsored|share( this)?( on| post| story| page| article)?|follow us.*|sign up.*newsletter.*|subscribe.*|editor'?s picks?|most read|recommended|you (might|may) (also )?like|article continues below( advertisement)?|continue reading( below)?|loading( paragraph)?(\.\.\.|…)?|((already (have an account|a (subscriber|member))|have an account)\s*[?]\s*)?(log|sign) ?in( here)?|(vous avez déjà un compte\s*\?\s*)?(se connecter|connectez-vous)|(bereits (abonnent|registriert)\s*\?\s*)?(anmelden|einloggen)|(¿ya tienes (una )?cuenta\?\s*)?(inicia sesión|iniciar sesión)|(حساب کاربری دارید\s*[؟?]\s*)?وارد شوید|(لديك حساب( بالفعل)?\s*[؟?]\s*)?تسجيل الدخول|join ?/ ?sign in|sign in ?/ ?join|register|buy now|get started( for free| now| today)?|(written|reviewed|edited|fact[- ]checked) by [^.]{1,60}|join our [^.]{0,40}newsletter|get the free [^.]{1,30}|see packages?|view on [^.]{1,30})[:.!]?$")
        .expect("static regex")
});

/// Short blocks that sell or announce something rather than report:
/// sign-up calls, "click here", gallery counters, script notices.
static PROMO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(sign up|subscribe|click here|get (the|our) .{0,40}(newsletter|app)|image \d+ of|photo \d+ of|this (slideshow|video|content) requires javascript)|\b(sign up|subscribe|signing up)\b.{0,80}\b(newsletter|inbox|e-?mail)\b")
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

/// The title of a table of contents, in the languages the corpus and the
/// watchers read: "Table of contents", "On this page", "In this article",
/// "Contents [hide]", "Inhaltsverzeichnis", "Sommaire", "Índice", "目次",
/// "فهرست مطالب", "جدول المحتويات". Whole-block text; a toggle's label
/// ("hide", "show") may follow it.
static CONTENTS_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(table of contents|contents|on this page|in this (article|post|guide|page)|jump to( section)?|article contents|inhaltsverzeichnis|inhalt|in diesem artikel|sommaire|table des matières|dans cet article|índice|indice|tabla de contenidos?|contenidos?|en este artículo|sommario|in questo articolo|conteúdo|neste artigo|inhoudsopgave|inhoud|содержание|оглавление|spis treści|içindekiler|目次|目录|目錄|فهرست مطالب|فهرست محتوا|فهرست|در این مقاله|جدول المحتويات|المحتويات|محتويات المقال|في هذا المقال)\s*[:：]?\s*([\[(]?\s*(hide|show|toggle|ocultar|mostrar|masquer|afficher|ausblenden|einblenden|نمایش|پنهان|إخفاء|إظهار)\s*[\])]?)?$")
        .expect("static regex")
});

/// The title of a box after the story that is not part of it, matched at
/// the start of a block (the title alone, or the title and the box's text
/// in one line): a box about the author ("About the author", "About the
/// authors", "Über den Autor", "À propos de l'auteur", "Sobre el autor",
/// "درباره نویسنده", "عن الكاتب"), or a box asking the reader to rate the
/// page ("Was this page helpful?", "How useful was this post?", "War dieser
/// Artikel hilfreich?", "آیا این مطلب مفید بود؟", "هل كان هذا المقال مفيدا؟").
static BOX_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(about the (authors?|writers?|contributors?)|meet the author|über (den autor|die autorin)|zum autor|à propos de l'auteure?|sobre (el autor|la autora|o autor|a autora)|sull'autore|over de auteur|об авторе|yazar hakkında|درباره( ی|‌ی)? نویسنده|عن (الكاتب|المؤلف)|نبذة عن (الكاتب|المؤلف)|how (useful|helpful) was this (post|article|page|guide|content)|(was|is) this (article|page|post|information|guide|answer|content|story) (helpful|useful)|did you find this (article|page|post|information|guide|content) (helpful|useful)|rate this (post|article|page|story)|war (dieser artikel|diese seite) hilfreich|cet article (vous )?a-t-il été utile|¿(te|le) (ha )?(resultado|sido|parecido) útil|¿(fue|es) útil (este artículo|esta página|esta información)|questo articolo (ti )?è stato utile|este (artigo|conteúdo) (foi|é) útil|آیا این (مطلب|مقاله|صفحه|پست) (برای شما )?مفید بود|هل كان(ت)? هذ(ا|ه) (المقال|الصفحة|المحتوى|المعلومات) مفيد(ا|ًا|ة)?)\s*[:：?？؟!]?(\s|$)")
        .expect("static regex")
});

/// The label of a pointer to another page, before a colon: "See also",
/// "Related", "Read next", "Don't miss", "More on Iran", "Lesen Sie
/// auch", "À lire aussi", "Lee también", "بیشتر بخوانید", "اقرأ أيضا".
static CROSS_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(see also|related( (articles?|stories|posts?|reading|content|links?|guides?))?|read (also|next)|also read|don['’]?t miss|more on [^:]{1,40}|further reading|recommended( reading)?|you (might|may) (also )?like|lesen sie auch|mehr zum thema|à lire aussi|lire aussi|voir aussi|lee también|ver también|leia também|veja também|leggi anche|vedi anche|lees ook|читайте также|بیشتر بخوانید|بخوانید|مطالب مرتبط|مطلب مرتبط|اقرأ أيضا|اقرأ أيضاً|ذات صلة)$")
        .expect("static regex")
});

/// Blocks longer than this (non-space characters) are never taken for the
/// title of a table of contents.
const CONTENTS_TITLE_MAX_CHARS: u32 = 40;

/// Blocks longer than this (non-space characters) are never taken for
/// reporting credits.
const REPORTING_CREDIT_MAX_CHARS: u32 = 300;

/// Blocks longer than this (characters) are never taken for promotions.
const PROMO_MAX_CHARS: usize = 250;

/// An image credit closing a block, such as "(Photo by A. Person/Getty
/// Images)". Anchored at the end only, it is searched backwards from there,
/// not through the whole block.
static CLOSING_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\((photo|image|picture|credit)s?( by)?[^)]{0,80}\)\s*$").expect("static regex")
});

/// An image credit line such as "Photo: A. Person".
static CREDIT_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(photo|image|credit)s?:\s").expect("static regex"));

/// A line that credits a picture rather than says anything: "Photo credit:
/// ©iStock.com/A", "Photo by A. Person", "Illustration: A. Person",
/// "Courtesy of the brand", "Image used under license from Shutterstock",
/// "Getty Images / A. Person", "A. Person/Getty Images", "Foto: A", "عکس:
/// ...", "عکس از ...", "الصورة: ...". Whole-block text (see
/// [`is_picture_credit`]); a "Source:" or "Video:" line is not one (a
/// chart's source, a camera's specifications).
static PICTURE_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^((photo(graph)?s?\s+)?(photo(graph)?|picture|image|illustration|foto|bild|imagen|immagine)s?(\s+(credit|source)s?)?\s*[:：]\s*\S|(photo(graph)?|picture|image|illustration)s?\s+(credits?\b|courtesy\b|by\s+\S)|(photo\s+)?courtesy(\s+of\b|\s*[:：])|(image|photo|picture)s?\s+(used\s+)?under\s+licen[cs]e\b|(getty\s+images|shutterstock|istock(photo)?|unsplash|pexels|alamy|adobe\s+stock)\s*/|(عکس|تصویر|عکاس|منبع تصویر|الصورة|صورة|تصوير)\s*[:：]|(عکس|تصویر)\s+از\s)|^[^.!?]{1,60}/\s*(getty\s+images|shutterstock|istock(photo)?|unsplash|pexels|alamy|adobe\s+stock)$")
        .expect("static regex")
});

/// Blocks longer than this (characters) are never taken for a picture's
/// credit.
const PICTURE_CREDIT_MAX_CHARS: usize = 150;

/// True for a line that credits a picture ([`PICTURE_CREDIT`]): short, and
/// not a sentence, so that a sentence of the story opening "Courtesy of the
/// mayor's office, ..." stays.
fn is_picture_credit(t: &str) -> bool {
    t.len() <= PICTURE_CREDIT_MAX_CHARS
        && !t.ends_with(['.', '!', '?', '؟', '。'])
        && PICTURE_CREDIT.is_match(t)
}

/// The article blocks of a page: from `selector` when given, else from the
/// detected main content, checked against `declared`, the article text the
/// page declares in its JSON-LD `articleBody` (one paragraph a line), when it
/// has one. `byline`, the byline the page shows, names the story's authors,
/// whose cards are left out.
pub(super) fn blocks(
    dom: &Html,
    selector: Option<&str>,
    declared: Option<&str>,
    byline: Option<&str>,
) -> Vec<Block> {
    if let Some(s) = selector.and_then(|s| Selector::parse(s).ok()) {
        let mut out = Vec::new();
        for root in dom.select(&s) {
            let walk = Walk::new(root, Mode::Strict);
            let kept = walk.kept_blocks(0..walk.blocks.len());
            out.extend(kept.into_iter().filter_map(RawBlock::to_block));
        }
        return out;
    }
    let root = body(dom);
    let declared = declared.and_then(Declared::new);
    let authors = byline.map(author_names).unwrap_or_default();
    let strict = Walk::new(root, Mode::Strict);
    let found = strict.article(declared.as_ref(), &authors);
    if !strict.may_have_missed(&found) {
        return without_copies(found);
    }
    // The same tree again, with chrome, hidden and furniture-named elements
    // only suspect: the wider reading wins when most of it is new text, so a
    // page-builder <header> or a hidden React boundary holding the story is
    // read, while a hidden copy of the story or a chrome box beside it is not.
    let lenient = Walk::new(root, Mode::Lenient);
    let wider = lenient.article(declared.as_ref(), &authors);
    let found_shingles: HashSet<u64> = shingles(&joined(&found)).into_iter().collect();
    let novel = shingles(&joined(&wider))
        .into_iter()
        .filter(|s| !found_shingles.contains(s))
        .count();
    let best = if novel > found_shingles.len() {
        wider
    } else {
        found
    };
    // A page whose only sentences are in its chrome (a menu, a pop-up form)
    // is not silently empty: those sentences are what a reader can see.
    without_copies(if best.is_empty() {
        lenient.sentences()
    } else {
        best
    })
}

/// A second copy of the article (pages render it twice, for small and large
/// screens) starts over with one of its first this many blocks ...
const COPY_START: usize = 3;

/// ... and goes on repeating earlier blocks verbatim for at least this many
/// blocks in a row. Shorter repeats, or repeats that start elsewhere, are the
/// story's own (a credit under every photo, a plan that repeats its items).
const COPY_MIN_BLOCKS: usize = 3;

/// `blocks` without the second copies of the article in them.
fn without_copies(blocks: Vec<Block>) -> Vec<Block> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(blocks.len());
    let earlier: Vec<usize> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| *first.entry(b.text.as_str()).or_insert(i))
        .collect();
    let mut keep = vec![true; blocks.len()];
    let mut i = 0;
    while i < blocks.len() {
        let run = (i..blocks.len()).take_while(|&j| earlier[j] < j).count();
        if run >= COPY_MIN_BLOCKS && earlier[i] < COPY_START {
            keep[i..i + run].fill(false);
        }
        i += run.max(1);
    }
    let mut keep = keep.into_iter();
    blocks
        .into_iter()
        .filter(|_| keep.next().unwrap_or(true))
        .collect()
}

/// The text of `blocks`, one a line.
fn joined(blocks: &[Block]) -> String {
    let all: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    all.join("\n")
}

/// Words a declared article text needs to be judged by: shorter ones are
/// summaries.
const DECLARED_MIN_WORDS: usize = 40;

/// The share of the declared text's word 4-grams the extracted text must hold
/// for the two to agree.
const AGREEMENT: f32 = 0.8;

/// Below this share of the declared text, an extraction that is also much
/// shorter than it has missed the article.
const POOR: f32 = 0.5;

/// The share of a block's word 4-grams that must be in the declared text for
/// the block to belong to it.
const BLOCK_MATCH: f32 = 0.5;

/// The article text a page declares in its JSON-LD, as content detection
/// uses it: to confirm the detected container, to pick another one when the
/// detected one misses it, or in place of a failed detection.
struct Declared<'a> {
    text: &'a str,
    /// Its word 4-grams, hashed.
    shingles: HashSet<u64>,
    words: usize,
}

impl<'a> Declared<'a> {
    /// `None` when the text is too short to judge by or is a teaser cut off
    /// with an ellipsis.
    fn new(text: &'a str) -> Option<Declared<'a>> {
        let t = text.trim_end();
        let words = text::word_count(t);
        if words < DECLARED_MIN_WORDS || t.ends_with('…') || t.ends_with("...") {
            return None;
        }
        Some(Declared {
            text: t,
            shingles: shingles(t).into_iter().collect(),
            words,
        })
    }

    /// The share of the declared text's 4-grams that `blocks` hold (read
    /// as one text, as the declared one is).
    fn coverage(&self, blocks: &[Block]) -> f32 {
        let found: HashSet<u64> = shingles(&joined(blocks)).into_iter().collect();
        let held = self.shingles.iter().filter(|s| found.contains(s)).count();
        held as f32 / self.shingles.len().max(1) as f32
    }

    /// True when most of `text` is in the declared text; `None` for a text
    /// too short to tell (under four words).
    fn holds(&self, text: &str) -> Option<bool> {
        let own = shingles(text);
        if own.len() < 2 && text::word_count(text) < 4 {
            return None;
        }
        let held = own.iter().filter(|s| self.shingles.contains(s)).count();
        Some(held as f32 >= BLOCK_MATCH * own.len() as f32)
    }

    /// The declared text as paragraph blocks, one a line.
    fn blocks(&self) -> Vec<Block> {
        self.text
            .lines()
            .map(text::clean)
            .filter(|t| !t.is_empty())
            .map(|text| Block {
                kind: BlockKind::Paragraph,
                text,
            })
            .collect()
    }
}

/// The hashed word 4-grams of a text (lower-cased), or its one hashed
/// word sequence when it has fewer than four words. Words are those
/// comparison diffs ([`text::diff_words`]): in Chinese or Japanese a
/// character, so that a short paragraph has 4-grams of its own.
fn shingles(text: &str) -> Vec<u64> {
    let words: Vec<u64> = text::diff_words(text)
        .map(|w| {
            let mut h = DefaultHasher::new();
            for c in w.chars().flat_map(char::to_lowercase) {
                h.write_u32(u32::from(c));
            }
            h.finish()
        })
        .collect();
    let combine = |ws: &[u64]| {
        ws.iter().fold(0u64, |acc, w| {
            acc.rotate_left(17) ^ w.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
    };
    if words.len() < 4 {
        return if words.is_empty() {
            Vec::new()
        } else {
            vec![combine(&words)]
        };
    }
    words.windows(4).map(combine).collect()
}

/// The `<body>`, or the root element of a page without one.
fn body(dom: &Html) -> ElementRef<'_> {
    let html = dom.root_element();
    html.children()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "body")
        .unwrap_or(html)
}

/// How an element's own markup classifies it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Markup {
    /// Never article text (scripts, dialogs, page footers, comments, related
    /// links): skipped.
    Excluded,
    /// Chrome on most pages and the article's wrapper on some: navigation,
    /// sidebars, headers, hidden elements (a streamed React boundary stays
    /// hidden until a script moves it in), furniture names ("share",
    /// "newsletter"). Skipped by the strict pass, suspect in the lenient one.
    Chrome,
    /// A module of teasers of other pages under a title that says so
    /// ("Related articles", "Latest news"): skipped by the strict pass, and
    /// not counted as text it may have missed (teasers' summaries are no
    /// story, however long); suspect in the lenient one.
    Teasers,
    /// Named like boilerplate ("sidebar", "promo", ...) or a form (some
    /// sites wrap the whole page in one): dropped unless it turns out to hold
    /// mostly prose, since layouts name article wrappers
    /// "content-with-sidebar" or "paywall" too.
    Suspect,
    /// Nothing special.
    Plain,
}

/// How a pass over the page treats [`Markup::Chrome`] elements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Skipped: the precise pass.
    Strict,
    /// Suspect, kept when they hold mostly prose: the pass that finds an
    /// article the page wraps in chrome, hides, or names like furniture.
    Lenient,
}

fn markup(e: ElementRef<'_>) -> Markup {
    let v = e.value();
    let name = v.name();
    if SKIP_TAGS.contains(&name) && !(name == "button" && is_disclosure_control(v)) {
        return Markup::Excluded;
    }
    let marks = Marks::of(v);
    match marks.role {
        Some("dialog" | "alertdialog" | "contentinfo") => return Markup::Excluded,
        Some("navigation" | "complementary" | "banner") => return Markup::Chrome,
        _ => {}
    }
    if teaser::is_consent_box(e) || teaser::is_card_box(e) {
        return Markup::Excluded;
    }
    if teaser::is_recirculation(e) {
        return Markup::Teasers;
    }
    // A box that declares itself the work's author (`itemprop="author"`) is
    // the author's card (name, photo, job, bio), not story text: chrome, so a
    // page that is all author card (a profile) is still read.
    if marks
        .itemprop
        .is_some_and(|p| p.split_ascii_whitespace().any(|t| t == "author"))
    {
        return Markup::Chrome;
    }
    // An <aside> set between the story's paragraphs is a callout of the
    // story (a tip, a pull-out box): suspect, kept when it holds mostly
    // prose, where an aside elsewhere is a sidebar.
    let callout = name == "aside" && is_in_running_text(e);
    let plain = if callout {
        Markup::Suspect
    } else {
        Markup::Plain
    };
    if CHROME_TAGS.contains(&name) && !callout && !is_section_title(e)
        || marks.hidden
        || marks.aria_hidden
        || marks
            .style
            .is_some_and(|s| s.contains("display:none") || s.contains("display: none"))
    {
        return Markup::Chrome;
    }
    if name == "form" {
        return Markup::Suspect;
    }
    let class = class_names(marks.class.unwrap_or(""));
    let class = class.as_ref();
    let id = marks.id.unwrap_or("");
    if matches!(name, "html" | "body") {
        return Markup::Plain;
    }
    if class.is_empty() && id.is_empty() {
        return plain;
    }
    // Never drop the container that says it is the article body.
    if marks.itemprop == Some("articleBody") {
        return Markup::Plain;
    }
    let mut named = [false; 3];
    if !class.is_empty() {
        NAMED.matches(class).iter().for_each(|i| named[i] = true);
    }
    if !id.is_empty() {
        let by_id = NAMED.matches(id);
        if by_id.matched_any()
            && !(block_kind(name) == Some(BlockKind::Heading) && is_text_anchor(e, id))
        {
            by_id.iter().for_each(|i| named[i] = true);
        }
    }
    let [boilerplate, furniture, suspect] = named;
    if matches!(name, "article" | "main") && (boilerplate || furniture) {
        Markup::Suspect
    } else if boilerplate {
        Markup::Excluded
    } else if furniture {
        Markup::Chrome
    } else if suspect {
        Markup::Suspect
    } else {
        plain
    }
}

/// True for a control that shows and hides a panel of the page
/// (`aria-expanded`, `aria-controls`): the button of an accordion, whose
/// label is the visible title of what it opens (an FAQ's question).
fn is_disclosure_control(el: &scraper::node::Element) -> bool {
    attrs(el).any(|(n, _)| matches!(n, "aria-expanded" | "aria-controls"))
}

/// True for a link that is a disclosure control, not a link: one that says
/// so (`role="button"`, [`is_disclosure_control`]).
fn is_control_link(a: &scraper::node::Element) -> bool {
    attrs(a).any(|(n, v)| {
        matches!(n, "aria-expanded" | "aria-controls") || n == "role" && v == "button"
    })
}

/// Words an `id` needs to be taken for an anchor made of the element's
/// text ([`is_text_anchor`]).
const ANCHOR_MIN_WORDS: usize = 3;

/// How far into an element's text the words of an anchor `id` are looked
/// for (characters).
const ANCHOR_TEXT_CHARS: usize = 300;

/// True when `id` is an anchor made of the element's own words, as editors
/// and CMSs give headings so that a table of contents can link to them
/// (`<h3 id="the-child-tax-credit">The child tax credit</h3>`, `<h2
/// id="h-how-social-media-changed-news">`): such an id says what the
/// heading is about, not what the element is, so a "credit", "social" or
/// "related" in it names no furniture. Its words (of two letters or more,
/// at least [`ANCHOR_MIN_WORDS`]) must all be words of the start of the
/// element's text.
fn is_text_anchor(e: ElementRef<'_>, id: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.chars()
            .filter(|c| !matches!(c, '\'' | '’' | '\u{200c}'))
            .collect::<String>()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_lowercase)
            .collect()
    };
    let id_words = words(id);
    if id_words.len() < ANCHOR_MIN_WORDS {
        return false;
    }
    let mut start = String::new();
    for t in e.text() {
        start.push_str(t);
        start.push(' ');
        if start.len() >= ANCHOR_TEXT_CHARS {
            break;
        }
    }
    let text_words: HashSet<String> = words(&start).into_iter().collect();
    id_words.iter().all(|w| text_words.contains(w))
}

/// True for a `<header>` that is the title of a section: all its text is in
/// headings below the page's headline (`<h2>`–`<h6>`), as in `<section>
/// <header><h2>Step 2: ...</h2></header><p>...`. A page's banner has its
/// name, links and menus outside headings, and an article's header its
/// `<h1>`, kicker, byline and date.
fn is_section_title(e: ElementRef<'_>) -> bool {
    if e.value().name() != "header" {
        return false;
    }
    let is_heading = |n: ego_tree::NodeRef<'_, Node>| matches!(n.value(), Node::Element(el) if matches!(el.name(), "h2" | "h3" | "h4" | "h5" | "h6"));
    let mut in_headings = 0u32;
    for d in e.descendants() {
        match d.value() {
            Node::Element(el) if el.name() == "h1" => return false,
            Node::Text(t) => {
                let n = text::reading_chars(t);
                if n == 0 {
                    continue;
                }
                if !d
                    .ancestors()
                    .take_while(|a| a.id() != e.id())
                    .any(is_heading)
                {
                    return false;
                }
                in_headings += n;
            }
            _ => {}
        }
    }
    in_headings > 0
}

/// True for an element that sits in running text: a paragraph just before
/// it, and a paragraph or a heading just after it.
fn is_in_running_text(e: ElementRef<'_>) -> bool {
    let before = e.prev_siblings().find_map(ElementRef::wrap);
    let after = e.next_siblings().find_map(ElementRef::wrap);
    before.is_some_and(|b| b.value().name() == "p")
        && after.is_some_and(|a| matches!(a.value().name(), "p" | "h2" | "h3" | "h4" | "h5" | "h6"))
}

/// Class tokens past this many are not read: real names come first, and
/// some pages put whole style sheets in a class attribute.
const MAX_CLASS_TOKENS: usize = 16;

/// The class names of a `class` attribute that name what an element is:
/// utility classes with variants or arbitrary values (`md:hidden`,
/// `[--sidebar-width:18rem]`, `w-1/2`) say how it looks, and are left out.
fn class_names(class: &str) -> std::borrow::Cow<'_, str> {
    let is_utility = |t: &str| t.contains([':', '[', '/', '(', '*', '=']);
    if class.len() <= 120 && !is_utility(class) {
        return std::borrow::Cow::Borrowed(class);
    }
    let kept: Vec<&str> = class
        .split_whitespace()
        .take(MAX_CLASS_TOKENS)
        .filter(|t| !is_utility(t))
        .collect();
    std::borrow::Cow::Owned(kept.join(" "))
}

/// class words of the `<blockquote>` an embedded social-media post is
/// published as (X/Twitter, Instagram, TikTok, Threads, Bluesky, Mastodon,
/// Reddit): the post is part of the story, which quotes it.
static EMBEDDED_POST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|\s)(twitter-tweet|twitter-video|instagram-media|tiktok-embed|text-post-media|bluesky-embed|mastodon-embed|reddit-embed-bq)(\s|$)")
        .expect("static regex")
});

/// True for a link to a place on the page itself (`href="#..."`).
fn is_anchor(a: &scraper::node::Element) -> bool {
    attr(a, "href").is_some_and(|h| h.starts_with('#'))
}

/// True for the `<blockquote>` of an embedded social-media post.
fn is_embedded_post(e: ElementRef<'_>) -> bool {
    e.value().name() == "blockquote"
        && attr(e.value(), "class").is_some_and(|c| EMBEDDED_POST.is_match(c))
}

fn block_kind(name: &str) -> Option<BlockKind> {
    Some(match name {
        "p" | "pre" | "dd" | "tr" => BlockKind::Paragraph,
        "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "blockquote" => BlockKind::Quote,
        "li" => BlockKind::ListItem,
        _ => return None,
    })
}

/// True for elements that break text into separate blocks.
fn is_block_level(name: &str) -> bool {
    block_kind(name).is_some()
        || matches!(
            name,
            "div"
                | "section"
                | "article"
                | "main"
                | "ul"
                | "ol"
                | "table"
                | "tbody"
                | "thead"
                | "h1"
                | "dl"
                | "dt"
                | "center"
                | "body"
                | "html"
                | "address"
                | "details"
                | "summary"
                | "fieldset"
                | "hr"
        )
}

/// Marks a `<br>` in raw block text; two in a row split the block.
const BR: char = '\u{1}';

/// A block of text as found in the page, before cleaning.
struct RawBlock {
    kind: BlockKind,
    /// The cells of the table row it is (0 for other blocks).
    cells: u32,
    text: String,
    /// Non-white-space characters.
    chars: u32,
    /// Non-white-space characters inside links.
    link_chars: u32,
    /// Non-white-space characters inside links to the page itself.
    anchor_chars: u32,
    /// Letters (the rest is digits, punctuation and symbols).
    letters: u32,
    /// Its place among the blocks of the walk.
    index: usize,
    /// It is mostly the label of a disclosure control
    /// ([`is_disclosure_control`]).
    control: bool,
    /// The panel a control in it opens is hidden.
    closed_panel: bool,
}

impl RawBlock {
    /// True for running text: enough text outside links, not mostly links.
    fn is_prose(&self) -> bool {
        self.is_language()
            && self.kind != BlockKind::Heading
            && self.chars - self.link_chars >= PROSE_MIN_CHARS
            && self.link_chars * 10 < self.chars * 8
    }

    /// True for a block that reads like a sentence of the story: prose, or a
    /// short sentence (a question, a one-line paragraph, a sentence that
    /// introduces a list with a colon) mostly outside links.
    fn is_story_text(&self) -> bool {
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
    fn is_closing_line(&self) -> bool {
        self.kind == BlockKind::Paragraph
            && self.cells == 0
            && self.link_chars == 0
            && self.is_language()
            && (has_words(&self.text, 6) || self.text.trim_end().ends_with(['!', ',']))
    }

    /// True for a sentence of the story told mostly in links: a paragraph
    /// of six words or more that ends as a sentence, with more than a label
    /// outside its links ("Companies using it are <a>A</a>, <a>B</a> and
    /// <a>C</a>."). A paragraph that is one link, or a label and a link
    /// ("Read more: <a>...</a>"), is a teaser or a cross-reference; a
    /// heading that is a link is a teaser's headline.
    fn is_linked_sentence(&self) -> bool {
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
    fn is_list_text(&self) -> bool {
        self.kind == BlockKind::ListItem
            && self.is_language()
            && self.link_chars * 2 < self.chars
            && has_words(&self.text, 2)
    }

    /// True for a line crediting the reporting ("Additional reporting by
    /// ...", "(Reporting by ...; Editing by ...)", "... contributed
    /// reporting from ...").
    fn is_reporting_credit(&self) -> bool {
        self.chars <= REPORTING_CREDIT_MAX_CHARS
            && !self.is_link_list()
            && REPORTING_CREDIT.is_match(self.text.trim_start())
    }

    /// True for a heading that is a link (a teaser's headline).
    fn is_linked_heading(&self) -> bool {
        self.kind == BlockKind::Heading && self.link_chars * 2 > self.chars
    }

    /// True for a notice that the page earns from the links it holds or was
    /// paid for (an affiliate or sponsorship disclosure).
    fn is_disclosure(&self) -> bool {
        self.chars <= REPORTING_CREDIT_MAX_CHARS && DISCLOSURE.is_match(&self.text)
    }

    /// True when the text is mostly letters, as language is (binary junk,
    /// code and tables of figures are not).
    fn is_language(&self) -> bool {
        self.letters * 10 >= self.chars * 7
    }

    /// True for an entry of a table of contents: a link to a place on the
    /// page, whose heading the story has anyway.
    fn is_contents_entry(&self) -> bool {
        self.anchor_chars * 2 > self.link_chars
    }

    /// True for data shown as text (a widget's JSON configuration).
    fn is_data(&self) -> bool {
        let t = self.text.trim_start();
        (t.starts_with('{') || t.starts_with('[')) && t.contains("\":")
    }

    /// True for a row of a table with two cells or more: a row of data,
    /// not a box a table layout puts the page in.
    fn is_data_row(&self) -> bool {
        self.cells >= 2
    }

    /// True when the block is mostly link text.
    fn is_link_list(&self) -> bool {
        self.link_chars * 10 > self.chars * 6
    }

    /// The cleaned block, or `None` when it is page furniture: a link
    /// (other than a list item), a label, a promotion, a credit.
    fn to_block(&self) -> Option<Block> {
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

    /// True for a pointer to another page under a label that says so: "See
    /// also: <a>...</a>", "Don't miss: <a>...</a>", "Related: <a>...</a>"
    /// ([`CROSS_REFERENCE`]), a list item or a sentence though it may be.
    fn is_cross_reference(&self) -> bool {
        self.text
            .split_once([':', '：'])
            .is_some_and(|(label, _)| CROSS_REFERENCE.is_match(&text::clean(label)))
    }

    /// The cleaned block, or `None` when it is page furniture: a label, a
    /// promotion, a credit, data. Links are not looked at.
    fn cleaned(&self) -> Option<Block> {
        if self.is_data() {
            return None;
        }
        let t = match self.text.contains(BR) {
            true => text::clean(&self.text.replace(BR, " ")),
            false => text::clean(&self.text),
        };
        if t.is_empty()
            || FURNITURE.is_match(&t)
            || CREDIT_LINE.is_match(&t)
            || CLOSING_CREDIT.is_match(&t)
            || is_picture_credit(&t)
        {
            return None;
        }
        if t.len() <= PROMO_MAX_CHARS && PROMO.is_match(&t) {
            return None;
        }
        // Tiny fragments that are not headings are page furniture (counters,
        // dates); a one-word item of a list is the story's when it is a word
        // (an app, an ingredient), not a number (a page of a pager).
        let listed_word = self.kind == BlockKind::ListItem && self.is_language();
        if self.kind != BlockKind::Heading
            && !listed_word
            && !has_words(&t, 2)
            && !t.ends_with(['.', '!', '?', '"', '”', '؟'])
            && !t.ends_with(CJK_SENTENCE_ENDS)
        {
            return None;
        }
        Some(Block {
            kind: self.kind,
            text: t,
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

/// How much a character of non-prose text costs a candidate container,
/// relative to what a character of prose earns it.
const NOISE_WEIGHT: f32 = 0.3;

/// A block-level element of the page, a candidate article container.
struct Container {
    /// The blocks inside it: `first_block..end_block` of [`Walk::blocks`].
    first_block: usize,
    end_block: usize,
    /// Characters of prose inside it.
    prose: f32,
    /// Characters of prose in its own text and its own paragraphs (its
    /// children that are blocks of text), not in wrapped boxes.
    own_prose: f32,
    /// Characters of link text inside it (navigation, teasers, tag lists):
    /// what makes a container look like page chrome.
    noise: f32,
    /// Characters of the rest of its text (headings, table cells, short
    /// list items, labels): neither prose nor chrome.
    other: f32,
    /// Its markup names it like boilerplate.
    suspect: bool,
    /// Its markup declares it the article body (`itemprop="articleBody"`).
    declared: bool,
    /// It is an `<article>` element.
    is_article: bool,
    /// Its element name and the class names that are not instance ids
    /// ([`layout_signature`]), hashed; 0 for an element without classes.
    signature: u64,
    /// It is a block of text itself (a paragraph, list item, heading ...).
    is_text: bool,
    /// It holds an embedded social-media post ([`is_embedded_post`]).
    embeds: bool,
    /// It holds an image (`<img>`, `<picture>`, `<video>`).
    images: bool,
    /// It was dropped as boilerplate, with everything inside.
    dropped: bool,
    /// The containers inside it: `index + 1..end_container`.
    end_container: usize,
}

/// The share of a container's prose that one child must hold to be the
/// article instead of it.
const MAIN_CHILD_SHARE: f32 = 0.7;

/// The share of a container's prose in its own paragraphs past which it is
/// the article's flow, not a wrapper to narrow down from.
const OWN_PROSE_SHARE: f32 = 0.1;

/// The share of a container's prose that its largest `<article>` must hold
/// to be the article instead of it.
const MAIN_ARTICLE_SHARE: f32 = 0.5;

/// Prose (characters) a suspect container needs to be kept.
const SUSPECT_MIN_PROSE: f32 = 150.0;

/// One pass over a subtree: its text blocks in document order and every
/// block-level element with the prose and noise it holds.
struct Walk {
    blocks: Vec<RawBlock>,
    containers: Vec<Container>,
    /// Block ranges of dropped suspect containers (nested ones included).
    dropped: Vec<std::ops::Range<usize>>,
    /// Non-white-space characters of text outside links in skipped
    /// [`Markup::Chrome`] subtrees.
    skipped_chrome: u32,
}

impl Walk {
    /// Walks `root` iteratively (deeply nested pages must not overflow the
    /// stack), skipping boilerplate subtrees.
    fn new(root: ElementRef<'_>, mode: Mode) -> Walk {
        let mut walk = Walk {
            blocks: Vec::new(),
            containers: Vec::new(),
            dropped: Vec::new(),
            skipped_chrome: 0,
        };
        // Open containers: (index in `containers`, block being built).
        let mut open: Vec<(usize, Pending)> = vec![(
            walk.open_container(false, false, false, false),
            Pending::new(BlockKind::Paragraph),
        )];
        // The nodes of the open containers but the root, innermost last.
        let mut containers_open: Vec<NodeId> = Vec::new();
        // Text buffers of closed containers (empty), for the next ones.
        let mut spare_texts: Vec<String> = Vec::new();
        let mut skip_until: Option<NodeId> = None;
        // The skipped subtree is chrome (its text may be the article).
        let mut skip_chrome = false;
        let mut in_link = 0usize;
        // Open links to a place on the page itself (`href="#..."`).
        let mut in_anchor = 0usize;
        // Open `<span>`s, innermost last, each with where the pending text
        // stood when it opened ([`Card`]).
        let mut spans: Vec<Card> = Vec::new();
        // Open disclosure controls ([`is_disclosure_control`]).
        let mut in_control = 0usize;
        // A control closed and no text read since: a hidden box met now is
        // the panel it opens, closed.
        let mut after_control = false;
        // `<h1>`s met so far: the first is the headline (metadata, compared
        // on its own); a later one met after a sentence of story text heads
        // a section of the story (blogs and documentation set section titles
        // as `<h1>`s too), and is read as a heading.
        let mut h1s = 0usize;
        // Whether a block of story text was read, looked for up to
        // `story_checked` blocks (once per block, however many `<h1>`s).
        let (mut story_begun, mut story_checked) = (false, 0usize);
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skip_until.is_some() {
                        match node.value() {
                            Node::Text(t) if skip_chrome && in_link == 0 => {
                                walk.skipped_chrome += text::reading_chars(t);
                            }
                            Node::Element(el) if el.name() == "a" => in_link += 1,
                            _ => {}
                        }
                        continue;
                    }
                    match node.value() {
                        Node::Text(t) => {
                            let top = &mut open.last_mut().expect("never empty").1;
                            top.text.push_str(t);
                            after_control &= t.trim().is_empty();
                            if in_control > 0 {
                                top.control_chars += text::reading_chars(t);
                            }
                            if in_link > 0 {
                                let n = text::reading_chars(t);
                                top.link_chars += n;
                                if in_anchor > 0 {
                                    top.anchor_chars += n;
                                }
                            }
                        }
                        Node::Element(el) => {
                            if node.id() == root.id() {
                                continue;
                            }
                            let name = el.name();
                            if is_inline(name) {
                                if name == "a" && is_control_link(el) {
                                    in_control += 1;
                                } else if name == "a" {
                                    in_link += 1;
                                    in_anchor += usize::from(is_anchor(el));
                                } else if name == "span" {
                                    let (c, top) = open.last().expect("never empty");
                                    spans.push(Card::open(node.id(), *c, top));
                                }
                                continue;
                            }
                            if matches!(name, "td" | "th") {
                                open.last_mut().expect("never empty").1.cells += 1;
                            }
                            if matches!(name, "img" | "picture" | "video") {
                                let top = open.last().expect("never empty").0;
                                walk.containers[top].images = true;
                                if let Some(card) = spans.last_mut() {
                                    card.image = true;
                                }
                            }
                            let Some(er) = ElementRef::wrap(node) else {
                                continue;
                            };
                            let section_h1 = name == "h1" && {
                                h1s += 1;
                                if !story_begun {
                                    story_begun = walk.blocks[story_checked..]
                                        .iter()
                                        .any(RawBlock::is_story_text);
                                    story_checked = walk.blocks.len();
                                }
                                h1s > 1 && story_begun
                            };
                            let markup = match (markup(er), mode) {
                                (Markup::Excluded, _) if section_h1 => Markup::Plain,
                                (Markup::Chrome, Mode::Strict) => {
                                    if after_control {
                                        walk.close_panel(
                                            &mut open.last_mut().expect("never empty").1,
                                        );
                                    }
                                    skip_until = Some(node.id());
                                    skip_chrome = true;
                                    continue;
                                }
                                (Markup::Chrome | Markup::Teasers, Mode::Lenient) => {
                                    Markup::Suspect
                                }
                                (Markup::Excluded, _) | (Markup::Teasers, Mode::Strict) => {
                                    skip_until = Some(node.id());
                                    skip_chrome = false;
                                    continue;
                                }
                                (m, _) => m,
                            };
                            if name == "button" {
                                in_control += 1;
                            }
                            if name == "br" {
                                open.last_mut().expect("never empty").1.text.push(BR);
                            } else if is_block_level(name)
                                || section_h1
                                || markup == Markup::Suspect
                            {
                                let (idx, top) = open.last_mut().expect("never empty");
                                let idx = *idx;
                                walk.flush(idx, top);
                                // A paragraph of a list item is the item.
                                let kind = match block_kind(name)
                                    .or(section_h1.then_some(BlockKind::Heading))
                                {
                                    Some(BlockKind::Paragraph) | None
                                        if top.kind == BlockKind::ListItem =>
                                    {
                                        BlockKind::ListItem
                                    }
                                    k => k.unwrap_or(BlockKind::Paragraph),
                                };
                                let declared = attr(el, "itemprop") == Some("articleBody");
                                if is_embedded_post(er) {
                                    for &(c, _) in &open {
                                        walk.containers[c].embeds = true;
                                    }
                                }
                                let c = walk.open_container(
                                    markup == Markup::Suspect,
                                    declared,
                                    name == "article",
                                    block_kind(name).is_some() || section_h1,
                                );
                                walk.containers[c].signature = layout_signature(el);
                                let text = spare_texts.pop().unwrap_or_default();
                                open.push((
                                    c,
                                    Pending {
                                        text,
                                        ..Pending::new(kind)
                                    },
                                ));
                                containers_open.push(node.id());
                            }
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(id) = skip_until {
                        if id == node.id() {
                            skip_until = None;
                        } else if let Node::Element(el) = node.value() {
                            if el.name() == "a" {
                                in_link = in_link.saturating_sub(1);
                            }
                        }
                        continue;
                    }
                    let Node::Element(el) = node.value() else {
                        continue;
                    };
                    let name = el.name();
                    if name == "button" {
                        in_control = in_control.saturating_sub(1);
                        after_control = true;
                    }
                    if is_inline(name) {
                        if name == "a" && is_control_link(el) {
                            in_control = in_control.saturating_sub(1);
                            after_control = true;
                        } else if name == "a" {
                            in_link = in_link.saturating_sub(1);
                            in_anchor = in_anchor.saturating_sub(usize::from(is_anchor(el)));
                        } else if name == "span"
                            && spans.last().is_some_and(|c| c.node == node.id())
                        {
                            let card = spans.pop().expect("checked");
                            let (c, top) = open.last_mut().expect("never empty");
                            card.close(*c, top);
                        }
                    } else if containers_open.last() == Some(&node.id()) {
                        containers_open.pop();
                        let (idx, mut done) = open.pop().expect("one per open container");
                        walk.close_container(
                            idx,
                            &mut done,
                            open.last().expect("checked length").0,
                        );
                        spare_texts.push(done.text);
                    } else {
                        open.last_mut().expect("never empty").1.text.push(' ');
                    }
                }
            }
        }
        while let Some((idx, mut p)) = open.pop() {
            match open.last() {
                Some(&(parent, _)) => walk.close_container(idx, &mut p, parent),
                None => {
                    walk.flush(idx, &mut p);
                    walk.containers[idx].end_block = walk.blocks.len();
                    walk.containers[idx].end_container = walk.containers.len();
                }
            }
        }
        walk
    }

    fn open_container(
        &mut self,
        suspect: bool,
        declared: bool,
        is_article: bool,
        is_text: bool,
    ) -> usize {
        self.containers.push(Container {
            first_block: self.blocks.len(),
            end_block: self.blocks.len(),
            prose: 0.0,
            own_prose: 0.0,
            noise: 0.0,
            other: 0.0,
            suspect,
            declared,
            is_article,
            signature: 0,
            is_text,
            embeds: false,
            images: false,
            dropped: false,
            end_container: 0,
        });
        self.containers.len() - 1
    }

    /// Flushes the container's last block and adds its totals to its parent;
    /// a suspect container that does not hold mostly prose is dropped, unless
    /// it holds an embedded post (sites wrap those in "social-embed" boxes).
    fn close_container(&mut self, idx: usize, pending: &mut Pending, parent: usize) {
        self.flush(idx, pending);
        let end = self.blocks.len();
        let end_container = self.containers.len();
        let c = &mut self.containers[idx];
        c.end_block = end;
        c.end_container = end_container;
        let (prose, noise, other, is_text, images) =
            (c.prose, c.noise, c.other, c.is_text, c.images);
        if c.suspect && !c.embeds && !(prose >= SUSPECT_MIN_PROSE && prose > noise) {
            c.dropped = true;
            self.dropped.push(c.first_block..end);
            return;
        }
        let p = &mut self.containers[parent];
        p.prose += prose;
        p.noise += noise;
        p.other += other;
        p.images |= images;
        if is_text {
            p.own_prose += prose;
        }
    }

    /// Turns the pending text of container `idx` into blocks (two `<br>` in a
    /// row split paragraphs) and scores them.
    fn flush(&mut self, idx: usize, p: &mut Pending) {
        if p.text.is_empty() {
            return;
        }
        if p.text.contains(BR) {
            let parts = split_double_br(&p.text);
            let single = parts.len() == 1;
            for part in parts {
                self.add_block(idx, p, part, single);
            }
        } else {
            self.add_block(idx, p, &p.text, true);
        }
        p.text.clear();
        p.link_chars = 0;
        p.anchor_chars = 0;
        p.control_chars = 0;
        p.closed_panel = false;
    }

    /// Adds `part` of the pending text `p` of container `idx` (all of it
    /// when `whole`) as a block, and scores it.
    fn add_block(&mut self, idx: usize, p: &Pending, part: &str, whole: bool) {
        let (chars, letters) = char_counts(part);
        if chars == 0 {
            return;
        }
        let mut block = RawBlock {
            kind: p.kind,
            cells: p.cells,
            text: part.to_string(),
            chars,
            letters,
            index: self.blocks.len(),
            // Link text cannot be attributed to split parts: assume none.
            link_chars: if whole { p.link_chars.min(chars) } else { 0 },
            anchor_chars: if whole { p.anchor_chars.min(chars) } else { 0 },
            control: whole && p.control_chars * 2 > chars,
            closed_panel: p.closed_panel,
        };
        self.join_drop_cap(&mut block);
        let c = &mut self.containers[idx];
        if block.is_prose() {
            // List items are as often teasers as article text.
            let weight = if block.kind == BlockKind::ListItem {
                0.5
            } else {
                1.0
            };
            c.prose += weight * (block.chars - block.link_chars) as f32;
            c.own_prose += weight * (block.chars - block.link_chars) as f32;
            c.noise += block.link_chars as f32;
        } else {
            c.noise += block.link_chars as f32;
            c.other += (block.chars - block.link_chars) as f32;
        }
        self.blocks.push(block);
    }

    /// Marks the label of the control just read, `p` or the last block when
    /// `p` holds no text, as opening a hidden panel.
    fn close_panel(&mut self, p: &mut Pending) {
        if p.control_chars > 0 {
            p.closed_panel = true;
        } else if let Some(b) = self.blocks.last_mut() {
            b.closed_panel = true;
        }
    }

    /// Moves a drop cap into `block`: a letter that a layout sets in a block
    /// of its own just before the rest of its word ("D", "uring the war").
    /// The letter's block is left empty.
    fn join_drop_cap(&mut self, block: &mut RawBlock) {
        if !block.text.trim_start().starts_with(char::is_lowercase) {
            return;
        }
        let Some(prev) = self.blocks.last_mut() else {
            return;
        };
        if prev.chars != 1 || prev.letters != 1 {
            return;
        }
        block.text = format!("{}{}", prev.text.trim(), block.text.trim_start());
        block.chars += 1;
        block.letters += 1;
        prev.text.clear();
        prev.chars = 0;
        prev.letters = 0;
        prev.link_chars = 0;
        prev.anchor_chars = 0;
    }

    /// True when `found` may have missed the article: the text outside
    /// links skipped as chrome outweighs it.
    fn may_have_missed(&self, found: &[Block]) -> bool {
        let mut chars = 0;
        for b in found {
            if chars >= self.skipped_chrome {
                return false;
            }
            chars += text::reading_chars(&b.text);
        }
        self.skipped_chrome > chars
    }

    /// The article: the detected one ([`Walk::detected`]) when it agrees
    /// with the text the page declares; else the container that holds the
    /// declared text, when one does; else the declared text itself, when the
    /// detection found little of it and much less text than it has.
    fn article(&self, declared: Option<&Declared<'_>>, authors: &[&str]) -> Vec<Block> {
        let detected = self.detected(authors);
        let Some(declared) = declared else {
            return detected;
        };
        let coverage = declared.coverage(&detected);
        if coverage >= AGREEMENT {
            return detected;
        }
        if let Some(held) = self.declared_container(declared) {
            let held_coverage = declared.coverage(&held);
            if held_coverage >= AGREEMENT && held_coverage >= coverage + 0.1 {
                return held;
            }
        }
        let words: usize = detected.iter().map(|b| text::word_count(&b.text)).sum();
        if coverage < POOR && words * 2 < declared.words {
            return declared.blocks();
        }
        detected
    }

    /// The container that best holds the declared text: the most characters
    /// of blocks in it minus those of blocks not in it; its blocks from the
    /// first to the last in the declared text.
    fn declared_container(&self, declared: &Declared<'_>) -> Option<Vec<Block>> {
        // Prefix sums of the characters of blocks in and not in the text.
        let mut held = Vec::with_capacity(self.blocks.len());
        let mut sums = Vec::with_capacity(self.blocks.len() + 1);
        let (mut inside, mut outside) = (0u64, 0u64);
        sums.push((inside, outside));
        for b in &self.blocks {
            let h = declared.holds(&b.text);
            match h {
                Some(true) => inside += u64::from(b.chars),
                Some(false) => outside += u64::from(b.chars),
                None => {}
            }
            held.push(h == Some(true));
            sums.push((inside, outside));
        }
        let gain = |c: &Container| {
            let (i0, o0) = sums[c.first_block];
            let (i1, o1) = sums[c.end_block];
            (i1 - i0) as i64 - (o1 - o0) as i64
        };
        let mut best: Option<(usize, i64)> = None;
        let mut i = 0;
        while let Some(c) = self.containers.get(i) {
            if c.dropped {
                i = c.end_container.max(i + 1);
                continue;
            }
            let g = gain(c);
            if g > 0 && best.is_none_or(|(_, b)| g > b) {
                best = Some((i, g));
            }
            i += 1;
        }
        let c = &self.containers[best?.0];
        let kept = self.kept_indices(c.first_block..c.end_block);
        let first = kept.iter().position(|&i| held[i])?;
        let last = kept.iter().rposition(|&i| held[i])?;
        Some(
            kept[first..=last]
                .iter()
                .filter_map(|&i| self.blocks[i].to_block())
                .collect(),
        )
    }

    /// The detected article: the blocks of the container that holds the most
    /// prose and the least noise, trimmed to its story ([`story_span`]),
    /// after its lead ([`Walk::lead`]), without the cards of its `authors`
    /// ([`Walk::author_cards`]).
    fn detected(&self, authors: &[&str]) -> Vec<Block> {
        let mut best: Option<usize> = None;
        let mut i = 0;
        while let Some(c) = self.containers.get(i) {
            if c.dropped {
                i = c.end_container.max(i + 1);
                continue;
            }
            if (c.prose > 0.0 || c.declared)
                && best.is_none_or(|b| score(c) > score(&self.containers[b]))
            {
                best = Some(i);
            }
            i += 1;
        }
        // A page without prose is all article if it has sentences (a short
        // note), and has no article if it has none (binary junk, scripts).
        let mut best = match best {
            Some(b) => b,
            None if self.blocks.iter().any(RawBlock::is_story_text) => 0,
            None => return Vec::new(),
        };
        // A page listing several <article>s (the story and teasers of others)
        // is about the one holding most of the prose.
        if let Some(article) = self.main_article(best) {
            best = article;
        }
        // Narrow down to the child holding nearly all the prose: what is left
        // beside it is teasers, bios and sign-up boxes.
        let best = self.narrowed(best);
        let mut parts = self.story_parts(best);
        parts.extend(self.questions_after(best));
        let mut kept = Vec::new();
        let mut prose = 0.0;
        for &p in &parts {
            let c = &self.containers[p];
            kept.extend(self.kept_blocks(c.first_block..c.end_block));
            prose += c.prose;
        }
        let main = story_span(&kept);
        let text: Vec<&RawBlock> = self
            .lead(parts[0], LEAD_MAX_SHARE * prose)
            .into_iter()
            .chain(main.iter().copied())
            .collect();
        let text = without_lone_labels(text);
        let mut cards = self.author_cards(&text, authors);
        cards.extend(self.titled_boxes(&text));
        let headings: HashSet<usize> = (0..main.len())
            .filter(|&k| is_linked_section_heading(main, k))
            .map(|k| main[k].index)
            .collect();
        text.into_iter()
            .filter(|b| !cards.iter().any(|r| r.contains(&b.index)))
            .filter(|b| !self.is_contents_title(b))
            .filter_map(|b| match headings.contains(&b.index) {
                true => b.cleaned(),
                false => b.to_block(),
            })
            .collect()
    }

    /// True for the title of a table of contents ([`CONTENTS_TITLE`]) over a
    /// box that holds no text of the article: its entries (links to places
    /// on the page), a toggle, or nothing at all when a script fills it in.
    /// The box is the title's parent when the title is an element of its
    /// own, else the element whose text it is. A title right before an
    /// entry goes wherever it stands (in the story's flow too). A title in a box with the
    /// story's sentences ("Table of contents" over a paragraph that tells
    /// how the article is divided) is part of the story, and so is one over
    /// sections named and summed up ("In this guide", then "Step 1: Backing
    /// up your data", "5 things to consider ..."), in its box or alone in a
    /// box of its own that the headings of those sections follow.
    fn is_contents_title(&self, b: &RawBlock) -> bool {
        if b.chars > CONTENTS_TITLE_MAX_CHARS || !CONTENTS_TITLE.is_match(&text::clean(&b.text)) {
            return false;
        }
        let i = b.index;
        // Right over its entries, it titles them wherever it stands.
        if self
            .blocks
            .get(i + 1)
            .is_some_and(|n| n.is_link_list() && n.is_contents_entry())
        {
            return true;
        }
        let Some(own) = self.titled_box(i) else {
            return false;
        };
        let others = self.kept_blocks(own.first_block..own.end_block);
        if others
            .iter()
            .any(|o| o.index != i && (o.is_story_text() || o.to_block().is_some()))
        {
            return false;
        }
        // A box holding the title alone is filled in by a script, unless
        // the headings of the sections it names come right after it.
        let end = own.end_block;
        others.len() > 1
            || self
                .kept_blocks(end..self.blocks.len())
                .first()
                .is_none_or(|next| next.kind != BlockKind::Heading)
    }

    /// The box that the title at block `i` heads: the innermost kept
    /// element holding it, or that element's parent when the title is an
    /// element of its own (`<h3>About the author</h3>` in its `<section>`).
    fn titled_box(&self, i: usize) -> Option<&Container> {
        let mut holding = self
            .containers
            .iter()
            .filter(|c| !c.dropped && c.first_block <= i && i < c.end_block)
            .rev();
        let own = holding.next()?;
        match own.end_block - own.first_block {
            1 => holding.next(),
            _ => Some(own),
        }
    }

    /// The block ranges of the author's cards among the article's `text`: a
    /// box with a photo and a few lines, one of which opens with the name of
    /// one of the story's `authors` ("Jane Doe is a reporter covering ...").
    /// The box is the largest around that line that holds at most
    /// [`CARD_MAX_PROSE`] of prose and less than half of the article's, and
    /// no story text before the line; it needs an image, so a line of the
    /// story that names its author, or a tagline set as the story's last
    /// paragraph, stays.
    fn author_cards(&self, text: &[&RawBlock], authors: &[&str]) -> Vec<std::ops::Range<usize>> {
        let mut cards: Vec<std::ops::Range<usize>> = Vec::new();
        if authors.is_empty() {
            return cards;
        }
        let prose: u32 = text
            .iter()
            .filter(|b| b.is_prose())
            .map(|b| b.chars - b.link_chars)
            .sum();
        let limit = CARD_MAX_PROSE.min(prose as f32 / 2.0);
        for b in text {
            if cards.iter().any(|r| r.contains(&b.index))
                || !authors.iter().any(|&a| opens_with_name(&b.text, a))
            {
                continue;
            }
            // The innermost box of the line, then its ancestors while they
            // stay the size of a card.
            let Some(inner) = (0..self.containers.len()).rev().find(|&c| {
                let c = &self.containers[c];
                !c.dropped && c.first_block <= b.index && b.index < c.end_block
            }) else {
                continue;
            };
            // A card opens with a photo, a label or the name: story text
            // before the line (a standfirst beside the byline) is not the
            // card's.
            let story_before = |a: &Container| {
                text.iter()
                    .any(|t| (a.first_block..b.index).contains(&t.index) && t.is_story_text())
            };
            let mut card = inner;
            for a in self.ancestors(inner) {
                let c = &self.containers[a];
                if c.prose > limit || story_before(c) {
                    break;
                }
                card = a;
            }
            let c = &self.containers[card];
            if c.images && c.prose <= limit {
                cards.push(c.first_block..c.end_block);
            }
        }
        cards
    }

    /// The block ranges of the boxes after the story in `text` that are not
    /// part of it, known by their title ([`BOX_TITLE`]): the author's bio
    /// whatever the byline, a widget asking the reader to rate the page.
    /// Such a box is a line that opens with the title and goes on with the
    /// box's text ("About the author: Craig Hull is a freelance photographer
    /// ..."), at most [`CARD_MAX_PROSE`] long; or the title alone, with the
    /// rest of its box (its parent, when the title is an element of its
    /// own), when it opens that box and the box holds at most
    /// [`CARD_MAX_PROSE`] of prose and less than half of the article's. A
    /// title in the story's own flow, its paragraphs before it, heads a
    /// section of the story (a book review's "About the author") and stays.
    fn titled_boxes(&self, text: &[&RawBlock]) -> Vec<std::ops::Range<usize>> {
        let mut boxes = Vec::new();
        let Some(start) = text.iter().position(|b| b.is_story_text()) else {
            return boxes;
        };
        let prose: u32 = text
            .iter()
            .filter(|b| b.is_prose())
            .map(|b| b.chars - b.link_chars)
            .sum();
        let limit = CARD_MAX_PROSE.min(prose as f32 / 2.0);
        for b in &text[start + 1..] {
            let t = text::clean(&b.text);
            let Some(title) = BOX_TITLE.find(&t) else {
                continue;
            };
            let i = b.index;
            if title.end() < t.len() {
                if ((b.chars - b.link_chars) as f32) <= CARD_MAX_PROSE {
                    boxes.push(i..i + 1);
                }
                continue;
            }
            let Some(own) = self.titled_box(i) else {
                continue;
            };
            let opens = self
                .kept_indices(own.first_block..own.end_block)
                .first()
                .is_some_and(|&f| f == i);
            if opens && own.prose <= limit {
                boxes.push(i..own.end_block);
            }
        }
        boxes
    }

    /// The containers the story is told in, in document order: `best`,
    /// after the boxes before it that are laid out like it (the same element
    /// and class names, [`layout_signature`]) and hold story text
    /// ([`Walk::is_story_part`]), each narrowed to its main child as `best`
    /// was. Page builders cut one story into several such boxes, with a
    /// sign-up form or an image between them; the story's opening is in the
    /// first. Such boxes are looked for beside `best` and beside its
    /// [`PARTS_LEVELS`] nearest ancestors. Boxes after `best` are not parts:
    /// there, a box laid out like the story's is as often its author's bio,
    /// a newsletter box or the company's "About" text.
    fn story_parts(&self, best: usize) -> Vec<usize> {
        let mut node = best;
        for parent in self.ancestors(best).into_iter().take(PARTS_LEVELS) {
            let signature = self.containers[node].signature;
            if signature != 0 && !self.containers[node].is_article {
                let mut parts: Vec<usize> = self
                    .children(parent)
                    .take_while(|&s| s < node)
                    .filter(|&s| self.containers[s].signature == signature && self.is_story_part(s))
                    .map(|s| self.narrowed(s))
                    .collect();
                if !parts.is_empty() {
                    parts.push(best);
                    return parts;
                }
            }
            node = parent;
        }
        vec![best]
    }

    /// The box of questions and answers that closes the story told in
    /// `best` ("Frequently asked questions", "FAQs", "سوالات متداول"), when
    /// the layout sets it apart after the story's own box: the first box
    /// after `best`, beside it or beside one of its [`PARTS_LEVELS`] nearest
    /// ancestors, that opens with such a title ([`is_questions_title`]) and
    /// reads like part of a story as [`Walk::is_story_part`] has it (but
    /// for the `<article>` an accordion of questions may be), with less
    /// prose than the story, and with [`QUESTIONS_MIN_ANSWERS`] answers.
    /// Its answers are the story's text as much as its sections are; a box
    /// that shows only its questions (the answers hidden in closed panels)
    /// is not read.
    fn questions_after(&self, best: usize) -> Option<usize> {
        let mut node = best;
        for parent in self.ancestors(best).into_iter().take(PARTS_LEVELS) {
            let found = self.children(parent).skip_while(|&s| s <= node).find(|&s| {
                let c = &self.containers[s];
                if !self.holds_plain_prose(s) || c.prose >= self.containers[best].prose {
                    return false;
                }
                let kept = self.kept_blocks(c.first_block..c.end_block);
                let answers = kept
                    .iter()
                    .filter(|b| {
                        b.is_story_text()
                            && b.kind != BlockKind::Heading
                            && !b.control
                            && !b.text.trim_end().ends_with(['?', '؟'])
                    })
                    .count();
                kept.first().is_some_and(|b| is_questions_title(&b.text))
                    && answers >= QUESTIONS_MIN_ANSWERS
                    && !kept.iter().any(|b| b.is_linked_heading())
            });
            if found.is_some() {
                return found;
            }
            node = parent;
        }
        None
    }

    /// `c` narrowed down to the child holding nearly all its prose, as
    /// often as there is one ([`Walk::main_child`]).
    fn narrowed(&self, mut c: usize) -> usize {
        while let Some(child) = self.main_child(c) {
            c = child;
        }
        c
    }

    /// True when container `s` reads like part of a story: story text, more
    /// prose than link text (a table of links may sit in it), no linked
    /// headings and no `<article>` of its own (teasers of other stories), not
    /// named like boilerplate.
    fn is_story_part(&self, s: usize) -> bool {
        let c = &self.containers[s];
        if !self.holds_plain_prose(s)
            || self.containers[s..c.end_container.max(s + 1)]
                .iter()
                .any(|d| d.is_article)
        {
            return false;
        }
        let kept = self.kept_blocks(c.first_block..c.end_block);
        kept.iter().any(|b| b.is_story_text()) && !kept.iter().any(|b| b.is_linked_heading())
    }

    /// True when container `s` holds prose and is neither dropped, named
    /// like boilerplate, nor mostly link text ([`PART_MAX_NOISE`]): what a
    /// box beside the story needs before it can be a part of it
    /// ([`Walk::is_story_part`], [`Walk::questions_after`]).
    fn holds_plain_prose(&self, s: usize) -> bool {
        let c = &self.containers[s];
        !(c.dropped || c.suspect || c.prose == 0.0)
            && c.noise <= PART_MAX_NOISE * (c.prose + c.other)
    }

    /// The blocks of the article's lead: boxes of story text just before the
    /// container `c` holding the article, beside it in its parent or in one
    /// of its [`LEAD_LEVELS`] nearest ancestors (a standfirst, an intro or a
    /// summary a layout puts in its own box). Boxes without story text
    /// (images, bylines, a table of contents) are passed over; a box of
    /// links, of linked headlines or holding an `<article>` (teasers,
    /// navigation, other stories) ends the search. A box needs two
    /// paragraphs to be part of the lead, or one beside `c` itself; bare
    /// paragraphs in a row (each a `<p>` of its own) count as one box.
    /// The lead holds at most `budget` characters of prose.
    fn lead(&self, c: usize, mut budget: f32) -> Vec<&RawBlock> {
        let mut lead: Vec<Vec<&RawBlock>> = Vec::new();
        let mut child = c;
        // Ancestors passed that hold prose besides the article's box
        // (not mere wrappers of it).
        let mut wider = 0;
        for (level, parent) in self.ancestors(c).into_iter().take(LEAD_LEVELS).enumerate() {
            let before: Vec<usize> = self.children(parent).take_while(|&s| s < child).collect();
            // The bare paragraph (a `<p>` of its own) just after the sibling
            // looked at, when it was passed over alone; empty once a run of
            // bare paragraphs is in the lead.
            let mut bare_run: Option<Vec<&RawBlock>> = None;
            for &s in before.iter().rev() {
                let sib = &self.containers[s];
                if sib.dropped {
                    continue;
                }
                let kept = self.kept_blocks(sib.first_block..sib.end_block);
                if sib.prose == 0.0 || !kept.iter().any(|b| b.is_story_text()) {
                    continue;
                }
                // An affiliate disclosure between the intro and the body
                // (with a link to the policy) is passed over, as an image is.
                if kept
                    .iter()
                    .filter(|b| b.is_story_text())
                    .all(|b| b.is_disclosure())
                {
                    continue;
                }
                if sib.suspect
                    || self.containers[s..sib.end_container.max(s + 1)]
                        .iter()
                        .any(|d| d.is_article)
                    || sib.noise > LEAD_MAX_NOISE * (sib.prose + sib.other)
                    || kept.iter().any(|b| b.is_linked_heading())
                    || sib.prose > budget
                {
                    return lead.into_iter().rev().flatten().collect();
                }
                budget -= sib.prose;
                let text: Vec<&RawBlock> = kept
                    .into_iter()
                    .filter(|b| (b.is_story_text() || b.is_list_text()) && !b.is_disclosure())
                    .collect();
                // A lone paragraph before the article is as often a teaser's
                // summary, a caption or a bio as an intro, and a list alone
                // is a summary of it ("key points"). Beside the article's own
                // box, in the same parent, a lone sentence that is no byline,
                // in a box without an image (whose caption it would be), is
                // the story's intro; so it is farther up when only wrappers
                // of the article's box (no other prose) are between them and
                // its box holds nothing else (no label, no link).
                let paragraphs: Vec<&RawBlock> = text
                    .iter()
                    .copied()
                    .filter(|b| b.kind != BlockKind::ListItem)
                    .collect();
                let is_intro = |b: &RawBlock| {
                    let t = b.text.trim_start();
                    has_words(t, INTRO_MIN_WORDS)
                        && !t
                            .split_whitespace()
                            .next()
                            .is_some_and(|w| w.eq_ignore_ascii_case("by"))
                };
                // A caption is short: a paragraph as long as a summary is
                // the intro even in a box with an image.
                let is_caption = |b: &RawBlock| {
                    sib.images && b.chars - b.link_chars < INTRO_BESIDE_IMAGE_MIN_CHARS
                };
                let lone_intro = (level == 0 || wider == 0 && sib.noise == 0.0 && sib.other == 0.0)
                    && matches!(paragraphs[..], [p] if is_intro(p) && !is_caption(p));
                // Paragraphs set one by one beside the story's box (bare
                // `<p>`s before a table or a list that tells the story) are
                // one box: two in a row are its lead.
                let bare = sib.is_text && matches!(paragraphs[..], [p] if is_intro(p));
                let alone = paragraphs.len() < LEAD_MIN_PARAGRAPHS && !lone_intro;
                match (bare, bare_run.take()) {
                    (true, Some(next)) => {
                        lead.push(next);
                        lead.push(text);
                        bare_run = Some(Vec::new());
                    }
                    (true, None) if alone => bare_run = Some(text),
                    (true, None) => {
                        lead.push(text);
                        bare_run = Some(Vec::new());
                    }
                    (false, _) if alone => {}
                    (false, _) => lead.push(text),
                }
            }
            if self.containers[parent].prose > self.containers[child].prose {
                wider += 1;
            }
            child = parent;
        }
        lead.into_iter().rev().flatten().collect()
    }

    /// The ancestors of container `c`, nearest first (the walk's root last).
    fn ancestors(&self, c: usize) -> Vec<usize> {
        let mut out: Vec<usize> = (0..c)
            .filter(|&a| self.containers[a].end_container > c)
            .collect();
        out.reverse();
        out
    }

    /// The indices of the children of container `c`, in document order.
    fn children(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.containers[c].end_container;
        let mut i = c + 1;
        std::iter::from_fn(move || {
            if i >= end {
                return None;
            }
            let child = i;
            i = self.containers[i].end_container.max(i + 1);
            Some(child)
        })
    }

    /// Every block of the walk that reads like a sentence of a story, boxes
    /// dropped as boilerplate-named included: the last resort of a page
    /// without an article.
    fn sentences(&self) -> Vec<Block> {
        self.blocks
            .iter()
            .filter(|b| b.is_story_text())
            .filter_map(RawBlock::to_block)
            .collect()
    }

    /// The `<article>` inside `c` holding the most prose, when it holds at
    /// least [`MAIN_ARTICLE_SHARE`] of it.
    fn main_article(&self, c: usize) -> Option<usize> {
        let parent = &self.containers[c];
        let mut i = c + 1;
        let mut best: Option<usize> = None;
        while i < parent.end_container {
            let d = &self.containers[i];
            if d.dropped {
                i = d.end_container.max(i + 1);
                continue;
            }
            if d.is_article && best.is_none_or(|b| d.prose > self.containers[b].prose) {
                best = Some(i);
            }
            i += 1;
        }
        best.filter(|&b| {
            let prose = self.containers[b].prose;
            prose > 0.0 && prose >= MAIN_ARTICLE_SHARE * parent.prose
        })
    }

    /// The child of `c` holding at least [`MAIN_CHILD_SHARE`] of its prose;
    /// none when `c` has paragraphs of its own (then a long paragraph or a
    /// box among them is part of the article, not all of it).
    fn main_child(&self, c: usize) -> Option<usize> {
        let parent = &self.containers[c];
        // Paragraphs of its own mean `c` is the article's flow, and its
        // boxes (a product grid, a long quote) are part of it.
        if parent.own_prose >= OWN_PROSE_SHARE * parent.prose {
            return None;
        }
        let mut i = c + 1;
        let mut best: Option<usize> = None;
        while i < parent.end_container {
            let child = &self.containers[i];
            if !child.dropped && best.is_none_or(|b| child.prose > self.containers[b].prose) {
                best = Some(i);
            }
            i = child.end_container.max(i + 1);
        }
        best.filter(|&b| {
            let prose = self.containers[b].prose;
            prose > 0.0 && prose >= MAIN_CHILD_SHARE * parent.prose
        })
    }

    /// The blocks of `range` outside dropped containers.
    fn kept_blocks(&self, range: std::ops::Range<usize>) -> Vec<&RawBlock> {
        self.kept_indices(range)
            .into_iter()
            .map(|i| &self.blocks[i])
            .collect()
    }

    /// The indices of the blocks of `range` outside dropped containers.
    fn kept_indices(&self, range: std::ops::Range<usize>) -> Vec<usize> {
        let mut dropped: Vec<&std::ops::Range<usize>> = self
            .dropped
            .iter()
            .filter(|d| d.start < range.end && d.end > range.start)
            .collect();
        dropped.sort_by_key(|d| d.start);
        let mut out = Vec::with_capacity(range.len());
        let mut drops = dropped.into_iter().peekable();
        let mut skip_to = range.start;
        for i in range {
            while let Some(d) = drops.next_if(|d| d.start <= i) {
                skip_to = skip_to.max(d.end);
            }
            if i >= skip_to {
                out.push(i);
            }
        }
        out
    }
}

/// `text` without the labels of disclosure controls that do not title what
/// they open: a label stays when it reads as a title (a heading, a question)
/// and the panel it opens follows it in the text, read (an FAQ's question
/// before its answer, not the next label or the next section's heading). A label whose panel is hidden, or that says what the
/// control does ("More info", "Collapse"), is no text of the story.
fn without_lone_labels(text: Vec<&RawBlock>) -> Vec<&RawBlock> {
    if !text.iter().any(|b| b.control) {
        return text;
    }
    let mut out = Vec::with_capacity(text.len());
    for (i, b) in text.iter().enumerate() {
        if b.control {
            let title = b.kind == BlockKind::Heading || b.text.trim_end().ends_with(['?', '؟']);
            let opened = text.get(i + 1).is_some_and(|n| {
                n.index == b.index + 1 && !n.control && n.kind != BlockKind::Heading
            });
            if !(title && opened) || b.closed_panel {
                continue;
            }
        }
        out.push(*b);
    }
    out
}

/// The title of a box of questions and answers: "FAQ", "FAQs",
/// "Frequently asked questions (FAQ)", "Puppy Training FAQs", "سوالات
/// متداول", "پرسش‌های متداول", "الأسئلة الشائعة".
static QUESTIONS_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|\W)(faq'?s?|frequently asked questions|commonly asked questions|(سوالات|سؤالات|پرسش\x{200C}?های|پرسشهای|پرسش های) (متداول|رایج)|(الأسئلة|الاسئلة|أسئلة|اسئلة) (الشائعة|شائعة|المتكررة|متكررة))(\W|$)")
        .expect("static regex")
});

/// Paragraphs of story text a box of questions needs to be read: its
/// answers (not headings, not the labels of controls, not questions), of
/// which a box that shows only its questions has at most the first.
const QUESTIONS_MIN_ANSWERS: usize = 2;

/// Characters past which a line is no title of a box of questions.
const QUESTIONS_TITLE_MAX_CHARS: usize = 80;

/// True when `text` titles a box of questions and answers
/// ([`QUESTIONS_TITLE`]): a short line, not a sentence that mentions one.
fn is_questions_title(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= QUESTIONS_TITLE_MAX_CHARS && QUESTIONS_TITLE.is_match(t)
}

/// How many ancestors of the article's container are searched for the
/// other parts of its story ([`Walk::story_parts`]).
const PARTS_LEVELS: usize = 4;

/// The most link text a part of the story holds, relative to the rest of
/// its text.
const PART_MAX_NOISE: f32 = 0.6;

/// The element name and the class names of `el` that are not instance ids
/// (`elementor-element-98fb7c3`, `post-15342`), hashed: what two boxes of
/// one layout share. 0 when no class name is left.
fn layout_signature(el: &scraper::node::Element) -> u64 {
    let Some(class) = attr(el, "class") else {
        return 0;
    };
    let mut h = DefaultHasher::new();
    let mut any = false;
    for t in class.split_whitespace().take(MAX_CLASS_TOKENS) {
        if !is_instance_id(t) {
            h.write(t.as_bytes());
            h.write_u8(b' ');
            any = true;
        }
    }
    if !any {
        return 0;
    }
    h.write(el.name().as_bytes());
    h.finish()
}

/// True for a class name that numbers one instance of a layout element: a
/// run of at least four digits, or hexadecimal digits with a digit among
/// them.
fn is_instance_id(token: &str) -> bool {
    token
        .split(|c: char| !c.is_ascii_hexdigit())
        .any(|run| run.len() >= 4 && run.bytes().any(|b| b.is_ascii_digit()))
}

/// How many ancestors of the article's container are searched for its lead.
const LEAD_LEVELS: usize = 3;

/// The most prose the article's lead holds, relative to the article's.
const LEAD_MAX_SHARE: f32 = 0.34;

/// Words a lone paragraph before the article needs to be its intro (a
/// link, a credit or a label is shorter).
const INTRO_MIN_WORDS: usize = 8;

/// Characters outside links a lone intro in a box with an image needs not to
/// be taken for the image's caption.
const INTRO_BESIDE_IMAGE_MIN_CHARS: u32 = 150;

/// Paragraphs of story text a box before the article needs to be its lead.
const LEAD_MIN_PARAGRAPHS: usize = 2;

/// The most link text a box of the article's lead holds, relative to the
/// rest of its text.
const LEAD_MAX_NOISE: f32 = 0.3;

/// Prose (characters) an author's card holds at most ([`Walk::author_cards`]):
/// a bio of a few sentences.
const CARD_MAX_PROSE: f32 = 800.0;

/// The names of the people a byline names ("Jane Doe and John Roe, Staff
/// Writers", "جین دو و جان رو"): its parts of two words or more.
fn author_names(byline: &str) -> Vec<&str> {
    byline
        .split([',', ';', '&', '|', '،', '/', '、', '，', '；'])
        .flat_map(|p| p.split(" and ").flat_map(|p| p.split(" و ")))
        .map(|p| {
            let p = p.trim();
            p.strip_prefix("By ")
                .or_else(|| p.strip_prefix("by "))
                .unwrap_or(p)
                .trim()
        })
        .filter(|p| {
            p.split_whitespace().nth(1).is_some() || p.chars().any(text::written_without_spaces)
        })
        .collect()
}

/// True when `text` opens with the whole of `name` ("Jane Doe is ...",
/// "Jane Doe, a reporter ...").
fn opens_with_name(text: &str, name: &str) -> bool {
    text.trim_start()
        .strip_prefix(name)
        .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
}

/// `kept` without what precedes its first sentence of story text and follows
/// its last sentence or list item (kickers, bylines, dates, share and tag
/// bars). Kept are the headings right before its first sentence, the lines
/// that read as text and the reporting credits that close it, and the rows
/// of a table of figures begun inside it or introduced by its last sentence.
fn story_span<'a, 'b>(kept: &'b [&'a RawBlock]) -> &'b [&'a RawBlock] {
    let mut first = kept.iter().position(|b| b.is_story_text()).unwrap_or(0);
    // The headings just before the first sentence head it (a section
    // heading, a standfirst set as a heading), unless something the walk
    // dropped sits between (a sign-up form under its heading), or the
    // sentence is an item of a list (a "Key takeaways" box).
    if kept
        .get(first)
        .is_some_and(|b| b.kind != BlockKind::ListItem)
    {
        while first > 0
            && kept[first - 1].kind == BlockKind::Heading
            && kept[first - 1].link_chars == 0
            && kept[first - 1].index + 1 == kept[first].index
        {
            first -= 1;
        }
    }
    let mut last = kept
        .iter()
        .rposition(|b| b.is_story_text() || b.is_list_text())
        .map_or(kept.len(), |i| i + 1);
    while kept
        .get(last)
        .is_some_and(|b| b.is_closing_line() || b.is_reporting_credit())
    {
        last += 1;
    }
    // A table of figures that the story's last sentence introduces (with a
    // colon), or that the story began, goes on to its last row.
    while last > first
        && (kept[last - 1].is_data_row() || kept[last - 1].text.trim_end().ends_with(':'))
        && kept.get(last).is_some_and(|b| b.is_data_row())
    {
        last += 1;
    }
    &kept[first..last.max(first)]
}

/// True for the heading `span[k]` of the story when it is a link: an entry
/// of a list the story makes, naming the product, school or place it links
/// to ("3. LearnWorlds", "Harvard Business School"). It heads a section of
/// the story: two blocks of story text or more before the next heading,
/// the first block after it not a link (a product's specifications, a
/// table's row or a label may come before its sentences: "Dimensions: 14″
/// x 12″", "Best overall"). A teaser's headline heads a summary of a
/// sentence, and a cross-reference is labelled ("Related: ...", "Read more:
/// ..."); a link to a place on the page is an entry of its contents.
fn is_linked_section_heading(span: &[&RawBlock], k: usize) -> bool {
    let b = span[k];
    if b.kind != BlockKind::Heading || !b.is_link_list() || b.is_contents_entry() {
        return false;
    }
    if let Some((label, _)) = b.text.split_once(':') {
        if FURNITURE.is_match(&text::clean(label)) {
            return false;
        }
    }
    let is_text = |n: &&&RawBlock| n.is_story_text() || n.is_list_text();
    let mut section = span[k + 1..]
        .iter()
        .take_while(|n| n.kind != BlockKind::Heading)
        .peekable();
    if section.peek().is_none_or(|n| n.is_link_list()) {
        return false;
    }
    let text: Vec<&&RawBlock> = section.filter(is_text).collect();
    text.len() >= 2 || text.iter().map(|n| n.chars - n.link_chars).sum::<u32>() >= SECTION_MIN_CHARS
}

/// Characters outside links past which one paragraph under a linked heading
/// is a section of the story, not a teaser's summary of a sentence or two.
const SECTION_MIN_CHARS: u32 = 300;

/// How much a container looks like the article: its prose minus a share of
/// its link text; all its text counts when the page declares it the article
/// body.
fn score(c: &Container) -> f32 {
    if c.declared {
        2.0 * (c.prose + c.noise + c.other)
    } else {
        c.prose - NOISE_WEIGHT * c.noise
    }
}

/// Splits text at two or more `<br>` in a row (white space between them
/// allowed); single `<br>` stay in the text.
fn split_double_br(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c != BR {
            continue;
        }
        let mut end = i + c.len_utf8();
        let mut brs = 1;
        while let Some(&(j, d)) = iter.peek() {
            if d == BR {
                brs += 1;
            } else if !d.is_whitespace() {
                break;
            }
            end = j + d.len_utf8();
            iter.next();
        }
        if brs >= 2 {
            parts.push(&text[start..i]);
            start = end;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// True when `text` has at least `n` words (counted no further).
fn has_words(text: &str, n: usize) -> bool {
    text::word_count_up_to(text, n) >= n
}

/// Non-white-space characters and letters of a text, in extraction's
/// measure ([`text::reading_weight`]: a Chinese character counts as the
/// characters of its translation).
fn char_counts(s: &str) -> (u32, u32) {
    if s.is_ascii() {
        let (mut chars, mut letters) = (0, 0);
        for b in s.bytes().filter(|b| !b.is_ascii_whitespace() && *b != 0x0B) {
            chars += 1;
            letters += u32::from(b.is_ascii_alphabetic());
        }
        return (chars, letters);
    }
    let (mut chars, mut letters) = (0, 0);
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        let weight = text::reading_weight(c);
        chars += weight;
        letters += if c.is_alphabetic() { weight } else { 0 };
    }
    (chars, letters)
}

/// An open `<span>` in a block of text, and where the block's pending text
/// stood when it opened. A span that holds an image in running text is a
/// card when its text is mostly links (a hover card on a person's name,
/// with their photo and latest stories), not the sentence's text: its text
/// is taken out when it closes.
struct Card {
    node: NodeId,
    /// The container whose block it opened in.
    container: usize,
    text_len: usize,
    link_chars: u32,
    anchor_chars: u32,
    /// An image was met inside it (and not inside a span inside it).
    image: bool,
}

impl Card {
    fn open(node: NodeId, container: usize, p: &Pending) -> Card {
        Card {
            node,
            container,
            text_len: p.text.len(),
            link_chars: p.link_chars,
            anchor_chars: p.anchor_chars,
            image: false,
        }
    }

    /// Takes the card's text out of `p`, the pending block of `container`,
    /// when the span holds an image and mostly links, and its block is still
    /// being built.
    fn close(self, container: usize, p: &mut Pending) {
        if !self.image || self.container != container || p.text.len() < self.text_len {
            return;
        }
        let chars = text::reading_chars(&p.text[self.text_len..]);
        let links = p.link_chars.saturating_sub(self.link_chars);
        if links * 10 > chars * 6 {
            p.text.truncate(self.text_len);
            p.link_chars = self.link_chars;
            p.anchor_chars = self.anchor_chars;
        }
    }
}

/// A block being built: its kind, text, and how much of it is link text.
struct Pending {
    kind: BlockKind,
    /// The cells (`<td>`, `<th>`) in it: it is a row of a table.
    cells: u32,
    text: String,
    link_chars: u32,
    anchor_chars: u32,
    /// Non-white-space characters inside disclosure controls.
    control_chars: u32,
    /// A control in it opens a panel that is hidden.
    closed_panel: bool,
}

impl Pending {
    fn new(kind: BlockKind) -> Pending {
        Pending {
            kind,
            cells: 0,
            text: String::new(),
            link_chars: 0,
            anchor_chars: 0,
            control_chars: 0,
            closed_panel: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(html: &str) -> Vec<String> {
        blocks(&Html::parse_document(html), None, None, None)
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    #[test]
    fn picks_article_and_drops_furniture() {
        let html = r##"<html><body>
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <article>
              <h1>Headline</h1>
              <div class="share-bar"><a href="#">Share on X</a></div>
              <p>Iranian filmmaker Mohammad Rasoulof has fled Iran after an eight-year sentence.</p>
              <figure><img src="a.jpg"><figcaption>Rasoulof in Cannes. (Photo by A. Rentz/Getty Images)</figcaption></figure>
              <p>He crossed the mountains on foot, he said in a statement released on Monday.</p>
              <div class="related"><h3>Related</h3><a href="/x">Iran sentences director to prison</a></div>
              <h2>Reaction</h2>
              <p>The culture minister called the film illegal and pressed the crew.</p>
            </article>
            <aside class="most-read"><p>Most read: something else entirely that is long enough to count.</p></aside>
            <footer><p>Copyright News Corp, all rights reserved in every territory.</p></footer>
        </body></html>"##;
        assert_eq!(
            extract(html),
            vec![
                "Iranian filmmaker Mohammad Rasoulof has fled Iran after an eight-year sentence.",
                "He crossed the mountains on foot, he said in a statement released on Monday.",
                "Reaction",
                "The culture minister called the film illegal and pressed the crew.",
            ]
        );
    }

    /// A paragraph of running text, long enough to count as prose.
    fn para(n: usize) -> String {
        format!("<p>Paragraph {n} of the story reports what the minister said about the case on Monday.</p>")
    }

    fn story(n: usize) -> String {
        (1..=n).map(para).collect()
    }

    fn expected_story(n: usize) -> Vec<String> {
        (1..=n)
            .map(|i| format!("Paragraph {i} of the story reports what the minister said about the case on Monday."))
            .collect()
    }

    /// `lines`, then the `n` paragraphs of [`story`].
    fn lines_then_story(lines: &[&str], n: usize) -> Vec<String> {
        let mut want: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        want.extend(expected_story(n));
        want
    }

    #[test]
    fn a_hover_card_in_a_sentence_is_not_its_text() {
        // A person's name in the story opens a card (their photo and latest
        // stories, shown on hover); the card's links made the sentence look
        // like a list of links, and it was dropped.
        let card = r#"<span class="card"><a href="/people/ann">Ann Example</a><span class="card-box"><span><img src="ann.jpg"><a href="/people/ann">Ann Example</a><a href="/s/1">Senate passes the budget after a night of votes</a> <a href="/s/2">Ann Example asks for an inquiry into the port contract</a> <a href="/s/3">What the new bill means for farmers in the north</a> <a href="/people/ann">MORE</a></span></span></span>"#;
        let html = format!(
            r#"<body><article>{}<p>A man pleaded guilty to threatening Senator {card} (Green), prosecutors said on Monday.</p>{}</article></body>"#,
            para(1),
            story(3)
        );
        let mut want = expected_story(1);
        want.push("A man pleaded guilty to threatening Senator Ann Example (Green), prosecutors said on Monday.".into());
        want.extend(expected_story(3));
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_span_with_an_image_and_words_of_the_story_is_kept() {
        // Only a card of links is taken out: a rating beside its stars, or a
        // sentence set around an inline icon, is text.
        let html = format!(
            r#"<body><article>{}<p><span><img src="stars.png"> Rated 4.5 out of 5 by the readers who tried it this year, the <a href="/p">kit</a> wins.</span></p>{}</article></body>"#,
            para(1),
            para(2)
        );
        let got = extract(&html);
        assert_eq!(
            got[1],
            "Rated 4.5 out of 5 by the readers who tried it this year, the kit wins."
        );
    }

    #[test]
    fn prose_container_wins_over_navigation_and_teasers() {
        let html = format!(
            r#"<body><div class="menu"><ul><li><a href="/a">World</a></li><li><a href="/b">Business</a></li></ul></div>
            <div id="story">{}</div>
            <div class="more"><h3><a href="/x">Another headline that is a link to elsewhere</a></h3><span>2 hours ago</span></div></body>"#,
            story(4)
        );
        assert_eq!(extract(&html), expected_story(4));
    }

    #[test]
    fn wrapper_named_like_boilerplate_is_kept_when_it_holds_the_story() {
        // Layouts call article wrappers "content-with-sidebar", "paywall" ...
        let html = format!(
            r#"<body><div class="content-with-sidebar"><div class="paywall">{}</div></div>
            <div class="sidebar"><p>Short promo.</p></div></body>"#,
            story(3)
        );
        assert_eq!(extract(&html), expected_story(3));
    }

    #[test]
    fn a_call_to_action_box_in_the_story_is_not_its_text() {
        // A box the page names a call to action ("cta", "call-to-action")
        // sells the site's product between or after the story's paragraphs:
        // a line of pitch and a button or two.
        let html = format!(
            r#"<body><article>{}{}
              <div class="mini-cta black"><p>Try Acme Analytics free for fourteen days and see your own data.</p><div class="dual-ctas"><a class="button" href="/signup">Sign up for free</a><a class="button" href="/contact">Contact sales</a></div></div>
              {}
              <section id="call-to-action"><h3>Ready to grow your business?</h3><p>Talk to one of our experts today about a plan that fits your team.</p></section>
            </article></body>"#,
            para(1),
            para(2),
            para(3)
        );
        assert_eq!(extract(&html), expected_story(3));
    }

    #[test]
    fn a_wrapper_named_like_a_call_to_action_is_kept_when_it_holds_the_story() {
        // Themes name layouts "cta-layout" too: a box so named that holds
        // mostly prose is the story, and a paragraph about calls to action
        // is text like any other.
        let html = format!(
            r#"<body><div class="cta-layout">{}<p>The campaign's call to action asked voters to register before the deadline in March.</p></div></body>"#,
            story(3)
        );
        let mut want = expected_story(3);
        want.push(
            "The campaign's call to action asked voters to register before the deadline in March."
                .into(),
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_line_crediting_a_picture_is_not_article_text() {
        // Under the story's photos, in a block of their own, not a caption:
        // who took or owns the picture, in the forms pages write it.
        let credits = [
            "Photo credit: ©iStock.com/jdoe, ©iStock.com/asmith",
            "Photo Credit: www.example-crafts.com",
            "Getty Images / Jane Doe",
            "Jane Doe/Getty Images",
            "Courtesy of the brand",
            "Photo Illustration: Example Magazine, Getty Images",
            "Illustration: John Roe",
            "Image used under license from Shutterstock",
            "عکس: جان دو",
            "عکس از خبرگزاری نمونه",
            "الصورة: رويترز",
        ];
        let html = format!(
            r#"<body><article>{}<img src="a.jpg"><span>{}</span>{}<figure><img src="b.jpg"></figure>{}{}</article></body>"#,
            para(1),
            credits[0],
            para(2),
            credits[1..]
                .iter()
                .map(|c| format!("<div><img src=\"c.jpg\"><span>{c}</span></div>"))
                .collect::<String>(),
            para(3)
        );
        assert_eq!(extract(&html), expected_story(3));
    }

    #[test]
    fn a_source_a_specification_or_a_sentence_opening_like_a_credit_stays() {
        // A chart's source, a camera's video specification and a sentence of
        // the story that opens with "Courtesy of" or "Photo by" say something.
        let lines = [
            "Source: Bureau of Labor Statistics",
            "Video: 4K/30p, Full HD 120p",
            "Courtesy of the mayor's office, the files reached reporters on Monday.",
            "Photo by photo, the exhibition retraces the decade the city rebuilt itself.",
        ];
        let html = format!(
            r#"<body><article>{}{}{}</article></body>"#,
            para(1),
            lines
                .iter()
                .map(|l| format!("<p>{l}</p>"))
                .collect::<String>(),
            para(2)
        );
        let mut want = expected_story(1);
        want.extend(lines.iter().map(|l| l.to_string()));
        want.extend(expected_story(2).into_iter().skip(1));
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn boilerplate_inside_the_article_is_removed() {
        let html = format!(
            r#"<body><article>
              {}
              <div class="social-share"><a href="/s">Share</a><a href="/t">Tweet</a></div>
              <p class="read-more"><a href="/other">Read more: Director sentenced to eight years in prison</a></p>
              <div class="ad-slot"><p>Advertisement</p></div>
              <p>Related: <a href="/r">Iran bans film from festival after months of pressure on the crew</a></p>
              <p>Sign up for our daily newsletter to get the news in your inbox.</p>
              <div class="image-credit">Photo: Getty Images</div>
              {}
              <section class="comments"><p>What a long and thoughtful comment about this story from a reader somewhere.</p></section>
            </article></body>"#,
            para(1),
            para(2)
        );
        assert_eq!(extract(&html), expected_story(2));
    }

    #[test]
    fn closing_reporting_credits_are_article_text() {
        for credit in [
            "Additional reporting by Michael Rios",
            "(Reporting by Will Dunham; Editing by Tom Brown)",
            "Keith Bradsher contributed reporting from Hong Kong.",
        ] {
            let html = format!(
                r#"<body><article>{}<p><em>{credit}</em></p><div class="tags"><a href="/t">Iran</a></div></article></body>"#,
                story(3)
            );
            let mut want = expected_story(3);
            want.push(credit.to_string());
            assert_eq!(extract(&html), want, "{credit}");
        }
        // Only at the end: a short line after the story that credits nothing
        // stays out.
        let html = format!(
            r#"<body><article>{}<p>Follow our coverage</p></article></body>"#,
            story(3)
        );
        assert_eq!(extract(&html), expected_story(3));
    }

    #[test]
    fn embedded_posts_in_social_embed_boxes_are_article_text() {
        let html = format!(
            r#"<body><article>{}<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en">Yes this is real and the state spent half a million dollars on it: <a href="https://t.co/x">https://t.co/x</a></p>&mdash; Dianna (@dianna) <a href="https://twitter.com/d/status/1">November 18, 2019</a></blockquote>
              <script async src="https://platform.twitter.com/widgets.js"></script></div>
              <div class="social-share"><a href="/s">Share on Twitter</a></div>{}</article></body>"#,
            para(1),
            para(2)
        );
        let mut want = expected_story(2);
        want.insert(
            1,
            "Yes this is real and the state spent half a million dollars on it: https://t.co/x"
                .to_string(),
        );
        want.insert(2, "— Dianna (@dianna) November 18, 2019".to_string());
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn leading_byline_and_date_lines_are_not_article_text() {
        let html = format!(
            r#"<body><article><div>By Jane Doe</div><div>Nov 20 2019, 11:06am</div>
              <p>Who would have guessed the slogan would cost this much money?</p>{}</article></body>"#,
            story(3)
        );
        let want = lines_then_story(
            &["Who would have guessed the slogan would cost this much money?"],
            3,
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn the_largest_of_several_articles_is_the_story() {
        let teaser = |i: usize| {
            format!(
                r#"<article class="teaser"><h2><a href="/t{i}">Teaser headline number {i}</a></h2><p>A teaser paragraph that sums up another story in two long lines of text.</p></article>"#
            )
        };
        let html = format!(
            "<body><main><article>{}</article><div>{}</div></main></body>",
            story(6),
            (1..=3).map(teaser).collect::<String>()
        );
        assert_eq!(extract(&html), expected_story(6));
    }

    #[test]
    fn declared_article_body_wins_even_without_long_paragraphs() {
        let html = r#"<body><div class="intro"><p>A long introduction paragraph on the site itself that is not the article at all.</p></div>
            <div itemprop="articleBody"><p>Standings after round 36:</p><p>1. Kyle Busch 5040 points</p><p>2. Martin Truex 5035 points</p></div></body>"#;
        assert_eq!(
            extract(html),
            vec![
                "Standings after round 36:",
                "1. Kyle Busch 5040 points",
                "2. Martin Truex 5035 points"
            ]
        );
    }

    #[test]
    fn blocks_keep_their_kind_and_paragraph_boundaries() {
        let html = format!(
            r#"<body><article>{}<h2>Reaction</h2><blockquote>We will not be silenced by anyone, she said in the statement.</blockquote>
            <ul><li>First point made at length in the list of demands.</li><li>Second point made at length in the list of demands.</li></ul>
            <div>Loose text paragraph one, written with line breaks instead of paragraph tags.<br><br>Loose text paragraph two, after the double break.</div>{}</article></body>"#,
            para(1),
            para(2)
        );
        let got: Vec<(BlockKind, String)> = blocks(&Html::parse_document(&html), None, None, None)
            .into_iter()
            .map(|b| (b.kind, b.text))
            .collect();
        let kinds: Vec<BlockKind> = got.iter().map(|g| g.0).collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::Paragraph,
                BlockKind::Heading,
                BlockKind::Quote,
                BlockKind::ListItem,
                BlockKind::ListItem,
                BlockKind::Paragraph,
                BlockKind::Paragraph,
                BlockKind::Paragraph,
            ]
        );
        assert_eq!(
            got[5].1,
            "Loose text paragraph one, written with line breaks instead of paragraph tags."
        );
        assert_eq!(
            got[6].1,
            "Loose text paragraph two, after the double break."
        );
    }

    #[test]
    fn a_table_row_is_one_block() {
        let html = r#"<body><div itemprop="articleBody"><p>Standings after the last race of the season:</p>
            <table><tr><th>Pos.</th><th>Driver</th><th>Points</th></tr><tr><td>1</td><td>Kyle Busch</td><td>5040</td></tr></table></div></body>"#;
        assert_eq!(
            extract(html),
            vec![
                "Standings after the last race of the season:",
                "Pos. Driver Points",
                "1 Kyle Busch 5040"
            ]
        );
    }

    #[test]
    fn right_to_left_text_is_kept_in_order() {
        let fa = "فیلمساز ایرانی محمد رسول‌اف پس از صدور حکم هشت سال زندان، مخفیانه از ایران خارج شد و به اروپا رسید.";
        let html = format!(
            r#"<html dir="rtl"><body><article><p>{fa}</p><p>{fa}</p></article></body></html>"#
        );
        assert_eq!(extract(&html), vec![fa, fa]);
    }

    #[test]
    fn pathological_pages_extract_without_panic() {
        assert!(extract("").is_empty());
        assert!(extract(
            "<script>var a = '<p>not text</p>';</script>"
                .repeat(100)
                .as_str()
        )
        .is_empty());
        let garbage: String = (0..20_000u32)
            .map(|i| char::from_u32(i * 7919 % 0xD7FF).unwrap_or('x'))
            .collect();
        let _ = extract(&garbage);
        let pdf =
            "%PDF-1.7\n%\u{e2}\u{e3}\u{cf}\u{d3}\n1 0 obj<</Type/Catalog>>endobj\n".repeat(500);
        assert!(extract(&pdf).is_empty());
        // No <body>: the text still comes out.
        assert_eq!(extract(&para(1)), expected_story(1));
        let nested = format!(
            "{}{}{}",
            "<b><i>".repeat(2_000),
            para(1),
            "</i></b>".repeat(2_000)
        );
        let _ = extract(&nested);
    }

    #[test]
    fn selector_overrides_detection() {
        let html = r#"<div id="story"><p>Only this paragraph is wanted here.</p></div><article><p>Not this long article paragraph which would otherwise win the scoring.</p></article>"#;
        let got: Vec<String> = blocks(&Html::parse_document(html), Some("#story"), None, None)
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(got, vec!["Only this paragraph is wanted here."]);
    }

    fn extract_declared(html: &str, declared: &str) -> Vec<String> {
        blocks(&Html::parse_document(html), None, Some(declared), None)
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    /// A declared article body: the story's paragraphs one a line.
    fn declared_story(n: usize) -> String {
        expected_story(n).join("\n")
    }

    #[test]
    fn declared_body_that_agrees_keeps_the_detected_blocks() {
        let html = format!(
            r#"<body><article>{}<h2>Reaction</h2>{}</article></body>"#,
            para(1),
            (2..=5).map(para).collect::<String>()
        );
        // The declared text has no paragraph breaks: the page's blocks stay.
        let declared = expected_story(5).join(" ");
        let mut want = expected_story(5);
        want.insert(1, "Reaction".to_string());
        assert_eq!(extract_declared(&html, &declared), want);
    }

    #[test]
    fn declared_body_picks_the_container_holding_it() {
        // A long comment thread outscores the short story it hangs under.
        let comment = |i: usize| {
            format!("<p>Reader comment {i} goes on at length about something else entirely, as comment threads do.</p>")
        };
        let html = format!(
            r#"<body><div id="story">{}</div><div id="thread">{}</div></body>"#,
            story(4),
            (1..=9).map(comment).collect::<String>()
        );
        assert_ne!(extract(&html), expected_story(4));
        assert_eq!(
            extract_declared(&html, &declared_story(4)),
            expected_story(4)
        );
    }

    #[test]
    fn declared_body_replaces_a_failed_detection() {
        // The page renders the story with JavaScript: only a teaser is there.
        let html = r#"<body><div id="app"><p>Loading the story, please wait while the page finishes.</p></div></body>"#;
        assert_eq!(
            extract_declared(html, &declared_story(6)),
            expected_story(6)
        );
    }

    #[test]
    fn teaser_or_unrelated_declared_body_is_not_used() {
        let html = format!("<body><article>{}</article></body>", story(6));
        // Cut off with an ellipsis: a teaser.
        let teaser = format!("{}…", declared_story(6));
        assert_eq!(extract_declared(&html, &teaser), expected_story(6));
        // Too short to judge by.
        assert_eq!(
            extract_declared(&html, "A summary of the story in a few words."),
            expected_story(6)
        );
        // Another text that is not much longer than what was found.
        let other = (1..=6)
            .map(|i| format!("Sentence {i} of a site description that has nothing to do with the article itself."))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(extract_declared(&html, &other), expected_story(6));
    }

    /// Site navigation and a page footer, the chrome around an article.
    const CHROME: &str = r#"<header class="site-header"><nav><a href="/">Home</a> <a href="/w">World</a></nav><p>The daily paper of record for the whole region, since 1901.</p></header>"#;

    #[test]
    fn an_article_inside_a_section_header_is_found() {
        // Page builders lay out every section, the story's too, as <header>.
        let html = format!(
            r#"<body>{CHROME}<main><header class="section_blog-post-content"><div class="rich-text">{}</div></header>
            <section><p>Subscribe</p></section></main><footer><p>Copyright the paper, all rights reserved in every territory.</p></footer></body>"#,
            story(5)
        );
        assert_eq!(extract(&html), expected_story(5));
    }

    #[test]
    fn an_article_hidden_until_a_script_reveals_it_is_found() {
        // Streamed server rendering sends the story in a hidden boundary that
        // a script moves into place; the visible shell holds a placeholder.
        let html = format!(
            r#"<body><div id="app">{CHROME}<template id="B:0"></template><p>Loading</p></div>
            <div hidden id="S:0"><article>{}</article></div></body>"#,
            story(5)
        );
        assert_eq!(extract(&html), expected_story(5));
    }

    #[test]
    fn an_article_wrapper_named_like_a_share_bar_is_read() {
        let html = format!(
            r#"<body><article><div class="post-content-wrap has-share-float"><div class="share-buttons"><a href="/s">Share</a></div>
            <div class="post-content">{}</div></div></article><aside><p>A short note on the sidebar.</p></aside></body>"#,
            story(5)
        );
        assert_eq!(extract(&html), expected_story(5));
    }

    #[test]
    fn a_hidden_copy_of_the_article_is_not_read_twice() {
        let html = format!(
            r#"<body>{CHROME}<article>{}</article><pre hidden class="raw-markdown">{}</pre></body>"#,
            story(4),
            expected_story(4).join("\n\n")
        );
        assert_eq!(extract(&html), expected_story(4));
    }

    #[test]
    fn a_long_sidebar_beside_a_short_article_does_not_replace_it() {
        let about = |i: usize| {
            format!("<p>About us, part {i}: the paper has covered the region for a century and will go on doing it.</p>")
        };
        let html = format!(
            r#"<body>{CHROME}<article>{}</article><aside class="about">{}</aside></body>"#,
            story(2),
            (1..=4).map(about).collect::<String>()
        );
        let got = extract(&html);
        for paragraph in expected_story(2) {
            assert!(got.contains(&paragraph), "{paragraph} missing from {got:?}");
        }
    }

    #[test]
    fn the_authors_card_after_the_story_is_not_article_text() {
        let card = r#"<div class="author-box" itemscope itemtype="https://schema.org/Person" itemprop="author">
              <img src="jane.jpg" alt="Jane Doe"><a href="/author/jane">Jane Doe</a>
              <div>Contributing Writer</div>
              <p>Jane Doe is a freelance writer who has covered courts and city politics for ten years.</p>
            </div>"#;
        let html = format!("<body><article>{}{card}</article></body>", story(3));
        assert_eq!(extract(&html), expected_story(3));
        // A page that is all author card (a profile) is still read.
        let profile = format!(r#"<body><div itemprop="author">{}</div></body>"#, story(3));
        assert_eq!(extract(&profile), expected_story(3));
    }

    fn extract_by(html: &str, byline: &str) -> Vec<String> {
        blocks(&Html::parse_document(html), None, None, Some(byline))
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    #[test]
    fn a_box_with_a_photo_that_tells_who_the_author_is_is_not_article_text() {
        let card = r#"<div class="box"><h3>About the Author</h3><div class="row">
              <img src="jane.jpg" alt=""><div><a href="/team/jane">Jane Doe</a>
              <p>Jane Doe is a freelance writer who has covered courts and city politics for ten years.</p>
            </div></div></div>"#;
        let html = format!("<body><article>{}{card}</article></body>", story(4));
        assert_eq!(
            extract_by(&html, "Jane Doe and John Roe"),
            expected_story(4)
        );
        // The same in Persian: the name opens the line in any language.
        let card_fa = r#"<div><img src="a.jpg"><p>سارا احمدی روزنامه‌نگار و نویسنده‌ای است که ده سال درباره دادگاه‌ها می‌نویسد.</p></div>"#;
        let html = format!("<body><article>{}{card_fa}</article></body>", story(4));
        assert_eq!(extract_by(&html, "سارا احمدی"), expected_story(4));
        // Without a photo it is a tagline the story closes with, and a line of
        // the story that opens with the author's name stays.
        let tagline = "<p>Jane Doe is a freelance writer who has covered courts and city politics for ten years.</p>";
        let html = format!("<body><article>{}{tagline}</article></body>", story(4));
        let mut expected = expected_story(4);
        expected.push("Jane Doe is a freelance writer who has covered courts and city politics for ten years.".into());
        assert_eq!(extract_by(&html, "Jane Doe"), expected);
        // A standfirst beside the byline's card is the story's, not the card's.
        let header = r#"<div class="header"><div><p>The minister resigned on Monday after the court ruled against the plan.</p></div>
              <div class="bylines"><a href="/jane">Jane Doe</a><div class="tip"><img src="jane.jpg">
              <div>Jane Doe is a freelance writer who covers the courts.</div></div></div></div>"#;
        let html = format!(
            r#"<body><article>{header}<div class="body">{}</div></article></body>"#,
            story(4)
        );
        let got = extract_by(&html, "Jane Doe");
        assert_eq!(
            got[0],
            "The minister resigned on Monday after the court ruled against the plan."
        );
        assert_eq!(got[1..], expected_story(4)[..]);
    }

    /// A box of `n` teasers of other guides: a headline that is not a link,
    /// a one-sentence summary and a link to the writer's page.
    fn teasers(n: usize) -> String {
        (1..=n)
            .map(|i| {
                format!(
                    r#"<div class="card"><img src="t{i}.jpg"><h3>Guide {i} to another topic</h3>
                    <p>Summary {i} of another guide on this site tells readers what they will learn there.</p>
                    <p>by <a href="/writers/w{i}">Writer {i}</a></p></div>"#
                )
            })
            .collect()
    }

    #[test]
    fn teasers_under_a_related_articles_title_are_not_article_text() {
        let faq = "<h2>Questions</h2><p>Readers often ask how the minister will answer the case in court next week.</p>";
        let html = format!(
            r#"<body><article>{}<section><h2>Related articles that may interest you</h2><div class="grid">{}</div></section>{faq}</article></body>"#,
            story(3),
            teasers(3)
        );
        let mut want = expected_story(3);
        want.push("Questions".into());
        want.push(
            "Readers often ask how the minister will answer the case in court next week.".into(),
        );
        assert_eq!(extract(&html), want);
        // The title may be a box of its own, with the teasers in the next.
        let html = format!(
            r#"<body><article>{}<div><div class="widget"><h2>Latest News</h2></div><div class="posts">{}</div></div>{faq}</article></body>"#,
            story(3),
            teasers(3)
        );
        assert_eq!(extract(&html), want);
        // A "most read" or "popular" box, in English, Persian and Arabic,
        // titled as such pages title them.
        for title in [
            "مطالب مرتبط",
            "مقالات ذات صلة",
            "Most read",
            "Popular now",
            "پربازدیدترین‌ها",
            "الأكثر قراءة",
        ] {
            let html = format!(
                r#"<body><article>{}<section><h2>{title}</h2><div class="grid">{}</div></section>{faq}</article></body>"#,
                story(3),
                teasers(3)
            );
            assert_eq!(extract(&html), want, "{title}");
        }
    }

    #[test]
    fn a_column_of_teasers_longer_than_a_short_story_does_not_replace_it() {
        let teaser = |i: usize| {
            format!(
                r#"<article class="post"><h3><a href="/news/{i}">Headline {i} of another story</a></h3><span>March {i}, 2025</span>
                <p>Excerpt {i} of another story goes on about what a reader of this site may want to know about claims, deadlines, appeals and the many forms the agency asks for, before it stops at the first words of a third sentence, because</p>
                <a href="/news/{i}">Read more</a></article>"#
            )
        };
        let column: String = (1..=4).map(teaser).collect();
        let html = format!(
            r#"<body><div class="row"><div class="col">{}</div>
            <div class="col"><div class="widget"><h2>Latest News</h2></div><div class="posts">{column}</div></div></div></body>"#,
            story(2)
        );
        assert_eq!(extract(&html), expected_story(2));
    }

    #[test]
    fn a_section_of_the_story_under_a_related_title_is_kept() {
        // A story's own section: prose with a link or two, or a list of
        // sources under "Further reading", is not a module of teasers.
        let html = format!(
            r#"<body><article>{}<h2>Recent stories</h2><p>Two recent stories, <a href="/a">one on the court</a> and <a href="/b">one on the minister</a>, ran last week.</p>
            <h2>Further reading</h2><ul><li><a href="/r1">The court's ruling in full</a></li><li><a href="/r2">The minister's statement</a></li><li><a href="/r3">The law at issue</a></li></ul>{}</article></body>"#,
            story(3),
            para(4)
        );
        let mut want = expected_story(3);
        want.extend([
            "Recent stories".to_string(),
            "Two recent stories, one on the court and one on the minister, ran last week.".into(),
            "Further reading".into(),
            "The court's ruling in full".into(),
            "The minister's statement".into(),
            "The law at issue".into(),
        ]);
        want.push(expected_story(4).pop().unwrap());
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn comments_dialogs_and_the_page_footer_are_never_taken_for_a_missed_article() {
        let comment = |i: usize| {
            format!("<p>Reader comment {i} goes on at length about something else entirely, as comment threads do.</p>")
        };
        let html = format!(
            r#"<body>{CHROME}<article>{}</article>
            <section class="comments">{}</section>
            <div role="dialog" aria-hidden="true"><p>This website uses cookies to improve your experience while you navigate through it, and to measure the audience.</p></div>
            <footer><p>This material is not intended to replace the advice of a qualified advisor, and no part of it is an offer of anything at all.</p></footer></body>"#,
            story(2),
            (1..=6).map(comment).collect::<String>()
        );
        assert_eq!(extract(&html), expected_story(2));
    }

    #[test]
    fn a_table_in_a_figure_is_article_text_and_its_caption_is_not() {
        let html = format!(
            r#"<body><article>{}<figure class="wp-block-table"><table><tr><td>1</td><td>North Dakota</td><td>82.0</td></tr></table>
            <figcaption>Table: the states ranked by their score this year.</figcaption></figure>
            <figure><img src="a.jpg"><figcaption>The minister arriving at the court on Monday morning.</figcaption></figure>{}</article></body>"#,
            para(1),
            para(2)
        );
        let mut want = expected_story(2);
        want.insert(1, "1 North Dakota 82.0".to_string());
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn list_items_made_of_links_are_article_text_and_other_links_are_not() {
        // A story lists its sources, products or chapters as links; a
        // heading or paragraph that is all link is a teaser or "read more".
        let html = format!(
            r#"<body><article>{}<ul><li><a href="https://x.example/cert">Google Ads Display Certification</a></li><li><a href="https://y.example/">Complexity Explorer</a></li></ul>
            <h3><a href="/other-story">Another story on this site, by its headline</a></h3>
            <p><a href="/other">Read our full review of the Osprey Atmos and eleven other packs</a></p>{}</article></body>"#,
            para(1),
            para(2)
        );
        let mut want = expected_story(2);
        want.splice(
            1..1,
            ["Google Ads Display Certification", "Complexity Explorer"].map(String::from),
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_sentence_of_the_story_told_mostly_in_links_is_kept_and_a_read_more_line_is_not() {
        // The story names the companies it speaks of as links: the sentence
        // is mostly link text, but it is the story's. A label before a link
        // ("Read more:", "Related:") is a cross-reference, and a line that
        // does not end as a sentence is a headline.
        let html = format!(
            r#"<body><article>{}<p>Companies using the service are <a href="/a">Northwind Traders</a>, <a href="/b">Contoso Pharmaceuticals</a>, <a href="/c">Fabrikam Logistics</a>, <a href="/d">Tailspin Toys</a>, etc.</p>
            <p>Read more: <a href="/r">The minister resigns after a week of questions about the contract.</a></p>
            <p>Also: <a href="/s">Ten things to know about the budget this year</a></p>{}</article></body>"#,
            para(1),
            para(2)
        );
        let mut want = expected_story(1);
        want.push("Companies using the service are Northwind Traders, Contoso Pharmaceuticals, Fabrikam Logistics, Tailspin Toys, etc.".into());
        want.push(expected_story(2)[1].clone());
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn an_faq_question_on_an_accordion_button_is_kept_when_its_answer_is_shown() {
        // An accordion's question is the label of the button that opens its
        // answer: text the reader sees, above the answer. A question whose
        // answer is hidden, a label that says what the button does, and a
        // link set up as a button whose answer is shown are read the same way.
        let html = format!(
            r#"<body><article>{}<h2>Questions</h2>
            <div><button aria-expanded="true" aria-controls="a1"><h3>Is the road open again?</h3><svg></svg></button>
              <div id="a1"><p>Yes: it reopened on Monday after the council cleared the last of the debris.</p></div></div>
            <div><a href="" role="button" aria-expanded="true"><h3>Who pays for the repairs?</h3></a>
              <div><p>The regional government pays, the minister said on Tuesday after the cabinet met.</p></div></div>
            <div><button aria-expanded="true">More info</button>
              <div><p>The council publishes its traffic notices every morning on its own site.</p></div></div>
            <div><button aria-expanded="false" aria-controls="a3"><h3>When was the bridge built?</h3></button>
              <div id="a3" hidden><p>It was built in 1961, and widened once, in the eighties.</p></div></div>
            <p><button>Share</button></p>{}</article></body>"#,
            para(1),
            para(2)
        );
        let mut want = expected_story(1);
        want.extend(
            [
                "Questions",
                "Is the road open again?",
                "Yes: it reopened on Monday after the council cleared the last of the debris.",
                "Who pays for the repairs?",
                "The regional government pays, the minister said on Tuesday after the cabinet met.",
                "The council publishes its traffic notices every morning on its own site.",
            ]
            .map(String::from),
        );
        want.push(expected_story(2)[1].clone());
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn utility_classes_do_not_make_the_article_look_like_chrome() {
        // Tailwind names widths and overflow, not what an element is.
        let html = format!(
            r#"<body><section class="page-section [--sidebar-width:18rem] lg:mr-[--sidebar-container-width]">
            <div class="prose overflow-hidden md:hidden lg:block"><ul>{}</ul></div></section>
            <div class="sidebar"><p>Short promo.</p></div></body>"#,
            (1..=4)
                .map(|i| format!("<li>Checklist item {i}: book the venue, the caterer and the band a year before the day.</li>"))
                .collect::<String>()
        );
        let want: Vec<String> = (1..=4)
            .map(|i| format!("Checklist item {i}: book the venue, the caterer and the band a year before the day."))
            .collect();
        assert_eq!(extract(&html), want);
        assert_eq!(class_names("a b"), "a b");
        assert_eq!(
            class_names("prose lg:max-w-none [--x:1] w-1/2 sidebar"),
            "prose sidebar"
        );
    }

    #[test]
    fn short_paragraphs_in_blocks_a_page_builder_calls_widgets_are_article_text() {
        // Page builders wrap every block of a story in a "widget" box.
        let paragraphs = [
            "The ministry confirmed on Monday that the new rules will apply to every school in the province from next year.",
            "Parents were not consulted.",
            "Teachers' unions said they would study the text before deciding whether to challenge it in court this winter.",
        ];
        let html = format!(
            "<body><article>{}</article></body>",
            paragraphs
                .iter()
                .map(|p| format!(r#"<div class="widget-container"><p>{p}</p></div>"#))
                .collect::<String>()
        );
        assert_eq!(extract(&html), paragraphs);
    }

    #[test]
    fn a_table_of_contents_and_data_shown_as_text_are_not_article_text() {
        let html = format!(
            r##"<body><article><p>Contents</p><ul><li><a href="#one">One: the first part</a></li><li><a href="#two">Two: the second part</a></li></ul>
            {}<div class="widget">{{"layoutMobile":2,"buttonText":"Buy now","productTitle":{{"hue":213}}}}</div>{}</article></body>"##,
            para(1),
            para(2)
        );
        assert_eq!(extract(&html), expected_story(2));
    }

    #[test]
    fn the_title_of_a_table_of_contents_is_not_article_text() {
        // Over its entries, with its toggle; right over its entries in the
        // story's flow; alone in a box a script fills in; in Persian.
        let html = format!(
            r##"<body><article>{}<h3>Contents</h3><ul><li><a href="#one">One: the first part</a></li></ul><div class="toc"><div><b>Table of Contents</b> <a href="#">hide</a></div><ul><li><a href="#one">One: the first part</a></li><li><a href="#two">Two: the second part</a></li></ul></div>
            {}<section><h2>On this page</h2></section>{}<div><p>فهرست مطالب</p><ol></ol></div>{}</article></body>"##,
            para(1),
            para(2),
            para(3),
            para(4)
        );
        assert_eq!(extract(&html), expected_story(4));
    }

    #[test]
    fn a_contents_title_over_text_of_the_story_is_kept() {
        // A paragraph that tells how the story is divided; sections named
        // and summed up, whose headings follow the title's own box.
        let html = format!(
            r##"<body><article>{}<h2>Table of Contents</h2><p>This article is long, so we have divided it into sections you can jump to.</p>
            {}<div><h2>In this guide</h2></div><div><h3>Step 1 - <a href="/backups">Backing up your data</a></h3><p>Five things to consider when backing up your data.</p><h3>Step 2 - <a href="/malware">Protecting your organisation from malware</a></h3><p>Five free tips that can help prevent malware damaging your organisation.</p></div>{}</article></body>"##,
            para(1),
            para(2),
            para(3)
        );
        let got = extract(&html);
        assert!(got.contains(&"Table of Contents".to_string()), "{got:?}");
        assert!(got.contains(&"In this guide".to_string()), "{got:?}");
    }

    #[test]
    fn a_box_about_the_author_after_the_story_is_not_article_text() {
        // A titled box with a photo and a bio, whoever the byline names; a
        // paragraph that opens with the title; the same in Persian.
        let html = format!(
            r##"<body><article><div class="body">{}</div>
            <section><h3>About the Author</h3><div><img src="a.jpg"><div>Scott Levine is a contributing stock market analyst covering energy and industrials. He holds a degree in English.</div><a href="/author/2420/">tmfscott</a></div></section>
            <p><strong>About the author:</strong> Craig Hull is a freelance photographer based in Eastern Europe. You can find more of his work on his website.</p>
            <div><p>درباره نویسنده</p><p>سارا احمدی روزنامه‌نگار و نویسنده حوزه فناوری است و ده سال است که درباره اقتصاد دیجیتال می‌نویسد.</p></div></article></body>"##,
            story(3)
        );
        assert_eq!(extract(&html), expected_story(3));
    }

    #[test]
    fn a_box_asking_to_rate_the_page_after_the_story_is_not_article_text() {
        // A rating widget opened by its question, with its counts; a
        // question alone in its box; a line with its buttons; in Arabic.
        let html = format!(
            r##"<body><article>{}<div class="widget"><p>How useful was this post?</p><p>Click on a star to rate it!</p><p>Average rating 5 / 5. Vote count: 1</p><p>No votes so far! Be the first to rate this post.</p></div>
            <div><div>Was this page helpful?</div><button aria-label="Thumbs up"></button></div>{}
            <p>Did you find this article helpful? Yes No</p><div><p>هل كان هذا المقال مفيدا؟</p></div></article></body>"##,
            story(2),
            para(3)
        );
        assert_eq!(extract(&html), expected_story(3));
    }

    #[test]
    fn an_about_the_author_section_in_the_storys_flow_is_kept() {
        // The story's paragraphs, then the section under the title, in the
        // same flow (a profile of the winemaker who wrote the guide).
        let html = format!(
            r##"<body><article>{}<h2>About the Author</h2><p>Matt Check is the head winemaker and co-founder of the winehouse, with a decade of experience in wine.</p></article></body>"##,
            story(3)
        );
        let mut expected = expected_story(3);
        expected.push("About the Author".into());
        expected.push("Matt Check is the head winemaker and co-founder of the winehouse, with a decade of experience in wine.".into());
        assert_eq!(extract(&html), expected);
    }

    #[test]
    fn list_items_that_point_to_other_pages_under_a_label_are_not_article_text() {
        // "See also:", "Don't miss:", "بیشتر بخوانید:" before a link; the
        // story's own list of linked sources stays.
        let html = format!(
            r##"<body><article>{}<ul><li><strong>See also:</strong> <a href="/film-vs-digital">Film vs Digital Cameras for Landscape Photography</a></li></ul>{}
            <ul><li><strong>Don’t Miss:</strong> <a href="/program-management">Program Management Software for Multi-Project Tracking</a></li><li>بیشتر بخوانید: <a href="/fa/1">راهنمای کامل عکاسی از منظره در سفر</a></li></ul>
            <ul><li><a href="/report">The ministry's annual report on the case</a></li></ul>{}</article></body>"##,
            para(1),
            para(2),
            para(3)
        );
        let mut expected = expected_story(3);
        expected.insert(2, "The ministry's annual report on the case".into());
        assert_eq!(extract(&html), expected);
    }

    #[test]
    fn links_between_posts_and_their_counters_are_not_article_text() {
        let html = format!(
            r##"<body><article>{}<p><a href="#comments">2comments</a></p><p>Print This Page</p>{}<h3>Related Posts</h3>{}
            <p>Previous article</p><p>Next article</p><p>مطلب بعدی</p>{}</article></body>"##,
            para(1),
            para(2),
            para(3),
            para(4)
        );
        assert_eq!(extract(&html), expected_story(4));
    }

    #[test]
    fn a_prompt_to_log_in_is_not_article_text() {
        // A paywall's prompt in the story, in English, French and Persian.
        let html = format!(
            r##"<body><article>{}<p>Already have an account? <a href="/login">Log in</a></p>{}
            <p>Vous avez déjà un compte ? Connectez-vous</p><p>حساب کاربری دارید؟ وارد شوید</p>{}</article></body>"##,
            para(1),
            para(2),
            para(3)
        );
        assert_eq!(extract(&html), expected_story(3));
    }

    #[test]
    fn a_paragraph_inside_a_list_item_is_the_list_item() {
        let html = format!(
            r#"<body><article>{}<ul><li><p>Excellent tooling support out of the box</p></li><li><p>High quality documentation</p></li></ul>{}</article></body>"#,
            para(1),
            para(2)
        );
        let kinds: Vec<BlockKind> = blocks(&Html::parse_document(&html), None, None, None)
            .into_iter()
            .map(|b| b.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::Paragraph,
                BlockKind::ListItem,
                BlockKind::ListItem,
                BlockKind::Paragraph
            ]
        );
    }

    #[test]
    fn the_longest_paragraph_does_not_stand_for_the_whole_article() {
        // One paragraph, split by line breaks, holds most of the prose: the
        // paragraphs and the list around it are the article too.
        let long = (1..=6)
            .map(|i| format!("Paragraph {i} of the story reports what the minister said about the case on Monday."))
            .collect::<Vec<_>>()
            .join("<br><br>");
        let html = format!(
            r#"<body><div class="body">{}<ul><li>A short point</li><li>Another short point</li></ul><p>{long}</p></div>
            <div class="footer"><a href="/terms">Terms</a> <a href="/privacy">Privacy</a></div></body>"#,
            para(0)
        );
        let got = extract(&html);
        assert_eq!(got.len(), 9, "{got:?}");
        assert!(got[0].starts_with("Paragraph 0"));
        assert_eq!(got[1], "A short point");
    }

    #[test]
    fn data_tables_and_lists_of_facts_weigh_as_article_text_not_as_noise() {
        // Rows of figures are not prose, but unlike link lists they are not
        // page chrome either: the article holding them still wins.
        let row = |i: usize| {
            format!("<tr><td>{i}</td><td>School of Business number {i}</td><td>{i}%</td><td>700</td></tr>")
        };
        let html = format!(
            r#"<body><nav><a href="/a">Rankings</a> <a href="/b">Schools</a></nav><div class="entry">{}
            <table><tr><th>Rank and name of the school, with its acceptance rate and its median test score</th></tr>{}</table>{}</div></body>"#,
            para(1),
            (1..=30).map(row).collect::<String>(),
            para(2)
        );
        let got = extract(&html);
        assert_eq!(got.len(), 33, "{got:?}");
        assert_eq!(got[0], expected_story(1)[0]);
        assert_eq!(got[32], expected_story(2)[1]);
    }

    #[test]
    fn an_article_the_page_renders_twice_is_read_once() {
        // One copy for small screens, one for large: the second starts over.
        let html = format!(
            r#"<body><div class="article"><div class="mobile">{}</div><div class="desktop">{}</div></div></body>"#,
            story(5),
            story(5)
        );
        assert_eq!(extract(&html), expected_story(5));
    }

    #[test]
    fn blocks_the_story_itself_repeats_are_kept() {
        // A plan listing the same items for each of its days.
        let day = |d: usize| {
            format!("<h3>Day {d}</h3><p>Breakfast: two eggs and a cup of asparagus.</p><p>Lunch: a tomato and cucumber salad with feta.</p><p>Dinner: beef and peppers with olives.</p>")
        };
        let html = format!(
            "<body><article>{}{}{}{}</article></body>",
            story(3),
            day(1),
            day(2),
            day(3)
        );
        assert_eq!(extract(&html).len(), 3 + 3 * 4);
    }

    #[test]
    fn boxes_inside_the_articles_flow_do_not_replace_it() {
        // A review whose product cards hold most of the prose: the article's
        // own paragraphs around the cards are kept.
        let card = |i: usize| {
            format!("<div class=\"product-card\"><h3>Lamp {i}</h3><p>A smooth glowing half sphere that looks like a soft sunrise, lamp {i} starts and ends the day gently with warm light.</p></div>")
        };
        let html = format!(
            r#"<body><div class="entry-content">{}<div class="product-grid">{}</div>{}</div><div class="author-bio-box"><a href="/a">Irene</a></div></body>"#,
            para(1),
            (1..=8).map(card).collect::<String>(),
            para(2)
        );
        let got = extract(&html);
        assert_eq!(got.first(), expected_story(1).first());
        assert_eq!(got.last(), expected_story(2).last());
        assert_eq!(got.len(), 2 + 16);
    }

    #[test]
    fn an_intro_in_its_own_box_before_the_article_is_kept() {
        // The layout puts the intro in a box of its own before the body,
        // with a byline and an image between them.
        let intro = "<p>Readers asked us how the new rules work, so we read all of them and talked to experts.</p><p>Here is what changes for tenants, landlords and the courts this year, point by point.</p>";
        let html = format!(
            r#"<body><main><div class="summary">{intro}</div><div class="byline">By A. Writer</div><figure><img src="a.jpg"></figure><div class="text">{}</div></main><div class="promos"><a href="/x">Another story</a></div></body>"#,
            story(8)
        );
        let got = extract(&html);
        assert_eq!(
            got[..2],
            [
                "Readers asked us how the new rules work, so we read all of them and talked to experts.",
                "Here is what changes for tenants, landlords and the courts this year, point by point.",
            ]
        );
        assert_eq!(got[2..], expected_story(8));
    }

    #[test]
    fn a_story_cut_into_boxes_laid_out_alike_keeps_its_opening_box() {
        // A page builder cuts the story into rich-text boxes (numbered per
        // instance) with a download form between them; the opening box holds
        // a table of contents, so it has too many links to pass for a lead.
        let opening = r##"<div class="rich-text w-node-3fa2c81"><p>Electrical contractors build the grid that homes and factories run on, from substations to wiring.</p><ul><li><a href="#lists">Who made the lists</a></li><li><a href="#growth">The ten fastest growing firms of the year</a></li><li><a href="#size">Why the largest firms keep growing</a></li><li><a href="#lessons">What smaller contractors can learn from them</a></li></ul><h2 id="lists">Who made the lists</h2><p>We read the two lists the industry trusts, one magazine's and the other's, to find the best firms.</p><p>In total, thirty-nine companies made both lists, each with more than two hundred million in revenue.</p></div>"##;
        let form = r#"<div class="cta-box"><div class="cta-heading">Free download</div><form><input name="email"></form><div class="form-done">Thank you! Your submission has been received!</div><div class="form-fail">Oops! Something went wrong while submitting the form.</div></div>"#;
        let html = format!(
            r#"<body><div class="post-body">{opening}{form}<div class="rich-text w-node-91bd07e">{}</div></div></body>"#,
            story(12)
        );
        let want = lines_then_story(
            &[
                "Electrical contractors build the grid that homes and factories run on, from substations to wiring.",
                "Who made the lists",
                "We read the two lists the industry trusts, one magazine's and the other's, to find the best firms.",
                "In total, thirty-nine companies made both lists, each with more than two hundred million in revenue.",
            ],
            12,
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_box_after_the_story_laid_out_like_it_is_not_part_of_it() {
        // The author's bio and the newsletter box reuse the story's text
        // layout after it ends.
        let html = format!(
            r#"<body><div class="post-body"><div class="text-block">{}</div><div class="text-block"><p>Ann Example covers energy and labour for the paper, and before that she covered the courts.</p><p>Get all the latest posts delivered straight to your inbox every week, free.</p></div></div></body>"#,
            story(8)
        );
        assert_eq!(extract(&html), expected_story(8));
    }

    /// A page whose story box is followed, in the column around it, by a
    /// call to action and a box `questions` of questions and answers.
    fn story_then_questions(questions: &str) -> String {
        format!(
            r#"<body><main><div class="column"><div class="post"><div class="post-text">{}</div></div><div class="cta"><a href="/demo">Book a demo</a></div><div class="faq-box">{questions}</div></div></main></body>"#,
            story(10)
        )
    }

    #[test]
    fn the_questions_and_answers_after_the_story_are_part_of_it() {
        // Guides close with "Frequently asked questions" in a box of their
        // own after the story's box, which narrowing to that box left out.
        let html = story_then_questions(
            r#"<h2>Frequently Asked Questions</h2><div class="item"><h3>How long does the permit take?</h3><div><p>Most permits are issued within six weeks of a complete application, the ministry says.</p></div></div><div class="item"><h3>Can I appeal a refusal?</h3><div><p>Yes: an appeal goes to the regional board within thirty days of the written decision.</p></div></div>"#,
        );
        let mut want = expected_story(10);
        want.extend(
            [
                "Frequently Asked Questions",
                "How long does the permit take?",
                "Most permits are issued within six weeks of a complete application, the ministry says.",
                "Can I appeal a refusal?",
                "Yes: an appeal goes to the regional board within thirty days of the written decision.",
            ]
            .map(String::from),
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn the_persian_questions_and_answers_after_the_story_are_part_of_it() {
        let html = story_then_questions(
            r#"<h2>سوالات متداول</h2><h3>مجوز چقدر طول می‌کشد؟</h3><p>بیشتر مجوزها ظرف شش هفته پس از تکمیل درخواست صادر می‌شوند، به گفته وزارتخانه.</p><h3>آیا می‌توانم به رد درخواست اعتراض کنم؟</h3><p>بله، اعتراض ظرف سی روز پس از ابلاغ تصمیم کتبی به هیئت منطقه‌ای می‌رود.</p>"#,
        );
        let got = extract(&html);
        assert_eq!(got[..10], expected_story(10)[..]);
        assert_eq!(
            got[10..],
            [
                "سوالات متداول",
                "مجوز چقدر طول می‌کشد؟",
                "بیشتر مجوزها ظرف شش هفته پس از تکمیل درخواست صادر می‌شوند، به گفته وزارتخانه.",
                "آیا می‌توانم به رد درخواست اعتراض کنم؟",
                "بله، اعتراض ظرف سی روز پس از ابلاغ تصمیم کتبی به هیئت منطقه‌ای می‌رود.",
            ]
        );
    }

    #[test]
    fn questions_after_the_story_whose_answers_are_hidden_are_not_read() {
        // Only the questions show (each answer in a closed panel): a list of
        // questions is no text of the story, however long they are.
        let html = story_then_questions(
            r#"<h2>FAQs</h2><p>What are the main principles that every company should follow to keep its data safe?</p><div hidden><p>Confidentiality, integrity and availability are the basics that keep data safe.</p></div><p>How often should a company run security audits and assessments of its own networks?</p><div hidden><p>Most companies audit once a year and after every major change to their systems.</p></div>"#,
        );
        assert_eq!(extract(&html), expected_story(10));
    }

    #[test]
    fn a_box_after_the_story_that_only_mentions_questions_is_not_part_of_it() {
        // The title of a box of questions is a short line: a sentence that
        // names them (a sign-up box, a bio) does not make its box one.
        let html = story_then_questions(
            r#"<p>Our FAQ and our support team answer the questions readers send us about their subscriptions every day.</p><p>Readers who subscribe get the weekly letter and the archive, and can cancel at any time online.</p>"#,
        );
        assert_eq!(extract(&html), expected_story(10));
    }

    #[test]
    fn an_h1_after_the_story_began_heads_a_section_of_it() {
        // Blogs and documentation set their section titles as `<h1>`s too:
        // the first `<h1>` is the headline, a later one after a sentence of
        // the story is one of its headings.
        let html = format!(
            r#"<body><article><h1>How the port was sold</h1>{}<h1>What the contract says</h1>{}</article></body>"#,
            story(3),
            (4..=6).map(para).collect::<String>()
        );
        let mut want = expected_story(3);
        want.push("What the contract says".into());
        want.extend(expected_story(6).split_off(3));
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn h1s_before_the_story_are_no_text_of_it() {
        // A site name set as an `<h1>` and then the headline: neither follows
        // a sentence of the story, so neither is its text.
        let html = format!(
            r#"<body><div class="top"><h1>The Daily Example</h1></div><article><h1>How the port was sold</h1>{}</article></body>"#,
            story(4)
        );
        assert_eq!(extract(&html), expected_story(4));
    }

    /// `n` rows of a table of films that tells a list page's story.
    fn film_rows(n: usize) -> String {
        (1..=n)
            .map(|i| format!("<tr><th>Film {i}</th><td>19{i}0</td><td>A woman relives the same day over and over, and tries to stop the events of the past, number {i}.</td></tr>"))
            .collect()
    }

    #[test]
    fn bare_paragraphs_before_a_table_that_tells_the_story_are_its_lead() {
        // A list page: two paragraphs introduce it, set one by one beside the
        // table of entries that holds most of its prose.
        let rows = film_rows(30);
        let html = format!(
            r#"<body><div class="content"><div class="note">This is a list that may never be complete.</div><p>This list of films featuring time loops names films in which characters live the same period again and again.</p><p>For a list of films that include any kind of time travel (including time loops) see <a href="/travel">time travel in films</a>.</p><table><tbody>{rows}</tbody></table></div></body>"#
        );
        let got = extract(&html);
        assert_eq!(
            got[..2],
            [
                "This list of films featuring time loops names films in which characters live the same period again and again.",
                "For a list of films that include any kind of time travel (including time loops) see time travel in films."
            ]
        );
        assert_eq!(got.len(), 32);
    }

    #[test]
    fn one_bare_paragraph_before_a_table_is_not_its_lead() {
        let rows = film_rows(30);
        let html = format!(
            r#"<body><div class="content"><p>Photo of the week shows the old cinema on the <a href="/sq">square</a> in the rain, with its sign lit.</p><div class="ad">Advertisement</div><table><tbody>{rows}</tbody></table></div></body>"#
        );
        assert_eq!(extract(&html).len(), 30);
    }

    #[test]
    fn a_lone_intro_paragraph_beside_the_story_is_kept() {
        let html = format!(
            r#"<body><main><div class="post"><div class="intro"><p>The tax office now lets everyone file a return online at no cost, with a tool of its own.</p></div><div class="meta">March 3</div><div class="body">{}</div></div></main></body>"#,
            story(8)
        );
        let got = extract(&html);
        assert_eq!(
            got[0],
            "The tax office now lets everyone file a return online at no cost, with a tool of its own."
        );
        assert_eq!(got[1..], expected_story(8));
    }

    #[test]
    fn an_affiliate_disclosure_between_the_intro_and_the_story_does_not_cut_the_intro_off() {
        let intro = "<p>We drove the western states for three months and rented a car in every one of them.</p><p>This guide tells you which rental companies are worth it, and which ones are not.</p>";
        let html = format!(
            r#"<body><main><div class="intro">{intro}</div><div class="note">Note: Some posts may contain affiliate links, which earn us a small fee at no cost to you. Read more in our <a href="/p">Privacy Policy</a>, <a href="/g">Publishing Guidelines</a> and <a href="/e">Editorial Standards</a>.</div><div class="text">{}</div></main></body>"#,
            story(8)
        );
        let got = extract(&html);
        assert_eq!(
            got[..2],
            [
                "We drove the western states for three months and rented a car in every one of them.",
                "This guide tells you which rental companies are worth it, and which ones are not.",
            ]
        );
        assert_eq!(got[2..], expected_story(8));
    }

    #[test]
    fn a_lone_intro_in_a_box_of_its_own_before_the_wrappers_of_the_story_is_kept() {
        let intro = "Shopping for a house? There are many things to weigh when looking at homes, like price and location.";
        let html = format!(
            r#"<body><main><div class="hero"><div class="dek"><p>{intro}</p></div></div><div class="wrap"><div class="inner"><div class="body">{}</div></div></div></main></body>"#,
            story(8)
        );
        let got = extract(&html);
        assert_eq!(got[0], intro);
        assert_eq!(got[1..], expected_story(8));
        // A labelled box up there is a summary or a promotion, not the intro.
        let html = format!(
            r#"<body><main><div class="hero"><div class="dek"><h4>Synopsis</h4><p>{intro}</p></div></div><div class="wrap"><div class="inner"><div class="body">{}</div></div></div></main></body>"#,
            story(8)
        );
        assert_eq!(extract(&html), expected_story(8));
    }

    #[test]
    fn a_caption_a_byline_or_a_disclosure_alone_beside_the_story_is_not_its_intro() {
        for lone in [
            r#"<div class="figure"><img src="a.jpg"><div class="text">The minister arrives at the court in the capital on Monday, where the case was heard.</div></div>"#,
            r#"<div class="author"><p>By Ann Example, Senior Correspondent for Energy and Labour, in the capital</p></div>"#,
            r#"<div class="note"><p>We independently test everything we recommend. Buying through links on our site supports our work.</p></div>"#,
        ] {
            let html = format!(
                r#"<body><main><div class="post">{lone}<div class="body">{}</div></div></main></body>"#,
                story(8)
            );
            assert_eq!(extract(&html), expected_story(8), "{lone}");
        }
    }

    #[test]
    fn teasers_captions_and_disclosures_before_the_article_are_not_its_lead() {
        let teasers = (1..=3)
            .map(|i| format!(r#"<div class="card"><h3><a href="/s{i}">Story {i}</a></h3><p>A summary of story {i}, which is about something else that happened this week.</p></div>"#))
            .collect::<String>();
        let other = "<article><p>Another story of the day begins here, with a paragraph long enough to count.</p><p>It goes on with a second paragraph that is about something else entirely.</p></article>";
        let html = format!(
            r#"<body><main><div class="cards">{teasers}</div><div class="note"><p>We may earn a commission when you buy through links on this page, at no cost to you.</p></div><div class="photo"><p>The minister arrives at the court in the capital on Monday, where the case was heard.</p></div>{other}<div class="text">{}</div></main></body>"#,
            story(20)
        );
        assert_eq!(extract(&html), expected_story(20));
    }

    #[test]
    fn a_page_whose_only_sentences_are_in_its_chrome_is_not_empty() {
        let html = r##"<body><header><nav><ul><li><a href="/a">Work</a></li><li><div class="menu-promo"><p>Partner with our agency and grow your business this year.</p></div></li></ul></nav></header>
            <main><div class="grid"><a href="/w/1">Project one</a> <a href="/w/2">Project two</a></div></main>
            <div id="proposal" style="display:none"><p>By sending this form, you agree to receive our texts and calls.</p></div></body>"##;
        assert_eq!(
            extract(html),
            [
                "Partner with our agency and grow your business this year.",
                "By sending this form, you agree to receive our texts and calls."
            ]
        );
    }

    #[test]
    fn buttons_labels_and_placeholders_inside_the_article_are_not_article_text() {
        let html = format!(
            r#"<body><article>{}<p>Share this on:</p><div>Article Continues Below</div><p>Loading paragraph...</p>{}<div class="cta">Buy now</div><h3>You might also like</h3><p>Written by Ann Example</p>{}</article></body>"#,
            story(3),
            (4..=6).map(para).collect::<String>(),
            (7..=8).map(para).collect::<String>()
        );
        assert_eq!(extract(&html), expected_story(8));
    }

    #[test]
    fn a_table_of_figures_that_closes_the_story_is_kept_with_its_linked_names() {
        let rows = [
            ("Haas School of Business", "59%", "700"),
            ("Booth School of Business", "17%", "691"),
            ("Kellogg School of Management", "11%", "664"),
        ];
        let body: String = rows
            .iter()
            .map(|(name, women, score)| {
                format!(
                    r#"<tr><td><a href="/s">{name}</a></td><td>{women}</td><td>{score}</td></tr>"#
                )
            })
            .collect();
        let html = format!(
            r#"<body><article>{}<table><tr><th>Business school ranked by the magazine this year</th><th>Share of women among entering students</th><th>Average test score</th></tr>{body}</table><div class="tags"><a href="/t">MBA</a></div></article></body>"#,
            story(4)
        );
        let got = extract(&html);
        assert_eq!(got[..4], expected_story(4));
        assert_eq!(
            got[4..],
            [
                "Business school ranked by the magazine this year Share of women among entering students Average test score",
                "Haas School of Business 59% 700",
                "Booth School of Business 17% 691",
                "Kellogg School of Management 11% 664",
            ]
        );
    }

    #[test]
    fn a_table_that_lays_out_the_page_is_not_read_on_past_the_story() {
        // One cell a row: the rows are boxes of the page, not data.
        let html = format!(
            r#"<body><table><tr><td>{}</td></tr><tr><td>And the minister said that the case would be heard again next spring, in the capital.</td></tr><tr><td>Front-row access to the future</td></tr><tr><td>A bundle of software tools</td></tr></table></body>"#,
            story(4)
        );
        let mut want = expected_story(4);
        want.push(
            "And the minister said that the case would be heard again next spring, in the capital."
                .into(),
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_list_that_closes_the_article_is_kept() {
        let html = format!(
            r#"<body><article>{}<p>Check these at every service:</p><ul><li>Belts and hoses</li><li>Exhaust system</li><li>Wiper blades</li></ul>
            <div>Posted in</div><div>Car care</div></article></body>"#,
            story(3)
        );
        let mut want = expected_story(3);
        want.extend(
            [
                "Check these at every service:",
                "Belts and hoses",
                "Exhaust system",
                "Wiper blades",
            ]
            .map(String::from),
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_sentence_that_introduces_a_list_opens_the_story() {
        let html = format!(
            r#"<body><article><div>By Jane Doe</div><p>Tour packages are good for both travellers and tour operators:</p>
            <ul><li>They help travellers plan a trip in a place they do not know, with the best things booked.</li>
            <li>They help tour operators sell more of what they offer to a broader audience of customers.</li></ul>{}</article></body>"#,
            story(3)
        );
        let want = lines_then_story(
            &[
                "Tour packages are good for both travellers and tour operators:",
                "They help travellers plan a trip in a place they do not know, with the best things booked.",
                "They help tour operators sell more of what they offer to a broader audience of customers.",
            ],
            3,
        );
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn the_heading_right_before_the_first_paragraph_is_kept() {
        let html = format!(
            r#"<body><div class="menu"><a href="/">Home</a></div><div class="post"><div>March 3</div>
            <h2>Reduce, reuse, recycle: ideas for less waste at home</h2>{}</div></body>"#,
            story(4)
        );
        let want = lines_then_story(&["Reduce, reuse, recycle: ideas for less waste at home"], 4);
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_heading_over_a_form_or_a_list_is_not_the_heading_of_the_story() {
        // The sign-up form is dropped, and its heading with it.
        let html = format!(
            r#"<body><div class="post"><h3>Want more news like this?</h3><form><label>Your email address</label><input type="email"></form>{}</div></body>"#,
            story(4)
        );
        assert_eq!(extract(&html), expected_story(4));
        // A heading over a list that opens the page titles a summary box.
        let item = "The new rules let anyone file a tax return online, at no cost, with the office's own tool.";
        let html = format!(
            r#"<body><div class="post"><h2>Key takeaways</h2><ul><li>{item}</li></ul>{}</div></body>"#,
            story(4)
        );
        let want = lines_then_story(&[item], 4);
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_closing_line_without_a_full_stop_is_kept_and_labels_and_links_after_it_are_not() {
        let note = "Note: Review data is based on an update from 2 May, 2025";
        let html = format!(
            r#"<body><article>{}<p><strong>Note:</strong> Review data is based on an update from 2 May, 2025</p>
            <p>Filed under</p><p><a href="/g">A guide to moving house in the city this spring</a></p></article></body>"#,
            story(3)
        );
        let mut want = expected_story(3);
        want.push(note.to_string());
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_sign_off_after_the_story_is_kept() {
        let html = format!(
            r#"<body><article>{}<p>Happy reading!</p><p>Love and light,</p><p>Filed under</p></article></body>"#,
            story(3)
        );
        let mut want = expected_story(3);
        want.extend(["Happy reading!".to_string(), "Love and light,".to_string()]);
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn one_word_items_of_a_list_in_the_story_are_kept_and_numbers_are_not() {
        let html = format!(
            r#"<body><article>{}<p>Apps that help you meditate every day:</p><ul><li>Headspace</li><li>Buddhify</li><li><a href="/c">Calm</a></li></ul>
            <ul class="pages"><li>1</li><li>2</li></ul>{}</article></body>"#,
            para(1),
            para(2)
        );
        let want: Vec<String> = [
            "Paragraph 1 of the story reports what the minister said about the case on Monday.",
            "Apps that help you meditate every day:",
            "Headspace",
            "Buddhify",
            "Calm",
            "Paragraph 2 of the story reports what the minister said about the case on Monday.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_drop_cap_in_a_box_of_its_own_joins_its_word() {
        let html = format!(
            r#"<body><article><div class="first-letter">D</div><div class="text"><p>uring the war, the town lost half of its people to the cities of the coast and the north.</p>{}</div></article></body>"#,
            story(3)
        );
        let got = extract(&html);
        assert_eq!(
            got[0],
            "During the war, the town lost half of its people to the cities of the coast and the north."
        );
        assert_eq!(got[1..], expected_story(3));
    }

    #[test]
    fn a_drop_cap_set_as_a_link_joins_its_word_and_leaves_no_link_behind() {
        // The letter's block is left empty, its link text with it: a block
        // holding more link text than text overflowed the measures of prose.
        let html = format!(
            r#"<body><article><div class="first-letter"><a href="/">D</a></div><div class="text"><p>uring the war, the town lost half of its people to the cities of the coast and the north.</p>{}</div></article></body>"#,
            story(3)
        );
        let got = extract(&html);
        assert_eq!(
            got[0],
            "During the war, the town lost half of its people to the cities of the coast and the north."
        );
        assert_eq!(got[1..], expected_story(3));
        // A short note (no block long enough to be prose) is all read.
        let note = r#"<body><div><a href="/d">D</a></div><div><p>uring the night, the office closed.</p></div></body>"#;
        assert_eq!(extract(note), ["During the night, the office closed."]);
    }

    #[test]
    fn a_long_intro_in_a_box_with_an_image_is_kept() {
        let intro = "Most people in the country need more fibre, calcium, vitamin D and potassium in their diet, and they eat too much added sugar, saturated fat and salt, the new national guidelines say.";
        let html = format!(
            r#"<body><main><div class="post"><div class="summary"><div class="text"><p>{intro}</p></div><div class="image"><img src="a.jpg"></div></div><div class="meta">March 3</div><div class="body">{}</div></div></main></body>"#,
            story(8)
        );
        let got = extract(&html);
        assert_eq!(got[0], intro);
        assert_eq!(got[1..], expected_story(8));
    }

    #[test]
    fn a_callout_aside_between_the_storys_paragraphs_is_kept_and_a_sidebar_aside_is_not() {
        let callout = "Americans spend a lot of time sitting: at desks, in cars, and in front of screens. Break up your sitting time by getting up and moving around, even if it is for only ten minutes at a time.";
        let html = format!(
            r#"<body><article>{}<aside><p><strong>Do not just sit there!</strong> {callout}</p></aside>
            <h2>Clinical trials</h2>{}<aside><p>Related:</p><ul><li><a href="/a">How to stay active at work when your days are long and busy</a></li><li><a href="/b">Ten stretches to do at your desk between meetings</a></li></ul></aside>{}</article>
            <aside><p>Our newsletter brings you the week's health news every Monday morning, with tips from our doctors.</p></aside></body>"#,
            story(4),
            para(5),
            para(6)
        );
        let mut want = expected_story(6);
        want.insert(4, format!("Do not just sit there! {callout}"));
        want.insert(5, "Clinical trials".to_string());
        assert_eq!(extract(&html), want);
    }

    /// A news page as sites written without spaces lay it out: a menu of
    /// short links, the headline and a dateline, the story's `paragraphs`
    /// in a box named in the site's own tongue, a box of related stories
    /// and a footer.
    fn unspaced_news_page(
        lang: &str,
        menu: &[&str],
        headline: &str,
        dateline: &str,
        paragraphs: &[&str],
        related: &[&str],
        footer: &[&str],
    ) -> String {
        let links = |texts: &[&str], at: &str| {
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| format!(r#"<li><a href="/{at}/{i}.html">{t}</a></li>"#))
                .collect::<String>()
        };
        let paragraphs: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
        let footer: String = footer.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!(
            r#"<html lang="{lang}"><body>
            <div class="top"><ul>{}</ul></div>
            <div class="main">
              <h1>{headline}</h1>
              <div class="info">{dateline}</div>
              <div class="wz">{paragraphs}</div>
              <div class="xg"><h3>{}</h3><ul>{}</ul></div>
            </div>
            <div class="foot">{footer}</div>
            </body></html>"#,
            links(menu, "pd"),
            related[0],
            links(&related[1..], "a"),
        )
    }

    #[test]
    fn a_chinese_storys_short_paragraphs_are_the_article_and_its_menu_and_boxes_are_not() {
        let story = [
            "受强降雨影响，广东、广西等地多条高速公路和铁路线路于周一中断运行。",
            "气象部门表示，未来三天南方仍将有大到暴雨，局地可能出现特大暴雨。",
            "铁路部门已停运部分列车，并为滞留旅客提供免费改签和退票服务。",
            "当地政府已连夜组织低洼地区居民转移，目前尚无人员伤亡的报告。",
        ];
        let html = unspaced_news_page(
            "zh-CN",
            &["首页", "国内", "国际", "财经", "体育", "科技", "娱乐"],
            "暴雨致南方多地交通中断",
            "2024-05-13 09:30 来源：新华网",
            &story,
            &[
                "相关新闻",
                "广东启动防汛四级应急响应",
                "广西多地学校停课一天",
                "南方电网全力抢修受损线路",
            ],
            &[
                "关于我们 | 联系我们 | 广告服务",
                "版权所有 新闻网 京ICP备12345678号",
            ],
        );
        assert_eq!(extract(&html), story);
    }

    #[test]
    fn a_japanese_storys_short_paragraphs_are_the_article_and_its_menu_and_boxes_are_not() {
        let story = [
            "西日本を中心に降り続いた大雨の影響で、山陽新幹線は十三日朝から運転を見合わせた。",
            "ＪＲ西日本によると、運転再開は午後になる見通しで、約五万人に影響が出ている。",
            "気象庁は、土砂災害や河川の増水に引き続き警戒するよう呼びかけている。",
            "各地の自治体は避難所を開設し、住民に早めの避難を求めた。",
        ];
        let html = unspaced_news_page(
            "ja",
            &["ホーム", "国内", "国際", "経済", "スポーツ", "エンタメ"],
            "大雨で新幹線が一時運転見合わせ",
            "2024年5月13日 9時30分",
            &story,
            &[
                "関連記事",
                "九州で記録的な大雨、各地で避難指示",
                "高速道路の通行止め続く",
                "気象庁が会見、警戒呼びかけ",
            ],
            &[
                "このサイトについて | お問い合わせ",
                "Copyright © ニュース All rights reserved.",
            ],
        );
        assert_eq!(extract(&html), story);
    }

    #[test]
    fn a_thai_storys_short_paragraphs_are_the_article_and_its_menu_and_boxes_are_not() {
        let story = [
            "ฝนตกหนักต่อเนื่องทำให้เกิดน้ำท่วมในหลายจังหวัดทางภาคเหนือของประเทศ",
            "กรมอุตุนิยมวิทยาเตือนว่าฝนจะตกหนักต่อไปอีกอย่างน้อยสามวัน",
            "เจ้าหน้าที่ได้อพยพประชาชนออกจากพื้นที่เสี่ยงแล้วหลายพันครัวเรือน",
            "ยังไม่มีรายงานผู้เสียชีวิตจากเหตุการณ์ครั้งนี้",
        ];
        let html = unspaced_news_page(
            "th",
            &["หน้าแรก", "ข่าว", "กีฬา", "บันเทิง", "เศรษฐกิจ"],
            "ฝนตกหนักทำให้น้ำท่วมหลายจังหวัด",
            "13 พ.ค. 2567 09:30 น.",
            &story,
            &[
                "ข่าวที่เกี่ยวข้อง",
                "น้ำท่วมเชียงใหม่ระดับน้ำยังสูง",
                "รัฐบาลเตรียมงบช่วยผู้ประสบภัย",
                "ถนนหลายสายปิดการจราจร",
            ],
            &["เกี่ยวกับเรา | ติดต่อเรา", "สงวนลิขสิทธิ์ ข่าวออนไลน์"],
        );
        assert_eq!(extract(&html), story);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "{}<p>Deep text that is long enough to be scored as content.</p>{}",
            "<div>".repeat(5_000),
            "</div>".repeat(5_000)
        );
        let got = extract(&html);
        assert!(got.len() <= 1);
    }

    #[test]
    fn linked_heading_of_a_section_of_the_story_is_kept() {
        // A listicle's entries are headed by the name of what they review,
        // linked to it: each heads paragraphs of the story, so it is the
        // story's heading, not a teaser's headline. A teaser's linked
        // headline heads a one-line summary; a labelled cross-reference
        // stays out, as does a link to a place on the page.
        let html = r##"<body><article>
          <p>We tried a dozen online course platforms over three months and kept these two.</p>
          <h2><a href="https://platform-one.example/">1. Platform One</a></h2>
          <p>Platform One gives creators a course builder, quizzes and certificates out of the box.</p>
          <p>Its cheapest plan costs twenty dollars a month and allows unlimited students.</p>
          <h2><a href="https://platform-two.example/pricing">2. Platform Two</a></h2>
          <p>Platform Two is built for communities, with live sessions and member forums.</p>
          <ul><li>Live video sessions</li><li>Member forums</li></ul>
          <h3><a href="/blog/other-story">Another story on this site, by its headline</a></h3>
          <p>A one-line summary of that other story, which sits here as a teaser.</p>
          <h3><a href="/blog/more">Related: Why course platforms keep raising prices</a></h3>
          <p>Both platforms offer a free trial, so test them with a small course first.</p>
          <p>Whichever you choose, export your students' list regularly to stay free to move.</p>
        </article></body>"##;
        let got = extract(html);
        assert!(got.contains(&"1. Platform One".to_string()), "{got:?}");
        assert!(got.contains(&"2. Platform Two".to_string()), "{got:?}");
        assert!(
            !got.iter().any(|t| t.contains("Another story on this site")),
            "{got:?}"
        );
        assert!(!got.iter().any(|t| t.starts_with("Related")), "{got:?}");
        assert!(got.contains(&"Live video sessions".to_string()), "{got:?}");
    }

    #[test]
    fn section_titles_set_in_header_elements_are_the_storys_headings() {
        // A `<header>` holding only a section's heading titles that section
        // of the story; the page's banner (name, menu) and the article's
        // header (headline, byline) stay out.
        let page = |h2a: &str, h2b: &str, p: &[&str; 4]| {
            format!(
                r#"<body><header class="site"><a href="/">Daily News</a><nav><a href="/world">World</a></nav></header>
                <article><header><h1>Headline</h1><p>By Jane Roe</p></header>
                <section><header><h2>{h2a}</h2></header><p>{}</p><p>{}</p></section>
                <section><header><h2>{h2b}</h2></header><p>{}</p><p>{}</p></section>
                </article></body>"#,
                p[0], p[1], p[2], p[3]
            )
        };
        let en = [
            "The river broke its banks on Tuesday night and flooded the lower town within hours.",
            "Residents were moved to the school on the hill, where the army set up field kitchens.",
            "Engineers will inspect the bridge on Friday before it is opened to traffic again.",
            "The council said repairs to the embankment would take most of the coming year.",
        ];
        assert_eq!(
            extract(&page("What happened", "What comes next", &en)),
            vec![
                "What happened",
                en[0],
                en[1],
                "What comes next",
                en[2],
                en[3]
            ]
        );
        let fa = [
            "رودخانه سه‌شنبه شب طغیان کرد و در چند ساعت بخش پایین شهر را زیر آب برد و خانه‌ها را ویران کرد.",
            "ساکنان به مدرسه‌ای روی تپه منتقل شدند و ارتش در آنجا آشپزخانه‌های صحرایی برپا کرد تا غذا بدهد.",
            "مهندسان روز جمعه پیش از بازگشایی پل برای عبور خودروها آن را به دقت بازرسی خواهند کرد.",
            "شورای شهر گفت تعمیر دیواره ساحلی رودخانه بیشتر سال آینده را خواهد گرفت و هزینه زیادی دارد.",
        ];
        assert_eq!(
            extract(&page("چه اتفاقی افتاد", "قدم بعدی چیست", &fa)),
            vec![
                "چه اتفاقی افتاد",
                fa[0],
                fa[1],
                "قدم بعدی چیست",
                fa[2],
                fa[3]
            ]
        );
    }

    #[test]
    fn a_headings_anchor_made_of_its_own_words_names_no_furniture() {
        // Tables of contents link to headings by ids made of their words:
        // "social", "credit" or "related" there say what the section is
        // about. A box named so (not after its own text) stays out.
        let html = format!(
            r#"<body><article>{}
            <h2 id="how-social-media-spread-the-video">How social media spread the video</h2>{}
            <h3 id="h-the-child-tax-credit">The child tax credit</h3>{}
            <h3 id="who-gets-related-benefits">Who gets related benefits?</h3>{}
            <div id="related-stories"><h3>Read next in our coverage</h3><p>A summary of another story that sits in a box beside this one, long enough to count.</p></div>
            {}</article></body>"#,
            para(1),
            para(2),
            para(3),
            para(4),
            para(5)
        );
        let mut want = expected_story(5);
        want.insert(1, "How social media spread the video".into());
        want.insert(3, "The child tax credit".into());
        want.insert(5, "Who gets related benefits?".into());
        assert_eq!(extract(&html), want);
    }

    #[test]
    fn a_linked_heading_over_a_products_details_or_a_long_paragraph_is_kept() {
        // A roundup's entries are linked to what they review; under the
        // name come its details before its sentences, or one long
        // paragraph. A teaser's headline over a sentence of summary stays
        // out.
        let long = "This trail follows the bayou for seven miles through parks and old neighbourhoods, with shade most of the way, water fountains at every mile and bridges that give the best views of the skyline. It is paved, lit at night and busy with families at weekends, so come early. A new link opened this spring joins it to the downtown paths, and the city plans a second one to the port by next summer.";
        let long_fa = "این مسیر دوچرخه‌سواری هفت کیلومتر در کنار رودخانه از میان پارک‌ها و محله‌های قدیمی می‌گذرد و بیشتر راه سایه دارد؛ در هر کیلومتر آبخوری هست و از روی پل‌هایش بهترین منظره شهر دیده می‌شود. مسیر آسفالت است، شب‌ها روشن است و آخر هفته‌ها پر از خانواده‌هاست، پس زود بیایید. بهار امسال شاخه تازه‌ای آن را به مسیرهای مرکز شهر وصل کرد و شهرداری می‌خواهد تا تابستان آینده شاخه دیگری تا بندر بسازد.";
        let html = format!(
            r#"<body><article>
            <p>We rode every trail in the city this summer, and these are the ones we keep going back to.</p>
            <h2><a href="https://maker-one.example/">1. Maker One Brewer</a></h2>
            <ul><li>Size: 14 x 12 x 6</li><li>Filter style: cone</li></ul>
            <p>It brews a full pot in six minutes and keeps it hot for two hours without burning it.</p>
            <p>Its glass carafe is the one part that may break, and a spare costs thirty dollars.</p>
            <h3><a href="https://trails.example/bayou">Bayou Greenway</a></h3>
            <p>{long}</p>
            <h3><a href="https://trails.example/fa">مسیر کنار رودخانه</a></h3>
            <p>{long_fa}</p>
            <h3><a href="/blog/other-story">Another story on this site, by its headline</a></h3>
            <p>A one-line summary of that other story, which sits here as a teaser.</p>
            <h3>Before you go</h3>
            <p>Whichever trail you choose, bring water and ride early, before the heat of the day.</p>
            </article></body>"#
        );
        let got = extract(&html);
        for heading in ["1. Maker One Brewer", "Bayou Greenway", "مسیر کنار رودخانه"]
        {
            assert!(got.contains(&heading.to_string()), "{heading}: {got:?}");
        }
        assert!(
            !got.iter().any(|t| t.contains("Another story on this site")),
            "{got:?}"
        );
    }
}
