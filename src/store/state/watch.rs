//! A watch's state ([`WatchState`]): its schedule, validators, failures,
//! whether it is taken down and where its URL moved for good; read and
//! stored one row a watch.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Durability, Result, Sqlite};
use crate::http_header::Validators;

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

impl Sqlite {
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

    /// The kind and URL a watch had at its last check that worked (`None`
    /// before one, and for a watch last checked by a presswatch that did
    /// not record them).
    pub fn checked_as(&self, watch: &str) -> Result<Option<(String, String)>> {
        self.reader()
            .prepare_cached("SELECT kind, url FROM watch_kinds WHERE watch = ?1")
            .and_then(|mut st| st.query_row([watch], |r| Ok((r.get(0)?, r.get(1)?))))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Sets when a watch is next due (see [`crate::store::State::set_next_due`]).
    pub fn set_next_due(&self, watch: &str, due: i64) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO watch_state (watch, next_due) VALUES (?1, ?2)
                 ON CONFLICT (watch) DO UPDATE SET next_due = ?2",
                params![watch, due],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

/// Upserts a watch's state row.
pub(super) fn save_watch_in(db: &Connection, watch: &str, s: &WatchState) -> rusqlite::Result<()> {
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

/// Records the kind and URL a check of the watch worked under, in the
/// check's transaction.
pub(super) fn set_checked_as_in(
    db: &Connection,
    watch: &str,
    kind: &str,
    url: &str,
) -> rusqlite::Result<()> {
    db.prepare_cached(
        "INSERT INTO watch_kinds (watch, kind, url) VALUES (?1, ?2, ?3)
         ON CONFLICT (watch) DO UPDATE SET kind = ?2, url = ?3",
    )?
    .execute(params![watch, kind, url])
    .map(|_| ())
}
