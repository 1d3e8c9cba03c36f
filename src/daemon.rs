//! The daemon: schedules each watch on its own interval (see
//! [`crate::scheduler`]) under a global concurrency limit, delivers the
//! outbox, talks to systemd, reloads on SIGHUP and stops cleanly on SIGTERM.
//!
//! The main loop owns the schedule. Checks run as tracked tasks and report
//! back over a channel; the loop then persists the watch's next due time.
//! Per-host politeness and robots.txt live in the fetcher, so the daemon and
//! `presswatch check` behave the same towards sites.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::check::{self, Context, Outcome, Report};
use crate::config::{Config, DaemonSettings, Watch};
use crate::fetch::Fetcher;
use crate::fleet::{self, Replica};
use crate::listener::{self, Health};
use crate::notify::outbox::{DigestPlan, Outbox};
use crate::scheduler::{self, Scheduler};
use crate::store::{Baselines, Durability, Role, StateLock};
use crate::systemd::Notifier;
use crate::{metrics, notify, preflight};

/// The main loop turns at least this often, and starts delivery rounds and
/// updates STATUS at most this often.
const TICK: Duration = Duration::from_secs(1);

/// How often a fleet replica with free permits asks the database for due
/// watches when the last answer had none to spare.
const FLEET_POLL: Duration = Duration::from_millis(250);

/// `/healthz` fails when the main loop has not turned for this long.
const STALL: Duration = Duration::from_secs(30);

/// How long a starting daemon waits for a command (`check`, `outbox retry`)
/// that is delivering alerts from the same state directory.
const DELIVERY_PATIENCE: Duration = Duration::from_secs(30);

/// How long SIGTERM waits for in-flight checks and deliveries (a second
/// SIGTERM or SIGINT cuts it short).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// One scheduled watch.
struct Slot {
    watch: Watch,
    due_ms: i64,
    running: bool,
    /// A reload changed how the watch is fetched while its check ran: when
    /// the check ends, it is due soon, as a new watch.
    refetch: bool,
}

/// The running daemon's state, owned by the main loop.
struct Daemon {
    ctx: Context,
    http: reqwest::Client,
    sched: Scheduler,
    slots: HashMap<String, Slot>,
    permits: Arc<Semaphore>,
    tracker: TaskTracker,
    /// The channels delivery rounds are sending through now.
    delivering: notify::InFlight,
    done_tx: mpsc::UnboundedSender<(Watch, Report)>,
    notifier: Notifier,
    /// This process's part in a fleet, when the state is shared
    /// (PostgreSQL): the schedule is then leased from the database.
    replica: Option<Replica>,
    /// When a fleet replica next asks the database for due watches.
    next_lease: tokio::time::Instant,
    /// Why the last check could not store what it found (for `/healthz`).
    unstored: Arc<std::sync::Mutex<Option<String>>>,
    /// When (HH:MM UTC) the running config was loaded.
    config_loaded: String,
    /// When (HH:MM UTC) a reload was last rejected, until one succeeds:
    /// the status line says it, beside the log.
    reload_rejected: Option<String>,
}

/// The time of day now, as the status line gives it (`14:05`, UTC).
fn hh_mm() -> String {
    chrono::Utc::now().format("%H:%M").to_string()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn http_client(config: &Config) -> Result<reqwest::Client, String> {
    notify::webhook::client(&config.daemon.user_agent)
}

fn install(kind: SignalKind, name: &str) -> Result<Signal, String> {
    signal(kind).map_err(|e| format!("cannot install the {name} handler: {e}"))
}

/// Runs until SIGTERM or SIGINT; SIGHUP reloads the config file.
pub async fn run(config: Arc<Config>) -> Result<(), String> {
    preflight::require_secrets(&config)?;
    let sched = Scheduler::from_env();
    if sched.scale() != 1 {
        tracing::warn!(
            scale = sched.scale(),
            "{} is set: schedule runs faster than configured (tests only)",
            scheduler::TIME_SCALE_ENV
        );
    }
    let mut term = install(SignalKind::terminate(), "SIGTERM")?;
    let mut int = install(SignalKind::interrupt(), "SIGINT")?;
    let mut hup = install(SignalKind::hangup(), "SIGHUP")?;
    // SQLite: one daemon per state directory. PostgreSQL is shared by replicas.
    let _lock = match config.daemon.state_url {
        Some(_) => None,
        None => Some(lock_state_dir(&config.daemon.state_dir).await?),
    };
    let fetcher = Fetcher::http(&config.daemon).map_err(|e| e.to_string())?;
    let ctx = Context::open(config.clone(), fetcher, false)?;
    let replica = Replica::join(&config, &ctx.state, &ctx.fetcher)?;
    let cancel = CancellationToken::new();
    let heartbeat = Arc::new(AtomicI64::new(now_ms()));
    let unstored = Arc::new(std::sync::Mutex::new(None));
    if let Some(addr) = config.daemon.listen {
        // Port 0 takes a free port: the info line below says which.
        let bound = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l.local_addr().map(|a| (l, a)),
            Err(e) => Err(e),
        };
        let (l, addr) = bound.map_err(|e| {
            format!(
                "cannot listen on {addr} (daemon.listen): {e}; pick a free port or remove the key"
            )
        })?;
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "metrics listener is reachable from the network: /metrics shows watch names");
        }
        tracing::info!(%addr, "serving /healthz and /metrics");
        let health = Arc::new(Health {
            heartbeat: heartbeat.clone(),
            stale_after: STALL,
            state: ctx.state.clone(),
            unstored: unstored.clone(),
        });
        tokio::spawn(listener::serve(l, health, cancel.clone()));
    }
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let mut d = Daemon {
        http: http_client(&config)?,
        sched,
        slots: HashMap::new(),
        permits: Arc::new(Semaphore::new(config.daemon.concurrency.max(1))),
        tracker: TaskTracker::new(),
        delivering: notify::InFlight::default(),
        done_tx,
        notifier: Notifier::from_env(),
        ctx,
        replica,
        next_lease: tokio::time::Instant::now(),
        unstored,
        config_loaded: hh_mm(),
        reload_rejected: None,
    };
    d.sync_watches(None)?;
    // The status line says when the first check comes: start-up spreads
    // them over up to five minutes, so a quiet log is no hang.
    let status = d.status_line();
    tracing::info!(watches = config.watches.len(), channels = config.channels.len(), config = %config.path.display(),
        state = %d.ctx.state.location(), status = %status, "presswatch started");
    d.notifier.ready(&status);
    let mut housekeeping: Option<tokio::time::Instant> = None;
    let stop = loop {
        heartbeat.store(now_ms(), Ordering::Relaxed);
        d.notifier.ping_if_due();
        d.dispatch();
        if housekeeping.is_none_or(|t| t.elapsed() >= TICK) {
            housekeeping = Some(tokio::time::Instant::now());
            d.fleet_housekeeping();
            d.deliver();
            let status = d.status_line();
            d.notifier.status(&status);
        }
        let wait = d.wait();
        tokio::select! {
            Some((watch, report)) = done_rx.recv() => d.finished(&watch, &report),
            _ = tokio::time::sleep(wait) => {}
            _ = hup.recv() => d.reload(),
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
        }
    };
    d.shutdown(stop, &mut done_rx, &mut term, &mut int).await;
    cancel.cancel();
    Ok(())
}

/// A due time in milliseconds as `status` stores it: whole seconds, rounded
/// up so that a watch is never shown due before it is.
fn due_secs(due_ms: i64) -> i64 {
    (due_ms + 999) / 1000
}

/// Takes the state directory for this daemon: refuses when another daemon
/// has it, waits (a bounded time) for a command delivering from it.
async fn lock_state_dir(state_dir: &std::path::Path) -> Result<StateLock, String> {
    match StateLock::take(state_dir, Role::Daemon, DELIVERY_PATIENCE).await? {
        Ok(lock) => Ok(lock),
        Err(holder) if holder.role == Role::Daemon => Err(format!(
            "{} already runs on the state directory {} (it holds {}): two daemons would send every alert twice. Stop it first (`systemctl stop presswatch`), or give this config a state_dir of its own",
            holder.describe(),
            state_dir.display(),
            StateLock::path_in(state_dir).display()
        )),
        Err(holder) => Err(format!(
            "{} has been delivering alerts from the state directory {} for {} s; start the daemon when it has finished",
            holder.describe(),
            state_dir.display(),
            DELIVERY_PATIENCE.as_secs()
        )),
    }
}

impl Daemon {
    /// Makes the schedule match the config's watches: new ones get an initial
    /// due time (persisted, or spread), removed ones are dropped, kept ones
    /// take the new settings. On a reload (`before`: the daemon settings
    /// that ran until now), a kept watch that is fetched differently now
    /// (its URL, kind, selector…; for a failing one, also a timeout or other
    /// fetch setting of `[daemon]`) is a new watch: due within the start-up
    /// spread, its failures and their backoff forgotten.
    fn sync_watches(&mut self, before: Option<&DaemonSettings>) -> Result<(), String> {
        let now = now_ms();
        let config = self.ctx.config.clone();
        let fetches_changed = before.is_some_and(|b| !b.fetches_as(&config.daemon));
        self.slots
            .retain(|name, _| config.watches.iter().any(|w| &w.name == name));
        let mut known = Vec::new();
        // In a fleet: the watches made new, with their due times, for the
        // shared schedule (a lone daemon stores each below).
        let mut refetch = Vec::new();
        for w in &config.watches {
            let st = self.ctx.state.watch(&w.name).map_err(|e| e.to_string())?;
            let last_ok = st
                .last_check
                .filter(|_| st.last_result.as_deref() != Some("error"));
            known.push((w.name.clone(), last_ok));
            match self.slots.get_mut(&w.name) {
                Some(slot) if !slot.watch.checks_as(w) || (fetches_changed && st.failures > 0) => {
                    slot.watch = w.clone();
                    if slot.running {
                        slot.refetch = true;
                    } else {
                        slot.due_ms = self.sched.initial_due(now, None, None, w.interval);
                        let mut st = st;
                        let failures = std::mem::take(&mut st.failures);
                        log_refetch(w, failures, slot.due_ms - now);
                        if self.replica.is_some() {
                            refetch.push((w.name.clone(), slot.due_ms));
                        } else {
                            st.next_due = Some(due_secs(slot.due_ms));
                            self.ctx
                                .state
                                .save_watch(&w.name, &st, Durability::Lazy)
                                .map_err(|e| e.to_string())?;
                        }
                    }
                }
                Some(slot) => {
                    if slot.watch.interval != w.interval {
                        slot.due_ms = slot.due_ms.min(self.sched.after_success(now, w.interval));
                        // What `status` shows as next due. (A fleet schedules
                        // in the database itself, below.)
                        if self.replica.is_none() && !slot.running {
                            self.ctx
                                .state
                                .set_next_due(&w.name, due_secs(slot.due_ms))
                                .map_err(|e| e.to_string())?;
                        }
                    }
                    slot.watch = w.clone();
                }
                None => {
                    let due_ms = self
                        .sched
                        .initial_due(now, st.next_due, last_ok, w.interval);
                    // What `status` shows as next due: a watch last checked
                    // by `presswatch check`, or never checked (new, or added
                    // by this reload), has none stored yet.
                    let due = due_secs(due_ms);
                    if self.replica.is_none() && st.next_due != Some(due) {
                        self.ctx
                            .state
                            .set_next_due(&w.name, due)
                            .map_err(|e| e.to_string())?;
                    }
                    self.slots.insert(
                        w.name.clone(),
                        Slot {
                            watch: w.clone(),
                            due_ms,
                            running: false,
                            refetch: false,
                        },
                    );
                }
            }
        }
        metrics::set_watches(&known);
        if let Some(r) = &mut self.replica {
            r.schedule(&config, self.sched, now, &refetch)?;
        }
        metrics::set_digest_plan(DigestPlan::of(&config));
        Ok(())
    }

    /// Starts every due check a concurrency permit is available for.
    fn dispatch(&mut self) {
        if self.replica.is_some() {
            return self.dispatch_leased();
        }
        let now = now_ms();
        let mut due: Vec<&mut Slot> = self
            .slots
            .values_mut()
            .filter(|s| !s.running && s.due_ms <= now)
            .collect();
        due.sort_by_key(|s| s.due_ms);
        for slot in due {
            if let Some(pause) = self.ctx.fetcher.paused_for(&slot.watch.url) {
                slot.due_ms = now + pause.as_millis() as i64;
                continue;
            }
            let Ok(permit) = self.permits.clone().try_acquire_owned() else {
                break;
            };
            slot.running = true;
            start_check(&self.tracker, &self.ctx, &slot.watch, &self.done_tx, permit);
        }
    }

    /// In a fleet: leases due watches from the database, as many as there
    /// are free permits, and starts their checks.
    fn dispatch_leased(&mut self) {
        let free = self.permits.available_permits();
        if free == 0 || tokio::time::Instant::now() < self.next_lease {
            return;
        }
        let Some(replica) = &mut self.replica else {
            return;
        };
        let leases = replica.lease(free);
        if leases.len() < free {
            self.next_lease = tokio::time::Instant::now() + FLEET_POLL;
        }
        let now = now_ms();
        let mut foreign = Vec::new();
        for lease in leases {
            let Some(slot) = self.slots.get_mut(&lease.watch) else {
                // Another replica's config has it; this one does not.
                foreign.push(lease);
                continue;
            };
            if let Some(pause) = self.ctx.fetcher.paused_for(&slot.watch.url) {
                slot.due_ms = now + pause.as_millis() as i64;
                replica.finish(&lease.watch, slot.due_ms);
                continue;
            }
            let Ok(permit) = self.permits.clone().try_acquire_owned() else {
                replica.finish(&lease.watch, lease.due_ms);
                continue;
            };
            slot.running = true;
            start_check(&self.tracker, &self.ctx, &slot.watch, &self.done_tx, permit);
        }
        replica.pass_over(foreign);
    }

    /// In a fleet: renews this replica's leases, and sends the ops alert
    /// once when the database has become unreachable.
    fn fleet_housekeeping(&mut self) {
        let Some(replica) = &mut self.replica else {
            return;
        };
        replica.heartbeat();
        if let Some((alert, installation)) = replica.outage_alert() {
            let (config, http) = (self.ctx.config.clone(), self.http.clone());
            self.tracker.spawn(async move {
                fleet::send_ops_alert(&config, &http, &alert, &installation).await;
            });
        }
    }

    /// Records a finished check and schedules the watch's next one.
    fn finished(&mut self, watch: &Watch, report: &Report) {
        let now = now_ms();
        *self.unstored.lock().unwrap_or_else(|e| e.into_inner()) = report.unstored.clone();
        let routed: Vec<Vec<String>> = report
            .alerts
            .iter()
            .map(|a| notify::route(&self.ctx.config, watch, a))
            .collect();
        let alerts: Vec<(&str, &[String])> = report
            .alerts
            .iter()
            .zip(&routed)
            .map(|(a, r)| (a.kind.as_str(), r.as_slice()))
            .collect();
        let ok = !matches!(report.outcome, Outcome::Error(_));
        metrics::check_finished(
            &watch.name,
            report.outcome.label(),
            &alerts,
            ok.then_some(now / 1000),
        );
        // A watch removed by a reload while its check ran is not rescheduled
        // here; in a fleet its lease goes back.
        let Some(slot) = self.slots.get_mut(&watch.name) else {
            if let Some(replica) = &mut self.replica {
                replica.removed(&watch.name, self.sched.after_success(now, watch.interval));
            }
            return;
        };
        slot.running = false;
        if let Some(replica) = self.replica.as_mut().filter(|_| ok && !slot.refetch) {
            // The check saved its state; the shared schedule needs only the
            // next due time (the state is read to back off a failure, or to
            // forget failures when a reload changed how it is fetched).
            slot.due_ms = self.sched.after_success(now, slot.watch.interval);
            replica.finish(&watch.name, slot.due_ms);
            return;
        }
        let mut st = match self.ctx.state.watch(&watch.name) {
            Ok(st) => st,
            Err(e) => {
                tracing::error!(watch = %watch.name, error = %e, "cannot read watch state");
                slot.due_ms = self.sched.after_success(now, slot.watch.interval);
                return;
            }
        };
        slot.due_ms = if std::mem::take(&mut slot.refetch) {
            // Checked as it was; it is fetched differently now.
            let due_ms = self.sched.initial_due(now, None, None, slot.watch.interval);
            log_refetch(&slot.watch, std::mem::take(&mut st.failures), due_ms - now);
            if self.replica.is_some() {
                // The lease is still this replica's: the state forgetting
                // the failures goes back with it.
                if let Err(e) = self
                    .ctx
                    .state
                    .save_watch(&watch.name, &st, Durability::Lazy)
                {
                    tracing::error!(watch = %watch.name, error = %e, "cannot save the watch's state");
                }
            }
            due_ms
        } else if ok {
            self.sched.after_success(now, slot.watch.interval)
        } else {
            let pause = self.ctx.fetcher.paused_for(&slot.watch.url);
            self.sched
                .after_failure(now, slot.watch.interval, st.failures.max(1), pause)
        };
        if let Some(replica) = &mut self.replica {
            replica.finish(&watch.name, slot.due_ms);
            return;
        }
        st.next_due = Some(due_secs(slot.due_ms));
        if let Err(e) = self
            .ctx
            .state
            .save_watch(&watch.name, &st, Durability::Lazy)
        {
            tracing::error!(watch = %watch.name, error = %e, "cannot save the schedule");
        }
    }

    /// Starts a delivery round through the channels no round is sending
    /// through: one held up by a channel that does not answer holds up
    /// only that channel's alerts.
    fn deliver(&self) {
        if self.replica.as_ref().is_some_and(Replica::database_away) {
            return;
        }
        let (config, state, http, delivering) = (
            self.ctx.config.clone(),
            self.ctx.state.clone(),
            self.http.clone(),
            self.delivering.clone(),
        );
        self.tracker.spawn(async move {
            let now = chrono::Utc::now().timestamp();
            let policy = notify::RetryPolicy::default();
            let round =
                notify::deliver_due_beside(&config, &state, &http, &policy, now, &delivering);
            log_delivery(round.await);
        });
    }

    /// How long the main loop may sleep. With every permit taken, only a
    /// finishing check (which wakes the loop) can start the next one.
    fn wait(&self) -> Duration {
        let cap = self.notifier.max_sleep().map_or(TICK, |m| m.min(TICK));
        if self.permits.available_permits() == 0 {
            return cap;
        }
        if self.replica.is_some() {
            let until = self
                .next_lease
                .saturating_duration_since(tokio::time::Instant::now());
            return until.max(Duration::from_millis(10)).min(cap);
        }
        let now = now_ms();
        let next = self.next_due_ms().unwrap_or(i64::MAX);
        Duration::from_millis(next.saturating_sub(now).max(10) as u64).min(cap)
    }

    /// When the earliest watch not already running is due (ms since the epoch).
    fn next_due_ms(&self) -> Option<i64> {
        self.slots
            .values()
            .filter(|s| !s.running)
            .map(|s| s.due_ms)
            .min()
    }

    /// "42 watches, next check in 3m, 0 pending alerts"; alerts held for a
    /// digest, failing or dead are counted apart (see [`Outbox`]).
    /// In a fleet, what comes next is the shared schedule's, as this
    /// replica's last lease read it: its own due times know nothing of the
    /// checks the other replicas made.
    fn status_line(&self) -> String {
        let now = now_ms();
        let next = self.next_due_ms();
        let running = self.slots.values().filter(|s| s.running).count();
        let next = match next {
            _ if self.replica.is_some() => self
                .replica
                .as_ref()
                .map(|r| r.next_check(running))
                .unwrap_or_default(),
            Some(t) if t > now => format!(
                "next check in {}",
                scheduler::human(Duration::from_millis((t - now) as u64))
            ),
            Some(_) => "next check now".into(),
            None if running > 0 => format!("{running} checks running"),
            None => "nothing scheduled".into(),
        };
        let plan = DigestPlan::of(&self.ctx.config);
        let deliveries = match Outbox::read(&plan, &self.ctx.state, now / 1000) {
            Ok(outbox) => outbox.summary().describe(&plan, now / 1000),
            Err(e) => format!("outbox unreadable: {e}"),
        };
        let rejected = match &self.reload_rejected {
            Some(at) => format!(
                " · config reload rejected at {at} UTC: the running config is the one loaded at {} UTC; see the log",
                self.config_loaded
            ),
            None => String::new(),
        };
        format!(
            "{}, {next}, {deliveries}{rejected}",
            crate::text::plural(self.slots.len(), "watch", "watches")
        )
    }

    /// Re-reads the config file; an invalid one is rejected and the running
    /// config kept, which the status line and the
    /// `presswatch_config_reload_rejected` gauge say until a reload succeeds.
    fn reload(&mut self) {
        self.notifier.reloading();
        let path = self.ctx.config.path.clone();
        tracing::info!(config = %path.display(), "SIGHUP: reloading the config");
        let applied = match Config::load(&path) {
            Err(errors) => {
                for e in &errors.0 {
                    tracing::error!(problem = %e, "config reload rejected");
                }
                tracing::error!(problems = errors.0.len(), config = %path.display(),
                    "the new config is invalid: still running the previous one; fix it and send SIGHUP again");
                false
            }
            Ok(new) => {
                // A config with no watch would stop every check while
                // `/healthz` stays ok: most likely a file half written or
                // the wrong one, never meant.
                if let Some(why) = new.no_watches() {
                    tracing::error!(problem = %why, config = %path.display(),
                        "config reload rejected: the new config has no watch, and would stop all monitoring; still running the previous one ({}). Add its [[watch]] tables back and send SIGHUP again (to stop monitoring, stop the daemon: `systemctl stop presswatch`)",
                        crate::text::plural(self.slots.len(), "watch", "watches"));
                    false
                } else if let unreadable @ [_, ..] = preflight::unreadable_secrets(&new).as_slice()
                {
                    // One line per problem, as for an invalid config.
                    for e in unreadable {
                        tracing::error!(problem = %e, "config reload rejected: a secret cannot be read");
                    }
                    tracing::error!(problems = unreadable.len(), config = %path.display(),
                        "the new config's secrets cannot be read: still running the previous one; fix it and send SIGHUP again");
                    false
                } else if let Err(e) = self.apply(Arc::new(new)) {
                    tracing::error!(error = %e, "config reload failed: still running the previous one");
                    false
                } else {
                    true
                }
            }
        };
        if applied {
            self.config_loaded = hh_mm();
            self.reload_rejected = None;
        } else {
            self.reload_rejected = Some(hh_mm());
        }
        metrics::set_reload_rejected(!applied);
        let status = self.status_line();
        self.notifier.ready(&status);
    }

    fn apply(&mut self, new: Arc<Config>) -> Result<(), String> {
        let old = self.ctx.config.clone();
        // What takes a restart stays as the daemon runs it, so that the next
        // reload compares with what runs (a change undone is no change).
        let mut new = Arc::unwrap_or_clone(new);
        if new.daemon.state_dir != old.daemon.state_dir {
            tracing::warn!("daemon.state_dir changed: the new directory is used after a restart");
            new.daemon.state_dir = old.daemon.state_dir.clone();
        }
        if new.daemon.state_url != old.daemon.state_url
            || new.daemon.state_password != old.daemon.state_password
        {
            tracing::warn!(
                "daemon.state_url or state_password changed: the new state database is used after a restart"
            );
            new.daemon.state_url = old.daemon.state_url.clone();
            new.daemon.state_password = old.daemon.state_password.clone();
        }
        if new.daemon.listen != old.daemon.listen {
            tracing::warn!("daemon.listen changed: the new address is used after a restart");
            new.daemon.listen = old.daemon.listen;
        }
        let new = Arc::new(new);
        let fetcher = self
            .ctx
            .fetcher
            .reconfigured(&new)
            .map_err(|e| e.to_string())?;
        let http = http_client(&new)?;
        if new.daemon.concurrency != old.daemon.concurrency {
            self.permits = Arc::new(Semaphore::new(new.daemon.concurrency.max(1)));
        }
        self.ctx = Context {
            config: new.clone(),
            fetcher,
            state: self.ctx.state.clone(),
            baselines: Baselines::for_state(&new.daemon.baseline_dir, &self.ctx.state),
            dry_run: false,
            cpu: self.ctx.cpu.clone(),
            resetting: Vec::new(),
            site_keys: self.ctx.site_keys.clone(),
        };
        self.http = http;
        // The fleet hears of the new config first: whether other replicas
        // run another one decides whether the watches it lacks stay on the
        // shared schedule.
        if let Some(r) = &mut self.replica {
            r.reconfigured(&new);
        }
        self.sync_watches(Some(&old.daemon))?;
        // Every edit counts, not the watches' alone: an edit to a channel
        // only (a recipient, the webhook URL) reads as one, not as a
        // reload that did nothing. (Settings that need a restart were
        // reset above, and warned of.) A watch is edited when a setting of
        // its own is, one it takes from [daemon] included.
        let changes = new.changes_since(&old);
        // What failed to reach a channel's old settings (a mistyped webhook
        // URL or recipient) goes to its new ones now, not when the backoff
        // its old settings earned ends, up to an hour away.
        let now = chrono::Utc::now().timestamp();
        for channel in &changes.channels_changed {
            match self.ctx.state.retry_channel_now(channel, now) {
                Ok(0) => {}
                Ok(n) => tracing::info!(channel = %channel, alerts = n,
                    "the channel changed: the alerts that failed to reach it are sent again now, with its new settings"),
                Err(e) => tracing::error!(channel = %channel, error = %e,
                    "cannot make the channel's failed alerts due: they are sent when their backoff ends"),
            }
        }
        tracing::info!(
            watches = new.watches.len(),
            added = changes.watches_added.len(),
            removed = changes.watches_removed.len(),
            changed = changes.watches_changed.len(),
            channels = new.channels.len(),
            channels_changed = changes.channels(),
            settings_changed = changes.settings.len(),
            changes = %changes.describe(),
            "config reloaded"
        );
        Ok(())
    }

    /// What a stop abandons: the watches whose checks are running, the
    /// channels deliveries are sending through and the alerts on their way,
    /// each list comma-separated (`none` when empty).
    fn under_way(&self) -> (String, String, String) {
        let mut checks: Vec<&str> = self
            .slots
            .iter()
            .filter(|(_, s)| s.running)
            .map(|(name, _)| name.as_str())
            .collect();
        checks.sort_unstable();
        let list = |names: Vec<&str>| match names.is_empty() {
            true => "none".to_string(),
            false => names.join(","),
        };
        let channels = self.delivering.names();
        let alerts = self.delivering.alerts();
        (
            list(checks),
            list(channels.iter().map(String::as_str).collect()),
            list(alerts.iter().map(String::as_str).collect()),
        )
    }

    /// Stops starting checks, waits (bounded) for running checks and
    /// deliveries, delivers what they raised, and flushes the state database.
    /// A second SIGTERM or SIGINT (Ctrl-C pressed again) stops the waiting:
    /// what is still running is abandoned, as at the deadline.
    async fn shutdown(
        mut self,
        signal: &str,
        done_rx: &mut mpsc::UnboundedReceiver<(Watch, Report)>,
        term: &mut Signal,
        int: &mut Signal,
    ) {
        // A check that has finished, its report not yet read, is not
        // running: it is recorded before the count.
        while let Ok((watch, report)) = done_rx.try_recv() {
            self.finished(&watch, &report);
        }
        let running = self.slots.values().filter(|s| s.running).count();
        // A delivery round under way is waited for as checks are: say so,
        // or a stop held up by a receiver that does not answer reads as
        // waiting for nothing ("running_checks=0") until the deadline.
        let delivering = !self.delivering.is_empty();
        tracing::info!(
            signal,
            running_checks = running,
            delivery_under_way = delivering,
            grace_secs = SHUTDOWN_GRACE.as_secs(),
            "shutting down"
        );
        self.notifier
            .stopping(&format!("stopping: {running} checks finishing"));
        let mut deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
        self.tracker.close();
        tokio::select! {
            finished = tokio::time::timeout_at(deadline, self.tracker.wait()) => {
                if finished.is_err() {
                    let (checks, channels, alerts) = self.under_way();
                    tracing::warn!(checks = %checks, delivering_to = %channels, alerts = %alerts,
                        "checks or deliveries still running at the shutdown deadline: abandoned (their alerts stay in the outbox)");
                }
            }
            again = async {
                tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                }
            } => {
                deadline = tokio::time::Instant::now();
                let (checks, channels, alerts) = self.under_way();
                tracing::warn!(signal = again, checks = %checks, delivering_to = %channels, alerts = %alerts, "second signal: stopping now; running checks and deliveries abandoned (their alerts stay in the outbox)");
            }
        }
        while let Ok((watch, report)) = done_rx.try_recv() {
            self.finished(&watch, &report);
        }
        if !self.delivering.is_empty() {
            // A round abandoned at the deadline may still be sending: a last
            // round would start the same alerts again beside it, each a
            // second message should both get through.
            tracing::warn!("no last delivery round: the one abandoned is still sending; undelivered alerts stay in the outbox for the next start");
        } else if tokio::time::Instant::now() >= deadline {
            tracing::warn!("no last delivery round: no time left; undelivered alerts stay in the outbox for the next start");
        } else {
            let last = notify::deliver_due(&self.ctx.config, &self.ctx.state, &self.http);
            match tokio::time::timeout_at(deadline, last).await {
                Ok(r) => log_delivery(r),
                Err(_) => tracing::warn!("final delivery cut short: undelivered alerts stay in the outbox for the next start"),
            }
        }
        if let Some(r) = &mut self.replica {
            r.resign();
        }
        if let Err(e) = self.ctx.state.checkpoint() {
            tracing::error!(error = %e, "cannot flush the state database");
        }
        let pending = self.ctx.state.pending_count(None).unwrap_or(0);
        if pending == 0 {
            tracing::info!(pending_alerts = pending, "stopped");
        } else {
            // Said in words: an operator stopping the daemon while a channel
            // is down must know the alerts are not lost, and where they are.
            tracing::info!(
                pending_alerts = pending,
                "stopped: {} kept in the outbox, nothing lost (`presswatch outbox list --config {}` shows {}; the next start sends what is due)",
                crate::text::plural(
                    usize::try_from(pending).unwrap_or(usize::MAX),
                    "undelivered alert",
                    "undelivered alerts"
                ),
                self.ctx.config.path.display(),
                if pending == 1 { "it" } else { "them" }
            );
        }
    }
}

/// Starts one check of `watch` on the daemon's tracker, holding `permit`
/// until it is done, and reports it on `done` for the loop to schedule.
fn start_check(
    tracker: &TaskTracker,
    ctx: &Context,
    watch: &Watch,
    done: &mpsc::UnboundedSender<(Watch, Report)>,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    let (ctx, watch, done) = (ctx.clone(), watch.clone(), done.clone());
    tracker.spawn(async move {
        let report = check::check_watch(&ctx, &watch).await;
        drop(permit);
        // Handed to the loop before it is logged: once its line is in the
        // log, a stop that follows counts the check as finished.
        let line = check::ReportLine::of(&report, &watch);
        let _ = done.send((watch, report));
        line.log();
    });
}

/// Says that a reload made `watch` a new watch: its URL or how it is
/// fetched changed, so it is checked again soon (in `due_in_ms`), its
/// `failures` forgotten with their backoff.
fn log_refetch(watch: &Watch, failures: u32, due_in_ms: i64) {
    let due_in = scheduler::human(Duration::from_millis(due_in_ms.max(0) as u64));
    if failures > 0 {
        tracing::info!(watch = %watch.name, url = %watch.url, failures_forgotten = failures, %due_in,
            "the watch's URL or fetch settings changed: checked again in {due_in}, as a new watch (its backoff after {} is reset)",
            crate::text::plural(failures as usize, "failure", "failures"));
    } else {
        tracing::info!(watch = %watch.name, url = %watch.url, %due_in,
            "the watch's URL or fetch settings changed: checked again in {due_in}, as a new watch");
    }
}

fn log_delivery(r: Result<notify::DeliveryReport, String>) {
    match r {
        Ok(r) if r.sent + r.retrying + r.dead > 0 => tracing::info!(
            sent = r.sent,
            retrying = r.retrying,
            dead = r.dead,
            "delivery round"
        ),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "delivery failed"),
    }
}
