//! The state database's tables ([`SCHEMA`]), created when missing, and the
//! upgrades of a database an older presswatch wrote ([`migrate`]), each
//! made once under a write lock however many processes open it at once.

use rusqlite::{params, Connection};

use super::watch::MOVES_UNKNOWN;
use crate::store::snapshots;

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
    page_facts  TEXT,
    chain_prev   TEXT,
    chain_sha256 TEXT,
    chained_at   INTEGER,
    alerted      TEXT,
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
CREATE TABLE IF NOT EXISTS watch_kinds (
    watch TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    url   TEXT NOT NULL
);
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
    sending_since INTEGER,
    sending_until INTEGER,
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

/// Whether a table has a column.
fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        [table, column],
        |r| r.get(0),
    )
}

/// Creates what is missing of the schema and migrates what an older
/// presswatch left; on a current schema it writes nothing.
pub(super) fn bring_schema_up_to_date(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(snapshots::SCHEMA)?;
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
pub(super) fn seed(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(INSTALLATION)?;
    conn.execute_batch(snapshots::USAGE_ROW)
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
        conn.execute_batch(snapshots::SCHEMA)?;
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
    )?;
    // An older presswatch does not record the attempt under way: its
    // entries read as due or retrying, as before.
    once_under_lock(
        conn,
        |conn| has_column(conn, "outbox", "sending_since"),
        |conn| {
            conn.execute_batch(
                "ALTER TABLE outbox ADD COLUMN sending_since INTEGER;
                 ALTER TABLE outbox ADD COLUMN sending_until INTEGER;",
            )
        },
    )?;
    // Versions kept before this column have no page facts: a check reads
    // their kept response instead, as before.
    once_under_lock(
        conn,
        |conn| has_column(conn, "versions", "page_facts"),
        |conn| conn.execute_batch("ALTER TABLE versions ADD COLUMN page_facts TEXT"),
    )?;
    // Versions kept before this column do not say which of their new
    // items were alerted: the evidence viewer goes by their alert, while
    // the outbox keeps it.
    once_under_lock(
        conn,
        |conn| has_column(conn, "versions", "alerted"),
        |conn| conn.execute_batch("ALTER TABLE versions ADD COLUMN alerted TEXT"),
    )?;
    // Each version's link in its watch's hash chain (`chain_prev`,
    // `chain_sha256`), taken as it is stored; `chained_at` when an upgrade
    // chained one kept before (or stored by an older presswatch since).
    once_under_lock(
        conn,
        |conn| has_column(conn, "versions", "chain_sha256"),
        |conn| {
            conn.execute_batch(
                "ALTER TABLE versions ADD COLUMN chain_prev TEXT;
                 ALTER TABLE versions ADD COLUMN chain_sha256 TEXT;
                 ALTER TABLE versions ADD COLUMN chained_at INTEGER;",
            )
        },
    )?;
    once_under_lock(
        conn,
        |conn| {
            conn.query_row(
                "SELECT NOT EXISTS(SELECT 1 FROM versions WHERE chain_sha256 IS NULL)",
                [],
                |r| r.get(0),
            )
        },
        |conn| super::versions::chain_unchained(conn, None, chrono::Utc::now().timestamp()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Item;
    use crate::store::{Durability, Origin, Sqlite, WatchState};

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
        let queuing = crate::store::checked::queuing("a", "edited", "{}", &["mail"], 1);
        st.save_check("w", &WatchState::default(), &queuing, Durability::Durable)
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
        let following = crate::store::checked::following(std::slice::from_ref(&item), &[], 20);
        st.save_check("w", &WatchState::default(), &following, Durability::Durable)
            .unwrap();
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
        let taking_down = crate::store::checked::taking_down(1, answer);
        st.save_check(
            "w",
            &WatchState::default(),
            &taking_down,
            Durability::Durable,
        )
        .unwrap();
        let kept = st.snapshots(Some("w")).unwrap();
        assert_eq!(
            kept.iter().map(|s| s.status).collect::<Vec<_>>(),
            [404, 410]
        );
        assert_eq!(
            kept.iter().map(|s| s.check_record()).collect::<Vec<_>>(),
            [
                crate::integrity::RecordCheck::Undigested,
                crate::integrity::RecordCheck::Sound
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
}
