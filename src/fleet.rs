//! This process as one replica of a fleet: several `presswatch run`
//! processes with the same config and one PostgreSQL `state_url`. The
//! daemon asks its [`Replica`] which watches to check (leased in the
//! database, see [`crate::store::Postgres::lease_due`]) instead of keeping
//! the schedule itself; fetches take the fleet's per-host tokens; delivery
//! claims outbox entries; digests and pruning run on the leader.
//!
//! The replica also watches the database: when it cannot be reached,
//! checks pause (no watch can be leased, no host token taken), nothing is
//! lost (a check's alerts and baseline are committed together or not at
//! all, and the watch stays due), and one ops alert goes out.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::alert::Alert;
use crate::compare::ChangeKind;
use crate::config::Config;
use crate::notify::agreement::{announced, channel_differences, ChannelDifference, Unsent};
use crate::notify::{self, Installation, Outgoing, RetryPolicy};
use crate::scheduler::Scheduler;
use crate::store::{FleetHosts, Lease, Postgres, ScheduleAhead, State, StateError};

/// This process's membership in a fleet.
///
/// Its round trips to the database are batched: due watches are leased a
/// batch at a time (the free permits plus `concurrency` more, queued here
/// until a permit frees), checked watches are handed back together (at
/// the next lease, once a batch has gathered, or at the next heartbeat),
/// and leases are renewed every third of the lease time.
///
/// In a fleet whose replicas run different configs, a replica leases only
/// the watches of its own: one it leased without having it is handed back
/// at once, due as it was, and passed over from then on, so the replicas
/// that have it check it on time.
pub struct Replica {
    pg: Postgres,
    config_hash: String,
    /// How many leased watches may wait here for a permit (`concurrency`).
    batch: usize,
    /// Watches leased and not yet started, earliest due first.
    queued: VecDeque<Lease>,
    /// Checked (or passed over) watches and their next due times, not yet
    /// handed back.
    finished: Vec<(String, i64)>,
    /// Watches on the shared schedule that this replica's config lacks
    /// (another replica's config has them): never leased here.
    foreign: Vec<String>,
    /// When this replica last renewed its leases.
    renewed: Instant,
    /// The other replicas whose config differs, as last logged.
    mismatched: Vec<(String, String)>,
    /// The watches of this replica's config.
    watches: Vec<String>,
    /// Its channels' settings as announced ([`crate::notify::agreement::channel_settings`]), each
    /// with what it is set to ([`crate::notify::agreement::channel_view`]).
    channels: Vec<(String, String)>,
    /// The channels this replica does not send because of another
    /// replica's config, as last logged.
    channel_differences: Vec<ChannelDifference>,
    /// Its config file, as the commands it tells ops to run name it.
    config_path: std::path::PathBuf,
    /// When each of `watches` was due at the latest when this replica put
    /// them on the schedule: when it comes back from a stall, it puts any
    /// that were taken off meanwhile back on, due by then.
    initial_due: Vec<i64>,
    /// Outages of the database since this replica joined.
    outages: u64,
    /// The leased watches not handed back yet, each with the count of
    /// outages when it was leased: a lease lost to an outage meanwhile
    /// says so, not that the check took longer than the lease.
    leased_in: std::collections::HashMap<String, u64>,
    /// Watches a reload removed while their checks ran, handed back with
    /// the next batch: the shared schedule may have dropped them meanwhile.
    removed: Vec<String>,
    outage: Option<Outage>,
    installation: Installation,
    /// The shared schedule as the last lease statement read it, and when.
    ahead: Option<(ScheduleAhead, Instant)>,
}

/// The database has been unreachable since `since` (Unix s).
struct Outage {
    since: i64,
    error: String,
    alerted: bool,
}

/// The hash `status` shows and replicas compare: SHA-256 of the config
/// as TOML, shortened, without `daemon.listen`. That address is each
/// replica's own (replicas on one machine need a port each), not a setting
/// the fleet shares: with it, replicas deployed one config apart from it
/// read as running different configs, and were told to deploy one config
/// they already run. Comments and layout do not count either. A file that
/// does not read as TOML is hashed as it is.
pub fn config_hash(config: &Config) -> String {
    let bytes = std::fs::read(&config.path).unwrap_or_default();
    let shared = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| s.parse::<toml::Table>().ok())
        .and_then(|mut t| {
            if let Some(toml::Value::Table(daemon)) = t.get_mut("daemon") {
                daemon.remove("listen");
            }
            toml::to_string(&t).ok()
        })
        .map(String::into_bytes)
        .unwrap_or(bytes);
    crate::document::sha256_hex(&shared)[..16].to_string()
}

impl Replica {
    /// Joins the fleet when the state is shared (`None` with SQLite): the
    /// fetcher's host gates become the fleet's, and the replica announces
    /// itself and its config hash.
    pub fn join(
        config: &Config,
        state: &State,
        fetcher: &crate::fetch::Fetcher,
    ) -> Result<Option<Replica>, String> {
        let Some(pg) = state.shared() else {
            return Ok(None);
        };
        fetcher.share_hosts(Arc::new(FleetHosts::new(pg.clone())));
        let installation = Installation::of(config, state)?;
        let mut replica = Replica {
            pg: pg.clone(),
            config_hash: config_hash(config),
            batch: config.daemon.concurrency.max(1),
            queued: VecDeque::new(),
            finished: Vec::new(),
            foreign: Vec::new(),
            renewed: Instant::now(),
            mismatched: Vec::new(),
            watches: config.watches.iter().map(|w| w.name.clone()).collect(),
            channels: announced(config, &installation.id),
            channel_differences: Vec::new(),
            config_path: config.path.clone(),
            initial_due: Vec::new(),
            outages: 0,
            leased_in: std::collections::HashMap::new(),
            removed: Vec::new(),
            outage: None,
            installation,
            ahead: None,
        };
        let others = replica
            .pg
            .register_replica(&replica.config_hash, &replica.watches, &replica.channels)
            .map_err(|e| e.to_string())?;
        replica.log_mismatches(others);
        tracing::info!(replica = %replica.id(), config_hash = %replica.config_hash,
            lease_secs = replica.pg.lease_ms() / 1000, "joined the fleet");
        Ok(Some(replica))
    }

    /// This replica's id (`host:pid:random`).
    pub fn id(&self) -> &str {
        self.pg.replica()
    }

    /// Announces a reloaded config.
    pub fn reconfigured(&mut self, config: &Config) {
        self.config_hash = config_hash(config);
        self.batch = config.daemon.concurrency.max(1);
        self.watches = config.watches.iter().map(|w| w.name.clone()).collect();
        self.channels = announced(config, &self.installation.id);
        self.config_path = config.path.clone();
        match self
            .pg
            .register_replica(&self.config_hash, &self.watches, &self.channels)
        {
            Ok(others) => self.log_mismatches(others),
            Err(e) => self.failed(e),
        }
    }

    fn log_mismatches(&mut self, others: Vec<(String, String)>) {
        if others != self.mismatched && !others.is_empty() {
            let list: Vec<String> = others.iter().map(|(id, h)| format!("{id} ({h})")).collect();
            tracing::warn!(replica = %self.id(), config_hash = %self.config_hash, others = %list.join(", "),
                "replicas of this fleet run different configs: deploy the same config to every replica and send SIGHUP");
        }
        let converged = !self.mismatched.is_empty() && others.is_empty();
        self.mismatched = others;
        // Each time, not only when the configs the live replicas run
        // change: a replica that left without a clean stop holds a channel
        // until ops forget it, which changes no live replica's config.
        self.log_channel_differences();
        if converged {
            self.retire_others();
        }
    }

    /// Says, naming each channel, which channels this replica does not
    /// send because of another live replica's config (see
    /// [`crate::notify::agreement::channels_not_sent_here`]): loudly while live replicas define a
    /// channel differently, as its alerts wait until they agree; and
    /// when they agree again.
    fn log_channel_differences(&mut self) {
        let peers = match self.pg.channel_peers() {
            Ok(p) => p,
            Err(e) => return self.failed(e),
        };
        let mine: Vec<String> = self.channels.iter().map(|(s, _)| s.clone()).collect();
        let now = channel_differences(&mine, &peers);
        let group = |list: &[ChannelDifference], held: &[Unsent]| -> Vec<(String, Vec<String>)> {
            let mut out: Vec<(String, Vec<String>)> = Vec::new();
            for d in list.iter().filter(|d| held.contains(&d.why)) {
                match out.iter_mut().find(|(c, _)| *c == d.channel) {
                    Some((_, replicas)) => replicas.push(d.replica.clone()),
                    None => out.push((d.channel.clone(), vec![d.replica.clone()])),
                }
            }
            out
        };
        let replicas = |n: usize| if n == 1 { "replica" } else { "replicas" };
        let contested = [Unsent::Contested];
        let (before, after) = (
            group(&self.channel_differences, &contested),
            group(&now, &contested),
        );
        for (channel, others) in after.iter().filter(|c| !before.contains(c)) {
            tracing::error!(replica = %self.id(), channel = %channel, others = %others.join(", "),
                "channel {channel:?} is set differently on {} {} than on this replica: no replica sends its alerts until every replica runs the same settings for it (they wait in the outbox; nothing is lost or sent twice). Deploy one config to every host, then send each replica SIGHUP (`systemctl reload presswatch`) or restart it; `presswatch status` shows which replica holds which settings",
                replicas(others.len()), others.join(", "))
        }
        let left = [Unsent::Left];
        let (left_before, left_after) =
            (group(&self.channel_differences, &left), group(&now, &left));
        let config = self.config_path.display();
        for (channel, gone) in left_after.iter().filter(|c| !left_before.contains(c)) {
            let forget: Vec<String> = (gone.iter())
                .map(|id| format!("`presswatch fleet forget {id} --config {config}`"))
                .collect();
            tracing::error!(replica = %self.id(), channel = %channel, left = %gone.join(", "),
                "{} {}, which set{} channel {channel:?} otherwise than this replica, left without a clean stop (killed, crashed, or cut off from the database for longer than daemon.lease): {} settings still hold the channel, and no replica sends its alerts (they wait in the outbox; nothing is lost or sent twice), as presswatch cannot tell whose settings are the right ones. If {} are the fix, deploy them to this host and send SIGHUP (`systemctl reload presswatch`), or start a replica with them beside this one and deploy them here; if they are the old ones, run {}; `presswatch status` shows both settings",
                replicas(gone.len()), gone.join(", "),
                if gone.len() == 1 { "s" } else { "" },
                if gone.len() == 1 { "its" } else { "their" },
                if gone.len() == 1 { "its" } else { "theirs" },
                forget.join(" and "))
        }
        let held = [Unsent::Contested, Unsent::Left];
        let (held_before, held_after) =
            (group(&self.channel_differences, &held), group(&now, &held));
        for (channel, others) in held_before
            .iter()
            .filter(|(c, _)| !held_after.iter().any(|(a, _)| a == c))
        {
            // A replica that stopped cleanly, or that ops forgot, no
            // longer counts: the settings left are sent with, which may be
            // the stale ones.
            let gone: Vec<&str> = (others.iter())
                .filter(|o| !peers.iter().any(|p| &p.replica == *o))
                .map(String::as_str)
                .collect();
            if gone.is_empty() {
                tracing::info!(replica = %self.id(), channel = %channel,
                    "channel {channel:?} is no longer set differently by another replica: its alerts that waited are sent now")
            } else {
                tracing::warn!(replica = %self.id(), channel = %channel, gone = %gone.join(", "),
                    "channel {channel:?} is no longer set differently by another replica: {} {}, which set it otherwise, stopped cleanly or was forgotten (`presswatch fleet forget`), and the channel's alerts that waited are sent now with this replica's settings; if those are the old ones, deploy the fixed config here and send SIGHUP",
                    replicas(gone.len()), gone.join(", "))
            }
        }
        for d in now.iter().filter(|d| d.why == Unsent::LackedHere) {
            if self.channel_differences.contains(d) {
                continue;
            }
            let (channel, other) = (&d.channel, &d.replica);
            tracing::warn!(replica = %self.id(), channel = %channel, other = %other,
                "channel {channel:?} is not in this replica's config but is in replica {other}'s: this replica leaves the channel's alerts to the replicas that have it; deploy the same config to every replica and send SIGHUP")
        }
        self.channel_differences = now;
    }

    /// The channels whose alerts no replica sends as the live replicas
    /// define them differently, or a live one otherwise than one that left
    /// without a clean stop, as last looked at (for the status line).
    pub fn held_channels(&self) -> Vec<&str> {
        let mut held: Vec<&str> = (self.channel_differences.iter())
            .filter(|d| matches!(d.why, Unsent::Contested | Unsent::Left))
            .map(|d| d.channel.as_str())
            .collect();
        held.sort_unstable();
        held.dedup();
        held
    }

    /// Once every live replica runs this replica's config, takes the
    /// watches it lacks off the shared schedule: no replica checks them any
    /// more. (The database takes off only those no live replica's config
    /// has: see [`Postgres::unschedule_others`].)
    fn retire_others(&mut self) {
        match self.pg.unschedule_others(&self.watches) {
            Ok(0) => {}
            Ok(n) => tracing::info!(replica = %self.id(), watches = n,
                "every replica runs this config now: watches no longer in it are taken off the fleet's schedule"),
            Err(e) => self.failed(e),
        }
    }

    /// Puts the config's watches on the shared schedule (new ones due
    /// within the start-up spread) and takes off it the watches that no
    /// live replica's config has (the database decides, from the watches
    /// each replica announced: a replica that started a moment ago, or runs
    /// another config, keeps its own); the config's watches are leased
    /// here again if they were passed over.
    /// Those in `refetch` (name, due time), which a reload made fetched
    /// differently, are due by then, their failures and backoff forgotten.
    pub fn schedule(
        &mut self,
        config: &Config,
        sched: Scheduler,
        now_ms: i64,
        refetch: &[(String, i64)],
    ) -> Result<(), String> {
        let names: Vec<String> = config.watches.iter().map(|w| w.name.clone()).collect();
        self.foreign.retain(|w| !names.contains(w));
        let due: Vec<i64> = config
            .watches
            .iter()
            .map(|w| sched.initial_due(now_ms, None, None, w.interval))
            .collect();
        self.initial_due = due.clone();
        // A deadlock with another replica's hand-back aborts one of the two
        // writes: the schedule is tried again before it counts as failed.
        let write = |pg: &Postgres| pg.schedule_watches(&names, &due, refetch);
        let mut done = write(&self.pg);
        for _ in 0..2 {
            if done.is_ok() {
                break;
            }
            done = write(&self.pg);
        }
        match done {
            Ok(()) => {
                self.recovered();
                // What the status line says until the first lease.
                self.look(0);
                Ok(())
            }
            Err(e) => {
                let message = e.to_string();
                self.failed(e);
                Err(message)
            }
        }
    }

    /// Up to `n` leased watches to check now (none while the database is
    /// away): queued ones first; when those do not cover `n`, the checked
    /// watches are handed back and a batch leased, `n` and the queue's
    /// `concurrency` more, in one round trip each. Fewer than `n` means no
    /// more watches are due now.
    pub fn lease(&mut self, n: usize) -> Vec<Lease> {
        if n == 0 {
            return Vec::new();
        }
        self.drop_stale_queue();
        if self.queued.len() < n {
            self.hand_back();
            let want = n + self.batch - self.queued.len();
            self.look(want);
        }
        let take = n.min(self.queued.len());
        let leases: Vec<Lease> = self.queued.drain(..take).collect();
        for l in &leases {
            self.leased_in.insert(l.watch.clone(), self.outages);
        }
        leases
    }

    /// Leases up to `want` due watches into the queue, and notes where the
    /// rest of the shared schedule stands (the same statement). It passes
    /// over the watches of other configs and those this replica has leased
    /// and not handed back: a check still running when its lease ran out
    /// (the database away meanwhile) is not leased and started again here.
    fn look(&mut self, want: usize) {
        let pass_over: Vec<String> = (self.foreign.iter())
            .chain(self.leased_in.keys())
            .cloned()
            .collect();
        let leased = self.pg.lease_and_look(want as i64, &pass_over);
        if let Some((leased, ahead)) = self.settle(leased) {
            self.queued.extend(leased);
            self.ahead = Some((ahead, Instant::now()));
        }
    }

    /// What comes next on the fleet's shared schedule, for the systemd
    /// status line, given the checks running here: "next check in 3m",
    /// "next check now", with the checks running here and the watches
    /// other replicas hold. Read from the last lease statement (no round
    /// trip of its own): the schedule the fleet follows, not this
    /// replica's guesses, which know nothing of the checks other replicas
    /// made.
    pub fn next_check(&self, running_here: usize) -> String {
        let next = match self.ahead {
            _ if self.database_away() => "checks paused: the state database is unreachable".into(),
            _ if !self.queued.is_empty() => "next check now".into(),
            None => "next check when the fleet's schedule is read".into(),
            Some((ahead, read)) => match ahead.next_due_ms {
                Some(due) => {
                    let now = ahead.now_ms + read.elapsed().as_millis() as i64;
                    if due > now {
                        format!(
                            "next check in {}",
                            crate::scheduler::human(Duration::from_millis((due - now) as u64))
                        )
                    } else {
                        "next check now".into()
                    }
                }
                None if ahead.leased_elsewhere > 0 || running_here > 0 => {
                    "every watch being checked".into()
                }
                None => "nothing scheduled".into(),
            },
        };
        let mut parts = vec![next];
        if running_here > 0 {
            parts.push(format!(
                "{} here",
                crate::text::plural(running_here, "check running", "checks running")
            ));
        }
        if let Some((ahead, _)) = self.ahead.filter(|(a, _)| a.leased_elsewhere > 0) {
            parts.push(format!(
                "{} leased to other replicas",
                crate::text::plural(ahead.leased_elsewhere as usize, "watch", "watches")
            ));
        }
        let held = self.held_channels();
        if !held.is_empty() {
            let names: Vec<String> = held.iter().map(|c| format!("{c:?}")).collect();
            parts.push(format!(
                "alerts of {} {} HELD: the replicas set {} differently{} (`presswatch status`)",
                if held.len() == 1 {
                    "channel"
                } else {
                    "channels"
                },
                names.join(", "),
                if held.len() == 1 { "it" } else { "them" },
                if self
                    .channel_differences
                    .iter()
                    .any(|d| d.why == Unsent::Left)
                {
                    ", one that left without a clean stop among them"
                } else {
                    ""
                }
            ));
        }
        parts.join(", ")
    }

    /// How long without renewing its leases this replica takes for a
    /// stall after which the leases it queued may have expired and moved.
    fn stale_after(&self) -> Duration {
        Duration::from_millis(self.pg.lease_ms().max(0) as u64 * 2 / 3)
    }

    /// Renews the leases when a stall (a paused VM, a starved process) may
    /// have let the queued ones expire; see [`Replica::heartbeat`].
    fn drop_stale_queue(&mut self) {
        if !self.queued.is_empty() && self.renewed.elapsed() >= self.stale_after() {
            self.heartbeat();
        }
    }

    /// After a stall of `stalled`, drops the queued leases this replica no
    /// longer holds: they expired and moved to other replicas, which check
    /// those watches; checked here too, they would be checked twice.
    fn drop_moved(&mut self, stalled: Duration) {
        if self.queued.is_empty() {
            return;
        }
        let queued: Vec<String> = self.queued.iter().map(|l| l.watch.clone()).collect();
        match self.pg.still_held(&queued) {
            Ok(kept) => {
                let before = self.queued.len();
                self.queued.retain(|l| kept.contains(&l.watch));
                if self.queued.len() < before {
                    tracing::warn!(replica = %self.id(), dropped = before - self.queued.len(),
                        stalled_ms = stalled.as_millis() as u64,
                        "this replica stalled for longer than its leases: watches it had leased and not started moved to other replicas, which check them");
                }
            }
            Err(e) => {
                // Their leases expire in the database; leased again then.
                self.pg.release(&queued);
                self.queued.clear();
                self.failed(e);
            }
        }
    }

    /// Hands a checked watch back with its next due time (with the next
    /// batch; the lease keeps it meanwhile).
    pub fn finish(&mut self, watch: &str, due_ms: i64) {
        self.finished.push((watch.to_string(), due_ms));
        if self.finished.len() >= self.batch {
            self.hand_back();
        }
    }

    /// Hands back the lease on a watch a reload removed from this replica's
    /// config while its check ran, due at `due_ms` (another replica's
    /// config may have it; once none has, it is off the schedule), and
    /// passes over it from then on. Kept, the lease would be renewed with
    /// the others for as long as this replica runs, and no replica would
    /// check the watch.
    pub fn removed(&mut self, watch: &str, due_ms: i64) {
        self.foreign.push(watch.to_string());
        self.removed.push(watch.to_string());
        self.finish(watch, due_ms);
    }

    /// Hands back, at once and due as they were, leased watches that this
    /// replica's config lacks (another replica's config has them), and
    /// passes over them from then on. Were they delayed instead, this
    /// replica, polling on its own rhythm, would be first to lease them
    /// again each time they fell due, and the replicas that have them
    /// might not get them for many rounds.
    pub fn pass_over(&mut self, leases: Vec<Lease>) {
        if leases.is_empty() {
            return;
        }
        for lease in leases {
            tracing::info!(watch = %lease.watch, replica = %self.id(),
                "this watch is on the fleet's schedule but not in this replica's config: left to the replicas whose config has it");
            self.foreign.push(lease.watch.clone());
            self.finished.push((lease.watch, lease.due_ms));
        }
        self.hand_back();
    }

    /// Hands the checked watches back with their next due times, in one
    /// round trip (in watch order, the order other multi-row writes of the
    /// schedule lock rows in). After an error (the database away, a
    /// deadlock) they wait for the next try, their leases renewed meanwhile.
    fn hand_back(&mut self) {
        if self.finished.is_empty() {
            return;
        }
        self.finished.sort_unstable();
        let (watches, due): (Vec<String>, Vec<Option<i64>>) = self
            .finished
            .iter()
            .map(|(watch, due)| (watch.clone(), Some(*due)))
            .unzip();
        match self.pg.finish_leases(&watches, &due) {
            Ok(done) => {
                self.recovered();
                for watch in &watches {
                    let leased_in = self.leased_in.remove(watch);
                    if done.contains(watch) || self.removed.contains(watch) {
                        continue;
                    }
                    if leased_in.is_some_and(|n| n != self.outages) {
                        tracing::warn!(watch = %watch, replica = %self.id(),
                            "the lease on this watch ran out while the state database was unreachable, and the watch moved to another replica, which checks it: nothing is lost, and no setting needs changing");
                    } else {
                        tracing::warn!(watch = %watch, replica = %self.id(),
                            "the lease on this watch expired during its check and moved to another replica (raise daemon.lease above the longest check)");
                    }
                }
                self.removed.clear();
                self.finished.clear();
            }
            Err(e) => self.failed(e),
        }
    }

    /// Each turn of the main loop's housekeeping: hands checked watches
    /// back, and every third of the lease time renews its leases and looks
    /// for config mismatches; after a stall, drops the queued leases that
    /// moved meanwhile.
    pub fn heartbeat(&mut self) {
        self.hand_back();
        let renew_every = Duration::from_millis(self.pg.lease_ms().max(0) as u64 / 3);
        if self.renewed.elapsed() < renew_every {
            return;
        }
        let since = self.renewed.elapsed();
        let beat = self
            .pg
            .heartbeat(&self.config_hash, &self.watches, &self.channels);
        if let Some(others) = self.settle(beat) {
            self.renewed = Instant::now();
            self.log_mismatches(others);
            if since >= self.stale_after() {
                self.drop_moved(since);
                self.reschedule();
            }
        }
    }

    /// After a stall (or an outage) long enough for the other replicas to
    /// count this one gone, puts the watches of its config that they took
    /// off the schedule meanwhile back on it: without this, a watch only
    /// this replica's config has would never be checked again.
    fn reschedule(&mut self) {
        if self.initial_due.len() != self.watches.len() {
            return;
        }
        match self
            .pg
            .schedule_watches(&self.watches, &self.initial_due, &[])
        {
            Ok(()) => {}
            Err(e) => self.failed(e),
        }
    }

    /// Whether the database is unreachable now.
    pub fn database_away(&self) -> bool {
        self.outage.is_some()
    }

    /// Hands the checked watches back, then gives up everything this
    /// replica holds (clean shutdown).
    pub fn resign(&mut self) {
        self.hand_back();
        if let Err(e) = self.pg.resign() {
            tracing::warn!(error = %e, "cannot hand this replica's leases back: they expire with the lease time");
        }
    }

    /// The value of a database call, noting an outage or its end.
    fn settle<T>(&mut self, r: Result<T, StateError>) -> Option<T> {
        match r {
            Ok(v) => {
                self.recovered();
                Some(v)
            }
            Err(e) => {
                self.failed(e);
                None
            }
        }
    }

    fn failed(&mut self, e: StateError) {
        if !e.is_unavailable() {
            tracing::error!(error = %e, "fleet coordination failed");
            return;
        }
        if self.outage.is_none() {
            self.outages += 1;
            tracing::error!(error = %e, "the state database is unreachable: checks pause until it is back; nothing is lost. Check that PostgreSQL runs and takes connections from this machine ({}); the replicas resume by themselves once it answers",
                self.pg.pg_isready());
            self.outage = Some(Outage {
                since: chrono::Utc::now().timestamp(),
                error: e.to_string(),
                alerted: false,
            });
        }
    }

    fn recovered(&mut self) {
        if let Some(o) = self.outage.take() {
            let secs = chrono::Utc::now().timestamp() - o.since;
            tracing::info!(
                away_secs = secs,
                "the state database is reachable again: checks resume"
            );
        }
    }

    /// The ops alert about an outage of the database, once per outage.
    /// Its id depends on the database and the ten minutes the outage began
    /// in, so the alerts of several replicas about one outage share an id
    /// (receivers drop the duplicates).
    pub fn outage_alert(&mut self) -> Option<(Alert, Installation)> {
        let o = self.outage.as_mut().filter(|o| !o.alerted)?;
        o.alerted = true;
        let location = self.pg.location().to_string();
        let bucket = (o.since / 600).to_string();
        let at = chrono::DateTime::from_timestamp(o.since, 0).unwrap_or_default();
        let alert = Alert {
            title: Some("presswatch cannot reach its state database".into()),
            error: Some(o.error.clone()),
            ..Alert::new(
                Alert::derive_id("presswatch-state-database", &[&location, &bucket]),
                "presswatch".into(),
                location.clone(),
                "presswatch".into(),
                ChangeKind::Error,
                format!(
                    "The state database {location} is unreachable: checks are paused until it is back. Check that PostgreSQL runs and takes connections from the replicas' machines ({}); they resume by themselves once it answers",
                    self.pg.pg_isready()
                ),
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
        };
        Some((alert, self.installation.clone()))
    }
}

/// Sends an ops alert straight to every channel that takes `error` alerts
/// (the outbox lives in the database that is away).
pub async fn send_ops_alert(
    config: &Config,
    http: &reqwest::Client,
    alert: &Alert,
    installation: &Installation,
) {
    let thread = crate::store::Thread::default();
    let policy = RetryPolicy::default();
    for channel in config
        .channels
        .iter()
        .filter(|c| c.takes(ChangeKind::Error))
    {
        let out = Outgoing::Alert(alert, &thread);
        match notify::send(channel, &out, http, &policy, installation).await {
            Ok(()) => {
                tracing::info!(channel = %channel.name, alert = %alert.id, "ops alert sent: state database unreachable")
            }
            Err(f) => {
                tracing::error!(channel = %channel.name, error = %f.message, "cannot send the ops alert")
            }
        }
    }
    if config.channels.is_empty() {
        println!("{}", alert.summary);
    }
}
