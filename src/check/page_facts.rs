//! What later checks need to know of the page a version was read from,
//! kept with the version when its raw response is not (`keep_raw = "off"`):
//! whether the page ended as a whole page does (`check::cut_short`), the
//! paywall signs it showed (`check::paywall`) and whether it was a web page
//! (`check::not_a_page`). A few bytes in place of the
//! page, so that with no response kept a page cut short is still told from
//! a story cut short, and a standing "Subscribe" box from a new paywall.
//!
//! The facts only: each check reads them (or, for a version without them,
//! kept by an older presswatch or with its response, the kept response)
//! in its own module.

use serde::{Deserialize, Serialize};

use crate::store::VersionRow;

/// What later checks need to know of one page.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PageFacts {
    /// Whether the page ended as a whole page does
    /// (`cut_short::ends_properly`).
    pub(super) ended: bool,
    /// Its body's length in bytes, as served.
    pub(super) bytes: usize,
    /// The paywall signs it showed (`paywall::signs`).
    pub(super) paywall: Signs,
    /// Whether it was a web page (HTML), not JSON, a sitemap or plain text
    /// (`not_a_page::kept_page_was_html`); `None` in the facts an older
    /// presswatch kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) html: Option<bool>,
}

/// What says a page is behind a paywall (`paywall::signs`).
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Signs {
    /// The prompts, each as its block reads and as what the prompt says of
    /// it (the paywall's prompt pattern's match, in match form).
    pub(super) prompts: Vec<(String, String)>,
    /// Whether the page says the article is not free to read (schema.org's
    /// `isAccessibleForFree` false).
    pub(super) not_free: bool,
}

impl PageFacts {
    /// The facts as a version keeps them ([`VersionRow::page_facts`]).
    pub(super) fn to_json(&self) -> String {
        serde_json::to_string(self).expect("page facts serialize")
    }

    /// The facts a version (`v`) kept; `None` when it kept none, or none
    /// this presswatch reads.
    pub(super) fn kept(v: &VersionRow) -> Option<PageFacts> {
        serde_json::from_str(v.page_facts.as_deref()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_read_back_as_they_were_kept_and_unreadable_ones_as_none() {
        let facts = PageFacts {
            ended: true,
            bytes: 180_311,
            paywall: Signs {
                prompts: vec![("Subscribers only".into(), "subscribers only".into())],
                not_free: true,
            },
            html: Some(true),
        };
        let row = |page_facts: Option<String>| VersionRow {
            seq: 1,
            sha256: "h".into(),
            stored_at: 0,
            origin: crate::store::Origin::Fetched,
            body_sha256: "b".into(),
            reading: None,
            page_facts,
            chain: None,
            alerted: None,
        };
        assert_eq!(PageFacts::kept(&row(Some(facts.to_json()))), Some(facts));
        assert_eq!(PageFacts::kept(&row(None)), None);
        // Kept by a presswatch that did not say whether the page was HTML.
        let older = r#"{"ended":true,"bytes":10,"paywall":{"prompts":[],"not_free":false}}"#;
        assert_eq!(
            PageFacts::kept(&row(Some(older.into()))).map(|f| (f.ended, f.html)),
            Some((true, None))
        );
        assert_eq!(PageFacts::kept(&row(Some("{not json".into()))), None);
    }
}
