//! When a listing's or feed's item is a story seen before: the one rule the
//! new-item alert and the history (`presswatch history`, the evidence
//! viewer) both use. An item is known by its key, or by its link and title
//! when no other item of the page shares the link: feeds change their
//! items' ids (a CMS migration, ids with a date in them, GUIDs that appear
//! where there were none, a tracking query string added to every GUID), and
//! a story under a new id is not news. Links are compared as
//! [`normalize_url`] reads them (tracking parameters, fragment, scheme and
//! trailing slash aside). A new title at a known link is a new item (a daily
//! briefing at one address), and items that all link to one page (a live
//! blog) are told apart by their keys only. A story filed twice in one
//! check (two ids, one link, title and teaser) is one new story
//! ([`once_each`]), in the alert and the history alike.

use std::collections::{HashMap, HashSet};

use url::Url;

use super::normalize_url;
use crate::document::Item;

/// A link as items are recognised by it: [`normalize_url`]'s form, the link
/// as given when it is no URL, empty for none.
pub fn link_key(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => normalize_url(&u),
        Err(_) => url.to_string(),
    }
}

/// What recognises an item by its link: its [`link_key`] and its title as
/// readers read it (case, spelling variants and entities aside).
pub fn link_and_title(url: &str, title: &str) -> (String, String) {
    (link_key(url), crate::text::match_key(title))
}

/// The [`link_key`] of each of a page's items (by index) that no other item
/// of the page shares: those an item can be recognised by. `None` for an
/// item with no link, or one whose link others share.
pub fn own_links(items: &[Item]) -> Vec<Option<String>> {
    let keys: Vec<String> = items.iter().map(|it| link_key(&it.url)).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for k in keys.iter().filter(|k| !k.is_empty()) {
        *count.entry(k.as_str()).or_default() += 1;
    }
    keys.iter()
        .map(|k| (count.get(k.as_str()) == Some(&1)).then(|| k.clone()))
        .collect()
}

/// Each item of `now` (by index) paired with the item of `before` it is
/// the same story as (the first of that key; else, by its own link and
/// title, the first so listed), `None` for a new one.
pub fn same_stories(before: &[Item], now: &[Item]) -> Vec<Option<usize>> {
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    let mut by_link: HashMap<(String, String), usize> = HashMap::new();
    for (n, it) in before.iter().enumerate() {
        by_key.entry(it.key.as_str()).or_insert(n);
        by_link
            .entry(link_and_title(&it.url, &it.title))
            .or_insert(n);
    }
    now.iter()
        .zip(own_links(now))
        .map(|(it, link)| {
            by_key.get(it.key.as_str()).copied().or_else(|| {
                let link = link?;
                by_link
                    .get(&(link, crate::text::match_key(&it.title)))
                    .copied()
            })
        })
        .collect()
}

/// The keys of `before`'s items that some item of `now` is the same story
/// as ([`same_stories`], `pairs`): the others are no longer listed.
pub fn still_listed<'a>(before: &'a [Item], pairs: &[Option<usize>]) -> HashSet<&'a str> {
    pairs
        .iter()
        .flatten()
        .map(|&n| before[n].key.as_str())
        .collect()
}

/// The new items `new` (indexes into `items`, in page order) with each
/// story once: a feed that files one story twice in a check (under two
/// ids, e.g. in two categories, its link with another tracking query) gives
/// two items with one link, title and teaser, which are one new story, not
/// two; the first stands for both. Items that share a link but read
/// otherwise (a live blog's updates) stay apart, as do items with no link.
pub fn once_each(items: &[Item], new: Vec<usize>) -> Vec<usize> {
    let mut stories = HashSet::new();
    new.into_iter()
        .filter(|&i| {
            let it = &items[i];
            let link = link_key(&it.url);
            link.is_empty()
                || stories.insert((
                    link,
                    crate::text::match_key(&it.title),
                    crate::text::match_key(it.snippet.as_deref().unwrap_or("")),
                ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, url: &str, title: &str) -> Item {
        Item {
            key: key.into(),
            url: url.into(),
            title: title.into(),
            snippet: None,
            published: None,
        }
    }

    #[test]
    fn a_story_under_a_new_id_or_a_tracked_link_is_the_same_a_new_title_or_a_shared_link_is_not() {
        let before = [
            item("urn:1", "https://n.example/a", "Court hears appeal"),
            item("urn:2", "https://n.example/b", "Briefing: Monday"),
            item("live-1", "https://n.example/live", "Verdict read out"),
            item("live-2", "https://n.example/live", "Crowd gathers"),
        ];
        let now = [
            item(
                "https://n.example/a?utm_source=rss",
                "https://n.example/a?utm_source=rss#top",
                "COURT hears appeal",
            ),
            item("urn:3", "https://n.example/b", "Briefing: Tuesday"),
            item("live-3", "https://n.example/live", "Verdict read out"),
            item("live-4", "https://n.example/live", "Sentence appealed"),
            item("urn:2", "https://n.example/b2", "Briefing: Monday"),
        ];
        let pairs = same_stories(&before, &now);
        assert_eq!(pairs, [Some(0), None, None, None, Some(1)]);
        let listed = still_listed(&before, &pairs);
        assert_eq!(listed, HashSet::from(["urn:1", "urn:2"]));
    }
}
