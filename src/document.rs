//! The extracted document, its blocks, listing items, and the baseline text
//! format (`baseline/<watch>.txt`).
//!
//! Baseline format: optional `Key: value` header lines (Title, Byline,
//! Published, URL, Fetched, SHA256, and the headline and byline as each source
//! of the page gives them: Headline-Shown, Headline-Title, Headline-Meta,
//! Headline-JSON-LD, Byline-Shown, Byline-Meta, Byline-JSON-LD, and
//! Headline-Meta-Tag and Byline-Meta-Tag naming the meta tag; Site-Name, the
//! publication's name the page gives, and Lang, the language it declares), a
//! blank line,
//! then the text. Paragraphs are separated by blank lines; a file with no blank
//! line at all holds one paragraph per line (as text copied from a browser
//! often does). Headings are written `## text`, quotes `> text`, list items
//! `- text`. An optional last chunk of `Other-Prose: text` lines holds the
//! page's prose outside the article (the safety net); the line of a caption
//! of one of the story's photos ends with [`CAPTION_MARK`] (U+2060 WORD
//! JOINER), which older versions drop with the other invisible characters
//! when they clean the text, so they read the caption's words as they are.
//! A hand-written file with no header is a valid baseline; so is every file
//! older versions wrote.
//!
//! What older versions do with what they do not know decides how new things
//! are written: a header with a key they do not know is no header to them
//! (its lines become a paragraph), and a last chunk with a line that is not
//! `Other-Prose: ` is no other prose (it becomes paragraphs). So a kind of
//! other prose is not a header nor a line of its own, but a mark they clean
//! away.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::text;

/// What a block of article text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// A paragraph of running text.
    Paragraph,
    /// A heading inside the article (not the headline).
    Heading,
    /// A block quote.
    Quote,
    /// One item of a list.
    ListItem,
}

/// One paragraph-like unit of article text, already normalised with [`text::clean`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// What kind of block this is.
    pub kind: BlockKind,
    /// The block's text.
    pub text: String,
}

/// What a piece of the page's prose outside the article is. Only named in
/// alerts ("the photo caption beginning …"): it takes no part in the content
/// hash nor in comparison, so a baseline kept before kinds were (all of it
/// paragraphs) compares with the page as before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProseKind {
    /// A paragraph of running text (and what a baseline kept before kinds
    /// were holds).
    #[default]
    Paragraph,
    /// The caption of one of the story's own photos, without its credit.
    Caption,
}

impl ProseKind {
    /// What alerts call it, one and many: "paragraph", "photo caption".
    pub fn nouns(self) -> (&'static str, &'static str) {
        match self {
            ProseKind::Paragraph => ("paragraph", "paragraphs"),
            ProseKind::Caption => ("photo caption", "photo captions"),
        }
    }
}

/// A piece of the page's prose outside the article, which the safety net
/// watches: its kind and its text (normalised with [`text::clean`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prose {
    /// What it is on the page.
    pub kind: ProseKind,
    /// Its text.
    pub text: String,
}

impl Prose {
    /// A paragraph of other prose from raw text (normalised here).
    pub fn paragraph(text: &str) -> Prose {
        Prose {
            kind: ProseKind::Paragraph,
            text: text::clean(text),
        }
    }

    /// A photo caption from raw text (normalised here).
    pub fn caption(text: &str) -> Prose {
        Prose {
            kind: ProseKind::Caption,
            text: text::clean(text),
        }
    }
}

impl Block {
    /// A paragraph block from raw text (normalised here).
    pub fn paragraph(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph,
            text: text::clean(text),
        }
    }
}

/// Where a page gives its headline or byline. The order is the order in
/// which comparison consults them: what a reader sees first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Shown on the page: the headline's `<h1>`, the byline's author element.
    Shown,
    /// The `<title>`, without the site's name (headlines only).
    DocumentTitle,
    /// `<meta>` tags: OpenGraph, Twitter, Dublin Core, `author`, ...
    Meta,
    /// The schema.org JSON-LD article.
    JsonLd,
}

impl Source {
    /// Every source, in the order comparison consults them.
    pub const ALL: [Source; 4] = [
        Source::Shown,
        Source::DocumentTitle,
        Source::Meta,
        Source::JsonLd,
    ];

    /// The suffix of its baseline header (`Headline-Shown`, `Byline-JSON-LD`).
    fn header(self) -> &'static str {
        match self {
            Source::Shown => "Shown",
            Source::DocumentTitle => "Title",
            Source::Meta => "Meta",
            Source::JsonLd => "JSON-LD",
        }
    }
}

/// A headline or byline as each source of the page gives it, so that two
/// versions are compared source with source: a source that appears or
/// disappears is not a change of what it says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sources {
    /// Shown on the page.
    pub shown: Option<String>,
    /// From the `<title>`.
    pub document_title: Option<String>,
    /// From `<meta>` tags.
    pub meta: Option<String>,
    /// The `<meta>` tag `meta` was read from (`og:title`, `twitter:title`):
    /// each tag is a source of its own. `None` in baselines written before
    /// it was kept.
    pub meta_tag: Option<String>,
    /// From JSON-LD.
    pub json_ld: Option<String>,
}

impl Sources {
    /// The value one source gives, if any.
    pub fn get(&self, source: Source) -> Option<&str> {
        match source {
            Source::Shown => self.shown.as_deref(),
            Source::DocumentTitle => self.document_title.as_deref(),
            Source::Meta => self.meta.as_deref(),
            Source::JsonLd => self.json_ld.as_deref(),
        }
        .filter(|v| !v.is_empty())
    }

    fn slot(&mut self, source: Source) -> &mut Option<String> {
        match source {
            Source::Shown => &mut self.shown,
            Source::DocumentTitle => &mut self.document_title,
            Source::Meta => &mut self.meta,
            Source::JsonLd => &mut self.json_ld,
        }
    }

    /// The (source, value) pairs present, in the order comparison consults them.
    pub fn iter(&self) -> impl Iterator<Item = (Source, &str)> {
        Source::ALL
            .into_iter()
            .filter_map(|s| self.get(s).map(|v| (s, v)))
    }

    /// Whether both read their meta value from the same tag (or either
    /// does not say which).
    pub fn same_meta_tag(&self, other: &Sources) -> bool {
        match (&self.meta_tag, &other.meta_tag) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        }
    }

    /// True when no source is known (a baseline written before sources were kept).
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// An extracted article, or a baseline read back from disk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The article headline.
    pub title: Option<String>,
    /// Who wrote it.
    pub byline: Option<String>,
    /// When it was first published (as the page states it, ISO 8601 when known).
    pub published: Option<String>,
    /// When it was last modified, if the page says.
    pub modified: Option<String>,
    /// The canonical URL the page declares.
    pub canonical_url: Option<String>,
    /// The name of its publication the page gives (`og:site_name`): the
    /// outlet alerts name when the watch sets none. Not compared.
    pub site_name: Option<String>,
    /// The language tag the page declares (e.g. `fa`, `en-GB`).
    pub lang: Option<String>,
    /// Text direction: `rtl` or `ltr`.
    pub dir: Option<String>,
    /// The article text as blocks.
    pub blocks: Vec<Block>,
    /// The headline as each source of the page gives it.
    pub headline_sources: Sources,
    /// The byline as each source of the page gives it.
    pub byline_sources: Sources,
    /// Substantial prose on the page outside the article: paragraphs the
    /// extractor did not keep and the captions of the story's photos, which
    /// the safety net watches.
    pub other_prose: Vec<Prose>,
}

impl Document {
    /// The headline as readers see it: the one shown on the page, else the
    /// declared one ([`Document::title`]). Alerts, `diff` and the evidence
    /// viewer show this one, so that a headline changed on the page while
    /// its `<title>` and meta tags lag behind is shown as the page shows it,
    /// as comparison decides it.
    pub fn headline(&self) -> Option<&str> {
        self.headline_sources
            .get(Source::Shown)
            .or(self.title.as_deref())
    }

    /// Whether the page's prose outside the article was looked for: true
    /// when the document holds some, or when it records where its headline
    /// or byline came from, which every version that looks for other prose
    /// records too (both came in one version). A baseline written before
    /// that, or by hand, records neither: it kept no other prose, which is
    /// not a page that has none.
    pub fn other_prose_read(&self) -> bool {
        !self.other_prose.is_empty()
            || self.headline_sources.iter().next().is_some()
            || self.byline_sources.iter().next().is_some()
    }

    /// The article text, paragraphs separated by blank lines.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&b.text);
        }
        out
    }

    /// SHA-256 (hex) of what comparison looks at: headline, byline, the
    /// folded text of every block, the headline and byline of each source and
    /// the prose outside the article (its words, not its kinds). Two documents
    /// with the same hash never alert.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [self.title.as_deref(), self.byline.as_deref()] {
            h.update(text::compare_key(part.unwrap_or("")).as_bytes());
            h.update([0u8]);
        }
        for b in &self.blocks {
            h.update(text::compare_key(&b.text).as_bytes());
            h.update([1u8]);
        }
        // What older versions did not keep changes no hash when absent.
        for (what, sources) in [(2u8, &self.headline_sources), (3, &self.byline_sources)] {
            for (s, v) in sources.iter() {
                h.update([what, s as u8]);
                h.update(text::compare_key(v).as_bytes());
            }
        }
        for p in &self.other_prose {
            h.update([4u8]);
            h.update(text::compare_key(&p.text).as_bytes());
        }
        hex(&h.finalize())
    }

    /// Number of words in the article text, as changes count them
    /// ([`text::diff_word_count`]: a Chinese character is a word).
    pub fn word_count(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| text::diff_word_count(&b.text))
            .sum()
    }

    /// Serialises the document in the baseline format, with a header.
    pub fn to_baseline(&self, url: &str, fetched: &str) -> String {
        let mut out = String::new();
        let mut header = |k: &str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                out.push_str(k);
                out.push_str(": ");
                out.push_str(&v.replace(['\r', '\n'], " "));
                out.push('\n');
            }
        };
        header("Title", self.title.as_deref());
        header("Byline", self.byline.as_deref());
        header("Published", self.published.as_deref());
        header("URL", Some(url));
        header("Site-Name", self.site_name.as_deref());
        header("Lang", self.lang.as_deref());
        header("Fetched", Some(fetched));
        header("SHA256", Some(&self.content_hash()));
        for (what, sources) in [
            ("Headline", &self.headline_sources),
            ("Byline", &self.byline_sources),
        ] {
            for (s, v) in sources.iter() {
                header(&format!("{what}-{}", s.header()), Some(v));
            }
            if sources.get(Source::Meta).is_some() {
                header(&format!("{what}-Meta-Tag"), sources.meta_tag.as_deref());
            }
        }
        out.push('\n');
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(match b.kind {
                BlockKind::Paragraph => "",
                BlockKind::Heading => "## ",
                BlockKind::Quote => "> ",
                BlockKind::ListItem => "- ",
            });
            out.push_str(&b.text);
            out.push('\n');
        }
        if !self.other_prose.is_empty() {
            out.push('\n');
            for p in &self.other_prose {
                out.push_str(OTHER_PROSE);
                out.push_str(&p.text.replace(['\r', '\n'], " "));
                if p.kind == ProseKind::Caption {
                    out.push(CAPTION_MARK);
                }
                out.push('\n');
            }
        }
        out
    }

    /// Parses a baseline file (with or without header).
    pub fn from_baseline(src: &str) -> Document {
        let src = src
            .strip_prefix('\u{FEFF}')
            .unwrap_or(src)
            .replace("\r\n", "\n");
        let mut doc = Document::default();
        let mut src = src.as_str();
        // The page's other prose, in a last chunk of its own.
        let trailer_at = src.trim_end().rfind("\n\n").map_or(0, |i| i + 2);
        let trailer = &src[trailer_at..];
        if trailer.trim().lines().all(|l| l.starts_with(OTHER_PROSE)) && !trailer.trim().is_empty()
        {
            doc.other_prose = trailer
                .trim()
                .lines()
                .map(|l| {
                    let l = l[OTHER_PROSE.len()..].trim_end();
                    match l.strip_suffix(CAPTION_MARK) {
                        Some(t) => Prose::caption(t),
                        None => Prose::paragraph(l),
                    }
                })
                .filter(|p| !p.text.is_empty())
                .collect();
            src = &src[..trailer_at];
        }
        let mut body = src;
        // A header is a first chunk whose every line is a known `Key: value`.
        if let Some((first, rest)) = src.split_once("\n\n") {
            let lines: Vec<&str> = first.lines().collect();
            if !lines.is_empty() && lines.iter().all(|l| header_line(l).is_some()) {
                for (k, v) in lines.iter().filter_map(|l| header_line(l)) {
                    let v = Some(v.to_string());
                    match k {
                        Header::Title => doc.title = v,
                        Header::Byline => doc.byline = v,
                        Header::Published => doc.published = v,
                        Header::Url => doc.canonical_url = v,
                        Header::SiteName => doc.site_name = v,
                        Header::Lang => doc.lang = v,
                        Header::Headline(s) => *doc.headline_sources.slot(s) = v,
                        Header::BylineFrom(s) => *doc.byline_sources.slot(s) = v,
                        Header::HeadlineMetaTag => doc.headline_sources.meta_tag = v,
                        Header::BylineMetaTag => doc.byline_sources.meta_tag = v,
                        Header::Fetched | Header::Sha256 => {}
                    }
                }
                body = rest;
            }
        }
        let chunks: Vec<&str> = body
            .split("\n\n")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let paragraphs: Vec<String> = if chunks.len() > 1 {
            chunks
                .iter()
                .map(|c| c.lines().map(str::trim).collect::<Vec<_>>().join(" "))
                .collect()
        } else {
            body.lines().map(str::to_string).collect()
        };
        for p in paragraphs {
            let (kind, t) = if let Some(t) = p.strip_prefix("## ") {
                (BlockKind::Heading, t)
            } else if let Some(t) = p.strip_prefix("> ") {
                (BlockKind::Quote, t)
            } else if let Some(t) = p.strip_prefix("- ") {
                (BlockKind::ListItem, t)
            } else {
                (BlockKind::Paragraph, p.as_str())
            };
            let t = text::clean(t);
            if !t.is_empty() {
                doc.blocks.push(Block { kind, text: t });
            }
        }
        if doc.blocks.iter().any(|b| text::is_rtl(&b.text)) {
            doc.dir = Some("rtl".into());
        }
        doc
    }
}

/// The line prefix of the page's other prose in a baseline.
const OTHER_PROSE: &str = "Other-Prose: ";

/// What ends the `Other-Prose: ` line of a photo caption: U+2060 WORD
/// JOINER, an invisible character. Older versions clean it away with the
/// others ([`text::clean`]), so they read the caption's words, and hash
/// them, as they always did; a visible mark would be a word to them, or
/// (on a line of its own) would make the whole chunk paragraphs of the story.
pub const CAPTION_MARK: char = '\u{2060}';

/// A baseline header key.
#[derive(Clone, Copy)]
enum Header {
    Title,
    Byline,
    Published,
    Url,
    /// `Site-Name`: the publication's name the page gives.
    SiteName,
    /// `Lang`: the language the page declares.
    Lang,
    Fetched,
    Sha256,
    /// `Headline-<source>`.
    Headline(Source),
    /// `Byline-<source>`.
    BylineFrom(Source),
    /// `Headline-Meta-Tag`: the tag `Headline-Meta` was read from.
    HeadlineMetaTag,
    /// `Byline-Meta-Tag`.
    BylineMetaTag,
}

/// Recognises a baseline header line (keys in any case); returns its key and value.
fn header_line(line: &str) -> Option<(Header, &str)> {
    let (k, v) = line.split_once(": ")?;
    let k = k.trim();
    let fixed = [
        ("Title", Header::Title),
        ("Byline", Header::Byline),
        ("Published", Header::Published),
        ("URL", Header::Url),
        ("Site-Name", Header::SiteName),
        ("Lang", Header::Lang),
        ("Fetched", Header::Fetched),
        ("SHA256", Header::Sha256),
        ("Headline-Meta-Tag", Header::HeadlineMetaTag),
        ("Byline-Meta-Tag", Header::BylineMetaTag),
    ];
    let sourced = Source::ALL.into_iter().flat_map(|s| {
        [
            (format!("Headline-{}", s.header()), Header::Headline(s)),
            (format!("Byline-{}", s.header()), Header::BylineFrom(s)),
        ]
    });
    fixed
        .into_iter()
        .map(|(name, h)| (name.to_string(), h))
        .chain(sourced)
        .find(|(name, _)| name.eq_ignore_ascii_case(k))
        .map(|(_, h)| (h, v.trim()))
}

/// What a page or feed says of itself rather than of a story: the name of
/// its publication and the language it is written in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Masthead {
    /// The publication's name: a feed's own title, a page's `og:site_name`.
    pub name: Option<String>,
    /// The language tag it declares, as [`text::language_tag`] reads it.
    pub lang: Option<String>,
}

/// An entry of a listing page or feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Identity used to remember the item: feed GUID, or normalised URL.
    pub key: String,
    /// The item's link, absolute.
    pub url: String,
    /// Its headline.
    pub title: String,
    /// A teaser or summary, if any.
    pub snippet: Option<String>,
    /// Publication date as the source states it.
    pub published: Option<String>,
}

/// Lower-case hex of a byte slice. Written digit by digit: a `format!` per
/// byte cost a snapshot record's digest (twelve SHA-256s in hex) about
/// 20 µs, a measurable share of what keeping a raw response costs a check.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The site an address is on: its registrable domain, as the public suffix
/// list has it (`news.bbc.co.uk` and `www.bbc.co.uk` are one site,
/// `bbc.co.uk`), in lower case; its IP address for a site served by one.
/// `None` for an address with no host.
pub fn site_of(u: &url::Url) -> Option<String> {
    let host = match u.host()? {
        url::Host::Domain(d) => d.to_ascii_lowercase(),
        ip => return Some(ip.to_string()),
    };
    let host = host.trim_end_matches('.');
    Some(psl::domain_str(host).unwrap_or(host).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_lower_case_hex_with_every_leading_zero() {
        assert_eq!(hex(&[0x00, 0x0a, 0xf0, 0xff]), "000af0ff");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hand_written_baseline_with_blank_lines_is_paragraphs() {
        let d = Document::from_baseline("First para\nwrapped.\n\nSecond.\n");
        assert_eq!(d.blocks.len(), 2);
        assert_eq!(d.blocks[0].text, "First para wrapped.");
        assert_eq!(d.title, None);
    }

    #[test]
    fn hand_written_baseline_without_blank_lines_is_one_paragraph_per_line() {
        let d = Document::from_baseline("One.\nTwo.\nThree.");
        assert_eq!(d.blocks.len(), 3);
    }

    #[test]
    fn baseline_round_trips_with_header_and_kinds() {
        let doc = Document {
            title: Some("Headline".into()),
            byline: Some("A. Writer".into()),
            blocks: vec![
                Block {
                    kind: BlockKind::Paragraph,
                    text: "Para one.".into(),
                },
                Block {
                    kind: BlockKind::Heading,
                    text: "Sub".into(),
                },
                Block {
                    kind: BlockKind::Quote,
                    text: "Quoted.".into(),
                },
                Block {
                    kind: BlockKind::ListItem,
                    text: "Item".into(),
                },
            ],
            ..Default::default()
        };
        let s = doc.to_baseline("https://example.org/a", "2026-01-01T00:00:00Z");
        let back = Document::from_baseline(&s);
        assert_eq!(back.title.as_deref(), Some("Headline"));
        assert_eq!(back.blocks, doc.blocks);
        assert_eq!(back.content_hash(), doc.content_hash());
    }

    #[test]
    fn sources_and_other_prose_round_trip_and_older_baselines_still_load() {
        let doc = Document {
            title: Some("Headline".into()),
            byline: Some("Jane Doe".into()),
            blocks: vec![Block::paragraph("Para one."), Block::paragraph("Para two.")],
            headline_sources: Sources {
                shown: Some("Headline".into()),
                document_title: Some("Headline".into()),
                meta: Some("A social headline".into()),
                meta_tag: Some("og:title".into()),
                json_ld: None,
            },
            byline_sources: Sources {
                shown: Some("By Jane Doe".into()),
                json_ld: Some("Jane Doe".into()),
                ..Default::default()
            },
            other_prose: vec![Prose::paragraph("A paragraph the extractor did not keep.")],
            site_name: Some("IranWire".into()),
            lang: Some("fr-CA".into()),
            ..Default::default()
        };
        let s = doc.to_baseline("https://news.example/a", "2026-01-01T00:00:00Z");
        assert!(s.contains("\nSite-Name: IranWire\nLang: fr-CA\n"), "{s}");
        assert!(s.contains("\nHeadline-Meta: A social headline\n"), "{s}");
        assert!(s.contains("\nHeadline-Meta-Tag: og:title\n"), "{s}");
        assert!(s.ends_with("\n\nOther-Prose: A paragraph the extractor did not keep.\n"));
        let back = Document::from_baseline(&s);
        assert_eq!(back.site_name, doc.site_name);
        assert_eq!(back.lang, doc.lang);
        assert_eq!(back.headline_sources, doc.headline_sources);
        assert_eq!(back.byline_sources, doc.byline_sources);
        assert_eq!(back.other_prose, doc.other_prose);
        assert_eq!(back.blocks, doc.blocks);
        assert_eq!(back.content_hash(), doc.content_hash());

        // What an older version wrote: no sources, no other prose; its hash
        // is what that version computed.
        let older = "Title: Headline\nByline: Jane Doe\nURL: https://news.example/a\nFetched: 2026-01-01T00:00:00Z\n\nPara one.\n\nPara two.\n";
        let back = Document::from_baseline(older);
        assert!(back.headline_sources.is_empty() && back.other_prose.is_empty());
        assert_eq!((&back.site_name, &back.lang), (&None, &None));
        assert_eq!(back.blocks, doc.blocks);
        let plain = Document {
            title: doc.title.clone(),
            byline: doc.byline.clone(),
            blocks: doc.blocks.clone(),
            ..Default::default()
        };
        assert_eq!(back.content_hash(), plain.content_hash());
    }

    #[test]
    fn photo_captions_stay_captions_through_a_baseline_and_older_versions_read_their_words() {
        let caption = "Protesters died in clashes in Zahedan on Friday.";
        let fa = "معترضانی که روز جمعه در زاهدان کشته شدند";
        let doc = Document {
            blocks: vec![Block::paragraph("Para one.")],
            other_prose: vec![
                Prose::caption(caption),
                Prose::paragraph("A paragraph the extractor did not keep."),
                Prose::caption(fa),
            ],
            ..Default::default()
        };
        let s = doc.to_baseline("https://news.example/a", "2026-01-01T00:00:00Z");
        let back = Document::from_baseline(&s);
        assert_eq!(back.other_prose, doc.other_prose);
        assert_eq!(back.blocks, doc.blocks);
        assert_eq!(back.content_hash(), doc.content_hash());
        // Kinds are no words: the same words as paragraphs hash alike, so a
        // baseline kept before kinds were compares with the page as before.
        let unkinded = Document {
            other_prose: doc
                .other_prose
                .iter()
                .map(|p| Prose::paragraph(&p.text))
                .collect(),
            ..doc.clone()
        };
        assert_eq!(unkinded.content_hash(), doc.content_hash());
        // What an older presswatch reads of it: every line of the last chunk
        // starts `Other-Prose: ` (else the chunk would be paragraphs of the
        // story to it), and the line, cleaned, is the caption's words alone.
        let trailer = s.rsplit("\n\n").next().unwrap().trim();
        let older: Vec<String> = trailer
            .lines()
            .map(|l| {
                assert!(l.starts_with("Other-Prose: "), "{l}");
                text::clean(&l["Other-Prose: ".len()..])
            })
            .collect();
        assert_eq!(
            older,
            doc.other_prose
                .iter()
                .map(|p| p.text.clone())
                .collect::<Vec<_>>()
        );
        // A baseline an older presswatch kept: its other prose, captions
        // among it, loads as paragraphs, with the hash it had.
        let old_format = "Title: Zahedan\nURL: https://news.example/a\n\nPara one.\n\nOther-Prose: Protesters died in clashes in Zahedan on Friday.\nOther-Prose: A paragraph the extractor did not keep.\n";
        let back = Document::from_baseline(old_format);
        assert_eq!(back.blocks, doc.blocks);
        assert_eq!(
            back.other_prose,
            vec![
                Prose::paragraph(caption),
                Prose::paragraph("A paragraph the extractor did not keep.")
            ]
        );
    }

    #[test]
    fn content_hash_ignores_encoding_variants() {
        let a = Document {
            blocks: vec![Block::paragraph("كتاب “x”")],
            ..Default::default()
        };
        let b = Document {
            blocks: vec![Block::paragraph("کتاب \"x\"")],
            ..Default::default()
        };
        assert_eq!(a.content_hash(), b.content_hash());
    }
}
