//! A watch's versions in PostgreSQL, as the SQLite backend keeps them:
//! each text stored under the SHA-256 of its bytes, only the newest `keep`
//! of a watch kept with the texts and raw snapshots they refer to, and what
//! one check leaves behind ([`Postgres::save_check`]: its versions, events,
//! items, alerts and watch state, in one transaction).

use super::items::{mark_seen_in, record_follow_tries_in, record_titles_in};
use super::outbox::enqueue_in;
use super::watch::{save_watch_in, set_checked_as_in};
use super::{snapshots, Conn, PgResult, Postgres, Result};
use crate::document::Item;
use crate::integrity::chain::{chain_digest, CHAIN_START};
use crate::store::state::{history_moved, version_columns};
use crate::store::{
    Checked, Durability, EventKind, NewVersion, SnapshotKind, StateError, VersionRow, WatchState,
};

impl Postgres {
    /// Stores what one check leaves behind ([`Checked`]), in one
    /// transaction: the versions it accepted (oldest first), its events,
    /// its items, its alerts and the watch's state. A quiet check (its
    /// state alone) is one statement, or none with a lazy save of a watch
    /// this replica holds (its state goes with the lease's hand-back).
    pub fn save_check(
        &self,
        watch: &str,
        s: &WatchState,
        check: &Checked,
        durability: Durability,
    ) -> Result<usize> {
        if check.is_quiet() {
            return self.save_watch(watch, s, durability).map(|()| 0);
        }
        let raws = check
            .versions
            .iter()
            .map(|v| {
                v.raw
                    .as_ref()
                    .map(|raw| snapshots::Packed::new(self.location(), raw))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let takedown = check
            .takedown
            .as_ref()
            .map(|(version, raw)| {
                Ok::<_, StateError>((*version, snapshots::Packed::new(self.location(), raw)?))
            })
            .transpose()?;
        let mut raw_pruned = snapshots::RawPruned::default();
        let stored = self.transaction(durability, async |c| {
            if let Some(after) = check.records_after {
                let newest: i64 = c
                    .query_one(
                        "SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = $1",
                        &[&watch],
                    )
                    .await?
                    .get(0);
                if newest != after {
                    // Nothing written yet: the empty transaction commits.
                    return Ok(Err(newest));
                }
            }
            if let Some((version, raw)) = &takedown {
                snapshots::record_in(c, watch, *version, SnapshotKind::TakenDown, raw).await?;
            }
            let mut pruned = 0;
            for (v, raw) in check.versions.iter().zip(&raws) {
                pruned += record_version_in(c, watch, v, raw.as_ref(), &mut raw_pruned).await?;
            }
            // Each refers to the version current once this check's are in.
            for e in &check.events {
                match &e.kind {
                    EventKind::Moved { from, to } => c.execute(
                        "INSERT INTO watch_moves (watch, at, from_url, to_url, detail, version)
                         VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = $1))",
                        &[&watch, &e.at, from, to, &e.detail],
                    )
                    .await?,
                    EventKind::TakenDown | EventKind::Restored => c.execute(
                        "INSERT INTO watch_events (watch, at, kind, detail, version)
                         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = $1))",
                        &[&watch, &e.at, &e.kind.as_str(), &e.detail],
                    )
                    .await?,
                };
            }
            if let Some(items) = &check.items {
                let failed: Vec<&Item> = items.follow_failed.iter().collect();
                let done: Vec<&str> = items.follow_done.iter().map(String::as_str).collect();
                record_follow_tries_in(c, watch, &failed, &done, check.at).await?;
                mark_seen_in(c, watch, &items.seen, &items.untitled, check.at).await?;
            }
            record_titles_in(c, watch, &check.titles, check.at).await?;
            if let Some((kind, url)) = &check.checked_as {
                set_checked_as_in(c, watch, kind, url).await?;
            }
            for a in &check.alerts {
                enqueue_in(c, watch, a, check.at).await?;
            }
            save_watch_in(c, watch, s).await?;
            if !check.alerts.is_empty() {
                crate::store::failpoint("after-enqueue");
            }
            Ok(Ok(pruned))
        })?;
        let pruned = stored.map_err(|newest| {
            StateError::other(
                self.location(),
                history_moved(watch, check.records_after, newest),
            )
        })?;
        self.saved(watch, s);
        raw_pruned.log(watch);
        Ok(pruned)
    }

    /// The kept versions of a watch, oldest first.
    pub fn versions(&self, watch: &str) -> Result<Vec<VersionRow>> {
        self.run(async |c| {
            c.query(VERSIONS, &[&watch])
                .await?
                .iter()
                .map(VersionRow::read)
                .collect::<PgResult<_>>()
        })
    }

    /// The newest version of a watch (`None` before its first).
    pub fn latest(&self, watch: &str) -> Result<Option<VersionRow>> {
        Ok(self.newest_versions(watch, 1)?.pop())
    }

    /// The newest `n` versions of a watch, oldest first.
    pub fn newest_versions(&self, watch: &str, n: usize) -> Result<Vec<VersionRow>> {
        let n = n as i64;
        self.run(async |c| {
            let mut rows: Vec<VersionRow> = c
                .query(NEWEST_VERSIONS, &[&watch, &n])
                .await?
                .iter()
                .map(VersionRow::read)
                .collect::<PgResult<_>>()?;
            rows.reverse();
            Ok(rows)
        })
    }

    /// The stored body of a version.
    pub fn version_body(&self, watch: &str, seq: i64) -> Result<Option<String>> {
        self.run(async |c| {
            Ok(c.query_opt(
                "SELECT b.body FROM versions v JOIN blobs b ON b.sha256 = v.body_sha256 WHERE v.watch = $1 AND v.seq = $2",
                &[&watch, &seq],
            )
            .await?
            .map(|r| r.get(0)))
        })
    }
}

/// A watch's kept versions, oldest first.
const VERSIONS: &str = concat!(
    "SELECT ",
    version_columns!(),
    " FROM versions WHERE watch = $1 ORDER BY seq"
);
/// A watch's newest $2 versions, newest first.
const NEWEST_VERSIONS: &str = concat!(
    "SELECT ",
    version_columns!(),
    " FROM versions WHERE watch = $1 ORDER BY seq DESC LIMIT $2"
);

/// Records a version of `watch` (its blob, the version unless the newest
/// already has that content, and its raw snapshot), then prunes the history
/// to the newest `keep` versions when it holds more. Returns how many were
/// pruned (what `keep_raw` prunes is counted in `raw_pruned`). Two
/// statements when nothing is pruned.
async fn record_version_in(
    c: &mut Conn,
    watch: &str,
    v: &NewVersion,
    raw: Option<&snapshots::Packed<'_>>,
    raw_pruned: &mut snapshots::RawPruned,
) -> PgResult<usize> {
    // The newest version, read in the transaction that stores the next:
    // two writers of one watch (which its lease rules out) would both
    // take the same number, and the second's insert fail on the key, so a
    // watch's chain never forks.
    let history = c
        .query_one(
            "SELECT (SELECT sha256 FROM versions WHERE watch = $1 ORDER BY seq DESC LIMIT 1),
                    COALESCE(MAX(seq), 0), COUNT(*),
                    (SELECT chain_sha256 FROM versions WHERE watch = $1 ORDER BY seq DESC LIMIT 1)
             FROM versions WHERE watch = $1",
            &[&watch],
        )
        .await?;
    let (newest, mut last_seq, mut kept, newest_chain): (Option<String>, i64, i64, Option<String>) = (
        history.get(0),
        history.get(1),
        history.get(2),
        history.get(3),
    );
    if newest.as_deref() != Some(v.sha256.as_str()) {
        last_seq += 1;
        kept += 1;
        let prev = newest_chain.unwrap_or_else(|| CHAIN_START.to_string());
        let body_sha256 = v.body_sha256();
        let chain = chain_digest(&prev, watch, last_seq, &body_sha256, v.fetched_at);
        match raw {
            Some(raw) => {
                snapshots::record_with_version_in(c, watch, last_seq, v, raw, [&prev, &chain])
                    .await?;
            }
            None => {
                c.execute(
                    "WITH blob AS (INSERT INTO blobs (sha256, body) VALUES ($6, $7) ON CONFLICT DO NOTHING)
                     INSERT INTO versions (watch, seq, sha256, body_sha256, fetched_at, origin, reading, page_facts, chain_prev, chain_sha256, alerted) VALUES ($1, $2, $3, $6, $4, $5, $8, $9, $10, $11, $12)",
                    &[
                        &watch,
                        &last_seq,
                        &v.sha256,
                        &v.fetched_at,
                        &v.origin.as_str(),
                        &body_sha256,
                        &v.body,
                        &v.reading,
                        &v.page_facts,
                        &prev,
                        &chain,
                        &v.alerted,
                    ],
                )
                .await?;
            }
        }
    }
    let mut dropped_count = 0;
    if kept > v.keep as i64 {
        dropped_count = prune_versions_in(c, watch, last_seq - v.keep as i64).await?;
    }
    if let Some(cap) = v.raw_cap {
        snapshots::cap_in(c, cap, v.fetched_at.saturating_mul(1000), raw_pruned).await?;
    }
    Ok(dropped_count)
}

/// Deletes the versions of `watch` up to `last_dropped` (with their blobs,
/// raw snapshots and events when nothing else refers to them); how many.
async fn prune_versions_in(c: &mut Conn, watch: &str, last_dropped: i64) -> PgResult<usize> {
    let dropped: Vec<String> = c
        .query(
            "DELETE FROM versions WHERE watch = $1 AND seq <= $2 RETURNING body_sha256",
            &[&watch, &last_dropped],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for sha in &dropped {
        c.execute(
            "DELETE FROM blobs WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM versions WHERE body_sha256 = $1)",
            &[sha],
        )
        .await?;
    }
    if !dropped.is_empty() {
        snapshots::prune_in(c, watch).await?;
        // Takedowns and restores of pruned versions go with them. Moves
        // stay: an address once alerted is never alerted again.
        c.execute(
            "DELETE FROM watch_events WHERE watch = $1 AND version < (SELECT MIN(seq) FROM versions WHERE watch = $1)",
            &[&watch],
        )
        .await?;
    }
    Ok(dropped.len())
}
