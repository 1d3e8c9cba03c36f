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
