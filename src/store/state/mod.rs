//! The state database (SQLite, WAL): per-watch schedule and validators,
//! failure counts, seen listing items, version history (content-addressed),
//! and the alert outbox.
//!
//! This module holds the backend ([`Sqlite`]): opening the database (for a
//! dry run, refusing every change), its two connections, whether a commit
//! waits for the disk ([`Durability`]) and its errors ([`StateError`]); its
//! parts:
//!
//! - `schema`: the tables, and the upgrades of a database an older
//!   presswatch wrote, each made once under a write lock;
//! - `watch`: a watch's state ([`WatchState`]): schedule, validators,
//!   failures, where its URL moved for good;
//! - `versions`: a watch's versions, content-addressed and pruned beyond
//!   `keep`, and what one check leaves behind ([`Checked`]: its versions,
//!   events, items, alerts and state), stored in one transaction
//!   ([`Sqlite::save_check`]);
//! - `events`: takedowns, restores and moves ([`WatchEvent`]);
//! - `items`: a listing's seen items and the titles they carried, and the
//!   new items of a `follow` watch whose article could not be read yet
//!   ([`FollowTry`]);
//! - `outbox`: alerts and their delivery to each channel ([`OutboxEntry`]),
//!   disabled channels, digests, mail threads.
//!
//! Its parts import one another one way only: `versions` → `watch`,
//! `events`, `items`, `outbox`; `schema` → `watch`.

mod events;
mod items;
mod outbox;
mod schema;
mod versions;
mod watch;

pub use events::{EventKind, NewEvent, WatchEvent};
pub use items::FollowTry;
pub use outbox::{
    ChannelQueue, DisabledChannel, NewAlert, OutboxEntry, OutboxStatus, Sender, Thread,
};
pub(in crate::store) use versions::history_moved;
pub(in crate::store) use versions::version_columns;
pub use versions::{Checked, NewVersion, Origin, SeenItems, VersionRow};
pub use watch::WatchState;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags};

use schema::{bring_schema_up_to_date, seed};

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
    /// Whether the database is read where it is kept, in a directory no
    /// user may write ([`Sqlite::kept_read_only`]).
    read_only: bool,
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

/// Whether no user may write in the state directory `dir` or its database
/// `db`, root included (a read-only mount, an immutable attribute), as
/// `preflight::state_database` finds it, not only this user's permissions.
fn no_one_may_write(dir: &Path, db: &Path) -> bool {
    [dir, db]
        .iter()
        .any(|path| crate::file_kind::write_forbidden_to_all(path).is_some())
}

/// `PATH` with `suffix` added to its file name: SQLite's `-wal` and `-shm`
/// files beside the database.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The `file:` URI of `path` with the parameters `query`: every byte but
/// letters, digits and `/._-~` escaped as `%HH`, so that a `?`, `#` or `%`
/// in a directory's name is read as part of it.
fn file_uri(path: &Path, query: &str) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{uri}?{query}")
}

/// Opens the database `path` of the state directory `dir`, which no user
/// may write, for reading only, writing no file there, not even SQLite's
/// `-wal` and `-shm` beside it. Closed cleanly, it has no `-wal` (the last
/// connection to close moves the log into the database and deletes it):
/// it is opened `immutable`, without locks, which is sound because nothing
/// can change it. With a `-wal` and its `-shm` (a copy taken while
/// presswatch was writing, or the directory made read-only while it ran),
/// it is opened read-only with the log, the `-shm` read but never written
/// (`readonly_shm`). A `-wal` without its `-shm` cannot be read here in
/// full: that is refused, saying to open a writable copy, which replays
/// the log. A schema older than this presswatch's is refused too: it
/// cannot be upgraded there.
fn open_kept_read_only(dir: &Path, path: &Path) -> std::result::Result<Connection, String> {
    let wal = beside(path, "-wal");
    let logged = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    let copy = crate::text::shell_word(&dir.display().to_string());
    let query = match (logged, beside(path, "-shm").exists()) {
        (false, _) => "immutable=1",
        (true, true) => "readonly_shm=1",
        (true, false) => {
            return Err(format!(
                "cannot read the state database {} in full: its write-ahead log {} holds changes not \
                 yet moved into it, and the index of that log ({}-shm) is missing, which SQLite needs \
                 to read the log and cannot make in a directory no user may write (a copy taken while \
                 presswatch was writing?). Copy the state directory somewhere writable (`cp -a {copy} \
                 /tmp/presswatch-state`) and give the command a config whose state_dir is the copy: \
                 opening it there replays the log",
                path.display(),
                wal.display(),
                path.display()
            ))
        }
    };
    let conn = connect(
        Path::new(&file_uri(path, query)),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open state database {}: {e}", path.display()))?;
    // On a current schema these create and change nothing; on an older one
    // they would write, which the read-only connection refuses.
    bring_schema_up_to_date(&conn).map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ReadOnly) => format!(
            "state database {} was written by an older presswatch and its schema must be upgraded \
             before this one can read it, which cannot be done where it is: no user may write {}. \
             Copy the state directory somewhere writable (`cp -a {copy} /tmp/presswatch-state`) and \
             run `presswatch status` with a config whose state_dir is the copy: it upgrades the \
             copy, and this directory stays as it is",
            path.display(),
            dir.display()
        ),
        _ => format!("cannot read state database {}: {e}", path.display()),
    })?;
    Ok(conn)
}

impl Sqlite {
    /// Opens (creating if needed) `DIR/presswatch.db`.
    pub fn open(dir: &Path) -> std::result::Result<Sqlite, String> {
        super::create_private_dir(dir, crate::atomic_file::Owner::State)
            .map_err(|e| format!("cannot create state directory {}: {e}", dir.display()))?;
        let path = dir.join("presswatch.db");
        let existed = path.exists();
        let conn = connect(&path, OpenFlags::default())
            .map_err(|e| format!("cannot open state database {}: {e}", path.display()))?;
        // Created as root: the state directory's owner's, as SQLite then
        // makes its -wal and -shm files.
        if !existed {
            std::fs::File::open(&path)
                .and_then(|f| crate::atomic_file::Owner::State.give(&f, dir))
                .map_err(|e| {
                    format!(
                        "cannot give {} to {}'s owner: {e}",
                        path.display(),
                        dir.display()
                    )
                })?;
        }
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
            read_only: false,
        })
    }

    /// Opens the database for a dry run, which must change nothing on disk:
    /// an existing database is opened refusing every change (a database an older
    /// presswatch wrote, whose schema would need upgrading, is an error
    /// saying how to upgrade it); when there is none yet, an empty
    /// in-memory one stands in. In a directory no user may write, root
    /// included (a read-only mount, an immutable directory or file: a
    /// backup, evidence handed over), the database is read where it is,
    /// making no file beside it ([`Sqlite::kept_read_only`]).
    pub fn open_preview(dir: &Path) -> std::result::Result<Sqlite, String> {
        let path = dir.join("presswatch.db");
        let read_only = path.exists() && no_one_may_write(dir, &path);
        let conn = if read_only {
            open_kept_read_only(dir, &path)?
        } else if path.exists() {
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
            read_only,
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database is read where it is kept, in a directory no
    /// user may write (see [`Sqlite::open_preview`]): nothing can change
    /// it, and no process can hold the state directory's locks.
    pub fn kept_read_only(&self) -> bool {
        self.read_only
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

    /// This installation's id: random, made when the state database was
    /// created, so two installations never give a message the same id.
    pub fn installation_id(&self) -> Result<String> {
        self.reader()
            .query_row("SELECT id FROM installation", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

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
        let seeing =
            |at| crate::store::checked::seeing(std::slice::from_ref(&item), &HashSet::new(), at);
        let stored = |st: &Sqlite, at| {
            st.save_check(
                "w",
                &WatchState::default(),
                &seeing(at),
                Durability::Durable,
            )
        };
        stored(&Sqlite::open(dir.path()).unwrap(), 1).unwrap();
        let file = dir.path().join("presswatch.db");
        let before = std::fs::read(&file).unwrap();
        let st = Sqlite::open_preview(dir.path()).unwrap();
        assert_eq!(st.seen_titles("w", &["a", "b"]).unwrap().len(), 1);
        assert!(
            stored(&st, 2).is_err(),
            "a dry run's connection cannot write"
        );
        drop(st);
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }

    /// The files in `dir` and their bytes.
    fn files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect()
    }

    /// A database a writer has open in WAL mode, with a change still in its
    /// log, copied into another directory as a copy taken while presswatch
    /// wrote would be: the database and its `-wal`, and its `-shm` when
    /// `with_index`. Returns the copy's directory and database file.
    fn copied_while_writing(with_index: bool) -> (tempfile::TempDir, PathBuf) {
        let from = tempfile::tempdir().unwrap();
        let st = Sqlite::open(from.path()).unwrap();
        st.db()
            .execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .unwrap();
        let failing = WatchState {
            failures: 3,
            ..WatchState::default()
        };
        st.save_watch("w", &failing, Durability::Durable).unwrap();
        let to = tempfile::tempdir().unwrap();
        let db = to.path().join("presswatch.db");
        let mut suffixes = vec!["", "-wal"];
        if with_index {
            suffixes.push("-shm");
        }
        for suffix in suffixes {
            let name = format!("presswatch.db{suffix}");
            std::fs::copy(from.path().join(&name), to.path().join(&name)).unwrap();
        }
        assert!(std::fs::metadata(beside(&db, "-wal")).unwrap().len() > 0);
        drop(st);
        (to, db)
    }

    /// A database kept read-only with its write-ahead log and the log's
    /// index is read with the changes the log holds, and no file is
    /// written; without the index it cannot be read in full, and is refused
    /// saying why and to copy it somewhere writable, which replays the log.
    #[test]
    fn a_database_kept_read_only_is_read_with_its_log_and_refused_without_the_logs_index() {
        let (dir, db) = copied_while_writing(true);
        let before = files(dir.path());
        let conn = open_kept_read_only(dir.path(), &db).unwrap();
        let failures: i64 = conn
            .query_row(
                "SELECT failures FROM watch_state WHERE watch = 'w'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(failures, 3, "the change in the log is read");
        assert!(conn.execute_batch("DELETE FROM watch_state").is_err());
        drop(conn);
        assert_eq!(files(dir.path()), before, "no file was written or made");

        let (dir, db) = copied_while_writing(false);
        let err = open_kept_read_only(dir.path(), &db).err().unwrap();
        let shown = crate::text::shell_word(&dir.path().display().to_string());
        assert_eq!(
            err,
            format!(
                "cannot read the state database {db} in full: its write-ahead log {db}-wal holds \
                 changes not yet moved into it, and the index of that log ({db}-shm) is missing, \
                 which SQLite needs to read the log and cannot make in a directory no user may \
                 write (a copy taken while presswatch was writing?). Copy the state directory \
                 somewhere writable (`cp -a {shown} /tmp/presswatch-state`) and give the command \
                 a config whose state_dir is the copy: opening it there replays the log",
                db = db.display()
            )
        );
        // As the advice says: opened writable, the log is replayed.
        let st = Sqlite::open(dir.path()).unwrap();
        assert_eq!(st.watch("w").unwrap().failures, 3);
    }

    /// A database closed cleanly (no `-wal`) is read `immutable`, making
    /// no `-wal` or `-shm`; one an older presswatch wrote is not upgraded
    /// there, and the error says to upgrade a writable copy.
    #[test]
    fn a_database_kept_read_only_is_read_as_it_is_and_never_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let st = Sqlite::open(dir.path()).unwrap();
        st.save_watch("w", &WatchState::default(), Durability::Durable)
            .unwrap();
        drop(st);
        let db = dir.path().join("presswatch.db");
        let before = files(dir.path());
        assert_eq!(before.len(), 1, "closed cleanly: {:?}", before.keys());
        let conn = open_kept_read_only(dir.path(), &db).unwrap();
        let watches: i64 = conn
            .query_row("SELECT COUNT(*) FROM watch_state", [], |r| r.get(0))
            .unwrap();
        assert_eq!(watches, 1);
        drop(conn);
        assert_eq!(files(dir.path()), before);

        let old = tempfile::tempdir().unwrap();
        let db = old.path().join("presswatch.db");
        Connection::open(&db)
            .unwrap()
            .execute_batch(
                "CREATE TABLE raw_bodies (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, stored INTEGER NOT NULL, zstd BLOB NOT NULL);",
            )
            .unwrap();
        let before = std::fs::read(&db).unwrap();
        let err = open_kept_read_only(old.path(), &db).err().unwrap();
        assert!(
            err.contains("was written by an older presswatch")
                && err.contains("cannot be done where it is: no user may write")
                && err
                    .contains("run `presswatch status` with a config whose state_dir is the copy"),
            "{err}"
        );
        assert_eq!(std::fs::read(&db).unwrap(), before);
    }

    #[test]
    fn a_file_uri_escapes_what_sqlite_would_read_as_its_query() {
        assert_eq!(
            file_uri(Path::new("/srv/a b/100%?#/presswatch.db"), "immutable=1"),
            "file:/srv/a%20b/100%25%3F%23/presswatch.db?immutable=1"
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
}
