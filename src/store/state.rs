//! The state database (SQLite, WAL): per-watch schedule and validators,
//! failure counts, seen listing items, version history (content-addressed),
//! and the alert outbox.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::snapshots::{self, NewSnapshot};
use crate::document::Item;
use crate::http_header::Validators;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS watch_state (
    watch          TEXT PRIMARY KEY,
    etag           TEXT,
    last_modified  TEXT,
    last_check     INTEGER,
    last_result    TEXT,
    last_error     TEXT,
    last_change    INTEGER,
    next_due       INTEGER,
    failures       INTEGER NOT NULL DEFAULT 0,
    error_alerted  INTEGER NOT NULL DEFAULT 0,
    gone           INTEGER NOT NULL DEFAULT 0,
    last_ok        INTEGER,
    moved_to       TEXT
);
CREATE TABLE IF NOT EXISTS seen_items (
    watch      TEXT NOT NULL,
    key        TEXT NOT NULL,
    url        TEXT NOT NULL,
    title      TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    titled     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (watch, key)
);
CREATE INDEX IF NOT EXISTS seen_items_by_url ON seen_items(watch, url);
CREATE TABLE IF NOT EXISTS item_titles (
    watch      TEXT NOT NULL,
    key        TEXT NOT NULL,
    title_key  TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    retitled   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (watch, key, title_key)
);
CREATE TABLE IF NOT EXISTS follow_tries (
    watch      TEXT NOT NULL,
    key        TEXT NOT NULL,
    tries      INTEGER NOT NULL,
    last_try   INTEGER NOT NULL,
    item       TEXT,
    PRIMARY KEY (watch, key)
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    body   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    watch       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    body_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    fetched_at  INTEGER NOT NULL,
    origin      TEXT NOT NULL DEFAULT 'fetched',
    reading     TEXT,
    PRIMARY KEY (watch, seq)
);
CREATE TABLE IF NOT EXISTS watch_events (
    watch   TEXT NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS watch_events_by_watch ON watch_events(watch, at);
CREATE TABLE IF NOT EXISTS watch_moves (
    watch    TEXT NOT NULL,
    at       INTEGER NOT NULL,
    from_url TEXT NOT NULL,
    to_url   TEXT NOT NULL,
    detail   TEXT NOT NULL,
    version  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS watch_moves_by_watch ON watch_moves(watch, at);
CREATE TABLE IF NOT EXISTS alerts (
    id         TEXT PRIMARY KEY,
    watch      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    payload    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    alert_id     TEXT NOT NULL REFERENCES alerts(id),
    channel      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_error   TEXT,
    sent_at      INTEGER,
    first_failure INTEGER,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_attempt);
CREATE INDEX IF NOT EXISTS alerts_by_watch ON alerts(watch);
CREATE TABLE IF NOT EXISTS installation (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    id  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS channel_state (
    channel         TEXT PRIMARY KEY,
    disabled_reason TEXT,
    disabled_for    TEXT,
    last_digest     INTEGER
);
"#;

/// This installation's id, made once (see [`Sqlite::installation_id`]):
/// apart from [`SCHEMA`], whose statements write nothing on a database whose
/// schema is current (a dry run's read-only connection runs them).
const INSTALLATION: &str =
    "INSERT OR IGNORE INTO installation (one, id) VALUES (1, lower(hex(randomblob(8))));";

/// Whether a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Waits (fsync): survives a power cut. Alerts, versions, and the state
    /// of a check that raised an alert.
    Durable,
    /// Does not wait: survives a crash of the process, and reaches the disk
    /// with the next durable commit; a power cut can lose it. The schedule
    /// and validators of a quiet check, and delivery results.
    Lazy,
}

/// A newly accepted version of a watch's document, for [`State::save_check`].
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
}

impl NewVersion {
    /// SHA-256 of the stored text's bytes, the address it is stored under:
    /// unlike the content hash it covers the header lines (`URL:`,
    /// `Fetched:`, ...), so that no watch or version reads another's.
    pub fn body_sha256(&self) -> String {
        crate::document::sha256_hex(self.body.as_bytes())
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
}

impl Origin {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Origin::Fetched => "fetched",
            Origin::File => "file",
        }
    }
    pub(super) fn parse(s: &str) -> Origin {
        match s {
            "file" => Origin::File,
            _ => Origin::Fetched,
        }
    }
}

/// One kept version of a watch, as [`State::versions`] lists it.
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
}

/// What happened to a watched page between versions.
///
/// Takedowns and restores are rows of `watch_events`; moves are rows of a
/// table of their own, `watch_moves`, which a presswatch from before moves
/// were recorded does not read: it reads any kind of `watch_events` it does
/// not know as a takedown, and would show a move as one (in `history`, the
/// viewer, an export) after a rollback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The article went away (404/410, or a redirect to a section front).
    TakenDown,
    /// A taken-down article is back.
    Restored,
    /// The article's URL redirects for good (301, 308) to another article
    /// URL, as its `moved` alert said: the address it was watched at
    /// (`from`) and its new one (`to`).
    Moved {
        /// The address the watch named when the move was seen.
        from: String,
        /// Where it redirects for good.
        to: String,
    },
}

impl EventKind {
    /// The snake_case name stored in the database (as the alert kind).
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::TakenDown => "taken_down",
            EventKind::Restored => "restored",
            EventKind::Moved { .. } => "moved",
        }
    }

    /// The kind of a `watch_events` row (a takedown or a restore); `None`
    /// for a kind this presswatch does not know (a newer one's), which is
    /// left out rather than taken for another.
    pub(super) fn parse(s: &str) -> Option<EventKind> {
        match s {
            "taken_down" => Some(EventKind::TakenDown),
            "restored" => Some(EventKind::Restored),
            _ => None,
        }
    }

    /// Whether it is a takedown or a restore (what the ids of their alerts
    /// count), not a move.
    pub fn is_takedown_or_restore(&self) -> bool {
        matches!(self, EventKind::TakenDown | EventKind::Restored)
    }
}

/// A takedown, restore or move a check detected, for [`State::save_check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Unix time it was detected.
    pub at: i64,
    /// Taken down, restored or moved.
    pub kind: EventKind,
    /// How, as the alert said it ("The article answers HTTP 404"; for a
    /// move, "OLD → NEW").
    pub detail: String,
}

impl NewEvent {
    /// The move of an article from the address `from` to `to`, detected at
    /// `at`.
    pub fn moved(at: i64, from: &str, to: &str) -> NewEvent {
        NewEvent {
            at,
            kind: EventKind::Moved {
                from: from.to_string(),
                to: to.to_string(),
            },
            detail: format!("{from} \u{2192} {to}"),
        }
    }
}

/// A takedown, restore or move in a watch's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEvent {
    /// Unix time it was detected.
    pub at: i64,
    /// Taken down, restored or moved.
    pub kind: EventKind,
    /// How, as the alert said it ("The article answers HTTP 404"; for a
    /// move, "OLD → NEW").
    pub detail: String,
    /// The version current at that moment: for a takedown the last text
    /// held, for a restore the text that came back, for a move the text
    /// found at the new address.
    pub version: i64,
}

impl WatchEvent {
    /// An event as the SELECT of a watch's events reads it: the time, the
    /// kind stored, the detail, the version and, for a move, its two
    /// addresses. `None` for a kind this presswatch does not know.
    pub(super) fn read(
        at: i64,
        kind: &str,
        detail: String,
        version: i64,
        moved: Option<(String, String)>,
    ) -> Option<WatchEvent> {
        let kind = match moved {
            Some((from, to)) => EventKind::Moved { from, to },
            None => EventKind::parse(kind)?,
        };
        Some(WatchEvent {
            at,
            kind,
            detail,
            version,
        })
    }
}

/// Whether a table has a column.
fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        [table, column],
        |r| r.get(0),
    )
}

/// Opens the database file at `path` with `flags`, waiting up to 10 s for
/// another process's write lock.
fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    compile_once(&conn)?;
    Ok(conn)
}

/// Keeps each cached statement compiled once. Without the query planner
/// stability guarantee, SQLite marks a statement whose plan looked at a
/// bound value (`watch = ?1` beside an `ORDER BY` or `MAX()`, a `LIMIT ?2`)
/// for recompiling whenever its bindings are cleared, which the statement
/// cache does each time it takes one back: a check's storage recompiled
/// about six statements (the versions' lookups and prunes) on every check.
/// The plans it gives up are those that depend on values: statistics
/// (presswatch runs no `ANALYZE`) and `LIKE` (presswatch uses none).
fn compile_once(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
}

/// Creates what is missing of the schema and migrates what an older
/// presswatch left; on a current schema it writes nothing.
fn bring_schema_up_to_date(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(super::snapshots::SCHEMA)?;
    migrate(conn)?;
    conn.execute_batch(VERSIONS_BY_BODY)
}

/// The index that finds the versions whose text a body is, for pruning:
/// apart from [`SCHEMA`], as its column is one an older database gains in
/// [`migrate`].
const VERSIONS_BY_BODY: &str =
    "CREATE INDEX IF NOT EXISTS versions_by_body ON versions(body_sha256);";

/// Makes the rows the schema's statements leave out ([`INSTALLATION`], the
/// raw bytes' running total), once.
fn seed(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(INSTALLATION)?;
    conn.execute_batch(super::snapshots::USAGE_ROW)
}

/// Brings a database created by an earlier version up to [`SCHEMA`].
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let has_first_failure: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM pragma_table_info('outbox') WHERE name = 'first_failure')",
        [],
        |r| r.get(0),
    )?;
    if !has_first_failure {
        conn.execute_batch("ALTER TABLE outbox ADD COLUMN first_failure INTEGER")?;
    }
    if !has_column(conn, "versions", "origin")? {
        conn.execute_batch(
            "ALTER TABLE versions ADD COLUMN origin TEXT NOT NULL DEFAULT 'fetched'",
        )?;
    }
    if !has_column(conn, "watch_state", "last_ok")? {
        // Before this column, only pages fetched successfully left versions
        // or seen items behind: those watches have worked.
        conn.execute_batch(
            "ALTER TABLE watch_state ADD COLUMN last_ok INTEGER;
             UPDATE watch_state SET last_ok = COALESCE(last_check, 0)
               WHERE watch IN (SELECT watch FROM versions UNION SELECT watch FROM seen_items);",
        )?;
    }
    if !has_column(conn, "raw_bodies", "codec")? {
        // Before this column, every body was compressed with zstd.
        conn.execute_batch(
            "ALTER TABLE raw_bodies RENAME COLUMN zstd TO packed;
             ALTER TABLE raw_bodies ADD COLUMN codec TEXT NOT NULL DEFAULT 'zstd';",
        )?;
    }
    // Before, one answer was kept per version taken down: a story taken
    // down a second time lost the answer that reported it (a 410 after a
    // 404).
    once_under_lock(conn, snapshots_keyed_by_time, |conn| {
        // The table as the schema now makes it, its rows copied in.
        conn.execute_batch(
            "ALTER TABLE raw_snapshots RENAME TO raw_snapshots_old;
             DROP INDEX IF EXISTS raw_snapshots_by_body;
             DROP INDEX IF EXISTS raw_snapshots_by_time;",
        )?;
        conn.execute_batch(super::snapshots::SCHEMA)?;
        conn.execute_batch(
            "INSERT INTO raw_snapshots (watch, version, kind, url, final_url, status,
                                       response_head, request_head, fetched_at_ms, body_sha256)
                 SELECT watch, version, kind, url, final_url, status, response_head,
                        request_head, fetched_at_ms, body_sha256
                 FROM raw_snapshots_old;
             DROP TABLE raw_snapshots_old;",
        )
    })?;
    // Counts kept before this column have no item: an item that leaves the
    // listing before its article is read is then forgotten.
    once_under_lock(
        conn,
        |conn| has_column(conn, "follow_tries", "item"),
        |conn| conn.execute_batch("ALTER TABLE follow_tries ADD COLUMN item TEXT"),
    )?;
    // Before this column, no watch's move was known: where the URL of each
    // watch then redirected is unknown, so that its next check takes a
    // redirect for where the URL was, not for news.
    once_under_lock(
        conn,
        |conn| has_column(conn, "watch_state", "moved_to"),
        |conn| {
            conn.execute_batch(&format!(
                "ALTER TABLE watch_state ADD COLUMN moved_to TEXT;
                 UPDATE watch_state SET moved_to = '{MOVES_UNKNOWN}';"
            ))
        },
    )?;
    // Records kept before these columns have no digest: `verify` counts them.
    once_under_lock(
        conn,
        |conn| has_column(conn, "raw_snapshots", "record_sha256"),
        |conn| {
            conn.execute_batch(
                "ALTER TABLE raw_snapshots ADD COLUMN record_sha256 TEXT;
                 ALTER TABLE raw_snapshots ADD COLUMN record_fields TEXT;",
            )
        },
    )?;
    // Items seen before this column are taken as titled by their source:
    // one seen with no title may be alerted retitled once when given one.
    once_under_lock(
        conn,
        |conn| has_column(conn, "seen_items", "titled"),
        |conn| {
            conn.execute_batch(
                "ALTER TABLE seen_items ADD COLUMN titled INTEGER NOT NULL DEFAULT 1",
            )
        },
    )?;
    once_under_lock(
        conn,
        |conn| has_column(conn, "versions", "body_sha256"),
        key_bodies_by_their_bytes,
    )?;
    // Versions kept before this column were read by an older presswatch, or
    // by this one: a check tells by reading their kept response again.
    once_under_lock(
        conn,
        |conn| has_column(conn, "versions", "reading"),
        |conn| conn.execute_batch("ALTER TABLE versions ADD COLUMN reading TEXT"),
    )
}

/// Before `versions.body_sha256`, a version's stored text was keyed by its
/// content hash, which leaves out the header lines (`URL:`, `Fetched:`, ...):
/// the first watch (or version) to store a text owned it, and the others
/// with the same text read its URL and fetch time. Each body is now keyed
/// by the SHA-256 of its bytes. What was stored shared stays shared: the
/// header lines the others' own bodies would have had were never kept.
fn key_bodies_by_their_bytes(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "ALTER TABLE versions RENAME TO versions_old;
         ALTER TABLE blobs RENAME TO blobs_old;",
    )?;
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(
        "CREATE TEMP TABLE body_keys (content TEXT PRIMARY KEY, bytes TEXT NOT NULL);",
    )?;
    {
        let mut bodies = conn.prepare("SELECT sha256, body FROM blobs_old")?;
        let mut keep =
            conn.prepare("INSERT OR IGNORE INTO blobs (sha256, body) VALUES (?1, ?2)")?;
        let mut key = conn.prepare("INSERT INTO body_keys (content, bytes) VALUES (?1, ?2)")?;
        let mut rows = bodies.query([])?;
        while let Some(row) = rows.next()? {
            let (content, body): (String, String) = (row.get(0)?, row.get(1)?);
            let bytes = crate::document::sha256_hex(body.as_bytes());
            keep.execute(params![bytes, body])?;
            key.execute(params![content, bytes])?;
        }
    }
    conn.execute_batch(
        "INSERT INTO versions (watch, seq, sha256, body_sha256, fetched_at, origin)
             SELECT v.watch, v.seq, v.sha256, k.bytes, v.fetched_at, v.origin
             FROM versions_old v JOIN body_keys k ON k.content = v.sha256;
         DROP TABLE versions_old;
         DROP TABLE blobs_old;
         DROP TABLE body_keys;",
    )
}

/// Makes a schema `change` unless `done` says it is made: under a write
/// lock, checking again inside it, so that two processes opening the
/// database at once make it once.
fn once_under_lock(
    conn: &Connection,
    done: impl Fn(&Connection) -> rusqlite::Result<bool>,
    change: impl FnOnce(&Connection) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    if done(conn)? {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let made = match done(conn) {
        Ok(true) => Ok(()),
        Ok(false) => change(conn),
        Err(e) => Err(e),
    };
    match made {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Whether `raw_snapshots` keeps each answer, not one per version and kind
/// (its key includes the fetch time).
fn snapshots_keyed_by_time(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT pk > 0 FROM pragma_table_info('raw_snapshots') WHERE name = 'fetched_at_ms'",
        [],
        |r| r.get(0),
    )
}

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
    pub(super) fn new(key: String, tries: i64, item: Option<String>) -> FollowTry {
        FollowTry {
            key,
            tries: u32::try_from(tries).unwrap_or(u32::MAX),
            item: item.and_then(|j| serde_json::from_str(&j).ok()),
        }
    }

    /// An item as stored with its count (JSON).
    pub(super) fn stored(item: &Item) -> String {
        serde_json::to_string(item).unwrap_or_default()
    }
}

/// Per-watch state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchState {
    /// Validators for a conditional GET.
    pub validators: Validators,
    /// Unix time of the last check.
    pub last_check: Option<i64>,
    /// Result of the last check (`unchanged`, `changed`, `error`, ...).
    pub last_result: Option<String>,
    /// The last error message.
    pub last_error: Option<String>,
    /// Unix time of the last detected change.
    pub last_change: Option<i64>,
    /// Unix time the next check is due.
    pub next_due: Option<i64>,
    /// Consecutive failed checks.
    pub failures: u32,
    /// Whether an `error` alert went out for the current failure streak.
    pub error_alerted: bool,
    /// Whether the article is currently taken down.
    pub gone: bool,
    /// Unix time of the last check that fetched the page and found what it
    /// watches (`None`: the URL has never worked).
    pub last_ok: Option<i64>,
    /// Where the watch's URL redirects for good (301, 308), as the last
    /// check that fetched it found ([`crate::fetch::Redirects::permanent_move`]):
    /// an article's move is alerted when this first takes a value, and ops
    /// are told to put it in the config while it has one.
    pub moved_to: Option<String>,
    /// Whether no check by a build that knows moves has fetched the URL yet
    /// (a watch checked before the upgrade): where it redirected before is
    /// unknown, so its next check's redirect is no news.
    pub moves_unknown: bool,
}

/// What `watch_state.moved_to` holds while [`WatchState::moves_unknown`]
/// (the migrations that brought the column set it on the rows then there).
pub(crate) const MOVES_UNKNOWN: &str = "";

impl WatchState {
    /// The value of the `moved_to` column for this state.
    pub(crate) fn moved_to_column(&self) -> Option<String> {
        if self.moves_unknown {
            Some(MOVES_UNKNOWN.to_string())
        } else {
            self.moved_to.clone()
        }
    }

    /// This state with `moved_to` and `moves_unknown` read from the
    /// `moved_to` column's value.
    pub(crate) fn with_moved_to_column(self, column: Option<String>) -> Self {
        let moves_unknown = column.as_deref() == Some(MOVES_UNKNOWN);
        WatchState {
            moved_to: column.filter(|_| !moves_unknown),
            moves_unknown,
            ..self
        }
    }
}

/// Delivery status of an outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for (re)delivery.
    Pending,
    /// Delivered.
    Sent,
    /// Gave up after the retry window; needs `presswatch outbox retry`.
    Dead,
}

impl OutboxStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dead => "dead",
        }
    }
    pub(super) fn parse(s: &str) -> OutboxStatus {
        match s {
            "sent" => OutboxStatus::Sent,
            "dead" => OutboxStatus::Dead,
            _ => OutboxStatus::Pending,
        }
    }
}

/// One alert waiting for (or done with) one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The alert's stable id.
    pub alert_id: String,
    /// The channel name (`-` for the log/stdout when no channel is configured).
    pub channel: String,
    /// The watch the alert is about.
    pub watch: String,
    /// The alert kind.
    pub kind: String,
    /// The alert as JSON.
    pub payload: String,
    /// Delivery status.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Unix time the alert was created.
    pub created_at: i64,
    /// Unix time of the next attempt.
    pub next_attempt: i64,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// Unix time of the first failed attempt (the retry window starts there).
    pub first_failure: Option<i64>,
}

/// Why a channel is disabled: its receiver said it is gone (HTTP 410).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledChannel {
    /// The error that disabled it.
    pub reason: String,
    /// The channel target it was disabled for (a changed URL enables it again).
    pub target: String,
}

/// The undelivered alerts of one channel, counted by how they wait (for
/// `status`, `outbox list`, the metrics and the systemd status line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelQueue {
    /// The channel.
    pub channel: String,
    /// Pending entries not tried yet: due, or held for the channel's digest.
    pub untried: i64,
    /// Creation time of the oldest untried entry.
    pub untried_oldest: Option<i64>,
    /// Pending entries whose delivery failed and is retried.
    pub retrying: i64,
    /// When the oldest retrying entry first failed (its creation when unknown).
    pub retrying_since: Option<i64>,
    /// Entries that gave up.
    pub dead: i64,
    /// Creation time of the oldest dead entry.
    pub dead_oldest: Option<i64>,
    /// When the channel's last digest went out.
    pub last_digest: Option<i64>,
}

/// The SQLite backend (the embedded default): one database file in the
/// state directory. Cheap to clone, safe to share.
#[derive(Clone)]
pub struct Sqlite {
    /// A second connection for reads: in WAL mode they never wait for a
    /// commit of `conn` to reach the disk. Declared first so that it closes
    /// first, and `conn`, closing last, checkpoints and removes the WAL.
    reads: Arc<Mutex<Connection>>,
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// Keeps checks of one watch in two processes apart; `None` for a dry run.
    checks: Option<Arc<super::CheckLocks>>,
}

/// Errors from the state database, with the database named (its file, or
/// its URL without the password).
#[derive(Debug, thiserror::Error)]
#[error("state database {location}: {source}")]
pub struct StateError {
    location: String,
    unavailable: bool,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StateError {
    /// An error of the database at `location`.
    pub(super) fn other(
        location: &str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StateError {
        StateError {
            location: location.to_string(),
            unavailable: false,
            source: source.into(),
        }
    }

    /// The database at `location` cannot be reached (down, or the network
    /// to it): waiting and trying again is the remedy.
    pub(super) fn unavailable(
        location: &str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StateError {
        StateError {
            unavailable: true,
            ..StateError::other(location, source)
        }
    }

    /// Whether the database could not be reached (as opposed to refusing
    /// or failing a statement).
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }
}

pub(super) type Result<T> = std::result::Result<T, StateError>;

impl Sqlite {
    /// Opens (creating if needed) `DIR/presswatch.db`.
    pub fn open(dir: &Path) -> std::result::Result<Sqlite, String> {
        super::create_private_dir(dir)
            .map_err(|e| format!("cannot create state directory {}: {e}", dir.display()))?;
        let path = dir.join("presswatch.db");
        let conn = connect(&path, OpenFlags::default())
            .map_err(|e| format!("cannot open state database {}: {e}", path.display()))?;
        // Private whatever the umask: SQLite gives its -wal and -shm files the same mode.
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("cannot restrict permissions of {}: {e}", path.display()))?;
        }
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        )
        .and_then(|_| bring_schema_up_to_date(&conn))
        .and_then(|_| seed(&conn))
        .map_err(|e| {
            format!(
                "cannot initialise state database {}: {e} (is the state directory writable, with space left on its disk?)",
                path.display()
            )
        })?;
        let reads = connect(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("cannot open state database {}: {e}", path.display()))?;
        Ok(Sqlite {
            conn: Arc::new(Mutex::new(conn)),
            reads: Arc::new(Mutex::new(reads)),
            path,
            checks: Some(Arc::new(super::CheckLocks::new(dir))),
        })
    }

    /// Opens the database for a dry run, which must change nothing on disk:
    /// an existing database is opened refusing every change (a database an older
    /// presswatch wrote, whose schema would need upgrading, is an error
    /// saying how to upgrade it); when there is none yet, an empty
    /// in-memory one stands in.
    pub fn open_preview(dir: &Path) -> std::result::Result<Sqlite, String> {
        let path = dir.join("presswatch.db");
        let conn = if path.exists() {
            // Opened for writing but refusing every change (`query_only`): a
            // read-only connection would leave the write-ahead log's files
            // behind, which the last connection to close removes.
            let conn = connect(
                &path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .and_then(|c| c.execute_batch("PRAGMA query_only = ON;").map(|_| c))
            .map_err(|e| format!("cannot open state database {}: {e}", path.display()))?;
            // On a current schema these create and change nothing; on an
            // older one they would write, which `query_only` refuses.
            bring_schema_up_to_date(&conn).map_err(|e| match e.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::ReadOnly) => format!(
                        "state database {} was written by an older presswatch and its schema must be upgraded first, which this command does not do (it changes nothing on disk): {}",
                        path.display(),
                        super::UPGRADE_IT
                    ),
                    _ => format!("cannot read state database {}: {e}", path.display()),
                })?;
            conn
        } else {
            Connection::open_in_memory()
                .and_then(|c| compile_once(&c).map(|_| c))
                .and_then(|c| bring_schema_up_to_date(&c).map(|_| c))
                .and_then(|c| seed(&c).map(|_| c))
                .map_err(|e| e.to_string())?
        };
        let conn = Arc::new(Mutex::new(conn));
        Ok(Sqlite {
            reads: conn.clone(),
            conn,
            path,
            checks: None,
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits until no other process checks `watch`, and keeps others from
    /// checking it until the guard is dropped (see [`super::CheckLocks`]);
    /// `None` for a dry run, which changes nothing.
    pub async fn one_check_at_a_time(&self, watch: &str) -> Option<super::CheckGuard> {
        self.checks.as_ref()?.lock(watch).await
    }

    pub(super) fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reads.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn err(&self, source: rusqlite::Error) -> StateError {
        StateError::other(&self.location(), source)
    }

    /// The database file, as errors name it.
    pub(super) fn location(&self) -> String {
        self.path.display().to_string()
    }

    /// The state of a watch (default when never checked).
    pub fn watch(&self, watch: &str) -> Result<WatchState> {
        self.reader()
            .prepare_cached(
                "SELECT etag, last_modified, last_check, last_result, last_error, last_change, next_due, failures, error_alerted, gone, last_ok, moved_to FROM watch_state WHERE watch = ?1",
            )
            .and_then(|mut st| st.query_row(
                [watch],
                |r| {
                    Ok(WatchState {
                        validators: Validators { etag: r.get(0)?, last_modified: r.get(1)? },
                        last_check: r.get(2)?,
                        last_result: r.get(3)?,
                        last_error: r.get(4)?,
                        last_change: r.get(5)?,
                        next_due: r.get(6)?,
                        failures: r.get(7)?,
                        error_alerted: r.get::<_, i64>(8)? != 0,
                        gone: r.get::<_, i64>(9)? != 0,
                        last_ok: r.get(10)?,
                        ..WatchState::default()
                    }
                    .with_moved_to_column(r.get(11)?))
                },
            ))
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }

    /// Stores the state of a watch. With [`Durability::Lazy`] the commit
    /// does not wait for the disk: for the schedule, validators and counters
    /// of a check that raised no alert, which a power cut can at worst leave
    /// one check behind (costing one redundant fetch).
    pub fn save_watch(&self, watch: &str, s: &WatchState, durability: Durability) -> Result<()> {
        self.write(durability, |db| save_watch_in(db, watch, s))
    }

    /// Runs one write on the connection; with [`Durability::Lazy`] its commit
    /// does not wait for the disk.
    fn write<T>(
        &self,
        durability: Durability,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let mut db = self.db();
        if durability == Durability::Durable {
            return work(&mut db).map_err(|e| self.err(e));
        }
        db.execute_batch("PRAGMA synchronous=NORMAL;")
            .map_err(|e| self.err(e))?;
        let done = work(&mut db).map_err(|e| self.err(e));
        db.execute_batch("PRAGMA synchronous=FULL;")
            .map_err(|e| self.err(e))?;
        done
    }

    /// Sets when a watch is next due (see [`State::set_next_due`]).
    pub fn set_next_due(&self, watch: &str, due: i64) -> Result<()> {
        self.db()
            .execute(
                "UPDATE watch_state SET next_due = ?2 WHERE watch = ?1",
                params![watch, due],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

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

    /// Remembers titles items carried, in one transaction: a title an item
    /// is retitled to (or first given) becomes its recorded title, one the
    /// source gave (`first_seen` kept), and is marked as one it was
    /// retitled to; the others are remembered as shown.
    pub fn record_titles(
        &self,
        watch: &str,
        titles: &[crate::retitle::Remember],
        now: i64,
    ) -> Result<()> {
        if titles.is_empty() {
            return Ok(());
        }
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        {
            let mut remember = tx
                .prepare_cached(
                    "INSERT INTO item_titles (watch, key, title_key, first_seen, retitled) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (watch, key, title_key) DO UPDATE SET retitled = max(retitled, excluded.retitled)",
                )
                .map_err(|e| self.err(e))?;
            let mut retitle = tx
                .prepare_cached(
                    "UPDATE seen_items SET title = ?3, titled = 1 WHERE watch = ?1 AND key = ?2",
                )
                .map_err(|e| self.err(e))?;
            for t in titles {
                remember
                    .execute(params![watch, t.key, t.title_key, now, t.becomes.is_some()])
                    .map_err(|e| self.err(e))?;
                if let Some(title) = &t.becomes {
                    retitle
                        .execute(params![watch, t.key, title])
                        .map_err(|e| self.err(e))?;
                }
            }
        }
        tx.commit().map_err(|e| self.err(e))
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

    /// Remembers items as seen, each with whether its source gave it its
    /// title (those whose keys are in `untitled` were named by presswatch).
    /// An item seen before keeps its row.
    pub fn mark_seen(
        &self,
        watch: &str,
        items: &[crate::document::Item],
        untitled: &HashSet<String>,
        now: i64,
    ) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        {
            let mut st = tx
                .prepare_cached("INSERT OR IGNORE INTO seen_items (watch, key, url, title, first_seen, titled) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .map_err(|e| self.err(e))?;
            for it in items {
                let titled = !untitled.contains(&it.key);
                st.execute(params![watch, it.key, it.url, it.title, now, titled])
                    .map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
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

    /// Counts one more check that could not read the article of each
    /// `failed` item (kept as listed, in case it leaves the listing), and
    /// forgets the count of each `done` item (read, or alerted unread), in
    /// one transaction.
    pub fn record_follow_tries(
        &self,
        watch: &str,
        failed: &[&Item],
        done: &[&str],
        now: i64,
    ) -> Result<()> {
        if failed.is_empty() && done.is_empty() {
            return Ok(());
        }
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        {
            let mut up = tx
                .prepare_cached(
                    "INSERT INTO follow_tries (watch, key, tries, last_try, item) VALUES (?1, ?2, 1, ?3, ?4)
                     ON CONFLICT (watch, key) DO UPDATE SET tries = tries + 1, last_try = ?3, item = ?4",
                )
                .map_err(|e| self.err(e))?;
            for it in failed {
                up.execute(params![watch, it.key, now, FollowTry::stored(it)])
                    .map_err(|e| self.err(e))?;
            }
            let mut del = tx
                .prepare_cached("DELETE FROM follow_tries WHERE watch = ?1 AND key = ?2")
                .map_err(|e| self.err(e))?;
            for key in done {
                del.execute(params![watch, key]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Stores what one check leaves behind, in one transaction: the watch's
    /// state, the versions it accepted, oldest first (each deduplicated by
    /// hash; only the newest [`NewVersion::keep`] versions of the watch stay,
    /// with the bodies they refer to), and its events (a move, a takedown or
    /// restore). Returns how many old versions were pruned.
    pub fn save_check(
        &self,
        watch: &str,
        s: &WatchState,
        versions: &[NewVersion],
        events: &[NewEvent],
        durability: Durability,
    ) -> Result<usize> {
        let location = self.location();
        let raws = versions
            .iter()
            .map(|v| {
                v.raw
                    .as_ref()
                    .map(|raw| snapshots::Packed::new(&location, raw))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let mut raw_pruned = snapshots::RawPruned::default();
        let pruned = self.write(durability, |db| {
            let tx = db.transaction()?;
            let mut pruned = 0;
            for (v, raw) in versions.iter().zip(&raws) {
                pruned += record_version_in(&tx, watch, v, raw.as_ref(), &mut raw_pruned)?;
            }
            // Each refers to the version current once this check's are in.
            for e in events {
                match &e.kind {
                    EventKind::Moved { from, to } => tx
                        .prepare_cached(
                            "INSERT INTO watch_moves (watch, at, from_url, to_url, detail, version)
                             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = ?1))",
                        )?
                        .execute(params![watch, e.at, from, to, e.detail])?,
                    EventKind::TakenDown | EventKind::Restored => tx
                        .prepare_cached(
                            "INSERT INTO watch_events (watch, at, kind, detail, version)
                             VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(seq), 0) FROM versions WHERE watch = ?1))",
                        )?
                        .execute(params![watch, e.at, e.kind.as_str(), e.detail])?,
                };
            }
            save_watch_in(&tx, watch, s)?;
            tx.commit()?;
            Ok(pruned)
        })?;
        raw_pruned.log(watch);
        Ok(pruned)
    }

    /// The kept versions of a watch, oldest first.
    pub fn versions(&self, watch: &str) -> Result<Vec<VersionRow>> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT seq, sha256, fetched_at, origin, body_sha256, reading FROM versions WHERE watch = ?1 ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([watch], |r| {
                Ok(VersionRow {
                    seq: r.get(0)?,
                    sha256: r.get(1)?,
                    stored_at: r.get(2)?,
                    origin: Origin::parse(&r.get::<_, String>(3)?),
                    body_sha256: r.get(4)?,
                    reading: r.get(5)?,
                })
            })
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
            .prepare_cached(
                "SELECT seq, sha256, fetched_at, origin, body_sha256, reading FROM versions WHERE watch = ?1 ORDER BY seq DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query_map(params![watch, n as i64], |r| {
                Ok(VersionRow {
                    seq: r.get(0)?,
                    sha256: r.get(1)?,
                    stored_at: r.get(2)?,
                    origin: Origin::parse(&r.get::<_, String>(3)?),
                    body_sha256: r.get(4)?,
                    reading: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        rows.reverse();
        Ok(rows)
    }

    /// The moves, takedowns and restores of a watch since its oldest kept
    /// version, oldest first (a move first when one check saw both, as its
    /// alerts go out).
    pub fn events(&self, watch: &str) -> Result<Vec<WatchEvent>> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT at, 'moved', detail, version, from_url, to_url, 0 AS source, rowid FROM watch_moves WHERE watch = ?1
                 UNION ALL
                 SELECT at, kind, detail, version, NULL, NULL, 1 AS source, rowid FROM watch_events WHERE watch = ?1
                 ORDER BY 1, 7, 8",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([watch], |r| {
                let moved = match (r.get(4)?, r.get(5)?) {
                    (Some(from), Some(to)) => Some((from, to)),
                    _ => None,
                };
                Ok(WatchEvent::read(
                    r.get(0)?,
                    &r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    moved,
                ))
            })
            .map_err(|e| self.err(e))?;
        let rows: Vec<Option<WatchEvent>> = rows
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().flatten().collect())
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

    /// Puts an alert in the outbox, one entry per channel, in one transaction.
    /// Idempotent: an alert id already present is left as it is (so a check
    /// that crashed after this point and runs again adds nothing).
    pub fn enqueue(
        &self,
        alert_id: &str,
        watch: &str,
        kind: &str,
        payload: &str,
        channels: &[String],
        now: i64,
    ) -> Result<bool> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        let inserted = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO alerts (id, watch, kind, created_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut st| st.execute(params![alert_id, watch, kind, now, payload]))
            .map_err(|e| self.err(e))?
            > 0;
        for ch in channels {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO outbox (alert_id, channel, next_attempt) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut st| st.execute(params![alert_id, ch, now]))
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(inserted)
    }

    /// Outbox entries, filtered by status; due-only limits pending ones to those due by `now`.
    pub fn outbox(
        &self,
        status: Option<OutboxStatus>,
        due_by: Option<i64>,
    ) -> Result<Vec<OutboxEntry>> {
        let db = self.reader();
        // With a status the index on (status, next_attempt) finds the entries
        // without reading the delivered ones.
        let by_status = if status.is_some() {
            "o.status = ?1"
        } else {
            "?1 IS NULL"
        };
        let sql = format!(
            "SELECT o.alert_id, o.channel, a.watch, a.kind, a.payload, o.status, o.attempts, a.created_at, o.next_attempt, o.last_error, o.first_failure
             FROM outbox o JOIN alerts a ON a.id = o.alert_id
             WHERE {by_status} AND o.next_attempt <= COALESCE(?2, 9223372036854775807)
             ORDER BY a.created_at, a.rowid, o.channel"
        );
        let mut st = db.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![status.map(OutboxStatus::as_str), due_by], |r| {
                Ok(OutboxEntry {
                    alert_id: r.get(0)?,
                    channel: r.get(1)?,
                    watch: r.get(2)?,
                    kind: r.get(3)?,
                    payload: r.get(4)?,
                    status: OutboxStatus::parse(&r.get::<_, String>(5)?),
                    attempts: r.get(6)?,
                    created_at: r.get(7)?,
                    next_attempt: r.get(8)?,
                    last_error: r.get(9)?,
                    first_failure: r.get(10)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Marks an entry delivered. The commit does not wait for the disk: a
    /// power cut can only make the alert go out again under the same id,
    /// which receivers drop as a duplicate.
    pub fn mark_sent(&self, alert_id: &str, channel: &str, now: i64) -> Result<()> {
        self.write(Durability::Lazy, |db| {
            db.prepare_cached(
                "UPDATE outbox SET status='sent', sent_at=?3, attempts=attempts+1, last_error=NULL WHERE alert_id=?1 AND channel=?2",
            )?
            .execute(params![alert_id, channel, now])
            .map(|_| ())
        })
    }

    /// Records a failed attempt at `now`: retry at `next_attempt`, or dead
    /// when `None`. Like [`State::mark_sent`], the commit does not wait for
    /// the disk: a power cut can only make the entry due again sooner.
    pub fn mark_failed(
        &self,
        alert_id: &str,
        channel: &str,
        error: &str,
        now: i64,
        next_attempt: Option<i64>,
    ) -> Result<()> {
        let (status, next) = match next_attempt {
            Some(t) => ("pending", t),
            None => ("dead", 0),
        };
        self.write(Durability::Lazy, |db| {
            db.prepare_cached(
                "UPDATE outbox SET status=?3, attempts=attempts+1, last_error=?4, first_failure=COALESCE(first_failure, ?6),
                   next_attempt=CASE WHEN ?3='dead' THEN next_attempt ELSE ?5 END
                 WHERE alert_id=?1 AND channel=?2",
            )?
            .execute(params![alert_id, channel, status, error, next, now])
            .map(|_| ())
        })
    }

    /// Makes unsent entries (all, or of one alert) pending and due now with
    /// a fresh retry window, and enables channels disabled by a 410. Returns
    /// how many entries.
    pub fn retry(&self, alert_id: Option<&str>, now: i64) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        let n = tx
            .execute(
                "UPDATE outbox SET status='pending', next_attempt=?2, first_failure=NULL WHERE status != 'sent' AND (?1 IS NULL OR alert_id = ?1)",
                params![alert_id, now],
            )
            .map_err(|e| self.err(e))?;
        tx.execute(
            "UPDATE channel_state SET disabled_reason=NULL, disabled_for=NULL",
            [],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }

    /// Drops unsent entries (all, or of one alert). Returns how many.
    pub fn drop_entries(&self, alert_id: Option<&str>, channel: Option<&str>) -> Result<usize> {
        self.db()
            .execute(
                "DELETE FROM outbox WHERE status != 'sent' AND (?1 IS NULL OR alert_id = ?1) AND (?2 IS NULL OR channel = ?2)",
                params![alert_id, channel],
            )
            .map_err(|e| self.err(e))
    }

    /// Forgets delivered alerts sent before `before` (Unix time): their
    /// outbox entries, and the alerts themselves once no entry refers to them.
    /// Returns how many entries were removed.
    pub fn prune_delivered(&self, before: i64) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        let n = tx
            .execute(
                "DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?1",
                [before],
            )
            .map_err(|e| self.err(e))?;
        tx.execute(
            "DELETE FROM alerts WHERE created_at < ?1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = alerts.id)",
            [before],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }

    /// Why a channel is disabled, if it is.
    pub fn channel_disabled(&self, channel: &str) -> Result<Option<DisabledChannel>> {
        self.reader()
            .query_row(
                "SELECT disabled_reason, disabled_for FROM channel_state WHERE channel = ?1 AND disabled_reason IS NOT NULL",
                [channel],
                |r| {
                    Ok(DisabledChannel {
                        reason: r.get(0)?,
                        target: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Disables a channel (its receiver is gone) until its target changes or
    /// `outbox retry`; `None` enables it again.
    pub fn set_channel_disabled(
        &self,
        channel: &str,
        disabled: Option<&DisabledChannel>,
    ) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO channel_state (channel, disabled_reason, disabled_for) VALUES (?1, ?2, ?3)
                 ON CONFLICT(channel) DO UPDATE SET disabled_reason=?2, disabled_for=?3",
                params![
                    channel,
                    disabled.map(|d| &d.reason),
                    disabled.map(|d| &d.target)
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Unix time the channel's last digest went out.
    pub fn last_digest(&self, channel: &str) -> Result<Option<i64>> {
        self.reader()
            .query_row(
                "SELECT last_digest FROM channel_state WHERE channel = ?1",
                [channel],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Marks a digest's entries sent and records when, in one transaction.
    pub fn mark_digest_sent(&self, channel: &str, alert_ids: &[String], now: i64) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.err(e))?;
        for id in alert_ids {
            tx.execute(
                "UPDATE outbox SET status='sent', sent_at=?3, attempts=attempts+1, last_error=NULL WHERE alert_id=?1 AND channel=?2",
                params![id, channel, now],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.execute(
            "INSERT INTO channel_state (channel, last_digest) VALUES (?1, ?2)
             ON CONFLICT(channel) DO UPDATE SET last_digest=?2",
            params![channel, now],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Pending entries per watch (for status).
    pub fn pending_count(&self, watch: Option<&str>) -> Result<i64> {
        self.reader()
            .query_row(
                "SELECT COUNT(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.status IN ('pending', 'dead') AND (?1 IS NULL OR a.watch = ?1)",
                params![watch],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// The undelivered entries of each channel that has any, by how they wait.
    pub fn outbox_queues(&self) -> Result<Vec<ChannelQueue>> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT o.channel,
                    COALESCE(SUM(o.status = 'pending' AND o.attempts = 0), 0),
                    MIN(CASE WHEN o.status = 'pending' AND o.attempts = 0 THEN a.created_at END),
                    COALESCE(SUM(o.status = 'pending' AND o.attempts > 0), 0),
                    MIN(CASE WHEN o.status = 'pending' AND o.attempts > 0 THEN COALESCE(o.first_failure, a.created_at) END),
                    COALESCE(SUM(o.status = 'dead'), 0),
                    MIN(CASE WHEN o.status = 'dead' THEN a.created_at END),
                    (SELECT c.last_digest FROM channel_state c WHERE c.channel = o.channel)
                 FROM outbox o JOIN alerts a ON a.id = o.alert_id
                 WHERE o.status IN ('pending', 'dead')
                 GROUP BY o.channel ORDER BY o.channel",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(ChannelQueue {
                    channel: r.get(0)?,
                    untried: r.get(1)?,
                    untried_oldest: r.get(2)?,
                    retrying: r.get(3)?,
                    retrying_since: r.get(4)?,
                    dead: r.get(5)?,
                    dead_oldest: r.get(6)?,
                    last_digest: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Fails unless the database can take a write lock right now (health checks).
    pub fn check_writable(&self) -> Result<()> {
        self.db()
            .execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
            .map_err(|e| self.err(e))
    }

    /// Moves the write-ahead log into the database file (on shutdown).
    pub fn checkpoint(&self) -> Result<()> {
        self.db()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| self.err(e))
    }

    /// The mail thread an alert continues: the ids of every earlier alert
    /// about the same watch still kept, oldest first (for In-Reply-To and
    /// References), and the first headline among them (the thread's stable
    /// subject).
    pub fn thread(&self, watch: &str, alert_id: &str) -> Result<Thread> {
        let db = self.reader();
        let mut st = db
            .prepare_cached(
                "SELECT id, json_extract(payload, '$.title') FROM alerts
                 WHERE watch = ?1 AND rowid < (SELECT rowid FROM alerts WHERE id = ?2) ORDER BY rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows: Vec<(String, Option<String>)> = st
            .query_map(params![watch, alert_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let headline = rows
            .iter()
            .find_map(|(_, t)| t.clone().filter(|t| !t.is_empty()));
        Ok(Thread {
            ids: rows.into_iter().map(|(id, _)| id).collect(),
            headline,
        })
    }

    /// This installation's id: random, made when the state database was
    /// created, so two installations never give a message the same id.
    pub fn installation_id(&self) -> Result<String> {
        self.reader()
            .query_row("SELECT id FROM installation", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// The earlier alerts about one watch, for mail threading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    /// Their ids, oldest first.
    pub ids: Vec<String>,
    /// The first headline among them.
    pub headline: Option<String>,
}

/// The hash of a watch's newest version.
const LATEST_VERSION: &str =
    "SELECT sha256 FROM versions WHERE watch = ?1 ORDER BY seq DESC LIMIT 1";
/// Adds a watch's next version, returning its number.
const NEW_VERSION: &str = "INSERT INTO versions (watch, seq, sha256, body_sha256, fetched_at, origin, reading) VALUES (?1, COALESCE((SELECT MAX(seq) FROM versions WHERE watch = ?1), 0) + 1, ?2, ?3, ?4, ?5, ?6) RETURNING seq";
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
    let last: Option<String> = db
        .prepare_cached(LATEST_VERSION)?
        .query_row([watch], |r| r.get(0))
        .optional()?;
    if last.as_deref() != Some(v.sha256.as_str()) {
        let body_sha256 = v.body_sha256();
        db.prepare_cached("INSERT OR IGNORE INTO blobs (sha256, body) VALUES (?1, ?2)")?
            .execute(params![body_sha256, v.body])?;
        let seq: i64 = db.prepare_cached(NEW_VERSION)?.query_row(
            params![
                watch,
                v.sha256,
                body_sha256,
                v.fetched_at,
                v.origin.as_str(),
                v.reading
            ],
            |r| r.get(0),
        )?;
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

/// Upserts a watch's state row.
fn save_watch_in(db: &Connection, watch: &str, s: &WatchState) -> rusqlite::Result<()> {
    db.prepare_cached(
        "INSERT INTO watch_state (watch, etag, last_modified, last_check, last_result, last_error, last_change, next_due, failures, error_alerted, gone, last_ok, moved_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT(watch) DO UPDATE SET etag=?2, last_modified=?3, last_check=?4, last_result=?5, last_error=?6,
           last_change=?7, next_due=?8, failures=?9, error_alerted=?10, gone=?11, last_ok=?12, moved_to=?13",
    )?
    .execute(params![
        watch,
        s.validators.etag,
        s.validators.last_modified,
        s.last_check,
        s.last_result,
        s.last_error,
        s.last_change,
        s.next_due,
        s.failures,
        s.error_alerted as i64,
        s.gone as i64,
        s.last_ok,
        s.moved_to_column()
    ])
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enqueue_is_idempotent_per_alert_id() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        let chans = vec!["mail".to_string(), "hook".to_string()];
        assert!(st.enqueue("a1", "w", "edited", "{}", &chans, 10).unwrap());
        assert!(!st.enqueue("a1", "w", "edited", "{}", &chans, 11).unwrap());
        assert_eq!(
            st.outbox(Some(OutboxStatus::Pending), None).unwrap().len(),
            2
        );
        st.mark_sent("a1", "mail", 12).unwrap();
        st.mark_failed("a1", "hook", "HTTP 500", 13, None).unwrap();
        assert_eq!(st.outbox(Some(OutboxStatus::Dead), None).unwrap().len(), 1);
        assert_eq!(st.retry(None, 20).unwrap(), 1);
        assert_eq!(st.pending_count(Some("w")).unwrap(), 1);
    }

    #[test]
    fn a_dry_run_reads_the_database_and_leaves_its_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let item = crate::document::Item {
            key: "a".into(),
            url: "https://n.example.org/a".into(),
            title: "a".into(),
            snippet: None,
            published: None,
        };
        Sqlite::open(dir.path())
            .unwrap()
            .mark_seen("w", std::slice::from_ref(&item), &HashSet::new(), 1)
            .unwrap();
        let file = dir.path().join("presswatch.db");
        let before = std::fs::read(&file).unwrap();
        let st = Sqlite::open_preview(dir.path()).unwrap();
        assert_eq!(st.seen_titles("w", &["a", "b"]).unwrap().len(), 1);
        assert!(
            st.mark_seen("w", &[item], &HashSet::new(), 2).is_err(),
            "a dry run's connection cannot write"
        );
        drop(st);
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }

    #[test]
    fn items_seen_before_their_source_said_whether_it_titled_them_are_taken_as_titled() {
        let dir = tempfile::tempdir().unwrap();
        Connection::open(dir.path().join("presswatch.db"))
            .unwrap()
            .execute_batch(
                "CREATE TABLE seen_items (watch TEXT NOT NULL, key TEXT NOT NULL, url TEXT NOT NULL,
                     title TEXT NOT NULL, first_seen INTEGER NOT NULL, PRIMARY KEY (watch, key));
                 INSERT INTO seen_items VALUES ('w', 'urn:1', 'https://n.example/1', 'Director leaves Iran', 10);",
            )
            .unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        assert_eq!(
            st.seen_titles("w", &["urn:1"]).unwrap()["urn:1"],
            crate::retitle::Recorded {
                title: "Director leaves Iran".into(),
                given: true
            }
        );
    }

    #[test]
    fn a_dry_run_does_not_upgrade_a_database_an_older_presswatch_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("presswatch.db");
        Connection::open(&file)
            .unwrap()
            .execute_batch(
                "CREATE TABLE raw_bodies (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, stored INTEGER NOT NULL, zstd BLOB NOT NULL);",
            )
            .unwrap();
        let before = std::fs::read(&file).unwrap();
        let err = Sqlite::open_preview(dir.path()).err().unwrap();
        assert!(
            err.contains("written by an older presswatch")
                && err.contains("restart the daemon, or run `presswatch check` once"),
            "{err}"
        );
        assert_eq!(std::fs::read(&file).unwrap(), before);
        // The daemon (or a check) upgrades it; a dry run opens it then.
        drop(Sqlite::open(dir.path()).unwrap());
        assert!(Sqlite::open_preview(dir.path()).is_ok());
    }

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
        st.mark_seen(
            "w",
            &[item("a"), item("b\"quoted\""), item("رسول‌اف")],
            &untitled,
            1,
        )
        .unwrap();
        st.mark_seen("other", &[item("c")], &HashSet::new(), 1)
            .unwrap();
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

    #[test]
    fn delivered_alerts_are_pruned_undelivered_kept() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        let ch = vec!["mail".to_string()];
        st.enqueue("old", "w", "edited", "{}", &ch, 10).unwrap();
        st.enqueue("dead", "w", "edited", "{}", &ch, 10).unwrap();
        st.enqueue("new", "w", "edited", "{}", &ch, 10).unwrap();
        st.mark_sent("old", "mail", 20).unwrap();
        st.mark_failed("dead", "mail", "HTTP 500", 20, None)
            .unwrap();
        st.mark_sent("new", "mail", 100).unwrap();
        assert_eq!(st.prune_delivered(50).unwrap(), 1);
        let left: Vec<String> = st
            .outbox(None, None)
            .unwrap()
            .into_iter()
            .map(|e| e.alert_id)
            .collect();
        assert_eq!(left, vec!["dead", "new"]);
        assert_eq!(st.thread("w", "new").unwrap().ids, vec!["dead"]);
    }

    #[test]
    fn the_installation_id_is_made_once_and_differs_between_databases() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let id = Sqlite::open(a.path()).unwrap().installation_id().unwrap();
        assert_eq!(id.len(), 16);
        assert_eq!(
            Sqlite::open(a.path()).unwrap().installation_id().unwrap(),
            id
        );
        assert_ne!(
            Sqlite::open(b.path()).unwrap().installation_id().unwrap(),
            id
        );
    }

    #[test]
    fn an_older_outbox_table_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join("presswatch.db")).unwrap();
        old.execute_batch(
            "CREATE TABLE outbox (alert_id TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
               attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL, last_error TEXT, sent_at INTEGER,
               PRIMARY KEY (alert_id, channel));",
        )
        .unwrap();
        drop(old);
        let st = Sqlite::open(dir.path()).unwrap();
        st.enqueue("a", "w", "edited", "{}", &["mail".to_string()], 1)
            .unwrap();
        st.mark_failed("a", "mail", "down", 5, Some(60)).unwrap();
        assert_eq!(st.outbox(None, None).unwrap()[0].first_failure, Some(5));
    }

    #[test]
    fn an_older_follow_tries_table_keeps_its_counts_and_then_the_items() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join("presswatch.db")).unwrap();
        old.execute_batch(
            "CREATE TABLE follow_tries (watch TEXT NOT NULL, key TEXT NOT NULL, tries INTEGER NOT NULL,
               last_try INTEGER NOT NULL, PRIMARY KEY (watch, key));
             INSERT INTO follow_tries VALUES ('w', 'https://n.example/a', 2, 10);",
        )
        .unwrap();
        drop(old);
        let st = Sqlite::open(dir.path()).unwrap();
        let kept = st.follow_tries("w").unwrap();
        assert_eq!(
            (kept[0].tries, &kept[0].item),
            (2, &None),
            "counted by an older presswatch, which kept no item"
        );
        let item = Item {
            key: "https://n.example/a".into(),
            url: "https://n.example/a".into(),
            title: "Director leaves the country".into(),
            snippet: None,
            published: None,
        };
        st.record_follow_tries("w", &[&item], &[], 20).unwrap();
        let kept = st.follow_tries("w").unwrap();
        assert_eq!((kept[0].tries, kept[0].item.as_ref()), (3, Some(&item)));
    }

    #[test]
    fn an_older_snapshot_table_keeps_its_rows_and_then_every_takedown_answer() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join("presswatch.db")).unwrap();
        old.execute_batch(
            "CREATE TABLE raw_bodies (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, stored INTEGER NOT NULL,
               codec TEXT NOT NULL DEFAULT 'zstd', packed BLOB NOT NULL);
             CREATE TABLE raw_snapshots (watch TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL,
               url TEXT NOT NULL, final_url TEXT NOT NULL, status INTEGER NOT NULL, response_head TEXT NOT NULL,
               request_head TEXT NOT NULL, fetched_at_ms INTEGER NOT NULL,
               body_sha256 TEXT NOT NULL REFERENCES raw_bodies(sha256), PRIMARY KEY (watch, version, kind));
             CREATE INDEX raw_snapshots_by_body ON raw_snapshots(body_sha256);
             INSERT INTO raw_bodies VALUES ('b1', 3, 3, 'zstd', x'00');
             INSERT INTO raw_snapshots VALUES ('w', 1, 'taken_down', 'u', 'u', 404, 'HTTP/1.1 404', 'GET /', 1000, 'b1');",
        )
        .unwrap();
        drop(old);
        let st = Sqlite::open(dir.path()).unwrap();
        let kept = st.snapshots(Some("w")).unwrap();
        assert_eq!(kept.len(), 1, "the row is kept");
        assert_eq!(kept[0].fetched_at_ms, 1000);
        // A second takedown of version 1 keeps its own answer.
        let answer = crate::store::NewSnapshot {
            url: "u".into(),
            final_url: "u".into(),
            status: 410,
            response_head: "HTTP/1.1 410 Gone".into(),
            request_head: "GET /".into(),
            fetched_at_ms: 9000,
            body: b"gone".to_vec(),
            encoded: None,
        };
        st.record_takedown("w", 1, &answer).unwrap();
        let kept = st.snapshots(Some("w")).unwrap();
        assert_eq!(
            kept.iter().map(|s| s.status).collect::<Vec<_>>(),
            [404, 410]
        );
        assert_eq!(
            kept.iter().map(|s| s.check_record()).collect::<Vec<_>>(),
            [
                crate::store::RecordCheck::Undigested,
                crate::store::RecordCheck::Sound
            ],
            "the older record has no digest, the new one has"
        );
        drop(st);
        let indexed: Vec<String> = Connection::open(dir.path().join("presswatch.db"))
            .unwrap()
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'raw_snapshots' AND sql IS NOT NULL ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(indexed, ["raw_snapshots_by_body", "raw_snapshots_by_time"]);
        // Opening it again finds it migrated.
        assert_eq!(
            Sqlite::open(dir.path())
                .unwrap()
                .snapshots(None)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn a_lazy_save_is_kept_and_later_commits_wait_for_the_disk_again() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        let saved = WatchState {
            failures: 2,
            ..WatchState::default()
        };
        st.save_watch("w", &saved, Durability::Lazy).unwrap();
        let synchronous: i64 = st
            .db()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(synchronous, 2, "FULL again after a lazy commit");
        drop(st);
        let reopened = Sqlite::open(dir.path()).unwrap();
        assert_eq!(reopened.watch("w").unwrap().failures, 2);
    }

    #[test]
    fn an_older_database_learns_which_watches_have_worked() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join("presswatch.db")).unwrap();
        old.execute_batch(
            "CREATE TABLE watch_state (watch TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, last_check INTEGER,
               last_result TEXT, last_error TEXT, last_change INTEGER, next_due INTEGER,
               failures INTEGER NOT NULL DEFAULT 0, error_alerted INTEGER NOT NULL DEFAULT 0, gone INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, body TEXT NOT NULL);
             CREATE TABLE versions (watch TEXT NOT NULL, seq INTEGER NOT NULL, sha256 TEXT NOT NULL, fetched_at INTEGER NOT NULL,
               PRIMARY KEY (watch, seq));
             INSERT INTO watch_state (watch, last_check) VALUES ('worked', 50), ('typo', 60);
             INSERT INTO blobs VALUES ('h1', 'one');
             INSERT INTO versions VALUES ('worked', 1, 'h1', 40);",
        )
        .unwrap();
        drop(old);
        let st = Sqlite::open(dir.path()).unwrap();
        assert_eq!(st.watch("worked").unwrap().last_ok, Some(50));
        assert_eq!(st.watch("typo").unwrap().last_ok, None);
        assert_eq!(st.versions("worked").unwrap()[0].origin, Origin::Fetched);
    }

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
            st.save_check("w", &WatchState::default(), &[], e, Durability::Durable)
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
        };
        st.save_check(
            watch,
            &WatchState::default(),
            &[v],
            &[],
            Durability::Durable,
        )
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
