//! A watch's versions: each text stored under the SHA-256 of its bytes,
//! only the newest `keep` of a watch kept with the texts they refer to, and
//! what one check leaves behind ([`Checked`], stored by
//! [`crate::store::State::save_check`] in one transaction: its versions,
//! events, alerts, items and watch state).

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::events::{EventKind, NewEvent};
use super::items::{mark_seen_in, record_follow_tries_in, record_titles_in};
use super::outbox::{enqueue_in, NewAlert};
use super::watch::{save_watch_in, set_checked_as_in, WatchState};
use super::{Durability, Result, Sqlite, StateError};
use crate::document::Item;
use crate::integrity::chain::{chain_digest, ChainLink, CHAIN_START};
use crate::store::row::Columns;
use crate::store::snapshots::{self, NewSnapshot};

/// A newly accepted version of a watch's document, for [`crate::store::State::save_check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// The document's [`crate::document::Document::content_hash`].
    pub sha256: String,
    /// The baseline text.
    pub body: String,
    /// Unix time it was fetched.
    pub fetched_at: i64,
    /// How many versions of the watch to keep.
    pub keep: usize,
    /// The response it was accepted from, kept as evidence.
    pub raw: Option<NewSnapshot>,
    /// The `keep_raw` cap on all kept responses.
    pub raw_cap: Option<crate::config::KeepRaw>,
    /// Where the version came from.
    pub origin: Origin,
    /// How presswatch read its page ([`crate::extract::reading`]); `None`
    /// for a baseline file and a listing's items.
    pub reading: Option<String>,
    /// What later checks need to know of the page it was read from when
    /// its raw response is not kept (`keep_raw = "off"`): written and read
    /// by the check (`check::page_facts`); `None` otherwise.
    pub page_facts: Option<String>,
    /// For an item list of a watch with keywords: the keys of the new
    /// items its check alerted (those that mention a keyword), one a
    /// line, `""` for none; `None` when every new item was alerted (a
    /// watch without keywords). For an article: `None` when its change
    /// alerted (or was the first version), else why it did not
    /// ([`crate::alert::NotAlerted::record`]).
    pub alerted: Option<String>,
}

impl NewVersion {
    /// SHA-256 of the stored text's bytes, the address it is stored under:
    /// unlike the content hash it covers the header lines (`URL:`,
    /// `Fetched:`, ...), so that no watch or version reads another's.
    pub fn body_sha256(&self) -> String {
        crate::document::sha256_hex(self.body.as_bytes())
    }
}

/// What a listing's or feed's check remembers of its items ([`Checked::items`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenItems {
    /// The items to remember as seen: those listed, and those no longer
    /// listed that the check is done with.
    pub seen: Vec<Item>,
    /// The keys of the items whose source gave them no title.
    pub untitled: HashSet<String>,
    /// With `follow = true`: the new items whose article could not be read
    /// (one more try each, kept as listed) ...
    pub follow_failed: Vec<Item>,
    /// ... and those done with (read, alerted unread, or gone), whose count
    /// is forgotten, by key.
    pub follow_done: Vec<String>,
}

/// What one check leaves behind, stored in one transaction by
/// [`crate::store::State::save_check`]: nothing of it is kept unless all
/// of it is, so that no alert is ever queued without the version it
/// reports (whose chain digest it carries as its record), no version or
/// item kept without the alert that reports it, and no alert's flags
/// (error alerted, gone) saved without the alert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// The versions it accepted, oldest first (each with its raw snapshot).
    pub versions: Vec<NewVersion>,
    /// Its events (a move, a takedown or restore), each referring to the
    /// version current once `versions` are in.
    pub events: Vec<NewEvent>,
    /// The answer that reported the article taken down, kept with the
    /// version it took down (its number).
    pub takedown: Option<(i64, NewSnapshot)>,
    /// Its alerts, queued in the outbox.
    pub alerts: Vec<NewAlert>,
    /// For a listing or feed: the items it remembers.
    pub items: Option<SeenItems>,
    /// Titles items carried, to remember (after `items`: a retitle updates
    /// an item's row).
    pub titles: Vec<crate::retitle::Remember>,
    /// The kind and URL the check worked under, when they are new.
    pub checked_as: Option<(String, String)>,
    /// The number of the newest version the alerts' records were computed
    /// after (0 for none), when they were: the transaction stores nothing
    /// when another version is the newest by then (another process stored
    /// one meanwhile), since the records would name versions other than
    /// those stored.
    pub records_after: Option<i64>,
    /// Unix time of the check: when its alerts are queued, its items and
    /// titles seen.
    pub at: i64,
}

impl Checked {
    /// Whether the check stores no more than the watch's state.
    pub fn is_quiet(&self) -> bool {
        self.versions.is_empty()
            && self.events.is_empty()
            && self.takedown.is_none()
            && self.alerts.is_empty()
            && self.items.is_none()
            && self.titles.is_empty()
            && self.checked_as.is_none()
    }
}

/// Where a version of a watch came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A page presswatch fetched (an article's text, a listing's items).
    Fetched,
    /// The baseline file as presswatch first found it (written by hand, or
    /// kept from before the history began): a watch's version 1.
    File,
    /// A page presswatch fetched and took as a new baseline with no alert,
    /// the watch started afresh (`--reset-baseline`, or its kind or its
    /// listing's URL changed): no change from the version before.
    Afresh,
}

impl Origin {
    /// The name stored in the database, and shown in `--json` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Fetched => "fetched",
            Origin::File => "file",
            Origin::Afresh => "afresh",
        }
    }
    pub(in crate::store) fn parse(s: &str) -> Origin {
        match s {
            "file" => Origin::File,
            "afresh" => Origin::Afresh,
            _ => Origin::Fetched,
        }
    }
}

/// One kept version of a watch, as [`crate::store::State::versions`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    /// Its number: 1 for the watch's first version, counting up.
    pub seq: i64,
    /// Its content hash: what decides whether a check found a new version.
    pub sha256: String,
    /// Unix time it was stored.
    pub stored_at: i64,
    /// Where it came from.
    pub origin: Origin,
    /// SHA-256 of its stored text's bytes (header lines included): the
    /// address of that text, which `verify` re-hashes.
    pub body_sha256: String,
    /// How presswatch read its page ([`crate::extract::reading`]); `None`
    /// when unknown: a baseline file, a listing, a version an older
    /// presswatch kept.
    pub reading: Option<String>,
    /// What later checks need to know of its page, kept when its raw
    /// response is not ([`NewVersion::page_facts`]).
    pub page_facts: Option<String>,
    /// Its link in the watch's hash chain ([`crate::integrity::chain`]);
    /// `None` for a version stored by an older presswatch since this one
    /// last opened the database (the next opening chains it).
    pub chain: Option<ChainLink>,
    /// The new items its check alerted ([`NewVersion::alerted`]); `None`
    /// as there, and for a version an older presswatch kept.
    pub alerted: Option<String>,
}

/// The columns of the `versions` table a [`VersionRow`] is read from, in
/// [`VersionRow::read`]'s order: the same names and types in both
/// backends, whose statements select them as `concat!("SELECT ",
/// version_columns!(), …)`.
macro_rules! version_columns {
    () => {
        "seq, sha256, fetched_at, origin, body_sha256, reading, page_facts, chain_prev, chain_sha256, chained_at, alerted"
    };
}
pub(in crate::store) use version_columns;

impl VersionRow {
    /// A version from a row of [`version_columns!`], in either backend.
    pub(in crate::store) fn read<R: Columns>(r: &R) -> std::result::Result<VersionRow, R::Error> {
        let chain = match (r.opt_text(7)?, r.opt_text(8)?) {
            (Some(prev), Some(digest)) => Some(ChainLink {
                prev,
                digest,
                chained_at: r.opt_int(9)?,
            }),
            _ => None,
        };
        Ok(VersionRow {
            seq: r.int(0)?,
            sha256: r.text(1)?,
            stored_at: r.int(2)?,
            origin: Origin::parse(&r.text(3)?),
            body_sha256: r.text(4)?,
            reading: r.opt_text(5)?,
            page_facts: r.opt_text(6)?,
            chain,
            alerted: r.opt_text(10)?,
        })
    }
}

/// A watch's kept versions, oldest first.
const VERSIONS: &str = concat!(
    "SELECT ",
    version_columns!(),
    " FROM versions WHERE watch = ?1 ORDER BY seq"
);
/// A watch's newest ?2 versions, newest first.
const NEWEST_VERSIONS: &str = concat!(
    "SELECT ",
    version_columns!(),
    " FROM versions WHERE watch = ?1 ORDER BY seq DESC LIMIT ?2"
);

impl Sqlite {
    /// Stores what one check leaves behind ([`Checked`]), in one
    /// transaction: the versions it accepted, oldest first (each
    /// deduplicated by hash; only the newest [`NewVersion::keep`] versions
    /// of the watch stay, with the bodies they refer to), its events, its
    /// items, its alerts and the watch's state. Returns how many old
    /// versions were pruned.
    pub fn save_check(
        &self,
        watch: &str,
        s: &WatchState,
        check: &Checked,
        durability: Durability,
    ) -> Result<usize> {
        let location = self.location();
        let raws = check
            .versions
            .iter()
            .map(|v| {
                v.raw
                    .as_ref()
                    .map(|raw| snapshots::Packed::new(&location, raw))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let takedown = check
            .takedown
            .as_ref()
            .map(|(version, raw)| {
                Ok::<_, StateError>((*version, snapshots::Packed::new(&location, raw)?))
            })
            .transpose()?;
        let mut raw_pruned = snapshots::RawPruned::default();
        let stored = self.write(durability, |db| {
            let tx = db.transaction()?;
            if let Some(after) = check.records_after {
                let newest = newest_seq_in(&tx, watch)?;
                if newest != after {
                    // Dropped without a commit: nothing is stored.
                    return Ok(Err(newest));
                }
            }
            if let Some((version, raw)) = &takedown {
                snapshots::record_in(
                    &tx,
                    watch,
                    *version,
                    snapshots::SnapshotKind::TakenDown,
                    raw,
                )?;
            }
            let pruned = save_check_in(&tx, watch, s, check, &raws, &mut raw_pruned)?;
            if !check.alerts.is_empty() {
                crate::store::failpoint("after-enqueue");
            }
            tx.commit()?;
            Ok(Ok(pruned))
        })?;
        let pruned = stored.map_err(|newest| {
            StateError::other(&location, history_moved(watch, check.records_after, newest))
        })?;
        raw_pruned.log(watch);
        Ok(pruned)
    }

    /// The kept versions of a watch, oldest first.
    pub fn versions(&self, watch: &str) -> Result<Vec<VersionRow>> {
        let db = self.reader();
        let mut st = db.prepare_cached(VERSIONS).map_err(|e| self.err(e))?;
        let rows = st
            .query_map([watch], |r| VersionRow::read(r))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The newest version of a watch (`None` before its first).
    pub fn latest(&self, watch: &str) -> Result<Option<VersionRow>> {
        Ok(self.newest_versions(watch, 1)?.pop())
    }

    /// The newest `n` versions of a watch, oldest first.
    pub fn newest_versions(&self, watch: &str, n: usize) -> Result<Vec<VersionRow>> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(NEWEST_VERSIONS)
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query_map(params![watch, n as i64], |r| VersionRow::read(r))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        rows.reverse();
        Ok(rows)
    }

    /// The stored body of a version.
    pub fn version_body(&self, watch: &str, seq: i64) -> Result<Option<String>> {
        self.reader()
            .query_row(
                "SELECT b.body FROM versions v JOIN blobs b ON b.sha256 = v.body_sha256 WHERE v.watch = ?1 AND v.seq = ?2",
                params![watch, seq],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

/// Writes what one check leaves behind ([`Sqlite::save_check`]) in its
/// transaction; returns how many old versions were pruned.
fn save_check_in(
    db: &Connection,
    watch: &str,
    s: &WatchState,
    check: &Checked,
    raws: &[Option<snapshots::Packed<'_>>],
    raw_pruned: &mut snapshots::RawPruned,
) -> rusqlite::Result<usize> {
    let mut pruned = 0;
    for (v, raw) in check.versions.iter().zip(raws) {
        pruned += record_version_in(db, watch, v, raw.as_ref(), raw_pruned)?;
    }
    // Each refers to the version current once this check's are in.
    for e in &check.events {
        match &e.kind {
            EventKind::Moved { from, to } => db
                .prepare_cached(
                    "INSERT INTO watch_moves (watch, at, from_url, to_url, detail, version)
                     VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = ?1))",
                )?
                .execute(params![watch, e.at, from, to, e.detail])?,
            EventKind::TakenDown | EventKind::Restored => db
                .prepare_cached(
                    "INSERT INTO watch_events (watch, at, kind, detail, version)
                     VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = ?1))",
                )?
                .execute(params![watch, e.at, e.kind.as_str(), e.detail])?,
        };
    }
    if let Some(items) = &check.items {
        let failed: Vec<&Item> = items.follow_failed.iter().collect();
        let done: Vec<&str> = items.follow_done.iter().map(String::as_str).collect();
        record_follow_tries_in(db, watch, &failed, &done, check.at)?;
        mark_seen_in(db, watch, &items.seen, &items.untitled, check.at)?;
    }
    record_titles_in(db, watch, &check.titles, check.at)?;
    if let Some((kind, url)) = &check.checked_as {
        set_checked_as_in(db, watch, kind, url)?;
    }
    for a in &check.alerts {
        enqueue_in(db, watch, a, check.at)?;
    }
    save_watch_in(db, watch, s)?;
    Ok(pruned)
}

/// The number of a watch's newest version (0 before its first).
fn newest_seq_in(db: &Connection, watch: &str) -> rusqlite::Result<i64> {
    db.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = ?1")?
        .query_row([watch], |r| r.get(0))
}

/// Why a check's transaction stored nothing: the watch's newest version is
/// `newest`, not the one its alerts' records were computed after.
pub(in crate::store) fn history_moved(watch: &str, after: Option<i64>, newest: i64) -> String {
    format!(
        "nothing of this check of watch {watch} was stored: its alerts name the versions that follow version {}, but the watch's newest version is now {newest} (another process stored it during this check; the next check compares the page with it)",
        after.unwrap_or(0)
    )
}

/// A watch's newest version: its number, its content hash and its chain digest.
const LATEST_VERSION: &str =
    "SELECT seq, sha256, chain_sha256 FROM versions WHERE watch = ?1 ORDER BY seq DESC LIMIT 1";
/// Adds a watch's next version (?2) with its link in the chain (?9, ?10)
/// and the new items its alert named (?11).
const NEW_VERSION: &str = "INSERT INTO versions (watch, seq, sha256, body_sha256, fetched_at, origin, reading, page_facts, chain_prev, chain_sha256, alerted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
/// Deletes a watch's versions beyond the newest ?2, returning their texts' addresses.
const PRUNE_VERSIONS: &str = "DELETE FROM versions WHERE watch = ?1 AND seq <= (SELECT MAX(seq) FROM versions WHERE watch = ?1) - ?2 RETURNING body_sha256";
/// Deletes a watch's takedowns and restores of versions no longer kept.
const PRUNE_EVENTS: &str = "DELETE FROM watch_events WHERE watch = ?1 AND version < (SELECT MIN(seq) FROM versions WHERE watch = ?1)";

/// Records a version of a watch's document and prunes the oldest beyond
/// `keep`; returns how many were pruned. What `keep_raw` prunes is counted
/// in `raw_pruned`.
fn record_version_in(
    db: &Connection,
    watch: &str,
    v: &NewVersion,
    raw: Option<&snapshots::Packed<'_>>,
    raw_pruned: &mut snapshots::RawPruned,
) -> rusqlite::Result<usize> {
    let mut last: Option<(i64, String, Option<String>)> = db
        .prepare_cached(LATEST_VERSION)?
        .query_row([watch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((_, _, None)) = last {
        // Stored by an older presswatch since this one opened the database:
        // chained first, so that the new version links to it.
        chain_unchained(db, Some(watch), chrono::Utc::now().timestamp())?;
        last = db
            .prepare_cached(LATEST_VERSION)?
            .query_row([watch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
    }
    if last.as_ref().map(|(_, sha, _)| sha.as_str()) != Some(v.sha256.as_str()) {
        let body_sha256 = v.body_sha256();
        db.prepare_cached("INSERT OR IGNORE INTO blobs (sha256, body) VALUES (?1, ?2)")?
            .execute(params![body_sha256, v.body])?;
        let (seq, prev) = match last {
            Some((seq, _, chain)) => (seq + 1, chain.unwrap_or_else(|| CHAIN_START.to_string())),
            None => (1, CHAIN_START.to_string()),
        };
        let chain = chain_digest(&prev, watch, seq, &body_sha256, v.fetched_at);
        db.prepare_cached(NEW_VERSION)?.execute(params![
            watch,
            seq,
            v.sha256,
            body_sha256,
            v.fetched_at,
            v.origin.as_str(),
            v.reading,
            v.page_facts,
            prev,
            chain,
            v.alerted
        ])?;
        if let Some(raw) = raw {
            snapshots::record_in(db, watch, seq, snapshots::SnapshotKind::Version, raw)?;
        }
    }
    let dropped: Vec<String> = db
        .prepare_cached(PRUNE_VERSIONS)?
        .query_map(params![watch, v.keep as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut unreferenced = db.prepare_cached(
        "DELETE FROM blobs WHERE sha256 = ?1 AND NOT EXISTS (SELECT 1 FROM versions WHERE body_sha256 = ?1)",
    )?;
    for sha in &dropped {
        unreferenced.execute([sha])?;
    }
    if !dropped.is_empty() {
        snapshots::prune_in(db, watch)?;
        // Takedowns and restores of pruned versions go with them. Moves
        // stay: an address once alerted is never alerted again.
        db.prepare_cached(PRUNE_EVENTS)?.execute([watch])?;
    }
    if let Some(cap) = v.raw_cap {
        snapshots::cap_in(db, cap, v.fetched_at.saturating_mul(1000), raw_pruned)?;
    }
    Ok(dropped.len())
}

/// Chains the versions that have no chain digest (of `watch`, or of every
/// watch), in each watch's order: those kept before presswatch chained its
/// versions, or stored since by an older presswatch. Each links to the
/// version before it (or, for the oldest kept, to [`CHAIN_START`]) and is
/// marked chained `now`, not as it was stored.
pub(super) fn chain_unchained(
    db: &Connection,
    watch: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    let rows: Vec<(String, i64, String, i64, Option<String>)> = db
        .prepare(
            "SELECT watch, seq, body_sha256, fetched_at, chain_sha256 FROM versions
             WHERE watch IN (SELECT watch FROM versions WHERE chain_sha256 IS NULL AND (?1 IS NULL OR watch = ?1))
             ORDER BY watch, seq",
        )?
        .query_map([watch], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = db.prepare(
        "UPDATE versions SET chain_prev = ?3, chain_sha256 = ?4, chained_at = ?5 WHERE watch = ?1 AND seq = ?2",
    )?;
    let mut before: Option<(&str, String)> = None;
    for (watch, seq, text, stored_at, chain) in &rows {
        let prev = match &before {
            Some((w, digest)) if w == watch => digest.clone(),
            _ => CHAIN_START.to_string(),
        };
        let digest = match chain {
            Some(digest) => digest.clone(),
            None => {
                let digest = chain_digest(&prev, watch, *seq, text, *stored_at);
                set.execute(params![watch, seq, prev, digest, now])?;
                digest
            }
        };
        before = Some((watch, digest));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takedowns_restores_and_moves_refer_to_the_current_version_and_only_moves_outlive_it() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        let event = |at, kind| NewEvent {
            at,
            kind,
            detail: "HTTP 404".into(),
        };
        record(&st, "w", "h1", "one", 1, 2);
        let saved = |e: &[NewEvent]| {
            let check = Checked {
                events: e.to_vec(),
                ..Default::default()
            };
            st.save_check("w", &WatchState::default(), &check, Durability::Durable)
                .unwrap()
        };
        saved(&[event(2, EventKind::TakenDown)]);
        // One check: the article is back, at a new address.
        saved(&[
            event(3, EventKind::Restored),
            NewEvent::moved(3, "https://a.example/old", "https://a.example/new"),
        ]);
        // A kind a newer presswatch wrote is left out, not taken for a takedown.
        st.conn
            .lock()
            .unwrap()
            .execute_batch("INSERT INTO watch_events (watch, at, kind, detail, version) VALUES ('w', 4, 'unheard_of', '', 1)")
            .unwrap();
        let events = st.events("w").unwrap();
        let moved = EventKind::Moved {
            from: "https://a.example/old".into(),
            to: "https://a.example/new".into(),
        };
        assert_eq!(
            events
                .iter()
                .map(|e| (e.kind.clone(), e.version))
                .collect::<Vec<_>>(),
            [
                (EventKind::TakenDown, 1),
                (moved, 1),
                (EventKind::Restored, 1)
            ]
        );
        assert_eq!(
            events[1].detail,
            "https://a.example/old \u{2192} https://a.example/new"
        );
        record(&st, "w", "h2", "two", 4, 2);
        assert_eq!(st.events("w").unwrap().len(), 3, "version 1 is still kept");
        record(&st, "w", "h3", "three", 5, 2);
        // The takedown and the restore go with version 1; the move stays,
        // so that its address is never alerted again.
        let kept: Vec<_> = st
            .events("w")
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kept, [events[1].kind.clone()], "pruned with version 1");
    }

    /// Records a version the way a check does; returns how many were pruned.
    fn record(st: &Sqlite, watch: &str, sha256: &str, body: &str, at: i64, keep: usize) -> usize {
        let v = NewVersion {
            sha256: sha256.into(),
            body: body.into(),
            fetched_at: at,
            keep,
            raw: None,
            raw_cap: None,
            origin: Origin::Fetched,
            reading: None,
            page_facts: None,
            alerted: None,
        };
        let check = Checked {
            versions: vec![v],
            ..Default::default()
        };
        st.save_check(watch, &WatchState::default(), &check, Durability::Durable)
            .unwrap()
    }

    #[test]
    fn storing_a_check_compiles_its_statements_once() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        // Two watches taking turns, each keeping one version: every check
        // looks up, adds and prunes versions with other bindings.
        for (i, watch) in ["a", "b", "a", "b", "a", "b"].iter().enumerate() {
            let at = i as i64 + 1;
            record(&st, watch, &format!("h{at}"), &format!("text {at}"), at, 1);
        }
        for sql in [LATEST_VERSION, NEW_VERSION, PRUNE_VERSIONS, PRUNE_EVENTS] {
            let db = st.db();
            let cached = db.prepare_cached(sql).unwrap();
            assert!(
                cached.get_status(rusqlite::StatementStatus::VmStep) > 0,
                "the statement the checks ran: {sql}"
            );
            assert_eq!(
                cached.get_status(rusqlite::StatementStatus::RePrepare),
                0,
                "recompiled: {sql}"
            );
        }
    }

    #[test]
    fn each_version_is_chained_to_the_one_before_and_pruning_keeps_the_oldest_kepts_link() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        for (i, body) in ["one", "two", "three"].iter().enumerate() {
            record(&st, "w", &format!("h{i}"), body, 100 + i as i64, 2);
        }
        let v = st.versions("w").unwrap();
        assert_eq!(v.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3]);
        let (two, three) = (v[0].chain.clone().unwrap(), v[1].chain.clone().unwrap());
        assert_eq!(three.prev, two.digest, "linked to the version before");
        assert_eq!(
            three.digest,
            chain_digest(&two.digest, "w", 3, &v[1].body_sha256, 101 + 1)
        );
        // Version 2's link to the pruned version 1 is kept as stored.
        let one = chain_digest(
            CHAIN_START,
            "w",
            1,
            &crate::document::sha256_hex(b"one"),
            100,
        );
        assert_eq!(two.prev, one);
        assert_eq!((two.chained_at, three.chained_at), (None, None));
    }

    #[test]
    fn versions_kept_before_chains_are_chained_in_order_when_the_database_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        record(&st, "w", "h1", "one", 100, 10);
        record(&st, "w", "h2", "two", 200, 10);
        let stored = st.versions("w").unwrap();
        // As an older presswatch left them: no chain.
        st.db()
            .execute_batch("UPDATE versions SET chain_prev = NULL, chain_sha256 = NULL")
            .unwrap();
        drop(st);
        let st = Sqlite::open(dir.path()).unwrap();
        let v = st.versions("w").unwrap();
        for (now, then) in v.iter().zip(&stored) {
            let (now, then) = (now.chain.as_ref().unwrap(), then.chain.as_ref().unwrap());
            assert_eq!((&now.prev, &now.digest), (&then.prev, &then.digest));
            assert!(now.chained_at.is_some(), "chained by the upgrade");
        }
        // The next version is chained as it is stored, to the last.
        record(&st, "w", "h3", "three", 300, 10);
        let v = st.versions("w").unwrap();
        let last = v[2].chain.as_ref().unwrap();
        assert_eq!(last.prev, v[1].chain.as_ref().unwrap().digest);
        assert_eq!(last.chained_at, None);
    }

    #[test]
    fn versions_are_content_addressed() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        record(&st, "w", "h1", "one", 1, 10);
        record(&st, "w", "h1", "one", 2, 10);
        record(&st, "w", "h2", "two", 3, 10);
        record(&st, "w", "h1", "one", 4, 10);
        let v = st.versions("w").unwrap();
        assert_eq!(v.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(st.version_body("w", 3).unwrap().as_deref(), Some("one"));
    }

    #[test]
    fn each_version_reads_its_own_text_though_another_has_the_same_content() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        record(&st, "a", "h1", "URL: a\nFetched: 1\n\none", 1, 10);
        record(&st, "b", "h1", "URL: b\nFetched: 1\n\none", 1, 10);
        record(&st, "b", "h2", "URL: b\nFetched: 2\n\ntwo", 2, 10);
        record(&st, "b", "h1", "URL: b\nFetched: 3\n\none", 3, 10);
        assert_eq!(
            st.version_body("b", 1).unwrap().as_deref(),
            Some("URL: b\nFetched: 1\n\none")
        );
        assert_eq!(
            st.version_body("b", 3).unwrap().as_deref(),
            Some("URL: b\nFetched: 3\n\none")
        );
        let v = st.versions("b").unwrap();
        assert_eq!(v[0].sha256, v[2].sha256, "the same content");
        assert_ne!(v[0].body_sha256, v[2].body_sha256, "each its own text");
    }

    #[test]
    fn pruning_keeps_the_newest_versions_and_their_bodies_only() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        record(&st, "other", "h2", "two", 0, 2);
        let pruned: Vec<usize> = [("h1", "one"), ("h2", "two"), ("h3", "three"), ("h1", "one")]
            .into_iter()
            .enumerate()
            .map(|(i, (h, body))| record(&st, "w", h, body, i as i64, 2))
            .collect();
        assert_eq!(pruned, vec![0, 0, 1, 1]);
        let seqs: Vec<i64> = st.versions("w").unwrap().iter().map(|v| v.seq).collect();
        assert_eq!(seqs, vec![3, 4]);
        assert_eq!(st.version_body("w", 4).unwrap().as_deref(), Some("one"));
        // "two" is still referred to by another watch; nothing refers to h2 of "w".
        assert_eq!(st.version_body("other", 1).unwrap().as_deref(), Some("two"));
        let blobs: i64 = st
            .db()
            .query_row("SELECT COUNT(*) FROM blobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(blobs, 3);
    }
}
