//! Site chrome told by the site's other watched pages: when an article's
//! check found a change that may be chrome ([`compare::may_be_chrome`]),
//! the kept texts of the other article watches of the same host are read
//! from the store (their newest version and the one before), keyed, and
//! handed to [`compare::site_chrome`], which says whether the change
//! is confined to blocks the site shows on those pages (a "most read" box
//! rotated site-wide). Nothing is read for a check that found no change.
//!
//! The checks of one site's pages read the same versions of the same
//! other pages, so the keys of each version read are kept in memory for
//! the next checks ([`SiteKeys`]): each version is read and keyed once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::compare::{self, BlockKeys, Change, Rules, Sibling, SiteChrome, MAX_SIBLINGS};
use crate::config::{Watch, WatchKind};
use crate::document::Document;
use crate::store::{State, VersionRow};

use super::Context;

/// At most this many bytes of keyed versions are kept in memory
/// ([`SiteKeys`]): about the newest two versions of 20 other pages of 25
/// sites, for articles of 8 KB of text.
pub const SITE_KEYS_BYTES: usize = 16 << 20;

/// The keyed blocks of the versions site chrome read lately, for the next
/// checks of the site's pages, by the address of the version's stored text
/// (its `body_sha256`) and the `ignore` rules they were keyed under: a
/// sibling's new version is a new entry, so none is ever stale. At most
/// [`SITE_KEYS_BYTES`]; the least recently used go first.
#[derive(Default)]
pub struct SiteKeys {
    kept: Mutex<Kept>,
}

/// What [`SiteKeys`] holds.
#[derive(Default)]
struct Kept {
    entries: HashMap<KeyId, Entry>,
    bytes: usize,
    clock: u64,
}

/// A version's text by its address, keyed under these `ignore` patterns.
type KeyId = (String, Vec<String>);

/// One version's keys.
struct Entry {
    /// `None`: the version holds no article (the watch was a listing once).
    keys: Option<Arc<BlockKeys>>,
    bytes: usize,
    used: u64,
}

impl SiteKeys {
    /// The keys of `watch`'s version `row` under `rules`: kept ones, else
    /// read from `state`, keyed and kept. `None` when the version holds no
    /// article, or cannot be read (not kept then: the next check tries
    /// again).
    fn keys(
        &self,
        state: &State,
        watch: &str,
        row: &VersionRow,
        rules: &Rules,
    ) -> Option<Arc<BlockKeys>> {
        let id: KeyId = (
            row.body_sha256.clone(),
            rules
                .ignore
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
        );
        if let Some(keys) = self.kept().get(&id) {
            return keys;
        }
        let body = state.version_body(watch, row.seq).ok()??;
        let keys = article_blocks(&body)
            .map(|blocks| Arc::new(BlockKeys::of(blocks.iter().map(String::as_str), rules)));
        self.kept().put(id, keys.clone());
        keys
    }

    fn kept(&self) -> MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Kept {
    /// The kept keys of `id`, if any: `Some(None)` for a version known to
    /// hold no article.
    fn get(&mut self, id: &KeyId) -> Option<Option<Arc<BlockKeys>>> {
        self.clock += 1;
        let entry = self.entries.get_mut(id)?;
        entry.used = self.clock;
        Some(entry.keys.clone())
    }

    /// Keeps `keys` as `id`'s, dropping the least recently used entries
    /// beyond [`SITE_KEYS_BYTES`].
    fn put(&mut self, id: KeyId, keys: Option<Arc<BlockKeys>>) {
        self.clock += 1;
        let bytes = keys.as_ref().map_or(0, |k| k.bytes())
            + id.0.len()
            + id.1.iter().map(String::len).sum::<usize>()
            + std::mem::size_of::<(KeyId, Entry)>();
        let entry = Entry {
            keys,
            bytes,
            used: self.clock,
        };
        self.bytes += bytes;
        if let Some(old) = self.entries.insert(id, entry) {
            self.bytes -= old.bytes;
        }
        while self.bytes > SITE_KEYS_BYTES && self.entries.len() > 1 {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            if let Some(gone) = self.entries.remove(&oldest) {
                self.bytes -= gone.bytes;
            }
        }
    }
}

/// The blocks of a version's stored text, `None` when it holds no article:
/// an item list (the watch was a listing once) has no SHA256 line.
fn article_blocks(body: &str) -> Option<Vec<String>> {
    let header = body.split("\n\n").next().unwrap_or_default();
    if !header.lines().any(|l| l.starts_with("SHA256: ")) {
        return None;
    }
    let doc = Document::from_baseline(body);
    Some(doc.blocks.into_iter().map(|b| b.text).collect())
}

/// The host a watch's site is known by: its URL's, without `www.`, with
/// its port when the URL names one.
fn site(watch: &Watch) -> Option<String> {
    let host = watch.url.host_str()?.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .map_or(host.clone(), str::to_string);
    Some(match watch.url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The other article watches of `watch`'s site, in the config's order, at
/// most [`MAX_SIBLINGS`].
fn siblings_of<'a>(ctx: &'a Context, watch: &Watch) -> Vec<&'a Watch> {
    let Some(host) = site(watch) else {
        return Vec::new();
    };
    ctx.config
        .watches
        .iter()
        .filter(|w| {
            w.name != watch.name
                && w.kind == WatchKind::Article
                && site(w).as_deref() == Some(host.as_str())
        })
        .take(MAX_SIBLINGS)
        .collect()
}

/// A sibling as the rule reads it: the keys of its newest version and of
/// the one before it. `None` when it keeps no article version (not checked
/// yet), or its history cannot be read (the sibling is left out: the
/// change then alerts as any change, unless the others are evidence
/// enough).
fn keyed_sibling(kept: &SiteKeys, state: &State, name: &str, rules: &Rules) -> Option<Sibling> {
    let rows = state.newest_versions(name, 2).ok()?;
    let (latest, before) = match rows.as_slice() {
        [.., before, latest] => (latest, Some(before)),
        [latest] => (latest, None),
        [] => return None,
    };
    Some(Sibling {
        name: name.to_string(),
        latest: kept.keys(state, name, latest, rules)?,
        before: before.and_then(|b| kept.keys(state, name, b, rules)),
    })
}

/// Whether the change `change` of `watch`'s article, from `old` to `new`
/// under `rules`, is confined to the site's chrome, as the site's other
/// watched pages tell ([`compare::site_chrome`]). `None` for a watch
/// with `site_chrome = false`, a change that cannot be chrome, a site with
/// too few other watched pages, and whatever the rule does not find to be
/// chrome.
pub(super) async fn confined_to_chrome(
    ctx: &Context,
    watch: &Watch,
    old: &Document,
    new: &Document,
    change: &Change,
    rules: &Rules,
) -> Option<SiteChrome> {
    if !watch.site_chrome || !compare::may_be_chrome(change) {
        return None;
    }
    let names: Vec<String> = siblings_of(ctx, watch)
        .into_iter()
        .map(|w| w.name.clone())
        .collect();
    if names.len() < compare::MIN_PAGES {
        return None;
    }
    let (state, kept, old, new, change, rules) = (
        ctx.state.clone(),
        ctx.site_keys.clone(),
        old.clone(),
        new.clone(),
        change.clone(),
        rules.clone(),
    );
    ctx.cpu_bound(move || {
        let siblings: Vec<Sibling> = names
            .iter()
            .filter_map(|name| keyed_sibling(&kept, &state, name, &rules))
            .collect();
        compare::site_chrome(&old, &new, &change, &rules, &siblings)
    })
    .await
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::store::{Checked, Durability, NewVersion, Origin, WatchState};

    const STORY: [&str; 2] = [
        "The minister resigned on Monday, two weeks after the vote.",
        "Most read: Storms close the mountain roads in the north.",
    ];

    /// Stores `STORY` as the newest version of watch `w`, as a check does.
    fn stored_story(state: &State) -> VersionRow {
        let body = format!(
            "Title: The minister resigns\nSHA256: 00\n\n{}\n\n{}\n",
            STORY[0], STORY[1]
        );
        let check = Checked {
            versions: vec![NewVersion {
                sha256: "00".into(),
                body,
                fetched_at: 1,
                keep: 2,
                raw: None,
                raw_cap: None,
                origin: Origin::Fetched,
                reading: None,
                page_facts: None,
                alerted: None,
            }],
            ..Default::default()
        };
        state
            .save_check("w", &WatchState::default(), &check, Durability::Durable)
            .unwrap();
        state.latest("w").unwrap().unwrap()
    }

    #[test]
    fn a_kept_version_is_keyed_under_the_ignore_rules_of_each_check_that_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        let row = stored_story(&state);
        let kept = SiteKeys::default();
        let plain = Rules::default();
        let ignoring = Rules {
            ignore: vec![Regex::new("Most read: .*").unwrap()],
            ..Rules::default()
        };
        // Read under each watch's rules in turn, twice: each read is what
        // keying the version's blocks under those rules gives.
        for _ in 0..2 {
            for rules in [&plain, &ignoring] {
                let keys = kept.keys(&state, "w", &row, rules).expect("an article");
                assert_eq!(*keys, BlockKeys::of(STORY, rules));
            }
        }
        assert_ne!(
            BlockKeys::of(STORY, &plain),
            BlockKeys::of(STORY, &ignoring)
        );
    }
}
