//! The extracted document, its blocks, listing items, and the baseline text
//! format (`baseline/<watch>.txt`).
//!
//! Baseline format: optional `Key: value` header lines (Title, Byline,
//! Published, URL, Fetched, SHA256), a blank line, then the text. Paragraphs are
//! separated by blank lines; a file with no blank line at all holds one
//! paragraph per line (as text copied from a browser often does). Headings are
//! written `## text`, quotes `> text`, list items `- text`. A hand-written file
//! with no header is a valid baseline.

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

impl Block {
    /// A paragraph block from raw text (normalised here).
    pub fn paragraph(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph,
            text: text::clean(text),
        }
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
    /// The language tag the page declares (e.g. `fa`, `en-GB`).
    pub lang: Option<String>,
    /// Text direction: `rtl` or `ltr`.
    pub dir: Option<String>,
    /// The article text as blocks.
    pub blocks: Vec<Block>,
}

impl Document {
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

    /// SHA-256 (hex) of what comparison looks at: headline, byline and the
    /// folded text of every block. Two documents with the same hash never alert.
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
        hex(&h.finalize())
    }

    /// Number of words in the article text.
    pub fn word_count(&self) -> usize {
        self.blocks.iter().map(|b| text::word_count(&b.text)).sum()
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
        header("Fetched", Some(fetched));
        header("SHA256", Some(&self.content_hash()));
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
        out
    }

    /// Parses a baseline file (with or without header).
    pub fn from_baseline(src: &str) -> Document {
        let src = src
            .strip_prefix('\u{FEFF}')
            .unwrap_or(src)
            .replace("\r\n", "\n");
        let mut doc = Document::default();
        let mut body = src.as_str();
        // A header is a first chunk whose every line is a known `Key: value`.
        if let Some((first, rest)) = src.split_once("\n\n") {
            let lines: Vec<&str> = first.lines().collect();
            if !lines.is_empty() && lines.iter().all(|l| header_line(l).is_some()) {
                for (k, v) in lines.iter().filter_map(|l| header_line(l)) {
                    let v = Some(v.to_string());
                    match k {
                        "title" => doc.title = v,
                        "byline" => doc.byline = v,
                        "published" => doc.published = v,
                        "url" => doc.canonical_url = v,
                        _ => {}
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

/// Recognises a baseline header line; returns the lower-cased key and value.
fn header_line(line: &str) -> Option<(&'static str, &str)> {
    let (k, v) = line.split_once(": ")?;
    let key = ["Title", "Byline", "Published", "URL", "Fetched", "SHA256"]
        .into_iter()
        .find(|h| h.eq_ignore_ascii_case(k.trim()))?;
    let key = match key {
        "Title" => "title",
        "Byline" => "byline",
        "Published" => "published",
        "URL" => "url",
        "Fetched" => "fetched",
        _ => "sha256",
    };
    Some((key, v.trim()))
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

/// Lower-case hex of a byte slice.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

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
