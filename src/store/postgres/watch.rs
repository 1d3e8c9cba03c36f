//! A watch's state in PostgreSQL ([`WatchState`]): the same rows as the
//! SQLite backend's (its schedule, validators, failures, whether it is taken
//! down and where its URL moved for good), and what this replica holds of
//! the watches it has leases on (`Held`), which it reads and stores
//! without asking the database.

use tokio_postgres::Row;

use super::{lock, Conn, Held, PgResult, Postgres, Result};
use crate::http_header::Validators;
use crate::store::{Durability, WatchState};

impl Postgres {
    /// Holds `watch` (just leased, with its `state` as read with the lease).
    pub(super) fn hold(&self, watch: &str, state: WatchState) {
        let held = Held {
            state,
            unsaved: false,
        };
        lock(&self.inner.held).insert(watch.to_string(), held);
    }

    /// What this replica holds of each of `watches` (nothing unsaved for
    /// one it does not hold).
    pub(super) fn holding(&self, watches: &[String]) -> Vec<Held> {
        let held = lock(&self.inner.held);
        watches
            .iter()
            .map(|w| match held.get(w) {
                Some(h) => Held {
                    state: h.state.clone(),
                    unsaved: h.unsaved,
                },
                None => Held {
                    state: WatchState::default(),
                    unsaved: false,
                },
            })
            .collect()
    }

    /// Stops holding `watches`, in this process only: their leases were
    /// handed back, or expire in the database (one that is away).
    pub fn release(&self, watches: &[String]) {
        let mut held = lock(&self.inner.held);
        for w in watches {
            held.remove(w);
        }
    }

    /// Forgets, in what this replica holds, the failures of `watches` (the
    /// database's were just reset), so a hand-back does not restore them.
    pub(super) fn forget_failures<'a>(&self, watches: impl Iterator<Item = &'a String>) {
        let mut held = lock(&self.inner.held);
        for w in watches {
            if let Some(h) = held.get_mut(w) {
                h.state.failures = 0;
            }
        }
    }

    /// Stops holding every watch (a clean shutdown).
    pub(super) fn release_all(&self) {
        lock(&self.inner.held).clear();
    }

    /// The state of a watch (default when never checked). The same round
    /// trip learns whether the watch has a baseline, which a check asks
    /// next; a watch this replica holds a lease on is known without one.
    pub fn watch(&self, watch: &str) -> Result<WatchState> {
        if let Some(h) = lock(&self.inner.held).get(watch) {
            return Ok(h.state.clone());
        }
        let (state, has_baseline) = self.run(async |c| {
            let r = c
                .query_one(
                    "SELECT s.etag, s.last_modified, s.last_check, s.last_result, s.last_error, s.last_change, s.next_due, s.failures, s.error_alerted, s.gone, s.last_ok, s.moved_to,
                        EXISTS(SELECT 1 FROM baselines WHERE watch = $1)
                     FROM (SELECT 1) AS one LEFT JOIN watch_state s ON s.watch = $1",
                    &[&watch],
                )
                .await?;
            // `failures` is never NULL in a row: NULL means no row yet.
            let state = match r.get::<_, Option<i64>>(7) {
                Some(_) => watch_state(&r),
                None => WatchState::default(),
            };
            Ok((state, r.get(12)))
        })?;
        if has_baseline {
            self.known_baseline(watch);
        }
        Ok(state)
    }

    /// Stores the state of a watch. A lazy save of a watch this replica
    /// holds a lease on is written when the lease is handed back (see `Held`).
    pub fn save_watch(&self, watch: &str, s: &WatchState, durability: Durability) -> Result<()> {
        if durability == Durability::Lazy {
            if let Some(h) = lock(&self.inner.held).get_mut(watch) {
                h.state = s.clone();
                h.unsaved = true;
                return Ok(());
            }
        }
        self.save_now(watch, s, durability)
    }

    /// Writes the state of a watch now (and what this replica holds of it).
    fn save_now(&self, watch: &str, s: &WatchState, durability: Durability) -> Result<()> {
        // One statement, on a session that waits for the disk only when durable.
        self.session(durability, async |c| save_watch_in(c, watch, s).await)?;
        self.saved(watch, s);
        Ok(())
    }

    /// Notes that a watch's state `s` is in the database.
    pub(super) fn saved(&self, watch: &str, s: &WatchState) {
        if let Some(h) = lock(&self.inner.held).get_mut(watch) {
            h.state = s.clone();
            h.unsaved = false;
        }
    }

    /// The kind and URL a watch had at its last check that worked (`None`
    /// before one, and for a watch last checked by a presswatch that did
    /// not record them).
    pub fn checked_as(&self, watch: &str) -> Result<Option<(String, String)>> {
        self.run(async |c| {
            Ok(c.query_opt(
                "SELECT kind, url FROM watch_kinds WHERE watch = $1",
                &[&watch],
            )
            .await?
            .map(|r| (r.get(0), r.get(1))))
        })
    }

    /// Sets when a watch is next due (see [`crate::store::State::set_next_due`]).
    pub fn set_next_due(&self, watch: &str, due: i64) -> Result<()> {
        self.transaction(Durability::Durable, async |c| {
            c.execute(
                "INSERT INTO watch_state (watch, next_due) VALUES ($1, $2)
                 ON CONFLICT (watch) DO UPDATE SET next_due = $2",
                &[&watch, &due],
            )
            .await
            .map(|_| ())
        })
    }
}

/// A watch's state from a row of `watch_state` (columns 0–11, as
/// [`Postgres::watch`] and the fleet's lease queries select them).
pub(super) fn watch_state(r: &Row) -> WatchState {
    WatchState {
        validators: Validators {
            etag: r.get(0),
            last_modified: r.get(1),
        },
        last_check: r.get(2),
        last_result: r.get(3),
        last_error: r.get(4),
        last_change: r.get(5),
        next_due: r.get(6),
        failures: r.get::<_, i64>(7).clamp(0, u32::MAX as i64) as u32,
        error_alerted: r.get(8),
        gone: r.get(9),
        last_ok: r.get(10),
        ..WatchState::default()
    }
    .with_moved_to_column(r.get(11))
}

/// Writes the state of a watch (one statement), on `c`.
pub(super) async fn save_watch_in(c: &mut Conn, watch: &str, s: &WatchState) -> PgResult<()> {
    c.execute(
        "INSERT INTO watch_state (watch, etag, last_modified, last_check, last_result, last_error, last_change, next_due, failures, error_alerted, gone, last_ok, moved_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (watch) DO UPDATE SET etag=$2, last_modified=$3, last_check=$4, last_result=$5, last_error=$6,
           last_change=$7, next_due=$8, failures=$9, error_alerted=$10, gone=$11, last_ok=$12, moved_to=$13",
        &[
            &watch,
            &s.validators.etag,
            &s.validators.last_modified,
            &s.last_check,
            &s.last_result,
            &s.last_error,
            &s.last_change,
            &s.next_due,
            &(s.failures as i64),
            &s.error_alerted,
            &s.gone,
            &s.last_ok,
            &s.moved_to_column(),
        ],
    )
    .await
    .map(|_| ())
}

/// Records the kind and URL a check of the watch worked under, in the
/// check's transaction.
pub(super) async fn set_checked_as_in(
    c: &mut Conn,
    watch: &str,
    kind: &str,
    url: &str,
) -> PgResult<()> {
    c.execute(
        "INSERT INTO watch_kinds (watch, kind, url) VALUES ($1, $2, $3)
         ON CONFLICT (watch) DO UPDATE SET kind = $2, url = $3",
        &[&watch, &kind, &url],
    )
    .await
    .map(|_| ())
}
