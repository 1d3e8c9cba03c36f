//! The storage boundary: [`State`] is all the rest of presswatch sees of
//! storage, and it has two backends with the same operations and the same
//! guarantees — SQLite (the embedded default, one file in `state_dir`) and
//! PostgreSQL (`state_url`, shared by replicas). Each operation is one
//! method on each backend; `State` forwards to the one configured, so the
//! compiler checks that both backends have every operation.

use std::path::Path;
use std::time::Duration;

use super::postgres::{CheckLease, FleetView, NoLease, Postgres};
use super::state::{
    ChannelQueue, Checked, DisabledChannel, Durability, FollowTry, OutboxEntry, OutboxStatus,
    Result, Sqlite, Thread, VersionRow, WatchEvent, WatchState,
};
use super::{KeptBytes, Mismatch, Snapshot};
use crate::config::DaemonSettings;

/// Handle on presswatch's state; cheap to clone, safe to share.
#[derive(Clone)]
pub struct State {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

impl State {
    /// Opens the SQLite state database in `dir` (created when missing).
    pub fn open(dir: &Path) -> std::result::Result<State, String> {
        Ok(State {
            backend: Backend::Sqlite(Sqlite::open(dir)?),
        })
    }

    /// Opens the SQLite state database for a dry run (see [`Sqlite::open_preview`]).
    pub fn open_preview(dir: &Path) -> std::result::Result<State, String> {
        Ok(State {
            backend: Backend::Sqlite(Sqlite::open_preview(dir)?),
        })
    }

    /// Connects to a PostgreSQL state database and migrates its schema;
    /// this process's leases last `lease` unless renewed.
    pub fn open_postgres(
        url: &str,
        password: Option<&str>,
        lease: std::time::Duration,
    ) -> std::result::Result<State, String> {
        Ok(State {
            backend: Backend::Postgres(Postgres::open(url, password, lease)?),
        })
    }

    /// The state the `[daemon]` settings name: `state_url` when set, else
    /// the SQLite database in `state_dir`. A dry run (`preview`) creates,
    /// upgrades and writes nothing (see [`Sqlite::open_preview`] and
    /// [`Postgres::open_preview`]).
    pub fn for_config(
        daemon: &DaemonSettings,
        preview: bool,
    ) -> std::result::Result<State, String> {
        match &daemon.state_url {
            Some(url) => {
                let password = daemon
                    .state_password
                    .as_ref()
                    .map(|p| {
                        p.read().map_err(|e| {
                            format!("cannot read the state database's password ({}): {e}", p.key)
                        })
                    })
                    .transpose()?;
                let password = password.as_ref().map(|p| p.expose());
                if preview {
                    Ok(State {
                        backend: Backend::Postgres(Postgres::open_preview(
                            url,
                            password,
                            daemon.lease,
                        )?),
                    })
                } else {
                    State::open_postgres(url, password, daemon.lease)
                }
            }
            None if preview => State::open_preview(&daemon.state_dir),
            None => State::open(&daemon.state_dir),
        }
    }

    /// Where the state lives: the SQLite file, or the PostgreSQL URL without its password.
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Sqlite(b) => b.path().display().to_string(),
            Backend::Postgres(b) => b.location().to_string(),
        }
    }

    /// Whether the state is a SQLite database read where it is kept, in a
    /// directory no user may write (a read-only mount, an immutable
    /// directory: a backup, evidence handed over), changing nothing there
    /// (see [`Sqlite::open_preview`]).
    pub fn kept_read_only(&self) -> bool {
        match &self.backend {
            Backend::Sqlite(b) => b.kept_read_only(),
            Backend::Postgres(_) => false,
        }
    }

    /// The PostgreSQL backend, when the state is shared by a fleet of replicas.
    pub fn shared(&self) -> Option<&Postgres> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(b) => Some(b),
        }
    }

    /// Flushes what a clean shutdown should leave on disk (SQLite: moves
    /// the write-ahead log into the database file; PostgreSQL: nothing to do).
    pub fn checkpoint(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(b) => b.checkpoint(),
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// The pending outbox entries due by `now` that this process may send,
    /// except entries of the `skip` channels: all of them with SQLite; with
    /// PostgreSQL those it claimed for the lease time (no other replica
    /// sends them meanwhile; a replica that dies leaves them to the others
    /// under the same ids).
    pub fn claim_due(&self, now: i64, skip: &[String]) -> Result<Vec<OutboxEntry>> {
        match &self.backend {
            Backend::Sqlite(b) => Ok(b
                .outbox(Some(OutboxStatus::Pending), Some(now))?
                .into_iter()
                .filter(|e| !skip.contains(&e.channel))
                .collect()),
            Backend::Postgres(b) => b.claim_outbox(now, skip),
        }
    }

    /// Whether this process may send the outbox entry (`alert_id`,
    /// `channel`) it claimed, now, in one attempt lasting up to `send_for`:
    /// always with SQLite; with PostgreSQL when the claim is still this
    /// replica's, and then it is extended to cover the attempt. Either way
    /// the entry then reads as being sent (`outbox list`, `status`) until
    /// the attempt is settled or its time limit runs out. A claim that
    /// lapsed while earlier sends were slow, and that another replica took
    /// over, is that replica's to send: sending it here too would deliver it
    /// twice.
    pub fn hold_claim(&self, alert_id: &str, channel: &str, send_for: Duration) -> Result<bool> {
        match &self.backend {
            Backend::Sqlite(b) => {
                // One process sends: the entry is ours; record the attempt
                // so that `outbox list` shows it under way until its limit.
                let now = chrono::Utc::now().timestamp();
                let limit = i64::try_from(send_for.as_millis().div_ceil(1000)).unwrap_or(i64::MAX);
                b.mark_sending(alert_id, channel, now, now.saturating_add(limit))?;
                Ok(true)
            }
            Backend::Postgres(b) => b.hold_claim(alert_id, channel, send_for),
        }
    }

    /// Whether this process runs the fleet-wide `job` (digests, pruning):
    /// always with SQLite (one process); with PostgreSQL when it holds (or
    /// takes) the job's leader lease.
    pub fn lead(&self, job: &str) -> Result<bool> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(true),
            Backend::Postgres(b) => b.lead(job),
        }
    }

    /// Keeps other processes from checking `watch` until the turn ends
    /// ([`CheckTurn::end`]). With SQLite, waits for another process's check
    /// of it to end, then holds a lock per watch (see [`super::CheckLocks`];
    /// none for a dry run). With PostgreSQL, the watch's lease: a replica
    /// checks only watches it leased; another process (`presswatch check`)
    /// takes the lease for the check, through the fleet's leasing, and
    /// leaves a watch that another process holds a lease on now (it is
    /// checking it) to that one: [`NoLease::Held`] names it.
    pub async fn one_check_at_a_time(
        &self,
        watch: &str,
    ) -> std::result::Result<CheckTurn, NoLease> {
        Ok(match &self.backend {
            Backend::Sqlite(b) => CheckTurn {
                _lock: b.one_check_at_a_time(watch).await,
                lease: None,
            },
            Backend::Postgres(b) => CheckTurn {
                _lock: None,
                lease: b.lease_for_check(watch)?,
            },
        })
    }

    /// Whether this process may store the check of `watch` it is about to
    /// store: false only when it is a fleet replica whose lease on the watch
    /// expired during the check and moved to another replica, which may
    /// have checked the watch and stored a newer version meanwhile. When
    /// true, a held lease is renewed for another lease time, so it cannot
    /// move while the check stores its result.
    pub fn confirm_lease(&self, watch: &str) -> Result<bool> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(true),
            Backend::Postgres(b) => b.confirm_lease(watch),
        }
    }

    /// The fleet (replicas, leases, queue depth), when the state is shared.
    pub fn fleet(&self) -> Result<Option<FleetView>> {
        self.shared().map(|b| b.fleet()).transpose()
    }

    /// Where each of `watches` stands on the fleet's shared schedule, and
    /// the database's time (Unix ms), when the state is shared.
    pub fn fleet_schedule(
        &self,
        watches: &[String],
    ) -> Result<Option<(Vec<super::OnSchedule>, i64)>> {
        self.shared().map(|b| b.schedule_of(watches)).transpose()
    }
}

/// A check's hold on its watch, from reading its state to storing its
/// result (see [`State::one_check_at_a_time`]).
pub struct CheckTurn {
    /// SQLite: the watch's lock, released when dropped.
    _lock: Option<super::CheckGuard>,
    /// PostgreSQL: the watch's lease, when this check took it.
    lease: Option<CheckLease>,
}

impl CheckTurn {
    /// Ends the turn: a lease taken for the check is handed back with the
    /// check's state (see [`CheckLease::hand_back`]); a lock is released.
    pub fn end(self) -> std::result::Result<(), String> {
        match self.lease {
            Some(lease) => lease.hand_back(),
            None => Ok(()),
        }
    }
}

/// Forwards each listed operation to the configured backend.
macro_rules! forward {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        impl State {
            $(
                $(#[$doc])*
                pub fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match &self.backend {
                        Backend::Sqlite(b) => b.$name($($arg),*),
                        Backend::Postgres(b) => b.$name($($arg),*),
                    }
                }
            )*
        }
    };
}

forward! {
    /// The state of a watch (default when never checked).
    fn watch(&self, watch: &str) -> Result<WatchState>;
    /// Stores the state of a watch; [`Durability::Lazy`] commits do not wait for the disk.
    fn save_watch(&self, watch: &str, s: &WatchState, durability: Durability) -> Result<()>;
    /// Sets when a watch is next due (Unix s), when the daemon schedules it
    /// between checks (a reload that shortens its interval, a watch the
    /// daemon takes on); the rest of its state is left as its last check
    /// saved it. A watch never checked gets a state holding only this due
    /// time, so that `status` shows when its first check comes.
    fn set_next_due(&self, watch: &str, due: i64) -> Result<()>;
    /// The kind and URL a watch had at its last check that worked (`None`
    /// before one, and for a watch last checked by a presswatch that did
    /// not record them).
    fn checked_as(&self, watch: &str) -> Result<Option<(String, String)>>;
    /// Whether a watch has ever recorded items (a first listing check does not alert).
    fn has_seen_items(&self, watch: &str) -> Result<bool>;
    /// The title last recorded of each of `keys` seen before for this
    /// watch, with whether the source gave it.
    fn seen_titles(&self, watch: &str, keys: &[&str]) -> Result<std::collections::HashMap<String, crate::retitle::Recorded>>;
    /// The titles each of these items carried before (in
    /// [`crate::retitle::title_key`] form), each with whether the item was
    /// retitled to it; items with none are left out.
    fn item_titles(&self, watch: &str, keys: &[&str]) -> Result<std::collections::HashMap<String, std::collections::HashMap<String, bool>>>;
    /// Which of these item links were seen before for this watch, under
    /// whatever key, each with the title it was seen under.
    fn seen_links(&self, watch: &str, urls: &[&str]) -> Result<std::collections::HashSet<(String, String)>>;
    /// The new items of a `follow = true` watch whose article could not be
    /// read yet, each with how many checks tried.
    fn follow_tries(&self, watch: &str) -> Result<Vec<FollowTry>>;
    /// Stores what one check leaves behind ([`Checked`]), all of it or
    /// nothing, in one transaction: the versions it accepted, oldest first
    /// (each with its raw snapshot; only the newest `keep` stay), its events
    /// (a move, a takedown or restore), its items and titles, its alerts
    /// into the outbox (one entry per channel; an alert id queued before
    /// adds nothing and keeps the payload it was queued with), the kind and
    /// URL it worked under, and the watch's state. Returns how many old
    /// versions were pruned.
    fn save_check(&self, watch: &str, s: &WatchState, check: &Checked, durability: Durability) -> Result<usize>;
    /// The kept versions of a watch, oldest first.
    fn versions(&self, watch: &str) -> Result<Vec<VersionRow>>;
    /// The newest version of a watch (`None` before its first).
    fn latest(&self, watch: &str) -> Result<Option<VersionRow>>;
    /// The newest `n` versions of a watch, oldest first.
    fn newest_versions(&self, watch: &str, n: usize) -> Result<Vec<VersionRow>>;
    /// The moves, takedowns and restores of a watch since its oldest kept version, oldest first.
    fn events(&self, watch: &str) -> Result<Vec<WatchEvent>>;
    /// The stored body of a version.
    fn version_body(&self, watch: &str, seq: i64) -> Result<Option<String>>;
    /// Outbox entries, filtered by status; `due_by` limits them to those due by then.
    fn outbox(&self, status: Option<OutboxStatus>, due_by: Option<i64>) -> Result<Vec<OutboxEntry>>;
    /// Marks an entry delivered (a lazy commit: at worst it is sent again under the same id).
    fn mark_sent(&self, alert_id: &str, channel: &str, now: i64) -> Result<()>;
    /// Records a failed attempt at `now`: retry at `next_attempt`, or dead when `None`.
    fn mark_failed(&self, alert_id: &str, channel: &str, error: &str, now: i64, next_attempt: Option<i64>) -> Result<()>;
    /// Makes unsent entries (all, or of one alert) pending and due now, and
    /// enables channels disabled by a 410. An entry being sent at `now` (an
    /// attempt under way, see [`State::hold_claim`]) is left to that attempt:
    /// retrying it would make it read as due while it is sent, and the
    /// attempt settles it anyway. Returns how many entries were made due.
    fn retry(&self, alert_id: Option<&str>, now: i64) -> Result<usize>;
    /// Drops unsent entries (all, or of one alert, or of one channel, or
    /// both). An entry being sent at `now` (an attempt under way, see
    /// [`State::hold_claim`]) is kept, as by `retry`: the attempt may still
    /// deliver it, so dropping it would not keep it from the receiver.
    /// Returns how many were dropped.
    fn drop_entries(&self, alert_id: Option<&str>, channel: Option<&str>, now: i64) -> Result<usize>;
    /// Makes the entries of `channel` that failed and wait for their next
    /// try due at `now`, as a reload that changed the channel does (the
    /// backoff its old settings earned no longer holds). An entry being
    /// sent is left to its attempt, and dead ones stay dead (`outbox
    /// retry` sends them). Returns how many.
    fn retry_channel_now(&self, channel: &str, now: i64) -> Result<usize>;
    /// Forgets delivered alerts sent before `before` (Unix time).
    fn prune_delivered(&self, before: i64) -> Result<usize>;
    /// The undelivered entries of each channel that has any, by how they
    /// wait at Unix time `now`.
    fn outbox_queues(&self, now: i64) -> Result<Vec<ChannelQueue>>;
    /// Why a channel is disabled, if it is.
    fn channel_disabled(&self, channel: &str) -> Result<Option<DisabledChannel>>;
    /// Disables a channel until its target changes or `outbox retry`; `None` enables it.
    fn set_channel_disabled(&self, channel: &str, disabled: Option<&DisabledChannel>) -> Result<()>;
    /// Unix time the channel's last digest went out.
    fn last_digest(&self, channel: &str) -> Result<Option<i64>>;
    /// Marks a digest's entries sent and records when, in one transaction.
    fn mark_digest_sent(&self, channel: &str, alert_ids: &[String], now: i64) -> Result<()>;
    /// Undelivered entries, of one watch or all.
    fn pending_count(&self, watch: Option<&str>) -> Result<i64>;
    /// Fails unless the database takes writes right now (health checks).
    fn check_writable(&self) -> Result<()>;
    /// The earlier alerts about a watch, for mail threading.
    fn thread(&self, watch: &str, alert_id: &str) -> Result<Thread>;
    /// This installation's id: random, made when the state was created.
    fn installation_id(&self) -> Result<String>;
    /// Kept snapshots, of one watch or all, oldest first.
    fn snapshots(&self, watch: Option<&str>) -> Result<Vec<Snapshot>>;
    /// A kept body, decompressed, by its SHA-256; `None` when not kept;
    /// what is wrong with it when it no longer decodes (damaged).
    fn snapshot_body(&self, sha256: &str) -> Result<Option<KeptBytes>>;
    /// Compressed bytes of all kept bodies.
    fn raw_usage(&self) -> Result<i64>;
    /// Re-hashes every kept body; returns how many were checked and the
    /// mismatches. `progress` hears how many are checked, and of how many.
    fn verify_snapshots(&self, progress: &mut dyn FnMut(usize, usize)) -> Result<(usize, Vec<Mismatch>)>;
    /// The watches that have kept versions, by name.
    fn watches_with_versions(&self) -> Result<Vec<String>>;
}
