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

use std::sync::Arc;

use crate::alert::{Alert, SCHEMA_VERSION};
use crate::compare::ChangeKind;
use crate::config::Config;
use crate::notify::{self, Installation, Outgoing, RetryPolicy};
use crate::scheduler::Scheduler;
use crate::store::{FleetHosts, Lease, Postgres, State, StateError};

/// This process's membership in a fleet.
pub struct Replica {
    pg: Postgres,
    config_hash: String,
    /// The other replicas whose config differs, as last logged.
    mismatched: Vec<(String, String)>,
    outage: Option<Outage>,
    installation: Installation,
}

/// The database has been unreachable since `since` (Unix s).
struct Outage {
    since: i64,
    error: String,
    alerted: bool,
}

/// The hash `status` shows and replicas compare: SHA-256 of the config
/// file's bytes, shortened.
pub fn config_hash(config: &Config) -> String {
    let bytes = std::fs::read(&config.path).unwrap_or_default();
    crate::document::sha256_hex(&bytes)[..16].to_string()
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
        fetcher.share_hosts(Arc::new(FleetHosts(pg.clone())));
        let mut replica = Replica {
            pg: pg.clone(),
            config_hash: config_hash(config),
            mismatched: Vec::new(),
            outage: None,
            installation: Installation::of(config, state)?,
        };
        let others = replica
            .pg
            .register_replica(&replica.config_hash)
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
        match self.pg.register_replica(&self.config_hash) {
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
        self.mismatched = others;
    }

    /// Puts the config's watches on the shared schedule (new ones due
    /// within the start-up spread) and takes removed ones off it.
    pub fn schedule(
        &mut self,
        config: &Config,
        sched: Scheduler,
        now_ms: i64,
    ) -> Result<(), String> {
        let names: Vec<String> = config.watches.iter().map(|w| w.name.clone()).collect();
        let due: Vec<i64> = config
            .watches
            .iter()
            .map(|w| sched.initial_due(now_ms, None, None, w.interval))
            .collect();
        let done = self.pg.schedule_watches(&names, &due);
        match done {
            Ok(()) => {
                self.recovered();
                Ok(())
            }
            Err(e) => {
                let message = e.to_string();
                self.failed(e);
                Err(message)
            }
        }
    }

    /// Leases up to `n` due watches (none while the database is away).
    pub fn lease(&mut self, n: usize) -> Vec<Lease> {
        if n == 0 {
            return Vec::new();
        }
        let leased = self.pg.lease_due(n as i64);
        self.settle(leased).unwrap_or_default()
    }

    /// Hands a checked watch back with its next due time.
    pub fn finish(&mut self, watch: &str, due_ms: i64) {
        match self.pg.finish_lease(watch, due_ms) {
            Ok(true) => self.recovered(),
            Ok(false) => tracing::warn!(watch, replica = %self.id(),
                "the lease on this watch expired during its check and moved to another replica (raise daemon.lease above the longest check)"),
            Err(e) => self.failed(e),
        }
    }

    /// Renews this replica's leases and looks for config mismatches (each
    /// turn of the main loop's housekeeping).
    pub fn heartbeat(&mut self) {
        let beat = self.pg.heartbeat(&self.config_hash);
        if let Some(others) = self.settle(beat) {
            self.log_mismatches(others);
        }
    }

    /// Whether the database is unreachable now.
    pub fn database_away(&self) -> bool {
        self.outage.is_some()
    }

    /// Gives up everything this replica holds (clean shutdown).
    pub fn resign(&self) {
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
            tracing::error!(error = %e, "the state database is unreachable: checks pause until it is back; nothing is lost");
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
            schema: SCHEMA_VERSION,
            id: Alert::derive_id("presswatch-state-database", &[&location, &bucket]),
            watch: "presswatch".into(),
            url: location.clone(),
            outlet: "presswatch".into(),
            kind: ChangeKind::Error,
            summary: format!(
                "The state database {location} is unreachable: checks are paused until it is back"
            ),
            title: Some("presswatch cannot reach its state database".into()),
            byline: None,
            detected_at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            change: None,
            items: vec![],
            items_total: 0,
            error: Some(o.error.clone()),
            evidence: None,
            last_known: None,
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
