//! What later checks need to know of the page a version was read from,
//! kept with the version when its raw response is not (`keep_raw = "off"`):
//! whether the page ended as a whole page does ([`super::cut_short`]) and
//! the paywall signs it showed ([`super::paywall`]). A few bytes in place of
//! the page, so that with no response kept a page cut short is still told
//! from a story cut short, and a standing "Subscribe" box from a new
//! paywall.
//!
//! A version with neither (kept by an older presswatch, or with its
//! response) is read from its kept response, as before.

use serde::{Deserialize, Serialize};

use crate::store::{State, VersionRow};

use super::cut_short::ends_properly;
use super::keep::version_page;
use super::paywall::{signs, Signs};

/// What later checks need to know of one page.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PageFacts {
    /// Whether the page ended as a whole page does ([`ends_properly`]).
    pub(super) ended: bool,
    /// Its body's length in bytes, as served.
    pub(super) bytes: usize,
    /// The paywall signs it showed ([`signs`]).
    pub(super) paywall: Signs,
}

impl PageFacts {
    /// The facts of a page: its body as served (`body`) and the paywall
    /// signs it shows (`paywall`: [`signs`]).
    pub(super) fn new(body: &[u8], paywall: Signs) -> PageFacts {
        PageFacts {
            ended: ends_properly(body),
            bytes: body.len(),
            paywall,
        }
    }

    /// The facts as a version keeps them ([`VersionRow::page_facts`]).
    pub(super) fn to_json(&self) -> String {
        serde_json::to_string(self).expect("page facts serialize")
    }

    /// The facts a version (`v`) kept; `None` when it kept none, or none
    /// this presswatch reads.
    fn kept(v: &VersionRow) -> Option<PageFacts> {
        serde_json::from_str(v.page_facts.as_deref()?).ok()
    }
}

/// Whether the page `watch`'s version `v` was read from ended as a whole
/// page does, and its length in bytes: as its facts say, else as its kept
/// response (in `state`) does; `None` when neither was kept.
pub(super) fn ending(state: &State, watch: &str, v: &VersionRow) -> Option<(bool, usize)> {
    if let Some(facts) = PageFacts::kept(v) {
        return Some((facts.ended, facts.bytes));
    }
    let kept = super::keep::version_snapshot(state, watch, v.seq).ok()??;
    let body = state.snapshot_body(&kept.body_sha256).ok()??.ok()?;
    Some((ends_properly(&body), body.len()))
}

/// The paywall signs of the page `watch`'s version `v` was read from: as
/// its facts say, else as its kept response (in `state`) shows; `None`
/// when neither was kept.
pub(super) fn paywall_signs(state: &State, watch: &str, v: &VersionRow) -> Option<Signs> {
    match PageFacts::kept(v) {
        Some(facts) => Some(facts.paywall),
        None => version_page(state, watch, v.seq).map(|(_, html)| signs(&html)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_s_facts_say_how_it_ended_and_what_paywall_it_showed() {
        let whole =
            "<html><body><p>The story.</p><div>Already a subscriber? Log in</div></body></html>";
        let facts = PageFacts::new(whole.as_bytes(), signs(whole));
        assert!(facts.ended);
        assert_eq!(facts.paywall.prompts.len(), 1, "{facts:?}");
        assert!(!facts.paywall.not_free);
        let cut = "<html><body><p>The story, cut";
        let facts = PageFacts::new(cut.as_bytes(), signs(cut));
        assert!(!facts.ended);
        assert_eq!(facts.paywall, Signs::default());
    }

    #[test]
    fn facts_read_back_as_they_were_kept_and_unreadable_ones_as_none() {
        let page = r#"<html><body><p>Subscribers only</p><script type="application/ld+json">{"isAccessibleForFree": false}</script></body></html>"#;
        let facts = PageFacts::new(page.as_bytes(), signs(page));
        let row = |page_facts: Option<String>| VersionRow {
            seq: 1,
            sha256: "h".into(),
            stored_at: 0,
            origin: crate::store::Origin::Fetched,
            body_sha256: "b".into(),
            reading: None,
            page_facts,
        };
        assert_eq!(PageFacts::kept(&row(Some(facts.to_json()))), Some(facts));
        assert_eq!(PageFacts::kept(&row(None)), None);
        assert_eq!(PageFacts::kept(&row(Some("{not json".into()))), None);
    }
}
