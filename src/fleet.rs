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
    /// Its channels' settings as announced ([`channel_settings`]), each
    /// with what it is set to ([`channel_view`]).
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

/// What a channel is set to, as `status` shows it beside the replicas that
/// hold it when they define the channel differently: one `key: value` line
/// per setting, without secrets. A secret shows where it is read from,
/// never its value; a webhook URL shows its scheme, host and port, and
/// in place of its path and query (where Slack, Discord and Teams put the
/// token) a fingerprint keyed by this installation's random id (see
/// [`crate::notify::Installation`]): two URLs that differ read differently,
/// and the fingerprint tells nothing of the token to whoever reads it
/// without the state database.
pub fn channel_view(channel: &crate::config::Channel, key: &str) -> String {
    use crate::config::{ChannelKind, SecretRef, SecretSource};
    let fingerprint = |s: &str| {
        let h = crate::document::sha256_hex(format!("{key}\0{s}").as_bytes());
        format!("#{}", &h[..8])
    };
    let secret = |s: &Option<SecretRef>| match s.as_ref().map(|s| &s.source) {
        None => "none".to_string(),
        Some(SecretSource::Env(var)) => format!("from environment variable {var}"),
        Some(SecretSource::File(path)) => format!("from file {}", path.display()),
        Some(SecretSource::Credential(name)) => {
            format!("from systemd credential {}", name.display())
        }
    };
    let mut lines = Vec::new();
    match &channel.kind {
        ChannelKind::Webhook(w) => {
            let u = &w.url;
            let hidden = !(u.path() == "/" && u.query().is_none() && u.username().is_empty());
            lines.push(format!(
                "url: {}://{}{}",
                u.scheme(),
                crate::net_error::host_port(u),
                if hidden {
                    format!("/… (path and query not shown: {})", fingerprint(u.as_str()))
                } else {
                    "/".into()
                }
            ));
            lines.push(format!("format: {:?}", w.format).to_lowercase());
            lines.push(format!("signing secret: {}", secret(&w.secret)));
        }
        ChannelKind::Email(e) => {
            lines.push(format!("server: {}:{} ({:?})", e.host, e.port, e.tls));
            lines.push(format!(
                "username: {}",
                e.username.as_deref().unwrap_or("none")
            ));
            lines.push(format!("password: {}", secret(&e.password)));
            lines.push(format!("from: {}", e.from));
            lines.push(format!("to: {}", e.to.join(", ")));
        }
    }
    lines.push(format!(
        "digest: {}",
        crate::notify::digest::describe(channel.digest)
    ));
    lines.push(format!(
        "kinds: {}",
        match &channel.kinds {
            None => "every kind".to_string(),
            Some(k) => k.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
        }
    ));
    lines.join("\n")
}

/// What this replica announces of its channels: each one's settings
/// ([`channel_settings`]) with what it is set to ([`channel_view`]).
fn announced(config: &Config, key: &str) -> Vec<(String, String)> {
    channel_settings(config)
        .into_iter()
        .zip(config.channels.iter().map(|c| channel_view(c, key)))
        .collect()
}

/// `name=hash` as (name, hash): a name with '=' in it splits at the hash.
fn split_setting(s: &str) -> (String, String) {
    let (name, hash) = s.rsplit_once('=').unwrap_or((s, ""));
    (name.to_string(), hash.to_string())
}

/// Why this process does not send a channel's alerts now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unsent {
    /// Live replicas (this one among them, or another and this process)
    /// define the channel differently: no one sends it until they agree.
    Contested,
    /// This process's config lacks the channel, which another live
    /// replica's has: that replica sends it.
    LackedHere,
    /// A replica that left without a clean stop (killed, crashed, cut off
    /// from the database) defined the channel otherwise than this process:
    /// its settings hold the channel until ops resolve it, as a live
    /// replica's would (see [`channel_differences`]).
    Left,
}

/// A channel this process does not send now, and the other replica that
/// makes it so.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChannelDifference {
    channel: String,
    replica: String,
    why: Unsent,
}

/// The channels whose settings differ between `mine` and live `peers`.
/// A channel that two live replicas define differently is contested: no
/// replica sends its alerts, which wait in the outbox until every live
/// replica that defines it defines it alike. presswatch cannot tell which
/// settings are right: "the config loaded last wins" let a replica
/// restarted with a stale file (a host that missed a deploy) win over the
/// fix ops had deployed and reloaded on the others, and send the alerts,
/// the failed ones too, to the old settings; the settings of most replicas
/// lose the fix deployed to the first host of a rolling deploy; and a
/// file's modification time is whatever the deploy tool made it. Held, an
/// alert is neither sent to the wrong place (lost) nor sent twice, and goes
/// out with the agreed settings as soon as the replicas agree. A replica
/// whose config lacks a channel leaves it to those that have it (there is
/// no other setting to send it with). A channel only this process has is
/// its own.
///
/// A replica that left without a clean stop (killed, crashed, cut off from
/// the database: `peer.live` false) still holds a channel it defined
/// otherwise than this process, until ops resolve it (deploy its settings
/// here, or `presswatch fleet forget` it): when the replica with the fix
/// was killed, counting only live replicas sent the held alerts to the
/// stale settings left, the very thing holding was for. A replica that
/// stopped cleanly deregistered and is no peer any more. One that left
/// leaves nothing to this process: a channel this config lacks is not
/// sent here whoever had it.
fn channel_differences(mine: &[String], peers: &[ChannelPeer]) -> Vec<ChannelDifference> {
    let mine: std::collections::HashMap<String, String> =
        mine.iter().map(|s| split_setting(s)).collect();
    let mut out = Vec::new();
    for peer in peers {
        for (channel, hash) in peer.channels.iter().map(|s| split_setting(s)) {
            let why = match mine.get(&channel) {
                Some(h) if *h == hash => continue,
                None if !peer.live => continue,
                None => Unsent::LackedHere,
                Some(_) if !peer.live => Unsent::Left,
                Some(_) => Unsent::Contested,
            };
            out.push(ChannelDifference {
                channel,
                replica: peer.replica.clone(),
                why,
            });
        }
    }
    out
}

/// The channels whose alerts this process does not send now (they wait
/// in the outbox, nothing is lost): those that live replicas of the fleet,
/// or a replica that left without a clean stop, define differently (see
/// `channel_differences` for why no one sends them then), and those this
/// config lacks and another live replica's has. The outbox is shared, and an alert goes out with the settings of
/// the process that sends it, whichever enqueued it. A process that is no
/// replica (`presswatch check`) leaves to the replicas a channel they
/// define otherwise. Empty without a fleet.
pub fn channels_not_sent_here(config: &Config, state: &State) -> Result<Vec<String>, String> {
    let Some(pg) = state.shared() else {
        return Ok(Vec::new());
    };
    let peers = pg.channel_peers().map_err(|e| e.to_string())?;
    if peers.is_empty() {
        return Ok(Vec::new());
    }
    let mut unsent: Vec<String> = channel_differences(&channel_settings(config), &peers)
        .into_iter()
        .map(|d| d.channel)
        .collect();
    unsent.sort();
    unsent.dedup();
    Ok(unsent)
}

/// One version of a contested channel: what it is set to (without
/// secrets; empty when announced by a presswatch older than migration 22)
/// and the live replicas that define it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelVersion {
    /// The settings' hash, to tell versions apart (not shown: it is a hash
    /// of the settings, secrets' sources and webhook URLs included).
    hash: String,
    /// `key: value` lines ([`channel_view`]).
    pub view: String,
    /// Live replica ids.
    pub replicas: Vec<String>,
    /// The replicas that left without a clean stop defining it so (killed,
    /// crashed, cut off from the database), each with how long it has been
    /// silent (ms): their settings hold the channel until ops deploy them to
    /// the live replicas or forget them (`presswatch fleet forget`).
    pub left: Vec<(String, i64)>,
}

/// A channel the live replicas define differently, or a live replica
/// otherwise than one that left without a clean stop: no replica sends
/// its alerts until they agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestedChannel {
    /// Its name.
    pub channel: String,
    /// Its versions, in the order of their first replica's id.
    pub versions: Vec<ChannelVersion>,
}

impl ContestedChannel {
    /// The settings in which the versions differ, as `key` of `key: value`
    /// lines: what `status` shows of each version.
    pub fn differing_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for v in &self.versions {
            for line in v.view.lines() {
                let key = line.split_once(": ").map_or(line, |(k, _)| k);
                if !keys.iter().any(|k| k == key) {
                    keys.push(key.to_string());
                }
            }
        }
        let value = |v: &ChannelVersion, key: &str| {
            v.view
                .lines()
                .find(|l| l.split_once(": ").map_or(*l, |(k, _)| k) == key)
                .map(str::to_string)
        };
        keys.retain(|k| {
            let first = value(&self.versions[0], k);
            self.versions.iter().any(|v| value(v, k) != first)
        });
        keys
    }

    /// Whether `hash` (of `name=hash`) is one of its versions', and which.
    pub fn version_of(&self, setting: &str) -> Option<usize> {
        let (name, hash) = split_setting(setting);
        if name != self.channel {
            return None;
        }
        self.versions.iter().position(|v| v.hash == hash)
    }
}

/// The channels the replicas of `fleet` define differently (see
/// `channel_differences`: the live ones among them, or a live one and
/// one that left without a clean stop), each with its versions and the
/// replicas that hold them (replicas of a presswatch older than migration
/// 21 announce no channels and are left out).
pub fn contested_channels(fleet: &crate::store::FleetView) -> Vec<ContestedChannel> {
    let mut out: Vec<ContestedChannel> = Vec::new();
    for r in fleet.live_replicas() {
        for (setting, view) in r.channels.iter().flatten() {
            let (name, hash) = split_setting(setting);
            let i = match out.iter().position(|c| c.channel == name) {
                Some(i) => i,
                None => {
                    out.push(ContestedChannel {
                        channel: name,
                        versions: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let c = &mut out[i];
            match c.versions.iter_mut().find(|v| v.hash == hash) {
                Some(v) => v.replicas.push(r.id.clone()),
                None => c.versions.push(ChannelVersion {
                    hash,
                    view: view.clone(),
                    replicas: vec![r.id.clone()],
                    left: Vec::new(),
                }),
            }
        }
    }
    // A replica that left without a clean stop counts on a channel a live
    // replica defines otherwise; its settings alike count for nothing.
    for r in fleet.replicas.iter().filter(|r| !fleet.live(r)) {
        for (setting, view) in r.channels.iter().flatten() {
            let (name, hash) = split_setting(setting);
            let Some(c) = out.iter_mut().find(|c| c.channel == name) else {
                continue;
            };
            let left = (r.id.clone(), r.silent_ms);
            match c.versions.iter_mut().find(|v| v.hash == hash) {
                Some(v) => v.left.push(left),
                None => c.versions.push(ChannelVersion {
                    hash,
                    view: view.clone(),
                    replicas: Vec::new(),
                    left: vec![left],
                }),
            }
        }
    }
    out.retain(|c| c.versions.len() > 1);
    out.sort_by(|a, b| a.channel.cmp(&b.channel));
    out
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
    /// [`channels_not_sent_here`]): loudly while live replicas define a
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

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str, channels: &[&str]) -> ChannelPeer {
        ChannelPeer {
            replica: id.into(),
            channels: channels.iter().map(|c| c.to_string()).collect(),
            live: true,
        }
    }

    /// Which channels a replica does not send: one that another live
    /// replica sets differently is held (whichever loaded its config
    /// last: a replica restarted with a stale file does not win, nor does
    /// the other); one whose config lacks the channel leaves it to those
    /// that have it; a channel set alike, or only this replica has, is no
    /// difference.
    #[test]
    fn a_channel_set_differently_on_two_replicas_is_sent_by_neither() {
        let mine: Vec<String> = ["hook=aaa", "mail=bbb", "only-here=ccc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let peers = [
            peer("b", &["hook=xxx", "mail=bbb", "only-there=ddd"]),
            peer("c", &["hook=yyy", "mail=zzz"]),
        ];
        let got: Vec<(String, String, Unsent)> = channel_differences(&mine, &peers)
            .into_iter()
            .map(|d| (d.channel, d.replica, d.why))
            .collect();
        let s = |c: &str, r: &str, w| (c.to_string(), r.to_string(), w);
        assert_eq!(
            got,
            [
                s("hook", "b", Unsent::Contested),
                s("only-there", "b", Unsent::LackedHere),
                s("hook", "c", Unsent::Contested),
                s("mail", "c", Unsent::Contested),
            ]
        );
        // A name with '=' in it splits at the hash.
        let mine = vec!["a=b=111".to_string()];
        assert!(channel_differences(&mine, &[peer("p", &["a=b=111"])]).is_empty());
    }

    /// A replica that left without a clean stop (killed: not live, its row
    /// kept) still holds a channel it set otherwise than this one, until
    /// ops deploy its settings here or forget it: when it had the fix,
    /// sending with the settings left sent to the stale ones. Its settings
    /// alike hold nothing, and a channel this config lacks is not left to
    /// it (it sends nothing).
    #[test]
    fn a_replica_that_left_without_a_clean_stop_still_holds_a_channel_it_set_otherwise() {
        let mine: Vec<String> = ["hook=stale", "mail=bbb"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let left = ChannelPeer {
            live: false,
            ..peer("a", &["hook=fixed", "mail=bbb", "only-there=ddd"])
        };
        let got: Vec<(String, String, Unsent)> = channel_differences(&mine, &[left])
            .into_iter()
            .map(|d| (d.channel, d.replica, d.why))
            .collect();
        assert_eq!(got, [("hook".into(), "a".into(), Unsent::Left)]);
        // Once this replica runs its settings (ops deployed the fix here),
        // nothing is held.
        let fixed = vec!["hook=fixed".to_string(), "mail=bbb".to_string()];
        let left = ChannelPeer {
            live: false,
            ..peer("a", &["hook=fixed", "mail=bbb"])
        };
        assert!(channel_differences(&fixed, &[left]).is_empty());
    }

    fn channel(toml_channel: &str) -> crate::config::Channel {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            format!("{toml_channel}\n[[watch]]\nname = \"w\"\nurl = \"https://example.org/\"\n"),
        )
        .unwrap();
        let config = Config::load(&path).unwrap();
        config.channels[0].clone()
    }

    /// What `status` shows of a channel's settings never holds a secret:
    /// a webhook URL's path and query (where a token is) read as a
    /// fingerprint keyed by the installation, which differs when they do;
    /// a password or signing key reads as where it comes from.
    #[test]
    fn a_channel_view_shows_its_settings_without_secrets() {
        let hook = |url: &str| {
            channel(&format!(
                "[[channel]]\nname = \"chat\"\ntype = \"webhook\"\nformat = \"slack\"\nurl = \"{url}\"\nsecret_env = \"HOOK_KEY\"\n"
            ))
        };
        let token = "https://hooks.slack.com/services/T0001/B0001/s3cr3tT0ken";
        let view = channel_view(&hook(token), "installation-1");
        assert!(
            !view.contains("s3cr3t") && !view.contains("T0001"),
            "{view}"
        );
        assert!(
            view.starts_with("url: https://hooks.slack.com:443/… (path and query not shown: #"),
            "{view}"
        );
        assert!(view.contains("\nformat: slack\n"), "{view}");
        assert!(
            view.contains("signing secret: from environment variable HOOK_KEY"),
            "{view}"
        );
        let other = channel_view(
            &hook("https://hooks.slack.com/services/T0001/B0001/n3wT0ken"),
            "installation-1",
        );
        assert_ne!(view.lines().next(), other.lines().next());
        // Keyed: the fingerprint of one URL differs between installations.
        assert_ne!(view, channel_view(&hook(token), "installation-2"));
        let mail = channel(
            "[[channel]]\nname = \"desk\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:587\"\n\
             username = \"pw\"\npassword_env = \"SMTP_PASSWORD\"\nfrom = \"pw@example.org\"\nto = [\"desk@example.org\"]\n",
        );
        let view = channel_view(&mail, "k");
        assert!(view.contains("server: mail.example.org:587"), "{view}");
        assert!(
            view.contains("password: from environment variable SMTP_PASSWORD"),
            "{view}"
        );
        assert!(view.contains("to: desk@example.org"), "{view}");
    }
}
