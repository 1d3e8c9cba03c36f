//! A listing's items: those seen (and whether their source titled them),
//! the titles they carried (for retitles), and the new items of a
//! `follow = true` watch whose article could not be read yet
//! ([`FollowTry`]).

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection};

use super::{Result, Sqlite};
use crate::document::Item;

/// A new item of a `follow = true` watch whose article could not be read
/// yet (a timeout, a 429...): tried again on the next checks, and alerted
/// unread when it cannot be read on enough of them or leaves the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowTry {
    /// The item's key.
    pub key: String,
    /// How many checks could not read its article.
    pub tries: u32,
    /// The item as last listed; `None` for a count kept by a presswatch
    /// from before items were kept with it (or an item stored unreadably).
    pub item: Option<Item>,
}

impl FollowTry {
    /// A stored row (both backends): `item` as [`FollowTry::stored`] wrote it.
    pub(in crate::store) fn new(key: String, tries: i64, item: Option<String>) -> FollowTry {
        FollowTry {
            key,
            tries: u32::try_from(tries).unwrap_or(u32::MAX),
            item: item.and_then(|j| serde_json::from_str(&j).ok()),
        }
    }

    /// An item as stored with its count (JSON).
    pub(in crate::store) fn stored(item: &Item) -> String {
        serde_json::to_string(item).unwrap_or_default()
    }
}

impl Sqlite {
    /// Whether a watch has ever recorded items (a first listing check does not alert).
    pub fn has_seen_items(&self, watch: &str) -> Result<bool> {
        self.reader()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM seen_items WHERE watch = ?1)",
                [watch],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Strings as one JSON array, the form the lookups by many keys pass
    /// to `json_each`.
    fn json_array(&self, values: &[&str]) -> Result<String> {
        serde_json::to_string(values)
            .map_err(|e| self.err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
    }

    /// The title last recorded of each of these item keys seen before for
    /// this watch, with whether the source gave it: one query for all of them (the keys travel as one JSON
    /// array), each key looked up in the primary key index. `CROSS JOIN`
    /// fixes that order: SQLite would otherwise walk the watch's seen items
    /// and rescan the whole array for each, quadratic in the size of a feed.
    pub fn seen_titles(
        &self,
        watch: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, crate::retitle::Recorded>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let keys = self.json_array(keys)?;
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT s.key, s.title, s.titled FROM json_each(?2) AS k \
                 CROSS JOIN seen_items AS s ON s.watch = ?1 AND s.key = k.value",
            )
            .map_err(|e| self.err(e))?;
        let seen = st
            .query_map(params![watch, keys], |r| {
                let recorded = crate::retitle::Recorded {
                    title: r.get(1)?,
                    given: r.get(2)?,
                };
                Ok((r.get(0)?, recorded))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<HashMap<String, crate::retitle::Recorded>>>()
            .map_err(|e| self.err(e));
        seen
    }

    /// The titles each of these items carried before (in
    /// [`crate::retitle::title_key`] form), each with whether the item was
    /// retitled to it: one query, as [`Self::seen_titles`]. Items with none
    /// are left out.
    pub fn item_titles(
        &self,
        watch: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, HashMap<String, bool>>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let keys = self.json_array(keys)?;
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT t.key, t.title_key, t.retitled FROM json_each(?2) AS k \
                 CROSS JOIN item_titles AS t ON t.watch = ?1 AND t.key = k.value",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![watch, keys], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out: HashMap<String, HashMap<String, bool>> = HashMap::new();
        for row in rows {
            let (key, title, retitled) = row.map_err(|e| self.err(e))?;
            out.entry(key).or_default().insert(title, retitled);
        }
        Ok(out)
    }

    /// Which of these item links were seen before for this watch, under
    /// whatever key, each with the title it was seen under: one query, as
    /// [`Self::seen_titles`], each link looked up in the `(watch, url)` index.
    pub fn seen_links(&self, watch: &str, urls: &[&str]) -> Result<HashSet<(String, String)>> {
        if urls.is_empty() {
            return Ok(HashSet::new());
        }
        let urls = self.json_array(urls)?;
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT DISTINCT s.url, s.title FROM json_each(?2) AS u \
                 CROSS JOIN seen_items AS s ON s.watch = ?1 AND s.url = u.value",
            )
            .map_err(|e| self.err(e))?;
        let seen = st
            .query_map(params![watch, urls], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<HashSet<(String, String)>>>()
            .map_err(|e| self.err(e));
        seen
    }

    /// The new items of a `follow = true` watch whose article could not be
    /// read yet, each with how many checks tried.
    pub fn follow_tries(&self, watch: &str) -> Result<Vec<FollowTry>> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT key, tries, item FROM follow_tries WHERE watch = ?1 ORDER BY key",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([watch], |r| {
                Ok(FollowTry::new(r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e));
        rows
    }
}

/// Remembers titles items carried ([`crate::store::Checked::titles`]), in the caller's
/// transaction (a check's, [`Sqlite::save_check`]): a title an item is
/// retitled to (or first given) becomes its recorded title, one the source
/// gave (`first_seen` kept), and is marked as one it was retitled to; the
/// others are remembered as shown.
pub(super) fn record_titles_in(
    db: &Connection,
    watch: &str,
    titles: &[crate::retitle::Remember],
    now: i64,
) -> rusqlite::Result<()> {
    let mut remember = db.prepare_cached(
        "INSERT INTO item_titles (watch, key, title_key, first_seen, retitled) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (watch, key, title_key) DO UPDATE SET retitled = max(retitled, excluded.retitled)",
    )?;
    let mut retitle = db.prepare_cached(
        "UPDATE seen_items SET title = ?3, titled = 1 WHERE watch = ?1 AND key = ?2",
    )?;
    for t in titles {
        remember.execute(params![watch, t.key, t.title_key, now, t.becomes.is_some()])?;
        if let Some(title) = &t.becomes {
            retitle.execute(params![watch, t.key, title])?;
        }
    }
    Ok(())
}

/// Remembers items as seen ([`crate::store::SeenItems`]), in the caller's transaction (a
/// check's, [`Sqlite::save_check`]), each with whether its source gave it
/// its title (those whose keys are in `untitled` were named by presswatch)
/// and its link as items are recognised by it
/// ([`crate::extract::link_key`]). An item seen before keeps its row.
pub(super) fn mark_seen_in(
    db: &Connection,
    watch: &str,
    items: &[Item],
    untitled: &HashSet<String>,
    now: i64,
) -> rusqlite::Result<()> {
    let mut st = db.prepare_cached("INSERT OR IGNORE INTO seen_items (watch, key, url, title, first_seen, titled) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
    for it in items {
        let titled = !untitled.contains(&it.key);
        let link = crate::extract::link_key(&it.url);
        st.execute(params![watch, it.key, link, it.title, now, titled])?;
    }
    Ok(())
}

/// Counts one more check that could not read the article of each `failed`
/// item (kept as listed, in case it leaves the listing), and forgets the
/// count of each `done` item (read, or alerted unread), in the caller's
/// transaction (a check's, [`Sqlite::save_check`]).
pub(super) fn record_follow_tries_in(
    db: &Connection,
    watch: &str,
    failed: &[&Item],
    done: &[&str],
    now: i64,
) -> rusqlite::Result<()> {
    let mut up = db.prepare_cached(
        "INSERT INTO follow_tries (watch, key, tries, last_try, item) VALUES (?1, ?2, 1, ?3, ?4)
         ON CONFLICT (watch, key) DO UPDATE SET tries = tries + 1, last_try = ?3, item = ?4",
    )?;
    for it in failed {
        up.execute(params![watch, it.key, now, FollowTry::stored(it)])?;
    }
    let mut del = db.prepare_cached("DELETE FROM follow_tries WHERE watch = ?1 AND key = ?2")?;
    for key in done {
        del.execute(params![watch, key])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Durability, WatchState};
    use super::*;

    #[test]
    fn seen_titles_are_those_of_this_watch_among_the_asked() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        let item = |key: &str| crate::document::Item {
            key: key.into(),
            url: format!("https://n.example.org/{key}"),
            title: key.into(),
            snippet: None,
            published: None,
        };
        let untitled = HashSet::from(["a".to_string()]);
        let seen = |watch, items: &[Item], untitled: &HashSet<String>| {
            let check = crate::store::checked::seeing(items, untitled, 1);
            st.save_check(watch, &WatchState::default(), &check, Durability::Durable)
                .unwrap();
        };
        seen(
            "w",
            &[item("a"), item("b\"quoted\""), item("رسول‌اف")],
            &untitled,
        );
        seen("other", &[item("c")], &HashSet::new());
        let seen = st
            .seen_titles("w", &["a", "b\"quoted\"", "c", "رسول‌اف", "new"])
            .unwrap();
        let mut seen: Vec<(&str, &str, bool)> = seen
            .iter()
            .map(|(k, r)| (k.as_str(), r.title.as_str(), r.given))
            .collect();
        seen.sort_unstable();
        assert_eq!(
            seen,
            [
                ("a", "a", false),
                ("b\"quoted\"", "b\"quoted\"", true),
                ("رسول‌اف", "رسول‌اف", true)
            ]
        );
        assert!(st.seen_titles("w", &[]).unwrap().is_empty());
    }
}
