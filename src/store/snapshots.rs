//! Raw snapshots: the HTTP response behind each accepted version (and the
//! answer that reported a takedown) kept as evidence — status line, headers,
//! the body's exact bytes and the fetch time. Bodies are content-addressed
//! by the SHA-256 of their bytes and stored once, compressed: in the
//! content coding they were served in (gzip, br, zstd, deflate), which costs
//! no compression, or else with zstd.
//!
//! A snapshot is written in the same transaction as its version, so no
//! snapshot is ever half-written and none outlives its version: a version
//! pruned by `keep_versions` takes its snapshots with it, and bodies nothing
//! refers to are deleted. `keep_raw` caps what is left by total size or age,
//! oldest first, never touching a watch's newest version.
//!
//! Each snapshot record carries a digest of what it asserts, taken when it
//! is kept ([`RecordDigest`]), so that `verify` finds a record altered since
//! (a header, the status, the fetch time, the body it points to).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::StateError;
use crate::config::KeepRaw;
use crate::content_coding::{self, Coding, DecodeError, Encoded};
use crate::document::sha256_hex;
use crate::integrity::RecordCheck;

/// The tables, their indexes, and the running total of stored bytes kept by
/// triggers (so a size cap costs one row read per check).
pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS raw_bodies (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    codec  TEXT NOT NULL DEFAULT 'zstd',
    packed BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS raw_snapshots (
    watch         TEXT NOT NULL,
    version       INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    url           TEXT NOT NULL,
    final_url     TEXT NOT NULL,
    status        INTEGER NOT NULL,
    response_head TEXT NOT NULL,
    request_head  TEXT NOT NULL,
    fetched_at_ms INTEGER NOT NULL,
    body_sha256   TEXT NOT NULL REFERENCES raw_bodies(sha256),
    record_sha256 TEXT,
    record_fields TEXT,
    PRIMARY KEY (watch, version, kind, fetched_at_ms)
);
CREATE INDEX IF NOT EXISTS raw_snapshots_by_body ON raw_snapshots(body_sha256);
CREATE INDEX IF NOT EXISTS raw_snapshots_by_time ON raw_snapshots(fetched_at_ms);
CREATE TABLE IF NOT EXISTS raw_usage (
    id    INTEGER PRIMARY KEY CHECK (id = 0),
    bytes INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS raw_bodies_added AFTER INSERT ON raw_bodies
    BEGIN UPDATE raw_usage SET bytes = bytes + NEW.stored WHERE id = 0; END;
CREATE TRIGGER IF NOT EXISTS raw_bodies_removed AFTER DELETE ON raw_bodies
    BEGIN UPDATE raw_usage SET bytes = bytes - OLD.stored WHERE id = 0; END;
"#;

/// The running total's one row, made once: apart from [`SCHEMA`], whose
/// statements write nothing on a database whose schema is current.
pub(super) const USAGE_ROW: &str = "INSERT OR IGNORE INTO raw_usage (id, bytes) VALUES (0, 0);";

/// zstd level. Measured on the 88 pages of the extraction corpus (179 KB
/// on average; `cargo bench --bench cycle` prints it): level 1 compresses a
/// page in about 0.2 ms to 21.3% of its size, level 3 in about 0.28 ms to
/// 20.1%. Every accepted version served without a content coding pays this,
/// so the faster level wins.
const ZSTD_LEVEL: i32 = 1;

/// Why a snapshot was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SnapshotKind {
    /// The response a version was accepted from.
    Version,
    /// The answer (404, 410, a redirect to a front page) that reported the
    /// version's article taken down.
    TakenDown,
}

impl SnapshotKind {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotKind::Version => "version",
            SnapshotKind::TakenDown => "taken_down",
        }
    }
    pub(super) fn parse(s: &str) -> SnapshotKind {
        match s {
            "taken_down" => SnapshotKind::TakenDown,
            _ => SnapshotKind::Version,
        }
    }
}

/// A response to keep, as captured by the fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSnapshot {
    /// The watched URL (what was requested).
    pub url: String,
    /// Where the response came from, after redirects.
    pub final_url: String,
    /// HTTP status.
    pub status: u16,
    /// Status line and header fields as received, CRLF-separated, without
    /// the blank line.
    pub response_head: String,
    /// The request line and the header fields presswatch sent.
    pub request_head: String,
    /// When the response arrived (Unix milliseconds).
    pub fetched_at_ms: i64,
    /// The body's bytes as served (after any content coding is undone).
    pub body: Vec<u8>,
    /// The body in the content coding it was served in, if it had one: it
    /// is kept in that form.
    pub encoded: Option<Encoded>,
}

/// A kept snapshot's record, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The watch.
    pub watch: String,
    /// The version it belongs to (for a takedown: the version taken down).
    pub version: i64,
    /// Why it was kept.
    pub kind: SnapshotKind,
    /// The watched URL.
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    /// HTTP status.
    pub status: u16,
    /// Status line and headers as received.
    pub response_head: String,
    /// Request line and headers sent.
    pub request_head: String,
    /// When it was fetched (Unix milliseconds).
    pub fetched_at_ms: i64,
    /// SHA-256 of the body (hex): the body's address.
    pub body_sha256: String,
    /// The body's size in bytes.
    pub size: i64,
    /// The digest taken when it was kept; `None` for a record kept before
    /// presswatch took one.
    pub record_digest: Option<RecordDigest>,
}

impl Snapshot {
    /// Whether the record still says what it said when it was kept.
    pub fn check_record(&self) -> RecordCheck {
        let Some(kept) = &self.record_digest else {
            return RecordCheck::Undigested;
        };
        let now = Record {
            watch: &self.watch,
            version: self.version,
            kind: self.kind,
            url: &self.url,
            final_url: &self.final_url,
            status: self.status,
            response_head: &self.response_head,
            request_head: &self.request_head,
            fetched_at_ms: self.fetched_at_ms,
            body_sha256: &self.body_sha256,
            body_size: self.size,
        }
        .digest();
        if now.sha256 == kept.sha256 {
            return RecordCheck::Sound;
        }
        let kept_fields: Vec<&str> = kept.fields.split(' ').collect();
        let differ = RECORD_FIELDS
            .iter()
            .zip(now.fields.split(' '))
            .enumerate()
            .filter(|(i, (_, field))| kept_fields.get(*i) != Some(field))
            .map(|(_, ((_, what), _))| *what)
            .collect();
        RecordCheck::Altered(differ)
    }
}

/// The fields a snapshot record asserts, in the order its digest covers
/// them: the name in the digest, and what `verify` calls it.
const RECORD_FIELDS: [(&str, &str); 11] = [
    ("watch", "the watch"),
    ("version", "the version"),
    ("kind", "the kind (version or taken_down)"),
    ("url", "the URL"),
    ("final_url", "the final URL"),
    ("status", "the status"),
    (
        "response_head",
        "the response's status line and header fields",
    ),
    ("request_head", "the request line and header fields"),
    ("fetched_at_ms", "the fetch time"),
    ("body_sha256", "the body it points to"),
    ("body_size", "the body size"),
];

/// The digest of what a snapshot record asserts, computed when it is kept
/// and stored beside it (`record_sha256`, `record_fields`).
///
/// Each field of `RECORD_FIELDS` is taken as bytes: text as stored
/// (UTF-8; the heads exactly as kept, CRLF-separated), numbers in decimal
/// ASCII (the fetch time in Unix milliseconds; the body size is the decoded
/// body's length, whatever coding it is stored in), the kind `version` or
/// `taken_down`. `sha256` is the SHA-256 of `presswatch-snapshot-record/1\n`
/// followed, for each field in order, by `NAME HEX\n` (HEX: the SHA-256 of
/// the field's bytes). It is a digest, not a signature: it finds a record
/// altered or damaged without its digest, not one whose digest was
/// recomputed by someone who can write the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDigest {
    /// The record's digest (hex): what `verify` checks.
    pub sha256: String,
    /// The first 16 hex digits of each field's SHA-256, in order, separated
    /// by spaces: only to name the fields that differ.
    pub fields: String,
}

/// What a snapshot record asserts, borrowed: what its digest covers.
struct Record<'a> {
    watch: &'a str,
    version: i64,
    kind: SnapshotKind,
    url: &'a str,
    final_url: &'a str,
    status: u16,
    response_head: &'a str,
    request_head: &'a str,
    fetched_at_ms: i64,
    body_sha256: &'a str,
    body_size: i64,
}

impl Record<'_> {
    /// The digest of this record, as [`RecordDigest`] defines it.
    fn digest(&self) -> RecordDigest {
        let (version, status) = (self.version.to_string(), self.status.to_string());
        let (fetched_at, size) = (self.fetched_at_ms.to_string(), self.body_size.to_string());
        let values: [&str; 11] = [
            self.watch,
            &version,
            self.kind.as_str(),
            self.url,
            self.final_url,
            &status,
            self.response_head,
            self.request_head,
            &fetched_at,
            self.body_sha256,
            &size,
        ];
        let hashes = values.map(|v| sha256_hex(v.as_bytes()));
        let mut text = String::with_capacity(30 + RECORD_FIELDS.len() * 80);
        text.push_str("presswatch-snapshot-record/1\n");
        for ((name, _), hash) in RECORD_FIELDS.iter().zip(&hashes) {
            text.push_str(name);
            text.push(' ');
            text.push_str(hash);
            text.push('\n');
        }
        RecordDigest {
            sha256: sha256_hex(text.as_bytes()),
            fields: hashes.map(|h| h[..16].to_string()).join(" "),
        }
    }
}

/// A kept body read back ([`crate::store::State::snapshot_body`]): its
/// bytes, or, when what is stored no longer decodes to the size recorded
/// (altered or damaged since it was kept), what is wrong with it, as
/// `verify` says it. A database that cannot be read is an error of its own:
/// evidence handed over leaves out a damaged body and goes on.
pub type KeptBytes = Result<Vec<u8>, String>;

/// A body whose bytes no longer match their address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The address (SHA-256) the body is stored under.
    pub sha256: String,
    /// What is wrong.
    pub problem: String,
}

/// A snapshot ready to store: its body hashed (its address) and compressed
/// (in the coding it was served in, or else with zstd).
/// Both backends pack a snapshot before they take the database, so a check
/// compressing a page never holds up another check's commit.
pub(super) struct Packed<'a> {
    /// The snapshot.
    pub(super) snapshot: &'a NewSnapshot,
    /// SHA-256 of its body (hex).
    pub(super) sha256: String,
    /// The coding `packed` is in (`zstd`, `gzip`, `br`, `deflate`).
    pub(super) codec: &'static str,
    /// Its body, compressed.
    pub(super) packed: Cow<'a, [u8]>,
}

impl<'a> Packed<'a> {
    /// Hashes and compresses `snapshot`'s body (`location`: the database,
    /// for the error).
    pub(super) fn new(location: &str, snapshot: &'a NewSnapshot) -> Result<Packed<'a>, StateError> {
        let (codec, packed) = match &snapshot.encoded {
            Some(served) => (served.coding.as_str(), Cow::Borrowed(&served.bytes[..])),
            None => {
                let packed = pack(&snapshot.body).map_err(|e| StateError::other(location, e))?;
                (Coding::Zstd.as_str(), Cow::Owned(packed))
            }
        };
        Ok(Packed {
            snapshot,
            sha256: sha256_hex(&snapshot.body),
            codec,
            packed,
        })
    }

    /// The digest of the record keeping this snapshot as `watch`'s `version`.
    pub(super) fn record_digest(
        &self,
        watch: &str,
        version: i64,
        kind: SnapshotKind,
    ) -> RecordDigest {
        let s = self.snapshot;
        Record {
            watch,
            version,
            kind,
            url: &s.url,
            final_url: &s.final_url,
            status: s.status,
            response_head: &s.response_head,
            request_head: &s.request_head,
            fetched_at_ms: s.fetched_at_ms,
            body_sha256: &self.sha256,
            body_size: s.body.len() as i64,
        }
        .digest()
    }
}

/// Stores a snapshot of `watch`'s `version` (idempotent: the same snapshot
/// stored again changes nothing).
pub(super) fn record_in(
    db: &Connection,
    watch: &str,
    version: i64,
    kind: SnapshotKind,
    p: &Packed<'_>,
) -> rusqlite::Result<()> {
    let (s, sha) = (p.snapshot, &p.sha256);
    db.prepare_cached(
        "INSERT OR IGNORE INTO raw_bodies (sha256, size, stored, codec, packed) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        sha,
        s.body.len() as i64,
        p.packed.len() as i64,
        p.codec,
        p.packed.as_ref()
    ])?;
    let digest = p.record_digest(watch, version, kind);
    db.prepare_cached(
        "INSERT OR IGNORE INTO raw_snapshots (watch, version, kind, url, final_url, status, response_head, request_head, fetched_at_ms, body_sha256, record_sha256, record_fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        watch,
        version,
        kind.as_str(),
        s.url,
        s.final_url,
        s.status,
        s.response_head,
        s.request_head,
        s.fetched_at_ms,
        sha,
        digest.sha256,
        digest.fields
    ])?;
    Ok(())
}

/// Deletes the snapshots of `watch` whose version is no longer kept, and the
/// bodies nothing refers to any more.
pub(super) fn prune_in(db: &Connection, watch: &str) -> rusqlite::Result<()> {
    let dropped: Vec<String> = db
        .prepare_cached(
            "DELETE FROM raw_snapshots WHERE watch = ?1 AND version NOT IN (SELECT seq FROM versions WHERE watch = ?1) RETURNING body_sha256",
        )?
        .query_map([watch], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    drop_unreferenced(db, &dropped).map(|_| ())
}

/// What `keep_raw` deleted while one check's versions were stored: logged
/// once, after they are committed.
#[derive(Debug, Default)]
pub(super) struct RawPruned {
    /// The cap that deleted them.
    cap: Option<KeepRaw>,
    /// Snapshots (raw responses) deleted.
    responses: usize,
    /// Compressed bytes of the bodies deleted with them (a body another
    /// snapshot still refers to stays).
    bytes: i64,
    /// The watches whose responses they were.
    watches: BTreeSet<String>,
}

impl RawPruned {
    /// Counts a deleted snapshot of `watch` and the bytes its body freed.
    pub(super) fn add(&mut self, cap: KeepRaw, watch: String, bytes: i64) {
        self.cap = Some(cap);
        self.responses += 1;
        self.bytes += bytes;
        self.watches.insert(watch);
    }

    /// Logs what was deleted, at info, if anything (`check_of`: the watch
    /// whose check stored the version that ran the cap).
    pub(super) fn log(&self, check_of: &str) {
        let Some(cap) = self.cap else { return };
        const NAMED: usize = 5;
        let mut watches: Vec<&str> = self
            .watches
            .iter()
            .map(String::as_str)
            .take(NAMED)
            .collect();
        let more = format!("{} more", self.watches.len().saturating_sub(NAMED));
        if self.watches.len() > NAMED {
            watches.push(&more);
        }
        let why = match cap {
            KeepRaw::Bytes(n) => {
                format!("to stay within the size cap of {}", crate::text::bytes(n))
            }
            KeepRaw::Age(age) => format!(
                "fetched more than {} ago (the age cap)",
                crate::scheduler::human(age)
            ),
        };
        tracing::info!(
            check_of,
            responses = self.responses,
            bytes = self.bytes,
            watches = self.watches.len(),
            "keep_raw pruned {} ({} compressed) of {} ({}), {why}; each watch's newest version keeps its response",
            crate::text::plural(self.responses, "raw response", "raw responses"),
            crate::text::bytes(self.bytes.max(0) as u64),
            crate::text::plural(self.watches.len(), "watch", "watches"),
            watches.join(", "),
        );
    }
}

/// Applies `keep_raw`: deletes the oldest snapshots until the cap holds,
/// except those of each watch's newest version (the evidence of what a
/// story says now, or said when it was taken down), counting them in
/// `pruned`.
pub(super) fn cap_in(
    db: &Connection,
    cap: KeepRaw,
    now_ms: i64,
    pruned: &mut RawPruned,
) -> rusqlite::Result<()> {
    const NOT_NEWEST: &str =
        "version < (SELECT MAX(seq) FROM versions v WHERE v.watch = raw_snapshots.watch)";
    match cap {
        KeepRaw::Age(age) => {
            let before = now_ms.saturating_sub(age.as_millis() as i64);
            let dropped: Vec<(String, String)> = db
                .prepare_cached(&format!(
                    "DELETE FROM raw_snapshots WHERE fetched_at_ms < ?1 AND {NOT_NEWEST} RETURNING watch, body_sha256"
                ))?
                .query_map([before], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (watch, sha) in dropped {
                let freed = drop_unreferenced(db, &[sha])?;
                pruned.add(cap, watch, freed);
            }
        }
        KeepRaw::Bytes(limit) => {
            let mut oldest = db.prepare_cached(&format!(
                "SELECT watch, version, kind, body_sha256 FROM raw_snapshots WHERE {NOT_NEWEST} ORDER BY fetched_at_ms LIMIT 32"
            ))?;
            while usage_in(db)? > limit as i64 {
                let batch: Vec<(String, i64, String, String)> = oldest
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                if batch.is_empty() {
                    break;
                }
                for (watch, version, kind, sha) in batch {
                    db.prepare_cached(
                        "DELETE FROM raw_snapshots WHERE watch = ?1 AND version = ?2 AND kind = ?3",
                    )?
                    .execute(params![watch, version, kind])?;
                    let freed = drop_unreferenced(db, &[sha])?;
                    pruned.add(cap, watch, freed);
                    if usage_in(db)? <= limit as i64 {
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Compressed bytes of all kept bodies.
pub(super) fn usage_in(db: &Connection) -> rusqlite::Result<i64> {
    db.prepare_cached("SELECT bytes FROM raw_usage WHERE id = 0")?
        .query_row([], |r| r.get(0))
}

/// Deletes the bodies of `shas` that no snapshot refers to any more;
/// returns the compressed bytes freed.
fn drop_unreferenced(db: &Connection, shas: &[String]) -> rusqlite::Result<i64> {
    let mut st = db.prepare_cached(
        "DELETE FROM raw_bodies WHERE sha256 = ?1 AND NOT EXISTS (SELECT 1 FROM raw_snapshots WHERE body_sha256 = ?1) RETURNING stored",
    )?;
    let mut freed = 0;
    for sha in shas {
        freed += st
            .query_row([sha], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0);
    }
    Ok(freed)
}

/// Kept snapshots, of one watch or all, oldest first.
pub(super) fn list_in(db: &Connection, watch: Option<&str>) -> rusqlite::Result<Vec<Snapshot>> {
    let mut st = db.prepare_cached(
        "SELECT s.watch, s.version, s.kind, s.url, s.final_url, s.status, s.response_head, s.request_head, s.fetched_at_ms, s.body_sha256, b.size, s.record_sha256, s.record_fields
         FROM raw_snapshots s JOIN raw_bodies b ON b.sha256 = s.body_sha256
         WHERE ?1 IS NULL OR s.watch = ?1 ORDER BY s.fetched_at_ms, s.watch, s.version",
    )?;
    let rows = st.query_map([watch], |r| {
        Ok(Snapshot {
            watch: r.get(0)?,
            version: r.get(1)?,
            kind: SnapshotKind::parse(&r.get::<_, String>(2)?),
            url: r.get(3)?,
            final_url: r.get(4)?,
            status: r.get(5)?,
            response_head: r.get(6)?,
            request_head: r.get(7)?,
            fetched_at_ms: r.get(8)?,
            body_sha256: r.get(9)?,
            size: r.get(10)?,
            record_digest: record_digest(r.get(11)?, r.get(12)?),
        })
    })?;
    rows.collect()
}

/// A stored record digest from its two columns (both backends); `None`
/// for a record kept before records had one.
pub(super) fn record_digest(
    sha256: Option<String>,
    fields: Option<String>,
) -> Option<RecordDigest> {
    Some(RecordDigest {
        sha256: sha256?,
        fields: fields.unwrap_or_default(),
    })
}

/// The body stored under `sha256`, decompressed; `None` when there is none.
/// Fails when the stored bytes do not decompress to the recorded size.
pub(super) fn body_in(db: &Connection, sha256: &str) -> rusqlite::Result<Option<KeptBytes>> {
    // Read as bytes whatever type the row holds now: bytes written over
    // as text are a damaged body, not a database that cannot be read.
    let row: Option<(i64, String, Vec<u8>)> = db
        .prepare_cached(
            "SELECT size, codec, CAST(packed AS BLOB) FROM raw_bodies WHERE sha256 = ?1",
        )?
        .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.map(|(size, codec, packed)| unpack(&packed, &codec, size)))
}

/// Compresses a body for storage, with this thread's compressor: a fresh
/// one would allocate and clear its tables again for every page.
fn pack(body: &[u8]) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { RefCell::new(None) };
    }
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let mut compressor = match slot.take() {
            Some(compressor) => compressor,
            None => zstd::bulk::Compressor::new(ZSTD_LEVEL)?,
        };
        let packed = compressor.compress(body);
        *slot = Some(compressor);
        packed
    })
}

/// Decompresses a body stored in `codec` and checks its recorded size.
pub(super) fn unpack(packed: &[u8], codec: &str, size: i64) -> Result<Vec<u8>, String> {
    let coding =
        Coding::parse(codec).ok_or_else(|| format!("is stored in an unknown coding {codec:?}"))?;
    let body = content_coding::decode(coding, packed, size.max(0) as u64).map_err(|e| match e {
        DecodeError::TooLarge { .. } => {
            format!("decompresses to more than the {size} bytes recorded")
        }
        e => format!("does not decompress: {e}"),
    })?;
    if body.len() as i64 != size {
        return Err(format!(
            "decompresses to {} bytes, {size} recorded",
            body.len()
        ));
    }
    Ok(body)
}

/// Re-hashes every kept body against its address; returns how many were
/// checked and what did not match. `progress` hears how many bodies are
/// checked, and of how many.
pub(super) fn verify_in(
    db: &Connection,
    progress: &mut dyn FnMut(usize, usize),
) -> rusqlite::Result<(usize, Vec<Mismatch>)> {
    let total: i64 = db.query_row("SELECT count(*) FROM raw_bodies", [], |r| r.get(0))?;
    let mut st = db.prepare(
        "SELECT sha256, size, codec, CAST(packed AS BLOB) FROM raw_bodies ORDER BY sha256",
    )?;
    let mut rows = st.query([])?;
    let (mut checked, mut bad) = (0, Vec::new());
    while let Some(r) = rows.next()? {
        progress(checked, total as usize);
        checked += 1;
        bad.extend(body_mismatch(
            r.get(0)?,
            r.get(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, Vec<u8>>(3)?,
        ));
    }
    let orphans: Vec<String> = db
        .prepare(ORPHANS)?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    bad.extend(orphans.into_iter().map(orphan));
    Ok((checked, bad))
}

/// What is wrong with a stored body (`sha256` its address, `size` its
/// decoded size, `packed` its bytes in `codec`), if anything.
pub(super) fn body_mismatch(
    sha256: String,
    size: i64,
    codec: &str,
    packed: &[u8],
) -> Option<Mismatch> {
    let problem = match unpack(packed, codec, size) {
        Err(e) => e,
        Ok(body) => {
            let got = sha256_hex(&body);
            if got == sha256 {
                return None;
            }
            format!("its bytes hash to {got}")
        }
    };
    Some(Mismatch { sha256, problem })
}

/// The snapshots whose body is not stored, one line each (both backends).
pub(super) const ORPHANS: &str = "SELECT s.watch || ' version ' || s.version || ' (' || s.body_sha256 || ')' FROM raw_snapshots s LEFT JOIN raw_bodies b ON b.sha256 = s.body_sha256 WHERE b.sha256 IS NULL";

/// The mismatch of a snapshot whose body is not stored (`what`: a line of [`ORPHANS`]).
pub(super) fn orphan(what: String) -> Mismatch {
    Mismatch {
        sha256: what,
        problem: "snapshot refers to a body that is not stored".into(),
    }
}

impl super::Sqlite {
    /// Kept snapshots, of one watch or all, oldest first.
    pub fn snapshots(
        &self,
        watch: Option<&str>,
    ) -> Result<Vec<Snapshot>, super::state::StateError> {
        list_in(&self.reader(), watch).map_err(|e| self.err(e))
    }

    /// A kept body, decompressed, by its SHA-256; `None` when not kept.
    pub fn snapshot_body(
        &self,
        sha256: &str,
    ) -> Result<Option<KeptBytes>, super::state::StateError> {
        body_in(&self.reader(), sha256).map_err(|e| self.err(e))
    }

    /// Compressed bytes of all kept bodies.
    pub fn raw_usage(&self) -> Result<i64, super::state::StateError> {
        usage_in(&self.reader()).map_err(|e| self.err(e))
    }

    /// Re-hashes every kept body; returns how many were checked and the mismatches.
    pub fn verify_snapshots(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(usize, Vec<Mismatch>), super::state::StateError> {
        verify_in(&self.reader(), progress).map_err(|e| self.err(e))
    }

    /// The watches that have kept versions, by name (including watches no
    /// longer in the config).
    pub fn watches_with_versions(&self) -> Result<Vec<String>, super::state::StateError> {
        let db = self.reader();
        let mut st = db
            .prepare("SELECT DISTINCT watch FROM versions ORDER BY watch")
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Durability, NewVersion, Sqlite, WatchState};

    fn snap(body: &str, at_ms: i64) -> NewSnapshot {
        NewSnapshot {
            url: "https://n.example/a".into(),
            final_url: "https://n.example/a".into(),
            status: 200,
            response_head: "HTTP/1.1 200 OK\r\nContent-Type: text/html".into(),
            request_head: "GET /a HTTP/1.1\r\nHost: n.example".into(),
            fetched_at_ms: at_ms,
            body: body.as_bytes().to_vec(),
            encoded: None,
        }
    }

    /// Accepts a version of `watch` whose page was `body`, fetched at `at` (seconds).
    fn accept(
        st: &Sqlite,
        watch: &str,
        hash: &str,
        body: &str,
        at: i64,
        keep: usize,
        cap: Option<KeepRaw>,
    ) {
        let v = NewVersion {
            sha256: hash.into(),
            body: format!("Title: {hash}\n\n{hash}\n"),
            fetched_at: at,
            keep,
            raw: Some(snap(body, at * 1000)),
            raw_cap: cap,
            origin: super::super::Origin::Fetched,
            reading: None,
            page_facts: None,
            alerted: None,
        };
        let check = crate::store::Checked {
            versions: vec![v],
            ..Default::default()
        };
        st.save_check(watch, &WatchState::default(), &check, Durability::Durable)
            .unwrap();
    }

    #[test]
    fn a_body_kept_before_codecs_were_recorded_reads_back_as_zstd() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join("presswatch.db")).unwrap();
        let body = "<p>Kept by an older presswatch, which compressed every body with zstd.</p>";
        let packed = zstd::bulk::compress(body.as_bytes(), 1).unwrap();
        old.execute_batch(
            "CREATE TABLE raw_bodies (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, stored INTEGER NOT NULL, zstd BLOB NOT NULL);",
        )
        .unwrap();
        old.execute(
            "INSERT INTO raw_bodies VALUES (?1, ?2, ?3, ?4)",
            params![
                sha256_hex(body.as_bytes()),
                body.len() as i64,
                packed.len() as i64,
                packed
            ],
        )
        .unwrap();
        drop(old);
        let st = Sqlite::open(dir.path()).unwrap();
        let kept = st.snapshot_body(&sha256_hex(body.as_bytes())).unwrap();
        assert_eq!(kept.map(Result::unwrap).as_deref(), Some(body.as_bytes()));
        assert_eq!(st.verify_snapshots(&mut |_, _| {}).unwrap(), (1, vec![]));
    }

    #[test]
    fn a_record_names_what_was_altered_since_it_was_kept() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        accept(&st, "w", "h1", "<p>one</p>", 1, 2, None);
        let kept = st.snapshots(Some("w")).unwrap().remove(0);
        assert_eq!(kept.check_record(), RecordCheck::Sound);
        let altered = |change: &dyn Fn(&mut Snapshot)| {
            let mut s = kept.clone();
            change(&mut s);
            s.check_record()
        };
        assert_eq!(
            altered(&|s| s.response_head = s.response_head.replace("text/html", "text/plain")),
            RecordCheck::Altered(vec!["the response's status line and header fields"])
        );
        assert_eq!(
            altered(&|s| {
                s.fetched_at_ms -= 1;
                s.status = 203;
            }),
            RecordCheck::Altered(vec!["the status", "the fetch time"])
        );
        assert_eq!(
            altered(&|s| {
                s.body_sha256 = sha256_hex(b"<p>two</p>");
                s.size = 10;
            }),
            RecordCheck::Altered(vec!["the body it points to"]),
            "a body of the same size"
        );
        assert_eq!(
            altered(&|s| s.record_digest.as_mut().unwrap().sha256 = sha256_hex(b"forged")),
            RecordCheck::Altered(vec![]),
            "the digest itself"
        );
        assert_eq!(
            altered(&|s| s.record_digest = None),
            RecordCheck::Undigested
        );
    }

    #[test]
    fn bodies_are_stored_once_and_go_with_their_versions() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        accept(&st, "w", "h1", "<p>one</p>", 1, 2, None);
        accept(&st, "w", "h2", "<p>two</p>", 2, 2, None);
        accept(&st, "other", "h1", "<p>one</p>", 3, 2, None);
        let bodies: i64 = st
            .db()
            .query_row("SELECT COUNT(*) FROM raw_bodies", [], |r| r.get(0))
            .unwrap();
        assert_eq!(bodies, 2, "the same bytes are kept once");
        let one = sha256_hex(b"<p>one</p>");
        assert_eq!(
            st.snapshot_body(&one).unwrap().unwrap().unwrap(),
            b"<p>one</p>"
        );
        // A third version prunes the first (keep_versions = 2); its body
        // stays while the other watch still refers to it.
        accept(&st, "w", "h3", "<p>three</p>", 4, 2, None);
        let versions: Vec<i64> = st
            .snapshots(Some("w"))
            .unwrap()
            .iter()
            .map(|s| s.version)
            .collect();
        assert_eq!(versions, vec![2, 3]);
        assert!(st.snapshot_body(&one).unwrap().is_some());
        accept(&st, "other", "h4", "<p>four</p>", 5, 1, None);
        assert!(
            st.snapshot_body(&one).unwrap().is_none(),
            "nothing refers to it any more"
        );
        assert_eq!(st.verify_snapshots(&mut |_, _| {}).unwrap(), (3, vec![]));
    }

    #[test]
    fn keep_raw_drops_the_oldest_but_never_a_watchs_newest_version() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        let page = |i: usize| format!("<p>{}</p>", format!("page {i} ").repeat(200 + i));
        for i in 1..=4 {
            accept(&st, "w", &format!("h{i}"), &page(i), i as i64, 100, None);
        }
        let one_page = st.raw_usage().unwrap() / 4;
        // A size cap of about two pages keeps the two newest.
        accept(
            &st,
            "w",
            "h5",
            &page(5),
            5,
            100,
            Some(KeepRaw::Bytes(one_page as u64 * 5 / 2)),
        );
        let kept: Vec<i64> = st
            .snapshots(Some("w"))
            .unwrap()
            .iter()
            .map(|s| s.version)
            .collect();
        assert_eq!(kept, vec![4, 5]);
        assert!(st.raw_usage().unwrap() <= one_page * 5 / 2 + 64);
        // An age cap: everything older than a day, except the newest version.
        accept(
            &st,
            "w",
            "h6",
            &page(6),
            200_000,
            100,
            Some(KeepRaw::Age(std::time::Duration::from_secs(86_400))),
        );
        let kept: Vec<i64> = st
            .snapshots(Some("w"))
            .unwrap()
            .iter()
            .map(|s| s.version)
            .collect();
        assert_eq!(kept, vec![6]);
        accept(
            &st,
            "w",
            "h7",
            &page(7),
            900_000,
            100,
            Some(KeepRaw::Bytes(1)),
        );
        let kept: Vec<i64> = st
            .snapshots(Some("w"))
            .unwrap()
            .iter()
            .map(|s| s.version)
            .collect();
        assert_eq!(
            kept,
            vec![7],
            "a tiny cap still keeps the newest version's response"
        );
        assert_eq!(
            st.versions("w").unwrap().len(),
            7,
            "keep_raw prunes responses, not versions"
        );
    }
}
