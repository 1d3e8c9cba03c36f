//! Site chrome told by the site's other watched pages: when an article's
//! check found a change, the kept texts of the other article watches of
//! the same host are read from the store (their newest version and the
//! one before) and handed to [`compare::site_chrome`], which says whether
//! the change is confined to blocks the site shows on those pages (a "most
//! read" box rotated site-wide). Nothing is read for a check that found no
//! change.

use crate::compare::{self, Change, Rules, Sibling, SiteChrome, MAX_SIBLINGS};
use crate::config::{Watch, WatchKind};
use crate::document::Document;
use crate::store::State;

use super::Context;

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

/// A sibling's kept texts: the blocks of its newest version and of the one
/// before it. `None` when it keeps no article version (not checked yet), or
/// its history cannot be read (the sibling is left out: the change then
/// alerts as any change, unless the others are evidence enough).
fn kept_texts(state: &State, name: &str) -> Option<Sibling> {
    let rows = state.newest_versions(name, 2).ok()?;
    let blocks = |seq: i64| -> Option<Vec<String>> {
        let body = state.version_body(name, seq).ok()??;
        // An item list (the watch was a listing once) has no SHA256 line.
        let header = body.split("\n\n").next().unwrap_or_default();
        if !header.lines().any(|l| l.starts_with("SHA256: ")) {
            return None;
        }
        let doc = Document::from_baseline(&body);
        Some(doc.blocks.into_iter().map(|b| b.text).collect())
    };
    let (latest, before) = match rows.as_slice() {
        [.., before, latest] => (latest, Some(before)),
        [latest] => (latest, None),
        [] => return None,
    };
    Some(Sibling {
        name: name.to_string(),
        latest: blocks(latest.seq)?,
        before: before.and_then(|b| blocks(b.seq)),
    })
}

/// Whether the change `change` of `watch`'s article, from `old` to `new`
/// under `rules`, is confined to the site's chrome, as the site's other
/// watched pages tell ([`compare::site_chrome`]). `None` for a watch with
/// `site_chrome = false`, a site with too few other watched pages, and
/// whatever the rule does not find to be chrome.
pub(super) async fn confined_to_chrome(
    ctx: &Context,
    watch: &Watch,
    old: &Document,
    new: &Document,
    change: &Change,
    rules: &Rules,
) -> Option<SiteChrome> {
    if !watch.site_chrome {
        return None;
    }
    let names: Vec<String> = siblings_of(ctx, watch)
        .into_iter()
        .map(|w| w.name.clone())
        .collect();
    if names.len() < compare::MIN_PAGES {
        return None;
    }
    let (state, old, new, change, rules) = (
        ctx.state.clone(),
        old.clone(),
        new.clone(),
        change.clone(),
        rules.clone(),
    );
    ctx.cpu_bound(move || {
        let siblings: Vec<Sibling> = names
            .iter()
            .filter_map(|name| kept_texts(&state, name))
            .collect();
        compare::site_chrome(&old, &new, &change, &rules, &siblings)
    })
    .await
    .ok()
    .flatten()
}
