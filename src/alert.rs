//! An alert: what is written to the outbox and delivered to channels.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::compare::{Change, ChangeKind};
use crate::document::{hex, Item};

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
    /// When the change was detected (RFC 3339, UTC).
    pub detected_at: String,
    /// The text change, for article alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// New items, for listing and feed alerts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// The error, for `error` alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where the evidence of an article alert is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
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
}

impl Alert {
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

    /// `[presswatch] Edited: <headline> — 1 paragraph added, 3 words changed`,
    /// with line breaks and control characters removed.
    pub fn subject(&self) -> String {
        let summary = self.summary.replace("; ", ", ");
        // A summary that already names the headline (one new item) is
        // preceded by the outlet instead: kind, where, what.
        let what = self
            .title
            .as_deref()
            .filter(|t| !t.is_empty() && !summary.contains(*t))
            .unwrap_or(if self.outlet.is_empty() {
                &self.watch
            } else {
                &self.outlet
            });
        // "Headline changed: X — Headline changed" says it twice.
        let summary = summary
            .strip_prefix(self.kind.label())
            .map(|rest| rest.trim_start_matches([',', ' ']))
            .unwrap_or(&summary);
        let s = if summary.is_empty() || self.kind == ChangeKind::TakenDown {
            format!("[presswatch] {}: {}", self.kind.label(), what)
        } else {
            format!("[presswatch] {}: {} — {}", self.kind.label(), what, summary)
        };
        let s: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        crate::text::clean(&s)
    }
}

/// A realistic alert about the demo story (a film director's flight into
/// exile), for `presswatch test-alert` and previews: a changed headline, an
/// edited paragraph and an added correction, computed by the real comparison.
pub fn sample() -> Alert {
    use crate::document::{Block, Document};
    let doc = |title: &str, paras: &[&str]| Document {
        title: Some(title.to_string()),
        byline: Some("Deepa Parent".to_string()),
        blocks: paras.iter().map(|p| Block::paragraph(p)).collect(),
        ..Document::default()
    };
    let old = doc(
        "Iranian director Mohammad Rasoulof flees Iran after prison sentence",
        &[
            "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through rugged mountainous borders after receiving an eight-year prison sentence for his film about Iran’s recent uprising.",
            "Mohammad Mehdi Esmaeili, Iran's Culture Minister, on Monday called the film “illegal”. The legal repercussions for Rasoulof, upheld on appeal, include imprisonment, lashes, a fine, and property confiscation.",
        ],
    );
    let new = doc(
        "Mohammad Rasoulof escapes Iran on foot after prison sentence",
        &[
            "Iranian dissident filmmaker Mohammad Rasoulof has fled Iran, escaping on foot through mountainous borders after receiving an eight-year prison sentence and a flogging for his film about Iran’s recent uprising.",
            "Mohammad Mehdi Esmaeili, Iran's Culture Minister, on Monday called the film “illegal”. The legal repercussions for Rasoulof, upheld on appeal, include imprisonment, lashes, a fine, and property confiscation.",
            "Correction: an earlier version of this article misstated the date of the appeal ruling.",
        ],
    );
    let change = crate::compare::compare(&old, &new, &crate::compare::Rules::default());
    let kind = change
        .as_ref()
        .map(|c| c.kind())
        .unwrap_or(ChangeKind::Edited);
    Alert {
        schema: SCHEMA_VERSION,
        id: Alert::derive_id(
            "presswatch-test-alert",
            &[&old.content_hash(), &new.content_hash()],
        ),
        watch: "test-alert".into(),
        url: "https://news.example.org/world/2024/may/14/mohammad-rasoulof-flees-iran".into(),
        outlet: "news.example.org".into(),
        kind,
        summary: change
            .as_ref()
            .map(|c| c.summary.clone())
            .unwrap_or_default(),
        title: new.title.clone(),
        byline: new.byline.clone(),
        detected_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        change,
        items: vec![],
        error: None,
        evidence: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_one_line_and_says_things_once() {
        let mut a = sample();
        a.kind = ChangeKind::HeadlineChanged;
        a.title = Some("Rasoulof flees\r\nBcc: x@example.org".into());
        a.summary = "Headline changed; 1 paragraph added".into();
        assert_eq!(
            a.subject(),
            "[presswatch] Headline changed: Rasoulof flees Bcc: x@example.org — 1 paragraph added"
        );
        a.summary = "Headline changed".into();
        assert_eq!(
            a.subject(),
            "[presswatch] Headline changed: Rasoulof flees Bcc: x@example.org"
        );
    }

    #[test]
    fn a_new_item_subject_names_the_outlet_and_the_item_once() {
        let mut a = sample();
        a.kind = ChangeKind::NewItems;
        a.outlet = "Iran International".into();
        a.title = Some("Rasoulof wins special jury prize".into());
        a.summary = "1 new item: Rasoulof wins special jury prize".into();
        assert_eq!(
            a.subject(),
            "[presswatch] New items: Iran International — 1 new item: Rasoulof wins special jury prize"
        );
    }
}
