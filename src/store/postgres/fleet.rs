//! Sharing the work between replicas, with PostgreSQL row leases (as job
//! queues do: `FOR UPDATE SKIP LOCKED` and an expiry on every lease).
//!
//! - A replica leases due watches; a lease whose holder stops renewing it
//!   expires, and another replica takes the watch.
//! - A fetch takes a per-host token, so a host's delay and concurrency hold
//!   for the whole fleet.
//! - Each outbox entry is claimed by one replica while it sends.
//! - Fleet-wide jobs (digests, pruning) run on the holder of a leader lease.
//!
//! All lease times are the database's clock, so replicas need not agree on
//! the time to the millisecond.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Postgres, Result};
use crate::store::{OutboxEntry, StateError, WatchState};

/// A watch leased to this replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The watch.
    pub watch: String,
    /// When it was due (Unix ms).
    pub due_ms: i64,
}

/// One replica, as the fleet sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaInfo {
    /// Its id (`host:pid:random`).
    pub id: String,
    /// The machine it runs on.
    pub hostname: String,
    /// Its process id there.
    pub pid: i64,
    /// The hash of the config it runs.
    pub config_hash: String,
    /// Milliseconds since it last renewed its leases.
    pub silent_ms: i64,
    /// Watches it holds leases on.
    pub leases: i64,
    /// Fleet-wide jobs it leads.
    pub leads: Vec<String>,
    /// Its channels' settings as it announced them (`name=hash` each, see
    /// [`crate::notify::agreement::channel_settings`]), each with what it is set to,
    /// without secrets ([`crate::notify::agreement::channel_view`]; empty from a
    /// presswatch older than migration 22); `None` from one older than
    /// migration 21.
    pub channels: Option<Vec<(String, String)>>,
}

/// The fleet: its replicas and its queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FleetView {
    /// Replicas seen within ten lease times, and those that left without a
    /// clean stop whose channel settings still count (see
    /// [`Postgres::heartbeat`]), by id: those silent for more than one
    /// lease time ([`FleetView::lease_ms`]) are listed, not live.
    pub replicas: Vec<ReplicaInfo>,
    /// The lease time: a replica renews its row every third of it, so one
    /// silent for longer has stopped or lost the database, and what it
    /// held has run out.
    pub lease_ms: i64,
    /// Watches due now and not leased.
    pub due: i64,
    /// Watches leased right now.
    pub leased: i64,
    /// Outbox entries not delivered (being sent, waiting, retrying or
    /// dead), as `status`'s outbox line and PENDING column count them.
    pub outbox_pending: i64,
}

impl FleetView {
    /// Whether a replica was heard from within the lease time.
    pub fn live(&self, r: &ReplicaInfo) -> bool {
        r.silent_ms <= self.lease_ms
    }

    /// The replicas heard from within the lease time.
    pub fn live_replicas(&self) -> impl Iterator<Item = &ReplicaInfo> {
        self.replicas.iter().filter(|r| self.live(r))
    }
}

/// Where a watch stands on the fleet's shared schedule, as `status` shows
/// it ([`Postgres::schedule_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnSchedule {
    /// Not on it: never put on it, or taken off (no live replica's config
    /// had it): no replica checks the watch.
    Off,
    /// Due at this time (Unix ms, the database's clock); no lease on it.
    Due(i64),
    /// A replica (or a `presswatch check`), by this id, holds its lease
    /// now: it is being checked.
    Leased(String),
}

/// The shared schedule as a replica's lease statement read it, beside
/// the watches it leased ([`Postgres::lease_and_look`]): what the systemd
/// status line of a replica says, read at no extra round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleAhead {
    /// When the earliest watch no replica holds is due (Unix ms, the
    /// database's clock); `None` when every watch is leased or none is
    /// scheduled. The watches the replica passes over do not count.
    pub next_due_ms: Option<i64>,
    /// Watches other processes (replicas, a `presswatch check`) hold a
    /// lease on now: being checked, or about to be.
    pub leased_elsewhere: i64,
    /// The database's time then (Unix ms).
    pub now_ms: i64,
}

/// Another replica and its channels' settings
/// ([`Postgres::channel_peers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPeer {
    /// Its id (`host:pid:random`).
    pub replica: String,
    /// Its channels' settings, `name=hash` each.
    pub channels: Vec<String>,
    /// Whether it was heard from within the lease time. One that was not
    /// left without a clean stop (killed, crashed, cut off from the
    /// database: a clean stop deletes its row), and its settings still
    /// count where they differ from a live replica's (see
    /// [`Postgres::heartbeat`]).
    pub live: bool,
}

/// What [`Postgres::forget_replica`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forgotten {
    /// The replica's row is deleted: it had been silent this long (ms).
    Forgot {
        /// How long it had been silent (ms).
        silent_ms: i64,
    },
    /// The replica was heard from within the lease time (this long ago,
    /// ms): it runs, and its next heartbeat would write its row again.
    Live {
        /// How long ago it was heard from (ms).
        silent_ms: i64,
    },
    /// No replica has that id.
    Unknown,
}

/// Zips a replica row's `channels` and `channel_views` (the latter shorter
/// or absent from an older presswatch: empty views then).
fn with_views(
    channels: Option<Vec<String>>,
    views: Option<Vec<String>>,
) -> Option<Vec<(String, String)>> {
    let mut views = views.unwrap_or_default().into_iter();
    channels.map(|c| {
        c.into_iter()
            .map(|c| (c, views.next().unwrap_or_default()))
            .collect()
    })
}

/// Who holds the lease on a watch that another process asked to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    /// Its id (`host:pid:random`).
    pub id: String,
    /// Whether it is a replica of the fleet (`presswatch run`); else it is
    /// another `presswatch check`.
    pub replica: bool,
}

impl LeaseHolder {
    /// The holder, as messages name it: `replica db1:4242:a3f0`.
    pub fn describe(&self) -> String {
        if self.replica {
            format!("replica {}", self.id)
        } else {
            format!("another `presswatch check` ({})", self.id)
        }
    }
}

/// Why a check cannot lease its watch now.
#[derive(Debug)]
pub enum NoLease {
    /// Another process holds the watch's lease: it checks the watch now.
    Held(LeaseHolder),
    /// The database could not be asked.
    Failed(StateError),
}

/// The lease on one watch, taken for one check by a process that leases no
/// due watches (`presswatch check`, see [`Postgres::lease_for_check`]):
/// renewed every third of the lease time while the check runs, and handed
/// back with [`CheckLease::hand_back`]. Dropped without being handed back
/// (a check that panicked), it expires in the database.
pub struct CheckLease {
    pg: Postgres,
    watch: String,
    renewing: tokio::task::JoinHandle<()>,
}

impl CheckLease {
    /// Hands the lease back with the state of the check (written now when
    /// it was a quiet check's), leaving the watch's due time on the fleet's
    /// schedule as it was. An error when the lease expired during the check
    /// (that state is then the replica's that took the watch) or the
    /// database could not be reached (the lease expires within the lease time).
    pub fn hand_back(self) -> std::result::Result<(), String> {
        self.renewing.abort();
        let watch = std::slice::from_ref(&self.watch);
        match self.pg.finish_leases(watch, &[None]) {
            Ok(back) if back.contains(&self.watch) => Ok(()),
            Ok(_) => Err(format!(
                "the lease on watch {} expired during this check and moved to a replica, which keeps the watch's state (raise daemon.lease above the longest check)",
                self.watch
            )),
            Err(e) => Err(format!(
                "cannot hand the lease on watch {} back: {e}; it expires within daemon.lease",
                self.watch
            )),
        }
    }
}

impl Drop for CheckLease {
    fn drop(&mut self) {
        self.renewing.abort();
        self.pg.release(std::slice::from_ref(&self.watch));
    }
}

/// The columns a lease statement returns of each watch it leased, as
/// [`Postgres::hold_leased`] reads them: the watch's state, whether it has
/// a baseline, and its name (replicas' leases add the due time after them).
macro_rules! leased_columns {
    () => {
        "w.etag, w.last_modified, w.last_check, w.last_result, w.last_error, w.last_change, w.next_due,
            w.failures, w.error_alerted, w.gone, w.last_ok, w.moved_to,
            EXISTS(SELECT 1 FROM baselines b WHERE b.watch = w.watch), w.watch"
    };
}

/// The lease statement a replica runs about every quarter of a second
/// while idle ([`Postgres::lease_and_look`]): `$1` the replica, `$2` the
/// lease time (ms), `$3` how many to lease, `$4` the watches to pass over.
/// Each part is an index lookup, not a scan of the schedule: the time is a
/// parameter (`(SELECT ms FROM now)`), not a join, so that `due_ms <= now`
/// bounds the walk of `watch_state_due`; the next due time is the first
/// row of that index no one holds (`ORDER BY due_ms LIMIT 1`, not a
/// `MIN(…) FILTER` over every row); the leases held elsewhere are counted
/// from `watch_state_lease_owner`, which has only the rows with a holder.
/// With 10,000 watches, none due, this takes a tenth of what leasing alone
/// took when the time was a join, and a sixteenth of the statement that
/// scanned for the figures (docs/BENCHMARKS.md, `cargo bench --bench
/// lease`).
#[doc(hidden)]
pub const LEASE_AND_LOOK: &str = concat!(
    "WITH now AS (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT AS ms),
 due AS (
    SELECT w.watch FROM watch_state w
    WHERE w.due_ms <= (SELECT ms FROM now)
      AND (w.lease_until_ms IS NULL OR w.lease_until_ms < (SELECT ms FROM now))
      AND NOT (w.watch = ANY($4))
    ORDER BY w.due_ms LIMIT $3 FOR UPDATE OF w SKIP LOCKED),
 leased AS (
    UPDATE watch_state w SET lease_owner = $1, lease_until_ms = (SELECT ms FROM now) + $2::BIGINT
    FROM due WHERE w.watch = due.watch
    RETURNING ",
    leased_columns!(),
    ", w.due_ms AS leased_due_ms),
 ahead AS (
    SELECT (SELECT w.due_ms FROM watch_state w
             WHERE w.due_ms IS NOT NULL
               AND (w.lease_until_ms IS NULL OR w.lease_until_ms < (SELECT ms FROM now))
               AND NOT (w.watch = ANY($4))
               AND NOT EXISTS (SELECT 1 FROM due WHERE due.watch = w.watch)
             ORDER BY w.due_ms LIMIT 1) AS next_due_ms,
           (SELECT COUNT(*) FROM watch_state w
             WHERE w.lease_owner <> $1 AND w.lease_until_ms >= (SELECT ms FROM now)
               AND w.due_ms IS NOT NULL AND NOT (w.watch = ANY($4))) AS elsewhere,
           (SELECT ms FROM now) AS now_ms)
 SELECT leased.*, ahead.next_due_ms, ahead.elsewhere, ahead.now_ms
 FROM ahead LEFT JOIN leased ON true"
);

/// Takes off the shared schedule the watches that neither `$1` (the
/// config of the replica asking) nor the config of any live replica (heard
/// from within the lease time, `$2` ms) has. A replica whose row lists no
/// watches (one of a presswatch older than migration 20) may have any: while
/// one is live, nothing is taken off. Run under [`SCHEDULE_LOCK`], after
/// which every replica registered so far is seen.
const UNSCHEDULE_OTHERS: &str =
    "UPDATE watch_state w SET due_ms = NULL, lease_owner = NULL, lease_until_ms = NULL
     WHERE w.due_ms IS NOT NULL AND NOT (w.watch = ANY($1))
       AND NOT EXISTS (SELECT 1 FROM replicas r
            WHERE r.seen_ms > (extract(epoch from clock_timestamp()) * 1000)::BIGINT - $2::BIGINT
              AND (r.watches IS NULL OR w.watch = ANY(r.watches)))";

/// Deletes the row of replica `id`, with the host tokens and leader leases
/// it holds: as it stops cleanly ([`Postgres::resign`]), or as ops forget
/// it ([`Postgres::forget_replica`]).
async fn drop_replica(c: &mut super::Conn, id: &str) -> super::PgResult<()> {
    for sql in [
        "DELETE FROM host_tokens WHERE holder = $1",
        "DELETE FROM leader_leases WHERE holder = $1",
        "DELETE FROM replicas WHERE id = $1",
    ] {
        c.execute(sql, &[&id]).await?;
    }
    Ok(())
}

/// Withdraws the channel settings of each replica silent for longer than
/// the lease time (`$1` ms) that sets every channel as every live replica
/// that has it does: it left (killed, crashed, cut off) agreeing, and
/// holds nothing. One that sets a channel otherwise than a live replica
/// keeps its settings, and holds that channel (no replica sends its
/// alerts) until ops resolve it: deploy its settings to the live replicas
/// (it then agrees, and is withdrawn here), or `presswatch fleet forget`
/// it ([`Postgres::forget_replica`]). presswatch cannot tell whether the
/// settings of a replica that left are the fix or the stale ones: letting
/// those left win sent the alerts to the old webhook when the replica
/// with the fix was killed. A replica that stops cleanly deletes its row
/// ([`Postgres::resign`]) and holds nothing. A channel is `name=hash`,
/// the name up to the last `=`.
const WITHDRAW_AGREEING: &str = "UPDATE replicas d SET channels = NULL, channel_views = NULL
     WHERE d.channels IS NOT NULL
       AND d.seen_ms <= (extract(epoch from clock_timestamp()) * 1000)::BIGINT - $1::BIGINT
       AND NOT EXISTS (
            SELECT 1 FROM replicas r, unnest(r.channels) rc, unnest(d.channels) dc
            WHERE r.channels IS NOT NULL
              AND r.seen_ms > (extract(epoch from clock_timestamp()) * 1000)::BIGINT - $1::BIGINT
              AND rc <> dc
              AND regexp_replace(rc, '=[^=]*$', '') = regexp_replace(dc, '=[^=]*$', ''))";

/// The advisory lock (transaction-scoped) that a replica announcing its
/// config's watches and a replica taking watches off the schedule both
/// hold: one taking watches off sees every replica announced before it,
/// and one announced after puts its watches back on the schedule after.
/// Without it, a replica starting a moment after another could announce
/// its config after the other had read who runs what, and before it took
/// the watches it lacked off the schedule: the newcomer's own watches.
const SCHEDULE_LOCK: i64 = 0x7072_6573_7377_5343;

impl Postgres {
    /// This process's id in the fleet (`host:pid:random`).
    pub fn replica(&self) -> &str {
        &self.inner.replica
    }

    /// How long this replica's leases last unless renewed (ms).
    pub fn lease_ms(&self) -> i64 {
        self.inner.lease_ms
    }

    /// Announces (or re-announces, after a reload) this replica, the hash
    /// of its config, the config's watches (which no replica takes off
    /// the schedule while this one is live) and its channels' settings
    /// (`name=hash`, see [`crate::notify::agreement::channel_settings`], each with what
    /// it is set to, without secrets: [`crate::notify::agreement::channel_view`]), as
    /// loaded now; returns the other live replicas (id, config hash) whose
    /// config hash differs.
    pub fn register_replica(
        &self,
        config_hash: &str,
        watches: &[String],
        channels: &[(String, String)],
    ) -> Result<Vec<(String, String)>> {
        let (id, lease_ms) = (self.replica(), self.inner.lease_ms);
        let pid = std::process::id() as i64;
        let hostname = hostname();
        let (channels, views): (Vec<String>, Vec<String>) = channels.iter().cloned().unzip();
        self.transaction(crate::store::Durability::Lazy, async |c| {
            c.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEDULE_LOCK])
                .await?;
            let loaded = c.query_one(
                "INSERT INTO replicas (id, hostname, pid, config_hash, started_ms, seen_ms, watches, channels, config_ms, channel_views)
                 VALUES ($1, $2, $3, $4, (extract(epoch from clock_timestamp()) * 1000)::BIGINT, (extract(epoch from clock_timestamp()) * 1000)::BIGINT, $5, $6,
                         (extract(epoch from clock_timestamp()) * 1000)::BIGINT, $7)
                 ON CONFLICT (id) DO UPDATE SET config_hash = $4, seen_ms = EXCLUDED.seen_ms, watches = $5,
                     channels = $6, config_ms = EXCLUDED.config_ms, channel_views = $7
                 RETURNING config_ms",
                &[&id, &hostname, &pid, &config_hash, &watches, &channels, &views],
            )
            .await?
            .get::<_, Option<i64>>(0);
            if let Some(ms) = loaded {
                self.inner
                    .config_ms
                    .store(ms, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(c.query(
                "SELECT id, config_hash FROM replicas WHERE id <> $1 AND config_hash <> $2
                   AND seen_ms > (extract(epoch from clock_timestamp()) * 1000)::BIGINT - $3::BIGINT ORDER BY id",
                &[&id, &config_hash, &lease_ms],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
        })
    }

    /// Renews everything this replica holds (its row, the watch leases it
    /// holds and its host tokens) for another lease time, and forgets
    /// replicas silent for ten lease times, except one that left without a
    /// clean stop setting a channel otherwise than a live replica: its
    /// settings hold that channel until ops resolve it (see
    /// `WITHDRAW_AGREEING`). Its row is written again, with `watches`,
    /// when another replica forgot it (this one stalled for that long),
    /// and its channels again when they were withdrawn meanwhile. Returns
    /// the mismatched configs seen, as [`Postgres::register_replica`] does.
    pub fn heartbeat(
        &self,
        config_hash: &str,
        watches: &[String],
        channels: &[(String, String)],
    ) -> Result<Vec<(String, String)>> {
        let (id, lease_ms) = (self.replica(), self.inner.lease_ms);
        let pid = std::process::id() as i64;
        let hostname = hostname();
        let (channels, views): (Vec<String>, Vec<String>) = channels.iter().cloned().unzip();
        // Only the leases this replica knows it holds: one it lost track of
        // expires and moves, rather than being renewed for ever.
        let held: Vec<String> = super::lock(&self.inner.held).keys().cloned().collect();
        // Likewise only the host tokens it took and has not given back.
        let held_tokens = self.held_tokens();
        // When it loaded its config (NULL if it never announced one here).
        let config_ms = Some(
            self.inner
                .config_ms
                .load(std::sync::atomic::Ordering::Relaxed),
        )
        .filter(|ms| *ms > 0);
        self.transaction(crate::store::Durability::Lazy, async |c| {
            let renewed = c.execute(
                "UPDATE replicas SET seen_ms = (extract(epoch from clock_timestamp()) * 1000)::BIGINT, config_hash = $2,
                    channels = $3, channel_views = $4 WHERE id = $1",
                &[&id, &config_hash, &channels, &views],
            )
            .await?;
            // Forgotten by the others (silent for ten lease times): written
            // again, with its watches (sent only then: they do not change
            // between reloads, which write them) and when it loaded its
            // config (what a replica older than migration 22 compares:
            // written as 0, the replica read as the one that loaded its
            // config first).
            if renewed == 0 {
                c.execute(
                    "INSERT INTO replicas (id, hostname, pid, config_hash, started_ms, seen_ms, watches, channels, config_ms, channel_views)
                     VALUES ($1, $2, $3, $4, (extract(epoch from clock_timestamp()) * 1000)::BIGINT, (extract(epoch from clock_timestamp()) * 1000)::BIGINT, $5, $6, $8, $7)
                     ON CONFLICT (id) DO UPDATE SET config_hash = $4, seen_ms = EXCLUDED.seen_ms",
                    &[&id, &hostname, &pid, &config_hash, &watches, &channels, &views, &config_ms],
                )
                .await?;
            }
            c.execute(
                "UPDATE watch_state SET lease_until_ms = (extract(epoch from clock_timestamp()) * 1000)::BIGINT + $2::BIGINT
                 WHERE lease_owner = $1 AND watch = ANY($3)",
                &[&id, &lease_ms, &held],
            )
            .await?;
            c.execute(
                "UPDATE host_tokens SET until_ms = (extract(epoch from clock_timestamp()) * 1000)::BIGINT + $2::BIGINT
                 WHERE holder = $1 AND id = ANY($3)",
                &[&id, &lease_ms, &held_tokens],
            )
            .await?;
            c.execute(WITHDRAW_AGREEING, &[&lease_ms]).await?;
            c.execute(
                "DELETE FROM replicas WHERE channels IS NULL
                   AND seen_ms < (extract(epoch from clock_timestamp()) * 1000)::BIGINT - 10 * $1::BIGINT",
                &[&lease_ms],
            )
            .await?;
            Ok(c.query(
                "SELECT id, config_hash FROM replicas WHERE id <> $1 AND config_hash <> $2
                   AND seen_ms > (extract(epoch from clock_timestamp()) * 1000)::BIGINT - $3::BIGINT ORDER BY id",
                &[&id, &config_hash, &lease_ms],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
        })
    }

    /// Makes the schedule match a config: each of `watches` gets a row (due
    /// at `initial_due_ms` unless it already has a due time); watches that
    /// neither the list nor the config of any live replica has are no
    /// longer scheduled (see [`Postgres::unschedule_others`]). The watches
    /// in `refetch` (name, due time), which a reload made fetched
    /// differently, are due by that time at the latest, their failures
    /// forgotten with their backoff. Rows are written in the byte order of
    /// their names, the order in which a replica hands back its checked
    /// watches, so the two cannot deadlock.
    pub fn schedule_watches(
        &self,
        watches: &[String],
        initial_due_ms: &[i64],
        refetch: &[(String, i64)],
    ) -> Result<()> {
        let mut refetch = refetch.to_vec();
        refetch.sort_unstable();
        let lease_ms = self.inner.lease_ms;
        self.transaction(crate::store::Durability::Durable, async |c| {
            // First: the lock before any row's, in every transaction that
            // takes both.
            c.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEDULE_LOCK])
                .await?;
            c.execute(
                "INSERT INTO watch_state (watch, due_ms)
                 SELECT w, d FROM unnest($1::TEXT[], $2::BIGINT[]) AS t(w, d) ORDER BY w COLLATE \"C\"
                 ON CONFLICT (watch) DO UPDATE SET due_ms = COALESCE(watch_state.due_ms, watch_state.next_due * 1000, EXCLUDED.due_ms)",
                &[&watches, &initial_due_ms],
            )
            .await?;
            c.execute(UNSCHEDULE_OTHERS, &[&watches, &lease_ms]).await?;
            for (watch, due_ms) in &refetch {
                c.execute(
                    "UPDATE watch_state SET due_ms = LEAST(COALESCE(due_ms, $2), $2), failures = 0
                     WHERE watch = $1",
                    &[watch, due_ms],
                )
                .await?;
            }
            Ok(())
        })?;
        self.forget_failures(refetch.iter().map(|(w, _)| w));
        Ok(())
    }

    /// Takes off the schedule the watches that neither `watches` nor the
    /// config of any live replica has (the last replica whose config had
    /// them stopped, or reloaded without them); how many were on it. Safe
    /// beside replicas starting at the same moment: it holds the lock they
    /// announce their watches under.
    pub fn unschedule_others(&self, watches: &[String]) -> Result<u64> {
        let lease_ms = self.inner.lease_ms;
        self.transaction(crate::store::Durability::Lazy, async |c| {
            c.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEDULE_LOCK])
                .await?;
            c.execute(UNSCHEDULE_OTHERS, &[&watches, &lease_ms]).await
        })
    }

    /// Where each of `watches` stands on the shared schedule, in that
    /// order, and the database's time now (Unix ms).
    pub fn schedule_of(&self, watches: &[String]) -> Result<(Vec<OnSchedule>, i64)> {
        self.run(async |c| {
            let now: i64 = c
                .query_one(
                    "SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT",
                    &[],
                )
                .await?
                .get(0);
            let rows = c
                .query(
                    "SELECT watch, due_ms, CASE WHEN lease_until_ms >= $2 THEN lease_owner END
                     FROM watch_state WHERE watch = ANY($1)",
                    &[&watches, &now],
                )
                .await?;
            let mut found: HashMap<String, OnSchedule> = HashMap::new();
            for r in rows {
                let due: Option<i64> = r.get(1);
                let holder: Option<String> = r.get(2);
                let on = match (due, holder) {
                    (None, _) => OnSchedule::Off,
                    (Some(_), Some(holder)) => OnSchedule::Leased(holder),
                    (Some(due), None) => OnSchedule::Due(due),
                };
                found.insert(r.get(0), on);
            }
            let on = watches
                .iter()
                .map(|w| found.remove(w).unwrap_or(OnSchedule::Off))
                .collect();
            Ok((on, now))
        })
    }

    /// Leases up to `limit` due watches to this replica for the lease time,
    /// earliest due first, skipping rows another replica is leasing at this
    /// moment (`SKIP LOCKED`), leases not yet expired, and the watches in
    /// `pass_over` (ones this replica's config lacks).
    pub fn lease_due(&self, limit: i64, pass_over: &[String]) -> Result<Vec<Lease>> {
        Ok(self.lease_and_look(limit, pass_over)?.0)
    }

    /// [`Postgres::lease_due`], and in the same statement where the rest of
    /// the shared schedule stands: when the next watch no one holds is due,
    /// and how many other processes hold. `limit` 0 leases nothing and only
    /// looks.
    pub fn lease_and_look(
        &self,
        limit: i64,
        pass_over: &[String],
    ) -> Result<(Vec<Lease>, ScheduleAhead)> {
        let (owner, lease_ms) = (self.replica(), self.inner.lease_ms);
        self.run(async |c| {
            let rows = c
                .query(LEASE_AND_LOOK, &[&owner, &lease_ms, &limit, &pass_over])
                .await?;
            let ahead = rows.first().map_or(
                ScheduleAhead {
                    next_due_ms: None,
                    leased_elsewhere: 0,
                    now_ms: 0,
                },
                |r| ScheduleAhead {
                    next_due_ms: r.get(15),
                    leased_elsewhere: r.get(16),
                    now_ms: r.get(17),
                },
            );
            let leases = rows
                .iter()
                .filter(|r| r.get::<_, Option<String>>(13).is_some())
                .map(|r| Lease {
                    watch: self.hold_leased(r),
                    due_ms: r.get(14),
                })
                .collect();
            Ok((leases, ahead))
        })
    }

    /// Holds the watch of a row a lease statement returned
    /// ([`leased_columns`]), with its state; returns the watch.
    fn hold_leased(&self, r: &tokio_postgres::Row) -> String {
        let watch: String = r.get(13);
        if r.get(12) {
            self.known_baseline(&watch);
        }
        self.hold(&watch, super::watch::watch_state(r));
        watch
    }

    /// Takes the lease on `watch` for one check by this process, which
    /// leases no due watches (`presswatch check` beside a fleet), whatever
    /// the watch's due time, so that no replica checks it meanwhile: the
    /// lease replicas take, read and handed back the same way. `Ok(None)`
    /// when there is nothing to take: this process holds the lease already
    /// (a replica checking a watch it leased), or it changes nothing (a
    /// dry run). A watch another process holds a lease on now is left to
    /// it ([`NoLease::Held`]). Called within a Tokio runtime, which renews
    /// the lease while the check runs.
    pub fn lease_for_check(&self, watch: &str) -> std::result::Result<Option<CheckLease>, NoLease> {
        if self.inner.preview || super::lock(&self.inner.held).contains_key(watch) {
            return Ok(None);
        }
        let (owner, lease_ms) = (self.replica(), self.inner.lease_ms);
        let taken = self.run(async |c| {
            // A lease handed back between asking for it and asking who holds
            // it is asked for again.
            for _ in 0..3 {
                let leased = c
                    .query_opt(
                        concat!(
                            "WITH now AS (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT AS ms)
                             UPDATE watch_state w SET lease_owner = $1, lease_until_ms = now.ms + $2::BIGINT
                             FROM now WHERE w.watch = $3
                               AND (w.lease_until_ms IS NULL OR w.lease_until_ms < now.ms OR w.lease_owner = $1)
                             RETURNING ",
                            leased_columns!()
                        ),
                        &[&owner, &lease_ms, &watch],
                    )
                    .await?;
                if let Some(r) = leased {
                    return Ok(Some(Ok(r)));
                }
                let holder = c
                    .query_opt(
                        "SELECT w.lease_owner, COALESCE(w.lease_owner IS NOT NULL
                            AND w.lease_until_ms >= (extract(epoch from clock_timestamp()) * 1000)::BIGINT, FALSE),
                            EXISTS(SELECT 1 FROM replicas r WHERE r.id = w.lease_owner)
                         FROM watch_state w WHERE w.watch = $1",
                        &[&watch],
                    )
                    .await?;
                match holder {
                    Some(h) if h.get(1) => {
                        return Ok(Some(Err(LeaseHolder {
                            id: h.get(0),
                            replica: h.get(2),
                        })))
                    }
                    Some(_) => {}
                    // Never scheduled nor checked: its row, to lease.
                    None => {
                        c.execute(
                            "INSERT INTO watch_state (watch) VALUES ($1) ON CONFLICT (watch) DO NOTHING",
                            &[&watch],
                        )
                        .await?;
                    }
                }
            }
            Ok(None)
        });
        match taken {
            Ok(Some(Ok(r))) => {
                let watch = self.hold_leased(&r);
                let renewing = tokio::spawn(renew_while_checking(self.clone(), watch.clone()));
                Ok(Some(CheckLease {
                    pg: self.clone(),
                    watch,
                    renewing,
                }))
            }
            Ok(Some(Err(holder))) => Err(NoLease::Held(holder)),
            Ok(None) => Err(NoLease::Failed(StateError::other(
                self.location(),
                format!("the lease on watch {watch} changed hands three times while this check asked for it: try again"),
            ))),
            Err(e) => Err(NoLease::Failed(e)),
        }
    }

    /// Whether this replica still holds the lease of `watch`, which it
    /// leased for a check, renewing it when it does: a replica that stalled
    /// (a paused VM, a starved process, a network partition) for longer than
    /// the lease finds it moved to another replica, and must not store a
    /// check whose page may be older than what that replica stored. A watch
    /// this process did not lease (`presswatch check`) has no lease to keep.
    pub fn confirm_lease(&self, watch: &str) -> Result<bool> {
        if !super::lock(&self.inner.held).contains_key(watch) {
            return Ok(true);
        }
        let (owner, lease_ms) = (self.replica(), self.inner.lease_ms);
        self.run(async |c| {
            Ok(c.query_opt(
                "UPDATE watch_state SET lease_until_ms = (extract(epoch from clock_timestamp()) * 1000)::BIGINT + $3::BIGINT
                 WHERE watch = $1 AND lease_owner = $2 RETURNING 1",
                &[&watch, &owner, &lease_ms],
            )
            .await?
            .is_some())
        })
    }

    /// Which of `watches`, leased and not yet started, this replica still
    /// holds; it stops holding the others (their leases expired and may
    /// have moved to another replica, which checks them).
    pub fn still_held(&self, watches: &[String]) -> Result<Vec<String>> {
        let owner = self.replica();
        let kept: Vec<String> = self.run(async |c| {
            Ok(c.query(
                "SELECT watch FROM watch_state WHERE lease_owner = $1 AND watch = ANY($2)
                   AND lease_until_ms > (extract(epoch from clock_timestamp()) * 1000)::BIGINT",
                &[&owner, &watches],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })?;
        let lost: Vec<String> = watches
            .iter()
            .filter(|w| !kept.contains(w))
            .cloned()
            .collect();
        self.release(&lost);
        Ok(kept)
    }

    /// Ends this replica's leases on checked watches and sets their next
    /// due times (`due_ms[i]` for `watches[i]`; `None` leaves it as it was),
    /// writing the state of their quiet checks with them, in one statement.
    /// Returns the watches handed back; a watch missing from it had its
    /// lease expire and move to another replica (and its quiet check's
    /// state is dropped: the watch is checked again), or was taken off the
    /// schedule meanwhile.
    pub fn finish_leases(&self, watches: &[String], due_ms: &[Option<i64>]) -> Result<Vec<String>> {
        let owner = self.replica();
        let held = self.holding(watches);
        let saved: Vec<bool> = held.iter().map(|h| h.unsaved).collect();
        let col = |f: &dyn Fn(&WatchState) -> Option<String>| -> Vec<Option<String>> {
            held.iter().map(|h| f(&h.state)).collect()
        };
        let num = |f: &dyn Fn(&WatchState) -> Option<i64>| -> Vec<Option<i64>> {
            held.iter().map(|h| f(&h.state)).collect()
        };
        let flag = |f: &dyn Fn(&WatchState) -> bool| -> Vec<bool> {
            held.iter().map(|h| f(&h.state)).collect()
        };
        let etag = col(&|s| s.validators.etag.clone());
        let last_modified = col(&|s| s.validators.last_modified.clone());
        let last_check = num(&|s| s.last_check);
        let last_result = col(&|s| s.last_result.clone());
        let last_error = col(&|s| s.last_error.clone());
        let last_change = num(&|s| s.last_change);
        let failures = num(&|s| Some(s.failures as i64));
        let error_alerted = flag(&|s| s.error_alerted);
        let gone = flag(&|s| s.gone);
        let last_ok = num(&|s| s.last_ok);
        let moved_to = col(&|s| s.moved_to_column());
        let handed_back = self.run(async |c| {
            Ok(c.query(
                "UPDATE watch_state w SET due_ms = COALESCE(f.due, w.due_ms), next_due = COALESCE((f.due + 999) / 1000, w.next_due),
                    lease_owner = NULL, lease_until_ms = NULL,
                    etag = CASE WHEN f.saved THEN f.etag ELSE w.etag END,
                    last_modified = CASE WHEN f.saved THEN f.last_modified ELSE w.last_modified END,
                    last_check = CASE WHEN f.saved THEN f.last_check ELSE w.last_check END,
                    last_result = CASE WHEN f.saved THEN f.last_result ELSE w.last_result END,
                    last_error = CASE WHEN f.saved THEN f.last_error ELSE w.last_error END,
                    last_change = CASE WHEN f.saved THEN f.last_change ELSE w.last_change END,
                    failures = CASE WHEN f.saved THEN f.failures ELSE w.failures END,
                    error_alerted = CASE WHEN f.saved THEN f.error_alerted ELSE w.error_alerted END,
                    gone = CASE WHEN f.saved THEN f.gone ELSE w.gone END,
                    last_ok = CASE WHEN f.saved THEN f.last_ok ELSE w.last_ok END,
                    moved_to = CASE WHEN f.saved THEN f.moved_to ELSE w.moved_to END
                 FROM unnest($2::TEXT[], $3::BIGINT[], $4::BOOL[], $5::TEXT[], $6::TEXT[], $7::BIGINT[], $8::TEXT[],
                        $9::TEXT[], $10::BIGINT[], $11::BIGINT[], $12::BOOL[], $13::BOOL[], $14::BIGINT[], $15::TEXT[])
                    AS f(watch, due, saved, etag, last_modified, last_check, last_result,
                        last_error, last_change, failures, error_alerted, gone, last_ok, moved_to)
                 WHERE w.watch = f.watch AND w.lease_owner = $1 AND (w.due_ms IS NOT NULL OR f.due IS NULL)
                 RETURNING w.watch",
                &[
                    &owner,
                    &watches,
                    &due_ms,
                    &saved,
                    &etag,
                    &last_modified,
                    &last_check,
                    &last_result,
                    &last_error,
                    &last_change,
                    &failures,
                    &error_alerted,
                    &gone,
                    &last_ok,
                    &moved_to,
                ],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect())
        });
        // After an error the states wait for the next try.
        if handed_back.is_ok() {
            self.release(watches);
        }
        handed_back
    }

    /// Takes a per-host token for one request (held for at most the lease
    /// time unless renewed): `Ok(token)` when fewer than
    /// `limit` requests to `host` are in flight fleet-wide and `delay_ms` has
    /// passed since the last one started; else `Err(wait_ms)`.
    pub fn take_host_token(
        &self,
        host: &str,
        delay_ms: i64,
        limit: i32,
    ) -> Result<std::result::Result<i64, i64>> {
        let (owner, lease_ms) = (self.replica(), self.inner.lease_ms);
        self.run(async |c| {
            let r = c
                .query_one(
                    "SELECT token, wait_ms FROM host_token_take($1, $2, (extract(epoch from clock_timestamp()) * 1000)::BIGINT, $3, $4, $5)",
                    &[&host, &owner, &delay_ms, &limit, &lease_ms],
                )
                .await?;
            Ok(match r.get::<_, Option<i64>>(0) {
                Some(token) => Ok(token),
                None => Err(r.get::<_, i64>(1)),
            })
        })
        .inspect(|taken| {
            if let Ok(token) = taken {
                super::lock(&self.inner.tokens).insert(*token);
            }
        })
    }

    /// The host tokens this replica took and has not given back, which its
    /// heartbeat renews (see `Inner::tokens`).
    fn held_tokens(&self) -> Vec<i64> {
        super::lock(&self.inner.tokens).iter().copied().collect()
    }

    /// Returns host tokens. Not renewed from now on, whether the database
    /// takes them back or not: one it does not (it is away) expires with
    /// the lease.
    pub fn return_host_tokens(&self, tokens: &[i64]) -> Result<()> {
        {
            let mut held = super::lock(&self.inner.tokens);
            for t in tokens {
                held.remove(t);
            }
        }
        self.run(async |c| {
            c.execute("DELETE FROM host_tokens WHERE id = ANY($1)", &[&tokens])
                .await
                .map(|_| ())
        })
    }

    /// Pauses a host for the whole fleet (a `Retry-After`) for `pause_ms`.
    pub fn pause_host(&self, host: &str, pause_ms: i64) -> Result<()> {
        self.run(async |c| {
            c.execute(
                "INSERT INTO host_clock (host, blocked_until_ms) VALUES ($1, (extract(epoch from clock_timestamp()) * 1000)::BIGINT + $2::BIGINT)
                 ON CONFLICT (host) DO UPDATE SET blocked_until_ms = GREATEST(host_clock.blocked_until_ms, EXCLUDED.blocked_until_ms)",
                &[&host, &pause_ms],
            )
            .await
            .map(|_| ())
        })
    }

    /// Takes or keeps the leader lease of a fleet-wide `job` for the lease
    /// time; true when this replica holds it now.
    pub fn lead(&self, job: &str) -> Result<bool> {
        let (owner, lease_ms) = (self.replica(), self.inner.lease_ms);
        self.run(async |c| {
            Ok(c.query_opt(
                "INSERT INTO leader_leases (job, holder, until_ms) VALUES ($1, $2, (extract(epoch from clock_timestamp()) * 1000)::BIGINT + $3::BIGINT)
                 ON CONFLICT (job) DO UPDATE SET holder = $2, until_ms = EXCLUDED.until_ms
                 WHERE leader_leases.holder = $2 OR leader_leases.until_ms < (extract(epoch from clock_timestamp()) * 1000)::BIGINT
                 RETURNING holder",
                &[&job, &owner, &lease_ms],
            )
            .await?
            .is_some())
        })
    }

    /// The other replicas (every one, for a process that is no replica: a
    /// `presswatch check`) and their channels' settings, as each announced
    /// them (`name=hash`; replicas of a presswatch older than migration 21
    /// announce none and are left out), each said to be live or not: those
    /// not live left without a clean stop, and their settings are kept
    /// only while they differ from a live replica's (see
    /// [`Postgres::heartbeat`]).
    pub fn channel_peers(&self) -> Result<Vec<ChannelPeer>> {
        let (id, lease_ms) = (self.replica(), self.inner.lease_ms);
        self.run(async |c| {
            Ok(c.query(
                "SELECT r.id, r.channels,
                    r.seen_ms > (extract(epoch from clock_timestamp()) * 1000)::BIGINT - $2::BIGINT
                 FROM replicas r
                 WHERE r.id <> $1 AND r.channels IS NOT NULL
                 ORDER BY r.id",
                &[&id, &lease_ms],
            )
            .await?
            .iter()
            .map(|r| ChannelPeer {
                replica: r.get(0),
                channels: r.get(1),
                live: r.get(2),
            })
            .collect())
        })
    }

    /// Claims the pending outbox entries due by `now` (Unix s) for this replica
    /// (entries it already holds included), except those of `skip` channels.
    pub fn claim_outbox(&self, now: i64, skip: &[String]) -> Result<Vec<OutboxEntry>> {
        let (owner, lease_ms) = (self.replica(), self.inner.lease_ms);
        self.run(async |c| {
            Ok(c.query(
                "WITH now AS (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT AS ms),
                 due AS (
                    SELECT o.alert_id, o.channel FROM outbox o, now
                    WHERE o.status = 'pending' AND o.next_attempt <= $2 AND NOT (o.channel = ANY($4))
                      AND (o.claim_until_ms IS NULL OR o.claim_until_ms < now.ms OR o.claimed_by = $1)
                    FOR UPDATE OF o SKIP LOCKED),
                 claimed AS (
                    UPDATE outbox o SET claimed_by = $1, claim_until_ms = (SELECT ms FROM now) + $3::BIGINT,
                        sending_since = CASE WHEN o.claimed_by = $1 AND o.claim_until_ms >= (SELECT ms FROM now) THEN o.sending_since END
                    FROM due WHERE o.alert_id = due.alert_id AND o.channel = due.channel
                    RETURNING o.*)
                 SELECT o.alert_id, o.channel, a.watch, a.kind, a.payload, o.status, o.attempts, a.created_at, o.next_attempt, o.last_error, o.first_failure,
                    o.sending_since, CASE WHEN o.sending_since IS NOT NULL THEN (o.claim_until_ms + 999) / 1000 END,
                    CASE WHEN o.sending_since IS NOT NULL THEN o.claimed_by END, EXISTS(SELECT 1 FROM replicas r WHERE r.id = o.claimed_by),
                    (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT - r.seen_ms FROM replicas r WHERE r.id = o.claimed_by)
                 FROM claimed o JOIN alerts a ON a.id = o.alert_id
                 ORDER BY a.created_at, a.seq, o.channel",
                &[&owner, &now, &lease_ms, &skip],
            )
            .await?
            .iter()
            .map(super::outbox::outbox_entry)
            .collect())
        })
    }

    /// Extends this replica's claim on the outbox entry (`alert_id`,
    /// `channel`) to cover a send lasting up to `send_for`, plus a lease time;
    /// false when the claim is no longer this replica's (it lapsed and
    /// another replica took it) or the entry is no longer pending. The
    /// entry then reads as being sent since now, until the claim runs out
    /// (an attempt cut off) or the attempt is settled.
    pub fn hold_claim(&self, alert_id: &str, channel: &str, send_for: Duration) -> Result<bool> {
        let owner = self.replica();
        let hold_ms = self.inner.lease_ms + send_for.as_millis() as i64;
        self.run(async |c| {
            Ok(c.query_opt(
                "UPDATE outbox SET claim_until_ms = (extract(epoch from clock_timestamp()) * 1000)::BIGINT + $4::BIGINT,
                    sending_since = extract(epoch from clock_timestamp())::BIGINT
                 WHERE alert_id = $1 AND channel = $2 AND claimed_by = $3 AND status = 'pending'
                 RETURNING 1",
                &[&alert_id, &channel, &owner, &hold_ms],
            )
            .await?
            .is_some())
        })
    }

    /// Gives up everything this replica holds (on a clean shutdown), so the
    /// others take over at once instead of after the lease time.
    pub fn resign(&self) -> Result<()> {
        let owner = self.replica();
        self.release_all();
        self.transaction(crate::store::Durability::Durable, async |c| {
            c.execute(
                "UPDATE watch_state SET lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner = $1",
                &[&owner],
            )
            .await?;
            c.execute(
                "UPDATE outbox SET claimed_by = NULL, claim_until_ms = NULL, sending_since = NULL WHERE claimed_by = $1",
                &[&owner],
            )
            .await?;
            drop_replica(c, owner).await
        })
    }

    /// Forgets the replica `id` that left without a clean stop, as ops
    /// decide (`presswatch fleet forget`): its row is deleted, with what it
    /// held (long expired), so the channel settings it left no longer hold
    /// a channel. A live replica is not forgotten.
    pub fn forget_replica(&self, id: &str) -> Result<Forgotten> {
        let lease_ms = self.inner.lease_ms;
        self.transaction(crate::store::Durability::Durable, async |c| {
            let Some(row) = c
                .query_opt(
                    "SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT - seen_ms FROM replicas WHERE id = $1 FOR UPDATE",
                    &[&id],
                )
                .await?
            else {
                return Ok(Forgotten::Unknown);
            };
            let silent_ms: i64 = row.get(0);
            if silent_ms <= lease_ms {
                return Ok(Forgotten::Live { silent_ms });
            }
            drop_replica(c, id).await?;
            Ok(Forgotten::Forgot { silent_ms })
        })
    }

    /// The fleet as the database sees it now.
    pub fn fleet(&self) -> Result<FleetView> {
        let lease_ms = self.inner.lease_ms;
        self.run(async |c| {
            let replicas = c
                .query(
                    "WITH now AS (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT AS ms)
                     SELECT r.id, r.hostname, r.pid, r.config_hash, now.ms - r.seen_ms,
                        (SELECT COUNT(*) FROM watch_state w WHERE w.lease_owner = r.id AND w.lease_until_ms >= now.ms),
                        COALESCE((SELECT array_agg(l.job ORDER BY l.job) FROM leader_leases l WHERE l.holder = r.id AND l.until_ms >= now.ms), '{}'),
                        r.channels, r.channel_views
                     FROM replicas r, now WHERE r.seen_ms > now.ms - 10 * $1::BIGINT OR r.channels IS NOT NULL
                     ORDER BY r.id",
                    &[&lease_ms],
                )
                .await?
                .iter()
                .map(|r| ReplicaInfo {
                    id: r.get(0),
                    hostname: r.get(1),
                    pid: r.get(2),
                    config_hash: r.get(3),
                    silent_ms: r.get(4),
                    leases: r.get(5),
                    leads: r.get(6),
                    channels: with_views(r.get(7), r.get(8)),
                })
                .collect();
            let q = c
                .query_one(
                    "WITH now AS (SELECT (extract(epoch from clock_timestamp()) * 1000)::BIGINT AS ms)
                     SELECT COUNT(*) FILTER (WHERE w.due_ms <= now.ms AND (w.lease_until_ms IS NULL OR w.lease_until_ms < now.ms)),
                            COUNT(*) FILTER (WHERE w.lease_until_ms >= now.ms),
                            (SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'dead'))
                     FROM watch_state w, now",
                    &[],
                )
                .await?;
            Ok(FleetView {
                replicas,
                lease_ms,
                due: q.get(0),
                leased: q.get(1),
                outbox_pending: q.get(2),
            })
        })
    }
}

/// Renews the lease on `watch`, taken for one check, every third of the
/// lease time until the check hands it back (which ends this task) or it is
/// found moved to a replica (the check then stores nothing, see
/// [`Postgres::confirm_lease`]).
async fn renew_while_checking(pg: Postgres, watch: String) {
    let every = Duration::from_millis(pg.lease_ms().max(3) as u64 / 3);
    loop {
        tokio::time::sleep(every).await;
        let (pg, watch) = (pg.clone(), watch.clone());
        let renewed = tokio::task::spawn_blocking(move || pg.confirm_lease(&watch)).await;
        match renewed {
            Ok(Ok(false)) | Err(_) => return,
            // Held, or the database is away: tried again.
            Ok(Ok(true)) | Ok(Err(_)) => {}
        }
    }
}

/// This machine's name, for `status`.
pub(super) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// How long after taking a host token from the database a replica may
/// keep reusing it for its next requests to that host (hosts without a
/// delay between requests only): long enough to spare most round trips,
/// short enough that the other replicas get their turn.
const TOKEN_REUSE: Duration = Duration::from_secs(1);

/// The fleet's per-host gates, as [`crate::politeness::Hosts`] uses them.
///
/// A token for a host without a delay between requests is kept for a
/// moment when its request is done ([`crate::politeness::KEEP_TOKEN`]),
/// and the replica's next request to the host reuses it without a round
/// trip, for at most `TOKEN_REUSE` after it was taken: the fleet-wide
/// count of tokens, and so of requests in flight to the host, is the same.
pub struct FleetHosts {
    pg: Postgres,
    tokens: Mutex<Tokens>,
}

/// The host tokens this replica holds, beyond what the database knows.
#[derive(Default)]
struct Tokens {
    /// Tokens in use that may be kept for reuse: token → (host, taken at).
    reusable: HashMap<i64, (String, Instant)>,
    /// Tokens kept for reuse, by host: (token, taken at).
    idle: HashMap<String, Vec<(i64, Instant)>>,
}

impl FleetHosts {
    /// The gates of the fleet whose state is `pg`.
    pub fn new(pg: Postgres) -> FleetHosts {
        FleetHosts {
            pg,
            tokens: Mutex::new(Tokens::default()),
        }
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn return_tokens(&self, tokens: &[i64]) {
        if tokens.is_empty() {
            return;
        }
        // A token not returned expires with the lease.
        if let Err(e) = self.pg.return_host_tokens(tokens) {
            tracing::debug!(error = %e, "cannot return host tokens; they expire with the lease");
        }
    }
}

impl crate::politeness::SharedHosts for FleetHosts {
    fn reuse(&self, host: &str, delay: Duration) -> Option<i64> {
        if !delay.is_zero() {
            return None;
        }
        let mut tokens = self.tokens();
        let kept = tokens.idle.get_mut(&host.to_ascii_lowercase())?;
        let (token, taken) = kept.pop()?;
        tokens
            .reusable
            .insert(token, (host.to_ascii_lowercase(), taken));
        Some(token)
    }

    fn take(
        &self,
        host: &str,
        delay: Duration,
        limit: usize,
    ) -> std::result::Result<i64, Duration> {
        let host = host.to_ascii_lowercase();
        let delay_ms = delay.as_millis().min(i64::MAX as u128) as i64;
        match self
            .pg
            .take_host_token(&host, delay_ms, limit.min(i32::MAX as usize) as i32)
        {
            Ok(Ok(token)) => {
                if delay.is_zero() {
                    self.tokens().reusable.insert(token, (host, Instant::now()));
                }
                Ok(token)
            }
            Ok(Err(wait_ms)) => Err(Duration::from_millis(wait_ms.clamp(5, 60_000) as u64)),
            Err(e) => {
                // The database is away: the request waits (checks pause)
                // until it is back; the daemon reports the outage.
                tracing::debug!(host, error = %e, "cannot take the fleet's host token");
                Err(Duration::from_secs(1))
            }
        }
    }

    fn keep(&self, token: i64) -> bool {
        let mut tokens = self.tokens();
        match tokens.reusable.remove(&token) {
            Some((host, taken)) if taken.elapsed() < TOKEN_REUSE => {
                tokens.idle.entry(host).or_default().push((token, taken));
                true
            }
            _ => false,
        }
    }

    fn unkeep(&self, token: i64) -> bool {
        let mut tokens = self.tokens();
        for kept in tokens.idle.values_mut() {
            if let Some(i) = kept.iter().position(|(t, _)| *t == token) {
                kept.swap_remove(i);
                return true;
            }
        }
        false
    }

    fn give_back(&self, token: i64) {
        self.return_tokens(&[token]);
    }

    fn pause(&self, host: &str, pause: Duration) {
        let host = host.to_ascii_lowercase();
        let kept: Vec<i64> = self
            .tokens()
            .idle
            .remove(&host)
            .unwrap_or_default()
            .into_iter()
            .map(|(token, _)| token)
            .collect();
        self.return_tokens(&kept);
        let ms = pause.as_millis().min(i64::MAX as u128) as i64;
        if let Err(e) = self.pg.pause_host(&host, ms) {
            tracing::warn!(host, error = %e, "cannot pause the host for the fleet");
        }
    }
}
