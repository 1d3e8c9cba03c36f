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
use crate::notify::{self, Installation, Outgoing, RetryPolicy};
use crate::scheduler::Scheduler;
use crate::store::{ChannelPeer, FleetHosts, Lease, Postgres, ScheduleAhead, State, StateError};

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
    /// Its channels' settings as announced ([`channel_settings`]).
    channels: Vec<String>,
    /// The channels whose settings differ on another live replica, as
    /// last logged.
    channel_differences: Vec<ChannelDifference>,
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

/// Each channel's settings as replicas compare them: `name=hash`, the
/// hash (SHA-256, shortened) of the channel as this config defines it
/// (URL or server and recipients, format, secrets' sources, digest,
/// kinds). A reload that edits a channel changes its hash.
pub fn channel_settings(config: &Config) -> Vec<String> {
    config
        .channels
        .iter()
        .map(|c| {
            let hash = crate::document::sha256_hex(format!("{c:?}").as_bytes());
            format!("{}={}", c.name, &hash[..16])
        })
        .collect()
}

/// Which replica's settings a channel's alerts go out with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sender {
    /// This replica's: it sends them.
    Here,
    /// The other replica's: this one leaves the channel to it.
    There,
}

/// A channel whose settings differ between this replica and another live one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChannelDifference {
    channel: String,
    replica: String,
    here: Sender,
    /// This replica's config lacks the channel.
    lacked_here: bool,
}

/// The channels whose settings differ between `mine` and live `peers`,
/// and who sends each: the replica that loaded its config (started or
/// reloaded) last, as ops deploying an edit expect; a replica whose config
/// lacks a channel leaves it to those that have it. A channel only this
/// replica has is its own.
fn channel_differences(mine: &[String], peers: &[ChannelPeer]) -> Vec<ChannelDifference> {
    let split = |s: &String| -> (String, String) {
        let (name, hash) = s.rsplit_once('=').unwrap_or((s, ""));
        (name.to_string(), hash.to_string())
    };
    let mine: std::collections::HashMap<String, String> = mine.iter().map(split).collect();
    let mut out = Vec::new();
    for peer in peers {
        for (channel, hash) in peer.channels.iter().map(split) {
            let (here, lacked_here) = match mine.get(&channel) {
                Some(h) if *h == hash => continue,
                None => (Sender::There, true),
                Some(_) if peer.newer => (Sender::There, false),
                Some(_) => (Sender::Here, false),
            };
            out.push(ChannelDifference {
                channel,
                replica: peer.replica.clone(),
                here,
                lacked_here,
            });
        }
    }
    out
}

/// The channels whose alerts this process leaves to other replicas of the
/// fleet: those that another live replica defines otherwise and loaded its
/// config after this one (a channel edited and reloaded there), and those
/// this config lacks and another's has. The outbox is shared, and an alert
/// goes out with the settings of the replica that sends it, whichever
/// enqueued it: without this, a replica still running a channel's old
/// settings (a mistyped URL ops fixed and reloaded on another replica)
/// kept sending to them. Empty without a fleet, and for a process that is
/// no replica (`presswatch check`), which sends with its own config.
pub fn channels_left_to_others(config: &Config, state: &State) -> Result<Vec<String>, String> {
    let Some(pg) = state.shared() else {
        return Ok(Vec::new());
    };
    let peers = pg.channel_peers().map_err(|e| e.to_string())?;
    if peers.is_empty() {
        return Ok(Vec::new());
    }
    let mut left: Vec<String> = channel_differences(&channel_settings(config), &peers)
        .into_iter()
        .filter(|d| d.here == Sender::There)
        .map(|d| d.channel)
        .collect();
    left.sort();
    left.dedup();
    Ok(left)
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
            channels: channel_settings(config),
            channel_differences: Vec::new(),
            initial_due: Vec::new(),
            outages: 0,
            leased_in: std::collections::HashMap::new(),
            removed: Vec::new(),
            outage: None,
            installation: Installation::of(config, state)?,
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
        self.channels = channel_settings(config);
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
        let changed = others != self.mismatched;
        self.mismatched = others;
        if changed {
            self.log_channel_differences();
        }
        if converged {
            self.retire_others();
        }
    }

    /// Says, naming each channel, which channels another live replica
    /// sends to with other settings, and which replica's alerts of them go
    /// out with whose settings (see [`channels_left_to_others`]).
    fn log_channel_differences(&mut self) {
        let peers = match self.pg.channel_peers() {
            Ok(p) => p,
            Err(e) => return self.failed(e),
        };
        let now = channel_differences(&self.channels, &peers);
        for d in now.iter().filter(|d| !self.channel_differences.contains(d)) {
            let (channel, other) = (&d.channel, &d.replica);
            match d.here {
                Sender::There if d.lacked_here => {
                    tracing::warn!(replica = %self.id(), channel = %channel, other = %other,
                    "channel {channel:?} is not in this replica's config but is in replica {other}'s: this replica leaves the channel's alerts to the replicas that have it; deploy the same config to every replica and send SIGHUP")
                }
                Sender::There => {
                    tracing::warn!(replica = %self.id(), channel = %channel, other = %other,
                    "channel {channel:?} has other settings on replica {other}, which loaded its config after this one: this replica leaves the channel's alerts to the replicas with those settings, and sends them again once it runs them; deploy the same config to every replica and send SIGHUP")
                }
                Sender::Here => {
                    tracing::warn!(replica = %self.id(), channel = %channel, other = %other,
                    "channel {channel:?} has other settings on replica {other}, which loaded its config before this one: the channel's alerts are sent from replicas with this config's settings; deploy the same config to every replica and send SIGHUP")
                }
            }
        }
        self.channel_differences = now;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str, channels: &[&str], newer: bool) -> ChannelPeer {
        ChannelPeer {
            replica: id.into(),
            channels: channels.iter().map(|c| c.to_string()).collect(),
            newer,
        }
    }

    /// Who sends a channel whose settings differ between replicas: the
    /// replica that loaded its config last; one whose config lacks the
    /// channel leaves it to those that have it; a channel set alike, or
    /// only this replica has, is no difference.
    #[test]
    fn the_replica_that_loaded_its_config_last_sends_a_channel_defined_otherwise() {
        let mine: Vec<String> = ["hook=aaa", "mail=bbb", "only-here=ccc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let peers = [
            peer("newer", &["hook=xxx", "mail=bbb", "only-there=ddd"], true),
            peer("older", &["hook=yyy", "mail=zzz"], false),
        ];
        let got: Vec<(String, String, Sender, bool)> = channel_differences(&mine, &peers)
            .into_iter()
            .map(|d| (d.channel, d.replica, d.here, d.lacked_here))
            .collect();
        let s = |c: &str, r: &str, h, l| (c.to_string(), r.to_string(), h, l);
        assert_eq!(
            got,
            [
                s("hook", "newer", Sender::There, false),
                s("only-there", "newer", Sender::There, true),
                s("hook", "older", Sender::Here, false),
                s("mail", "older", Sender::Here, false),
            ]
        );
        // A name with '=' in it splits at the hash.
        let mine = vec!["a=b=111".to_string()];
        assert!(channel_differences(&mine, &[peer("p", &["a=b=111"], true)]).is_empty());
    }
}
