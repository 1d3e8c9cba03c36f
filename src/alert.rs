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

    /// `[presswatch] Edited: <headline> — 1 paragraph added, 3 words changed`,
    /// with line breaks and control characters removed.
    pub fn subject(&self) -> String {
        let what = self
            .title
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or(&self.watch);
        let summary = self.summary.replace("; ", ", ");
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
