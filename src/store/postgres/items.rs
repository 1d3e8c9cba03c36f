//! A listing's items in PostgreSQL, as the SQLite backend keeps them: those
//! seen (and whether their source titled them), the titles they carried
//! (for retitles), and the new items of a `follow = true` watch whose
//! article could not be read yet ([`FollowTry`]).

use super::{Conn, PgResult, Postgres, Result};
use crate::store::FollowTry;

impl Postgres {
    /// Whether a watch has ever recorded items.
    pub fn has_seen_items(&self, watch: &str) -> Result<bool> {
        self.run(async |c| {
            Ok(c.query_one(
                "SELECT EXISTS(SELECT 1 FROM seen_items WHERE watch = $1)",
                &[&watch],
            )
            .await?
            .get(0))
        })
    }

    /// The title last recorded of each of `keys` seen before for this
    /// watch, with whether the source gave it (one query).
    pub fn seen_titles(
        &self,
        watch: &str,
        keys: &[&str],
    ) -> Result<std::collections::HashMap<String, crate::retitle::Recorded>> {
        if keys.is_empty() {
            return Ok(Default::default());
        }
        self.run(async |c| {
            Ok(c.query(
                "SELECT key, title, titled FROM seen_items WHERE watch = $1 AND key = ANY($2)",
                &[&watch, &keys],
            )
            .await?
            .iter()
            .map(|r| {
                let recorded = crate::retitle::Recorded {
                    title: r.get(1),
                    given: r.get(2),
                };
                (r.get(0), recorded)
            })
            .collect())
        })
    }

    /// The titles each of these items carried before, each with whether
    /// the item was retitled to it (one query; items with none are left out).
    pub fn item_titles(
        &self,
        watch: &str,
        keys: &[&str],
    ) -> Result<std::collections::HashMap<String, std::collections::HashMap<String, bool>>> {
        if keys.is_empty() {
            return Ok(Default::default());
        }
        self.run(async |c| {
            let mut out: std::collections::HashMap<String, std::collections::HashMap<String, bool>> =
                Default::default();
            for r in c
                .query(
                    "SELECT key, title_key, retitled FROM item_titles WHERE watch = $1 AND key = ANY($2)",
                    &[&watch, &keys],
                )
                .await?
            {
                out.entry(r.get(0)).or_default().insert(r.get(1), r.get(2));
            }
            Ok(out)
        })
    }

    /// Which of `urls` were seen before for this watch, under whatever key (one query).
    pub fn seen_links(
        &self,
        watch: &str,
        urls: &[&str],
    ) -> Result<std::collections::HashSet<(String, String)>> {
        if urls.is_empty() {
            return Ok(Default::default());
        }
        self.run(async |c| {
            Ok(c.query(
                "SELECT DISTINCT url, title FROM seen_items WHERE watch = $1 AND url = ANY($2)",
                &[&watch, &urls],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
        })
    }

    /// The new items of a `follow = true` watch whose article could not be
    /// read yet, each with how many checks tried.
    pub fn follow_tries(&self, watch: &str) -> Result<Vec<FollowTry>> {
        self.run(async |c| {
            Ok(c.query(
                "SELECT key, tries, item FROM follow_tries WHERE watch = $1 ORDER BY key",
                &[&watch],
            )
            .await?
            .iter()
            .map(|r| FollowTry::new(r.get(0), r.get(1), r.get(2)))
            .collect())
        })
    }
}

/// Remembers titles items carried ([`crate::store::Checked::titles`]) in
/// the caller's transaction (a check's, [`Postgres::save_check`]): a title
/// an item is retitled to (or first given) becomes its recorded title, one
/// the source gave (`first_seen` kept). Two statements, none for no titles.
pub(super) async fn record_titles_in(
    c: &mut Conn,
    watch: &str,
    titles: &[crate::retitle::Remember],
    now: i64,
) -> PgResult<()> {
    if titles.is_empty() {
        return Ok(());
    }
    // Each title once, retitled when any record of it says so: one
    // INSERT may not update a row twice.
    let mut merged: Vec<(&str, &str, bool)> = Vec::new();
    let mut at: std::collections::HashMap<(&str, &str), usize> = Default::default();
    for t in titles {
        let retitled = t.becomes.is_some();
        match at.get(&(t.key.as_str(), t.title_key.as_str())) {
            Some(&i) => merged[i].2 |= retitled,
            None => {
                at.insert((&t.key, &t.title_key), merged.len());
                merged.push((&t.key, &t.title_key, retitled));
            }
        }
    }
    let keys: Vec<&str> = merged.iter().map(|m| m.0).collect();
    let title_keys: Vec<&str> = merged.iter().map(|m| m.1).collect();
    let flags: Vec<bool> = merged.iter().map(|m| m.2).collect();
    let retitled: Vec<(&str, &str)> = titles
        .iter()
        .filter_map(|t| Some((t.key.as_str(), t.becomes.as_deref()?)))
        .collect();
    let (retitled_keys, new_titles): (Vec<&str>, Vec<&str>) = retitled.into_iter().unzip();
    c.execute(
        "INSERT INTO item_titles (watch, key, title_key, first_seen, retitled)
         SELECT $1, k, t, $5, r FROM unnest($2::TEXT[], $3::TEXT[], $4::BOOLEAN[]) AS i(k, t, r)
         ON CONFLICT (watch, key, title_key) DO UPDATE SET retitled = item_titles.retitled OR EXCLUDED.retitled",
        &[&watch, &keys, &title_keys, &flags, &now],
    )
    .await?;
    c.execute(
        "UPDATE seen_items SET title = i.t, titled = TRUE
         FROM unnest($2::TEXT[], $3::TEXT[]) AS i(k, t)
         WHERE seen_items.watch = $1 AND seen_items.key = i.k",
        &[&watch, &retitled_keys, &new_titles],
    )
    .await
    .map(|_| ())
}

/// Remembers items as seen ([`crate::store::SeenItems`]) in the caller's
/// transaction (a check's, [`Postgres::save_check`]), each with whether its
/// source gave it its title (those whose keys are in `untitled` were named
/// by presswatch) and its link as items are recognised by it
/// ([`crate::extract::link_key`]): one statement for all of them, an item
/// seen before keeping its row.
pub(super) async fn mark_seen_in(
    c: &mut Conn,
    watch: &str,
    items: &[crate::document::Item],
    untitled: &std::collections::HashSet<String>,
    now: i64,
) -> PgResult<()> {
    let keys: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
    let urls: Vec<String> = items
        .iter()
        .map(|i| crate::extract::link_key(&i.url))
        .collect();
    let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
    let titled: Vec<bool> = items.iter().map(|i| !untitled.contains(&i.key)).collect();
    c.execute(
        "INSERT INTO seen_items (watch, key, url, title, first_seen, titled)
         SELECT $1, k, u, t, $5, g FROM unnest($2::TEXT[], $3::TEXT[], $4::TEXT[], $6::BOOLEAN[]) AS i(k, u, t, g)
         ON CONFLICT DO NOTHING",
        &[&watch, &keys, &urls, &titles, &now, &titled],
    )
    .await
    .map(|_| ())
}

/// Counts one more check that could not read the article of each `failed`
/// item (kept as listed, in case it leaves the listing), and forgets the
/// count of each `done` item (read, or alerted unread), in the caller's
/// transaction (a check's, [`Postgres::save_check`]): two statements, none
/// when there are none.
pub(super) async fn record_follow_tries_in(
    c: &mut Conn,
    watch: &str,
    failed: &[&crate::document::Item],
    done: &[&str],
    now: i64,
) -> PgResult<()> {
    if failed.is_empty() && done.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = failed.iter().map(|it| it.key.as_str()).collect();
    let items: Vec<String> = failed.iter().map(|it| FollowTry::stored(it)).collect();
    c.execute(
        "INSERT INTO follow_tries (watch, key, tries, last_try, item)
         SELECT $1, k, 1, $3, i FROM unnest($2::TEXT[], $4::TEXT[]) AS t(k, i)
         ON CONFLICT (watch, key) DO UPDATE
             SET tries = follow_tries.tries + 1, last_try = $3, item = EXCLUDED.item",
        &[&watch, &keys, &now, &items],
    )
    .await?;
    c.execute(
        "DELETE FROM follow_tries WHERE watch = $1 AND key = ANY($2)",
        &[&watch, &done],
    )
    .await
    .map(|_| ())
}
