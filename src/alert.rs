//! An alert: what is written to the outbox and delivered to channels.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::compare::{Change, ChangeKind, Segment};
use crate::document::{hex, site_of, Block, Document, Item};
use crate::text;

/// Version of the alert JSON schema (webhook payloads carry it).
pub const SCHEMA_VERSION: u32 = 1;

/// One alert about one watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Schema version of this JSON.
    pub schema: u32,
    /// Stable id: the same change always gets the same id, so receivers can drop duplicates.
    pub id: String,
    /// The watch's name.
    pub watch: String,
    /// The watched URL.
    pub url: String,
    /// The outlet (configured, or the URL's host).
    pub outlet: String,
    /// The main kind.
    pub kind: ChangeKind,
    /// One line for people.
    pub summary: String,
    /// The article headline (new version), or the listing's title.
    pub title: Option<String>,
    /// The article byline.
    pub byline: Option<String>,
    /// The language the story's page or feed declares (`fr`, `fa-IR`);
    /// absent when it declares none. Renderings mark the story's text with
    /// it where it fits the text's script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// When the change was detected (RFC 3339, UTC); empty for a
    /// comparison of two files (`presswatch diff OLD NEW`), which detected
    /// nothing at any time: its text then shows no such time.
    pub detected_at: String,
    /// The text change, for article alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// New items, for listing and feed alerts: the first
    /// [`Alert::MAX_ITEMS`] of them, in page order, each with the keywords
    /// it mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<AlertItem>,
    /// How many new items a listing or feed alert is about: `items` and
    /// those left out (see [`Alert::new_item_count`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub items_total: usize,
    /// Items of a listing or feed that carry a new title, for `retitled`
    /// alerts: the first [`Alert::MAX_ITEMS`] of them, in page order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retitled: Vec<Retitle>,
    /// The watch's keywords that the change or the new items mention, in
    /// the order the config lists them (empty when the watch has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The error, for `error` alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The article's new address, for `moved` alerts (`url` is the one the
    /// watch names, which now redirects there for good).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// Where the evidence of an article alert is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// What a taken-down article said, for `taken_down` alerts: the evidence
    /// of what was removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_known: Option<LastKnown>,
}

/// A new item of a listing or feed as an alert gives it: the item (its
/// fields written at the top level of the JSON, as before there was more)
/// with the keywords it mentions and, when its title and teaser do not
/// show one of them, the passage of its text that does. Reads as the item
/// it holds (`it.title`, `it.url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertItem {
    /// The item; its `url` is the link to click and forward, without
    /// tracking parameters ([`crate::tracking::without_tracking`]).
    #[serde(flatten)]
    pub item: Item,
    /// The watch's keywords this item mentions, in the order the config
    /// lists them (empty when the watch has none, or for an item alerted
    /// because its article could not be read to look for them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// When the item's title and teaser do not mention one of `keywords`:
    /// the passage of its text that does (its followed article's, or the
    /// feed's full text), a paragraph or sentence in the page's own words
    /// ([`crate::text::keyword_passage`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage: Option<String>,
}

impl From<Item> for AlertItem {
    fn from(item: Item) -> AlertItem {
        AlertItem {
            item,
            keywords: Vec::new(),
            passage: None,
        }
    }
}

impl std::ops::Deref for AlertItem {
    type Target = Item;

    fn deref(&self) -> &Item {
        &self.item
    }
}

/// An item of a listing or feed seen before under another title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retitle {
    /// The item's identity (feed GUID, or normalised link), as in `items`.
    pub key: String,
    /// Its link.
    pub url: String,
    /// The title it was last seen under.
    pub old_title: String,
    /// The title it carries now.
    pub new_title: String,
    /// The word diff from the old title to the new one.
    pub segments: Vec<Segment>,
    /// Its teaser or summary, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// The watch's keywords this item mentions (in its old or new title,
    /// or its teaser), in the order the config lists them, as a new item's
    /// ([`AlertItem::keywords`]); empty when the watch has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

/// Where the evidence of an article alert is kept: the version it shows,
/// the viewer's page for it, and for a takedown the last kept snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The version of the article the alert shows (for a takedown: the last
    /// version kept).
    pub version: i64,
    /// The viewer's page for that version (`presswatch report`), when
    /// `report_url` is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// For a takedown: SHA-256 of the raw response the last version was
    /// accepted from (`presswatch export` includes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_sha256: Option<String>,
    /// The chain digest of `version` ([`crate::integrity::chain`]): kept by
    /// the receivers, outside the database, it lets `presswatch verify
    /// --record` prove that the version is still kept unaltered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

/// How a version whose change sent no alert records why
/// ([`NotAlerted::record`]): this, then the reason. No item key starts so
/// (an item list's record holds the keys of the items its alert named), and
/// an older presswatch reads an article's record not at all.
pub const NOT_ALERTED: &str = "not alerted: ";

/// Why a change a check found, and kept as a version of the article, sent
/// no alert. Kept with the version (`versions.alerted`, as
/// [`NotAlerted::record`] writes it) and told by the check's line,
/// `presswatch history`, `diff --watch` and the evidence viewer, all in the
/// words given here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAlerted {
    /// The change mentions none of the watch's keywords.
    NoKeyword,
    /// The change is confined to the site's chrome: the changed blocks
    /// recur on these other watched pages of the site (watch names,
    /// sorted).
    SiteChrome { pages: Vec<String> },
    /// A reason kept in words this presswatch does not know as one of the
    /// above (another version wrote it): shown as it was kept.
    Other(String),
}

/// What [`NotAlerted::SiteChrome`]'s reason starts with, before its pages.
const SITE_CHROME_ON: &str = "changed only in site chrome recurring on ";

impl NotAlerted {
    /// The reason in words: `the change mentions no keyword`, `changed only
    /// in site chrome recurring on 2 other pages of the site (a, b)`.
    pub fn reason(&self) -> String {
        match self {
            NotAlerted::NoKeyword => "the change mentions no keyword".to_string(),
            NotAlerted::SiteChrome { pages } => format!(
                "{SITE_CHROME_ON}{} of the site ({})",
                text::plural(pages.len(), "other page", "other pages"),
                pages.join(", ")
            ),
            NotAlerted::Other(why) => why.clone(),
        }
    }

    /// What the check's line says before the change's summary:
    /// `changed, but mentions no keyword`, or the reason.
    pub fn check_line(&self) -> String {
        match self {
            NotAlerted::NoKeyword => "changed, but mentions no keyword".to_string(),
            _ => self.reason(),
        }
    }

    /// The reason in a few words, as the viewer's index names the versions
    /// stored without an alert: `mentions no keyword`, `site chrome`.
    pub fn short(&self) -> String {
        match self {
            NotAlerted::NoKeyword => "mentions no keyword".to_string(),
            NotAlerted::SiteChrome { .. } => "site chrome".to_string(),
            NotAlerted::Other(why) => why.clone(),
        }
    }

    /// How the version records it: [`NOT_ALERTED`], then the reason
    /// (`not alerted: the change mentions no keyword`); what `history`
    /// shows after the change's summary.
    pub fn record(&self) -> String {
        format!("{NOT_ALERTED}{}", self.reason())
    }

    /// The reason a version's record holds (as [`NotAlerted::record`]
    /// writes it, and as older presswatch versions wrote it in free text);
    /// `None` for a record that is no such reason (an item list's keys).
    pub fn from_record(record: &str) -> Option<NotAlerted> {
        let why = record.strip_prefix(NOT_ALERTED)?;
        let pages = why
            .strip_prefix(SITE_CHROME_ON)
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|rest| rest.rsplit_once(" of the site ("))
            .map(|(_, pages)| pages.split(", ").map(str::to_string).collect());
        Some(match (why, pages) {
            ("the change mentions no keyword", _) => NotAlerted::NoKeyword,
            (_, Some(pages)) => NotAlerted::SiteChrome { pages },
            _ => NotAlerted::Other(why.to_string()),
        })
    }
}

/// What a line says of a keyword watch's `n` new items its alert left out.
pub fn not_alerted(n: usize) -> String {
    format!(
        "{} mentioning no keyword, not alerted",
        crate::text::plural(n, "new item", "new items")
    )
}

/// The last version of a taken-down article that presswatch holds, carried
/// by the takedown alert so that staff keep what was removed. Long texts are
/// cut after whole paragraphs, and say how much was cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastKnown {
    /// The version's number in `presswatch history`.
    pub version: i64,
    /// When that version was stored (RFC 3339, UTC).
    pub stored_at: String,
    /// When the article was last fetched successfully (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Its headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its byline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// Its publication date, as the page stated it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The text, whole or its first paragraphs.
    pub blocks: Vec<Block>,
    /// Words in the whole text.
    pub words: usize,
    /// Paragraphs left out at the end, or shown only in part (0: the text
    /// is whole).
    pub cut_paragraphs: usize,
    /// Words left out at the end.
    pub cut_words: usize,
}

impl LastKnown {
    /// Words of a taken-down article's text an alert carries: a long news
    /// article whole (most are 600 to 1,200 words), while a mail stays
    /// readable on a phone and within what chat webhooks accept.
    pub const MAX_WORDS: usize = 1500;

    /// The evidence of `doc`, stored as `version` at `stored_at` (RFC 3339),
    /// its text cut after the paragraph that reaches [`LastKnown::MAX_WORDS`]
    /// (a first paragraph longer than that is cut inside, after the limit).
    pub fn of(doc: &Document, version: i64, stored_at: String, last_seen: Option<String>) -> Self {
        let words = doc.word_count();
        let mut blocks = Vec::new();
        let mut kept = 0;
        for b in &doc.blocks {
            let n = crate::text::diff_word_count(&b.text);
            if kept + n <= Self::MAX_WORDS {
                kept += n;
                blocks.push(b.clone());
                continue;
            }
            if blocks.is_empty() {
                let head = crate::text::quote_head(&b.text, Self::MAX_WORDS)
                    .unwrap_or_else(|| b.text.clone());
                kept = crate::text::diff_word_count(&head);
                blocks.push(Block {
                    kind: b.kind,
                    text: format!("{head} …"),
                });
            }
            break;
        }
        let cut_words = words.saturating_sub(kept);
        // A paragraph shown only in part counts as cut.
        let whole_paragraphs = if cut_words > 0 && blocks.len() == 1 && doc.blocks[0] != blocks[0] {
            0
        } else {
            blocks.len()
        };
        LastKnown {
            version,
            stored_at,
            last_seen,
            title: doc.headline().map(str::to_string),
            byline: doc.byline.clone(),
            published: doc.published.clone(),
            blocks,
            words,
            cut_paragraphs: doc.blocks.len() - whole_paragraphs,
            cut_words,
        }
    }
}

/// The host of `to` when a story that moved from `from` to `to` moved to
/// another site: another registrable domain (the public suffix list's:
/// `news.bbc.co.uk` and `www.bbc.co.uk` are one site, `example.org` and
/// `sister.example.net` two), or another address for a site served by its
/// IP address. `None` on the same site, or for an address that is not a URL.
pub fn another_site(from: &str, to: &str) -> Option<String> {
    let (from, to) = (url::Url::parse(from).ok()?, url::Url::parse(to).ok()?);
    let (old, new) = (site_of(&from)?, site_of(&to)?);
    (old != new).then(|| to.host_str().unwrap_or_default().to_ascii_lowercase())
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Alert {
    /// The most new items an alert lists. A listing or feed can bring
    /// thousands at once (a feed that returns its whole archive, a site that
    /// renames every URL): an alert lists the first ones and says how many
    /// there are, and its version in the history lists every one.
    pub const MAX_ITEMS: usize = 100;

    /// An alert of `kind` about the watch `watch` (at `url`, of `outlet`),
    /// saying `summary`, detected at `detected_at` (RFC 3339), with id `id`;
    /// what else it carries (a change, items, an error, evidence) is left
    /// empty, for the caller to set.
    pub fn new(
        id: String,
        watch: String,
        url: String,
        outlet: String,
        kind: ChangeKind,
        summary: String,
        detected_at: String,
    ) -> Alert {
        Alert {
            schema: SCHEMA_VERSION,
            id,
            watch,
            url,
            outlet,
            kind,
            summary,
            title: None,
            byline: None,
            lang: None,
            detected_at,
            change: None,
            items: vec![],
            items_total: 0,
            retitled: vec![],
            keywords: vec![],
            error: None,
            moved_to: None,
            evidence: None,
            last_known: None,
        }
    }

    /// The title of an alert about `n` new items (`kind` `new_items`) or
    /// `n` retitled items (`retitled`) of `outlet`'s listing or feed:
    /// presswatch's own sentence, in English, naming the outlet ("3 new
    /// items on IranWire"). Renderings tell its words from the outlet's name
    /// by [`Alert::own_title`].
    pub fn several_items_title(kind: ChangeKind, n: usize, outlet: &str) -> String {
        let words = if kind == ChangeKind::Retitled {
            RETITLED_ON
        } else {
            NEW_ITEMS_ON
        };
        format!("{n}{words}{outlet}")
    }

    /// When the alert's title is presswatch's own sentence about several
    /// items ([`Alert::several_items_title`]): its English words and the
    /// outlet's name they end with (`("3 new items on ", "IranWire")`), for
    /// renderings to mark each in its own language and direction. `None`
    /// for a title of the page (a headline, an item's title).
    pub fn own_title(&self) -> Option<(&str, &str)> {
        let words = match self.kind {
            ChangeKind::NewItems => NEW_ITEMS_ON,
            ChangeKind::Retitled => RETITLED_ON,
            _ => return None,
        };
        let title = self.title.as_deref()?;
        let ours = title.strip_suffix(self.outlet.as_str())?;
        let n = ours.strip_suffix(words)?;
        (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .then_some((ours, &title[ours.len()..]))
    }

    /// How many new items the alert is about (its listed `items` when it
    /// predates `items_total`).
    pub fn new_item_count(&self) -> usize {
        self.items_total.max(self.items.len())
    }

    /// A derived id from the watch and the facts that identify the change
    /// (e.g. old and new content hash).
    pub fn derive_id(watch: &str, parts: &[&str]) -> String {
        let mut h = Sha256::new();
        h.update(watch.as_bytes());
        for p in parts {
            h.update([0u8]);
            h.update(p.as_bytes());
        }
        hex(&h.finalize()[..16])
    }

    /// The alert's kind and every kind of its change (a correction added
    /// with a changed headline is both), for routing.
    pub fn kinds(&self) -> Vec<ChangeKind> {
        let mut kinds = vec![self.kind];
        if let Some(c) = &self.change {
            kinds.extend(c.kinds.iter().filter(|k| **k != self.kind));
        }
        kinds
    }

    /// The subject: `Edited · IranWire: <headline>`, at most
    /// [`SUBJECT_CHARS`] characters; see [`Alert::subject_in_thread`].
    pub fn subject(&self) -> String {
        self.subject_in_thread(None)
    }

    /// The subject of an alert that continues a story's mail thread whose
    /// first headline was `story`: the kind of change first (the word that
    /// matters most), then a stem that stays the same for every alert about
    /// the story — the outlet and the story's first headline (this alert's
    /// own headline when it starts the thread), cut at a word to fit
    /// [`SUBJECT_CHARS`]. A right-to-left headline or outlet is wrapped in
    /// Unicode isolates ([`crate::text::bidi_isolate`]) so it cannot reorder the rest;
    /// control and bidi-override characters from the page are removed.
    pub fn subject_in_thread(&self, story: Option<&str>) -> String {
        let word = match self.kind {
            ChangeKind::Test => return "TEST alert from presswatch: nothing changed".to_string(),
            ChangeKind::Edited => "Edited".to_string(),
            ChangeKind::PossiblyEdited => "Maybe edited".to_string(),
            ChangeKind::HeadlineChanged => "New headline".to_string(),
            ChangeKind::BylineChanged => "New byline".to_string(),
            ChangeKind::CorrectionAdded => "Correction".to_string(),
            ChangeKind::UpdateAdded => "Update".to_string(),
            ChangeKind::TakenDown => "Taken down".to_string(),
            ChangeKind::Restored => "Restored".to_string(),
            ChangeKind::NewItems if self.new_item_count() > 1 => {
                format!("{} new", self.new_item_count())
            }
            ChangeKind::NewItems => "New".to_string(),
            ChangeKind::Error => "Cannot check".to_string(),
            ChangeKind::Recovered => "Recovered".to_string(),
            ChangeKind::Retitled if self.retitled.len() > 1 => {
                format!("{} retitled", self.retitled.len())
            }
            ChangeKind::Retitled => "Retitled".to_string(),
            ChangeKind::Moved => "Moved".to_string(),
        };
        let outlet = text::shorten(&subject_text(&self.outlet), 24);
        let headline = match self.kind {
            ChangeKind::NewItems => self.items.first().map(|i| i.title.as_str()),
            ChangeKind::Retitled => self.retitled.first().map(|r| r.new_title.as_str()),
            _ => story.or(self.title.as_deref()),
        }
        .map(subject_text)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| self.watch.clone());
        // The stem's length does not depend on the kind, so it stays the same.
        let used = LONGEST_KIND_WORD + 3 + outlet.chars().count() + 2;
        let headline = text::shorten(&headline, SUBJECT_CHARS.saturating_sub(used).max(16));
        let outlet = if outlet.is_empty() {
            String::new()
        } else {
            format!("{}: ", crate::text::bidi_isolate(&outlet))
        };
        format!("{word} · {outlet}{}", crate::text::bidi_isolate(&headline))
    }
}

/// What the title of an alert about several new items says between their
/// number and the outlet ([`Alert::several_items_title`]).
const NEW_ITEMS_ON: &str = " new items on ";

/// What the title of an alert about several retitled items says between
/// their number and the outlet.
const RETITLED_ON: &str = " items retitled on ";

/// Subjects are at most this many characters (the invisible isolates not
/// counted), the line length RFC 5322 recommends. Nothing follows the
/// headline and the kind and outlet come first, so the headline starts
/// within the first 40 characters that a 390-px-wide phone's inbox line
/// shows; an opened message on that phone wraps the subject onto two lines
/// of about 40 characters, which show a typical news headline whole.
pub const SUBJECT_CHARS: usize = 78;

/// The longest word a subject starts with ("Cannot check", "New headline").
const LONGEST_KIND_WORD: usize = 12;

/// Page text fit for a subject: one line, no control characters, no bidi
/// embedding, override or isolate characters (only ours), cleaned.
fn subject_text(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| {
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        })
        .collect();
    crate::text::clean(&s)
}

/// The alert `presswatch test-alert` sends: unmistakably a test (kind
/// `test`, "TEST" in the subject and the first line), about no real story,
/// with an example change computed by the real comparison so that the
/// channel shows how removed and added words look. Each call has a fresh
/// id, so receivers that drop repeated ids still show the next test.
pub fn test_alert() -> Alert {
    use crate::document::{Block, Document};
    let doc = |paras: &[&str]| Document {
        title: Some("presswatch test alert".to_string()),
        blocks: paras.iter().map(|p| Block::paragraph(p)).collect(),
        ..Document::default()
    };
    let old = doc(&[
        "This example paragraph shows how an edit looks: the words an outlet removed are shown struck through.",
        "This example paragraph stays the same, so it is not shown.",
    ]);
    let new = doc(&[
        "This example paragraph shows how an edit looks: the words an outlet removed are struck through and the words it added are underlined.",
        "This example paragraph stays the same, so it is not shown.",
        "An added paragraph looks like this one.",
    ]);
    let change = crate::compare::compare(&old, &new, &crate::compare::Rules::default());
    let now = chrono::Utc::now();
    let nonce = format!(
        "{}-{}",
        now.timestamp_nanos_opt().unwrap_or_default(),
        std::process::id()
    );
    Alert {
        title: new.title.clone(),
        change,
        ..Alert::new(
            format!(
                "test-{}",
                Alert::derive_id("presswatch-test-alert", &[&nonce])
            ),
            "test-alert".into(),
            "https://example.org/presswatch-test-alert".into(),
            "presswatch".into(),
            ChangeKind::Test,
            "Test alert: nothing changed".into(),
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version's record of why it sent no alert reads back as the
    /// reason it was: those this presswatch writes, those older versions
    /// wrote in the same words (existing databases hold them), and a
    /// reason in words it does not know, shown as it was kept. An item
    /// list's record (the keys of the items alerted) is no reason.
    #[test]
    fn a_version_s_not_alerted_record_reads_back_as_its_reason() {
        let chrome = NotAlerted::SiteChrome {
            pages: vec!["director".into(), "teachers".into()],
        };
        for why in [
            NotAlerted::NoKeyword,
            chrome.clone(),
            NotAlerted::SiteChrome {
                pages: vec!["lawyer".into()],
            },
        ] {
            assert_eq!(NotAlerted::from_record(&why.record()), Some(why.clone()));
        }
        // As presswatch 0.x stored them, in free text.
        assert_eq!(
            NotAlerted::from_record("not alerted: the change mentions no keyword"),
            Some(NotAlerted::NoKeyword)
        );
        let old = "not alerted: changed only in site chrome recurring on 2 other pages of the site (director, teachers)";
        assert_eq!(NotAlerted::from_record(old), Some(chrome.clone()));
        assert_eq!(chrome.record(), old);
        assert_eq!(chrome.short(), "site chrome");
        assert_eq!(NotAlerted::NoKeyword.short(), "mentions no keyword");
        let other = NotAlerted::from_record("not alerted: held for the desk's review").unwrap();
        assert_eq!(
            other,
            NotAlerted::Other("held for the desk's review".into())
        );
        // Shown as kept, not taken for a keyword's absence.
        assert_eq!(other.short(), "held for the desk's review");
        assert_eq!(
            NotAlerted::from_record("https://example.org/a\nhttps://example.org/b"),
            None
        );
        assert_eq!(NotAlerted::from_record(""), None);
    }

    #[test]
    fn a_move_to_another_registrable_domain_is_to_another_site() {
        let moved = |a: &str, b: &str| another_site(a, b);
        // The same site: a new slug, another subdomain, http to https.
        for (from, to) in [
            ("https://news.example.org/a", "https://news.example.org/b"),
            (
                "https://news.bbc.co.uk/1/hi/a",
                "https://www.bbc.co.uk/news/a",
            ),
            ("http://amp.example.org/a", "https://www.EXAMPLE.org/a"),
            ("http://127.0.0.1:8080/a", "http://127.0.0.1:9090/b"),
            ("https://news.example.org/a", "not a url"),
        ] {
            assert_eq!(moved(from, to), None, "{from} → {to}");
        }
        // Another site: a sister outlet, a syndication partner, a
        // country domain that is not a suffix of the other.
        for (from, to, host) in [
            (
                "https://news.example.org/a",
                "https://www.sister.example.net/a",
                "www.sister.example.net",
            ),
            (
                "https://www.bbc.co.uk/news/a",
                "https://www.bbc.com/news/a",
                "www.bbc.com",
            ),
            (
                "https://iranwire.com/fa/a",
                "https://www.radiofarda.com/a",
                "www.radiofarda.com",
            ),
            (
                "https://news.example.co.uk/a",
                "https://news.other.co.uk/a",
                "news.other.co.uk",
            ),
        ] {
            assert_eq!(moved(from, to).as_deref(), Some(host), "{from} → {to}");
        }
    }

    fn article_alert(kind: ChangeKind, outlet: &str, title: &str) -> Alert {
        Alert {
            kind,
            outlet: outlet.into(),
            title: Some(title.into()),
            watch: "story".into(),
            ..test_alert()
        }
    }

    /// The subject as a reader sees it (isolates are invisible).
    fn visible(s: &str) -> String {
        s.replace(['\u{2067}', '\u{2068}', '\u{2069}'], "")
    }

    #[test]
    fn the_subject_says_the_kind_then_the_outlet_then_the_headline_on_one_line() {
        let a = article_alert(
            ChangeKind::HeadlineChanged,
            "IranWire",
            "Rasoulof flees\r\nBcc: x@example.org",
        );
        assert_eq!(
            a.subject(),
            "New headline · IranWire: Rasoulof flees Bcc: x@example.org"
        );
        let a = article_alert(
            ChangeKind::CorrectionAdded,
            "The Example Herald",
            "Iranian director Mohammad Rasoulof flees Iran after receiving an eight-year sentence",
        );
        let s = a.subject();
        assert_eq!(
            s,
            "Correction · The Example Herald: Iranian director Mohammad Rasoulof flees…"
        );
        assert!(s.chars().count() <= SUBJECT_CHARS, "{s}");
    }

    #[test]
    fn a_right_to_left_headline_is_isolated_and_page_bidi_controls_are_dropped() {
        let a = article_alert(
            ChangeKind::Edited,
            "ایران‌وایر",
            "\u{202E}رسول‌اف از ایران گریخت",
        );
        assert_eq!(
            a.subject(),
            "Edited · \u{2067}ایران‌وایر\u{2069}: \u{2067}رسول‌اف از ایران گریخت\u{2069}"
        );
        // A Persian headline that starts with a Latin word still reads right to left.
        let latin_first = article_alert(ChangeKind::Edited, "", "ChatGPT در ایران فیلتر شد");
        assert!(
            latin_first
                .subject()
                .ends_with("\u{2067}ChatGPT در ایران فیلتر شد\u{2069}"),
            "{}",
            latin_first.subject()
        );
        let long = article_alert(ChangeKind::Edited, "ایران‌وایر", &"کلمه ".repeat(40));
        assert!(visible(&long.subject()).chars().count() <= SUBJECT_CHARS);
    }

    #[test]
    fn a_story_keeps_its_subject_stem_when_its_headline_changes() {
        let first = article_alert(ChangeKind::Edited, "IranWire", "Rasoulof flees Iran");
        let later = article_alert(
            ChangeKind::HeadlineChanged,
            "IranWire",
            "Rasoulof reaches Europe",
        );
        let stem = |s: String| s.split_once(" · ").unwrap().1.to_string();
        assert_eq!(
            stem(first.subject()),
            stem(later.subject_in_thread(Some("Rasoulof flees Iran")))
        );
    }

    #[test]
    fn a_new_item_subject_names_the_outlet_and_the_item_once() {
        let mut a = article_alert(ChangeKind::NewItems, "Iran International", "x");
        a.items = vec![crate::document::Item {
            key: "k".into(),
            url: "https://iranintl.example/a".into(),
            title: "Rasoulof wins special jury prize".into(),
            snippet: None,
            published: None,
        }
        .into()];
        assert_eq!(
            a.subject(),
            "New · Iran International: Rasoulof wins special jury prize"
        );
    }

    #[test]
    fn every_test_alert_is_marked_and_has_a_fresh_id() {
        let (a, b) = (test_alert(), test_alert());
        assert_ne!(a.id, b.id);
        assert!(a.subject().starts_with("TEST"));
        assert_eq!(a.kind, ChangeKind::Test);
    }
}
